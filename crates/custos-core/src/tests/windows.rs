//! Windows of the exhibit list and of the custody log: the database's
//! filter, order and count agree with the whole list and the whole log, and
//! the windows cover them exactly once.

use super::{inputs, new_vault, sources};
use crate::{
    Action, CustodianFilter, CustodyQuery, Direction, Error, ExhibitOrder, ExhibitQuery, IntakeOptions, NoProgress, Vault, VerifyMode,
};

/// Six exhibits, numbered in the order the folders are walked (names by
/// byte value): EX-0001 "Board minutes.pdf", EX-0002 "Zeta.txt" (hot),
/// EX-0003 "budget_100%.xlsx" (Erik Brandt's three); EX-0004 "Beta.png",
/// EX-0005 "alpha.eml" (hot, privileged) (Ana Oster's); EX-0006
/// "notes.txt" (no custodian).
fn populated() -> (tempfile::TempDir, Vault) {
    let (dir, mut v) = new_vault();
    let with = |c: Option<&str>| IntakeOptions { custodian: c.map(str::to_string), ..IntakeOptions::default() };
    let a = sources(&dir.path().join("a"), &[("Board minutes.pdf", b"one"), ("budget_100%.xlsx", b"two"), ("Zeta.txt", b"three!")]);
    let b = sources(&dir.path().join("b"), &[("alpha.eml", b"four"), ("Beta.png", b"five55")]);
    let c = sources(&dir.path().join("c"), &[("notes.txt", b"six")]);
    v.add(&inputs(&[a]), &with(Some("Erik Brandt")), &NoProgress).unwrap();
    v.add(&inputs(&[b]), &with(Some("Ana Oster")), &NoProgress).unwrap();
    v.add(&inputs(&[c]), &with(None), &NoProgress).unwrap();
    v.edit("EX-0002", None, &["hot".into()], &[]).unwrap();
    v.edit("EX-0005", None, &["hot".into(), "privileged".into()], &[]).unwrap();
    v.verify(VerifyMode::Quick, &NoProgress).unwrap();
    (dir, v)
}

fn ids(v: &Vault, q: &ExhibitQuery) -> (u32, Vec<String>) {
    let w = v.exhibit_window(q).unwrap();
    (w.total, w.rows.into_iter().map(|e| e.id).collect())
}

#[test]
fn exhibit_windows_filter_order_and_count_in_the_database() {
    let (_d, v) = populated();
    let all = ExhibitQuery { limit: 100, ..ExhibitQuery::default() };
    let (total, every) = ids(&v, &all);
    assert_eq!(total as usize, v.list().unwrap().len());
    assert_eq!(every, v.list().unwrap().into_iter().map(|e| e.id).collect::<Vec<_>>(), "number order by default");

    let q = |f: fn(&mut ExhibitQuery)| {
        let mut q = all.clone();
        f(&mut q);
        ids(&v, &q)
    };
    assert_eq!(q(|q| q.text = "BOARD".into()), (1, vec!["EX-0001".into()]), "a word of the name, any case");
    assert_eq!(q(|q| q.text = "100%".into()), (1, vec!["EX-0003".into()]), "LIKE wildcards are taken literally");
    assert_eq!(q(|q| q.text = "ex-0004".into()), (1, vec!["EX-0004".into()]));
    assert_eq!(q(|q| q.text = "oster beta".into()), (1, vec!["EX-0004".into()]), "every word must match");
    assert_eq!(q(|q| q.text = "privileged".into()), (1, vec!["EX-0005".into()]), "a tag matches");
    let sha = v.show("EX-0003").unwrap().exhibit.sha256;
    assert_eq!(q(|q| q.text = String::new()).0, 6);
    let mut by_sha = all.clone();
    by_sha.text = sha[..10].to_string();
    assert_eq!(ids(&v, &by_sha), (1, vec!["EX-0003".into()]), "the start of the SHA-256");
    assert_eq!(q(|q| q.custodian = CustodianFilter::Named("Ana Oster".into())), (2, vec!["EX-0004".into(), "EX-0005".into()]));
    assert_eq!(q(|q| q.custodian = CustodianFilter::Unrecorded), (1, vec!["EX-0006".into()]));
    assert_eq!(q(|q| q.tag = Some("hot".into())), (2, vec!["EX-0002".into(), "EX-0005".into()]));
    let by_name = q(|q| {
        q.order = ExhibitOrder::Name;
        q.direction = Direction::Descending;
    });
    assert_eq!(by_name.1, vec!["EX-0002", "EX-0006", "EX-0003", "EX-0001", "EX-0004", "EX-0005"], "names without regard to case, Z first");
    let by_size = q(|q| q.order = ExhibitOrder::Size);
    assert_eq!(by_size.1.first().map(String::as_str), Some("EX-0001"), "3 bytes, the smallest (ties by number)");

    // "Select all" takes the ids the filter matches, in its order.
    let mut hot_by_name = all.clone();
    hot_by_name.tag = Some("hot".into());
    hot_by_name.order = ExhibitOrder::Name;
    assert_eq!(v.exhibit_ids(&hot_by_name).unwrap(), vec!["EX-0005", "EX-0002"], "alpha.eml before Zeta.txt");
    assert_eq!(v.exhibit_ids(&all).unwrap(), every);

    // Windows of two cover the list exactly once.
    let mut seen = Vec::new();
    for offset in (0..6).step_by(2) {
        let w = v.exhibit_window(&ExhibitQuery { offset, limit: 2, ..ExhibitQuery::default() }).unwrap();
        assert_eq!((w.total, w.offset, w.rows.len()), (6, offset, 2));
        seen.extend(w.rows.into_iter().map(|e| e.id));
    }
    assert_eq!(seen, every);
}

