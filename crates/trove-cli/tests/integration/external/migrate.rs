//! `trove migrate` end to end: the real binary copies a filled SQLite home into a fresh PostgreSQL database,
//! refuses to run again into the now non-empty target, and with `--resume` copies nothing twice.
//! (The field-by-field comparison of every row kind is trove-store's `copy_sqlite_to_postgres` test.)
//!
//! PostgreSQL: `postgres://postgres@127.0.0.1:5432/test` (override with `TROVE_TEST_POSTGRES_URL`); a database
//! `trove_cli_<random>` is created and dropped.

use std::process::Command;
use trove_core::ArtifactRecord;
use trove_store::{Event, NewTask, TaskQuery};
use trove_testkit::postgres::PgDb;

fn trove(home: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_trove"))
        .arg("--home")
        .arg(home)
        .args(args)
        .env_remove("TROVE_CONFIG_FILE")
        .output()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrate_sqlite_home_into_postgres() {
    let db = PgDb::create("trove_cli");
    let res = tokio::spawn(run(db.url.clone())).await;
    drop(db);
    if let Err(e) = res {
        std::panic::resume_unwind(e.into_panic());
    }
}

async fn run(pg: String) {
    let home = tempfile::tempdir().unwrap();
    let sqlite = trove_store::default_sqlite_url(home.path());
    let src = trove_store::open(&sqlite).await.unwrap();
    let p = src.ensure_project("team/a").await.unwrap();
    let mut ids = Vec::new();
    for i in 0..3 {
        let t = src
            .create_task(NewTask {
                project: p.id.clone(),
                name: format!("t{i}"),
                ..Default::default()
            })
            .await
            .unwrap();
        let mut r = ArtifactRecord::new("data", "custom");
        r.uri = Some(format!("s3://bucket/{i}"));
        src.upsert_artifacts(&t.id, &[r]).await.unwrap();
        let ev = Event {
            task: t.id.clone(),
            kind: "log".into(),
            timestamp: 1,
            iter: None,
            body: serde_json::json!({"msg": i}),
        };
        src.add_events(&[ev.clone(), ev]).await.unwrap();
        ids.push(t.id);
    }
    src.add_credentials("AK", "hash").await.unwrap();
    drop(src);

    // --from defaults to the home's SQLite file.
    let out = trove(home.path(), &["migrate", "--to", &pg]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains(
            "copied 2 projects, 3 tasks, 3 artifacts, 0 versions, 6 events, 1 credentials"
        ),
        "{stdout}"
    );

    let dst = trove_store::open(&pg).await.unwrap();
    assert_eq!(dst.engine(), "postgres");
    let src = trove_store::open(&sqlite).await.unwrap();
    let all = TaskQuery::default();
    assert_eq!(
        src.query_tasks(&all).await.unwrap(),
        dst.query_tasks(&all).await.unwrap()
    );
    for id in &ids {
        assert_eq!(
            src.list_artifacts(id).await.unwrap(),
            dst.list_artifacts(id).await.unwrap()
        );
        assert_eq!(dst.list_events(id, None, 0, 0).await.unwrap().len(), 2);
    }
    assert_eq!(
        src.list_credentials().await.unwrap(),
        dst.list_credentials().await.unwrap()
    );

    // A second run refuses the non-empty target and says what to do.
    let out = trove(home.path(), &["migrate", "--from", &sqlite, "--to", &pg]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("already holds") && err.contains("--resume"),
        "{err}"
    );

    // --resume copies nothing twice.
    let out = trove(
        home.path(),
        &["migrate", "--from", &sqlite, "--to", &pg, "--resume"],
    );
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("copied 0 projects, 0 tasks"), "{stdout}");
    assert!(stdout.contains(" 0 events, 0 credentials"), "{stdout}");
    for id in &ids {
        assert_eq!(dst.list_events(id, None, 0, 0).await.unwrap().len(), 2);
    }

    // Same source and target is refused.
    let out = trove(home.path(), &["migrate", "--from", &pg, "--to", &pg]);
    assert!(!out.status.success());
}
