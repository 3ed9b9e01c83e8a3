//! Text (`string`) and link (`custom`, nothing uploaded) artifacts; any file read back as text or bytes.

use std::io::Write;
use std::path::Path;

use trove_core::preview::cap_with_header;

use super::mime::guess_content_type;
use super::staging::{stage_limited, wio};
use super::{FromArtifact, KindError, Serialized, read_all};

/// `<name>.txt`, `text/plain`, the text as preview (64 KiB rule).
pub(super) fn serialize_text(
    name: &str,
    text: &str,
    memory_limit: usize,
    dir: &Path,
) -> Result<Serialized, KindError> {
    let st = stage_limited(dir, name, ".txt", memory_limit, |w| {
        w.write_all(text.as_bytes()).map_err(wio(name))
    })?;
    let preview = cap_with_header(text, "# full text too large to store, storing first 64kb");
    Ok(Serialized::staged(
        "string",
        format!("{name}.txt"),
        st,
        Some("text/plain"),
        preview,
    ))
}

/// A remote URL: no file, `hash`/`size` unset, content type guessed from the URL, empty preview.
pub(super) fn serialize_link(url: &str) -> Serialized {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    Serialized {
        kind: "custom".into(),
        file_name: None,
        path: None,
        bytes: None,
        temp: false,
        hash: None,
        size: None,
        content_type: guess_content_type(path),
        preview: String::new(),
        link: Some(url.to_string()),
    }
}

impl FromArtifact for String {
    /// The file's text (any artifact type whose file is UTF-8: `string`, `dict`, csv...).
    fn from_artifact(_: &str, _: Option<&str>, _: &str, local: &Path) -> Result<Self, KindError> {
        String::from_utf8(read_all(local)?).map_err(|e| KindError::bad("UTF-8 text", local, e))
    }
}

impl FromArtifact for Vec<u8> {
    /// The file's raw bytes (for custom deserialisers).
    fn from_artifact(_: &str, _: Option<&str>, _: &str, local: &Path) -> Result<Self, KindError> {
        read_all(local)
    }
}
