//! `models.get_all` / `get_all_ex`, `models.get_frameworks`, `models.update_for_task`, `models.move`,
//! `projects.get_model_metadata_keys` / `get_model_metadata_values`,
//! `models.update_tags`.

use crate::{CallError, Validate, lenient, require, require_list};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// `models.get_all` (`get_all_ex`): list filters (ClearML's language: `-x` excludes), a name regex, `ready`,
/// `metadata.<key>.value` filters (any extra key of that form), projection, ordering, paging.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ModelsGetAllRequest {
    /// Only these ids.
    #[serde(
        deserialize_with = "lenient::opt_string_list",
        skip_serializing_if = "Option::is_none"
    )]
    pub id: Option<Vec<String>>,
    /// Name filter, a Python regex (searched).
    #[serde(
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub name: Option<String>,
    /// Only models of these projects (ids).
    #[serde(
        deserialize_with = "lenient::opt_string_list",
        skip_serializing_if = "Option::is_none"
    )]
    pub project: Option<Vec<String>>,
    /// Only models created by these tasks.
    #[serde(
        deserialize_with = "lenient::opt_string_list",
        skip_serializing_if = "Option::is_none"
    )]
    pub task: Option<Vec<String>>,
    /// Only these frameworks.
    #[serde(
        deserialize_with = "lenient::opt_string_list",
        skip_serializing_if = "Option::is_none"
    )]
    pub framework: Option<Vec<String>>,
    /// Only these weight URIs.
    #[serde(
        deserialize_with = "lenient::opt_string_list",
        skip_serializing_if = "Option::is_none"
    )]
    pub uri: Option<Vec<String>>,
    /// Only children of these models.
    #[serde(
        deserialize_with = "lenient::opt_string_list",
        skip_serializing_if = "Option::is_none"
    )]
    pub parent: Option<Vec<String>>,
    /// Only models of these users.
    #[serde(
        deserialize_with = "lenient::opt_string_list",
        skip_serializing_if = "Option::is_none"
    )]
    pub user: Option<Vec<String>>,
    /// Tag filter.
    #[serde(
        deserialize_with = "lenient::opt_string_list",
        skip_serializing_if = "Option::is_none"
    )]
    pub tags: Option<Vec<String>>,
    /// System tag filter (`["-archived"]` hides archived models).
    #[serde(
        deserialize_with = "lenient::opt_string_list",
        skip_serializing_if = "Option::is_none"
    )]
    pub system_tags: Option<Vec<String>>,
    /// Only published (true) or unpublished (false) models.
    #[serde(
        deserialize_with = "lenient::opt_flag",
        skip_serializing_if = "Option::is_none"
    )]
    pub ready: Option<bool>,
    /// `project` also matches the projects' sub-projects.
    #[serde(
        deserialize_with = "lenient::flag",
        skip_serializing_if = "lenient::is_false"
    )]
    pub include_subprojects: bool,
    /// `get_all_ex`: add `stats: {labels_count}` to each model.
    #[serde(
        deserialize_with = "lenient::flag",
        skip_serializing_if = "lenient::is_false"
    )]
    pub include_stats: bool,
    /// Keep only these (dotted) fields, plus `id`.
    #[serde(
        deserialize_with = "lenient::opt_string_list",
        skip_serializing_if = "Option::is_none"
    )]
    pub only_fields: Option<Vec<String>>,
    /// Sort keys (`-field` descending); default `-created`.
    #[serde(
        deserialize_with = "lenient::opt_string_list",
        skip_serializing_if = "Option::is_none"
    )]
    pub order_by: Option<Vec<String>>,
    /// Page number (from 0).
    #[serde(
        deserialize_with = "lenient::opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub page: Option<u64>,
    /// Page size.
    #[serde(
        deserialize_with = "lenient::opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub page_size: Option<u64>,
    /// Page size (older spelling).
    #[serde(
        deserialize_with = "lenient::opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub size: Option<u64>,
    /// Every other key; those named `metadata.<key>.value` (or `metadata.<key>`) filter on metadata values.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ModelsGetAllRequest {
    /// The `metadata.<key>.value` filters: `(key, accepted values)`.
    pub fn metadata_filters(&self) -> Vec<(String, Vec<String>)> {
        let mut out = Vec::new();
        for (k, v) in &self.extra {
            let Some(rest) = k.strip_prefix("metadata.") else {
                continue;
            };
            let key = rest.strip_suffix(".value").unwrap_or(rest);
            let values = match v {
                Value::Array(a) => a.iter().map(text).collect(),
                Value::Null => continue,
                other => vec![text(other)],
            };
            out.push((key.to_string(), values));
        }
        out
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl Validate for ModelsGetAllRequest {}

/// `models.get_frameworks {projects?}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GetFrameworksRequest {
    /// Only models of these projects.
    #[serde(
        deserialize_with = "lenient::opt_string_list",
        skip_serializing_if = "Option::is_none"
    )]
    pub projects: Option<Vec<String>>,
}

impl Validate for GetFrameworksRequest {}

/// `{frameworks}`: the distinct non-empty frameworks, sorted.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FrameworksResponse {
    /// Sorted framework names.
    pub frameworks: Vec<String>,
}

