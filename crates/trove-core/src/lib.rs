//! Shared core of trove: the wire and domain types every other crate speaks (projects, tasks, artifact
//! records), the storage layout and name escaping that decide where artifact bytes live, streaming SHA-256
//! hashing, preview rules, and the configuration file.
//!
//! Nothing here does I/O beyond reading the configuration file; the store, storage, SDK and server crates
//! build on these types.

pub mod config;
pub mod hash;
pub mod ids;
pub mod layout;
pub mod preview;
pub mod record;
pub mod timefmt;

pub use config::{Config, ConfigError};
pub use hash::{HashingReader, HashingWriter, sha256_hex};
pub use ids::new_id;
pub use record::{ArtifactRecord, ArtifactVersion, TaskStatus, TypeData, UploadState};
