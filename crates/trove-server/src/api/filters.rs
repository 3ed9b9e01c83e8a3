//! ClearML's list-field query language, for the `get_all` endpoints of tasks, projects and models
//! (clearml-server `database/model/base.py`: `NewListFieldBucketHelper`, `get_list_field_query`,
//! `ListQueryFilter`), evaluated on JSON documents.
//!
//! * [`ListQuery`]: a list of terms such as `["__$all", "dataset", "__$not", "archived"]`. Terms are read left
//!   to right; the context starts as OR and the global operator is the first operator seen (default AND).
//!   `__$all`/`__$and` set the context to AND, `__$any`/`__$or` to OR, `__$not` excludes the next value,
//!   `__$nop` resets the context (and re-enables the legacy `-x` exclusion, which any operator disables); a
//!   `null` term also matches documents whose field is missing or empty. Values land in three buckets — AND +
//!   include → must contain all, OR + include → must contain one, exclude → must contain none — combined with
//!   the global operator. Unknown `__$` operators and `__$not` without a value are 400/16.
//! * [`ListFilter`]: the `filters: {field: {any: {include, exclude}, all: {include, exclude}, op}}` parameter.
//!
//! Both apply to list fields (`tags`, `system_tags`) and to scalar fields (`id`, `type`, `status`, `project`,
//! `parent`, `user`, …) alike: a scalar is a one-value list, a missing or `null` field an empty one.

use crate::error::ApiError;
use serde_json::{Map, Value, json};
use trove_protocol::ResultCode;

/// A parsed list-field query (see the module docs).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListQuery {
    field: String,
    global_and: bool,
    all: Vec<String>,
    any: Vec<String>,
    none: Vec<String>,
    allow_empty: bool,
}

fn fields_error(field: &str, msg: &str, value: &str) -> ApiError {
    ApiError::new(
        ResultCode::FieldsValueError,
        format!("{msg} (field {field:?}: {value:?})"),
    )
    .with_data(json!({ "field": field, "value": value }))
}

impl ListQuery {
    /// Parse the terms given for `field` (`legacy`: whether `-x` means "exclude x" before any operator;
    /// clearml-server allows it for every list field).
    pub fn parse(field: &str, terms: &[Option<String>]) -> Result<Self, ApiError> {
        let mut q = ListQuery {
            field: field.to_string(),
            ..Default::default()
        };
        let mut global: Option<bool> = None;
        let mut context_and = false;
        let mut legacy = true;
        let mut negate = false;
        for term in terms {
            let Some(t) = term else {
                negate = false;
                global.get_or_insert(true);
                q.allow_empty = true;
                continue;
            };
            if t == "__$nop" {
                negate = false;
                global.get_or_insert(true);
                context_and = false;
                legacy = true;
                continue;
            }
            if let Some(op) = t.strip_prefix("__$") {
                if negate {
                    return Err(fields_error(field, "a value is expected after __$not", t));
                }
                let and = match op {
                    "not" => {
                        negate = true;
                        continue;
                    }
                    "all" | "and" => true,
                    "any" | "or" => false,
                    _ => return Err(fields_error(field, "unsupported operator", t)),
                };
                context_and = and;
                legacy = false;
                global.get_or_insert(and);
                continue;
            }
            global.get_or_insert(true);
            let (value, include) = if negate {
                negate = false;
                (t.clone(), false)
            } else if legacy && let Some(v) = t.strip_prefix('-') {
                if v.is_empty() {
                    return Err(fields_error(
                        field,
                        "missing value after the exclude prefix -",
                        t,
                    ));
                }
                (v.to_string(), false)
            } else {
                (t.clone(), true)
            };
            let bucket = match (include, context_and) {
                (false, _) => &mut q.none,
                (true, true) => &mut q.all,
                (true, false) => &mut q.any,
            };
            if !bucket.contains(&value) {
                bucket.push(value);
            }
        }
        if negate {
            return Err(fields_error(field, "a value is expected after __$not", ""));
        }
        q.global_and = global.unwrap_or(true);
        Ok(q)
    }

