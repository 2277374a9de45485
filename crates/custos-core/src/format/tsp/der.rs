//! The few DER structures of RFC 3161 that Custos writes and reads: the
//! request it sends, the response's status and token, and the TSTInfo inside
//! a token. A strict reader: definite lengths only, minimal length encoding,
//! every structure must be consumed exactly, nothing is trusted before the
//! CMS signature over it verified (see `token.rs`).

/// DER tags used here.
pub(crate) mod tag {
    pub const BOOLEAN: u8 = 0x01;
    pub const INTEGER: u8 = 0x02;
    pub const OCTET_STRING: u8 = 0x04;
    pub const NULL: u8 = 0x05;
    pub const OID: u8 = 0x06;
    pub const GENERALIZED_TIME: u8 = 0x18;
    pub const SEQUENCE: u8 = 0x30;
    pub const CONTEXT_0: u8 = 0xA0;
}

/// The SHA-256 algorithm identifier's OID (2.16.840.1.101.3.4.2.1), content bytes.
pub(crate) const OID_SHA256: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01];
/// id-signedData (1.2.840.113549.1.7.2).
const OID_SIGNED_DATA: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x02];
/// id-ct-TSTInfo (1.2.840.113549.1.9.16.1.4).
const OID_TST_INFO: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x10, 0x01, 0x04];

/// Why a DER structure was refused.
pub(crate) type DerError = String;

/// One tag-length-value.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tlv<'a> {
    pub tag: u8,
    pub content: &'a [u8],
    /// The whole encoding, tag and length included.
    pub raw: &'a [u8],
}

/// Reads TLVs one after another from a byte string.
pub(crate) struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Self(bytes)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn peek_tag(&self) -> Option<u8> {
        self.0.first().copied()
    }

    /// The next TLV, whatever its tag.
    pub fn any(&mut self) -> Result<Tlv<'a>, DerError> {
        let b = self.0;
        let (&t, rest) = b.split_first().ok_or("the structure ends early")?;
        if t & 0x1F == 0x1F {
            return Err("a multi-byte tag, which RFC 3161 does not use".into());
        }
        let (&l0, rest) = rest.split_first().ok_or("the structure ends inside a length")?;
        let (len, rest) = if l0 < 0x80 {
            (l0 as usize, rest)
        } else {
            let n = (l0 & 0x7F) as usize;
            if n == 0 {
                return Err("an indefinite length, which DER forbids".into());
            }
            if n > 4 || rest.len() < n {
                return Err("a length longer than the data".into());
            }
            let len = rest[..n].iter().fold(0usize, |a, &x| (a << 8) | x as usize);
            if rest[0] == 0 || len < 0x80 {
                return Err("a length not in its shortest form, which DER forbids".into());
            }
            (len, &rest[n..])
        };
        if rest.len() < len {
            return Err("a length longer than the data".into());
        }
        let header = b.len() - rest.len();
        self.0 = &rest[len..];
        Ok(Tlv { tag: t, content: &rest[..len], raw: &b[..header + len] })
    }

    /// The next TLV, which must have `want` as its tag.
    pub fn expect(&mut self, want: u8, what: &str) -> Result<Tlv<'a>, DerError> {
        let t = self.any().map_err(|e| format!("{what}: {e}"))?;
        if t.tag != want {
            return Err(format!("{what}: expected tag 0x{want:02X}, found 0x{:02X}", t.tag));
        }
        Ok(t)
    }

    /// The next TLV if it has tag `want`.
    pub fn optional(&mut self, want: u8, what: &str) -> Result<Option<Tlv<'a>>, DerError> {
        if self.peek_tag() == Some(want) { self.expect(want, what).map(Some) } else { Ok(None) }
    }

    /// Ends a structure: nothing may follow.
    pub fn end(&self, what: &str) -> Result<(), DerError> {
        if self.0.is_empty() { Ok(()) } else { Err(format!("{what}: unexpected bytes after its end")) }
    }
}

/// A whole byte string that must be exactly one TLV of tag `want`.
pub(crate) fn single<'a>(bytes: &'a [u8], want: u8, what: &str) -> Result<Tlv<'a>, DerError> {
    let mut r = Reader::new(bytes);
    let t = r.expect(want, what)?;
    r.end(what)?;
    Ok(t)
}

