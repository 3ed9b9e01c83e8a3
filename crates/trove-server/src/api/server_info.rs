//! `server.info` and `debug.ping`: what this server is, and that it is up.

use super::context::Ctx;
use crate::error::ApiError;
use trove_protocol::endpoints::{Empty, PingResponse, ServerInfoResponse};
use trove_protocol::{API_VERSION, SERVER_VERSION};

/// `server.info`.
pub async fn server_info(_: &Ctx, _: Empty) -> Result<ServerInfoResponse, ApiError> {
    Ok(ServerInfoResponse {
        server_version: SERVER_VERSION.into(),
        api_version: API_VERSION.into(),
        build: format!("trove-{}", env!("CARGO_PKG_VERSION")),
        commit: String::new(),
        uid: "trove".into(),
        trove_version: Some(env!("CARGO_PKG_VERSION").into()),
    })
}

/// `debug.ping`.
pub async fn ping(_: &Ctx, _: Empty) -> Result<PingResponse, ApiError> {
    Ok(PingResponse {
        msg: "trove server is up".into(),
    })
}
