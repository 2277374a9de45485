//! A firm matter's list, as the app reads it: opens the copy at the path
//! given (its member's passphrase in CUSTOS_PASSPHRASE; the database password
//! in PGPASSWORD, the bucket's keys in AWS_*) and times, through the core
//! API, the opening (key file from the database, page check, catching up,
//! the log's place), the list's first window and the whole list. Prints
//! Markdown table rows; `bench/firm.sh` runs it on a matter of 50,000.
//!
//! Usage: `firm-list COPY`

use age::secrecy::SecretString;
use custos_core::{ExhibitQuery, SystemClock, Unlock, Vault};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

/// Runs per measurement; the median is reported.
const RUNS: usize = 5;

fn median(mut ms: Vec<f64>) -> f64 {
    ms.sort_by(f64::total_cmp);
    ms[ms.len() / 2]
}

fn main() -> custos_core::Result<()> {
    let root = PathBuf::from(std::env::args().nth(1).expect("usage: firm-list COPY"));
    let pass = std::env::var("CUSTOS_PASSPHRASE").expect("CUSTOS_PASSPHRASE");
    let open = || Vault::open(&root, &Unlock::Passphrase(SecretString::from(pass.clone())), None, Arc::new(SystemClock));
    let mut opens = Vec::new();
    for _ in 0..RUNS {
        let t = Instant::now();
        let v = open()?;
        opens.push(t.elapsed().as_secs_f64() * 1000.0);
        v.close()?;
    }
    let v = open()?;
    let first = ExhibitQuery { limit: 200, ..ExhibitQuery::default() };
    let (mut windows, mut lists) = (Vec::new(), Vec::new());
    let mut n = 0;
    for _ in 0..RUNS {
        let t = Instant::now();
        let w = v.exhibit_window(&first)?;
        windows.push(t.elapsed().as_secs_f64() * 1000.0);
        n = w.total;
        let t = Instant::now();
        let all = v.list()?;
        lists.push(t.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(all.len(), n as usize);
    }
    v.close()?;
    let (o, w, l) = (median(opens), median(windows), median(lists));
    let met = |ms: f64| if ms <= 300.0 { "met" } else { "NOT met" };
    println!("| opening the copy of the {n}-exhibit matter (key file from the database, page check, catching up, the log's place; median of {RUNS}) | | {o:.0} ms | | report | |");
    println!("| the list's first window (200 rows and the total), from the copy of the catalog | | {w:.1} ms | | <= 300 ms | {} |", met(w));
    println!("| the whole list ({n} exhibits), from the copy of the catalog | | {l:.0} ms | | <= 300 ms | {} |", met(l));
    Ok(())
}
