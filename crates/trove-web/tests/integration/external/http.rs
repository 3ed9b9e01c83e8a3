//! The pages and routes over HTTP, against a real SQLite store and files folder filled with real artifacts.

use crate::common::{HOSTILE, fixture, serve};
use reqwest::redirect::Policy;
use trove_testkit::emulators::{self, S3_KEY, S3_SECRET};
use trove_web::html::url_encode;

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap()
}

async fn text(c: &reqwest::Client, url: &str) -> String {
    let r = c.get(url).send().await.unwrap();
    assert_eq!(r.status(), 200, "GET {url}");
    r.text().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_previews_files_and_compare() {
    let fx = fixture(false).await;
    let base = serve(fx.state.clone()).await;
    let c = client();
    let t = &fx.task;

    // project tree with counts
    let p = text(&c, &format!("{base}/projects")).await;
    assert!(
        p.contains(">examples<") && p.contains(">reporting</a>"),
        "{p}"
    );
    assert!(p.contains(r#"title="tasks">2</span>"#), "{p}");

    // task list: both tasks, artifact counts, filter
    let l = text(&c, &format!("{base}/projects/{}", fx.project)).await;
    assert!(l.contains("artifacts example (rerun)") && l.contains(r#"name="t" value=""#));
    assert!(
        l.contains(&format!(r#"<a href="/tasks/{t}/artifacts">13</a>"#)),
        "{l}"
    );
    let l = text(
        &c,
        &format!("{base}/projects/{}?q=RERUN&status=created", fx.project),
    )
    .await;
    assert!(
        l.contains("(rerun)") && !l.contains(&format!("/tasks/{t}\"")),
        "{l}"
    );
    let l = text(
        &c,
        &format!("{base}/projects/{}?status=completed", fx.project),
    )
    .await;
    assert!(l.contains("No tasks match."));

    // INFO renders the doc tables, escaped
    let i = text(&c, &format!("{base}/tasks/{t}")).await;
    assert!(
        i.contains("SCRIPT")
            && i.contains("artifacts.py")
            && i.contains("Args.lr")
            && i.contains("0.01")
    );
    assert!(i.contains("&lt;b&gt;diff&lt;/b&gt;") && !i.contains("<b>diff</b>"));

    // ARTIFACTS: groups, metadata rows, hostile name as text, local path copy button, failed state
    let a = text(&c, &format!("{base}/tasks/{t}/artifacts")).await;
    assert!(a.contains("DATA AUDIT") && a.contains("OTHER"));
    assert!(a.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(
        !a.contains(HOSTILE) && !a.contains("<img src=x"),
        "hostile markup leaked"
    );
    assert!(a.contains("<th>MAX LEGS</th><td>69</td>"));
    assert!(a.contains(r#"class="btn small copy" data-copy="file://"#));
    assert!(a.contains("connection reset by peer") && a.contains("up-failed"));
    assert!(a.contains("2 versions"));

    let prev =
        |key: &str, q: &str| format!("{base}/preview/{t}/{}?mode=output{q}", url_encode(key));
    let pandas = text(&c, &prev("Pandas", "")).await;
    assert!(
        pandas.contains("<th>falcon</th><td>2</td><td>2</td><td>10</td>"),
        "{pandas}"
    );
    let big = text(&c, &prev("big", "")).await;
    assert_eq!(big.matches("<tr>").count(), 21, "header + 20 rows");
    let v1 = text(&c, &prev("train", "&version=1")).await;
    assert!(
        v1.contains("version 1") && v1.matches("<tr>").count() == 5,
        "{v1}"
    );
    let pq = text(&c, &prev("parquet frame", "")).await;
    assert!(
        pq.contains("<th>spider</th><td>8</td><td>0</td><td>1</td>"),
        "{pq}"
    );
    let npz = text(&c, &prev("Numpy Eye", "")).await;
    assert!(npz.contains("(100, 100)") && npz.contains("float64"));
    let zip = text(&c, &prev("local folder", "")).await;
    assert!(
        zip.contains("sub/b.bin") && zip.contains("2.93 KiB"),
        "{zip}"
    );
    let json = text(&c, &prev("dictionary", "")).await;
    assert!(json.contains("&quot;num_legs&quot;: {"), "{json}");
    let local = text(&c, &prev("local dict", "")).await;
    assert!(
        local.contains("&quot;num_wings&quot;"),
        "file:// uri read: {local}"
    );
    let img = text(&c, &prev("pillow_image", "")).await;
    assert!(
        img.contains(&format!(r#"src="/files/{t}/pillow_image""#)),
        "{img}"
    );
    let link = text(&c, &prev("s3 link", "")).await;
    assert!(link.contains("link preview"), "{link}");
    let failed = text(&c, &prev("failed upload", "")).await;
    assert!(failed.contains("The upload failed: connection reset by peer"));
    let hostile = text(&c, &prev(HOSTILE, "")).await;
    assert!(hostile.contains("&lt;script&gt;alert(4)") && !hostile.contains("<script>"));
    // the same files-server object recorded under another loopback name
    let mut alias = fx
        .store
        .get_artifact(t, "Pandas", "output")
        .await
        .unwrap()
        .unwrap();
    alias.key = "Pandas via localhost".into();
    alias.uri = Some(alias.uri.unwrap().replace("127.0.0.1", "localhost"));
    fx.store.upsert_artifacts(t, &[alias]).await.unwrap();
    let via = text(&c, &prev("Pandas via localhost", "")).await;
    assert!(via.contains("<th>falcon</th>"), "{via}");
    let missing = c.get(prev("nope", "")).send().await.unwrap();
    assert_eq!(missing.status(), 404);

    // files: bytes, length, disposition, safe content types
    let orig = std::fs::read(fx.files["Pandas"]["file"].as_str().unwrap()).unwrap();
    let r = c
        .get(format!("{base}/files/{t}/Pandas?download"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["content-length"].to_str().unwrap(),
        orig.len().to_string()
    );
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename=\"Pandas.csv.gz\"")
    );
    assert_eq!(r.bytes().await.unwrap().as_ref(), orig.as_slice());
    let r = c
        .get(format!("{base}/files/{t}/pillow_image"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "image/png");
    let r = c
        .get(format!("{base}/files/{t}/{}", url_encode(HOSTILE)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "hostile file: {:?}", r.headers());
    assert_eq!(
        r.headers()["content-type"],
        "text/plain; charset=utf-8",
        "recorded text/html must not be served as html"
    );
    let v1 = std::fs::read(fx.files["train.v1"]["file"].as_str().unwrap()).unwrap();
    let r = c
        .get(format!("{base}/files/{t}/train?version=1&download"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.bytes().await.unwrap().as_ref(), v1.as_slice());
    let r = c
        .get(format!("{base}/files/{t}/local%20dict?download"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.bytes().await.unwrap().len() as u64,
        std::fs::metadata(fx.files["dictionary"]["file"].as_str().unwrap())
            .unwrap()
            .len()
    );
    assert_eq!(
        c.get(format!("{base}/files/{t}/train?version=9"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );

    // compare: Pandas same, dictionary differs, image missing on the other side
    let cmp = text(&c, &format!("{base}/compare?tasks={t},{}", fx.other_task)).await;
    let row = |key: &str| {
        let start = cmp
            .find(&format!(r#"data-key="{key}""#))
            .unwrap_or_else(|| panic!("row {key}"));
        let end = cmp[start..].find("</tr>").unwrap() + start;
        cmp[cmp[..start].rfind("<tr").unwrap()..end].to_string()
    };
    assert!(
        row("Pandas").contains(r#"class="same""#),
        "{}",
        row("Pandas")
    );
    let d = row("dictionary");
    assert!(
        d.contains(r#"class="diff""#) && d.contains("mono hl") && d.contains("meta hl"),
        "{d}"
    );
    assert!(row("pillow_image").contains(r#"class="missing""#));
    let only = text(
        &c,
        &format!("{base}/compare?t={t}&t={}&only=diff", fx.other_task),
    )
    .await;
    assert!(!only.contains(r#"data-key="Pandas""#) && only.contains(r#"data-key="dictionary""#));
    assert_eq!(
        c.get(format!("{base}/compare?tasks={t}"))
            .send()
            .await
            .unwrap()
            .status(),
        400
    );

    // console: log events
    let ev = |i: i64, level: &str, msg: &str| trove_store::Event {
        task: t.clone(),
        kind: "log".into(),
        timestamp: 1_795_663_639_000 + i,
        iter: None,
        body: serde_json::json!({"type": "log", "task": t, "timestamp": 1_795_663_639_000i64 + i, "level": level, "msg": msg}),
    };
    fx.store
        .add_events(&[ev(0, "info", "hello <world>"), ev(1, "error", "boom")])
        .await
        .unwrap();
    let con = text(&c, &format!("{base}/tasks/{t}/console")).await;
    assert!(
        con.contains("hello &lt;world&gt;") && con.contains("lv-error"),
        "{con}"
    );

    // security headers
    let r = c.get(format!("{base}/projects")).send().await.unwrap();
    assert!(
        r.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("script-src 'self'")
    );
    assert_eq!(
        c.get(format!("{base}/health"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "ok"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_guards_every_page_and_the_files() {
    let fx = fixture(true).await;
    let base = serve(fx.state.clone()).await;
    let c = client();
    for path in [
        "/projects",
        &format!("/tasks/{}/artifacts", fx.task),
        &format!("/files/{}/Pandas", fx.task),
    ] {
        let r = c.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(r.status(), 303, "{path}");
        assert!(
            r.headers()["location"]
                .to_str()
                .unwrap()
                .starts_with("/login?next=%2F"),
            "{path}"
        );
    }
    assert_eq!(
        c.get(format!("{base}/health"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        c.get(format!("{base}/login"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let bad = c
        .post(format!("{base}/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("access_key=webtest&secret_key=wrong&next=%2Fprojects")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 401);
    assert!(bad.headers().get("set-cookie").is_none());
    let ok = c
        .post(format!("{base}/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("access_key=webtest&secret_key=websecret&next=%2Fprojects")
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 303);
    assert_eq!(ok.headers()["location"], "/projects");
    let cookie = ok.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.contains("HttpOnly"));
    let pair = cookie.split(';').next().unwrap().to_string();
    let r = c
        .get(format!("{base}/files/{}/Pandas", fx.task))
        .header("cookie", &pair)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = c
        .get(format!("{base}/projects"))
        .header("cookie", &pair)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // a tampered cookie is refused
    let tampered = format!("{}0", pair);
    let r = c
        .get(format!("{base}/projects"))
        .header("cookie", tampered)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    // logout clears it
    let r = c
        .get(format!("{base}/logout"))
        .header("cookie", &pair)
        .send()
        .await
        .unwrap();
    assert!(
        r.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
}

/// A cloud artifact (S3 emulator s3s-fs from `scripts/emulators`): preview and download go through
/// trove-storage with the configured credentials.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_artifacts_are_read_through_trove_storage() {
    let fx = fixture(false).await;
    let emu = tokio::task::spawn_blocking(emulators::start_s3s)
        .await
        .unwrap();
    let port = emu.port;
    let data = emu.data.path();
    std::fs::create_dir_all(data.join("bucket/exp/a")).unwrap();
    let src = fx.files["Pandas"]["file"].as_str().unwrap();
    std::fs::copy(src, data.join("bucket/exp/a/Pandas.csv.gz")).unwrap();
    let cfg = trove_core::Config::parse(&format!(
        "[s3]\nkey = \"{S3_KEY}\"\nsecret = \"{S3_SECRET}\"\nregion = \"us-east-1\"\nendpoint = \"http://127.0.0.1:{port}\"\n"
    ))
    .unwrap();
    let bytes = std::fs::read(src).unwrap();
    let rec = crate::common::record(
        "cloud frame",
        "pandas",
        "s3://bucket/exp/a/Pandas.csv.gz",
        bytes.len() as u64,
        &trove_core::sha256_hex(&bytes),
        "text/csv",
        "repr",
    );
    fx.store.upsert_artifacts(&fx.task, &[rec]).await.unwrap();
    let mut state = fx.state.clone();
    state.config = cfg.clone();
    let c = client();
    let t = &fx.task;
    // Not an allowed destination: shown with the recorded preview, never read.
    let base = serve(state.clone()).await;
    let p = text(&c, &format!("{base}/preview/{t}/cloud%20frame?mode=output")).await;
    assert!(p.contains("outside the storage this server reads"), "{p}");
    // Allowed ([server] allowed_destinations): read with the configured credentials.
    let mut roots = trove_storage::StorageRoots::new();
    roots.add_destination("s3://bucket/exp", &cfg).unwrap();
    state.roots = std::sync::Arc::new(roots);
    let base = serve(state).await;
    let p = text(&c, &format!("{base}/preview/{t}/cloud%20frame?mode=output")).await;
    assert!(
        p.contains("<th>falcon</th><td>2</td><td>2</td><td>10</td>"),
        "{p}"
    );
    let r = c
        .get(format!("{base}/files/{t}/cloud%20frame?download"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["content-length"].to_str().unwrap(),
        bytes.len().to_string()
    );
    assert_eq!(r.bytes().await.unwrap().as_ref(), bytes.as_slice());
    // a missing object is an error page, not a hang
    let missing = crate::common::record(
        "gone",
        "pandas",
        "s3://bucket/exp/a/gone.csv.gz",
        1,
        "x",
        "text/csv",
        "stored text",
    );
    fx.store
        .upsert_artifacts(&fx.task, &[missing])
        .await
        .unwrap();
    let p = text(&c, &format!("{base}/preview/{t}/gone?mode=output")).await;
    assert!(
        p.contains("stored text") && p.contains("cannot preview"),
        "{p}"
    );
    drop(emu);
}
