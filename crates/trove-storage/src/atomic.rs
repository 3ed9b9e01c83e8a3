//! Write a local file so that no partial file is ever visible under its final name: bytes go to a hidden
//! temporary file in the same folder (`.<name>.<uuid>.trove-part`), which is renamed over the final name
//! only when complete (and synced first when asked: `[storage] fsync = true`). A dropped or failed write
//! removes the temporary file. SHA-256 and size are computed while writing.
//!
//! Local-to-local copies ([`copy_file_atomic`]) run on a blocking thread. On Linux the bytes are copied
//! inside the kernel (`copy_file_range`, as `cp` does) while a second thread reads the *copy* back from the
//! page cache and hashes it, so the hash is of exactly the stored bytes and the copy takes as long as the
//! slower of the two, not their sum. Elsewhere (or when the kernel refuses, e.g. across some file systems)
//! one thread reads and writes while the other hashes the same buffers.

use crate::{PutOutcome, StorageError};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use trove_core::hash::Sha256Stream;

/// Buffer size for local reads.
pub(crate) const IO_CHUNK: usize = 1024 * 1024;
/// Buffers in flight between the copying and the hashing thread.
const BUFFERS: usize = 4;

/// The hidden temporary name next to `dest` (creating `dest`'s folder).
fn temp_path(dest: &Path) -> Result<PathBuf, StorageError> {
    let name = dest.file_name().ok_or_else(|| {
        StorageError::uri(&dest.display().to_string(), "the target has no file name")
    })?;
    let parent = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(|e| StorageError::io("create folder", &parent, e))?;
    Ok(parent.join(format!(
        ".{}.{}.trove-part",
        name.to_string_lossy(),
        uuid::Uuid::new_v4().simple()
    )))
}

/// Removes a temporary file on drop unless it was renamed into place.
struct TempGuard(Option<PathBuf>);

impl Drop for TempGuard {
    fn drop(&mut self) {
        if let Some(tmp) = self.0.take()
            && let Err(e) = std::fs::remove_file(&tmp)
            && e.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!(path = %tmp.display(), error = %e, "cannot remove a temporary file");
        }
    }
}

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
        let tmp = temp_path(dest)?;
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

    /// Rename over the destination and return the hash and size (no fsync: used for downloads, whose
    /// bytes are checked against their hash when read).
    pub(crate) async fn commit(mut self) -> Result<PutOutcome, StorageError> {
        if let Some(mut file) = self.file.take() {
            file.flush()
                .await
                .map_err(|e| StorageError::io("write", &self.tmp, e))?;
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

/// Copy a local file to `dest` atomically, hashing on the way (on a second thread), reporting cumulative
/// bytes; with `fsync` the copy is synced to disk before it is renamed into place.
pub(crate) async fn copy_file_atomic(
    src: &Path,
    dest: &Path,
    fsync: bool,
    progress: &(dyn Fn(u64) + Send + Sync),
) -> Result<PutOutcome, StorageError> {
    let copied = Arc::new(AtomicU64::new(0));
    let (src2, dest2, counter) = (src.to_path_buf(), dest.to_path_buf(), copied.clone());
    let mut job =
        tokio::task::spawn_blocking(move || copy_blocking(&src2, &dest2, fsync, &counter));
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    let result = loop {
        tokio::select! {
            r = &mut job => break r,
            _ = tick.tick() => progress(copied.load(Ordering::Relaxed)),
        }
    };
    let out = result.map_err(|e| StorageError::io("copy", src, std::io::Error::other(e)))??;
    progress(out.size);
    Ok(out)
}

fn copy_blocking(
    src: &Path,
    dest: &Path,
    fsync: bool,
    copied: &AtomicU64,
) -> Result<PutOutcome, StorageError> {
    let mut input = std::fs::File::open(src).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => StorageError::NotFound {
            uri: src.display().to_string(),
        },
        _ => StorageError::io("open", src, e),
    })?;
    let tmp = temp_path(dest)?;
    let mut guard = TempGuard(Some(tmp.clone()));
    let mut out = std::fs::OpenOptions::new()
        .read(true) // the kernel-copy path hashes by reading the copy back
        .write(true)
        .create_new(true)
        .open(&tmp)
        .map_err(|e| StorageError::io("create", &tmp, e))?;
    #[cfg(target_os = "linux")]
    let in_kernel = kernel_copy::copy_hashing(&input, &out, src, &tmp, copied)?;
    #[cfg(not(target_os = "linux"))]
    let in_kernel = None;
    let (sha256, size) = match in_kernel {
        Some(done) => done,
        None => copy_buffers(&mut input, &mut out, src, &tmp, copied)?,
    };
    if fsync {
        out.sync_all()
            .map_err(|e| StorageError::io("sync", &tmp, e))?;
    }
    drop(out);
    std::fs::rename(&tmp, dest).map_err(|e| StorageError::io("rename into place", dest, e))?;
    guard.0 = None;
    Ok(PutOutcome { sha256, size })
}

