//! Harness for the remote-mode tests: a real `trove server` in-process on its own tokio runtime (the SDK is
//! blocking and refuses to run inside an async context), SDK configurations pointing at it, and the official
//! ClearML Python SDK in a venv.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::Duration;
use trove_server::{RunningServer, ServeOptions};
use trove_testkit::python;

/// A server on free ports over a temp home (real SQLite, real files folder).
pub struct Server {
    rt: tokio::runtime::Runtime,
    server: Option<RunningServer>,
    /// The server's home (`files/` holds the uploaded bytes).
    pub home: tempfile::TempDir,
    /// `http://127.0.0.1:<api port>`.
    pub api: String,
    /// `http://127.0.0.1:<files port>`.
    pub files: String,
    /// `http://127.0.0.1:<web port>`.
    pub web: String,
    /// The initial key pair.
    pub access: String,
    /// Its secret.
    pub secret: String,
}

impl Server {
    pub fn start() -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("test-server")
            .enable_all()
            .build()
            .unwrap();
        let home = tempfile::tempdir().unwrap();
        let cfg = trove_core::Config {
            home: home.path().to_path_buf(),
            token_secret: Some("remote-server-test-signing-key-0123456789abcdef".into()),
            ..Default::default()
        };
        let mut o = ServeOptions::from_config(&cfg);
        o.api_port = 0;
        o.files_port = 0;
        o.web_port = 0;
        let server = rt.block_on(trove_server::start(o)).unwrap();
        let (access, secret) = server
            .initial_credentials
            .clone()
            .expect("a fresh home gets an initial key pair");
        Self {
            api: format!("http://{}", server.api_addr),
            files: format!("http://{}", server.files_addr),
            web: format!("http://{}", server.web_addr),
            server: Some(server),
            rt,
            home,
            access,
            secret,
        }
    }

    /// An SDK configuration for this server, with its own home (cache, staging) in `sdk_home`.
    pub fn config(&self, sdk_home: &Path) -> trove_core::Config {
        trove_core::Config {
            home: sdk_home.to_path_buf(),
            api_server: Some(self.api.clone()),
            files_server: Some(self.files.clone()),
            access_key: Some(self.access.clone()),
            secret_key: Some(self.secret.clone()),
            ..Default::default()
        }
    }

    /// Stop the server now (its home stays until drop).
    pub fn stop(&mut self) {
        if let Some(s) = self.server.take() {
            self.rt.block_on(s.shutdown());
        }
    }

    /// Run a future on the server's runtime (to look at its store).
    pub fn block_on<F: std::future::Future>(&self, f: F) -> F::Output {
        self.rt.block_on(f)
    }

    pub fn store(&self) -> trove_store::SharedStore {
        self.server.as_ref().unwrap().store.clone()
    }

    /// The file under the files root that a files-server URI names.
    pub fn stored_file(&self, uri: &str) -> PathBuf {
        let rel = uri
            .strip_prefix(&format!("{}/", self.files))
            .unwrap_or_else(|| panic!("{uri} is not on the files server {}", self.files));
        let rel = trove_core::layout::unquote(rel).unwrap();
        self.home.path().join("files").join(rel)
    }

    /// Write a clearml.conf for this server into `wd`; returns the environment for SDK processes
    /// (isolated HOME; [`run_py`] passes no inherited CLEARML_* variables).
    pub fn clearml_env(&self, wd: &Path) -> Vec<(String, String)> {
        python::clearml_env(
            wd,
            &python::ClearmlServer {
                api: &self.api,
                web: &self.web,
                files: &self.files,
                access: &self.access,
                secret: &self.secret,
            },
        )
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(s) = self.server.take() {
            self.rt.block_on(s.shutdown());
        }
    }
}

pub use trove_testkit::repo_root;

/// How long one run of a ClearML SDK script may take (a run takes 10–40 s on 2 busy cores; a hung SDK is
/// killed and the test fails with where it was waiting).
pub const SDK_LIMIT: Duration = Duration::from_secs(300);

/// The shared clearml 2.x venv (fails the test when it cannot be made).
pub fn clearml_venv() -> PathBuf {
    python::Venv::Clearml2.python()
}

/// Run `script` (a copy placed in `cwd`, so the SDK's repository detection does not scan this repository)
/// with the venv's python for at most [`SDK_LIMIT`]; returns (success, report with stdout+stderr).
pub fn run_py(
    py: &Path,
    script: &Path,
    args: &[&str],
    cwd: &Path,
    env: &[(String, String)],
) -> (bool, String) {
    let f = python::run_script(py, script, args, cwd, env, SDK_LIMIT);
    (f.success(), f.report())
}

/// A script of the trove-server tests (`crates/trove-server/tests/py/`).
pub fn server_script(name: &str) -> PathBuf {
    repo_root().join("crates/trove-server/tests/py").join(name)
}

/// A script of these tests (`crates/trove/tests/py/`).
pub fn sdk_script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/py")
        .join(name)
}
