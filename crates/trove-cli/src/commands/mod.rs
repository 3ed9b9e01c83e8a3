//! One module per group of subcommands.

pub mod demo;
pub mod server;
pub mod tasks;
