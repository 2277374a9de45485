//! A vault whose objects live in an S3 bucket with Object Lock, against a
//! real Ceph radosgw started on 127.0.0.1 (scripts/radosgw.sh) and looked
//! into with the AWS CLI: objects are written once, locked as the matter's
//! policy says and read by their recorded version; what an attacker with
//! the bucket's keys can do is refused by the server or reported by
//! verify; an intake that is killed or loses its server leaves nothing
//! half-recorded; missing or wrong credentials are clear errors.

#[macro_use]
mod common;

use common::*;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

/// `custos ARGS…` with the server's credentials.
fn custos_s3(gw: &Radosgw, args: Vec<std::ffi::OsString>) -> Output {
    run(gw.credentials(&mut custos_command(args)))
}

fn init_in_bucket(gw: &Radosgw, vault: &Path, config: &Path) -> Output {
    custos_s3(gw, argv!["init", vault, "--matter", MATTER, "--examiner", EXAMINER, "--work-factor", "10", "--objects", config])
}

/// Object-named files in the vault folder.
fn objects_in_folder(vault: &Path) -> Vec<PathBuf> {
    files_under(&vault.join("objects"))
        .into_iter()
        .filter(|p| p.file_name().is_some_and(|f| is_sha256_hex(&f.to_string_lossy())))
        .collect()
}

fn finding_kinds(report: &serde_json::Value) -> Vec<(String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["kind"].as_str().unwrap().to_string(), f["exhibit"].as_str().unwrap_or("").to_string()))
        .collect()
}

fn exhibit_objects(gw: &Radosgw, vault: &Path) -> Vec<(String, String)> {
    let out = custos_s3(gw, argv!["list", vault, "--json"]);
    out.assert_success("list");
    out.json()
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let id = str_field(e, "id").to_string();
            let shown = custos_s3(gw, argv!["show", vault, &id, "--json"]);
            shown.assert_success("show");
            (id, str_field(&shown.json(), "object").to_string())
        })
        .collect()
}

