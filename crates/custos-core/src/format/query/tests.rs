//! The query language, construct by construct: what each parses to, and
//! what is refused with its reason.

use super::*;

fn w(words: &str) -> Query {
    Query::Words { column: None, words: words.into(), prefix: false }
}

fn refused(q: &str, why: &str) {
    match parse(q) {
        Err(e) => assert!(e.0.contains(why), "{q}: {e}"),
        Ok(t) => panic!("{q} was not refused: {t:?}"),
    }
}

#[test]
fn words_phrases_and_implied_and() {
    assert_eq!(parse("drawings").unwrap(), w("drawings"));
    assert_eq!(parse("  Lodestar   drawings ").unwrap(), Query::And(vec![w("Lodestar"), w("drawings")]));
    assert_eq!(parse("\"trade   secret\"").unwrap(), w("trade secret"));
    // Lower-case operators are words.
    assert_eq!(parse("salt and pepper").unwrap(), Query::And(vec![w("salt"), w("and"), w("pepper")]));
}

#[test]
fn and_binds_tighter_than_or_and_parentheses_group() {
    assert_eq!(parse("a OR b AND c").unwrap(), Query::Or(vec![w("a"), Query::And(vec![w("b"), w("c")])]));
    assert_eq!(parse("(a OR b) AND c").unwrap(), Query::And(vec![Query::Or(vec![w("a"), w("b")]), w("c")]));
    assert_eq!(parse("a NOT b").unwrap(), Query::And(vec![w("a"), Query::Not(Box::new(w("b")))]));
    assert_eq!(parse("NOT (a OR b)").unwrap(), Query::Not(Box::new(Query::Or(vec![w("a"), w("b")]))));
}

#[test]
fn prefixes_proximity_and_fields() {
    assert_eq!(parse("draw*").unwrap(), Query::Words { column: None, words: "draw".into(), prefix: true });
    assert_eq!(
        parse("falcon w/5 \"price list\"").unwrap(),
        Query::Near { left: Box::new(w("falcon")), right: Box::new(w("price list")), distance: 5, ordered: false }
    );
    assert_eq!(
        parse("draw* PRE/2 \"price list\"").unwrap(),
        Query::Near { left: Box::new(Query::Words { column: None, words: "draw".into(), prefix: true }), right: Box::new(w("price list")), distance: 2, ordered: true }
    );
    assert_eq!(parse("from:erik").unwrap(), Query::Words { column: Some("sender"), words: "erik".into(), prefix: false });
    assert_eq!(parse("Subject:\"Q2 plan\"").unwrap(), Query::Words { column: Some("subject"), words: "Q2 plan".into(), prefix: false });
    assert_eq!(parse("to:anna*").unwrap(), Query::Words { column: Some("recipients"), words: "anna".into(), prefix: true });
    for (field, column) in TEXT_FIELDS {
        assert!(matches!(parse(&format!("{field}:x")).unwrap(), Query::Words { column: Some(c), .. } if c == column));
    }
}

#[test]
fn dates_and_ranges() {
    let d = |from: Option<&str>, to: Option<&str>| Query::Date { field: "sent", from: from.map(Into::into), to: to.map(Into::into) };
    assert_eq!(parse("sent:2025-05-01..2025-05-31").unwrap(), d(Some("2025-05-01"), Some("2025-05-31")));
    assert_eq!(parse("sent:2025-05-01").unwrap(), d(Some("2025-05-01"), Some("2025-05-01")));
    assert_eq!(parse("sent:..2025-05-31").unwrap(), d(None, Some("2025-05-31")));
    assert_eq!(parse("sent:2025-05-01..").unwrap(), d(Some("2025-05-01"), None));
    assert!(matches!(parse("collected:2026-01-02").unwrap(), Query::Date { field: "collected", .. }));
}

#[test]
fn what_cannot_be_searched_exactly_is_refused_with_the_reason() {
    refused("*secret", "at its start");
    refused("*", "a wildcard needs the start of a word");
    refused("se*cret", "may only end a word");
    refused("sec?et", "may only end a word");
    refused("\"trade secret", "never closed");
    refused("(a OR b", "never closed");
    refused("a OR b)", "has no ( before it");
    refused("a OR", "OR has nothing after it");
    refused("AND a", "AND has nothing before it");
    refused("a AND", "AND has nothing after it");
    refused("NOT", "NOT has nothing after it");
    refused("a w/5", "has nothing after it");
    refused("a w/0 b", "from 1 to 1000");
    refused("a pre/0 b", "pre/ and a number of words from 1 to 1000");
    refused("a pre/3 b pre/3 c", "one w/N or pre/N at a time");
    refused("(a OR b) w/3 c", "joins words");
    refused("from:a w/3 c", "joins words");
    refused("a w/3 b w/3 c", "one w/N or pre/N at a time");
    refused("colour:red", "colour: is not a field");
    refused("http://example.com", "put it in quotes");
    refused("sent:2025-13-01", "not a day");
    refused("sent:May", "not a day");
    refused("sent:2025-05-31..2025-05-01", "ends before it begins");
    refused("sent:..", "needs a day");
    refused("from:", "wants a word");
    refused("&&", "no letters or digits");
    refused("\"*\"", "no letters or digits");
    refused("()", "is empty");
    refused("   ", "empty");
}