/// Read, write and hash (on a second thread) through a few reused buffers.
fn copy_buffers(
    input: &mut std::fs::File,
    out: &mut std::fs::File,
    src: &Path,
    tmp: &Path,
    copied: &AtomicU64,
) -> Result<(String, u64), StorageError> {
    // Buffers go: this thread (read, write) → hasher → back here for the next read.
    let (to_hash, hash_rx) = mpsc::sync_channel::<(Vec<u8>, usize)>(BUFFERS);
    let (back, free) = mpsc::sync_channel::<Vec<u8>>(BUFFERS);
    std::thread::scope(|s| -> Result<(String, u64), StorageError> {
        let hasher = s.spawn(move || {
            let mut h = Sha256Stream::new();
            for (buf, n) in hash_rx {
                h.update(&buf[..n]);
                let _ = back.send(buf);
            }
            h.finish()
        });
        let mut spare: Vec<Vec<u8>> = (0..BUFFERS).map(|_| vec![0u8; IO_CHUNK]).collect();
        let mut total = 0u64;
        let copy = (|| loop {
            let mut buf = match spare.pop() {
                Some(b) => b,
                None => free.recv().map_err(|_| {
                    StorageError::io("hash", src, std::io::Error::other("hashing thread ended"))
                })?,
            };
            let n = read_full(input, &mut buf).map_err(|e| StorageError::io("read", src, e))?;
            if n == 0 {
                return Ok(());
            }
            out.write_all(&buf[..n])
                .map_err(|e| StorageError::io("write", tmp, e))?;
            total += n as u64;
            copied.store(total, Ordering::Relaxed);
            to_hash.send((buf, n)).map_err(|_| {
                StorageError::io("hash", src, std::io::Error::other("hashing thread ended"))
            })?;
        })();
        drop(to_hash);
        let hashed = hasher.join().map_err(|_| {
            StorageError::io(
                "hash",
                src,
                std::io::Error::other("hashing thread panicked"),
            )
        })?;
        copy.map(|()| hashed)
    })
}

#[cfg(target_os = "linux")]
mod kernel_copy {
    use super::*;
    use std::os::unix::fs::FileExt;

    /// Bytes per `copy_file_range` call (the hashing thread follows chunk by chunk).
    const CHUNK: usize = 8 * 1024 * 1024;

    /// Copy `input` into `out` in the kernel while another thread hashes what landed in `out`.
    /// `Ok(None)`: the kernel cannot copy between these files (nothing was copied; use buffers).
    pub(super) fn copy_hashing(
        input: &std::fs::File,
        out: &std::fs::File,
        src: &Path,
        tmp: &Path,
        copied: &AtomicU64,
    ) -> Result<Option<(String, u64)>, StorageError> {
        let (tell, told) = mpsc::channel::<u64>();
        std::thread::scope(|s| {
            let hasher = s.spawn(move || -> std::io::Result<(String, u64)> {
                let mut h = Sha256Stream::new();
                let mut buf = vec![0u8; IO_CHUNK];
                let mut at = 0u64;
                for upto in told {
                    while at < upto {
                        let want = IO_CHUNK.min((upto - at) as usize);
                        let n = out.read_at(&mut buf[..want], at)?;
                        if n == 0 {
                            return Err(std::io::Error::other("the copy is shorter than written"));
                        }
                        h.update(&buf[..n]);
                        at += n as u64;
                    }
                }
                Ok(h.finish())
            });
            let mut total = 0u64;
            let copy = loop {
                match rustix::fs::copy_file_range(input, None, out, None, CHUNK) {
                    Ok(0) => break Ok(true),
                    Ok(n) => {
                        total += n as u64;
                        copied.store(total, Ordering::Relaxed);
                        let _ = tell.send(total);
                    }
                    // Not supported here: fall back to buffers if nothing was copied yet.
                    Err(e)
                        if total == 0
                            && [
                                rustix::io::Errno::XDEV,
                                rustix::io::Errno::NOSYS,
                                rustix::io::Errno::INVAL,
                                rustix::io::Errno::OPNOTSUPP,
                            ]
                            .contains(&e) =>
                    {
                        break Ok(false);
                    }
                    Err(rustix::io::Errno::INTR) => {}
                    Err(e) => break Err(StorageError::io("copy", src, e.into())),
                }
            };
            drop(tell);
            let hashed = hasher
                .join()
                .map_err(|_| {
                    StorageError::io(
                        "hash",
                        tmp,
                        std::io::Error::other("hashing thread panicked"),
                    )
                })?
                .map_err(|e| StorageError::io("read back", tmp, e))?;
            match copy? {
                true => Ok(Some(hashed)),
                false => Ok(None),
            }
        })
    }
}

