//! Exported bundles checked the way a recipient who does not trust Custos
//! would check them: unzip, the Library of Congress validator (`bagit.py`),
//! `ssh-keygen -Y verify`, `sha256sum`/`md5sum`, `case_validate` (CASE/UCO),
//! poppler's `pdfinfo`/`pdftoppm`/`pdftotext`, `age`, and a Concordance load-file
//! parser written here from the conventions (not the exporter's code).
//!
//! The outside tools are installed by `scripts/install-deps.sh`; a missing
//! tool fails the test rather than skipping it.

#[macro_use]
mod common;

use common::*;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};



/// Modification time given to every source file: 2021-03-04 05:06:07 UTC.
const SOURCE_MTIME: u64 = 1_614_834_367;
/// How the load file should show [`SOURCE_MTIME`] (dates are written without the `T` and `Z`).
const SOURCE_MTIME_DAT: &str = "2021-03-04 05:06:07";

/// The first group of exhibits: custodian, source and a description with
/// characters that Windows-1252 keeps in its 0x80–0x9F range (“ ” — €).
const CUSTODIAN_A: &str = "Erik Brandt";
const SOURCE_A: &str = "Work laptop HD-L-0291";
const DESCRIPTION_A: &str = "Q3 \u{201c}final\u{201d} numbers \u{2014} \u{20ac}1,000\nsecond line";
/// The second group: a custodian with a Latin-1 letter, no description.
const CUSTODIAN_B: &str = "Ana \u{d8}ster";
const SOURCE_B: &str = "Phone export (iCloud)";

/// A name with characters Windows-1252 lacks (CJK, an emoji, a right-to-left mark).
const UNICODE_NAME: &str = "R\u{e9}sum\u{e9} \u{2013} \u{65e5}\u{672c}\u{8a9e} \u{1f4ce}\u{200f}.txt";
/// A name in decomposed form (NFD): `e` followed by a combining acute accent.
const NFD_NAME: &str = "Cafe\u{301} receipts.txt";
const NEWLINE_NAME: &str = "line one\nline two.txt";

/// Fields every load file must have.
const REQUIRED_FIELDS: &[&str] = &[
    "BEGBATES", "ENDBATES", "BEGATTACH", "ENDATTACH", "EXHIBITID", "CUSTODIAN", "SOURCE", "FILENAME", "FILEEXT",
    "FILESIZE", "MD5HASH", "SHA256HASH", "DATECREATED", "DATEMODIFIED", "DATECOLLECTED", "DESCRIPTION", "NATIVEPATH",
    "TEXTPATH", "FAMILYID", "FROM", "TO", "CC", "BCC", "SUBJECT", "DATESENT", "DATERCVD", "AUTHOR", "TITLE", "PGCOUNT",
    "MESSAGEID",
];

// ---------------------------------------------------------------------------
// Running outside tools

/// Runs an outside tool; a tool that is not installed fails with a pointer to
/// the install script instead of a bare "not found".
#[track_caller]
fn tool(cmd: &mut Command) -> Output {
    let program = cmd.get_program().to_string_lossy().into_owned();
    let found = Command::new("sh")
        .args(["-c", "command -v \"$1\" >/dev/null", "sh", &program])
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    assert!(found, "{program} is not installed; run `bash scripts/install-deps.sh` (or `make install-deps`) first");
    run(cmd)
}

/// Runs an outside tool and asserts it exits 0.
#[track_caller]
fn tool_ok(cmd: &mut Command, why: &str) -> Output {
    let o = tool(cmd);
    assert_eq!(o.code, Some(0), "{why}; {cmd:?} failed: {}", o.describe());
    o
}

/// `custos ARGS…`, asserted successful, with its `--json` output.
#[track_caller]
fn custos_json(args: Vec<std::ffi::OsString>, why: &str) -> Value {
    let o = custos(&args);
    o.assert_success(why);
    o.json()
}

// ---------------------------------------------------------------------------
// Scratch space and the shared exported bundle

/// A folder for this test process under Cargo's per-target temp folder;
/// A folder for this test process (see [`common::scratch`]).
fn scratch(name: &str) -> PathBuf {
    common::scratch("bundle-tests-", name)
}

/// One exhibit put into a vault by [`varied_vault`].
#[derive(Debug, Clone)]
struct Source {
    name: String,
    path: PathBuf,
    custodian: &'static str,
    source: &'static str,
    description: &'static str,
}

/// A vault holding varied exhibits, with what each was made from, by exhibit id.
struct Varied {
    vault: PathBuf,
    sources: BTreeMap<String, Source>,
}

/// Makes a vault with text, CSV, .eml, PNG, an empty file, a unicode name, a
/// decomposed (NFD) name, a name with a newline, `CON.txt` and a name ending
/// in ". ", in two intakes
/// with different custodians. Every source has the modification time
/// [`SOURCE_MTIME`].
fn varied_vault(dir: &Path) -> Varied {
    let vault = init_vault(&dir.join("vault"));
    let group_a: Vec<(&str, Vec<u8>)> = vec![
        ("memo.txt", b"Meeting notes, 2 January 2024: the shipment left on Tuesday.\n".to_vec()),
        ("downloads.csv", b"user,file,time\r\nebrandt,\"Tolerances, rev 4.xlsx\",2024-01-02T09:14:00Z\r\n".to_vec()),
        ("message.eml", EML.as_bytes().to_vec()),
    ];
    let group_b: Vec<(&str, Vec<u8>)> = vec![
        ("screenshot.png", PNG.to_vec()),
        ("empty.txt", Vec::new()),
        (UNICODE_NAME, "\u{dc}n\u{ef}c\u{f6}d\u{e9} content \u{2713}\n".as_bytes().to_vec()),
        (NEWLINE_NAME, b"a file whose name holds a newline\n".to_vec()),
        ("CON.txt", b"a name Windows reserves for a device\n".to_vec()),
        ("trailing dot. ", b"a name ending in a dot and a space\n".to_vec()),
        (NFD_NAME, b"a name in decomposed Unicode\n".to_vec()),
    ];
    let mut by_name = BTreeMap::new();
    for (group, files, custodian, source, description) in [
        ("a", &group_a, CUSTODIAN_A, SOURCE_A, DESCRIPTION_A),
        ("b", &group_b, CUSTODIAN_B, SOURCE_B, ""),
    ] {
        let mut args = argv!["add", &vault];
        for (name, bytes) in files.iter() {
            let path = dir.join(format!("src-{group}")).join(name);
            write_file(&path, bytes);
            fs::File::options()
                .write(true)
                .open(&path)
                .and_then(|f| f.set_modified(SystemTime::UNIX_EPOCH + Duration::from_secs(SOURCE_MTIME)))
                .expect("set the source's modification time");
            args.push(path.clone().into_os_string());
            by_name.insert(
                name.to_string(),
                Source { name: name.to_string(), path, custodian, source, description },
            );
        }
        args.extend(argv!["--custodian", custodian, "--source", source]);
        if !description.is_empty() {
            args.extend(argv!["--description", description]);
        }
        custos(&args).assert_success("adding the varied exhibits must succeed");
    }
    let mut sources = BTreeMap::new();
    for e in list_json(&vault) {
        let name = str_field(&e, "name");
        let s = by_name.get(name).unwrap_or_else(|| panic!("list shows an exhibit named {name:?} that was not added"));
        sources.insert(str_field(&e, "id").to_string(), s.clone());
    }
    assert_eq!(sources.len(), by_name.len(), "every source (all distinct) must be its own exhibit");
    Varied { vault, sources }
}

/// Unzips `zip` into `dest` with Info-ZIP `unzip` and returns the one bag
/// folder it holds.
#[track_caller]
fn unzip_bag(zip: &Path, dest: &Path) -> PathBuf {
    tool_ok(Command::new("unzip").arg("-q").arg(zip).arg("-d").arg(dest), "unzip must extract the bundle");
    let tops: Vec<PathBuf> = fs::read_dir(dest).expect("read the extraction folder").map(|e| e.unwrap().path()).collect();
    assert_eq!(tops.len(), 1, "a bundle must hold exactly one top-level folder (the bag): {tops:?}");
    assert!(tops[0].is_dir(), "the top-level entry must be the bag folder");
    tops[0].clone()
}

/// The varied vault exported once to a zip with `--organization`, and extracted.
struct Fixture {
    dir: PathBuf,
    varied: Varied,
    zip: PathBuf,
    report: Value,
    bag: PathBuf,
}

const FIXTURE_PREFIX: &str = "ABC";

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let dir = scratch("fixture");
        let varied = varied_vault(&dir);
        let zip = dir.join("production.zip");
        let report = custos_json(
            argv![
                "export", &varied.vault, "--out", &zip, "--bates-prefix", FIXTURE_PREFIX,
                "--organization", "Whitfield & Partners LLP", "--json"
            ],
            "export of the varied exhibits must succeed",
        );
        let bag = unzip_bag(&zip, &dir.join("extracted"));
        Fixture { dir, varied, zip, report, bag }
    })
}

/// The one `.dat` in the volume's DATA folder.
#[track_caller]
fn dat_file(bag: &Path) -> PathBuf {
    let dats: Vec<PathBuf> = files_under(&bag.join("data/VOL001/DATA"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "dat"))
        .collect();
    assert_eq!(dats.len(), 1, "the volume must hold exactly one .dat load file: {dats:?}");
    dats[0].clone()
}

// ---------------------------------------------------------------------------
// 1. The bag with the standard tools

