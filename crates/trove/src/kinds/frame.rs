//! Data-frame (`pandas`, `data-audit-table`) artifacts: `.csv.gz` exactly as ClearML writes it
//! (`df.to_csv()` through `gzip.GzipFile(mtime=0)`, level 9, a sync flush before the end) or `.parquet`.

use std::io::{Cursor, Read, Write};
use std::path::Path;

use flate2::{Compression, GzBuilder};
use polars::prelude::*;

use super::frame_fmt::{csv_cell, csv_quote};
use super::pyfmt::quote;
use super::staging::{stage, wio};
use super::{FromArtifact, KindError, SerializeOptions, Serialized, choose_ext};

/// Rows formatted per batch when writing CSV (bounds memory for large frames).
const BATCH: usize = 8192;

/// pandas' dtype name for a polars dtype (used in previews).
pub fn pandas_dtype(dt: &DataType) -> String {
    match dt {
        DataType::String => "object".into(),
        DataType::Boolean => "bool".into(),
        DataType::Int8 => "int8".into(),
        DataType::Int16 => "int16".into(),
        DataType::Int32 => "int32".into(),
        DataType::Int64 => "int64".into(),
        DataType::UInt8 => "uint8".into(),
        DataType::UInt16 => "uint16".into(),
        DataType::UInt32 => "uint32".into(),
        DataType::UInt64 => "uint64".into(),
        DataType::Float32 => "float32".into(),
        DataType::Float64 => "float64".into(),
        other => other.to_string(),
    }
}

/// Split `df` into (index column, data columns) per the options.
fn split<'a>(
    name: &str,
    df: &'a DataFrame,
    opts: &SerializeOptions,
) -> Result<(Option<&'a Column>, Vec<&'a Column>), KindError> {
    let index = match (&opts.index_column, opts.with_index) {
        (Some(col), true) => Some(df.column(col).map_err(|_| {
            KindError::ser(
                name,
                format!(
                    "index column '{col}' is not a column of the frame ({:?})",
                    df.get_column_names()
                ),
            )
        })?),
        _ => None,
    };
    let data = df
        .columns()
        .iter()
        .filter(|c| index.is_none_or(|i| i.name() != c.name()))
        .collect();
    Ok((index, data))
}

/// pandas' `repr(df)` of a polars frame, with `index_column` (if any) as the index.
pub fn frame_repr(df: &DataFrame, index_column: Option<&str>) -> String {
    let index = index_column.and_then(|c| df.column(c).ok());
    let cols: Vec<&Column> = df
        .columns()
        .iter()
        .filter(|c| index.is_none_or(|i| i.name() != c.name()))
        .collect();
    super::frame_fmt::frame_repr(index, &cols, df.height())
}

fn write_csv<W: Write>(
    w: &mut W,
    index: Option<&Column>,
    cols: &[&Column],
    with_index: bool,
    height: usize,
) -> Result<(), String> {
    let mut header: Vec<String> = Vec::new();
    if with_index {
        header.push(String::new());
    }
    header.extend(cols.iter().map(|c| csv_quote(c.name())));
    if header.len() == 1 && header[0].is_empty() {
        header[0] = "\"\"".into();
    }
    writeln!(w, "{}", header.join(",")).map_err(|e| e.to_string())?;
    let mut start = 0;
    while start < height {
        let len = BATCH.min(height - start);
        let fmt_col = |c: &Column| -> Vec<String> {
            let s = c
                .as_materialized_series()
                .slice(start as i64, len)
                .rechunk();
            s.iter().map(|v| csv_cell(&v)).collect()
        };
        let mut cells: Vec<Vec<String>> = Vec::new();
        if with_index {
            cells.push(match index {
                Some(c) => fmt_col(c),
                None => (start..start + len).map(|i| i.to_string()).collect(),
            });
        }
        for c in cols {
            cells.push(fmt_col(c));
        }
        let mut line = String::new();
        for r in 0..len {
            line.clear();
            for (k, col) in cells.iter().enumerate() {
                if k > 0 {
                    line.push(',');
                }
                line.push_str(&col[r]);
            }
            if cells.len() == 1 && line.is_empty() {
                line.push_str("\"\"");
            }
            line.push('\n');
            w.write_all(line.as_bytes()).map_err(|e| e.to_string())?;
        }
        start += len;
    }
    Ok(())
}

