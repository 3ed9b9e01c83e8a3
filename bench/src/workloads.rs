//! Each workload done with the trove SDK; every function prints one JSON line of measurements.

use crate::measure::{emit, epoch};
use crate::prepare::read_frame;
use anyhow::{Context, Result};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::Instant;
use trove::{FrameFormat, Tracked, Trove, UploadOptions};

fn builder(home: &Path, name: &str, dest: Option<&Path>) -> Result<trove::TaskBuilder> {
    let b = Trove::builder()
        .home(home)
        .build()?
        .task_builder("bench", &format!("bench {name}"));
    Ok(match dest {
        Some(d) => b.output_uri(d.display().to_string()),
        None => b,
    })
}

/// W1: the seed example end to end (init, 7 uploads + 1 registered frame, close), exactly as
/// `examples/artifacts.rs` does it (that file is compiled in), against the server named by `<home>/trove.toml`.
pub fn w1(home: &Path, samples: &Path) -> Result<()> {
    let t0 = Instant::now();
    let task = crate::seed::record(
        Trove::builder()
            .home(home)
            .build()?
            .task_builder("examples", "artifacts example"),
        samples,
    )
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let n = task.artifacts()?.len();
    task.close()?;
    emit(json!({"workload": "w1", "seconds": t0.elapsed().as_secs_f64(), "artifacts": n}));
    Ok(())
}

/// W2: upload a frame as `ext` (`.csv.gz` or `.parquet`) to a local folder, waiting for the upload.
pub fn w2(home: &Path, input: &Path, ext: &str, dest: &Path) -> Result<()> {
    let df = read_frame(input)?;
    let task = builder(home, "w2", Some(dest))?.init()?;
    let t0 = Instant::now();
    let format = match ext {
        ".parquet" => FrameFormat::Parquet,
        ".csv.gz" => FrameFormat::CsvGz,
        other => anyhow::bail!("unknown frame format {other:?}: use .csv.gz or .parquet"),
    };
    let rec = task.upload_artifact_with(
        "frame",
        &df,
        UploadOptions::default().format(format).wait(true),
    )?;
    let secs = t0.elapsed().as_secs_f64();
    task.close()?;
    emit(
        json!({"workload": "w2", "format": ext, "seconds": secs, "bytes": rec.content_size,
        "rows": df.height(), "input_bytes": df.estimated_size()}),
    );
    Ok(())
}

fn dir_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

/// W3: upload a folder as a zip artifact (to a local folder, or to the server when `dest` is None).
pub fn w3(home: &Path, folder: &Path, dest: Option<&Path>) -> Result<()> {
    let input = dir_bytes(folder);
    let task = builder(home, "w3", dest)?.init()?;
    let t0 = Instant::now();
    let rec = task.upload_artifact_with("folder", folder, UploadOptions::default().wait(true))?;
    let secs = t0.elapsed().as_secs_f64();
    task.close()?;
    emit(
        json!({"workload": "w3", "seconds": secs, "bytes": rec.content_size, "input_bytes": input}),
    );
    Ok(())
}

/// W4: upload one big file to a local folder (hash included), waiting for it.
pub fn w4(home: &Path, file: &Path, dest: &Path) -> Result<()> {
    let size = std::fs::metadata(file)
        .with_context(|| format!("stat {}", file.display()))?
        .len();
    let task = builder(home, "w4", Some(dest))?.init()?;
    let t0 = Instant::now();
    let rec = task.upload_artifact_with("big", file, UploadOptions::default().wait(true))?;
    let secs = t0.elapsed().as_secs_f64();
    task.close()?;
    emit(json!({"workload": "w4", "seconds": secs, "bytes": size, "hash": rec.hash}));
    Ok(())
}

/// W5: `count` small dict artifacts on one task, to the server; timed until `flush` returns.
pub fn w5(home: &Path, count: usize) -> Result<()> {
    let task = builder(home, "w5", None)?.init()?;
    let start = epoch();
    let t0 = Instant::now();
    for i in 0..count {
        let d = json!({"step": i, "loss": 1.0 / (i as f64 + 1.0), "tag": "epoch-end", "ok": true});
        task.upload_artifact(&format!("d{i:05}"), d)?;
    }
    task.flush()?;
    let secs = t0.elapsed().as_secs_f64();
    let end = epoch();
    let listed = task.artifacts()?.len();
    task.close()?;
    anyhow::ensure!(
        listed == count,
        "w5: {count} artifacts uploaded but {listed} listed"
    );
    emit(
        json!({"workload": "w5", "seconds": secs, "count": count, "listed": listed,
        "per_second": count as f64 / secs, "start": start, "end": end}),
    );
    Ok(())
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// W6: a registered frame: the cheap check when unchanged (fingerprint alone and a full `flush`), then one
/// change and the sync that uploads it.
pub fn w6(home: &Path, input: &Path, dest: &Path, checks: usize) -> Result<()> {
    let df = read_frame(input)?;
    let task = builder(home, "w6", Some(dest))?
        .monitor_interval(std::time::Duration::from_secs(3600))
        .init()?;
    let tracked = Tracked::new(df);
    let t0 = Instant::now();
    task.register_artifact("frame", &tracked)?;
    task.flush()?;
    let first = t0.elapsed().as_secs_f64();
    let mut fp = Vec::new();
    let mut check = Vec::new();
    for _ in 0..checks.max(1) {
        let t = Instant::now();
        let f = trove::fingerprint(&tracked.read());
        fp.push(t.elapsed().as_secs_f64());
        std::hint::black_box(f);
        let t = Instant::now();
        task.flush()?;
        check.push(t.elapsed().as_secs_f64());
    }
    {
        let mut w = tracked.write();
        let bumped = w.column("count")?.as_materialized_series() + 1;
        w.replace("count", bumped.into())?;
    }
    let t = Instant::now();
    task.flush()?;
    let sync = t.elapsed().as_secs_f64();
    let versions = task.artifact("frame").map(|a| a.name().to_string()).ok();
    task.close()?;
    emit(
        json!({"workload": "w6", "fingerprint_seconds": median(fp), "check_seconds": median(check),
        "sync_seconds": sync, "first_upload_seconds": first, "artifact": versions}),
    );
    Ok(())
}

/// W7 client: upload every file of `dir` (1 MiB each) to the server, then flush; prints its timeline.
pub fn w7_client(home: &Path, dir: &Path, client: usize, barrier: Option<&Path>) -> Result<()> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    let bytes: u64 = files
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    let task = builder(home, &format!("w7-client-{client}"), None)?.init()?;
    if let Some(b) = barrier {
        wait_at_barrier(b, client)?;
    }
    let start = epoch();
    for (i, f) in files.iter().enumerate() {
        task.upload_artifact(&format!("blob{i:04}"), f.as_path())?;
    }
    task.flush()?;
    let end = epoch();
    task.close()?;
    emit(
        json!({"workload": "w7", "start": start, "end": end, "bytes": bytes, "files": files.len(),
        "seconds": end - start}),
    );
    Ok(())
}

/// Say this client is ready (`ready-<client>` in `barrier`), then wait for the driver's `go` (at most 10 min).
fn wait_at_barrier(barrier: &Path, client: usize) -> Result<()> {
    let ready = barrier.join(format!("ready-{client}"));
    std::fs::write(&ready, b"").with_context(|| format!("write {}", ready.display()))?;
    let t0 = Instant::now();
    while !barrier.join("go").exists() {
        anyhow::ensure!(
            t0.elapsed().as_secs() < 600,
            "no go in {} after 10 minutes",
            barrier.display()
        );
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    Ok(())
}
