//! Projects and their models. Ported: the model tests of `test_project_delete.py`,
//! `test_subprojects.py::test_get_all_with_check_own_contents`, `test_tags.py::testModelTags`,
//! `test_tasks_delete.py::test_project_delete` (its events sent one by one with `events.add`). And trove's own
//! checks of what the originals leave implicit: references outside a deleted project, `projects.merge` and
//! `check_own_contents` with models.

use super::projects::{project, project_with_tasks, temp_model};
use super::projects_more::{new_project, new_task};
use super::{Cs, errors};
use serde_json::json;

async fn new_model(api: &Cs, body: serde_json::Value) -> String {
    let mut body = body;
    let m = body.as_object_mut().unwrap();
    m.insert("name".into(), json!(trove_core::new_id()));
    m.entry("uri").or_insert(json!("file:///a/b"));
    m.entry("labels").or_insert(json!({}));
    api.create("models", body).await
}

#[tokio::test]
async fn test_delete_fails_with_active_model() {
    let api = Cs::start("999.0").await;
    let api = &api;
    let project = new_project(api, None, None).await;
    new_model(api, json!({"project": project})).await;
    let res = api
        .ok("projects.validate_delete", json!({"project": project}))
        .await;
    assert_eq!(res["models"], 1);
    assert_eq!(res["non_archived_models"], 1);
    api.raises(
        errors::PROJECT_HAS_MODELS,
        "projects.delete",
        json!({"project": project}),
    )
    .await;
}

#[tokio::test]
async fn test_delete_with_archived_model() {
    let api = Cs::start("999.0").await;
    let api = &api;
    let project = new_project(api, None, None).await;
    new_model(
        api,
        json!({"project": project, "system_tags": ["archived"]}),
    )
    .await;
    let res = api
        .ok("projects.validate_delete", json!({"project": project}))
        .await;
    assert_eq!(res["models"], 1);
    assert_eq!(res["non_archived_models"], 0);
    api.ok("projects.delete", json!({"project": project})).await;
}

/// `test_tasks_delete.py::test_project_delete` (events sent one by one with `events.add`).
#[tokio::test]
async fn test_project_delete() {
    let api = Cs::start("2.13").await;
    let api = &api;
    let project = new_project(api, None, None).await;
    let task = new_task(api, json!({"project": project})).await;
    let res = api.ok("tasks.get_by_id", json!({"task": task})).await;
    assert_eq!(res["task"]["project"], project);
    let res = api
        .ok(
            "projects.delete",
            json!({"project": project, "force": true}),
        )
        .await;
    assert_eq!(res["deleted"], 1);
    assert_eq!(res["disassociated_tasks"], 1);
    assert_eq!(res["deleted_tasks"], 0);
    let res = api.ok("tasks.get_by_id", json!({"task": task})).await;
    assert!(res["task"].get("project").is_none(), "{res}");

    // create_task_with_data(project=project)
    let project = new_project(api, None, None).await;
    let task = new_task(api, json!({"project": project})).await;
    let ready = new_model(api, json!({"uri": "ready", "project": project})).await;
    let not_ready = new_model(
        api,
        json!({"uri": "not_ready", "ready": false, "project": project}),
    )
    .await;
    api.ok("models.edit", json!({"model": not_ready, "task": task}))
        .await;
    api.ok("models.edit", json!({"model": ready, "task": task}))
        .await;
    api.ok(
        "tasks.add_or_update_artifacts",
        json!({"task": task, "artifacts": [
        {"key": "a", "type": "str", "uri": "test1", "mode": "input"},
        {"key": "b", "type": "int", "uri": "test2"}]}),
    )
    .await;
    for iteration in 0..5 {
        let url = format!("url_{iteration}.txt");
        api.ok(
            "events.add",
            json!({"worker": "test", "type": "training_debug_image", "task": task, "iter": iteration,
                "timestamp": 1_700_000_000_000_i64, "metric": "Metric1", "variant": "Variant1", "url": url}),
        )
        .await;
    }
    api.ok(
        "events.add",
        json!({"worker": "test", "type": "plot", "task": task, "iter": 0, "timestamp": 1_700_000_000_000_i64,
            "metric": "Metric1", "variant": "Variant1", "plot_str": "{\"data\": []}"}),
    )
    .await;
    // send_model_events(model)
    for (kind, extra) in [
        ("training_debug_image", json!({"url": "http://link1"})),
        (
            "plot",
            json!({"plot_str": "{\"source\": \"http://link2\"}"}),
        ),
    ] {
        let mut ev = json!({"worker": "test", "type": kind, "task": not_ready, "iter": 0,
            "timestamp": 1_700_000_000_000_i64, "metric": "Metric1", "variant": "Variant1",
            "model_event": true});
        ev.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        api.ok("events.add", ev).await;
    }

    let res = api
        .ok(
            "projects.delete",
            json!({"project": project, "force": true, "delete_contents": true}),
        )
        .await;
    assert_eq!(res["urls"]["model_urls"], json!(["not_ready", "ready"]));
    assert_eq!(res["deleted"], 1);
    assert_eq!(res["disassociated_tasks"], 0);
    assert_eq!(res["deleted_tasks"], 1);
    assert_eq!(res["deleted_models"], 2);
    assert_eq!(res["urls"]["event_urls"], json!([]));
    assert_eq!(res["urls"]["artifact_urls"], json!(["test2"]));
    api.raises(
        errors::INVALID_TASK_ID,
        "tasks.get_by_id",
        json!({"task": task}),
    )
    .await;
    for m in [ready, not_ready] {
        api.raises(
            errors::INVALID_MODEL_ID,
            "models.get_by_id",
            json!({"model": m}),
        )
        .await;
    }
}

