//! Full-text search at scale: builds (or reuses) a vault of generated text
//! documents, times processing (which reads their text and fills the index)
//! and a rebuild of the index alone, then runs representative queries
//! through the core API the app calls and prints each one's median time and
//! the 95th percentile of all, snippets included. `bench/search.sh` runs it
//! and times `grep -ril` and `rg -il` over the same plaintext.
//!
//! Usage: `search DIR N` (the vault is kept in `DIR/vault-N` and reused; the
//! documents are in `DIR/docs-N`).

use age::secrecy::SecretString;
use custos_core::{CreateOptions, IntakeInputs, IntakeOptions, NoProgress, ProcessOptions, SystemClock, Unlock, Vault};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

const PASSPHRASE: &str = "search bench passphrase";
/// Runs of each query.
const RUNS: usize = 7;
/// Hits asked for, as the app's search screen asks.
const LIMIT: u32 = 100;

/// The queries timed: `(query, a word grep and rg can look for too)`.
const QUERIES: [(&str, Option<&str>); 20] = [
    ("falcon", Some("falcon")),
    ("confidential", Some("confidential")),
    ("zirconium", Some("zirconium")),
    ("\"price list\"", Some("price list")),
    ("falcon AND supplier", None),
    ("falcon OR zirconium", None),
    ("supplier NOT falcon", None),
    ("(falcon OR osprey) AND margin", None),
    ("draw*", None),
    ("conf*", None),
    ("falcon w/5 price", None),
    ("\"trade secret\" w/10 competitor", None),
    ("name:exhibit-0004*", None),
    ("type:text", None),
    ("custodian:brandt", None),
    ("collected:2020-01-01..2099-12-31 falcon", None),
    ("NOT falcon", None),
    ("osprey", Some("osprey")),
    ("tolerance", Some("tolerance")),
    ("meeting schedule", None),
];

/// Ordered proximity, timed apart from the 20: it reads the positions of
/// every occurrence of its words, so a common word costs more.
const ORDERED: [&str; 3] = ["falcon pre/5 price", "supplier pre/3 meeting", "\"trade secret\" pre/10 competitor"];

/// Words of the generated documents: common ones, and a long tail.
const COMMON: &[&str] = &[
    "the", "of", "and", "to", "in", "for", "on", "with", "as", "by", "supplier", "meeting", "schedule", "design", "review", "customer", "margin",
    "forecast", "drawing", "drawings", "contract", "invoice", "shipment", "price", "list", "quote", "project", "engineer", "prototype",
];
const RARE: &[&str] =
    &["falcon", "osprey", "confidential", "trade", "secret", "competitor", "tolerance", "zirconium", "launch", "pricing", "revenue", "merger"];

/// A small deterministic generator (xorshift).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// About 3 KB of text: common words, a made-up long tail, and now and then
/// a rarer word (each less often than the one before).
fn document(rng: &mut Rng) -> String {
    let mut out = String::with_capacity(3200);
    for i in 0..450 {
        let w = match rng.below(100) {
            0..=69 => COMMON[rng.below(COMMON.len())].to_string(),
            70..=97 => format!("w{}", rng.below(50_000)),
            _ => {
                let k = rng.below(RARE.len());
                if rng.below(k + 1) == 0 { RARE[k].to_string() } else { COMMON[rng.below(COMMON.len())].to_string() }
            }
        };
        out.push_str(&w);
        out.push(if i % 15 == 14 { '\n' } else { ' ' });
    }
    out
}

fn docs_of(dir: &Path, n: usize) -> PathBuf {
    let docs = dir.join(format!("docs-{n}"));
    let made = dir.join(format!(".docs-{n}-made"));
    if made.exists() {
        return docs;
    }
    let _ = std::fs::remove_dir_all(&docs);
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    for i in 0..n {
        let folder = docs.join(format!("{:03}", i / 1000));
        if i % 1000 == 0 {
            std::fs::create_dir_all(&folder).expect("make a folder");
        }
        let mut f = std::fs::File::create(folder.join(format!("exhibit-{i:07}.txt"))).expect("write a document");
        f.write_all(document(&mut rng).as_bytes()).expect("write a document");
    }
    std::fs::write(made, b"").expect("mark the documents made");
    docs
}

