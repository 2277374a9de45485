//! Build script of the desktop app: tauri's code generation (with the app's
//! own commands declared so capability files can grant exactly them) and the
//! demo matter's sample documents embedded in the binary.

use std::fmt::Write as _;
use std::path::Path;

/// Every command the web view may call. The capability file grants these
/// and nothing else; a test checks this list against the generated bindings.
const COMMANDS: &[&str] = &[
    "app_info",
    "keep_alive",
    "pick_paths",
    "typed_path",
    "create_vault",
    "open_vault",
    "open_demo",
    "firm_matters",
    "join_firm",
    "lock_vault",
    "forget_recent",
    "dashboard",
    "exhibit_window",
    "exhibit_ids",
    "exhibit_facets",
    "exhibit_detail",
    "edit_exhibit",
    "tag_exhibits",
    "preview_exhibit",
    "exhibit_family",
    "exhibit_text",
    "search_exhibits",
    "search_report",
    "timeline",
    "timeline_view",
    "save_privilege_log",
    "privilege_log",
    "designate_exhibit",
    "save_audit_mapping",
    "csv_columns",
    "audit_mappings",
    "save_timeline",
    "save_search_report",
    "delete_saved_search",
    "save_search",
    "saved_searches",
    "process_exhibits",
    "intake",
    "intake_suggestions",
    "cancel_job",
    "verify_vault",
    "custody_window",
    "save_text_file",
    "save_settings",
    "timestamp_settings",
    "save_timestamp_settings",
    "pick_destination",
    "counsel_keys",
    "add_counsel_key",
    "remove_counsel_key",
    "productions",
    "plan_export",
    "stamp_preview",
    "export_bundle",
    "verify_bundle",
    "import_bundle",
];

fn main() {
    embed_samples();
    let attrs = tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    tauri_build::try_build(attrs).expect("tauri build step");
}

fn embed_samples() {
    // Read when the script runs, not when it is compiled: a compiled build
    // script may be reused for a checkout at another path.
    let root = Path::new(&std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR")).join("samples/trade-secret");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    collect(&root, &root, &mut files);
    files.sort();
    let mut out = String::from("/// The demo matter's documents: (path under the sample folder, bytes).\npub static SAMPLES: &[(&str, &[u8])] = &[\n");
    for (rel, abs) in files {
        println!("cargo:rerun-if-changed={abs}");
        writeln!(out, "    ({rel:?}, include_bytes!({abs:?})),").unwrap();
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("samples.rs");
    std::fs::write(dest, out).unwrap();
}

fn collect(root: &Path, dir: &Path, files: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).expect("read samples/trade-secret") {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(root, &path, files);
        } else {
            let rel = path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
            files.push((rel, path.to_string_lossy().into_owned()));
        }
    }
}