#[test]
fn bagit_py_validates_the_bag() {
    let f = fixture();
    let o = tool(Command::new("bagit.py").arg("--validate").arg(&f.bag));
    assert_eq!(o.code, Some(0), "the Library of Congress validator must accept the bag; {}", o.describe());
    assert!(o.stderr.contains("is valid"), "bagit.py must say the bag is valid; {}", o.describe());
    let complaints: Vec<&str> =
        o.stderr.lines().filter(|l| l.contains(" - WARNING - ") || l.contains(" - ERROR - ")).collect();
    assert!(complaints.is_empty(), "bagit.py must not warn about the bag: {complaints:#?}");
    let info = fs::read_to_string(f.bag.join("bag-info.txt")).expect("bag-info.txt");
    assert!(
        info.lines().any(|l| l == "Source-Organization: Whitfield & Partners LLP"),
        "--organization must appear in bag-info.txt as Source-Organization:\n{info}"
    );
}

#[test]
fn seal_verifies_with_ssh_keygen() {
    let f = fixture();
    let allowed = fs::read_to_string(f.bag.join("seal/allowed_signers")).expect("seal/allowed_signers");
    let identity = allowed.split_whitespace().next().expect("an identity in allowed_signers").to_string();
    assert_eq!(identity, str_field(&f.report, "signer_identity"), "allowed_signers names the identity export reported");
    let o = tool_ok(
        Command::new("ssh-keygen")
            .args(["-Y", "verify", "-f"])
            .arg(f.bag.join("seal/allowed_signers"))
            .args(["-I", &identity, "-n", "custos-bundle", "-s"])
            .arg(f.bag.join("seal/tagmanifest-sha256.txt.sig"))
            .stdin(fs::File::open(f.bag.join("tagmanifest-sha256.txt")).expect("tagmanifest-sha256.txt")),
        "OpenSSH must accept the seal over the tag manifest",
    );
    let all = format!("{}{}", o.stdout, o.stderr);
    assert!(
        all.contains(&format!("Good \"custos-bundle\" signature for {identity}")),
        "ssh-keygen must report a good signature for the sealing identity: {all}"
    );
    let fp = str_field(&f.report, "signer_fingerprint");
    assert!(all.contains(fp), "the key OpenSSH checked must have the fingerprint export announced ({fp}): {all}");
}

#[test]
fn manifests_check_with_sha256sum_and_md5sum() {
    let f = fixture();
    for (hasher, manifest) in
        [("sha256sum", "tagmanifest-sha256.txt"), ("sha256sum", "manifest-sha256.txt"), ("md5sum", "manifest-md5.txt")]
    {
        let o = tool_ok(
            Command::new(hasher).args(["--strict", "-c", manifest]).current_dir(&f.bag),
            &format!("`{hasher} -c {manifest}` must pass on the extracted bag"),
        );
        assert!(!o.stdout.contains("FAILED"), "{manifest}: {}", o.describe());
    }
    // The tag manifest covers the bag's declarations and both payload manifests.
    let tags: BTreeSet<String> = fs::read_to_string(f.bag.join("tagmanifest-sha256.txt"))
        .unwrap()
        .lines()
        .map(|l| l.split_once("  ").expect("`<hash>  <path>` lines").1.to_string())
        .collect();
    for t in ["bagit.txt", "bag-info.txt", "manifest-sha256.txt", "manifest-md5.txt"] {
        assert!(tags.contains(t), "the sealed tag manifest must cover {t}: {tags:?}");
    }
    // The payload manifest lists every file under data/, and nothing else.
    let listed: BTreeSet<String> = fs::read_to_string(f.bag.join("manifest-sha256.txt"))
        .unwrap()
        .lines()
        .map(|l| l.split_once("  ").expect("`<hash>  <path>` lines").1.to_string())
        .collect();
    let present: BTreeSet<String> = files_under(&f.bag.join("data"))
        .iter()
        .map(|p| p.strip_prefix(&f.bag).unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(listed, present, "manifest-sha256.txt must list exactly the files under data/");
}

/// A short account of case_validate's output: the verdict and each distinct
/// result, counted by severity.
fn summarise_case_validate(out: &str) -> String {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut severity = String::new();
    for l in out.lines() {
        let l = l.trim();
        if let Some(s) = l.strip_prefix("Severity: ") {
            severity = s.to_string();
        } else if let Some(m) = l.strip_prefix("Message: ") {
            *counts.entry(format!("{severity}: {m}")).or_default() += 1;
        }
    }
    let verdict = out.lines().find(|l| l.starts_with("Conforms:")).unwrap_or("(no Conforms line)");
    let mut s = format!("{verdict}\n");
    for (m, n) in counts {
        s.push_str(&format!("  {n} × {m}\n"));
    }
    s
}

#[test]
fn provenance_conforms_to_case_uco() {
    let f = fixture();
    // case-utils ships the CASE/UCO ontologies (--built-version), so no network is needed.
    let o = tool(Command::new("case_validate").arg("data/provenance.jsonld").current_dir(&f.bag));
    assert_eq!(
        o.code,
        Some(0),
        "case_validate must report that data/provenance.jsonld conforms to CASE/UCO.\n{}\n--- start of its output ---\n{}",
        summarise_case_validate(&o.stdout),
        o.stdout.chars().take(3000).collect::<String>()
    );
    assert!(o.stdout.contains("Conforms: True"), "case_validate must say Conforms: True; {}", o.describe());
}

#[test]
fn pdfs_open_and_render_with_poppler() {
    let f = fixture();
    let render = f.dir.join("rendered");
    fs::create_dir_all(&render).unwrap();
    for pdf in ["exhibit-index.pdf", "custody-report.pdf", "certification-902-14-DRAFT.pdf"] {
        let path = f.bag.join("data").join(pdf);
        let info = tool_ok(Command::new("pdfinfo").arg(&path), &format!("pdfinfo must open {pdf}"));
        assert!(info.stderr.trim().is_empty(), "pdfinfo must not complain about {pdf}: {}", info.stderr);
        let pages: usize = info
            .stdout
            .lines()
            .find_map(|l| l.strip_prefix("Pages:"))
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or_else(|| panic!("pdfinfo must print a page count for {pdf}: {}", info.stdout));
        assert!(pages > 0, "{pdf} must have at least one page");
        let prefix = render.join(pdf.trim_end_matches(".pdf"));
        let r = tool_ok(
            Command::new("pdftoppm").args(["-r", "24", "-png"]).arg(&path).arg(&prefix),
            &format!("pdftoppm must render {pdf}"),
        );
        assert!(r.stderr.trim().is_empty(), "pdftoppm must render {pdf} without errors: {}", r.stderr);
        let stem = prefix.file_name().unwrap().to_string_lossy().into_owned();
        let images = fs::read_dir(&render)
            .unwrap()
            .filter(|e| {
                let n = e.as_ref().unwrap().file_name().to_string_lossy().into_owned();
                n.starts_with(&format!("{stem}-")) && n.ends_with(".png")
            })
            .count();
        assert_eq!(images, pages, "pdftoppm must render every page pdfinfo counts in {pdf}");
    }
    // The index is for people: every Bates number must be readable in it.
    let text = tool_ok(
        Command::new("pdftotext").arg(f.bag.join("data/exhibit-index.pdf")).arg("-"),
        "pdftotext must read the exhibit index",
    )
    .stdout;
    for n in 1..=f.varied.sources.len() {
        let bates = format!("{FIXTURE_PREFIX}{n:06}");
        assert!(text.contains(&bates), "the exhibit index PDF must list {bates}; its text:\n{text}");
    }
}

#[test]
fn certification_docx_is_a_valid_word_zip() {
    let f = fixture();
    let docx = f.bag.join("data/certification-902-14-DRAFT.docx");
    tool_ok(Command::new("unzip").arg("-tq").arg(&docx), "the DOCX must be a zip that unzip -t accepts");
    let names = tool_ok(Command::new("unzip").arg("-Z1").arg(&docx), "unzip must list the DOCX").stdout;
    for part in ["[Content_Types].xml", "word/document.xml"] {
        assert!(names.lines().any(|l| l == part), "the DOCX must contain {part}: {names}");
    }
    let xml = Command::new("unzip").arg("-p").arg(&docx).arg("word/document.xml").output().expect("unzip -p");
    assert!(xml.status.success() && !xml.stdout.is_empty(), "word/document.xml must be readable");
    let doc = f.dir.join("document.xml");
    fs::write(&doc, &xml.stdout).unwrap();
    tool_ok(
        Command::new("python3").args(["-c", "import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])"]).arg(&doc),
        "word/document.xml must be well-formed XML",
    );
}

#[test]
fn custos_verify_bundle_accepts_the_zip_and_the_extracted_folder() {
    let f = fixture();
    for target in [&f.zip, &f.bag] {
        let o = custos(argv!["verify-bundle", target, "--json"]);
        o.assert_success("an untouched bundle must verify");
        let v = o.json();
        assert_eq!(v["ok"], Value::Bool(true), "{v:#}");
        assert_eq!(v["exhibits"].as_u64(), Some(f.varied.sources.len() as u64), "every exhibit is checked: {v:#}");
        assert_eq!(v["signer_fingerprint"], f.report["signer_fingerprint"], "the seal is the exporter's");
    }
}

// ---------------------------------------------------------------------------
// 2. Encryption for counsel

#[test]
fn encrypted_bundle_opens_with_age_and_verifies_only_with_the_identity() {
    let dir = scratch("encrypted");
    let vault = init_vault(&dir.join("vault"));
    write_file(&dir.join("src/memo.txt"), "Privileged and confidential.\n");
    write_file(&dir.join("src/ledger.csv"), "date,amount\r\n2024-01-02,100\r\n");
    custos(argv!["add", &vault, dir.join("src")]).assert_success("add");
    let key = dir.join("counsel-key.txt");
    tool_ok(Command::new("age-keygen").arg("-o").arg(&key), "age-keygen must make a key");
    let recipient = fs::read_to_string(&key)
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("# public key: ").map(str::to_string))
        .expect("age-keygen writes the public key as a comment");

    let bundle = dir.join("bundle.age");
    let report = custos_json(
        argv!["export", &vault, "--out", &bundle, "--recipient", &recipient, "--json"],
        "an export encrypted to counsel's age key must succeed",
    );
    assert_eq!(report["encrypted"], Value::Bool(true), "{report:#}");
    let head = fs::read(&bundle).unwrap();
    assert!(head.starts_with(b"age-encryption.org/v1\n"), "the bundle must be an age file, not a zip");
    assert_eq!(sha256sum_one(&bundle), str_field(&report, "bundle_sha256"), "the reported SHA-256 is of the file written");

    let zip = dir.join("bundle.zip");
    tool_ok(
        Command::new("age").arg("-d").arg("-i").arg(&key).arg("-o").arg(&zip).arg(&bundle),
        "the standard age tool must decrypt the bundle with counsel's key",
    );
    let t = tool_ok(Command::new("unzip").arg("-t").arg(&zip), "the decrypted bundle must be a sound zip");
    assert!(t.stdout.contains("No errors detected"), "{}", t.describe());

    let ok = custos(argv!["verify-bundle", &bundle, "--identity", &key, "--json"]);
    ok.assert_success("verify-bundle with the identity must pass");
    assert_eq!(ok.json()["ok"], Value::Bool(true));

    let without = custos(argv!["verify-bundle", &bundle]);
    assert_eq!(without.code, Some(2), "an encrypted bundle without --identity is bad input; {}", without.describe());
    let msg = without.stderr.to_lowercase();
    assert!(
        msg.contains("encrypted") && msg.contains("identity"),
        "the error must say the bundle is encrypted and an identity is needed; {}",
        without.describe()
    );
    assert!(without.stdout.is_empty(), "no report may be printed for a bundle that was not read");

    let other = dir.join("other-key.txt");
    tool_ok(Command::new("age-keygen").arg("-o").arg(&other), "age-keygen");
    let wrong = custos(argv!["verify-bundle", &bundle, "--identity", &other]);
    assert_eq!(wrong.code, Some(2), "a key the bundle was not encrypted to is bad input; {}", wrong.describe());
    assert!(wrong.stderr.contains("decrypt"), "the error must say it cannot be decrypted; {}", wrong.describe());
}

