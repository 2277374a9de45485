//! Page images of a production (DESIGN.md §6.3): how each document becomes
//! pages, the Office converter and the rasteriser, and where each page's
//! image goes in the bag.
//!
//! Nothing of an exhibit is written to disk in plaintext: PDFs, images and
//! text are laid out in memory, pages reach `pdftoppm` through a pipe and
//! come back through one. LibreOffice alone reads files: it is given the
//! native in a private folder on the memory file system (`/dev/shm`, a
//! tmpfs), removed as soon as its PDF is read back; where there is no such
//! file system, Office documents get a "produced in native form" sheet.

use crate::bundle::layout::IMAGES_FOLDER;
use crate::error::{Error, Result};
use crate::store::exhibits::Exhibit;
use custos_documents::imaging::{Imaged, Source};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The page images a production gives besides the natives.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ImageProfile {
    /// A searchable PDF per document, each page stamped.
    Pdf,
    /// A single-page image per page: Group IV TIFF (black and white), JPEG
    /// for a photograph or screenshot, at 300 dpi.
    Tiff,
}

impl ImageProfile {
    /// Its name on the command line and in the records (`pdf`, `tiff`).
    pub fn name(self) -> &'static str {
        match self {
            ImageProfile::Pdf => "pdf",
            ImageProfile::Tiff => "tiff",
        }
    }

    /// The profile named `name`.
    pub fn parse(name: &str) -> Option<ImageProfile> {
        [ImageProfile::Pdf, ImageProfile::Tiff].into_iter().find(|p| p.name() == name)
    }
}

/// Resolution of TIFF and JPEG page images, dots per inch.
pub const DPI: u32 = 300;
/// Pages one `pdftoppm` run rasterises (two runs at once): what bounds the
/// memory of imaging a long document.
const BATCH: usize = 16;
/// How long LibreOffice may take over one document.
const OFFICE_LIMIT: std::time::Duration = std::time::Duration::from_secs(5 * 60);

/// How a document becomes pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Imaging {
    /// Withheld: a slip sheet saying so, on this ground.
    Withheld(String),
    /// Every page of the native PDF.
    Pdf,
    /// The native image, one page, in colour.
    Image,
    /// The e-mail's headers, then its text.
    Email,
    /// The document's text.
    Text,
    /// A word-processing or presentation document, through LibreOffice.
    Office,
    /// Produced in native form only: a sheet saying so, for this reason.
    Native(String),
}

/// How `ex` is imaged; `has_text`: processing stored text for it.
pub(crate) fn imaging_of(ex: &Exhibit, has_text: bool) -> Imaging {
    let mime = ex.mime.as_str();
    const SHEETS: &[&str] = &[
        "text/csv",
        "text/tab-separated-values",
        "application/vnd.ms-excel",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.oasis.opendocument.spreadsheet",
    ];
    const OFFICE: &[&str] = &[
        "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.ms-powerpoint",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.presentation",
        "application/rtf",
        "text/rtf",
    ];
    // A zip or compound file is an Office document by its name (intake
    // records the container format; processing reads the parts).
    let ext = ex.name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    let mime = match (mime, ext.as_str()) {
        ("application/zip" | "application/x-cfb" | "application/x-ole-storage" | "application/octet-stream", e) => match e {
            "docx" | "docm" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "pptx" | "pptm" => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            "xlsx" | "xlsm" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "odt" => "application/vnd.oasis.opendocument.text",
            "odp" => "application/vnd.oasis.opendocument.presentation",
            "ods" => "application/vnd.oasis.opendocument.spreadsheet",
            "doc" => "application/msword",
            "ppt" => "application/vnd.ms-powerpoint",
            "xls" => "application/vnd.ms-excel",
            "msg" => "application/vnd.ms-outlook",
            _ => mime,
        },
        _ => mime,
    };
    match mime {
        "application/pdf" => Imaging::Pdf,
        "application/zip" => Imaging::Native("archives are produced in native form; their files are imaged as documents of their own".into()),
        "image/png" | "image/jpeg" | "image/gif" | "image/webp" => Imaging::Image,
        "message/rfc822" | "application/vnd.ms-outlook" => Imaging::Email,
        m if SHEETS.contains(&m) => Imaging::Native("spreadsheets are produced in native form".into()),
        m if m.starts_with("audio/") || m.starts_with("video/") => Imaging::Native("audio and video are produced in native form".into()),
        m if OFFICE.contains(&m) => Imaging::Office,
        m if m.starts_with("text/") || matches!(m, "application/json" | "application/xml") => Imaging::Text,
        m if m.starts_with("image/") => Imaging::Native(format!("{m} images are produced in native form (no renderer for them here)")),
        _ if has_text => Imaging::Text,
        m => Imaging::Native(format!("{m} documents are produced in native form")),
    }
}

