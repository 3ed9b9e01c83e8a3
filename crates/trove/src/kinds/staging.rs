//! Staging files: written under the caller's staging folder, hashed while written, renamed into their
//! unique final name only once complete.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use trove_core::HashingWriter;

use super::KindError;
use super::pyfmt::quote;

/// The writer a kind serialises into: bytes go to the staging file and through SHA-256.
pub type StageWriter = HashingWriter<BufWriter<File>>;

/// A complete staging file.
pub struct Staged {
    /// Its path (unique in the staging folder).
    pub path: PathBuf,
    /// Hex SHA-256 of its bytes.
    pub hash: String,
    /// Its size in bytes.
    pub size: u64,
}

/// Write a staging file named `<quote(stem)>.<random><ext>` in `dir` with `write`, hashing as it goes.
/// The bytes go to a hidden partial file that is renamed over the reserved unique name when done, so
/// the returned path is complete; on error nothing is left behind.
pub fn stage<F>(dir: &Path, stem: &str, ext: &str, write: F) -> Result<Staged, KindError>
where
    F: FnOnce(&mut StageWriter) -> Result<(), KindError>,
{
    std::fs::create_dir_all(dir).map_err(|e| KindError::io(dir, e))?;
    let mut prefix: String = quote(stem).chars().take(80).collect();
    prefix.push('.');
    let reserved = tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(ext)
        .tempfile_in(dir)
        .map_err(|e| KindError::io(dir, e))?;
    let partial = tempfile::Builder::new()
        .prefix(".partial-")
        .tempfile_in(dir)
        .map_err(|e| KindError::io(dir, e))?;
    let file = partial
        .reopen()
        .map_err(|e| KindError::io(partial.path(), e))?;
    let mut w = HashingWriter::new(BufWriter::with_capacity(1 << 16, file));
    write(&mut w)?;
    let (buf, hash, size) = w.finish();
    let mut file = buf
        .into_inner()
        .map_err(|e| KindError::io(partial.path(), e.into_error()))?;
    file.flush().map_err(|e| KindError::io(partial.path(), e))?;
    drop(file);
    let (_, final_path) = reserved.keep().map_err(|e| KindError::io(dir, e.error))?;
    partial.persist(&final_path).map_err(|e| {
        let _ = std::fs::remove_file(&final_path);
        KindError::io(&final_path, e.error)
    })?;
    Ok(Staged {
        path: final_path,
        hash,
        size,
    })
}

/// Map an I/O error raised while writing a staging file.
pub fn wio(name: &str) -> impl Fn(std::io::Error) -> KindError + '_ {
    move |e| KindError::ser(name, format!("writing the staging file failed: {e}"))
}
