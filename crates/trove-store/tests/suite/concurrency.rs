//! Concurrent writers: many handles in one process, and several OS processes on one database (fresh, so
//! their migrations race too).

use super::{Env, rec, task};
use std::process::Command;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use trove_store::Event;

/// 8 tokio tasks × 50 upserts of distinct keys on one task, each through its own store handle; plus every
/// writer replacing one shared key. Nothing is lost.
pub async fn artifacts_concurrent_writers(env: Env) {
    let t = task(&env.store, "conc", "t").await;
    let mut handles = Vec::new();
    for w in 0..8 {
        let store = trove_store::open(&env.url).await.unwrap();
        let id = t.id.clone();
        handles.push(tokio::spawn(async move {
            for i in 0..50 {
                let mine = rec(&format!("w{w}-k{i:02}"), "custom", &format!("u{w}-{i}"));
                let shared = rec("shared", "custom", &format!("shared-{w}-{i}"));
                store.upsert_artifacts(&id, &[mine, shared]).await.unwrap();
            }
        }));
    }
    for h in handles {
        h.await.unwrap();
    }
    let all = env.store.list_artifacts(&t.id).await.unwrap();
    assert_eq!(all.len(), 401);
    for w in 0..8 {
        for i in 0..50 {
            let r = env
                .store
                .get_artifact(&t.id, &format!("w{w}-k{i:02}"), "output")
                .await
                .unwrap()
                .unwrap();
            assert_eq!(r.uri.as_deref(), Some(format!("u{w}-{i}").as_str()));
        }
    }
    let shared = env
        .store
        .get_artifact(&t.id, "shared", "output")
        .await
        .unwrap()
        .unwrap();
    assert!(
        shared.uri.unwrap().ends_with("-49"),
        "the shared key holds some writer's last value"
    );
    assert_eq!(
        env.store
            .count_artifacts(std::slice::from_ref(&t.id))
            .await
            .unwrap()[0]
            .1,
        401
    );
}

/// Upserts, deletions, edits and status changes racing on one task never fail (no deadlocks, no lost rows).
pub async fn mixed_writers_no_deadlock(env: Env) {
    let t = task(&env.store, "mixed", "t").await;
    let mut handles = Vec::new();
    for w in 0..6 {
        let store = trove_store::open(&env.url).await.unwrap();
        let id = t.id.clone();
        handles.push(tokio::spawn(async move {
            for i in 0..30 {
                let shared = [
                    rec("a", "custom", "x"),
                    rec("b", "custom", "y"),
                    rec(&format!("w{w}-{i}"), "custom", "z"),
                ];
                match w % 3 {
                    0 => {
                        store.upsert_artifacts(&id, &shared).await.unwrap();
                    }
                    1 => {
                        let ids = [
                            ("b".to_string(), "output".to_string()),
                            ("a".to_string(), "output".to_string()),
                        ];
                        store.delete_artifacts(&id, &ids).await.unwrap();
                        store.upsert_artifacts(&id, &shared[2..]).await.unwrap();
                    }
                    _ => {
                        let mut edit = trove_store::TaskEdit::default();
                        edit.doc.insert(format!("f{w}"), serde_json::json!(i));
                        store.edit_task(&id, edit).await.unwrap();
                        store.upsert_artifacts(&id, &shared[2..]).await.unwrap();
                    }
                }
            }
        }));
    }
    for h in handles {
        h.await.unwrap();
    }
    let keys: Vec<String> = env
        .store
        .list_artifacts(&t.id)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.key)
        .collect();
    assert_eq!(keys.iter().filter(|k| k.starts_with('w')).count(), 180);
    let doc = env.store.get_task(&t.id).await.unwrap().unwrap().doc;
    assert_eq!(
        (doc["f2"].clone(), doc["f5"].clone()),
        (serde_json::json!(29), serde_json::json!(29)),
        "no edit lost"
    );
}

/// Several handles opening a database nobody has opened yet, at the same moment.
pub async fn fresh_concurrent_open(url: String) {
    let mut handles = Vec::new();
    for i in 0..6 {
        let url = url.clone();
        handles.push(tokio::spawn(async move {
            let s = trove_store::open(&url).await.unwrap();
            s.ensure_project("fresh/p").await.unwrap();
            s.init_setting("who", &format!("opener {i}")).await.unwrap()
        }));
    }
    let mut winners = Vec::new();
    for h in handles {
        winners.push(h.await.unwrap());
    }
    winners.dedup();
    assert_eq!(winners.len(), 1);
    let s = trove_store::open(&url).await.unwrap();
    assert_eq!(s.list_projects().await.unwrap().len(), 2);
}