/// A document ready to be stamped: its pages, what each page shows and the
/// programs that made them.
pub(crate) struct DocumentPages {
    pub imaged: Imaged,
    /// What page `i` shows, in words.
    pub sources: Vec<String>,
    /// The programs that laid the pages out, with versions.
    pub renderer: String,
    /// In colour (a JPEG page in a TIFF production).
    pub colour: bool,
    /// The text layer laid over each page, in words, where one was made
    /// (or why none could be).
    pub text_layers: Vec<Option<String>>,
}

/// What a production's imaging needs, found once: the profile and stamps,
/// the rasteriser for TIFF, LibreOffice if it is here.
pub(crate) struct Imager {
    pub profile: ImageProfile,
    pub endorsements: custos_documents::imaging::Endorsements,
    /// `pdftoppm`'s version (TIFF only).
    pdftoppm: Option<String>,
    /// Looked for at the first Office document only.
    office: std::cell::OnceCell<Option<Office>>,
}

/// LibreOffice, and the private folder on the memory file system it works in.
struct Office {
    version: String,
    dir: tempfile::TempDir,
}

/// The version string of the PDF writer, as the page records give it.
const KRILLA: &str = "krilla 0.7";

impl Imager {
    /// The imager a request asks for, if it asks for images. TIFF needs
    /// `pdftoppm`: without it the export is refused before anything is written.
    pub(crate) fn new(req: &super::request::ExportRequest) -> Result<Option<Imager>> {
        let Some(profile) = req.images else { return Ok(None) };
        let pdftoppm = match profile {
            ImageProfile::Pdf => None,
            ImageProfile::Tiff => Some(custos_extract::tools::version("pdftoppm").map_err(|e| {
                Error::InvalidInput(format!("TIFF page images are rasterised by pdftoppm: {e}; install poppler-utils or choose PDF page images"))
            })?),
        };
        Ok(Some(Imager { profile, endorsements: req.endorsements, pdftoppm, office: std::cell::OnceCell::new() }))
    }

    /// The word LibreOffice's absence puts on an Office document's sheet.
    fn no_office() -> String {
        "no Office converter is installed here (LibreOffice, Debian's libreoffice-writer-nogui); it is produced in native form".into()
    }

