//! The blocking client [`Trove`] and its builder. Opening tasks from it: `blocking::task`.

use crate::client;
use crate::error::Result;
use crate::listing::TaskSummary;
use crate::runtime::OwnedRuntime;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use trove_core::Config;

/// A connection to where trove keeps tasks: the embedded store in `$TROVE_HOME` (the default) or a trove
/// server (`api_server`), with the I/O runtime its tasks use. Cheap to clone; clones share both. Open and
/// create tasks with [`Trove::task`], [`Trove::find_task`], [`Trove::create_task`] and
/// [`Trove::task_builder`].
///
/// Blocking: call it from ordinary threads. From async code use [`crate::nonblocking::Trove`], the same
/// API with `.await` (this one returns [`crate::TroveError::InsideAsync`] there).
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let dir = tempfile::tempdir()?;
/// use trove::Trove;
///
/// let trove = Trove::builder().home(dir.path()).build()?;  // or Trove::from_env()?
/// let task = trove.create_task("examples", "client example")?;
/// task.upload_artifact("notes", "plain text")?;
/// task.flush()?;                                            // other handles see it once published
/// assert_eq!(trove.tasks(Some("examples"))?.len(), 1);
/// let again = trove.task(task.id())?;                       // a second handle on the same task
/// assert_eq!(again.artifact("notes")?.get::<String>()?, "plain text");
/// task.close()?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct Trove {
    pub(crate) inner: client::Trove,
    pub(crate) rt: Arc<OwnedRuntime>,
}

/// Options of a blocking client; see [`crate::nonblocking::TroveBuilder`] for what each setting does.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let dir = tempfile::tempdir()?;
/// let trove = trove::Trove::builder()
///     .home(dir.path())                         // instead of $TROVE_HOME
///     .upload_workers(8)
///     .monitor_interval(std::time::Duration::from_secs(2))
///     .build()?;
/// assert_eq!(trove.config().home, dir.path());
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Default, Clone)]
#[must_use]
pub struct TroveBuilder {
    inner: client::TroveBuilder,
}

impl TroveBuilder {
    /// Use this trove home folder instead of `$TROVE_HOME` / `~/.trove` (its `trove.toml` is read).
    pub fn home(self, home: impl Into<PathBuf>) -> Self {
        Self {
            inner: self.inner.home(home),
        }
    }

    /// Use this configuration instead of loading one.
    pub fn config(self, config: Config) -> Self {
        Self {
            inner: self.inner.config(config),
        }
    }

    /// Keep tasks on this trove (or ClearML-compatible) server instead of the embedded store.
    pub fn api_server(self, url: impl Into<String>) -> Self {
        Self {
            inner: self.inner.api_server(url),
        }
    }

    /// The server's files server (the default destination in remote mode).
    pub fn files_server(self, url: impl Into<String>) -> Self {
        Self {
            inner: self.inner.files_server(url),
        }
    }

    /// The access and secret key of the server.
    pub fn credentials(self, access_key: impl Into<String>, secret_key: impl Into<String>) -> Self {
        Self {
            inner: self.inner.credentials(access_key, secret_key),
        }
    }

    /// Where artifacts go when neither the code, the task nor the project says.
    pub fn default_output_uri(self, uri: impl Into<String>) -> Self {
        Self {
            inner: self.inner.default_output_uri(uri),
        }
    }

    /// Parallel background uploads per task handle (default 4).
    pub fn upload_workers(self, n: usize) -> Self {
        Self {
            inner: self.inner.upload_workers(n),
        }
    }

    /// How often registered frames are checked for changes (default: `[sdk] monitor_interval_secs`, else 10 s;
    /// zero means the default, and anything under 100 ms counts as 100 ms).
    pub fn monitor_interval(self, every: Duration) -> Self {
        Self {
            inner: self.inner.monitor_interval(every),
        }
    }

    /// Start the client's I/O runtime and open the backend (creating the embedded store on first use).
    pub fn build(self) -> Result<Trove> {
        let config = self.inner.resolve_config()?;
        let rt = OwnedRuntime::start()?;
        let inner = rt.block_on(client::Trove::open(config, rt.handle().clone()))??;
        Ok(Trove { inner, rt })
    }
}

impl Trove {
    /// A client configured from the environment: `$TROVE_HOME/trove.toml` (or `TROVE_CONFIG_FILE`) and the
    /// `TROVE_*` variables; embedded unless `api_server` is set.
    pub fn from_env() -> Result<Trove> {
        Trove::builder().build()
    }

    /// A builder for a client with explicit settings.
    pub fn builder() -> TroveBuilder {
        TroveBuilder::default()
    }

    /// The configuration in use.
    pub fn config(&self) -> &Config {
        self.inner.config()
    }

    /// Where tasks are kept, for logs (`embedded sqlite://…`, `server http://…`).
    pub fn describe(&self) -> String {
        self.inner.describe()
    }

    /// Tasks of `project` (or of every project with `None`), newest first.
    pub fn tasks(&self, project: Option<&str>) -> Result<Vec<TaskSummary>> {
        self.rt.block_on(self.inner.tasks(project))?
    }
}

/// Tasks of `project` (or all), newest first, from the embedded store or the configured server.
#[deprecated(
    since = "0.2.0",
    note = "use Trove::builder().config(config).build()?.tasks(project)"
)]
pub fn list_tasks(config: &Config, project: Option<&str>) -> Result<Vec<TaskSummary>> {
    Trove::builder()
        .config(config.clone())
        .build()?
        .tasks(project)
}
