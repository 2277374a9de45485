//! A firm vault: objects in a write-once bucket on a real Ceph radosgw,
//! catalog and custody log in a real PostgreSQL, both started on 127.0.0.1
//! by the tests (scripts/radosgw.sh, scripts/postgres.sh) and looked into
//! with `psql` as the database's superuser. Two people take in at once and
//! get one gap-free log that verifies in both copies; the database's files
//! hold no case data; a change the database lost or that was altered there
//! is refused; an intake killed or cut off from the database leaves nothing
//! half-recorded; a folder vault moves in and its log still verifies against
//! a checkpoint kept before.

#[macro_use]
mod common;

use common::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

struct Firm {
    gw: Radosgw,
    pg: Postgres,
    tmp: tempfile::TempDir,
    config: PathBuf,
}

const ALICE: &str = "Alice Park";
const BEN: &str = "Ben Ortiz";

impl Firm {
    fn start(bucket: &str) -> Firm {
        let gw = Radosgw::start(512);
        let pg = Postgres::start();
        let tmp = tempfile::tempdir().unwrap();
        gw.create_bucket(bucket, true);
        let objects = gw.objects_config(tmp.path(), bucket, "compliance", "");
        let config = tmp.path().join("firm.toml");
        let text = std::fs::read_to_string(&objects).unwrap() + &format!("\n[catalog]\nurl = \"{}\"\n", pg.url());
        std::fs::write(&config, text).unwrap();
        Firm { gw, pg, tmp, config }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }

    /// `custos ARGS…` with both servers' credentials.
    fn command(&self, args: Vec<std::ffi::OsString>) -> Command {
        let mut cmd = custos_command(args);
        self.gw.credentials(&mut cmd);
        self.pg.credentials(&mut cmd);
        cmd
    }

    fn run(&self, args: Vec<std::ffi::OsString>) -> Output {
        run(&mut self.command(args))
    }

    /// As Ben, who opens the matter with his age identity.
    fn run_ben(&self, mut args: Vec<std::ffi::OsString>, key: &Path) -> Output {
        args.extend(argv!["--recovery-identity", key]);
        self.run(args)
    }

    fn init(&self, vault: &Path) -> Output {
        self.run(argv!["init", vault, "--matter", MATTER, "--examiner", ALICE, "--work-factor", "10", "--firm", &self.config])
    }

    fn schema(&self) -> String {
        self.pg.admin_sql("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'custos\\_%'").trim().to_string()
    }
}

/// A new age identity file; returns (file, public key).
fn age_identity(dir: &Path, name: &str) -> (PathBuf, String) {
    let key = dir.join(name);
    let out = run_with_timeout(Command::new("age-keygen").arg("-o").arg(&key), Duration::from_secs(30));
    out.assert_success("age-keygen (Debian package age)");
    let text = std::fs::read_to_string(&key).unwrap();
    let public = text.lines().find_map(|l| l.strip_prefix("# public key: ")).expect("age-keygen writes the public key").to_string();
    (key, public)
}

fn log_json(out: &Output) -> Vec<serde_json::Value> {
    out.assert_success("log --json");
    out.json().as_array().unwrap().clone()
}

fn ids(out: &Output) -> Vec<String> {
    out.assert_success("list --json");
    out.json().as_array().unwrap().iter().map(|e| str_field(e, "id").to_string()).collect()
}

fn acknowledged(stdout: &str) -> Vec<String> {
    stdout.lines().filter(|l| l.starts_with("stored ")).map(|l| l.split_whitespace().nth(1).unwrap().to_string()).collect()
}

