//! Models (ClearML's `models.*`): the weights a task produced or used. One row per model in the `models` table
//! (migration 2): the columns calls filter on (`project`, `task`, `uri`, `framework`, `ready`, times) plus a JSON
//! `doc` for everything else (`comment`, `tags`, `system_tags`, `design`, `labels`, `metadata`, `user`,
//! `company`, `last_iteration`, `ui_cache`). The task side (`models.input` / `models.output` of a task) stays
//! in the task document.
//!
//! Behaviour callers can rely on:
//! - `query_models` orders by `created` descending, then `id`; `limit` 0 = no limit; an empty id/project/task/
//!   uri/framework list matches nothing.
//! - `edit_model` applies a whole [`ModelEdit`] in one write transaction (concurrent edits of one model
//!   serialize; tag and metadata changes made by two writers both land).
//! - `project`, `task` and `parent` are not foreign keys: a model outlives its task (`task` then reads
//!   `__DELETED__<task id>`) and its project.

use crate::db::{Params, SqlStore, db, i64_of, json_object, limit_of, to_json};
use crate::{Result, StoreError, Task};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sqlx::Row;
use sqlx::any::AnyRow;
use trove_core::timefmt::now_micros;

/// A model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Model {
    /// 32-hex id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Project id, if any.
    pub project: Option<String>,
    /// The task that created it (or `__DELETED__<task id>`), if any.
    pub task: Option<String>,
    /// Parent model id.
    pub parent: Option<String>,
    /// Where the weights are (`""` when unknown).
    pub uri: String,
    /// Framework (`PyTorch`, …).
    pub framework: Option<String>,
    /// Published.
    pub ready: bool,
    /// Creation time, microseconds since the epoch.
    pub created: i64,
    /// Last change of the weights or their description (uri, framework, design, labels, ready, metadata,
    /// tags), or the last model event reported for it, microseconds.
    pub last_update: i64,
    /// Last change of anything, microseconds.
    pub last_change: i64,
    /// Every other ClearML model field: `comment`, `tags`, `system_tags`, `design`, `labels`, `metadata`
    /// (key → `{key, type, value}`), `user`, `company`, `last_iteration`, `ui_cache`, …
    pub doc: Map<String, Value>,
}

impl Model {
    /// The strings of a list field of the document (`tags`, `system_tags`).
    pub fn doc_strings(&self, field: &str) -> Vec<String> {
        strings(self.doc.get(field))
    }
}

fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

/// Input of [`ModelStore::create_model`].
#[derive(Debug, Clone, Default)]
pub struct NewModel {
    /// Name.
    pub name: String,
    /// Project id.
    pub project: Option<String>,
    /// Creating task.
    pub task: Option<String>,
    /// Parent model.
    pub parent: Option<String>,
    /// Weights location.
    pub uri: String,
    /// Framework.
    pub framework: Option<String>,
    /// Published.
    pub ready: bool,
    /// Other fields.
    pub doc: Map<String, Value>,
}

/// Changes to a model, applied together by [`ModelStore::edit_model`]. `None` / empty leaves a field alone.
#[derive(Debug, Clone, Default)]
pub struct ModelEdit {
    /// New name.
    pub name: Option<String>,
    /// New project (`Some(None)` clears it).
    pub project: Option<Option<String>>,
    /// New creating task (`Some(None)` clears it).
    pub task: Option<Option<String>>,
    /// New parent (`Some(None)` clears it).
    pub parent: Option<Option<String>>,
    /// New weights location.
    pub uri: Option<String>,
    /// New framework (`Some(None)` clears it).
    pub framework: Option<Option<String>>,
    /// Publish / unpublish.
    pub ready: Option<bool>,
    /// Top-level document fields to replace (a `null` value removes the field).
    pub doc: Map<String, Value>,
    /// Metadata entries to add or replace by key (after `doc`).
    pub metadata_set: Map<String, Value>,
    /// Metadata keys to remove.
    pub metadata_remove: Vec<String>,
    /// Tags to add (kept sorted and unique, as ClearML stores them).
    pub add_tags: Vec<String>,
    /// Tags to remove.
    pub remove_tags: Vec<String>,
    /// System tags to add (`archived`).
    pub add_system_tags: Vec<String>,
    /// System tags to remove.
    pub remove_system_tags: Vec<String>,
    /// Raise `last_iteration` to at least this.
    pub last_iteration_max: Option<i64>,
    /// Bump `last_update` too (not only `last_change`).
    pub touch: bool,
}

