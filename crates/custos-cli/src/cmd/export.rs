//! `custos export`: a sealed production bundle for counsel.

use crate::args::{Session, parse_age_recipient, parse_dat_encoding, parse_delimiter};
use crate::failure::Failure;
use crate::output::{self, Format, print_stamps};
use crate::shared::{Confirm, open_vault, passphrase_from};
use crate::terminal::TerminalProgress;
use clap::Args;
use custos_core::export::{Corner, DatDelimiters, DatEncoding, Endorsements, ExportRequest, ImageProfile};
use std::path::PathBuf;

#[derive(Args)]
pub struct ExportArgs {
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
    /// Only the exhibits this query finds, with their families (see `custos search --help`); recorded with the production
    #[arg(long, conflicts_with = "saved_search")]
    search: Option<String>,
    /// Only the exhibits this saved search finds, with their families; recorded with the production
    #[arg(long, value_name = "NAME")]
    saved_search: Option<String>,
    /// A search-term list (one query per line): its report over the produced documents goes in the bundle
    #[arg(long, value_name = "FILE")]
    search_terms: Option<PathBuf>,
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
    #[arg(long = "recipient", value_name = "AGE1…", value_parser = parse_age_recipient)]
    recipients: Vec<custos_core::keys::Recipient>,
    /// Encrypt the bundle with age to a passphrase (read from CUSTOS_BUNDLE_PASSPHRASE or asked for)
    #[arg(long)]
    #[arg(conflicts_with = "recipients")]
    encrypt_with_passphrase: bool,
    /// Load-file encoding: utf-8 (with BOM) or windows-1252
    #[arg(long, default_value = "utf-8", value_parser = parse_dat_encoding)]
    dat_encoding: DatEncoding,
    /// Load-file field separator: one character, or U+XXXX (default U+0014)
    #[arg(long, value_name = "CHAR", value_parser = parse_delimiter)]
    dat_field: Option<char>,
    /// Load-file text qualifier (default þ)
    #[arg(long, value_name = "CHAR", value_parser = parse_delimiter)]
    dat_quote: Option<char>,
    /// Load-file newline-in-field replacement (default ®)
    #[arg(long, value_name = "CHAR", value_parser = parse_delimiter)]
    dat_newline: Option<char>,
    /// Producing organisation (firm) for the bag and the documents
    #[arg(long)]
    organization: Option<String>,
    /// Page images of every document besides its native, numbered by page: pdf (a searchable PDF per document) or tiff (Group IV TIFF per page, JPEG for photographs, 300 dpi)
    #[arg(long, value_name = "PROFILE", value_parser = parse_profile)]
    images: Option<ImageProfile>,
    /// A legend stamped on every page image, e.g. "CONFIDENTIAL" (a document designated with a confidentiality level gets that instead)
    #[arg(long, value_name = "TEXT", requires = "images")]
    endorse: Option<String>,
    /// The legend's corner: bottom-left, bottom-right, top-left or top-right
    #[arg(long, value_name = "CORNER", default_value = "bottom-left", value_parser = parse_corner, requires = "images")]
    endorse_corner: Corner,
    /// The Bates number's corner on page images
    #[arg(long, value_name = "CORNER", default_value = "bottom-right", value_parser = parse_corner, requires = "images")]
    bates_corner: Corner,
    /// Refuse the export unless it withholds documents and carries their privilege log
    #[arg(long)]
    privilege_log: bool,
    /// Print the result as JSON
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    session: Session,
}

pub fn run(args: ExportArgs) -> Result<u8, Failure> {
    let format = Format::json_if(args.json);
    let mut req = ExportRequest::new(args.out, args.bates_prefix);
    req.exhibits = args.exhibits;
    req.tag = args.tag;
    req.custodian = args.custodian;
    req.search = args.search;
    if let Some(path) = &args.search_terms {
        req.search_terms = Some(crate::shared::read_term_list(path)?);
    }
    // A saved search is read from the vault, opened first for it.
    let mut opened = None;
    if let Some(name) = &args.saved_search {
        let v = open_vault(&args.vault, &args.session)?;
        let saved = v.saved_search(name)?.ok_or_else(|| Failure::input(format!("no search is saved as {name} (see custos search --list-saved)")))?;
        req.search = Some(saved.query);
        req.search_name = Some(saved.name);
        opened = Some(v);
    }
    req.bates_start = args.bates_start;
    req.bates_width = args.bates_width;
    req.recipients = args.recipients;
    req.dat_encoding = args.dat_encoding;
    let concordance = DatDelimiters::default();
    req.dat_delimiters = DatDelimiters::new(
        args.dat_field.unwrap_or(concordance.field()),
        args.dat_quote.unwrap_or(concordance.quote()),
        args.dat_newline.unwrap_or(concordance.newline()),
    )?;
    req.organization = args.organization;
    req.images = args.images;
    req.endorse = args.endorse;
    req.endorsements = Endorsements { bates_corner: args.bates_corner, legend_corner: args.endorse_corner };
    req.require_privilege_log = args.privilege_log;
    req.source_date_epoch = match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(s) => Some(s.trim().parse().map_err(|_| Failure::input(format!("SOURCE_DATE_EPOCH '{s}' is not a number of seconds")))?),
        Err(_) => None,
    };
    // Checked before a passphrase is asked for: a bad request asks for nothing.
    let mut checked = req.check()?;
    checked.check_destination()?;
    if args.encrypt_with_passphrase {
        checked = checked.with_passphrase(passphrase_from("CUSTOS_BUNDLE_PASSPHRASE", "Passphrase for the bundle: ", Confirm::Twice)?)?;
    }
    let mut v = match opened {
        Some(v) => v,
        None => open_vault(&args.vault, &args.session)?,
    };
    let progress = TerminalProgress::new(false);
    progress.install_interrupt_handler();
    let report = v.export(&checked, &progress)?;
    progress.finish();
    v.close()?;
    print_stamps(&report.timestamps);
    output::print_export(&report, format);
    Ok(0)
}

fn parse_profile(s: &str) -> Result<ImageProfile, String> {
    ImageProfile::parse(s).ok_or_else(|| format!("{s:?} is not a page-image profile: pdf or tiff"))
}

fn parse_corner(s: &str) -> Result<Corner, String> {
    Corner::parse(s).ok_or_else(|| format!("{s:?} is not a corner: bottom-right, bottom-left, top-right or top-left"))
}
