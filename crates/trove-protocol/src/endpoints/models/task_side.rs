//! The task side of models (API 2.13+): `tasks.add_or_update_model`, `tasks.delete_models`.

use crate::{CallError, Validate, lenient, require, require_list};
use serde::{Deserialize, Serialize};

/// `tasks.add_or_update_model`: put `{name, model}` into the task's `models.input` or `models.output`,
/// replacing the entry of the same name.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AddOrUpdateModelRequest {
    /// Task id (required).
    #[serde(deserialize_with = "lenient::string")]
    pub task: String,
    /// The task's name for the model (required).
    #[serde(deserialize_with = "lenient::string")]
    pub name: String,
    /// Model id (required; not checked, as ClearML).
    #[serde(deserialize_with = "lenient::string")]
    pub model: String,
    /// `input` or `output` (required).
    #[serde(rename = "type", deserialize_with = "lenient::string")]
    pub kind: String,
    /// Raises the task's `last_iteration`.
    #[serde(
        deserialize_with = "lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub iteration: Option<i64>,
}

fn check_kind(kind: &str) -> Result<(), CallError> {
    if kind == "input" || kind == "output" {
        Ok(())
    } else {
        Err(CallError::validation(format!(
            "field 'type': must be 'input' or 'output', got {kind:?}"
        )))
    }
}

impl Validate for AddOrUpdateModelRequest {
    fn validate(&self) -> Result<(), CallError> {
        require("task", &self.task)?;
        require("name", &self.name)?;
        require("model", &self.model)?;
        require("type", &self.kind)?;
        check_kind(&self.kind)
    }
}

/// One `{name, type}` of `tasks.delete_models`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TaskModelRef {
    /// The task's name for the model.
    #[serde(deserialize_with = "lenient::string")]
    pub name: String,
    /// `input` or `output`.
    #[serde(rename = "type", deserialize_with = "lenient::string")]
    pub kind: String,
}

/// `tasks.delete_models {task, models: [{name, type}]}`; unknown names are ignored.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeleteModelsRequest {
    /// Task id (required).
    #[serde(deserialize_with = "lenient::string")]
    pub task: String,
    /// The entries to remove (at least one).
    #[serde(deserialize_with = "lenient::list")]
    pub models: Vec<TaskModelRef>,
}

impl Validate for DeleteModelsRequest {
    fn validate(&self) -> Result<(), CallError> {
        require("task", &self.task)?;
        require_list("models", &self.models)?;
        self.models.iter().try_for_each(|m| {
            require("models.name", &m.name)?;
            check_kind(&m.kind)
        })
    }
}
