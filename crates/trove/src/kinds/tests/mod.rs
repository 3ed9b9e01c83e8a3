//! The kinds' own tests: every kind serialised and read back, byte-compatibility with ClearML, Python
//! interop, big frames and error messages. They exercise crate-internal serialisation directly, so they
//! live here rather than in `tests/`; they need every kind, i.e. the default features.

#![cfg(all(
    feature = "frame",
    feature = "array",
    feature = "image",
    feature = "archive",
    feature = "json"
))]

mod errors;
mod roundtrip;
mod roundtrip_files;
mod vectors;

/// Tests that run Python (pandas, numpy, Pillow, pyarrow from the `data` venv); `scripts/test --fast` skips them.
mod external {
    mod frame_big;
    mod python;
    mod python_previews;
}
