//! `events.*` readers: requests as the official SDKs (2.1, 1.17) and clearml-server's tests send them, and
//! the answers' exact shapes.

use super::*;
use crate::{ResultCode, decode_request};
use serde_json::json;

#[test]
fn sdk_requests_decode() {
    let r = decode_request::<EventsGetTaskLog>(
        json!({"task": "t", "order": "asc", "navigate_earlier": true, "batch_size": 3}),
    )
    .unwrap();
    assert_eq!(
        (r.order.as_deref(), r.navigate_earlier, r.batch_size),
        (Some("asc"), Some(true), Some(3))
    );
    let r = decode_request::<EventsGetTaskLog>(
        json!({"task": "t", "from_timestamp": null, "metrics": [{"metric": "m"}]}),
    )
    .unwrap();
    assert_eq!((r.from_timestamp, r.navigate_earlier), (None, None));
    assert_eq!(r.metrics.unwrap()[0].variants, None);
    let r = decode_request::<EventsScalarMetricsIterHistogram>(
        json!({"task": "t", "key": "iso_time", "samples": "10", "model_events": false}),
    )
    .unwrap();
    assert_eq!(
        (r.key.as_deref(), r.samples, r.model_events),
        (Some("iso_time"), Some(10), false)
    );
    let r = decode_request::<EventsGetTaskSingleValueMetrics>(json!({"tasks": "t"})).unwrap();
    assert_eq!(r.tasks, Some(vec!["t".to_string()]));
    let r =
        decode_request::<EventsGetTaskPlots>(json!({"task": "t", "iters": 1, "no_scroll": true}))
            .unwrap();
    assert_eq!((r.iters, r.no_scroll), (Some(1), true));
    let r = decode_request::<EventsGetTaskEvents>(json!({
        "task": "t", "order": "asc", "batch_size": 100, "event_type": "plot", "scroll_id": null
    }))
    .unwrap();
    assert_eq!(
        (r.event_type.as_deref(), r.count_total, r.scroll_id),
        (Some("plot"), None, None)
    );
    let r = decode_request::<EventsScalarMetricsIterRaw>(json!({
        "task": "t", "batch_size": 100, "metric": {"metric": "m", "variants": ["v"]}, "count_total": true
    }))
    .unwrap();
    assert_eq!(r.metric.unwrap().variants, Some(vec!["v".to_string()]));
    let r = decode_request::<EventsClearTaskLog>(json!({"task": "t", "exclude_metrics": ["m"]}))
        .unwrap();
    assert_eq!(r.exclude_metrics, Some(vec!["m".to_string()]));
}

#[test]
fn required_fields_are_checked() {
    for (ep, body) in [
        (
            "single values",
            decode_request::<EventsGetTaskSingleValueMetrics>(json!({"tasks": []})).err(),
        ),
        (
            "raw",
            decode_request::<EventsScalarMetricsIterRaw>(json!({"task": "t"})).err(),
        ),
        (
            "raw metric",
            decode_request::<EventsScalarMetricsIterRaw>(json!({"task": "t", "metric": {}})).err(),
        ),
        (
            "log metrics",
            decode_request::<EventsGetTaskLog>(json!({"task": "t", "metrics": [{}]})).err(),
        ),
        (
            "plots",
            decode_request::<EventsGetTaskPlots>(json!({})).err(),
        ),
    ] {
        let e = body.unwrap_or_else(|| panic!("{ep}: accepted"));
        assert_eq!(e.code, ResultCode::ValidationError, "{ep}: {e}");
    }
}

#[test]
fn answers_serialize_as_clearml_server() {
    let plots = TaskPlotsResponse::default();
    assert_eq!(
        serde_json::to_string(&plots).unwrap(),
        r#"{"plots":[],"returned":0,"total":0,"scroll_id":null}"#
    );
    let mut h = ScalarHistogramResponse::new();
    h.entry("loss".into()).or_default().insert(
        "train".into(),
        HistogramSeries {
            name: "train".into(),
            x: vec![json!(0), json!(10)],
            y: vec![0.5, 1.0],
            x_axis_label: None,
        },
    );
    assert_eq!(
        serde_json::to_string(&h).unwrap(),
        r#"{"loss":{"train":{"name":"train","x":[0,10],"y":[0.5,1.0]}}}"#
    );
    let sv = SingleValueMetricsResponse {
        tasks: vec![TaskSingleValues {
            task: "t".into(),
            task_name: "n".into(),
            values: vec![SingleValue {
                metric: "Summary".into(),
                variant: "acc".into(),
                value: 0.5,
                timestamp: 7,
            }],
        }],
    };
    assert_eq!(
        serde_json::to_string(&sv).unwrap(),
        r#"{"tasks":[{"task":"t","task_name":"n","values":[{"metric":"Summary","variant":"acc","value":0.5,"timestamp":7}]}]}"#
    );
    let log = TaskLogResponse {
        events: vec![json!({"msg": "x"})],
        returned: 1,
        total: 3,
    };
    assert_eq!(
        serde_json::to_string(&log).unwrap(),
        r#"{"events":[{"msg":"x"}],"returned":1,"total":3}"#
    );
    let ev = TaskEventsResponse {
        total: Some(2),
        scroll_id: Some("s".into()),
        ..Default::default()
    };
    assert_eq!(
        serde_json::to_string(&ev).unwrap(),
        r#"{"events":[],"returned":0,"total":2,"scroll_id":"s"}"#
    );
    let mv = MetricsAndVariantsResponse {
        metrics: [("m".to_string(), vec!["a".to_string(), "b".to_string()])].into(),
    };
    assert_eq!(
        serde_json::to_string(&mv).unwrap(),
        r#"{"metrics":{"m":["a","b"]}}"#
    );
}
