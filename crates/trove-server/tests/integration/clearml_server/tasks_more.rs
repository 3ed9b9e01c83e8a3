//! Ported: `test_projection.py`, `test_tasks_filtering.py`,
//! `test_get_all_ex_filters.py`, `test_task_parents.py::test_query_by_parents`,
//! `test_tags.py::testTaskTags` (without its worker part).

use super::{Cs, errors};
use serde_json::{Value, json};
use std::collections::BTreeSet;

fn id_set(list: &Value) -> BTreeSet<String> {
    Cs::ids(list).into_iter().collect()
}

fn set_of(ids: &[&String]) -> BTreeSet<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

#[tokio::test]
async fn test_overlapping_fields() {
    let api = Cs::start("2.6").await;
    let api = &api;
    let task = api.task(json!({"name": "test projection"})).await;
    api.ok(
        "tasks.started",
        json!({"task": task, "status_message": "task started"}),
    )
    .await;
    let t = api
        .ok(
            "tasks.get_all_ex",
            json!({"id": [task], "only_fields": ["status", "status_message"]}),
        )
        .await["tasks"][0]
        .clone();
    assert_eq!(t["status"], "in_progress");
    assert_eq!(t["status_message"], "task started");
}

#[tokio::test]
async fn test_task_projection() {
    let api = Cs::start("2.6").await;
    let api = &api;
    let project = api
        .create(
            "projects",
            json!({"name": "Test projection", "description": "test"}),
        )
        .await;
    let task1 = api
        .task(json!({"name": "test projection", "project": project}))
        .await;
    let task2 = api
        .task(json!({"name": "test projection", "project": project}))
        .await;
    api.ok(
        "tasks.started",
        json!({"task": task2, "status_message": "Started"}),
    )
    .await;
    let res = api
        .ok(
            "tasks.get_all_ex",
            json!({"project": [project],
                "only_fields": ["system_tags", "company", "type", "name", "tags", "status", "project.name",
                    "user.name", "started", "last_update", "last_iteration", "comment"],
                "order_by": ["-started"], "page": 0, "page_size": 15, "system_tags": ["-archived"],
                "type": ["__$not", "annotation_manual", "__$not", "annotation", "__$not", "dataset_import"]}),
        )
        .await["tasks"]
        .clone();
    assert_eq!(Cs::ids(&res), vec![task2, task1]);
    assert_eq!(res[0]["project"]["name"], "Test projection");
}

#[tokio::test]
async fn test_exclude_projection() {
    let api = Cs::start("2.6").await;
    let api = &api;
    let task = api.task(json!({"name": "test projection"})).await;
    let res = api.ok("tasks.get_all_ex", json!({"id": [task]})).await["tasks"][0].clone();
    assert_eq!(res["name"], "test projection");
    let t = api
        .ok(
            "tasks.get_all_ex",
            json!({"id": [task], "only_fields": ["-name"]}),
        )
        .await["tasks"][0]
        .clone();
    assert!(t.get("name").is_none(), "{t}");
    assert_eq!(res["type"], "testing");
}

/// Like Python's naive `datetime.utcnow().isoformat()` (no zone) for a time in microseconds.
fn iso(micros: i64) -> String {
    trove_core::timefmt::iso_from_micros(micros)
        .trim_end_matches('Z')
        .to_string()
}

const MINUTE: i64 = 60_000_000;

#[tokio::test]
async fn test_datetime_queries() {
    let api = Cs::start("2.13").await;
    let api = &api;
    let mut tasks = Vec::new();
    for _ in 0..5 {
        tasks.push(api.task(json!({"name": "test tasks filtering"})).await);
    }
    let now = trove_core::timefmt::now_micros();
    for t in &tasks {
        api.ok("tasks.ping", json!({"task": t})).await;
    }
    let ours = set_of(&tasks.iter().collect::<Vec<_>>());
    let minute_ago = iso(now - MINUTE);
    let get = |body: Value| async move { id_set(&api.ok("tasks.get_all_ex", body).await["tasks"]) };
    assert!(ours.is_subset(&get(json!({"last_update": format!(">={}", iso(now))})).await));
    assert!(!ours.is_subset(
        &get(json!({"last_update": [format!(">={minute_ago}"), format!("<={}", iso(now))]})).await
    ));
    let fields = json!(["last_update", "status_changed"]);
    assert!(ours.is_subset(
        &get(json!({"_any_": {"datetime": format!(">={}", iso(now)), "fields": fields}})).await
    ));
    assert!(!ours.is_subset(
        &get(json!({"_all_": {"datetime": format!(">={}", iso(now)), "fields": fields}})).await
    ));
    assert!(ours.is_subset(&get(json!({"last_update": [iso(now), null]})).await));
    assert!(!ours.is_subset(&get(json!({"last_update": [minute_ago, iso(now)]})).await));
    assert!(
        ours.is_subset(
            &get(json!({"_any_": {"datetime": [iso(now), null], "fields": fields}})).await
        )
    );
    assert!(
        !ours.is_subset(
            &get(json!({"_all_": {"datetime": [iso(now), null], "fields": fields}})).await
        )
    );
}

