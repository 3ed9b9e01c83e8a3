//! Ported: `test_projects_edit.py::test_project_name_uniqueness`, `test_subprojects.py` (the parts without
//! reports, organization and second users; `test_get_all_with_check_own_contents` is in `project_models.rs`),
//! `test_tags.py::testProjectTags`.

use super::{Cs, errors};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::time::Duration;

#[tokio::test]
async fn test_project_name_uniqueness() {
    let api = Cs::start("2.9").await;
    let api = &api;
    let name1 = "Test name1";
    api.create("projects", json!({"name": name1, "description": "test"}))
        .await;
    api.raises(
        errors::EXPECTED_UNIQUE_DATA,
        "projects.create",
        json!({"name": name1, "description": "test"}),
    )
    .await;
    let p2 = api
        .create(
            "projects",
            json!({"name": "Test name2", "description": "test"}),
        )
        .await;
    api.raises(
        errors::EXPECTED_UNIQUE_DATA,
        "projects.update",
        json!({"project": p2, "name": name1}),
    )
    .await;
}

pub(super) async fn project(api: &Cs, name: &str, extra: Value) -> String {
    let mut body = json!({"name": name, "description": ""});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    api.create("projects", body).await
}

async fn sub_task(api: &Cs, extra: Value) -> String {
    let mut body = json!({"type": "testing", "name": trove_core::new_id()});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    api.create("tasks", body).await
}

/// `_run_tasks`: imitate one second of running.
async fn run_tasks(api: &Cs, tasks: &[&String]) {
    for t in tasks {
        api.ok("tasks.started", json!({"task": t})).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    for t in tasks {
        api.ok("tasks.stopped", json!({"task": t})).await;
    }
}

pub(super) async fn project_with_tasks(api: &Cs, name: &str) -> (String, (String, String)) {
    let p = project(api, name, json!({})).await;
    let active = sub_task(api, json!({"project": p})).await;
    let archived = sub_task(
        api,
        json!({"project": p, "system_tags": ["archived"], "tags": ["test"]}),
    )
    .await;
    run_tasks(api, &[&active, &archived]).await;
    (p, (active, archived))
}

#[tokio::test]
async fn test_dataset_stats() {
    let api = Cs::start("999.0").await;
    let api = &api;
    // (`organization.get_entities_count` is not part of trove.)
    let p = project(api, "Dataset test", json!({"system_tags": ["dataset"]})).await;
    let task = sub_task(api, json!({"project": p})).await;
    let get = || async {
        api.ok(
            "projects.get_all_ex",
            json!({"id": [p], "include_dataset_stats": true}),
        )
        .await["projects"][0]
            .clone()
    };
    assert_eq!(get().await["dataset_stats"], Value::Null);
    api.ok(
        "tasks.edit",
        json!({"task": task, "runtime": {"ds_file_count": 2, "ds_total_size": 1000}}),
    )
    .await;
    assert_eq!(
        get().await["dataset_stats"],
        json!({"file_count": 2, "total_size": 1000})
    );
}

/// `_getProjectParent`.
async fn project_parent(api: &Cs, id: &str) -> String {
    let res = api.ok("projects.get_all_ex", json!({"id": [id]})).await;
    res["projects"][0]["parent"]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// `_assertTags` (of a project: its tasks' tags and system tags, sub-projects included).
async fn assert_tags(api: &Cs, project: &str, tags: &[&str], system_tags: &[&str]) {
    let res = api
        .ok(
            "projects.get_task_tags",
            json!({"projects": [project], "include_system": true}),
        )
        .await;
    let set = |v: &Value| -> BTreeSet<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap().to_string())
            .collect()
    };
    let of = |l: &[&str]| -> BTreeSet<String> { l.iter().map(|s| s.to_string()).collect() };
    assert_eq!(set(&res["tags"]), of(tags));
    assert_eq!(set(&res["system_tags"]), of(system_tags));
}

