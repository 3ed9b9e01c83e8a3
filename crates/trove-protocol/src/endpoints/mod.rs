//! Every endpoint trove answers, as a zero-sized type implementing [`Call`](crate::Call), and their request
//! and response types (one module per service concern). Requests decode leniently (see [`crate::lenient`]) and
//! serialize compactly (absent options and `false` flags are left out); responses serialize exactly as trove's
//! server has always answered (field names, order and shapes), and decode leniently from any ClearML server
//! (missing fields default, unknown ones are ignored).

pub mod artifacts;
pub mod event_reads;
pub mod events;
pub mod models;
pub mod params;
pub mod project_ops;
pub mod projects;
pub mod server;
pub mod status;
pub mod tags;
pub mod task_ops;
pub mod tasks;

pub use artifacts::*;
pub use event_reads::*;
pub use events::*;
pub use models::*;
pub use params::*;
pub use project_ops::*;
pub use projects::*;
pub use server::*;
pub use status::*;
pub use tags::*;
pub use task_ops::*;
pub use tasks::*;

use crate::{CallError, Validate, lenient, require};
use serde::{Deserialize, Serialize};

macro_rules! calls {
    ($( $(#[$doc:meta])* $ty:ident = $name:literal: $req:ty => $resp:ty; )*) => {
        $(
            $(#[$doc])*
            #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
            pub struct $ty;

            impl crate::Call for $ty {
                const NAME: &'static str = $name;
                type Request = $req;
                type Response = $resp;
            }
        )*

        /// The name of every endpoint defined here.
        pub const NAMES: &[&str] = &[$($name),*];
    };
}

calls! {
    /// `auth.login`: Basic `access_key:secret_key` (or a still-valid bearer token) → a fresh token.
    AuthLogin = "auth.login": LoginRequest => LoginResponse;
    /// `users.get_current_user`.
    UsersGetCurrentUser = "users.get_current_user": Empty => CurrentUserResponse;
    /// `server.info`.
    ServerInfo = "server.info": Empty => ServerInfoResponse;
    /// `debug.ping`.
    DebugPing = "debug.ping": Empty => PingResponse;

    /// `projects.get_all`: filters, projection, ordering, paging.
    ProjectsGetAll = "projects.get_all": ProjectsGetAllRequest => ProjectsResponse;
    /// `projects.get_all_ex`: as `projects.get_all`.
    ProjectsGetAllEx = "projects.get_all_ex": ProjectsGetAllRequest => ProjectsResponse;
    /// `projects.create` → `{id}`.
    ProjectsCreate = "projects.create": ProjectsCreateRequest => IdResponse;
    /// `projects.get_by_id` → `{project}`.
    ProjectsGetById = "projects.get_by_id": ProjectRef => ProjectResponse;
    /// `projects.update` → `{updated, fields}`.
    ProjectsUpdate = "projects.update": ProjectsUpdateRequest => UpdatedFields;
    /// `projects.delete` (400/402, 405, 406, 413 without `force` when the project has contents).
    ProjectsDelete = "projects.delete": ProjectsDeleteRequest => ProjectsDeleteResponse;
    /// `projects.validate_delete`: what a delete would meet.
    ProjectsValidateDelete = "projects.validate_delete": ProjectRef => ValidateDeleteResponse;
    /// `projects.get_task_parents`: the distinct parents of the projects' tasks.
    ProjectsGetTaskParents = "projects.get_task_parents": GetTaskParentsRequest => TaskParentsResponse;
    /// `projects.get_hyperparam_values`: the distinct values of one hyper-parameter.
    ProjectsGetHyperparamValues = "projects.get_hyperparam_values": HyperparamValuesRequest => HyperparamValuesResponse;
    /// `projects.get_hyper_parameters`: the distinct `(section, name)` pairs.
    ProjectsGetHyperParameters = "projects.get_hyper_parameters": HyperParametersRequest => HyperParametersResponse;
    /// `projects.move` → `{moved}`.
    ProjectsMove = "projects.move": ProjectsMoveRequest => ProjectsMoveResponse;
    /// `projects.merge` → `{moved_entities, moved_projects}`.
    ProjectsMerge = "projects.merge": ProjectsMergeRequest => ProjectsMergeResponse;
    /// `projects.get_project_tags`: the projects' own tags.
    ProjectsGetProjectTags = "projects.get_project_tags": GetTagsRequest => TagsResponse;
    /// `projects.get_task_tags`: the tags of the projects' tasks.
    ProjectsGetTaskTags = "projects.get_task_tags": GetTagsRequest => TagsResponse;
    /// `projects.get_model_tags`: the tags of the projects' models.
    ProjectsGetModelTags = "projects.get_model_tags": GetTagsRequest => TagsResponse;

    /// `tasks.create` → `{id}`.
    TasksCreate = "tasks.create": TasksCreateRequest => IdResponse;
    /// `tasks.get_by_id` → `{task}` with its artifacts.
    TasksGetById = "tasks.get_by_id": TaskRef => TaskResponse;
    /// `tasks.get_all`: filters, projection, ordering, paging.
    TasksGetAll = "tasks.get_all": TasksGetAllRequest => TasksResponse;
    /// `tasks.get_all_ex`: as `tasks.get_all`.
    TasksGetAllEx = "tasks.get_all_ex": TasksGetAllRequest => TasksResponse;
    /// `tasks.edit` → `{updated, fields}`.
    TasksEdit = "tasks.edit": TasksEditRequest => UpdatedFields;
    /// `tasks.set_requirements`.
    TasksSetRequirements = "tasks.set_requirements": SetRequirementsRequest => Updated;
    /// `tasks.ping`: the task is alive.
    TasksPing = "tasks.ping": TaskRef => Empty;
    /// `tasks.delete`.
    TasksDelete = "tasks.delete": TasksDeleteRequest => TasksDeleteResponse;
    /// `tasks.clone` → `{id, new_project?}`.
    TasksClone = "tasks.clone": TasksCloneRequest => TasksCloneResponse;
    /// `tasks.update`: name, comment, tags, system tags, project in any status.
    TasksUpdate = "tasks.update": TasksUpdateRequest => UpdatedFields;
    /// `tasks.archive` → `{archived}`.
    TasksArchive = "tasks.archive": TasksArchiveRequest => ArchivedResponse;
    /// `tasks.get_types` → `{types}`.
    TasksGetTypes = "tasks.get_types": TasksGetTypesRequest => TypesResponse;
    /// `tasks.move` → `{project_id}`.
    TasksMove = "tasks.move": TasksMoveRequest => MoveResponse;
    /// `tasks.validate`: would `tasks.create` accept this task?
    TasksValidate = "tasks.validate": TasksCreateRequest => Empty;
    /// `tasks.update_tags` → `{updated}`.
    TasksUpdateTags = "tasks.update_tags": UpdateTagsRequest => Updated;

    /// `tasks.started`: → `in_progress`.
    TasksStarted = "tasks.started": StatusChangeRequest => StatusChangeResponse;
    /// `tasks.completed` (`publish: true` also publishes).
    TasksCompleted = "tasks.completed": StatusChangeRequest => StatusChangeResponse;
    /// `tasks.stopped`.
    TasksStopped = "tasks.stopped": StatusChangeRequest => StatusChangeResponse;
    /// `tasks.failed`.
    TasksFailed = "tasks.failed": StatusChangeRequest => StatusChangeResponse;
    /// `tasks.publish`.
    TasksPublish = "tasks.publish": StatusChangeRequest => StatusChangeResponse;
    /// `tasks.close`.
    TasksClose = "tasks.close": StatusChangeRequest => StatusChangeResponse;
    /// `tasks.stop`: a request to stop (watchdog-aware).
    TasksStop = "tasks.stop": StatusChangeRequest => StatusChangeResponse;
    /// `tasks.reset`: back to `created`, output artifacts dropped.
    TasksReset = "tasks.reset": TasksResetRequest => TasksResetResponse;

    /// `tasks.add_or_update_artifacts`: upsert by `(key, mode)`.
    TasksAddOrUpdateArtifacts = "tasks.add_or_update_artifacts": AddOrUpdateArtifactsRequest => Updated;
    /// `tasks.delete_artifacts`.
    TasksDeleteArtifacts = "tasks.delete_artifacts": DeleteArtifactsRequest => DeleteArtifactsResponse;
    /// trove extension: append a version of a registered artifact (409/801 on a duplicate or a gap).
    TasksAddArtifactVersion = "tasks.add_artifact_version": AddArtifactVersionRequest => AddedResponse;
    /// trove extension: the versions of an artifact, oldest first.
    TasksGetArtifactVersions = "tasks.get_artifact_versions": ArtifactRef => VersionsResponse;

    /// `tasks.get_hyper_params`.
    TasksGetHyperParams = "tasks.get_hyper_params": TaskIds => HyperParamsResponse;
    /// `tasks.edit_hyper_params`.
    TasksEditHyperParams = "tasks.edit_hyper_params": EditHyperParamsRequest => Updated;
    /// `tasks.delete_hyper_params`.
    TasksDeleteHyperParams = "tasks.delete_hyper_params": DeleteHyperParamsRequest => Deleted;
    /// `tasks.get_configurations`.
    TasksGetConfigurations = "tasks.get_configurations": GetConfigurationsRequest => ConfigurationsResponse;
    /// `tasks.get_configuration_names`.
    TasksGetConfigurationNames = "tasks.get_configuration_names": ConfigurationNamesRequest => ConfigurationNamesResponse;
    /// `tasks.edit_configuration`.
    TasksEditConfiguration = "tasks.edit_configuration": EditConfigurationRequest => Updated;
    /// `tasks.delete_configuration`.
    TasksDeleteConfiguration = "tasks.delete_configuration": DeleteConfigurationRequest => Deleted;

    /// `events.add_batch` (a json-lines body arrives as `{"requests": [...]}`).
    EventsAddBatch = "events.add_batch": AddBatchRequest => AddEventsResponse;
    /// `events.add`: the body is one event.
    EventsAdd = "events.add": Event => AddEventsResponse;
    /// `events.get_task_log` (v2.9): console lines before or after a time (`navigate_earlier`, `order`).
    EventsGetTaskLog = "events.get_task_log": GetTaskLogRequest => TaskLogResponse;

    /// `models.create` → `{id, created}`.
    ModelsCreate = "models.create": ModelsCreateRequest => ModelCreatedResponse;
    /// `models.get_by_id` → `{model}`.
    ModelsGetById = "models.get_by_id": ModelRef => ModelResponse;
    /// `models.get_all`: filters, projection, ordering, paging.
    ModelsGetAll = "models.get_all": ModelsGetAllRequest => ModelsResponse;
    /// `models.get_all_ex`: as `models.get_all`, plus `include_stats`.
    ModelsGetAllEx = "models.get_all_ex": ModelsGetAllRequest => ModelsResponse;
    /// `models.edit` → `{updated, fields}`.
    ModelsEdit = "models.edit": ModelsEditRequest => UpdatedFields;
    /// `models.update` → `{updated, fields}`.
    ModelsUpdate = "models.update": ModelsEditRequest => UpdatedFields;
    /// `models.set_ready`: publish a model (and its task).
    ModelsSetReady = "models.set_ready": ModelsSetReadyRequest => SetReadyResponse;
    /// `models.add_or_update_metadata`.
    ModelsAddOrUpdateMetadata = "models.add_or_update_metadata": AddOrUpdateMetadataRequest => Updated;
    /// `models.delete_metadata`.
    ModelsDeleteMetadata = "models.delete_metadata": DeleteMetadataRequest => Updated;
    /// `models.archive_many`.
    ModelsArchiveMany = "models.archive_many": BatchRequest => BatchResponse;
    /// `models.unarchive_many`.
    ModelsUnarchiveMany = "models.unarchive_many": BatchRequest => BatchResponse;
    /// `models.delete` → `{deleted, url}`.
    ModelsDelete = "models.delete": ModelsDeleteRequest => ModelDeletedResponse;
    /// `models.publish_many`.
    ModelsPublishMany = "models.publish_many": ModelsPublishManyRequest => BatchResponse;
    /// `models.delete_many`.
    ModelsDeleteMany = "models.delete_many": ModelsDeleteManyRequest => BatchResponse;
    /// `models.update_for_task` (API ≤ 2.13; 301/1 above).
    ModelsUpdateForTask = "models.update_for_task": UpdateForTaskRequest => ModelCreatedResponse;
    /// `models.get_frameworks` → `{frameworks}`.
    ModelsGetFrameworks = "models.get_frameworks": GetFrameworksRequest => FrameworksResponse;
    /// `models.update_tags` → `{updated}`.
    ModelsUpdateTags = "models.update_tags": ModelsUpdateTagsRequest => Updated;
    /// `models.move` → `{project_id}`.
    ModelsMove = "models.move": ModelsMoveRequest => MovedResponse;
    /// `projects.get_model_metadata_keys` → `{total, remaining, keys}`.
    ProjectsGetModelMetadataKeys = "projects.get_model_metadata_keys": ModelMetadataKeysRequest => ModelMetadataKeysResponse;
    /// `projects.get_model_metadata_values` → `{total, values}`.
    ProjectsGetModelMetadataValues = "projects.get_model_metadata_values": ModelMetadataValuesRequest => ModelMetadataValuesResponse;
    /// `tasks.add_or_update_model` → `{updated}`.
    TasksAddOrUpdateModel = "tasks.add_or_update_model": AddOrUpdateModelRequest => Updated;
    /// `tasks.delete_models` → `{updated}`.
    TasksDeleteModels = "tasks.delete_models": DeleteModelsRequest => Updated;
    /// `events.scalar_metrics_iter_histogram`: scalars per metric and variant, down-sampled to `samples`.
    EventsScalarMetricsIterHistogram = "events.scalar_metrics_iter_histogram": ScalarHistogramRequest => ScalarHistogramResponse;
    /// `events.get_task_single_value_metrics`: values reported with `report_single_value`.
    EventsGetTaskSingleValueMetrics = "events.get_task_single_value_metrics": SingleValueMetricsRequest => SingleValueMetricsResponse;
    /// `events.get_task_plots`: the newest plots of each metric and variant.
    EventsGetTaskPlots = "events.get_task_plots": TaskPlotsRequest => TaskPlotsResponse;
    /// `events.get_task_events`: events by iteration, scrolled, with an exact `total`.
    EventsGetTaskEvents = "events.get_task_events": TaskEventsRequest => TaskEventsResponse;
    /// `events.scalar_metrics_iter_raw`: one metric's scalars, unsampled, scrolled.
    EventsScalarMetricsIterRaw = "events.scalar_metrics_iter_raw": ScalarRawRequest => ScalarRawResponse;
    /// `events.get_scalar_metrics_and_variants`: `{metrics: {metric: [variants]}}`.
    EventsGetScalarMetricsAndVariants = "events.get_scalar_metrics_and_variants": TaskMetricsRequest => MetricsAndVariantsResponse;
    /// `events.get_task_latest_scalar_values`: the newest positive value of each variant, `last_iter`.
    EventsGetTaskLatestScalarValues = "events.get_task_latest_scalar_values": TaskRef => LatestScalarValuesResponse;
    /// `events.get_task_metrics`: each task's metric names for one event type.
    EventsGetTaskMetrics = "events.get_task_metrics": TasksMetricsRequest => TaskMetricNamesResponse;
    /// `events.get_multi_task_metrics`: the metrics and variants of several tasks together.
    EventsGetMultiTaskMetrics = "events.get_multi_task_metrics": TasksMetricsRequest => MultiTaskMetricsResponse;
    /// `events.clear_task_log`: delete console lines (by age and metric).
    EventsClearTaskLog = "events.clear_task_log": ClearTaskLogRequest => Deleted;
    /// `events.delete_for_task`: delete every event of a task.
    EventsDeleteForTask = "events.delete_for_task": DeleteForTaskRequest => Deleted;
}

/// An empty object: requests without fields, answers without data.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Empty {}

impl Validate for Empty {}

/// `{task}`: the task a call is about.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TaskRef {
    /// Task id (required).
    #[serde(deserialize_with = "lenient::string")]
    pub task: String,
}

impl TaskRef {
    /// A reference to task `id`.
    pub fn new(id: &str) -> Self {
        Self {
            task: id.to_string(),
        }
    }
}

impl Validate for TaskRef {
    fn validate(&self) -> Result<(), CallError> {
        require("task", &self.task)
    }
}

/// `{id}` of a created object.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct IdResponse {
    /// The new object's id.
    pub id: String,
}

/// `{updated}`: how many objects changed (0 or 1).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Updated {
    /// 1 when the object changed.
    pub updated: u64,
}

/// `{deleted}`: how many entries were removed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Deleted {
    /// How many.
    pub deleted: u64,
}

/// `{updated, fields}`: the fields a change set, as stored.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UpdatedFields {
    /// 1 when the object changed.
    pub updated: u64,
    /// The changed fields.
    pub fields: serde_json::Map<String, serde_json::Value>,
}

/// `urls` of a delete or reset: what the removed records pointed to.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Urls {
    /// Artifact URIs.
    pub artifact_urls: Vec<String>,
    /// Model URIs (of the models deleted).
    pub model_urls: Vec<String>,
    /// Event URIs (never returned: clearml-server stopped returning them too).
    pub event_urls: Vec<String>,
}

/// `page`/`page_size` (or `size`) as `(offset, limit)`; `limit == 0` means all.
pub fn paging(page: Option<u64>, page_size: Option<u64>, size: Option<u64>) -> (usize, usize) {
    match (page, page_size.or(size)) {
        (_, None) | (_, Some(0)) => (0, 0),
        (p, Some(s)) => ((p.unwrap_or(0).saturating_mul(s)) as usize, s as usize),
    }
}

#[cfg(test)]
mod event_tests;
#[cfg(test)]
mod tests;
