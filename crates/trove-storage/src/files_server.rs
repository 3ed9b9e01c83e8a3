//! Client of a trove or ClearML files server (docs/clearml-compat.md §7.6).
//!
//! * upload: `POST {root}/`, `multipart/form-data` with exactly one part whose field name and file name are both
//!   the destination path with a leading `/`, unquoted (spaces and non-ASCII kept as UTF-8), with the guessed
//!   content type; the body streams from the file and is hashed as it is sent;
//! * download: `GET {root}/{percent-encoded path}`, streamed;
//! * delete: `DELETE` on the same URL (a 404 counts as done);
//! * check: `GET {root}/` must answer 2xx (ClearML's answers `OK`).
//!
//! `Authorization: Bearer <token>` is sent when the token provider gives a token; it is asked before every
//! request, since tokens expire. Connection failures and 408/429/502/503/504 answers are retried with backoff,
//! at most `max_retries` times and not after `retry_timeout`.

use crate::atomic::AtomicFile;
use crate::{PutOutcome, StorageError, TransferOptions};
use futures::StreamExt;
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::AsyncReadExt;
use trove_core::hash::Sha256Stream;
use trove_core::layout::{quote, unquote};

/// Gives the bearer token to send, asked before each request (`None`: send no `Authorization` header).
pub type TokenProvider = Arc<dyn Fn() -> Option<String> + Send + Sync>;

/// How often upload progress is reported while a request is in flight.
const PROGRESS_TICK: Duration = Duration::from_millis(200);
/// Bytes per read of the upload body.
const UPLOAD_CHUNK: usize = 256 * 1024;

/// A files server destination: its root URL and the path below it.
#[derive(Clone)]
pub(crate) struct FilesClient {
    /// The files server's root URL, no trailing `/`.
    root: String,
    /// The decoded path below the root (no leading or trailing `/`; may be empty).
    prefix: String,
    http: reqwest::Client,
    token: Option<TokenProvider>,
    opts: TransferOptions,
}

impl std::fmt::Debug for FilesClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FilesClient")
            .field("root", &self.root)
            .field("prefix", &self.prefix)
            .field("token", &self.token.as_ref().map(|_| "<provider>"))
            .finish()
    }
}

/// `scheme://authority` of an http(s) URL, and the rest (path, without the leading `/`).
pub(crate) fn split_origin(url: &str) -> Option<(&str, &str)> {
    let scheme_end = url.find("://")? + 3;
    match url[scheme_end..].find('/') {
        Some(i) => Some((&url[..scheme_end + i], &url[scheme_end + i + 1..])),
        None => Some((url, "")),
    }
}

impl FilesClient {
    /// Parse `http(s)://host[:port][/prefix]`. The files server's root is `files_server` from the
    /// configuration when the uri starts with it (a server behind a path), else the uri's origin.
    /// Returns the client and the normalised uri (root plus percent-encoded prefix).
    pub(crate) fn parse(
        uri: &str,
        files_server: Option<&str>,
        opts: &TransferOptions,
    ) -> Result<(Self, String), StorageError> {
        if uri.contains(['?', '#']) {
            return Err(StorageError::uri(
                uri,
                "a files server uri cannot have a query or fragment",
            ));
        }
        let trimmed = uri.trim_end_matches('/');
        let (origin, _) =
            split_origin(trimmed).ok_or_else(|| StorageError::uri(uri, "not an http(s) URL"))?;
        if origin
            .split_once("://")
            .is_none_or(|(_, authority)| authority.is_empty())
        {
            return Err(StorageError::uri(uri, "no host"));
        }
        let root = match files_server.map(|f| f.trim_end_matches('/')) {
            Some(fs)
                if !fs.is_empty() && (trimmed == fs || trimmed.starts_with(&format!("{fs}/"))) =>
            {
                fs
            }
            _ => origin,
        };
        let rest = trimmed[root.len()..].trim_start_matches('/');
        let prefix = unquote(rest)
            .ok_or_else(|| StorageError::uri(uri, "bad percent-encoding in the path"))?;
        if !prefix.is_empty() && !trove_core::layout::is_confined(&prefix) {
            return Err(StorageError::uri(
                uri,
                "the path has an empty, '.' or '..' component",
            ));
        }
        let normalised = if prefix.is_empty() {
            root.to_string()
        } else {
            format!("{root}/{}", quote(&prefix, "/"))
        };
        let http = reqwest::Client::builder()
            .connect_timeout(opts.connect_timeout)
            .read_timeout(opts.timeout)
            .build()
            .map_err(|e| StorageError::Request {
                method: "-",
                url: root.to_string(),
                source: e,
            })?;
        let client = Self {
            root: root.to_string(),
            prefix,
            http,
            token: None,
            opts: opts.clone(),
        };
        Ok((client, normalised))
    }

