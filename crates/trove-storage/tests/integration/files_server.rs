//! The files server client against a small TEST server written here (not trove-server): it implements the
//! ClearML files server protocol (docs/clearml-compat.md §7.6) on a temporary folder and records what it receives, so the
//! tests can check the wire format: one multipart part whose field name and file name are the path with a
//! leading `/`, unquoted; the content type; the bearer token.

use crate::common::{list_files, sha, write_data};
use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Multipart, Path as AxPath, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use trove_core::Config;
use trove_storage::{Destination, StorageError, delete_uri, download_uri, no_progress};

/// One received upload part.
#[derive(Debug, Clone)]
struct Received {
    field: String,
    file_name: String,
    content_type: String,
    auth: Option<String>,
}

#[derive(Clone)]
struct TestServer {
    root: PathBuf,
    /// When set, every request must carry `Bearer <token starting with this>`.
    token_prefix: Option<String>,
    received: Arc<Mutex<Vec<Received>>>,
}

impl TestServer {
    fn authorized(&self, headers: &HeaderMap) -> Result<Option<String>, Box<Response>> {
        let auth = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        if let Some(prefix) = &self.token_prefix {
            let ok = auth
                .as_deref()
                .and_then(|a| a.strip_prefix("Bearer "))
                .is_some_and(|t| t.starts_with(prefix));
            if !ok {
                return Err(Box::new(
                    (StatusCode::UNAUTHORIZED, "missing or bad token").into_response(),
                ));
            }
        }
        Ok(auth)
    }
}

async fn root_get(State(s): State<TestServer>, headers: HeaderMap) -> Response {
    match s.authorized(&headers) {
        Ok(_) => "OK".into_response(),
        Err(r) => *r,
    }
}

async fn upload(State(s): State<TestServer>, headers: HeaderMap, mut mp: Multipart) -> Response {
    let auth = match s.authorized(&headers) {
        Ok(a) => a,
        Err(r) => return *r,
    };
    let mut saved = Vec::new();
    while let Some(field) = mp.next_field().await.unwrap() {
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field.file_name().unwrap_or_default().to_string();
        let content_type = field.content_type().unwrap_or_default().to_string();
        let rel = name.trim_start_matches('/').to_string();
        let data = field.bytes().await.unwrap();
        let path = s.root.join(&rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &data).unwrap();
        s.received.lock().unwrap().push(Received {
            field: name,
            file_name,
            content_type,
            auth: auth.clone(),
        });
        saved.push(rel);
    }
    axum::Json(saved).into_response()
}

async fn download(
    State(s): State<TestServer>,
    headers: HeaderMap,
    AxPath(path): AxPath<String>,
) -> Response {
    if let Err(r) = s.authorized(&headers) {
        return *r;
    }
    if let Some(rest) = path.strip_prefix("broken/") {
        // Promise more bytes than are sent, then fail the body: the client must not keep a partial file.
        let data = std::fs::read(s.root.join(rest)).unwrap();
        let len = data.len() + 1000;
        let stream = futures::stream::iter(vec![
            Ok(bytes::Bytes::from(data)),
            Err(std::io::Error::other(
                "connection dropped by the test server",
            )),
        ]);
        return Response::builder()
            .header(header::CONTENT_LENGTH, len)
            .body(Body::from_stream(stream))
            .unwrap();
    }
    match std::fs::read(s.root.join(&path)) {
        Ok(data) => data.into_response(),
        Err(_) => (StatusCode::NOT_FOUND, format!("no file {path}")).into_response(),
    }
}

