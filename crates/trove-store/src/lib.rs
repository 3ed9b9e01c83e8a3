//! trove-store (placeholder)
