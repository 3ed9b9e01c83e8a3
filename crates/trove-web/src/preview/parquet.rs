//! Parquet tables (what `pandas.DataFrame.to_parquet` writes): the first rows through the `parquet` crate's
//! row reader, without arrow. Snappy and uncompressed files are readable; other codecs give an error. Files
//! over [`MAX_PARQUET_BYTES`] are not read, and pages are checked first ([`super::parquet_pages`]).

use super::parquet_pages::check_pages;
use super::{Preview, TABLE_ROWS};
use parquet::file::reader::{ChunkReader, FileReader, SerializedFileReader};
use parquet::record::Field;

/// Largest Parquet file a preview reads (its footer is read whole).
pub const MAX_PARQUET_BYTES: u64 = 8 * 1024 * 1024;

/// The column pandas uses for a stored (non-range) index.
const PANDAS_INDEX: &str = "__index_level_0__";

fn field_text(f: &Field) -> String {
    match f {
        Field::Null => String::new(),
        Field::Str(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The first [`TABLE_ROWS`] rows. With `index_first` (pandas frames) a stored pandas index becomes the first
/// column; a frame without one (a `RangeIndex`) gets row numbers, as pandas prints it.
pub fn parquet_table<R: ChunkReader>(reader: R, index_first: bool) -> Result<Preview, String> {
    if reader.len() > MAX_PARQUET_BYTES {
        return Err(format!(
            "the file is larger than the {} a preview reads",
            trove_core::preview::format_size_binary(MAX_PARQUET_BYTES)
        ));
    }
    // At most 8 MiB: read once, then the header check and the reader share the bytes.
    let data = reader
        .get_bytes(0, reader.len() as usize)
        .map_err(|e| format!("cannot read the Parquet file: {e}"))?;
    let r = SerializedFileReader::new(data.clone())
        .map_err(|e| format!("not a readable Parquet file: {e}"))?;
    check_pages(&data, r.metadata(), TABLE_ROWS).map_err(|e| format!("not previewed: {e}"))?;
    let total = r.metadata().file_metadata().num_rows().max(0) as usize;
    let names: Vec<String> = r
        .metadata()
        .file_metadata()
        .schema()
        .get_fields()
        .iter()
        .map(|f| f.name().to_string())
        .collect();
    let index_col = names
        .iter()
        .position(|n| n == PANDAS_INDEX)
        .filter(|_| index_first);
    let mut header = Vec::new();
    if index_first {
        header.push(String::new());
    }
    header.extend(
        names
            .iter()
            .enumerate()
            .filter(|(i, _)| Some(*i) != index_col)
            .map(|(_, n)| n.clone()),
    );
    let mut rows = Vec::new();
    let iter = r
        .get_row_iter(None)
        .map_err(|e| format!("cannot read Parquet rows: {e}"))?;
    for (n, row) in iter.take(TABLE_ROWS).enumerate() {
        let row = row.map_err(|e| format!("cannot read Parquet row {n}: {e}"))?;
        let cells: Vec<String> = row.get_column_iter().map(|(_, f)| field_text(f)).collect();
        let mut out = Vec::with_capacity(header.len());
        if index_first {
            out.push(
                index_col
                    .and_then(|i| cells.get(i).cloned())
                    .unwrap_or_else(|| n.to_string()),
            );
        }
        out.extend(
            cells
                .into_iter()
                .enumerate()
                .filter(|(i, _)| Some(*i) != index_col)
                .map(|(_, c)| c),
        );
        rows.push(out);
    }
    Ok(Preview::Table {
        header,
        truncated: total > rows.len(),
        rows,
        index_first,
    })
}