#[tokio::test]
async fn test_range_queries() {
    let api = Cs::start("2.13").await;
    let api = &api;
    let mut tasks = Vec::new();
    for _ in 0..5 {
        tasks.push(api.task(json!({"name": "test tasks filtering"})).await);
    }
    let now = trove_core::timefmt::now_micros();
    for t in &tasks {
        api.ok("tasks.started", json!({"task": t})).await;
    }
    let ours = set_of(&tasks.iter().collect::<Vec<_>>());
    let res = api
        .ok("tasks.get_all_ex", json!({"started": [iso(now), null]}))
        .await;
    assert!(ours.is_subset(&id_set(&res["tasks"])));
    let res = api
        .ok(
            "tasks.get_all_ex",
            json!({"started": [iso(now - MINUTE), iso(now)]}),
        )
        .await;
    assert!(!ours.is_subset(&id_set(&res["tasks"])));
}

async fn filters_task(api: &Cs, tags: Option<Value>) -> String {
    let mut body = json!({"name": "test get_all_ex filters", "type": "training"});
    if let Some(t) = tags {
        body["tags"] = t;
    }
    api.create("tasks", body).await
}

#[tokio::test]
async fn test_no_tags_filter() {
    let api = Cs::start("999.0").await;
    let api = &api;
    let task = filters_task(api, Some(json!(["test"]))).await;
    let task_no_tags = filters_task(api, None).await;
    let tasks = [&task, &task_no_tags];
    let (t, n) = (&task, &task_no_tags);
    let cases: Vec<(&str, &str, Value, Vec<&String>)> = vec![
        ("any", "include", json!([null]), vec![n]),
        ("any", "include", json!(["test"]), vec![t]),
        ("any", "include", json!(["test", null]), vec![t, n]),
        ("any", "exclude", json!([null]), vec![t]),
        ("any", "exclude", json!(["test"]), vec![n]),
        ("any", "exclude", json!(["test", null]), vec![t, n]),
        ("all", "include", json!([null]), vec![n]),
        ("all", "include", json!(["test"]), vec![t]),
        ("all", "include", json!(["test", null]), vec![]),
        ("all", "exclude", json!([null]), vec![t]),
        ("all", "exclude", json!(["test"]), vec![n]),
        ("all", "exclude", json!(["test", null]), vec![]),
    ];
    for (cond, op, tags, expected) in cases {
        let res = api
            .ok(
                "tasks.get_all_ex",
                json!({"id": tasks, "filters": {"tags": {cond: {op: tags}}}}),
            )
            .await;
        assert_eq!(
            id_set(&res["tasks"]),
            set_of(&expected),
            "{cond} {op} {tags}"
        );
    }
}

#[tokio::test]
async fn test_list_filters() {
    let api = Cs::start("999.0").await;
    let api = &api;
    let tags = ["a", "b", "c", "d"];
    let mut tasks = Vec::new();
    for i in 0..=tags.len() {
        tasks.push(filters_task(api, Some(json!(tags[..i]))).await);
    }
    api.raises(
        errors::VALIDATION_ERROR,
        "tasks.get_all_ex",
        json!({"filters": {"tags": {"test": ["1"]}}}),
    )
    .await;
    let get = |filters: Value| {
        let api = &api;
        let tasks = tasks.clone();
        async move {
            let res = api
                .ok(
                    "tasks.get_all_ex",
                    json!({"id": tasks, "filters": {"tags": filters}}),
                )
                .await;
            res["tasks"].clone()
        }
    };
    let all: Vec<&String> = tasks.iter().collect();
    assert_eq!(
        id_set(&get(json!({"any": {"include": ["a", "b"]}})).await),
        set_of(&all[1..])
    );
    assert_eq!(
        id_set(&get(json!({"any": {"exclude": ["c", "d"]}})).await),
        set_of(&all[..4])
    );
    assert_eq!(
        id_set(&get(json!({"any": {"include": ["a", "b"], "exclude": ["c", "d"]}})).await),
        set_of(&all)
    );
    assert_eq!(
        id_set(&get(json!({"all": {"include": ["a", "b"]}})).await),
        set_of(&all[2..])
    );
    assert_eq!(
        id_set(&get(json!({"all": {"exclude": ["c", "d"]}})).await),
        set_of(&all[..3])
    );
    assert_eq!(
        Cs::ids(&get(json!({"all": {"include": ["a", "b"], "exclude": ["c", "d"]}})).await),
        vec![tasks[2].clone()]
    );
    assert_eq!(
        id_set(&get(json!({"any": {"include": ["a", "b"]}, "all": {"exclude": ["c", "d"]}})).await),
        set_of(&all[1..3])
    );
}

#[tokio::test]
async fn test_query_by_parents() {
    let api = Cs::start("2.12").await;
    let api = &api;
    let parent = api.task(json!({"name": "test task parents"})).await;
    let child = api
        .task(json!({"name": "Test parent task1", "parent": parent}))
        .await;
    let res = api
        .ok("tasks.get_all_ex", json!({"parent": [parent]}))
        .await;
    assert_eq!(Cs::ids(&res["tasks"]), vec![child.clone()]);
    let res = api.ok("tasks.get_all", json!({"parent": parent})).await;
    assert_eq!(Cs::ids(&res["tasks"]), vec![child]);
}

