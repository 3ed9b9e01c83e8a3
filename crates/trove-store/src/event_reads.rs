//! Reading events back: scalar histograms, single values, latest plots, scrolls by iteration, console pages
//! by time, and small summaries. Engine-neutral SQL (window functions exist on SQLite ≥ 3.25 and PostgreSQL).

use crate::Result;
use crate::db::{Params, SqlStore, db, i64_of, limit_of};
use crate::events::body_of;
use crate::metric_sql::metric_filter;
use crate::metrics::{
    EventCursor, EventQuery, HistogramSeries, LatestScalar, LogQuery, MetricFilter, SCALAR_KIND,
    SINGLE_VALUE_ITERATION, ScalarAxis, SingleValue, StoredEvent,
};
use sqlx::Row;
use sqlx::any::AnyRow;
use std::collections::{BTreeMap, HashSet};

/// Columns of a [`StoredEvent`].
const EV_COLS: &str = "id, iter, timestamp, body";
/// (metric, variant) pairs per histogram query of one interval.
const PAIR_CHUNK: usize = 200;

fn row_to_event(r: &AnyRow) -> Result<StoredEvent> {
    let ctx = "reading events";
    let body: String = r.try_get(3).map_err(db(ctx))?;
    Ok(StoredEvent {
        id: r.try_get(0).map_err(db(ctx))?,
        iter: r.try_get(1).map_err(db(ctx))?,
        timestamp: r.try_get(2).map_err(db(ctx))?,
        body: body_of(&body)?,
    })
}

fn rows_to_events(rows: &[AnyRow]) -> Result<Vec<StoredEvent>> {
    rows.iter().map(row_to_event).collect()
}

/// `floor(col / interval) * interval` with SQL's truncating integer division (`interval` is a trusted integer).
fn bucket(col: &str, interval: i64) -> String {
    if interval <= 1 {
        col.to_string()
    } else {
        format!(
            "(CASE WHEN {col} >= 0 THEN ({col} / {interval}) * {interval} \
             ELSE (({col} + 1) / {interval} - 1) * {interval} END)"
        )
    }
}

/// clearml-server's `_build_metric_interval`: one bucket per key below `samples` values, else as many keys
/// per bucket as keep the buckets within `samples`.
fn interval_of(count: i64, min: i64, max: i64, samples: i64) -> i64 {
    if count < samples {
        return 1;
    }
    let range = (max as i128 - min as i128 + 1).max(1);
    let samples = i128::from(samples.max(1));
    i64::try_from((range + samples - 1) / samples)
        .unwrap_or(i64::MAX)
        .max(1)
}

