//! Fault injection at every step of the write orders (DESIGN.md sections 3
//! and 6, the passphrase change, recovery on open, import), and kill -9
//! trials during intake and export. After each fault: the vault opens and
//! verifies, every acknowledged exhibit is there, the operation rolled fully
//! forward or fully back, and nothing is on disk that the custody log does
//! not account for (no partial object, no plaintext partial output, no
//! unlogged bundle).
//!
//! The `custos` binary of the tests is built with the `failpoints` feature:
//! `CUSTOS_FAILPOINT=NAME=error|crash` makes the step named fail or abort.

#[macro_use]
mod common;

use common::*;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CANARY: &str = "CANARY-7f3c1e-plaintext-marker";

/// `custos ARGS…` with one failpoint armed.
fn custos_failing(args: Vec<std::ffi::OsString>, failpoint: &str) -> Output {
    let mut cmd = custos_command(args);
    cmd.env("CUSTOS_FAILPOINT", failpoint);
    run(&mut cmd)
}

/// Exit status of a process that aborted (SIGABRT): no code.
fn crashed(out: &Output) -> bool {
    out.code.is_none()
}

/// A vault holding two exhibits whose content carries the canary; returns
/// the vault and the sources folder.
fn vault_with_two(tmp: &Path) -> (PathBuf, PathBuf) {
    let vault = init_vault(&tmp.join("vault"));
    let src = tmp.join("src");
    write_file(&src.join("memo.txt"), format!("{CANARY} memo\n"));
    write_file(&src.join("ledger.csv"), format!("{CANARY},1\n"));
    custos(argv!["add", &vault, &src]).assert_success("the first intake");
    (vault, src)
}

/// Custody events of one action.
fn events_of(vault: &Path, action: &str) -> Vec<serde_json::Value> {
    let out = custos(argv!["log", vault, "--json"]);
    out.assert_success("log --json");
    out.json().as_array().expect("an array of events").iter().filter(|e| e["action"] == action).cloned().collect()
}

/// The vault verifies (full) with no finding at all, and holds no partial
/// object, journal or unlogged quarantine; returns the exhibits by SHA-256.
#[track_caller]
fn assert_clean(vault: &Path, context: &str) -> BTreeSet<String> {
    let report = assert_verifies(vault, true, context);
    let findings = report["findings"].as_array().expect("findings");
    assert!(findings.is_empty(), "{context}: no finding may remain after recovery: {findings:#?}");
    for prefix in [".partial-", ".intake-"] {
        let left = entries_named(&vault.join("objects"), prefix);
        assert!(left.is_empty(), "{context}: {prefix} files must be gone after reopening: {left:?}");
    }
    assert!(entries_named(vault, "passphrase.age.new").is_empty(), "{context}: no pending key file may remain");
    let temps = entries_named(vault, ".tmp-");
    assert!(temps.is_empty(), "{context}: no unfinished atomic write may remain: {temps:?}");
    let pending = files_under(&vault.join("pending"));
    assert!(pending.is_empty(), "{context}: no record of a partial output may remain: {pending:?}");
    list_json(vault).iter().map(|e| str_field(e, "sha256").to_string()).collect()
}

/// No file under `dir` holds the canary, other than `allowed`.
#[track_caller]
fn assert_no_canary(dir: &Path, allowed: Option<&Path>, context: &str) {
    for f in files_under(dir) {
        if Some(f.as_path()) == allowed {
            continue;
        }
        let bytes = std::fs::read(&f).unwrap();
        assert!(find_all(&bytes, CANARY.as_bytes()).is_empty(), "{context}: plaintext left in {}", f.display());
    }
}

