//! The SDK end to end on the embedded default: a real SQLite file and a real artifacts folder in a temp home.
#![cfg(all(
    feature = "frame",
    feature = "array",
    feature = "image",
    feature = "archive",
    feature = "json",
    feature = "embedded-sqlite"
))]

use polars::prelude::*;
use std::path::Path;
use trove::{FrameFormat, TaskStatus, TroveError, UploadOptions, UploadState};

/// A client on the embedded store in `home`.
fn trove_at(home: &std::path::Path) -> trove::Trove {
    trove::Trove::builder().home(home).build().unwrap()
}

/// A client with this configuration.
fn trove_with(config: trove::Config) -> trove::Trove {
    trove::Trove::builder().config(config).build().unwrap()
}

fn home() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

fn seed_frame() -> DataFrame {
    df!(
        "" => ["falcon", "dog", "spider", "fish"],
        "num_legs" => [2i64, 4, 8, 0],
        "num_wings" => [2i64, 0, 0, 0],
        "num_specimen_seen" => [10i64, 2, 1, 8],
    )
    .unwrap()
}

fn local_path(uri: &str) -> std::path::PathBuf {
    std::path::PathBuf::from(uri.strip_prefix("file://").unwrap_or(uri))
}

#[test]
fn init_records_project_and_task_in_the_home_sqlite_file() {
    let h = home();
    let task = trove_at(h.path())
        .task_builder("examples/sub proj", "first task")
        .init()
        .unwrap();
    assert_eq!(task.id().len(), 32);
    assert!(task.id().bytes().all(|b| b.is_ascii_hexdigit()));
    assert!(h.path().join("trove.db").is_file());
    assert_eq!(task.project(), "examples/sub proj");
    assert_eq!(task.status().unwrap(), TaskStatus::InProgress);
    // (`Task::current`, deprecated, is checked in tests/deprecated_api.rs.)
    assert!(
        task.output_uri().starts_with("file://"),
        "{}",
        task.output_uri()
    );
    assert!(task.output_uri().ends_with("/artifacts"));

    let cfg = trove::Config::load_from_home(h.path()).unwrap();
    let again = trove_with(cfg.clone())
        .find_task("examples/sub proj", "first task")
        .unwrap();
    assert_eq!(again.id(), task.id());
    let by_id = trove_with(cfg.clone()).task(task.id()).unwrap();
    assert_eq!(by_id.name(), "first task");
    let id = task.id().to_string();
    task.close().unwrap();
    assert_eq!(
        trove_with(cfg.clone()).task(&id).unwrap().status().unwrap(),
        TaskStatus::Completed
    );
    let newer = trove_at(h.path())
        .task_builder("examples/sub proj", "first task")
        .init()
        .unwrap();
    assert_eq!(
        trove_with(cfg)
            .find_task("examples/sub proj", "first task")
            .unwrap()
            .id(),
        newer.id()
    );
}