    /// A document's pages. `native`: its bytes, for the kinds imaged from
    /// them; `text`: its stored text; `heading`: an e-mail's header lines.
    /// A native that cannot be read becomes a sheet saying why.
    pub(crate) fn document(
        &self,
        imaging: &Imaging,
        name: &str,
        native: Option<&[u8]>,
        text: Option<&str>,
        heading: Vec<(String, String)>,
    ) -> Result<DocumentPages> {
        let render = |e: custos_documents::RenderError| Error::InvalidInput(format!("{name}: {}", e.0));
        let sheet = |title: &str, lines: Vec<String>, renderer: String| -> Result<DocumentPages> {
            let imaged = Imaged::new(Source::Sheet { title: title.into(), lines }).map_err(render)?;
            Ok(DocumentPages { imaged, sources: vec![format!("slip sheet: {}", title.to_lowercase())], renderer, colour: false, text_layers: vec![None] })
        };
        // An image that cannot be drawn keeps its place as a colour page.
        let native_sheet = |why: String| {
            let mut d = sheet("PRODUCED IN NATIVE FORM", vec![name.to_string(), why], format!("slip sheet typeset in DejaVu Sans ({KRILLA})"))?;
            d.colour = *imaging == Imaging::Image;
            Ok(d)
        };
        match imaging {
            Imaging::Withheld(ground) => sheet(
                "WITHHELD \u{2014} PRIVILEGED",
                vec![ground.clone(), "This document is withheld on the ground of privilege and listed on the privilege log under this Bates number.".into()],
                format!("slip sheet typeset in DejaVu Sans ({KRILLA})"),
            ),
            Imaging::Native(why) => native_sheet(why.clone()),
            Imaging::Pdf => match Imaged::new(Source::Pdf(native.unwrap_or_default())) {
                Ok(imaged) => {
                    let n = imaged.page_count();
                    Ok(DocumentPages {
                        imaged,
                        sources: (1..=n).map(|p| format!("page {p} of {n} of the native PDF")).collect(),
                        renderer: format!("the native PDF's page placed as it is, its text kept ({KRILLA}, hayro-syntax 0.4)"),
                        colour: false,
                        text_layers: vec![None; n],
                    })
                }
                Err(e) => native_sheet(format!("it cannot be imaged: {}", e.0)),
            },
            Imaging::Image => match Imaged::new(Source::Image(native.unwrap_or_default())) {
                Ok(imaged) => Ok(DocumentPages {
                    imaged,
                    sources: vec!["the native image".into()],
                    renderer: format!("the native image placed at one pixel a point, shrunk to fit ({KRILLA})"),
                    colour: true,
                    text_layers: vec![None],
                }),
                Err(e) => native_sheet(format!("it cannot be imaged: {}", e.0)),
            },
            Imaging::Email | Imaging::Text => {
                let what = if *imaging == Imaging::Email { "e-mail" } else { "text" };
                let imaged = Imaged::new(Source::Text { heading, body: text.unwrap_or_default() }).map_err(render)?;
                let n = imaged.page_count();
                Ok(DocumentPages {
                    imaged,
                    sources: (1..=n).map(|p| format!("page {p} of {n} of the {what} as extracted, typeset")).collect(),
                    renderer: format!("typeset in DejaVu Sans 9.5 pt ({KRILLA})"),
                    colour: false,
                    text_layers: vec![None; n],
                })
            }
            Imaging::Office => {
                let Some(office) = self.office.get_or_init(Office::find) else { return native_sheet(Self::no_office()) };
                match office.convert(name, native.unwrap_or_default()).and_then(|pdf| Imaged::new(Source::Pdf(&pdf)).map_err(|e| e.0)) {
                    Ok(imaged) => {
                        let n = imaged.page_count();
                        Ok(DocumentPages {
                            imaged,
                            sources: (1..=n).map(|p| format!("page {p} of {n} of the native as LibreOffice prints it")).collect(),
                            renderer: format!("LibreOffice {} converting the native to PDF, its page placed as it is ({KRILLA})", office.version),
                            colour: false,
                            text_layers: vec![None; n],
                        })
                    }
                    Err(e) => native_sheet(format!("LibreOffice {} could not convert it ({e})", office.version)),
                }
            }
        }
    }

