//! Sample data for the seed example and the demo, made here rather than downloaded: two JPEG images,
//! a CSV, a JSON and a YAML file (the shape of ClearML's `examples/reporting/data_samples/`).

use crate::error::{Result, io_err};
use polars::prelude::*;
use std::path::Path;

/// Write the sample files into `dir` (created if missing). Existing files are replaced.
pub fn write_data_samples(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(io_err("create samples folder", dir))?;
    let dancing = image::RgbImage::from_fn(444, 444, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, ((x * y / 7) % 256) as u8])
    });
    let picasso = image::RgbImage::from_fn(320, 240, |x, y| {
        let band = ((x / 40 + y / 30) % 4) as u8;
        image::Rgb([60 * band, 200 - 40 * band, 90 + 30 * band])
    });
    for (name, img) in [("dancing.jpg", dancing), ("picasso.jpg", picasso)] {
        let path = dir.join(name);
        img.save(&path).map_err(|e| crate::error::TroveError::Io {
            action: "write sample image",
            path: path.clone(),
            source: std::io::Error::other(e),
        })?;
    }
    let files = [
        ("data.csv", "a,b,c\n1,2,3\n4,5,6\n7,8,9\n"),
        (
            "sample.json",
            "{\n    \"list_of_ints\": [1, 2, 3, 4],\n    \"dict\": {\"sub_value\": \"value\"}\n}\n",
        ),
        (
            "config_yaml.yaml",
            "batch_size: 32\nlearning_rate: 0.001\nlayers: [64, 32]\n",
        ),
    ];
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(io_err("write sample file", &path))?;
    }
    Ok(())
}

/// pandas' `df.to_dict()`: `{column: {index label: value}}`, with `index` naming the index column.
pub fn frame_to_dict(df: &DataFrame, index: &str) -> Result<serde_json::Value> {
    let labels: Vec<String> = match df.column(index) {
        Ok(col) => (0..df.height())
            .map(|i| any_to_label(col.get(i).ok()))
            .collect(),
        Err(_) => (0..df.height()).map(|i| i.to_string()).collect(),
    };
    let mut out = serde_json::Map::new();
    for col in df.columns() {
        if col.name().as_str() == index {
            continue;
        }
        let mut inner = serde_json::Map::new();
        for (i, label) in labels.iter().enumerate() {
            inner.insert(label.clone(), any_to_json(col.get(i).ok()));
        }
        out.insert(col.name().to_string(), serde_json::Value::Object(inner));
    }
    Ok(serde_json::Value::Object(out))
}

fn any_to_label(v: Option<AnyValue>) -> String {
    match v {
        Some(AnyValue::String(s)) => s.to_string(),
        Some(AnyValue::StringOwned(s)) => s.to_string(),
        Some(other) => other.to_string(),
        None => String::new(),
    }
}

fn any_to_json(v: Option<AnyValue>) -> serde_json::Value {
    use serde_json::json;
    match v {
        Some(AnyValue::Int64(x)) => json!(x),
        Some(AnyValue::Int32(x)) => json!(x),
        Some(AnyValue::UInt32(x)) => json!(x),
        Some(AnyValue::UInt64(x)) => json!(x),
        Some(AnyValue::Float64(x)) => json!(x),
        Some(AnyValue::Float32(x)) => json!(x),
        Some(AnyValue::Boolean(x)) => json!(x),
        Some(AnyValue::Null) | None => serde_json::Value::Null,
        Some(other) => json!(any_to_label(Some(other))),
    }
}
