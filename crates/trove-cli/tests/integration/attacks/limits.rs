//! Items 4 and 5: nobody without credentials makes the server read a big body; bodies, idle connections and
//! uploads are bounded; connections are capped; a Parquet bomb costs its preview nothing.

use crate::attacks::bomb::parquet_bomb;
use crate::attacks::harness::{Conf, Server, raw, status_of};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// POST `len` bytes of JSON-ish filler to `path` without credentials; the status (0 when the server cut
/// the connection before answering).
fn flood(addr: std::net::SocketAddr, path: &str, len: usize) -> u16 {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {len}\r\n\r\n["
    );
    let _ = s.write_all(head.as_bytes());
    let chunk = "0,".repeat(32 * 1024);
    let mut sent = 1;
    while sent < len {
        if s.write_all(chunk.as_bytes()).is_err() {
            break;
        }
        sent += chunk.len();
    }
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    status_of(&String::from_utf8_lossy(&buf))
}

#[test]
fn unauthenticated_bodies_are_never_read_and_memory_stays_flat() {
    let tmp = tempfile::tempdir().unwrap();
    let s = Server::start(&tmp.path().join("home"), Conf::default(), &[]);
    let api = Server::sock(&s.api);
    let before = s.proc.peak_rss_kib();
    let threads: Vec<_> = (0..6)
        .map(|i| {
            let path = if i % 2 == 0 {
                "/auth.login"
            } else {
                "/v2.23/tasks.get_all"
            };
            std::thread::spawn(move || flood(api, path, 64 * 1024 * 1024))
        })
        .collect();
    let codes: Vec<u16> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    for (i, c) in codes.iter().enumerate() {
        let want: &[u16] = if i % 2 == 0 { &[413, 0] } else { &[401, 0] };
        assert!(want.contains(c), "request {i}: {c}");
    }
    let after = s.proc.peak_rss_kib();
    assert!(
        after < before + 64 * 1024,
        "6 x 64 MiB unauthenticated bodies raised the server's peak memory from {before} KiB to {after} KiB"
    );
    // With credentials, login still takes no big body.
    let r = s
        .http
        .post(format!("{}/auth.login", s.api))
        .basic_auth(&s.access, Some(&s.secret))
        .header("Content-Type", "application/json")
        .body(format!("{{\"pad\":\"{}\"}}", "x".repeat(100_000)))
        .send()
        .unwrap();
    assert_eq!(r.status(), 413);
}

#[test]
fn idle_and_slow_clients_are_cut_and_connections_are_capped() {
    let tmp = tempfile::tempdir().unwrap();
    let s = Server::start(
        &tmp.path().join("home"),
        Conf {
            server: "header_timeout_secs = 2\nbody_timeout_secs = 2\nmax_connections = 3",
            ..Default::default()
        },
        &[],
    );
    let api = Server::sock(&s.api);
    // Idle: connected, nothing sent.
    let t = Instant::now();
    let answer = raw(api, b"", Duration::from_secs(15));
    assert!(
        t.elapsed() < Duration::from_secs(8),
        "idle connection kept {:?}",
        t.elapsed()
    );
    assert!(matches!(status_of(&answer), 0 | 408), "{answer}");
    // Slow body: a head promising 1000 bytes, then 10.
    let token = s.login();
    let t = Instant::now();
    let req = format!(
        "POST /v2.23/tasks.get_all HTTP/1.1\r\nHost: {api}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"a\": 1,  "
    );
    let answer = raw(api, req.as_bytes(), Duration::from_secs(15));
    assert!(
        t.elapsed() < Duration::from_secs(8),
        "slow body kept {:?}",
        t.elapsed()
    );
    assert!(matches!(status_of(&answer), 0 | 408 | 413), "{answer}");

    // Every connection so far has been cut by now (idle keep-alive connections too).
    std::thread::sleep(Duration::from_millis(2500));
    // Three idle connections fill the cap; a fourth request waits until one closes.
    let idle: Vec<TcpStream> = (0..3).map(|_| TcpStream::connect(api).unwrap()).collect();
    std::thread::sleep(Duration::from_millis(200));
    let quick = reqwest::blocking::Client::builder()
        .timeout(Duration::from_millis(800))
        .build()
        .unwrap();
    assert!(
        quick.get(format!("{}/debug.ping", s.api)).send().is_err(),
        "a fourth connection was served beyond max_connections = 3"
    );
    drop(idle);
    std::thread::sleep(Duration::from_millis(300));
    let r = s
        .http
        .get(format!("{}/debug.ping", s.api))
        .bearer_auth(&token)
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[test]
fn uploads_over_the_configured_limit_are_refused_and_leave_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let s = Server::start(
        &home,
        Conf {
            server: "max_upload_mib = 1",
            ..Default::default()
        },
        &[],
    );
    let token = s.login();
    let up = |name: &str, len: usize| {
        let form = reqwest::blocking::multipart::Form::new()
            .percent_encode_noop()
            .part(
                name.to_string(),
                reqwest::blocking::multipart::Part::bytes(vec![7u8; len]).file_name("f.bin"),
            );
        s.http
            .post(format!("{}/", s.files))
            .bearer_auth(&token)
            .multipart(form)
            .send()
            .map(|r| r.status().as_u16())
            .unwrap_or(0)
    };
    assert_eq!(up("p/small.bin", 512 * 1024), 200);
    assert!(matches!(up("p/big.bin", 3 * 1024 * 1024), 413 | 0));
    assert!(home.join("files/p/small.bin").is_file());
    assert!(
        !home.join("files/p/big.bin").exists(),
        "a refused upload left a file"
    );
}

#[test]
fn a_parquet_bomb_costs_its_preview_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let s = Server::start(&home, Conf::default(), &[]);
    let token = s.login();
    let task = s.task(&token, "bomb");
    std::fs::create_dir_all(home.join("artifacts/b")).unwrap();
    let bomb = parquet_bomb(i32::MAX);
    assert!(bomb.len() < 200, "{} bytes", bomb.len());
    let path = home.join("artifacts/b/bomb.parquet");
    std::fs::write(&path, &bomb).unwrap();
    s.record(&token, &task, "bomb", &path.display().to_string());
    let cookie = s.web_login(&s.access, &s.secret);
    let before = s.proc.peak_rss_kib();
    let t = Instant::now();
    for _ in 0..3 {
        let (st, body) = s.web_get(&cookie, &format!("/preview/{task}/bomb?mode=output"));
        assert_eq!(st, 200);
        assert!(body.contains("recorded preview"), "{body}");
    }
    let after = s.proc.peak_rss_kib();
    assert!(
        after < before + 64 * 1024,
        "three previews of a {}-byte file raised the server's peak memory from {before} KiB to {after} KiB",
        bomb.len()
    );
    assert!(t.elapsed() < Duration::from_secs(20), "{:?}", t.elapsed());
    let (_, body) = s.web_get(&cookie, &format!("/preview/{task}/bomb?mode=output"));
    assert!(body.contains("previews decode pages up to"), "{body}");
}
