//! trove-server (placeholder)
