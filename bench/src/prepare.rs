//! Seeded inputs: a frame (parquet), a folder of small files, one big file, a folder of 1 MiB files,
//! the seed example's data samples. Made once by the harness, outside every timed region.

use anyhow::{Context, Result};
use polars::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, RngCore, SeedableRng};
use std::io::Write;
use std::path::Path;

const WORDS: [&str; 16] = [
    "alpha", "beta", "gamma", "delta", "epoch", "loss", "accuracy", "model", "train", "valid",
    "batch", "layer", "weight", "tensor", "metric", "sample",
];
const CATEGORIES: [&str; 12] = [
    "cat", "dog", "bird", "fish", "horse", "sheep", "cow", "frog", "deer", "truck", "ship", "plane",
];

/// A `rows` × 8 frame: id, user, category, flag, count, price (2 decimals), score, ratio (6 decimals).
pub fn frame(rows: usize, seed: u64) -> Result<DataFrame> {
    let mut rng = StdRng::seed_from_u64(seed);
    let id: Vec<i64> = (0..rows as i64).collect();
    let user: Vec<String> = (0..rows)
        .map(|_| format!("user_{:06}", rng.random_range(0..200_000)))
        .collect();
    let category: Vec<&str> = (0..rows)
        .map(|_| CATEGORIES[rng.random_range(0..CATEGORIES.len())])
        .collect();
    let flag: Vec<bool> = (0..rows).map(|_| rng.random_bool(0.3)).collect();
    let count: Vec<i64> = (0..rows).map(|_| rng.random_range(0..10_000)).collect();
    let price: Vec<f64> = (0..rows)
        .map(|_| (rng.random_range(0.0..1000.0f64) * 100.0).round() / 100.0)
        .collect();
    let score: Vec<f64> = (0..rows).map(|_| rng.random::<f64>()).collect();
    let ratio: Vec<f64> = (0..rows)
        .map(|_| (rng.random::<f64>() * 1e6).round() / 1e6)
        .collect();
    Ok(df!(
        "id" => id, "user" => user, "category" => category, "flag" => flag,
        "count" => count, "price" => price, "score" => score, "ratio" => ratio,
    )?)
}

/// Write the frame as parquet (read back by both the Rust and the Python side).
pub fn write_frame(rows: usize, seed: u64, out: &Path) -> Result<()> {
    let mut df = frame(rows, seed)?;
    let f = std::fs::File::create(out).with_context(|| format!("create {}", out.display()))?;
    ParquetWriter::new(f).finish(&mut df)?;
    Ok(())
}

/// Read a parquet frame.
pub fn read_frame(path: &Path) -> Result<DataFrame> {
    let f = std::fs::File::open(path).with_context(|| format!("open {}", path.display()))?;
    Ok(ParquetReader::new(f).finish()?)
}

/// `count` text files of exactly `size` bytes (random words), named `f00000.txt`…
pub fn write_folder(count: usize, size: usize, seed: u64, out: &Path) -> Result<()> {
    let mut rng = StdRng::seed_from_u64(seed);
    std::fs::create_dir_all(out)?;
    for i in 0..count {
        let mut buf = String::with_capacity(size + 16);
        while buf.len() < size {
            buf.push_str(WORDS[rng.random_range(0..WORDS.len())]);
            buf.push(if rng.random_range(0..10) == 0 {
                '\n'
            } else {
                ' '
            });
        }
        buf.truncate(size);
        std::fs::write(out.join(format!("f{i:05}.txt")), buf)?;
    }
    Ok(())
}

/// One file of `bytes` random (incompressible) bytes, synced to disk.
pub fn write_big(bytes: u64, seed: u64, out: &Path) -> Result<()> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut f = std::io::BufWriter::with_capacity(1 << 22, std::fs::File::create(out)?);
    let mut chunk = vec![0u8; 1 << 22];
    let mut left = bytes;
    while left > 0 {
        let n = left.min(chunk.len() as u64) as usize;
        rng.fill_bytes(&mut chunk[..n]);
        f.write_all(&chunk[..n])?;
        left -= n as u64;
    }
    f.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    Ok(())
}
