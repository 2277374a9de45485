//! TRUST.md row 1: the C2SP CCTV age test vectors (shipped inside the `age`
//! crate's package) through the vault's object decryption path.
//!
//! The vault's path accepts only binary age files for its own X25519
//! identity, so armored files and passphrase (scrypt) files must be refused
//! there even where the vector expects success for a general age reader.

use crate::error::Error;
use crate::format::pipeline::decrypt_stream;
use crate::progress::NoProgress;
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::PathBuf;
use std::str::FromStr;

fn testkit_dir() -> PathBuf {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cargo"));
    let src = home.join("registry/src");
    for index in std::fs::read_dir(&src).unwrap_or_else(|e| panic!("cannot read {}: {e}", src.display())) {
        let index = index.unwrap().path();
        let mut ages: Vec<PathBuf> = std::fs::read_dir(&index)
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("age-0.12"))
            .collect();
        ages.sort();
        if let Some(p) = ages.pop() {
            let kit = p.join("tests/testdata/testkit");
            if kit.is_dir() {
                return kit;
            }
        }
    }
    panic!("the age crate's testkit vectors were not found under {}; run `cargo fetch` first", src.display());
}

struct Vector {
    name: String,
    expect: String,
    payload: Option<String>,
    identity: Option<String>,
    armored: bool,
    body: Vec<u8>,
}

fn parse(name: String, raw: Vec<u8>) -> Vector {
    let split = raw.windows(2).position(|w| w == b"\n\n").expect("header ends with a blank line");
    let header = String::from_utf8(raw[..split].to_vec()).unwrap();
    let mut body = raw[split + 2..].to_vec();
    let mut v = Vector { name, expect: String::new(), payload: None, identity: None, armored: false, body: Vec::new() };
    let mut compressed = false;
    for line in header.lines() {
        let (k, val) = line.split_once(": ").unwrap();
        match k {
            "expect" => v.expect = val.to_string(),
            "payload" => v.payload = Some(val.to_string()),
            "identity" if v.identity.is_none() => v.identity = Some(val.to_string()),
            "armored" => v.armored = val == "yes",
            "compressed" => compressed = val == "zlib",
            _ => {}
        }
    }
    if compressed {
        let mut out = Vec::new();
        flate2::read::ZlibDecoder::new(&body[..]).read_to_end(&mut out).unwrap();
        body = out;
    }
    v.body = body;
    v
}

#[test]
fn cctv_vectors_through_the_object_decrypt_path() {
    let dir = testkit_dir();
    let mut names: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    names.sort();
    assert!(names.len() > 100, "expected the full testkit, found {} vectors", names.len());
    let (mut ok, mut refused) = (0, 0);
    for path in names {
        let v = parse(path.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&path).unwrap());
        let identity = match &v.identity {
            Some(s) => age::x25519::Identity::from_str(s).unwrap(),
            // Passphrase vectors: the vault path has only its X25519 identity.
            None => age::x25519::Identity::generate(),
        };
        let mut plain = Vec::new();
        let res = decrypt_stream(&v.body[..], "vector", &identity, crate::format::pipeline::Hashes::ALL, v.body.len() as u64, &NoProgress, &mut |c| {
            plain.extend_from_slice(c);
            Ok(())
        });
        // Every expectation is kept as the vectors state it, including the
        // two stanza encodings the age crate still accepts for old files
        // (`stanza_missing_body`, `stanza_missing_final_line`): the vault's
        // reader parses stanzas with age-core's strict parser.
        let should_succeed = v.expect == "success" && !v.armored && v.identity.is_some();
        if should_succeed {
            let d = res.unwrap_or_else(|e| panic!("{}: expected success, got {e}", v.name));
            assert_eq!(
                Some(hex::encode(d.sha256)),
                v.payload,
                "{}: plaintext SHA-256 must equal the vector's payload hash",
                v.name
            );
            assert_eq!(hex::encode(Sha256::digest(&plain)), hex::encode(d.sha256), "{}: the sink saw the whole plaintext", v.name);
            ok += 1;
        } else {
            match res {
                Err(Error::ObjectAuthentication { .. }) => {
                    if v.expect == "payload failure" && !v.armored {
                        // Only authenticated chunks may reach the sink: it saw
                        // nothing, or exactly the vector's authenticated prefix.
                        let seen = hex::encode(Sha256::digest(&plain));
                        assert!(
                            plain.is_empty() || Some(&seen) == v.payload.as_ref(),
                            "{}: an unauthenticated chunk reached the sink",
                            v.name
                        );
                    }
                    refused += 1
                }
                Err(e) => panic!("{}: expected the one opaque authentication error, got {e}", v.name),
                Ok(_) => panic!("{}: expected '{}' but the vault path accepted it", v.name, v.expect),
            }
        }
    }
    assert!(ok >= 5 && refused >= 90, "vectors exercised: {ok} accepted, {refused} refused");
}
