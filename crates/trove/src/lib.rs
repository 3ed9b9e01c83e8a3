//! trove (placeholder)
