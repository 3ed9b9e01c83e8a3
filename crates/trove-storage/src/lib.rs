//! Artifact bytes in any destination, for the trove SDK (upload, download) and server (its files storage root).
//!
//! A [`Destination`] is parsed from an output uri:
//!
//! | uri | backend |
//! |---|---|
//! | `/abs/dir`, `rel/dir`, `~/dir`, `file:///abs/dir` | local folder (normalised to `file:///abs/dir`) |
//! | `s3://bucket/prefix`, `s3://host:port/bucket/prefix` | S3 or S3-compatible (feature `s3`) |
//! | `gs://bucket/prefix` | Google Cloud Storage (feature `gcs`) |
//! | `azure://account/container/prefix`, `az://container/prefix`, `abfs://container@account.dfs.core.windows.net/prefix` | Azure Blob (feature `azure`) |
//! | `http(s)://host:port[/prefix]` | a trove or ClearML files server |
//!
//! Keys are relative paths built by [`trove_core::layout`]; the uri recorded for an artifact is
//! [`Destination::uri_for`]`(key)`, and [`download_uri`] / [`delete_uri`] open whichever destination holds a
//! recorded uri. Every transfer streams (bounded memory), computes SHA-256 and size in the same pass, and never
//! leaves a partial file under a final local name.
//!
//! # Configuration (`trove.toml`, every key optional)
//!
//! ```toml
//! [storage]                         # transfer tuning, see TransferOptions
//! multipart_threshold_mib = 16
//! part_size_mib = 8
//! max_concurrency = 8
//! max_retries = 5
//! retry_timeout_secs = 30
//! timeout_secs = 300
//! connect_timeout_secs = 10
//!
//! [s3]                              # defaults for every bucket
//! key = "..."                       # env AWS_ACCESS_KEY_ID
//! secret = "..."                    # env AWS_SECRET_ACCESS_KEY
//! token = "..."                     # env AWS_SESSION_TOKEN
//! region = "us-east-1"              # env AWS_REGION, AWS_DEFAULT_REGION
//! endpoint = "http://127.0.0.1:9000"  # S3-compatible server; env AWS_ENDPOINT_URL
//! path_style = true                 # false: virtual-hosted requests
//! allow_http = false                # default: true for an http:// endpoint
//! use_instance_credentials = false  # true: instance role / metadata service / web identity
//! anonymous = false                 # true: unsigned requests (public buckets)
//! [[s3.buckets]]                    # per bucket (also read as [[s3.credentials]], ClearML's name),
//! bucket = "data"                   # same keys, plus ClearML's host = "h:9000" and secure = false
//! key = "..."
//! secret = "..."
//!
//! [gcs]
//! credentials_json = "/path/key.json"   # service account or gcloud user file; env GOOGLE_APPLICATION_CREDENTIALS
//! bearer_token = "ya29..."          # a static OAuth access token instead of a file
//! endpoint = "http://127.0.0.1:4443"    # another XML API base url (an emulator)
//! allow_http = false                # default: true for an http:// endpoint
//! use_instance_credentials = false
//! anonymous = false
//! [[gcs.buckets]]
//! bucket = "data"
//! credentials_json = "..."
//!
//! [azure]
//! account_name = "acct"             # env AZURE_STORAGE_ACCOUNT_NAME
//! account_key = "..."               # env AZURE_STORAGE_ACCOUNT_KEY
//! sas_token = "sv=..."              # instead of a key; env AZURE_STORAGE_SAS_TOKEN
//! endpoint = "http://127.0.0.1:10000/devstoreaccount1"   # Azurite, Azure Stack
//! allow_http = false
//! use_instance_credentials = false  # managed identity, workload identity, Azure CLI
//! [[azure.containers]]
//! container = "data"
//! account_name = "acct"
//! account_key = "..."
//! ```
//!
//! Per-bucket entries come first, then the section, then the environment. Missing credentials are an error
//! from [`Destination::parse`] naming the bucket and what is missing: nothing is ever fetched from a cloud's
//! metadata address (169.254.169.254) unless `use_instance_credentials = true` is set.

mod atomic;
#[cfg(feature = "_cloud")]
mod cloud;
mod content_type;
mod destination;
mod error;
mod files_server;
mod local;
mod objects;
mod options;
mod roots;

pub use content_type::{UNKNOWN_CONTENT_TYPE, guess_content_type};
pub use destination::{Destination, delete_uri, download_uri, open_store};
pub use error::StorageError;
pub use files_server::TokenProvider;
pub use object_store;
pub use options::TransferOptions;
pub use roots::{Located, StorageRoots};

/// The result of a transfer: SHA-256 (lower-case hex) and size in bytes of exactly the bytes moved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PutOutcome {
    /// Hex SHA-256 of the bytes.
    pub sha256: String,
    /// Number of bytes.
    pub size: u64,
}

impl PutOutcome {
    /// The outcome of storing exactly `bytes`.
    pub fn of(bytes: &[u8]) -> Self {
        let mut h = trove_core::hash::Sha256Stream::new();
        h.update(bytes);
        let (sha256, size) = h.finish();
        Self { sha256, size }
    }
}

/// A progress callback that ignores progress, for callers that do not show any.
pub fn no_progress(_bytes: u64) {}
