//! Ported: `test_task_hyperparams.py` (`test_hyperparams`, `test_configuration`,
//! `test_hyperparams_projection`; `test_numeric_ordering` is in `tasks_more`).

use super::{Cs, errors};
use serde_json::{Map, Value, json};

async fn new_task(api: &Cs, mut body: Value) -> (String, String) {
    let project = match body.get("project").and_then(Value::as_str) {
        Some(p) => p.to_string(),
        None => {
            api.create(
                "projects",
                json!({"name": "Test hyperparams", "description": "test"}),
            )
            .await
        }
    };
    body["project"] = json!(project);
    body["name"] = json!("test hyperparams");
    (api.task(body).await, project)
}

/// `_new_params_from_legacy`.
fn params_from_legacy(legacy: &[(&str, &str)]) -> Vec<Value> {
    legacy
        .iter()
        .map(|(k, v)| match k.strip_prefix("TF_DEFINE/") {
            Some(name) => {
                json!({"section": "TF_DEFINE", "name": name, "value": v, "type": "legacy"})
            }
            None => json!({"section": "Args", "name": k, "value": v, "type": "legacy"}),
        })
        .collect()
}

/// `_param_dict_from_list`.
fn param_dict(params: &[Value]) -> Value {
    let mut out = Map::new();
    for p in params {
        let section = p["section"].as_str().unwrap();
        let entry = out.entry(section.to_string()).or_insert_with(|| json!({}));
        entry[p["name"].as_str().unwrap()] = p.clone();
    }
    Value::Object(out)
}

fn keys(params: &[Value]) -> Vec<Value> {
    params
        .iter()
        .map(|p| json!({"name": p["name"], "section": p["section"]}))
        .collect()
}

fn cat(a: &[Value], b: &[Value]) -> Value {
    Value::Array(a.iter().chain(b).cloned().collect())
}

