//! `.csv.gz` writers for frames.
//!
//! * [`write_single`]: ClearML's exact bytes: one zlib stream (pandas `to_csv` through
//!   `gzip.GzipFile(mtime=0)`, a sync flush before the end). Used for frames whose CSV fits in one chunk
//!   and whenever byte identity is asked for.
//! * [`write_members`]: big frames: the rows are cut into chunks of about [`CHUNK_BYTES`] of CSV, each
//!   formatted and compressed (libdeflate) on a worker thread as its own gzip member, written in order. A
//!   multi-member gzip is one valid gzip file (Python's `gzip`, pandas, `gzip -d`, `MultiGzDecoder`).

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::mpsc;
use std::sync::{Condvar, Mutex, MutexGuard};

use flate2::{Compression, GzBuilder};
use libdeflater::{CompressionLvl, Compressor};

use super::csv::Table;

/// Target CSV bytes per chunk (and gzip member) of a big frame.
pub(super) const CHUNK_BYTES: usize = 4 << 20;

/// Rows formatted per batch by the single-stream writer (bounds memory for large frames).
const BATCH: usize = 8192;

/// libdeflate level of the members when the frame's `gzip_level` is 9 (ClearML's). Measured on the W2
/// benchmark frame (76 MB of CSV; `measure_w2_writer_and_compressors` in tests/kinds_frame_big.rs), one
/// thread: zlib level 9 gives 30.7 MB (CPython) / 30.8 MB (zlib-rs) at ~15 MB/s; libdeflate level 1 31.3 MB
/// (too big), levels 2–4 29.5–29.3 MB at ~90 MB/s, 5 27.7 MB at ~70 MB/s, 6 27.6 MB at ~50 MB/s. Level 4 is
/// as fast as 2 within the noise and leaves the widest margin under zlib's size of the fast levels.
pub(super) const MEMBER_LEVEL: i32 = 4;

/// Rows per chunk for `table`: [`CHUNK_BYTES`] over the bytes of an average row (sampled from the first
/// rows), at least 64.
pub(super) fn chunk_rows(table: &Table) -> Result<usize, String> {
    let sample = table.height.min(1024);
    if sample == 0 {
        return Ok(1);
    }
    let mut buf = Vec::new();
    table
        .rows(&mut buf, &mut Vec::new(), 0, sample)
        .map_err(|e| e.to_string())?;
    let per_row = buf.len().div_ceil(sample).max(1);
    Ok((CHUNK_BYTES / per_row).max(64))
}

/// ClearML's bytes: one gzip stream at zlib `level`, header FNAME `fname`, mtime 0, OS 255.
pub(super) fn write_single<W: Write>(
    w: W,
    table: &Table,
    fname: &str,
    level: u32,
) -> Result<(), String> {
    let mut gz = GzBuilder::new()
        .filename(fname)
        .mtime(0)
        .operating_system(255)
        .write(w, Compression::new(level.min(9)));
    let mut buf = Vec::new();
    table.header(&mut buf);
    let mut scratch = Vec::new();
    let mut start = 0;
    while start < table.height {
        let len = BATCH.min(table.height - start);
        table
            .rows(&mut buf, &mut scratch, start, len)
            .map_err(|e| e.to_string())?;
        gz.write_all(&buf).map_err(|e| format!("write: {e}"))?;
        buf.clear();
        start += len;
    }
    gz.write_all(&buf).map_err(|e| format!("write: {e}"))?;
    // pandas flushes its handle (a zlib sync flush) before GzipFile.close() finishes the stream.
    gz.flush().map_err(|e| format!("write: {e}"))?;
    gz.finish().map_err(|e| format!("write: {e}"))?;
    Ok(())
}

/// The gzip header: FNAME `fname` when given, mtime 0, XFL as zlib sets it for `level`, OS 255.
fn gz_header(out: &mut Vec<u8>, fname: Option<&str>, level: u32) {
    let xfl = match level {
        9.. => 2,
        0 | 1 => 4,
        _ => 0,
    };
    let flg = if fname.is_some() { 0x08 } else { 0 };
    out.extend_from_slice(&[0x1f, 0x8b, 8, flg, 0, 0, 0, 0, xfl, 255]);
    if let Some(f) = fname {
        out.extend_from_slice(f.as_bytes());
        out.push(0);
    }
}

