//! End-to-end tests of the real app: the built `custos-app` binary under
//! Xvfb, driven through WebDriver (tauri-driver + WebKitWebDriver). Each step
//! saves a screenshot to tests/screenshots/ (ignored by git).
//!
//! Paths are typed into fields that exist only when the app is started with
//! `CUSTOS_ALLOW_TYPED_PATHS=1`, because WebDriver cannot drive native dialogs.

use fantoccini::{Client, ClientBuilder, elements::Element};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(60);

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Processes stopped politely at the end (SIGTERM lets tauri-driver stop
/// WebKitWebDriver; SIGKILL would orphan it).
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = Command::new("kill").args(["-TERM", &self.0.id().to_string()]).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A private Xvfb whose screen is also a file (`-fbdir`), so screenshots
/// come from what the X server shows. (WebKitWebDriver's own screenshot
/// command stops answering on some pages of the app and wedges the session.)
fn display(fbdir: &Path) -> (String, Proc) {
    for n in 90..200 {
        if Path::new(&format!("/tmp/.X{n}-lock")).exists() || Path::new(&format!("/tmp/.X11-unix/X{n}")).exists() {
            continue;
        }
        let child = Command::new("Xvfb")
            .args([format!(":{n}").as_str(), "-screen", "0", "1280x820x24", "-nolisten", "tcp", "-fbdir"])
            .arg(fbdir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb is installed (scripts/install-deps.sh installs it)");
        let mut proc = Proc(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if Path::new(&format!("/tmp/.X11-unix/X{n}")).exists() {
                return (format!(":{n}"), proc);
            }
            if let Ok(Some(_)) = proc.0.try_wait() {
                break; // display taken meanwhile; try the next
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    panic!("no free X display for Xvfb");
}

/// The Xvfb screen file (XWD, 32 bits per pixel) as a PNG.
fn xwd_to_png(xwd: &[u8]) -> Vec<u8> {
    let be = |i: usize| u32::from_be_bytes(xwd[i * 4..i * 4 + 4].try_into().unwrap()) as usize;
    let (header, width, height, byte_order, bpp, stride, ncolors) = (be(0), be(4), be(5), be(7), be(11), be(12), be(19));
    assert_eq!(bpp, 32, "Xvfb screen of 24-bit depth is stored 32 bits per pixel");
    let pixels = &xwd[header + ncolors * 12..];
    let mut rgb = Vec::with_capacity(width * height * 3);
    for y in 0..height {
        for x in 0..width {
            let p = &pixels[y * stride + x * 4..y * stride + x * 4 + 4];
            let v = if byte_order == 0 { u32::from_le_bytes(p.try_into().unwrap()) } else { u32::from_be_bytes(p.try_into().unwrap()) };
            rgb.extend_from_slice(&[(v >> 16) as u8, (v >> 8) as u8, v as u8]);
        }
    }
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, width as u32, height as u32);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    enc.write_header().unwrap().write_image_data(&rgb).unwrap();
    out
}

struct App {
    client: Client,
    shots: PathBuf,
    step: u32,
    fbdir: tempfile::TempDir,
    _driver: Proc,
    _xvfb: Proc,
}

impl App {
    async fn launch(config: &Path, demo: &Path) -> App {
        let fbdir = tempfile::tempdir().unwrap();
        let (display, xvfb) = display(fbdir.path());
        let port = free_port();
        let native = free_port();
        let driver = Proc(
            Command::new("tauri-driver")
                .args(["--port", &port.to_string(), "--native-port", &native.to_string()])
                .env("DISPLAY", &display)
                .env("CUSTOS_CONFIG_DIR", config)
                .env("CUSTOS_DEMO_DIR", demo)
                .env("CUSTOS_ALLOW_TYPED_PATHS", "1")
                .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1")
                .stdout(std::fs::File::create(std::env::temp_dir().join("custos-e2e-driver.log")).unwrap())
                .stderr(std::fs::File::create(std::env::temp_dir().join("custos-e2e-driver.err")).unwrap())
                .spawn()
                .expect("tauri-driver is installed (scripts/install-deps.sh installs it)"),
        );
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "tauri-driver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        let mut caps = serde_json::Map::new();
        caps.insert("tauri:options".into(), serde_json::json!({ "application": env!("CARGO_BIN_EXE_custos-app") }));
        caps.insert("browserName".into(), "wry".into());
        // tauri-driver listens before WebKitWebDriver is ready: retry briefly.
        let mut attempt = 0;
        let client = loop {
            match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                .capabilities(caps.clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await
            {
                Ok(c) => break c,
                Err(e) if attempt < 20 => {
                    attempt += 1;
                    eprintln!("e2e: WebDriver session not ready ({e}); retrying");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
                Err(e) => panic!("WebDriver session: {e}"),
            }
        };
        let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/screenshots");
        // Only this run's screenshots: numbers move when steps are added.
        let _ = std::fs::remove_dir_all(&shots);
        std::fs::create_dir_all(&shots).unwrap();
        App { client, shots, step: 0, fbdir, _driver: driver, _xvfb: xvfb }
    }

    async fn shot(&mut self, name: &str) {
        eprintln!("e2e: screenshot {name}");
        self.step += 1;
        // Let the web view paint what the last step changed.
        tokio::time::sleep(Duration::from_millis(400)).await;
        let xwd = std::fs::read(self.fbdir.path().join("Xvfb_screen0")).unwrap();
        std::fs::write(self.shots.join(format!("{:02}-{name}.png", self.step)), xwd_to_png(&xwd)).unwrap();
    }

    /// Polls `script` (which returns an element or null) until it gives an
    /// element. Elements are looked up with script, not WebDriver's find:
    /// WebKitWebDriver's find stops answering once the app has made IPC
    /// calls, while script execution keeps working.
    async fn poll(&self, what: &str, script: &str, args: Vec<serde_json::Value>) -> Element {
        eprintln!("e2e: wait for {what}");
        let deadline = Instant::now() + WAIT;
        loop {
            let v = match tokio::time::timeout(Duration::from_secs(5), self.client.execute(script, args.clone())).await {
                Ok(v) => v.unwrap(),
                Err(_) => {
                    eprintln!("e2e: script timed out");
                    serde_json::Value::Null
                }
            };
            if let Some(id) = v.as_object().and_then(|o| o.values().next()).and_then(|v| v.as_str()) {
                return Element::from_element_id(self.client.clone(), id.to_string().into());
            }
            assert!(Instant::now() < deadline, "never found {what}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    async fn css(&self, css: &str) -> Element {
        self.poll(css, "return document.querySelector(arguments[0])", vec![css.into()]).await
    }

    async fn xpath(&self, xp: &str) -> Element {
        self.poll(
            xp,
            "return document.evaluate(arguments[0], document, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue",
            vec![xp.into()],
        )
        .await
    }

    async fn by_id(&self, id: &str) -> Element {
        self.css(&format!("#{id}")).await
    }

    /// A button by its visible text.
    async fn button(&self, text: &str) -> Element {
        self.xpath(&format!("//button[normalize-space(.)={}]", xpath_str(text))).await
    }

    async fn run(&self, script: &str, el: &Element, more: Vec<serde_json::Value>) -> serde_json::Value {
        let mut args = vec![serde_json::to_value(el).unwrap()];
        args.extend(more);
        self.client.execute(script, args).await.unwrap()
    }

    /// Clicks a button by its text (a DOM click: WebDriver's pointer click
    /// waits for page loads that a single-page app never makes).
    async fn click(&self, text: &str) {
        eprintln!("e2e: click {text:?}");
        let b = self.button(text).await;
        self.click_el(&b).await;
    }

    async fn click_el(&self, el: &Element) {
        self.run("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click(); return 1", el, vec![]).await;
    }

    /// Types into a field as the user would (value set, input event fired).
    async fn set(&self, el: &Element, value: &str) {
        self.run(
            "const el = arguments[0];
             el.focus();
             const proto = el.tagName === 'TEXTAREA' ? HTMLTextAreaElement.prototype : el.tagName === 'SELECT' ? HTMLSelectElement.prototype : HTMLInputElement.prototype;
             Object.getOwnPropertyDescriptor(proto, 'value').set.call(el, arguments[1]);
             el.dispatchEvent(new Event('input', {bubbles: true}));
             el.dispatchEvent(new Event('change', {bubbles: true}));
             return 1",
            el,
            vec![value.into()],
        )
        .await;
    }

    /// An input by its label text.
    async fn field(&self, label: &str) -> Element {
        let xp = format!(
            "//input[@id=//label[normalize-space(.)={0}]/@for] | //textarea[@id=//label[normalize-space(.)={0}]/@for]",
            xpath_str(label)
        );
        self.xpath(&xp).await
    }

    async fn fill(&self, label: &str, value: &str) {
        let f = self.field(label).await;
        self.set(&f, value).await;
    }

    async fn fill_id(&self, id: &str, value: &str) {
        let f = self.by_id(id).await;
        self.set(&f, value).await;
    }

    /// Opens an exhibit from the table by (part of) its name, as a double-click does.
    async fn open_row(&self, name: &str) {
        eprintln!("e2e: open the row of {name:?}");
        let opened = self
            .client
            .execute(
                "const r = [...document.querySelectorAll('[role=row]')].find(r => r.textContent.includes(arguments[0]));
                 if (r) r.dispatchEvent(new MouseEvent('dblclick', {bubbles: true}));
                 return !!r;",
                vec![name.into()],
            )
            .await
            .unwrap();
        assert_eq!(opened, serde_json::json!(true), "no row shows {name:?}");
    }

    /// On the check or import screen: chooses the bundle (and key file) by
    /// typed path and submits the check.
    async fn check_bundle(&self, bundle: &Path, key_file: Option<&Path>) {
        self.fill("Bundle path", bundle.to_str().unwrap()).await;
        self.click("Use this bundle").await;
        if let Some(key) = key_file {
            self.fill("Key file path", key.to_str().unwrap()).await;
            self.click("Use this key file").await;
        }
        let submit = self.css("form button[type=submit]").await;
        self.click_el(&submit).await;
    }

    async fn body_text(&self) -> String {
        self.js("return document.body.innerText").await.as_str().unwrap_or_default().to_string()
    }

    /// Waits until the page text contains `needle`.
    async fn see(&self, needle: &str) {
        eprintln!("e2e: expect to see {needle:?}");
        let deadline = Instant::now() + WAIT;
        loop {
            let body = self.body_text().await;
            if body.contains(needle) {
                return;
            }
            assert!(Instant::now() < deadline, "page never showed {needle:?}; it shows:\n{body}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    async fn text_of(&self, css: &str) -> String {
        let el = self.css(css).await;
        self.run("return arguments[0].innerText", &el, vec![]).await.as_str().unwrap_or_default().to_string()
    }

    async fn attr(&self, el: &Element, name: &str) -> Option<String> {
        self.run("return arguments[0].getAttribute(arguments[1])", el, vec![name.into()]).await.as_str().map(str::to_string)
    }

    async fn js(&self, script: &str) -> serde_json::Value {
        self.client.execute(script, vec![]).await.unwrap()
    }
}

fn xpath_str(s: &str) -> String {
    if !s.contains('\'') { format!("'{s}'") } else { format!("\"{s}\"") }
}

fn sha256_hex(bytes: &[u8]) -> String {
    let out = Command::new("sha256sum").stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
    use std::io::Write;
    out.stdin.as_ref().unwrap().write_all(bytes).unwrap();
    let o = out.wait_with_output().unwrap();
    String::from_utf8(o.stdout).unwrap().split_whitespace().next().unwrap().to_string()
}

/// A paralegal's first session: create a vault, take in a folder, find an
/// exhibit and read its hash, preview it, verify everything, lock, and
/// unlock (a wrong passphrase refused first). Hostile names and pages must
/// not run script; the window must not navigate away or open new windows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paralegal_workflow() {
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("config");
    let demo = tmp.path().join("demo-vault");
    let vault = tmp.path().join("Halvorsen vault");
    let evidence = tmp.path().join("From Brandt laptop");
    std::fs::create_dir_all(evidence.join("mail")).unwrap();
    let memo = b"Project Lodestar: confidential. Do not forward.\n".to_vec();
    std::fs::write(evidence.join("memo.txt"), &memo).unwrap();
    std::fs::write(evidence.join("<img src=x onerror=window.__pwned=1>.txt"), b"hostile name\n").unwrap();
    std::fs::write(evidence.join("page.html"), b"<html><body><script>parent.__pwned=2;document.title='ran'</script>page</body></html>").unwrap();
    std::fs::write(
        evidence.join("mail/specs.eml"),
        b"From: Erik Brandt <erik@example.com>\r\nTo: e.brandt@example.net\r\nSubject: Lodestar specs\r\nDate: Thu, 14 May 2026 21:04:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n--b\r\nContent-Type: text/plain; name=\"tolerances.txt\"\r\nContent-Disposition: attachment; filename=\"tolerances.txt\"\r\n\r\nLodestar tolerances: 0.01 mm\r\n--b--\r\n",
    )
    .unwrap();
    std::fs::copy(Path::new(env!("CARGO_MANIFEST_DIR")).join("icons/128x128.png"), evidence.join("seal.png")).unwrap();
    let passphrase = "quartz lantern harbour mitten 1987";

    let mut app = App::launch(&config, &demo).await;
    app.see("Create a vault").await;
    app.shot("start").await;

    // Create the vault.
    app.fill_id("create-matter", "Halvorsen Dynamics v. Brandt").await;
    app.fill_id("create-number", "3:26-cv-01482").await;
    app.fill_id("create-examiner", "Dana Whitfield").await;
    app.fill_id("typed-new-path", vault.to_str().unwrap()).await;
    app.fill_id("create-passphrase", passphrase).await;
    app.fill_id("create-confirm", passphrase).await;
    app.shot("create-form").await;
    app.click("Create vault").await;
    app.css("nav[aria-label=Main]").await;
    app.see("Halvorsen Dynamics v. Brandt").await;
    app.shot("dashboard-empty").await;
    assert!(vault.join("custos-vault.json").exists(), "the vault is on disk");

    // Take in a folder.
    app.click("Intake").await;
    app.fill_id("typed-intake-path", evidence.to_str().unwrap()).await;
    app.click("Add path").await;
    app.see("From Brandt laptop").await;
    app.fill("Custodian", "Erik Brandt").await;
    app.shot("intake-form").await;
    app.click("Take in").await;
    let text = app.text_of("[data-testid=intake-summary]").await;
    assert!(text.contains("5 stored"), "intake summary: {text}");
    // Processing follows on its own: the e-mail's attachment becomes an exhibit.
    let text = app.text_of("[data-testid=intake-process-summary]").await;
    assert!(text.contains("Processed 6: 1 new exhibit found inside, 0 failed"), "processing summary: {text}");
    app.shot("intake-result").await;

    // The exhibits table; a hostile file name is shown as text.
    app.click("Exhibits").await;
    app.see("EX-0005").await;
    app.see("<img src=x onerror=window.__pwned=1>.txt").await;
    app.shot("exhibits").await;
    assert_eq!(app.js("return window.__pwned === undefined").await, serde_json::json!(true), "no script from a file name ran");

    // Filter the list (the vault searches), open the memo and read its SHA-256.
    app.fill("Filter", "memo").await;
    app.see("1 of 6 exhibits").await;
    app.open_row("memo.txt").await;
    let sha = app.text_of("[data-testid=sha256]").await;
    assert_eq!(sha.trim(), sha256_hex(&memo), "the app shows the memo's SHA-256");
    app.click("Show preview").await;
    app.see("Project Lodestar: confidential").await;
    // The custody history in words.
    app.see("Collected “memo.txt”").await;
    app.see("Viewed in the vault").await;
    app.shot("exhibit-detail").await;

    // Back on the list, its filter is as it was left.
    app.click("← Exhibits").await;
    app.see("1 of 6 exhibits").await;
    let filter = app.field("Filter").await;
    assert_eq!(app.run("return arguments[0].value", &filter, vec![]).await, serde_json::json!("memo"), "the filter is kept");
    app.click("Clear filters").await;
    app.see("6 of 6 exhibits").await;

    // The e-mail and its attachment are a family: grouped, the message's row
    // opens onto the attachment, whose row says where it was found; the
    // message shows its metadata, family and text.
    app.see("specs.eml").await;
    let show = app.xpath("//button[starts-with(@aria-label,'Show the 1 exhibit in')]").await;
    app.click_el(&show).await;
    app.see("tolerances.txt").await;
    app.see("↳ in").await;
    app.css(".vt-body .vt-branch").await;
    app.shot("exhibit-families").await;
    app.open_row("specs.eml").await;
    app.see("Lodestar specs").await;
    app.see("email:Subject").await;
    app.see("tolerances.txt").await;
    app.click("Show text").await;
    app.see("See attached.").await;
    app.shot("exhibit-family").await;
    app.click("EX-0006 tolerances.txt").await;
    app.see("Found inside EX-").await;

    // Search, from anywhere by Ctrl+K: the memo and the attachment's text,
    // the words found marked; a query that cannot be searched exactly is
    // refused with the reason.
    app.js("document.body.dispatchEvent(new KeyboardEvent('keydown', {key: 'k', ctrlKey: true, bubbles: true})); return 1").await;
    app.by_id("search-query").await;
    app.fill_id("search-query", "lodestar NOT specs").await;
    let submit = app.by_id("search-submit").await;
    app.click_el(&submit).await;
    app.see("2 exhibits found").await;
    app.css("#search-results mark").await;
    app.see("tolerances.txt").await;
    app.shot("search").await;
    app.fill_id("search-query", "*star").await;
    app.click_el(&submit).await;
    app.see("a wildcard may only end a word").await;
    // The search-term report of a list counts each term, with the hashes that make it reproducible.
    let tab = app.by_id("search-tab-report").await;
    app.click_el(&tab).await;
    app.fill_id("term-list", "lodestar\nspecs").await;
    let run = app.by_id("term-report-run").await;
    app.click_el(&run).await;
    app.css("[data-testid=term-report-total]").await;
    app.see("(any term)").await;
    app.shot("term-report").await;

    app.click("Exhibits").await;
    app.see("6 of 6 exhibits").await;

    // The HTML page previews as its source text; its script never runs.
    app.click("Exhibits").await;
    app.see("page.html").await;
    app.open_row("page.html").await;
    app.click("Show preview").await;
    app.see("<script>parent.__pwned=2").await;
    assert_eq!(app.js("return document.querySelectorAll('iframe, [data-testid=preview] script').length").await, serde_json::json!(0));
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(app.js("return window.__pwned === undefined").await, serde_json::json!(true), "no script from a page ran");
    app.shot("html-preview").await;

    // Opened from the list, an exhibit steps to its neighbours in it.
    // (With families grouped it steps through the rows shown.)
    let at = app.text_of("[data-testid=list-position]").await;
    let words: Vec<&str> = at.split_whitespace().collect();
    let (k, of): (u32, u32) = (words[0].parse().unwrap(), words[2].parse().unwrap());
    let (button, to) = if k < of { ("Next →", k + 1) } else { ("← Previous", k - 1) };
    app.click(button).await;
    app.see(&format!("{to} of {of}")).await;

    // An image is served by the preview protocol (session token in the URL).
    app.click("Exhibits").await;
    app.see("seal.png").await;
    app.open_row("seal.png").await;
    app.click("Show preview").await;
    let img = app.css("[data-testid=preview] img").await;
    let deadline = Instant::now() + WAIT;
    while app.run("return arguments[0].complete && arguments[0].naturalWidth", &img, vec![]).await != serde_json::json!(128) {
        assert!(Instant::now() < deadline, "the image preview never loaded");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let src = app.attr(&img, "src").await.unwrap();
    assert!(src.starts_with("custos-preview://localhost/"), "{src}");
    app.shot("image-preview").await;

    // Tag every exhibit at once: one job, with progress, each change logged.
    app.click("Exhibits").await;
    app.see("6 of 6 exhibits").await;
    let grid = app.css("[role=grid]").await;
    app.run(
        "arguments[0].focus(); arguments[0].dispatchEvent(new KeyboardEvent('keydown', {key: 'a', ctrlKey: true, bubbles: true}));",
        &grid,
        vec![],
    )
    .await;
    app.see("6 selected").await;
    app.fill("Tag to add or remove", "reviewed").await;
    app.click("Add tag").await;
    app.see("6 exhibits processed").await;
    app.shot("exhibits-tagged").await;

    // Full verification.
    app.click("Verify").await;
    app.click("Full verification").await;
    let result = app.text_of("[data-testid=verify-result]").await;
    assert!(result.contains("No problems found"), "verification: {result}");
    app.shot("verify").await;

    // The custody log has the whole story.
    app.click("Custody log").await;
    // Newest first, in words.
    app.see("Tag “reviewed” added").await;
    app.see("Full verification passed").await;
    app.shot("custody-log").await;

    // Export a production encrypted to counsel's key (added to the address
    // book on the way); the bundle on disk is the one the result names, and
    // it verifies with counsel's key outside the app.
    let counsel_key = custos_core::age::x25519::Identity::generate();
    let counsel_recipient = counsel_key.to_public().to_string();
    let key_file = tmp.path().join("counsel-key.txt");
    std::fs::write(&key_file, format!("# Reyes & Hart LLP\n{}\n", custos_core::age::secrecy::ExposeSecret::expose_secret(&counsel_key.to_string()))).unwrap();
    let productions = tmp.path().join("Productions");
    std::fs::create_dir_all(&productions).unwrap();
    let bundle = productions.join("HAL000001-HAL000006.zip.age");
    app.click("Export").await;
    app.see("6 exhibits selected.").await;
    app.click("Next").await;
    app.see("This production: HAL000001 to HAL000006").await;
    app.shot("export-numbering").await;
    app.click("Next").await;
    // Page images: a stamped page is previewed as the export would make it,
    // the legend in its corner; this production stays natives only.
    let pdf = app.css("input[name=export-images][value=pdf]").await;
    app.click_el(&pdf).await;
    app.fill("Legend on every page", "CONFIDENTIAL - SUBJECT TO PROTECTIVE ORDER").await;
    let preview = app.css("img[alt*='the legend “CONFIDENTIAL - SUBJECT TO PROTECTIVE ORDER”']").await;
    app.see("by page").await;
    app.run("arguments[0].scrollIntoView({block: 'center'}); return 1", &preview, vec![]).await;
    app.shot("export-images-preview").await;
    let natives = app.css("input[name=export-images][value=none]").await;
    app.click_el(&natives).await;
    app.click("Next").await;
    app.fill("Name", "Reyes & Hart LLP").await;
    app.fill("Public key", &counsel_recipient).await;
    app.click("Add to address book").await;
    app.see("Reyes & Hart LLP").await;
    app.shot("export-encryption").await;
    app.click("Next").await;
    app.see("no gaps, no duplicates").await;
    app.shot("export-review").await;
    app.fill("Bundle path", bundle.to_str().unwrap()).await;
    app.click("Export to this path").await;
    let shown = app.text_of("[data-testid=export-sha256]").await;
    app.shot("export-result").await;
    let written = std::fs::read(&bundle).expect("the bundle is where the wizard wrote it");
    assert_eq!(shown.trim(), sha256_hex(&written), "the result shows the bundle's SHA-256");
    assert!(written.starts_with(b"age-encryption.org/v1"), "encrypted to counsel");
    let mut opened = custos_core::export::Bundle::open(&bundle, Some(&counsel_key), None).unwrap();
    let (report, _) = custos_core::export::verify_bundle(&mut opened, None).unwrap();
    assert!(report.ok && report.exhibits == 6, "the exported bundle verifies: {:?}", report.findings);

    // Check the bundle in the app with counsel's key file.
    let seal = app.text_of("[data-testid=export-result] dl").await;
    // The dashboard lists the production with the bundle's hash.
    app.click("Dashboard").await;
    let listed = app.text_of("[data-testid=dash-productions]").await;
    assert!(listed.contains("HAL000001 – HAL000006") && listed.contains(&sha256_hex(&written)[..8]), "dashboard: {listed}");
    app.shot("dashboard-production").await;
    app.click("Check bundle").await;
    app.check_bundle(&bundle, Some(&key_file)).await;
    let verdict = app.text_of("[data-testid=bundle-result]").await;
    assert!(verdict.contains("The bundle is intact"), "bundle check: {verdict}");
    assert!(verdict.contains("6 exhibits"), "bundle check: {verdict}");
    let fingerprint = app.text_of("[data-testid=bundle-fingerprint]").await;
    assert!(fingerprint.starts_with("SHA256:") && seal.contains(fingerprint.trim()), "the seal key is the exporter's: {fingerprint} / {seal}");
    assert_eq!(app.text_of("[data-testid=bundle-sha256]").await.trim(), sha256_hex(&written));
    app.shot("bundle-check").await;

    // The window stays on the app: no navigation, no new windows.
    app.js("window.location.href = 'https://example.com/'; return 1").await;
    app.js("window.open('https://example.com/'); return 1").await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let url = app.client.current_url().await.unwrap();
    assert!(url.scheme() == "tauri" || url.host_str() == Some("tauri.localhost"), "navigated to {url}");
    assert_eq!(app.client.windows().await.unwrap().len(), 1, "no new window");

    // Lock, then a wrong passphrase is refused and the right one unlocks.
    app.click("Lock").await;
    app.see("Open a vault").await;
    app.shot("locked").await;
    let recent = app.css("button.recent-pick").await;
    app.click_el(&recent).await;
    app.fill_id("unlock-passphrase", "not the passphrase").await;
    app.click("Unlock").await;
    app.see("Wrong passphrase").await;
    app.shot("wrong-passphrase").await;
    app.fill_id("unlock-passphrase", passphrase).await;
    app.click("Unlock").await;
    app.css("nav[aria-label=Main]").await;
    app.see("Halvorsen Dynamics v. Brandt").await;
    app.click("Exhibits").await;
    app.see("EX-0005").await;
    app.shot("unlocked").await;

    // Counsel without a vault can check a bundle from the start screen.
    app.click("Lock").await;
    app.click("Check a bundle").await;
    app.see("Check a bundle").await;
    app.check_bundle(&bundle, None).await;
    app.see("give the identity (key file) it was encrypted to").await;
    app.shot("bundle-check-no-vault").await;
    let back = app.xpath("//button[contains(normalize-space(.), 'Back')]").await;
    app.click_el(&back).await;

    // The demo matter, made on the spot from the bundled sample documents.
    app.click("Open demo matter").await;
    app.css("nav[aria-label=Main]").await;
    app.click("Exhibits").await;
    app.see("Brandt to personal account").await;
    app.see("docsys-audit-2026-05.csv").await;
    app.shot("demo-matter").await;
    assert!(demo.join("custos-vault.json").exists());

    // Import the production into the demo matter: checked first, then taken in.
    app.click("Import").await;
    app.check_bundle(&bundle, Some(&key_file)).await;
    app.see("The bundle is intact").await;
    app.click("Import 6 exhibits").await;
    let summary = app.text_of("[data-testid=import-summary]").await;
    assert!(summary.contains("6 new exhibits"), "import: {summary}");
    app.see("HAL000006").await;
    app.shot("import-result").await;
    app.click("Custody log").await;
    app.see("Received").await;

    // An SVG exhibit whose script would call the backend: previewed, it runs
    // nothing and no command reaches the backend. Every command the page
    // sends is recorded from here on; the script would send `lock_vault`.
    let hostile = tmp.path().join("Hostile images");
    std::fs::create_dir_all(&hostile).unwrap();
    std::fs::write(
        hostile.join("logo.svg"),
        br##"<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" onload="parent.__pwned=5"><script>try{(window.__TAURI_INTERNALS__||parent.__TAURI_INTERNALS__).invoke('lock_vault')}catch(e){}parent.__pwned=4;</script><rect width="64" height="64" fill="#c33"/></svg>"##,
    )
    .unwrap();
    app.click("Intake").await;
    app.fill_id("typed-intake-path", hostile.to_str().unwrap()).await;
    app.click("Add path").await;
    app.click("Take in").await;
    let text = app.text_of("[data-testid=intake-summary]").await;
    assert!(text.contains("1 stored"), "intake summary: {text}");
    let text = app.text_of("[data-testid=intake-process-summary]").await;
    assert!(text.contains("Processed 1"), "processing summary: {text}");
    let wrapped = app
        .js(
            "const i = window.__TAURI_INTERNALS__; window.__ipc = []; const orig = i.invoke; \
             try { i.invoke = function (cmd, ...rest) { window.__ipc.push(cmd); return orig.call(this, cmd, ...rest); }; } catch (e) { return false; } \
             return i.invoke !== orig;",
        )
        .await;
    app.click("Exhibits").await;
    app.see("logo.svg").await;
    app.open_row("logo.svg").await;
    app.click("Show preview").await;
    // Sniffed as text (its content is XML, whatever its extension says), it is shown as its source.
    app.see("parent.__pwned=4").await;
    assert_eq!(app.js("return document.querySelectorAll('iframe, object, embed, [data-testid=preview] script, [data-testid=preview] svg').length").await, serde_json::json!(0));
    tokio::time::sleep(Duration::from_secs(1)).await;
    app.shot("svg-preview").await;
    assert_eq!(app.js("return window.__pwned === undefined").await, serde_json::json!(true), "no script from an SVG ran");
    if wrapped == serde_json::json!(true) {
        let sent = app.js("return window.__ipc").await;
        let sent: Vec<String> = serde_json::from_value(sent).unwrap();
        assert!(!sent.iter().any(|c| c == "lock_vault"), "the SVG's script reached the backend: {sent:?}");
        assert!(!sent.is_empty(), "control: the page's own commands are recorded ({sent:?})");
    }
    app.css("nav[aria-label=Main]").await;
    app.see("logo.svg").await;

    // The case timeline. The demo's document-system log was read on the way
    // in, through the column mapping the demo matter keeps. Two exports come
    // in: a Google Drive log, read as it is processed, and a USB history in
    // no known format, read through a mapping chosen here from its header.
    let logs = tmp.path().join("Audit exports");
    std::fs::create_dir_all(&logs).unwrap();
    std::fs::write(
        logs.join("drive-audit.csv"),
        "Item name,Event,Actor,Date,Item ID,IP address\nBrandt exit interview notes.md,Download,erik.brandt@halvorsen-dynamics.example,2026-05-14T21:10:00Z,d1,198.51.100.4\n",
    )
    .unwrap();
    std::fs::write(
        logs.join("usb-history.csv"),
        "Date Time,User Name,Computer,Event,File Path\r\n2026-05-14 21:30:00,ebrandt,WS-ENG-0291,Copied to removable media,E:\\HR\\Brandt exit interview notes.md\r\n",
    )
    .unwrap();
    app.click("Intake").await;
    app.fill_id("typed-intake-path", logs.to_str().unwrap()).await;
    app.click("Add path").await;
    app.click("Take in").await;
    let text = app.text_of("[data-testid=intake-summary]").await;
    assert!(text.contains("2 stored"), "intake summary: {text}");
    app.click("Exhibits").await;
    app.see("usb-history.csv").await;
    app.open_row("usb-history.csv").await;
    app.click("Read as an audit log…").await;
    app.by_id("mapping-name").await;
    app.fill_id("mapping-name", "USB history").await;
    for (field, column) in [("time", "Date Time"), ("actor", "User Name"), ("action", "Event"), ("object", "File Path"), ("device", "Computer")] {
        app.fill_id(&format!("mapping-{field}"), column).await;
    }
    app.shot("audit-mapping").await;
    app.click("Save mapping and read").await;
    let saved = app.text_of("[data-testid=mapping-saved]").await;
    assert!(saved.contains("1 event read from"), "the mapping read the export: {saved}");
    app.click("Close").await;
    // What happened to the interview notes: the download (by name only, weak) and the copy to USB.
    app.click("Exhibits").await;
    app.see("Brandt exit interview notes.md").await;
    app.open_row("Brandt exit interview notes.md").await;
    let happened = app.text_of("[data-testid=document-timeline]").await;
    assert!(happened.contains("Download") && happened.contains("Copied to removable media"), "what happened: {happened}");
    app.css("[data-testid=document-timeline] [data-testid=weak-join]").await;
    app.js("document.querySelector('[data-testid=document-timeline]').scrollIntoView({block: 'center'}); return 1").await;
    app.shot("what-happened").await;
    // The timeline: days, then the hours of 14 May 2026.
    app.click("Timeline").await;
    app.css("[data-testid=timeline-histogram]").await;
    let day = app.css("button[aria-label^='14 May 2026:']").await;
    app.click_el(&day).await;
    app.css("ol[aria-label^='Hours of 14 May 2026']").await;
    app.see("Copied to removable media").await;
    app.shot("timeline").await;

    // The interview notes withheld as privileged: designated on their
    // screen (logged), then listed on the export screen's privilege log.
    app.click("Exhibits").await;
    app.see("Brandt exit interview notes.md").await;
    app.open_row("Brandt exit interview notes.md").await;
    app.click("Change designations…").await;
    app.fill_id("designation-privilege", "work_product").await;
    let withhold = app.xpath("//label[contains(normalize-space(.), 'Withhold from productions')]/input").await;
    app.click_el(&withhold).await;
    app.fill_id("designation-description", "Notes of an exit interview prepared at the direction of counsel").await;
    app.click("Save designations").await;
    app.see("Withheld — privileged").await;
    app.see("Designated: Attorney work product claimed; withheld from productions").await;
    app.js("document.getElementById('exhibit-designations').scrollIntoView({block: 'start'}); return 1").await;
    app.shot("designations").await;
    app.click("Export").await;
    let log = app.text_of("[data-testid=privilege-log]").await;
    assert!(log.contains("Attorney work product") && log.contains("exit interview prepared at the direction of counsel"), "privilege log: {log}");
    app.js("document.getElementById('privilege-log-title').scrollIntoView({block: 'start'}); return 1").await;
    app.shot("privilege-log").await;

    // A long list: 3,000 more exhibits, fetched from the vault a window at a
    // time. Scrolled as a fling and as a dragged scrollbar, no frame shows
    // an empty body (rows still on their way are drawn as placeholders).
    let many = tmp.path().join("Many");
    std::fs::create_dir_all(&many).unwrap();
    for i in 0..3000 {
        std::fs::write(many.join(format!("note-{i:04}.txt")), format!("note {i}\n")).unwrap();
    }
    app.click("Intake").await;
    app.fill_id("typed-intake-path", many.to_str().unwrap()).await;
    app.click("Add path").await;
    app.click("Take in").await;
    let text = app.text_of("[data-testid=intake-summary]").await;
    assert!(text.contains("3,000 stored"), "intake summary: {text}");
    let text = app.text_of("[data-testid=intake-process-summary]").await;
    assert!(text.contains("Processed 3,000"), "processing summary: {text}");
    app.click("Exhibits").await;
    app.see(" of 3,0").await;
    let count = app.text_of("[data-testid=exhibit-count]").await;
    let total: u32 = count.split(" of ").next().unwrap().trim().replace(',', "").parse().unwrap();
    assert!(total > 3000, "{count}");
    for (how, step) in [("fling", 40), ("scrollbar drag", 2300)] {
        app.js(&format!(
            "const el = document.querySelector('[role=grid]'); const f = {{ frames: 0, empty: 0, pending: 0, slow: 0 }}; window.__frames = f;
             let last = performance.now(); let i = 0; el.scrollTop = 0;
             function frame(now) {{
               const top = el.scrollTop, h = el.clientHeight - 30, total = {total};
               const shown = [...el.querySelectorAll('.vt-body [role=row]')].filter(r => {{ const y = parseFloat(r.style.top); return y + 28 > top && y < top + h; }});
               const need = Math.max(0, Math.min(Math.floor(h / 28), total - Math.ceil(top / 28)));
               if (shown.length < need) f.empty++;
               if (shown.some(r => r.getAttribute('aria-busy') === 'true')) f.pending++;
               if (now - last > 20) f.slow++;
               last = now; f.frames++;
               if (i++ < 240) {{ el.scrollTop = (i * {step}) % (el.scrollHeight - el.clientHeight); requestAnimationFrame(frame); }} else f.done = true;
             }}
             requestAnimationFrame(frame); return true;"
        ))
        .await;
        let deadline = Instant::now() + WAIT;
        let f = loop {
            let f = app.js("return window.__frames").await;
            if f["done"] == serde_json::json!(true) {
                break f;
            }
            assert!(Instant::now() < deadline, "the scroll check did not finish: {f}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        eprintln!("e2e: scrolling {total} rows by {how}: {f}");
        assert_eq!(f["empty"], serde_json::json!(0), "{how}: frames with an empty body: {f}");
    }
    app.shot("exhibits-long-list").await;

    app.client.clone().close().await.unwrap();
}
