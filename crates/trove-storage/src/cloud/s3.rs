//! S3 and S3-compatible stores (MinIO, Ceph, s3s, ...).
//!
//! Uris: `s3://bucket/prefix`, or `s3://host:port/bucket/prefix` for a server given by address (ClearML's
//! MinIO form; the scheme is `https` unless the bucket's settings say `secure = false` or `allow_http = true`).
//!
//! ```toml
//! [s3]                       # defaults for every bucket
//! key = "AKIA..."            # access key id        (env AWS_ACCESS_KEY_ID)
//! secret = "..."             # secret access key    (env AWS_SECRET_ACCESS_KEY)
//! token = "..."              # session token        (env AWS_SESSION_TOKEN)
//! region = "eu-west-1"       # (env AWS_REGION, AWS_DEFAULT_REGION; default us-east-1)
//! endpoint = "http://127.0.0.1:9000"   # S3-compatible server (env AWS_ENDPOINT_URL)
//! path_style = true          # bucket in the path (default), false: virtual-hosted bucket.host
//! allow_http = false         # default: true when the endpoint is http://
//! use_instance_credentials = false     # true: use the instance role / metadata service / web identity
//! anonymous = false          # true: unsigned requests (public buckets)
//!
//! [[s3.buckets]]             # per bucket, same keys; ClearML's `host`/`secure` are accepted too
//! bucket = "data"
//! key = "..."
//! secret = "..."
//! ```
//! `[[s3.credentials]]` (ClearML's name for the array) is read as well.

use super::{Opened, Settings, client_options, env, prefix_path, split_authority, tstr};
use crate::{StorageError, TransferOptions};
use object_store::aws::AmazonS3Builder;
use std::sync::Arc;
use trove_core::Config;

