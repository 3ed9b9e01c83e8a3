//! The rest of the ported model tests: `test_task_models.py`, `test_queue_model_metadata.py` (models),
//! `test_batch_operations.py::test_models` (the model parts of `test_tasks_delete.py` are in `tasks_delete.rs`),
//! and trove's own checks of what the originals leave implicit (API versions of `update_for_task`, lenient SDK
//! shapes).

use super::*;

/// test_task_models.py `assertModels`: `(name, model id)` of both lists, through `get_all_ex`, `get_all` and
/// `get_by_id`.
async fn assert_models(api: &Api, task: &str, input: &Value, output: &Value) {
    let pairs = |list: &Value| -> Vec<(String, String)> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|m| {
                let id = match &m["model"] {
                    Value::String(s) => s.clone(),
                    other => other["id"].as_str().unwrap_or_default().to_string(),
                };
                (m["name"].as_str().unwrap().to_string(), id)
            })
            .collect()
    };
    for t in [
        api.ok("tasks.get_all_ex", json!({ "id": task })).await["tasks"][0].clone(),
        api.ok("tasks.get_all", json!({ "id": task })).await["tasks"][0].clone(),
        api.get_task(task).await,
    ] {
        assert_eq!(pairs(&t["models"]["input"]), pairs(input));
        assert_eq!(pairs(&t["models"]["output"]), pairs(output));
    }
}

// ---- test_task_models.py (version 2.13)

#[tokio::test]
async fn test_new_apis() {
    let api = Api::new("2.13").await;
    // no models
    let empty_task = api.task(json!({"name": "test task models"})).await;
    assert_models(&api, &empty_task, &json!([]), &json!([])).await;

    let id1 = api
        .model(json!({"name": "model1", "uri": "file://test"}))
        .await;
    let id2 = api
        .model(json!({"name": "model2", "uri": "file://test"}))
        .await;
    let input_models = json!([{"name": "input1", "model": id1}, {"name": "input2", "model": id2}]);
    let output_models =
        json!([{"name": "output1", "model": "id3"}, {"name": "output2", "model": "id4"}]);

    // task creation with models
    let task = api
        .task(json!({"name": "test task models", "models": {"input": input_models, "output": output_models}}))
        .await;
    assert_models(&api, &task, &input_models, &output_models).await;

    // add_or_update existing model
    let res = api
        .ok(
            "tasks.add_or_update_model",
            json!({"task": task, "name": "input1", "type": "input", "model": "Test"}),
        )
        .await;
    assert_eq!(res["updated"], 1);
    let mut modified_input = input_models.clone();
    modified_input[0]["model"] = json!("Test");
    assert_models(&api, &task, &modified_input, &output_models).await;

    // add_or_update new mode
    let res = api
        .ok(
            "tasks.add_or_update_model",
            json!({"task": task, "name": "output3", "type": "output", "model": "TestOutput"}),
        )
        .await;
    assert_eq!(res["updated"], 1);
    let mut modified_output = output_models.clone();
    modified_output
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "output3", "model": "TestOutput"}));
    assert_models(&api, &task, &modified_input, &modified_output).await;

    // task editing
    api.ok(
        "tasks.edit",
        json!({"task": task, "models": {"input": input_models, "output": output_models}}),
    )
    .await;
    assert_models(&api, &task, &input_models, &output_models).await;

    // delete models
    let res = api
        .ok(
            "tasks.delete_models",
            json!({"task": task, "models": [
                {"name": "input1", "type": "input"},
                {"name": "input2", "type": "input"},
                {"name": "output1", "type": "output"},
                {"name": "not_existing", "type": "output"},
            ]}),
        )
        .await;
    assert_eq!(res["updated"], 1);
    assert_models(&api, &task, &json!([]), &json!([output_models[1]])).await;
}

// ---- test_queue_model_metadata.py (version 999.0)

fn meta1() -> Value {
    json!({"test_key": {"key": "test_key", "type": "str", "value": "test_value"}})
}

async fn assert_meta(api: &Api, id: &str, meta: &Value) {
    let res = api.ok("models.get_all_ex", json!({ "id": [id] })).await;
    assert_eq!(&res["models"][0]["metadata"], meta);
}