/// `<name>.csv.gz` (`text/csv`) or `<name>.parquet` (`application/parquet`).
pub fn serialize(
    name: &str,
    df: &DataFrame,
    opts: &SerializeOptions,
    dir: &Path,
) -> Result<Serialized, KindError> {
    let ext = choose_ext(
        opts.format.as_deref(),
        &[".csv.gz", ".parquet"],
        ".csv.gz",
        "pandas",
    );
    let (index, cols) = split(name, df, opts)?;
    let st = if ext == ".csv.gz" {
        let fname = format!("{}.csv", quote(name).trim_end_matches('.'));
        let level = opts.gzip_level.min(9);
        stage(dir, name, &ext, |w| {
            let mut gz = GzBuilder::new()
                .filename(fname)
                .mtime(0)
                .operating_system(255)
                .write(w, Compression::new(level));
            write_csv(&mut gz, index, &cols, opts.with_index, df.height())
                .map_err(|e| KindError::ser(name, e))?;
            // pandas flushes its handle (a zlib sync flush) before GzipFile.close() finishes the stream.
            gz.flush().map_err(wio(name))?;
            gz.finish().map_err(wio(name))?;
            Ok(())
        })?
    } else {
        stage(dir, name, &ext, |w| {
            let mut copy = df.clone();
            ParquetWriter::new(w)
                .finish(&mut copy)
                .map_err(|e| KindError::ser(name, e))?;
            Ok(())
        })?
    };
    let ct = if ext == ".csv.gz" {
        "text/csv"
    } else {
        "application/parquet"
    };
    // ClearML's preview is pandas' repr; uploaded frames also get their shape and dtypes. Registered
    // frames (no index) keep the bare repr: the caller appends its statistics as ClearML does.
    let mut preview = super::frame_fmt::frame_repr(index, &cols, df.height());
    if opts.with_index {
        let dtypes: Vec<String> = df
            .columns()
            .iter()
            .map(|c| format!("{}: {}", c.name(), pandas_dtype(c.dtype())))
            .collect();
        preview.push_str(&format!(
            "\n\nshape={:?}\ndtypes: {}",
            df.shape(),
            dtypes.join(", ")
        ));
    }
    Ok(Serialized::staged(
        "pandas",
        format!("{name}{ext}"),
        st,
        Some(ct),
        preview,
    ))
}

/// Read a `.csv` / `.csv.gz` / `.parquet` frame. For `pandas` csv files the first (index) column is kept as
/// the first column, named by its header, or `index` when the header cell is empty (pandas' unnamed index).
fn read_frame(kind: &str, ct: Option<&str>, local: &Path) -> Result<DataFrame, KindError> {
    let is_parquet =
        ct == Some("application/parquet") || local.extension().is_some_and(|e| e == "parquet");
    if is_parquet {
        let f = std::fs::File::open(local).map_err(|e| KindError::io(local, e))?;
        return ParquetReader::new(f)
            .finish()
            .map_err(|e| KindError::bad("parquet", local, e));
    }
    let raw = std::fs::read(local).map_err(|e| KindError::io(local, e))?;
    let bytes = if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .map_err(|e| KindError::bad("csv.gz", local, e))?;
        out
    } else {
        raw
    };
    let unnamed_index = kind == "pandas" && bytes.first() == Some(&b',');
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Ok(DataFrame::empty());
    }
    let mut df = CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(None)
        .into_reader_with_file_handle(Cursor::new(bytes))
        .finish()
        .map_err(|e| KindError::bad("csv", local, e))?;
    if unnamed_index && df.width() > 0 {
        let first = df.get_column_names()[0].to_string();
        df.rename(&first, "index".into())
            .map_err(|e| KindError::bad("csv", local, e))?;
    }
    Ok(df)
}

impl FromArtifact for DataFrame {
    /// A `pandas` or `data-audit-table` artifact. `pandas` csv: the index is the first column (see
    /// `read_frame`); `data-audit-table`: no index column.
    fn from_artifact(
        kind: &str,
        ct: Option<&str>,
        name: &str,
        local: &Path,
    ) -> Result<Self, KindError> {
        if !matches!(kind, "pandas" | "data-audit-table" | "custom") {
            return Err(KindError::WrongKind {
                name: name.into(),
                kind: kind.into(),
                target: "DataFrame",
            });
        }
        read_frame(kind, ct, local)
    }
}
