//! Events, credentials, settings, migrations.

use super::{Env, rec, task};
use serde_json::json;
use std::time::Instant;
use trove_store::{Event, StoreError};

pub async fn events_batch_and_order(env: Env) {
    let s = &env.store;
    let t = task(s, "ev", "t").await;
    let other = task(s, "ev", "other").await;
    let events: Vec<Event> = (0..10_000)
        .map(|i| Event {
            task: t.id.clone(),
            kind: if i % 10 == 0 {
                "training_stats_scalar".into()
            } else {
                "log".into()
            },
            timestamp: 1_700_000_000_000 + (10_000 - i), // deliberately not increasing: order is insertion
            iter: (i % 3 != 0).then_some(i / 10),
            body: json!({"msg": format!("line {i}"), "n": i, "nested": {"x": [1, 2]}}),
        })
        .collect();
    let t0 = Instant::now();
    assert_eq!(s.add_events(&events).await.unwrap(), 10_000);
    let took = t0.elapsed();
    eprintln!("[{}] stored 10,000 events in {took:?}", s.engine());
    assert!(took.as_secs_f64() < 10.0, "batch insert too slow: {took:?}");
    let all = s.list_events(&t.id, None, 0, 0).await.unwrap();
    assert_eq!(all, events, "every field round-trips, in insertion order");
    let scalars = s
        .list_events(&t.id, Some("training_stats_scalar"), 0, 0)
        .await
        .unwrap();
    assert_eq!(scalars.len(), 1000);
    assert!(scalars.iter().all(|e| e.kind == "training_stats_scalar"));
    assert_eq!(scalars[1].body["n"], json!(10));
    let page = s.list_events(&t.id, Some("log"), 5, 3).await.unwrap();
    assert_eq!(
        page.iter()
            .map(|e| e.body["n"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        vec![6, 7, 8]
    );
    assert!(
        s.list_events(&other.id, None, 0, 0)
            .await
            .unwrap()
            .is_empty()
    );
    // Appending continues the order.
    let more = Event {
        task: t.id.clone(),
        kind: "log".into(),
        timestamp: 0,
        iter: None,
        body: json!("last"),
    };
    s.add_events(std::slice::from_ref(&more)).await.unwrap();
    let tail = s.list_events(&t.id, None, 10_000, 10).await.unwrap();
    assert_eq!(tail, vec![more]);
    assert_eq!(s.add_events(&[]).await.unwrap(), 0);
    // A batch naming a missing task stores nothing.
    let bad = vec![
        Event {
            task: other.id.clone(),
            kind: "log".into(),
            timestamp: 1,
            iter: None,
            body: json!(1),
        },
        Event {
            task: "missing".into(),
            kind: "log".into(),
            timestamp: 1,
            iter: None,
            body: json!(2),
        },
    ];
    let r = s.add_events(&bad).await;
    assert!(
        matches!(r, Err(StoreError::NotFound { what: "task", ref id }) if id == "missing"),
        "{r:?}"
    );
    assert!(
        s.list_events(&other.id, None, 0, 0)
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn credentials_lifecycle(env: Env) {
    let s = &env.store;
    assert!(s.list_credentials().await.unwrap().is_empty());
    s.add_credentials("AK1", "hash1").await.unwrap();
    s.add_credentials("AK2", "hash2").await.unwrap();
    let r = s.add_credentials("AK1", "other").await;
    assert!(
        matches!(r, Err(StoreError::Conflict { what: "credentials", ref name }) if name == "AK1"),
        "{r:?}"
    );
    let c = s.get_credentials("AK1").await.unwrap().unwrap();
    assert_eq!(
        (c.access_key.as_str(), c.secret_hash.as_str(), c.revoked),
        ("AK1", "hash1", false)
    );
    assert!(c.created > 0);
    assert!(s.get_credentials("nope").await.unwrap().is_none());
    assert!(s.revoke_credentials("AK1").await.unwrap());
    assert!(!s.revoke_credentials("nope").await.unwrap());
    assert!(
        s.get_credentials("AK1").await.unwrap().is_none(),
        "revoked keys are refused"
    );
    let list = s.list_credentials().await.unwrap();
    assert_eq!(
        list.iter()
            .map(|c| (c.access_key.as_str(), c.revoked))
            .collect::<Vec<_>>(),
        vec![("AK1", true), ("AK2", false)]
    );
    assert_eq!(
        s.get_credentials("AK2").await.unwrap().unwrap().secret_hash,
        "hash2"
    );
}

pub async fn settings_init_race(env: Env) {
    let s = &env.store;
    assert_eq!(s.get_setting("jwt").await.unwrap(), None);
    assert_eq!(s.init_setting("jwt", "first").await.unwrap(), "first");
    assert_eq!(s.init_setting("jwt", "second").await.unwrap(), "first");
    assert_eq!(
        s.get_setting("jwt").await.unwrap().as_deref(),
        Some("first")
    );
    let mut handles = Vec::new();
    for i in 0..12 {
        let s = if i % 3 == 0 {
            trove_store::open(&env.url).await.unwrap()
        } else {
            s.clone()
        };
        handles.push(tokio::spawn(async move {
            s.init_setting("raced", &format!("v{i}")).await.unwrap()
        }));
    }
    let mut values = Vec::new();
    for h in handles {
        values.push(h.await.unwrap());
    }
    let stored = s.get_setting("raced").await.unwrap().unwrap();
    assert!(
        values.iter().all(|v| *v == stored),
        "all racers agree: {values:?}"
    );
}

pub async fn migrations_idempotent(env: Env) {
    let t = task(&env.store, "mig", "t").await;
    env.store
        .upsert_artifacts(&t.id, &[rec("a", "custom", "u")])
        .await
        .unwrap();
    for _ in 0..2 {
        let again = trove_store::open(&env.url).await.unwrap();
        assert_eq!(again.engine(), env.store.engine());
        assert_eq!(
            again.get_task(&t.id).await.unwrap().unwrap().name,
            "t",
            "data survives reopening"
        );
        assert_eq!(again.list_artifacts(&t.id).await.unwrap().len(), 1);
    }
    // Several openers at once on an already-migrated database.
    let mut handles = Vec::new();
    for _ in 0..4 {
        let url = env.url.clone();
        handles.push(tokio::spawn(async move {
            trove_store::open(&url).await.map(|s| s.engine())
        }));
    }
    for h in handles {
        h.await.unwrap().unwrap();
    }
}
