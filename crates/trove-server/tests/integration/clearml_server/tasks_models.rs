//! Ported: the model tests of `test_tasks_edit.py` (`test_edit_model_ready`, `test_edit_model_not_ready`,
//! `test_edit_had_model_model_not_ready`, `test_task_with_model_reset`, `test_model_check_in_clone`), at the
//! originals' API 2.12, where `execution.model` is the task's input model. Where the original only checks that
//! a call succeeds, the stored `models.input` is checked too.

use super::{Cs, errors};
use serde_json::{Value, json};

async fn new_model(api: &Cs) -> String {
    api.create(
        "models",
        json!({"name": "test", "uri": "file:///a/b", "labels": {}}),
    )
    .await
}

async fn input_model(api: &Cs, task: &str) -> Value {
    let t = api.ok("tasks.get_by_id", json!({"task": task})).await;
    t["task"]["models"]["input"][0]["model"].clone()
}

#[tokio::test]
async fn test_edit_model_ready() {
    let api = Cs::start("2.12").await;
    let task = api.task(json!({"name": "test"})).await;
    let model = new_model(&api).await;
    api.ok(
        "tasks.edit",
        json!({"task": task, "execution": {"model": model}}),
    )
    .await;
    assert_eq!(input_model(&api, &task).await, json!(model));
}

#[tokio::test]
async fn test_edit_model_not_ready() {
    let api = Cs::start("2.12").await;
    let task = api.task(json!({"name": "test"})).await;
    let model = new_model(&api).await;
    api.ok("models.edit", json!({"model": model, "ready": false}))
        .await;
    let m = api.ok("models.get_by_id", json!({"model": model})).await;
    assert_eq!(m["model"]["ready"], false);
    api.ok(
        "tasks.edit",
        json!({"task": task, "execution": {"model": model}}),
    )
    .await;
    assert_eq!(input_model(&api, &task).await, json!(model));
}

#[tokio::test]
async fn test_edit_had_model_model_not_ready() {
    let api = Cs::start("2.12").await;
    let ready_model = new_model(&api).await;
    let m = api
        .ok("models.get_by_id", json!({"model": ready_model}))
        .await;
    assert_eq!(m["model"]["ready"], true);
    let task = api
        .task(json!({"name": "test", "execution": {"model": ready_model}}))
        .await;
    assert_eq!(input_model(&api, &task).await, json!(ready_model));
    let not_ready_model = new_model(&api).await;
    api.ok(
        "models.edit",
        json!({"model": not_ready_model, "ready": false}),
    )
    .await;
    let m = api
        .ok("models.get_by_id", json!({"model": not_ready_model}))
        .await;
    assert_eq!(m["model"]["ready"], false);
    api.ok(
        "tasks.edit",
        json!({"task": task, "execution": {"model": not_ready_model}}),
    )
    .await;
    assert_eq!(input_model(&api, &task).await, json!(not_ready_model));
}

#[tokio::test]
async fn test_task_with_model_reset() {
    let api = Cs::start("2.12").await;
    // On task reset the output model is deleted...
    let task = api.task(json!({"name": "test"})).await;
    api.ok("tasks.started", json!({"task": task})).await;
    let model_id = api
        .ok(
            "models.update_for_task",
            json!({"task": task, "uri": "file:///b"}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    api.ok("tasks.reset", json!({"task": task})).await;
    api.raises(
        errors::INVALID_MODEL_ID,
        "models.get_by_id",
        json!({"model": model_id}),
    )
    .await;

    // ...unless it is the input of some task.
    let task = api.task(json!({"name": "test"})).await;
    api.ok("tasks.started", json!({"task": task})).await;
    let model_id = api
        .ok(
            "models.update_for_task",
            json!({"task": task, "uri": "file:///b"}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    api.task(json!({"name": "test", "execution": {"model": model_id}}))
        .await;
    api.ok("tasks.reset", json!({"task": task})).await;
    api.ok("models.get_by_id", json!({"model": model_id})).await;
}

#[tokio::test]
async fn test_model_check_in_clone() {
    let api = Cs::start("2.12").await;
    let model = new_model(&api).await;
    let task = api
        .task(json!({"name": "test", "execution": {"model": model}}))
        .await;
    // A task whose model was deleted can still be copied...
    api.ok("models.delete", json!({"model": model, "force": true}))
        .await;
    api.ok(
        "tasks.clone",
        json!({"task": task, "new_task_name": "clone test"}),
    )
    .await;
    // ...unless references are checked.
    api.raises(
        errors::INVALID_MODEL_ID,
        "tasks.clone",
        json!({"task": task, "new_task_name": "clone test2", "validate_references": true}),
    )
    .await;
    // An overridden model is always checked.
    api.raises(
        errors::INVALID_MODEL_ID,
        "tasks.clone",
        json!({"task": task, "new_task_name": "clone test3",
            "execution_overrides": {"model": "not existing"}}),
    )
    .await;
}
