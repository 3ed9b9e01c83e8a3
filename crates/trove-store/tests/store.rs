//! Runs the conformance suite (`suite/`) against a fresh SQLite file and a fresh PostgreSQL database.
//!
//! PostgreSQL: `postgres://postgres@127.0.0.1:5432/test` (trust auth; override with `TROVE_TEST_POSTGRES_URL`);
//! each test creates `trove_test_<random>` through that database and drops it afterwards. If the server is
//! unreachable the PostgreSQL tests fail. They live under `external::` (with everything else that needs more
//! than Rust), which `scripts/test --fast` skips.

mod suite;

use std::future::Future;
use suite::Env;
use tempfile::TempDir;
use trove_testkit::postgres::PgDb;

/// A fresh SQLite URL in a new temp dir, in sub-folders that do not exist yet.
fn sqlite_url(dir: &TempDir) -> String {
    format!("sqlite://{}/nested/dir/trove.db", dir.path().display())
}

async fn run_sqlite<F, Fut>(test: F)
where
    F: FnOnce(Env) -> Fut,
    Fut: Future<Output = ()>,
{
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir);
    let store = trove_store::open(&url).await.unwrap();
    assert_eq!(store.engine(), "sqlite");
    test(Env { url, store }).await;
}

async fn run_sqlite_fresh<F, Fut>(test: F)
where
    F: FnOnce(String) -> Fut,
    Fut: Future<Output = ()>,
{
    let dir = tempfile::tempdir().unwrap();
    test(sqlite_url(&dir)).await;
}

/// Run `test` on a fresh PostgreSQL database (URL given to `make`), dropping it even if the test panics.
async fn with_pg_db<Fut>(make: impl FnOnce(String) -> Fut)
where
    Fut: Future<Output = ()> + Send + 'static,
{
    let db = PgDb::create("trove_test");
    let res = tokio::spawn(make(db.url.clone())).await;
    drop(db);
    if let Err(e) = res {
        std::panic::resume_unwind(e.into_panic());
    }
}

async fn run_pg<F, Fut>(test: F)
where
    F: FnOnce(Env) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    with_pg_db(|url| async move {
        let store = trove_store::open(&url).await.unwrap();
        assert_eq!(store.engine(), "postgres");
        test(Env { url, store }).await;
    })
    .await;
}

async fn run_pg_fresh<F, Fut>(test: F)
where
    F: FnOnce(String) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    with_pg_db(test).await;
}

macro_rules! conformance {
    (env: [$($m:ident :: $t:ident),* $(,)?], fresh: [$($fm:ident :: $ft:ident),* $(,)?]) => {
        mod sqlite {
            use super::*;
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $t() { run_sqlite(crate::suite::$m::$t).await })*
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $ft() { run_sqlite_fresh(crate::suite::$fm::$ft).await })*
        }
        /// Tests that need PostgreSQL.
        mod external {
            mod postgres {
                use crate::*;
                $(#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $t() { run_pg(crate::suite::$m::$t).await })*
                $(#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $ft() { run_pg_fresh(crate::suite::$fm::$ft).await })*
            }

            /// `trove migrate`'s copy: a filled SQLite store into a fresh PostgreSQL database.
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn copy_sqlite_to_postgres() {
                crate::with_pg_db(|pg| async move {
                    let dir = tempfile::tempdir().unwrap();
                    crate::suite::copy::copy_everything(crate::sqlite_url(&dir), pg).await;
                })
                .await;
            }
        }
    };
}

conformance! {
    env: [
        projects::projects_create_get_list,
        projects::projects_ensure_nested,
        projects::projects_ensure_race,
        projects::projects_update_and_rename,
        root_project::root_project_tasks,
        root_project::root_tasks_copy,
        tasks::tasks_create_get_edit,
        tasks::tasks_status,
        tasks::tasks_query,
        scale::tasks_query_10k,
        tasks::tasks_delete,
        artifacts::artifacts_upsert_semantics,
        artifacts::artifacts_paging_and_counts,
        artifacts::artifacts_delete,
        artifacts::versions_in_order,
        misc::events_batch_and_order,
        misc::credentials_lifecycle,
        misc::settings_init_race,
        misc::migrations_idempotent,
        models::models_create_get_edit,
        models::models_query,
        models::models_concurrent_edits,
        model_events::model_events_write_and_delete,
        metrics::metrics_write_rules,
        metrics::metrics_reads,
        metrics_console::metrics_console,
        metrics_console::metrics_migration_backfill,
        concurrency::artifacts_concurrent_writers,
        concurrency::mixed_writers_no_deadlock,
    ],
    fresh: [
        concurrency::fresh_concurrent_open,
        concurrency::multi_process_writers,
        model_events::model_events_schema_upgrade,
    ]
}

/// `trove migrate`'s copy: a filled SQLite store into a fresh SQLite file.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn copy_sqlite_to_sqlite() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    suite::copy::copy_everything(sqlite_url(&a), sqlite_url(&b)).await;
}

/// Entry point of the child processes `multi_process_writers` starts; a no-op otherwise.
#[test]
#[ignore = "run only as a child process of multi_process_writers"]
fn child_worker() {
    suite::concurrency::child_main();
}

#[tokio::test]
async fn urls_pick_the_engine() {
    let dir = tempfile::tempdir().unwrap();
    let bare = format!("sqlite:{}/bare.db", dir.path().display());
    let s = trove_store::open(&bare).await.unwrap();
    assert_eq!(s.engine(), "sqlite");
    assert!(dir.path().join("bare.db").exists());
    s.ensure_project("p").await.unwrap();
    assert!(
        dir.path().join("bare.db-wal").exists(),
        "the database runs in WAL mode"
    );
    let home = dir.path().join("home with space");
    let s = trove_store::open(&trove_store::default_sqlite_url(&home))
        .await
        .unwrap();
    s.ensure_project("p").await.unwrap();
    assert!(home.join("trove.db").exists());
    let mem = trove_store::open("sqlite::memory:").await.unwrap();
    mem.ensure_project("m/n").await.unwrap();
    assert_eq!(mem.list_projects().await.unwrap().len(), 2);
    for bad in ["mysql://x", "http://x", "trove.db"] {
        let r = trove_store::open(bad).await;
        assert!(
            matches!(r, Err(trove_store::StoreError::BadUrl(_))),
            "{bad}"
        );
    }
}
