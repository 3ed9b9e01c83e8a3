//! Items 6, 7 and 9: attacks through a victim's browser (DNS rebinding, cross-site requests, open redirects,
//! uploaded pages, cookies) and what errors reveal.

use crate::attacks::harness::{Conf, Proc, Server, raw, status_of};
use serde_json::json;
use std::net::SocketAddr;
use std::time::Duration;

fn request(addr: SocketAddr, head: &str, body: &str) -> String {
    let req = format!(
        "{head}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    raw(addr, req.as_bytes(), Duration::from_secs(20))
}

/// What a page on evil.example can make a browser send to a server without authentication.
fn browser_attacks_are_refused(api: &str, files: &str, web: &str) {
    let (api, files, web) = (Server::sock(api), Server::sock(files), Server::sock(web));
    // DNS rebinding: the browser names the attacker's host.
    for addr in [api, files, web] {
        let a = request(addr, "GET / HTTP/1.1\r\nHost: rebind.evil.example", "");
        assert_eq!(status_of(&a), 403, "{addr}: {a}");
    }
    let a = request(
        api,
        "GET /v2.23/projects.get_all HTTP/1.1\r\nHost: rebind.evil.example",
        "",
    );
    assert_eq!(status_of(&a), 403, "{a}");
    // A cross-site "simple" POST (text/plain, no preflight).
    let body = r#"{"name":"pwned"}"#;
    let a = request(
        api,
        &format!(
            "POST /v2.23/projects.create HTTP/1.1\r\nHost: {api}\r\nOrigin: http://evil.example\r\nContent-Type: text/plain"
        ),
        body,
    );
    assert_eq!(status_of(&a), 403, "{a}");
    let a = request(
        api,
        &format!(
            "POST /v2.23/projects.create HTTP/1.1\r\nHost: {api}\r\nSec-Fetch-Site: cross-site\r\nContent-Type: text/plain"
        ),
        body,
    );
    assert_eq!(status_of(&a), 403, "{a}");
    // Without browser headers a text/plain body is still refused.
    let a = request(
        api,
        &format!("POST /v2.23/projects.create HTTP/1.1\r\nHost: {api}\r\nContent-Type: text/plain"),
        body,
    );
    assert_eq!(status_of(&a), 415, "{a}");
    // The same-origin JSON call works (the server is usable locally).
    let a = request(
        api,
        &format!(
            "POST /v2.23/projects.get_all HTTP/1.1\r\nHost: localhost:{}\r\nContent-Type: application/json",
            api.port()
        ),
        "{}",
    );
    assert_eq!(status_of(&a), 200, "{a}");
    let a = request(
        files,
        &format!(
            "POST / HTTP/1.1\r\nHost: {files}\r\nOrigin: http://evil.example\r\nContent-Type: multipart/form-data; boundary=X"
        ),
        "--X--\r\n",
    );
    assert_eq!(status_of(&a), 403, "{a}");
}

#[test]
fn no_auth_servers_refuse_rebinding_and_cross_site_requests() {
    let tmp = tempfile::tempdir().unwrap();
    let s = Server::start(&tmp.path().join("home"), Conf::default(), &["--no-auth"]);
    browser_attacks_are_refused(&s.api, &s.files, &s.web);
    let a = request(
        Server::sock(&s.web),
        &format!("GET /projects HTTP/1.1\r\nHost: {}", Server::sock(&s.web)),
        "",
    );
    assert_eq!(status_of(&a), 200, "{a}");
}

#[test]
fn the_demo_server_refuses_them_too() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    Conf::default().write(&home);
    let mut demo = Proc::start(&home, &["demo"], &[]);
    let limit = Duration::from_secs(300);
    let line = |p: &mut Proc, what: &str| {
        let l = p
            .wait_line(what, limit)
            .unwrap_or_else(|| panic!("demo did not print {what:?}:\n{}", p.text()));
        let at = l.find("http://").unwrap();
        l[at..].split_whitespace().next().unwrap().to_string()
    };
    let web = line(&mut demo, "web server listening on");
    let api = line(&mut demo, "API server listening on");
    let files = line(&mut demo, "files server listening on");
    browser_attacks_are_refused(&api, &files, &web);
}

