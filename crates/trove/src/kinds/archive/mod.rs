//! Archive artifacts (`archive`): a folder, a wildcard or a list of files as a zip; and safe extraction of
//! downloaded archives (`extract`).

mod extract;
mod zip_parallel;

use std::io;
use std::path::{Component, Path, PathBuf};

use zip::ZipWriter;

use super::file::{base_name, missing_or_io};
use super::pyfmt::quote;
use super::staging::stage;
use super::{KindError, Serialized};
use zip_parallel::{Entry, write_entries};

pub(crate) use extract::extract_zip;

fn rel_posix(p: &Path, base: &Path) -> Option<String> {
    let rel = p.strip_prefix(base).ok()?;
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    Some(parts.join("/"))
}

/// Every file under `folder` (recursive, links followed, loops reported) whose name matches `pattern`
/// (all files when `None`), sorted by path components like Python's `sorted(Path.rglob(..))`.
fn walk(folder: &Path, pattern: Option<&glob::Pattern>) -> Result<Vec<Entry>, KindError> {
    let mut out = Vec::new();
    for item in walkdir::WalkDir::new(folder)
        .follow_links(true)
        .min_depth(1)
    {
        let item = match item {
            Ok(i) => i,
            Err(e) => {
                if let Some(anc) = e.loop_ancestor() {
                    let path = e.path().map(Path::to_path_buf).unwrap_or_default();
                    return Err(KindError::SymlinkLoop {
                        path,
                        ancestor: anc.to_path_buf(),
                    });
                }
                let path = e
                    .path()
                    .map(Path::to_path_buf)
                    .unwrap_or_else(|| folder.to_path_buf());
                let source = e
                    .into_io_error()
                    .unwrap_or_else(|| io::Error::other("walk failed"));
                return Err(KindError::Unreadable { path, source });
            }
        };
        if !item.file_type().is_file() {
            continue;
        }
        if let Some(pat) = pattern
            && !pat.matches(&item.file_name().to_string_lossy())
        {
            continue;
        }
        let arcname = rel_posix(item.path(), folder).unwrap_or_default();
        out.push(Entry {
            path: item.path().to_path_buf(),
            arcname,
        });
    }
    out.sort_by(|a, b| a.path.components().cmp(b.path.components()));
    Ok(out)
}

/// Write `entries` as a deflated zip into a staging file; returns the serialised description.
fn write_zip(
    entries: &[Entry],
    zip_stem: &str,
    file_name: String,
    preview_head: String,
    dir: &Path,
) -> Result<Serialized, KindError> {
    let mut preview = preview_head;
    let st = stage(dir, zip_stem, ".zip", |w| {
        let mut zw = ZipWriter::new_stream(w);
        write_entries(&mut zw, entries, &mut preview)?;
        zw.finish().map_err(|err| KindError::ser(zip_stem, err))?;
        Ok(())
    })?;
    Ok(Serialized::staged(
        "archive",
        file_name,
        st,
        Some("application/zip"),
        preview,
    ))
}

/// A folder: every file below it, recursively, as `<folder>.zip`; preview `Archive content <folder>/*:`.
pub(super) fn serialize_folder(p: &Path, dir: &Path) -> Result<Serialized, KindError> {
    let entries = walk(p, None)?;
    let base = base_name(p);
    let shown = p.to_string_lossy().replace('\\', "/");
    let head = format!("Archive content {}/*:\n", shown.trim_end_matches('/'));
    write_zip(&entries, &base, format!("{base}.zip"), head, dir)
}

/// Split a wildcard into its base folder (the components before the first one with `*`, `?` or `[`)
/// and the pattern below it.
fn split_wildcard(w: &str) -> (PathBuf, Vec<String>) {
    let mut base = PathBuf::new();
    let mut rest = Vec::new();
    for comp in Path::new(w).components() {
        let s = comp.as_os_str().to_string_lossy().into_owned();
        if rest.is_empty() && !s.contains(['*', '?', '[']) {
            base.push(comp.as_os_str());
        } else {
            rest.push(s);
        }
    }
    (base, rest)
}

