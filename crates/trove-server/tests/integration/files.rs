//! The files port with raw HTTP: multipart upload (field name = path), download, Range, HEAD, ?download,
//! DELETE, delete_many, traversal attempts, auth and oversized headers.

use crate::common::TestServer;
use serde_json::{Value, json};
use sha2::Digest;

fn part(path: &str, bytes: Vec<u8>) -> reqwest::multipart::Form {
    let p = reqwest::multipart::Part::bytes(bytes)
        .file_name(path.to_string())
        .mime_str("binary/octet-stream")
        .unwrap();
    reqwest::multipart::Form::new().part(path.to_string(), p)
}

#[tokio::test]
async fn upload_download_range_delete() {
    let s = TestServer::start().await;
    let t = s.login().await;
    let root = s.home.path().join("files");

    // GET / needs no token; everything else does.
    let r = s.http.get(format!("{}/", s.files)).send().await.unwrap();
    assert_eq!(
        (r.status().as_u16(), r.text().await.unwrap()),
        (200, "OK".to_string())
    );
    let r = s.http.get(format!("{}/x/y", s.files)).send().await.unwrap();
    assert_eq!(r.status(), 401);
    let r = s
        .http
        .post(format!("{}/", s.files))
        .multipart(part("/a/b.bin", vec![1, 2, 3]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert!(!root.join("a").exists());

    // A 12 MiB upload (several 5 MiB chunks) with a space in the path, as the SDK sends it.
    let data: Vec<u8> = (0..12 * 1024 * 1024u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    let path = "/examples/Artifacts example.0123/artifacts/Numpy Eye/Numpy Eye.npz";
    let t0 = std::time::Instant::now();
    let r = s
        .http
        .post(format!("{}/", s.files))
        .bearer_auth(&t)
        .multipart(part(path, data.clone()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        t0.elapsed().as_secs() < 60,
        "upload took {:?}",
        t0.elapsed()
    );
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        v,
        json!(["examples/Artifacts example.0123/artifacts/Numpy Eye/Numpy Eye.npz"])
    );
    let on_disk = std::fs::read(root.join(&path[1..])).unwrap();
    assert_eq!(
        sha2::Sha256::digest(&on_disk),
        sha2::Sha256::digest(&data),
        "exact bytes stored"
    );
    let leftovers: Vec<_> = walkdir(&root)
        .into_iter()
        .filter(|p| p.contains('#'))
        .collect();
    assert!(leftovers.is_empty(), "no staging files left: {leftovers:?}");

    // Download (percent-encoded URL, as in artifact URIs), Content-Length, bytes.
    let url = format!(
        "{}/examples/Artifacts%20example.0123/artifacts/Numpy%20Eye/Numpy%20Eye.npz",
        s.files
    );
    let r = s.http.get(&url).bearer_auth(&t).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["content-length"],
        data.len().to_string().as_str()
    );
    assert_eq!(r.bytes().await.unwrap().as_ref(), data.as_slice());

    // HEAD: length, no body.
    let r = s.http.head(&url).bearer_auth(&t).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["content-length"],
        data.len().to_string().as_str()
    );

    // Ranges.
    for (h, lo, hi) in [
        ("bytes=0-9", 0usize, 10usize),
        ("bytes=100-", 100, data.len()),
        ("bytes=-5", data.len() - 5, data.len()),
    ] {
        let r = s
            .http
            .get(&url)
            .bearer_auth(&t)
            .header("Range", h)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 206, "{h}");
        let cr = r.headers()["content-range"].to_str().unwrap().to_string();
        assert_eq!(cr, format!("bytes {lo}-{}/{}", hi - 1, data.len()));
        assert_eq!(r.bytes().await.unwrap().as_ref(), &data[lo..hi], "{h}");
    }
    let r = s
        .http
        .get(&url)
        .bearer_auth(&t)
        .header("Range", format!("bytes={}-", data.len() + 10))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 416);

    // ?download → attachment.
    let r = s
        .http
        .get(format!("{url}?download"))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    let cd = r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        cd.starts_with("attachment;") && cd.contains("Numpy"),
        "{cd}"
    );
    assert_eq!(r.bytes().await.unwrap().len(), data.len());

    // Cookie auth works for downloads too.
    let r = s
        .http
        .get(&url)
        .header("Cookie", format!("clearml_token_basic={t}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.bytes().await.unwrap().len(), data.len());

    // Missing file → 404; DELETE; delete_many.
    let r = s
        .http
        .get(format!("{}/nope/x.bin", s.files))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let r = s.http.delete(&url).bearer_auth(&t).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(!root.join(&path[1..]).exists());
    let r = s.http.delete(&url).bearer_auth(&t).send().await.unwrap();
    assert_eq!(r.status(), 404);
    for p in ["/m/one.txt", "/m/two.txt"] {
        let r = s
            .http
            .post(format!("{}/", s.files))
            .bearer_auth(&t)
            .multipart(part(p, p.as_bytes().to_vec()))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    let r = s
        .http
        .post(format!("{}/delete_many", s.files))
        .bearer_auth(&t)
        .json(&json!({"files": ["m/one.txt", "/m/two.txt", "m/three.txt", "../etc/passwd"]}))
        .send()
        .await
        .unwrap();
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["deleted"].as_object().unwrap().len(), 2, "{v}");
    assert_eq!(v["errors"].as_object().unwrap().len(), 2, "{v}");
    assert!(!root.join("m/one.txt").exists());

    // Empty file.
    let r = s
        .http
        .post(format!("{}/", s.files))
        .bearer_auth(&t)
        .multipart(part("/e/empty.bin", vec![]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = s
        .http
        .get(format!("{}/e/empty.bin", s.files))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    assert_eq!(
        (r.status().as_u16(), r.bytes().await.unwrap().len()),
        (200, 0)
    );
    s.stop().await;
}

fn walkdir(root: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.display().to_string());
            }
        }
    }
    out
}

