//! Architecture rules checked against the lock file: the vault core must stay
//! free of any GUI stack (Tauri and its web view), so it can be audited,
//! built and used headless.

use std::collections::{BTreeMap, BTreeSet};

/// One `[[package]]` of a Cargo.lock.
#[derive(Debug, Clone)]
struct Package {
    name: String,
    version: String,
    /// Entries as written: `name`, `name version` or `name version (source)`.
    dependencies: Vec<String>,
}

/// Reads the subset of the Cargo.lock format (v3/v4) the graph needs:
/// `[[package]]` tables with `name`, `version` and a `dependencies` array.
fn parse_lock(text: &str) -> Vec<Package> {
    let mut out: Vec<Package> = Vec::new();
    let mut current: Option<Package> = None;
    let mut in_deps = false;
    for raw in text.lines() {
        let line = raw.trim();
        if in_deps {
            if line.starts_with(']') {
                in_deps = false;
            } else if let Some(s) = quoted(line) {
                current.as_mut().expect("dependencies inside a package").dependencies.push(s);
            }
            continue;
        }
        if line.starts_with('[') {
            out.extend(current.take());
            if line == "[[package]]" {
                current = Some(Package { name: String::new(), version: String::new(), dependencies: Vec::new() });
            }
            continue;
        }
        let Some(pkg) = current.as_mut() else { continue };
        let Some((key, value)) = line.split_once('=') else { continue };
        match key.trim() {
            "name" => pkg.name = quoted(value).expect("quoted package name"),
            "version" => pkg.version = quoted(value).expect("quoted package version"),
            "dependencies" => {
                let value = value.trim();
                assert!(value.starts_with('['), "dependencies should be an array: {line}");
                // One-line arrays: `dependencies = ["a", "b 1.0"]`.
                for item in value.trim_start_matches('[').split(',') {
                    if let Some(s) = quoted(item) {
                        pkg.dependencies.push(s);
                    }
                }
                in_deps = !value.ends_with(']');
            }
            _ => {}
        }
    }
    out.extend(current);
    out
}

/// The contents of the first "…" in `s`.
fn quoted(s: &str) -> Option<String> {
    let start = s.find('"')? + 1;
    let len = s[start..].find('"')?;
    Some(s[start..start + len].to_string())
}

/// Every package name reachable from `root` (the root included).
fn reachable(packages: &[Package], root: &str) -> BTreeSet<String> {
    let mut by_name: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, p) in packages.iter().enumerate() {
        by_name.entry(p.name.as_str()).or_default().push(i);
    }
    let resolve = |dep: &str| -> usize {
        let mut parts = dep.split(' ');
        let name = parts.next().expect("dependency name");
        let version = parts.next();
        let candidates = by_name.get(name).unwrap_or_else(|| panic!("lock file dependency {dep:?} has no package"));
        match version {
            None => {
                assert_eq!(candidates.len(), 1, "unversioned dependency {dep:?} should be unique in the lock file");
                candidates[0]
            }
            Some(v) => *candidates
                .iter()
                .find(|&&i| packages[i].version == v)
                .unwrap_or_else(|| panic!("lock file dependency {dep:?} has no package of that version")),
        }
    };
    let roots: Vec<usize> = by_name.get(root).cloned().unwrap_or_else(|| panic!("package {root} should be in the lock file"));
    let mut seen: BTreeSet<usize> = BTreeSet::new();
    let mut stack = roots;
    while let Some(i) = stack.pop() {
        if seen.insert(i) {
            stack.extend(packages[i].dependencies.iter().map(|d| resolve(d)));
        }
    }
    seen.into_iter().map(|i| packages[i].name.clone()).collect()
}

fn gui_crates(names: &BTreeSet<String>) -> Vec<&String> {
    names.iter().filter(|n| n.starts_with("tauri") || matches!(n.as_str(), "wry" | "tao" | "webkit2gtk")).collect()
}

#[test]
fn lock_parser_finds_a_gui_dependency_when_there_is_one() {
    // The rule below is only as good as the graph walk; check it on a lock file
    // where the core does reach Tauri through an intermediate crate.
    let lock = r#"
version = 4

[[package]]
name = "custos-core"
version = "0.1.0"
dependencies = [
 "helper 1.0.0",
 "serde",
]

[[package]]
name = "helper"
version = "1.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
dependencies = ["tauri-runtime"]

[[package]]
name = "helper"
version = "2.0.0"
dependencies = [
 "wry",
]

[[package]]
name = "serde"
version = "1.0.0"

[[package]]
name = "tauri-runtime"
version = "2.0.0"

[[package]]
name = "wry"
version = "0.50.0"
"#;
    let packages = parse_lock(lock);
    assert_eq!(packages.len(), 6, "the parser should see every [[package]]: {packages:?}");
    let names = reachable(&packages, "custos-core");
    assert_eq!(
        names,
        ["custos-core", "helper", "serde", "tauri-runtime"].iter().map(|s| s.to_string()).collect(),
        "the walk should follow versioned edges exactly (helper 2.0.0 and wry are not reachable)"
    );
    assert_eq!(gui_crates(&names), vec!["tauri-runtime"], "the rule should flag the reachable Tauri crate");
}

#[test]
fn core_crate_has_no_tauri_dependency() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let lock = std::fs::read_to_string(format!("{root}/Cargo.lock")).expect("the workspace Cargo.lock should exist");
    let packages = parse_lock(&lock);
    assert!(packages.len() > 50, "the lock file should parse into many packages, got {}", packages.len());
    let names = reachable(&packages, "custos-core");
    for expected in ["age", "rusqlite", "ed25519-dalek", "serde_json"] {
        assert!(names.contains(expected), "the walk should reach {expected} from custos-core (is the parser working?)");
    }
    let gui = gui_crates(&names);
    assert!(gui.is_empty(), "custos-core must not depend on Tauri or its web view, directly or not; it reaches {gui:?}");

    let manifest = std::fs::read_to_string(format!("{root}/crates/custos-core/Cargo.toml")).expect("core manifest");
    assert!(
        !manifest.to_lowercase().contains("tauri"),
        "crates/custos-core/Cargo.toml must not mention tauri (not even as an optional dependency)"
    );
}

/// Every `include_bytes!`/`include_str!` of the core and of the documents
/// crate names a file inside its crate, so they build on any system (no fonts
/// or files of the host).
#[test]
fn core_embeds_only_files_of_its_own_crate() {
    let crates = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut stack = vec![crates.join("custos-core/src"), crates.join("custos-documents/src")];
    let mut checked = 0;
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let text = std::fs::read_to_string(&p).unwrap();
                for (n, line) in text.lines().enumerate() {
                    for mac in ["include_bytes!(", "include_str!("] {
                        if let Some(at) = line.find(mac) {
                            checked += 1;
                            let arg = &line[at + mac.len()..];
                            assert!(
                                arg.starts_with("concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/") && !arg.contains(".."),
                                "{}:{}: embeds a file outside the crate: {line}",
                                p.display(),
                                n + 1
                            );
                        }
                    }
                }
            }
        }
    }
    assert!(checked >= 3, "control: the fonts' include_bytes! were found ({checked})");
}
