//! Shared test setup: a real SQLite store, a real files storage folder, real artifact files made by Python
//! (pandas, numpy, pillow), and the router served on 127.0.0.1:0.
#![allow(dead_code)]

use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjPath;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use trove_core::{ArtifactRecord, ArtifactVersion, TypeData, UploadState};
use trove_store::{NewTask, SharedStore};
use trove_web::{WebAuth, WebState};

#[allow(unused_imports)]
pub use trove_testkit::repo_root as root;

/// The data venv's python (pandas, numpy, pillow, pyarrow).
pub fn python() -> PathBuf {
    trove_testkit::python::Venv::Data.python()
}

/// Run Python code with the data venv (at most 3 minutes), return stdout.
pub fn run_python(args: &[&str]) -> String {
    let mut cmd = Command::new(python());
    cmd.args(args);
    trove_testkit::process::run_ok(cmd, std::time::Duration::from_secs(180))
}

/// Make the fixture files in `dir`; returns the description JSON.
pub fn make_files(dir: &Path) -> serde_json::Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/make_artifacts.py");
    let out = run_python(&[script.to_str().unwrap(), dir.to_str().unwrap()]);
    serde_json::from_str(&out).unwrap()
}

/// A fresh SQLite store in `dir`.
pub async fn sqlite_store(dir: &Path) -> SharedStore {
    trove_store::open(&format!("sqlite://{}", dir.join("trove.db").display()))
        .await
        .unwrap()
}

/// The base URL the fixture records for its files server.
pub const FILES_URL: &str = "http://127.0.0.1:8081";

/// Files storage below `dir/files`.
pub fn files_storage(dir: &Path) -> (Arc<dyn object_store::ObjectStore>, ObjPath, PathBuf) {
    let files = dir.join("files");
    std::fs::create_dir_all(&files).unwrap();
    let store = LocalFileSystem::new_with_prefix(&files).unwrap();
    (Arc::new(store), ObjPath::from(""), files)
}

/// Copy `src` into the files storage at `key` through object_store (as the files server writes);
/// returns `(uri, size, sha256)`.
pub fn put_file(
    objects: &Arc<dyn object_store::ObjectStore>,
    key: &str,
    src: &Path,
) -> (String, u64, String) {
    use object_store::ObjectStoreExt;
    let bytes = std::fs::read(src).unwrap();
    let path = key
        .split('/')
        .fold(ObjPath::from(""), |p, part| p.join(part));
    let objects = objects.clone();
    let payload = bytes.clone();
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(async move {
                objects.put(&path, payload.into()).await.unwrap();
            })
    })
    .join()
    .unwrap();
    (
        trove_core::layout::join_uri(FILES_URL, key),
        bytes.len() as u64,
        trove_core::sha256_hex(&bytes),
    )
}

/// A ready record for a stored file.
pub fn record(
    key: &str,
    kind: &str,
    uri: &str,
    size: u64,
    hash: &str,
    content_type: &str,
    preview: &str,
) -> ArtifactRecord {
    let mut r = ArtifactRecord::new(key, kind);
    r.uri = Some(uri.to_string());
    r.content_size = Some(size);
    r.hash = Some(hash.to_string());
    r.timestamp = Some(trove_core::timefmt::now_secs());
    r.type_data = TypeData {
        preview: Some(preview.to_string()),
        content_type: Some(content_type.to_string()),
        data_hash: None,
    };
    r
}

/// The hostile artifact name.
pub const HOSTILE: &str = "<script>alert(1)</script>";

/// Everything the browser and HTTP tests look at.
pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub store: SharedStore,
    pub state: WebState,
    pub project: String,
    pub task: String,
    pub other_task: String,
    pub files: serde_json::Value,
    pub files_root: PathBuf,
}

