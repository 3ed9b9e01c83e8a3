//! Errors: [`ApiError`] is every failure a request can meet, and it *is* a response — the ClearML
//! `meta`/`data` envelope with the HTTP status equal to `result_code`. [`ServerError`] is what starting the
//! server can fail with.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use trove_store::StoreError;

/// The endpoint a response answers, as the envelope's `meta.endpoint` reports it.
#[derive(Debug, Clone, Default)]
pub struct Endpoint {
    /// `service.action`, e.g. `tasks.get_all`.
    pub name: String,
    /// The version in the request path (`/v2.23/...`), or the server's default.
    pub requested_version: String,
    /// The version that answered.
    pub actual_version: String,
}

/// A failed request: HTTP status = `result_code`, plus ClearML's `result_subcode` and message.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{code}/{subcode}: {msg}")]
pub struct ApiError {
    /// HTTP status and `meta.result_code`.
    pub code: u16,
    /// `meta.result_subcode` (ClearML's error table, e.g. 400/101 invalid task id).
    pub subcode: u32,
    /// `meta.result_msg`.
    pub msg: String,
    /// `meta.error_data`.
    pub data: Value,
    /// Filled in by the API dispatcher so the envelope names the endpoint.
    pub endpoint: Option<Box<Endpoint>>,
}

impl ApiError {
    /// An error with an empty `error_data`.
    pub fn new(code: u16, subcode: u32, msg: impl Into<String>) -> Self {
        Self {
            code,
            subcode,
            msg: msg.into(),
            data: json!({}),
            endpoint: None,
        }
    }

    /// Attach `error_data`.
    pub fn with_data(mut self, data: Value) -> Self {
        self.data = data;
        self
    }

    /// 400/0: the request is malformed (bad JSON, wrong content).
    pub fn bad_request(msg: impl Into<String>) -> Self {
        Self::new(400, 0, msg)
    }

    /// 400/12: a field is missing or has the wrong type.
    pub fn validation(msg: impl Into<String>) -> Self {
        Self::new(400, 12, format!("Validation error: {}", msg.into()))
    }

    /// 400/101: no such task.
    pub fn invalid_task(id: &str) -> Self {
        Self::new(400, 101, format!("Invalid task id: id={id}")).with_data(json!({ "id": id }))
    }

    /// 400/401: no such project.
    pub fn invalid_project(id: &str) -> Self {
        Self::new(400, 401, format!("Invalid project id: id={id}")).with_data(json!({ "id": id }))
    }

    /// 400/110: the task's status does not allow the change.
    pub fn invalid_status(actual: &str, expected: &str) -> Self {
        Self::new(
            400,
            110,
            format!("Invalid task status: expected={expected}, status={actual}"),
        )
        .with_data(json!({ "status": actual, "expected": expected }))
    }

    /// 401: missing, malformed, forged or expired credentials.
    pub fn unauthorized(subcode: u32, msg: impl Into<String>) -> Self {
        Self::new(401, subcode, msg)
    }

    /// 404: unknown endpoint or file.
    pub fn not_found(msg: impl Into<String>) -> Self {
        Self::new(404, 0, msg)
    }

    /// 500: a server-side failure. `detail` (which may name files, databases or hosts) goes to the server log
    /// under a fresh incident id; the client gets only that id, so error answers never reveal the server's
    /// paths or store errors.
    pub fn internal(detail: impl Into<String>) -> Self {
        let incident = uuid::Uuid::new_v4().simple().to_string();
        let incident = &incident[..12];
        tracing::error!(incident, detail = %detail.into(), "request failed");
        Self::new(
            500,
            0,
            format!(
                "internal server error (incident {incident}: the details are in the server log)"
            ),
        )
        .with_data(json!({ "incident": incident }))
    }

    /// The full envelope for this error.
    pub fn envelope(&self) -> Value {
        let ep = self.endpoint.as_deref().cloned().unwrap_or_default();
        envelope(
            &ep,
            self.code,
            self.subcode,
            &self.msg,
            self.data.clone(),
            json!({}),
        )
    }
}

/// Build a ClearML envelope.
pub fn envelope(
    ep: &Endpoint,
    code: u16,
    subcode: u32,
    msg: &str,
    error_data: Value,
    data: Value,
) -> Value {
    let id = uuid::Uuid::new_v4().simple().to_string();
    let endpoint = if ep.name.is_empty() {
        Value::Null
    } else {
        json!({
            "name": ep.name,
            "requested_version": ep.requested_version,
            "actual_version": ep.actual_version,
        })
    };
    json!({
        "meta": {
            "id": id,
            "trx": id,
            "endpoint": endpoint,
            "result_code": code,
            "result_subcode": subcode,
            "result_msg": msg,
            "error_stack": null,
            "error_data": error_data,
        },
        "data": data,
    })
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if status.is_server_error() {
            tracing::debug!(code = self.code, msg = %self.msg, "request failed");
        } else {
            tracing::debug!(code = self.code, subcode = self.subcode, msg = %self.msg, "request refused");
        }
        (status, axum::Json(self.envelope())).into_response()
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match &e {
            StoreError::NotFound { what: "task", id } => ApiError::invalid_task(id),
            StoreError::NotFound {
                what: "project",
                id,
            } => ApiError::invalid_project(id),
            StoreError::NotFound { .. } => ApiError::new(400, 0, e.to_string()),
            StoreError::Conflict { what, name } => {
                ApiError::new(400, 405, format!("{what} already exists: {name}"))
                    .with_data(json!({ "name": name }))
            }
            StoreError::InvalidStatus { expected, actual } => {
                let exp: Vec<&str> = expected.iter().map(|s| s.as_str()).collect();
                ApiError::invalid_status(actual.as_str(), &exp.join("/"))
            }
            _ => ApiError::internal(e.to_string()),
        }
    }
}

impl From<object_store::Error> for ApiError {
    /// Storage errors name the storage's own paths (e.g. the files folder): a 404 or a 500 without them.
    fn from(e: object_store::Error) -> Self {
        match e {
            object_store::Error::NotFound { .. } => ApiError::not_found("file not found"),
            other => ApiError::internal(format!("files storage error: {other}")),
        }
    }
}

/// Errors starting or running the server.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// A port could not be bound.
    #[error(
        "cannot listen on {addr} ({what}): {source}; pick another port or stop the other process"
    )]
    Bind {
        /// Which port: api, files or web.
        what: &'static str,
        /// The address.
        addr: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The metadata store failed to open or answer.
    #[error("metadata store: {0}")]
    Store(#[from] StoreError),
    /// The files storage could not be set up.
    #[error("files storage {uri}: {message}")]
    Storage {
        /// The storage location.
        uri: String,
        /// What went wrong.
        message: String,
    },
    /// An I/O error while preparing the home folder.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// A configuration value is invalid.
    #[error("invalid configuration: {0}")]
    Config(String),
}
