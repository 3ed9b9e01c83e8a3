//! The remote backend: a `trove server` (or any server speaking the ClearML API subset) over HTTP.

use super::{Backend, ProjectInfo, TaskInfo};
use crate::error::{Result, TroveError};
use async_trait::async_trait;
use serde_json::{Value, json};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};
use tokio::sync::Mutex;
use trove_core::{ArtifactRecord, ArtifactVersion, TaskStatus};

/// API version trove speaks (the newest the official SDK bundles).
const API: &str = "v2.23";

/// Metadata kept by a server.
pub struct Remote {
    api: String,
    files: Option<String>,
    access_key: String,
    secret_key: String,
    http: reqwest::Client,
    token: Mutex<Option<(String, Instant)>>,
    current: Arc<RwLock<Option<String>>>,
}

impl Remote {
    /// A client for `api_server` with these credentials; logs in lazily.
    pub fn new(
        api_server: &str,
        files_server: Option<&str>,
        access_key: &str,
        secret_key: &str,
    ) -> Result<Self> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(120))
            .build()
            .map_err(|e| TroveError::Api {
                endpoint: "client".into(),
                message: e.to_string(),
            })?;
        Ok(Self {
            api: api_server.trim_end_matches('/').to_string(),
            files: files_server.map(|f| f.trim_end_matches('/').to_string()),
            access_key: access_key.into(),
            secret_key: secret_key.into(),
            http,
            token: Mutex::new(None),
            current: Arc::new(RwLock::new(None)),
        })
    }

    async fn token(&self, refresh: bool) -> Result<String> {
        let mut slot = self.token.lock().await;
        if let Some((t, until)) = slot.as_ref()
            && !refresh
            && Instant::now() < *until
        {
            return Ok(t.clone());
        }
        let url = format!("{}/auth.login", self.api);
        let resp = self
            .http
            .post(&url)
            .basic_auth(&self.access_key, Some(&self.secret_key))
            .json(&json!({}))
            .send()
            .await
            .map_err(|e| api_err("auth.login", format!("cannot reach {url}: {e}")))?;
        let data = envelope("auth.login", resp).await?;
        let token = data["token"]
            .as_str()
            .ok_or_else(|| api_err("auth.login", "no token in the answer".into()))?
            .to_string();
        // Refresh well before any sane expiry; the server is the judge (a 401 refreshes too).
        *slot = Some((token.clone(), Instant::now() + Duration::from_secs(600)));
        if let Ok(mut cur) = self.current.write() {
            *cur = Some(token.clone());
        }
        Ok(token)
    }

    /// Call `endpoint` with a JSON body and return the envelope's `data`.
    pub async fn call(&self, endpoint: &str, body: Value) -> Result<Value> {
        let url = format!("{}/{API}/{endpoint}", self.api);
        for attempt in 0..2 {
            let token = self.token(attempt > 0).await?;
            let resp = self
                .http
                .post(&url)
                .bearer_auth(&token)
                .json(&body)
                .send()
                .await
                .map_err(|e| api_err(endpoint, format!("cannot reach {url}: {e}")))?;
            if resp.status() == reqwest::StatusCode::UNAUTHORIZED && attempt == 0 {
                continue;
            }
            return envelope(endpoint, resp).await;
        }
        Err(api_err(
            endpoint,
            "unauthorized: check access_key/secret_key".into(),
        ))
    }

    fn task_info(t: &Value, project_name: String) -> TaskInfo {
        TaskInfo {
            id: t["id"].as_str().unwrap_or_default().to_string(),
            name: t["name"].as_str().unwrap_or_default().to_string(),
            project_id: t["project"].as_str().unwrap_or_default().to_string(),
            project_name,
            status: t["status"]
                .as_str()
                .and_then(|s| s.parse().ok())
                .unwrap_or(TaskStatus::Unknown),
            output_destination: t["output"]["destination"].as_str().map(str::to_string),
        }
    }

    async fn project_name(&self, id: &str) -> Result<String> {
        let d = self
            .call("projects.get_by_id", json!({ "project": id }))
            .await?;
        Ok(d["project"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string())
    }
}

fn api_err(endpoint: &str, message: String) -> TroveError {
    TroveError::Api {
        endpoint: endpoint.to_string(),
        message,
    }
}

async fn envelope(endpoint: &str, resp: reqwest::Response) -> Result<Value> {
    let status = resp.status();
    let text = resp
        .text()
        .await
        .map_err(|e| api_err(endpoint, e.to_string()))?;
    let v: Value = serde_json::from_str(&text).map_err(|_| {
        api_err(
            endpoint,
            format!(
                "HTTP {status}, not a JSON envelope: {}",
                text.chars().take(200).collect::<String>()
            ),
        )
    })?;
    let code = v["meta"]["result_code"]
        .as_i64()
        .unwrap_or(status.as_u16() as i64);
    if code != 200 {
        let msg = v["meta"]["result_msg"].as_str().unwrap_or("error");
        let sub = v["meta"]["result_subcode"].as_i64().unwrap_or(0);
        return Err(api_err(endpoint, format!("{code}/{sub}: {msg}")));
    }
    Ok(v["data"].clone())
}

