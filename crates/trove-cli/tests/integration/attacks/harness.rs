//! A real `trove server` process (the binary built with this crate) on free ports over a temporary home, and
//! what an attacker holding one API key (or none) needs to talk to it.

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// A signing secret long enough for the server to accept.
pub const SECRET: &str = "attack-suite-token-secret-0123456789abcdef";

/// Lines a child printed, shared with the reader threads.
#[derive(Default)]
struct Output {
    lines: Mutex<Vec<String>>,
    changed: Condvar,
}

/// A running `trove` process; killed when dropped.
pub struct Proc {
    child: Child,
    out: Arc<Output>,
}

impl Proc {
    /// Start `trove --home <home> <args>` with `env`.
    pub fn start(home: &Path, args: &[&str], env: &[(&str, &str)]) -> Self {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_trove"));
        cmd.arg("--home")
            .arg(home)
            .args(args)
            .env_remove("TROVE_CONFIG_FILE")
            .env_remove("TROVE_TOKEN_SECRET")
            .env("RUST_LOG", "info,sqlx=warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("start the trove binary");
        let out = Arc::new(Output::default());
        for stream in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let out = out.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    out.lines.lock().unwrap().push(line);
                    out.changed.notify_all();
                }
            });
        }
        Self { child, out }
    }

    /// Everything printed so far.
    pub fn text(&self) -> String {
        self.out.lines.lock().unwrap().join("\n")
    }

    /// The first printed line containing `needle`, waiting up to `limit`; `None` if the process exits first.
    pub fn wait_line(&mut self, needle: &str, limit: Duration) -> Option<String> {
        let end = Instant::now() + limit;
        let mut lines = self.out.lines.lock().unwrap();
        loop {
            if let Some(l) = lines.iter().find(|l| l.contains(needle)) {
                return Some(l.clone());
            }
            let now = Instant::now();
            if now >= end {
                return None;
            }
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                drop(lines);
                std::thread::sleep(Duration::from_millis(100));
                return self
                    .text()
                    .lines()
                    .find(|l| l.contains(needle))
                    .map(String::from);
            }
            lines = self
                .out
                .changed
                .wait_timeout(lines, (end - now).min(Duration::from_millis(100)))
                .unwrap()
                .0;
        }
    }

    /// Wait for the process to exit (at most `limit`); its exit code.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<i32> {
        let end = Instant::now() + limit;
        while Instant::now() < end {
            if let Ok(Some(s)) = self.child.try_wait() {
                return Some(s.code().unwrap_or(-1));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Send a signal.
    pub fn signal(&self, sig: rustix::process::Signal) {
        let pid = rustix::process::Pid::from_raw(self.child.id() as i32).unwrap();
        rustix::process::kill_process(pid, sig).unwrap();
    }

    /// Peak resident memory so far in KiB (`VmHWM`: a spike counts even after the memory is freed).
    pub fn peak_rss_kib(&self) -> u64 {
        let s = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap();
        s.lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap()
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A `trove server` with its addresses and first key pair.
pub struct Server {
    pub proc: Proc,
    pub api: String,
    pub files: String,
    pub web: String,
    pub access: String,
    pub secret: String,
    pub http: reqwest::blocking::Client,
}

fn addr_of(line: &str) -> String {
    let at = line.find("http://").expect("an address in the log line");
    line[at..].split_whitespace().next().unwrap().to_string()
}

/// The trove.toml of a test server: top-level lines, `[server]` lines (free ports are added) and other tables.
#[derive(Default, Clone, Copy)]
pub struct Conf<'a> {
    pub top: &'a str,
    pub server: &'a str,
    pub tables: &'a str,
}

impl Conf<'_> {
    /// Write it as `home/trove.toml`.
    pub fn write(&self, home: &Path) {
        std::fs::create_dir_all(home).unwrap();
        let text = format!(
            "token_secret = \"{SECRET}\"\n{}\n[server]\napi_port = 0\nfiles_port = 0\nweb_port = 0\n{}\n{}\n",
            self.top, self.server, self.tables
        );
        std::fs::write(home.join("trove.toml"), text).unwrap();
    }
}

impl Server {
    /// `trove server` on free ports over `home` with `conf` as its trove.toml and extra flags; waits until all
    /// three ports listen.
    pub fn start(home: &Path, conf: Conf, flags: &[&str]) -> Self {
        conf.write(home);
        let mut args = vec!["server"];
        args.extend(flags);
        let mut proc = Proc::start(home, &args, &[]);
        let limit = Duration::from_secs(60);
        let web = proc.wait_line("web server listening on", limit);
        let web = web.unwrap_or_else(|| panic!("server did not start:\n{}", proc.text()));
        let api = proc.wait_line("API server listening on", limit).unwrap();
        let files = proc.wait_line("files server listening on", limit).unwrap();
        // The first key pair (printed on stdout, read by another thread) when this start created one.
        proc.wait_line("secret_key = ", Duration::from_secs(3));
        let text = proc.text();
        let value = |k: &str| {
            text.lines()
                .find_map(|l| l.trim().strip_prefix(&format!("{k} = ")))
                .unwrap_or_default()
                .trim_matches('"')
                .to_string()
        };
        Self {
            access: value("access_key"),
            secret: value("secret_key"),
            api: addr_of(&api),
            files: addr_of(&files),
            web: addr_of(&web),
            http: reqwest::blocking::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(60))
                .build()
                .unwrap(),
            proc,
        }
    }

    /// `auth.login` with Basic credentials; the token.
    pub fn login_as(&self, access: &str, secret: &str) -> String {
        let r = self
            .http
            .get(format!("{}/auth.login", self.api))
            .basic_auth(access, Some(secret))
            .send()
            .unwrap();
        assert_eq!(r.status(), 200, "login of {access}");
        r.json::<Value>().unwrap()["data"]["token"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// `auth.login` with the first key.
    pub fn login(&self) -> String {
        self.login_as(&self.access, &self.secret)
    }

    /// Call an endpoint as the SDK does; `(HTTP status, envelope)`.
    pub fn call(&self, token: &str, endpoint: &str, body: Value) -> (u16, Value) {
        let r = self
            .http
            .post(format!("{}/v2.23/{endpoint}", self.api))
            .bearer_auth(token)
            .header("Content-Type", "application/json")
            .body(body.to_string())
            .send()
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().unwrap_or(Value::Null))
    }

    /// [`Server::call`] that must succeed; its `data`.
    pub fn ok(&self, token: &str, endpoint: &str, body: Value) -> Value {
        let (s, v) = self.call(token, endpoint, body);
        assert_eq!(s, 200, "{endpoint}: {v}");
        v["data"].clone()
    }

    /// A project and a task in it; the task id.
    pub fn task(&self, token: &str, name: &str) -> String {
        let pid = self.ok(
            token,
            "projects.create",
            json!({ "name": format!("p-{name}") }),
        )["id"]
            .as_str()
            .unwrap()
            .to_string();
        self.ok(
            token,
            "tasks.create",
            json!({ "name": name, "project": pid, "type": "training" }),
        )["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Record an artifact named `key` with `uri` on `task`.
    pub fn record(&self, token: &str, task: &str, key: &str, uri: &str) {
        self.ok(
            token,
            "tasks.add_or_update_artifacts",
            json!({ "task": task, "force": true, "artifacts": [{
                "key": key, "type": "custom", "mode": "output", "uri": uri,
                "type_data": { "preview": "recorded preview", "content_type": "text/plain" }
            }]}),
        );
    }

    /// A web session cookie for a key (logs in through the form).
    pub fn web_login(&self, access: &str, secret: &str) -> String {
        let r = self
            .http
            .post(format!("{}/login", self.web))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(crate::attacks::harness::form(&[
                ("access_key", access),
                ("secret_key", secret),
                ("next", "/projects"),
            ]))
            .send()
            .unwrap();
        assert_eq!(r.status(), 303, "web login of {access}");
        r.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string()
    }

    /// GET a web page with a session cookie: `(status, body)`.
    pub fn web_get(&self, cookie: &str, path: &str) -> (u16, String) {
        let r = self
            .http
            .get(format!("{}{path}", self.web))
            .header("cookie", cookie)
            .send()
            .unwrap();
        (r.status().as_u16(), r.text().unwrap_or_default())
    }

    /// The port's socket address of a base URL.
    pub fn sock(base: &str) -> SocketAddr {
        base.trim_start_matches("http://").parse().unwrap()
    }
}

/// A urlencoded form body.
pub fn form(pairs: &[(&str, &str)]) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect::<String>()
    };
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Send raw bytes to `addr` and read the answer until the server closes or `limit` passes.
pub fn raw(addr: SocketAddr, request: &[u8], limit: Duration) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(limit)).unwrap();
    s.write_all(request).unwrap();
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    String::from_utf8_lossy(&buf).into_owned()
}

/// The status code of a raw HTTP answer.
pub fn status_of(answer: &str) -> u16 {
    answer
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

/// A file's permission bits.
pub fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}