    /// Parse plain strings (no `null` terms).
    pub fn parse_strings(field: &str, terms: &[String]) -> Result<Self, ApiError> {
        let terms: Vec<Option<String>> = terms.iter().cloned().map(Some).collect();
        Self::parse(field, &terms)
    }

    /// The field this query is about.
    pub fn field(&self) -> &str {
        &self.field
    }

    /// The plain values when the query is a simple any-of list (no operators, exclusions or `null`): those a
    /// store can filter on directly.
    pub fn plain_any_of(&self) -> Option<&[String]> {
        (self.all.is_empty() && self.none.is_empty() && !self.allow_empty)
            .then_some(self.any.as_slice())
    }

    /// True if a field holding `have` (empty for missing) matches.
    pub fn matches(&self, have: &[String]) -> bool {
        let mut parts = Vec::with_capacity(3);
        if !self.all.is_empty() {
            parts.push(self.all.iter().all(|v| have.contains(v)));
        }
        if !self.any.is_empty() {
            parts.push(self.any.iter().any(|v| have.contains(v)));
        }
        if !self.none.is_empty() {
            parts.push(self.none.iter().all(|v| !have.contains(v)));
        }
        let base = if parts.is_empty() {
            // `[null]` alone: only empty fields; `[]`: everything.
            !self.allow_empty
        } else if self.global_and {
            parts.iter().all(|p| *p)
        } else {
            parts.iter().any(|p| *p)
        };
        base || (self.allow_empty && have.is_empty())
    }

    /// True if the document's field (a dotted path) matches.
    pub fn matches_doc(&self, doc: &Map<String, Value>) -> bool {
        self.matches(&values_at(doc, &self.field))
    }
}

/// The values of a (dotted) field of a document as strings: a list's items, a scalar as one value, nothing
/// for a missing or `null` field.
pub fn values_at(doc: &Map<String, Value>, path: &str) -> Vec<String> {
    let mut parts = path.split('.');
    let Some(first) = parts.next().and_then(|p| doc.get(p)) else {
        return Vec::new();
    };
    let Some(v) = parts.try_fold(first, |cur, p| cur.get(p)) else {
        return Vec::new();
    };
    let one = |v: &Value| match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Object(o) => o.get("id").and_then(Value::as_str).map(str::to_string),
        other => Some(other.to_string()),
    };
    match v {
        Value::Array(items) => items.iter().filter_map(one).collect(),
        other => one(other).into_iter().collect(),
    }
}

/// One part (`any` or `all`) of a [`ListFilter`].
#[derive(Debug, Clone, Default, PartialEq)]
struct Part {
    include: Vec<Option<String>>,
    exclude: Vec<Option<String>>,
}

/// The `filters` parameter for one field: `{any: {include, exclude}, all: {include, exclude}, op: and|or}`.
/// `any`: include = contains one of them, exclude = lacks at least one of them, the two OR-ed; `all`: include
/// = contains every one, exclude = contains none, AND-ed; `null` in a list stands for "empty" (include) or
/// "not empty" (exclude); `any` and `all` are combined with `op` (default `and`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListFilter {
    field: String,
    any: Option<Part>,
    all: Option<Part>,
    or: bool,
}

fn strings_or_nulls(field: &str, v: &Value) -> Result<Vec<Option<String>>, ApiError> {
    let bad = || {
        ApiError::validation(format!(
            "filters.{field}: include/exclude must be lists of strings or null"
        ))
    };
    match v {
        Value::Null => Ok(Vec::new()),
        Value::String(s) => Ok(vec![Some(s.clone())]),
        Value::Array(items) => items
            .iter()
            .map(|i| match i {
                Value::Null => Ok(None),
                Value::String(s) => Ok(Some(s.clone())),
                _ => Err(bad()),
            })
            .collect(),
        _ => Err(bad()),
    }
}

