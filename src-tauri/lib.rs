//! The Custos desktop app: a thin tauri shell over `custos-core`.
//!
//! The web view reaches the vault only through the commands in
//! [`commands`]; their argument, result and event types live in [`wire`]
//! and are exported to TypeScript by [`export_bindings`]. Paths reach
//! commands only from native dialogs and drag and drop (held here, referred
//! to by token). Previews are served from memory by [`preview`]; long jobs
//! report to the web view through [`progress`].

pub mod commands;
mod demo;
pub mod preview;
pub mod progress;
pub mod state;
pub mod wire;

use state::{AppState, Use};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tauri::{Manager, RunEvent, WebviewUrl, WebviewWindowBuilder, WindowEvent};
use tauri_specta::Event;
use wire::{DropEvent, LockReason, LockedEvent};

/// The commands, events and constants the web view knows, for tauri and for TypeScript.
pub fn specta_builder() -> tauri_specta::Builder<tauri::Wry> {
    use commands::*;
    tauri_specta::Builder::<tauri::Wry>::new()
        .commands(tauri_specta::collect_commands![
            app_info,
            keep_alive,
            pick_paths,
            typed_path,
            create_vault,
            open_vault,
            open_demo,
            firm_matters,
            join_firm,
            lock_vault,
            forget_recent,
            dashboard,
            exhibit_window,
            exhibit_ids,
            exhibit_facets,
            exhibit_detail,
            edit_exhibit,
            tag_exhibits,
            preview_exhibit,
            exhibit_family,
            exhibit_text,
            search_exhibits,
            search_report,
            timeline,
            timeline_view,
            save_privilege_log,
            privilege_log,
            designate_exhibit,
            save_audit_mapping,
            csv_columns,
            audit_mappings,
            save_timeline,
            save_search_report,
            delete_saved_search,
            save_search,
            saved_searches,
            process_exhibits,
            intake,
            intake_suggestions,
            cancel_job,
            verify_vault,
            custody_window,
            save_text_file,
            save_settings,
            timestamp_settings,
            save_timestamp_settings,
            pick_destination,
            counsel_keys,
            add_counsel_key,
            remove_counsel_key,
            productions,
            plan_export,
            stamp_preview,
            export_bundle,
            verify_bundle,
            import_bundle,
        ])
        .events(tauri_specta::collect_events![DropEvent, LockedEvent])
        // The passphrase rule's length, so the forms can say it before asking the core.
        .constant("MIN_PASSPHRASE_CHARS", custos_core::keys::MIN_PASSPHRASE_CHARS)
        .dangerously_cast_bigints_to_number()
        .disable_serde_phases()
}

/// Writes the TypeScript bindings to `path`.
pub fn export_bindings(path: &Path) -> Result<(), String> {
    let ts = specta_typescript::Typescript::default().header("// Generated from the Rust types by `cargo run --example custos-bindings`. Do not edit.\n");
    specta_builder().export(ts, path).map_err(|e| e.to_string())
}

/// Whether the idle lock is due.
pub fn idle_lock_due(idle_secs: u64, idle_minutes: u32, job_running: bool) -> bool {
    idle_minutes > 0 && !job_running && idle_secs >= u64::from(idle_minutes) * 60
}

/// Whether the main web view may navigate to `url`: only the app's own pages.
pub fn navigation_allowed(url: &tauri::Url) -> bool {
    match url.scheme() {
        "tauri" => url.host_str() == Some("localhost"),
        "http" | "https" => url.host_str() == Some("tauri.localhost"),
        _ => false,
    }
}

/// Starts the app.
pub fn run() {
    let builder = specta_builder();
    let app = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .invoke_handler(builder.invoke_handler())
        .register_uri_scheme_protocol("custos-preview", |ctx, request| {
            preview::respond(&ctx.app_handle().state::<AppState>(), &request)
        })
        .setup(move |app| {
            builder.mount_events(app);
            let config_dir = match std::env::var_os("CUSTOS_CONFIG_DIR") {
                Some(d) => PathBuf::from(d),
                None => app.path().app_config_dir()?,
            };
            let demo_dir = match std::env::var_os("CUSTOS_DEMO_DIR") {
                Some(d) => PathBuf::from(d),
                None => app.path().app_cache_dir()?.join("demo-vault"),
            };
            let typed_paths = std::env::var("CUSTOS_ALLOW_TYPED_PATHS").as_deref() == Ok("1");
            let app_state = AppState::new(config_dir, demo_dir, typed_paths);
            // `custos-app <vault folder>` puts that vault first on the start screen.
            if let Some(arg) = std::env::args_os().nth(1).map(PathBuf::from) {
                match custos_core::probe(&arg) {
                    Ok(config) => app_state.remember(&config.vault_id, &std::path::absolute(&arg)?)?,
                    Err(e) => eprintln!("custos-app: {e}"),
                }
            }
            app.manage(app_state);
            WebviewWindowBuilder::new(app, "main", WebviewUrl::App("index.html".into()))
                .title("Custos")
                .inner_size(1280.0, 820.0)
                .min_inner_size(960.0, 600.0)
                .on_navigation(navigation_allowed)
                .on_new_window(|_, _| tauri::webview::NewWindowResponse::Deny)
                .build()?;
            let handle = app.handle().clone();
            std::thread::spawn(move || idle_watch(handle));
            Ok(())
        })
        .on_window_event(|window, event| {
            if let WindowEvent::DragDrop(tauri::DragDropEvent::Drop { paths, .. }) = event {
                if paths.is_empty() {
                    return;
                }
                let app_state = window.state::<AppState>();
                app_state.touch();
                let selection = app_state.hold(Use::Intake, paths.clone());
                let _ = DropEvent { selection }.emit(window.app_handle());
            }
        })
        .build(tauri::generate_context!())
        .expect("the Custos window could not be created");
    app.run(|handle, event| {
        if let RunEvent::Exit = event {
            // Closing the vault writes its pending session events and wipes keys.
            let _ = handle.state::<AppState>().lock_session();
        }
    });
}

fn idle_watch(app: tauri::AppHandle) {
    loop {
        std::thread::sleep(Duration::from_secs(5));
        let app_state = app.state::<AppState>();
        let minutes = app_state.settings().idle_lock_minutes;
        if app_state.summary().is_some() && idle_lock_due(app_state.idle_secs(), minutes, app_state.job_running()) && let Ok(true) = app_state.lock_session() {
            let _ = LockedEvent { reason: LockReason::Idle }.emit(&app);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idle_lock() {
        assert!(!idle_lock_due(10_000, 0, false), "0 turns the idle lock off");
        assert!(!idle_lock_due(899, 15, false));
        assert!(idle_lock_due(900, 15, false));
        assert!(!idle_lock_due(900, 15, true), "a running job is not interrupted");
    }

    #[test]
    fn navigation() {
        let ok = |u: &str| navigation_allowed(&u.parse().unwrap());
        assert!(ok("tauri://localhost/index.html"));
        assert!(ok("http://tauri.localhost/"));
        assert!(!ok("https://example.com/"));
        assert!(!ok("http://tauri.localhost.evil.com/"));
        assert!(!ok("file:///etc/passwd"));
        assert!(!ok("custos-preview://localhost/x/y"));
    }
}
