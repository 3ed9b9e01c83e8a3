//! Issue 9, end to end: a project's default output destination is set in the web UI (headless Chromium),
//! then the official ClearML Python SDK (2.x) and the trove Rust SDK (remote mode), neither naming a
//! destination, both put their artifacts into that folder and their INFO tabs say the project default chose
//! it; `output_uri` in code overrides it. Bad values typed into the forms are refused with a message and
//! change nothing; forms without the CSRF token or from another origin are refused. Fails (never skips) when
//! the venv or the browser cannot be installed.

use crate::common::TestServer;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::time::Duration;
use trove_testkit::browser::Browser;
use trove_testkit::python::{self, Venv};
use trove_testkit::repo_root;

/// The venv of the issue: the official clearml SDK, newest 2.x.
fn venv() -> PathBuf {
    Venv::Clearml2.python()
}

/// Run `tests/browser/destination.mjs` with these variables; returns its JSON line.
async fn browser(b: &Browser, s: &TestServer, vars: &[(&str, String)]) -> Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/destination.mjs");
    let mut env = vec![
        ("BASE", format!("http://{}", s.srv().web_addr)),
        ("ACCESS", s.access.clone()),
        ("SECRET", s.secret.clone()),
    ];
    env.extend(vars.iter().cloned());
    // The browser script blocks this thread; the server answers on the runtime's other worker.
    let stdout = tokio::task::block_in_place(|| b.run(&script, &env));
    let res: Value = serde_json::from_str(stdout.lines().last().unwrap_or_default()).unwrap();
    eprintln!("browser: {res:#}");
    res
}

/// Run `tests/py/dest_task.py` in `wd` against the server; returns the task id.
async fn python_task(
    py: &Path,
    s: &TestServer,
    wd: &Path,
    name: &str,
    uri: Option<&str>,
    extra_env: &[(&str, &str)],
) -> String {
    let mut env = s.clearml_env(wd);
    env.extend(
        extra_env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string())),
    );
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/py/dest_task.py");
    let mut args = vec!["destinations", name];
    args.extend(uri);
    let f = tokio::task::block_in_place(|| {
        python::run_script(py, &script, &args, wd, &env, Duration::from_secs(300))
    });
    assert!(f.success(), "dest_task.py {name} failed: {}", f.report());
    let text = format!("{}\n{}", f.stdout, f.stderr);
    text.lines()
        .find_map(|l| l.strip_prefix("TASK_ID="))
        .unwrap_or_else(|| panic!("no TASK_ID in\n{text}"))
        .trim()
        .to_string()
}

