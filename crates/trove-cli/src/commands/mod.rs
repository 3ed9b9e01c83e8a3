//! One module per group of subcommands.

pub mod demo;
pub mod migrate;
pub mod server;
pub mod tasks;