#[test]
fn every_kind_round_trips_and_matches_its_record() {
    let h = home();
    let samples = h.path().join("data_samples");
    trove::samples::write_data_samples(&samples).unwrap();
    let task = trove_at(h.path())
        .task_builder("examples", "kinds")
        .init()
        .unwrap();
    let df = seed_frame();
    task.upload_artifact_with(
        "Pandas",
        df.clone(),
        UploadOptions::default().index_column(""),
    )
    .unwrap();
    task.upload_artifact("local file", samples.join("dancing.jpg").as_path())
        .unwrap();
    task.upload_artifact(
        "dictionary",
        serde_json::json!({"b": [1, 2], "a": {"x": "y"}}),
    )
    .unwrap();
    let eye = ndarray::Array2::<f64>::eye(7);
    task.upload_artifact("Numpy Eye", eye.clone()).unwrap();
    let img = image::open(samples.join("picasso.jpg")).unwrap();
    task.upload_artifact("pillow_image", img.clone()).unwrap();
    task.upload_artifact("local folder", samples.as_path())
        .unwrap();
    task.upload_artifact("wildcard jpegs", format!("{}/*.jpg", samples.display()))
        .unwrap();
    task.upload_artifact("note", "hello world text").unwrap();
    task.upload_artifact("link", "s3://bucket/some/file.bin")
        .unwrap();
    task.upload_artifact_with(
        "parquet",
        df.clone(),
        UploadOptions::default().format(FrameFormat::Parquet),
    )
    .unwrap();
    task.upload_artifact(
        "custom",
        trove::Custom::new(
            &vec![1u8, 2, 3],
            |v| v.iter().map(|b| b * 2).collect(),
            ".bin",
        ),
    )
    .unwrap();
    task.flush().unwrap();

    let arts = task.artifacts().unwrap();
    assert_eq!(arts.len(), 11);
    for a in &arts {
        assert_eq!(a.state(), UploadState::Ready, "{}", a.name());
        if a.name() == "link" {
            assert_eq!(a.uri(), Some("s3://bucket/some/file.bin"));
            assert_eq!(a.hash(), None);
            continue;
        }
        let uri = a.uri().unwrap();
        let path = local_path(uri);
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{uri}: {e}"));
        assert_eq!(Some(bytes.len() as u64), a.size(), "{}", a.name());
        assert_eq!(
            Some(trove_core_sha(&bytes).as_str()),
            a.hash(),
            "{}",
            a.name()
        );
        assert!(
            path.starts_with(h.path().join("artifacts/examples")),
            "{uri}"
        );
        assert!(!a.preview().is_empty(), "{} has no preview", a.name());
    }
    let kinds: Vec<(&str, &str)> = arts.iter().map(|a| (a.name(), a.kind())).collect();
    for (n, k) in [
        ("Pandas", "pandas"),
        ("local file", "custom"),
        ("dictionary", "dict"),
        ("Numpy Eye", "numpy"),
        ("pillow_image", "image"),
        ("local folder", "archive"),
        ("wildcard jpegs", "archive"),
        ("note", "string"),
        ("link", "custom"),
    ] {
        assert!(kinds.contains(&(n, k)), "{n} should be {k}: {kinds:?}");
    }
    let by = |n: &str| arts.iter().find(|a| a.name() == n).unwrap().clone();
    assert!(
        by("Pandas")
            .uri()
            .unwrap()
            .ends_with("/artifacts/Pandas/Pandas.csv.gz")
    );
    assert!(
        by("local file")
            .uri()
            .unwrap()
            .ends_with("/artifacts/local file/dancing.jpg")
    );
    assert!(
        by("local folder")
            .uri()
            .unwrap()
            .ends_with("/artifacts/local folder/data_samples.zip")
    );
    assert!(
        by("wildcard jpegs")
            .uri()
            .unwrap()
            .ends_with("/artifacts/wildcard jpegs/data_samples.zip")
    );

    let back: DataFrame = by("parquet").get().unwrap();
    assert_eq!(back.height(), 4);
    let dict: serde_json::Value = by("dictionary").get().unwrap();
    assert_eq!(dict, serde_json::json!({"a": {"x": "y"}, "b": [1, 2]}));
    let arr: ndarray::ArrayD<f64> = by("Numpy Eye").get().unwrap();
    assert_eq!(arr, eye.into_dyn());
    let img_back: image::DynamicImage = by("pillow_image").get().unwrap();
    assert_eq!(img_back.to_rgb8(), img.to_rgb8());
    let text: String = by("note").get().unwrap();
    assert_eq!(text, "hello world text");
    let folder: std::path::PathBuf = by("local folder").get().unwrap();
    assert_eq!(
        std::fs::read(folder.join("data.csv")).unwrap(),
        std::fs::read(samples.join("data.csv")).unwrap()
    );
    let jpgs: std::path::PathBuf = by("wildcard jpegs").get().unwrap();
    let mut names: Vec<String> = std::fs::read_dir(&jpgs)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into())
        .collect();
    names.sort();
    assert_eq!(names, ["dancing.jpg", "picasso.jpg"]);
    let file: std::path::PathBuf = by("local file").get().unwrap();
    assert_eq!(
        std::fs::read(file).unwrap(),
        std::fs::read(samples.join("dancing.jpg")).unwrap()
    );
    let custom = by("custom").local_copy().unwrap();
    assert_eq!(std::fs::read(custom).unwrap(), vec![2u8, 4, 6]);
    // The cache is keyed by hash and reused.
    let c1 = by("dictionary").local_copy().unwrap();
    assert!(
        c1.starts_with(
            h.path()
                .join("cache")
                .join(by("dictionary").hash().unwrap())
        )
    );
    assert_eq!(by("dictionary").local_copy().unwrap(), c1);
    task.close().unwrap();
}

