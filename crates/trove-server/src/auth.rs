//! Authentication: HS256 tokens in the shape the ClearML SDK decodes ([`Claims`]: it reads `api_version` and
//! `exp`), HTTP Basic parsing, salted SHA-256 secret hashes with constant-time comparison, and the signing key
//! shared through the store. What tokens promise (lifetime, revocation) is in SECURITY.md.

use crate::error::ApiError;
use axum::http::HeaderMap;
use base64::Engine;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use trove_protocol::{API_VERSION, ResultCode, SERVER_VERSION};
use trove_store::SharedStore;

/// Settings key of the token signing secret.
pub const TOKEN_SECRET_SETTING: &str = "token_secret";
/// The cookie the ClearML web UI and files server accept a token in.
pub const TOKEN_COOKIE: &str = "clearml_token_basic";
/// Shortest signing secret accepted (bytes): HS256 keys shorter than its 32-byte output are guessable.
pub const MIN_SECRET_LEN: usize = 32;

/// `identity` inside a token.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Identity {
    /// User id (trove: the access key).
    pub user: String,
    /// Company id.
    pub company: String,
    /// Role.
    pub role: String,
    /// Display name.
    pub user_name: String,
    /// Company name.
    pub company_name: String,
}

impl Identity {
    /// The identity of a key holder.
    pub fn for_key(access_key: &str) -> Self {
        Self {
            user: access_key.to_string(),
            company: "trove".into(),
            role: "user".into(),
            user_name: access_key.to_string(),
            company_name: "trove".into(),
        }
    }

    /// The identity used when authentication is off.
    pub fn anonymous() -> Self {
        Self::for_key("trove")
    }
}

/// Token claims (what ClearML's server puts in its JWTs).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// Who.
    pub identity: Identity,
    /// Environment name.
    pub env: String,
    /// API version the SDK adopts.
    pub api_version: String,
    /// Server version.
    pub server_version: String,
    /// Build id.
    pub server_build: String,
    /// `basic` keeps the SDK away from enterprise endpoints.
    pub feature_set: String,
    /// Issued at (epoch seconds).
    pub iat: i64,
    /// Expires at (epoch seconds).
    pub exp: i64,
}

/// Signs and verifies tokens with one HS256 key.
#[derive(Clone)]
pub struct TokenKeys {
    enc: EncodingKey,
    dec: DecodingKey,
}

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenKeys(..)")
    }
}

impl TokenKeys {
    /// Keys from a shared secret.
    pub fn new(secret: &[u8]) -> Self {
        Self {
            enc: EncodingKey::from_secret(secret),
            dec: DecodingKey::from_secret(secret),
        }
    }

    /// A signed token for `identity`, valid for `ttl_secs`.
    pub fn issue(&self, identity: Identity, ttl_secs: i64) -> Result<String, ApiError> {
        let now = trove_core::timefmt::now_secs();
        self.issue_until(identity, now, now + ttl_secs.max(1))
    }

    /// A signed token for `identity` issued at `now` that expires at `exp` (epoch seconds).
    pub fn issue_until(&self, identity: Identity, now: i64, exp: i64) -> Result<String, ApiError> {
        let claims = Claims {
            identity,
            env: "trove".into(),
            api_version: API_VERSION.into(),
            server_version: SERVER_VERSION.into(),
            server_build: format!("trove-{}", env!("CARGO_PKG_VERSION")),
            feature_set: "basic".into(),
            iat: now,
            exp,
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.enc)
            .map_err(|e| ApiError::internal(format!("cannot sign token: {e}")))
    }

    /// Verify signature and expiry; 401 otherwise.
    pub fn verify(&self, token: &str) -> Result<Claims, ApiError> {
        let mut v = Validation::new(Algorithm::HS256);
        v.leeway = 0;
        v.validate_exp = true;
        v.set_required_spec_claims(&["exp"]);
        match jsonwebtoken::decode::<Claims>(token, &self.dec, &v) {
            Ok(d) => Ok(d.claims),
            Err(e) => match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => Err(ApiError::new(
                    ResultCode::InvalidToken,
                    "Token expired: log in again",
                )),
                _ => Err(ApiError::new(
                    ResultCode::InvalidToken,
                    format!("Invalid token: {e}"),
                )),
            },
        }
    }
}

/// Errors choosing the signing secret.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    /// The configured secret is too short to be safe.
    #[error(
        "token_secret (or TROVE_TOKEN_SECRET) is {len} bytes long; it must be at least {MIN_SECRET_LEN} random bytes: generate one with `openssl rand -hex 32`, or remove it to let the server create one"
    )]
    TooShort {
        /// Its length.
        len: usize,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] trove_store::StoreError),
}

