//! Azure Blob Storage.
//!
//! Uris: `azure://account/container/prefix`, ClearML's `azure://account.blob.core.windows.net/container/prefix`,
//! `az://container/prefix` (account from the configuration) and
//! `abfs[s]://container@account.dfs.core.windows.net/prefix`.
//!
//! ```toml
//! [azure]
//! account_name = "myaccount"     # (env AZURE_STORAGE_ACCOUNT_NAME)
//! account_key = "base64..."      # (env AZURE_STORAGE_ACCOUNT_KEY)
//! sas_token = "sv=...&sig=..."   # instead of a key (env AZURE_STORAGE_SAS_TOKEN)
//! endpoint = "http://127.0.0.1:10000/devstoreaccount1"   # another blob endpoint (Azurite, Azure Stack)
//! allow_http = false             # default: true when the endpoint is http://
//! use_instance_credentials = false   # true: managed identity / workload identity / Azure CLI
//!
//! [[azure.containers]]           # per container, same keys
//! container = "data"
//! account_name = "other"
//! account_key = "..."
//! ```
//! A key or SAS token applies only to its own account: an entry or section whose `account_name` names another
//! account is skipped.

use super::{Opened, Settings, client_options, env, prefix_path, split_authority, tstr};
use crate::{StorageError, TransferOptions};
use object_store::azure::MicrosoftAzureBuilder;
use std::sync::Arc;
use trove_core::Config;

/// The parts of an Azure uri.
struct Parts<'a> {
    /// The destination uri up to the container (included).
    base: String,
    account: Option<String>,
    container: &'a str,
    /// The rest: a prefix for a destination, a key for an object uri.
    path: &'a str,
    /// The blob endpoint named by the uri itself (ClearML's `account.blob.core.windows.net` form).
    endpoint: Option<String>,
}

fn parts(uri: &str) -> Result<Parts<'_>, StorageError> {
    let (scheme, rest) = uri
        .split_once("://")
        .ok_or_else(|| StorageError::uri(uri, "no scheme"))?;
    match scheme {
        "azure" => {
            let (authority, path) = split_authority(rest);
            let (container, path) = split_authority(path);
            if authority.is_empty() || container.is_empty() {
                return Err(StorageError::uri(
                    uri,
                    "expected azure://account/container/prefix",
                ));
            }
            let (account, endpoint) = match authority.split_once('.') {
                Some((acc, _)) => (acc.to_string(), Some(format!("https://{authority}"))),
                None => (authority.to_string(), None),
            };
            Ok(Parts {
                base: format!("azure://{authority}/{container}"),
                account: Some(account),
                container,
                path,
                endpoint,
            })
        }
        "az" => {
            let (container, path) = split_authority(rest);
            if container.is_empty() || container.contains('@') {
                return Err(StorageError::uri(
                    uri,
                    "expected az://container/prefix (use abfs:// for container@account)",
                ));
            }
            Ok(Parts {
                base: format!("az://{container}"),
                account: None,
                container,
                path,
                endpoint: None,
            })
        }
        "abfs" | "abfss" => {
            let (authority, path) = split_authority(rest);
            let (container, host) = authority.split_once('@').ok_or_else(|| {
                StorageError::uri(
                    uri,
                    "expected abfs://container@account.dfs.core.windows.net/prefix",
                )
            })?;
            let account = host.split('.').next().unwrap_or_default();
            if container.is_empty() || account.is_empty() {
                return Err(StorageError::uri(
                    uri,
                    "expected abfs://container@account.dfs.core.windows.net/prefix",
                ));
            }
            Ok(Parts {
                base: format!("{scheme}://{authority}"),
                account: Some(account.to_string()),
                container,
                path,
                endpoint: None,
            })
        }
        _ => Err(StorageError::uri(uri, "not an Azure uri")),
    }
}

