//! The async API (`trove::nonblocking`) inside tokio, on both runtime flavours: no `InsideAsync`, every
//! call awaited, background uploads on the caller's runtime; the blocking API refuses to run there.
#![cfg(all(feature = "frame", feature = "json", feature = "embedded-sqlite"))]

use polars::prelude::*;
use std::time::{Duration, Instant};
use trove::nonblocking::Trove;
use trove::{FrameFormat, TaskStatus, Tracked, TroveError, UploadOptions, UploadState};

async fn round_trip(home: &std::path::Path) {
    let trove = Trove::builder().home(home).build().await.unwrap();
    let task = trove.create_task("async", "kinds").await.unwrap();
    assert_eq!(task.status().await.unwrap(), TaskStatus::InProgress);
    let df = df!("a" => [1i64, 2, 3], "b" => ["x", "y", "z"]).unwrap();
    let rec = task
        .upload_artifact("dictionary", serde_json::json!({"num_legs": {"falcon": 2}}))
        .await
        .unwrap();
    assert!(matches!(
        rec.state,
        UploadState::Uploading | UploadState::Ready
    ));
    task.upload_artifact("notes", "plain text").await.unwrap();
    let pq = task
        .upload_artifact_with(
            "frame",
            df.clone(),
            UploadOptions::default()
                .format(FrameFormat::Parquet)
                .wait(true),
        )
        .await
        .unwrap();
    assert_eq!(pq.state, UploadState::Ready);
    assert!(pq.uri.unwrap().ends_with("frame.parquet"));
    let train = Tracked::new(df.clone());
    task.register_artifact("train", &train).await.unwrap();
    assert!(task.registered_artifacts()["train"].same(&train));
    task.flush().await.unwrap();

    let names: Vec<String> = task
        .artifacts()
        .await
        .unwrap()
        .iter()
        .map(|a| a.name().to_string())
        .collect();
    assert_eq!(names, ["dictionary", "frame", "notes", "train"]);
    let v: serde_json::Value = task
        .artifact("dictionary")
        .await
        .unwrap()
        .get()
        .await
        .unwrap();
    assert_eq!(v["num_legs"]["falcon"], 2);
    let back: DataFrame = task.artifact("frame").await.unwrap().get().await.unwrap();
    assert!(back.equals(&df));
    let text: String = task.artifact("notes").await.unwrap().get().await.unwrap();
    assert_eq!(text, "plain text");
    let local = task
        .artifact("notes")
        .await
        .unwrap()
        .local_copy()
        .await
        .unwrap();
    assert!(local.ends_with("notes.txt"));
    let train = task.artifact("train").await.unwrap();
    assert_eq!(train.versions().await.unwrap().len(), 1);
    let v1: DataFrame = train.get_version(1).await.unwrap();
    assert!(v1.equals(&df));

    let id = task.id().to_string();
    task.close().await.unwrap();
    let reopened = trove.task(&id).await.unwrap();
    assert_eq!(reopened.status().await.unwrap(), TaskStatus::Completed);
    assert_eq!(trove.find_task("async", "kinds").await.unwrap().id(), id);
    let listed = trove.tasks(Some("async")).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, id);
}

#[tokio::test]
async fn the_async_api_works_on_a_current_thread_runtime() {
    let h = tempfile::tempdir().unwrap();
    round_trip(h.path()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_async_api_works_on_a_multi_thread_runtime() {
    let h = tempfile::tempdir().unwrap();
    round_trip(h.path()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_blocking_api_refuses_to_run_inside_async_code() {
    let h = tempfile::tempdir().unwrap();
    assert!(matches!(
        trove::Trove::builder().home(h.path()).build(),
        Err(TroveError::InsideAsync)
    ));
    assert!(matches!(
        trove::Task::init("p", "t"),
        Err(TroveError::InsideAsync)
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_dropped_in_async_code_is_closed_in_the_background() {
    let h = tempfile::tempdir().unwrap();
    let trove = Trove::builder().home(h.path()).build().await.unwrap();
    let task = trove.create_task("async", "dropped").await.unwrap();
    task.upload_artifact("d", serde_json::json!({"x": 1}))
        .await
        .unwrap();
    let id = task.id().to_string();
    drop(task);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let t = trove.task(&id).await.unwrap();
        if t.status().await.unwrap() == TaskStatus::Completed {
            let a = t.artifact("d").await.unwrap();
            assert_eq!(a.state(), UploadState::Ready);
            break;
        }
        assert!(Instant::now() < deadline, "the dropped task was not closed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[test]
fn the_async_client_needs_a_tokio_runtime() {
    let h = tempfile::tempdir().unwrap();
    let fut = Trove::builder().home(h.path()).build();
    // Polled outside any tokio runtime (a plain executor): a clear error, not a panic.
    match futures::executor::block_on(fut) {
        Err(TroveError::NoRuntime) => {}
        other => panic!("expected NoRuntime, got {:?}", other.map(|_| ())),
    }
}

/// Compile-time: the handles are `Send + Sync` and the async API's futures are `Send` (so they can be
/// `tokio::spawn`ed); `Debug` never prints credentials.
#[allow(dead_code)]
fn handles_are_send_sync_and_futures_send(task: trove::nonblocking::Task, trove: Trove) {
    fn send_sync<T: Send + Sync>() {}
    fn send<T: Send>(_: &T) {}
    send_sync::<trove::Trove>();
    send_sync::<trove::Task>();
    send_sync::<trove::Artifact>();
    send_sync::<Trove>();
    send_sync::<trove::nonblocking::Task>();
    send_sync::<trove::nonblocking::Artifact>();
    send(&Trove::builder().build());
    send(&trove.create_task("p", "t"));
    send(&trove.task("id"));
    send(&trove.tasks(None));
    send(&task.upload_artifact("n", serde_json::json!({})));
    send(&task.upload_artifact("n", std::path::Path::new("f")));
    send(&task.artifacts());
    send(&task.flush());
    let frame = Tracked::new(DataFrame::empty());
    send(&task.register_artifact("f", &frame));
    send(&task.clone().close());
}

#[test]
fn debug_output_hides_credentials() {
    let b = Trove::builder()
        .api_server("http://127.0.0.1:1")
        .credentials("ACCESS", "SECRET-KEY");
    let text = format!("{b:?}");
    assert!(
        text.contains("ACCESS") && !text.contains("SECRET-KEY"),
        "{text}"
    );
    let b = trove::Trove::builder().credentials("ACCESS", "SECRET-KEY");
    assert!(!format!("{b:?}").contains("SECRET-KEY"));
}
