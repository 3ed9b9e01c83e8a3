//! Items 1 and 3: a key holder records uris naming the server's own files, other local files, or other hosts,
//! then asks the web UI and the files server for them. The server reads only its configured storage roots
//! and contacts no host a record names.

use crate::attacks::harness::{Conf, SECRET, Server, mode, raw, status_of};
use serde_json::json;
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

/// What must never come back: the password file, SQLite's header, the token secret.
fn assert_no_secret(what: &str, body: &str) {
    for needle in ["root:x:0:0", "SQLite format 3", SECRET, "token_secret"] {
        assert!(!body.contains(needle), "{what} leaked {needle:?}: {body}");
    }
}

/// A host that counts the connections it gets (the attacker's endpoint).
struct Trap {
    port: u16,
    hits: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
}

impl Trap {
    fn start() -> Self {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.set_nonblocking(true).unwrap();
        let port = l.local_addr().unwrap().port();
        let (hits, stop) = (
            Arc::new(AtomicUsize::new(0)),
            Arc::new(AtomicBool::new(false)),
        );
        let (h, s) = (hits.clone(), stop.clone());
        std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                match l.accept() {
                    Ok(_) => {
                        h.fetch_add(1, Ordering::SeqCst);
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        Self { port, hits, stop }
    }
}

impl Drop for Trap {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

#[test]
fn records_cannot_make_the_server_read_local_files() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let s = Server::start(&home, Conf::default(), &[]);
    let token = s.login();
    let task = s.task(&token, "reader");
    let h = home.display();

    // A legitimate artifact in the embedded artifacts folder is served (the control).
    std::fs::create_dir_all(home.join("artifacts/ok")).unwrap();
    std::fs::write(home.join("artifacts/ok/fine.txt"), b"fine bytes").unwrap();
    s.record(&token, &task, "fine", &format!("{h}/artifacts/ok/fine.txt"));
    // Symbolic links inside the root that lead to the database and the password file.
    std::os::unix::fs::symlink(home.join("trove.db"), home.join("artifacts/ok/db.txt")).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", home.join("artifacts/ok/passwd.json")).unwrap();
    let hostile = [
        ("passwd", "file:///etc/passwd".to_string()),
        ("passwd path", "/etc/passwd".to_string()),
        ("db", format!("{h}/trove.db")),
        ("db via dots", format!("file://{h}/artifacts/../trove.db")),
        ("config", format!("{h}/trove.toml")),
        ("db via link", format!("{h}/artifacts/ok/db.txt")),
        ("passwd via link", format!("{h}/artifacts/ok/passwd.json")),
        ("passwd as json", "file:///etc/passwd.json".to_string()),
        ("db as json", format!("{h}/artifacts/../trove.db/x.json")),
        ("db via files url", format!("{}/../trove.db", s.files)),
        (
            "db via encoded dots",
            format!("{}/%2e%2e/trove.db", s.files),
        ),
    ];
    for (key, uri) in &hostile {
        s.record(&token, &task, key, uri);
    }
    let cookie = s.web_login(&s.access, &s.secret);
    let (st, body) = s.web_get(&cookie, &format!("/files/{task}/fine"));
    assert_eq!((st, body.as_str()), (200, "fine bytes"));
    for (key, uri) in &hostile {
        let enc = key.replace(' ', "%20");
        let (st, body) = s.web_get(&cookie, &format!("/files/{task}/{enc}"));
        assert_ne!(st, 200, "{key} ({uri}) was served: {body}");
        assert_no_secret(key, &body);
        let (st, body) = s.web_get(&cookie, &format!("/preview/{task}/{enc}?mode=output"));
        assert_eq!(st, 200, "{key}");
        assert_no_secret(key, &body);
        assert!(body.contains("recorded preview"), "{key} ({uri}): {body}");
        // A previewable name would be read: the preview says why it was not.
        if uri.ends_with(".json") {
            assert!(body.contains("never read"), "{key} ({uri}): {body}");
        }
    }

    // Versions of registered artifacts go through the same gate.
    s.ok(
        &token,
        "tasks.add_artifact_version",
        json!({"task": task, "key": "fine", "version": {"version": 1, "uri": "file:///etc/passwd",
               "hash": "0", "content_size": 1, "timestamp": 1}}),
    );
    let (st, body) = s.web_get(&cookie, &format!("/files/{task}/fine?version=1"));
    assert_ne!(st, 200);
    assert_no_secret("version", &body);

    // The files server itself: traversal is refused, a 404 does not name the files folder.
    let files = Server::sock(&s.files);
    for path in [
        "/../trove.db",
        "/%2e%2e/trove.db",
        "/..%2ftrove.db",
        "//etc/passwd",
    ] {
        let req = format!(
            "GET {path} HTTP/1.1\r\nHost: {files}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
        );
        let answer = raw(files, req.as_bytes(), Duration::from_secs(10));
        assert!(matches!(status_of(&answer), 400 | 404), "{path}: {answer}");
        assert_no_secret(path, &answer);
    }
    let r = s
        .http
        .get(format!("{}/no/such/file.bin", s.files))
        .bearer_auth(&token)
        .send()
        .unwrap();
    assert_eq!(r.status(), 404);
    let body = r.text().unwrap();
    assert!(!body.contains(&h.to_string()), "404 names the home: {body}");
    assert!(body.contains("no/such/file.bin"), "{body}");

    // The home, its database and uploaded files are private to the server's user.
    assert_eq!(mode(&home), 0o700);
    assert_eq!(mode(&home.join("trove.db")), 0o600);
    assert_eq!(mode(&home.join("files")), 0o700);
    let form = reqwest::blocking::multipart::Form::new()
        .percent_encode_noop()
        .part(
            "p/t/up.txt",
            reqwest::blocking::multipart::Part::bytes(b"x".to_vec()).file_name("up.txt"),
        );
    let r = s
        .http
        .post(format!("{}/", s.files))
        .bearer_auth(&token)
        .multipart(form)
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        mode(&home.join("files/p/t/up.txt")) & 0o077,
        0,
        "uploads are not world-readable"
    );
}

#[test]
fn a_files_folder_or_allowed_destination_holding_secrets_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    for (i, (server, flags)) in [
        ("", vec!["--storage", "HOME"]),
        ("allowed_destinations = [\"HOME\"]", vec![]),
        ("allowed_destinations = [\"PARENT\"]", vec![]),
    ]
    .into_iter()
    .enumerate()
    {
        let home = tmp.path().join(format!("h{i}"));
        let fill = |v: &str| {
            v.replace("HOME", &home.display().to_string())
                .replace("PARENT", &tmp.path().display().to_string())
        };
        let server = fill(server);
        let flags: Vec<String> = flags.iter().map(|f| fill(f)).collect();
        let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
        Conf {
            server: &server,
            ..Default::default()
        }
        .write(&home);
        let mut args = vec!["server"];
        args.extend(&flags);
        let mut p = crate::attacks::harness::Proc::start(&home, &args, &[]);
        let code = p.wait_exit(Duration::from_secs(60));
        assert!(
            matches!(code, Some(c) if c != 0),
            "{server} {flags:?}: {}",
            p.text()
        );
        assert!(
            p.text().contains("holds the server's secrets"),
            "{}",
            p.text()
        );
    }
}

