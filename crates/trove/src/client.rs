//! The async client ([`crate::nonblocking::Trove`]): configuration, the metadata backend (embedded store or
//! server) and the runtime background work runs on. Tasks are opened from it (see `task`).

use crate::backend::Backend;
use crate::error::{Result, TroveError};
use crate::listing::TaskSummary;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::runtime::Handle;
use trove_core::Config;

/// A connection to where trove keeps tasks (async): the embedded store in `$TROVE_HOME` (the default) or a
/// trove server (`api_server`). Cheap to clone; clones share the backend. Open and create tasks with
/// [`Trove::task`], [`Trove::find_task`], [`Trove::create_task`] and [`Trove::task_builder`].
///
/// Background work (uploads, publication, the monitor) runs on the tokio runtime the client was built in.
/// The blocking [`crate::Trove`] wraps this type with a runtime of its own.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let dir = tempfile::tempdir()?;
/// use trove::nonblocking::Trove;
///
/// let trove = Trove::builder().home(dir.path()).build().await?;  // or Trove::from_env().await?
/// let task = trove.create_task("examples", "async example").await?;
/// task.upload_artifact("dictionary", serde_json::json!({"a": 1})).await?;
/// for t in trove.tasks(Some("examples")).await? {
///     println!("{} {}", t.id, t.name);
/// }
/// task.close().await?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Trove {
    inner: Arc<Client>,
}

impl std::fmt::Debug for Trove {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Trove")
            .field("backend", &self.describe())
            .field("home", &self.inner.config.home)
            .finish()
    }
}

struct Client {
    config: Config,
    backend: Arc<dyn Backend>,
    lister: Lister,
    runtime: Handle,
}

/// The concrete backend, for the operations that are not part of [`Backend`] (listings).
enum Lister {
    #[cfg(feature = "_embedded")]
    Embedded(Arc<crate::backend::Embedded>),
    #[cfg(feature = "remote")]
    Remote(Arc<crate::backend::Remote>),
}

/// Options of a client; `Trove::builder()` starts from the configuration `Trove::from_env` would load.
///
/// Settings apply in this order: the configuration ([`TroveBuilder::config`], else the `trove.toml` of
/// [`TroveBuilder::home`], else of `$TROVE_HOME`), then each setter given.
#[derive(Default, Clone)]
#[must_use]
pub struct TroveBuilder {
    home: Option<PathBuf>,
    config: Option<Config>,
    api_server: Option<String>,
    files_server: Option<String>,
    credentials: Option<(String, String)>,
    default_output_uri: Option<String>,
    upload_workers: Option<usize>,
    monitor_interval: Option<Duration>,
}

impl std::fmt::Debug for TroveBuilder {
    /// Never prints the credentials nor the configuration (which may hold keys).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TroveBuilder")
            .field("home", &self.home)
            .field("config", &self.config.as_ref().map(|_| "(given)"))
            .field("api_server", &self.api_server)
            .field("files_server", &self.files_server)
            .field(
                "credentials",
                &self.credentials.as_ref().map(|(access, _)| (access, "***")),
            )
            .field("default_output_uri", &self.default_output_uri)
            .field("upload_workers", &self.upload_workers)
            .field("monitor_interval", &self.monitor_interval)
            .finish()
    }
}

impl TroveBuilder {
    /// Use this trove home folder instead of `$TROVE_HOME` / `~/.trove` (its `trove.toml` is read).
    pub fn home(mut self, home: impl Into<PathBuf>) -> Self {
        self.home = Some(home.into());
        self
    }

    /// Use this configuration instead of loading one (with [`TroveBuilder::home`], the home is replaced).
    pub fn config(mut self, config: Config) -> Self {
        self.config = Some(config);
        self
    }

    /// Keep tasks on this trove (or ClearML-compatible) server instead of the embedded store.
    pub fn api_server(mut self, url: impl Into<String>) -> Self {
        self.api_server = Some(url.into());
        self
    }

    /// The server's files server (the default destination in remote mode).
    pub fn files_server(mut self, url: impl Into<String>) -> Self {
        self.files_server = Some(url.into());
        self
    }

    /// The access and secret key of the server.
    pub fn credentials(
        mut self,
        access_key: impl Into<String>,
        secret_key: impl Into<String>,
    ) -> Self {
        self.credentials = Some((access_key.into(), secret_key.into()));
        self
    }

    /// Where artifacts go when neither the code, the task nor the project says (`default_output_uri`).
    pub fn default_output_uri(mut self, uri: impl Into<String>) -> Self {
        self.default_output_uri = Some(uri.into());
        self
    }

    /// Parallel background uploads per task handle (`[sdk] upload_workers`, default 4).
    pub fn upload_workers(mut self, n: usize) -> Self {
        self.upload_workers = Some(n);
        self
    }