/// Build the fixture: one project `examples/reporting`, a task with an artifact of every kind (plus a second
/// task that differs, for compare), credentials `webtest` / `websecret`.
pub async fn fixture(auth: bool) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let files = make_files(&dir.path().join("src"));
    let store = sqlite_store(dir.path()).await;
    let (objects, prefix, files_root) = files_storage(dir.path());
    let project = store.ensure_project("examples/reporting").await.unwrap();
    let mk = |name: &str| NewTask {
        project: project.id.clone(),
        name: name.into(),
        kind: "training".into(),
        doc: Default::default(),
    };
    let mut doc = serde_json::Map::new();
    doc.insert(
        "script".into(),
        serde_json::json!({"repository": "https://example.com/repo.git", "entry_point": "artifacts.py", "branch": "main", "diff": "--- a\n+++ b\n<b>diff</b>"}),
    );
    doc.insert(
        "runtime".into(),
        serde_json::json!({"python": "3.11.2", "os": "Linux", "gpu_count": 0}),
    );
    doc.insert(
        "hyperparams".into(),
        serde_json::json!({"Args": {"lr": {"section": "Args", "name": "lr", "value": "0.01", "type": "float"}}}),
    );
    let task = store
        .create_task(NewTask {
            doc,
            ..mk("artifacts example")
        })
        .await
        .unwrap();
    let other = store
        .create_task(mk("artifacts example (rerun)"))
        .await
        .unwrap();
    let prefix_key =
        trove_core::layout::task_prefix(&project.name, &project.id, &task.name, &task.id);
    let other_prefix =
        trove_core::layout::task_prefix(&project.name, &project.id, &other.name, &other.id);
    let f = |k: &str| PathBuf::from(files[k]["file"].as_str().unwrap());

    let mut recs = Vec::new();
    let add = |name: &str,
               file: &Path,
               file_name: &str,
               kind: &str,
               ct: &str,
               preview: &str,
               prefix: &str| {
        let key = trove_core::layout::artifact_key(prefix, name, file_name);
        let (uri, size, hash) = put_file(&objects, &key, file);
        record(name, kind, &uri, size, &hash, ct, preview)
    };
    let mut pandas = add(
        "Pandas",
        &f("Pandas"),
        "Pandas.csv.gz",
        "pandas",
        "text/csv",
        files["Pandas"]["repr"].as_str().unwrap(),
        &prefix_key,
    );
    pandas.display_data = vec![
        ("counting".into(), "legs".into()),
        ("max legs".into(), "69".into()),
    ];
    recs.push(pandas.clone());
    recs.push(add(
        "big",
        &f("big"),
        "big.csv.gz",
        "pandas",
        "text/csv",
        "big frame",
        &prefix_key,
    ));
    recs.push(add(
        "parquet frame",
        &f("parquet"),
        "frame.parquet",
        "pandas",
        "application/parquet",
        "repr",
        &prefix_key,
    ));
    recs.push(add(
        "dictionary",
        &f("dictionary"),
        "dictionary.json",
        "dict",
        "application/json",
        "{...}",
        &prefix_key,
    ));
    recs.push(add(
        "Numpy Eye",
        &f("Numpy Eye"),
        "Numpy Eye.npz",
        "numpy",
        "application/numpy",
        "array(eye)",
        &prefix_key,
    ));
    recs.push(add(
        "multi",
        &f("multi"),
        "multi.npz",
        "numpy",
        "application/numpy",
        "arrays",
        &prefix_key,
    ));
    recs.push(add(
        "pillow_image",
        &f("pillow_image"),
        "pillow_image.png",
        "image",
        "image/png",
        files["pillow_image"]["repr"].as_str().unwrap(),
        &prefix_key,
    ));
    recs.push(add(
        "local folder",
        &f("local folder"),
        "data_samples.zip",
        "archive",
        "application/zip",
        "Archive content data_samples:\n",
        &prefix_key,
    ));
    let mut hostile = add(
        HOSTILE,
        &f("hostile"),
        "hostile.txt",
        "string",
        "text/html",
        "<script>alert(4)</script> preview",
        &prefix_key,
    );
    hostile.display_data = vec![("<b>bold</b>".into(), "<img src=x onerror=alert(2)>".into())];
    recs.push(hostile);
    // embedded-mode artifact: a local file path
    let local = dir.path().join("local out/dictionary copy.json");
    std::fs::create_dir_all(local.parent().unwrap()).unwrap();
    std::fs::copy(f("dictionary"), &local).unwrap();
    let lb = std::fs::read(&local).unwrap();
    recs.push(record(
        "local dict",
        "dict",
        &format!("file://{}", local.display()),
        lb.len() as u64,
        &trove_core::sha256_hex(&lb),
        "application/json",
        "{}",
    ));
    // a failed upload and a link-only artifact
    let mut failed = ArtifactRecord::new("failed upload", "custom");
    failed.state = UploadState::Failed;
    failed.error = Some("connection reset by peer".into());
    failed.type_data.preview = Some("big.bin - 3 GB".into());
    recs.push(failed);
    let mut link = ArtifactRecord::new("s3 link", "custom");
    link.uri = Some("s3://bucket/some/file.bin".into());
    link.type_data.preview = Some("link preview".into());
    recs.push(link);
    // registered frame with two versions
    let mut versions = Vec::new();
    for v in 1..=2u32 {
        let key = trove_core::layout::artifact_version_key(&prefix_key, "train", v, "train.csv.gz");
        let (uri, size, hash) = put_file(&objects, &key, &f(&format!("train.v{v}")));
        versions.push(ArtifactVersion {
            version: v,
            timestamp: trove_core::timefmt::now_secs() - 100 + v as i64,
            hash,
            content_size: size,
            uri,
            data_hash: Some(format!("dh{v}")),
        });
    }
    let last = versions.last().unwrap().clone();
    let mut train = record(
        "train",
        "data-audit-table",
        &last.uri,
        last.content_size,
        &last.hash,
        "text/csv",
        "registered frame",
    );
    train.type_data.data_hash = last.data_hash.clone();
    recs.push(train);
    store.upsert_artifacts(&task.id, &recs).await.unwrap();
    for v in &versions {
        store.add_version(&task.id, "train", v).await.unwrap();
    }
    // the other task: same Pandas, different dictionary metadata/hash, no image
    let mut p2 = pandas.clone();
    p2.uri = Some(p2.uri.unwrap().replace(
        &prefix_key.replace(' ', "%20"),
        &other_prefix.replace(' ', "%20"),
    ));
    let mut d2 = add(
        "dictionary",
        &f("Pandas"),
        "dictionary.json",
        "dict",
        "application/json",
        "{}",
        &other_prefix,
    );
    d2.display_data = vec![("note".into(), "changed".into())];
    store.upsert_artifacts(&other.id, &[p2, d2]).await.unwrap();

    let auth = if auth {
        store
            .add_credentials("webtest", &trove_core::sha256_hex(b"websecret"))
            .await
            .unwrap();
        WebAuth::enabled(
            b"test cookie signing key, 32+ bytes long".to_vec(),
            Arc::new(StoreKeys(store.clone())),
        )
    } else {
        WebAuth::Disabled
    };
    let state = WebState {
        store: store.clone(),
        config: trove_core::Config::default(),
        roots: roots(
            Some((objects, prefix)),
            &[&dir.path().join("src"), &dir.path().join("local out")],
        ),
        files_public_url: Some(FILES_URL.to_string()),
        auth,
    };
    Fixture {
        dir,
        store,
        state,
        project: project.id,
        task: task.id,
        other_task: other.id,
        files,
        files_root,
    }
}

