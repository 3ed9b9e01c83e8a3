//! The one error type of this crate. Every variant names the destination, path or URL involved and, where
//! there is one, the way to fix it.

use std::path::PathBuf;
use thiserror::Error;

/// Everything that can go wrong while parsing a destination or moving bytes.
#[derive(Debug, Error)]
pub enum StorageError {
    /// The destination or uri could not be understood.
    #[error("invalid storage uri '{uri}': {reason}")]
    InvalidUri {
        /// The uri as given.
        uri: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The scheme is known but this build of trove was compiled without it.
    #[error(
        "'{uri}' needs {what} support, which this build of trove lacks: rebuild trove-storage with the '{feature}' cargo feature"
    )]
    SchemeNotCompiled {
        /// The uri as given.
        uri: String,
        /// "S3", "Google Cloud Storage" or "Azure Blob".
        what: &'static str,
        /// The cargo feature to enable.
        feature: &'static str,
    },
    /// No credentials were found for a cloud bucket or container.
    #[error("no credentials for {target}: {missing}. {hint}")]
    MissingCredentials {
        /// E.g. `s3 bucket 'data'`.
        target: String,
        /// What was not found.
        missing: String,
        /// Where to put it.
        hint: String,
    },
    /// A key is empty, absolute, or leaves its destination (`..`).
    #[error(
        "invalid storage key '{key}': keys are relative paths without empty, '.' or '..' components"
    )]
    InvalidKey {
        /// The key.
        key: String,
    },
    /// A local destination folder does not exist (it must be created first, as in ClearML).
    #[error(
        "destination folder {path} does not exist: create it first (mkdir -p), or choose another output uri"
    )]
    MissingFolder {
        /// The folder.
        path: PathBuf,
    },
    /// A local destination is a file, not a folder.
    #[error("destination {path} is not a folder")]
    NotAFolder {
        /// The path.
        path: PathBuf,
    },
    /// A destination cannot be written to.
    #[error("destination {destination} is not writable: {reason}")]
    NotWritable {
        /// The destination uri or folder.
        destination: String,
        /// Why (the underlying error).
        reason: String,
    },
    /// The object or file does not exist.
    #[error("{uri} does not exist")]
    NotFound {
        /// What was looked for.
        uri: String,
    },
    /// A local file operation failed.
    #[error("cannot {action} {path}: {source}")]
    Io {
        /// What was being done, e.g. "read" or "create".
        action: &'static str,
        /// The file or folder.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// A cloud object store operation failed.
    #[error("cannot {action} {uri}: {source}")]
    Store {
        /// What was being done, e.g. "upload".
        action: &'static str,
        /// The object's uri.
        uri: String,
        /// object_store's error.
        source: object_store::Error,
    },
    /// A files server answered with an error status.
    #[error("files server {method} {url} failed with HTTP {status}: {body}")]
    Http {
        /// GET, POST, DELETE, ...
        method: &'static str,
        /// The URL requested.
        url: String,
        /// The status code.
        status: u16,
        /// The first 200 characters of the response body.
        body: String,
    },
    /// A recorded uri names nothing inside the storage this server may read ([`crate::StorageRoots`]).
    #[error(
        "'{uri}' is outside the storage this server reads (its files storage and [server] allowed_destinations); it is shown but never read"
    )]
    NotAllowed {
        /// The uri.
        uri: String,
    },
    /// A files server request could not be sent or its answer not read.
    #[error("files server {method} {url} failed: {source}")]
    Request {
        /// GET, POST, DELETE, ...
        method: &'static str,
        /// The URL requested.
        url: String,
        /// reqwest's error.
        source: reqwest::Error,
    },
}

impl StorageError {
    /// An I/O error on `path`.
    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Self {
        StorageError::Io {
            action,
            path: path.into(),
            source,
        }
    }

    /// An object_store error on `uri`; object_store's `NotFound` becomes [`StorageError::NotFound`].
    pub(crate) fn store(
        action: &'static str,
        uri: impl Into<String>,
        source: object_store::Error,
    ) -> Self {
        match source {
            object_store::Error::NotFound { .. } => StorageError::NotFound { uri: uri.into() },
            source => StorageError::Store {
                action,
                uri: uri.into(),
                source,
            },
        }
    }

    /// An invalid uri.
    pub(crate) fn uri(uri: &str, reason: impl Into<String>) -> Self {
        StorageError::InvalidUri {
            uri: uri.to_string(),
            reason: reason.into(),
        }
    }

    /// True when trying the same operation again may succeed: a transport error or an error status from
    /// the store that it did not retry itself (object_store's `Generic`, a files server's 5xx or 429, a
    /// request that could not be sent). False for what another attempt cannot change: a missing or
    /// unwritable destination, bad credentials or uri, a local file error, a missing object.
    pub fn may_be_transient(&self) -> bool {
        match self {
            StorageError::Store { source, .. } => matches!(
                source,
                object_store::Error::Generic { .. } | object_store::Error::JoinError { .. }
            ),
            StorageError::Http { status, .. } => *status >= 500 || *status == 429,
            StorageError::Request { .. } => true,
            _ => false,
        }
    }

    /// True for [`StorageError::NotFound`] (and a files server's 404).
    pub fn is_not_found(&self) -> bool {
        matches!(
            self,
            StorageError::NotFound { .. } | StorageError::Http { status: 404, .. }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http(status: u16) -> StorageError {
        StorageError::Http {
            method: "POST",
            url: "http://files/x".into(),
            status,
            body: String::new(),
        }
    }

    #[test]
    fn only_errors_another_attempt_can_change_are_transient() {
        let generic = object_store::Error::Generic {
            store: "S3",
            source: "error sending request".into(),
        };
        assert!(StorageError::store("upload", "s3://b/k", generic).may_be_transient());
        assert!(http(503).may_be_transient() && http(429).may_be_transient());
        assert!(!http(403).may_be_transient() && !http(404).may_be_transient());
        let denied = object_store::Error::PermissionDenied {
            path: "k".into(),
            source: "denied".into(),
        };
        assert!(!StorageError::store("upload", "s3://b/k", denied).may_be_transient());
        let missing = object_store::Error::NotFound {
            path: "k".into(),
            source: "gone".into(),
        };
        assert!(!StorageError::store("upload", "s3://b/k", missing).may_be_transient());
        let io = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        assert!(!StorageError::io("create", "/x", io).may_be_transient());
        assert!(
            !StorageError::MissingFolder {
                path: "/nope".into()
            }
            .may_be_transient()
        );
    }
}
