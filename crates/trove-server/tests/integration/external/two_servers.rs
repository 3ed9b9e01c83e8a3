//! Several servers, one database, one bucket: two in-process servers on one fresh PostgreSQL database and one
//! S3 bucket (a real s3s-fs emulator), sharing a token secret, behind a small TCP balancer for the files port
//! (what `public_files_url` names in a real deployment). Eight Rust SDK clients (remote mode, on plain threads)
//! alternate between the two API servers, each uploading 100 small files to shared tasks.
//!
//! Round 1: both servers stay up, and two clients with the official ClearML Python SDK (one per server) upload
//! 100 more each; all 1000 records are read back through each server (metadata from its API,
//! bytes from its files port) and hash-verified. Round 2: server A is shut down mid-run; clients whose server
//! died retry on the other (in the client loop below, not in the SDK), and all 800 records of the round (and
//! the 800 of round 1) are then verified through B.
//!
//! PostgreSQL: `postgres://postgres@127.0.0.1:5432/test` (override with `TROVE_TEST_POSTGRES_URL`); a database
//! `trove_two_<random>` is created and dropped. s3s-fs is installed by `scripts/emulators` on first use.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::net::{TcpListener, TcpStream};
use trove::{Task, UploadOptions};
use trove_core::Config;
use trove_server::{RunningServer, ServeOptions};
use trove_testkit::emulators;
use trove_testkit::postgres::PgDb;
use trove_testkit::python::{self, Venv};

const CLIENTS: usize = 8;
const PER_CLIENT: usize = 100;
const SHARED_TASKS: usize = 4;
const TOKEN_SECRET: &str = "two-servers-shared-signing-key-0123456789abcdef";
/// Round 1 also runs this many clients with the official ClearML Python SDK (ids after the Rust ones), each
/// on its own server.
const PY_CLIENTS: usize = 2;

/// s3s-fs on a free port with a fresh data folder and a bucket `bucket`; killed when dropped.
fn start_s3s() -> emulators::Emulator {
    let emu = emulators::start_s3s();
    emulators::s3s_create_bucket(&emu, "bucket");
    emu
}

/// A TCP balancer: each connection goes to the next backend that accepts it (round robin, skipping dead ones).
async fn balance(listener: TcpListener, backends: Vec<SocketAddr>) {
    let next = Arc::new(AtomicUsize::new(0));
    while let Ok((mut inbound, _)) = listener.accept().await {
        let (backends, next) = (backends.clone(), next.clone());
        tokio::spawn(async move {
            let first = next.fetch_add(1, Ordering::Relaxed);
            for k in 0..backends.len() {
                let b = backends[(first + k) % backends.len()];
                if let Ok(mut out) = TcpStream::connect(b).await {
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut out).await;
                    return;
                }
            }
        });
    }
}

/// Server configuration: shared database, bucket, token secret and public files URL.
fn server_options(home: &Path, db: &str, s3_port: u16, files_url: &str) -> ServeOptions {
    let mut cfg = Config::parse(&format!(
        r#"
        token_secret = "{TOKEN_SECRET}"
        [server]
        db = "{db}"
        storage = "s3://bucket/shared prefix"
        public_files_url = "{files_url}"
        [s3]
        key = "test"
        secret = "testtesttest"
        region = "us-east-1"
        endpoint = "http://127.0.0.1:{s3_port}"
        "#
    ))
    .unwrap();
    cfg.home = home.to_path_buf();
    let mut o = ServeOptions::from_config(&cfg);
    o.api_port = 0;
    o.files_port = 0;
    o.web_port = 0;
    o
}

/// A client configuration (remote mode) talking to one API server, files through the balancer.
fn client_config(home: &Path, api: SocketAddr, files_url: &str, keys: &(String, String)) -> Config {
    Config {
        home: home.to_path_buf(),
        api_server: Some(format!("http://{api}")),
        files_server: Some(files_url.to_string()),
        access_key: Some(keys.0.clone()),
        secret_key: Some(keys.1.clone()),
        ..Default::default()
    }
}