#[test]
fn two_people_take_in_at_once_and_get_one_gap_free_log_that_verifies() {
    let firm = Firm::start("firm-matter");
    let alice = firm.path("alice");

    // Refused before anything is made.
    let no_catalog = firm.gw.objects_config(firm.tmp.path(), "firm-matter", "compliance", "");
    let out = firm.run(argv!["init", &alice, "--matter", MATTER, "--examiner", ALICE, "--work-factor", "10", "--firm", &no_catalog]);
    assert_eq!(out.code, Some(2), "{}", out.describe());
    assert!(out.stderr.contains("needs both [objects] and [catalog]"), "{}", out.describe());
    let with_password = firm.path("password.toml");
    let text = std::fs::read_to_string(&firm.config).unwrap().replace("custos@", "custos:hunter2@");
    std::fs::write(&with_password, text).unwrap();
    let out = firm.run(argv!["init", &alice, "--matter", MATTER, "--examiner", ALICE, "--work-factor", "10", "--firm", &with_password]);
    assert_eq!(out.code, Some(2), "{}", out.describe());
    assert!(out.stderr.contains("holds a password") && !out.stderr.contains("hunter2"), "{}", out.describe());
    let args = argv!["init", &alice, "--matter", MATTER, "--examiner", ALICE, "--work-factor", "10", "--firm", &firm.config];
    let out = run(firm.command(args.clone()).env_remove("PGPASSWORD"));
    assert_eq!(out.code, Some(2), "{}", out.describe());
    assert!(out.stderr.contains("asks for a password: set PGPASSWORD"), "{}", out.describe());
    let out = run(firm.command(args.clone()).env("PGPASSWORD", "not-the-password"));
    assert_eq!(out.code, Some(2), "{}", out.describe());
    assert!(out.stderr.contains("refused the password for role custos"), "{}", out.describe());
    assert!(!alice.exists(), "a refused init makes no folder");
    assert_eq!(firm.pg.admin_sql("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'custos\\_%'").trim(), "0");

    firm.init(&alice).assert_success("init --firm");
    let (ben_key, ben_public) = age_identity(firm.tmp.path(), "ben.key");
    firm.run(argv!["member", "add", &alice, "--name", BEN, "--recipient", &ben_public]).assert_success("member add");
    let ben = firm.path("ben");
    let (stranger, _) = age_identity(firm.tmp.path(), "stranger.key");
    let out = firm.run_ben(argv!["join", &ben, "--firm", &firm.config], &stranger);
    assert_eq!(out.code, Some(3), "a key the matter does not hold is refused: {}", out.describe());
    assert!(!ben.exists());
    firm.run_ben(argv!["join", &ben, "--firm", &firm.config], &ben_key).assert_success("join");
    let out = firm.run_ben(argv!["list", &ben, "--examiner", "Mallory"], &ben_key);
    assert_eq!(out.code, Some(2), "{}", out.describe());
    assert!(out.stderr.contains("each event names the person whose key opened it (Ben Ortiz)"), "{}", out.describe());
    let members = firm.run(argv!["member", "list", &alice, "--json"]);
    members.assert_success("member list");
    let names: Vec<String> = members.json().as_array().unwrap().iter().map(|m| m["name"].as_str().unwrap().to_string()).collect();
    assert_eq!(names, [ALICE, BEN]);

    // Both take in at the same moment, from their own copies.
    let (a_src, b_src) = (firm.path("from-alice"), firm.path("from-ben"));
    for i in 0..300 {
        write_file(&a_src.join(format!("a{i:03}.txt")), format!("Alice's exhibit {i}\n"));
        write_file(&b_src.join(format!("b{i:03}.txt")), format!("Ben's exhibit {i}\n"));
    }
    let spawn = |mut cmd: Command| cmd.stdout(Stdio::piped()).spawn().unwrap();
    let mut a = spawn(firm.command(argv!["add", &alice, &a_src, "--no-process"]));
    let mut b = spawn(firm.command(argv!["add", &ben, &b_src, "--no-process", "--recovery-identity", &ben_key]));
    let (a_out, b_out) = (read_all_in_thread(a.stdout.take().unwrap()), read_all_in_thread(b.stdout.take().unwrap()));
    assert!(wait_with_timeout(&mut a, Duration::from_secs(300), "Alice's intake").success());
    assert!(wait_with_timeout(&mut b, Duration::from_secs(300), "Ben's intake").success());
    let (a_out, b_out) = (String::from_utf8(a_out.join().unwrap()).unwrap(), String::from_utf8(b_out.join().unwrap()).unwrap());
    let (a_ids, b_ids) = (acknowledged(&a_out), acknowledged(&b_out));
    assert_eq!((a_ids.len(), b_ids.len()), (300, 300));

    // One numbering without a gap or a double, the same in both copies.
    let listed = ids(&firm.run(argv!["list", &alice, "--json"]));
    let expected: Vec<String> = (1..=600).map(|n| format!("EX-{n:04}")).collect();
    assert_eq!(listed, expected, "600 exhibits numbered 1 to 600");
    let mut both: Vec<String> = a_ids.iter().chain(&b_ids).cloned().collect();
    both.sort();
    assert_eq!(both, expected, "each number went to one intake");
    assert_eq!(ids(&firm.run_ben(argv!["list", &ben, "--json"], &ben_key)), expected);

    // One log: sequence numbers without a gap; each collection names who did it.
    let log = log_json(&firm.run(argv!["log", &alice, "--json"]));
    let seqs: Vec<u64> = log.iter().map(|e| e["seq"].as_u64().unwrap()).collect();
    assert_eq!(seqs, (1..=log.len() as u64).collect::<Vec<_>>());
    for e in log.iter().filter(|e| e["action"] == "collected") {
        let id = e["exhibit"].as_str().unwrap().to_string();
        let who = if a_ids.contains(&id) { ALICE } else { BEN };
        assert_eq!(e["actor"], who, "{id} was collected by {who}");
    }
    // Ben's copy replays the unlock Alice's `log` wrote on closing, then the same log.
    let ben_log = log_json(&firm.run_ben(argv!["log", &ben, "--json"], &ben_key));
    assert_eq!(ben_log.len(), log.len() + 1);
    assert_eq!(ben_log[..log.len()], log[..], "Ben's copy holds the same log");
    assert_eq!(ben_log[log.len()]["action"], "vault_unlocked");
    assert_eq!(ben_log[log.len()]["actor"], ALICE);
    assert!(log.iter().any(|e| e["action"] == "setting_changed" && e["details"]["setting"] == "member_added" && e["details"]["name"] == BEN));

    // The database holds the same log, append-only, and one list of changes without a gap.
    let schema = firm.schema();
    let in_db: usize = firm.pg.admin_sql(&format!("SELECT count(*) FROM {schema}.custody_events")).trim().parse().unwrap();
    assert_eq!(in_db, log.len() + 2, "every event, with the two `log` sessions' own unlocks, is in the database");
    let gaps = firm.pg.admin_sql(&format!("SELECT count(*) FROM (SELECT seq, lag(seq) OVER (ORDER BY seq) AS prev FROM (SELECT DISTINCT seq FROM {schema}.catalog_changes) c) x WHERE prev IS NOT NULL AND seq <> prev + 1"));
    assert_eq!(gaps.trim(), "0");
    let out = firm.pg.psql("postgres", &firm.pg.admin_password, &format!("DELETE FROM {schema}.custody_events"));
    assert!(!out.status.success() && out.stderr.contains("append-only"), "{}", out.describe());

    assert_verifies_firm(&firm, &alice, None);
    assert_verifies_firm(&firm, &ben, Some(&ben_key));

    // Alice removes Ben's key: his copy no longer opens.
    firm.run(argv!["member", "remove", &alice, "--name", BEN]).assert_success("member remove");
    let out = firm.run_ben(argv!["list", &ben], &ben_key);
    assert_eq!(out.code, Some(2), "{}", out.describe());
    assert!(out.stderr.contains("your key was removed"), "{}", out.describe());
    let log = log_json(&firm.run(argv!["log", &alice, "--json"]));
    assert!(log.iter().any(|e| e["details"]["setting"] == "member_removed" && e["details"]["name"] == BEN), "the removal is logged");
}

