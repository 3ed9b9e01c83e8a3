//! Ported: `test_project_delete.py` (the tests without models), `test_move_under_project.py` (the tasks part),
//! `test_tasks_delete.py::test_project_delete` (without models and events).

use super::{Cs, errors};
use serde_json::json;

async fn new_project(api: &Cs, name: Option<&str>, system_tags: Option<&[&str]>) -> String {
    let mut body =
        json!({"name": name.map_or_else(trove_core::new_id, str::to_string), "description": ""});
    if let Some(st) = system_tags {
        body["system_tags"] = json!(st);
    }
    api.create("projects", body).await
}

async fn new_task(api: &Cs, body: serde_json::Value) -> String {
    let mut body = body;
    body["name"] = json!(trove_core::new_id());
    body.as_object_mut()
        .unwrap()
        .entry("type")
        .or_insert(json!("testing"));
    api.create("tasks", body).await
}

#[tokio::test]
async fn test_delete_fails_with_active_task() {
    let api = Cs::start("999.0").await;
    let api = &api;
    let project = new_project(api, None, None).await;
    new_task(api, json!({"project": project})).await;
    let res = api
        .ok("projects.validate_delete", json!({"project": project}))
        .await;
    assert_eq!(res["tasks"], 1);
    assert_eq!(res["non_archived_tasks"], 1);
    api.raises(
        errors::PROJECT_HAS_TASKS,
        "projects.delete",
        json!({"project": project}),
    )
    .await;
}

#[tokio::test]
async fn test_delete_with_archived_task() {
    let api = Cs::start("999.0").await;
    let api = &api;
    let project = new_project(api, None, None).await;
    new_task(
        api,
        json!({"project": project, "system_tags": ["archived"]}),
    )
    .await;
    let res = api
        .ok("projects.validate_delete", json!({"project": project}))
        .await;
    assert_eq!(res["tasks"], 1);
    assert_eq!(res["non_archived_tasks"], 0);
    api.ok("projects.delete", json!({"project": project})).await;
}

#[tokio::test]
async fn test_delete_dataset() {
    let api = Cs::start("999.0").await;
    let api = &api;
    let name = "Test datasets delete";
    let project = new_project(api, Some(name), None).await;
    let dataset = new_project(
        api,
        Some(&format!("{name}/.datasets/test dataset")),
        Some(&["dataset"]),
    )
    .await;
    let task = new_task(api, json!({"project": dataset, "system_tags": ["dataset"]})).await;
    let res = api
        .ok("projects.validate_delete", json!({"project": project}))
        .await;
    assert_eq!(res["datasets"], 1);
    api.raises(
        errors::PROJECT_HAS_DATASETS,
        "projects.delete",
        json!({"project": project}),
    )
    .await;
    api.ok("tasks.delete", json!({"task": task})).await;
    let res = api
        .ok("projects.validate_delete", json!({"project": project}))
        .await;
    assert_eq!(res["datasets"], 0);
    api.ok("projects.delete", json!({"project": project})).await;
}

#[tokio::test]
async fn test_delete_pipeline() {
    let api = Cs::start("999.0").await;
    let api = &api;
    let name = "Test pipelines delete";
    let project = new_project(api, Some(name), None).await;
    let pipeline = new_project(
        api,
        Some(&format!("{name}/.pipelines/test pipeline")),
        Some(&["pipeline"]),
    )
    .await;
    let task = new_task(
        api,
        json!({"project": pipeline, "type": "controller", "system_tags": ["pipeline"]}),
    )
    .await;
    let res = api
        .ok("projects.validate_delete", json!({"project": project}))
        .await;
    assert_eq!(res["pipelines"], 1);
    api.raises(
        errors::PROJECT_HAS_PIPELINES,
        "projects.delete",
        json!({"project": project}),
    )
    .await;
    api.ok(
        "tasks.edit",
        json!({"task": task, "system_tags": ["archived"]}),
    )
    .await;
    let res = api
        .ok("projects.validate_delete", json!({"project": project}))
        .await;
    assert_eq!(res["pipelines"], 0);
    api.ok("projects.delete", json!({"project": project})).await;
}

/// `test_move` without its `models.move` part (models are part A's).
#[tokio::test]
async fn test_move() {
    let api = Cs::start("2.12").await;
    let api = &api;
    let entity = "test move";
    let task = api
        .create("tasks", json!({"name": entity, "type": "training"}))
        .await;
    let project = api
        .ok("tasks.move", json!({"ids": [task], "project_name": entity}))
        .await["project_id"]
        .as_str()
        .unwrap()
        .to_string();
    let tasks = api.ok("tasks.get_all_ex", json!({"id": [task]})).await["tasks"].clone();
    assert_eq!(tasks[0]["project"]["id"], project);
    let projects = api
        .ok("projects.get_all_ex", json!({"id": [project]}))
        .await;
    assert_eq!(projects["projects"][0]["name"], entity);

    let res = api
        .ok(
            "tasks.clone",
            json!({"task": task, "new_project_name": "project_for_clone"}),
        )
        .await;
    let task2 = res["id"].as_str().unwrap();
    let project_data = &res["new_project"];
    assert!(project_data["id"].as_str().is_some_and(|s| !s.is_empty()));
    assert_eq!(project_data["name"], "project_for_clone");
    let tasks = api.ok("tasks.get_all_ex", json!({"id": [task2]})).await["tasks"].clone();
    let project2 = tasks[0]["project"]["id"].clone();
    assert_eq!(project_data["id"], project2);
    let projects = api
        .ok("projects.get_all_ex", json!({"id": [project2]}))
        .await;
    assert_eq!(projects["projects"][0]["name"], "project_for_clone");
    api.ok(
        "projects.delete",
        json!({"project": project2, "force": true}),
    )
    .await;

    let res = api
        .ok("tasks.move", json!({"ids": [task], "project": null}))
        .await;
    assert_eq!(res["project_id"], serde_json::Value::Null);
    let tasks = api.ok("tasks.get_all_ex", json!({"id": [task]})).await["tasks"].clone();
    assert!(tasks[0].get("project").is_none(), "{tasks}");
    api.ok(
        "projects.delete",
        json!({"project": project, "force": true}),
    )
    .await;
}

/// `test_tasks_delete.py::test_project_delete` without models and events.
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

    let project = new_project(api, None, None).await;
    let task = new_task(api, json!({"project": project})).await;
    api.ok(
        "tasks.add_or_update_artifacts",
        json!({"task": task, "artifacts": [
        {"key": "a", "type": "str", "uri": "test1", "mode": "input"},
        {"key": "b", "type": "int", "uri": "test2"}]}),
    )
    .await;
    let res = api
        .ok(
            "projects.delete",
            json!({"project": project, "force": true, "delete_contents": true}),
        )
        .await;
    assert_eq!(res["deleted"], 1);
    assert_eq!(res["disassociated_tasks"], 0);
    assert_eq!(res["deleted_tasks"], 1);
    assert_eq!(res["urls"]["event_urls"], json!([]));
    assert_eq!(res["urls"]["artifact_urls"], json!(["test2"]));
    api.raises(
        errors::INVALID_TASK_ID,
        "tasks.get_by_id",
        json!({"task": task}),
    )
    .await;
}
