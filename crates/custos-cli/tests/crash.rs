//! Crash and cancellation during intake: an exhibit that `custos add`
//! acknowledged must survive the process being killed at any moment, the
//! vault must verify clean afterwards, and Ctrl-C must stop an intake
//! without leaving anything half-written (DESIGN.md section 3).

#[macro_use]
mod common;

use common::*;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

/// Small files in the source folder (plus the new ones of each round).
const SMALL_FILES: usize = 400;
/// Largest small file.
const SMALL_MAX: u64 = 64 * 1024;
/// Large files, big enough to take the threaded path of the intake pipeline.
const BIG_FILES: usize = 3;
const BIG_SIZE: u64 = 8 << 20;
/// How many intakes must be killed while running.
const MIN_KILLS: usize = 25;
/// Rounds allowed to reach [`MIN_KILLS`] (some intakes may end before their kill).
const MAX_ROUNDS: usize = 60;
/// The longest delay before a kill.
const MAX_KILL_DELAY: Duration = Duration::from_millis(600);
/// Fresh small files dropped into the source before each round, so later
/// rounds still have new content to store rather than only duplicates.
const NEW_FILES_PER_ROUND: usize = 4;
/// Longest a single command may take before the test fails rather than hangs.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(120);

/// One line `custos add` printed on standard output.
#[derive(Debug, Clone)]
struct Ack {
    stored: bool,
    id: String,
    sha256: String,
}

/// Parses the acknowledgement lines of `custos add` (`stored|duplicate ID SHA256 PATH`).
fn parse_acks(lines: &[String], context: &str) -> Vec<Ack> {
    lines
        .iter()
        .map(|l| {
            let mut w = l.split_whitespace();
            let (kind, id, sha) = (w.next(), w.next(), w.next());
            let stored = match kind {
                Some("stored") => true,
                Some("duplicate") => false,
                _ => panic!(
                    "{context}: every stdout line of `add` must be a `stored` or `duplicate` acknowledgement, got {l:?}"
                ),
            };
            let (Some(id), Some(sha)) = (id, sha) else {
                panic!("{context}: an acknowledgement must name the exhibit and its SHA-256, got {l:?}")
            };
            assert!(is_sha256_hex(sha), "{context}: an acknowledgement must carry a full SHA-256, got {l:?}");
            Ack { stored, id: id.to_string(), sha256: sha.to_string() }
        })
        .collect()
}

/// The number of an exhibit id such as `EX-0042`.
fn exhibit_number(id: &str) -> u64 {
    id.rsplit('-')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("exhibit id {id:?} should end in a number"))
}

/// What `list --json` says, keyed by plaintext SHA-256: (id, size).
fn listed_by_sha(vault: &Path, context: &str) -> BTreeMap<String, (String, u64)> {
    let list = list_json(vault);
    let mut out = BTreeMap::new();
    for e in &list {
        let sha = str_field(e, "sha256").to_string();
        let id = str_field(e, "id").to_string();
        let size = e["size"].as_u64().unwrap_or_else(|| panic!("{context}: an exhibit's size should be a number: {e}"));
        let before = out.insert(sha.clone(), (id, size));
        assert!(before.is_none(), "{context}: one content must be one exhibit, but {sha} is listed twice");
    }
    out
}

/// Writes a small file with random content not seen before.
fn write_distinct_small(path: &Path, rng: &mut Rng, seen: &mut HashSet<Vec<u8>>, size: Option<u64>) {
    loop {
        let len = size.unwrap_or_else(|| rng.range(0, SMALL_MAX));
        let bytes = rng.bytes(len as usize);
        if seen.insert(bytes.clone()) {
            write_file(path, &bytes);
            return;
        }
    }
}

/// A random file name in one of a few folders, so new files land at random
/// places in the (sorted) intake order.
fn random_small_path(src: &Path, rng: &mut Rng, tag: &str) -> PathBuf {
    let dir = format!("d{}", rng.range(0, 3));
    src.join(dir).join(format!("{}-{tag}.bin", rng.hex(4)))
}

