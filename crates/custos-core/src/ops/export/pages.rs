//! Paging a production: counting each document's pages before anything is
//! written (the numbers are by page), imaging and stamping each document as
//! the bundle is written, the Opticon lines and page records, and the QC of
//! images against the load file and the bag.

use super::images::{DocumentPages, Imager, Imaging, ImageProfile};
use super::numbering::BatesPlan;
use super::request::CheckedExport;
use super::write::{DocumentInfo, MAX_TEXT, imaging_for};
use crate::bundle::bag::BagBuilder;
use crate::bundle::images::{OptLine, PageRecord};
use crate::bundle::layout::{PAYLOAD_FOLDER, VOLUME};
use crate::bundle::model::Production;
use crate::error::{Error, Result};
use crate::store::Vault;
use crate::store::exhibits::Chosen;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::Write;

/// Pages stamped and rasterised together (TIFF): what bounds the memory
/// a long document takes.
const PART: usize = 64;

/// The page images written so far: the image load file's lines, the page
/// records, and per exhibit its page count, the SHA-256 of its records and
/// its last number.
#[derive(Default)]
pub(crate) struct ImagesOut {
    pub opt: Vec<OptLine>,
    pub records: Vec<PageRecord>,
    pub per_exhibit: HashMap<String, (u64, String, String)>,
}

/// One document to image.
pub(crate) struct Document<'a> {
    pub chosen: &'a Chosen,
    /// Its place in the production.
    pub index: usize,
    /// Its native's bytes, when they were read already.
    pub native: Option<Plaintext>,
    /// The legend for its pages.
    pub legend: Option<&'a str>,
}

/// The names of each exhibit's attachments among those chosen, in order:
/// what an e-mail's heading lists.
pub(crate) fn attachment_names(selection: &[Chosen]) -> HashMap<String, Vec<String>> {
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    for c in selection {
        if let Some(parent) = &c.exhibit.parent {
            out.entry(parent.clone()).or_default().push(c.exhibit.name.clone());
        }
    }
    out
}

/// An exhibit's bytes in memory, wiped when dropped.
pub(crate) type Plaintext = zeroize::Zeroizing<Vec<u8>>;

/// The path of a payload file as the load files give it (`VOL001\IMAGES\…`).
pub(crate) fn load_file_path(path: &str) -> String {
    path.trim_start_matches(PAYLOAD_FOLDER).replace('/', "\\")
}

impl Vault {
    /// An exhibit's plaintext, whole (wiped when dropped), once it has
    /// authenticated.
    fn plaintext(&self, chosen: &Chosen) -> Result<Plaintext> {
        crate::ops::extract::read_object_whole(&self.reader(), &chosen.exhibit, &chosen.object)
    }

    /// A document's pages, from its native, its text or a sheet.
    fn document_pages(
        &self,
        imager: &Imager,
        chosen: &Chosen,
        info: &DocumentInfo,
        attachments: &HashMap<String, Vec<String>>,
        native: Option<Plaintext>,
        with_text_layers: bool,
    ) -> Result<DocumentPages> {
        let ex = &chosen.exhibit;
        let imaging = imaging_for(chosen, info);
        let native = match imaging {
            Imaging::Pdf | Imaging::Image | Imaging::Office => Some(match native {
                Some(n) => n,
                None => self.plaintext(chosen)?,
            }),
            _ => None,
        };
        let text = match imaging {
            Imaging::Email | Imaging::Text => match self.stored_text(&ex.id)? {
                Some(t) => Some(t),
                None if ex.size <= MAX_TEXT => Some(String::from_utf8_lossy(&self.plaintext(chosen)?).into_owned()),
                None => None,
            },
            _ => None,
        };
        let mut heading = Vec::new();
        if imaging == Imaging::Email {
            let read = info.fields.get(&ex.id);
            for (label, field) in [("From", "from"), ("To", "to"), ("Cc", "cc"), ("Bcc", "bcc"), ("Date", "date_sent"), ("Subject", "subject")] {
                if let Some((_, v)) = read.and_then(|r| r.iter().find(|(f, _)| f == field)) {
                    heading.push((label.to_string(), v.clone()));
                }
            }
            if let Some(names) = attachments.get(&ex.id) {
                heading.push(("Attachments".to_string(), names.join("; ")));
            }
        }
        let mut pages = imager.document(&imaging, &ex.name, native.as_deref().map(Vec::as_slice), text.as_deref(), heading)?;
        if with_text_layers {
            imager.lay_text(&imaging, native.as_deref().map(Vec::as_slice), &mut pages);
        }
        Ok(pages)
    }

