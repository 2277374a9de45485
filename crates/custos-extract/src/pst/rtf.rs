//! Message bodies kept only as compressed RTF (`PR_RTF_COMPRESSED`), as
//! Outlook stores many messages written in it: the RTF is decompressed with
//! Microsoft's `compressed-rtf` (MS-OXRTFCP) and written twice, as the plain
//! text read from it (the body a reader and the text extraction see) and as
//! the RTF itself (`text/rtf`), so nothing of it is lost.

/// The MAPI property of the compressed RTF body.
pub(super) const PR_RTF_COMPRESSED: u16 = 0x1009;

/// The body parts made from a compressed RTF body: its text (`text/plain`,
/// UTF-8) and the RTF (`text/rtf`); why not, when it cannot be read.
pub(super) fn body(compressed: &[u8], text_part: impl Fn(&str, Option<&str>, &[u8]) -> Vec<u8>) -> Result<Vec<Vec<u8>>, String> {
    let rtf = compressed_rtf::decompress_rtf(compressed).map_err(|e| format!("its compressed RTF body cannot be read: {e}"))?;
    let text = crate::documents::rtf_text(rtf.as_bytes()).map_err(|e| format!("its RTF body cannot be read: {e}"))?;
    Ok(vec![text_part("plain", Some("utf-8"), text.as_bytes()), text_part("rtf", None, rtf.as_bytes())])
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_compressed_rtf_body_becomes_its_text_and_the_rtf() {
        let rtf = r"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0 Arial;}}\f0\fs20 Ship the drawings\par before Friday.\par}";
        let compressed = compressed_rtf::compress_rtf(rtf).unwrap();
        let parts = super::body(&compressed, |sub, charset, data| format!("{sub}|{charset:?}|{}", String::from_utf8_lossy(data)).into_bytes()).unwrap();
        let parts: Vec<String> = parts.into_iter().map(|p| String::from_utf8(p).unwrap()).collect();
        assert_eq!(parts[0], "plain|Some(\"utf-8\")|Ship the drawings\nbefore Friday.");
        assert_eq!(parts[1], format!("rtf|None|{rtf}"));
        assert!(super::body(b"not compressed RTF at all", |_, _, d| d.to_vec()).unwrap_err().contains("compressed RTF"));
    }
}
