//! Google Cloud Storage: `gs://bucket/prefix`.
//!
//! ```toml
//! [gcs]
//! credentials_json = "/path/to/service-account.json"   # or an `authorized_user` file from gcloud
//!                                                      # (env GOOGLE_APPLICATION_CREDENTIALS)
//! use_instance_credentials = false   # true: the instance's service account via the metadata server
//! anonymous = false                  # true: unsigned requests (public buckets)
//! bearer_token = "ya29..."           # a static OAuth access token (not refreshed), instead of a file
//! endpoint = "http://127.0.0.1:4443" # another XML API base url (an emulator); default Google's
//! allow_http = false                 # default: true when the endpoint is http://
//!
//! [[gcs.buckets]]
//! bucket = "data"
//! credentials_json = "/path/to/other.json"
//! ```
//! Without any of these, gcloud's `~/.config/gcloud/application_default_credentials.json` is used if it exists.

use super::{Opened, Settings, client_options, env, prefix_path, split_authority};
use crate::{StorageError, TransferOptions};
use object_store::gcp::GoogleCloudStorageBuilder;
use std::path::PathBuf;
use std::sync::Arc;
use trove_core::Config;

/// Open `gs://...`.
pub(crate) fn open(
    uri: &str,
    cfg: &Config,
    opts: &TransferOptions,
) -> Result<Opened, StorageError> {
    let (bucket, prefix) = split_authority(&uri["gs://".len()..]);
    if bucket.is_empty() {
        return Err(StorageError::uri(
            uri,
            "no bucket: expected gs://bucket/prefix",
        ));
    }
    let prefix_obj = prefix_path(uri, prefix)?;
    let s = Settings::find(cfg, "gcs", &["buckets"], |t| {
        t.get("bucket").and_then(|v| v.as_str()) == Some(bucket)
    });
    let use_instance = s.bool("use_instance_credentials")?.unwrap_or(false);
    let anonymous = s.bool("anonymous")?.unwrap_or(false);
    let bearer = s.str("bearer_token");
    let endpoint = s.str("endpoint");
    let allow_http = s.bool("allow_http")?.unwrap_or_else(|| {
        endpoint
            .as_deref()
            .is_some_and(|e| e.to_ascii_lowercase().starts_with("http://"))
    });
    let creds = s
        .str("credentials_json")
        .or_else(|| env("GOOGLE_APPLICATION_CREDENTIALS"))
        .or_else(|| {
            let p = PathBuf::from(env("HOME")?)
                .join(".config/gcloud/application_default_credentials.json");
            p.is_file().then(|| p.to_string_lossy().into_owned())
        });

    let mut b = if use_instance {
        GoogleCloudStorageBuilder::from_env()
    } else {
        GoogleCloudStorageBuilder::new()
    };
    b = b
        .with_bucket_name(bucket)
        .with_retry(opts.retry_config())
        .with_client_options(client_options(opts, allow_http));
    if let Some(e) = &endpoint {
        b = b.with_base_url(e.trim_end_matches('/'));
    }
    if anonymous {
        b = b.with_skip_signature(true);
    } else if let Some(token) = bearer {
        b = b.with_bearer_token(token);
    } else if let Some(path) = creds {
        if !std::path::Path::new(&path).is_file() {
            return Err(StorageError::MissingCredentials {
                target: format!("gcs bucket '{bucket}'"),
                missing: format!("the credentials file {path} does not exist"),
                hint:
                    "Fix credentials_json in [gcs] of trove.toml or GOOGLE_APPLICATION_CREDENTIALS"
                        .into(),
            });
        }
        b = b.with_application_credentials(path);
    } else if !use_instance {
        return Err(StorageError::MissingCredentials {
            target: format!("gcs bucket '{bucket}'"),
            missing: "found no credentials file".into(),
            hint: format!(
                "Set credentials_json (or bearer_token) in a [[gcs.buckets]] entry with bucket = \"{bucket}\" or in [gcs] of \
                 trove.toml, or set GOOGLE_APPLICATION_CREDENTIALS; to use the cloud instance's own service \
                 account set use_instance_credentials = true in [gcs]; for a public bucket set anonymous = true"
            ),
        });
    }
    let store = b
        .build()
        .map_err(|e| StorageError::uri(uri, format!("cannot configure GCS: {e}")))?;
    let uri = if prefix.is_empty() {
        format!("gs://{bucket}")
    } else {
        format!("gs://{bucket}/{prefix}")
    };
    Ok(Opened {
        uri,
        store: Arc::new(store),
        prefix: prefix_obj,
    })
}

/// Split `gs://bucket/key` into (destination uri, key).
pub(crate) fn split_object_uri(uri: &str) -> Option<(String, String)> {
    let (bucket, key) = uri.strip_prefix("gs://")?.split_once('/')?;
    Some((format!("gs://{bucket}"), key.to_string()))
}
