//! [`MetricStore`] for [`SqlStore`], `task_last_metrics` (merge, read, import), event deletions and a task's
//! metrics reset. The readers are in `event_reads`, the writers in `events`.

use crate::db::{Params, SqlStore, Tx, db, to_json};
use crate::metrics::{
    EventBatch, EventQuery, HistogramSeries, LastMetric, LatestScalar, LogDeletion, LogQuery,
    MAX_LAST_METRICS, MetricFilter, MetricStore, NewEvent, ScalarAxis, SingleValue, StoredEvent,
    hash_name, merge_batch, summarise,
};
use crate::{Result, StoreError};
use async_trait::async_trait;
use serde_json::Value;
use sqlx::Row;
use sqlx::any::AnyRow;
use std::collections::{BTreeMap, HashMap};

/// Columns of a `last_metrics` entry, in [`LastMetric`] order.
const LM_COLS: &str = "metric, variant, value, min_value, min_value_iteration, max_value, max_value_iteration, \
     first_value, first_value_iteration, count, mean_value, x_axis_label";
/// Entries per multi-row upsert (15 parameters each).
const LM_CHUNK: usize = 200;

/// ` AND (…)`: the `[{metric, variants}]` filter of the read endpoints (nothing when empty).
pub(crate) fn metric_filter(p: &mut Params, metrics: &[MetricFilter]) -> String {
    if metrics.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = metrics
        .iter()
        .map(|m| {
            let metric = p.push(m.metric.clone());
            if m.variants.is_empty() {
                format!("metric = {metric}")
            } else {
                let list = p.list(m.variants.iter().cloned());
                format!("(metric = {metric} AND variant IN {list})")
            }
        })
        .collect();
    format!(" AND ({})", parts.join(" OR "))
}

fn row_to_last_metric(r: &AnyRow, at: usize) -> Result<LastMetric> {
    let ctx = "reading last metrics";
    let g = |i: usize| at + i;
    Ok(LastMetric {
        metric: r.try_get(g(0)).map_err(db(ctx))?,
        variant: r.try_get(g(1)).map_err(db(ctx))?,
        value: r.try_get(g(2)).map_err(db(ctx))?,
        min_value: r.try_get(g(3)).map_err(db(ctx))?,
        min_value_iteration: r.try_get(g(4)).map_err(db(ctx))?,
        max_value: r.try_get(g(5)).map_err(db(ctx))?,
        max_value_iteration: r.try_get(g(6)).map_err(db(ctx))?,
        first_value: r.try_get(g(7)).map_err(db(ctx))?,
        first_value_iteration: r.try_get(g(8)).map_err(db(ctx))?,
        count: r.try_get(g(9)).map_err(db(ctx))?,
        mean_value: r.try_get(g(10)).map_err(db(ctx))?,
        x_axis_label: r.try_get(g(11)).map_err(db(ctx))?,
    })
}

/// Merge the scalars of `events` into `task_last_metrics` (inside the batch's transaction, after the tasks'
/// rows were locked).
pub(crate) async fn merge_last_metrics(tx: &mut Tx, events: &[NewEvent]) -> Result<()> {
    let ctx = "merging last metrics";
    let summaries = summarise(events);
    let mut by_task: BTreeMap<&str, Vec<(&str, &str, _)>> = BTreeMap::new();
    for ((task, metric, variant), s) in &summaries {
        by_task
            .entry(task.as_str())
            .or_default()
            .push((metric.as_str(), variant.as_str(), s));
    }
    for (task, batch) in by_task {
        // Only the entries of the batch's metrics are read (the primary key serves it), not all of the task's.
        let mut p = Params::default();
        let owner = p.push(task.to_string());
        let hashes: std::collections::BTreeSet<String> =
            batch.iter().map(|(m, _, _)| hash_name(m)).collect();
        let list = p.list(hashes);
        let rows = sqlx::query_with(
            sqlx::AssertSqlSafe(format!(
                "SELECT {LM_COLS} FROM task_last_metrics WHERE task = {owner} AND metric_hash IN {list}"
            )),
            p.finish()?,
        )
        .fetch_all(&mut **tx)
        .await
        .map_err(db(ctx))?;
        let mut stored: HashMap<(String, String), LastMetric> = HashMap::new();
        for r in &rows {
            let m = row_to_last_metric(r, 0)?;
            stored.insert((m.metric.clone(), m.variant.clone()), m);
        }
        let new_pairs = batch
            .iter()
            .filter(|(m, v, _)| !stored.contains_key(&(m.to_string(), v.to_string())))
            .count();
        // The cap on entries per task needs the task's count only when the batch brings new pairs.
        let mut pairs = if new_pairs == 0 {
            0
        } else {
            let n: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM task_last_metrics WHERE task = $1")
                    .bind(task.to_string())
                    .fetch_one(&mut **tx)
                    .await
                    .map_err(db(ctx))?;
            usize::try_from(n).unwrap_or(usize::MAX)
        };
        let mut merged = Vec::with_capacity(batch.len());
        for (metric, variant, summary) in batch {
            let old = stored.get(&(metric.to_string(), variant.to_string()));
            if old.is_none() {
                if pairs >= MAX_LAST_METRICS {
                    continue;
                }
                pairs += 1;
            }
            merged.push(merge_batch(old, metric, variant, summary));
        }
        upsert_last_metrics(tx, task, &merged, false).await?;
    }
    Ok(())
}

