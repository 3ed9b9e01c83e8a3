//! `tasks.get_all` / `tasks.get_all_ex`: the store narrows by plain id/project/status lists, then every
//! ClearML filter runs on the task documents (`filters` module), then ordering (`ordering`), paging or
//! scrolling, document completion (artifacts, and other parts' additions) and projection.

use super::context::Ctx;
use super::filters::{ListFilter, ListQuery};
use super::ordering::order_by;
use super::present::{self, name_regex, project_fields, task_json};
use super::task_access::full_doc;
use super::{dates, refs};
use crate::error::ApiError;
use serde_json::Value;
use trove_core::TaskStatus;
use trove_protocol::endpoints::{TasksGetAllRequest, TasksResponse};
use trove_protocol::{ResultCode, TaskDoc};
use trove_store::{Task, TaskQuery};

/// Scroll ids are `trove-scroll-<position>`: how many results earlier pages returned.
const SCROLL_PREFIX: &str = "trove-scroll-";

/// Which part of the ordered results to answer.
enum Window {
    /// Everything.
    All,
    /// `page`/`page_size`.
    Page { offset: usize, limit: usize },
    /// `size` from `scroll_id`'s position (`refresh`: from the start up to the position).
    Scroll {
        from: usize,
        size: usize,
        refresh: bool,
    },
}

fn window(req: &TasksGetAllRequest) -> Result<Window, ApiError> {
    let scrolling = req.scroll_id.is_some()
        || (req.size.is_some() && req.page_size.is_none() && req.page.is_none());
    if scrolling {
        let from = match req.scroll_id.as_deref() {
            None | Some("") => 0,
            Some(s) => s
                .strip_prefix(SCROLL_PREFIX)
                .and_then(|n| n.parse().ok())
                .ok_or_else(|| {
                    ApiError::new(
                        ResultCode::InvalidScrollId,
                        format!("invalid scroll id {s:?}: pass back the scroll_id of the previous answer"),
                    )
                })?,
        };
        return Ok(Window::Scroll {
            from,
            size: req.size.unwrap_or(0) as usize,
            refresh: req.refresh_scroll,
        });
    }
    Ok(
        match trove_protocol::endpoints::paging(req.page, req.page_size, req.size) {
            (_, 0) => Window::All,
            (offset, limit) => Window::Page { offset, limit },
        },
    )
}

/// Every list query of the request, by document field.
fn list_queries(req: &TasksGetAllRequest) -> Result<Vec<ListQuery>, ApiError> {
    let mut out = Vec::new();
    for (field, terms) in [
        ("id", &req.id),
        ("project", &req.project),
        ("status", &req.status),
    ] {
        if let Some(t) = terms {
            out.push(ListQuery::parse_strings(field, t)?);
        }
    }
    for (field, terms) in [
        ("type", &req.kind),
        ("parent", &req.parent),
        ("user", &req.user),
        ("tags", &req.tags),
        ("system_tags", &req.system_tags),
    ] {
        if let Some(t) = terms {
            out.push(ListQuery::parse(field, t)?);
        }
    }
    Ok(out)
}

