//! `Task::register_artifact` and friends: the public face of the monitor.

use crate::error::{Result, TroveError};
use crate::task::Task;
use crate::tracked::{Tracked, Uniqueness};
use crate::upload::validate_name;
use polars::prelude::DataFrame;
use std::collections::BTreeMap;

/// Options of [`Task::register_artifact_with`].
#[derive(Debug, Clone, Default)]
pub struct RegisterOptions {
    /// Metadata pairs (stored as strings).
    pub metadata: BTreeMap<String, String>,
    /// Columns that make a row unique, for the statistics line of the preview.
    pub uniqueness: Uniqueness,
}

impl RegisterOptions {
    /// Add one metadata pair.
    pub fn metadata(mut self, key: impl Into<String>, value: impl ToString) -> Self {
        self.metadata.insert(key.into(), value.to_string());
        self
    }
    /// Set the uniqueness columns.
    pub fn uniqueness(mut self, uniqueness: Uniqueness) -> Self {
        self.uniqueness = uniqueness;
        self
    }
}

impl Task {
    /// Watch `frame`: it is uploaded now and again whenever its content changes, as a new version of a
    /// `data-audit-table` artifact (ClearML's `register_artifact`).
    pub fn register_artifact(&self, name: &str, frame: &Tracked<DataFrame>) -> Result<()> {
        self.register_artifact_with(name, frame, RegisterOptions::default())
    }

    /// [`Task::register_artifact`] with metadata and the columns that make a row unique (for the statistics).
    pub fn register_artifact_with(
        &self,
        name: &str,
        frame: &Tracked<DataFrame>,
        opts: RegisterOptions,
    ) -> Result<()> {
        validate_name(name)?;
        if self.inner.closed.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(TroveError::Closed(self.id().into()));
        }
        if self.inner.monitor.is_registered(name) {
            return Err(TroveError::Registered(name.into()));
        }
        self.inner.monitor.register(
            &self.inner.ctx,
            &self.inner.info,
            self.inner.monitor_interval,
            name,
            frame,
            opts,
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
