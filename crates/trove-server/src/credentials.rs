//! API credentials (ClearML's access/secret key pairs): create, list and revoke. Secrets are stored only as
//! salted SHA-256 hashes; the plain secret is returned once, by [`create`].

use crate::auth;
use trove_store::{SharedStore, StoreError};

const KEY_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const SECRET_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// Errors of credential management.
#[derive(Debug, thiserror::Error)]
pub enum CredentialsError {
    /// The store failed (or the access key exists already).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A given key or secret is unusable.
    #[error("invalid credentials: {0}")]
    Invalid(String),
}

/// One key pair as listed (no secret).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct KeyInfo {
    /// The access key.
    pub access_key: String,
    /// Creation time, ISO-8601.
    pub created: String,
    /// Revoked keys cannot log in.
    pub revoked: bool,
}

/// Create a key pair; random parts where `None` is given (ClearML-like: 20-character key, 50-character
/// secret). Returns `(access_key, secret_key)`; only the secret's hash is stored.
pub async fn create(
    store: &SharedStore,
    access: Option<String>,
    secret: Option<String>,
) -> Result<(String, String), CredentialsError> {
    let access = access.unwrap_or_else(|| auth::random_string(20, KEY_ALPHABET));
    let secret = secret.unwrap_or_else(|| auth::random_string(50, SECRET_ALPHABET));
    if access.is_empty() || access.contains(':') || access.chars().any(char::is_whitespace) {
        return Err(CredentialsError::Invalid(
            "the access key must be non-empty, without ':' or spaces".into(),
        ));
    }
    if secret.is_empty() {
        return Err(CredentialsError::Invalid(
            "the secret key must not be empty".into(),
        ));
    }
    store
        .add_credentials(&access, &auth::hash_secret(&secret))
        .await?;
    Ok((access, secret))
}

/// Every key pair (active and revoked), without secrets.
pub async fn list(store: &SharedStore) -> Result<Vec<KeyInfo>, CredentialsError> {
    Ok(store
        .list_credentials()
        .await?
        .into_iter()
        .map(|c| KeyInfo {
            access_key: c.access_key,
            created: trove_core::timefmt::iso_from_micros(c.created),
            revoked: c.revoked,
        })
        .collect())
}

/// Revoke a key; `false` if there was none. Tokens already issued stay valid until they expire.
pub async fn revoke(store: &SharedStore, access_key: &str) -> Result<bool, CredentialsError> {
    Ok(store.revoke_credentials(access_key).await?)
}

/// True when `access:secret` names an active key with that secret.
pub async fn check(
    store: &SharedStore,
    access: &str,
    secret: &str,
) -> Result<bool, CredentialsError> {
    Ok(match store.get_credentials(access).await? {
        Some(c) if !c.revoked => auth::verify_secret(secret, &c.secret_hash),
        _ => false,
    })
}
