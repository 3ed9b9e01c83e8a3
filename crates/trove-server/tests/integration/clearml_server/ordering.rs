//! Ported: `test_task_hyperparams.py::test_numeric_ordering`, `test_entity_ordering.py`,
//! `test_paging_and_scrolling.py`.

use super::Cs;
use serde_json::{Value, json};
use std::collections::BTreeSet;

fn id_set(list: &Value) -> BTreeSet<String> {
    Cs::ids(list).into_iter().collect()
}

fn set_of(ids: &[&String]) -> BTreeSet<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

fn param_dict(section: &str, name: &str, value: &str) -> Value {
    json!({section: {name: {"section": section, "name": name, "type": "type1", "value": value}}})
}

#[tokio::test]
async fn test_numeric_ordering() {
    let api = Cs::start("2.9").await;
    let api = &api;
    let mut tasks = Vec::new();
    for v in ["1", "2", "11"] {
        tasks.push(
            api.task(json!({"hyperparams": param_dict("section1", "param1", v)}))
                .await,
        );
    }
    let res = api
        .ok(
            "tasks.get_all_ex",
            json!({"id": tasks, "order_by": ["hyperparams.section1.param1"]}),
        )
        .await;
    assert_eq!(Cs::ids(&res["tasks"]), tasks);
    let res = api
        .ok(
            "tasks.get_all_ex",
            json!({"id": tasks, "order_by": ["-hyperparams.section1.param1"]}),
        )
        .await;
    let mut rev = tasks.clone();
    rev.reverse();
    assert_eq!(Cs::ids(&res["tasks"]), rev);
}

const ORDERING_COMMENT: &str = "Entity ordering test";

async fn ordering_tasks(api: &Cs) -> Vec<String> {
    let mut tasks = Vec::new();
    for i in 0..20 {
        let params = if i >= 5 {
            json!({"test": format!("{i}")})
        } else {
            json!({})
        };
        tasks.push(
            api.create(
                "tasks",
                json!({"name": "test", "comment": ORDERING_COMMENT, "type": "testing",
                    "execution": {"parameters": params}}),
            )
            .await,
        );
    }
    for t in &tasks[..5] {
        api.ok("tasks.started", json!({"task": t})).await;
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    tasks
}

/// `_assertSorted`: empties only at the end, the rest ordered.
fn assert_sorted(vals: &[Value], ascending: bool, numeric: bool) {
    let empty = |v: &Value| {
        v.is_null()
            || v.as_str() == Some("")
            || v.as_array().is_some_and(|a| a.is_empty())
            || v.as_object().is_some_and(|o| o.is_empty())
    };
    let cut = vals.iter().position(empty).unwrap_or(vals.len());
    assert!(vals[cut..].iter().all(empty), "{vals:?}");
    let vals = &vals[..cut];
    for w in vals.windows(2) {
        let ord = if numeric {
            let n = |v: &Value| v.as_str().unwrap().parse::<i64>().unwrap();
            n(&w[0]).cmp(&n(&w[1]))
        } else {
            w[0].as_str().unwrap().cmp(w[1].as_str().unwrap())
        };
        if ascending {
            assert!(ord.is_le(), "{vals:?}");
        } else {
            assert!(ord.is_ge(), "{vals:?}");
        }
    }
}

async fn get_ordered(api: &Cs, order_by: Option<&str>, paging: Value) -> Value {
    let mut body = json!({"only_fields": ["id", "started", "comment", "execution.parameters"],
        "comment": ORDERING_COMMENT});
    if let Some(o) = order_by {
        body["order_by"] = json!([o]);
    }
    for (k, v) in paging.as_object().unwrap() {
        body[k] = v.clone();
    }
    api.ok("tasks.get_all_ex", body).await["tasks"].clone()
}

async fn assert_get_tasks_with_ordering(
    api: &Cs,
    ids: &[String],
    order_by: Option<&str>,
    valid: bool,
) {
    let tasks = get_ordered(api, order_by, json!({})).await;
    assert!(set_of(&ids.iter().collect::<Vec<_>>()).is_subset(&id_set(&tasks)));
    if let (Some(o), true) = (order_by, valid) {
        let field = o.trim_start_matches('-');
        let vals: Vec<Value> = tasks
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                field.split('.').fold(t.clone(), |cur, p| {
                    cur.get(p).cloned().unwrap_or(Value::Null)
                })
            })
            .collect();
        assert_sorted(
            &vals,
            !o.starts_with('-'),
            field.starts_with("execution.parameters."),
        );
    }
}