#[tokio::test]
async fn test_project_operations() {
    let api = Cs::start("999.0").await;
    let api = &api;
    api.raises(
        errors::INVALID_PROJECT_NAME,
        "projects.create",
        json!({"name": "/", "description": ""}),
    )
    .await;
    let project1 = project(api, "Root1/Pr1", json!({})).await;
    let project1_child = project(api, "Root1/Pr1/Pr2", json!({})).await;
    api.raises(
        errors::EXPECTED_UNIQUE_DATA,
        "projects.create",
        json!({"name": "Root1/Pr1/Pr2", "description": ""}),
    )
    .await;

    // update
    api.raises(
        errors::CANNOT_UPDATE_PROJECT_LOCATION,
        "projects.update",
        json!({"project": project1, "name": "Root2/Pr2"}),
    )
    .await;
    let res = api
        .ok(
            "projects.update",
            json!({"project": project1, "name": "Root1/Pr2"}),
        )
        .await;
    assert_eq!(res["updated"], 1);
    let res = api
        .ok("projects.get_by_id", json!({"project": project1}))
        .await;
    assert_eq!(res["project"]["basename"], "Pr2");
    let res = api
        .ok("projects.get_by_id", json!({"project": project1_child}))
        .await;
    assert_eq!(res["project"]["name"], "Root1/Pr2/Pr2");

    // move
    let res = api
        .ok(
            "projects.move",
            json!({"project": project1, "new_location": "Root2"}),
        )
        .await;
    assert_eq!(res["moved"], 2);
    let res = api
        .ok("projects.get_by_id", json!({"project": project1_child}))
        .await;
    assert_eq!(res["project"]["name"], "Root2/Pr2/Pr2");
    assert_eq!(res["project"]["basename"], "Pr2");

    // merge
    let (project_with_task, (active, _archived)) = project_with_tasks(api, "Root1/Pr3/Pr4").await;
    let project1_parent = project_parent(api, &project1).await;
    assert_tags(api, &project1_parent, &[], &[]).await;
    let project_with_task_parent = project_parent(api, &project_with_task).await;
    assert_tags(api, &project_with_task_parent, &["test"], &["archived"]).await;
    let merge_source = project_parent(api, &project_with_task).await;
    let res = api
        .ok(
            "projects.merge",
            json!({"project": merge_source, "destination_project": project1}),
        )
        .await;
    assert_eq!(res["moved_entities"], 0);
    assert_eq!(res["moved_projects"], 1);
    let res = api
        .ok("projects.get_by_id", json!({"project": project_with_task}))
        .await;
    assert_eq!(res["project"]["name"], "Root2/Pr2/Pr4");
    assert_eq!(res["project"]["basename"], "Pr4");
    api.raises(
        errors::INVALID_PROJECT_ID,
        "projects.get_by_id",
        json!({"project": merge_source}),
    )
    .await;
    assert_tags(api, &project1_parent, &["test"], &["archived"]).await;
    assert_tags(api, &project1, &["test"], &["archived"]).await;
    assert_tags(api, &project_with_task_parent, &[], &[]).await;

    // delete
    api.raises(
        errors::PROJECT_HAS_TASKS,
        "projects.delete",
        json!({"project": project1}),
    )
    .await;
    let res = api
        .ok(
            "projects.delete",
            json!({"project": project1, "force": true}),
        )
        .await;
    assert_eq!(res["deleted"], 3);
    assert_eq!(res["disassociated_tasks"], 2);
    let res = api.ok("tasks.get_by_id", json!({"task": active})).await;
    assert!(res["task"].get("project").is_none(), "{res}");
    for p in [&project1, &project1_child, &project_with_task] {
        api.raises(
            errors::INVALID_PROJECT_ID,
            "projects.get_by_id",
            json!({"project": p}),
        )
        .await;
    }
    assert_tags(api, &project1_parent, &[], &[]).await;
}

#[tokio::test]
async fn test_get_all_search_options() {
    let api = Cs::start("999.0").await;
    let api = &api;
    let project1 = project(api, "project1", json!({})).await;
    let project2 = project(api, "project1/project2", json!({})).await;
    project(api, "project3", json!({})).await;
    let get = |body: Value| async move {
        Cs::ids(&api.ok("projects.get_all_ex", body).await["projects"])
    };
    assert_eq!(
        get(json!({"name": "project1", "shallow_search": true})).await,
        vec![project1.clone()]
    );
    assert_eq!(
        get(json!({"name": "project1", "parent": [project1]})).await,
        vec![project2.clone()]
    );
    assert!(
        get(json!({"basename": "project2", "shallow_search": true}))
            .await
            .is_empty()
    );
    let all: BTreeSet<String> = get(json!({"name": "project1"})).await.into_iter().collect();
    assert_eq!(
        all,
        [project1.clone(), project2.clone()].into_iter().collect()
    );
    let project4 = project(api, "project1/project2/project1", json!({})).await;
    assert_eq!(
        get(json!({"name": "project1", "parent": [project2]})).await,
        vec![project4]
    );
    assert_eq!(get(json!({"basename": "project2"})).await, vec![project2]);
    api.ok(
        "projects.delete",
        json!({"project": project1, "force": true}),
    )
    .await;
}

pub(super) async fn temp_model(api: &Cs, project: &str) -> String {
    api.create(
        "models",
        json!({"name": "test", "uri": "file:///a", "labels": {}, "project": project}),
    )
    .await
}

#[tokio::test]
async fn test_include_subprojects() {
    let api = Cs::start("999.0").await;
    let api = &api;
    let (project1, _) = project_with_tasks(api, "project1x").await;
    let (project2, _) = project_with_tasks(api, "project1x/project22").await;
    temp_model(api, &project1).await;
    temp_model(api, &project2).await;
    for ep in ["tasks.get_all_ex", "tasks.get_all"] {
        let res = api.ok(ep, json!({"project": project1})).await;
        assert_eq!(res["tasks"].as_array().unwrap().len(), 2, "{ep}");
        let res = api
            .ok(
                ep,
                json!({"project": project1, "include_subprojects": true}),
            )
            .await;
        assert_eq!(res["tasks"].as_array().unwrap().len(), 4, "{ep}");
    }
    for ep in ["models.get_all_ex", "models.get_all"] {
        let res = api.ok(ep, json!({"project": project1})).await;
        assert_eq!(res["models"].as_array().unwrap().len(), 1, "{ep}");
        let res = api
            .ok(
                ep,
                json!({"project": project1, "include_subprojects": true}),
            )
            .await;
        assert_eq!(res["models"].as_array().unwrap().len(), 2, "{ep}");
    }
}

