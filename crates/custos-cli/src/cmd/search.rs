//! `custos search`: the exhibits a query finds in the full-text index, best
//! first (not a custody event: nothing is read out of an exhibit).

use crate::args::Session;
use crate::failure::Failure;
use crate::shared::open_vault;
use clap::Args;
use std::path::PathBuf;

pub const QUERY_HELP: &str = "\
Query language:
  drawings                 a word, anywhere (name, text, sender, recipients, subject, custodian, tags, type)
  \"trade secret\"           a phrase: the words next to each other, in order
  a b  /  a AND b          both;  a OR b: either;  NOT a, a NOT b: without;  ( ) to group (AND before OR)
  draw*                    any word beginning with draw (a wildcard only ends a word)
  falcon w/5 price         within 5 words of each other, in either order
  falcon pre/5 price       falcon first, then price, with at most 5 words between them
  from: to: subject: custodian: tag: type: name: text:     a word, prefix or phrase in that field only
                           (to: also Cc and Bcc; type: the MIME type or kind, e.g. type:pdf)
  sent: received: created: modified: taken: collected:    a day or a range of days:
                           sent:2025-05-01  sent:2025-05-01..2025-05-31  sent:..2025-05-31
Letters are matched without regard to case or accents. What cannot be searched exactly (a leading
or inner wildcard, an unbalanced quote or parenthesis, an unknown field) is refused, exit 2.

Exit codes:
  0  something was found
  1  nothing was found
  2  usage error, a query refused (the reason is printed), or an error that stopped the command
  3  wrong passphrase, or the vault is locked by another Custos process";

#[derive(Args)]
pub struct SearchArgs {
    /// The vault
    vault: PathBuf,
    /// The query (quote it for the shell)
    #[arg(required_unless_present_any = ["rebuild_index", "saved", "list_saved", "delete_saved"], conflicts_with = "saved")]
    query: Option<String>,
    /// Run the search saved under this name
    #[arg(long, value_name = "NAME")]
    saved: Option<String>,
    /// Save the query under this name (to run again, or to choose a production by: custos export --saved-search)
    #[arg(long, value_name = "NAME", requires = "query")]
    save: Option<String>,
    /// List the saved searches
    #[arg(long)]
    list_saved: bool,
    /// Delete the search saved under this name
    #[arg(long, value_name = "NAME")]
    delete_saved: Option<String>,
    /// Build the index anew from what the vault holds (first, when a query is given too)
    #[arg(long)]
    rebuild_index: bool,
    /// Print JSON: an array of {"id", "score", "snippet"}, best first
    #[arg(long)]
    json: bool,
    /// At most this many exhibits
    #[arg(long, default_value_t = 100)]
    limit: u32,
    #[command(flatten)]
    session: Session,
}

pub fn run(args: SearchArgs) -> Result<u8, Failure> {
    let mut v = open_vault(&args.vault, &args.session)?;
    if args.rebuild_index {
        let n = v.rebuild_search_index()?;
        eprintln!("the search index was built anew: {n} exhibits");
    }
    if let Some(name) = &args.delete_saved {
        v.delete_saved_search(name)?;
        eprintln!("the saved search {name} was deleted");
    }
    if let Some(name) = &args.save {
        let s = v.save_search(name, args.query.as_deref().unwrap_or_default())?;
        eprintln!("saved as {}: {}", s.name, s.query);
    }
    if args.list_saved {
        let all = v.saved_searches()?;
        v.close()?;
        if args.json {
            crate::output::print_json(&all);
        } else {
            for s in &all {
                println!("{}\t{}\t(saved {} by {})", s.name, s.query, s.saved_at, s.saved_by);
            }
        }
        return Ok(0);
    }
    let query = match (&args.saved, args.query) {
        (Some(name), _) => v.saved_search(name)?.ok_or_else(|| Failure::input(format!("no search is saved as {name} (see --list-saved)")))?.query,
        (None, Some(q)) => q,
        (None, None) => {
            v.close()?;
            return Ok(0);
        }
    };
    let hits = v.search(&query, args.limit)?;
    v.close()?;
    if args.json {
        crate::output::print_json(&hits);
    } else {
        for h in &hits {
            println!("{}\t{:.3}\t{}", h.id, h.score, h.snippet.split_whitespace().collect::<Vec<_>>().join(" "));
        }
        if hits.is_empty() {
            eprintln!("no exhibit matches {query}");
        }
    }
    Ok(if hits.is_empty() { 1 } else { 0 })
}
