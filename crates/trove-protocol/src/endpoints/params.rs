//! Hyper-parameters and configuration objects of tasks: `tasks.get_hyper_params`, `tasks.edit_hyper_params`,
//! `tasks.delete_hyper_params`, `tasks.get_configurations`, `tasks.get_configuration_names`,
//! `tasks.edit_configuration`, `tasks.delete_configuration`. Items stay JSON objects: ClearML leaves their
//! contents open (`section`, `name`, `value`, `type`, `description`, …).

use crate::{CallError, Validate, lenient, require};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

fn task_ids(tasks: &Option<Vec<String>>, task: &Option<Vec<String>>) -> Vec<String> {
    tasks
        .as_ref()
        .or(task.as_ref())
        .cloned()
        .unwrap_or_default()
}

fn require_ids(tasks: &Option<Vec<String>>, task: &Option<Vec<String>>) -> Result<(), CallError> {
    if tasks.is_none() && task.is_none() {
        return Err(CallError::missing_field("tasks"));
    }
    Ok(())
}

/// `{tasks}` (or `{task}`): the tasks a read is about.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TaskIds {
    /// Task ids.
    #[serde(
        deserialize_with = "lenient::opt_string_list",
        skip_serializing_if = "Option::is_none"
    )]
    pub tasks: Option<Vec<String>>,
    /// Task ids (when `tasks` is not given).
    #[serde(
        deserialize_with = "lenient::opt_string_list",
        skip_serializing_if = "Option::is_none"
    )]
    pub task: Option<Vec<String>>,
}

impl TaskIds {
    /// The ids asked for: `tasks`, else `task`.
    pub fn ids(&self) -> Vec<String> {
        task_ids(&self.tasks, &self.task)
    }
}

impl Validate for TaskIds {
    fn validate(&self) -> Result<(), CallError> {
        require_ids(&self.tasks, &self.task)
    }
}

/// `{params: [{task, hyperparams}]}` of `tasks.get_hyper_params`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct HyperParamsResponse {
    /// One entry per task asked for.
    pub params: Vec<TaskHyperParams>,
}

/// The hyper-parameters of one task.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TaskHyperParams {
    /// Task id.
    pub task: String,
    /// `{section, name, value, …}` items.
    pub hyperparams: Vec<Map<String, Value>>,
}

/// `tasks.edit_hyper_params {task, hyperparams, replace_hyperparams: none|section|all, force}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EditHyperParamsRequest {
    /// Task id (required).
    #[serde(deserialize_with = "lenient::string")]
    pub task: String,
    /// Allow a task that is not `created`.
    #[serde(
        deserialize_with = "lenient::flag",
        skip_serializing_if = "lenient::is_false"
    )]
    pub force: bool,
    /// `none` (default), `section` or `all`.
    #[serde(
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub replace_hyperparams: Option<String>,
    /// `{section, name, value, …}` items (`name` required per item).
    #[serde(
        deserialize_with = "lenient::opt_list",
        skip_serializing_if = "Option::is_none"
    )]
    pub hyperparams: Option<Vec<Value>>,
}

impl Validate for EditHyperParamsRequest {
    fn validate(&self) -> Result<(), CallError> {
        require("task", &self.task)
    }
}

/// `tasks.delete_hyper_params {task, hyperparams: [{section, name?}], force}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeleteHyperParamsRequest {
    /// Task id (required).
    #[serde(deserialize_with = "lenient::string")]
    pub task: String,
    /// Allow a task that is not `created`.
    #[serde(
        deserialize_with = "lenient::flag",
        skip_serializing_if = "lenient::is_false"
    )]
    pub force: bool,
    /// `{section}` deletes a section, `{section, name}` one parameter.
    #[serde(
        deserialize_with = "lenient::opt_list",
        skip_serializing_if = "Option::is_none"
    )]
    pub hyperparams: Option<Vec<Value>>,
}

impl Validate for DeleteHyperParamsRequest {
    fn validate(&self) -> Result<(), CallError> {
        require("task", &self.task)
    }
}

/// `tasks.get_configurations {tasks, names?}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GetConfigurationsRequest {
    /// Task ids.
    #[serde(
        deserialize_with = "lenient::opt_string_list",
        skip_serializing_if = "Option::is_none"
    )]
    pub tasks: Option<Vec<String>>,
    /// Task ids (when `tasks` is not given).
    #[serde(
        deserialize_with = "lenient::opt_string_list",
        skip_serializing_if = "Option::is_none"
    )]
    pub task: Option<Vec<String>>,
    /// Only these configuration names.
    #[serde(
        deserialize_with = "lenient::opt_string_list",
        skip_serializing_if = "Option::is_none"
    )]
    pub names: Option<Vec<String>>,
}

