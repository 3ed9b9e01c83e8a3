//! The files trove writes are read by the real Python libraries ClearML uses (pandas, numpy, Pillow,
//! json, zipfile) and give back the original values. Fails (does not skip) when Python is unavailable.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;
use trove_testkit::process::run_ok;
use trove_testkit::python::Venv;

use ndarray::{ArrayD, IxDyn, array};
use polars::df;
use serde_json::{Value, json};
use trove::kinds::*;

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
        format: Some(".parquet".into()),
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
        format: Some(".csv.gz".into()),
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
        format: Some(".jpg".into()),
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

/// Run read_kinds.py on serialised cases and return its JSON.
fn read_back(work: &Path, cases: &[Case]) -> Value {
    let manifest: Vec<Value> = cases
        .iter()
        .map(|c| {
            json!({"name": c.name, "kind": c.s.kind, "content_type": c.s.content_type,
                   "path": c.s.path.as_ref().unwrap().to_string_lossy()})
        })
        .collect();
    let mpath = work.join("manifest-repr.json");
    std::fs::write(&mpath, serde_json::to_vec(&manifest).unwrap()).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/py/read_kinds.py");
    let mut cmd = Command::new(python());
    cmd.arg(&script).arg(&mpath);
    let stdout = run_ok(cmd, PY_LIMIT);
    serde_json::from_str(&stdout).unwrap()
}