/// Open `s3://...`.
pub(crate) fn open(
    uri: &str,
    cfg: &Config,
    opts: &TransferOptions,
) -> Result<Opened, StorageError> {
    let rest = &uri["s3://".len()..];
    let (authority, path) = split_authority(rest);
    if authority.is_empty() {
        return Err(StorageError::uri(
            uri,
            "no bucket: expected s3://bucket/prefix",
        ));
    }
    // s3://host:port/bucket/prefix names the server; s3://bucket/prefix does not.
    let (host, bucket, prefix) = if authority.contains(':') {
        let (bucket, prefix) = split_authority(path);
        if bucket.is_empty() {
            return Err(StorageError::uri(
                uri,
                "no bucket: expected s3://host:port/bucket/prefix",
            ));
        }
        (Some(authority), bucket, prefix)
    } else {
        (None, authority, path)
    };
    let prefix_obj = prefix_path(uri, prefix)?;
    let s = Settings::find(cfg, "s3", &["buckets", "credentials"], |t| {
        let name_ok = t.get("bucket").and_then(|v| v.as_str()) == Some(bucket);
        let host_ok = match (host, t.get("host").and_then(|v| v.as_str())) {
            (Some(h), Some(th)) => h == th,
            _ => true,
        };
        name_ok && host_ok
    });

    let target = format!("s3 bucket '{bucket}'");
    let use_instance = s.bool("use_instance_credentials")?.unwrap_or(false);
    let anonymous = s.bool("anonymous")?.unwrap_or(false);
    let secure = s.bool("secure")?;
    let endpoint = s
        .str("endpoint")
        .or_else(|| {
            s.str("host").map(|h| {
                if h.contains("://") {
                    h
                } else {
                    format!(
                        "{}://{h}",
                        if secure == Some(false) {
                            "http"
                        } else {
                            "https"
                        }
                    )
                }
            })
        })
        .or_else(|| {
            host.map(|h| {
                format!(
                    "{}://{h}",
                    if secure == Some(false) {
                        "http"
                    } else {
                        "https"
                    }
                )
            })
        })
        .or_else(|| env("AWS_ENDPOINT_URL_S3"))
        .or_else(|| env("AWS_ENDPOINT_URL"));
    let allow_http = s.bool("allow_http")?.unwrap_or_else(|| {
        endpoint
            .as_deref()
            .is_some_and(|e| e.starts_with("http://"))
    });
    let endpoint = match (endpoint, allow_http, host) {
        // s3://host:port/... with allow_http and no explicit endpoint: talk plain http to that host.
        (Some(e), true, Some(h)) if e == format!("https://{h}") => Some(format!("http://{h}")),
        (e, _, _) => e,
    };
    let region = s
        .str("region")
        .or_else(|| env("AWS_REGION"))
        .or_else(|| env("AWS_DEFAULT_REGION"));
    let path_style = s.bool("path_style")?.unwrap_or(true);

    let mut b = if use_instance {
        // The full credential chain, metadata service included: the user asked for it.
        AmazonS3Builder::from_env()
    } else {
        AmazonS3Builder::new()
    };
    b = b
        .with_bucket_name(bucket)
        .with_retry(opts.retry_config())
        .with_client_options(client_options(opts, allow_http))
        .with_allow_http(allow_http)
        .with_virtual_hosted_style_request(!path_style);
    if let Some(r) = &region {
        b = b.with_region(r);
    }
    if let Some(e) = &endpoint {
        b = b.with_endpoint(e);
    }

    // Credentials: the first of the bucket's entry, [s3], the environment that has any of key and secret.
    let (key, secret, token) = s
        .tables()
        .map(|t| (tstr(t, "key"), tstr(t, "secret"), tstr(t, "token")))
        .find(|(k, sec, _)| k.is_some() || sec.is_some())
        .unwrap_or_else(|| {
            (
                env("AWS_ACCESS_KEY_ID"),
                env("AWS_SECRET_ACCESS_KEY"),
                env("AWS_SESSION_TOKEN"),
            )
        });
    if anonymous {
        b = b.with_skip_signature(true);
    } else {
        match (key, secret) {
            (Some(k), Some(sec)) => {
                b = b.with_access_key_id(k).with_secret_access_key(sec);
                if let Some(t) = token {
                    b = b.with_token(t);
                }
            }
            _ if use_instance => {}
            (k, sec) => {
                let missing = match (k.is_some(), sec.is_some()) {
                    (false, false) => "no access key id and no secret access key",
                    (true, false) => "an access key id but no secret access key",
                    _ => "a secret access key but no access key id",
                };
                return Err(StorageError::MissingCredentials {
                    target,
                    missing: format!("found {missing}"),
                    hint: format!(
                        "Set key and secret in a [[s3.buckets]] entry with bucket = \"{bucket}\" or in [s3] of \
                         trove.toml, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; to use the cloud \
                         instance's own role set use_instance_credentials = true in [s3]; for a public bucket set \
                         anonymous = true"
                    ),
                });
            }
        }
    }
    let store = b
        .build()
        .map_err(|e| StorageError::uri(uri, format!("cannot configure S3: {e}")))?;
    tracing::debug!(uri, bucket, endpoint = ?endpoint, region = ?region, "opened an S3 destination");
    let uri = match host {
        Some(h) => format!("s3://{h}/{bucket}"),
        None => format!("s3://{bucket}"),
    };
    let uri = if prefix.is_empty() {
        uri
    } else {
        format!("{uri}/{prefix}")
    };
    Ok(Opened {
        uri,
        store: Arc::new(store),
        prefix: prefix_obj,
    })
}

/// Split an object uri `s3://bucket/key` (or `s3://host:port/bucket/key`) into (destination uri, key).
pub(crate) fn split_object_uri(uri: &str) -> Option<(String, String)> {
    let rest = uri.strip_prefix("s3://")?;
    let (authority, path) = rest.split_once('/')?;
    if authority.contains(':') {
        let (bucket, key) = path.split_once('/')?;
        Some((format!("s3://{authority}/{bucket}"), key.to_string()))
    } else {
        Some((format!("s3://{authority}"), path.to_string()))
    }
}