fn trove_core_sha(bytes: &[u8]) -> String {
    trove_core::sha256_hex(bytes)
}

#[test]
fn a_tampered_file_is_a_hash_mismatch_never_silent() {
    let h = home();
    let task = trove_at(h.path())
        .task_builder("p", "tamper")
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
    std::fs::write(local_path(rec.uri.as_deref().unwrap()), b"{\"x\": 2}").unwrap();
    match task.artifact("d").unwrap().get::<serde_json::Value>() {
        Err(TroveError::HashMismatch { .. }) => {}
        other => panic!("expected a hash mismatch, got {other:?}"),
    }
}

#[test]
fn hostile_names_stay_inside_the_task_folder_and_read_back() {
    let h = home();
    let task = trove_at(h.path())
        .task_builder("p", "names")
        .init()
        .unwrap();
    let names = [
        "a/b",
        "..",
        "../../escape",
        "what?",
        "with space",
        "ünïcödé ✓",
        "x\\y",
    ];
    for (i, n) in names.iter().enumerate() {
        task.upload_artifact(n, serde_json::json!({ "i": i }))
            .unwrap();
    }
    task.flush().unwrap();
    let task_dir = h
        .path()
        .join("artifacts/p")
        .join(format!("names.{}", task.id()))
        .join("artifacts");
    for (i, n) in names.iter().enumerate() {
        let a = task.artifact(n).unwrap();
        let p = local_path(a.uri().unwrap());
        assert!(p.starts_with(&task_dir), "{n:?} -> {}", p.display());
        assert!(
            !p.components().any(|c| c.as_os_str() == ".."),
            "{}",
            p.display()
        );
        let v: serde_json::Value = a.get().unwrap();
        assert_eq!(v["i"], i);
    }
}

#[test]
fn bad_input_is_a_clear_error_and_records_nothing() {
    let h = home();
    let task = trove_at(h.path()).task_builder("p", "bad").init().unwrap();
    let long = "n".repeat(5000);
    type Case<'a> = (
        &'a str,
        Box<dyn Fn() -> trove::Result<trove::ArtifactRecord> + 'a>,
    );
    let cases: Vec<Case> = vec![
        ("", Box::new(|| task.upload_artifact("", "x"))),
        ("long", Box::new(|| task.upload_artifact(&long, "x"))),
        (
            "missing path",
            Box::new(|| task.upload_artifact("m", Path::new("/definitely/not/here.bin"))),
        ),
        (
            "wildcard",
            Box::new(|| task.upload_artifact("w", format!("{}/*.nothing", h.path().display()))),
        ),
    ];
    for (what, f) in cases {
        let err = f().expect_err(what);
        assert!(!err.to_string().is_empty(), "{what}");
    }
    assert_eq!(task.artifacts().unwrap().len(), 0);
    // A destination that does not exist is refused at init, naming it.
    let err = trove_at(h.path())
        .task_builder("p", "dest")
        .output_uri("/no/such/folder/anywhere")
        .init()
        .expect_err("must fail");
    assert!(
        err.to_string().contains("/no/such/folder/anywhere"),
        "{err}"
    );
}

#[test]
fn failed_background_upload_is_reported_by_flush_and_recorded() {
    let h = home();
    let out = h.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    let task = trove_at(h.path())
        .task_builder("p", "fail")
        .output_uri(out.display().to_string())
        .init()
        .unwrap();
    // Make the task's folder a file: every write below it fails.
    std::fs::write(out.join("p"), b"not a folder").unwrap();
    task.upload_artifact("d", serde_json::json!({"x": 1}))
        .unwrap();
    match task.flush() {
        Err(TroveError::UploadsFailed(f)) => assert_eq!(f[0].0, "d"),
        other => panic!("expected failure, got {other:?}"),
    }
    let a = task.artifact("d").unwrap();
    assert_eq!(a.state(), UploadState::Failed);
    assert!(a.record().error.is_some());
    assert!(a.get::<serde_json::Value>().is_err());
}