impl SqlStore {
    pub(crate) async fn scalar_histogram(
        &self,
        task: &str,
        axis: ScalarAxis,
        samples: u64,
        metrics: &[MetricFilter],
    ) -> Result<Vec<HistogramSeries>> {
        let ctx = "reading a scalar histogram";
        let col = match axis {
            ScalarAxis::Iter => "iter",
            ScalarAxis::Timestamp => "timestamp",
        };
        let base = |p: &mut Params| {
            let t = p.push(task.to_string());
            let k = p.push(SCALAR_KIND.to_string());
            format!(
                "FROM events WHERE task = {t} AND kind = {k} AND iter > {SINGLE_VALUE_ITERATION} \
                 AND value IS NOT NULL{}",
                metric_filter(p, metrics)
            )
        };
        let mut p = Params::default();
        let from = base(&mut p);
        let sql = format!(
            "SELECT metric, variant, COUNT(*), MIN({col}), MAX({col}) {from} \
             GROUP BY metric, variant ORDER BY metric, variant"
        );
        let stats = sqlx::query_with(sqlx::AssertSqlSafe(sql), p.finish()?)
            .fetch_all(&self.pool)
            .await
            .map_err(db(ctx))?;
        let samples = i64_of(samples.max(1));
        let mut groups: BTreeMap<i64, Vec<(String, String)>> = BTreeMap::new();
        for r in &stats {
            let (metric, variant): (String, String) = (
                r.try_get(0).map_err(db(ctx))?,
                r.try_get(1).map_err(db(ctx))?,
            );
            let count: i64 = r.try_get(2).map_err(db(ctx))?;
            let (min, max): (i64, i64) = (
                r.try_get(3).map_err(db(ctx))?,
                r.try_get(4).map_err(db(ctx))?,
            );
            groups
                .entry(interval_of(count, min, max, samples))
                .or_default()
                .push((metric, variant));
        }
        let single_group = groups.len() == 1;
        let mut series: BTreeMap<(String, String), Vec<(i64, f64)>> = BTreeMap::new();
        for (interval, pairs) in &groups {
            let chunks: Vec<&[(String, String)]> = if single_group {
                vec![&pairs[..0]]
            } else {
                pairs.chunks(PAIR_CHUNK).collect()
            };
            for chunk in chunks {
                let mut p = Params::default();
                let mut from = base(&mut p);
                if !chunk.is_empty() {
                    let ors: Vec<String> = chunk
                        .iter()
                        .map(|(m, v)| {
                            format!(
                                "(metric = {} AND variant = {})",
                                p.push(m.clone()),
                                p.push(v.clone())
                            )
                        })
                        .collect();
                    from.push_str(&format!(" AND ({})", ors.join(" OR ")));
                }
                let b = bucket(col, *interval);
                let sql = format!(
                    "SELECT metric, variant, {b} AS bucket, AVG(value) {from} \
                     GROUP BY metric, variant, bucket ORDER BY metric, variant, bucket"
                );
                let rows = sqlx::query_with(sqlx::AssertSqlSafe(sql), p.finish()?)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(db(ctx))?;
                for r in &rows {
                    let key = (
                        r.try_get(0).map_err(db(ctx))?,
                        r.try_get(1).map_err(db(ctx))?,
                    );
                    let point = (
                        r.try_get(2).map_err(db(ctx))?,
                        r.try_get(3).map_err(db(ctx))?,
                    );
                    series.entry(key).or_default().push(point);
                }
            }
        }
        Ok(series
            .into_iter()
            .map(|((metric, variant), points)| HistogramSeries {
                metric,
                variant,
                points,
            })
            .collect())
    }

    pub(crate) async fn single_values(
        &self,
        task_ids: &[String],
        metrics: &[MetricFilter],
    ) -> Result<Vec<SingleValue>> {
        let ctx = "reading single values";
        let mut out = Vec::new();
        for chunk in task_ids.chunks(1000) {
            let mut p = Params::default();
            let list = p.list(chunk.iter().cloned());
            let k = p.push(SCALAR_KIND.to_string());
            let filter = metric_filter(&mut p, metrics);
            let sql = format!(
                "SELECT task, metric, variant, value, timestamp FROM events WHERE task IN {list} \
                 AND kind = {k} AND iter = {SINGLE_VALUE_ITERATION} AND value IS NOT NULL{filter} \
                 ORDER BY task, metric, variant, id"
            );
            let rows = sqlx::query_with(sqlx::AssertSqlSafe(sql), p.finish()?)
                .fetch_all(&self.pool)
                .await
                .map_err(db(ctx))?;
            for r in &rows {
                out.push(SingleValue {
                    task: r.try_get(0).map_err(db(ctx))?,
                    metric: r.try_get(1).map_err(db(ctx))?,
                    variant: r.try_get(2).map_err(db(ctx))?,
                    value: r.try_get(3).map_err(db(ctx))?,
                    timestamp: r.try_get(4).map_err(db(ctx))?,
                });
            }
        }
        Ok(out)
    }

    pub(crate) async fn latest_plots(
        &self,
        task: &str,
        iters: u64,
        metrics: &[MetricFilter],
    ) -> Result<Vec<StoredEvent>> {
        let ctx = "reading plots";
        let mut p = Params::default();
        let t = p.push(task.to_string());
        let filter = metric_filter(&mut p, metrics);
        let n = p.push(i64_of(iters.max(1)));
        // Events without an iteration sort after those with one (as Elasticsearch's missing values).
        let order = "(iter IS NULL), iter DESC, id DESC";
        let sql = format!(
            "SELECT {EV_COLS} FROM (SELECT {EV_COLS}, metric, variant, \
             ROW_NUMBER() OVER (PARTITION BY metric, variant ORDER BY {order}) AS rn \
             FROM events WHERE task = {t} AND kind = 'plot'{filter}) AS p \
             WHERE rn <= {n} ORDER BY metric, variant, {order}"
        );
        let rows = sqlx::query_with(sqlx::AssertSqlSafe(sql), p.finish()?)
            .fetch_all(&self.pool)
            .await
            .map_err(db(ctx))?;
        rows_to_events(&rows)
    }