/// No `.partial-` file under the vault's objects.
fn assert_no_partials(vault: &Path, context: &str) {
    let partials = entries_named(&vault.join("objects"), ".partial-");
    assert!(
        partials.is_empty(),
        "{context}: no half-written object may be left in objects/ (opening the vault removes them, cancelling must too): {partials:?}"
    );
}

#[test]
fn kill_minus_nine_during_intake_loses_no_acknowledged_exhibit() {
    let started = Instant::now();
    let seed = Rng::seed_from_env("CUSTOS_CRASH_SEED");
    let mut rng = Rng::new(seed);
    let tmp = tempfile::tempdir().expect("a temp folder");
    let vault = init_vault(&tmp.path().join("vault"));
    let src = tmp.path().join("src");

    let mut seen = HashSet::new();
    for i in 0..SMALL_FILES {
        let path = random_small_path(&src, &mut rng, &format!("{i:03}"));
        // One empty file on purpose: the smallest edge of the size range.
        write_distinct_small(&path, &mut rng, &mut seen, (i == 0).then_some(0));
    }
    for i in 0..BIG_FILES {
        let path = src.join(format!("d{i}")).join(format!("{}-big{i}.bin", rng.hex(4)));
        write_random_file(&path, BIG_SIZE, &mut rng);
    }

    // What was acknowledged, across all rounds: SHA-256 -> exhibit id.
    let mut acked: BTreeMap<String, String> = BTreeMap::new();
    let mut acked_stored: BTreeSet<String> = BTreeSet::new();
    // Exhibits committed by a round killed after its commit but before it
    // printed them (a window of microseconds between commit and output).
    let mut committed_unacked: BTreeSet<String> = BTreeSet::new();
    let mut committed_unacked_total = 0usize;
    let mut prev_listed: BTreeSet<String> = BTreeSet::new();
    let mut killed_rounds = 0;
    let mut stored_then_killed = 0usize;
    let mut hashed: HashSet<PathBuf> = HashSet::new();
    let mut source_sha: BTreeMap<String, u64> = BTreeMap::new();

    // Shortest whole intake seen so far, from the start and from the first
    // acknowledgement: the kill delay is kept below them, so that as the
    // vault fills up (and intakes get quicker or slower with the machine's
    // load) the kills still land in a running process.
    let mut shortest_from_start: Option<Duration> = None;
    let mut shortest_from_ack: Option<Duration> = None;
    let mut round = 0;
    while killed_rounds < MIN_KILLS {
        assert!(
            round < MAX_ROUNDS,
            "only {killed_rounds} of {round} intakes were still running when killed (seed {seed}); the test needs {MIN_KILLS}"
        );
        for k in 0..NEW_FILES_PER_ROUND {
            let path = random_small_path(&src, &mut rng, &format!("r{round}-{k}"));
            write_distinct_small(&path, &mut rng, &mut seen, None);
        }
        // SHA-256 and size of every source file (only new files are hashed).
        let new_files: Vec<PathBuf> = files_under(&src).into_iter().filter(|p| !hashed.contains(p)).collect();
        for (h, p) in sha256sum(&new_files).into_iter().zip(&new_files) {
            source_sha.insert(h, std::fs::metadata(p).expect("stat a source file").len());
            hashed.insert(p.clone());
        }
        // Even rounds count the delay from the start of the process (kills
        // during unlock, recovery and the first batch). A batch is committed
        // only after 256 files or one second, so on a slow machine those
        // kills would rarely follow an acknowledgement; odd rounds therefore
        // count the delay from the run's first acknowledgement (kills while
        // acknowledging, between batches and within later ones).
        let after_first_ack = round % 2 == 1;
        let shortest = if after_first_ack { shortest_from_ack } else { shortest_from_start };
        let cap = shortest.map_or(MAX_KILL_DELAY, |d| MAX_KILL_DELAY.min(d.mul_f64(0.8)));
        let delay = Duration::from_micros(rng.range(0, cap.as_micros() as u64));
        let context = format!(
            "round {round} (seed {seed}, kill {delay:.1?} after {})",
            if after_first_ack { "the first acknowledgement" } else { "the start" }
        );

        let spawned = Instant::now();
        let mut child = custos_command(argv!["add", &vault, &src]).spawn().expect("custos add should start");
        // One message per line; disconnected once stdout closes (the process ended).
        let (line_tx, line_rx) = mpsc::channel::<()>();
        let lines = read_lines_in_thread(child.stdout.take().expect("piped stdout"), move |_| {
            let _ = line_tx.send(());
        });
        let stderr = read_all_in_thread(child.stderr.take().expect("piped stderr"));
        let mut ended_at: Option<Instant> = None;
        let mut first_ack_at: Option<Instant> = None;
        if after_first_ack {
            match line_rx.recv_timeout(COMMAND_TIMEOUT) {
                Ok(()) => first_ack_at = Some(Instant::now()),
                Err(RecvTimeoutError::Disconnected) => ended_at = Some(Instant::now()),
                Err(RecvTimeoutError::Timeout) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!("{context}: custos add acknowledged nothing within {COMMAND_TIMEOUT:?}");
                }
            }
        }
        let kill_at = first_ack_at.unwrap_or(spawned) + delay;
        while ended_at.is_none() {
            match line_rx.recv_timeout(kill_at.saturating_duration_since(Instant::now())) {
                Ok(()) => continue,
                Err(RecvTimeoutError::Disconnected) => ended_at = Some(Instant::now()),
                Err(RecvTimeoutError::Timeout) => break,
            }
        }
        // SIGKILL: no handler runs, nothing is flushed or cleaned up.
        child.kill().expect("SIGKILL custos add");
        let status = wait_with_timeout(&mut child, COMMAND_TIMEOUT, "the killed custos add");
        let (lines, torn) = lines.join().expect("stdout reader");
        let stderr = String::from_utf8_lossy(&stderr.join().expect("stderr reader")).into_owned();
        let killed = status.code().is_none();
        if killed {
            killed_rounds += 1;
        } else {
            assert!(
                status.success(),
                "{context}: an add that was not killed must have succeeded; {status}; stderr: {stderr}"
            );
        }
        if let (false, Some(end)) = (killed, ended_at) {
            let from_start = end - spawned;
            shortest_from_start = Some(shortest_from_start.map_or(from_start, |d| d.min(from_start)));
            if let Some(ack) = first_ack_at {
                let from_ack = end - ack;
                shortest_from_ack = Some(shortest_from_ack.map_or(from_ack, |d| d.min(from_ack)));
            }
        }

        let acks = parse_acks(&lines, &context);
        if killed {
            stored_then_killed += acks.iter().filter(|a| a.stored).count();
        }
        for a in &acks {
            assert!(
                source_sha.contains_key(&a.sha256),
                "{context}: an acknowledged SHA-256 must be the hash of some source file: {a:?}"
            );
            if let Some(prev) = acked.insert(a.sha256.clone(), a.id.clone()) {
                assert_eq!(prev, a.id, "{context}: one content must keep one exhibit id across intakes");
            }
            if a.stored {
                assert!(
                    acked_stored.insert(a.sha256.clone()),
                    "{context}: a content acknowledged as stored earlier must be reported as a duplicate, not stored again: {a:?}"
                );
            }
            committed_unacked.remove(&a.sha256);
        }

        // Opening the vault (here, by verify) must recover from the kill:
        // partial objects removed, stray objects quarantined, log intact.
        assert_verifies(&vault, true, &format!("{context}, full verify after the kill"));
        assert_no_partials(&vault, &format!("{context}, after verify"));

        let listed = listed_by_sha(&vault, &context);
        for (sha, id) in &acked {
            match listed.get(sha) {
                Some((listed_id, _)) => assert_eq!(
                    listed_id, id,
                    "{context}: an acknowledged exhibit must keep the id it was acknowledged with"
                ),
                None => panic!(
                    "{context}: exhibit {id} ({sha}) was acknowledged but is missing after the kill: an acknowledged exhibit must survive a crash"
                ),
            }
        }
        let objects = files_under(&vault.join("objects"))
            .into_iter()
            .filter(|p| p.file_name().is_some_and(|n| is_sha256_hex(&n.to_string_lossy())))
            .count();
        assert_eq!(
            objects,
            listed.len(),
            "{context}: after an open every object in objects/ must belong to an exhibit (strays go to quarantine/)"
        );
        for (sha, (id, size)) in &listed {
            let src_size = source_sha.get(sha).unwrap_or_else(|| {
                panic!("{context}: exhibit {id} has SHA-256 {sha}, which is no source file's: a phantom exhibit")
            });
            assert_eq!(size, src_size, "{context}: exhibit {id} must have the size of the source file it came from");
        }

        // Exhibits in the vault that nobody was told about: only possible if
        // the kill landed between the commit of a batch and the printing of
        // its lines. Then they are the last exhibits committed, the newest
        // numbers, and appeared in this very round.
        for s in &committed_unacked {
            assert!(listed.contains_key(s), "{context}: a committed exhibit ({s}) must never disappear");
        }
        let new_unacked: BTreeSet<String> =
            listed.keys().filter(|s| !acked.contains_key(*s) && !committed_unacked.contains(*s)).cloned().collect();
        if !new_unacked.is_empty() {
            assert!(
                killed,
                "{context}: an add that finished must have acknowledged every exhibit it committed; not acknowledged: {new_unacked:?}"
            );
            for s in &new_unacked {
                assert!(!prev_listed.contains(s), "{context}: an exhibit listed before this round cannot be new now");
            }
            let mut numbers: Vec<u64> = listed.values().map(|(id, _)| exhibit_number(id)).collect();
            numbers.sort_unstable();
            let top: BTreeSet<u64> = numbers.iter().rev().take(new_unacked.len()).copied().collect();
            let unacked_numbers: BTreeSet<u64> = new_unacked.iter().map(|s| exhibit_number(&listed[s].0)).collect();
            assert_eq!(
                unacked_numbers, top,
                "{context}: exhibits committed but not acknowledged can only be the tail of the last committed batch"
            );
            committed_unacked_total += new_unacked.len();
            committed_unacked.extend(new_unacked);
        }
        assert_eq!(
            listed.len(),
            acked.len() + committed_unacked.len(),
            "{context}: every exhibit must be one that was acknowledged (or the unprinted tail of the batch the kill interrupted); no phantom exhibits"
        );
        eprintln!(
            "round {round:2}: kill {:>5.1} ms after {}, {}, {} stored + {} duplicate lines{}, vault has {} exhibits ({} committed but never printed)",
            delay.as_secs_f64() * 1000.0,
            if after_first_ack { "1st ack" } else { "start  " },
            if killed { "killed" } else { "had finished" },
            acks.iter().filter(|a| a.stored).count(),
            acks.iter().filter(|a| !a.stored).count(),
            if torn.is_some() { ", 1 torn line" } else { "" },
            listed.len(),
            committed_unacked.len()
        );
        prev_listed = listed.into_keys().collect();
        round += 1;
    }

    assert!(
        stored_then_killed > 0,
        "some exhibits must have been acknowledged as stored by runs that were then killed; otherwise nothing was tested"
    );

    // A last, uninterrupted intake completes the vault.
    let source_files = files_under(&src);
    let source_sha: BTreeSet<String> = sha256sum(&source_files).into_iter().collect();
    let out = run_with_timeout(&mut custos_command(argv!["add", &vault, &src]), COMMAND_TIMEOUT);
    out.assert_success("an uninterrupted add after the crashes must succeed");
    let lines: Vec<String> = out.stdout.lines().map(|l| format!("{l}\n")).collect();
    let acks = parse_acks(&lines, "final add");
    assert_eq!(acks.len(), source_files.len(), "the final add must acknowledge every source file, stored or duplicate");
    for a in &acks {
        if let Some(prev) = acked.insert(a.sha256.clone(), a.id.clone()) {
            assert_eq!(prev, a.id, "final add: one content must keep one exhibit id");
        }
    }
    let listed = listed_by_sha(&vault, "after the final add");
    assert_eq!(
        listed.len(),
        source_sha.len(),
        "after an uninterrupted add the vault must hold exactly one exhibit per distinct source content"
    );
    assert_eq!(
        listed.keys().cloned().collect::<BTreeSet<_>>(),
        source_sha,
        "the exhibits must be exactly the source contents"
    );
    assert_eq!(
        listed.len(),
        acked.len(),
        "every exhibit in the vault must have been acknowledged to the examiner at some point"
    );
    assert_verifies(&vault, true, "after the final add");

    // Every object the recoveries moved aside is accounted for in the log.
    let log = custos(argv!["log", &vault, "--json"]);
    log.assert_success("log --json should succeed");
    let moved: BTreeSet<PathBuf> = log
        .json()
        .as_array()
        .expect("log --json prints an array")
        .iter()
        .filter(|e| e["action"] == "stray_object_quarantined")
        .filter_map(|e| e["details"]["moved_to"].as_str().map(|m| vault.join(m)))
        .collect();
    let quarantined: BTreeSet<PathBuf> = files_under(&vault.join("quarantine")).into_iter().collect();
    assert_eq!(
        quarantined, moved,
        "each stray object in quarantine/ must have a stray_object_quarantined event naming it, and vice versa"
    );
    eprintln!(
        "seed {seed}: {round} rounds ({killed_rounds} killed), {stored_then_killed} stored acknowledgements from killed runs, {} exhibits, {} committed-but-unprinted at a kill, {} objects quarantined, {:.1?}",
        listed.len(),
        committed_unacked_total,
        quarantined.len(),
        started.elapsed()
    );
}