    /// How often registered frames are checked for changes (default: `[sdk] monitor_interval_secs`, else 10 s;
    /// zero means the default, and anything under 100 ms counts as 100 ms).
    pub fn monitor_interval(mut self, every: Duration) -> Self {
        self.monitor_interval = Some(every);
        self
    }

    /// The configuration these settings give (loads `trove.toml` unless one was given).
    pub(crate) fn resolve_config(self) -> Result<Config> {
        let mut config = match (self.config, self.home) {
            (Some(mut c), Some(h)) => {
                c.home = h;
                c
            }
            (Some(c), None) => c,
            (None, Some(h)) => Config::load_from_home(&h)?,
            (None, None) => Config::load()?,
        };
        if let Some(api) = self.api_server {
            config.api_server = Some(api);
        }
        if let Some(files) = self.files_server {
            config.files_server = Some(files);
        }
        if let Some((access, secret)) = self.credentials {
            config.access_key = Some(access);
            config.secret_key = Some(secret);
        }
        if let Some(uri) = self.default_output_uri {
            config.default_output_uri = Some(uri);
        }
        if let Some(n) = self.upload_workers {
            config.sdk.upload_workers = Some(n);
        }
        if let Some(every) = self.monitor_interval {
            config.sdk.monitor_interval_secs = Some(every.as_secs_f64());
        }
        Ok(config)
    }

    /// Open the backend (creating the embedded store on first use) on the current tokio runtime.
    pub async fn build(self) -> Result<Trove> {
        let runtime = Handle::try_current().map_err(|_| TroveError::NoRuntime)?;
        Trove::open(self.resolve_config()?, runtime).await
    }
}

impl Trove {
    /// A client configured from the environment: `$TROVE_HOME/trove.toml` (or `TROVE_CONFIG_FILE`) and the
    /// `TROVE_*` variables; embedded unless `api_server` is set.
    pub async fn from_env() -> Result<Trove> {
        Trove::builder().build().await
    }

    /// A builder for a client with explicit settings.
    pub fn builder() -> TroveBuilder {
        TroveBuilder::default()
    }

    /// Open the backend `config` names; background work will run on `runtime`.
    pub(crate) async fn open(config: Config, runtime: Handle) -> Result<Trove> {
        let (backend, lister) = open_backend(&config).await?;
        tracing::debug!(backend = %backend.describe(), "trove client open");
        Ok(Trove {
            inner: Arc::new(Client {
                config,
                backend,
                lister,
                runtime,
            }),
        })
    }

    /// The configuration in use.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// Where tasks are kept, for logs (`embedded sqlite://…`, `server http://…`).
    pub fn describe(&self) -> String {
        self.inner.backend.describe()
    }

    /// Tasks of `project` (or of every project with `None`), newest first.
    pub async fn tasks(&self, project: Option<&str>) -> Result<Vec<TaskSummary>> {
        match &self.inner.lister {
            #[cfg(feature = "_embedded")]
            Lister::Embedded(e) => crate::listing::list_embedded(e, project).await,
            #[cfg(feature = "remote")]
            Lister::Remote(r) => crate::listing::list_remote(r, project).await,
            #[cfg(not(any(feature = "_embedded", feature = "remote")))]
            _ => {
                let _ = project;
                Err(TroveError::BackendDisabled {
                    what: "listing tasks",
                    feature: "embedded-sqlite",
                })
            }
        }
    }

    pub(crate) fn backend(&self) -> &Arc<dyn Backend> {
        &self.inner.backend
    }

    pub(crate) fn runtime(&self) -> &Handle {
        &self.inner.runtime
    }
}

async fn open_backend(config: &Config) -> Result<(Arc<dyn Backend>, Lister)> {
    match &config.api_server {
        #[cfg(feature = "remote")]
        Some(api) => {
            let remote = Arc::new(crate::backend::Remote::new(
                api,
                config.files_server.as_deref(),
                config.access_key.as_deref().unwrap_or_default(),
                config.secret_key.as_deref().unwrap_or_default(),
            )?);
            Ok((remote.clone(), Lister::Remote(remote)))
        }
        #[cfg(not(feature = "remote"))]
        Some(_) => Err(TroveError::BackendDisabled {
            what: "a trove server (api_server is set)",
            feature: "remote",
        }),
        #[cfg(feature = "_embedded")]
        None => {
            tokio::fs::create_dir_all(&config.home)
                .await
                .map_err(crate::error::io_err("create trove home", &config.home))?;
            let embedded = Arc::new(crate::backend::Embedded::open(&config.db_url()).await?);
            Ok((embedded.clone(), Lister::Embedded(embedded)))
        }
        #[cfg(not(feature = "_embedded"))]
        None => Err(TroveError::BackendDisabled {
            what: "the embedded store (no api_server is set)",
            feature: "embedded-sqlite",
        }),
    }
}