#[test]
fn login_redirects_uploaded_pages_cookies_and_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let s = Server::start(&home, Conf::default(), &[]);
    let token = s.login();

    // Open redirect after login: whitespace a browser strips, backslashes, scheme-relative URLs.
    for next in [
        "/\t/evil.example",
        "//evil.example",
        "/\\evil.example",
        "https://evil.example",
    ] {
        let r = s
            .http
            .post(format!("{}/login", s.web))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(crate::attacks::harness::form(&[
                ("access_key", s.access.as_str()),
                ("secret_key", s.secret.as_str()),
                ("next", next),
            ]))
            .send()
            .unwrap();
        assert_eq!(r.status(), 303);
        assert_eq!(r.headers()["location"], "/projects", "{next:?}");
    }
    let r = s
        .http
        .post(format!("{}/login", s.web))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(crate::attacks::harness::form(&[
            ("access_key", s.access.as_str()),
            ("secret_key", s.secret.as_str()),
            ("next", "/tasks/x?a=1"),
        ]))
        .send()
        .unwrap();
    assert_eq!(r.headers()["location"], "/tasks/x?a=1");
    let plain = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(!plain.contains("Secure"), "{plain}");
    // Behind an https reverse proxy the cookie is Secure.
    let r = s
        .http
        .post(format!("{}/login", s.web))
        .header("X-Forwarded-Proto", "https")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(crate::attacks::harness::form(&[
            ("access_key", s.access.as_str()),
            ("secret_key", s.secret.as_str()),
        ]))
        .send()
        .unwrap();
    assert!(
        r.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("; Secure")
    );

    // Stored XSS through the files server: active types are attachments, nothing is sniffed.
    for (name, body) in [
        ("p/x.html", "<script>alert(document.cookie)</script>"),
        (
            "p/x.svg",
            "<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>",
        ),
        ("p/x.xml", "<x/>"),
        ("p/x.png", "not really a png"),
    ] {
        let form = reqwest::blocking::multipart::Form::new()
            .percent_encode_noop()
            .part(
                name.to_string(),
                reqwest::blocking::multipart::Part::bytes(body.as_bytes().to_vec()).file_name("f"),
            );
        let r = s
            .http
            .post(format!("{}/", s.files))
            .bearer_auth(&token)
            .multipart(form)
            .send()
            .unwrap();
        assert_eq!(r.status(), 200);
        let r = s
            .http
            .get(format!("{}/{name}", s.files))
            .bearer_auth(&token)
            .send()
            .unwrap();
        let h = r.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{name}");
        assert!(
            h["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("sandbox")
        );
        let disposition = h
            .get("content-disposition")
            .map(|v| v.to_str().unwrap().to_string());
        if name.ends_with(".png") {
            assert_eq!(h["content-type"], "image/png");
        } else {
            assert!(
                disposition.unwrap_or_default().starts_with("attachment"),
                "{name}"
            );
            assert_eq!(h["content-type"], "application/octet-stream", "{name}");
        }
    }

    // Errors never name the server's folders or echo store errors.
    std::fs::remove_dir_all(home.join("files")).unwrap();
    std::fs::write(home.join("files"), b"now a file").unwrap();
    let form = reqwest::blocking::multipart::Form::new()
        .percent_encode_noop()
        .part(
            "q/y.txt",
            reqwest::blocking::multipart::Part::bytes(b"y".to_vec()).file_name("y"),
        );
    let r = s
        .http
        .post(format!("{}/", s.files))
        .bearer_auth(&token)
        .multipart(form)
        .send()
        .unwrap();
    assert_eq!(r.status(), 500);
    let body = r.text().unwrap();
    assert!(body.contains("incident"), "{body}");
    assert!(!body.contains(&home.display().to_string()), "{body}");

    // Names are escaped on every page (templates escape by default).
    let pid = s.ok(
        &token,
        "projects.create",
        json!({"name": "<script>alert('p')</script>"}),
    )["id"]
        .as_str()
        .unwrap()
        .to_string();
    let cookie = s.web_login(&s.access, &s.secret);
    for path in ["/projects".to_string(), format!("/projects/{pid}")] {
        let (st, page) = s.web_get(&cookie, &path);
        assert_eq!(st, 200);
        assert!(!page.contains("<script>alert('p')"), "{path}");
        assert!(page.contains("&lt;script&gt;alert(&#39;p&#39;)"), "{path}");
    }
}

#[test]
fn short_token_secrets_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::write(
        home.join("trove.toml"),
        "token_secret = \"short\"\n[server]\napi_port = 0\nfiles_port = 0\nweb_port = 0\n",
    )
    .unwrap();
    let mut p = Proc::start(&home, &["server"], &[]);
    assert!(matches!(p.wait_exit(Duration::from_secs(60)), Some(c) if c != 0));
    assert!(p.text().contains("at least 32"), "{}", p.text());
}
