//! [`Destination`]: one parsed output uri and the operations on keys below it; [`download_uri`],
//! [`delete_uri`] and [`open_store`] for recorded uris and server storage roots.

use crate::files_server::{FilesClient, TokenProvider};
use crate::{PutOutcome, StorageError, TransferOptions, guess_content_type, local, objects};
use object_store::ObjectStore;
use object_store::path::Path as ObjPath;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use trove_core::Config;
use trove_core::layout::{is_confined, join_uri};

/// Where artifact bytes go: a local folder, a cloud bucket (with a prefix), or a files server.
/// Cheap to clone; safe to share between tasks.
#[derive(Clone)]
pub struct Destination {
    uri: String,
    backend: Backend,
    opts: TransferOptions,
}

#[derive(Clone)]
enum Backend {
    Local(PathBuf),
    Object {
        store: Arc<dyn ObjectStore>,
        prefix: ObjPath,
    },
    Files(FilesClient),
}

impl std::fmt::Debug for Destination {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match &self.backend {
            Backend::Local(_) => "local",
            Backend::Object { .. } => "object store",
            Backend::Files(_) => "files server",
        };
        f.debug_struct("Destination")
            .field("uri", &self.uri)
            .field("kind", &kind)
            .finish()
    }
}

/// The lower-case scheme of a uri, or `None` for a plain path.
fn scheme_of(uri: &str) -> Option<String> {
    let (scheme, _) = uri.split_once("://")?;
    let ok = !scheme.is_empty()
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic());
    ok.then(|| scheme.to_ascii_lowercase())
}

fn check_key(key: &str) -> Result<(), StorageError> {
    if is_confined(key) {
        Ok(())
    } else {
        Err(StorageError::InvalidKey {
            key: key.to_string(),
        })
    }
}

/// An opened cloud store: (normalised uri, store, prefix).
type OpenedCloud = (String, Arc<dyn ObjectStore>, ObjPath);

#[cfg(feature = "_cloud")]
fn open_cloud(
    uri: &str,
    scheme: &str,
    cfg: &Config,
    opts: &TransferOptions,
) -> Result<OpenedCloud, StorageError> {
    let o = match scheme {
        #[cfg(feature = "s3")]
        "s3" => crate::cloud::s3::open(uri, cfg, opts)?,
        #[cfg(feature = "gcs")]
        "gs" => crate::cloud::gcs::open(uri, cfg, opts)?,
        #[cfg(feature = "azure")]
        "azure" | "az" | "abfs" | "abfss" => crate::cloud::azure::open(uri, cfg, opts)?,
        _ => return Err(not_compiled(uri, scheme)),
    };
    Ok((o.uri, o.store, o.prefix))
}

#[cfg(not(feature = "_cloud"))]
fn open_cloud(
    uri: &str,
    scheme: &str,
    _: &Config,
    _: &TransferOptions,
) -> Result<OpenedCloud, StorageError> {
    Err(not_compiled(uri, scheme))
}

/// The error for a cloud scheme whose cargo feature is off.
#[allow(dead_code)]
fn not_compiled(uri: &str, scheme: &str) -> StorageError {
    let (what, feature) = match scheme {
        "s3" => ("S3", "s3"),
        "gs" => ("Google Cloud Storage", "gcs"),
        _ => ("Azure Blob", "azure"),
    };
    StorageError::SchemeNotCompiled {
        uri: uri.to_string(),
        what,
        feature,
    }
}

/// Split a recorded cloud object uri into (its destination uri, key).
fn split_cloud_object_uri(uri: &str, scheme: &str) -> Option<(String, String)> {
    match scheme {
        #[cfg(feature = "s3")]
        "s3" => crate::cloud::s3::split_object_uri(uri),
        #[cfg(feature = "gcs")]
        "gs" => crate::cloud::gcs::split_object_uri(uri),
        #[cfg(feature = "azure")]
        "azure" | "az" | "abfs" | "abfss" => crate::cloud::azure::split_object_uri(uri),
        _ => {
            let _ = uri;
            None
        }
    }
}

