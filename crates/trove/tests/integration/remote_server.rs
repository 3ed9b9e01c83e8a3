//! The SDK in remote mode against a real `trove server` started in-process: every kind through the files
//! server, registered frames with versions, status on close, hash mismatches. The cross-language checks with
//! the official ClearML Python SDK are in `external::python_interop`.
#![cfg(all(
    feature = "frame",
    feature = "array",
    feature = "image",
    feature = "archive",
    feature = "json",
    feature = "embedded-sqlite"
))]

#[path = "../../../../examples/artifacts.rs"]
#[allow(dead_code)]
pub(crate) mod seed;

use crate::remote::Server;
use polars::prelude::*;
use std::path::{Path, PathBuf};
use std::time::Duration;
use trove::{FrameFormat, TaskStatus, TroveError, UploadOptions, UploadState};

/// A client with this configuration.
pub(crate) fn trove_with(config: trove::Config) -> trove::Trove {
    trove::Trove::builder().config(config).build().unwrap()
}

pub(crate) fn seed_frame() -> DataFrame {
    df!(
        "" => ["falcon", "dog", "spider", "fish"],
        "num_legs" => [2i64, 4, 8, 0],
        "num_wings" => [2i64, 0, 0, 0],
        "num_specimen_seen" => [10i64, 2, 1, 8],
    )
    .unwrap()
}

/// The values of an integer column.
pub(crate) fn ints(df: &DataFrame, col: &str) -> Vec<i64> {
    df.column(col)
        .unwrap_or_else(|e| panic!("{col}: {e}; columns {:?}", df.get_column_names()))
        .cast(&DataType::Int64)
        .unwrap()
        .i64()
        .unwrap()
        .into_no_null_iter()
        .collect()
}

pub(crate) fn strs(df: &DataFrame, col: &str) -> Vec<String> {
    let c = df
        .column(col)
        .unwrap_or_else(|e| panic!("{col}: {e}; columns {:?}", df.get_column_names()));
    let ca = c.str().unwrap();
    (0..ca.len())
        .map(|i| ca.get(i).unwrap_or_default().to_string())
        .collect()
}

/// The seed frame's values, whatever the index column is called.
pub(crate) fn assert_seed_values(df: &DataFrame, index: Option<&str>) {
    assert_eq!(df.height(), 4, "{df}");
    if let Some(ix) = index {
        assert_eq!(strs(df, ix), ["falcon", "dog", "spider", "fish"], "{df}");
    }
    assert_eq!(ints(df, "num_legs"), [2, 4, 8, 0], "{df}");
    assert_eq!(ints(df, "num_wings"), [2, 0, 0, 0], "{df}");
    assert_eq!(ints(df, "num_specimen_seen"), [10, 2, 1, 8], "{df}");
}

pub(crate) fn sorted_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Every file of `expected` (by name) is in `got` with the same bytes, and nothing else.
pub(crate) fn assert_same_tree(got: &Path, expected: &Path, names: &[String]) {
    assert_eq!(sorted_names(got), names, "{}", got.display());
    for n in names {
        assert_eq!(
            std::fs::read(got.join(n)).unwrap(),
            std::fs::read(expected.join(n)).unwrap(),
            "{n} differs"
        );
    }
}