#[test]
fn records_and_forms_cannot_make_the_server_contact_other_hosts() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let trap = Trap::start();
    let port = trap.port;
    // The server has cloud credentials: opened naively, a record's host would receive signed requests.
    let tables = "[s3]\nkey = \"AKIATROVE\"\nsecret = \"server-secret\"\nregion = \"us-east-1\"\n\
                  [azure]\naccount_name = \"acct\"\naccount_key = \"c2VydmVyLWtleQ==\"\n";
    let s = Server::start(
        &home,
        Conf {
            tables,
            ..Default::default()
        },
        &[],
    );
    let token = s.login();
    let task = s.task(&token, "ssrf");
    let uris = [
        format!("s3://127.0.0.1:{port}/bucket/x.csv.gz"),
        format!("s3://localhost:{port}/bucket/y.json"),
        format!("azure://127.0.0.1:{port}/cont/z.parquet"),
        format!("http://127.0.0.1:{port}/files/w.npz"),
        format!("https://127.0.0.1:{port}/v.zip"),
    ];
    let cookie = s.web_login(&s.access, &s.secret);
    for (i, uri) in uris.iter().enumerate() {
        let key = format!("remote{i}");
        s.record(&token, &task, &key, uri);
        let (_, body) = s.web_get(&cookie, &format!("/preview/{task}/{key}?mode=output"));
        assert!(body.contains("recorded preview"), "{uri}: {body}");
        let (st, _) = s.web_get(&cookie, &format!("/files/{task}/{key}"));
        assert_ne!(st, 200, "{uri}");
    }
    // The destination form saves such values without a write test (nothing is contacted).
    let pid = s.ok(&token, "projects.create", json!({"name": "ssrf-form"}))["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, page) = s.web_get(&cookie, &format!("/projects/{pid}"));
    let at = page.find(r#"name="csrf" value=""#).unwrap() + 19;
    let csrf = &page[at..at + 64];
    let value = format!("s3://127.0.0.1:{port}/bucket/prefix");
    let r = s
        .http
        .post(format!("{}/projects/{pid}/settings", s.web))
        .header("cookie", &cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(crate::attacks::harness::form(&[
            ("csrf", csrf),
            ("default_output_destination", value.as_str()),
        ]))
        .send()
        .unwrap();
    assert!(
        r.status().is_redirection() || r.status() == 200,
        "{}",
        r.status()
    );
    let saved = s.ok(&token, "projects.get_by_id", json!({"project": pid}));
    assert_eq!(
        saved["project"]["default_output_destination"],
        value.as_str()
    );
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        trap.hits.load(Ordering::SeqCst),
        0,
        "the server connected to a host named in a record or form"
    );
}
