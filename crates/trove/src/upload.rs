//! `upload_artifact`: serialise in the caller's thread, publish the record at once with state `uploading`,
//! upload in a bounded background pool, then publish `ready` (or `failed` with the reason).

use crate::backend::TaskInfo;
use crate::context::Ctx;
use crate::error::{Result, TroveError};
use crate::kinds::{self, ArtifactObject, IntoArtifact, SerializeOptions, Serialized};
use crate::progress::{ProgressHook, Reporter};
use crate::runtime::{block_on, handle};
use crate::task::Task;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{Semaphore, watch};
use trove_core::{ArtifactRecord, UploadState, layout, timefmt};
use trove_storage::PutOutcome;

/// Longest artifact name accepted, in bytes.
pub const MAX_NAME_LEN: usize = 1024;

/// Serialised artifacts up to this size are uploaded from memory, without a staging file.
const MEMORY_LIMIT: usize = 1 << 20;

/// Extra attempts the SDK makes after an upload fails in a way that may be transient, unless
/// [`UploadOptions::retries`] says otherwise. The storage client already retries what it knows to be
/// transient (`[storage] max_retries`); these cover the rest, e.g. a connection cut in a way the client
/// cannot classify. Every upload writes a whole object under its own key, so trying again is safe; a
/// missing folder or bad credentials fail at once.
pub const DEFAULT_UPLOAD_RETRIES: u32 = 2;

/// Options of [`Task::upload_artifact_with`]. `UploadOptions::default()` is what `upload_artifact` uses.
#[derive(Debug, Clone)]
pub struct UploadOptions {
    /// Metadata pairs (values are stored as strings).
    pub metadata: BTreeMap<String, String>,
    /// Replace the automatic preview.
    pub preview: Option<String>,
    /// Format by extension: `.parquet` or `.csv.gz` for frames, `.json`, `.png`, `.npz`, …
    pub extension: Option<String>,
    /// Frames: the column that is the row index (written first, read back by pandas as the index).
    pub index_column: Option<String>,
    /// Upload before returning (the record is published once the bytes are there).
    pub wait: bool,
    /// Delete the user's local file after a successful upload (files trove made are always deleted).
    pub delete_after_upload: bool,
    /// Extra attempts after a failed upload (default [`DEFAULT_UPLOAD_RETRIES`]).
    pub retries: u32,
    /// csv.gz frames: write bytes identical to ClearML's (one zlib level-9 stream) whatever the size;
    /// slower for big frames.
    pub clearml_identical: bool,
    /// Called with the cumulative number of bytes sent (set with [`UploadOptions::progress`]).
    pub(crate) progress: Option<ProgressHook>,
}

impl Default for UploadOptions {
    fn default() -> Self {
        Self {
            metadata: BTreeMap::new(),
            preview: None,
            extension: None,
            index_column: None,
            wait: false,
            delete_after_upload: false,
            retries: DEFAULT_UPLOAD_RETRIES,
            clearml_identical: false,
            progress: None,
        }
    }
}

impl UploadOptions {
    /// Add one metadata pair.
    pub fn metadata(mut self, key: impl Into<String>, value: impl ToString) -> Self {
        self.metadata.insert(key.into(), value.to_string());
        self
    }
    /// Set the preview text.
    pub fn preview(mut self, text: impl Into<String>) -> Self {
        self.preview = Some(text.into());
        self
    }
    /// Choose the format by extension.
    pub fn extension(mut self, ext: impl Into<String>) -> Self {
        self.extension = Some(ext.into());
        self
    }
    /// Name the frame's index column.
    pub fn index_column(mut self, col: impl Into<String>) -> Self {
        self.index_column = Some(col.into());
        self
    }
    /// Wait for the upload.
    pub fn wait(mut self, wait: bool) -> Self {
        self.wait = wait;
        self
    }
    /// Delete the local file after upload.
    pub fn delete_after_upload(mut self, yes: bool) -> Self {
        self.delete_after_upload = yes;
        self
    }
    /// Retry a failed upload this many times (0: fail on the first error the storage client gives up on).
    pub fn retries(mut self, n: u32) -> Self {
        self.retries = n;
        self
    }
    /// csv.gz frames: write bytes identical to ClearML's (one zlib level-9 stream) whatever the size;
    /// slower for big frames.
    pub fn clearml_identical(mut self, yes: bool) -> Self {
        self.clearml_identical = yes;
        self
    }
    /// Call `f` with the cumulative number of bytes sent while the artifact's bytes are uploaded (from the
    /// upload's thread or task; a retried upload starts again from 0).
    pub fn progress(mut self, f: Arc<dyn Fn(u64) + Send + Sync>) -> Self {
        self.progress = Some(ProgressHook(f));
        self
    }
}

