//! The exhibit index.

use crate::*;

pub(crate) fn layout_exhibit_index<'f>(p: &Production, fonts: &'f Fonts) -> Flow<'f> {
    let mut f = Flow::new(fonts);
    f.title("Exhibit Index");
    f.kv_rows(summary_rows(p), 84.0);
    f.gap(10.0);
    let mismatches = p.exhibits.iter().filter(|e| !copy_matches(e)).count();
    let check = if mismatches == 0 {
        "Each exported copy was hashed as it was written; every SHA-256 and MD5 below equals the value recorded at intake."
            .to_string()
    } else {
        format!(
            "Each exported copy was hashed as it was written. {mismatches} exported cop{} did NOT match the hash recorded at intake; see the custody report.",
            if mismatches == 1 { "y" } else { "ies" }
        )
    };
    f.paragraph(&check, if mismatches == 0 { BODY } else { BODY_BOLD.color(ALERT) }, 0.0, Align::Left);
    f.gap(10.0);
    // A Bates number must not wrap: widen its column (from the file name's)
    // to the longest number, at about 6.2 pt per bold digit.
    let longest = p.exhibits.iter().map(|e| e.bates.chars().count()).max().unwrap_or(0) as f32;
    let bates_w = (longest * 6.2 + 8.0).clamp(66.0, 150.0);
    let columns = vec![
        Column { title: "Bates".into(), width: bates_w, align: Align::Left },
        Column { title: "Exhibit".into(), width: 50.0, align: Align::Left },
        Column { title: "File name".into(), width: 176.0 - (bates_w - 66.0), align: Align::Left },
        Column { title: "Size (bytes)".into(), width: 62.0, align: Align::Right },
        Column { title: "Custodian".into(), width: 86.0, align: Align::Left },
        Column { title: "Collected".into(), width: 64.0, align: Align::Left },
    ];
    let rows = p
        .exhibits
        .iter()
        .map(|e| {
            let details = if copy_matches(e) {
                vec![("SHA-256".to_string(), e.export_sha256.clone(), HASH), ("MD5".to_string(), e.export_md5.clone(), HASH)]
            } else {
                vec![
                    ("SHA-256 export".to_string(), e.export_sha256.clone(), HASH.color(ALERT)),
                    ("SHA-256 intake".to_string(), e.intake_sha256.clone(), HASH),
                    ("MD5 export".to_string(), e.export_md5.clone(), HASH.color(ALERT)),
                    ("MD5 intake".to_string(), e.intake_md5.clone(), HASH),
                    ("Result".to_string(), "MISMATCH \u{2014} the exported copy differs from the file collected".to_string(), CELL_BOLD.color(ALERT)),
                ]
            };
            Row {
                cells: vec![
                    cell(&e.bates, CELL_BOLD),
                    cell(&e.exhibit_id, CELL),
                    cell(&e.name, CELL),
                    cell(thousands(e.size), CELL),
                    cell(e.custodian.as_deref().unwrap_or(""), CELL),
                    cell(utc_date(&e.collected_at), CELL),
                ],
                details,
            }
        })
        .collect();
    f.table(&Table { caption: None, columns, rows, detail_column: 1 });
    if !p.withheld.is_empty() {
        f.gap(14.0);
        f.paragraph(
            &format!(
                "{} document{} withheld on the ground of privilege: a slip sheet stands in each one's place and the privilege log lists it.",
                thousands(p.withheld.len() as u64),
                if p.withheld.len() == 1 { " is" } else { "s are" }
            ),
            BODY_BOLD,
            0.0,
            Align::Left,
        );
        f.gap(6.0);
        let columns = vec![
            Column { title: "Bates".into(), width: bates_w, align: Align::Left },
            Column { title: "Exhibit".into(), width: 50.0, align: Align::Left },
            Column { title: "Withheld".into(), width: 244.0 - (bates_w - 66.0), align: Align::Left },
            Column { title: "Custodian".into(), width: 150.0, align: Align::Left },
        ];
        let rows = p
            .withheld
            .iter()
            .map(|w| Row {
                cells: vec![cell(&w.bates, CELL_BOLD), cell(&w.exhibit_id, CELL), cell(&w.privilege, CELL), cell(w.custodian.as_deref().unwrap_or(""), CELL)],
                details: Vec::new(),
            })
            .collect();
        f.table(&Table { caption: None, columns, rows, detail_column: 1 });
    }
    f
}
