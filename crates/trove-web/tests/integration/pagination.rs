//! 10,000 tasks in a project and 10,000 artifacts in a task: pages come from SQL pagination. Timings are
//! printed (run with `--nocapture`); only correctness is asserted.

use std::time::Instant;
use trove_core::ArtifactRecord;
use trove_store::NewTask;
use trove_web::{WebAuth, WebState};

const N: usize = 10_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_tasks_and_artifacts() {
    let dir = tempfile::tempdir().unwrap();
    let store = crate::common::sqlite_store(dir.path()).await;
    let project = store.ensure_project("big/project").await.unwrap();

    let t0 = Instant::now();
    let mut first = String::new();
    for i in 0..N {
        let t = store
            .create_task(NewTask {
                project: project.id.clone(),
                name: format!("task {i:05}"),
                ..Default::default()
            })
            .await
            .unwrap();
        if i == 0 {
            first = t.id;
        }
    }
    println!("created {N} tasks in {:?}", t0.elapsed());

    let t0 = Instant::now();
    let recs: Vec<ArtifactRecord> = (0..N)
        .map(|i| {
            let mut r = ArtifactRecord::new(
                format!("art {i:05}"),
                if i % 10 == 0 {
                    "data-audit-table"
                } else {
                    "custom"
                },
            );
            r.uri = Some(format!("s3://bucket/a/{i}.bin"));
            r.content_size = Some(i as u64);
            r.hash = Some(format!("{i:064x}"));
            r.display_data = vec![("i".into(), i.to_string())];
            r
        })
        .collect();
    for chunk in recs.chunks(1000) {
        store.upsert_artifacts(&first, chunk).await.unwrap();
    }
    println!("stored {N} artifacts in {:?}", t0.elapsed());

    let state = WebState {
        store: store.clone(),
        config: Default::default(),
        roots: crate::common::roots(None, &[]),
        files_public_url: None,
        auth: WebAuth::Disabled,
    };
    let base = crate::common::serve(state).await;
    let c = reqwest::Client::new();
    let get = |url: String| {
        let c = c.clone();
        async move {
            let t = Instant::now();
            let r = c.get(&url).send().await.unwrap();
            assert_eq!(r.status(), 200, "{url}");
            let body = r.text().await.unwrap();
            (body, t.elapsed())
        }
    };

    // task list: newest first, page 1 and the last page
    let (b, el) = get(format!("{base}/projects/{}", project.id)).await;
    println!("task list page 1: {el:?}, {} bytes", b.len());
    assert!(b.contains("10000 tasks") && b.contains("page 1 of 200"));
    assert_eq!(b.matches(r#"name="t" value=""#).count(), 50);
    let (b, el) = get(format!("{base}/projects/{}?page=200", project.id)).await;
    println!("task list page 200: {el:?}");
    assert!(b.contains("page 200 of 200"));
    assert_eq!(b.matches(r#"name="t" value=""#).count(), 50);
    let (b, el) = get(format!("{base}/projects/{}?q=task%200999", project.id)).await;
    println!("task list filtered: {el:?}");
    assert!(
        b.contains("10 tasks")
            && b.contains("task 09990")
            && b.contains("task 09999")
            && !b.contains("task 00001")
    );
    let (b, el) = get(format!("{base}/projects")).await;
    println!("project tree: {el:?}");
    assert!(b.contains(r#"title="tasks">10000</span>"#));

    // artifacts tab: 100 per page, sorted by key
    let (b, el) = get(format!("{base}/tasks/{first}/artifacts")).await;
    println!("artifacts page 1: {el:?}, {} bytes", b.len());
    assert!(
        b.contains("page 1 of 100")
            && b.contains(">art 00000<")
            && b.contains(">art 00099<")
            && !b.contains(">art 00100<")
    );
    assert_eq!(b.matches(r#"<article class="card artifact""#).count(), 100);
    assert!(b.contains("DATA AUDIT"));
    let (b, el) = get(format!("{base}/tasks/{first}/artifacts?page=73")).await;
    println!("artifacts page 73: {el:?}");
    assert!(b.contains(">art 07200<") && b.contains(">art 07299<") && !b.contains(">art 07199<"));
    assert!(b.contains("<th>I</th><td>7250</td>"));
    let (b, el) = get(format!("{base}/tasks/{first}")).await;
    println!("info tab: {el:?}");
    assert!(b.contains(r#"ARTIFACTS <span class="count">10000</span>"#));
}
