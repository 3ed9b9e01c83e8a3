//! Module graphs of a crate's `src/`: which module uses which (from `crate::<module>` paths in `use` lines
//! and inline, and `super::<sibling>` paths of a folder module's children), for checking that the graph is
//! one way. `tests/integration/module_graph.rs` runs it on every crate of the workspace;
//! `scripts/module-cycles` prints the graphs.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Module → the modules it uses.
pub type Graph = BTreeMap<String, BTreeSet<String>>;

fn rs_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rs_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The code of a file without comments (line comments, doc comments and block comments).
fn code(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("//") {
            rest = r.find('\n').map_or("", |i| &r[i..]);
        } else if let Some(r) = rest.strip_prefix("/*") {
            rest = r.find("*/").map_or("", |i| &r[i + 2..]);
        } else if rest.starts_with('"') {
            // Skip string literals (they may hold `crate::` in messages).
            let bytes = rest.as_bytes();
            let mut i = 1;
            while i < bytes.len() && bytes[i] != b'"' {
                i += if bytes[i] == b'\\' { 2 } else { 1 };
            }
            rest = &rest[(i + 1).min(rest.len())..];
        } else {
            let c = rest.chars().next().unwrap();
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

fn ident_at(s: &str) -> Option<&str> {
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    (end > 0).then(|| &s[..end])
}

/// The names right after `prefix` in `code`: `prefix name`, and each `name` of `prefix {a, b::c}`.
pub fn targets(code: &str, prefix: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = code;
    while let Some(i) = rest.find(prefix) {
        let after = &rest[i + prefix.len()..];
        let before_ok = i == 0
            || !rest[..i]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':');
        if before_ok {
            if let Some(group) = after.strip_prefix('{') {
                let mut depth = 0;
                let mut start = true;
                for (j, c) in group.char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' if depth == 0 => break,
                        '}' => depth -= 1,
                        ',' if depth == 0 => start = true,
                        c if c.is_whitespace() => {}
                        _ if start && depth == 0 => {
                            if let Some(id) = ident_at(&group[j..]) {
                                out.insert(id.to_string());
                            }
                            start = false;
                        }
                        _ => start = false,
                    }
                }
            } else if let Some(id) = ident_at(after) {
                out.insert(id.to_string());
            }
        }
        rest = &rest[i + prefix.len()..];
    }
    out
}

/// Top-level graph (module → modules it uses) and, per folder module, the graph of its children.
pub fn graphs(src: &Path) -> (Graph, BTreeMap<String, Graph>) {
    let mut files = Vec::new();
    rs_files(src, &mut files);
    let mut top = Graph::new();
    let mut inner: BTreeMap<String, Graph> = BTreeMap::new();
    let top_modules: BTreeSet<String> = files
        .iter()
        .filter_map(|f| f.strip_prefix(src).ok())
        .filter_map(|r| r.components().next())
        .map(|c| {
            c.as_os_str()
                .to_string_lossy()
                .trim_end_matches(".rs")
                .to_string()
        })
        .filter(|m| m != "lib" && m != "main")
        .collect();
    for file in &files {
        let rel = file.strip_prefix(src).unwrap();
        let parts: Vec<String> = rel
            .components()
            .map(|c| {
                c.as_os_str()
                    .to_string_lossy()
                    .trim_end_matches(".rs")
                    .to_string()
            })
            .collect();
        if parts == ["lib"] || parts == ["main"] {
            continue;
        }
        let code = code(&std::fs::read_to_string(file).unwrap());
        let module = parts[0].clone();
        let uses = targets(&code, "crate::");
        let entry = top.entry(module.clone()).or_default();
        for t in &uses {
            if *t != module && top_modules.contains(t) {
                entry.insert(t.clone());
            }
        }
        // Children of a folder module: `<module>/<child>.rs` or `<module>/<child>/...`.
        if parts.len() >= 2 && parts[1] != "mod" {
            let child = parts[1].clone();
            let g = inner.entry(module.clone()).or_default();
            let mut sibs: BTreeSet<String> = targets(&code, &format!("crate::{module}::"));
            // `super::` of `<module>/<child>.rs` and `<module>/<child>/mod.rs` is `<module>`.
            if parts.len() == 2 || (parts.len() == 3 && parts[2] == "mod") {
                sibs.extend(targets(&code, "super::"));
            }
            let e = g.entry(child.clone()).or_default();
            for s in sibs {
                if s != child {
                    e.insert(s);
                }
            }
        }
    }
    // Keep only edges to real children of each folder module.
    for (module, g) in inner.iter_mut() {
        let children: BTreeSet<String> = g.keys().cloned().collect();
        for edges in g.values_mut() {
            edges.retain(|e| children.contains(e));
        }
        let _ = module;
    }
    (top, inner)
}

/// A cycle of `g`, if there is one.
pub fn find_cycle(g: &Graph) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        g: &Graph,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(n.to_string(), 1);
        stack.push(n.to_string());
        for m in g.get(n).into_iter().flatten() {
            match state.get(m.as_str()).copied().unwrap_or(0) {
                1 => {
                    let i = stack.iter().position(|s| s == m).unwrap();
                    let mut c = stack[i..].to_vec();
                    c.push(m.clone());
                    return Some(c);
                }
                0 => {
                    if let Some(c) = visit(m, g, state, stack) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(n.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for n in g.keys() {
        if state.get(n.as_str()).copied().unwrap_or(0) == 0 {
            let mut stack = Vec::new();
            if let Some(c) = visit(n, g, &mut state, &mut stack) {
                return Some(c);
            }
        }
    }
    None
}

/// Print a graph, one module per line.
pub fn print(name: &str, g: &Graph) {
    println!("{name}:");
    for (m, edges) in g {
        let e: Vec<&str> = edges.iter().map(String::as_str).collect();
        println!(
            "  {m} -> {}",
            if e.is_empty() {
                "-".into()
            } else {
                e.join(", ")
            }
        );
    }
}