#[tokio::test]
async fn test_hyperparams() {
    let api = Cs::start("2.9").await;
    let api = &api;
    let legacy = [("legacy$1", "val1"), ("legacy2/name", "val2")];
    let legacy_json: Map<String, Value> = legacy
        .iter()
        .map(|(k, v)| (k.to_string(), json!(v)))
        .collect();
    let new_params = vec![
        json!({"section": "1/1", "name": "param1/1", "type": "type1", "value": "10"}),
        json!({"section": "1/1", "name": "param2", "type": "type1", "value": "20"}),
        json!({"section": "2", "name": "param2", "type": "type2", "value": "xxx"}),
    ];
    let new_dict = param_dict(&new_params);
    let (task, project) = new_task(
        api,
        json!({"execution": {"parameters": legacy_json}, "hyperparams": new_dict}),
    )
    .await;
    let old_params = params_from_legacy(&legacy);
    let mut expected = new_dict.clone();
    expected["Args"] = param_dict(&old_params)["Args"].clone();
    let res = api.ok("tasks.get_by_id", json!({"task": task})).await;
    assert_eq!(res["task"]["hyperparams"], expected);

    let get = || async {
        api.ok("tasks.get_hyper_params", json!({"tasks": [task]}))
            .await["params"][0]["hyperparams"]
            .clone()
    };
    assert_eq!(get().await, cat(&new_params, &old_params));

    let replace = vec![
        json!({"section": "1/1", "name": "param1", "type": "type1", "value": "40"}),
        json!({"section": "2", "name": "param5", "type": "type1", "value": "11"}),
    ];
    api.ok(
        "tasks.edit_hyper_params",
        json!({"task": task, "hyperparams": replace, "replace_hyperparams": "section"}),
    )
    .await;
    assert_eq!(get().await, cat(&replace, &old_params));

    let replace = vec![
        json!({"section": "1/1", "name": "param1/1", "type": "type1", "value": "30"}),
        json!({"section": "Args", "name": "legacy$1", "value": "123", "type": "legacy"}),
    ];
    api.ok(
        "tasks.edit_hyper_params",
        json!({"task": task, "hyperparams": replace, "replace_hyperparams": "all"}),
    )
    .await;
    assert_eq!(get().await, json!(replace));

    api.ok(
        "tasks.edit_hyper_params",
        json!({"task": task, "hyperparams": cat(&new_params, &old_params)}),
    )
    .await;
    assert_eq!(get().await, cat(&new_params, &old_params));

    let mut to_delete = keys(&new_params[1..]);
    to_delete.extend(keys(&old_params[..1]));
    api.ok(
        "tasks.delete_hyper_params",
        json!({"task": task, "hyperparams": to_delete}),
    )
    .await;
    assert_eq!(get().await, cat(&new_params[..1], &old_params[1..]));

    api.ok(
        "tasks.delete_hyper_params",
        json!({"task": task, "hyperparams": [{"section": "1/1"}, {"section": "2"}]}),
    )
    .await;
    assert_eq!(get().await, json!(old_params[1..]));

    let res = api
        .ok("projects.get_hyper_parameters", json!({"project": project}))
        .await;
    assert_eq!(
        res["parameters"],
        json!(
            keys(&old_params[1..])
                .iter()
                .map(|k| json!({"section": k["section"], "name": k["name"]}))
                .collect::<Vec<_>>()
        )
    );

    let new_task_id = api
        .ok(
            "tasks.clone",
            json!({"task": task, "new_task_hyperparams": new_dict}),
        )
        .await["id"]
        .clone();
    let res = api
        .ok("tasks.get_hyper_params", json!({"tasks": [new_task_id]}))
        .await;
    assert_eq!(res["params"][0]["hyperparams"], json!(new_params));
    api.ok("tasks.delete", json!({"task": new_task_id, "force": true}))
        .await;

    api.ok("tasks.started", json!({"task": task})).await;
    api.raises(
        errors::INVALID_TASK_STATUS,
        "tasks.edit_hyper_params",
        json!({"task": task, "hyperparams": [{"section": "test", "name": "x", "value": "123"}]}),
    )
    .await;
    api.raises(
        errors::INVALID_TASK_STATUS,
        "tasks.delete_hyper_params",
        json!({"task": task, "hyperparams": [{"section": "test"}]}),
    )
    .await;
    api.ok(
        "tasks.edit_hyper_params",
        json!({"task": task, "hyperparams": [{"section": "test", "name": "x", "value": "123"}], "force": true}),
    )
    .await;
    api.ok(
        "tasks.delete_hyper_params",
        json!({"task": task, "hyperparams": [{"section": "test"}], "force": true}),
    )
    .await;
    // The properties section: any status, no force.
    api.ok(
        "tasks.edit_hyper_params",
        json!({"task": task, "hyperparams": [{"section": "properties", "name": "x", "value": "123"}]}),
    )
    .await;
    api.ok(
        "tasks.delete_hyper_params",
        json!({"task": task, "hyperparams": [{"section": "properties"}]}),
    )
    .await;
}

