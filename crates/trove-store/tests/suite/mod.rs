//! The conformance suite: every test is an async fn taking an [`Env`] (a fresh store plus its URL, for tests
//! that open more handles). `tests/store.rs` runs each one against SQLite and PostgreSQL.

pub mod artifacts;
pub mod concurrency;
pub mod copy;
pub mod metrics;
pub mod metrics_console;
pub mod misc;
pub mod model_events;
pub mod models;
pub mod projects;
pub mod root_project;
pub mod scale;
pub mod tasks;

use trove_core::{ArtifactRecord, TaskStatus};
use trove_store::{NewTask, SharedStore, StatusChange, Task};

/// A fresh, migrated store and the URL it was opened from.
pub struct Env {
    pub url: String,
    pub store: SharedStore,
}

/// A task in a (new or existing) project.
pub async fn task(s: &SharedStore, project: &str, name: &str) -> Task {
    let p = s.ensure_project(project).await.unwrap();
    s.create_task(NewTask {
        project: p.id,
        name: name.into(),
        ..Default::default()
    })
    .await
    .unwrap()
}

/// A record with a few fields set.
pub fn rec(key: &str, kind: &str, uri: &str) -> ArtifactRecord {
    let mut r = ArtifactRecord::new(key, kind);
    r.uri = Some(uri.into());
    r.content_size = Some(42);
    r.hash = Some(format!("hash-{uri}"));
    r.timestamp = Some(1_700_000_000);
    r
}

/// A status change with no expectation.
pub fn to(status: TaskStatus) -> StatusChange {
    StatusChange {
        status,
        message: String::new(),
        reason: String::new(),
        expected: Vec::new(),
    }
}
