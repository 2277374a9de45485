//! `custos`: the command line of the Custos evidence vault.

#![forbid(unsafe_code)]

/// Prints a line on standard output. A closed pipe (`custos log | head`) is
/// not an error: the command still finishes its work and exit status.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

mod terminal;

use clap::{Args, Parser, Subcommand};
use custos_core::age::secrecy::{ExposeSecret, SecretString};
use custos_core::export::{KeyAcceptance, PinnedKeys, ProducerKey, SealKeyFingerprint, SealKeyPinning, SealKeyTrust};
use custos_core::{
    CreateOptions, Error, IntakeOptions, SystemClock, Unlock, Vault, VerifyMode, keys,
};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use terminal::{TerminalProgress, printable};

const EXIT_CODES: &str = "\
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
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args)]
struct Session {
    /// Examiner performing this session's actions (default: the vault's examiner)
    #[arg(long, global = true, env = "CUSTOS_EXAMINER")]
    examiner: Option<String>,
    /// Unlock with the recovery identity in this file (AGE-SECRET-KEY-1…) instead of the passphrase
    #[arg(long, global = true, value_name = "FILE")]
    recovery_identity: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Create a new vault for a matter
    #[command(after_help = EXIT_CODES)]
    Init {
        /// Folder for the new vault (must not exist, or be empty)
        vault: PathBuf,
        /// Matter name, e.g. "Acme Corp. v. Doe"
        #[arg(long)]
        matter: String,
        /// Matter or docket number
        #[arg(long)]
        matter_number: Option<String>,
        /// Examiner creating the vault (the default actor for later sessions)
        #[arg(long)]
        examiner: String,
        /// Also make the vault keys recoverable with this age X25519 public key (age1…)
        #[arg(long, value_name = "AGE1…")]
        recovery_recipient: Option<String>,
        /// scrypt work factor, log2 N (10..=22; default 18)
        #[arg(long, default_value_t = keys::DEFAULT_WORK_FACTOR)]
        work_factor: u8,
        /// Exhibit number prefix
        #[arg(long, default_value = "EX-")]
        exhibit_prefix: String,
    },
    /// Take files and folders in as exhibits
    #[command(after_help = EXIT_CODES)]
    Add {
        /// The vault
        vault: PathBuf,
        /// Files or folders (folders are taken in recursively)
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Whose evidence it is
        #[arg(long)]
        custodian: Option<String>,
        /// Device or account it came from
        #[arg(long)]
        source: Option<String>,
        /// How it was collected
        #[arg(long)]
        method: Option<String>,
        /// Why it was collected (purpose or authority)
        #[arg(long)]
        purpose: Option<String>,
        /// Description for each new exhibit
        #[arg(long)]
        description: Option<String>,
        /// Tag for each new exhibit (repeatable)
        #[arg(long = "tag")]
        tags: Vec<String>,
        /// Also compute SHA-1
        #[arg(long)]
        sha1: bool,
        /// Skip decrypting each stored copy to compare it before acknowledging
        #[arg(long)]
        no_verify_after_copy: bool,
        /// Print the result as JSON
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        session: Session,
    },
    /// List exhibits
    #[command(after_help = EXIT_CODES)]
    List {
        /// The vault
        vault: PathBuf,
        /// Print JSON
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        session: Session,
    },
    /// Show one exhibit with all its sources
    #[command(after_help = EXIT_CODES)]
    Show {
        /// The vault
        vault: PathBuf,
        /// Exhibit id as `list` prints it
        exhibit: String,
        /// Print JSON
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        session: Session,
    },
    /// Write an exhibit's original bytes to a file (logged)
    #[command(after_help = EXIT_CODES)]
    Extract {
        /// The vault
        vault: PathBuf,
        /// Exhibit id
        exhibit: String,
        /// Destination file (must not exist)
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        session: Session,
    },
    /// Change an exhibit's description or tags (logged)
    #[command(after_help = EXIT_CODES)]
    Edit {
        /// The vault
        vault: PathBuf,
        /// Exhibit id
        exhibit: String,
        /// New description
        #[arg(long)]
        description: Option<String>,
        /// Tag to add (repeatable)
        #[arg(long)]
        add_tag: Vec<String>,
        /// Tag to remove (repeatable)
        #[arg(long)]
        remove_tag: Vec<String>,
        #[command(flatten)]
        session: Session,
    },
    /// Verify every exhibit and the custody log (full by default)
    #[command(after_help = EXIT_CODES)]
    Verify {
        /// The vault
        vault: PathBuf,
        /// Only check stored objects by their names, the database and the log (no decryption)
        #[arg(long)]
        quick: bool,
        /// Print JSON
        #[arg(long)]
        json: bool,
        /// Also check that the log still holds the history signed in this
        /// checkpoint (as printed earlier by `custos checkpoint`; repeatable)
        #[arg(long = "checkpoint", value_name = "FILE")]
        checkpoints: Vec<PathBuf>,
        /// Also trust the TSA CA certificate(s) in this PEM file for the time-stamp tokens (repeatable)
        #[arg(long = "tsa-ca", value_name = "FILE")]
        tsa_ca: Vec<PathBuf>,
        #[command(flatten)]
        session: Session,
    },
    /// Have RFC 3161 time-stamp authorities countersign the latest checkpoint, or keep their settings
    #[command(after_help = EXIT_CODES)]
    Timestamp {
        /// The vault
        vault: PathBuf,
        /// Ask this authority (http:// or https://; repeatable; default: those kept with --set-tsa)
        #[arg(long = "tsa", value_name = "URL")]
        tsa: Vec<String>,
        /// Keep these authorities in the vault, replacing the list (repeatable; logged; does not stamp)
        #[arg(long = "set-tsa", value_name = "URL")]
        set_tsa: Vec<String>,
        /// Forget the authorities kept in the vault (logged; does not stamp)
        #[arg(long, conflicts_with = "set_tsa")]
        clear_tsa: bool,
        /// Stamp automatically after every intake and export: on or off (logged; does not stamp)
        #[arg(long, value_name = "on|off")]
        auto: Option<String>,
        /// Trust the TSA CA certificate(s) in this PEM file when verifying tokens (repeatable; logged; does not stamp)
        #[arg(long = "trust-ca", value_name = "FILE")]
        trust_ca: Vec<PathBuf>,
        /// Print the settings and the stored tokens instead of stamping
        #[arg(long)]
        list: bool,
        /// Print JSON
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        session: Session,
    },
    /// Print the latest signed checkpoint of the custody log, to keep outside the vault
    #[command(after_help = EXIT_CODES)]
    Checkpoint {
        /// The vault
        vault: PathBuf,
        #[command(flatten)]
        session: Session,
    },
    /// Export a sealed, court-ready production bundle for counsel
    #[command(after_help = EXIT_CODES)]
    Export {
        /// The vault
        vault: PathBuf,
        /// The bundle file to write (must not exist)
        #[arg(long)]
        out: PathBuf,
        /// Exhibit ids, comma-separated (default: all, or those the filters select)
        #[arg(long, value_delimiter = ',')]
        exhibits: Vec<String>,
        /// Only exhibits with this tag
        #[arg(long)]
        tag: Option<String>,
        /// Only exhibits of this custodian
        #[arg(long)]
        custodian: Option<String>,
        /// Bates prefix
        #[arg(long, default_value = "PROD")]
        bates_prefix: String,
        /// First Bates number (default: after the last one produced under the prefix)
        #[arg(long)]
        bates_start: Option<u64>,
        /// Digits in the Bates number
        #[arg(long, default_value_t = 6)]
        bates_width: usize,
        /// Encrypt the bundle with age to this recipient (age1…; repeatable)
        #[arg(long = "recipient", value_name = "AGE1…")]
        recipients: Vec<String>,
        /// Encrypt the bundle with age to a passphrase (read from CUSTOS_BUNDLE_PASSPHRASE or asked for)
        #[arg(long)]
        encrypt_with_passphrase: bool,
        /// Load-file encoding: utf-8 (with BOM) or windows-1252
        #[arg(long, default_value = "utf-8")]
        dat_encoding: String,
        /// Load-file field separator: one character, or U+XXXX (default U+0014)
        #[arg(long, value_name = "CHAR")]
        dat_field: Option<String>,
        /// Load-file text qualifier (default þ)
        #[arg(long, value_name = "CHAR")]
        dat_quote: Option<String>,
        /// Load-file newline-in-field replacement (default ®)
        #[arg(long, value_name = "CHAR")]
        dat_newline: Option<String>,
        /// Producing organisation (firm) for the bag and the documents
        #[arg(long)]
        organization: Option<String>,
        /// Print the result as JSON
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        session: Session,
    },
    /// Verify a bundle (zip, age-encrypted zip, or extracted folder) without its vault
    #[command(name = "verify-bundle", after_help = EXIT_CODES)]
    VerifyBundle {
        /// The bundle
        bundle: PathBuf,
        /// age identity file for an encrypted bundle (AGE-SECRET-KEY-1…)
        #[arg(long, value_name = "KEYFILE")]
        identity: Option<PathBuf>,
        /// The seal key the producing party gave you: a fingerprint (SHA256:…) or an
        /// allowed_signers file (any key it lists is accepted); another key is an error
        #[arg(long, value_name = "FINGERPRINT|FILE", value_parser = parse_expect_key)]
        expect_key: Option<PinnedKeys>,
        /// Check the bundle's time-stamp tokens against the TSA CA certificate(s) in this PEM file (repeatable)
        #[arg(long = "tsa-ca", value_name = "FILE")]
        tsa_ca: Vec<PathBuf>,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Import a sealed bundle into a vault: verify it, take each native in, continue the chain
    #[command(name = "import-bundle", after_help = EXIT_CODES)]
    ImportBundle {
        /// The receiving vault
        vault: PathBuf,
        /// The bundle (zip, age-encrypted zip, or extracted folder)
        bundle: PathBuf,
        /// age identity file for an encrypted bundle (AGE-SECRET-KEY-1…)
        #[arg(long, value_name = "KEYFILE")]
        identity: Option<PathBuf>,
        /// The seal key the producing party gave you: a fingerprint (SHA256:…) or an
        /// allowed_signers file (any key it lists is accepted); another key is refused
        #[arg(long, value_name = "FINGERPRINT|FILE", value_parser = parse_expect_key)]
        expect_key: Option<PinnedKeys>,
        /// Accept this new seal key (its exact fingerprint) for a producer vault whose
        /// earlier productions came under another key; logged with --reason
        #[arg(long, value_name = "FINGERPRINT", value_parser = parse_fingerprint, requires = "reason")]
        accept_new_key: Option<SealKeyFingerprint>,
        /// Why the new seal key is accepted (who confirmed it, and how)
        #[arg(long, requires = "accept_new_key")]
        reason: Option<String>,
        /// Print JSON
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        session: Session,
    },
    /// Print the custody log
    #[command(after_help = EXIT_CODES)]
    Log {
        /// The vault
        vault: PathBuf,
        /// Only this exhibit's events
        #[arg(long)]
        exhibit: Option<String>,
        /// Print JSON
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        session: Session,
    },
    /// Change the passphrase (rewrites only the key file)
    #[command(after_help = EXIT_CODES)]
    Passwd {
        /// The vault
        vault: PathBuf,
        /// scrypt work factor for the new key file (default: keep the current one)
        #[arg(long)]
        work_factor: Option<u8>,
        #[command(flatten)]
        session: Session,
    },
}

/// Exit status with the error that caused it.
struct Failure(u8, String);

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        let code = match e {
            Error::WrongPassphrase | Error::VaultBusy(_) => 3,
            _ => 2,
        };
        Failure(code, e.to_string())
    }
}

