//! Transfers to and from an [`ObjectStore`] (S3, GCS, Azure Blob, or a local folder opened by [`crate::open_store`]).
//!
//! Uploads stream from disk: a file below the multipart threshold is read once into memory (at most the
//! threshold) and sent in one request; a bigger one goes up in parts of `part_size` with at most
//! `max_concurrency` parts in flight, so memory stays below `part_size × max_concurrency`. SHA-256 is computed
//! from the same reads. A failed multipart upload is aborted so that no parts are left behind.

use crate::atomic::AtomicFile;
use crate::options::TransferOptions;
use crate::{PutOutcome, StorageError};
use bytes::BytesMut;
use futures::StreamExt;
use object_store::path::Path as ObjPath;
use object_store::{
    Attribute, Attributes, ObjectStore, ObjectStoreExt, PutMultipartOptions, PutOptions,
    PutPayload, WriteMultipart,
};
use std::path::Path;
use tokio::io::AsyncReadExt;
use trove_core::hash::Sha256Stream;

/// The object path of `key` below `prefix`.
pub(crate) fn object_path(prefix: &ObjPath, key: &str) -> Result<ObjPath, StorageError> {
    let full = if prefix.as_ref().is_empty() {
        key.to_string()
    } else {
        format!("{}/{key}", prefix.as_ref())
    };
    ObjPath::parse(&full).map_err(|_| StorageError::InvalidKey {
        key: key.to_string(),
    })
}

/// Upload in-memory `bytes` to `path` in one request.
pub(crate) async fn put_bytes(
    store: &dyn ObjectStore,
    path: &ObjPath,
    uri: &str,
    bytes: bytes::Bytes,
    content_type: &str,
) -> Result<PutOutcome, StorageError> {
    let mut attributes = Attributes::new();
    attributes.insert(Attribute::ContentType, content_type.to_string().into());
    let outcome = PutOutcome::of(&bytes);
    let put_opts = PutOptions {
        attributes,
        ..Default::default()
    };
    store
        .put_opts(path, PutPayload::from(bytes), put_opts)
        .await
        .map_err(|e| StorageError::store("upload", uri, e))?;
    Ok(outcome)
}

/// Upload `local` to `path`; see the module doc.
pub(crate) async fn put_file(
    store: &dyn ObjectStore,
    path: &ObjPath,
    uri: &str,
    local: &Path,
    content_type: &str,
    opts: &TransferOptions,
    progress: &(dyn Fn(u64) + Send + Sync),
) -> Result<PutOutcome, StorageError> {
    let mut file = tokio::fs::File::open(local)
        .await
        .map_err(|e| StorageError::io("open", local, e))?;
    let size = file
        .metadata()
        .await
        .map_err(|e| StorageError::io("inspect", local, e))?
        .len();
    let mut attributes = Attributes::new();
    attributes.insert(Attribute::ContentType, content_type.to_string().into());

    if size < opts.multipart_threshold {
        let mut buf = Vec::with_capacity(size as usize);
        file.read_to_end(&mut buf)
            .await
            .map_err(|e| StorageError::io("read", local, e))?;
        let mut hash = Sha256Stream::new();
        hash.update(&buf);
        let put_opts = PutOptions {
            attributes,
            ..Default::default()
        };
        store
            .put_opts(path, PutPayload::from(buf), put_opts)
            .await
            .map_err(|e| StorageError::store("upload", uri, e))?;
        let (sha256, size) = hash.finish();
        progress(size);
        return Ok(PutOutcome { sha256, size });
    }

    tracing::debug!(uri, size, part_size = opts.part_size, "multipart upload");
    let upload = store
        .put_multipart_opts(
            path,
            PutMultipartOptions {
                attributes,
                ..Default::default()
            },
        )
        .await
        .map_err(|e| StorageError::store("start a multipart upload of", uri, e))?;
    let mut writer = WriteMultipart::new_with_chunk_size(upload, opts.part_size);
    let mut hash = Sha256Stream::new();
    let mut sent = 0u64;
    let result: Result<(), StorageError> = async {
        loop {
            writer
                .wait_for_capacity(opts.max_concurrency.saturating_sub(1))
                .await
                .map_err(|e| StorageError::store("upload a part of", uri, e))?;
            let chunk = read_chunk(&mut file, opts.part_size, local).await?;
            if chunk.is_empty() {
                if sent != size {
                    let msg = format!(
                        "read {sent} of {size} bytes: the file changed while it was uploaded"
                    );
                    return Err(StorageError::io(
                        "upload",
                        local,
                        std::io::Error::other(msg),
                    ));
                }
                return Ok(());
            }
            hash.update(&chunk);
            sent += chunk.len() as u64;
            writer.put(chunk.freeze());
            progress(sent);
        }
    }
    .await;
    if let Err(e) = result {
        if let Err(abort) = writer.abort().await {
            tracing::warn!(uri, error = %abort, "cannot abort a failed multipart upload");
        }
        return Err(e);
    }
    // `finish` aborts the upload itself when completing fails.
    writer
        .finish()
        .await
        .map_err(|e| StorageError::store("complete the multipart upload of", uri, e))?;
    let (sha256, size) = hash.finish();
    progress(size);
    Ok(PutOutcome { sha256, size })
}

/// Read up to `n` bytes (fewer only at the end of the file).
async fn read_chunk(
    file: &mut tokio::fs::File,
    n: usize,
    local: &Path,
) -> Result<BytesMut, StorageError> {
    let mut buf = BytesMut::zeroed(n);
    let mut filled = 0;
    while filled < n {
        let r = file
            .read(&mut buf[filled..])
            .await
            .map_err(|e| StorageError::io("read", local, e))?;
        if r == 0 {
            break;
        }
        filled += r;
    }
    buf.truncate(filled);
    Ok(buf)
}

/// Download `path` to `dest` atomically.
pub(crate) async fn get_to_file(
    store: &dyn ObjectStore,
    path: &ObjPath,
    uri: &str,
    dest: &Path,
    progress: &(dyn Fn(u64) + Send + Sync),
) -> Result<PutOutcome, StorageError> {
    let got = store
        .get(path)
        .await
        .map_err(|e| StorageError::store("download", uri, e))?;
    let mut stream = got.into_stream();
    let mut out = AtomicFile::create(dest).await?;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| StorageError::store("download", uri, e))?;
        out.write(&chunk).await?;
        progress(out.len());
    }
    out.commit().await
}

/// Delete `path`; a missing object is not an error.
pub(crate) async fn delete(
    store: &dyn ObjectStore,
    path: &ObjPath,
    uri: &str,
) -> Result<(), StorageError> {
    match store.delete(path).await {
        Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
        Err(e) => Err(StorageError::store("delete", uri, e)),
    }
}

/// Write and delete a small test object below `prefix`.
pub(crate) async fn check_writable(
    store: &dyn ObjectStore,
    prefix: &ObjPath,
    uri: &str,
) -> Result<(), StorageError> {
    let key = format!(".trove.{}.test", uuid::Uuid::new_v4().simple());
    let path = object_path(prefix, &key)?;
    let not_writable = |e: object_store::Error| StorageError::NotWritable {
        destination: uri.to_string(),
        reason: format!("cannot write the test object {key}: {e}"),
    };
    store
        .put(&path, PutPayload::from_static(b"trove write test"))
        .await
        .map_err(not_writable)?;
    store
        .delete(&path)
        .await
        .map_err(|e| StorageError::NotWritable {
            destination: uri.to_string(),
            reason: format!("cannot delete the test object {key}: {e}"),
        })
}
