//! What a task handle and its artifacts share: configuration, backend, destination, uploader, cache.

use crate::backend::Backend;
use crate::publish::Publisher;
use crate::upload::Uploader;
use std::path::PathBuf;
use std::sync::Arc;
use trove_core::Config;
use trove_storage::Destination;

/// Which rule chose a task's output destination (highest first); defined by the protocol, recorded as
/// `output.destination_source`.
pub use trove_protocol::DestinationSource;

/// Shared state of one task handle.
pub(crate) struct Ctx {
    pub config: Config,
    pub backend: Arc<dyn Backend>,
    pub destination: Destination,
    pub destination_source: DestinationSource,
    pub uploader: Arc<Uploader>,
    /// The batched queue every artifact record of this handle is published through.
    pub publisher: Arc<Publisher>,
    pub staging: PathBuf,
    pub cache: PathBuf,
}