/// Insert entries (replacing, or with `keep_existing` leaving, stored ones); returns rows written.
async fn upsert_last_metrics(
    tx: &mut Tx,
    task: &str,
    metrics: &[LastMetric],
    keep_existing: bool,
) -> Result<usize> {
    let ctx = "storing last metrics";
    let conflict = if keep_existing {
        "DO NOTHING".to_string()
    } else {
        let set: Vec<String> = LM_COLS
            .split(", ")
            .map(|c| format!("{c} = excluded.{c}"))
            .collect();
        format!("DO UPDATE SET {}", set.join(", "))
    };
    let mut written = 0;
    for chunk in metrics.chunks(LM_CHUNK) {
        let mut p = Params::default();
        let mut values = Vec::with_capacity(chunk.len());
        for m in chunk {
            let v = [
                p.push(task.to_string()),
                p.push(hash_name(&m.metric)),
                p.push(hash_name(&m.variant)),
                p.push(m.metric.clone()),
                p.push(m.variant.clone()),
                p.push(m.value),
                p.push(m.min_value),
                p.push(m.min_value_iteration),
                p.push(m.max_value),
                p.push(m.max_value_iteration),
                p.push(m.first_value),
                p.push(m.first_value_iteration),
                p.push(m.count),
                p.push(m.mean_value),
                p.push(m.x_axis_label.clone()),
            ];
            values.push(format!("({})", v.join(", ")));
        }
        let sql = format!(
            "INSERT INTO task_last_metrics (task, metric_hash, variant_hash, {LM_COLS}) VALUES {} \
             ON CONFLICT (task, metric_hash, variant_hash) {conflict}",
            values.join(", ")
        );
        let res = sqlx::query_with(sqlx::AssertSqlSafe(sql), p.finish()?)
            .execute(&mut **tx)
            .await
            .map_err(db(ctx))?;
        written += res.rows_affected() as usize;
    }
    Ok(written)
}

impl SqlStore {
    pub(crate) async fn read_last_metrics(
        &self,
        task_ids: &[String],
    ) -> Result<HashMap<String, Vec<LastMetric>>> {
        let ctx = "reading last metrics";
        let mut out: HashMap<String, Vec<LastMetric>> = HashMap::new();
        for chunk in task_ids.chunks(1000) {
            let mut p = Params::default();
            let list = p.list(chunk.iter().cloned());
            let rows = sqlx::query_with(
                sqlx::AssertSqlSafe(format!(
                    "SELECT task, {LM_COLS} FROM task_last_metrics WHERE task IN {list} \
                     ORDER BY task, metric, variant"
                )),
                p.finish()?,
            )
            .fetch_all(&self.pool)
            .await
            .map_err(db(ctx))?;
            for r in &rows {
                let task: String = r.try_get(0).map_err(db(ctx))?;
                out.entry(task).or_default().push(row_to_last_metric(r, 1)?);
            }
        }
        Ok(out)
    }

    pub(crate) async fn import_last_metrics(
        &self,
        task: &str,
        metrics: &[LastMetric],
    ) -> Result<usize> {
        let ctx = "importing last metrics";
        if metrics.is_empty() {
            return Ok(0);
        }
        let mut tx = self.begin_write(ctx).await?;
        let n = upsert_last_metrics(&mut tx, task, metrics, true).await?;
        tx.commit().await.map_err(db(ctx))?;
        Ok(n)
    }

    pub(crate) async fn delete_log_events(&self, d: &LogDeletion) -> Result<u64> {
        let ctx = "deleting console lines";
        let mut p = Params::default();
        let task = p.push(d.task.clone());
        let mut sql = format!("DELETE FROM events WHERE task = {task} AND kind = 'log'");
        if let Some(ts) = d.before_timestamp {
            sql.push_str(&format!(" AND timestamp < {}", p.push(ts)));
        }
        if !d.include_metrics.is_empty() {
            let list = p.list(d.include_metrics.iter().cloned());
            sql.push_str(&format!(" AND metric IN {list}"));
        }
        if !d.exclude_metrics.is_empty() {
            let list = p.list(d.exclude_metrics.iter().cloned());
            sql.push_str(&format!(" AND metric NOT IN {list}"));
        }
        let res = sqlx::query_with(sqlx::AssertSqlSafe(sql), p.finish()?)
            .execute(&self.pool)
            .await
            .map_err(db(ctx))?;
        Ok(res.rows_affected())
    }

    pub(crate) async fn delete_task_events(&self, task: &str) -> Result<u64> {
        let res = sqlx::query("DELETE FROM events WHERE task = $1")
            .bind(task.to_string())
            .execute(&self.pool)
            .await
            .map_err(db("deleting events"))?;
        Ok(res.rows_affected())
    }

