//! The CLI prints an error's causes once each: a nested error whose message already contains its cause
//! (an I/O error under "create trove home …") does not repeat that cause in a "Caused by" list.

use std::process::Command;

fn trove(home: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_trove"))
        .arg("--home")
        .arg(home)
        .args(args)
        .env_remove("TROVE_CONFIG_FILE")
        .env_remove("TROVE_API_SERVER")
        .output()
        .unwrap()
}

#[test]
fn a_nested_error_prints_each_cause_once() {
    let dir = tempfile::tempdir().unwrap();
    // The home is below a regular file: creating it fails with ENOTDIR, wrapped in the SDK's I/O error.
    let file = dir.path().join("a-file");
    std::fs::write(&file, b"not a folder").unwrap();
    let home = file.join("home");
    let out = trove(&home, &["ls"]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let cause = std::io::Error::from_raw_os_error(20).to_string(); // "Not a directory (os error 20)"
    assert!(stderr.contains("Error: "), "{stderr}");
    assert!(
        stderr.contains(&home.display().to_string()),
        "names the path: {stderr}"
    );
    assert_eq!(
        stderr.matches(&cause).count(),
        1,
        "the cause {cause:?} must appear exactly once:\n{stderr}"
    );
}

#[test]
fn causes_not_in_the_message_are_listed() {
    let dir = tempfile::tempdir().unwrap();
    // A trove.toml that is not TOML: the parse error is the cause of the configuration error.
    std::fs::write(dir.path().join("trove.toml"), "this is = = not toml").unwrap();
    let out = trove(dir.path(), &["ls"]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with("Error: "), "{stderr}");
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    let mut seen = std::collections::HashSet::new();
    for l in &lines {
        assert!(seen.insert(l.trim()), "line repeated: {l:?}\n{stderr}");
    }
}