fn encode(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = content.len();
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes: Vec<u8> = n.to_be_bytes().iter().copied().skip_while(|&b| b == 0).collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend_from_slice(&bytes);
    }
    out.extend_from_slice(content);
    out
}

/// The DER content of a non-negative INTEGER with these big-endian bytes.
pub(crate) fn positive_integer(bytes: &[u8]) -> Vec<u8> {
    let trimmed: &[u8] = {
        let i = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len().saturating_sub(1));
        &bytes[i.min(bytes.len())..]
    };
    let mut v = Vec::with_capacity(trimmed.len() + 1);
    if trimmed.is_empty() || trimmed[0] & 0x80 != 0 {
        v.push(0);
    }
    v.extend_from_slice(trimmed);
    v
}

/// A TimeStampReq (RFC 3161 §2.4.1): version 1, SHA-256 message imprint,
/// the nonce, certReq TRUE (so the token carries the TSA's certificate).
pub(crate) fn timestamp_request(imprint: &[u8; 32], nonce: &[u8]) -> Vec<u8> {
    let alg = encode(tag::SEQUENCE, &[encode(tag::OID, OID_SHA256), encode(tag::NULL, &[])].concat());
    let message_imprint = encode(tag::SEQUENCE, &[alg, encode(tag::OCTET_STRING, imprint)].concat());
    let body = [
        encode(tag::INTEGER, &[1]),
        message_imprint,
        encode(tag::INTEGER, &positive_integer(nonce)),
        encode(tag::BOOLEAN, &[0xFF]),
    ]
    .concat();
    encode(tag::SEQUENCE, &body)
}

/// A TimeStampResp's answer: the token (a ContentInfo, exactly as received)
/// when the status is granted (0) or grantedWithMods (1).
pub(crate) fn response_token(resp: &[u8]) -> Result<Vec<u8>, DerError> {
    let outer = single(resp, tag::SEQUENCE, "TimeStampResp")?;
    let mut r = Reader::new(outer.content);
    let status_info = r.expect(tag::SEQUENCE, "PKIStatusInfo")?;
    let mut s = Reader::new(status_info.content);
    let status = s.expect(tag::INTEGER, "PKIStatus")?;
    let text = {
        // statusString is a SEQUENCE of UTF8String: show it to the user.
        let mut parts = Vec::new();
        if let Some(free) = s.optional(tag::SEQUENCE, "PKIFreeText")? {
            let mut f = Reader::new(free.content);
            while !f.is_empty() {
                parts.push(String::from_utf8_lossy(f.any()?.content).into_owned());
            }
        }
        parts.join("; ")
    };
    match status.content {
        [0] | [1] => {}
        other => {
            let code = other.iter().fold(0i64, |a, &b| (a << 8) | b as i64);
            let meaning = match code {
                2 => "rejection",
                3 => "waiting",
                4 => "revocation warning",
                5 => "revocation notification",
                _ => "unknown status",
            };
            return Err(format!("the authority refused the request (status {code}, {meaning}{})", if text.is_empty() { String::new() } else { format!(": {text}") }));
        }
    }
    let token = r.expect(tag::SEQUENCE, "TimeStampToken").map_err(|_| "the answer says granted but holds no token".to_string())?;
    r.end("TimeStampResp")?;
    Ok(token.raw.to_vec())
}

/// Checks that a token is a ContentInfo of SignedData encapsulating a TSTInfo.
pub(crate) fn check_token_shape(token: &[u8]) -> Result<(), DerError> {
    let ci = single(token, tag::SEQUENCE, "ContentInfo")?;
    let mut r = Reader::new(ci.content);
    if r.expect(tag::OID, "contentType")?.content != OID_SIGNED_DATA {
        return Err("the token is not CMS SignedData".into());
    }
    let wrapped = r.expect(tag::CONTEXT_0, "content")?;
    r.end("ContentInfo")?;
    let sd = single(wrapped.content, tag::SEQUENCE, "SignedData")?;
    let mut s = Reader::new(sd.content);
    s.expect(tag::INTEGER, "version")?;
    s.expect(0x31, "digestAlgorithms")?;
    let encap = s.expect(tag::SEQUENCE, "encapContentInfo")?;
    let mut e = Reader::new(encap.content);
    if e.expect(tag::OID, "eContentType")?.content != OID_TST_INFO {
        return Err("the signed content is not a TSTInfo".into());
    }
    Ok(())
}

