//! A fault-injecting HTTP proxy for tests (a real loopback server, not a mock of anything): it sits between
//! the SDK and a real storage emulator, forwards requests, and on a seeded schedule resets TCP connections
//! (RST right after accept) and answers 500/503 itself instead of forwarding.

use super::Rng;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::CONTENT_LENGTH;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// What the proxy does to traffic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Mode {
    /// Forward everything.
    Pass = 0,
    /// Reset a share of connections and answer 500/503 to a share of requests (seeded).
    Flaky = 1,
    /// Answer 503 to every request that uploads a part of a multipart upload; forward the rest.
    FailParts = 2,
    /// Answer 503 to every request.
    FailAll = 3,
}

/// Counters of what the proxy did.
#[derive(Debug, Default)]
pub struct Stats {
    /// Connections accepted (reset or served).
    pub accepted: AtomicU64,
    /// Connections reset right after accept.
    pub resets: AtomicU64,
    /// Requests answered 500/503 by the proxy.
    pub errors: AtomicU64,
    /// Requests forwarded to the upstream server.
    pub forwarded: AtomicU64,
    /// `METHOD path?query` of every forwarded request, in order.
    pub forwarded_lines: Mutex<Vec<String>>,
}

struct Shared {
    mode: AtomicU8,
    rng: Mutex<Rng>,
    reset_share: f64,
    error_share: f64,
    upstream: String,
    client: reqwest::Client,
    stats: Arc<Stats>,
}

impl Shared {
    fn mode(&self) -> Mode {
        match self.mode.load(Ordering::SeqCst) {
            0 => Mode::Pass,
            1 => Mode::Flaky,
            2 => Mode::FailParts,
            _ => Mode::FailAll,
        }
    }
    fn chance(&self, p: f64) -> bool {
        self.rng.lock().unwrap().chance(p)
    }
}

/// A running proxy on 127.0.0.1:`port` (stops with the runtime it was started on).
pub struct FaultProxy {
    /// Its port.
    pub port: u16,
    /// What it did so far.
    pub stats: Arc<Stats>,
    shared: Arc<Shared>,
}

impl FaultProxy {
    /// Start a proxy to `http://127.0.0.1:<upstream_port>` on `rt`, in mode `Pass`; in mode `Flaky` it resets
    /// `reset_share` of connections and answers 500/503 to `error_share` of requests, drawn from `seed`.
    pub fn start(
        rt: &tokio::runtime::Runtime,
        upstream_port: u16,
        seed: u64,
        reset_share: f64,
        error_share: f64,
    ) -> FaultProxy {
        let stats = Arc::new(Stats::default());
        let shared = Arc::new(Shared {
            mode: AtomicU8::new(Mode::Pass as u8),
            rng: Mutex::new(Rng::new(seed)),
            reset_share,
            error_share,
            upstream: format!("http://127.0.0.1:{upstream_port}"),
            client: reqwest::Client::builder().no_proxy().build().unwrap(),
            stats: stats.clone(),
        });
        let listener = rt
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let port = listener.local_addr().unwrap().port();
        let app = axum::Router::new()
            .fallback(forward)
            .with_state(shared.clone());
        let resetting = ResettingListener {
            inner: listener,
            shared: shared.clone(),
        };
        rt.spawn(async move { axum::serve(resetting, app).await });
        FaultProxy {
            port,
            stats,
            shared,
        }
    }

    /// Switch what the proxy does from now on.
    pub fn set_mode(&self, mode: Mode) {
        self.shared.mode.store(mode as u8, Ordering::SeqCst);
    }
}

/// Accepts connections, resetting a share of them at once in mode `Flaky`.
struct ResettingListener {
    inner: tokio::net::TcpListener,
    shared: Arc<Shared>,
}

impl axum::serve::Listener for ResettingListener {
    type Io = tokio::net::TcpStream;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let Ok((stream, addr)) = self.inner.accept().await else {
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                continue;
            };
            self.shared.stats.accepted.fetch_add(1, Ordering::Relaxed);
            if self.shared.mode() == Mode::Flaky && self.shared.chance(self.shared.reset_share) {
                // SO_LINGER 0 then close: the peer gets a TCP RST.
                let _ = stream.set_zero_linger();
                drop(stream);
                self.shared.stats.resets.fetch_add(1, Ordering::Relaxed);
                continue;
            }
            return (stream, addr);
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.inner.local_addr()
    }
}

const HOP_BY_HOP: [&str; 8] = [
    "connection",
    "keep-alive",
    "proxy-connection",
    "transfer-encoding",
    "te",
    "trailer",
    "upgrade",
    "content-length",
];

fn copy_headers(from: &HeaderMap, to: &mut HeaderMap) {
    for (k, v) in from {
        if !HOP_BY_HOP.contains(&k.as_str()) {
            to.append(k.clone(), v.clone());
        }
    }
}

fn injected(status: StatusCode) -> Response {
    let code = if status == StatusCode::SERVICE_UNAVAILABLE {
        "SlowDown"
    } else {
        "InternalError"
    };
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>injected by the test's fault proxy</Message></Error>"
    );
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = status;
    r
}

async fn forward(State(s): State<Arc<Shared>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    // Read the whole request first, as a server would, so that injected errors come after the upload.
    let Ok(body) = axum::body::to_bytes(body, usize::MAX).await else {
        return injected(StatusCode::INTERNAL_SERVER_ERROR);
    };
    let is_part = parts.uri.query().unwrap_or("").contains("partNumber=");
    let fail = match s.mode() {
        Mode::Pass => None,
        Mode::Flaky => s.chance(s.error_share).then(|| {
            if s.chance(0.5) {
                StatusCode::SERVICE_UNAVAILABLE
            } else {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }),
        Mode::FailParts => is_part.then_some(StatusCode::SERVICE_UNAVAILABLE),
        Mode::FailAll => Some(StatusCode::SERVICE_UNAVAILABLE),
    };
    if let Some(status) = fail {
        s.stats.errors.fetch_add(1, Ordering::Relaxed);
        return injected(status);
    }
    let path = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let mut headers = HeaderMap::new();
    copy_headers(&parts.headers, &mut headers);
    // Keep the Host the client signed (SigV4 covers it).
    let url = format!("{}{path}", s.upstream);
    let sent = s
        .client
        .request(parts.method.clone(), &url)
        .headers(headers)
        .body(body)
        .send()
        .await;
    let resp = match sent {
        Ok(r) => r,
        Err(e) => {
            let mut r = Response::new(Body::from(format!("proxy: upstream failed: {e}")));
            *r.status_mut() = StatusCode::BAD_GATEWAY;
            return r;
        }
    };
    s.stats.forwarded.fetch_add(1, Ordering::Relaxed);
    s.stats
        .forwarded_lines
        .lock()
        .unwrap()
        .push(format!("{} {path}", parts.method));
    let status = resp.status();
    let mut out_headers = HeaderMap::new();
    copy_headers(resp.headers(), &mut out_headers);
    let resp_len = resp.headers().get(CONTENT_LENGTH).cloned();
    let bytes = resp.bytes().await.unwrap_or_default();
    let mut r = Response::new(Body::from(bytes));
    *r.status_mut() = status;
    *r.headers_mut() = out_headers;
    if s.mode() == Mode::Flaky {
        // One request per connection, so that every request may meet a reset.
        r.headers_mut()
            .insert(axum::http::header::CONNECTION, "close".parse().unwrap());
    }
    if parts.method == axum::http::Method::HEAD
        && let Some(len) = resp_len
    {
        r.headers_mut().insert(CONTENT_LENGTH, len);
    }
    r
}
