use super::ooxml::docx_text;
use super::*;
use crate::documents::office;
use std::io::Write;

/// A zip of `parts`, compressed.
fn zip_of(parts: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in parts {
        w.start_file(*name, opts).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// Every part of a zip, in order.
fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut z = ZipArchive::new(Cursor::new(bytes)).unwrap();
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            (f.name().to_string(), data)
        })
        .collect()
}

fn field<'a>(ex: &'a Extracted, source: &str) -> Option<&'a str> {
    ex.metadata.iter().find(|f| f.source == source).map(|f| f.value.as_str())
}

const CORE: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<dc:title>Board memo</dc:title><dc:creator>Jane Roe</dc:creator><cp:lastModifiedBy>John Doe</cp:lastModifiedBy><cp:revision>7</cp:revision>
<dcterms:created xsi:type="dcterms:W3CDTF">2024-03-05T09:30:00Z</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">2024-03-06T10:00:00Z</dcterms:modified></cp:coreProperties>"#;

const APP: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Template>Normal.dotm</Template><Pages>2</Pages><Words>41</Words><Company>Acme &amp; Sons</Company></Properties>"#;

/// A DOCX written by docx-rs, with its core properties replaced by
/// [`CORE`] (docx-rs cannot set an author) and [`APP`] added.
fn sample_docx(tracked: bool) -> Vec<u8> {
    use docx_rs::{Docx, Insert, Paragraph, Run};
    let mut p2 = Paragraph::new().add_run(Run::new().add_text("Amount:").add_tab().add_text("€ 1,000"));
    if tracked {
        p2 = p2.add_insert(Insert::new(Run::new().add_text(" plus costs")).author("John Doe").date("2024-03-06T10:00:00Z"));
    }
    let docx = Docx::new().add_paragraph(Paragraph::new().add_run(Run::new().add_text("Privileged memo to the board"))).add_paragraph(p2);
    let mut buf = Cursor::new(Vec::new());
    docx.build().pack(&mut buf).unwrap();
    let mut parts: Vec<(String, Vec<u8>)> = unzip(buf.get_ref()).into_iter().filter(|(n, _)| n != "docProps/core.xml" && n != "docProps/app.xml").collect();
    parts.push(("docProps/core.xml".into(), CORE.as_bytes().to_vec()));
    parts.push(("docProps/app.xml".into(), APP.as_bytes().to_vec()));
    let refs: Vec<(&str, &[u8])> = parts.iter().map(|(n, d)| (n.as_str(), d.as_slice())).collect();
    zip_of(&refs)
}

#[test]
fn documents_office_docx_text_properties_and_tracked_changes() {
    let ex = office(&sample_docx(true), OfficeKind::Docx).unwrap();
    assert_eq!(ex.extractor.name, "custos-extract/documents");
    assert_eq!(ex.text.as_deref(), Some("Privileged memo to the board\nAmount:\t€ 1,000 plus costs"));
    assert_eq!(field(&ex, "ooxml:core:title"), Some("Board memo"));
    assert_eq!(field(&ex, "ooxml:core:creator"), Some("Jane Roe"));
    assert_eq!(field(&ex, "ooxml:core:lastModifiedBy"), Some("John Doe"));
    assert_eq!(field(&ex, "ooxml:core:created"), Some("2024-03-05T09:30:00Z"));
    assert_eq!(field(&ex, "ooxml:core:modified"), Some("2024-03-06T10:00:00Z"));
    assert_eq!(field(&ex, "ooxml:core:revision"), Some("7"));
    assert_eq!(field(&ex, "ooxml:app:Company"), Some("Acme & Sons"));
    assert_eq!(field(&ex, "ooxml:app:Pages"), Some("2"));
    assert_eq!(field(&ex, "ooxml:app:Words"), Some("41"));
    assert_eq!(field(&ex, "ooxml:app:Template"), Some("Normal.dotm"));
    assert_eq!(field(&ex, "ooxml:document:w:ins"), Some("yes"));
    let author = ex.metadata.iter().find(|f| f.field == "author").unwrap();
    assert_eq!(author.value, "Jane Roe");
    assert!(ex.problems.is_empty(), "{:?}", ex.problems);

    let plain = office(&sample_docx(false), OfficeKind::Docx).unwrap();
    assert!(plain.metadata.iter().all(|f| f.field != "tracked_changes"), "no tracked changes, no field");
}