#[test]
fn custody_windows_open_at_the_newest_and_filter_through_the_index() {
    let (_d, v) = populated();
    let log = v.custody_log(None).unwrap();
    let newest = v.custody_window(&CustodyQuery { direction: Direction::Descending, limit: 5, ..CustodyQuery::default() }).unwrap();
    assert_eq!(newest.total as usize, log.len());
    assert_eq!(newest.events.iter().map(|e| e.seq).collect::<Vec<_>>(), log.iter().rev().take(5).map(|e| e.seq).collect::<Vec<_>>());
    assert_eq!(newest.events[0].action, Action::Verified);

    let count = |q: CustodyQuery| v.custody_window(&CustodyQuery { limit: MAX, ..q }).unwrap();
    const MAX: u32 = crate::MAX_WINDOW;
    let of5 = count(CustodyQuery { exhibit: Some("EX-0005".into()), ..CustodyQuery::default() });
    assert_eq!(of5.events.iter().map(|e| e.seq).collect::<Vec<_>>(), v.custody_log(Some("EX-0005")).unwrap().iter().map(|e| e.seq).collect::<Vec<_>>());
    let edits = count(CustodyQuery { action: Some(Action::MetadataEdited), ..CustodyQuery::default() });
    assert_eq!(edits.total, 3, "hot on EX-0002; hot and privileged on EX-0005");
    let by_pat = count(CustodyQuery { actor: Some("Pat Paralegal".into()), ..CustodyQuery::default() });
    assert_eq!(by_pat.total as usize, log.len());
    assert_eq!(count(CustodyQuery { actor: Some("Nobody".into()), ..CustodyQuery::default() }).total, 0);
    let day = log[0].time[..10].to_string();
    let that_day = count(CustodyQuery { from: Some(day.clone()), to: Some(day.clone()), ..CustodyQuery::default() });
    assert_eq!(that_day.total as usize, log.iter().filter(|e| e.time.starts_with(&day)).count());
    assert_eq!(count(CustodyQuery { to: Some("2000-01-01".into()), ..CustodyQuery::default() }).total, 0);
    let next_day = (chrono::NaiveDate::parse_from_str(&day, "%Y-%m-%d").unwrap() + chrono::Days::new(1)).to_string();
    assert_eq!(count(CustodyQuery { from: Some(next_day), ..CustodyQuery::default() }).total, 0, "nothing from the next day on");

    // Windows of two, either way, cover the log exactly once.
    for direction in [Direction::Ascending, Direction::Descending] {
        let mut seen = Vec::new();
        for offset in (0..log.len() as u32).step_by(2) {
            let w = v.custody_window(&CustodyQuery { direction, offset, limit: 2, ..CustodyQuery::default() }).unwrap();
            seen.extend(w.events.into_iter().map(|e| e.seq));
        }
        if direction == Direction::Descending {
            seen.reverse();
        }
        assert_eq!(seen, log.iter().map(|e| e.seq).collect::<Vec<_>>(), "{direction:?}");
    }
}

#[test]
fn a_word_with_letters_beyond_ascii_finds_its_exhibit() {
    let (dir, mut v) = new_vault();
    let src = sources(dir.path(), &[("Ökonomie Bericht.pdf", b"1"), ("other.txt", b"2")]);
    let with = IntakeOptions { custodian: Some("Ángela Núñez".into()), ..IntakeOptions::default() };
    v.add(&inputs(&[src]), &with, &NoProgress).unwrap();
    let total = |text: &str| v.exhibit_window(&ExhibitQuery { text: text.into(), limit: 10, ..ExhibitQuery::default() }).unwrap().total;
    assert_eq!(total("Ökonomie"), 1);
    assert_eq!(total("bericht"), 1, "ASCII letters in any case");
    assert_eq!(total("Ángela"), 2, "the custodian of both");
    assert_eq!(total("ökonomie"), 1, "letters beyond ASCII in any case through the word index");
}

