//! Big frames as `.csv.gz`: the parallel multi-member writer gives the same CSV as ClearML's single
//! stream, no bigger, and pandas reads it back. Also an `#[ignore]`d measurement of the writer and of the
//! candidate compressors on the W2 benchmark frame (run it in release, see the test's doc).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;
use std::time::Instant;
use trove_testkit::process::run_ok;
use trove_testkit::python::Venv;

use crate::kinds::{ArtifactObject, SerializeOptions, Serialized, serialize};
use polars::prelude::*;

/// How long one Python reader may run (each takes a few seconds).
const PY_LIMIT: Duration = Duration::from_secs(180);

fn python() -> PathBuf {
    Venv::Data.python()
}

/// A deterministic pseudo-random sequence (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// `rows` rows of every dtype the fast writer handles, with nulls, NaN, ±inf and strings to quote.
fn mixed_frame(rows: usize) -> DataFrame {
    let mut r = Rng(7);
    let mut ints = Vec::new();
    let mut small = Vec::new();
    let mut floats = Vec::new();
    let mut f32s = Vec::new();
    let mut bools = Vec::new();
    let mut strs = Vec::new();
    let words = ["plain", "a,b", "say \"hi\"", "two\nlines", "", "naïve"];
    for i in 0..rows {
        ints.push((i % 97 != 0).then(|| r.below(2_000_000) as i64 - 1_000_000));
        small.push(r.below(200) as u32);
        floats.push(match r.below(50) {
            0 => Some(f64::NAN),
            1 => Some(f64::INFINITY),
            2 => Some(f64::NEG_INFINITY),
            3 => None,
            4 => Some(r.unit() * 1e-7),
            5 => Some(r.unit() * 1e20),
            _ => Some((r.unit() * 1e5).round() / 100.0),
        });
        f32s.push(r.unit() as f32);
        bools.push((i % 13 != 0).then(|| r.below(2) == 1));
        strs.push((i % 11 != 0).then(|| format!("{}{}", words[r.below(6) as usize], i % 1000)));
    }
    df!(
        "key" => ints, "small" => small, "value" => floats, "single" => f32s, "flag" => bools,
        "text" => strs,
    )
    .unwrap()
}

fn ser(df: &DataFrame, o: &SerializeOptions, dir: &Path) -> Serialized {
    let obj = ArtifactObject::Frame { frame: df.clone() };
    serialize("big frame", obj, o, dir).unwrap()
}

fn gunzip_all(p: &Path) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(std::fs::File::open(p).unwrap())
        .read_to_end(&mut out)
        .unwrap();
    out
}