// ---------------------------------------------------------------------------
// 3. The load file, read by a parser written here

/// The load-file encodings the exporter offers.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Enc {
    Utf8Bom,
    Windows1252,
}

/// Windows-1252 bytes 0x80–0x9F (the rest of the upper half is Latin-1;
/// `None` for the five bytes the code page leaves undefined).
const CP1252_80_9F: [Option<char>; 32] = [
    Some('\u{20ac}'), None, Some('\u{201a}'), Some('\u{0192}'), Some('\u{201e}'), Some('\u{2026}'), Some('\u{2020}'),
    Some('\u{2021}'), Some('\u{02c6}'), Some('\u{2030}'), Some('\u{0160}'), Some('\u{2039}'), Some('\u{0152}'), None,
    Some('\u{017d}'), None, None, Some('\u{2018}'), Some('\u{2019}'), Some('\u{201c}'), Some('\u{201d}'),
    Some('\u{2022}'), Some('\u{2013}'), Some('\u{2014}'), Some('\u{02dc}'), Some('\u{2122}'), Some('\u{0161}'),
    Some('\u{203a}'), Some('\u{0153}'), None, Some('\u{017e}'), Some('\u{0178}'),
];

fn cp1252_decode(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| match b {
            0x80..=0x9f => CP1252_80_9F[(b - 0x80) as usize]
                .unwrap_or_else(|| panic!("byte {b:#04x} is undefined in Windows-1252 and must not be written")),
            _ => char::from(b), // ASCII and Latin-1 (þ is 0xFE, ® 0xAE)
        })
        .collect()
}

/// What a value looks like after a trip through Windows-1252: characters the
/// code page lacks become `?`.
fn cp1252_lossy(s: &str) -> String {
    s.chars()
        .map(|c| if (c as u32) < 0x80 || (0xa0..=0xff).contains(&(c as u32)) || CP1252_80_9F.contains(&Some(c)) { c } else { '?' })
        .collect()
}

/// A parsed load file: the header row and each row as field → value.
struct Dat {
    header: Vec<String>,
    rows: Vec<BTreeMap<String, String>>,
}

/// Parses a Concordance DAT: rows end CRLF, fields are separated by ASCII 20
/// and each is wrapped in þ; ® stands for a newline inside a field.
#[track_caller]
fn parse_dat(bytes: &[u8], enc: Enc) -> Dat {
    let body = match enc {
        Enc::Utf8Bom => {
            let rest = bytes.strip_prefix(b"\xEF\xBB\xBF").expect("a UTF-8 load file must start with the BOM");
            String::from_utf8(rest.to_vec()).expect("a UTF-8 load file must be valid UTF-8")
        }
        Enc::Windows1252 => {
            assert!(!bytes.starts_with(b"\xEF\xBB\xBF"), "a Windows-1252 load file has no UTF-8 BOM");
            assert_eq!(bytes.first(), Some(&0xFE), "þ is the single byte FE in Windows-1252");
            cp1252_decode(bytes)
        }
    };
    assert!(body.ends_with("\r\n"), "the last row must end with CRLF");
    let lines: Vec<&str> = body[..body.len() - 2].split("\r\n").collect();
    for (i, l) in lines.iter().enumerate() {
        assert!(!l.contains(['\r', '\n']), "line {} holds a bare CR or LF; every line must end CRLF: {l:?}", i + 1);
    }
    let split = |l: &str| -> Vec<String> {
        l.split('\u{14}')
            .map(|f| {
                let inner = f
                    .strip_prefix('þ')
                    .and_then(|f| f.strip_suffix('þ'))
                    .unwrap_or_else(|| panic!("every field must be wrapped in þ: {f:?} in {l:?}"));
                assert!(!inner.contains('þ'), "a þ inside a field would break the row: {f:?}");
                inner.replace('®', "\n")
            })
            .collect()
    };
    let header = split(lines[0]);
    let rows = lines[1..]
        .iter()
        .map(|l| {
            let v = split(l);
            assert_eq!(v.len(), header.len(), "every row must have as many fields as the header: {l:?}");
            header.iter().cloned().zip(v).collect()
        })
        .collect();
    Dat { header, rows }
}

/// Checks a load file against the natives in the bag and the original files.
#[track_caller]
fn check_load_file(dat: &Dat, bag: &Path, varied: &Varied, prefix: &str, first: u64, enc: Enc) {
    for f in REQUIRED_FIELDS {
        assert!(dat.header.iter().any(|h| h == f), "the header row must have {f}: {:?}", dat.header);
    }
    assert_eq!(dat.rows.len(), varied.sources.len(), "one row per exhibit");
    let text = |s: &str| if enc == Enc::Windows1252 { cp1252_lossy(s) } else { s.to_string() };

    let mut numbers = Vec::new();
    let mut natives_named = BTreeSet::new();
    for row in &dat.rows {
        let bates = &row["BEGBATES"];
        let digits = bates.strip_prefix(prefix).unwrap_or_else(|| panic!("{bates} must start with the prefix {prefix}"));
        assert!(digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit()), "{bates}: prefix + 6 digits");
        numbers.push(digits.parse::<u64>().unwrap());
        assert_eq!(&row["ENDBATES"], bates, "a native is one document: ENDBATES = BEGBATES");
        assert_eq!(&row["BEGATTACH"], bates, "no families: BEGATTACH = BEGBATES");
        assert_eq!(&row["ENDATTACH"], bates, "no families: ENDATTACH = ENDBATES");

        let id = &row["EXHIBITID"];
        let src = varied.sources.get(id).unwrap_or_else(|| panic!("{bates}: unknown EXHIBITID {id:?}"));
        assert_eq!(row["FILENAME"], text(&src.name), "{bates}: FILENAME is the original name");
        assert_eq!(row["CUSTODIAN"], text(src.custodian), "{bates}: CUSTODIAN");
        assert_eq!(row["SOURCE"], text(src.source), "{bates}: SOURCE");
        assert_eq!(row["DESCRIPTION"], text(src.description), "{bates}: DESCRIPTION, newline kept through ®");
        let size = fs::metadata(&src.path).unwrap().len();
        assert_eq!(row["FILESIZE"], size.to_string(), "{bates}: FILESIZE is the original size");
        assert!(
            row["DATEMODIFIED"].starts_with(SOURCE_MTIME_DAT),
            "{bates}: DATEMODIFIED must be the source's modification time {SOURCE_MTIME_DAT}, got {:?}",
            row["DATEMODIFIED"]
        );
        assert!(!row["DATECOLLECTED"].is_empty(), "{bates}: DATECOLLECTED must be filled");

        let native_rel = &row["NATIVEPATH"];
        assert!(native_rel.starts_with("VOL001\\NATIVES\\"), "{bates}: NATIVEPATH is inside the volume: {native_rel}");
        assert!(!native_rel.contains('/'), "{bates}: load-file paths use backslashes: {native_rel}");
        let native = bag.join("data").join(native_rel.replace('\\', "/"));
        assert!(native.is_file(), "{bates}: NATIVEPATH {native_rel} must exist in the volume");
        let ext = &row["FILEEXT"];
        let expected_name = if ext.is_empty() { bates.clone() } else { format!("{bates}.{ext}") };
        assert_eq!(native.file_name().unwrap().to_string_lossy(), expected_name, "natives are named by Bates number");
        natives_named.insert(native.clone());

        let [native_sha, source_sha] = <[String; 2]>::try_from(sha256sum(&[native.clone(), src.path.clone()])).unwrap();
        assert_eq!(row["SHA256HASH"], native_sha, "{bates}: SHA256HASH must equal sha256sum of the native");
        assert_eq!(row["SHA256HASH"], source_sha, "{bates}: SHA256HASH must equal sha256sum of the original file");
        assert_eq!(row["MD5HASH"], md5sum_one(&native), "{bates}: MD5HASH must equal md5sum of the native");
        assert_eq!(row["MD5HASH"], md5sum_one(&src.path), "{bates}: MD5HASH must equal md5sum of the original file");

        let text_rel = &row["TEXTPATH"];
        if !text_rel.is_empty() {
            assert!(text_rel.starts_with("VOL001\\TEXT\\"), "{bates}: TEXTPATH is inside the volume: {text_rel}");
            assert!(bag.join("data").join(text_rel.replace('\\', "/")).is_file(), "{bates}: TEXTPATH {text_rel} exists");
        }
    }
    let expected: Vec<u64> = (first..first + dat.rows.len() as u64).collect();
    assert_eq!(numbers, expected, "rows sorted by Bates, contiguous from {first}, no gaps or duplicates");
    let all_natives: BTreeSet<PathBuf> = files_under(&bag.join("data/VOL001/NATIVES")).into_iter().collect();
    assert_eq!(all_natives, natives_named, "every native in the volume has exactly one load-file row");
}