impl GetConfigurationsRequest {
    /// The ids asked for: `tasks`, else `task`.
    pub fn ids(&self) -> Vec<String> {
        task_ids(&self.tasks, &self.task)
    }
}

impl Validate for GetConfigurationsRequest {
    fn validate(&self) -> Result<(), CallError> {
        require_ids(&self.tasks, &self.task)
    }
}

/// `{configurations: [{task, configurations}]}` of `tasks.get_configurations`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ConfigurationsResponse {
    /// One entry per task asked for.
    pub configurations: Vec<TaskConfigurations>,
}

/// The configuration objects of one task.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TaskConfigurations {
    /// Task id.
    pub task: String,
    /// `{name, value, type, description}` items, sorted by name (ClearML's key is `configuration`).
    #[serde(rename = "configuration", alias = "configurations")]
    pub configurations: Vec<Map<String, Value>>,
}

/// `tasks.get_configuration_names {tasks, skip_empty}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ConfigurationNamesRequest {
    /// Task ids.
    #[serde(
        deserialize_with = "lenient::opt_string_list",
        skip_serializing_if = "Option::is_none"
    )]
    pub tasks: Option<Vec<String>>,
    /// Task ids (when `tasks` is not given).
    #[serde(
        deserialize_with = "lenient::opt_string_list",
        skip_serializing_if = "Option::is_none"
    )]
    pub task: Option<Vec<String>>,
    /// Leave out items whose value is empty (default true, as ClearML).
    #[serde(
        deserialize_with = "lenient::opt_flag",
        skip_serializing_if = "Option::is_none"
    )]
    pub skip_empty: Option<bool>,
}

impl ConfigurationNamesRequest {
    /// The ids asked for: `tasks`, else `task`.
    pub fn ids(&self) -> Vec<String> {
        task_ids(&self.tasks, &self.task)
    }
}

impl Validate for ConfigurationNamesRequest {
    fn validate(&self) -> Result<(), CallError> {
        require_ids(&self.tasks, &self.task)
    }
}

/// `{configurations: [{task, names}]}` of `tasks.get_configuration_names`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ConfigurationNamesResponse {
    /// One entry per task asked for.
    pub configurations: Vec<TaskConfigurationNames>,
}

/// The configuration names of one task.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TaskConfigurationNames {
    /// Task id.
    pub task: String,
    /// Names.
    pub names: Vec<String>,
}

/// `tasks.edit_configuration {task, configuration: [{name, value, type, description}], replace_configuration}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EditConfigurationRequest {
    /// Task id (required).
    #[serde(deserialize_with = "lenient::string")]
    pub task: String,
    /// Allow a task that is not `created`.
    #[serde(
        deserialize_with = "lenient::flag",
        skip_serializing_if = "lenient::is_false"
    )]
    pub force: bool,
    /// Replace all configuration objects instead of merging by name.
    #[serde(
        deserialize_with = "lenient::flag",
        skip_serializing_if = "lenient::is_false"
    )]
    pub replace_configuration: bool,
    /// Items (`name` required per item).
    #[serde(
        deserialize_with = "lenient::opt_list",
        skip_serializing_if = "Option::is_none"
    )]
    pub configuration: Option<Vec<Value>>,
}

impl Validate for EditConfigurationRequest {
    fn validate(&self) -> Result<(), CallError> {
        require("task", &self.task)
    }
}

/// `tasks.delete_configuration {task, configuration: [names], force}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeleteConfigurationRequest {
    /// Task id (required).
    #[serde(deserialize_with = "lenient::string")]
    pub task: String,
    /// Allow a task that is not `created`.
    #[serde(
        deserialize_with = "lenient::flag",
        skip_serializing_if = "lenient::is_false"
    )]
    pub force: bool,
    /// Names to delete.
    #[serde(
        deserialize_with = "lenient::opt_string_list",
        skip_serializing_if = "Option::is_none"
    )]
    pub configuration: Option<Vec<String>>,
}

impl Validate for DeleteConfigurationRequest {
    fn validate(&self) -> Result<(), CallError> {
        require("task", &self.task)
    }
}
