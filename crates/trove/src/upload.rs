//! The uploader: serialise an object (in a thread that may block: the caller's, or tokio's blocking pool),
//! publish its record at once with state `uploading`, upload the bytes in a bounded background pool, then
//! publish `ready` (or `failed` with the reason). It knows the kinds, the storage destination and the publication queue (backend), not tasks.

use crate::backend::TaskInfo;
use crate::error::{Result, TroveError};
use crate::kinds::{self, ArtifactObject, SerializeOptions, Serialized};
use crate::options::UploadOptions;
use crate::progress::{ProgressHook, Reporter};
use crate::publish::Publisher;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::runtime::Handle;
use tokio::sync::{Semaphore, watch};
use trove_core::{ArtifactRecord, UploadState, layout, timefmt};
use trove_storage::{Destination, PutOutcome};

/// Longest artifact name accepted, in bytes.
pub const MAX_NAME_LEN: usize = 1024;

/// Serialised artifacts up to this size are uploaded from memory, without a staging file.
const MEMORY_LIMIT: usize = 1 << 20;

/// Check an artifact name: non-empty, not over-long, no control characters.
pub(crate) fn validate_name(name: &str) -> Result<()> {
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

/// A serialised artifact on its way to storage.
pub(crate) struct Job {
    pub name: String,
    /// The storage key (`None` for links: nothing to upload).
    pub key: Option<String>,
    pub staged: Serialized,
    pub record: ArtifactRecord,
    pub delete_user_file: bool,
    pub retries: u32,
    pub progress: Option<ProgressHook>,
}

/// The background upload pool of one task handle.
pub(crate) struct Uploader {
    destination: Destination,
    staging: PathBuf,
    publisher: Arc<Publisher>,
    runtime: Handle,
    slots: Arc<Semaphore>,
    /// Per artifact name: a channel that says when its latest upload is done.
    pending: Mutex<HashMap<String, watch::Receiver<bool>>>,
    failures: Arc<Mutex<Vec<(String, String)>>>,
    /// Per name, so two uploads of one name never race on the same key.
    order: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl Uploader {
    /// An uploader of `workers` parallel uploads to `destination`, staging big outputs in `staging`,
    /// publishing records through `publisher`, running in the background on `runtime`.
    pub fn new(
        destination: Destination,
        staging: PathBuf,
        publisher: Arc<Publisher>,
        workers: usize,
        runtime: Handle,
    ) -> Self {
        Self {
            destination,
            staging,
            publisher,
            runtime,
            slots: Arc::new(Semaphore::new(workers.max(1))),
            pending: Mutex::new(HashMap::new()),
            failures: Arc::new(Mutex::new(Vec::new())),
            order: Mutex::new(HashMap::new()),
        }
    }

    /// Where the bytes go.
    pub fn destination(&self) -> &Destination {
        &self.destination
    }

    /// The staging folder of this handle.
    pub fn staging(&self) -> &Path {
        &self.staging
    }

    /// The publication queue records go through.
    pub fn publisher(&self) -> &Publisher {
        &self.publisher
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

    /// Serialise `obj` (CPU and local I/O: call it from a thread that may block) and build its record
    /// (state `uploading`, or `ready` for links). `with_index` is `false` for registered frames.
    pub fn prepare(
        &self,
        task: &TaskInfo,
        name: &str,
        obj: ArtifactObject,
        opts: &UploadOptions,
        with_index: bool,
    ) -> Result<Job> {
        let sopts = SerializeOptions {
            format: opts.format.clone(),
            index_column: opts.index_column.clone(),
            with_index,
            clearml_identical: opts.clearml_identical,
            memory_limit: MEMORY_LIMIT,
            ..SerializeOptions::default()
        };
        let staged = kinds::serialize(name, obj, &sopts, &self.staging)?;
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
                record.uri = Some(self.destination.uri_for(&key));
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

    /// Upload `job` and publish its records. With `wait` (or for links) the bytes are stored and the final
    /// record published before this returns; otherwise the `uploading` record is queued, the upload runs in
    /// the background pool, and the record as queued is returned.
    pub async fn submit(self: &Arc<Self>, job: Job, wait: bool) -> Result<ArtifactRecord> {
        let lock = self.name_lock(&job.name);
        if wait || job.key.is_none() {
            let _guard = lock.lock().await;
            let record = self.run(&job).await;
            self.publisher
                .publish(record.clone())
                .await
                .map_err(|e| TroveError::UploadsFailed(vec![(job.name.clone(), e)]))?;
            return match (&record.state, &record.error) {
                (UploadState::Failed, Some(e)) => Err(TroveError::UploadsFailed(vec![(
                    job.name.clone(),
                    e.clone(),
                )])),
                _ => Ok(record),
            };
        }
        let published = job.record.clone();
        let (tx, rx) = watch::channel(false);
        let guard = lock.lock_owned().await;
        // Published in the next batch (see `publish`): the caller does not wait for a round trip.
        self.publisher.enqueue(published.clone());
        self.pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(job.name.clone(), rx);
        let this = self.clone();
        self.runtime.spawn(async move {
            let _guard = guard;
            let slot = this.slots.clone().acquire_owned().await;
            let record = this.run(&job).await;
            drop(slot);
            if let Some(e) = &record.error {
                this.failures
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push((job.name.clone(), e.clone()));
            }
            // Wait for the publication so that `flush` (which waits for this job) sees it published,
            // and report it with the uploads if it failed.
            if let Err(e) = this.publisher.publish(record).await {
                this.failures
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push((
                        job.name.clone(),
                        format!("publishing its record failed: {e}"),
                    ));
            }
            let _ = tx.send(true);
        });
        Ok(published)
    }

    /// Upload a job's bytes (from memory, or from its file; with retries) and return the final record.
    pub async fn run(&self, job: &Job) -> ArtifactRecord {
        let mut record = job.record.clone();
        let Some(key) = &job.key else {
            record.state = UploadState::Ready;
            return record;
        };
        let ct = job.staged.content_type.as_deref();
        let path = job.staged.path.as_deref();
        let dest = &self.destination;
        let result = match (&job.staged.bytes, path) {
            // Small artifacts: no staging file to read or delete.
            (Some(bytes), _) => with_retries(job, || dest.put_bytes(key, bytes.clone(), ct))
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
                    async move { dest.put_file(key, path, ct, &|n| reporter.report(n)).await }
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
