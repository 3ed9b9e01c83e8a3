//! Ported: `test_task_artifacts.py`, `test_tasks_edit.py` (task types, clone, archive without queues; its model
//! tests are in `tasks_models.rs`), `test_tasks_delete.py` (its model parts are in `models_api/tasks_delete.rs`
//! and `project_models.rs`), `test_tasks_diff.py`,
//! `test_tasks_running.py` (without workers).

use super::{Cs, errors};
use serde_json::{Value, json};

/// `_assertTaskArtifacts`: same count; each expected artifact (sorted by key, type) equals the answered one
/// restricted to the expected keys.
fn assert_task_artifacts(expected: &[Value], task: &Value) {
    let actual = task["execution"]["artifacts"].as_array().unwrap();
    assert_eq!(expected.len(), actual.len(), "{task}");
    let mut expected = expected.to_vec();
    expected.sort_by_key(|a| {
        (
            a["key"].as_str().unwrap().to_string(),
            a["type"].to_string(),
        )
    });
    for (e, a) in expected.iter().zip(actual) {
        let sub: serde_json::Map<String, Value> = a
            .as_object()
            .unwrap()
            .iter()
            .filter(|(k, _)| e.get(k.as_str()).is_some())
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        assert_eq!(e, &Value::Object(sub));
    }
}

#[tokio::test]
async fn test_artifacts_set_get() {
    let api = Cs::start("2.10").await;
    let api = &api;
    let artifacts = vec![
        json!({"key": "a", "type": "str", "uri": "test1"}),
        json!({"key": "b", "type": "int", "uri": "test2"}),
    ];
    let task = api
        .task(json!({"name": "test artifacts", "execution": {"artifacts": artifacts}}))
        .await;
    let res = api.ok("tasks.get_by_id", json!({"task": task})).await;
    assert_task_artifacts(&artifacts, &res["task"]);
    let res = api.ok("tasks.get_all_ex", json!({"id": [task]})).await;
    assert_task_artifacts(&artifacts, &res["tasks"][0]);

    // edit
    let artifacts = vec![
        json!({"key": "bb", "type": "str", "uri": "http://files.clear.ml/test1", "mode": "output"}),
        json!({"key": "aa", "type": "int", "uri": "http://files.clear.ml/test2", "mode": "input"}),
    ];
    api.ok(
        "tasks.edit",
        json!({"task": task, "execution": {"artifacts": artifacts}}),
    )
    .await;
    let res = api.ok("tasks.get_by_id", json!({"task": task})).await;
    assert_task_artifacts(&artifacts, &res["task"]);

    // clone
    let task2 = api.ok("tasks.clone", json!({"task": task})).await["id"].clone();
    let res = api.ok("tasks.get_by_id", json!({"task": task2})).await;
    let inputs: Vec<Value> = artifacts
        .iter()
        .filter(|a| a["mode"] != "output")
        .cloned()
        .collect();
    assert_task_artifacts(&inputs, &res["task"]);

    let new_artifacts = vec![
        json!({"key": "x", "type": "str", "uri": "x_test", "mode": "input"}),
        json!({"key": "y", "type": "int", "uri": "y_test", "mode": "input"}),
        json!({"key": "z", "type": "int", "uri": "y_test", "mode": "input"}),
    ];
    let new_task = api
        .ok(
            "tasks.clone",
            json!({"task": task, "execution_overrides": {"artifacts": new_artifacts}}),
        )
        .await["id"]
        .clone();
    let res = api.ok("tasks.get_by_id", json!({"task": new_task})).await;
    assert_task_artifacts(&new_artifacts, &res["task"]);
}

/// `_update_source`: source entries replaced by the update's of the same key, new keys appended.
fn update_source(source: &[Value], update: &[Value]) -> Vec<Value> {
    let mut out: Vec<Value> = source
        .iter()
        .map(|s| {
            update
                .iter()
                .find(|u| u["key"] == s["key"])
                .unwrap_or(s)
                .clone()
        })
        .collect();
    for u in update {
        if !source.iter().any(|s| s["key"] == u["key"]) {
            out.push(u.clone());
        }
    }
    out
}

