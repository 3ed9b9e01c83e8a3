//! Byte-compatibility with ClearML's Python SDK: hashes and sizes from the traced reference run.

use std::io::Read;

use crate::kinds::{IntoArtifact, SerializeOptions, Serialized, serialize};
use polars::df;
use polars::prelude::DataFrame;
use serde_json::json;

fn seed_frame() -> DataFrame {
    df!(
        "animal" => ["falcon", "dog", "spider", "fish"],
        "num_legs" => [2i64, 4, 8, 0],
        "num_wings" => [2i64, 0, 0, 0],
        "num_specimen_seen" => [10i64, 2, 1, 8],
    )
    .unwrap()
}

fn ser(
    name: &str,
    obj: impl IntoArtifact,
    opts: &SerializeOptions,
    dir: &std::path::Path,
) -> Serialized {
    serialize(name, obj.into_artifact().unwrap(), opts, dir).unwrap()
}

fn gunzip(p: &std::path::Path) -> String {
    let mut s = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(p).unwrap())
        .read_to_string(&mut s)
        .unwrap();
    s
}

#[test]
fn pandas_csv_gz_matches_clearml() {
    let dir = tempfile::tempdir().unwrap();
    let opts = SerializeOptions {
        index_column: Some("animal".into()),
        ..Default::default()
    };
    let s = ser("Pandas", seed_frame(), &opts, dir.path());
    let path = s.path.clone().unwrap();
    assert_eq!(
        gunzip(&path),
        ",num_legs,num_wings,num_specimen_seen\nfalcon,2,2,10\ndog,4,0,2\nspider,8,0,1\nfish,0,0,8\n"
    );
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(
        &bytes[..10],
        &[0x1f, 0x8b, 8, 8, 0, 0, 0, 0, 2, 0xff],
        "gzip header: FNAME, mtime 0, XFL 2, OS 255"
    );
    assert_eq!(&bytes[10..21], b"Pandas.csv\0");
    assert_eq!(s.kind, "pandas");
    assert_eq!(s.file_name.as_deref(), Some("Pandas.csv.gz"));
    assert_eq!(s.content_type.as_deref(), Some("text/csv"));
    assert_eq!(s.size, Some(109));
    assert_eq!(
        s.hash.as_deref(),
        Some("284c308ce354fc513913beab220c58d58636f42aabec2d64372d249a1a276142")
    );
    assert_eq!(trove_core::sha256_hex(&bytes), s.hash.clone().unwrap());
    assert!(s.temp);
    assert!(s.preview.starts_with(
        "        num_legs  num_wings  num_specimen_seen\nfalcon         2          2                 10\ndog            4          0                  2\nspider         8          0                  1\nfish           0          0                  8"
    ), "{}", s.preview);
}

#[test]
fn registered_frame_without_index_matches_clearml() {
    let dir = tempfile::tempdir().unwrap();
    let df = seed_frame().drop("animal").unwrap();
    let opts = SerializeOptions {
        with_index: false,
        ..Default::default()
    };
    let s = ser("train", &df, &opts, dir.path());
    assert_eq!(
        gunzip(s.path.as_ref().unwrap()),
        "num_legs,num_wings,num_specimen_seen\n2,2,10\n4,0,2\n8,0,1\n0,0,8\n"
    );
    assert_eq!(s.size, Some(89));
    assert_eq!(
        s.preview,
        "   num_legs  num_wings  num_specimen_seen\n0         2          2                 10\n1         4          0                  2\n2         8          0                  1\n3         0          0                  8"
    );
    let h = s.hash.unwrap();
    assert_eq!(
        h,
        "66bdb40e9ee68dfd0d025b1e7f15a4bbb7d3abe8607ebc0a2277a29a9d3dec72"
    );
    // data_hash = sha256(file[32:])
    let bytes = std::fs::read(s.path.unwrap()).unwrap();
    assert_eq!(
        trove_core::sha256_hex(&bytes[32..]),
        "21bf6229067f2a870310d09ac8489bee32aaccdb65f6bd94b5957cfc74fd5e03"
    );
}

#[test]
fn json_matches_clearml() {
    let dir = tempfile::tempdir().unwrap();
    let s = ser(
        "blob",
        json!({"x": 1}),
        &SerializeOptions::default(),
        dir.path(),
    );
    assert_eq!(s.size, Some(14));
    assert_eq!(
        s.hash.as_deref(),
        Some("884066cea7e3bda6a1705a0047ebf121e535bd11c6df842d3aa7b3a2b21ad528")
    );
    assert_eq!(s.preview, "{\n    \"x\": 1\n}");
    assert_eq!(s.kind, "dict");
    assert_eq!(s.content_type.as_deref(), Some("application/json"));

    // df.to_dict() of the seed frame, built in insertion order (sort_keys must reorder it).
    let to_dict = json!({
        "num_legs": {"falcon": 2, "dog": 4, "spider": 8, "fish": 0},
        "num_wings": {"falcon": 2, "dog": 0, "spider": 0, "fish": 0},
        "num_specimen_seen": {"falcon": 10, "dog": 2, "spider": 1, "fish": 8},
    });
    let s = ser(
        "dictionary",
        to_dict,
        &SerializeOptions::default(),
        dir.path(),
    );
    assert_eq!(s.size, Some(322));
    assert_eq!(
        s.hash.as_deref(),
        Some("228fd30dbf5dbf0badec7573b6416adae91bcba7a458ae8c58e18307b8b77f9c")
    );
    assert_eq!(s.file_name.as_deref(), Some("dictionary.json"));
}

#[test]
fn text_matches_clearml() {
    let dir = tempfile::tempdir().unwrap();
    let s = ser(
        "text",
        crate::kinds::Text("hello world text".into()),
        &SerializeOptions::default(),
        dir.path(),
    );
    assert_eq!(s.size, Some(16));
    assert_eq!(
        s.hash.as_deref(),
        Some("a414679375a7e026d3deaf5a16495273b1e77c7d4adcfcbc6acb9d45776728f7")
    );
    assert_eq!(s.kind, "string");
    assert_eq!(s.file_name.as_deref(), Some("text.txt"));
    assert_eq!(s.content_type.as_deref(), Some("text/plain"));
    assert_eq!(s.preview, "hello world text");
}

#[test]
fn numpy_eye_preview_matches_clearml() {
    let dir = tempfile::tempdir().unwrap();
    let s = ser(
        "Numpy Eye",
        ndarray::Array2::<f64>::eye(100),
        &SerializeOptions::default(),
        dir.path(),
    );
    assert_eq!(s.kind, "numpy");
    assert_eq!(s.file_name.as_deref(), Some("Numpy Eye.npz"));
    assert_eq!(s.content_type.as_deref(), Some("application/numpy"));
    assert_eq!(
        s.preview,
        "array([[1., 0., 0., ..., 0., 0., 0.],\n       [0., 1., 0., ..., 0., 0., 0.],\n       [0., 0., 1., ..., 0., 0., 0.],\n       ...,\n       [0., 0., 0., ..., 1., 0., 0.],\n       [0., 0., 0., ..., 0., 1., 0.],\n       [0., 0., 0., ..., 0., 0., 1.]], shape=(100, 100))"
    );
}