#[test]
fn utf8_load_file_read_independently_matches_natives_and_originals() {
    let f = fixture();
    let bytes = fs::read(dat_file(&f.bag)).unwrap();
    let dat = parse_dat(&bytes, Enc::Utf8Bom);
    check_load_file(&dat, &f.bag, &f.varied, FIXTURE_PREFIX, 1, Enc::Utf8Bom);
    let unicode = dat.rows.iter().find(|r| r["FILENAME"] == UNICODE_NAME);
    assert!(unicode.is_some(), "the UTF-8 load file keeps a name with CJK, emoji and an RTL mark exactly");
    assert!(dat.rows.iter().any(|r| r["FILENAME"] == NFD_NAME), "a decomposed (NFD) name is kept as collected");
    assert!(dat.rows.iter().any(|r| r["FILENAME"] == NEWLINE_NAME), "a newline in a name survives as ®");
}

#[test]
fn windows_1252_load_file_decoded_by_hand_matches_natives_and_originals() {
    let dir = scratch("windows-1252");
    let varied = varied_vault(&dir);
    let zip = dir.join("win.zip");
    let report = custos_json(
        argv!["export", &varied.vault, "--out", &zip, "--bates-prefix", "WIN", "--dat-encoding", "windows-1252", "--json"],
        "an export with a Windows-1252 load file must succeed",
    );
    let qc: Vec<&str> = report["qc"].as_array().expect("qc notes").iter().filter_map(Value::as_str).collect();
    assert!(
        qc.iter().any(|q| q.contains("Windows-1252") && q.contains('?')),
        "QC must say which characters could not be written in Windows-1252: {qc:#?}"
    );
    let bag = unzip_bag(&zip, &dir.join("extracted"));
    let bytes = fs::read(dat_file(&bag)).unwrap();
    assert!(bytes.contains(&0x80), "€ must be written as the single byte 0x80");
    let dat = parse_dat(&bytes, Enc::Windows1252);
    check_load_file(&dat, &bag, &varied, "WIN", 1, Enc::Windows1252);
    custos(argv!["verify-bundle", &zip]).assert_success("a bundle with a Windows-1252 load file must verify");
}

#[test]
fn a_registered_sign_in_a_value_is_not_silently_read_back_as_a_newline() {
    // ® is the load file's newline marker, and common in product names. A
    // reader cannot tell a literal ® from a newline, so the exporter must not
    // write one without saying so (as it does for þ and ASCII 20).
    let dir = scratch("registered-sign");
    let vault = init_vault(&dir.join("vault"));
    let name = "Acme\u{ae} brochure.txt";
    write_file(&dir.join("src").join(name), "Widgets for every purpose.\n");
    custos(argv!["add", &vault, dir.join("src")]).assert_success("add");
    let zip = dir.join("r.zip");
    let report = custos_json(argv!["export", &vault, "--out", &zip, "--json"], "export");
    let bag = unzip_bag(&zip, &dir.join("extracted"));
    let dat = parse_dat(&fs::read(dat_file(&bag)).unwrap(), Enc::Utf8Bom);
    let read_back = &dat.rows[0]["FILENAME"];
    if read_back != name {
        let qc: Vec<&str> = report["qc"].as_array().expect("qc notes").iter().filter_map(Value::as_str).collect();
        assert!(
            qc.iter().any(|q| q.starts_with("warning") && (q.contains('\u{ae}') || q.contains("newline"))),
            "FILENAME {name:?} reads back from the load file as {read_back:?}, and QC does not warn about the ®: {qc:#?}"
        );
    }
}

// ---------------------------------------------------------------------------
// 4. Names valid everywhere, at most 1,000 per folder

/// Why `name` is not a valid file name on Windows, macOS or Linux, if it is not.
fn portability_problem(name: &str) -> Option<String> {
    const RESERVED: &[&str] = &["CON", "PRN", "AUX", "NUL"];
    if name.is_empty() || name == "." || name == ".." {
        return Some("empty, '.' or '..'".into());
    }
    if name.len() > 255 {
        return Some(format!("{} bytes, more than 255", name.len()));
    }
    if let Some(c) = name.chars().find(|c| "<>:\"/\\|?*".contains(*c) || (*c as u32) < 0x20 || *c == '\u{7f}') {
        return Some(format!("contains {c:?}"));
    }
    if name.ends_with('.') || name.ends_with(' ') {
        return Some("ends with a dot or a space".into());
    }
    let stem = name.split('.').next().unwrap_or("").trim_end().to_ascii_uppercase();
    let device = RESERVED.contains(&stem.as_str())
        || ((stem.starts_with("COM") || stem.starts_with("LPT"))
            && stem.len() == 4
            && stem.as_bytes()[3].is_ascii_digit()
            && stem.as_bytes()[3] != b'0');
    if device {
        return Some(format!("{stem} is a device name Windows reserves"));
    }
    None
}

/// Every problem with the entry names of a zip (read with the zip crate, not
/// Custos): unportable components, and names equal on a case-insensitive disk.
fn zip_name_problems(zip: &Path) -> (Vec<String>, Vec<String>) {
    let mut archive = zip::ZipArchive::new(fs::File::open(zip).unwrap()).expect("the bundle is a zip");
    let mut names = Vec::new();
    let mut problems = Vec::new();
    let mut folded: BTreeMap<String, String> = BTreeMap::new();
    for i in 0..archive.len() {
        let raw = archive.by_index_raw(i).unwrap().name_raw().to_vec();
        let name = String::from_utf8(raw).unwrap_or_else(|e| panic!("entry name is not UTF-8: {e}"));
        for part in name.trim_end_matches('/').split('/') {
            if let Some(p) = portability_problem(part) {
                problems.push(format!("{name:?}: {p}"));
            }
        }
        if let Some(prev) = folded.insert(name.to_lowercase(), name.clone()) {
            problems.push(format!("{prev:?} and {name:?} collide on a case-insensitive file system"));
        }
        names.push(name);
    }
    (names, problems)
}

#[test]
fn exported_names_are_valid_on_windows_macos_and_linux() {
    // Check the checker first, so a pass means something.
    for bad in ["CON", "con.txt", "Aux.tar.gz", "COM1.txt", "lpt9", "a:b", "x?", "dot.", "space ", "a\u{1}b"] {
        assert!(portability_problem(bad).is_some(), "{bad:?} must be flagged");
    }
    for good in ["ABC000001.txt", "ABC000004", "COM10.txt", "CONTENT.txt", "VOL001"] {
        assert!(portability_problem(good).is_none(), "{good:?} is fine");
    }
    let f = fixture();
    let (names, problems) = zip_name_problems(&f.zip);
    assert!(problems.is_empty(), "every entry name must be valid on Windows, macOS and Linux:\n{}", problems.join("\n"));
    // The hostile originals (CON.txt, a newline, a trailing dot and space) are in the vault…
    let originals: BTreeSet<&str> = f.varied.sources.values().map(|s| s.name.as_str()).collect();
    assert!(originals.contains("CON.txt") && originals.contains(NEWLINE_NAME) && originals.contains("trailing dot. "));
    // …and none of them reaches the bundle's names.
    for n in &names {
        for o in &originals {
            assert!(!n.ends_with(&format!("/{o}")), "the original name {o:?} must not be used in the bundle: {n:?}");
        }
    }
}

