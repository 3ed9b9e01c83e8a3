//! ClearML Datasets against trove with the official SDKs (2.x and 1.17): the Dataset workflow
//! (`tests/py/datasets_create.py`: create / add_files / upload / finalize, a child version, an archived
//! version skipped by `Dataset.get` but listed by `list_datasets`), `get_local_copy()` and
//! `get_mutable_local_copy()` in a second process with every file's content checked
//! (`tests/py/datasets_get.py`), and the `clearml-data` CLI (create / add / close / search / list / get), each
//! command a new process of the venv's own `clearml-data` entry point with the test's clearml.conf.
//! `Dataset.delete` needs `models.*` and `events.get_task_events` (other parts): see
//! `python_datasets_delete.rs`.

use crate::common::TestServer;
use std::path::Path;
use std::time::Duration;
use trove_testkit::python::{self, Venv};

/// One SDK process (10–60 s on 2 busy cores); a hung one is killed and reported.
const LIMIT: Duration = Duration::from_secs(300);

fn run(py: &Path, script: &Path, args: &[&str], cwd: &Path, env: &[(String, String)]) -> String {
    let f = tokio::task::block_in_place(|| python::run_script(py, script, args, cwd, env, LIMIT));
    let report = f.report();
    assert!(
        f.success(),
        "{} {args:?} failed\n{report}",
        script.display()
    );
    report
}

fn py_script(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/py")
        .join(name)
}

/// The value after `prefix` on the report's line starting with it.
fn line_value(out: &str, prefix: &str) -> String {
    out.lines()
        .find_map(|l| l.trim().strip_prefix(prefix))
        .unwrap_or_else(|| panic!("no {prefix:?} line in\n{out}"))
        .trim()
        .to_string()
}

fn files_of(out: &str) -> Vec<String> {
    out.lines()
        .filter(|l| l.starts_with("FILE "))
        .map(str::to_string)
        .collect()
}

async fn dataset_workflow(venv: Venv) {
    let py = tokio::task::spawn_blocking(move || venv.python())
        .await
        .unwrap();
    let s = TestServer::start().await;
    let work = tempfile::tempdir().unwrap();
    let wd = work.path();
    let env = s.clearml_env(wd);
    let out = run(
        &py,
        &py_script("datasets_create.py"),
        &[wd.to_str().unwrap()],
        wd,
        &env,
    );
    assert!(out.lines().any(|l| l.trim() == "OK"), "{out}");
    eprintln!("=== datasets_create.py ({venv:?})\n{out}");
    let child = line_value(&out, "CHILD ");
    let parent = line_value(&out, "PARENT ");

    // The version property was stored (tasks.edit_hyper_params of `properties` on a running task).
    let store = s.srv().store.clone();
    for (id, version) in [(&parent, "1.0.0"), (&child, "1.0.1")] {
        let t = store.get_task(id).await.unwrap().unwrap();
        assert_eq!(
            t.doc["hyperparams"]["properties"]["version"]["value"], version,
            "{t:?}"
        );
        assert_eq!(t.doc["runtime"]["version"], version);
        assert_eq!(t.status, trove_core::TaskStatus::Completed);
    }

    // A second process reads the child version: the parent's files and its own, with their contents.
    let copy = wd.join("copy");
    let got = run(
        &py,
        &py_script("datasets_get.py"),
        &[&child, copy.to_str().unwrap()],
        wd,
        &env,
    );
    assert!(got.lines().any(|l| l.trim() == "OK"), "{got}");
    let expected = [
        "FILE a.txt alpha\\n",
        "FILE c.txt gamma\\n",
        "FILE sub/b.csv x,y\\n1,2\\n",
    ];
    let files = files_of(&got);
    assert_eq!(files.len(), 6, "two copies of three files: {got}");
    for half in files.chunks(3) {
        assert_eq!(half, expected, "{got}");
    }
    assert_eq!(
        std::fs::read_to_string(copy.join("sub/b.csv")).unwrap(),
        "x,y\n1,2\n"
    );
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn datasets_clearml_2x() {
    dataset_workflow(Venv::Clearml2).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn datasets_clearml_1_17() {
    dataset_workflow(Venv::Clearml117).await;
}

async fn clearml_data_cli(venv: Venv) {
    let py = tokio::task::spawn_blocking(move || venv.python())
        .await
        .unwrap();
    let cli = py.with_file_name("clearml-data");
    assert!(cli.exists(), "{} missing", cli.display());
    let s = TestServer::start().await;
    let work = tempfile::tempdir().unwrap();
    let wd = work.path();
    let env = s.clearml_env(wd);
    let data = wd.join("data");
    std::fs::create_dir_all(data.join("nested")).unwrap();
    std::fs::write(data.join("one.txt"), "first file\n").unwrap();
    std::fs::write(data.join("nested/two.txt"), "second file\n").unwrap();
    let clearml_data = |args: &[&str]| run(&py, &cli, args, wd, &env);

    let out = clearml_data(&[
        "create",
        "--project",
        "cli project",
        "--name",
        "cli data",
        "--tags",
        "t1",
    ]);
    let id = line_value(&out, "New dataset created id=");
    clearml_data(&["add", "--id", &id, "--files", data.to_str().unwrap()]);
    let out = clearml_data(&["close", "--id", &id]);
    assert!(
        out.contains("completed") || out.contains("Dataset closed"),
        "{out}"
    );
    let t = s.srv().store.get_task(&id).await.unwrap().unwrap();
    assert_eq!(t.status, trove_core::TaskStatus::Completed);

    for args in [
        &["search", "--project", "cli project"][..],
        &["search", "--tags", "t1"][..],
        &["search", "--name", "cli"][..],
    ] {
        // The table: project, name, version, tags, created (2.x adds the id).
        let out = clearml_data(args);
        let row = out
            .lines()
            .find(|l| l.contains("cli data"))
            .unwrap_or_else(|| panic!("{args:?}: no row\n{out}"));
        assert!(
            row.contains("cli project") && row.contains("1.0.0") && row.contains("t1"),
            "{args:?}\n{out}"
        );
    }
    let out = clearml_data(&["list", "--project", "cli project", "--name", "cli data"]);
    assert!(
        out.contains("one.txt") && out.contains("nested/two.txt"),
        "{out}"
    );
    let copy = wd.join("cli copy");
    clearml_data(&["get", "--id", &id, "--copy", copy.to_str().unwrap()]);
    assert_eq!(
        std::fs::read_to_string(copy.join("one.txt")).unwrap(),
        "first file\n"
    );
    assert_eq!(
        std::fs::read_to_string(copy.join("nested/two.txt")).unwrap(),
        "second file\n"
    );
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clearml_data_cli_2x() {
    clearml_data_cli(Venv::Clearml2).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clearml_data_cli_1_17() {
    clearml_data_cli(Venv::Clearml117).await;
}