#[test]
fn previews_match_pandas_and_numpy_repr() {
    let work = tempfile::tempdir().unwrap();
    let stage = work.path().join("stage");
    let mut cases = Vec::new();
    let mut add = |name: &'static str, obj: ArtifactObject, o: SerializeOptions| {
        let s = serialize(name, obj, &o, &stage).unwrap();
        cases.push(Case { name, s });
    };
    let n = 100usize;
    let long = df!(
        "x" => (0..n).map(|i| i as f64 / 3.0).collect::<Vec<_>>(),
        "big" => (0..n).map(|i| (i as f64) * 12345.678).collect::<Vec<_>>(),
        "name" => (0..n).map(|i| format!("row number {i}")).collect::<Vec<_>>(),
        "k" => (0..n as i64).map(|i| i * i - 50).collect::<Vec<_>>(),
        "flag" => (0..n).map(|i| i % 3 == 0).collect::<Vec<_>>(),
    )
    .unwrap();
    add(
        "long",
        long.into_artifact().unwrap(),
        SerializeOptions::default(),
    );
    let cols: Vec<polars::prelude::Column> = (0..25)
        .map(|c| {
            let vals: Vec<i64> = (0..4).map(|r| (r * 1000 + c) as i64).collect();
            polars::prelude::Column::new(format!("column_{c}").into(), vals)
        })
        .collect();
    let wide = polars::prelude::DataFrame::new_infer_height(cols).unwrap();
    add(
        "wide",
        wide.into_artifact().unwrap(),
        SerializeOptions::default(),
    );
    let mixed = df!(
        "id" => ["a", "bb", "ccc"],
        "small" => [Some(1e-9), Some(0.5), None],
        "neg" => [-1.5, 2.25, 10.0],
    )
    .unwrap();
    let idx = SerializeOptions {
        index_column: Some("id".into()),
        ..Default::default()
    };
    add("mixed", mixed.into_artifact().unwrap(), idx);

    add(
        "eye",
        ndarray::Array2::<f64>::eye(100).into_artifact().unwrap(),
        SerializeOptions::default(),
    );
    add(
        "arange",
        ndarray::Array::from_iter(0..30i64).into_artifact().unwrap(),
        SerializeOptions::default(),
    );
    add(
        "big1d",
        ndarray::Array::from_iter((0..2000).map(|i| i as f64 * 0.25))
            .into_artifact()
            .unwrap(),
        SerializeOptions::default(),
    );
    add(
        "floats",
        array![[0.1, -2.5, 3.0], [1e3, 7.125, 0.0]]
            .into_artifact()
            .unwrap(),
        SerializeOptions::default(),
    );
    add(
        "sci",
        array![1e-7, 1.0, 2e10].into_artifact().unwrap(),
        SerializeOptions::default(),
    );
    add(
        "f32",
        array![0.1f32, 0.25, 3.0].into_artifact().unwrap(),
        SerializeOptions::default(),
    );
    add(
        "u16",
        array![[1u16, 2], [300, 4]].into_artifact().unwrap(),
        SerializeOptions::default(),
    );
    let b3 = ArrayD::from_shape_vec(
        IxDyn(&[2, 2, 2]),
        vec![true, false, false, true, true, true, false, false],
    )
    .unwrap();
    add(
        "bool3d",
        b3.into_artifact().unwrap(),
        SerializeOptions::default(),
    );
    let cube = ArrayD::from_shape_vec(IxDyn(&[12, 10, 10]), (0..1200).map(|i| i as i64).collect())
        .unwrap();
    add(
        "cube",
        cube.into_artifact().unwrap(),
        SerializeOptions::default(),
    );

    let many = df!(
        "s" => (0..61).map(|i| "w".repeat(i % 7 + 1)).collect::<Vec<_>>(),
        "neg" => (0..61).map(|i| -(i as i64) * 1001).collect::<Vec<_>>(),
        "nan" => (0..61).map(|i| if i % 4 == 0 { None } else { Some(i as f64 * 1e5) }).collect::<Vec<_>>(),
        "tiny" => (0..61).map(|i| i as f64 * 1e-8).collect::<Vec<_>>(),
        "a_rather_long_column_name_to_force_wrapping" => (0..61).map(|i| i % 2 == 0).collect::<Vec<_>>(),
        "another_rather_long_column_name_here" => (0..61).map(|i| i as f64 + 0.5).collect::<Vec<_>>(),
    )
    .unwrap();
    add(
        "many",
        many.into_artifact().unwrap(),
        SerializeOptions::default(),
    );
    let zero_d = ArrayD::from_shape_vec(IxDyn(&[]), vec![5.0f64]).unwrap();
    add(
        "zero_d",
        zero_d.into_artifact().unwrap(),
        SerializeOptions::default(),
    );
    add(
        "nan_neg",
        array![f64::NAN, -1.5, 2.0, f64::INFINITY]
            .into_artifact()
            .unwrap(),
        SerializeOptions::default(),
    );
    add(
        "empty",
        ndarray::Array1::<f64>::zeros(0).into_artifact().unwrap(),
        SerializeOptions::default(),
    );
    add(
        "empty2d",
        ndarray::Array2::<i32>::zeros((0, 3))
            .into_artifact()
            .unwrap(),
        SerializeOptions::default(),
    );
    add(
        "precise",
        array![1.0 / 3.0, 2.0 / 3.0, 10.0].into_artifact().unwrap(),
        SerializeOptions::default(),
    );

    let got = read_back(work.path(), &cases);
    let mut mismatches = Vec::new();
    for c in &cases {
        let want = got[c.name]["repr"].as_str().unwrap().to_string();
        let ours = c.s.preview.split("\n\nshape=").next().unwrap().to_string();
        if ours != want {
            mismatches.push(format!("--- {}\nours:\n{ours}\npython:\n{want}", c.name));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[test]
fn reads_files_written_by_clearml_python() {
    let work = tempfile::tempdir().unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/py/write_kinds.py");
    let mut cmd = Command::new(python());
    cmd.arg(&script).arg(work.path().join("files"));
    let stdout = run_ok(cmd, PY_LIMIT);
    let manifest: Vec<Value> = serde_json::from_str(&stdout).unwrap();
    let entry = |name: &str| {
        let e = manifest.iter().find(|e| e["name"] == name).unwrap();
        (
            e["kind"].as_str().unwrap().to_string(),
            e["content_type"].as_str().map(str::to_string),
            PathBuf::from(e["path"].as_str().unwrap()),
        )
    };
    fn read<T: FromArtifact>(name: &str, e: &(String, Option<String>, PathBuf)) -> T {
        T::from_artifact(&e.0, e.1.as_deref(), name, &e.2).unwrap()
    }

    let df: polars::prelude::DataFrame = read("Pandas", &entry("Pandas"));
    let names: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(names, ["index", "num_legs", "ratio", "note"]);
    let strs = |c: &str| -> Vec<Option<String>> {
        let col = df.column(c).unwrap();
        (0..df.height())
            .map(|i| match col.get(i).unwrap() {
                polars::prelude::AnyValue::String(s) => Some(s.to_string()),
                polars::prelude::AnyValue::StringOwned(s) => Some(s.to_string()),
                _ => None,
            })
            .collect()
    };
    assert_eq!(
        strs("index"),
        ["falcon", "dog", "spider", "fish"].map(|s| Some(s.to_string()))
    );
    assert_eq!(
        strs("note"),
        ["a,b", "q\"uote", "ünï", "x y"].map(|s| Some(s.to_string()))
    );
    assert_eq!(
        df.column("num_legs").unwrap().i64().unwrap().to_vec(),
        [Some(2), Some(4), Some(8), Some(0)]
    );
    assert_eq!(
        df.column("ratio").unwrap().f64().unwrap().to_vec(),
        [Some(0.5), None, Some(1.0), Some(-2.25)]
    );
    let train: polars::prelude::DataFrame = read("train", &entry("train"));
    assert_eq!(
        train
            .get_column_names()
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>(),
        ["num_legs", "ratio", "note"]
    );
    let pq: polars::prelude::DataFrame = read("frame", &entry("frame"));
    assert_eq!(
        pq.column("num_legs").unwrap().i64().unwrap().to_vec(),
        [Some(2), Some(4), Some(8), Some(0)]
    );

    let eye: ArrayD<f64> = read("Numpy Eye", &entry("Numpy Eye"));
    assert_eq!(
        eye,
        ndarray::Array2::<f64>::eye(5)
            .slice(ndarray::s![.., ..4])
            .to_owned()
            .into_dyn()
    );
    let ints: ArrayD<i32> = read("ints", &entry("ints"));
    assert_eq!(
        ints,
        ArrayD::from_shape_vec(IxDyn(&[2, 3, 4]), (0..24).collect()).unwrap()
    );
    let csv: NpzArray = read("arr", &entry("arr"));
    assert_eq!(
        csv,
        NpzArray::F64(array![[1.5, -2.0], [1e-9, 3.0]].into_dyn())
    );

    let dict: Value = read("dictionary", &entry("dictionary"));
    assert_eq!(dict, json!({"b": [1, 2.0, null], "a": {"é": "ü"}}));
    let img: image::DynamicImage = read("pillow_image", &entry("pillow_image"));
    let want = image::RgbImage::from_fn(3, 2, |x, y| image::Rgb([x as u8 * 80, y as u8 * 100, 7]));
    assert_eq!(img.to_rgb8(), want);
    let text: String = read("text", &entry("text"));
    assert_eq!(text, "hello world text");
    let (_, _, zip) = entry("local folder");
    let dir = extract_zip(&zip, &work.path().join("extracted")).unwrap();
    assert_eq!(std::fs::read_to_string(dir.join("a.txt")).unwrap(), "alpha");
    assert_eq!(
        std::fs::read_to_string(dir.join("sub/b.txt")).unwrap(),
        "beta"
    );
}
