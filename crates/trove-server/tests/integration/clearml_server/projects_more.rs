//! Ported: `test_project_delete.py` (its model tests are in `project_models.rs`), `test_move_under_project.py`,
//! `test_task_parents.py` (the `projects.get_task_parents` tests).

use super::{Cs, errors};
use serde_json::json;

pub(super) async fn new_project(
    api: &Cs,
    name: Option<&str>,
    system_tags: Option<&[&str]>,
) -> String {
    let mut body =
        json!({"name": name.map_or_else(trove_core::new_id, str::to_string), "description": ""});
    if let Some(st) = system_tags {
        body["system_tags"] = json!(st);
    }
    api.create("projects", body).await
}

pub(super) async fn new_task(api: &Cs, body: serde_json::Value) -> String {
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

    // A model moves into an existing project referenced by name.
    let model = api
        .create(
            "models",
            json!({"name": entity, "uri": "file:///a/b", "labels": {}}),
        )
        .await;
    api.ok(
        "models.move",
        json!({"ids": [model], "project_name": entity}),
    )
    .await;
    let models = api.ok("models.get_all_ex", json!({"id": [model]})).await["models"].clone();
    assert_eq!(models[0]["project"]["id"], project, "{models}");
    api.ok(
        "projects.delete",
        json!({"project": project, "force": true}),
    )
    .await;
}

async fn parents_task(api: &Cs, body: serde_json::Value) -> String {
    let mut body = body;
    body.as_object_mut()
        .unwrap()
        .entry("type")
        .or_insert(json!("testing"));
    api.create("tasks", body).await
}

#[tokio::test]
async fn test_query_by_project() {
    let api = Cs::start("2.12").await;
    let api = &api;
    let parent_sa_name = "Test parent parent standalone";
    let parent_sa = parents_task(api, json!({"name": parent_sa_name})).await;
    parents_task(
        api,
        json!({"name": "Test parent task standalone", "parent": parent_sa}),
    )
    .await;
    let project_name = "Test parents project";
    let project = api
        .create(
            "projects",
            json!({"name": project_name, "description": "test"}),
        )
        .await;
    let parent_name = "Test parent parent";
    let parent = parents_task(api, json!({"project": project, "name": parent_name})).await;
    for n in ["Test parent task1", "Test parent task2"] {
        parents_task(
            api,
            json!({"project": project, "name": n, "parent": parent}),
        )
        .await;
    }
    let res = api
        .ok("projects.get_task_parents", json!({"projects": [project]}))
        .await;
    assert_eq!(
        res["parents"],
        json!([{"id": parent, "name": parent_name, "project": {"id": project, "name": project_name}}])
    );
    let res = api.ok("projects.get_task_parents", json!({})).await;
    let parents: Vec<serde_json::Value> = res["parents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["id"] == json!(parent) || p["id"] == json!(parent_sa))
        .cloned()
        .collect();
    assert_eq!(
        parents,
        vec![
            json!({"id": parent, "name": parent_name, "project": {"id": project, "name": project_name}}),
            json!({"id": parent_sa, "name": parent_sa_name}),
        ]
    );
}

#[tokio::test]
async fn test_query_by_name() {
    let api = Cs::start("2.12").await;
    let api = &api;
    let project = api
        .create(
            "projects",
            json!({"name": "Test parents project", "description": "test"}),
        )
        .await;
    let names = ["Parent0", "Parent1", "Parent2"];
    let mut parents = Vec::new();
    for n in names {
        parents.push(parents_task(api, json!({"project": project, "name": n})).await);
    }
    for (idx, p) in parents.iter().take(2).enumerate() {
        parents_task(
            api,
            json!({"project": project, "name": format!("Child{idx}"), "parent": p}),
        )
        .await;
    }
    let get = |name: &str| {
        let body = json!({"projects": [project], "task_name": name});
        async move { api.ok("projects.get_task_parents", body).await["parents"].clone() }
    };
    assert_eq!(get("Parent").await.as_array().unwrap().len(), 2);
    for n in &names[..2] {
        let res = get(n).await;
        assert_eq!(res.as_array().unwrap().len(), 1);
        assert_eq!(res[0]["name"], *n);
    }
    assert_eq!(get(names[2]).await, json!([]));
}

#[tokio::test]
async fn test_query_by_state() {
    let api = Cs::start("2.12").await;
    let api = &api;
    let project = api
        .create(
            "projects",
            json!({"name": "Test parents project", "description": "test"}),
        )
        .await;
    let parent1 = parents_task(
        api,
        json!({"project": project, "name": "Test parent parent1"}),
    )
    .await;
    parents_task(
        api,
        json!({"project": project, "name": "Test parent task1", "parent": parent1}),
    )
    .await;
    let parent2 = parents_task(
        api,
        json!({"project": project, "name": "Test parent parent2"}),
    )
    .await;
    let t2 = parents_task(
        api,
        json!({"project": project, "name": "Test parent task2", "parent": parent2}),
    )
    .await;
    api.ok("tasks.archive", json!({"tasks": [t2]})).await;
    let get = |state: Option<&str>| {
        let mut body = json!({"projects": [project]});
        if let Some(s) = state {
            body["tasks_state"] = json!(s);
        }
        async move { Cs::ids(&api.ok("projects.get_task_parents", body).await["parents"]) }
    };
    assert_eq!(get(None).await, vec![parent1.clone(), parent2.clone()]);
    assert_eq!(get(Some("active")).await, vec![parent1]);
    assert_eq!(get(Some("archived")).await, vec![parent2]);
}