async fn delete(
    State(s): State<TestServer>,
    headers: HeaderMap,
    AxPath(path): AxPath<String>,
) -> Response {
    if let Err(r) = s.authorized(&headers) {
        return *r;
    }
    match std::fs::remove_file(s.root.join(&path)) {
        Ok(()) => axum::Json(path).into_response(),
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

/// Start the test server; returns its base URL, its state and its storage folder.
async fn start(token_prefix: Option<&str>) -> (String, TestServer, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let state = TestServer {
        root: dir.path().to_path_buf(),
        token_prefix: token_prefix.map(str::to_string),
        received: Arc::default(),
    };
    let app = Router::new()
        .route("/", get(root_get).post(upload))
        .route("/{*path}", get(download).delete(delete))
        .layer(DefaultBodyLimit::disable())
        .with_state(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, state, dir)
}

const KEY: &str = "examples/Artifacts example.01e5d04f/artifacts/Numpy Eye/Numpy Eye ✓.npz";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_download_delete_speak_the_clearml_protocol() {
    let (url, server, stored) = start(Some("tok-")).await;
    let work = tempfile::tempdir().unwrap();
    let cfg = Config {
        files_server: Some(url.clone()),
        ..Config::default()
    };
    let calls = Arc::new(Mutex::new(0u32));
    let provider = {
        let calls = calls.clone();
        Arc::new(move || {
            let mut n = calls.lock().unwrap();
            *n += 1;
            Some(format!("tok-{n}"))
        })
    };
    let dest = Destination::parse(&format!("{url}/"), &cfg)
        .unwrap()
        .with_token_provider(provider);
    assert_eq!(dest.uri(), url);
    assert!(dest.is_files_server());
    dest.check_writable().await.unwrap();

    let src = work.path().join("eye.npz");
    let data = write_data(&src, 3 * 1024 * 1024 + 5, 7); // above axum's default body limit: streamed
    let put = dest.put_file(KEY, &src, None, &no_progress).await.unwrap();
    assert_eq!(
        (put.size, put.sha256.as_str()),
        (data.len() as u64, sha(&data).as_str())
    );
    assert_eq!(std::fs::read(stored.path().join(KEY)).unwrap(), data);
    let got = server.received.lock().unwrap().clone();
    assert_eq!(got.len(), 1);
    assert_eq!(
        got[0].field,
        format!("/{KEY}"),
        "field name: the path with a leading '/', unquoted"
    );
    assert_eq!(got[0].file_name, got[0].field);
    assert_eq!(
        got[0].content_type, "binary/octet-stream",
        "unknown types as ClearML sends them"
    );
    assert!(got[0].auth.as_deref().unwrap().starts_with("Bearer tok-"));

    // Content type: guessed from the key, or given.
    let csv = work.path().join("t.csv.gz");
    write_data(&csv, 100, 8);
    dest.put_file("p/Pandas.csv.gz", &csv, None, &no_progress)
        .await
        .unwrap();
    dest.put_file("p/x.bin", &csv, Some("application/x-custom"), &no_progress)
        .await
        .unwrap();
    let types: Vec<String> = server
        .received
        .lock()
        .unwrap()
        .iter()
        .map(|r| r.content_type.clone())
        .collect();
    assert_eq!(
        types[1..],
        ["text/csv".to_string(), "application/x-custom".to_string()]
    );

    // The recorded uri is percent-encoded and maps back to the key.
    let uri = dest.uri_for(KEY);
    assert_eq!(
        uri,
        format!(
            "{url}/examples/Artifacts%20example.01e5d04f/artifacts/Numpy%20Eye/Numpy%20Eye%20%E2%9C%93.npz"
        )
    );
    assert_eq!(dest.key_for_uri(&uri).as_deref(), Some(KEY));

    let out = work.path().join("o/eye.npz");
    let back = dest.get_to_file(KEY, &out, &no_progress).await.unwrap();
    assert_eq!(back, put);
    assert_eq!(std::fs::read(&out).unwrap(), data);

    // download_uri sends the token to the configured files server ...
    let out2 = work.path().join("o/eye2.npz");
    let back2 = download_uri(&uri, &cfg, Some("tok-static"), &out2, &no_progress)
        .await
        .unwrap();
    assert_eq!(back2.sha256, put.sha256);
    // ... and the server refuses a request without one, with an error naming URL, status and body.
    let e = download_uri(&uri, &cfg, None, &work.path().join("o/x"), &no_progress)
        .await
        .unwrap_err();
    match &e {
        StorageError::Http {
            status,
            url: u,
            body,
            ..
        } => {
            assert_eq!(*status, 401);
            assert_eq!(u, &uri);
            assert!(body.contains("missing or bad token"), "{body}");
        }
        other => panic!("unexpected error {other}"),
    }
    assert!(
        e.to_string().contains("401") && e.to_string().contains(&uri),
        "{e}"
    );

    delete_uri(&uri, &cfg, Some("tok-static")).await.unwrap();
    assert!(!stored.path().join(KEY).exists());
    dest.delete(KEY).await.unwrap(); // a 404 counts as deleted
    let e = dest
        .get_to_file(KEY, &work.path().join("o/gone"), &no_progress)
        .await
        .unwrap_err();
    assert!(e.is_not_found(), "{e}");
    assert!(
        *calls.lock().unwrap() >= 4,
        "the provider is asked for each request"
    );
    assert_eq!(
        list_files(work.path()),
        vec!["eye.npz", "o/eye.npz", "o/eye2.npz", "t.csv.gz"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_prefix_below_the_files_server_is_part_of_the_path() {
    let (url, server, stored) = start(None).await;
    let work = tempfile::tempdir().unwrap();
    let cfg = Config {
        files_server: Some(url.clone()),
        ..Config::default()
    };
    let dest = Destination::parse(&format!("{url}/team a/out"), &cfg).unwrap();
    assert_eq!(dest.uri(), format!("{url}/team%20a/out"));
    let src = work.path().join("f.json");
    let data = write_data(&src, 1000, 9);
    dest.put_file("k/d.json", &src, None, &no_progress)
        .await
        .unwrap();
    assert_eq!(
        server.received.lock().unwrap()[0].field,
        "/team a/out/k/d.json"
    );
    assert_eq!(
        server.received.lock().unwrap()[0].content_type,
        "application/json"
    );
    assert_eq!(
        std::fs::read(stored.path().join("team a/out/k/d.json")).unwrap(),
        data
    );
    assert_eq!(
        dest.key_for_uri(&dest.uri_for("k/d.json")).as_deref(),
        Some("k/d.json")
    );
    assert_eq!(dest.key_for_uri(&format!("{url}/other/k")), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_download_leaves_no_partial_file() {
    let (url, _server, stored) = start(None).await;
    let work = tempfile::tempdir().unwrap();
    write_data(&stored.path().join("a/f.bin"), 200_000, 10);
    let out = work.path().join("f.bin");
    let e = download_uri(
        &format!("{url}/broken/a/f.bin"),
        &Config::default(),
        None,
        &out,
        &no_progress,
    )
    .await
    .unwrap_err();
    assert!(matches!(e, StorageError::Request { .. }), "{e}");
    assert!(
        list_files(work.path()).is_empty(),
        "{:?}",
        list_files(work.path())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_or_refusing_server_fails_the_check() {
    // Nothing listens on this port.
    let port = crate::common::free_port();
    let opts = trove_storage::TransferOptions {
        max_retries: 1,
        ..Default::default()
    };
    let dest = Destination::parse_with(
        &format!("http://127.0.0.1:{port}"),
        &Config::default(),
        opts,
    )
    .unwrap();
    let e = dest.check_writable().await.unwrap_err();
    assert!(matches!(e, StorageError::NotWritable { .. }), "{e}");
    assert!(e.to_string().contains(&format!("127.0.0.1:{port}")), "{e}");
    // A server that wants a token we do not have.
    let (url, _s, _d) = start(Some("tok-")).await;
    let dest = Destination::parse(&url, &Config::default()).unwrap();
    let e = dest.check_writable().await.unwrap_err();
    assert!(e.to_string().contains("401"), "{e}");
}
