//! `last_metrics` of task (and model) documents, as clearml-server returns it:
//! `{md5(metric): {md5(variant): {metric, variant, value, min_value, min_value_iteration, max_value,
//! max_value_iteration, first_value, first_value_iteration, count, mean_value, x_axis_label?}}}`, `{}` for a
//! task without scalars (the SDK's `get_last_scalar_metrics` reads `last_metrics.values()`).

use super::context::Ctx;
use crate::error::ApiError;
use serde_json::{Map, Value, json};
use trove_protocol::TaskDoc;
use trove_protocol::endpoints::ModelDoc;
use trove_store::metrics::{LastMetric, hash_name};

/// One entry as JSON.
fn entry(m: &LastMetric) -> Value {
    let mut e = json!({
        "metric": m.metric, "variant": m.variant, "value": m.value,
        "min_value": m.min_value, "min_value_iteration": m.min_value_iteration,
        "max_value": m.max_value, "max_value_iteration": m.max_value_iteration,
        "first_value": m.first_value, "first_value_iteration": m.first_value_iteration,
        "count": m.count, "mean_value": m.mean_value,
    });
    if let (Some(l), Value::Object(o)) = (&m.x_axis_label, &mut e) {
        o.insert("x_axis_label".into(), json!(l));
    }
    e
}

/// A task's `last_metrics` object.
pub fn last_metrics_json(metrics: &[LastMetric]) -> Value {
    let mut out = Map::new();
    for m in metrics {
        let by_variant = out
            .entry(hash_name(&m.metric))
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(v) = by_variant {
            v.insert(hash_name(&m.variant), entry(m));
        }
    }
    Value::Object(out)
}

/// Whether a projection (`only_fields`) asks for `last_metrics`: none, `last_metrics`, a dotted path under it,
/// or only exclusions (`-name`) that do not exclude it.
fn wanted(fields: Option<&[String]>) -> bool {
    let Some(fields) = fields else { return true };
    fields
        .iter()
        .any(|f| f == "last_metrics" || f.starts_with("last_metrics."))
        || (!fields.is_empty()
            && fields.iter().all(|f| f.starts_with('-'))
            && !fields.iter().any(|f| f == "-last_metrics"))
}

/// Keep the dotted paths of `fields` under `last_metrics` (all of it when asked whole or not projected).
fn project(full: Value, fields: Option<&[String]>) -> Value {
    let paths: Vec<Vec<&str>> = fields
        .unwrap_or_default()
        .iter()
        .filter_map(|f| f.strip_prefix("last_metrics."))
        .map(|p| p.split('.').filter(|s| !s.is_empty()).collect())
        .collect();
    let whole = fields.is_none_or(|f| !f.iter().any(|x| x.starts_with("last_metrics.")))
        || fields.is_some_and(|f| f.iter().any(|x| x == "last_metrics"));
    if whole {
        return full;
    }
    let mut out = Map::new();
    for path in paths {
        if let Some(v) = path.iter().try_fold(&full, |cur, p| cur.get(*p)) {
            set_path(&mut out, &path, v.clone());
        }
    }
    Value::Object(out)
}

fn set_path(m: &mut Map<String, Value>, path: &[&str], v: Value) {
    match path {
        [] => {}
        [last] => {
            m.insert(last.to_string(), v);
        }
        [first, rest @ ..] => {
            let entry = m
                .entry(first.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            if !entry.is_object() {
                *entry = Value::Object(Map::new());
            }
            if let Value::Object(inner) = entry {
                set_path(inner, rest, v);
            }
        }
    }
}

/// Put `last_metrics` into task documents (found by their `id`) when the projection asks for it; `{}` for
/// tasks without scalars. One store read for all of them.
pub async fn add_last_metrics(
    ctx: &Ctx,
    docs: &mut [TaskDoc],
    only_fields: Option<&[String]>,
) -> Result<(), ApiError> {
    if docs.is_empty() || !wanted(only_fields) {
        return Ok(());
    }
    let maps = docs.iter_mut().map(|d| &mut d.0).collect();
    fill(ctx, maps, only_fields, true).await
}

/// Put `last_metrics` (from the models' model events) into model documents when the projection
/// (`only_fields`, applied later) asks for it; models without scalars get none, as on clearml-server.
pub async fn add_model_last_metrics(
    ctx: &Ctx,
    docs: &mut [ModelDoc],
    only_fields: Option<&[String]>,
) -> Result<(), ApiError> {
    if docs.is_empty() || !wanted(only_fields) {
        return Ok(());
    }
    let maps = docs.iter_mut().map(|d| &mut d.0).collect();
    fill(ctx, maps, None, false).await
}

async fn fill(
    ctx: &Ctx,
    docs: Vec<&mut Map<String, Value>>,
    only_fields: Option<&[String]>,
    empty_too: bool,
) -> Result<(), ApiError> {
    let ids: Vec<String> = docs
        .iter()
        .filter_map(|d| d.get("id").and_then(Value::as_str).map(String::from))
        .collect();
    if ids.is_empty() {
        return Ok(());
    }
    let mut all = ctx.state.store.last_metrics(&ids).await?;
    for d in docs {
        let Some(id) = d.get("id").and_then(Value::as_str) else {
            continue;
        };
        let metrics = all.remove(id).unwrap_or_default();
        if metrics.is_empty() && !empty_too {
            continue;
        }
        let v = project(last_metrics_json(&metrics), only_fields);
        d.insert("last_metrics".into(), v);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lm(metric: &str, variant: &str, value: f64) -> LastMetric {
        LastMetric {
            metric: metric.into(),
            variant: variant.into(),
            value,
            min_value: value,
            min_value_iteration: 0,
            max_value: value,
            max_value_iteration: 0,
            first_value: value,
            first_value_iteration: 0,
            count: 1,
            mean_value: value,
            x_axis_label: None,
        }
    }

    #[test]
    fn shape_and_projection() {
        let full = last_metrics_json(&[lm("loss", "train", 0.5), lm("loss", "val", 0.7)]);
        let train = &full["81513effdf5790b79549208838404407"]["61b3a8faa9c1091806675c230a9abe64"];
        assert_eq!(train["value"], json!(0.5));
        assert_eq!(train["metric"], json!("loss"));
        assert!(train.get("x_axis_label").is_none());
        assert_eq!(last_metrics_json(&[]), json!({}));
        let f = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(wanted(None) && wanted(Some(&f(&["last_metrics"]))));
        assert!(wanted(Some(&f(&["id", "last_metrics.x"]))) && wanted(Some(&f(&["-name"]))));
        assert!(!wanted(Some(&f(&["name"]))) && !wanted(Some(&f(&["-last_metrics"]))));
        let path =
            "last_metrics.81513effdf5790b79549208838404407.61b3a8faa9c1091806675c230a9abe64.value";
        let p = project(full.clone(), Some(&f(&[path])));
        assert_eq!(
            p,
            json!({"81513effdf5790b79549208838404407": {"61b3a8faa9c1091806675c230a9abe64": {"value": 0.5}}})
        );
        assert_eq!(project(full.clone(), Some(&f(&["last_metrics"]))), full);
        assert_eq!(
            project(full.clone(), Some(&f(&["last_metrics.nope"]))),
            json!({})
        );
    }
}
