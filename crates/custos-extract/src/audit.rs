//! Audit-log exports read into events: who did what to which object, when,
//! from where. Each event keeps its row in the export and the SHA-256 of the
//! row's raw bytes, so that it can be traced and checked against the
//! export it came from.
//!
//! Formats, recognised by their columns or shape:
//!
//! - Microsoft 365 unified audit log, CSV (`CreationDate`, `UserIds` or
//!   `UserId`, `Operations` or `Operation`, and `AuditData`, a JSON string
//!   whose fields are preferred) and JSON (an array of those records, or of
//!   the `AuditData` objects themselves);
//! - Google Workspace Drive audit log, CSV (`Date`, `Event` or `Event name`,
//!   `Actor` or `User`, `Item name` or `Title`, `Item ID` or `Document ID`,
//!   `IP address`);
//! - Box `admin_logs` events, JSON (`{"entries": [...]}` with `event_type`,
//!   `created_at`, `created_by`, `source`).
//!
//! - any other CSV export (a document system's log, a USB device history),
//!   through a saved [`Mapping`] that names its columns: read by the first
//!   mapping whose columns the export has.
//!
//! A row that cannot be read (no time, a time in no known form, malformed
//! JSON in `AuditData`) is a [`Problem`] naming the row; the rest are read.

use crate::{Extractor, Field, Problem, Result};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// This extractor.
pub fn extractor() -> Extractor {
    Extractor { name: "custos-extract/audit".into(), version: crate::VERSION.into(), settings: "times as UTC".into() }
}

/// This extractor reading through `mapping` (its name and SHA-256 recorded
/// in the settings), or on its own.
pub fn extractor_for(mapping: Option<&Mapping>) -> Extractor {
    let mut x = extractor();
    if let Some(m) = mapping {
        x.settings = format!("times as UTC; column mapping {} sha256 {}", m.name, m.sha256());
    }
    x
}

/// Which columns of a CSV export in no known format hold what: each a
/// header as the export writes it (case, spaces and underscores aside).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    /// Its name (`docsys`, `usb-history`).
    pub name: String,
    /// When.
    pub time: String,
    /// Who.
    pub actor: String,
    /// What.
    pub action: String,
    /// On what (a path, a URL, a name).
    pub object: String,
    /// The client's IP address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    /// The device or workstation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    /// The file's name (else the last part of the object's path).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
    /// The file's size in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<String>,
    /// The file's SHA-256 (or SHA-1 or MD5, by its length).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash: Option<String>,
    /// The offset of times written without a zone (`-05:00`); none: UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub utc_offset: Option<String>,
}

impl Mapping {
    /// The SHA-256 of its JSON, as recorded.
    pub fn sha256(&self) -> String {
        sha256(&serde_json::to_vec(self).expect("a mapping serialises"))
    }

    /// Every column it names, with what it holds.
    pub fn columns(&self) -> Vec<(&'static str, &str)> {
        let mut out = vec![("time", self.time.as_str()), ("actor", self.actor.as_str()), ("action", self.action.as_str()), ("object", self.object.as_str())];
        for (what, c) in [("ip", &self.ip), ("device", &self.device), ("file_name", &self.file_name), ("size", &self.size), ("hash", &self.hash)] {
            if let Some(c) = c {
                out.push((what, c.as_str()));
            }
        }
        out
    }

    /// The mapping checked: a name, the four columns every event needs, no
    /// column named twice, an offset `±HH:MM`. The reason otherwise.
    pub fn check(&self) -> std::result::Result<(), String> {
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
            return Err("a mapping's name is 1 to 100 characters, none of them control characters".into());
        }
        let columns = self.columns();
        for (what, c) in &columns {
            if c.trim().is_empty() {
                return Err(format!("the {what} column is named by nothing"));
            }
        }
        let norm = |s: &str| s.trim().to_ascii_lowercase().replace([' ', '_'], "");
        for (i, (what, c)) in columns.iter().enumerate() {
            if let Some((other, _)) = columns[..i].iter().find(|(_, d)| norm(d) == norm(c)) {
                return Err(format!("the column {c} is named for both {other} and {what}"));
            }
        }
        if let Some(o) = &self.utc_offset {
            offset_seconds(o).ok_or_else(|| format!("{o} is not an offset from UTC such as -05:00 or +01:00"))?;
        }
        Ok(())
    }
}

