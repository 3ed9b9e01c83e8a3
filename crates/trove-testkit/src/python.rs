//! The project's Python venvs and scripts run in them, each with a time limit.
//!
//! The venvs are named once, in `scripts/pyenv` (which `scripts/test-deps` also calls), so every test asks
//! for the same requirement list and no test rebuilds a venv another one made.

use crate::process::{self, Finished};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// A venv made by `scripts/pyenv`.
#[derive(Clone, Copy, Debug)]
pub enum Venv {
    /// pandas, numpy, Pillow, pyarrow.
    Data,
    /// The official clearml SDK, newest 2.x, with pandas, numpy, Pillow and py-spy.
    Clearml2,
    /// The official clearml SDK 1.17.x, with pandas, numpy, Pillow and py-spy.
    Clearml117,
}

impl Venv {
    fn name(self) -> &'static str {
        match self {
            Venv::Data => "data",
            Venv::Clearml2 => "clearml2",
            Venv::Clearml117 => "clearml117",
        }
    }

    /// The venv's python, made on first use (fails the test when it cannot be made: Python 3 and network
    /// access to PyPI are needed once).
    pub fn python(self) -> PathBuf {
        let mut cmd = Command::new(crate::repo_root().join("scripts/pyenv"));
        cmd.arg(self.name());
        let f = process::run(cmd, Duration::from_secs(900));
        assert!(
            f.success(),
            "scripts/pyenv {} failed; this test needs the venv: {}",
            self.name(),
            f.report()
        );
        let py = PathBuf::from(f.stdout.trim());
        assert!(py.exists(), "venv python {} missing", py.display());
        py
    }
}

/// Where the official clearml SDK should send its requests.
pub struct ClearmlServer<'a> {
    /// `http://host:port` of the API server.
    pub api: &'a str,
    /// `http://host:port` of the web UI.
    pub web: &'a str,
    /// `http://host:port` of the files server.
    pub files: &'a str,
    /// The access key.
    pub access: &'a str,
    /// Its secret.
    pub secret: &'a str,
}

/// Write `wd/clearml.conf` for `server` and make `wd/home`; returns the environment for SDK processes
/// (the config file, an isolated HOME, unbuffered output). [`run_script`] drops inherited `CLEARML_*`
/// variables, so only these reach the SDK.
///
/// The config sets `sdk.development.report_use_subprocess: false`: the SDK then reports from a thread
/// instead of a process it forks inside `Task.init`. That fork occasionally deadlocks (seen with py-spy:
/// the forked child joins a reporting thread that never ends while the parent waits for the child at
/// exit), with or without a server (it happened in offline mode too), about once in 20 runs on a busy
/// machine. The requests the server receives are the same in both modes.
pub fn clearml_env(wd: &Path, server: &ClearmlServer) -> Vec<(String, String)> {
    let conf = format!(
        "api {{\n  api_server: \"{}\"\n  web_server: \"{}\"\n  files_server: \"{}\"\n  credentials {{\n    access_key: \"{}\"\n    secret_key: \"{}\"\n  }}\n}}\nsdk {{\n  development {{\n    report_use_subprocess: false\n  }}\n}}\n",
        server.api, server.web, server.files, server.access, server.secret
    );
    let conf_path = wd.join("clearml.conf");
    std::fs::write(&conf_path, conf)
        .unwrap_or_else(|e| panic!("write {}: {e}", conf_path.display()));
    let home = wd.join("home");
    std::fs::create_dir_all(&home).unwrap_or_else(|e| panic!("create {}: {e}", home.display()));
    vec![
        (
            "CLEARML_CONFIG_FILE".into(),
            conf_path.display().to_string(),
        ),
        ("HOME".into(), home.display().to_string()),
        ("PYTHONUNBUFFERED".into(), "1".into()),
    ]
}

/// Run a copy of `script` placed in `cwd` (so the clearml SDK's repository detection scans `cwd`, not this
/// repository) with `py`, `args` and `env`, without inherited `CLEARML_*`/`TRAINS_*` variables, for at most
/// `limit`.
pub fn run_script(
    py: &Path,
    script: &Path,
    args: &[&str],
    cwd: &Path,
    env: &[(String, String)],
    limit: Duration,
) -> Finished {
    let name = script
        .file_name()
        .unwrap_or_else(|| panic!("{} names no file", script.display()));
    let copy = cwd.join(name);
    std::fs::copy(script, &copy).unwrap_or_else(|e| panic!("copy {}: {e}", script.display()));
    let mut cmd = Command::new(py);
    cmd.arg(&copy).args(args).current_dir(cwd);
    for (k, _) in std::env::vars() {
        if k.starts_with("CLEARML_") || k.starts_with("TRAINS_") {
            cmd.env_remove(k);
        }
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    process::run(cmd, limit)
}
