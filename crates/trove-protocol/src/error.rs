//! [`CallError`]: a failed call as the envelope carries it (result code, message, `error_data`). The server
//! answers with one; the client reads one back from the envelope and matches on its [`ResultCode`].

use crate::codes::ResultCode;
use serde_json::{Map, Value, json};

/// A failed call: `meta.result_code`/`result_subcode` (as a [`ResultCode`]), `result_msg` and `error_data`.
/// Displays as `"400/101: Invalid task id: id=…"`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}/{}: {message}", code.http(), code.subcode())]
pub struct CallError {
    /// What failed, as ClearML numbers it.
    pub code: ResultCode,
    /// `meta.result_msg`: what failed and, where it can, how to fix it.
    pub message: String,
    /// `meta.error_data` (an object; `{}` when there is nothing to add).
    pub data: Value,
}

impl CallError {
    /// An error with an empty `error_data`.
    pub fn new(code: ResultCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            data: Value::Object(Map::new()),
        }
    }

    /// Attach `error_data`.
    pub fn with_data(mut self, data: Value) -> Self {
        self.data = data;
        self
    }

    /// 400/0: the request is malformed (bad JSON, wrong content).
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(ResultCode::BadRequest, message)
    }

    /// 400/12: a field is missing or has the wrong type; the message is prefixed "Validation error: ".
    pub fn validation(message: impl Into<String>) -> Self {
        Self::new(
            ResultCode::ValidationError,
            format!("Validation error: {}", message.into()),
        )
    }

    /// 400/12 for a missing (or empty) required field, naming it in the message and in `error_data.field`.
    pub fn missing_field(field: &str) -> Self {
        Self::validation(format!("missing required field '{field}'"))
            .with_data(json!({ "field": field }))
    }

    /// 400/101: no such task.
    pub fn invalid_task(id: &str) -> Self {
        Self::new(
            ResultCode::InvalidTaskId,
            format!("Invalid task id: id={id}"),
        )
        .with_data(json!({ "id": id }))
    }

    /// 400/201: no such model.
    pub fn invalid_model(id: &str) -> Self {
        Self::new(
            ResultCode::InvalidModelId,
            format!("Invalid model id: id={id}"),
        )
        .with_data(json!({ "id": id }))
    }

    /// 400/401: no such project.
    pub fn invalid_project(id: &str) -> Self {
        Self::new(
            ResultCode::InvalidProjectId,
            format!("Invalid project id: id={id}"),
        )
        .with_data(json!({ "id": id }))
    }

    /// 400/110: the task's status (`actual`) does not allow the change (`expected` says what would).
    pub fn invalid_status(actual: &str, expected: &str) -> Self {
        Self::new(
            ResultCode::InvalidTaskStatus,
            format!("Invalid task status: expected={expected}, status={actual}"),
        )
        .with_data(json!({ "status": actual, "expected": expected }))
    }

    /// 404/0: unknown endpoint or file.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ResultCode::NotFound, message)
    }

    /// The HTTP status of the answer (= `meta.result_code`).
    pub fn http(&self) -> u16 {
        self.code.http()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_numbers_then_message() {
        let e = CallError::invalid_task("abc");
        assert_eq!(e.to_string(), "400/101: Invalid task id: id=abc");
        assert_eq!(e.data, json!({"id": "abc"}));
        let e = CallError::missing_field("task");
        assert_eq!(
            e.to_string(),
            "400/12: Validation error: missing required field 'task'"
        );
        assert_eq!(e.data, json!({"field": "task"}));
        assert_eq!(CallError::bad_request("x").data, json!({}));
    }
}
