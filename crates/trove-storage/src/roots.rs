//! [`StorageRoots`]: the storage a server may read artifact bytes from, and nothing else.
//!
//! A shared server shows records that any key holder wrote, and a record's uri is just a string: it may name
//! `/etc/passwd`, the server's own database, or `s3://attacker:9000/bucket/x` (which, opened naively, would
//! send the server's signed cloud credentials to that host). So the server never turns a recorded uri into
//! a store. It opens, once, the roots its administrator configured (its files storage, the embedded default
//! folder, `default_output_uri` and `[server] allowed_destinations`), and [`StorageRoots::locate`] maps a uri
//! to a key below one of them, or refuses it:
//!
//! * a local root matches plain absolute paths and `file://` uris below its folder; the part below must be
//!   plain names (no `..`), and the file, with every symbolic link resolved, must still lie inside the folder;
//! * an object-store root (a bucket prefix, or the files server under its public URLs) matches uris that
//!   start with its base followed by `/` and a confined key ([`trove_core::layout::is_confined`]). The store
//!   it returns is the one opened from the configuration, so the endpoint and credentials never come from the
//!   record.

use crate::{Destination, StorageError};
use object_store::ObjectStore;
use object_store::path::Path as ObjPath;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use trove_core::Config;
use trove_core::layout::{is_confined, unquote};

/// Where a located uri's bytes are.
#[derive(Clone)]
pub enum Located {
    /// A file inside a local root (symbolic links resolved).
    Local(PathBuf),
    /// An object inside an object-store root.
    Object {
        /// The root's store, opened from the configuration.
        store: Arc<dyn ObjectStore>,
        /// The object's path in it.
        path: ObjPath,
    },
}

impl std::fmt::Debug for Located {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Local(p) => f.debug_tuple("Local").field(p).finish(),
            Self::Object { path, .. } => f.debug_struct("Object").field("path", path).finish(),
        }
    }
}

enum Kind {
    /// A local folder (absolute, lexically clean).
    Local(PathBuf),
    /// An object store reached under one or more uri bases.
    Object {
        bases: Vec<String>,
        store: Arc<dyn ObjectStore>,
        prefix: ObjPath,
        /// Keys below the bases are percent-encoded (http urls of a files server, which stores each key
        /// segment as one path part).
        percent_encoded: bool,
    },
}

struct Root {
    /// Shown in messages and logs.
    name: String,
    kind: Kind,
}

/// The set of roots a server reads from; see the module documentation.
#[derive(Default)]
pub struct StorageRoots {
    roots: Vec<Root>,
}

impl std::fmt::Debug for StorageRoots {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.roots.iter().map(|r| &r.name))
            .finish()
    }
}

/// The absolute local path a uri names, if it names one: `/abs/path` or `file:///abs/path`.
fn local_candidate(uri: &str) -> Option<&str> {
    let path = match uri.strip_prefix("file://") {
        Some(rest) => rest
            .strip_prefix("localhost")
            .filter(|r| r.starts_with('/'))
            .unwrap_or(rest),
        None => uri,
    };
    (path.starts_with('/') && !path.contains('\0')).then_some(path)
}

/// `path` relative to `dir` when it lies below it and every component in between is a plain name.
fn below(dir: &Path, path: &Path) -> Option<PathBuf> {
    let rel = path.strip_prefix(dir).ok()?;
    rel.components()
        .all(|c| matches!(c, Component::Normal(_)))
        .then(|| rel.to_path_buf())
}

impl StorageRoots {
    /// No roots: nothing is readable.
    pub fn new() -> Self {
        Self::default()
    }

    /// Allow a local folder (made absolute and lexically clean; it need not exist yet).
    pub fn add_folder(&mut self, dir: &Path) -> Result<(), StorageError> {
        let uri = dir.to_string_lossy();
        let dir = crate::local::local_path(&uri)?;
        self.roots.push(Root {
            name: crate::local::file_uri(&dir),
            kind: Kind::Local(dir),
        });
        Ok(())
    }

    /// Allow a destination uri: a local folder (path or `file://`) or a cloud bucket prefix, opened with the
    /// credentials and endpoints of `cfg`. A files server (`http(s)://`) cannot be a root: only the server's
    /// own files storage is, through [`StorageRoots::add_store`].
    pub fn add_destination(&mut self, uri: &str, cfg: &Config) -> Result<(), StorageError> {
        let dest = Destination::parse(uri, cfg)?;
        if let Some(dir) = dest.local_root() {
            return self.add_folder(dir);
        }
        if dest.is_files_server() {
            return Err(StorageError::uri(
                uri,
                "a files server cannot be an allowed destination of a server; list its storage (folder or bucket) instead",
            ));
        }
        let (store, prefix) = crate::open_store(dest.uri(), cfg)?;
        self.roots.push(Root {
            name: dest.uri().to_string(),
            kind: Kind::Object {
                bases: vec![dest.uri().to_string()],
                store,
                prefix,
                percent_encoded: false,
            },
        });
        Ok(())
    }

