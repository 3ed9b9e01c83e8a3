//! A fast fingerprint of a frame's content: xxh3-128 over its column names, dtypes and Arrow buffers.
//! An unchanged 1M-row frame is fingerprinted in milliseconds without serialising it; in-place edits,
//! appended or dropped rows and columns, renames and dtype changes all change the fingerprint.

use polars::prelude::*;
use polars_arrow::array::Array;
use polars_arrow::bitmap::Bitmap;
use xxhash_rust::xxh3::Xxh3;

/// Cells above which the columns are fingerprinted on several threads.
const PARALLEL_CELLS: usize = 200_000;

/// The fingerprint of `df`: each column's digest (name, dtype, values) on its own, columns spread over the
/// cores for big frames, then one digest of the shape and the column digests in order.
pub fn fingerprint(df: &DataFrame) -> u128 {
    let cols = df.columns();
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(cols.len().max(1));
    let digests: Vec<u128> = if workers > 1 && df.height() * df.width() >= PARALLEL_CELLS {
        let per = cols.len().div_ceil(workers);
        std::thread::scope(|s| {
            let parts: Vec<_> = cols
                .chunks(per)
                .map(|part| s.spawn(move || part.iter().map(column_digest).collect::<Vec<_>>()))
                .collect();
            parts
                .into_iter()
                .flat_map(|p| match p.join() {
                    Ok(d) => d,
                    Err(panic) => std::panic::resume_unwind(panic),
                })
                .collect()
        })
    } else {
        cols.iter().map(column_digest).collect()
    };
    let mut h = Xxh3::new();
    h.update(&(df.width() as u64).to_le_bytes());
    h.update(&(df.height() as u64).to_le_bytes());
    for d in digests {
        h.update(&d.to_le_bytes());
    }
    h.digest128()
}

fn column_digest(col: &Column) -> u128 {
    let mut h = Xxh3::new();
    h.update(col.name().as_bytes());
    h.update(&[0xff]);
    h.update(col.dtype().to_string().as_bytes());
    h.update(&[0xfe]);
    hash_series(&mut h, col.as_materialized_series());
    h.digest128()
}

fn bytes_of<T: Copy>(values: &[T]) -> &[u8] {
    // SAFETY: `T` is a plain numeric type here (no padding, no pointers); viewing its memory as bytes is
    // sound for reading, and the length covers exactly the slice.
    unsafe {
        std::slice::from_raw_parts(values.as_ptr().cast::<u8>(), std::mem::size_of_val(values))
    }
}

fn hash_validity(h: &mut Xxh3, validity: Option<&Bitmap>) {
    match validity {
        None => h.update(&[0]),
        Some(b) => {
            let (bytes, offset, len) = b.as_slice();
            h.update(&[1]);
            h.update(&(offset as u64).to_le_bytes());
            h.update(&(len as u64).to_le_bytes());
            h.update(bytes);
        }
    }
}

macro_rules! numeric {
    ($h:expr, $ca:expr) => {
        for arr in $ca.downcast_iter() {
            $h.update(bytes_of(arr.values().as_slice()));
            hash_validity($h, arr.validity());
        }
    };
}

