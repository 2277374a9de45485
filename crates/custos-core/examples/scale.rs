//! Matters of many exhibits: builds (or reuses) vaults of the sizes given
//! and times, through the core API the app calls, what a paralegal does all
//! day, with the size of what the app would send over IPC. `make bench`
//! runs it for 50,000 and 500,000 exhibits and prints the table.
//!
//! Usage: `scale DIR N [N…]` (vaults are kept in `DIR/vault-N` and reused).

use age::secrecy::SecretString;
use custos_core::export::ExportRequest;
use custos_core::{
    CreateOptions, CustodyQuery, Direction, ExhibitOrder, ExhibitQuery, IntakeInputs, IntakeOptions, NoProgress, SystemClock, Unlock, Vault,
};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

const PASSPHRASE: &str = "scale bench passphrase";
/// Runs per measurement; the median is reported.
const RUNS: usize = 5;
/// Rows in a first window, as the app asks for one.
const WINDOW: u32 = 200;
/// Exhibits tagged at once.
const TAGGED: usize = 5000;

/// What one call cost: median milliseconds and the bytes of its JSON.
struct Cost {
    ms: f64,
    bytes: usize,
}

fn time<T: serde::Serialize>(runs: usize, mut f: impl FnMut() -> custos_core::Result<T>) -> custos_core::Result<Cost> {
    let mut ms = Vec::with_capacity(runs);
    let mut bytes = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let out = f()?;
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
        bytes = serde_json::to_vec(&out).expect("serialise").len();
    }
    ms.sort_by(f64::total_cmp);
    Ok(Cost { ms: ms[ms.len() / 2], bytes })
}

/// A vault of `n` small exhibits in `dir`, made once and then reused.
fn vault_of(dir: &Path, n: usize) -> custos_core::Result<Vault> {
    let root = dir.join(format!("vault-{n}"));
    let pass = SecretString::from(PASSPHRASE.to_string());
    if root.join("custos-vault.json").exists() {
        return Vault::open(&root, &Unlock::Passphrase(pass), None, Arc::new(SystemClock));
    }
    let src = dir.join(format!("src-{n}"));
    let _ = std::fs::remove_dir_all(&src);
    for i in 0..n {
        let folder = src.join(format!("{:04}", i / 1000));
        if i % 1000 == 0 {
            std::fs::create_dir_all(&folder).expect("make a source folder");
        }
        let mut f = std::fs::File::create(folder.join(format!("exhibit-{i:07}.txt"))).expect("write a source file");
        writeln!(f, "Exhibit {i} of a matter of {n}: the document's text.").expect("write a source file");
    }
    let mut opts = CreateOptions::new("Scale v. Bench", "Pat Paralegal");
    opts.work_factor = 10;
    let mut v = Vault::create(&root, &opts, &pass, Arc::new(SystemClock))?;
    let t = Instant::now();
    let inputs = IntakeInputs::collect(std::slice::from_ref(&src))?;
    let report = v.add(&inputs, &IntakeOptions { custodian: Some("Erik Brandt".into()), ..IntakeOptions::default() }, &NoProgress)?;
    eprintln!("made a vault of {} exhibits in {:.0?}", report.stored(), t.elapsed());
    let _ = std::fs::remove_dir_all(&src);
    Ok(v)
}

fn row(name: &str, costs: &[Cost], target: &str) {
    let cells: Vec<String> = costs.iter().map(|c| format!("{:.1} ms ({} KiB)", c.ms, c.bytes.div_ceil(1024))).collect();
    println!("| {name} | {} | {target} |", cells.join(" | "));
}

