//! The memory bound of Parquet previews. The `parquet` crate trusts a page header's `uncompressed_page_size`:
//! it reserves and zero-fills that many bytes before decompressing, so a 110-byte file whose header claims
//! 2 GiB costs 2 GiB per preview, and a binary field claiming a huge length can abort the process. Before any
//! row is read, [`check_pages`] walks the page headers of the column chunks the preview will touch with a
//! small Thrift compact-protocol reader that checks every length against the bytes that exist, and refuses
//! the file unless each page and all pages together stay within fixed limits.

use parquet::file::metadata::ParquetMetaData;
use parquet::file::reader::ChunkReader;

/// Largest uncompressed page a preview decodes.
pub const MAX_PAGE_BYTES: i64 = 16 * 1024 * 1024;
/// Largest sum of uncompressed pages over the column chunks a preview reads.
pub const MAX_TOTAL_BYTES: i64 = 64 * 1024 * 1024;
/// Most bytes of one page header read (real headers are a few hundred bytes, more with statistics).
const MAX_HEADER_BYTES: u64 = 1024 * 1024;
/// Nesting limit of Thrift structures and lists.
const MAX_DEPTH: u32 = 16;

// Thrift compact protocol type ids.
const BOOL_TRUE: u8 = 1;
const BOOL_FALSE: u8 = 2;
const BYTE: u8 = 3;
const I16: u8 = 4;
const I32: u8 = 5;
const I64: u8 = 6;
const DOUBLE: u8 = 7;
const BINARY: u8 = 8;
const LIST: u8 = 9;
const SET: u8 = 10;
const MAP: u8 = 11;
const STRUCT: u8 = 12;

/// A bounds-checked reader of Thrift compact-protocol bytes.
struct Compact<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl Compact<'_> {
    fn byte(&mut self) -> Result<u8, String> {
        let b = *self
            .buf
            .get(self.pos)
            .ok_or("a Parquet page header is cut short")?;
        self.pos += 1;
        Ok(b)
    }

    fn varint(&mut self) -> Result<u64, String> {
        let mut v: u64 = 0;
        for shift in (0..70).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f) << shift.min(63);
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err("a Parquet page header has an overlong number".into())
    }

    fn zigzag(&mut self) -> Result<i64, String> {
        let v = self.varint()?;
        Ok((v >> 1) as i64 ^ -((v & 1) as i64))
    }

    fn advance(&mut self, n: u64) -> Result<(), String> {
        let left = (self.buf.len() - self.pos) as u64;
        if n > left {
            return Err(format!(
                "a Parquet page header claims {n} bytes where {left} remain"
            ));
        }
        self.pos += n as usize;
        Ok(())
    }

    /// Skip one value of type `ty`; `in_list` for list elements (booleans then take a byte).
    fn skip(&mut self, ty: u8, in_list: bool, depth: u32) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err("a Parquet page header is nested too deeply".into());
        }
        match ty {
            BOOL_TRUE | BOOL_FALSE if in_list => self.advance(1),
            BOOL_TRUE | BOOL_FALSE => Ok(()),
            BYTE => self.advance(1),
            I16 | I32 | I64 => self.varint().map(drop),
            DOUBLE => self.advance(8),
            BINARY => {
                let n = self.varint()?;
                self.advance(n)
            }
            LIST | SET => {
                let h = self.byte()?;
                let n = match h >> 4 {
                    15 => self.varint()?,
                    n => u64::from(n),
                };
                // Every element takes at least one byte: a count beyond the bytes left is a lie.
                self.check_count(n)?;
                for _ in 0..n {
                    self.skip(h & 0x0f, true, depth + 1)?;
                }
                Ok(())
            }
            MAP => {
                let n = self.varint()?;
                if n > 0 {
                    self.check_count(n)?;
                    let kv = self.byte()?;
                    for _ in 0..n {
                        self.skip(kv >> 4, true, depth + 1)?;
                        self.skip(kv & 0x0f, true, depth + 1)?;
                    }
                }
                Ok(())
            }
            STRUCT => self.skip_struct(depth + 1).map(drop),
            other => Err(format!("a Parquet page header has an unknown type {other}")),
        }
    }

    fn check_count(&self, n: u64) -> Result<(), String> {
        if n > (self.buf.len() - self.pos) as u64 {
            return Err(format!(
                "a Parquet page header claims {n} elements in fewer bytes"
            ));
        }
        Ok(())
    }

    /// Read a struct, returning its i32 fields 2 and 3 (a page header's uncompressed and compressed sizes).
    fn skip_struct(&mut self, depth: u32) -> Result<(Option<i64>, Option<i64>), String> {
        let (mut last, mut sizes) = (0i64, (None, None));
        loop {
            let h = self.byte()?;
            if h == 0 {
                return Ok(sizes);
            }
            let ty = h & 0x0f;
            let id = match h >> 4 {
                0 => self.zigzag()?,
                delta => last + i64::from(delta),
            };
            last = id;
            match (id, ty) {
                (2, I32) => sizes.0 = Some(self.zigzag()?),
                (3, I32) => sizes.1 = Some(self.zigzag()?),
                _ => self.skip(ty, false, depth)?,
            }
        }
    }
}

