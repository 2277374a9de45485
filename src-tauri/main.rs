// The Custos desktop app. Everything lives in the library so the binary
// stays a one-liner.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    custos_app::run();
}
