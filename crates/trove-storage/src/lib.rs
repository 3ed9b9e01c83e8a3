//! trove-storage (placeholder)
