//! Artifact kinds: turning objects into stored files (serialise + hash + preview) and stored files back
//! into objects, in the formats of ClearML's Python SDK (docs/clearml-compat.md §2.2, §2.3, §4).
//!
//! * [`IntoArtifact`] turns a Rust value into an [`ArtifactObject`] (strings follow ClearML's dispatch:
//!   existing path, wildcard, URL, text).
//! * [`serialize`] writes it into memory or a staging file and returns a [`Serialized`] description (type,
//!   file name, hash, size, content type, preview).
//! * [`FromArtifact`] reads a downloaded file back, given the stored type and content type.
//!
//! One module per kind, each behind the cargo feature that brings its dependencies: `frame/` (polars),
//! `array/` (ndarray), `image_kind` (image), `archive/` (zip, glob, walkdir), `json`; files, text, links and
//! custom bytes are always there.

#[cfg(feature = "archive")]
mod archive;
#[cfg(feature = "array")]
mod array;
mod custom;
mod error;
mod file;
mod format;
#[cfg(feature = "frame")]
mod frame;
#[cfg(feature = "image")]
mod image_kind;
mod into;
#[cfg(feature = "json")]
mod json;
mod mime;
mod pyfmt;
mod staging;
mod text;

#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};

#[cfg(feature = "archive")]
pub(crate) use archive::extract_zip;
#[cfg(feature = "array")]
pub use array::{NpzArray, NpzElement};
pub use custom::Custom;
pub use error::KindError;
pub(crate) use format::FormatRequest;
pub use format::{ArrayFormat, Format, FrameFormat, ImageFormat};
pub use into::{Link, Text};
#[cfg(feature = "json")]
pub use json::Json;

/// An object ready to be serialised; built by [`IntoArtifact`]. Crate-internal: users pass their values
/// (frames, arrays, paths, ...) and never name this type.
#[derive(Debug, Clone)]
pub enum ArtifactObject {
    /// A data frame: stored as `.csv.gz` (pandas `to_csv` through gzip) or `.parquet`.
    #[cfg(feature = "frame")]
    Frame {
        /// The frame.
        frame: polars::prelude::DataFrame,
    },
    /// A JSON value (ClearML "dict"): stored as `json.dumps(sort_keys=True, indent=4)`.
    #[cfg(feature = "json")]
    Json(serde_json::Value),
    /// An n-dimensional array: stored as a compressed `.npz` (or `.csv.gz` for 1-D/2-D arrays).
    #[cfg(feature = "array")]
    Array(NpzArray),
    /// An image: stored as `.png` (or `.jpg`).
    #[cfg(feature = "image")]
    Image(image::DynamicImage),
    /// A local file, uploaded as is.
    File(PathBuf),
    /// A local folder, zipped recursively.
    Folder(PathBuf),
    /// A wildcard such as `data/*.jpg` or `data/**/*.png`: zip of the matches, named `<folder>.zip`.
    Wildcard(String),
    /// A list of files: zip named `<artifact name>.zip`, entries relative to their common folder.
    Files(Vec<PathBuf>),
    /// Text: stored as `<name>.txt`.
    Text(String),
    /// A remote URL (`s3://`, `gs://`, `azure://`, `http(s)://`): registered, nothing uploaded.
    Link(String),
    /// Bytes from a custom serializer, stored as `<name><extension>`.
    Custom {
        /// The serialised bytes.
        bytes: Vec<u8>,
        /// The extension, with its dot (`.bin`), or empty.
        extension: String,
        /// The preview to store.
        preview: String,
    },
}

mod sealed {
    /// Only the SDK implements [`super::IntoArtifact`]: it converts into a crate-internal type.
    pub trait Sealed {}
}
pub(crate) use sealed::Sealed;

/// A value that can be uploaded as an artifact (implemented by the SDK for every supported type; sealed).
///
/// | value | stored as |
/// |---|---|
/// | polars `DataFrame` (feature `frame`) | `<name>.csv.gz` or `.parquet` |
/// | `serde_json::Value`, maps, [`Json`] (feature `json`) | `<name>.json` |
/// | ndarray arrays (feature `array`) | `<name>.npz` or `.csv.gz` |
/// | `image` images (feature `image`) | `<name>.png` or `.jpg` |
/// | a file path | the file as is |
/// | a folder path, a wildcard, a list of paths (feature `archive`) | a `.zip` |
/// | other strings, [`Text`] | `<name>.txt` |
/// | an `s3://`, `gs://`, `azure://`, `http(s)://` URL, [`Link`] | the link (nothing uploaded) |
/// | [`Custom`] | `<name><extension>` |
///
/// For a type of your own, serialise it with [`Custom`] (or wrap it in [`Json`] if it is `Serialize`).
pub trait IntoArtifact: Sealed {
    /// Convert; fails for missing paths and values that cannot be represented.
    #[doc(hidden)]
    fn into_artifact(self) -> Result<ArtifactObject, KindError>;
}

