//! Every page and fragment, rendered through the real router over a real SQLite store and files folder, with
//! hostile text in every place a user, a client or a stored file can put text: project and task names,
//! descriptions, the task document, artifact keys, types, modes, URIs, hashes, metadata, recorded previews,
//! upload errors, console lines, CSV cells, JSON, ZIP entry names, NPZ member names, metric and variant names,
//! models (names, frameworks, tags, metadata, comments, weights URIs, the task's names for them, missing model
//! ids, their own scalars' metric and variant names), form values, URLs that
//! end up in error messages and the login page's `next`. No payload may reach a page unescaped, and each page must
//! show the escaped text where the payload belongs.

use std::io::Write;
use trove_core::{ArtifactRecord, ArtifactVersion, TaskStatus, UploadState};
use trove_store::{NewModel, NewProject, NewTask, StatusChange, TaskEdit};
use trove_web::html::url_encode;
use trove_web::{WebAuth, WebState};

/// Payload `i`: markup, an attribute breakout, a single quote and an ampersand.
fn payload(i: usize) -> String {
    format!(r#"<script>alert({i})</script>"onmouseover=alert({i})'&x{i}"#)
}

/// Payload `i` as escaped HTML, written out here rather than computed by the crate under test.
fn escaped(i: usize) -> String {
    format!("&lt;script&gt;alert({i})&lt;/script&gt;&quot;onmouseover=alert({i})&#39;&amp;x{i}")
}

/// Payloads used in this test.
const N: usize = 54;

/// Nothing of any payload appears unescaped: no `<script>`, no attribute breakout, no raw quote or `&`.
fn assert_inert(what: &str, page: &str) {
    for bad in ["<script>alert", "\"onmouseover"] {
        assert!(!page.contains(bad), "{what}: unescaped {bad:?} in\n{page}");
    }
    for i in 0..N {
        for bad in [format!("alert({i})'"), format!("'&x{i}"), format!("&x{i}")] {
            assert!(!page.contains(&bad), "{what}: unescaped {bad:?} in\n{page}");
        }
    }
}

/// The page is inert and shows payload `i` escaped, for each `i` of `shown`.
fn assert_escaped(what: &str, page: &str, shown: &[usize]) {
    assert_inert(what, page);
    for &i in shown {
        assert!(
            page.contains(&escaped(i)),
            "{what}: payload {i} not shown escaped in\n{page}"
        );
    }
}

/// A one-dimensional int64 `.npy` file.
fn npy(values: &[i64]) -> Vec<u8> {
    let mut header = format!(
        "{{'descr': '<i8', 'fortran_order': False, 'shape': ({},), }}",
        values.len()
    );
    let pad = (64 - (10 + header.len() + 1) % 64) % 64;
    header.push_str(&" ".repeat(pad));
    header.push('\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend((header.len() as u16).to_le_bytes());
    out.extend(header.as_bytes());
    for v in values {
        out.extend(v.to_le_bytes());
    }
    out
}

/// A ZIP archive (stored, not compressed) of `(name, bytes)` entries.
fn zip_of(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, bytes) in entries {
        z.start_file(name.as_str(), opts).unwrap();
        z.write_all(bytes).unwrap();
    }
    z.finish().unwrap().into_inner()
}

/// Store `bytes` in the files storage at `key`; a ready record for it.
fn stored_artifact(
    objects: &std::sync::Arc<dyn object_store::ObjectStore>,
    tmp: &std::path::Path,
    key: &str,
    file: &str,
    bytes: &[u8],
) -> ArtifactRecord {
    let src = tmp.join(file);
    std::fs::write(&src, bytes).unwrap();
    let (uri, size, hash) = crate::common::put_file(objects, &format!("h/{file}"), &src);
    crate::common::record(
        key,
        "custom",
        &uri,
        size,
        &hash,
        "application/octet-stream",
        "p",
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_text_is_escaped_on_every_page() {
    let dir = tempfile::tempdir().unwrap();
    let store = crate::common::sqlite_store(dir.path()).await;
    let (objects, prefix, _) = crate::common::files_storage(dir.path());
    let p = payload;

    // project: name, description, default destination
    let project = store
        .create_project(NewProject {
            name: p(1),
            description: p(2),
            default_output_destination: Some(p(3)),
            ..Default::default()
        })
        .await
        .unwrap();
    // task: name, type, document (comment, tags, hyperparameter name and value, a long diff), status message
    let mut doc = serde_json::Map::new();
    doc.insert("comment".into(), p(6).into());
    doc.insert("tags".into(), serde_json::json!([p(7)]));
    doc.insert(
        "hyperparams".into(),
        serde_json::json!({"Args": {p(8): {"section": "Args", "name": p(8), "value": p(9)}}}),
    );
    doc.insert(
        "script".into(),
        serde_json::json!({"diff": format!("--- a\n+++ b\n{}", p(10))}),
    );
    let task = store
        .create_task(NewTask {
            project: project.id.clone(),
            name: p(4),
            kind: p(5),
            doc,
        })
        .await
        .unwrap();
    store
        .set_status(
            &task.id,
            StatusChange {
                status: TaskStatus::InProgress,
                message: p(35),
                reason: String::new(),
                expected: vec![],
            },
        )
        .await
        .unwrap();
    let t = task.id.clone();

    // artifacts
    let mut text = ArtifactRecord::new(p(11), p(12));
    text.uri = Some(format!("file:///tmp/{}.txt", p(17)));
    text.hash = Some(p(16));
    text.display_data = vec![(p(13), p(14))];
    text.type_data.preview = Some(p(15));
    let mut failed = ArtifactRecord::new("failed", "custom");
    failed.state = UploadState::Failed;
    failed.error = Some(p(18));
    let mut input = ArtifactRecord::new("input", "custom");
    input.mode = p(27);
    input.type_data.preview = Some("input preview".into());
    let tmp = dir.path().join("src");
    std::fs::create_dir_all(&tmp).unwrap();
    let csv = format!("idx,{}\nr0,{}\n", p(21), p(22));
    let table = stored_artifact(&objects, &tmp, "table", "table.csv", csv.as_bytes());
    let json = serde_json::to_vec(&serde_json::json!({"k": p(23)})).unwrap();
    let json = stored_artifact(&objects, &tmp, "json", "data.json", &json);
    let zip = zip_of(&[(p(24), b"abc".to_vec())]);
    let zip = stored_artifact(&objects, &tmp, "zip", "files.zip", &zip);
    let npz = zip_of(&[(format!("{}.npy", p(25)), npy(&[1, 2, 3]))]);
    let npz = stored_artifact(&objects, &tmp, "npz", "arrays.npz", &npz);
    let image = stored_artifact(&objects, &tmp, &p(34), "image.png", b"not really a png");
    let mut audit = ArtifactRecord::new("audit", "data-audit-table");
    audit.type_data.preview = Some("audit".into());
    store
        .upsert_artifacts(
            &t,
            &[text, failed, input, table, json, zip, npz, image, audit],
        )
        .await
        .unwrap();
    let version = ArtifactVersion {
        version: 1,
        timestamp: 1_795_663_639,
        hash: p(26),
        content_size: 3,
        uri: format!("s3://bucket/{}.csv", p(28)),
        data_hash: None,
    };
    store.add_version(&t, "audit", &version).await.unwrap();
    // console
    store
        .add_events(&[trove_store::Event {
            task: t.clone(),
            kind: "log".into(),
            timestamp: 1_795_663_639_000,
            iter: None,
            body: serde_json::json!({"level": p(19), "msg": p(20), "timestamp": 1_795_663_639_000i64}),
        }])
        .await
        .unwrap();
    // models: one with every text field hostile and weights outside the roots, one with a CSV inside them, and
    // a reference to a model the store does not have
    let hostile_model = store
        .create_model(NewModel {
            name: p(40),
            task: Some(t.clone()),
            uri: format!("file:///tmp/{}.bin", p(48)),
            framework: Some(p(41)),
            doc: serde_json::json!({
                "tags": [p(42)], "comment": p(46),
                "metadata": {p(43): {"key": p(43), "type": p(45), "value": p(44)}},
            })
            .as_object()
            .cloned()
            .unwrap_or_default(),
            ..Default::default()
        })
        .await
        .unwrap();
    let weights = stored_artifact(
        &objects,
        &tmp,
        "weights",
        "weights.csv",
        format!("idx,{}\nr0,1\n", p(43)).as_bytes(),
    );
    let csv_model = store
        .create_model(NewModel {
            name: "csv weights".into(),
            uri: weights.uri.clone().unwrap_or_default(),
            ready: true,
            ..Default::default()
        })
        .await
        .unwrap();
    let mut models_doc = serde_json::Map::new();
    models_doc.insert(
        "models".into(),
        serde_json::json!({
            "input": [{"name": "missing", "model": p(49)}, {"name": "csv", "model": csv_model.id}],
            "output": [{"name": p(47), "model": hostile_model.id}],
        }),
    );
    store
        .edit_task(
            &t,
            TaskEdit {
                doc: models_doc,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    // a scalar whose metric and variant names are hostile (the INFO tab's SCALARS card)
    store
        .write_events(&trove_store::metrics::EventBatch {
            events: vec![trove_store::metrics::NewEvent {
                task: t.clone(),
                kind: "training_stats_scalar".into(),
                timestamp: 1_795_663_639_000,
                iter: Some(3),
                metric: p(50),
                variant: p(51),
                value: Some(0.5),
                key: Some("k".into()),
                x_axis_label: None,
                body: serde_json::json!({"metric": p(50), "variant": p(51), "value": 0.5}),
            }],
            iterations: Default::default(),
        })
        .await
        .unwrap();
    // the hostile model's own scalar (a model event) with hostile metric and variant names (the MODELS tab)
    store
        .write_events(&trove_store::metrics::EventBatch {
            events: vec![trove_store::metrics::NewEvent {
                task: hostile_model.id.clone(),
                kind: "training_stats_scalar".into(),
                timestamp: 1_795_663_639_000,
                iter: Some(7),
                metric: p(52),
                variant: p(53),
                value: Some(0.25),
                key: Some("model k".into()),
                x_axis_label: None,
                body: serde_json::json!({"metric": p(52), "variant": p(53), "value": 0.25, "model_event": true}),
            }],
            iterations: [(hostile_model.id.clone(), 7)].into_iter().collect(),
        })
        .await
        .unwrap();
    // a second task to compare with
    let other = store
        .create_task(NewTask {
            project: project.id.clone(),
            name: p(29),
            kind: "training".into(),
            doc: Default::default(),
        })
        .await
        .unwrap();
    let mut other_art = ArtifactRecord::new(p(11), "other kind");
    other_art.display_data = vec![(p(30), p(31))];
    store
        .upsert_artifacts(&other.id, &[other_art])
        .await
        .unwrap();

    let state = WebState {
        store: store.clone(),
        config: trove_core::Config::default(),
        roots: crate::common::roots(Some((objects, prefix)), &[]),
        files_public_url: Some(crate::common::FILES_URL.into()),
        auth: WebAuth::Disabled,
    };
    let base = crate::common::serve(state.clone()).await;
    let c = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let get = |path: String, status: u16| {
        let c = c.clone();
        let base = base.clone();
        async move {
            let r = c.get(format!("{base}{path}")).send().await.unwrap();
            assert_eq!(r.status().as_u16(), status, "GET {path}");
            r.text().await.unwrap()
        }
    };
    let pid = url_encode(&project.id);

    // the project tree splits names at `/`: the part before `</script>` is a leaf
    let page = get("/projects".into(), 200).await;
    assert_inert("projects", &page);
    assert!(page.contains("&lt;script&gt;alert(1)&lt;"), "{page}");

    let page = get(format!("/projects/{pid}"), 200).await;
    assert_escaped("project", &page, &[1, 2, 3, 4, 29]);
    let page = get(format!("/projects/{pid}?q={}", url_encode(&p(4))), 200).await;
    assert_escaped("project filtered by name", &page, &[1, 4]);
    let page = get(
        format!("/projects/{pid}?status={}", url_encode(&p(32))),
        400,
    )
    .await;
    assert_inert("unknown status", &page);
    assert!(
        page.contains("&lt;script&gt;alert(32)&lt;/script&gt;"),
        "{page}"
    );

    let page = get(format!("/tasks/{t}"), 200).await;
    assert_escaped("info", &page, &[1, 4, 5, 6, 7, 8, 9, 10, 35, 50, 51]);
    assert!(
        page.contains(r#"<section class="card" id="scalars"><h2>SCALARS</h2>"#),
        "{page}"
    );
    assert!(page.contains(r#"<pre class="mono scroll">--- a"#), "{page}");

    let page = get(format!("/tasks/{t}/artifacts"), 200).await;
    assert_escaped(
        "artifacts",
        &page,
        &[1, 4, 11, 12, 14, 16, 17, 18, 26, 27, 34],
    );
    // metadata keys are upper-cased: `<SCRIPT>ALERT(13)…`
    assert!(page.contains("&lt;SCRIPT&gt;ALERT(13)&lt;/SCRIPT&gt;&quot;ONMOUSEOVER"));
    assert!(page.contains(&format!(r#"data-copy="file:///tmp/{}.txt""#, escaped(17))));

    let page = get(format!("/tasks/{t}/console"), 200).await;
    assert_escaped("console", &page, &[4, 19, 20]);

    let page = get(format!("/tasks/{t}/models"), 200).await;
    assert_escaped(
        "models",
        &page,
        &[4, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 52, 53],
    );
    assert!(
        page.contains("<th>LAST ITERATION</th><td>7</td>")
            && page.contains(r#"<td class="num">0.25</td>"#),
        "the model's own scalar and last iteration are shown:\n{page}"
    );
    let mid = url_encode(&hostile_model.id);
    let page = get(format!("/models/{mid}/preview"), 200).await;
    assert_escaped("model outside the roots", &page, &[48]);
    let page = get(format!("/models/{mid}/file"), 502).await;
    assert_inert("weights outside the roots", &page);
    let cid = url_encode(&csv_model.id);
    assert!(
        page_has_download(&get(format!("/tasks/{t}/models"), 200).await, &cid),
        "download link of the readable model"
    );
    let page = get(format!("/models/{cid}/preview"), 200).await;
    assert_escaped("model csv preview", &page, &[43]);
    let bytes = get(format!("/models/{cid}/file?download"), 200).await;
    assert_eq!(bytes, format!("idx,{}\nr0,1\n", p(43)));
    let page = get(format!("/models/{}/preview", url_encode(&p(49))), 404).await;
    assert_escaped("missing model", &page, &[49]);

    let page = get(format!("/compare?tasks={t},{}", other.id), 200).await;
    assert_escaped("compare", &page, &[4, 11, 14, 29, 30, 31]);
    assert!(page.contains(&format!(r#"data-key="{}""#, escaped(11))));

    // preview fragments
    let prev = |key: &str, q: &str| format!("/preview/{t}/{}?mode=output{q}", url_encode(key));
    let page = get(prev(&p(11), ""), 200).await;
    assert_escaped("stored preview", &page, &[15]);
    let page = get(prev("failed", ""), 200).await;
    assert_escaped("failed upload", &page, &[18]);
    let page = get(
        format!("/preview/{t}/input?mode={}", url_encode(&p(27))),
        200,
    )
    .await;
    assert_inert("input artifact", &page);
    let page = get(prev("table", ""), 200).await;
    assert_escaped("csv", &page, &[21, 22]);
    assert!(
        page.contains(&format!("<th>{}</th>", escaped(21))),
        "{page}"
    );
    let page = get(prev("json", ""), 200).await;
    assert_inert("json", &page);
    // JSON escapes the quote with a backslash, which then shows as text
    assert!(
        page.contains(&escaped(23).replace("&quot;", "\\&quot;")),
        "{page}"
    );
    let page = get(prev("zip", ""), 200).await;
    assert_escaped("zip", &page, &[24]);
    let page = get(prev("npz", ""), 200).await;
    assert_escaped("npz", &page, &[25]);
    assert!(page.contains("[1, 2, 3]"), "{page}");
    let page = get(prev(&p(34), ""), 200).await;
    assert_inert("image", &page);
    assert!(page.contains(&format!(r#"src="/files/{t}/{}""#, url_encode(&p(34)))));
    let page = get(prev("audit", "&version=1"), 200).await;
    assert_inert("version", &page);
    assert!(page.contains("version 1"), "{page}");

    // error pages carry the hostile part of the request
    let page = get(format!("/tasks/{}", url_encode(&p(33))), 404).await;
    assert_escaped("missing task", &page, &[33]);
    let page = get(format!("/compare?tasks={t},{}", url_encode(&p(36))), 404).await;
    assert_escaped("compare with a missing task", &page, &[36]);
    let page = get(prev(&p(37), ""), 404).await;
    assert_inert("missing artifact", &page);
    assert!(
        page.contains("&lt;script&gt;alert(37)&lt;/script&gt;"),
        "{page}"
    );
    let page = get(format!("/{}", url_encode(&p(38))), 404).await;
    assert_inert("unknown path", &page);

    // refused form values come back in the message and in the input
    let page = get(format!("/projects/{pid}"), 200).await;
    let at = page.find(r#"name="csrf" value=""#).unwrap() + 19;
    let token = page[at..at + 64].to_string();
    for (path, field, i) in [
        (
            format!("/projects/{pid}/settings"),
            "default_output_destination",
            39,
        ),
        (format!("/tasks/{t}/output"), "destination", 39),
    ] {
        let r = c
            .post(format!("{base}{path}"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("csrf={token}&{field}={}", url_encode(&p(i))))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "POST {path}");
        let page = r.text().await.unwrap();
        assert_escaped(&format!("refused {field}"), &page, &[i]);
        assert!(page.contains(&format!(r#"name="{field}" value="{}""#, escaped(i))));
        assert!(page.contains(r#"<div class="notice err">Not saved. &#39;&lt;script&gt;"#));
    }

    // the login page with a hostile `next` (no whitespace: `next` with whitespace or control characters is
    // replaced by /projects, see the open-redirect test), shown and refused
    let mut auth_state = state;
    auth_state.auth = WebAuth::enabled(
        b"0123456789abcdef0123456789abcdef".to_vec(),
        std::sync::Arc::new(crate::common::StoreKeys(store.clone())),
    );
    let base = crate::common::serve(auth_state).await;
    let next = r#"/x"><script>alert('n')</script>&y=1"#;
    let escaped_next = "/x&quot;&gt;&lt;script&gt;alert(&#39;n&#39;)&lt;/script&gt;&amp;y=1";
    let r = c
        .get(format!("{base}/login?next={}", url_encode(next)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let page = r.text().await.unwrap();
    assert!(!page.contains("<script>alert('n')"), "{page}");
    assert!(page.contains(&format!(r#"name="next" value="{escaped_next}""#)));
    let r = c
        .post(format!("{base}/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "access_key=a&secret_key=b&next={}",
            url_encode(next)
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let page = r.text().await.unwrap();
    assert!(!page.contains("<script>alert('n')"), "{page}");
    assert!(page.contains(escaped_next));
    assert!(page.contains("Wrong access key or secret key."));
}

/// The models page offers `/models/<id>/file?download` for the model `id` (URL-encoded).
fn page_has_download(page: &str, id: &str) -> bool {
    page.contains(&format!(r#"href="/models/{id}/file?download""#))
}
