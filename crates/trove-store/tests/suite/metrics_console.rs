//! `MetricStore`: console navigation, deletions, reset, and the migration's backfill of events written before it.

use super::metrics::{last_iteration, log, scalar, write};
use super::{Env, task};
use serde_json::json;
use trove_store::StoreError;
use trove_store::metrics::{LogDeletion, LogQuery, MetricFilter, NewEvent, ScalarAxis};

pub async fn metrics_console(env: Env) {
    let s = &env.store;
    let t = task(s, "m", "console").await;
    // Ten lines a second apart, plus two sharing the timestamp of line 4.
    let mut lines: Vec<NewEvent> = (0..10)
        .map(|i| log(&t.id, 1000 * i, &format!("l{i}"), ""))
        .collect();
    lines.push(log(&t.id, 4000, "l4b", "m"));
    lines.push(log(&t.id, 4000, "l4c", "m"));
    write(s, lines, &[]).await;
    let msgs = |evs: &[trove_store::metrics::StoredEvent]| {
        evs.iter()
            .map(|e| e.body["msg"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    let q = LogQuery {
        task: t.id.clone(),
        earlier: true,
        limit: 3,
        ..Default::default()
    };
    let page = s.log_events(&q).await.unwrap();
    assert_eq!(msgs(&page), ["l9", "l8", "l7"]);
    let page = s
        .log_events(&LogQuery {
            from_timestamp: Some(7000),
            limit: 2,
            ..q.clone()
        })
        .await
        .unwrap();
    assert_eq!(msgs(&page), ["l6", "l5"]);
    let page = s
        .log_events(&LogQuery {
            from_timestamp: Some(5000),
            limit: 1,
            ..q.clone()
        })
        .await
        .unwrap();
    assert_eq!(
        msgs(&page),
        ["l4c", "l4b", "l4"],
        "every line of the boundary timestamp"
    );
    let later = LogQuery {
        earlier: false,
        from_timestamp: Some(4000),
        limit: 2,
        ..q.clone()
    };
    assert_eq!(msgs(&s.log_events(&later).await.unwrap()), ["l5", "l6"]);
    let oldest = LogQuery {
        earlier: false,
        from_timestamp: None,
        limit: 2,
        ..q.clone()
    };
    assert_eq!(msgs(&s.log_events(&oldest).await.unwrap()), ["l0", "l1"]);
    let m = LogQuery {
        metrics: vec![MetricFilter {
            metric: "m".into(),
            variants: vec![],
        }],
        limit: 10,
        ..q.clone()
    };
    assert_eq!(msgs(&s.log_events(&m).await.unwrap()), ["l4c", "l4b"]);

    let del = |before, include: &[&str], exclude: &[&str]| LogDeletion {
        task: t.id.clone(),
        before_timestamp: before,
        include_metrics: include.iter().map(|s| s.to_string()).collect(),
        exclude_metrics: exclude.iter().map(|s| s.to_string()).collect(),
    };
    assert_eq!(
        s.delete_log_events(&del(Some(2000), &[], &[]))
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        s.delete_log_events(&del(None, &[], &["m"])).await.unwrap(),
        8
    );
    assert_eq!(
        s.count_matching_events(&t.id, Some("log"), &[])
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        s.delete_log_events(&del(None, &["m"], &[])).await.unwrap(),
        2
    );

    // Reset: events and last_metrics gone, last_iteration 0; delete_task_events keeps last_metrics.
    write(
        s,
        vec![scalar(&t.id, 7, "a", "b", 1.0), log(&t.id, 1, "x", "")],
        &[(&t.id, 7)],
    )
    .await;
    assert_eq!(s.delete_task_events(&t.id).await.unwrap(), 2);
    assert_eq!(
        s.last_metrics(std::slice::from_ref(&t.id)).await.unwrap()[&t.id].len(),
        1
    );
    write(s, vec![scalar(&t.id, 8, "a", "b", 1.0)], &[(&t.id, 8)]).await;
    assert_eq!(last_iteration(s, &t.id).await, json!(8));
    assert_eq!(s.reset_task_metrics(&t.id).await.unwrap(), 1);
    assert!(
        s.last_metrics(std::slice::from_ref(&t.id))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(last_iteration(s, &t.id).await, json!(0));
    assert_eq!(s.count_matching_events(&t.id, None, &[]).await.unwrap(), 0);
    let r = s.reset_task_metrics("missing").await;
    assert!(
        matches!(r, Err(StoreError::NotFound { what: "task", .. })),
        "{r:?}"
    );
}

/// Events written before migration 3 (only a body) get their metric, variant and value columns from it.
pub async fn metrics_migration_backfill(env: Env) {
    let s = &env.store;
    let t = task(s, "m", "old events").await;
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&env.url).await.unwrap();
    for stmt in [
        "DROP INDEX events_by_key",
        "DROP INDEX events_by_metric",
        "DROP INDEX events_by_iter",
        "DROP INDEX events_by_time",
        "DROP TABLE task_last_metrics",
        "ALTER TABLE events DROP COLUMN metric",
        "ALTER TABLE events DROP COLUMN variant",
        "ALTER TABLE events DROP COLUMN value",
        "ALTER TABLE events DROP COLUMN event_key",
        "DELETE FROM trove_schema WHERE version = 3",
    ] {
        sqlx::query(stmt).execute(&pool).await.unwrap();
    }
    let rows = [
        (
            "training_stats_scalar",
            Some(1_i64),
            json!({"metric": "loss", "variant": "train", "value": 0.5, "iter": 1}),
        ),
        (
            "training_stats_scalar",
            Some(2),
            json!({"metric": "loss", "variant": "train", "value": 2, "iter": 2}),
        ),
        (
            "training_stats_scalar",
            Some(3),
            json!({"metric": "loss", "variant": "train", "value": "NaN"}),
        ),
        ("log", None, json!({"msg": "hi", "metric": 7})),
        ("log", None, json!("not an object")),
    ];
    for (kind, iter, body) in rows {
        sqlx::query(
            "INSERT INTO events (task, kind, timestamp, iter, body) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(t.id.clone())
        .bind(kind)
        .bind(1_i64)
        .bind(iter)
        .bind(body.to_string())
        .execute(&pool)
        .await
        .unwrap();
    }
    pool.close().await;
    let again = trove_store::open(&env.url).await.unwrap();
    let h = again
        .scalar_histogram(&t.id, ScalarAxis::Iter, 100, &[])
        .await
        .unwrap();
    assert_eq!(h.len(), 1);
    assert_eq!(
        (h[0].metric.as_str(), h[0].variant.as_str()),
        ("loss", "train")
    );
    assert_eq!(
        h[0].points,
        [(1, 0.5), (2, 2.0)],
        "a non-numeric value is left out"
    );
    let m = [MetricFilter {
        metric: "7".into(),
        variants: vec![],
    }];
    assert_eq!(
        again
            .count_matching_events(&t.id, Some("log"), &m)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        again.count_matching_events(&t.id, None, &[]).await.unwrap(),
        5
    );
    // Keys are new: old events are kept, and new ones can be keyed.
    write(&again, vec![scalar(&t.id, 1, "loss", "train", 9.0)], &[]).await;
    write(&again, vec![scalar(&t.id, 1, "loss", "train", 8.0)], &[]).await;
    assert_eq!(
        again.count_matching_events(&t.id, None, &[]).await.unwrap(),
        6
    );
}
