//! trove-storage's integration tests, in one binary: destinations against real folders, a real files server
//! and, under [`external`], the real S3 and Azure emulators (s3s-fs, azurite; `scripts/test --fast` skips them).

mod common;
mod credentials;
mod files_server;
mod local;

/// Tests that need a storage emulator.
mod external {
    mod azure;
    mod s3;
}
