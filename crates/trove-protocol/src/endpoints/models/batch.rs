//! Batch operations on models: `models.archive_many`, `unarchive_many`, `publish_many`, `delete_many`.

use crate::{CallError, Validate, lenient, require_list};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

fn yes() -> bool {
    true
}

fn require_ids(ids: &[String]) -> Result<(), CallError> {
    require_list("ids", ids)
}

/// `{ids}` of a batch operation (at least one id).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BatchRequest {
    /// The ids to operate on.
    #[serde(deserialize_with = "lenient::string_list")]
    pub ids: Vec<String>,
}

impl Validate for BatchRequest {
    fn validate(&self) -> Result<(), CallError> {
        require_ids(&self.ids)
    }
}

/// `models.publish_many`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ModelsPublishManyRequest {
    /// The models.
    #[serde(deserialize_with = "lenient::string_list")]
    pub ids: Vec<String>,
    /// Also publish each model's creating task (default true).
    #[serde(deserialize_with = "lenient::flag", default = "yes")]
    pub publish_task: bool,
    /// Publish the tasks whatever their status.
    #[serde(
        deserialize_with = "lenient::flag",
        skip_serializing_if = "lenient::is_false"
    )]
    pub force_publish_task: bool,
}

impl Default for ModelsPublishManyRequest {
    fn default() -> Self {
        Self {
            ids: Vec::new(),
            publish_task: true,
            force_publish_task: false,
        }
    }
}

impl Validate for ModelsPublishManyRequest {
    fn validate(&self) -> Result<(), CallError> {
        require_ids(&self.ids)
    }
}

/// `models.delete_many`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ModelsDeleteManyRequest {
    /// The models.
    #[serde(deserialize_with = "lenient::string_list")]
    pub ids: Vec<String>,
    /// Delete even models in use or whose creating task is published.
    #[serde(
        deserialize_with = "lenient::flag",
        skip_serializing_if = "lenient::is_false"
    )]
    pub force: bool,
    /// Accepted for compatibility.
    #[serde(deserialize_with = "lenient::flag", default = "yes")]
    pub delete_external_artifacts: bool,
}

impl Default for ModelsDeleteManyRequest {
    fn default() -> Self {
        Self {
            ids: Vec::new(),
            force: false,
            delete_external_artifacts: true,
        }
    }
}

impl Validate for ModelsDeleteManyRequest {
    fn validate(&self) -> Result<(), CallError> {
        require_ids(&self.ids)
    }
}

/// Why one id of a batch failed: `{codes: [code, subcode], msg, data}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BatchError {
    /// `[result_code, result_subcode]`.
    pub codes: Vec<u32>,
    /// The message.
    pub msg: String,
    /// `error_data`.
    pub data: Value,
}

impl From<&CallError> for BatchError {
    fn from(e: &CallError) -> Self {
        Self {
            codes: vec![u32::from(e.code.http()), e.code.subcode()],
            msg: e.message.clone(),
            data: e.data.clone(),
        }
    }
}

/// One failed id of a batch.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BatchFailure {
    /// The id.
    pub id: String,
    /// Why.
    pub error: BatchError,
}

/// `{succeeded, failed}` of a batch operation. Each succeeded item is `{id, …}` with the operation's result
/// (`archived: true`, `updated`, `deleted` and `url`, …).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BatchResponse {
    /// The ids that succeeded, with their results.
    pub succeeded: Vec<Map<String, Value>>,
    /// The ids that failed, with their errors.
    pub failed: Vec<BatchFailure>,
}
