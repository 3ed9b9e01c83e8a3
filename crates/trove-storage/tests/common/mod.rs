//! Shared test helpers: test data, hashing, free ports, and real emulator processes (s3s-fs, azurite)
//! installed by `scripts/emulators`. An emulator that cannot be installed or started fails the test.
#![allow(dead_code)]

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

/// Write `size` bytes of deterministic, non-repeating-looking data (seeded) to `path` and return them.
pub fn write_data(path: &Path, size: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut data = Vec::with_capacity(size);
    while data.len() < size {
        // xorshift64*
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        data.extend_from_slice(&x.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes());
    }
    data.truncate(size);
    if let Some(p) = path.parent() {
        std::fs::create_dir_all(p).unwrap();
    }
    std::fs::write(path, &data).unwrap();
    data
}

/// Hex SHA-256.
pub fn sha(data: &[u8]) -> String {
    trove_core::sha256_hex(data)
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

/// Start s3s-fs with access key `test`, secret `testtesttest`, on a free port with a fresh data folder.
pub fn start_s3s() -> Emulator {
    let bin = emulator_path("s3s-fs");
    let data = tempfile::tempdir().unwrap();
    for attempt in 0..3 {
        let port = free_port();
        let mut child = Command::new(&bin)
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args(["--access-key", "test", "--secret-key", "testtesttest"])
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

/// Azurite's well-known development account and key.
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

/// Create a blob container in azurite with a SharedKey-signed `PUT ?restype=container`.
pub async fn azurite_create_container(port: u16, container: &str) {
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