#[tokio::test]
async fn test_configuration() {
    let api = Cs::start("2.9").await;
    let api = &api;
    let new_config = vec![
        json!({"name": "param$1", "type": "type1", "value": "10"}),
        json!({"name": "param/2", "type": "type1", "value": "20"}),
        json!({"name": "param_empty", "type": "type1", "value": ""}),
    ];
    let new_dict: Map<String, Value> = new_config
        .iter()
        .map(|c| (c["name"].as_str().unwrap().to_string(), c.clone()))
        .collect();
    let (task, _) = new_task(
        api,
        json!({"execution": {"model_desc": {"design": "hello"}}, "configuration": new_dict}),
    )
    .await;
    let old_config = vec![json!({"name": "design", "value": "hello", "type": "legacy"})];
    let mut expected = new_dict.clone();
    expected.insert("design".into(), old_config[0].clone());
    let res = api.ok("tasks.get_by_id", json!({"task": task})).await;
    assert_eq!(res["task"]["configuration"], Value::Object(expected));

    let get = |names: Option<Value>| {
        let mut body = json!({"tasks": [task]});
        if let Some(n) = names {
            body["names"] = n;
        }
        async move {
            api.ok("tasks.get_configurations", body).await["configurations"][0]["configuration"]
                .clone()
        }
    };
    assert_eq!(get(None).await, cat(&old_config, &new_config));

    let res = api
        .ok("tasks.get_configuration_names", json!({"tasks": [task]}))
        .await["configurations"][0]
        .clone();
    assert_eq!(res["task"], json!(task));
    assert_eq!(res["names"], json!(["design", "param$1", "param/2"]));
    let res = api
        .ok(
            "tasks.get_configuration_names",
            json!({"tasks": [task], "skip_empty": false}),
        )
        .await["configurations"][0]
        .clone();
    assert_eq!(res["task"], json!(task));
    assert_eq!(
        res["names"],
        json!(["design", "param$1", "param/2", "param_empty"])
    );

    assert_eq!(
        get(Some(json!([new_config[1]["name"]]))).await,
        json!([new_config[1]])
    );

    let replace = vec![
        json!({"name": "design", "value": "123", "type": "legacy"}),
        json!({"name": "param/2", "type": "type1", "value": "30"}),
    ];
    api.ok(
        "tasks.edit_configuration",
        json!({"task": task, "configuration": replace, "replace_configuration": true}),
    )
    .await;
    assert_eq!(get(None).await, json!(replace));

    api.ok(
        "tasks.edit_configuration",
        json!({"task": task, "configuration": cat(&new_config, &old_config)}),
    )
    .await;
    assert_eq!(get(None).await, cat(&old_config, &new_config));

    let to_delete: Vec<Value> = new_config[1..].iter().map(|c| c["name"].clone()).collect();
    api.ok(
        "tasks.delete_configuration",
        json!({"task": task, "configuration": to_delete}),
    )
    .await;
    assert_eq!(get(None).await, cat(&old_config, &new_config[..1]));

    let clone = api
        .ok(
            "tasks.clone",
            json!({"task": task, "new_task_configuration": new_dict}),
        )
        .await["id"]
        .clone();
    let res = api
        .ok("tasks.get_configurations", json!({"tasks": [clone]}))
        .await;
    assert_eq!(res["configurations"][0]["configuration"], json!(new_config));
    api.ok("tasks.delete", json!({"task": clone, "force": true}))
        .await;

    api.ok("tasks.started", json!({"task": task})).await;
    api.raises(
        errors::INVALID_TASK_STATUS,
        "tasks.edit_configuration",
        json!({"task": task, "configuration": new_config}),
    )
    .await;
    api.raises(
        errors::INVALID_TASK_STATUS,
        "tasks.delete_configuration",
        json!({"task": task, "configuration": to_delete}),
    )
    .await;
    api.ok(
        "tasks.edit_configuration",
        json!({"task": task, "configuration": new_config, "force": true}),
    )
    .await;
    api.ok(
        "tasks.delete_configuration",
        json!({"task": task, "configuration": to_delete, "force": true}),
    )
    .await;
}

#[tokio::test]
async fn test_hyperparams_projection() {
    let api = Cs::start("2.9").await;
    let api = &api;
    let new_params1 =
        vec![json!({"section": "sec.tion1", "name": "param1", "type": "type1", "value": "10"})];
    let dict1 = param_dict(&new_params1);
    let (task1, project) = new_task(
        api,
        json!({"execution": {"parameters": {"legacy.1": "val1"}}, "hyperparams": dict1}),
    )
    .await;
    let new_params2 =
        vec![json!({"section": "sec.tion1", "name": "param1", "type": "type1", "value": "20"})];
    let dict2 = param_dict(&new_params2);
    new_task(api, json!({"hyperparams": dict2, "project": project})).await;

    let mut expected = dict1.clone();
    expected["Args"] = param_dict(&params_from_legacy(&[("legacy.1", "val1")]))["Args"].clone();
    let res = api
        .ok(
            "tasks.get_all_ex",
            json!({"id": [task1], "only_fields": ["hyperparams"]}),
        )
        .await;
    assert_eq!(res["tasks"][0]["hyperparams"], expected);

    let res = api
        .ok(
            "tasks.get_all_ex",
            json!({"project": [project], "only_fields": ["hyperparams.sec%2Etion1"],
                "order_by": ["-hyperparams.sec%2Etion1"]}),
        )
        .await;
    assert_eq!(res["tasks"][0]["hyperparams"], dict2);
}
