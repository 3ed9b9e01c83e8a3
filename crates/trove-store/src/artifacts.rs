//! Artifact records (one row per `(task, key, mode)`) and versions of registered artifacts.

use crate::db::{
    Params, SqlStore, Tx, db, i64_of, is_fk_violation, is_unique_violation, limit_of, to_json,
};
use crate::{Result, StoreError};
use sqlx::Row;
use sqlx::any::AnyRow;
use std::collections::{HashMap, HashSet};
use trove_core::timefmt::now_micros;
use trove_core::{ArtifactRecord, ArtifactVersion};

/// Rows per multi-row INSERT (10 parameters each; well under both engines' parameter limits).
/// Rows per statement: SQLite looks bound parameters up by a linear scan, so very wide statements cost
/// more per row than they save in round trips.
const UPSERT_CHUNK: usize = 64;

/// Decode the `data` column (the full record JSON), which is column 0 of the row.
pub(crate) fn row_to_record(row: &AnyRow) -> Result<ArtifactRecord> {
    let data: String = row.try_get(0).map_err(db("reading an artifact row"))?;
    serde_json::from_str(&data)
        .map_err(|e| StoreError::Corrupt(format!("stored artifact record is invalid: {e}")))
}

/// One multi-row `INSERT … ON CONFLICT (task_id, key, mode) DO UPDATE` for `chunk`, with its parameters;
/// shared by `upsert_artifacts` and the importer so both write artifacts the same way.
pub(crate) fn upsert_sql<A: std::borrow::Borrow<ArtifactRecord>>(
    task_id: &str,
    chunk: &[A],
) -> Result<(String, Params)> {
    let mut p = Params::default();
    let mut values = Vec::with_capacity(chunk.len());
    for a in chunk {
        let a = a.borrow();
        let v = [
            p.push(task_id.to_string()),
            p.push(a.key.clone()),
            p.push(a.mode.clone()),
            p.push(a.kind.clone()),
            p.push(a.uri.clone()),
            p.push(a.content_size.map(i64_of)),
            p.push(a.hash.clone()),
            p.push(a.state.as_str().to_string()),
            p.push(a.timestamp),
            p.push(to_json(a, "artifact record")?),
        ];
        values.push(format!("({})", v.join(", ")));
    }
    let sql = format!(
        "INSERT INTO artifacts (task_id, key, mode, kind, uri, size, hash, state, timestamp, data) \
         VALUES {} ON CONFLICT (task_id, key, mode) DO UPDATE SET kind = excluded.kind, \
         uri = excluded.uri, size = excluded.size, hash = excluded.hash, state = excluded.state, \
         timestamp = excluded.timestamp, data = excluded.data",
        values.join(", ")
    );
    Ok((sql, p))
}

fn not_found(id: &str) -> StoreError {
    StoreError::NotFound {
        what: "task",
        id: id.to_string(),
    }
}

/// Bump a task's `last_update`; false when the task does not exist.
async fn touch_task(tx: &mut Tx, task_id: &str, now: i64) -> Result<bool> {
    let res = sqlx::query("UPDATE tasks SET last_update = $1 WHERE id = $2")
        .bind(now)
        .bind(task_id.to_string())
        .execute(&mut **tx)
        .await
        .map_err(db("updating the task's last_update"))?;
    Ok(res.rows_affected() > 0)
}

impl SqlStore {
    /// Entries with the same `(key, mode)` in one call: the last one wins.
    pub(crate) async fn upsert_artifacts(
        &self,
        task_id: &str,
        artifacts: &[ArtifactRecord],
    ) -> Result<usize> {
        let ctx = "upserting artifacts";
        // Last occurrence of each (key, mode) wins; PostgreSQL refuses to touch one row twice in a statement.
        let mut last: HashMap<(&str, &str), usize> = HashMap::new();
        for (i, a) in artifacts.iter().enumerate() {
            last.insert((a.key.as_str(), a.mode.as_str()), i);
        }
        let entries: Vec<&ArtifactRecord> = artifacts
            .iter()
            .enumerate()
            .filter(|(i, a)| last.get(&(a.key.as_str(), a.mode.as_str())) == Some(i))
            .map(|(_, a)| a)
            .collect();
        let mut tx = self.begin_write(ctx).await?;
        if !touch_task(&mut tx, task_id, now_micros()).await? {
            return Err(not_found(task_id));
        }
        for chunk in entries.chunks(UPSERT_CHUNK) {
            let (sql, p) = upsert_sql(task_id, chunk)?;
            sqlx::query_with(sqlx::AssertSqlSafe(sql), p.finish()?)
                .execute(&mut *tx)
                .await
                .map_err(db(ctx))?;
        }
        tx.commit().await.map_err(db(ctx))?;
        Ok(artifacts.len())
    }

