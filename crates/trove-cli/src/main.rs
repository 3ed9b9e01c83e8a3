//! `trove`: run the server, record the demo, and list, fetch and upload artifacts from the shell.

mod commands;

use anyhow::Result;
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// trove: artifact reporting, ClearML-compatible, in one binary.
#[derive(Parser)]
#[command(name = "trove", version, about)]
struct Cli {
    /// trove home folder (default: $TROVE_HOME or ~/.trove)
    #[arg(long, global = true, env = "TROVE_HOME")]
    home: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the API server, the files server and the web UI.
    Server(commands::server::ServerArgs),
    /// Manage API credentials.
    #[command(subcommand)]
    Credentials(commands::server::CredentialsCmd),
    /// Record the seed example (every artifact kind) into the trove home and print each artifact's uri.
    Demo(commands::demo::DemoArgs),
    /// Copy a single-machine install (e.g. its SQLite file) into a shared database (e.g. PostgreSQL).
    Migrate(commands::migrate::MigrateArgs),
    /// List tasks (of one project, or all).
    Ls {
        /// Project name.
        project: Option<String>,
    },
    /// List a task's artifacts.
    Artifacts {
        /// Task id, or `<project>/<task name>` (newest of that name).
        task: String,
    },
    /// Fetch an artifact's bytes (verified against its hash).
    Get {
        /// Task id, or `<project>/<task name>`.
        task: String,
        /// Artifact name.
        artifact: String,
        /// Copy the file here (default: print the cached path).
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Upload a local file or folder as an artifact of an existing task.
    Upload {
        /// Task id, or `<project>/<task name>`.
        task: String,
        /// Artifact name.
        name: String,
        /// File, folder or wildcard.
        path: String,
    },
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{}", report(&e));
            ExitCode::FAILURE
        }
    }
}

/// `Error: <message>` and the causes the message does not already show, each once. Many errors embed their
/// cause in their own text (`create trove home /x: Not a directory`) and also return it as their source;
/// printing anyhow's whole chain would then say every cause twice.
fn report(err: &anyhow::Error) -> String {
    let mut out = format!("Error: {err}");
    let mut shown = err.to_string();
    let mut causes = Vec::new();
    for cause in err.chain().skip(1) {
        let text = cause.to_string();
        if text.is_empty() || shown.contains(&text) {
            continue;
        }
        shown.push('\n');
        shown.push_str(&text);
        causes.push(text);
    }
    if !causes.is_empty() {
        out.push_str("\n\nCaused by:");
        for c in causes {
            out.push_str("\n    ");
            out.push_str(&c);
        }
    }
    out
}

fn run() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let config = match &cli.home {
        Some(h) => trove_core::Config::load_from_home(h)?,
        None => trove_core::Config::load()?,
    };
    match cli.command {
        Command::Server(args) => commands::server::serve(config, args),
        Command::Credentials(cmd) => commands::server::credentials(config, cmd),
        Command::Demo(args) => commands::demo::run(config, args),
        Command::Migrate(args) => commands::migrate::run(config, args),
        Command::Ls { project } => commands::tasks::ls(config, project.as_deref()),
        Command::Artifacts { task } => commands::tasks::artifacts(config, &task),
        Command::Get {
            task,
            artifact,
            output,
        } => commands::tasks::get(config, &task, &artifact, output),
        Command::Upload { task, name, path } => {
            commands::tasks::upload(config, &task, &name, &path)
        }
    }
}