    /// The numbers each chosen document takes: 1 each for natives alone, its
    /// pages with page images. Every designated legend is checked to fit first.
    pub(super) fn page_counts(&self, req: &CheckedExport, selection: &[Chosen], info: &DocumentInfo) -> Result<Vec<u64>> {
        let Some(imager) = Imager::new(req)? else { return Ok(vec![1; selection.len()]) };
        let legends: Vec<&str> = selection.iter().filter_map(|c| info.designations.get(&c.exhibit.id)?.confidentiality.as_deref()).collect();
        req.check_stamps(&legends)?;
        let attachments = attachment_names(selection);
        selection.iter().map(|c| Ok(self.document_pages(&imager, c, info, &attachments, None, false)?.imaged.page_count() as u64)).collect()
    }

    /// Images, stamps and adds one document's pages to the bag, and records them.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn image_document<W: Write>(
        &self,
        bag: &mut BagBuilder<W>,
        imager: &Imager,
        plan: &BatesPlan,
        info: &DocumentInfo,
        attachments: &HashMap<String, Vec<String>>,
        doc: Document<'_>,
        out: &mut ImagesOut,
    ) -> Result<()> {
        let ex = &doc.chosen.exhibit;
        let withheld = matches!(imaging_for(doc.chosen, info), Imaging::Withheld(_));
        let pages = self.document_pages(imager, doc.chosen, info, attachments, doc.native, true)?;
        let numbers = plan.numbers_of(doc.index);
        if pages.imaged.page_count() != numbers.len() {
            return Err(Error::InvalidInput(format!(
                "{} ({}) has {} pages now where {} were counted; export again",
                ex.id,
                ex.name,
                pages.imaged.page_count(),
                numbers.len()
            )));
        }
        let first = plan.items[doc.index].1 - plan.first_number();
        let paths: Vec<String> = match imager.profile {
            ImageProfile::Pdf => vec![super::images::image_path(Some(ImageProfile::Pdf), doc.index, first, &numbers[0], false)],
            ImageProfile::Tiff => numbers
                .iter()
                .enumerate()
                .map(|(k, b)| super::images::image_path(Some(ImageProfile::Tiff), doc.index, first + k as u64, b, pages.colour))
                .collect(),
        };
        // A PDF per document is stamped whole; pages to rasterise are
        // stamped a part at a time, so a long document is never all in memory.
        let part = match imager.profile {
            ImageProfile::Pdf => numbers.len(),
            ImageProfile::Tiff => PART,
        };
        let mut shas = Vec::with_capacity(paths.len());
        let mut placements = Vec::with_capacity(numbers.len());
        for start in (0..numbers.len()).step_by(part) {
            let these = &numbers[start..(start + part).min(numbers.len())];
            let (pdf, placed) = pages
                .imaged
                .stamped_from(start, these, doc.legend, &imager.endorsements)
                .map_err(|e| Error::InvalidInput(format!("{}: {}", ex.id, e.0)))?;
            placements.extend(placed);
            imager.image_files(pdf, these.len(), pages.colour, &mut |bytes| {
                let path = paths.get(shas.len()).ok_or_else(|| Error::InvalidInput(format!("{}: more page images than pages", ex.id)))?;
                bag.add_payload(path, &bytes)?;
                shas.push(hex::encode(Sha256::digest(&bytes)));
                Ok(())
            })?;
        }
        if shas.len() != paths.len() {
            return Err(Error::InvalidInput(format!("{}: {} page images for {} pages", ex.id, shas.len(), paths.len())));
        }
        let renderer = format!("{}; {}", pages.renderer, imager.output_words(pages.colour));
        let mut digest = Sha256::new();
        for (k, bates) in numbers.iter().enumerate() {
            let file = if imager.profile == ImageProfile::Pdf { 0 } else { k };
            let record = PageRecord {
                bates: bates.clone(),
                document: numbers[0].clone(),
                exhibit_id: ex.id.clone(),
                page: k as u32 + 1,
                source: pages.sources.get(k).cloned().unwrap_or_default(),
                native_sha256: (!withheld).then(|| ex.sha256.clone()),
                renderer: renderer.clone(),
                image_path: paths[file].clone(),
                image_page: if imager.profile == ImageProfile::Pdf { k as u32 + 1 } else { 1 },
                image_sha256: shas[file].clone(),
                page_size: placements[k].page,
                scale: placements[k].scale,
                stamps: placements[k].stamps.clone(),
                text_layer: pages.text_layers.get(k).cloned().flatten(),
            };
            digest.update(serde_json::to_string(&record).expect("serialise").as_bytes());
            digest.update(b"\n");
            out.opt.push(OptLine {
                key: bates.clone(),
                volume: VOLUME.into(),
                path: load_file_path(&paths[file]),
                doc_break: k == 0,
                pages: (k == 0).then_some(numbers.len() as u32),
            });
            out.records.push(record);
        }
        let last = numbers.last().cloned().unwrap_or_default();
        out.per_exhibit.insert(ex.id.clone(), (numbers.len() as u64, hex::encode(digest.finalize()), last));
        Ok(())
    }
}