    /// Set the token provider.
    pub(crate) fn set_token_provider(&mut self, token: Option<TokenProvider>) {
        self.token = token;
    }

    /// The path of `key` on the server, without the leading `/` (decoded).
    fn path_of(&self, key: &str) -> String {
        if self.prefix.is_empty() {
            key.to_string()
        } else {
            format!("{}/{key}", self.prefix)
        }
    }

    /// The URL of `key`.
    pub(crate) fn url_of(&self, key: &str) -> String {
        format!("{}/{}", self.root, quote(&self.path_of(key), "/"))
    }

    fn authorize(&self, req: RequestBuilder) -> RequestBuilder {
        match self.token.as_ref().and_then(|t| t()) {
            Some(token) => req.bearer_auth(token),
            None => req,
        }
    }

    /// Send a body-less request, retrying transient failures.
    async fn send(&self, method: Method, url: &str) -> Result<Response, StorageError> {
        let name = method_name(&method);
        let start = Instant::now();
        let mut attempt = 0;
        loop {
            let req = self.authorize(self.http.request(method.clone(), url));
            let res = req.send().await;
            let retry = match &res {
                Ok(r) => is_retryable_status(r.status()),
                Err(e) => e.is_connect() || e.is_timeout(),
            };
            if retry && attempt < self.opts.max_retries && start.elapsed() < self.opts.retry_timeout
            {
                attempt += 1;
                tracing::debug!(url, attempt, "retrying a files server request");
                tokio::time::sleep(backoff(attempt)).await;
                continue;
            }
            return res.map_err(|e| StorageError::Request {
                method: name,
                url: url.to_string(),
                source: e,
            });
        }
    }

    /// `GET {root}/` must succeed.
    pub(crate) async fn check(&self) -> Result<(), StorageError> {
        let url = format!("{}/", self.root);
        let resp = self
            .send(Method::GET, &url)
            .await
            .map_err(|e| StorageError::NotWritable {
                destination: self.root.clone(),
                reason: format!("the files server does not answer: {e}"),
            })?;
        if resp.status().is_success() {
            return Ok(());
        }
        let err = http_error("GET", &url, resp).await;
        Err(StorageError::NotWritable {
            destination: self.root.clone(),
            reason: err.to_string(),
        })
    }

