//! Output destinations in the UI: checking a value typed into a form (known scheme, and a write test like the
//! SDK's, but only for destinations inside the storage the server is allowed to use: a form must not make the
//! server write into arbitrary folders or send its cloud credentials to a host named in the value), and
//! explaining which precedence level chose a task's destination.

use std::time::Duration;
use trove_core::Config;
use trove_protocol::{DestinationSource, TaskOutput};
use trove_storage::{Destination, StorageError, StorageRoots};

/// How long a write test may take before the value is refused.
const WRITE_TEST_TIMEOUT: Duration = Duration::from_secs(20);

/// Cloud schemes `trove_storage` understands.
const CLOUD: [&str; 6] = ["s3", "gs", "azure", "az", "abfs", "abfss"];

/// A value the form accepted: what to store, and what was checked (shown to the user).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Accepted {
    /// The value to store, as typed (trimmed).
    pub value: String,
    /// What the check did, e.g. "write test passed".
    pub checked: String,
}

/// The scheme of `uri` (lower case), `None` for a plain path.
fn scheme(uri: &str) -> Option<String> {
    let (s, _) = uri.split_once("://")?;
    (!s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c)))
    .then(|| s.to_ascii_lowercase())
}

/// Said of a destination outside the server's roots, saved without a test.
const OUTSIDE: &str = "not write-tested: it is outside the storage this server may access (clients write there with their own access; an administrator can add it to [server] allowed_destinations to have it checked)";

/// Check a destination typed into a form. `Err` is the message to show; nothing is stored then. Only
/// destinations inside `roots` are write-tested; others are checked for form only and saved untested.
pub(crate) async fn check(
    cfg: &Config,
    roots: &StorageRoots,
    files_url: Option<&str>,
    raw: &str,
) -> Result<Accepted, String> {
    let value = raw.trim().to_string();
    if value.chars().any(char::is_control) {
        return Err("The destination contains control characters.".into());
    }
    let accepted = |checked: &str| {
        Ok(Accepted {
            value: value.clone(),
            checked: checked.to_string(),
        })
    };
    let local = |value: &str| {
        Destination::parse(value, cfg)
            .map_err(|e| format!("'{value}' is not a valid destination: {e}"))?;
        Ok::<bool, String>(roots.contains(value))
    };
    match scheme(&value).as_deref() {
        None | Some("file") if value.starts_with('/') || value.starts_with("file://") => {
            if local(&value)? {
                write_test(cfg, &value).await
            } else {
                accepted(OUTSIDE)
            }
        }
        None => Err(format!(
            "'{value}' is not a known kind of destination: use an absolute path (/data/artifacts) or a URI \
             starting with file://, s3://, gs://, azure://, http:// or https://."
        )),
        Some("file") => Err(format!("'{value}' is not an absolute file:// URI.")),
        Some("http") | Some("https") => {
            let rest = value.split_once("://").map_or("", |(_, r)| r);
            if rest.is_empty() || rest.starts_with('/') {
                return Err(format!("'{value}' names no host."));
            }
            if let Err(e) = Destination::parse(&value, cfg) {
                return Err(format!("'{value}' is not a usable files server URL: {e}"));
            }
            if is_files_server(files_url, &value) {
                accepted("this server's files server")
            } else {
                accepted("not write-tested: the server does not contact other web servers")
            }
        }
        Some(s) if CLOUD.contains(&s) => {
            let rest = value.split_once("://").map_or("", |(_, r)| r);
            if rest.trim_matches('/').is_empty() {
                return Err(format!("'{value}' names no bucket or container."));
            }
            match Destination::parse(&value, cfg) {
                Ok(_) if roots.contains(&value) => write_test(cfg, &value).await,
                Ok(_) => accepted(OUTSIDE),
                Err(
                    e @ (StorageError::MissingCredentials { .. }
                    | StorageError::SchemeNotCompiled { .. }),
                ) => accepted(&format!(
                    "not write-tested: this server cannot reach it ({e}); clients need their own credentials"
                )),
                Err(e) => Err(format!("'{value}' is not a valid destination: {e}")),
            }
        }
        Some(other) => Err(format!(
            "Unknown scheme '{other}://': use an absolute path, file://, s3://, gs://, azure://, http:// or https://."
        )),
    }
}

