//! Audit-log parsing speed: a generated Microsoft 365 unified audit log
//! export of N rows (CSV, `AuditData` as JSON in a field) read into events;
//! prints the rows per second. `bench/search.sh` runs it for 1,000,000 rows.
//!
//! Usage: `audit N`

use std::time::Instant;

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|n| n.parse().ok()).unwrap_or(1_000_000);
    let mut csv = String::with_capacity(n * 420);
    csv.push_str("CreationDate,UserIds,Operations,AuditData\r\n");
    let ops = ["FileDownloaded", "FileAccessed", "FileSyncDownloadedFull", "FileModified", "SharingSet"];
    for i in 0..n {
        let (h, m, s) = ((i / 3600) % 24, (i / 60) % 60, i % 60);
        let op = ops[i % ops.len()];
        let user = format!("user{}@halvorsen.example", i % 40);
        csv.push_str(&format!(
            "2026-05-14T{h:02}:{m:02}:{s:02}Z,{user},{op},\"{{\"\"CreationTime\"\":\"\"2026-05-14T{h:02}:{m:02}:{s:02}\"\",\"\"Operation\"\":\"\"{op}\"\",\"\"UserId\"\":\"\"{user}\"\",\"\"ClientIP\"\":\"\"203.0.113.{}\"\",\"\"ObjectId\"\":\"\"https://halvorsen.sharepoint.com/sites/eng/Shared Documents/doc{}.docx\"\",\"\"SourceFileName\"\":\"\"doc{}.docx\"\",\"\"FileSizeBytes\"\":{}}}\"\r\n",
            i % 250,
            i % 5000,
            i % 5000,
            1000 + i % 90_000
        ));
    }
    let mib = csv.len() as f64 / (1 << 20) as f64;
    let t = Instant::now();
    let log = custos_extract::audit::audit_log(csv.as_bytes()).expect("readable").expect("an audit log");
    let secs = t.elapsed().as_secs_f64();
    assert_eq!(log.events.len(), n);
    println!("rows\t{n}\t{mib:.0} MiB\t{secs:.2} s\t{:.0} rows/s", n as f64 / secs);
}