    /// Allow an object store reached under the http(s) base urls `bases` (no trailing `/`; keys below them are
    /// percent-encoded), e.g. a server's files storage under its public files url and loopback aliases.
    pub fn add_store(
        &mut self,
        name: &str,
        bases: Vec<String>,
        store: Arc<dyn ObjectStore>,
        prefix: ObjPath,
    ) {
        let bases = bases
            .into_iter()
            .map(|b| b.trim_end_matches('/').to_string())
            .collect();
        self.roots.push(Root {
            name: name.to_string(),
            kind: Kind::Object {
                bases,
                store,
                prefix,
                percent_encoded: true,
            },
        });
    }

    /// The local folders among the roots.
    pub fn local_folders(&self) -> impl Iterator<Item = &Path> {
        self.roots.iter().filter_map(|r| match &r.kind {
            Kind::Local(d) => Some(d.as_path()),
            Kind::Object { .. } => None,
        })
    }

    /// The roots' names (folders as `file://` uris, buckets, the files server), for messages.
    pub fn names(&self) -> Vec<String> {
        self.roots.iter().map(|r| r.name.clone()).collect()
    }

    /// True when `uri` is one of the roots or lies below one (a destination the server may write-test).
    /// Nothing is contacted.
    pub fn contains(&self, uri: &str) -> bool {
        let uri = uri.trim().trim_end_matches('/');
        self.roots.iter().any(|r| match &r.kind {
            Kind::Local(dir) => local_candidate(uri)
                .and_then(|p| below(dir, Path::new(p)))
                .is_some(),
            Kind::Object { bases, .. } => bases.iter().any(|b| {
                uri == b
                    || uri
                        .strip_prefix(b.as_str())
                        .and_then(|r| r.strip_prefix('/'))
                        .is_some_and(is_confined)
            }),
        })
    }

    /// Where the bytes of `uri` are, if it names something inside a root; [`StorageError::NotAllowed`]
    /// otherwise (the uri is then never opened). A local file is resolved through symbolic links and must
    /// still be inside its root; a local file that does not exist is located as is (reading it then fails).
    pub fn locate(&self, uri: &str) -> Result<Located, StorageError> {
        let uri = uri.trim();
        if uri.chars().any(char::is_control) {
            return Err(self.not_allowed(uri));
        }
        for root in &self.roots {
            if let Some(found) = root.locate(uri) {
                return Ok(found);
            }
        }
        Err(self.not_allowed(uri))
    }

    fn not_allowed(&self, uri: &str) -> StorageError {
        StorageError::NotAllowed {
            uri: uri.to_string(),
        }
    }
}

