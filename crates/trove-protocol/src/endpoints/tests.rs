//! Lenient decoding as the official SDKs send requests, and answer shapes as the server writes them.

use super::*;
use crate::{Call, CallError, ResultCode, decode_request, decode_response};
use serde_json::{Value, json};

fn err<C: Call>(body: Value) -> CallError {
    match decode_request::<C>(body) {
        Ok(_) => panic!("{} accepted a bad body", C::NAME),
        Err(e) => e,
    }
}

#[test]
fn unknown_keys_are_ignored_and_null_is_absent() {
    let r =
        decode_request::<TasksGetById>(json!({"task": "t", "method": "get", "x": [1]})).unwrap();
    assert_eq!(r.task, "t");
    let r = decode_request::<ProjectsGetAll>(json!({"name": null, "only_fields": null})).unwrap();
    assert_eq!(r, ProjectsGetAllRequest::default());
    decode_request::<ServerInfo>(json!({"anything": 1})).unwrap();
}

#[test]
fn missing_and_mistyped_fields_are_validation_errors_naming_the_field() {
    for body in [json!({}), json!({"task": null}), json!({"task": ""})] {
        let e = err::<TasksGetById>(body);
        assert_eq!(e.code, ResultCode::ValidationError);
        assert_eq!(e.message, "Validation error: missing required field 'task'");
        assert_eq!(e.data, json!({"field": "task"}));
    }
    let e = err::<TasksGetById>(json!({"task": 5}));
    assert_eq!(
        e.message,
        "Validation error: field 'task': must be a non-empty string, got 5"
    );
    let e = err::<TasksGetAll>(json!({"name": ["a"]}));
    assert_eq!(e.code, ResultCode::ValidationError);
    assert!(e.message.contains("field 'name'"), "{e}");
    let e = err::<TasksGetAll>(json!({"status": ["created", 3]}));
    assert!(e.message.contains("field 'status'"), "{e}");
    let e = err::<TasksGetAll>(json!({"page_size": "ten"}));
    assert!(e.message.contains("non-negative integer"), "{e}");
    let e = err::<TasksSetRequirements>(json!({"task": "t", "requirements": "pip"}));
    assert!(e.message.contains("must be an object"), "{e}");
    // A project is optional (root tasks); the name is not.
    let e = err::<TasksCreate>(json!({"project": "p"}));
    assert_eq!(e.data, json!({"field": "name"}));
}

#[test]
fn lone_strings_numbers_as_strings_and_string_flags() {
    let r = decode_request::<TasksGetAll>(json!({
        "id": "a", "project": ["p1", "p2"], "status": "created", "page": "2", "page_size": 10.0,
        "search_hidden": "true", "only_fields": "name",
    }))
    .unwrap();
    assert_eq!(r.id, Some(vec!["a".to_string()]));
    assert_eq!(r.project.as_deref().map(<[String]>::len), Some(2));
    assert_eq!(r.status, Some(vec!["created".to_string()]));
    assert_eq!((r.page, r.page_size), (Some(2), Some(10)));
    assert!(r.search_hidden);
    assert_eq!(r.only_fields, Some(vec!["name".to_string()]));
    assert_eq!(paging(r.page, r.page_size, r.size), (20, 10));
    assert_eq!(paging(Some(3), None, Some(5)), (15, 5));
    assert_eq!(paging(Some(3), None, None), (0, 0));
    // Model endpoints take a lone string for their string lists too.
    let r = decode_request::<ModelsUpdateTags>(json!({"ids": "m", "add_tags": "t"})).unwrap();
    assert_eq!(
        (r.ids, r.add_tags),
        (vec!["m".to_string()], vec!["t".to_string()])
    );
    let r = decode_request::<ModelsArchiveMany>(json!({"ids": "m"})).unwrap();
    assert_eq!(r.ids, vec!["m".to_string()]);
    for (v, want) in [
        (json!(true), true),
        (json!("TRUE"), true),
        (json!("1"), true),
        (json!("yes"), true),
        (json!(1), true),
        (json!(0), false),
        (json!("no"), false),
        (json!(null), false),
        (json!([1]), false),
    ] {
        let r = decode_request::<TasksDelete>(json!({"task": "t", "force": v})).unwrap();
        assert_eq!(r.force, want, "{v}");
    }
    let r = decode_request::<AuthLogin>(json!({"expiration_sec": "120"})).unwrap();
    assert_eq!(r.expiration_sec, Some(120));
    assert!(decode_request::<AuthLogin>(json!({"expiration_sec": -1})).is_err());
}

