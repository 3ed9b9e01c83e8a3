//! Cloud object stores (S3, Google Cloud Storage, Azure Blob): uri parsing and credentials.
//!
//! Credentials come from `trove.toml` (a per-bucket entry first, then the section), then from the usual
//! environment variables. Nothing is ever fetched from a cloud instance's metadata address (169.254.169.254)
//! unless the configuration says `use_instance_credentials = true`: without credentials, parsing the
//! destination fails with an error that names the bucket and what is missing.

#[cfg(feature = "azure")]
pub(crate) mod azure;
#[cfg(feature = "gcs")]
pub(crate) mod gcs;
#[cfg(feature = "s3")]
pub(crate) mod s3;

use crate::StorageError;
use object_store::ObjectStore;
use object_store::path::Path as ObjPath;
use std::sync::Arc;

/// An opened cloud destination.
pub(crate) struct Opened {
    /// The normalised destination uri (no trailing slash).
    pub uri: String,
    /// The store, rooted at the bucket or container.
    pub store: Arc<dyn ObjectStore>,
    /// The prefix inside the bucket (may be empty).
    pub prefix: ObjPath,
}

/// Split `rest` (after `scheme://`) at its first `/`: (authority, path without leading or trailing `/`).
pub(crate) fn split_authority(rest: &str) -> (&str, &str) {
    match rest.split_once('/') {
        Some((a, p)) => (a, p.trim_matches('/')),
        None => (rest, ""),
    }
}

/// Parse a prefix inside a bucket as an object path, rejecting `.`/`..`/empty components.
pub(crate) fn prefix_path(uri: &str, prefix: &str) -> Result<ObjPath, StorageError> {
    if prefix.is_empty() {
        return Ok(ObjPath::default());
    }
    if !trove_core::layout::is_confined(prefix) {
        return Err(StorageError::uri(
            uri,
            "the path inside the bucket has an empty, '.' or '..' component",
        ));
    }
    ObjPath::parse(prefix).map_err(|e| StorageError::uri(uri, e.to_string()))
}

/// Settings of one bucket: its entry in the section's array (if any) over the section itself.
pub(crate) struct Settings<'a> {
    entry: Option<&'a toml::Table>,
    section: Option<&'a toml::Table>,
    /// The section's name, for error messages.
    pub name: &'static str,
}

impl<'a> Settings<'a> {
    /// Find the first entry of the arrays `arrays` (e.g. `buckets`) of section `name` that `matches`.
    pub(crate) fn find(
        cfg: &'a trove_core::Config,
        name: &'static str,
        arrays: &[&str],
        matches: impl Fn(&toml::Table) -> bool,
    ) -> Self {
        let section = cfg.section(name);
        let entry = section.and_then(|s| {
            arrays
                .iter()
                .filter_map(|a| s.get(*a).and_then(|v| v.as_array()))
                .flatten()
                .filter_map(|v| v.as_table())
                .find(|t| matches(t))
        });
        Self {
            entry,
            section,
            name,
        }
    }

    /// A string value (entry first, then section); empty strings count as absent.
    pub(crate) fn str(&self, key: &str) -> Option<String> {
        self.tables().find_map(|t| tstr(t, key))
    }

    /// A boolean value (entry first, then section). A string "true"/"false" is accepted too.
    pub(crate) fn bool(&self, key: &str) -> Result<Option<bool>, StorageError> {
        for t in [self.entry, self.section].into_iter().flatten() {
            match t.get(key) {
                None => continue,
                Some(toml::Value::Boolean(b)) => return Ok(Some(*b)),
                Some(toml::Value::String(s)) if s == "true" || s == "false" => {
                    return Ok(Some(s == "true"));
                }
                Some(v) => {
                    return Err(StorageError::uri(
                        &format!("[{}]", self.name),
                        format!("'{key}' must be true or false in trove.toml, found {v}"),
                    ));
                }
            }
        }
        Ok(None)
    }

    /// The entry (if one matched), then the section (if present).
    pub(crate) fn tables(&self) -> impl Iterator<Item = &'a toml::Table> {
        [self.entry, self.section].into_iter().flatten()
    }
}

/// A non-empty string value of a table.
pub(crate) fn tstr(t: &toml::Table, key: &str) -> Option<String> {
    t.get(key)
        .and_then(|v| v.as_str())
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// A non-empty environment variable.
pub(crate) fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// HTTP client options shared by every cloud store.
pub(crate) fn client_options(
    opts: &crate::TransferOptions,
    allow_http: bool,
) -> object_store::ClientOptions {
    object_store::ClientOptions::new()
        .with_timeout(opts.timeout)
        .with_connect_timeout(opts.connect_timeout)
        .with_allow_http(allow_http)
}