#[test]
fn big_frames_are_parallel_members_with_clearmls_csv() {
    let df = mixed_frame(300_000);
    let dir = tempfile::tempdir().unwrap();
    let fast = ser(&df, &SerializeOptions::default(), &dir.path().join("fast"));
    let same = SerializeOptions {
        clearml_identical: true,
        ..Default::default()
    };
    let one = ser(&df, &same, &dir.path().join("one"));
    let (fast_p, one_p) = (fast.path.clone().unwrap(), one.path.clone().unwrap());
    let (fast_b, one_b) = (
        std::fs::read(&fast_p).unwrap(),
        std::fs::read(&one_p).unwrap(),
    );
    // Same header as ClearML's (FNAME, mtime 0, XFL 2, OS 255), then different (multi-member) bytes.
    assert_eq!(&fast_b[..26], &one_b[..26]);
    assert_eq!(&fast_b[10..26], b"big%20frame.csv\0");
    assert_ne!(fast.hash, one.hash);
    let mut first = Vec::new();
    flate2::read::GzDecoder::new(&fast_b[..])
        .read_to_end(&mut first)
        .unwrap();
    let csv = gunzip_all(&fast_p);
    assert!(first.len() < csv.len() / 2, "several members expected");
    assert_eq!(csv, gunzip_all(&one_p), "same CSV once decompressed");
    assert!(
        fast_b.len() <= one_b.len(),
        "members {} bytes > single stream {} bytes",
        fast_b.len(),
        one_b.len()
    );
    assert_eq!(fast.size, Some(fast_b.len() as u64));
    assert_eq!(
        fast.hash.as_deref(),
        Some(trove_core::sha256_hex(&fast_b).as_str())
    );
    let text = String::from_utf8(csv).unwrap();
    assert!(text.starts_with(",key,small,value,single,flag,text\n0,"));
    assert!(text.contains(",inf,") && text.contains(",-inf,") && text.contains("\"say \"\"hi\"\""));

    // pandas reads the members file, equal to the single stream it reads, with the values written.
    let script = r#"
import sys, pandas as pd, numpy as np
a = pd.read_csv(sys.argv[1], index_col=[0])
b = pd.read_csv(sys.argv[2], index_col=[0])
pd.testing.assert_frame_equal(a, b)
print(len(a), int(a["key"].sum()), int(a["small"].sum()), int(a["flag"].isna().sum()), a["text"].iloc[1])
"#;
    let mut cmd = Command::new(python());
    cmd.args(["-c", script]).arg(&fast_p).arg(&one_p);
    let stdout = run_ok(cmd, PY_LIMIT);
    let key_sum: i64 = df.column("key").unwrap().i64().unwrap().sum().unwrap();
    let small_sum: u64 = df
        .column("small")
        .unwrap()
        .u32()
        .unwrap()
        .iter()
        .map(|v| u64::from(v.unwrap()))
        .sum();
    let text1 = df.column("text").unwrap().str().unwrap().get(1).unwrap();
    let flag_nulls = df.column("flag").unwrap().null_count();
    assert_eq!(
        stdout.trim(),
        format!("300000 {key_sum} {small_sum} {flag_nulls} {text1}")
    );

    // Round trip through trove's own reader.
    let back = <DataFrame as crate::kinds::FromArtifact>::from_artifact(
        "pandas",
        Some("text/csv"),
        "big frame",
        &fast_p,
    )
    .unwrap();
    assert_eq!(back.height(), 300_000);
}

#[test]
fn other_gzip_levels_and_small_frames() {
    let dir = tempfile::tempdir().unwrap();
    let df = mixed_frame(120_000);
    let o1 = SerializeOptions {
        gzip_level: 1,
        ..Default::default()
    };
    let fast1 = ser(&df, &o1, &dir.path().join("l1"));
    let fast9 = ser(&df, &SerializeOptions::default(), &dir.path().join("l9"));
    let (p1, p9) = (fast1.path.unwrap(), fast9.path.unwrap());
    assert_eq!(gunzip_all(&p1), gunzip_all(&p9));
    assert!(fast1.size.unwrap() > fast9.size.unwrap());
    // A small frame is one stream: the fast and the identical paths write the same bytes.
    let small = mixed_frame(2_000);
    let a = ser(&small, &SerializeOptions::default(), &dir.path().join("a"));
    let same = SerializeOptions {
        clearml_identical: true,
        ..Default::default()
    };
    let b = ser(&small, &same, &dir.path().join("b"));
    assert_eq!(a.hash, b.hash);
}

/// The W2 benchmark frame's columns and value distributions (bench/src/prepare.rs `frame`), with this
/// file's generator instead of `rand`'s.
fn w2_like_frame(rows: usize) -> DataFrame {
    const CATEGORIES: [&str; 12] = [
        "cat", "dog", "bird", "fish", "horse", "sheep", "cow", "frog", "deer", "truck", "ship",
        "plane",
    ];
    let mut r = Rng(42);
    let id: Vec<i64> = (0..rows as i64).collect();
    let user: Vec<String> = (0..rows)
        .map(|_| format!("user_{:06}", r.below(200_000)))
        .collect();
    let category: Vec<&str> = (0..rows)
        .map(|_| CATEGORIES[r.below(12) as usize])
        .collect();
    let flag: Vec<bool> = (0..rows).map(|_| r.unit() < 0.3).collect();
    let count: Vec<i64> = (0..rows).map(|_| r.below(10_000) as i64).collect();
    let price: Vec<f64> = (0..rows)
        .map(|_| (r.unit() * 1000.0 * 100.0).round() / 100.0)
        .collect();
    let score: Vec<f64> = (0..rows).map(|_| r.unit()).collect();
    let ratio: Vec<f64> = (0..rows).map(|_| (r.unit() * 1e6).round() / 1e6).collect();
    df!(
        "id" => id, "user" => user, "category" => category, "flag" => flag,
        "count" => count, "price" => price, "score" => score, "ratio" => ratio,
    )
    .unwrap()
}