#[test]
fn documents_office_docx_deleted_text_and_fallback_are_not_text() {
    let xml = br#"<w:document xmlns:w="w" xmlns:mc="mc"><w:body>
            <w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr><w:r><w:t xml:space="preserve">Kept </w:t></w:r>
            <w:del w:author="A"><w:r><w:delText>removed</w:delText></w:r></w:del><w:r><w:t>&lt;end&gt;</w:t><w:br/><w:t>next</w:t></w:r></w:p>
            <w:p><mc:AlternateContent><mc:Choice><w:r><w:t>box</w:t></w:r></mc:Choice><mc:Fallback><w:r><w:t>box</w:t></w:r></mc:Fallback></mc:AlternateContent></w:p>
            </w:body></w:document>"#;
    let doc = docx_text(xml).unwrap();
    assert_eq!(doc.text, "Kept <end>\nnext\nbox", "a tab stop is not a tab; deleted text and the fallback copy are left out");
    assert_eq!(doc.tracked, Some("ooxml:document:w:del"));
}

fn sample_xlsx() -> Vec<u8> {
    let types = br#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/worksheets/sheet2.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>"#;
    let rels = br#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
    let workbook = br#"<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><workbookPr/><sheets><sheet name="Summary" sheetId="1" r:id="rId1"/><sheet name="Side payments" sheetId="2" state="hidden" r:id="rId2"/></sheets></workbook>"#;
    let wb_rels = br#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet2.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#;
    let styles = br#"<?xml version="1.0"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>"#;
    let sheet1 = br#"<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Item</t></is></c><c r="B1" t="inlineStr"><is><t>Amount</t></is></c><c r="C1" t="inlineStr"><is><t>Date</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>Fees</t></is></c><c r="B2"><v>1250.5</v></c><c r="C2" s="1"><v>45356</v></c></row></sheetData></worksheet>"#;
    let sheet2 = br#"<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Consultant X</t></is></c><c r="B1"><v>99000</v></c></row></sheetData></worksheet>"#;
    zip_of(&[
        ("[Content_Types].xml", types),
        ("_rels/.rels", rels),
        ("xl/workbook.xml", workbook),
        ("xl/_rels/workbook.xml.rels", wb_rels),
        ("xl/styles.xml", styles),
        ("xl/worksheets/sheet1.xml", sheet1),
        ("xl/worksheets/sheet2.xml", sheet2),
        ("docProps/core.xml", CORE.as_bytes()),
    ])
}

#[test]
fn documents_office_xlsx_sheets_and_hidden_sheets() {
    let ex = office(&sample_xlsx(), OfficeKind::Xlsx).unwrap();
    assert!(ex.problems.is_empty(), "{:?}", ex.problems);
    assert_eq!(
        ex.text.as_deref(),
        Some("Summary\nItem\tAmount\tDate\nFees\t1250.5\t2024-03-05\n\nSide payments\nConsultant X\t99000"),
        "every sheet, hidden ones too; a date cell as a date"
    );
    let hidden: Vec<&str> = ex.metadata.iter().filter(|f| f.field == "hidden_sheets").map(|f| f.value.as_str()).collect();
    assert_eq!(hidden, ["Side payments"]);
    assert_eq!(field(&ex, "ooxml:workbook:state"), Some("Side payments"));
    assert_eq!(field(&ex, "ooxml:core:creator"), Some("Jane Roe"));
}

#[test]
fn documents_office_excel_dates() {
    assert_eq!(excel_date(1.0, false).as_deref(), Some("1900-01-01"));
    assert_eq!(excel_date(59.0, false).as_deref(), Some("1900-02-28"));
    assert_eq!(excel_date(61.0, false).as_deref(), Some("1900-03-01"));
    assert_eq!(excel_date(45356.75, false).as_deref(), Some("2024-03-05 18:00:00"));
    assert_eq!(excel_date(0.5, false).as_deref(), Some("12:00:00"));
    assert_eq!(excel_date(0.0, true).as_deref(), Some("1904-01-01"));
    assert_eq!(excel_date(-1.0, false), None);
}

