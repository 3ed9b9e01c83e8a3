//! Events (console lines, scalars, …), API credentials and server settings.

use crate::db::{
    Params, SqlStore, Tx, db, i64_of, is_unique_violation, json_object, limit_of, to_json,
};
use crate::metrics::{EventBatch, NewEvent, SCALAR_KIND};
use crate::{Credentials, Event, Result, StoreError};
use serde_json::Value;
use sqlx::Row;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use trove_core::timefmt::now_micros;

/// Rows per multi-row INSERT of events (5 parameters each).
const EVENT_CHUNK: usize = 500;
/// Rows per multi-row INSERT of keyed events (9 parameters each).
const KEYED_CHUNK: usize = 300;

/// The metric columns of an event given only its body: `metric`, `variant` (`""` when absent) and, for
/// scalars, a numeric `value`.
fn columns_of(kind: &str, body: &Value) -> (String, String, Option<f64>) {
    let text = |k: &str| match body.get(k) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    };
    let value = (kind == SCALAR_KIND)
        .then(|| body.get("value").and_then(Value::as_f64))
        .flatten();
    (text("metric"), text("variant"), value)
}

impl SqlStore {
    /// All events go in one transaction; every task they name must exist (`NotFound` otherwise, nothing stored).
    /// Plain appends: no replacement by key, no `last_metrics`, no `last_iteration` (see `write_event_batch`).
    pub(crate) async fn add_events(&self, events: &[Event]) -> Result<usize> {
        let ctx = "storing events";
        if events.is_empty() {
            return Ok(0);
        }
        let mut tx = self.begin_write(ctx).await?;
        let mut seen = HashSet::new();
        let tasks: Vec<String> = events
            .iter()
            .filter(|e| seen.insert(e.task.as_str()))
            .map(|e| e.task.clone())
            .collect();
        for chunk in tasks.chunks(1000) {
            let mut p = Params::default();
            let list = p.list(chunk.iter().cloned());
            let found: Vec<String> = sqlx::query_scalar_with(
                sqlx::AssertSqlSafe(format!("SELECT id FROM tasks WHERE id IN {list}")),
                p.finish()?,
            )
            .fetch_all(&mut *tx)
            .await
            .map_err(db(ctx))?;
            if let Some(missing) = chunk.iter().find(|t| !found.contains(t)) {
                return Err(StoreError::NotFound {
                    what: "task",
                    id: missing.clone(),
                });
            }
        }
        for chunk in events.chunks(EVENT_CHUNK) {
            let mut p = Params::default();
            let mut values = Vec::with_capacity(chunk.len());
            for e in chunk {
                let (metric, variant, value) = columns_of(&e.kind, &e.body);
                let v = [
                    p.push(e.task.clone()),
                    p.push(e.kind.clone()),
                    p.push(e.timestamp),
                    p.push(e.iter),
                    p.push(to_json(&e.body, "event body")?),
                    p.push(metric),
                    p.push(variant),
                    p.push(value),
                ];
                values.push(format!("({})", v.join(", ")));
            }
            let sql = format!(
                "INSERT INTO events (task, kind, timestamp, iter, body, metric, variant, value) VALUES {}",
                values.join(", ")
            );
            let res = sqlx::query_with(sqlx::AssertSqlSafe(sql), p.finish()?)
                .execute(&mut *tx)
                .await;
            res.map_err(db(ctx))?;
        }
        tx.commit().await.map_err(db(ctx))?;
        Ok(events.len())
    }