/// The column names of a CSV export (its header row), for a mapping to name.
pub fn header_columns(text: &str) -> Vec<String> {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut r = csv::ReaderBuilder::new().flexible(true).from_reader(body.as_bytes());
    r.headers().map(|h| h.iter().map(|c| c.trim().to_string()).filter(|c| !c.is_empty()).collect()).unwrap_or_default()
}

/// `±HH:MM` as seconds east of UTC.
fn offset_seconds(o: &str) -> Option<i32> {
    let (sign, rest) = match o.trim().as_bytes().first()? {
        b'+' => (1, &o.trim()[1..]),
        b'-' => (-1, &o.trim()[1..]),
        _ => return None,
    };
    let (h, m) = rest.split_once(':')?;
    let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
    ((0..=14).contains(&h) && (0..60).contains(&m)).then_some(sign * (h * 3600 + m * 60))
}

/// A time as RFC 3339 UTC, a time written without a zone taken at `offset`
/// seconds east of UTC.
fn utc_at(t: &str, offset: i32) -> Option<String> {
    if offset == 0 || chrono::DateTime::parse_from_rfc3339(t.trim()).is_ok() {
        return utc(t);
    }
    let zone = chrono::FixedOffset::east_opt(offset)?;
    for f in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M:%S"] {
        if let Ok(d) = chrono::NaiveDateTime::parse_from_str(t.trim(), f) {
            let local = d.and_local_timezone(zone).single()?;
            return Some(local.with_timezone(&chrono::Utc).format("%Y-%m-%dT%H:%M:%SZ").to_string());
        }
    }
    None
}

/// One event of an audit log.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AuditEvent {
    /// Its row in the export: the CSV line's record number after the header
    /// (from 1), or the JSON entry's position (from 1).
    pub row: u32,
    /// The SHA-256 of the row's raw bytes as they are in the export.
    pub raw_sha256: String,
    /// When, as RFC 3339 in UTC.
    pub time: String,
    /// Who (a user name or address).
    pub actor: String,
    /// What (the log's own word: `FileDownloaded`, `download`, `DOWNLOAD`).
    pub action: String,
    /// On what: a URL, a path or a name.
    pub object: String,
    /// The service's own id of the object, if the log gives one.
    pub object_id: Option<String>,
    /// The file's name, if the log gives one.
    pub file_name: Option<String>,
    /// The file's size in bytes, if the log gives it.
    pub size: Option<u64>,
    /// A hash of the file's content (`sha256`, `sha1` or `md5`, and its hex), if the log gives one.
    pub hash: Option<(String, String)>,
    /// The client's IP address.
    pub ip: Option<String>,
    /// The client's device or program.
    pub device: Option<String>,
}

/// What was read from an audit-log export.
#[derive(Debug, Clone, Default)]
pub struct AuditLog {
    /// `m365-csv`, `m365-json`, `drive-csv` or `box-json`.
    pub format: &'static str,
    /// The events, in the export's order.
    pub events: Vec<AuditEvent>,
    /// Rows that could not be read.
    pub problems: Vec<Problem>,
    /// The mapping it was read through, when it is in no known format.
    pub mapping: Option<Mapping>,
}

impl AuditLog {
    /// The metadata recorded for the export.
    pub fn fields(&self) -> Vec<Field> {
        let mut out = vec![Field::new("audit_format", self.format, "audit:format"), Field::new("event_count", self.events.len().to_string(), "audit:rows")];
        if let Some(m) = &self.mapping {
            out.push(Field::new("audit_mapping", m.name.clone(), "audit:mapping"));
        }
        out
    }
}

/// Reads `bytes` as an audit-log export, or `None` when it is not one of
/// the formats above.
pub fn audit_log(bytes: &[u8]) -> Result<Option<AuditLog>> {
    audit_log_with(bytes, &[])
}

/// Reads `bytes` as an audit-log export in one of the known formats, or
/// through the first of `mappings` whose columns a CSV export has; `None`
/// when it is neither.
pub fn audit_log_with(bytes: &[u8], mappings: &[Mapping]) -> Result<Option<AuditLog>> {
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace() && *b != 0xEF && *b != 0xBB && *b != 0xBF).unwrap_or(bytes.len());
    match bytes.get(start) {
        Some(b'[' | b'{') => json_log(&bytes[start..]),
        Some(_) => csv_log(bytes, mappings),
        None => Ok(None),
    }
}

fn sha256(raw: &[u8]) -> String {
    hex::encode(Sha256::digest(raw))
}

