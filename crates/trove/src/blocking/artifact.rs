//! The blocking [`Artifact`].

use crate::artifact;
use crate::error::Result;
use crate::kinds::FromArtifact;
use crate::runtime::OwnedRuntime;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use trove_core::{ArtifactRecord, ArtifactVersion, UploadState};

/// An artifact of a task: its record, and the means to fetch it. Cheap to clone.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let dir = tempfile::tempdir()?;
/// # let trove = trove::Trove::builder().home(dir.path()).build()?;
/// # let task = trove.create_task("examples", "artifact example")?;
/// task.upload_artifact("dictionary", serde_json::json!({"num_legs": {"falcon": 2}}))?;
/// let artifact = task.artifact("dictionary")?;
/// assert_eq!(artifact.kind(), "dict");
/// let value: serde_json::Value = artifact.get()?;      // the object
/// assert_eq!(value["num_legs"]["falcon"], 2);
/// let path = artifact.local_copy()?;                   // the bytes, hash-verified, cached
/// assert!(path.ends_with("dictionary.json"));
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct Artifact {
    inner: artifact::Artifact,
    rt: Arc<OwnedRuntime>,
}

impl Artifact {
    pub(crate) fn new(inner: artifact::Artifact, rt: Arc<OwnedRuntime>) -> Self {
        Self { inner, rt }
    }

    /// The artifact's name.
    pub fn name(&self) -> &str {
        self.inner.name()
    }
    /// Its kind (`pandas`, `numpy`, `archive`, …).
    pub fn kind(&self) -> &str {
        self.inner.kind()
    }
    /// Where the bytes are.
    pub fn uri(&self) -> Option<&str> {
        self.inner.uri()
    }
    /// Stored size in bytes.
    pub fn size(&self) -> Option<u64> {
        self.inner.size()
    }
    /// SHA-256 of the stored bytes.
    pub fn hash(&self) -> Option<&str> {
        self.inner.hash()
    }
    /// Metadata pairs.
    pub fn metadata(&self) -> BTreeMap<String, String> {
        self.inner.metadata()
    }
    /// Preview text.
    pub fn preview(&self) -> &str {
        self.inner.preview()
    }
    /// Upload state.
    pub fn state(&self) -> UploadState {
        self.inner.state()
    }
    /// The whole record.
    pub fn record(&self) -> &ArtifactRecord {
        self.inner.record()
    }

    /// The object: `DataFrame`, `serde_json::Value` (or `Json<T>`), ndarray arrays, images, `String`,
    /// or a `PathBuf` (files; archives come back extracted).
    pub fn get<T: FromArtifact>(&self) -> Result<T> {
        let local = self.local_copy()?;
        artifact::decode(self.inner.record(), &local, true)
    }

    /// A verified local copy of the bytes, downloaded once into `$TROVE_HOME/cache/<sha256>/` and reused.
    pub fn local_copy(&self) -> Result<PathBuf> {
        self.rt.block_on(self.inner.local_copy())?
    }

    /// [`Artifact::local_copy`], calling `progress` with the cumulative number of bytes received while
    /// downloading (not at all when the cache already holds the bytes).
    pub fn local_copy_with_progress(
        &self,
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> Result<PathBuf> {
        self.rt
            .block_on(self.inner.local_copy_with_progress(progress))?
    }

    /// Every version of a registered artifact, oldest first (one entry per upload).
    pub fn versions(&self) -> Result<Vec<ArtifactVersion>> {
        self.rt.block_on(self.inner.versions())?
    }

    /// The object as it was at version `n` (1 = first upload).
    pub fn get_version<T: FromArtifact>(&self, n: u32) -> Result<T> {
        let (record, local) = self.rt.block_on(self.inner.version_copy(n))??;
        artifact::decode(&record, &local, false)
    }

    /// A verified local copy of the bytes.
    #[deprecated(since = "0.2.0", note = "use Artifact::local_copy")]
    pub fn get_local_copy(&self) -> Result<PathBuf> {
        self.local_copy()
    }

    /// A verified local copy of the bytes, with download progress.
    #[deprecated(since = "0.2.0", note = "use Artifact::local_copy_with_progress")]
    pub fn get_local_copy_with_progress(
        &self,
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> Result<PathBuf> {
        self.local_copy_with_progress(progress)
    }
}