/// `--expect-key`: a `SHA256:…` fingerprint, or else the path of an
/// allowed_signers file; parsed here once, so a malformed value is a usage error.
fn parse_expect_key(value: &str) -> Result<PinnedKeys, String> {
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

fn parse_fingerprint(value: &str) -> Result<SealKeyFingerprint, String> {
    value.parse().map_err(|e: Error| e.to_string())
}

/// The line that says what the seal key is worth.
fn seal_key_line(fingerprint: Option<&str>, pinning: SealKeyPinning) -> String {
    let Some(fp) = fingerprint else { return "no readable seal key".into() };
    match pinning {
        SealKeyPinning::NotPinned => format!("sealed by key {fp} — not pinned: compare it with the fingerprint the producing party gave you"),
        SealKeyPinning::MatchesPinned => format!("sealed by key {fp} — matches the pinned key"),
        SealKeyPinning::DiffersFromPinned => format!("sealed by key {fp} — does NOT match the pinned key"),
    }
}

fn passphrase_from(var: &str, prompt: &str, confirm: bool) -> Result<SecretString, Failure> {
    if let Ok(p) = std::env::var(var) {
        return Ok(SecretString::from(p));
    }
    if !terminal::stdin_is_terminal() {
        return Err(Failure(2, format!("no passphrase: set {var} or run on a terminal")));
    }
    let p = rpassword::prompt_password(prompt).map_err(|e| Failure(2, format!("cannot read the passphrase: {e}")))?;
    if confirm {
        let again = rpassword::prompt_password("Repeat it: ").map_err(|e| Failure(2, format!("cannot read the passphrase: {e}")))?;
        if again != p {
            return Err(Failure(2, "the two passphrases differ".into()));
        }
    }
    Ok(SecretString::from(p))
}

fn open(vault: &Path, session: &Session) -> Result<Vault, Failure> {
    // Refuse what is not a vault before asking for anything.
    custos_core::probe(vault)?;
    let unlock = match &session.recovery_identity {
        Some(f) => Unlock::Recovery(keys::read_identity_file(f)?),
        None => Unlock::Passphrase(passphrase_from("CUSTOS_PASSPHRASE", "Vault passphrase: ", false)?),
    };
    Ok(Vault::open(vault, &unlock, session.examiner.as_deref(), Arc::new(SystemClock))?)
}

/// A checkpoint as kept outside the vault.
#[derive(serde::Serialize, serde::Deserialize)]
struct KeptCheckpoint {
    format: String,
    vault_id: String,
    signing_key: String,
    #[serde(flatten)]
    checkpoint: custos_core::Checkpoint,
}

fn read_checkpoint(f: &Path) -> Result<KeptCheckpoint, Failure> {
    let text = std::fs::read_to_string(f).map_err(|e| Failure(2, format!("cannot read {}: {e}", f.display())))?;
    let k: KeptCheckpoint = serde_json::from_str(&text)
        .map_err(|e| Failure(2, format!("{} is not a checkpoint printed by `custos checkpoint`: {e}", f.display())))?;
    if k.format != "custos-checkpoint-v1" {
        return Err(Failure(2, format!("{} has unknown checkpoint format '{}'", f.display(), k.format)));
    }
    Ok(k)
}

/// One character, given as itself or as U+XXXX.
fn parse_char(s: &str) -> Result<char, Failure> {
    let bad = || Failure(2, format!("'{s}' is not one character or U+XXXX"));
    if let Some(hex) = s.strip_prefix("U+").or_else(|| s.strip_prefix("u+")) {
        return u32::from_str_radix(hex, 16).ok().and_then(char::from_u32).ok_or_else(bad);
    }
    let mut it = s.chars();
    match (it.next(), it.next()) {
        (Some(c), None) => Ok(c),
        _ => Err(bad()),
    }
}

fn read_identity(file: Option<&Path>) -> Result<Option<custos_core::age::x25519::Identity>, Failure> {
    match file {
        Some(f) => Ok(Some(keys::read_identity_file(f)?)),
        None => Ok(None),
    }
}

fn severity_label(s: custos_core::Severity) -> &'static str {
    match s {
        custos_core::Severity::Error => "ERROR",
        custos_core::Severity::Warning => "WARNING",
    }
}