const CLOUD_SCHEMES: [&str; 6] = ["s3", "gs", "azure", "az", "abfs", "abfss"];

impl Destination {
    /// Parse a destination: a plain path or `file://` uri (made absolute: `file:///abs/dir`), `s3://bucket/prefix`,
    /// `gs://bucket/prefix`, `azure://account/container/prefix` (also `az://container/prefix` and
    /// `abfs://container@account.dfs.core.windows.net/prefix`), or `http(s)://host:port[/prefix]` = a trove or
    /// ClearML files server. Transfer options come from the `[storage]` section of `cfg`, credentials from its
    /// `[s3]`, `[gcs]`, `[azure]` sections or the environment; missing cloud credentials are an error here.
    /// Nothing is contacted: use [`Destination::check_writable`] for that.
    pub fn parse(uri: &str, cfg: &Config) -> Result<Destination, StorageError> {
        Self::parse_with(uri, cfg, TransferOptions::from_config(cfg)?)
    }

    /// [`Destination::parse`] with explicit transfer options instead of those of the configuration.
    pub fn parse_with(
        uri: &str,
        cfg: &Config,
        opts: TransferOptions,
    ) -> Result<Destination, StorageError> {
        let uri = uri.trim();
        if uri.is_empty() {
            return Err(StorageError::uri(uri, "the destination is empty"));
        }
        let scheme = scheme_of(uri);
        match scheme.as_deref() {
            None | Some("file") => {
                let root = local::local_path(uri)?;
                Ok(Destination {
                    uri: local::file_uri(&root),
                    backend: Backend::Local(root),
                    opts,
                })
            }
            Some("http") | Some("https") => {
                let (client, norm) = FilesClient::parse(uri, cfg.files_server.as_deref(), &opts)?;
                Ok(Destination {
                    uri: norm,
                    backend: Backend::Files(client),
                    opts,
                })
            }
            Some(s) if CLOUD_SCHEMES.contains(&s) => {
                let (uri, store, prefix) = open_cloud(uri, s, cfg, &opts)?;
                Ok(Destination {
                    uri,
                    backend: Backend::Object { store, prefix },
                    opts,
                })
            }
            Some(s) => Err(StorageError::uri(
                uri,
                format!(
                    "unsupported scheme '{s}': use a path, file://, s3://, gs://, azure://, az://, abfs://, http:// or https://"
                ),
            )),
        }
    }

    /// Set the provider of the bearer token sent to a files server (asked before every request, since tokens
    /// expire). Other destinations ignore it.
    pub fn with_token_provider(mut self, provider: TokenProvider) -> Self {
        if let Backend::Files(c) = &mut self.backend {
            c.set_token_provider(Some(provider));
        }
        self
    }

    /// The normalised uri, without a trailing slash (`file:///abs/dir`, `s3://bucket/prefix`, ...).
    pub fn uri(&self) -> &str {
        &self.uri
    }

    /// The uri of `key` below this destination, as recorded in an artifact ([`trove_core::layout::join_uri`]:
    /// percent-encoded for http(s), raw otherwise).
    pub fn uri_for(&self, key: &str) -> String {
        join_uri(&self.uri, key)
    }

    /// The transfer options in use.
    pub fn transfer_options(&self) -> &TransferOptions {
        &self.opts
    }

    /// The folder of a local destination.
    pub fn local_root(&self) -> Option<&Path> {
        match &self.backend {
            Backend::Local(p) => Some(p),
            _ => None,
        }
    }

    /// True for a files server destination.
    pub fn is_files_server(&self) -> bool {
        matches!(self.backend, Backend::Files(_))
    }

