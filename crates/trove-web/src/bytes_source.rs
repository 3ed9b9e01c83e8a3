//! Where an artifact's bytes are and how to read them: the server's own files storage (URIs below the public
//! files URL), local files (`file://…` and plain paths of embedded mode), or anything else, which is not read.

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

/// A readable location of artifact bytes.
#[derive(Clone)]
pub(crate) enum Source {
    /// A key in the server's files storage.
    Object {
        /// The storage.
        store: Arc<dyn ObjectStore>,
        /// The object's path.
        path: ObjPath,
    },
    /// A local file.
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

/// The files server's base URL and, for a loopback host, the same URL with the other loopback names
/// (`127.0.0.1`, `localhost`, `[::1]`), since clients record whichever name they were configured with.
fn base_aliases(base: &str) -> Vec<String> {
    let base = base.trim_end_matches('/').to_string();
    let mut out = vec![base.clone()];
    const LOOPBACK: [&str; 3] = ["127.0.0.1", "localhost", "[::1]"];
    if let Some((scheme, rest)) = base.split_once("://") {
        let (host, tail) = match rest.find([':', '/']) {
            Some(i) if !rest.starts_with('[') => (&rest[..i], &rest[i..]),
            _ if rest.starts_with('[') => {
                rest.split_at(rest.find(']').map_or(rest.len(), |i| i + 1))
            }
            _ => (rest, ""),
        };
        if LOOPBACK.contains(&host) {
            out.extend(
                LOOPBACK
                    .iter()
                    .filter(|h| **h != host)
                    .map(|h| format!("{scheme}://{h}{tail}")),
            );
        }
    }
    out
}

/// Decide where `uri` is readable from.
pub(crate) fn resolve(state: &WebState, uri: &str) -> Result<Source, WebError> {
    if let (Some((store, prefix)), Some(base)) = (&state.files, &state.files_public_url) {
        let bases = base_aliases(base);
        if let Some(rest) = bases.iter().find_map(|b| {
            uri.strip_prefix(b.as_str())
                .and_then(|r| r.strip_prefix('/'))
        }) {
            let rest = rest.split(['?', '#']).next().unwrap_or_default();
            let key = trove_core::layout::unquote(rest)
                .filter(|k| trove_core::layout::is_confined(k))
                .ok_or_else(|| WebError::Bytes(format!("{uri} is not a valid files-server key")))?;
            let path = key.split('/').fold(prefix.clone(), |p, part| p.join(part));
            return Ok(Source::Object {
                store: store.clone(),
                path,
            });
        }
    }
    if let Some(p) = uri.strip_prefix("file://") {
        let p = p
            .strip_prefix("localhost")
            .filter(|r| r.starts_with('/'))
            .unwrap_or(p);
        // ClearML records file URIs unquoted; accept quoted ones too.
        let raw = PathBuf::from(p);
        if raw.exists() {
            return Ok(Source::Local(raw));
        }
        let unquoted = trove_core::layout::unquote(p).map(PathBuf::from);
        return Ok(Source::Local(
            unquoted.filter(|u| u.exists()).unwrap_or(raw),
        ));
    }
    if uri.starts_with('/') {
        return Ok(Source::Local(PathBuf::from(uri)));
    }
    let scheme = uri.split_once("://").map(|(s, _)| s.to_ascii_lowercase());
    if let Some(s) = scheme.filter(|s| CLOUD_SCHEMES.contains(&s.as_str())) {
        return open_cloud(state, uri, &s);
    }
    Err(WebError::Bytes(format!(
        "{uri} is not in this server's files storage, a local path or a cloud bucket; the web UI cannot read it"
    )))
}

/// URI schemes read through trove-storage's cloud stores (with the server's configured credentials).
/// Other `http(s)` URIs are never fetched by the server, so records cannot make it call arbitrary hosts.
const CLOUD_SCHEMES: [&str; 6] = ["s3", "gs", "azure", "az", "abfs", "abfss"];

/// Open the object store of the folder holding a cloud object and address the object in it.
fn open_cloud(state: &WebState, uri: &str, scheme: &str) -> Result<Source, WebError> {
    let clean = uri.split(['?', '#']).next().unwrap_or(uri);
    let (parent, name) = clean
        .rsplit_once('/')
        .filter(|(p, n)| !n.is_empty() && p.len() > scheme.len() + 3)
        .ok_or_else(|| WebError::Bytes(format!("{uri} names no object")))?;
    let (store, prefix) = trove_storage::open_store(parent, &state.config)
        .map_err(|e| WebError::Bytes(format!("cannot open the storage of {uri}: {e}")))?;
    let full = if prefix.as_ref().is_empty() {
        name.to_string()
    } else {
        format!("{}/{name}", prefix.as_ref())
    };
    let path = ObjPath::parse(&full).unwrap_or_else(|_| prefix.join(name));
    Ok(Source::Object { store, path })
}

impl Source {
    /// A short name for messages.
    pub(crate) fn describe(&self) -> String {
        match self {
            Self::Object { path, .. } => format!("files storage key {path}"),
            Self::Local(p) => p.display().to_string(),
        }
    }

    /// The size in bytes.
    pub(crate) async fn size(&self) -> Result<u64, WebError> {
        match self {
            Self::Object { store, path } => Ok(store
                .head(path)
                .await
                .map_err(|e| WebError::Bytes(format!("{}: {e}", self.describe())))?
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
                    .map_err(|e| fail(&e))?;
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
                let got = store.get(path).await.map_err(|e| fail(&e))?;
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
            Self::Local(p) => Ok(BlockingReader::File(
                std::fs::File::open(p)
                    .map_err(|e| WebError::Bytes(format!("{}: {e}", p.display())))?,
            )),
            Self::Object { store, path } => {
                let size = rt
                    .block_on(store.head(path))
                    .map_err(|e| WebError::Bytes(format!("{}: {e}", self.describe())))?
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

/// A blocking reader over a [`Source`].
pub(crate) enum BlockingReader {
    /// A local file.
    File(std::fs::File),
    /// Ranged reads from an object store.
    Object(RangeReader),
}

/// Most bytes a preview may fetch from an object store through a [`RangeReader`].
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

impl Read for BlockingReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Self::File(f) => f.read(buf),
            Self::Object(r) => r.read(buf),
        }
    }
}

impl Seek for BlockingReader {
    fn seek(&mut self, pos: SeekFrom) -> std::io::Result<u64> {
        match self {
            Self::File(f) => f.seek(pos),
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
                return Err(std::io::Error::other("preview read limit reached"));
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
    fn loopback_aliases() {
        assert_eq!(
            base_aliases("http://127.0.0.1:8081/"),
            vec![
                "http://127.0.0.1:8081",
                "http://localhost:8081",
                "http://[::1]:8081"
            ]
        );
        assert_eq!(
            base_aliases("http://[::1]:8081")[1],
            "http://127.0.0.1:8081"
        );
        assert_eq!(
            base_aliases("https://files.example.com"),
            vec!["https://files.example.com"]
        );
        assert_eq!(
            base_aliases("http://localhost/files")[1],
            "http://127.0.0.1/files"
        );
    }

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
