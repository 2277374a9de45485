//! TRUST.md row 23 through the `custos` binary: `custos timestamp` against a
//! local RFC 3161 authority, `verify --tsa-ca`, a bundle whose token
//! `openssl ts -verify` accepts (the command its README.txt gives), and bad
//! input refused with the vault unchanged.

#[macro_use]
mod common;
#[path = "../../custos-core/src/tests/local_tsa.rs"]
mod local_tsa;

use common::*;
use local_tsa::LocalTsa;
use std::path::Path;
use std::process::Command;

fn stamped_vault(dir: &Path, tsa: &LocalTsa) -> std::path::PathBuf {
    let vault = init_vault(&dir.join("vault"));
    let src = dir.join("src");
    write_file(&src.join("memo.txt"), "the tolerance table was sent on 3 March");
    write_file(&src.join("plan.txt"), "second document");
    custos(argv!["add", &vault, &src, "--custodian", "Erik Brandt"]).assert_success("intake");
    let out = custos(argv!["timestamp", &vault, "--tsa", &tsa.url, "--json"]);
    out.assert_success("stamping against the local authority");
    assert_eq!(out.json()[0]["outcome"], "stamped", "{}", out.describe());
    vault
}

#[test]
fn timestamp_verify_and_a_bundle_token_that_openssl_accepts() {
    let tsa = LocalTsa::start("Good");
    let other = LocalTsa::start("Other");
    let dir = tempfile::tempdir().unwrap();
    let vault = stamped_vault(dir.path(), &tsa);

    let out = custos(argv!["verify", &vault, "--quick", "--json", "--tsa-ca", &tsa.ca_pem]);
    assert_eq!(out.code, Some(0), "{}", out.describe());
    assert!(out.json()["findings"].as_array().unwrap().is_empty(), "{}", out.describe());
    let out = custos(argv!["verify", &vault, "--quick", "--tsa-ca", &other.ca_pem]);
    assert_eq!(out.code, Some(1), "a token from an authority the CA did not certify is an error: {}", out.describe());
    assert!(out.stdout.contains("timestamp_untrusted"), "{}", out.describe());
    let out = custos(argv!["verify", &vault, "--quick"]);
    assert_eq!(out.code, Some(0), "{}", out.describe());
    assert!(out.stdout.contains("WARNING [timestamp_trust_unchecked]"), "{}", out.describe());

    let bundle = dir.path().join("PROD.zip");
    custos(argv!["export", &vault, "--out", &bundle, "--bates-prefix", "HAL"]).assert_success("export");
    let unzipped = dir.path().join("unzipped");
    let out = run(Command::new("unzip").arg("-q").arg(&bundle).arg("-d").arg(&unzipped));
    assert_eq!(out.code, Some(0), "{}", out.describe());
    let bag = std::fs::read_dir(&unzipped).unwrap().next().unwrap().unwrap().path();
    let readme = std::fs::read_to_string(bag.join("README.txt")).unwrap();
    let stamps = bag.join("data/custody/timestamps");
    let token = std::fs::read_dir(&stamps)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .find(|n| n.ends_with(".tst"))
        .expect("the bundle carries a token");
    let size = token.split('-').next().unwrap().to_string();
    let data = format!("data/custody/timestamps/{size}.txt");
    let token_path = format!("data/custody/timestamps/{token}");
    assert!(
        readme.contains(&format!("openssl ts -verify -data {data}")) && readme.contains(&format!("-in {token_path} -token_in -CAfile tsa-ca.pem")),
        "README.txt gives the openssl command for the token:\n{readme}"
    );

    // The token files are payload like any other: listed in the manifests.
    let manifest = std::fs::read_to_string(bag.join("manifest-sha256.txt")).unwrap();
    assert!(manifest.contains(&token_path) && manifest.contains(&data), "the manifest lists the token and its text:\n{manifest}");
    let out = run(Command::new("bagit.py").arg("--validate").arg(&bag));
    assert!(out.code == Some(0) && out.stderr.contains("is valid"), "bagit.py validates the bag with its tokens: {}", out.describe());

    // The recipient's own check, with OpenSSL alone.
    let verify = |ca: &Path| run(Command::new("openssl").args(["ts", "-verify", "-data", &data, "-in", &token_path, "-token_in", "-CAfile"]).arg(ca).current_dir(&bag));
    let out = verify(&tsa.ca_pem);
    assert!(out.code == Some(0) && out.stdout.contains("Verification: OK"), "openssl must accept the bundle's token: {}", out.describe());
    let out = verify(&other.ca_pem);
    assert_ne!(out.code, Some(0), "openssl must refuse it against another CA: {}", out.describe());

    let out = custos(argv!["verify-bundle", &bundle, "--tsa-ca", &tsa.ca_pem]);
    assert_eq!(out.code, Some(0), "{}", out.describe());
    let out = custos(argv!["verify-bundle", &bundle, "--tsa-ca", &other.ca_pem]);
    assert_eq!(out.code, Some(1), "{}", out.describe());
    assert!(out.stdout.contains("timestamp_untrusted"), "{}", out.describe());

    // A tampered token in an extracted bundle is an error.
    let t = bag.join(&token_path);
    let mut bytes = std::fs::read(&t).unwrap();
    let n = bytes.len();
    bytes[n - 5] ^= 0x01;
    std::fs::write(&t, &bytes).unwrap();
    let out = custos(argv!["verify-bundle", &bag, "--tsa-ca", &tsa.ca_pem]);
    assert_eq!(out.code, Some(1), "{}", out.describe());
    assert!(out.stdout.contains("timestamp_invalid"), "{}", out.describe());
}