#[test]
fn every_kind_uploads_through_the_files_server_and_reads_back() {
    let s = Server::start();
    let sdk = tempfile::tempdir().unwrap();
    let samples = sdk.path().join("data_samples");
    trove::samples::write_data_samples(&samples).unwrap();
    let cfg = s.config(sdk.path());
    let task = trove_with(cfg.clone())
        .task_builder("remote", "every kind")
        .init()
        .unwrap();
    assert_eq!(
        task.output_uri(),
        s.files,
        "the files server is the default"
    );
    assert_eq!(task.status().unwrap(), TaskStatus::InProgress);

    let df = seed_frame();
    let eye = ndarray::Array2::<f64>::eye(9);
    let img = image::open(samples.join("picasso.jpg")).unwrap();
    task.upload_artifact_with(
        "Pandas",
        df.clone(),
        UploadOptions::default().index_column(""),
    )
    .unwrap();
    task.upload_artifact_with(
        "parquet",
        df.clone(),
        UploadOptions::default().format(FrameFormat::Parquet),
    )
    .unwrap();
    task.upload_artifact("local file", samples.join("dancing.jpg").as_path())
        .unwrap();
    task.upload_artifact(
        "dictionary",
        serde_json::json!({"b": [1, 2], "a": {"x": "y"}}),
    )
    .unwrap();
    task.upload_artifact("Numpy Eye", eye.clone()).unwrap();
    task.upload_artifact("pillow_image", img.clone()).unwrap();
    task.upload_artifact("local folder", samples.as_path())
        .unwrap();
    task.upload_artifact("wildcard jpegs", format!("{}/*.jpg", samples.display()))
        .unwrap();
    task.upload_artifact("note", "hello remote text").unwrap();
    task.upload_artifact("link", "s3://bucket/some/file.bin")
        .unwrap();
    task.upload_artifact(
        "custom",
        trove::Custom::new(
            &vec![1u8, 2, 3],
            |v| v.iter().map(|b| b * 3).collect(),
            ".bin",
        ),
    )
    .unwrap();
    task.flush().unwrap();

    // A second handle (another "process") sees every record ready, with bytes on the files server.
    let other = trove_with(cfg.clone())
        .find_task("remote", "every kind")
        .unwrap();
    assert_eq!(other.id(), task.id());
    let arts = other.artifacts().unwrap();
    assert_eq!(arts.len(), 11, "{arts:?}");
    for a in &arts {
        assert_eq!(a.state(), UploadState::Ready, "{}", a.name());
        assert_eq!(a.record().error, None, "{}", a.name());
        if a.name() == "link" {
            assert_eq!(a.uri(), Some("s3://bucket/some/file.bin"));
            continue;
        }
        let uri = a.uri().unwrap();
        assert!(
            uri.starts_with(&format!(
                "{}/remote/every kind.{}/artifacts/",
                s.files,
                task.id()
            )) || uri.starts_with(&format!(
                "{}/remote/every%20kind.{}/artifacts/",
                s.files,
                task.id()
            )),
            "{uri}"
        );
        let bytes = std::fs::read(s.stored_file(uri)).unwrap_or_else(|e| panic!("{uri}: {e}"));
        assert_eq!(Some(bytes.len() as u64), a.size(), "{}", a.name());
        assert_eq!(
            Some(trove_core::sha256_hex(&bytes).as_str()),
            a.hash(),
            "{}",
            a.name()
        );
    }
    // The server keeps trove's state field.
    let stored = s.block_on(s.store().list_artifacts(task.id())).unwrap();
    assert!(
        stored.iter().all(|r| r.state == UploadState::Ready),
        "{stored:?}"
    );

    let by = |n: &str| other.artifact(n).unwrap();
    let pandas: DataFrame = by("Pandas").get().unwrap();
    assert_eq!(pandas.get_column_names()[0].as_str(), "index", "{pandas}");
    assert_seed_values(&pandas, Some("index"));
    let parquet: DataFrame = by("parquet").get().unwrap();
    assert_eq!(parquet, df);
    let dict: serde_json::Value = by("dictionary").get().unwrap();
    assert_eq!(dict, serde_json::json!({"a": {"x": "y"}, "b": [1, 2]}));
    let arr: ndarray::ArrayD<f64> = by("Numpy Eye").get().unwrap();
    assert_eq!(arr, eye.into_dyn());
    let img_back: image::DynamicImage = by("pillow_image").get().unwrap();
    assert_eq!(img_back.to_rgb8(), img.to_rgb8());
    let text: String = by("note").get().unwrap();
    assert_eq!(text, "hello remote text");
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
    let custom = by("custom").local_copy().unwrap();
    assert_eq!(std::fs::read(custom).unwrap(), vec![3u8, 6, 9]);

    // close() marks the task completed on the server.
    let id = task.id().to_string();
    drop(other);
    task.close().unwrap();
    let t = s.block_on(s.store().get_task(&id)).unwrap().unwrap();
    assert_eq!(t.status, TaskStatus::Completed);
    assert_eq!(
        trove_with(cfg).task(&id).unwrap().status().unwrap(),
        TaskStatus::Completed
    );
}

#[test]
fn registered_frames_have_versions_on_the_server() {
    let s = Server::start();
    let sdk = tempfile::tempdir().unwrap();
    let cfg = s.config(sdk.path());
    let task = trove_with(cfg.clone())
        .task_builder("remote", "registered")
        .monitor_interval(Duration::from_millis(200))
        .init()
        .unwrap();
    let train = trove::Tracked::new(seed_frame());
    task.register_artifact_with(
        "train",
        &train,
        trove::RegisterOptions::default().metadata("counting", "legs"),
    )
    .unwrap();
    task.flush().unwrap();
    *train.write() = seed_frame().head(Some(2));
    task.flush().unwrap();

    let reader = trove_with(cfg.clone()).task(task.id()).unwrap();
    let a = reader.artifact("train").unwrap();
    assert_eq!(a.kind(), "data-audit-table");
    assert_eq!(a.state(), UploadState::Ready);
    assert_eq!(
        a.metadata().get("counting").map(String::as_str),
        Some("legs")
    );
    let versions = a.versions().unwrap();
    assert_eq!(versions.len(), 2, "{versions:?}");
    assert_eq!(
        versions.iter().map(|v| v.version).collect::<Vec<_>>(),
        [1, 2]
    );
    assert_eq!(
        versions[1].hash,
        a.hash().unwrap(),
        "the record is the newest version"
    );
    assert_ne!(versions[0].hash, versions[1].hash);
    for v in &versions {
        assert!(v.uri.starts_with(&s.files), "{}", v.uri);
        let bytes = std::fs::read(s.stored_file(&v.uri)).unwrap();
        assert_eq!(trove_core::sha256_hex(&bytes), v.hash);
    }
    let first: DataFrame = a.get_version(1).unwrap();
    assert_seed_values(&first, Some(""));
    let second: DataFrame = a.get_version(2).unwrap();
    assert_eq!(second.height(), 2);
    assert_eq!(strs(&second, ""), ["falcon", "dog"]);
    let current: DataFrame = a.get().unwrap();
    assert_eq!(current, second);
    assert!(a.get_version::<DataFrame>(3).is_err());
    task.close().unwrap();
    assert_eq!(reader.status().unwrap(), TaskStatus::Completed);
}

