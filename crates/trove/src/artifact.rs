//! Reading artifacts back: records, verified local copies in a cache keyed by content hash, and objects.

use crate::context::Ctx;
use crate::error::{Result, TroveError, io_err};
use crate::kinds::{self, FromArtifact};
use crate::progress::Reporter;
use crate::runtime::block_on;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use trove_core::{ArtifactRecord, ArtifactVersion, UploadState};

/// How long a reader waits for another process's upload to finish before giving up.
const WAIT_FOR_UPLOAD: Duration = Duration::from_secs(120);
/// Extra attempts of a download that failed in transport.
const DOWNLOAD_RETRIES: u32 = 5;

/// An artifact of a task: its record, and the means to fetch it.
#[derive(Clone)]
pub struct Artifact {
    record: ArtifactRecord,
    task: String,
    ctx: Arc<Ctx>,
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
    pub(crate) fn new(record: ArtifactRecord, task: &str, ctx: Arc<Ctx>) -> Self {
        Self {
            record,
            task: task.to_string(),
            ctx,
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
    /// or a `PathBuf` (files; archives come back extracted).
    pub fn get<T: FromArtifact>(&self) -> Result<T> {
        let local = self.get_local_copy()?;
        let local = if self.record.kind == "archive" {
            self.extract(&local)?
        } else {
            local
        };
        let name = self.record.key.clone();
        Ok(T::from_artifact(
            &self.record.kind,
            self.record.type_data.content_type.as_deref(),
            &name,
            &local,
        )?)
    }

    /// A verified local copy of the bytes, downloaded once into the cache (keyed by content hash).
    pub fn get_local_copy(&self) -> Result<PathBuf> {
        let record = self.wait_until_stored()?;
        fetch(&self.ctx, &record, None)
    }

    /// [`Artifact::get_local_copy`], calling `progress` with the cumulative number of bytes received while
    /// downloading (not at all when the cache already holds the bytes).
    pub fn get_local_copy_with_progress(
        &self,
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> Result<PathBuf> {
        let record = self.wait_until_stored()?;
        fetch(&self.ctx, &record, Some(progress))
    }

    /// Every version of a registered artifact, oldest first (one entry per upload).
    pub fn versions(&self) -> Result<Vec<ArtifactVersion>> {
        let ctx = self.ctx.clone();
        let (task, key) = (self.task.clone(), self.record.key.clone());
        block_on(async move { ctx.backend.list_versions(&task, &key).await })?
    }

    /// The object as it was at version `n` (1 = first upload).
    pub fn get_version<T: FromArtifact>(&self, n: u32) -> Result<T> {
        let v = self
            .versions()?
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
        let local = fetch(&self.ctx, &record, None)?;
        Ok(T::from_artifact(
            &record.kind,
            record.type_data.content_type.as_deref(),
            &record.key,
            &local,
        )?)
    }

    fn extract(&self, zip: &Path) -> Result<PathBuf> {
        let dest = zip.with_extension("extracted");
        if dest.is_dir() {
            return Ok(dest);
        }
        Ok(kinds::extract_zip(zip, &dest)?)
    }

    /// The record once its bytes are stored: waits for this process's own upload, or polls for another's.
    fn wait_until_stored(&self) -> Result<ArtifactRecord> {
        if self.record.state != UploadState::Uploading {
            return self.ready_or_err(self.record.clone());
        }
        let ctx = self.ctx.clone();
        let (task, key) = (self.task.clone(), self.record.key.clone());
        let record = block_on(async move {
            ctx.uploader.wait_for(&key).await;
            ctx.publisher.sync().await;
            let deadline = Instant::now() + WAIT_FOR_UPLOAD;
            loop {
                let list = ctx.backend.list_artifacts(&task).await?;
                let Some(r) = list.into_iter().find(|r| r.key == key) else {
                    return Err(TroveError::ArtifactNotFound {
                        task: task.clone(),
                        name: key.clone(),
                    });
                };
                if r.state != UploadState::Uploading || Instant::now() > deadline {
                    return Ok(r);
                }
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        })??;
        self.ready_or_err(record)
    }

    fn ready_or_err(&self, record: ArtifactRecord) -> Result<ArtifactRecord> {
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
}

/// Download (or reuse) the bytes of `record` into the cache and verify them.
fn fetch(
    ctx: &Arc<Ctx>,
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
    std::fs::create_dir_all(&folder).map_err(io_err("create cache folder", &folder))?;
    let tmp = folder.join(format!(".{}.partial", trove_core::new_id()));
    let ctx2 = ctx.clone();
    let (uri2, tmp2) = (uri.clone(), tmp.clone());
    let reporter = Reporter::new("download", &record.key, record.content_size, progress);
    let outcome = block_on(async move {
        // Transport errors are retried with backoff (object_store does not retry every failure of a GET);
        // a hash mismatch below is never retried.
        let mut attempt = 0u32;
        loop {
            let token = ctx2.backend.files_token().await;
            let r =
                trove_storage::download_uri(&uri2, &ctx2.config, token.as_deref(), &tmp2, &|n| {
                    reporter.report(n)
                })
                .await;
            match r {
                Err(e) if attempt < DOWNLOAD_RETRIES && !e.is_not_found() => {
                    attempt += 1;
                    tracing::warn!(uri = %uri2, attempt, "download failed, retrying: {e}");
                    tokio::time::sleep(Duration::from_millis(100 * 2u64.pow(attempt.min(6)))).await;
                }
                other => break other,
            }
        }
    })?;
    let outcome = match outcome {
        Ok(o) => o,
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            return Err(e.into());
        }
    };
    if let Some(expected) = &record.hash
        && *expected != outcome.sha256
    {
        let _ = std::fs::remove_file(&tmp);
        return Err(TroveError::HashMismatch {
            uri,
            expected: expected.clone(),
            actual: outcome.sha256,
        });
    }
    std::fs::rename(&tmp, &target).map_err(io_err("move download into the cache", &target))?;
    Ok(target)
}
