//! Tasks: create/get/edit, status changes and expectations, queries, deletion.

use super::{Env, rec, task, to};
use serde_json::json;
use trove_core::TaskStatus;
use trove_store::{Event, NewTask, StatusChange, StoreError, TaskEdit, TaskQuery};

pub async fn tasks_create_get_edit(env: Env) {
    let s = &env.store;
    let p = s.ensure_project("proj").await.unwrap();
    let mut doc = serde_json::Map::new();
    doc.insert("comment".into(), json!("hello"));
    doc.insert(
        "script".into(),
        json!({"repository": "r", "entry_point": "e.py"}),
    );
    let t = s
        .create_task(NewTask {
            project: p.id.clone(),
            name: "train".into(),
            kind: String::new(),
            doc: doc.clone(),
        })
        .await
        .unwrap();
    assert!(trove_core::ids::is_id(&t.id));
    assert_eq!(
        (t.kind.as_str(), t.status),
        ("training", TaskStatus::Created)
    );
    assert_eq!((t.started, t.completed), (None, None));
    assert_eq!(t.doc, doc);
    assert_eq!(s.get_task(&t.id).await.unwrap().unwrap(), t);
    assert!(s.get_task("nope").await.unwrap().is_none());

    let bad = s
        .create_task(NewTask {
            project: trove_core::new_id(),
            name: "x".into(),
            ..Default::default()
        })
        .await;
    assert!(
        matches!(
            bad,
            Err(StoreError::NotFound {
                what: "project",
                ..
            })
        ),
        "{bad:?}"
    );

    let p2 = s.ensure_project("proj2").await.unwrap();
    let mut edit = TaskEdit {
        name: Some("renamed".into()),
        project: Some(p2.id.clone()),
        kind: Some("testing".into()),
        ..Default::default()
    };
    edit.doc.insert("comment".into(), json!(null));
    edit.doc
        .insert("script".into(), json!({"repository": "r2"}));
    edit.doc.insert("runtime".into(), json!({"gpu": 1}));
    let e = s.edit_task(&t.id, edit).await.unwrap();
    assert_eq!(
        (e.name.as_str(), e.project.as_str(), e.kind.as_str()),
        ("renamed", p2.id.as_str(), "testing")
    );
    assert!(!e.doc.contains_key("comment"));
    assert_eq!(
        e.doc["script"],
        json!({"repository": "r2"}),
        "top-level fields are replaced, not merged"
    );
    assert_eq!(e.doc["runtime"], json!({"gpu": 1}));
    assert!(e.last_update > t.last_update);
    assert_eq!(s.get_task(&t.id).await.unwrap().unwrap(), e);

    let r = s
        .edit_task(
            &t.id,
            TaskEdit {
                project: Some(trove_core::new_id()),
                ..Default::default()
            },
        )
        .await;
    assert!(
        matches!(
            r,
            Err(StoreError::NotFound {
                what: "project",
                ..
            })
        ),
        "{r:?}"
    );
    assert_eq!(
        s.get_task(&t.id).await.unwrap().unwrap().project,
        p2.id,
        "failed edit changed nothing"
    );
    let r = s.edit_task("missing", TaskEdit::default()).await;
    assert!(
        matches!(r, Err(StoreError::NotFound { what: "task", .. })),
        "{r:?}"
    );
}

