//! Registered (watched) DataFrames. One background thread per task checks each registered frame's
//! fingerprint every `interval` (and at once on register, unregister, flush and close) and, when it changed,
//! uploads `<name>.csv.gz` (no index) as a new version of a `data-audit-table` artifact.

use crate::backend::TaskInfo;
use crate::context::Ctx;
use crate::error::{Result, TroveError};
use crate::fingerprint::fingerprint;
use crate::kinds::ArtifactObject;
use crate::runtime::handle;
use crate::stats;
use crate::tracked::{Tracked, Uniqueness};
use crate::upload::{self, UploadOptions};
use polars::prelude::DataFrame;
use std::collections::BTreeMap;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;
use trove_core::{ArtifactVersion, UploadState, layout};

/// Default time between checks; a check of an unchanged frame costs milliseconds, so it can be short.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(10);

struct Entry {
    frame: Tracked<DataFrame>,
    metadata: BTreeMap<String, String>,
    uniqueness: Uniqueness,
    last: Option<u128>,
    version: u32,
    unregister: bool,
}

enum Msg {
    Sync(Sender<Result<()>>),
    Stop(Sender<Result<()>>),
}

struct Running {
    tx: Sender<Msg>,
    thread: JoinHandle<()>,
}

/// The per-task monitor: the registry of watched frames and the thread that syncs them.
#[derive(Default)]
pub(crate) struct MonitorSlot {
    registry: Arc<Mutex<BTreeMap<String, Entry>>>,
    running: Mutex<Option<Running>>,
}

