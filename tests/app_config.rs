//! The app's security configuration, read from the files themselves:
//! tauri.conf.json, the capability files and the manifest. A change that
//! loosens any of these rules fails here.

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The command names declared in build.rs (the app manifest).
fn declared_commands() -> BTreeSet<String> {
    let src = std::fs::read_to_string(root().join("src-tauri/build.rs")).unwrap();
    let list = src.split("const COMMANDS: &[&str] = &[").nth(1).unwrap().split("];").next().unwrap();
    list.split(',').map(|s| s.trim().trim_matches('"').to_string()).filter(|s| !s.is_empty()).collect()
}

#[test]
fn csp_is_strict() {
    let conf = json(&root().join("tauri.conf.json"));
    let sec = &conf["app"]["security"];
    let csp = sec["csp"].as_object().expect("CSP given as directives");
    let all: String = csp.values().map(|v| v.as_str().unwrap()).collect::<Vec<_>>().join(" ");
    assert!(!all.contains("unsafe-eval"), "no unsafe-eval: {all}");
    assert!(!all.contains('*'), "no wildcard sources: {all}");
    assert!(!all.contains("http://") || all.split_whitespace().filter(|s| s.starts_with("http")).all(|s| s.ends_with(".localhost")), "only local origins: {all}");
    assert_eq!(csp["default-src"], "'self'");
    assert_eq!(csp["script-src"], "'self'", "scripts only from the app");
    assert_eq!(csp["object-src"], "'none'");
    assert_eq!(csp["base-uri"], "'none'");
    assert_eq!(csp["frame-ancestors"], "'none'");
    assert_ne!(sec["dangerousDisableAssetCspModification"], Value::Bool(true));
    assert_eq!(sec["freezePrototype"], Value::Bool(true));
}

#[test]
fn no_asset_protocol_no_global_api_no_remote_pages() {
    let conf = json(&root().join("tauri.conf.json"));
    assert_eq!(conf["app"]["security"]["assetProtocol"]["enable"], Value::Bool(false), "asset protocol off");
    assert_eq!(conf["app"]["withGlobalTauri"], Value::Bool(false));
    assert!(conf["build"]["devUrl"].is_null(), "no dev server URL: the app only loads its bundled pages");
    assert!(conf["app"]["security"]["dangerousRemoteDomainIpcAccess"].is_null());
    assert_eq!(conf["app"]["security"]["capabilities"], serde_json::json!(["main"]));
    // Windows are made in code, where navigation and new windows are blocked.
    assert_eq!(conf["app"]["windows"], serde_json::json!([]));
    let lib = std::fs::read_to_string(root().join("src-tauri/lib.rs")).unwrap();
    assert!(lib.contains(".on_navigation(navigation_allowed)"));
    assert!(lib.contains("NewWindowResponse::Deny"));
}

#[test]
fn capabilities_grant_only_the_apps_commands() {
    let commands = declared_commands();
    assert!(commands.len() > 10, "{commands:?}");
    let mut files = 0;
    for entry in std::fs::read_dir(root().join("capabilities")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        files += 1;
        let cap = json(&path);
        assert_eq!(cap["windows"], serde_json::json!(["main"]), "{}: one window", path.display());
        assert!(cap["remote"].is_null(), "{}: no remote URLs", path.display());
        let perms: BTreeSet<String> =
            cap["permissions"].as_array().unwrap().iter().map(|p| p.as_str().expect("plain permission names").to_string()).collect();
        let allowed_core: BTreeSet<String> = ["core:event:allow-listen", "core:event:allow-unlisten"].map(String::from).into();
        let app: BTreeSet<String> = commands.iter().map(|c| format!("allow-{}", c.replace('_', "-"))).collect();
        for p in &perms {
            assert!(allowed_core.contains(p) || app.contains(p), "{}: permission {p} is not one of the app's own", path.display());
        }
        assert_eq!(perms.iter().filter(|p| p.starts_with("allow-")).count(), app.len(), "every app command granted once");
    }
    assert_eq!(files, 1, "one capability file for the one window");
}

#[test]
fn no_plugin_gives_javascript_the_file_system_shell_or_network() {
    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    for banned in ["tauri-plugin-fs", "tauri-plugin-shell", "tauri-plugin-http", "tauri-plugin-opener", "tauri-plugin-process", "tauri-plugin-updater"] {
        assert!(!manifest.contains(banned), "{banned} must not be a dependency");
    }
    let pkg = json(&root().join("ui/package.json"));
    for section in ["dependencies", "devDependencies"] {
        if let Some(deps) = pkg[section].as_object() {
            for name in deps.keys() {
                assert!(!name.starts_with("@tauri-apps/plugin-"), "the UI must not use tauri plugin {name}");
            }
        }
    }
}

#[test]
fn bindings_name_exactly_the_declared_commands() {
    let ts = std::fs::read_to_string(root().join("ui/src/lib/bindings.ts")).unwrap();
    // `__TAURI_INVOKE("name"` or `__TAURI_INVOKE<T>("name"`.
    let invoked: BTreeSet<String> = ts
        .split("__TAURI_INVOKE")
        .skip(1)
        .filter_map(|s| s.split_once("(\"").map(|(_, rest)| rest.split('"').next().unwrap().to_string()))
        .collect();
    assert_eq!(invoked, declared_commands(), "build.rs COMMANDS and the registered commands differ");
}

#[test]
fn bindings_are_current() {
    let dir = tempfile::tempdir().unwrap();
    let fresh = dir.path().join("bindings.ts");
    custos_app::export_bindings(&fresh).unwrap();
    let committed = std::fs::read_to_string(root().join("ui/src/lib/bindings.ts")).unwrap();
    assert!(
        std::fs::read_to_string(&fresh).unwrap() == committed,
        "ui/src/lib/bindings.ts is stale: run `cargo run --example custos-bindings`"
    );
}