/// The bytes client `c` uploads as its `i`-th artifact of round `r`.
fn content(r: usize, c: usize, i: usize) -> Vec<u8> {
    format!("round {r} client {c} artifact {i}\n")
        .repeat(1 + (c * 7 + i) % 40)
        .into_bytes()
}

fn artifact_name(c: usize, i: usize) -> String {
    format!("c{c}-{i:03}")
}

/// One client: 100 uploads alternating between the servers; on an error, mark that server bad and retry on
/// the other (reopening the task there). Returns how many times it failed over.
fn client(r: usize, c: usize, cfgs: [Config; 2], task_id: String, done: Arc<AtomicU64>) -> u64 {
    let work = tempfile::tempdir().unwrap();
    let mut handles: [Option<Task>; 2] = [None, None];
    let mut bad = [false, false];
    let mut failovers = 0;
    for i in 0..PER_CLIENT {
        let name = artifact_name(c, i);
        let path = work.path().join(format!("{name}.bin"));
        std::fs::write(&path, content(r, c, i)).unwrap();
        let mut s = (c + i) % 2;
        if bad[s] {
            s = 1 - s;
        }
        let mut attempts = 0;
        loop {
            let res = (|| -> trove::Result<()> {
                if handles[s].is_none() {
                    handles[s] = Some(
                        trove::Trove::builder()
                            .config(cfgs[s].clone())
                            .build()?
                            .task(&task_id)?,
                    );
                }
                let task = handles[s].as_ref().unwrap();
                let rec = task.upload_artifact_with(
                    &name,
                    path.as_path(),
                    UploadOptions::default().wait(true),
                )?;
                assert_eq!(rec.key, name);
                Ok(())
            })();
            match res {
                Ok(()) => break,
                Err(e) => {
                    attempts += 1;
                    assert!(
                        attempts < 10,
                        "client {c}: {name} failed {attempts} times: {e}"
                    );
                    eprintln!(
                        "client {c}: {name} on server {s} failed ({e}); retrying on the other"
                    );
                    failovers += 1;
                    bad[s] = true;
                    handles[s] = None;
                    s = 1 - s;
                    if bad[s] {
                        // Both failed once: give the other another chance after a pause.
                        bad[s] = false;
                        std::thread::sleep(Duration::from_millis(300));
                    }
                }
            }
        }
        done.fetch_add(1, Ordering::SeqCst);
    }
    for t in handles.into_iter().flatten() {
        let _ = t.close();
    }
    failovers
}

/// The venv with the official ClearML 2.x SDK (made once by `scripts/pyenv`).
fn clearml_python() -> PathBuf {
    Venv::Clearml2.python()
}

/// A ClearML Python SDK client: 100 uploads to `task_id` through the API server `api`, files through the
/// balancer. Runs in its own folder with its own HOME and clearml.conf.
fn python_client(
    py: &Path,
    r: usize,
    c: usize,
    api: SocketAddr,
    files_url: &str,
    keys: &(String, String),
    task_id: &str,
) {
    let wd = tempfile::tempdir().unwrap();
    let api = format!("http://{api}");
    let env = python::clearml_env(
        wd.path(),
        &python::ClearmlServer {
            api: &api,
            web: &api,
            files: files_url,
            access: &keys.0,
            secret: &keys.1,
        },
    );
    let f = python::run_script(
        py,
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/py/two_servers_client.py"),
        &[
            task_id,
            &c.to_string(),
            &r.to_string(),
            &PER_CLIENT.to_string(),
        ],
        wd.path(),
        &env,
        Duration::from_secs(300),
    );
    let text = f.report();
    assert!(f.success(), "python client {c} failed: {text}");
    assert!(text.contains(&format!("DONE {PER_CLIENT}")), "{text}");
}

/// What a round runs besides the Rust clients: ClearML Python SDK clients (interpreter, API servers).
struct PyClients {
    python: PathBuf,
    api: [SocketAddr; 2],
    files_url: String,
    keys: (String, String),
}

