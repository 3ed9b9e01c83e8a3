//! HTML building blocks: URL encoding, links, and small fragments (times, status badges, notices, the pager)
//! as askama templates, which escape every value.

use crate::templates::HtmlEscaper;
use askama::Template;
use std::fmt::Write;

/// Escape text for HTML element content and quoted attribute values: `& < > " '` become entities.
///
/// Pages never call this: their templates escape every value with the same rules
/// (`templates::HtmlEscaper`, chosen in `askama.toml`). It is public for tests that look for escaped text in a page.
pub fn escape(text: &str) -> String {
    use askama::filters::Escaper;
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    // Writing into a String cannot fail.
    let _ = HtmlEscaper.write_escaped_str(&mut out, text);
    out
}

/// Percent-encode a string for one URL path segment or query value: everything but `A-Z a-z 0-9 - . _ ~`.
pub fn url_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// The link to an artifact's bytes.
pub fn file_href(
    task: &str,
    key: &str,
    mode: &str,
    version: Option<u32>,
    download: bool,
) -> String {
    let mut href = format!("/files/{}/{}", url_encode(task), url_encode(key));
    let mut params = Vec::new();
    if mode != "output" {
        params.push(format!("mode={}", url_encode(mode)));
    }
    if let Some(v) = version {
        params.push(format!("version={v}"));
    }
    if download {
        params.push("download".to_string());
    }
    if !params.is_empty() {
        href.push('?');
        href.push_str(&params.join("&"));
    }
    href
}

/// The link to an artifact's preview fragment.
pub fn preview_href(task: &str, key: &str, mode: &str, version: Option<u32>) -> String {
    let mut href = format!(
        "/preview/{}/{}?mode={}",
        url_encode(task),
        url_encode(key),
        url_encode(mode)
    );
    if let Some(v) = version {
        let _ = write!(href, "&version={v}");
    }
    href
}

/// A `<time>` element for a moment, or `—`.
#[derive(Template)]
#[template(path = "time.html")]
pub struct Time {
    /// ISO 8601 and short (`2026-11-26 04:14:17`) forms, or `None` for `—`.
    stamp: Option<(String, String)>,
}

/// Human time from microseconds since the epoch: `2026-11-26 04:14:17` (UTC), or `—`.
pub fn time_micros(micros: Option<i64>) -> Time {
    let stamp = match micros {
        Some(m) if m > 0 => {
            let iso = trove_core::timefmt::iso_from_micros(m);
            let short: String = iso.replace('T', " ").chars().take(19).collect();
            Some((iso, short))
        }
        _ => None,
    };
    Time { stamp }
}

/// Human time from epoch seconds.
pub fn time_secs(secs: Option<i64>) -> Time {
    time_micros(secs.map(|s| s.saturating_mul(1_000_000)))
}

/// A coloured status badge.
#[derive(Template)]
#[template(path = "badge.html")]
pub struct Badge {
    /// The status, as stored (`in_progress`); also the CSS class suffix.
    status: String,
    /// The status as shown (`in progress`).
    label: String,
}

/// A coloured status badge.
pub fn status_badge(status: &str) -> Badge {
    Badge {
        status: status.to_string(),
        label: status.replace('_', " "),
    }
}

/// Size in binary units, or `—` (plain text).
pub fn size(bytes: Option<u64>) -> String {
    bytes.map_or_else(|| "—".to_string(), trove_core::preview::format_size_binary)
}

/// An error/notice box: `kind` is its CSS class (`ok`, `warn`, `err`).
#[derive(Template, Debug, Clone)]
#[template(path = "notice.html")]
pub struct Notice {
    /// `ok`, `warn` or `err`.
    kind: String,
    /// The message.
    text: String,
}

/// An error/notice box.
pub fn notice(kind: &str, text: &str) -> Notice {
    Notice {
        kind: kind.to_string(),
        text: text.to_string(),
    }
}

