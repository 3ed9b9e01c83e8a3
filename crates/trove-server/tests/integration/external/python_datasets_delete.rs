//! `Dataset.delete` and `clearml-data delete` with the official SDKs (which call `models.get_all` and
//! `events.get_task_events` before `tasks.delete`): the dataset's task and its files on the files server are
//! gone afterwards.

use crate::common::TestServer;
use std::path::Path;
use std::time::Duration;
use trove_testkit::python::{self, Venv};

const LIMIT: Duration = Duration::from_secs(300);

async fn delete_dataset(venv: Venv) {
    let py = tokio::task::spawn_blocking(move || venv.python())
        .await
        .unwrap();
    let s = TestServer::start().await;
    let work = tempfile::tempdir().unwrap();
    let wd = work.path();
    let env = s.clearml_env(wd);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/py/datasets_delete.py");
    let f = tokio::task::block_in_place(|| {
        python::run_script(&py, &script, &[wd.to_str().unwrap()], wd, &env, LIMIT)
    });
    let out = f.report();
    assert!(
        f.success() && out.lines().any(|l| l.trim() == "OK"),
        "{out}"
    );
    let id = out
        .lines()
        .find_map(|l| l.strip_prefix("ID "))
        .unwrap()
        .trim()
        .to_string();
    assert!(s.srv().store.get_task(&id).await.unwrap().is_none());
    // Its files are gone from the files server too (the SDK deletes the artifacts' URLs).
    let files = s.home.path().join("files");
    let left: Vec<_> = walk(&files)
        .into_iter()
        .filter(|p| p.contains(&id))
        .collect();
    assert!(left.is_empty(), "{left:?}");

    // clearml-data create + close + delete.
    let cli = py.with_file_name("clearml-data");
    let run = |args: &[&str]| {
        let f =
            tokio::task::block_in_place(|| python::run_script(&py, &cli, args, wd, &env, LIMIT));
        let out = f.report();
        assert!(f.success(), "{args:?}\n{out}");
        out
    };
    let out = run(&["create", "--project", "cli delete", "--name", "gone"]);
    let id = out
        .lines()
        .find_map(|l| l.trim().strip_prefix("New dataset created id="))
        .unwrap()
        .trim()
        .to_string();
    run(&["close", "--id", &id]);
    run(&["delete", "--id", &id, "--force"]);
    assert!(
        s.srv().store.get_task(&id).await.unwrap().is_none(),
        "clearml-data delete deleted nothing"
    );
    s.stop().await;
}

fn walk(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p.display().to_string());
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dataset_delete_clearml_2x() {
    delete_dataset(Venv::Clearml2).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dataset_delete_clearml_1_17() {
    delete_dataset(Venv::Clearml117).await;
}
