//! Transfer tuning: multipart threshold and part size, parallel parts, retries and timeouts.
//!
//! Read from the `[storage]` section of `trove.toml`; every key is optional:
//!
//! ```toml
//! [storage]
//! multipart_threshold_mib = 16   # files at least this big go up in parts (cloud stores)
//! part_size_mib = 8              # size of each part (S3 needs at least 5)
//! max_concurrency = 8            # parts in flight at once (memory use is at most this times part_size)
//! max_retries = 5                # retries of one request (cloud stores and the files server)
//! retry_timeout_secs = 30        # no retry is started this long after the first attempt
//! timeout_secs = 300             # one request (one part, or one small file)
//! connect_timeout_secs = 10
//! fsync = false                  # local folders: sync each artifact to disk before it is marked ready
//! ```
//!
//! `fsync` is off by default, as with `cp`, object_store's local store and ClearML: a file is complete and
//! renamed into place before its record says `ready`, so a crashed *process* never leaves a partial file,
//! but after a power loss the newest files may be lost (their hash no longer matches, which retrieval
//! reports). Turn it on for shared folders whose contents must survive a power loss.

use crate::StorageError;
use std::time::Duration;
use trove_core::Config;

const MIB: u64 = 1024 * 1024;

/// How transfers are done. [`TransferOptions::default`] gives the documented defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferOptions {
    /// Files of at least this many bytes are uploaded with a multipart upload (cloud stores only).
    pub multipart_threshold: u64,
    /// Bytes per part of a multipart upload.
    pub part_size: usize,
    /// Parts uploaded at once.
    pub max_concurrency: usize,
    /// Retries of one failed request.
    pub max_retries: usize,
    /// No retry starts later than this after the first attempt.
    pub retry_timeout: Duration,
    /// Timeout of one request. The files server allows more for big files (at least 50 KB/s, as ClearML).
    pub timeout: Duration,
    /// Timeout to connect.
    pub connect_timeout: Duration,
    /// Local folders: fsync each file before renaming it into place.
    pub fsync: bool,
}

impl Default for TransferOptions {
    fn default() -> Self {
        Self {
            multipart_threshold: 16 * MIB,
            part_size: 8 * MIB as usize,
            max_concurrency: 8,
            max_retries: 5,
            retry_timeout: Duration::from_secs(30),
            timeout: Duration::from_secs(300),
            connect_timeout: Duration::from_secs(10),
            fsync: false,
        }
    }
}

impl TransferOptions {
    /// The defaults overridden by the `[storage]` section of the configuration.
    pub fn from_config(cfg: &Config) -> Result<Self, StorageError> {
        let mut o = Self::default();
        let Some(t) = cfg.section("storage") else {
            return Ok(o);
        };
        let num = |k: &str| -> Result<Option<u64>, StorageError> {
            match t.get(k) {
                None => Ok(None),
                Some(v) => match v.as_integer() {
                    Some(n) if n >= 0 => Ok(Some(n as u64)),
                    _ => Err(StorageError::uri(
                        "[storage]",
                        format!("'{k}' must be a non-negative integer in trove.toml, found {v}"),
                    )),
                },
            }
        };
        if let Some(n) = num("multipart_threshold_mib")? {
            o.multipart_threshold = n * MIB;
        }
        if let Some(n) = num("part_size_mib")? {
            o.part_size = (n.max(1) * MIB) as usize;
        }
        if let Some(n) = num("max_concurrency")? {
            o.max_concurrency = n.max(1) as usize;
        }
        if let Some(n) = num("max_retries")? {
            o.max_retries = n as usize;
        }
        if let Some(n) = num("retry_timeout_secs")? {
            o.retry_timeout = Duration::from_secs(n);
        }
        if let Some(n) = num("timeout_secs")? {
            o.timeout = Duration::from_secs(n.max(1));
        }
        if let Some(n) = num("connect_timeout_secs")? {
            o.connect_timeout = Duration::from_secs(n.max(1));
        }
        if let Some(v) = t.get("fsync") {
            o.fsync = v.as_bool().ok_or_else(|| {
                StorageError::uri(
                    "[storage]",
                    format!("'fsync' must be true or false in trove.toml, found {v}"),
                )
            })?;
        }
        Ok(o)
    }

    /// object_store's retry settings from these options.
    #[cfg(feature = "_cloud")]
    pub(crate) fn retry_config(&self) -> object_store::RetryConfig {
        object_store::RetryConfig {
            backoff: object_store::BackoffConfig::default(),
            max_retries: self.max_retries,
            retry_timeout: self.retry_timeout,
        }
    }

    /// The per-request timeout for a whole file of `size` bytes sent in one request: at least
    /// [`TransferOptions::timeout`], more for files that need longer at 50 KB/s (ClearML's rule).
    pub(crate) fn whole_file_timeout(&self, size: u64) -> Duration {
        self.timeout.max(Duration::from_secs(size / 50_000))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_section_overrides_defaults() {
        let cfg = Config::parse(
            "[storage]\npart_size_mib = 5\nmax_retries = 2\nmultipart_threshold_mib = 6\nfsync = true",
        )
        .unwrap();
        let o = TransferOptions::from_config(&cfg).unwrap();
        assert_eq!(o.part_size, 5 * 1024 * 1024);
        assert_eq!(o.multipart_threshold, 6 * 1024 * 1024);
        assert_eq!(o.max_retries, 2);
        assert_eq!(o.max_concurrency, 8);
        assert!(o.fsync);
        assert!(!TransferOptions::default().fsync);
        let bad = Config::parse("[storage]\npart_size_mib = \"big\"").unwrap();
        let e = TransferOptions::from_config(&bad).unwrap_err().to_string();
        assert!(e.contains("part_size_mib"), "{e}");
    }
}
