//! Registered (watched) frames on the embedded default: versions, change detection, statistics, flush on
//! close and drop.
#![cfg(all(
    feature = "frame",
    feature = "array",
    feature = "image",
    feature = "archive",
    feature = "json",
    feature = "embedded-sqlite"
))]

use polars::prelude::*;
use std::time::Duration;
use trove::{RegisterOptions, Task, Tracked, TroveError};

/// A client on the embedded store in `home`.
fn trove_at(home: &std::path::Path) -> trove::Trove {
    trove::Trove::builder().home(home).build().unwrap()
}

/// A client with this configuration.
fn trove_with(config: trove::Config) -> trove::Trove {
    trove::Trove::builder().config(config).build().unwrap()
}

fn frame() -> DataFrame {
    df!("num_legs" => [2i64, 4, 8, 0], "num_wings" => [2i64, 0, 0, 0], "num_specimen_seen" => [10i64, 2, 1, 8]).unwrap()
}

fn task(home: &std::path::Path, name: &str) -> Task {
    // A long interval: every sync in these tests is one the test asks for.
    trove_at(home)
        .task_builder("p", name)
        .monitor_interval(Duration::from_secs(3600))
        .init()
        .unwrap()
}

#[test]
fn unchanged_frames_upload_once_and_each_change_is_one_version() {
    let h = tempfile::tempdir().unwrap();
    let t = task(h.path(), "versions");
    let train = Tracked::new(frame());
    t.register_artifact_with(
        "train",
        &train,
        RegisterOptions::default()
            .metadata("counting", "legs")
            .metadata("max legs", 69),
    )
    .unwrap();
    t.flush().unwrap();
    t.flush().unwrap();
    let a = t.artifact("train").unwrap();
    assert_eq!(a.kind(), "data-audit-table");
    assert_eq!(
        a.record().type_data.content_type.as_deref(),
        Some("text/csv")
    );
    assert!(a.record().type_data.data_hash.is_some());
    assert_eq!(a.metadata().get("max legs").map(String::as_str), Some("69"));
    assert!(
        a.preview()
            .contains("[train]: shape=(4, 3), 4 unique rows, 100.0% uniqueness"),
        "{}",
        a.preview()
    );
    assert_eq!(a.versions().unwrap().len(), 1);

    // In-place edit.
    train.write().apply("num_legs", |s| s + 1).unwrap();
    t.flush().unwrap();
    // Appended rows.
    let more = train
        .read()
        .vstack(
            &df!("num_legs" => [6i64], "num_wings" => [6i64], "num_specimen_seen" => [1i64])
                .unwrap(),
        )
        .unwrap();
    train.set(more);
    t.flush().unwrap();
    // Dropped column.
    let dropped = train.snapshot().drop("num_wings").unwrap();
    train.set(dropped);
    t.flush().unwrap();
    // Dtype change.
    let mut recast = train.snapshot();
    let c = recast
        .column("num_legs")
        .unwrap()
        .cast(&DataType::Float64)
        .unwrap();
    recast.with_column(c).unwrap();
    train.set(recast);
    t.flush().unwrap();
    t.flush().unwrap();

    let a = t.artifact("train").unwrap();
    let versions = a.versions().unwrap();
    assert_eq!(
        versions.iter().map(|v| v.version).collect::<Vec<_>>(),
        [1, 2, 3, 4, 5]
    );
    assert_eq!(a.uri(), Some(versions[4].uri.as_str()));
    let first: DataFrame = a.get_version(1).unwrap();
    assert_eq!(first.shape(), (4, 3));
    let newest: DataFrame = a.get().unwrap();
    assert_eq!(newest.shape(), (5, 2));
    assert_eq!(
        newest.column("num_legs").unwrap().dtype(),
        &DataType::Float64
    );
    // Every version is still readable and distinct.
    let hashes: std::collections::HashSet<_> = versions.iter().map(|v| v.hash.clone()).collect();
    assert_eq!(hashes.len(), 5);
}

#[test]
fn upload_artifact_with_a_registered_name_is_an_error() {
    let h = tempfile::tempdir().unwrap();
    let t = task(h.path(), "clash");
    t.register_artifact("train", &Tracked::new(frame()))
        .unwrap();
    assert!(matches!(
        t.upload_artifact("train", serde_json::json!({})),
        Err(TroveError::Registered(_))
    ));
    assert!(t.registered_artifacts().contains_key("train"));
}

#[test]
fn unregister_takes_a_last_snapshot_then_stops_watching() {
    let h = tempfile::tempdir().unwrap();
    let t = task(h.path(), "unregister");
    let train = Tracked::new(frame());
    t.register_artifact("train", &train).unwrap();
    train.write().apply("num_legs", |s| s * 2).unwrap();
    t.unregister_artifact("train").unwrap();
    assert!(t.registered_artifacts().is_empty());
    assert_eq!(t.artifact("train").unwrap().versions().unwrap().len(), 2);
    train.write().apply("num_legs", |s| s * 2).unwrap();
    t.flush().unwrap();
    assert_eq!(t.artifact("train").unwrap().versions().unwrap().len(), 2);
}

#[test]
fn close_and_drop_make_the_final_sync() {
    let h = tempfile::tempdir().unwrap();
    let cfg = trove::Config::load_from_home(h.path()).unwrap();
    let t = task(h.path(), "close");
    let train = Tracked::new(frame());
    t.register_artifact("train", &train).unwrap();
    train.write().apply("num_wings", |s| s + 1).unwrap();
    let id = t.id().to_string();
    t.close().unwrap();
    let reopened = trove_with(cfg.clone()).task(&id).unwrap();
    assert_eq!(
        reopened
            .artifact("train")
            .unwrap()
            .versions()
            .unwrap()
            .len(),
        2
    );

    let t = task(h.path(), "drop");
    let train = Tracked::new(frame());
    t.register_artifact("train", &train).unwrap();
    train.write().apply("num_wings", |s| s + 1).unwrap();
    let id = t.id().to_string();
    drop(t);
    let reopened = trove_with(cfg).task(&id).unwrap();
    assert_eq!(reopened.status().unwrap(), trove::TaskStatus::Completed);
    assert_eq!(
        reopened
            .artifact("train")
            .unwrap()
            .versions()
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn two_registered_frames_report_their_intersection() {
    let h = tempfile::tempdir().unwrap();
    let t = task(h.path(), "stats");
    t.register_artifact("train", &Tracked::new(frame()))
        .unwrap();
    let test = df!("num_legs" => [2i64, 4, 4], "num_wings" => [2i64, 0, 0], "num_specimen_seen" => [10i64, 2, 2]).unwrap();
    t.register_artifact("test", &Tracked::new(test)).unwrap();
    let p = t.artifact("test").unwrap().preview().to_string();
    assert!(
        p.contains("[test]: shape=(3, 3), 2 unique rows, 66.7% uniqueness"),
        "{p}"
    );
    assert!(
        p.contains("Intersection with [train] 2 rows: 100.0%"),
        "{p}"
    );
}
