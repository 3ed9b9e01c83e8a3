//! trove-testkit's tests, in one binary: bounded child processes, and the module-graph check of every crate.

mod module_graph;
mod process;