impl MonitorSlot {
    fn registry(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Entry>> {
        self.registry.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// True when `name` is registered.
    pub fn is_registered(&self, name: &str) -> bool {
        self.registry().get(name).is_some_and(|e| !e.unregister)
    }

    /// The live handles by name.
    pub fn frames(&self) -> BTreeMap<String, Tracked<DataFrame>> {
        self.registry()
            .iter()
            .filter(|(_, e)| !e.unregister)
            .map(|(k, e)| (k.clone(), e.frame.clone()))
            .collect()
    }

    /// Register a frame (starting the thread on first use) and sync at once.
    pub fn register(
        &self,
        ctx: &Arc<Ctx>,
        info: &TaskInfo,
        interval: Duration,
        name: &str,
        frame: &Tracked<DataFrame>,
        opts: crate::registered::RegisterOptions,
    ) -> Result<()> {
        let crate::registered::RegisterOptions {
            metadata,
            uniqueness,
        } = opts;
        let version = {
            let ctx = ctx.clone();
            let (id, key) = (info.id.clone(), name.to_string());
            handle()
                .block_on(async move { ctx.backend.list_versions(&id, &key).await })?
                .len() as u32
        };
        self.registry().insert(
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
                let (tx, rx) = channel();
                let (ctx, info, registry) = (ctx.clone(), info.clone(), self.registry.clone());
                let thread = std::thread::Builder::new()
                    .name("trove-monitor".into())
                    .spawn(move || run(rx, ctx, info, registry, interval))
                    .map_err(|e| TroveError::Io {
                        action: "start monitor thread",
                        path: Default::default(),
                        source: e,
                    })?;
                *running = Some(Running { tx, thread });
            }
        }
        self.request(Msg::Sync)
    }

    /// Stop watching `name` after one last sync.
    pub fn unregister(&self, name: &str) -> Result<()> {
        match self.registry().get_mut(name) {
            Some(e) => e.unregister = true,
            None => return Ok(()),
        }
        self.request(Msg::Sync)
    }

    /// Sync every registered frame now and wait for it.
    pub fn sync_now(&self) -> Result<()> {
        self.request(Msg::Sync)
    }

    /// Final sync, then stop the thread.
    pub fn stop(&self) -> Result<()> {
        let running = self
            .running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        let Some(running) = running else {
            return Ok(());
        };
        let (tx, rx) = channel();
        let result = match running.tx.send(Msg::Stop(tx)) {
            Ok(()) => rx.recv().unwrap_or(Ok(())),
            Err(_) => Ok(()),
        };
        let _ = running.thread.join();
        result
    }

    fn request(&self, make: fn(Sender<Result<()>>) -> Msg) -> Result<()> {
        let sender = self
            .running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
            .map(|r| r.tx.clone());
        let Some(sender) = sender else { return Ok(()) };
        let (tx, rx) = channel();
        if sender.send(make(tx)).is_err() {
            return Ok(());
        }
        rx.recv().unwrap_or(Ok(()))
    }
}

fn run(
    rx: Receiver<Msg>,
    ctx: Arc<Ctx>,
    info: TaskInfo,
    registry: Arc<Mutex<BTreeMap<String, Entry>>>,
    interval: Duration,
) {
    loop {
        let msg = match rx.recv_timeout(interval) {
            Ok(m) => Some(m),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => {
                let _ = sync_all(&ctx, &info, &registry);
                return;
            }
        };
        let result = sync_all(&ctx, &info, &registry);
        if let Err(e) = &result {
            tracing::error!(task = %info.id, "syncing registered artifacts: {e}");
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

/// Check every registered frame; upload the changed ones. Returns the first error after trying all.
fn sync_all(
    ctx: &Arc<Ctx>,
    info: &TaskInfo,
    registry: &Arc<Mutex<BTreeMap<String, Entry>>>,
) -> Result<()> {
    // Fingerprint under the registry lock only briefly: copy out the handles first.
    let names: Vec<(String, Tracked<DataFrame>, Option<u128>)> = registry
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .iter()
        .map(|(k, e)| (k.clone(), e.frame.clone(), e.last))
        .collect();
    let mut changed = Vec::new();
    for (name, frame, last) in &names {
        let fp = fingerprint(&frame.read());
        if Some(fp) != *last {
            changed.push((name.clone(), fp));
        }
    }
    let mut first_err = None;
    if !changed.is_empty() {
        let all_frames: Vec<(String, DataFrame, Uniqueness)> = {
            let reg = registry.lock().unwrap_or_else(|p| p.into_inner());
            reg.iter()
                .map(|(k, e)| (k.clone(), e.frame.snapshot(), e.uniqueness.clone()))
                .collect()
        };
        for (name, fp) in changed {
            if let Err(e) = sync_one(ctx, info, registry, &name, fp, &all_frames) {
                first_err.get_or_insert(e);
            }
        }
    }
    registry
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .retain(|_, e| !e.unregister);
    first_err.map_or(Ok(()), Err)
}

fn sync_one(
    ctx: &Arc<Ctx>,
    info: &TaskInfo,
    registry: &Arc<Mutex<BTreeMap<String, Entry>>>,
    name: &str,
    fp: u128,
    all: &[(String, DataFrame, Uniqueness)],
) -> Result<()> {
    let Some((_, frame, _)) = all.iter().find(|(n, _, _)| n == name) else {
        return Ok(());
    };
    let (metadata, version) = {
        let reg = registry.lock().unwrap_or_else(|p| p.into_inner());
        let Some(e) = reg.get(name) else {
            return Ok(());
        };
        (e.metadata.clone(), e.version + 1)
    };
    let opts = UploadOptions {
        metadata,
        ..UploadOptions::default()
    };
    let mut job = upload::prepare(
        ctx,
        info,
        name,
        ArtifactObject::Frame {
            frame: frame.clone(),
        },
        &opts,
        false,
    )?;
    let file = job
        .staged
        .file_name
        .clone()
        .unwrap_or_else(|| format!("{name}.csv.gz"));
    let prefix = layout::task_prefix(&info.project_name, &info.project_id, &info.name, &info.id);
    let key = layout::artifact_version_key(&prefix, name, version, &file);
    job.record.uri = Some(ctx.destination.uri_for(&key));
    job.key = Some(key);
    job.record.kind = "data-audit-table".into();
    job.record.type_data.content_type = Some("text/csv".into());
    job.record.type_data.data_hash = Some(format!("{fp:032x}"));
    let preview = format!(
        "{}\n\n{}",
        job.record.preview(),
        stats::statistics(name, all)
    );
    job.record.type_data.preview = Some(trove_core::preview::cap_preview(preview));
    let record = handle().block_on(upload::run(ctx, &job));
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
    let (task_id, key) = (info.id.clone(), name.to_string());
    handle().block_on(async {
        ctx.backend.add_version(&task_id, &key, &v).await?;
        ctx.backend
            .upsert_artifacts(&task_id, std::slice::from_ref(&record))
            .await
    })?;
    if let Some(e) = registry
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get_mut(name)
    {
        e.last = Some(fp);
        e.version = version;
    }
    tracing::info!(task = %info.id, artifact = name, version, "registered artifact synced");
    Ok(())
}
