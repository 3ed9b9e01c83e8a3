//! Folder archives, compressed on every core. Deflate is what a zip of many small files spends its time on,
//! so consecutive small entries are grouped into batches of about [`BATCH_BYTES`], each batch is compressed
//! into a small in-memory zip on a worker thread, and the main thread copies the compressed entries into the
//! output in their original order (`raw_copy_file`: no second compression). Entries bigger than a batch are
//! streamed straight into the output, so memory stays bounded by a few batches whatever the file sizes.

use std::fs::File;
use std::io::{self, Cursor, Seek, Write};
use std::path::PathBuf;

use trove_core::preview::format_size;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

use super::KindError;

/// Input bytes per batch compressed by one worker.
const BATCH_BYTES: u64 = 2 * 1024 * 1024;

/// One file to archive: its path on disk and its name inside the zip.
pub(super) struct Entry {
    pub path: PathBuf,
    pub arcname: String,
}

fn unreadable(e: &Entry) -> impl Fn(io::Error) -> KindError + '_ {
    move |source| KindError::Unreadable {
        path: e.path.clone(),
        source,
    }
}

/// Days since 1970-01-01 to a civil date (proleptic Gregorian).
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn zip_time(meta: &std::fs::Metadata) -> zip::DateTime {
    let secs = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_secs() as i64);
    let (y, mo, d) = civil(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    let y = y.clamp(1980, 2107) as u16;
    zip::DateTime::from_date_and_time(
        y,
        mo as u8,
        d as u8,
        (s / 3600) as u8,
        (s / 60 % 60) as u8,
        (s % 60) as u8,
    )
    .unwrap_or_default()
}

/// Open an entry and the options it is stored with (deflate level 6, its mtime and mode), and its size.
fn open(e: &Entry) -> Result<(File, SimpleFileOptions, u64), KindError> {
    let f = File::open(&e.path).map_err(unreadable(e))?;
    let meta = f.metadata().map_err(unreadable(e))?;
    #[cfg(unix)]
    let mode = std::os::unix::fs::PermissionsExt::mode(&meta.permissions());
    #[cfg(not(unix))]
    let mode = 0o644;
    let opts = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(6))
        .last_modified_time(zip_time(&meta))
        .unix_permissions(mode & 0o7777)
        .large_file(meta.len() >= u64::from(u32::MAX));
    Ok((f, opts, meta.len()))
}

/// Compress `entry` into `zw`, returning its size.
fn add<W: Write + Seek>(zw: &mut ZipWriter<W>, e: &Entry) -> Result<u64, KindError> {
    let (mut f, opts, len) = open(e)?;
    zw.start_file(e.arcname.as_str(), opts)
        .map_err(|err| KindError::ser(&e.arcname, err))?;
    io::copy(&mut f, zw).map_err(unreadable(e))?;
    Ok(len)
}

/// A batch compressed into an in-memory zip, and each entry's size.
type Compressed = Result<(Vec<u8>, Vec<u64>), KindError>;

/// Compress a batch into an in-memory zip.
fn compress_batch(batch: &[Entry]) -> Compressed {
    let mut zw = ZipWriter::new(Cursor::new(Vec::new()));
    let mut sizes = Vec::with_capacity(batch.len());
    for e in batch {
        sizes.push(add(&mut zw, e)?);
    }
    let out = zw
        .finish()
        .map_err(|err| KindError::ser("archive batch", err))?;
    Ok((out.into_inner(), sizes))
}

/// What to do next: compress a run of small entries on the workers, or stream one big entry.
enum Item<'a> {
    Batch(&'a [Entry]),
    Big(&'a Entry),
}

fn plan(entries: &[Entry]) -> Vec<Item<'_>> {
    let mut items = Vec::new();
    let (mut start, mut bytes) = (0, 0u64);
    for (i, e) in entries.iter().enumerate() {
        let len = std::fs::metadata(&e.path).map_or(0, |m| m.len());
        if len > BATCH_BYTES {
            if start < i {
                items.push(Item::Batch(&entries[start..i]));
            }
            items.push(Item::Big(e));
            (start, bytes) = (i + 1, 0);
            continue;
        }
        bytes += len;
        if bytes >= BATCH_BYTES {
            items.push(Item::Batch(&entries[start..=i]));
            (start, bytes) = (i + 1, 0);
        }
    }
    if start < entries.len() {
        items.push(Item::Batch(&entries[start..]));
    }
    items
}

/// Write every entry into `zw` in order (batches compressed in parallel), appending `"<name> - <size>"` lines
/// to `preview`.
pub(super) fn write_entries<W: Write + Seek>(
    zw: &mut ZipWriter<W>,
    entries: &[Entry],
    preview: &mut String,
) -> Result<(), KindError> {
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let items = plan(entries);
    let mut i = 0;
    while i < items.len() {
        if let Item::Big(e) = &items[i] {
            let len = add(zw, e)?;
            preview.push_str(&format!("{} - {}\n", e.arcname, format_size(len)));
            i += 1;
            continue;
        }
        // A wave: up to two batches per core, compressed at once, then copied in order.
        let mut wave = Vec::new();
        while i < items.len() && wave.len() < 2 * workers {
            match &items[i] {
                Item::Batch(b) => wave.push(*b),
                Item::Big(_) => break,
            }
            i += 1;
        }
        let done: Vec<Compressed> = if wave.len() == 1 || workers == 1 {
            wave.iter().map(|b| compress_batch(b)).collect()
        } else {
            std::thread::scope(|s| {
                let handles: Vec<_> = wave
                    .iter()
                    .map(|b| s.spawn(move || compress_batch(b)))
                    .collect();
                handles
                    .into_iter()
                    .map(|h| {
                        h.join().unwrap_or_else(|_| {
                            Err(KindError::ser("archive", "a compression thread panicked"))
                        })
                    })
                    .collect()
            })
        };
        for (batch, result) in wave.iter().zip(done) {
            let (bytes, sizes) = result?;
            let mut archive = ZipArchive::new(Cursor::new(bytes))
                .map_err(|err| KindError::ser("archive batch", err))?;
            for (k, e) in batch.iter().enumerate() {
                let file = archive
                    .by_index_raw(k)
                    .map_err(|err| KindError::ser(&e.arcname, err))?;
                zw.raw_copy_file(file)
                    .map_err(|err| KindError::ser(&e.arcname, err))?;
                preview.push_str(&format!("{} - {}\n", e.arcname, format_size(sizes[k])));
            }
        }
    }
    Ok(())
}