/// Pagination links («first ‹ prev · page x of y · next › last»), or nothing when everything fits on one page.
#[derive(Template)]
#[template(path = "pager.html")]
pub struct Pager {
    /// The link base split at `&`: the template joins the (escaped) parts with `&` and appends `page=n`.
    parts: Vec<String>,
    page: u64,
    pages: u64,
    total: u64,
}

/// Pagination links: `base` already contains `?…&` or `?` (built from [`url_encode`]d values).
pub fn pager(base: &str, page: u64, per_page: u64, total: u64) -> Pager {
    Pager {
        parts: base.split('&').map(String::from).collect(),
        page,
        pages: total.div_ceil(per_page).max(1),
        total,
    }
}

#[cfg(test)]
mod tests {
    use crate::templates::{HtmlEscaper, filters};
    use askama::Template;

    /// An inline template: a string field and an embedded template.
    #[derive(Template)]
    #[template(
        source = r#"<p title="{{ text }}">{{ text }}</p>{{ inner|fragment }}"#,
        ext = "html"
    )]
    struct Outer<'a> {
        text: &'a str,
        inner: super::Notice,
    }

    #[test]
    fn values_are_escaped_and_fragments_are_not() {
        let page = Outer {
            text: r#"<script>alert(1)</script> "onmouseover=x' &"#,
            inner: super::notice("err", "<b>&</b>"),
        }
        .render()
        .unwrap();
        assert_eq!(
            page,
            "<p title=\"&lt;script&gt;alert(1)&lt;/script&gt; &quot;onmouseover=x&#39; &amp;\">\
             &lt;script&gt;alert(1)&lt;/script&gt; &quot;onmouseover=x&#39; &amp;</p>\
             <div class=\"notice err\">&lt;b&gt;&amp;&lt;/b&gt;</div>"
        );
    }

    #[test]
    fn escaper_matches_html_escape() {
        for s in ["", "plain é ✓", "a&b<c>d\"e'f", "&lt;", "<<>>", "é<é"] {
            let mut out = String::new();
            askama::filters::Escaper::write_escaped_str(&HtmlEscaper, &mut out, s).unwrap();
            assert_eq!(out, super::escape(s), "{s}");
        }
        assert_eq!(super::escape("é<é"), "é&lt;é");
    }

    use super::*;

    #[test]
    fn escape_neutralises_markup() {
        assert_eq!(
            escape("<script>alert(1)</script>"),
            "&lt;script&gt;alert(1)&lt;/script&gt;"
        );
        assert_eq!(
            escape(r#"a&b "q" 'x'"#),
            "a&amp;b &quot;q&quot; &#39;x&#39;"
        );
        assert_eq!(escape("plain é ✓"), "plain é ✓");
        assert_eq!(escape(""), "");
        // escaping twice keeps showing the first escape as text, never as markup
        assert_eq!(escape("&lt;"), "&amp;lt;");
    }

    #[test]
    fn url_encode_keeps_only_unreserved() {
        assert_eq!(url_encode("a b/c?d#e"), "a%20b%2Fc%3Fd%23e");
        assert_eq!(url_encode("Numpy Eye"), "Numpy%20Eye");
        assert_eq!(url_encode("é"), "%C3%A9");
        assert_eq!(
            file_href("t1", "x y", "output", Some(2), true),
            "/files/t1/x%20y?version=2&download"
        );
        assert_eq!(
            file_href("t1", "k", "input", None, false),
            "/files/t1/k?mode=input"
        );
    }

    #[test]
    fn pager_links() {
        assert_eq!(pager("?", 1, 10, 5).to_string(), "");
        let p = pager("?q=x&", 2, 10, 35).to_string();
        assert!(p.contains("page 2 of 4"));
        assert!(p.contains(r#"href="?q=x&page=1""#));
        assert!(p.contains(r#"href="?q=x&page=3""#));
    }
}
