//! Shared test harness: a real server on free ports over a temp home (real SQLite, real files folder).
#![allow(dead_code)]

use serde_json::{Value, json};
use trove_server::{RunningServer, ServeOptions};

pub const TOKEN_SECRET: &str = "integration-test-signing-key-0123456789abcdef";

pub struct TestServer {
    pub server: Option<RunningServer>,
    pub home: tempfile::TempDir,
    pub access: String,
    pub secret: String,
    pub http: reqwest::Client,
    pub api: String,
    pub files: String,
}

pub fn options(home: &std::path::Path, no_auth: bool) -> ServeOptions {
    let cfg = trove_core::Config {
        home: home.to_path_buf(),
        token_secret: Some(TOKEN_SECRET.into()),
        ..Default::default()
    };
    let mut o = ServeOptions::from_config(&cfg);
    o.api_port = 0;
    o.files_port = 0;
    o.web_port = 0;
    o.no_auth = no_auth;
    o
}

impl TestServer {
    pub async fn start() -> Self {
        Self::start_with(false).await
    }

    pub async fn start_with(no_auth: bool) -> Self {
        Self::start_custom(no_auth, |_| {}).await
    }

    /// A server whose `[server] allowed_destinations` are `dirs` (its web UI reads and write-tests there).
    pub async fn start_allowing(dirs: &[&std::path::Path]) -> Self {
        let dirs: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
        Self::start_custom(false, move |o| {
            o.config.server.allowed_destinations = dirs.clone()
        })
        .await
    }

    /// A server with options changed by `edit` before it starts.
    pub async fn start_custom(no_auth: bool, edit: impl FnOnce(&mut ServeOptions)) -> Self {
        let _ = tracing_subscriber::fmt()
            .with_env_filter("warn")
            .with_test_writer()
            .try_init();
        let home = tempfile::tempdir().unwrap();
        let mut opts = options(home.path(), no_auth);
        edit(&mut opts);
        let server = trove_server::start(opts).await.unwrap();
        let (access, secret) = server.initial_credentials.clone().unwrap_or_default();
        let api = format!("http://{}", server.api_addr);
        let files = format!("http://{}", server.files_addr);
        Self {
            server: Some(server),
            home,
            access,
            secret,
            http: reqwest::Client::new(),
            api,
            files,
        }
    }

    pub fn srv(&self) -> &RunningServer {
        self.server.as_ref().unwrap()
    }

    /// Write a clearml.conf for this server into `wd` and return the environment for the official SDK's
    /// processes (see `trove_testkit::python::clearml_env`).
    pub fn clearml_env(&self, wd: &std::path::Path) -> Vec<(String, String)> {
        let web = format!("http://{}", self.srv().web_addr);
        trove_testkit::python::clearml_env(
            wd,
            &trove_testkit::python::ClearmlServer {
                api: &self.api,
                web: &web,
                files: &self.files,
                access: &self.access,
                secret: &self.secret,
            },
        )
    }

    pub async fn stop(mut self) {
        if let Some(s) = self.server.take() {
            s.shutdown().await;
        }
    }

    pub async fn login(&self) -> String {
        let r = self
            .http
            .get(format!("{}/auth.login", self.api))
            .basic_auth(&self.access, Some(&self.secret))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let v: Value = r.json().await.unwrap();
        v["data"]["token"].as_str().unwrap().to_string()
    }

    /// GET `/v<API_VERSION>/<endpoint>` with a JSON body (as the SDK does); returns (HTTP status, envelope).
    pub async fn call(&self, token: &str, endpoint: &str, body: Value) -> (u16, Value) {
        let r = self
            .http
            .get(format!(
                "{}{}",
                self.api,
                trove_protocol::versioned_path(endpoint)
            ))
            .bearer_auth(token)
            .header("Content-Type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let v: Value = r.json().await.unwrap();
        assert_eq!(
            v["meta"]["result_code"].as_u64().unwrap() as u16,
            status,
            "{v}"
        );
        (status, v)
    }

    /// Like [`call`] but asserts 200 and returns `data`.
    pub async fn ok(&self, token: &str, endpoint: &str, body: Value) -> Value {
        let (s, v) = self.call(token, endpoint, body).await;
        assert_eq!(s, 200, "{endpoint}: {v}");
        v["data"].clone()
    }

    /// A project and a task in it; returns (project id, task id).
    pub async fn task(&self, token: &str, project: &str, name: &str) -> (String, String) {
        let found = self
            .ok(
                token,
                "projects.get_all",
                json!({"name": format!("^{project}$")}),
            )
            .await;
        let pid = match found["projects"].as_array().unwrap().first() {
            Some(p) => p["id"].as_str().unwrap().to_string(),
            None => self
                .ok(token, "projects.create", json!({"name": project}))
                .await["id"]
                .as_str()
                .unwrap()
                .to_string(),
        };
        let d = self
            .ok(token, "tasks.create", json!({"name": name, "project": pid, "type": "training", "system_tags": ["development"]}))
            .await;
        (pid, d["id"].as_str().unwrap().to_string())
    }
}
