//! Legacy parameter fields (clearml-server `bll/task/param_utils.py::params_prepare_for_save`): a task
//! create/edit carrying `execution.parameters` (`{name: value}`) or `execution.model_desc` stores them as
//! hyper-parameters of section `Args` (`TF_DEFINE/x` → section `TF_DEFINE`, name `x`) and configuration items,
//! with `type: "legacy"` and the value as a string; the legacy fields themselves are not stored. When only the
//! legacy field is given, the task's previous legacy entries are replaced and the others kept.
//!
//! Legacy model fields (clearml-server `services/utils.py::ModelsBackwardsCompatibility`, API < 2.13):
//! `execution.model` becomes `models.input = [{name: "Input Model", model, updated}]` and `output.model`
//! `models.output = [{name: "Output Model", …}]` (an empty id clears the list). trove accepts them from any
//! API version (lenient input) and, as for parameters, never answers them back.

use serde_json::{Map, Value, json};
use trove_core::timefmt::now_iso;

/// The name clearml-server gives a model reference made from `execution.model` / a clone's override.
pub const INPUT_MODEL_NAME: &str = "Input Model";
/// The name clearml-server gives a model reference made from `output.model`.
pub const OUTPUT_MODEL_NAME: &str = "Output Model";

/// A task's model list holding only `model` under `name` (empty when `model` is empty).
pub fn model_list(name: &str, model: &str) -> Value {
    if model.is_empty() {
        json!([])
    } else {
        json!([{"name": name, "model": model, "updated": now_iso()}])
    }
}

/// Move `execution.model` / `output.model` of a create/edit document into `models.input` / `models.output`.
pub fn convert_models(doc: &mut Map<String, Value>) {
    for (field, kind, name) in [
        ("execution", "input", INPUT_MODEL_NAME),
        ("output", "output", OUTPUT_MODEL_NAME),
    ] {
        let Some(Value::Object(holder)) = doc.get_mut(field) else {
            continue;
        };
        let Some(value) = holder.remove("model") else {
            continue;
        };
        let id = match &value {
            Value::String(s) => s.clone(),
            Value::Null => String::new(),
            other => other.to_string(),
        };
        let mut models = object(doc.get("models"));
        models.insert(kind.into(), model_list(name, &id));
        doc.insert("models".into(), Value::Object(models));
    }
}

const ARGS: &str = "Args";
const TF_DEFINE: &str = "TF_DEFINE";
const LEGACY: &str = "legacy";

/// Python's `str(value)`, as clearml-server stores legacy values.
fn py_str(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Null => "None".into(),
        other => other.to_string(),
    }
}

fn object(v: Option<&Value>) -> Map<String, Value> {
    match v {
        Some(Value::Object(m)) => m.clone(),
        _ => Map::new(),
    }
}

fn is_legacy(item: &Value) -> bool {
    item.get("type").and_then(Value::as_str) == Some(LEGACY)
}

/// Move `execution.parameters` / `execution.model_desc` of a create/edit document into `hyperparams` /
/// `configuration`; `previous` is the stored document of an edited task.
pub fn convert(doc: &mut Map<String, Value>, previous: Option<&Map<String, Value>>) {
    let Some(Value::Object(exec)) = doc.get_mut("execution") else {
        return;
    };
    let params = exec.remove("parameters");
    let model_desc = exec.remove("model_desc");
    if let Some(Value::Object(params)) = params {
        let mut hp = match (doc.get("hyperparams"), previous) {
            (Some(Value::Object(given)), _) => given.clone(),
            (_, Some(prev)) => {
                let mut hp = object(prev.get("hyperparams"));
                for section in hp.values_mut() {
                    if let Value::Object(items) = section {
                        items.retain(|_, item| !is_legacy(item));
                    }
                }
                hp.retain(|_, s| s.as_object().is_none_or(|o| !o.is_empty()));
                hp
            }
            _ => Map::new(),
        };
        for (full, value) in params {
            let (section, name) = match full.split_once('/') {
                Some((TF_DEFINE, name)) if !name.is_empty() => (TF_DEFINE, name.to_string()),
                _ => (ARGS, full.clone()),
            };
            let mut sec = object(hp.get(section));
            sec.insert(
                name.clone(),
                json!({"section": section, "name": name, "value": py_str(&value), "type": LEGACY}),
            );
            hp.insert(section.to_string(), Value::Object(sec));
        }
        doc.insert("hyperparams".into(), Value::Object(hp));
    }
    if let Some(Value::Object(desc)) = model_desc {
        let mut conf = match (doc.get("configuration"), previous) {
            (Some(Value::Object(given)), _) => given.clone(),
            (_, Some(prev)) => {
                let mut c = object(prev.get("configuration"));
                c.retain(|_, item| !is_legacy(item));
                c
            }
            _ => Map::new(),
        };
        for (name, value) in desc {
            conf.insert(
                name.clone(),
                json!({"name": name, "value": py_str(&value), "type": LEGACY}),
            );
        }
        doc.insert("configuration".into(), Value::Object(conf));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_model_fields_become_model_lists() {
        let mut doc = json!({"execution": {"model": "m1", "framework": "f"}, "output": {"model": ""},
            "models": {"output": [{"name": "x", "model": "old"}]}});
        let doc = doc.as_object_mut().unwrap();
        convert_models(doc);
        assert_eq!(doc["execution"], json!({"framework": "f"}));
        assert_eq!(doc["output"], json!({}));
        assert_eq!(doc["models"]["input"][0]["model"], "m1");
        assert_eq!(doc["models"]["input"][0]["name"], INPUT_MODEL_NAME);
        assert_eq!(doc["models"]["output"], json!([]));
    }

    #[test]
    fn legacy_fields_become_sections() {
        let mut doc = json!({"execution": {"parameters": {"a$1": "v", "TF_DEFINE/x": 2, "b/c": true},
            "model_desc": {"design": "hello"}, "framework": "f"}});
        let doc = doc.as_object_mut().unwrap();
        convert(doc, None);
        assert_eq!(doc["execution"], json!({"framework": "f"}));
        assert_eq!(
            doc["hyperparams"]["Args"]["b/c"],
            json!({"section": "Args", "name": "b/c", "value": "True", "type": "legacy"})
        );
        assert_eq!(doc["hyperparams"]["TF_DEFINE"]["x"]["value"], "2");
        assert_eq!(
            doc["configuration"]["design"],
            json!({"name": "design", "value": "hello", "type": "legacy"})
        );
    }
}
