//! Shared test helpers, from the dev-only `trove-testkit` crate: seeded test data, hashing, free ports and
//! real emulator processes (s3s-fs, azurite) installed by `scripts/emulators`.
#![allow(unused_imports)]

pub use trove_testkit::data::*;
pub use trove_testkit::emulators::*;
pub use trove_testkit::repo_root;
