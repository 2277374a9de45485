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
