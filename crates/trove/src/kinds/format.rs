//! Typed storage formats: which file format an artifact is written in, per kind.
//!
//! [`crate::UploadOptions::format`] takes one of these. A format of another kind than the object (a
//! [`FrameFormat`] for an image, say) is an error when the artifact is serialised, as is an extension the
//! kind does not know (deprecated [`crate::UploadOptions::extension`]).

use super::KindError;

/// How a data frame (`pandas` artifact) is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum FrameFormat {
    /// `<name>.csv.gz`: pandas' `to_csv` text, gzip-compressed (ClearML's default, byte-identical for
    /// frames up to one ~4 MiB chunk).
    #[default]
    CsvGz,
    /// `<name>.parquet`.
    Parquet,
}

/// How an n-dimensional array (`numpy` artifact) is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ArrayFormat {
    /// `<name>.npz`: compressed, the array under key `<name>` (numpy's `np.load(f)[name]`).
    #[default]
    Npz,
    /// `<name>.csv.gz`: `np.savetxt` text, for arrays of at most 2 dimensions.
    CsvGz,
}

/// How an image is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ImageFormat {
    /// `<name>.png` (lossless; the default).
    #[default]
    Png,
    /// `<name>.jpg` (quality 75, 8-bit grey or RGB).
    Jpeg,
}

/// A storage format for one kind of artifact; built from [`FrameFormat`], [`ArrayFormat`] or
/// [`ImageFormat`] with `.into()` (what [`crate::UploadOptions::format`] does).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Format {
    /// A data-frame format.
    Frame(FrameFormat),
    /// An array format.
    Array(ArrayFormat),
    /// An image format.
    Image(ImageFormat),
}

impl From<FrameFormat> for Format {
    fn from(f: FrameFormat) -> Self {
        Format::Frame(f)
    }
}

impl From<ArrayFormat> for Format {
    fn from(f: ArrayFormat) -> Self {
        Format::Array(f)
    }
}

impl From<ImageFormat> for Format {
    fn from(f: ImageFormat) -> Self {
        Format::Image(f)
    }
}

impl Format {
    /// The file extension, with its dot (`.parquet`).
    pub fn extension(self) -> &'static str {
        match self {
            Format::Frame(FrameFormat::CsvGz) | Format::Array(ArrayFormat::CsvGz) => ".csv.gz",
            Format::Frame(FrameFormat::Parquet) => ".parquet",
            Format::Array(ArrayFormat::Npz) => ".npz",
            Format::Image(ImageFormat::Png) => ".png",
            Format::Image(ImageFormat::Jpeg) => ".jpg",
        }
    }

    /// The ClearML artifact type this format belongs to (`pandas`, `numpy`, `image`).
    fn kind(self) -> &'static str {
        match self {
            Format::Frame(_) => "pandas",
            Format::Array(_) => "numpy",
            Format::Image(_) => "image",
        }
    }
}

/// What the user asked for: a typed format, or (deprecated) an extension string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FormatRequest {
    /// A typed format.
    Typed(Format),
    /// An extension such as `.parquet`, checked against the kind's list when serialising.
    Extension(String),
}

/// The extension to write artifact `name` of ClearML type `kind` with: the default when nothing was asked,
/// the requested one when the kind has it, else an error listing the valid ones.
pub(crate) fn resolve(
    name: &str,
    request: Option<&FormatRequest>,
    kind: &str,
    valid: &[&str],
    default: &str,
) -> Result<String, KindError> {
    let given = match request {
        None => return Ok(default.to_string()),
        Some(FormatRequest::Extension(e)) if e.is_empty() => return Ok(default.to_string()),
        Some(FormatRequest::Extension(e)) if valid.contains(&e.as_str()) => {
            return Ok(e.clone());
        }
        Some(FormatRequest::Typed(f)) if f.kind() == kind => return Ok(f.extension().to_string()),
        Some(FormatRequest::Extension(e)) => e.clone(),
        Some(FormatRequest::Typed(f)) => format!("{} ({f:?})", f.extension()),
    };
    Err(KindError::InvalidFormat {
        name: name.to_string(),
        kind: kind.to_string(),
        given,
        valid: valid.join(", "),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_formats_resolve_to_their_kind_only() {
        let pq = FormatRequest::Typed(FrameFormat::Parquet.into());
        let valid = [".csv.gz", ".parquet"];
        assert_eq!(
            resolve("f", Some(&pq), "pandas", &valid, ".csv.gz").unwrap(),
            ".parquet"
        );
        assert_eq!(
            resolve("f", None, "pandas", &valid, ".csv.gz").unwrap(),
            ".csv.gz"
        );
        let err = resolve("i", Some(&pq), "image", &[".png"], ".png").unwrap_err();
        assert!(err.to_string().contains("Parquet"), "{err}");
        let bad = FormatRequest::Extension(".xlsx".into());
        let err = resolve("f", Some(&bad), "pandas", &valid, ".csv.gz").unwrap_err();
        assert!(err.to_string().contains(".xlsx"), "{err}");
        assert!(err.to_string().contains(".csv.gz, .parquet"), "{err}");
    }
}
