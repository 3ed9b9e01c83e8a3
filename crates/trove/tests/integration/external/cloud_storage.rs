//! The SDK end to end against cloud storage: real emulators (s3s-fs for S3, azurite for Azure Blob, both
//! installed by `scripts/emulators`), a fault-injecting proxy in front of s3s-fs, and a fake of the GCS XML
//! API (no emulator speaks it). Every artifact kind goes up through `Task` and comes back verified by hash.
//! An emulator that cannot be installed or started fails these tests; none is skipped.
#![cfg(all(
    feature = "frame",
    feature = "array",
    feature = "image",
    feature = "archive",
    feature = "json",
    feature = "embedded-sqlite"
))]

use crate::common::fake_gcs::FakeGcs;
use crate::common::fault_proxy::{FaultProxy, Mode};
use crate::common::*;
use polars::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use trove::{Config, Task, TroveError, UploadOptions, UploadState};

/// A client with this configuration.
fn trove_with(config: Config) -> trove::Trove {
    trove::Trove::builder().config(config).build().unwrap()
}

const MIB: usize = 1024 * 1024;
/// Bigger than the multipart threshold configured below (5 MiB), not a multiple of the part size.
const BIG: usize = 24 * MIB + 17;

/// A configuration with a fresh home, small multipart settings, and `sections` (TOML) added.
fn config(home: &Path, sections: &str) -> Config {
    let mut cfg = Config::parse(&format!(
        "[storage]\npart_size_mib = 5\nmultipart_threshold_mib = 5\n{sections}"
    ))
    .unwrap();
    cfg.home = home.to_path_buf();
    cfg
}

fn s3_section(port: u16, storage: &str) -> String {
    format!(
        "{storage}\n[s3]\nkey = \"{S3_KEY}\"\nsecret = \"{S3_SECRET}\"\nregion = \"us-east-1\"\n\
         endpoint = \"http://127.0.0.1:{port}\"\nallow_http = true\npath_style = true\n"
    )
}

fn frame() -> DataFrame {
    df!(
        "" => ["falcon", "dog", "spider", "fish"],
        "num_legs" => [2i64, 4, 8, 0],
        "num_wings" => [2i64, 0, 0, 0],
    )
    .unwrap()
}

/// Upload every artifact kind plus a multipart-sized file; returns the expected SHA-256 of the big file.
fn upload_every_kind(task: &Task, work: &Path, sent: Arc<AtomicU64>) -> String {
    let samples = work.join("data_samples");
    trove::samples::write_data_samples(&samples).unwrap();
    task.upload_artifact_with("frame", frame(), UploadOptions::default().index_column(""))
        .unwrap();
    task.upload_artifact("file", samples.join("dancing.jpg").as_path())
        .unwrap();
    task.upload_artifact("json", serde_json::json!({"b": [1, 2], "a": {"x": "y ✓"}}))
        .unwrap();
    task.upload_artifact("npz", ndarray::Array2::<f64>::eye(5))
        .unwrap();
    let img = image::open(samples.join("picasso.jpg")).unwrap();
    task.upload_artifact("png", img).unwrap();
    task.upload_artifact("folder", samples.as_path()).unwrap();
    task.upload_artifact("text", "hello cloud").unwrap();
    let big = work.join("big/big file.bin");
    let data = write_data(&big, BIG, 42);
    let progress: Arc<dyn Fn(u64) + Send + Sync> = Arc::new(move |n| {
        sent.fetch_max(n, Ordering::Relaxed);
    });
    task.upload_artifact_with(
        "big",
        big.as_path(),
        UploadOptions::default().progress(progress),
    )
    .unwrap();
    sha(&data)
}