const CHILDREN: usize = 3;
const PER_CHILD: usize = 60;

fn spawn_children(url: &str, action: &str, task: &str) -> Vec<std::process::Child> {
    let start = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis()
        + 1500;
    (0..CHILDREN)
        .map(|n| {
            Command::new(std::env::current_exe().unwrap())
                .args([
                    "--exact",
                    "child_worker",
                    "--ignored",
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env(
                    "TROVE_STORE_CHILD",
                    format!("{action}|{url}|{task}|{n}|{start}"),
                )
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect()
}

fn results(children: Vec<std::process::Child>) -> Vec<String> {
    children
        .into_iter()
        .map(|c| {
            let out = c.wait_with_output().unwrap();
            let stdout = String::from_utf8_lossy(&out.stdout).to_string();
            assert!(
                out.status.success(),
                "child failed: {stdout}\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
            // libtest prints "test child_worker ... " on the same line, so look for the marker anywhere.
            let (_, rest) = stdout
                .split_once("CHILD-RESULT:")
                .unwrap_or_else(|| panic!("no result from child: {stdout}"));
            rest.lines().next().unwrap_or_default().to_string()
        })
        .collect()
}

/// Separate OS processes: first they all open (and migrate) a fresh database at once, then they all upsert
/// distinct artifacts and events into one task at once.
pub async fn multi_process_writers(url: String) {
    let opened = tokio::task::spawn_blocking({
        let url = url.clone();
        move || results(spawn_children(&url, "open", ""))
    })
    .await
    .unwrap();
    assert!(
        opened.iter().all(|v| *v == opened[0]),
        "processes agree on the setting: {opened:?}"
    );
    let s = trove_store::open(&url).await.unwrap();
    let names: Vec<String> = s
        .list_projects()
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(names, vec!["mp", "mp/shared"]);
    let t = task(&s, "mp/shared", "target").await;
    let out = tokio::task::spawn_blocking({
        let (url, id) = (url.clone(), t.id.clone());
        move || results(spawn_children(&url, "upsert", &id))
    })
    .await
    .unwrap();
    assert_eq!(out, vec![PER_CHILD.to_string(); CHILDREN]);
    let all = s.list_artifacts(&t.id).await.unwrap();
    assert_eq!(
        all.len(),
        CHILDREN * PER_CHILD,
        "no process lost another's entries"
    );
    assert_eq!(
        s.list_events(&t.id, None, 0, 0).await.unwrap().len(),
        CHILDREN * PER_CHILD
    );
}

/// The body of a child process (see [`multi_process_writers`]); does nothing unless started by it.
pub fn child_main() {
    let Ok(spec) = std::env::var("TROVE_STORE_CHILD") else {
        return;
    };
    let parts: Vec<&str> = spec.split('|').collect();
    let (action, url, task_id, n, start): (&str, &str, &str, usize, u128) = (
        parts[0],
        parts[1],
        parts[2],
        parts[3].parse().unwrap(),
        parts[4].parse().unwrap(),
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let result = rt.block_on(async move {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis();
        if start > now {
            tokio::time::sleep(Duration::from_millis((start - now) as u64)).await;
        }
        let s = trove_store::open(url).await.unwrap();
        match action {
            "open" => {
                s.ensure_project("mp/shared").await.unwrap();
                s.init_setting("owner", &format!("process {n}"))
                    .await
                    .unwrap()
            }
            "upsert" => {
                for i in 0..PER_CHILD {
                    s.upsert_artifacts(task_id, &[rec(&format!("p{n}-{i:03}"), "custom", "u")])
                        .await
                        .unwrap();
                    let body = serde_json::json!({"from": n, "i": i});
                    let ev = Event {
                        task: task_id.into(),
                        kind: "log".into(),
                        timestamp: 0,
                        iter: None,
                        body,
                    };
                    s.add_events(&[ev]).await.unwrap();
                }
                PER_CHILD.to_string()
            }
            other => panic!("unknown child action {other}"),
        }
    });
    println!("CHILD-RESULT:{result}");
}