pub async fn tasks_status(env: Env) {
    let s = &env.store;
    let t = task(s, "p", "t").await;
    let expect = |status, expected: Vec<TaskStatus>| StatusChange {
        status,
        message: "msg".into(),
        reason: "why".into(),
        expected,
    };
    let bad = s
        .set_status(
            &t.id,
            expect(TaskStatus::Completed, vec![TaskStatus::InProgress]),
        )
        .await;
    match bad {
        Err(StoreError::InvalidStatus { expected, actual }) => {
            assert_eq!(expected, vec![TaskStatus::InProgress]);
            assert_eq!(actual, TaskStatus::Created);
        }
        other => panic!("expected InvalidStatus, got {other:?}"),
    }
    assert_eq!(
        s.get_task(&t.id).await.unwrap().unwrap(),
        t,
        "a refused change changes nothing"
    );

    let run = s
        .set_status(
            &t.id,
            expect(
                TaskStatus::InProgress,
                vec![TaskStatus::Created, TaskStatus::Queued],
            ),
        )
        .await
        .unwrap();
    assert_eq!(run.status, TaskStatus::InProgress);
    assert_eq!(
        (run.status_message.as_str(), run.status_reason.as_str()),
        ("msg", "why")
    );
    let started = run.started.expect("started set");
    assert!(run.completed.is_none());
    // Going in_progress again keeps the first start time.
    let again = s
        .set_status(&t.id, to(TaskStatus::InProgress))
        .await
        .unwrap();
    assert_eq!(again.started, Some(started));

    let done = s
        .set_status(
            &t.id,
            expect(TaskStatus::Completed, vec![TaskStatus::InProgress]),
        )
        .await
        .unwrap();
    assert_eq!(done.status, TaskStatus::Completed);
    assert!(done.completed.unwrap() >= started);
    assert_eq!(done.started, Some(started));
    assert_eq!(s.get_task(&t.id).await.unwrap().unwrap(), done);

    let publ = s
        .set_status(&t.id, to(TaskStatus::Published))
        .await
        .unwrap();
    assert_eq!(
        publ.completed, done.completed,
        "publishing keeps the completion time"
    );

    // Reset clears the times.
    let reset = s.set_status(&t.id, to(TaskStatus::Created)).await.unwrap();
    assert_eq!((reset.started, reset.completed), (None, None));
    for st in [TaskStatus::Failed, TaskStatus::Stopped] {
        let x = s.set_status(&t.id, to(st)).await.unwrap();
        assert!(x.completed.is_some());
        assert_eq!(x.status, st);
    }
    let r = s.set_status("missing", to(TaskStatus::Completed)).await;
    assert!(
        matches!(r, Err(StoreError::NotFound { what: "task", .. })),
        "{r:?}"
    );

    // Exactly one of many racing "stop if running" changes wins.
    s.set_status(&t.id, to(TaskStatus::InProgress))
        .await
        .unwrap();
    let mut handles = Vec::new();
    for _ in 0..10 {
        let (s, id) = (s.clone(), t.id.clone());
        handles.push(tokio::spawn(async move {
            s.set_status(
                &id,
                StatusChange {
                    expected: vec![TaskStatus::InProgress],
                    ..to(TaskStatus::Stopped)
                },
            )
            .await
            .is_ok()
        }));
    }
    let mut wins = 0;
    for h in handles {
        wins += h.await.unwrap() as usize;
    }
    assert_eq!(wins, 1);
}

