//! The remote backend: a `trove server` (or any server speaking the ClearML API subset) over HTTP. Every call
//! goes through `trove_protocol`: typed requests, typed answers, and typed result codes on failure.

use super::{Backend, ProjectInfo, TaskInfo};
use crate::error::{Result, TroveError};
use async_trait::async_trait;
use serde_json::Value;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};
use tokio::sync::Mutex;
use trove_core::{ArtifactRecord, ArtifactVersion, TaskStatus};
use trove_protocol::endpoints::{
    AddArtifactVersionRequest, AddOrUpdateArtifactsRequest, ArtifactId, ArtifactRef, AuthLogin,
    DeleteArtifactsRequest, LoginRequest, ProjectRef, ProjectsCreate, ProjectsCreateRequest,
    ProjectsGetAll, ProjectsGetAllRequest, ProjectsGetById, StatusChangeRequest, TaskFields,
    TaskRef, TasksAddArtifactVersion, TasksAddOrUpdateArtifacts, TasksCompleted, TasksCreate,
    TasksCreateRequest, TasksDeleteArtifacts, TasksEdit, TasksEditRequest, TasksFailed,
    TasksGetAll, TasksGetAllRequest, TasksGetArtifactVersions, TasksGetById, TasksStarted,
    TasksStopped,
};
use trove_protocol::{
    Call, CallError, DestinationSource, Envelope, ProjectDoc, ResultCode, TaskDoc, TaskOutput,
    decode_response, versioned_path,
};

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

/// Why a call failed: the server said so (an error envelope, with its [`ResultCode`]), or there is no usable
/// answer (unreachable, not an envelope, data of the wrong shape).
#[derive(Debug, thiserror::Error)]
enum Failure {
    /// An error envelope.
    #[error(transparent)]
    Call(#[from] CallError),
    /// No usable answer.
    #[error("{0}")]
    Transport(String),
    /// Logging in failed (reported as the `auth.login` error it is).
    #[error(transparent)]
    Login(TroveError),
}

impl Failure {
    /// The server's result code, when it answered with one.
    fn code(&self) -> Option<ResultCode> {
        match self {
            Failure::Call(e) => Some(e.code),
            Failure::Transport(_) | Failure::Login(_) => None,
        }
    }

    /// ClearML's "invalid task id" (400/101): the task does not exist.
    fn is_invalid_task(&self) -> bool {
        self.code() == Some(ResultCode::InvalidTaskId)
    }

    /// The server does not know the endpoint (a ClearML server without trove's extensions): any 404 envelope.
    fn is_unknown_endpoint(&self) -> bool {
        self.code().is_some_and(|c| c.http() == 404)
    }

    /// As the SDK reports it: `API call <endpoint> failed: 400/101: Invalid task id: …`.
    fn into_trove(self, endpoint: &str) -> TroveError {
        match self {
            Failure::Login(e) => e,
            other => api_err(endpoint, other.to_string()),
        }
    }
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

    fn url<C: Call>(&self) -> String {
        format!("{}{}", self.api, versioned_path(C::NAME))
    }

    async fn token(&self, refresh: bool) -> Result<String> {
        let mut slot = self.token.lock().await;
        if let Some((t, until)) = slot.as_ref()
            && !refresh
            && Instant::now() < *until
        {
            return Ok(t.clone());
        }
        let url = self.url::<AuthLogin>();
        let resp = self
            .http
            .post(&url)
            .basic_auth(&self.access_key, Some(&self.secret_key))
            .json(&LoginRequest::default())
            .send()
            .await
            .map_err(|e| api_err(AuthLogin::NAME, format!("cannot reach {url}: {e}")))?;
        let token = read_answer::<AuthLogin>(resp)
            .await
            .map_err(|f| f.into_trove(AuthLogin::NAME))?
            .token;
        if token.is_empty() {
            return Err(api_err(AuthLogin::NAME, "no token in the answer".into()));
        }
        // Refresh well before any sane expiry; the server is the judge (a 401 refreshes too).
        *slot = Some((token.clone(), Instant::now() + Duration::from_secs(600)));
        if let Ok(mut cur) = self.current.write() {
            *cur = Some(token.clone());
        }
        Ok(token)
    }

