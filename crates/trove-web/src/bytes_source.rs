//! Where an artifact's bytes are and how to read them, bounded. Only [`StorageRoots`] decide: the server's
//! files storage, and the local folders and buckets its administrator allowed; a record naming anything else
//! is shown but never read ([`resolve`]).

use crate::WebState;
use crate::error::WebError;
use bytes::Bytes;
use futures::StreamExt;
use futures::stream::BoxStream;
use object_store::path::Path as ObjPath;
use object_store::{ObjectStore, ObjectStoreExt};
use std::io::{Read, Seek, SeekFrom};
use std::path::PathBuf;
use std::sync::Arc;
use tokio::io::AsyncReadExt;
use trove_storage::{Located, StorageError};

/// A readable location of artifact bytes.
#[derive(Clone)]
pub(crate) enum Source {
    /// An object in an allowed store (the files storage or an allowed bucket).
    Object {
        /// The store, opened from the configuration.
        store: Arc<dyn ObjectStore>,
        /// The object's path.
        path: ObjPath,
    },
    /// A file inside an allowed local folder.
    Local(PathBuf),
}

/// True for URIs the UI shows as local paths (copy to clipboard, no link): `/…`, `file://…`, `C:\…`, `\\…`.
pub(crate) fn is_local_uri(uri: &str) -> bool {
    let b = uri.as_bytes();
    uri.starts_with('/')
        || uri.starts_with("file://")
        || uri.starts_with("\\\\")
        || (b.len() > 2
            && b[0].is_ascii_alphabetic()
            && b[1] == b':'
            && (b[2] == b'\\' || b[2] == b'/'))
}

/// Where `uri` is readable from, if it lies inside one of the server's storage roots.
pub(crate) fn resolve(state: &WebState, uri: &str) -> Result<Source, WebError> {
    match state.roots.locate(uri) {
        Ok(Located::Local(p)) => Ok(Source::Local(p)),
        Ok(Located::Object { store, path }) => Ok(Source::Object { store, path }),
        Err(e @ StorageError::NotAllowed { .. }) => Err(WebError::Bytes(e.to_string())),
        Err(e) => Err(WebError::Bytes(format!("{uri}: {e}"))),
    }
}

/// An object-store error in words that never name the storage's own paths (a local files folder's
/// absolute path is in object_store's messages); the details go to the log.
fn object_error(e: &object_store::Error) -> String {
    match e {
        object_store::Error::NotFound { .. } => "the stored object does not exist".into(),
        other => {
            tracing::warn!(error = %other, "reading an artifact from storage failed");
            "the storage could not be read (details in the server log)".into()
        }
    }
}

impl Source {
    /// A short name for messages.
    pub(crate) fn describe(&self) -> String {
        match self {
            Self::Object { path, .. } => format!("stored object {path}"),
            Self::Local(p) => p.display().to_string(),
        }
    }

    /// The size in bytes.
    pub(crate) async fn size(&self) -> Result<u64, WebError> {
        match self {
            Self::Object { store, path } => Ok(store
                .head(path)
                .await
                .map_err(|e| WebError::Bytes(object_error(&e)))?
                .size),
            Self::Local(p) => Ok(tokio::fs::metadata(p)
                .await
                .map_err(|e| WebError::Bytes(format!("{}: {e}", self.describe())))?
                .len()),
        }
    }

    /// The first `max` bytes (fewer if the file is shorter).
    pub(crate) async fn read_head(&self, max: u64) -> Result<Vec<u8>, WebError> {
        let fail = |e: &dyn std::fmt::Display| WebError::Bytes(format!("{}: {e}", self.describe()));
        match self {
            Self::Object { store, path } => {
                let size = self.size().await?;
                let got = store
                    .get_range(path, 0..size.min(max))
                    .await
                    .map_err(|e| WebError::Bytes(object_error(&e)))?;
                Ok(got.to_vec())
            }
            Self::Local(p) => {
                let f = tokio::fs::File::open(p).await.map_err(|e| fail(&e))?;
                let mut buf = Vec::new();
                f.take(max)
                    .read_to_end(&mut buf)
                    .await
                    .map_err(|e| fail(&e))?;
                Ok(buf)
            }
        }
    }

    /// The whole content as a stream of chunks, with its length.
    pub(crate) async fn stream(
        &self,
    ) -> Result<(u64, BoxStream<'static, std::io::Result<Bytes>>), WebError> {
        let fail = |e: &dyn std::fmt::Display| WebError::Bytes(format!("{}: {e}", self.describe()));
        match self {
            Self::Object { store, path } => {
                let got = store
                    .get(path)
                    .await
                    .map_err(|e| WebError::Bytes(object_error(&e)))?;
                let size = got.meta.size;
                let s = got
                    .into_stream()
                    .map(|r| r.map_err(std::io::Error::other))
                    .boxed();
                Ok((size, s))
            }
            Self::Local(p) => {
                let f = tokio::fs::File::open(p).await.map_err(|e| fail(&e))?;
                let size = f.metadata().await.map_err(|e| fail(&e))?.len();
                let s = futures::stream::try_unfold(f, |mut f| async move {
                    let mut buf = vec![0u8; 256 * 1024];
                    let n = f.read(&mut buf).await?;
                    if n == 0 {
                        return Ok(None);
                    }
                    buf.truncate(n);
                    Ok(Some((Bytes::from(buf), f)))
                })
                .boxed();
                Ok((size, s))
            }
        }
    }

