//! `trove server`: one process serving
//!
//! * the ClearML REST API subset the official SDK needs for artifact reporting (default `127.0.0.1:8008`,
//!   module [`api`]): `/v<version>/<service>.<action>` and `/<service>.<action>`, GET-with-body or POST, the
//!   ClearML `meta`/`data` envelope, HS256 tokens from `auth.login`;
//! * the ClearML files-server protocol (default `:8081`, module [`files`]), streaming into any
//!   [`object_store::ObjectStore`];
//! * a web port (default `:8080`, module [`web`]).
//!
//! Metadata lives in a [`trove_store::MetadataStore`] (SQLite in the home folder by default — the same file the
//! Rust SDK's embedded mode writes). Start it with [`start`] and stop it with [`RunningServer::shutdown`].

pub mod api;
pub mod auth;
pub mod credentials;
pub mod error;
pub mod files;
pub mod guard;
pub mod serve;
mod startup;
pub mod state;
pub mod throttle;
pub mod web;

pub use error::{ApiError, ServerError};
pub use state::{AppState, SharedState};

use axum::Router;
use axum::response::IntoResponse;
use object_store::ObjectStore;
use object_store::path::Path as StorePath;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use trove_core::Config;
use trove_store::SharedStore;

/// Default API port (ClearML's).
pub const DEFAULT_API_PORT: u16 = 8008;
/// Default files-server port (ClearML's).
pub const DEFAULT_FILES_PORT: u16 = 8081;
/// Default web port (ClearML's).
pub const DEFAULT_WEB_PORT: u16 = 8080;
/// Default token lifetime: 30 days.
pub const DEFAULT_TOKEN_TTL_SECS: i64 = 30 * 24 * 3600;
/// Default web login lifetime: 12 hours.
pub const DEFAULT_SESSION_TTL_SECS: i64 = 12 * 3600;

/// Resource limits of a server (each a `[server]` entry of trove.toml).
#[derive(Debug, Clone)]
pub struct Limits {
    /// Most connections open at once per port (`max_connections`, default 1024).
    pub max_connections: usize,
    /// Largest API body in bytes (`max_api_body_mib`, default 64 MiB).
    pub max_api_body: usize,
    /// Largest upload in bytes (`max_upload_mib`, default none).
    pub max_upload: Option<u64>,
    /// Time to send a request head, and idle time of a kept-alive connection (`header_timeout_secs`, 30 s).
    pub header_timeout: std::time::Duration,
    /// Longest pause inside a request body (`body_timeout_secs`, default 60 s).
    pub body_timeout: std::time::Duration,
}

impl Limits {
    /// The limits of a `[server]` section, defaults where it says nothing.
    pub fn from_config(s: &trove_core::config::ServerConfig) -> Self {
        const MIB: u64 = 1024 * 1024;
        let secs = |v: Option<u64>, d: u64| std::time::Duration::from_secs(v.unwrap_or(d).max(1));
        Self {
            max_connections: s.max_connections.unwrap_or(1024).max(1),
            max_api_body: (s.max_api_body_mib.unwrap_or(64).max(1) * MIB) as usize,
            max_upload: s.max_upload_mib.filter(|m| *m > 0).map(|m| m * MIB),
            header_timeout: secs(s.header_timeout_secs, 30),
            body_timeout: secs(s.body_timeout_secs, 60),
        }
    }
}

/// How to run the server. Ports set to 0 take any free port (see [`RunningServer`] for the bound ones).
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The trove home folder (database and files live here by default).
    pub home: PathBuf,
    /// Address to bind.
    pub host: String,
    /// API port.
    pub api_port: u16,
    /// Files-server port.
    pub files_port: u16,
    /// Web port.
    pub web_port: u16,
    /// Metadata database URL (`sqlite://…`, `postgres://…`); default `sqlite://<home>/trove.db`.
    pub db: Option<String>,
    /// Files storage: a local folder (path or `file://`, created if missing) or an object-store URI
    /// (`s3://bucket/prefix`, `gs://…`, `azure://…`, credentials from the configuration); default `<home>/files`.
    pub storage: Option<String>,
    /// Run without authentication (anyone can log in and call anything).
    pub no_auth: bool,
    /// Public base URL of the files server (as clients write it in artifact URIs); used to recognise URIs
    /// pointing at this server besides `http://<host>:<files port>`.
    pub public_files_url: Option<String>,
    /// Lifetime of issued tokens in seconds (default 30 days).
    pub token_ttl_secs: i64,
    /// Lifetime of a web login in seconds (default 12 hours).
    pub session_ttl_secs: i64,
    /// Connection, body and timeout limits.
    pub limits: Limits,
    /// The configuration (token secret, allowed destinations, cloud credentials, …).
    pub config: Config,
}