    /// `limit` 0 means no limit.
    pub(crate) async fn list_events(
        &self,
        task_id: &str,
        kind: Option<&str>,
        offset: u64,
        limit: u64,
    ) -> Result<Vec<Event>> {
        let ctx = "listing events";
        let mut p = Params::default();
        let task = p.push(task_id.to_string());
        let kind_filter = match kind {
            Some(k) => format!(" AND kind = {}", p.push(k.to_string())),
            None => String::new(),
        };
        let lim = p.push(limit_of(limit));
        let off = p.push(i64_of(offset));
        let sql = format!(
            "SELECT task, kind, timestamp, iter, body FROM events WHERE task = {task}{kind_filter} \
             ORDER BY id LIMIT {lim} OFFSET {off}"
        );
        let rows = sqlx::query_with(sqlx::AssertSqlSafe(sql), p.finish()?)
            .fetch_all(&self.pool)
            .await
            .map_err(db(ctx))?;
        rows.iter()
            .map(|r| {
                let body: String = r.try_get(4).map_err(db(ctx))?;
                Ok(Event {
                    task: r.try_get(0).map_err(db(ctx))?,
                    kind: r.try_get(1).map_err(db(ctx))?,
                    timestamp: r.try_get(2).map_err(db(ctx))?,
                    iter: r.try_get(3).map_err(db(ctx))?,
                    body: body_of(&body)?,
                })
            })
            .collect()
    }

    /// A batch with ClearML's write rules, in one transaction (see `MetricStore::write_events`).
    pub(crate) async fn write_event_batch(&self, batch: &EventBatch) -> Result<usize> {
        let ctx = "storing events";
        let tasks: BTreeSet<&str> = batch
            .events
            .iter()
            .map(|e| e.task.as_str())
            .chain(batch.iterations.keys().map(String::as_str))
            .collect();
        if tasks.is_empty() {
            return Ok(0);
        }
        let now = now_micros();
        let mut tx = self.begin_write(ctx).await?;
        // Write first, in id order: takes the row locks (PostgreSQL) so batches of one task serialize with each
        // other and with document edits, without deadlocks between batches naming several tasks.
        // An event's owner is a task or, for model events, a model (ids never collide: both are random).
        let mut owners: BTreeMap<&str, Owner> = BTreeMap::new();
        for task in &tasks {
            let touched = sqlx::query("UPDATE tasks SET last_update = $1 WHERE id = $2")
                .bind(now)
                .bind(task.to_string())
                .execute(&mut *tx)
                .await
                .map_err(db(ctx))?;
            if touched.rows_affected() > 0 {
                owners.insert(task, Owner::Task);
                continue;
            }
            let touched = sqlx::query("UPDATE models SET last_update = $1 WHERE id = $2")
                .bind(now)
                .bind(task.to_string())
                .execute(&mut *tx)
                .await
                .map_err(db(ctx))?;
            if touched.rows_affected() == 0 {
                // Named "task", the owner events have unless they are model events.
                return Err(StoreError::NotFound {
                    what: "task",
                    id: task.to_string(),
                });
            }
            owners.insert(task, Owner::Model);
        }
        insert_keyed(&mut tx, &batch.events, false).await?;
        crate::metric_sql::merge_last_metrics(&mut tx, &batch.events).await?;
        for (task, iter) in &batch.iterations {
            let owner = owners.get(task.as_str()).copied().unwrap_or(Owner::Task);
            raise_last_iteration(&mut tx, owner, task, *iter).await?;
        }
        tx.commit().await.map_err(db(ctx))?;
        Ok(batch.events.len())
    }

    /// Events with every column as given; a key already stored is left alone.
    pub(crate) async fn import_events(&self, events: &[NewEvent]) -> Result<usize> {
        let ctx = "importing events";
        if events.is_empty() {
            return Ok(0);
        }
        let mut tx = self.begin_write(ctx).await?;
        let n = insert_keyed(&mut tx, events, true).await?;
        tx.commit().await.map_err(db(ctx))?;
        Ok(n)
    }

