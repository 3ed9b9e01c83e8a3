//! pandas `to_csv` bytes of a frame, formatted per column by dtype straight into reused byte buffers (no
//! allocation per cell): integers in decimal, floats as Python's `repr` (NaN empty), booleans `True`/
//! `False`, nulls empty, strings with Python csv's QUOTE_MINIMAL; other dtypes through [`csv_cell`].

use polars::prelude::*;
use polars_arrow::array::Array;

use super::fmt::{csv_cell, csv_quote};
use crate::kinds::pyfmt::{write_float_repr, write_float32_repr};

/// The cells of one column for a range of rows: their bytes back to back and where each ends.
#[derive(Default)]
pub(super) struct Cells {
    buf: Vec<u8>,
    ends: Vec<usize>,
}

impl Cells {
    fn clear(&mut self) {
        self.buf.clear();
        self.ends.clear();
    }

    fn end(&mut self) {
        self.ends.push(self.buf.len());
    }

    fn cell(&self, r: usize) -> &[u8] {
        let start = if r == 0 { 0 } else { self.ends[r - 1] };
        &self.buf[start..self.ends[r]]
    }
}

/// A frame's CSV layout: the (materialised) index and data columns.
pub(super) struct Table<'a> {
    index: Option<&'a Series>,
    cols: Vec<&'a Series>,
    with_index: bool,
    /// Number of rows.
    pub height: usize,
}

const DIGITS: &[u8; 200] = b"0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// Append the decimal digits of `v`.
pub(super) fn write_u64(out: &mut Vec<u8>, mut v: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    while v >= 100 {
        let d = (v % 100) as usize * 2;
        v /= 100;
        i -= 2;
        buf[i..i + 2].copy_from_slice(&DIGITS[d..d + 2]);
    }
    if v >= 10 {
        let d = v as usize * 2;
        i -= 2;
        buf[i..i + 2].copy_from_slice(&DIGITS[d..d + 2]);
    } else {
        i -= 1;
        buf[i] = b'0' + v as u8;
    }
    out.extend_from_slice(&buf[i..]);
}

/// Append `v` in decimal (`-` for negatives).
pub(super) fn write_i64(out: &mut Vec<u8>, v: i64) {
    if v < 0 {
        out.push(b'-');
    }
    write_u64(out, v.unsigned_abs());
}

/// Append `s` with Python csv's QUOTE_MINIMAL (quoted when it holds `,`, `"`, CR or LF; quotes doubled).
fn write_quoted(out: &mut Vec<u8>, s: &str) {
    let b = s.as_bytes();
    if !b.iter().any(|c| matches!(c, b',' | b'"' | b'\n' | b'\r')) {
        out.extend_from_slice(b);
        return;
    }
    out.push(b'"');
    for &c in b {
        if c == b'"' {
            out.push(b'"');
        }
        out.push(c);
    }
    out.push(b'"');
}

/// Format a numeric column's values with `f` (nulls empty), fast path for chunks without nulls.
fn numeric<T: PolarsNumericType>(
    ca: &ChunkedArray<T>,
    cells: &mut Cells,
    f: impl Fn(&mut Vec<u8>, T::Native),
) {
    for arr in ca.downcast_iter() {
        if arr.null_count() == 0 {
            for &v in arr.values().iter() {
                f(&mut cells.buf, v);
                cells.end();
            }
        } else {
            for v in arr.iter() {
                if let Some(&v) = v {
                    f(&mut cells.buf, v);
                }
                cells.end();
            }
        }
    }
}

/// Format rows `start..start + len` of `s` into `cells`.
fn format_column(s: &Series, start: usize, len: usize, cells: &mut Cells) -> PolarsResult<()> {
    cells.clear();
    let s = s.slice(start as i64, len);
    match s.dtype() {
        DataType::Int8 => numeric(s.i8()?, cells, |o, v| write_i64(o, v.into())),
        DataType::Int16 => numeric(s.i16()?, cells, |o, v| write_i64(o, v.into())),
        DataType::Int32 => numeric(s.i32()?, cells, |o, v| write_i64(o, v.into())),
        DataType::Int64 => numeric(s.i64()?, cells, write_i64),
        DataType::UInt8 => numeric(s.u8()?, cells, |o, v| write_u64(o, v.into())),
        DataType::UInt16 => numeric(s.u16()?, cells, |o, v| write_u64(o, v.into())),
        DataType::UInt32 => numeric(s.u32()?, cells, |o, v| write_u64(o, v.into())),
        DataType::UInt64 => numeric(s.u64()?, cells, write_u64),
        DataType::Float64 => numeric(s.f64()?, cells, |o, v| {
            if !v.is_nan() {
                write_float_repr(o, v)
            }
        }),
        DataType::Float32 => numeric(s.f32()?, cells, |o, v| {
            if !v.is_nan() {
                write_float32_repr(o, v)
            }
        }),
        DataType::Boolean => {
            for v in s.bool()?.iter() {
                match v {
                    Some(true) => cells.buf.extend_from_slice(b"True"),
                    Some(false) => cells.buf.extend_from_slice(b"False"),
                    None => {}
                }
                cells.end();
            }
        }
        DataType::String => {
            for v in s.str()?.iter() {
                if let Some(v) = v {
                    write_quoted(&mut cells.buf, v);
                }
                cells.end();
            }
        }
        _ => {
            let s = s.rechunk();
            for v in s.iter() {
                cells.buf.extend_from_slice(csv_cell(&v).as_bytes());
                cells.end();
            }
        }
    }
    Ok(())
}

