//! clearml-server's model tests (`apiserver/tests/automated/`: `test_models.py`, `test_task_models.py`, the
//! model parts of `test_queue_model_metadata.py`, `test_batch_operations.py` and `test_tasks_delete.py`) ported
//! to Rust against a real in-process trove: same names, same calls, same assertions (codes, subcodes, fields).
//!
//! Differences from the originals, all because of work outside the models part: tasks are created in a project
//! (trove requires one until project-less tasks land), and `tasks.get_all_ex` returns model references as plain
//! ids (the originals accept both forms).

use crate::common::TestServer;
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// clearml-server's `APIClient` for one requested API version.
struct Api {
    s: TestServer,
    token: String,
    version: &'static str,
    project: String,
}

impl Api {
    async fn new(version: &'static str) -> Self {
        let s = TestServer::start().await;
        let token = s.login().await;
        let project = s
            .ok(&token, "projects.create", json!({"name": "models tests"}))
            .await["id"]
            .as_str()
            .unwrap()
            .to_string();
        Self {
            s,
            token,
            version,
            project,
        }
    }

    /// POST `/v<version>/<endpoint>`: `Ok(data)` or `Err((code, subcode, envelope))`.
    async fn call(&self, endpoint: &str, body: Value) -> Result<Value, (u64, u64, Value)> {
        let r = self
            .s
            .http
            .post(format!("{}/v{}/{endpoint}", self.s.api, self.version))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .unwrap();
        let v: Value = r.json().await.unwrap();
        let code = v["meta"]["result_code"].as_u64().unwrap();
        if code == 200 {
            Ok(v["data"].clone())
        } else {
            Err((code, v["meta"]["result_subcode"].as_u64().unwrap(), v))
        }
    }

    async fn ok(&self, endpoint: &str, body: Value) -> Value {
        self.call(endpoint, body)
            .await
            .unwrap_or_else(|e| panic!("{endpoint}: {e:?}"))
    }

    /// `self.api.raises((code, subcode))`.
    async fn raises(&self, codes: (u64, u64), endpoint: &str, body: Value) {
        match self.call(endpoint, body).await {
            Err((c, s, _)) => assert_eq!((c, s), codes, "{endpoint}"),
            Ok(d) => panic!("{endpoint} succeeded, expected {codes:?}: {d}"),
        }
    }

