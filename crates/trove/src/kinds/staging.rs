//! Staging: a kind serialises into a [`StageWriter`], hashed while written. Small outputs (up to the
//! caller's memory limit) stay in memory and are uploaded from there: creating and deleting a file per
//! artifact costs more than the artifact itself when there are thousands of small ones. Bigger outputs
//! spill to a staging file under the caller's staging folder, renamed into its unique final name only once
//! complete.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use trove_core::HashingWriter;

use super::KindError;
use super::pyfmt::quote;

/// The writer a kind serialises into: bytes go to memory or the staging file, and through SHA-256.
pub type StageWriter = HashingWriter<StageSink>;

/// Memory first, a hidden partial file in the staging folder once the limit is passed.
pub struct StageSink {
    mem: Vec<u8>,
    limit: usize,
    dir: PathBuf,
    partial: Option<(tempfile::NamedTempFile, BufWriter<File>)>,
}

impl StageSink {
    fn spill(&mut self) -> std::io::Result<&mut BufWriter<File>> {
        if self.partial.is_none() {
            let partial = tempfile::Builder::new()
                .prefix(".partial-")
                .tempfile_in(&self.dir)?;
            let mut file = BufWriter::with_capacity(1 << 16, partial.reopen()?);
            file.write_all(&self.mem)?;
            self.mem = Vec::new();
            self.partial = Some((partial, file));
        }
        match &mut self.partial {
            Some((_, f)) => Ok(f),
            None => Err(std::io::Error::other("staging file missing")),
        }
    }
}

impl Write for StageSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.partial.is_none() && self.mem.len() + buf.len() <= self.limit {
            self.mem.extend_from_slice(buf);
            return Ok(buf.len());
        }
        self.spill()?.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.partial {
            Some((_, f)) => f.flush(),
            None => Ok(()),
        }
    }
}

/// Where staged bytes are.
#[derive(Debug, Clone, PartialEq)]
pub enum StagedBytes {
    /// A complete staging file (unique in the staging folder).
    File(PathBuf),
    /// In memory (at most the memory limit).
    Memory(bytes::Bytes),
}

/// Complete staged bytes.
pub struct Staged {
    /// Where they are.
    pub bytes: StagedBytes,
    /// Hex SHA-256 of the bytes.
    pub hash: String,
    /// Size in bytes.
    pub size: u64,
}

/// Write a staging file named `<quote(stem)>.<random><ext>` in `dir` with `write`, hashing as it goes.
/// The bytes go to a hidden partial file that is renamed over the reserved unique name when done, so
/// the returned path is complete; on error nothing is left behind.
#[cfg_attr(not(any(feature = "frame", feature = "archive")), allow(dead_code))]
pub fn stage<F>(dir: &Path, stem: &str, ext: &str, write: F) -> Result<Staged, KindError>
where
    F: FnOnce(&mut StageWriter) -> Result<(), KindError>,
{
    stage_limited(dir, stem, ext, 0, write)
}

/// [`stage`], keeping outputs of at most `memory_limit` bytes in memory instead of a file.
pub fn stage_limited<F>(
    dir: &Path,
    stem: &str,
    ext: &str,
    memory_limit: usize,
    write: F,
) -> Result<Staged, KindError>
where
    F: FnOnce(&mut StageWriter) -> Result<(), KindError>,
{
    std::fs::create_dir_all(dir).map_err(|e| KindError::io(dir, e))?;
    let sink = StageSink {
        mem: Vec::new(),
        limit: memory_limit,
        dir: dir.to_path_buf(),
        partial: None,
    };
    let mut w = HashingWriter::new(sink);
    write(&mut w)?;
    let (mut sink, hash, size) = w.finish();
    if memory_limit == 0 {
        // Callers without a memory limit always get a file, even an empty one.
        sink.spill().map_err(|e| KindError::io(dir, e))?;
    }
    let Some((partial, file)) = sink.partial else {
        return Ok(Staged {
            bytes: StagedBytes::Memory(bytes::Bytes::from(sink.mem)),
            hash,
            size,
        });
    };
    let mut file = file
        .into_inner()
        .map_err(|e| KindError::io(partial.path(), e.into_error()))?;
    file.flush().map_err(|e| KindError::io(partial.path(), e))?;
    drop(file);
    let mut prefix: String = quote(stem).chars().take(80).collect();
    prefix.push('.');
    let reserved = tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(ext)
        .tempfile_in(dir)
        .map_err(|e| KindError::io(dir, e))?;
    let (_, final_path) = reserved.keep().map_err(|e| KindError::io(dir, e.error))?;
    partial.persist(&final_path).map_err(|e| {
        let _ = std::fs::remove_file(&final_path);
        KindError::io(&final_path, e.error)
    })?;
    Ok(Staged {
        bytes: StagedBytes::File(final_path),
        hash,
        size,
    })
}

/// Map an I/O error raised while writing a staging file.
pub fn wio(name: &str) -> impl Fn(std::io::Error) -> KindError + '_ {
    move |e| KindError::ser(name, format!("writing the staging file failed: {e}"))
}
