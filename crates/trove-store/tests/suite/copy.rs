//! `copy_store` (what `trove migrate` runs): fill a store with every kind of row, copy it into a fresh store of
//! another engine, and compare everything, including ids, timestamps, revoked keys and event order.

use super::{rec, to};
use serde_json::json;
use trove_core::{ArtifactVersion, TaskStatus};
use trove_store::metrics::{EventBatch, NewEvent};
use trove_store::{
    Event, MetadataStore, NewProject, NewTask, ProjectUpdate, SharedStore, TaskEdit, TaskQuery,
};

/// Fill `s` with projects (nested, with extras), tasks in several statuses, artifacts, versions, events,
/// models (one with model events), credentials (one revoked) and settings.
pub async fn fill(s: &SharedStore) {
    let mut extra = serde_json::Map::new();
    extra.insert("tags".into(), json!(["a", "b"]));
    let p = s
        .create_project(NewProject {
            name: "team/vision".into(),
            description: "desc ✓".into(),
            default_output_destination: Some("s3://bucket/out".into()),
            extra,
        })
        .await
        .unwrap();
    s.update_project(
        &p.id,
        ProjectUpdate {
            description: Some("changed".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let other = s.ensure_project("other").await.unwrap();
    for i in 0..25 {
        let mut doc = serde_json::Map::new();
        doc.insert("comment".into(), json!(format!("task {i}")));
        doc.insert(
            "script".into(),
            json!({"repository": "r", "entry_point": "x.py"}),
        );
        let t = s
            .create_task(NewTask {
                project: if i % 3 == 0 {
                    other.id.clone()
                } else {
                    p.id.clone()
                },
                name: format!("Task {i}"),
                kind: if i % 2 == 0 {
                    "training".into()
                } else {
                    "testing".into()
                },
                doc,
            })
            .await
            .unwrap();
        if i % 4 != 0 {
            s.set_status(&t.id, to(TaskStatus::InProgress))
                .await
                .unwrap();
        }
        if i % 4 == 1 {
            s.set_status(&t.id, to(TaskStatus::Completed))
                .await
                .unwrap();
        }
        let recs: Vec<_> = (0..(i % 5) * 3)
            .map(|k| rec(&format!("a{k}"), "custom", &format!("file:///x/{i}/{k}")))
            .collect();
        if !recs.is_empty() {
            s.upsert_artifacts(&t.id, &recs).await.unwrap();
        }
        if i % 5 == 2 {
            for v in 1..=3u32 {
                s.add_version(
                    &t.id,
                    "a0",
                    &ArtifactVersion {
                        version: v,
                        timestamp: 1_700_000_000 + i64::from(v),
                        hash: format!("h{v}"),
                        content_size: u64::from(v) * 10,
                        uri: format!("file:///v/{v}"),
                        data_hash: (v % 2 == 0).then(|| format!("d{v}")),
                    },
                )
                .await
                .unwrap();
            }
        }
        let events: Vec<Event> = (0..(i * 37) % 120)
            .map(|n| Event {
                task: t.id.clone(),
                kind: if n % 2 == 0 {
                    "log".into()
                } else {
                    "training_stats_scalar".into()
                },
                timestamp: 1_700_000_000_000 + n as i64,
                iter: (n % 3 != 0).then_some(n as i64),
                body: json!({"msg": format!("line {n}"), "n": n}),
            })
            .collect();
        s.add_events(&events).await.unwrap();
        // Keyed scalars with a last_metrics summary (the batch path of the API server).
        let scalars: Vec<NewEvent> = (0..i as i64)
            .map(|n| NewEvent {
                task: t.id.clone(),
                kind: "training_stats_scalar".into(),
                timestamp: 1_700_000_000_000 + n,
                iter: Some(n),
                metric: "loss".into(),
                variant: format!("v{}", n % 2),
                value: Some(n as f64 / 2.0),
                key: Some(format!("k{n}")),
                x_axis_label: (n == 1).then(|| "epochs".into()),
                body: json!({"value": n as f64 / 2.0, "n": n}),
            })
            .collect();
        s.write_events(&EventBatch {
            events: scalars,
            iterations: [(t.id.clone(), i as i64)].into(),
        })
        .await
        .unwrap();
        if i == 7 {
            s.edit_task(
                &t.id,
                TaskEdit {
                    name: Some("Renamed".into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        }
    }
    for i in 0..3 {
        let m = s
            .create_model(trove_store::NewModel {
                name: format!("model {i}"),
                project: Some(p.id.clone()),
                uri: format!("file:///w{i}.bin"),
                ready: i == 0,
                doc: json!({"tags": ["x"], "metadata": {"k": {"key": "k", "type": "str", "value": "v"}}})
                    .as_object()
                    .cloned()
                    .unwrap_or_default(),
                ..Default::default()
            })
            .await
            .unwrap();
        if i == 0 {
            // Model events, with their last metrics.
            let events = (0..2)
                .map(|it| super::metrics::scalar(&m.id, it, "model loss", "m", 1.0 + it as f64))
                .collect();
            let batch = EventBatch {
                events,
                iterations: [(m.id.clone(), 1)].into_iter().collect(),
            };
            s.write_events(&batch).await.unwrap();
        }
        if i == 1 {
            s.edit_model(
                &m.id,
                trove_store::ModelEdit {
                    add_system_tags: vec!["archived".into()],
                    touch: true,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        }
    }
    s.add_credentials("AK1", "hash1").await.unwrap();
    s.add_credentials("AK2", "hash2").await.unwrap();
    s.revoke_credentials("AK2").await.unwrap();
    s.init_setting("token_secret", "shhh").await.unwrap();
    s.init_setting("other", "v").await.unwrap();
}

/// Assert that `b` holds exactly what `a` holds.
pub async fn assert_same(a: &dyn MetadataStore, b: &dyn MetadataStore) {
    assert_eq!(
        a.list_projects().await.unwrap(),
        b.list_projects().await.unwrap()
    );
    let all = TaskQuery::default();
    let ta = a.query_tasks(&all).await.unwrap();
    assert_eq!(ta, b.query_tasks(&all).await.unwrap());
    assert!(!ta.is_empty());
    for t in &ta {
        let arts = a.list_artifacts(&t.id).await.unwrap();
        assert_eq!(
            arts,
            b.list_artifacts(&t.id).await.unwrap(),
            "task {}",
            t.id
        );
        for r in &arts {
            assert_eq!(
                a.list_versions(&t.id, &r.key).await.unwrap(),
                b.list_versions(&t.id, &r.key).await.unwrap()
            );
        }
        for kind in [None, Some("log")] {
            assert_eq!(
                a.list_events(&t.id, kind, 0, 0).await.unwrap(),
                b.list_events(&t.id, kind, 0, 0).await.unwrap()
            );
        }
        assert_eq!(
            a.export_events(&t.id, 0, 0).await.unwrap(),
            b.export_events(&t.id, 0, 0).await.unwrap(),
            "metric columns and keys are copied"
        );
        let ids = [t.id.clone()];
        assert_eq!(
            a.last_metrics(&ids).await.unwrap(),
            b.last_metrics(&ids).await.unwrap()
        );
    }
    assert_eq!(
        a.list_credentials().await.unwrap(),
        b.list_credentials().await.unwrap()
    );
    assert_eq!(
        a.list_settings().await.unwrap(),
        b.list_settings().await.unwrap()
    );
    let models = trove_store::ModelQuery::default();
    let ma = a.query_models(&models).await.unwrap();
    assert_eq!(ma, b.query_models(&models).await.unwrap());
    for m in &ma {
        assert_eq!(
            a.export_events(&m.id, 0, 0).await.unwrap(),
            b.export_events(&m.id, 0, 0).await.unwrap(),
            "model events are copied"
        );
        let ids = [m.id.clone()];
        assert_eq!(
            a.last_metrics(&ids).await.unwrap(),
            b.last_metrics(&ids).await.unwrap()
        );
    }
    // Searches that use derived columns work on the copy too.
    let q = TaskQuery {
        name_contains: Some("renamed".into()),
        ..Default::default()
    };
    assert_eq!(b.query_tasks(&q).await.unwrap().len(), 1);
}

/// Copy `from_url` (filled here) into the fresh store at `to_url`, check, then check that a second run copies
/// nothing and that the target keeps working (new tasks, versions after the copied ones).
pub async fn copy_everything(from_url: String, to_url: String) {
    let from = trove_store::open(&from_url).await.unwrap();
    fill(&from).await;
    let to_store = trove_store::open(&to_url).await.unwrap();
    assert!(
        trove_store::is_empty_store(to_store.as_ref())
            .await
            .unwrap()
    );
    let seen = std::sync::atomic::AtomicU64::new(0);
    let progress = |done: u64, total: u64| {
        assert!(done <= total);
        seen.store(done, std::sync::atomic::Ordering::Relaxed);
    };
    let report = trove_store::copy_store(from.as_ref(), to_store.as_ref(), &progress)
        .await
        .unwrap();
    assert_eq!(seen.load(std::sync::atomic::Ordering::Relaxed), 25);
    assert_eq!(report.tasks, 25);
    assert_eq!(report.projects, 3); // team, team/vision, other
    assert_eq!((report.credentials, report.settings), (2, 2));
    assert_eq!(report.versions, 15);
    assert_eq!(report.models, 3);
    let events: u64 = (0..25).map(|i| ((i * 37) % 120) as u64 + i as u64).sum();
    assert_eq!(report.events, events + 2, "the tasks' and model 0's events");
    assert_eq!(
        report.last_metrics,
        1 + 23 * 2 + 1,
        "one variant for task 1, two for the others but task 0, one for model 0"
    );
    assert!(
        !trove_store::is_empty_store(to_store.as_ref())
            .await
            .unwrap()
    );
    assert_same(from.as_ref(), to_store.as_ref()).await;

    // Idempotent: a second run adds nothing (events are not duplicated).
    let again = trove_store::copy_store(from.as_ref(), to_store.as_ref(), &|_, _| {})
        .await
        .unwrap();
    assert_eq!(
        (
            again.projects,
            again.tasks,
            again.versions,
            again.events,
            again.last_metrics,
            again.credentials,
            again.settings,
            again.models
        ),
        (0, 0, 0, 0, 0, 0, 0, 0)
    );
    assert_same(from.as_ref(), to_store.as_ref()).await;

    // The copy is a working store: the active key authenticates, the revoked one does not, new rows go on.
    assert!(to_store.get_credentials("AK1").await.unwrap().is_some());
    assert!(to_store.get_credentials("AK2").await.unwrap().is_none());
    let t = super::task(&to_store, "team/vision", "after").await;
    let versioned = from
        .query_tasks(&TaskQuery::default())
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.name == "Task 2")
        .unwrap();
    to_store
        .add_version(
            &versioned.id,
            "a0",
            &ArtifactVersion {
                version: 4,
                timestamp: 1,
                hash: "h4".into(),
                content_size: 1,
                uri: "file:///v/4".into(),
                data_hash: None,
            },
        )
        .await
        .unwrap();
    let vision = from.list_projects().await.unwrap();
    let vision = vision.iter().find(|p| p.name == "team/vision").unwrap();
    assert_eq!(t.project, vision.id);
}
