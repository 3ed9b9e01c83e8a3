//! The async [`Task`] (`trove::nonblocking::Task`): every `impl Task` lives in this module, split by
//! concern into submodules that only import from here: `open` (opening and creating tasks from a
//! [`Trove`], [`TaskBuilder::init`]), `upload` (uploading artifacts), `register` (watched frames).

mod open;
#[cfg(feature = "frame")]
mod register;
mod upload;

use crate::artifact::Artifact;
use crate::backend::TaskInfo;
use crate::client::Trove;
use crate::context::{Ctx, DestinationSource};
use crate::error::{Result, TroveError};
#[cfg(feature = "frame")]
use crate::monitor::Monitor;
use crate::upload::Uploader;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::runtime::Handle;
use trove_core::TaskStatus;

/// A task (ClearML's "experiment"), async: artifacts are uploaded to it and read back from it.
///
/// Cloning gives another handle to the same task. The task is closed (uploads awaited, status
/// `completed`) by [`Task::close`], or when the last handle of a task this client created is dropped: from
/// async code that last close runs in the background on the client's runtime (errors are logged), so call
/// `close().await` to wait for it and see its errors. The blocking [`crate::Task`] wraps this type.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let dir = tempfile::tempdir()?;
/// use trove::nonblocking::Trove;
///
/// let trove = Trove::builder().home(dir.path()).build().await?;
/// let task = trove.create_task("examples", "artifacts example").await?;
/// task.upload_artifact("dictionary", serde_json::json!({"num_legs": {"falcon": 2}})).await?;
/// task.upload_artifact("notes", "plain text").await?;
/// let value: serde_json::Value = task.artifact("dictionary").await?.get().await?;
/// assert_eq!(value["num_legs"]["falcon"], 2);
/// task.close().await?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Task {
    inner: Arc<Open>,
}

/// Options of a new task (async); from [`Trove::task_builder`]. [`Trove::create_task`] uses the defaults.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let dir = tempfile::tempdir()?;
/// # let shared = dir.path().join("shared");
/// # std::fs::create_dir_all(&shared)?;
/// let trove = trove::nonblocking::Trove::builder().home(dir.path()).build().await?;
/// let task = trove
///     .task_builder("examples", "to a shared folder")
///     .output_uri(shared.display().to_string())   // e.g. /mnt/shared/artifacts, s3://bucket/prefix
///     .monitor_interval(std::time::Duration::from_secs(2))
///     .init()
///     .await?;
/// assert!(task.output_uri().ends_with("/shared"));
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
#[must_use]
pub struct TaskBuilder {
    client: Trove,
    project: String,
    name: String,
    output_uri: Option<String>,
    monitor_interval: Option<Duration>,
}

impl std::fmt::Debug for Task {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Task")
            .field("id", &self.id())
            .field("project", &self.project())
            .field("name", &self.name())
            .field("output_uri", &self.output_uri())
            .finish()
    }
}

impl std::fmt::Debug for TaskBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TaskBuilder")
            .field("project", &self.project)
            .field("name", &self.name)
            .field("output_uri", &self.output_uri)
            .field("monitor_interval", &self.monitor_interval)
            .finish()
    }
}

/// The open task: closes it when the last handle goes.
struct Open {
    core: Arc<TaskCore>,
}

/// Everything one task handle holds.
pub(crate) struct TaskCore {
    client: Trove,
    info: TaskInfo,
    ctx: Arc<Ctx>,
    uploader: Arc<Uploader>,
    #[cfg(feature = "frame")]
    monitor: Monitor,
    #[cfg(feature = "frame")]
    monitor_interval: Duration,
    /// Created by this handle's client: closing marks it completed.
    owned: bool,
    closed: AtomicBool,
}

impl Task {
    fn core(&self) -> &TaskCore {
        &self.inner.core
    }

    /// The task's 32-hex id.
    pub fn id(&self) -> &str {
        &self.core().info.id
    }

    /// The task's name.
    pub fn name(&self) -> &str {
        &self.core().info.name
    }

    /// The project's name.
    pub fn project(&self) -> &str {
        &self.core().info.project_name
    }

    /// The project's id.
    pub fn project_id(&self) -> &str {
        &self.core().info.project_id
    }

    /// Where this task's artifacts go.
    pub fn output_uri(&self) -> &str {
        self.core().uploader.destination().uri()
    }

    /// Which setting chose [`Task::output_uri`].
    pub fn destination_source(&self) -> DestinationSource {
        self.core().ctx.destination_source
    }

    /// The client this task was opened with.
    pub fn trove(&self) -> &Trove {
        &self.core().client
    }

    /// The task's current status as the backend has it.
    pub async fn status(&self) -> Result<TaskStatus> {
        self.core()
            .ctx
            .backend
            .get_task(self.id())
            .await?
            .map(|t| t.status)
            .ok_or_else(|| TroveError::TaskNotFound(self.id().to_string()))
    }

