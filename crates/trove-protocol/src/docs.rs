//! Task and project documents. ClearML's task document is open-ended (script, execution, hyper-parameters,
//! anything an SDK adds) and `get_all` answers are projected by `only_fields`, so documents travel as JSON
//! objects ([`TaskDoc`], [`ProjectDoc`]) with typed accessors for the fields trove reads: the field names live
//! here, not in the client.

use crate::destination::TaskOutput;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use trove_core::{ArtifactRecord, TaskStatus};

fn text<'a>(m: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    m.get(key).and_then(Value::as_str)
}

fn strings(m: &Map<String, Value>, key: &str) -> Vec<String> {
    m.get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// A task as `tasks.get_by_id` / `tasks.get_all` return it (possibly projected by `only_fields`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TaskDoc(pub Map<String, Value>);

impl TaskDoc {
    /// `id` (32 hex digits).
    pub fn id(&self) -> Option<&str> {
        text(&self.0, "id")
    }

    /// `name`.
    pub fn name(&self) -> Option<&str> {
        text(&self.0, "name")
    }

    /// `project` (the project's id).
    pub fn project(&self) -> Option<&str> {
        text(&self.0, "project")
    }

    /// `status`; [`TaskStatus::Unknown`] when absent or not a status.
    pub fn status(&self) -> TaskStatus {
        text(&self.0, "status")
            .and_then(|s| s.parse().ok())
            .unwrap_or(TaskStatus::Unknown)
    }

    /// `last_update` (ISO-8601).
    pub fn last_update(&self) -> Option<&str> {
        text(&self.0, "last_update")
    }

    /// `parent` (a task id).
    pub fn parent(&self) -> Option<&str> {
        text(&self.0, "parent")
    }

    /// `tags` (non-strings skipped).
    pub fn tags(&self) -> Vec<String> {
        strings(&self.0, "tags")
    }

    /// `system_tags` (non-strings skipped).
    pub fn system_tags(&self) -> Vec<String> {
        strings(&self.0, "system_tags")
    }

    /// `output.destination` and `output.destination_source`.
    pub fn output(&self) -> TaskOutput {
        TaskOutput::read(self.0.get("output"))
    }

    /// `execution.artifacts` (none when absent or `null`).
    pub fn artifacts(&self) -> Result<Vec<ArtifactRecord>, serde_json::Error> {
        match self.0.get("execution").and_then(|e| e.get("artifacts")) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(list) => Vec::<ArtifactRecord>::deserialize(list),
        }
    }
}

/// A project as `projects.get_by_id` / `projects.get_all` return it (possibly projected by `only_fields`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ProjectDoc(pub Map<String, Value>);

impl ProjectDoc {
    /// `id` (32 hex digits).
    pub fn id(&self) -> Option<&str> {
        text(&self.0, "id")
    }

    /// `name` (the full `a/b/c` path).
    pub fn name(&self) -> Option<&str> {
        text(&self.0, "name")
    }

    /// `default_output_destination`, when set to a string.
    pub fn default_output_destination(&self) -> Option<&str> {
        text(&self.0, "default_output_destination")
    }

    /// `tags` (non-strings skipped).
    pub fn tags(&self) -> Vec<String> {
        strings(&self.0, "tags")
    }

    /// `system_tags` (non-strings skipped).
    pub fn system_tags(&self) -> Vec<String> {
        strings(&self.0, "system_tags")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::destination::DestinationSource;
    use serde_json::json;

    #[test]
    fn task_accessors_read_projected_documents() {
        let t: TaskDoc = serde_json::from_value(json!({
            "id": "a", "name": "n", "status": "in_progress", "tags": ["x", 1],
            "output": {"destination": "s3://b/p", "destination_source": "code"},
            "execution": {"artifacts": [{"key": "k", "type": "custom", "uri": "file:///k"}]},
        }))
        .unwrap();
        assert_eq!(
            (t.id(), t.name(), t.project()),
            (Some("a"), Some("n"), None)
        );
        assert_eq!(t.status(), TaskStatus::InProgress);
        assert_eq!(t.tags(), ["x"]);
        assert_eq!(
            t.output(),
            TaskOutput::chosen("s3://b/p", DestinationSource::Code)
        );
        let arts = t.artifacts().unwrap();
        assert_eq!(arts.len(), 1);
        assert_eq!(arts[0].mode, "output");
        let only_id = TaskDoc(json!({"id": "a"}).as_object().cloned().unwrap());
        assert_eq!(only_id.status(), TaskStatus::Unknown);
        assert!(only_id.artifacts().unwrap().is_empty());
        let bad = TaskDoc(
            json!({"execution": {"artifacts": [{"key": 1}]}})
                .as_object()
                .cloned()
                .unwrap(),
        );
        assert!(bad.artifacts().is_err());
    }

    #[test]
    fn project_accessors() {
        let p: ProjectDoc = serde_json::from_value(
            json!({"id": "p", "name": "a/b", "default_output_destination": null}),
        )
        .unwrap();
        assert_eq!((p.id(), p.name()), (Some("p"), Some("a/b")));
        assert_eq!(p.default_output_destination(), None);
        assert_eq!(serde_json::to_string(&p).unwrap().chars().next(), Some('{'));
    }
}
