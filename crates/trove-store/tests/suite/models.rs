//! `ModelStore`: models created, read, edited atomically, queried, deleted; frameworks; tasks that mention a
//! model; concurrent edits of one model.

use super::{Env, task};
use serde_json::{Map, json};
use std::collections::BTreeSet;
use trove_store::{ModelEdit, ModelQuery, NewModel, SharedStore, StoreError};

fn doc(v: serde_json::Value) -> Map<String, serde_json::Value> {
    v.as_object().cloned().unwrap_or_default()
}

async fn model(
    s: &SharedStore,
    name: &str,
    project: Option<&str>,
    framework: Option<&str>,
) -> trove_store::Model {
    s.create_model(NewModel {
        name: name.into(),
        project: project.map(str::to_string),
        uri: format!("file:///{name}.bin"),
        framework: framework.map(str::to_string),
        doc: doc(json!({"tags": ["b"], "labels": {"cat": 1}})),
        ..Default::default()
    })
    .await
    .unwrap()
}

pub async fn models_create_get_edit(env: Env) {
    let s = &env.store;
    let t = task(s, "models", "trainer").await;
    let m = s
        .create_model(NewModel {
            name: "weights ✓".into(),
            project: Some(t.project.clone()),
            task: Some(t.id.clone()),
            parent: None,
            uri: "http://files/w.bin".into(),
            framework: Some("PyTorch".into()),
            ready: false,
            doc: doc(json!({"comment": "c", "metadata": {"a": {"key": "a", "type": "str", "value": "1"}}})),
        })
        .await
        .unwrap();
    assert_eq!(m.id.len(), 32);
    assert_eq!((m.created, m.created), (m.last_update, m.last_change));
    assert_eq!(s.get_model(&m.id).await.unwrap().as_ref(), Some(&m));
    assert_eq!(s.get_model("nope").await.unwrap(), None);

    // Every kind of change at once; a document null removes the field.
    let mut md = Map::new();
    md.insert("b".into(), json!({"key": "b", "type": "int", "value": "2"}));
    let e = s
        .edit_model(
            &m.id,
            ModelEdit {
                name: Some("renamed".into()),
                task: Some(Some("__DELETED__x".into())),
                parent: Some(Some("p".into())),
                uri: Some("s3://b/w.bin".into()),
                framework: Some(None),
                ready: Some(true),
                doc: doc(json!({"comment": null, "design": {"design": "x"}})),
                metadata_set: md,
                metadata_remove: vec!["a".into()],
                add_tags: vec!["z".into(), "a".into(), "a".into()],
                add_system_tags: vec!["archived".into()],
                last_iteration_max: Some(7),
                touch: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(e.name, "renamed");
    assert_eq!(e.task.as_deref(), Some("__DELETED__x"));
    assert_eq!(e.parent.as_deref(), Some("p"));
    assert_eq!(
        (e.uri.as_str(), e.framework.as_deref(), e.ready),
        ("s3://b/w.bin", None, true)
    );
    assert!(!e.doc.contains_key("comment"));
    assert_eq!(e.doc["design"], json!({"design": "x"}));
    assert_eq!(
        e.doc["metadata"],
        json!({"b": {"key": "b", "type": "int", "value": "2"}})
    );
    assert_eq!(e.doc_strings("tags"), ["a", "z"]);
    assert_eq!(e.doc_strings("system_tags"), ["archived"]);
    assert_eq!(e.doc["last_iteration"], 7);
    assert!(e.last_update >= m.last_update && e.last_change >= m.last_change);
    assert_eq!(
        s.get_model(&m.id).await.unwrap().as_ref(),
        Some(&e),
        "stored as returned"
    );

    // Without touch only last_change moves; a lower iteration does not lower it; removals.
    let f = s
        .edit_model(
            &m.id,
            ModelEdit {
                remove_tags: vec!["z".into()],
                remove_system_tags: vec!["archived".into()],
                last_iteration_max: Some(3),
                project: Some(None),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(f.last_update, e.last_update);
    assert_eq!(f.doc_strings("tags"), ["a"]);
    assert!(f.doc_strings("system_tags").is_empty());
    assert_eq!(f.doc["last_iteration"], 7);
    assert_eq!(f.project, None);

    match s.edit_model("missing", ModelEdit::default()).await {
        Err(StoreError::NotFound { what: "model", id }) => assert_eq!(id, "missing"),
        other => panic!("{other:?}"),
    }
    assert!(s.delete_model(&m.id).await.unwrap());
    assert!(!s.delete_model(&m.id).await.unwrap());
    assert_eq!(s.get_model(&m.id).await.unwrap(), None);
    // A model outlives its task and project (no foreign keys).
    let m2 = model(s, "orphan", Some("no-such-project"), None).await;
    s.delete_task(&t.id).await.unwrap();
    assert!(s.get_model(&m2.id).await.unwrap().is_some());
}

pub async fn models_query(env: Env) {
    let s = &env.store;
    let mut made = Vec::new();
    for i in 0..12 {
        let project = if i % 2 == 0 { "p1" } else { "p2" };
        let fw = match i % 3 {
            0 => Some("TensorFlow"),
            1 => Some("PyTorch"),
            _ => None,
        };
        let m = model(s, &format!("m{i:02}"), Some(project), fw).await;
        if i % 4 == 0 {
            s.edit_model(
                &m.id,
                ModelEdit {
                    ready: Some(true),
                    task: Some(Some("t1".into())),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        }
        made.push(m);
    }
    let all = s.query_models(&ModelQuery::default()).await.unwrap();
    assert_eq!(all.len(), 12);
    assert!(
        all.windows(2)
            .all(|w| (std::cmp::Reverse(w[0].created), &w[0].id)
                <= (std::cmp::Reverse(w[1].created), &w[1].id)),
        "newest first, then by id"
    );
    assert_eq!(s.count_models(&ModelQuery::default()).await.unwrap(), 12);
    let q = |f: fn(&mut ModelQuery)| {
        let mut q = ModelQuery::default();
        f(&mut q);
        q
    };
    let names = |v: Vec<trove_store::Model>| v.into_iter().map(|m| m.name).collect::<BTreeSet<_>>();
    let p1 = q(|q| q.projects = Some(vec!["p1".into()]));
    assert_eq!(s.query_models(&p1).await.unwrap().len(), 6);
    assert_eq!(s.count_models(&p1).await.unwrap(), 6);
    let ready = q(|q| q.ready = Some(true));
    assert_eq!(
        names(s.query_models(&ready).await.unwrap()),
        ["m00", "m04", "m08"]
            .iter()
            .map(|x| x.to_string())
            .collect()
    );
    let by_task = q(|q| q.tasks = Some(vec!["t1".into()]));
    assert_eq!(s.query_models(&by_task).await.unwrap().len(), 3);
    let fw = q(|q| q.frameworks = Some(vec!["PyTorch".into()]));
    assert_eq!(s.query_models(&fw).await.unwrap().len(), 4);
    let uri = ModelQuery {
        uris: Some(vec!["file:///m03.bin".into()]),
        ..Default::default()
    };
    assert_eq!(
        names(s.query_models(&uri).await.unwrap()),
        ["m03".to_string()].into()
    );
    let ids = ModelQuery {
        ids: Some(vec![made[5].id.clone(), made[6].id.clone()]),
        ..Default::default()
    };
    assert_eq!(s.query_models(&ids).await.unwrap().len(), 2);
    let none = q(|q| q.ids = Some(vec![]));
    assert!(
        s.query_models(&none).await.unwrap().is_empty(),
        "an empty list matches nothing"
    );
    let page = ModelQuery {
        offset: 10,
        limit: 5,
        ..Default::default()
    };
    assert_eq!(s.query_models(&page).await.unwrap().len(), 2);
    assert_eq!(
        s.model_frameworks(None).await.unwrap(),
        ["PyTorch".to_string(), "TensorFlow".to_string()]
    );
    assert_eq!(
        s.model_frameworks(Some(&["p2".to_string()])).await.unwrap(),
        ["PyTorch".to_string(), "TensorFlow".to_string()]
    );
    assert!(
        s.model_frameworks(Some(&["zz".to_string()]))
            .await
            .unwrap()
            .is_empty()
    );

    // Tasks that mention a model id in their document (the caller checks where).
    let t = task(s, "users", "uses a model").await;
    let other = task(s, "users", "does not").await;
    let mut d = Map::new();
    d.insert(
        "models".into(),
        json!({"input": [{"name": "w", "model": made[0].id}], "output": []}),
    );
    s.edit_task(
        &t.id,
        trove_store::TaskEdit {
            doc: d,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let found: Vec<String> = s
        .tasks_mentioning(&made[0].id)
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.id)
        .collect();
    assert_eq!(found, vec![t.id.clone()]);
    assert!(!found.contains(&other.id));
    assert!(
        s.tasks_mentioning("a_%").await.unwrap().is_empty(),
        "LIKE wildcards are literal"
    );
}

pub async fn models_concurrent_edits(env: Env) {
    let m = model(&env.store, "shared", None, None).await;
    let mut handles = Vec::new();
    for i in 0..16 {
        let s = env.store.clone();
        let id = m.id.clone();
        handles.push(tokio::spawn(async move {
            let mut md = Map::new();
            md.insert(
                format!("k{i}"),
                json!({"key": format!("k{i}"), "type": "str", "value": "v"}),
            );
            s.edit_model(
                &id,
                ModelEdit {
                    add_tags: vec![format!("t{i}")],
                    metadata_set: md,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        }));
    }
    for h in handles {
        h.await.unwrap();
    }
    let m = env.store.get_model(&m.id).await.unwrap().unwrap();
    assert_eq!(
        m.doc_strings("tags").len(),
        17,
        "every writer's tag landed: {:?}",
        m.doc
    );
    assert_eq!(m.doc["metadata"].as_object().unwrap().len(), 16);
}
