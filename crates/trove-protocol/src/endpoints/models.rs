//! `models.*` (clearml-server's `schema/services/models.conf`) and the task side of models:
//! `tasks.add_or_update_model`, `tasks.delete_models`.

use crate::{CallError, Validate, lenient, require, require_list};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

/// A model as the server returns it: ClearML's model document (`id`, `name`, `uri`, `ready`, `framework`,
/// `task`, `project`, `parent`, `comment`, `tags`, `system_tags`, `design`, `labels`, `metadata`, `created`,
/// `last_update`, `last_iteration`, …), projected by `only_fields`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ModelDoc(pub Map<String, Value>);

impl ModelDoc {
    fn str_field(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(Value::as_str)
    }

    /// The model's id.
    pub fn id(&self) -> &str {
        self.str_field("id").unwrap_or_default()
    }

    /// The model's name.
    pub fn name(&self) -> &str {
        self.str_field("name").unwrap_or_default()
    }

    /// Where the weights are (`""` when unknown).
    pub fn uri(&self) -> &str {
        self.str_field("uri").unwrap_or_default()
    }

    /// Published ("ready").
    pub fn ready(&self) -> bool {
        self.0
            .get("ready")
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }

    /// The task that created the model, if any.
    pub fn task(&self) -> Option<&str> {
        self.str_field("task")
    }
}

/// One metadata entry of a model: `{key, type, value}` (all strings, as ClearML stores them).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MetadataItem {
    /// The key (required).
    #[serde(deserialize_with = "scalar_string")]
    pub key: String,
    /// A type name the client chose (`str`, `int`, `array`, …).
    #[serde(rename = "type", deserialize_with = "scalar_string")]
    pub kind: String,
    /// The value, as text.
    #[serde(deserialize_with = "scalar_string")]
    pub value: String,
}

/// A string, or a number/boolean written as text (`null` = `""`).
fn scalar_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(String::new()),
        Value::String(s) => Ok(s),
        v @ (Value::Number(_) | Value::Bool(_)) => Ok(v.to_string()),
        other => Err(D::Error::custom(format!("must be a string, got {other}"))),
    }
}

/// Model metadata as sent: a map `key → {key, type, value}` (models.create/edit) or a list of items
/// (add_or_update_metadata). Either way keyed by the item's key.
fn opt_metadata<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<MetadataItem>>, D::Error> {
    let items = match Value::deserialize(d)? {
        Value::Null => return Ok(None),
        Value::Array(a) => a,
        Value::Object(m) => m
            .into_iter()
            .map(|(k, mut v)| {
                if let Value::Object(item) = &mut v {
                    item.entry("key").or_insert(Value::String(k));
                }
                v
            })
            .collect(),
        other => {
            return Err(D::Error::custom(format!(
                "must be a map of {{key, type, value}} items, got {other}"
            )));
        }
    };
    items
        .into_iter()
        .map(|v| serde_json::from_value::<MetadataItem>(v).map_err(D::Error::custom))
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

fn metadata_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<MetadataItem>, D::Error> {
    Ok(opt_metadata(d)?.unwrap_or_default())
}

fn yes() -> bool {
    true
}

/// The fields of a model a client may set: `models.create`, `models.edit` and `models.update`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ModelFields {
    /// Name, at least 3 characters.
    #[serde(
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub name: Option<String>,
    /// Where the weights are.
    #[serde(
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub uri: Option<String>,
    /// Free text.
    #[serde(
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub comment: Option<String>,
    /// User tags.
    #[serde(
        deserialize_with = "lenient::opt_string_list",
        skip_serializing_if = "Option::is_none"
    )]
    pub tags: Option<Vec<String>>,
    /// System tags (`archived`, …).
    #[serde(
        deserialize_with = "lenient::opt_string_list",
        skip_serializing_if = "Option::is_none"
    )]
    pub system_tags: Option<Vec<String>>,
    /// Framework name (`PyTorch`, …).
    #[serde(
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub framework: Option<String>,
    /// Design (the SDK sends `{"design": "<text>"}`).
    #[serde(
        deserialize_with = "lenient::opt_object",
        skip_serializing_if = "Option::is_none"
    )]
    pub design: Option<Map<String, Value>>,
    /// Label name → integer id.
    #[serde(
        deserialize_with = "lenient::opt_object",
        skip_serializing_if = "Option::is_none"
    )]
    pub labels: Option<Map<String, Value>>,
    /// Published.
    #[serde(
        deserialize_with = "lenient::opt_flag",
        skip_serializing_if = "Option::is_none"
    )]
    pub ready: Option<bool>,
    /// Project id.
    #[serde(
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub project: Option<String>,
    /// The task that created the model.
    #[serde(
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub task: Option<String>,
    /// Parent model id.
    #[serde(
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub parent: Option<String>,
    /// Metadata items.
    #[serde(
        deserialize_with = "opt_metadata",
        skip_serializing_if = "Option::is_none"
    )]
    pub metadata: Option<Vec<MetadataItem>>,
    /// UI state (cleared when `uri` changes).
    #[serde(
        deserialize_with = "lenient::opt_object",
        skip_serializing_if = "Option::is_none"
    )]
    pub ui_cache: Option<Map<String, Value>>,
}

/// `models.create`: `name` and `uri` are required; `ready` defaults to true (the SDK sends false).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ModelsCreateRequest {
    /// The model's fields.
    #[serde(flatten)]
    pub fields: ModelFields,
    /// Public (company-less) model: trove has one company, so this is ignored.
    #[serde(
        deserialize_with = "lenient::flag",
        skip_serializing_if = "lenient::is_false"
    )]
    pub public: bool,
}