    pub(crate) async fn scroll_events(&self, q: &EventQuery) -> Result<Vec<StoredEvent>> {
        let ctx = "scrolling events";
        let limit = if q.limit == 0 { u64::MAX } else { q.limit };
        let mut out = Vec::new();
        // Phase 1: events with an iteration, by (iter, id); phase 2: the others, by id.
        if !matches!(q.after, Some(EventCursor::NoIter { .. })) {
            let mut p = Params::default();
            let mut sql = self.scroll_base(&mut p, q);
            sql.push_str(" AND iter IS NOT NULL");
            if let Some(EventCursor::Iter { iter, id }) = q.after {
                let (i, d) = (p.push(iter), p.push(id));
                let cmp = if q.descending { "<" } else { ">" };
                sql.push_str(&format!(
                    " AND (iter {cmp} {i} OR (iter = {i} AND id > {d}))"
                ));
            }
            let dir = if q.descending { "DESC" } else { "ASC" };
            let lim = p.push(limit_of(limit));
            sql.push_str(&format!(" ORDER BY iter {dir}, id LIMIT {lim}"));
            let rows = sqlx::query_with(sqlx::AssertSqlSafe(sql), p.finish()?)
                .fetch_all(&self.pool)
                .await
                .map_err(db(ctx))?;
            out = rows_to_events(&rows)?;
        }
        let left = limit.saturating_sub(out.len() as u64);
        if left > 0 {
            let mut p = Params::default();
            let mut sql = self.scroll_base(&mut p, q);
            sql.push_str(" AND iter IS NULL");
            if let Some(EventCursor::NoIter { id }) = q.after {
                sql.push_str(&format!(" AND id > {}", p.push(id)));
            }
            let lim = p.push(limit_of(left));
            sql.push_str(&format!(" ORDER BY id LIMIT {lim}"));
            let rows = sqlx::query_with(sqlx::AssertSqlSafe(sql), p.finish()?)
                .fetch_all(&self.pool)
                .await
                .map_err(db(ctx))?;
            out.extend(rows_to_events(&rows)?);
        }
        Ok(out)
    }

    fn scroll_base(&self, p: &mut Params, q: &EventQuery) -> String {
        let t = p.push(q.task.clone());
        let mut sql = format!("SELECT {EV_COLS} FROM events WHERE task = {t}");
        if let Some(k) = &q.kind {
            sql.push_str(&format!(" AND kind = {}", p.push(k.clone())));
        }
        sql.push_str(&metric_filter(p, &q.metrics));
        sql
    }

    pub(crate) async fn count_matching_events(
        &self,
        task: &str,
        kind: Option<&str>,
        metrics: &[MetricFilter],
    ) -> Result<u64> {
        let mut p = Params::default();
        let t = p.push(task.to_string());
        let mut sql = format!("SELECT COUNT(*) FROM events WHERE task = {t}");
        if let Some(k) = kind {
            sql.push_str(&format!(" AND kind = {}", p.push(k.to_string())));
        }
        sql.push_str(&metric_filter(&mut p, metrics));
        let n: i64 = sqlx::query_scalar_with(sqlx::AssertSqlSafe(sql), p.finish()?)
            .fetch_one(&self.pool)
            .await
            .map_err(db("counting events"))?;
        Ok(n.max(0) as u64)
    }