#[tokio::test]
async fn test_order() {
    let api = Cs::start("999.0").await;
    let api = &api;
    let ids = ordering_tasks(api).await;
    assert_get_tasks_with_ordering(api, &ids, None, true).await;
    assert_get_tasks_with_ordering(api, &ids, Some("started"), true).await;
    assert_get_tasks_with_ordering(api, &ids, Some("-started"), true).await;
    assert_get_tasks_with_ordering(api, &ids, Some("comment"), true).await;
    assert_get_tasks_with_ordering(api, &ids, Some("execution.parameters.test"), false).await;
}

#[tokio::test]
async fn test_order_with_paging() {
    let api = Cs::start("999.0").await;
    let api = &api;
    let ids = ordering_tasks(api).await;
    let tasks = get_ordered(api, Some("started"), json!({"page": 0, "page_size": 20})).await;
    assert!(set_of(&ids.iter().collect::<Vec<_>>()).is_subset(&id_set(&tasks)));
    let mut vals = Vec::new();
    for page in 0..5 {
        let p = get_ordered(api, Some("started"), json!({"page": page, "page_size": 4})).await;
        assert_eq!(p.as_array().unwrap().len(), 4);
        vals.extend(
            p.as_array()
                .unwrap()
                .iter()
                .map(|t| t.get("started").cloned().unwrap_or(Value::Null)),
        );
    }
    let p = get_ordered(api, Some("started"), json!({"page": 5, "page_size": 4})).await;
    assert_eq!(p, json!([]));
    assert_sorted(&vals, true, false);
}

async fn paging_tasks(api: &Cs) -> Vec<String> {
    let mut ids = Vec::new();
    for i in 0..18 {
        ids.push(
            api.create(
                "tasks",
                json!({"name": format!("Test paging {i}"), "comment": "Test task", "type": "testing",
                    "hyperparams": {"test": {"param": {"section": "test", "name": "param", "type": "str",
                        "value": i.to_string()}}}}),
            )
            .await,
        );
    }
    ids
}

async fn paging_get(api: &Cs, page: Value) -> Value {
    let mut body = json!({"name": "^Test paging ", "order_by": ["hyperparams.test.param.value"]});
    for (k, v) in page.as_object().unwrap() {
        body[k] = v.clone();
    }
    api.ok("tasks.get_all_ex", body).await
}

#[tokio::test]
async fn test_paging() {
    let api = Cs::start("999.0").await;
    let api = &api;
    let ids = paging_tasks(api).await;
    for page in 0..ids.len().div_ceil(10) {
        let start = page * 10;
        let tasks = paging_get(api, json!({"page": page, "page_size": 10})).await["tasks"].clone();
        let tasks = tasks.as_array().unwrap();
        assert_eq!(tasks.len(), 10.min(ids.len() - start));
        for (i, t) in tasks.iter().enumerate() {
            assert_eq!(t["name"], format!("Test paging {}", start + i));
        }
    }
}

#[tokio::test]
async fn test_scrolling() {
    let api = Cs::start("999.0").await;
    let api = &api;
    let ids = paging_tasks(api).await;
    let mut scroll_id = Value::Null;
    for page in 0..ids.len().div_ceil(10) {
        let start = page * 10;
        let res = paging_get(api, json!({"size": 10, "scroll_id": scroll_id})).await;
        assert!(res["scroll_id"].as_str().is_some_and(|s| !s.is_empty()));
        scroll_id = res["scroll_id"].clone();
        let tasks = res["tasks"].as_array().unwrap().clone();
        assert_eq!(tasks.len(), 10.min(ids.len() - start));
        for (i, t) in tasks.iter().enumerate() {
            assert_eq!(t["name"], format!("Test paging {}", start + i));
        }
    }
    let res = paging_get(api, json!({"size": 10, "scroll_id": scroll_id})).await;
    assert_eq!(res["tasks"], json!([]));
    let res = paging_get(
        api,
        json!({"size": 10, "scroll_id": scroll_id, "refresh_scroll": true}),
    )
    .await;
    assert_eq!(Cs::ids(&res["tasks"]), ids);
}