    pub(crate) async fn reset_task_metrics(&self, task: &str) -> Result<u64> {
        let ctx = "resetting a task's metrics";
        let mut tx = self.begin_write(ctx).await?;
        // Write first: takes the row lock (PostgreSQL) before the document is read.
        let touched = sqlx::query("UPDATE tasks SET last_update = $1 WHERE id = $2")
            .bind(trove_core::timefmt::now_micros())
            .bind(task.to_string())
            .execute(&mut *tx)
            .await
            .map_err(db(ctx))?;
        if touched.rows_affected() == 0 {
            return Err(StoreError::NotFound {
                what: "task",
                id: task.to_string(),
            });
        }
        let doc: String = sqlx::query_scalar("SELECT doc FROM tasks WHERE id = $1")
            .bind(task.to_string())
            .fetch_one(&mut *tx)
            .await
            .map_err(db(ctx))?;
        let deleted = sqlx::query("DELETE FROM events WHERE task = $1")
            .bind(task.to_string())
            .execute(&mut *tx)
            .await
            .map_err(db(ctx))?
            .rows_affected();
        sqlx::query("DELETE FROM task_last_metrics WHERE task = $1")
            .bind(task.to_string())
            .execute(&mut *tx)
            .await
            .map_err(db(ctx))?;
        let mut doc = crate::db::json_object(&doc, "task document")?;
        doc.insert("last_iteration".into(), Value::from(0));
        sqlx::query("UPDATE tasks SET doc = $1 WHERE id = $2")
            .bind(to_json(&doc, "task document")?)
            .bind(task.to_string())
            .execute(&mut *tx)
            .await
            .map_err(db(ctx))?;
        tx.commit().await.map_err(db(ctx))?;
        Ok(deleted)
    }
}

#[async_trait]
impl MetricStore for SqlStore {
    async fn write_events(&self, batch: &EventBatch) -> Result<usize> {
        SqlStore::write_event_batch(self, batch).await
    }
    async fn last_metrics(&self, task_ids: &[String]) -> Result<HashMap<String, Vec<LastMetric>>> {
        SqlStore::read_last_metrics(self, task_ids).await
    }
    async fn scalar_histogram(
        &self,
        task: &str,
        axis: ScalarAxis,
        samples: u64,
        metrics: &[MetricFilter],
    ) -> Result<Vec<HistogramSeries>> {
        SqlStore::scalar_histogram(self, task, axis, samples, metrics).await
    }
    async fn single_values(
        &self,
        task_ids: &[String],
        metrics: &[MetricFilter],
    ) -> Result<Vec<SingleValue>> {
        SqlStore::single_values(self, task_ids, metrics).await
    }
    async fn latest_plots(
        &self,
        task: &str,
        iters: u64,
        metrics: &[MetricFilter],
    ) -> Result<Vec<StoredEvent>> {
        SqlStore::latest_plots(self, task, iters, metrics).await
    }
    async fn scroll_events(&self, query: &EventQuery) -> Result<Vec<StoredEvent>> {
        SqlStore::scroll_events(self, query).await
    }
    async fn count_matching_events(
        &self,
        task: &str,
        kind: Option<&str>,
        metrics: &[MetricFilter],
    ) -> Result<u64> {
        SqlStore::count_matching_events(self, task, kind, metrics).await
    }
    async fn log_events(&self, query: &LogQuery) -> Result<Vec<StoredEvent>> {
        SqlStore::log_events(self, query).await
    }
    async fn metrics_and_variants(&self, task: &str, kind: &str) -> Result<Vec<(String, String)>> {
        SqlStore::metrics_and_variants(self, task, kind).await
    }
    async fn latest_scalars(&self, task: &str) -> Result<Vec<LatestScalar>> {
        SqlStore::latest_scalars(self, task).await
    }
    async fn max_event_iteration(&self, task: &str) -> Result<Option<i64>> {
        SqlStore::max_event_iteration(self, task).await
    }
    async fn delete_log_events(&self, deletion: &LogDeletion) -> Result<u64> {
        SqlStore::delete_log_events(self, deletion).await
    }
    async fn delete_task_events(&self, task: &str) -> Result<u64> {
        SqlStore::delete_task_events(self, task).await
    }
    async fn reset_task_metrics(&self, task: &str) -> Result<u64> {
        SqlStore::reset_task_metrics(self, task).await
    }
    async fn export_events(&self, task: &str, offset: u64, limit: u64) -> Result<Vec<NewEvent>> {
        SqlStore::export_events(self, task, offset, limit).await
    }
    async fn import_events(&self, events: &[NewEvent]) -> Result<usize> {
        SqlStore::import_events(self, events).await
    }
    async fn import_last_metrics(&self, task: &str, metrics: &[LastMetric]) -> Result<usize> {
        SqlStore::import_last_metrics(self, task, metrics).await
    }
}
