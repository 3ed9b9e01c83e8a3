//! Content types as ClearML sends them: Python's `mimetypes.guess_type` on the file name, where a compression
//! suffix (`.gz`, `.bz2`, `.xz`, `.br`, `.Z`) is an *encoding* and the type comes from what is left
//! (`Pandas.csv.gz` → `text/csv`), and `binary/octet-stream` when nothing is known (`.npz`).

/// What ClearML sends for an unknown type.
pub const UNKNOWN_CONTENT_TYPE: &str = "binary/octet-stream";

/// Guess the content type of a file from its name (only the last path component matters).
pub fn guess_content_type(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let lower = base.to_ascii_lowercase();
    // Python's suffix_map: archives with a one-part suffix are tar files.
    for short in [".tgz", ".taz", ".tz", ".tbz2", ".txz"] {
        if lower.ends_with(short) {
            return "application/x-tar".into();
        }
    }
    let mut stem = base;
    for enc in [".gz", ".bz2", ".xz", ".br", ".Z"] {
        if let Some(s) = base.strip_suffix(enc) {
            stem = s;
            break;
        }
    }
    if !stem.contains('.') {
        return UNKNOWN_CONTENT_TYPE.into();
    }
    match mime_guess::from_path(stem).first_raw() {
        Some(m) => m.to_string(),
        None => UNKNOWN_CONTENT_TYPE.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_types_seen_in_the_clearml_trace() {
        assert_eq!(guess_content_type("a/b/dancing.jpg"), "image/jpeg");
        assert_eq!(guess_content_type("Pandas.csv.gz"), "text/csv");
        assert_eq!(guess_content_type("Numpy Eye.npz"), "binary/octet-stream");
        assert_eq!(guess_content_type("pillow_image.png"), "image/png");
        assert_eq!(guess_content_type("dictionary.json"), "application/json");
        assert_eq!(guess_content_type("data_samples.zip"), "application/zip");
        assert_eq!(guess_content_type("x.tgz"), "application/x-tar");
        assert_eq!(guess_content_type("noext"), "binary/octet-stream");
    }
}