#[tokio::test]
async fn traversal_and_hostile_requests_are_refused() {
    let s = TestServer::start().await;
    let t = s.login().await;
    let outside = s.home.path().join("escaped.txt");
    for evil in [
        "/../escaped.txt",
        "../escaped.txt",
        "/a/../../escaped.txt",
        "/a\\..\\..\\escaped.txt",
        "/a/\0/x",
        "/a/./b",
    ] {
        let r = s
            .http
            .post(format!("{}/", s.files))
            .bearer_auth(&t)
            .multipart(part(evil, b"pwned".to_vec()))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{evil:?}");
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["meta"]["result_code"], 400);
    }
    assert!(!outside.exists());
    assert!(
        walkdir(&s.home.path().join("files")).is_empty(),
        "nothing written"
    );

    // Encoded traversal on GET/DELETE: raw TCP so the client cannot normalise the path.
    std::fs::write(&outside, b"secret").unwrap();
    for p in [
        "/%2e%2e/escaped.txt",
        "/a/%2E%2E/%2E%2E/escaped.txt",
        "/..%2Fescaped.txt",
        "/%2Fetc%2Fpasswd",
        "/a%5C..%5Cx",
        "/a/%00",
    ] {
        let (status, _) = raw(&s.files, &format!("GET {p} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {t}\r\nConnection: close\r\n\r\n")).await;
        assert_eq!(status, 400, "{p}");
        let (status, _) = raw(&s.files, &format!("DELETE {p} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {t}\r\nConnection: close\r\n\r\n")).await;
        assert_eq!(status, 400, "{p}");
    }
    assert!(outside.exists());

    // Not multipart / garbage multipart.
    let r = s
        .http
        .post(format!("{}/", s.files))
        .bearer_auth(&t)
        .body("plain")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let r = s
        .http
        .post(format!("{}/", s.files))
        .bearer_auth(&t)
        .header("Content-Type", "multipart/form-data; boundary=XX")
        .body("--XX\r\nContent-Disposition: form-data; name=\"/a/b\"\r\n\r\nunterminated")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(
        !s.home.path().join("files/a/b").exists(),
        "a broken upload never appears under its name"
    );

    // Oversized headers: refused, and the server keeps serving.
    let big = "x".repeat(200 * 1024);
    let (status, _) = raw(
        &s.api,
        &format!(
            "GET {} HTTP/1.1\r\nHost: x\r\nX-Big: {big}\r\nConnection: close\r\n\r\n",
            trove_protocol::versioned_path("debug.ping")
        ),
    )
    .await;
    assert_eq!(status, 431);
    let many: String = (0..500).map(|i| format!("X-H{i}: v\r\n")).collect();
    let (status, _) = raw(
        &s.files,
        &format!("GET / HTTP/1.1\r\nHost: x\r\n{many}Connection: close\r\n\r\n"),
    )
    .await;
    assert_eq!(status, 431);
    let r = s.http.get(format!("{}/", s.files)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    s.ok(&t, "debug.ping", json!({})).await;
    s.stop().await;
}

