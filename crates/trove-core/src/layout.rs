//! The whole storage layout in one place: where an artifact's bytes live, relative to a destination.
//!
//! `<destination>/<project path>/<task name>.<task id>/artifacts/<artifact name>/<file name>`, escaped as ClearML
//! escapes it (docs/clearml-compat.md §2.4) so that files written by trove and by the Python SDK sit side by side, with one
//! addition: no component can ever be empty, `.` or `..`, so no name can leave its task's folder.

use md5::{Digest, Md5};

/// Longest path component kept as is; longer ones become their MD5 digest (ClearML's rule).
pub const MAX_COMPONENT: usize = 250;
/// Longest project path before it is cut and suffixed with the project id.
pub const MAX_PROJECT_PATH: usize = 256;
/// Longest task folder name (`<name>.<id>`); the name is cut to fit.
pub const MAX_TASK_FOLDER: usize = 128;

/// ClearML's `_replace_slash`: `\` → `/`, trim `/`, `/` → `.slash.`, and each of ``#"';?:@&=+$,%!\r\n`` → `0x%02x`.
/// trove also maps a result of `.` or `..` (or empty) to a harmless name.
pub fn replace_slash(name: &str) -> String {
    let unified = name.replace('\\', "/");
    let trimmed = unified.trim_matches('/');
    let mut out = String::with_capacity(trimmed.len());
    for c in trimmed.replace('/', ".slash.").chars() {
        if "#\"';?:@&=+$,%!\r\n".contains(c) {
            out.push_str(&format!("0x{:02x}", c as u32));
        } else {
            out.push(c);
        }
    }
    neutralise_dots(limit_component(out))
}

/// Replace a component longer than [`MAX_COMPONENT`] bytes by its MD5 hex digest.
pub fn limit_component(s: String) -> String {
    if s.len() > MAX_COMPONENT {
        hex::encode(Md5::digest(s.as_bytes()))
    } else {
        s
    }
}

fn neutralise_dots(s: String) -> String {
    match s.as_str() {
        "" => "0x00".into(),
        "." => "0x2e".into(),
        ".." => "0x2e0x2e".into(),
        _ => s,
    }
}