/// Parse and write-test a destination this server can reach (a local folder or a bucket it has credentials for).
async fn write_test(cfg: &Config, value: &str) -> Result<Accepted, String> {
    let dest = Destination::parse(value, cfg)
        .map_err(|e| format!("'{value}' is not a valid destination: {e}"))?;
    match tokio::time::timeout(WRITE_TEST_TIMEOUT, dest.check_writable()).await {
        Ok(Ok(())) => Ok(Accepted {
            value: value.to_string(),
            checked: format!("write test passed ({})", dest.uri()),
        }),
        Ok(Err(e)) => Err(format!(
            "The write test failed: {e}. Create the folder or bucket and give the server write access, or choose another destination."
        )),
        Err(_) => Err(format!(
            "The write test of '{value}' did not finish within {} s.",
            WRITE_TEST_TIMEOUT.as_secs()
        )),
    }
}

/// A comparable form of a destination: local paths as `file:///abs`, no trailing slash.
pub(crate) fn normalize(cfg: &Config, uri: &str) -> String {
    let uri = uri.trim();
    match scheme(uri).as_deref() {
        None | Some("file") => Destination::parse(uri, cfg)
            .map(|d| d.uri().to_string())
            .unwrap_or_else(|_| uri.trim_end_matches('/').to_string()),
        _ => uri.trim_end_matches('/').to_string(),
    }
}

/// True when `uri` is (below) this server's files server.
fn is_files_server(files_url: Option<&str>, uri: &str) -> bool {
    let Some(base) = files_url else {
        return false;
    };
    let base = base.trim_end_matches('/');
    let loopback = |u: &str| {
        u.replace("://localhost", "://127.0.0.1")
            .replace("://[::1]", "://127.0.0.1")
    };
    let (u, b) = (loopback(uri.trim_end_matches('/')), loopback(base));
    u == b || u.starts_with(&format!("{b}/"))
}

/// Where a task's artifacts went and which precedence level chose that, for the INFO tab.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Explained {
    /// The destination, or `None` when the task recorded none.
    pub destination: Option<String>,
    /// Human label of the level, e.g. "project default".
    pub level: String,
    /// True when the level was inferred here rather than recorded by the SDK.
    pub inferred: bool,
}