#[test]
fn settings_through_the_command_line_and_bad_input_changes_nothing() {
    let tsa = LocalTsa::start("Good");
    let dir = tempfile::tempdir().unwrap();
    let vault = init_vault(&dir.path().join("vault"));
    let junk = dir.path().join("junk.pem");
    write_file(&junk, "not a certificate");
    let before = snapshot(&vault);
    for (args, why) in [
        (argv!["timestamp", &vault, "--tsa", "ftp://tsa.example"], "http:// or https://"),
        (argv!["timestamp", &vault, "--set-tsa", "tsa.example"], "http:// or https://"),
        (argv!["timestamp", &vault, "--trust-ca", &junk], "refused as a TSA CA certificate"),
        (argv!["timestamp", &vault, "--auto", "sometimes"], "on or off"),
        (argv!["timestamp", &vault, "--tsa", &tsa.url, "--auto", "on"], "not both"),
        (argv!["verify", &vault, "--tsa-ca", &junk], "refused as a TSA CA certificate"),
        (argv!["timestamp", &vault], "no time-stamp authority"),
    ] {
        let out = custos(&args);
        assert_eq!(out.code, Some(2), "{args:?}: {}", out.describe());
        assert!(out.stderr.contains(why), "{args:?}: {}", out.describe());
    }
    assert!(snapshot_diff(&before, &snapshot(&vault)).is_empty(), "refused commands leave the vault as it was");

    // An authority that does not answer: exit 2, the vault as it was (not even the unlock is logged).
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let out = custos(argv!["timestamp", &vault, "--tsa", format!("http://127.0.0.1:{port}/tsa")]);
    assert_eq!(out.code, Some(2), "{}", out.describe());
    assert!(out.stderr.contains("warning: no timestamp from http://127.0.0.1"), "{}", out.describe());
    assert!(snapshot_diff(&before, &snapshot(&vault)).is_empty(), "a failed stamp leaves the vault as it was");

    custos(argv!["timestamp", &vault, "--set-tsa", &tsa.url, "--auto", "on", "--trust-ca", &tsa.ca_pem]).assert_success("settings");
    let src = dir.path().join("src");
    write_file(&src.join("a.txt"), "alpha");
    let out = custos(argv!["add", &vault, &src]);
    out.assert_success("intake with automatic stamping");
    assert!(out.stderr.contains("Timestamped checkpoint"), "{}", out.describe());
    let out = custos(argv!["timestamp", &vault, "--list", "--json"]);
    out.assert_success("list");
    let v = out.json();
    assert_eq!(v["settings"]["automatic"], "after_intake_and_export");
    assert_eq!(v["timestamps"].as_array().unwrap().len(), 1);
    // The kept CA is used without --tsa-ca: no warning.
    let out = custos(argv!["verify", &vault, "--quick", "--json"]);
    assert_eq!(out.code, Some(0), "{}", out.describe());
    assert!(out.json()["findings"].as_array().unwrap().is_empty(), "{}", out.describe());
}