    /// A blocking `Read + Seek` view (for zip readers); call it inside `spawn_blocking`.
    pub(crate) fn blocking_reader(
        &self,
        rt: tokio::runtime::Handle,
    ) -> Result<BlockingReader, WebError> {
        match self {
            Self::Local(p) => Ok(BlockingReader::File {
                file: std::fs::File::open(p)
                    .map_err(|e| WebError::Bytes(format!("{}: {e}", p.display())))?,
                read: 0,
            }),
            Self::Object { store, path } => {
                let size = rt
                    .block_on(store.head(path))
                    .map_err(|e| WebError::Bytes(object_error(&e)))?
                    .size;
                Ok(BlockingReader::Object(RangeReader {
                    rt,
                    store: store.clone(),
                    path: path.clone(),
                    size,
                    pos: 0,
                    block: (u64::MAX, Bytes::new()),
                    fetched: 0,
                }))
            }
        }
    }
}

/// A blocking reader over a [`Source`], bounded by [`MAX_PREVIEW_FETCH`] bytes read in total.
pub(crate) enum BlockingReader {
    /// A local file.
    File {
        /// The file.
        file: std::fs::File,
        /// Bytes read so far.
        read: u64,
    },
    /// Ranged reads from an object store.
    Object(RangeReader),
}

/// Most bytes a preview may read through a [`BlockingReader`] (local files and object stores alike).
pub(crate) const MAX_PREVIEW_FETCH: u64 = 8 * 1024 * 1024;
const BLOCK: u64 = 256 * 1024;

/// Reads an object in 256 KiB ranges, bounded by [`MAX_PREVIEW_FETCH`] in total.
pub(crate) struct RangeReader {
    rt: tokio::runtime::Handle,
    store: Arc<dyn ObjectStore>,
    path: ObjPath,
    size: u64,
    pos: u64,
    block: (u64, Bytes),
    fetched: u64,
}

fn limit_reached() -> std::io::Error {
    std::io::Error::other("preview read limit reached")
}

impl Read for BlockingReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Self::File { file, read } => {
                if *read >= MAX_PREVIEW_FETCH {
                    return Err(limit_reached());
                }
                let room = (MAX_PREVIEW_FETCH - *read).min(buf.len() as u64) as usize;
                let n = file.read(&mut buf[..room])?;
                *read += n as u64;
                Ok(n)
            }
            Self::Object(r) => r.read(buf),
        }
    }
}

impl Seek for BlockingReader {
    fn seek(&mut self, pos: SeekFrom) -> std::io::Result<u64> {
        match self {
            Self::File { file, .. } => file.seek(pos),
            Self::Object(r) => r.seek(pos),
        }
    }
}

impl Read for RangeReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.pos >= self.size || buf.is_empty() {
            return Ok(0);
        }
        let start = self.pos - self.pos % BLOCK;
        if self.block.0 != start {
            let end = (start + BLOCK).min(self.size);
            self.fetched += end - start;
            if self.fetched > MAX_PREVIEW_FETCH {
                return Err(limit_reached());
            }
            let bytes = self
                .rt
                .block_on(self.store.get_range(&self.path, start..end))
                .map_err(std::io::Error::other)?;
            self.block = (start, bytes);
        }
        let off = (self.pos - start) as usize;
        let avail = &self.block.1[off.min(self.block.1.len())..];
        let n = avail.len().min(buf.len());
        buf[..n].copy_from_slice(&avail[..n]);
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for RangeReader {
    fn seek(&mut self, pos: SeekFrom) -> std::io::Result<u64> {
        let new = match pos {
            SeekFrom::Start(p) => p as i128,
            SeekFrom::End(d) => self.size as i128 + d as i128,
            SeekFrom::Current(d) => self.pos as i128 + d as i128,
        };
        if new < 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "seek before the start",
            ));
        }
        self.pos = new as u64;
        Ok(self.pos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_uri_detection() {
        for u in ["/a/b", "file:///a/b", "C:\\x\\y", "\\\\share\\x"] {
            assert!(is_local_uri(u), "{u}");
        }
        for u in ["http://h/a", "s3://b/k", "gs://b/k", "azure://a/b"] {
            assert!(!is_local_uri(u), "{u}");
        }
    }
}
