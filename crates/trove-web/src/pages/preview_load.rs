//! Choosing and computing an artifact's preview from its stored bytes (bounded reads).

use crate::Shared;
use crate::bytes_source::{self, MAX_PREVIEW_FETCH, Source};
use crate::html;
use crate::preview::{self, Preview};
use trove_core::ArtifactRecord;

/// Most bytes read from the start of a file for a text-like preview.
const HEAD_BYTES: u64 = 2 * 1024 * 1024;
/// Most bytes decompressed from a gzip file for a table preview.
const GUNZIP_BYTES: usize = 1024 * 1024;
/// Longest a preview may take to compute; then the recorded preview text is shown.
const PREVIEW_TIME_LIMIT: std::time::Duration = std::time::Duration::from_secs(10);

/// What kind of preview the file name asks for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Kind {
    CsvGz,
    Csv,
    Json,
    Image,
    Zip,
    Npz,
    Parquet,
    Stored,
}

/// The file name of a URI (last path segment, without query), lower-cased.
fn file_name(uri: &str) -> String {
    let path = uri.split(['?', '#']).next().unwrap_or(uri);
    path.rsplit(['/', '\\'])
        .next()
        .unwrap_or(path)
        .to_ascii_lowercase()
}

/// The preview kind for an artifact stored at `uri`.
pub(crate) fn kind_of(uri: &str) -> Kind {
    let name = file_name(uri);
    let ends = |s: &str| name.ends_with(s);
    if ends(".csv.gz") || ends(".tsv.gz") {
        Kind::CsvGz
    } else if ends(".csv") {
        Kind::Csv
    } else if ends(".json") {
        Kind::Json
    } else if ends(".png") || ends(".jpg") || ends(".jpeg") || ends(".gif") || ends(".webp") {
        Kind::Image
    } else if ends(".zip") {
        Kind::Zip
    } else if ends(".npz") {
        Kind::Npz
    } else if ends(".parquet") {
        Kind::Parquet
    } else {
        Kind::Stored
    }
}

fn stored(rec: &ArtifactRecord, note: Option<String>) -> Preview {
    let text = rec.preview();
    if text.is_empty() {
        return Preview::Text {
            text: String::new(),
            note: Some(note.unwrap_or_else(|| "no preview stored".into())),
        };
    }
    Preview::Text {
        text: text.to_string(),
        note,
    }
}

/// The preview of `rec` (or of its version stored at `uri_override`), computed from the bytes where the kind
/// allows and the bytes are readable; otherwise the stored preview text, with a note saying why.
pub(crate) async fn compute(
    state: &Shared,
    task: &str,
    rec: &ArtifactRecord,
    version: Option<u32>,
    uri: Option<&str>,
) -> Preview {
    let Some(uri) = uri.filter(|u| !u.is_empty()) else {
        return stored(rec, None);
    };
    let kind = kind_of(uri);
    if kind == Kind::Stored {
        return stored(rec, None);
    }
    let source = match bytes_source::resolve(state, uri) {
        Ok(s) => s,
        Err(e) => {
            return stored(
                rec,
                Some(format!("{e}; showing the preview recorded at upload")),
            );
        }
    };
    if kind == Kind::Image {
        return Preview::Image {
            src: html::file_href(task, &rec.key, &rec.mode, version, false),
        };
    }
    match from_bytes_timed(&source, kind, rec.kind == "pandas").await {
        Ok(p) => p,
        Err(e) => stored(
            rec,
            Some(format!(
                "cannot preview the stored file ({e}); showing the preview recorded at upload"
            )),
        ),
    }
}

/// [`from_bytes`] bounded by [`PREVIEW_TIME_LIMIT`] (the error says so when it runs out).
pub(crate) async fn from_bytes_timed(
    source: &Source,
    kind: Kind,
    index_first: bool,
) -> Result<Preview, String> {
    tokio::time::timeout(PREVIEW_TIME_LIMIT, from_bytes(source, kind, index_first))
        .await
        .unwrap_or_else(|_| {
            Err(format!(
                "it took longer than {} s",
                PREVIEW_TIME_LIMIT.as_secs()
            ))
        })
}

/// The preview computed from the stored bytes of a file of `kind`.
pub(crate) async fn from_bytes(
    source: &Source,
    kind: Kind,
    index_first: bool,
) -> Result<Preview, String> {
    match kind {
        Kind::CsvGz => {
            let head = source
                .read_head(HEAD_BYTES)
                .await
                .map_err(|e| e.to_string())?;
            let size = source.size().await.map_err(|e| e.to_string())?;
            let text = preview::gunzip_head(&head, GUNZIP_BYTES)?;
            let complete = size <= HEAD_BYTES && text.len() < GUNZIP_BYTES;
            Ok(preview::csv_table(&text, index_first, complete))
        }
        Kind::Csv => {
            let head = source
                .read_head(HEAD_BYTES)
                .await
                .map_err(|e| e.to_string())?;
            let complete = (head.len() as u64) < HEAD_BYTES;
            Ok(preview::csv_table(&head, index_first, complete))
        }
        Kind::Json => {
            let head = source
                .read_head(HEAD_BYTES + 1)
                .await
                .map_err(|e| e.to_string())?;
            if head.len() as u64 <= HEAD_BYTES
                && let Some(p) = preview::json_pretty(&head)
            {
                return Ok(Preview::Text {
                    text: p,
                    note: None,
                });
            }
            let cut = head.len().min(64 * 1024);
            Ok(Preview::Text {
                text: String::from_utf8_lossy(&head[..cut]).into_owned(),
                note: Some("too large or not valid JSON: the first 64 KiB as stored".into()),
            })
        }
        Kind::Zip | Kind::Npz => {
            let rt = tokio::runtime::Handle::current();
            let src = source.clone();
            tokio::task::spawn_blocking(move || {
                let reader = src.blocking_reader(rt).map_err(|e| e.to_string())?;
                if kind == Kind::Zip {
                    preview::zip_listing(reader)
                } else {
                    preview::npz_arrays(reader)
                }
            })
            .await
            .map_err(|e| format!("preview task failed: {e}"))?
            .map_err(|e| {
                format!(
                    "{e} (reads stop after {})",
                    trove_core::preview::format_size_binary(MAX_PREVIEW_FETCH)
                )
            })
        }
        Kind::Parquet => {
            let size = source.size().await.map_err(|e| e.to_string())?;
            if size > preview::MAX_PARQUET_BYTES {
                return Err(format!(
                    "the file is larger than the {} a preview reads",
                    trove_core::preview::format_size_binary(preview::MAX_PARQUET_BYTES)
                ));
            }
            let all = source.read_head(size).await.map_err(|e| e.to_string())?;
            tokio::task::spawn_blocking(move || {
                preview::parquet_table(bytes::Bytes::from(all), index_first)
            })
            .await
            .map_err(|e| format!("preview task failed: {e}"))?
        }
        Kind::Image | Kind::Stored => Err("no byte preview for this kind".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_from_uris() {
        assert_eq!(kind_of("http://f/a/Pandas/Pandas.csv.gz"), Kind::CsvGz);
        assert_eq!(kind_of("file:///x/DICT.JSON"), Kind::Json);
        assert_eq!(kind_of("/x/dancing.jpg?x=1"), Kind::Image);
        assert_eq!(kind_of("s3://b/data_samples.zip"), Kind::Zip);
        assert_eq!(kind_of("http://f/Numpy%20Eye.npz"), Kind::Npz);
        assert_eq!(kind_of("http://f/t.txt"), Kind::Stored);
        assert_eq!(kind_of("http://f/p.parquet"), Kind::Parquet);
    }
}
