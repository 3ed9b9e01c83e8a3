//! HTML building blocks: the one escape function every user-supplied string goes through, URL encoding, the
//! page shell, and small formatters.

use std::fmt::Write;

/// Escape text for HTML element content and quoted attribute values: `& < > " '` become entities.
///
/// This is the only escaping function of the crate; every string that came from a user, a client or a
/// stored file passes through it before it reaches a page.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
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

/// A whole page: `title` (escaped here), breadcrumb HTML, body HTML.
pub fn page(title: &str, crumbs: &str, body: &str) -> String {
    format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · trove</title><link rel="icon" href="/static/favicon.svg"><link rel="stylesheet" href="/static/style.css"><script src="/static/app.js" defer></script>
</head><body>
<header class="top"><a class="brand" href="/projects">trove</a><nav class="crumbs">{crumbs}</nav>
<a class="logout" href="/logout">log out</a></header>
<main>{body}</main>
</body></html>"#,
        title = escape(title),
    )
}

/// Human time from microseconds since the epoch: `2026-11-26 04:14:17` (UTC), or `—`.
pub fn time_micros(micros: Option<i64>) -> String {
    match micros {
        Some(m) if m > 0 => {
            let iso = trove_core::timefmt::iso_from_micros(m);
            let short: String = iso.replace('T', " ").chars().take(19).collect();
            format!(
                r#"<time datetime="{}">{}</time>"#,
                escape(&iso),
                escape(&short)
            )
        }
        _ => "—".to_string(),
    }
}

/// Human time from epoch seconds.
pub fn time_secs(secs: Option<i64>) -> String {
    time_micros(secs.map(|s| s.saturating_mul(1_000_000)))
}

/// A coloured status badge.
pub fn status_badge(status: &str) -> String {
    let s = escape(status);
    format!(
        r#"<span class="badge st-{s}">{}</span>"#,
        s.replace('_', " ")
    )
}

/// Size in binary units, or `—`.
pub fn size(bytes: Option<u64>) -> String {
    bytes.map_or_else(|| "—".to_string(), trove_core::preview::format_size_binary)
}

/// An error/notice box.
pub fn notice(kind: &str, text: &str) -> String {
    format!(r#"<div class="notice {kind}">{}</div>"#, escape(text))
}

/// Pagination links: `base` already contains `?…&` or `?`; shows «prev · page x of y · next».
pub fn pager(base: &str, page: u64, per_page: u64, total: u64) -> String {
    let pages = total.div_ceil(per_page).max(1);
    if pages <= 1 {
        return String::new();
    }
    let mut out = String::from(r#"<nav class="pager">"#);
    if page > 1 {
        let _ = write!(
            out,
            r#"<a href="{base}page=1">« first</a><a href="{base}page={}">‹ prev</a>"#,
            page - 1
        );
    }
    let _ = write!(
        out,
        r#"<span>page {page} of {pages} · {total} items</span>"#
    );
    if page < pages {
        let _ = write!(
            out,
            r#"<a href="{base}page={}">next ›</a><a href="{base}page={pages}">last »</a>"#,
            page + 1
        );
    }
    out.push_str("</nav>");
    out
}

#[cfg(test)]
mod tests {
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
        assert_eq!(pager("?", 1, 10, 5), "");
        let p = pager("?q=x&", 2, 10, 35);
        assert!(p.contains("page 2 of 4"));
        assert!(p.contains(r#"href="?q=x&page=1""#));
        assert!(p.contains(r#"href="?q=x&page=3""#));
    }
}