    pub(crate) async fn list_artifacts(&self, task_id: &str) -> Result<Vec<ArtifactRecord>> {
        self.list_artifacts_page(task_id, 0, 0).await
    }

    /// `limit` 0 means no limit.
    pub(crate) async fn list_artifacts_page(
        &self,
        task_id: &str,
        offset: u64,
        limit: u64,
    ) -> Result<Vec<ArtifactRecord>> {
        let rows = sqlx::query(
            "SELECT data FROM artifacts WHERE task_id = $1 ORDER BY key, mode LIMIT $2 OFFSET $3",
        )
        .bind(task_id.to_string())
        .bind(limit_of(limit))
        .bind(i64_of(offset))
        .fetch_all(&self.pool)
        .await
        .map_err(db("listing artifacts"))?;
        rows.iter().map(row_to_record).collect()
    }

    pub(crate) async fn get_artifact(
        &self,
        task_id: &str,
        key: &str,
        mode: &str,
    ) -> Result<Option<ArtifactRecord>> {
        let row =
            sqlx::query("SELECT data FROM artifacts WHERE task_id = $1 AND key = $2 AND mode = $3")
                .bind(task_id.to_string())
                .bind(key.to_string())
                .bind(mode.to_string())
                .fetch_optional(&self.pool)
                .await
                .map_err(db("reading an artifact"))?;
        row.as_ref().map(row_to_record).transpose()
    }

    /// Versions of a key are dropped once no artifact of that key (in any mode) remains.
    pub(crate) async fn delete_artifacts(
        &self,
        task_id: &str,
        ids: &[(String, String)],
    ) -> Result<Vec<ArtifactRecord>> {
        let ctx = "deleting artifacts";
        let mut tx = self.begin_write(ctx).await?;
        // Lock the task row first (a no-op UPDATE), in the same order as upserts, so PostgreSQL cannot deadlock.
        let locked = sqlx::query("UPDATE tasks SET last_update = last_update WHERE id = $1")
            .bind(task_id.to_string())
            .execute(&mut *tx)
            .await
            .map_err(db(ctx))?;
        if locked.rows_affected() == 0 {
            return Err(not_found(task_id));
        }
        let mut deleted = Vec::new();
        let mut keys = HashSet::new();
        for (key, mode) in ids {
            let row = sqlx::query("DELETE FROM artifacts WHERE task_id = $1 AND key = $2 AND mode = $3 RETURNING data")
                .bind(task_id.to_string())
                .bind(key.clone())
                .bind(mode.clone())
                .fetch_optional(&mut *tx)
                .await
                .map_err(db(ctx))?;
            if let Some(row) = row {
                deleted.push(row_to_record(&row)?);
                keys.insert(key.clone());
            }
        }
        for key in keys {
            sqlx::query(
                "DELETE FROM versions WHERE task_id = $1 AND key = $2 \
                 AND NOT EXISTS (SELECT 1 FROM artifacts WHERE task_id = $1 AND key = $2)",
            )
            .bind(task_id.to_string())
            .bind(key)
            .execute(&mut *tx)
            .await
            .map_err(db(ctx))?;
        }
        if !deleted.is_empty() {
            touch_task(&mut tx, task_id, now_micros()).await?;
        }
        tx.commit().await.map_err(db(ctx))?;
        Ok(deleted)
    }

