//! What a task handle and its artifacts share: plain data (configuration, backend, where the destination
//! came from, the cache folder). The active parts (uploader, publisher, monitor) live beside it, not in it.

use crate::backend::Backend;
use std::path::PathBuf;
use std::sync::Arc;
use trove_core::Config;

/// Which rule chose a task's output destination (highest first); defined by the protocol, recorded as
/// `output.destination_source`.
pub use trove_protocol::DestinationSource;

/// Shared, immutable state of one task handle.
pub(crate) struct Ctx {
    pub config: Config,
    pub backend: Arc<dyn Backend>,
    pub destination_source: DestinationSource,
    /// The download cache (`$TROVE_HOME/cache`).
    pub cache: PathBuf,
}