/// Which models [`ModelStore::query_models`] returns.
#[derive(Debug, Clone, Default)]
pub struct ModelQuery {
    /// Only these ids.
    pub ids: Option<Vec<String>>,
    /// Only models of these projects.
    pub projects: Option<Vec<String>>,
    /// Only models whose creating task is one of these.
    pub tasks: Option<Vec<String>>,
    /// Only these weight locations.
    pub uris: Option<Vec<String>>,
    /// Only these frameworks.
    pub frameworks: Option<Vec<String>>,
    /// Only published (true) or unpublished (false) models.
    pub ready: Option<bool>,
    /// Skip this many.
    pub offset: u64,
    /// At most this many (0 = no limit).
    pub limit: u64,
}

/// What trove needs to store models. Both engines implement it with the same behaviour.
#[async_trait]
pub trait ModelStore: Send + Sync {
    /// Create a model with a new 32-hex id; `created`, `last_update` and `last_change` are now.
    async fn create_model(&self, new: NewModel) -> Result<Model>;
    /// One model by id.
    async fn get_model(&self, id: &str) -> Result<Option<Model>>;
    /// Models matching `query`, newest `created` first.
    async fn query_models(&self, query: &ModelQuery) -> Result<Vec<Model>>;
    /// How many models match `query` (ignoring limit/offset).
    async fn count_models(&self, query: &ModelQuery) -> Result<u64>;
    /// Apply `edit` atomically; `NotFound` ("model") if there is no such model. Bumps `last_change` (and
    /// `last_update` with `edit.touch`).
    async fn edit_model(&self, id: &str, edit: ModelEdit) -> Result<Model>;
    /// Delete a model with its model events and `last_metrics`; false if there was none.
    async fn delete_model(&self, id: &str) -> Result<bool>;
    /// The distinct non-empty frameworks of the models (of these projects), sorted.
    async fn model_frameworks(&self, projects: Option<&[String]>) -> Result<Vec<String>>;
    /// Tasks whose document mentions `text` anywhere (e.g. a model id in `models.input`), for the caller to
    /// check precisely.
    async fn tasks_mentioning(&self, text: &str) -> Result<Vec<Task>>;
    /// Insert a model as it is (id, times, document); false if its id exists (`trove migrate`).
    async fn import_model(&self, model: &Model) -> Result<bool>;
}

const COLS: &str = "id, name, project, task, parent, uri, framework, ready, created, last_update, last_change, doc";

fn row_to_model(row: &AnyRow) -> Result<Model> {
    let ctx = "reading a model row";
    let ready: i64 = row.try_get(7).map_err(db(ctx))?;
    let doc: String = row.try_get(11).map_err(db(ctx))?;
    Ok(Model {
        id: row.try_get(0).map_err(db(ctx))?,
        name: row.try_get(1).map_err(db(ctx))?,
        project: row.try_get(2).map_err(db(ctx))?,
        task: row.try_get(3).map_err(db(ctx))?,
        parent: row.try_get(4).map_err(db(ctx))?,
        uri: row.try_get(5).map_err(db(ctx))?,
        framework: row.try_get(6).map_err(db(ctx))?,
        ready: ready != 0,
        created: row.try_get(8).map_err(db(ctx))?,
        last_update: row.try_get(9).map_err(db(ctx))?,
        last_change: row.try_get(10).map_err(db(ctx))?,
        doc: json_object(&doc, "model document")?,
    })
}

fn not_found(id: &str) -> StoreError {
    StoreError::NotFound {
        what: "model",
        id: id.to_string(),
    }
}

/// ` WHERE …` for a query (or "").
fn where_clause(q: &ModelQuery, p: &mut Params) -> String {
    let mut conds: Vec<String> = Vec::new();
    for (col, list) in [
        ("id", &q.ids),
        ("project", &q.projects),
        ("task", &q.tasks),
        ("uri", &q.uris),
        ("framework", &q.frameworks),
    ] {
        if let Some(values) = list {
            conds.push(format!("{col} IN {}", p.list(values.iter().cloned())));
        }
    }
    if let Some(ready) = q.ready {
        conds.push(format!("ready = {}", p.push(i64::from(ready))));
    }
    if conds.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conds.join(" AND "))
    }
}

/// Add `add` to and remove `remove` from the string list `doc[field]`, sorted and unique.
fn edit_list(doc: &mut Map<String, Value>, field: &str, add: &[String], remove: &[String]) {
    if add.is_empty() && remove.is_empty() {
        return;
    }
    let mut list: Vec<String> = strings(doc.get(field));
    list.extend(add.iter().cloned());
    list.retain(|t| !remove.contains(t));
    list.sort();
    list.dedup();
    doc.insert(
        field.into(),
        Value::Array(list.into_iter().map(Value::String).collect()),
    );
}

