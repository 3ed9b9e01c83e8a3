//! THE compatibility test: the official, unmodified ClearML Python SDK (1.17 and 2.x) runs the artifacts
//! example against a real trove server, then a second process retrieves every artifact and checks its
//! value. The store must then hold a `completed` task whose every file hashes to its record's `hash`.
//! Fails (does not skip) when the venv cannot be made.

use crate::common::TestServer;
use sha2::Digest;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;
use trove_testkit::python::{self, Venv};

/// How long one run of an SDK script may take (10–40 s on 2 busy cores). A run that hangs is killed and the
/// test fails with what it printed and where each of its processes was waiting.
const SDK_LIMIT: Duration = Duration::from_secs(300);

/// Run a copy of `tests/py/<script>` in `cwd` with the venv's python; returns (success, report).
fn run_py(
    py: &Path,
    script: &str,
    args: &[&str],
    cwd: &Path,
    env: &[(String, String)],
) -> (bool, String) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/py")
        .join(script);
    // The script blocks this thread; the server answers on the runtime's other worker.
    let f = tokio::task::block_in_place(|| python::run_script(py, &src, args, cwd, env, SDK_LIMIT));
    (f.success(), f.report())
}

/// Run the example `runs` times (a re-run goes through the SDK's task-reuse checks and must make a new
/// task, as a task with artifacts is never reused), then retrieve the newest from a second process.
async fn sdk_round_trip(venv: Venv, runs: usize) {
    let py = tokio::task::spawn_blocking(move || venv.python())
        .await
        .unwrap();
    let clearml = format!("{venv:?}");
    let s = TestServer::start().await;
    let work = tempfile::tempdir().unwrap();
    let wd = work.path();
    let (ok, out) = run_py(&py, "make_samples.py", &[wd.to_str().unwrap()], wd, &[]);
    assert!(ok, "make_samples failed\n{out}");

    let srv = s.srv();
    let env = s.clearml_env(wd);

    let mut out = String::new();
    for run in 1..=runs {
        let (ok, o) = run_py(&py, "seed_artifacts.py", &[], wd, &env);
        assert!(ok, "seed_artifacts.py ({clearml}) run {run} failed\n{o}");
        assert!(o.contains("Done"), "{o}");
        out.push_str(&o);
    }
    let (ok, out2) = run_py(&py, "seed_retrieve.py", &[wd.to_str().unwrap()], wd, &env);
    assert!(
        ok,
        "seed_retrieve.py ({clearml}) failed\n{out2}\n=== seed output\n{out}"
    );
    assert!(out2.lines().any(|l| l.trim() == "OK"), "{out2}");
    eprintln!("=== seed ({clearml})\n{out}\n=== retrieve ({clearml})\n{out2}");

    // The store: one completed task with 8 artifacts whose files hash to their records.
    let store = srv.store.clone();
    let projects = store.list_projects().await.unwrap();
    let p = projects
        .iter()
        .find(|p| p.name == "examples")
        .expect("project examples");
    let q = trove_store::TaskQuery {
        projects: Some(vec![p.id.clone()]),
        ..Default::default()
    };
    let tasks = store.query_tasks(&q).await.unwrap();
    let tasks: Vec<_> = tasks
        .iter()
        .filter(|t| t.name == "artifacts example")
        .collect();
    assert_eq!(tasks.len(), runs, "one new task per run: {tasks:?}");
    let files_root = s.home.path().join("files");
    let prefix = format!("http://{}/", srv.files_addr);
    for task in tasks {
        assert_eq!(task.status, trove_core::TaskStatus::Completed, "{task:?}");
        let arts = store.list_artifacts(&task.id).await.unwrap();
        assert_eq!(arts.len(), 8, "{arts:?}");
        for a in &arts {
            let uri = a
                .uri
                .as_deref()
                .unwrap_or_else(|| panic!("{} has no uri", a.key));
            let rel = uri
                .strip_prefix(&prefix)
                .unwrap_or_else(|| panic!("{uri} is not on the files server"));
            assert!(rel.contains(&task.id), "{uri}");
            let rel = trove_core::layout::unquote(rel).unwrap();
            let bytes =
                std::fs::read(files_root.join(&rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
            let hash = hex::encode(sha2::Sha256::digest(&bytes));
            assert_eq!(Some(hash.as_str()), a.hash.as_deref(), "{} hash", a.key);
            assert_eq!(Some(bytes.len() as u64), a.content_size, "{} size", a.key);
        }
    }
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clearml_2x_sdk_round_trip() {
    sdk_round_trip(Venv::Clearml2, 1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clearml_1_17_sdk_round_trip() {
    sdk_round_trip(Venv::Clearml117, 2).await;
}

/// §7.3: `tasks.stop` on a running development task makes the SDK's watchdog end the user's process.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_side_stop_aborts_the_sdk_process() {
    use tokio::io::AsyncBufReadExt;
    let py = tokio::task::spawn_blocking(|| Venv::Clearml2.python())
        .await
        .unwrap();
    let s = TestServer::start().await;
    let work = tempfile::tempdir().unwrap();
    let wd = work.path();
    let env = s.clearml_env(wd);
    let script = wd.join("seed_abort.py");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/py/seed_abort.py"),
        &script,
    )
    .unwrap();
    let mut cmd = tokio::process::Command::new(&py);
    cmd.arg(&script)
        .current_dir(wd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .kill_on_drop(true);
    for (k, _) in std::env::vars() {
        if k.starts_with("CLEARML_") || k.starts_with("TRAINS_") {
            cmd.env_remove(k);
        }
    }
    cmd.envs(env.iter().map(|(k, v)| (k.clone(), v.clone())));
    let mut child = cmd.spawn().unwrap();
    let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let mut seen = Vec::new();
    let task_id = tokio::time::timeout(Duration::from_secs(120), async {
        while let Some(l) = lines.next_line().await.unwrap() {
            seen.push(l.clone());
            if let Some(id) = l.strip_prefix("TASK ") {
                return id.trim().to_string();
            }
        }
        panic!("script ended before printing its task id: {seen:?}");
    })
    .await
    .expect("task id printed");
    // Let the watchdog see the task running for a few polls: it must not abort a healthy task.
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert!(
        child.try_wait().unwrap().is_none(),
        "a running task was aborted"
    );
    let t = s.login().await;
    let d = s
        .ok(&t, "tasks.stop", serde_json::json!({"task": task_id}))
        .await;
    assert_eq!(d["fields"]["status"], "stopped");
    let status = tokio::time::timeout(Duration::from_secs(90), child.wait())
        .await
        .expect("the SDK process ended after the server stopped its task")
        .unwrap();
    let mut rest = Vec::new();
    while let Ok(Some(l)) = lines.next_line().await {
        rest.push(l);
    }
    assert!(!rest.iter().any(|l| l.contains("NOT ABORTED")), "{rest:?}");
    eprintln!("aborted process exit status: {status:?}");
    let task = s.srv().store.get_task(&task_id).await.unwrap().unwrap();
    assert_eq!(task.status, trove_core::TaskStatus::Stopped, "{task:?}");
    s.stop().await;
}