/// Every artifact of `task` is a file below `dir`; returns how many.
async fn artifacts_below(s: &TestServer, task: &str, dir: &Path) -> usize {
    let arts = s.srv().store.list_artifacts(task).await.unwrap();
    assert!(!arts.is_empty(), "task {task} has no artifacts");
    for a in &arts {
        let uri = a
            .uri
            .clone()
            .unwrap_or_else(|| panic!("{} has no uri", a.key));
        let path = PathBuf::from(uri.strip_prefix("file://").unwrap_or(&uri));
        assert!(
            path.starts_with(dir),
            "{} went to {uri}, not below {}",
            a.key,
            dir.display()
        );
        assert!(path.is_file(), "{uri} is not a file");
    }
    arts.len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn project_default_destination_set_in_the_ui() {
    // The environment would outrank the project default this test sets (and other tests share the process, so
    // it is not changed here).
    assert!(
        std::env::var_os("TROVE_DEFAULT_OUTPUT_URI").is_none(),
        "unset TROVE_DEFAULT_OUTPUT_URI to run this test"
    );
    let py = tokio::task::spawn_blocking(venv).await.unwrap();
    let chromium = tokio::task::spawn_blocking(Browser::install).await.unwrap();
    let work = tempfile::tempdir().unwrap();
    let wd = work.path().canonicalize().unwrap();
    // The server may write-test (and read) destinations in the work folder only.
    let s = TestServer::start_allowing(&[&wd]).await;
    let token = s.login().await;
    let store = s.srv().store.clone();
    let good = wd.join("project-artifacts");
    let code_dir = wd.join("code-artifacts");
    std::fs::create_dir_all(&good).unwrap();
    std::fs::create_dir_all(&code_dir).unwrap();
    // Tests run as root, so only a path below a regular file is surely unwritable.
    std::fs::write(wd.join("plain-file"), b"not a folder").unwrap();
    let bad_dir = wd.join("plain-file/sub");

    // The API carries default_output_destination in projects.create and projects.update.
    let other = s
        .ok(
            &token,
            "projects.create",
            json!({"name": "dest-api", "default_output_destination": "s3://bucket/a"}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    s.ok(
        &token,
        "projects.update",
        json!({"project": other, "default_output_destination": "gs://bucket/b"}),
    )
    .await;
    let got = s
        .ok(&token, "projects.get_by_id", json!({"project": other}))
        .await;
    assert_eq!(
        got["project"]["default_output_destination"],
        "gs://bucket/b"
    );

    // 1. The project's default destination, set through the form in Chromium.
    let pid = s
        .ok(&token, "projects.create", json!({"name": "destinations"}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let res = browser(
        &chromium,
        &s,
        &[
            ("PHASE", "project".into()),
            ("PROJECT", pid.clone()),
            ("GOOD", good.display().to_string()),
            ("BAD_SCHEME", "ftp://files.example/artifacts".into()),
            ("BAD_DIR", bad_dir.display().to_string()),
        ],
    )
    .await;
    assert_eq!(res["unknown_scheme"][0], 422);
    assert!(
        res["unknown_scheme"][1]
            .as_str()
            .unwrap()
            .contains("Unknown scheme 'ftp://'"),
        "{res}"
    );
    assert!(
        res["unwritable"][1]
            .as_str()
            .unwrap()
            .contains("write test failed"),
        "{res}"
    );
    assert!(
        res["relative"][1]
            .as_str()
            .unwrap()
            .contains("absolute path"),
        "{res}"
    );
    for k in ["after_unknown", "after_unwritable"] {
        assert!(
            res[k].as_str().unwrap().starts_with("none"),
            "{k}: refused values change nothing: {res}"
        );
    }
    assert_eq!(res["good"][0], 303, "saved, then redirected: {res}");
    assert_eq!(res["good"][1], Value::Null, "{res}");
    assert_eq!(res["after_good"], good.display().to_string());
    assert_eq!(res["forged_status"], 403);
    assert_eq!(res["cross_origin_status"], 403);
    assert_eq!(res["after_forged"], good.display().to_string());
    let project = store.get_project(&pid).await.unwrap().unwrap();
    assert_eq!(
        project.default_output_destination.as_deref(),
        Some(good.to_str().unwrap())
    );

    // 2. The official SDK, no destination in code: the project default.
    let py_wd = wd.join("py1");
    std::fs::create_dir_all(&py_wd).unwrap();
    let py_task = python_task(&py, &s, &py_wd, "python default", None, &[]).await;
    assert_eq!(artifacts_below(&s, &py_task, &good).await, 2);

    // 3. The Rust SDK in remote mode, no destination in code: the project default (read by ensure_project).
    let srv = s.srv();
    let cfg = trove_core::Config {
        home: wd.join("rust-home"),
        api_server: Some(format!("http://{}", srv.api_addr)),
        files_server: Some(format!("http://{}", srv.files_addr)),
        access_key: Some(s.access.clone()),
        secret_key: Some(s.secret.clone()),
        ..Default::default()
    };
    // The SDK is blocking and refuses to run inside a runtime, so it gets a plain thread.
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let task = trove::Trove::builder()
            .config(cfg)
            .build()
            .unwrap()
            .task_builder("destinations", "rust default")
            .init()
            .unwrap();
        task.upload_artifact("settings", json!({"lr": 0.1}))
            .unwrap();
        let out = (task.id().to_string(), task.destination_source());
        task.close().unwrap();
        let _ = tx.send(out);
    });
    let (rust_task, source) = rx.await.expect("the Rust SDK thread panicked");
    assert_eq!(source, trove::DestinationSource::Project);
    assert_eq!(artifacts_below(&s, &rust_task, &good).await, 1);

    // 4. output_uri in code overrides the project default.
    let py_wd = wd.join("py2");
    std::fs::create_dir_all(&py_wd).unwrap();
    let code_task = python_task(
        &py,
        &s,
        &py_wd,
        "python code",
        Some(code_dir.to_str().unwrap()),
        &[],
    )
    .await;
    assert_eq!(artifacts_below(&s, &code_task, &code_dir).await, 2);

    // 5. The INFO tabs say where and why; a draft's destination is edited; a completed task has no form.
    let (_, draft) = s.task(&token, "destinations", "draft task").await;
    let shot = repo_root().join("docs/screenshots/destination-info.png");
    std::fs::create_dir_all(shot.parent().unwrap()).unwrap();
    let res = browser(
        &chromium,
        &s,
        &[
            ("PHASE", "tasks".into()),
            ("TASKS", json!([py_task, rust_task, code_task]).to_string()),
            ("DRAFT", draft.clone()),
            ("DONE", code_task.clone()),
            ("GOOD", code_dir.display().to_string()),
            ("BAD_DIR", bad_dir.display().to_string()),
            ("SCREENSHOT", shot.display().to_string()),
        ],
    )
    .await;
    let tab = |id: &str| res["tasks"][id].clone();
    assert!(
        tab(&py_task)["uri"]
            .as_str()
            .unwrap()
            .contains(good.to_str().unwrap()),
        "{res}"
    );
    assert!(
        tab(&py_task)["level"]
            .as_str()
            .unwrap()
            .starts_with("project default"),
        "{res}"
    );
    assert!(
        tab(&rust_task)["uri"]
            .as_str()
            .unwrap()
            .contains(good.to_str().unwrap()),
        "{res}"
    );
    assert!(
        tab(&rust_task)["level"]
            .as_str()
            .unwrap()
            .starts_with("project default"),
        "{res}"
    );
    assert!(
        tab(&code_task)["uri"]
            .as_str()
            .unwrap()
            .contains(code_dir.to_str().unwrap()),
        "{res}"
    );
    assert!(
        tab(&code_task)["level"]
            .as_str()
            .unwrap()
            .starts_with("code or configuration file"),
        "{res}"
    );
    assert!(
        res["draft_unwritable"][1]
            .as_str()
            .unwrap()
            .contains("write test failed"),
        "{res}"
    );
    assert!(
        res["draft_unknown"][1]
            .as_str()
            .unwrap()
            .contains("Unknown scheme 'gopher://'"),
        "{res}"
    );
    assert_eq!(res["draft_good"][1], Value::Null, "{res}");
    assert!(
        res["draft_after"]["level"]
            .as_str()
            .unwrap()
            .contains("task's own destination"),
        "{res}"
    );
    assert_eq!(res["done_has_form"], 0);
    let d = store.get_task(&draft).await.unwrap().unwrap();
    assert_eq!(
        d.doc["output"]["destination"],
        code_dir.display().to_string()
    );
    // The task's own destination is what a ClearML client reads back.
    let got = s
        .ok(&token, "tasks.get_by_id", json!({"task": draft}))
        .await;
    assert_eq!(
        got["task"]["output"]["destination"],
        code_dir.display().to_string()
    );

    // 6. The draft, started later by the official SDK (as an agent runs it: CLEARML_TASK_ID), uploads to the
    //    destination set on the task in the UI, not to the project default.
    let py_wd = wd.join("py3");
    std::fs::create_dir_all(&py_wd).unwrap();
    let ran = python_task(
        &py,
        &s,
        &py_wd,
        "draft task",
        None,
        &[("CLEARML_TASK_ID", &draft)],
    )
    .await;
    assert_eq!(ran, draft);
    assert_eq!(artifacts_below(&s, &draft, &code_dir).await, 2);
    s.stop().await;
}
