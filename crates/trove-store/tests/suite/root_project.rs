//! Migration 4's reserved root project (`ROOT_PROJECT`): tasks without a project, never listed or returned as
//! a project; `ProjectDeletion::delete_project`; copies keep root tasks.

use crate::suite::Env;
use trove_store::{NewTask, ROOT_PROJECT, StoreError, TaskEdit, TaskQuery};

pub async fn root_project_tasks(env: Env) {
    let s = env.store;
    assert!(
        s.list_projects().await.unwrap().is_empty(),
        "the root row is never listed"
    );
    assert!(s.get_project(ROOT_PROJECT).await.unwrap().is_none());
    assert!(trove_store::is_empty_store(s.as_ref()).await.unwrap());
    let t = s
        .create_task(NewTask {
            project: ROOT_PROJECT.into(),
            name: "rootless".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(t.project, ROOT_PROJECT);
    let q = TaskQuery {
        projects: Some(vec![ROOT_PROJECT.into()]),
        ..Default::default()
    };
    assert_eq!(s.query_tasks(&q).await.unwrap().len(), 1);
    // Into a project and back to the root.
    let p = s.ensure_project("somewhere").await.unwrap();
    let moved = s
        .edit_task(
            &t.id,
            TaskEdit {
                project: Some(p.id.clone()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(moved.project, p.id);
    // A project with tasks is not deleted; without them it is.
    match s.delete_project(&p.id).await {
        Err(StoreError::Conflict { .. }) => {}
        other => panic!("expected a conflict, got {other:?}"),
    }
    s.edit_task(
        &t.id,
        TaskEdit {
            project: Some(ROOT_PROJECT.into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    s.delete_project(&p.id).await.unwrap();
    assert!(s.get_project(&p.id).await.unwrap().is_none());
    assert_eq!(
        s.get_task(&t.id).await.unwrap().unwrap().project,
        ROOT_PROJECT
    );
    // The root row cannot be deleted, renamed or found by name.
    match s.delete_project(ROOT_PROJECT).await {
        Err(StoreError::NotFound { .. }) => {}
        other => panic!("expected not found, got {other:?}"),
    }
    assert!(
        s.update_project(ROOT_PROJECT, Default::default())
            .await
            .is_err()
    );
    let named = s.ensure_project("x").await.unwrap();
    assert_ne!(named.id, ROOT_PROJECT);
}

/// A store with a root task copies into a fresh one (whose migration made the root row).
pub async fn root_tasks_copy(env: Env) {
    let from = env.store;
    let t = from
        .create_task(NewTask {
            project: ROOT_PROJECT.into(),
            name: "rootless".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let to = trove_store::open(&format!("sqlite://{}/copy.db", dir.path().display()))
        .await
        .unwrap();
    trove_store::copy_store(from.as_ref(), to.as_ref(), &|_, _| {})
        .await
        .unwrap();
    let copied = to.get_task(&t.id).await.unwrap().unwrap();
    assert_eq!(copied.project, ROOT_PROJECT);
    assert!(to.list_projects().await.unwrap().is_empty());
}