    /// Check that the destination can be written: a local folder must exist and accept a file, a cloud bucket
    /// must accept (and delete) a test object `<dest>/.trove.<uuid>.test`, a files server must answer `GET /`.
    pub async fn check_writable(&self) -> Result<(), StorageError> {
        match &self.backend {
            Backend::Local(root) => local::check_writable(root).await,
            Backend::Object { store, prefix } => {
                objects::check_writable(store.as_ref(), prefix, &self.uri).await
            }
            Backend::Files(c) => c.check().await,
        }
    }

    /// Upload the local file `local` as `key`, streaming from disk, and return the SHA-256 and size of the bytes
    /// sent. `content_type` defaults to [`guess_content_type`] of the key. `progress` gets the cumulative
    /// number of bytes sent so far. Cloud stores use a multipart upload from [`TransferOptions::multipart_threshold`]
    /// on (aborted on failure); local files appear atomically (temporary file, then rename).
    pub async fn put_file(
        &self,
        key: &str,
        local: &Path,
        content_type: Option<&str>,
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> Result<PutOutcome, StorageError> {
        check_key(key)?;
        let ct = content_type
            .map(str::to_string)
            .unwrap_or_else(|| guess_content_type(key));
        tracing::debug!(destination = %self.uri, key, "upload");
        match &self.backend {
            Backend::Local(root) => {
                local::put_file(root, key, local, self.opts.fsync, progress).await
            }
            Backend::Object { store, prefix } => {
                let path = objects::object_path(prefix, key)?;
                objects::put_file(
                    store.as_ref(),
                    &path,
                    &self.uri_for(key),
                    local,
                    &ct,
                    &self.opts,
                    progress,
                )
                .await
            }
            Backend::Files(c) => c.upload(key, local, &ct, progress).await,
        }
    }

    /// Upload in-memory `bytes` as `key` (small artifacts: no staging file) and return their SHA-256 and
    /// size. Same guarantees as [`Destination::put_file`]: local files appear atomically.
    pub async fn put_bytes(
        &self,
        key: &str,
        bytes: bytes::Bytes,
        content_type: Option<&str>,
    ) -> Result<PutOutcome, StorageError> {
        check_key(key)?;
        let ct = content_type
            .map(str::to_string)
            .unwrap_or_else(|| guess_content_type(key));
        tracing::debug!(destination = %self.uri, key, size = bytes.len(), "upload from memory");
        match &self.backend {
            Backend::Local(root) => local::put_bytes(root, key, bytes, self.opts.fsync).await,
            Backend::Object { store, prefix } => {
                let path = objects::object_path(prefix, key)?;
                objects::put_bytes(store.as_ref(), &path, &self.uri_for(key), bytes, &ct).await
            }
            Backend::Files(c) => c.upload_bytes(key, bytes, &ct).await,
        }
    }

    /// Download `key` to the local file `dest` (created atomically, parent folders included) and return the
    /// SHA-256 and size of the bytes received. `progress` gets the cumulative number of bytes received.
    pub async fn get_to_file(
        &self,
        key: &str,
        dest: &Path,
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> Result<PutOutcome, StorageError> {
        check_key(key)?;
        match &self.backend {
            Backend::Local(root) => local::get_to_file(root, key, dest, progress).await,
            Backend::Object { store, prefix } => {
                let path = objects::object_path(prefix, key)?;
                objects::get_to_file(store.as_ref(), &path, &self.uri_for(key), dest, progress)
                    .await
            }
            Backend::Files(c) => c.download_url(&c.url_of(key), dest, progress).await,
        }
    }

    /// Delete `key`. Deleting something that does not exist is not an error.
    pub async fn delete(&self, key: &str) -> Result<(), StorageError> {
        check_key(key)?;
        match &self.backend {
            Backend::Local(root) => local::delete(root, key).await,
            Backend::Object { store, prefix } => {
                let path = objects::object_path(prefix, key)?;
                objects::delete(store.as_ref(), &path, &self.uri_for(key)).await
            }
            Backend::Files(c) => c.delete_url(&c.url_of(key)).await,
        }
    }

    /// The key of `uri` if it lies below this destination: the inverse of [`Destination::uri_for`]
    /// (percent-decoded for http). A local destination also accepts plain absolute paths.
    pub fn key_for_uri(&self, uri: &str) -> Option<String> {
        let key = match &self.backend {
            Backend::Files(c) => c.key_of_url(uri)?,
            Backend::Local(root) => {
                let base = self.uri.trim_end_matches('/');
                match uri.strip_prefix(base).and_then(|r| r.strip_prefix('/')) {
                    Some(k) => k.to_string(),
                    None => {
                        let root = root.to_string_lossy();
                        let root = root.trim_end_matches('/');
                        uri.strip_prefix(root)?.strip_prefix('/')?.to_string()
                    }
                }
            }
            Backend::Object { .. } => uri.strip_prefix(&self.uri)?.strip_prefix('/')?.to_string(),
        };
        is_confined(&key).then_some(key)
    }
}

/// The files server client for a recorded http(s) uri, sending `auth` only where it belongs: to the configured
/// files server, or anywhere when none is configured (the caller then vouches for the uri).
fn files_client_for(
    uri: &str,
    cfg: &Config,
    auth: Option<&str>,
) -> Result<FilesClient, StorageError> {
    let opts = TransferOptions::from_config(cfg)?;
    let (mut client, _) = FilesClient::parse(uri, cfg.files_server.as_deref(), &opts)?;
    let send_token = match cfg.files_server.as_deref() {
        None => true,
        Some(fs) => {
            let origin =
                |u: &str| crate::files_server::split_origin(u).map(|(o, _)| o.to_ascii_lowercase());
            origin(fs).is_some() && origin(fs) == origin(uri)
        }
    };
    if let (Some(token), true) = (auth, send_token) {
        let token = token.to_string();
        client.set_token_provider(Some(Arc::new(move || Some(token.clone()))));
    } else if auth.is_some() {
        tracing::debug!(uri, "not sending the files server token to another server");
    }
    Ok(client)
}

/// Open whichever destination holds `uri` (an artifact's recorded uri) and download it to `dest` atomically,
/// returning SHA-256 and size. `auth` is a bearer token for the files server; it is sent only to the files
/// server of `cfg` (or to any http(s) uri when `cfg` names none).
pub async fn download_uri(
    uri: &str,
    cfg: &Config,
    auth: Option<&str>,
    dest: &Path,
    progress: &(dyn Fn(u64) + Send + Sync),
) -> Result<PutOutcome, StorageError> {
    match scheme_of(uri).as_deref() {
        Some("http") | Some("https") => {
            files_client_for(uri, cfg, auth)?
                .download_url(uri, dest, progress)
                .await
        }
        None | Some("file") => {
            crate::atomic::copy_file_atomic(&local::local_path(uri)?, dest, false, progress).await
        }
        Some(s) => {
            let (base, key) = split_cloud_object_uri(uri, s).ok_or_else(|| {
                StorageError::uri(uri, "not an object uri this build of trove can open")
            })?;
            Destination::parse(&base, cfg)?
                .get_to_file(&key, dest, progress)
                .await
        }
    }
}

/// Open whichever destination holds `uri` and delete it; deleting something missing is not an error.
pub async fn delete_uri(uri: &str, cfg: &Config, auth: Option<&str>) -> Result<(), StorageError> {
    match scheme_of(uri).as_deref() {
        Some("http") | Some("https") => files_client_for(uri, cfg, auth)?.delete_url(uri).await,
        None | Some("file") => {
            let path = local::local_path(uri)?;
            match tokio::fs::remove_file(&path).await {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                Err(e) => Err(StorageError::io("delete", &path, e)),
            }
        }
        Some(s) => {
            let (base, key) = split_cloud_object_uri(uri, s).ok_or_else(|| {
                StorageError::uri(uri, "not an object uri this build of trove can open")
            })?;
            Destination::parse(&base, cfg)?.delete(&key).await
        }
    }
}

/// Open an object store for a server's files root (a local folder, which must exist, or any cloud uri), with
/// the prefix inside it (empty for a local folder, whose store is rooted at the folder).
pub fn open_store(
    uri: &str,
    cfg: &Config,
) -> Result<(Arc<dyn ObjectStore>, ObjPath), StorageError> {
    match scheme_of(uri).as_deref() {
        None | Some("file") => {
            let root = local::local_path(uri)?;
            match std::fs::metadata(&root) {
                Ok(m) if m.is_dir() => {}
                Ok(_) => return Err(StorageError::NotAFolder { path: root }),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    return Err(StorageError::MissingFolder { path: root });
                }
                Err(e) => return Err(StorageError::io("inspect", root, e)),
            }
            let fs = object_store::local::LocalFileSystem::new_with_prefix(&root)
                .map_err(|e| StorageError::store("open", local::file_uri(&root), e))?;
            Ok((Arc::new(fs), ObjPath::default()))
        }
        Some("http") | Some("https") => Err(StorageError::uri(
            uri,
            "a files server cannot be a storage root; use a folder or a cloud uri",
        )),
        Some(_) => match Destination::parse(uri, cfg)?.backend {
            Backend::Object { store, prefix } => Ok((store, prefix)),
            _ => Err(StorageError::uri(uri, "not an object store uri")),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transfers_can_be_spawned() {
        fn is_send<T: Send>(_: &T) {}
        let d = Destination::parse("/tmp", &Config::default()).unwrap();
        is_send(&d);
        is_send(&d.put_file("k", Path::new("/x"), None, &crate::no_progress));
        is_send(&d.get_to_file("k", Path::new("/x"), &crate::no_progress));
        is_send(&d.delete("k"));
        is_send(&d.check_writable());
        is_send(&download_uri(
            "/x",
            &Config::default(),
            None,
            Path::new("/y"),
            &crate::no_progress,
        ));
    }

    #[cfg(all(feature = "s3", feature = "gcs", feature = "azure"))]
    #[test]
    fn cloud_uris_normalise_and_split() {
        let cfg = Config::parse(
            "[s3]\nkey = \"k\"\nsecret = \"s\"\n[gcs]\nanonymous = true\n[azure]\naccount_key = \"a2V5\"",
        )
        .unwrap();
        for (given, norm) in [
            ("s3://bucket/a/b/", "s3://bucket/a/b"),
            ("s3://bucket", "s3://bucket"),
            ("gs://g/p//", "gs://g/p"),
            ("azure://acct/cont/p/", "azure://acct/cont/p"),
            (
                "abfss://cont@acct.dfs.core.windows.net/p",
                "abfss://cont@acct.dfs.core.windows.net/p",
            ),
        ] {
            let d = Destination::parse(given, &cfg).unwrap();
            assert_eq!(d.uri(), norm);
            let uri = d.uri_for("x y/z.bin");
            assert_eq!(uri, format!("{norm}/x y/z.bin"));
            assert_eq!(d.key_for_uri(&uri).as_deref(), Some("x y/z.bin"));
            let scheme = scheme_of(&uri).unwrap();
            let (base, key) = split_cloud_object_uri(&uri, &scheme).unwrap();
            assert!(norm.starts_with(&base), "{norm} vs {base}");
            assert!(key.ends_with("x y/z.bin"));
        }
        for bad in [
            "s3://",
            "s3:///x",
            "gs://",
            "azure://acct",
            "abfs://nocontainer/x",
            "s3://b/../x",
        ] {
            assert!(Destination::parse(bad, &cfg).is_err(), "{bad}");
        }
    }
}
