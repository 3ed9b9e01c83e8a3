//! File artifacts (`custom`): a local file uploaded as is (folders are `archive`'s).

use std::fs::File;
use std::io;
use std::path::Path;

use trove_core::preview::format_size;

use super::mime::guess_content_type;
use super::{KindError, Serialized};

pub(super) fn missing_or_io(p: &Path, e: io::Error) -> KindError {
    if e.kind() == io::ErrorKind::NotFound {
        KindError::MissingPath(p.to_path_buf())
    } else {
        KindError::io(p, e)
    }
}

pub(super) fn base_name(p: &Path) -> String {
    match p.file_name() {
        Some(n) => n.to_string_lossy().into_owned(),
        None => std::fs::canonicalize(p)
            .ok()
            .and_then(|c| c.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| "root".into()),
    }
}

/// A local file uploaded as is. The file is not read here: its SHA-256 is
/// computed while it is uploaded (one pass over the bytes), so `hash` is `None` until then.
pub(super) fn serialize_file(p: &Path) -> Result<Serialized, KindError> {
    let meta = std::fs::metadata(p).map_err(|e| missing_or_io(p, e))?;
    // Fail now, in the caller's thread, if the file cannot be read.
    File::open(p).map_err(|e| missing_or_io(p, e))?;
    let size = meta.len();
    let base = base_name(p);
    Ok(Serialized {
        kind: "custom".into(),
        file_name: Some(base.clone()),
        path: Some(p.to_path_buf()),
        bytes: None,
        temp: false,
        hash: None,
        size: Some(size),
        content_type: guess_content_type(&base),
        preview: trove_core::preview::cap_preview(format!("{base} - {}\n", format_size(size))),
        link: None,
    })
}
