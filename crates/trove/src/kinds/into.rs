//! [`IntoArtifact`] for paths and strings (ClearML's dispatch), [`Text`] and [`Link`]. The other kinds
//! implement it in their own modules.

use std::path::{Path, PathBuf};

use super::{ArtifactObject, IntoArtifact, KindError, Sealed};

/// A string stored as text, never interpreted as a path or URL.
#[derive(Debug, Clone, PartialEq)]
pub struct Text(pub String);

/// A remote URL registered as a link artifact (nothing uploaded), whatever its scheme.
#[derive(Debug, Clone, PartialEq)]
pub struct Link(pub String);

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

impl Sealed for &Path {}
impl IntoArtifact for &Path {
    /// A file or a folder, decided by what is on disk; a missing path is an error.
    fn into_artifact(self) -> Result<ArtifactObject, KindError> {
        path_object(self)
    }
}

impl Sealed for PathBuf {}
impl IntoArtifact for PathBuf {
    fn into_artifact(self) -> Result<ArtifactObject, KindError> {
        path_object(&self)
    }
}

impl Sealed for &PathBuf {}
impl IntoArtifact for &PathBuf {
    fn into_artifact(self) -> Result<ArtifactObject, KindError> {
        path_object(self)
    }
}

impl Sealed for Vec<PathBuf> {}
impl IntoArtifact for Vec<PathBuf> {
    fn into_artifact(self) -> Result<ArtifactObject, KindError> {
        Ok(ArtifactObject::Files(self))
    }
}

impl Sealed for &[PathBuf] {}
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
pub(crate) fn dispatch_str(s: &str) -> ArtifactObject {
    if !s.is_empty() && s.len() < 2048 {
        let p = Path::new(s);
        if p.exists() {
            if let Ok(o) = path_object(p) {
                return o;
            }
        } else if s.contains(['*', '?'])
            && p.parent().is_some_and(|f| !f.as_os_str().is_empty())
            && (wildcard_root_is_dir(s) || wildcard_matches(s))
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

impl Sealed for &str {}
impl IntoArtifact for &str {
    /// See [`dispatch_str`].
    fn into_artifact(self) -> Result<ArtifactObject, KindError> {
        Ok(dispatch_str(self))
    }
}

impl Sealed for String {}
impl IntoArtifact for String {
    /// See [`dispatch_str`].
    fn into_artifact(self) -> Result<ArtifactObject, KindError> {
        Ok(dispatch_str(&self))
    }
}

impl Sealed for &String {}
impl IntoArtifact for &String {
    /// See [`dispatch_str`].
    fn into_artifact(self) -> Result<ArtifactObject, KindError> {
        Ok(dispatch_str(self))
    }
}

impl Sealed for Text {}
impl IntoArtifact for Text {
    fn into_artifact(self) -> Result<ArtifactObject, KindError> {
        Ok(ArtifactObject::Text(self.0))
    }
}

impl Sealed for Link {}
impl IntoArtifact for Link {
    fn into_artifact(self) -> Result<ArtifactObject, KindError> {
        Ok(ArtifactObject::Link(self.0))
    }
}

/// Does `w` select at least one file? Without the `archive` feature nothing is matched here: a pattern
/// under an existing folder is still a wildcard, and uploading it says which feature it needs.
#[cfg(feature = "archive")]
fn wildcard_matches(w: &str) -> bool {
    super::archive::wildcard_matches(w)
}

#[cfg(not(feature = "archive"))]
fn wildcard_matches(_: &str) -> bool {
    false
}
