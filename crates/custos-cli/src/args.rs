//! The command line: the subcommands, the options every vault command
//! shares, and the parsers that turn option values into typed values once,
//! so a malformed value is a usage error before anything is opened.

use crate::cmd::add::AddArgs;
use crate::cmd::import_bundle::ImportBundleArgs;
use crate::cmd::checkpoint::CheckpointArgs;
use crate::cmd::edit::EditArgs;
use crate::cmd::export::ExportArgs;
use crate::cmd::extract::ExtractArgs;
use crate::cmd::init::InitArgs;
use crate::cmd::list::ListArgs;
use crate::cmd::log::LogArgs;
use crate::cmd::migrate::MigrateArgs;
use crate::cmd::passwd::PasswdArgs;
use crate::cmd::search::SearchArgs;
use crate::cmd::search_report::SearchReportArgs;
use crate::cmd::timeline::TimelineArgs;
use crate::cmd::audit_mapping::AuditMappingArgs;
use crate::cmd::designate::DesignateArgs;
use crate::cmd::privilege_log::PrivilegeLogArgs;
use crate::cmd::process::ProcessArgs;
use crate::cmd::text::TextArgs;
use crate::cmd::show::ShowArgs;
use crate::cmd::timestamp::TimestampArgs;
use crate::cmd::verify::VerifyArgs;
use crate::cmd::verify_bundle::VerifyBundleArgs;
use clap::{Args, Parser, Subcommand};
use custos_core::export::{DatEncoding, PinnedKeys, SealKeyFingerprint};
use custos_core::{AutoTimestamp, Error, TsaUrl, keys};
use std::path::{Path, PathBuf};

pub const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  verification found problems
  2  usage error, bad input, or an error that stopped the command (nothing half-done is left)
  3  wrong passphrase, or the vault is locked by another Custos process

Passphrases are read from CUSTOS_PASSPHRASE (and CUSTOS_NEW_PASSPHRASE for passwd),
otherwise asked for on the terminal; never from an argument.";

/// Custos: an encrypted evidence vault with a tamper-evident chain of custody.
#[derive(Parser)]
#[command(name = "custos", version, about, after_help = EXIT_CODES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args)]
pub struct Session {
    /// Examiner performing this session's actions (default: the vault's examiner)
    #[arg(long, global = true, env = "CUSTOS_EXAMINER")]
    pub examiner: Option<String>,
    /// Unlock with the recovery identity in this file (AGE-SECRET-KEY-1…) instead of the passphrase
    #[arg(long, global = true, value_name = "FILE")]
    pub recovery_identity: Option<PathBuf>,
}

#[derive(Subcommand)]
pub enum Command {
    /// Create a new vault for a matter
    #[command(after_help = EXIT_CODES)]
    Init(InitArgs),
    /// Take files and folders in as exhibits
    #[command(after_help = EXIT_CODES)]
    Add(AddArgs),
    /// List exhibits
    #[command(after_help = EXIT_CODES)]
    List(ListArgs),
    /// Show one exhibit with all its sources
    #[command(after_help = EXIT_CODES)]
    Show(ShowArgs),
    /// Print an exhibit's extracted text (logged as viewed)
    #[command(after_help = EXIT_CODES)]
    Text(TextArgs),
    /// Search the exhibits' text and metadata, best match first
    #[command(after_help = crate::cmd::search::QUERY_HELP)]
    Search(SearchArgs),
    /// Count what each term of a list finds (with families, and unique hits), reproducibly
    #[command(after_help = EXIT_CODES)]
    SearchReport(SearchReportArgs),
    /// The case timeline: events read from audit-log exports, joined to exhibits
    #[command(after_help = EXIT_CODES)]
    Timeline(TimelineArgs),
    /// Save a column mapping for audit-log CSV exports in no known format (or list them)
    AuditMapping(AuditMappingArgs),
    /// Designate exhibits for productions: privilege, withheld, privilege log description, confidentiality (logged)
    #[command(after_help = EXIT_CODES)]
    Designate(DesignateArgs),
    /// The privilege log of the withheld exhibits, as CSV or PDF
    #[command(after_help = EXIT_CODES)]
    PrivilegeLog(PrivilegeLogArgs),
    /// Understand exhibits: expand e-mail and archive containers into exhibits, read metadata and text, OCR (logged)
    #[command(after_help = EXIT_CODES)]
    Process(ProcessArgs),
    /// Write an exhibit's original bytes to a file (logged)
    #[command(after_help = EXIT_CODES)]
    Extract(ExtractArgs),
    /// Change an exhibit's description or tags (logged)
    #[command(after_help = EXIT_CODES)]
    Edit(EditArgs),
    /// Verify every exhibit and the custody log (full by default)
    #[command(after_help = EXIT_CODES)]
    Verify(VerifyArgs),
    /// Have RFC 3161 time-stamp authorities countersign the latest checkpoint, or keep their settings
    #[command(after_help = EXIT_CODES)]
    Timestamp(TimestampArgs),
    /// Print the latest signed checkpoint of the custody log, to keep outside the vault
    #[command(after_help = EXIT_CODES)]
    Checkpoint(CheckpointArgs),
    /// Export a sealed, court-ready production bundle for counsel
    #[command(after_help = EXIT_CODES)]
    Export(ExportArgs),
    /// Verify a bundle (zip, age-encrypted zip, or extracted folder) without its vault
    #[command(name = "verify-bundle", after_help = EXIT_CODES)]
    VerifyBundle(VerifyBundleArgs),
    /// Import a sealed bundle into a vault: verify it, take each native in, continue the chain
    #[command(name = "import-bundle", after_help = EXIT_CODES)]
    ImportBundle(ImportBundleArgs),
    /// Print the custody log
    #[command(after_help = EXIT_CODES)]
    Log(LogArgs),
    /// Change the passphrase (rewrites only the key file)
    #[command(after_help = EXIT_CODES)]
    Passwd(PasswdArgs),
    /// Move the vault into a firm's storage: its objects into an S3 bucket with
    /// Object Lock (write-once), its catalog and custody log into PostgreSQL (logged)
    #[command(after_help = EXIT_CODES)]
    Migrate(MigrateArgs),
    /// Make a copy of a firm matter on this machine, opened with your own key
    #[command(after_help = EXIT_CODES)]
    Join(crate::cmd::firm::JoinArgs),
    /// The people who hold keys to a firm vault: list, add, remove (logged)
    #[command(after_help = EXIT_CODES)]
    Member(crate::cmd::firm::MemberArgs),
    /// List the matters a firm database holds
    #[command(after_help = EXIT_CODES)]
    Matters(crate::cmd::firm::MattersArgs),
}

