//! Configuration: `$TROVE_HOME/trove.toml` (or the file named by `TROVE_CONFIG_FILE`), overridden by
//! environment variables. Every entry is optional; an empty file means "embedded mode, everything local".
//!
//! ```toml
//! default_output_uri = "/mnt/shared/artifacts"   # where artifacts go unless code says otherwise
//! api_server = "http://127.0.0.1:8008"           # set these three to talk to `trove server`
//! files_server = "http://127.0.0.1:8081"
//! access_key = "..."
//! secret_key = "..."
//!
//! [server]                                        # `trove server` settings (flags override them)
//! host = "127.0.0.1"
//! api_port = 8008
//! allowed_destinations = ["/mnt/shared/artifacts", "s3://team-bucket/trove"]
//! token_ttl_secs = 86400
//! ```

use serde::Deserialize;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// Errors reading the configuration.
#[derive(Debug, Error)]
pub enum ConfigError {
    /// The file exists but could not be read.
    #[error("cannot read config file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid TOML or has a wrong type.
    #[error("config file {path} is invalid: {message} (see the README's Configuration section)")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The parser's message.
        message: String,
    },
    /// No home folder could be determined.
    #[error("cannot find a home folder: set TROVE_HOME")]
    NoHome,
}

/// Settings of `trove server`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ServerConfig {
    /// Address to bind.
    pub host: Option<String>,
    /// API port (default 8008).
    pub api_port: Option<u16>,
    /// Files-server port (default 8081).
    pub files_port: Option<u16>,
    /// Web UI port (default 8080).
    pub web_port: Option<u16>,
    /// Metadata database URL (default: SQLite in the home folder).
    pub db: Option<String>,
    /// Files storage root (default: `<home>/files`).
    pub storage: Option<String>,
    /// Run without authentication.
    pub no_auth: Option<bool>,
    /// Public base URL of the files server, used in recorded artifact URIs.
    pub public_files_url: Option<String>,
    /// Storage (folders, `file://`, `s3://`, `gs://`, `azure://` uris) the server may read artifact bytes from
    /// and write-test, besides its files storage, `<home>/artifacts` and `default_output_uri`. Records naming
    /// anything else are shown but never read.
    pub allowed_destinations: Vec<String>,
    /// Lifetime of API tokens in seconds (default 30 days).
    pub token_ttl_secs: Option<i64>,
    /// Lifetime of a web login in seconds (default 12 hours).
    pub session_ttl_secs: Option<i64>,
    /// Host names (with or without port) requests may be addressed to. Loopback names and the configured
    /// public URLs are always allowed. Checked only when authentication is off, unless this list is set.
    pub allowed_hosts: Vec<String>,
    /// Mark the web session cookie `Secure` (default: when the request came through https, as told by
    /// `X-Forwarded-Proto`).
    pub secure_cookies: Option<bool>,
    /// Most connections served at once per port (default 1024); more wait to be accepted.
    pub max_connections: Option<usize>,
    /// Largest API request body in MiB (default 64; `auth.login` takes at most 16 KiB).
    pub max_api_body_mib: Option<u64>,
    /// Largest file the files server accepts in one upload, in MiB (default: no limit).
    pub max_upload_mib: Option<u64>,
    /// Seconds a client may take to send a request's head, and a kept-alive connection may stay idle
    /// (default 30).
    pub header_timeout_secs: Option<u64>,
    /// Seconds a request body may pause between two chunks before the request fails (default 60).
    pub body_timeout_secs: Option<u64>,
}

/// SDK tuning.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SdkConfig {
    /// Background upload workers per task (default 4).
    pub upload_workers: Option<usize>,
    /// Seconds between checks of registered frames (default 10).
    pub monitor_interval_secs: Option<f64>,
    /// Local download cache (default `<home>/cache`).
    pub cache_dir: Option<PathBuf>,
}

/// The parsed configuration, after environment overrides. Its `Debug` output never shows secrets (the secret
/// key, the token secret, or anything in the storage sections, which hold cloud credentials).
#[derive(Clone, Default, Deserialize)]
#[serde(default)]
pub struct Config {
    /// The trove home folder (`$TROVE_HOME`, default `~/.trove`). Not read from the file.
    #[serde(skip)]
    pub home: PathBuf,
    /// The config file that was read, if any.
    #[serde(skip)]
    pub file: Option<PathBuf>,
    /// Default artifact destination.
    pub default_output_uri: Option<String>,
    /// trove/ClearML API server URL; when set the SDK runs in remote mode.
    pub api_server: Option<String>,
    /// Files server URL.
    pub files_server: Option<String>,
    /// Web UI URL.
    pub web_server: Option<String>,
    /// API access key.
    pub access_key: Option<String>,
    /// API secret key.
    pub secret_key: Option<String>,
    /// Shared token signing key for several servers.
    pub token_secret: Option<String>,
    /// Server settings.
    pub server: ServerConfig,
    /// SDK settings.
    pub sdk: SdkConfig,
    /// Everything else (storage credential sections and so on), kept for the crates that read them.
    #[serde(flatten)]
    pub extra: toml::Table,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hidden = |v: &Option<String>| v.as_ref().map(|_| "<hidden>");
        let sections: Vec<&String> = self.extra.keys().collect();
        f.debug_struct("Config")
            .field("home", &self.home)
            .field("file", &self.file)
            .field("default_output_uri", &self.default_output_uri)
            .field("api_server", &self.api_server)
            .field("files_server", &self.files_server)
            .field("web_server", &self.web_server)
            .field("access_key", &self.access_key)
            .field("secret_key", &hidden(&self.secret_key))
            .field("token_secret", &hidden(&self.token_secret))
            .field("server", &self.server)
            .field("sdk", &self.sdk)
            .field("sections", &sections)
            .finish()
    }
}

