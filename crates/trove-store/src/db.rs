//! The one SQL implementation behind both engines: an `AnyPool`, `$n` placeholders, and small helpers for
//! transactions, dynamic parameter lists and error mapping.

use crate::{Result, StoreError};
use sqlx::AnyPool;
use sqlx::any::AnyArguments;
use sqlx::error::ErrorKind;
use sqlx::{Any, Arguments, Encode, Transaction, Type};

/// Which engine a pool talks to; decides the few places SQL differs (DDL, how write transactions start).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Engine {
    /// SQLite file (or memory).
    Sqlite,
    /// PostgreSQL server.
    Postgres,
}

impl Engine {
    /// The name reported by `MetadataStore::engine`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }
}

/// The store: a pool plus the engine it talks to.
pub(crate) struct SqlStore {
    pub(crate) pool: AnyPool,
    pub(crate) engine: Engine,
}

/// A transaction on the store's pool.
pub(crate) type Tx = Transaction<'static, Any>;

impl SqlStore {
    /// Begin a transaction that will write. On SQLite this is `BEGIN IMMEDIATE`, so the write lock is taken
    /// (waiting up to the busy timeout) before anything is read: a deferred transaction that reads first and
    /// then writes can fail at once with SQLITE_BUSY when another process writes in between.
    pub(crate) async fn begin_write(&self, ctx: &str) -> Result<Tx> {
        let tx = match self.engine {
            Engine::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Engine::Postgres => self.pool.begin().await,
        };
        tx.map_err(db(ctx))
    }
}

/// Map a driver error to `StoreError::Db` with what was being done.
pub(crate) fn db(ctx: &str) -> impl FnOnce(sqlx::Error) -> StoreError + '_ {
    move |source| StoreError::Db {
        context: ctx.to_string(),
        source,
    }
}

/// The kind of a database error, if it is one.
pub(crate) fn error_kind(e: &sqlx::Error) -> Option<ErrorKind> {
    e.as_database_error().map(|d| d.kind())
}

/// True when the error is a unique/primary-key violation.
pub(crate) fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(error_kind(e), Some(ErrorKind::UniqueViolation))
}

/// True when the error is a foreign-key violation.
pub(crate) fn is_fk_violation(e: &sqlx::Error) -> bool {
    matches!(error_kind(e), Some(ErrorKind::ForeignKeyViolation))
}

/// Arguments for a query built at run time; [`Params::push`] returns the `$n` placeholder to splice in.
#[derive(Default)]
pub(crate) struct Params {
    args: AnyArguments,
    n: usize,
    err: Option<String>,
}

impl Params {
    /// Bind a value and return its placeholder.
    pub(crate) fn push<T>(&mut self, value: T) -> String
    where
        T: for<'t> Encode<'t, Any> + Type<Any> + 'static,
    {
        if let Err(e) = self.args.add(value) {
            self.err.get_or_insert_with(|| e.to_string());
        }
        self.n += 1;
        format!("${}", self.n)
    }

    /// Bind every value of a list and return `($a, $b, …)`; an empty list gives `(NULL)`, which matches nothing.
    pub(crate) fn list<T>(&mut self, values: impl IntoIterator<Item = T>) -> String
    where
        T: for<'t> Encode<'t, Any> + Type<Any> + 'static,
    {
        let marks: Vec<String> = values.into_iter().map(|v| self.push(v)).collect();
        if marks.is_empty() {
            "(NULL)".into()
        } else {
            format!("({})", marks.join(", "))
        }
    }

    /// The arguments, or an error if a value could not be encoded.
    pub(crate) fn finish(self) -> Result<AnyArguments> {
        match self.err {
            Some(e) => Err(StoreError::Corrupt(format!(
                "could not encode a query parameter: {e}"
            ))),
            None => Ok(self.args),
        }
    }
}

/// A `u64` count or offset as the `i64` SQL wants (saturating).
pub(crate) fn i64_of(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// SQL `LIMIT` value: 0 means no limit.
pub(crate) fn limit_of(n: u64) -> i64 {
    if n == 0 { i64::MAX } else { i64_of(n) }
}

/// Parse a JSON object stored as TEXT.
pub(crate) fn json_object(
    text: &str,
    what: &str,
) -> Result<serde_json::Map<String, serde_json::Value>> {
    serde_json::from_str(text)
        .map_err(|e| StoreError::Corrupt(format!("{what} is not a JSON object: {e}")))
}

/// Serialize a value to TEXT for storage.
pub(crate) fn to_json<T: serde::Serialize>(v: &T, what: &str) -> Result<String> {
    serde_json::to_string(v)
        .map_err(|e| StoreError::Corrupt(format!("could not serialize {what}: {e}")))
}
