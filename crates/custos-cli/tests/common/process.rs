//! Running programs with captured output and a time limit, so a hang fails
//! the test instead of stalling the suite.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long one ordinary command may take before the test fails instead of hanging.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);

/// What one run of a program produced.
#[derive(Debug)]
pub struct Output {
    /// How it ended.
    pub status: ExitStatus,
    /// Exit code (`None` if ended by a signal).
    pub code: Option<i32>,
    /// Standard output, lossily decoded.
    pub stdout: String,
    /// Standard error, lossily decoded.
    pub stderr: String,
    /// Wall-clock time it took.
    pub elapsed: Duration,
}

impl Output {
    /// A description for assertion messages.
    pub fn describe(&self) -> String {
        format!(
            "{} after {:.2?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.status,
            self.elapsed,
            tail(&self.stdout, 4000),
            tail(&self.stderr, 4000)
        )
    }

    /// Standard output parsed as JSON.
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout should be JSON ({e}); {}", self.describe()))
    }

    /// Asserts exit code 0.
    #[track_caller]
    pub fn assert_success(&self, why: &str) -> &Self {
        assert_eq!(self.code, Some(0), "{why}; {}", self.describe());
        self
    }
}

fn tail(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut start = s.len() - max;
    while !s.is_char_boundary(start) {
        start += 1;
    }
    &s[start..]
}

/// Reads everything from `r` on a thread.
pub fn read_all_in_thread(mut r: impl Read + Send + 'static) -> JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = r.read_to_end(&mut buf);
        buf
    })
}

/// Reads complete lines (each still ending in `\n`) from `r` on a thread,
/// passing each to `on_line` as soon as it arrives. A last line without a
/// newline (a torn write) is returned separately.
pub fn read_lines_in_thread(
    r: impl Read + Send + 'static,
    mut on_line: impl FnMut(&str) + Send + 'static,
) -> JoinHandle<(Vec<String>, Option<String>)> {
    std::thread::spawn(move || {
        let mut r = BufReader::new(r);
        let mut lines = Vec::new();
        loop {
            let mut buf = Vec::new();
            match r.read_until(b'\n', &mut buf) {
                Ok(0) | Err(_) => return (lines, None),
                Ok(_) => {
                    let s = String::from_utf8_lossy(&buf).into_owned();
                    if !s.ends_with('\n') {
                        return (lines, Some(s));
                    }
                    on_line(&s);
                    lines.push(s);
                }
            }
        }
    })
}

/// Waits for `child` for at most `timeout`; on timeout kills it, reaps it
/// and panics, so a hang fails the test instead of stalling the suite.
#[track_caller]
pub fn wait_with_timeout(child: &mut Child, timeout: Duration, what: &str) -> ExitStatus {
    let deadline = Instant::now() + timeout;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return status,
            Ok(None) => {}
            Err(e) => panic!("waiting for {what} failed: {e}"),
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} did not finish within {timeout:?}; it was killed so the test does not hang");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Runs `cmd` to the end (stdout and stderr captured), failing the test if
/// it takes longer than `timeout`.
#[track_caller]
pub fn run_with_timeout(cmd: &mut Command, timeout: Duration) -> Output {
    let what = format!("{cmd:?}");
    let start = Instant::now();
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{what} should start: {e}"));
    let out = read_all_in_thread(child.stdout.take().expect("piped stdout"));
    let err = read_all_in_thread(child.stderr.take().expect("piped stderr"));
    let status = wait_with_timeout(&mut child, timeout, &what);
    let stdout = String::from_utf8_lossy(&out.join().expect("stdout reader")).into_owned();
    let stderr = String::from_utf8_lossy(&err.join().expect("stderr reader")).into_owned();
    Output { status, code: status.code(), stdout, stderr, elapsed: start.elapsed() }
}

/// Runs `cmd` with [`DEFAULT_TIMEOUT`].
#[track_caller]
pub fn run(cmd: &mut Command) -> Output {
    run_with_timeout(cmd, DEFAULT_TIMEOUT)
}

/// Sends a signal to a process with `kill -SIG PID` (std has no signal API).
#[track_caller]
pub fn send_signal(pid: u32, signal: &str) {
    let o = run_with_timeout(
        Command::new("kill").arg(format!("-{signal}")).arg(pid.to_string()).stdin(Stdio::null()),
        Duration::from_secs(30),
    );
    assert_eq!(o.code, Some(0), "kill -{signal} {pid} should be delivered; {}", o.describe());
}