impl Config {
    /// Load from the environment: home from `TROVE_HOME` (or `~/.trove`), the file from `TROVE_CONFIG_FILE`
    /// (or `<home>/trove.toml`), then `TROVE_*` overrides.
    pub fn load() -> Result<Self, ConfigError> {
        let home = match std::env::var_os("TROVE_HOME") {
            Some(h) if !h.is_empty() => PathBuf::from(h),
            _ => std::env::var_os("HOME")
                .map(|h| PathBuf::from(h).join(".trove"))
                .ok_or(ConfigError::NoHome)?,
        };
        Self::load_from_home(&home)
    }

    /// Load with an explicit home folder (the file is still `TROVE_CONFIG_FILE` if set).
    pub fn load_from_home(home: &Path) -> Result<Self, ConfigError> {
        let file = match std::env::var_os("TROVE_CONFIG_FILE") {
            Some(f) if !f.is_empty() => PathBuf::from(f),
            _ => home.join("trove.toml"),
        };
        let mut cfg = if file.exists() {
            let text = std::fs::read_to_string(&file).map_err(|source| ConfigError::Read {
                path: file.clone(),
                source,
            })?;
            let mut c = Self::parse(&text).map_err(|message| ConfigError::Parse {
                path: file.clone(),
                message,
            })?;
            c.file = Some(file);
            c
        } else {
            Config::default()
        };
        cfg.home = home.to_path_buf();
        cfg.apply_env();
        Ok(cfg)
    }

    /// Parse TOML text (no environment applied).
    pub fn parse(text: &str) -> Result<Self, String> {
        toml::from_str(text).map_err(|e| e.to_string())
    }

    fn apply_env(&mut self) {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        if let Some(v) = var("TROVE_DEFAULT_OUTPUT_URI") {
            self.default_output_uri = Some(v);
        }
        if let Some(v) = var("TROVE_API_SERVER") {
            self.api_server = Some(v);
        }
        if let Some(v) = var("TROVE_FILES_SERVER") {
            self.files_server = Some(v);
        }
        if let Some(v) = var("TROVE_ACCESS_KEY") {
            self.access_key = Some(v);
        }
        if let Some(v) = var("TROVE_SECRET_KEY") {
            self.secret_key = Some(v);
        }
        if let Some(v) = var("TROVE_TOKEN_SECRET") {
            self.token_secret = Some(v);
        }
    }

    /// The embedded metadata database URL: `sqlite://<home>/trove.db`.
    pub fn default_db_url(&self) -> String {
        format!("sqlite://{}", self.home.join("trove.db").display())
    }

    /// The metadata database this installation uses: `[server] db` if set, else the embedded SQLite file.
    /// The SDK's embedded mode, the CLI and the server all open this one.
    pub fn db_url(&self) -> String {
        self.server
            .db
            .clone()
            .filter(|d| !d.is_empty())
            .unwrap_or_else(|| self.default_db_url())
    }

    /// Where artifacts go when nothing else says: `<home>/artifacts`.
    pub fn default_artifacts_dir(&self) -> PathBuf {
        self.home.join("artifacts")
    }

    /// The local download cache.
    pub fn cache_dir(&self) -> PathBuf {
        self.sdk
            .cache_dir
            .clone()
            .unwrap_or_else(|| self.home.join("cache"))
    }

    /// A sub-table of the extra sections, e.g. `section("s3")`.
    pub fn section(&self, name: &str) -> Option<&toml::Table> {
        self.extra.get(name).and_then(|v| v.as_table())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_section_and_keeps_extras() {
        let c = Config::parse(
            r#"
            default_output_uri = "/tmp/out"
            api_server = "http://127.0.0.1:8008"
            [server]
            api_port = 9000
            no_auth = true
            [sdk]
            upload_workers = 2
            [s3]
            region = "eu"
            "#,
        )
        .unwrap();
        assert_eq!(c.default_output_uri.as_deref(), Some("/tmp/out"));
        assert_eq!(c.server.api_port, Some(9000));
        assert_eq!(c.server.no_auth, Some(true));
        assert_eq!(c.sdk.upload_workers, Some(2));
        assert_eq!(
            c.section("s3")
                .and_then(|t| t.get("region"))
                .and_then(|v| v.as_str()),
            Some("eu")
        );
    }

    #[test]
    fn debug_output_hides_secrets() {
        let c = Config::parse(
            "secret_key = \"SK-123\"\ntoken_secret = \"TS-456\"\n[s3]\nsecret = \"S3-789\"",
        )
        .unwrap();
        let shown = format!("{c:?}");
        for secret in ["SK-123", "TS-456", "S3-789"] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert!(
            shown.contains("<hidden>") && shown.contains("s3"),
            "{shown}"
        );
    }

    #[test]
    fn bad_toml_is_an_error_naming_the_problem() {
        let e = Config::parse("default_output_uri = [").unwrap_err();
        assert!(!e.is_empty());
        let e = Config::parse("[server]\napi_port = \"x\"").unwrap_err();
        assert!(e.contains("api_port") || e.contains("integer"), "{e}");
    }
}
