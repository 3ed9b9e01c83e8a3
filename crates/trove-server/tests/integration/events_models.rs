//! Model events: clearml-server's `test_task_events.py::test_model_events` ported (same calls and assertions
//! against a real in-process trove), plus trove's own checks of what it leaves implicit: readers refuse an id
//! that is not a model, a published model refuses events unless `allow_locked`, one id cannot be both a task
//! and a model in a batch, the id may come in `model`. (That deleting a model deletes its events is checked
//! in trove-store's conformance suite, `model_events`.)
//!
//! One difference from the original: it reads `first(first(last_metrics.values()).values())` and expects the
//! label of `Metric4/Variant4` there, which is MongoDB's key order. JSON objects here are ordered by key (the
//! md5 of the names), so every entry is checked for the values and for its own label.

use crate::clearml_api::{Api, task_event};
use serde_json::{Value, json};

async fn temp_model(api: &Api, ready: bool) -> String {
    let m = api
        .ok(
            "models.create",
            json!({"name": "test model events", "uri": "file:///a", "labels": {}, "ready": ready}),
        )
        .await;
    m["id"].as_str().unwrap().to_string()
}

fn model_scalar(model: &str, iteration: i64, metric_idx: i64, variant_idx: i64) -> Value {
    task_event(
        "training_stats_scalar",
        json!(model),
        iteration,
        json!({"metric": format!("Metric{metric_idx}"), "variant": format!("Variant{variant_idx}"),
            "value": iteration, "model_event": true,
            "x_axis_label": format!("Label_{metric_idx}_{variant_idx}")}),
    )
}

fn names(prefix: &str) -> Vec<String> {
    (0..5).map(|i| format!("{prefix}{i}")).collect()
}

#[tokio::test]
async fn test_model_events() {
    let api = Api::start().await;
    let model = temp_model(&api, false).await;

    // Task log events are not allowed.
    let log_event = task_event(
        "log",
        json!(model),
        0,
        json!({"msg": "This is a log message", "model_event": true}),
    );
    api.raises("events.add", log_event, (400, 131)).await;

    // A mixed batch.
    let mut events = Vec::new();
    for iteration in 0..2 {
        for metric_idx in 0..5 {
            for variant_idx in 0..5 {
                events.push(model_scalar(&model, iteration, metric_idx, variant_idx));
            }
        }
    }
    let task = api.temp_task("test model events").await;
    events.push(task_event(
        "log",
        json!(task),
        0,
        json!({"msg": "This is a log message", "metric": "Metric0", "variant": "Variant0",
            "allow_locked": true}),
    ));
    api.send_batch(&events).await.unwrap();

    let data = api
        .ok(
            "events.scalar_metrics_iter_histogram",
            json!({"task": model, "model_events": true}),
        )
        .await;
    let metrics: Vec<String> = data.as_object().unwrap().keys().cloned().collect();
    assert_eq!(metrics, names("Metric"));
    let metric_data = &data["Metric0"];
    let variants: Vec<String> = metric_data.as_object().unwrap().keys().cloned().collect();
    assert_eq!(variants, names("Variant"));
    let variant_data = &metric_data["Variant0"];
    assert_eq!(variant_data["x"], json!([0, 1]));
    assert_eq!(variant_data["y"], json!([0.0, 1.0]));
    assert_eq!(variant_data["x_axis_label"], "Label_0_0");

    let model_data = api
        .ok(
            "models.get_all_ex",
            json!({"id": [model], "only_fields": ["last_metrics", "last_iteration"]}),
        )
        .await["models"][0]
        .clone();
    assert_eq!(model_data["last_iteration"], 1);
    let mut entries = 0;
    for by_variant in model_data["last_metrics"].as_object().unwrap().values() {
        for metric_data in by_variant.as_object().unwrap().values() {
            entries += 1;
            assert_eq!(metric_data["value"], 1.0);
            assert_eq!(metric_data["max_value"], 1.0);
            assert_eq!(metric_data["max_value_iteration"], 1);
            assert_eq!(metric_data["min_value"], 0.0);
            assert_eq!(metric_data["min_value_iteration"], 0);
            let m = metric_data["metric"]
                .as_str()
                .unwrap()
                .trim_start_matches("Metric");
            let v = metric_data["variant"]
                .as_str()
                .unwrap()
                .trim_start_matches("Variant");
            assert_eq!(metric_data["x_axis_label"], json!(format!("Label_{m}_{v}")));
        }
    }
    assert_eq!(entries, 25);

    // _assert_log_events(task=task, expected_total=1)
    let log = api
        .ok(
            "events.get_task_log",
            json!({"task": task, "batch_size": 5}),
        )
        .await;
    assert_eq!(log["total"], 1);

    let metrics = api
        .ok(
            "events.get_multi_task_metrics",
            json!({"tasks": [model], "event_type": "training_stats_scalar", "model_events": true}),
        )
        .await["metrics"]
        .clone();
    let got: Vec<&str> = metrics
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["metric"].as_str().unwrap())
        .collect();
    assert_eq!(got, names("Metric"));
    for m in metrics.as_array().unwrap() {
        assert_eq!(m["variants"], json!(names("Variant")));
    }
    api.stop().await;
}

#[tokio::test]
async fn model_events_rules() {
    let api = Api::start().await;
    let model = temp_model(&api, false).await;
    let task = api.temp_task("model events rules").await;

    // Readers: a task id with model_events is not a model (400/201), a model id without it not a task (400/101).
    for (id, model_events, code) in [(&task, true, (400, 201)), (&model, false, (400, 101))] {
        api.raises(
            "events.scalar_metrics_iter_histogram",
            json!({"task": id, "model_events": model_events}),
            code,
        )
        .await;
    }
    api.raises(
        "events.get_task_metrics",
        json!({"tasks": [task], "event_type": "plot", "model_events": true}),
        (400, 201),
    )
    .await;

    // One id cannot be both a task's and a model's in one batch.
    let as_task = task_event(
        "training_stats_scalar",
        json!(model),
        0,
        json!({"metric": "m", "variant": "v", "value": 1}),
    );
    let err = api
        .send_batch(&[model_scalar(&model, 0, 0, 0), as_task])
        .await
        .unwrap_err();
    assert_eq!((err.0, err.1), (400, 12), "{:?}", err.2);

    // The id may come in `model` instead of `task`.
    let mut by_field = model_scalar("ignored", 3, 1, 1);
    by_field["model"] = json!(model);
    api.send(&by_field).await;
    let h = api
        .ok(
            "events.scalar_metrics_iter_histogram",
            json!({"task": model, "model_events": true}),
        )
        .await;
    assert_eq!(h["Metric1"]["Variant1"]["x"], json!([3]));

    // A published model refuses events unless allow_locked.
    let published = temp_model(&api, true).await;
    api.raises("events.add", model_scalar(&published, 0, 0, 0), (400, 131))
        .await;
    let mut allowed = model_scalar(&published, 0, 0, 0);
    allowed["allow_locked"] = json!(true);
    api.send(&allowed).await;

    api.stop().await;
}
