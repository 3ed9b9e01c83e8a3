//! The async API: the same types as the crate root, with `async` methods, for use inside tokio.
//!
//! Background work (uploads, publication, watched frames) runs on the runtime the [`Trove`] was built in;
//! serialisation and parsing run on its blocking pool, so they never stall the executor. The blocking
//! types at the crate root ([`crate::Trove`], [`crate::Task`]) wrap these with a runtime of their own.
//!
//! ```
//! use trove::nonblocking::Trove;
//!
//! #[tokio::main]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! #   let dir = tempfile::tempdir()?;
//! #   let trove = Trove::builder().home(dir.path()).build().await?;
//! #   /*
//!     let trove = Trove::from_env().await?;
//! #   */
//!     let task = trove.create_task("examples", "async example").await?;
//!     task.upload_artifact("dictionary", serde_json::json!({"num_legs": {"falcon": 2}})).await?;
//!     let value: serde_json::Value = task.artifact("dictionary").await?.get().await?;
//!     assert_eq!(value["num_legs"]["falcon"], 2);
//!     task.close().await?;
//!     Ok(())
//! }
//! ```

pub use crate::artifact::Artifact;
pub use crate::client::{Trove, TroveBuilder};
pub use crate::task::{Task, TaskBuilder};
