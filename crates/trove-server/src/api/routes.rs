//! The routing table: endpoint name → typed handler. Each route decodes the body as its call's request (400/12
//! naming the field on a bad one), runs the handler and wraps its typed answer in the envelope.

use super::context::Ctx;
use super::{
    artifacts, configurations, events, events_read, events_scroll, hyperparams, login, model_meta,
    model_ops, models, project_params, project_tree, projects, projects_more, server_info, status,
    tags, task_models, tasks, tasks_more, users,
};
use crate::error::ApiError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Map, Value};
use trove_core::TaskStatus;
use trove_protocol::endpoints::*;
use trove_protocol::{Call, EndpointMeta, Envelope, decode_request};

/// A 200 envelope around `data`.
fn respond<T: Serialize>(ep: &EndpointMeta, data: &T) -> Response {
    (
        StatusCode::OK,
        axum::Json(Envelope::ok(Some(ep.clone()), data)),
    )
        .into_response()
}

/// `$call => handler(extra args…)`: when the endpoint is `$call`'s, decode, run `handler(ctx, request, …)`.
macro_rules! routes {
    ($ctx:ident, $ep:ident, $body:ident; $( $call:ty => $handler:path $(, $arg:expr)* ; )*) => {
        $(
            if $ep.name == <$call as Call>::NAME {
                let req = decode_request::<$call>(Value::Object($body))?;
                let data: <$call as Call>::Response = $handler($ctx, req $(, $arg)*).await?;
                return Ok(respond($ep, &data));
            }
        )*
    };
}

/// Run the endpoint `ep` names with `body`; 404 for an endpoint trove does not implement.
pub async fn call(
    ctx: &Ctx,
    ep: &EndpointMeta,
    body: Map<String, Value>,
) -> Result<Response, ApiError> {
    routes! { ctx, ep, body;
        AuthLogin => login::login;
        UsersGetCurrentUser => users::current_user;
        ServerInfo => server_info::server_info;
        DebugPing => server_info::ping;

        ProjectsGetAll => projects::get_all_plain;
        ProjectsGetAllEx => projects::get_all_ex;
        ProjectsCreate => projects::create;
        ProjectsGetById => projects::get_by_id;
        ProjectsUpdate => projects::update;
        ProjectsDelete => projects_more::delete;
        ProjectsValidateDelete => projects_more::validate_delete;
        ProjectsGetTaskParents => projects_more::get_task_parents;
        ProjectsGetHyperparamValues => project_params::values;
        ProjectsGetHyperParameters => project_params::parameters;
        ProjectsMove => project_tree::move_project;
        ProjectsMerge => project_tree::merge;
        ProjectsGetProjectTags => tags::project_tags;
        ProjectsGetTaskTags => tags::task_tags;
        ProjectsGetModelTags => tags::model_tags;

        TasksCreate => tasks::create;
        TasksGetById => tasks::get_by_id;
        TasksGetAll => tasks::get_all;
        TasksGetAllEx => tasks::get_all_ex;
        TasksEdit => tasks::edit;
        TasksSetRequirements => tasks::set_requirements;
        TasksPing => tasks::ping;
        TasksDelete => tasks::delete;
        TasksClone => tasks_more::clone;
        TasksUpdate => tasks_more::update;
        TasksArchive => tasks_more::archive;
        TasksGetTypes => tasks_more::get_types;
        TasksMove => tasks_more::move_tasks;
        TasksUpdateTags => tags::update_tags;
        TasksValidate => tasks::validate;

        TasksStarted => status::change, TaskStatus::InProgress;
        TasksCompleted => status::change, TaskStatus::Completed;
        TasksStopped => status::change, TaskStatus::Stopped;
        TasksFailed => status::change, TaskStatus::Failed;
        TasksPublish => status::change, TaskStatus::Published;
        TasksClose => status::change, TaskStatus::Closed;
        TasksStop => status::stop;
        TasksReset => status::reset;

        TasksAddOrUpdateArtifacts => artifacts::add_or_update;
        TasksDeleteArtifacts => artifacts::delete;
        TasksAddArtifactVersion => artifacts::add_version;
        TasksGetArtifactVersions => artifacts::get_versions;

        TasksGetHyperParams => hyperparams::get;
        TasksEditHyperParams => hyperparams::edit;
        TasksDeleteHyperParams => hyperparams::delete;
        TasksGetConfigurations => configurations::get;
        TasksGetConfigurationNames => configurations::names;
        TasksEditConfiguration => configurations::edit;
        TasksDeleteConfiguration => configurations::delete;

        EventsAddBatch => events::add_batch;
        EventsAdd => events::add;
        EventsGetTaskLog => events_read::get_task_log;
        EventsScalarMetricsIterHistogram => events_read::scalar_metrics_iter_histogram;
        EventsGetTaskSingleValueMetrics => events_read::get_task_single_value_metrics;
        EventsGetTaskPlots => events_read::get_task_plots;
        EventsGetTaskEvents => events_scroll::get_task_events;
        EventsScalarMetricsIterRaw => events_scroll::scalar_metrics_iter_raw;
        EventsGetScalarMetricsAndVariants => events_read::get_scalar_metrics_and_variants;
        EventsGetTaskLatestScalarValues => events_read::get_task_latest_scalar_values;
        EventsGetTaskMetrics => events_read::get_task_metrics;
        EventsGetMultiTaskMetrics => events_read::get_multi_task_metrics;
        EventsClearTaskLog => events_read::clear_task_log;
        EventsDeleteForTask => events_read::delete_for_task;

        ModelsCreate => models::create;
        ModelsGetById => models::get_by_id;
        ModelsGetAll => models::get_all;
        ModelsGetAllEx => models::get_all_ex;
        ModelsEdit => models::edit;
        ModelsUpdate => models::edit;
        ModelsAddOrUpdateMetadata => model_meta::add_or_update_metadata;
        ModelsDeleteMetadata => model_meta::delete_metadata;
        ModelsGetFrameworks => model_meta::get_frameworks;
        ModelsUpdateTags => model_meta::update_tags;
        ModelsMove => model_meta::move_models;
        ModelsSetReady => model_ops::set_ready;
        ModelsPublishMany => model_ops::publish_many;
        ModelsArchiveMany => model_ops::archive_many;
        ModelsUnarchiveMany => model_ops::unarchive_many;
        ModelsDelete => model_ops::delete;
        ModelsDeleteMany => model_ops::delete_many;
        ModelsUpdateForTask => model_ops::update_for_task, ep;
        ProjectsGetModelMetadataKeys => model_meta::metadata_keys;
        ProjectsGetModelMetadataValues => model_meta::metadata_values;
        TasksAddOrUpdateModel => task_models::add_or_update_model;
        TasksDeleteModels => task_models::delete_models;
    }
    Err(ApiError::not_found(format!(
        "Unknown endpoint {:?}: trove implements the ClearML subset listed in its README",
        ep.name
    )))
}

#[cfg(test)]
mod tests {
    /// Every endpoint the protocol defines has a route (the table above names each once).
    #[test]
    fn every_protocol_endpoint_is_routed() {
        let table = include_str!("routes.rs");
        for name in trove_protocol::endpoints::NAMES {
            let ty: String = name
                .split(['.', '_'])
                .map(|w| {
                    let mut c = w.chars();
                    c.next()
                        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                        .unwrap_or_default()
                })
                .collect();
            assert!(
                table.contains(&format!("        {ty} => ")),
                "{name} ({ty}) has no route"
            );
        }
    }
}
