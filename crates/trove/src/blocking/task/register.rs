//! Registered (watched) frames, blocking.

use super::Task;
use crate::error::Result;
use crate::options::RegisterOptions;
use crate::tracked::Tracked;
use polars::prelude::DataFrame;
use std::collections::BTreeMap;

impl Task {
    /// Watch `frame`: it is uploaded now and again whenever its content changes, as a new version of a
    /// `data-audit-table` artifact (ClearML's `register_artifact`).
    pub fn register_artifact(&self, name: &str, frame: &Tracked<DataFrame>) -> Result<()> {
        self.register_artifact_with(name, frame, RegisterOptions::default())
    }

    /// [`Task::register_artifact`] with metadata and the columns that make a row unique (for the
    /// statistics).
    pub fn register_artifact_with(
        &self,
        name: &str,
        frame: &Tracked<DataFrame>,
        opts: RegisterOptions,
    ) -> Result<()> {
        self.rt
            .block_on(self.inner.register_artifact_with(name, frame, opts))?
    }

    /// The registered frames by name: the same live handles that were registered.
    pub fn registered_artifacts(&self) -> BTreeMap<String, Tracked<DataFrame>> {
        self.inner.registered_artifacts()
    }

    /// The registered frames by name.
    #[deprecated(since = "0.2.0", note = "use Task::registered_artifacts")]
    pub fn get_registered_artifacts(&self) -> BTreeMap<String, Tracked<DataFrame>> {
        self.registered_artifacts()
    }

    /// Stop watching `name` after one last sync.
    pub fn unregister_artifact(&self, name: &str) -> Result<()> {
        self.rt.block_on(self.inner.unregister_artifact(name))?
    }
}
