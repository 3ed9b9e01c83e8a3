//! Deleting projects (clearml-server `bll/project/project_cleanup.py`): `projects.validate_delete` and
//! `projects.delete`; and `projects.get_task_parents`. A project is deleted with its sub-projects; without
//! `force`, non-archived contents refuse: tasks 400/402, models 400/405, dataset versions (in
//! `…/.datasets/<name>` projects) 400/406, pipeline controllers (in `…/.pipelines/<name>`) 400/413. The tasks
//! move to the root and the models to no project, or with `delete_contents` both are deleted (the model side
//! is in `project_models`).

use super::context::Ctx;
use super::project_models;
use super::task_access::{has_system_tag, is_archived};
use super::tasks::output_urls;
use crate::error::ApiError;
use serde_json::{Value, json};
use trove_protocol::ResultCode;
use trove_protocol::endpoints::{
    GetTaskParentsRequest, ProjectRef, ProjectsDeleteRequest, ProjectsDeleteResponse,
    TaskParentsResponse, Urls, ValidateDeleteResponse,
};
use trove_store::{Model, Project, ROOT_PROJECT, Task, TaskEdit, TaskQuery};

fn basename(p: &Project) -> &str {
    p.name.rsplit('/').next().unwrap_or(&p.name)
}

/// The project, its sub-projects and their tasks, sorted into dataset, pipeline and regular projects.
struct Family {
    projects: Vec<Project>,
    datasets: Vec<String>,
    pipelines: Vec<String>,
    tasks: Vec<Task>,
    models: Vec<Model>,
}

impl Family {
    async fn load(ctx: &Ctx, id: &str) -> Result<Self, ApiError> {
        let all = ctx.state.store.list_projects().await?;
        let root = all
            .iter()
            .find(|p| p.id == id)
            .cloned()
            .ok_or_else(|| ApiError::invalid_project(id))?;
        let prefix = format!("{}/", root.name);
        let projects: Vec<Project> = all
            .into_iter()
            .filter(|p| p.id == root.id || p.name.starts_with(&prefix))
            .collect();
        let tagged = |tag: &str, skip: &str| -> Vec<String> {
            projects
                .iter()
                .filter(|p| has_system_tag(&p.extra, tag) && basename(p) != skip)
                .map(|p| p.id.clone())
                .collect()
        };
        let datasets = tagged("dataset", ".datasets");
        let pipelines = tagged("pipeline", ".pipelines");
        let ids: Vec<String> = projects.iter().map(|p| p.id.clone()).collect();
        let models = project_models::models_in(ctx, &ids).await?;
        let tasks = ctx
            .state
            .store
            .query_tasks(&TaskQuery {
                projects: Some(ids),
                ..Default::default()
            })
            .await?;
        Ok(Family {
            projects,
            datasets,
            pipelines,
            tasks,
            models,
        })
    }

    fn archived(t: &Task) -> bool {
        is_archived(&t.doc)
    }

    fn report(t: &Task) -> bool {
        has_system_tag(&t.doc, "reports")
    }

    /// Projects among `ids` holding a non-archived task that passes `extra`.
    fn active_projects(&self, ids: &[String], extra: impl Fn(&Task) -> bool) -> u64 {
        let mut with: Vec<&str> = self
            .tasks
            .iter()
            .filter(|t| ids.contains(&t.project) && !Self::archived(t) && extra(t))
            .map(|t| t.project.as_str())
            .collect();
        with.sort();
        with.dedup();
        with.len() as u64
    }

    fn regular(&self, project: &str) -> bool {
        !self.datasets.iter().any(|d| d == project) && !self.pipelines.iter().any(|p| p == project)
    }

    /// Models in regular (not dataset or pipeline) projects.
    fn regular_models(&self) -> impl Iterator<Item = &Model> {
        self.models
            .iter()
            .filter(|m| m.project.as_deref().is_some_and(|p| self.regular(p)))
    }

    fn regular_tasks(&self) -> impl Iterator<Item = &Task> {
        self.tasks
            .iter()
            .filter(|t| !self.datasets.contains(&t.project) && !self.pipelines.contains(&t.project))
    }

    fn validate(&self) -> ValidateDeleteResponse {
        let regular: Vec<&Task> = self.regular_tasks().collect();
        let count = |f: &dyn Fn(&Task) -> bool| regular.iter().filter(|t| f(t)).count() as u64;
        ValidateDeleteResponse {
            datasets: self.active_projects(&self.datasets, |_| true),
            pipelines: self.active_projects(&self.pipelines, |t| t.kind == "controller"),
            tasks: count(&|t| !Self::report(t)),
            non_archived_tasks: count(&|t| !Self::report(t) && !Self::archived(t)),
            models: self.regular_models().count() as u64,
            non_archived_models: self
                .regular_models()
                .filter(|m| !is_archived(&m.doc))
                .count() as u64,
            reports: count(&Self::report),
            non_archived_reports: count(&|t| Self::report(t) && !Self::archived(t)),
        }
    }
}

