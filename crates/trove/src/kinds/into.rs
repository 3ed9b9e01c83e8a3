//! [`IntoArtifact`] for the supported Rust types, including ClearML's dispatch of strings.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use image::DynamicImage;
use ndarray::{ArrayBase, Data, Dimension};
use polars::prelude::DataFrame;
use serde::Serialize;

use super::array::NpzElement;
use super::files::wildcard_matches;
use super::{ArtifactObject, IntoArtifact, KindError};

/// A serialisable value stored as a JSON (`dict`) artifact; also a [`super::FromArtifact`] target.
#[derive(Debug, Clone, PartialEq)]
pub struct Json<T>(pub T);

/// A string stored as text, never interpreted as a path or URL.
#[derive(Debug, Clone, PartialEq)]
pub struct Text(pub String);

/// A remote URL registered as a link artifact (nothing uploaded), whatever its scheme.
#[derive(Debug, Clone, PartialEq)]
pub struct Link(pub String);

impl IntoArtifact for ArtifactObject {
    fn into_artifact(self) -> Result<ArtifactObject, KindError> {
        Ok(self)
    }
}

impl IntoArtifact for DataFrame {
    fn into_artifact(self) -> Result<ArtifactObject, KindError> {
        Ok(ArtifactObject::Frame { frame: self })
    }
}

impl IntoArtifact for &DataFrame {
    fn into_artifact(self) -> Result<ArtifactObject, KindError> {
        Ok(ArtifactObject::Frame {
            frame: self.clone(),
        })
    }
}

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

impl<T: Serialize> IntoArtifact for Json<T> {
    fn into_artifact(self) -> Result<ArtifactObject, KindError> {
        to_json(&self.0)
    }
}

impl<K: Serialize, V: Serialize> IntoArtifact for BTreeMap<K, V> {
    /// Keys must serialise to strings or numbers (JSON object keys).
    fn into_artifact(self) -> Result<ArtifactObject, KindError> {
        to_json(&self)
    }
}

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
        to_json(&m)
    }
}

impl<A: NpzElement, S: Data<Elem = A>, D: Dimension> IntoArtifact for ArrayBase<S, D> {
    fn into_artifact(self) -> Result<ArtifactObject, KindError> {
        Ok(ArtifactObject::Array(A::wrap(self.to_owned().into_dyn())))
    }
}

impl IntoArtifact for DynamicImage {
    fn into_artifact(self) -> Result<ArtifactObject, KindError> {
        Ok(ArtifactObject::Image(self))
    }
}

impl IntoArtifact for image::RgbImage {
    fn into_artifact(self) -> Result<ArtifactObject, KindError> {
        Ok(ArtifactObject::Image(DynamicImage::ImageRgb8(self)))
    }
}

impl IntoArtifact for image::RgbaImage {
    fn into_artifact(self) -> Result<ArtifactObject, KindError> {
        Ok(ArtifactObject::Image(DynamicImage::ImageRgba8(self)))
    }
}

impl IntoArtifact for image::GrayImage {
    fn into_artifact(self) -> Result<ArtifactObject, KindError> {
        Ok(ArtifactObject::Image(DynamicImage::ImageLuma8(self)))
    }
}

fn path_object(p: &Path) -> Result<ArtifactObject, KindError> {
    match std::fs::metadata(p) {
        Ok(m) if m.is_dir() => Ok(ArtifactObject::Folder(p.to_path_buf())),
        Ok(_) => Ok(ArtifactObject::File(p.to_path_buf())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Err(KindError::MissingPath(p.to_path_buf()))
        }
        Err(e) => Err(KindError::io(p, e)),
    }
}

impl IntoArtifact for &Path {
    /// A file or a folder, decided by what is on disk; a missing path is an error.
    fn into_artifact(self) -> Result<ArtifactObject, KindError> {
        path_object(self)
    }
}

impl IntoArtifact for PathBuf {
    fn into_artifact(self) -> Result<ArtifactObject, KindError> {
        path_object(&self)
    }
}

impl IntoArtifact for &PathBuf {
    fn into_artifact(self) -> Result<ArtifactObject, KindError> {
        path_object(self)
    }
}

impl IntoArtifact for Vec<PathBuf> {
    fn into_artifact(self) -> Result<ArtifactObject, KindError> {
        Ok(ArtifactObject::Files(self))
    }
}

impl IntoArtifact for &[PathBuf] {
    fn into_artifact(self) -> Result<ArtifactObject, KindError> {
        Ok(ArtifactObject::Files(self.to_vec()))
    }
}

/// The URL schemes ClearML registers as links (`remote_driver_schemes`).
const LINK_SCHEMES: &[&str] = &["http", "https", "s3", "gs", "azure"];

fn url_scheme(s: &str) -> Option<String> {
    let (scheme, _) = s.split_once(':')?;
    let mut chars = scheme.chars();
    let ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    ok.then(|| scheme.to_ascii_lowercase())
}

/// The folder before the first wildcard component exists.
fn wildcard_root_is_dir(s: &str) -> bool {
    let root: std::path::PathBuf = Path::new(s)
        .components()
        .take_while(|c| !c.as_os_str().to_string_lossy().contains(['*', '?']))
        .collect();
    !root.as_os_str().is_empty() && root.is_dir()
}

/// ClearML's dispatch of a string: an existing path → file/folder; a pattern with `*`/`?` whose folder
/// exists → wildcard (matching nothing is then an error); a URL with scheme s3/gs/azure/http(s) → link; else text.
pub fn dispatch_str(s: &str) -> ArtifactObject {
    if !s.is_empty() && s.len() < 2048 {
        let p = Path::new(s);
        if p.exists() {
            if let Ok(o) = path_object(p) {
                return o;
            }
        } else if s.contains(['*', '?'])
            && p.parent().is_some_and(|f| !f.as_os_str().is_empty())
            && (wildcard_matches(s) || wildcard_root_is_dir(s))
        {
            // A pattern under an existing folder is a wildcard even when it matches nothing: serialising it
            // then fails with a clear "matches nothing" error instead of silently storing the text.
            return ArtifactObject::Wildcard(s.to_string());
        }
    }
    if s.len() < 4096 && url_scheme(s).is_some_and(|sc| LINK_SCHEMES.contains(&sc.as_str())) {
        return ArtifactObject::Link(s.to_string());
    }
    ArtifactObject::Text(s.to_string())
}

impl IntoArtifact for &str {
    /// See [`dispatch_str`].
    fn into_artifact(self) -> Result<ArtifactObject, KindError> {
        Ok(dispatch_str(self))
    }
}

impl IntoArtifact for String {
    /// See [`dispatch_str`].
    fn into_artifact(self) -> Result<ArtifactObject, KindError> {
        Ok(dispatch_str(&self))
    }
}

impl IntoArtifact for &String {
    /// See [`dispatch_str`].
    fn into_artifact(self) -> Result<ArtifactObject, KindError> {
        Ok(dispatch_str(self))
    }
}

impl IntoArtifact for Text {
    fn into_artifact(self) -> Result<ArtifactObject, KindError> {
        Ok(ArtifactObject::Text(self.0))
    }
}

impl IntoArtifact for Link {
    fn into_artifact(self) -> Result<ArtifactObject, KindError> {
        Ok(ArtifactObject::Link(self.0))
    }
}
