//! The ARTIFACTS tab in real headless Chromium (Debian's build, driven by playwright-core through
//! `tests/browser/artifacts.mjs`). Fails, never skips, when the browser cannot be installed.

mod common;

use std::collections::HashMap;
use std::path::PathBuf;

/// `scripts/browser install` then `path`: `CHROMIUM` and `NODE_PATH`.
fn browser_paths() -> HashMap<String, String> {
    let script = common::root().join("scripts/browser");
    let out = std::process::Command::new(&script)
        .arg("install")
        .output()
        .expect("run scripts/browser install");
    assert!(
        out.status.success(),
        "scripts/browser install failed (the browser test needs Chromium and playwright-core):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn artifacts_tab_in_chromium() {
    let paths = browser_paths();
    let fx = common::fixture(true).await;
    let base = common::serve(fx.state.clone()).await;
    let shot_dir = common::root().join("docs/screenshots");
    std::fs::create_dir_all(&shot_dir).unwrap();
    let shot = shot_dir.join("artifacts-tab.png");
    let _ = std::fs::remove_file(&shot);
    let expect = serde_json::json!({
        "pandas_file": fx.files["Pandas"]["file"],
        "json_file": fx.files["dictionary"]["file"],
        "hostile": common::HOSTILE,
    });
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/browser/artifacts.mjs");
    let out = tokio::process::Command::new("node")
        .arg(&script)
        .env("PW_MODULES", &paths["NODE_PATH"])
        .env("CHROMIUM", &paths["CHROMIUM"])
        .env("BASE", &base)
        .env("TASK", &fx.task)
        .env("OTHER_TASK", &fx.other_task)
        .env("PROJECT", &fx.project)
        .env("EXPECT", expect.to_string())
        .env("SCREENSHOT", &shot)
        .kill_on_drop(true)
        .output()
        .await
        .expect("run node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}");
    assert!(
        out.status.success(),
        "browser checks failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let last = stdout.lines().last().unwrap_or_default();
    let res: serde_json::Value = serde_json::from_str(last).unwrap();
    assert_eq!(
        res["frame_cells"],
        serde_json::json!(["falcon", "2", "2", "10"])
    );
    assert_eq!(res["image"], serde_json::json!([64, 48]));
    assert_eq!(res["json_ok"], true);
    assert_eq!(res["hostile_as_text"], true);
    let want = trove_core::sha256_hex(
        &std::fs::read(fx.files["Pandas"]["file"].as_str().unwrap()).unwrap(),
    );
    assert_eq!(res["download_sha256"], want.as_str());
    assert!(res["previews_loaded"].as_u64().unwrap() >= 12);
    let png = std::fs::read(&shot).expect("screenshot written");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
}
