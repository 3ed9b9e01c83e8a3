//! Reading artifacts back (async): records, verified local copies in a cache keyed by content hash, and
//! objects. The blocking [`crate::Artifact`] wraps this one.

use crate::context::Ctx;
use crate::error::{Result, TroveError, io_err};
use crate::kinds::FromArtifact;
use crate::progress::Reporter;
use crate::upload::Uploader;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use trove_core::{ArtifactRecord, ArtifactVersion, UploadState};

/// How long a reader waits for another process's upload to finish before giving up.
const WAIT_FOR_UPLOAD: Duration = Duration::from_secs(120);
/// Extra attempts of a download that failed in transport.
const DOWNLOAD_RETRIES: u32 = 5;

/// An artifact of a task (async): its record, and the means to fetch it. Cheap to clone.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let dir = tempfile::tempdir()?;
/// let trove = trove::nonblocking::Trove::builder().home(dir.path()).build().await?;
/// let task = trove.create_task("examples", "artifact example").await?;
/// task.upload_artifact("dictionary", serde_json::json!({"a": 1})).await?;
/// let artifact = task.artifact("dictionary").await?;
/// let value: serde_json::Value = artifact.get().await?;
/// assert_eq!(value["a"], 1);
/// let path = artifact.local_copy().await?; // hash-verified, cached
/// assert!(path.ends_with("dictionary.json"));
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Artifact {
    record: ArtifactRecord,
    task: String,
    ctx: Arc<Ctx>,
    uploader: Arc<Uploader>,
}

impl std::fmt::Debug for Artifact {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Artifact")
            .field("task", &self.task)
            .field("record", &self.record)
            .finish()
    }
}

impl Artifact {
    pub(crate) fn new(
        record: ArtifactRecord,
        task: &str,
        ctx: Arc<Ctx>,
        uploader: Arc<Uploader>,
    ) -> Self {
        Self {
            record,
            task: task.to_string(),
            ctx,
            uploader,
        }
    }

    /// The artifact's name.
    pub fn name(&self) -> &str {
        &self.record.key
    }
    /// Its kind (`pandas`, `numpy`, `archive`, …).
    pub fn kind(&self) -> &str {
        &self.record.kind
    }
    /// Where the bytes are.
    pub fn uri(&self) -> Option<&str> {
        self.record.uri.as_deref()
    }
    /// Stored size in bytes.
    pub fn size(&self) -> Option<u64> {
        self.record.content_size
    }
    /// SHA-256 of the stored bytes.
    pub fn hash(&self) -> Option<&str> {
        self.record.hash.as_deref()
    }
    /// Metadata pairs.
    pub fn metadata(&self) -> BTreeMap<String, String> {
        self.record.metadata()
    }
    /// Preview text.
    pub fn preview(&self) -> &str {
        self.record.preview()
    }
    /// Upload state.
    pub fn state(&self) -> UploadState {
        self.record.state
    }
    /// The whole record.
    pub fn record(&self) -> &ArtifactRecord {
        &self.record
    }

    /// The object: `DataFrame`, `serde_json::Value` (or `Json<T>`), ndarray arrays, images, `String`,
    /// or a `PathBuf` (files; archives come back extracted). Parsing runs on tokio's blocking pool.
    pub async fn get<T: FromArtifact + Send + 'static>(&self) -> Result<T> {
        let local = self.local_copy().await?;
        let record = self.record.clone();
        blocking(move || decode(&record, &local, true)).await?
    }

    /// A verified local copy of the bytes, downloaded once into the cache (keyed by content hash).
    pub async fn local_copy(&self) -> Result<PathBuf> {
        let record = self.wait_until_stored().await?;
        fetch(&self.ctx, &record, None).await
    }

    /// [`Artifact::local_copy`], calling `progress` with the cumulative number of bytes received while
    /// downloading (not at all when the cache already holds the bytes).
    pub async fn local_copy_with_progress(
        &self,
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> Result<PathBuf> {
        let record = self.wait_until_stored().await?;
        fetch(&self.ctx, &record, Some(progress)).await
    }

    /// Every version of a registered artifact, oldest first (one entry per upload).
    pub async fn versions(&self) -> Result<Vec<ArtifactVersion>> {
        self.ctx
            .backend
            .list_versions(&self.task, &self.record.key)
            .await
    }

    /// The object as it was at version `n` (1 = first upload).
    pub async fn get_version<T: FromArtifact + Send + 'static>(&self, n: u32) -> Result<T> {
        let (record, local) = self.version_copy(n).await?;
        blocking(move || decode(&record, &local, false)).await?
    }

    /// The record of version `n` and a verified local copy of its bytes.
    pub(crate) async fn version_copy(&self, n: u32) -> Result<(ArtifactRecord, PathBuf)> {
        let v = self
            .versions()
            .await?
            .into_iter()
            .find(|v| v.version == n)
            .ok_or_else(|| TroveError::NotReadable {
                name: self.record.key.clone(),
                reason: format!("no version {n}"),
            })?;
        let mut record = self.record.clone();
        record.uri = Some(v.uri);
        record.hash = Some(v.hash);
        record.content_size = Some(v.content_size);
        record.state = UploadState::Ready;
        let local = fetch(&self.ctx, &record, None).await?;
        Ok((record, local))
    }

    /// The record once its bytes are stored: waits for this process's own upload, or polls for another's.
    async fn wait_until_stored(&self) -> Result<ArtifactRecord> {
        if self.record.state != UploadState::Uploading {
            return ready_or_err(self.record.clone());
        }
        let (task, key) = (&self.task, &self.record.key);
        self.uploader.wait_for(key).await;
        self.uploader.publisher().sync().await;
        let deadline = Instant::now() + WAIT_FOR_UPLOAD;
        let record = loop {
            let list = self.ctx.backend.list_artifacts(task).await?;
            let Some(r) = list.into_iter().find(|r| r.key == *key) else {
                return Err(TroveError::ArtifactNotFound {
                    task: task.clone(),
                    name: key.clone(),
                });
            };
            if r.state != UploadState::Uploading || Instant::now() > deadline {
                break r;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        };
        ready_or_err(record)
    }
}

