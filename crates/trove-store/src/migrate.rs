//! Versioned schema migrations, run on every open. A `trove_schema` table records applied versions. Openers
//! serialize on a lock (SQLite: `BEGIN IMMEDIATE`; PostgreSQL: a transaction-scoped advisory lock), so two
//! processes opening a fresh database at once both end with the same, complete schema.

use crate::Result;
use crate::db::{Engine, SqlStore, db};

/// Key of the PostgreSQL advisory lock held while migrating ("trove" in ASCII).
const PG_LOCK_KEY: i64 = 0x74_72_6f_76_65;

/// One migration: its version and statements. `{key}` is a text column compared byte-wise on both engines
/// (`COLLATE "C"` on PostgreSQL, SQLite's default BINARY); `{serial}` an auto-incrementing primary key.
/// `statements` run on both engines, then `sqlite` or `postgres` on that engine only (backfills that read
/// JSON, column changes SQLite cannot express).
struct Migration {
    version: i64,
    name: &'static str,
    statements: &'static [&'static str],
    sqlite: &'static [&'static str],
    postgres: &'static [&'static str],
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "initial schema",
        statements: &[
            "CREATE TABLE projects (
            id {key} PRIMARY KEY,
            name {key} NOT NULL UNIQUE,
            description TEXT NOT NULL,
            default_output_destination TEXT,
            created BIGINT NOT NULL,
            last_update BIGINT NOT NULL,
            extra TEXT NOT NULL)",
            "CREATE TABLE tasks (
            id {key} PRIMARY KEY,
            project {key} NOT NULL REFERENCES projects(id),
            name {key} NOT NULL,
            name_lc {key} NOT NULL,
            kind TEXT NOT NULL,
            status {key} NOT NULL,
            status_message TEXT NOT NULL,
            status_reason TEXT NOT NULL,
            created BIGINT NOT NULL,
            started BIGINT,
            completed BIGINT,
            last_update BIGINT NOT NULL,
            doc TEXT NOT NULL)",
            "CREATE INDEX tasks_by_update ON tasks (last_update DESC, id)",
            "CREATE INDEX tasks_by_project ON tasks (project, last_update DESC, id)",
            "CREATE INDEX tasks_by_status ON tasks (status, last_update DESC, id)",
            "CREATE INDEX tasks_by_name ON tasks (name)",
            "CREATE TABLE artifacts (
            task_id {key} NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
            key {key} NOT NULL,
            mode {key} NOT NULL,
            kind TEXT NOT NULL,
            uri TEXT,
            size BIGINT,
            hash TEXT,
            state TEXT NOT NULL,
            timestamp BIGINT,
            data TEXT NOT NULL,
            PRIMARY KEY (task_id, key, mode))",
            "CREATE TABLE versions (
            task_id {key} NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
            key {key} NOT NULL,
            version BIGINT NOT NULL,
            timestamp BIGINT NOT NULL,
            hash TEXT NOT NULL,
            size BIGINT NOT NULL,
            uri TEXT NOT NULL,
            data_hash TEXT,
            PRIMARY KEY (task_id, key, version))",
            "CREATE TABLE events (
            id {serial},
            task {key} NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
            kind {key} NOT NULL,
            timestamp BIGINT NOT NULL,
            iter BIGINT,
            body TEXT NOT NULL)",
            "CREATE INDEX events_by_task ON events (task, id)",
            "CREATE INDEX events_by_task_kind ON events (task, kind, id)",
            "CREATE TABLE credentials (
            access_key {key} PRIMARY KEY,
            secret_hash TEXT NOT NULL,
            created BIGINT NOT NULL,
            revoked BIGINT NOT NULL DEFAULT 0)",
            "CREATE TABLE settings (
            key {key} PRIMARY KEY,
            value TEXT NOT NULL)",
        ],
        sqlite: &[],
        postgres: &[],
    },
    Migration {
        version: 2,
        name: "models",
        // `project`, `task` and `parent` are not foreign keys: a model outlives its task (`task` becomes
        // `__DELETED__<id>`) and its project. `ready` is 0/1 (BIGINT reads the same through both engines).
        statements: &[
            "CREATE TABLE models (
            id {key} PRIMARY KEY,
            name {key} NOT NULL,
            project {key},
            task {key},
            parent {key},
            uri TEXT NOT NULL,
            framework {key},
            ready BIGINT NOT NULL DEFAULT 0,
            created BIGINT NOT NULL,
            last_update BIGINT NOT NULL,
            last_change BIGINT NOT NULL,
            doc TEXT NOT NULL)",
            "CREATE INDEX models_by_task ON models (task, created)",
            "CREATE INDEX models_by_project ON models (project, created DESC, id)",
            "CREATE INDEX models_by_created ON models (created DESC, id)",
            "CREATE INDEX models_by_uri ON models (uri)",
            "CREATE INDEX models_by_name ON models (name)",
        ],
        sqlite: &[],
        postgres: &[],
    },
    Migration {
        version: 3,
        name: "event keys and last metrics",
        statements: &[
            // Columns the metric readers filter and aggregate on, copied out of `body` when an event is written.
            "ALTER TABLE events ADD COLUMN metric {key} NOT NULL DEFAULT ''",
            "ALTER TABLE events ADD COLUMN variant {key} NOT NULL DEFAULT ''",
            "ALTER TABLE events ADD COLUMN value DOUBLE PRECISION",
            // md5 of task-iter-metric-variant(-key), as clearml-server's event id: a non-log event with the key of
            // a stored one of the same kind replaces it. NULL for log events (NULLs never conflict).
            "ALTER TABLE events ADD COLUMN event_key {key}",
            "CREATE UNIQUE INDEX events_by_key ON events (task, kind, event_key)",
            "CREATE INDEX events_by_metric ON events (task, kind, metric, variant, iter)",
            "CREATE INDEX events_by_iter ON events (task, kind, iter, id)",
            "CREATE INDEX events_by_time ON events (task, kind, timestamp, id)",
            "CREATE TABLE task_last_metrics (
            task {key} NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
            metric_hash {key} NOT NULL,
            variant_hash {key} NOT NULL,
            metric TEXT NOT NULL,
            variant TEXT NOT NULL,
            value DOUBLE PRECISION NOT NULL,
            min_value DOUBLE PRECISION NOT NULL,
            min_value_iteration BIGINT NOT NULL,
            max_value DOUBLE PRECISION NOT NULL,
            max_value_iteration BIGINT NOT NULL,
            first_value DOUBLE PRECISION NOT NULL,
            first_value_iteration BIGINT NOT NULL,
            count BIGINT NOT NULL,
            mean_value DOUBLE PRECISION NOT NULL,
            x_axis_label TEXT,
            PRIMARY KEY (task, metric_hash, variant_hash))",
        ],
        // Backfill of events written before this migration (their keys stay NULL: they are never replaced).
        sqlite: &["UPDATE events SET
            metric = COALESCE(CAST(json_extract(body, '$.metric') AS TEXT), ''),
            variant = COALESCE(CAST(json_extract(body, '$.variant') AS TEXT), ''),
            value = CASE WHEN kind = 'training_stats_scalar'
                AND json_type(body, '$.value') IN ('integer', 'real')
                THEN json_extract(body, '$.value') END
        WHERE json_valid(body) AND json_type(body) = 'object'"],
        postgres: &["UPDATE events SET
            metric = COALESCE((body::json)->>'metric', ''),
            variant = COALESCE((body::json)->>'variant', ''),
            value = CASE WHEN kind = 'training_stats_scalar'
                AND json_typeof((body::json)->'value') = 'number'
                THEN ((body::json)->>'value')::double precision END
        WHERE json_typeof(body::json) = 'object'"],
    },
    Migration {
        version: 4,
        name: "root project for tasks without a project",
        statements: &[
            // The reserved root project (`ROOT_PROJECT`, id and name ""): tasks created without a project,
            // moved to no project or left by a deleted project point here. The store never lists or returns it.
            "INSERT INTO projects (id, name, description, default_output_destination, created, last_update, extra)
         VALUES ('', '', '', NULL, 0, 0, '{}') ON CONFLICT (id) DO NOTHING",
        ],
        sqlite: &[],
        postgres: &[],
    },
    Migration {
        version: 5,
        name: "model events",
        // Events and `last_metrics` belong to a task or to a model (`model_event: true`): the `task` column holds
        // either id, so it can no longer reference `tasks`. Deleting a task or a model deletes its rows itself.
        // SQLite cannot drop a constraint: both tables are rebuilt (same columns, ids and indexes).
        statements: &[],
        sqlite: &[
            "CREATE TABLE events_v5 (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            task TEXT NOT NULL,
            kind TEXT NOT NULL,
            timestamp BIGINT NOT NULL,
            iter BIGINT,
            body TEXT NOT NULL,
            metric TEXT NOT NULL DEFAULT '',
            variant TEXT NOT NULL DEFAULT '',
            value DOUBLE PRECISION,
            event_key TEXT)",
            "INSERT INTO events_v5 (id, task, kind, timestamp, iter, body, metric, variant, value, event_key)
            SELECT id, task, kind, timestamp, iter, body, metric, variant, value, event_key FROM events",
            "DROP TABLE events",
            "ALTER TABLE events_v5 RENAME TO events",
            "CREATE INDEX events_by_task ON events (task, id)",
            "CREATE INDEX events_by_task_kind ON events (task, kind, id)",
            "CREATE UNIQUE INDEX events_by_key ON events (task, kind, event_key)",
            "CREATE INDEX events_by_metric ON events (task, kind, metric, variant, iter)",
            "CREATE INDEX events_by_iter ON events (task, kind, iter, id)",
            "CREATE INDEX events_by_time ON events (task, kind, timestamp, id)",
            "CREATE TABLE task_last_metrics_v5 (
            task TEXT NOT NULL,
            metric_hash TEXT NOT NULL,
            variant_hash TEXT NOT NULL,
            metric TEXT NOT NULL,
            variant TEXT NOT NULL,
            value DOUBLE PRECISION NOT NULL,
            min_value DOUBLE PRECISION NOT NULL,
            min_value_iteration BIGINT NOT NULL,
            max_value DOUBLE PRECISION NOT NULL,
            max_value_iteration BIGINT NOT NULL,
            first_value DOUBLE PRECISION NOT NULL,
            first_value_iteration BIGINT NOT NULL,
            count BIGINT NOT NULL,
            mean_value DOUBLE PRECISION NOT NULL,
            x_axis_label TEXT,
            PRIMARY KEY (task, metric_hash, variant_hash))",
            "INSERT INTO task_last_metrics_v5 SELECT task, metric_hash, variant_hash, metric, variant, value,
            min_value, min_value_iteration, max_value, max_value_iteration, first_value, first_value_iteration,
            count, mean_value, x_axis_label FROM task_last_metrics",
            "DROP TABLE task_last_metrics",
            "ALTER TABLE task_last_metrics_v5 RENAME TO task_last_metrics",
        ],
        postgres: &[
            "ALTER TABLE events DROP CONSTRAINT IF EXISTS events_task_fkey",
            "ALTER TABLE task_last_metrics DROP CONSTRAINT IF EXISTS task_last_metrics_task_fkey",
        ],
    },
];