/// Read every artifact back (fresh cache) and check bytes against the record's hash and the objects.
fn check_every_kind(task: &Task, prefix: &str, big_sha: &str, work: &Path) {
    let arts = task.artifacts().unwrap();
    assert_eq!(arts.len(), 8, "{arts:?}");
    for a in &arts {
        assert_eq!(
            a.state(),
            UploadState::Ready,
            "{}: {:?}",
            a.name(),
            a.record().error
        );
        let uri = a.uri().unwrap();
        assert!(uri.starts_with(prefix), "{uri} not below {prefix}");
        let local = a.local_copy().unwrap();
        assert_eq!(Some(sha_file(&local).as_str()), a.hash(), "{}", a.name());
        assert_eq!(
            Some(std::fs::metadata(&local).unwrap().len()),
            a.size(),
            "{}",
            a.name()
        );
    }
    let by = |n: &str| arts.iter().find(|a| a.name() == n).unwrap().clone();
    let back: DataFrame = by("frame").get().unwrap();
    assert_eq!(back.height(), 4);
    let json: serde_json::Value = by("json").get().unwrap();
    assert_eq!(json, serde_json::json!({"a": {"x": "y ✓"}, "b": [1, 2]}));
    let eye: ndarray::ArrayD<f64> = by("npz").get().unwrap();
    assert_eq!(eye, ndarray::Array2::<f64>::eye(5).into_dyn());
    let png: image::DynamicImage = by("png").get().unwrap();
    let orig = image::open(work.join("data_samples/picasso.jpg")).unwrap();
    assert_eq!(png.to_rgb8(), orig.to_rgb8());
    let text: String = by("text").get().unwrap();
    assert_eq!(text, "hello cloud");
    let folder: PathBuf = by("folder").get().unwrap();
    for f in ["data.csv", "sample.json", "dancing.jpg"] {
        assert_eq!(
            sha_file(&folder.join(f)),
            sha_file(&work.join("data_samples").join(f)),
            "{f}"
        );
    }
    assert!(
        by("folder")
            .uri()
            .unwrap()
            .ends_with("/folder/data_samples.zip")
    );
    let big = by("big");
    assert_eq!(big.hash(), Some(big_sha));
    assert_eq!(big.size(), Some(BIG as u64));
    assert!(big.uri().unwrap().ends_with("/artifacts/big/big file.bin"));
}

/// A second handle on the task with an empty cache: downloads the big file again, with progress.
fn download_big_with_progress(cfg: &Config, task: &Task, big_sha: &str) {
    let mut cfg = cfg.clone();
    cfg.sdk.cache_dir = Some(cfg.home.join("cache-2"));
    let other = trove_with(cfg).task(task.id()).unwrap();
    let seen = AtomicU64::new(0);
    let local = other
        .artifact("big")
        .unwrap()
        .local_copy_with_progress(&|n| {
            seen.fetch_max(n, Ordering::Relaxed);
        })
        .unwrap();
    assert_eq!(sha_file(&local), big_sha);
    assert_eq!(seen.load(Ordering::Relaxed), BIG as u64);
}

fn download_err(uri: &str, cfg: &Config) -> trove_storage::StorageError {
    let tmp = tempfile::tempdir().unwrap();
    let rt = server_runtime();
    rt.block_on(trove_storage::download_uri(
        uri,
        cfg,
        None,
        &tmp.path().join("x"),
        &trove_storage::no_progress,
    ))
    .unwrap_err()
}

#[test]
fn s3_every_kind_round_trips_through_the_sdk_and_deletes() {
    let emu = start_s3s();
    s3s_create_bucket(&emu, "bucket");
    let home = tempfile::tempdir().unwrap();
    let cfg = config(home.path(), &s3_section(emu.port, ""));
    let task = trove_with(cfg.clone())
        .task_builder("cloud", "s3 kinds")
        .output_uri("s3://bucket/runs")
        .init()
        .unwrap();
    assert_eq!(task.output_uri(), "s3://bucket/runs");
    let sent = Arc::new(AtomicU64::new(0));
    let big_sha = upload_every_kind(&task, home.path(), sent.clone());
    task.flush().unwrap();
    assert_eq!(sent.load(Ordering::Relaxed), BIG as u64);
    check_every_kind(&task, "s3://bucket/runs/cloud/", &big_sha, home.path());
    download_big_with_progress(&cfg, &task, &big_sha);

    // s3s-fs keeps objects as files: the big one is exactly where its uri says, with the right bytes.
    let big = task.artifact("big").unwrap();
    let key = big.uri().unwrap().strip_prefix("s3://bucket/").unwrap();
    let on_disk = emu.data.path().join("bucket").join(key);
    assert_eq!(sha_file(&on_disk), big_sha);
    assert!(s3s_multipart_leftovers(&emu).is_empty());

    // Deleting with delete_from_storage removes the objects, and only those.
    let json_uri = task.artifact("json").unwrap().uri().unwrap().to_string();
    let text = task.artifact("text").unwrap();
    assert_eq!(task.delete_artifacts(&["big", "json"], true).unwrap(), 2);
    assert!(!on_disk.exists());
    let json_key = json_uri.strip_prefix("s3://bucket/").unwrap();
    assert!(!emu.data.path().join("bucket").join(json_key).exists());
    assert!(download_err(&json_uri, &cfg).is_not_found());
    let text_key = text.uri().unwrap().strip_prefix("s3://bucket/").unwrap();
    assert!(emu.data.path().join("bucket").join(text_key).is_file());
    assert_eq!(task.artifacts().unwrap().len(), 6);
    task.close().unwrap();
}

