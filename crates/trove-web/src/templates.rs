//! The askama side of the pages: the escaper every `.html` template uses (chosen in `askama.toml`) and the
//! `fragment` filter that embeds one rendered template in another (rendering is in [`crate::render`]).
//!
//! Templates live in `crates/trove-web/templates/`. Every `{{ value }}` in them is escaped; no template uses
//! `|safe`. A template that embeds another one writes `{{ value|fragment }}`, and that filter only accepts
//! values whose type is itself an askama template, so a `String` built with `format!` cannot slip through
//! unescaped.

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

#[cfg(test)]
mod tests {
    /// No template opts out of escaping: embedded HTML goes through `|fragment`, which takes only templates.
    #[test]
    fn no_template_uses_safe() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        let mut seen = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            let squeezed: String = text.chars().filter(|c| !c.is_whitespace()).collect();
            // `|e("txt")` / `|escape("txt")` would pick another escaper; `{% filter safe %}` is `|safe` for a block.
            for banned in ["|safe", "|e(", "|escape(", "filtersafe"] {
                assert!(!squeezed.contains(banned), "{}: {banned}", path.display());
            }
            seen += 1;
        }
        assert!(seen >= 20, "templates found: {seen}");
    }
}
