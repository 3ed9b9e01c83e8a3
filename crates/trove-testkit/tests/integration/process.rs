//! The bounded runner: output captured, time limit enforced, the whole process group gone afterwards.

use std::path::Path;
use std::process::Command;
use std::time::Duration;
use trove_testkit::process::{run, run_ok};

fn sh(script: &str) -> Command {
    let mut c = Command::new("sh");
    c.args(["-c", script]);
    c
}

/// Wait (at most 5 s) until `pid` is gone or a zombie.
fn gone(pid: u32) -> bool {
    for _ in 0..100 {
        match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            Err(_) => return true,
            Ok(s)
                if s.rsplit_once(')')
                    .is_some_and(|(_, r)| r.trim_start().starts_with('Z')) =>
            {
                return true;
            }
            Ok(_) => std::thread::sleep(Duration::from_millis(50)),
        }
    }
    false
}

fn pid_in(path: &Path) -> u32 {
    std::fs::read_to_string(path)
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

#[test]
fn output_and_status_are_captured() {
    let f = run(
        sh("echo out; echo err >&2; exit 3"),
        Duration::from_secs(30),
    );
    assert_eq!(f.stdout, "out\n");
    assert_eq!(f.stderr, "err\n");
    assert_eq!(f.status.and_then(|s| s.code()), Some(3));
    assert!(!f.success() && !f.timed_out());
    assert_eq!(run_ok(sh("echo fine"), Duration::from_secs(30)), "fine\n");
}

#[test]
fn a_hung_child_and_its_children_are_killed_at_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let pidfile = dir.path().join("pid");
    let script = format!(
        "sleep 600 & echo $! > {}; echo started; wait",
        pidfile.display()
    );
    let f = run(sh(&script), Duration::from_millis(500));
    assert!(f.timed_out(), "{}", f.report());
    assert!(f.elapsed < Duration::from_secs(10), "{:?}", f.elapsed);
    assert_eq!(f.stdout, "started\n");
    assert!(f.report().contains("time limit"), "{}", f.report());
    assert!(gone(pid_in(&pidfile)), "the grandchild survived the limit");
}

#[test]
fn what_a_finished_child_left_running_is_killed() {
    let dir = tempfile::tempdir().unwrap();
    let pidfile = dir.path().join("pid");
    // The grandchild keeps no pipe open (output goes to files), so the run ends when `sh` does.
    let script = format!("sleep 600 & echo $! > {}", pidfile.display());
    let f = run(sh(&script), Duration::from_secs(30));
    assert!(f.success(), "{}", f.report());
    assert!(f.elapsed < Duration::from_secs(10));
    assert!(
        gone(pid_in(&pidfile)),
        "a leftover process survived its test"
    );
}

#[test]
#[should_panic(expected = "failed")]
fn run_ok_fails_the_test_on_a_bad_exit() {
    run_ok(sh("exit 1"), Duration::from_secs(30));
}

/// Tests that need the project's Python venvs; `scripts/test --fast` skips them.
mod external {
    use super::*;

    #[test]
    fn a_hung_python_shows_where_it_waits() {
        let py = trove_testkit::python::Venv::Clearml2.python();
        let mut c = Command::new(py);
        c.args(["-c", "import time\ndef stuck_here():\n    time.sleep(600)\nprint('ready', flush=True)\nstuck_here()"]);
        let f = run(c, Duration::from_secs(3));
        assert!(f.timed_out(), "{}", f.report());
        assert_eq!(f.stdout, "ready\n");
        assert!(
            f.stacks.contains("stuck_here"),
            "py-spy did not show the stack: {}",
            f.stacks
        );
    }
}