    /// Lays recognised text over the pages of `pages` that have none: an
    /// image's one page, a PDF's pages with no text at all. Only a PDF production has a text layer (a TIFF production's
    /// text is in its TEXT files). A page OCR cannot read keeps its place
    /// with the reason in its record.
    pub(crate) fn lay_text(&self, imaging: &Imaging, native: Option<&[u8]>, pages: &mut DocumentPages) {
        const LANG: &str = "eng";
        if self.profile != ImageProfile::Pdf {
            return;
        }
        let native = native.unwrap_or_default();
        let wanted: Vec<u32> = match imaging {
            Imaging::Image if pages.sources.first().is_some_and(|s| s == "the native image") => vec![1],
            // Pages with no text at all (poppler ends each page with a form
            // feed): a layer over some text would say it twice.
            Imaging::Pdf if pages.sources.first().is_some_and(|s| s.ends_with("of the native PDF")) => {
                custos_extract::tools::run("pdftotext", &["-enc", "UTF-8", "-", "-"], native)
                    .map(|text| {
                        text.split(|b| *b == 0x0c)
                            .take(pages.imaged.page_count())
                            .enumerate()
                            .filter(|(_, t)| t.iter().all(u8::is_ascii_whitespace))
                            .map(|(i, _)| i as u32 + 1)
                            .collect()
                    })
                    .unwrap_or_default()
            }
            _ => Vec::new(),
        };
        for p in wanted {
            let layer = match imaging {
                Imaging::Image => custos_extract::ocr::text_layer(native, LANG),
                _ => custos_extract::ocr::pdf_page_text_layer(native, p, LANG),
            };
            let words = layer
                .map_err(|e| e.to_string())
                .and_then(|l| pages.imaged.lay_text_over(p as usize - 1, &l).map_err(|e| e.0))
                .and_then(|_| custos_extract::ocr::text_layer_words(LANG).map_err(|e| e.to_string()));
            if let Some(slot) = pages.text_layers.get_mut(p as usize - 1) {
                *slot = Some(words.unwrap_or_else(|e| format!("no text layer: {e}")));
            }
        }
    }

    /// How the stamped pages become image files, in words, for the records.
    pub(crate) fn output_words(&self, colour: bool) -> String {
        match (self.profile, &self.pdftoppm) {
            (ImageProfile::Tiff, Some(v)) if colour => format!("rasterised by pdftoppm {v} -r {DPI} -jpeg (quality 90)"),
            (ImageProfile::Tiff, Some(v)) => format!("rasterised by pdftoppm {v} -r {DPI} -mono, CCITT Group 4 TIFF (fax 0.2)"),
            _ => "stamped into a PDF per document".into(),
        }
    }

    /// The image files of a stamped document, in order, each handed to
    /// `sink` as soon as it is made: its PDF, or one image a page (so a long
    /// document holds two batches of pages at most).
    pub(crate) fn image_files(&self, pdf: Vec<u8>, pages: usize, colour: bool, sink: &mut dyn FnMut(Vec<u8>) -> Result<()>) -> Result<()> {
        match self.profile {
            ImageProfile::Pdf => sink(pdf),
            ImageProfile::Tiff if colour => {
                for p in 1..=pages {
                    let p = p.to_string();
                    sink(raster(&["-r", &DPI.to_string(), "-jpeg", "-jpegopt", "quality=90", "-f", &p, "-l", &p, "-"], &pdf)?)?;
                }
                Ok(())
            }
            ImageProfile::Tiff => {
                // Batches of pages, two rasterised at once; each batch's
                // pages come back in order.
                let batches: Vec<(usize, usize)> = (1..=pages).step_by(BATCH).map(|a| (a, (a + BATCH - 1).min(pages))).collect();
                let mut made = 0;
                for pair in batches.chunks(2) {
                    let done: Vec<Result<Vec<Vec<u8>>>> = std::thread::scope(|s| {
                        let pdf = &pdf;
                        let runs: Vec<_> = pair.iter().map(|&(a, b)| s.spawn(move || tiff_pages(pdf, a, b))).collect();
                        runs.into_iter().map(|r| r.join().unwrap_or_else(|_| Err(Error::Custody("a rasteriser thread failed".into())))).collect()
                    });
                    for (d, (a, b)) in done.into_iter().zip(pair) {
                        let d = d?;
                        if d.len() != b - a + 1 {
                            return Err(Error::InvalidInput(format!("pdftoppm gave {} page images for pages {a} to {b}", d.len())));
                        }
                        made += d.len();
                        for page in d {
                            sink(page)?;
                        }
                    }
                }
                debug_assert_eq!(made, pages);
                Ok(())
            }
        }
    }
}

