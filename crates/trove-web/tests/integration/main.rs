//! trove-web's integration tests, in one binary: the router served over real SQLite stores and real files.
//!
//! Tests that need Python (pandas, numpy, Pillow and pyarrow making real artifact files), headless Chromium
//! or the S3 emulator live under [`external`]; `scripts/test --fast` skips them.

mod common;
mod destination_forms;
mod hostile;
mod pagination;

/// Tests that need Python, Chromium or an emulator.
mod external {
    mod browser;
    mod http;
    mod previews;
}
