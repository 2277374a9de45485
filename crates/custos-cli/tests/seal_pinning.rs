//! TRUST row 18: a bundle re-made and re-sealed with another key, and the same
//! producer vault's production arriving under a second key.
//!
//! The forgery here is complete: a native is changed, and the load file,
//! manifests, custody events (re-signed and re-numbered into a new Merkle
//! tree), checkpoint, tag manifest and seal are all made again with another
//! Ed25519 key, keeping the producer's vault id and identity label. Such a
//! bundle is consistent with itself, so verifying it without a pinned key can
//! only say that the key is not pinned; a pinned key, or the key pinned when
//! the genuine production was received, must catch it.

mod common;

use common::{files_under, snapshot};
use ed25519_dalek::{Signer, SigningKey};
use md5::Md5;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn custos(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_custos"))
        .args(args)
        .env("CUSTOS_PASSPHRASE", "pinning test")
        .env_remove("CUSTOS_EXAMINER")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn describe(o: &Output) -> String {
    format!("exit {:?}\nstdout: {}\nstderr: {}", o.status.code(), String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

#[track_caller]
fn run(args: &[&str], code: i32, why: &str) -> Output {
    let o = custos(args);
    assert_eq!(o.status.code(), Some(code), "{why}: custos {args:?}\n{}", describe(&o));
    o
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", describe(o)))
}


/// Asserts that no file under `root` changed since `before` (the database, the
/// custody log inside it, objects), naming the files that did.
#[track_caller]
fn assert_unchanged(root: &Path, before: &common::Snapshot, what: &str) {
    let changed = common::snapshot_diff(before, &snapshot(root));
    assert!(changed.is_empty(), "{what}: nothing may be written to the vault; changed or new: {changed:?}");
}


fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() { copy_dir(&e.path(), &target) } else { std::fs::copy(e.path(), &target).map(|_| ()).unwrap() }
    }
}

// ---------------------------------------------------------------------------
// The forger: RFC 6962 tree, re-signed events and checkpoint, new manifests and seal.

fn leaf(data: &[u8]) -> [u8; 32] {
    Sha256::new().chain_update([0u8]).chain_update(data).finalize().into()
}

fn node(l: &[u8; 32], r: &[u8; 32]) -> [u8; 32] {
    Sha256::new().chain_update([1u8]).chain_update(l).chain_update(r).finalize().into()
}

/// Largest power of two below `n` (n ≥ 2).
fn split(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

fn root(leaves: &[[u8; 32]]) -> [u8; 32] {
    if leaves.len() == 1 {
        return leaves[0];
    }
    let k = split(leaves.len());
    node(&root(&leaves[..k]), &root(&leaves[k..]))
}

/// RFC 6962 PATH(m, D[n]), from the leaf up.
fn path(m: usize, leaves: &[[u8; 32]]) -> Vec<[u8; 32]> {
    if leaves.len() == 1 {
        return Vec::new();
    }
    let k = split(leaves.len());
    if m < k {
        let mut p = path(m, &leaves[..k]);
        p.push(root(&leaves[k..]));
        p
    } else {
        let mut p = path(m - k, &leaves[k..]);
        p.push(root(&leaves[..k]));
        p
    }
}

/// The forger's key: an Ed25519 key from a fixed seed.
fn forger_key() -> SigningKey {
    SigningKey::from_bytes(&[0x5a; 32])
}

fn forger_ssh_key() -> ssh_key::PrivateKey {
    let pair = ssh_key::private::Ed25519Keypair::from_seed(&forger_key().to_bytes());
    ssh_key::PrivateKey::new(ssh_key::private::KeypairData::Ed25519(pair), "").unwrap()
}

fn forger_fingerprint() -> String {
    forger_ssh_key().public_key().fingerprint(ssh_key::HashAlg::Sha256).to_string()
}

/// Re-makes the extracted bag at `bag` with the forger's key. With `changed`,
/// that native's first byte is flipped first and every record of its hashes
/// follows it. The vault id and the seal's identity label are kept.
fn reseal(bag: &Path, changed: Option<&str>) {
    let key = forger_key();
    let mut replace: Vec<(String, String)> = Vec::new();
    if let Some(native) = changed {
        let p = bag.join(native);
        let old = std::fs::read(&p).unwrap();
        let mut new = old.clone();
        new[0] ^= 0x01;
        std::fs::write(&p, &new).unwrap();
        replace.push((hex::encode(Sha256::digest(&old)), hex::encode(Sha256::digest(&new))));
        replace.push((hex::encode(Md5::digest(&old)), hex::encode(Md5::digest(&new))));
    }
    let edit = |rel: &str, f: &dyn Fn(String) -> String| {
        let p = bag.join(rel);
        std::fs::write(&p, f(std::fs::read_to_string(&p).unwrap())).unwrap();
    };
    let swap = |mut text: String| {
        for (old, new) in &replace {
            text = text.replace(old, new);
        }
        text
    };
    let dat = files_under(&bag.join("data/VOL001/DATA")).into_iter().find(|p| p.extension().is_some_and(|e| e == "dat")).unwrap();
    let dat_bytes = std::fs::read(&dat).unwrap();
    let mut dat_text = dat_bytes.iter().map(|&b| b as char).collect::<String>(); // hex digits are ASCII in any encoding
    for (old, new) in &replace {
        dat_text = dat_text.replace(old, new);
    }
    std::fs::write(&dat, dat_text.chars().map(|c| c as u8).collect::<Vec<u8>>()).unwrap();

    // Custody events: hashes followed, re-numbered 1..n in a tree of their own, re-signed.
    let lines: Vec<Value> = std::fs::read_to_string(bag.join("data/custody/events.jsonl"))
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let bodies: Vec<String> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let mut body: Value = serde_json::from_str(&swap(l["body"].as_str().unwrap().to_string())).unwrap();
            body["seq"] = Value::from(i as u64 + 1);
            body.to_string()
        })
        .collect();
    let leaves: Vec<[u8; 32]> = bodies.iter().map(|b| leaf(b.as_bytes())).collect();
    let mut events = String::new();
    for (i, body) in bodies.iter().enumerate() {
        let sig = key.sign(&[b"custos-event-v1\n".as_slice(), body.as_bytes()].concat());
        let line = serde_json::json!({
            "leaf_index": i,
            "body": body,
            "signature": hex::encode(sig.to_bytes()),
            "inclusion_proof": path(i, &leaves).iter().map(hex::encode).collect::<Vec<_>>(),
        });
        events.push_str(&(line.to_string() + "\n"));
    }
    std::fs::write(bag.join("data/custody/events.jsonl"), events).unwrap();
    let mut cp: Value = serde_json::from_slice(&std::fs::read(bag.join("data/custody/checkpoint.json")).unwrap()).unwrap();
    let (vault_id, time) = (cp["vault_id"].as_str().unwrap().to_string(), cp["time"].as_str().unwrap().to_string());
    let tree_root = root(&leaves);
    let message = custos_core::custody::checkpoint_message(&vault_id, leaves.len() as u64, &tree_root, &time);
    cp["signing_key"] = Value::from(hex::encode(key.verifying_key().to_bytes()));
    cp["tree_size"] = Value::from(leaves.len() as u64);
    cp["root"] = Value::from(hex::encode(tree_root));
    cp["signature"] = Value::from(hex::encode(key.sign(message.as_bytes()).to_bytes()));
    let cp_bytes = serde_json::to_vec_pretty(&cp).unwrap();
    std::fs::write(bag.join("data/custody/checkpoint.json"), &cp_bytes).unwrap();
    // The checkpoint's OpenSSH signature, by the forger's key.
    let cp_sig = ssh_key::SshSig::sign(&forger_ssh_key(), "custos-checkpoint", ssh_key::HashAlg::Sha512, &cp_bytes).unwrap();
    std::fs::write(bag.join("data/custody/checkpoint.json.sig"), cp_sig.to_pem(ssh_key::LineEnding::LF).unwrap()).unwrap();

    // Payload manifests, Payload-Oxum, README's fingerprint, tag manifest.
    let (mut sha, mut md5, mut bytes, mut count) = (String::new(), String::new(), 0u64, 0);
    for p in files_under(&bag.join("data")) {
        let b = std::fs::read(&p).unwrap();
        let rel = p.strip_prefix(bag).unwrap().to_string_lossy().into_owned();
        sha.push_str(&format!("{}  {rel}\n", hex::encode(Sha256::digest(&b))));
        md5.push_str(&format!("{}  {rel}\n", hex::encode(Md5::digest(&b))));
        bytes += b.len() as u64;
        count += 1;
    }
    std::fs::write(bag.join("manifest-sha256.txt"), sha).unwrap();
    std::fs::write(bag.join("manifest-md5.txt"), md5).unwrap();
    edit("bag-info.txt", &|t| {
        t.lines().map(|l| if l.starts_with("Payload-Oxum:") { format!("Payload-Oxum: {bytes}.{count}\n") } else { format!("{l}\n") }).collect()
    });
    let allowed = std::fs::read_to_string(bag.join("seal/allowed_signers")).unwrap();
    let identity = allowed.split_whitespace().next().unwrap().to_string();
    let genuine_fp = ssh_key::PublicKey::from_openssh(&allowed.split_whitespace().skip(2).take(2).collect::<Vec<_>>().join(" "))
        .unwrap()
        .fingerprint(ssh_key::HashAlg::Sha256)
        .to_string();
    edit("README.txt", &|t| t.replace(&genuine_fp, &forger_fingerprint()));
    let tag_files: Vec<String> = std::fs::read_to_string(bag.join("tagmanifest-sha256.txt"))
        .unwrap()
        .lines()
        .map(|l| l.split_once("  ").unwrap().1.to_string())
        .collect();
    let tagmanifest: String =
        tag_files.iter().map(|p| format!("{}  {p}\n", hex::encode(Sha256::digest(std::fs::read(bag.join(p)).unwrap())))).collect();
    std::fs::write(bag.join("tagmanifest-sha256.txt"), &tagmanifest).unwrap();

    // The seal: the forger's key under the producer's identity label.
    let ssh = forger_ssh_key();
    let sig = ssh_key::SshSig::sign(&ssh, "custos-bundle", ssh_key::HashAlg::Sha512, tagmanifest.as_bytes()).unwrap();
    std::fs::write(bag.join("seal/tagmanifest-sha256.txt.sig"), sig.to_pem(ssh_key::LineEnding::LF).unwrap()).unwrap();
    let public = ssh.public_key().to_openssh().unwrap();
    std::fs::write(bag.join("seal/allowed_signers"), format!("{identity} namespaces=\"custos-bundle,custos-checkpoint\" {}\n", public.trim())).unwrap();
}