/// `models.update_for_task` (API ≤ 2.13): create or update the task's output model.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UpdateForTaskRequest {
    /// Task id (required).
    #[serde(deserialize_with = "lenient::string")]
    pub task: String,
    /// Weights location (exactly one of `uri` and `override_model_id`).
    #[serde(
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub uri: Option<String>,
    /// Use this existing model as the output model.
    #[serde(
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub override_model_id: Option<String>,
    /// Model name (default: the task's name).
    #[serde(
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub name: Option<String>,
    /// Comment (default: "Created by task …").
    #[serde(
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub comment: Option<String>,
    /// Raises the task's `last_iteration`.
    #[serde(
        deserialize_with = "lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub iteration: Option<i64>,
}

impl Validate for UpdateForTaskRequest {
    fn validate(&self) -> Result<(), CallError> {
        require("task", &self.task)
    }
}

/// `models.move {ids, project | project_name}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ModelsMoveRequest {
    /// Model ids (at least one).
    #[serde(deserialize_with = "lenient::string_list")]
    pub ids: Vec<String>,
    /// Target project id; `null` = no project.
    #[serde(
        deserialize_with = "lenient::nullable_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub project: Option<Option<String>>,
    /// Target project name (created when missing).
    #[serde(
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub project_name: Option<String>,
}

impl Validate for ModelsMoveRequest {
    fn validate(&self) -> Result<(), CallError> {
        require_list("ids", &self.ids)
    }
}

/// `{project_id}` of `models.move`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MovedResponse {
    /// The target project (`null` for none).
    pub project_id: Option<String>,
}

/// `models.update_tags {ids, add_tags, remove_tags}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ModelsUpdateTagsRequest {
    /// Model ids (at least one).
    #[serde(deserialize_with = "lenient::string_list")]
    pub ids: Vec<String>,
    /// Tags to add.
    #[serde(
        deserialize_with = "lenient::string_list",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub add_tags: Vec<String>,
    /// Tags to remove.
    #[serde(
        deserialize_with = "lenient::string_list",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub remove_tags: Vec<String>,
}

impl Validate for ModelsUpdateTagsRequest {
    fn validate(&self) -> Result<(), CallError> {
        require_list("ids", &self.ids)
    }
}

fn page_size_default() -> u64 {
    500
}

/// `projects.get_model_metadata_keys {project?, include_subprojects, page, page_size}`: without `project`,
/// all models (or, with `include_subprojects: false`, those without a project).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ModelMetadataKeysRequest {
    /// The project (and, by default, its sub-projects).
    #[serde(
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub project: Option<String>,
    /// Include sub-projects (default true).
    #[serde(deserialize_with = "lenient::flag")]
    pub include_subprojects: bool,
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

impl Default for ModelMetadataKeysRequest {
    fn default() -> Self {
        Self {
            project: None,
            include_subprojects: true,
            page: None,
            page_size: None,
        }
    }
}

impl Validate for ModelMetadataKeysRequest {}

/// `{total, remaining, keys}`: the distinct metadata keys, sorted, paged.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ModelMetadataKeysResponse {
    /// How many keys there are in all.
    pub total: u64,
    /// How many come after this page.
    pub remaining: u64,
    /// This page of keys.
    pub keys: Vec<String>,
}

/// `projects.get_model_metadata_values {key, projects?, include_subprojects, page, page_size}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ModelMetadataValuesRequest {
    /// The metadata key (required).
    #[serde(deserialize_with = "lenient::string")]
    pub key: String,
    /// Only models of these projects (absent: all, or without `include_subprojects` those without a project).
    #[serde(
        deserialize_with = "lenient::opt_string_list",
        skip_serializing_if = "Option::is_none"
    )]
    pub projects: Option<Vec<String>>,
    /// Include sub-projects (default true).
    #[serde(deserialize_with = "lenient::flag")]
    pub include_subprojects: bool,
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

impl Default for ModelMetadataValuesRequest {
    fn default() -> Self {
        Self {
            key: String::new(),
            projects: None,
            include_subprojects: true,
            page: None,
            page_size: None,
        }
    }
}

impl Validate for ModelMetadataValuesRequest {
    fn validate(&self) -> Result<(), CallError> {
        require("key", &self.key)
    }
}

impl ModelMetadataValuesRequest {
    /// `(offset, limit)` of the requested page.
    pub fn window(&self) -> (usize, usize) {
        window(self.page, self.page_size)
    }
}

impl ModelMetadataKeysRequest {
    /// `(offset, limit)` of the requested page.
    pub fn window(&self) -> (usize, usize) {
        window(self.page, self.page_size)
    }
}

fn window(page: Option<u64>, size: Option<u64>) -> (usize, usize) {
    let size = size.unwrap_or_else(page_size_default).max(1);
    (
        page.unwrap_or(0).saturating_mul(size) as usize,
        size as usize,
    )
}

/// `{total, values}`: the distinct values of a metadata key, sorted, paged.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ModelMetadataValuesResponse {
    /// How many distinct values there are in all.
    pub total: u64,
    /// This page of values.
    pub values: Vec<String>,
}
