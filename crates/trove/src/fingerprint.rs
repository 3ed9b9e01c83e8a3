//! A fast fingerprint of a frame's content: xxh3-128 over its column names, dtypes and Arrow buffers.
//! An unchanged 1M-row frame is fingerprinted in milliseconds without serialising it; in-place edits,
//! appended or dropped rows and columns, renames and dtype changes all change the fingerprint.

use polars::prelude::*;
use polars_arrow::array::Array;
use polars_arrow::bitmap::Bitmap;
use xxhash_rust::xxh3::Xxh3;

/// The fingerprint of `df`.
pub fn fingerprint(df: &DataFrame) -> u128 {
    let mut h = Xxh3::new();
    h.update(&(df.width() as u64).to_le_bytes());
    h.update(&(df.height() as u64).to_le_bytes());
    for col in df.columns() {
        h.update(col.name().as_bytes());
        h.update(&[0xff]);
        h.update(col.dtype().to_string().as_bytes());
        h.update(&[0xfe]);
        hash_series(&mut h, col.as_materialized_series());
    }
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
            for arr in s.str().expect("dtype checked").downcast_iter() {
                // Hash the values themselves: view layouts may differ for equal content.
                for v in arr.values_iter() {
                    h.update(&(v.len() as u32).to_le_bytes());
                    h.update(v.as_bytes());
                }
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
}
