//! Previews computed from an artifact's stored bytes, bounded in how much they read: CSV (plain or gzip)
//! and Parquet tables, pretty-printed JSON, ZIP listings, NPZ array summaries. Parsers are pure functions over bytes or
//! a `Read + Seek`; [`Preview::to_html`] renders the result with everything escaped.

pub mod npy;
mod parquet;
mod parquet_pages;

pub use parquet::{MAX_PARQUET_BYTES, parquet_table};

use askama::Template;
use std::io::{Read, Seek};

/// Rows shown in a table preview.
pub const TABLE_ROWS: usize = 20;
/// Entries shown in a ZIP listing.
pub const ZIP_ENTRIES: usize = 200;
/// Values shown per NPZ array.
pub const NPY_VALUES: usize = 10;

/// A computed preview.
#[derive(Debug, Clone, PartialEq)]
pub enum Preview {
    /// A table: header, rows, whether the first column is the index, whether rows were left out.
    Table {
        /// Column names.
        header: Vec<String>,
        /// The first rows.
        rows: Vec<Vec<String>>,
        /// First column is the (pandas) index.
        index_first: bool,
        /// More rows exist.
        truncated: bool,
    },
    /// An image served from the given URL.
    Image {
        /// Thumbnail and full-size link.
        src: String,
    },
    /// Monospace text with an optional note.
    Text {
        /// The text.
        text: String,
        /// Why this text is shown (e.g. "stored preview").
        note: Option<String>,
    },
    /// A ZIP file's entries.
    Zip {
        /// `(name, uncompressed size)`.
        entries: Vec<(String, u64)>,
        /// How many entries the archive has.
        total: usize,
    },
    /// The arrays of an NPZ file.
    Npz {
        /// One per array.
        arrays: Vec<NpzArray>,
    },
}

/// One array of an NPZ file.
#[derive(Debug, Clone, PartialEq)]
pub struct NpzArray {
    /// Member name without `.npy`.
    pub name: String,
    /// Readable dtype.
    pub dtype: String,
    /// Python-style shape.
    pub shape: String,
    /// The first values in storage order.
    pub values: Vec<String>,
    /// Total element count.
    pub len: u64,
}

/// Parse CSV text (RFC 4180: quoted fields, doubled quotes, newlines inside quotes) into at most `max_rows`
/// records; the last, possibly cut, line of `text` is dropped when `complete` is false.
pub fn parse_csv(text: &str, max_rows: usize, complete: bool) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                c => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.is_empty() => quoted = true,
            ',' => row.push(std::mem::take(&mut field)),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
                if rows.len() >= max_rows {
                    return rows;
                }
            }
            c => field.push(c),
        }
    }
    if complete && (!field.is_empty() || !row.is_empty()) {
        row.push(field);
        rows.push(row);
    }
    rows
}

/// Decompress the start of gzip data: up to `max_out` bytes; a truncated or damaged tail ends the output
/// instead of failing (the bytes decoded so far are returned). `Err` only if nothing could be decoded.
pub fn gunzip_head(bytes: &[u8], max_out: usize) -> Result<Vec<u8>, String> {
    let mut dec = flate2::read::MultiGzDecoder::new(bytes);
    let mut out = Vec::new();
    let mut buf = [0u8; 64 * 1024];
    while out.len() < max_out {
        match dec.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) if out.is_empty() => return Err(format!("not valid gzip data: {e}")),
            Err(_) => break,
        }
    }
    out.truncate(max_out);
    Ok(out)
}

/// A table preview from CSV bytes (the head of the file); `complete` says the bytes are the whole file.
pub fn csv_table(bytes: &[u8], index_first: bool, complete: bool) -> Preview {
    let text = String::from_utf8_lossy(bytes);
    let mut rows = parse_csv(&text, TABLE_ROWS + 2, complete);
    let header = if rows.is_empty() {
        Vec::new()
    } else {
        rows.remove(0)
    };
    let truncated = rows.len() > TABLE_ROWS || !complete;
    rows.truncate(TABLE_ROWS);
    Preview::Table {
        header,
        rows,
        index_first,
        truncated,
    }
}

/// Pretty-printed JSON, or `None` if the bytes are not one JSON document.
pub fn json_pretty(bytes: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    serde_json::to_string_pretty(&v).ok()
}

/// The entries of a ZIP archive (at most [`ZIP_ENTRIES`]), reading only its central directory.
pub fn zip_listing<R: Read + Seek>(reader: R) -> Result<Preview, String> {
    let mut z =
        zip::ZipArchive::new(reader).map_err(|e| format!("not a readable ZIP archive: {e}"))?;
    let total = z.len();
    let mut entries = Vec::new();
    for i in 0..total.min(ZIP_ENTRIES) {
        let f = z
            .by_index_raw(i)
            .map_err(|e| format!("ZIP entry {i}: {e}"))?;
        let name = f
            .name()
            .map_err(|e| format!("ZIP entry {i}: {e}"))?
            .into_owned();
        entries.push((name, f.size()));
    }
    Ok(Preview::Zip { entries, total })
}

/// Shape, dtype and first values of every `.npy` member of an NPZ archive (decompressing only each member's
/// first bytes).
pub fn npz_arrays<R: Read + Seek>(reader: R) -> Result<Preview, String> {
    let mut z = zip::ZipArchive::new(reader)
        .map_err(|e| format!("not a readable NPZ (ZIP) archive: {e}"))?;
    let mut arrays = Vec::new();
    for i in 0..z.len().min(ZIP_ENTRIES) {
        let f = z.by_index(i).map_err(|e| format!("NPZ member {i}: {e}"))?;
        let full = f
            .name()
            .map_err(|e| format!("NPZ member {i}: {e}"))?
            .into_owned();
        let name = full.strip_suffix(".npy").unwrap_or(&full).to_string();
        let mut head = Vec::new();
        f.take(64 * 1024)
            .read_to_end(&mut head)
            .map_err(|e| format!("NPZ member {name}: {e}"))?;
        let h = npy::parse_header(&head).map_err(|e| format!("NPZ member {name}: {e}"))?;
        let values = npy::first_values(&h, &head[h.data_offset.min(head.len())..], NPY_VALUES);
        arrays.push(NpzArray {
            name,
            dtype: h.dtype_name(),
            shape: h.shape_text(),
            values,
            len: h.len(),
        });
    }
    Ok(Preview::Npz { arrays })
}

impl Preview {
    /// The preview as an HTML fragment (`templates/preview.html`); every piece of data is escaped.
    pub fn to_html(&self) -> String {
        PreviewHtml::new(self).render().unwrap_or_else(|e| {
            tracing::warn!(error = %e, "a preview could not be rendered");
            r#"<div class="notice err">the preview could not be rendered</div>"#.to_string()
        })
    }
}

/// A preview as an HTML fragment (`templates/preview.html`), to embed in another template.
#[derive(Template)]
#[template(path = "preview.html")]
pub(crate) struct PreviewHtml<'a> {
    preview: &'a Preview,
}

impl<'a> PreviewHtml<'a> {
    /// The fragment of `preview`.
    pub(crate) fn new(preview: &'a Preview) -> Self {
        Self { preview }
    }
}

/// A ZIP entry's size as shown.
fn size_text(bytes: u64) -> String {
    trove_core::preview::format_size_binary(bytes)
}
