//! The SCALARS card of a task's INFO tab: the last, lowest and highest value of every reported scalar (and
//! single value), from the task's `last_metrics` summary in the store. The MODELS tab shows a model's own
//! scalars (model events) with the same rows.

use crate::Shared;
use crate::error::WebResult;
use askama::Template;
use trove_store::metrics::LastMetric;

/// `templates/scalars_card.html`; renders nothing for a task without scalars.
#[derive(Template)]
#[template(path = "scalars_card.html")]
pub(crate) struct ScalarsCard {
    rows: Vec<ScalarRow>,
}

/// One (metric, variant) with its values as text.
pub(crate) struct ScalarRow {
    pub(crate) metric: String,
    pub(crate) variant: String,
    pub(crate) last: String,
    pub(crate) min: String,
    pub(crate) max: String,
    pub(crate) count: i64,
}

/// A value as people read it: plain decimals in a usual range, scientific notation otherwise.
fn number(v: f64) -> String {
    let a = v.abs();
    if v == 0.0 || (1e-4..1e15).contains(&a) {
        let s = format!("{v:.6}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        if s == "-0" { "0".into() } else { s.into() }
    } else {
        format!("{v:e}")
    }
}

/// The rows of a task's or a model's `last_metrics`, in the store's order (metric, then variant).
pub(crate) fn rows(metrics: Vec<LastMetric>) -> Vec<ScalarRow> {
    metrics.into_iter().map(row).collect()
}

fn row(m: LastMetric) -> ScalarRow {
    ScalarRow {
        last: number(m.value),
        min: number(m.min_value),
        max: number(m.max_value),
        count: m.count,
        metric: m.metric,
        variant: m.variant,
    }
}

/// The card for task `id` (ordered by metric, then variant).
pub(crate) async fn scalars_card(state: &Shared, id: &str) -> WebResult<ScalarsCard> {
    let mut all = state.store.last_metrics(&[id.to_string()]).await?;
    let rows = rows(all.remove(id).unwrap_or_default());
    Ok(ScalarsCard { rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(number(0.0), "0");
        assert_eq!(number(99.0), "99");
        assert_eq!(number(0.125), "0.125");
        assert_eq!(number(-2.5), "-2.5");
        assert_eq!(number(1.0 / 3.0), "0.333333");
        assert_eq!(number(1e-7), "1e-7");
        assert_eq!(number(2e20), "2e20");
    }

    #[test]
    fn names_are_escaped() {
        let card = ScalarsCard {
            rows: vec![row(LastMetric {
                metric: "<b>".into(),
                variant: "a&b".into(),
                value: 1.0,
                min_value: 0.0,
                min_value_iteration: 0,
                max_value: 1.0,
                max_value_iteration: 1,
                first_value: 0.0,
                first_value_iteration: 0,
                count: 2,
                mean_value: 0.5,
                x_axis_label: None,
            })],
        };
        let html = card.to_string();
        assert!(
            html.contains("<td>&lt;b&gt;</td><td>a&amp;b</td>"),
            "{html}"
        );
        assert_eq!(ScalarsCard { rows: vec![] }.to_string(), "");
    }
}