#[test]
fn azure_every_kind_round_trips_through_the_sdk_and_deletes() {
    let emu = start_azurite();
    azurite_create_container(emu.port, "artifacts");
    let home = tempfile::tempdir().unwrap();
    let cfg = config(
        home.path(),
        &format!(
            "[azure]\naccount_name = \"{AZURITE_ACCOUNT}\"\naccount_key = \"{AZURITE_KEY}\"\n\
             endpoint = \"http://127.0.0.1:{}/{AZURITE_ACCOUNT}\"\nallow_http = true\n",
            emu.port
        ),
    );
    let dest = format!("azure://{AZURITE_ACCOUNT}/artifacts/team runs");
    let task = trove_with(cfg.clone())
        .task_builder("cloud", "azure kinds")
        .output_uri(&dest)
        .init()
        .unwrap();
    assert_eq!(task.output_uri(), dest);
    let sent = Arc::new(AtomicU64::new(0));
    let big_sha = upload_every_kind(&task, home.path(), sent.clone());
    task.flush().unwrap();
    assert_eq!(sent.load(Ordering::Relaxed), BIG as u64);
    check_every_kind(&task, &format!("{dest}/cloud/"), &big_sha, home.path());
    download_big_with_progress(&cfg, &task, &big_sha);

    let big_uri = task.artifact("big").unwrap().uri().unwrap().to_string();
    let text_uri = task.artifact("text").unwrap().uri().unwrap().to_string();
    assert_eq!(task.delete_artifacts(&["big", "text"], true).unwrap(), 2);
    for uri in [&big_uri, &text_uri] {
        let e = download_err(uri, &cfg);
        assert!(e.is_not_found(), "{uri}: {e}");
    }
    // The others are still there.
    let json = task.artifact("json").unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let rt = server_runtime();
    let got = rt
        .block_on(trove_storage::download_uri(
            json.uri().unwrap(),
            &cfg,
            None,
            &tmp.path().join("j"),
            &trove_storage::no_progress,
        ))
        .unwrap();
    assert_eq!(Some(got.sha256.as_str()), json.hash());
    task.close().unwrap();
}

