//! `tasks.create`, `tasks.get_by_id`, `tasks.get_all` (`get_all_ex`), `tasks.edit`, `tasks.set_requirements`,
//! `tasks.ping`, `tasks.delete`.

use super::Urls;
use crate::docs::TaskDoc;
use crate::{CallError, Validate, lenient, require};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

macro_rules! task_fields {
    ($( $(#[$doc:meta])* $field:ident, )*) => {
        /// The task-document fields a client may set with `tasks.create` / `tasks.edit` (anything else is
        /// ignored). Each is stored as sent, `null` included; ClearML leaves their contents open-ended.
        #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
        #[serde(default)]
        pub struct TaskFields {
            $(
                $(#[$doc])*
                #[serde(deserialize_with = "lenient::present", skip_serializing_if = "Option::is_none")]
                pub $field: Option<Value>,
            )*
        }

        impl TaskFields {
            /// The names of these fields, in document order.
            pub const NAMES: &'static [&'static str] = &[$(stringify!($field)),*];

            /// The given fields as a document fragment, in [`TaskFields::NAMES`] order.
            pub fn into_doc(self) -> Map<String, Value> {
                let mut doc = Map::new();
                $(
                    if let Some(v) = self.$field {
                        doc.insert(stringify!($field).to_string(), v);
                    }
                )*
                doc
            }
        }
    };
}

task_fields! {
    /// Free text.
    comment,
    /// User tags.
    tags,
    /// System tags (`development`, `hidden`, …).
    system_tags,
    /// Parent task id.
    parent,
    /// Repository, entry point, requirements.
    script,
    /// Parameters, artifacts (`execution.artifacts` replaces the task's artifact list, as clearml-server).
    execution,
    /// Output destination and friends (see [`crate::TaskOutput`]).
    output,
    /// Input and output models.
    models,
    /// Hyper-parameters by section.
    hyperparams,
    /// Configuration objects by name.
    configuration,
    /// Runtime properties.
    runtime,
    /// Container settings.
    container,
    /// Input (legacy).
    input,
}

/// `tasks.create`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TasksCreateRequest {
    /// Task name, at least 3 characters (required).
    #[serde(deserialize_with = "lenient::string")]
    pub name: String,
    /// Project id; empty or absent = a task at the root (no project), as ClearML allows.
    #[serde(
        deserialize_with = "lenient::string",
        skip_serializing_if = "String::is_empty"
    )]
    pub project: String,
    /// Task type (one of ClearML's types); default `training`.
    #[serde(
        rename = "type",
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub kind: Option<String>,
    /// Sets `output.destination`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_dest: Option<Value>,
    /// Document fields.
    #[serde(flatten)]
    pub fields: TaskFields,
}

impl Validate for TasksCreateRequest {
    fn validate(&self) -> Result<(), CallError> {
        require("name", &self.name)
    }
}

/// `tasks.edit`: embedded documents (`execution`, `script`, `output`, `models`, `container`) merge at their top
/// level, other given fields replace the stored ones.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TasksEditRequest {
    /// Task id (required).
    #[serde(deserialize_with = "lenient::string")]
    pub task: String,
    /// Allow editing a task that is not `created`.
    #[serde(
        deserialize_with = "lenient::flag",
        skip_serializing_if = "lenient::is_false"
    )]
    pub force: bool,
    /// New name.
    #[serde(
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub name: Option<String>,
    /// New project id.
    #[serde(
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub project: Option<String>,
    /// New type.
    #[serde(
        rename = "type",
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub kind: Option<String>,
    /// Sets `output.destination`, keeping the rest of `output`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_dest: Option<Value>,
    /// Document fields.
    #[serde(flatten)]
    pub fields: TaskFields,
}

impl Validate for TasksEditRequest {
    fn validate(&self) -> Result<(), CallError> {
        require("task", &self.task)
    }
}

