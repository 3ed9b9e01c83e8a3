//! The askama side of the pages: the escaper every `.html` template uses (chosen in `askama.toml`), the
//! `fragment` filter that embeds one rendered template in another, and the render helpers.
//!
//! Templates live in `crates/trove-web/templates/`. Every `{{ value }}` in them is escaped; no template uses
//! `|safe`. A template that embeds another one writes `{{ value|fragment }}`, and that filter only accepts
//! values whose type is itself an askama template, so a `String` built with `format!` cannot slip through
//! unescaped.

use crate::error::{WebError, WebResult};
use askama::Template;
use axum::response::Html;
use std::fmt;

/// The escaper of the `.html` templates: `& < > " '` become `&amp; &lt; &gt; &quot; &#39;`.
#[derive(Debug, Clone, Copy, Default)]
pub struct HtmlEscaper;

impl askama::filters::Escaper for HtmlEscaper {
    fn write_escaped_str<W: fmt::Write>(&self, mut dest: W, text: &str) -> fmt::Result {
        let mut last = 0;
        for (i, b) in text.bytes().enumerate() {
            let entity = match b {
                b'&' => "&amp;",
                b'<' => "&lt;",
                b'>' => "&gt;",
                b'"' => "&quot;",
                b'\'' => "&#39;",
                _ => continue,
            };
            dest.write_str(&text[last..i])?;
            dest.write_str(entity)?;
            last = i + 1;
        }
        dest.write_str(&text[last..])
    }
}

/// Custom template filters; templates that embed other templates import this module as `filters`.
pub(crate) mod filters {
    use askama::filters::Safe;

    /// `{{ value|fragment }}`: write a rendered template without escaping it again. Only template types are
    /// accepted, so plain strings are always escaped.
    #[askama::filter_fn]
    pub(crate) fn fragment<T: askama::Template>(
        value: T,
        _: &dyn askama::Values,
    ) -> askama::Result<Safe<T>> {
        Ok(Safe(value))
    }
}

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
