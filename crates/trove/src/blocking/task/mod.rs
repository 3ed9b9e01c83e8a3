//! The blocking [`Task`]: every `impl Task` (blocking) lives in this module; `open` (opening and creating
//! tasks, [`TaskBuilder`], the deprecated constructors) and `register` (watched frames) only import from
//! here.

mod open;
#[cfg(feature = "frame")]
mod register;

use super::artifact::Artifact;
use super::client::Trove;
use crate::context::DestinationSource;
use crate::error::Result;
use crate::kinds::IntoArtifact;
use crate::options::UploadOptions;
use crate::runtime::OwnedRuntime;
use crate::task;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use trove_core::{ArtifactRecord, Config, TaskStatus};

/// A task (ClearML's "experiment"): artifacts are uploaded to it and read back from it.
///
/// [`Task::init`] creates one from the environment's configuration, like ClearML's `Task.init`; a
/// [`Trove`] client opens, creates and lists tasks with explicit settings. Cloning gives another handle to
/// the same task. The task is closed (uploads awaited, status `completed`) by [`Task::close`], or when the
/// last handle of a task this process created is dropped.
///
/// Blocking: call it from ordinary threads; from async code use [`crate::nonblocking::Task`].
///
/// ```no_run
/// # fn main() -> trove::Result<()> {
/// // The seed's one-liner: records into $TROVE_HOME (default ~/.trove) or the configured server.
/// let task = trove::Task::init("examples", "artifacts example")?;
/// # Ok(())
/// # }
/// ```
///
/// ```
/// use trove::{Trove, UploadOptions};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let dir = tempfile::tempdir()?;
/// # let file = dir.path().join("model.bin");
/// # std::fs::write(&file, [1u8, 2, 3])?;
/// let trove = Trove::builder().home(dir.path()).build()?;
/// let task = trove.create_task("examples", "task example")?;
/// task.upload_artifact("dictionary", serde_json::json!({"num_legs": {"falcon": 2}}))?;
/// task.upload_artifact("local file", file.as_path())?;          // the file as is
/// task.upload_artifact_with("waited", "some text", UploadOptions::default().wait(true))?;
/// let back: serde_json::Value = task.artifact("dictionary")?.get()?;
/// assert_eq!(back["num_legs"]["falcon"], 2);
/// task.close()?;                                                 // waits for uploads, marks it completed
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct Task {
    // Field order matters: `inner` drops before `rt`, because the last task handle's drop runs on that runtime.
    inner: task::Task,
    rt: Arc<OwnedRuntime>,
}

/// Options of a new task; from [`Trove::task_builder`] or [`Task::builder`]. [`Task::init`] uses the
/// defaults.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let dir = tempfile::tempdir()?;
/// let out = dir.path().join("shared");
/// std::fs::create_dir_all(&out)?;
/// let trove = trove::Trove::builder().home(dir.path()).build()?;
/// let task = trove
///     .task_builder("examples", "to a shared folder")
///     .output_uri(out.display().to_string())   // overrides every other destination setting
///     .monitor_interval(std::time::Duration::from_secs(2))
///     .init()?;
/// assert!(task.output_uri().ends_with("/shared"));
/// # Ok(())
/// # }
/// ```
#[must_use]
pub struct TaskBuilder {
    client: Option<Trove>,
    home: Option<PathBuf>,
    config: Option<Config>,
    project: String,
    name: String,
    output_uri: Option<String>,
    monitor_interval: Option<Duration>,
}

impl std::fmt::Debug for TaskBuilder {
    /// Never prints the configuration (which may hold keys).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TaskBuilder")
            .field("client", &self.client)
            .field("home", &self.home)
            .field("config", &self.config.as_ref().map(|_| "(given)"))
            .field("project", &self.project)
            .field("name", &self.name)
            .field("output_uri", &self.output_uri)
            .field("monitor_interval", &self.monitor_interval)
            .finish()
    }
}

