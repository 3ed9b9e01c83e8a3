//! The files trove writes are read by the real Python libraries ClearML uses (pandas, numpy, Pillow,
//! json, zipfile) and give back the original values. Fails (does not skip) when Python is unavailable.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;
use trove_testkit::process::run_ok;
use trove_testkit::python::Venv;

use crate::kinds::*;
use ndarray::{ArrayD, IxDyn, array};
use polars::df;
use serde_json::{Value, json};

/// How long one Python reader may run (each takes a few seconds).
const PY_LIMIT: Duration = Duration::from_secs(180);

fn python() -> PathBuf {
    Venv::Data.python()
}

struct Case {
    name: &'static str,
    s: Serialized,
}

#[test]
fn python_reads_every_kind() {
    let work = tempfile::tempdir().unwrap();
    let stage = work.path().join("stage");
    let mut cases: Vec<Case> = Vec::new();
    let add =
        |cases: &mut Vec<Case>, name: &'static str, obj: ArtifactObject, o: SerializeOptions| {
            let s = serialize(name, obj, &o, &stage).unwrap();
            cases.push(Case { name, s });
        };
    let frame = df!(
        "animal" => ["falcon", "dog", "spider", "fish"],
        "num_legs" => [2i64, 4, 8, 0],
        "ratio" => [Some(0.5), None, Some(1.0), Some(-2.25)],
        "flag" => [true, false, true, false],
        "note" => ["a,b", "q\"uote", "ünï", "x y"],
    )
    .unwrap();
    let idx = SerializeOptions {
        index_column: Some("animal".into()),
        ..Default::default()
    };
    add(
        &mut cases,
        "Pandas",
        frame.clone().into_artifact().unwrap(),
        idx,
    );
    add(
        &mut cases,
        "plain index",
        frame.clone().into_artifact().unwrap(),
        SerializeOptions::default(),
    );
    let pq = SerializeOptions {
        format: Some(FormatRequest::Typed(FrameFormat::Parquet.into())),
        ..Default::default()
    };
    add(
        &mut cases,
        "parquet frame",
        frame.clone().into_artifact().unwrap(),
        pq,
    );
    let reg = SerializeOptions {
        with_index: false,
        ..Default::default()
    };
    let mut audit = serialize(
        "train",
        frame.clone().into_artifact().unwrap(),
        &reg,
        &stage,
    )
    .unwrap();
    audit.kind = "data-audit-table".into();
    cases.push(Case {
        name: "train",
        s: audit,
    });

    let dict = json!({"b": [1, 2.0, null, true], "a": {"é": "ü\n\"q\""}, "big": 1e20, "neg": -0.5, "nested": {"z": [], "y": {}}});
    add(
        &mut cases,
        "dictionary",
        ArtifactObject::Json(dict.clone()),
        SerializeOptions::default(),
    );
    add(
        &mut cases,
        "Numpy Eye",
        array![[1.0f64, 0.0], [0.0, 1.0]].into_artifact().unwrap(),
        SerializeOptions::default(),
    );
    add(
        &mut cases,
        "ints/with slash",
        array![1i32, -2, 3].into_artifact().unwrap(),
        SerializeOptions::default(),
    );
    let b3 = ArrayD::from_shape_vec(IxDyn(&[2, 1, 2]), vec![true, false, false, true]).unwrap();
    add(
        &mut cases,
        "bools",
        b3.into_artifact().unwrap(),
        SerializeOptions::default(),
    );
    add(
        &mut cases,
        "bytes",
        array![[0u8, 255], [7, 8]].into_artifact().unwrap(),
        SerializeOptions::default(),
    );
    add(
        &mut cases,
        "f32 ünï",
        array![0.1f32, 2.5].into_artifact().unwrap(),
        SerializeOptions::default(),
    );
    let csvgz = SerializeOptions {
        format: Some(FormatRequest::Typed(ArrayFormat::CsvGz.into())),
        ..Default::default()
    };
    add(
        &mut cases,
        "array csv",
        array![[1.5, -2.0], [1e-9, 3.0]].into_artifact().unwrap(),
        csvgz,
    );
    let img = image::RgbImage::from_fn(3, 2, |x, y| image::Rgb([x as u8 * 80, y as u8 * 100, 7]));
    add(
        &mut cases,
        "pillow_image",
        img.clone().into_artifact().unwrap(),
        SerializeOptions::default(),
    );
    let jpg = SerializeOptions {
        format: Some(FormatRequest::Typed(ImageFormat::Jpeg.into())),
        ..Default::default()
    };
    add(
        &mut cases,
        "jpeg image",
        image::GrayImage::from_pixel(8, 8, image::Luma([128]))
            .into_artifact()
            .unwrap(),
        jpg,
    );
    add(
        &mut cases,
        "text",
        Text("hello world text\nünï".into())
            .into_artifact()
            .unwrap(),
        SerializeOptions::default(),
    );

    let d = work.path().join("data_samples");
    std::fs::create_dir_all(d.join("sub")).unwrap();
    std::fs::write(d.join("a.jpg"), b"jpeg-ish").unwrap();
    std::fs::write(d.join("sub/b.txt"), vec![b'z'; 5000]).unwrap();
    add(
        &mut cases,
        "local folder",
        d.clone().into_artifact().unwrap(),
        SerializeOptions::default(),
    );
    add(
        &mut cases,
        "local file",
        d.join("a.jpg").into_artifact().unwrap(),
        SerializeOptions::default(),
    );

    let manifest: Vec<Value> = cases
        .iter()
        .map(|c| {
            json!({"name": c.name, "kind": c.s.kind, "content_type": c.s.content_type,
                   "path": c.s.path.as_ref().unwrap().to_string_lossy()})
        })
        .collect();
    let mpath = work.path().join("manifest.json");
    std::fs::write(&mpath, serde_json::to_vec(&manifest).unwrap()).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/py/read_kinds.py");
    let mut cmd = Command::new(python());
    cmd.arg(&script).arg(&mpath);
    let stdout = run_ok(cmd, PY_LIMIT);
    let got: Value = serde_json::from_str(&stdout).unwrap();

    // Frames: pandas gets index, columns, values and dtypes back.
    let p = &got["Pandas"];
    assert_eq!(p["index"], json!(["falcon", "dog", "spider", "fish"]));
    assert_eq!(p["columns"], json!(["num_legs", "ratio", "flag", "note"]));
    assert_eq!(p["data"]["num_legs"], json!([2, 4, 8, 0]));
    assert_eq!(p["data"]["ratio"], json!([0.5, null, 1.0, -2.25]));
    assert_eq!(p["data"]["flag"], json!([true, false, true, false]));
    assert_eq!(p["data"]["note"], json!(["a,b", "q\"uote", "ünï", "x y"]));
    assert_eq!(p["dtypes"]["num_legs"], "int64");
    assert_eq!(p["dtypes"]["ratio"], "float64");
    assert_eq!(p["dtypes"]["flag"], "bool");
    assert_eq!(got["plain index"]["index"], json!(["0", "1", "2", "3"]));
    assert_eq!(
        got["plain index"]["data"]["animal"],
        json!(["falcon", "dog", "spider", "fish"])
    );
    for n in ["parquet frame", "train"] {
        assert_eq!(
            got[n]["columns"],
            json!(["animal", "num_legs", "ratio", "flag", "note"]),
            "{n}"
        );
        assert_eq!(got[n]["index"], json!(["0", "1", "2", "3"]), "{n}");
        assert_eq!(
            got[n]["data"]["ratio"],
            json!([0.5, null, 1.0, -2.25]),
            "{n}"
        );
        assert_eq!(
            got[n]["data"]["note"],
            json!(["a,b", "q\"uote", "ünï", "x y"]),
            "{n}"
        );
    }
    // csv.gz bytes: pandas + gzip.GzipFile(mtime=0), as ClearML writes them, hash the same.
    for c in &cases {
        let Some(clearml) = got[c.name].get("clearml") else {
            continue;
        };
        let ours = &c.s;
        let mut text = String::new();
        std::io::Read::read_to_string(
            &mut flate2::read::GzDecoder::new(
                std::fs::File::open(ours.path.as_ref().unwrap()).unwrap(),
            ),
            &mut text,
        )
        .unwrap();
        assert_eq!(
            clearml["csv"].as_str().unwrap(),
            text,
            "{}: csv text",
            c.name
        );
        assert_eq!(
            clearml["sha256"].as_str(),
            ours.hash.as_deref(),
            "{}: csv.gz hash",
            c.name
        );
        assert_eq!(
            clearml["size"].as_u64(),
            ours.size,
            "{}: csv.gz size",
            c.name
        );
    }
    // JSON
    assert_eq!(got["dictionary"], dict);
    // Arrays: dtype, shape, values, and the member is named after the artifact.
    let a = &got["Numpy Eye"];
    assert_eq!(
        (&a["dtype"], &a["shape"], &a["values"]),
        (
            &json!("float64"),
            &json!([2, 2]),
            &json!([1.0, 0.0, 0.0, 1.0])
        )
    );
    assert_eq!(a["keys"], json!(["Numpy Eye"]));
    assert_eq!(got["ints/with slash"]["dtype"], "int32");
    assert_eq!(got["ints/with slash"]["values"], json!([1, -2, 3]));
    assert_eq!(got["bools"]["dtype"], "bool");
    assert_eq!(got["bools"]["shape"], json!([2, 1, 2]));
    assert_eq!(got["bools"]["values"], json!([true, false, false, true]));
    assert_eq!(got["bytes"]["dtype"], "uint8");
    assert_eq!(got["bytes"]["values"], json!([0, 255, 7, 8]));
    assert_eq!(got["f32 ünï"]["dtype"], "float32");
    assert_eq!(got["f32 ünï"]["values"][1], json!(2.5));
    assert_eq!(got["array csv"]["values"], json!([1.5, -2.0, 1e-9, 3.0]));
    assert_eq!(got["array csv"]["shape"], json!([2, 2]));
    // Images
    let im = &got["pillow_image"];
    assert_eq!(
        (&im["mode"], &im["size"], &im["format"]),
        (&json!("RGB"), &json!([3, 2]), &json!("PNG"))
    );
    let px: Vec<Value> = img.pixels().map(|p| json!([p[0], p[1], p[2]])).collect();
    assert_eq!(im["pixels"], Value::Array(px));
    assert_eq!(
        (&got["jpeg image"]["format"], &got["jpeg image"]["mode"]),
        (&json!("JPEG"), &json!("L"))
    );
    // Text, archive, file
    assert_eq!(got["text"], "hello world text\nünï");
    assert_eq!(
        got["local folder"],
        json!({"a.jpg": trove_core::sha256_hex(b"jpeg-ish"), "sub/b.txt": trove_core::sha256_hex(&[b'z'; 5000])})
    );
    assert_eq!(got["local file"], trove_core::sha256_hex(b"jpeg-ish"));
}
