//! The API version trove speaks, the server version it reports, and the `/v<version>/<service>.<action>` paths.

/// The API version trove claims and calls: SDK 1.17 and 2.x both bundle `v2_23` as their newest service module,
/// so they speak `/v2.23/...` and every feature gate they check (≤ 2.23) is on.
pub const API_VERSION: &str = "2.23";

/// The server version reported in tokens and `server.info` (a ClearML server release that speaks 2.23+).
pub const SERVER_VERSION: &str = "1.17.0";

/// The path of an endpoint at [`API_VERSION`]: `/v2.23/tasks.create`.
pub fn versioned_path(endpoint: &str) -> String {
    format!("/v{API_VERSION}/{endpoint}")
}

/// A parsed API path: the requested version (if the path has one) and the endpoint name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiPath {
    /// `2.23` of `/v2.23/tasks.get_all`; `None` for `/tasks.get_all`.
    pub version: Option<String>,
    /// `service.action`.
    pub endpoint: String,
}

/// Split `/v2.23/tasks.get_all` (also `/api/v2.23/...` and `/tasks.get_all`) into version and endpoint;
/// `None` for anything else (more segments, no `.`, characters outside `[A-Za-z0-9_]` in service or action).
pub fn parse_path(path: &str) -> Option<ApiPath> {
    let mut segs: Vec<&str> = path.trim_matches('/').split('/').collect();
    if segs.first() == Some(&"api") {
        segs.remove(0);
    }
    let (version, name) = match segs.as_slice() {
        [v, name]
            if v.strip_prefix('v').is_some_and(|n| {
                n.split('.')
                    .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
            }) =>
        {
            (Some(v[1..].to_string()), *name)
        }
        [name] => (None, *name),
        _ => return None,
    };
    let (svc, act) = name.split_once('.')?;
    let ok = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    (ok(svc) && ok(act)).then(|| ApiPath {
        version,
        endpoint: name.to_string(),
    })
}

/// `major.minor` of a version text (missing or unreadable parts count as 0).
fn number(s: &str) -> (u32, u32) {
    let mut it = s.split('.').map(|x| x.trim().parse::<u32>().unwrap_or(0));
    (it.next().unwrap_or(0), it.next().unwrap_or(0))
}

/// True when the requested API version (`2.13`, `999.0`) is above `major.minor`.
pub fn version_above(requested: &str, major: u32, minor: u32) -> bool {
    number(requested) > (major, minor)
}

/// The version that answers a request for `requested`: the requested one up to [`API_VERSION`], else
/// [`API_VERSION`].
pub fn actual_version(requested: &str) -> String {
    if number(requested) <= number(API_VERSION) {
        requested.to_string()
    } else {
        API_VERSION.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(version: Option<&str>, endpoint: &str) -> Option<ApiPath> {
        Some(ApiPath {
            version: version.map(str::to_string),
            endpoint: endpoint.into(),
        })
    }

    #[test]
    fn paths_parse() {
        assert_eq!(API_VERSION, "2.23", "the version SDK 1.17 and 2.x speak");
        assert_eq!(
            parse_path(&versioned_path("tasks.get_all")),
            p(Some(API_VERSION), "tasks.get_all")
        );
        assert_eq!(
            parse_path("/api/v2.9/tasks.get_all"),
            p(Some("2.9"), "tasks.get_all")
        );
        assert_eq!(parse_path("/auth.login"), p(None, "auth.login"));
        assert_eq!(parse_path("/v2.23/a/tasks.x"), None);
        assert_eq!(parse_path("/tasks"), None);
        assert_eq!(parse_path("/../x.y"), None);
        assert_eq!(parse_path("/x-y.z"), None);
        assert_eq!(parse_path("/v/tasks.get_all"), None, "an empty version");
        assert_eq!(parse_path("/v./tasks.get_all"), None);
        assert_eq!(parse_path("/v2..1/tasks.get_all"), None);
        assert!(version_above("2.14", 2, 13) && !version_above("2.13", 2, 13));
        assert_eq!(actual_version("2.9"), "2.9");
        assert_eq!(actual_version("2.31"), API_VERSION);
        assert_eq!(actual_version("3"), API_VERSION);
    }
}