// ---------------------------------------------------------------------------

struct Setup {
    dir: tempfile::TempDir,
    /// The genuine production, extracted.
    genuine: PathBuf,
    /// The genuine seal key's fingerprint.
    genuine_fp: String,
}

impl Setup {
    fn p(&self, rel: &str) -> String {
        self.dir.path().join(rel).to_str().unwrap().to_string()
    }

    /// A copy of the genuine bag re-sealed by the forger, with `changed` native altered.
    fn forgery(&self, name: &str, changed: Option<&str>) -> String {
        let bag = self.dir.path().join(name).join(self.genuine.file_name().unwrap());
        copy_dir(&self.genuine, &bag);
        reseal(&bag, changed);
        bag.to_str().unwrap().to_string()
    }

    fn log(&self, vault: &str) -> Vec<Value> {
        json(&run(&["log", &self.p(vault), "--json"], 0, "the custody log prints")).as_array().unwrap().clone()
    }
}

/// The native whose content the forgery changes.
const CHANGED: &str = "data/VOL001/NATIVES/0001/HAL000002.txt";

/// A producer vault with three exhibits exported (Bates HAL000001-3) and
/// extracted, and an empty counsel vault.
fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let p = |rel: &str| dir.path().join(rel).to_str().unwrap().to_string();
    let src = dir.path().join("src");
    std::fs::create_dir(&src).unwrap();
    std::fs::write(src.join("log.csv"), "user,action\nebrandt,DOWNLOAD\n").unwrap();
    std::fs::write(src.join("memo.txt"), "Confidential memo\n").unwrap();
    std::fs::write(src.join("photo.bin"), [0u8, 1, 2, 3, 255]).unwrap();
    run(&["init", &p("producer"), "--matter", "Halvorsen v. Brandt", "--examiner", "Dana Whitfield", "--work-factor", "10"], 0, "init");
    run(&["add", &p("producer"), &p("src"), "--custodian", "Erik Brandt"], 0, "add");
    let export = json(&run(&["export", &p("producer"), "--out", &p("bundle.zip"), "--bates-prefix", "HAL", "--json"], 0, "export"));
    run(&["init", &p("counsel"), "--matter", "Halvorsen v. Brandt", "--examiner", "Chris Counsel", "--work-factor", "10"], 0, "init");
    let x = dir.path().join("genuine");
    std::fs::create_dir(&x).unwrap();
    let unzip = Command::new("unzip").args(["-q", &p("bundle.zip"), "-d", x.to_str().unwrap()]).status();
    assert!(unzip.is_ok_and(|s| s.success()), "unzip (Debian package unzip) extracts the bundle");
    let genuine = std::fs::read_dir(&x).unwrap().next().unwrap().unwrap().path();
    assert!(genuine.join(CHANGED).is_file(), "the production holds {CHANGED}");
    let genuine_fp = export["signer_fingerprint"].as_str().unwrap().to_string();
    Setup { dir, genuine, genuine_fp }
}

