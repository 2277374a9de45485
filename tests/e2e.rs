//! End-to-end tests of the real app: the built `custos-app` binary under
//! Xvfb, driven through WebDriver (tauri-driver + WebKitWebDriver). Each step
//! saves a screenshot to tests/screenshots/ (ignored by git).
//!
//! Paths are typed into fields that exist only when the app is started with
//! `CUSTOS_ALLOW_TYPED_PATHS=1`, because WebDriver cannot drive native dialogs.

use fantoccini::{Client, ClientBuilder, Locator, elements::Element};
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

/// An X display: the one in DISPLAY, or a private Xvfb.
fn display() -> (String, Option<Proc>) {
    if let Ok(d) = std::env::var("DISPLAY") {
        if !d.is_empty() {
            return (d, None);
        }
    }
    for n in 90..200 {
        if Path::new(&format!("/tmp/.X{n}-lock")).exists() || Path::new(&format!("/tmp/.X11-unix/X{n}")).exists() {
            continue;
        }
        let child = Command::new("Xvfb")
            .args([format!(":{n}").as_str(), "-screen", "0", "1440x900x24", "-nolisten", "tcp"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb is installed (scripts/install-deps.sh installs it)");
        let mut proc = Proc(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if Path::new(&format!("/tmp/.X11-unix/X{n}")).exists() {
                return (format!(":{n}"), Some(proc));
            }
            if let Ok(Some(_)) = proc.0.try_wait() {
                break; // display taken meanwhile; try the next
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    panic!("no free X display for Xvfb");
}

struct App {
    client: Client,
    shots: PathBuf,
    step: u32,
    _driver: Proc,
    _xvfb: Option<Proc>,
}

impl App {
    async fn launch(config: &Path, demo: &Path) -> App {
        let (display, xvfb) = display();
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
                .stdout(Stdio::null())
                .stderr(Stdio::null())
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
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new()).capabilities(caps).connect(&format!("http://127.0.0.1:{port}")).await.expect("WebDriver session");
        let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/screenshots");
        std::fs::create_dir_all(&shots).unwrap();
        App { client, shots, step: 0, _driver: driver, _xvfb: xvfb }
    }

    async fn shot(&mut self, name: &str) {
        self.step += 1;
        let png = self.client.screenshot().await.unwrap();
        std::fs::write(self.shots.join(format!("{:02}-{name}.png", self.step)), png).unwrap();
    }

    async fn wait(&self, loc: Locator<'_>) -> Element {
        self.client.wait().at_most(WAIT).for_element(loc).await.unwrap_or_else(|e| panic!("waiting for {loc:?}: {e}"))
    }

    async fn by_id(&self, id: &str) -> Element {
        self.wait(Locator::Id(id)).await
    }

    /// A button (or link) by its visible text.
    async fn button(&self, text: &str) -> Element {
        let xp = format!("//button[normalize-space(.)={}]", xpath_str(text));
        self.wait(Locator::XPath(&xp)).await
    }

    async fn click(&self, text: &str) {
        self.button(text).await.click().await.unwrap();
    }

    /// An input by its label text.
    async fn field(&self, label: &str) -> Element {
        let xp = format!(
            "//input[@id=//label[normalize-space(.)={0}]/@for] | //textarea[@id=//label[normalize-space(.)={0}]/@for]",
            xpath_str(label)
        );
        self.wait(Locator::XPath(&xp)).await
    }

    async fn fill(&self, label: &str, value: &str) {
        let f = self.field(label).await;
        f.clear().await.unwrap();
        f.send_keys(value).await.unwrap();
    }

    async fn fill_id(&self, id: &str, value: &str) {
        let f = self.by_id(id).await;
        f.clear().await.unwrap();
        f.send_keys(value).await.unwrap();
    }

    /// Waits until the page text contains `needle`.
    async fn see(&self, needle: &str) {
        let deadline = Instant::now() + WAIT;
        loop {
            let body = self.client.find(Locator::Css("body")).await.unwrap().text().await.unwrap_or_default();
            if body.contains(needle) {
                return;
            }
            assert!(Instant::now() < deadline, "page never showed {needle:?}; it shows:\n{body}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    async fn text_of(&self, loc: Locator<'_>) -> String {
        self.wait(loc).await.text().await.unwrap()
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