/// Apply the field changes of `edit` to `m` (times are set by the caller).
fn apply(m: &mut Model, edit: ModelEdit) {
    if let Some(v) = edit.name {
        m.name = v;
    }
    if let Some(v) = edit.project {
        m.project = v;
    }
    if let Some(v) = edit.task {
        m.task = v;
    }
    if let Some(v) = edit.parent {
        m.parent = v;
    }
    if let Some(v) = edit.uri {
        m.uri = v;
    }
    if let Some(v) = edit.framework {
        m.framework = v;
    }
    if let Some(v) = edit.ready {
        m.ready = v;
    }
    for (k, v) in edit.doc {
        if v.is_null() {
            m.doc.remove(&k);
        } else {
            m.doc.insert(k, v);
        }
    }
    if !edit.metadata_set.is_empty() || !edit.metadata_remove.is_empty() {
        let mut md = match m.doc.remove("metadata") {
            Some(Value::Object(o)) => o,
            _ => Map::new(),
        };
        md.extend(edit.metadata_set);
        for k in &edit.metadata_remove {
            md.remove(k);
        }
        m.doc.insert("metadata".into(), Value::Object(md));
    }
    edit_list(&mut m.doc, "tags", &edit.add_tags, &edit.remove_tags);
    edit_list(
        &mut m.doc,
        "system_tags",
        &edit.add_system_tags,
        &edit.remove_system_tags,
    );
    if let Some(it) = edit.last_iteration_max {
        let cur = m.doc.get("last_iteration").and_then(Value::as_i64);
        if cur.is_none_or(|c| it > c) {
            m.doc.insert("last_iteration".into(), Value::from(it));
        }
    }
}

/// `%text%` with LIKE's special characters escaped by `\`.
fn like_pattern(text: &str) -> String {
    let mut out = String::from("%");
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

impl SqlStore {
    async fn insert_model(&self, m: &Model, ignore_existing: bool) -> Result<bool> {
        let conflict = if ignore_existing {
            " ON CONFLICT (id) DO NOTHING"
        } else {
            ""
        };
        let res = sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO models ({COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12){conflict}"
        )))
        .bind(m.id.clone())
        .bind(m.name.clone())
        .bind(m.project.clone())
        .bind(m.task.clone())
        .bind(m.parent.clone())
        .bind(m.uri.clone())
        .bind(m.framework.clone())
        .bind(i64::from(m.ready))
        .bind(m.created)
        .bind(m.last_update)
        .bind(m.last_change)
        .bind(to_json(&m.doc, "model document")?)
        .execute(&self.pool)
        .await
        .map_err(db(&format!("storing model {}", m.id)))?;
        Ok(res.rows_affected() > 0)
    }
}

#[async_trait]
impl ModelStore for SqlStore {
    async fn create_model(&self, new: NewModel) -> Result<Model> {
        let now = now_micros();
        let m = Model {
            id: trove_core::new_id(),
            name: new.name,
            project: new.project,
            task: new.task,
            parent: new.parent,
            uri: new.uri,
            framework: new.framework,
            ready: new.ready,
            created: now,
            last_update: now,
            last_change: now,
            doc: new.doc,
        };
        self.insert_model(&m, false).await?;
        Ok(m)
    }

