//! The web UI's error type and its HTML rendering (`templates/error.html`).

use crate::html::Notice;
use crate::templates::filters;
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

/// Errors of the web UI; each renders as an HTML page with a matching status code.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// The metadata store failed.
    #[error("the metadata store failed: {0}")]
    Store(#[from] trove_store::StoreError),
    /// A project, task, artifact or version does not exist.
    #[error("{0} not found")]
    NotFound(String),
    /// The request is malformed.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// A form was posted without a valid CSRF token, or from another site.
    #[error("refused: {0}")]
    Forbidden(String),
    /// The artifact's bytes cannot be read (missing file, unsupported URI, storage error).
    #[error("cannot read the artifact's bytes: {0}")]
    Bytes(String),
    /// A page template failed to render.
    #[error("the page could not be rendered: {0}")]
    Render(String),
}

/// The error page.
#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    /// The page title: the status's reason phrase.
    title: &'a str,
    code: u16,
    reason: &'a str,
    notice: Notice,
}

impl WebError {
    fn status(&self) -> StatusCode {
        match self {
            Self::Store(trove_store::StoreError::NotFound { .. }) | Self::NotFound(_) => {
                StatusCode::NOT_FOUND
            }
            Self::Store(_) | Self::Render(_) => StatusCode::INTERNAL_SERVER_ERROR,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::Bytes(_) => StatusCode::BAD_GATEWAY,
        }
    }
}

impl WebError {
    /// What the page says: the error itself, except for server-side failures (store, rendering), whose
    /// details (paths, database errors) go only to the log.
    fn public_message(&self) -> String {
        match self {
            Self::Store(trove_store::StoreError::NotFound { .. }) => self.to_string(),
            Self::Store(_) => {
                "the metadata store failed (the details are in the server log)".into()
            }
            Self::Render(_) => {
                "the page could not be rendered (the details are in the server log)".into()
            }
            other => other.to_string(),
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::warn!(error = %self, "web request failed");
        }
        let page = ErrorPage {
            title: status.canonical_reason().unwrap_or("error"),
            code: status.as_u16(),
            reason: status.canonical_reason().unwrap_or(""),
            notice: crate::html::notice("err", &self.public_message()),
        };
        let body = page.render().unwrap_or_else(|e| {
            tracing::warn!(error = %e, "the error page could not be rendered");
            format!("{} error", status.as_u16())
        });
        (status, Html(body)).into_response()
    }
}

/// Result alias for handlers.
pub type WebResult<T> = Result<T, WebError>;