/// How to serialise (the user's choices of `upload_artifact`).
#[derive(Debug, Clone)]
pub(crate) struct SerializeOptions {
    /// The format asked for: typed, or an extension (`.csv.gz`/`.parquet` for frames, `.json` for dicts,
    /// `.png`/`.jpg`/`.jpeg` for images, `.npz`/`.csv.gz` for arrays). One the kind does not know is an error.
    pub format: Option<FormatRequest>,
    /// Frames: this column becomes the csv's leading index column (header cell empty), so
    /// `pd.read_csv(f, index_col=[0])` gives the frame back with that index. `None`: a `0..n-1` index.
    #[cfg_attr(not(feature = "frame"), allow(dead_code))]
    pub index_column: Option<String>,
    /// Frames: `false` writes no index column at all (registered frames, `data-audit-table`); the preview
    /// is then pandas' bare repr (the caller appends statistics), else repr + shape + dtypes.
    #[cfg_attr(not(feature = "frame"), allow(dead_code))]
    pub with_index: bool,
    /// gzip level for `.csv.gz` (0–9; ClearML uses 9). Frames whose CSV fits in one chunk (~4 MiB) and
    /// `clearml_identical` frames are one zlib stream at this level. Bigger frames are parallel gzip
    /// members compressed by libdeflate: level 9 uses the tuned level whose output is no bigger than zlib
    /// level 9's, other levels are passed to libdeflate as they are.
    #[cfg_attr(not(any(feature = "frame", feature = "array")), allow(dead_code))]
    pub gzip_level: u32,
    /// `.csv.gz` frames: always write ClearML's exact bytes (one zlib stream at `gzip_level`), whatever
    /// the size; slower for big frames. `false` (default): big frames are written as parallel gzip
    /// members, equal or smaller in size, same CSV once decompressed.
    #[cfg_attr(not(feature = "frame"), allow(dead_code))]
    pub clearml_identical: bool,
    /// Outputs of at most this many bytes stay in memory ([`Serialized::bytes`]) instead of a staging
    /// file (0, the default: always a file). The SDK uploads small artifacts from memory.
    pub memory_limit: usize,
}

impl Default for SerializeOptions {
    fn default() -> Self {
        Self {
            format: None,
            index_column: None,
            with_index: true,
            gzip_level: 9,
            clearml_identical: false,
            memory_limit: 0,
        }
    }
}

impl SerializeOptions {
    /// The extension to write `name` of ClearML type `kind` with (see [`format::resolve`]).
    #[cfg_attr(
        not(any(
            feature = "frame",
            feature = "array",
            feature = "image",
            feature = "json"
        )),
        allow(dead_code)
    )]
    fn extension(
        &self,
        name: &str,
        kind: &str,
        valid: &[&str],
        default: &str,
    ) -> Result<String, KindError> {
        format::resolve(name, self.format.as_ref(), kind, valid, default)
    }
}

/// A serialised artifact: what the record needs and where the bytes are.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Serialized {
    /// The ClearML artifact type: `pandas`, `dict`, `numpy`, `image`, `custom`, `archive`, `string`.
    pub kind: String,
    /// The file name in the URI (`None` for links).
    pub file_name: Option<String>,
    /// Local file holding the bytes (`None` for links and for bytes kept in memory).
    pub path: Option<PathBuf>,
    /// The bytes themselves, when they were small enough to stay in memory (see
    /// [`SerializeOptions::memory_limit`]).
    pub bytes: Option<bytes::Bytes>,
    /// `true` when `path` is a staging file trove created (the caller deletes it after upload).
    pub temp: bool,
    /// Hex SHA-256 of the bytes at `path`.
    pub hash: Option<String>,
    /// Size of the bytes at `path`.
    pub size: Option<u64>,
    /// `type_data.content_type`.
    pub content_type: Option<String>,
    /// The preview, already capped with [`trove_core::preview::cap_preview`].
    pub preview: String,
    /// The URL of a link artifact.
    pub link: Option<String>,
}

impl Serialized {
    fn staged(
        kind: &str,
        file_name: String,
        st: staging::Staged,
        content_type: Option<&str>,
        preview: String,
    ) -> Self {
        let (path, bytes) = match st.bytes {
            staging::StagedBytes::File(p) => (Some(p), None),
            staging::StagedBytes::Memory(b) => (None, Some(b)),
        };
        Serialized {
            kind: kind.to_string(),
            file_name: Some(file_name),
            path,
            bytes,
            temp: true,
            hash: Some(st.hash),
            size: Some(st.size),
            content_type: content_type.map(str::to_string),
            preview: trove_core::preview::cap_preview(preview),
            link: None,
        }
    }
}

