//! The encrypted metadata database: connection set-up and migrations.

use crate::error::{Error, Result};
use crate::format::keys::VaultSecrets;
use rusqlite::{Connection, OpenFlags};
use std::path::Path;

/// The schema version this program writes and reads.
pub(crate) const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Each migration brings the schema from version `index` to `index + 1`.
pub(crate) const MIGRATIONS: &[&str] = &[r#"
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- One row per distinct content (plaintext SHA-256).
CREATE TABLE exhibits (
    id            TEXT PRIMARY KEY,
    number        INTEGER NOT NULL UNIQUE,
    object        TEXT NOT NULL UNIQUE,
    size          INTEGER NOT NULL,
    sha256        TEXT NOT NULL UNIQUE,
    md5           TEXT NOT NULL,
    sha1          TEXT,
    mime          TEXT NOT NULL,
    original_name TEXT NOT NULL,
    original_path TEXT NOT NULL,
    description   TEXT NOT NULL DEFAULT '',
    collected_at  TEXT NOT NULL
) STRICT;

-- Every source a content was collected from, the first included.
CREATE TABLE exhibit_sources (
    id           INTEGER PRIMARY KEY,
    exhibit_id   TEXT NOT NULL REFERENCES exhibits(id),
    path         TEXT NOT NULL,
    name         TEXT NOT NULL,
    size         INTEGER NOT NULL,
    modified     TEXT,
    created      TEXT,
    accessed     TEXT,
    custodian    TEXT,
    source       TEXT,
    method       TEXT,
    purpose      TEXT,
    collected_by TEXT NOT NULL,
    collected_at TEXT NOT NULL
) STRICT;
CREATE INDEX exhibit_sources_exhibit ON exhibit_sources(exhibit_id);

CREATE TABLE tags (
    exhibit_id TEXT NOT NULL REFERENCES exhibits(id),
    tag        TEXT NOT NULL,
    PRIMARY KEY (exhibit_id, tag)
) STRICT;

-- The custody log: canonical JSON bodies, each signed; append-only.
CREATE TABLE custody_events (
    seq       INTEGER PRIMARY KEY,
    body      BLOB NOT NULL,
    signature BLOB NOT NULL
) STRICT;
CREATE TRIGGER custody_events_no_update BEFORE UPDATE ON custody_events
BEGIN SELECT RAISE(ABORT, 'custody events are append-only'); END;
CREATE TRIGGER custody_events_no_delete BEFORE DELETE ON custody_events
BEGIN SELECT RAISE(ABORT, 'custody events are append-only'); END;

-- Signed Merkle tree heads of the custody log; append-only.
CREATE TABLE checkpoints (
    tree_size INTEGER PRIMARY KEY,
    root      BLOB NOT NULL,
    time      TEXT NOT NULL,
    signature BLOB NOT NULL
) STRICT;
CREATE TRIGGER checkpoints_no_update BEFORE UPDATE ON checkpoints
BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
CREATE TRIGGER checkpoints_no_delete BEFORE DELETE ON checkpoints
BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
"#, r#"
-- Every sealed production made from this vault, for Bates continuity.
CREATE TABLE productions (
    id            INTEGER PRIMARY KEY,
    bates_prefix  TEXT NOT NULL,
    bates_width   INTEGER NOT NULL,
    first_number  INTEGER NOT NULL,
    last_number   INTEGER NOT NULL,
    bundle_sha256 TEXT NOT NULL,
    destination   TEXT NOT NULL,
    produced_at   TEXT NOT NULL
) STRICT;
CREATE TABLE production_items (
    production_id INTEGER NOT NULL REFERENCES productions(id),
    exhibit_id    TEXT NOT NULL REFERENCES exhibits(id),
    bates_prefix  TEXT NOT NULL,
    bates_number  INTEGER NOT NULL,
    PRIMARY KEY (production_id, exhibit_id)
) STRICT;
CREATE INDEX production_items_bates ON production_items(bates_prefix, bates_number);
"#, r#"
-- Exhibits received in a bundle: the producer's record, kept as received.
CREATE TABLE IF NOT EXISTS received_records (
    exhibit_id         TEXT NOT NULL REFERENCES exhibits(id),
    bundle_sha256      TEXT NOT NULL,
    bates              TEXT NOT NULL,
    sender_identity    TEXT NOT NULL,
    sender_fingerprint TEXT NOT NULL,
    sender_exhibit_id  TEXT NOT NULL,
    load_file_row      TEXT NOT NULL,
    sender_events      TEXT NOT NULL,
    received_at        TEXT NOT NULL,
    PRIMARY KEY (exhibit_id, bundle_sha256, bates)
) STRICT;
"#, r#"
-- Counsel's age public keys, offered as recipients of encrypted bundles.
CREATE TABLE counsel_keys (
    id        INTEGER PRIMARY KEY,
    name      TEXT NOT NULL,
    recipient TEXT NOT NULL UNIQUE,
    added_at  TEXT NOT NULL
) STRICT;
"#, r#"
-- The exact bytes of a source path that is not UTF-8 (NULL when it is):
-- `path` holds its readable form, with such bytes written as \xHH.
ALTER TABLE exhibit_sources ADD COLUMN path_bytes BLOB;
"#, r#"
-- The seal key pinned for each producer vault whose productions were received
-- here; a production under another key is refused unless the user accepts it.
CREATE TABLE IF NOT EXISTS producer_keys (
    producer_vault_id TEXT PRIMARY KEY,
    fingerprint       TEXT NOT NULL,
    pinned_at         TEXT NOT NULL
) STRICT;
-- Productions received before keys were pinned: the key of the first one
-- (SQLite takes the bare columns from the row where min() is found).
INSERT OR IGNORE INTO producer_keys (producer_vault_id, fingerprint, pinned_at)
SELECT substr(sender_identity, 14), sender_fingerprint, min(received_at) FROM received_records
WHERE sender_identity LIKE 'custos-vault-%' GROUP BY sender_identity;
"#, r#"
-- RFC 3161 time-stamp tokens over checkpoints, exactly as the authority
-- answered (DER ContentInfo), with the nonce sent; append-only.
CREATE TABLE IF NOT EXISTS checkpoint_timestamps (
    id                INTEGER PRIMARY KEY,
    tree_size         INTEGER NOT NULL,
    tsa_url           TEXT NOT NULL,
    token             BLOB NOT NULL,
    gen_time          TEXT NOT NULL,
    checkpoint_sha256 TEXT NOT NULL,
    nonce             TEXT NOT NULL,
    stamped_at        TEXT NOT NULL
) STRICT;
CREATE TRIGGER IF NOT EXISTS checkpoint_timestamps_no_update BEFORE UPDATE ON checkpoint_timestamps
BEGIN SELECT RAISE(ABORT, 'time-stamp tokens are append-only'); END;
CREATE TRIGGER IF NOT EXISTS checkpoint_timestamps_no_delete BEFORE DELETE ON checkpoint_timestamps
BEGIN SELECT RAISE(ABORT, 'time-stamp tokens are append-only'); END;
"#, r#"
-- The custody log indexed by exhibit, action, actor and time, derived from the
-- signed bodies (which stay the record; verification checks this against
-- them). A body that is not JSON is indexed as action '?', which
-- verification reports.
CREATE TABLE IF NOT EXISTS custody_index (
    seq     INTEGER PRIMARY KEY,
    action  TEXT NOT NULL,
    exhibit TEXT,
    actor   TEXT NOT NULL,
    time    TEXT NOT NULL
) STRICT;
INSERT OR IGNORE INTO custody_index (seq, action, exhibit, actor, time)
    SELECT seq,
           CASE WHEN json_valid(CAST(body AS TEXT)) THEN coalesce(json_extract(CAST(body AS TEXT), '$.action'), '?') ELSE '?' END,
           CASE WHEN json_valid(CAST(body AS TEXT)) THEN json_extract(CAST(body AS TEXT), '$.exhibit') END,
           CASE WHEN json_valid(CAST(body AS TEXT)) THEN coalesce(json_extract(CAST(body AS TEXT), '$.actor'), '') ELSE '' END,
           CASE WHEN json_valid(CAST(body AS TEXT)) THEN coalesce(json_extract(CAST(body AS TEXT), '$.time'), '') ELSE '' END
    FROM custody_events;
CREATE INDEX IF NOT EXISTS custody_index_exhibit ON custody_index(exhibit, seq);
CREATE INDEX IF NOT EXISTS custody_index_action ON custody_index(action, seq);
CREATE INDEX IF NOT EXISTS custody_index_time ON custody_index(time);
"#, r#"
-- What the exhibit list filters, orders and counts by, derived from the
-- catalog and kept by triggers (exhibits and sources are never deleted or
-- changed; tags are added and removed): each exhibit's first custodian ('' for
-- none) and size; exhibits and bytes per custodian; exhibits per tag; and a
-- trigram index of the words a search matches anywhere (number, name, first
-- custodian). Tags are searched through `tag_counts` and `tags_by_tag`.
CREATE TABLE IF NOT EXISTS exhibit_facets (
    number    INTEGER PRIMARY KEY,
    custodian TEXT NOT NULL,
    size      INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS exhibit_facets_custodian ON exhibit_facets(custodian COLLATE NOCASE, number);
CREATE TABLE IF NOT EXISTS custodian_totals (
    custodian TEXT PRIMARY KEY,
    exhibits  INTEGER NOT NULL,
    bytes     INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS tag_counts (
    tag      TEXT PRIMARY KEY,
    exhibits INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS tags_by_tag ON tags(tag, exhibit_id);
CREATE VIRTUAL TABLE IF NOT EXISTS exhibit_words USING fts5(words, tokenize = 'trigram');

-- Built from the catalog (anew if this migration runs again).
DELETE FROM exhibit_facets;
DELETE FROM custodian_totals;
DELETE FROM tag_counts;
DELETE FROM exhibit_words;
INSERT INTO exhibit_facets (number, custodian, size)
    SELECT e.number, coalesce(s.custodian, ''), e.size FROM exhibits e
    JOIN exhibit_sources s ON s.id = (SELECT min(id) FROM exhibit_sources WHERE exhibit_id = e.id);
INSERT INTO custodian_totals (custodian, exhibits, bytes)
    SELECT custodian, count(*), sum(size) FROM exhibit_facets GROUP BY custodian;
INSERT INTO tag_counts (tag, exhibits) SELECT tag, count(*) FROM tags GROUP BY tag;
INSERT INTO exhibit_words (rowid, words)
    SELECT e.number, e.id || char(10) || e.original_name || char(10) || f.custodian
    FROM exhibits e JOIN exhibit_facets f ON f.number = e.number;

-- An exhibit's first source makes its facets, totals and words.
CREATE TRIGGER IF NOT EXISTS exhibit_first_source AFTER INSERT ON exhibit_sources
WHEN NOT EXISTS (SELECT 1 FROM exhibit_sources WHERE exhibit_id = NEW.exhibit_id AND id < NEW.id)
BEGIN
    INSERT INTO exhibit_facets (number, custodian, size)
        SELECT number, coalesce(NEW.custodian, ''), size FROM exhibits WHERE id = NEW.exhibit_id;
    INSERT INTO custodian_totals (custodian, exhibits, bytes)
        SELECT coalesce(NEW.custodian, ''), 1, size FROM exhibits WHERE id = NEW.exhibit_id
        ON CONFLICT (custodian) DO UPDATE SET exhibits = exhibits + 1, bytes = bytes + excluded.bytes;
    INSERT INTO exhibit_words (rowid, words)
        SELECT number, id || char(10) || original_name || char(10) || coalesce(NEW.custodian, '')
        FROM exhibits WHERE id = NEW.exhibit_id;
END;
CREATE TRIGGER IF NOT EXISTS tag_added AFTER INSERT ON tags BEGIN
    INSERT INTO tag_counts (tag, exhibits) VALUES (NEW.tag, 1)
        ON CONFLICT (tag) DO UPDATE SET exhibits = exhibits + 1;
END;
CREATE TRIGGER IF NOT EXISTS tag_removed AFTER DELETE ON tags BEGIN
    UPDATE tag_counts SET exhibits = exhibits - 1 WHERE tag = OLD.tag;
    DELETE FROM tag_counts WHERE tag = OLD.tag AND exhibits <= 0;
END;
"#, r#"
-- The custodians, sources, methods and purposes recorded, with how often,
-- kept by a trigger (sources are never deleted): what the intake form
-- suggests.
CREATE TABLE IF NOT EXISTS source_values (
    field TEXT NOT NULL,
    value TEXT NOT NULL,
    uses  INTEGER NOT NULL,
    PRIMARY KEY (field, value)
) STRICT;
DELETE FROM source_values;
INSERT INTO source_values (field, value, uses)
    SELECT 'custodian', custodian, count(*) FROM exhibit_sources WHERE coalesce(custodian, '') <> '' GROUP BY custodian
    UNION ALL SELECT 'source', source, count(*) FROM exhibit_sources WHERE coalesce(source, '') <> '' GROUP BY source
    UNION ALL SELECT 'method', method, count(*) FROM exhibit_sources WHERE coalesce(method, '') <> '' GROUP BY method
    UNION ALL SELECT 'purpose', purpose, count(*) FROM exhibit_sources WHERE coalesce(purpose, '') <> '' GROUP BY purpose;
CREATE TRIGGER IF NOT EXISTS source_values_kept AFTER INSERT ON exhibit_sources BEGIN
    INSERT INTO source_values (field, value, uses)
        SELECT f, v, 1 FROM (
            SELECT 'custodian' AS f, NEW.custodian AS v UNION ALL SELECT 'source', NEW.source
            UNION ALL SELECT 'method', NEW.method UNION ALL SELECT 'purpose', NEW.purpose)
        WHERE coalesce(v, '') <> ''
        ON CONFLICT (field, value) DO UPDATE SET uses = uses + 1;
END;
"#, r#"
-- Each order of the exhibit list walks an index, so a window is found
-- without sorting every exhibit; a custodian is matched exactly.
CREATE INDEX IF NOT EXISTS exhibits_by_name ON exhibits(original_name COLLATE NOCASE, number);
CREATE INDEX IF NOT EXISTS exhibits_by_type ON exhibits(mime, number);
CREATE INDEX IF NOT EXISTS exhibits_by_size ON exhibits(size, number);
CREATE INDEX IF NOT EXISTS exhibits_by_collected ON exhibits(collected_at, number);
CREATE INDEX IF NOT EXISTS exhibit_facets_by_custodian ON exhibit_facets(custodian, number);
"#, r#"
-- What processing understood of each exhibit (DESIGN §1.5). An item found
-- inside another exhibit (an attachment in a message, an entry in an archive,
-- a message in a mailbox) is a source of its own; this row says which
-- exhibit it was found in, where inside, its flags and its order there.
CREATE TABLE IF NOT EXISTS item_sources (
    source_id    INTEGER PRIMARY KEY REFERENCES exhibit_sources(id),
    container_id TEXT NOT NULL REFERENCES exhibits(id),
    item_path    TEXT NOT NULL,
    item_flags   TEXT NOT NULL,
    position     INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS item_sources_container ON item_sources(container_id, position);

-- Families: a child's place under its parent, once per parent (the first
-- source that put it there). A mailbox's messages have none: each heads a
-- family of its own.
CREATE TABLE IF NOT EXISTS family_links (
    parent_id TEXT NOT NULL REFERENCES exhibits(id),
    child_id  TEXT NOT NULL REFERENCES exhibits(id),
    position  INTEGER NOT NULL,
    source_id INTEGER NOT NULL REFERENCES exhibit_sources(id),
    PRIMARY KEY (parent_id, child_id)
) STRICT;
CREATE INDEX IF NOT EXISTS family_links_child ON family_links(child_id, source_id);
-- Each child's first parent and its family's head, kept with the links
-- (an exhibit with no row heads its own family).
CREATE TABLE IF NOT EXISTS exhibit_family (
    exhibit_id TEXT PRIMARY KEY REFERENCES exhibits(id),
    parent_id  TEXT NOT NULL REFERENCES exhibits(id),
    family_id  TEXT NOT NULL REFERENCES exhibits(id)
) STRICT;
CREATE INDEX IF NOT EXISTS exhibit_family_family ON exhibit_family(family_id);

-- Each artifact derived from an exhibit, as its custody event records it:
-- the input's SHA-256, the extractor, the output's SHA-256.
CREATE TABLE IF NOT EXISTS derivations (
    id            INTEGER PRIMARY KEY,
    exhibit_id    TEXT NOT NULL REFERENCES exhibits(id),
    kind          TEXT NOT NULL,
    extractor     TEXT NOT NULL,
    version       TEXT NOT NULL,
    settings      TEXT NOT NULL,
    input_sha256  TEXT NOT NULL,
    output_sha256 TEXT NOT NULL,
    item          TEXT,
    seq           INTEGER NOT NULL,
    time          TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS derivations_exhibit ON derivations(exhibit_id, kind);
CREATE INDEX IF NOT EXISTS derivations_item ON derivations(item);

CREATE TABLE IF NOT EXISTS exhibit_metadata (
    exhibit_id    TEXT NOT NULL REFERENCES exhibits(id),
    position      INTEGER NOT NULL,
    field         TEXT NOT NULL,
    value         TEXT NOT NULL,
    source        TEXT NOT NULL,
    derivation_id INTEGER NOT NULL REFERENCES derivations(id),
    PRIMARY KEY (exhibit_id, position)
) STRICT;
CREATE INDEX IF NOT EXISTS exhibit_metadata_field ON exhibit_metadata(field, value);

-- Text: the text read from the exhibit (page 0) and OCR, page by page.
CREATE TABLE IF NOT EXISTS exhibit_text (
    exhibit_id    TEXT NOT NULL REFERENCES exhibits(id),
    kind          TEXT NOT NULL,
    page          INTEGER NOT NULL,
    text          TEXT NOT NULL,
    confidence    REAL,
    derivation_id INTEGER NOT NULL REFERENCES derivations(id),
    PRIMARY KEY (exhibit_id, kind, page)
) STRICT;

-- Where processing stands for each exhibit: done or failed (with why), the
-- pages that want OCR and whether OCR ran.
CREATE TABLE IF NOT EXISTS processing (
    exhibit_id TEXT PRIMARY KEY REFERENCES exhibits(id),
    status     TEXT NOT NULL,
    kind       TEXT NOT NULL,
    reason     TEXT,
    wants_ocr  TEXT NOT NULL,
    ocr_done   INTEGER NOT NULL,
    time       TEXT NOT NULL
) STRICT;

-- What could not be read inside an exhibit, item by item.
CREATE TABLE IF NOT EXISTS processing_problems (
    exhibit_id TEXT NOT NULL REFERENCES exhibits(id),
    item       TEXT NOT NULL,
    reason     TEXT NOT NULL,
    time       TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS processing_problems_exhibit ON processing_problems(exhibit_id);
"#, r#"
-- The full-text index (DESIGN §3.2), inside the encrypted database: one row
-- per exhibit (rowid = its number) with its name, first custodian, type and
-- kind, tags, sender, recipients, subject and text. Kept by triggers: an
-- exhibit's first source adds its row; a tag added or removed rewrites its
-- tags; processing an exhibit (its `processing` row) rewrites what was read
-- from it. Prefixes of 2, 3 and 4 characters are indexed too, so that
-- `term*` reads one list rather than every word that begins with it.
CREATE VIRTUAL TABLE IF NOT EXISTS exhibit_search USING fts5(
    name, custodian, kind, tags, sender, recipients, subject, body,
    tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4'
);
DELETE FROM exhibit_search;
INSERT INTO exhibit_search (rowid, name, custodian, kind, tags, sender, recipients, subject, body)
    SELECT e.number, e.original_name, f.custodian, e.mime || ' ' || coalesce(p.kind, ''),
        coalesce((SELECT group_concat(tag, ' ') FROM tags t WHERE t.exhibit_id = e.id), ''),
        coalesce((SELECT group_concat(value, char(10)) FROM exhibit_metadata m WHERE m.exhibit_id = e.id AND m.field = 'from'), ''),
        coalesce((SELECT group_concat(value, char(10)) FROM exhibit_metadata m WHERE m.exhibit_id = e.id AND m.field IN ('to', 'cc', 'bcc')), ''),
        coalesce((SELECT group_concat(value, char(10)) FROM exhibit_metadata m WHERE m.exhibit_id = e.id AND m.field = 'subject'), ''),
        coalesce((SELECT group_concat(text, char(10)) FROM (SELECT text FROM exhibit_text x WHERE x.exhibit_id = e.id ORDER BY x.kind = 'ocr', x.page)), '')
    FROM exhibits e JOIN exhibit_facets f ON f.number = e.number LEFT JOIN processing p ON p.exhibit_id = e.id;

CREATE TRIGGER IF NOT EXISTS search_first_source AFTER INSERT ON exhibit_sources
WHEN NOT EXISTS (SELECT 1 FROM exhibit_sources WHERE exhibit_id = NEW.exhibit_id AND id < NEW.id)
BEGIN
    INSERT INTO exhibit_search (rowid, name, custodian, kind, tags, sender, recipients, subject, body)
        SELECT number, original_name, coalesce(NEW.custodian, ''), mime,
            coalesce((SELECT group_concat(tag, ' ') FROM tags WHERE exhibit_id = NEW.exhibit_id), ''), '', '', '', ''
        FROM exhibits WHERE id = NEW.exhibit_id;
END;
CREATE TRIGGER IF NOT EXISTS search_tag_added AFTER INSERT ON tags BEGIN
    UPDATE exhibit_search SET tags = coalesce((SELECT group_concat(tag, ' ') FROM tags WHERE exhibit_id = NEW.exhibit_id), '')
        WHERE rowid = (SELECT number FROM exhibits WHERE id = NEW.exhibit_id);
END;
CREATE TRIGGER IF NOT EXISTS search_tag_removed AFTER DELETE ON tags BEGIN
    UPDATE exhibit_search SET tags = coalesce((SELECT group_concat(tag, ' ') FROM tags WHERE exhibit_id = OLD.exhibit_id), '')
        WHERE rowid = (SELECT number FROM exhibits WHERE id = OLD.exhibit_id);
END;
CREATE TRIGGER IF NOT EXISTS search_processed AFTER INSERT ON processing BEGIN
    UPDATE exhibit_search SET
        kind = (SELECT mime FROM exhibits WHERE id = NEW.exhibit_id) || ' ' || NEW.kind,
        sender = coalesce((SELECT group_concat(value, char(10)) FROM exhibit_metadata WHERE exhibit_id = NEW.exhibit_id AND field = 'from'), ''),
        recipients = coalesce((SELECT group_concat(value, char(10)) FROM exhibit_metadata WHERE exhibit_id = NEW.exhibit_id AND field IN ('to', 'cc', 'bcc')), ''),
        subject = coalesce((SELECT group_concat(value, char(10)) FROM exhibit_metadata WHERE exhibit_id = NEW.exhibit_id AND field = 'subject'), ''),
        body = coalesce((SELECT group_concat(text, char(10)) FROM (SELECT text FROM exhibit_text WHERE exhibit_id = NEW.exhibit_id ORDER BY kind = 'ocr', page)), '')
        WHERE rowid = (SELECT number FROM exhibits WHERE id = NEW.exhibit_id);
END;
"#, r#"
-- Events read from audit-log exports (DESIGN §3.3): each with the export it
-- came from, its row there and the SHA-256 of the row's raw bytes, and the
-- derivation that recorded it. Joined to exhibits when read, never stored
-- joined: a join is a reading of the evidence, not the evidence.
CREATE TABLE IF NOT EXISTS audit_events (
    exhibit_id     TEXT NOT NULL REFERENCES exhibits(id),
    row            INTEGER NOT NULL,
    raw_sha256     TEXT NOT NULL,
    time           TEXT NOT NULL,
    actor          TEXT NOT NULL,
    action         TEXT NOT NULL,
    object         TEXT NOT NULL,
    object_id      TEXT,
    file_name      TEXT,
    size           INTEGER,
    hash_algorithm TEXT,
    hash           TEXT,
    ip             TEXT,
    device         TEXT,
    derivation_id  INTEGER NOT NULL REFERENCES derivations(id),
    PRIMARY KEY (exhibit_id, row)
) STRICT;
CREATE INDEX IF NOT EXISTS audit_events_time ON audit_events(time, exhibit_id, row);
CREATE INDEX IF NOT EXISTS audit_events_actor ON audit_events(actor, time);
"#, r#"
-- Saved searches (DESIGN §3.2): a query kept under a name to run again or
-- to choose a production by (the production's custody events record the
-- query itself). Not evidence, so not custody events.
CREATE TABLE IF NOT EXISTS saved_searches (
    name     TEXT PRIMARY KEY,
    query    TEXT NOT NULL,
    saved_at TEXT NOT NULL,
    saved_by TEXT NOT NULL
) STRICT;
-- Column mappings for audit-log exports in no known format (DESIGN §3.3),
-- in the order saved: an export is read by the first whose columns it has.
-- Saving one is a custody event (`setting_changed`): it decides how
-- evidence is read. Never changed once saved.
CREATE TABLE IF NOT EXISTS audit_mappings (
    number   INTEGER PRIMARY KEY,
    name     TEXT NOT NULL UNIQUE,
    mapping  TEXT NOT NULL,
    sha256   TEXT NOT NULL,
    saved_at TEXT NOT NULL
) STRICT;
"#, r#"
-- Designations for productions (DESIGN §6.2): the privilege claimed, whether
-- the exhibit is withheld (a slip sheet in its place, a privilege log row),
-- the log's description, the confidentiality level. Each change is a
-- `metadata_edited` event; an exhibit without a row has none.
CREATE TABLE IF NOT EXISTS designations (
    exhibit_id      TEXT PRIMARY KEY REFERENCES exhibits(id),
    privilege       TEXT,
    withheld        INTEGER NOT NULL,
    log_description TEXT NOT NULL,
    confidentiality TEXT
) STRICT;
CREATE INDEX IF NOT EXISTS designations_withheld ON designations(withheld, exhibit_id);
"#, r#"
-- Bates numbers by page (DESIGN §6.3): a document produced with page images
-- takes one number a page, so a production gives an exhibit many numbers;
-- each number still goes to one exhibit.
CREATE TABLE production_numbers (
    production_id INTEGER NOT NULL REFERENCES productions(id),
    exhibit_id    TEXT NOT NULL REFERENCES exhibits(id),
    bates_prefix  TEXT NOT NULL,
    bates_number  INTEGER NOT NULL,
    PRIMARY KEY (production_id, bates_number)
) STRICT;
INSERT INTO production_numbers SELECT production_id, exhibit_id, bates_prefix, bates_number FROM production_items;
DROP TABLE production_items;
ALTER TABLE production_numbers RENAME TO production_items;
CREATE INDEX production_items_bates ON production_items(bates_prefix, bates_number);
CREATE INDEX production_items_exhibit ON production_items(exhibit_id);
"#, r#"
-- A vault whose objects live in an S3 bucket: the version each object was
-- written as (reads ask for it) and the lock it was written with (verify
-- compares the bucket's with it). Empty in a folder vault.
CREATE TABLE IF NOT EXISTS object_placements (
    name         TEXT PRIMARY KEY,
    version_id   TEXT NOT NULL,
    mode         TEXT NOT NULL CHECK (mode IN ('COMPLIANCE', 'GOVERNANCE')),
    retain_until INTEGER NOT NULL,
    legal_hold   INTEGER NOT NULL,
    etag         TEXT
) STRICT;
"#];

/// Opens (or creates) the database, applies the key and pragmas, checks it can
/// be read, and migrates it. Nothing is written before the checks pass.
pub(crate) fn open(path: &Path, secrets: &VaultSecrets, create: bool) -> Result<Connection> {
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    } else if !path.exists() {
        return Err(Error::DamagedDatabase(format!("{} is missing", path.display())));
    }
    // A full disk stops SQLite from opening its WAL: say so, not "damaged".
    let damaged = |e: rusqlite::Error| match crate::error::db_error(e, path) {
        Error::DiskFull(p) => Error::DiskFull(p),
        e => Error::DamagedDatabase(e.to_string()),
    };
    let mut conn = Connection::open_with_flags(path, flags).map_err(damaged)?;
    // SQLCipher's own diagnostics go to stderr; Custos reports errors itself.
    let _ = conn.execute_batch("PRAGMA cipher_log_level = NONE;");
    conn.execute_batch(&format!("PRAGMA key = \"{}\";", secrets.db_key_pragma().as_str())).map_err(damaged)?;
    // Not every SQLite allocation locked and wiped (DESIGN §8): it made every
    // query several times slower; keys are wiped by SQLCipher and Custos.
    conn.execute_batch("PRAGMA cipher_memory_security = OFF;").map_err(damaged)?;
    // The first read fails if the key is wrong or page 1 is damaged.
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0)).map_err(|e| {
        match crate::error::db_error(e, path) {
            Error::DiskFull(p) => Error::DiskFull(p),
            e => Error::DamagedDatabase(format!("{e} (the database does not open with this vault's key)")),
        }
    })?;
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(damaged)?;
    if version > SCHEMA_VERSION {
        return Err(Error::SchemaTooNew { found: version, supported: SCHEMA_VERSION });
    }
    if !create {
        // Every page's HMAC (SQLCipher authenticates each page with its
        // number), read once: a damaged or altered page is refused here,
        // before anything is written. The B-tree and full-text checks of
        // `PRAGMA integrity_check` are verify's; at open they cost several
        // times as much (0.9 s against 0.3 s for a database of 120 MB).
        let bad: Vec<String> = {
            let mut stmt = conn.prepare("PRAGMA cipher_integrity_check").map_err(damaged)?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(0)).map_err(damaged)?;
            rows.collect::<rusqlite::Result<_>>().map_err(damaged)?
        };
        if !bad.is_empty() {
            return Err(Error::DamagedDatabase(format!("integrity check: {}", bad.join("; "))));
        }
    }
    let full = |e: rusqlite::Error| crate::error::db_error(e, path);
    conn.pragma_update(None, "foreign_keys", "ON").map_err(full)?;
    conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get::<_, String>(0)).map_err(full)?;
    conn.pragma_update(None, "synchronous", "FULL").map_err(full)?;
    conn.pragma_update(None, "temp_store", "MEMORY").map_err(full)?;
    conn.pragma_update(None, "secure_delete", "ON").map_err(full)?;
    // Pages are decrypted as they enter SQLite's cache: a larger cache (64
    // MiB, in memory only) spares decrypting them again on every query.
    conn.pragma_update(None, "cache_size", -65536).map_err(full)?;
    // Every query is prepared once and kept: processing one exhibit uses a
    // few dozen statements, and a statement prepared again costs SQLCipher
    // many locked (mlock) allocations.
    conn.set_prepared_statement_cache_capacity(256);
    migrate(&mut conn, version).map_err(|e| match e {
        Error::Database(e) => crate::error::db_error(e, path),
        e => e,
    })?;
    Ok(conn)
}

fn migrate(conn: &mut Connection, from: i64) -> Result<()> {
    if from == SCHEMA_VERSION {
        return Ok(());
    }
    let tx = conn.transaction()?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(from as usize) {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
    }
    tx.commit()?;
    Ok(())
}