impl<'a> Table<'a> {
    /// The layout of `cols` (and `index`, or a `0..n-1` index, when `with_index`).
    pub fn new(
        index: Option<&'a Column>,
        cols: &[&'a Column],
        with_index: bool,
        height: usize,
    ) -> Self {
        Table {
            index: index.map(|c| c.as_materialized_series()),
            cols: cols.iter().map(|c| c.as_materialized_series()).collect(),
            with_index,
            height,
        }
    }

    /// Append the header line (an empty cell for the index).
    pub fn header(&self, out: &mut Vec<u8>) {
        let mut cells: Vec<String> = Vec::new();
        if self.with_index {
            cells.push(String::new());
        }
        cells.extend(self.cols.iter().map(|c| csv_quote(c.name())));
        if cells.len() == 1 && cells[0].is_empty() {
            cells[0] = "\"\"".into();
        }
        out.extend_from_slice(cells.join(",").as_bytes());
        out.push(b'\n');
    }

    /// Append rows `start..start + len`; `scratch` is reused between calls.
    pub fn rows(
        &self,
        out: &mut Vec<u8>,
        scratch: &mut Vec<Cells>,
        start: usize,
        len: usize,
    ) -> PolarsResult<()> {
        let width = self.cols.len() + usize::from(self.with_index);
        scratch.resize_with(width, Cells::default);
        let mut k = 0;
        if self.with_index {
            let cells = &mut scratch[0];
            match self.index {
                Some(s) => format_column(s, start, len, cells)?,
                None => {
                    cells.clear();
                    for i in start..start + len {
                        write_u64(&mut cells.buf, i as u64);
                        cells.end();
                    }
                }
            }
            k = 1;
        }
        for (s, cells) in self.cols.iter().zip(&mut scratch[k..]) {
            format_column(s, start, len, cells)?;
        }
        for r in 0..len {
            let line_start = out.len();
            for (k, cells) in scratch.iter().enumerate() {
                if k > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(cells.cell(r));
            }
            if width == 1 && out.len() == line_start {
                out.extend_from_slice(b"\"\"");
            }
            out.push(b'\n');
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_print_in_decimal() {
        for v in [0i64, 7, 10, 99, 100, 12345, -1, -100, i64::MIN, i64::MAX] {
            let mut out = Vec::new();
            write_i64(&mut out, v);
            assert_eq!(String::from_utf8(out).unwrap(), v.to_string());
        }
        let mut out = Vec::new();
        write_u64(&mut out, u64::MAX);
        assert_eq!(String::from_utf8(out).unwrap(), u64::MAX.to_string());
    }

    #[test]
    fn quoting_is_minimal() {
        let mut out = Vec::new();
        for s in ["plain", "a,b", "say \"hi\"", "two\nlines", ""] {
            write_quoted(&mut out, s);
            out.push(b'|');
        }
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "plain|\"a,b\"|\"say \"\"hi\"\"\"|\"two\nlines\"||"
        );
    }

    #[test]
    fn typed_rows_match_the_anyvalue_cells() {
        let df = polars::df!(
            "i" => [Some(1i32), None, Some(-3)],
            "u" => [1u64, u64::MAX, 0],
            "f" => [Some(0.5f64), Some(f64::NAN), None],
            "g" => [1e-5f32, f32::INFINITY, 2.0],
            "b" => [Some(true), None, Some(false)],
            "s" => [Some("a,b"), Some("q\""), None],
        )
        .unwrap();
        let cols: Vec<&Column> = df.columns().iter().collect();
        let t = Table::new(None, &cols, true, df.height());
        let mut out = Vec::new();
        t.header(&mut out);
        let mut scratch = Vec::new();
        t.rows(&mut out, &mut scratch, 0, 2).unwrap();
        t.rows(&mut out, &mut scratch, 2, 1).unwrap();
        let mut want = String::from(",i,u,f,g,b,s\n");
        for r in 0..df.height() {
            want.push_str(&r.to_string());
            for c in df.columns() {
                want.push(',');
                want.push_str(&csv_cell(&c.get(r).unwrap()));
            }
            want.push('\n');
        }
        assert_eq!(String::from_utf8(out).unwrap(), want);
    }
}
