//! Every kind: serialize → FromArtifact gives the original back; names with odd characters work.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use crate::kinds::*;
use image::DynamicImage;
use ndarray::{ArrayD, IxDyn, array};
use polars::df;
use polars::prelude::DataFrame;
use serde::{Deserialize, Serialize};
use serde_json::json;

fn ser(name: &str, obj: impl IntoArtifact, opts: &SerializeOptions, dir: &Path) -> Serialized {
    serialize(name, obj.into_artifact().unwrap(), opts, dir).unwrap()
}

fn back<T: FromArtifact>(name: &str, s: &Serialized) -> T {
    T::from_artifact(
        &s.kind,
        s.content_type.as_deref(),
        name,
        s.path.as_ref().unwrap(),
    )
    .unwrap()
}

const NAMES: &[&str] = &[
    "plain",
    "with space",
    "a/b",
    "../up",
    "what?",
    "ünïcødé 名前",
    "dots...",
];

fn mixed_frame() -> DataFrame {
    df!(
        "id" => ["a", "b,c", "d\"e", "f"],
        "int" => [1i64, -2, 3, 400],
        "float" => [Some(0.5), Some(1.0), None, Some(-2.25)],
        "flag" => [true, false, true, true],
        "text" => [Some("x y"), None, Some("line"), Some("ünï")],
    )
    .unwrap()
}

#[test]
fn frames_round_trip_csv_and_parquet() {
    let dir = tempfile::tempdir().unwrap();
    let df = mixed_frame();
    for name in NAMES {
        // csv.gz with an index column: comes back with that column first, named "index".
        let opts = SerializeOptions {
            index_column: Some("id".into()),
            ..Default::default()
        };
        let s = ser(name, &df, &opts, dir.path());
        assert_eq!(
            s.file_name.as_deref(),
            Some(format!("{name}.csv.gz").as_str())
        );
        let got: DataFrame = back(name, &s);
        assert_eq!(got.get_column_names()[0].as_str(), "index");
        let mut want = df.clone();
        want.rename("id", "index".into()).unwrap();
        assert!(got.equals_missing(&want), "{name}: {got:?} vs {want:?}");

        // default range index
        let s = ser(name, &df, &SerializeOptions::default(), dir.path());
        let got: DataFrame = back(name, &s);
        assert_eq!(
            got.column("index").unwrap().i64().unwrap().to_vec(),
            vec![Some(0), Some(1), Some(2), Some(3)]
        );
        assert!(got.drop("index").unwrap().equals_missing(&df));

        // no index (data-audit-table)
        let opts = SerializeOptions {
            with_index: false,
            ..Default::default()
        };
        let s = ser(name, &df, &opts, dir.path());
        let got = DataFrame::from_artifact(
            "data-audit-table",
            Some("text/csv"),
            name,
            s.path.as_ref().unwrap(),
        )
        .unwrap();
        assert!(got.equals_missing(&df));

        // parquet
        let opts = SerializeOptions {
            format: Some(FormatRequest::Typed(FrameFormat::Parquet.into())),
            ..Default::default()
        };
        let s = ser(name, &df, &opts, dir.path());
        assert_eq!(s.content_type.as_deref(), Some("application/parquet"));
        assert_eq!(
            s.file_name.as_deref(),
            Some(format!("{name}.parquet").as_str())
        );
        let got: DataFrame = back(name, &s);
        assert!(got.equals_missing(&df));
    }
}

#[test]
fn frame_csv_cells_and_preview_truncation() {
    let dir = tempfile::tempdir().unwrap();
    let n = 100;
    let df = df!("x" => (0..n).map(|i| i as f64 / 4.0).collect::<Vec<_>>(), "y" => (0..n as i64).collect::<Vec<_>>()).unwrap();
    let s = ser("big", &df, &SerializeOptions::default(), dir.path());
    let lines: Vec<&str> = s.preview.lines().collect();
    assert_eq!(lines[0], "        x   y");
    assert_eq!(lines[1], "0    0.00   0");
    assert_eq!(lines[6], "..    ...  ..");
    assert!(
        s.preview.contains("[100 rows x 2 columns]"),
        "{}",
        s.preview
    );
    assert!(s.preview.contains("shape=(100, 2)"));
    let got: DataFrame = back("big", &s);
    assert!(got.drop("index").unwrap().equals(&df));
    // an invalid format is an error naming it and the valid ones (issue 15: no longer a warning and a
    // silent fall back to csv.gz), and the right format of another kind is refused too
    let opts = SerializeOptions {
        format: Some(FormatRequest::Extension(".xlsx".into())),
        ..Default::default()
    };
    let obj = (&df).into_artifact().unwrap();
    let err = serialize("big", obj, &opts, dir.path()).unwrap_err();
    assert!(matches!(err, KindError::InvalidFormat { .. }), "{err:?}");
    assert!(err.to_string().contains(".xlsx"), "{err}");
    assert!(err.to_string().contains(".csv.gz, .parquet"), "{err}");
    let opts = SerializeOptions {
        format: Some(FormatRequest::Typed(ImageFormat::Png.into())),
        ..Default::default()
    };
    let obj = (&df).into_artifact().unwrap();
    assert!(serialize("big", obj, &opts, dir.path()).is_err());
    // an empty frame is fine
    let empty = df!("a" => Vec::<i64>::new()).unwrap();
    let s = ser("empty", &empty, &SerializeOptions::default(), dir.path());
    assert!(
        s.preview
            .starts_with("Empty DataFrame\nColumns: [a]\nIndex: []"),
        "{}",
        s.preview
    );
}

