//! Registered (watched) DataFrames. One background task per task handle checks each registered frame's
//! fingerprint every `interval` (and at once on register, unregister, flush and close) and, when it changed,
//! uploads `<name>.csv.gz` (no index) as a new version of a `data-audit-table` artifact. Fingerprints and
//! serialisation run on tokio's blocking pool; the loop itself runs on the client's runtime.

use crate::backend::{Backend, TaskInfo};
use crate::error::{Result, TroveError};
use crate::fingerprint::fingerprint;
use crate::kinds::ArtifactObject;
use crate::options::{RegisterOptions, UploadOptions};
use crate::stats;
use crate::tracked::{Tracked, Uniqueness};
use crate::upload::Uploader;
use polars::prelude::DataFrame;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::runtime::Handle;
use tokio::sync::{mpsc, oneshot};
use trove_core::{ArtifactVersion, UploadState, layout};

/// Default time between checks; a check of an unchanged frame costs milliseconds, so it can be short.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(10);

/// The shortest check interval: shorter ones would re-fingerprint frames without pause.
pub const MIN_INTERVAL: Duration = Duration::from_millis(100);

/// The check interval: the builder's, else the config file's seconds, else [`DEFAULT_INTERVAL`]; zero,
/// negative or unrepresentable values count as unset, and anything shorter than [`MIN_INTERVAL`] is raised to it.
pub fn interval(given: Option<Duration>, config_secs: Option<f64>) -> Duration {
    given
        .filter(|d| !d.is_zero())
        .or_else(|| {
            config_secs
                .filter(|s| *s > 0.0)
                .and_then(|s| Duration::try_from_secs_f64(s).ok())
        })
        .unwrap_or(DEFAULT_INTERVAL)
        .max(MIN_INTERVAL)
}

struct Entry {
    frame: Tracked<DataFrame>,
    metadata: BTreeMap<String, String>,
    uniqueness: Uniqueness,
    last: Option<u128>,
    version: u32,
    unregister: bool,
}

type Registry = Arc<Mutex<BTreeMap<String, Entry>>>;

enum Msg {
    Sync(oneshot::Sender<Result<()>>),
    Stop(oneshot::Sender<Result<()>>),
}

/// What the sync loop needs: where to upload and record, and for which task.
#[derive(Clone)]
pub(crate) struct Syncer {
    pub uploader: Arc<Uploader>,
    pub backend: Arc<dyn Backend>,
    pub info: TaskInfo,
}

/// The per-task monitor: the registry of watched frames and the loop that syncs them.
#[derive(Default)]
pub(crate) struct Monitor {
    registry: Registry,
    running: Mutex<Option<mpsc::UnboundedSender<Msg>>>,
}

fn lock(registry: &Registry) -> std::sync::MutexGuard<'_, BTreeMap<String, Entry>> {
    registry.lock().unwrap_or_else(|p| p.into_inner())
}

impl Monitor {
    /// True when `name` is registered.
    pub fn is_registered(&self, name: &str) -> bool {
        lock(&self.registry)
            .get(name)
            .is_some_and(|e| !e.unregister)
    }

    /// The live handles by name.
    pub fn frames(&self) -> BTreeMap<String, Tracked<DataFrame>> {
        lock(&self.registry)
            .iter()
            .filter(|(_, e)| !e.unregister)
            .map(|(k, e)| (k.clone(), e.frame.clone()))
            .collect()
    }

    /// Register a frame (starting the loop on `runtime` on first use) and sync at once.
    pub async fn register(
        &self,
        syncer: &Syncer,
        runtime: &Handle,
        interval: Duration,
        name: &str,
        frame: &Tracked<DataFrame>,
        opts: RegisterOptions,
    ) -> Result<()> {
        let RegisterOptions {
            metadata,
            uniqueness,
        } = opts;
        let version = syncer
            .backend
            .list_versions(&syncer.info.id, name)
            .await?
            .len() as u32;
        lock(&self.registry).insert(
            name.to_string(),
            Entry {
                frame: frame.clone(),
                metadata,
                uniqueness,
                last: None,
                version,
                unregister: false,
            },
        );
        {
            let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
            if running.is_none() {
                let (tx, rx) = mpsc::unbounded_channel();
                runtime.spawn(run(rx, syncer.clone(), self.registry.clone(), interval));
                *running = Some(tx);
            }
        }
        self.request(Msg::Sync).await
    }

