//! `Tracked<DataFrame>`: a frame shared between the user's code and the task's monitor.

use polars::prelude::DataFrame;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

/// A shared, mutable frame. Clones are handles to the same frame: change it through [`Tracked::write`]
/// (or replace it with [`Tracked::set`]) and the task's monitor uploads the new content.
///
/// ```
/// use trove::polars::df;
/// use trove::{Trove, Tracked};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let dir = tempfile::tempdir()?;
/// let task = Trove::builder().home(dir.path()).build()?.create_task("examples", "watched")?;
/// let train = Tracked::new(df!("num_legs" => [2i64, 4, 8, 0])?);
/// task.register_artifact("train", &train)?;                  // version 1, uploaded now
/// train.set(df!("num_legs" => [2i64, 4, 8, 0, 6])?);          // a change…
/// task.flush()?;                                              // …is version 2 (at the latest on flush)
/// assert_eq!(task.artifact("train")?.versions()?.len(), 2);
/// assert!(task.registered_artifacts()["train"].same(&train));
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Default)]
pub struct Tracked<T = DataFrame> {
    inner: Arc<RwLock<T>>,
}

impl<T> Tracked<T> {
    /// Wrap a value.
    pub fn new(value: T) -> Self {
        Self {
            inner: Arc::new(RwLock::new(value)),
        }
    }

    /// Read access (a poisoned lock is recovered: a frame is plain data).
    pub fn read(&self) -> RwLockReadGuard<'_, T> {
        self.inner.read().unwrap_or_else(|p| p.into_inner())
    }

    /// Write access.
    pub fn write(&self) -> RwLockWriteGuard<'_, T> {
        self.inner.write().unwrap_or_else(|p| p.into_inner())
    }

    /// Replace the value.
    pub fn set(&self, value: T) {
        *self.write() = value;
    }

    /// True when both handles share one value.
    pub fn same(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}

impl<T: Clone> Tracked<T> {
    /// A copy of the current value.
    pub fn snapshot(&self) -> T {
        self.read().clone()
    }
}

/// Which columns make a row unique, for the statistics in a registered frame's preview.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Uniqueness {
    /// Every column (ClearML's `uniqueness_columns=True`).
    #[default]
    AllColumns,
    /// These columns.
    Columns(Vec<String>),
}