/// `projects.validate_delete {project}`: what deleting it would meet.
pub async fn validate_delete(
    ctx: &Ctx,
    req: ProjectRef,
) -> Result<ValidateDeleteResponse, ApiError> {
    Ok(Family::load(ctx, &req.project).await?.validate())
}

/// `projects.delete {project, force, delete_contents}`.
pub async fn delete(
    ctx: &Ctx,
    req: ProjectsDeleteRequest,
) -> Result<ProjectsDeleteResponse, ApiError> {
    let family = Family::load(ctx, &req.project).await?;
    if !req.force {
        let refuse = |code: ResultCode, what: &str| {
            Err(ApiError::new(
                code,
                format!(
                    "project {} has {what}: archive or delete them, or use force=true",
                    req.project
                ),
            )
            .with_data(json!({ "id": req.project })))
        };
        let v = family.validate();
        if v.pipelines > 0 {
            return refuse(
                ResultCode::ProjectHasPipelines,
                "pipelines with active controllers",
            );
        }
        if v.datasets > 0 {
            return refuse(ResultCode::ProjectHasDatasets, "non-empty datasets");
        }
        if family.regular_tasks().any(|t| !Family::archived(t)) {
            return refuse(ResultCode::ProjectHasTasks, "tasks");
        }
        if family.regular_models().any(|m| !is_archived(&m.doc)) {
            return refuse(ResultCode::ProjectHasModels, "models");
        }
    }
    let mut res = ProjectsDeleteResponse::default();
    let ids: Vec<String> = family.projects.iter().map(|p| p.id.clone()).collect();
    if req.delete_contents {
        // Models first (their creating tasks outside these projects are updated), then the tasks.
        let models = project_models::delete_models(ctx, &ids).await?;
        res.deleted_models = models.deleted;
        let task_ids: Vec<String> = family.tasks.iter().map(|t| t.id.clone()).collect();
        project_models::orphan_models_of(ctx, &task_ids, &ids).await?;
        let mut arts = Vec::new();
        for t in &family.tasks {
            arts.extend(ctx.state.store.delete_task(&t.id).await?);
            res.deleted_tasks += 1;
        }
        res.urls = Some(Urls {
            artifact_urls: output_urls(&arts),
            model_urls: models.urls,
            ..Urls::default()
        });
    } else {
        for t in &family.tasks {
            ctx.state
                .store
                .edit_task(
                    &t.id,
                    TaskEdit {
                        project: Some(ROOT_PROJECT.to_string()),
                        ..Default::default()
                    },
                )
                .await?;
            res.disassociated_tasks += 1;
        }
        project_models::move_models(ctx, &ids, None).await?;
    }
    // Deepest first, so no project outlives its parent.
    let mut projects = family.projects;
    projects.sort_by_key(|p| std::cmp::Reverse(p.name.matches('/').count()));
    for p in &projects {
        ctx.state.store.delete_project(&p.id).await?;
        res.deleted += 1;
    }
    Ok(res)
}

/// `projects.get_task_parents`: the distinct parents of the tasks in `projects` (all tasks when none; with
/// `include_subprojects` their sub-projects too), of `active` or `archived` children only with
/// `tasks_state`, parents' names filtered by `task_name` (regex) → `[{id, name, project?: {id, name}}]` by name.
pub async fn get_task_parents(
    ctx: &Ctx,
    req: GetTaskParentsRequest,
) -> Result<TaskParentsResponse, ApiError> {
    let all = ctx.state.store.list_projects().await?;
    let mut projects = req.projects.clone().filter(|p| !p.is_empty());
    if let Some(ids) = &mut projects
        && req.include_subprojects
    {
        *ids = super::subprojects::with_subprojects(&all, ids);
    }
    let name = req
        .task_name
        .as_deref()
        .map(super::present::name_regex)
        .transpose()?;
    let children = ctx
        .state
        .store
        .query_tasks(&TaskQuery {
            projects,
            ..Default::default()
        })
        .await?;
    let mut ids: Vec<String> = children
        .iter()
        .filter(|t| match req.tasks_state.as_deref() {
            Some("active") => !Family::archived(t),
            Some("archived") => Family::archived(t),
            _ => true,
        })
        .filter_map(|t| {
            t.doc
                .get("parent")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .filter(|p| !p.is_empty())
        .collect();
    ids.sort();
    ids.dedup();
    let mut parents = Vec::new();
    for id in ids {
        let Some(p) = ctx.state.store.get_task(&id).await? else {
            continue;
        };
        if name.as_ref().is_some_and(|r| !r.is_match(&p.name)) {
            continue;
        }
        let mut m = serde_json::Map::new();
        m.insert("id".into(), json!(p.id));
        m.insert("name".into(), json!(p.name));
        if let Some(proj) = all.iter().find(|x| x.id == p.project) {
            m.insert("project".into(), json!({"id": proj.id, "name": proj.name}));
        }
        parents.push(m);
    }
    parents.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
    Ok(TaskParentsResponse { parents })
}