impl Validate for ModelsCreateRequest {
    fn validate(&self) -> Result<(), CallError> {
        require("name", self.fields.name.as_deref().unwrap_or_default())?;
        if self.fields.uri.is_none() {
            return Err(CallError::missing_field("uri"));
        }
        Ok(())
    }
}

/// `{id, created}` of `models.create` / `models.update_for_task` (the latter adds `updated`/`fields` when it
/// changed an existing model).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ModelCreatedResponse {
    /// The model's id.
    pub id: String,
    /// True when a new model was made.
    pub created: bool,
    /// `update_for_task` on an existing model: 1 when it changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated: Option<u64>,
    /// `update_for_task` on an existing model: the fields set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<Map<String, Value>>,
}

/// `{model}`: the model a call is about.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ModelRef {
    /// Model id (required).
    #[serde(deserialize_with = "lenient::string")]
    pub model: String,
}

impl Validate for ModelRef {
    fn validate(&self) -> Result<(), CallError> {
        require("model", &self.model)
    }
}

/// `{model}` of `models.get_by_id`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ModelResponse {
    /// The model.
    pub model: ModelDoc,
}

/// `{models}` of `models.get_all` / `get_all_ex`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ModelsResponse {
    /// The matching models, projected.
    pub models: Vec<ModelDoc>,
}

/// `models.edit` / `models.update`: each given field replaces the stored one; `iteration` raises the task's
/// `last_iteration`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ModelsEditRequest {
    /// Model id (required).
    #[serde(deserialize_with = "lenient::string")]
    pub model: String,
    /// The fields to change.
    #[serde(flatten)]
    pub fields: ModelFields,
    /// The iteration the model was saved at.
    #[serde(
        deserialize_with = "lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub iteration: Option<i64>,
}

impl Validate for ModelsEditRequest {
    fn validate(&self) -> Result<(), CallError> {
        require("model", &self.model)
    }
}

/// `models.set_ready`: publish a model (and by default its task).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ModelsSetReadyRequest {
    /// Model id (required).
    #[serde(deserialize_with = "lenient::string")]
    pub model: String,
    /// Also publish the creating task when it is not published (default true).
    #[serde(deserialize_with = "lenient::flag", default = "yes")]
    pub publish_task: bool,
    /// Publish the task whatever its status.
    #[serde(
        deserialize_with = "lenient::flag",
        skip_serializing_if = "lenient::is_false"
    )]
    pub force_publish_task: bool,
}

impl Default for ModelsSetReadyRequest {
    fn default() -> Self {
        Self {
            model: String::new(),
            publish_task: true,
            force_publish_task: false,
        }
    }
}

impl Validate for ModelsSetReadyRequest {
    fn validate(&self) -> Result<(), CallError> {
        require("model", &self.model)
    }
}

/// The task `models.set_ready` published: `{id, data: {updated, fields}}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PublishedTask {
    /// The task's id.
    pub id: String,
    /// The status change.
    pub data: super::UpdatedFields,
}

/// The answer of `models.set_ready`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SetReadyResponse {
    /// 1 when the model changed.
    pub updated: u64,
    /// The task published with it, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published_task: Option<PublishedTask>,
}

/// `models.add_or_update_metadata`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AddOrUpdateMetadataRequest {
    /// Model id (required).
    #[serde(deserialize_with = "lenient::string")]
    pub model: String,
    /// Items to add or replace (by key; at least one).
    #[serde(deserialize_with = "metadata_list")]
    pub metadata: Vec<MetadataItem>,
    /// Replace all metadata instead of merging.
    #[serde(
        deserialize_with = "lenient::flag",
        skip_serializing_if = "lenient::is_false"
    )]
    pub replace_metadata: bool,
}

impl Validate for AddOrUpdateMetadataRequest {
    fn validate(&self) -> Result<(), CallError> {
        require("model", &self.model)?;
        require_list("metadata", &self.metadata)?;
        if self.metadata.iter().any(|m| m.key.is_empty()) {
            return Err(CallError::validation("every metadata item needs a 'key'"));
        }
        Ok(())
    }
}

/// `models.delete_metadata`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeleteMetadataRequest {
    /// Model id (required).
    #[serde(deserialize_with = "lenient::string")]
    pub model: String,
    /// Keys to remove (at least one).
    #[serde(deserialize_with = "lenient::string_list")]
    pub keys: Vec<String>,
}

impl Validate for DeleteMetadataRequest {
    fn validate(&self) -> Result<(), CallError> {
        require("model", &self.model)?;
        require_list("keys", &self.keys)
    }
}

/// `models.delete`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ModelsDeleteRequest {
    /// Model id (required).
    #[serde(deserialize_with = "lenient::string")]
    pub model: String,
    /// Delete even when tasks use it as input or its creating task is published.
    #[serde(
        deserialize_with = "lenient::flag",
        skip_serializing_if = "lenient::is_false"
    )]
    pub force: bool,
    /// Accepted for compatibility (trove leaves the bytes to the client, as the SDK deletes them itself).
    #[serde(deserialize_with = "lenient::flag", default = "yes")]
    pub delete_external_artifacts: bool,
}

impl Default for ModelsDeleteRequest {
    fn default() -> Self {
        Self {
            model: String::new(),
            force: false,
            delete_external_artifacts: true,
        }
    }
}

impl Validate for ModelsDeleteRequest {
    fn validate(&self) -> Result<(), CallError> {
        require("model", &self.model)
    }
}

/// The answer of `models.delete`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ModelDeletedResponse {
    /// True when the model was deleted.
    pub deleted: bool,
    /// The model's `uri` (for the client to delete the bytes).
    pub url: Option<String>,
}

mod batch;
mod query;
mod task_side;

pub use batch::*;
pub use query::*;
pub use task_side::*;

#[cfg(test)]
mod tests;
