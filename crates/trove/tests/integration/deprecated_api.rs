//! The names deprecated in 0.2.0 still work for one release: `Task::get_task*`, `trove::list_tasks`,
//! `Task::current`, `TaskBuilder::home`/`config`, `get_local_copy*`, `get_registered_artifacts` and
//! `UploadOptions::extension` (whose invalid extensions are now errors). This is the only place that uses
//! them. The check runs in a child process of this test binary: it needs `TROVE_HOME` set for the constructors
//! that read the environment, and `Task::current` is process-wide, so no other test may run beside it.
#![cfg(all(feature = "frame", feature = "json", feature = "embedded-sqlite"))]
#![allow(deprecated)]

use polars::prelude::*;
use std::process::Command;
use std::time::Duration;
use trove::{Task, TaskStatus, Tracked, TroveError, UploadOptions};

#[test]
fn deprecated_names_still_work() {
    let h = tempfile::tempdir().unwrap();
    let mut child = Command::new(std::env::current_exe().unwrap());
    child
        .args([
            "--exact",
            "deprecated_api::deprecated_names_child",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("TROVE_HOME", h.path());
    let out = trove_testkit::process::run_ok(child, Duration::from_secs(300));
    assert!(out.contains("1 passed"), "the child ran the check: {out}");
}

/// The check itself, alone in its process (started by `deprecated_names_still_work`).
#[test]
#[ignore = "run only as a child process of deprecated_names_still_work"]
fn deprecated_names_child() {
    let home = std::env::var_os("TROVE_HOME").expect("TROVE_HOME is set by the parent test");
    let h = std::path::Path::new(&home);

    // TaskBuilder::home / ::config, Task::current.
    let task = Task::builder("old", "names").home(h).init().unwrap();
    assert_eq!(
        Task::current().map(|t| t.id().to_string()),
        Some(task.id().to_string())
    );
    let cfg = trove::Config::load_from_home(h).unwrap();
    let other = Task::builder("old", "configured")
        .config(cfg.clone())
        .init()
        .unwrap();
    assert_eq!(
        Task::current().map(|t| t.id().to_string()),
        Some(other.id().to_string())
    );
    other.close().unwrap();

    // UploadOptions::extension: a valid one is used, an invalid one is an error (no longer a warning).
    let df = df!("a" => [1i64, 2], "b" => ["x", "y"]).unwrap();
    let rec = task
        .upload_artifact_with(
            "frame",
            df.clone(),
            UploadOptions::default().extension(".parquet").wait(true),
        )
        .unwrap();
    assert!(rec.uri.unwrap().ends_with("frame.parquet"));
    match task.upload_artifact_with("bad", df, UploadOptions::default().extension(".xlsx")) {
        Err(TroveError::Kind(e)) => assert!(e.to_string().contains(".xlsx"), "{e}"),
        other => panic!("expected an invalid-format error, got {other:?}"),
    }

    // get_registered_artifacts.
    let train = Tracked::new(df!("n" => [1i64, 2, 3]).unwrap());
    task.register_artifact("train", &train).unwrap();
    assert!(task.get_registered_artifacts()["train"].same(&train));

    // get_local_copy / get_local_copy_with_progress.
    task.upload_artifact("dictionary", serde_json::json!({"a": 1}))
        .unwrap();
    task.flush().unwrap();
    let a = task.artifact("dictionary").unwrap();
    let copy = a.get_local_copy().unwrap();
    assert_eq!(a.get_local_copy_with_progress(&|_| {}).unwrap(), copy);
    assert_eq!(copy, a.local_copy().unwrap());

    // Task::get_task / get_task_by_id (from the environment) and the *_with variants.
    let id = task.id().to_string();
    assert_eq!(Task::get_task("old", "names").unwrap().id(), id);
    assert_eq!(Task::get_task_by_id(&id).unwrap().name(), "names");
    assert_eq!(
        Task::get_task_with(cfg.clone(), "old", "names")
            .unwrap()
            .id(),
        id
    );
    assert_eq!(
        Task::get_task_by_id_with(cfg.clone(), &id)
            .unwrap()
            .project(),
        "old"
    );
    assert!(matches!(
        Task::get_task_by_id_with(cfg.clone(), &"0".repeat(32)),
        Err(TroveError::TaskNotFound(_))
    ));

    // trove::list_tasks.
    task.close().unwrap();
    let listed = trove::list_tasks(&cfg, Some("old")).unwrap();
    assert_eq!(listed.len(), 2);
    assert!(
        listed
            .iter()
            .all(|t| t.project_name == "old" && t.status == TaskStatus::Completed)
    );
    assert!(
        Task::current().is_none(),
        "the closed task is no longer current"
    );
}