fn main() -> custos_core::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (dir, sizes) = args.split_first().expect("usage: scale DIR N [N…]");
    let dir = PathBuf::from(dir);
    std::fs::create_dir_all(&dir).expect("make the bench folder");
    let sizes: Vec<usize> = sizes.iter().map(|s| s.parse().expect("a number of exhibits")).collect();

    let mut table: Vec<(&str, Vec<Cost>, &str)> = vec![
        ("unlock the vault (key file, integrity check, session start)", Vec::new(), "—"),
        ("open one exhibit with its history", Vec::new(), "≤ 50 ms"),
        ("dashboard figures", Vec::new(), "≤ 100 ms"),
        ("first window of the exhibit list (200 rows)", Vec::new(), "≤ 50 ms"),
        ("first window of the custody log (200, newest first)", Vec::new(), "≤ 50 ms"),
        ("filtered count (a word of the name)", Vec::new(), "≤ 50 ms"),
        ("a window 30 % down the list sorted by name, then by size descending", Vec::new(), "≤ 50 ms"),
        ("tagging 5,000 exhibits", Vec::new(), "≤ 3 s"),
        ("export planning for all exhibits", Vec::new(), "≤ 5 s"),
        ("verification's check of the kept tables against the catalog", Vec::new(), "—"),
    ];
    for &n in &sizes {
        // Made (or migrated) first, then unlocked as the app would.
        vault_of(&dir, n)?.close()?;
        let mut opened = None;
        table[0].1.push(time(1, || {
            opened = Some(vault_of(&dir, n)?);
            Ok(())
        })?);
        let mut v = opened.expect("opened");
        let middle = format!("EX-{:04}", n / 2);
        table[1].1.push(time(RUNS, || Ok((v.show(&middle)?, v.custody_log(Some(&middle))?)))?);
        table[2].1.push(time(RUNS, || v.dashboard())?);
        let first = ExhibitQuery { limit: WINDOW, ..ExhibitQuery::default() };
        table[3].1.push(time(RUNS, || v.exhibit_window(&first))?);
        let newest = CustodyQuery { direction: Direction::Descending, limit: WINDOW, ..CustodyQuery::default() };
        table[4].1.push(time(RUNS, || v.custody_window(&newest))?);
        let word = ExhibitQuery { text: format!("exhibit-{:07}", n / 3), limit: 1, ..ExhibitQuery::default() };
        table[5].1.push(time(RUNS, || v.exhibit_window(&word).map(|w| w.total))?);
        let deep = |order, direction| ExhibitQuery { order, direction, offset: (n * 3 / 10) as u32, limit: WINDOW, ..ExhibitQuery::default() };
        table[6].1.push(time(RUNS, || {
            Ok((v.exhibit_window(&deep(ExhibitOrder::Name, Direction::Ascending))?, v.exhibit_window(&deep(ExhibitOrder::Size, Direction::Descending))?))
        })?);
        let mut ids = Vec::with_capacity(TAGGED);
        while ids.len() < TAGGED.min(n) {
            let page = ExhibitQuery { offset: ids.len() as u32, limit: custos_core::MAX_WINDOW, ..ExhibitQuery::default() };
            ids.extend(v.exhibit_window(&page)?.rows.into_iter().map(|e| e.id));
        }
        ids.truncate(TAGGED);
        // A tag none of them has yet, also when the vault is reused.
        let tag = format!("reviewed-{}-{}", std::process::id(), n);
        table[7].1.push(time(1, || v.tag_exhibits(&ids, std::slice::from_ref(&tag), &[], &NoProgress))?);
        let all = ExportRequest::new(dir.join("never-written.zip"), "SCALE").check()?;
        table[8].1.push(time(1, || v.plan_export_showing(&all, 200).map(|p| p.exhibit_count))?);
        table[9].1.push(time(1, || v.derived_drift())?);
        v.close()?;
    }
    println!();
    println!("| call (core API, median of {RUNS}; one run for tagging and planning; IPC payload) | {} | target at 500,000 |", sizes.iter().map(|n| format!("{n} exhibits")).collect::<Vec<_>>().join(" | "));
    println!("|---|{}---|", "---:|".repeat(sizes.len()));
    for (name, costs, target) in &table {
        row(name, costs, target);
    }
    Ok(())
}
