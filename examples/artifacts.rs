//! The seed example (ClearML's `examples/reporting/artifacts.py`) in Rust: one task in project `examples`,
//! every artifact kind, with the seed's names. Run it with
//! `cargo run -p trove --example artifacts` (records into `$TROVE_HOME`, default `~/.trove`).

use std::path::Path;
use trove::{Task, TaskBuilder, UploadOptions, image, ndarray};

/// Record the seed example with `builder` (project `examples`, task `artifacts example`), using sample data
/// written into `samples`. Returns the task, still open.
pub fn record(
    builder: TaskBuilder,
    samples: &Path,
) -> Result<Task, Box<dyn std::error::Error + Send + Sync>> {
    trove::samples::write_data_samples(samples)?;
    let task = builder.init()?;

    let df = trove::polars::df!(
        "" => ["falcon", "dog", "spider", "fish"],
        "num_legs" => [2i64, 4, 8, 0],
        "num_wings" => [2i64, 0, 0, 0],
        "num_specimen_seen" => [10i64, 2, 1, 8],
    )?;

    // Register the frame as an artifact to watch: it is monitored in the background and uploaded again
    // whenever it changes.
    // ClearML writes registered frames without their index, so register the columns only.
    let train = trove::Tracked::new(df.drop("")?);
    task.register_artifact_with(
        "train",
        &train,
        trove::RegisterOptions::default()
            .metadata("counting", "legs")
            .metadata("max legs", 69),
    )?;
    // Like the seed, derive a new frame from the registered one (from anywhere, through the task): this
    // leaves `train` itself unchanged, so it is uploaded once. Mutating it through `train.write()` would
    // make the monitor upload a new version.
    let _half = task.registered_artifacts()["train"].read().head(Some(2));

    // A onetime snapshot of the frame; the "" column is its index, as in the seed.
    task.upload_artifact_with(
        "Pandas",
        df.clone(),
        UploadOptions::default().index_column(""),
    )?;
    // A local file, as is.
    task.upload_artifact("local file", samples.join("dancing.jpg").as_path())?;
    // A dictionary, stored as JSON (the seed uploads `df.to_dict()`).
    task.upload_artifact("dictionary", trove::samples::frame_to_dict(&df, "")?)?;
    // A numpy-style array, stored as NPZ.
    task.upload_artifact("Numpy Eye", ndarray::Array2::<f64>::eye(100))?;
    // An image, stored as PNG.
    task.upload_artifact("pillow_image", image::open(samples.join("dancing.jpg"))?)?;
    // A folder, stored as a ZIP.
    task.upload_artifact("local folder", samples)?;
    // A wildcard, stored as a ZIP of the matches.
    task.upload_artifact("wildcard jpegs", format!("{}/*.jpg", samples.display()))?;

    task.flush()?;
    Ok(task)
}

fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let samples = std::env::temp_dir().join(format!("trove-data-samples-{}", std::process::id()));
    let task = record(Task::builder("examples", "artifacts example"), &samples)?;
    for a in task.artifacts()? {
        println!("{:<16} {}", a.name(), a.uri().unwrap_or("-"));
    }
    task.close()?;
    let _ = std::fs::remove_dir_all(&samples);
    println!("Done");
    Ok(())
}