/// The fields of a TSTInfo (RFC 3161 §2.4.2) that Custos checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TstInfo {
    /// Whether the message imprint is SHA-256.
    pub imprint_is_sha256: bool,
    /// The hashed message.
    pub imprint: Vec<u8>,
    /// Serial number, hex.
    pub serial: String,
    /// genTime as RFC 3339 UTC.
    pub gen_time: String,
    /// The nonce's INTEGER content, if any.
    pub nonce: Option<Vec<u8>>,
}

/// Parses a TSTInfo (the content a token's signature covers).
pub(crate) fn tst_info(bytes: &[u8]) -> Result<TstInfo, DerError> {
    let outer = single(bytes, tag::SEQUENCE, "TSTInfo")?;
    let mut r = Reader::new(outer.content);
    if r.expect(tag::INTEGER, "TSTInfo version")?.content != [1] {
        return Err("TSTInfo version is not 1".into());
    }
    r.expect(tag::OID, "policy")?;
    let mi = r.expect(tag::SEQUENCE, "messageImprint")?;
    let mut m = Reader::new(mi.content);
    let alg = m.expect(tag::SEQUENCE, "hashAlgorithm")?;
    let mut a = Reader::new(alg.content);
    let oid = a.expect(tag::OID, "hashAlgorithm OID")?;
    a.optional(tag::NULL, "hashAlgorithm parameters")?;
    a.end("hashAlgorithm")?;
    let hashed = m.expect(tag::OCTET_STRING, "hashedMessage")?;
    m.end("messageImprint")?;
    let serial = r.expect(tag::INTEGER, "serialNumber")?;
    let gen_time = r.expect(tag::GENERALIZED_TIME, "genTime")?;
    r.optional(tag::SEQUENCE, "accuracy")?;
    r.optional(tag::BOOLEAN, "ordering")?;
    let nonce = r.optional(tag::INTEGER, "nonce")?.map(|n| n.content.to_vec());
    // tsa [0] and extensions [1] are not needed.
    Ok(TstInfo {
        imprint_is_sha256: oid.content == OID_SHA256,
        imprint: hashed.content.to_vec(),
        serial: hex::encode(serial.content),
        gen_time: generalized_time(gen_time.content)?,
        nonce,
    })
}