/// Run one round: shared tasks created on server B, 8 clients, optionally shutting server A down once
/// `kill_after` uploads are done. Returns the shared task ids and the total failovers.
fn round(
    rt: &tokio::runtime::Runtime,
    r: usize,
    cfgs: &[[Config; 2]],
    servers: &mut [Option<RunningServer>; 2],
    kill_after: Option<u64>,
    py: Option<&PyClients>,
) -> (Vec<String>, u64) {
    let shared: Vec<Task> = (0..SHARED_TASKS)
        .map(|k| {
            trove::Trove::builder()
                .config(cfgs[0][1].clone())
                .build()
                .unwrap()
                .task_builder("two servers", &format!("round {r} shared {k}"))
                .init()
                .unwrap()
        })
        .collect();
    let ids: Vec<String> = shared.iter().map(|t| t.id().to_string()).collect();
    let done = Arc::new(AtomicU64::new(0));
    let threads: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let (cfg, id, done) = (cfgs[c].clone(), ids[c % SHARED_TASKS].clone(), done.clone());
            std::thread::spawn(move || client(r, c, cfg, id, done))
        })
        .collect();
    let py_threads: Vec<_> = py
        .into_iter()
        .flat_map(|p| {
            let ids = &ids;
            (0..PY_CLIENTS).map(move |k| {
                let c = CLIENTS + k;
                let (python, api, files_url, keys, id) = (
                    p.python.clone(),
                    p.api[k % 2],
                    p.files_url.clone(),
                    p.keys.clone(),
                    ids[c % SHARED_TASKS].clone(),
                );
                std::thread::spawn(move || {
                    python_client(&python, r, c, api, &files_url, &keys, &id)
                })
            })
        })
        .collect();
    if let Some(n) = kill_after {
        let start = Instant::now();
        while done.load(Ordering::SeqCst) < n {
            assert!(
                start.elapsed() < Duration::from_secs(600),
                "clients stalled"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        let a = servers[0].take().unwrap();
        eprintln!(
            "shutting server A down after {} uploads",
            done.load(Ordering::SeqCst)
        );
        rt.block_on(a.shutdown());
        assert!(
            done.load(Ordering::SeqCst) < (CLIENTS * PER_CLIENT) as u64,
            "server A was shut down only after the clients had finished"
        );
    }
    let failovers = threads.into_iter().map(|t| t.join().unwrap()).sum();
    for t in py_threads {
        t.join().unwrap();
    }
    for t in shared {
        t.close().unwrap();
    }
    (ids, failovers)
}

/// Check every record of a round through one server: metadata from its API (the SDK with that server's
/// configuration), bytes from its files port, each hash-verified and compared with what the client wrote.
fn verify(r: usize, clients: usize, ids: &[String], cfg: &Config, files: SocketAddr) {
    let http = reqwest::blocking::Client::new();
    let login: serde_json::Value = http
        .get(format!("{}/auth.login", cfg.api_server.as_deref().unwrap()))
        .basic_auth(
            cfg.access_key.as_deref().unwrap(),
            cfg.secret_key.as_deref(),
        )
        .send()
        .unwrap()
        .json()
        .unwrap();
    let token = login["data"]["token"].as_str().unwrap().to_string();
    let mut seen = 0;
    for (k, id) in ids.iter().enumerate() {
        let task = trove::Trove::builder()
            .config(cfg.clone())
            .build()
            .unwrap()
            .task(id)
            .unwrap();
        let arts = task.artifacts().unwrap();
        let mut expected: Vec<String> = (0..clients)
            .filter(|c| c % SHARED_TASKS == k)
            .flat_map(|c| (0..PER_CLIENT).map(move |i| artifact_name(c, i)))
            .collect();
        expected.sort();
        let mut names: Vec<String> = arts.iter().map(|a| a.name().to_string()).collect();
        names.sort();
        assert_eq!(
            names, expected,
            "task {id}: every upload has exactly one record"
        );
        for a in &arts {
            let (c, i) = a.name()[1..].split_once('-').unwrap();
            let c: usize = c.parse().unwrap();
            let want = content(r, c, i.parse().unwrap());
            if c < CLIENTS {
                assert_eq!(a.state().as_str(), "ready", "{}", a.name());
            }
            let uri = a.uri().unwrap();
            let path = uri
                .split_once("://")
                .and_then(|(_, rest)| rest.find('/').map(|p| &rest[p..]))
                .unwrap();
            let resp = http
                .get(format!("http://{files}{path}"))
                .bearer_auth(&token)
                .send()
                .unwrap();
            assert_eq!(resp.status(), 200, "{uri} through {files}");
            let bytes = resp.bytes().unwrap();
            assert_eq!(bytes.as_ref(), want.as_slice(), "{uri}");
            assert_eq!(
                a.hash(),
                Some(trove_core::sha256_hex(&bytes).as_str()),
                "{uri}"
            );
            assert_eq!(a.size(), Some(bytes.len() as u64));
            seen += 1;
        }
    }
    assert_eq!(seen, clients * PER_CLIENT);
}

#[test]
fn two_servers_share_one_database_and_one_bucket() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter("warn,trove_server=error")
        .with_test_writer()
        .try_init();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .unwrap();
    let s3 = start_s3s();
    let db = PgDb::create("trove_two");
    let lb = rt.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
    let files_url = format!("http://{}", lb.local_addr().unwrap());
    let homes = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];

    let a = rt
        .block_on(trove_server::start(server_options(
            homes[0].path(),
            &db.url,
            s3.port,
            &files_url,
        )))
        .unwrap();
    let b = rt
        .block_on(trove_server::start(server_options(
            homes[1].path(),
            &db.url,
            s3.port,
            &files_url,
        )))
        .unwrap();
    assert_eq!(a.store.engine(), "postgres");
    let keys = a
        .initial_credentials
        .clone()
        .expect("A creates the first key pair");
    assert!(
        b.initial_credentials.is_none(),
        "B sees A's key pair in the shared database"
    );
    rt.spawn(balance(lb, vec![a.files_addr, b.files_addr]));
    let (api, files) = ([a.api_addr, b.api_addr], [a.files_addr, b.files_addr]);
    let mut servers = [Some(a), Some(b)];

    let client_homes: Vec<tempfile::TempDir> =
        (0..CLIENTS).map(|_| tempfile::tempdir().unwrap()).collect();
    let cfgs: Vec<[Config; 2]> = client_homes
        .iter()
        .map(|h| {
            [
                client_config(h.path(), api[0], &files_url, &keys),
                client_config(h.path(), api[1], &files_url, &keys),
            ]
        })
        .collect();

    // Round 1: both servers up; every record readable and verified through either server.
    // The Python SDK clients join round 1 (one on each server).
    let py = PyClients {
        python: clearml_python(),
        api,
        files_url: files_url.clone(),
        keys: keys.clone(),
    };
    let (ids1, failovers) = round(&rt, 1, &cfgs, &mut servers, None, Some(&py));
    assert_eq!(failovers, 0, "no failures while both servers are up");
    let all1 = CLIENTS + PY_CLIENTS;
    verify(1, all1, &ids1, &cfgs[0][0], files[0]);
    verify(1, all1, &ids1, &cfgs[0][1], files[1]);

    // Round 2: A goes away mid-run; the clients finish on B and nothing is lost.
    let (ids2, failovers) = round(&rt, 2, &cfgs, &mut servers, Some(300), None);
    assert!(
        failovers > 0,
        "clients noticed server A going away and failed over"
    );
    assert!(servers[0].is_none());
    verify(2, CLIENTS, &ids2, &cfgs[0][1], files[1]);
    verify(1, all1, &ids1, &cfgs[0][1], files[1]);

    if let Some(b) = servers[1].take() {
        rt.block_on(b.shutdown());
    }
    drop(rt);
}