/// Parse one page header; `(header length, uncompressed size, compressed size)`.
fn page_header(buf: &[u8]) -> Result<(u64, i64, i64), String> {
    let mut c = Compact { buf, pos: 0 };
    let (u, z) = c.skip_struct(0)?;
    match (u, z) {
        (Some(u), Some(z)) if u >= 0 && z >= 0 => Ok((c.pos as u64, u, z)),
        _ => Err("a Parquet page header lacks valid page sizes".into()),
    }
}

/// Check every page of the column chunks in the row groups a preview of `rows` rows reads.
pub fn check_pages<R: ChunkReader>(
    reader: &R,
    meta: &ParquetMetaData,
    rows: usize,
) -> Result<(), String> {
    let file_len = reader.len();
    let mut total: i64 = 0;
    let mut seen_rows: i64 = 0;
    for rg in meta.row_groups() {
        if seen_rows >= rows as i64 {
            break;
        }
        seen_rows += rg.num_rows().max(0);
        for col in rg.columns() {
            let start = match col.dictionary_page_offset() {
                Some(d) if d > 0 => d,
                _ => col.data_page_offset(),
            };
            let size = col.compressed_size();
            let (start, size) = (
                u64::try_from(start).map_err(|_| "a negative column chunk offset")?,
                u64::try_from(size).map_err(|_| "a negative column chunk size")?,
            );
            let end = start
                .checked_add(size)
                .filter(|e| *e <= file_len)
                .ok_or("a column chunk lies beyond the end of the file")?;
            let mut pos = start;
            while pos < end {
                let want = (end - pos).min(MAX_HEADER_BYTES) as usize;
                let bytes = reader
                    .get_bytes(pos, want)
                    .map_err(|e| format!("cannot read a page header: {e}"))?;
                let (len, uncompressed, compressed) = page_header(&bytes)?;
                if uncompressed > MAX_PAGE_BYTES {
                    return Err(format!(
                        "a page claims {uncompressed} bytes uncompressed; previews decode pages up to {MAX_PAGE_BYTES}"
                    ));
                }
                total += uncompressed;
                if total > MAX_TOTAL_BYTES {
                    return Err(format!(
                        "the first rows decompress to more than {MAX_TOTAL_BYTES} bytes, the most a preview decodes"
                    ));
                }
                pos = pos
                    .checked_add(len + compressed as u64)
                    .filter(|p| *p <= end)
                    .ok_or("a page runs past the end of its column chunk")?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A compact-protocol page header: type 0, the two sizes, crc skipped, a data page header struct.
    fn header(uncompressed: i32, compressed: i32) -> Vec<u8> {
        let zz = |v: i32| -> Vec<u8> {
            let mut n = ((v << 1) ^ (v >> 31)) as u32;
            let mut out = Vec::new();
            loop {
                if n < 0x80 {
                    out.push(n as u8);
                    return out;
                }
                out.push((n as u8 & 0x7f) | 0x80);
                n >>= 7;
            }
        };
        let mut h = vec![0x15];
        h.extend(zz(0));
        h.push(0x15);
        h.extend(zz(uncompressed));
        h.push(0x15);
        h.extend(zz(compressed));
        // field 5: data_page_header { 1: num_values = 3 }
        h.push(0x2c);
        h.push(0x15);
        h.extend(zz(3));
        h.push(0);
        h.push(0);
        h
    }

    #[test]
    fn headers_parse_and_lies_are_caught() {
        let h = header(100, 40);
        assert_eq!(page_header(&h).unwrap(), (h.len() as u64, 100, 40));
        assert!(page_header(&h[..h.len() - 1]).is_err(), "cut short");
        // A binary field claiming 2^40 bytes.
        let mut bomb = vec![0x18];
        bomb.extend([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20]);
        assert!(page_header(&bomb).unwrap_err().contains("claims"));
        // A list claiming a billion elements.
        let list = vec![0x19, 0xf5, 0x80, 0x80, 0x80, 0x80, 0x04];
        assert!(page_header(&list).unwrap_err().contains("elements"));
        // Deep nesting.
        let deep = vec![0x1c; 64];
        assert!(page_header(&deep).is_err());
    }
}
