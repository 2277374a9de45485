//! Writes the TypeScript bindings of every command, argument, result and
//! event to `ui/src/lib/bindings.ts` (CI checks that the file is current).

fn main() {
    let out = std::env::args().nth(1).unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/ui/src/lib/bindings.ts").into());
    custos_app::export_bindings(std::path::Path::new(&out)).expect("write the TypeScript bindings");
    println!("wrote {out}");
}
