//! ClearML users' model workflows with the official, unmodified SDK (2.1 and 1.17): `OutputModel.update_weights`,
//! metadata, labels, `task.update_output_model`, publishing and `task.models` in a training process; then in a
//! second process `InputModel(id)` (weights downloaded and compared), `Model(id)`, `Model.query_models` (name,
//! tags, metadata, published, archived), `task.connect(InputModel)`, `InputModel.import_model`, and
//! `Task.delete()` of both tasks, which deletes their models and the weights on the files server. A model's
//! own scalars (`report_scalar`, model events) are read back as `last_metrics`, `last_iteration` and a
//! histogram.

use crate::common::TestServer;
use serde_json::{Value, json};
use std::path::Path;
use std::time::Duration;
use trove_store::{ModelQuery, TaskQuery};
use trove_testkit::python::{self, Venv};

/// How long one run of an SDK script may take.
const SDK_LIMIT: Duration = Duration::from_secs(300);

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
    let f = tokio::task::block_in_place(|| python::run_script(py, &src, args, cwd, env, SDK_LIMIT));
    (f.success(), f.report())
}

async fn sdk_models(venv: Venv) {
    let py = tokio::task::spawn_blocking(move || venv.python())
        .await
        .unwrap();
    let clearml = format!("{venv:?}");
    let s = TestServer::start().await;
    let work = tempfile::tempdir().unwrap();
    let wd = work.path();
    let env = s.clearml_env(wd);
    let ids_path = wd.join("ids.json");

    let (ok, out) = run_py(
        &py,
        "models_train.py",
        &[ids_path.to_str().unwrap()],
        wd,
        &env,
    );
    assert!(
        ok && out.contains("Done"),
        "models_train.py ({clearml}) failed\n{out}"
    );
    let ids: Value = serde_json::from_slice(&std::fs::read(&ids_path).unwrap()).unwrap();
    let id = |k: &str| ids[k].as_str().unwrap().to_string();

    // What the store holds after the training process.
    let store = s.srv().store.clone();
    let om = store
        .get_model(&id("om"))
        .await
        .unwrap()
        .expect("om stored");
    let uom = store
        .get_model(&id("uom"))
        .await
        .unwrap()
        .expect("uom stored");
    assert!(om.ready && !uom.ready, "{om:?} {uom:?}");
    assert_eq!(om.name, "om");
    assert_eq!(om.framework.as_deref(), Some("PyTorch"));
    assert_eq!(om.task.as_deref(), Some(id("task").as_str()));
    assert_eq!(om.doc["metadata"]["stage"]["value"], "prod");
    assert_eq!(om.doc["labels"], json!({"cat": 1, "dog": 2}));
    assert_eq!(om.doc_strings("tags"), ["mt1"]);
    assert!(uom.name.ends_with("uom"), "{}", uom.name);
    let task = store.get_task(&id("task")).await.unwrap().expect("task");
    let outputs: Vec<(String, String)> = task.doc["models"]["output"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["name"].as_str().unwrap().into(),
                m["model"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert!(outputs.contains(&("w".into(), id("om"))), "{outputs:?}");
    assert!(outputs.contains(&("uom".into(), id("uom"))), "{outputs:?}");
    assert_eq!(task.doc["last_iteration"], 5);
    let prefix = format!("http://{}/", s.srv().files_addr);
    let files = s.home.path().join("files");
    let local = |uri: &str| {
        let rel = uri
            .strip_prefix(&prefix)
            .unwrap_or_else(|| panic!("{uri} is not on the files server"));
        files.join(trove_core::layout::unquote(rel).unwrap())
    };
    let om_file = local(&om.uri);
    assert_eq!(
        std::fs::read(&om_file).unwrap(),
        [
            b"weights-".as_slice(),
            &(0..=255u8).collect::<Vec<_>>().repeat(8)
        ]
        .concat()
    );
    assert_eq!(std::fs::read(local(&uom.uri)).unwrap(), b"second model");

    // The draft model's own scalars (model events), read back as clearml-server answers them.
    let lm = store
        .last_metrics(std::slice::from_ref(&uom.id))
        .await
        .unwrap();
    let model_metrics = lm.get(&uom.id).cloned().unwrap_or_default();
    assert_eq!(model_metrics.len(), 1, "{model_metrics:?}");
    assert_eq!(
        (model_metrics[0].metric.as_str(), model_metrics[0].value),
        ("model loss", 0.25)
    );
    let token = s.login().await;
    let (code, h) = s
        .call(
            &token,
            "events.scalar_metrics_iter_histogram",
            json!({"task": uom.id, "model_events": true}),
        )
        .await;
    assert_eq!(code, 200, "{h}");
    assert_eq!(h["data"]["model loss"]["train"]["x"], json!([1, 2]), "{h}");
    let (_, m) = s
        .call(&token, "models.get_by_id", json!({"model": uom.id}))
        .await;
    assert_eq!(m["data"]["model"]["last_iteration"], 2, "{m}");

    // A second process uses the models, then `Task.delete()` deletes both tasks, their models and weights.
    let args = [ids_path.to_str().unwrap(), "delete"];
    let (ok, out2) = run_py(&py, "models_use.py", &args, wd, &env);
    assert!(
        ok && out2.lines().any(|l| l.trim() == "OK"),
        "models_use.py ({clearml}) failed\n{out2}\n=== train\n{out}"
    );
    eprintln!("=== {clearml}\n{out2}");

    let left = store.query_models(&ModelQuery::default()).await.unwrap();
    let tasks = store.query_tasks(&TaskQuery::default()).await.unwrap();
    assert!(
        left.iter().all(|m| m.id != om.id && m.id != uom.id),
        "{left:?}"
    );
    assert!(tasks.iter().all(|t| t.id != task.id));
    assert!(
        !om_file.exists(),
        "the SDK deleted the weights through the files server"
    );
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clearml_2x_models() {
    sdk_models(Venv::Clearml2).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clearml_1_17_models() {
    sdk_models(Venv::Clearml117).await;
}
