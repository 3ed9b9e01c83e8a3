//! `trove ls`, `trove artifacts`, `trove get`, `trove upload`.

use anyhow::{Context, Result, bail};
use std::path::PathBuf;
use trove::{Task, UploadOptions};
use trove_core::Config;
use trove_core::preview::format_size_binary;

/// Open a task by id or `<project>/<name>`.
pub fn open_task(config: &Config, spec: &str) -> Result<Task> {
    if trove_core::ids::is_id(spec) {
        return Ok(Task::get_task_by_id_with(config.clone(), spec)?);
    }
    let Some((project, name)) = spec.rsplit_once('/') else {
        bail!("{spec:?} is neither a task id nor <project>/<task name>");
    };
    Ok(Task::get_task_with(config.clone(), project, name)?)
}

pub fn ls(config: Config, project: Option<&str>) -> Result<()> {
    let tasks = trove::list_tasks(&config, project)?;
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
    let task = open_task(&config, spec)?;
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

pub fn get(config: Config, spec: &str, artifact: &str, output: Option<PathBuf>) -> Result<()> {
    let task = open_task(&config, spec)?;
    let local = task.artifact(artifact)?.get_local_copy()?;
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
    let task = open_task(&config, spec)?;
    let record = task.upload_artifact_with(name, path, UploadOptions::default().wait(true))?;
    println!("{}", record.uri.unwrap_or_default());
    Ok(())
}