/// QC of the page images before the load files are written: every
/// document's first image line is its BEGBATES and its lines are its pages
/// (PGCOUNT), the lines run on without gaps, and every image is in the bag
/// with the hash its page record gives.
pub(crate) fn qc_images(p: &Production, images: &ImagesOut, in_bag: &HashMap<&str, &str>) -> Result<Vec<String>> {
    let fail = |m: String| Err(Error::InvalidInput(format!("QC: {m}")));
    let mut docs: Vec<(&str, &str, u64)> = p
        .exhibits
        .iter()
        .map(|e| {
            let pages = e.document_fields.iter().find(|(f, _)| f == "PGCOUNT").and_then(|(_, v)| v.parse().ok()).unwrap_or(0);
            (e.bates.as_str(), e.bates_end.as_deref().unwrap_or(&e.bates), pages)
        })
        .chain(p.withheld.iter().map(|w| (w.bates.as_str(), w.bates.as_str(), 1)))
        .collect();
    docs.sort();
    let mut lines = images.opt.iter().peekable();
    for (beg, end, pages) in &docs {
        let Some(first) = lines.next().filter(|l| l.key == *beg && l.doc_break) else {
            return fail(format!("{beg} does not begin a document in the image load file"));
        };
        let mut last = first;
        let mut n = 1;
        while let Some(l) = lines.next_if(|l| !l.doc_break) {
            last = l;
            n += 1;
        }
        if n != *pages || first.pages != Some(n as u32) || last.key != *end {
            return fail(format!("{beg}: the image load file has {n} page(s) ending at {} where the load file says {pages} ending at {end}", last.key));
        }
    }
    if let Some(extra) = lines.next() {
        return fail(format!("the image load file has page {} that no document has", extra.key));
    }
    for r in &images.records {
        if in_bag.get(r.image_path.as_str()) != Some(&r.image_sha256.as_str()) {
            return fail(format!("page {}: its image {} is not in the bag as recorded", r.bates, r.image_path));
        }
    }
    Ok(vec![
        format!("image load file: {} pages of {} documents, each document's first page its BEGBATES and its page count its PGCOUNT", images.opt.len(), docs.len()),
        format!("every page image is in the bag with the SHA-256 its page record gives ({} files)", images.records.iter().map(|r| &r.image_path).collect::<std::collections::HashSet<_>>().len()),
    ])
}

