//! `custos text`: an exhibit's extracted text (logged as viewed).

use crate::args::Session;
use crate::failure::Failure;
use crate::shared::open_vault;
use clap::Args;
use std::io::Write;
use std::path::PathBuf;

#[derive(Args)]
pub struct TextArgs {
    /// The vault
    vault: PathBuf,
    /// Exhibit id as `list` prints it
    exhibit: String,
    #[command(flatten)]
    session: Session,
}

pub fn run(args: TextArgs) -> Result<u8, Failure> {
    let mut v = open_vault(&args.vault, &args.session)?;
    let text = v.text(&args.exhibit)?;
    v.close()?;
    match text {
        Some(t) => {
            let mut out = std::io::stdout().lock();
            // A closed pipe (e.g. `| head`) is not an error of the vault.
            let _ = out.write_all(t.as_bytes()).and_then(|_| if t.ends_with('\n') { Ok(()) } else { out.write_all(b"\n") });
            Ok(0)
        }
        None => {
            eprintln!("{} has no text: it has not been processed, or it holds none (run `custos process`; images and scans need --ocr)", args.exhibit);
            Ok(1)
        }
    }
}
