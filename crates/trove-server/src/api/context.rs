//! [`Ctx`]: what every endpoint handler is given besides its typed request.

use crate::auth::Identity;
use crate::state::SharedState;
use axum::http::HeaderMap;
use std::net::IpAddr;

/// Per-request context handed to endpoint handlers.
pub struct Ctx {
    /// Server state.
    pub state: SharedState,
    /// Who is calling.
    pub identity: Identity,
    /// Request headers (login reads Basic credentials from them).
    pub headers: HeaderMap,
    /// The client's address (login throttling).
    pub client: IpAddr,
}