impl ListFilter {
    /// Parse the `filters` value of one field (400/12 for anything but the documented keys).
    pub fn parse(field: &str, v: &Value) -> Result<Self, ApiError> {
        let Value::Object(m) = v else {
            return Err(ApiError::validation(format!(
                "filters.{field}: invalid filter for field, dictionary expected"
            )));
        };
        let mut f = ListFilter {
            field: field.to_string(),
            ..Default::default()
        };
        for (k, v) in m {
            match k.as_str() {
                "op" => match v.as_str() {
                    Some("and") => f.or = false,
                    Some("or") => f.or = true,
                    _ => {
                        return Err(ApiError::validation(format!(
                            "filters.{field}.op must be \"and\" or \"or\""
                        )));
                    }
                },
                "any" | "all" => {
                    let part = match v {
                        Value::Null => continue,
                        Value::Object(p) => {
                            let mut part = Part::default();
                            for (pk, pv) in p {
                                match pk.as_str() {
                                    "include" => part.include = strings_or_nulls(field, pv)?,
                                    "exclude" => part.exclude = strings_or_nulls(field, pv)?,
                                    other => {
                                        return Err(ApiError::validation(format!(
                                            "filters.{field}.{k}: unknown key {other:?} (use include, exclude)"
                                        )));
                                    }
                                }
                            }
                            part
                        }
                        _ => {
                            return Err(ApiError::validation(format!(
                                "filters.{field}.{k} must be an object"
                            )));
                        }
                    };
                    if k == "any" {
                        f.any = Some(part);
                    } else {
                        f.all = Some(part);
                    }
                }
                other => {
                    return Err(ApiError::validation(format!(
                        "filters.{field}: unknown condition {other:?} (use any, all, op)"
                    )));
                }
            }
        }
        Ok(f)
    }

    /// Parse a whole `filters` object.
    pub fn parse_all(filters: &Map<String, Value>) -> Result<Vec<Self>, ApiError> {
        filters.iter().map(|(k, v)| Self::parse(k, v)).collect()
    }

    fn part_result(part: &Part, have: &[String], any: bool) -> Option<bool> {
        let mut ops: Vec<bool> = Vec::new();
        for (vals, include) in [(&part.include, true), (&part.exclude, false)] {
            if vals.is_empty() {
                continue;
            }
            let values: Vec<&String> = vals.iter().flatten().collect();
            if vals.iter().any(Option::is_none) {
                ops.push(have.is_empty() == include);
            }
            if values.is_empty() {
                continue;
            }
            ops.push(match (any, include) {
                (true, true) => values.iter().any(|v| have.contains(v)),
                (true, false) => !values.iter().all(|v| have.contains(v)),
                (false, true) => values.iter().all(|v| have.contains(v)),
                (false, false) => values.iter().all(|v| !have.contains(v)),
            });
        }
        if ops.is_empty() {
            None
        } else if any {
            Some(ops.iter().any(|o| *o))
        } else {
            Some(ops.iter().all(|o| *o))
        }
    }

    /// True if a field holding `have` matches.
    pub fn matches(&self, have: &[String]) -> bool {
        let results: Vec<bool> = [(&self.any, true), (&self.all, false)]
            .into_iter()
            .filter_map(|(p, any)| p.as_ref().and_then(|p| Self::part_result(p, have, any)))
            .collect();
        if results.is_empty() {
            true
        } else if self.or {
            results.iter().any(|r| *r)
        } else {
            results.iter().all(|r| *r)
        }
    }

