//! The destination forms over HTTP: the CSRF token is per session, refused values change nothing, good ones
//! are saved, and a completed task's destination cannot change.

use std::sync::Arc;
use trove_store::{NewProject, NewTask, StatusChange};
use trove_web::{WebAuth, WebState};

fn token_of(page: &str) -> String {
    let at = page
        .find(r#"name="csrf" value=""#)
        .expect("form has a token")
        + 19;
    page[at..at + 64].to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn destination_forms_check_and_save() {
    let dir = tempfile::tempdir().unwrap();
    let store = crate::common::sqlite_store(dir.path()).await;
    let project = store
        .create_project(NewProject {
            name: "forms".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let new_task = |name: &str| NewTask {
        project: project.id.clone(),
        name: name.into(),
        ..Default::default()
    };
    let draft = store.create_task(new_task("draft")).await.unwrap();
    let done = store.create_task(new_task("done")).await.unwrap();
    store
        .set_status(
            &done.id,
            StatusChange {
                status: trove_core::TaskStatus::Completed,
                message: String::new(),
                reason: String::new(),
                expected: vec![],
            },
        )
        .await
        .unwrap();
    store
        .add_credentials("u", &trove_core::sha256_hex(b"p"))
        .await
        .unwrap();
    let state = WebState {
        store: store.clone(),
        config: trove_core::Config::default(),
        roots: crate::common::roots(None, &[dir.path()]),
        files_public_url: Some(crate::common::FILES_URL.into()),
        auth: WebAuth::enabled(
            b"0123456789abcdef0123456789abcdef".to_vec(),
            Arc::new(crate::common::StoreKeys(store.clone())),
        ),
    };
    let base = crate::common::serve(state).await;
    let c = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let login = c
        .post(format!("{base}/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("access_key=u&secret_key=p")
        .send()
        .await
        .unwrap();
    let cookie = login.headers()["set-cookie"].to_str().unwrap();
    let cookie = cookie.split(';').next().unwrap().to_string();
    let get = |path: String| {
        let (c, cookie) = (c.clone(), cookie.clone());
        async move {
            c.get(path)
                .header("cookie", cookie)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
        }
    };
    let post = |path: String, body: String, origin: Option<String>| {
        let (c, cookie) = (c.clone(), cookie.clone());
        async move {
            let mut r = c
                .post(path)
                .header("cookie", cookie)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body);
            if let Some(o) = origin {
                r = r.header("origin", o);
            }
            let r = r.send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    let enc = trove_web::html::url_encode;
    let page = get(format!("{base}/projects/{}", project.id)).await;
    let token = token_of(&page);
    let settings = format!("{base}/projects/{}/settings", project.id);
    let good = dir.path().join("out");
    std::fs::create_dir_all(&good).unwrap();
    let good_s = good.display().to_string();

    // no token, a wrong token, another origin: 403, nothing saved
    let body = format!("default_output_destination={}", enc(&good_s));
    assert_eq!(post(settings.clone(), body.clone(), None).await.0, 403);
    let wrong = format!("csrf={}&{body}", "0".repeat(64));
    assert_eq!(post(settings.clone(), wrong, None).await.0, 403);
    let with = format!("csrf={token}&{body}");
    let host = base.trim_start_matches("http://");
    let (st, _) = post(
        settings.clone(),
        with.clone(),
        Some("http://evil.example".to_string()),
    )
    .await;
    assert_eq!(st, 403);
    let p = store.get_project(&project.id).await.unwrap().unwrap();
    assert_eq!(p.default_output_destination, None);

    // refused values come back with the message (a missing folder inside the server's allowed storage fails
    // its write test; folders outside it are never touched, see the attack suite)
    let missing = dir.path().join("definitely/not/here").display().to_string();
    for (bad, msg) in [
        ("ftp://h/x", "Unknown scheme"),
        ("rel/dir", "absolute path"),
        (missing.as_str(), "write test failed"),
    ] {
        let b = format!("csrf={token}&default_output_destination={}", enc(bad));
        let (st, page) = post(settings.clone(), b, None).await;
        assert_eq!(st, 422, "{bad}");
        assert!(page.contains(msg), "{bad}: {page}");
        assert!(
            page.contains(&trove_web::html::escape(bad)),
            "typed value shown again"
        );
    }
    assert_eq!(
        store
            .get_project(&project.id)
            .await
            .unwrap()
            .unwrap()
            .default_output_destination,
        None
    );
    // a good one (same-origin Origin header) is saved
    let (st, _) = post(settings.clone(), with, Some(format!("http://{host}"))).await;
    assert_eq!(st, 303);
    let p = store.get_project(&project.id).await.unwrap().unwrap();
    assert_eq!(
        p.default_output_destination.as_deref(),
        Some(good_s.as_str())
    );

    // the draft's destination
    let output = format!("{base}/tasks/{}/output", draft.id);
    let info = get(format!("{base}/tasks/{}", draft.id)).await;
    assert!(info.contains("server default"), "{info}");
    let tok = token_of(&info);
    assert_eq!(tok, token, "one token per session");
    let (st, page) = post(
        output.clone(),
        format!("csrf={tok}&destination={}", enc("gopher://x/y")),
        None,
    )
    .await;
    assert_eq!(st, 422);
    assert!(page.contains("Unknown scheme"));
    let (st, _) = post(
        output.clone(),
        format!("csrf={tok}&destination={}", enc(&good_s)),
        None,
    )
    .await;
    assert_eq!(st, 303);
    let t = store.get_task(&draft.id).await.unwrap().unwrap();
    assert_eq!(t.doc["output"]["destination"], good_s.as_str());
    assert_eq!(t.doc["output"]["destination_source"], "task");
    // (the redirect after saving goes to ?saved=destination)
    let info = get(format!("{base}/tasks/{}?saved=destination", draft.id)).await;
    assert!(info.contains("Output destination saved"), "{info}");
    assert!(info.contains("the task&#39;s own destination"), "{info}");

    // a completed task: no form, and a post is refused
    let info = get(format!("{base}/tasks/{}", done.id)).await;
    assert!(!info.contains("task-destination-form"));
    let (st, page) = post(
        format!("{base}/tasks/{}/output", done.id),
        format!("csrf={tok}&destination={}", enc(&good_s)),
        None,
    )
    .await;
    assert_eq!(st, 422);
    assert!(page.contains("The task is completed"), "{page}");
    let t = store.get_task(&done.id).await.unwrap().unwrap();
    assert!(t.doc.get("output").is_none());
}
