//! Opening and creating tasks from a client: [`Trove::task`], [`Trove::find_task`],
//! [`Trove::create_task`] and [`TaskBuilder`]; the destination precedence.

use super::{Task, TaskBuilder, TaskCore};
use crate::backend::{Backend, ProjectInfo, TaskInfo};
use crate::client::Trove;
use crate::context::{Ctx, DestinationSource};
use crate::error::{Result, TroveError, io_err};
use crate::publish::Publisher;
use crate::upload::Uploader;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;
use trove_core::Config;
use trove_storage::Destination;

impl TaskBuilder {
    /// Send artifacts here (a path, `file://`, `s3://`, `gs://`, `azure://` or a files server URL),
    /// overriding every other setting.
    pub fn output_uri(mut self, uri: impl Into<String>) -> Self {
        self.output_uri = Some(uri.into());
        self
    }

    /// How often registered frames are checked for changes (default: `[sdk] monitor_interval_secs`, else 10 s;
    /// zero means the default, and anything under 100 ms counts as 100 ms).
    pub fn monitor_interval(mut self, every: Duration) -> Self {
        self.monitor_interval = Some(every);
        self
    }

    /// Create the project (if needed) and a new task in it, mark it started, and check the destination is
    /// writable.
    pub async fn init(self) -> Result<Task> {
        if self.project.trim().is_empty() || self.name.trim().is_empty() {
            return Err(TroveError::InvalidName {
                name: format!("{}/{}", self.project, self.name),
                reason: "project and task names must not be empty".into(),
            });
        }
        let client = self.client;
        let config = client.config();
        let backend = client.backend();
        let project = backend.ensure_project(&self.project).await?;
        let info = backend.create_task(&project, &self.name).await?;
        let (uri, source) = choose_destination(
            config,
            &**backend,
            &project,
            None,
            self.output_uri.as_deref(),
        );
        let destination = open_destination(&uri, config, &**backend).await?;
        destination.check_writable().await?;
        backend
            .set_output_destination(&info.id, destination.uri(), source)
            .await?;
        tracing::info!(task = %info.id, project = %project.name, destination = %destination.uri(), chosen_by = source.as_str(),
            backend = %backend.describe(), "trove task started");
        core(
            &client,
            info,
            destination,
            source,
            true,
            self.monitor_interval,
        )
        .await
    }
}

impl Trove {
    /// A builder for a new task named `name` in project `project` (nested projects as `"a/b"`).
    pub fn task_builder(&self, project: &str, name: &str) -> TaskBuilder {
        TaskBuilder {
            client: self.clone(),
            project: project.into(),
            name: name.into(),
            output_uri: None,
            monitor_interval: None,
        }
    }

    /// Create a task named `name` in project `project` with the default settings (see [`TaskBuilder`]).
    pub async fn create_task(&self, project: &str, name: &str) -> Result<Task> {
        self.task_builder(project, name).init().await
    }

    /// Open a task by id (created by any process).
    pub async fn task(&self, id: &str) -> Result<Task> {
        let info = self.backend().get_task(id).await?;
        self.open_info(info, id).await
    }

    /// Open the newest task named `name` in `project` (created by any process).
    pub async fn find_task(&self, project: &str, name: &str) -> Result<Task> {
        let info = self.backend().find_task(project, name).await?;
        self.open_info(info, &format!("{project}/{name}")).await
    }

    async fn open_info(&self, info: Option<TaskInfo>, what: &str) -> Result<Task> {
        let info = info.ok_or_else(|| TroveError::TaskNotFound(what.to_string()))?;
        let project = ProjectInfo {
            id: info.project_id.clone(),
            name: info.project_name.clone(),
            default_output_destination: None,
        };
        let (uri, source) = choose_destination(
            self.config(),
            &**self.backend(),
            &project,
            info.output_destination.as_deref(),
            None,
        );
        let destination = open_destination(&uri, self.config(), &**self.backend()).await?;
        core(self, info, destination, source, false, None).await
    }
}

/// Assemble a task handle: staging folder, publication queue, uploader, monitor.
async fn core(
    client: &Trove,
    info: TaskInfo,
    destination: Destination,
    destination_source: DestinationSource,
    owned: bool,
    monitor_interval: Option<Duration>,
) -> Result<Task> {
    let config = client.config().clone();
    // One staging folder per handle: several handles (threads, processes) may work on one task.
    let staging =
        config
            .home
            .join("staging")
            .join(format!("{}-{}", info.id, &trove_core::new_id()[..8]));
    tokio::fs::create_dir_all(&staging)
        .await
        .map_err(io_err("create staging folder", &staging))?;
    let workers = config.sdk.upload_workers.unwrap_or(4).max(1);
    let cache = config.cache_dir();
    #[cfg(feature = "frame")]
    let monitor_interval =
        crate::monitor::interval(monitor_interval, config.sdk.monitor_interval_secs);
    #[cfg(not(feature = "frame"))]
    let _ = monitor_interval;
    let runtime = client.runtime().clone();
    let publisher = Publisher::start(client.backend().clone(), info.id.clone(), &runtime);
    let uploader = Uploader::new(destination, staging, publisher, workers, runtime);
    let ctx = Ctx {
        config,
        backend: client.backend().clone(),
        destination_source,
        cache,
    };
    Ok(Task::from_core(TaskCore {
        client: client.clone(),
        info,
        ctx: Arc::new(ctx),
        uploader: Arc::new(uploader),
        #[cfg(feature = "frame")]
        monitor: Default::default(),
        #[cfg(feature = "frame")]
        monitor_interval,
        owned,
        closed: AtomicBool::new(false),
    }))
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
        tokio::fs::create_dir_all(&dir)
            .await
            .map_err(io_err("create artifacts folder", &dir))?;
    }
    let mut dest = Destination::parse(uri, config)?;
    if let Some(provider) = backend.token_provider() {
        // Log in now so the provider has a token before the first upload.
        let _ = backend.files_token().await;
        dest = dest.with_token_provider(provider);
    }
    Ok(dest)
}
