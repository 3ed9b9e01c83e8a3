//! The trove SDK's integration tests, in one binary: the public API end to end on real SQLite files, real
//! in-process servers and real files.
//!
//! Tests that need something besides Rust (Python venvs, storage emulators) live under [`external`];
//! `scripts/test --fast` skips them (`cargo test -- --skip external::`), `scripts/test` runs everything.

mod common;
mod deprecated_api;
mod remote;
mod remote_server;
mod sdk_async;
mod sdk_embedded;
mod sdk_registered;

/// Tests that need Python or a storage emulator.
mod external {
    mod cloud_storage;
    mod python_interop;
}