/// The schema version this build writes.
pub(crate) fn latest_version() -> i64 {
    MIGRATIONS.iter().map(|m| m.version).max().unwrap_or(0)
}

fn render(sql: &str, engine: Engine) -> String {
    let (key, serial) = match engine {
        Engine::Sqlite => ("TEXT", "INTEGER PRIMARY KEY AUTOINCREMENT"),
        Engine::Postgres => ("TEXT COLLATE \"C\"", "BIGSERIAL PRIMARY KEY"),
    };
    sql.replace("{key}", key).replace("{serial}", serial)
}

/// Bring the schema up to date.
pub(crate) async fn run(store: &SqlStore) -> Result<()> {
    run_up_to(store, latest_version()).await
}

/// Apply the migrations up to `version` (tests build an older schema with it, then upgrade).
pub(crate) async fn run_up_to(store: &SqlStore, version: i64) -> Result<()> {
    let ctx = "migrating the schema";
    let mut tx = store.begin_write(ctx).await?;
    if store.engine == Engine::Postgres {
        sqlx::query("SELECT COUNT(*) FROM (SELECT pg_advisory_xact_lock($1)) AS l")
            .bind(PG_LOCK_KEY)
            .fetch_one(&mut *tx)
            .await
            .map_err(db("taking the migration lock"))?;
    }
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS trove_schema (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied BIGINT NOT NULL)",
    )
    .execute(&mut *tx)
    .await
    .map_err(db("creating the trove_schema table"))?;
    let applied: Vec<i64> = sqlx::query_scalar("SELECT version FROM trove_schema")
        .fetch_all(&mut *tx)
        .await
        .map_err(db("reading the schema versions"))?;
    let current = applied.iter().copied().max().unwrap_or(0);
    if current > latest_version() {
        tracing::warn!(
            current,
            known = latest_version(),
            "the database schema is newer than this trove build; upgrade trove"
        );
    }
    // Every migration not applied yet, in order (not only those above the newest applied one, so a database
    // that saw a later migration first still gets an earlier one).
    let pending = MIGRATIONS
        .iter()
        .filter(|m| m.version <= version && !applied.contains(&m.version));
    for m in pending {
        tracing::info!(
            version = m.version,
            name = m.name,
            engine = store.engine.name(),
            "applying migration"
        );
        let mctx = format!("applying migration {} ({})", m.version, m.name);
        let engine_only = match store.engine {
            Engine::Sqlite => m.sqlite,
            Engine::Postgres => m.postgres,
        };
        for stmt in m.statements.iter().chain(engine_only) {
            sqlx::query(sqlx::AssertSqlSafe(render(stmt, store.engine)))
                .execute(&mut *tx)
                .await
                .map_err(db(&mctx))?;
        }
        sqlx::query("INSERT INTO trove_schema (version, name, applied) VALUES ($1, $2, $3)")
            .bind(m.version)
            .bind(m.name)
            .bind(trove_core::timefmt::now_micros())
            .execute(&mut *tx)
            .await
            .map_err(db(&mctx))?;
    }
    tx.commit().await.map_err(db("committing the migrations"))?;
    Ok(())
}