#[test]
fn missing_s3_credentials_fail_init_quickly_naming_the_bucket() {
    let home = tempfile::tempdir().unwrap();
    // An endpoint but no key or secret (nor AWS_* variables in the test environment).
    let cfg = config(home.path(), "[s3]\nendpoint = \"http://127.0.0.1:9\"\n");
    let start = Instant::now();
    let e = trove_with(cfg)
        .task_builder("cloud", "no credentials")
        .output_uri("s3://secret-bucket/prefix")
        .init()
        .expect_err("init must fail without credentials");
    let msg = e.to_string();
    eprintln!("missing credentials: {msg}");
    assert!(msg.contains("secret-bucket"), "{msg}");
    assert!(msg.to_lowercase().contains("key"), "{msg}");
    // Decided from the configuration alone: no network, no metadata service, no retries.
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn uploads_complete_through_a_flaky_proxy() {
    let emu = start_s3s();
    s3s_create_bucket(&emu, "bucket");
    let rt = server_runtime();
    let proxy = FaultProxy::start(&rt, emu.port, 7, 0.2, 0.15);
    proxy.set_mode(Mode::Flaky);
    let home = tempfile::tempdir().unwrap();
    let storage = "max_retries = 12\nretry_timeout_secs = 120\nmax_concurrency = 4";
    // The [storage] keys belong in the [storage] table: put them right after its header.
    let cfg = config(
        home.path(),
        &format!("{storage}\n{}", s3_section(proxy.port, "")),
    );
    let task = trove_with(cfg)
        .task_builder("cloud", "flaky")
        .output_uri("s3://bucket/flaky")
        .init()
        .unwrap();
    let mut expected = Vec::new();
    let sizes = [BIG, 7 * MIB + 3, 1000, 0, 64 * 1024]
        .into_iter()
        .chain((0..20).map(|i| 3000 + 777 * i));
    for (i, size) in sizes.enumerate() {
        let path = home.path().join(format!("in/f{i}.bin"));
        expected.push((
            format!("f{i}"),
            sha(&write_data(&path, size, 100 + i as u64)),
        ));
        task.upload_artifact(&format!("f{i}"), path.as_path())
            .unwrap();
    }
    task.upload_artifact("json", serde_json::json!({"flaky": true}))
        .unwrap();
    task.flush().unwrap();
    for (name, want) in &expected {
        let a = task.artifact(name).unwrap();
        assert_eq!(a.state(), UploadState::Ready, "{name}");
        assert_eq!(a.hash(), Some(want.as_str()), "{name}");
        let key = a.uri().unwrap().strip_prefix("s3://bucket/").unwrap();
        assert_eq!(
            &sha_file(&emu.data.path().join("bucket").join(key)),
            want,
            "{name}"
        );
        // Read back through the proxy too.
        assert_eq!(&sha_file(&a.local_copy().unwrap()), want, "{name}");
    }
    let v: serde_json::Value = task.artifact("json").unwrap().get().unwrap();
    assert_eq!(v, serde_json::json!({"flaky": true}));
    let (accepted, resets, errors, forwarded) = (
        proxy.stats.accepted.load(Ordering::Relaxed),
        proxy.stats.resets.load(Ordering::Relaxed),
        proxy.stats.errors.load(Ordering::Relaxed),
        proxy.stats.forwarded.load(Ordering::Relaxed),
    );
    eprintln!(
        "fault proxy: {accepted} connections, {resets} reset; {errors} injected errors, {forwarded} forwarded"
    );
    assert!(resets > 0 && errors > 0, "the proxy injected no faults");
    assert!(s3s_multipart_leftovers(&emu).is_empty());
    task.close().unwrap();
}

#[test]
fn a_failing_store_ends_uploads_failed_in_bounded_time_without_orphans() {
    let emu = start_s3s();
    s3s_create_bucket(&emu, "bucket");
    let rt = server_runtime();
    let proxy = FaultProxy::start(&rt, emu.port, 11, 0.0, 0.0);
    let home = tempfile::tempdir().unwrap();
    let cfg = config(
        home.path(),
        &format!(
            "max_retries = 2\nretry_timeout_secs = 5\n{}",
            s3_section(proxy.port, "")
        ),
    );
    let task = trove_with(cfg)
        .task_builder("cloud", "failing")
        .output_uri("s3://bucket/failing")
        .init()
        .unwrap();

    // Every part upload fails: the multipart upload is aborted, the record ends `failed`.
    proxy.set_mode(Mode::FailParts);
    let big = home.path().join("in/big.bin");
    write_data(&big, BIG, 5);
    let start = Instant::now();
    task.upload_artifact("big", big.as_path()).unwrap();
    let e = task.flush().unwrap_err();
    assert!(
        start.elapsed() < Duration::from_secs(60),
        "{:?}",
        start.elapsed()
    );
    match &e {
        TroveError::UploadsFailed(f) => {
            assert_eq!(f.len(), 1, "{f:?}");
            assert_eq!(f[0].0, "big");
            assert!(f[0].1.contains("s3://bucket/failing/"), "{}", f[0].1);
        }
        other => panic!("expected UploadsFailed, got {other}"),
    }
    let a = task.artifact("big").unwrap();
    assert_eq!(a.state(), UploadState::Failed);
    let reason = a.record().error.clone().unwrap_or_default();
    assert!(reason.contains("503"), "{reason}");
    assert!(proxy.stats.errors.load(Ordering::Relaxed) > 0);
    // A multipart upload was started (forwarded), then aborted (forwarded), and s3s-fs holds nothing of it.
    let lines = proxy.stats.forwarded_lines.lock().unwrap().clone();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("POST ") && l.contains("?uploads")),
        "{lines:?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("DELETE ") && l.contains("uploadId=")),
        "{lines:?}"
    );
    assert_eq!(s3s_multipart_leftovers(&emu), Vec::<String>::new());
    let key = a.uri().unwrap().strip_prefix("s3://bucket/").unwrap();
    assert!(!emu.data.path().join("bucket").join(key).exists());
    assert!(a.local_copy().is_err());

    // Everything fails: a small upload ends `failed` too.
    proxy.set_mode(Mode::FailAll);
    let start = Instant::now();
    task.upload_artifact("small", serde_json::json!({"x": 1}))
        .unwrap();
    let e = task.flush().unwrap_err();
    assert!(
        start.elapsed() < Duration::from_secs(30),
        "{:?}",
        start.elapsed()
    );
    assert!(e.to_string().contains("small"), "{e}");
    assert_eq!(task.artifact("small").unwrap().state(), UploadState::Failed);
    assert_eq!(s3s_multipart_leftovers(&emu), Vec::<String>::new());
    proxy.set_mode(Mode::Pass);
    task.close().unwrap();
}