/// `YYYYMMDDHHMMSS[.f]Z` as RFC 3339 (`YYYY-MM-DDTHH:MM:SS[.f]Z`).
fn generalized_time(b: &[u8]) -> Result<String, DerError> {
    let s = std::str::from_utf8(b).map_err(|_| "genTime is not text".to_string())?;
    let bad = || format!("genTime {s:?} is not a UTC GeneralizedTime");
    let body = s.strip_suffix('Z').ok_or_else(bad)?;
    let (whole, frac) = match body.split_once('.') {
        Some((w, f)) if !f.is_empty() && f.bytes().all(|c| c.is_ascii_digit()) => (w, Some(f)),
        Some(_) => return Err(bad()),
        None => (body, None),
    };
    if whole.len() != 14 || !whole.bytes().all(|c| c.is_ascii_digit()) {
        return Err(bad());
    }
    let text = format!(
        "{}-{}-{}T{}:{}:{}{}Z",
        &whole[0..4],
        &whole[4..6],
        &whole[6..8],
        &whole[8..10],
        &whole[10..12],
        &whole[12..14],
        frac.map(|f| format!(".{f}")).unwrap_or_default()
    );
    chrono::DateTime::parse_from_rfc3339(&text).map_err(|_| bad())?;
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_carries_version_imprint_nonce_and_cert_req() {
        let req = timestamp_request(&[7u8; 32], &[0x80, 1]);
        let outer = single(&req, tag::SEQUENCE, "req").unwrap();
        let mut r = Reader::new(outer.content);
        assert_eq!(r.expect(tag::INTEGER, "v").unwrap().content, [1]);
        let imprint = r.expect(tag::SEQUENCE, "imprint").unwrap();
        let mut m = Reader::new(imprint.content);
        let alg = m.expect(tag::SEQUENCE, "alg").unwrap();
        assert_eq!(Reader::new(alg.content).expect(tag::OID, "oid").unwrap().content, OID_SHA256, "SHA-256");
        assert_eq!(m.expect(tag::OCTET_STRING, "hash").unwrap().content, [7u8; 32]);
        assert_eq!(r.expect(tag::INTEGER, "nonce").unwrap().content, [0, 0x80, 1], "a high bit needs a leading zero to stay positive");
        assert_eq!(r.expect(tag::BOOLEAN, "certReq").unwrap().content, [0xFF]);
        r.end("req").unwrap();
    }

    #[test]
    fn integers_are_minimal_and_positive() {
        assert_eq!(positive_integer(&[0, 0, 5]), [5]);
        assert_eq!(positive_integer(&[0xFF]), [0, 0xFF]);
        assert_eq!(positive_integer(&[0, 0]), [0]);
    }

    #[test]
    fn non_der_lengths_and_truncations_are_refused() {
        for (bytes, why) in [
            (&[0x30, 0x80, 0, 0][..], "indefinite"),
            (&[0x30, 0x81, 0x05, 1, 2, 3, 4, 5][..], "shortest form"),
            (&[0x30, 0x05, 1, 2][..], "longer than the data"),
            (&[0x30][..], "ends inside a length"),
            (&[0x30, 0x00, 0x00][..], "after its end"),
            (&[0x1F, 0x00][..], "multi-byte tag"),
        ] {
            let e = single(bytes, tag::SEQUENCE, "x").unwrap_err();
            assert!(e.contains(why), "{bytes:?}: {e}");
        }
    }

    #[test]
    fn refused_and_empty_answers_say_why() {
        // status 2 (rejection) with a text.
        let text = encode(tag::SEQUENCE, &encode(0x0C, b"bad digest"));
        let status = encode(tag::SEQUENCE, &[encode(tag::INTEGER, &[2]), text].concat());
        let e = response_token(&encode(tag::SEQUENCE, &status)).unwrap_err();
        assert!(e.contains("status 2") && e.contains("bad digest"), "{e}");
        let granted = encode(tag::SEQUENCE, &encode(tag::INTEGER, &[0]));
        let e = response_token(&encode(tag::SEQUENCE, &granted)).unwrap_err();
        assert!(e.contains("holds no token"), "{e}");
    }

    #[test]
    fn generalized_times_become_rfc3339() {
        assert_eq!(generalized_time(b"20260102030405Z").unwrap(), "2026-01-02T03:04:05Z");
        assert_eq!(generalized_time(b"20260102030405.123Z").unwrap(), "2026-01-02T03:04:05.123Z");
        assert!(generalized_time(b"20261302030405Z").is_err(), "month 13");
        assert!(generalized_time(b"20260102030405+0100").is_err(), "not UTC");
    }

    #[test]
    fn mutated_answers_never_panic() {
        // Row 22: every prefix and every single-byte change of a well-formed
        // answer is either parsed or refused with a reason.
        let tst = encode(tag::SEQUENCE, &[encode(tag::INTEGER, &[1]), encode(tag::OID, OID_SHA256)].concat());
        let status = encode(tag::SEQUENCE, &encode(tag::INTEGER, &[0]));
        let resp = encode(tag::SEQUENCE, &[status, tst.clone()].concat());
        for cut in 0..resp.len() {
            let _ = response_token(&resp[..cut]);
            let _ = tst_info(&tst[..cut.min(tst.len())]);
            let _ = check_token_shape(&resp[..cut]);
        }
        for i in 0..resp.len() {
            for x in [0x00, 0x80, 0xFF, 0x1F] {
                let mut m = resp.clone();
                m[i] = x;
                let _ = response_token(&m);
                let _ = tst_info(&m);
                let _ = check_token_shape(&m);
            }
        }
    }
}
