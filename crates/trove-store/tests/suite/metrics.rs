//! `MetricStore`: keyed writes, `last_metrics`, `last_iteration` and the readers (see also `metrics_console`).

use super::{Env, task};
use serde_json::{Value, json};
use trove_store::metrics::{
    EventBatch, EventCursor, EventQuery, MAX_LAST_METRICS, MetricFilter, NewEvent, SCALAR_KIND,
    SINGLE_VALUE_ITERATION, ScalarAxis, hash_name,
};
use trove_store::{SharedStore, StoreError};

/// An event of `kind`; keyed like clearml-server (any deterministic text will do here).
fn ev(task: &str, kind: &str, iter: Option<i64>, metric: &str, variant: &str) -> NewEvent {
    let key = (kind != "log").then(|| format!("{task}-{iter:?}-{metric}-{variant}"));
    NewEvent {
        task: task.into(),
        kind: kind.into(),
        timestamp: 1_700_000_000_000 + iter.unwrap_or(0),
        iter,
        metric: metric.into(),
        variant: variant.into(),
        value: None,
        key,
        x_axis_label: None,
        body: json!({"type": kind, "task": task, "iter": iter, "metric": metric, "variant": variant}),
    }
}

pub fn scalar(task: &str, iter: i64, metric: &str, variant: &str, value: f64) -> NewEvent {
    let mut e = ev(task, SCALAR_KIND, Some(iter), metric, variant);
    e.value = Some(value);
    e.body["value"] = json!(value);
    e
}

pub fn log(task: &str, ts: i64, msg: &str, metric: &str) -> NewEvent {
    let mut e = ev(task, "log", None, metric, "");
    e.timestamp = ts;
    e.body = json!({"type": "log", "msg": msg, "timestamp": ts, "metric": metric});
    e
}

pub async fn write(s: &SharedStore, events: Vec<NewEvent>, iterations: &[(&str, i64)]) -> usize {
    s.write_events(&EventBatch {
        events,
        iterations: iterations
            .iter()
            .map(|(t, i)| (t.to_string(), *i))
            .collect(),
    })
    .await
    .unwrap()
}

pub async fn last_iteration(s: &SharedStore, id: &str) -> Value {
    s.get_task(id).await.unwrap().unwrap().doc["last_iteration"].clone()
}

