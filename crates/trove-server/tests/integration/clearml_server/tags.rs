//! Ported: `test_project_tags.py` (`test_project_own_tags`, `test_project_entities_tags` and `test_tags_api`;
//! `test_organization_tags` is not: trove has no `organization` service).

use super::Cs;
use serde_json::{Value, json};
use std::collections::BTreeSet;

fn set(v: &Value) -> BTreeSet<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap().to_string())
        .collect()
}

fn of(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

async fn new_task(api: &Cs, body: Value) -> String {
    let mut body = body;
    body["type"] = json!("testing");
    body["name"] = json!("test project tags");
    api.create("tasks", body).await
}

#[tokio::test]
async fn test_project_own_tags() {
    let api = Cs::start("999.0").await;
    let api = &api;
    let p1_tags = ["Tag 1", "Tag 2"];
    let p1 = api
        .create(
            "projects",
            json!({"name": "Test project tags1", "description": "test", "tags": p1_tags}),
        )
        .await;
    let p2_tags = ["Tag 1", "Tag 3"];
    let p2 = api
        .create(
            "projects",
            json!({"name": "Test project tags2", "description": "test", "tags": p2_tags,
            "system_tags": ["hidden"]}),
        )
        .await;
    let res = api
        .ok("projects.get_project_tags", json!({"projects": [p1, p2]}))
        .await;
    assert_eq!(set(&res["tags"]), of(&["Tag 1", "Tag 2", "Tag 3"]));
    let res = api
        .ok(
            "projects.get_project_tags",
            json!({"projects": [p1, p2], "filter": {"system_tags": ["__$not", "hidden"]}}),
        )
        .await;
    assert_eq!(res["tags"], json!(p1_tags));
}

#[tokio::test]
async fn test_project_entities_tags() {
    let api = Cs::start("999.0").await;
    let api = &api;
    let tags_1 = ["Test tag 1", "Test tag 2"];
    let tags_2 = ["Test tag 3", "Test tag 4"];
    let p1 = api
        .create(
            "projects",
            json!({"name": "Test tags1", "description": "test"}),
        )
        .await;
    let task1_1 = new_task(api, json!({"project": p1, "tags": tags_1[..1]})).await;
    let task1_2 = new_task(api, json!({"project": p1, "tags": tags_1[1..]})).await;
    let p2 = api
        .create(
            "projects",
            json!({"name": "Test tasks2", "description": "test"}),
        )
        .await;
    let task2 = new_task(api, json!({"project": p2, "tags": tags_2})).await;
    let tags = |projects: Value| async move {
        set(&api
            .ok("projects.get_task_tags", json!({"projects": projects}))
            .await["tags"])
    };
    assert_eq!(tags(json!([p1])).await, of(&tags_1));
    let model_tags = api
        .ok("projects.get_model_tags", json!({"projects": [p1]}))
        .await;
    assert_eq!(set(&model_tags["tags"]), BTreeSet::new());
    assert_eq!(tags(json!([p2])).await, of(&tags_2));
    let both: BTreeSet<String> = of(&tags_1).union(&of(&tags_2)).cloned().collect();
    assert_eq!(tags(json!([p1, p2])).await, both);
    assert!(both.is_subset(&tags(json!([p1, p2])).await));
    api.ok("tasks.edit", json!({"task": task1_2, "project": p2}))
        .await;
    assert_eq!(tags(json!([p1])).await, of(&tags_1[..1]));
    let moved: BTreeSet<String> = of(&tags_1[1..]).union(&of(&tags_2)).cloned().collect();
    assert_eq!(tags(json!([p2])).await, moved);
    api.ok("tasks.delete", json!({"task": task1_1, "force": true}))
        .await;
    api.ok("tasks.delete", json!({"task": task2, "force": true}))
        .await;
    assert_eq!(tags(json!([p1, p2])).await, of(&tags_1[1..]));
}

#[tokio::test]
async fn test_tags_api() {
    let api = Cs::start("999.0").await;
    let api = &api;
    let p = api
        .create(
            "projects",
            json!({"name": "Test tags api", "description": "test"}),
        )
        .await;
    let task = new_task(api, json!({"project": p, "tags": ["Task tag"]})).await;
    let res = api
        .ok("projects.get_task_tags", json!({"projects": [p]}))
        .await;
    assert_eq!(res["tags"], json!(["Task tag"]));
    api.ok(
        "tasks.update_tags",
        json!({"ids": [task], "add_tags": ["New task tag"], "remove_tags": ["Task tag"]}),
    )
    .await;
    let res = api
        .ok("projects.get_task_tags", json!({"projects": [p]}))
        .await;
    assert_eq!(res["tags"], json!(["New task tag"]));

    let model = api
        .create(
            "models",
            json!({"name": "test project tags", "uri": "file:///a", "project": p, "tags": ["Model tag"]}),
        )
        .await;
    let res = api
        .ok("projects.get_model_tags", json!({"projects": [p]}))
        .await;
    assert_eq!(res["tags"], json!(["Model tag"]));
    api.ok(
        "models.update_tags",
        json!({"ids": [model], "add_tags": ["New model tag"]}),
    )
    .await;
    let res = api
        .ok("projects.get_model_tags", json!({"projects": [p]}))
        .await;
    assert_eq!(set(&res["tags"]), of(&["Model tag", "New model tag"]));
}