#[test]
fn every_intake_step_rolls_forward_or_back() {
    let points = ["object.journaled", "intake.installed", "intake.durable", "intake.before_commit", "intake.committed"];
    for point in points {
        for mode in ["error", "crash"] {
            let context = format!("intake failing at {point} ({mode})");
            let tmp = tempfile::tempdir().unwrap();
            let (vault, _) = vault_with_two(tmp.path());
            let before = assert_clean(&vault, &format!("{context}, before"));
            let batch = tmp.path().join("batch");
            for i in 0..3 {
                write_file(&batch.join(format!("n{i}.bin")), format!("new content {i} {point} {mode}"));
            }
            let out = custos_failing(argv!["add", &vault, &batch], &format!("{point}={mode}"));
            assert!(out.code != Some(0), "{context}: the command must not report success: {}", out.describe());
            if mode == "crash" {
                assert!(crashed(&out), "{context}: the failpoint must be reached: {}", out.describe());
            }
            let after = assert_clean(&vault, &context);
            assert!(after.is_superset(&before), "{context}: every earlier acknowledged exhibit is still there");
            let added = after.len() - before.len();
            // Committed, the batch is all in; before that, all out. A failure
            // placing one file fails that file only (reported), the rest go in.
            let expected = match (point, mode) {
                ("intake.committed", _) => 3,
                ("object.journaled", "error") => 2,
                _ => 0,
            };
            assert_eq!(added, expected, "{context}: the batch is all in or all out");
            // Whatever was put in place and not committed is in quarantine, logged.
            let objects = files_under(&vault.join("objects")).len();
            assert_eq!(objects, after.len(), "{context}: one object per exhibit, no stray left among them");
            // The same files can be taken in again afterwards.
            custos(argv!["add", &vault, &batch]).assert_success(&format!("{context}: intake after recovery"));
            assert_eq!(assert_clean(&vault, &context).len(), before.len() + 3);
        }
    }
}

#[test]
fn every_export_step_leaves_no_plaintext_and_nothing_unlogged() {
    let points = ["export.recorded", "export.written", "export.renamed", "export.logged"];
    for point in points {
        for mode in ["error", "crash"] {
            let context = format!("export failing at {point} ({mode})");
            let tmp = tempfile::tempdir().unwrap();
            let (vault, _) = vault_with_two(tmp.path());
            let out_dir = tmp.path().join("out");
            std::fs::create_dir_all(&out_dir).unwrap();
            let bundle = out_dir.join("prod.zip");
            let db_before = snapshot(&vault.join("db"));
            let out = custos_failing(argv!["export", &vault, "--out", &bundle], &format!("{point}={mode}"));
            assert!(out.code != Some(0), "{context}: the command must not report success: {}", out.describe());
            if mode == "error" && point != "export.logged" {
                assert!(!bundle.exists(), "{context}: a failed export leaves no bundle");
                assert_eq!(
                    snapshot_diff(&db_before, &snapshot(&vault.join("db"))),
                    Vec::<String>::new(),
                    "{context}: a failed export leaves the database as it was (no unlock event either)"
                );
                assert!(files_under(&vault.join("pending")).is_empty(), "{context}: the record of its partial is gone");
            }
            // Reopening cleans up what a crash left.
            assert_clean(&vault, &context);
            let partials = entries_named(&out_dir, ".custos-partial-");
            assert!(partials.is_empty(), "{context}: no partial bundle may be left: {partials:?}");
            let exported = events_of(&vault, "exported");
            if bundle.exists() {
                assert_eq!(exported.len(), 2, "{context}: a bundle that stands is logged, one event per exhibit");
            } else {
                assert!(exported.is_empty(), "{context}: no bundle, no export event");
            }
            assert_no_canary(&out_dir, bundle.exists().then_some(bundle.as_path()), &context);
            // A crash once the partial exists (or once the bundle is in place unlogged) leaves something to remove.
            if mode == "crash" && matches!(point, "export.written" | "export.renamed") {
                assert!(!events_of(&vault, "partial_output_removed").is_empty(), "{context}: the cleanup is logged");
            }
        }
    }
}