/// The `(result_code, result_subcode)` an API error message starts with (`"400/101: Invalid task id"`).
fn codes(err: &TroveError) -> Option<(i64, i64)> {
    let TroveError::Api { message, .. } = err else {
        return None;
    };
    let (head, _) = message.split_once(": ")?;
    let (code, sub) = head.split_once('/')?;
    Some((code.parse().ok()?, sub.parse().ok()?))
}

/// ClearML's "invalid task id" (400/101): the task does not exist.
fn is_invalid_task(err: &TroveError) -> bool {
    codes(err) == Some((400, 101))
}

/// The server does not know the endpoint (a ClearML server without trove's extensions).
fn is_unknown_endpoint(err: &TroveError) -> bool {
    matches!(codes(err), Some((404, _)))
}

/// Anchored, escaped regex for an exact-name filter (what the official SDK sends).
fn exact(name: &str) -> String {
    let mut s = String::from("^");
    for c in name.chars() {
        if !c.is_alphanumeric() && c != '_' {
            s.push('\\');
        }
        s.push(c);
    }
    s.push('$');
    s
}

#[async_trait]
impl Backend for Remote {
    fn describe(&self) -> String {
        format!("server {}", self.api)
    }

    fn files_server(&self) -> Option<String> {
        self.files.clone()
    }

    async fn files_token(&self) -> Option<String> {
        self.token(false).await.ok()
    }

    fn token_provider(&self) -> Option<trove_storage::TokenProvider> {
        let cell = self.current.clone();
        Some(Arc::new(move || cell.read().ok().and_then(|t| t.clone())))
    }

    async fn ensure_project(&self, name: &str) -> Result<ProjectInfo> {
        let query = json!({ "name": exact(name), "only_fields": ["id", "name", "default_output_destination"], "search_hidden": true });
        let found = self.call("projects.get_all", query.clone()).await?;
        let project = match found["projects"].as_array().and_then(|a| a.first()) {
            Some(p) => p.clone(),
            None => match self
                .call(
                    "projects.create",
                    json!({ "name": name, "description": "" }),
                )
                .await
            {
                Ok(d) => json!({ "id": d["id"], "name": name }),
                // Another process may have created it meanwhile; if not, the create error is the answer.
                Err(e) => {
                    let again = self.call("projects.get_all", query).await?;
                    match again["projects"].as_array().and_then(|a| a.first()) {
                        Some(p) => p.clone(),
                        None => return Err(e),
                    }
                }
            },
        };
        let id = project["id"]
            .as_str()
            .ok_or_else(|| api_err("projects.create", "no project id".into()))?;
        let full = self
            .call("projects.get_by_id", json!({ "project": id }))
            .await?;
        Ok(ProjectInfo {
            id: id.to_string(),
            name: name.to_string(),
            default_output_destination: full["project"]["default_output_destination"]
                .as_str()
                .map(str::to_string),
        })
    }

    async fn create_task(&self, project: &ProjectInfo, name: &str) -> Result<TaskInfo> {
        let d = self
            .call(
                "tasks.create",
                json!({ "name": name, "project": project.id, "type": "training",
                        "system_tags": ["development"], "comment": "Created by the trove Rust SDK" }),
            )
            .await?;
        let id = d["id"]
            .as_str()
            .ok_or_else(|| api_err("tasks.create", "no task id".into()))?
            .to_string();
        self.call("tasks.started", json!({ "task": id, "force": true }))
            .await?;
        self.get_task(&id)
            .await?
            .ok_or(TroveError::TaskNotFound(id))
    }

    async fn get_task(&self, id: &str) -> Result<Option<TaskInfo>> {
        let d = match self.call("tasks.get_by_id", json!({ "task": id })).await {
            Ok(d) => d,
            // Only "invalid task id" means there is no such task; anything else (a wrong api_server
            // answering 404, a validation error) is an error the caller must see.
            Err(e) if is_invalid_task(&e) => return Ok(None),
            Err(e) => return Err(e),
        };
        let t = &d["task"];
        let pname = self
            .project_name(t["project"].as_str().unwrap_or_default())
            .await
            .unwrap_or_default();
        Ok(Some(Self::task_info(t, pname)))
    }

    async fn find_task(&self, project: &str, name: &str) -> Result<Option<TaskInfo>> {
        let found = self
            .call(
                "projects.get_all",
                json!({ "name": exact(project), "only_fields": ["id"] }),
            )
            .await?;
        let Some(pid) = found["projects"][0]["id"].as_str() else {
            return Ok(None);
        };
        let tasks = self
            .call(
                "tasks.get_all",
                json!({ "project": [pid], "name": exact(name), "order_by": ["-last_update"],
                        "only_fields": ["id", "name", "project", "status", "output", "last_update"] }),
            )
            .await?;
        let Some(t) = tasks["tasks"].as_array().and_then(|a| a.first()) else {
            return Ok(None);
        };
        Ok(Some(Self::task_info(t, project.to_string())))
    }