pub async fn metrics_write_rules(env: Env) {
    let s = &env.store;
    let t = task(s, "m", "writes").await;
    let other = task(s, "m", "other").await;
    let before = s.get_task(&t.id).await.unwrap().unwrap().last_update;
    // Two batches of 50 (clearml-server's test_last_scalar_metrics), the second also raising last_iteration.
    let batch = |r: std::ops::Range<i64>| {
        r.map(|i| scalar(&t.id, i, "loss", "train", i as f64))
            .collect()
    };
    assert_eq!(write(s, batch(0..50), &[(&t.id, 49)]).await, 50);
    assert_eq!(write(s, batch(50..100), &[(&t.id, 99)]).await, 50);
    let lm = s
        .last_metrics(&[t.id.clone(), other.id.clone()])
        .await
        .unwrap();
    assert!(
        !lm.contains_key(&other.id),
        "tasks without metrics are absent"
    );
    let m = &lm[&t.id];
    assert_eq!(m.len(), 1);
    let m = &m[0];
    assert_eq!((m.metric.as_str(), m.variant.as_str()), ("loss", "train"));
    assert_eq!((m.value, m.count, m.mean_value), (99.0, 100, 49.5));
    assert_eq!((m.min_value, m.min_value_iteration), (0.0, 0));
    assert_eq!((m.max_value, m.max_value_iteration), (99.0, 99));
    assert_eq!((m.first_value, m.first_value_iteration), (0.0, 0));
    assert_eq!(last_iteration(s, &t.id).await, json!(99));
    assert!(s.get_task(&t.id).await.unwrap().unwrap().last_update > before);

    // Same key again: the event is replaced, not appended; last_metrics counts it, value follows it.
    let mut again = scalar(&t.id, 10, "loss", "train", 1000.0);
    again.x_axis_label = Some("epoch".into());
    write(s, vec![again], &[(&t.id, 10)]).await;
    let q = |kind: &str| EventQuery {
        task: t.id.clone(),
        kind: Some(kind.into()),
        ..Default::default()
    };
    let all = s.scroll_events(&q(SCALAR_KIND)).await.unwrap();
    assert_eq!(all.len(), 100);
    assert_eq!(all[10].body["value"], json!(1000.0));
    assert_eq!(all[10].iter, Some(10));
    let m = &s.last_metrics(std::slice::from_ref(&t.id)).await.unwrap()[&t.id][0];
    assert_eq!(
        (m.value, m.max_value, m.max_value_iteration, m.count),
        (1000.0, 1000.0, 10, 101)
    );
    assert_eq!(m.x_axis_label.as_deref(), Some("epoch"));
    assert_eq!(last_iteration(s, &t.id).await, json!(99), "never lowered");

    // Keys are per kind: a plot with the scalar's key is another event. Log events are never keyed.
    let plot = ev(&t.id, "plot", Some(10), "loss", "train");
    assert_eq!(plot.key, scalar(&t.id, 10, "loss", "train", 0.0).key);
    write(
        s,
        vec![plot, log(&t.id, 5, "a", ""), log(&t.id, 5, "a", "")],
        &[],
    )
    .await;
    assert_eq!(s.scroll_events(&q("plot")).await.unwrap().len(), 1);
    assert_eq!(s.scroll_events(&q(SCALAR_KIND)).await.unwrap().len(), 100);
    assert_eq!(
        s.count_matching_events(&t.id, Some("log"), &[])
            .await
            .unwrap(),
        2
    );

    // Duplicate keys inside one batch: the last one is stored once; both count in last_metrics.
    let a = scalar(&other.id, 1, "acc", "", 1.0);
    let b = scalar(&other.id, 1, "acc", "", 3.0);
    write(s, vec![a, b], &[(&other.id, 1)]).await;
    let evs = s
        .scroll_events(&EventQuery {
            task: other.id.clone(),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(evs.len(), 1);
    assert_eq!(evs[0].body["value"], json!(3.0));
    let m = &s
        .last_metrics(std::slice::from_ref(&other.id))
        .await
        .unwrap()[&other.id][0];
    assert_eq!(
        (m.count, m.mean_value, m.value, m.min_value),
        (2, 2.0, 3.0, 1.0)
    );

    // Single values never raise last_iteration (the caller passes 0 at most) and are summarised too.
    write(
        s,
        vec![scalar(
            &other.id,
            SINGLE_VALUE_ITERATION,
            "Summary",
            "acc",
            0.5,
        )],
        &[],
    )
    .await;
    assert_eq!(last_iteration(s, &other.id).await, json!(1));
    let lm = &s
        .last_metrics(std::slice::from_ref(&other.id))
        .await
        .unwrap()[&other.id];
    assert_eq!(
        lm.iter().map(|m| m.metric.as_str()).collect::<Vec<_>>(),
        ["Summary", "acc"]
    );

    // A batch naming a missing task stores nothing at all.
    let r = s
        .write_events(&EventBatch {
            events: vec![
                scalar(&t.id, 500, "new", "x", 1.0),
                scalar("missing", 1, "x", "y", 1.0),
            ],
            iterations: [(t.id.clone(), 500)].into(),
        })
        .await;
    assert!(
        matches!(r, Err(StoreError::NotFound { what: "task", ref id }) if id == "missing"),
        "{r:?}"
    );
    assert_eq!(last_iteration(s, &t.id).await, json!(99));
    assert_eq!(
        s.last_metrics(std::slice::from_ref(&t.id)).await.unwrap()[&t.id].len(),
        1
    );
    assert_eq!(
        s.count_matching_events(&t.id, None, &[]).await.unwrap(),
        103
    );

    // At most MAX_LAST_METRICS pairs per task; existing pairs still update.
    let many: Vec<NewEvent> = (0..=MAX_LAST_METRICS as i64)
        .map(|i| scalar(&other.id, 2, "many", &format!("v{i:05}"), i as f64))
        .collect();
    write(s, many, &[]).await;
    let lm = &s
        .last_metrics(std::slice::from_ref(&other.id))
        .await
        .unwrap()[&other.id];
    assert_eq!(lm.len(), MAX_LAST_METRICS);
    write(s, vec![scalar(&other.id, 3, "acc", "", 7.0)], &[]).await;
    let lm = &s
        .last_metrics(std::slice::from_ref(&other.id))
        .await
        .unwrap()[&other.id];
    let acc = lm.iter().find(|m| m.metric == "acc").unwrap();
    assert_eq!(acc.value, 7.0);

    // Deleting the task deletes its summary.
    s.delete_task(&other.id).await.unwrap();
    assert!(
        s.last_metrics(std::slice::from_ref(&other.id))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(hash_name("loss"), "81513effdf5790b79549208838404407");
}

pub async fn metrics_reads(env: Env) {
    let s = &env.store;
    let t = task(s, "m", "reads").await;
    let mut events: Vec<NewEvent> = (0..100)
        .map(|i| scalar(&t.id, i, "m1", "v1", i as f64))
        .collect();
    events.push(scalar(&t.id, SINGLE_VALUE_ITERATION, "m1", "v1", -1.0));
    events.extend((0..3).map(|i| scalar(&t.id, i, "m2", "b", 2.0 * i as f64)));
    events.extend((0..3).map(|i| scalar(&t.id, -5 - i, "m2", "neg", 1.0)));
    write(s, events, &[]).await;

    let h = s
        .scalar_histogram(&t.id, ScalarAxis::Iter, 2000, &[])
        .await
        .unwrap();
    let names: Vec<_> = h
        .iter()
        .map(|h| (h.metric.as_str(), h.variant.as_str()))
        .collect();
    assert_eq!(names, [("m1", "v1"), ("m2", "b"), ("m2", "neg")]);
    assert_eq!(
        h[0].points.len(),
        100,
        "the single value is not in the histogram"
    );
    assert_eq!(h[0].points[0], (0, 0.0));
    assert_eq!(h[1].points, [(0, 0.0), (1, 2.0), (2, 4.0)]);
    let h = s
        .scalar_histogram(&t.id, ScalarAxis::Iter, 10, &[])
        .await
        .unwrap();
    let xs: Vec<i64> = h[0].points.iter().map(|p| p.0).collect();
    assert_eq!(xs, (0..10).map(|i| i * 10).collect::<Vec<_>>());
    assert_eq!(h[0].points[3].1, 34.5, "mean of 30..39");
    assert_eq!(
        h[1].points.len(),
        3,
        "fewer values than samples: one per key"
    );
    let h = s
        .scalar_histogram(&t.id, ScalarAxis::Iter, 2, &[])
        .await
        .unwrap();
    assert_eq!(
        h[2].points,
        [(-8, 1.0), (-6, 1.0)],
        "negative keys floor to their bucket"
    );
    let h = s
        .scalar_histogram(
            &t.id,
            ScalarAxis::Timestamp,
            2000,
            &[MetricFilter {
                metric: "m2".into(),
                variants: vec!["b".into()],
            }],
        )
        .await
        .unwrap();
    assert_eq!(h.len(), 1);
    assert_eq!(h[0].points[0], (1_700_000_000_000, 0.0));
    assert!(
        s.scalar_histogram("nothing", ScalarAxis::Iter, 10, &[])
            .await
            .unwrap()
            .is_empty()
    );

    let sv = s
        .single_values(std::slice::from_ref(&t.id), &[])
        .await
        .unwrap();
    assert_eq!(sv.len(), 1);
    assert_eq!(
        (sv[0].metric.as_str(), sv[0].variant.as_str(), sv[0].value),
        ("m1", "v1", -1.0)
    );
    let none = [MetricFilter {
        metric: "m2".into(),
        variants: vec![],
    }];
    assert!(
        s.single_values(std::slice::from_ref(&t.id), &none)
            .await
            .unwrap()
            .is_empty()
    );

    // Plots: the latest `iters` per (metric, variant), ascending by name, highest iteration first.
    let plots: Vec<NewEvent> = [(1, "A", "x"), (2, "B", "x"), (3, "B", "x"), (3, "C", "y")]
        .into_iter()
        .map(|(i, m, v)| {
            let mut e = ev(&t.id, "plot", Some(i), m, v);
            e.body["plot_str"] = json!(format!("{m}{i}"));
            e
        })
        .collect();
    write(s, plots, &[]).await;
    let strs = |evs: Vec<trove_store::metrics::StoredEvent>| {
        evs.iter()
            .map(|e| e.body["plot_str"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        strs(s.latest_plots(&t.id, 1, &[]).await.unwrap()),
        ["A1", "B3", "C3"]
    );
    assert_eq!(
        strs(s.latest_plots(&t.id, 5, &[]).await.unwrap()),
        ["A1", "B3", "B2", "C3"]
    );
    let only_b = [MetricFilter {
        metric: "B".into(),
        variants: vec![],
    }];
    assert_eq!(
        strs(s.latest_plots(&t.id, 5, &only_b).await.unwrap()),
        ["B3", "B2"]
    );

    // Scrolls by iteration: events without one come last, the cursor resumes exactly.
    let mut mixed = vec![log(&t.id, 1, "first", ""), log(&t.id, 2, "second", "")];
    mixed.push(ev(&t.id, "training_debug_image", Some(4), "img", "a"));
    write(s, mixed, &[]).await;
    let all = EventQuery {
        task: t.id.clone(),
        ..Default::default()
    };
    let every = s.scroll_events(&all).await.unwrap();
    assert_eq!(every.len(), 100 + 1 + 3 + 3 + 4 + 2 + 1);
    assert_eq!(every[0].iter, Some(SINGLE_VALUE_ITERATION));
    assert_eq!(
        every
            .iter()
            .rev()
            .take(2)
            .map(|e| e.iter)
            .collect::<Vec<_>>(),
        [None, None]
    );
    let mut paged = Vec::new();
    let mut after = None;
    loop {
        let page = s
            .scroll_events(&EventQuery {
                limit: 7,
                after,
                ..all.clone()
            })
            .await
            .unwrap();
        let Some(last) = page.last() else { break };
        after = Some(match last.iter {
            Some(iter) => EventCursor::Iter { iter, id: last.id },
            None => EventCursor::NoIter { id: last.id },
        });
        paged.extend(page);
    }
    assert_eq!(paged, every, "pages of 7 concatenate to the whole list");
    let desc = s
        .scroll_events(&EventQuery {
            descending: true,
            ..all.clone()
        })
        .await
        .unwrap();
    assert_eq!(desc[0].iter, Some(99));
    assert_eq!(desc[desc.len() - 3].iter, Some(SINGLE_VALUE_ITERATION));
    let imgs = EventQuery {
        kind: Some("training_debug_image".into()),
        ..all.clone()
    };
    assert_eq!(s.scroll_events(&imgs).await.unwrap().len(), 1);
    assert_eq!(
        s.count_matching_events(&t.id, Some(SCALAR_KIND), &none)
            .await
            .unwrap(),
        6
    );

    assert_eq!(
        s.metrics_and_variants(&t.id, SCALAR_KIND).await.unwrap(),
        [
            ("m1".to_string(), "v1".to_string()),
            ("m2".into(), "b".into()),
            ("m2".into(), "neg".into())
        ]
    );
    let latest = s.latest_scalars(&t.id).await.unwrap();
    let got: Vec<_> = latest
        .iter()
        .map(|l| (l.metric.as_str(), l.variant.as_str(), l.value))
        .collect();
    assert_eq!(
        got,
        [("m1", "v1", 99.0), ("m2", "b", 4.0), ("m2", "neg", 1.0)]
    );
    assert_eq!(s.max_event_iteration(&t.id).await.unwrap(), Some(99));
    assert_eq!(s.max_event_iteration("nothing").await.unwrap(), None);
}
