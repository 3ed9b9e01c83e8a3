//! `Task`: the handle a program records artifacts on, in the embedded store or on a server.

use crate::artifact::Artifact;
use crate::backend::{Backend, Embedded, ProjectInfo, Remote, TaskInfo};
use crate::context::{Ctx, DestinationSource};
use crate::error::{Result, TroveError, io_err};
use crate::runtime::block_on;
use crate::upload::Uploader;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};
use trove_core::{Config, TaskStatus};
use trove_storage::Destination;

static CURRENT: Mutex<Option<Weak<TaskInner>>> = Mutex::new(None);

/// A task (ClearML's "experiment"): artifacts are uploaded to it and read back from it.
///
/// Cloning gives another handle to the same task. The task is closed (uploads awaited, status
/// `completed`) by [`Task::close`], or when the last handle of a task this process created is dropped.
#[derive(Clone)]
pub struct Task {
    pub(crate) inner: Arc<TaskInner>,
}

pub(crate) struct TaskInner {
    pub info: TaskInfo,
    pub ctx: Arc<Ctx>,
    /// Created by this process: closing marks it completed.
    pub owned: bool,
    pub closed: AtomicBool,
    pub monitor: crate::monitor::MonitorSlot,
    pub monitor_interval: std::time::Duration,
}

/// Options for opening a task; `Task::init` uses the defaults.
#[derive(Default)]
pub struct TaskBuilder {
    project: String,
    name: String,
    output_uri: Option<String>,
    home: Option<PathBuf>,
    config: Option<Config>,
    monitor_interval: Option<std::time::Duration>,
}

impl TaskBuilder {
    /// Send artifacts here (a path, `file://`, `s3://`, `gs://`, `azure://` or a files server URL),
    /// overriding every other setting.
    pub fn output_uri(mut self, uri: impl Into<String>) -> Self {
        self.output_uri = Some(uri.into());
        self
    }

    /// Use this trove home folder instead of `$TROVE_HOME` / `~/.trove`.
    pub fn home(mut self, home: impl Into<PathBuf>) -> Self {
        self.home = Some(home.into());
        self
    }

    /// Use this configuration instead of loading one.
    pub fn config(mut self, config: Config) -> Self {
        self.config = Some(config);
        self
    }

    /// How often registered frames are checked for changes (default: `sdk.monitor_interval_secs`, else 10 s).
    pub fn monitor_interval(mut self, every: std::time::Duration) -> Self {
        self.monitor_interval = Some(every);
        self
    }

    /// Create the project (if needed) and a new task in it, mark it started, and check the destination is writable.
    pub fn init(self) -> Result<Task> {
        if self.project.trim().is_empty() || self.name.trim().is_empty() {
            return Err(TroveError::InvalidName {
                name: format!("{}/{}", self.project, self.name),
                reason: "project and task names must not be empty".into(),
            });
        }
        let config = load_config(self.config, self.home)?;
        block_on(async move {
            let backend = open_backend(&config).await?;
            let project = backend.ensure_project(&self.project).await?;
            let info = backend.create_task(&project, &self.name).await?;
            let (uri, source) = choose_destination(
                &config,
                &*backend,
                &project,
                None,
                self.output_uri.as_deref(),
            );
            let destination = open_destination(&uri, &config, &*backend).await?;
            destination.check_writable().await?;
            backend
                .set_output_destination(&info.id, destination.uri(), source)
                .await?;
            tracing::info!(task = %info.id, destination = %destination.uri(), chosen_by = source.as_str(),
                backend = %backend.describe(), "trove task started");
            let mut task = Task::from_parts(info, config, backend, destination, source, true)?;
            if let (Some(every), Some(inner)) =
                (self.monitor_interval, Arc::get_mut(&mut task.inner))
            {
                inner.monitor_interval = every;
            }
            if let Ok(mut cur) = CURRENT.lock() {
                *cur = Some(Arc::downgrade(&task.inner));
            }
            Ok(task)
        })?
    }
}

