//! `Task::register_artifact` and friends: the public face of the monitor.

use crate::error::{Result, TroveError};
use crate::task::Task;
use crate::tracked::{Tracked, Uniqueness};
use crate::upload::validate_name;
use polars::prelude::DataFrame;
use std::collections::BTreeMap;

impl Task {
    /// Watch `frame`: it is uploaded now and again whenever its content changes, as a new version of a
    /// `data-audit-table` artifact (ClearML's `register_artifact`).
    pub fn register_artifact(&self, name: &str, frame: &Tracked<DataFrame>) -> Result<()> {
        self.register_artifact_with(
            name,
            frame,
            Vec::<(String, String)>::new(),
            Uniqueness::AllColumns,
        )
    }

    /// [`Task::register_artifact`] with metadata and the columns that make a row unique (for the statistics).
    pub fn register_artifact_with<K: Into<String>, V: ToString>(
        &self,
        name: &str,
        frame: &Tracked<DataFrame>,
        metadata: impl IntoIterator<Item = (K, V)>,
        uniqueness: Uniqueness,
    ) -> Result<()> {
        validate_name(name)?;
        if self.inner.closed.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(TroveError::Closed(self.id().into()));
        }
        if self.inner.monitor.is_registered(name) {
            return Err(TroveError::Registered(name.into()));
        }
        let metadata = metadata
            .into_iter()
            .map(|(k, v)| (k.into(), v.to_string()))
            .collect();
        self.inner.monitor.register(
            &self.inner.ctx,
            &self.inner.info,
            self.inner.monitor_interval,
            name,
            frame,
            metadata,
            uniqueness,
        )
    }

    /// The registered frames by name: the same live handles that were registered.
    pub fn get_registered_artifacts(&self) -> BTreeMap<String, Tracked<DataFrame>> {
        self.inner.monitor.frames()
    }

    /// Stop watching `name` after one last sync.
    pub fn unregister_artifact(&self, name: &str) -> Result<()> {
        self.inner.monitor.unregister(name)
    }
}
