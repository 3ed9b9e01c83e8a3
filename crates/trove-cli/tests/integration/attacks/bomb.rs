//! A Parquet "bomb" built byte by byte: one INT32 column whose only page header claims `claimed` bytes
//! uncompressed (snappy), a few real bytes of data, and a valid footer. Readers that trust the header reserve
//! and zero-fill `claimed` bytes before they notice the data is short.

/// Thrift compact-protocol writer (just what a Parquet footer and page header need).
#[derive(Default)]
struct W {
    out: Vec<u8>,
    last: Vec<i16>,
}

impl W {
    fn varint(&mut self, mut v: u64) {
        loop {
            if v < 0x80 {
                self.out.push(v as u8);
                return;
            }
            self.out.push((v as u8 & 0x7f) | 0x80);
            v >>= 7;
        }
    }
    fn zz(&mut self, v: i64) {
        self.varint(((v << 1) ^ (v >> 63)) as u64);
    }
    fn field(&mut self, id: i16, ty: u8) {
        let last = self.last.last().copied().unwrap_or(0);
        let delta = id - last;
        if (1..=15).contains(&delta) {
            self.out.push(((delta as u8) << 4) | ty);
        } else {
            self.out.push(ty);
            self.zz(i64::from(id));
        }
        if let Some(l) = self.last.last_mut() {
            *l = id;
        }
    }
    fn begin(&mut self) {
        self.last.push(0);
    }
    fn end(&mut self) {
        self.out.push(0);
        self.last.pop();
    }
    fn i32(&mut self, id: i16, v: i32) {
        self.field(id, 5);
        self.zz(i64::from(v));
    }
    fn i64(&mut self, id: i16, v: i64) {
        self.field(id, 6);
        self.zz(v);
    }
    fn string(&mut self, id: i16, s: &str) {
        self.field(id, 8);
        self.varint(s.len() as u64);
        self.out.extend_from_slice(s.as_bytes());
    }
    fn list(&mut self, id: i16, elem: u8, n: usize) {
        self.field(id, 9);
        self.out.push(((n as u8) << 4) | elem);
    }
    fn structure(&mut self, id: i16) {
        self.field(id, 12);
        self.begin();
    }
}

/// The file's bytes.
pub fn parquet_bomb(claimed: i32) -> Vec<u8> {
    // Page data: a snappy block whose preamble also claims `claimed` bytes, then a literal.
    let mut data = W::default();
    data.varint(claimed as u64);
    data.out.extend_from_slice(&[0x0c, 1, 2, 3, 4]);
    let data = data.out;

    let mut page = W::default();
    page.begin();
    page.i32(1, 0); // DATA_PAGE
    page.i32(2, claimed); // uncompressed_page_size
    page.i32(3, data.len() as i32); // compressed_page_size
    page.structure(5); // data_page_header
    page.i32(1, 1); // num_values
    page.i32(2, 0); // PLAIN
    page.i32(3, 3); // RLE
    page.i32(4, 3); // RLE
    page.end();
    page.end();
    let chunk_len = (page.out.len() + data.len()) as i64;

    let mut file = b"PAR1".to_vec();
    file.extend_from_slice(&page.out);
    file.extend_from_slice(&data);

    let mut m = W::default();
    m.begin();
    m.i32(1, 1); // version
    m.list(2, 12, 2); // schema
    m.begin();
    m.string(4, "schema");
    m.i32(5, 1);
    m.end();
    m.begin();
    m.i32(1, 1); // INT32
    m.i32(3, 0); // REQUIRED
    m.string(4, "a");
    m.end();
    m.i64(3, 1); // num_rows
    m.list(4, 12, 1); // row_groups
    m.begin();
    m.list(1, 12, 1); // columns
    m.begin();
    m.i64(2, 4); // file_offset
    m.structure(3); // meta_data
    m.i32(1, 1); // INT32
    m.list(2, 5, 1); // encodings
    m.zz(0);
    m.list(3, 8, 1); // path_in_schema
    m.varint(1);
    m.out.push(b'a');
    m.i32(4, 1); // SNAPPY
    m.i64(5, 1); // num_values
    m.i64(6, i64::from(claimed)); // total_uncompressed_size
    m.i64(7, chunk_len); // total_compressed_size
    m.i64(9, 4); // data_page_offset
    m.end();
    m.end(); // column chunk
    m.i64(2, i64::from(claimed)); // total_byte_size
    m.i64(3, 1); // num_rows
    m.end(); // row group
    m.end(); // file metadata
    file.extend_from_slice(&m.out);
    file.extend_from_slice(&(m.out.len() as u32).to_le_bytes());
    file.extend_from_slice(b"PAR1");
    file
}
