//! trove: the Rust SDK for reporting artifacts to a ClearML-compatible server.
//!
//! [`kinds`] turns objects (data frames, JSON, arrays, images, files, folders, text, links) into stored
//! files with a hash and a preview, and stored files back into objects.

pub mod kinds;
