//! Rendering templates for handlers: a render failure is a 500 [`WebError::Render`] (details in the log).

use crate::error::{WebError, WebResult};
use askama::Template;
use axum::response::Html;

/// Render a template, or fail with a 500 [`WebError::Render`].
pub(crate) fn render<T: Template>(template: &T) -> WebResult<String> {
    template
        .render()
        .map_err(|e| WebError::Render(e.to_string()))
}

/// Render a whole page for a handler.
pub(crate) fn page<T: Template>(template: &T) -> WebResult<Html<String>> {
    render(template).map(Html)
}