#[test]
fn a_bates_prefix_cannot_make_a_windows_device_name() {
    // "COM" with one digit gives COM1, COM2…: names Windows reserves for serial ports.
    let dir = scratch("device-names");
    let vault = init_vault(&dir.join("vault"));
    write_file(&dir.join("src/a.txt"), "first\n");
    write_file(&dir.join("src/b.txt"), "second\n");
    custos(argv!["add", &vault, dir.join("src")]).assert_success("add");
    let zip = dir.join("com.zip");
    let o = custos(argv!["export", &vault, "--out", &zip, "--bates-prefix", "COM", "--bates-width", "1"]);
    match o.code {
        Some(2) => {
            assert!(o.stderr.contains("device"), "the refusal must say why (a Windows device name); {}", o.describe());
            assert!(!zip.exists(), "a refused export writes nothing");
            assert!(entries_named(&dir, ".custos-partial").is_empty(), "no partial bundle may be left behind");
        }
        Some(0) => {
            let (_, problems) = zip_name_problems(&zip);
            assert!(
                problems.is_empty(),
                "`--bates-prefix COM --bates-width 1` was accepted, so its names must still be valid on Windows:\n{}",
                problems.join("\n")
            );
        }
        _ => panic!("export must either refuse (exit 2) or succeed; {}", o.describe()),
    }
}

#[test]
fn natives_are_split_into_folders_of_at_most_1000() {
    const N: usize = 1005;
    let dir = scratch("1005");
    let vault = init_vault(&dir.join("vault"));
    let src = dir.join("src");
    for i in 1..=N {
        write_file(&src.join(format!("f{i:04}.txt")), format!("exhibit {i}\n"));
    }
    custos(argv!["add", &vault, &src]).assert_success("adding 1,005 small files must succeed");
    let zip = dir.join("many.zip");
    let report = custos_json(argv!["export", &vault, "--out", &zip, "--json"], "export of 1,005 exhibits");
    assert_eq!(report["exhibits"].as_u64(), Some(N as u64));
    let (_, problems) = zip_name_problems(&zip);
    assert!(problems.is_empty(), "names must be portable:\n{}", problems.join("\n"));

    let bag = unzip_bag(&zip, &dir.join("extracted"));
    // No folder anywhere in the bag holds more than 1,000 entries.
    let mut stack = vec![bag.clone()];
    while let Some(d) = stack.pop() {
        let entries: Vec<PathBuf> = fs::read_dir(&d).unwrap().map(|e| e.unwrap().path()).collect();
        assert!(entries.len() <= 1000, "{} holds {} entries, more than 1,000", d.display(), entries.len());
        stack.extend(entries.into_iter().filter(|p| p.is_dir()));
    }
    let count = |p: &str| fs::read_dir(bag.join(p)).map(|r| r.count()).unwrap_or(0);
    assert_eq!(count("data/VOL001/NATIVES/0001"), 1000, "the first folder is full");
    assert_eq!(count("data/VOL001/NATIVES/0002"), 5, "the rest go to the next folder");
    assert_eq!(count("data/VOL001/TEXT/0001") + count("data/VOL001/TEXT/0002"), N, "one text file per text exhibit");
    assert_eq!(count("data/VOL001/TEXT/0002"), 5, "text follows the same split");
    for (i, n) in [(1usize, "0001"), (1000, "0001"), (1001, "0002"), (1005, "0002")] {
        let p = bag.join(format!("data/VOL001/NATIVES/{n}/PROD{i:06}.txt"));
        assert!(p.is_file(), "PROD{i:06} must be in folder {n}");
    }
    let v = custos(argv!["verify-bundle", &zip, "--json"]);
    v.assert_success("the 1,005-exhibit bundle must verify");
}

// ---------------------------------------------------------------------------
// 5. Bates continuity

#[test]
fn bates_numbers_continue_and_are_never_given_to_another_exhibit() {
    let dir = scratch("bates");
    let vault = init_vault(&dir.join("vault"));
    for (i, name) in ["a.txt", "b.txt", "c.txt", "d.txt"].iter().enumerate() {
        write_file(&dir.join("src").join(name), format!("exhibit {i}\n"));
    }
    custos(argv!["add", &vault, dir.join("src")]).assert_success("add");
    let out = dir.join("out");
    fs::create_dir(&out).unwrap();

    let first = custos_json(
        argv!["export", &vault, "--out", out.join("1.zip"), "--bates-prefix", "HAL", "--exhibits", "EX-0001,EX-0002", "--json"],
        "first production",
    );
    assert_eq!((str_field(&first, "bates_first"), str_field(&first, "bates_last")), ("HAL000001", "HAL000002"));
    let second = custos_json(
        argv!["export", &vault, "--out", out.join("2.zip"), "--bates-prefix", "HAL", "--exhibits", "EX-0003", "--json"],
        "second production under the same prefix",
    );
    assert_eq!(str_field(&second, "bates_first"), "HAL000003", "a later production continues after the last number");
    let other = custos_json(
        argv!["export", &vault, "--out", out.join("other.zip"), "--bates-prefix", "XYZ", "--exhibits", "EX-0004", "--json"],
        "a production under another prefix",
    );
    assert_eq!(str_field(&other, "bates_first"), "XYZ000001", "each prefix has its own sequence");

    // Reusing numbers for a different selection is refused, and nothing is written.
    let out_before = snapshot(&out);
    let vault_before = snapshot(&vault);
    let clash = out.join("clash.zip");
    let o = custos(argv![
        "export", &vault, "--out", &clash, "--bates-prefix", "HAL", "--exhibits", "EX-0003,EX-0004", "--bates-start", "1"
    ]);
    assert_eq!(o.code, Some(2), "numbers already given to other exhibits must be refused; {}", o.describe());
    assert!(o.stderr.contains("HAL000001") && o.stderr.contains("already produced"), "the error names the number; {}", o.describe());
    assert!(!clash.exists(), "nothing may be written at the destination");
    let d = snapshot_diff(&out_before, &snapshot(&out));
    assert!(d.is_empty(), "the destination folder must be unchanged (no temp files): {d:?}");
    let d = snapshot_diff(&vault_before, &snapshot(&vault));
    assert!(d.is_empty(), "a refused export must leave the vault as it was: {d:?}");

    // The same exhibits on the same numbers is a re-production, allowed.
    let again = custos_json(
        argv![
            "export", &vault, "--out", out.join("again.zip"), "--bates-prefix", "HAL", "--exhibits", "EX-0001,EX-0002",
            "--bates-start", "1", "--json"
        ],
        "re-producing the same exhibits on the same numbers must be allowed",
    );
    assert_eq!((str_field(&again, "bates_first"), str_field(&again, "bates_last")), ("HAL000001", "HAL000002"));
    let next = custos_json(
        argv!["export", &vault, "--out", out.join("3.zip"), "--bates-prefix", "HAL", "--exhibits", "EX-0004", "--json"],
        "a later production",
    );
    assert_eq!(str_field(&next, "bates_first"), "HAL000004", "a re-production does not move the sequence back");
}

// ---------------------------------------------------------------------------
// 6. Tampering, each on a fresh copy of the extracted bundle

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            fs::copy(e.path(), &target).unwrap();
        }
    }
}

/// A fresh copy of the fixture's extracted bag.
fn bag_copy(case: &str) -> (PathBuf, PathBuf) {
    let f = fixture();
    let dir = scratch(&format!("tamper-{case}"));
    let bag = dir.join(f.bag.file_name().unwrap());
    copy_dir(&f.bag, &bag);
    (dir, bag)
}

/// `custos verify-bundle TARGET --json`, asserted to exit 1 with `ok: false`.
#[track_caller]
fn verify_fails(target: &Path, what: &str) -> Value {
    let o = custos(argv!["verify-bundle", target, "--json"]);
    assert_eq!(o.code, Some(1), "{what}: verify-bundle must exit 1 (problems found); {}", o.describe());
    let v = o.json();
    assert_eq!(v["ok"], Value::Bool(false), "{what}: {v:#}");
    v
}

/// The finding of `kind` whose message contains `needle`.
#[track_caller]
fn finding<'a>(report: &'a Value, kind: &str, needle: &str) -> &'a Value {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["kind"] == kind && f["message"].as_str().is_some_and(|m| m.contains(needle)))
        .unwrap_or_else(|| panic!("expected a {kind:?} finding naming {needle:?}; report: {report:#}"))
}

/// The relative path of the fixture's first non-empty native.
fn a_native(bag: &Path) -> String {
    files_under(&bag.join("data/VOL001/NATIVES"))
        .into_iter()
        .find(|p| fs::metadata(p).unwrap().len() > 0)
        .map(|p| p.strip_prefix(bag).unwrap().to_string_lossy().into_owned())
        .expect("a non-empty native")
}

#[test]
fn tamper_one_byte_of_a_native() {
    let (_d, bag) = bag_copy("byte");
    let native = a_native(&bag);
    let mut bytes = fs::read(bag.join(&native)).unwrap();
    bytes[0] ^= 0x01;
    fs::write(bag.join(&native), bytes).unwrap();
    let r = verify_fails(&bag, "one byte of a native changed");
    finding(&r, "payload_changed", &native);
}