#[tokio::test]
async fn test_artifacts_edit_delete() {
    let api = Cs::start("2.10").await;
    let api = &api;
    let artifacts = vec![
        json!({"key": "a", "type": "str", "uri": "test1", "mode": "input"}),
        json!({"key": "b", "type": "int", "uri": "test2"}),
        json!({"key": "c", "type": "int", "uri": "test3"}),
    ];
    let task = api
        .task(json!({"name": "test artifacts", "execution": {"artifacts": artifacts}}))
        .await;
    let edit = vec![
        json!({"key": "a", "type": "str", "uri": "hello", "mode": "input"}),
        json!({"key": "c", "type": "int", "uri": "world"}),
    ];
    api.ok(
        "tasks.add_or_update_artifacts",
        json!({"task": task, "artifacts": edit}),
    )
    .await;
    let artifacts = update_source(&artifacts, &edit);
    let get =
        || async { api.ok("tasks.get_all_ex", json!({"id": [task]})).await["tasks"][0].clone() };
    assert_task_artifacts(&artifacts, &get().await);

    // delete
    let last = artifacts.last().unwrap()["key"].clone();
    api.ok(
        "tasks.delete_artifacts",
        json!({"task": task, "artifacts": [{"key": last}]}),
    )
    .await;
    assert_task_artifacts(&artifacts[..artifacts.len() - 1], &get().await);

    // edit running task
    api.ok("tasks.started", json!({"task": task})).await;
    api.ok(
        "tasks.add_or_update_artifacts",
        json!({"task": task, "artifacts": edit}),
    )
    .await;
    assert_task_artifacts(&artifacts, &get().await);
    api.ok(
        "tasks.delete_artifacts",
        json!({"task": task, "artifacts": [{"key": last}]}),
    )
    .await;
    assert_task_artifacts(&artifacts[..artifacts.len() - 1], &get().await);

    api.ok("tasks.reset", json!({"task": task})).await;
    assert_task_artifacts(&artifacts[..1], &get().await);
}

#[tokio::test]
async fn test_task_types() {
    let api = Cs::start("2.12").await;
    let api = &api;
    api.raises(
        errors::VALIDATION_ERROR,
        "tasks.create",
        json!({"name": "test", "type": "Unsupported"}),
    )
    .await;
    let types = ["controller", "optimizer"];
    let p1 = api
        .create(
            "projects",
            json!({"name": "Test tasks1", "description": "test"}),
        )
        .await;
    api.task(json!({"project": p1, "type": types[0]})).await;
    let p2 = api
        .create(
            "projects",
            json!({"name": "Test tasks2", "description": "test"}),
        )
        .await;
    api.task(json!({"project": p2, "type": types[1]})).await;
    let set = |v: &Value| -> std::collections::BTreeSet<String> {
        v["types"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap().to_string())
            .collect()
    };
    let all = set(&api.ok("tasks.get_types", json!({})).await);
    assert!(types.iter().all(|t| all.contains(*t)));
    let both = set(&api
        .ok("tasks.get_types", json!({"projects": [p1, p2]}))
        .await);
    assert_eq!(both, types.iter().map(|t| t.to_string()).collect());
    for (p, t) in [(&p1, types[0]), (&p2, types[1])] {
        let res = api.ok("tasks.get_types", json!({"projects": [p]})).await;
        assert_eq!(res["types"], json!([t]));
    }
}

#[tokio::test]
async fn test_clone_task() {
    let api = Cs::start("2.12").await;
    let api = &api;
    let script = json!({"binary": "python", "requirements": {"pip": ["six"]},
        "repository": "https://example.come/foo/bar", "entry_point": "test.py", "diff": "foo"});
    let task = api
        .task(
            json!({"script": script, "execution": {"parameters": {"test": "Test"}},
            "tags": ["hello"], "system_tags": ["development", "test"]}),
        )
        .await;
    let new_id = api
        .ok(
            "tasks.clone",
            json!({"task": task, "new_task_name": "new test", "new_task_tags": ["by"],
                "execution_overrides": {"framework": "Caffe", "model_labels": {"test": 1.0}},
                "new_task_parent": task}),
        )
        .await["id"]
        .clone();
    let new_task = api.ok("tasks.get_by_id", json!({"task": new_id})).await["task"].clone();
    assert_eq!(new_task["name"], "new test");
    assert_eq!(new_task["type"], "testing");
    assert_eq!(new_task["tags"], json!(["by"]));
    assert_eq!(new_task["status"], "created");
    assert_eq!(new_task["script"], script);
    assert_eq!(new_task["parent"], json!(task));
    assert_eq!(new_task["execution"]["framework"], "Caffe");
    assert_eq!(new_task["execution"]["model_labels"], json!({"test": 1}));
    assert_eq!(new_task["system_tags"], json!(["test"]));
}