pub async fn tasks_query(env: Env) {
    let s = &env.store;
    let pa = s.ensure_project("qa").await.unwrap();
    let pb = s.ensure_project("qb").await.unwrap();
    let mut ids = Vec::new();
    for (i, name) in [
        "Alpha run",
        "beta RUN",
        "gamma",
        "under_score",
        "per%cent",
        "alpha",
    ]
    .iter()
    .enumerate()
    {
        let project = if i % 2 == 0 { &pa.id } else { &pb.id };
        let t = s
            .create_task(NewTask {
                project: project.clone(),
                name: name.to_string(),
                ..Default::default()
            })
            .await;
        ids.push(t.unwrap().id);
    }
    s.set_status(&ids[2], to(TaskStatus::InProgress))
        .await
        .unwrap();
    s.set_status(&ids[3], to(TaskStatus::Completed))
        .await
        .unwrap();
    let names = |q: TaskQuery| {
        let s = s.clone();
        async move {
            let tasks = s.query_tasks(&q).await.unwrap();
            let total = s
                .count_tasks(&TaskQuery {
                    offset: 0,
                    limit: 0,
                    ..q.clone()
                })
                .await
                .unwrap();
            assert!(total as usize >= tasks.len());
            tasks.into_iter().map(|t| t.name).collect::<Vec<_>>()
        }
    };
    // Newest last_update first: the two status changes were last.
    let all = names(TaskQuery::default()).await;
    assert_eq!(
        all,
        vec![
            "under_score",
            "gamma",
            "alpha",
            "per%cent",
            "beta RUN",
            "Alpha run"
        ]
    );
    assert_eq!(s.count_tasks(&TaskQuery::default()).await.unwrap(), 6);
    let q = TaskQuery {
        projects: Some(vec![pa.id.clone()]),
        ..Default::default()
    };
    assert_eq!(
        names(q.clone()).await,
        vec!["gamma", "per%cent", "Alpha run"]
    );
    assert_eq!(s.count_tasks(&q).await.unwrap(), 3);
    let q = TaskQuery {
        statuses: Some(vec![TaskStatus::InProgress, TaskStatus::Completed]),
        ..Default::default()
    };
    assert_eq!(names(q).await, vec!["under_score", "gamma"]);
    let q = TaskQuery {
        name_contains: Some("RuN".into()),
        ..Default::default()
    };
    assert_eq!(names(q.clone()).await, vec!["beta RUN", "Alpha run"]);
    assert_eq!(s.count_tasks(&q).await.unwrap(), 2);
    // LIKE wildcards in the search text are literal.
    assert_eq!(
        names(TaskQuery {
            name_contains: Some("_".into()),
            ..Default::default()
        })
        .await,
        vec!["under_score"]
    );
    assert_eq!(
        names(TaskQuery {
            name_contains: Some("%".into()),
            ..Default::default()
        })
        .await,
        vec!["per%cent"]
    );
    assert_eq!(
        names(TaskQuery {
            name: Some("alpha".into()),
            ..Default::default()
        })
        .await,
        vec!["alpha"]
    );
    let q = TaskQuery {
        ids: Some(vec![ids[0].clone(), ids[5].clone(), "zzz".into()]),
        ..Default::default()
    };
    assert_eq!(names(q).await, vec!["alpha", "Alpha run"]);
    assert!(
        names(TaskQuery {
            ids: Some(vec![]),
            ..Default::default()
        })
        .await
        .is_empty()
    );
    assert_eq!(
        s.count_tasks(&TaskQuery {
            projects: Some(vec![]),
            ..Default::default()
        })
        .await
        .unwrap(),
        0
    );
    // Combined filters.
    let q = TaskQuery {
        projects: Some(vec![pa.id.clone()]),
        name_contains: Some("a".into()),
        statuses: Some(vec![TaskStatus::Created]),
        ..Default::default()
    };
    assert_eq!(names(q).await, vec!["Alpha run"]);
    // Paging.
    assert_eq!(
        names(TaskQuery {
            offset: 1,
            limit: 2,
            ..Default::default()
        })
        .await,
        vec!["gamma", "alpha"]
    );
    assert_eq!(
        names(TaskQuery {
            offset: 5,
            limit: 10,
            ..Default::default()
        })
        .await,
        vec!["Alpha run"]
    );
    assert!(
        names(TaskQuery {
            offset: 6,
            ..Default::default()
        })
        .await
        .is_empty()
    );
    assert_eq!(
        s.count_tasks(&TaskQuery {
            offset: 4,
            limit: 1,
            ..Default::default()
        })
        .await
        .unwrap(),
        6
    );
}

pub async fn tasks_delete(env: Env) {
    let s = &env.store;
    let t = task(s, "del", "t").await;
    let other = task(s, "del", "other").await;
    s.upsert_artifacts(&t.id, &[rec("b", "custom", "u2"), rec("a", "custom", "u1")])
        .await
        .unwrap();
    s.upsert_artifacts(&other.id, &[rec("a", "custom", "keep")])
        .await
        .unwrap();
    let v = trove_core::ArtifactVersion {
        version: 1,
        timestamp: 1,
        hash: "h".into(),
        content_size: 1,
        uri: "u".into(),
        data_hash: None,
    };
    s.add_version(&t.id, "a", &v).await.unwrap();
    s.add_version(&other.id, "a", &v).await.unwrap();
    let ev = |task: &str| Event {
        task: task.into(),
        kind: "log".into(),
        timestamp: 1,
        iter: None,
        body: json!({"msg": "x"}),
    };
    s.add_events(&[ev(&t.id), ev(&t.id), ev(&other.id)])
        .await
        .unwrap();

    let gone = s.delete_task(&t.id).await.unwrap();
    assert_eq!(
        gone.iter().map(|r| r.key.as_str()).collect::<Vec<_>>(),
        vec!["a", "b"]
    );
    assert_eq!(gone[0].uri.as_deref(), Some("u1"));
    assert!(s.get_task(&t.id).await.unwrap().is_none());
    assert!(s.list_artifacts(&t.id).await.unwrap().is_empty());
    assert!(s.list_versions(&t.id, "a").await.unwrap().is_empty());
    assert!(s.list_events(&t.id, None, 0, 0).await.unwrap().is_empty());
    // The other task is untouched.
    assert_eq!(s.list_artifacts(&other.id).await.unwrap().len(), 1);
    assert_eq!(s.list_versions(&other.id, "a").await.unwrap().len(), 1);
    assert_eq!(s.list_events(&other.id, None, 0, 0).await.unwrap().len(), 1);
    let again = s.delete_task(&t.id).await;
    assert!(
        matches!(again, Err(StoreError::NotFound { what: "task", .. })),
        "{again:?}"
    );
}
