//! trove-server's integration tests, in one binary: real servers on free ports over temporary homes.
//!
//! Tests that need something besides Rust (the official ClearML SDK in a Python venv, headless Chromium,
//! PostgreSQL, storage emulators) live under [`external`]; `scripts/test --fast` skips them
//! (`cargo test -- --skip external::`), `scripts/test` runs everything.

mod api;
mod clearml_api;
mod clearml_server;
mod common;
mod events_api;
mod events_models;
mod events_rules;
mod files;
mod models_api;
mod result_codes;

/// Tests that need Python, Chromium, PostgreSQL or an emulator.
mod external {
    mod output_destination;
    mod python_datasets;
    mod python_datasets_delete;
    mod python_metrics;
    mod python_models;
    mod python_sdk;
    mod seed_ui;
    mod two_servers;
}
