//! Objects with a serializer of the user's own (`custom` artifacts).

use std::io::Write;
use std::path::Path;

use super::mime::guess_content_type;
use super::staging::{stage_limited, wio};
use super::{ArtifactObject, IntoArtifact, KindError, Sealed, Serialized};

/// An object with a serializer of the user's own, stored as `<name><extension>` (a `custom` artifact).
///
/// ```
/// use trove::Custom;
///
/// struct Weights(Vec<f32>);
/// let w = Weights(vec![0.5, 1.5]);
/// // Serialised now, with the function given; uploaded as "<name>.bin".
/// let custom = Custom::new(&w, |w| w.0.iter().flat_map(|x| x.to_le_bytes()).collect(), ".bin");
/// assert_eq!(custom.len(), 8);
/// // task.upload_artifact("weights", custom)?;
/// ```
#[derive(Debug, Clone)]
pub struct Custom {
    bytes: Vec<u8>,
    extension: String,
}

impl Custom {
    /// Serialise `value` with `f` now; the file is stored as `<name><extension>` (`extension` with its dot,
    /// or empty).
    pub fn new<T: ?Sized>(value: &T, f: impl Fn(&T) -> Vec<u8>, extension: &str) -> Self {
        Self {
            bytes: f(value),
            extension: extension.to_string(),
        }
    }

    /// Bytes already serialised.
    pub fn from_bytes(bytes: impl Into<Vec<u8>>, extension: &str) -> Self {
        Self {
            bytes: bytes.into(),
            extension: extension.to_string(),
        }
    }

    /// Number of serialised bytes.
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// True when the serializer produced no bytes.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }
}

impl Sealed for Custom {}
impl IntoArtifact for Custom {
    fn into_artifact(self) -> Result<ArtifactObject, KindError> {
        let preview = format!(
            "custom serialized object - {}",
            trove_core::preview::format_size(self.bytes.len() as u64)
        );
        Ok(ArtifactObject::Custom {
            bytes: self.bytes,
            extension: self.extension,
            preview,
        })
    }
}

/// Bytes of a custom serializer: `<name><extension>`, content type guessed from that name.
pub(super) fn serialize_custom(
    name: &str,
    bytes: &[u8],
    extension: &str,
    preview: String,
    memory_limit: usize,
    dir: &Path,
) -> Result<Serialized, KindError> {
    let st = stage_limited(dir, name, extension, memory_limit, |w| {
        w.write_all(bytes).map_err(wio(name))
    })?;
    let file_name = format!("{name}{extension}");
    let ct = guess_content_type(&file_name);
    Ok(Serialized::staged(
        "custom",
        file_name,
        st,
        ct.as_deref(),
        preview,
    ))
}
