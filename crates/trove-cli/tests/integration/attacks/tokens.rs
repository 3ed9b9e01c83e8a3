//! Item 2 (revocation, token lifetime, renewal) and the token-forging part of item 1, plus login throttling
//! (item 7): a revoked key stops working at once everywhere, on one server and on two sharing PostgreSQL.

use crate::attacks::harness::{Conf, Proc, SECRET, Server};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use std::path::Path;
use std::time::Duration;

fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

/// `trove credentials …` as its own process (as an administrator would run it).
pub(crate) fn credentials(home: &Path, args: &[&str]) -> String {
    let mut all = vec!["credentials"];
    all.extend(args);
    let mut p = Proc::start(home, &all, &[]);
    assert_eq!(
        p.wait_exit(Duration::from_secs(60)),
        Some(0),
        "{args:?}: {}",
        p.text()
    );
    p.text()
}

pub(crate) fn new_key(home: &Path, extra: &[&str]) -> (String, String) {
    let mut args = vec!["create"];
    args.extend(extra);
    let out = credentials(home, &args);
    let v = |k: &str| {
        out.lines()
            .find_map(|l| l.strip_prefix(&format!("{k} = ")))
            .unwrap()
            .trim_matches('"')
            .to_string()
    };
    (v("access_key"), v("secret_key"))
}

fn renew(s: &Server, token: &str) -> reqwest::blocking::Response {
    s.http
        .get(format!("{}/auth.login", s.api))
        .bearer_auth(token)
        .send()
        .unwrap()
}

#[test]
fn revoked_keys_stop_working_at_once_and_tokens_do_not_outlive_their_ttl() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let s = Server::start(&home, Conf::default(), &["--token-ttl-secs", "600"]);
    let token = s.login();
    let c = claims(&token);
    assert_eq!(c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap(), 600);

    let (k2, s2) = new_key(&home, &[]);
    let t2 = s.login_as(&k2, &s2);
    let cookie = s.web_login(&k2, &s2);
    s.ok(&t2, "projects.get_all", json!({}));
    assert_eq!(s.web_get(&cookie, "/projects").0, 200);

    // Renewing with a bearer token never extends its life.
    std::thread::sleep(Duration::from_millis(1100));
    let r = renew(&s, &t2);
    assert_eq!(r.status(), 200);
    let renewed = r.json::<Value>().unwrap()["data"]["token"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(claims(&renewed)["exp"].as_i64() <= claims(&t2)["exp"].as_i64());

    credentials(&home, &["revoke", &k2]);
    let (code, v) = s.call(&t2, "projects.get_all", json!({}));
    assert_eq!(code, 401, "a revoked key's token still works: {v}");
    assert_eq!(s.call(&renewed, "projects.get_all", json!({})).0, 401);
    assert_eq!(renew(&s, &t2).status(), 401, "renewal of a revoked key");
    let files = s
        .http
        .get(format!("{}/any/file", s.files))
        .bearer_auth(&t2)
        .send()
        .unwrap();
    assert_eq!(files.status(), 401, "files server");
    let (st, _) = s.web_get(&cookie, "/projects");
    assert_eq!(st, 303, "the web session of a revoked key ends");
    let r = s
        .http
        .get(format!("{}/auth.login", s.api))
        .basic_auth(&k2, Some(&s2))
        .send()
        .unwrap();
    assert_eq!(r.status(), 401);
    // The other key is unaffected.
    s.ok(&token, "projects.get_all", json!({}));
}

#[test]
fn forged_tokens_and_sessions_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let s = Server::start(&tmp.path().join("home"), Conf::default(), &[]);
    let token = s.login();
    let mut c = claims(&token);
    c["identity"]["user"] = json!("someone-else");
    let head_none = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
    let body = URL_SAFE_NO_PAD.encode(c.to_string());
    let sign = |key: &[u8]| {
        jsonwebtoken::encode(
            &jsonwebtoken::Header::default(),
            &c,
            &jsonwebtoken::EncodingKey::from_secret(key),
        )
        .unwrap()
    };
    for (what, forged) in [
        ("alg none", format!("{head_none}.{body}.")),
        ("empty key", sign(b"")),
        ("guessed key", sign(b"secret")),
        // A token for a key that does not exist, signed with the real secret (as if it had leaked).
        ("unknown key", sign(SECRET.as_bytes())),
    ] {
        assert_eq!(
            s.call(&forged, "projects.get_all", json!({})).0,
            401,
            "{what}"
        );
    }
    // A session cookie with a made-up signature.
    let (st, _) = s.web_get("trove_session=v1.YWRtaW4.99999999999.00", "/projects");
    assert_eq!(st, 303);
}

#[test]
fn failed_logins_are_throttled_on_the_api_and_the_web() {
    let tmp = tempfile::tempdir().unwrap();
    let s = Server::start(&tmp.path().join("home"), Conf::default(), &[]);
    let mut codes = Vec::new();
    for _ in 0..12 {
        let r = s
            .http
            .get(format!("{}/auth.login", s.api))
            .basic_auth(&s.access, Some("wrong"))
            .send()
            .unwrap();
        codes.push(r.status().as_u16());
    }
    assert_eq!(&codes[..10], &[401; 10]);
    assert_eq!(&codes[10..], &[429, 429], "{codes:?}");
    // Even the right secret waits now (from this address, for this key).
    let r = s
        .http
        .get(format!("{}/auth.login", s.api))
        .basic_auth(&s.access, Some(&s.secret))
        .send()
        .unwrap();
    assert_eq!(r.status(), 429);
    let msg = r.json::<Value>().unwrap()["meta"]["result_msg"].to_string();
    assert!(msg.contains("try again"), "{msg}");
    // The web login shares the throttle.
    let r = s
        .http
        .post(format!("{}/login", s.web))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(crate::attacks::harness::form(&[
            ("access_key", s.access.as_str()),
            ("secret_key", s.secret.as_str()),
        ]))
        .send()
        .unwrap();
    assert_eq!(r.status(), 429);
}