#[test]
fn a_resealed_forgery_is_never_simply_ok_and_fails_against_the_pinned_key() {
    let s = setup();
    let forged = s.forgery("forged", Some(CHANGED));
    let forged_fp = forger_fingerprint();
    assert_ne!(forged_fp, s.genuine_fp);

    // Unpinned, the forgery is consistent with itself: exit 0, but the key is shown as unpinned.
    let o = run(&["verify-bundle", &forged], 0, "a self-consistent forgery has no finding of its own");
    let out = stdout(&o);
    assert!(
        out.contains(&format!("sealed by key {forged_fp} — not pinned: compare it with the fingerprint the producing party gave you")),
        "the forger's key is shown as not pinned: {out}"
    );
    assert!(!out.lines().any(|l| l.starts_with("OK:") || l.trim() == "OK"), "never a plain OK without a pinned key: {out}");
    let r = json(&run(&["verify-bundle", &forged, "--json"], 0, "JSON, unpinned"));
    assert_eq!(r["seal_key_pinning"], "not_pinned", "{r:#}");
    assert_eq!(r["signer_fingerprint"], forged_fp.as_str(), "the report carries the key that sealed it");

    // Pinned to the genuine key, by fingerprint or by the genuine allowed_signers file: an error.
    let r = json(&run(&["verify-bundle", &forged, "--expect-key", &s.genuine_fp, "--json"], 1, "the forgery against the genuine key"));
    assert_eq!(r["ok"], false);
    assert_eq!(r["seal_key_pinning"], "differs_from_pinned");
    let f = r["findings"].as_array().unwrap().iter().find(|f| f["kind"] == "seal_key_not_pinned").expect("a seal_key_not_pinned finding");
    let msg = f["message"].as_str().unwrap();
    assert!(msg.contains(&forged_fp) && msg.contains(&s.genuine_fp), "the finding names both keys: {msg}");
    let genuine_signers = s.genuine.join("seal/allowed_signers");
    let o = run(&["verify-bundle", &forged, "--expect-key", genuine_signers.to_str().unwrap()], 1, "pinned by allowed_signers file");
    assert!(stdout(&o).contains("FAILED") && stdout(&o).contains("does NOT match the pinned key"), "{}", describe(&o));

    // The genuine bundle against its own key: OK, and said so.
    let genuine = s.genuine.to_str().unwrap();
    let o = run(&["verify-bundle", genuine, "--expect-key", &s.genuine_fp], 0, "the genuine bundle with its key pinned");
    assert!(stdout(&o).lines().any(|l| l.starts_with("OK:")), "{}", describe(&o));
    assert!(stdout(&o).contains(&format!("sealed by key {} — matches the pinned key", s.genuine_fp)), "{}", describe(&o));
    let o = run(&["verify-bundle", genuine], 0, "the genuine bundle, unpinned");
    assert!(stdout(&o).contains("not pinned"), "even the genuine bundle is unpinned without a key: {}", describe(&o));
    // An allowed_signers file may list several keys; any of them is accepted.
    let both = s.p("both_signers");
    let forged_line = std::fs::read_to_string(Path::new(&forged).join("seal/allowed_signers")).unwrap();
    std::fs::write(&both, format!("# two keys\n{forged_line}{}", std::fs::read_to_string(&genuine_signers).unwrap())).unwrap();
    run(&["verify-bundle", genuine, "--expect-key", &both], 0, "the genuine key is one of those listed");
    run(&["verify-bundle", &forged, "--expect-key", &both], 0, "and so is the forger's, in this file");
}

