//! Arrays as a compressed `.npz` (`np.savez_compressed(f, **{name: arr})`), and back.

use std::io::{Read, Write};
use std::path::Path;

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use super::NpzArray;
use crate::kinds::KindError;

/// Write `a` as a one-member npz (`<name>.npy`, deflated) into `w`.
pub(super) fn write<W: Write>(name: &str, a: &NpzArray, w: W) -> Result<(), KindError> {
    let mut zw = ZipWriter::new_stream(w);
    let o = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(6))
        .large_file(a.nbytes() >= u64::from(u32::MAX) - 1024);
    zw.start_file(format!("{name}.npy"), o)
        .map_err(|e| KindError::ser(name, e))?;
    a.write_npy_to(&mut zw)
        .map_err(|e| KindError::ser(name, e))?;
    zw.finish().map_err(|e| KindError::ser(name, e))?;
    Ok(())
}

pub(super) fn read(name: &str, local: &Path) -> Result<NpzArray, KindError> {
    let f = std::fs::File::open(local).map_err(|e| KindError::io(local, e))?;
    let mut z = zip::ZipArchive::new(f).map_err(|e| KindError::bad("npz", local, e))?;
    let wanted = format!("{name}.npy");
    let idx = z.index_for_name(&wanted).or_else(|| {
        (0..z.len()).find(|i| {
            z.name_for_index(*i)
                .and_then(Result::ok)
                .is_some_and(|n| n.ends_with(".npy"))
        })
    });
    let idx = idx.ok_or_else(|| {
        KindError::bad(
            "npz",
            local,
            format!("no member '{wanted}' and no .npy member"),
        )
    })?;
    let mut entry = z
        .by_index(idx)
        .map_err(|e| KindError::bad("npz", local, e))?;
    let mut bytes = Vec::with_capacity(entry.size() as usize);
    entry
        .read_to_end(&mut bytes)
        .map_err(|e| KindError::bad("npz", local, e))?;
    NpzArray::read_npy(&bytes).map_err(|e| {
        if e.starts_with("unsupported dtype") {
            KindError::UnsupportedDtype(e)
        } else {
            KindError::bad("npy", local, e)
        }
    })
}
