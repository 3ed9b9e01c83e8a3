//! JSON (ClearML `dict`) artifacts: `json.dumps(obj, sort_keys=True, indent=4)` byte for byte.

use std::io::Write;
use std::path::Path;

use serde::de::DeserializeOwned;
use serde_json::Value;
use trove_core::preview::cap_with_header;

use super::into::Json;
use super::pyfmt::json_dumps;
use super::staging::{stage_limited, wio};
use super::{FromArtifact, KindError, SerializeOptions, Serialized, choose_ext, read_all};

/// `<name>.json`, `application/json`; the text is the preview (64 KiB rule).
pub fn serialize(
    name: &str,
    v: &Value,
    opts: &SerializeOptions,
    dir: &Path,
) -> Result<Serialized, KindError> {
    // YAML is not offered: only `.json` is valid, anything else warns and falls back.
    let ext = choose_ext(opts.format.as_deref(), &[".json"], ".json", "dict");
    let text = json_dumps(v);
    let st = stage_limited(dir, name, &ext, opts.memory_limit, |w| {
        w.write_all(text.as_bytes()).map_err(wio(name))
    })?;
    let preview = cap_with_header(
        &text,
        "# full serialized dict too large to store, storing first 64kb",
    );
    Ok(Serialized::staged(
        "dict",
        format!("{name}{ext}"),
        st,
        Some("application/json"),
        preview,
    ))
}

fn parse(kind: &str, name: &str, local: &Path) -> Result<Value, KindError> {
    if kind != "dict" && kind != "JSON" && kind != "custom" {
        return Err(KindError::WrongKind {
            name: name.into(),
            kind: kind.into(),
            target: "JSON",
        });
    }
    let bytes = read_all(local)?;
    // Python writes NaN/Infinity for non-finite floats; serde_json cannot, so map them to null.
    match serde_json::from_slice(&bytes) {
        Ok(v) => Ok(v),
        Err(first) => {
            let text = String::from_utf8_lossy(&bytes)
                .replace("-Infinity", "null")
                .replace("Infinity", "null")
                .replace("NaN", "null");
            serde_json::from_str(&text).map_err(|_| KindError::bad("json", local, first))
        }
    }
}

impl FromArtifact for Value {
    /// A `dict` (or `JSON`) artifact: the parsed JSON.
    fn from_artifact(
        kind: &str,
        _: Option<&str>,
        name: &str,
        local: &Path,
    ) -> Result<Self, KindError> {
        parse(kind, name, local)
    }
}

impl<T: DeserializeOwned> FromArtifact for Json<T> {
    /// A `dict` artifact deserialised into `T`.
    fn from_artifact(
        kind: &str,
        _: Option<&str>,
        name: &str,
        local: &Path,
    ) -> Result<Self, KindError> {
        let v = parse(kind, name, local)?;
        serde_json::from_value(v)
            .map(Json)
            .map_err(|e| KindError::bad("json", local, e))
    }
}
