//! Operations on whole tasks beyond create/edit: `tasks.clone`, `tasks.update`, `tasks.archive`,
//! `tasks.unarchive_many`-style batches are not here; `tasks.get_types`, `tasks.move`.

use crate::{CallError, Validate, lenient, require, require_list};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// `tasks.clone`: a new `created` task copied from `task`, with optional overrides.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TasksCloneRequest {
    /// The task to copy (required).
    #[serde(deserialize_with = "lenient::string")]
    pub task: String,
    /// Name of the copy (default: the original's).
    #[serde(
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub new_task_name: Option<String>,
    /// Comment of the copy.
    #[serde(
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub new_task_comment: Option<String>,
    /// Tags of the copy.
    #[serde(
        deserialize_with = "lenient::opt_string_list",
        skip_serializing_if = "Option::is_none"
    )]
    pub new_task_tags: Option<Vec<String>>,
    /// System tags of the copy (default: the original's without `development` and `archived`).
    #[serde(
        deserialize_with = "lenient::opt_string_list",
        skip_serializing_if = "Option::is_none"
    )]
    pub new_task_system_tags: Option<Vec<String>>,
    /// Parent of the copy (default: the original's parent, else the original).
    #[serde(
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub new_task_parent: Option<String>,
    /// Project of the copy (id).
    #[serde(
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub new_task_project: Option<String>,
    /// Project of the copy by name (created if missing; ignored when `new_task_project` is given).
    #[serde(
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub new_project_name: Option<String>,
    /// Hyper-parameters replacing the original's.
    #[serde(
        deserialize_with = "lenient::opt_object",
        skip_serializing_if = "Option::is_none"
    )]
    pub new_task_hyperparams: Option<Map<String, Value>>,
    /// Configuration replacing the original's.
    #[serde(
        deserialize_with = "lenient::opt_object",
        skip_serializing_if = "Option::is_none"
    )]
    pub new_task_configuration: Option<Map<String, Value>>,
    /// Container settings replacing the original's.
    #[serde(
        deserialize_with = "lenient::opt_object",
        skip_serializing_if = "Option::is_none"
    )]
    pub new_task_container: Option<Map<String, Value>>,
    /// Fields merged into the copy's `execution` (`artifacts` replace the list).
    #[serde(
        deserialize_with = "lenient::opt_object",
        skip_serializing_if = "Option::is_none"
    )]
    pub execution_overrides: Option<Map<String, Value>>,
    /// Check that the parent and project exist.
    #[serde(
        deserialize_with = "lenient::flag",
        skip_serializing_if = "lenient::is_false"
    )]
    pub validate_references: bool,
}

impl Validate for TasksCloneRequest {
    fn validate(&self) -> Result<(), CallError> {
        require("task", &self.task)
    }
}

/// `{id, new_project?}` of `tasks.clone`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TasksCloneResponse {
    /// The copy's id.
    pub id: String,
    /// `{id, name}` when `new_project_name` named a project.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_project: Option<Map<String, Value>>,
}

/// `tasks.update`: name, comment, tags, system tags, project — allowed in any status.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TasksUpdateRequest {
    /// Task id (required).
    #[serde(deserialize_with = "lenient::string")]
    pub task: String,
    /// New name.
    #[serde(
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub name: Option<String>,
    /// New comment.
    #[serde(
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub comment: Option<String>,
    /// New tags.
    #[serde(
        deserialize_with = "lenient::opt_string_list",
        skip_serializing_if = "Option::is_none"
    )]
    pub tags: Option<Vec<String>>,
    /// New system tags.
    #[serde(
        deserialize_with = "lenient::opt_string_list",
        skip_serializing_if = "Option::is_none"
    )]
    pub system_tags: Option<Vec<String>>,
    /// New project id.
    #[serde(
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub project: Option<String>,
}

impl Validate for TasksUpdateRequest {
    fn validate(&self) -> Result<(), CallError> {
        require("task", &self.task)
    }
}

/// `tasks.archive {tasks, status_reason, status_message}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TasksArchiveRequest {
    /// Task ids (required).
    #[serde(
        deserialize_with = "lenient::opt_string_list",
        skip_serializing_if = "Option::is_none"
    )]
    pub tasks: Option<Vec<String>>,
    /// Status reason to set.
    #[serde(
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub status_reason: Option<String>,
    /// Status message to set.
    #[serde(
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub status_message: Option<String>,
}

impl Validate for TasksArchiveRequest {
    fn validate(&self) -> Result<(), CallError> {
        require_list("tasks", self.tasks.as_deref().unwrap_or_default())
    }
}

/// `{archived}` of `tasks.archive`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ArchivedResponse {
    /// How many tasks were archived.
    pub archived: u64,
}

/// `tasks.get_types {projects?}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TasksGetTypesRequest {
    /// Only tasks of these projects.
    #[serde(
        deserialize_with = "lenient::opt_string_list",
        skip_serializing_if = "Option::is_none"
    )]
    pub projects: Option<Vec<String>>,
}

impl Validate for TasksGetTypesRequest {}

/// `{types}` of `tasks.get_types`: the distinct types in use, sorted.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TypesResponse {
    /// Task types.
    pub types: Vec<String>,
}

/// `tasks.move {ids, project | project_name}`: `project: null` and no name moves the tasks to the root.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TasksMoveRequest {
    /// Task ids (required).
    #[serde(
        deserialize_with = "lenient::opt_string_list",
        skip_serializing_if = "Option::is_none"
    )]
    pub ids: Option<Vec<String>>,
    /// Target project id.
    #[serde(
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub project: Option<String>,
    /// Target project name (created if missing).
    #[serde(
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub project_name: Option<String>,
}

impl Validate for TasksMoveRequest {
    fn validate(&self) -> Result<(), CallError> {
        require_list("ids", self.ids.as_deref().unwrap_or_default())
    }
}

/// `{project_id}` of `tasks.move` (`null` for the root).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MoveResponse {
    /// Where the tasks went.
    pub project_id: Option<String>,
}