    /// Call `C` with `req` and return its typed answer; a failure keeps the server's result code.
    async fn try_call<C: Call>(
        &self,
        req: &C::Request,
    ) -> std::result::Result<C::Response, Failure> {
        let url = self.url::<C>();
        for attempt in 0..2 {
            let token = self.token(attempt > 0).await.map_err(Failure::Login)?;
            let resp = self
                .http
                .post(&url)
                .bearer_auth(&token)
                .json(req)
                .send()
                .await
                .map_err(|e| Failure::Transport(format!("cannot reach {url}: {e}")))?;
            if resp.status() == reqwest::StatusCode::UNAUTHORIZED && attempt == 0 {
                continue;
            }
            return read_answer::<C>(resp).await;
        }
        Err(Failure::Transport(
            "unauthorized: check access_key/secret_key".into(),
        ))
    }

    /// Call `C` with `req` and return its typed answer (`client.call::<TasksCreate>(&req)`).
    pub async fn call<C: Call>(&self, req: &C::Request) -> Result<C::Response> {
        self.try_call::<C>(req)
            .await
            .map_err(|f| f.into_trove(C::NAME))
    }

    fn task_info(t: &TaskDoc, project_name: String) -> TaskInfo {
        TaskInfo {
            id: t.id().unwrap_or_default().to_string(),
            name: t.name().unwrap_or_default().to_string(),
            project_id: t.project().unwrap_or_default().to_string(),
            project_name,
            status: t.status(),
            output_destination: t.output().destination,
        }
    }

    async fn project_name(&self, id: &str) -> Result<String> {
        let d = self
            .call::<ProjectsGetById>(&ProjectRef {
                project: id.to_string(),
            })
            .await?;
        Ok(d.project.name().unwrap_or_default().to_string())
    }