fn hash_series(h: &mut Xxh3, s: &Series) {
    match s.dtype() {
        DataType::Int64 => numeric!(h, s.i64().expect("dtype checked")),
        DataType::Int32 => numeric!(h, s.i32().expect("dtype checked")),
        DataType::Int16 => numeric!(h, s.i16().expect("dtype checked")),
        DataType::Int8 => numeric!(h, s.i8().expect("dtype checked")),
        DataType::UInt64 => numeric!(h, s.u64().expect("dtype checked")),
        DataType::UInt32 => numeric!(h, s.u32().expect("dtype checked")),
        DataType::UInt16 => numeric!(h, s.u16().expect("dtype checked")),
        DataType::UInt8 => numeric!(h, s.u8().expect("dtype checked")),
        DataType::Float64 => numeric!(h, s.f64().expect("dtype checked")),
        DataType::Float32 => numeric!(h, s.f32().expect("dtype checked")),
        DataType::Boolean => {
            for arr in s.bool().expect("dtype checked").downcast_iter() {
                let (bytes, offset, len) = arr.values().as_slice();
                h.update(&(offset as u64).to_le_bytes());
                h.update(&(len as u64).to_le_bytes());
                h.update(bytes);
                hash_validity(h, arr.validity());
            }
        }
        DataType::String => {
            // Hash the values themselves (view layouts may differ for equal content), gathered into a
            // buffer so that the hasher sees a few large updates rather than two per value.
            let mut buf: Vec<u8> = Vec::with_capacity(1 << 16);
            for arr in s.str().expect("dtype checked").downcast_iter() {
                for v in arr.values_iter() {
                    buf.extend_from_slice(&(v.len() as u32).to_le_bytes());
                    buf.extend_from_slice(v.as_bytes());
                    if buf.len() >= 1 << 16 {
                        h.update(&buf);
                        buf.clear();
                    }
                }
                h.update(&buf);
                buf.clear();
                hash_validity(h, arr.validity());
            }
        }
        _ => {
            // Other dtypes (dates, lists, structs, …): hash each value's text. Slower, still exact.
            for i in 0..s.len() {
                let text = s.get(i).map(|v| format!("{v:?}")).unwrap_or_default();
                h.update(&(text.len() as u32).to_le_bytes());
                h.update(text.as_bytes());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame() -> DataFrame {
        df!("a" => [1i64, 2, 3], "b" => ["x", "y", "z"], "c" => [0.5f64, 1.5, 2.5]).unwrap()
    }

    #[test]
    fn same_content_same_fingerprint_and_every_change_detected() {
        let base = fingerprint(&frame());
        assert_eq!(base, fingerprint(&frame()));
        let mut edited = frame();
        edited.apply("a", |s| s + 1).unwrap();
        let appended = frame()
            .vstack(&df!("a" => [4i64], "b" => ["w"], "c" => [3.5f64]).unwrap())
            .unwrap();
        let dropped = frame().drop("b").unwrap();
        let mut recast = frame();
        let c = recast.column("a").unwrap().cast(&DataType::Int32).unwrap();
        recast.with_column(c).unwrap();
        let mut renamed = frame();
        renamed.rename("a", "A".into()).unwrap();
        let mut nulled = frame();
        nulled
            .apply("c", |s| {
                s.f64()
                    .unwrap()
                    .set(&BooleanChunked::new("m".into(), [true, false, false]), None)
                    .unwrap()
                    .into_series()
            })
            .unwrap();
        for (what, df) in [
            ("edit", edited),
            ("append", appended),
            ("drop", dropped),
            ("dtype", recast),
            ("rename", renamed),
            ("null", nulled),
        ] {
            assert_ne!(fingerprint(&df), base, "{what} not detected");
        }
    }

    #[test]
    fn big_frames_are_fingerprinted_on_several_threads_with_the_same_result() {
        let n = 60_000;
        let big = || {
            df!(
                "i" => (0..n as i64).collect::<Vec<_>>(),
                "f" => (0..n).map(|v| v as f64 / 3.0).collect::<Vec<_>>(),
                "s" => (0..n).map(|v| format!("value number {v}")).collect::<Vec<_>>(),
                "t" => (0..n).map(|v| format!("{}", v % 7)).collect::<Vec<_>>(),
            )
            .unwrap()
        };
        assert!(n * 4 >= PARALLEL_CELLS);
        let base = fingerprint(&big());
        assert_eq!(base, fingerprint(&big()));
        // (Chunk boundaries are hashed too: the same content in other chunks may differ, which only
        // costs one upload, never a missed change.)
        // One long string changed deep in the last columns is detected.
        let mut edited = big();
        edited
            .apply("s", |c| {
                let mut v: Vec<String> = c
                    .str()
                    .unwrap()
                    .iter()
                    .map(|x| x.unwrap_or_default().to_string())
                    .collect();
                v[n - 10] = "value number X".into();
                Series::new("s".into(), v)
            })
            .unwrap();
        assert_ne!(fingerprint(&edited), base);
        let swapped = big().select(["i", "f", "t", "s"]).unwrap();
        assert_ne!(fingerprint(&swapped), base, "column order");
    }
}
