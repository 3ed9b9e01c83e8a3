//! The model parts of clearml-server's `test_tasks_delete.py` (API 2.13): deleting a model, and deleting or
//! resetting a task with published and draft output models and events.

use super::*;

#[tokio::test]
async fn test_model_delete() {
    let api = Api::new("2.13").await;
    let model = api
        .model(json!({"name": "test task delete", "uri": "test"}))
        .await;
    let res = api.ok("models.delete", json!({ "model": model })).await;
    assert_eq!(res["url"], "test");
}

/// test_tasks_delete.py `create_task_models`: a ready and a draft model of `task`.
async fn create_task_models(api: &Api, task: &str) -> (String, String) {
    let ready = api.model(json!({"uri": "ready"})).await;
    let not_ready = api.model(json!({"uri": "not_ready", "ready": false})).await;
    api.ok("models.edit", json!({"model": not_ready, "task": task}))
        .await;
    api.ok("models.edit", json!({"model": ready, "task": task}))
        .await;
    (ready, not_ready)
}

/// test_tasks_delete.py `send_model_events` and `send_debug_image_events`: a debug image and a plot of the
/// model (model events), and debug images of the task, each naming a url.
async fn send_events(api: &Api, task: &str, model: &str) {
    for ev in [
        json!({"type": "training_debug_image", "url": "http://link1", "model_event": true}),
        json!({"type": "plot", "plot_str": "{\"source\": \"http://link2\"}", "model_event": true}),
    ] {
        let mut ev = ev;
        let o = ev.as_object_mut().unwrap();
        o.extend(
            json!({"worker": "test", "task": model, "iter": 0, "timestamp": 1_700_000_000_000_i64,
                "metric": "Metric1", "variant": "Variant1"})
            .as_object()
            .unwrap()
            .clone(),
        );
        api.ok("events.add", ev).await;
    }
    for iteration in 0..5 {
        api.ok(
            "events.add",
            json!({"worker": "test", "type": "training_debug_image", "task": task, "iter": iteration,
                "timestamp": 1_700_000_000_000_i64, "metric": "Metric1", "variant": "Variant1",
                "url": format!("url_{iteration}.txt")}),
        )
        .await;
    }
}

/// test_tasks_delete.py `test_delete`, its last block: a task with a published model can only be deleted with
/// force, and the model is kept (`updated_models: 1`, `task: __DELETED__<id>`). The other blocks (status,
/// children) belong to the tasks part.
#[tokio::test]
async fn test_delete_with_published_model() {
    let api = Api::new("2.13").await;
    let task = api.task(json!({"name": "test task delete"})).await;
    let model = api.model(json!({"uri": "file:///a/b"})).await;
    api.ok(
        "models.edit",
        json!({"model": model, "task": task, "ready": true}),
    )
    .await;
    api.raises(
        TASK_CANNOT_BE_DELETED,
        "tasks.delete",
        json!({ "task": task }),
    )
    .await;
    let res = api
        .ok("tasks.delete", json!({"task": task, "force": true}))
        .await;
    assert_eq!(res["updated_models"], 1);
    assert_eq!(
        api.get_model(&model).await["task"],
        json!(format!("__DELETED__{task}"))
    );
}

/// test_tasks_delete.py `test_return_file_urls`, the models and events: only the draft model's uri is returned
/// (no event urls), and the draft is deleted while the published one stays.
#[tokio::test]
async fn test_return_file_urls() {
    let api = Api::new("2.13").await;
    let task = api.task(json!({"name": "test task delete"})).await;
    let (ready, not_ready) = create_task_models(&api, &task).await;
    send_events(&api, &task, &not_ready).await;
    let res = api
        .ok(
            "tasks.delete",
            json!({"task": task, "force": true, "return_file_urls": true}),
        )
        .await;
    assert_eq!(res["urls"]["model_urls"], json!(["not_ready"]));
    assert_eq!(
        res["urls"]["event_urls"],
        json!([]),
        "event urls are not returned"
    );
    api.raises(
        INVALID_MODEL_ID,
        "models.get_by_id",
        json!({ "model": not_ready }),
    )
    .await;
    api.assert_model_ready(&ready, true).await;
}

/// test_tasks_delete.py `test_reset`, the models: reset with force deletes the draft model and returns its uri.
#[tokio::test]
async fn test_reset() {
    let api = Api::new("2.13").await;
    let task = api.task(json!({"name": "test task delete"})).await;
    let (ready, not_ready) = create_task_models(&api, &task).await;
    send_events(&api, &task, &not_ready).await;
    api.raises(
        TASK_CANNOT_BE_DELETED,
        "tasks.reset",
        json!({ "task": task }),
    )
    .await;
    let res = api
        .ok(
            "tasks.reset",
            json!({"task": task, "force": true, "return_file_urls": true}),
        )
        .await;
    assert_eq!(res["urls"]["model_urls"], json!(["not_ready"]));
    assert_eq!(
        res["urls"]["event_urls"],
        json!([]),
        "event urls are not returned"
    );
    assert_eq!(res["deleted_models"], 1);
    let kept = api.get_model(&ready).await;
    assert!(kept.get("task").is_none(), "{kept}");
}