#[test]
fn tamper_the_signer_identity_renamed() {
    // The identity is not covered by the signature; it must still match the
    // vault whose custody checkpoint the bundle carries.
    let (_d, bag) = bag_copy("identity");
    let path = bag.join("seal/allowed_signers");
    let line = fs::read_to_string(&path).unwrap();
    let (_, rest) = line.split_once(' ').unwrap();
    fs::write(&path, format!("custos-vault-someone-else {rest}")).unwrap();
    let r = verify_fails(&bag, "the seal's identity renamed");
    finding(&r, "seal_identity_mismatch", "custos-vault-someone-else");
}

#[test]
fn tamper_a_native_removed() {
    let (_d, bag) = bag_copy("removed");
    let native = a_native(&bag);
    fs::remove_file(bag.join(&native)).unwrap();
    let r = verify_fails(&bag, "a native removed");
    finding(&r, "payload_missing", &native);
}

#[test]
fn tamper_an_extra_file_under_data() {
    let (_d, bag) = bag_copy("extra");
    let extra = "data/VOL001/NATIVES/0001/ABC999999.txt";
    write_file(&bag.join(extra), "planted later\n");
    let r = verify_fails(&bag, "a file added under data/");
    finding(&r, "payload_unlisted", extra);
}

#[test]
fn tamper_a_custody_event_edited() {
    let (_d, bag) = bag_copy("event");
    let path = bag.join("data/custody/events.jsonl");
    let text = fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let line: Value = serde_json::from_str(&lines[0]).unwrap();
    let seq = line["leaf_index"].as_u64().unwrap() + 1;
    let actor = format!("\\\"actor\\\":\\\"{EXAMINER}\\\"");
    assert!(lines[0].contains(&actor), "the first custody line names the actor {EXAMINER}: {}", lines[0]);
    lines[0] = lines[0].replacen(&actor, "\\\"actor\\\":\\\"Eve Forger\\\"", 1);
    fs::write(&path, lines.join("\n") + "\n").unwrap();
    let r = verify_fails(&bag, "a custody event's actor edited");
    let f = finding(&r, "custody_event_invalid", &format!("event {seq}"));
    assert_eq!(f["event"].as_u64(), Some(seq), "the finding names the edited event: {f}");
}

/// A new Ed25519 key made with ssh-keygen, and its signature over the bag's
/// tag manifest in the `custos-bundle` namespace (made outside the bag).
fn sign_with_other_key(dir: &Path, bag: &Path) -> (PathBuf, PathBuf) {
    let key = dir.join("intruder");
    tool_ok(
        Command::new("ssh-keygen").args(["-q", "-t", "ed25519", "-N", "", "-C", "intruder", "-f"]).arg(&key),
        "ssh-keygen must make a key",
    );
    let copy = dir.join("tagmanifest-sha256.txt");
    fs::copy(bag.join("tagmanifest-sha256.txt"), &copy).unwrap();
    tool_ok(
        Command::new("ssh-keygen").args(["-Y", "sign", "-n", "custos-bundle", "-f"]).arg(&key).arg(&copy),
        "ssh-keygen must sign the tag manifest",
    );
    (key, dir.join("tagmanifest-sha256.txt.sig"))
}

/// `ssh-keygen -Y verify` of the seal, as README.txt shows.
#[track_caller]
fn ssh_keygen_verify(bag: &Path) -> Output {
    ssh_keygen_verify_signed(bag, "custos-bundle", "seal/tagmanifest-sha256.txt.sig", "tagmanifest-sha256.txt")
}

/// `ssh-keygen -Y verify` of `signed` in the bag against `sig`, with the
/// bag's allowed_signers and its identity, in `namespace`.
#[track_caller]
fn ssh_keygen_verify_signed(bag: &Path, namespace: &str, sig: &str, signed: &str) -> Output {
    let allowed = fs::read_to_string(bag.join("seal/allowed_signers")).unwrap();
    let identity = allowed.split_whitespace().next().unwrap().to_string();
    tool(
        Command::new("ssh-keygen")
            .args(["-Y", "verify", "-f"])
            .arg(bag.join("seal/allowed_signers"))
            .args(["-I", &identity, "-n", namespace, "-s"])
            .arg(bag.join(sig))
            .stdin(fs::File::open(bag.join(signed)).unwrap()),
    )
}

#[test]
fn tamper_seal_signed_by_another_key() {
    let (dir, bag) = bag_copy("seal");
    let (_, sig) = sign_with_other_key(&dir, &bag);
    fs::copy(&sig, bag.join("seal/tagmanifest-sha256.txt.sig")).unwrap();
    let o = ssh_keygen_verify(&bag);
    assert_ne!(o.code, Some(0), "OpenSSH itself must reject a signature by a key not in allowed_signers; {}", o.describe());
    let r = verify_fails(&bag, "the seal replaced by another key's signature");
    finding(&r, "seal_invalid", "does not verify");
}

#[test]
fn tamper_resealed_with_another_key_and_its_allowed_signers() {
    // A forger who replaces the signature and the key beside it fools
    // ssh-keygen; the custody checkpoint, signed by the vault key, does not move.
    let (dir, bag) = bag_copy("reseal");
    let (key, sig) = sign_with_other_key(&dir, &bag);
    fs::copy(&sig, bag.join("seal/tagmanifest-sha256.txt.sig")).unwrap();
    let public = fs::read_to_string(key.with_extension("pub")).unwrap();
    let old = fs::read_to_string(bag.join("seal/allowed_signers")).unwrap();
    let identity = old.split_whitespace().next().unwrap();
    let mut pk = public.split_whitespace();
    let (kt, kb) = (pk.next().unwrap(), pk.next().unwrap());
    fs::write(bag.join("seal/allowed_signers"), format!("{identity} namespaces=\"custos-bundle\" {kt} {kb}\n")).unwrap();
    assert_eq!(ssh_keygen_verify(&bag).code, Some(0), "with its own allowed_signers the forged seal passes ssh-keygen");
    let r = verify_fails(&bag, "the bundle resealed with another key");
    finding(&r, "checkpoint_key_mismatch", "different key");
    assert_ne!(r["signer_fingerprint"], fixture().report["signer_fingerprint"], "the report shows the forger's fingerprint");
}

/// Re-computes the payload and tag manifests with coreutils after a change,
/// as a careful forger would, and checks they are self-consistent.
fn recompute_manifests(bag: &Path) {
    let rewrite = |manifest: &str, hasher: &str| {
        let text = fs::read_to_string(bag.join(manifest)).unwrap();
        let fresh: String = text
            .lines()
            .map(|l| {
                let (_, p) = l.split_once("  ").unwrap();
                let h = if hasher == "md5sum" { md5sum_one(&bag.join(p)) } else { sha256sum_one(&bag.join(p)) };
                format!("{h}  {p}\n")
            })
            .collect();
        fs::write(bag.join(manifest), fresh).unwrap();
    };
    rewrite("manifest-sha256.txt", "sha256sum");
    rewrite("manifest-md5.txt", "md5sum");
    rewrite("tagmanifest-sha256.txt", "sha256sum");
    for (hasher, m) in [("sha256sum", "manifest-sha256.txt"), ("md5sum", "manifest-md5.txt"), ("sha256sum", "tagmanifest-sha256.txt")] {
        tool_ok(Command::new(hasher).args(["-c", "--quiet", m]).current_dir(bag), "the forged manifests are self-consistent");
    }
}

#[test]
fn tamper_load_file_hash_with_manifests_recomputed_is_caught_by_the_seal() {
    let (_d, bag) = bag_copy("dat");
    let dat_path = dat_file(&bag);
    let mut bytes = fs::read(&dat_path).unwrap();
    // Change the last hex digit of the second row's SHA256HASH.
    let dat = parse_dat(&bytes, Enc::Utf8Bom);
    let old = dat.rows[1]["SHA256HASH"].clone();
    let mut new = old.clone();
    let last = if new.ends_with('0') { "1" } else { "0" };
    new.replace_range(63.., last);
    let at = find_all(&bytes, old.as_bytes());
    assert_eq!(at.len(), 1, "the hash to change occurs once in the load file");
    bytes[at[0]..at[0] + 64].copy_from_slice(new.as_bytes());
    fs::write(&dat_path, &bytes).unwrap();

    recompute_manifests(&bag);
    tool_ok(Command::new("bagit.py").arg("--validate").arg(&bag), "bagit.py alone cannot see this forgery");
    assert_ne!(ssh_keygen_verify(&bag).code, Some(0), "the seal no longer verifies with OpenSSH");

    let r = verify_fails(&bag, "a load-file hash changed with the manifests recomputed");
    finding(&r, "seal_invalid", "tagmanifest");
    for kind in ["tag_file_changed", "payload_changed"] {
        assert!(
            !r["findings"].as_array().unwrap().iter().any(|f| f["kind"] == kind),
            "the manifests were recomputed, so no {kind} finding is expected; only the seal (and the cross-checks) catch it: {r:#}"
        );
    }
}

/// Where the bytes of `content` first occur in the (stored, uncompressed) zip.
fn offset_of(zip_bytes: &[u8], content: &[u8]) -> usize {
    let at = find_all(zip_bytes, content);
    assert!(!at.is_empty(), "the exhibit's bytes are stored uncompressed in the zip");
    at[0]
}