/// Logins checked against the store's credentials (secret hash = plain SHA-256 in these tests), sessions
/// against revocation.
pub struct StoreKeys(pub SharedStore);

impl trove_web::KeyChecker for StoreKeys {
    fn login(
        &self,
        access: String,
        secret: String,
        _client: std::net::IpAddr,
    ) -> futures::future::BoxFuture<'static, trove_web::LoginVerdict> {
        let s = self.0.clone();
        Box::pin(async move {
            match s.get_credentials(&access).await {
                Ok(Some(c)) if c.secret_hash == trove_core::sha256_hex(secret.as_bytes()) => {
                    trove_web::LoginVerdict::Accepted
                }
                _ => trove_web::LoginVerdict::Refused,
            }
        })
    }

    fn is_active(&self, access: String) -> futures::future::BoxFuture<'static, bool> {
        let s = self.0.clone();
        Box::pin(async move { matches!(s.get_credentials(&access).await, Ok(Some(_))) })
    }
}

/// Storage roots: the files storage under [`FILES_URL`] and its other loopback names, as `trove server`
/// registers it (if given), and local folders.
pub fn roots(
    files: Option<(Arc<dyn object_store::ObjectStore>, ObjPath)>,
    folders: &[&Path],
) -> Arc<trove_storage::StorageRoots> {
    let mut r = trove_storage::StorageRoots::new();
    if let Some((store, prefix)) = files {
        let urls = ["127.0.0.1", "localhost", "[::1]"]
            .iter()
            .map(|h| FILES_URL.replace("127.0.0.1", h))
            .collect();
        r.add_store("files", urls, store, prefix);
    }
    for f in folders {
        r.add_folder(f).unwrap();
    }
    Arc::new(r)
}

/// Serve the router on 127.0.0.1:0; returns the base URL.
pub async fn serve(state: WebState) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, trove_web::router(state))
            .await
            .unwrap();
    });
    format!("http://{addr}")
}
