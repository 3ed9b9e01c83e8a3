//! Where a task's artifacts go: [`DestinationSource`] (which precedence rule chose the destination) and
//! [`TaskOutput`], the `output.destination` / `output.destination_source` pair of a task document that the
//! SDK writes and the web UI explains.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};
use std::fmt;
use std::str::FromStr;

/// Which rule chose a task's output destination (highest precedence first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DestinationSource {
    /// `TaskBuilder::output_uri` in code.
    Code,
    /// The task's own output destination (set in the web UI before it started).
    Task,
    /// The project's default output destination.
    Project,
    /// `TROVE_DEFAULT_OUTPUT_URI` in the environment.
    Environment,
    /// `default_output_uri` in the configuration file.
    ConfigFile,
    /// The server's files server (remote mode) or `$TROVE_HOME/artifacts` (embedded).
    Default,
}

impl DestinationSource {
    /// Every source, highest precedence first.
    pub const ALL: [DestinationSource; 6] = [
        Self::Code,
        Self::Task,
        Self::Project,
        Self::Environment,
        Self::ConfigFile,
        Self::Default,
    ];

    /// The label recorded in `output.destination_source` (and shown in logs).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Code => "code",
            Self::Task => "task",
            Self::Project => "project",
            Self::Environment => "environment",
            Self::ConfigFile => "config file",
            Self::Default => "default",
        }
    }

    /// The source with this label, if any.
    pub fn parse(label: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == label)
    }
}

impl fmt::Display for DestinationSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A label that names no [`DestinationSource`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown destination source {0:?}: expected code, task, project, environment, config file or default"
)]
pub struct UnknownDestinationSource(pub String);

impl FromStr for DestinationSource {
    type Err = UnknownDestinationSource;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s).ok_or_else(|| UnknownDestinationSource(s.to_string()))
    }
}

impl Serialize for DestinationSource {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for DestinationSource {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// The destination part of a task document's `output` object.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskOutput {
    /// `output.destination`: where the task's artifacts go.
    pub destination: Option<String>,
    /// `output.destination_source`: which rule chose it (written by the trove SDK and web UI only).
    pub destination_source: Option<DestinationSource>,
}

impl TaskOutput {
    /// Key of the destination in `output`.
    pub const DESTINATION: &'static str = "destination";
    /// Key of the destination's source label in `output`.
    pub const DESTINATION_SOURCE: &'static str = "destination_source";

    /// A destination and the rule that chose it.
    pub fn chosen(destination: &str, source: DestinationSource) -> Self {
        Self {
            destination: Some(destination.to_string()),
            destination_source: Some(source),
        }
    }

    /// Read from an `output` object (non-strings and unknown labels count as absent; see
    /// [`TaskOutput::source_label`] for the raw label).
    pub fn read(output: Option<&Value>) -> Self {
        Self {
            destination: text(output, Self::DESTINATION),
            destination_source: text(output, Self::DESTINATION_SOURCE)
                .and_then(|s| DestinationSource::parse(&s)),
        }
    }

    /// The raw `output.destination_source` label, trimmed and non-empty (also labels this version does not know).
    pub fn source_label(output: Option<&Value>) -> Option<String> {
        text(output, Self::DESTINATION_SOURCE)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    }

    /// Write into an `output` object, keeping its other keys; a `None` removes the key.
    pub fn apply(&self, output: &mut Map<String, Value>) {
        let mut set = |key: &str, v: Option<&str>| match v {
            Some(v) => {
                output.insert(key.to_string(), Value::String(v.to_string()));
            }
            None => {
                output.remove(key);
            }
        };
        set(Self::DESTINATION, self.destination.as_deref());
        set(
            Self::DESTINATION_SOURCE,
            self.destination_source.map(DestinationSource::as_str),
        );
    }

    /// An `output` object holding just this.
    pub fn to_object(&self) -> Map<String, Value> {
        let mut m = Map::new();
        self.apply(&mut m);
        m
    }
}

fn text(output: Option<&Value>, key: &str) -> Option<String> {
    output
        .and_then(|o| o.get(key))
        .and_then(Value::as_str)
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn labels_round_trip() {
        for s in DestinationSource::ALL {
            assert_eq!(DestinationSource::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::to_value(s).unwrap(), json!(s.as_str()));
            let back: DestinationSource = serde_json::from_value(json!(s.as_str())).unwrap();
            assert_eq!(back, s);
        }
        assert_eq!(DestinationSource::ConfigFile.as_str(), "config file");
        assert!("nope".parse::<DestinationSource>().is_err());
    }

    #[test]
    fn output_reads_and_writes_keep_other_keys() {
        let mut out = json!({"destination": "s3://b", "other": 1})
            .as_object()
            .cloned()
            .unwrap();
        TaskOutput::chosen("file:///x", DestinationSource::Project).apply(&mut out);
        assert_eq!(
            Value::Object(out.clone()),
            json!({"destination": "file:///x", "other": 1, "destination_source": "project"})
        );
        let v = Value::Object(out.clone());
        assert_eq!(
            TaskOutput::read(Some(&v)),
            TaskOutput::chosen("file:///x", DestinationSource::Project)
        );
        TaskOutput::default().apply(&mut out);
        assert_eq!(Value::Object(out), json!({"other": 1}));
        let odd = json!({"destination_source": " future rule "});
        assert_eq!(TaskOutput::read(Some(&odd)).destination_source, None);
        assert_eq!(
            TaskOutput::source_label(Some(&odd)).as_deref(),
            Some("future rule")
        );
    }
}