/// Python's `urllib.parse.quote(s, safe=...)`: percent-encode every byte that is not ASCII alphanumeric,
/// one of `_.-~`, or in `safe`.
pub fn quote(s: &str, safe: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        let c = b as char;
        if b.is_ascii_alphanumeric() || "_.-~".contains(c) || (b.is_ascii() && safe.contains(c)) {
            out.push(c);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Undo percent-encoding; `None` if the result is not UTF-8 or an escape is malformed.
pub fn unquote(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hexpair = bytes.get(i + 1..i + 3)?;
            let v = u8::from_str_radix(std::str::from_utf8(hexpair).ok()?, 16).ok()?;
            out.push(v);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

const PREFIX_SAFE: &str = "'[]{}()$^,.; -_+-=/";

/// The project path component(s): ClearML quotes the full project path (keeping `/` between sub-projects),
/// cuts it at [`MAX_PROJECT_PATH`] with the project id appended; trove drops empty, `.` and `..` parts.
pub fn project_folder(project: &str, project_id: &str) -> String {
    let mut path = project.to_string();
    if path.len() > MAX_PROJECT_PATH {
        let cut = floor_char_boundary(&path, MAX_PROJECT_PATH - 33);
        path = format!("{}.{}", &path[..cut], project_id);
    }
    path.split('/')
        .filter(|p| !p.is_empty())
        .map(|p| neutralise_dots(limit_component(quote(p, PREFIX_SAFE))))
        .collect::<Vec<_>>()
        .join("/")
}

/// The task folder: always `<quoted task name, cut to fit 128 bytes>.<task id>`.
pub fn task_folder(task_name: &str, task_id: &str) -> String {
    let keep = MAX_TASK_FOLDER.saturating_sub(task_id.len() + 1);
    let safe = PREFIX_SAFE.trim_end_matches('/');
    let mut cut = floor_char_boundary(task_name, keep);
    let mut name = quote(&task_name[..cut].replace('/', ".slash."), safe);
    while name.len() > keep && cut > 0 {
        cut = floor_char_boundary(task_name, cut - 1);
        name = quote(&task_name[..cut].replace('/', ".slash."), safe);
    }
    format!("{name}.{task_id}")
}

/// `<project path>/<task folder>`: the part of every key that belongs to one task.
pub fn task_prefix(project: &str, project_id: &str, task_name: &str, task_id: &str) -> String {
    let p = project_folder(project, project_id);
    let t = task_folder(task_name, task_id);
    if p.is_empty() { t } else { format!("{p}/{t}") }
}

/// The key of an artifact file, relative to the destination.
pub fn artifact_key(task_prefix: &str, artifact_name: &str, file_name: &str) -> String {
    format!(
        "{task_prefix}/artifacts/{}/{}",
        replace_slash(artifact_name),
        replace_slash(file_name)
    )
}

/// The key of version `version` of a registered artifact: `<task>/artifacts/<name>/v<version>/<file>`,
/// so that every version stays readable while the record points at the newest.
pub fn artifact_version_key(
    task_prefix: &str,
    artifact_name: &str,
    version: u32,
    file_name: &str,
) -> String {
    format!(
        "{task_prefix}/artifacts/{}/v{version}/{}",
        replace_slash(artifact_name),
        replace_slash(file_name)
    )
}

/// ClearML's `_generate_file_name`: `base` plus `ext` unless `base` already ends with it.
pub fn file_name_with_ext(base: &str, ext: &str) -> String {
    if ext.is_empty() || base.ends_with(ext) {
        base.to_string()
    } else {
        format!("{base}{ext}")
    }
}

/// Join a destination and a key into the uri recorded in the artifact. For `http(s)` the key is
/// percent-encoded (spaces → `%20`), as the Python SDK records it; for other schemes it is kept raw.
pub fn join_uri(destination: &str, key: &str) -> String {
    let dest = destination.trim_end_matches('/');
    if dest.starts_with("http://") || dest.starts_with("https://") {
        format!("{dest}/{}", quote(key, "/"))
    } else {
        format!("{dest}/{key}")
    }
}

/// Largest index `<= max` that is a char boundary of `s`.
pub fn floor_char_boundary(s: &str, max: usize) -> usize {
    if max >= s.len() {
        return s.len();
    }
    (0..=max)
        .rev()
        .find(|&i| s.is_char_boundary(i))
        .unwrap_or(0)
}

/// True when a relative key stays inside its root: no empty, `.` or `..` component, no leading `/`,
/// no backslash or NUL.
pub fn is_confined(key: &str) -> bool {
    !key.is_empty()
        && !key.starts_with('/')
        && !key.contains('\\')
        && !key.contains('\0')
        && key
            .split('/')
            .all(|c| !c.is_empty() && c != "." && c != "..")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replace_slash_matches_clearml() {
        assert_eq!(replace_slash("weird/name?x"), "weird.slash.name0x3fx");
        assert_eq!(replace_slash("Pandas"), "Pandas");
        assert_eq!(replace_slash("local file"), "local file");
        assert_eq!(replace_slash("/a\\b/"), "a.slash.b");
    }

    #[test]
    fn no_name_escapes_its_folder() {
        for evil in ["..", ".", "../..", "/", "", "../../etc/passwd", "a/../../b"] {
            let k = artifact_key("p/t.1", evil, evil);
            assert!(is_confined(&k), "{evil:?} gave {k:?}");
            assert!(k.starts_with("p/t.1/artifacts/"));
        }
        assert!(is_confined(&task_prefix("../..", "pid", "..", "tid")));
        assert!(!is_confined("a/../b"));
        assert!(!is_confined("/abs"));
    }

    #[test]
    fn layout_matches_the_trace() {
        let id = "01e5d04fa56b4df6bea285731278baa5";
        let prefix = task_prefix("examples", "p", "Artifacts example", id);
        assert_eq!(prefix, format!("examples/Artifacts example.{id}"));
        let key = artifact_key(&prefix, "Numpy Eye", "Numpy Eye.npz");
        assert_eq!(
            join_uri("http://127.0.0.1:18081", &key),
            format!(
                "http://127.0.0.1:18081/examples/Artifacts%20example.{id}/artifacts/Numpy%20Eye/Numpy%20Eye.npz"
            )
        );
        assert_eq!(
            join_uri(
                "file:///out/",
                &artifact_key(
                    &task_prefix("examples/sub proj", "p", "out probe", id),
                    "d",
                    "d.json"
                )
            ),
            format!("file:///out/examples/sub proj/out probe.{id}/artifacts/d/d.json")
        );
    }

    #[test]
    fn long_names_are_cut() {
        let long = "x".repeat(300);
        assert_eq!(replace_slash(&long).len(), 32);
        let tf = task_folder(&"é".repeat(100), "0123456789abcdef0123456789abcdef");
        assert!(tf.ends_with(".0123456789abcdef0123456789abcdef"));
        let pf = project_folder(&"a".repeat(400), "pid");
        assert!(pf.ends_with(".pid"));
        assert_eq!(
            file_name_with_ext("data_samples", ".zip"),
            "data_samples.zip"
        );
        assert_eq!(file_name_with_ext("a.zip", ".zip"), "a.zip");
    }

    #[test]
    fn quote_and_unquote_round_trip() {
        let s = "a b/ü?#%";
        let q = quote(s, "/");
        assert_eq!(q, "a%20b/%C3%BC%3F%23%25");
        assert_eq!(unquote(&q).as_deref(), Some(s));
        assert_eq!(unquote("%zz"), None);
    }
}
