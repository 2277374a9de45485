//! Counsel imports a producer's bundle: the chain of custody continues.

mod common;

use common::snapshot;
use std::process::{Command, Output, Stdio};

fn custos(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_custos"))
        .args(args)
        .env("CUSTOS_PASSPHRASE", "import test passphrase")
        .env_remove("CUSTOS_EXAMINER")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn ok(args: &[&str]) -> String {
    let o = custos(args);
    assert!(o.status.success(), "custos {args:?} failed: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

fn json(args: &[&str]) -> serde_json::Value {
    serde_json::from_str(&ok(args)).unwrap()
}


struct Setup {
    dir: tempfile::TempDir,
}

impl Setup {
    fn p(&self, rel: &str) -> String {
        self.dir.path().join(rel).to_str().unwrap().to_string()
    }
}

/// A producer vault with three exhibits, exported to `bundle.zip`, and an empty counsel vault.
fn setup() -> Setup {
    let s = Setup { dir: tempfile::tempdir().unwrap() };
    let src = s.dir.path().join("src");
    std::fs::create_dir(&src).unwrap();
    std::fs::write(src.join("memo.txt"), "Confidential memo\n").unwrap();
    std::fs::write(src.join("log.csv"), "user,action\nebrandt,DOWNLOAD\n").unwrap();
    std::fs::write(src.join("photo.bin"), [0u8, 1, 2, 3, 255]).unwrap();
    ok(&["init", &s.p("producer"), "--matter", "Halvorsen v. Brandt", "--examiner", "Dana Whitfield", "--work-factor", "10"]);
    ok(&["add", &s.p("producer"), &s.p("src"), "--custodian", "Erik Brandt", "--source", "Laptop HD-L-0291", "--method", "Logical copy"]);
    ok(&["export", &s.p("producer"), "--out", &s.p("bundle.zip"), "--bates-prefix", "HAL"]);
    ok(&["init", &s.p("counsel"), "--matter", "Halvorsen v. Brandt", "--examiner", "Chris Counsel", "--work-factor", "10"]);
    s
}

#[test]
fn import_keeps_the_producers_record_and_continues_the_chain() {
    let s = setup();
    ok(&["import-bundle", &s.p("counsel"), &s.p("bundle.zip")]);
    let produced = json(&["list", &s.p("producer"), "--json"]);
    let received = json(&["list", &s.p("counsel"), "--json"]);
    let shas = |v: &serde_json::Value| {
        let mut x: Vec<String> = v.as_array().unwrap().iter().map(|e| e["sha256"].as_str().unwrap().to_string()).collect();
        x.sort();
        x
    };
    assert_eq!(shas(&produced), shas(&received), "counsel holds exactly the produced contents");
    let first = &received[0];
    assert_eq!(first["custodian"], "Erik Brandt", "the producer's custodian is kept");
    assert_eq!(first["collected_by"], "Dana Whitfield", "and who collected it");

    let id = first["id"].as_str().unwrap();
    let detail = json(&["show", &s.p("counsel"), id, "--json"]);
    let rec = &detail["received"][0];
    assert!(rec["bates"].as_str().unwrap().starts_with("HAL00000"), "the Bates number is kept: {rec}");
    assert!(rec["sender_fingerprint"].as_str().unwrap().starts_with("SHA256:"), "the sender's key is recorded");
    assert!(rec["sender_events"].as_u64().unwrap() >= 1, "the producer's signed events came along");

    let log = json(&["log", &s.p("counsel"), "--exhibit", id, "--json"]);
    let ev = log.as_array().unwrap().iter().find(|e| e["action"] == "received").expect("a received event");
    assert_eq!(ev["received_by"], "Chris Counsel");
    assert!(ev["released_by"].as_str().unwrap().starts_with("custos-vault-"), "released by the producer's seal identity");
    assert_eq!(ev["hashes_match"], true, "hash in the bundle equals the hash of what was stored");
    let bundle_sha = ev["details"]["bundle_sha256"].as_str().unwrap();
    let real = Command::new("sha256sum").arg(s.p("bundle.zip")).output().unwrap();
    assert!(String::from_utf8_lossy(&real.stdout).starts_with(bundle_sha), "the event names the bundle's real SHA-256");

    let v = json(&["verify", &s.p("counsel"), "--json"]);
    assert_eq!(v["ok"], true, "the receiving vault verifies: {v}");
    // Counsel can produce onward, and that bundle verifies too.
    ok(&["export", &s.p("counsel"), "--out", &s.p("onward.zip"), "--bates-prefix", "CNS"]);
    ok(&["verify-bundle", &s.p("onward.zip")]);
}

#[test]
fn a_tampered_bundle_is_refused_and_the_vault_is_unchanged() {
    let s = setup();
    let x = s.dir.path().join("x");
    std::fs::create_dir(&x).unwrap();
    assert!(Command::new("unzip").args(["-q", &s.p("bundle.zip"), "-d", x.to_str().unwrap()]).status().unwrap().success());
    let bag = std::fs::read_dir(&x).unwrap().next().unwrap().unwrap().path();
    let native = bag.join("data/VOL001/NATIVES/0001/HAL000002.txt");
    let mut bytes = std::fs::read(&native).unwrap();
    bytes[0] ^= 0x20;
    std::fs::write(&native, bytes).unwrap();

    let before = snapshot(&s.dir.path().join("counsel"));
    let o = custos(&["import-bundle", &s.p("counsel"), bag.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "a bundle that fails verification is bad input");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("HAL000002.txt"), "the changed file is named: {err}");
    assert_eq!(snapshot(&s.dir.path().join("counsel")), before, "nothing was written to the receiving vault");
}

#[test]
fn an_encrypted_bundle_needs_the_right_identity() {
    let s = setup();
    let key = s.p("counsel.key");
    assert!(Command::new("age-keygen").args(["-o", &key]).stderr(Stdio::null()).status().unwrap().success(), "age-keygen (Debian package age) is needed");
    let text = std::fs::read_to_string(&key).unwrap();
    let recipient = text.lines().find_map(|l| l.strip_prefix("# public key: ")).unwrap().to_string();
    ok(&["export", &s.p("producer"), "--out", &s.p("b.zip.age"), "--bates-prefix", "ENC", "--recipient", &recipient]);
    let before = snapshot(&s.dir.path().join("counsel"));
    let o = custos(&["import-bundle", &s.p("counsel"), &s.p("b.zip.age")]);
    assert_eq!(o.status.code(), Some(2), "no identity: refused");
    assert_eq!(snapshot(&s.dir.path().join("counsel")), before, "and nothing changed");
    ok(&["import-bundle", &s.p("counsel"), &s.p("b.zip.age"), "--identity", &key]);
    assert_eq!(json(&["list", &s.p("counsel"), "--json"]).as_array().unwrap().len(), 3);
}