    /// A task's events with every column, by row id; `limit` 0 means no limit.
    pub(crate) async fn export_events(
        &self,
        task: &str,
        offset: u64,
        limit: u64,
    ) -> Result<Vec<NewEvent>> {
        let ctx = "exporting events";
        let rows = sqlx::query(
            "SELECT task, kind, timestamp, iter, metric, variant, value, event_key, body FROM events \
             WHERE task = $1 ORDER BY id LIMIT $2 OFFSET $3",
        )
        .bind(task.to_string())
        .bind(limit_of(limit))
        .bind(i64_of(offset))
        .fetch_all(&self.pool)
        .await
        .map_err(db(ctx))?;
        rows.iter()
            .map(|r| {
                let body: String = r.try_get(8).map_err(db(ctx))?;
                Ok(NewEvent {
                    task: r.try_get(0).map_err(db(ctx))?,
                    kind: r.try_get(1).map_err(db(ctx))?,
                    timestamp: r.try_get(2).map_err(db(ctx))?,
                    iter: r.try_get(3).map_err(db(ctx))?,
                    metric: r.try_get(4).map_err(db(ctx))?,
                    variant: r.try_get(5).map_err(db(ctx))?,
                    value: r.try_get(6).map_err(db(ctx))?,
                    key: r.try_get(7).map_err(db(ctx))?,
                    x_axis_label: None,
                    body: body_of(&body)?,
                })
            })
            .collect()
    }

    pub(crate) async fn add_credentials(&self, access_key: &str, secret_hash: &str) -> Result<()> {
        let res = sqlx::query("INSERT INTO credentials (access_key, secret_hash, created, revoked) VALUES ($1, $2, $3, 0)")
            .bind(access_key.to_string())
            .bind(secret_hash.to_string())
            .bind(now_micros())
            .execute(&self.pool)
            .await;
        match res {
            Err(e) if is_unique_violation(&e) => Err(StoreError::Conflict {
                what: "credentials",
                name: access_key.to_string(),
            }),
            r => r.map(|_| ()).map_err(db("storing credentials")),
        }
    }

    fn row_to_credentials(r: &sqlx::any::AnyRow) -> Result<Credentials> {
        let ctx = "reading credentials";
        let revoked: i64 = r.try_get(3).map_err(db(ctx))?;
        Ok(Credentials {
            access_key: r.try_get(0).map_err(db(ctx))?,
            secret_hash: r.try_get(1).map_err(db(ctx))?,
            created: r.try_get(2).map_err(db(ctx))?,
            revoked: revoked != 0,
        })
    }

    pub(crate) async fn get_credentials(&self, access_key: &str) -> Result<Option<Credentials>> {
        let row = sqlx::query(
            "SELECT access_key, secret_hash, created, revoked FROM credentials WHERE access_key = $1 AND revoked = 0",
        )
        .bind(access_key.to_string())
        .fetch_optional(&self.pool)
        .await
        .map_err(db("reading credentials"))?;
        row.as_ref().map(Self::row_to_credentials).transpose()
    }

    pub(crate) async fn list_credentials(&self) -> Result<Vec<Credentials>> {
        let rows = sqlx::query("SELECT access_key, secret_hash, created, revoked FROM credentials ORDER BY created, access_key")
            .fetch_all(&self.pool)
            .await
            .map_err(db("listing credentials"))?;
        rows.iter().map(Self::row_to_credentials).collect()
    }

    pub(crate) async fn revoke_credentials(&self, access_key: &str) -> Result<bool> {
        let res = sqlx::query("UPDATE credentials SET revoked = 1 WHERE access_key = $1")
            .bind(access_key.to_string())
            .execute(&self.pool)
            .await
            .map_err(db("revoking credentials"))?;
        Ok(res.rows_affected() > 0)
    }

    pub(crate) async fn get_setting(&self, key: &str) -> Result<Option<String>> {
        sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
            .bind(key.to_string())
            .fetch_optional(&self.pool)
            .await
            .map_err(db("reading a setting"))
    }

    pub(crate) async fn init_setting(&self, key: &str, value: &str) -> Result<String> {
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
        )
        .bind(key.to_string())
        .bind(value.to_string())
        .execute(&self.pool)
        .await
        .map_err(db("initializing a setting"))?;
        self.get_setting(key).await?.ok_or_else(|| {
            StoreError::Corrupt(format!(
                "setting {key:?} vanished right after it was written"
            ))
        })
    }
}

/// Delete the events and `last_metrics` of task or model `id` (deleting a task or a model: no foreign key
/// does it since migration 5).
pub(crate) async fn delete_owned_events(tx: &mut Tx, id: &str, ctx: &str) -> Result<()> {
    for sql in [
        "DELETE FROM events WHERE task = $1",
        "DELETE FROM task_last_metrics WHERE task = $1",
    ] {
        sqlx::query(sql)
            .bind(id.to_string())
            .execute(&mut **tx)
            .await
            .map_err(db(ctx))?;
    }
    Ok(())
}