/// Pages `a` to `b` of `pdf` as Group 4 TIFFs, each coded as soon as
/// `pdftoppm` has written it (a page's bitmap is held, not the batch's).
fn tiff_pages(pdf: &[u8], a: usize, b: usize) -> Result<Vec<Vec<u8>>> {
    let mut stream = custos_documents::tiff::PbmStream::default();
    let mut tiffs = Vec::with_capacity(b - a + 1);
    let mut bad = None;
    let args = ["-r", &DPI.to_string(), "-mono", "-f", &a.to_string(), "-l", &b.to_string(), "-"].map(String::from);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    custos_extract::tools::run_streaming("pdftoppm", &args, pdf, &mut |chunk| {
        stream
            .feed(chunk, &mut |page| {
                tiffs.push(custos_documents::tiff::g4_tiff(page, DPI));
                Ok(())
            })
            .map_err(|e| {
                let message = e.0.clone();
                bad = Some(e);
                std::io::Error::other(message)
            })
    })
    .map_err(|e| Error::InvalidInput(format!("page images: {}", bad.take().map(|b| b.0).unwrap_or_else(|| e.to_string()))))?;
    stream.finish().map_err(|e| Error::InvalidInput(e.0))?;
    Ok(tiffs)
}

/// `pdftoppm` with `args`, the PDF on its standard input, the images on its output.
fn raster(args: &[&str], pdf: &[u8]) -> Result<Vec<u8>> {
    custos_extract::tools::run("pdftoppm", args, pdf).map_err(|e| Error::InvalidInput(format!("page images: {e}")))
}

impl Office {
    /// LibreOffice, if it is installed and a memory file system is there to
    /// hand it documents through.
    fn find() -> Option<Office> {
        let shm = Path::new("/dev/shm");
        let mounts = std::fs::read_to_string("/proc/mounts").unwrap_or_default();
        if !mounts.lines().any(|l| l.split_whitespace().nth(1) == Some("/dev/shm") && l.split_whitespace().nth(2) == Some("tmpfs")) {
            return None;
        }
        let version = custos_extract::tools::version("soffice").ok()?;
        // Its owner's alone.
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::Builder::new().prefix("custos-office-").permissions(std::fs::Permissions::from_mode(0o700)).tempdir_in(shm).ok()?;
        Some(Office { version, dir })
    }

    /// The native as LibreOffice prints it to PDF. The native and the PDF
    /// are removed whatever happens.
    fn convert(&self, name: &str, native: &[u8]) -> std::result::Result<Vec<u8>, String> {
        let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).filter(|e| e.len() <= 5 && e.chars().all(|c| c.is_ascii_alphanumeric()));
        let input = self.dir.path().join(format!("document.{}", ext.as_deref().unwrap_or("bin")));
        let outdir = self.dir.path().join("out");
        let output = outdir.join("document.pdf");
        let profile = format!("-env:UserInstallation=file://{}", self.dir.path().join("profile").display());
        let result = (|| {
            std::fs::write(&input, native).map_err(|e| e.to_string())?;
            let args = [profile.as_str(), "--headless", "--norestore", "--convert-to", "pdf", "--outdir", &path_str(&outdir), &path_str(&input)];
            custos_extract::tools::run_within("soffice", &args, b"", OFFICE_LIMIT).map_err(|e| e.to_string())?;
            std::fs::read(&output).map_err(|_| "it wrote no PDF".to_string())
        })();
        let _ = std::fs::remove_file(&input);
        let _ = std::fs::remove_file(&output);
        result
    }
}

fn path_str(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// Where page `ordinal` (from 0 in the production) of document `index`
/// goes: a PDF per document beside the others of its thousand, a TIFF or
/// JPEG per page in folders of 1,000 pages.
pub(crate) fn image_path(profile: Option<ImageProfile>, index: usize, ordinal: u64, bates: &str, colour: bool) -> String {
    let per = super::write::PER_FOLDER;
    match profile {
        None | Some(ImageProfile::Pdf) => format!("{IMAGES_FOLDER}{:04}/{bates}.pdf", index / per + 1),
        Some(ImageProfile::Tiff) => format!("{IMAGES_FOLDER}{:04}/{bates}.{}", ordinal as usize / per + 1, if colour { "jpg" } else { "tif" }),
    }
}
