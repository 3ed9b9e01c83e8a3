//! The ClearML REST protocol as trove speaks it, defined once for the server (`trove-server`) and the Rust
//! client (`trove`'s remote backend):
//!
//! * [`API_VERSION`] / [`SERVER_VERSION`] and the `/v<version>/<service>.<action>` paths ([`version`]);
//! * every endpoint as a typed call: a zero-sized type implementing [`Call`] with its name, request and
//!   response types ([`endpoints`]); requests decode leniently, as ClearML's server reads them ([`lenient`]);
//! * the envelope every answer is wrapped in ([`Envelope`], [`Meta`]);
//! * ClearML's result codes ([`ResultCode`], from clearml-server's `errors.conf`) and the typed failure both
//!   sides exchange ([`CallError`]);
//! * task and project documents with typed accessors ([`TaskDoc`], [`ProjectDoc`]) and where a task's
//!   artifacts go ([`DestinationSource`], [`TaskOutput`]).
//!
//! Nothing here does I/O: no HTTP, nothing async.
//!
//! ```
//! use trove_protocol::{Call, decode_request, endpoints::TasksGetById};
//! let req = decode_request::<TasksGetById>(serde_json::json!({"task": "abc", "method": "get"})).unwrap();
//! assert_eq!((TasksGetById::NAME, req.task.as_str()), ("tasks.get_by_id", "abc"));
//! ```

#![warn(missing_docs)]

pub mod codes;
pub mod destination;
pub mod docs;
pub mod endpoints;
pub mod envelope;
pub mod error;
pub mod lenient;
pub mod version;

pub use codes::{Origin, ResultCode};
pub use destination::{DestinationSource, TaskOutput, UnknownDestinationSource};
pub use docs::{ProjectDoc, TaskDoc};
pub use envelope::{EndpointMeta, Envelope, Meta};
pub use error::CallError;
pub use version::{API_VERSION, SERVER_VERSION, actual_version, parse_path, versioned_path};

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// One endpoint: its name and the types of its request body and of the envelope's `data`. Implemented by a
/// zero-sized type per endpoint (see [`endpoints`]), which the server routes on and the client calls with.
pub trait Call {
    /// `service.action`, e.g. `tasks.create`.
    const NAME: &'static str;
    /// The request body.
    type Request: Serialize + DeserializeOwned + Validate;
    /// The answer (`data` of the envelope).
    type Response: Serialize + DeserializeOwned;
}

/// Checks a decoded request can make beyond its shape (required fields present and non-empty).
pub trait Validate {
    /// `Ok` when the request has everything the endpoint needs; a 400/12 [`CallError`] otherwise.
    fn validate(&self) -> Result<(), CallError> {
        Ok(())
    }
}

/// A 400/12 naming `field` when the required string `value` is empty (absent, `null` or `""`).
pub fn require(field: &str, value: &str) -> Result<(), CallError> {
    if value.is_empty() {
        Err(CallError::missing_field(field))
    } else {
        Ok(())
    }
}

/// A list field that must hold at least one value: 400/12 naming the field otherwise.
pub fn require_list<T>(field: &str, values: &[T]) -> Result<(), CallError> {
    if values.is_empty() {
        Err(
            CallError::validation(format!("field '{field}' needs at least one value"))
                .with_data(serde_json::json!({ "field": field })),
        )
    } else {
        Ok(())
    }
}

/// Decode and validate a request body as the server does: leniently (see [`lenient`]), and on failure a
/// 400/12 that names the field (`Validation error: field 'task': must be a non-empty string, got 5`).
pub fn decode_request<C: Call>(body: Value) -> Result<C::Request, CallError> {
    let req: C::Request = serde_path_to_error::deserialize(body).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if path.is_empty() || path == "." {
            CallError::validation(inner.to_string())
        } else {
            CallError::validation(format!("field '{path}': {inner}"))
        }
    })?;
    req.validate()?;
    Ok(req)
}

/// Decode an envelope's `data` as `C`'s response (`null` counts as `{}`).
pub fn decode_response<C: Call>(data: Value) -> Result<C::Response, serde_json::Error> {
    let data = match data {
        Value::Null => Value::Object(Map::new()),
        other => other,
    };
    serde_json::from_value(data)
}