/// `tasks.get_all` / `get_all_ex`: ids, a name regex, projects, statuses, types, parent, tags (ClearML's
/// list-field query language: `__$all`, `__$any`, `__$not`, `-x`, `null`), `filters`, projection (`-field`
/// excludes), ordering, paging and scrolling.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TasksGetAllRequest {
    /// Only these ids (an empty list is no filter).
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
    /// Comment filter, a Python regex (searched).
    #[serde(
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub comment: Option<String>,
    /// Only tasks of these projects (ids; operators allowed).
    #[serde(
        deserialize_with = "lenient::opt_string_list",
        skip_serializing_if = "Option::is_none"
    )]
    pub project: Option<Vec<String>>,
    /// With `project`: also tasks of their sub-projects.
    #[serde(
        deserialize_with = "lenient::flag",
        skip_serializing_if = "lenient::is_false"
    )]
    pub include_subprojects: bool,
    /// Only these statuses (operators allowed).
    #[serde(
        deserialize_with = "lenient::opt_string_list",
        skip_serializing_if = "Option::is_none"
    )]
    pub status: Option<Vec<String>>,
    /// Only these types (operators allowed).
    #[serde(
        rename = "type",
        deserialize_with = "lenient::opt_filter_list",
        skip_serializing_if = "Option::is_none"
    )]
    pub kind: Option<Vec<Option<String>>>,
    /// Only children of these tasks (operators allowed).
    #[serde(
        deserialize_with = "lenient::opt_filter_list",
        skip_serializing_if = "Option::is_none"
    )]
    pub parent: Option<Vec<Option<String>>>,
    /// Only tasks of these users (operators allowed).
    #[serde(
        deserialize_with = "lenient::opt_filter_list",
        skip_serializing_if = "Option::is_none"
    )]
    pub user: Option<Vec<Option<String>>>,
    /// Tag filter (query language).
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
    /// `{field: {any|all: {include, exclude}, op}}` list filters (API 2.22+).
    #[serde(
        deserialize_with = "lenient::opt_object",
        skip_serializing_if = "Option::is_none"
    )]
    pub filters: Option<Map<String, Value>>,
    /// Include hidden tasks.
    #[serde(
        deserialize_with = "lenient::flag",
        skip_serializing_if = "lenient::is_false"
    )]
    pub search_hidden: bool,
    /// Keep only these (dotted) fields, plus `id`; `-field` entries drop fields instead.
    #[serde(
        deserialize_with = "lenient::opt_string_list",
        skip_serializing_if = "Option::is_none"
    )]
    pub only_fields: Option<Vec<String>>,
    /// `get_all_ex` spelling of `only_fields`.
    #[serde(
        deserialize_with = "lenient::opt_string_list",
        skip_serializing_if = "Option::is_none"
    )]
    pub projection: Option<Vec<String>>,
    /// Sort keys (`-field` descending); default `-last_update`.
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
    /// Scroll page size (with `scroll_id`).
    #[serde(
        deserialize_with = "lenient::opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub size: Option<u64>,
    /// Where the previous scroll page ended.
    #[serde(
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub scroll_id: Option<String>,
    /// Return everything from the start up to the scroll's position again.
    #[serde(
        deserialize_with = "lenient::flag",
        skip_serializing_if = "lenient::is_false"
    )]
    pub refresh_scroll: bool,
    /// Any other field: date and range filters (`last_update: [">=2024-01-01", null]`, `_any_`, `_all_`).
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

impl TasksGetAllRequest {
    /// The projection asked for: `only_fields`, else `projection`.
    pub fn fields(&self) -> Option<&[String]> {
        self.only_fields.as_deref().or(self.projection.as_deref())
    }
}

impl Validate for TasksGetAllRequest {}

/// `{task}` of `tasks.get_by_id`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TaskResponse {
    /// The task, with `execution.artifacts`.
    pub task: TaskDoc,
}

/// `{tasks}` of `tasks.get_all` (`scroll_id` when the call scrolled).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TasksResponse {
    /// The matching tasks, projected.
    pub tasks: Vec<TaskDoc>,
    /// Pass back to get the next scroll page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scroll_id: Option<String>,
}

/// `tasks.set_requirements {task, requirements}`: stored as `script.requirements`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SetRequirementsRequest {
    /// Task id (required).
    #[serde(deserialize_with = "lenient::string")]
    pub task: String,
    /// `{pip: ..., conda: ...}`.
    #[serde(
        deserialize_with = "lenient::opt_object",
        skip_serializing_if = "Option::is_none"
    )]
    pub requirements: Option<Map<String, Value>>,
}

impl Validate for SetRequirementsRequest {
    fn validate(&self) -> Result<(), CallError> {
        require("task", &self.task)
    }
}

/// `tasks.delete`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TasksDeleteRequest {
    /// Task id (required).
    #[serde(deserialize_with = "lenient::string")]
    pub task: String,
    /// Needed for a task that is neither `created` nor archived, or has published children or models.
    #[serde(
        deserialize_with = "lenient::flag",
        skip_serializing_if = "lenient::is_false"
    )]
    pub force: bool,
    /// Answer the URLs of the deleted output artifacts (and models) in `urls`.
    #[serde(
        deserialize_with = "lenient::flag",
        skip_serializing_if = "lenient::is_false"
    )]
    pub return_file_urls: bool,
    /// Delete the task's draft output models too (default true, as ClearML).
    #[serde(
        deserialize_with = "lenient::opt_flag",
        skip_serializing_if = "Option::is_none"
    )]
    pub delete_output_models: Option<bool>,
    /// trove extension: also delete artifact bytes stored on this files server.
    #[serde(
        deserialize_with = "lenient::flag",
        skip_serializing_if = "lenient::is_false"
    )]
    pub delete_files: bool,
}

impl Validate for TasksDeleteRequest {
    fn validate(&self) -> Result<(), CallError> {
        require("task", &self.task)
    }
}

/// The answer of `tasks.delete`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TasksDeleteResponse {
    /// True (older trove servers answered 1).
    #[serde(deserialize_with = "lenient::flag")]
    pub deleted: bool,
    /// Children whose `parent` now reads `__DELETED__<id>`.
    pub updated_children: u64,
    /// Models updated.
    pub updated_models: u64,
    /// Events deleted (ClearML answers `{}`).
    pub events: Map<String, Value>,
    /// trove: artifact files deleted from this files server.
    pub files_deleted: u64,
    /// What the deleted records pointed to (only with `return_file_urls`): output artifacts and models.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub urls: Option<Urls>,
}
