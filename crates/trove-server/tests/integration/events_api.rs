//! clearml-server's `apiserver/tests/automated/test_task_events.py`, ported: the same calls and assertions
//! against a real in-process trove (temporary SQLite home). Each test keeps its original name. Differences
//! from the original: trove needs a project for `tasks.create` (a project named like the task is created
//! first), and `first(first(last_metrics.values()).values())` reads the first entry of the JSON object.
//! Tests of that file not ported (UI-only or model endpoints) are listed in the README of trove-server.

use crate::clearml_api::{Api, now_millis, task_event};
use serde_json::{Value, json};

pub const DEFAULT_TASK_NAME: &str = "test task events";

fn scalar(task: &str, iteration: i64, metric: &str, variant: Value, value: i64) -> Value {
    task_event(
        "training_stats_scalar",
        json!(task),
        iteration,
        json!({"metric": metric, "variant": variant, "value": value}),
    )
}

/// `first(first(task.last_metrics.values()).values())`.
fn first_last_metric(task: &Value) -> Value {
    let lm = task["last_metrics"]
        .as_object()
        .expect("last_metrics object");
    let by_variant = lm.values().next().expect("a metric").as_object().unwrap();
    by_variant.values().next().expect("a variant").clone()
}

const SPECIAL_ITERATION: i64 = -(1 << 31);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_task_single_value_metrics() {
    let api = Api::start().await;
    let (metric, variant, iter_count) = ("Metric1", "Variant1", 10);
    let task = api.temp_task(DEFAULT_TASK_NAME).await;
    let events: Vec<Value> = (0..iter_count)
        .map(|i| {
            scalar(
                &task,
                if i == 0 { SPECIAL_ITERATION } else { i },
                metric,
                json!(variant),
                i,
            )
        })
        .collect();
    api.send_batch(&events).await.unwrap();

    // special iteration is present in the events retrieval
    let metric_param = json!({"metric": metric, "variants": [variant]});
    let res = api
        .ok(
            "events.scalar_metrics_iter_raw",
            json!({"task": task, "batch_size": 100, "metric": metric_param, "count_total": true}),
        )
        .await;
    assert_eq!(res["returned"], json!(iter_count));
    assert_eq!(res["total"], json!(iter_count));
    let iters: Vec<i64> = (0..iter_count)
        .map(|x| if x == 0 { SPECIAL_ITERATION } else { x })
        .collect();
    assert_eq!(res["variants"][variant]["iter"], json!(iters));
    let ys: Vec<f64> = res["variants"][variant]["y"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_eq!(ys, (0..iter_count).map(|i| i as f64).collect::<Vec<_>>());

    // but not in the histogram
    let data = api
        .ok(
            "events.scalar_metrics_iter_histogram",
            json!({"task": task}),
        )
        .await;
    assert_eq!(
        data[metric][variant]["x"],
        json!((1..iter_count).collect::<Vec<_>>())
    );

    // new api
    let res = api
        .ok(
            "events.get_task_single_value_metrics",
            json!({"tasks": [task]}),
        )
        .await["tasks"]
        .clone();
    assert_eq!(res.as_array().unwrap().len(), 1);
    let data = &res[0];
    assert_eq!(data["task"], json!(task));
    assert_eq!(data["task_name"], json!(DEFAULT_TASK_NAME));
    assert_eq!(data["values"].as_array().unwrap().len(), 1);
    let value = &data["values"][0];
    assert_eq!(value["metric"], json!(metric));
    assert_eq!(value["variant"], json!(variant));
    assert_eq!(value["value"].as_f64(), Some(0.0));
    // test metrics parameter
    let res = api
        .ok(
            "events.get_task_single_value_metrics",
            json!({"tasks": [task], "metrics": [{"metric": metric, "variants": [variant]}]}),
        )
        .await;
    assert_eq!(res["tasks"].as_array().unwrap().len(), 1);
    let res = api
        .ok("events.get_task_single_value_metrics", json!({"tasks": [task], "metrics": [{"metric": "non_existing", "variants": [variant]}]}))
        .await;
    assert_eq!(res["tasks"].as_array().unwrap().len(), 0);

    // update is working
    let task_data = api.ok("tasks.get_by_id", json!({"task": task})).await["task"].clone();
    assert_eq!(
        first_last_metric(&task_data)["value"].as_f64(),
        Some((iter_count - 1) as f64)
    );
    let new_value = 1000;
    api.send(&scalar(
        &task,
        SPECIAL_ITERATION,
        metric,
        json!(variant),
        new_value,
    ))
    .await;

    let res = api
        .ok(
            "events.scalar_metrics_iter_raw",
            json!({"task": task, "batch_size": 100, "metric": metric_param, "count_total": true}),
        )
        .await;
    let ys: Vec<f64> = res["variants"][variant]["y"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    let expected: Vec<f64> = (0..iter_count)
        .map(|y| if y == 0 { new_value } else { y } as f64)
        .collect();
    assert_eq!(ys, expected);

    let task_data = api.ok("tasks.get_by_id", json!({"task": task})).await["task"].clone();
    assert_eq!(
        first_last_metric(&task_data)["value"].as_f64(),
        Some(new_value as f64)
    );

    let data = api
        .ok(
            "events.get_task_single_value_metrics",
            json!({"tasks": [task]}),
        )
        .await["tasks"][0]
        .clone();
    assert_eq!(data["task"], json!(task));
    assert_eq!(data["task_name"], json!(DEFAULT_TASK_NAME));
    assert_eq!(data["values"].as_array().unwrap().len(), 1);
    assert_eq!(data["values"][0]["value"].as_f64(), Some(new_value as f64));
    api.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_last_scalar_metrics() {
    let api = Api::start().await;
    let metric = "Metric1";
    for variant in [json!("Variant1"), Value::Null] {
        let iter_count = 100;
        let task = api.temp_task(DEFAULT_TASK_NAME).await;
        let events: Vec<Value> = (0..iter_count)
            .map(|i| scalar(&task, i, metric, variant.clone(), i))
            .collect();
        // send 2 batches to check the interaction with already stored db value
        // each batch contains multiple iterations
        api.send_batch(&events[..50]).await.unwrap();
        api.send_batch(&events[50..]).await.unwrap();

        let task_data = api.ok("tasks.get_by_id", json!({"task": task})).await["task"].clone();
        let metric_data = first_last_metric(&task_data);
        let f = |k: &str| {
            metric_data[k]
                .as_f64()
                .unwrap_or_else(|| panic!("{k}: {metric_data}"))
        };
        assert_eq!((iter_count - 1) as f64, f("value"));
        assert_eq!((iter_count - 1) as f64, f("max_value"));
        assert_eq!((iter_count - 1) as f64, f("max_value_iteration"));
        assert_eq!(0.0, f("min_value"));
        assert_eq!(0.0, f("min_value_iteration"));
        assert_eq!(0.0, f("first_value_iteration"));
        assert_eq!(0.0, f("first_value"));
        assert_eq!(iter_count as f64, f("count"));
        assert_eq!(
            (0..iter_count).sum::<i64>() as f64 / iter_count as f64,
            f("mean_value")
        );
        let res = api
            .ok(
                "events.get_task_latest_scalar_values",
                json!({"task": task}),
            )
            .await;
        assert_eq!(res["last_iter"], json!(iter_count - 1));
    }
    api.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_error_events() {
    let api = Api::start().await;
    let task = api.temp_task(DEFAULT_TASK_NAME).await;
    let mut events = vec![
        task_event("unknown type", json!(task), 1, json!({})),
        task_event("training_debug_image", Value::Null, 1, json!({})),
        task_event("training_debug_image", json!("Invalid task"), 1, json!({})),
    ];
    // failure if no events added
    let (code, sub, _) = api.send_batch(&events).await.unwrap_err();
    assert_eq!((code, sub), (400, 131), "EventsNotAdded");

    events.push(task_event(
        "training_debug_image",
        json!(task),
        1,
        json!({}),
    ));
    // success if at least one event added
    let res = api.send_batch(&events).await.unwrap();
    assert_eq!(res["added"], json!(1));
    assert_eq!(res["errors"], json!(3));
    assert_eq!(res["errors_info"].as_object().unwrap().len(), 3);
    let res = api
        .ok("events.get_task_events", json!({"task": task}))
        .await;
    assert_eq!(res["events"].as_array().unwrap().len(), 1);
    api.stop().await;
}

/// `_assert_log_events`: returns the first and last timestamps of the page.
async fn assert_log_events(
    api: &Api,
    task: &str,
    timestamp: Option<i64>,
    expected_total: i64,
    expected_page: i64,
    extra: Value,
) -> (Option<i64>, Option<i64>) {
    let batch_size = 5;
    let mut body = json!({"task": task, "batch_size": batch_size, "from_timestamp": timestamp});
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    let res = api.ok("events.get_task_log", body).await;
    assert_eq!(res["total"], json!(expected_total));
    let expected_events =
        0.max(batch_size - 0.max((expected_page + 1) * batch_size - expected_total));
    assert_eq!(res["returned"], json!(expected_events));
    let events = res["events"].as_array().unwrap();
    assert_eq!(events.len() as i64, expected_events);
    let unique: std::collections::HashSet<String> =
        events.iter().map(|e| e["iter"].to_string()).collect();
    assert_eq!(events.len(), unique.len());
    if !events.is_empty() {
        let ascending = extra.get("navigate_earlier") == Some(&json!(false))
            || extra.get("order") == Some(&json!("asc"));
        let ts: Vec<i64> = events
            .iter()
            .map(|e| e["timestamp"].as_i64().unwrap())
            .collect();
        assert!(
            ts.windows(2).all(|w| if ascending {
                w[0] <= w[1]
            } else {
                w[0] >= w[1]
            }),
            "{ts:?} ascending={ascending}"
        );
        return (ts.first().copied(), ts.last().copied());
    }
    (None, None)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_task_logs() {
    let api = Api::start().await;
    let task = api.temp_task(DEFAULT_TASK_NAME).await;
    let timestamp = now_millis();
    let events: Vec<Value> = (0..10)
        .map(|i| {
            task_event(
                "log",
                json!(task),
                i,
                json!({
                    "timestamp": timestamp + i * 1000,
                    "msg": format!("This is a log message from test task iter {i}"),
                }),
            )
        })
        .collect();
    api.send_batch(&events).await.unwrap();

    // test forward navigation
    let (mut ftime, mut ltime) = (None, None);
    for page in 0..2 {
        (ftime, ltime) = assert_log_events(&api, &task, ltime, 10, page, json!({})).await;
    }
    // test backwards navigation
    assert_log_events(
        &api,
        &task,
        ftime,
        10,
        0,
        json!({"navigate_earlier": false}),
    )
    .await;
    // test order
    assert_log_events(&api, &task, None, 10, 0, json!({"order": "asc"})).await;

    let (metric, variant) = ("metric", "variant");
    let events: Vec<Value> = (0..2)
        .map(|i| {
            task_event(
                "log",
                json!(task),
                i,
                json!({
                    "timestamp": timestamp + i * 1000,
                    "msg": format!("This is a log message from test task iter {i}"),
                    "metric": metric, "variant": variant,
                }),
            )
        })
        .collect();
    api.send_batch(&events).await.unwrap();
    let res = api.ok("events.get_task_log", json!({"task": task})).await;
    assert_eq!(res["total"], json!(12));
    let res = api
        .ok(
            "events.get_task_log",
            json!({"task": task, "metrics": [{"metric": metric}]}),
        )
        .await;
    assert_eq!(res["total"], json!(2));

    // test clear
    api.ok(
        "events.clear_task_log",
        json!({"task": task, "exclude_metrics": [metric]}),
    )
    .await;
    let res = api.ok("events.get_task_log", json!({"task": task})).await;
    assert_eq!(res["total"], json!(2));
    api.ok("events.clear_task_log", json!({"task": task})).await;
    let res = api.ok("events.get_task_log", json!({"task": task})).await;
    assert_eq!(res["total"], json!(0));
    api.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_task_metric_value_intervals_keys() {
    let api = Api::start().await;
    let (metric, variant, iter_count) = ("Metric1", "Variant1", 100);
    let task = api.temp_task(DEFAULT_TASK_NAME).await;
    let events: Vec<Value> = (0..iter_count)
        .map(|i| scalar(&task, i, metric, json!(variant), i))
        .collect();
    api.send_batch(&events).await.unwrap();
    for key in [None, Some("iter"), Some("timestamp"), Some("iso_time")] {
        let mut body = json!({"task": task});
        if let Some(k) = key {
            body["key"] = json!(k);
        }
        let data = api.ok("events.scalar_metrics_iter_histogram", body).await;
        assert!(data.get(metric).is_some(), "{key:?}: {data}");
        assert!(data[metric].get(variant).is_some(), "{key:?}");
        assert!(data[metric][variant].get("x").is_some(), "{key:?}");
        assert!(data[metric][variant].get("y").is_some(), "{key:?}");
    }
    api.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_task_metric_raw() {
    let api = Api::start().await;
    let (metric, variant, iter_count) = ("Metric1", "Variant1", 100);
    let task = api.temp_task(DEFAULT_TASK_NAME).await;
    let events: Vec<Value> = (0..iter_count)
        .map(|i| scalar(&task, i, metric, json!(variant), i))
        .collect();
    api.send_batch(&events).await.unwrap();

    let batch_size = 15;
    let metric_param = json!({"metric": metric, "variants": [variant]});
    let mut res = api
        .ok("events.scalar_metrics_iter_raw", json!({"task": task, "batch_size": batch_size, "metric": metric_param, "count_total": true}))
        .await;
    assert_eq!(res["total"], json!(events.len()));
    assert!(res["scroll_id"].as_str().is_some_and(|s| !s.is_empty()));
    let (mut res_iters, mut res_ys) = (Vec::new(), Vec::new());
    let mut calls = 0;
    while res["returned"].as_u64().unwrap() > 0 || calls > 10 {
        calls += 1;
        res_iters.extend(
            res["variants"][variant]["iter"]
                .as_array()
                .unwrap()
                .iter()
                .cloned(),
        );
        res_ys.extend(
            res["variants"][variant]["y"]
                .as_array()
                .unwrap()
                .iter()
                .cloned(),
        );
        let scroll_id = res["scroll_id"].clone();
        res = api
            .ok(
                "events.scalar_metrics_iter_raw",
                json!({"task": task, "metric": metric_param, "scroll_id": scroll_id}),
            )
            .await;
    }
    assert_eq!(calls, events.len() / batch_size + 1);
    assert_eq!(
        res_iters,
        events.iter().map(|e| e["iter"].clone()).collect::<Vec<_>>()
    );
    let ys: Vec<f64> = res_ys.iter().map(|v| v.as_f64().unwrap()).collect();
    assert_eq!(
        ys,
        events
            .iter()
            .map(|e| e["value"].as_f64().unwrap())
            .collect::<Vec<_>>()
    );
    api.stop().await;
}

/// `_assert_metrics_histogram`.
fn assert_metrics_histogram(data: &Value, iters: i64, samples: i64) {
    let interval = iters / samples;
    assert_eq!(data["x"].as_array().unwrap().len() as i64, samples);
    assert_eq!(data["y"].as_array().unwrap().len() as i64, samples);
    for curr in 0..samples {
        assert_eq!(data["x"][curr as usize], json!(curr * interval));
        let mean = (curr * interval..(curr + 1) * interval).sum::<i64>() as f64 / interval as f64;
        assert_eq!(data["y"][curr as usize].as_f64(), Some(mean));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_task_metric_value_intervals() {
    let api = Api::start().await;
    let (metric, variant, iter_count) = ("Metric1", "Variant1", 100);
    let task = api.temp_task(DEFAULT_TASK_NAME).await;
    let events: Vec<Value> = (0..iter_count)
        .map(|i| scalar(&task, i, metric, json!(variant), i))
        .collect();
    api.send_batch(&events).await.unwrap();

    let data = api
        .ok(
            "events.scalar_metrics_iter_histogram",
            json!({"task": task}),
        )
        .await;
    assert_metrics_histogram(&data[metric][variant], iter_count, 100);
    let data = api
        .ok(
            "events.scalar_metrics_iter_histogram",
            json!({"task": task, "samples": 100}),
        )
        .await;
    assert_metrics_histogram(&data[metric][variant], iter_count, 100);
    let data = api
        .ok(
            "events.scalar_metrics_iter_histogram",
            json!({"task": task, "samples": 10}),
        )
        .await;
    assert_metrics_histogram(&data[metric][variant], iter_count, 10);
    api.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_task_plots() {
    let api = Api::start().await;
    let task = api.temp_task(DEFAULT_TASK_NAME).await;
    let texts: Vec<&str> = (1..=8)
        .map(|i| {
            [
                "Th=0.1", "Th=0.2", "Th=0.3", "Th=0.4", "Th=0.5", "Th=0.6", "Th=0.7", "Th=0.8",
            ][i - 1]
        })
        .collect();
    let mut event = task_event("plot", json!(task), 0, json!({}));
    event["metric"] = json!("roc");
    event["plot_str"] = json!(json!({
        "data": [
            {"x": [0, 1, 2, 3, 4, 5, 6, 7, 8], "y": [0, 1, 2, 3, 4, 5, 6, 7, 8], "text": texts, "name": "class1"},
            {"x": [0, 1, 2, 3, 4, 5, 6, 7, 8], "y": [2.0, 3.0, 5.0, 8.2, 6.4, 7.5, 9.2, 8.1, 10.0], "text": texts, "name": "class2"},
        ],
        "layout": {"title": "ROC for iter 0", "xaxis": {"title": "my x axis"}, "yaxis": {"title": "my y axis"}},
    }).to_string());
    api.send(&event).await;

    let mut event1 = task_event("plot", json!(task), 100, json!({}));
    event1["metric"] = json!("confusion");
    let labels = ["lying", "sitting", "standing", "people", "backgroun"];
    event1["plot_str"] = json!(json!({
        "data": [{
            "y": labels, "x": labels,
            "z": [[758, 163, 0, 0, 23], [63, 858, 3, 0, 0], [0, 50, 188, 21, 35], [0, 22, 8, 40, 4], [12, 91, 26, 29, 368]],
            "type": "heatmap",
        }],
        "layout": {"title": "Confusion Matrix for iter 100", "xaxis": {"title": "Predicted value"}, "yaxis": {"title": "Real value"}},
    }).to_string());
    api.send(&event1).await;

    let plots = api.ok("events.get_task_plots", json!({"task": task})).await["plots"].clone();
    let sent: std::collections::BTreeSet<String> = [&event, &event1]
        .iter()
        .map(|e| e["plot_str"].as_str().unwrap().to_string())
        .collect();
    let got: std::collections::BTreeSet<String> = plots
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["plot_str"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(sent, got);

    api.ok("tasks.reset", json!({"task": task})).await;
    let plots = api.ok("events.get_task_plots", json!({"task": task})).await["plots"].clone();
    assert_eq!(plots.as_array().unwrap().len(), 0);
    api.stop().await;
}

/// A task and the event types reported per metric.
type TaskMetrics = (String, Vec<(&'static str, Vec<&'static str>)>);

/// `_assert_task_metrics(tasks, event_type)`.
async fn assert_task_metrics(api: &Api, tasks: &[TaskMetrics], event_type: &str) {
    let ids: Vec<&String> = tasks.iter().map(|(t, _)| t).collect();
    let res = api
        .ok(
            "events.get_task_metrics",
            json!({"tasks": ids, "event_type": event_type}),
        )
        .await;
    for (task, metrics) in tasks {
        let got: std::collections::BTreeSet<String> = res["metrics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|tm| tm["task"] == json!(task))
            .map(|tm| {
                tm["metrics"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|m| m.as_str().unwrap().to_string())
                    .collect()
            })
            .unwrap_or_default();
        let expected: std::collections::BTreeSet<String> = metrics
            .iter()
            .filter(|(_, types)| types.contains(&event_type))
            .map(|(m, _)| m.to_string())
            .collect();
        assert_eq!(got, expected, "{event_type}");
    }
}

/// `_assert_multitask_metrics(tasks, metrics, event_type)`.
async fn assert_multitask_metrics(
    api: &Api,
    tasks: &[&String],
    metrics: &[&str],
    event_type: Option<&str>,
) {
    let mut body = json!({"tasks": tasks});
    if let Some(t) = event_type {
        body["event_type"] = json!(t);
    }
    let res = api.ok("events.get_multi_task_metrics", body).await["metrics"].clone();
    let names: Vec<&str> = res
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["metric"].as_str().unwrap())
        .collect();
    assert_eq!(names, metrics);
    assert!(
        res.as_array()
            .unwrap()
            .iter()
            .all(|r| r["variants"] == json!(["Test variant"])),
        "{res}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_task_metrics() {
    let api = Api::start().await;
    let tasks = vec![
        (
            api.temp_task(DEFAULT_TASK_NAME).await,
            vec![
                ("Metric1", vec!["training_debug_image"]),
                ("Metric2", vec!["training_debug_image", "log"]),
            ],
        ),
        (
            api.temp_task(DEFAULT_TASK_NAME).await,
            vec![("Metric3", vec!["training_debug_image"])],
        ),
    ];
    let events: Vec<Value> = tasks
        .iter()
        .flat_map(|(task, metrics)| {
            metrics.iter().flat_map(move |(metric, types)| {
                types.iter().map(move |t| {
                    task_event(
                        t,
                        json!(task),
                        1,
                        json!({"metric": metric, "variant": "Test variant"}),
                    )
                })
            })
        })
        .collect();
    api.send_batch(&events).await.unwrap();
    assert_task_metrics(&api, &tasks, "training_debug_image").await;
    assert_task_metrics(&api, &tasks, "log").await;
    assert_task_metrics(&api, &tasks, "training_stats_scalar").await;

    let ids: Vec<&String> = tasks.iter().map(|(t, _)| t).collect();
    assert_multitask_metrics(&api, &ids, &["Metric1", "Metric2", "Metric3"], None).await;
    assert_multitask_metrics(
        &api,
        &ids,
        &["Metric1", "Metric2", "Metric3"],
        Some("training_debug_image"),
    )
    .await;
    assert_multitask_metrics(&api, &ids, &[], Some("plot")).await;
    api.stop().await;
}
