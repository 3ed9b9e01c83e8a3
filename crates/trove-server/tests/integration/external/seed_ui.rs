//! The seed example, recorded by the Rust SDK's embedded mode, served by `trove server --home <that folder>
//! --no-auth`, and checked in real headless Chromium: every artifact listed, table cells, the image loaded,
//! JSON, array and archive previews, and a download equal to the stored bytes.

use std::path::{Path, PathBuf};

#[allow(dead_code)]
#[path = "../../../../../examples/artifacts.rs"]
mod seed;

use trove_testkit::browser::Browser;
use trove_testkit::repo_root;

#[test]
fn seed_example_artifacts_tab_in_chromium() {
    let browser = Browser::install();
    let home = tempfile::tempdir().unwrap();
    let cfg = trove_core::Config {
        home: home.path().to_path_buf(),
        ..Default::default()
    };
    let task = seed::record(
        trove::Trove::builder()
            .config(cfg.clone())
            .build()
            .unwrap()
            .task_builder("examples", "artifacts example"),
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
    let stdout = browser.run(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/seed.mjs"),
        &[
            ("BASE", format!("http://{}", server.web_addr)),
            ("TASK", id.clone()),
            ("PANDAS_FILE", pandas_file.display().to_string()),
            ("SCREENSHOT", shot.display().to_string()),
        ],
    );
    println!("{stdout}");
    assert!(stdout.contains("\"download_sha256\""), "{stdout}");
    rt.block_on(server.shutdown());
}
