//! What the official SDKs send to `models.*`, decoded as the server reads it.

use super::*;
use crate::decode_request;
use crate::endpoints::{
    ModelsAddOrUpdateMetadata, ModelsCreate, ModelsEdit, ModelsGetAll, ModelsSetReady,
    TasksAddOrUpdateModel, TasksDeleteModels,
};
use serde_json::json;

#[test]
fn sdk_create_and_edit_decode() {
    let r = decode_request::<ModelsCreate>(json!({
        "uri": "file:///uploading_file", "name": "Anonymous model", "labels": {}, "ready": false,
        "public": false, "project": "p1", "method": "get"
    }))
    .unwrap();
    assert_eq!(r.fields.ready, Some(false));
    assert_eq!(r.fields.project.as_deref(), Some("p1"));
    assert_eq!(r.fields.labels, Some(Map::new()));
    let e = decode_request::<ModelsCreate>(json!({"name": "abc"})).unwrap_err();
    assert_eq!(e.data["field"], "uri");

    let r = decode_request::<ModelsEdit>(json!({
        "model": "m", "uri": "http://f/w.bin", "design": {"design": ""}, "tags": "one",
        "iteration": "7", "metadata": {"k": {"type": "int", "value": 3}}
    }))
    .unwrap();
    assert_eq!(r.iteration, Some(7));
    assert_eq!(r.fields.tags, Some(vec!["one".to_string()]));
    let md = r.fields.metadata.unwrap();
    assert_eq!(
        md,
        vec![MetadataItem {
            key: "k".into(),
            kind: "int".into(),
            value: "3".into()
        }]
    );
}

#[test]
fn get_all_reads_metadata_filters_and_flags() {
    let r = decode_request::<ModelsGetAll>(json!({
        "project": ["p"], "name": "^m$", "ready": "true", "system_tags": ["-archived"],
        "metadata.stage.value": "prod", "_allow_extra_fields_": true, "page": 0, "page_size": 500
    }))
    .unwrap();
    assert_eq!(r.ready, Some(true));
    assert_eq!(
        r.metadata_filters(),
        vec![("stage".to_string(), vec!["prod".to_string()])]
    );
    assert_eq!(r.page_size, Some(500));
}

#[test]
fn defaults_of_set_ready_and_validation() {
    let r = decode_request::<ModelsSetReady>(json!({"model": "m"})).unwrap();
    assert!(r.publish_task && !r.force_publish_task);
    let r = decode_request::<ModelsSetReady>(json!({"model": "m", "publish_task": false})).unwrap();
    assert!(!r.publish_task);
    assert!(
        decode_request::<ModelsAddOrUpdateMetadata>(json!({"model": "m", "metadata": []})).is_err()
    );
    let r = decode_request::<ModelsAddOrUpdateMetadata>(
        json!({"model": "m", "metadata": [{"key": "a", "type": "str", "value": "b"}], "replace_metadata": false}),
    )
    .unwrap();
    assert_eq!(r.metadata[0].key, "a");
}

#[test]
fn task_side_requests() {
    let r = decode_request::<TasksAddOrUpdateModel>(
        json!({"task": "t", "name": "w", "model": "m", "type": "output", "iteration": 5}),
    )
    .unwrap();
    assert_eq!((r.kind.as_str(), r.iteration), ("output", Some(5)));
    assert!(
        decode_request::<TasksAddOrUpdateModel>(
            json!({"task": "t", "name": "w", "model": "m", "type": "x"})
        )
        .is_err()
    );
    let r = decode_request::<TasksDeleteModels>(
        json!({"task": "t", "models": [{"name": "a", "type": "input"}]}),
    )
    .unwrap();
    assert_eq!(r.models[0].name, "a");
}

#[test]
fn answers_serialize_as_clearml() {
    let r = SetReadyResponse {
        updated: 1,
        published_task: None,
    };
    assert_eq!(serde_json::to_value(&r).unwrap(), json!({"updated": 1}));
    let b = BatchResponse {
        succeeded: vec![],
        failed: vec![BatchFailure {
            id: "x".into(),
            error: BatchError::from(&CallError::new(crate::ResultCode::InvalidModelId, "no")),
        }],
    };
    assert_eq!(
        serde_json::to_value(&b).unwrap(),
        json!({"succeeded": [], "failed": [{"id": "x", "error": {"codes": [400, 201], "msg": "no", "data": {}}}]})
    );
}
