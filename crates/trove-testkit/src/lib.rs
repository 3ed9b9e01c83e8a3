//! Test-only helpers shared by trove's crates (a dev-dependency, never published).
//!
//! - [`process`]: run a child process with a time limit; on expiry its whole process group is killed and
//!   the failure shows what it printed (and, for Python, where every thread was waiting).
//! - [`python`]: the project's Python venvs (`scripts/pyenv`) and running scripts in them.
//! - [`emulators`]: real storage emulators (s3s-fs, azurite) on free ports.
//! - [`browser`]: headless Chromium with playwright-core scripts.
//! - [`postgres`]: fresh PostgreSQL databases, dropped afterwards.
//! - [`data`]: seeded test bytes, hashing and file listings.
//! - [`modules`]: module graphs of a crate's sources, to keep them free of cycles.
//!
//! Anything a test needs that cannot be set up fails the test with a message saying how to fix it; nothing
//! here skips a test.

pub mod browser;
pub mod data;
pub mod emulators;
pub mod modules;
pub mod postgres;
pub mod process;
pub mod python;

use std::path::PathBuf;

/// The repository root (this crate lives in `crates/trove-testkit`).
pub fn repo_root() -> PathBuf {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    here.join("../..")
        .canonicalize()
        .unwrap_or_else(|e| panic!("repository root above {}: {e}", here.display()))
}
