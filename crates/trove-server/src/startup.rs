//! What a server decides once at start: the URLs of its files server, the storage it may read
//! ([`trove_storage::StorageRoots`]), the host names it answers to, and the file permissions of its home.
//! The secrets it keeps (the database with the token secret, the configuration file with cloud keys) must
//! never be inside anything it serves: a files folder or allowed destination containing them is refused.

use crate::guard::{LOOPBACK_NAMES, host_name, url_host};
use crate::{Backends, ServeOptions, ServerError};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use trove_storage::StorageRoots;

/// The base URLs (no trailing `/`) under which clients record artifact URIs of this files server: the public
/// URL, the bound address, and for a loopback or unspecified bind the other loopback names.
pub(crate) fn files_urls(opts: &ServeOptions, files_addr: SocketAddr) -> Vec<String> {
    let mut urls = Vec::new();
    if let Some(u) = &opts.public_files_url {
        urls.push(u.trim_end_matches('/').to_string());
    }
    let port = files_addr.port();
    urls.push(format!("http://{files_addr}"));
    if files_addr.ip().is_loopback() || files_addr.ip().is_unspecified() {
        for name in ["localhost", "127.0.0.1", "[::1]"] {
            let u = format!("http://{name}:{port}");
            if !urls.contains(&u) {
                urls.push(u);
            }
        }
    }
    urls
}

/// The SQLite file of a `sqlite://` database URL.
pub(crate) fn sqlite_file(db_url: &str) -> Option<PathBuf> {
    let rest = db_url
        .strip_prefix("sqlite://")
        .or_else(|| db_url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    let path = trove_core::layout::unquote(path).unwrap_or_else(|| path.to_string());
    Some(std::path::absolute(path).unwrap_or_else(|_| PathBuf::from(rest)))
}

/// The files a server must never serve: its SQLite database (which holds the token secret) and its
/// configuration file (cloud credentials, perhaps the token secret).
fn secrets(opts: &ServeOptions) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = sqlite_file(&opts.db_url()).into_iter().collect();
    out.extend(opts.config.file.clone());
    out.push(opts.home.join("trove.toml"));
    out
}

/// Refuse a folder the server serves from (`what`) when it contains one of the server's secrets.
pub(crate) fn refuse_if_holding_secrets(
    opts: &ServeOptions,
    what: &str,
    dir: &Path,
) -> Result<(), ServerError> {
    let clean = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let dir = clean(dir);
    for secret in secrets(opts) {
        let inside =
            clean(secret.parent().unwrap_or(&secret)).join(secret.file_name().unwrap_or_default());
        if inside.starts_with(&dir) {
            return Err(ServerError::Config(format!(
                "{what} {} contains {}, which holds the server's secrets; anyone allowed to read it could read them. Use a folder that does not contain the database or the configuration file (the default is <home>/files)",
                dir.display(),
                secret.display()
            )));
        }
    }
    Ok(())
}

/// The storage the web UI may read artifact bytes from and write-test: the files storage (under its URLs),
/// `<home>/artifacts` (the embedded SDK's default), the configured `default_output_uri` (skipped with a
/// warning when it cannot be opened) and `[server] allowed_destinations` (an error when one cannot).
pub(crate) fn storage_roots(
    opts: &ServeOptions,
    backends: &Backends,
    files_urls: &[String],
) -> Result<StorageRoots, ServerError> {
    let mut roots = StorageRoots::new();
    roots.add_store(
        "this server's files storage",
        files_urls.to_vec(),
        backends.files.clone(),
        backends.files_prefix.clone(),
    );
    let cfg = &opts.config;
    let artifacts = opts.home.join("artifacts");
    refuse_if_holding_secrets(opts, "the embedded artifacts folder", &artifacts)?;
    roots
        .add_folder(&artifacts)
        .map_err(|e| ServerError::Config(e.to_string()))?;
    if let Some(uri) = cfg.default_output_uri.as_deref().filter(|u| !u.is_empty()) {
        match add(&mut roots, opts, uri) {
            Ok(()) => {}
            Err(e) => tracing::warn!(
                uri,
                error = %e,
                "default_output_uri is not readable by the web UI: previews of artifacts stored there show the recorded text"
            ),
        }
    }
    for uri in &cfg.server.allowed_destinations {
        add(&mut roots, opts, uri).map_err(|e| {
            ServerError::Config(format!("[server] allowed_destinations entry '{uri}': {e}"))
        })?;
    }
    tracing::info!(roots = ?roots.names(), "the web UI reads artifact bytes only from these roots");
    Ok(roots)
}

fn add(roots: &mut StorageRoots, opts: &ServeOptions, uri: &str) -> Result<(), ServerError> {
    let before = roots.local_folders().count();
    roots
        .add_destination(uri, &opts.config)
        .map_err(|e| ServerError::Config(e.to_string()))?;
    if let Some(dir) = roots.local_folders().nth(before) {
        refuse_if_holding_secrets(opts, "the allowed destination", dir)?;
    }
    Ok(())
}

/// The host names requests may be addressed to, or `None` for any: checked when authentication is off, or
/// when `[server] allowed_hosts` is set. Always allowed then: loopback names, the bound address, the hosts of
/// configured URLs and the allowed hosts.
pub(crate) fn allowed_hosts(opts: &ServeOptions, bound: [SocketAddr; 3]) -> Option<Vec<String>> {
    let cfg = &opts.config;
    if !opts.no_auth && cfg.server.allowed_hosts.is_empty() {
        return None;
    }
    let mut hosts: Vec<String> = LOOPBACK_NAMES.iter().map(|s| s.to_string()).collect();
    hosts.push(host_name(&opts.host));
    for a in bound {
        if !a.ip().is_unspecified() {
            hosts.push(a.ip().to_string());
        }
    }
    for url in [
        &opts.public_files_url,
        &cfg.api_server,
        &cfg.files_server,
        &cfg.web_server,
    ]
    .into_iter()
    .flatten()
    {
        hosts.extend(url_host(url));
    }
    hosts.extend(cfg.server.allowed_hosts.iter().map(|h| host_name(h)));
    hosts.retain(|h| !h.is_empty() && h != "0.0.0.0" && h != "::");
    hosts.sort();
    hosts.dedup();
    Some(hosts)
}

/// Keep the home folder, the files folder and the SQLite database private to the server's user (0700
/// folders, 0600 database). Failures (another owner, a filesystem without modes) are logged, not fatal.
pub(crate) fn restrict_permissions(opts: &ServeOptions) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let set = |p: &Path, mode: u32| {
            if p.exists()
                && let Err(e) = std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode))
            {
                tracing::warn!(path = %p.display(), error = %e, "cannot restrict permissions");
            }
        };
        set(&opts.home, 0o700);
        if opts.storage.is_none() {
            set(&opts.home.join("files"), 0o700);
        }
        if let Some(db) = sqlite_file(&opts.db_url()) {
            for suffix in ["", "-wal", "-shm"] {
                let mut name = db.clone().into_os_string();
                name.push(suffix);
                set(Path::new(&name), 0o600);
            }
        }
    }
    #[cfg(not(unix))]
    let _ = opts;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_name_their_file() {
        assert_eq!(
            sqlite_file("sqlite:///a/b%3Fc/trove.db?mode=rwc"),
            Some(PathBuf::from("/a/b?c/trove.db"))
        );
        assert_eq!(sqlite_file("postgres://x/y"), None);
    }
}