/// The error for an object whose kind this build leaves out.
#[cfg_attr(feature = "archive", allow(dead_code))]
fn disabled(what: &'static str, feature: &'static str) -> KindError {
    KindError::FeatureDisabled { what, feature }
}

/// Serialise `obj` as artifact `name` into a staging file under `staging_dir`, or into memory when the
/// output is at most `opts.memory_limit` bytes (files and links are not copied). The hash is computed while
/// the bytes are written.
pub(crate) fn serialize(
    name: &str,
    obj: ArtifactObject,
    opts: &SerializeOptions,
    staging_dir: &Path,
) -> Result<Serialized, KindError> {
    match obj {
        #[cfg(feature = "frame")]
        ArtifactObject::Frame { frame } => frame::serialize(name, &frame, opts, staging_dir),
        #[cfg(feature = "json")]
        ArtifactObject::Json(v) => json::serialize(name, &v, opts, staging_dir),
        #[cfg(feature = "array")]
        ArtifactObject::Array(a) => array::serialize(name, &a, opts, staging_dir),
        #[cfg(feature = "image")]
        ArtifactObject::Image(img) => image_kind::serialize(name, &img, opts, staging_dir),
        // What is on disk decides: a file as is, a folder as a zip.
        ArtifactObject::File(p) | ArtifactObject::Folder(p) => serialize_path(&p, staging_dir),
        #[cfg(feature = "archive")]
        ArtifactObject::Wildcard(w) => archive::serialize_wildcard(&w, staging_dir),
        #[cfg(feature = "archive")]
        ArtifactObject::Files(list) => archive::serialize_files(name, &list, staging_dir),
        #[cfg(not(feature = "archive"))]
        ArtifactObject::Wildcard(_) => Err(disabled("uploading a wildcard (as a zip)", "archive")),
        #[cfg(not(feature = "archive"))]
        ArtifactObject::Files(_) => {
            Err(disabled("uploading a list of files (as a zip)", "archive"))
        }
        ArtifactObject::Text(t) => text::serialize_text(name, &t, opts.memory_limit, staging_dir),
        ArtifactObject::Link(url) => Ok(text::serialize_link(&url)),
        ArtifactObject::Custom {
            bytes,
            extension,
            preview,
        } => custom::serialize_custom(
            name,
            &bytes,
            &extension,
            preview,
            opts.memory_limit,
            staging_dir,
        ),
    }
}

/// A local path: the file as is, or a folder as a zip (with the `archive` feature).
fn serialize_path(p: &Path, staging_dir: &Path) -> Result<Serialized, KindError> {
    let is_dir = std::fs::metadata(p).is_ok_and(|m| m.is_dir());
    if !is_dir {
        return file::serialize_file(p);
    }
    #[cfg(feature = "archive")]
    return archive::serialize_folder(p, staging_dir);
    #[cfg(not(feature = "archive"))]
    {
        let _ = staging_dir;
        Err(disabled("uploading a folder (as a zip)", "archive"))
    }
}

/// Conversion of a downloaded artifact file back into a Rust value: the target of
/// [`crate::Artifact::get`]. Implement it to read artifacts into types of your own.
///
/// ```
/// use std::path::Path;
/// use trove::{FromArtifact, KindError};
///
/// /// The number of lines of a text artifact.
/// struct LineCount(usize);
///
/// impl FromArtifact for LineCount {
///     fn from_artifact(_kind: &str, _ct: Option<&str>, _name: &str, local: &Path) -> Result<Self, KindError> {
///         let text = std::fs::read_to_string(local).map_err(|e| KindError::io(local, e))?;
///         Ok(LineCount(text.lines().count()))
///     }
/// }
/// ```
pub trait FromArtifact: Sized {
    /// Read `local` (for archives: the extracted folder) as stored with type `kind` and `content_type`.
    fn from_artifact(
        kind: &str,
        content_type: Option<&str>,
        artifact_name: &str,
        local: &Path,
    ) -> Result<Self, KindError>;
}

impl FromArtifact for PathBuf {
    /// The local path itself (ClearML's fallback for `custom` and `archive` artifacts).
    fn from_artifact(_: &str, _: Option<&str>, _: &str, local: &Path) -> Result<Self, KindError> {
        if !local.exists() {
            return Err(KindError::MissingPath(local.to_path_buf()));
        }
        Ok(local.to_path_buf())
    }
}

fn read_all(path: &Path) -> Result<Vec<u8>, KindError> {
    std::fs::read(path).map_err(|e| KindError::io(path, e))
}