/// Write in-memory `bytes` to `dest` atomically (synced first with `fsync`).
pub(crate) async fn write_bytes_atomic(
    bytes: bytes::Bytes,
    dest: &Path,
    fsync: bool,
) -> Result<PutOutcome, StorageError> {
    let dest = dest.to_path_buf();
    tokio::task::spawn_blocking(move || {
        let outcome = PutOutcome::of(&bytes);
        let tmp = temp_path(&dest)?;
        let mut guard = TempGuard(Some(tmp.clone()));
        let mut out = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
            .map_err(|e| StorageError::io("create", &tmp, e))?;
        out.write_all(&bytes)
            .map_err(|e| StorageError::io("write", &tmp, e))?;
        if fsync {
            out.sync_all()
                .map_err(|e| StorageError::io("sync", &tmp, e))?;
        }
        drop(out);
        std::fs::rename(&tmp, &dest)
            .map_err(|e| StorageError::io("rename into place", &dest, e))?;
        guard.0 = None;
        Ok(outcome)
    })
    .await
    .map_err(|e| StorageError::io("write", Path::new("."), std::io::Error::other(e)))?
}

/// Fill `buf` as far as the file allows (fewer, larger writes and hash calls).
fn read_full(f: &mut std::fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match f.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sha(bytes: &[u8]) -> String {
        PutOutcome::of(bytes).sha256
    }

    fn sample(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i * 31 % 251) as u8).collect()
    }

    #[tokio::test]
    async fn copies_hash_the_stored_bytes_at_any_size() {
        let dir = tempfile::tempdir().unwrap();
        // Empty, tiny, one byte over a buffer, and over one kernel-copy chunk (8 MiB).
        for len in [0, 1, IO_CHUNK + 1, 8 * 1024 * 1024 + 3] {
            let data = sample(len);
            let src = dir.path().join(format!("src-{len}"));
            std::fs::write(&src, &data).unwrap();
            let dest = dir.path().join("out").join(format!("dest-{len}"));
            for fsync in [false, true] {
                let out = copy_file_atomic(&src, &dest, fsync, &|_| {}).await.unwrap();
                assert_eq!(out.size, len as u64);
                assert_eq!(out.sha256, sha(&data));
                assert_eq!(std::fs::read(&dest).unwrap(), data);
            }
        }
        let leftovers: Vec<_> = std::fs::read_dir(dir.path().join("out"))
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".trove-part"))
            .collect();
        assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    }

    #[test]
    fn buffer_copy_agrees_with_the_kernel_copy() {
        let dir = tempfile::tempdir().unwrap();
        let data = sample(3 * IO_CHUNK + 17);
        let src = dir.path().join("src");
        std::fs::write(&src, &data).unwrap();
        let tmp = dir.path().join("copy");
        let mut input = std::fs::File::open(&src).unwrap();
        let mut out = std::fs::File::create(&tmp).unwrap();
        let copied = AtomicU64::new(0);
        let (hash, size) = copy_buffers(&mut input, &mut out, &src, &tmp, &copied).unwrap();
        assert_eq!((hash, size), (sha(&data), data.len() as u64));
        assert_eq!(copied.load(Ordering::Relaxed), data.len() as u64);
        assert_eq!(std::fs::read(&tmp).unwrap(), data);
    }

    #[tokio::test]
    async fn a_missing_source_is_not_found_and_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let err = copy_file_atomic(
            &dir.path().join("nope"),
            &dir.path().join("d"),
            false,
            &|_| {},
        )
        .await
        .unwrap_err();
        assert!(matches!(err, StorageError::NotFound { .. }), "{err}");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[tokio::test]
    async fn bytes_are_written_atomically() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("a/b.json");
        let out = write_bytes_atomic(bytes::Bytes::from_static(b"{\"x\": 1}"), &dest, true)
            .await
            .unwrap();
        assert_eq!(out, PutOutcome::of(b"{\"x\": 1}"));
        assert_eq!(std::fs::read(&dest).unwrap(), b"{\"x\": 1}");
        assert_eq!(std::fs::read_dir(dir.path().join("a")).unwrap().count(), 1);
    }
}
