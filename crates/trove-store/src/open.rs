//! Opening a store from a URL: engine choice, SQLite connection settings, pool sizes.

use crate::db::{Engine, SqlStore, db};
use crate::{Result, SharedStore, StoreError, migrate};
use sqlx::any::AnyPoolOptions;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// Open (and migrate) the store a URL names: `sqlite://PATH` / `sqlite:PATH` (the file and its folders are
/// created on first use; `sqlite::memory:` for a private in-memory database) or `postgres://…` /
/// `postgresql://…`. Migrations run on every open and are safe when several processes open at once.
pub async fn open(url: &str) -> Result<SharedStore> {
    let store = connect(url).await?;
    migrate::run(&store).await?;
    tracing::debug!(engine = store.engine.name(), "metadata store open");
    Ok(Arc::new(store))
}

/// Open a store migrated only up to schema `version`: for tests of the upgrade from an older schema (open it
/// again with [`open`] to upgrade). Not for use by applications.
#[doc(hidden)]
pub async fn open_at_schema(url: &str, version: i64) -> Result<SharedStore> {
    let store = connect(url).await?;
    migrate::run_up_to(&store, version).await?;
    Ok(Arc::new(store))
}

async fn connect(url: &str) -> Result<SqlStore> {
    sqlx::any::install_default_drivers();
    if let Some(rest) = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
    {
        if !cfg!(feature = "sqlite") {
            return Err(StoreError::EngineDisabled {
                engine: "SQLite",
                feature: "sqlite",
            });
        }
        open_sqlite(url, rest).await
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        if !cfg!(feature = "postgres") {
            return Err(StoreError::EngineDisabled {
                engine: "PostgreSQL",
                feature: "postgres",
            });
        }
        open_postgres(url).await
    } else {
        Err(StoreError::BadUrl(url.to_string()))
    }
}

/// The default embedded store URL for a trove home folder: `sqlite://<home>/trove.db`.
pub fn default_sqlite_url(home: &Path) -> String {
    trove_core::Config {
        home: home.to_path_buf(),
        ..Default::default()
    }
    .default_db_url()
}

/// Escape the characters SQLite's URL parser would otherwise read as syntax (`%`, `?`, `#`).
fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        match c {
            '%' => out.push_str("%25"),
            '?' => out.push_str("%3F"),
            '#' => out.push_str("%23"),
            c => out.push(c),
        }
    }
    out
}

async fn open_sqlite(url: &str, rest: &str) -> Result<SqlStore> {
    let (path, params) = match rest.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (rest, None),
    };
    let memory = path == ":memory:" || path.is_empty();
    let driver_url = if memory {
        "sqlite::memory:".to_string()
    } else {
        let file = Path::new(path);
        if let Some(parent) = file.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| StoreError::Db {
                context: format!(
                    "creating folder {} for the SQLite database {url}",
                    parent.display()
                ),
                source: sqlx::Error::Io(e),
            })?;
        }
        let mut u = format!("sqlite://{}?", encode_path(path));
        match params {
            Some(q) if q.contains("mode=") => u.push_str(q),
            Some(q) if !q.is_empty() => u.push_str(&format!("{q}&mode=rwc")),
            _ => u.push_str("mode=rwc"),
        }
        u
    };
    let mut options = AnyPoolOptions::new()
        .max_connections(if memory { 1 } else { 8 })
        .acquire_timeout(Duration::from_secs(60))
        .after_connect(|conn, _meta| {
            Box::pin(async move {
                // Wait up to 10 s for another writer (connection or process) before "database is locked".
                for pragma in [
                    "PRAGMA busy_timeout = 10000",
                    "PRAGMA journal_mode = WAL",
                    "PRAGMA synchronous = NORMAL",
                    "PRAGMA foreign_keys = ON",
                ] {
                    sqlx::query(pragma).execute(&mut *conn).await?;
                }
                Ok(())
            })
        });
    if memory {
        // One connection that never closes: an in-memory database lives only as long as its connection.
        options = options
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None);
    }
    let pool = options.connect(&driver_url).await.map_err(db(&format!(
        "opening SQLite database {url} (check the path and its permissions)"
    )))?;
    Ok(SqlStore {
        pool,
        engine: Engine::Sqlite,
    })
}

async fn open_postgres(url: &str) -> Result<SqlStore> {
    let pool = AnyPoolOptions::new()
        .max_connections(10)
        .acquire_timeout(Duration::from_secs(30))
        .connect(url)
        .await
        .map_err(db(&format!(
            "connecting to PostgreSQL at {} (is the server running and the database created?)",
            redact(url)
        )))?;
    Ok(SqlStore {
        pool,
        engine: Engine::Postgres,
    })
}

/// The URL without a password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_passwords_and_encodes_paths() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(encode_path("/a b/c?d#e%f"), "/a b/c%3Fd%23e%25f");
        assert_eq!(default_sqlite_url(Path::new("/h")), "sqlite:///h/trove.db");
    }
}
