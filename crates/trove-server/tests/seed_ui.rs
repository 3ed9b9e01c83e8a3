//! The seed example, recorded by the Rust SDK's embedded mode, served by `trove server --home <that folder>
//! --no-auth`, and checked in real headless Chromium: every artifact listed, table cells, the image loaded,
//! JSON, array and archive previews, and a download equal to the stored bytes.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

#[allow(dead_code)]
#[path = "../../../examples/artifacts.rs"]
mod seed;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn browser_paths() -> HashMap<String, String> {
    let out = std::process::Command::new(repo_root().join("scripts/browser"))
        .arg("install")
        .output()
        .expect("run scripts/browser install");
    assert!(
        out.status.success(),
        "scripts/browser install failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn seed_example_artifacts_tab_in_chromium() {
    let paths = browser_paths();
    let home = tempfile::tempdir().unwrap();
    let cfg = trove_core::Config {
        home: home.path().to_path_buf(),
        ..Default::default()
    };
    let task = seed::record(
        trove::Task::builder("examples", "artifacts example").config(cfg.clone()),
        &home.path().join("data_samples"),
    )
    .unwrap();
    let id = task.id().to_string();
    let pandas = task.artifact("Pandas").unwrap();
    let pandas_file = PathBuf::from(pandas.uri().unwrap().strip_prefix("file://").unwrap());
    task.close().unwrap();

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mut opts = trove_server::ServeOptions::from_config(&cfg);
    opts.api_port = 0;
    opts.files_port = 0;
    opts.web_port = 0;
    opts.no_auth = true;
    let server = rt.block_on(trove_server::start(opts)).unwrap();
    let shot = repo_root().join("docs/screenshots/seed-artifacts-tab.png");
    let out = std::process::Command::new("node")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/seed.mjs"))
        .env("PW_MODULES", &paths["NODE_PATH"])
        .env("CHROMIUM", &paths["CHROMIUM"])
        .env("BASE", format!("http://{}", server.web_addr))
        .env("TASK", &id)
        .env("PANDAS_FILE", &pandas_file)
        .env("SCREENSHOT", &shot)
        .output()
        .expect("run node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}");
    assert!(
        out.status.success(),
        "browser checks failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("\"download_sha256\""), "{stdout}");
    rt.block_on(server.shutdown());
}
