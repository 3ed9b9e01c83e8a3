//! ClearML's result codes: every `(result_code, result_subcode)` pair trove answers with or understands, with
//! the name and default message of `apiserver/apierrors/errors.conf` in clearml-server. The HTTP status of an
//! answer is its `result_code`. A few pairs are trove's own (marked [`Origin::Trove`]): HTTP-level refusals
//! that clearml-server leaves to its web framework, and the 409 of trove's artifact-version extension.

/// Where a code's numbers come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// clearml-server's `errors.conf` (numbers, name and message copied from it).
    ClearMl,
    /// trove's own: not in `errors.conf`, and never reusing a pair that is.
    Trove,
}

macro_rules! result_codes {
    ($( $(#[$doc:meta])* $variant:ident = ($origin:ident, $http:literal, $sub:literal, $name:literal, $msg:literal); )*) => {
        /// A result code: HTTP status (`meta.result_code`) plus ClearML subcode (`meta.result_subcode`).
        /// Match on it instead of on numbers; [`ResultCode::from_numbers`] reads any pair a server sends.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ResultCode {
            $( $(#[$doc])* $variant, )*
            /// A pair this table does not list (e.g. from a newer ClearML server), kept as numbers.
            Unlisted {
                /// HTTP status / `result_code`.
                http: u16,
                /// `result_subcode`.
                subcode: u32,
            },
        }

        impl ResultCode {
            /// Every listed code, in table order.
            pub const LISTED: &'static [ResultCode] = &[$(ResultCode::$variant),*];

            /// The HTTP status, which is also `meta.result_code`.
            pub fn http(self) -> u16 {
                match self {
                    $(Self::$variant => $http,)*
                    Self::Unlisted { http, .. } => http,
                }
            }

            /// `meta.result_subcode`.
            pub fn subcode(self) -> u32 {
                match self {
                    $(Self::$variant => $sub,)*
                    Self::Unlisted { subcode, .. } => subcode,
                }
            }

            /// The error's name in `errors.conf` (e.g. `invalid_task_id`), or trove's name for its own codes.
            pub fn name(self) -> &'static str {
                match self {
                    $(Self::$variant => $name,)*
                    Self::Unlisted { .. } => "unlisted",
                }
            }

            /// The default message of `errors.conf` (answers usually carry a more specific one).
            pub fn default_message(self) -> &'static str {
                match self {
                    $(Self::$variant => $msg,)*
                    Self::Unlisted { .. } => "unlisted result code",
                }
            }

            /// Whether the numbers come from clearml-server or from trove.
            pub fn origin(self) -> Origin {
                match self {
                    $(Self::$variant => Origin::$origin,)*
                    Self::Unlisted { .. } => Origin::Trove,
                }
            }
        }
    };
}

result_codes! {
    /// 200/0: success.
    Ok = (ClearMl, 200, 0, "ok", "OK");

    /// 301/1: the endpoint is no longer supported for the requested API version (`models.update_for_task`
    /// above 2.13).
    MovedNotSupported = (ClearMl, 301, 1, "not_supported", "this endpoint is no longer supported for the requested API version");

    /// 400/0: a malformed request (bad JSON, a body that is not an object).
    BadRequest = (ClearMl, 400, 0, "bad_request", "bad request");
    /// 400/1: the endpoint is not supported.
    NotSupported = (ClearMl, 400, 1, "not_supported", "endpoint is not supported");
    /// 400/2: the path's `/v<version>/` is not a version.
    RequestPathHasInvalidVersion = (ClearMl, 400, 2, "request_path_has_invalid_version", "request path has invalid version");
    /// 400/5: invalid headers.
    InvalidHeaders = (ClearMl, 400, 5, "invalid_headers", "invalid headers");
    /// 400/10: an object id is malformed.
    InvalidId = (ClearMl, 400, 10, "invalid_id", "invalid object id");
    /// 400/11: required fields are missing.
    MissingRequiredFields = (ClearMl, 400, 11, "missing_required_fields", "missing required fields");
    /// 400/12: a field is missing or has the wrong type (what trove answers for any request-shape error).
    ValidationError = (ClearMl, 400, 12, "validation_error", "validation error");
    /// 400/15: conflicting fields.
    FieldsConflict = (ClearMl, 400, 15, "fields_conflict", "conflicting fields");
    /// 400/16: invalid value for fields.
    FieldsValueError = (ClearMl, 400, 16, "fields_value_error", "invalid value for fields");
    /// 400/17: a batch request without items.
    BatchContainsNoItems = (ClearMl, 400, 17, "batch_contains_no_items", "batch request contains no items");
    /// 400/18: a batch request's items are invalid.
    BatchValidationError = (ClearMl, 400, 18, "batch_validation_error", "batch request validation error");
    /// 400/20: invalid type for fields.
    FieldsTypeError = (ClearMl, 400, 20, "fields_type_error", "invalid type for fields");
    /// 400/21: a name filter is not a valid regular expression.
    InvalidRegexError = (ClearMl, 400, 21, "invalid_regex_error", "malformed regular expression");
    /// 400/75: the access key does not exist.
    InvalidAccessKey = (ClearMl, 400, 75, "invalid_access_key", "access key not found");

    /// 400/100: a task error.
    TaskError = (ClearMl, 400, 100, "task_error", "general task error");
    /// 400/101: no such task.
    InvalidTaskId = (ClearMl, 400, 101, "invalid_task_id", "invalid task id");
    /// 400/102: the task is invalid.
    TaskValidationError = (ClearMl, 400, 102, "task_validation_error", "task validation error");
    /// 400/110: the task's status does not allow the change.
    InvalidTaskStatus = (ClearMl, 400, 110, "invalid_task_status", "invalid task status");
    /// 400/111: the task has not started.
    TaskNotStarted = (ClearMl, 400, 111, "task_not_started", "task not started (invalid task status)");
    /// 400/112: the task is in progress.
    TaskInProgress = (ClearMl, 400, 112, "task_in_progress", "task in progress (invalid task status)");
    /// 400/113: the task is published.
    TaskPublished = (ClearMl, 400, 113, "task_published", "task published (invalid task status)");
    /// 400/114: the task's status is unknown.
    TaskStatusUnknown = (ClearMl, 400, 114, "task_status_unknown", "task unknown (invalid task status)");
    /// 400/121: the status changed meanwhile.
    FailedChangingTaskStatus = (ClearMl, 400, 121, "failed_changing_task_status", "failed changing task status. probably someone changed it before you");
    /// 400/122: the task lacks expected fields.
    MissingTaskFields = (ClearMl, 400, 122, "missing_task_fields", "task is missing expected fields");
    /// 400/123: the task cannot be deleted.
    TaskCannotBeDeleted = (ClearMl, 400, 123, "task_cannot_be_deleted", "task cannot be deleted");
    /// 400/126: the task type does not allow the operation.
    InvalidTaskType = (ClearMl, 400, 126, "invalid_task_type", "invalid task type for this operations");
    /// 400/130: task not found.
    TaskNotFound = (ClearMl, 400, 130, "task_not_found", "task not found");
    /// 400/131: events were not added.
    EventsNotAdded = (ClearMl, 400, 131, "events_not_added", "events not added");

    /// 400/200: a model error.
    ModelError = (ClearMl, 400, 200, "model_error", "general task error");
    /// 400/201: no such model.
    InvalidModelId = (ClearMl, 400, 201, "invalid_model_id", "invalid model id");
    /// 400/202: the model is not ready.
    ModelNotReady = (ClearMl, 400, 202, "model_not_ready", "model is not ready");
    /// 400/203: the model is ready.
    ModelIsReady = (ClearMl, 400, 203, "model_is_ready", "model is ready");
    /// 400/204: invalid model URI.
    InvalidModelUri = (ClearMl, 400, 204, "invalid_model_uri", "invalid model URI");
    /// 400/205: the model is used by tasks.
    ModelInUse = (ClearMl, 400, 205, "model_in_use", "model is used by tasks");
    /// 400/206: the (published) task that created the model exists.
    ModelCreatingTaskExists = (ClearMl, 400, 206, "model_creating_task_exists", "task that created this model exists");

    /// 400/300: invalid user.
    InvalidUser = (ClearMl, 400, 300, "invalid_user", "invalid user");
    /// 400/301: no such user.
    InvalidUserId = (ClearMl, 400, 301, "invalid_user_id", "invalid user id");

    /// 400/401: no such project.
    InvalidProjectId = (ClearMl, 400, 401, "invalid_project_id", "invalid project id");
    /// 400/402: the project has tasks.
    ProjectHasTasks = (ClearMl, 400, 402, "project_has_tasks", "project has associated tasks");
    /// 400/403: project not found.
    ProjectNotFound = (ClearMl, 400, 403, "project_not_found", "project not found");
    /// 400/405: the project has models (not "already exists": that is 400/801).
    ProjectHasModels = (ClearMl, 400, 405, "project_has_models", "project has associated models");
    /// 400/406: the project has non-empty datasets.
    ProjectHasDatasets = (ClearMl, 400, 406, "project_has_datasets", "project has associated non-empty datasets");
    /// 400/407: invalid project name.
    InvalidProjectName = (ClearMl, 400, 407, "invalid_project_name", "invalid project name");
    /// 400/408: a rename may not move the project under another parent.
    CannotUpdateProjectLocation = (ClearMl, 400, 408, "cannot_update_project_location", "Cannot update project location. Use projects.move instead");
    /// 400/409: the project path is too deep.
    ProjectPathExceedsMax = (ClearMl, 400, 409, "project_path_exceeds_max", "Project path exceed the maximum allowed depth");

    /// 400/410: a move or merge whose source and destination are the same.
    ProjectSourceAndDestinationAreTheSame = (ClearMl, 400, 410, "project_source_and_destination_are_the_same", "Project has the same source and destination paths");
    /// 400/411: a project moved under itself.
    ProjectCannotBeMovedUnderItself = (ClearMl, 400, 411, "project_cannot_be_moved_under_itself", "Project can not be moved under itself in the projects hierarchy");
    /// 400/412: a project merged into its own child.
    ProjectCannotBeMergedIntoItsChild = (ClearMl, 400, 412, "project_cannot_be_merged_into_its_child", "Project can not be merged into its own child");
    /// 400/413: the project has pipelines with active controllers.
    ProjectHasPipelines = (ClearMl, 400, 413, "project_has_pipelines", "project has associated pipelines with active controllers");

    /// 400/800: data validation error.
    DataValidationError = (ClearMl, 400, 800, "data_validation_error", "data validation error");
    /// 400/801: the value already exists (ClearML's answer to creating a project whose name is taken).
    ExpectedUniqueData = (ClearMl, 400, 801, "expected_unique_data", "value combination already exists (unique field already contains this value)");
    /// 400/1104: invalid scroll id.
    InvalidScrollId = (ClearMl, 400, 1104, "invalid_scroll_id", "Invalid scroll id");

    /// 401/1: not authorized for the endpoint.
    NotAuthorized = (ClearMl, 401, 1, "not_authorized", "unauthorized (not authorized for endpoint)");
    /// 401/10: the `Authorization` header has an unknown scheme or is unreadable.
    BadAuthType = (ClearMl, 401, 10, "bad_auth_type", "unauthorized (bad authentication header type)");
    /// 401/20: no credentials (no token, no Basic header).
    NoCredentials = (ClearMl, 401, 20, "no_credentials", "unauthorized (missing credentials)");
    /// 401/21: malformed Basic credentials.
    BadCredentials = (ClearMl, 401, 21, "bad_credentials", "unauthorized (malformed credentials)");
    /// 401/22: unknown access key or wrong secret.
    InvalidCredentials = (ClearMl, 401, 22, "invalid_credentials", "unauthorized (invalid credentials)");
    /// 401/30: a forged, expired, malformed or revoked token.
    InvalidToken = (ClearMl, 401, 30, "invalid_token", "invalid token");
    /// 401/31: a blocked token.
    BlockedToken = (ClearMl, 401, 31, "blocked_token", "token is blocked");

    /// 403/0: refused (trove: a cross-site or DNS-rebinding request).
    Forbidden = (ClearMl, 403, 0, "forbidden", "forbidden");
    /// 403/20: not allowed for the caller's role.
    RoleNotAllowed = (ClearMl, 403, 20, "role_not_allowed", "forbidden (not allowed for role)");
    /// 403/21: modification not allowed.
    NoWritePermission = (ClearMl, 403, 21, "no_write_permission", "forbidden (modification not allowed)");

    /// 404/0: unknown endpoint (clearml-server's `service_repo` answers this pair) or file.
    NotFound = (Trove, 404, 0, "not_found", "not found");
    /// 405/0: HTTP method not allowed.
    MethodNotAllowed = (Trove, 405, 0, "method_not_allowed", "method not allowed");
    /// 409/801: trove's artifact versions: a duplicate or a gap (`tasks.add_artifact_version`).
    ArtifactVersionConflict = (Trove, 409, 801, "artifact_version_conflict", "artifact version already exists or is out of order");
    /// 413/0: the body is larger than the route allows.
    PayloadTooLarge = (Trove, 413, 0, "payload_too_large", "request body too large");
    /// 415/0: the body is not JSON.
    UnsupportedMediaType = (Trove, 415, 0, "unsupported_media_type", "unsupported content type");
    /// 416/0: a `Range` outside the file.
    RangeNotSatisfiable = (Trove, 416, 0, "range_not_satisfiable", "range not satisfiable");
    /// 429/0: too many failed logins.
    TooManyRequests = (Trove, 429, 0, "too_many_requests", "too many requests");

    /// 500/0: a server-side failure (trove's answer hides the details behind an incident id).
    GeneralError = (ClearMl, 500, 0, "general_error", "general server error");
    /// 500/1: internal server error.
    InternalError = (ClearMl, 500, 1, "internal_error", "internal server error");
    /// 500/2: configuration error.
    ConfigError = (ClearMl, 500, 2, "config_error", "configuration error");
    /// 500/100: data error.
    DataError = (ClearMl, 500, 100, "data_error", "general data error");
    /// 500/102: the database is unavailable.
    DatabaseUnavailable = (ClearMl, 500, 102, "database_unavailable", "database is temporarily unavailable");
    /// 500/110: update failed.
    UpdateFailed = (ClearMl, 500, 110, "update_failed", "update failed");
    /// 500/9999: not implemented.
    NotImplemented = (ClearMl, 500, 9999, "not_implemented", "action is not yet implemented");
}

impl ResultCode {
    /// The code for a `(result_code, result_subcode)` pair; [`ResultCode::Unlisted`] when not in the table.
    pub fn from_numbers(http: u16, subcode: u32) -> Self {
        Self::LISTED
            .iter()
            .copied()
            .find(|c| c.http() == http && c.subcode() == subcode)
            .unwrap_or(Self::Unlisted { http, subcode })
    }

    /// True for 200/0.
    pub fn is_ok(self) -> bool {
        self == Self::Ok
    }
}

impl std::fmt::Display for ResultCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{} {}", self.http(), self.subcode(), self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_are_unique_and_read_back() {
        for (i, a) in ResultCode::LISTED.iter().enumerate() {
            for b in &ResultCode::LISTED[i + 1..] {
                assert!(
                    (a.http(), a.subcode()) != (b.http(), b.subcode()),
                    "{a:?} and {b:?} share numbers"
                );
            }
            assert_eq!(ResultCode::from_numbers(a.http(), a.subcode()), *a);
        }
        assert_eq!(
            ResultCode::from_numbers(400, 9876),
            ResultCode::Unlisted {
                http: 400,
                subcode: 9876
            }
        );
        assert_eq!(
            ResultCode::InvalidTaskId.to_string(),
            "400/101 invalid_task_id"
        );
    }
}