/// What timing the queries found: a line per query (its median), and the
/// median and 95th percentile of all runs.
struct Timed {
    lines: Vec<String>,
    median: f64,
    p95: f64,
}

/// Times every query.
fn time_queries(v: &Vault) -> custos_core::Result<Timed> {
    let mut all = Vec::new();
    let mut lines = Vec::new();
    for (q, word) in QUERIES {
        let mut ms = Vec::with_capacity(RUNS);
        let mut hits = 0;
        for _ in 0..RUNS {
            let t = Instant::now();
            hits = v.search(q, LIMIT)?.len();
            ms.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        all.extend(ms.iter().copied());
        ms.sort_by(f64::total_cmp);
        lines.push(format!("query\t{q}\t{:.1} ms\t{hits} hits\t{}", ms[ms.len() / 2], word.unwrap_or("")));
    }
    all.sort_by(f64::total_cmp);
    let pct = |p: f64| all[((all.len() as f64 * p).ceil() as usize).saturating_sub(1).min(all.len() - 1)];
    Ok(Timed { lines, median: pct(0.5), p95: pct(0.95) })
}

fn main() -> custos_core::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(dir), Some(n)) = (args.get(1), args.get(2).and_then(|n| n.parse::<usize>().ok())) else {
        eprintln!("usage: search DIR N");
        std::process::exit(2);
    };
    let dir = PathBuf::from(dir);
    std::fs::create_dir_all(&dir).expect("make the bench folder");
    let docs = docs_of(&dir, n);
    let root = dir.join(format!("vault-{n}"));
    let pass = SecretString::from(PASSPHRASE.to_string());
    let mut v = if root.join("custos-vault.json").exists() {
        Vault::open(&root, &Unlock::Passphrase(pass), None, Arc::new(SystemClock))?
    } else {
        let mut opts = CreateOptions::new("Search v. Bench", "Pat Paralegal");
        opts.work_factor = 10;
        let mut v = Vault::create(&root, &opts, &pass, Arc::new(SystemClock))?;
        let intake = IntakeOptions { custodian: Some("Erik Brandt".into()), ..IntakeOptions::default() };
        let t = Instant::now();
        v.add(&IntakeInputs::collect(std::slice::from_ref(&docs))?, &intake, &NoProgress)?;
        println!("intake\t{:.1} s", t.elapsed().as_secs_f64());
        let t = Instant::now();
        let report = v.process(&ProcessOptions::default(), &NoProgress)?;
        println!("processing (text read and indexed)\t{:.1} s\t{} exhibits", t.elapsed().as_secs_f64(), report.exhibits.len());
        let t = time_queries(&v)?;
        println!("as processing left the index\tmedian {:.1} ms\tp95 {:.1} ms", t.median, t.p95);
        v
    };
    let t = Instant::now();
    let indexed = v.rebuild_search_index()?;
    println!("index rebuilt from the catalog (one segment)\t{:.1} s\t{indexed} exhibits", t.elapsed().as_secs_f64());
    let t = time_queries(&v)?;
    t.lines.iter().for_each(|line| println!("{line}"));
    println!("all queries\tmedian {:.1} ms\tp95 {:.1} ms", t.median, t.p95);
    for q in ORDERED {
        let mut ms = Vec::with_capacity(RUNS);
        let mut hits = 0;
        for _ in 0..RUNS {
            let t = Instant::now();
            hits = v.search(q, LIMIT)?.len();
            ms.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        ms.sort_by(f64::total_cmp);
        println!("ordered proximity\t{q}\t{:.1} ms median\t{:.1} ms slowest\t{hits} hits", ms[ms.len() / 2], ms[ms.len() - 1]);
    }
    println!("documents\t{}", docs.display());
    v.close()
}