#[test]
fn task_fields_keep_nulls_and_document_order() {
    let r = decode_request::<TasksEdit>(json!({
        "task": "t", "runtime": {"a": 1}, "parent": null, "comment": "c", "name": "abc",
        "output_dest": "s3://b", "unknown": 1, "force": 1,
    }))
    .unwrap();
    assert!(r.force);
    assert_eq!(r.name.as_deref(), Some("abc"));
    assert_eq!(r.output_dest, Some(json!("s3://b")));
    let doc = r.fields.into_doc();
    let keys: Vec<&String> = doc.keys().collect();
    assert_eq!(keys, ["comment", "parent", "runtime"]);
    assert_eq!(doc["parent"], Value::Null);
    assert!(TaskFields::NAMES.contains(&"execution"));
}

#[test]
fn artifacts_decode_with_the_servers_messages() {
    let ok = decode_request::<TasksAddOrUpdateArtifacts>(json!({
        "task": "t", "artifacts": [{"key": "a", "type": "custom", "extra": 1}], "force": "true",
    }))
    .unwrap();
    assert_eq!(ok.artifacts.as_deref().map(<[_]>::len), Some(1));
    let e = err::<TasksAddOrUpdateArtifacts>(json!({"task": "t"}));
    assert_eq!(e.message, "Validation error: 'artifacts' must be a list");
    let e = err::<TasksAddOrUpdateArtifacts>(json!({"task": "t", "artifacts": [{"key": "a"}]}));
    assert!(e.message.contains("key and type are required"), "{e}");
    let e = err::<TasksAddOrUpdateArtifacts>(
        json!({"task": "t", "artifacts": [{"key": "a", "type": "x", "mode": "sideways"}]}),
    );
    assert!(e.message.contains("input or output"), "{e}");
    assert!(parse_artifacts(json!([{"key": "", "type": "x"}])).is_err());
    assert!(parse_artifacts(json!({"key": "a"})).is_err());

    let r = decode_request::<TasksDeleteArtifacts>(
        json!({"task": "t", "artifacts": [{"key": "a"}, {"key": "b", "mode": 5}]}),
    )
    .unwrap();
    assert_eq!(r.artifacts[0].mode(), "output");
    assert_eq!(r.artifacts[1].mode(), "output");
    let r =
        decode_request::<TasksDeleteArtifacts>(json!({"task": "t", "artifacts": null})).unwrap();
    assert!(r.artifacts.is_empty());
    for bad in [json!([{"mode": "output"}]), json!(["a"])] {
        let e = err::<TasksDeleteArtifacts>(json!({"task": "t", "artifacts": bad}));
        assert_eq!(
            e.message,
            "Validation error: each artifact id needs a 'key'"
        );
    }
}

#[test]
fn artifact_versions_need_a_whole_version_from_one() {
    let v = json!({"version": 1, "timestamp": 2, "hash": "h", "content_size": 3, "uri": "u"});
    decode_request::<TasksAddArtifactVersion>(json!({"task": "t", "key": "k", "version": v}))
        .unwrap();
    let e = err::<TasksAddArtifactVersion>(json!({"task": "t", "key": "k"}));
    assert_eq!(e.data, json!({"field": "version"}));
    let e =
        err::<TasksAddArtifactVersion>(json!({"task": "t", "key": "k", "version": {"version": 4}}));
    assert!(e.message.contains("invalid 'version'"), "{e}");
    let mut zero = v.clone();
    zero["version"] = json!(0);
    let e = err::<TasksAddArtifactVersion>(json!({"task": "t", "key": "k", "version": zero}));
    assert!(e.message.contains("count from 1"), "{e}");
    let e = err::<TasksAddArtifactVersion>(json!({"task": "t", "version": v}));
    assert_eq!(e.data, json!({"field": "key"}));
}