/// Reads TSA CA certificate files (PEM) before the vault is opened, so a bad
/// file is refused with nothing changed.
fn read_tsa_cas(files: &[PathBuf]) -> Result<Vec<String>, Failure> {
    files
        .iter()
        .map(|f| {
            let bytes = std::fs::read(f).map_err(|e| Failure(2, format!("cannot read {}: {e}", f.display())))?;
            custos_core::timestamp::parse_pem_certificates(&bytes)
                .map_err(|e| Failure(2, format!("{} is refused as a TSA CA certificate: {e}", f.display())))?;
            String::from_utf8(bytes).map_err(|_| Failure(2, format!("{} is not PEM text", f.display())))
        })
        .collect()
}

/// Reports what stamping did: a stamp on standard error, a failure as a
/// warning there (it never undoes the intake or export it followed).
fn print_stamps(outcomes: &[custos_core::StampOutcome]) {
    for o in outcomes {
        match o {
            custos_core::StampOutcome::Stamped { tsa_url, tree_size, gen_time } => {
                eprintln!("Timestamped checkpoint {tree_size} by {} at {gen_time}", printable(tsa_url))
            }
            custos_core::StampOutcome::Failed { tsa_url, error } => {
                eprintln!("warning: no timestamp from {}: {}", if tsa_url.is_empty() { "the settings" } else { tsa_url.as_str() }, printable(error))
            }
        }
    }
}

