//! Helpers for the cloud storage tests: test data, hashing, free ports, real emulator processes (s3s-fs,
//! azurite) installed by `scripts/emulators`, a fault-injecting proxy and a fake GCS XML API.
//! An emulator that cannot be installed or started fails the test (never skips it).
//! (Copied from trove-storage's test helpers on purpose: test code of one crate is not a dependency of another.)
#![allow(dead_code)]

pub mod fake_gcs;
pub mod fault_proxy;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// Deterministic pseudo-random bytes (xorshift64*, seeded).
pub fn data(size: usize, seed: u64) -> Vec<u8> {
    let mut rng = Rng::new(seed);
    let mut out = Vec::with_capacity(size + 8);
    while out.len() < size {
        out.extend_from_slice(&rng.next_u64().to_le_bytes());
    }
    out.truncate(size);
    out
}

/// Write [`data`] to `path` and return it.
pub fn write_data(path: &Path, size: usize, seed: u64) -> Vec<u8> {
    let d = data(size, seed);
    if let Some(p) = path.parent() {
        std::fs::create_dir_all(p).unwrap();
    }
    std::fs::write(path, &d).unwrap();
    d
}

/// A small seeded RNG (xorshift64*), shareable behind a mutex.
pub struct Rng(u64);

impl Rng {
    /// Seeded.
    pub fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        ((self.next_u64() >> 11) as f64) / ((1u64 << 53) as f64) < p
    }
}

/// Hex SHA-256.
pub fn sha(data: &[u8]) -> String {
    trove_core::sha256_hex(data)
}

/// Hex SHA-256 of a file.
pub fn sha_file(path: &Path) -> String {
    sha(&std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

/// A free loopback port (bound and released; the caller starts a server on it right away).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Wait until something accepts TCP connections on 127.0.0.1:port.
pub fn wait_for_port(port: u16, child: &mut Child, what: &str) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(30) {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("{what} exited before accepting connections: {status}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("{what} did not accept connections on port {port} within 30 s");
}

/// The path of an emulator binary, installed on first use by `scripts/emulators` (panics when that fails).
pub fn emulator_path(name: &str) -> PathBuf {
    let script = repo_root().join("scripts/emulators");
    let out = Command::new("bash")
        .arg(&script)
        .args(["path", name])
        .stderr(Stdio::inherit())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
    assert!(
        out.status.success(),
        "scripts/emulators could not install {name}: {}",
        out.status
    );
    let path = PathBuf::from(String::from_utf8(out.stdout).unwrap().trim());
    assert!(
        path.exists(),
        "scripts/emulators printed {} which does not exist",
        path.display()
    );
    path
}

/// A running emulator process, killed when dropped.
pub struct Emulator {
    child: Child,
    /// Its port on 127.0.0.1.
    pub port: u16,
    /// Its data folder (kept alive as long as the emulator).
    pub data: tempfile::TempDir,
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// s3s-fs's access key in these tests.
pub const S3_KEY: &str = "test";
/// s3s-fs's secret key in these tests.
pub const S3_SECRET: &str = "testtesttest";

/// Start s3s-fs with [`S3_KEY`]/[`S3_SECRET`] on a free port with a fresh data folder.
pub fn start_s3s() -> Emulator {
    let bin = emulator_path("s3s-fs");
    let data = tempfile::tempdir().unwrap();
    for attempt in 0..3 {
        let port = free_port();
        let mut child = Command::new(&bin)
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args(["--access-key", S3_KEY, "--secret-key", S3_SECRET])
            .arg(data.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
        std::thread::sleep(Duration::from_millis(50));
        if attempt < 2 && matches!(child.try_wait(), Ok(Some(_))) {
            continue; // the port was taken meanwhile
        }
        wait_for_port(port, &mut child, "s3s-fs");
        return Emulator { child, port, data };
    }
    unreachable!()
}

/// Create bucket `name` in s3s-fs (a folder in its data folder: s3s-fs keeps buckets as folders).
pub fn s3s_create_bucket(emu: &Emulator, name: &str) {
    std::fs::create_dir(emu.data.path().join(name)).unwrap();
}

/// Multipart upload leftovers in s3s-fs's data folder: pending uploads (`.upload-<id>.json`) and parts
/// (`.upload_id-<id>.part-<n>`). s3s-fs's own scratch files of cut-off requests (`.tmp.*`) are not S3 state.
pub fn s3s_multipart_leftovers(emu: &Emulator) -> Vec<String> {
    list_files(emu.data.path())
        .into_iter()
        .filter(|f| {
            let base = f.rsplit('/').next().unwrap_or(f);
            base.starts_with(".upload")
        })
        .collect()
}

/// Azurite's well-known development account.
pub const AZURITE_ACCOUNT: &str = "devstoreaccount1";
/// Azurite's well-known development key.
pub const AZURITE_KEY: &str =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

/// Start azurite's blob service on a free port with a fresh data folder.
pub fn start_azurite() -> Emulator {
    let bin = emulator_path("azurite");
    let data = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut child = Command::new(&bin)
        .args(["--blobHost", "127.0.0.1", "--blobPort", &port.to_string()])
        .arg("--location")
        .arg(data.path())
        .args(["--silent", "--disableTelemetry", "--skipApiVersionCheck"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
    wait_for_port(port, &mut child, "azurite");
    Emulator { child, port, data }
}

/// Create a blob container in azurite with a SharedKey-signed `PUT ?restype=container` (blocking).
pub fn azurite_create_container(port: u16, container: &str) {
    use base64::Engine;
    use hmac::{Hmac, Mac};
    let b64 = base64::engine::general_purpose::STANDARD;
    let date = time::OffsetDateTime::now_utc()
        .format(time::macros::format_description!(
            "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
        ))
        .unwrap();
    let version = "2021-08-06";
    let resource = format!("/{AZURITE_ACCOUNT}/{AZURITE_ACCOUNT}/{container}\nrestype:container");
    let to_sign =
        format!("PUT\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:{date}\nx-ms-version:{version}\n{resource}");
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&b64.decode(AZURITE_KEY).unwrap()).unwrap();
    mac.update(to_sign.as_bytes());
    let sig = b64.encode(mac.finalize().into_bytes());
    let url = format!("http://127.0.0.1:{port}/{AZURITE_ACCOUNT}/{container}?restype=container");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let resp = reqwest::Client::new()
            .put(&url)
            .header("x-ms-date", &date)
            .header("x-ms-version", version)
            .header(
                "Authorization",
                format!("SharedKey {AZURITE_ACCOUNT}:{sig}"),
            )
            .header("Content-Length", "0")
            .send()
            .await
            .unwrap();
        let status = resp.status();
        assert!(
            status.is_success(),
            "creating container {container}: {status} {}",
            resp.text().await.unwrap()
        );
    });
}

/// Files (relative paths) below `dir`, sorted, hidden ones included.
pub fn list_files(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let e = e.unwrap();
            let p = e.path();
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                out.push(p.strip_prefix(base).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// A background tokio runtime for the in-test servers (the SDK's blocking calls must not run inside one).
pub fn server_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}