#[test]
fn tamper_zip_bytes_changed_after_writing() {
    let f = fixture();
    let dir = scratch("tamper-zip");
    let zip = dir.join("production.zip");
    let mut bytes = fs::read(&f.zip).unwrap();
    let memo = f.varied.sources.values().find(|s| s.name == "memo.txt").unwrap();
    let content = fs::read(&memo.path).unwrap();
    let at = offset_of(&bytes, &content);
    bytes[at + 8] ^= 0x20;
    fs::write(&zip, &bytes).unwrap();
    let t = tool(Command::new("unzip").arg("-tq").arg(&zip));
    assert_ne!(t.code, Some(0), "unzip -t must notice the changed byte (CRC); {}", t.describe());
    let r = verify_fails(&zip, "a byte of a native changed inside the zip");
    let found = r["findings"].as_array().unwrap();
    assert!(
        found.iter().any(|x| x["message"].as_str().is_some_and(|m| m.contains("data/VOL001/NATIVES/"))),
        "a finding must name the changed native: {r:#}"
    );
}

/// CRC-32 (IEEE), as zip uses it.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

#[test]
fn tamper_zip_native_changed_with_its_crc_fixed() {
    let f = fixture();
    let dir = scratch("tamper-zip-crc");
    let zip = dir.join("production.zip");
    let mut bytes = fs::read(&f.zip).unwrap();
    let memo = f.varied.sources.values().find(|s| s.name == "memo.txt").unwrap();
    let mut content = fs::read(&memo.path).unwrap();
    let at = offset_of(&bytes, &content);
    content[8] ^= 0x20;
    bytes[at..at + content.len()].copy_from_slice(&content);
    // Patch the CRC in the local and central headers, so the zip itself is sound.
    let (local, central) = {
        let mut a = zip::ZipArchive::new(std::io::Cursor::new(fs::read(&f.zip).unwrap())).unwrap();
        let i = (0..a.len())
            .find(|&i| a.by_index_raw(i).unwrap().data_start() == Some(at as u64))
            .expect("the entry whose data holds the memo");
        let e = a.by_index_raw(i).unwrap();
        (e.header_start() as usize, e.central_header_start() as usize)
    };
    let crc = crc32(&content).to_le_bytes();
    bytes[local + 14..local + 18].copy_from_slice(&crc);
    bytes[central + 16..central + 20].copy_from_slice(&crc);
    fs::write(&zip, &bytes).unwrap();
    tool_ok(Command::new("unzip").arg("-tq").arg(&zip), "with the CRC fixed the zip is sound to unzip");
    let r = verify_fails(&zip, "a native changed inside the zip, CRC fixed");
    finding(&r, "payload_changed", "data/VOL001/NATIVES/");
}

// ---------------------------------------------------------------------------
// 7. Reproducibility

/// Every entry of a zip, by name, in the order written.
fn zip_entries(zip: &Path) -> Vec<(String, Vec<u8>)> {
    let mut a = zip::ZipArchive::new(fs::File::open(zip).unwrap()).unwrap();
    (0..a.len())
        .map(|i| {
            let mut e = a.by_index(i).unwrap();
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut e, &mut bytes).unwrap();
            (e.name().to_string(), bytes)
        })
        .collect()
}

#[test]
fn same_selection_exported_twice_differs_only_in_the_custody_record_and_what_lists_it() {
    // The first export appends its `exported` events (and the second export's
    // unlock) to the log, and the second bundle must carry them and the newer
    // checkpoint: those files, and the manifests, bag-info sizes and seal that
    // list their hashes, differ. Every other entry must be byte-identical.
    // (Two exports of one vault state give identical zips: the core test
    // `the_same_vault_state_exported_twice_gives_byte_identical_bundles`.)
    let dir = scratch("reproducible");
    let varied = varied_vault(&dir);
    let export = |out: &Path, start: Option<&str>| {
        let mut args = argv!["export", &varied.vault, "--out", out, "--bates-prefix", "REP", "--json"];
        if let Some(s) = start {
            args.extend(argv!["--bates-start", s]);
        }
        let o = run(custos_command(&args).env("SOURCE_DATE_EPOCH", "1700000000"));
        o.assert_success("export with SOURCE_DATE_EPOCH");
        o.json()
    };
    export(&dir.join("a.zip"), None);
    export(&dir.join("b.zip"), Some("1"));
    let (a, b) = (zip_entries(&dir.join("a.zip")), zip_entries(&dir.join("b.zip")));
    let names = |z: &[(String, Vec<u8>)]| z.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(names(&a), names(&b), "the same entries in the same order");
    let bag = names(&a)[0].split('/').next().unwrap().to_string();
    let differing: BTreeSet<String> = a
        .iter()
        .zip(&b)
        .filter(|((_, x), (_, y))| x != y)
        .map(|((n, _), _)| n.strip_prefix(&format!("{bag}/")).unwrap().to_string())
        .collect();
    let expected: BTreeSet<String> = [
        "data/custody/events.jsonl",
        "data/custody/checkpoint.json",
        "data/custody/checkpoint.json.sig",
        "data/custody-report.pdf",
        "manifest-sha256.txt",
        "manifest-md5.txt",
        "bag-info.txt",
        "tagmanifest-sha256.txt",
        "seal/tagmanifest-sha256.txt.sig",
    ]
    .map(str::to_string)
    .into();
    assert_eq!(differing, expected, "exactly the custody record and the files listing its hashes differ");

    let entry = |z: &[(String, Vec<u8>)], p: &str| String::from_utf8(z.iter().find(|(n, _)| *n == format!("{bag}/{p}")).unwrap().1.clone()).unwrap();
    // bag-info.txt differs only in the payload's size.
    let info_diff: Vec<String> = entry(&a, "bag-info.txt")
        .lines()
        .zip(entry(&b, "bag-info.txt").lines())
        .filter(|(x, y)| x != y)
        .map(|(x, _)| x.split(':').next().unwrap().to_string())
        .collect();
    assert!(
        info_diff.iter().all(|k| k == "Payload-Oxum" || k == "Bag-Size"),
        "bag-info.txt may differ only in Payload-Oxum and Bag-Size: {info_diff:?}"
    );
    // The second custody record is the first one plus the first export's events.
    let bodies = |z: &[(String, Vec<u8>)]| -> Vec<Value> {
        entry(z, "data/custody/events.jsonl")
            .lines()
            .map(|l| serde_json::from_str::<Value>(serde_json::from_str::<Value>(l).unwrap()["body"].as_str().unwrap()).unwrap())
            .collect()
    };
    let (ea, eb) = (bodies(&a), bodies(&b));
    assert!(eb.starts_with(&ea), "the second bundle carries every event of the first, unchanged");
    let added: BTreeSet<&str> = eb[ea.len()..].iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(added, BTreeSet::from(["exported"]), "what the second bundle adds is the first export's record");
    assert_eq!(eb.len() - ea.len(), varied.sources.len(), "one `exported` event per exhibit of the first export");
    let size = |z: &[(String, Vec<u8>)]| serde_json::from_str::<Value>(&entry(z, "data/custody/checkpoint.json")).unwrap()["tree_size"].as_u64().unwrap();
    assert!(size(&b) > size(&a), "the second checkpoint covers the later events");
}

// ---------------------------------------------------------------------------
// 8. The custody record with Python and OpenSSH alone

/// `ssh-keygen -Y verify` of the checkpoint's signature, as README.txt shows.
#[track_caller]
fn ssh_keygen_verify_checkpoint(bag: &Path) -> Output {
    ssh_keygen_verify_signed(bag, "custos-checkpoint", "data/custody/checkpoint.json.sig", "data/custody/checkpoint.json")
}

#[test]
fn checkpoint_signature_verifies_with_ssh_keygen_and_a_changed_checkpoint_does_not() {
    let (_d, bag) = bag_copy("checkpoint-sig");
    let identity = str_field(&fixture().report, "signer_identity");
    let allowed = fs::read_to_string(bag.join("seal/allowed_signers")).unwrap();
    assert!(
        allowed.contains("namespaces=\"custos-bundle,custos-checkpoint\""),
        "allowed_signers must permit both namespaces: {allowed}"
    );
    let o = ssh_keygen_verify_checkpoint(&bag);
    assert_eq!(o.code, Some(0), "OpenSSH must accept the checkpoint's signature; {}", o.describe());
    assert!(
        format!("{}{}", o.stdout, o.stderr).contains(&format!("Good \"custos-checkpoint\" signature for {identity}")),
        "{}",
        o.describe()
    );
    let listed = fs::read_to_string(bag.join("manifest-sha256.txt")).unwrap();
    assert!(listed.contains("  data/custody/checkpoint.json.sig\n"), "the signature is listed in the payload manifest");

    let path = bag.join("data/custody/checkpoint.json");
    let text = fs::read_to_string(&path).unwrap();
    let size = serde_json::from_str::<Value>(&text).unwrap()["tree_size"].as_u64().unwrap();
    fs::write(&path, text.replacen(&format!("\"tree_size\": {size}"), &format!("\"tree_size\": {}", size - 1), 1)).unwrap();
    assert_ne!(fs::read_to_string(&path).unwrap(), text, "the checkpoint was changed");
    let o = ssh_keygen_verify_checkpoint(&bag);
    assert_ne!(o.code, Some(0), "OpenSSH must refuse the signature over a changed checkpoint; {}", o.describe());
}

