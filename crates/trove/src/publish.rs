//! Record publication, batched: every artifact record a task handle writes (`uploading`, then `ready` or
//! `failed`) goes through one queue, and one background loop sends whatever has queued up as a single
//! `upsert_artifacts` call (one API request and one database transaction). While a batch is on its way,
//! the next one fills, so the number of calls adapts to the load: one record per call when artifacts come
//! slowly, hundreds per call when they come fast. Per key, only the newest queued record is sent, and
//! batches go out one at a time in queue order, so a key's records are never published out of order.
//!
//! [`Publisher::sync`] waits until everything queued before it is published: the SDK calls it before
//! reading records back (read-your-writes) and in `flush`/`close`.

use crate::backend::Backend;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::runtime::Handle;
use tokio::sync::{Notify, oneshot};
use trove_core::ArtifactRecord;

/// Most records in one call.
const MAX_RECORDS: usize = 500;
/// Roughly the most bytes of records in one call (the server takes JSON bodies of a few MiB).
const MAX_BYTES: usize = 1 << 20;
/// Attempts per batch (the upsert is idempotent, so a batch can be sent again).
const ATTEMPTS: u32 = 3;

type Waiter = oneshot::Sender<Result<(), String>>;

#[derive(Default)]
struct Queue {
    records: Vec<ArtifactRecord>,
    /// key → index in `records`.
    index: HashMap<String, usize>,
    waiters: Vec<Waiter>,
    /// Records whose publication failed: (name, reason), reported by `flush`/`close`.
    failures: Vec<(String, String)>,
    stopped: bool,
}

impl Queue {
    /// Queue `record`, replacing a queued, unsent record of the same key.
    fn insert(&mut self, record: ArtifactRecord) {
        match self.index.get(&record.key).copied() {
            Some(i) => self.records[i] = record,
            None => {
                self.index.insert(record.key.clone(), self.records.len());
                self.records.push(record);
            }
        }
    }
}

/// The publication queue of one task handle (see the module doc).
pub(crate) struct Publisher {
    queue: Mutex<Queue>,
    wake: Notify,
}

impl Publisher {
    /// Start the queue and its background loop on `runtime` (the client's).
    pub fn start(backend: Arc<dyn Backend>, task: String, runtime: &Handle) -> Arc<Self> {
        let p = Arc::new(Self {
            queue: Mutex::new(Queue::default()),
            wake: Notify::new(),
        });
        runtime.spawn(run(p.clone(), backend, task));
        p
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Queue a record (replacing a queued, unsent record of the same key).
    pub fn enqueue(&self, record: ArtifactRecord) {
        {
            let mut q = self.lock();
            if q.stopped {
                tracing::error!(artifact = %record.key, "record not published: the task handle is closed");
                return;
            }
            q.insert(record);
        }
        self.wake.notify_one();
    }

    /// Queue a record and wait until it is published; the error says why it was not (and is then the
    /// caller's to report: it is not reported again by [`Publisher::take_failures`]).
    pub async fn publish(&self, record: ArtifactRecord) -> Result<(), String> {
        let key = record.key.clone();
        let (tx, rx) = oneshot::channel();
        {
            let mut q = self.lock();
            if q.stopped {
                return Err("the task handle is closed".into());
            }
            q.insert(record);
            q.waiters.push(tx);
        }
        self.wake.notify_one();
        let result = rx
            .await
            .unwrap_or_else(|_| Err("the publication loop stopped".into()));
        if result.is_err() {
            self.lock().failures.retain(|(k, _)| *k != key);
        }
        result
    }

    /// Wait until every record queued so far is published (or has failed: see [`Publisher::take_failures`]).
    pub async fn sync(&self) {
        let (tx, rx) = oneshot::channel();
        {
            let mut q = self.lock();
            if q.stopped {
                return;
            }
            q.waiters.push(tx);
        }
        self.wake.notify_one();
        let _ = rx.await;
    }

    /// Publication failures seen so far (and clear them).
    pub fn take_failures(&self) -> Vec<(String, String)> {
        std::mem::take(&mut self.lock().failures)
    }

    /// Publish what is queued, then end the loop.
    pub async fn stop(&self) {
        self.sync().await;
        self.lock().stopped = true;
        self.wake.notify_one();
    }
}

/// Take the next batch: up to [`MAX_RECORDS`] / [`MAX_BYTES`] of records, and the waiters that may be
/// answered once it is sent (all of them when it empties the queue).
fn take_batch(q: &mut Queue) -> (Vec<ArtifactRecord>, Vec<Waiter>) {
    let mut bytes = 0;
    let mut n = 0;
    for r in &q.records {
        let size = 512
            + r.type_data.preview.as_deref().map_or(0, str::len)
            + r.display_data
                .iter()
                .map(|(k, v)| k.len() + v.len())
                .sum::<usize>();
        if n > 0 && (n == MAX_RECORDS || bytes + size > MAX_BYTES) {
            break;
        }
        bytes += size;
        n += 1;
    }
    let batch: Vec<ArtifactRecord> = q.records.drain(..n).collect();
    q.index.clear();
    for (i, r) in q.records.iter().enumerate() {
        q.index.insert(r.key.clone(), i);
    }
    let waiters = if q.records.is_empty() {
        std::mem::take(&mut q.waiters)
    } else {
        Vec::new()
    };
    (batch, waiters)
}

async fn send(backend: &dyn Backend, task: &str, batch: &[ArtifactRecord]) -> Result<(), String> {
    let mut last = String::new();
    for attempt in 0..ATTEMPTS {
        if attempt > 0 {
            tokio::time::sleep(Duration::from_millis(200 << attempt)).await;
        }
        match backend.upsert_artifacts(task, batch).await {
            Ok(()) => return Ok(()),
            Err(e) => {
                tracing::warn!(
                    task,
                    records = batch.len(),
                    attempt,
                    "publishing artifact records failed: {e}"
                );
                last = e.to_string();
            }
        }
    }
    Err(last)
}

async fn run(p: Arc<Publisher>, backend: Arc<dyn Backend>, task: String) {
    // The first failure since the waiters were last answered: they hear of it even when a later batch
    // (the one that emptied the queue) went through.
    let mut failed: Option<String> = None;
    loop {
        let (batch, waiters, stopped) = {
            let mut q = p.lock();
            let (b, w) = take_batch(&mut q);
            (b, w, q.stopped)
        };
        if batch.is_empty() && waiters.is_empty() {
            if stopped {
                return;
            }
            p.wake.notified().await;
            continue;
        }
        let sent = if batch.is_empty() {
            Ok(())
        } else {
            send(&*backend, &task, &batch).await
        };
        if sent.is_ok() && !batch.is_empty() {
            // A key published now supersedes an earlier failed publication of it.
            let mut q = p.lock();
            if !q.failures.is_empty() {
                let done: std::collections::HashSet<&str> =
                    batch.iter().map(|r| r.key.as_str()).collect();
                q.failures.retain(|(k, _)| !done.contains(k.as_str()));
            }
        }
        if let Err(e) = sent {
            tracing::error!(
                task,
                records = batch.len(),
                "could not publish artifact records: {e}"
            );
            p.lock().failures.extend(
                batch
                    .iter()
                    .map(|r| (r.key.clone(), format!("publishing its record failed: {e}"))),
            );
            failed.get_or_insert(e);
        }
        if !waiters.is_empty() {
            let result = failed.take().map_or(Ok(()), Err);
            for w in waiters {
                let _ = w.send(result.clone());
            }
        }
    }
}