fn assert_verifies_firm(firm: &Firm, vault: &Path, key: Option<&Path>) {
    let mut args = argv!["verify", vault, "--json"];
    if let Some(k) = key {
        args.extend(argv!["--recovery-identity", k]);
    }
    let out = firm.run(args);
    assert_eq!(out.code, Some(0), "verify of {}: {}", vault.display(), out.describe());
    assert_eq!(out.json()["ok"], true);
}

/// Every file under `dir` that holds `needle`.
fn files_holding(dir: &Path, needle: &[u8]) -> Vec<PathBuf> {
    files_under(dir).into_iter().filter(|f| std::fs::read(f).is_ok_and(|b| !find_all(&b, needle).is_empty())).collect()
}

#[test]
fn the_database_holds_no_case_data_and_refuses_nothing_it_altered_silently() {
    let firm = Firm::start("firm-canary");
    let alice = firm.path("alice");
    firm.init(&alice).assert_success("init --firm");
    const CANARY: &str = "ZEBRACANARY";
    let src = firm.path(&format!("{CANARY}-folder"));
    write_file(&src.join(format!("{CANARY}-memo.txt")), format!("The {CANARY}PLAN was taken on 14 March.\n"));
    write_file(&src.join("mail.eml"), format!("From: {CANARY}-sender@example.com\nTo: b@example.com\nSubject: {CANARY}-subject\n\n{CANARY}-body\n"));
    let out = firm.run(argv![
        "add", &alice, &src, "--custodian", format!("{CANARY}-custodian"), "--description", format!("{CANARY}-description"),
        "--tag", format!("{CANARY}-tag"), "--source", format!("{CANARY}-laptop")
    ]);
    out.assert_success("add");
    let search = firm.run(argv!["search", &alice, format!("{CANARY}PLAN"), "--json"]);
    search.assert_success("search");
    assert!(search.stdout.contains("EX-0001") || search.stdout.contains("EX-0002"), "the text was read: {}", search.stdout);
    let shown = firm.run(argv!["show", &alice, "EX-0001", "--json"]);
    shown.assert_success("show");
    let object = str_field(&shown.json(), "object").to_string();
    let sha = str_field(&shown.json(), "sha256").to_string();

    firm.pg.admin_sql("CHECKPOINT");
    let data = firm.pg.data_dir();
    assert!(!files_holding(&data, object.as_bytes()).is_empty(), "the scan reads the tables: an object's name is kept in clear");
    for canary in [CANARY, ALICE, MATTER, &sha[..32]] {
        let found = files_holding(data.parent().unwrap(), canary.as_bytes());
        assert!(found.is_empty(), "{canary} is in the database's files: {found:?}");
    }
    let schema = firm.schema();
    let kinds = firm.pg.admin_sql(&format!(
        "SELECT column_name || ':' || data_type FROM information_schema.columns WHERE table_schema = '{schema}' AND table_name = 'exhibits' ORDER BY ordinal_position"
    ));
    assert!(kinds.contains("number:bigint") && kinds.contains("original_name:bytea") && kinds.contains("sha256:bytea"), "{kinds}");

    // A change the database lost: the copy that replayed it refuses to go on.
    let head: i64 = firm.pg.admin_sql(&format!("SELECT max(seq) FROM {schema}.catalog_changes")).trim().parse().unwrap();
    firm.pg.admin_sql(&format!(
        "ALTER TABLE {schema}.catalog_changes DISABLE TRIGGER catalog_changes_append_only; \
         CREATE TABLE kept AS SELECT * FROM {schema}.catalog_changes WHERE seq = {head}; \
         DELETE FROM {schema}.catalog_changes WHERE seq = {head}"
    ));
    let out = firm.run(argv!["list", &alice]);
    assert_eq!(out.code, Some(2), "{}", out.describe());
    assert!(out.stderr.contains(&format!("holds {} changes but this copy has already replayed {head}", head - 1)), "{}", out.describe());

    // A change altered in the database: a new copy refuses it.
    firm.pg.admin_sql(&format!(
        "INSERT INTO {schema}.catalog_changes SELECT seq, part, member, snapshot, committed_at, \
         overlay(ops placing '\\x00'::bytea from 60 for 1) FROM kept"
    ));
    let joined = firm.path("second-copy");
    let out = firm.run(argv!["join", &joined, "--firm", &firm.config]);
    assert_eq!(out.code, Some(2), "{}", out.describe());
    assert!(out.stderr.contains(&format!("catalog_changes#{head}.0")) && out.stderr.contains("does not open"), "{}", out.describe());
    firm.pg.admin_sql(&format!("DELETE FROM {schema}.catalog_changes WHERE seq = {head}; INSERT INTO {schema}.catalog_changes SELECT * FROM kept"));
    assert_verifies_firm(&firm, &alice, None);

    // The database's own tables changed by hand: a sealed name moved from
    // another row, a tag deleted. Verify reports each, and nothing else.
    firm.pg.admin_sql(&format!(
        "UPDATE {schema}.exhibits SET original_name = (SELECT original_name FROM {schema}.exhibits WHERE number = 2) WHERE number = 1; \
         DELETE FROM {schema}.tags"
    ));
    let out = firm.run(argv!["verify", &alice, "--json"]);
    assert_eq!(out.code, Some(1), "{}", out.describe());
    let report = out.json();
    let messages: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            assert_eq!(f["kind"], "catalog_differs", "{f}");
            f["message"].as_str().unwrap().to_string()
        })
        .collect();
    assert!(messages.iter().any(|m| m.contains("exhibits.original_name#1") && m.contains("does not open")), "{messages:?}");
    assert!(messages.iter().any(|m| m.contains("tags row") && m.contains("missing from the firm database")), "{messages:?}");
}

