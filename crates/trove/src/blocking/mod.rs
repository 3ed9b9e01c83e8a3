//! The blocking API: [`crate::Trove`], [`crate::Task`], [`crate::TaskBuilder`], [`crate::Artifact`]. Each
//! wraps its async counterpart ([`crate::nonblocking`]) and the I/O runtime of the client it came from, and
//! runs the async calls to completion on it. Serialisation and parsing run in the caller's thread, as they
//! always did.

pub(crate) mod artifact;
pub(crate) mod client;
pub(crate) mod task;