#[test]
fn a_malformed_expected_key_is_a_usage_error() {
    let s = setup();
    let genuine = s.genuine.to_str().unwrap();
    let garbage = s.p("garbage_signers");
    std::fs::write(&garbage, "someone ssh-ed25519 AAAA-not-a-key\n").unwrap();
    for bad in ["SHA256:tooshort", "MD5:ab:cd", &s.p("no_such_file"), &garbage] {
        let o = run(&["verify-bundle", genuine, "--expect-key", bad], 2, "a malformed --expect-key");
        assert!(stderr(&o).contains("--expect-key"), "the option is named: {}", describe(&o));
        let before = snapshot(&s.dir.path().join("counsel"));
        run(&["import-bundle", &s.p("counsel"), genuine, "--expect-key", bad], 2, "a malformed --expect-key on import");
        assert_unchanged(&s.dir.path().join("counsel"), &before, "a malformed --expect-key on import");
    }
    let o = run(&["import-bundle", &s.p("counsel"), genuine, "--accept-new-key", &s.genuine_fp], 2, "an acceptance without a reason");
    assert!(stderr(&o).contains("--reason"), "{}", describe(&o));
    run(&["import-bundle", &s.p("counsel"), genuine, "--accept-new-key", "SHA256:x", "--reason", "r"], 2, "a malformed accepted key");
}

