//! `trove migrate --from sqlite:… --to postgres://…`: copy a single-machine install into a shared database.

use anyhow::{Context, Result, bail};
use trove_core::Config;

/// Options of `trove migrate`.
#[derive(clap::Args, Debug)]
pub struct MigrateArgs {
    /// Source database URL (default: the home folder's SQLite file, or `[server] db`).
    #[arg(long)]
    pub from: Option<String>,
    /// Target database URL, e.g. postgres://user@host/trove (the database must exist; tables are created).
    #[arg(long)]
    pub to: String,
    /// Continue into a target that already has data (a re-run after an interrupted copy): rows that exist
    /// are kept, missing ones are added, events are appended after the ones already copied.
    #[arg(long)]
    pub resume: bool,
}

/// Run `trove migrate`.
pub fn run(config: Config, args: MigrateArgs) -> Result<()> {
    let from = args
        .from
        .or(config.server.db.clone())
        .unwrap_or_else(|| config.default_db_url());
    if from == args.to {
        bail!("--from and --to name the same database ({from}); give the new database as --to");
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("start the async runtime")?;
    rt.block_on(async move {
        let source = trove_store::open(&from)
            .await
            .with_context(|| format!("open the source database {from}"))?;
        let target = trove_store::open(&args.to)
            .await
            .context("open the target database")?;
        if !args.resume && !trove_store::is_empty_store(target.as_ref()).await? {
            bail!(
                "the target database already holds projects, tasks or credentials; refusing to merge into it. \
                 Use an empty database, or pass --resume to continue an earlier `trove migrate` from the same source"
            );
        }
        eprintln!(
            "copying {} ({}) into {} ({})",
            from,
            source.engine(),
            redact(&args.to),
            target.engine()
        );
        let step = std::sync::atomic::AtomicU64::new(0);
        let progress = |done: u64, total: u64| {
            let pct = (done * 100).checked_div(total).unwrap_or(100);
            if pct >= step.load(std::sync::atomic::Ordering::Relaxed) + 10 || done == total {
                step.store(pct, std::sync::atomic::Ordering::Relaxed);
                eprintln!("  {done}/{total} tasks");
            }
        };
        let r = trove_store::copy_store(source.as_ref(), target.as_ref(), &progress)
            .await
            .context("copy the metadata (re-run with --resume to continue)")?;
        println!(
            "copied {} projects, {} tasks, {} artifacts, {} versions, {} events, {} credentials, {} settings, {} models, {} last-metric entries",
            r.projects, r.tasks, r.artifacts, r.versions, r.events, r.credentials, r.settings, r.models, r.last_metrics
        );
        eprintln!(
            "artifact files were not moved: the records keep their URIs (copy a local files folder to the shared \
             storage yourself if the servers should serve it)"
        );
        Ok(())
    })
}

/// The URL without a password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => match url[s + 3..at].split_once(':') {
            Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
            None => url.to_string(),
        },
        _ => url.to_string(),
    }
}
