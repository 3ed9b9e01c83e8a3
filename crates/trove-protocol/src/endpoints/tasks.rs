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
    /// Parameters, artifacts (`execution.artifacts` are upserted, never replacing others).
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
    /// Project id (required).
    #[serde(deserialize_with = "lenient::string")]
    pub project: String,
    /// Task type; default `training`.
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
        require("name", &self.name)?;
        require("project", &self.project)
    }
}

/// `tasks.edit`: each given field replaces the stored one.
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

/// `tasks.get_all`: ids, a name regex, projects, statuses, types, parent, tags, projection, ordering, paging.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TasksGetAllRequest {
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
    /// Only tasks of these projects (ids).
    #[serde(
        deserialize_with = "lenient::opt_string_list",
        skip_serializing_if = "Option::is_none"
    )]
    pub project: Option<Vec<String>>,
    /// Only these statuses.
    #[serde(
        deserialize_with = "lenient::opt_string_list",
        skip_serializing_if = "Option::is_none"
    )]
    pub status: Option<Vec<String>>,
    /// Only these types.
    #[serde(
        rename = "type",
        deserialize_with = "lenient::opt_string_list",
        skip_serializing_if = "Option::is_none"
    )]
    pub kind: Option<Vec<String>>,
    /// Only children of this task.
    #[serde(
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub parent: Option<String>,
    /// Tag filter (`-x` excludes).
    #[serde(
        deserialize_with = "lenient::opt_string_list",
        skip_serializing_if = "Option::is_none"
    )]
    pub tags: Option<Vec<String>>,
    /// System tag filter (`-x` excludes).
    #[serde(
        deserialize_with = "lenient::opt_string_list",
        skip_serializing_if = "Option::is_none"
    )]
    pub system_tags: Option<Vec<String>>,
    /// Include hidden tasks.
    #[serde(
        deserialize_with = "lenient::flag",
        skip_serializing_if = "lenient::is_false"
    )]
    pub search_hidden: bool,
    /// Keep only these (dotted) fields, plus `id`.
    #[serde(
        deserialize_with = "lenient::opt_string_list",
        skip_serializing_if = "Option::is_none"
    )]
    pub only_fields: Option<Vec<String>>,
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
    /// Page size (older spelling).
    #[serde(
        deserialize_with = "lenient::opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub size: Option<u64>,
}

impl Validate for TasksGetAllRequest {}

/// `{task}` of `tasks.get_by_id`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TaskResponse {
    /// The task, with `execution.artifacts`.
    pub task: TaskDoc,
}

/// `{tasks}` of `tasks.get_all`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TasksResponse {
    /// The matching tasks, projected.
    pub tasks: Vec<TaskDoc>,
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
    /// Needed for an `in_progress` task.
    #[serde(
        deserialize_with = "lenient::flag",
        skip_serializing_if = "lenient::is_false"
    )]
    pub force: bool,
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
    /// 1.
    pub deleted: u64,
    /// Children re-parented (trove: 0).
    pub updated_children: u64,
    /// Models updated (trove: 0).
    pub updated_models: u64,
    /// trove: artifact files deleted from this files server.
    pub files_deleted: u64,
    /// What the deleted records pointed to.
    pub urls: Urls,
}