    /// Every artifact recorded on the task, sorted by name (this handle's own records included, even those
    /// still queued for publication).
    pub async fn artifacts(&self) -> Result<Vec<Artifact>> {
        let core = self.core();
        core.uploader.publisher().sync().await;
        let records = core.ctx.backend.list_artifacts(self.id()).await?;
        Ok(records
            .into_iter()
            .map(|r| Artifact::new(r, self.id(), core.ctx.clone(), core.uploader.clone()))
            .collect())
    }

    /// One artifact by name.
    pub async fn artifact(&self, name: &str) -> Result<Artifact> {
        self.artifacts()
            .await?
            .into_iter()
            .find(|a| a.name() == name)
            .ok_or_else(|| TroveError::ArtifactNotFound {
                task: self.id().into(),
                name: name.into(),
            })
    }

    /// Delete artifact records, and with `delete_from_storage` their bytes too; returns how many records
    /// were deleted.
    pub async fn delete_artifacts(
        &self,
        names: &[&str],
        delete_from_storage: bool,
    ) -> Result<usize> {
        let ctx = &self.core().ctx;
        let keys: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        self.core().uploader.publisher().sync().await;
        let deleted = ctx.backend.delete_artifacts(self.id(), &keys).await?;
        if delete_from_storage {
            let token = ctx.backend.files_token().await;
            for r in &deleted {
                if let (Some(uri), Some(_)) = (&r.uri, &r.hash) {
                    trove_storage::delete_uri(uri, &ctx.config, token.as_deref()).await?;
                }
            }
        }
        Ok(deleted.len())
    }

    /// Wait for every background upload (and a sync of registered frames); report failures.
    pub async fn flush(&self) -> Result<()> {
        let core = self.core();
        #[cfg(feature = "frame")]
        core.monitor.sync_now().await?;
        let mut failures = core.uploader.wait_all().await;
        core.uploader.publisher().sync().await;
        failures.extend(core.uploader.publisher().take_failures());
        if failures.is_empty() {
            Ok(())
        } else {
            Err(TroveError::UploadsFailed(failures))
        }
    }

    /// Finish: sync registered frames one last time, wait for uploads, mark the task completed (if this
    /// client created it). Upload failures are returned after the task is marked.
    pub async fn close(self) -> Result<()> {
        self.core().finish().await
    }

    /// The shared core (for the blocking wrapper).
    pub(crate) fn shared(&self) -> &Arc<TaskCore> {
        &self.inner.core
    }

    /// A handle on `core` that closes the task when the last such handle is dropped.
    fn from_core(core: TaskCore) -> Task {
        Task {
            inner: Arc::new(Open {
                core: Arc::new(core),
            }),
        }
    }

    /// A reference that does not keep the task open.
    pub(crate) fn downgrade(&self) -> WeakTask {
        WeakTask(Arc::downgrade(&self.inner))
    }
}

/// A task reference that does not keep it open.
#[derive(Clone)]
pub(crate) struct WeakTask(std::sync::Weak<Open>);

impl WeakTask {
    /// The task, if a handle of it is still alive.
    pub(crate) fn upgrade(&self) -> Option<Task> {
        self.0.upgrade().map(|inner| Task { inner })
    }
}

impl TaskCore {
    /// The runtime background work of this task runs on.
    pub(crate) fn runtime(&self) -> &Handle {
        self.client.runtime()
    }

    /// Refuse names that are invalid, and any upload once the task is closed or `name` is watched.
    pub(crate) fn check_upload(&self, name: &str) -> Result<()> {
        crate::upload::validate_name(name)?;
        if self.closed.load(Ordering::SeqCst) {
            return Err(TroveError::Closed(self.info.id.clone()));
        }
        #[cfg(feature = "frame")]
        if self.monitor.is_registered(name) {
            return Err(TroveError::Registered(name.into()));
        }
        Ok(())
    }

    async fn finish(&self) -> Result<()> {
        if self.closed.swap(true, Ordering::SeqCst) {
            return Ok(());
        }
        #[cfg(feature = "frame")]
        let monitor = self.monitor.stop().await;
        #[cfg(not(feature = "frame"))]
        let monitor: Result<()> = Ok(());
        let mut failures = self.uploader.wait_all().await;
        self.uploader.publisher().stop().await;
        failures.extend(self.uploader.publisher().take_failures());
        if self.owned {
            self.ctx
                .backend
                .set_status(&self.info.id, TaskStatus::Completed, "completed")
                .await?;
        }
        let _ = tokio::fs::remove_dir_all(self.uploader.staging()).await;
        monitor?;
        if failures.is_empty() {
            Ok(())
        } else {
            Err(TroveError::UploadsFailed(failures))
        }
    }
}

impl Drop for Open {
    fn drop(&mut self) {
        if self.core.closed.load(Ordering::SeqCst) {
            return;
        }
        let core = self.core.clone();
        let close = async move {
            if let Err(e) = core.finish().await {
                tracing::error!(task = %core.info.id, "closing task on drop: {e}");
            }
        };
        if Handle::try_current().is_ok() {
            // Async code may not block: close in the background on the client's runtime.
            self.core.runtime().spawn(close);
        } else {
            self.core.runtime().block_on(close);
        }
    }
}
