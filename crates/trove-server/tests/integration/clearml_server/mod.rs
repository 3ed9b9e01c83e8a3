//! clearml-server's own API tests (`apiserver/tests/automated/`), ported to Rust against a real in-process
//! trove: each test keeps its original name, calls and assertions (result codes and subcodes, fields).
//! [`Cs`] plays clearml-server's `APIClient`: `POST /v<version>/<service>.<action>` with a JSON body and a
//! bearer token; `raises` asserts a failure with exactly `(code, subcode)`.

mod hyperparams;
mod ordering;
mod project_models;
mod projects;
mod projects_more;
mod tags;
mod tasks;
mod tasks_models;
mod tasks_more;

use crate::common::TestServer;
use serde_json::{Value, json};

/// The client of one ported test: a fresh server, a token, the API version the test file requests.
pub struct Cs {
    pub s: TestServer,
    token: String,
    version: String,
}

/// A failed call: (HTTP code, subcode, message).
pub type Failure = (u16, u64, String);

impl Cs {
    /// A fresh server and a client for API `version` (e.g. "2.13"; clearml-server's default is "999.0").
    pub async fn start(version: &str) -> Self {
        let s = TestServer::start().await;
        let token = s.login().await;
        Cs {
            s,
            token,
            version: version.to_string(),
        }
    }

    /// Call `endpoint` with `body`; `data` on 200, else the failure.
    pub async fn send(&self, endpoint: &str, body: Value) -> Result<Value, Failure> {
        let r = self
            .s
            .http
            .post(format!("{}/v{}/{endpoint}", self.s.api, self.version))
            .bearer_auth(&self.token)
            .header("Content-Type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let v: Value = r.json().await.unwrap();
        let meta = &v["meta"];
        assert_eq!(meta["result_code"].as_u64(), Some(u64::from(status)), "{v}");
        if status == 200 {
            Ok(v["data"].clone())
        } else {
            Err((
                status,
                meta["result_subcode"].as_u64().unwrap_or(0),
                meta["result_msg"].as_str().unwrap_or("").to_string(),
            ))
        }
    }

    /// Call and expect success.
    pub async fn ok(&self, endpoint: &str, body: Value) -> Value {
        match self.send(endpoint, body.clone()).await {
            Ok(d) => d,
            Err(e) => panic!("{endpoint} {body} failed: {e:?}"),
        }
    }

    /// Call and expect exactly `(code, subcode)`.
    pub async fn raises(&self, (code, sub): (u16, u64), endpoint: &str, body: Value) {
        match self.send(endpoint, body.clone()).await {
            Ok(d) => panic!("{endpoint} {body} succeeded ({d}), expected {code}/{sub}"),
            Err((c, s, m)) => assert_eq!((c, s), (code, sub), "{endpoint} {body}: {m}"),
        }
    }

    /// `create_temp`: `<service>.create` → the new id.
    pub async fn create(&self, service: &str, body: Value) -> String {
        let d = self.ok(&format!("{service}.create"), body).await;
        d["id"].as_str().unwrap().to_string()
    }

    /// A task with `type` and `name` defaulted as the test files do.
    pub async fn task(&self, mut body: Value) -> String {
        let m = body.as_object_mut().unwrap();
        m.entry("type").or_insert(json!("testing"));
        m.entry("name").or_insert(json!("test task"));
        self.create("tasks", body).await
    }

    /// The ids of a `tasks` / `projects` list.
    pub fn ids(list: &Value) -> Vec<String> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_str().unwrap().to_string())
            .collect()
    }
}

/// clearml-server's error classes used by the tests, as `(code, subcode)`.
pub mod errors {
    pub const VALIDATION_ERROR: (u16, u64) = (400, 12);
    pub const FIELDS_VALUE_ERROR: (u16, u64) = (400, 16);
    pub const INVALID_TASK_ID: (u16, u64) = (400, 101);
    pub const INVALID_TASK_STATUS: (u16, u64) = (400, 110);
    pub const TASK_CANNOT_BE_DELETED: (u16, u64) = (400, 123);
    pub const INVALID_MODEL_ID: (u16, u64) = (400, 201);
    pub const INVALID_PROJECT_ID: (u16, u64) = (400, 401);
    pub const PROJECT_HAS_TASKS: (u16, u64) = (400, 402);
    pub const PROJECT_HAS_MODELS: (u16, u64) = (400, 405);
    pub const PROJECT_HAS_DATASETS: (u16, u64) = (400, 406);
    pub const INVALID_PROJECT_NAME: (u16, u64) = (400, 407);
    pub const CANNOT_UPDATE_PROJECT_LOCATION: (u16, u64) = (400, 408);
    pub const PROJECT_HAS_PIPELINES: (u16, u64) = (400, 413);
    pub const EXPECTED_UNIQUE_DATA: (u16, u64) = (400, 801);
}
