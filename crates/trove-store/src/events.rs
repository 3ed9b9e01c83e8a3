//! Events (console lines, scalars, …), API credentials and server settings.

use crate::db::{
    Params, SqlStore, db, i64_of, is_fk_violation, is_unique_violation, limit_of, to_json,
};
use crate::{Credentials, Event, Result, StoreError};
use sqlx::Row;
use std::collections::HashSet;
use trove_core::timefmt::now_micros;

/// Rows per multi-row INSERT of events (5 parameters each).
const EVENT_CHUNK: usize = 500;

impl SqlStore {
    /// All events go in one transaction; every task they name must exist (`NotFound` otherwise, nothing stored).
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
                let v = [
                    p.push(e.task.clone()),
                    p.push(e.kind.clone()),
                    p.push(e.timestamp),
                    p.push(e.iter),
                    p.push(to_json(&e.body, "event body")?),
                ];
                values.push(format!("({})", v.join(", ")));
            }
            let sql = format!(
                "INSERT INTO events (task, kind, timestamp, iter, body) VALUES {}",
                values.join(", ")
            );
            let res = sqlx::query_with(sqlx::AssertSqlSafe(sql), p.finish()?)
                .execute(&mut *tx)
                .await;
            match res {
                Err(e) if is_fk_violation(&e) => {
                    return Err(StoreError::NotFound {
                        what: "task",
                        id: chunk[0].task.clone(),
                    });
                }
                r => r.map_err(db(ctx))?,
            };
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
                    body: serde_json::from_str(&body).map_err(|e| {
                        StoreError::Corrupt(format!("stored event body is invalid JSON: {e}"))
                    })?,
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