    async fn set_output_destination(&self, task: &str, uri: &str, source: &str) -> Result<()> {
        self.call(
            "tasks.edit",
            json!({ "task": task, "force": true, "output_dest": uri }),
        )
        .await?;
        // Which precedence level chose it, for the web UI: trove servers keep `output` as sent; ClearML's
        // tasks.edit has no such field, so a refusal only loses this label.
        if let Err(e) = self
            .call(
                "tasks.edit",
                json!({ "task": task, "force": true,
                        "output": { "destination": uri, "destination_source": source } }),
            )
            .await
        {
            tracing::debug!(task, error = %e, "server did not record output.destination_source");
        }
        Ok(())
    }

    async fn set_status(&self, task: &str, status: TaskStatus, reason: &str) -> Result<()> {
        let endpoint = match status {
            TaskStatus::Completed => "tasks.completed",
            TaskStatus::Failed => "tasks.failed",
            TaskStatus::Stopped => "tasks.stopped",
            TaskStatus::InProgress => "tasks.started",
            other => {
                return Err(api_err(
                    "tasks.status",
                    format!("cannot set status {other} from the SDK"),
                ));
            }
        };
        self.call(
            endpoint,
            json!({ "task": task, "force": true, "status_reason": reason }),
        )
        .await?;
        Ok(())
    }

    async fn upsert_artifacts(&self, task: &str, records: &[ArtifactRecord]) -> Result<()> {
        self.call(
            "tasks.add_or_update_artifacts",
            json!({ "task": task, "artifacts": records, "force": true }),
        )
        .await?;
        Ok(())
    }

    async fn list_artifacts(&self, task: &str) -> Result<Vec<ArtifactRecord>> {
        let d = self
            .call("tasks.get_by_id", json!({ "task": task }))
            .await?;
        let list = d["task"]["execution"]["artifacts"].clone();
        if list.is_null() {
            return Ok(Vec::new());
        }
        serde_json::from_value(list)
            .map_err(|e| api_err("tasks.get_by_id", format!("bad artifact list: {e}")))
    }

    async fn delete_artifacts(&self, task: &str, keys: &[String]) -> Result<Vec<ArtifactRecord>> {
        let before = self.list_artifacts(task).await?;
        let ids: Vec<Value> = keys
            .iter()
            .map(|k| json!({ "key": k, "mode": "output" }))
            .collect();
        self.call(
            "tasks.delete_artifacts",
            json!({ "task": task, "artifacts": ids, "force": true }),
        )
        .await?;
        Ok(before
            .into_iter()
            .filter(|r| keys.contains(&r.key))
            .collect())
    }

    async fn add_version(&self, task: &str, key: &str, version: &ArtifactVersion) -> Result<()> {
        match self
            .call(
                "tasks.add_artifact_version",
                json!({ "task": task, "key": key, "version": version }),
            )
            .await
        {
            Ok(_) => Ok(()),
            // A ClearML server keeps no version history: the record (the newest version) is still
            // upserted by the caller, so registered artifacts keep working there.
            Err(e) if is_unknown_endpoint(&e) => {
                tracing::warn!(%task, %key, version = version.version,
                    "the server keeps no artifact versions (no tasks.add_artifact_version); only the newest is kept");
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    async fn list_versions(&self, task: &str, key: &str) -> Result<Vec<ArtifactVersion>> {
        let d = match self
            .call(
                "tasks.get_artifact_versions",
                json!({ "task": task, "key": key }),
            )
            .await
        {
            Ok(d) => d,
            // A ClearML server keeps no version history (see `add_version`).
            Err(e) if is_unknown_endpoint(&e) => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        serde_json::from_value(d["versions"].clone()).map_err(|e| {
            api_err(
                "tasks.get_artifact_versions",
                format!("bad version list: {e}"),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::error::TroveError;

    fn api(message: &str) -> TroveError {
        super::api_err("tasks.get_by_id", message.into())
    }

    #[test]
    fn error_codes_are_classified() {
        assert!(super::is_invalid_task(&api(
            "400/101: Invalid task id: id=x"
        )));
        assert!(!super::is_invalid_task(&api("400/12: Validation error")));
        assert!(!super::is_invalid_task(&api("404/0: Unknown endpoint")));
        assert!(super::is_unknown_endpoint(&api(
            "404/0: Unknown endpoint \"x\""
        )));
        assert!(!super::is_unknown_endpoint(&api(
            "HTTP 404 Not Found, not a JSON envelope: x"
        )));
        assert!(!super::is_unknown_endpoint(&TroveError::TaskNotFound(
            "x".into()
        )));
        assert_eq!(
            super::codes(&api("409/405: artifact version already exists")),
            Some((409, 405))
        );
    }

    #[test]
    fn exact_name_filter_is_escaped_and_anchored() {
        assert_eq!(super::exact("examples"), "^examples$");
        assert_eq!(super::exact("a b.c"), "^a\\ b\\.c$");
    }
}
