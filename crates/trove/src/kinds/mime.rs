//! Content types by file name, like Python's `mimetypes.guess_type(name)[0]` (built-in table).

/// Compression suffixes that `mimetypes` strips before looking the type up (`x.csv.gz` → `text/csv`).
const ENCODINGS: &[&str] = &[".gz", ".Z", ".bz2", ".xz", ".br"];

const TYPES: &[(&str, &str)] = &[
    (".jpg", "image/jpeg"),
    (".jpeg", "image/jpeg"),
    (".jpe", "image/jpeg"),
    (".png", "image/png"),
    (".gif", "image/gif"),
    (".bmp", "image/bmp"),
    (".ico", "image/vnd.microsoft.icon"),
    (".tif", "image/tiff"),
    (".tiff", "image/tiff"),
    (".webp", "image/webp"),
    (".svg", "image/svg+xml"),
    (".csv", "text/csv"),
    (".tsv", "text/tab-separated-values"),
    (".txt", "text/plain"),
    (".text", "text/plain"),
    (".log", "text/plain"),
    (".conf", "text/plain"),
    (".py", "text/x-python"),
    (".md", "text/markdown"),
    (".html", "text/html"),
    (".htm", "text/html"),
    (".css", "text/css"),
    (".js", "text/javascript"),
    (".xml", "text/xml"),
    (".json", "application/json"),
    (".yaml", "application/yaml"),
    (".yml", "application/yaml"),
    (".zip", "application/zip"),
    (".tar", "application/x-tar"),
    (".pdf", "application/pdf"),
    (".bin", "application/octet-stream"),
    (".exe", "application/octet-stream"),
    (".mp3", "audio/mpeg"),
    (".wav", "audio/x-wav"),
    (".ogg", "audio/ogg"),
    (".mp4", "video/mp4"),
    (".mpeg", "video/mpeg"),
    (".avi", "video/x-msvideo"),
    (".mov", "video/quicktime"),
    (".webm", "video/webm"),
    (".wasm", "application/wasm"),
];

/// The content type Python's `mimetypes` would guess for `name` (a path or URL path), or `None`.
pub fn guess_content_type(name: &str) -> Option<String> {
    let base = name.rsplit('/').next().unwrap_or(name);
    let mut base = match base {
        b if b.ends_with(".tgz") || b.ends_with(".taz") || b.ends_with(".tz") => {
            format!("{}.tar.gz", &b[..b.rfind('.').unwrap_or(b.len())])
        }
        b => b.to_string(),
    };
    if let Some(enc) = ENCODINGS.iter().find(|e| base.ends_with(**e)) {
        base.truncate(base.len() - enc.len());
    }
    let dot = base.rfind('.')?;
    if dot == 0 {
        return None;
    }
    let ext = &base[dot..];
    TYPES
        .iter()
        .find(|(e, _)| *e == ext)
        .or_else(|| TYPES.iter().find(|(e, _)| e.eq_ignore_ascii_case(ext)))
        .map(|(_, t)| t.to_string())
}

#[cfg(test)]
mod tests {
    use super::guess_content_type as g;

    #[test]
    fn like_python_mimetypes() {
        assert_eq!(g("data_samples/dancing.jpg").as_deref(), Some("image/jpeg"));
        assert_eq!(g("Pandas.csv.gz").as_deref(), Some("text/csv"));
        assert_eq!(g("a.tar.gz").as_deref(), Some("application/x-tar"));
        assert_eq!(g("a.tgz").as_deref(), Some("application/x-tar"));
        assert_eq!(g("a.gz"), None);
        assert_eq!(g("a.npz"), None);
        assert_eq!(
            g("s3://bucket/some/file.bin").as_deref(),
            Some("application/octet-stream")
        );
        assert_eq!(g("A.PNG").as_deref(), Some("image/png"));
        assert_eq!(g(".png"), None);
    }
}
