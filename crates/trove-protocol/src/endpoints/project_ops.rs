//! Deleting projects: `projects.validate_delete`, `projects.delete`.

use super::Urls;
use crate::{CallError, Validate, lenient, require};
use serde::{Deserialize, Serialize};

/// `projects.delete {project, force, delete_contents}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProjectsDeleteRequest {
    /// Project id (required).
    #[serde(deserialize_with = "lenient::string")]
    pub project: String,
    /// Delete even with non-archived tasks, models, datasets or pipelines in it.
    #[serde(
        deserialize_with = "lenient::flag",
        skip_serializing_if = "lenient::is_false"
    )]
    pub force: bool,
    /// Delete the tasks (and models) too instead of moving them to the root.
    #[serde(
        deserialize_with = "lenient::flag",
        skip_serializing_if = "lenient::is_false"
    )]
    pub delete_contents: bool,
}

impl Validate for ProjectsDeleteRequest {
    fn validate(&self) -> Result<(), CallError> {
        require("project", &self.project)
    }
}

/// The answer of `projects.delete`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProjectsDeleteResponse {
    /// Projects deleted (the project and its sub-projects).
    pub deleted: u64,
    /// Tasks moved to the root.
    pub disassociated_tasks: u64,
    /// Models deleted.
    pub deleted_models: u64,
    /// Tasks deleted.
    pub deleted_tasks: u64,
    /// With `delete_contents`: what the deleted tasks' output artifacts (and models) pointed to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub urls: Option<Urls>,
}

/// The answer of `projects.validate_delete`: what a delete would meet (in the project and its sub-projects).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ValidateDeleteResponse {
    /// Dataset projects with non-archived versions.
    pub datasets: u64,
    /// Pipeline projects with non-archived controllers.
    pub pipelines: u64,
    /// Tasks (reports excluded).
    pub tasks: u64,
    /// Non-archived tasks.
    pub non_archived_tasks: u64,
    /// Models.
    pub models: u64,
    /// Non-archived models.
    pub non_archived_models: u64,
    /// Reports.
    pub reports: u64,
    /// Non-archived reports.
    pub non_archived_reports: u64,
}

/// `projects.get_task_parents {projects?, include_subprojects, tasks_state?, task_name?}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GetTaskParentsRequest {
    /// Only children in these projects (all when absent or empty).
    #[serde(
        deserialize_with = "lenient::opt_string_list",
        skip_serializing_if = "Option::is_none"
    )]
    pub projects: Option<Vec<String>>,
    /// Also children in sub-projects of `projects`.
    #[serde(
        deserialize_with = "lenient::flag",
        skip_serializing_if = "lenient::is_false"
    )]
    pub include_subprojects: bool,
    /// `active` or `archived`: only parents of such children.
    #[serde(
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub tasks_state: Option<String>,
    /// Parent name filter, a Python regex (searched).
    #[serde(
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub task_name: Option<String>,
}

impl Validate for GetTaskParentsRequest {}

/// `{parents: [{id, name, project?: {id, name}}]}`, sorted by name.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TaskParentsResponse {
    /// The distinct parent tasks.
    pub parents: Vec<serde_json::Map<String, serde_json::Value>>,
}

/// `projects.get_hyperparam_values {projects?, section, name, pattern?, include_subprojects}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct HyperparamValuesRequest {
    /// Only tasks of these projects (all when absent or empty).
    #[serde(
        deserialize_with = "lenient::opt_string_list",
        skip_serializing_if = "Option::is_none"
    )]
    pub projects: Option<Vec<String>>,
    /// Section (required).
    #[serde(deserialize_with = "lenient::string")]
    pub section: String,
    /// Parameter name (required).
    #[serde(deserialize_with = "lenient::string")]
    pub name: String,
    /// Only values matching this Python regex (searched).
    #[serde(
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub pattern: Option<String>,
    /// Also tasks of sub-projects.
    #[serde(
        deserialize_with = "lenient::flag",
        skip_serializing_if = "lenient::is_false"
    )]
    pub include_subprojects: bool,
}

impl Validate for HyperparamValuesRequest {
    fn validate(&self) -> Result<(), CallError> {
        require("section", &self.section)?;
        require("name", &self.name)
    }
}

/// `{total, values}`: the distinct values, sorted.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct HyperparamValuesResponse {
    /// How many distinct values.
    pub total: u64,
    /// The values.
    pub values: Vec<String>,
}

/// `projects.get_hyper_parameters {project?, include_subprojects, page, page_size}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct HyperParametersRequest {
    /// Only tasks of this project (all when absent).
    #[serde(
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub project: Option<String>,
    /// Also tasks of sub-projects (default true, as ClearML).
    #[serde(
        deserialize_with = "lenient::opt_flag",
        skip_serializing_if = "Option::is_none"
    )]
    pub include_subprojects: Option<bool>,
    /// Page number (from 0).
    #[serde(
        deserialize_with = "lenient::opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub page: Option<u64>,
    /// Page size (default 500).
    #[serde(
        deserialize_with = "lenient::opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub page_size: Option<u64>,
}

impl Validate for HyperParametersRequest {}

/// `{parameters: [{section, name}], total, remaining}` of `projects.get_hyper_parameters`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct HyperParametersResponse {
    /// The distinct `(section, name)` pairs of this page, sorted.
    pub parameters: Vec<serde_json::Map<String, serde_json::Value>>,
    /// How many pairs in all.
    pub total: u64,
    /// How many after this page.
    pub remaining: u64,
}

/// `projects.move {project, new_location}`: the project and its sub-projects go under `new_location` (a
/// project path, created if missing; empty = top level).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProjectsMoveRequest {
    /// Project id (required).
    #[serde(deserialize_with = "lenient::string")]
    pub project: String,
    /// The new parent's full name (empty or absent = the top level).
    #[serde(
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub new_location: Option<String>,
}

impl Validate for ProjectsMoveRequest {
    fn validate(&self) -> Result<(), CallError> {
        require("project", &self.project)
    }
}

/// `{moved}`: how many projects moved (the project and its sub-projects).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProjectsMoveResponse {
    /// Projects moved.
    pub moved: u64,
}

/// `projects.merge {project, destination_project}`: the project's tasks and direct sub-projects go into the
/// destination; the project is deleted.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProjectsMergeRequest {
    /// The project merged away (required).
    #[serde(deserialize_with = "lenient::string")]
    pub project: String,
    /// Where its contents go (required).
    #[serde(deserialize_with = "lenient::string")]
    pub destination_project: String,
}

impl Validate for ProjectsMergeRequest {
    fn validate(&self) -> Result<(), CallError> {
        require("project", &self.project)?;
        require("destination_project", &self.destination_project)
    }
}

/// `{moved_entities, moved_projects}` of `projects.merge`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProjectsMergeResponse {
    /// Non-archived tasks moved (archived ones move too, uncounted, as the source is deleted).
    pub moved_entities: u64,
    /// Direct sub-projects moved.
    pub moved_projects: u64,
}