#[test]
fn exhibits_go_once_into_a_locked_bucket_and_are_read_back_by_their_version() {
    let gw = Radosgw::start(1024);
    let tmp = tempfile::tempdir().unwrap();
    gw.create_bucket("plain-bucket", false);
    gw.create_bucket("matter-worm", true);

    // Refused before anything is made: a bucket without Object Lock, no
    // credentials, wrong credentials.
    let plain = gw.objects_config(tmp.path(), "plain-bucket", "compliance", "");
    let vault = tmp.path().join("vault");
    let out = init_in_bucket(&gw, &vault, &plain);
    assert_eq!(out.code, Some(2), "{}", out.describe());
    assert!(out.stderr.contains("does not have Object Lock enabled"), "{}", out.describe());
    assert!(!vault.exists(), "a refused init makes no folder");
    let config = gw.objects_config(tmp.path(), "matter-worm", "compliance", "");
    let args = argv!["init", &vault, "--matter", MATTER, "--examiner", EXAMINER, "--work-factor", "10", "--objects", &config];
    let out = run(custos_command(args.clone()).env_remove("AWS_ACCESS_KEY_ID").env_remove("AWS_SECRET_ACCESS_KEY").env("HOME", tmp.path()));
    assert_eq!(out.code, Some(2), "{}", out.describe());
    assert!(out.stderr.contains("no S3 credentials: set AWS_ACCESS_KEY_ID"), "{}", out.describe());
    let out = run(gw.credentials(&mut custos_command(args.clone())).env("AWS_SECRET_ACCESS_KEY", "not-the-secret"));
    assert_eq!(out.code, Some(2), "{}", out.describe());
    assert!(out.stderr.contains("refused the credentials"), "{}", out.describe());
    assert!(!vault.exists(), "a refused init makes no folder");

    init_in_bucket(&gw, &vault, &config).assert_success("init with the objects in a locked bucket");
    let cfg: serde_json::Value = serde_json::from_slice(&std::fs::read(vault.join("custos-vault.json")).unwrap()).unwrap();
    assert_eq!(cfg["version"], 2, "a vault whose objects are in a bucket is format 2, which older programs refuse");
    let config_text = std::fs::read_to_string(vault.join("custos-vault.json")).unwrap();
    assert!(!config_text.contains("matter-worm"), "the bucket is named only in the encrypted database");

    let src = tmp.path().join("src");
    write_file(&src.join("memo.txt"), b"Brandt downloaded the roadmap on 14 March.\n");
    write_file(&src.join("audit.csv"), b"time,user,action\n2026-03-14T09:12:00Z,brandt,download\n");
    // A mailbox: processing reads it from the bucket by ranges and puts
    // each message in as an exhibit of its own.
    write_file(
        &src.join("brandt.mbox"),
        "From erik@example.com Sat Mar 14 09:00:00 2026\nFrom: Erik Brandt <erik@example.com>\nTo: ceo@competitor.example\n\
         Subject: roadmap\nDate: Sat, 14 Mar 2026 09:00:00 +0000\n\nThe roadmap is on the stick.\n\n\
         From ceo@competitor.example Sat Mar 14 10:00:00 2026\nFrom: CEO <ceo@competitor.example>\nTo: Erik Brandt <erik@example.com>\n\
         Subject: Re: roadmap\nDate: Sat, 14 Mar 2026 10:00:00 +0000\n\nSee you at noon.\n",
    );
    let big: Vec<u8> = (0..20u32 << 20).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    write_file(&src.join("disk.img"), &big);
    custos_s3(&gw, argv!["add", &vault, &src]).assert_success("intake into the bucket");
    assert!(objects_in_folder(&vault).is_empty(), "no object stays in the vault folder: {:?}", objects_in_folder(&vault));

    // One vault to a bucket.
    let second = tmp.path().join("second");
    let out = init_in_bucket(&gw, &second, &config);
    assert_eq!(out.code, Some(2), "{}", out.describe());
    assert!(out.stderr.contains("already holds objects"), "{}", out.describe());
    assert!(!second.exists(), "a refused init makes no folder");

    // In the bucket: one version each, COMPLIANCE until about a day from now.
    let exhibits = exhibit_objects(&gw, &vault);
    assert_eq!(exhibits.len(), 6, "four files and the mailbox's two messages: {exhibits:?}");
    let versions = gw.versions("matter-worm");
    assert_eq!(versions.len(), 6, "one version per object: {versions:?}");
    for (_, name) in &exhibits {
        assert!(versions.iter().any(|(k, _)| k == name), "object {name} is in the bucket");
        // HEAD, since this AWS CLI cannot parse radosgw's nanosecond dates in GetObjectRetention.
        let r = gw.s3api(&["head-object", "--bucket", "matter-worm", "--key", name]);
        assert_eq!(r["ObjectLockMode"], "COMPLIANCE", "{r}");
        let until = chrono::DateTime::parse_from_rfc3339(r["ObjectLockRetainUntilDate"].as_str().unwrap()).unwrap();
        let left = until.signed_duration_since(chrono::Utc::now());
        assert!(left > chrono::Duration::hours(23) && left < chrono::Duration::hours(25), "retained one day: {until}");
    }
    let (big_id, big_object) = exhibits.iter().find(|(_, o)| {
        let h = gw.s3api(&["head-object", "--bucket", "matter-worm", "--key", o]);
        h["ContentLength"].as_u64().unwrap() > 20 << 20
    }).cloned().expect("the large exhibit");
    let head = gw.s3api(&["head-object", "--bucket", "matter-worm", "--key", &big_object]);
    assert!(head["ETag"].as_str().unwrap().contains('-'), "the large object went up in parts: {head}");

    // Whoever runs the bucket learns no case data: every object (all
    // versions, fetched with the AWS CLI) is ciphertext, named by its hash.
    let fetched = tmp.path().join("fetched");
    let out = gw.aws(&["s3", "cp", "--recursive", "--quiet", "s3://matter-worm/", fetched.to_str().unwrap()]);
    out.assert_success("aws s3 cp of the bucket");
    let files = files_under(&fetched);
    assert_eq!(files.len(), 6, "{files:?}");
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        assert!(bytes.starts_with(b"age-encryption.org/v1\n"), "{} is an age file", f.display());
        for plain in [&b"Brandt downloaded the roadmap"[..], b"brandt,download", b"roadmap is on the stick", b"ceo@competitor.example"] {
            assert!(find_all(&bytes, plain).is_empty(), "{} holds plaintext {:?}", f.display(), String::from_utf8_lossy(plain));
        }
        assert_eq!(sha256sum_one(f), f.file_name().unwrap().to_string_lossy(), "an object is named by the SHA-256 of its bytes");
    }

    // The server refuses to delete it or shorten its retention.
    let version = &versions.iter().find(|(k, _)| k == &big_object).unwrap().1;
    let del = gw.aws(&["s3api", "delete-object", "--bucket", "matter-worm", "--key", &big_object, "--version-id", version]);
    assert!(!del.status.success() && del.stderr.contains("AccessDenied"), "a locked object cannot be deleted: {}", del.describe());
    let shorten = gw.aws(&[
        "s3api", "put-object-retention", "--bucket", "matter-worm", "--key", &big_object, "--version-id", version,
        "--retention", "Mode=COMPLIANCE,RetainUntilDate=2026-01-01T00:00:00Z",
    ]);
    assert!(!shorten.status.success(), "COMPLIANCE retention cannot be shortened: {}", shorten.describe());

    // Written over by someone with the bucket's keys: a new version. Reads
    // still get the recorded version; verify says what happened.
    let forged = tmp.path().join("forged");
    std::fs::write(&forged, b"not the evidence").unwrap();
    gw.s3api(&["put-object", "--bucket", "matter-worm", "--key", &big_object, "--body", forged.to_str().unwrap()]);
    let out_file = tmp.path().join("extracted.img");
    custos_s3(&gw, argv!["extract", &vault, &big_id, "--out", &out_file]).assert_success("extract");
    assert!(std::fs::read(&out_file).unwrap() == big, "the exhibit read back is the one taken in, not the later version");
    let out = custos_s3(&gw, argv!["verify", &vault, "--json"]);
    let report = out.json();
    assert_eq!(out.code, Some(0), "the evidence is intact: {}", out.describe());
    assert!(
        finding_kinds(&report).contains(&("object_overwritten".into(), big_id.clone())),
        "verify reports the write over {big_id}: {report:#}"
    );

    // Wrong credentials on the vault: a clear error, nothing changed.
    let out = run(gw.credentials(&mut custos_command(argv!["verify", &vault])).env("AWS_SECRET_ACCESS_KEY", "not-the-secret"));
    assert_eq!(out.code, Some(2), "{}", out.describe());
    assert!(out.stderr.contains("refused the credentials"), "{}", out.describe());
}