#[test]
fn gcs_round_trip_through_a_fake_xml_api() {
    let rt = server_runtime();
    let fake = FakeGcs::start(&rt, "test-token");
    let home = tempfile::tempdir().unwrap();
    let cfg = config(
        home.path(),
        &format!(
            "[gcs]\nbearer_token = \"test-token\"\nendpoint = \"http://127.0.0.1:{}\"\n",
            fake.port
        ),
    );
    let task = trove_with(cfg.clone())
        .task_builder("cloud", "gcs")
        .output_uri("gs://gbucket/pre")
        .init()
        .unwrap();
    assert_eq!(task.output_uri(), "gs://gbucket/pre");
    let small = home.path().join("in/small.bin");
    let data = write_data(&small, 100_000, 9);
    task.upload_artifact("small", small.as_path()).unwrap();
    task.upload_artifact("json", serde_json::json!({"gcs": "fake"}))
        .unwrap();
    task.flush().unwrap();
    let a = task.artifact("small").unwrap();
    assert_eq!(a.state(), UploadState::Ready);
    assert_eq!(a.hash(), Some(sha(&data).as_str()));
    let uri = a.uri().unwrap().to_string();
    let name = uri.strip_prefix("gs://gbucket/").unwrap().to_string();
    assert!(name.starts_with("pre/cloud/"), "{name}");
    {
        let objects = fake.state.objects.lock().unwrap();
        let o = &objects[&("gbucket".to_string(), name.clone())];
        assert_eq!(sha(&o.bytes), sha(&data));
    }
    assert_eq!(sha_file(&a.local_copy().unwrap()), sha(&data));
    let v: serde_json::Value = task.artifact("json").unwrap().get().unwrap();
    assert_eq!(v, serde_json::json!({"gcs": "fake"}));
    assert_eq!(task.delete_artifacts(&["small"], true).unwrap(), 1);
    assert!(
        !fake
            .state
            .objects
            .lock()
            .unwrap()
            .contains_key(&("gbucket".to_string(), name.clone()))
    );
    assert!(download_err(&uri, &cfg).is_not_found());
    let requests = fake.state.requests.lock().unwrap().clone();
    for m in ["PUT", "GET", "DELETE"] {
        assert!(requests.iter().any(|r| r.starts_with(m)), "{requests:?}");
    }
    task.close().unwrap();
}