    /// Stop watching `name` after one last sync.
    pub async fn unregister(&self, name: &str) -> Result<()> {
        match lock(&self.registry).get_mut(name) {
            Some(e) => e.unregister = true,
            None => return Ok(()),
        }
        self.request(Msg::Sync).await
    }

    /// Sync every registered frame now and wait for it.
    pub async fn sync_now(&self) -> Result<()> {
        self.request(Msg::Sync).await
    }

    /// Final sync, then stop the loop.
    pub async fn stop(&self) -> Result<()> {
        let sender = self
            .running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        let Some(sender) = sender else {
            return Ok(());
        };
        let (tx, rx) = oneshot::channel();
        match sender.send(Msg::Stop(tx)) {
            Ok(()) => rx.await.unwrap_or(Ok(())),
            Err(_) => Ok(()),
        }
    }

    async fn request(&self, make: fn(oneshot::Sender<Result<()>>) -> Msg) -> Result<()> {
        let sender = self
            .running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let Some(sender) = sender else { return Ok(()) };
        let (tx, rx) = oneshot::channel();
        if sender.send(make(tx)).is_err() {
            return Ok(());
        }
        rx.await.unwrap_or(Ok(()))
    }
}

async fn run(
    mut rx: mpsc::UnboundedReceiver<Msg>,
    s: Syncer,
    registry: Registry,
    interval: Duration,
) {
    loop {
        let msg = match tokio::time::timeout(interval, rx.recv()).await {
            Ok(Some(m)) => Some(m),
            Err(_) => None,
            Ok(None) => {
                // Every handle is gone: one last sync.
                let _ = sync_all(&s, &registry).await;
                return;
            }
        };
        let result = sync_all(&s, &registry).await;
        if let Err(e) = &result {
            tracing::error!(task = %s.info.id, "syncing registered artifacts: {e}");
        }
        match msg {
            Some(Msg::Sync(reply)) => {
                let _ = reply.send(result);
            }
            Some(Msg::Stop(reply)) => {
                let _ = reply.send(result);
                return;
            }
            None => {}
        }
    }
}

/// Run CPU work (fingerprints, serialisation) on the blocking pool.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T> {
    crate::runtime::on_blocking_pool("run registered-frame work", f).await
}

/// Check every registered frame; upload the changed ones. Returns the first error after trying all.
async fn sync_all(s: &Syncer, registry: &Registry) -> Result<()> {
    // Fingerprint outside the registry lock: copy out the handles first.
    let names: Vec<(String, Tracked<DataFrame>, Option<u128>)> = lock(registry)
        .iter()
        .map(|(k, e)| (k.clone(), e.frame.clone(), e.last))
        .collect();
    let changed: Vec<(String, u128)> = blocking(move || {
        names
            .iter()
            .filter_map(|(name, frame, last)| {
                let fp = fingerprint(&frame.read());
                (Some(fp) != *last).then(|| (name.clone(), fp))
            })
            .collect()
    })
    .await?;
    let mut first_err = None;
    if !changed.is_empty() {
        let all_frames: Arc<Vec<(String, DataFrame, Uniqueness)>> = Arc::new(
            lock(registry)
                .iter()
                .map(|(k, e)| (k.clone(), e.frame.snapshot(), e.uniqueness.clone()))
                .collect(),
        );
        for (name, fp) in changed {
            if let Err(e) = sync_one(s, registry, &name, fp, all_frames.clone()).await {
                first_err.get_or_insert(e);
            }
        }
    }
    lock(registry).retain(|_, e| !e.unregister);
    first_err.map_or(Ok(()), Err)
}