/// `test_archive_task` without its queue part (trove has no queues).
#[tokio::test]
async fn test_archive_task() {
    let api = Cs::start("2.12").await;
    let api = &api;
    assert!(
        api.send("tasks.archive", json!({"tasks": ["fake-task-id"]}))
            .await
            .is_err()
    );
    let system_tag = "existing-system-tag";
    let (message, reason) = ("test-status-message", "test-status-reason");
    let t1 = api.task(json!({"system_tags": [system_tag]})).await;
    let t2 = api.task(json!({"system_tags": [system_tag]})).await;
    api.ok(
        "tasks.archive",
        json!({"tasks": [t1, t2], "status_message": message, "status_reason": reason}),
    )
    .await;
    let tasks = api.ok("tasks.get_all_ex", json!({"id": [t1, t2]})).await["tasks"].clone();
    assert_eq!(tasks.as_array().unwrap().len(), 2);
    for task in tasks.as_array().unwrap() {
        let st = task["system_tags"].as_array().unwrap();
        assert!(st.contains(&json!(system_tag)) && st.contains(&json!("archived")));
        assert!(task["status_message"].as_str().unwrap().contains(message));
        assert!(task["status_reason"].as_str().unwrap().contains(reason));
    }
}

async fn assert_delete_task(
    api: &Cs,
    task: &str,
    force: bool,
    urls: bool,
) -> Result<Value, super::Failure> {
    let tasks = api.ok("tasks.get_all_ex", json!({"id": [task]})).await["tasks"].clone();
    assert_eq!(tasks[0]["id"], task);
    let res = api
        .send(
            "tasks.delete",
            json!({"task": task, "force": force, "return_file_urls": urls}),
        )
        .await?;
    assert_eq!(res["deleted"], true);
    let tasks = api.ok("tasks.get_all_ex", json!({"id": [task]})).await["tasks"].clone();
    assert_eq!(tasks, json!([]));
    Ok(res)
}

async fn publish_task(api: &Cs, task: &str) {
    api.ok("tasks.started", json!({"task": task})).await;
    api.ok("tasks.stopped", json!({"task": task})).await;
    api.ok("tasks.publish", json!({"task": task})).await;
}

/// `test_delete` up to its model part (that is `models_api::tasks_delete::test_delete_with_published_model`).
#[tokio::test]
async fn test_delete() {
    let api = Cs::start("2.13").await;
    let api = &api;
    let task = api.task(json!({})).await;
    let res = assert_delete_task(api, &task, false, false).await.unwrap();
    assert!(res.get("urls").is_none());

    let task = api.task(json!({})).await;
    publish_task(api, &task).await;
    let e = assert_delete_task(api, &task, false, false)
        .await
        .unwrap_err();
    assert_eq!((e.0, e.1), errors::TASK_CANNOT_BE_DELETED);
    assert_delete_task(api, &task, true, false).await.unwrap();

    let task = api.task(json!({})).await;
    let child = api.task(json!({"parent": task})).await;
    publish_task(api, &child).await;
    let e = assert_delete_task(api, &task, false, false)
        .await
        .unwrap_err();
    assert_eq!((e.0, e.1), errors::TASK_CANNOT_BE_DELETED);
    let res = assert_delete_task(api, &task, true, false).await.unwrap();
    assert_eq!(res["updated_children"], 1);
    // The child stays valid after its parent's deletion.
    let c = api.ok("tasks.get_by_id", json!({"task": child})).await["task"].clone();
    assert_eq!(c["parent"], json!(format!("__DELETED__{task}")));
    api.ok("tasks.validate", c).await;
}

/// `test_return_file_urls` without models and events (those: `models_api::tasks_delete::test_return_file_urls`).
#[tokio::test]
async fn test_return_file_urls() {
    let api = Cs::start("2.13").await;
    let api = &api;
    let task = api.task(json!({})).await;
    let res = assert_delete_task(api, &task, false, true).await.unwrap();
    assert_eq!(res["urls"]["model_urls"], json!([]));
    assert_eq!(res["urls"]["event_urls"], json!([]));
    assert_eq!(res["urls"]["artifact_urls"], json!([]));

    let task = api.task(json!({})).await;
    api.ok(
        "tasks.add_or_update_artifacts",
        json!({"task": task, "artifacts": [
        {"key": "a", "type": "str", "uri": "test1", "mode": "input"},
        {"key": "b", "type": "int", "uri": "test2"}]}),
    )
    .await;
    let res = assert_delete_task(api, &task, true, true).await.unwrap();
    assert_eq!(res["urls"]["artifact_urls"], json!(["test2"]));
    assert_eq!(res["urls"]["event_urls"], json!([]));
}