impl Root {
    fn locate(&self, uri: &str) -> Option<Located> {
        match &self.kind {
            Kind::Local(dir) => {
                let raw = local_candidate(uri)?;
                // ClearML records file uris unquoted; accept quoted ones too, when that is what exists.
                let mut tries = vec![raw.to_string()];
                if let Some(u) = unquote(raw).filter(|u| u != raw) {
                    tries.push(u);
                }
                let candidates: Vec<PathBuf> = tries
                    .iter()
                    .filter_map(|t| below(dir, Path::new(t)).map(|rel| dir.join(rel)))
                    .filter(|p| p != dir)
                    .collect();
                let first = candidates.first()?.clone();
                match candidates.iter().find(|p| p.exists()) {
                    Some(p) => {
                        // Symbolic links must not lead out of the root.
                        let real = std::fs::canonicalize(p).ok()?;
                        let real_dir = std::fs::canonicalize(dir).ok()?;
                        real.starts_with(&real_dir).then_some(Located::Local(real))
                    }
                    None => Some(Located::Local(first)),
                }
            }
            Kind::Object {
                bases,
                store,
                prefix,
                percent_encoded,
            } => {
                let rest = bases.iter().find_map(|b| {
                    uri.strip_prefix(b.as_str())
                        .and_then(|r| r.strip_prefix('/'))
                })?;
                let key = if *percent_encoded {
                    unquote(rest.split(['?', '#']).next().unwrap_or_default())?
                } else {
                    rest.to_string()
                };
                if !is_confined(&key) {
                    return None;
                }
                let path = if *percent_encoded {
                    // As the files server stores an upload: one path part per key segment.
                    key.split('/').fold(prefix.clone(), |p, part| p.join(part))
                } else {
                    // As trove-storage's destinations store a key.
                    crate::objects::object_path(prefix, &key).ok()?
                };
                Some(Located::Object {
                    store: store.clone(),
                    path,
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roots(dir: &Path) -> StorageRoots {
        let mut r = StorageRoots::new();
        r.add_folder(dir).unwrap();
        let store: Arc<dyn ObjectStore> = Arc::new(object_store::memory::InMemory::new());
        r.add_store(
            "files server",
            vec![
                "http://127.0.0.1:8081".into(),
                "http://localhost:8081/".into(),
            ],
            store,
            ObjPath::from("files"),
        );
        r
    }

    #[test]
    fn local_files_inside_the_root_only() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("artifacts");
        std::fs::create_dir_all(dir.join("p/t")).unwrap();
        std::fs::write(dir.join("p/t/a b.txt"), b"x").unwrap();
        std::fs::write(tmp.path().join("trove.db"), b"secret").unwrap();
        let r = roots(&dir);
        let d = dir.display();
        for ok in [
            format!("{d}/p/t/a b.txt"),
            format!("file://{d}/p/t/a b.txt"),
            format!("file://localhost{d}/p/t/a%20b.txt"),
            format!("{d}/p/t/missing.txt"),
        ] {
            assert!(
                matches!(r.locate(&ok), Ok(Located::Local(_))),
                "{ok} should be readable"
            );
        }
        for bad in [
            format!("{d}/../trove.db"),
            format!("file://{d}/p/../../trove.db"),
            format!("{d}"),
            format!("{d}/"),
            format!("{d}x/y"),
            "/etc/passwd".to_string(),
            "file:///etc/passwd".to_string(),
            format!("{d}/p/t/a\nb"),
            "relative/path".to_string(),
        ] {
            assert!(
                matches!(r.locate(&bad), Err(StorageError::NotAllowed { .. })),
                "{bad} must not be readable"
            );
        }
    }

    #[cfg(unix)]
    #[test]
    fn symbolic_links_out_of_the_root_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("artifacts");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(tmp.path().join("secret"), b"s").unwrap();
        std::os::unix::fs::symlink(tmp.path().join("secret"), dir.join("link")).unwrap();
        std::fs::write(dir.join("real"), b"r").unwrap();
        std::os::unix::fs::symlink(dir.join("real"), dir.join("inner")).unwrap();
        let r = roots(&dir);
        assert!(r.locate(&format!("{}/link", dir.display())).is_err());
        assert!(matches!(
            r.locate(&format!("{}/inner", dir.display())),
            Ok(Located::Local(p)) if p.ends_with("real")
        ));
    }

    #[test]
    fn object_roots_match_their_bases_and_confined_keys() {
        let tmp = tempfile::tempdir().unwrap();
        let r = roots(tmp.path());
        match r.locate("http://localhost:8081/p/t.1/artifacts/a%20b/x.csv.gz?download") {
            Ok(Located::Object { path, .. }) => {
                assert_eq!(path.as_ref(), "files/p/t.1/artifacts/a b/x.csv.gz")
            }
            other => panic!("{other:?}"),
        }
        for bad in [
            "http://127.0.0.1:8081/../x",
            "http://127.0.0.1:8081/a/%2e%2e/b",
            "http://127.0.0.1:8081",
            "http://127.0.0.1:80811/x",
            "http://evil.example/x",
            "s3://127.0.0.1:9000/bucket/x",
            "azure://a.b.c:9/cont/x",
        ] {
            assert!(r.locate(bad).is_err(), "{bad}");
        }
        assert!(r.contains("http://127.0.0.1:8081"));
        assert!(r.contains("http://127.0.0.1:8081/sub/"));
        assert!(r.contains(&format!("{}/sub", tmp.path().display())));
        assert!(!r.contains("http://127.0.0.1:8081/../x"));
        assert!(!r.contains("/elsewhere"));
    }

    #[cfg(feature = "s3")]
    #[test]
    fn cloud_roots_use_the_configured_endpoint_only() {
        let cfg = Config::parse(
            "[s3]\nkey = \"k\"\nsecret = \"s\"\nendpoint = \"http://127.0.0.1:9\"\nregion = \"us-east-1\"",
        )
        .unwrap();
        let mut r = StorageRoots::new();
        r.add_destination("s3://team/trove/", &cfg).unwrap();
        assert!(matches!(
            r.locate("s3://team/trove/p/t.1/artifacts/x/x.json"),
            Ok(Located::Object { path, .. }) if path.as_ref() == "trove/p/t.1/artifacts/x/x.json"
        ));
        for bad in [
            "s3://team/other/x",
            "s3://team/trovex/x",
            "s3://evil.example:9000/team/trove/x",
            "s3://team/trove/../x",
        ] {
            assert!(r.locate(bad).is_err(), "{bad}");
        }
        assert!(
            r.add_destination("http://files.example", &cfg).is_err(),
            "a files server is not a root"
        );
    }
}