/// Send raw bytes; return (status code or 0 if the connection was dropped, response text).
async fn raw(base: &str, req: &str) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = base.trim_start_matches("http://");
    let mut c = tokio::net::TcpStream::connect(addr).await.unwrap();
    let _ = c.write_all(req.as_bytes()).await;
    let mut buf = Vec::new();
    let _ = tokio::time::timeout(std::time::Duration::from_secs(10), c.read_to_end(&mut buf)).await;
    let text = String::from_utf8_lossy(&buf).to_string();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|x| x.parse().ok())
        .unwrap_or(0);
    (status, text)
}

#[tokio::test]
async fn files_go_to_a_pluggable_object_store_under_its_prefix() {
    use object_store::ObjectStoreExt;
    let home = tempfile::tempdir().unwrap();
    let opts = crate::common::options(home.path(), false);
    let store = trove_store::open(&opts.db_url()).await.unwrap();
    let mem: std::sync::Arc<dyn object_store::ObjectStore> =
        std::sync::Arc::new(object_store::memory::InMemory::new());
    let backends = trove_server::Backends {
        store,
        files: mem.clone(),
        files_prefix: object_store::path::Path::from("tenant/files"),
    };
    let srv = trove_server::start_with(opts, backends).await.unwrap();
    let (k, sec) = srv.initial_credentials.clone().unwrap();
    let http = reqwest::Client::new();
    let login: Value = http
        .get(format!("http://{}/auth.login", srv.api_addr))
        .basic_auth(&k, Some(&sec))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let t = login["data"]["token"].as_str().unwrap().to_string();
    let r = http
        .post(format!("http://{}/", srv.files_addr))
        .bearer_auth(&t)
        .multipart(part("/p/t.1/artifacts/a b/x.json", b"{\"a\":1}".to_vec()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let got = mem
        .get(&object_store::path::Path::from(
            "tenant/files/p/t.1/artifacts/a b/x.json",
        ))
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(got.as_ref(), b"{\"a\":1}");
    let r = http
        .get(format!(
            "http://{}/p/t.1/artifacts/a%20b/x.json",
            srv.files_addr
        ))
        .bearer_auth(&t)
        .header("Range", "bytes=1-3")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 206);
    assert_eq!(r.bytes().await.unwrap().as_ref(), b"\"a\"");
    srv.shutdown().await;
}

/// A 2 GiB upload streams to storage (no size cap, no "413"), the stored bytes are exactly the sent ones, and
/// the server keeps serving afterwards. The body is generated on the fly, so the test holds 1 MiB at a time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_two_gib_upload_streams_through() {
    const CHUNK: usize = 1 << 20;
    const CHUNKS: u64 = 2048;
    let s = TestServer::start().await;
    let t = s.login().await;
    let chunk = |i: u64| -> Vec<u8> {
        (0..CHUNK)
            .map(|j| ((i as usize * 31 + j) % 251) as u8)
            .collect()
    };
    let mut expected = sha2::Sha256::new();
    for i in 0..CHUNKS {
        expected.update(chunk(i));
    }
    let expected = hex::encode(expected.finalize());
    let body = futures::stream::iter(
        (0..CHUNKS).map(move |i| Ok::<_, std::io::Error>(bytes::Bytes::from(chunk(i)))),
    );
    let part = reqwest::multipart::Part::stream_with_length(
        reqwest::Body::wrap_stream(body),
        CHUNK as u64 * CHUNKS,
    )
    .file_name("/big/model.bin")
    .mime_str("binary/octet-stream")
    .unwrap();
    let form = reqwest::multipart::Form::new().part("/big/model.bin", part);
    let r = s
        .http
        .post(format!("{}/", s.files))
        .bearer_auth(&t)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap_or_default());
    let stored = s.home.path().join("files/big/model.bin");
    assert_eq!(
        std::fs::metadata(&stored).unwrap().len(),
        CHUNK as u64 * CHUNKS
    );
    let mut f = std::fs::File::open(&stored).unwrap();
    let mut h = sha2::Sha256::new();
    std::io::copy(&mut f, &mut h).unwrap();
    assert_eq!(hex::encode(h.finalize()), expected);
    std::fs::remove_file(&stored).unwrap();
    let r = s.http.get(format!("{}/", s.files)).send().await.unwrap();
    assert_eq!(r.status(), 200);
}