/// The store query: plain any-of lists of ids, projects (with sub-projects if asked) and statuses.
async fn store_query(
    ctx: &Ctx,
    req: &TasksGetAllRequest,
    queries: &mut Vec<ListQuery>,
) -> Result<TaskQuery, ApiError> {
    let mut q = TaskQuery::default();
    let plain = |field: &str, queries: &[ListQuery]| {
        queries
            .iter()
            .find(|lq| lq.field() == field)
            .and_then(|lq| lq.plain_any_of())
            .filter(|v| !v.is_empty())
            .map(<[String]>::to_vec)
    };
    q.ids = plain("id", queries);
    q.projects = plain("project", queries);
    if let Some(projects) = &mut q.projects
        && req.include_subprojects
    {
        *projects = super::subprojects::expand_projects(ctx, projects).await?;
        // The project filter is now the store's (sub-projects included): drop the document check.
        queries.retain(|lq| lq.field() != "project");
    }
    q.statuses = plain("status", queries)
        .map(|l| {
            l.iter()
                .map(|s| s.parse::<TaskStatus>().map_err(ApiError::validation))
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?;
    Ok(q)
}

/// Tasks matching a `get_all` request, filtered and ordered (no paging, no projection), with their documents.
pub async fn matching(
    ctx: &Ctx,
    req: &TasksGetAllRequest,
) -> Result<Vec<(Task, TaskDoc)>, ApiError> {
    let mut queries = list_queries(req)?;
    let filters = req
        .filters
        .as_ref()
        .map(ListFilter::parse_all)
        .transpose()?
        .unwrap_or_default();
    let dates = dates::DateFilters::parse(&req.other)?;
    let query = store_query(ctx, req, &mut queries).await?;
    let name = req.name.as_deref().map(name_regex).transpose()?;
    let comment = req.comment.as_deref().map(name_regex).transpose()?;
    // Ids bypass the hidden filter (clearml-server `_hidden_query`).
    let hide = !req.search_hidden && req.id.as_ref().is_none_or(Vec::is_empty);
    let mut out = Vec::new();
    for t in ctx.state.store.query_tasks(&query).await? {
        if name.as_ref().is_some_and(|r| !r.is_match(&t.name)) {
            continue;
        }
        let j = task_json(&t, None);
        let doc = &j.0;
        if (hide && j.system_tags().iter().any(|s| s == "hidden"))
            || comment.as_ref().is_some_and(|r| {
                !r.is_match(doc.get("comment").and_then(Value::as_str).unwrap_or(""))
            })
            || !queries.iter().all(|q| q.matches_doc(doc))
            || !filters.iter().all(|f| f.matches_doc(doc))
            || !dates.matches(doc)
        {
            continue;
        }
        out.push((t, j));
    }
    let order = req
        .order_by
        .clone()
        .unwrap_or_else(|| vec!["-last_update".into()]);
    // Ordering by a reported metric needs the metrics before sorting (otherwise they join after paging).
    if order
        .iter()
        .any(|o| o.trim_start_matches('-').starts_with("last_metrics"))
    {
        let mut docs: Vec<TaskDoc> = out
            .iter_mut()
            .map(|(_, j)| std::mem::replace(j, TaskDoc(Default::default())))
            .collect();
        super::last_metrics::add_last_metrics(ctx, &mut docs, None).await?;
        for ((_, j), d) in out.iter_mut().zip(docs) {
            *j = d;
        }
    }
    order_by(&mut out, &order, |(_, j)| &j.0);
    Ok(out)
}

/// Complete task documents before projection: artifacts when the projection needs them. Other parts add
/// their fields here (one place, before projection).
async fn complete(
    ctx: &Ctx,
    page: Vec<(Task, TaskDoc)>,
    fields: Option<&[String]>,
) -> Result<Vec<TaskDoc>, ApiError> {
    let with_artifacts = present::wants_artifacts(fields);
    let mut docs = Vec::with_capacity(page.len());
    for (t, j) in page {
        docs.push(if with_artifacts {
            full_doc(ctx, &t).await?
        } else {
            j
        });
    }
    super::last_metrics::add_last_metrics(ctx, &mut docs, fields).await?;
    Ok(docs)
}

/// `tasks.get_all` (`ex: false`) and `tasks.get_all_ex` (`ex: true`: references become objects).
pub async fn get_all(
    ctx: &Ctx,
    req: TasksGetAllRequest,
    ex: bool,
) -> Result<TasksResponse, ApiError> {
    let all = matching(ctx, &req).await?;
    let (page, scroll_id) = match window(&req)? {
        Window::All => (all, None),
        Window::Page { offset, limit } => (present::page(all, (offset, limit)), None),
        Window::Scroll {
            from,
            size,
            refresh,
        } => {
            let (skip, take) = if refresh { (0, from) } else { (from, size) };
            let page: Vec<_> = all.into_iter().skip(skip).take(take).collect();
            let pos = if refresh { from } else { from + page.len() };
            (page, Some(format!("{SCROLL_PREFIX}{pos}")))
        }
    };
    let fields = req.fields();
    let mut docs = complete(ctx, page, fields).await?;
    if ex {
        refs::expand_task_refs(ctx, &mut docs).await?;
    }
    let tasks = docs
        .into_iter()
        .map(|d| TaskDoc(project_fields(d.0, fields)))
        .collect();
    Ok(TasksResponse { tasks, scroll_id })
}