#[test]
fn an_intake_killed_or_cut_off_from_the_database_leaves_nothing_half_recorded() {
    let firm = Firm::start("firm-intake");
    let alice = firm.path("alice");
    firm.init(&alice).assert_success("init --firm");

    // Killed before its second batch reaches the database.
    let src = firm.path("batch");
    for i in 0..300 {
        write_file(&src.join(format!("f{i:04}.txt")), format!("file {i} of the first intake\n"));
    }
    let out = run(firm.command(argv!["add", &alice, &src, "--no-process"]).env("CUSTOS_FAILPOINT", "firm.before_push=crash@2"));
    assert!(out.code.is_none() || out.code == Some(134), "the intake is killed: {}", out.describe());
    let acked = acknowledged(&out.stdout);
    assert_eq!(acked.len(), 256, "one batch acknowledged");
    assert_eq!(ids(&firm.run(argv!["list", &alice, "--json"])), acked, "exactly the acknowledged exhibits");
    assert_verifies_firm(&firm, &alice, None);

    // Killed after the database committed, before this copy did: the copy
    // replays it from the database.
    let src2 = firm.path("second");
    for i in 0..10 {
        write_file(&src2.join(format!("s{i}.txt")), format!("file {i} of the second intake\n"));
    }
    let out = run(firm.command(argv!["add", &alice, &src2, "--no-process"]).env("CUSTOS_FAILPOINT", "firm.pushed=crash"));
    assert!(out.code.is_none() || out.code == Some(134), "killed: {}", out.describe());
    let listed = ids(&firm.run(argv!["list", &alice, "--json"]));
    assert_eq!(listed.len(), 256 + 10, "the committed batch is there, from the database");
    assert_verifies_firm(&firm, &alice, None);

    // The database goes away in the middle of an intake.
    let src3 = firm.path("many");
    for i in 0..3000 {
        write_file(&src3.join(format!("g{i:05}.txt")), format!("file {i} of the third intake\n"));
    }
    let mut child = firm.command(argv!["add", &alice, &src3, "--no-process"]).stdout(Stdio::piped()).spawn().unwrap();
    let seen = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = seen.clone();
    let stdout = read_lines_in_thread(child.stdout.take().unwrap(), move |_| {
        counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    });
    let stderr = read_all_in_thread(child.stderr.take().unwrap());
    let t = Instant::now();
    while seen.load(std::sync::atomic::Ordering::SeqCst) < 300 {
        assert!(t.elapsed() < Duration::from_secs(120), "the intake goes on");
        std::thread::sleep(Duration::from_millis(20));
    }
    firm.pg.stop();
    let status = wait_with_timeout(&mut child, Duration::from_secs(300), "the cut-off intake");
    let stderr = String::from_utf8_lossy(&stderr.join().unwrap()).into_owned();
    assert_eq!(status.code(), Some(2), "the intake stops with an error: {stderr}");
    assert!(stderr.contains("cannot be reached") || stderr.contains("the firm catalog"), "{stderr}");
    let acked_now = acknowledged(&stdout.join().unwrap().0.concat());
    assert!(acked_now.len() < 3000, "it stopped part way");
    firm.pg.start_again();
    let listed = ids(&firm.run(argv!["list", &alice, "--json"]));
    assert_eq!(listed.len(), 266 + acked_now.len(), "every acknowledged file is an exhibit, and nothing else");
    assert_verifies_firm(&firm, &alice, None);
}

