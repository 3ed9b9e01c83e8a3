//! Data-frame (`pandas`, `data-audit-table`) artifacts: `.csv.gz` or `.parquet`.
//!
//! The CSV is pandas' `df.to_csv()` text byte for byte (formatted per column by dtype, see `frame_csv`).
//! Its gzip container (see `gz`):
//! * frames whose CSV fits in one chunk (~4 MiB, e.g. the seed example) are exactly what ClearML writes:
//!   one zlib stream through `gzip.GzipFile(mtime=0)`, level 9, a sync flush before the end;
//! * bigger frames are cut into ~4 MiB chunks formatted and compressed (libdeflate) in parallel, each its
//!   own gzip member, in order: one valid gzip file, the same CSV, equal or smaller than ClearML's;
//! * `SerializeOptions::clearml_identical` forces ClearML's single stream whatever the size.

use std::io::{Cursor, Read};
use std::path::Path;

use polars::prelude::*;

mod csv;
mod fmt;
mod gz;

use csv::Table;
use gz::{MEMBER_LEVEL, chunk_rows, write_members, write_single};

use super::pyfmt::quote;
use super::staging::stage;
use super::{
    ArtifactObject, FromArtifact, IntoArtifact, KindError, Sealed, SerializeOptions, Serialized,
};

/// pandas' dtype name for a polars dtype (used in previews).
pub(crate) fn pandas_dtype(dt: &DataType) -> String {
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

/// `<name>.csv.gz` (`text/csv`) or `<name>.parquet` (`application/parquet`).
pub(super) fn serialize(
    name: &str,
    df: &DataFrame,
    opts: &SerializeOptions,
    dir: &Path,
) -> Result<Serialized, KindError> {
    let ext = opts.extension(name, "pandas", &[".csv.gz", ".parquet"], ".csv.gz")?;
    let (index, cols) = split(name, df, opts)?;
    let st = if ext == ".csv.gz" {
        let fname = format!("{}.csv", quote(name).trim_end_matches('.'));
        let table = Table::new(index, &cols, opts.with_index, df.height());
        let rows = chunk_rows(&table).map_err(|e| KindError::ser(name, e))?;
        let level = opts.gzip_level.min(9);
        stage(dir, name, &ext, |w| {
            let res = if opts.clearml_identical || table.height <= rows {
                write_single(w, &table, &fname, level)
            } else {
                // Level 9 (ClearML's) maps to the tuned member level; other levels are libdeflate's own.
                let deflate = if level == 9 {
                    MEMBER_LEVEL
                } else {
                    level as i32
                };
                write_members(w, &table, &fname, level, deflate, rows)
            };
            res.map_err(|e| KindError::ser(name, e))
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
    let mut preview = fmt::frame_repr(index, &cols, df.height());
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

impl Sealed for DataFrame {}
impl IntoArtifact for DataFrame {
    fn into_artifact(self) -> Result<ArtifactObject, KindError> {
        Ok(ArtifactObject::Frame { frame: self })
    }
}

impl Sealed for &DataFrame {}
impl IntoArtifact for &DataFrame {
    fn into_artifact(self) -> Result<ArtifactObject, KindError> {
        Ok(ArtifactObject::Frame {
            frame: self.clone(),
        })
    }
}
