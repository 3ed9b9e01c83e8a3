#![cfg(all(feature = "s3", feature = "gcs", feature = "azure"))]
//! Where cloud credentials come from, and that missing ones are an error at parse time naming the bucket and
//! what is missing (never a silent fallback to the cloud metadata address). Nothing here contacts a network.
//!
//! The check changes environment variables, which must not race with other tests: it runs alone in a child
//! process of this test binary.

use trove_core::Config;
use trove_storage::{Destination, StorageError};

fn cfg(text: &str) -> Config {
    Config::parse(text).unwrap()
}

fn missing(uri: &str, c: &Config) -> String {
    match Destination::parse(uri, c) {
        Err(e @ StorageError::MissingCredentials { .. }) => e.to_string(),
        Err(other) => panic!("{uri}: expected missing credentials, got {other}"),
        Ok(d) => panic!("{uri}: expected missing credentials, got {d:?}"),
    }
}

const ENV: [&str; 12] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_S3",
    "GOOGLE_APPLICATION_CREDENTIALS",
    "AZURE_STORAGE_ACCOUNT_NAME",
    "AZURE_STORAGE_ACCOUNT_KEY",
    "AZURE_STORAGE_SAS_TOKEN",
    "HOME",
];

#[test]
fn credentials_come_from_config_then_env_and_are_never_guessed() {
    let mut child = std::process::Command::new(std::env::current_exe().unwrap());
    child.args([
        "--exact",
        "credentials::credentials_child",
        "--ignored",
        "--nocapture",
        "--test-threads=1",
    ]);
    let out = trove_testkit::process::run_ok(child, std::time::Duration::from_secs(120));
    assert!(out.contains("1 passed"), "the child ran the check: {out}");
}

/// The check itself, alone in its process (started by the test above).
#[test]
#[ignore = "run only as a child process of credentials_come_from_config_then_env_and_are_never_guessed"]
fn credentials_child() {
    let home = tempfile::tempdir().unwrap();
    // SAFETY: this process runs this one test on one thread (see the parent test), so no other thread reads
    // the environment meanwhile.
    unsafe {
        for v in ENV {
            std::env::remove_var(v);
        }
        std::env::set_var("HOME", home.path());
    }
    let empty = Config::default();

    // --- S3
    let e = missing("s3://data/x", &empty);
    assert!(e.contains("s3 bucket 'data'"), "{e}");
    assert!(
        e.contains("no access key id and no secret access key"),
        "{e}"
    );
    assert!(
        e.contains("AWS_ACCESS_KEY_ID") && e.contains("use_instance_credentials"),
        "{e}"
    );
    let e = missing("s3://data/x", &cfg("[s3]\nkey = \"k\""));
    assert!(
        e.contains("an access key id but no secret access key"),
        "{e}"
    );

    let per_bucket = cfg("[[s3.buckets]]\nbucket = \"data\"\nkey = \"k\"\nsecret = \"s\"");
    Destination::parse("s3://data/x", &per_bucket).unwrap();
    let e = missing("s3://other/x", &per_bucket);
    assert!(e.contains("s3 bucket 'other'"), "{e}");
    // ClearML's array name is read too.
    Destination::parse(
        "s3://data",
        &cfg("[[s3.credentials]]\nbucket = \"data\"\nkey = \"k\"\nsecret = \"s\""),
    )
    .unwrap();
    Destination::parse("s3://data", &cfg("[s3]\nuse_instance_credentials = true")).unwrap();
    Destination::parse("s3://data", &cfg("[s3]\nanonymous = true")).unwrap();
    let e = Destination::parse("s3://data", &cfg("[s3]\nanonymous = \"yes\"")).unwrap_err();
    assert!(e.to_string().contains("anonymous"), "{e}");

    unsafe {
        std::env::set_var("AWS_ACCESS_KEY_ID", "envkey");
        std::env::set_var("AWS_SECRET_ACCESS_KEY", "envsecret");
    }
    Destination::parse("s3://other/x", &empty).unwrap();
    unsafe {
        std::env::remove_var("AWS_ACCESS_KEY_ID");
        std::env::remove_var("AWS_SECRET_ACCESS_KEY");
    }

    // --- GCS
    let e = missing("gs://gbucket/p", &empty);
    assert!(
        e.contains("gcs bucket 'gbucket'") && e.contains("GOOGLE_APPLICATION_CREDENTIALS"),
        "{e}"
    );
    let e = missing(
        "gs://gbucket/p",
        &cfg("[gcs]\ncredentials_json = \"/no/such/file.json\""),
    );
    assert!(e.contains("/no/such/file.json"), "{e}");
    let adc = home.path().join("adc.json");
    std::fs::write(
        &adc,
        r#"{"type":"authorized_user","client_id":"id","client_secret":"s","refresh_token":"r"}"#,
    )
    .unwrap();
    unsafe { std::env::set_var("GOOGLE_APPLICATION_CREDENTIALS", &adc) };
    let d = Destination::parse("gs://gbucket/p/", &empty).unwrap();
    assert_eq!(d.uri(), "gs://gbucket/p");
    unsafe { std::env::remove_var("GOOGLE_APPLICATION_CREDENTIALS") };
    Destination::parse(
        "gs://gbucket",
        &cfg("[gcs]\nuse_instance_credentials = true"),
    )
    .unwrap();

    // --- Azure
    let e = missing("azure://acct/cont/p", &empty);
    assert!(
        e.contains("azure container 'cont' of account 'acct'"),
        "{e}"
    );
    assert!(e.contains("AZURE_STORAGE_ACCOUNT_KEY"), "{e}");
    let e = missing("az://cont/p", &empty);
    assert!(e.contains("account name"), "{e}");
    let key = "a2V5a2V5a2V5a2V5"; // base64
    // A key configured for another account does not apply.
    let other = cfg(&format!(
        "[azure]\naccount_name = \"someone\"\naccount_key = \"{key}\""
    ));
    missing("azure://acct/cont", &other);
    let d = Destination::parse("az://cont/p", &other).unwrap();
    assert_eq!(d.uri(), "az://cont/p");
    let per_container = cfg(&format!(
        "[[azure.containers]]\ncontainer = \"cont\"\naccount_name = \"acct\"\naccount_key = \"{key}\""
    ));
    Destination::parse("azure://acct/cont/p", &per_container).unwrap();
    Destination::parse("abfss://cont@acct.dfs.core.windows.net/p", &per_container).unwrap();
    Destination::parse("azure://acct.blob.core.windows.net/cont/p", &per_container).unwrap();
    unsafe { std::env::set_var("AZURE_STORAGE_ACCOUNT_KEY", key) };
    Destination::parse("azure://acct/cont", &empty).unwrap();
}
