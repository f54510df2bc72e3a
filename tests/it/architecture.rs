//! The library's layering: no import cycle between its top-level modules (the one-way
//! pipeline ingest → directory → scope → rules → findings → report / fix, with leaf modules
//! of shared vocabulary below). The graph is read from the source: every `crate::` path and
//! `use crate::{…}` group in `src/` outside the binary (`main.rs`, `cli/`) and outside unit
//! test modules (test code may reach anywhere). Run alone with
//! `cargo test --release --test it architecture::`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Edges still allowed although they close a cycle, with who removes them. Each must still
/// exist and still close a cycle, so the list only shrinks.
const ALLOWED: &[(&str, &str, &str)] = &[];

/// Where each edge of the graph comes from: `from` module → `to` module → first `file:line`.
type Graph = BTreeMap<String, BTreeMap<String, String>>;

/// The top-level modules a piece of code names: `crate::x…` and each item of a
/// `crate::{x…, y…}` group.
fn referenced_modules(code: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let preceded_by_ident = rest[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_');
        rest = &rest[at + "crate::".len()..];
        if preceded_by_ident {
            continue; // `mycrate::`, `$crate::`-like names are someone else's
        }
        if let Some(group) = rest.strip_prefix('{') {
            // Items at depth 0 of the group, each's first segment.
            let mut depth = 0;
            let mut item_start = true;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => item_start = true,
                    c if item_start && (c.is_alphabetic() || c == '_') => {
                        found.push(identifier(&group[i..]).to_string());
                        item_start = false;
                    }
                    _ => {}
                }
            }
        } else {
            let name = identifier(rest);
            if !name.is_empty() {
                found.push(name.to_string());
            }
        }
    }
    found
}

fn identifier(text: &str) -> &str {
    let end = text
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    &text[..end]
}

/// A source file without its comments (doc text may mention paths) and without its unit test
/// module (by the crate's convention the last item, `#[cfg(test)] mod tests`).
fn production_code(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(at) => &text[..at],
        None => text,
    };
    text.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The library's top-level modules, as `lib.rs` declares them.
fn library_modules(src: &Path) -> BTreeSet<String> {
    let lib = std::fs::read_to_string(src.join("lib.rs")).expect("lib.rs");
    lib.lines()
        .filter_map(|l| {
            let l = l.trim();
            let l = l.strip_prefix("pub ").unwrap_or(l);
            let l = l.strip_prefix("pub(crate) ").unwrap_or(l);
            l.strip_prefix("mod ")?
                .strip_suffix(';')
                .map(str::to_string)
        })
        .collect()
}

/// The graph of the library's top-level modules.
fn module_graph(src: &Path) -> Graph {
    let modules = library_modules(src);
    assert!(modules.len() > 5, "lib.rs declares {modules:?}");
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut graph = Graph::new();
    for file in files {
        let relative = file.strip_prefix(src).expect("under src");
        let first = relative.components().next().expect("a component");
        let from = first.as_os_str().to_string_lossy();
        let from = from.strip_suffix(".rs").unwrap_or(&from).to_string();
        if !modules.contains(&from) {
            continue; // lib.rs, and the binary (main.rs, cli/)
        }
        let code = production_code(&std::fs::read_to_string(&file).expect("source"));
        for (n, line) in code.lines().enumerate() {
            for to in referenced_modules(line) {
                if to != from && modules.contains(&to) {
                    graph
                        .entry(from.clone())
                        .or_default()
                        .entry(to)
                        .or_insert_with(|| format!("{}:{}", relative.display(), n + 1));
                }
            }
        }
    }
    graph
}

/// A path of edges from `from` to `to`, if there is one.
fn path(graph: &Graph, from: &str, to: &str) -> Option<Vec<String>> {
    let mut previous: BTreeMap<String, String> = BTreeMap::new();
    let mut queue = std::collections::VecDeque::from([from.to_string()]);
    let mut seen = BTreeSet::from([from.to_string()]);
    while let Some(node) = queue.pop_front() {
        if node == to {
            let mut nodes = vec![node];
            while let Some(p) = previous.get(nodes.last().expect("a node")) {
                nodes.push(p.clone());
            }
            nodes.reverse();
            return Some(nodes);
        }
        for next in graph.get(&node).into_iter().flat_map(|e| e.keys()) {
            if seen.insert(next.clone()) {
                previous.insert(next.clone(), node.clone());
                queue.push_back(next.clone());
            }
        }
    }
    None
}