#[test]
fn an_interrupted_passphrase_change_is_finished_or_dropped() {
    const NEW: &str = "the new passphrase, long enough";
    for (point, forward) in [("passwd.written", false), ("passwd.logged", true)] {
        for mode in ["error", "crash"] {
            let context = format!("passphrase change failing at {point} ({mode})");
            let tmp = tempfile::tempdir().unwrap();
            let (vault, _) = vault_with_two(tmp.path());
            let mut cmd = custos_command(argv!["passwd", &vault]);
            cmd.env("CUSTOS_NEW_PASSPHRASE", NEW).env("CUSTOS_FAILPOINT", format!("{point}={mode}"));
            let out = run(&mut cmd);
            assert!(out.code != Some(0), "{context}: {}", out.describe());
            // Logged, the change stands (error or crash); not logged, it is dropped.
            let (works, fails) = if forward { (NEW, PASSPHRASE) } else { (PASSPHRASE, NEW) };
            let open_with = |p: &str| run(custos_command(argv!["list", &vault, "--json"]).env("CUSTOS_PASSPHRASE", p));
            let ok = open_with(works);
            assert_eq!(ok.code, Some(0), "{context}: the {} passphrase opens the vault: {}", if forward { "new" } else { "old" }, ok.describe());
            let no = open_with(fails);
            assert_eq!(no.code, Some(3), "{context}: the other one does not: {}", no.describe());
            let logged = {
                let mut c = custos_command(argv!["log", &vault, "--json"]);
                c.env("CUSTOS_PASSPHRASE", works);
                let out = run(&mut c);
                out.json().as_array().unwrap().iter().filter(|e| e["action"] == "passphrase_changed").count()
            };
            assert_eq!(logged, usize::from(forward), "{context}: the log says what happened");
            assert!(!vault.join("keys/passphrase.age.new").exists(), "{context}: no pending key file is left");
        }
    }
}

#[test]
fn a_crash_after_recovery_is_logged_but_before_it_is_done_is_finished_later() {
    let tmp = tempfile::tempdir().unwrap();
    let (vault, _) = vault_with_two(tmp.path());
    let batch = tmp.path().join("batch");
    write_file(&batch.join("a.bin"), "stray to be");
    let out = custos_failing(argv!["add", &vault, &batch], "intake.before_commit=crash");
    assert!(crashed(&out), "{}", out.describe());
    assert_eq!(entries_named(&vault.join("objects"), ".intake-").len(), 1, "the journal names the object put in place");
    let out = custos_failing(argv!["list", &vault], "open.recovery_logged=crash");
    assert!(crashed(&out), "{}", out.describe());
    let sums = assert_clean(&vault, "after the second open");
    assert_eq!(sums.len(), 2);
    assert_eq!(files_under(&vault.join("quarantine")).len(), 1, "the stray is in quarantine");
}

#[test]
fn every_import_step_rolls_forward_or_back() {
    let tmp = tempfile::tempdir().unwrap();
    let (producer, _) = vault_with_two(tmp.path());
    let bundle = tmp.path().join("prod.zip");
    custos(argv!["export", &producer, "--out", &bundle]).assert_success("export");
    for point in ["object.journaled", "import.before_commit", "import.committed"] {
        for mode in ["error", "crash"] {
            let context = format!("import failing at {point} ({mode})");
            let receiver = init_vault(&tmp.path().join(format!("recv-{}-{mode}", point.replace('.', "-"))));
            let out = custos_failing(argv!["import-bundle", &receiver, &bundle], &format!("{point}={mode}"));
            assert!(out.code != Some(0), "{context}: {}", out.describe());
            let got = assert_clean(&receiver, &context);
            let forward = point == "import.committed";
            assert_eq!(got.len(), usize::from(forward), "{context}: the exhibit being taken in is all in or all out");
            assert_eq!(events_of(&receiver, "received").len(), got.len(), "{context}: each exhibit held was logged as received");
            custos(argv!["import-bundle", &receiver, &bundle]).assert_success(&format!("{context}: import after recovery"));
            assert_eq!(assert_clean(&receiver, &context).len(), 2);
        }
    }
}

/// Starts `custos ARGS…` and kills it with SIGKILL after `delay` (if it is
/// still running); returns whether it was killed and its stdout.
fn run_and_kill(args: Vec<std::ffi::OsString>, delay: Duration) -> (bool, String) {
    let mut child = Command::new(custos_bin())
        .args(args)
        .env("CUSTOS_PASSPHRASE", PASSPHRASE)
        .env_remove("CUSTOS_FAILPOINT")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start custos");
    let stdout = read_all_in_thread(child.stdout.take().unwrap());
    let deadline = Instant::now() + delay;
    let killed = loop {
        if child.try_wait().expect("poll").is_some() {
            break false;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            break true;
        }
        std::thread::sleep(Duration::from_millis(1));
    };
    wait_with_timeout(&mut child, Duration::from_secs(60), "custos after a kill");
    (killed, String::from_utf8_lossy(&stdout.join().unwrap()).into_owned())
}

