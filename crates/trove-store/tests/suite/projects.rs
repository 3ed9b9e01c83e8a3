//! Projects: uniqueness, nesting, ensure races, updates and renames.

use super::Env;
use serde_json::json;
use trove_store::{NewProject, ProjectUpdate, StoreError};

pub async fn projects_create_get_list(env: Env) {
    let s = &env.store;
    let mut extra = serde_json::Map::new();
    extra.insert("tags".into(), json!(["a", "b"]));
    let p = s
        .create_project(NewProject {
            name: "zeta".into(),
            description: "d".into(),
            default_output_destination: Some("s3://b/x".into()),
            extra: extra.clone(),
        })
        .await
        .unwrap();
    assert!(trove_core::ids::is_id(&p.id));
    assert_eq!(p.created, p.last_update);
    let got = s.get_project(&p.id).await.unwrap().unwrap();
    assert_eq!(got, p);
    assert_eq!(got.extra, extra);
    assert!(
        s.get_project(&trove_core::new_id())
            .await
            .unwrap()
            .is_none()
    );

    let dup = s
        .create_project(NewProject {
            name: "zeta".into(),
            ..Default::default()
        })
        .await;
    assert!(
        matches!(dup, Err(StoreError::Conflict { what: "project", ref name }) if name == "zeta"),
        "{dup:?}"
    );

    // Nested create makes the parents.
    let c = s
        .create_project(NewProject {
            name: "alpha/beta/gamma".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let names: Vec<String> = s
        .list_projects()
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(
        names,
        vec!["alpha", "alpha/beta", "alpha/beta/gamma", "zeta"]
    );
    // A parent that already exists is fine; creating it again explicitly conflicts.
    s.create_project(NewProject {
        name: "alpha/other".into(),
        ..Default::default()
    })
    .await
    .unwrap();
    assert!(matches!(
        s.create_project(NewProject {
            name: "alpha/beta".into(),
            ..Default::default()
        })
        .await,
        Err(StoreError::Conflict { .. })
    ));
    assert_eq!(
        s.get_project(&c.id).await.unwrap().unwrap().name,
        "alpha/beta/gamma"
    );
    // Byte-wise name order on both engines (upper case before lower case, '/' before letters).
    s.ensure_project("Zulu").await.unwrap();
    s.ensure_project("alpha-x").await.unwrap();
    let names: Vec<String> = s
        .list_projects()
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(
        names,
        vec![
            "Zulu",
            "alpha",
            "alpha-x",
            "alpha/beta",
            "alpha/beta/gamma",
            "alpha/other",
            "zeta"
        ]
    );
}

pub async fn projects_ensure_nested(env: Env) {
    let s = &env.store;
    let a = s.ensure_project("a/b/c").await.unwrap();
    assert_eq!(a.name, "a/b/c");
    let again = s.ensure_project("a/b/c").await.unwrap();
    assert_eq!(a.id, again.id);
    let names: Vec<String> = s
        .list_projects()
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(names, vec!["a", "a/b", "a/b/c"]);
    let b = s.ensure_project("a/b").await.unwrap();
    assert_ne!(a.id, b.id);
    assert_eq!(s.list_projects().await.unwrap().len(), 3);
}

pub async fn projects_ensure_race(env: Env) {
    let mut handles = Vec::new();
    for i in 0..16 {
        // Half share the pool, half open their own handle.
        let s = if i % 2 == 0 {
            env.store.clone()
        } else {
            trove_store::open(&env.url).await.unwrap()
        };
        handles.push(tokio::spawn(async move {
            s.ensure_project("x/y/z").await.unwrap().id
        }));
    }
    let mut ids = Vec::new();
    for h in handles {
        ids.push(h.await.unwrap());
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "every caller got the same project");
    let names: Vec<String> = env
        .store
        .list_projects()
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(names, vec!["x", "x/y", "x/y/z"]);
}

pub async fn projects_update_and_rename(env: Env) {
    let s = &env.store;
    let p = s
        .create_project(NewProject {
            name: "old".into(),
            default_output_destination: Some("file:///tmp/x".into()),
            extra: [
                ("keep".to_string(), json!(1)),
                ("drop".to_string(), json!(2)),
            ]
            .into_iter()
            .collect(),
            ..Default::default()
        })
        .await
        .unwrap();
    let child = s.ensure_project("old/child").await.unwrap();
    let grandchild = s.ensure_project("old/child/leaf").await.unwrap();
    let lookalike = s.ensure_project("old-sibling").await.unwrap();
    let u = s
        .update_project(
            &p.id,
            ProjectUpdate {
                name: Some("new/place".into()),
                description: Some("moved".into()),
                default_output_destination: Some(None),
                extra: [
                    ("drop".to_string(), json!(null)),
                    ("add".to_string(), json!("v")),
                ]
                .into_iter()
                .collect(),
            },
        )
        .await
        .unwrap();
    assert_eq!(u.name, "new/place");
    assert_eq!(u.description, "moved");
    assert_eq!(u.default_output_destination, None);
    assert_eq!(u.extra.get("keep"), Some(&json!(1)));
    assert_eq!(u.extra.get("add"), Some(&json!("v")));
    assert!(!u.extra.contains_key("drop"));
    assert!(u.last_update >= p.last_update);
    assert_eq!(s.get_project(&p.id).await.unwrap().unwrap(), u);
    assert_eq!(
        s.get_project(&child.id).await.unwrap().unwrap().name,
        "new/place/child"
    );
    assert_eq!(
        s.get_project(&grandchild.id).await.unwrap().unwrap().name,
        "new/place/child/leaf"
    );
    assert_eq!(
        s.get_project(&lookalike.id).await.unwrap().unwrap().name,
        "old-sibling"
    );
    // The new parent exists.
    assert!(
        s.list_projects()
            .await
            .unwrap()
            .iter()
            .any(|p| p.name == "new")
    );
    // Description-only update leaves the name alone.
    let u2 = s
        .update_project(
            &p.id,
            ProjectUpdate {
                description: Some("again".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (u2.name.as_str(), u2.description.as_str()),
        ("new/place", "again")
    );
    // Renaming onto an existing name conflicts and changes nothing.
    let r = s
        .update_project(
            &p.id,
            ProjectUpdate {
                name: Some("old-sibling".into()),
                ..Default::default()
            },
        )
        .await;
    assert!(matches!(r, Err(StoreError::Conflict { .. })), "{r:?}");
    assert_eq!(
        s.get_project(&p.id).await.unwrap().unwrap().name,
        "new/place"
    );
    let missing = s
        .update_project(&trove_core::new_id(), ProjectUpdate::default())
        .await;
    assert!(matches!(
        missing,
        Err(StoreError::NotFound {
            what: "project",
            ..
        })
    ));
}