    /// Upload `local` as `key`; see the module doc.
    pub(crate) async fn upload(
        &self,
        key: &str,
        local: &Path,
        content_type: &str,
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> Result<PutOutcome, StorageError> {
        let size = tokio::fs::metadata(local)
            .await
            .map_err(|e| StorageError::io("inspect", local, e))?
            .len();
        let field = format!("/{}", self.path_of(key));
        let url = format!("{}/", self.root);
        let start = Instant::now();
        let mut attempt = 0;
        loop {
            let file = tokio::fs::File::open(local)
                .await
                .map_err(|e| StorageError::io("open", local, e))?;
            let hash = Arc::new(Mutex::new(Sha256Stream::new()));
            let sent = Arc::new(AtomicU64::new(0));
            let body = reqwest::Body::wrap_stream(futures::stream::try_unfold(
                (file, hash.clone(), sent.clone()),
                move |(mut file, hash, sent)| async move {
                    // Small files get a small buffer (most artifacts are far below one chunk).
                    let mut buf = vec![0u8; UPLOAD_CHUNK.min(size as usize + 1)];
                    let n = file.read(&mut buf).await?;
                    if n == 0 {
                        return Ok::<_, std::io::Error>(None);
                    }
                    buf.truncate(n);
                    if let Ok(mut h) = hash.lock() {
                        h.update(&buf);
                    }
                    sent.fetch_add(n as u64, Ordering::Relaxed);
                    Ok(Some((bytes::Bytes::from(buf), (file, hash, sent))))
                },
            ));
            let req = self.upload_request(&url, &field, body, size, content_type)?;
            let fut = req.send();
            tokio::pin!(fut);
            let mut tick = tokio::time::interval(PROGRESS_TICK);
            let res = loop {
                tokio::select! {
                    r = &mut fut => break r,
                    _ = tick.tick() => progress(sent.load(Ordering::Relaxed)),
                }
            };
            if self.settle(&url, res, &mut attempt, start).await?.is_none() {
                continue;
            }
            let (sha256, hashed) = match hash.lock() {
                Ok(h) => h.clone().finish(),
                Err(_) => {
                    return Err(StorageError::io(
                        "hash",
                        local,
                        std::io::Error::other("hash state poisoned"),
                    ));
                }
            };
            if hashed != size {
                return Err(StorageError::io(
                    "upload",
                    local,
                    std::io::Error::other(format!(
                        "the server answered after {hashed} of {size} bytes; was the file changed while uploading?"
                    )),
                ));
            }
            progress(size);
            return Ok(PutOutcome { sha256, size });
        }
    }

    /// The multipart POST of one upload: a single part named `field` (ClearML's form) holding `size` bytes.
    fn upload_request(
        &self,
        url: &str,
        field: &str,
        body: impl Into<reqwest::Body>,
        size: u64,
        content_type: &str,
    ) -> Result<reqwest::RequestBuilder, StorageError> {
        let part = reqwest::multipart::Part::stream_with_length(body, size)
            .file_name(field.to_string())
            .mime_str(content_type)
            .map_err(|e| StorageError::Request {
                method: "POST",
                url: url.to_string(),
                source: e,
            })?;
        let form = reqwest::multipart::Form::new()
            .percent_encode_noop()
            .part(field.to_string(), part);
        Ok(self
            .authorize(self.http.post(url))
            .multipart(form)
            .timeout(self.opts.whole_file_timeout(size)))
    }

    /// After one POST of an upload: `Ok(None)` when it should be tried again (after a backoff, within the
    /// retry budget), `Ok(Some(response))` when the server took it, or the error.
    async fn settle(
        &self,
        url: &str,
        res: reqwest::Result<reqwest::Response>,
        attempt: &mut usize,
        start: Instant,
    ) -> Result<Option<reqwest::Response>, StorageError> {
        let retry = match &res {
            Ok(r) => is_retryable_status(r.status()),
            Err(e) => e.is_connect() || e.is_timeout(),
        };
        if retry && *attempt < self.opts.max_retries && start.elapsed() < self.opts.retry_timeout {
            *attempt += 1;
            tracing::debug!(
                url,
                attempt = *attempt,
                "retrying an upload to the files server"
            );
            tokio::time::sleep(backoff(*attempt)).await;
            return Ok(None);
        }
        let resp = res.map_err(|e| StorageError::Request {
            method: "POST",
            url: url.to_string(),
            source: e,
        })?;
        if !resp.status().is_success() {
            return Err(http_error("POST", url, resp).await);
        }
        Ok(Some(resp))
    }

    /// Upload in-memory `bytes` as `key` (one multipart POST, retried like [`Self::upload`]).
    pub(crate) async fn upload_bytes(
        &self,
        key: &str,
        bytes: bytes::Bytes,
        content_type: &str,
    ) -> Result<PutOutcome, StorageError> {
        let outcome = PutOutcome::of(&bytes);
        let field = format!("/{}", self.path_of(key));
        let url = format!("{}/", self.root);
        let start = Instant::now();
        let mut attempt = 0;
        loop {
            let res = self
                .upload_request(&url, &field, bytes.clone(), outcome.size, content_type)?
                .send()
                .await;
            if self.settle(&url, res, &mut attempt, start).await?.is_none() {
                continue;
            }
            return Ok(outcome);
        }
    }

    /// Download `url` (any URL on this or another files server) to `dest` atomically.
    pub(crate) async fn download_url(
        &self,
        url: &str,
        dest: &Path,
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> Result<PutOutcome, StorageError> {
        let resp = self.send(Method::GET, url).await?;
        if resp.status() == StatusCode::NOT_FOUND {
            return Err(StorageError::NotFound {
                uri: url.to_string(),
            });
        }
        if !resp.status().is_success() {
            return Err(http_error("GET", url, resp).await);
        }
        let mut out = AtomicFile::create(dest).await?;
        let mut stream = resp.bytes_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| StorageError::Request {
                method: "GET",
                url: url.to_string(),
                source: e,
            })?;
            out.write(&chunk).await?;
            progress(out.len());
        }
        out.commit().await
    }