#[tokio::test]
async fn test_get_all_with_stats() {
    let api = Cs::start("999.0").await;
    let api = &api;
    let (project4, _) = project_with_tasks(api, "project1/project3/project4").await;
    let (project5, _) = project_with_tasks(api, "project1/project3/project5").await;
    let project2 = project(api, "project2", json!({})).await;
    let res = api
        .ok("projects.get_all", json!({"shallow_search": true}))
        .await["projects"]
        .clone();
    let ids = Cs::ids(&res);
    assert!(ids.contains(&project2));
    assert!(!ids.contains(&project4) && !ids.contains(&project5));
    let project1 = res
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "project1")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let res = api
        .ok(
            "projects.get_all_ex",
            json!({"id": [project1, project2], "include_stats": true}),
        )
        .await["projects"]
        .clone();
    let by_id = |id: &str| {
        res.as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == id)
            .cloned()
            .unwrap()
    };
    let res1 = by_id(&project1);
    let a = &res1["stats"]["active"];
    assert_eq!(a["status_count"]["created"], 0);
    assert_eq!(a["status_count"]["stopped"], 2);
    assert_eq!(a["status_count"]["in_progress"], 0);
    assert_eq!(a["total_runtime"], 2);
    assert_eq!(a["completed_tasks_24h"], 2);
    assert_eq!(a["total_tasks"], 2);
    let subs: BTreeSet<String> = res1["sub_projects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_string())
        .collect();
    let expected: BTreeSet<String> = [
        "project1/project3",
        "project1/project3/project4",
        "project1/project3/project5",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(subs, expected);
    let res2 = by_id(&project2);
    let a = &res2["stats"]["active"];
    for s in ["created", "stopped", "in_progress", "completed"] {
        assert_eq!(a["status_count"][s], 0, "{s}");
    }
    assert_eq!(a["total_runtime"], 0);
    assert_eq!(a["total_tasks"], 0);
    assert_eq!(res2["sub_projects"], json!([]));
}

#[tokio::test]
#[allow(non_snake_case)]
async fn testProjectTags() {
    let api = Cs::start("2.4").await;
    let api = &api;
    let pr_id = project(api, "Test tags", json!({"system_tags": ["default"]})).await;
    let get =
        |body: Value| async move { api.ok("projects.get_all", body).await["projects"].clone() };
    let found = |projects: &Value, tags: Value| {
        let p = projects
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == json!(pr_id))
            .cloned();
        assert_eq!(p.map(|p| p["system_tags"].clone()), Some(tags));
    };
    found(&get(json!({"name": "Test tags"})).await, json!(["default"]));
    found(
        &get(json!({"name": "Test tags", "system_tags": ["default"]})).await,
        json!(["default"]),
    );
    let res = get(json!({"name": "Test tags", "system_tags": ["-default"]})).await;
    assert!(!Cs::ids(&res).contains(&pr_id));
    api.ok(
        "projects.update",
        json!({"project": pr_id, "system_tags": []}),
    )
    .await;
    found(
        &get(json!({"name": "Test tags", "system_tags": ["-default"]})).await,
        json!([]),
    );
    let task1 = sub_task(
        api,
        json!({"name": "Tags test1", "project": pr_id, "system_tags": ["active"]}),
    )
    .await;
    run_tasks(api, &[&task1]).await;
    sub_task(
        api,
        json!({"name": "Tags test2", "project": pr_id, "system_tags": ["archived"]}),
    )
    .await;
    let res = api
        .ok("projects.get_all_ex", json!({"name": "Test tags"}))
        .await["projects"]
        .clone();
    found(&res, json!([]));
    let res = api
        .ok(
            "projects.get_all_ex",
            json!({"name": "Test tags", "include_stats": true}),
        )
        .await["projects"]
        .clone();
    let p = res
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == json!(pr_id))
        .cloned()
        .unwrap();
    let keys: Vec<&String> = p["stats"].as_object().unwrap().keys().collect();
    assert_eq!(keys, vec!["active"]);
    let a = &p["stats"]["active"];
    assert_eq!(a["total_runtime"], 1);
    assert_eq!(a["completed_tasks_24h"], 1);
    assert_eq!(a["total_tasks"], 1);
    for (status, count) in a["status_count"].as_object().unwrap() {
        assert_eq!(
            count,
            &json!(if status == "stopped" { 1 } else { 0 }),
            "{status}"
        );
    }
    api.raises(
        errors::PROJECT_HAS_TASKS,
        "projects.delete",
        json!({"project": pr_id}),
    )
    .await;
    api.ok("projects.delete", json!({"project": pr_id, "force": true}))
        .await;
}
