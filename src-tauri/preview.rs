//! Safe previews: decrypted bytes are held in memory and served through the
//! `custos-preview` protocol only to requests carrying the session's token,
//! with `nosniff` and a CSP that forbids scripts. E-mail and text are sent
//! as text; HTML is sent as its source text and shown as text.

use crate::state::AppState;
use crate::wire::{EmailPreview, Preview, PreviewKind};
use std::borrow::Cow;
use tauri::http::{Request, Response, StatusCode, header};

/// Largest exhibit a preview decrypts into memory.
pub const MAX_PREVIEW: u64 = 64 << 20;
/// Largest text sent to the web view.
const MAX_TEXT: usize = 2 << 20;

/// The response CSP of every preview: nothing may run, load or navigate.
pub const PREVIEW_CSP: &str = "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'; form-action 'none'; frame-ancestors 'none'";

/// How an exhibit of this type is shown.
pub fn kind_for(mime: &str, name: &str) -> PreviewKind {
    let lower = name.to_ascii_lowercase();
    match mime {
        "image/png" | "image/jpeg" | "image/gif" | "image/webp" | "image/bmp" | "image/svg+xml" => PreviewKind::Image,
        "application/pdf" => PreviewKind::Pdf,
        "text/html" | "application/xhtml+xml" => PreviewKind::Html,
        "message/rfc822" => PreviewKind::Email,
        _ if lower.ends_with(".eml") => PreviewKind::Email,
        m if m.starts_with("text/") => PreviewKind::Text,
        "application/json" | "application/xml" | "application/csv" | "application/x-sh" => PreviewKind::Text,
        _ => PreviewKind::None,
    }
}

/// A preview that shows nothing, and why.
pub fn none(mime: &str, reason: String) -> Preview {
    Preview { kind: PreviewKind::None, mime: mime.into(), url: None, text: None, truncated: false, email: None, reason: Some(reason) }
}

/// The preview of decrypted bytes.
pub fn build(state: &AppState, kind: PreviewKind, mime: String, bytes: Vec<u8>) -> Preview {
    let mut p = Preview { kind, mime: mime.clone(), url: None, text: None, truncated: false, email: None, reason: None };
    match kind {
        PreviewKind::Image | PreviewKind::Pdf => {
            let id = state.hold_preview(mime, bytes);
            p.url = Some(url(&state.preview_token, &id));
        }
        PreviewKind::Text | PreviewKind::Html => {
            p.truncated = bytes.len() > MAX_TEXT;
            let cut = &bytes[..bytes.len().min(MAX_TEXT)];
            p.text = Some(String::from_utf8_lossy(cut).into_owned());
        }
        PreviewKind::Email => match email(&bytes) {
            Some(e) => p.email = Some(e),
            None => {
                p.kind = PreviewKind::Text;
                p.text = Some(String::from_utf8_lossy(&bytes[..bytes.len().min(MAX_TEXT)]).into_owned());
            }
        },
        PreviewKind::None => {}
    }
    p
}

/// The URL of a held preview.
pub fn url(token: &str, id: &str) -> String {
    if cfg!(any(windows, target_os = "android")) {
        format!("http://custos-preview.localhost/{token}/{id}")
    } else {
        format!("custos-preview://localhost/{token}/{id}")
    }
}