#[derive(Debug, Serialize, Deserialize, PartialEq)]
struct Conf {
    lr: f64,
    layers: Vec<u32>,
    name: String,
}

#[test]
fn json_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    for name in NAMES {
        let v =
            json!({"b": [1, 2.0, null, true], "a": {"é": "ü\n\"q\""}, "big": 1e20, "neg": -0.5});
        let s = ser(name, v.clone(), &SerializeOptions::default(), dir.path());
        let text = std::fs::read_to_string(s.path.as_ref().unwrap()).unwrap();
        assert!(text.is_ascii());
        assert!(
            text.contains("\"big\": 1e+20") && text.contains("2.0"),
            "{text}"
        );
        let got: serde_json::Value = back(name, &s);
        assert_eq!(got, v);

        let conf = Conf {
            lr: 0.01,
            layers: vec![3, 4],
            name: name.to_string(),
        };
        let s = ser(name, Json(&conf), &SerializeOptions::default(), dir.path());
        let got: Json<Conf> = back(name, &s);
        assert_eq!(got.0, conf);
    }
    let m: BTreeMap<&str, i32> = [("z", 1), ("a", 2)].into();
    let s = ser("m", m, &SerializeOptions::default(), dir.path());
    assert_eq!(s.preview, "{\n    \"a\": 2,\n    \"z\": 1\n}");
    let h: HashMap<u32, &str> = [(10, "x"), (2, "y")].into();
    let s = ser("h", h, &SerializeOptions::default(), dir.path());
    let got: serde_json::Value = back("h", &s);
    assert_eq!(got, json!({"10": "x", "2": "y"}));
}

#[test]
fn arrays_round_trip_every_dtype() {
    let dir = tempfile::tempdir().unwrap();
    for name in NAMES {
        let f = array![[1.5f64, -2.0], [0.0, 1e-9]];
        let s = ser(name, f.clone(), &SerializeOptions::default(), dir.path());
        assert_eq!(s.file_name.as_deref(), Some(format!("{name}.npz").as_str()));
        let got: ArrayD<f64> = back(name, &s);
        assert_eq!(got, f.into_dyn());
        let b = ArrayD::from_shape_vec(
            IxDyn(&[2, 2, 2]),
            vec![true, false, true, true, false, false, true, false],
        )
        .unwrap();
        let s = ser(name, b.clone(), &SerializeOptions::default(), dir.path());
        assert_eq!(back::<ArrayD<bool>>(name, &s), b);
    }
    macro_rules! each {
        ($($t:ty),*) => {$({
            let a = ArrayD::from_shape_vec(IxDyn(&[3]), vec![1 as $t, 2 as $t, 100 as $t]).unwrap();
            let s = ser("t", a.clone(), &SerializeOptions::default(), dir.path());
            assert_eq!(back::<ArrayD<$t>>("t", &s), a);
            let any: NpzArray = back("t", &s);
            assert_eq!(any.dtype(), stringify!($t).replace("f", "float").replace("i", "int").replace("u", "uint"));
        })*};
    }
    each!(f32, i64, i32, i16, i8, u64, u32, u16, u8);
    // wrong element type asked
    let s = ser(
        "t",
        array![1i32, 2],
        &SerializeOptions::default(),
        dir.path(),
    );
    let err =
        ArrayD::<f64>::from_artifact("numpy", None, "t", s.path.as_ref().unwrap()).unwrap_err();
    assert!(matches!(err, KindError::UnsupportedDtype(_)), "{err}");
    // csv.gz format like np.savetxt
    let opts = SerializeOptions {
        format: Some(FormatRequest::Typed(ArrayFormat::CsvGz.into())),
        ..Default::default()
    };
    let a = array![[1.0, 2.5], [3.0, -4.0]];
    let s = ser("c", a.clone(), &opts, dir.path());
    assert_eq!(s.content_type.as_deref(), Some("text/csv"));
    assert_eq!(back::<ArrayD<f64>>("c", &s), a.into_dyn());
}

#[test]
fn images_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let img = image::RgbImage::from_fn(7, 5, |x, y| image::Rgb([x as u8 * 30, y as u8 * 40, 200]));
    for name in NAMES {
        let s = ser(name, img.clone(), &SerializeOptions::default(), dir.path());
        assert_eq!(s.content_type.as_deref(), Some("image/png"));
        assert_eq!(s.preview, "PIL.Image.Image image mode=RGB size=7x5");
        let got: DynamicImage = back(name, &s);
        assert_eq!(got.to_rgb8(), img);
    }
    let opts = SerializeOptions {
        format: Some(FormatRequest::Typed(ImageFormat::Jpeg.into())),
        ..Default::default()
    };
    let rgba = image::RgbaImage::from_pixel(4, 4, image::Rgba([10, 20, 30, 255]));
    let s = ser("j", rgba, &opts, dir.path());
    assert_eq!(s.content_type.as_deref(), Some("image/jpeg"));
    assert_eq!(s.file_name.as_deref(), Some("j.jpg"));
    let got: DynamicImage = back("j", &s);
    assert_eq!((got.width(), got.height()), (4, 4));
}
