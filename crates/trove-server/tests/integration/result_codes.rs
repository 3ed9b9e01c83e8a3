//! The API answers with clearml-server's result codes (`trove_protocol::ResultCode`), names the field of a bad
//! request, and routes every endpoint the protocol defines.

use crate::common::TestServer;
use serde_json::{Value, json};
use trove_protocol::{ResultCode, versioned_path};

/// `(result_code, result_subcode)` of an envelope.
fn codes(v: &Value) -> (u64, u64) {
    (
        v["meta"]["result_code"].as_u64().unwrap_or_default(),
        v["meta"]["result_subcode"].as_u64().unwrap_or_default(),
    )
}

fn pair(c: ResultCode) -> (u64, u64) {
    (u64::from(c.http()), u64::from(c.subcode()))
}

#[tokio::test]
async fn failures_carry_errors_conf_numbers() {
    let s = TestServer::start().await;
    let t = s.login().await;
    let login = |key: &str, secret: &str| {
        s.http
            .get(format!("{}{}", s.api, versioned_path("auth.login")))
            .basic_auth(key, Some(secret))
    };

    // Wrong secret: 401/22 invalid credentials. No credentials: 401/20. Malformed Basic: 401/21.
    let r = login(&s.access, "wrong").send().await.unwrap();
    assert_eq!(codes(&r.json().await.unwrap()), (401, 22));
    let r = s
        .http
        .get(format!("{}/auth.login", s.api))
        .send()
        .await
        .unwrap();
    assert_eq!(codes(&r.json().await.unwrap()), (401, 20));
    let r = s
        .http
        .get(format!("{}/auth.login", s.api))
        .header("Authorization", "Basic %%%not-base64")
        .send()
        .await
        .unwrap();
    assert_eq!(codes(&r.json().await.unwrap()), (401, 21));
    // No token on an API call: 401/20; a bad token: 401/30.
    let r = s
        .http
        .get(format!("{}{}", s.api, versioned_path("projects.get_all")))
        .send()
        .await
        .unwrap();
    assert_eq!(codes(&r.json().await.unwrap()), (401, 20));
    let (_, v) = s.call("abc.def.ghi", "projects.get_all", json!({})).await;
    assert_eq!(codes(&v), pair(ResultCode::InvalidToken));

    // A project name already taken: 400/801 expected_unique_data, as clearml-server answers.
    s.ok(&t, "projects.create", json!({"name": "taken"})).await;
    let (_, v) = s
        .call(&t, "projects.create", json!({"name": "taken"}))
        .await;
    assert_eq!(codes(&v), pair(ResultCode::ExpectedUniqueData), "{v}");
    assert_eq!(v["meta"]["error_data"]["name"], "taken");

    // Unknown project for a task: 400/401; unknown endpoint: 404/0.
    let (_, v) = s
        .call(
            &t,
            "tasks.create",
            json!({"name": "abc", "project": "0".repeat(32)}),
        )
        .await;
    assert_eq!(codes(&v), pair(ResultCode::InvalidProjectId), "{v}");
    let (_, v) = s.call(&t, "tasks.nothing", json!({})).await;
    assert_eq!(codes(&v), pair(ResultCode::NotFound));
    s.stop().await;
}

#[tokio::test]
async fn bad_fields_are_named() {
    let s = TestServer::start().await;
    let t = s.login().await;
    let (_, v) = s.call(&t, "tasks.get_by_id", json!({})).await;
    assert_eq!(codes(&v), (400, 12));
    assert_eq!(
        v["meta"]["result_msg"],
        "Validation error: missing required field 'task'"
    );
    assert_eq!(v["meta"]["error_data"], json!({"field": "task"}));
    let (_, v) = s.call(&t, "tasks.get_by_id", json!({"task": 7})).await;
    assert_eq!(codes(&v), (400, 12));
    assert!(
        v["meta"]["result_msg"]
            .as_str()
            .unwrap()
            .contains("field 'task'"),
        "{v}"
    );
    let (_, v) = s
        .call(&t, "tasks.get_all", json!({"page_size": "many"}))
        .await;
    assert_eq!(codes(&v), (400, 12));
    assert!(
        v["meta"]["result_msg"]
            .as_str()
            .unwrap()
            .contains("field 'page_size'"),
        "{v}"
    );
    // Lenient where ClearML is: a lone string for a list, numbers and flags as strings.
    let (pid, _) = s.task(&t, "lenient", "lenient task").await;
    let d = s
        .ok(
            &t,
            "tasks.get_all",
            json!({"project": pid, "page": "0", "page_size": "5", "search_hidden": "true",
                   "only_fields": "name"}),
        )
        .await;
    assert_eq!(d["tasks"][0]["name"], "lenient task");
    s.stop().await;
}

#[tokio::test]
async fn every_protocol_endpoint_is_answered() {
    let s = TestServer::start().await;
    let t = s.login().await;
    for name in trove_protocol::endpoints::NAMES {
        let r = s
            .http
            .post(format!("{}{}", s.api, versioned_path(name)))
            .bearer_auth(&t)
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let v: Value = r.json().await.unwrap();
        assert_ne!(status, 404, "{name} is not routed: {v}");
        assert!(matches!(status, 200 | 400), "{name}: {v}");
        assert_eq!(v["meta"]["endpoint"]["name"], *name);
    }
    s.stop().await;
}