/// Run blocking work (parsing, extraction) on tokio's blocking pool.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T> {
    crate::runtime::on_blocking_pool("read an artifact", f).await
}

/// Read the local copy `local` of `record` as a `T` (archives extracted first when `extract`). Blocking.
pub(crate) fn decode<T: FromArtifact>(
    record: &ArtifactRecord,
    local: &Path,
    extract: bool,
) -> Result<T> {
    let local = if extract && record.kind == "archive" {
        extracted(local)?
    } else {
        local.to_path_buf()
    };
    Ok(T::from_artifact(
        &record.kind,
        record.type_data.content_type.as_deref(),
        &record.key,
        &local,
    )?)
}

#[cfg(feature = "archive")]
fn extracted(zip: &Path) -> Result<PathBuf> {
    let dest = zip.with_extension("extracted");
    if dest.is_dir() {
        return Ok(dest);
    }
    Ok(crate::kinds::extract_zip(zip, &dest)?)
}

#[cfg(not(feature = "archive"))]
fn extracted(_: &Path) -> Result<PathBuf> {
    Err(crate::kinds::KindError::FeatureDisabled {
        what: "reading an archive artifact back (extracting its zip)",
        feature: "archive",
    }
    .into())
}

fn ready_or_err(record: ArtifactRecord) -> Result<ArtifactRecord> {
    match record.state {
        UploadState::Ready => Ok(record),
        UploadState::Failed => Err(TroveError::NotReadable {
            name: record.key.clone(),
            reason: format!(
                "its upload failed: {}",
                record.error.as_deref().unwrap_or("unknown error")
            ),
        }),
        UploadState::Uploading => Err(TroveError::NotReadable {
            name: record.key.clone(),
            reason: format!("still uploading after {} s", WAIT_FOR_UPLOAD.as_secs()),
        }),
    }
}

/// Download (or reuse) the bytes of `record` into the cache and verify them.
async fn fetch(
    ctx: &Ctx,
    record: &ArtifactRecord,
    progress: Option<&(dyn Fn(u64) + Send + Sync)>,
) -> Result<PathBuf> {
    let uri = record.uri.clone().ok_or_else(|| TroveError::NotReadable {
        name: record.key.clone(),
        reason: "no uri".into(),
    })?;
    let file_name = uri
        .rsplit('/')
        .next()
        .map(|s| trove_core::layout::unquote(s).unwrap_or_else(|| s.to_string()));
    let file_name =
        trove_core::layout::replace_slash(&file_name.unwrap_or_else(|| record.key.clone()));
    let folder = match &record.hash {
        Some(h) => ctx.cache.join(h),
        None => ctx
            .cache
            .join("unhashed")
            .join(trove_core::hash::sha256_hex(uri.as_bytes())),
    };
    let target = folder.join(&file_name);
    if record.hash.is_some() && target.is_file() {
        return Ok(target);
    }
    tokio::fs::create_dir_all(&folder)
        .await
        .map_err(io_err("create cache folder", &folder))?;
    let tmp = folder.join(format!(".{}.partial", trove_core::new_id()));
    let reporter = Reporter::new("download", &record.key, record.content_size, progress);
    // Transport errors are retried with backoff (object_store does not retry every failure of a GET);
    // a hash mismatch below is never retried.
    let mut attempt = 0u32;
    let outcome = loop {
        let token = ctx.backend.files_token().await;
        let r = trove_storage::download_uri(&uri, &ctx.config, token.as_deref(), &tmp, &|n| {
            reporter.report(n)
        })
        .await;
        match r {
            Err(e) if attempt < DOWNLOAD_RETRIES && !e.is_not_found() => {
                attempt += 1;
                tracing::warn!(uri = %uri, attempt, "download failed, retrying: {e}");
                tokio::time::sleep(Duration::from_millis(100 * 2u64.pow(attempt.min(6)))).await;
            }
            other => break other,
        }
    };
    let outcome = match outcome {
        Ok(o) => o,
        Err(e) => {
            let _ = tokio::fs::remove_file(&tmp).await;
            return Err(e.into());
        }
    };
    if let Some(expected) = &record.hash
        && *expected != outcome.sha256
    {
        let _ = tokio::fs::remove_file(&tmp).await;
        return Err(TroveError::HashMismatch {
            uri,
            expected: expected.clone(),
            actual: outcome.sha256,
        });
    }
    tokio::fs::rename(&tmp, &target)
        .await
        .map_err(io_err("move download into the cache", &target))?;
    Ok(target)
}
