//! The cross-language check of the seed example with the official ClearML Python SDK (2.x venv), in both
//! directions, against a real `trove server` started in-process. Fails (does not skip) without Python or the venv.
#![cfg(all(
    feature = "frame",
    feature = "array",
    feature = "image",
    feature = "archive",
    feature = "json",
    feature = "embedded-sqlite"
))]

use crate::remote::Server;
use crate::remote_server::*;
use polars::prelude::DataFrame;
use std::path::PathBuf;
use trove::{TaskStatus, UploadState};

/// The check, direction 1: the Rust SDK records the seed example on the server; the official Python
/// SDK finds the task by project and name and `.get()`s every artifact.
#[test]
fn python_sdk_reads_the_rust_seed_example() {
    let py = crate::remote::clearml_venv();
    let s = Server::start();
    let sdk = tempfile::tempdir().unwrap();
    let samples = sdk.path().join("data_samples");
    let task = seed::record(
        trove_with(s.config(sdk.path())).task_builder("examples", "artifacts example"),
        &samples,
    )
    .unwrap();
    task.close().unwrap();

    let work = tempfile::tempdir().unwrap();
    let env = s.clearml_env(work.path());
    let (ok, out) = crate::remote::run_py(
        &py,
        &crate::remote::sdk_script("check_rust_seed.py"),
        &[samples.to_str().unwrap()],
        work.path(),
        &env,
    );
    assert!(ok, "the Python SDK could not read the Rust seed\n{out}");
    assert!(out.lines().any(|l| l.trim() == "OK"), "{out}");
}

/// Direction 2: the official Python SDK runs the seed example on the server; the Rust SDK opens the task
/// remotely and reads every kind back.
#[test]
fn rust_sdk_reads_the_python_seed_example() {
    let py = crate::remote::clearml_venv();
    let s = Server::start();
    let work = tempfile::tempdir().unwrap();
    let wd = work.path();
    let (ok, out) = crate::remote::run_py(
        &py,
        &crate::remote::server_script("make_samples.py"),
        &[wd.to_str().unwrap()],
        wd,
        &[],
    );
    assert!(ok, "make_samples.py failed\n{out}");
    let env = s.clearml_env(wd);
    let (ok, out) = crate::remote::run_py(
        &py,
        &crate::remote::server_script("seed_artifacts.py"),
        &[],
        wd,
        &env,
    );
    assert!(ok, "seed_artifacts.py failed\n{out}");
    let samples = wd.join("data_samples");

    let sdk = tempfile::tempdir().unwrap();
    let task = trove_with(s.config(sdk.path()))
        .find_task("examples", "artifacts example")
        .unwrap();
    assert_eq!(task.status().unwrap(), TaskStatus::Completed);
    let arts = task.artifacts().unwrap();
    let mut names: Vec<&str> = arts.iter().map(|a| a.name()).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "Numpy Eye",
            "Pandas",
            "dictionary",
            "local file",
            "local folder",
            "pillow_image",
            "train",
            "wildcard jpegs"
        ]
    );
    for a in &arts {
        assert_eq!(
            a.state(),
            UploadState::Ready,
            "{}: records without state are ready",
            a.name()
        );
    }
    let by = |n: &str| task.artifact(n).unwrap();

    let pandas: DataFrame = by("Pandas").get().unwrap();
    assert_seed_values(&pandas, Some("index"));
    let train: DataFrame = by("train").get().unwrap();
    assert_eq!(by("train").kind(), "data-audit-table");
    assert_seed_values(&train, None);
    assert_eq!(
        by("train").metadata().get("counting").map(String::as_str),
        Some("legs")
    );

    let dict: serde_json::Value = by("dictionary").get().unwrap();
    let labels = ["falcon", "dog", "spider", "fish"];
    let col = |v: [i64; 4]| {
        serde_json::Value::Object(
            labels
                .iter()
                .zip(v)
                .map(|(l, x)| (l.to_string(), x.into()))
                .collect(),
        )
    };
    assert_eq!(
        dict,
        serde_json::json!({
            "num_legs": col([2, 4, 8, 0]),
            "num_wings": col([2, 0, 0, 0]),
            "num_specimen_seen": col([10, 2, 1, 8]),
        })
    );

    let eye: ndarray::ArrayD<f64> = by("Numpy Eye").get().unwrap();
    assert_eq!(eye, ndarray::Array2::<f64>::eye(100).into_dyn());

    let img: image::DynamicImage = by("pillow_image").get().unwrap();
    let orig = image::open(samples.join("dancing.jpg")).unwrap();
    assert_eq!((img.width(), img.height()), (orig.width(), orig.height()));
    // PIL and the image crate may decode a JPEG a little differently; the PNG holds PIL's pixels.
    let (a, b) = (img.to_rgb8(), orig.to_rgb8());
    let diff: u64 = a
        .as_raw()
        .iter()
        .zip(b.as_raw())
        .map(|(x, y)| u64::from(x.abs_diff(*y)))
        .sum();
    assert!(
        diff / (a.as_raw().len() as u64) < 3,
        "pixels differ by {diff}"
    );

    let file: PathBuf = by("local file").get().unwrap();
    assert_eq!(
        std::fs::read(file).unwrap(),
        std::fs::read(samples.join("dancing.jpg")).unwrap()
    );
    let folder: PathBuf = by("local folder").get().unwrap();
    assert_same_tree(&folder, &samples, &sorted_names(&samples));
    let jpgs: PathBuf = by("wildcard jpegs").get().unwrap();
    assert_same_tree(
        &jpgs,
        &samples,
        &["dancing.jpg".into(), "picasso.jpg".into()],
    );
}