/// Explain a task's destination. The trove SDK records the level in `output.destination_source`; for tasks
/// from the ClearML SDK (which records only `output.destination`) it is inferred: equal to the project's
/// default → project default; this server's files server (or nothing recorded) → server default; otherwise
/// code or configuration file.
pub(crate) fn explain(
    cfg: &Config,
    files_url: Option<&str>,
    output: Option<&serde_json::Value>,
    project_default: Option<&str>,
) -> Explained {
    let destination = TaskOutput::read(output)
        .destination
        .map(|d| d.trim().to_string())
        .filter(|d| !d.is_empty());
    if let Some(label) = TaskOutput::source_label(output) {
        let level = match DestinationSource::parse(&label) {
            Some(DestinationSource::Code) => "code (output_uri)".to_string(),
            Some(DestinationSource::Task) => {
                "the task's own destination (set in the web UI)".to_string()
            }
            Some(DestinationSource::Project) => "project default".to_string(),
            Some(DestinationSource::Environment) => {
                "environment (TROVE_DEFAULT_OUTPUT_URI)".to_string()
            }
            Some(DestinationSource::ConfigFile) => {
                "configuration file (default_output_uri)".to_string()
            }
            Some(DestinationSource::Default)
                if destination
                    .as_deref()
                    .is_some_and(|d| is_files_server(files_url, d)) =>
            {
                "server default (files server)".to_string()
            }
            Some(DestinationSource::Default) => "default ($TROVE_HOME/artifacts)".to_string(),
            None => label,
        };
        return Explained {
            destination,
            level,
            inferred: false,
        };
    }
    let level = match destination.as_deref() {
        None => "server default (files server)",
        Some(d)
            if project_default
                .filter(|p| !p.trim().is_empty())
                .is_some_and(|p| normalize(cfg, p) == normalize(cfg, d)) =>
        {
            "project default"
        }
        Some(d) if is_files_server(files_url, d) => "server default (files server)",
        Some(_) => "code or configuration file",
    };
    Explained {
        destination,
        level: level.to_string(),
        inferred: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const FILES: Option<&str> = Some("http://127.0.0.1:8081");

    #[tokio::test]
    async fn form_values_are_checked() {
        let cfg = Config::default();
        let dir = tempfile::tempdir().unwrap();
        let mut r = StorageRoots::new();
        r.add_folder(dir.path()).unwrap();
        let roots = &r;
        let ok = check(&cfg, roots, FILES, &format!(" {} ", dir.path().display()))
            .await
            .unwrap();
        assert_eq!(ok.value, dir.path().display().to_string());
        assert!(ok.checked.contains("write test passed"), "{ok:?}");
        let as_uri = format!("file://{}", dir.path().display());
        assert!(check(&cfg, roots, FILES, &as_uri).await.is_ok());

        std::fs::write(dir.path().join("file"), b"x").unwrap();
        let under_file = dir.path().join("file/sub");
        let e = check(&cfg, roots, FILES, under_file.to_str().unwrap())
            .await
            .unwrap_err();
        assert!(e.contains("write test failed"), "{e}");
        let e = check(
            &cfg,
            roots,
            FILES,
            dir.path().join("missing").to_str().unwrap(),
        )
        .await
        .unwrap_err();
        assert!(e.contains("write test failed"), "{e}");

        let e = check(&cfg, roots, FILES, "ftp://host/x").await.unwrap_err();
        assert!(e.contains("Unknown scheme 'ftp://'"), "{e}");
        let e = check(&cfg, roots, FILES, "relative/dir").await.unwrap_err();
        assert!(e.contains("absolute path"), "{e}");
        let e = check(&cfg, roots, FILES, "s3://").await.unwrap_err();
        assert!(e.contains("no bucket"), "{e}");
        assert!(check(&cfg, roots, FILES, "/tmp/a\nb").await.is_err());
        assert!(check(&cfg, roots, FILES, "/tmp/a\u{7}").await.is_err());

        let files = check(&cfg, roots, FILES, "http://localhost:8081")
            .await
            .unwrap();
        assert!(files.checked.contains("files server"), "{files:?}");

        // Outside the roots: saved without any write (no probe file appears there).
        let outside = tempfile::tempdir().unwrap();
        let o = check(&cfg, roots, FILES, outside.path().to_str().unwrap())
            .await
            .unwrap();
        assert!(o.checked.starts_with("not write-tested"), "{o:?}");
        assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0);
        let cloud = Config::parse("[s3]\nkey = \"k\"\nsecret = \"s\"").unwrap();
        let o = check(&cloud, roots, FILES, "s3://127.0.0.1:9/bucket/x")
            .await
            .unwrap();
        assert!(o.checked.starts_with("not write-tested"), "{o:?}");
    }

    #[test]
    fn levels_are_explained() {
        let cfg = Config::default();
        let rec = json!({"destination": "file:///data/a", "destination_source": "project"});
        let ex = explain(&cfg, FILES, Some(&rec), None);
        assert_eq!((ex.level.as_str(), ex.inferred), ("project default", false));
        // ClearML SDK tasks record only the destination.
        let py = json!({"destination": "/data/a/"});
        let ex = explain(&cfg, FILES, Some(&py), Some("file:///data/a"));
        assert_eq!((ex.level.as_str(), ex.inferred), ("project default", true));
        let ex = explain(&cfg, FILES, Some(&py), Some("/other"));
        assert_eq!(ex.level, "code or configuration file");
        let files = json!({"destination": "http://127.0.0.1:8081"});
        assert!(
            explain(&cfg, FILES, Some(&files), Some("/other"))
                .level
                .starts_with("server default")
        );
        let ex = explain(&cfg, FILES, None, Some("/other"));
        assert!(ex.level.starts_with("server default") && ex.destination.is_none());
    }
}