/// Open an Azure destination.
pub(crate) fn open(
    uri: &str,
    cfg: &Config,
    opts: &TransferOptions,
) -> Result<Opened, StorageError> {
    let p = parts(uri)?;
    let prefix_obj = prefix_path(uri, p.path)?;
    let container = p.container;
    let account = p.account.clone();
    let s = Settings::find(cfg, "azure", &["containers"], |t| {
        t.get("container").and_then(|v| v.as_str()) == Some(container)
            && match (&account, t.get("account_name").and_then(|v| v.as_str())) {
                (Some(a), Some(ta)) => a == ta,
                _ => true,
            }
    });
    let account = match account
        .or_else(|| s.str("account_name"))
        .or_else(|| env("AZURE_STORAGE_ACCOUNT_NAME"))
    {
        Some(a) => a,
        None => {
            return Err(StorageError::MissingCredentials {
                target: format!("azure container '{container}'"),
                missing: "found no storage account name".into(),
                hint: "Use azure://account/container/prefix, or set account_name in [azure] of trove.toml or \
                       AZURE_STORAGE_ACCOUNT_NAME"
                    .into(),
            });
        }
    };
    let target = format!("azure container '{container}' of account '{account}'");
    let use_instance = s.bool("use_instance_credentials")?.unwrap_or(false);
    let endpoint = s.str("endpoint").or(p.endpoint);
    let allow_http = s.bool("allow_http")?.unwrap_or_else(|| {
        endpoint
            .as_deref()
            .is_some_and(|e| e.starts_with("http://"))
    });
    // The first table whose account matches (or names none) and that has a key or token.
    let same_account = |t: &toml::Table| tstr(t, "account_name").is_none_or(|a| a == account);
    let (key, sas) = s
        .tables()
        .filter(|t| same_account(t))
        .map(|t| (tstr(t, "account_key"), tstr(t, "sas_token")))
        .find(|(k, sas)| k.is_some() || sas.is_some())
        .or_else(|| {
            let env_account_ok = env("AZURE_STORAGE_ACCOUNT_NAME").is_none_or(|a| a == account);
            let pair = (
                env("AZURE_STORAGE_ACCOUNT_KEY"),
                env("AZURE_STORAGE_SAS_TOKEN"),
            );
            (env_account_ok && (pair.0.is_some() || pair.1.is_some())).then_some(pair)
        })
        .unwrap_or((None, None));

    let mut b = if use_instance {
        MicrosoftAzureBuilder::from_env()
    } else {
        MicrosoftAzureBuilder::new()
    };
    b = b
        .with_account(&account)
        .with_container_name(container)
        .with_retry(opts.retry_config())
        .with_client_options(client_options(opts, allow_http))
        .with_allow_http(allow_http);
    if let Some(e) = &endpoint {
        b = b.with_endpoint(e.clone());
    }
    match (key, sas) {
        (Some(k), _) => b = b.with_access_key(k),
        (None, Some(sas)) => {
            let pairs = sas
                .trim_start_matches('?')
                .split('&')
                .filter_map(|kv| kv.split_once('='))
                .map(|(k, v)| {
                    let dec =
                        |x: &str| trove_core::layout::unquote(x).unwrap_or_else(|| x.to_string());
                    (dec(k), dec(v))
                })
                .collect::<Vec<_>>();
            b = b.with_sas_authorization(pairs);
        }
        (None, None) if use_instance => {}
        (None, None) => {
            return Err(StorageError::MissingCredentials {
                target,
                missing: "found no account key and no SAS token".into(),
                hint: format!(
                    "Set account_key (or sas_token) in a [[azure.containers]] entry with container = \
                     \"{container}\" or in [azure] of trove.toml, or set AZURE_STORAGE_ACCOUNT_KEY; to use a \
                     managed identity set use_instance_credentials = true in [azure]"
                ),
            });
        }
    }
    let store = b
        .build()
        .map_err(|e| StorageError::uri(uri, format!("cannot configure Azure Blob: {e}")))?;
    let uri = if p.path.is_empty() {
        p.base
    } else {
        format!("{}/{}", p.base, p.path)
    };
    Ok(Opened {
        uri,
        store: Arc::new(store),
        prefix: prefix_obj,
    })
}

/// Split an Azure object uri into (destination uri up to the container, key).
pub(crate) fn split_object_uri(uri: &str) -> Option<(String, String)> {
    let p = parts(uri).ok()?;
    (!p.path.is_empty()).then(|| (p.base.clone(), p.path.to_string()))
}
