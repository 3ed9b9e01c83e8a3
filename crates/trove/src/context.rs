//! What a task handle and its artifacts share: plain data (configuration, backend, where the destination
//! came from, the cache folder). The active parts (uploader, publisher, monitor) live beside it, not in it.

use crate::backend::Backend;
use std::path::PathBuf;
use std::sync::Arc;
use trove_core::Config;

/// Which rule chose a task's output destination (highest first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
    /// A short label for logs and the UI.
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
}

/// Shared, immutable state of one task handle.
pub(crate) struct Ctx {
    pub config: Config,
    pub backend: Arc<dyn Backend>,
    pub destination_source: DestinationSource,
    /// The download cache (`$TROVE_HOME/cache`).
    pub cache: PathBuf,
}