#[test]
fn a_tampered_file_on_the_files_server_is_a_hash_mismatch() {
    let s = Server::start();
    let sdk = tempfile::tempdir().unwrap();
    let cfg = s.config(sdk.path());
    let task = trove_with(cfg.clone())
        .task_builder("remote", "tamper")
        .init()
        .unwrap();
    let rec = task
        .upload_artifact_with(
            "d",
            serde_json::json!({"x": 1}),
            UploadOptions::default().wait(true),
        )
        .unwrap();
    assert_eq!(rec.state, UploadState::Ready);
    let stored = s.stored_file(rec.uri.as_deref().unwrap());
    std::fs::write(&stored, b"{\"x\": 2}").unwrap();
    // A reader with its own (empty) cache.
    let other = tempfile::tempdir().unwrap();
    let reader = trove_with(s.config(other.path())).task(task.id()).unwrap();
    match reader.artifact("d").unwrap().get::<serde_json::Value>() {
        Err(TroveError::HashMismatch {
            expected, actual, ..
        }) => {
            assert_eq!(Some(expected), rec.hash);
            assert_eq!(actual, trove_core::sha256_hex(b"{\"x\": 2}"));
        }
        other => panic!("expected a hash mismatch, got {other:?}"),
    }
    // Nothing unverified stays in the cache.
    let cached: Vec<_> = walk(&s.config(other.path()).cache_dir());
    assert!(cached.iter().all(|p| !p.ends_with("d.json")), "{cached:?}");
    task.close().unwrap();
}

pub(crate) fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

#[test]
fn unknown_tasks_are_not_found_and_bad_credentials_are_errors() {
    let s = Server::start();
    let sdk = tempfile::tempdir().unwrap();
    let missing = "0".repeat(32);
    match trove_with(s.config(sdk.path())).task(&missing) {
        Err(TroveError::TaskNotFound(id)) => assert_eq!(id, missing),
        other => panic!(
            "expected TaskNotFound, got {:?}",
            other.map(|t| t.id().to_string())
        ),
    }
    match trove_with(s.config(sdk.path())).find_task("no such project", "x") {
        Err(TroveError::TaskNotFound(_)) => {}
        other => panic!(
            "expected TaskNotFound, got {:?}",
            other.map(|t| t.id().to_string())
        ),
    }
    let mut bad = s.config(sdk.path());
    bad.secret_key = Some("wrong".into());
    match trove_with(bad.clone()).task(&missing) {
        Err(TroveError::Api { endpoint, message }) => {
            assert_eq!(endpoint, "auth.login");
            assert!(message.starts_with("401"), "{message}");
        }
        other => panic!(
            "expected a login error, got {:?}",
            other.map(|t| t.id().to_string())
        ),
    }
    assert!(matches!(
        trove_with(bad).task_builder("p", "t").init(),
        Err(TroveError::Api { .. })
    ));
}

#[test]
fn a_record_that_cannot_be_published_is_reported_once() {
    let mut s = Server::start();
    let sdk = tempfile::tempdir().unwrap();
    let dest = sdk.path().join("dest");
    std::fs::create_dir_all(&dest).unwrap();
    let task = trove_with(s.config(sdk.path()))
        .task_builder("remote", "publication fails")
        .output_uri(dest.display().to_string())
        .init()
        .unwrap();
    // The bytes go to a local folder; the server that should record them is gone.
    s.stop();
    task.upload_artifact("d", serde_json::json!({ "a": 1 }))
        .unwrap();
    match task.flush() {
        Err(TroveError::UploadsFailed(list)) => assert!(
            list.iter()
                .any(|(n, e)| n == "d" && e.contains("publishing its record failed")),
            "{list:?}"
        ),
        other => panic!("expected the publication failure, got {other:?}"),
    }
    // Waiting: the caller gets the failure at once, and it is not reported again.
    let err = task
        .upload_artifact_with(
            "w",
            serde_json::json!({ "b": 2 }),
            UploadOptions::default().wait(true),
        )
        .unwrap_err();
    assert!(matches!(err, TroveError::UploadsFailed(_)), "{err}");
    assert!(task.flush().is_ok(), "both failures were reported already");
}