fn bad_pattern(w: &str, e: impl ToString) -> KindError {
    KindError::BadPattern {
        pattern: w.to_string(),
        reason: e.to_string(),
    }
}

/// The files a wildcard selects and its base folder. A single-component pattern (`data/*.jpg`) matches
/// file names at any depth like Python's `rglob`; a deeper one (`data/**/*.png`, `data/*/x.txt`) is a
/// glob over paths relative to the base folder.
fn wildcard_entries(w: &str) -> Result<(PathBuf, Vec<Entry>), KindError> {
    let (base, rest) = split_wildcard(w);
    let folder = if base.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        base
    };
    if !folder.is_dir() {
        return Err(KindError::MissingPath(folder));
    }
    if rest.is_empty() {
        return Ok((folder.clone(), walk(&folder, None)?));
    }
    let entries = if rest.len() == 1 {
        let pat = glob::Pattern::new(&rest[0]).map_err(|e| bad_pattern(w, e))?;
        walk(&folder, Some(&pat))?
    } else {
        let pat = glob::Pattern::new(&rest.join("/")).map_err(|e| bad_pattern(w, e))?;
        let opts = glob::MatchOptions {
            require_literal_separator: true,
            ..Default::default()
        };
        walk(&folder, None)?
            .into_iter()
            .filter(|e| pat.matches_with(&e.arcname, opts))
            .collect()
    };
    Ok((folder, entries))
}

/// Does `w` select at least one file? (ClearML's test for turning a string into a wildcard.)
pub(super) fn wildcard_matches(w: &str) -> bool {
    matches!(wildcard_entries(w), Ok((_, e)) if !e.is_empty())
}

/// A wildcard: the matching files as `<base folder>.zip`, arcnames relative to the base folder.
pub(super) fn serialize_wildcard(w: &str, dir: &Path) -> Result<Serialized, KindError> {
    let (folder, entries) = wildcard_entries(w)?;
    if entries.is_empty() {
        return Err(KindError::NoMatch(w.to_string()));
    }
    let base = base_name(&folder);
    let head = format!("Archive content {}:\n", w.replace('\\', "/"));
    write_zip(&entries, &base, format!("{base}.zip"), head, dir)
}

fn absolute(p: &Path) -> PathBuf {
    let abs = std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let mut out = PathBuf::new();
    for c in abs.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// A list of files: `quote(name).zip`, arcnames relative to the files' common folder.
pub(super) fn serialize_files(
    name: &str,
    list: &[PathBuf],
    dir: &Path,
) -> Result<Serialized, KindError> {
    if list.is_empty() {
        return Err(KindError::ser(name, "the list of files is empty"));
    }
    let mut abs = Vec::with_capacity(list.len());
    for p in list {
        let meta = std::fs::metadata(p).map_err(|e| missing_or_io(p, e))?;
        if !meta.is_file() {
            return Err(KindError::ser(
                name,
                format!("'{}' is not a file; pass folders on their own", p.display()),
            ));
        }
        abs.push(absolute(p));
    }
    let mut common: PathBuf = abs[0].parent().map(Path::to_path_buf).unwrap_or_default();
    for p in &abs[1..] {
        while !p.starts_with(&common) {
            if !common.pop() {
                break;
            }
        }
    }
    let mut entries: Vec<Entry> = abs
        .into_iter()
        .map(|path| {
            let arcname =
                rel_posix(&path, &common).unwrap_or_else(|| path.to_string_lossy().into_owned());
            Entry { path, arcname }
        })
        .collect();
    entries.sort_by(|a, b| a.path.components().cmp(b.path.components()));
    entries.dedup_by(|a, b| a.path == b.path);
    let file_name = format!("{}.zip", quote(name));
    write_zip(&entries, name, file_name, "Archive content:\n".into(), dir)
}
