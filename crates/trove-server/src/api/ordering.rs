//! `order_by` as clearml-server applies it (`database/model/base.py::_get_many_override_none_ordering`): keys
//! `field` / `-field` (dotted, `%2E` escapes a dot inside a key); for the **first** key, missing, `null` and
//! empty values (`""`, `[]`, `{}`) come last in both directions; values under `hyperparams.`,
//! `execution.parameters.` and `last_metrics.` compare with numeric collation (`"2"` < `"11"`); the id is the
//! final tie-breaker, so paging is stable.

use super::present::value_at;
use serde_json::{Map, Value};
use std::cmp::Ordering;

/// Prefixes whose strings compare numerically where they hold numbers (clearml-server's collation overrides).
const NUMERIC_PREFIXES: &[&str] = &["hyperparams.", "execution.parameters.", "last_metrics."];

fn is_empty(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.is_empty(),
        Some(Value::Array(a)) => a.is_empty(),
        Some(Value::Object(o)) => o.is_empty(),
        _ => false,
    }
}

/// A hyper-parameter item (`{section, name, value, …}`) sorts by its value.
fn sort_value(v: Option<&Value>) -> Option<&Value> {
    match v {
        Some(Value::Object(o)) if o.contains_key("value") => o.get("value"),
        other => other,
    }
}

/// Strings compared with digit runs as numbers ("a2" < "a11"), numbers-as-strings as numbers.
fn natural_cmp(a: &str, b: &str) -> Ordering {
    if let (Ok(x), Ok(y)) = (a.trim().parse::<f64>(), b.trim().parse::<f64>()) {
        return x.partial_cmp(&y).unwrap_or(Ordering::Equal);
    }
    let (mut i, mut j) = (a.chars().peekable(), b.chars().peekable());
    loop {
        match (i.peek().copied(), j.peek().copied()) {
            (None, None) => return Ordering::Equal,
            (None, _) => return Ordering::Less,
            (_, None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let take = |it: &mut std::iter::Peekable<std::str::Chars>| {
                    let mut n = String::new();
                    while let Some(c) = it.peek().copied().filter(char::is_ascii_digit) {
                        n.push(c);
                        it.next();
                    }
                    n
                };
                let (nx, ny) = (take(&mut i), take(&mut j));
                let (tx, ty) = (nx.trim_start_matches('0'), ny.trim_start_matches('0'));
                let c = tx.len().cmp(&ty.len()).then_with(|| tx.cmp(ty));
                if c != Ordering::Equal {
                    return c;
                }
            }
            (Some(x), Some(y)) => {
                if x != y {
                    return x.cmp(&y);
                }
                i.next();
                j.next();
            }
        }
    }
}

/// MongoDB's order of types, roughly: null < numbers < strings < objects < arrays < booleans.
fn type_rank(v: &Value) -> u8 {
    match v {
        Value::Null => 0,
        Value::Number(_) => 1,
        Value::String(_) => 2,
        Value::Object(_) => 3,
        Value::Array(_) => 4,
        Value::Bool(_) => 5,
    }
}

/// Compare two field values (`None` = missing, ranked as `null`).
pub fn cmp_values(a: Option<&Value>, b: Option<&Value>, numeric: bool) -> Ordering {
    let null = Value::Null;
    let (a, b) = (a.unwrap_or(&null), b.unwrap_or(&null));
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .unwrap_or(0.0)
            .partial_cmp(&y.as_f64().unwrap_or(0.0))
            .unwrap_or(Ordering::Equal),
        (Value::String(x), Value::String(y)) if numeric => natural_cmp(x, y),
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (x, y) if type_rank(x) != type_rank(y) => type_rank(x).cmp(&type_rank(y)),
        (x, y) => x.to_string().cmp(&y.to_string()),
    }
}

/// Sort documents by ClearML `order_by` keys; `doc` gives each item's document.
pub fn order_by<T>(items: &mut [T], order: &[String], doc: impl Fn(&T) -> &Map<String, Value>) {
    let keys: Vec<(bool, &str, bool)> = order
        .iter()
        .filter(|o| !o.is_empty() && !o.starts_with('$') && !o.starts_with("-$"))
        .map(|o| {
            let (desc, field) = match o.strip_prefix('-') {
                Some(f) => (true, f),
                None => (false, o.trim_start_matches('+')),
            };
            let numeric = NUMERIC_PREFIXES.iter().any(|p| field.starts_with(p));
            (desc, field, numeric)
        })
        .collect();
    items.sort_by(|a, b| {
        let (a, b) = (doc(a), doc(b));
        for (i, (desc, field, numeric)) in keys.iter().enumerate() {
            let (va, vb) = (
                sort_value(value_at(a, field)),
                sort_value(value_at(b, field)),
            );
            if i == 0 {
                match (is_empty(va), is_empty(vb)) {
                    (true, false) => return Ordering::Greater,
                    (false, true) => return Ordering::Less,
                    _ => {}
                }
            }
            let c = cmp_values(va, vb, *numeric);
            let c = if *desc { c.reverse() } else { c };
            if c != Ordering::Equal {
                return c;
            }
        }
        let id = |m: &Map<String, Value>| m.get("id").and_then(Value::as_str).map(str::to_string);
        id(a).cmp(&id(b))
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn docs(v: Value) -> Vec<Map<String, Value>> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_object().cloned().unwrap())
            .collect()
    }

    fn ids(d: &[Map<String, Value>]) -> Vec<&str> {
        d.iter().map(|m| m["id"].as_str().unwrap()).collect()
    }

    #[test]
    fn empties_last_both_ways_and_numeric_params() {
        let mut d = docs(json!([
            {"id": "a", "started": null}, {"id": "b", "started": "2024-02"}, {"id": "c", "started": "2024-01"},
            {"id": "d", "comment": ""}
        ]));
        order_by(&mut d, &["started".into()], |m| m);
        assert_eq!(ids(&d), ["c", "b", "a", "d"]);
        order_by(&mut d, &["-started".into()], |m| m);
        assert_eq!(ids(&d), ["b", "c", "a", "d"]);
        let mut d = docs(json!([
            {"id": "1", "hyperparams": {"s": {"p": {"value": "11"}}}},
            {"id": "2", "hyperparams": {"s": {"p": {"value": "2"}}}},
            {"id": "3", "hyperparams": {"s": {"p": {"value": "1"}}}}
        ]));
        order_by(&mut d, &["hyperparams.s.p".into()], |m| m);
        assert_eq!(ids(&d), ["3", "2", "1"]);
        order_by(&mut d, &["-hyperparams.s.p.value".into()], |m| m);
        assert_eq!(ids(&d), ["1", "2", "3"]);
    }

    #[test]
    fn natural_order() {
        assert_eq!(natural_cmp("a2", "a11"), Ordering::Less);
        assert_eq!(natural_cmp("10", "9"), Ordering::Greater);
        assert_eq!(natural_cmp("b", "a"), Ordering::Greater);
    }
}
