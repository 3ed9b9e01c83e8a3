//! Registered (watched) frames (async): the public face of the monitor.

use super::Task;
use crate::error::Result;
use crate::monitor::Syncer;
use crate::options::RegisterOptions;
use crate::tracked::Tracked;
use polars::prelude::DataFrame;
use std::collections::BTreeMap;

impl Task {
    /// Watch `frame`: it is uploaded now and again whenever its content changes, as a new version of a
    /// `data-audit-table` artifact (ClearML's `register_artifact`).
    pub async fn register_artifact(&self, name: &str, frame: &Tracked<DataFrame>) -> Result<()> {
        self.register_artifact_with(name, frame, RegisterOptions::default())
            .await
    }

    /// [`Task::register_artifact`] with metadata and the columns that make a row unique (for the
    /// statistics).
    pub async fn register_artifact_with(
        &self,
        name: &str,
        frame: &Tracked<DataFrame>,
        opts: RegisterOptions,
    ) -> Result<()> {
        let core = self.shared();
        core.check_upload(name)?;
        let syncer = Syncer {
            uploader: core.uploader.clone(),
            backend: core.ctx.backend.clone(),
            info: core.info.clone(),
        };
        core.monitor
            .register(
                &syncer,
                core.runtime(),
                core.monitor_interval,
                name,
                frame,
                opts,
            )
            .await
    }

    /// The registered frames by name: the same live handles that were registered.
    pub fn registered_artifacts(&self) -> BTreeMap<String, Tracked<DataFrame>> {
        self.shared().monitor.frames()
    }

    /// Stop watching `name` after one last sync.
    pub async fn unregister_artifact(&self, name: &str) -> Result<()> {
        self.shared().monitor.unregister(name).await
    }
}
