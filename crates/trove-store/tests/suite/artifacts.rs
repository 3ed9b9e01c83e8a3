//! Artifacts: upsert semantics, listing, paging, deletion, counts; versions.

use super::{Env, rec, task};
use trove_core::{ArtifactVersion, TypeData, UploadState};
use trove_store::StoreError;

pub async fn artifacts_upsert_semantics(env: Env) {
    let s = &env.store;
    let t = task(s, "art", "t").await;
    let mut full = rec("table", "pandas", "s3://b/table.csv.gz");
    full.type_data = TypeData {
        preview: Some("a,b\n1,2".into()),
        content_type: Some("text/csv".into()),
        data_hash: Some("dh".into()),
    };
    full.display_data = vec![("rows".into(), "2".into()), ("z".into(), "last".into())];
    full.state = UploadState::Uploading;
    full.error = Some("not yet".into());
    full.content_size = Some(u32::MAX as u64 * 4);
    let n = s
        .upsert_artifacts(&t.id, &[full.clone(), rec("b", "custom", "u-b")])
        .await
        .unwrap();
    assert_eq!(n, 2);
    assert_eq!(
        s.get_artifact(&t.id, "table", "output")
            .await
            .unwrap()
            .unwrap(),
        full,
        "full record round-trips"
    );
    let after_first = s.get_task(&t.id).await.unwrap().unwrap().last_update;
    assert!(after_first >= t.last_update);

    // Same key replaces; other keys are untouched; the input mode is a separate row.
    let mut replaced = rec("table", "pandas", "s3://b/v2.csv.gz");
    replaced.state = UploadState::Ready;
    let mut input = rec("table", "custom", "in-uri");
    input.mode = "input".into();
    s.upsert_artifacts(&t.id, &[replaced.clone(), input.clone()])
        .await
        .unwrap();
    let list = s.list_artifacts(&t.id).await.unwrap();
    assert_eq!(
        list,
        vec![rec("b", "custom", "u-b"), input.clone(), replaced.clone()]
    );
    assert!(
        s.get_task(&t.id).await.unwrap().unwrap().last_update > after_first,
        "upsert bumps last_update"
    );
    assert!(
        s.get_artifact(&t.id, "nope", "output")
            .await
            .unwrap()
            .is_none()
    );
    assert!(s.get_artifact(&t.id, "b", "input").await.unwrap().is_none());

    // Duplicates within one call: the last wins.
    let n = s
        .upsert_artifacts(
            &t.id,
            &[rec("d", "custom", "first"), rec("d", "custom", "second")],
        )
        .await
        .unwrap();
    assert_eq!(n, 2);
    assert_eq!(
        s.get_artifact(&t.id, "d", "output")
            .await
            .unwrap()
            .unwrap()
            .uri
            .as_deref(),
        Some("second")
    );
    assert_eq!(s.upsert_artifacts(&t.id, &[]).await.unwrap(), 0);

    let r = s
        .upsert_artifacts("missing", &[rec("x", "custom", "u")])
        .await;
    assert!(
        matches!(r, Err(StoreError::NotFound { what: "task", .. })),
        "{r:?}"
    );
    assert!(s.list_artifacts("missing").await.unwrap().is_empty());
}

pub async fn artifacts_paging_and_counts(env: Env) {
    let s = &env.store;
    let t = task(s, "page", "t").await;
    let u = task(s, "page", "u").await;
    let records: Vec<_> = (0..1000)
        .rev()
        .map(|i| rec(&format!("k{i:04}"), "custom", &format!("u{i}")))
        .collect();
    s.upsert_artifacts(&t.id, &records).await.unwrap();
    s.upsert_artifacts(&u.id, &records[..3]).await.unwrap();
    let all = s.list_artifacts(&t.id).await.unwrap();
    assert_eq!(all.len(), 1000);
    assert!(all.windows(2).all(|w| w[0].key < w[1].key));
    let page = s.list_artifacts_page(&t.id, 990, 20).await.unwrap();
    assert_eq!(
        page.iter().map(|r| r.key.clone()).collect::<Vec<_>>(),
        (990..1000).map(|i| format!("k{i:04}")).collect::<Vec<_>>()
    );
    let page = s.list_artifacts_page(&t.id, 100, 3).await.unwrap();
    assert_eq!(page, all[100..103].to_vec());
    assert_eq!(
        s.list_artifacts_page(&t.id, 0, 0).await.unwrap().len(),
        1000,
        "limit 0 = all"
    );
    let counts = s
        .count_artifacts(&[u.id.clone(), t.id.clone(), "none".into(), u.id.clone()])
        .await
        .unwrap();
    assert_eq!(
        counts,
        vec![
            (u.id.clone(), 3),
            (t.id.clone(), 1000),
            ("none".to_string(), 0)
        ]
    );
    assert!(s.count_artifacts(&[]).await.unwrap().is_empty());
}