#[test]
fn task_id_lists_accept_tasks_or_task() {
    let r = decode_request::<TasksGetHyperParams>(json!({"task": "a"})).unwrap();
    assert_eq!(r.ids(), ["a"]);
    let r = decode_request::<TasksGetConfigurations>(json!({"tasks": ["a", "b"], "task": "c"}))
        .unwrap();
    assert_eq!(r.ids(), ["a", "b"]);
    let e = err::<TasksGetConfigurationNames>(json!({}));
    assert_eq!(
        e.message,
        "Validation error: missing required field 'tasks'"
    );
}

#[test]
fn project_update_tells_clearing_from_leaving() {
    let r = decode_request::<ProjectsUpdate>(json!({"project": "p"})).unwrap();
    assert_eq!(r.default_output_destination, None);
    let r = decode_request::<ProjectsUpdate>(
        json!({"project": "p", "default_output_destination": null, "tags": ["a"], "user": null}),
    )
    .unwrap();
    assert_eq!(r.default_output_destination, Some(None));
    assert_eq!(Value::Object(r.extras()), json!({"tags": ["a"]}));
    assert_eq!(
        serde_json::to_value(&r).unwrap(),
        json!({"project": "p", "default_output_destination": null, "tags": ["a"]})
    );
}

#[test]
fn requests_serialize_compactly() {
    let req = TasksCreateRequest {
        name: "n".into(),
        project: "p".into(),
        kind: Some("training".into()),
        fields: TaskFields {
            system_tags: Some(json!(["development"])),
            ..TaskFields::default()
        },
        ..TasksCreateRequest::default()
    };
    assert_eq!(
        serde_json::to_string(&req).unwrap(),
        r#"{"name":"n","project":"p","type":"training","system_tags":["development"]}"#
    );
    assert_eq!(
        serde_json::to_value(StatusChangeRequest::forced("t", "done")).unwrap(),
        json!({"task": "t", "force": true, "status_reason": "done"})
    );
    let del = DeleteArtifactsRequest {
        task: "t".into(),
        artifacts: vec![ArtifactId::output("a")],
        force: true,
        ..DeleteArtifactsRequest::default()
    };
    assert_eq!(
        serde_json::to_value(&del).unwrap(),
        json!({"task": "t", "artifacts": [{"key": "a", "mode": "output"}], "force": true})
    );
    // What the client sends, the server decodes to the same request.
    let back = decode_request::<TasksCreate>(serde_json::to_value(&req).unwrap()).unwrap();
    assert_eq!(back, req);
}