/// trove's own: what deleting a project does to models and tasks outside it. A task elsewhere that used one of
/// its models as input references `__DELETED__<id>`; a model elsewhere created by one of its tasks loses its
/// `task`; without `delete_contents` its models move to no project.
#[tokio::test]
async fn test_project_delete_references_outside() {
    let api = Cs::start("999.0").await;
    let api = &api;
    let doomed = new_project(api, None, None).await;
    let other = new_project(api, None, None).await;
    let task = new_task(api, json!({"project": doomed})).await;
    let model = new_model(api, json!({"project": doomed})).await;
    let elsewhere = new_model(api, json!({"project": other})).await;
    api.ok("models.edit", json!({"model": elsewhere, "task": task}))
        .await;
    let user = new_task(api, json!({"project": other})).await;
    api.ok(
        "tasks.add_or_update_model",
        json!({"task": user, "name": "in", "model": model, "type": "input"}),
    )
    .await;
    let res = api
        .ok(
            "projects.delete",
            json!({"project": doomed, "force": true, "delete_contents": true}),
        )
        .await;
    assert_eq!(res["deleted_models"], 1);
    assert_eq!(res["deleted_tasks"], 1);
    let t = api.ok("tasks.get_by_id", json!({"task": user})).await;
    assert_eq!(
        t["task"]["models"]["input"][0]["model"],
        json!(format!("__DELETED__{model}"))
    );
    let m = api
        .ok("models.get_by_id", json!({"model": elsewhere}))
        .await;
    assert!(
        m["model"]
            .get("task")
            .is_none_or(serde_json::Value::is_null),
        "{m}"
    );

    let project = new_project(api, None, None).await;
    let kept = new_model(api, json!({"project": project})).await;
    let res = api
        .ok(
            "projects.delete",
            json!({"project": project, "force": true}),
        )
        .await;
    assert_eq!(res["deleted_models"], 0);
    let m = api.ok("models.get_by_id", json!({"model": kept})).await;
    assert!(
        m["model"]
            .get("project")
            .is_none_or(serde_json::Value::is_null),
        "{m}"
    );
}

/// trove's own: `projects.merge` moves the source's models along and counts the non-archived ones;
/// `check_own_contents` counts a project's own non-archived models.
#[tokio::test]
async fn test_merge_and_own_models() {
    let api = Cs::start("999.0").await;
    let api = &api;
    let source = new_project(api, Some("merge source"), None).await;
    let dest = new_project(api, Some("merge destination"), None).await;
    let active = new_model(api, json!({"project": source})).await;
    let archived = new_model(api, json!({"project": source, "system_tags": ["archived"]})).await;
    new_task(api, json!({"project": source})).await;
    let own = api
        .ok(
            "projects.get_all_ex",
            json!({"id": [source], "check_own_contents": true}),
        )
        .await;
    assert_eq!(own["projects"][0]["own_models"], 1, "{own}");
    assert_eq!(own["projects"][0]["own_tasks"], 1, "{own}");
    let res = api
        .ok(
            "projects.merge",
            json!({"project": source, "destination_project": dest}),
        )
        .await;
    assert_eq!(res["moved_entities"], 2);
    for m in [active, archived] {
        let doc = api.ok("models.get_by_id", json!({"model": m})).await;
        assert_eq!(doc["model"]["project"], json!(dest));
    }
}

#[tokio::test]
async fn test_get_all_with_check_own_contents() {
    let api = Cs::start("999.0").await;
    let api = &api;
    let (project1, _) = project_with_tasks(api, "project1x").await;
    let project2 = project(api, "project2x", json!({})).await;
    project_with_tasks(api, "project2x/project22").await;
    temp_model(api, &project1).await;
    let res = api
        .ok(
            "projects.get_all_ex",
            json!({"id": [project1, project2], "check_own_contents": true}),
        )
        .await;
    let find = |id: &str| {
        res["projects"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == id)
            .cloned()
            .unwrap()
    };
    let res1 = find(&project1);
    assert_eq!(res1["own_tasks"], 1);
    assert_eq!(res1["own_models"], 1);
    let res2 = find(&project2);
    assert_eq!(res2["own_tasks"], 0);
    assert_eq!(res2["own_models"], 0);
}

/// `test_tags.py::testModelTags` (API 2.4).
#[tokio::test]
#[allow(non_snake_case)]
async fn testModelTags() {
    let api = Cs::start("2.4").await;
    let api = &api;
    let model_id = api
        .create(
            "models",
            json!({"name": "Test tags", "uri": "file:///a/b", "labels": {}, "system_tags": ["default"]}),
        )
        .await;
    let get = |system_tags: serde_json::Value| async move {
        api.ok(
            "models.get_all_ex",
            json!({"name": "Test tags", "system_tags": system_tags}),
        )
        .await["models"]
            .clone()
    };
    let found = |models: &serde_json::Value| {
        models
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == json!(model_id))
            .map(|m| m["system_tags"].clone())
    };
    assert_eq!(
        found(&get(json!(["default"])).await),
        Some(json!(["default"]))
    );
    assert_eq!(found(&get(json!(["-default"])).await), None);
    api.ok(
        "models.update",
        json!({"model": model_id, "system_tags": []}),
    )
    .await;
    assert_eq!(found(&get(json!(["-default"])).await), Some(json!([])));
}