fn print_json(v: &impl serde::Serialize) {
    out!("{}", serde_json::to_string_pretty(v).expect("serialisable"));
}

fn run(cli: Cli) -> Result<u8, Failure> {
    match cli.command {
        Command::Init { vault, matter, matter_number, examiner, recovery_recipient, work_factor, exhibit_prefix } => {
            let opts = CreateOptions { matter, matter_number, examiner, recovery_recipient, work_factor, exhibit_prefix };
            // Check the arguments before asking for a passphrase.
            if let Some(r) = &opts.recovery_recipient {
                keys::parse_recipient(r)?;
            }
            let pass = passphrase_from("CUSTOS_PASSPHRASE", "New vault passphrase: ", true)?;
            if pass.expose_secret().is_empty() {
                return Err(Failure(2, "the passphrase must not be empty".into()));
            }
            let v = Vault::create(&vault, &opts, &pass, Arc::new(SystemClock))?;
            out!("Created vault {} for matter \"{}\" (vault id {})", vault.display(), v.matter().matter, v.config().vault_id);
            out!("Custody signing key (Ed25519): {}", v.config().signing_key);
            Ok(0)
        }
        Command::Add {
            vault,
            paths,
            custodian,
            source,
            method,
            purpose,
            description,
            tags,
            sha1,
            no_verify_after_copy,
            json,
            session,
        } => {
            // Bad input is refused before the vault is unlocked, so it changes nothing.
            for p in &paths {
                if std::fs::symlink_metadata(p).is_err() {
                    return Err(Failure(2, format!("{} does not exist or cannot be read; nothing was taken in", p.display())));
                }
            }
            let mut v = open(&vault, &session)?;
            let opts = IntakeOptions {
                custodian,
                source,
                method,
                purpose,
                description,
                tags,
                verify_after_copy: !no_verify_after_copy,
                sha1,
            };
            let progress = TerminalProgress::new(!json);
            progress.install_interrupt_handler();
            let report = v.add(&paths, &opts, &progress)?;
            progress.finish();
            // What was acknowledged is reported before anything else can fail.
            print_stamps(&report.timestamps);
            if json {
                print_json(&report);
            } else {
                eprintln!(
                    "{} stored, {} duplicate{}, {} failed{}",
                    report.stored(),
                    report.duplicates(),
                    if report.duplicates() == 1 { "" } else { "s" },
                    report.failed(),
                    if report.cancelled { " (cancelled: files not listed were not taken in)" } else { "" }
                );
            }
            if let Some(why) = &report.stopped {
                eprintln!("error: the intake stopped after the files listed: {why}; the files listed as stored are in the vault");
            }
            // An intake that took nothing in leaves the vault as it was (no unlock event either).
            if report.stored() + report.duplicates() > 0
                && let Err(e) = v.close()
            {
                eprintln!("warning: the session could not be closed cleanly ({e}); the files listed as stored are in the vault");
            }
            Ok(if report.failed() > 0 || report.cancelled || report.stopped.is_some() { 2 } else { 0 })
        }
        Command::List { vault, json, session } => {
            let v = open(&vault, &session)?;
            let list = v.list()?;
            v.close()?;
            if json {
                print_json(&list);
            } else {
                out!("{:<10} {:>12}  {:<16}  {:<20}  NAME", "ID", "SIZE", "SHA-256", "CUSTODIAN");
                for e in &list {
                    out!(
                        "{:<10} {:>12}  {:<16}  {:<20}  {}",
                        e.id,
                        e.size,
                        &e.sha256[..16],
                        printable(e.custodian.as_deref().unwrap_or("-")),
                        printable(&e.name)
                    );
                }
                eprintln!("{} exhibit{}", list.len(), if list.len() == 1 { "" } else { "s" });
            }
            Ok(0)
        }
        Command::Show { vault, exhibit, json, session } => {
            let v = open(&vault, &session)?;
            let d = v.show(&exhibit)?;
            v.close()?;
            if json {
                print_json(&d);
            } else {
                let e = &d.exhibit;
                out!("Exhibit      {}", e.id);
                out!("Name         {}", printable(&e.name));
                out!("Path         {}", printable(&e.path));
                out!("Size         {} bytes", e.size);
                out!("Type         {}", e.mime);
                out!("SHA-256      {}", e.sha256);
                out!("MD5          {}", e.md5);
                if let Some(s) = &e.sha1 {
                    out!("SHA-1        {s}");
                }
                out!("Collected    {} by {}", e.collected_at, printable(&e.collected_by));
                out!("Description  {}", printable(&e.description));
                out!("Tags         {}", printable(&e.tags.join(", ")));
                out!("Object       {}", d.object);
                for (i, s) in d.sources.iter().enumerate() {
                    out!("Source {}:", i + 1);
                    out!("  path        {}", printable(&s.path));
                    out!("  custodian   {}", printable(s.custodian.as_deref().unwrap_or("-")));
                    out!("  source      {}", printable(s.source.as_deref().unwrap_or("-")));
                    out!("  method      {}", printable(s.method.as_deref().unwrap_or("-")));
                    out!("  purpose     {}", printable(s.purpose.as_deref().unwrap_or("-")));
                    out!("  modified    {}", s.modified.as_deref().unwrap_or("-"));
                    out!("  created     {}", s.created.as_deref().unwrap_or("-"));
                    out!("  accessed    {}", s.accessed.as_deref().unwrap_or("-"));
                    out!("  collected   {} by {}", s.collected_at, printable(&s.collected_by));
                }
                for r in &d.received {
                    out!("Received as {} on {}:", r.bates, r.received_at);
                    out!("  from        {} ({})", printable(&r.sender_identity), r.sender_fingerprint);
                    out!("  bundle      SHA-256 {}", r.bundle_sha256);
                    out!("  producer's  exhibit {}, {} signed custody event(s) kept", printable(&r.sender_exhibit_id), r.sender_events);
                }
            }
            Ok(0)
        }
        Command::Extract { vault, exhibit, out, session } => {
            if out.exists() {
                return Err(Failure(2, format!("{} already exists; choose another destination", out.display())));
            }
            let mut v = open(&vault, &session)?;
            let progress = TerminalProgress::new(true);
            let sha = v.extract(&exhibit, &out, &progress)?;
            progress.finish();
            v.close()?;
            eprintln!("Wrote {} ({exhibit}), SHA-256 {sha} (matches intake)", out.display());
            Ok(0)
        }
        Command::Edit { vault, exhibit, description, add_tag, remove_tag, session } => {
            let mut v = open(&vault, &session)?;
            v.edit(&exhibit, description.as_deref(), &add_tag, &remove_tag)?;
            v.close()?;
            Ok(0)
        }
        Command::Verify { vault, quick, json, checkpoints, tsa_ca, session } => {
            let kept = checkpoints.iter().map(|f| read_checkpoint(f)).collect::<Result<Vec<_>, _>>()?;
            let tsa_cas = read_tsa_cas(&tsa_ca)?;
            let mut v = open(&vault, &session)?;
            for (file, k) in checkpoints.iter().zip(&kept) {
                if k.vault_id != v.config().vault_id {
                    return Err(Failure(2, format!("{} is a checkpoint of vault {}, not of this vault", file.display(), k.vault_id)));
                }
            }
            let mode = if quick { VerifyMode::Quick } else { VerifyMode::Full };
            let progress = TerminalProgress::new(!json);
            progress.install_interrupt_handler();
            let anchors = custos_core::Anchors { kept: kept.into_iter().map(|k| k.checkpoint).collect(), tsa_cas };
            let report = v.verify_anchored(mode, &anchors, &progress)?;
            progress.finish();
            v.close()?;
            if json {
                print_json(&report);
            } else {
                let what = if quick { "Quick" } else { "Full" };
                if report.findings.is_empty() {
                    out!(
                        "OK: {what} verification of {} exhibits and {} custody events found no problems.",
                        report.exhibits, report.events
                    );
                } else {
                    for f in &report.findings {
                        let sev = severity_label(f.severity);
                        let at = f.exhibit.clone().or(f.event.map(|e| format!("event {e}"))).unwrap_or_else(|| "vault".into());
                        out!("{sev} [{}] {at}: {}", f.kind, printable(&f.message));
                        out!("    what to do: {}", f.action);
                    }
                    out!(
                        "{}: {what} verification of {} exhibits and {} custody events: {} finding(s).",
                        if report.ok { "OK with warnings" } else { "FAILED" },
                        report.exhibits,
                        report.events,
                        report.findings.len()
                    );
                }
            }
            Ok(if report.ok { 0 } else { 1 })
        }
        Command::Export {
            vault,
            out,
            exhibits,
            tag,
            custodian,
            bates_prefix,
            bates_start,
            bates_width,
            recipients,
            encrypt_with_passphrase,
            dat_encoding,
            dat_field,
            dat_quote,
            dat_newline,
            organization,
            json,
            session,
        } => {
            if out.exists() {
                return Err(Failure(2, format!("{} already exists; choose another destination", out.display())));
            }
            let mut req = custos_core::export::ExportRequest::new(out, bates_prefix);
            req.exhibits = exhibits;
            req.tag = tag;
            req.custodian = custodian;
            req.bates_start = bates_start;
            req.bates_width = bates_width;
            for r in &recipients {
                keys::parse_recipient(r)?;
            }
            req.recipients = recipients;
            req.dat_encoding = dat_encoding.parse()?;
            if let Some(c) = dat_field.as_deref() {
                req.dat_delimiters.field = parse_char(c)?;
            }
            if let Some(c) = dat_quote.as_deref() {
                req.dat_delimiters.quote = parse_char(c)?;
            }
            if let Some(c) = dat_newline.as_deref() {
                req.dat_delimiters.newline = parse_char(c)?;
            }
            req.dat_delimiters.validate(req.dat_encoding)?;
            if encrypt_with_passphrase {
                if !req.recipients.is_empty() {
                    return Err(Failure(2, "age encrypts a file to recipients or to a passphrase, not both; choose one".into()));
                }
                req.passphrase = Some(passphrase_from("CUSTOS_BUNDLE_PASSPHRASE", "Passphrase for the bundle: ", true)?);
            }
            req.organization = organization;
            req.source_date_epoch = match std::env::var("SOURCE_DATE_EPOCH") {
                Ok(s) => Some(s.trim().parse().map_err(|_| Failure(2, format!("SOURCE_DATE_EPOCH '{s}' is not a number of seconds")))?),
                Err(_) => None,
            };
            let mut v = open(&vault, &session)?;
            let progress = TerminalProgress::new(false);
            progress.install_interrupt_handler();
            let report = v.export(&req, &progress)?;
            progress.finish();
            v.close()?;
            print_stamps(&report.timestamps);
            if json {
                print_json(&report);
            } else {
                out!("Wrote {} ({} exhibits, Bates {}-{}{})", report.out.display(), report.exhibits, report.bates_first, report.bates_last,
                    if report.encrypted { ", encrypted with age" } else { "" });
                out!("Bundle SHA-256: {}", report.bundle_sha256);
                out!("Sealed by {} ({})", report.signer_identity, report.signer_fingerprint);
                for q in &report.qc {
                    out!("QC: {q}");
                }
                out!("Verify with: custos verify-bundle {}   (or see README.txt inside for standard tools)", report.out.display());
            }
            Ok(0)
        }
        Command::ImportBundle { vault, bundle, identity, expect_key, accept_new_key, reason, json, session } => {
            let id = read_identity(identity.as_deref())?;
            let accept_new = match (accept_new_key, reason) {
                (Some(key), Some(reason)) => Some(KeyAcceptance::new(key, &reason)?),
                _ => None,
            };
            let trust = SealKeyTrust { expect: expect_key, accept_new };
            let pass = std::env::var("CUSTOS_BUNDLE_PASSPHRASE").ok().map(SecretString::from);
            if !bundle.exists() {
                return Err(Failure(2, format!("{} does not exist", bundle.display())));
            }
            // The import verifies the whole bundle before it writes anything, and
            // the session's unlock is only logged once something is imported.
            let mut v = open(&vault, &session)?;
            let progress = TerminalProgress::new(!json);
            progress.install_interrupt_handler();
            let report = v.import_bundle(&bundle, id.as_ref(), pass.as_ref(), &trust, &progress)?;
            progress.finish();
            v.close()?;
            if json {
                print_json(&report);
            } else {
                eprintln!(
                    "Imported {} exhibit(s) from {} sealed by {} ({}); bundle SHA-256 {}",
                    report.exhibits.len(),
                    bundle.display(),
                    report.sender_identity,
                    report.sender_fingerprint,
                    report.bundle_sha256
                );
                let fp = &report.sender_fingerprint;
                eprintln!("{}", match report.producer_key {
                    ProducerKey::PinnedNow if trust.expect.is_some() => format!("sealed by key {fp} — matches the pinned key; now pinned for this producer vault"),
                    ProducerKey::PinnedNow => format!(
                        "sealed by key {fp} — first production from this producer vault, its key is now pinned; \
                         not pinned before: compare it with the fingerprint the producing party gave you"
                    ),
                    ProducerKey::MatchesPinned => format!("sealed by key {fp} — matches the key pinned for this producer vault"),
                    ProducerKey::Accepted => format!("sealed by key {fp} — accepted as this producer vault's new key (logged)"),
                });
            }
            Ok(0)
        }
        Command::VerifyBundle { bundle, identity, expect_key, tsa_ca, json } => {
            let id = read_identity(identity.as_deref())?;
            let pems = read_tsa_cas(&tsa_ca)?;
            let trust = custos_core::timestamp::TsaTrust::from_pems(pems.iter().map(String::as_str))
                .map_err(|e| Failure(2, format!("a TSA CA certificate cannot be used: {e}")))?;
            let pass = std::env::var("CUSTOS_BUNDLE_PASSPHRASE").ok().map(SecretString::from);
            let mut b = custos_core::export::Bundle::open(&bundle, id.as_ref(), pass.as_ref())?;
            let (report, _) = custos_core::export::verify_bundle_trusting(&mut b, expect_key.as_ref(), &custos_core::NoProgress, trust.as_ref())?;
            if json {
                print_json(&report);
            } else {
                for f in &report.findings {
                    let at = f.exhibit.clone().unwrap_or_else(|| "bundle".into());
                    out!("{} [{}] {at}: {}", severity_label(f.severity), f.kind, printable(&f.message));
                }
                // A bundle names its own seal key, so "OK" alone would vouch
                // for whoever sealed it; only a pinned key says who that was.
                let status = match (report.ok, report.seal_key_pinning) {
                    (false, _) => "FAILED",
                    (true, SealKeyPinning::MatchesPinned) => "OK",
                    (true, _) => "OK, seal key not pinned",
                };
                out!(
                    "{status}: bundle {} — {} exhibits, {} custody events, signer identity {}",
                    printable(&report.bag),
                    report.exhibits,
                    report.events,
                    printable(report.signer_identity.as_deref().unwrap_or("?")),
                );
                out!("{}", seal_key_line(report.signer_fingerprint.as_deref(), report.seal_key_pinning));
            }
            Ok(if report.ok { 0 } else { 1 })
        }
        Command::Timestamp { vault, tsa, set_tsa, clear_tsa, auto, trust_ca, list, json, session } => {
            // Everything is parsed before the vault is opened: bad input changes nothing.
            let tsa = tsa.iter().map(|u| custos_core::TsaUrl::parse(u)).collect::<Result<Vec<_>, _>>()?;
            let set_tsa = set_tsa.iter().map(|u| custos_core::TsaUrl::parse(u)).collect::<Result<Vec<_>, _>>()?;
            let auto = match auto.as_deref() {
                None => None,
                Some("on") => Some(custos_core::AutoTimestamp::AfterIntakeAndExport),
                Some("off") => Some(custos_core::AutoTimestamp::Off),
                Some(other) => return Err(Failure(2, format!("--auto takes on or off, not '{other}'"))),
            };
            let cas = read_tsa_cas(&trust_ca)?;
            let settings_only = !set_tsa.is_empty() || clear_tsa || auto.is_some() || !cas.is_empty();
            if settings_only && !tsa.is_empty() {
                return Err(Failure(2, "change the settings (--set-tsa, --clear-tsa, --auto, --trust-ca) or stamp (--tsa), not both at once".into()));
            }
            let mut v = open(&vault, &session)?;
            if list {
                let settings = v.timestamp_settings()?;
                let stored = v.timestamps()?;
                v.close()?;
                if json {
                    print_json(&serde_json::json!({ "settings": settings, "timestamps": stored }));
                } else {
                    out!("Authorities: {}", if settings.tsa_urls.is_empty() { "none kept".to_string() } else { settings.tsa_urls.iter().map(|u| u.to_string()).collect::<Vec<_>>().join(", ") });
                    out!("Automatic:   {}", if settings.automatic == custos_core::AutoTimestamp::Off { "off" } else { "after every intake and export" });
                    for c in &settings.trusted_cas {
                        out!("Trusted CA:  {} (SHA-256 {})", printable(&c.subject), c.sha256);
                    }
                    for t in &stored {
                        out!("{:>6}  {}  {}  token {}", t.tree_size, t.gen_time, printable(&t.tsa_url), &t.token_sha256[..16]);
                    }
                }
                return Ok(0);
            }
            if settings_only {
                if !set_tsa.is_empty() || clear_tsa {
                    v.set_tsa_urls(&set_tsa)?;
                }
                if let Some(a) = auto {
                    v.set_auto_timestamp(a)?;
                }
                for pem in &cas {
                    for c in v.trust_tsa_ca(pem.as_bytes())? {
                        eprintln!("Trusted TSA CA {} (SHA-256 {})", printable(&c.subject), c.sha256);
                    }
                }
                v.close()?;
                return Ok(0);
            }
            let outcomes = v.timestamp(&tsa)?;
            let stamped = outcomes.iter().any(|o| matches!(o, custos_core::StampOutcome::Stamped { .. }));
            // With no token the command failed: the unlock is not logged and
            // the vault stays as it was.
            if stamped {
                v.close()?;
            }
            if json {
                print_json(&outcomes);
            } else {
                print_stamps(&outcomes);
            }
            Ok(if stamped { 0 } else { 2 })
        }
        Command::Checkpoint { vault, session } => {
            let mut v = open(&vault, &session)?;
            // The unlock is logged first, so the checkpoint printed covers it.
            v.flush()?;
            let cp = v.latest_checkpoint()?.ok_or_else(|| Failure(2, "the custody log has no checkpoint yet".into()))?;
            print_json(&KeptCheckpoint {
                format: "custos-checkpoint-v1".into(),
                vault_id: v.config().vault_id.clone(),
                signing_key: v.config().signing_key.clone(),
                checkpoint: cp,
            });
            Ok(0)
        }
        Command::Log { vault, exhibit, json, session } => {
            let v = open(&vault, &session)?;
            let events = v.custody_log(exhibit.as_deref())?;
            v.close()?;
            if json {
                print_json(&events);
            } else {
                for e in &events {
                    out!(
                        "{:>6}  {}  {:<26} {:<10} {}",
                        e.seq,
                        e.time,
                        e.action.as_str(),
                        e.exhibit.as_deref().unwrap_or("-"),
                        printable(&e.actor)
                    );
                }
            }
            Ok(0)
        }
        Command::Passwd { vault, work_factor, session } => {
            let mut v = open(&vault, &session)?;
            let new = passphrase_from("CUSTOS_NEW_PASSPHRASE", "New passphrase: ", true)?;
            v.change_passphrase(&new, work_factor)?;
            v.close()?;
            eprintln!("Passphrase changed.");
            Ok(0)
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(Failure(code, msg)) => {
            eprintln!("custos: {msg}");
            ExitCode::from(code)
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn cli_definition_is_consistent() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}