#[test]
fn a_weakened_lock_a_lifted_hold_or_a_deleted_version_is_a_finding() {
    let gw = Radosgw::start(512);
    let tmp = tempfile::tempdir().unwrap();
    gw.create_bucket("matter-governed", true);
    let config = gw.objects_config(tmp.path(), "matter-governed", "governance", "legal_hold = true\n");
    let vault = tmp.path().join("vault");
    init_in_bucket(&gw, &vault, &config).assert_success("init, governance with legal hold");
    let src = tmp.path().join("src");
    write_file(&src.join("a.txt"), b"first exhibit\n");
    write_file(&src.join("b.txt"), b"second exhibit\n");
    custos_s3(&gw, argv!["add", &vault, &src]).assert_success("intake");
    let exhibits = exhibit_objects(&gw, &vault);
    let (a_id, a) = exhibits[0].clone();
    let (b_id, b) = exhibits[1].clone();
    let head = gw.s3api(&["head-object", "--bucket", "matter-governed", "--key", &a]);
    assert_eq!((head["ObjectLockMode"].as_str(), head["ObjectLockLegalHoldStatus"].as_str()), (Some("GOVERNANCE"), Some("ON")), "{head}");
    let out = custos_s3(&gw, argv!["verify", &vault, "--json"]);
    assert_eq!(out.code, Some(0), "the vault verifies before the attack: {}", out.describe());
    assert!(finding_kinds(&out.json()).is_empty(), "no finding before the attack: {}", out.stdout);

    // Someone allowed to bypass governance shortens a's retention and lifts its hold.
    gw.s3api(&["put-object-legal-hold", "--bucket", "matter-governed", "--key", &a, "--legal-hold", "Status=OFF"]);
    let soon = (chrono::Utc::now() + chrono::Duration::minutes(10)).format("%Y-%m-%dT%H:%M:%SZ").to_string();
    gw.s3api(&[
        "put-object-retention", "--bucket", "matter-governed", "--key", &a, "--bypass-governance-retention",
        "--retention", &format!("Mode=GOVERNANCE,RetainUntilDate={soon}"),
    ]);
    // And deletes b's version outright.
    gw.s3api(&["put-object-legal-hold", "--bucket", "matter-governed", "--key", &b, "--legal-hold", "Status=OFF"]);
    let b_version = gw.versions("matter-governed").into_iter().find(|(k, _)| k == &b).unwrap().1;
    gw.s3api(&["delete-object", "--bucket", "matter-governed", "--key", &b, "--version-id", &b_version, "--bypass-governance-retention"]);

    let out = custos_s3(&gw, argv!["verify", &vault, "--json"]);
    assert_eq!(out.code, Some(1), "verify fails: {}", out.describe());
    let report = out.json();
    let kinds = finding_kinds(&report);
    assert!(kinds.contains(&("object_lock_weakened".into(), a_id.clone())), "{report:#}");
    let weakened = report["findings"].as_array().unwrap().iter().find(|f| f["kind"] == "object_lock_weakened").unwrap();
    let message = weakened["message"].as_str().unwrap();
    assert!(message.contains("retention was shortened") && message.contains("legal hold was lifted"), "{message}");
    assert!(kinds.contains(&("object_version_missing".into(), b_id.clone())), "{report:#}");
    assert!(kinds.contains(&("object_missing".into(), b_id.clone())) || kinds.contains(&("object_unreadable".into(), b_id.clone())), "{report:#}");
    assert!(!kinds.iter().any(|(_, e)| e != &a_id && e != &b_id && !e.is_empty()), "only the attacked exhibits: {report:#}");

}

