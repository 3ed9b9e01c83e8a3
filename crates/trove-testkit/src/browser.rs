//! Headless Chromium driven by playwright-core scripts (`.mjs`) under Node.js, as the web UI tests use it.

use crate::process::{self, Finished};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// How long one browser script may run.
pub const SCRIPT_LIMIT: Duration = Duration::from_secs(300);

/// Debian's Chromium and the folder holding playwright-core, installed by `scripts/browser install`.
pub struct Browser {
    /// The Chromium binary.
    pub chromium: PathBuf,
    /// `NODE_PATH` holding playwright-core (scripts read it as `PW_MODULES`).
    pub node_path: PathBuf,
}

impl Browser {
    /// Install (once) and locate the browser; fails the test when that is impossible.
    pub fn install() -> Browser {
        let mut cmd = Command::new(crate::repo_root().join("scripts/browser"));
        cmd.arg("install");
        let out = process::run_ok(cmd, Duration::from_secs(900));
        let value = |key: &str| {
            out.lines()
                .find_map(|l| l.strip_prefix(key)?.strip_prefix('='))
                .map(PathBuf::from)
                .unwrap_or_else(|| panic!("scripts/browser install printed no {key}=: {out}"))
        };
        Browser {
            chromium: value("CHROMIUM"),
            node_path: value("NODE_PATH"),
        }
    }

    /// Run `script` with node, the browser's paths (`CHROMIUM`, `PW_MODULES`) and `env`, for at most
    /// [`SCRIPT_LIMIT`]; panic with its output unless it succeeds. Returns stdout.
    pub fn run(&self, script: &Path, env: &[(&str, String)]) -> String {
        let mut cmd = Command::new("node");
        cmd.arg(script)
            .env("PW_MODULES", &self.node_path)
            .env("CHROMIUM", &self.chromium);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let f: Finished = process::run(cmd, SCRIPT_LIMIT);
        assert!(
            f.success(),
            "browser script {} failed: {}",
            script.display(),
            f.report()
        );
        f.stdout
    }
}
