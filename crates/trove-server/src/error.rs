//! Errors: [`ApiError`] is every failure a request can meet, and it *is* a response — the ClearML
//! `meta`/`data` envelope of `trove_protocol` with the HTTP status equal to `result_code`. [`ServerError`] is what starting the
//! server can fail with.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use trove_protocol::{CallError, EndpointMeta, Envelope, ResultCode};
use trove_store::StoreError;

/// A failed request: a [`CallError`] of the protocol (result code, message, `error_data`) plus the endpoint
/// the envelope names. HTTP status = `result_code`.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{error}")]
pub struct ApiError {
    /// What failed, as the envelope reports it.
    pub error: CallError,
    /// Filled in by the API dispatcher so the envelope names the endpoint.
    pub endpoint: Option<Box<EndpointMeta>>,
}

impl From<CallError> for ApiError {
    fn from(error: CallError) -> Self {
        Self {
            error,
            endpoint: None,
        }
    }
}

impl ApiError {
    /// An error with an empty `error_data`.
    pub fn new(code: ResultCode, msg: impl Into<String>) -> Self {
        CallError::new(code, msg).into()
    }

    /// Attach `error_data`.
    pub fn with_data(mut self, data: Value) -> Self {
        self.error.data = data;
        self
    }

    /// The result code.
    pub fn code(&self) -> ResultCode {
        self.error.code
    }

    /// `meta.result_msg`.
    pub fn msg(&self) -> &str {
        &self.error.message
    }

    /// 400/0: the request is malformed (bad JSON, wrong content).
    pub fn bad_request(msg: impl Into<String>) -> Self {
        CallError::bad_request(msg).into()
    }

    /// 400/12: a field is missing or has the wrong type.
    pub fn validation(msg: impl Into<String>) -> Self {
        CallError::validation(msg).into()
    }

    /// 400/101: no such task.
    pub fn invalid_task(id: &str) -> Self {
        CallError::invalid_task(id).into()
    }

    /// 400/201: no such model.
    pub fn invalid_model(id: &str) -> Self {
        CallError::invalid_model(id).into()
    }

    /// 400/401: no such project.
    pub fn invalid_project(id: &str) -> Self {
        CallError::invalid_project(id).into()
    }

    /// 400/110: the task's status does not allow the change.
    pub fn invalid_status(actual: &str, expected: &str) -> Self {
        CallError::invalid_status(actual, expected).into()
    }

    /// 404/0: unknown endpoint or file.
    pub fn not_found(msg: impl Into<String>) -> Self {
        CallError::not_found(msg).into()
    }

    /// 500/0: a server-side failure. `detail` (which may name files, databases or hosts) goes to the server log
    /// under a fresh incident id; the client gets only that id, so error answers never reveal the server's
    /// paths or store errors.
    pub fn internal(detail: impl Into<String>) -> Self {
        let incident = uuid::Uuid::new_v4().simple().to_string();
        let incident = &incident[..12];
        tracing::error!(incident, detail = %detail.into(), "request failed");
        Self::new(
            ResultCode::GeneralError,
            format!(
                "internal server error (incident {incident}: the details are in the server log)"
            ),
        )
        .with_data(json!({ "incident": incident }))
    }

    /// The full envelope for this error.
    pub fn envelope(&self) -> Envelope<Value> {
        Envelope::failure(self.endpoint.as_deref().cloned(), &self.error)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let code = self.error.code;
        let status = StatusCode::from_u16(code.http()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if status.is_server_error() {
            tracing::debug!(code = code.http(), msg = %self.error.message, "request failed");
        } else {
            tracing::debug!(code = code.http(), subcode = code.subcode(), msg = %self.error.message, "request refused");
        }
        (status, axum::Json(self.envelope())).into_response()
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match &e {
            StoreError::NotFound { what: "task", id } => ApiError::invalid_task(id),
            StoreError::NotFound { what: "model", id } => ApiError::invalid_model(id),
            StoreError::NotFound {
                what: "project",
                id,
            } => ApiError::invalid_project(id),
            StoreError::NotFound { .. } => ApiError::bad_request(e.to_string()),
            StoreError::Conflict { what, name } => ApiError::new(
                ResultCode::ExpectedUniqueData,
                format!("{what} already exists: {name}"),
            )
            .with_data(json!({ "name": name })),
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
