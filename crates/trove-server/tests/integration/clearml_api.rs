//! clearml-server's test client (`apiserver/tests/api_client.py`, `TestService`) over a real in-process trove:
//! calls with a bearer token, `raises((code, subcode))`, `send_batch` as json-lines, `_temp_task`.

use crate::common::TestServer;
use serde_json::{Value, json};

/// `APIClient` of clearml-server's tests: calls with a token, `raises`, `send_batch` as json-lines.
pub struct Api {
    pub s: TestServer,
    pub token: String,
}

impl Api {
    pub async fn start() -> Self {
        let s = TestServer::start().await;
        let token = s.login().await;
        Self { s, token }
    }

    /// POST `endpoint` with `body` (`content_type`); `Ok(data)` or `Err((code, subcode, envelope))`.
    async fn post(
        &self,
        endpoint: &str,
        body: String,
        ct: &str,
    ) -> Result<Value, (u16, u64, Value)> {
        let r = self
            .s
            .http
            .post(format!("{}/v2.23/{endpoint}", self.s.api))
            .bearer_auth(&self.token)
            .header("Content-Type", ct)
            .body(body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["meta"]["result_code"], json!(status), "{v}");
        if status == 200 {
            Ok(v["data"].clone())
        } else {
            Err((status, v["meta"]["result_subcode"].as_u64().unwrap(), v))
        }
    }

    pub async fn call(&self, endpoint: &str, body: Value) -> Result<Value, (u16, u64, Value)> {
        self.post(endpoint, body.to_string(), "application/json")
            .await
    }

    /// `self.api.<service>.<action>(**body)`: must succeed.
    pub async fn ok(&self, endpoint: &str, body: Value) -> Value {
        self.call(endpoint, body)
            .await
            .unwrap_or_else(|e| panic!("{endpoint} failed: {e:?}"))
    }

    /// `with self.api.raises((code, subcode))`.
    pub async fn raises(&self, endpoint: &str, body: Value, code: (u16, u64)) -> Value {
        match self.call(endpoint, body).await {
            Ok(d) => panic!("{endpoint} succeeded, expected {code:?}: {d}"),
            Err((c, sub, env)) => {
                assert_eq!((c, sub), code, "{env}");
                env
            }
        }
    }

    /// `self.api.send_batch("events.add_batch", events)`.
    pub async fn send_batch(&self, events: &[Value]) -> Result<Value, (u16, u64, Value)> {
        let body: String = events.iter().map(|e| format!("{e}\n")).collect();
        self.post("events.add_batch", body, "application/json-lines")
            .await
    }

    /// `self.api.send("events.add", event)`.
    pub async fn send(&self, event: &Value) -> Value {
        self.ok("events.add", event.clone()).await
    }

    /// `_temp_task(name)`: a `training` task in a project of the same name.
    pub async fn temp_task(&self, name: &str) -> String {
        self.s.task(&self.token, name, name).await.1
    }

    pub async fn stop(self) {
        self.s.stop().await;
    }
}

pub fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// `_create_task_event(type_, task, iteration, **kwargs)`.
pub fn task_event(type_: &str, task: Value, iteration: i64, extra: Value) -> Value {
    let mut e = json!({"worker": "test", "type": type_, "task": task, "iter": iteration, "timestamp": now_millis()});
    if let (Value::Object(m), Value::Object(x)) = (&mut e, extra) {
        m.extend(x);
    }
    e
}
