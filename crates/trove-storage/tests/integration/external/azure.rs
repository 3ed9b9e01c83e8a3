#![cfg(feature = "azure")]
//! Azure Blob against a real emulator (azurite, started here on a free port; installed by `scripts/emulators`).
//! Fails, never skips, when the emulator cannot be installed or started.

use crate::common::{
    AZURITE_ACCOUNT, AZURITE_KEY, azurite_create_container, sha, start_azurite, write_data,
};
use trove_core::Config;
use trove_storage::{Destination, delete_uri, download_uri, no_progress};

fn config(port: u16) -> Config {
    Config::parse(&format!(
        r#"
        [azure]
        account_name = "{AZURITE_ACCOUNT}"
        account_key = "{AZURITE_KEY}"
        endpoint = "http://127.0.0.1:{port}/{AZURITE_ACCOUNT}"
        [storage]
        part_size_mib = 5
        multipart_threshold_mib = 5
        max_retries = 1
        retry_timeout_secs = 5
        "#
    ))
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn round_trips_small_and_multipart_blobs() {
    let emu = start_azurite();
    azurite_create_container(emu.port, "artifacts");
    let cfg = config(emu.port);
    let work = tempfile::tempdir().unwrap();

    let dest =
        Destination::parse(&format!("azure://{AZURITE_ACCOUNT}/artifacts/team a"), &cfg).unwrap();
    dest.check_writable().await.unwrap();

    let small_key = "proj/t.1/artifacts/dict/dict ✓.json";
    let small = write_data(&work.path().join("small.json"), 999, 21);
    let put = dest
        .put_file(
            small_key,
            &work.path().join("small.json"),
            None,
            &no_progress,
        )
        .await
        .unwrap();
    assert_eq!(put.sha256, sha(&small));

    let big_key = "proj/t.1/artifacts/big/big.bin";
    let big = write_data(&work.path().join("big.bin"), 40 * 1024 * 1024 + 1, 22);
    let put = dest
        .put_file(big_key, &work.path().join("big.bin"), None, &no_progress)
        .await
        .unwrap();
    assert_eq!(
        (put.size, put.sha256.clone()),
        (big.len() as u64, sha(&big))
    );

    // Read back through another uri form (az:// with the account from the configuration).
    let other = Destination::parse("az://artifacts/team a", &cfg).unwrap();
    let got = other
        .get_to_file(big_key, &work.path().join("out/big.bin"), &no_progress)
        .await
        .unwrap();
    assert_eq!(got, put);
    assert_eq!(
        sha(&std::fs::read(work.path().join("out/big.bin")).unwrap()),
        sha(&big)
    );

    let uri = dest.uri_for(small_key);
    assert_eq!(
        uri,
        format!("azure://{AZURITE_ACCOUNT}/artifacts/team a/{small_key}")
    );
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

    delete_uri(&uri, &cfg, None).await.unwrap();
    dest.delete(big_key).await.unwrap();
    for key in [small_key, big_key] {
        let e = dest
            .get_to_file(key, &work.path().join("out/none"), &no_progress)
            .await
            .unwrap_err();
        assert!(e.is_not_found(), "{e}");
    }
    assert!(!work.path().join("out/none").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_container_fails_the_check() {
    let emu = start_azurite();
    let cfg = config(emu.port);
    let dest = Destination::parse(&format!("azure://{AZURITE_ACCOUNT}/nocontainer"), &cfg).unwrap();
    let e = dest.check_writable().await.unwrap_err();
    assert!(e.to_string().contains("nocontainer"), "{e}");
}