#[test]
fn sigint_cancels_intake_cleanly() {
    const FILES: usize = 4;
    const SIZE: u64 = 64 << 20;
    let seed = Rng::seed_from_env("CUSTOS_SIGINT_SEED");
    let mut rng = Rng::new(seed);
    let tmp = tempfile::tempdir().expect("a temp folder");
    let vault = init_vault(&tmp.path().join("vault"));
    let src = tmp.path().join("src");
    let files: Vec<PathBuf> = (0..FILES).map(|i| src.join(format!("large-{i}.bin"))).collect();
    for f in &files {
        write_random_file(f, SIZE, &mut rng);
    }
    let sums: BTreeMap<String, PathBuf> = sha256sum(&files).into_iter().zip(files.iter().cloned()).collect();

    let mut child = custos_command(argv!["add", &vault, &src]).spawn().expect("custos add should start");
    let lines = read_lines_in_thread(child.stdout.take().expect("piped stdout"), |_| {});
    let stderr = read_all_in_thread(child.stderr.take().expect("piped stderr"));

    // Wait until the second file's partial object appears: the interrupt
    // handler is installed, the first file is complete, and the intake is
    // working on the next one. Interrupt ~300 ms later, but no later than
    // half the time the first file took, so the signal lands in the middle
    // of the intake however fast or loaded the machine is.
    let objects = vault.join("objects");
    let mut partial_names = HashSet::new();
    let mut first_seen: Option<Instant> = None;
    let deadline = Instant::now() + COMMAND_TIMEOUT;
    while partial_names.len() < 2 {
        if let Some(st) = child.try_wait().expect("poll custos add") {
            panic!("custos add ended ({st}) before the test could interrupt it; partials seen: {partial_names:?}");
        }
        assert!(Instant::now() < deadline, "custos add should start its second file within {COMMAND_TIMEOUT:?}");
        for p in entries_named(&objects, ".partial-") {
            partial_names.insert(p);
            first_seen.get_or_insert_with(Instant::now);
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    let first_file = first_seen.expect("a partial was seen").elapsed();
    let pause = Duration::from_millis(300).min(first_file / 2);
    std::thread::sleep(pause);
    let interrupted_at = Instant::now();
    send_signal(child.id(), "INT");
    let status = wait_with_timeout(&mut child, COMMAND_TIMEOUT, "custos add after SIGINT");
    let exit_after = interrupted_at.elapsed();
    let (lines, torn) = lines.join().expect("stdout reader");
    let stderr = String::from_utf8_lossy(&stderr.join().expect("stderr reader")).into_owned();
    eprintln!(
        "first file took ~{first_file:.2?}; SIGINT {pause:.2?} into the second; exited {status} {exit_after:.2?} later; stdout:\n{}stderr:\n{stderr}",
        lines.concat()
    );

    assert_eq!(
        status.code(),
        Some(2),
        "a cancelled intake must exit by itself with code 2 (not be killed by the signal, not claim success); stderr: {stderr}"
    );
    assert!(
        stderr.to_lowercase().contains("cancelled"),
        "stderr must tell the examiner the intake was cancelled; got: {stderr}"
    );
    assert!(torn.is_none(), "a cleanly cancelled intake must not leave a half-printed line: {torn:?}");
    // Before anything else opens the vault (which would clean up): the cancel
    // itself must have removed its partial object.
    let leftovers: Vec<PathBuf> =
        entries_named(&vault, ".partial-").into_iter().chain(entries_named(&vault, ".tmp-")).collect();
    assert!(leftovers.is_empty(), "cancelling must remove the partial object it was writing: {leftovers:?}");

    let acks = parse_acks(&lines, "cancelled add");
    let stored: BTreeMap<String, String> =
        acks.iter().filter(|a| a.stored).map(|a| (a.sha256.clone(), a.id.clone())).collect();
    assert_eq!(stored.len(), acks.len(), "a fresh vault has no duplicates to report");
    assert!(
        !stored.is_empty(),
        "the first file was complete before the interrupt, so the cancel must commit and acknowledge it"
    );
    assert!(
        stored.len() < FILES,
        "the interrupt came while the intake was still working, so some file must not have been taken in"
    );
    for sha in stored.keys() {
        assert!(sums.contains_key(sha), "an acknowledged SHA-256 must be one of the source files' ({sha})");
    }

    assert_verifies(&vault, true, "after a cancelled intake");
    let quarantined = files_under(&vault.join("quarantine"));
    assert!(
        quarantined.is_empty(),
        "a clean cancel leaves no stray object for the next open to quarantine: {quarantined:?}"
    );
    let listed = listed_by_sha(&vault, "after a cancelled intake");
    let listed_ids: BTreeMap<String, String> = listed.iter().map(|(s, (id, _))| (s.clone(), id.clone())).collect();
    assert_eq!(
        listed_ids, stored,
        "the vault must hold exactly the exhibits printed as stored before the exit: nothing unacknowledged, nothing lost"
    );

    // The intake can simply be run again to take in the rest.
    let out = run_with_timeout(&mut custos_command(argv!["add", &vault, &src]), COMMAND_TIMEOUT);
    out.assert_success("re-running a cancelled intake must take in the rest");
    let listed = listed_by_sha(&vault, "after re-running the intake");
    assert_eq!(
        listed.keys().cloned().collect::<BTreeSet<_>>(),
        sums.keys().cloned().collect::<BTreeSet<_>>(),
        "after the re-run every source file must be an exhibit, exactly once"
    );
    for (sha, id) in &stored {
        assert_eq!(&listed[sha].0, id, "exhibits stored before the cancel must keep their ids");
    }
}