fn load_config(config: Option<Config>, home: Option<PathBuf>) -> Result<Config> {
    Ok(match (config, home) {
        (Some(mut c), Some(h)) => {
            c.home = h;
            c
        }
        (Some(c), None) => c,
        (None, Some(h)) => Config::load_from_home(&h)?,
        (None, None) => Config::load()?,
    })
}

async fn open_backend(config: &Config) -> Result<Arc<dyn Backend>> {
    match &config.api_server {
        Some(api) => Ok(Arc::new(Remote::new(
            api,
            config.files_server.as_deref(),
            config.access_key.as_deref().unwrap_or_default(),
            config.secret_key.as_deref().unwrap_or_default(),
        )?)),
        None => {
            std::fs::create_dir_all(&config.home)
                .map_err(io_err("create trove home", &config.home))?;
            Ok(Arc::new(Embedded::open(&config.db_url()).await?))
        }
    }
}

/// The destination precedence: code > task > project > environment > config file > default.
fn choose_destination(
    config: &Config,
    backend: &dyn Backend,
    project: &ProjectInfo,
    task_destination: Option<&str>,
    code: Option<&str>,
) -> (String, DestinationSource) {
    let env = std::env::var("TROVE_DEFAULT_OUTPUT_URI")
        .ok()
        .filter(|v| !v.is_empty());
    let file = if env.is_some() {
        None
    } else {
        config.default_output_uri.clone()
    };
    let candidates = [
        (code.map(str::to_string), DestinationSource::Code),
        (
            task_destination.map(str::to_string),
            DestinationSource::Task,
        ),
        (
            project.default_output_destination.clone(),
            DestinationSource::Project,
        ),
        (env, DestinationSource::Environment),
        (file, DestinationSource::ConfigFile),
    ];
    for (uri, source) in candidates {
        if let Some(u) = uri.filter(|u| !u.trim().is_empty()) {
            return (u, source);
        }
    }
    match backend.files_server() {
        Some(files) => (files, DestinationSource::Default),
        None => (
            config.default_artifacts_dir().display().to_string(),
            DestinationSource::Default,
        ),
    }
}

async fn open_destination(
    uri: &str,
    config: &Config,
    backend: &dyn Backend,
) -> Result<Destination> {
    if uri == config.default_artifacts_dir().display().to_string() {
        let dir = config.default_artifacts_dir();
        std::fs::create_dir_all(&dir).map_err(io_err("create artifacts folder", &dir))?;
    }
    let mut dest = Destination::parse(uri, config)?;
    if let Some(provider) = backend.token_provider() {
        // Log in now so the provider has a token before the first upload.
        let _ = backend.files_token().await;
        dest = dest.with_token_provider(provider);
    }
    Ok(dest)
}

impl Task {
    /// Create a task named `name` in project `project` (nested projects as `"a/b"`), with the default settings.
    pub fn init(project: &str, name: &str) -> Result<Task> {
        Self::builder(project, name).init()
    }

    /// A builder for a new task with options.
    pub fn builder(project: &str, name: &str) -> TaskBuilder {
        TaskBuilder {
            project: project.into(),
            name: name.into(),
            ..Default::default()
        }
    }

    /// The task this process initialised last, if it is still open.
    pub fn current() -> Option<Task> {
        let cur = CURRENT.lock().ok()?;
        cur.as_ref()?.upgrade().map(|inner| Task { inner })
    }

    /// Open the newest task named `name` in `project` (from any process).
    pub fn get_task(project: &str, name: &str) -> Result<Task> {
        Self::open(
            Config::load()?,
            |b| {
                let (p, n) = (project.to_string(), name.to_string());
                Box::pin(async move { b.find_task(&p, &n).await })
            },
            &format!("{project}/{name}"),
        )
    }

