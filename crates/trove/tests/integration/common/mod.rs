//! Helpers for the cloud storage tests: seeded data, hashing, free ports and real emulator processes
//! (s3s-fs, azurite) from the dev-only `trove-testkit` crate, plus a fault-injecting proxy and a fake GCS
//! XML API. An emulator that cannot be installed or started fails the test (never skips it).
#![allow(dead_code, unused_imports)]

pub mod fake_gcs;
pub mod fault_proxy;

pub use trove_testkit::data::*;
pub use trove_testkit::emulators::*;
pub use trove_testkit::repo_root;

/// A background tokio runtime for the in-test servers (the SDK's blocking calls must not run inside one).
pub fn server_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}
