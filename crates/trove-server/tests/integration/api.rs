//! The API port against a real server: envelope, routing, auth, filters, status rules, concurrent artifacts.

use crate::common::{TOKEN_SECRET, TestServer};
use serde_json::{Value, json};
use trove_protocol::{API_VERSION, versioned_path};

#[tokio::test]
async fn envelope_routing_and_bad_requests() {
    let s = TestServer::start().await;
    let t = s.login().await;

    // Unversioned path, GET with a body, unknown keys ignored (clearml 2.x sends "method").
    let r = s
        .http
        .get(format!("{}/projects.create", s.api))
        .bearer_auth(&t)
        .body(json!({"name": "env", "description": "", "method": "get"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    let meta = &v["meta"];
    assert_eq!(meta["result_code"], 200);
    assert_eq!(meta["result_subcode"], 0);
    assert_eq!(meta["result_msg"], "OK");
    assert_eq!(meta["endpoint"]["name"], "projects.create");
    assert!(meta["error_stack"].is_null());
    assert_eq!(meta["error_data"], json!({}));
    assert_eq!(meta["id"].as_str().unwrap().len(), 32);
    assert_eq!(v["data"]["id"].as_str().unwrap().len(), 32);

    // POST works too, and the version is echoed.
    let r = s
        .http
        .post(format!("{}/v2.13/projects.get_all", s.api))
        .bearer_auth(&t)
        .json(&json!({"name": "^env$"}))
        .send()
        .await
        .unwrap();
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["meta"]["endpoint"]["requested_version"], "2.13");
    assert_eq!(v["data"]["projects"].as_array().unwrap().len(), 1);

    // Empty body = {} (then a missing field is a 400 validation error, not a crash).
    let r = s
        .http
        .get(format!("{}{}", s.api, versioned_path("tasks.get_by_id")))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["meta"]["result_code"], 400);
    assert!(v["meta"]["result_msg"].as_str().unwrap().contains("task"));

    // Unknown endpoint, bad JSON, non-object body, unknown task.
    let (code, v) = s.call(&t, "nothing.here", json!({})).await;
    assert_eq!(code, 404);
    assert_eq!(v["meta"]["endpoint"]["name"], "nothing.here");
    for bad in ["{not json", "[1,2]", "\"str\""] {
        let r = s
            .http
            .get(format!("{}{}", s.api, versioned_path("tasks.get_all")))
            .bearer_auth(&t)
            .body(bad)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{bad}");
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["meta"]["result_code"], 400);
    }
    let (code, v) = s
        .call(
            &t,
            "tasks.get_by_id",
            json!({"task": "0123456789abcdef0123456789abcdef"}),
        )
        .await;
    assert_eq!(
        (code, v["meta"]["result_subcode"].as_u64()),
        (400, Some(101))
    );
    let r = s
        .http
        .get(format!("{}/no/such/path", s.api))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert!(r.json::<Value>().await.unwrap()["meta"].is_object());

    // The server still serves after all that.
    s.ok(&t, "debug.ping", json!({})).await;
    let info = s.ok(&t, "server.info", json!({})).await;
    assert_eq!(info["api_version"], API_VERSION);
    let me = s.ok(&t, "users.get_current_user", json!({})).await;
    assert_eq!(me["user"]["id"], s.access);
    s.stop().await;
}

