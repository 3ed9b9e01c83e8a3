//! Child processes with a time limit.
//!
//! A test that waits on a child with no limit can hang a whole CI run (a Python SDK that never exits did
//! exactly that). [`run`] starts the child in its own process group, sends its output to files (so a
//! child's own children cannot hold a pipe open), and waits at most `limit`. On expiry it records where
//! every Python process of the group was waiting (with `py-spy`, when the venv has it), kills the whole
//! group and reports a timeout. When the child exits in time, anything it left running in its group is
//! killed as well, so no test leaks processes.

use std::io::{Read, Seek};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// What a bounded child did.
#[derive(Debug)]
pub struct Finished {
    /// Its exit status, or `None` when it was killed at the time limit.
    pub status: Option<ExitStatus>,
    /// Everything it wrote to stdout.
    pub stdout: String,
    /// Everything it wrote to stderr.
    pub stderr: String,
    /// Where the group's Python processes were waiting when the limit expired (empty otherwise).
    pub stacks: String,
    /// How long it ran.
    pub elapsed: Duration,
}

impl Finished {
    /// Exited in time with status 0.
    pub fn success(&self) -> bool {
        self.status.is_some_and(|s| s.success())
    }

    /// Killed at the time limit.
    pub fn timed_out(&self) -> bool {
        self.status.is_none()
    }

    /// Output (and, after a timeout, stacks) for an assertion message.
    pub fn report(&self) -> String {
        let what = match self.status {
            Some(s) => format!("exited with {s} after {:.1} s", self.elapsed.as_secs_f64()),
            None => format!(
                "killed after {:.0} s (time limit)",
                self.elapsed.as_secs_f64()
            ),
        };
        let mut r = format!(
            "{what}\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        if !self.stacks.is_empty() {
            r.push_str("\n--- stacks at the time limit\n");
            r.push_str(&self.stacks);
        }
        r
    }
}

/// Run `cmd` to completion or at most `limit` (stdin is null; stdout and stderr are captured).
pub fn run(mut cmd: Command, limit: Duration) -> Finished {
    let program = PathBuf::from(cmd.get_program());
    let out = tempfile::tempfile().unwrap_or_else(|e| panic!("temp file for stdout: {e}"));
    let err = tempfile::tempfile().unwrap_or_else(|e| panic!("temp file for stderr: {e}"));
    cmd.stdin(Stdio::null())
        .stdout(
            out.try_clone()
                .unwrap_or_else(|e| panic!("dup stdout file: {e}")),
        )
        .stderr(
            err.try_clone()
                .unwrap_or_else(|e| panic!("dup stderr file: {e}")),
        )
        .process_group(0);
    let start = Instant::now();
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", program.display()));
    let pgid = child.id() as i32;
    let mut pause = Duration::from_millis(5);
    let (status, stacks) = loop {
        match child.try_wait() {
            Ok(Some(status)) => break (Some(status), String::new()),
            Ok(None) if start.elapsed() < limit => {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(100));
            }
            Ok(None) => break (None, python_stacks(&program, pgid)),
            Err(e) => panic!("waiting for {}: {e}", program.display()),
        }
    };
    let elapsed = start.elapsed();
    kill_group(pgid);
    if status.is_none() {
        let _ = child.wait();
    }
    Finished {
        status,
        stdout: read_all(out),
        stderr: read_all(err),
        stacks,
        elapsed,
    }
}

/// Run `cmd` bounded by `limit`; panic with its output unless it exits with status 0. Returns stdout.
pub fn run_ok(cmd: Command, limit: Duration) -> String {
    let what = format!("{cmd:?}");
    let f = run(cmd, limit);
    assert!(f.success(), "{what} failed: {}", f.report());
    f.stdout
}

fn read_all(mut f: std::fs::File) -> String {
    let mut buf = Vec::new();
    let _ = f.rewind().and_then(|_| f.read_to_end(&mut buf));
    String::from_utf8_lossy(&buf).into_owned()
}

fn kill_group(pgid: i32) {
    if let Some(pid) = rustix::process::Pid::from_raw(pgid) {
        // ESRCH (the group is gone) is the usual answer and is fine.
        let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
    }
}

/// Processes whose process group is `pgid` (from /proc).
fn group_members(pgid: i32) -> Vec<i32> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .ok()
                // pid (comm) state ppid pgrp …; comm may hold spaces, so split after its ')'.
                .and_then(|s| s.rsplit_once(')').map(|(_, rest)| rest.to_string()))
                .and_then(|rest| rest.split_whitespace().nth(2)?.parse::<i32>().ok())
                == Some(pgid)
        })
        .collect()
}

/// `py-spy dump` of every process in the group, when `program` is a venv python with py-spy beside it.
fn python_stacks(program: &Path, pgid: i32) -> String {
    let is_python = program
        .file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with("python"));
    let Some(spy) = program
        .parent()
        .map(|d| d.join("py-spy"))
        .filter(|p| is_python && p.exists())
    else {
        return String::new();
    };
    let mut out = String::new();
    for pid in group_members(pgid) {
        let mut c = Command::new(&spy);
        c.args(["dump", "--pid", &pid.to_string()]);
        let dumped = run(c, Duration::from_secs(30));
        out.push_str(&format!(
            "== process {pid}\n{}{}",
            dumped.stdout, dumped.stderr
        ));
    }
    out
}