fn ver(n: u32) -> ArtifactVersion {
    ArtifactVersion {
        version: n,
        timestamp: 1_700_000_000 + n as i64,
        hash: format!("h{n}"),
        content_size: 10 * n as u64,
        uri: format!("file:///v{n}"),
        data_hash: n.is_multiple_of(2).then(|| format!("d{n}")),
    }
}

pub async fn artifacts_delete(env: Env) {
    let s = &env.store;
    let t = task(s, "adel", "t").await;
    let mut input_a = rec("a", "custom", "in");
    input_a.mode = "input".into();
    s.upsert_artifacts(
        &t.id,
        &[
            rec("a", "custom", "a"),
            rec("b", "custom", "b"),
            rec("c", "custom", "c"),
            input_a,
        ],
    )
    .await
    .unwrap();
    for n in 1..=2 {
        s.add_version(&t.id, "a", &ver(n)).await.unwrap();
        s.add_version(&t.id, "b", &ver(n)).await.unwrap();
    }
    let before = s.get_task(&t.id).await.unwrap().unwrap().last_update;
    let gone = s
        .delete_artifacts(
            &t.id,
            &[
                ("b".into(), "output".into()),
                ("a".into(), "output".into()),
                ("zzz".into(), "output".into()),
            ],
        )
        .await
        .unwrap();
    assert_eq!(
        gone.iter()
            .map(|r| r.uri.clone().unwrap())
            .collect::<Vec<_>>(),
        vec!["b", "a"]
    );
    let left: Vec<_> = s
        .list_artifacts(&t.id)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.key, r.mode))
        .collect();
    assert_eq!(
        left,
        vec![
            ("a".to_string(), "input".to_string()),
            ("c".to_string(), "output".to_string())
        ]
    );
    assert!(
        s.list_versions(&t.id, "b").await.unwrap().is_empty(),
        "versions of a deleted key are dropped"
    );
    assert_eq!(
        s.list_versions(&t.id, "a").await.unwrap().len(),
        2,
        "key a still has its input artifact"
    );
    assert!(s.get_task(&t.id).await.unwrap().unwrap().last_update > before);
    assert!(
        s.delete_artifacts(&t.id, &[("zzz".into(), "output".into())])
            .await
            .unwrap()
            .is_empty()
    );
    let gone = s
        .delete_artifacts(&t.id, &[("a".into(), "input".into())])
        .await
        .unwrap();
    assert_eq!(gone.len(), 1);
    assert!(s.list_versions(&t.id, "a").await.unwrap().is_empty());
    let r = s
        .delete_artifacts("missing", &[("a".into(), "output".into())])
        .await;
    assert!(
        matches!(r, Err(StoreError::NotFound { what: "task", .. })),
        "{r:?}"
    );
}

pub async fn versions_in_order(env: Env) {
    let s = &env.store;
    let t = task(s, "ver", "t").await;
    let conflict =
        |r: Result<(), StoreError>| assert!(matches!(r, Err(StoreError::Conflict { .. })), "{r:?}");
    conflict(s.add_version(&t.id, "k", &ver(2)).await);
    conflict(s.add_version(&t.id, "k", &ver(0)).await);
    for n in 1..=3 {
        s.add_version(&t.id, "k", &ver(n)).await.unwrap();
    }
    conflict(s.add_version(&t.id, "k", &ver(3)).await);
    conflict(s.add_version(&t.id, "k", &ver(5)).await);
    s.add_version(&t.id, "other", &ver(1)).await.unwrap();
    assert_eq!(
        s.list_versions(&t.id, "k").await.unwrap(),
        vec![ver(1), ver(2), ver(3)]
    );
    assert_eq!(s.list_versions(&t.id, "other").await.unwrap(), vec![ver(1)]);
    assert!(s.list_versions(&t.id, "none").await.unwrap().is_empty());
    let r = s.add_version("missing", "k", &ver(1)).await;
    assert!(
        matches!(r, Err(StoreError::NotFound { what: "task", .. })),
        "{r:?}"
    );

    // Racing writers of the same next version: exactly one wins.
    let mut handles = Vec::new();
    for _ in 0..8 {
        let (s, id) = (s.clone(), t.id.clone());
        handles.push(tokio::spawn(async move {
            s.add_version(&id, "k", &ver(4)).await
        }));
    }
    let mut ok = 0;
    for h in handles {
        match h.await.unwrap() {
            Ok(()) => ok += 1,
            Err(StoreError::Conflict { .. }) => {}
            Err(e) => panic!("unexpected error {e}"),
        }
    }
    assert_eq!(ok, 1);
    assert_eq!(s.list_versions(&t.id, "k").await.unwrap().len(), 4);
}
