//! Safe extraction of downloaded archives: nothing lands outside the target folder, and the folder appears
//! only once complete.

use std::fs::File;
use std::io;
use std::path::{Component, Path, PathBuf};

use crate::kinds::KindError;
use crate::kinds::file::missing_or_io;

/// Extract `zip` into `dest` (created; it must not exist yet or be empty) and return `dest`. Entries that
/// would land outside `dest` (absolute, `..`, links) make it fail before anything is visible: the archive
/// is unpacked into a temporary folder beside `dest` and renamed into place only when complete. If another
/// process renamed a complete extraction into `dest` first, that folder is returned.
pub(crate) fn extract_zip(zip: &Path, dest: &Path) -> Result<PathBuf, KindError> {
    let f = File::open(zip).map_err(|e| missing_or_io(zip, e))?;
    let mut archive = zip::ZipArchive::new(f).map_err(|e| KindError::bad("zip", zip, e))?;
    let parent = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(|e| KindError::io(&parent, e))?;
    let tmp = tempfile::Builder::new()
        .prefix(".extract-")
        .tempdir_in(&parent)
        .map_err(|e| KindError::io(&parent, e))?;
    for i in 0..archive.len() {
        let mut entry = archive
            .by_index(i)
            .map_err(|e| KindError::bad("zip", zip, e))?;
        let raw = String::from_utf8_lossy(entry.name_raw()).into_owned();
        let unsafe_entry = || KindError::UnsafeEntry {
            archive: zip.to_path_buf(),
            entry: raw.clone(),
        };
        if raw.starts_with(['/', '\\']) {
            return Err(unsafe_entry());
        }
        let rel = entry.enclosed_name().ok_or_else(unsafe_entry)?;
        if rel
            .components()
            .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir))
        {
            return Err(unsafe_entry());
        }
        let out = tmp.path().join(&rel);
        if entry.is_dir() {
            std::fs::create_dir_all(&out).map_err(|e| KindError::io(&out, e))?;
            continue;
        }
        if entry.is_symlink() {
            return Err(unsafe_entry());
        }
        if let Some(p) = out.parent() {
            std::fs::create_dir_all(p).map_err(|e| KindError::io(p, e))?;
        }
        let mut w = File::create(&out).map_err(|e| KindError::io(&out, e))?;
        io::copy(&mut entry, &mut w).map_err(|e| KindError::io(&out, e))?;
    }
    if dest.is_dir() && std::fs::read_dir(dest).is_ok_and(|mut d| d.next().is_none()) {
        // An empty folder may be replaced.
        let _ = std::fs::remove_dir(dest);
    }
    let kept = tmp.keep();
    if let Err(e) = std::fs::rename(&kept, dest) {
        let _ = std::fs::remove_dir_all(&kept);
        // Another process extracted the same archive first: its complete folder is as good as ours.
        if dest.is_dir() && std::fs::read_dir(dest).is_ok_and(|mut d| d.next().is_some()) {
            return Ok(dest.to_path_buf());
        }
        return Err(KindError::io(dest, e));
    }
    Ok(dest.to_path_buf())
}