/// One gzip member holding `csv` (header, raw deflate at the compressor's level, CRC-32, size).
fn member(
    comp: &mut Compressor,
    csv: &[u8],
    fname: Option<&str>,
    level: u32,
) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    gz_header(&mut out, fname, level);
    let head = out.len();
    out.resize(head + comp.deflate_compress_bound(csv.len()), 0);
    let n = comp
        .deflate_compress(csv, &mut out[head..])
        .map_err(|e| e.to_string())?;
    out.truncate(head + n);
    out.extend_from_slice(&libdeflater::crc32(csv).to_le_bytes());
    out.extend_from_slice(&(csv.len() as u32).to_le_bytes());
    Ok(out)
}

/// Scheduling state shared by the workers: next chunk to claim, chunks written, a failure stops all.
struct Sched {
    next: usize,
    written: usize,
    failed: bool,
}

fn lock(m: &Mutex<Sched>) -> MutexGuard<'_, Sched> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Big frames: chunks of `rows_per_chunk` rows formatted and compressed in parallel (libdeflate
/// `deflate_level`), each a gzip member written in order to `w`; the first member carries the header
/// ClearML writes (FNAME `fname`, mtime 0, OS 255). At most two chunks per worker are in flight.
pub(super) fn write_members<W: Write>(
    w: &mut W,
    table: &Table,
    fname: &str,
    gzip_level: u32,
    deflate_level: i32,
    rows_per_chunk: usize,
) -> Result<(), String> {
    let lvl = CompressionLvl::new(deflate_level)
        .map_err(|e| format!("libdeflate level {deflate_level}: {e:?}"))?;
    let rows_per_chunk = rows_per_chunk.max(1);
    let chunks = table.height.div_ceil(rows_per_chunk).max(1);
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8)
        .min(chunks);
    let window = 2 * threads;
    let sched = Mutex::new(Sched {
        next: 0,
        written: 0,
        failed: false,
    });
    let cv = Condvar::new();
    let (tx, rx) = mpsc::channel::<(usize, Result<Vec<u8>, String>)>();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let tx = tx.clone();
            let (sched, cv) = (&sched, &cv);
            scope.spawn(move || {
                let mut comp = Compressor::new(lvl);
                let (mut csv, mut scratch) = (Vec::new(), Vec::new());
                loop {
                    let i = {
                        let mut g = lock(sched);
                        loop {
                            if g.failed || g.next >= chunks {
                                return;
                            }
                            if g.next < g.written + window {
                                g.next += 1;
                                break g.next - 1;
                            }
                            g = cv.wait(g).unwrap_or_else(|e| e.into_inner());
                        }
                    };
                    csv.clear();
                    if i == 0 {
                        table.header(&mut csv);
                    }
                    let start = i * rows_per_chunk;
                    let len = rows_per_chunk.min(table.height - start);
                    let res = table
                        .rows(&mut csv, &mut scratch, start, len)
                        .map_err(|e| e.to_string())
                        .and_then(|()| {
                            let name = (i == 0).then_some(fname);
                            member(&mut comp, &csv, name, gzip_level)
                        });
                    if tx.send((i, res)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(tx);
        let mut pending: BTreeMap<usize, Vec<u8>> = BTreeMap::new();
        let mut err: Option<String> = None;
        let mut next = 0;
        for (i, res) in rx {
            match res {
                Ok(bytes) if err.is_none() => {
                    pending.insert(i, bytes);
                }
                Ok(_) => {}
                Err(e) => err = err.or(Some(e)),
            }
            while err.is_none() {
                let Some(bytes) = pending.remove(&next) else {
                    break;
                };
                if let Err(e) = w.write_all(&bytes) {
                    err = Some(format!("write: {e}"));
                }
                next += 1;
            }
            let mut g = lock(&sched);
            g.written = next;
            g.failed = err.is_some();
            cv.notify_all();
        }
        err.map_or(Ok(()), Err)
    })
}