#[tokio::test]
async fn auth_tokens_valid_expired_forged_and_cookie() {
    let s = TestServer::start().await;
    assert_eq!(s.access.len(), 20);

    // Wrong secret, unknown key, no credentials: 401 envelopes.
    for (k, sec) in [(s.access.as_str(), "wrong"), ("NOPE", s.secret.as_str())] {
        let r = s
            .http
            .get(format!("{}/auth.login", s.api))
            .basic_auth(k, Some(sec))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
        assert_eq!(r.json::<Value>().await.unwrap()["meta"]["result_code"], 401);
    }
    let r = s
        .http
        .get(format!("{}/auth.login", s.api))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);

    // A valid token: claims as the SDK reads them.
    let t = s.login().await;
    let payload = t.split('.').nth(1).unwrap();
    use base64::Engine;
    let claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(claims["api_version"], API_VERSION);
    assert_eq!(claims["feature_set"], "basic");
    assert_eq!(claims["identity"]["user"], s.access);
    let ttl = claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap();
    assert_eq!(ttl, 30 * 24 * 3600);
    s.ok(&t, "projects.get_all", json!({})).await;

    // expiration_sec shortens the token.
    let r = s
        .http
        .get(format!("{}/auth.login?expiration_sec=120", s.api))
        .basic_auth(&s.access, Some(&s.secret))
        .send()
        .await
        .unwrap();
    let short = r.json::<Value>().await.unwrap()["data"]["token"]
        .as_str()
        .unwrap()
        .to_string();
    let c: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(short.split('.').nth(1).unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap(), 120);

    // No token, garbage, expired (right key), forged (wrong key), tampered payload: all 401.
    let now = trove_core::timefmt::now_secs();
    let mut expired_claims = claims.clone();
    expired_claims["iat"] = json!(now - 7200);
    expired_claims["exp"] = json!(now - 3600);
    let sign = |c: &Value, key: &[u8]| {
        jsonwebtoken::encode(
            &jsonwebtoken::Header::default(),
            c,
            &jsonwebtoken::EncodingKey::from_secret(key),
        )
        .unwrap()
    };
    let expired = sign(&expired_claims, TOKEN_SECRET.as_bytes());
    let forged = sign(&claims, b"not-the-server-key");
    let mut parts: Vec<String> = t.split('.').map(String::from).collect();
    let mut evil = claims.clone();
    evil["identity"]["user"] = json!("admin");
    parts[1] = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(evil.to_string());
    let tampered = parts.join(".");
    for (what, tok) in [
        ("garbage", "abc.def.ghi"),
        ("expired", &expired),
        ("forged", &forged),
        ("tampered", &tampered),
    ] {
        let (code, v) = s.call(tok, "projects.get_all", json!({})).await;
        assert_eq!(code, 401, "{what}: {v}");
    }
    let r = s
        .http
        .get(format!("{}{}", s.api, versioned_path("projects.get_all")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let (code, v) = s.call(&expired, "projects.get_all", json!({})).await;
    assert_eq!(code, 401);
    assert!(
        v["meta"]["result_msg"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("expired")
    );

    // Cookie auth: only with a JSON body (which no other site can make a browser send).
    let r = s
        .http
        .get(format!("{}{}", s.api, versioned_path("projects.get_all")))
        .header("Cookie", format!("other=1; clearml_token_basic={t}"))
        .header("Content-Type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    for ct in [None, Some("text/plain")] {
        let mut req = s
            .http
            .post(format!("{}{}", s.api, versioned_path("projects.get_all")))
            .header("Cookie", format!("clearml_token_basic={t}"))
            .body("{}");
        if let Some(ct) = ct {
            req = req.header("Content-Type", ct);
        }
        assert_eq!(
            req.send().await.unwrap().status(),
            401,
            "cookie with {ct:?}"
        );
    }

    // Revoked keys cannot log in; new keys can.
    let store = s.srv().store.clone();
    let (k2, s2) = trove_server::credentials::create(&store, Some("SECONDKEY".into()), None)
        .await
        .unwrap();
    let r = s
        .http
        .get(format!("{}/auth.login", s.api))
        .basic_auth(&k2, Some(&s2))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        trove_server::credentials::revoke(&store, &k2)
            .await
            .unwrap()
    );
    let r = s
        .http
        .get(format!("{}/auth.login", s.api))
        .basic_auth(&k2, Some(&s2))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let keys = trove_server::credentials::list(&store).await.unwrap();
    assert!(keys.iter().any(|k| k.access_key == k2 && k.revoked));
    s.stop().await;
}

#[tokio::test]
async fn no_auth_mode_accepts_anything() {
    let s = TestServer::start_with(true).await;
    assert!(s.srv().initial_credentials.is_none());
    let r = s
        .http
        .get(format!("{}/auth.login", s.api))
        .basic_auth("any", Some("thing"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = s
        .http
        .get(format!("{}{}", s.api, versioned_path("projects.get_all")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    s.stop().await;
}

#[tokio::test]
async fn filters_projection_and_ordering() {
    let s = TestServer::start().await;
    let t = s.login().await;
    let (pid, a) = s.task(&t, "examples", "Artifacts example").await;
    let (_, b) = s.task(&t, "examples", "Artifacts example 2").await;
    let (pid2, c) = s.task(&t, "other/sub proj", "unrelated").await;

    // Project name regexes are anchored by the caller; sub-projects create their parents.
    let p = s
        .ok(
            &t,
            "projects.get_all",
            json!({"name": "^examples$", "only_fields": ["id"], "search_hidden": true}),
        )
        .await;
    assert_eq!(p["projects"], json!([{"id": pid}]));
    let p = s
        .ok(&t, "projects.get_all", json!({"name": "^other"}))
        .await;
    assert_eq!(p["projects"].as_array().unwrap().len(), 2);
    let p = s
        .ok(&t, "projects.get_all", json!({"shallow_search": true}))
        .await;
    let names: Vec<&str> = p["projects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["examples", "other"]);
    let p = s
        .ok(&t, "projects.get_by_id", json!({"project": pid2}))
        .await;
    assert_eq!(p["project"]["basename"], "sub proj");

    // Python-escaped anchored name regex (as Task.get_task sends it) picks exactly one task.
    let r = s
        .ok(&t, "tasks.get_all", json!({"name": "^Artifacts\\ example$", "project": [pid], "only_fields": ["id", "name", "last_update", "system_tags"], "search_hidden": false}))
        .await;
    let tasks = r["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), 1);
    assert_eq!(tasks[0]["id"], a);
    assert!(
        tasks[0].get("status").is_none(),
        "projection drops other fields"
    );
    assert!(tasks[0]["last_update"].as_str().unwrap().contains('T'));

    // Unanchored search, id and status filters, ordering, paging.
    let r = s
        .ok(
            &t,
            "tasks.get_all",
            json!({"name": "Artifacts", "order_by": ["name"]}),
        )
        .await;
    let ids: Vec<&str> = r["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![a.as_str(), b.as_str()]);
    let r = s
        .ok(
            &t,
            "tasks.get_all",
            json!({"name": "Artifacts", "order_by": ["-name"], "page": 0, "page_size": 1}),
        )
        .await;
    assert_eq!(r["tasks"][0]["id"], b);
    let r = s
        .ok(
            &t,
            "tasks.get_all",
            json!({"name": "Artifacts", "order_by": ["-name"], "page": 1, "page_size": 1}),
        )
        .await;
    assert_eq!(r["tasks"][0]["id"], a);
    let r = s
        .ok(
            &t,
            "tasks.get_all",
            json!({"id": [c], "only_fields": ["status", "status_message", "id"]}),
        )
        .await;
    assert_eq!(
        r["tasks"],
        json!([{"id": c, "status": "created", "status_message": ""}])
    );
    let r = s
        .ok(&t, "tasks.get_all", json!({"status": ["in_progress"]}))
        .await;
    assert_eq!(r["tasks"].as_array().unwrap().len(), 0);
    s.ok(&t, "tasks.started", json!({"task": b})).await;
    let r = s
        .ok(
            &t,
            "tasks.get_all",
            json!({"status": ["in_progress"], "only_fields": ["id"]}),
        )
        .await;
    assert_eq!(r["tasks"], json!([{"id": b}]));
    // newest last_update first by default
    let r = s
        .ok(&t, "tasks.get_all", json!({"only_fields": ["id"]}))
        .await;
    assert_eq!(r["tasks"][0]["id"], b);
    // Nested projection of artifacts.
    s.ok(
        &t,
        "tasks.add_or_update_artifacts",
        json!({"task": a, "artifacts": [{"key": "k", "type": "custom", "uri": "file:///x"}]}),
    )
    .await;
    let r = s
        .ok(
            &t,
            "tasks.get_all",
            json!({"id": [a], "only_fields": ["execution.artifacts"]}),
        )
        .await;
    assert_eq!(r["tasks"][0]["execution"]["artifacts"][0]["key"], "k");
    assert!(r["tasks"][0]["execution"].get("parameters").is_none());
    let (code, _) = s
        .call(&t, "tasks.get_all", json!({"name": "(unclosed"}))
        .await;
    assert_eq!(code, 400);
    s.stop().await;
}

#[tokio::test]
async fn task_object_edit_and_status_rules() {
    let s = TestServer::start().await;
    let t = s.login().await;
    let (pid, id) = s.task(&t, "examples", "status task").await;
    let task = s.ok(&t, "tasks.get_by_id", json!({"task": id})).await["task"].clone();
    assert_eq!(task["status"], "created");
    assert_eq!(
        task["execution"],
        json!({"artifacts": [], "parameters": {}})
    );
    assert_eq!(task["models"], json!({"input": [], "output": []}));
    for k in [
        "output",
        "script",
        "hyperparams",
        "configuration",
        "runtime",
        "container",
    ] {
        assert_eq!(task[k], json!({}), "{k}");
    }
    assert_eq!(task["system_tags"], json!(["development"]));
    assert_eq!(task["project"], pid);

    // edit replaces top-level fields; output_dest → output.destination; created needs no force.
    s.ok(
        &t,
        "tasks.edit",
        json!({"task": id, "script": {"entry_point": "a.py"}, "output_dest": "s3://b/x"}),
    )
    .await;
    s.ok(
        &t,
        "tasks.set_requirements",
        json!({"task": id, "requirements": {"pip": "numpy\n"}}),
    )
    .await;
    let task = s.ok(&t, "tasks.get_by_id", json!({"task": id})).await["task"].clone();
    assert_eq!(
        task["script"],
        json!({"entry_point": "a.py", "requirements": {"pip": "numpy\n"}})
    );
    assert_eq!(task["output"]["destination"], "s3://b/x");

    // Started: edits need force now; artifacts do not (clearml-server always forces them).
    let d = s
        .ok(&t, "tasks.started", json!({"task": id, "force": false}))
        .await;
    assert_eq!(d["fields"]["status"], "in_progress");
    let (code, v) = s
        .call(&t, "tasks.edit", json!({"task": id, "runtime": {"a": 1}}))
        .await;
    assert_eq!(
        (code, v["meta"]["result_subcode"].as_u64()),
        (400, Some(110))
    );
    s.ok(
        &t,
        "tasks.edit",
        json!({"task": id, "force": true, "runtime": {"progress": "0"}}),
    )
    .await;
    let art = json!([{"key": "a", "type": "custom", "uri": "file:///a"}]);
    let (code, _) = s
        .call(
            &t,
            "tasks.add_or_update_artifacts",
            json!({"task": id, "artifacts": art}),
        )
        .await;
    assert_eq!(code, 200);
    let d = s
        .ok(
            &t,
            "tasks.add_or_update_artifacts",
            json!({"task": id, "artifacts": art, "force": true}),
        )
        .await;
    assert_eq!(d["updated"], 1);
    // Legacy path: execution.artifacts in an edit replaces the list (clearml-server).
    s.ok(&t, "tasks.edit", json!({"task": id, "force": true, "execution": {"artifacts": [{"key": "b", "type": "dict"}]}})).await;
    let task = s.ok(&t, "tasks.get_by_id", json!({"task": id})).await["task"].clone();
    let keys: Vec<&str> = task["execution"]["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, vec!["b"]);
    assert!(task["started"].as_str().is_some());

    // Watchdog view: stop on a development task → stopped, message without "worker".
    s.ok(&t, "tasks.ping", json!({"task": id})).await;
    let d = s.ok(&t, "tasks.stop", json!({"task": id})).await;
    assert_eq!(d["fields"]["status"], "stopped");
    let r = s
        .ok(
            &t,
            "tasks.get_all",
            json!({"id": [id], "only_fields": ["status", "status_message", "id"]}),
        )
        .await;
    let msg = r["tasks"][0]["status_message"].as_str().unwrap();
    assert!(
        !msg.contains("worker") && msg.starts_with("Stopped by"),
        "{msg}"
    );

    // Not allowed without force: stopped → queued? (allowed) ; published → anything.
    let d = s
        .ok(
            &t,
            "tasks.completed",
            json!({"task": id, "status_reason": "completed", "publish": true}),
        )
        .await;
    assert_eq!(d["fields"]["status"], "published");
    let (code, v) = s.call(&t, "tasks.started", json!({"task": id})).await;
    assert_eq!(
        (code, v["meta"]["result_subcode"].as_u64()),
        (400, Some(110))
    );
    let (code, _) = s.call(&t, "tasks.reset", json!({"task": id})).await;
    assert_eq!(code, 400);
    let d = s
        .ok(&t, "tasks.reset", json!({"task": id, "force": true}))
        .await;
    assert_eq!(d["fields"]["status"], "created");
    let task = s.ok(&t, "tasks.get_by_id", json!({"task": id})).await["task"].clone();
    assert_eq!(
        task["execution"]["artifacts"],
        json!([]),
        "reset drops output artifacts"
    );

    // created → completed is not a ClearML transition; created → failed neither; in_progress → failed is.
    let (code, _) = s.call(&t, "tasks.completed", json!({"task": id})).await;
    assert_eq!(code, 400);
    s.ok(&t, "tasks.started", json!({"task": id})).await;
    s.ok(&t, "tasks.started", json!({"task": id})).await; // same status is allowed
    let d = s
        .ok(
            &t,
            "tasks.failed",
            json!({"task": id, "status_reason": "boom", "status_message": "exception"}),
        )
        .await;
    assert_eq!(d["fields"]["status"], "failed");
    assert_eq!(d["fields"]["status_message"], "exception");

    // Hyper-parameters and configuration.
    let (_, id2) = s.task(&t, "examples", "params task").await;
    s.ok(&t, "tasks.edit_hyper_params", json!({"task": id2, "hyperparams": [{"section": "Args", "name": "lr", "value": "0.1", "type": "float"}]})).await;
    let p = s
        .ok(&t, "tasks.get_hyper_params", json!({"tasks": [id2]}))
        .await;
    assert_eq!(p["params"][0]["hyperparams"][0]["value"], "0.1");
    s.ok(
        &t,
        "tasks.edit_configuration",
        json!({"task": id2, "configuration": [{"name": "cfg", "value": "a: 1", "type": "yaml"}]}),
    )
    .await;
    let c = s
        .ok(&t, "tasks.get_configurations", json!({"tasks": [id2]}))
        .await;
    assert_eq!(c["configurations"][0]["configuration"][0]["value"], "a: 1");

    // Delete.
    let (code, v) = s.call(&t, "tasks.delete", json!({"task": id})).await;
    assert_eq!(
        (code, v["meta"]["result_subcode"].as_u64()),
        (400, Some(123)),
        "a failed task needs force"
    );
    let d = s
        .ok(&t, "tasks.delete", json!({"task": id, "force": true}))
        .await;
    assert_eq!(d["deleted"], true);
    assert!(d.get("urls").is_none(), "{d}");
    let (code, _) = s.call(&t, "tasks.get_by_id", json!({"task": id})).await;
    assert_eq!(code, 400);
    s.stop().await;
}

#[tokio::test]
async fn events_batches_as_json_lines() {
    let s = TestServer::start().await;
    let t = s.login().await;
    let (_, id) = s.task(&t, "examples", "events task").await;
    let lines = [
        json!({"timestamp": 1, "type": "log", "task": id, "level": "info", "msg": "hello", "method": "get"}),
        json!({"timestamp": 2, "type": "training_stats_scalar", "task": id, "iter": 7, "metric": "loss", "variant": "train", "value": 0.5}),
        json!({"timestamp": 3, "type": "log", "task": "ffffffffffffffffffffffffffffffff", "msg": "lost"}),
    ];
    let body: String = lines.iter().map(|l| format!("{l}\n")).collect();
    let r = s
        .http
        .get(format!("{}{}", s.api, versioned_path("events.add_batch")))
        .bearer_auth(&t)
        .header("Content-Type", "application/json-lines")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["data"]["added"], 2);
    assert_eq!(v["data"]["errors"], 1);
    let log = s.ok(&t, "events.get_task_log", json!({"task": id})).await;
    assert_eq!(log["events"].as_array().unwrap().len(), 1);
    assert_eq!(log["events"][0]["msg"], "hello");
    let task = s.ok(&t, "tasks.get_by_id", json!({"task": id})).await;
    assert_eq!(task["task"]["last_iteration"], 7);
    s.stop().await;
}

#[tokio::test]
async fn concurrent_artifact_upserts_lose_nothing() {
    let s = TestServer::start().await;
    let t = s.login().await;
    let (_, id) = s.task(&t, "examples", "concurrent task").await;
    s.ok(&t, "tasks.started", json!({"task": id})).await;
    let mut joins = Vec::new();
    for c in 0..8 {
        let (http, api, t, id) = (s.http.clone(), s.api.clone(), t.clone(), id.clone());
        joins.push(tokio::spawn(async move {
            for i in 0..10 {
                // Each client resends its growing list, as the SDK does, plus one shared key.
                let mut arts: Vec<Value> = (0..=i)
                    .map(|j| json!({"key": format!("c{c}-a{j}"), "type": "custom", "uri": format!("file:///{c}/{j}"), "hash": format!("{c}{j}")}))
                    .collect();
                arts.push(json!({"key": "shared", "type": "custom", "uri": format!("file:///shared/{c}")}));
                let r = http
                    .get(format!("{api}{}", versioned_path("tasks.add_or_update_artifacts")))
                    .bearer_auth(&t)
                    .json(&json!({"task": id, "force": true, "artifacts": arts}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
            }
        }));
    }
    for j in joins {
        j.await.unwrap();
    }
    let task = s.ok(&t, "tasks.get_by_id", json!({"task": id})).await["task"].clone();
    let arts = task["execution"]["artifacts"].as_array().unwrap();
    assert_eq!(arts.len(), 81);
    let keys: Vec<&str> = arts.iter().map(|a| a["key"].as_str().unwrap()).collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "sorted by key");
    for c in 0..8 {
        for j in 0..10 {
            let k = format!("c{c}-a{j}");
            let a = arts
                .iter()
                .find(|a| a["key"] == k.as_str())
                .unwrap_or_else(|| panic!("{k} lost"));
            assert_eq!(a["uri"], format!("file:///{c}/{j}"));
        }
    }
    let stored = s.srv().store.list_artifacts(&id).await.unwrap();
    assert_eq!(stored.len(), 81);

    // Deleting by (key, mode).
    let d = s
        .ok(&t, "tasks.delete_artifacts", json!({"task": id, "force": true, "artifacts": [{"key": "shared"}, {"key": "c0-a0", "mode": "output"}, {"key": "nope"}]}))
        .await;
    assert_eq!(d["deleted"], 2);
    s.stop().await;
}

#[tokio::test]
async fn delete_artifacts_can_delete_files_on_this_server() {
    let s = TestServer::start().await;
    let t = s.login().await;
    let (_, id) = s.task(&t, "examples", "delete files task").await;
    let mut arts = Vec::new();
    for name in ["one", "two"] {
        let path = format!("/examples/delete files task.{id}/artifacts/{name}/{name}.txt");
        let form = reqwest::multipart::Form::new().part(
            path.clone(),
            reqwest::multipart::Part::bytes(name.as_bytes().to_vec()).file_name(path.clone()),
        );
        let r = s
            .http
            .post(format!("{}/", s.files))
            .bearer_auth(&t)
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let uri = format!("{}{}", s.files, path.replace(' ', "%20"));
        arts.push(json!({"key": name, "type": "custom", "uri": uri}));
    }
    // A URI elsewhere is never touched.
    arts.push(json!({"key": "elsewhere", "type": "custom", "uri": "http://example.invalid/x.txt"}));
    s.ok(
        &t,
        "tasks.add_or_update_artifacts",
        json!({"task": id, "artifacts": arts}),
    )
    .await;
    let file = |n: &str| {
        s.home.path().join(format!(
            "files/examples/delete files task.{id}/artifacts/{n}/{n}.txt"
        ))
    };
    assert!(file("one").exists() && file("two").exists());

    // Plain ClearML call: the record goes, the bytes stay.
    let d = s
        .ok(
            &t,
            "tasks.delete_artifacts",
            json!({"task": id, "artifacts": [{"key": "one"}]}),
        )
        .await;
    assert_eq!(
        (d["deleted"].as_u64(), d["files_deleted"].as_u64()),
        (Some(1), Some(0))
    );
    assert!(file("one").exists());
    // trove extension: delete_files removes bytes stored on this files server.
    let d = s
        .ok(&t, "tasks.delete_artifacts", json!({"task": id, "artifacts": [{"key": "two"}, {"key": "elsewhere"}], "delete_files": true}))
        .await;
    assert_eq!(
        (d["deleted"].as_u64(), d["files_deleted"].as_u64()),
        (Some(2), Some(1))
    );
    assert!(!file("two").exists());
    s.stop().await;
}

/// `trove server --home <folder the SDK recorded into>` serves what the embedded SDK wrote to its SQLite file.
#[tokio::test]
async fn serves_a_home_written_by_the_embedded_sdk() {
    let home = tempfile::tempdir().unwrap();
    let opts = crate::common::options(home.path(), false);
    assert_eq!(
        opts.db_url(),
        format!("sqlite://{}", home.path().join("trove.db").display())
    );
    {
        let store = trove_store::open(&opts.db_url()).await.unwrap();
        let p = store.ensure_project("recorded/sub").await.unwrap();
        let t = store
            .create_task(trove_store::NewTask {
                project: p.id,
                name: "embedded run".into(),
                ..Default::default()
            })
            .await
            .unwrap();
        let mut a = trove_core::ArtifactRecord::new("metrics", "JSON");
        a.uri = Some(format!("file://{}/artifacts/m.json", home.path().display()));
        a.display_data = vec![("z".into(), "1".into()), ("a".into(), "2".into())];
        store.upsert_artifacts(&t.id, &[a]).await.unwrap();
    }
    let srv = trove_server::start(opts).await.unwrap();
    let (k, s) = srv.initial_credentials.clone().unwrap();
    let http = reqwest::Client::new();
    let login: Value = http
        .get(format!("http://{}/auth.login", srv.api_addr))
        .basic_auth(&k, Some(&s))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let t = login["data"]["token"].as_str().unwrap();
    let r: Value = http
        .get(format!(
            "http://{}{}",
            srv.api_addr,
            versioned_path("tasks.get_all")
        ))
        .bearer_auth(t)
        .body(json!({"name": "^embedded run$"}).to_string())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let task = &r["data"]["tasks"][0];
    assert_eq!(task["name"], "embedded run");
    assert_eq!(task["execution"]["artifacts"][0]["key"], "metrics");
    assert_eq!(
        task["execution"]["artifacts"][0]["display_data"],
        json!([["a", "2"], ["z", "1"]])
    );
    let web: Value = http
        .get(format!("http://{}/api/health", srv.web_addr))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(web["status"], "ok");
    srv.shutdown().await;
}

#[tokio::test]
async fn artifact_versions_and_trove_record_fields() {
    let s = TestServer::start().await;
    let t = s.login().await;
    let (_, id) = s.task(&t, "versions", "registered").await;
    s.ok(&t, "tasks.started", json!({"task": id})).await;

    // trove's `state` and `error` survive the round trip through the API.
    let arts = json!([
        {"key": "train", "type": "pandas", "uri": "http://files/x.csv.gz", "hash": "h2", "content_size": 7,
         "state": "uploading"},
        {"key": "broken", "type": "custom", "state": "failed", "error": "disk full: no space left"},
        {"key": "plain", "type": "dict", "uri": "http://files/p.json"}
    ]);
    s.ok(
        &t,
        "tasks.add_or_update_artifacts",
        json!({"task": id, "artifacts": arts, "force": true}),
    )
    .await;
    let task = s.ok(&t, "tasks.get_by_id", json!({"task": id})).await;
    let got = task["task"]["execution"]["artifacts"].as_array().unwrap();
    let by_key = |k: &str| got.iter().find(|a| a["key"] == k).unwrap().clone();
    assert_eq!(by_key("train")["state"], "uploading");
    assert_eq!(by_key("broken")["state"], "failed");
    assert_eq!(by_key("broken")["error"], "disk full: no space left");
    assert_eq!(
        by_key("plain")["state"],
        "ready",
        "absent state means ready"
    );
    assert!(by_key("plain").get("error").is_none());
    let parsed: Vec<trove_core::ArtifactRecord> =
        serde_json::from_value(task["task"]["execution"]["artifacts"].clone()).unwrap();
    assert_eq!(parsed.len(), 3);

    // No versions yet.
    let d = s
        .ok(
            &t,
            "tasks.get_artifact_versions",
            json!({"task": id, "key": "train"}),
        )
        .await;
    assert_eq!(d["versions"], json!([]));

    let version = |n: u32| trove_core::ArtifactVersion {
        version: n,
        timestamp: 1_700_000_000 + i64::from(n),
        hash: format!("hash{n}"),
        content_size: 100 + u64::from(n),
        uri: format!("http://files/train.{n}.csv.gz"),
        data_hash: Some(format!("data{n}")),
    };
    for n in 1..=3 {
        let d = s
            .ok(
                &t,
                "tasks.add_artifact_version",
                json!({"task": id, "key": "train", "version": version(n)}),
            )
            .await;
        assert_eq!(d["added"], 1);
    }
    let d = s
        .ok(
            &t,
            "tasks.get_artifact_versions",
            json!({"task": id, "key": "train"}),
        )
        .await;
    let versions: Vec<trove_core::ArtifactVersion> =
        serde_json::from_value(d["versions"].clone()).unwrap();
    assert_eq!(versions, (1..=3).map(version).collect::<Vec<_>>());
    // Other keys have their own history.
    let d = s
        .ok(
            &t,
            "tasks.get_artifact_versions",
            json!({"task": id, "key": "plain"}),
        )
        .await;
    assert_eq!(d["versions"], json!([]));

    // A duplicate and a gap are conflicts (409 envelope), and change nothing.
    for n in [2, 5] {
        let (code, v) = s
            .call(
                &t,
                "tasks.add_artifact_version",
                json!({"task": id, "key": "train", "version": version(n)}),
            )
            .await;
        assert_eq!(code, 409, "{v}");
        assert!(
            v["meta"]["result_msg"].as_str().unwrap().contains("train"),
            "{v}"
        );
    }
    let d = s
        .ok(
            &t,
            "tasks.get_artifact_versions",
            json!({"task": id, "key": "train"}),
        )
        .await;
    assert_eq!(d["versions"].as_array().unwrap().len(), 3);

    // Bad requests: unknown task, missing or malformed version.
    let missing = "0".repeat(32);
    let (code, v) = s
        .call(
            &t,
            "tasks.add_artifact_version",
            json!({"task": missing, "key": "train", "version": version(1)}),
        )
        .await;
    assert_eq!(
        (code, v["meta"]["result_subcode"].as_u64()),
        (400, Some(101))
    );
    let (code, _) = s
        .call(
            &t,
            "tasks.get_artifact_versions",
            json!({"task": missing, "key": "train"}),
        )
        .await;
    assert_eq!(code, 400);
    for bad in [
        json!({"task": id, "key": "train"}),
        json!({"task": id, "key": "train", "version": {"version": 4}}),
        json!({"task": id, "version": version(4)}),
        json!({"task": id, "key": "train", "version": version(0)}),
    ] {
        let (code, v) = s.call(&t, "tasks.add_artifact_version", bad.clone()).await;
        assert_eq!(code, 400, "{bad}: {v}");
        assert_eq!(v["meta"]["result_subcode"], 12, "{v}");
    }
    s.stop().await;
}