    async fn get_model(&self, id: &str) -> Result<Option<Model>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLS} FROM models WHERE id = $1"
        )))
        .bind(id.to_string())
        .fetch_optional(&self.pool)
        .await
        .map_err(db("reading a model"))?;
        row.as_ref().map(row_to_model).transpose()
    }

    async fn query_models(&self, q: &ModelQuery) -> Result<Vec<Model>> {
        let mut p = Params::default();
        let filter = where_clause(q, &mut p);
        let limit = p.push(limit_of(q.limit));
        let offset = p.push(i64_of(q.offset));
        let sql = format!(
            "SELECT {COLS} FROM models{filter} ORDER BY created DESC, id LIMIT {limit} OFFSET {offset}"
        );
        let rows = sqlx::query_with(sqlx::AssertSqlSafe(sql), p.finish()?)
            .fetch_all(&self.pool)
            .await
            .map_err(db("querying models"))?;
        rows.iter().map(row_to_model).collect()
    }

    async fn count_models(&self, q: &ModelQuery) -> Result<u64> {
        let mut p = Params::default();
        let filter = where_clause(q, &mut p);
        let n: i64 = sqlx::query_scalar_with(
            sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM models{filter}")),
            p.finish()?,
        )
        .fetch_one(&self.pool)
        .await
        .map_err(db("counting models"))?;
        Ok(n.max(0) as u64)
    }

    async fn edit_model(&self, id: &str, edit: ModelEdit) -> Result<Model> {
        let ctx = "editing a model";
        let now = now_micros();
        let mut tx = self.begin_write(ctx).await?;
        // Write first: takes the row lock (PostgreSQL) so concurrent edits of one model serialize.
        let touched = sqlx::query("UPDATE models SET last_change = $1 WHERE id = $2")
            .bind(now)
            .bind(id.to_string())
            .execute(&mut *tx)
            .await
            .map_err(db(ctx))?;
        if touched.rows_affected() == 0 {
            return Err(not_found(id));
        }
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLS} FROM models WHERE id = $1"
        )))
        .bind(id.to_string())
        .fetch_one(&mut *tx)
        .await
        .map_err(db(ctx))?;
        let mut m = row_to_model(&row)?;
        let touch = edit.touch;
        apply(&mut m, edit);
        m.last_change = now;
        if touch {
            m.last_update = now;
        }
        sqlx::query(
            "UPDATE models SET name = $1, project = $2, task = $3, parent = $4, uri = $5, framework = $6, \
             ready = $7, last_update = $8, doc = $9 WHERE id = $10",
        )
        .bind(m.name.clone())
        .bind(m.project.clone())
        .bind(m.task.clone())
        .bind(m.parent.clone())
        .bind(m.uri.clone())
        .bind(m.framework.clone())
        .bind(i64::from(m.ready))
        .bind(m.last_update)
        .bind(to_json(&m.doc, "model document")?)
        .bind(id.to_string())
        .execute(&mut *tx)
        .await
        .map_err(db(ctx))?;
        tx.commit().await.map_err(db(ctx))?;
        Ok(m)
    }

    async fn delete_model(&self, id: &str) -> Result<bool> {
        let ctx = "deleting a model";
        let mut tx = self.begin_write(ctx).await?;
        let gone = sqlx::query("DELETE FROM models WHERE id = $1")
            .bind(id.to_string())
            .execute(&mut *tx)
            .await
            .map_err(db(ctx))?;
        if gone.rows_affected() == 0 {
            // Not a model: nothing else is touched (the id may be a task's).
            return Ok(false);
        }
        // Its model events and their `last_metrics`.
        crate::events::delete_owned_events(&mut tx, id, ctx).await?;
        tx.commit().await.map_err(db(ctx))?;
        Ok(gone.rows_affected() > 0)
    }

    async fn model_frameworks(&self, projects: Option<&[String]>) -> Result<Vec<String>> {
        let mut p = Params::default();
        let mut sql =
            "SELECT DISTINCT framework FROM models WHERE framework IS NOT NULL AND framework <> ''"
                .to_string();
        if let Some(projects) = projects {
            sql.push_str(&format!(
                " AND project IN {}",
                p.list(projects.iter().cloned())
            ));
        }
        sql.push_str(" ORDER BY framework");
        let rows: Vec<String> = sqlx::query_scalar_with(sqlx::AssertSqlSafe(sql), p.finish()?)
            .fetch_all(&self.pool)
            .await
            .map_err(db("listing model frameworks"))?;
        Ok(rows)
    }

    async fn tasks_mentioning(&self, text: &str) -> Result<Vec<Task>> {
        let sql = format!(
            "SELECT {} FROM tasks WHERE doc LIKE $1 ESCAPE '\\' ORDER BY id",
            crate::tasks::COLS
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(like_pattern(text))
            .fetch_all(&self.pool)
            .await
            .map_err(db("finding tasks that mention a model"))?;
        rows.iter().map(crate::tasks::row_to_task).collect()
    }

    async fn import_model(&self, model: &Model) -> Result<bool> {
        self.insert_model(model, true).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn edits_merge_lists_metadata_and_iterations() {
        let mut m = Model {
            id: "m".into(),
            name: "n".into(),
            project: None,
            task: None,
            parent: None,
            uri: String::new(),
            framework: None,
            ready: false,
            created: 0,
            last_update: 0,
            last_change: 0,
            doc: json!({"tags": ["b"], "metadata": {"a": {"key": "a"}}, "last_iteration": 10})
                .as_object()
                .cloned()
                .unwrap_or_default(),
        };
        let mut md = Map::new();
        md.insert("c".into(), json!({"key": "c"}));
        apply(
            &mut m,
            ModelEdit {
                add_tags: vec!["a".into(), "b".into()],
                add_system_tags: vec!["archived".into()],
                metadata_set: md,
                metadata_remove: vec!["a".into()],
                last_iteration_max: Some(5),
                ..Default::default()
            },
        );
        assert_eq!(m.doc_strings("tags"), ["a", "b"]);
        assert_eq!(m.doc_strings("system_tags"), ["archived"]);
        assert_eq!(m.doc["metadata"], json!({"c": {"key": "c"}}));
        assert_eq!(m.doc["last_iteration"], 10);
        assert_eq!(like_pattern("__DELETED__a%"), "%\\_\\_DELETED\\_\\_a\\%%");
    }
}