    /// The first project named exactly `name`, with these fields (`id` among them).
    async fn project_named(
        &self,
        name: &str,
        fields: &[&str],
        hidden: bool,
    ) -> Result<Option<ProjectDoc>> {
        let found = self
            .call::<ProjectsGetAll>(&ProjectsGetAllRequest {
                name: Some(exact(name)),
                only_fields: Some(strings(fields)),
                search_hidden: hidden,
                ..ProjectsGetAllRequest::default()
            })
            .await?;
        Ok(found.projects.into_iter().find(|p| p.id().is_some()))
    }
}

fn api_err(endpoint: &str, message: String) -> TroveError {
    TroveError::Api {
        endpoint: endpoint.to_string(),
        message,
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// Read an answer: the envelope's `data` as `C`'s response, or its failure.
async fn read_answer<C: Call>(
    resp: reqwest::Response,
) -> std::result::Result<C::Response, Failure> {
    let status = resp.status();
    let text = resp
        .text()
        .await
        .map_err(|e| Failure::Transport(e.to_string()))?;
    parse_answer::<C>(status, &text)
}

fn parse_answer<C: Call>(
    status: reqwest::StatusCode,
    text: &str,
) -> std::result::Result<C::Response, Failure> {
    let env: Envelope<Value> = serde_json::from_str(text).map_err(|_| {
        Failure::Transport(format!(
            "HTTP {status}, not a JSON envelope: {}",
            text.chars().take(200).collect::<String>()
        ))
    })?;
    if let Some(e) = env.meta.failure(status.as_u16()) {
        return Err(Failure::Call(e));
    }
    decode_response::<C>(env.data)
        .map_err(|e| Failure::Transport(format!("unexpected answer to {}: {e}", C::NAME)))
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
        let fields = ["id", "name", "default_output_destination"];
        let id_and_dest = |p: ProjectDoc| {
            let dest = p.default_output_destination().map(str::to_string);
            (p.id().unwrap_or_default().to_string(), dest)
        };
        // One listing answers both the id and the project's default destination; a project made here has none.
        let (id, default_output_destination) = match self.project_named(name, &fields, true).await?
        {
            Some(p) => id_and_dest(p),
            None => {
                let create = ProjectsCreateRequest {
                    name: name.to_string(),
                    description: Some(String::new()),
                    ..ProjectsCreateRequest::default()
                };
                match self.call::<ProjectsCreate>(&create).await {
                    Ok(d) => (d.id, None),
                    // Another process may have created it meanwhile; if not, the create error is the answer.
                    Err(e) => match self.project_named(name, &fields, true).await? {
                        Some(p) => id_and_dest(p),
                        None => return Err(e),
                    },
                }
            }
        };
        if id.is_empty() {
            return Err(api_err(ProjectsCreate::NAME, "no project id".into()));
        }
        Ok(ProjectInfo {
            id,
            name: name.to_string(),
            default_output_destination,
        })
    }

    async fn create_task(&self, project: &ProjectInfo, name: &str) -> Result<TaskInfo> {
        let req = TasksCreateRequest {
            name: name.to_string(),
            project: project.id.clone(),
            kind: Some("training".into()),
            fields: TaskFields {
                system_tags: Some(Value::from(vec!["development"])),
                comment: Some(Value::from("Created by the trove Rust SDK")),
                ..TaskFields::default()
            },
            ..TasksCreateRequest::default()
        };
        let id = self.call::<TasksCreate>(&req).await?.id;
        if id.is_empty() {
            return Err(api_err(TasksCreate::NAME, "no task id".into()));
        }
        let started = StatusChangeRequest {
            task: id.clone(),
            force: true,
            ..StatusChangeRequest::default()
        };
        self.call::<TasksStarted>(&started).await?;
        self.get_task(&id)
            .await?
            .ok_or(TroveError::TaskNotFound(id))
    }

    async fn get_task(&self, id: &str) -> Result<Option<TaskInfo>> {
        let d = match self.try_call::<TasksGetById>(&TaskRef::new(id)).await {
            Ok(d) => d,
            // Only "invalid task id" means there is no such task; anything else (a wrong api_server
            // answering 404, a validation error) is an error the caller must see.
            Err(f) if f.is_invalid_task() => return Ok(None),
            Err(f) => return Err(f.into_trove(TasksGetById::NAME)),
        };
        let pname = self
            .project_name(d.task.project().unwrap_or_default())
            .await
            .unwrap_or_default();
        Ok(Some(Self::task_info(&d.task, pname)))
    }

    async fn find_task(&self, project: &str, name: &str) -> Result<Option<TaskInfo>> {
        let Some(pid) = self
            .project_named(project, &["id"], false)
            .await?
            .and_then(|p| p.id().map(str::to_string))
        else {
            return Ok(None);
        };
        let query = TasksGetAllRequest {
            project: Some(vec![pid]),
            name: Some(exact(name)),
            order_by: Some(strings(&["-last_update"])),
            only_fields: Some(strings(&[
                "id",
                "name",
                "project",
                "status",
                "output",
                "last_update",
            ])),
            ..TasksGetAllRequest::default()
        };
        let tasks = self.call::<TasksGetAll>(&query).await?;
        Ok(tasks
            .tasks
            .first()
            .map(|t| Self::task_info(t, project.to_string())))
    }

    async fn set_output_destination(
        &self,
        task: &str,
        uri: &str,
        source: DestinationSource,
    ) -> Result<()> {
        let dest = TasksEditRequest {
            task: task.to_string(),
            force: true,
            output_dest: Some(Value::from(uri)),
            ..TasksEditRequest::default()
        };
        self.call::<TasksEdit>(&dest).await?;
        // Which precedence level chose it, for the web UI: trove servers keep `output` as sent; ClearML's
        // tasks.edit has no such field, so a refusal only loses this label.
        let labelled = TasksEditRequest {
            task: task.to_string(),
            force: true,
            fields: TaskFields {
                output: Some(Value::Object(TaskOutput::chosen(uri, source).to_object())),
                ..TaskFields::default()
            },
            ..TasksEditRequest::default()
        };
        if let Err(e) = self.try_call::<TasksEdit>(&labelled).await {
            tracing::debug!(task, error = %e, "server did not record output.destination_source");
        }
        Ok(())
    }

    async fn set_status(&self, task: &str, status: TaskStatus, reason: &str) -> Result<()> {
        let req = StatusChangeRequest::forced(task, reason);
        match status {
            TaskStatus::Completed => self.call::<TasksCompleted>(&req).await.map(drop),
            TaskStatus::Failed => self.call::<TasksFailed>(&req).await.map(drop),
            TaskStatus::Stopped => self.call::<TasksStopped>(&req).await.map(drop),
            TaskStatus::InProgress => self.call::<TasksStarted>(&req).await.map(drop),
            other => Err(api_err(
                "tasks.status",
                format!("cannot set status {other} from the SDK"),
            )),
        }
    }

    async fn upsert_artifacts(&self, task: &str, records: &[ArtifactRecord]) -> Result<()> {
        let req = AddOrUpdateArtifactsRequest {
            task: task.to_string(),
            artifacts: Some(records.to_vec()),
            force: true,
        };
        self.call::<TasksAddOrUpdateArtifacts>(&req).await?;
        Ok(())
    }

    async fn list_artifacts(&self, task: &str) -> Result<Vec<ArtifactRecord>> {
        let d = self.call::<TasksGetById>(&TaskRef::new(task)).await?;
        d.task
            .artifacts()
            .map_err(|e| api_err(TasksGetById::NAME, format!("bad artifact list: {e}")))
    }

    async fn delete_artifacts(&self, task: &str, keys: &[String]) -> Result<Vec<ArtifactRecord>> {
        let before = self.list_artifacts(task).await?;
        let req = DeleteArtifactsRequest {
            task: task.to_string(),
            artifacts: keys.iter().map(|k| ArtifactId::output(k)).collect(),
            force: true,
            ..DeleteArtifactsRequest::default()
        };
        self.call::<TasksDeleteArtifacts>(&req).await?;
        Ok(before
            .into_iter()
            .filter(|r| keys.contains(&r.key))
            .collect())
    }

    async fn add_version(&self, task: &str, key: &str, version: &ArtifactVersion) -> Result<()> {
        let req = AddArtifactVersionRequest {
            task: task.to_string(),
            key: key.to_string(),
            version: Some(version.clone()),
        };
        match self.try_call::<TasksAddArtifactVersion>(&req).await {
            Ok(_) => Ok(()),
            // A ClearML server keeps no version history: the record (the newest version) is still
            // upserted by the caller, so registered artifacts keep working there.
            Err(f) if f.is_unknown_endpoint() => {
                tracing::warn!(%task, %key, version = version.version,
                    "the server keeps no artifact versions (no tasks.add_artifact_version); only the newest is kept");
                Ok(())
            }
            Err(f) => Err(f.into_trove(TasksAddArtifactVersion::NAME)),
        }
    }

    async fn list_versions(&self, task: &str, key: &str) -> Result<Vec<ArtifactVersion>> {
        let req = ArtifactRef {
            task: task.to_string(),
            key: key.to_string(),
        };
        match self.try_call::<TasksGetArtifactVersions>(&req).await {
            Ok(d) => Ok(d.versions),
            // A ClearML server keeps no version history (see `add_version`).
            Err(f) if f.is_unknown_endpoint() => Ok(Vec::new()),
            Err(f) => Err(f.into_trove(TasksGetArtifactVersions::NAME)),
        }
    }
}

#[cfg(test)]
mod tests;