/// An object with a serializer of the user's own: `Custom::new(&obj, |o| to_bytes(o), ".bin")`.
pub struct Custom {
    bytes: Vec<u8>,
    extension: String,
}

impl Custom {
    /// Serialise `value` with `f` now; the file is stored as `<name><extension>`.
    pub fn new<T: ?Sized>(value: &T, f: impl Fn(&T) -> Vec<u8>, extension: &str) -> Self {
        Self {
            bytes: f(value),
            extension: extension.to_string(),
        }
    }
}

impl IntoArtifact for Custom {
    fn into_artifact(self) -> Result<ArtifactObject, kinds::KindError> {
        let preview = format!(
            "custom serialized object - {}",
            trove_core::preview::format_size(self.bytes.len() as u64)
        );
        Ok(ArtifactObject::Custom {
            bytes: self.bytes,
            extension: self.extension,
            preview,
        })
    }
}

/// Check an artifact name: non-empty, not over-long, no control characters.
pub fn validate_name(name: &str) -> Result<()> {
    let bad = |reason: &str| {
        Err(TroveError::InvalidName {
            name: name.chars().take(80).collect(),
            reason: reason.into(),
        })
    };
    if name.trim().is_empty() {
        return bad("the name is empty");
    }
    if name.len() > MAX_NAME_LEN {
        return bad(&format!(
            "the name is {} bytes long; the limit is {MAX_NAME_LEN}",
            name.len()
        ));
    }
    if name.chars().any(|c| c.is_control()) {
        return bad("the name contains control characters");
    }
    Ok(())
}

