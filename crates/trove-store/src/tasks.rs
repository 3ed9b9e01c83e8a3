//! Tasks: creation, queries with filters and paging in SQL, document edits, status changes, deletion.

use crate::db::{Params, SqlStore, db, i64_of, is_fk_violation, json_object, limit_of, to_json};
use crate::{NewTask, Result, StatusChange, StoreError, Task, TaskEdit, TaskQuery};
use sqlx::Row;
use sqlx::any::AnyRow;
use trove_core::timefmt::now_micros;
use trove_core::{ArtifactRecord, TaskStatus};

pub(crate) const COLS: &str = "id, project, name, kind, status, status_message, status_reason, created, started, completed, last_update, doc";

pub(crate) fn row_to_task(row: &AnyRow) -> Result<Task> {
    let ctx = "reading a task row";
    let status: String = row.try_get(4).map_err(db(ctx))?;
    let doc: String = row.try_get(11).map_err(db(ctx))?;
    Ok(Task {
        id: row.try_get(0).map_err(db(ctx))?,
        project: row.try_get(1).map_err(db(ctx))?,
        name: row.try_get(2).map_err(db(ctx))?,
        kind: row.try_get(3).map_err(db(ctx))?,
        status: status.parse().map_err(StoreError::Corrupt)?,
        status_message: row.try_get(5).map_err(db(ctx))?,
        status_reason: row.try_get(6).map_err(db(ctx))?,
        created: row.try_get(7).map_err(db(ctx))?,
        started: row.try_get(8).map_err(db(ctx))?,
        completed: row.try_get(9).map_err(db(ctx))?,
        last_update: row.try_get(10).map_err(db(ctx))?,
        doc: json_object(&doc, "task document")?,
    })
}

/// Lowercased name, the column `name_contains` searches (lowercased in Rust so both engines agree).
fn lower(s: &str) -> String {
    s.to_lowercase()
}

/// `%text%` with LIKE's special characters escaped by `\`.
fn like_pattern(text: &str) -> String {
    let mut out = String::from("%");
    for c in lower(text).chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// ` WHERE …` for a query (or "").
fn where_clause(q: &TaskQuery, p: &mut Params) -> String {
    let mut conds: Vec<String> = Vec::new();
    if let Some(ids) = &q.ids {
        conds.push(format!("id IN {}", p.list(ids.iter().cloned())));
    }
    if let Some(projects) = &q.projects {
        conds.push(format!("project IN {}", p.list(projects.iter().cloned())));
    }
    if let Some(statuses) = &q.statuses {
        conds.push(format!(
            "status IN {}",
            p.list(statuses.iter().map(|s| s.as_str().to_string()))
        ));
    }
    if let Some(name) = &q.name {
        conds.push(format!("name = {}", p.push(name.clone())));
    }
    if let Some(part) = &q.name_contains {
        conds.push(format!(
            "name_lc LIKE {} ESCAPE '\\'",
            p.push(like_pattern(part))
        ));
    }
    if conds.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conds.join(" AND "))
    }
}

fn not_found(id: &str) -> StoreError {
    StoreError::NotFound {
        what: "task",
        id: id.to_string(),
    }
}