async fn sync_one(
    s: &Syncer,
    registry: &Registry,
    name: &str,
    fp: u128,
    all: Arc<Vec<(String, DataFrame, Uniqueness)>>,
) -> Result<()> {
    let (metadata, version) = {
        let reg = lock(registry);
        let Some(e) = reg.get(name) else {
            return Ok(());
        };
        (e.metadata.clone(), e.version + 1)
    };
    let opts = UploadOptions {
        metadata,
        ..UploadOptions::default()
    };
    let (uploader, info, key_name) = (s.uploader.clone(), s.info.clone(), name.to_string());
    // Serialise and compute the statistics on the blocking pool.
    let prepared = blocking(move || {
        let Some((_, frame, _)) = all.iter().find(|(n, _, _)| *n == key_name) else {
            return Ok(None);
        };
        let obj = ArtifactObject::Frame {
            frame: frame.clone(),
        };
        let job = uploader.prepare(&info, &key_name, obj, &opts, false)?;
        Ok::<_, TroveError>(Some((job, stats::statistics(&key_name, &all))))
    })
    .await??;
    let Some((mut job, statistics)) = prepared else {
        return Ok(());
    };
    let info = &s.info;
    let file = job
        .staged
        .file_name
        .clone()
        .unwrap_or_else(|| format!("{name}.csv.gz"));
    let prefix = layout::task_prefix(&info.project_name, &info.project_id, &info.name, &info.id);
    let key = layout::artifact_version_key(&prefix, name, version, &file);
    job.record.uri = Some(s.uploader.destination().uri_for(&key));
    job.key = Some(key);
    job.record.kind = "data-audit-table".into();
    job.record.type_data.content_type = Some("text/csv".into());
    job.record.type_data.data_hash = Some(format!("{fp:032x}"));
    let preview = format!("{}\n\n{}", job.record.preview(), statistics);
    job.record.type_data.preview = Some(trove_core::preview::cap_preview(preview));
    let record = s.uploader.run(&job).await;
    if record.state != UploadState::Ready {
        return Err(TroveError::UploadsFailed(vec![(
            name.to_string(),
            record.error.unwrap_or_default(),
        )]));
    }
    let v = ArtifactVersion {
        version,
        timestamp: record
            .timestamp
            .unwrap_or_else(trove_core::timefmt::now_secs),
        hash: record.hash.clone().unwrap_or_default(),
        content_size: record.content_size.unwrap_or_default(),
        uri: record.uri.clone().unwrap_or_default(),
        data_hash: record.type_data.data_hash.clone(),
    };
    s.backend.add_version(&info.id, name, &v).await?;
    s.backend
        .upsert_artifacts(&info.id, std::slice::from_ref(&record))
        .await?;
    if let Some(e) = lock(registry).get_mut(name) {
        e.last = Some(fp);
        e.version = version;
    }
    tracing::info!(task = %info.id, artifact = name, version, "registered artifact synced");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_fall_back_and_are_bounded() {
        let ms = Duration::from_millis;
        assert_eq!(interval(Some(ms(500)), Some(3.0)), ms(500));
        assert_eq!(interval(Some(Duration::ZERO), Some(3.0)), ms(3000));
        assert_eq!(
            interval(None, Some(1e30)),
            DEFAULT_INTERVAL,
            "unrepresentable"
        );
        assert_eq!(interval(None, Some(f64::NAN)), DEFAULT_INTERVAL);
        assert_eq!(interval(None, Some(-1.0)), DEFAULT_INTERVAL);
        assert_eq!(interval(None, Some(0.001)), MIN_INTERVAL);
        assert_eq!(interval(Some(ms(1)), None), MIN_INTERVAL);
        assert_eq!(interval(None, None), DEFAULT_INTERVAL);
    }
}