#[test]
fn delete_after_upload_removes_the_users_file_only_after_success() {
    let h = home();
    let f = h.path().join("model.bin");
    std::fs::write(&f, vec![7u8; 1000]).unwrap();
    let task = trove_at(h.path()).task_builder("p", "del").init().unwrap();
    task.upload_artifact_with(
        "model",
        f.as_path(),
        UploadOptions::default().delete_after_upload(true),
    )
    .unwrap();
    task.flush().unwrap();
    assert!(!f.exists());
    assert_eq!(
        std::fs::read(task.artifact("model").unwrap().local_copy().unwrap()).unwrap(),
        vec![7u8; 1000]
    );
}

#[test]
fn several_handles_write_one_store_concurrently() {
    let h = home();
    let task = trove_at(h.path()).task_builder("p", "many").init().unwrap();
    let cfg = trove::Config::load_from_home(h.path()).unwrap();
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let cfg = cfg.clone();
            let id = task.id().to_string();
            std::thread::spawn(move || {
                let handle = trove_with(cfg).task(&id).unwrap();
                for i in 0..25 {
                    handle
                        .upload_artifact(
                            &format!("t{t}-{i}"),
                            serde_json::json!({ "t": t, "i": i }),
                        )
                        .unwrap();
                }
                handle.flush().unwrap();
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let arts = task.artifacts().unwrap();
    assert_eq!(arts.len(), 100);
    assert!(arts.iter().all(|a| a.state() == UploadState::Ready));
}

#[test]
fn many_small_artifacts_are_listed_before_and_after_flush_and_read_back() {
    let h = home();
    let task = trove_at(h.path()).task_builder("p", "many").init().unwrap();
    for i in 0..300 {
        let rec = task
            .upload_artifact(&format!("d{i:03}"), serde_json::json!({ "step": i }))
            .unwrap();
        assert!(matches!(
            rec.state,
            UploadState::Uploading | UploadState::Ready
        ));
    }
    // Read-your-writes: every record queued so far is listed, before any flush.
    assert_eq!(task.artifacts().unwrap().len(), 300);
    task.flush().unwrap();
    let all = task.artifacts().unwrap();
    assert_eq!(all.len(), 300);
    for a in &all {
        assert_eq!(a.state(), UploadState::Ready, "{}", a.name());
        let i: usize = a.name()[1..].parse().unwrap();
        let v: serde_json::Value = a.get().unwrap();
        assert_eq!(v, serde_json::json!({ "step": i }));
        let bytes = std::fs::read(local_path(a.uri().unwrap())).unwrap();
        assert_eq!(a.hash(), Some(trove_core_sha(&bytes).as_str()));
    }
    // Small artifacts went from memory: no staging file was left behind (or made).
    let staged: Vec<_> = walk_files(&h.path().join("staging"));
    assert!(staged.is_empty(), "{staged:?}");
    task.close().unwrap();
}

fn walk_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk_files(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

#[test]
fn a_local_file_is_hashed_once_while_it_is_uploaded() {
    let h = home();
    let src = h.path().join("data.bin");
    let data: Vec<u8> = (0..3_000_000u32).map(|i| (i % 253) as u8).collect();
    std::fs::write(&src, &data).unwrap();
    let task = trove_at(h.path()).task_builder("p", "file").init().unwrap();
    // In the background: the record is published before the bytes are read, so without a hash yet.
    let rec = task.upload_artifact("bg", src.as_path()).unwrap();
    assert_eq!(rec.state, UploadState::Uploading);
    assert_eq!(
        (rec.hash.as_deref(), rec.content_size),
        (None, Some(3_000_000))
    );
    // Waiting: the returned record carries the hash of the stored bytes.
    let waited = task
        .upload_artifact_with("waited", src.as_path(), UploadOptions::default().wait(true))
        .unwrap();
    assert_eq!(waited.hash, Some(trove_core_sha(&data)));
    task.flush().unwrap();
    let bg = task.artifact("bg").unwrap();
    assert_eq!(bg.state(), UploadState::Ready);
    assert_eq!(bg.hash(), Some(trove_core_sha(&data).as_str()));
    assert_eq!(std::fs::read(local_path(bg.uri().unwrap())).unwrap(), data);
    assert_eq!(std::fs::read(bg.local_copy().unwrap()).unwrap(), data);
    task.close().unwrap();
}