/// The totals per custodian and the word index are kept by the database as
/// exhibits, sources and tags are added: they agree with the whole list.
fn assert_kept_facets_agree(v: &Vault) {
    let list = v.list().unwrap();
    let dash = v.dashboard().unwrap();
    assert_eq!(dash.exhibits as usize, list.len());
    assert_eq!(dash.total_bytes, list.iter().map(|e| e.size).sum::<u64>());
    let mut per: std::collections::BTreeMap<String, u32> = Default::default();
    for e in &list {
        *per.entry(e.custodian.clone().unwrap_or_default()).or_default() += 1;
    }
    let kept: std::collections::BTreeMap<String, u32> = dash.custodians.iter().map(|c| (c.name.clone(), c.exhibits)).collect();
    assert_eq!(kept, per);
    let mut tags: std::collections::BTreeMap<String, u64> = Default::default();
    for e in &list {
        for t in &e.tags {
            *tags.entry(t.clone()).or_default() += 1;
        }
    }
    assert_eq!(v.tags_in_use().unwrap().into_iter().collect::<std::collections::BTreeMap<_, _>>(), tags, "exhibits per tag");
    for e in &list {
        for tag in &e.tags {
            let w = v.exhibit_window(&ExhibitQuery { text: tag.clone(), tag: Some(tag.clone()), limit: 100, ..ExhibitQuery::default() }).unwrap();
            assert!(w.rows.iter().any(|r| r.id == e.id), "{} is found by its tag {tag}", e.id);
        }
    }
}

#[test]
fn words_and_totals_follow_tags_sources_and_a_second_intake() {
    let (dir, mut v) = populated();
    assert_kept_facets_agree(&v);
    let found = |v: &Vault, text: &str| ids(v, &ExhibitQuery { text: text.into(), limit: 100, ..ExhibitQuery::default() }).1;
    v.tag_exhibits(&["EX-0001".into(), "EX-0006".into()], &["smoking-gun".into()], &["hot".into()], &NoProgress).unwrap();
    assert_eq!(found(&v, "SMOKING"), vec!["EX-0001", "EX-0006"], "a tag just added is found");
    v.tag_exhibits(&["EX-0006".into()], &[], &["smoking-gun".into()], &NoProgress).unwrap();
    assert_eq!(found(&v, "smoking"), vec!["EX-0001"], "a tag just removed is not");
    v.tag_exhibits(&["EX-0001".into()], &[], &["smoking-gun".into()], &NoProgress).unwrap();
    assert_eq!(found(&v, "smoking"), Vec::<String>::new());
    assert!(v.tags_in_use().unwrap().iter().all(|(t, _)| t != "smoking-gun"), "a tag no exhibit carries is gone from the counts");
    assert_eq!(found(&v, "brandt board"), vec!["EX-0001"], "the name and the custodian still are");
    // The same content again from another custodian: a second source, not a
    // second exhibit; the first custodian stays the exhibit's.
    let again = sources(&dir.path().join("d"), &[("copy of minutes.pdf", b"one"), ("new.txt", b"seven")]);
    let with = IntakeOptions { custodian: Some("Ana Oster".into()), ..IntakeOptions::default() };
    v.add(&inputs(&[again]), &with, &NoProgress).unwrap();
    assert_eq!(found(&v, "Brandt"), vec!["EX-0001", "EX-0002", "EX-0003"]);
    assert_eq!(found(&v, "oster"), vec!["EX-0004", "EX-0005", "EX-0007"]);
    assert_kept_facets_agree(&v);
    assert_eq!(found(&v, "\"quoted\""), Vec::<String>::new(), "a double quote in a word is a letter, not syntax");
    assert_eq!(found(&v, "zz"), Vec::<String>::new(), "a word shorter than the index's trigrams is searched by a scan");
    assert_eq!(found(&v, "ta"), vec!["EX-0002", "EX-0004"], "Zeta and Beta");
}

#[test]
fn a_vault_made_before_the_kept_facets_gets_them_built() {
    let (_dir, v) = populated();
    let migration = crate::store::db::MIGRATIONS.iter().position(|m| m.contains("CREATE VIRTUAL TABLE IF NOT EXISTS exhibit_words")).unwrap();
    v.db()
        .execute_batch(&format!(
            "DROP TRIGGER exhibit_first_source; DROP TRIGGER tag_added; DROP TRIGGER tag_removed; DROP INDEX tags_by_tag;
             DROP TABLE exhibit_words; DROP TABLE custodian_totals; DROP TABLE tag_counts; DROP TABLE exhibit_facets; PRAGMA user_version = {migration};"
        ))
        .unwrap();
    let root = v.root().to_path_buf();
    drop(v);
    let v = Vault::open(&root, &crate::Unlock::Passphrase(super::pass()), None, super::clock()).unwrap();
    assert_kept_facets_agree(&v);
    assert_eq!(ids(&v, &ExhibitQuery { text: "privileged".into(), limit: 10, ..ExhibitQuery::default() }).1, vec!["EX-0005"]);
}

