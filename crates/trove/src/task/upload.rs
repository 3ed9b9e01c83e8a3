//! Uploading artifacts (async): [`Task::upload_artifact`] and [`Task::upload_artifact_with`].

use super::{Task, TaskCore};
use crate::error::Result;
use crate::kinds::{ArtifactObject, IntoArtifact};
use crate::options::UploadOptions;
use crate::upload::Job;
use trove_core::ArtifactRecord;

impl Task {
    /// Upload `object` as artifact `name` with default options (background upload); returns the record as
    /// published (state `uploading`; `ready` for links).
    ///
    /// What is stored depends on the object (see [`IntoArtifact`]): a polars `DataFrame` as
    /// `<name>.csv.gz`, a path as the file itself or a zip of a folder, a wildcard string as a zip of the
    /// matches, JSON values and maps as `<name>.json`, ndarray arrays as `<name>.npz`, images as
    /// `<name>.png`, other strings as `<name>.txt`, and `s3://`/`gs://`/`azure://`/`http(s)://` links as
    /// the link itself. Serialisation runs on tokio's blocking pool.
    pub async fn upload_artifact(
        &self,
        name: &str,
        object: impl IntoArtifact,
    ) -> Result<ArtifactRecord> {
        self.upload_artifact_with(name, object, UploadOptions::default())
            .await
    }

    /// Upload with options; returns the record as published (state `uploading` unless `wait` was set).
    pub async fn upload_artifact_with(
        &self,
        name: &str,
        object: impl IntoArtifact,
        opts: UploadOptions,
    ) -> Result<ArtifactRecord> {
        self.shared().check_upload(name)?;
        let obj = object.into_artifact()?;
        let core = self.shared().clone();
        let wait = opts.wait;
        let name = name.to_string();
        let job = crate::runtime::on_blocking_pool("serialise an artifact", move || {
            core.prepare(&name, obj, &opts)
        })
        .await??;
        self.shared().submit(job, wait).await
    }
}

impl TaskCore {
    /// Serialise `obj` as artifact `name` (blocking: CPU and local I/O).
    pub(crate) fn prepare(
        &self,
        name: &str,
        obj: ArtifactObject,
        opts: &UploadOptions,
    ) -> Result<Job> {
        self.uploader.prepare(&self.info, name, obj, opts, true)
    }

    /// Upload a prepared job (see [`crate::upload::Uploader::submit`]).
    pub(crate) async fn submit(&self, job: Job, wait: bool) -> Result<ArtifactRecord> {
        self.uploader.submit(job, wait).await
    }
}