impl SqlStore {
    pub(crate) async fn create_task(&self, new: NewTask) -> Result<Task> {
        let now = now_micros();
        let task = Task {
            id: trove_core::new_id(),
            project: new.project,
            name: new.name,
            kind: if new.kind.is_empty() {
                "training".into()
            } else {
                new.kind
            },
            status: TaskStatus::Created,
            status_message: String::new(),
            status_reason: String::new(),
            created: now,
            started: None,
            completed: None,
            last_update: now,
            doc: new.doc,
        };
        let res = sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO tasks ({COLS}, name_lc) VALUES ($1, $2, $3, $4, $5, '', '', $6, NULL, NULL, $6, $7, $8)"
        )))
        .bind(task.id.clone())
        .bind(task.project.clone())
        .bind(task.name.clone())
        .bind(task.kind.clone())
        .bind(task.status.as_str())
        .bind(now)
        .bind(to_json(&task.doc, "task document")?)
        .bind(lower(&task.name))
        .execute(&self.pool)
        .await;
        match res {
            Err(e) if is_fk_violation(&e) => Err(StoreError::NotFound {
                what: "project",
                id: task.project,
            }),
            r => {
                r.map_err(db("creating a task"))?;
                Ok(task)
            }
        }
    }

    pub(crate) async fn get_task(&self, id: &str) -> Result<Option<Task>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLS} FROM tasks WHERE id = $1"
        )))
        .bind(id.to_string())
        .fetch_optional(&self.pool)
        .await
        .map_err(db("reading a task"))?;
        row.as_ref().map(row_to_task).transpose()
    }

    pub(crate) async fn query_tasks(&self, q: &TaskQuery) -> Result<Vec<Task>> {
        let mut p = Params::default();
        let filter = where_clause(q, &mut p);
        let limit = p.push(limit_of(q.limit));
        let offset = p.push(i64_of(q.offset));
        let sql = format!(
            "SELECT {COLS} FROM tasks{filter} ORDER BY last_update DESC, id LIMIT {limit} OFFSET {offset}"
        );
        let rows = sqlx::query_with(sqlx::AssertSqlSafe(sql), p.finish()?)
            .fetch_all(&self.pool)
            .await
            .map_err(db("querying tasks"))?;
        rows.iter().map(row_to_task).collect()
    }

    pub(crate) async fn count_tasks(&self, q: &TaskQuery) -> Result<u64> {
        let mut p = Params::default();
        let filter = where_clause(q, &mut p);
        let n: i64 = sqlx::query_scalar_with(
            sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM tasks{filter}")),
            p.finish()?,
        )
        .fetch_one(&self.pool)
        .await
        .map_err(db("counting tasks"))?;
        Ok(n.max(0) as u64)
    }

    pub(crate) async fn edit_task(&self, id: &str, edit: TaskEdit) -> Result<Task> {
        let ctx = "editing a task";
        let now = now_micros();
        let mut tx = self.begin_write(ctx).await?;
        // Write first: takes the row lock (PostgreSQL) so concurrent edits of one document serialize.
        let touched = sqlx::query("UPDATE tasks SET last_update = $1 WHERE id = $2")
            .bind(now)
            .bind(id.to_string())
            .execute(&mut *tx)
            .await
            .map_err(db(ctx))?;
        if touched.rows_affected() == 0 {
            return Err(not_found(id));
        }
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLS} FROM tasks WHERE id = $1"
        )))
        .bind(id.to_string())
        .fetch_one(&mut *tx)
        .await
        .map_err(db(ctx))?;
        let mut task = row_to_task(&row)?;
        if let Some(name) = edit.name {
            task.name = name;
        }
        if let Some(project) = edit.project {
            task.project = project;
        }
        if let Some(kind) = edit.kind {
            task.kind = kind;
        }
        for (k, v) in edit.doc {
            if v.is_null() {
                task.doc.remove(&k);
            } else {
                task.doc.insert(k, v);
            }
        }
        task.last_update = now;
        let res = sqlx::query(
            "UPDATE tasks SET name = $1, name_lc = $2, project = $3, kind = $4, doc = $5 WHERE id = $6",
        )
        .bind(task.name.clone())
        .bind(lower(&task.name))
        .bind(task.project.clone())
        .bind(task.kind.clone())
        .bind(to_json(&task.doc, "task document")?)
        .bind(id.to_string())
        .execute(&mut *tx)
        .await;
        match res {
            Err(e) if is_fk_violation(&e) => {
                return Err(StoreError::NotFound {
                    what: "project",
                    id: task.project,
                });
            }
            r => r.map_err(db(ctx))?,
        };
        tx.commit().await.map_err(db(ctx))?;
        Ok(task)
    }

    /// `started` is set on the first move to `in_progress`; `completed` on `completed`/`failed`/`stopped`
    /// (and on `published` if unset); a move back to `created` (a reset) clears both.
    pub(crate) async fn set_status(&self, id: &str, change: StatusChange) -> Result<Task> {
        let ctx = "changing a task's status";
        let times = match change.status {
            TaskStatus::InProgress => "started = COALESCE(started, $1)",
            TaskStatus::Completed | TaskStatus::Failed | TaskStatus::Stopped => "completed = $1",
            TaskStatus::Published => "completed = COALESCE(completed, $1)",
            TaskStatus::Created => "started = NULL, completed = NULL",
            _ => "",
        };
        let mut p = Params::default();
        let now = p.push(now_micros());
        let status = p.push(change.status.as_str().to_string());
        let message = p.push(change.message.clone());
        let reason = p.push(change.reason.clone());
        let idm = p.push(id.to_string());
        let mut sql = format!(
            "UPDATE tasks SET status = {status}, status_message = {message}, status_reason = {reason}, \
             last_update = {now}"
        );
        if !times.is_empty() {
            sql.push_str(", ");
            sql.push_str(times);
        }
        sql.push_str(&format!(" WHERE id = {idm}"));
        if !change.expected.is_empty() {
            let allowed = p.list(change.expected.iter().map(|s| s.as_str().to_string()));
            sql.push_str(&format!(" AND status IN {allowed}"));
        }
        sql.push_str(&format!(" RETURNING {COLS}"));
        let row = sqlx::query_with(sqlx::AssertSqlSafe(sql), p.finish()?)
            .fetch_optional(&self.pool)
            .await
            .map_err(db(ctx))?;
        if let Some(row) = row {
            return row_to_task(&row);
        }
        match self.get_task(id).await? {
            None => Err(not_found(id)),
            Some(t) => Err(StoreError::InvalidStatus {
                expected: change.expected,
                actual: t.status,
            }),
        }
    }

    pub(crate) async fn delete_task(&self, id: &str) -> Result<Vec<ArtifactRecord>> {
        let ctx = "deleting a task";
        let mut tx = self.begin_write(ctx).await?;
        // Lock the task row before its artifacts, the order every other writer uses (no deadlocks on PostgreSQL).
        let locked = sqlx::query("UPDATE tasks SET last_update = last_update WHERE id = $1")
            .bind(id.to_string())
            .execute(&mut *tx)
            .await
            .map_err(db(ctx))?;
        if locked.rows_affected() == 0 {
            return Err(not_found(id));
        }
        let rows = sqlx::query("DELETE FROM artifacts WHERE task_id = $1 RETURNING data")
            .bind(id.to_string())
            .fetch_all(&mut *tx)
            .await
            .map_err(db(ctx))?;
        let mut artifacts = rows
            .iter()
            .map(crate::artifacts::row_to_record)
            .collect::<Result<Vec<_>>>()?;
        sqlx::query("DELETE FROM versions WHERE task_id = $1")
            .bind(id.to_string())
            .execute(&mut *tx)
            .await
            .map_err(db(ctx))?;
        crate::events::delete_owned_events(&mut tx, id, ctx).await?;
        let gone = sqlx::query("DELETE FROM tasks WHERE id = $1")
            .bind(id.to_string())
            .execute(&mut *tx)
            .await
            .map_err(db(ctx))?;
        if gone.rows_affected() == 0 {
            return Err(not_found(id));
        }
        tx.commit().await.map_err(db(ctx))?;
        artifacts.sort_by(|a, b| (&a.key, &a.mode).cmp(&(&b.key, &b.mode)));
        Ok(artifacts)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(super::like_pattern("A_b%"), "%a\\_b\\%%");
    }
}