/// A stamped page as the export would make it, to look at before exporting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImagePreview {
    /// The page as a PNG image (60 dpi).
    pub png: Vec<u8>,
    /// The exhibit the page belongs to.
    pub exhibit_id: String,
    /// Its Bates number.
    pub bates: String,
    /// The legend stamped on it, if any.
    pub legend: Option<String>,
    /// How many pages its document has.
    pub pages: u64,
}

impl Vault {
    /// The first page of the first document an export request chooses (or
    /// of `exhibit`, if it is among them), stamped as the export would
    /// stamp it: numbered, endorsed, fitted. Nothing is written.
    pub fn image_preview(&self, req: &CheckedExport, exhibit: Option<&str>) -> Result<ImagePreview> {
        let Some(imager) = Imager::new(req)? else {
            return Err(Error::InvalidInput("choose page images (pdf or tiff) to see a stamped page".into()));
        };
        let (selection, _) = self.export_selection(req)?;
        let i = match exhibit {
            Some(id) => selection.iter().position(|c| c.exhibit.id == id).ok_or_else(|| Error::InvalidInput(format!("{id} is not among the exhibits chosen")))?,
            None => 0,
        };
        let info = self.document_info(&selection, false)?;
        let attachments = attachment_names(&selection);
        let chosen = &selection[i];
        let pages = self.document_pages(&imager, chosen, &info, &attachments, None, false)?;
        // The document's own numbers: those the ones before it leave it.
        let mut counts = self.page_counts(req, &selection[..i], &info)?;
        counts.push(pages.imaged.page_count() as u64);
        let plan = self.plan_bates(req, &selection[..=i], &counts)?;
        let numbers = plan.numbers_of(i);
        let legend = info.designations.get(&chosen.exhibit.id).and_then(|d| d.confidentiality.clone()).or_else(|| req.endorse.clone());
        let (pdf, _) = pages.imaged.stamped(&numbers, legend.as_deref(), &imager.endorsements).map_err(|e| Error::InvalidInput(e.0))?;
        let png = custos_extract::tools::run("pdftoppm", &["-r", "60", "-png", "-f", "1", "-l", "1", "-"], &pdf)
            .map_err(|e| Error::InvalidInput(format!("the preview: {e}")))?;
        Ok(ImagePreview { png, exhibit_id: chosen.exhibit.id.clone(), bates: numbers[0].clone(), legend, pages: numbers.len() as u64 })
    }
}

/// What a bundle's README.txt says of its page images, if it has any.
pub(crate) fn readme(p: &Production, images: &ImagesOut, profile: ImageProfile, prefix: &str) -> String {
    let what = match profile {
        ImageProfile::Pdf => "a searchable PDF per document (data/VOL001/IMAGES/NNNN/<first page>.pdf), each page stamped",
        ImageProfile::Tiff => "a single-page Group IV TIFF at 300 dpi per page (JPEG for photographs), data/VOL001/IMAGES/NNNN/<page>.tif",
    };
    format!(
        "\nPage images: {} pages of {} documents, {what}. Bates numbers run by page:\n   \
         each document's BEGBATES and ENDBATES in the load file span its pages, PGCOUNT\n   \
         counts them and IMAGEPATH names its first image. The Opticon image load file\n   \
         data/VOL001/DATA/{prefix}_VOL001.opt has one line per page (Y on a document's\n   \
         first page, with its page count). data/VOL001/DATA/page-records.jsonl records\n   \
         each page: its native's SHA-256, the programs that made it and their settings,\n   \
         its image's SHA-256 and its stamps. To check a page image by hand:\n     \
         sha256sum data/VOL001/IMAGES/0001/<page>.tif   (compare with its record)\n",
        images.records.len(),
        p.exhibits.len() + p.withheld.len()
    )
}
