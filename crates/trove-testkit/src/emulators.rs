//! Real storage emulators (s3s-fs for S3, azurite for Azure Blob), installed by `scripts/emulators` and
//! started on free ports with fresh data folders. One that cannot be installed or started fails the test.

use crate::process;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A free loopback port (bound and released; the caller starts a server on it right away).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap_or_else(|e| panic!("no free loopback port: {e}"))
        .port()
}

/// Wait until something accepts TCP connections on 127.0.0.1:port (at most 30 s).
pub fn wait_for_port(port: u16, child: &mut Child, what: &str) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(30) {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("{what} exited before accepting connections: {status}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("{what} did not accept connections on port {port} within 30 s");
}

/// The path of an emulator binary, installed on first use by `scripts/emulators`.
pub fn emulator_path(name: &str) -> PathBuf {
    let mut cmd = Command::new("bash");
    cmd.arg(crate::repo_root().join("scripts/emulators"))
        .args(["path", name]);
    let out = process::run_ok(cmd, Duration::from_secs(900));
    let path = PathBuf::from(out.trim());
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
    /// Its data folder (kept as long as the emulator).
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
    let data = tempdir();
    let mut attempt = 0;
    loop {
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
        attempt += 1;
        if attempt < 3 && matches!(child.try_wait(), Ok(Some(_))) {
            continue; // the port was taken meanwhile
        }
        wait_for_port(port, &mut child, "s3s-fs");
        return Emulator { child, port, data };
    }
}

/// Create bucket `name` in s3s-fs (s3s-fs keeps buckets as folders of its data folder).
pub fn s3s_create_bucket(emu: &Emulator, name: &str) {
    let dir = emu.data.path().join(name);
    std::fs::create_dir(&dir).unwrap_or_else(|e| panic!("create {}: {e}", dir.display()));
}

/// Multipart upload leftovers in s3s-fs's data folder: pending uploads (`.upload-<id>.json`) and parts
/// (`.upload_id-<id>.part-<n>`). s3s-fs's own scratch files of cut-off requests (`.tmp.*`) are not S3 state.
pub fn s3s_multipart_leftovers(emu: &Emulator) -> Vec<String> {
    crate::data::list_files(emu.data.path())
        .into_iter()
        .filter(|f| f.rsplit('/').next().unwrap_or(f).starts_with(".upload"))
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
    let data = tempdir();
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

/// Create a blob container in azurite with a SharedKey-signed `PUT ?restype=container`. Plain blocking
/// HTTP/1.1 over loopback, so it works from sync and async tests alike.
pub fn azurite_create_container(port: u16, container: &str) {
    use base64::Engine;
    use hmac::{Hmac, Mac};
    let b64 = base64::engine::general_purpose::STANDARD;
    let date = time::OffsetDateTime::now_utc()
        .format(time::macros::format_description!(
            "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
        ))
        .unwrap_or_else(|e| panic!("format the date: {e}"));
    let version = "2021-08-06";
    let resource = format!("/{AZURITE_ACCOUNT}/{AZURITE_ACCOUNT}/{container}\nrestype:container");
    let to_sign =
        format!("PUT\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:{date}\nx-ms-version:{version}\n{resource}");
    let key = b64
        .decode(AZURITE_KEY)
        .unwrap_or_else(|e| panic!("azurite key: {e}"));
    let mut mac =
        Hmac::<sha2::Sha256>::new_from_slice(&key).unwrap_or_else(|e| panic!("HMAC key: {e}"));
    mac.update(to_sign.as_bytes());
    let sig = b64.encode(mac.finalize().into_bytes());
    let request = format!(
        "PUT /{AZURITE_ACCOUNT}/{container}?restype=container HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\
         x-ms-date: {date}\r\nx-ms-version: {version}\r\n\
         Authorization: SharedKey {AZURITE_ACCOUNT}:{sig}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    let mut conn = TcpStream::connect(("127.0.0.1", port))
        .unwrap_or_else(|e| panic!("connect to azurite on port {port}: {e}"));
    let _ = conn.set_read_timeout(Some(Duration::from_secs(30)));
    conn.write_all(request.as_bytes())
        .unwrap_or_else(|e| panic!("send to azurite: {e}"));
    let mut answer = String::new();
    let _ = conn.read_to_string(&mut answer);
    let status = answer.lines().next().unwrap_or("");
    assert!(
        status
            .split_whitespace()
            .nth(1)
            .is_some_and(|c| c.starts_with('2')),
        "creating container {container}: {answer}"
    );
}

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"))
}