impl Task {
    fn wrap(inner: task::Task, rt: &Arc<OwnedRuntime>) -> Task {
        Task {
            inner,
            rt: rt.clone(),
        }
    }

    /// The task's 32-hex id.
    pub fn id(&self) -> &str {
        self.inner.id()
    }

    /// The task's name.
    pub fn name(&self) -> &str {
        self.inner.name()
    }

    /// The project's name.
    pub fn project(&self) -> &str {
        self.inner.project()
    }

    /// The project's id.
    pub fn project_id(&self) -> &str {
        self.inner.project_id()
    }

    /// Where this task's artifacts go.
    pub fn output_uri(&self) -> &str {
        self.inner.output_uri()
    }

    /// Which setting chose [`Task::output_uri`].
    pub fn destination_source(&self) -> DestinationSource {
        self.inner.destination_source()
    }

    /// The client this task was opened with.
    pub fn trove(&self) -> Trove {
        Trove {
            inner: self.inner.trove().clone(),
            rt: self.rt.clone(),
        }
    }

    /// The task's current status as the backend has it.
    pub fn status(&self) -> Result<TaskStatus> {
        self.rt.block_on(self.inner.status())?
    }

    /// Every artifact recorded on the task, sorted by name (this handle's own records included, even those
    /// still queued for publication).
    pub fn artifacts(&self) -> Result<Vec<Artifact>> {
        Ok(self
            .rt
            .block_on(self.inner.artifacts())??
            .into_iter()
            .map(|a| Artifact::new(a, self.rt.clone()))
            .collect())
    }

    /// One artifact by name.
    pub fn artifact(&self, name: &str) -> Result<Artifact> {
        let a = self.rt.block_on(self.inner.artifact(name))??;
        Ok(Artifact::new(a, self.rt.clone()))
    }

    /// Delete artifact records, and with `delete_from_storage` their bytes too; returns how many records
    /// were deleted.
    pub fn delete_artifacts(&self, names: &[&str], delete_from_storage: bool) -> Result<usize> {
        self.rt
            .block_on(self.inner.delete_artifacts(names, delete_from_storage))?
    }

    /// Upload `object` as artifact `name` with default options (background upload); returns the record as
    /// published (state `uploading`; `ready` for links).
    ///
    /// What is stored depends on the object (see [`IntoArtifact`]): a polars `DataFrame` as
    /// `<name>.csv.gz`, a path as the file itself or a zip of a folder, a wildcard string as a zip of the
    /// matches, JSON values and maps as `<name>.json`, ndarray arrays as `<name>.npz`, images as
    /// `<name>.png`, other strings as `<name>.txt`, and `s3://`/`gs://`/`azure://`/`http(s)://` links as
    /// the link itself. The object is serialised in the calling thread; the upload runs in the background.
    pub fn upload_artifact(&self, name: &str, object: impl IntoArtifact) -> Result<ArtifactRecord> {
        self.upload_artifact_with(name, object, UploadOptions::default())
    }

    /// Upload with options; returns the record as published (state `uploading` unless `wait` was set).
    pub fn upload_artifact_with(
        &self,
        name: &str,
        object: impl IntoArtifact,
        opts: UploadOptions,
    ) -> Result<ArtifactRecord> {
        let core = self.inner.shared();
        core.check_upload(name)?;
        let obj = object.into_artifact()?;
        let job = core.prepare(name, obj, &opts)?;
        self.rt.block_on(core.submit(job, opts.wait))?
    }

    /// Wait for every background upload (and a sync of registered frames); report failures.
    pub fn flush(&self) -> Result<()> {
        self.rt.block_on(self.inner.flush())?
    }

    /// Finish: sync registered frames one last time, wait for uploads, mark the task completed (if this
    /// process created it). Upload failures are returned after the task is marked.
    pub fn close(self) -> Result<()> {
        let Task { inner, rt } = self;
        rt.block_on(inner.close())?
    }
}