    /// `create_temp("tasks", ...)` (in the test project unless `project` is given).
    async fn task(&self, mut body: Value) -> String {
        let m = body.as_object_mut().unwrap();
        m.entry("name").or_insert(json!("server-test"));
        m.entry("type").or_insert(json!("testing"));
        m.entry("project").or_insert(json!(self.project));
        self.ok("tasks.create", body).await["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// `create_temp("models", ...)`.
    async fn model(&self, mut body: Value) -> String {
        let m = body.as_object_mut().unwrap();
        m.entry("name").or_insert(json!("test"));
        m.entry("uri").or_insert(json!("file:///a"));
        m.entry("labels").or_insert(json!({}));
        self.ok("models.create", body).await["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    async fn get_model(&self, id: &str) -> Value {
        self.ok("models.get_by_id", json!({ "model": id })).await["model"].clone()
    }

    async fn get_task(&self, id: &str) -> Value {
        self.ok("tasks.get_by_id", json!({ "task": id })).await["task"].clone()
    }

    async fn assert_model_ready(&self, id: &str, ready: bool) {
        assert_eq!(
            self.get_model(id).await["ready"],
            json!(ready),
            "model {id}"
        );
    }

    async fn assert_task_status(&self, id: &str, status: &str) {
        assert_eq!(
            self.get_task(id).await["status"],
            json!(status),
            "task {id}"
        );
    }

    /// test_models.py `_create_task_and_model`: a running task with an (input) execution model and an output
    /// model from `models.update_for_task`.
    async fn create_task_and_model(&self) -> (String, String) {
        let execution_model = self
            .model(json!({"uri": "https://files.trains-master.hosted.allegro.ai/a.jpg"}))
            .await;
        let task = self
            .task(json!({"execution": {"model": execution_model}}))
            .await;
        self.ok("tasks.started", json!({ "task": task })).await;
        let out = self
            .ok(
                "models.update_for_task",
                json!({"task": task, "uri": "file:///b"}),
            )
            .await;
        (task, out["id"].as_str().unwrap().to_string())
    }
}

fn ids(list: &Value, field: &str) -> BTreeSet<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|x| x[field].as_str().unwrap().to_string())
        .collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

const MODEL_IS_READY: (u64, u64) = (400, 203);
const INVALID_TASK_STATUS: (u64, u64) = (400, 110);
const INVALID_MODEL_ID: (u64, u64) = (400, 201);
const MODEL_CREATING_TASK_EXISTS: (u64, u64) = (400, 206);
const TASK_CANNOT_BE_DELETED: (u64, u64) = (400, 123);

// ---- test_models.py (version 2.9)

#[tokio::test]
async fn test_delete_model_for_task() {
    let api = Api::new("2.9").await;
    // non published task
    let (task, model) = api.create_task_and_model().await;
    assert_eq!(
        api.get_task(&task).await["models"]["output"][0]["model"],
        json!(model)
    );
    let res = api.ok("models.delete", json!({ "model": model })).await;
    assert_eq!(res["deleted"], json!(true));
    api.raises(
        INVALID_MODEL_ID,
        "models.get_by_id",
        json!({ "model": model }),
    )
    .await;
    assert_eq!(api.get_task(&task).await["models"]["output"], json!([]));

    // published task
    let (task, model) = api.create_task_and_model().await;
    api.ok("tasks.stopped", json!({ "task": task })).await;
    api.ok(
        "tasks.publish",
        json!({"task": task, "publish_model": false}),
    )
    .await;
    api.raises(
        MODEL_CREATING_TASK_EXISTS,
        "models.delete",
        json!({ "model": model }),
    )
    .await;
    let res = api
        .ok("models.delete", json!({"model": model, "force": true}))
        .await;
    assert_eq!(res["deleted"], json!(true));
    api.raises(
        INVALID_MODEL_ID,
        "models.get_by_id",
        json!({ "model": model }),
    )
    .await;
    assert_eq!(
        api.get_task(&task).await["models"]["output"][0]["model"],
        json!(format!("__DELETED__{model}"))
    );
}

#[tokio::test]
async fn test_publish_output_model_running_task() {
    let api = Api::new("2.9").await;
    let (task, model) = api.create_task_and_model().await;
    api.assert_model_ready(&model, false).await;
    api.raises(
        INVALID_TASK_STATUS,
        "models.set_ready",
        json!({ "model": model }),
    )
    .await;
    api.assert_model_ready(&model, false).await;
    api.assert_task_status(&task, "in_progress").await;
}

#[tokio::test]
async fn test_publish_output_model_running_task_no_task_publish() {
    let api = Api::new("2.9").await;
    let (task, model) = api.create_task_and_model().await;
    api.assert_model_ready(&model, false).await;
    let res = api
        .ok(
            "models.set_ready",
            json!({"model": model, "publish_task": false}),
        )
        .await;
    assert_eq!(res["updated"], 1);
    assert!(res.get("published_task").is_none_or(Value::is_null));
    api.assert_model_ready(&model, true).await;
    api.assert_task_status(&task, "in_progress").await;
}

#[tokio::test]
async fn test_publish_output_model_running_task_force_task_publish() {
    let api = Api::new("2.9").await;
    let (task, model) = api.create_task_and_model().await;
    api.assert_model_ready(&model, false).await;
    api.ok(
        "models.set_ready",
        json!({"model": model, "force_publish_task": true}),
    )
    .await;
    api.assert_model_ready(&model, true).await;
    api.assert_task_status(&task, "published").await;
}

#[tokio::test]
async fn test_publish_output_model_published_task() {
    let api = Api::new("2.9").await;
    let (task, model) = api.create_task_and_model().await;
    api.assert_model_ready(&model, false).await;
    api.ok("tasks.stopped", json!({ "task": task })).await;
    api.ok(
        "tasks.publish",
        json!({"task": task, "publish_model": false}),
    )
    .await;
    api.assert_model_ready(&model, false).await;
    api.assert_task_status(&task, "published").await;

    let res = api.ok("models.set_ready", json!({ "model": model })).await;
    assert_eq!(res["updated"], 1);
    assert!(res.get("published_task").is_none_or(Value::is_null));
    api.assert_model_ready(&model, true).await;
    api.assert_task_status(&task, "published").await;
}

#[tokio::test]
async fn test_publish_output_model_stopped_task() {
    let api = Api::new("2.9").await;
    let (task, model) = api.create_task_and_model().await;
    api.assert_model_ready(&model, false).await;
    api.ok("tasks.stopped", json!({ "task": task })).await;

    let res = api.ok("models.set_ready", json!({ "model": model })).await;
    assert_eq!(res["updated"], 1);
    assert_eq!(res["published_task"]["id"], json!(task));
    assert_eq!(res["published_task"]["data"]["updated"], 1);
    api.assert_model_ready(&model, true).await;
    api.assert_task_status(&task, "published").await;

    // cannot publish already published model
    api.raises(
        MODEL_IS_READY,
        "models.set_ready",
        json!({ "model": model }),
    )
    .await;
    api.assert_model_ready(&model, true).await;
}

#[tokio::test]
async fn test_publish_output_model_no_task() {
    let api = Api::new("2.9").await;
    let model = api
        .model(json!({"name": "test", "uri": "file:///a", "labels": {}, "ready": false}))
        .await;
    api.assert_model_ready(&model, false).await;
    let res = api.ok("models.set_ready", json!({ "model": model })).await;
    assert_eq!(res["updated"], 1);
    assert!(res.get("task").is_none_or(Value::is_null));
    api.assert_model_ready(&model, true).await;
}

#[tokio::test]
async fn test_publish_task_with_output_model() {
    let api = Api::new("2.9").await;
    let (task, model) = api.create_task_and_model().await;
    api.assert_model_ready(&model, false).await;
    api.ok("tasks.stopped", json!({ "task": task })).await;
    let res = api.ok("tasks.publish", json!({ "task": task })).await;
    assert_eq!(res["updated"], 1);
    api.assert_model_ready(&model, true).await;
    api.assert_task_status(&task, "published").await;
}

#[tokio::test]
async fn test_publish_task_with_published_model() {
    let api = Api::new("2.9").await;
    let (task, model) = api.create_task_and_model().await;
    api.ok(
        "models.set_ready",
        json!({"model": model, "publish_task": false}),
    )
    .await;
    api.assert_model_ready(&model, true).await;
    api.ok("tasks.stopped", json!({ "task": task })).await;
    let res = api.ok("tasks.publish", json!({ "task": task })).await;
    assert_eq!(res["updated"], 1);
    api.assert_task_status(&task, "published").await;
    api.assert_model_ready(&model, true).await;
}

#[tokio::test]
async fn test_publish_task_no_output_model() {
    let api = Api::new("2.9").await;
    let task = api
        .task(json!({"type": "testing", "name": "server-test"}))
        .await;
    api.ok("tasks.started", json!({ "task": task })).await;
    api.ok("tasks.stopped", json!({ "task": task })).await;
    let res = api.ok("tasks.publish", json!({ "task": task })).await;
    assert_eq!(res["updated"], 1);
    api.assert_task_status(&task, "published").await;
}

#[tokio::test]
async fn test_get_models_stats() {
    let api = Api::new("2.9").await;
    let model1 = api.model(json!({"labels": {"hello": 1, "world": 2}})).await;
    let model2 = api.model(json!({"labels": {"foo": 1}})).await;
    let model3 = api.model(json!({})).await;

    // no stats
    let res = api
        .ok("models.get_all_ex", json!({"id": [model1, model2, model3]}))
        .await["models"]
        .clone();
    let res = res.as_array().unwrap();
    assert_eq!(res.len(), 3);
    assert!(res.iter().all(|m| m.get("stats").is_none()));

    // stats
    let res = api
        .ok(
            "models.get_all_ex",
            json!({"id": [model1, model2, model3], "include_stats": true}),
        )
        .await["models"]
        .clone();
    let res = res.as_array().unwrap();
    assert_eq!(res.len(), 3);
    let stats =
        |id: &str| res.iter().find(|m| m["id"] == id).unwrap()["stats"]["labels_count"].clone();
    assert_eq!(stats(&model1), 2);
    assert_eq!(stats(&model2), 1);
    assert_eq!(stats(&model3), 0);
}

#[tokio::test]
async fn test_update_model_iteration_with_task() {
    let api = Api::new("2.9").await;
    let task = api.task(json!({})).await;
    let model = api.model(json!({})).await;
    api.ok(
        "models.update",
        json!({"model": model, "task": task, "iteration": 1000, "labels": {"foo": 1}}),
    )
    .await;
    assert_eq!(api.get_task(&task).await["last_iteration"], 1000);
    api.ok(
        "models.update",
        json!({"model": model, "task": task, "iteration": 500}),
    )
    .await;
    assert_eq!(api.get_task(&task).await["last_iteration"], 1000);
}

#[tokio::test]
async fn test_update_model_for_task_iteration() {
    let api = Api::new("2.9").await;
    let task = api.task(json!({})).await;
    let res = api
        .ok(
            "models.update_for_task",
            json!({"task": task, "name": "test model", "uri": "file:///b", "iteration": 999}),
        )
        .await;
    assert!(res["id"].is_string());
    assert_eq!(api.get_task(&task).await["last_iteration"], 999);
    api.ok(
        "models.update_for_task",
        json!({"task": task, "uri": "file:///c", "iteration": 1000}),
    )
    .await;
    assert_eq!(api.get_task(&task).await["last_iteration"], 1000);
    api.ok(
        "models.update_for_task",
        json!({"task": task, "uri": "file:///d", "iteration": 888}),
    )
    .await;
    assert_eq!(api.get_task(&task).await["last_iteration"], 1000);
}

#[tokio::test]
async fn test_get_frameworks() {
    let api = Api::new("2.9").await;
    let framework_1 = "Test framework 1";
    let framework_2 = "Test framework 2";

    // create model on top level
    api.model(json!({"name": "framework model test", "framework": framework_1}))
        .await;

    // create model under a project as make it inherit its framework from the task
    let project = api
        .ok(
            "projects.create",
            json!({"name": "Frameworks test", "description": ""}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let task = api
        .task(json!({"project": project, "execution": {"framework": framework_2}}))
        .await;
    api.ok(
        "models.update_for_task",
        json!({"task": task, "name": "framework output model test", "uri": "file:///b", "iteration": 999}),
    )
    .await;

    // get all frameworks
    let res = api.ok("models.get_frameworks", json!({})).await;
    let all: BTreeSet<String> = res["frameworks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap().to_string())
        .collect();
    assert!(set(&[framework_1, framework_2]).is_subset(&all));

    // get frameworks under the project
    let res = api
        .ok("models.get_frameworks", json!({"projects": [project]}))
        .await;
    assert_eq!(res["frameworks"], json!([framework_2]));

    // empty result
    api.ok("tasks.delete", json!({"task": task, "force": true}))
        .await;
    let res = api
        .ok("models.get_frameworks", json!({"projects": [project]}))
        .await;
    assert_eq!(res["frameworks"], json!([]));
}

mod more;
mod tasks_delete;