/// `test_reset` without models and events (with models: `models_api::tasks_delete::test_reset`).
#[tokio::test]
async fn test_reset() {
    let api = Cs::start("2.13").await;
    let api = &api;
    let task = api.task(json!({})).await;
    let res = api.ok("tasks.reset", json!({"task": task})).await;
    assert!(res.get("urls").is_none());

    let task = api.task(json!({})).await;
    publish_task(api, &task).await;
    api.raises(
        errors::INVALID_TASK_STATUS,
        "tasks.reset",
        json!({"task": task}),
    )
    .await;
    api.ok("tasks.reset", json!({"task": task, "force": true}))
        .await;

    let task = api.task(json!({})).await;
    api.ok(
        "tasks.add_or_update_artifacts",
        json!({"task": task, "artifacts": [
        {"key": "a", "type": "str", "uri": "test1", "mode": "input"},
        {"key": "b", "type": "int", "uri": "test2"}]}),
    )
    .await;
    let res = api
        .ok(
            "tasks.reset",
            json!({"task": task, "force": true, "return_file_urls": true}),
        )
        .await;
    assert_eq!(res["urls"]["artifact_urls"], json!(["test2"]));
    assert_eq!(res["urls"]["event_urls"], json!([]));
}

#[tokio::test]
async fn test_not_deleted() {
    let api = Cs::start("2.0").await;
    let api = &api;
    let task = api.task(json!({"name": "test"})).await;
    let mut script = json!({"requirements": {"pip": ["six"]},
        "repository": "https://example.come/foo/bar", "entry_point": "test.py", "diff": "foo"});
    let compare = |script: Value| {
        let api = &api;
        let task = task.clone();
        async move {
            let t = api.ok("tasks.get_by_id", json!({"task": task})).await["task"].clone();
            if script.as_object().unwrap().is_empty() {
                // `task.get("script", <default>)` must be truthy.
                let s = t
                    .get("script")
                    .cloned()
                    .unwrap_or(json!({"binary": "python"}));
                assert!(s.as_object().is_some_and(|o| !o.is_empty()), "{t}");
            } else {
                for (k, v) in script.as_object().unwrap() {
                    assert_eq!(&t["script"][k], v, "script.{k}");
                }
            }
        }
    };
    api.ok("tasks.edit", json!({"task": task, "script": script}))
        .await;
    api.ok("tasks.started", json!({"task": task})).await;
    api.ok("tasks.reset", json!({"task": task})).await;
    compare(script.clone()).await;
    api.ok(
        "tasks.set_requirements",
        json!({"task": task, "requirements": {}}),
    )
    .await;
    script["requirements"] = json!({});
    compare(script).await;
    api.ok("tasks.reset", json!({"task": task, "clear_all": true}))
        .await;
    compare(json!({})).await;
}

async fn running_task(api: &Cs, development: bool) -> String {
    let mut body = json!({"name": "task-1", "type": "testing"});
    if development {
        body["system_tags"] = json!(["development"]);
    }
    let id = api.create("tasks", body).await;
    api.ok("tasks.started", json!({"task": id})).await;
    id
}

#[tokio::test]
async fn test_stop_regular_task() {
    let api = Cs::start("999.0").await;
    let api = &api;
    let task = running_task(api, false).await;
    let d = api.ok("tasks.stop", json!({"task": task})).await;
    assert_eq!(d["fields"]["status"], "stopped");
}

#[tokio::test]
async fn test_stop_development_task() {
    let api = Cs::start("999.0").await;
    let api = &api;
    let task = running_task(api, true).await;
    let d = api.ok("tasks.stop", json!({"task": task})).await;
    assert_eq!(d["fields"]["status"], "stopped");
}

#[tokio::test]
async fn test_completed_task() {
    let api = Cs::start("999.0").await;
    let api = &api;
    let task = running_task(api, false).await;
    let res = api.ok("tasks.completed", json!({"task": task})).await;
    assert_eq!(res["fields"]["status"], "completed");
    assert_eq!(res["updated"], 1);
    assert_eq!(res["published"], 0);
    let res = api
        .ok("tasks.completed", json!({"task": task, "publish": true}))
        .await;
    assert_eq!(res["fields"]["status"], "published");
    assert_eq!(res["updated"], 1);
    assert_eq!(res["published"], 1);
}