/// The W2 frame: the parquet named by `TROVE_W2_FRAME` (e.g. `trove-bench prepare-frame --rows 1000000
/// --seed 42`), else a 1M-row look-alike, also written to `$TMPDIR/trove-w2-like.parquet` for pandas.
/// Run: `cargo test --release -p trove --test kinds_frame_big -- --ignored --nocapture`
#[test]
#[ignore]
fn measure_w2_writer_and_compressors() {
    let df = match std::env::var("TROVE_W2_FRAME") {
        Ok(p) => ParquetReader::new(std::fs::File::open(p).unwrap())
            .finish()
            .unwrap(),
        Err(_) => {
            let mut df = w2_like_frame(1_000_000);
            let p = std::env::temp_dir().join("trove-w2-like.parquet");
            ParquetWriter::new(std::fs::File::create(&p).unwrap())
                .finish(&mut df)
                .unwrap();
            println!("frame written to {}", p.display());
            df
        }
    };
    let dir = tempfile::tempdir().unwrap();
    let timed = |label: &str, o: &SerializeOptions| {
        let t = Instant::now();
        let s = ser(&df, o, &dir.path().join(label));
        let secs = t.elapsed().as_secs_f64();
        println!("{label}: {:.3} s, {} bytes", secs, s.size.unwrap());
        s
    };
    let fast = timed("parallel members (default)", &SerializeOptions::default());
    let same = SerializeOptions {
        clearml_identical: true,
        ..Default::default()
    };
    let one = timed("single zlib-9 stream (clearml_identical)", &same);
    let stored = SerializeOptions {
        clearml_identical: true,
        gzip_level: 0,
        ..Default::default()
    };
    timed("formatting only (one stored stream, level 0)", &stored);
    let csv = gunzip_all(fast.path.as_ref().unwrap());
    assert_eq!(csv, gunzip_all(one.path.as_ref().unwrap()));
    compare_compressors("W2 frame", &csv);
    let mixed = ser(&mixed_frame(300_000), &same, &dir.path().join("mixed"));
    compare_compressors(
        "mixed test frame",
        &gunzip_all(mixed.path.as_ref().unwrap()),
    );
}

/// Single-threaded compressor candidates on `csv`, cut in 4 MiB chunks for libdeflate like the writer.
fn compare_compressors(label: &str, csv: &[u8]) {
    println!("{label}: csv {} bytes", csv.len());
    let mb = csv.len() as f64 / 1e6;
    for level in 1..=12 {
        let t = Instant::now();
        let mut c = libdeflater::Compressor::new(libdeflater::CompressionLvl::new(level).unwrap());
        let mut total = 0;
        for chunk in csv.chunks(4 << 20) {
            let mut out = vec![0; c.deflate_compress_bound(chunk.len())];
            total += c.deflate_compress(chunk, &mut out).unwrap() + 18;
        }
        let s = t.elapsed().as_secs_f64();
        println!("libdeflate {level:>2}: {total} bytes, {:.1} MB/s", mb / s);
    }
    for level in 6..=9 {
        let t = Instant::now();
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(level));
        e.write_all(csv).unwrap();
        let total = e.finish().unwrap().len();
        let s = t.elapsed().as_secs_f64();
        println!("zlib-rs {level}: {total} bytes, {:.1} MB/s", mb / s);
    }
}