/// Parses an e-mail message into headers and a text body.
pub fn email(bytes: &[u8]) -> Option<EmailPreview> {
    use mail_parser::{MessageParser, MimeHeaders};
    let m = MessageParser::default().parse(bytes)?;
    let addrs = |a: Option<&mail_parser::Address>| -> String {
        a.map(|a| {
            a.iter()
                .map(|x| match (x.name(), x.address()) {
                    (Some(n), Some(e)) => format!("{n} <{e}>"),
                    (None, Some(e)) => e.to_string(),
                    (Some(n), None) => n.to_string(),
                    (None, None) => String::new(),
                })
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
    };
    let body = m.body_text(0).map(|b| b.into_owned()).unwrap_or_default();
    let mut body = body;
    if body.len() > MAX_TEXT {
        let mut cut = MAX_TEXT;
        while !body.is_char_boundary(cut) {
            cut -= 1;
        }
        body.truncate(cut);
    }
    Some(EmailPreview {
        from: addrs(m.from()),
        to: addrs(m.to()),
        cc: addrs(m.cc()),
        date: m.date().map(|d| d.to_rfc3339()).unwrap_or_default(),
        subject: m.subject().unwrap_or_default().to_string(),
        body,
        attachments: m.attachments().map(|a| a.attachment_name().unwrap_or("(unnamed)").to_string()).collect(),
    })
}

/// Serves `/<token>/<id>` from memory; anything else is 404.
pub fn respond(state: &AppState, request: &Request<Vec<u8>>) -> Response<Cow<'static, [u8]>> {
    let not_found = || {
        Response::builder()
            .status(StatusCode::NOT_FOUND)
            .header(header::CONTENT_TYPE, "text/plain")
            .header("X-Content-Type-Options", "nosniff")
            .body(Cow::Borrowed(&b"not found"[..]))
            .expect("static response")
    };
    let path = request.uri().path().trim_start_matches('/');
    let Some((token, id)) = path.split_once('/') else { return not_found() };
    if !constant_time_eq(token.as_bytes(), state.preview_token.as_bytes()) || request.method() != tauri::http::Method::GET {
        return not_found();
    }
    let origin = request.headers().get(header::ORIGIN).and_then(|o| o.to_str().ok()).unwrap_or("");
    let allowed_origin = matches!(origin, "tauri://localhost" | "http://tauri.localhost");
    state
        .with_preview(id, |held| {
            let mut r = Response::builder()
                .header(header::CONTENT_TYPE, held.mime.as_str())
                .header("X-Content-Type-Options", "nosniff")
                .header(header::CACHE_CONTROL, "no-store")
                .header("Content-Security-Policy", PREVIEW_CSP)
                .header("Cross-Origin-Resource-Policy", "same-site")
                .header("Referrer-Policy", "no-referrer");
            if allowed_origin {
                r = r.header(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            }
            r.body(Cow::Owned(held.bytes.clone())).expect("preview response")
        })
        .unwrap_or_else(not_found)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds() {
        assert!(matches!(kind_for("image/svg+xml", "x.svg"), PreviewKind::Image));
        assert!(matches!(kind_for("text/html", "x.html"), PreviewKind::Html));
        assert!(matches!(kind_for("application/octet-stream", "m.eml"), PreviewKind::Email));
        assert!(matches!(kind_for("text/csv", "a.csv"), PreviewKind::Text));
        assert!(matches!(kind_for("application/zip", "a.zip"), PreviewKind::None));
    }

    #[test]
    fn email_is_parsed_to_text() {
        let msg = b"From: Erik Brandt <erik@example.com>\r\nTo: me@example.org\r\nSubject: Specs\r\nDate: Thu, 14 May 2026 21:04:00 +0000\r\nContent-Type: text/html\r\n\r\n<p>Hello<script>alert(1)</script></p>";
        let e = email(msg).unwrap();
        assert_eq!(e.from, "Erik Brandt <erik@example.com>");
        assert_eq!(e.subject, "Specs");
        assert!(e.body.contains("Hello"));
        assert!(!e.body.contains("<script>"), "HTML bodies become text: {}", e.body);
    }

    fn state() -> AppState {
        let d = std::env::temp_dir();
        AppState::new(d.join("custos-preview-test-config"), d.join("custos-preview-test-demo"), false)
    }

    #[test]
    fn protocol_needs_the_session_token() {
        let s = state();
        let id = s.hold_preview("text/html".into(), b"<script>x</script>".to_vec());
        let get = |uri: String| respond(&s, &Request::builder().uri(uri).body(Vec::new()).unwrap());
        let ok = get(format!("custos-preview://localhost/{}/{id}", s.preview_token));
        assert_eq!(ok.status(), StatusCode::OK);
        assert_eq!(ok.headers()["X-Content-Type-Options"], "nosniff");
        let csp = ok.headers()["Content-Security-Policy"].to_str().unwrap();
        assert!(csp.starts_with("sandbox;") && csp.contains("frame-ancestors 'none'"), "{csp}");
        assert_eq!(get(format!("custos-preview://localhost/{}/{id}", "0".repeat(64))).status(), StatusCode::NOT_FOUND);
        assert_eq!(get(format!("custos-preview://localhost/{}/nope", s.preview_token)).status(), StatusCode::NOT_FOUND);
        assert_eq!(get(format!("custos-preview://localhost/{id}")).status(), StatusCode::NOT_FOUND);
    }
}