/// Parse a stored event body.
pub(crate) fn body_of(text: &str) -> Result<Value> {
    serde_json::from_str(text)
        .map_err(|e| StoreError::Corrupt(format!("stored event body is invalid JSON: {e}")))
}

/// Insert events; a keyed event replaces the stored one of its task, kind and key (or, with `keep_existing`,
/// leaves it). Of several events of one key in `events`, the last is written (at the first one's place).
/// Returns how many rows were inserted or replaced.
async fn insert_keyed(tx: &mut Tx, events: &[NewEvent], keep_existing: bool) -> Result<usize> {
    let ctx = "storing events";
    let mut slot: HashMap<(&str, &str, &str), usize> = HashMap::new();
    let mut rows: Vec<&NewEvent> = Vec::with_capacity(events.len());
    for e in events {
        match &e.key {
            Some(k) => match slot.get(&(e.task.as_str(), e.kind.as_str(), k.as_str())) {
                Some(&i) => rows[i] = e,
                None => {
                    slot.insert((&e.task, &e.kind, k), rows.len());
                    rows.push(e);
                }
            },
            None => rows.push(e),
        }
    }
    let conflict = if keep_existing {
        "DO NOTHING"
    } else {
        "DO UPDATE SET timestamp = excluded.timestamp, iter = excluded.iter, metric = excluded.metric, \
         variant = excluded.variant, value = excluded.value, body = excluded.body"
    };
    let mut written = 0;
    for chunk in rows.chunks(KEYED_CHUNK) {
        let mut p = Params::default();
        let mut values = Vec::with_capacity(chunk.len());
        for e in chunk {
            let v = [
                p.push(e.task.clone()),
                p.push(e.kind.clone()),
                p.push(e.timestamp),
                p.push(e.iter),
                p.push(to_json(&e.body, "event body")?),
                p.push(e.metric.clone()),
                p.push(e.variant.clone()),
                p.push(e.value),
                p.push(e.key.clone()),
            ];
            values.push(format!("({})", v.join(", ")));
        }
        let sql = format!(
            "INSERT INTO events (task, kind, timestamp, iter, body, metric, variant, value, event_key) \
             VALUES {} ON CONFLICT (task, kind, event_key) {conflict}",
            values.join(", ")
        );
        let res = sqlx::query_with(sqlx::AssertSqlSafe(sql), p.finish()?)
            .execute(&mut **tx)
            .await;
        written += res.map_err(db(ctx))?.rows_affected() as usize;
    }
    Ok(written)
}

/// Who owns events: a task, or a model (model events).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Owner {
    Task,
    Model,
}

impl Owner {
    fn table(self) -> &'static str {
        match self {
            Owner::Task => "tasks",
            Owner::Model => "models",
        }
    }
}

/// `last_iteration = max(last_iteration, iter)` in the document of `owner` `id` (set when missing).
async fn raise_last_iteration(tx: &mut Tx, owner: Owner, id: &str, iter: i64) -> Result<()> {
    let ctx = "updating last_iteration";
    let table = owner.table();
    let doc: String = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT doc FROM {table} WHERE id = $1"
    )))
    .bind(id.to_string())
    .fetch_one(&mut **tx)
    .await
    .map_err(db(ctx))?;
    let mut doc = json_object(&doc, "document")?;
    // A missing `last_iteration` is 0, as on a task document of clearml-server.
    let current = doc
        .get("last_iteration")
        .and_then(Value::as_i64)
        .unwrap_or(0);
    if current >= iter {
        return Ok(());
    }
    doc.insert("last_iteration".into(), Value::from(iter));
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE {table} SET doc = $1 WHERE id = $2"
    )))
    .bind(to_json(&doc, "document")?)
    .bind(id.to_string())
    .execute(&mut **tx)
    .await
    .map_err(db(ctx))?;
    Ok(())
}
