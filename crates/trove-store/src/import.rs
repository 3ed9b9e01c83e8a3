//! Imports that keep ids and timestamps (for `trove migrate`, copying one store into another). Each import is
//! idempotent: a row that already exists with the same key is left alone, so an interrupted copy can be re-run.

use crate::db::{SqlStore, db, i64_of, is_fk_violation, is_unique_violation, to_json};
use crate::{Credentials, Project, Result, StoreError, Task};
use trove_core::{ArtifactRecord, ArtifactVersion};

/// Rows per multi-row INSERT of imported artifacts (10 parameters each).
const IMPORT_CHUNK: usize = 200;

impl SqlStore {
    pub(crate) async fn import_project(&self, p: &Project) -> Result<bool> {
        let res = sqlx::query(
            "INSERT INTO projects (id, name, description, default_output_destination, created, last_update, extra)
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING",
        )
        .bind(p.id.clone())
        .bind(p.name.clone())
        .bind(p.description.clone())
        .bind(p.default_output_destination.clone())
        .bind(p.created)
        .bind(p.last_update)
        .bind(to_json(&p.extra, "project extra")?)
        .execute(&self.pool)
        .await;
        match res {
            Err(e) if is_unique_violation(&e) => Err(StoreError::Conflict {
                what: "project (with another id)",
                name: p.name.clone(),
            }),
            r => Ok(r
                .map_err(db(&format!("importing project {:?}", p.name)))?
                .rows_affected()
                > 0),
        }
    }

    pub(crate) async fn import_task(&self, t: &Task) -> Result<bool> {
        let res = sqlx::query(
            "INSERT INTO tasks (id, project, name, name_lc, kind, status, status_message, status_reason, created, \
             started, completed, last_update, doc) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(t.id.clone())
        .bind(t.project.clone())
        .bind(t.name.clone())
        .bind(t.name.to_lowercase())
        .bind(t.kind.clone())
        .bind(t.status.as_str())
        .bind(t.status_message.clone())
        .bind(t.status_reason.clone())
        .bind(t.created)
        .bind(t.started)
        .bind(t.completed)
        .bind(t.last_update)
        .bind(to_json(&t.doc, "task document")?)
        .execute(&self.pool)
        .await;
        match res {
            Err(e) if is_fk_violation(&e) => Err(StoreError::NotFound {
                what: "project",
                id: t.project.clone(),
            }),
            r => Ok(r
                .map_err(db(&format!("importing task {}", t.id)))?
                .rows_affected()
                > 0),
        }
    }

    /// Like `upsert_artifacts` but leaves the task's `last_update` alone.
    pub(crate) async fn import_artifacts(
        &self,
        task_id: &str,
        artifacts: &[ArtifactRecord],
    ) -> Result<usize> {
        let ctx = "importing artifacts";
        let mut tx = self.begin_write(ctx).await?;
        for chunk in artifacts.chunks(IMPORT_CHUNK) {
            let (sql, p) = crate::artifacts::upsert_sql(task_id, chunk)?;
            let res = sqlx::query_with(sqlx::AssertSqlSafe(sql), p.finish()?)
                .execute(&mut *tx)
                .await;
            match res {
                Err(e) if is_fk_violation(&e) => {
                    return Err(StoreError::NotFound {
                        what: "task",
                        id: task_id.to_string(),
                    });
                }
                r => r.map_err(db(ctx))?,
            };
        }
        tx.commit().await.map_err(db(ctx))?;
        Ok(artifacts.len())
    }

    pub(crate) async fn import_version(
        &self,
        task_id: &str,
        key: &str,
        v: &ArtifactVersion,
    ) -> Result<bool> {
        let res = sqlx::query(
            "INSERT INTO versions (task_id, key, version, timestamp, hash, size, uri, data_hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (task_id, key, version) DO NOTHING",
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
        match res {
            Err(e) if is_fk_violation(&e) => Err(StoreError::NotFound {
                what: "task",
                id: task_id.to_string(),
            }),
            r => Ok(r
                .map_err(db("importing an artifact version"))?
                .rows_affected()
                > 0),
        }
    }

    pub(crate) async fn import_credentials(&self, c: &Credentials) -> Result<bool> {
        let res = sqlx::query(
            "INSERT INTO credentials (access_key, secret_hash, created, revoked) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (access_key) DO NOTHING",
        )
        .bind(c.access_key.clone())
        .bind(c.secret_hash.clone())
        .bind(c.created)
        .bind(i64::from(c.revoked))
        .execute(&self.pool)
        .await
        .map_err(db("importing credentials"))?;
        Ok(res.rows_affected() > 0)
    }

    pub(crate) async fn list_settings(&self) -> Result<Vec<(String, String)>> {
        let ctx = "listing settings";
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT key, value FROM settings ORDER BY key")
                .fetch_all(&self.pool)
                .await
                .map_err(db(ctx))?;
        Ok(rows)
    }

    pub(crate) async fn count_events(&self, task_id: &str) -> Result<u64> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE task = $1")
            .bind(task_id.to_string())
            .fetch_one(&self.pool)
            .await
            .map_err(db("counting events"))?;
        Ok(n.max(0) as u64)
    }
}