/// A time as RFC 3339 UTC: RFC 3339 with or without a zone (none is UTC), or
/// `M/D/YYYY h:mm:ss AM` (UTC), as the exports write them.
pub fn utc(t: &str) -> Option<String> {
    let t = t.trim();
    if let Ok(d) = chrono::DateTime::parse_from_rfc3339(t) {
        return Some(d.with_timezone(&chrono::Utc).format("%Y-%m-%dT%H:%M:%SZ").to_string());
    }
    for f in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S UTC"] {
        if let Ok(d) = chrono::NaiveDateTime::parse_from_str(t, f) {
            return Some(d.and_utc().format("%Y-%m-%dT%H:%M:%SZ").to_string());
        }
    }
    None
}

fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn number(v: Option<&Value>) -> Option<u64> {
    match v? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A hash the record gives, by the first of `keys` present.
fn hash_of(v: &Value) -> Option<(String, String)> {
    for (key, algorithm) in [("SHA256", "sha256"), ("sha256", "sha256"), ("FileHash", "sha256"), ("sha1", "sha1"), ("SHA1", "sha1"), ("MD5", "md5"), ("md5", "md5")] {
        if let Some(h) = text(v.get(key)).filter(|h| h.chars().all(|c| c.is_ascii_hexdigit()) && matches!(h.len(), 32 | 40 | 64)) {
            return Some((algorithm.into(), h.to_ascii_lowercase()));
        }
    }
    None
}

/// An M365 `AuditData` record as an event.
fn m365_event(d: &Value, row: u32, raw: &[u8], fallback: &[(&str, &str)]) -> std::result::Result<AuditEvent, String> {
    let get = |key: &str| text(d.get(key)).or_else(|| fallback.iter().find(|(k, _)| *k == key).map(|(_, v)| v.to_string()).filter(|v| !v.is_empty()));
    let time = get("CreationTime").ok_or("no CreationTime")?;
    let time = utc(&time).ok_or_else(|| format!("the time {time} is in no known form"))?;
    let object = get("ObjectId").unwrap_or_default();
    let file_name = get("SourceFileName").or_else(|| object.rsplit('/').next().filter(|n| n.contains('.')).map(str::to_string));
    Ok(AuditEvent {
        row,
        raw_sha256: sha256(raw),
        time,
        actor: get("UserId").unwrap_or_default(),
        action: get("Operation").unwrap_or_default(),
        object,
        object_id: get("ListItemUniqueId").or_else(|| get("ObjectId")),
        file_name,
        size: number(d.get("FileSizeBytes")).or_else(|| number(d.get("FileSize"))),
        hash: hash_of(d),
        ip: get("ClientIP"),
        device: get("DeviceDisplayName").or_else(|| get("UserAgent")),
    })
}

/// A Box event as an event.
fn box_event(e: &Value, row: u32, raw: &[u8]) -> std::result::Result<AuditEvent, String> {
    let time = text(e.get("created_at")).ok_or("no created_at")?;
    let time = utc(&time).ok_or_else(|| format!("the time {time} is in no known form"))?;
    let by = e.get("created_by").cloned().unwrap_or(Value::Null);
    let source = e.get("source").cloned().unwrap_or(Value::Null);
    let name = text(source.get("item_name")).or_else(|| text(source.get("name")));
    Ok(AuditEvent {
        row,
        raw_sha256: sha256(raw),
        time,
        actor: text(by.get("login")).or_else(|| text(by.get("name"))).unwrap_or_default(),
        action: text(e.get("event_type")).unwrap_or_default(),
        object: name.clone().unwrap_or_default(),
        object_id: text(source.get("item_id")).or_else(|| text(source.get("id"))),
        file_name: name,
        size: number(source.get("size")).or_else(|| e.get("additional_details").and_then(|d| number(d.get("size")))),
        hash: hash_of(&source),
        ip: text(e.get("ip_address")),
        device: None,
    })
}

/// Box's export: `{"entries": [...]}` (its other fields aside).
#[derive(serde::Deserialize)]
struct Entries<'a> {
    #[serde(borrow)]
    entries: Vec<&'a serde_json::value::RawValue>,
}

