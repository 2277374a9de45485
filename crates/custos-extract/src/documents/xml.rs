//! Small XML helpers over quick-xml: a part read into a flat list of
//! elements with resolved namespaces, and the text of references.

use quick_xml::events::{BytesRef, Event};
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

/// Dublin Core.
pub(super) const DC: &str = "http://purl.org/dc/elements/1.1/";
/// RDF, the syntax of XMP.
pub(super) const RDF: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";

/// One element of a part.
#[derive(Debug, Clone)]
pub(super) struct Element {
    /// Its namespace URI (empty when unbound).
    pub ns: String,
    /// Its local name.
    pub local: String,
    /// Its attributes: namespace URI (empty when unbound), local name,
    /// unescaped value.
    pub attrs: Vec<(String, String, String)>,
    /// Its text, for an element with no child elements.
    pub text: Option<String>,
    /// The index of its parent in the list.
    pub parent: Option<usize>,
}

impl Element {
    /// Whether it is `local` in namespace `ns`.
    pub fn is(&self, ns: &str, local: &str) -> bool {
        self.ns == ns && self.local == local
    }

    /// The value of the attribute `local` in any namespace.
    pub fn attr(&self, local: &str) -> Option<&str> {
        self.attrs.iter().find(|(_, l, _)| l == local).map(|(_, _, v)| v.as_str())
    }

    /// Its text, trimmed, if it has any.
    pub fn value(&self) -> Option<&str> {
        self.text.as_deref().map(str::trim).filter(|t| !t.is_empty())
    }
}

fn namespace(r: ResolveResult<'_>) -> String {
    match r {
        ResolveResult::Bound(ns) => String::from_utf8_lossy(ns.as_ref()).into_owned(),
        _ => String::new(),
    }
}

/// Every element of `xml`, in document order, with its text if it has no
/// child elements.
pub(super) fn elements(xml: &[u8]) -> Result<Vec<Element>, String> {
    let mut reader = NsReader::from_reader(xml);
    let mut out: Vec<Element> = Vec::new();
    // Open elements: index in `out`, whether a child element was seen, text.
    let mut open: Vec<(usize, bool, String)> = Vec::new();
    let mut buf = Vec::new();
    loop {
        let (resolved, event) = reader.read_resolved_event_into(&mut buf).map_err(|e| e.to_string())?;
        let ns = namespace(resolved);
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let mut attrs = Vec::new();
                for a in e.attributes().with_checks(false) {
                    let a = a.map_err(|e| e.to_string())?;
                    let (r, local) = reader.resolve_attribute(a.key);
                    let value = a.decode_and_unescape_value(reader.decoder()).map(|v| v.into_owned()).unwrap_or_else(|_| String::from_utf8_lossy(&a.value).into_owned());
                    attrs.push((namespace(r), String::from_utf8_lossy(local.as_ref()).into_owned(), value));
                }
                let parent = open.last_mut().map(|(i, child, _)| {
                    *child = true;
                    *i
                });
                let local = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                out.push(Element { ns, local, attrs, text: None, parent });
                let index = out.len() - 1;
                if matches!(event, Event::Start(_)) {
                    open.push((index, false, String::new()));
                } else {
                    out[index].text = Some(String::new());
                }
            }
            Event::End(_) => {
                if let Some((i, false, text)) = open.pop() {
                    out[i].text = Some(text);
                }
            }
            Event::Text(ref t) => {
                if let Some((_, _, text)) = open.last_mut() {
                    text.push_str(&t.decode().map_err(|e| e.to_string())?);
                }
            }
            Event::CData(ref t) => {
                if let Some((_, _, text)) = open.last_mut() {
                    text.push_str(&t.decode().map_err(|e| e.to_string())?);
                }
            }
            Event::GeneralRef(ref r) => {
                if let Some((_, _, text)) = open.last_mut() {
                    push_ref(text, r);
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Ok(out)
}

/// Appends the text an entity or character reference stands for.
pub(super) fn push_ref(out: &mut String, r: &BytesRef<'_>) {
    if let Ok(Some(c)) = r.resolve_char_ref() {
        out.push(c);
        return;
    }
    let name = String::from_utf8_lossy(r);
    match quick_xml::escape::resolve_predefined_entity(&name) {
        Some(s) => out.push_str(s),
        None => {
            out.push('&');
            out.push_str(&name);
            out.push(';');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_xml_elements_resolve_namespaces_and_text() {
        let xml = br#"<?xml version="1.0"?><r xmlns:a="urn:a" xmlns="urn:d"><a:x k="v&amp;w">one &amp; &#x32;</a:x><y><z/></y><![CDATA[c]]></r>"#;
        let els = elements(xml).unwrap();
        assert_eq!(els.len(), 4);
        assert!(els[0].is("urn:d", "r"));
        assert!(els[1].is("urn:a", "x"));
        assert_eq!(els[1].attr("k"), Some("v&w"));
        assert_eq!(els[1].value(), Some("one & 2"));
        assert_eq!(els[1].parent, Some(0));
        assert!(els[2].text.is_none(), "an element with children has no text");
        assert_eq!(els[3].parent, Some(2));
        assert!(elements(b"<a><b></a>").is_err(), "mismatched tags are an error");
    }
}
