//! The error type of every artifact kind.

use std::path::PathBuf;

/// What went wrong turning an object into a stored file, or a stored file back into an object.
/// Every variant names the culprit (the path, the format, the dtype) so the message says what to fix.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KindError {
    /// A file or folder given as an artifact does not exist.
    #[error(
        "artifact path '{0}' does not exist: check the path (relative paths are resolved from the current directory)"
    )]
    MissingPath(PathBuf),
    /// A wildcard pattern matched no file.
    #[error("wildcard '{0}' matched no file: check the pattern and the folder it starts from")]
    NoMatch(String),
    /// A wildcard pattern could not be parsed.
    #[error("invalid wildcard pattern '{pattern}': {reason}")]
    BadPattern {
        /// The pattern as given.
        pattern: String,
        /// Why it is invalid.
        reason: String,
    },
    /// A file inside a folder (or list of files) could not be read while archiving it.
    #[error("cannot read '{path}' while archiving: {source}")]
    Unreadable {
        /// The file that failed.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },
    /// Following symbolic links led back to an ancestor folder.
    #[error(
        "symbolic link loop: '{path}' points back to its ancestor '{ancestor}'; remove the link or archive a sub-folder"
    )]
    SymlinkLoop {
        /// The link that closes the loop.
        path: PathBuf,
        /// The ancestor folder it points to.
        ancestor: PathBuf,
    },
    /// An array element type cannot be stored or read.
    #[error("unsupported array dtype: {0}")]
    UnsupportedDtype(String),
    /// A stored file is not in the format its kind / content type says.
    #[error("bad {format} data in '{path}': {reason}")]
    BadFormat {
        /// The expected format (csv, parquet, npz, png, json, zip...).
        format: String,
        /// The file that could not be parsed.
        path: PathBuf,
        /// What the parser said.
        reason: String,
    },
    /// An object cannot be serialised in the requested way.
    #[error("cannot serialise artifact '{name}': {reason}")]
    Serialize {
        /// The artifact name.
        name: String,
        /// Why.
        reason: String,
    },
    /// The stored artifact kind cannot be turned into the requested Rust type.
    #[error("artifact '{name}' of type '{kind}' cannot be read as {target}")]
    WrongKind {
        /// The artifact name.
        name: String,
        /// Its stored type (pandas, numpy, ...).
        kind: String,
        /// The Rust type asked for.
        target: &'static str,
    },
    /// An archive entry would be written outside the extraction folder (zip-slip).
    #[error(
        "archive '{archive}' has an entry '{entry}' that escapes the extraction folder; refusing to extract it"
    )]
    UnsafeEntry {
        /// The archive.
        archive: PathBuf,
        /// The offending entry name.
        entry: String,
    },
    /// The requested format is not one this kind of artifact can be stored in.
    #[error(
        "artifact '{name}' of type '{kind}' cannot be stored as {given}; valid formats: {valid} (see UploadOptions::format)"
    )]
    InvalidFormat {
        /// The artifact name.
        name: String,
        /// Its ClearML type (pandas, numpy, image, dict...).
        kind: String,
        /// The format or extension asked for.
        given: String,
        /// The extensions this kind can be stored as.
        valid: String,
    },
    /// This kind of object needs a cargo feature of `trove` that this build does not have.
    #[error("{what} needs the `{feature}` feature of the trove crate; enable it in Cargo.toml")]
    FeatureDisabled {
        /// What was asked for.
        what: &'static str,
        /// The feature that provides it.
        feature: &'static str,
    },
    /// Any other I/O failure, with the path involved.
    #[error("I/O error on '{path}': {source}")]
    Io {
        /// The path being read or written.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}

impl KindError {
    /// Wrap an I/O error with its path.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        KindError::Io {
            path: path.into(),
            source,
        }
    }

    /// A format error on `path`.
    pub fn bad(format: &str, path: impl Into<PathBuf>, reason: impl ToString) -> Self {
        KindError::BadFormat {
            format: format.to_string(),
            path: path.into(),
            reason: reason.to_string(),
        }
    }

    /// A serialisation error of artifact `name`.
    pub fn ser(name: &str, reason: impl ToString) -> Self {
        KindError::Serialize {
            name: name.to_string(),
            reason: reason.to_string(),
        }
    }
}