#[tokio::test]
async fn test_models_metas() {
    let api = Api::new("999.0").await;
    let model = api
        .model(json!({"name": "TestMetadata", "uri": "file://test", "metadata": meta1()}))
        .await;
    // _test_meta_operations
    assert_meta(&api, &model, &meta1()).await;
    let meta2 = json!({
        "test1": {"key": "test1", "type": "str", "value": "data1"},
        "test2": {"key": "test2", "type": "str", "value": "data2"},
        "test3": {"key": "test3", "type": "str", "value": "data3"},
    });
    api.ok("models.update", json!({"model": model, "metadata": meta2}))
        .await;
    assert_meta(&api, &model, &meta2).await;
    let updates = json!([
        {"key": "test2", "type": "int", "value": "10"},
        {"key": "test3", "type": "int", "value": "20"},
        {"key": "test4", "type": "array", "value": "xxx,yyy"},
        {"key": "test5", "type": "array", "value": "zzz"},
    ]);
    let res = api
        .ok(
            "models.add_or_update_metadata",
            json!({"model": model, "metadata": updates}),
        )
        .await;
    assert_eq!(res["updated"], 1);
    let mut expected = meta2.clone();
    for u in updates.as_array().unwrap() {
        expected[u["key"].as_str().unwrap()] = u.clone();
    }
    assert_meta(&api, &model, &expected).await;
    let res = api
        .ok(
            "models.delete_metadata",
            json!({"model": model, "keys": ["test2", "test3", "test4", "test5"]}),
        )
        .await;
    assert_eq!(res["updated"], 1);
    assert_meta(&api, &model, &json!({"test1": meta2["test1"]})).await;

    let model = api
        .model(json!({"name": "TestMetadata1", "uri": "file://test"}))
        .await;
    api.ok("models.edit", json!({"model": model, "metadata": meta1()}))
        .await;
    assert_meta(&api, &model, &meta1()).await;
}