    /// Open a task by id (from any process).
    pub fn get_task_by_id(id: &str) -> Result<Task> {
        Self::open(
            Config::load()?,
            |b| {
                let id = id.to_string();
                Box::pin(async move { b.get_task(&id).await })
            },
            id,
        )
    }

    /// Open a task by id with an explicit configuration (home folder, server).
    pub fn get_task_by_id_with(config: Config, id: &str) -> Result<Task> {
        Self::open(
            config,
            |b| {
                let id = id.to_string();
                Box::pin(async move { b.get_task(&id).await })
            },
            id,
        )
    }

    /// Open an existing task with an explicit configuration (home folder, server).
    pub fn get_task_with(config: Config, project: &str, name: &str) -> Result<Task> {
        Self::open(
            config,
            |b| {
                let (p, n) = (project.to_string(), name.to_string());
                Box::pin(async move { b.find_task(&p, &n).await })
            },
            &format!("{project}/{name}"),
        )
    }

    fn open(
        config: Config,
        find: impl FnOnce(
            Arc<dyn Backend>,
        ) -> futures::future::BoxFuture<'static, Result<Option<TaskInfo>>>,
        what: &str,
    ) -> Result<Task> {
        block_on(async move {
            let backend = open_backend(&config).await?;
            let info = find(backend.clone())
                .await?
                .ok_or_else(|| TroveError::TaskNotFound(what.to_string()))?;
            let project = ProjectInfo {
                id: info.project_id.clone(),
                name: info.project_name.clone(),
                default_output_destination: None,
            };
            let (uri, source) = choose_destination(
                &config,
                &*backend,
                &project,
                info.output_destination.as_deref(),
                None,
            );
            let destination = open_destination(&uri, &config, &*backend).await?;
            Task::from_parts(info, config, backend, destination, source, false)
        })?
    }

    fn from_parts(
        info: TaskInfo,
        config: Config,
        backend: Arc<dyn Backend>,
        destination: Destination,
        destination_source: DestinationSource,
        owned: bool,
    ) -> Result<Task> {
        // One staging folder per handle: several handles (threads, processes) may work on one task.
        let staging =
            config
                .home
                .join("staging")
                .join(format!("{}-{}", info.id, &trove_core::new_id()[..8]));
        std::fs::create_dir_all(&staging).map_err(io_err("create staging folder", &staging))?;
        let workers = config.sdk.upload_workers.unwrap_or(4).max(1);
        let cache = config.cache_dir();
        let monitor_interval = config
            .sdk
            .monitor_interval_secs
            .filter(|s| s.is_finite() && *s > 0.0)
            .map(std::time::Duration::from_secs_f64)
            .unwrap_or(crate::monitor::DEFAULT_INTERVAL);
        let publisher = crate::publish::Publisher::start(backend.clone(), info.id.clone());
        let ctx = Arc::new(Ctx {
            config,
            backend,
            publisher,
            destination,
            destination_source,
            uploader: Arc::new(Uploader::new(workers)),
            staging,
            cache,
        });
        Ok(Task {
            inner: Arc::new(TaskInner {
                info,
                ctx,
                owned,
                closed: AtomicBool::new(false),
                monitor: Default::default(),
                monitor_interval,
            }),
        })
    }

    /// The task's 32-hex id.
    pub fn id(&self) -> &str {
        &self.inner.info.id
    }

    /// The task's name.
    pub fn name(&self) -> &str {
        &self.inner.info.name
    }

    /// The project's name.
    pub fn project(&self) -> &str {
        &self.inner.info.project_name
    }

    /// The project's id.
    pub fn project_id(&self) -> &str {
        &self.inner.info.project_id
    }

    /// Where this task's artifacts go.
    pub fn output_uri(&self) -> &str {
        self.inner.ctx.destination.uri()
    }

    /// Which setting chose [`Task::output_uri`].
    pub fn destination_source(&self) -> DestinationSource {
        self.inner.ctx.destination_source
    }

