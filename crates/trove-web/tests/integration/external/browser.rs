//! The ARTIFACTS tab in real headless Chromium (Debian's build, driven by playwright-core through
//! `tests/browser/artifacts.mjs`). Fails, never skips, when the browser cannot be installed.

use std::path::PathBuf;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn artifacts_tab_in_chromium() {
    let browser = trove_testkit::browser::Browser::install();
    let fx = crate::common::fixture(true).await;
    let base = crate::common::serve(fx.state.clone()).await;
    let shot_dir = crate::common::root().join("docs/screenshots");
    std::fs::create_dir_all(&shot_dir).unwrap();
    let shot = shot_dir.join("artifacts-tab.png");
    let _ = std::fs::remove_file(&shot);
    let expect = serde_json::json!({
        "pandas_file": fx.files["Pandas"]["file"],
        "json_file": fx.files["dictionary"]["file"],
        "hostile": crate::common::HOSTILE,
    });
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/browser/artifacts.mjs");
    let env = [
        ("BASE", base.clone()),
        ("TASK", fx.task.clone()),
        ("OTHER_TASK", fx.other_task.clone()),
        ("PROJECT", fx.project.clone()),
        ("EXPECT", expect.to_string()),
        ("SCREENSHOT", shot.display().to_string()),
    ];
    // The browser script blocks this thread; the server answers on the runtime's other worker.
    let stdout = tokio::task::block_in_place(|| browser.run(&script, &env));
    println!("{stdout}");
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