/// `testTaskTags` up to its worker part (trove has no workers); the development-task stop follows.
#[tokio::test]
#[allow(non_snake_case)]
async fn testTaskTags() {
    let api = Cs::start("2.4").await;
    let api = &api;
    let task = api
        .task(json!({"name": "Test tags", "system_tags": ["active"]}))
        .await;
    let found = |res: &Value, tags: Value| {
        let t = res["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["id"] == json!(task))
            .cloned();
        assert_eq!(t.map(|t| t["system_tags"].clone()), Some(tags));
    };
    let res = api
        .ok(
            "tasks.get_all_ex",
            json!({"name": "Test tags", "system_tags": ["active"]}),
        )
        .await;
    found(&res, json!(["active"]));
    let res = api
        .ok(
            "tasks.get_all_ex",
            json!({"name": "Test tags", "system_tags": ["-active"]}),
        )
        .await;
    assert!(!Cs::ids(&res["tasks"]).contains(&task));
    api.ok("tasks.update", json!({"task": task, "system_tags": []}))
        .await;
    let res = api
        .ok(
            "tasks.get_all_ex",
            json!({"name": "Test tags", "system_tags": ["-active"]}),
        )
        .await;
    found(&res, json!([]));
    api.ok("tasks.started", json!({"task": task})).await;
    api.ok(
        "tasks.update",
        json!({"task": task, "system_tags": ["development"]}),
    )
    .await;
    api.ok("tasks.stop", json!({"task": task})).await;
    let t = api.ok("tasks.get_by_id", json!({"task": task})).await;
    assert_eq!(t["task"]["status"], "stopped");
}

/// Not a clearml-server test: its operator errors (`NewListFieldBucketHelper`) through the API, and the
/// dataset query of the SDK (`__$all dataset __$not archived`).
#[tokio::test]
async fn tag_operator_language() {
    let api = Cs::start("999.0").await;
    let api = &api;
    for bad in [
        json!(["__$bad", "x"]),
        json!(["__$not"]),
        json!(["a", "__$not", "__$all"]),
    ] {
        api.raises(
            errors::FIELDS_VALUE_ERROR,
            "tasks.get_all",
            json!({"system_tags": bad}),
        )
        .await;
    }
    let live = api.task(json!({"system_tags": ["dataset"]})).await;
    let archived = api
        .task(json!({"system_tags": ["dataset", "archived"]}))
        .await;
    api.task(json!({"system_tags": ["other"]})).await;
    let res = api
        .ok(
            "tasks.get_all",
            json!({"system_tags": ["__$all", "dataset", "__$not", "archived"]}),
        )
        .await;
    assert_eq!(Cs::ids(&res["tasks"]), vec![live.clone()]);
    let res = api
        .ok(
            "tasks.get_all",
            json!({"system_tags": ["__$all", "dataset"], "order_by": ["name", "id"]}),
        )
        .await;
    assert_eq!(id_set(&res["tasks"]), set_of(&[&live, &archived]));
}

#[tokio::test]
async fn test_hyperparam_values() {
    let api = Cs::start("2.13").await;
    let api = &api;
    let project = api
        .create(
            "projects",
            json!({"name": "Test tasks filtering", "description": "test"}),
        )
        .await;
    let params = [
        ("Se$tion1", "pa__ram1", true),
        ("Section2", "param2", false),
    ];
    for (section, name, unique) in params {
        for idx in 0..5 {
            let t = api
                .task(json!({"name": "test tasks filtering", "project": project}))
                .await;
            let value = if unique {
                idx.to_string()
            } else {
                "Constant".into()
            };
            api.ok(
                "tasks.edit_hyper_params",
                json!({"task": t, "hyperparams": [{"section": section, "name": name, "type": "str", "value": value}]}),
            )
            .await;
        }
    }
    let get = |section: &str, name: &str, pattern: Option<&str>| {
        let mut body = json!({"projects": [project], "section": section, "name": name});
        if let Some(p) = pattern {
            body["pattern"] = json!(p);
        }
        async move { api.ok("projects.get_hyperparam_values", body).await }
    };
    let res = get(params[0].0, params[0].1, None).await;
    assert_eq!(res["total"], 5);
    assert_eq!(res["values"], json!(["0", "1", "2", "3", "4"]));
    let res = get(params[1].0, params[1].1, None).await;
    assert_eq!(res["total"], 1);
    assert_eq!(res["values"], json!(["Constant"]));
    let res = get("missing", "missing", None).await;
    assert_eq!(res["total"], 0);
    assert_eq!(res["values"], json!([]));
    let res = get(params[0].0, params[0].1, Some("^1")).await;
    assert_eq!(res["total"], 1);
    assert_eq!(res["values"], json!(["1"]));
    let res = get(params[0].0, params[0].1, Some("11")).await;
    assert_eq!(res["total"], 0);
}
