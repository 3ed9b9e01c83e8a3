//! The artifact record and task status, in ClearML's wire shape (docs/clearml-compat.md §6) plus trove's upload state.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Where an artifact's bytes are: trove publishes the record at once and says whether the bytes are there yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum UploadState {
    /// The record exists, the bytes are still being uploaded.
    Uploading,
    /// The bytes are stored and match `hash`.
    #[default]
    Ready,
    /// The upload failed for good; `error` says why.
    Failed,
}

impl UploadState {
    /// The lowercase name used on the wire and in the store.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Uploading => "uploading",
            Self::Ready => "ready",
            Self::Failed => "failed",
        }
    }
}

impl FromStr for UploadState {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "uploading" => Ok(Self::Uploading),
            "ready" => Ok(Self::Ready),
            "failed" => Ok(Self::Failed),
            other => Err(format!("unknown upload state {other:?}")),
        }
    }
}

/// `type_data` of an artifact: preview text, MIME type, and for registered frames the content hash.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TypeData {
    /// Human-readable preview (capped at 64 KiB, see [`crate::preview`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preview: Option<String>,
    /// MIME type of the stored file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// Hash of the data (registered frames only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_hash: Option<String>,
}

/// One earlier (or the current) version of a registered artifact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArtifactVersion {
    /// 1 for the first upload, counting up.
    pub version: u32,
    /// Epoch seconds of the upload.
    pub timestamp: i64,
    /// SHA-256 of the stored file.
    pub hash: String,
    /// Size of the stored file in bytes.
    pub content_size: u64,
    /// Where the bytes are.
    pub uri: String,
    /// Content hash used for change detection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_hash: Option<String>,
}

/// An artifact record as ClearML's API carries it (`tasks.add_or_update_artifacts`), plus trove's state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArtifactRecord {
    /// Artifact name, unique per task and mode.
    pub key: String,
    /// Kind: `pandas`, `custom`, `dict`, `numpy`, `image`, `archive`, `string`, `data-audit-table`, …
    #[serde(rename = "type")]
    pub kind: String,
    /// `output` (the default) or `input`.
    #[serde(default = "default_mode")]
    pub mode: String,
    /// Where the bytes are (or the link, for link artifacts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    /// Stored size in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_size: Option<u64>,
    /// SHA-256 hex of the stored bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash: Option<String>,
    /// Epoch seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<i64>,
    /// Preview, content type, data hash.
    #[serde(default)]
    pub type_data: TypeData,
    /// Metadata pairs, all strings, sorted by key.
    #[serde(default, deserialize_with = "de_pairs")]
    pub display_data: Vec<(String, String)>,
    /// trove: upload state. Absent on records written by other clients, which publish finished uploads.
    #[serde(default)]
    pub state: UploadState,
    /// trove: why the upload failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

fn default_mode() -> String {
    "output".into()
}

/// `display_data` arrives as `[[k, v], ...]`; tolerate `null` and non-string values.
fn de_pairs<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<(String, String)>, D::Error> {
    let v: Option<Vec<Vec<serde_json::Value>>> = Option::deserialize(d)?;
    let text = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    Ok(v.unwrap_or_default()
        .iter()
        .filter(|p| !p.is_empty())
        .map(|p| (text(&p[0]), p.get(1).map(text).unwrap_or_default()))
        .collect())
}

impl ArtifactRecord {
    /// A record with just key and kind; the rest empty.
    pub fn new(key: impl Into<String>, kind: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            kind: kind.into(),
            mode: default_mode(),
            uri: None,
            content_size: None,
            hash: None,
            timestamp: None,
            type_data: TypeData::default(),
            display_data: Vec::new(),
            state: UploadState::Ready,
            error: None,
        }
    }

    /// Metadata as a sorted map.
    pub fn metadata(&self) -> std::collections::BTreeMap<String, String> {
        self.display_data.iter().cloned().collect()
    }

    /// The preview text, or "".
    pub fn preview(&self) -> &str {
        self.type_data.preview.as_deref().unwrap_or("")
    }
}

/// Task status as ClearML's API names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    /// Created, not yet started.
    Created,
    /// Queued for an agent.
    Queued,
    /// Running.
    InProgress,
    /// Stopped (aborted).
    Stopped,
    /// Finished successfully.
    Completed,
    /// Ended with an error.
    Failed,
    /// Being published.
    Publishing,
    /// Published.
    Published,
    /// Closed.
    Closed,
    /// Unknown.
    Unknown,
}

impl TaskStatus {
    /// ClearML's status state machine (clearml-server's `bll/task/utils.py`): may a task in this status move
    /// to `to`? A same-status change is allowed.
    pub fn may_change_to(self, to: TaskStatus) -> bool {
        use TaskStatus::*;
        if self == to {
            return true;
        }
        let allowed: &[TaskStatus] = match self {
            Created => &[Queued, InProgress],
            Queued => &[Created, InProgress],
            InProgress => &[Stopped, Failed, Created, Completed],
            Stopped => &[
                Closed, Created, Failed, InProgress, Published, Publishing, Completed,
            ],
            Closed => &[Created, Failed, Published, Publishing, Stopped],
            Failed => &[Created, Stopped, Published],
            Publishing => &[Published],
            Published => &[],
            Completed => &[Published, InProgress, Created],
            Unknown => &[],
        };
        allowed.contains(&to)
    }

    /// The wire name, e.g. `in_progress`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Queued => "queued",
            Self::InProgress => "in_progress",
            Self::Stopped => "stopped",
            Self::Completed => "completed",
            Self::Failed => "failed",
            Self::Publishing => "publishing",
            Self::Published => "published",
            Self::Closed => "closed",
            Self::Unknown => "unknown",
        }
    }

    /// Every status, for validation and filters.
    pub const ALL: [TaskStatus; 10] = [
        Self::Created,
        Self::Queued,
        Self::InProgress,
        Self::Stopped,
        Self::Completed,
        Self::Failed,
        Self::Publishing,
        Self::Published,
        Self::Closed,
        Self::Unknown,
    ];
}

impl fmt::Display for TaskStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TaskStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| format!("unknown task status {s:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_parses_clearml_shape_and_ignores_unknown_keys() {
        let j = r#"{"key":"train","type":"data-audit-table","uri":"http://x/a.csv.gz","content_size":89,
            "hash":"66bd","timestamp":1795663639,"type_data":{"preview":"p","content_type":"text/csv","data_hash":"21bf"},
            "display_data":[["counting","legs"],["max legs",69]],"method":"get"}"#;
        let r: ArtifactRecord = serde_json::from_str(j).unwrap();
        assert_eq!(r.mode, "output");
        assert_eq!(r.state, UploadState::Ready);
        assert_eq!(r.display_data[1], ("max legs".into(), "69".into()));
        assert_eq!(r.type_data.data_hash.as_deref(), Some("21bf"));
        let back = serde_json::to_value(&r).unwrap();
        assert_eq!(back["type"], "data-audit-table");
        assert_eq!(back["display_data"][0][0], "counting");
    }

    #[test]
    fn status_names_round_trip() {
        for s in TaskStatus::ALL {
            assert_eq!(s.as_str().parse::<TaskStatus>().unwrap(), s);
        }
        assert!("nope".parse::<TaskStatus>().is_err());
    }
}
