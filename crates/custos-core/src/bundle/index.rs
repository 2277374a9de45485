//! `data/exhibit-index.csv`: one row per produced exhibit.

use super::model::Production;

/// The exhibit index as CSV (RFC 4180, UTF-8, CRLF).
pub(crate) fn index_csv(p: &Production) -> Vec<u8> {
    let field = |s: &str| {
        if s.contains([',', '"', '\r', '\n']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
    };
    let mut out = String::from(
        "BEGBATES,ENDBATES,EXHIBITID,FILENAME,MIMETYPE,FILESIZE,CUSTODIAN,SOURCE,COLLECTEDBY,DATECOLLECTED,SHA256,MD5,NATIVEPATH,DESCRIPTION\r\n",
    );
    for e in &p.exhibits {
        let row = [
            e.bates.as_str(),
            e.bates_end.as_deref().unwrap_or(&e.bates),
            e.exhibit_id.as_str(),
            e.name.as_str(),
            e.mime.as_str(),
            &e.size.to_string(),
            e.custodian.as_deref().unwrap_or(""),
            e.source.as_deref().unwrap_or(""),
            e.collected_by.as_str(),
            e.collected_at.as_str(),
            e.export_sha256.as_str(),
            e.export_md5.as_str(),
            e.native_path.as_str(),
            e.description.as_str(),
        ]
        .map(field)
        .join(",");
        out.push_str(&row);
        out.push_str("\r\n");
    }
    out.into_bytes()
}
