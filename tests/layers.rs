//! The import rule of `docs/architecture.md`, checked on the sources: a
//! module imports only modules of its own layer or below, the top-level
//! modules form no circle, nor do the files of `services/` or the
//! resources of `routes/v1/`.

#![allow(clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Each top-level module's layer, from the edge of the process inward.
const LAYERS: &[(&str, u8)] = &[
    ("cli", 9),
    ("startup", 9),
    ("routes", 8),
    ("openapi", 8),
    ("http", 7),
    ("background", 6),
    ("cluster", 6),
    ("state", 5),
    ("error", 5),
    ("services", 4),
    ("auth", 3),
    ("webhooks", 3),
    ("cache", 3),
    ("database", 3),
    ("blocking", 3),
    ("listener", 3),
    ("telemetry", 3),
    ("config", 2),
    ("domain", 1),
];

/// Every `.rs` file below `dir`.
fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("a readable source folder").flatten() {
        let path = entry.path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module path of a file under `src/`: `services/seed/mod.rs` is
/// `["services", "seed"]`.
fn module_of(root: &Path, file: &Path) -> Vec<String> {
    let relative = file.strip_prefix(root).unwrap_or(file).with_extension("");
    let mut parts: Vec<String> = relative.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

/// The code of a file without comments and without its test module (tests
/// may reach anywhere).
fn code(text: &str) -> String {
    let text = text.split("#[cfg(test)]\nmod tests").next().unwrap_or_default();
    text.lines().map(|line| line.split("//").next().unwrap_or_default()).collect::<Vec<_>>().join("\n")
}

fn identifier(text: &str) -> &str {
    let end = text.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(text.len());
    &text[..end]
}

/// The items of a `{…}` group that `text` starts inside, split at its
/// top-level commas.
fn group_items(text: &str) -> Vec<&str> {
    let (mut depth, mut start, mut items) = (0, 0, Vec::new());
    for (at, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => {
                items.push(&text[start..at]);
                return items;
            }
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&text[start..at]);
                start = at + 1;
            }
            _ => {}
        }
    }
    items.push(&text[start..]);
    items
}

/// The paths `text` names, each segment after `prefix`: `a::b`,
/// `a::{b, c::d}`.
fn expand(prefix: &[String], text: &str, out: &mut Vec<Vec<String>>) {
    let mut path = prefix.to_vec();
    let mut rest = text.trim_start();
    loop {
        if let Some(group) = rest.strip_prefix('{') {
            for item in group_items(group) {
                expand(&path, item, out);
            }
            return;
        }
        let segment = identifier(rest);
        if segment.is_empty() {
            break;
        }
        path.push(segment.to_owned());
        match rest[segment.len()..].strip_prefix("::") {
            Some(next) => rest = next,
            None => break,
        }
    }
    if path.len() > prefix.len() {
        out.push(path);
    }
}

/// Every module path `code` names, absolute: `crate::…` as written, and
/// `super::…` resolved from `module`.
fn paths(module: &[String], code: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for (at, _) in code.match_indices("crate::") {
        expand(&[], &code[at + "crate::".len()..], &mut out);
    }
    let mut rest = code;
    while let Some(at) = rest.find("super::") {
        let mut up = 0;
        let mut tail = &rest[at..];
        while let Some(next) = tail.strip_prefix("super::") {
            up += 1;
            tail = next;
        }
        if up <= module.len() {
            expand(&module[..module.len() - up], tail, &mut out);
        }
        rest = tail;
    }
    out
}

/// A circle in `edges`, if there is one (depth-first search).
fn circle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut found = path[at..].to_vec();
            found.push(node.to_owned());
            return Some(found);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in edges.get(node).into_iter().flatten() {
            if let Some(found) = visit(next, edges, path, done) {
                return Some(found);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    edges.keys().find_map(|node| visit(node, edges, &mut Vec::new(), &mut done))
}

struct Tree {
    /// Module path of each file, and its code.
    files: Vec<(Vec<String>, String)>,
}

impl Tree {
    fn read() -> Self {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut paths = Vec::new();
        sources(&root, &mut paths);
        let files = paths
            .iter()
            .filter(|p| !p.ends_with("main.rs") && !p.ends_with("lib.rs"))
            .map(|p| {
                (module_of(&root, p), code(&std::fs::read_to_string(p).expect("a readable source file")))
            })
            .collect::<Vec<_>>();
        assert!(files.len() > 50, "the sources were not found");
        Self { files }
    }

    /// The edges between the children of the folder `folder`, each child
    /// standing for everything below it.
    fn child_edges(&self, folder: &[&str]) -> BTreeMap<String, BTreeSet<String>> {
        let depth = folder.len();
        let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (module, code) in &self.files {
            if module.len() <= depth || module[..depth] != *folder {
                continue;
            }
            let child = &module[depth];
            let targets = edges.entry(child.clone()).or_default();
            for path in paths(module, code) {
                let sibling = path.len() > depth && path[..depth] == *folder && path[depth] != *child;
                if sibling && self.has_child(folder, &path[depth]) {
                    targets.insert(path[depth].clone());
                }
            }
        }
        edges
    }

    fn has_child(&self, folder: &[&str], name: &str) -> bool {
        self.files
            .iter()
            .any(|(m, _)| m.len() > folder.len() && m[..folder.len()] == *folder && m[folder.len()] == name)
    }
}

fn layer(module: &str) -> u8 {
    LAYERS
        .iter()
        .find(|(name, _)| *name == module)
        .map(|(_, layer)| *layer)
        .unwrap_or_else(|| panic!("`{module}` has no layer: add it to LAYERS and to docs/architecture.md"))
}

#[test]
fn modules_import_only_their_own_layer_or_below() {
    let tree = Tree::read();
    let mut broken = Vec::new();
    for (module, code) in &tree.files {
        let from = &module[0];
        for to in paths(module, code).into_iter().map(|path| path[0].clone()) {
            if to != *from && layer(&to) > layer(from) {
                broken.push(format!("{} imports {to}", module.join("::")));
            }
        }
    }
    assert!(broken.is_empty(), "imports against the layers:\n{}", broken.join("\n"));
}

#[test]
fn top_level_modules_form_no_circle() {
    let tree = Tree::read();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, code) in &tree.files {
        for to in paths(module, code).into_iter().map(|path| path[0].clone()) {
            if to != module[0] {
                edges.entry(module[0].clone()).or_default().insert(to);
            }
        }
    }
    assert_eq!(circle(&edges), None);
}

#[test]
fn services_and_v1_resources_form_no_circle() {
    let tree = Tree::read();
    for folder in [&["services"][..], &["routes", "v1"][..]] {
        let edges = tree.child_edges(folder);
        assert!(edges.len() > 5, "{folder:?} was not read");
        assert_eq!(circle(&edges), None, "in {}", folder.join("/"));
    }
}
