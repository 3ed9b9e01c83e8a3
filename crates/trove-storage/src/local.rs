//! A local folder destination. Keys map to files below the root byte for byte (ClearML's layout keeps spaces,
//! brackets and non-ASCII characters as they are). The root must exist; folders below it are created.

use crate::atomic::copy_file_atomic;
use crate::{PutOutcome, StorageError};
use std::path::{Component, Path, PathBuf};

/// Turn a plain path or a `file://` uri into an absolute, lexically cleaned path (`~` is the home folder).
pub(crate) fn local_path(uri: &str) -> Result<PathBuf, StorageError> {
    let raw = match uri.strip_prefix("file://") {
        Some(rest) => rest
            .strip_prefix("localhost")
            .filter(|r| r.starts_with('/'))
            .unwrap_or(rest),
        None => uri,
    };
    if raw.is_empty() {
        return Err(StorageError::uri(uri, "the path is empty"));
    }
    if raw.contains('\0') {
        return Err(StorageError::uri(uri, "the path contains a NUL byte"));
    }
    let expanded = match raw.strip_prefix("~") {
        Some(rest) if rest.is_empty() || rest.starts_with('/') => {
            let home = std::env::var_os("HOME")
                .ok_or_else(|| StorageError::uri(uri, "'~' is used but HOME is not set"))?;
            PathBuf::from(home).join(rest.trim_start_matches('/'))
        }
        _ => PathBuf::from(raw),
    };
    let abs =
        std::path::absolute(&expanded).map_err(|e| StorageError::io("resolve", &expanded, e))?;
    let mut clean = PathBuf::new();
    for c in abs.components() {
        match c {
            Component::ParentDir => {
                clean.pop();
            }
            Component::CurDir => {}
            other => clean.push(other),
        }
    }
    Ok(clean)
}

/// The normalised uri of a local folder: `file:///abs/dir` (no trailing slash, except for the root itself).
pub(crate) fn file_uri(path: &Path) -> String {
    let s = path.to_string_lossy();
    let s = s.trim_end_matches('/');
    format!("file://{}", if s.is_empty() { "/" } else { s })
}

/// Check that `root` exists, is a folder, and accepts a new file (written and removed again).
pub(crate) async fn check_writable(root: &Path) -> Result<(), StorageError> {
    ensure_root(root).await?;
    let probe = root.join(format!(".trove.{}.test", uuid::Uuid::new_v4().simple()));
    let not_writable = |e: std::io::Error| StorageError::NotWritable {
        destination: root.display().to_string(),
        reason: format!("cannot create {}: {e}", probe.display()),
    };
    tokio::fs::write(&probe, b"trove write test")
        .await
        .map_err(not_writable)?;
    tokio::fs::remove_file(&probe)
        .await
        .map_err(|e| StorageError::NotWritable {
            destination: root.display().to_string(),
            reason: format!("cannot remove the test file {}: {e}", probe.display()),
        })
}

/// The root must be an existing folder.
async fn ensure_root(root: &Path) -> Result<(), StorageError> {
    match tokio::fs::metadata(root).await {
        Ok(m) if m.is_dir() => Ok(()),
        Ok(_) => Err(StorageError::NotAFolder {
            path: root.to_path_buf(),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(StorageError::MissingFolder {
            path: root.to_path_buf(),
        }),
        Err(e) => Err(StorageError::io("inspect", root, e)),
    }
}

/// Copy `local` to `<root>/<key>` atomically (synced to disk first with `fsync`).
pub(crate) async fn put_file(
    root: &Path,
    key: &str,
    local: &Path,
    fsync: bool,
    progress: &(dyn Fn(u64) + Send + Sync),
) -> Result<PutOutcome, StorageError> {
    ensure_root(root).await?;
    let target = root.join(key);
    tracing::debug!(from = %local.display(), to = %target.display(), "copying to a local destination");
    copy_file_atomic(local, &target, fsync, progress)
        .await
        .map_err(|e| match e {
            // The source is what is missing here, not an object of the destination.
            StorageError::NotFound { .. } => StorageError::io(
                "read",
                local,
                std::io::Error::new(std::io::ErrorKind::NotFound, "file not found"),
            ),
            other => other,
        })
}

/// Write `bytes` to `<root>/<key>` atomically (synced to disk first with `fsync`).
pub(crate) async fn put_bytes(
    root: &Path,
    key: &str,
    bytes: bytes::Bytes,
    fsync: bool,
) -> Result<PutOutcome, StorageError> {
    ensure_root(root).await?;
    crate::atomic::write_bytes_atomic(bytes, &root.join(key), fsync).await
}

/// Copy `<root>/<key>` to `dest` atomically.
pub(crate) async fn get_to_file(
    root: &Path,
    key: &str,
    dest: &Path,
    progress: &(dyn Fn(u64) + Send + Sync),
) -> Result<PutOutcome, StorageError> {
    copy_file_atomic(&root.join(key), dest, false, progress).await
}

/// Remove `<root>/<key>`; a missing file is not an error.
pub(crate) async fn delete(root: &Path, key: &str) -> Result<(), StorageError> {
    let target = root.join(key);
    match tokio::fs::remove_file(&target).await {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(StorageError::io("delete", &target, e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_made_absolute_and_clean() {
        assert_eq!(
            local_path("file:///a/b/../c/").unwrap(),
            PathBuf::from("/a/c")
        );
        assert_eq!(local_path("/x/./y").unwrap(), PathBuf::from("/x/y"));
        let rel = local_path("rel dir").unwrap();
        assert!(rel.is_absolute() && rel.ends_with("rel dir"));
        assert_eq!(file_uri(Path::new("/a/c")), "file:///a/c");
        assert_eq!(file_uri(Path::new("/")), "file:///");
        assert!(local_path("").is_err());
    }
}