fn json_log(bytes: &[u8]) -> Result<Option<AuditLog>> {
    let (boxed, raws) = if let Ok(a) = serde_json::from_slice::<Vec<&serde_json::value::RawValue>>(bytes) {
        (false, a)
    } else if let Ok(e) = serde_json::from_slice::<Entries<'_>>(bytes) {
        (true, e.entries)
    } else {
        return Ok(None);
    };
    // Each entry parsed, with its raw bytes as the export has them.
    let entries: Vec<(Value, &[u8])> = raws.iter().map(|r| (serde_json::from_str(r.get()).unwrap_or(Value::Null), r.get().as_bytes())).collect();
    let format = if boxed && entries.iter().any(|(e, _)| e.get("event_type").is_some()) {
        "box-json"
    } else if !boxed && entries.iter().any(|(e, _)| e.get("AuditData").is_some() || e.get("CreationTime").is_some() && e.get("Operation").is_some()) {
        "m365-json"
    } else {
        return Ok(None);
    };
    let mut log = AuditLog { format, ..Default::default() };
    for (i, (e, raw)) in entries.iter().enumerate() {
        let row = i as u32 + 1;
        let event = if boxed {
            box_event(e, row, raw)
        } else {
            let data = match e.get("AuditData") {
                Some(Value::String(s)) => serde_json::from_str::<Value>(s).map_err(|err| format!("AuditData is not JSON: {err}")),
                Some(d) => Ok(d.clone()),
                None => Ok(e.clone()),
            };
            data.and_then(|d| m365_event(&d, row, raw, &[]))
        };
        match event {
            Ok(ev) => log.events.push(ev),
            Err(why) => log.problems.push(Problem { item: format!("entry {row}"), reason: why }),
        }
    }
    Ok(Some(log))
}

/// The index of the first header among `names` (case and spacing aside).
fn column(headers: &csv::ByteRecord, names: &[&str]) -> Option<usize> {
    let norm = |s: &[u8]| String::from_utf8_lossy(s).trim().to_ascii_lowercase().replace([' ', '_'], "");
    headers.iter().position(|h| names.iter().any(|n| norm(h) == norm(n.as_bytes())))
}

/// The columns of a mapped export.
struct Mapped {
    time: usize,
    actor: usize,
    action: usize,
    object: usize,
    ip: Option<usize>,
    device: Option<usize>,
    file_name: Option<usize>,
    size: Option<usize>,
    hash: Option<usize>,
    offset: i32,
}

/// The columns of `m` in `headers`, if the export has every one.
fn mapped(headers: &csv::ByteRecord, m: &Mapping) -> Option<Mapped> {
    let one = |c: &str| column(headers, &[c]);
    let opt = |c: &Option<String>| match c {
        Some(c) => one(c).map(Some),
        None => Some(None),
    };
    Some(Mapped {
        time: one(&m.time)?,
        actor: one(&m.actor)?,
        action: one(&m.action)?,
        object: one(&m.object)?,
        ip: opt(&m.ip)?,
        device: opt(&m.device)?,
        file_name: opt(&m.file_name)?,
        size: opt(&m.size)?,
        hash: opt(&m.hash)?,
        offset: m.utc_offset.as_deref().and_then(offset_seconds).unwrap_or(0),
    })
}