#[test]
fn documents_office_docx_headers_footers_and_comments_follow_the_body() {
    use docx_rs::{Comment, Docx, Footer, Header, Paragraph, Run};
    let p = |t: &str| Paragraph::new().add_run(Run::new().add_text(t));
    let commented = p("Ship the drawings")
        .add_comment_start(Comment::new(1).author("John Doe").date("2024-03-06T10:00:00Z").add_paragraph(p("Not before the NDA is signed")))
        .add_comment_end(1);
    let docx = Docx::new().header(Header::new().add_paragraph(p("CONFIDENTIAL - ACME"))).footer(Footer::new().add_paragraph(p("Draft 3"))).add_paragraph(commented);
    let mut buf = Cursor::new(Vec::new());
    docx.build().pack(&mut buf).unwrap();
    let ex = office(buf.get_ref(), OfficeKind::Docx).unwrap();
    assert_eq!(
        ex.text.as_deref(),
        Some("Ship the drawings\n\n[Headers]\nCONFIDENTIAL - ACME\n\n[Footers]\nDraft 3\n\n[Comments]\nNot before the NDA is signed")
    );
    assert_eq!(field(&ex, "ooxml:comments"), Some("1"));
    assert!(ex.problems.is_empty(), "{:?}", ex.problems);
}

#[test]
fn documents_office_pptx_slides_in_presentation_order() {
    let types = br#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>"#;
    let rels = br#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="ppt/presentation.xml"/></Relationships>"#;
    let pres = br#"<p:presentation xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><p:sldIdLst><p:sldId id="256" r:id="rId7"/><p:sldId id="257" r:id="rId3"/></p:sldIdLst></p:presentation>"#;
    let pres_rels = br#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/slide" Target="slides/slide1.xml"/><Relationship Id="rId7" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/slide" Target="/ppt/slides/slide2.xml"/></Relationships>"#;
    let slide = |title: &str, body: &str| {
        format!(
            r#"<p:sld xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><p:cSld><p:spTree><p:sp><p:txBody><a:p><a:r><a:t>{title}</a:t></a:r></a:p><a:p><a:r><a:t>{body}</a:t></a:r><a:br/><a:r><a:t>more</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:sld>"#
        )
    };
    let (first, second) = (slide("Opening", "Q1 targets"), slide("Closing", "Next steps"));
    // The speaker's notes of the opening slide.
    let notes = slide("", "Say nothing of the").replace("p:sld ", "p:notes ").replace("</p:sld>", "</p:notes>");
    let notes_rels = br#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/notesSlide" Target="../notesSlides/notesSlide1.xml"/></Relationships>"#;
    let bytes = zip_of(&[
        ("[Content_Types].xml", types),
        ("_rels/.rels", rels),
        ("ppt/presentation.xml", pres),
        ("ppt/_rels/presentation.xml.rels", pres_rels),
        ("ppt/slides/slide1.xml", second.as_bytes()),
        ("ppt/slides/slide2.xml", first.as_bytes()),
        ("ppt/slides/_rels/slide2.xml.rels", notes_rels),
        ("ppt/notesSlides/notesSlide1.xml", notes.as_bytes()),
    ]);
    let ex = office(&bytes, OfficeKind::Pptx).unwrap();
    assert_eq!(ex.pages, Some(2));
    assert_eq!(
        ex.text.as_deref(),
        Some("Opening\nQ1 targets\nmore\n\n[Notes]\nSay nothing of the\nmore\n\nClosing\nNext steps\nmore"),
        "slide2.xml comes first in the slide list, its notes after it"
    );
    assert!(ex.problems.is_empty(), "{:?}", ex.problems);
}