    pub(crate) async fn log_events(&self, q: &LogQuery) -> Result<Vec<StoredEvent>> {
        let ctx = "reading console lines";
        let base = |p: &mut Params| {
            let t = p.push(q.task.clone());
            format!(
                "SELECT {EV_COLS} FROM events WHERE task = {t} AND kind = 'log'{}",
                metric_filter(p, &q.metrics)
            )
        };
        let (cmp, dir) = if q.earlier {
            ("<", "DESC")
        } else {
            (">", "ASC")
        };
        let mut p = Params::default();
        let mut sql = base(&mut p);
        if let Some(ts) = q.from_timestamp {
            sql.push_str(&format!(" AND timestamp {cmp} {}", p.push(ts)));
        }
        let lim = p.push(limit_of(q.limit));
        sql.push_str(&format!(" ORDER BY timestamp {dir}, id {dir} LIMIT {lim}"));
        let rows = sqlx::query_with(sqlx::AssertSqlSafe(sql), p.finish()?)
            .fetch_all(&self.pool)
            .await
            .map_err(db(ctx))?;
        let mut out = rows_to_events(&rows)?;
        // Every event sharing the last timestamp, so the next page (strictly past it) loses none.
        if let Some(last) = out.last().map(|e| e.timestamp) {
            let have: HashSet<i64> = out.iter().map(|e| e.id).collect();
            let mut p = Params::default();
            let mut sql = base(&mut p);
            sql.push_str(&format!(
                " AND timestamp = {} ORDER BY id {dir}",
                p.push(last)
            ));
            let rows = sqlx::query_with(sqlx::AssertSqlSafe(sql), p.finish()?)
                .fetch_all(&self.pool)
                .await
                .map_err(db(ctx))?;
            for e in rows_to_events(&rows)? {
                if !have.contains(&e.id) {
                    out.push(e);
                }
            }
        }
        Ok(out)
    }

    pub(crate) async fn metrics_and_variants(
        &self,
        task: &str,
        kind: &str,
    ) -> Result<Vec<(String, String)>> {
        sqlx::query_as(
            "SELECT DISTINCT metric, variant FROM events WHERE task = $1 AND kind = $2 \
             ORDER BY metric, variant",
        )
        .bind(task.to_string())
        .bind(kind.to_string())
        .fetch_all(&self.pool)
        .await
        .map_err(db("listing metrics"))
    }

    pub(crate) async fn latest_scalars(&self, task: &str) -> Result<Vec<LatestScalar>> {
        let ctx = "reading latest scalars";
        let order = "(iter IS NULL), iter DESC, id DESC";
        let sql = format!(
            "SELECT metric, variant, value, ts FROM (SELECT metric, variant, value, \
             MAX(timestamp) OVER (PARTITION BY metric, variant) AS ts, \
             ROW_NUMBER() OVER (PARTITION BY metric, variant ORDER BY {order}) AS rn \
             FROM events WHERE task = $1 AND kind = '{SCALAR_KIND}' AND value > 0) AS l \
             WHERE rn = 1 ORDER BY metric, variant"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(task.to_string())
            .fetch_all(&self.pool)
            .await
            .map_err(db(ctx))?;
        rows.iter()
            .map(|r| {
                Ok(LatestScalar {
                    metric: r.try_get(0).map_err(db(ctx))?,
                    variant: r.try_get(1).map_err(db(ctx))?,
                    value: r.try_get(2).map_err(db(ctx))?,
                    timestamp: r.try_get(3).map_err(db(ctx))?,
                })
            })
            .collect()
    }

    pub(crate) async fn max_event_iteration(&self, task: &str) -> Result<Option<i64>> {
        sqlx::query_scalar("SELECT MAX(iter) FROM events WHERE task = $1")
            .bind(task.to_string())
            .fetch_one(&self.pool)
            .await
            .map_err(db("reading the highest iteration"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_follow_clearml_server() {
        assert_eq!(interval_of(100, 0, 99, 2000), 1);
        assert_eq!(interval_of(100, 0, 99, 100), 1);
        assert_eq!(interval_of(100, 0, 99, 10), 10);
        assert_eq!(interval_of(5, 0, 1_000_000, 5), 200_001);
        assert_eq!(interval_of(3, i64::MIN, i64::MAX, 1), i64::MAX);
    }

    #[test]
    fn buckets_floor_negative_keys() {
        assert_eq!(bucket("iter", 1), "iter");
        assert!(bucket("iter", 10).contains("((iter + 1) / 10 - 1) * 10"));
    }
}
