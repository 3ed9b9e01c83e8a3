//! `projects.get_all` (`get_all_ex`), `projects.create`, `projects.get_by_id`, `projects.update`.

use crate::docs::ProjectDoc;
use crate::{CallError, Validate, lenient, require};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// `projects.get_all`: a name regex (searched, as Python's `re.search`), ids, parents, tags, projection,
/// ordering and paging.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProjectsGetAllRequest {
    /// Name filter, a Python regex.
    #[serde(
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub name: Option<String>,
    /// Only these ids.
    #[serde(
        deserialize_with = "lenient::opt_string_list",
        skip_serializing_if = "Option::is_none"
    )]
    pub id: Option<Vec<String>>,
    /// Only children of these projects (ids).
    #[serde(
        deserialize_with = "lenient::opt_string_list",
        skip_serializing_if = "Option::is_none"
    )]
    pub parent: Option<Vec<String>>,
    /// Basename filter, a Python regex (searched).
    #[serde(
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub basename: Option<String>,
    /// Direct children only.
    #[serde(
        deserialize_with = "lenient::flag",
        skip_serializing_if = "lenient::is_false"
    )]
    pub shallow_search: bool,
    /// Include hidden projects.
    #[serde(
        deserialize_with = "lenient::flag",
        skip_serializing_if = "lenient::is_false"
    )]
    pub search_hidden: bool,
    /// Tag filter (ClearML's list-field query language).
    #[serde(
        deserialize_with = "lenient::opt_filter_list",
        skip_serializing_if = "Option::is_none"
    )]
    pub tags: Option<Vec<Option<String>>>,
    /// System tag filter (query language).
    #[serde(
        deserialize_with = "lenient::opt_filter_list",
        skip_serializing_if = "Option::is_none"
    )]
    pub system_tags: Option<Vec<Option<String>>>,
    /// Sort keys (`-field` descending); default `name`.
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
    /// Keep only these (dotted) fields, plus `id`; `-field` entries drop fields instead.
    #[serde(
        deserialize_with = "lenient::opt_string_list",
        skip_serializing_if = "Option::is_none"
    )]
    pub only_fields: Option<Vec<String>>,
    /// `{field: {any|all: {include, exclude}}}` list filters.
    #[serde(
        deserialize_with = "lenient::opt_object",
        skip_serializing_if = "Option::is_none"
    )]
    pub filters: Option<Map<String, Value>>,
    /// `get_all_ex`: add `stats` (`active`, or `archived` with `stats_for_state`) and `sub_projects`.
    #[serde(
        deserialize_with = "lenient::flag",
        skip_serializing_if = "lenient::is_false"
    )]
    pub include_stats: bool,
    /// `get_all_ex`: which tasks `stats` counts: `active` (default) or `archived`.
    #[serde(
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub stats_for_state: Option<String>,
    /// `get_all_ex`: add `dataset_stats {file_count, total_size}` (or `null`).
    #[serde(
        deserialize_with = "lenient::flag",
        skip_serializing_if = "lenient::is_false"
    )]
    pub include_dataset_stats: bool,
    /// `get_all_ex`: add `own_tasks` (and `own_models`): non-archived entities in the project itself.
    #[serde(
        deserialize_with = "lenient::flag",
        skip_serializing_if = "lenient::is_false"
    )]
    pub check_own_contents: bool,
    /// `get_all_ex`: only projects (or their sub-projects) with tasks of these users.
    #[serde(
        deserialize_with = "lenient::opt_string_list",
        skip_serializing_if = "Option::is_none"
    )]
    pub active_users: Option<Vec<String>>,
}

impl Validate for ProjectsGetAllRequest {}

/// `{projects}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProjectsResponse {
    /// The matching projects, projected.
    pub projects: Vec<ProjectDoc>,
}

/// `projects.create`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProjectsCreateRequest {
    /// Full name, `a/b/c` (required).
    #[serde(deserialize_with = "lenient::string")]
    pub name: String,
    /// Description.
    #[serde(
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub description: Option<String>,
    /// Where tasks of this project store artifacts by default.
    #[serde(
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub default_output_destination: Option<String>,
    /// Kept as sent (`null` = absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Value>,
    /// Kept as sent (`null` = absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system_tags: Option<Value>,
    /// Kept as sent (`null` = absent); defaults to the caller.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<Value>,
    /// Kept as sent (`null` = absent); defaults to the caller's company.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company: Option<Value>,
}

impl Validate for ProjectsCreateRequest {
    fn validate(&self) -> Result<(), CallError> {
        require("name", &self.name)
    }
}

/// `{project}`: the project a call is about.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProjectRef {
    /// Project id (required).
    #[serde(deserialize_with = "lenient::string")]
    pub project: String,
}

impl Validate for ProjectRef {
    fn validate(&self) -> Result<(), CallError> {
        require("project", &self.project)
    }
}

/// `{project}` of `projects.get_by_id`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProjectResponse {
    /// The project.
    pub project: ProjectDoc,
}

/// `projects.update`: only the given fields change.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProjectsUpdateRequest {
    /// Project id (required).
    #[serde(deserialize_with = "lenient::string")]
    pub project: String,
    /// New name.
    #[serde(
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub name: Option<String>,
    /// New description.
    #[serde(
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub description: Option<String>,
    /// `Some(None)` (sent as `null`) clears the default destination.
    #[serde(
        deserialize_with = "lenient::nullable_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub default_output_destination: Option<Option<String>>,
    /// Kept as sent (`null` = absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Value>,
    /// Kept as sent (`null` = absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system_tags: Option<Value>,
    /// Kept as sent (`null` = absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<Value>,
    /// Kept as sent (`null` = absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company: Option<Value>,
}

impl Validate for ProjectsUpdateRequest {
    fn validate(&self) -> Result<(), CallError> {
        require("project", &self.project)
    }
}

fn extras(fields: [(&str, &Option<Value>); 4]) -> Map<String, Value> {
    fields
        .into_iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| (k.to_string(), v.clone())))
        .collect()
}

impl ProjectsCreateRequest {
    /// The fields kept as sent (`tags`, `system_tags`, `user`, `company`, in that order), where given.
    pub fn extras(&self) -> Map<String, Value> {
        extras([
            ("tags", &self.tags),
            ("system_tags", &self.system_tags),
            ("user", &self.user),
            ("company", &self.company),
        ])
    }
}

impl ProjectsUpdateRequest {
    /// The fields kept as sent (`tags`, `system_tags`, `user`, `company`, in that order), where given.
    pub fn extras(&self) -> Map<String, Value> {
        extras([
            ("tags", &self.tags),
            ("system_tags", &self.system_tags),
            ("user", &self.user),
            ("company", &self.company),
        ])
    }
}