    /// One entry per distinct requested id, in request order, 0 for tasks without artifacts.
    pub(crate) async fn count_artifacts(&self, task_ids: &[String]) -> Result<Vec<(String, u64)>> {
        let mut seen = HashSet::new();
        let wanted: Vec<&String> = task_ids
            .iter()
            .filter(|id| seen.insert(id.as_str()))
            .collect();
        if wanted.is_empty() {
            return Ok(Vec::new());
        }
        let mut counts: HashMap<String, u64> = HashMap::new();
        for chunk in wanted.chunks(1000) {
            let mut p = Params::default();
            let list = p.list(chunk.iter().map(|s| s.to_string()));
            let sql = format!(
                "SELECT task_id, COUNT(*) FROM artifacts WHERE task_id IN {list} GROUP BY task_id"
            );
            let rows = sqlx::query_with(sqlx::AssertSqlSafe(sql), p.finish()?)
                .fetch_all(&self.pool)
                .await
                .map_err(db("counting artifacts"))?;
            for row in rows {
                let id: String = row.try_get(0).map_err(db("counting artifacts"))?;
                let n: i64 = row.try_get(1).map_err(db("counting artifacts"))?;
                counts.insert(id, n.max(0) as u64);
            }
        }
        Ok(wanted
            .into_iter()
            .map(|id| (id.clone(), counts.get(id).copied().unwrap_or(0)))
            .collect())
    }

    pub(crate) async fn add_version(
        &self,
        task_id: &str,
        key: &str,
        v: &ArtifactVersion,
    ) -> Result<()> {
        let ctx = "adding an artifact version";
        let conflict = || StoreError::Conflict {
            what: "artifact version",
            name: format!("{key} v{} (versions must be added in order)", v.version),
        };
        let res = sqlx::query(
            "INSERT INTO versions (task_id, key, version, timestamp, hash, size, uri, data_hash) \
             SELECT $1, $2, $3, $4, $5, $6, $7, $8 \
             WHERE (SELECT COALESCE(MAX(version), 0) FROM versions WHERE task_id = $1 AND key = $2) = $3 - 1",
        )
        .bind(task_id.to_string())
        .bind(key.to_string())
        .bind(i64::from(v.version))
        .bind(v.timestamp)
        .bind(v.hash.clone())
        .bind(i64_of(v.content_size))
        .bind(v.uri.clone())
        .bind(v.data_hash.clone())
        .execute(&self.pool)
        .await;
        let res = match res {
            Err(e) if is_unique_violation(&e) => return Err(conflict()),
            Err(e) if is_fk_violation(&e) => return Err(not_found(task_id)),
            r => r.map_err(db(ctx))?,
        };
        if res.rows_affected() == 1 {
            return Ok(());
        }
        if self.get_task(task_id).await?.is_none() {
            return Err(not_found(task_id));
        }
        Err(conflict())
    }

    pub(crate) async fn list_versions(
        &self,
        task_id: &str,
        key: &str,
    ) -> Result<Vec<ArtifactVersion>> {
        let ctx = "listing artifact versions";
        let rows = sqlx::query(
            "SELECT version, timestamp, hash, size, uri, data_hash FROM versions \
             WHERE task_id = $1 AND key = $2 ORDER BY version",
        )
        .bind(task_id.to_string())
        .bind(key.to_string())
        .fetch_all(&self.pool)
        .await
        .map_err(db(ctx))?;
        rows.iter()
            .map(|r| {
                let version: i64 = r.try_get(0).map_err(db(ctx))?;
                let size: i64 = r.try_get(3).map_err(db(ctx))?;
                Ok(ArtifactVersion {
                    version: u32::try_from(version).map_err(|_| {
                        StoreError::Corrupt(format!(
                            "stored version number {version} is out of range"
                        ))
                    })?,
                    timestamp: r.try_get(1).map_err(db(ctx))?,
                    hash: r.try_get(2).map_err(db(ctx))?,
                    content_size: size.max(0) as u64,
                    uri: r.try_get(4).map_err(db(ctx))?,
                    data_hash: r.try_get(5).map_err(db(ctx))?,
                })
            })
            .collect()
    }
}