#[test]
fn a_window_asked_for_badly_is_refused() {
    let (_d, v) = new_vault();
    for limit in [0, crate::MAX_WINDOW + 1] {
        assert!(matches!(v.exhibit_window(&ExhibitQuery { limit, ..ExhibitQuery::default() }), Err(Error::InvalidInput(_))));
        assert!(matches!(v.custody_window(&CustodyQuery { limit, ..CustodyQuery::default() }), Err(Error::InvalidInput(_))));
    }
    let bad_day = CustodyQuery { from: Some("06/12/2026".into()), limit: 10, ..CustodyQuery::default() };
    assert!(matches!(v.custody_window(&bad_day), Err(Error::InvalidInput(m)) if m.contains("06/12/2026")));
}

#[test]
fn the_intake_form_is_offered_what_was_recorded_before_most_used_first() {
    let (dir, mut v) = populated();
    assert_eq!(v.intake_suggestions().unwrap().custodians, vec!["Erik Brandt", "Ana Oster"], "three of Brandt's, two of Oster's");
    let src = sources(&dir.path().join("e"), &[("x.txt", b"x1"), ("y.txt", b"y2")]);
    let with = IntakeOptions {
        custodian: Some("Ana Oster".into()),
        source: Some("Work laptop HD-L-0291".into()),
        method: Some("logical copy".into()),
        purpose: Some("litigation hold".into()),
        ..IntakeOptions::default()
    };
    v.add(&inputs(&[src]), &with, &NoProgress).unwrap();
    let s = v.intake_suggestions().unwrap();
    assert_eq!(s.custodians, vec!["Ana Oster", "Erik Brandt"], "four of Oster's now");
    assert_eq!(s.sources, vec!["Work laptop HD-L-0291"]);
    assert_eq!(s.methods, vec!["logical copy"]);
    assert_eq!(s.purposes, vec!["litigation hold"]);
}

#[test]
fn verification_reports_each_kept_table_that_disagrees_with_the_catalog() {
    let (_dir, mut v) = populated();
    let derived = |v: &mut Vault| -> Vec<String> {
        v.verify(VerifyMode::Quick, &NoProgress)
            .unwrap()
            .findings
            .into_iter()
            .filter(|f| f.kind == crate::FindingKind::DerivedTableMismatch)
            .map(|f| f.message)
            .collect()
    };
    assert_eq!(derived(&mut v), Vec::<String>::new(), "a vault as Custos wrote it");
    // Each change made outside Custos is named by the table it touched, and
    // undone before the next.
    for (change, undo, table) in [
        ("UPDATE exhibit_facets SET size = size + 1 WHERE number = 2", "UPDATE exhibit_facets SET size = size - 1 WHERE number = 2", "exhibit_facets"),
        ("UPDATE custodian_totals SET exhibits = exhibits + 1 WHERE custodian = 'Ana Oster'", "UPDATE custodian_totals SET exhibits = exhibits - 1 WHERE custodian = 'Ana Oster'", "custodian_totals"),
        ("DELETE FROM tag_counts WHERE tag = 'privileged'", "INSERT INTO tag_counts (tag, exhibits) VALUES ('privileged', 1)", "tag_counts"),
        ("DELETE FROM exhibit_words WHERE rowid = 1", "INSERT INTO exhibit_words (rowid, words) SELECT e.number, e.id || char(10) || e.original_name || char(10) || f.custodian FROM exhibits e JOIN exhibit_facets f ON f.number = e.number WHERE e.number = 1", "exhibit_words"),
        ("UPDATE exhibit_search SET name = 'elsewhere.txt' WHERE rowid = 3", "UPDATE exhibit_search SET name = (SELECT original_name FROM exhibits WHERE number = 3) WHERE rowid = 3", "exhibit_search"),
        ("UPDATE source_values SET uses = uses + 5 WHERE value = 'Erik Brandt'", "UPDATE source_values SET uses = uses - 5 WHERE value = 'Erik Brandt'", "source_values"),
    ] {
        v.db().execute_batch(change).unwrap();
        let found = derived(&mut v);
        assert_eq!(found.len(), 1, "{table}: {found:?}");
        assert!(found[0].contains(table), "{table}: {found:?}");
        v.db().execute_batch(undo).unwrap();
        assert_eq!(derived(&mut v), Vec::<String>::new(), "{table} restored");
    }
}