impl ServeOptions {
    /// Defaults, overridden by the configuration's `[server]` entries.
    pub fn from_config(cfg: &Config) -> Self {
        let s = &cfg.server;
        Self {
            home: cfg.home.clone(),
            host: s.host.clone().unwrap_or_else(|| "127.0.0.1".into()),
            api_port: s.api_port.unwrap_or(DEFAULT_API_PORT),
            files_port: s.files_port.unwrap_or(DEFAULT_FILES_PORT),
            web_port: s.web_port.unwrap_or(DEFAULT_WEB_PORT),
            db: s.db.clone(),
            storage: s.storage.clone(),
            no_auth: s.no_auth.unwrap_or(false),
            public_files_url: s.public_files_url.clone(),
            token_ttl_secs: s.token_ttl_secs.unwrap_or(DEFAULT_TOKEN_TTL_SECS),
            session_ttl_secs: s.session_ttl_secs.unwrap_or(DEFAULT_SESSION_TTL_SECS),
            limits: Limits::from_config(s),
            config: cfg.clone(),
        }
    }

    /// The database URL in effect.
    pub fn db_url(&self) -> String {
        self.db.clone().unwrap_or_else(|| {
            let mut c = self.config.clone();
            c.home = self.home.clone();
            c.default_db_url()
        })
    }
}

/// The storage backends a server runs on.
pub struct Backends {
    /// Metadata store.
    pub store: SharedStore,
    /// Files storage.
    pub files: Arc<dyn ObjectStore>,
    /// Key prefix inside `files`.
    pub files_prefix: StorePath,
}

/// A started server.
pub struct RunningServer {
    /// Bound API address.
    pub api_addr: SocketAddr,
    /// Bound files-server address.
    pub files_addr: SocketAddr,
    /// Bound web address.
    pub web_addr: SocketAddr,
    /// The key pair created at this start because none existed (printed once), if any.
    pub initial_credentials: Option<(String, String)>,
    /// The metadata store the server uses.
    pub store: SharedStore,
    stop: watch::Sender<bool>,
    handles: Vec<JoinHandle<()>>,
}

impl RunningServer {
    /// Stop accepting, let requests in flight finish (up to 10 s), and return.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        for h in self.handles {
            let _ = h.await;
        }
        tracing::info!("trove server stopped");
    }

    /// Serve until Ctrl-C (or SIGTERM on Unix), then shut down gracefully.
    pub async fn wait(self) {
        let ctrl_c = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        #[cfg(unix)]
        let term = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut s) => {
                    s.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        #[cfg(not(unix))]
        let term = std::future::pending::<()>();
        tokio::select! {
            _ = ctrl_c => {}
            _ = term => {}
        }
        tracing::info!("shutting down");
        self.shutdown().await;
    }
}

/// Open the backends named by `opts` (database, files folder) and start serving.
pub async fn start(opts: ServeOptions) -> Result<RunningServer, ServerError> {
    std::fs::create_dir_all(&opts.home).map_err(|source| ServerError::Io {
        context: format!("cannot create the home folder {}", opts.home.display()),
        source,
    })?;
    let store = trove_store::open(&opts.db_url()).await?;
    let (files, files_prefix) = open_files(&opts)?;
    startup::restrict_permissions(&opts);
    start_with(
        opts,
        Backends {
            store,
            files,
            files_prefix,
        },
    )
    .await
}

fn open_files(opts: &ServeOptions) -> Result<(Arc<dyn ObjectStore>, StorePath), ServerError> {
    let dir = match &opts.storage {
        None => opts.home.join("files"),
        Some(s) if s.starts_with("file://") => PathBuf::from(&s["file://".len()..]),
        Some(s) if !s.contains("://") => PathBuf::from(s),
        Some(s) => {
            // A cloud object store (s3://, gs://, azure://, …), credentials from the configuration.
            return trove_storage::open_store(s, &opts.config).map_err(|e| ServerError::Storage {
                uri: s.clone(),
                message: e.to_string(),
            });
        }
    };
    std::fs::create_dir_all(&dir).map_err(|source| ServerError::Io {
        context: format!("cannot create the files folder {}", dir.display()),
        source,
    })?;
    startup::refuse_if_holding_secrets(opts, "the files storage folder", &dir)?;
    let fs = object_store::local::LocalFileSystem::new_with_prefix(&dir)
        .map_err(|e| ServerError::Storage {
            uri: dir.display().to_string(),
            message: e.to_string(),
        })?
        .with_automatic_cleanup(true);
    Ok((Arc::new(fs), StorePath::default()))
}

async fn bind(host: &str, port: u16, what: &'static str) -> Result<TcpListener, ServerError> {
    TcpListener::bind((host, port))
        .await
        .map_err(|source| ServerError::Bind {
            what,
            addr: format!("{host}:{port}"),
            source,
        })
}

