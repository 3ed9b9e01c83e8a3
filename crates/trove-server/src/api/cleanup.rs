//! Deleting artifact bytes that live on this server's files storage (trove's `delete_files: true`).

use super::context::Ctx;
use object_store::ObjectStoreExt;
use trove_core::ArtifactRecord;

/// Delete the bytes of artifacts whose URI points at this files server; returns how many were deleted.
pub async fn delete_files(ctx: &Ctx, arts: &[ArtifactRecord]) -> u64 {
    let mut n = 0;
    for uri in arts.iter().filter_map(|a| a.uri.as_deref()) {
        let Some(key) = ctx.state.key_of_uri(uri) else {
            continue;
        };
        match ctx.state.files.delete(&ctx.state.file_path(&key)).await {
            Ok(()) => n += 1,
            Err(e) => tracing::warn!(%uri, error = %e, "could not delete artifact file"),
        }
    }
    n
}
