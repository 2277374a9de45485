//! The certification: its text is built once and rendered to PDF and DOCX alike.

use crate::*;

pub(crate) struct CertRow {
    pub(crate) bates: String,
    pub(crate) name: String,
    pub(crate) intake: String,
    pub(crate) export: String,
    pub(crate) matches: bool,
}

pub(crate) struct Certification {
    pub(crate) caption_matter: String,
    pub(crate) caption_number: String,
    /// Paragraph 2 is followed by the table of records.
    pub(crate) paragraphs: Vec<String>,
    pub(crate) rows: Vec<CertRow>,
}

pub(crate) const COURT_LINES: [&str; 2] = ["UNITED STATES DISTRICT COURT", "____________________ DISTRICT OF ____________________"];
pub(crate) const DECLARANT_FIELDS: [&str; 4] = ["Name", "Title", "Employer", "Qualifications"];
pub(crate) const INTRO: &str = "I, the declarant identified above, declare as follows:";
pub(crate) const TABLE_AFTER: usize = 2;

impl Certification {
    pub(crate) fn new(p: &Production) -> Certification {
        let n = p.exhibits.len();
        let matter_ref = match p.matter_number.as_deref().filter(|s| !s.trim().is_empty()) {
            Some(num) => format!("{} (No. {num})", p.matter),
            None => p.matter.clone(),
        };
        let bates = if n == 1 {
            format!("Bates number {}", p.bates_first)
        } else {
            format!("Bates numbers {} through {}", p.bates_first, p.bates_last)
        };
        let mismatched: Vec<&str> = p.exhibits.iter().filter(|e| !copy_matches(e)).map(|e| e.bates.as_str()).collect();

        let mut tools: Vec<String> = p
            .exhibits
            .iter()
            .flat_map(|e| e.events.iter())
            .filter(|ev| ev.action == "collected")
            .map(|ev| ev.tool.clone())
            .collect();
        tools.push(p.tool.clone());
        tools.sort();
        tools.dedup();
        let mut methods: Vec<String> =
            p.exhibits.iter().filter_map(|e| e.method.clone()).filter(|m| !m.trim().is_empty()).collect();
        methods.sort();
        methods.dedup();
        let methods = match methods.len() {
            0 => "the method recorded for each record in the custody report".to_string(),
            1..=3 => format!("{} (as recorded for each record in the custody report)", methods.join("; ")),
            _ => format!("{}; and others, as recorded for each record in the custody report", methods[..3].join("; ")),
        };
        let mut times: Vec<String> = p.exhibits.iter().map(|e| e.collected_at.clone()).collect();
        times.sort_by_key(|t| parse_utc(t).map(|d| d.to_rfc3339()).unwrap_or_else(|| t.clone()));
        let collected = match (times.first(), times.last()) {
            (Some(a), Some(b)) if a == b => format!("on {}", utc_time(a)),
            (Some(a), Some(b)) => format!("between {} and {}", utc_time(a), utc_time(b)),
            _ => "at the times shown in the custody report".to_string(),
        };
        let org = p
            .organization
            .as_deref()
            .filter(|o| !o.trim().is_empty())
            .map(|o| format!("{o}'s"))
            .unwrap_or_else(|| "my employer's".to_string());

        let comparison = if mismatched.is_empty() {
            format!(
                "When each copy was made, the tool re-computed the SHA-256 hash value (and the MD5 hash value) of the copy and \
                 compared it with the value recorded at collection. For every one of the {n} records identified in paragraph 2 \
                 the values match (\"Match\" in the table), which shows that each copy is an exact duplicate of the file as it \
                 was collected."
            )
        } else {
            format!(
                "When each copy was made, the tool re-computed the SHA-256 hash value (and the MD5 hash value) of the copy and \
                 compared it with the value recorded at collection. For {} of the {n} records identified in paragraph 2 the \
                 values match (\"Match\" in the table). For the {} record{} marked \"MISMATCH\" ({}) the values do not match: \
                 those copies are not shown to be identical to the files as collected, and this certification does not extend \
                 to them.",
                n - mismatched.len(),
                mismatched.len(),
                if mismatched.len() == 1 { "" } else { "s" },
                mismatched.join(", ")
            )
        };

        let paragraphs = [
            "I am the declarant identified above, employed by the employer and in the position stated above, with the \
             qualifications stated above. In that role I am responsible for, or supervised, the collection, preservation and \
             production of the electronic records described below, and I am familiar with the tool and the process used to \
             copy them. I have personal knowledge of the facts stated here and am a qualified person to make this \
             certification under Federal Rules of Evidence 902(11) and 902(14)."
                .to_string(),
            format!(
                "This certification concerns {n} electronic record{} produced in {matter_ref} as {bates}. Each record is a copy \
                 of a file identified in the table below by its Bates number and original file name, with the SHA-256 hash \
                 value recorded when the file was collected (at intake) and the SHA-256 hash value of the copy made for this \
                 production (at export). The source, custodian and full custody history of each record are set out in the \
                 accompanying chain-of-custody report.",
                if n == 1 { "" } else { "s" }
            ),
            format!(
                "The records were collected and copied with {}, an evidence vault application that takes in files, stores \
                 them encrypted and unaltered, and records every action in a digitally signed custody log. Method of \
                 collection: {methods}. The records were collected {collected}; the collection time of each is shown in the \
                 custody report. The copies identified above were made by exporting them from the vault on {}. At \
                 collection the tool computed and recorded the SHA-256 hash value of each file, and its MD5 hash value for \
                 compatibility with review platforms; SHA-256 is the hash algorithm relied on here.",
                tools.join(", "),
                utc_time(&p.produced_at)
            ),
            comparison,
            "I rely on this process because SHA-256 is an industry-standard cryptographic hash function, published by the \
             National Institute of Standards and Technology (FIPS 180-4) and widely used by courts and forensic examiners to \
             identify electronic data. Any change to a file, even of a single bit, produces a different SHA-256 value, and it \
             is computationally infeasible to create two different files with the same value; identical SHA-256 values \
             therefore show that two files are identical. The hash value of each record was recorded at the time of \
             collection, and the hash value of each copy was re-computed from the copy itself when the copy was made. MD5 \
             values are reported for compatibility only and are not relied on to establish identity."
                .to_string(),
            format!(
                "The records were copied, and their hash values and custody events recorded, in the course of {org} regularly \
                 conducted activity of collecting, preserving and producing electronic evidence. It is the regular practice of \
                 that activity to make such copies and records at or near the time of each act, by, or from information \
                 transmitted by, a person with knowledge."
            ),
            format!(
                "The production bundle containing these copies is sealed with a digital signature (Ed25519) made with the \
                 key whose fingerprint is {}; the copies were exported from the evidence vault with ID {}. Verifying that \
                 signature reveals any change made to the bundle after it was sealed.",
                p.signer_fingerprint, p.vault_id
            ),
        ];
        let rows = p
            .exhibits
            .iter()
            .map(|e| CertRow {
                bates: e.bates.clone(),
                name: clean(&e.name),
                intake: e.intake_sha256.clone(),
                export: e.export_sha256.clone(),
                matches: copy_matches(e),
            })
            .collect();
        Certification {
            caption_matter: clean(&p.matter),
            caption_number: p.matter_number.as_deref().map(clean).unwrap_or_default(),
            paragraphs: paragraphs.iter().map(|s| clean(s)).collect(),
            rows,
        }
    }
}

