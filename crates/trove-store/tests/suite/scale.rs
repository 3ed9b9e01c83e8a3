//! Scale: many tasks, paging and counting stay fast.

use super::Env;
use std::time::Instant;
use trove_store::{NewTask, TaskQuery};

/// 10,000 tasks: pages and counts stay fast (indexes), ordering is last_update DESC then id.
pub async fn tasks_query_10k(env: Env) {
    let s = &env.store;
    let pa = s.ensure_project("big/a").await.unwrap().id;
    let pb = s.ensure_project("big/b").await.unwrap().id;
    let t0 = Instant::now();
    let mut handles = Vec::new();
    for w in 0..8 {
        let (s, pa, pb) = (s.clone(), pa.clone(), pb.clone());
        handles.push(tokio::spawn(async move {
            for i in 0..1250 {
                let n = w * 1250 + i;
                let project = if n % 4 == 0 { pa.clone() } else { pb.clone() };
                s.create_task(NewTask {
                    project,
                    name: format!("task {n}"),
                    ..Default::default()
                })
                .await
                .unwrap();
            }
        }));
    }
    for h in handles {
        h.await.unwrap();
    }
    eprintln!(
        "[{}] created 10,000 tasks in {:?}",
        s.engine(),
        t0.elapsed()
    );
    let t1 = Instant::now();
    let all = s.query_tasks(&TaskQuery::default()).await.unwrap();
    assert_eq!(all.len(), 10_000);
    for w in all.windows(2) {
        assert!(
            w[0].last_update > w[1].last_update
                || (w[0].last_update == w[1].last_update && w[0].id < w[1].id),
            "order is last_update DESC then id"
        );
    }
    eprintln!("[{}] listed all in {:?}", s.engine(), t1.elapsed());
    let t2 = Instant::now();
    for page in [0u64, 40, 99] {
        let q = TaskQuery {
            projects: Some(vec![pb.clone()]),
            offset: page * 75,
            limit: 75,
            ..Default::default()
        };
        let got = s.query_tasks(&q).await.unwrap();
        assert_eq!(got.len(), 75);
        let expect: Vec<_> = all
            .iter()
            .filter(|t| t.project == pb)
            .skip((page * 75) as usize)
            .take(75)
            .collect();
        assert_eq!(
            got.iter().map(|t| &t.id).collect::<Vec<_>>(),
            expect.iter().map(|t| &t.id).collect::<Vec<_>>()
        );
    }
    assert_eq!(
        s.count_tasks(&TaskQuery {
            projects: Some(vec![pa.clone()]),
            ..Default::default()
        })
        .await
        .unwrap(),
        2500
    );
    let q = TaskQuery {
        name_contains: Some("TASK 99".into()),
        ..Default::default()
    };
    assert_eq!(s.count_tasks(&q).await.unwrap(), 111); // 99, 990-999, 9900-9999
    let first = s
        .query_tasks(&TaskQuery {
            limit: 20,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        first.iter().map(|t| &t.id).collect::<Vec<_>>(),
        all.iter().take(20).map(|t| &t.id).collect::<Vec<_>>()
    );
    let elapsed = t2.elapsed();
    eprintln!(
        "[{}] 3 pages + 2 counts + 1 search + 1 page in {elapsed:?}",
        s.engine()
    );
    assert!(
        elapsed.as_secs_f64() < 3.0,
        "queries over 10k tasks too slow: {elapsed:?}"
    );
}