fn csv_log(bytes: &[u8], mappings: &[Mapping]) -> Result<Option<AuditLog>> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut r = csv::ReaderBuilder::new().flexible(true).from_reader(body);
    let Ok(headers) = r.byte_headers().cloned() else { return Ok(None) };
    let m365 = column(&headers, &["AuditData"]).zip(column(&headers, &["CreationDate", "CreationTime"]));
    let drive = (column(&headers, &["Date"]), column(&headers, &["Event", "Event name", "Event Name"]), column(&headers, &["Actor", "User"]));
    let mut through = None;
    let format = match (m365, drive) {
        (Some(_), _) => "m365-csv",
        (None, (Some(_), Some(_), Some(_))) if column(&headers, &["Item name", "Title", "Document name", "Item ID", "Document ID"]).is_some() => "drive-csv",
        _ => match mappings.iter().find_map(|m| mapped(&headers, m).map(|c| (m, c))) {
            Some(found) => {
                through = Some(found);
                "mapped-csv"
            }
            None => return Ok(None),
        },
    };
    let mut log = AuditLog { format, mapping: through.as_ref().map(|(m, _)| (*m).clone()), ..Default::default() };
    // Every record with where it starts; a row's raw bytes run to the next one's start.
    let mut records = Vec::new();
    let mut record = csv::ByteRecord::new();
    loop {
        match r.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => records.push((record.position().map_or(0, |p| p.byte()) as usize, record.clone())),
            Err(e) => {
                log.problems.push(Problem { item: format!("row {}", records.len() + 1), reason: format!("not readable as CSV: {e}") });
                break;
            }
        }
    }
    let ends: Vec<usize> = records.iter().skip(1).map(|(s, _)| *s).chain(std::iter::once(body.len())).collect();
    for (i, ((start, record), end)) in records.iter().zip(ends).enumerate() {
        let row = i as u32 + 1;
        // The record's bytes without the line ends around it (the reader may
        // place a record's start on the line feed of a CR LF before it).
        let raw = &body[*start..end.max(*start)];
        let from = raw.iter().position(|b| !matches!(b, b'\r' | b'\n')).unwrap_or(raw.len());
        let to = raw.iter().rposition(|b| !matches!(b, b'\r' | b'\n')).map_or(from, |i| i + 1);
        let raw = &raw[from..to.max(from)];
        let field = |i: Option<usize>| i.and_then(|i| record.get(i)).map(|f| String::from_utf8_lossy(f).trim().to_string()).filter(|f| !f.is_empty());
        let event = if let Some((_, c)) = &through {
            mapped_event(c, record, row, raw)
        } else if let Some((data, created)) = m365 {
            let user = field(column(&headers, &["UserIds", "UserId"]));
            let op = field(column(&headers, &["Operations", "Operation"]));
            let created = field(Some(created));
            let fallback = [("CreationTime", created.as_deref().unwrap_or("")), ("UserId", user.as_deref().unwrap_or("")), ("Operation", op.as_deref().unwrap_or(""))];
            match field(Some(data)).map(|d| serde_json::from_str::<Value>(&d)) {
                Some(Ok(d)) => m365_event(&d, row, raw, &fallback),
                Some(Err(e)) => Err(format!("AuditData is not JSON: {e}")),
                None => m365_event(&Value::Null, row, raw, &fallback),
            }
        } else {
            let (date, event, actor) = drive;
            match field(date) {
                None => Err("no Date".to_string()),
                Some(t) => match utc(&t) {
                    None => Err(format!("the time {t} is in no known form")),
                    Some(time) => {
                        let name = field(column(&headers, &["Item name", "Title", "Document name"]));
                        Ok(AuditEvent {
                            row,
                            raw_sha256: sha256(raw),
                            time,
                            actor: field(actor).unwrap_or_default(),
                            action: field(event).unwrap_or_default(),
                            object: name.clone().unwrap_or_default(),
                            object_id: field(column(&headers, &["Item ID", "Document ID"])),
                            file_name: name,
                            size: None,
                            hash: None,
                            ip: field(column(&headers, &["IP address", "IP Address"])),
                            device: None,
                        })
                    }
                },
            }
        };
        match event {
            Ok(ev) => log.events.push(ev),
            Err(why) => log.problems.push(Problem { item: format!("row {row}"), reason: why }),
        }
    }
    Ok(Some(log))
}

/// A row of a mapped export as an event.
fn mapped_event(c: &Mapped, record: &csv::ByteRecord, row: u32, raw: &[u8]) -> std::result::Result<AuditEvent, String> {
    let field = |i: Option<usize>| i.and_then(|i| record.get(i)).map(|f| String::from_utf8_lossy(f).trim().to_string()).filter(|f| !f.is_empty());
    let t = field(Some(c.time)).ok_or("no time")?;
    let time = utc_at(&t, c.offset).ok_or_else(|| format!("the time {t} is in no known form"))?;
    let object = field(Some(c.object)).unwrap_or_default();
    let file_name = field(c.file_name).or_else(|| object.rsplit(['/', '\\']).next().filter(|n| n.contains('.')).map(str::to_string));
    let hash = field(c.hash).filter(|h| h.chars().all(|c| c.is_ascii_hexdigit())).and_then(|h| {
        let algorithm = match h.len() {
            64 => "sha256",
            40 => "sha1",
            32 => "md5",
            _ => return None,
        };
        Some((algorithm.to_string(), h.to_ascii_lowercase()))
    });
    Ok(AuditEvent {
        row,
        raw_sha256: sha256(raw),
        time,
        actor: field(Some(c.actor)).unwrap_or_default(),
        action: field(Some(c.action)).unwrap_or_default(),
        object: object.clone(),
        object_id: Some(object).filter(|o| !o.is_empty()),
        file_name,
        size: field(c.size).and_then(|s| s.replace(',', "").parse().ok()),
        hash,
        ip: field(c.ip),
        device: field(c.device),
    })
}

#[cfg(test)]
mod tests;