#[test]
fn tamper_checkpoint_signature_removed_or_made_by_another_key() {
    let (_d, bag) = bag_copy("checkpoint-sig-missing");
    fs::remove_file(bag.join("data/custody/checkpoint.json.sig")).unwrap();
    let r = verify_fails(&bag, "the checkpoint's SSH signature removed");
    finding(&r, "checkpoint_seal_missing", "checkpoint.json.sig");

    let (dir, bag) = bag_copy("checkpoint-sig-other");
    let key = dir.join("intruder");
    tool_ok(Command::new("ssh-keygen").args(["-q", "-t", "ed25519", "-N", "", "-C", "intruder", "-f"]).arg(&key), "ssh-keygen must make a key");
    let copy = dir.join("checkpoint.json");
    fs::copy(bag.join("data/custody/checkpoint.json"), &copy).unwrap();
    tool_ok(Command::new("ssh-keygen").args(["-Y", "sign", "-n", "custos-checkpoint", "-f"]).arg(&key).arg(&copy), "ssh-keygen must sign");
    fs::copy(dir.join("checkpoint.json.sig"), bag.join("data/custody/checkpoint.json.sig")).unwrap();
    recompute_manifests(&bag);
    let r = verify_fails(&bag, "the checkpoint signed by another key");
    finding(&r, "checkpoint_seal_invalid", "checkpoint.json.sig");
}

/// `python3 verify_custody.py` in the bag folder, as README.txt says, but
/// isolated from site packages (`-I -S`): the standard library must suffice.
#[track_caller]
fn custody_script(bag: &Path) -> Output {
    tool(Command::new("python3").args(["-I", "-S", "verify_custody.py"]).current_dir(bag))
}

/// The status line the script printed for `check`.
#[track_caller]
fn check_line<'a>(o: &'a Output, check: &str) -> &'a str {
    o.stdout
        .lines()
        .find(|l| l.get(6..).is_some_and(|rest| rest.starts_with(&format!("{check}: "))))
        .unwrap_or_else(|| panic!("the script must report the check {check:?}; {}", o.describe()))
}

/// The script on a tampered bag: exit 1, `check` failed, and `needle` named
/// in its report.
#[track_caller]
fn custody_script_fails(bag: &Path, check: &str, needle: &str, what: &str) -> Output {
    let o = custody_script(bag);
    assert_eq!(o.code, Some(1), "{what}: the script must exit 1; {}", o.describe());
    assert!(check_line(&o, check).starts_with("FAIL"), "{what}: the {check} check must fail; {}", o.describe());
    assert!(o.stdout.contains(needle), "{what}: the report must name {needle:?}; {}", o.describe());
    assert!(o.stdout.contains("RESULT: FAILED"), "{what}: {}", o.describe());
    o
}

#[test]
fn custody_script_passes_with_the_python_standard_library_alone() {
    let (_d, bag) = bag_copy("script");
    let o = custody_script(&bag);
    assert_eq!(o.code, Some(0), "the untouched bundle must pass every check; {}", o.describe());
    for check in ["tag manifest", "payload", "inclusion proofs", "natives"] {
        assert!(check_line(&o, check).starts_with("PASS"), "{check} must pass; {}", o.describe());
    }
    let events = fs::read_to_string(bag.join("data/custody/events.jsonl")).unwrap().lines().count();
    assert!(check_line(&o, "inclusion proofs").contains(&format!("{events} events lead to root")), "{}", o.describe());
    let natives = fixture().varied.sources.len();
    assert!(check_line(&o, "natives").contains(&format!("{natives} natives have the hashes")), "{}", o.describe());
    assert!(o.stdout.contains("NOT CHECKED") && o.stdout.contains("Ed25519"), "it must say what it does not check; {}", o.describe());
    let tags = fs::read_to_string(bag.join("tagmanifest-sha256.txt")).unwrap();
    assert!(tags.contains("  verify_custody.py\n"), "the script is a tag file the seal covers: {tags}");
    let readme = fs::read_to_string(bag.join("README.txt")).unwrap();
    for step in ["python3 verify_custody.py", "-n custos-checkpoint -s data/custody/checkpoint.json.sig", "does not check the Ed25519"] {
        assert!(readme.contains(step), "README.txt must walk through {step:?}:\n{readme}");
    }
}

/// The first custody line and its event's sequence number.
fn first_event_line(bag: &Path) -> (Vec<String>, Value, u64) {
    let text = fs::read_to_string(bag.join("data/custody/events.jsonl")).unwrap();
    let lines: Vec<String> = text.lines().map(str::to_string).collect();
    let line: Value = serde_json::from_str(&lines[0]).unwrap();
    let seq = line["leaf_index"].as_u64().unwrap() + 1;
    (lines, line, seq)
}

#[test]
fn custody_script_fails_on_an_edited_event_body() {
    let (_d, bag) = bag_copy("script-event");
    let (mut lines, _, seq) = first_event_line(&bag);
    let actor = format!("\\\"actor\\\":\\\"{EXAMINER}\\\"");
    assert!(lines[0].contains(&actor), "the first custody line names the actor: {}", lines[0]);
    lines[0] = lines[0].replacen(&actor, "\\\"actor\\\":\\\"Eve Forger\\\"", 1);
    fs::write(bag.join("data/custody/events.jsonl"), lines.join("\n") + "\n").unwrap();
    recompute_manifests(&bag);
    custody_script_fails(&bag, "inclusion proofs", &format!("(event {seq}): its inclusion proof does not lead"), "an event body edited");
}

#[test]
fn custody_script_fails_on_a_changed_proof_hash() {
    let (_d, bag) = bag_copy("script-proof");
    let (mut lines, mut line, seq) = first_event_line(&bag);
    let h = line["inclusion_proof"][0].as_str().expect("a proof with at least one hash").to_string();
    let flipped = format!("{}{}", if h.starts_with('0') { "1" } else { "0" }, &h[1..]);
    line["inclusion_proof"][0] = Value::String(flipped);
    lines[0] = serde_json::to_string(&line).unwrap();
    fs::write(bag.join("data/custody/events.jsonl"), lines.join("\n") + "\n").unwrap();
    recompute_manifests(&bag);
    let o = custody_script_fails(&bag, "inclusion proofs", &format!("(event {seq}): its inclusion proof does not lead"), "a proof hash changed");
    assert!(check_line(&o, "payload").starts_with("PASS"), "with the manifests recomputed only the proof check catches it; {}", o.describe());
}

#[test]
fn custody_script_fails_on_a_swapped_native_with_its_manifest_lines_updated() {
    let (_d, bag) = bag_copy("script-native");
    let memo = &fixture().varied.sources.values().find(|s| s.name == "memo.txt").unwrap().path;
    let original = fs::read(memo).unwrap();
    let native = files_under(&bag.join("data/VOL001/NATIVES"))
        .into_iter()
        .find(|p| fs::read(p).unwrap() == original)
        .expect("the memo's native");
    let bates = native.file_stem().unwrap().to_string_lossy().into_owned();
    let swapped = b"Meeting notes, 2 January 2024: the shipment never left.\n";
    // The careful forger also fixes the index's hashes, so only the custody record disagrees.
    let index = bag.join("data/exhibit-index.csv");
    let text = fs::read_to_string(&index).unwrap();
    let (old_sha, old_md5) = (sha256sum_one(&native), md5sum_one(&native));
    fs::write(&native, swapped).unwrap();
    let (new_sha, new_md5) = (sha256sum_one(&native), md5sum_one(&native));
    fs::write(&index, text.replace(&old_sha, &new_sha).replace(&old_md5, &new_md5)).unwrap();
    recompute_manifests(&bag);
    let o = custody_script_fails(&bag, "natives", &format!("{bates} ("), "a native swapped with its manifest lines updated");
    assert!(o.stdout.contains(&new_sha), "the report names the hash no event records; {}", o.describe());
    for check in ["tag manifest", "payload", "inclusion proofs"] {
        assert!(check_line(&o, check).starts_with("PASS"), "{check}: the forgery is consistent there; {}", o.describe());
    }
}

#[test]
fn custody_script_fails_on_a_changed_checkpoint_root() {
    let (_d, bag) = bag_copy("script-root");
    let path = bag.join("data/custody/checkpoint.json");
    let text = fs::read_to_string(&path).unwrap();
    let root = serde_json::from_str::<Value>(&text).unwrap()["root"].as_str().unwrap().to_string();
    let other = format!("{}{}", if root.starts_with('0') { "1" } else { "0" }, &root[1..]);
    fs::write(&path, text.replacen(&root, &other, 1)).unwrap();
    recompute_manifests(&bag);
    let (_, _, seq) = first_event_line(&bag);
    custody_script_fails(&bag, "inclusion proofs", &format!("(event {seq}): its inclusion proof does not lead"), "the checkpoint root changed");
    assert_ne!(ssh_keygen_verify_checkpoint(&bag).code, Some(0), "and OpenSSH refuses the changed checkpoint");
}

#[test]
fn custody_script_passes_on_a_received_exhibit_produced_again() {
    // Counsel imports the production and produces it on: the natives are
    // then recorded by `received` events, which must carry the MD5 too.
    let f = fixture();
    let dir = scratch("script-received");
    let counsel = init_vault(&dir.join("counsel"));
    custos(argv!["import-bundle", &counsel, &f.zip]).assert_success("counsel imports the production");
    let zip = dir.join("onward.zip");
    custos_json(argv!["export", &counsel, "--out", &zip, "--bates-prefix", "CNS", "--json"], "counsel produces it again");
    let bag = unzip_bag(&zip, &dir.join("extracted"));
    let o = custody_script(&bag);
    assert_eq!(o.code, Some(0), "the onward production must pass; {}", o.describe());
    assert!(check_line(&o, "natives").starts_with("PASS"), "{}", o.describe());
}
