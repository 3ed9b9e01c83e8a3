//! Metrics read-back with the official, unmodified ClearML SDK (2.x and 1.17): one process reports scalars,
//! single values, plots and console lines (`tests/py/metrics_report.py`), a second one reads them back with
//! `get_reported_scalars` (iter, timestamp, iso_time, max_samples), `get_all_reported_scalars`,
//! `get_last_scalar_metrics`, `get_reported_single_value(s)`, `get_reported_plots` and
//! `get_reported_console_output(n)` and compares every value (`tests/py/metrics_read.py`). Fails (does not
//! skip) when the venv cannot be made.

use crate::common::TestServer;
use serde_json::json;
use std::path::Path;
use std::time::Duration;
use trove_testkit::python::{self, Venv};

/// How long one SDK script may take (10–40 s on 2 busy cores); a hung run is killed and reported.
const SDK_LIMIT: Duration = Duration::from_secs(300);

fn run_py(
    py: &Path,
    script: &str,
    args: &[&str],
    cwd: &Path,
    env: &[(String, String)],
) -> (bool, String, String) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/py")
        .join(script);
    let f = tokio::task::block_in_place(|| python::run_script(py, &src, args, cwd, env, SDK_LIMIT));
    (f.success(), f.stdout.clone(), f.report())
}

async fn report_and_read_back(venv: Venv) {
    let py = tokio::task::spawn_blocking(move || venv.python())
        .await
        .unwrap();
    let s = TestServer::start().await;
    let work = tempfile::tempdir().unwrap();
    let wd = work.path();
    let env = s.clearml_env(wd);
    let (ok, out, report) = run_py(&py, "metrics_report.py", &[], wd, &env);
    assert!(ok, "metrics_report.py ({venv:?}) failed\n{report}");
    let id = out
        .lines()
        .find_map(|l| l.strip_prefix("TASK_ID="))
        .unwrap_or_else(|| panic!("no TASK_ID in\n{report}"))
        .trim()
        .to_string();
    let (ok, out, report2) = run_py(&py, "metrics_read.py", &[&id], wd, &env);
    assert!(
        ok && out.lines().any(|l| l.trim() == "OK"),
        "metrics_read.py ({venv:?}) failed\n{report2}\n=== report output\n{report}"
    );
    // What the SDK read came from the store: the task's summary and events are there.
    let store = s.srv().store.clone();
    let lm = store.last_metrics(std::slice::from_ref(&id)).await.unwrap();
    let loss = lm[&id]
        .iter()
        .find(|m| m.metric == "loss" && m.variant == "train")
        .unwrap();
    assert_eq!(
        (loss.value, loss.count, loss.max_value_iteration),
        (9.5, 20, 19)
    );
    let task = store.get_task(&id).await.unwrap().unwrap();
    assert_eq!(task.doc["last_iteration"], json!(19));
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clearml_2x_metrics_read_back() {
    report_and_read_back(Venv::Clearml2).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clearml_1_17_metrics_read_back() {
    report_and_read_back(Venv::Clearml117).await;
}
