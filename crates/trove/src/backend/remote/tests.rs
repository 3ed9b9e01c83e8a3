//! Failures keep the server's result code; answers decode as typed data.

use super::{Failure, exact, parse_answer};
use reqwest::StatusCode;
use trove_protocol::endpoints::{TasksAddArtifactVersion, TasksGetById};
use trove_protocol::{CallError, EndpointMeta, Envelope, ResultCode};

fn answer(err: &CallError) -> Failure {
    let text =
        serde_json::to_string(&Envelope::failure(Some(EndpointMeta::default()), err)).unwrap();
    let status = StatusCode::from_u16(err.http()).unwrap();
    match parse_answer::<TasksGetById>(status, &text) {
        Ok(_) => panic!("an error envelope parsed as an answer"),
        Err(f) => f,
    }
}

#[test]
fn failures_keep_the_servers_result_code() {
    let f = answer(&CallError::invalid_task("x"));
    assert!(f.is_invalid_task());
    assert!(!f.is_unknown_endpoint());
    assert_eq!(
        f.into_trove("tasks.get_by_id").to_string(),
        "API call tasks.get_by_id failed: 400/101: Invalid task id: id=x"
    );
    assert!(!answer(&CallError::validation("x")).is_invalid_task());
    let f = answer(&CallError::not_found("Unknown endpoint \"x\""));
    assert!(f.is_unknown_endpoint() && !f.is_invalid_task());
    let conflict = CallError::new(ResultCode::ArtifactVersionConflict, "exists");
    assert_eq!(
        answer(&conflict).code(),
        Some(ResultCode::ArtifactVersionConflict)
    );
    // A 404 that is not an envelope (a wrong api_server) is not "unknown endpoint".
    let f = parse_answer::<TasksAddArtifactVersion>(StatusCode::NOT_FOUND, "<html>Not Found")
        .err()
        .unwrap();
    assert!(!f.is_unknown_endpoint());
    assert!(f.to_string().contains("not a JSON envelope"), "{f}");
}

#[test]
fn answers_decode_as_typed_data() {
    let ok = r#"{"meta": {"result_code": 200, "result_subcode": 0, "result_msg": "OK"},
                 "data": {"task": {"id": "t", "status": "completed"}}}"#;
    let d = parse_answer::<TasksGetById>(StatusCode::OK, ok).unwrap();
    assert_eq!(d.task.id(), Some("t"));
    assert_eq!(d.task.status(), trove_core::TaskStatus::Completed);
    let wrong = r#"{"meta": {"result_code": 200}, "data": {"task": 5}}"#;
    let f = parse_answer::<TasksGetById>(StatusCode::OK, wrong)
        .err()
        .unwrap();
    assert!(
        f.to_string()
            .contains("unexpected answer to tasks.get_by_id"),
        "{f}"
    );
}

#[test]
fn exact_name_filter_is_escaped_and_anchored() {
    assert_eq!(exact("examples"), "^examples$");
    assert_eq!(exact("a b.c"), "^a\\ b\\.c$");
}
