//! Write a local file so that no partial file is ever visible under its final name: bytes go to a hidden
//! temporary file in the same folder (`.<name>.<uuid>.trove-part`), which is synced and renamed over the
//! final name only when complete. A dropped or failed write removes the temporary file. SHA-256 and size
//! are computed while writing.

use crate::{PutOutcome, StorageError};
use std::path::{Path, PathBuf};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use trove_core::hash::Sha256Stream;

/// Buffer size for local reads.
pub(crate) const IO_CHUNK: usize = 1024 * 1024;

/// A file being written; see the module doc.
pub(crate) struct AtomicFile {
    file: Option<tokio::fs::File>,
    tmp: PathBuf,
    dest: PathBuf,
    hash: Sha256Stream,
    len: u64,
    committed: bool,
}

impl AtomicFile {
    /// Start writing `dest`, creating its parent folders.
    pub(crate) async fn create(dest: &Path) -> Result<Self, StorageError> {
        let name = dest.file_name().ok_or_else(|| {
            StorageError::uri(&dest.display().to_string(), "the target has no file name")
        })?;
        let parent = match dest.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        tokio::fs::create_dir_all(&parent)
            .await
            .map_err(|e| StorageError::io("create folder", &parent, e))?;
        let tmp = parent.join(format!(
            ".{}.{}.trove-part",
            name.to_string_lossy(),
            uuid::Uuid::new_v4().simple()
        ));
        let file = tokio::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
            .await
            .map_err(|e| StorageError::io("create", &tmp, e))?;
        Ok(Self {
            file: Some(file),
            tmp,
            dest: dest.to_path_buf(),
            hash: Sha256Stream::new(),
            len: 0,
            committed: false,
        })
    }

    /// Append bytes.
    pub(crate) async fn write(&mut self, bytes: &[u8]) -> Result<(), StorageError> {
        let Some(file) = self.file.as_mut() else {
            return Err(StorageError::io(
                "write",
                &self.tmp,
                std::io::Error::other("file already closed"),
            ));
        };
        file.write_all(bytes)
            .await
            .map_err(|e| StorageError::io("write", &self.tmp, e))?;
        self.hash.update(bytes);
        self.len += bytes.len() as u64;
        Ok(())
    }

    /// Bytes written so far.
    pub(crate) fn len(&self) -> u64 {
        self.len
    }

    /// Sync, rename over the destination, and return the hash and size.
    pub(crate) async fn commit(mut self) -> Result<PutOutcome, StorageError> {
        if let Some(mut file) = self.file.take() {
            file.flush()
                .await
                .map_err(|e| StorageError::io("write", &self.tmp, e))?;
            file.sync_all()
                .await
                .map_err(|e| StorageError::io("sync", &self.tmp, e))?;
        }
        tokio::fs::rename(&self.tmp, &self.dest)
            .await
            .map_err(|e| StorageError::io("rename into place", &self.dest, e))?;
        self.committed = true;
        let (sha256, size) = std::mem::take(&mut self.hash).finish();
        Ok(PutOutcome { sha256, size })
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if !self.committed {
            drop(self.file.take());
            if let Err(e) = std::fs::remove_file(&self.tmp)
                && e.kind() != std::io::ErrorKind::NotFound
            {
                tracing::warn!(path = %self.tmp.display(), error = %e, "cannot remove a temporary file");
            }
        }
    }
}

/// Copy a local file into an [`AtomicFile`] at `dest`, hashing on the way, reporting cumulative bytes.
pub(crate) async fn copy_file_atomic(
    src: &Path,
    dest: &Path,
    progress: &(dyn Fn(u64) + Send + Sync),
) -> Result<PutOutcome, StorageError> {
    let mut input = tokio::fs::File::open(src)
        .await
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => StorageError::NotFound {
                uri: src.display().to_string(),
            },
            _ => StorageError::io("open", src, e),
        })?;
    let mut out = AtomicFile::create(dest).await?;
    let mut buf = vec![0u8; IO_CHUNK];
    loop {
        let n = input
            .read(&mut buf)
            .await
            .map_err(|e| StorageError::io("read", src, e))?;
        if n == 0 {
            break;
        }
        out.write(&buf[..n]).await?;
        progress(out.len());
    }
    out.commit().await
}