/// `--expect-key`: a `SHA256:…` fingerprint, or else the path of an
/// allowed_signers file.
pub fn parse_expect_key(value: &str) -> Result<PinnedKeys, String> {
    const MAX_FILE: u64 = 64 * 1024;
    if value.trim_start().starts_with("SHA256:") {
        return parse_fingerprint(value).map(PinnedKeys::one);
    }
    let path = Path::new(value);
    let size = std::fs::metadata(path)
        .map_err(|e| format!("{value} is neither a SHA256:… fingerprint nor a readable allowed_signers file ({e})"))?
        .len();
    if size > MAX_FILE {
        return Err(format!("{value} is too large to be an allowed_signers file"));
    }
    let text = std::fs::read(path).map_err(|e| format!("cannot read {value}: {e}"))?;
    let text = String::from_utf8(text).map_err(|_| format!("{value} is not a text file, so not an allowed_signers file"))?;
    PinnedKeys::from_allowed_signers(&text).map_err(|e| format!("{value}: {e}"))
}

/// A seal key fingerprint, `SHA256:…`.
pub fn parse_fingerprint(value: &str) -> Result<SealKeyFingerprint, String> {
    value.parse().map_err(|e: Error| e.to_string())
}

/// One character, given as itself or as U+XXXX (a load-file delimiter).
pub fn parse_delimiter(s: &str) -> Result<char, String> {
    let bad = || format!("'{s}' is not one character or U+XXXX");
    if let Some(hex) = s.strip_prefix("U+").or_else(|| s.strip_prefix("u+")) {
        return u32::from_str_radix(hex, 16).ok().and_then(char::from_u32).ok_or_else(bad);
    }
    let mut it = s.chars();
    match (it.next(), it.next()) {
        (Some(c), None) => Ok(c),
        _ => Err(bad()),
    }
}

/// A load-file encoding: utf-8 or windows-1252.
pub fn parse_dat_encoding(s: &str) -> Result<DatEncoding, String> {
    s.parse().map_err(|e: Error| e.to_string())
}

/// The address of a time-stamp authority (http:// or https://).
pub fn parse_tsa_url(s: &str) -> Result<TsaUrl, String> {
    TsaUrl::parse(s).map_err(|e| e.to_string())
}

/// `--auto`: on or off.
pub fn parse_auto(s: &str) -> Result<AutoTimestamp, String> {
    match s {
        "on" => Ok(AutoTimestamp::AfterIntakeAndExport),
        "off" => Ok(AutoTimestamp::Off),
        other => Err(format!("--auto takes on or off, not '{other}'")),
    }
}

/// Parses an `age1…` recipient (once, here; the vault takes it parsed).
pub fn parse_age_recipient(s: &str) -> Result<keys::Recipient, String> {
    s.parse().map_err(|e: custos_core::Error| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    #[test]
    fn a_delimiter_is_one_character_or_a_code_point() {
        assert_eq!(parse_delimiter("|"), Ok('|'));
        assert_eq!(parse_delimiter("U+0014"), Ok('\u{14}'));
        assert_eq!(parse_delimiter("u+00fe"), Ok('þ'));
        for bad in ["", "ab", "U+", "U+110000", "U+D800"] {
            assert!(parse_delimiter(bad).unwrap_err().contains("is not one character or U+XXXX"), "{bad:?}");
        }
    }

    #[test]
    fn auto_is_on_or_off() {
        assert_eq!(parse_auto("on"), Ok(AutoTimestamp::AfterIntakeAndExport));
        assert_eq!(parse_auto("off"), Ok(AutoTimestamp::Off));
        assert_eq!(parse_auto("sometimes"), Err("--auto takes on or off, not 'sometimes'".to_string()));
    }
}
