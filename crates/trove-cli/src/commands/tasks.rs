//! `trove ls`, `trove artifacts`, `trove get`, `trove upload`.
//!
//! `get` and `upload` draw a progress bar (bytes, rate, ETA) on stderr when it is a terminal, and stay quiet
//! otherwise (scripts, pipes, CI).

use anyhow::{Context, Result, bail};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;
use trove::{Task, Trove, UploadOptions};
use trove_core::Config;
use trove_core::preview::format_size_binary;

/// A client on the embedded store or server `config` names.
fn client(config: Config) -> Result<Trove> {
    Ok(Trove::builder().config(config).build()?)
}

/// Open a task by id or `<project>/<name>`.
pub fn open_task(config: Config, spec: &str) -> Result<Task> {
    let trove = client(config)?;
    if trove_core::ids::is_id(spec) {
        return Ok(trove.task(spec)?);
    }
    let Some((project, name)) = spec.rsplit_once('/') else {
        bail!("{spec:?} is neither a task id nor <project>/<task name>");
    };
    Ok(trove.find_task(project, name)?)
}

pub fn ls(config: Config, project: Option<&str>) -> Result<()> {
    let tasks = client(config)?.tasks(project)?;
    if tasks.is_empty() {
        eprintln!(
            "no tasks{}",
            project
                .map(|p| format!(" in project {p:?}"))
                .unwrap_or_default()
        );
    }
    for t in tasks {
        println!(
            "{}  {:<11}  {}  {}/{}",
            t.id,
            t.status.as_str(),
            t.last_update,
            t.project_name,
            t.name
        );
    }
    Ok(())
}

pub fn artifacts(config: Config, spec: &str) -> Result<()> {
    let task = open_task(config, spec)?;
    for a in task.artifacts()? {
        println!(
            "{:<20} {:<16} {:>10} {:<9} {}",
            a.name(),
            a.kind(),
            a.size()
                .map(format_size_binary)
                .unwrap_or_else(|| "-".into()),
            a.state().as_str(),
            a.uri().unwrap_or("-")
        );
    }
    Ok(())
}

/// A progress bar on stderr for `total` bytes (a spinner with a byte count when unknown), or `None` when
/// stderr is not a terminal.
fn progress_bar(what: &str, total: Option<u64>) -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let (bar, template) = match total {
        Some(n) => (
            ProgressBar::new(n),
            "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} ETA {eta}",
        ),
        None => (
            ProgressBar::new_spinner(),
            "{msg} {spinner} {bytes} {bytes_per_sec}",
        ),
    };
    bar.set_draw_target(ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(what.to_string());
    Some(bar)
}

pub fn get(config: Config, spec: &str, artifact: &str, output: Option<PathBuf>) -> Result<()> {
    let task = open_task(config, spec)?;
    let artifact = task.artifact(artifact)?;
    let local = match progress_bar(&format!("get {}", artifact.name()), artifact.size()) {
        Some(bar) => {
            let got = artifact.local_copy_with_progress(&|n| bar.set_position(n));
            bar.finish_and_clear();
            got?
        }
        None => artifact.local_copy()?,
    };
    match output {
        Some(out) => {
            std::fs::copy(&local, &out)
                .with_context(|| format!("copy {} to {}", local.display(), out.display()))?;
            println!("{}", out.display());
        }
        None => println!("{}", local.display()),
    }
    Ok(())
}

pub fn upload(config: Config, spec: &str, name: &str, path: &str) -> Result<()> {
    let task = open_task(config, spec)?;
    // A plain file's size is known now; a folder or wildcard is zipped first, so its size is not.
    let total = std::fs::metadata(path)
        .ok()
        .filter(|m| m.is_file())
        .map(|m| m.len());
    let mut opts = UploadOptions::default().wait(true);
    let bar = progress_bar(&format!("upload {name}"), total);
    if let Some(bar) = &bar {
        let bar = bar.clone();
        opts = opts.progress(Arc::new(move |n| bar.set_position(n)));
    }
    let result = task.upload_artifact_with(name, path, opts);
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    println!("{}", result?.uri.unwrap_or_default());
    Ok(())
}