#[test]
fn an_intake_killed_or_cut_off_from_its_server_leaves_nothing_half_recorded() {
    let gw = Radosgw::start(1024);
    let tmp = tempfile::tempdir().unwrap();
    gw.create_bucket("matter-intake", true);
    let config = gw.objects_config(tmp.path(), "matter-intake", "compliance", "");
    let vault = tmp.path().join("vault");
    init_in_bucket(&gw, &vault, &config).assert_success("init");

    // Killed (as by kill -9) after its second batch's objects are in the
    // bucket, before their rows are committed.
    let src = tmp.path().join("batch");
    for i in 0..300 {
        write_file(&src.join(format!("f{i:04}.txt")), format!("file {i} of the first intake\n"));
    }
    let out = run(gw.credentials(&mut custos_command(argv!["add", &vault, &src])).env("CUSTOS_FAILPOINT", "intake.before_commit=crash@2"));
    assert!(out.code.is_none() || out.code == Some(134), "the intake is killed: {}", out.describe());
    let acked: Vec<String> = out.stdout.lines().filter(|l| l.starts_with("stored ")).map(|l| l.split_whitespace().nth(1).unwrap().to_string()).collect();
    assert!(!acked.is_empty() && acked.len() < 300, "one batch acknowledged: {}", acked.len());
    let listed: Vec<String> = custos_s3(&gw, argv!["list", &vault, "--json"]).json().as_array().unwrap().iter().map(|e| str_field(e, "id").to_string()).collect();
    assert_eq!(listed, acked, "exactly the acknowledged exhibits are in the vault");
    let in_bucket = gw.versions("matter-intake").len();
    assert!(in_bucket > acked.len(), "the killed batch's objects reached the bucket ({in_bucket})");
    let out = custos_s3(&gw, argv!["verify", &vault, "--json"]);
    assert_eq!(out.code, Some(0), "{}", out.describe());
    let kinds = finding_kinds(&out.json());
    let strays = kinds.iter().filter(|(k, _)| k == "stray_bucket_object").count();
    assert_eq!(strays, in_bucket - acked.len(), "each object the killed batch left is reported, as logged: {kinds:?}");
    let log = custos_s3(&gw, argv!["log", &vault, "--json"]);
    assert!(log.stdout.contains("left in the write-once bucket"), "the reopening logged them");

    // The server goes away in the middle of an intake.
    let src = tmp.path().join("many");
    for i in 0..3000 {
        write_file(&src.join(format!("g{i:05}.txt")), format!("file {i} of the second intake\n"));
    }
    let before = gw.puts();
    let mut child = gw.credentials(&mut custos_command(argv!["add", &vault, &src])).stdout(Stdio::piped()).spawn().unwrap();
    let stdout = read_all_in_thread(child.stdout.take().unwrap());
    let stderr = read_all_in_thread(child.stderr.take().unwrap());
    let t = Instant::now();
    while gw.puts() < before + 300 {
        assert!(t.elapsed() < Duration::from_secs(120), "the intake uploads");
        std::thread::sleep(Duration::from_millis(20));
    }
    gw.gateway_stop();
    let status = wait_with_timeout(&mut child, Duration::from_secs(300), "the cut-off intake");
    let (stdout, stderr) = (String::from_utf8_lossy(&stdout.join().unwrap()).into_owned(), String::from_utf8_lossy(&stderr.join().unwrap()).into_owned());
    assert_eq!(status.code(), Some(2), "the intake stops with an error: {stderr}");
    assert!(stderr.contains("cannot be reached"), "the error says the server cannot be reached: {stderr}");
    let acked_now: Vec<&str> = stdout.lines().filter(|l| l.starts_with("stored ")).collect();
    assert!(acked_now.len() < 3000, "it stopped part way");
    gw.gateway_start();
    let listed = custos_s3(&gw, argv!["list", &vault, "--json"]).json().as_array().unwrap().len();
    assert_eq!(listed, acked.len() + acked_now.len(), "every acknowledged file is an exhibit, and nothing else");
    let out = custos_s3(&gw, argv!["verify", &vault, "--json"]);
    assert_eq!(out.code, Some(0), "the vault verifies after the server comes back: {}", out.describe());
}