#[test]
fn answers_serialize_as_the_server_always_wrote_them() {
    let del = TasksDeleteResponse {
        deleted: true,
        files_deleted: 2,
        urls: Some(Urls {
            artifact_urls: vec!["u".into()],
            ..Urls::default()
        }),
        ..TasksDeleteResponse::default()
    };
    assert_eq!(
        serde_json::to_string(&del).unwrap(),
        r#"{"deleted":true,"updated_children":0,"updated_models":0,"events":{},"files_deleted":2,"urls":{"artifact_urls":["u"],"model_urls":[],"event_urls":[]}}"#
    );
    // `urls` only when asked for; older trove servers answered `deleted: 1`.
    let del = TasksDeleteResponse {
        deleted: true,
        ..TasksDeleteResponse::default()
    };
    assert!(!serde_json::to_string(&del).unwrap().contains("urls"));
    let old = decode_response::<TasksDelete>(json!({"deleted": 1, "urls": {}})).unwrap();
    assert!(old.deleted);
    let conf = TaskConfigurations {
        task: "t".into(),
        configurations: vec![],
    };
    assert_eq!(
        serde_json::to_string(&conf).unwrap(),
        r#"{"task":"t","configuration":[]}"#
    );
    let fields = StatusFields {
        status: "in_progress".into(),
        status_changed: Some("2024-01-01T00:00:00".into()),
        ..StatusFields::default()
    };
    assert_eq!(
        serde_json::to_string(&fields).unwrap(),
        r#"{"status":"in_progress","status_reason":"","status_message":"","status_changed":"2024-01-01T00:00:00","last_update":null,"started":null,"completed":null}"#
    );
    assert_eq!(serde_json::to_string(&Empty {}).unwrap(), "{}");
    let events = AddEventsResponse {
        added: 1,
        errors: 2,
        errors_info: [("b".to_string(), 1), ("a".to_string(), 1)].into(),
    };
    assert_eq!(
        serde_json::to_string(&events).unwrap(),
        r#"{"added":1,"errors":2,"errors_info":{"a":1,"b":1}}"#
    );
}

#[test]
fn answers_decode_from_any_clearml_server() {
    // Fields missing, extra fields, null data: defaults, never a failure.
    let r = decode_response::<TasksStarted>(
        json!({"updated": 1, "fields": {"status": "in_progress", "x": 1}}),
    )
    .unwrap();
    assert_eq!(r.fields.status, "in_progress");
    let r = decode_response::<TasksAddOrUpdateArtifacts>(Value::Null).unwrap();
    assert_eq!(r.updated, 0);
    let r = decode_response::<TasksGetById>(json!({"task": {"id": "t", "execution": {}}})).unwrap();
    assert_eq!(r.task.id(), Some("t"));
    assert!(r.task.artifacts().unwrap().is_empty());
}

#[test]
fn list_filters_decode_with_operators_nulls_and_other_fields() {
    let r = decode_request::<TasksGetAllEx>(json!({
        "system_tags": ["__$all", "dataset", "__$not", "archived"],
        "tags": [null, "x"], "type": "training", "parent": "p",
        "filters": {"tags": {"any": {"include": [null]}}},
        "last_update": [">=2024-01-01", null], "projection": ["-name"], "size": 10, "scroll_id": "s"
    }))
    .unwrap();
    assert_eq!(
        r.system_tags.as_deref(),
        Some(
            &[
                Some("__$all".into()),
                Some("dataset".into()),
                Some("__$not".into()),
                Some("archived".into())
            ][..]
        )
    );
    assert_eq!(r.tags, Some(vec![None, Some("x".into())]));
    assert_eq!(r.kind, Some(vec![Some("training".into())]));
    assert_eq!(r.parent, Some(vec![Some("p".into())]));
    assert!(r.filters.is_some());
    assert_eq!(r.other["last_update"], json!([">=2024-01-01", null]));
    assert_eq!(r.fields(), Some(&["-name".to_string()][..]));
    assert_eq!((r.size, r.scroll_id.as_deref()), (Some(10), Some("s")));
    let bad = decode_request::<TasksGetAll>(json!({"tags": [1]})).unwrap_err();
    assert_eq!(bad.code, crate::ResultCode::ValidationError);
    // tasks.create without a project is valid (a root task); without a name it is not.
    assert!(decode_request::<TasksCreate>(json!({"name": "n", "type": "training"})).is_ok());
    assert!(decode_request::<TasksCreate>(json!({"type": "training"})).is_err());
}

#[test]
fn names_are_unique_service_actions() {
    for (i, n) in NAMES.iter().enumerate() {
        assert!(
            crate::parse_path(&crate::versioned_path(n)).is_some(),
            "{n}"
        );
        assert!(!NAMES[i + 1..].contains(n), "{n} twice");
    }
    assert_eq!(TasksAddArtifactVersion::NAME, "tasks.add_artifact_version");
}