/// Every cycle through an edge, one per edge that closes one: `a → b (file:line) → … → a`.
fn cycles(graph: &Graph) -> Vec<String> {
    let mut found = Vec::new();
    for (from, edges) in graph {
        for to in edges.keys() {
            let Some(back) = path(graph, to, from) else {
                continue;
            };
            let mut nodes = vec![from.clone()];
            nodes.extend(back);
            let steps: Vec<String> = nodes
                .windows(2)
                .map(|w| format!("{} → {} ({})", w[0], w[1], graph[&w[0]][&w[1]]))
                .collect();
            found.push(steps.join(", "));
        }
    }
    found
}

#[test]
fn no_import_cycle_between_top_level_modules() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut graph = module_graph(&src);
    // The allowlist is only for cycles that still exist.
    let mut stale = Vec::new();
    for (from, to, who) in ALLOWED {
        let closes_a_cycle = graph.get(*from).is_some_and(|e| e.contains_key(*to))
            && path(&graph, to, from).is_some();
        if !closes_a_cycle {
            stale.push(format!("{from} → {to} ({who})"));
        }
    }
    assert!(
        stale.is_empty(),
        "no longer a cycle: remove from ALLOWED in tests/it/architecture.rs: {stale:#?}"
    );
    for (from, to, _) in ALLOWED {
        if let Some(edges) = graph.get_mut(*from) {
            edges.remove(*to);
        }
    }
    let found = cycles(&graph);
    assert!(
        found.is_empty(),
        "import cycles between top-level modules (the pipeline must be one-way):\n{}",
        found.join("\n")
    );
}

#[test]
fn the_graph_reader_sees_every_kind_of_path_and_finds_cycles() {
    let code = "use crate::{alpha, beta::{Gamma, delta::E}, zeta::*};\n\
                let x = crate::eta::f(); // crate::comment\n\
                use mycrate::theta; use super::iota;";
    let code = production_code(code);
    let mut names = referenced_modules(&code);
    names.sort();
    assert_eq!(names, ["alpha", "beta", "eta", "zeta"]);
    let tests_cut =
        production_code("use crate::a;\n#[cfg(test)]\nmod tests {\n    use crate::b;\n}\n");
    assert_eq!(referenced_modules(&tests_cut), ["a"]);

    let edge = |from: &str, to: &str| {
        (
            from.to_string(),
            BTreeMap::from([(to.to_string(), format!("src/{from}.rs:1"))]),
        )
    };
    let graph: Graph = [
        edge("a", "b"),
        edge("b", "c"),
        edge("c", "a"),
        edge("d", "a"),
    ]
    .into_iter()
    .collect();
    let found = cycles(&graph);
    assert_eq!(found.len(), 3, "{found:?}");
    assert!(
        found.contains(&"a → b (src/a.rs:1), b → c (src/b.rs:1), c → a (src/c.rs:1)".to_string())
    );
    let acyclic: Graph = [edge("a", "b"), edge("b", "c"), edge("d", "a")]
        .into_iter()
        .collect();
    assert!(cycles(&acyclic).is_empty());
}

#[test]
fn the_library_graph_is_read_from_the_source() {
    // The reader finds the pipeline's known edges, so an empty graph can't pass for acyclic.
    let graph = module_graph(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    for (from, to) in [
        ("ingest", "directory"),
        ("fix", "ldif_out"),
        ("report", "analyze"),
    ] {
        assert!(
            graph.get(from).is_some_and(|e| e.contains_key(to)),
            "{from} → {to} missing from {graph:#?}"
        );
    }
    assert!(
        !graph.contains_key("cli"),
        "the binary's modules are not the library's"
    );
}
