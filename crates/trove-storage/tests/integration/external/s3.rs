#![cfg(feature = "s3")]
//! S3 against a real emulator (s3s-fs, started here on a free port; installed by `scripts/emulators`).
//! Fails, never skips, when the emulator cannot be installed or started.

use crate::common::{sha, start_s3s, write_data};
use std::sync::atomic::{AtomicU64, Ordering};
use trove_core::Config;
use trove_storage::{
    Destination, StorageError, TransferOptions, delete_uri, download_uri, no_progress, open_store,
};

fn config(port: u16, extra: &str) -> Config {
    Config::parse(&format!(
        r#"
        [s3]
        key = "test"
        secret = "testtesttest"
        region = "us-east-1"
        endpoint = "http://127.0.0.1:{port}"
        [storage]
        part_size_mib = 5
        multipart_threshold_mib = 5
        max_retries = 1
        retry_timeout_secs = 5
        {extra}
        "#
    ))
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn round_trips_small_and_multipart_files() {
    let emu = start_s3s();
    std::fs::create_dir(emu.data.path().join("bucket")).unwrap();
    let cfg = config(emu.port, "");
    let work = tempfile::tempdir().unwrap();

    let dest = Destination::parse("s3://bucket/runs/team a/", &cfg).unwrap();
    assert_eq!(dest.uri(), "s3://bucket/runs/team a");
    assert_eq!(dest.transfer_options().part_size, 5 * 1024 * 1024);
    dest.check_writable().await.unwrap();

    // Small: one PUT.
    let small_key = "proj/t.1/artifacts/dict/dict ✓.json";
    let small = write_data(&work.path().join("small.json"), 1234, 11);
    let put = dest
        .put_file(
            small_key,
            &work.path().join("small.json"),
            None,
            &no_progress,
        )
        .await
        .unwrap();
    assert_eq!((put.size, put.sha256.clone()), (1234, sha(&small)));
    // s3s-fs keeps objects as files: the bytes are where the key says.
    let on_disk = emu.data.path().join("bucket/runs/team a").join(small_key);
    assert_eq!(std::fs::read(&on_disk).unwrap(), small);

    // Big: a multipart upload of 40 MiB in 5 MiB parts.
    let big_key = "proj/t.1/artifacts/big/big.bin";
    let big = write_data(&work.path().join("big.bin"), 40 * 1024 * 1024 + 3, 12);
    let seen = AtomicU64::new(0);
    let progress = |n: u64| seen.store(n, Ordering::Relaxed);
    let put = dest
        .put_file(big_key, &work.path().join("big.bin"), None, &progress)
        .await
        .unwrap();
    assert_eq!(
        (put.size, put.sha256.clone()),
        (big.len() as u64, sha(&big))
    );
    assert_eq!(seen.load(Ordering::Relaxed), big.len() as u64);
    let on_disk = std::fs::read(emu.data.path().join("bucket/runs/team a").join(big_key)).unwrap();
    assert_eq!(sha(&on_disk), sha(&big));

    // Download both, via the destination and via the recorded uri.
    let out = work.path().join("out/big.bin");
    let got = dest.get_to_file(big_key, &out, &no_progress).await.unwrap();
    assert_eq!(got, put);
    assert_eq!(sha(&std::fs::read(&out).unwrap()), sha(&big));
    let uri = dest.uri_for(small_key);
    assert_eq!(uri, format!("s3://bucket/runs/team a/{small_key}"));
    assert_eq!(dest.key_for_uri(&uri).as_deref(), Some(small_key));
    let got = download_uri(
        &uri,
        &cfg,
        None,
        &work.path().join("out/small.json"),
        &no_progress,
    )
    .await
    .unwrap();
    assert_eq!(got.sha256, sha(&small));

    // The content type is stored with the object, guessed from the key as ClearML does.
    let (store, prefix) = open_store("s3://bucket/runs", &cfg).unwrap();
    assert_eq!(prefix.as_ref(), "runs");
    let p = object_store::path::Path::parse(format!("runs/team a/{small_key}")).unwrap();
    let got = object_store::ObjectStoreExt::get(store.as_ref(), &p)
        .await
        .unwrap();
    let ct = got
        .attributes
        .get(&object_store::Attribute::ContentType)
        .map(|v| v.to_string());
    assert_eq!(ct.as_deref(), Some("application/json"));

    // Delete.
    dest.delete(big_key).await.unwrap();
    delete_uri(&uri, &cfg, None).await.unwrap();
    let e = dest
        .get_to_file(big_key, &work.path().join("out/none"), &no_progress)
        .await
        .unwrap_err();
    assert!(e.is_not_found(), "{e}");
    assert!(
        !emu.data
            .path()
            .join("bucket/runs/team a")
            .join(big_key)
            .exists()
    );
    assert!(!work.path().join("out/none").exists());

    // The server's view (open_store) agrees.
    assert!(
        object_store::ObjectStoreExt::head(store.as_ref(), &p)
            .await
            .is_err(),
        "deleted object still there"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_credentials_and_unreachable_servers_are_errors() {
    let emu = start_s3s();
    std::fs::create_dir(emu.data.path().join("bucket")).unwrap();
    // A per-bucket entry overrides [s3]: this one has a wrong secret.
    let cfg = config(
        emu.port,
        "[[s3.buckets]]\nbucket = \"bucket\"\nkey = \"test\"\nsecret = \"wrong-secret\"",
    );
    let dest = Destination::parse("s3://bucket", &cfg).unwrap();
    let e = dest.check_writable().await.unwrap_err();
    assert!(matches!(e, StorageError::NotWritable { .. }), "{e}");
    assert!(e.to_string().contains("s3://bucket"), "{e}");

    // (s3s-fs creates missing buckets on write, unlike S3, so a missing bucket cannot be tested here.)
    // Nothing listens: the error names the destination, and the bounded retries end it quickly.
    let cfg = config(crate::common::free_port(), "");
    let dest = Destination::parse("s3://bucket/x", &cfg).unwrap();
    let start = std::time::Instant::now();
    let e = dest.check_writable().await.unwrap_err();
    assert!(e.to_string().contains("s3://bucket/x"), "{e}");
    assert!(
        start.elapsed() < std::time::Duration::from_secs(20),
        "took {:?}",
        start.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_given_by_address_in_the_uri() {
    let emu = start_s3s();
    std::fs::create_dir(emu.data.path().join("bk2")).unwrap();
    // ClearML's MinIO form: s3://host:port/bucket/prefix, plain http because of secure = false.
    let cfg = Config::parse(
        "[s3]\nkey = \"test\"\nsecret = \"testtesttest\"\nsecure = false\n[storage]\nmax_retries = 1",
    )
    .unwrap();
    let uri = format!("s3://127.0.0.1:{}/bk2/pre", emu.port);
    let dest = Destination::parse_with(&uri, &cfg, TransferOptions::default()).unwrap();
    assert_eq!(dest.uri(), uri);
    let work = tempfile::tempdir().unwrap();
    let data = write_data(&work.path().join("f"), 5000, 13);
    dest.put_file("k/f.bin", &work.path().join("f"), None, &no_progress)
        .await
        .unwrap();
    assert_eq!(
        std::fs::read(emu.data.path().join("bk2/pre/k/f.bin")).unwrap(),
        data
    );
    let got = download_uri(
        &dest.uri_for("k/f.bin"),
        &cfg,
        None,
        &work.path().join("g"),
        &no_progress,
    )
    .await
    .unwrap();
    assert_eq!(got.sha256, sha(&data));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_multipart_upload_is_aborted() {
    let emu = start_s3s();
    std::fs::create_dir(emu.data.path().join("bucket")).unwrap();
    let cfg = config(emu.port, "");
    let dest = Destination::parse("s3://bucket", &cfg).unwrap();
    let work = tempfile::tempdir().unwrap();
    let src = work.path().join("shrinking.bin");
    write_data(&src, 20 * 1024 * 1024, 14);
    // Truncate the source once the first part is handed over: the upload must fail and be aborted.
    let truncated = std::sync::atomic::AtomicBool::new(false);
    let progress = |n: u64| {
        if n > 0 && !truncated.swap(true, Ordering::Relaxed) {
            std::fs::OpenOptions::new()
                .write(true)
                .open(&src)
                .unwrap()
                .set_len(6 * 1024 * 1024)
                .unwrap();
        }
    };
    let e = dest
        .put_file("k/shrinking.bin", &src, None, &progress)
        .await
        .unwrap_err();
    assert!(
        e.to_string().contains("changed while it was uploaded"),
        "{e}"
    );
    assert!(truncated.load(Ordering::Relaxed));
    // Nothing is left in the emulator: no object, no pending upload or parts (s3s-fs keeps those as files
    // named `.upload-<id>.json` and `.upload_id-<id>.part-<n>`). s3s-fs's own scratch file of a part request
    // cut off by the abort (`.tmp.<n>.internal.part`) is not an S3 object or upload, so it is ignored.
    let left: Vec<String> = crate::common::list_files(emu.data.path())
        .into_iter()
        .filter(|f| !(f.starts_with(".tmp.") && f.ends_with(".internal.part")))
        .collect();
    assert_eq!(left, Vec::<String>::new());
}
