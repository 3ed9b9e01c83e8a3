//! Previews equal pandas'/numpy's repr, and files written by ClearML's Python side read back. Fails (does
//! not skip) when Python is unavailable.

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