#[test]
fn import_refuses_a_second_key_for_the_same_producer_until_it_is_accepted() {
    let s = setup();
    let counsel = s.p("counsel");
    let genuine = s.genuine.to_str().unwrap().to_string();
    let o = run(&["import-bundle", &counsel, &genuine], 0, "the genuine production");
    assert!(stderr(&o).contains("now pinned"), "the first production pins its key: {}", describe(&o));
    let pinned: Vec<Value> = s.log("counsel").into_iter().filter(|e| e["action"] == "producer_key_pinned").collect();
    assert_eq!(pinned.len(), 1, "first sight is one custody event");
    assert_eq!(pinned[0]["details"]["fingerprint"], s.genuine_fp.as_str());

    // The full forgery from the same producer vault, same Bates numbers, another key.
    let forged = s.forgery("forged", Some(CHANGED));
    let before = snapshot(&s.dir.path().join("counsel"));
    let o = run(&["import-bundle", &counsel, &forged], 2, "the forgery after the genuine production");
    let err = stderr(&o);
    assert!(err.contains(&s.genuine_fp) && err.contains(&forger_fingerprint()), "both keys are named: {err}");
    assert!(err.contains("--accept-new-key"), "and how to accept: {err}");
    assert_unchanged(&s.dir.path().join("counsel"), &before, "a refused import");

    // Accepting the key does not let a Bates number come back with other content.
    let o = run(
        &["import-bundle", &counsel, &forged, "--accept-new-key", &forger_fingerprint(), "--reason", "told so by e-mail"],
        2,
        "a Bates number received before, with other content",
    );
    assert!(stderr(&o).contains("HAL000002") && stderr(&o).contains("other content"), "{}", describe(&o));
    assert_unchanged(&s.dir.path().join("counsel"), &before, "a refused import");

    // A re-sealed copy with the same content under the new key: accepting a key other than its own is refused…
    let rotated = s.forgery("rotated", None);
    let o = run(&["import-bundle", &counsel, &rotated, "--accept-new-key", &s.genuine_fp, "--reason", "r"], 2, "accepting the wrong key");
    assert!(stderr(&o).contains("not the key that sealed this bundle"), "{}", describe(&o));
    assert_unchanged(&s.dir.path().join("counsel"), &before, "accepting the wrong key");

    // …and accepting exactly its key is a logged decision.
    let reason = "Confirmed by telephone with Dana Whitfield on 2026-03-02";
    run(&["import-bundle", &counsel, &rotated, "--accept-new-key", &forger_fingerprint(), "--reason", reason], 0, "the new key accepted");
    let log = s.log("counsel");
    let accepted: Vec<&Value> = log.iter().filter(|e| e["action"] == "producer_key_accepted").collect();
    assert_eq!(accepted.len(), 1, "one acceptance event");
    let a = accepted[0];
    assert_eq!(a["details"]["old_fingerprint"], s.genuine_fp.as_str(), "the old key is recorded: {a}");
    assert_eq!(a["details"]["new_fingerprint"], forger_fingerprint().as_str(), "and the new one");
    assert_eq!(a["actor"], "Chris Counsel", "who accepted it");
    assert_eq!(a["purpose"], reason, "and why");

    // The pin moved: the old key is now the unexpected one.
    let o = run(&["import-bundle", &counsel, &genuine], 2, "the old key after the new one was accepted");
    assert!(stderr(&o).contains(&s.genuine_fp), "{}", describe(&o));
    let v = json(&run(&["verify", &counsel, "--json"], 0, "the receiving vault verifies"));
    assert_eq!(v["ok"], true, "{v:#}");
}

#[test]
fn expect_key_on_import_refuses_another_key_and_pins_nothing() {
    let s = setup();
    let counsel = s.p("counsel");
    let forged = s.forgery("forged", Some(CHANGED));
    let before = snapshot(&s.dir.path().join("counsel"));
    let o = run(&["import-bundle", &counsel, &forged, "--expect-key", &s.genuine_fp], 2, "a key other than the expected one");
    assert!(stderr(&o).contains(&forger_fingerprint()), "{}", describe(&o));
    assert_unchanged(&s.dir.path().join("counsel"), &before, "a key other than the expected one (nothing pinned either)");
    let o = run(&["import-bundle", &counsel, s.genuine.to_str().unwrap(), "--expect-key", &s.genuine_fp], 0, "the expected key");
    assert!(stderr(&o).contains("matches the pinned key"), "{}", describe(&o));
}
