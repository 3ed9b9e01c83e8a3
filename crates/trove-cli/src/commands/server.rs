//! `trove server` and `trove credentials`.

use anyhow::{Context, Result};
use std::path::PathBuf;
use trove_core::Config;
use trove_server::{ServeOptions, credentials};

/// Flags of `trove server` (each also a `[server]` entry of trove.toml).
#[derive(clap::Args, Debug, Default)]
pub struct ServerArgs {
    /// Address to bind (default 127.0.0.1).
    #[arg(long)]
    pub host: Option<String>,
    /// API port (default 8008).
    #[arg(long)]
    pub api_port: Option<u16>,
    /// Files-server port (default 8081).
    #[arg(long)]
    pub files_port: Option<u16>,
    /// Web UI port (default 8080).
    #[arg(long)]
    pub web_port: Option<u16>,
    /// Metadata database URL: sqlite://PATH (default: <home>/trove.db) or postgres://…
    #[arg(long)]
    pub db: Option<String>,
    /// Files storage: a folder (default <home>/files) or s3://, gs://, azure:// URI.
    #[arg(long)]
    pub storage: Option<String>,
    /// No authentication at all (local use only: requests must name a loopback host).
    #[arg(long)]
    pub no_auth: bool,
    /// Lifetime of API tokens in seconds (default 30 days; `[server] token_ttl_secs`).
    #[arg(long)]
    pub token_ttl_secs: Option<i64>,
}

/// `trove credentials …`
#[derive(clap::Subcommand)]
pub enum CredentialsCmd {
    /// Create a key pair (random unless given); the secret is printed once.
    Create {
        /// Access key to use.
        #[arg(long)]
        access_key: Option<String>,
        /// Secret key to use.
        #[arg(long)]
        secret_key: Option<String>,
        /// Metadata database URL (default: the home folder's SQLite file).
        #[arg(long)]
        db: Option<String>,
    },
    /// List access keys.
    List {
        /// Metadata database URL.
        #[arg(long)]
        db: Option<String>,
    },
    /// Revoke an access key.
    Revoke {
        /// The access key.
        access_key: String,
        /// Metadata database URL.
        #[arg(long)]
        db: Option<String>,
    },
}

fn options(config: Config, args: ServerArgs) -> ServeOptions {
    let mut o = ServeOptions::from_config(&config);
    if let Some(h) = args.host {
        o.host = h;
    }
    if let Some(p) = args.api_port {
        o.api_port = p;
    }
    if let Some(p) = args.files_port {
        o.files_port = p;
    }
    if let Some(p) = args.web_port {
        o.web_port = p;
    }
    if args.db.is_some() {
        o.db = args.db;
    }
    if args.storage.is_some() {
        o.storage = args.storage;
    }
    o.no_auth |= args.no_auth;
    if let Some(t) = args.token_ttl_secs {
        o.token_ttl_secs = t;
    }
    o
}

/// Files and folders the server creates (database, uploads) are private to its user.
fn private_umask() {
    #[cfg(unix)]
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("start the async runtime")
}

/// Run the server until Ctrl-C or SIGTERM, then stop gracefully (requests in flight, uploads included, get
/// up to 10 s to finish).
pub fn serve(config: Config, args: ServerArgs) -> Result<()> {
    let opts = options(config, args);
    private_umask();
    runtime()?.block_on(async move {
        let running = trove_server::start(opts).await?;
        running.wait().await;
        Ok(())
    })
}

/// Serve the UI without auth after `trove demo`, printing the task's page.
pub fn serve_until_stopped(config: Config, task: Option<&str>) -> Result<()> {
    let opts = options(
        config,
        ServerArgs {
            no_auth: true,
            ..Default::default()
        },
    );
    let task = task.map(str::to_string);
    private_umask();
    runtime()?.block_on(async move {
        let running = trove_server::start(opts).await?;
        match task {
            Some(id) => println!(
                "open http://{}/tasks/{id}/artifacts  (Ctrl-C to stop)",
                running.web_addr
            ),
            None => println!(
                "open http://{}/projects  (Ctrl-C to stop)",
                running.web_addr
            ),
        }
        running.wait().await;
        Ok(())
    })
}

/// `trove credentials …`
pub fn credentials(config: Config, cmd: CredentialsCmd) -> Result<()> {
    let url = |db: Option<String>| {
        db.or(config.server.db.clone())
            .unwrap_or_else(|| config.default_db_url())
    };
    let home: PathBuf = config.home.clone();
    runtime()?.block_on(async move {
        std::fs::create_dir_all(&home).with_context(|| format!("create {}", home.display()))?;
        match cmd {
            CredentialsCmd::Create {
                access_key,
                secret_key,
                db,
            } => {
                let store = trove_store::open(&url(db)).await?;
                let (a, s) = credentials::create(&store, access_key, secret_key).await?;
                println!("access_key = \"{a}\"\nsecret_key = \"{s}\"");
                eprintln!("(the secret is stored hashed and will not be shown again)");
            }
            CredentialsCmd::List { db } => {
                let store = trove_store::open(&url(db)).await?;
                for c in store.list_credentials().await? {
                    let state = if c.revoked { "revoked" } else { "active" };
                    println!(
                        "{}  {state}  {}",
                        c.access_key,
                        trove_core::timefmt::iso_from_micros(c.created)
                    );
                }
            }
            CredentialsCmd::Revoke { access_key, db } => {
                let store = trove_store::open(&url(db)).await?;
                if store.revoke_credentials(&access_key).await? {
                    println!("revoked {access_key}");
                } else {
                    anyhow::bail!("no such access key: {access_key}");
                }
            }
        }
        Ok(())
    })
}
