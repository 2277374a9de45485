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
    let mut stack = vec![crates.join("custos-core/src"), crates.join("custos-documents/src"), crates.join("custos-extract/src")];
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

#[test]
fn documents_crate_depends_on_no_custos_crate() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let lock = std::fs::read_to_string(format!("{root}/Cargo.lock")).expect("the workspace Cargo.lock should exist");
    let names = reachable(&parse_lock(&lock), "custos-documents");
    assert!(names.contains("krilla"), "control: the walk reaches the PDF writer from custos-documents");
    let custos: Vec<&String> = names.iter().filter(|n| n.starts_with("custos") && n.as_str() != "custos-documents").collect();
    assert!(custos.is_empty(), "custos-documents must take a plain model and depend on no Custos crate; it reaches {custos:?}");
    assert!(gui_crates(&names).is_empty(), "custos-documents must not reach a GUI stack");
}

/// Every `.rs` file under `dir`, with its path relative to `dir` ('/' separated).
fn sources(dir: &std::path::Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
                out.push((rel, std::fs::read_to_string(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

fn core_sources() -> Vec<(String, String)> {
    sources(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../custos-core/src"))
}

/// The code of a file without its comments (`//` to the end of a line), so
/// a doc comment that mentions another floor is not an arrow.
fn code_only(text: &str) -> String {
    text.lines().map(|l| l.find("//").map_or(l, |at| &l[..at])).collect::<Vec<_>>().join("\n")
}

/// `code` with the text of its string literals blanked (a sentence that says
/// "Vault created" is not an arrow). A `'"'` character literal is not a
/// string's start.
fn without_strings(code: &str) -> String {
    let code = code.replace("'\"'", "' '");
    let mut out = String::with_capacity(code.len());
    let (mut inside, mut escaped) = (false, false);
    for c in code.chars() {
        if inside {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                inside = false;
                out.push(c);
                continue;
            }
            out.push(if c == '\n' { '\n' } else { ' ' });
        } else {
            inside = c == '"';
            out.push(c);
        }
    }
    out
}

/// Whether `code` contains `word` not as part of a longer identifier
/// (`Vault`, not `VaultConfig`).
fn names(code: &str, word: &str) -> bool {
    let ident = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    code.match_indices(word).any(|(at, _)| !ident(code[..at].chars().next_back()) && !ident(code[at + word.len()..].chars().next()))
}

/// The files of `floor` (a folder of the core's src/) that name any of `forbidden`.
fn arrows(files: &[(String, String)], floor: &str, forbidden: &[&str]) -> Vec<String> {
    files
        .iter()
        .filter(|(path, _)| path.starts_with(&format!("{floor}/")))
        .flat_map(|(path, text)| {
            let code = without_strings(&code_only(text));
            forbidden.iter().filter(move |f| names(&code, f)).map(move |f| format!("{path} names {f}")).collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn floors_depend_on_the_floors_below_them_only() {
    let files = core_sources();
    assert!(files.iter().filter(|(p, _)| p.starts_with("format/")).count() >= 8, "control: the format floor is found");
    let mut wrong = arrows(&files, "format", &["crate::store", "crate::bundle", "crate::ops", "Vault"]);
    wrong.extend(arrows(&files, "store", &["crate::bundle", "crate::ops"]));
    wrong.extend(arrows(&files, "bundle", &["crate::store", "crate::ops", "Vault"]));
    assert!(wrong.is_empty(), "arrows pointing the wrong way (DESIGN.md §0):\n{}", wrong.join("\n"));
    // The check itself finds an arrow when there is one.
    let planted = vec![("format/x.rs".to_string(), "use crate::store::Vault; // the open vault".to_string())];
    assert_eq!(arrows(&planted, "format", &["crate::store"]).len(), 1);
    assert!(arrows(&[("format/x.rs".into(), "// see crate::store".into())], "format", &["crate::store"]).is_empty());
    assert!(arrows(&[("format/x.rs".into(), "struct VaultConfig;".into())], "format", &["Vault"]).is_empty());
    assert!(arrows(&[("format/x.rs".into(), "let s = \"Vault created\"; let q = '\"';".into())], "format", &["Vault"]).is_empty());
    assert_eq!(arrows(&[("format/x.rs".into(), "let s = \"a \\\" b\"; fn f(v: &Vault) {}".into())], "format", &["Vault"]).len(), 1);
}

/// What writing SQL or calling the database looks like in the code.
const SQL: &[&str] = &[
    "SELECT ", "INSERT ", "UPDATE ", "DELETE FROM", "PRAGMA", "CREATE TABLE", "query_row(", "query_map(", ".prepare(", "prepare_cached(",
    ".execute(", "transaction()", "rusqlite::",
];

#[test]
fn only_the_store_writes_sql() {
    let files = core_sources();
    let store = files.iter().filter(|(p, _)| p.starts_with("store/")).filter(|(_, t)| SQL.iter().any(|s| code_only(t).contains(s))).count();
    assert!(store >= 5, "control: the store's SQL is found ({store} files)");
    // The core's own tests tamper with the database as an attacker would;
    // error.rs converts the database's error type into the vault's.
    let outside: Vec<String> = files
        .iter()
        .filter(|(p, _)| !p.starts_with("store/") && !p.starts_with("tests/") && p != "error.rs")
        .flat_map(|(p, t)| {
            let code = code_only(t);
            SQL.iter().filter(move |s| code.contains(*s)).map(move |s| format!("{p}: {s}")).collect::<Vec<_>>()
        })
        .collect();
    assert!(outside.is_empty(), "SQL outside store/ (DESIGN.md §0):\n{}", outside.join("\n"));
}

#[test]
fn extraction_crate_depends_on_no_custos_crate() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let lock = std::fs::read_to_string(format!("{root}/Cargo.lock")).expect("the workspace Cargo.lock should exist");
    let names = reachable(&parse_lock(&lock), "custos-extract");
    assert!(names.contains("mail-parser"), "control: the walk reaches the e-mail parser from custos-extract");
    let custos: Vec<&String> = names.iter().filter(|n| n.starts_with("custos") && n.as_str() != "custos-extract").collect();
    assert!(custos.is_empty(), "custos-extract reads bytes and knows no vault; it reaches {custos:?}");
    assert!(gui_crates(&names).is_empty(), "custos-extract must not reach a GUI stack");
}

/// Source files allowed over 600 lines, each with its reason.
const LONG_FILES: &[(&str, &str)] = &[(
    "custos-cli/tests/bundle.rs",
    "one suite over one exported fixture (made once per test process): the bag, seal, load file, names, tampering and custody \
     record checked with outside tools; split, each part would export the fixture again",
)];

#[test]
fn no_source_file_is_over_600_lines_without_a_reason() {
    let crates = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut long = Vec::new();
    let mut seen = 0;
    for krate in ["custos-core", "custos-documents", "custos-extract", "custos-cli"] {
        for folder in ["src", "tests"] {
            let dir = crates.join(krate).join(folder);
            if !dir.is_dir() {
                continue;
            }
            for (rel, text) in sources(&dir) {
                seen += 1;
                let path = format!("{krate}/{folder}/{rel}");
                let lines = text.lines().count();
                if lines > 600 && !LONG_FILES.iter().any(|(p, _)| *p == path) {
                    long.push(format!("{path}: {lines} lines"));
                }
            }
        }
    }
    assert!(seen > 50, "control: the sources are found ({seen})");
    assert!(long.is_empty(), "split these or list them with a reason in LONG_FILES:\n{}", long.join("\n"));
    for (path, _) in LONG_FILES {
        let lines = std::fs::read_to_string(crates.join(path)).map(|t| t.lines().count()).unwrap_or(0);
        assert!(lines > 600, "{path} is listed in LONG_FILES but has {lines} lines: take it off the list");
    }
}
