//! Preview rules shared by every artifact kind (docs/clearml-compat.md §2.2): decimal size formatting and the 64 KiB cap.

/// Soft limit of a preview, in characters.
pub const MAX_PREVIEW: usize = 65536;

/// ClearML's `format_size`: decimal units, two decimals with trailing zeros stripped, `1 byte` for one.
pub fn format_size(size: u64) -> String {
    if size == 1 {
        return "1 byte".into();
    }
    let units = ["bytes", "KB", "MB", "GB", "TB", "PB"];
    let mut v = size as f64;
    let mut i = 0;
    while v >= 1000.0 && i + 1 < units.len() {
        v /= 1000.0;
        i += 1;
    }
    let mut num = format!("{v:.2}");
    if num.contains('.') {
        num = num.trim_end_matches('0').trim_end_matches('.').to_string();
    }
    format!("{num} {}", units[i])
}

/// Binary units for people (the web UI): `40.48 KiB`.
pub fn format_size_binary(size: u64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = size as f64;
    let mut i = 0;
    while v >= 1024.0 && i + 1 < units.len() {
        v /= 1024.0;
        i += 1;
    }
    if i == 0 {
        format!("{size} B")
    } else {
        format!("{v:.2} {}", units[i])
    }
}

/// Cap a kind-specific preview: text of [`MAX_PREVIEW`] characters or more gets `header` and the first 64 Ki chars.
pub fn cap_with_header(text: &str, header: &str) -> String {
    if text.chars().count() < MAX_PREVIEW {
        return text.to_string();
    }
    let cut = text
        .char_indices()
        .nth(MAX_PREVIEW)
        .map_or(text.len(), |(i, _)| i);
    format!("{header}\n{}", &text[..cut])
}

/// The global cap applied to every preview: beyond 64 Ki + 1 Ki characters, keep the first 64 Ki with a header.
pub fn cap_preview(text: String) -> String {
    match text.char_indices().nth(MAX_PREVIEW + 1024) {
        None => text,
        Some(_) => {
            let cut = text
                .char_indices()
                .nth(MAX_PREVIEW)
                .map_or(text.len(), |(i, _)| i);
            format!(
                "# full preview too large to store, storing first 64kb\n{}",
                &text[..cut]
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_format_like_clearml() {
        assert_eq!(format_size(40480), "40.48 KB");
        assert_eq!(format_size(1), "1 byte");
        assert_eq!(format_size(0), "0 bytes");
        assert_eq!(format_size(109), "109 bytes");
        assert_eq!(format_size(2_000_000), "2 MB");
        assert_eq!(format_size_binary(2048), "2.00 KiB");
        assert_eq!(format_size_binary(10), "10 B");
    }

    #[test]
    fn previews_are_capped() {
        let big = "x".repeat(MAX_PREVIEW + 2000);
        let capped = cap_preview(big);
        assert!(capped.starts_with("# full preview too large"));
        assert_eq!(
            capped.len(),
            MAX_PREVIEW + "# full preview too large to store, storing first 64kb\n".len()
        );
        assert_eq!(cap_preview("short".into()), "short");
        let t = cap_with_header(
            &"y".repeat(MAX_PREVIEW),
            "# full text too large to store, storing first 64kb",
        );
        assert!(t.starts_with("# full text"));
    }
}
