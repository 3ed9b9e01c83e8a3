//! `users.get_current_user`: the caller, from its token.

use super::context::Ctx;
use crate::error::ApiError;
use serde_json::Map;
use trove_protocol::endpoints::{Company, CurrentUserResponse, Empty, User, UserSettings};

/// `users.get_current_user`.
pub async fn current_user(ctx: &Ctx, _: Empty) -> Result<CurrentUserResponse, ApiError> {
    let id = &ctx.identity;
    Ok(CurrentUserResponse {
        user: User {
            id: id.user.clone(),
            name: id.user_name.clone(),
            given_name: id.user_name.clone(),
            family_name: String::new(),
            role: id.role.clone(),
            company: Company {
                id: id.company.clone(),
                name: id.company_name.clone(),
            },
            preferences: Map::new(),
        },
        getting_started: Map::new(),
        settings: UserSettings {
            max_download_items: 1000,
        },
    })
}