fn layered(r: Router, guard: guard::Guard, limits: &Limits) -> Router {
    r.layer(axum::middleware::from_fn_with_state(
        Arc::new(guard),
        guard::check,
    ))
    .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(
        limits.body_timeout,
    ))
    .layer(tower_http::catch_panic::CatchPanicLayer::custom(
        |_: Box<dyn std::any::Any + Send>| {
            ApiError::internal("a handler panicked (a bug in trove: please report it)")
                .into_response()
        },
    ))
    .layer(tower_http::trace::TraceLayer::new_for_http())
}

/// Start serving on the given backends (a cloud object store can be plugged here).
pub async fn start_with(
    opts: ServeOptions,
    backends: Backends,
) -> Result<RunningServer, ServerError> {
    let api_l = bind(&opts.host, opts.api_port, "api").await?;
    let files_l = bind(&opts.host, opts.files_port, "files").await?;
    let web_l = bind(&opts.host, opts.web_port, "web").await?;
    let addr = |l: &TcpListener, what| {
        l.local_addr().map_err(|source| ServerError::Io {
            context: format!("{what} listener address"),
            source,
        })
    };
    let (api_addr, files_addr, web_addr) = (
        addr(&api_l, "api")?,
        addr(&files_l, "files")?,
        addr(&web_l, "web")?,
    );

    let env_secret = std::env::var("TROVE_TOKEN_SECRET")
        .ok()
        .filter(|s| !s.is_empty());
    let configured = opts.config.token_secret.clone().or(env_secret);
    let secret = auth::signing_secret(&backends.store, configured.as_deref())
        .await
        .map_err(|e| match e {
            auth::SecretError::Store(s) => ServerError::Store(s),
            other => ServerError::Config(other.to_string()),
        })?;

    let mut initial_credentials = None;
    if opts.no_auth {
        let msg = "AUTHENTICATION IS OFF (--no-auth): anyone who can reach these ports can read, change and delete everything";
        tracing::warn!("{msg}");
        eprintln!("WARNING: {msg}");
    } else if backends
        .store
        .list_credentials()
        .await?
        .iter()
        .all(|c| c.revoked)
    {
        let (k, s) = credentials::create(&backends.store, None, None)
            .await
            .map_err(|e| match e {
                credentials::CredentialsError::Store(s) => ServerError::Store(s),
                other => ServerError::Config(other.to_string()),
            })?;
        println!(
            "trove server: created API credentials (shown only once)\n  access_key = {k}\n  secret_key = {s}"
        );
        tracing::info!(access_key = %k, "created the first API credentials (secret printed on stdout)");
        initial_credentials = Some((k, s));
    }

    let files_urls = startup::files_urls(&opts, files_addr);
    let roots = startup::storage_roots(&opts, &backends, &files_urls)?;
    let hosts = startup::allowed_hosts(&opts, [api_addr, files_addr, web_addr]);
    let state: SharedState = Arc::new(AppState {
        store: backends.store.clone(),
        files: backends.files,
        files_prefix: backends.files_prefix,
        keys: auth::TokenKeys::new(secret.as_bytes()),
        no_auth: opts.no_auth,
        token_ttl_secs: opts.token_ttl_secs.max(60),
        files_urls,
        limits: state::BodyLimits {
            api: opts.limits.max_api_body,
            upload: opts.limits.max_upload,
        },
        throttle: throttle::LoginThrottle::default(),
    });

    let conn = serve::ConnLimits {
        max_connections: opts.limits.max_connections,
        header_timeout: opts.limits.header_timeout,
    };
    let api_guard = guard::Guard {
        hosts: hosts.clone(),
        refuse_cross_site: true,
        envelope: true,
    };
    let web_guard = guard::Guard {
        hosts,
        refuse_cross_site: false,
        envelope: false,
    };
    let web_router = web::router(state.clone(), &opts, roots, &secret);
    let (stop, rx) = watch::channel(false);
    let handles = vec![
        tokio::spawn(serve::serve(
            api_l,
            layered(api::router(state.clone()), api_guard.clone(), &opts.limits),
            rx.clone(),
            "api",
            conn.clone(),
        )),
        tokio::spawn(serve::serve(
            files_l,
            layered(files::router(state), api_guard, &opts.limits),
            rx.clone(),
            "files",
            conn.clone(),
        )),
        tokio::spawn(serve::serve(
            web_l,
            layered(web_router, web_guard, &opts.limits),
            rx,
            "web",
            conn,
        )),
    ];
    tracing::info!("trove API server listening on http://{api_addr}");
    tracing::info!("trove files server listening on http://{files_addr}");
    tracing::info!("trove web server listening on http://{web_addr}");
    Ok(RunningServer {
        api_addr,
        files_addr,
        web_addr,
        initial_credentials,
        store: backends.store,
        stop,
        handles,
    })
}