pub(crate) fn layout_certification<'f>(p: &Production, fonts: &'f Fonts) -> Flow<'f> {
    let c = Certification::new(p);
    let mut f = Flow::new(fonts);

    // Draft banner.
    let banner = Style::new(Face::Bold, 9.5, ALERT);
    let top = f.y;
    f.ops().push(Op::Line { x1: MARGIN, y1: top, x2: MARGIN + CONTENT_W, y2: top, width: 0.8, color: ALERT });
    f.text(MARGIN, top + 6.0 + banner.size, CONTENT_W, DRAFT_MARK, banner, Align::Center);
    f.ops().push(Op::Line { x1: MARGIN, y1: top + 22.0, x2: MARGIN + CONTENT_W, y2: top + 22.0, width: 0.8, color: ALERT });
    f.y = top + 34.0;

    // Caption.
    for line in COURT_LINES {
        f.paragraph(line, BODY_BOLD, 0.0, Align::Center);
    }
    f.gap(10.0);
    let top = f.y;
    let split = MARGIN + CONTENT_W * 0.62;
    let left = f.fonts.wrap_capped(&c.caption_matter, Style::new(Face::Bold, 10.5, INK), split - MARGIN - 16.0, MAX_HEADING_LINES).0;
    let number = if c.caption_number.is_empty() { "____________________".to_string() } else { c.caption_number.clone() };
    let right = f.fonts.wrap_capped(&number, Style::new(Face::Bold, 10.5, INK), MARGIN + CONTENT_W - split - 16.0, MAX_HEADING_LINES).0;
    let lh = 10.5 * 1.3;
    let h = 14.0 + LABEL.line_height() + lh * left.len().max(right.len()) as f32 + 8.0;
    f.text(MARGIN, top + 10.0 + LABEL.size, 200.0, "In the matter of", LABEL, Align::Left);
    f.text(split + 12.0, top + 10.0 + LABEL.size, 200.0, "Case / matter no.", LABEL, Align::Left);
    for (i, line) in left.iter().enumerate() {
        f.text(MARGIN, top + 14.0 + LABEL.line_height() + 10.5 + i as f32 * lh, split - MARGIN, line, Style::new(Face::Bold, 10.5, INK), Align::Left);
    }
    for (i, line) in right.iter().enumerate() {
        f.text(split + 12.0, top + 14.0 + LABEL.line_height() + 10.5 + i as f32 * lh, 200.0, line, Style::new(Face::Bold, 10.5, INK), Align::Left);
    }
    f.rule(MARGIN, top, MARGIN + CONTENT_W, 0.6, INK);
    f.rule(MARGIN, top + h, MARGIN + CONTENT_W, 0.6, INK);
    f.ops().push(Op::Line { x1: split, y1: top, x2: split, y2: top + h, width: 0.6, color: INK });
    f.y = top + h + 16.0;

    // Title.
    f.paragraph(CERT_TITLE, Style::new(Face::Bold, 11.5, INK), 0.0, Align::Center);
    f.gap(14.0);

    // Declarant.
    f.paragraph("Declarant (to be completed by the person who signs)", BODY_BOLD, 0.0, Align::Left);
    f.gap(4.0);
    for field in DECLARANT_FIELDS {
        let top = f.y;
        f.text(MARGIN, top + 8.0 + BODY.size, 90.0, &format!("{field}:"), BODY, Align::Left);
        f.rule(MARGIN + 92.0, top + 8.0 + BODY.size + 2.0, MARGIN + CONTENT_W, 0.5, INK);
        f.y = top + 8.0 + BODY.line_height();
        if field == "Qualifications" {
            let top = f.y;
            f.rule(MARGIN + 92.0, top + 8.0 + BODY.size + 2.0, MARGIN + CONTENT_W, 0.5, INK);
            f.y = top + 8.0 + BODY.line_height();
        }
    }
    f.gap(14.0);
    f.paragraph(INTRO, BODY, 0.0, Align::Left);
    f.gap(6.0);

    for (i, text) in c.paragraphs.iter().enumerate() {
        f.numbered(i + 1, text);
        if i + 1 == TABLE_AFTER {
            f.gap(2.0);
            let rows = c
                .rows
                .iter()
                .map(|r| Row {
                    cells: vec![
                        cell(&r.bates, CELL_BOLD),
                        cell(&r.name, CELL),
                        if r.matches { cell("Match", CELL_BOLD) } else { cell("MISMATCH", CELL_BOLD.color(ALERT)) },
                    ],
                    details: vec![
                        ("SHA-256 at intake".to_string(), r.intake.clone(), HASH),
                        ("SHA-256 at export".to_string(), r.export.clone(), if r.matches { HASH } else { HASH.color(ALERT) }),
                    ],
                })
                .collect();
            let longest = p.exhibits.iter().map(|e| e.bates.chars().count()).max().unwrap_or(0) as f32;
            let bates_w = (longest * 6.2 + 8.0).clamp(74.0, 150.0);
            f.table(&Table {
                caption: Some("Records certified".to_string()),
                columns: vec![
                    Column { title: "Bates".into(), width: bates_w, align: Align::Left },
                    Column { title: "File name".into(), width: 340.0 - (bates_w - 74.0), align: Align::Left },
                    Column { title: "Hash comparison".into(), width: 90.0, align: Align::Left },
                ],
                rows,
                detail_column: 1,
            });
            f.gap(10.0);
        }
    }

    // The declaration and signature block stay together.
    f.gap(6.0);
    f.ensure(170.0);
    f.paragraph("Declaration under 28 U.S.C. \u{00a7} 1746", BODY_BOLD, 0.0, Align::Left);
    f.gap(4.0);
    f.paragraph(DECLARATION_1746, BODY, 0.0, Align::Left);
    f.gap(14.0);
    f.paragraph(EXECUTED, BODY, 0.0, Align::Left);
    f.gap(40.0);
    let top = f.y;
    f.rule(MARGIN, top, MARGIN + 260.0, 0.6, INK);
    f.text(MARGIN, top + 2.0 + LABEL.size, 260.0, "Signature", LABEL, Align::Left);
    f.y = top + 34.0;
    let top = f.y;
    f.text(MARGIN, top + BODY.size, 90.0, "Printed name:", BODY, Align::Left);
    f.rule(MARGIN + 70.0, top + BODY.size + 2.0, MARGIN + 260.0, 0.5, INK);
    f.y = top + BODY.line_height();
    f
}
