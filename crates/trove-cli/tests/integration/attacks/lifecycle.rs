//! Item 8: `trove server` stops gracefully on SIGTERM: an upload in flight finishes, an abandoned one leaves
//! nothing, and the process exits cleanly.

use crate::attacks::harness::{Conf, Server, status_of};
use rustix::process::Signal;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// A multipart upload of `len` bytes as `key`: (head, first part of the body, rest of the body).
fn upload(
    files: std::net::SocketAddr,
    token: &str,
    key: &str,
    len: usize,
) -> (String, Vec<u8>, Vec<u8>) {
    let mut body = format!(
        "--B\r\nContent-Disposition: form-data; name=\"{key}\"; filename=\"f.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend(std::iter::repeat_n(b'z', len));
    body.extend_from_slice(b"\r\n--B--\r\n");
    let head = format!(
        "POST / HTTP/1.1\r\nHost: {files}\r\nAuthorization: Bearer {token}\r\nContent-Type: multipart/form-data; boundary=B\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let rest = body.split_off(body.len() / 2);
    (head, body, rest)
}

#[test]
fn sigterm_lets_uploads_in_flight_finish_then_exits() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let mut s = Server::start(&home, Conf::default(), &[]);
    let token = s.login();
    let files = Server::sock(&s.files);
    let len = 3 * 1024 * 1024;

    let (head, first, rest) = upload(files, &token, "p/finished.bin", len);
    let mut finishing = TcpStream::connect(files).unwrap();
    finishing.write_all(head.as_bytes()).unwrap();
    finishing.write_all(&first).unwrap();
    let (head2, first2, _) = upload(files, &token, "p/abandoned.bin", len);
    let mut abandoned = TcpStream::connect(files).unwrap();
    abandoned.write_all(head2.as_bytes()).unwrap();
    abandoned.write_all(&first2).unwrap();
    std::thread::sleep(Duration::from_millis(500));

    s.proc.signal(Signal::TERM);
    std::thread::sleep(Duration::from_millis(500));
    drop(abandoned);
    let t = Instant::now();
    finishing.write_all(&rest).unwrap();
    finishing
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut answer = Vec::new();
    let _ = finishing.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer);
    assert_eq!(status_of(&answer), 200, "{answer}");
    assert!(t.elapsed() < Duration::from_secs(10));

    let code = s.proc.wait_exit(Duration::from_secs(30));
    assert_eq!(code, Some(0), "exit after SIGTERM:\n{}", s.proc.text());
    assert!(s.proc.text().contains("shutting down"), "{}", s.proc.text());
    let done = home.join("files/p/finished.bin");
    assert_eq!(std::fs::metadata(&done).unwrap().len(), len as u64);
    assert!(!home.join("files/p/abandoned.bin").exists());
    // Nothing half-written is left anywhere under the files folder.
    let leftovers: Vec<_> = walk(&home.join("files"))
        .into_iter()
        .filter(|p| !p.ends_with("finished.bin"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    assert!(TcpStream::connect(files).is_err(), "still listening");
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}
