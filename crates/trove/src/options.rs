//! Options of uploads and registrations: plain data, no I/O ([`UploadOptions`], [`RegisterOptions`]).

use crate::kinds::{Format, FormatRequest};
use crate::progress::ProgressHook;
#[cfg(feature = "frame")]
use crate::tracked::Uniqueness;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Extra attempts the SDK makes after an upload fails in a way that may be transient, unless
/// [`UploadOptions::retries`] says otherwise. The storage client already retries what it knows to be
/// transient (`[storage] max_retries`); these cover the rest, e.g. a connection cut in a way the client
/// cannot classify. Every upload writes a whole object under its own key, so trying again is safe; a
/// missing folder or bad credentials fail at once.
pub const DEFAULT_UPLOAD_RETRIES: u32 = 2;

/// Options of [`crate::Task::upload_artifact_with`]; `UploadOptions::default()` is what
/// [`crate::Task::upload_artifact`] uses.
///
/// ```
/// use trove::{FrameFormat, UploadOptions};
///
/// let opts = UploadOptions::default()
///     .format(FrameFormat::Parquet)   // instead of the default csv.gz
///     .index_column("")               // the frame's "" column is its index
///     .metadata("rows", 4)
///     .wait(true);                    // return once the bytes are stored
/// assert_eq!(opts.metadata["rows"], "4");
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct UploadOptions {
    /// Metadata pairs (values are stored as strings).
    pub metadata: BTreeMap<String, String>,
    /// Replace the automatic preview.
    pub preview: Option<String>,
    /// Frames: the column that is the row index (written first, read back by pandas as the index).
    pub index_column: Option<String>,
    /// Upload before returning (the record is published once the bytes are there).
    pub wait: bool,
    /// Delete the user's local file after a successful upload (files trove made are always deleted).
    pub delete_after_upload: bool,
    /// Extra attempts after a failed upload (default [`DEFAULT_UPLOAD_RETRIES`]).
    pub retries: u32,
    /// csv.gz frames: write bytes identical to ClearML's (one zlib level-9 stream) whatever the size;
    /// slower for big frames.
    pub clearml_identical: bool,
    /// The storage format (set with [`UploadOptions::format`]).
    pub(crate) format: Option<FormatRequest>,
    /// Called with the cumulative number of bytes sent (set with [`UploadOptions::progress`]).
    pub(crate) progress: Option<ProgressHook>,
}

impl Default for UploadOptions {
    fn default() -> Self {
        Self {
            metadata: BTreeMap::new(),
            preview: None,
            index_column: None,
            wait: false,
            delete_after_upload: false,
            retries: DEFAULT_UPLOAD_RETRIES,
            clearml_identical: false,
            format: None,
            progress: None,
        }
    }
}

impl UploadOptions {
    /// Add one metadata pair.
    pub fn metadata(mut self, key: impl Into<String>, value: impl ToString) -> Self {
        self.metadata.insert(key.into(), value.to_string());
        self
    }
    /// Set the preview text.
    pub fn preview(mut self, text: impl Into<String>) -> Self {
        self.preview = Some(text.into());
        self
    }
    /// Store the object in this format ([`crate::FrameFormat`], [`crate::ArrayFormat`],
    /// [`crate::ImageFormat`]). A format of another kind than the object is an error at upload.
    pub fn format(mut self, format: impl Into<Format>) -> Self {
        self.format = Some(FormatRequest::Typed(format.into()));
        self
    }
    /// Choose the format by extension (`.parquet`, `.csv.gz`, `.npz`, `.png`, `.jpg`, `.json`). An extension
    /// the object's kind does not know is an error at upload.
    #[deprecated(
        since = "0.2.0",
        note = "use UploadOptions::format(FrameFormat::Parquet) (or ArrayFormat, ImageFormat)"
    )]
    pub fn extension(mut self, ext: impl Into<String>) -> Self {
        self.format = Some(FormatRequest::Extension(ext.into()));
        self
    }
    /// Name the frame's index column.
    pub fn index_column(mut self, col: impl Into<String>) -> Self {
        self.index_column = Some(col.into());
        self
    }
    /// Wait for the upload.
    pub fn wait(mut self, wait: bool) -> Self {
        self.wait = wait;
        self
    }
    /// Delete the local file after upload.
    pub fn delete_after_upload(mut self, yes: bool) -> Self {
        self.delete_after_upload = yes;
        self
    }
    /// Retry a failed upload this many times (0: fail on the first error the storage client gives up on).
    pub fn retries(mut self, n: u32) -> Self {
        self.retries = n;
        self
    }
    /// csv.gz frames: write bytes identical to ClearML's (one zlib level-9 stream) whatever the size;
    /// slower for big frames.
    pub fn clearml_identical(mut self, yes: bool) -> Self {
        self.clearml_identical = yes;
        self
    }
    /// Call `f` with the cumulative number of bytes sent while the artifact's bytes are uploaded (from the
    /// upload's thread or task; a retried upload starts again from 0).
    pub fn progress(mut self, f: Arc<dyn Fn(u64) + Send + Sync>) -> Self {
        self.progress = Some(ProgressHook(f));
        self
    }
}

/// Options of [`crate::Task::register_artifact_with`].
///
/// ```
/// use trove::{RegisterOptions, Uniqueness};
///
/// let opts = RegisterOptions::default()
///     .metadata("counting", "legs")
///     .uniqueness(Uniqueness::Columns(vec!["num_legs".into()]));
/// assert_eq!(opts.metadata["counting"], "legs");
/// ```
#[cfg(feature = "frame")]
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct RegisterOptions {
    /// Metadata pairs (stored as strings).
    pub metadata: BTreeMap<String, String>,
    /// Columns that make a row unique, for the statistics line of the preview.
    pub uniqueness: Uniqueness,
}

#[cfg(feature = "frame")]
impl RegisterOptions {
    /// Add one metadata pair.
    pub fn metadata(mut self, key: impl Into<String>, value: impl ToString) -> Self {
        self.metadata.insert(key.into(), value.to_string());
        self
    }
    /// Set the uniqueness columns.
    pub fn uniqueness(mut self, uniqueness: Uniqueness) -> Self {
        self.uniqueness = uniqueness;
        self
    }
}