    /// True if the document's field matches.
    pub fn matches_doc(&self, doc: &Map<String, Value>) -> bool {
        self.matches(&values_at(doc, &self.field))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(terms: &[Option<&str>]) -> ListQuery {
        let t: Vec<Option<String>> = terms.iter().map(|t| t.map(str::to_string)).collect();
        ListQuery::parse("tags", &t).unwrap()
    }

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn operators_bucket_values() {
        let ds = q(&[
            Some("__$all"),
            Some("dataset"),
            Some("__$not"),
            Some("archived"),
        ]);
        assert!(ds.matches(&s(&["dataset", "x"])));
        assert!(!ds.matches(&s(&["dataset", "archived"])));
        assert!(!ds.matches(&s(&["x"])));
        let legacy = q(&[Some("dataset"), Some("-archived")]);
        assert!(legacy.matches(&s(&["dataset"])));
        assert!(!legacy.matches(&s(&["dataset", "archived"])));
        let neither = q(&[Some("-a"), Some("-b")]);
        assert!(neither.matches(&s(&[])));
        assert!(!neither.matches(&s(&["b"])));
        // (no t1) OR (has t2)
        let or = q(&[Some("__$any"), Some("__$not"), Some("t1"), Some("t2")]);
        assert!(or.matches(&s(&[])));
        assert!(or.matches(&s(&["t1", "t2"])));
        assert!(!or.matches(&s(&["t1"])));
        // after an operator "-x" is a literal value
        let lit = q(&[Some("__$any"), Some("-x")]);
        assert!(lit.matches(&s(&["-x"])));
        // types: none of these
        let types = q(&[Some("__$not"), Some("a"), Some("__$not"), Some("b")]);
        assert!(types.matches(&s(&["training"])));
        assert!(!types.matches(&s(&["b"])));
    }

    #[test]
    fn null_means_empty() {
        let only_empty = q(&[None]);
        assert!(only_empty.matches(&[]));
        assert!(!only_empty.matches(&s(&["a"])));
        let a_or_empty = q(&[Some("a"), None]);
        assert!(a_or_empty.matches(&[]));
        assert!(a_or_empty.matches(&s(&["a"])));
        assert!(!a_or_empty.matches(&s(&["b"])));
        assert!(q(&[]).matches(&s(&["z"])));
    }

    #[test]
    fn bad_operators_are_400_16() {
        for terms in [
            vec![Some("__$bad")],
            vec![Some("__$not")],
            vec![Some("__$not"), Some("__$all")],
        ] {
            let t: Vec<Option<String>> = terms.iter().map(|t| t.map(str::to_string)).collect();
            let e = ListQuery::parse("tags", &t).unwrap_err();
            assert_eq!(e.code(), ResultCode::FieldsValueError);
        }
    }

    #[test]
    fn filters_any_all() {
        let f = |v: Value| ListFilter::parse("tags", &v).unwrap();
        let test = s(&["test"]);
        let none: Vec<String> = vec![];
        let cases = [
            (json!({"any": {"include": [null]}}), false, true),
            (json!({"any": {"include": ["test"]}}), true, false),
            (json!({"any": {"include": ["test", null]}}), true, true),
            (json!({"any": {"exclude": [null]}}), true, false),
            (json!({"any": {"exclude": ["test"]}}), false, true),
            (json!({"any": {"exclude": ["test", null]}}), true, true),
            (json!({"all": {"include": [null]}}), false, true),
            (json!({"all": {"include": ["test"]}}), true, false),
            (json!({"all": {"include": ["test", null]}}), false, false),
            (json!({"all": {"exclude": [null]}}), true, false),
            (json!({"all": {"exclude": ["test"]}}), false, true),
            (json!({"all": {"exclude": ["test", null]}}), false, false),
        ];
        for (spec, with, without) in cases {
            let flt = f(spec.clone());
            assert_eq!(flt.matches(&test), with, "{spec} on [test]");
            assert_eq!(flt.matches(&none), without, "{spec} on []");
        }
        assert_eq!(
            ListFilter::parse("tags", &json!({"test": ["1"]}))
                .unwrap_err()
                .code(),
            ResultCode::ValidationError
        );
    }
}
