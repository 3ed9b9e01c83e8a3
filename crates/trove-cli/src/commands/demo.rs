//! `trove demo`: record the seed example into the trove home.

use anyhow::Result;
use trove_core::Config;

#[allow(dead_code)]
#[path = "../../../../examples/artifacts.rs"]
mod seed;

/// Options of `trove demo`.
#[derive(clap::Args)]
pub struct DemoArgs {
    /// Only record; do not serve the UI afterwards.
    #[arg(long)]
    pub no_serve: bool,
}

pub fn run(config: Config, args: DemoArgs) -> Result<()> {
    let samples = config.home.join("data_samples");
    let trove = trove::Trove::builder().config(config.clone()).build()?;
    let task = seed::record(
        trove.task_builder("examples", "artifacts example"),
        &samples,
    )
    .map_err(|e| anyhow::anyhow!(e))?;
    println!("task {} ({}/{})", task.id(), task.project(), task.name());
    for a in task.artifacts()? {
        println!("  {:<16} {}", a.name(), a.uri().unwrap_or("-"));
    }
    let id = task.id().to_string();
    task.close()?;
    if !args.no_serve {
        super::server::serve_until_stopped(config, Some(&id))?;
    }
    Ok(())
}