#[test]
fn a_folder_vault_moves_into_the_firm_and_its_log_still_verifies() {
    let firm = Firm::start("firm-moved");
    let vault = init_vault(&firm.path("vault"));
    let src = firm.path("src");
    write_file(&src.join("memo.txt"), b"Brandt met the CEO on 14 March.\n");
    write_file(&src.join("notes.txt"), b"Downloads the same day.\n");
    add_ok(&vault, &[&src]);
    custos(argv!["edit", &vault, "EX-0001", "--add-tag", "hot"]).assert_success("tag");
    let kept = firm.path("kept.json");
    let out = custos(argv!["checkpoint", &vault]);
    out.assert_success("checkpoint before the move");
    std::fs::write(&kept, &out.stdout).unwrap();

    let out = firm.run(argv!["migrate", &vault, "--to", &firm.config, "--json"]);
    out.assert_success("migrate");
    let moved = out.json();
    assert_eq!(moved["objects"]["objects"], 2);
    assert_eq!(moved["catalog"]["members"], serde_json::json!([EXAMINER]));
    let out = firm.run(argv!["migrate", &vault, "--to", &firm.config]);
    assert_eq!(out.code, Some(2), "{}", out.describe());
    assert!(out.stderr.contains("already in a firm database"), "{}", out.describe());

    let out = firm.run(argv!["verify", &vault, "--checkpoint", &kept, "--json"]);
    assert_eq!(out.code, Some(0), "the moved log verifies against the kept checkpoint: {}", out.describe());
    let log = log_json(&firm.run(argv!["log", &vault, "--json"]));
    let moves: Vec<&serde_json::Value> = log.iter().filter(|e| e["action"] == "setting_changed").collect();
    assert!(moves.iter().any(|e| e["details"]["setting"] == "objects_moved"));
    assert_eq!(moves.iter().filter(|e| e["details"]["setting"] == "catalog_moved").count(), 1);

    // A second person, with a passphrase of her own, sees the same matter.
    let out = run(firm.command(argv!["member", "add", &vault, "--name", "Carla Diaz", "--work-factor", "10"]).env("CUSTOS_NEW_PASSPHRASE", "Carla's own long passphrase"));
    out.assert_success("member add with a passphrase");
    let carla = firm.path("carla");
    let out = run(firm.command(argv!["join", &carla, "--firm", &firm.config]).env("CUSTOS_PASSPHRASE", "Carla's own long passphrase"));
    out.assert_success("join with a passphrase");
    assert!(out.stdout.contains("as Carla Diaz"), "{}", out.stdout);
    let listed = ids(&run(firm.command(argv!["list", &carla, "--json"]).env("CUSTOS_PASSPHRASE", "Carla's own long passphrase")));
    assert_eq!(listed, ["EX-0001", "EX-0002"]);
    let shown = run(firm.command(argv!["show", &carla, "EX-0001", "--json"]).env("CUSTOS_PASSPHRASE", "Carla's own long passphrase"));
    assert!(shown.stdout.contains("\"hot\""), "the tag came along: {}", shown.stdout);
    let out = run(firm.command(argv!["extract", &carla, "EX-0001", "--out", firm.path("out.txt")]).env("CUSTOS_PASSPHRASE", "Carla's own long passphrase"));
    out.assert_success("extract from the bucket in the second copy");
    assert_eq!(std::fs::read(firm.path("out.txt")).unwrap(), b"Brandt met the CEO on 14 March.\n");

    // Carla changes her own passphrase: her key file in the database is
    // replaced; the old one no longer opens her copy, the first copy is untouched.
    let out = run(firm.command(argv!["passwd", &carla, "--work-factor", "10"])
        .env("CUSTOS_PASSPHRASE", "Carla's own long passphrase")
        .env("CUSTOS_NEW_PASSPHRASE", "Carla's second long passphrase"));
    out.assert_success("passwd in a copy");
    let out = run(firm.command(argv!["list", &carla]).env("CUSTOS_PASSPHRASE", "Carla's own long passphrase"));
    assert_eq!(out.code, Some(3), "the old passphrase no longer opens: {}", out.describe());
    run(firm.command(argv!["list", &carla]).env("CUSTOS_PASSPHRASE", "Carla's second long passphrase")).assert_success("the new one does");
    firm.run(argv!["list", &vault]).assert_success("the first copy still opens with its own passphrase");
}