/// How long a command usually takes, to spread the kills over it.
fn timed(args: Vec<std::ffi::OsString>) -> Duration {
    let t = Instant::now();
    custos(args).assert_success("a timing run");
    t.elapsed()
}

/// kill -9 at random moments of many exports and intakes (at least 200
/// trials a run between them): each time the vault opens, verifies, holds
/// every acknowledged exhibit, and no plaintext or unlogged bundle remains.
#[test]
fn kill_minus_nine_during_export_and_intake() {
    let trials: usize = std::env::var("CUSTOS_KILL_TRIALS").ok().and_then(|v| v.parse().ok()).unwrap_or(110);
    let seed = Rng::seed_from_env("CUSTOS_CRASH_SEED");
    let mut rng = Rng::new(seed);
    let tmp = tempfile::tempdir().unwrap();
    let (vault, src) = vault_with_two(tmp.path());
    for i in 0..6 {
        write_file(&src.join(format!("more-{i}.txt")), format!("{CANARY} more {i}\n").repeat(200 * (i + 1)));
    }
    custos(argv!["add", &vault, &src]).assert_success("the intake");
    let out_dir = tmp.path().join("out");
    std::fs::create_dir_all(&out_dir).unwrap();
    let export_time = timed(argv!["export", &vault, "--out", out_dir.join("timing.zip")]);

    let mut killed_exports = 0;
    for trial in 0..trials {
        let context = format!("export trial {trial} (seed {seed})");
        let bundle = out_dir.join(format!("p{trial}.zip"));
        let delay = Duration::from_micros(rng.range(0, export_time.as_micros() as u64 + 1));
        let (killed, _) = run_and_kill(argv!["export", &vault, "--out", &bundle], delay);
        killed_exports += usize::from(killed);
        // Opening cleans up; a quick verify per trial, a full one at the end.
        let (out, report) = verify_json(&vault, false);
        assert_eq!(out.code, Some(0), "{context}: {report:#}");
        let partials = entries_named(&out_dir, ".custos-partial-");
        assert!(partials.is_empty(), "{context}: a partial bundle was left: {partials:?}");
    }
    // Every bundle that stands was logged.
    let logged: BTreeSet<String> =
        events_of(&vault, "exported").iter().map(|e| e["details"]["destination"].as_str().unwrap().to_string()).collect();
    for f in files_under(&out_dir) {
        let abs = std::path::absolute(&f).unwrap().to_string_lossy().into_owned();
        assert!(logged.contains(&abs), "{} stands but its export was never logged (seed {seed})", f.display());
    }
    assert_clean(&vault, "after the export trials");

    let mut killed_intakes = 0;
    let mut acknowledged: BTreeSet<String> = BTreeSet::new();
    let batch = tmp.path().join("batch");
    for trial in 0..trials {
        let context = format!("intake trial {trial} (seed {seed})");
        for j in 0..4 {
            let len = rng.range(0, 8 * 1024) as usize;
            write_file(&batch.join(format!("t{trial}-{j}.bin")), rng.bytes(len));
        }
        let delay = Duration::from_micros(rng.range(0, 60_000));
        let (killed, stdout) = run_and_kill(argv!["add", &vault, &batch], delay);
        killed_intakes += usize::from(killed);
        for line in stdout.lines() {
            if let Some(sha) = line.split_whitespace().nth(2) {
                acknowledged.insert(sha.to_string());
            }
        }
        let (out, report) = verify_json(&vault, false);
        assert_eq!(out.code, Some(0), "{context}: {report:#}");
    }
    let held = assert_clean(&vault, "after the intake trials");
    let lost: Vec<_> = acknowledged.difference(&held).collect();
    assert!(lost.is_empty(), "acknowledged exhibits lost (seed {seed}): {lost:?}");
    assert!(
        killed_exports + killed_intakes >= trials,
        "most trials must really kill a running command: {killed_exports} exports and {killed_intakes} intakes of {} trials each",
        trials
    );
}