const ODF_META: &str = r#"<?xml version="1.0" encoding="UTF-8"?><office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/" office:version="1.3"><office:meta><meta:initial-creator>Jane Roe</meta:initial-creator><dc:creator>John Doe</dc:creator><meta:creation-date>2024-03-05T09:30:00</meta:creation-date><dc:date>2024-03-06T10:00:00.123</dc:date><meta:editing-cycles>4</meta:editing-cycles><dc:title>Side letter</dc:title><meta:keyword>merger</meta:keyword><meta:keyword>draft</meta:keyword><meta:document-statistic meta:page-count="3" meta:word-count="120"/></office:meta></office:document-meta>"#;

#[test]
fn documents_office_odt_text_and_meta() {
    let content = br#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><office:body><office:text>
            <text:h text:outline-level="1">Side   letter</text:h>
            <text:p>Payment of<text:s text:c="3"/>&#x20AC; 5,000<text:tab/>due
              on signing.<office:annotation><dc:creator>Reviewer</dc:creator><dc:date>2024-03-07T00:00:00</dc:date><text:p>Check this</text:p></office:annotation></text:p>
            <text:p/><text:p>Line<text:line-break/>two &amp; more</text:p></office:text></office:body></office:document-content>"#;
    let bytes = zip_of(&[("mimetype", b"application/vnd.oasis.opendocument.text"), ("content.xml", content), ("meta.xml", ODF_META.as_bytes())]);
    let ex = office(&bytes, OfficeKind::Odt).unwrap();
    assert_eq!(ex.text.as_deref(), Some("Side letter\nPayment of   € 5,000\tdue on signing.Check this\n\n\nLine\ntwo & more"));
    assert_eq!(field(&ex, "odf:meta:title"), Some("Side letter"));
    assert_eq!(field(&ex, "odf:meta:initial-creator"), Some("Jane Roe"));
    assert_eq!(field(&ex, "odf:meta:creator"), Some("John Doe"));
    assert_eq!(field(&ex, "odf:meta:creation-date"), Some("2024-03-05T09:30:00"));
    assert_eq!(field(&ex, "odf:meta:date"), Some("2024-03-06T10:00:00.123"));
    assert_eq!(field(&ex, "odf:meta:editing-cycles"), Some("4"));
    assert_eq!(field(&ex, "odf:meta:page-count"), Some("3"));
    assert_eq!(field(&ex, "odf:meta:word-count"), Some("120"));
    assert_eq!(field(&ex, "odf:meta:keyword"), Some("merger; draft"));
    let author = ex.metadata.iter().find(|f| f.field == "author").unwrap();
    assert_eq!(author.value, "Jane Roe");
    assert!(matches!(office(&bytes, OfficeKind::Ods), Err(Error::Malformed(_))), "an ODT is not an ODS");
}

#[test]
fn documents_office_ods_and_odp() {
    let content = br#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:automatic-styles><style:style style:name="ta1" style:family="table"><style:table-properties table:display="true"/></style:style><style:style style:name="ta2" style:family="table"><style:table-properties table:display="false"/></style:style></office:automatic-styles><office:body><office:spreadsheet>
            <table:table table:name="Open" table:style-name="ta1"><table:table-row><table:table-cell office:value-type="string"><text:p>Name</text:p></table:table-cell><table:table-cell office:value-type="float" office:value="42"><text:p>42</text:p></table:table-cell></table:table-row></table:table>
            <table:table table:name="Secret" table:style-name="ta2"><table:table-row><table:table-cell office:value-type="string"><text:p>Hidden row</text:p></table:table-cell></table:table-row></table:table>
            </office:spreadsheet></office:body></office:document-content>"#;
    let manifest = br#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;
    let ods = zip_of(&[
        ("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"),
        ("META-INF/manifest.xml", manifest),
        ("content.xml", content),
        ("meta.xml", ODF_META.as_bytes()),
    ]);
    let ex = office(&ods, OfficeKind::Ods).unwrap();
    assert!(ex.problems.is_empty(), "{:?}", ex.problems);
    assert_eq!(ex.text.as_deref(), Some("Open\nName\t42\n\nSecret\nHidden row"));
    let hidden: Vec<&str> = ex.metadata.iter().filter(|f| f.field == "hidden_sheets").map(|f| f.value.as_str()).collect();
    assert_eq!(hidden, ["Secret"]);

    let content = br#"<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:presentation>
            <draw:page draw:name="1"><draw:frame><draw:text-box><text:p>First slide</text:p></draw:text-box></draw:frame></draw:page>
            <draw:page draw:name="2"><draw:frame><draw:text-box><text:p>Second slide</text:p></draw:text-box></draw:frame></draw:page>
            </office:presentation></office:body></office:document-content>"#;
    let odp = zip_of(&[("mimetype", b"application/vnd.oasis.opendocument.presentation"), ("content.xml", content)]);
    let ex = office(&odp, OfficeKind::Odp).unwrap();
    assert_eq!(ex.pages, Some(2));
    assert_eq!(ex.text.as_deref(), Some("First slide\n\nSecond slide"));
}

