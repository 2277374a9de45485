//! Fields sealed for a server that must not read them: what a firm vault
//! keeps in PostgreSQL, which does not encrypt at rest (DESIGN §1.3.2).
//!
//! Each value is encrypted with XChaCha20-Poly1305 under a key derived from
//! the vault's database key (HKDF-SHA256), with a fresh random nonce, and
//! bound to where it belongs (table, column, row) as associated data: a
//! sealed value moved to another row or column no longer opens. Values are
//! padded to a multiple of 32 bytes, so the server learns a length only to
//! that grain.

use chacha20poly1305::aead::{Aead, KeyInit as AeadKeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

/// The first byte of every sealed value: its format.
const VERSION: u8 = 1;
const NONCE: usize = 24;
const PAD: usize = 32;

/// A database value, as SQLite holds it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Value {
    /// SQL NULL.
    Null,
    /// An integer.
    Integer(i64),
    /// A floating-point number.
    Real(f64),
    /// Text.
    Text(String),
    /// Bytes.
    Blob(Vec<u8>),
}

/// The key fields are sealed with. Dropping it wipes it.
pub struct FieldKey {
    cipher: XChaCha20Poly1305,
}

impl std::fmt::Debug for FieldKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FieldKey").finish_non_exhaustive()
    }
}

/// Why a sealed value did not open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsealable(pub String);

impl FieldKey {
    /// Derives the field key from the vault's database key: HKDF-SHA256 with
    /// a fixed salt and purpose, one block.
    pub fn derive(db_key: &[u8; 32]) -> Self {
        let mut extract = <Hmac<Sha256> as KeyInit>::new_from_slice(b"custos firm catalog").expect("any key length");
        extract.update(db_key);
        let mut prk = Zeroizing::new([0u8; 32]);
        prk.copy_from_slice(&extract.finalize().into_bytes());
        let mut expand = <Hmac<Sha256> as KeyInit>::new_from_slice(&prk[..]).expect("any key length");
        expand.update(b"sealed fields v1\x01");
        let mut okm = Zeroizing::new([0u8; 32]);
        okm.copy_from_slice(&expand.finalize().into_bytes());
        Self { cipher: <XChaCha20Poly1305 as AeadKeyInit>::new_from_slice(&okm[..]).expect("32 bytes") }
    }

    /// Seals `plain` for the place `aad` names.
    pub fn seal_bytes(&self, plain: &[u8], aad: &str) -> Vec<u8> {
        let mut nonce = [0u8; NONCE];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut nonce);
        let mut padded = Zeroizing::new(Vec::with_capacity(4 + plain.len() + PAD));
        padded.extend_from_slice(&(plain.len() as u32).to_le_bytes());
        padded.extend_from_slice(plain);
        let len = padded.len().div_ceil(PAD) * PAD;
        padded.resize(len, 0);
        let ct = self
            .cipher
            .encrypt(XNonce::from_slice(&nonce), Payload { msg: &padded, aad: aad.as_bytes() })
            .expect("encryption of a bounded buffer");
        let mut out = Vec::with_capacity(1 + NONCE + ct.len());
        out.push(VERSION);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ct);
        out
    }

    /// Opens what [`FieldKey::seal_bytes`] sealed for the same place.
    pub fn open_bytes(&self, sealed: &[u8], aad: &str) -> Result<Zeroizing<Vec<u8>>, Unsealable> {
        let fail = |why: &str| Unsealable(format!("{aad}: {why}"));
        if sealed.len() < 1 + NONCE + 16 || sealed[0] != VERSION {
            return Err(fail("not a sealed value"));
        }
        let padded = Zeroizing::new(
            self.cipher
                .decrypt(XNonce::from_slice(&sealed[1..1 + NONCE]), Payload { msg: &sealed[1 + NONCE..], aad: aad.as_bytes() })
                .map_err(|_| fail("does not open with this matter's key here (altered, moved or another matter's)"))?,
        );
        let n = padded.get(..4).map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes")) as usize).ok_or_else(|| fail("too short"))?;
        let body = padded.get(4..4 + n).ok_or_else(|| fail("its length is wrong"))?;
        Ok(Zeroizing::new(body.to_vec()))
    }

    /// Seals one database value.
    pub fn seal(&self, v: &Value, aad: &str) -> Vec<u8> {
        self.seal_bytes(&encode(v), aad)
    }

    /// Opens one database value.
    pub fn open(&self, sealed: &[u8], aad: &str) -> Result<Value, Unsealable> {
        decode(&self.open_bytes(sealed, aad)?).ok_or_else(|| Unsealable(format!("{aad}: not a database value")))
    }
}

/// A value as bytes: a type byte, then its contents.
fn encode(v: &Value) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(Vec::new());
    match v {
        Value::Null => out.push(0),
        Value::Integer(i) => {
            out.push(1);
            out.extend_from_slice(&i.to_le_bytes());
        }
        Value::Real(r) => {
            out.push(2);
            out.extend_from_slice(&r.to_le_bytes());
        }
        Value::Text(s) => {
            out.push(3);
            out.extend_from_slice(s.as_bytes());
        }
        Value::Blob(b) => {
            out.push(4);
            out.extend_from_slice(b);
        }
    }
    out
}

fn decode(b: &[u8]) -> Option<Value> {
    let (&kind, rest) = b.split_first()?;
    Some(match kind {
        0 if rest.is_empty() => Value::Null,
        1 => Value::Integer(i64::from_le_bytes(rest.try_into().ok()?)),
        2 => Value::Real(f64::from_le_bytes(rest.try_into().ok()?)),
        3 => Value::Text(String::from_utf8(rest.to_vec()).ok()?),
        4 => Value::Blob(rest.to_vec()),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip_and_stay_where_they_were_sealed() {
        let k = FieldKey::derive(&[7u8; 32]);
        for v in [Value::Null, Value::Integer(-5), Value::Real(1.5), Value::Text("Acme – secret".into()), Value::Blob(vec![0, 1, 2])] {
            let s = k.seal(&v, "exhibits.original_name#3");
            assert_eq!(k.open(&s, "exhibits.original_name#3").unwrap(), v);
            assert!(k.open(&s, "exhibits.original_name#4").is_err(), "moved to another row");
            assert!(k.open(&s, "exhibits.description#3").is_err(), "moved to another column");
        }
        let s = k.seal(&Value::Text("same".into()), "t.c#1");
        assert_ne!(s, k.seal(&Value::Text("same".into()), "t.c#1"), "a fresh nonce each time");
        assert!(FieldKey::derive(&[8u8; 32]).open(&s, "t.c#1").is_err(), "another matter's key");
        let mut altered = s.clone();
        *altered.last_mut().unwrap() ^= 1;
        assert!(k.open(&altered, "t.c#1").is_err());
        assert_eq!(k.seal(&Value::Text("a".into()), "x").len(), k.seal(&Value::Text("b".repeat(20)).clone(), "x").len(), "padded");
        let plain = b"Acme - secret";
        assert!(!k.seal_bytes(plain, "x").windows(plain.len()).any(|w| w == plain));
    }
}