/// The signing secret: the configured one (at least [`MIN_SECRET_LEN`] bytes), else the one in the store's
/// settings (created once, so every server on the same database agrees).
pub async fn signing_secret(
    store: &SharedStore,
    configured: Option<&str>,
) -> Result<String, SecretError> {
    if let Some(s) = configured.filter(|s| !s.is_empty()) {
        if s.len() < MIN_SECRET_LEN {
            return Err(SecretError::TooShort { len: s.len() });
        }
        return Ok(s.to_string());
    }
    if let Some(s) = store.get_setting(TOKEN_SECRET_SETTING).await? {
        return Ok(s);
    }
    Ok(store
        .init_setting(TOKEN_SECRET_SETTING, &random_hex(32))
        .await?)
}

/// `n` random bytes as hex.
pub fn random_hex(n: usize) -> String {
    let mut b = vec![0u8; n];
    rand::rng().fill_bytes(&mut b);
    hex::encode(b)
}

/// A random string of `n` characters from `alphabet`.
pub fn random_string(n: usize, alphabet: &[u8]) -> String {
    let mut rng = rand::rng();
    (0..n)
        .map(|_| alphabet[(rng.next_u32() as usize) % alphabet.len()] as char)
        .collect()
}

/// Hash a secret as `sha256$<salt hex>$<hex(sha256(salt ‖ secret))>`.
pub fn hash_secret(secret: &str) -> String {
    let salt = random_hex(16);
    format!("sha256${salt}${}", digest(&salt, secret))
}

fn digest(salt: &str, secret: &str) -> String {
    let mut h = Sha256::new();
    h.update(salt.as_bytes());
    h.update(secret.as_bytes());
    hex::encode(h.finalize())
}

/// Check a secret against a stored hash in constant time (for equal-length inputs).
pub fn verify_secret(secret: &str, stored: &str) -> bool {
    let mut parts = stored.splitn(3, '$');
    match (parts.next(), parts.next(), parts.next()) {
        (Some("sha256"), Some(salt), Some(want)) => {
            ct_eq(digest(salt, secret).as_bytes(), want.as_bytes())
        }
        _ => false,
    }
}

/// Constant-time byte comparison.
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// `Authorization: Basic` credentials, if that is what the request carries.
pub fn basic_credentials(headers: &HeaderMap) -> Result<Option<(String, String)>, ApiError> {
    let Some(v) = headers.get(axum::http::header::AUTHORIZATION) else {
        return Ok(None);
    };
    let v = v.to_str().map_err(|_| {
        ApiError::new(
            ResultCode::BadAuthType,
            "Bad authorization header: not readable text",
        )
    })?;
    let Some(b64) = strip_scheme(v, "basic") else {
        return Ok(None);
    };
    let raw = base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .map_err(|_| {
            ApiError::new(
                ResultCode::BadCredentials,
                "Bad authorization header: Basic credentials are not base64",
            )
        })?;
    let text = String::from_utf8(raw).map_err(|_| {
        ApiError::new(
            ResultCode::BadCredentials,
            "Bad authorization header: credentials are not UTF-8",
        )
    })?;
    let (k, s) = text.split_once(':').ok_or_else(|| {
        ApiError::new(
            ResultCode::BadCredentials,
            "Bad authorization header: expected access_key:secret_key",
        )
    })?;
    Ok(Some((k.to_string(), s.to_string())))
}

/// The token of `Authorization: Bearer …`.
pub fn header_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| strip_scheme(v, "bearer"))
        .map(|t| t.trim().to_string())
}

/// The bearer token of a request: `Authorization: Bearer …`, else the `clearml_token_basic` cookie.
pub fn bearer_token(headers: &HeaderMap) -> Option<String> {
    if let Some(t) = header_token(headers) {
        return Some(t);
    }
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == TOKEN_COOKIE)
        .map(|(_, v)| v.trim().to_string())
}

fn strip_scheme<'a>(v: &'a str, scheme: &str) -> Option<&'a str> {
    let (s, rest) = v.trim().split_once(' ')?;
    s.eq_ignore_ascii_case(scheme).then_some(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_hash_and_verify() {
        let h = hash_secret("s3cret");
        assert!(h.starts_with("sha256$"));
        assert!(verify_secret("s3cret", &h));
        assert!(!verify_secret("s3cret!", &h));
        assert!(!verify_secret("s3cret", "plain"));
        assert_ne!(hash_secret("x"), hash_secret("x"), "salted");
    }

    #[test]
    fn tokens_round_trip_and_reject_forgeries() {
        let k = TokenKeys::new(b"key-one");
        let t = k.issue(Identity::for_key("AK"), 60).unwrap();
        assert_eq!(k.verify(&t).unwrap().identity.user, "AK");
        let other = TokenKeys::new(b"key-two");
        assert_eq!(
            other.verify(&t).unwrap_err().code(),
            ResultCode::InvalidToken
        );
        assert_eq!(
            k.verify("not.a.jwt").unwrap_err().code(),
            ResultCode::InvalidToken
        );
    }
}
