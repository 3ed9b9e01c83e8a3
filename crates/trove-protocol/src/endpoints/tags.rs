//! Tag listings and tag edits: `projects.get_project_tags`, `projects.get_task_tags`,
//! `projects.get_model_tags`, `tasks.update_tags`.

use crate::{CallError, Validate, lenient, require_list};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// `projects.get_project_tags` / `get_task_tags` / `get_model_tags {projects?, include_system, filter?}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GetTagsRequest {
    /// Only these projects (all when absent or empty).
    #[serde(
        deserialize_with = "lenient::opt_string_list",
        skip_serializing_if = "Option::is_none"
    )]
    pub projects: Option<Vec<String>>,
    /// Also answer `system_tags`.
    #[serde(
        deserialize_with = "lenient::flag",
        skip_serializing_if = "lenient::is_false"
    )]
    pub include_system: bool,
    /// `{tags?, system_tags?}` list queries the entities must match.
    #[serde(
        deserialize_with = "lenient::opt_object",
        skip_serializing_if = "Option::is_none"
    )]
    pub filter: Option<Map<String, Value>>,
}

impl Validate for GetTagsRequest {}

/// `{tags, system_tags}`: distinct and sorted (`system_tags` only with `include_system`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TagsResponse {
    /// User tags.
    pub tags: Vec<String>,
    /// System tags.
    pub system_tags: Vec<String>,
}

/// `tasks.update_tags {ids, add_tags, remove_tags}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UpdateTagsRequest {
    /// Task ids (required).
    #[serde(
        deserialize_with = "lenient::opt_string_list",
        skip_serializing_if = "Option::is_none"
    )]
    pub ids: Option<Vec<String>>,
    /// Tags to add.
    #[serde(
        deserialize_with = "lenient::opt_string_list",
        skip_serializing_if = "Option::is_none"
    )]
    pub add_tags: Option<Vec<String>>,
    /// Tags to remove.
    #[serde(
        deserialize_with = "lenient::opt_string_list",
        skip_serializing_if = "Option::is_none"
    )]
    pub remove_tags: Option<Vec<String>>,
}

impl Validate for UpdateTagsRequest {
    fn validate(&self) -> Result<(), CallError> {
        require_list("ids", self.ids.as_deref().unwrap_or_default())
    }
}
