//! Every crate's module graph is one way: no cycle between the top-level modules of its `src/`, and none
//! between the sibling submodules of a folder module. Prints the graphs; `scripts/module-cycles` runs this.

use std::path::Path;
use trove_testkit::modules::{Graph, find_cycle, graphs, print, targets};

#[test]
fn every_crate_module_graph_has_no_cycle() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut dirs: Vec<_> = std::fs::read_dir(&crates)
        .unwrap()
        .map(|e| e.unwrap().path().join("src"))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 9, "{dirs:?}");
    let mut cycles = Vec::new();
    for src in &dirs {
        let name = src
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .to_string();
        let (top, inner) = graphs(src);
        print(&format!("{name}/src (top-level modules)"), &top);
        if let Some(c) = find_cycle(&top) {
            cycles.push(format!("{name}: {}", c.join(" -> ")));
        }
        for (module, g) in &inner {
            print(&format!("{name}/src/{module}/ (submodules)"), g);
            if let Some(c) = find_cycle(g) {
                cycles.push(format!("{name}/{module}/: {}", c.join(" -> ")));
            }
        }
    }
    if cycles.is_empty() {
        println!("no cycle in {} crates", dirs.len());
    }
    assert!(cycles.is_empty(), "module cycles:\n{}", cycles.join("\n"));
}

#[test]
fn the_check_finds_cycles() {
    let mut g = Graph::new();
    g.entry("a".into()).or_default().insert("b".into());
    g.entry("b".into()).or_default().insert("a".into());
    assert_eq!(
        find_cycle(&g),
        Some(vec!["a".into(), "b".into(), "a".into()])
    );
    assert_eq!(
        targets("use crate::{a::X, b, c::{d, e}};", "crate::"),
        ["a", "b", "c"].into_iter().map(String::from).collect()
    );
}
