//! trove's `events.*` beyond the ported clearml-server tests: the write rules' error codes, locked
//! (published) tasks, monitor metrics, `last_metrics` in `tasks.get_by_id`/`get_all` projections, the scrolls
//! `Task.delete()` and `get_all_reported_scalars` run, the console as `get_reported_console_output(n)` reads
//! it, and the deleting endpoints.

use crate::clearml_api::{Api, task_event};
use serde_json::{Value, json};

fn msgs(res: &Value) -> Vec<String> {
    res["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["msg"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn write_rules_and_error_codes() {
    let api = Api::start().await;
    let task = api.temp_task("rules").await;
    // An empty batch is 400/17; an event without anything valid is 400/131 with the reasons as error data.
    let (code, sub, _) = api.send_batch(&[]).await.unwrap_err();
    assert_eq!((code, sub), (400, 17));
    let env = api
        .raises("events.add", json!({"task": task, "iter": 1}), (400, 131))
        .await;
    assert_eq!(
        env["meta"]["error_data"],
        json!({"Event must have a 'type' field": 1})
    );
    // The same scalar twice is stored once (replaced); log lines are always appended.
    let s = |v: f64| {
        task_event(
            "training_stats_scalar",
            json!(task),
            3,
            json!({"metric": "m", "variant": "v", "value": v}),
        )
    };
    api.send_batch(&[s(1.0), s(2.0)]).await.unwrap();
    api.send(&s(5.0)).await;
    let log = task_event("log", json!(task), 0, json!({"msg": "x"}));
    api.send_batch(&[log.clone(), log]).await.unwrap();
    let res = api
        .ok(
            "events.get_task_events",
            json!({"task": task, "event_type": "training_stats_scalar"}),
        )
        .await;
    assert_eq!(res["total"], json!(1));
    let ev = &res["events"][0];
    assert_eq!(ev["value"], json!(5.0));
    assert_eq!(
        (
            &ev["model_event"],
            &ev["worker"],
            ev.get("@timestamp").is_some()
        ),
        (&json!(false), &json!("test"), true)
    );
    let lm = api.ok("tasks.get_by_id", json!({"task": task})).await["task"]["last_metrics"].clone();
    let entry = &lm["6f8f57715090da2632453988d9a1501b"]["9e3669d19b675bd57058fd4664205d2a"];
    assert_eq!((&entry["count"], &entry["value"]), (&json!(3), &json!(5.0)));
    assert_eq!(
        api.ok("events.get_task_log", json!({"task": task})).await["total"],
        json!(2)
    );
    // Monitor metrics never move last_iteration; other events (log lines with an iter too) do.
    let monitor = task_event(
        "training_stats_scalar",
        json!(task),
        500,
        json!({"metric": ":monitor:gpu", "variant": "gpu_0", "value": 1}),
    );
    api.send(&monitor).await;
    let t = api.ok("tasks.get_by_id", json!({"task": task})).await["task"].clone();
    assert_eq!(t["last_iteration"], json!(3));
    // allow_locked must agree within a batch for one task (400/12).
    let mut a = s(1.0);
    a["allow_locked"] = json!(true);
    let (code, sub, _) = api.send_batch(&[a, s(2.0)]).await.unwrap_err();
    assert_eq!((code, sub), (400, 12));
    // A published task takes events only with allow_locked; the others are refused per event.
    for ep in ["tasks.started", "tasks.stopped", "tasks.publish"] {
        api.ok(ep, json!({"task": task, "force": true})).await;
    }
    let env = api.raises("events.add", s(9.0), (400, 131)).await;
    assert_eq!(
        env["meta"]["error_data"],
        json!({format!("Invalid task id {task}"): 1})
    );
    let mut locked = s(9.0);
    locked["allow_locked"] = json!(true);
    assert_eq!(api.send(&locked).await["added"], json!(1));
    api.raises("events.delete_for_task", json!({"task": task}), (400, 101))
        .await;
    api.raises("events.clear_task_log", json!({"task": task}), (400, 101))
        .await;
    let d = api
        .ok(
            "events.delete_for_task",
            json!({"task": task, "allow_locked": true}),
        )
        .await;
    assert_eq!(
        d["deleted"],
        json!(4),
        "the scalar, the monitor value, two log lines"
    );
    // Model events: not stored by trove yet (a model id is unknown: 400/201 on reads, refused on write).
    let mut m = s(1.0);
    m["model_event"] = json!(true);
    let env = api.raises("events.add", m, (400, 131)).await;
    assert_eq!(
        env["meta"]["error_data"],
        json!({format!("Invalid model id {task}"): 1})
    );
    api.raises(
        "events.scalar_metrics_iter_histogram",
        json!({"task": task, "model_events": true}),
        (400, 201),
    )
    .await;
    // Unknown tasks are 400/101 everywhere.
    for ep in [
        "events.get_task_log",
        "events.get_task_plots",
        "events.get_task_events",
        "events.scalar_metrics_iter_histogram",
        "events.get_task_latest_scalar_values",
    ] {
        api.raises(ep, json!({"task": "nope"}), (400, 101)).await;
    }
    api.raises(
        "events.get_task_single_value_metrics",
        json!({"tasks": [task, "nope"]}),
        (400, 101),
    )
    .await;
    api.raises(
        "events.scalar_metrics_iter_histogram",
        json!({"task": task, "samples": 6001}),
        (400, 12),
    )
    .await;
    api.raises(
        "events.scalar_metrics_iter_histogram",
        json!({"task": task, "key": "epoch"}),
        (400, 12),
    )
    .await;
    api.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn last_metrics_in_task_documents() {
    let api = Api::start().await;
    let task = api.temp_task("with metrics").await;
    let other = api.temp_task("without metrics").await;
    let t = api.ok("tasks.get_by_id", json!({"task": other})).await["task"].clone();
    assert_eq!(t["last_metrics"], json!({}), "always present");
    let mut e = task_event(
        "training_stats_scalar",
        json!(task),
        4,
        json!({"metric": "loss", "variant": "train", "value": 0.25}),
    );
    e["x_axis_label"] = json!("epochs");
    api.send(&e).await;
    let loss = "81513effdf5790b79549208838404407";
    let train = "61b3a8faa9c1091806675c230a9abe64";
    let all = |fields: Value| {
        let api = &api;
        let ids = json!([task, other]);
        async move {
            let mut body = json!({"id": ids, "order_by": ["name"]});
            if !fields.is_null() {
                body["only_fields"] = fields;
            }
            api.ok("tasks.get_all", body).await["tasks"].clone()
        }
    };
    let rows = all(Value::Null).await;
    assert_eq!(rows[1]["last_metrics"], json!({}));
    let entry = &rows[0]["last_metrics"][loss][train];
    assert_eq!(
        entry,
        &json!({
            "metric": "loss", "variant": "train", "value": 0.25, "min_value": 0.25, "min_value_iteration": 4,
            "max_value": 0.25, "max_value_iteration": 4, "first_value": 0.25, "first_value_iteration": 4,
            "count": 1, "mean_value": 0.25, "x_axis_label": "epochs",
        })
    );
    let rows = all(json!(["id", "last_metrics"])).await;
    assert_eq!(rows[0]["last_metrics"][loss][train]["count"], json!(1));
    let rows = all(json!([format!("last_metrics.{loss}.{train}.value")])).await;
    assert_eq!(
        rows[0]["last_metrics"],
        json!({loss: {train: {"value": 0.25}}})
    );
    let rows = all(json!(["id", "name"])).await;
    assert!(rows[0].get("last_metrics").is_none(), "not asked for");
    // The label also reaches the histogram; iso_time keys are strict_date_time strings.
    let h = api
        .ok(
            "events.scalar_metrics_iter_histogram",
            json!({"task": task, "key": "iso_time"}),
        )
        .await;
    let series = &h["loss"]["train"];
    assert_eq!(series["x_axis_label"], json!("epochs"));
    let x = series["x"][0].as_str().unwrap();
    assert!(
        x.len() == 24 && x.ends_with('Z') && x.as_bytes()[19] == b'.',
        "{x}"
    );
    let mv = api
        .ok(
            "events.get_scalar_metrics_and_variants",
            json!({"task": task}),
        )
        .await;
    assert_eq!(mv, json!({"metrics": {"loss": ["train"]}}));
    // A reset empties them and brings last_iteration back to 0.
    api.ok("tasks.reset", json!({"task": task, "force": true}))
        .await;
    let t = api.ok("tasks.get_by_id", json!({"task": task})).await["task"].clone();
    assert_eq!(
        (&t["last_metrics"], &t["last_iteration"]),
        (&json!({}), &json!(0))
    );
    api.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scrolls_and_console_as_the_sdk_reads_them() {
    let api = Api::start().await;
    let task = api.temp_task("scrolls").await;
    // 250 plots and 3 debug images (what Task.delete collects), 12 console lines.
    let mut events: Vec<Value> = (0..250)
        .map(|i| {
            task_event(
                "plot",
                json!(task),
                i,
                json!({"metric": "p", "variant": "v", "plot_str": format!("{{\"n\": {i}}}")}),
            )
        })
        .collect();
    events.extend((0..3).map(|i| {
        task_event("training_debug_image", json!(task), i, json!({"metric": "img", "variant": "v", "key": format!("k{i}"), "url": format!("http://f/{i}.png")}))
    }));
    events.extend((0..12).map(|i| {
        let mut e = task_event(
            "log",
            json!(task),
            0,
            json!({"msg": format!("line {i}"), "timestamp": 1_000 + i}),
        );
        e.as_object_mut().unwrap().remove("iter");
        e
    }));
    api.send_batch(&events).await.unwrap();
    // Task.delete's loop: keep scrolling while returned < total.
    for (event_type, expected) in [("plot", 250), ("training_debug_image", 3)] {
        let body =
            json!({"task": task, "order": "asc", "batch_size": 100, "event_type": event_type});
        let mut res = api.ok("events.get_task_events", body.clone()).await;
        let total = res["total"].as_u64().unwrap();
        assert_eq!(total, expected);
        let mut got: Vec<Value> = res["events"].as_array().unwrap().clone();
        let mut returned = res["returned"].as_u64().unwrap();
        while returned < total {
            let mut next = body.clone();
            next["scroll_id"] = res["scroll_id"].clone();
            res = api.ok("events.get_task_events", next).await;
            returned += res["returned"].as_u64().unwrap();
            got.extend(res["events"].as_array().unwrap().iter().cloned());
        }
        let iters: Vec<i64> = got.iter().map(|e| e["iter"].as_i64().unwrap()).collect();
        assert_eq!(iters, (0..expected as i64).collect::<Vec<_>>());
        // An exhausted scroll answers nothing more.
        let mut next = body.clone();
        next["scroll_id"] = res["scroll_id"].clone();
        let res = api.ok("events.get_task_events", next.clone()).await;
        assert_eq!(res["returned"], json!(0));
        next["scroll_id"] = res["scroll_id"].clone();
        assert_eq!(
            api.ok("events.get_task_events", next).await["events"],
            json!([])
        );
    }
    let desc = api
        .ok("events.get_task_events", json!({"task": task, "order": "desc", "batch_size": 2, "event_type": "plot", "count_total": false}))
        .await;
    assert_eq!(desc["total"], Value::Null);
    assert_eq!(desc["events"][0]["iter"], json!(249));
    assert_eq!(desc["events"][0]["plot_len"], json!(10));
    let all = api
        .ok(
            "events.get_task_events",
            json!({"task": task, "batch_size": 10000}),
        )
        .await;
    assert_eq!(all["total"], json!(265));
    let last = &all["events"][264];
    assert!(
        last.get("iter").is_none(),
        "events without an iteration come last: {last}"
    );
    api.raises(
        "events.get_task_events",
        json!({"task": task, "scroll_id": "garbage"}),
        (400, 1104),
    )
    .await;
    api.raises(
        "events.get_task_events",
        json!({"task": task, "event_type": "nope"}),
        (400, 12),
    )
    .await;
    // get_task_plots with iters: the newest per metric/variant.
    let plots = api
        .ok(
            "events.get_task_plots",
            json!({"task": task, "iters": 2, "no_scroll": true}),
        )
        .await;
    let iters: Vec<&Value> = plots["plots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| &p["iter"])
        .collect();
    assert_eq!(iters, [&json!(249), &json!(248)]);
    assert_eq!(plots["scroll_id"], Value::Null);

    // get_reported_console_output(3): the last 3 lines, oldest first.
    let body = json!({"task": task, "order": "asc", "navigate_earlier": true, "batch_size": 3});
    let res = api.ok("events.get_task_log", body).await;
    assert_eq!(msgs(&res), ["line 9", "line 10", "line 11"]);
    assert_eq!((&res["returned"], &res["total"]), (&json!(3), &json!(12)));
    // Paging back from the oldest line shown; then forward from the start.
    let res = api
        .ok(
            "events.get_task_log",
            json!({"task": task, "batch_size": 4, "from_timestamp": 1_009}),
        )
        .await;
    assert_eq!(msgs(&res), ["line 8", "line 7", "line 6", "line 5"]);
    let res = api
        .ok(
            "events.get_task_log",
            json!({"task": task, "batch_size": 2, "navigate_earlier": false, "order": "desc"}),
        )
        .await;
    assert_eq!(msgs(&res), ["line 1", "line 0"]);
    let cleared = api
        .ok(
            "events.clear_task_log",
            json!({"task": task, "threshold_sec": 1}),
        )
        .await;
    assert_eq!(
        cleared["deleted"],
        json!(12),
        "all lines are older than a second"
    );
    api.stop().await;
}
