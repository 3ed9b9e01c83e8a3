//! Opening and creating blocking tasks: [`Task::init`], [`TaskBuilder`], the task methods of the blocking
//! [`Trove`], and the deprecated constructors of 0.1.

use super::{Task, TaskBuilder};
use crate::blocking::client::Trove;
use crate::error::Result;
use crate::runtime::OwnedRuntime;
use crate::task::WeakTask;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;
use trove_core::Config;

/// The task this process created last, for the deprecated [`Task::current`] only: a weak reference (it
/// keeps neither the task nor its runtime alive). Removed with `Task::current` in the next release.
static CURRENT: Mutex<Option<(WeakTask, Weak<OwnedRuntime>)>> = Mutex::new(None);

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

    /// Use this trove home folder instead of `$TROVE_HOME` / `~/.trove`.
    #[deprecated(
        since = "0.2.0",
        note = "use Trove::builder().home(..).build()?.task_builder(project, name)"
    )]
    pub fn home(mut self, home: impl Into<PathBuf>) -> Self {
        self.home = Some(home.into());
        self
    }

    /// Use this configuration instead of loading one.
    #[deprecated(
        since = "0.2.0",
        note = "use Trove::builder().config(..).build()?.task_builder(project, name)"
    )]
    pub fn config(mut self, config: Config) -> Self {
        self.config = Some(config);
        self
    }

    /// Create the project (if needed) and a new task in it, mark it started, and check the destination is
    /// writable. Without a client (from [`Task::builder`]) one is made from the environment.
    pub fn init(self) -> Result<Task> {
        let client = match (self.client, self.home, self.config) {
            (Some(client), None, None) => client,
            (_, home, config) => {
                let mut b = Trove::builder();
                if let Some(config) = config {
                    b = b.config(config);
                }
                if let Some(home) = home {
                    b = b.home(home);
                }
                b.build()?
            }
        };
        let mut builder = client.inner.task_builder(&self.project, &self.name);
        if let Some(uri) = self.output_uri {
            builder = builder.output_uri(uri);
        }
        if let Some(every) = self.monitor_interval {
            builder = builder.monitor_interval(every);
        }
        let task = Task::wrap(client.rt.block_on(builder.init())??, &client.rt);
        if let Ok(mut cur) = CURRENT.lock() {
            *cur = Some((task.inner.downgrade(), Arc::downgrade(&task.rt)));
        }
        Ok(task)
    }
}

impl Trove {
    /// A builder for a new task named `name` in project `project` (nested projects as `"a/b"`).
    pub fn task_builder(&self, project: &str, name: &str) -> TaskBuilder {
        TaskBuilder {
            client: Some(self.clone()),
            ..Task::builder(project, name)
        }
    }

    /// Create a task named `name` in project `project` with the default settings (see [`TaskBuilder`]).
    pub fn create_task(&self, project: &str, name: &str) -> Result<Task> {
        self.task_builder(project, name).init()
    }

    /// Open a task by id (created by any process).
    pub fn task(&self, id: &str) -> Result<Task> {
        let task = self.rt.block_on(self.inner.task(id))??;
        Ok(Task::wrap(task, &self.rt))
    }

    /// Open the newest task named `name` in `project` (created by any process).
    pub fn find_task(&self, project: &str, name: &str) -> Result<Task> {
        let task = self.rt.block_on(self.inner.find_task(project, name))??;
        Ok(Task::wrap(task, &self.rt))
    }
}

impl Task {
    /// Create a task named `name` in project `project` (nested projects as `"a/b"`), with the settings of
    /// the environment (`Trove::from_env`) and the default options: the seed's
    /// `Task::init("examples", "artifacts example")?`.
    pub fn init(project: &str, name: &str) -> Result<Task> {
        Self::builder(project, name).init()
    }

    /// A builder for a new task with options, on a client made from the environment at
    /// [`TaskBuilder::init`] (see [`Trove::task_builder`] for one on a client of your own).
    pub fn builder(project: &str, name: &str) -> TaskBuilder {
        TaskBuilder {
            client: None,
            home: None,
            config: None,
            project: project.into(),
            name: name.into(),
            output_uri: None,
            monitor_interval: None,
        }
    }

    /// The task this process created last, if it is still open.
    #[deprecated(
        since = "0.2.0",
        note = "pass the Task (it is Clone) to where it is needed; no process-wide current task"
    )]
    pub fn current() -> Option<Task> {
        let cur = CURRENT.lock().ok()?;
        let (task, rt) = cur.as_ref()?;
        Some(Task {
            inner: task.upgrade()?,
            rt: rt.upgrade()?,
        })
    }

    /// Open the newest task named `name` in `project` (from any process).
    #[deprecated(
        since = "0.2.0",
        note = "use Trove::from_env()?.find_task(project, name)"
    )]
    pub fn get_task(project: &str, name: &str) -> Result<Task> {
        Trove::from_env()?.find_task(project, name)
    }

    /// Open a task by id (from any process).
    #[deprecated(since = "0.2.0", note = "use Trove::from_env()?.task(id)")]
    pub fn get_task_by_id(id: &str) -> Result<Task> {
        Trove::from_env()?.task(id)
    }

    /// Open a task by id with an explicit configuration (home folder, server).
    #[deprecated(
        since = "0.2.0",
        note = "use Trove::builder().config(config).build()?.task(id)"
    )]
    pub fn get_task_by_id_with(config: Config, id: &str) -> Result<Task> {
        Trove::builder().config(config).build()?.task(id)
    }

    /// Open an existing task with an explicit configuration (home folder, server).
    #[deprecated(
        since = "0.2.0",
        note = "use Trove::builder().config(config).build()?.find_task(project, name)"
    )]
    pub fn get_task_with(config: Config, project: &str, name: &str) -> Result<Task> {
        Trove::builder()
            .config(config)
            .build()?
            .find_task(project, name)
    }
}
