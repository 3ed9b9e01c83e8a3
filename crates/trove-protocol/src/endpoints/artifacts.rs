//! `tasks.add_or_update_artifacts`, `tasks.delete_artifacts`, and trove's version history of registered
//! artifacts (`tasks.add_artifact_version`, `tasks.get_artifact_versions`).

use crate::{CallError, Validate, lenient, require};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use trove_core::{ArtifactRecord, ArtifactVersion};

/// Check artifact records as the server accepts them: a non-empty key, mode `input` or `output`.
pub fn check_artifacts(records: &[ArtifactRecord]) -> Result<(), CallError> {
    for r in records {
        if r.key.is_empty() {
            return Err(CallError::validation("artifact key must not be empty"));
        }
        if r.mode != "output" && r.mode != "input" {
            return Err(CallError::validation(format!(
                "artifact mode must be input or output, got {:?}",
                r.mode
            )));
        }
    }
    Ok(())
}

/// Parse and check an artifact list (`execution.artifacts` of `tasks.edit`, `artifacts` of
/// `tasks.add_or_update_artifacts`): key and type required, unknown keys ignored.
pub fn parse_artifacts(list: Value) -> Result<Vec<ArtifactRecord>, CallError> {
    let Value::Array(items) = list else {
        return Err(CallError::validation("'artifacts' must be a list"));
    };
    let records = items
        .into_iter()
        .map(|a| {
            serde_json::from_value::<ArtifactRecord>(a).map_err(|e| {
                CallError::validation(format!("invalid artifact (key and type are required): {e}"))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    check_artifacts(&records)?;
    Ok(records)
}

fn artifact_list<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<ArtifactRecord>>, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(None),
        Value::Array(items) => items
            .into_iter()
            .map(|a| {
                serde_json::from_value(a).map_err(|e| {
                    D::Error::custom(format!("invalid artifact (key and type are required): {e}"))
                })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        other => Err(D::Error::custom(format!("must be a list, got {other}"))),
    }
}

/// `tasks.add_or_update_artifacts {task, artifacts, force}`: upsert by `(key, mode)`; others are untouched.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AddOrUpdateArtifactsRequest {
    /// Task id (required).
    #[serde(deserialize_with = "lenient::string")]
    pub task: String,
    /// The records (required).
    #[serde(
        deserialize_with = "artifact_list",
        skip_serializing_if = "Option::is_none"
    )]
    pub artifacts: Option<Vec<ArtifactRecord>>,
    /// Accepted for compatibility: artifacts change in `created`, `queued` and `in_progress` regardless.
    #[serde(
        deserialize_with = "lenient::flag",
        skip_serializing_if = "lenient::is_false"
    )]
    pub force: bool,
}

impl Validate for AddOrUpdateArtifactsRequest {
    fn validate(&self) -> Result<(), CallError> {
        require("task", &self.task)?;
        match &self.artifacts {
            Some(records) => check_artifacts(records),
            None => Err(CallError::validation("'artifacts' must be a list")),
        }
    }
}

/// `{key, mode}` naming an artifact of a task (mode `output` unless given).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ArtifactId {
    /// The artifact's key (required).
    pub key: String,
    /// `input` or `output`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
}

impl ArtifactId {
    /// The output artifact `key`.
    pub fn output(key: &str) -> Self {
        Self {
            key: key.to_string(),
            mode: Some("output".into()),
        }
    }

    /// The mode, `output` when not given.
    pub fn mode(&self) -> &str {
        self.mode.as_deref().unwrap_or("output")
    }
}

impl<'de> Deserialize<'de> for ArtifactId {
    /// Lenient: anything but an object, or a non-string key, is an id without a key (refused by validation);
    /// a non-string mode counts as absent.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        Ok(Self {
            key: text("key").unwrap_or_default(),
            mode: text("mode"),
        })
    }
}

/// `tasks.delete_artifacts {task, artifacts: [{key, mode}], force}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeleteArtifactsRequest {
    /// Task id (required).
    #[serde(deserialize_with = "lenient::string")]
    pub task: String,
    /// Which artifacts (`null` = none).
    #[serde(deserialize_with = "lenient::list")]
    pub artifacts: Vec<ArtifactId>,
    /// Accepted for compatibility: artifacts change in `created`, `queued` and `in_progress` regardless.
    #[serde(
        deserialize_with = "lenient::flag",
        skip_serializing_if = "lenient::is_false"
    )]
    pub force: bool,
    /// trove extension: also delete the bytes stored on this files server.
    #[serde(
        deserialize_with = "lenient::flag",
        skip_serializing_if = "lenient::is_false"
    )]
    pub delete_files: bool,
}

impl Validate for DeleteArtifactsRequest {
    fn validate(&self) -> Result<(), CallError> {
        require("task", &self.task)?;
        if self.artifacts.iter().any(|a| a.key.is_empty()) {
            return Err(CallError::validation("each artifact id needs a 'key'"));
        }
        Ok(())
    }
}

/// `{deleted, files_deleted}` of `tasks.delete_artifacts`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeleteArtifactsResponse {
    /// Records deleted.
    pub deleted: u64,
    /// trove: files deleted from this files server.
    pub files_deleted: u64,
}

fn version<'de, D: Deserializer<'de>>(d: D) -> Result<Option<ArtifactVersion>, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(None),
        v => serde_json::from_value(v).map(Some).map_err(|e| {
            D::Error::custom(format!(
                "invalid 'version' (version, timestamp, hash, content_size and uri are required): {e}"
            ))
        }),
    }
}

/// trove extension `tasks.add_artifact_version {task, key, version}`: versions count from 1, in order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AddArtifactVersionRequest {
    /// Task id (required).
    #[serde(deserialize_with = "lenient::string")]
    pub task: String,
    /// Artifact key (required).
    #[serde(deserialize_with = "lenient::string")]
    pub key: String,
    /// The version (required).
    #[serde(deserialize_with = "version", skip_serializing_if = "Option::is_none")]
    pub version: Option<ArtifactVersion>,
}

impl Validate for AddArtifactVersionRequest {
    fn validate(&self) -> Result<(), CallError> {
        require("task", &self.task)?;
        require("key", &self.key)?;
        match &self.version {
            None => Err(CallError::missing_field("version")),
            Some(v) if v.version == 0 => {
                Err(CallError::validation("artifact versions count from 1"))
            }
            Some(_) => Ok(()),
        }
    }
}

/// `{added}` of `tasks.add_artifact_version`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AddedResponse {
    /// 1.
    pub added: u64,
}

/// `{task, key}`: an artifact of a task.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ArtifactRef {
    /// Task id (required).
    #[serde(deserialize_with = "lenient::string")]
    pub task: String,
    /// Artifact key (required).
    #[serde(deserialize_with = "lenient::string")]
    pub key: String,
}

impl Validate for ArtifactRef {
    fn validate(&self) -> Result<(), CallError> {
        require("task", &self.task)?;
        require("key", &self.key)
    }
}

/// `{versions}` of `tasks.get_artifact_versions`, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct VersionsResponse {
    /// Every version (empty for an artifact never registered).
    pub versions: Vec<ArtifactVersion>,
}
