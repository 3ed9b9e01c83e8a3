//! `auth.login`, `users.get_current_user`, `server.info`, `debug.ping`.

use crate::{Validate, lenient};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// `auth.login {expiration_sec?}` (also as a query parameter): credentials travel in the headers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LoginRequest {
    /// Shortens the token's life (seconds); never extends it past the server's limit.
    #[serde(
        deserialize_with = "lenient::opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub expiration_sec: Option<u64>,
}

impl Validate for LoginRequest {}

/// `{token}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LoginResponse {
    /// The signed token to send as `Authorization: Bearer`.
    pub token: String,
}

/// `{user, getting_started, settings}` of `users.get_current_user`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CurrentUserResponse {
    /// Who is calling.
    pub user: User,
    /// Onboarding state (trove: empty).
    pub getting_started: Map<String, Value>,
    /// UI settings.
    pub settings: UserSettings,
}

/// A user as `users.get_current_user` describes it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct User {
    /// User id (trove: the access key).
    pub id: String,
    /// Display name.
    pub name: String,
    /// Given name.
    pub given_name: String,
    /// Family name.
    pub family_name: String,
    /// Role.
    pub role: String,
    /// The user's company.
    pub company: Company,
    /// UI preferences.
    pub preferences: Map<String, Value>,
}

/// `{id, name}` of a company.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Company {
    /// Company id.
    pub id: String,
    /// Company name.
    pub name: String,
}

/// `settings` of `users.get_current_user`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UserSettings {
    /// Most items the UI downloads at once.
    pub max_download_items: u64,
}

/// `server.info`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ServerInfoResponse {
    /// [`crate::SERVER_VERSION`] for trove.
    pub server_version: String,
    /// [`crate::API_VERSION`] for trove.
    pub api_version: String,
    /// Build id.
    pub build: String,
    /// Source commit (trove: empty).
    pub commit: String,
    /// Server instance id.
    pub uid: String,
    /// trove's own version (absent on ClearML servers).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trove_version: Option<String>,
}

/// `debug.ping` → `{msg}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PingResponse {
    /// A greeting.
    pub msg: String,
}
