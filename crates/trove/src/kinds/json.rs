//! JSON (ClearML `dict`) artifacts: `json.dumps(obj, sort_keys=True, indent=4)` byte for byte.

use std::io::Write;
use std::path::Path;

use serde::de::DeserializeOwned;
use serde_json::Value;
use trove_core::preview::cap_with_header;

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::pyfmt::json_dumps;
use super::staging::{stage_limited, wio};
use super::{
    ArtifactObject, FromArtifact, IntoArtifact, KindError, Sealed, SerializeOptions, Serialized,
    read_all,
};

/// A serialisable value stored as a JSON (`dict`) artifact, and read back into `T` by
/// [`crate::Artifact::get`].
///
/// ```
/// use trove::Json;
/// #[derive(serde::Serialize, serde::Deserialize)]
/// struct Conf { lr: f64, layers: Vec<u32> }
/// let conf = Json(Conf { lr: 0.001, layers: vec![64, 32] });
/// // task.upload_artifact("config", conf)?;  // stored as config.json
/// // let back: Json<Conf> = task.artifact("config")?.get()?;
/// # let _ = conf;
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Json<T>(pub T);

/// `<name>.json`, `application/json`; the text is the preview (64 KiB rule).
pub(super) fn serialize(
    name: &str,
    v: &Value,
    opts: &SerializeOptions,
    dir: &Path,
) -> Result<Serialized, KindError> {
    // YAML is not offered: only `.json` is valid.
    let ext = opts.extension(name, "dict", &[".json"], ".json")?;
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

impl Sealed for serde_json::Value {}
impl IntoArtifact for serde_json::Value {
    fn into_artifact(self) -> Result<ArtifactObject, KindError> {
        Ok(ArtifactObject::Json(self))
    }
}

fn to_json<T: Serialize + ?Sized>(v: &T) -> Result<ArtifactObject, KindError> {
    serde_json::to_value(v)
        .map(ArtifactObject::Json)
        .map_err(|e| KindError::ser("json", format!("value cannot be represented as JSON: {e}")))
}

impl<T: Serialize> Sealed for Json<T> {}
impl<T: Serialize> IntoArtifact for Json<T> {
    fn into_artifact(self) -> Result<ArtifactObject, KindError> {
        to_json(&self.0)
    }
}

impl<K: Serialize, V: Serialize> Sealed for BTreeMap<K, V> {}
impl<K: Serialize, V: Serialize> IntoArtifact for BTreeMap<K, V> {
    /// Keys must serialise to strings or numbers (JSON object keys).
    fn into_artifact(self) -> Result<ArtifactObject, KindError> {
        to_json(&self)
    }
}

impl<K: Serialize, V: Serialize, S> Sealed for HashMap<K, V, S> {}
impl<K: Serialize, V: Serialize, S> IntoArtifact for HashMap<K, V, S> {
    /// Keys must serialise to strings or numbers; they are sorted when stored (`sort_keys=True`).
    fn into_artifact(self) -> Result<ArtifactObject, KindError> {
        let m: BTreeMap<String, serde_json::Value> = self
            .iter()
            .map(|(k, v)| {
                let key = match serde_json::to_value(k) {
                    Ok(serde_json::Value::String(s)) => Ok(s),
                    Ok(serde_json::Value::Number(n)) => Ok(n.to_string()),
                    Ok(serde_json::Value::Bool(b)) => {
                        Ok(if b { "true".into() } else { "false".into() })
                    }
                    Ok(other) => Err(KindError::ser(
                        "json",
                        format!("map key {other} is not a string or number"),
                    )),
                    Err(e) => Err(KindError::ser("json", e)),
                }?;
                let val = serde_json::to_value(v).map_err(|e| KindError::ser("json", e))?;
                Ok((key, val))
            })
            .collect::<Result<_, KindError>>()?;
        // Already JSON values, sorted by key: no second serialisation.
        Ok(ArtifactObject::Json(serde_json::Value::Object(
            m.into_iter().collect(),
        )))
    }
}
