//! Project ids with the ids of every project below them (`include_subprojects`): a sub-project's name is its
//! parent's name followed by `/`.

use super::context::Ctx;
use crate::error::ApiError;
use trove_store::Project;

/// `ids` (in order) followed by the ids of every project below one of them, each once.
pub fn with_subprojects(all: &[Project], ids: &[String]) -> Vec<String> {
    let prefixes: Vec<String> = all
        .iter()
        .filter(|p| ids.contains(&p.id))
        .map(|p| format!("{}/", p.name))
        .collect();
    let mut out = ids.to_vec();
    for p in all {
        if prefixes.iter().any(|x| p.name.starts_with(x.as_str())) && !out.contains(&p.id) {
            out.push(p.id.clone());
        }
    }
    out
}

/// [`with_subprojects`] over the store's projects.
pub async fn expand_projects(ctx: &Ctx, ids: &[String]) -> Result<Vec<String>, ApiError> {
    let all = ctx.state.store.list_projects().await?;
    Ok(with_subprojects(&all, ids))
}
