//! `trove-bench`: the trove side of the benchmark harness (`scripts/bench`). Each subcommand does one
//! workload with the trove SDK and prints one JSON line of measurements (seconds, bytes, peak RSS);
//! `prepare-*` subcommands make the seeded inputs. The driver (`bench/py/driver.py`) runs the repeats,
//! the Python peers and the physical limits, and prints the table.

mod measure;
mod prepare;
#[allow(dead_code)]
#[path = "../../examples/artifacts.rs"]
mod seed;
mod workloads;

use anyhow::Result;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// Benchmark workloads with the trove SDK.
#[derive(Parser)]
#[command(name = "trove-bench")]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Write a seeded `rows` × 8 frame as parquet.
    PrepareFrame {
        #[arg(long)]
        rows: usize,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        #[arg(long)]
        out: PathBuf,
    },
    /// Write `count` seeded text files of `size` bytes into a folder.
    PrepareFolder {
        #[arg(long)]
        count: usize,
        #[arg(long, default_value_t = 4096)]
        size: usize,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        #[arg(long)]
        out: PathBuf,
    },
    /// Write one file of `bytes` seeded random bytes.
    PrepareBig {
        #[arg(long)]
        bytes: u64,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        #[arg(long)]
        out: PathBuf,
    },
    /// Write the seed example's data_samples folder.
    PrepareSamples {
        #[arg(long)]
        out: PathBuf,
    },
    /// W1: the seed example against the server named in `<home>/trove.toml`.
    W1 {
        #[arg(long)]
        home: PathBuf,
        #[arg(long)]
        samples: PathBuf,
    },
    /// W2: a frame as `.csv.gz` or `.parquet` to a local folder.
    W2 {
        #[arg(long)]
        home: PathBuf,
        #[arg(long)]
        input: PathBuf,
        #[arg(long, default_value = ".csv.gz")]
        ext: String,
        #[arg(long)]
        dest: PathBuf,
    },
    /// W3: a folder as a zip artifact (to `dest`, or to the server when no `dest`).
    W3 {
        #[arg(long)]
        home: PathBuf,
        #[arg(long)]
        folder: PathBuf,
        #[arg(long)]
        dest: Option<PathBuf>,
    },
    /// W4: one big file to a local folder.
    W4 {
        #[arg(long)]
        home: PathBuf,
        #[arg(long)]
        file: PathBuf,
        #[arg(long)]
        dest: PathBuf,
    },
    /// W5: `count` small dict artifacts to the server.
    W5 {
        #[arg(long)]
        home: PathBuf,
        #[arg(long)]
        count: usize,
    },
    /// W6: registered frame check (unchanged) and sync (after a change).
    W6 {
        #[arg(long)]
        home: PathBuf,
        #[arg(long)]
        input: PathBuf,
        #[arg(long)]
        dest: PathBuf,
        #[arg(long, default_value_t = 20)]
        checks: usize,
    },
    /// W7: one client uploading every file of a folder to the server.
    W7Client {
        #[arg(long)]
        home: PathBuf,
        #[arg(long)]
        dir: PathBuf,
        #[arg(long, default_value_t = 0)]
        client: usize,
        /// A folder shared by all clients: each writes `ready-<client>` once its task is open and starts
        /// uploading when the driver writes `go` (so that the clients really upload at the same time).
        #[arg(long)]
        barrier: Option<PathBuf>,
    },
}

fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match Cli::parse().cmd {
        Cmd::PrepareFrame { rows, seed, out } => prepare::write_frame(rows, seed, &out),
        Cmd::PrepareFolder {
            count,
            size,
            seed,
            out,
        } => prepare::write_folder(count, size, seed, &out),
        Cmd::PrepareBig { bytes, seed, out } => prepare::write_big(bytes, seed, &out),
        Cmd::PrepareSamples { out } => Ok(trove::samples::write_data_samples(&out)?),
        Cmd::W1 { home, samples } => workloads::w1(&home, &samples),
        Cmd::W2 {
            home,
            input,
            ext,
            dest,
        } => workloads::w2(&home, &input, &ext, &dest),
        Cmd::W3 { home, folder, dest } => workloads::w3(&home, &folder, dest.as_deref()),
        Cmd::W4 { home, file, dest } => workloads::w4(&home, &file, &dest),
        Cmd::W5 { home, count } => workloads::w5(&home, count),
        Cmd::W6 {
            home,
            input,
            dest,
            checks,
        } => workloads::w6(&home, &input, &dest, checks),
        Cmd::W7Client {
            home,
            dir,
            client,
            barrier,
        } => workloads::w7_client(&home, &dir, client, barrier.as_deref()),
    }
}