    /// `DELETE url`; a 404 counts as deleted.
    pub(crate) async fn delete_url(&self, url: &str) -> Result<(), StorageError> {
        let resp = self.send(Method::DELETE, url).await?;
        if resp.status().is_success() || resp.status() == StatusCode::NOT_FOUND {
            return Ok(());
        }
        Err(http_error("DELETE", url, resp).await)
    }

    /// The key of `uri` if it is a URL below this destination (percent-decoded).
    pub(crate) fn key_of_url(&self, uri: &str) -> Option<String> {
        let rest = uri.strip_prefix(&self.root)?.strip_prefix('/')?;
        let path = unquote(rest)?;
        let key = if self.prefix.is_empty() {
            path
        } else {
            path.strip_prefix(&self.prefix)?
                .strip_prefix('/')?
                .to_string()
        };
        (!key.is_empty()).then_some(key)
    }
}

fn method_name(m: &Method) -> &'static str {
    match *m {
        Method::GET => "GET",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        _ => "request",
    }
}

fn is_retryable_status(s: StatusCode) -> bool {
    matches!(s.as_u16(), 408 | 429 | 502 | 503 | 504)
}

fn backoff(attempt: usize) -> Duration {
    let ms = 500u64.saturating_mul(1 << attempt.min(5));
    Duration::from_millis(ms.min(10_000))
}

/// An [`StorageError::Http`] from a response, with the first 200 characters of its body.
async fn http_error(method: &'static str, url: &str, resp: Response) -> StorageError {
    let status = resp.status().as_u16();
    let body = resp.text().await.unwrap_or_default();
    let mut body: String = body.chars().take(200).collect();
    if status == 413 {
        body.push_str(
            " (the file is bigger than the files server accepts: raise its upload size limit)",
        );
    }
    StorageError::Http {
        method,
        url: url.to_string(),
        status,
        body,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots_prefixes_and_urls() {
        let o = TransferOptions::default();
        let (c, uri) = FilesClient::parse("http://a", None, &o).unwrap();
        assert_eq!(
            (c.root.as_str(), c.prefix.as_str(), uri.as_str()),
            ("http://a", "", "http://a")
        );
        assert!(FilesClient::parse("http://", None, &o).is_err());
        assert!(FilesClient::parse("http://h:1/x?y", None, &o).is_err());
        assert!(FilesClient::parse("http://h:1/a/../b", None, &o).is_err());
        // A files server behind a path: the configured URL is the root, the rest a prefix.
        let (c, uri) =
            FilesClient::parse("http://h/files/p q/", Some("http://h/files/"), &o).unwrap();
        assert_eq!(
            (c.root.as_str(), c.prefix.as_str()),
            ("http://h/files", "p q")
        );
        assert_eq!(uri, "http://h/files/p%20q");
        assert_eq!(c.url_of("k/ä.bin"), "http://h/files/p%20q/k/%C3%A4.bin");
        assert_eq!(
            c.key_of_url("http://h/files/p%20q/k/%C3%A4.bin").as_deref(),
            Some("k/ä.bin")
        );
        assert_eq!(c.key_of_url("http://h/files/other/k"), None);
        // Without that configuration the origin is the root.
        let (c, _) = FilesClient::parse("http://h/files/p", None, &o).unwrap();
        assert_eq!(
            (c.root.as_str(), c.prefix.as_str()),
            ("http://h", "files/p")
        );
    }
}