/// The background upload pool of one task.
pub(crate) struct Uploader {
    slots: Arc<Semaphore>,
    /// Per artifact name: a channel that says when its latest upload is done.
    pending: Mutex<HashMap<String, watch::Receiver<bool>>>,
    failures: Arc<Mutex<Vec<(String, String)>>>,
    /// Per name, so two uploads of one name never race on the same key.
    order: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl Uploader {
    pub fn new(workers: usize) -> Self {
        Self {
            slots: Arc::new(Semaphore::new(workers)),
            pending: Mutex::new(HashMap::new()),
            failures: Arc::new(Mutex::new(Vec::new())),
            order: Mutex::new(HashMap::new()),
        }
    }

    fn name_lock(&self, name: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut m = self.order.lock().unwrap_or_else(|p| p.into_inner());
        m.entry(name.to_string()).or_default().clone()
    }

    /// Wait until the latest upload of `name` (if any) has finished.
    pub async fn wait_for(&self, name: &str) {
        let rx = self
            .pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(name)
            .cloned();
        if let Some(mut rx) = rx {
            let _ = rx.wait_for(|done| *done).await;
        }
    }

    /// Wait for every upload; return (and clear) the failures seen so far.
    pub async fn wait_all(&self) -> Vec<(String, String)> {
        let rxs: Vec<_> = self
            .pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .values()
            .cloned()
            .collect();
        for mut rx in rxs {
            let _ = rx.wait_for(|done| *done).await;
        }
        std::mem::take(&mut *self.failures.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

/// A serialised artifact on its way to storage.
pub(crate) struct Job {
    pub name: String,
    pub key: Option<String>,
    pub staged: Serialized,
    pub record: ArtifactRecord,
    pub delete_user_file: bool,
    pub retries: u32,
    pub progress: Option<ProgressHook>,
}

/// Serialise `obj` and build its record (state `uploading`, or `ready` for links).
pub(crate) fn prepare(
    ctx: &Ctx,
    task: &TaskInfo,
    name: &str,
    obj: ArtifactObject,
    opts: &UploadOptions,
    with_index: bool,
) -> Result<Job> {
    let sopts = SerializeOptions {
        format: opts.extension.clone(),
        index_column: opts.index_column.clone(),
        with_index,
        clearml_identical: opts.clearml_identical,
        memory_limit: MEMORY_LIMIT,
        ..SerializeOptions::default()
    };
    let staged = kinds::serialize(name, obj, &sopts, &ctx.staging)?;
    let mut record = ArtifactRecord::new(name, staged.kind.clone());
    record.timestamp = Some(timefmt::now_secs());
    record.type_data.content_type = staged.content_type.clone();
    let preview = opts
        .preview
        .clone()
        .unwrap_or_else(|| staged.preview.clone());
    record.type_data.preview = Some(trove_core::preview::cap_preview(preview));
    record.display_data = opts
        .metadata
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let key = match (&staged.link, &staged.file_name) {
        (Some(link), _) => {
            record.uri = Some(link.clone());
            None
        }
        (None, Some(file)) => {
            let prefix =
                layout::task_prefix(&task.project_name, &task.project_id, &task.name, &task.id);
            let key = layout::artifact_key(&prefix, name, file);
            record.uri = Some(ctx.destination.uri_for(&key));
            record.content_size = staged.size;
            record.hash = staged.hash.clone();
            record.state = UploadState::Uploading;
            Some(key)
        }
        (None, None) => None,
    };
    let delete_user_file = opts.delete_after_upload && !staged.temp;
    Ok(Job {
        name: name.to_string(),
        key,
        staged,
        record,
        delete_user_file,
        retries: opts.retries,
        progress: opts.progress.clone(),
    })
}

/// Call `put` until it succeeds, fails in a way another attempt cannot change, or the job's extra attempts
/// are used up, backing off between attempts.
async fn with_retries<F, Fut>(job: &Job, mut put: F) -> std::result::Result<PutOutcome, String>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = std::result::Result<PutOutcome, trove_storage::StorageError>>,
{
    let mut attempt = 0;
    loop {
        match put().await {
            Ok(out) => return Ok(out),
            Err(e) if attempt < job.retries && e.may_be_transient() => {
                attempt += 1;
                tracing::warn!(artifact = %job.name, attempt, "upload failed, retrying: {e}");
                tokio::time::sleep(Duration::from_millis(200 * 2u64.pow(attempt.min(6)))).await;
            }
            Err(e) => return Err(e.to_string()),
        }
    }
}

/// Upload a job's bytes (from memory, or from its file; with retries) and return the final record.
pub(crate) async fn run(ctx: &Ctx, job: &Job) -> ArtifactRecord {
    let mut record = job.record.clone();
    let Some(key) = &job.key else {
        record.state = UploadState::Ready;
        return record;
    };
    let ct = job.staged.content_type.as_deref();
    let path = job.staged.path.as_deref();
    let result = match (&job.staged.bytes, path) {
        // Small artifacts: no staging file to read or delete.
        (Some(bytes), _) => with_retries(job, || ctx.destination.put_bytes(key, bytes.clone(), ct))
            .await
            .inspect(|out| {
                if let Some(hook) = &job.progress {
                    (hook.0)(out.size);
                }
            }),
        (None, Some(path)) => {
            let hook = job
                .progress
                .as_ref()
                .map(|h| &*h.0 as &(dyn Fn(u64) + Send + Sync));
            let uploaded = with_retries(job, || {
                let reporter = Reporter::new("upload", &job.name, job.staged.size, hook);
                async move {
                    ctx.destination
                        .put_file(key, path, ct, &|n| reporter.report(n))
                        .await
                }
            })
            .await;
            match (uploaded, &job.staged.hash) {
                // Files uploaded as they are were not read before: the upload's hash is theirs.
                (Ok(out), None) => Ok(out),
                (Ok(out), Some(h)) if *h == out.sha256 => Ok(out),
                (Ok(out), Some(h)) => Err(format!(
                    "{} changed while it was being uploaded (hash {h} at serialisation, {} uploaded)",
                    path.display(),
                    out.sha256
                )),
                (Err(e), _) => Err(e),
            }
        }
        (None, None) => {
            record.state = UploadState::Ready;
            return record;
        }
    };
    match result {
        Ok(out) => {
            tracing::debug!(artifact = %job.name, bytes = out.size, uri = record.uri.as_deref().unwrap_or(""), "artifact uploaded");
            record.state = UploadState::Ready;
            record.error = None;
            record.hash = Some(out.sha256.clone());
            record.content_size = Some(out.size);
            if job.delete_user_file
                && let Some(path) = path
                && let Err(e) = std::fs::remove_file(path)
            {
                tracing::warn!("could not delete {} after upload: {e}", path.display());
            }
        }
        Err(e) => {
            tracing::error!(artifact = %job.name, "upload failed: {e}");
            record.state = UploadState::Failed;
            record.error = Some(e);
        }
    }
    if job.staged.temp
        && let Some(path) = path
    {
        let _ = std::fs::remove_file(path);
    }
    record
}

impl Task {
    /// Upload `object` as artifact `name` with default options (background upload).
    ///
    /// What is stored depends on the object: a polars `DataFrame` as `<name>.csv.gz`, a path as the file
    /// itself or a zip of a folder, a wildcard string as a zip of the matches, JSON values and maps as
    /// `<name>.json`, ndarray arrays as `<name>.npz`, images as `<name>.png`, other strings as `<name>.txt`,
    /// and `s3://`/`gs://`/`azure://`/`http(s)://` links as the link itself.
    pub fn upload_artifact(&self, name: &str, object: impl IntoArtifact) -> Result<ArtifactRecord> {
        self.upload_artifact_with(name, object, UploadOptions::default())
    }

    /// Upload with options; returns the record as published (state `uploading` unless `wait` was set).
    pub fn upload_artifact_with(
        &self,
        name: &str,
        object: impl IntoArtifact,
        opts: UploadOptions,
    ) -> Result<ArtifactRecord> {
        validate_name(name)?;
        if self.inner.closed.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(TroveError::Closed(self.id().into()));
        }
        if self.inner.monitor.is_registered(name) {
            return Err(TroveError::Registered(name.into()));
        }
        let obj = object.into_artifact()?;
        self.upload_object(name, obj, &opts, true)
    }

    pub(crate) fn upload_object(
        &self,
        name: &str,
        obj: ArtifactObject,
        opts: &UploadOptions,
        with_index: bool,
    ) -> Result<ArtifactRecord> {
        let ctx = self.inner.ctx.clone();
        let job = prepare(&ctx, &self.inner.info, name, obj, opts, with_index)?;
        let lock = ctx.uploader.name_lock(name);
        if opts.wait || job.key.is_none() {
            return block_on(async move {
                let _guard = lock.lock().await;
                let record = run(&ctx, &job).await;
                ctx.publisher
                    .publish(record.clone())
                    .await
                    .map_err(|e| TroveError::UploadsFailed(vec![(job.name.clone(), e)]))?;
                match (&record.state, &record.error) {
                    (UploadState::Failed, Some(e)) => Err(TroveError::UploadsFailed(vec![(
                        job.name.clone(),
                        e.clone(),
                    )])),
                    _ => Ok(record),
                }
            })?;
        }
        let published = job.record.clone();
        let (tx, rx) = watch::channel(false);
        block_on(async {
            let guard = lock.clone().lock_owned().await;
            // Published in the next batch (see `publish`): the caller does not wait for a round trip.
            ctx.publisher.enqueue(published.clone());
            ctx.uploader
                .pending
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(name.to_string(), rx);
            let slots = ctx.uploader.slots.clone();
            let failures = ctx.uploader.failures.clone();
            let ctx2 = ctx.clone();
            handle().spawn(async move {
                let _guard = guard;
                let slot = slots.acquire_owned().await;
                let record = run(&ctx2, &job).await;
                drop(slot);
                if let Some(e) = &record.error {
                    failures
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .push((job.name.clone(), e.clone()));
                }
                // Wait for the publication so that `flush` (which waits for this job) sees it published,
                // and report it with the uploads if it failed.
                if let Err(e) = ctx2.publisher.publish(record).await {
                    failures.lock().unwrap_or_else(|p| p.into_inner()).push((
                        job.name.clone(),
                        format!("publishing its record failed: {e}"),
                    ));
                }
                let _ = tx.send(true);
            });
        })?;
        Ok(published)
    }
}
