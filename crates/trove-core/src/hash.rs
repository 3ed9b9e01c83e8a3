//! SHA-256 computed while bytes pass through, so a file is never read twice to hash it.
//!
//! The digest is ring's (BoringSSL's assembly: SHA extensions where the CPU has them, AVX2 otherwise).
//! Hashing bounds several uploads (a local copy runs in the kernel while a thread hashes), and on a CPU
//! without SHA extensions ring hashes 348 MB/s where the `sha2` crate does 188 MB/s.

use ring::digest::{Context, SHA256};
use std::io::{self, Read, Write};

/// Hex SHA-256 of a byte slice.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(ring::digest::digest(&SHA256, bytes))
}

/// An empty SHA-256 state (ring's `Context`, which has no `Default`).
#[derive(Clone)]
struct Sha256(Context);

impl Sha256 {
    fn new() -> Self {
        Sha256(Context::new(&SHA256))
    }
    fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }
    fn finalize(self) -> ring::digest::Digest {
        self.0.finish()
    }
}

impl Default for Sha256 {
    fn default() -> Self {
        Self::new()
    }
}

/// A writer that hashes and counts every byte it forwards to `inner`.
pub struct HashingWriter<W> {
    inner: W,
    hasher: Sha256,
    len: u64,
}

impl<W: Write> HashingWriter<W> {
    /// Wrap `inner`.
    pub fn new(inner: W) -> Self {
        Self {
            inner,
            hasher: Sha256::new(),
            len: 0,
        }
    }

    /// Bytes written so far.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// True when nothing has been written.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Finish: the inner writer, the hex SHA-256 and the byte count.
    pub fn finish(self) -> (W, String, u64) {
        (self.inner, hex::encode(self.hasher.finalize()), self.len)
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.len += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// A reader that hashes and counts every byte read through it.
pub struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
    len: u64,
}

impl<R: Read> HashingReader<R> {
    /// Wrap `inner`.
    pub fn new(inner: R) -> Self {
        Self {
            inner,
            hasher: Sha256::new(),
            len: 0,
        }
    }

    /// Finish: the hex SHA-256 and byte count of everything read.
    pub fn finish(self) -> (String, u64) {
        (hex::encode(self.hasher.finalize()), self.len)
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.len += n as u64;
        Ok(n)
    }
}

/// Incremental SHA-256 for callers that see bytes in chunks (uploads, downloads).
#[derive(Default, Clone)]
pub struct Sha256Stream {
    hasher: Sha256,
    len: u64,
}

impl Sha256Stream {
    /// Start an empty hash.
    pub fn new() -> Self {
        Self::default()
    }
    /// Add bytes.
    pub fn update(&mut self, bytes: &[u8]) {
        self.hasher.update(bytes);
        self.len += bytes.len() as u64;
    }
    /// Hex digest and byte count.
    pub fn finish(self) -> (String, u64) {
        (hex::encode(self.hasher.finalize()), self.len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writer_reader_and_slice_agree() {
        let data = b"hello world text";
        let mut w = HashingWriter::new(Vec::new());
        w.write_all(data).unwrap();
        let (out, h, n) = w.finish();
        assert_eq!(out, data);
        assert_eq!(n, 16);
        // Test vector from the ClearML reference (text.txt).
        assert_eq!(
            h,
            "a414679375a7e026d3deaf5a16495273b1e77c7d4adcfcbc6acb9d45776728f7"
        );
        let mut r = HashingReader::new(&data[..]);
        io::copy(&mut r, &mut io::sink()).unwrap();
        assert_eq!(r.finish().0, h);
        assert_eq!(sha256_hex(data), h);
        let mut s = Sha256Stream::new();
        s.update(&data[..5]);
        s.update(&data[5..]);
        assert_eq!(s.finish(), (h, 16));
    }
}