#[tokio::test]
async fn test_project_meta_query() {
    let api = Api::new("999.0").await;
    api.model(json!({"name": "TestMetadata", "uri": "file://test", "metadata": meta1()}))
        .await;
    let project = api
        .ok(
            "projects.create",
            json!({"name": "MetaParent", "description": "test"}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let model = api
        .model(
            json!({"name": "TestMetadata2", "uri": "file://test", "project": project, "metadata": {
                "test_key": {"key": "test_key", "type": "str", "value": "test_value"},
                "test_key2": {"key": "test_key2", "type": "str", "value": "test_value2"},
            }}),
        )
        .await;
    let keys = |v: Value| -> BTreeSet<String> {
        v["keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k.as_str().unwrap().to_string())
            .collect()
    };
    let res = api.ok("projects.get_model_metadata_keys", json!({})).await;
    assert!(set(&["test_key", "test_key2"]).is_subset(&keys(res)));
    let res = api
        .ok(
            "projects.get_model_metadata_keys",
            json!({"include_subprojects": false}),
        )
        .await;
    let k = keys(res);
    assert!(k.contains("test_key"));
    assert!(!k.contains("test_key2"));

    let res = api
        .ok(
            "models.get_all_ex",
            json!({"id": [model], "only_fields": ["metadata.test_key"]}),
        )
        .await;
    let md = &res["models"][0]["metadata"];
    assert!(md.get("test_key").is_some());
    assert!(md.get("test_key2").is_none());

    let res = api
        .ok(
            "projects.get_model_metadata_values",
            json!({"key": "test_key"}),
        )
        .await;
    assert_eq!(res["total"], 1);
    assert_eq!(res["values"], json!(["test_value"]));
}

// ---- test_batch_operations.py (version 999.0)

#[tokio::test]
async fn test_models() {
    let api = Api::new("999.0").await;
    let name = "batch operation test";
    let uris = ["file:///0", "file:///1"];
    let mut models = Vec::new();
    for uri in uris {
        models.push(api.model(json!({"name": name, "uri": uri})).await);
    }
    let missing_id = trove_core::new_id();
    let all: Vec<String> = models.iter().cloned().chain([missing_id.clone()]).collect();

    // publish
    let task = api.task(json!({ "name": name })).await;
    api.ok(
        "models.edit",
        json!({"model": all[0], "ready": false, "task": task}),
    )
    .await;
    api.ok(
        "tasks.add_or_update_model",
        json!({"task": task, "name": "output", "type": "input", "model": all[0]}),
    )
    .await;
    let res = api
        .ok(
            "models.publish_many",
            json!({"ids": all, "publish_task": true, "force_publish_task": true}),
        )
        .await;
    assert_eq!(ids(&res["succeeded"], "id"), set(&[&all[0]]));
    assert_eq!(res["succeeded"][0]["published_task"]["id"], json!(task));
    assert_eq!(ids(&res["failed"], "id"), set(&[&all[1], &missing_id]));

    // archive/unarchive
    let res = api.ok("models.archive_many", json!({ "ids": all })).await;
    assert_eq!(ids(&res["succeeded"], "id"), set(&[&models[0], &models[1]]));
    assert_eq!(ids(&res["failed"], "id"), set(&[&missing_id]));
    let data = api.ok("models.get_all_ex", json!({ "id": all })).await["models"].clone();
    assert!(data.as_array().unwrap().iter().all(|m| {
        m["system_tags"]
            .as_array()
            .unwrap()
            .contains(&json!("archived"))
    }));

    let res = api.ok("models.unarchive_many", json!({ "ids": all })).await;
    assert_eq!(ids(&res["succeeded"], "id"), set(&[&models[0], &models[1]]));
    assert_eq!(ids(&res["failed"], "id"), set(&[&missing_id]));
    let data = api.ok("models.get_all_ex", json!({ "id": all })).await["models"].clone();
    assert!(!data.as_array().unwrap().iter().any(|m| {
        m["system_tags"]
            .as_array()
            .unwrap()
            .contains(&json!("archived"))
    }));

    // delete
    let res = api
        .ok("models.delete_many", json!({"ids": all, "force": true}))
        .await;
    assert_eq!(ids(&res["succeeded"], "id"), set(&[&models[0], &models[1]]));
    assert_eq!(ids(&res["succeeded"], "url"), set(&uris));
    assert_eq!(ids(&res["failed"], "id"), set(&[&missing_id]));
    let data = api.ok("models.get_all_ex", json!({ "id": all })).await["models"].clone();
    assert_eq!(data, json!([]));
}

// ---- trove's own

/// `models.update_for_task` exists up to API 2.13 (301/1 above), and needs exactly one of `uri` and
/// `override_model_id` (400/11); a draft output model used as input elsewhere survives its task's deletion.
#[tokio::test]
async fn update_for_task_versions_and_models_in_use() {
    let api = Api::new("2.13").await;
    let task = api.task(json!({})).await;
    api.raises((400, 11), "models.update_for_task", json!({ "task": task }))
        .await;
    let id = api
        .ok(
            "models.update_for_task",
            json!({"task": task, "uri": "file:///w"}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let newer = Api {
        version: "2.23",
        ..api
    };
    newer
        .raises(
            (301, 1),
            "models.update_for_task",
            json!({"task": task, "uri": "file:///x"}),
        )
        .await;
    let user = newer.task(json!({"name": "user task"})).await;
    newer
        .ok(
            "tasks.add_or_update_model",
            json!({"task": user, "name": "w", "type": "input", "model": id}),
        )
        .await;
    newer
        .raises((400, 205), "models.delete", json!({ "model": id }))
        .await;
    // `urls` comes with `return_file_urls` (clearml-server's rule).
    let res = newer
        .ok(
            "tasks.delete",
            json!({"task": task, "force": true, "return_file_urls": true}),
        )
        .await;
    assert_eq!(res["urls"]["model_urls"], json!([]));
    let m = newer.get_model(&id).await;
    assert!(m.get("task").is_none(), "{m}");
    newer
        .ok("models.delete", json!({"model": id, "force": true}))
        .await;
    let t = newer.get_task(&user).await;
    assert_eq!(
        t["models"]["input"][0]["model"],
        json!(format!("__DELETED__{id}"))
    );
    // A published task's model lists are frozen.
    newer.ok("tasks.started", json!({ "task": user })).await;
    newer.ok("tasks.stopped", json!({ "task": user })).await;
    newer.ok("tasks.publish", json!({ "task": user })).await;
    newer
        .raises(
            INVALID_TASK_STATUS,
            "tasks.add_or_update_model",
            json!({"task": user, "name": "w", "type": "output", "model": "x"}),
        )
        .await;
}

/// What `Model.query_models` and `InputModel.import_model` send: name regex, `-archived`, `ready`,
/// `metadata.<key>.value`, `uri`, ordering and paging; and 400/201 / 400/401 / 400/12 on bad input.
#[tokio::test]
async fn sdk_queries_and_errors() {
    let api = Api::new("2.23").await;
    let p = api.project.clone();
    let a = api
        .model(json!({"name": "alpha", "project": p, "tags": ["t1"], "metadata": {"stage": {"key": "stage", "type": "str", "value": "prod"}}}))
        .await;
    let b = api
        .model(json!({"name": "alpha", "project": p, "ready": false, "uri": "s3://b/w.pt"}))
        .await;
    let c = api.model(json!({"name": "gamma", "project": p})).await;
    api.ok("models.archive_many", json!({ "ids": [c] })).await;
    let q = |extra: Value| {
        let mut body = json!({"project": [p], "only_fields": ["id", "created", "system_tags"],
                              "order_by": ["-created"], "page": 0, "page_size": 500});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    let got = |v: Value| ids(&v["models"], "id");
    assert_eq!(
        got(api.ok("models.get_all", q(json!({}))).await),
        set(&[&a, &b, &c])
    );
    assert_eq!(
        got(api
            .ok("models.get_all", q(json!({"system_tags": ["-archived"]})))
            .await),
        set(&[&a, &b])
    );
    assert_eq!(
        got(api
            .ok(
                "models.get_all",
                q(json!({"name": "^alpha$", "ready": true}))
            )
            .await),
        set(&[&a])
    );
    assert_eq!(
        got(api
            .ok("models.get_all", q(json!({"metadata.stage.value": "prod"})))
            .await),
        set(&[&a])
    );
    assert_eq!(
        got(api.ok("models.get_all", q(json!({"tags": ["t1"]}))).await),
        set(&[&a])
    );
    assert_eq!(
        got(api
            .ok(
                "models.get_all",
                json!({"uri": ["s3://b/w.pt"], "system_tags": ["-archived"]})
            )
            .await),
        set(&[&b])
    );
    let page = api
        .ok("models.get_all", q(json!({"page_size": 2, "page": 1})))
        .await;
    assert_eq!(page["models"].as_array().unwrap().len(), 1);
    let only = api.ok("models.get_all", q(json!({"id": [a]}))).await;
    assert_eq!(
        only["models"][0]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect::<BTreeSet<_>>(),
        set(&["created", "id", "system_tags"])
    );
    let full = api.get_model(&a).await;
    for k in [
        "id",
        "name",
        "uri",
        "ready",
        "project",
        "tags",
        "system_tags",
        "created",
        "last_update",
        "labels",
        "design",
        "metadata",
        "comment",
        "user",
        "company",
        "last_iteration",
    ] {
        assert!(full.get(k).is_some(), "{k} missing: {full}");
    }
    assert!(full.get("ui_cache").is_none());

    api.raises(
        INVALID_MODEL_ID,
        "models.get_by_id",
        json!({"model": "nope"}),
    )
    .await;
    api.raises(
        INVALID_MODEL_ID,
        "models.edit",
        json!({"model": "nope", "name": "abc"}),
    )
    .await;
    api.raises(
        (400, 401),
        "models.create",
        json!({"name": "abc", "uri": "x", "project": "nope"}),
    )
    .await;
    api.raises(
        (400, 101),
        "models.create",
        json!({"name": "abc", "uri": "x", "task": "nope"}),
    )
    .await;
    api.raises(
        (400, 12),
        "models.create",
        json!({"name": "ab", "uri": "x"}),
    )
    .await;
    api.raises(
        (400, 12),
        "models.edit",
        json!({"model": a, "labels": {"x": "one"}}),
    )
    .await;
    api.raises((400, 12), "models.archive_many", json!({"ids": []}))
        .await;
}