#[test]
fn a_folder_vault_moves_its_objects_into_the_bucket_and_its_log_still_verifies() {
    let gw = Radosgw::start(512);
    let tmp = tempfile::tempdir().unwrap();
    let vault = init_vault(&tmp.path().join("vault"));
    let src = tmp.path().join("src");
    write_file(&src.join("memo.txt"), b"Brandt met the CEO on 14 March.\n");
    let big: Vec<u8> = (0..18u32 << 20).map(|i| (i.wrapping_mul(40_503) >> 7) as u8).collect();
    write_file(&src.join("disk.img"), &big);
    add_ok(&vault, &[&src]);
    let kept = tmp.path().join("kept.json");
    let out = custos(argv!["checkpoint", &vault]);
    out.assert_success("checkpoint before the move");
    std::fs::write(&kept, &out.stdout).unwrap();
    let before = objects_in_folder(&vault);
    assert_eq!(before.len(), 2);

    // A bucket holding someone else's objects is refused, and nothing changes.
    gw.create_bucket("shared-bucket", true);
    let other = tmp.path().join("other.txt");
    std::fs::write(&other, b"someone else's").unwrap();
    gw.s3api(&["put-object", "--bucket", "shared-bucket", "--key", "theirs", "--body", other.to_str().unwrap()]);
    let shared = gw.objects_config(tmp.path(), "shared-bucket", "compliance", "");
    let out = custos_s3(&gw, argv!["migrate", &vault, "--to", &shared]);
    assert_eq!(out.code, Some(2), "{}", out.describe());
    assert!(out.stderr.contains("already holds objects"), "{}", out.describe());
    assert_eq!(objects_in_folder(&vault), before, "the refused move leaves the objects where they were");

    gw.create_bucket("matter-moved", true);
    let config = gw.objects_config(tmp.path(), "matter-moved", "compliance", "");
    // Killed after the uploads, before the commit: still a folder vault.
    let out = run(gw.credentials(&mut custos_command(argv!["migrate", &vault, "--to", &config])).env("CUSTOS_FAILPOINT", "move.uploaded=crash"));
    assert!(out.code.is_none() || out.code == Some(134), "killed: {}", out.describe());
    assert_eq!(gw.versions("matter-moved").len(), 2, "the uploads reached the bucket");
    assert_eq!(objects_in_folder(&vault), before, "the folder still holds the objects");
    assert_verifies(&vault, false, "a folder vault still");
    // Killed after the commit, before the folder's copies went: the next
    // opening removes them. The second move accepts the first one's uploads.
    let out = run(gw.credentials(&mut custos_command(argv!["migrate", &vault, "--to", &config])).env("CUSTOS_FAILPOINT", "move.committed=crash"));
    assert!(out.code.is_none() || out.code == Some(134), "killed: {}", out.describe());
    assert_eq!(objects_in_folder(&vault), before, "the copies are still there");
    custos_s3(&gw, argv!["list", &vault]).assert_success("list opens the vault");
    assert!(objects_in_folder(&vault).is_empty(), "opening removed the folder's copies: {:?}", objects_in_folder(&vault));
    let log = custos_s3(&gw, argv!["log", &vault, "--json"]);
    assert_eq!(log.stdout.matches("objects_moved").count(), 1, "one move, logged once");
    let cfg: serde_json::Value = serde_json::from_slice(&std::fs::read(vault.join("custos-vault.json")).unwrap()).unwrap();
    assert_eq!(cfg["version"], 2);
    let versions = gw.versions("matter-moved");
    assert_eq!(versions.len(), 2, "{versions:?}");
    for (name, _) in &versions {
        assert!(before.iter().any(|p| p.file_name().unwrap().to_string_lossy() == *name), "the same objects, not re-encrypted");
        let h = gw.s3api(&["head-object", "--bucket", "matter-moved", "--key", name]);
        assert_eq!(h["ObjectLockMode"], "COMPLIANCE", "{h}");
    }

    // The log verifies against the checkpoint kept before the move, and says what happened.
    let out = custos_s3(&gw, argv!["verify", &vault, "--checkpoint", &kept, "--json"]);
    assert_eq!(out.code, Some(0), "{}", out.describe());
    assert!(finding_kinds(&out.json()).is_empty(), "{}", out.stdout);
    let log = custos_s3(&gw, argv!["log", &vault, "--json"]);
    assert!(log.stdout.contains("objects_moved") && log.stdout.contains("matter-moved"), "the move is a custody event");
    let exhibits = exhibit_objects(&gw, &vault);
    let out_file = tmp.path().join("back.img");
    let (big_id, _) = exhibits.iter().find(|(id, _)| {
        let shown = custos_s3(&gw, argv!["show", &vault, id, "--json"]).json();
        shown["size"].as_u64() == Some(big.len() as u64)
    }).cloned().expect("the large exhibit");
    custos_s3(&gw, argv!["extract", &vault, &big_id, "--out", &out_file]).assert_success("extract from the bucket");
    assert!(std::fs::read(&out_file).unwrap() == big, "the exhibit read back from the bucket is the one taken in");

    let out = custos_s3(&gw, argv!["migrate", &vault, "--to", &config]);
    assert_eq!(out.code, Some(2), "{}", out.describe());
    assert!(out.stderr.contains("already in the bucket"), "{}", out.describe());
}