    /// The task's current status as the backend has it.
    pub fn status(&self) -> Result<TaskStatus> {
        let ctx = self.inner.ctx.clone();
        let id = self.id().to_string();
        block_on(async move { ctx.backend.get_task(&id).await })??
            .map(|t| t.status)
            .ok_or_else(|| TroveError::TaskNotFound(self.id().to_string()))
    }

    /// Every artifact recorded on the task, sorted by name.
    pub fn artifacts(&self) -> Result<Vec<Artifact>> {
        let ctx = self.inner.ctx.clone();
        let id = self.id().to_string();
        let records = block_on(async move {
            ctx.publisher.sync().await;
            ctx.backend.list_artifacts(&id).await
        })??;
        Ok(records
            .into_iter()
            .map(|r| Artifact::new(r, self.id(), self.inner.ctx.clone()))
            .collect())
    }

    /// One artifact by name.
    pub fn artifact(&self, name: &str) -> Result<Artifact> {
        self.artifacts()?
            .into_iter()
            .find(|a| a.name() == name)
            .ok_or_else(|| TroveError::ArtifactNotFound {
                task: self.id().into(),
                name: name.into(),
            })
    }

    /// Delete artifact records, and with `delete_from_storage` their bytes too.
    pub fn delete_artifacts(&self, names: &[&str], delete_from_storage: bool) -> Result<usize> {
        let ctx = self.inner.ctx.clone();
        let id = self.id().to_string();
        let keys: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        block_on(async move {
            ctx.publisher.sync().await;
            let deleted = ctx.backend.delete_artifacts(&id, &keys).await?;
            if delete_from_storage {
                let token = ctx.backend.files_token().await;
                for r in &deleted {
                    if let (Some(uri), Some(_)) = (&r.uri, &r.hash) {
                        trove_storage::delete_uri(uri, &ctx.config, token.as_deref()).await?;
                    }
                }
            }
            Ok(deleted.len())
        })?
    }

    /// Wait for every background upload (and a sync of registered frames); report failures.
    pub fn flush(&self) -> Result<()> {
        self.inner.monitor.sync_now()?;
        let ctx = &self.inner.ctx;
        let failures = block_on(async {
            let mut f = ctx.uploader.wait_all().await;
            ctx.publisher.sync().await;
            f.extend(ctx.publisher.take_failures());
            f
        })?;
        if failures.is_empty() {
            Ok(())
        } else {
            Err(TroveError::UploadsFailed(failures))
        }
    }

    /// Finish: sync registered frames one last time, wait for uploads, mark the task completed.
    /// Upload failures are returned after the task is marked.
    pub fn close(self) -> Result<()> {
        self.inner.finish()
    }
}

impl TaskInner {
    fn finish(&self) -> Result<()> {
        if self.closed.swap(true, Ordering::SeqCst) {
            return Ok(());
        }
        let monitor = self.monitor.stop();
        let ctx = &self.ctx;
        let failures = block_on(async {
            let mut f = ctx.uploader.wait_all().await;
            ctx.publisher.stop().await;
            f.extend(ctx.publisher.take_failures());
            f
        })?;
        if self.owned {
            let ctx = self.ctx.clone();
            let id = self.info.id.clone();
            block_on(async move {
                ctx.backend
                    .set_status(&id, TaskStatus::Completed, "completed")
                    .await
            })??;
        }
        let _ = std::fs::remove_dir_all(&self.ctx.staging);
        monitor?;
        if failures.is_empty() {
            Ok(())
        } else {
            Err(TroveError::UploadsFailed(failures))
        }
    }
}

impl Drop for TaskInner {
    fn drop(&mut self) {
        if self.closed.load(Ordering::SeqCst) {
            return;
        }
        if let Err(e) = self.finish() {
            tracing::error!(task = %self.info.id, "closing task on drop: {e}");
        }
    }
}
