//! Fresh PostgreSQL databases for tests, created through an admin connection and dropped afterwards.
//!
//! The admin database is `postgres://postgres@127.0.0.1:5432/test` (trust auth; `scripts/ensure-postgres`
//! starts or installs the server), or `TROVE_TEST_POSTGRES_URL`. Each call runs on a thread of its own with
//! its own runtime, so it works from sync tests, async tests, and drops during a runtime's teardown.

use sqlx::Connection;

/// The database used to create and drop the per-test databases.
pub fn admin_url() -> String {
    std::env::var("TROVE_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// The admin URL with another database name (its query string kept).
pub fn url_for(db: &str) -> String {
    let admin = admin_url();
    let (base, query) = match admin.split_once('?') {
        Some((b, q)) => (b.to_string(), format!("?{q}")),
        None => (admin.clone(), String::new()),
    };
    let base = base
        .rsplit_once('/')
        .map(|(b, _)| b.to_string())
        .unwrap_or(base);
    format!("{base}/{db}{query}")
}

/// Run one statement on the admin database (on a thread of its own).
fn admin_exec(sql: String) -> Result<(), String> {
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("tokio runtime: {e}"))?;
        rt.block_on(async {
            let url = admin_url();
            let mut admin = sqlx::PgConnection::connect(&url).await.map_err(|e| {
                format!(
                    "PostgreSQL is not reachable at {url}: {e}. Start it with scripts/ensure-postgres \
                     or set TROVE_TEST_POSTGRES_URL"
                )
            })?;
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .execute(&mut admin)
                .await
                .map(|_| ())
                .map_err(|e| format!("{sql}: {e}"))
        })
    })
    .join()
    .unwrap_or_else(|_| Err("the PostgreSQL admin thread panicked".into()))
}

/// A fresh database, dropped (with FORCE) when this is dropped, even after a panic.
pub struct PgDb {
    /// Its name: `<prefix>_<random>`.
    pub name: String,
    /// Its URL.
    pub url: String,
}

impl PgDb {
    /// Create `<prefix>_<random>`; fails the test when PostgreSQL is unreachable.
    pub fn create(prefix: &str) -> PgDb {
        let suffix: String = crate::data::data(8, std::process::id() as u64 ^ nanos())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let name = format!("{prefix}_{suffix}");
        admin_exec(format!("CREATE DATABASE {name}"))
            .unwrap_or_else(|e| panic!("could not create test database {name}: {e}"));
        PgDb {
            url: url_for(&name),
            name,
        }
    }
}

impl Drop for PgDb {
    fn drop(&mut self) {
        if let Err(e) = admin_exec(format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        )) {
            eprintln!("could not drop test database {}: {e}", self.name);
        }
    }
}

fn nanos() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0)
}