#[test]
fn documents_office_wrong_kind_and_not_a_zip() {
    let docx = sample_docx(false);
    assert!(matches!(office(&docx, OfficeKind::Xlsx), Err(Error::Malformed(_))), "a DOCX is not an XLSX");
    assert!(matches!(office(&sample_xlsx(), OfficeKind::Pptx), Err(Error::Malformed(_))));
    assert!(matches!(office(&docx, OfficeKind::Odt), Err(Error::Malformed(_))), "no content.xml");
    assert!(matches!(office(b"plain text, not a zip", OfficeKind::Docx), Err(Error::Malformed(_))));
    let ole = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0, 0, 0];
    match office(&ole, OfficeKind::Docx) {
        Err(Error::Malformed(m)) => assert!(m.contains("OLE"), "{m}"),
        other => panic!("expected Malformed, got {other:?}"),
    }
    let no_types = zip_of(&[("word/document.xml", b"<w:document/>")]);
    assert!(matches!(office(&no_types, OfficeKind::Docx), Err(Error::Malformed(_))));
}

/// Sets the uncompressed size the zip declares for `name`, in its local
/// header and its central directory entry.
fn declare_size(zip: &mut [u8], name: &str, size: u32) {
    for (sig, at) in [(0x04034b50u32, 22usize), (0x02014b50, 24)] {
        let name_at = if sig == 0x04034b50 { 30 } else { 46 };
        let mut i = 0;
        while i + name_at + name.len() <= zip.len() {
            if zip[i..i + 4] == sig.to_le_bytes() && &zip[i + name_at..i + name_at + name.len()] == name.as_bytes() {
                zip[i + at..i + at + 4].copy_from_slice(&size.to_le_bytes());
            }
            i += 1;
        }
    }
}

#[test]
fn documents_office_parts_past_the_limits_are_problems() {
    let mut docx = sample_docx(false);
    declare_size(&mut docx, "word/document.xml", 300 << 20);
    let ex = office(&docx, OfficeKind::Docx).unwrap();
    assert!(ex.text.is_none());
    assert!(ex.problems.iter().any(|p| p.item == "word/document.xml" && p.reason.contains("limit")), "{:?}", ex.problems);
    assert_eq!(field(&ex, "ooxml:core:creator"), Some("Jane Roe"), "the rest is still read");

    let mut docx = sample_docx(false);
    declare_size(&mut docx, "word/document.xml", 10);
    let ex = office(&docx, OfficeKind::Docx).unwrap();
    assert!(ex.problems.iter().any(|p| p.item == "word/document.xml"), "a part larger than it declares is not read past its size");

    let mut xlsx = sample_xlsx();
    declare_size(&mut xlsx, "xl/worksheets/sheet2.xml", 300 << 20);
    let ex = office(&xlsx, OfficeKind::Xlsx).unwrap();
    assert!(ex.text.is_none(), "the workbook is not handed to calamine");
    assert!(ex.problems.iter().any(|p| p.reason.contains("sheet2.xml")), "{:?}", ex.problems);

    assert!(within_limits(10 << 20, 100).is_err(), "a ratio of 100 000 to 1 is a bomb");
    assert!(within_limits(10 << 20, 1 << 20).is_ok());
    assert!(within_limits(4096, 1).is_ok(), "small parts are not held to the ratio");
}
