//! Running outside programs through pipes, so that no exhibit content is
//! ever written to a file.
//!
//! The input goes to the program's standard input from a thread of its own
//! (a program that writes before it has read everything would otherwise
//! block both sides) and the output is read from its standard output,
//! bounded by [`MAX_OUTPUT`], and a program that runs past [`TIME_LIMIT`] is
//! stopped (a damaged or hostile file must not hang processing). Programs
//! are named, not given as paths: they
//! are found on `PATH`, and a missing one is reported with the Debian
//! package that has it ([`Error::ToolMissing`]).

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::os::unix::process::CommandExt;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc::{RecvTimeoutError, channel};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use crate::{Error, Result};

/// The most a program may write to standard output (1 GiB); past it the
/// program is stopped and the run fails.
pub const MAX_OUTPUT: u64 = 1 << 30;

/// How long one run of a program may take (a page of OCR takes seconds,
/// the text of a very long PDF a minute or two); past it the program is
/// stopped and the run fails.
pub const TIME_LIMIT: Duration = Duration::from_secs(15 * 60);

/// How much of a program's standard error is kept for error messages.
const MAX_STDERR: usize = 64 * 1024;

/// Runs `program` with `args`, writes `input` to its standard input and
/// returns what it wrote to standard output.
///
/// Fails with [`Error::ToolMissing`] when the program is not installed and
/// with [`Error::Tool`] when it cannot be started, ends with a failure
/// status (the reason gives the status and the first line of its standard
/// error), writes more than [`MAX_OUTPUT`] or runs past [`TIME_LIMIT`].
pub fn run(program: &str, args: &[&str], input: &[u8]) -> Result<Vec<u8>> {
    run_within(program, args, input, TIME_LIMIT)
}

/// [`run`] with a time limit of its own.
pub fn run_within(program: &str, args: &[&str], input: &[u8], limit: Duration) -> Result<Vec<u8>> {
    let out = output_within(program, args, input, limit)?;
    if !out.status.success() {
        return Err(Error::Tool { program: program.into(), reason: out.failure_reason() });
    }
    Ok(out.stdout)
}

/// The version `program` reports of itself (e.g. `22.12.0` for poppler's
/// `pdftotext version 22.12.0`, `5.3.0` for `tesseract 5.3.0`), asked once
/// per process and remembered.
pub fn version(program: &str) -> Result<String> {
    static CACHE: OnceLock<Mutex<HashMap<String, String>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(v) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(program) {
        return Ok(v.clone());
    }
    let out = output(program, &[version_flag(program)], b"")?;
    let v = parse_version(&out.stdout)
        .or_else(|| parse_version(&out.stderr))
        .ok_or_else(|| Error::Tool { program: program.into(), reason: format!("reports no version ({})", out.failure_reason()) })?;
    cache.lock().unwrap_or_else(|e| e.into_inner()).insert(program.into(), v.clone());
    Ok(v)
}

/// Checks that `program` is installed: [`Error::ToolMissing`] if it is not.
pub fn check(program: &str) -> Result<()> {
    output(program, &[version_flag(program)], b"").map(|_| ())
}

/// The Debian package that has `program`.
pub fn package(program: &str) -> &str {
    match program {
        "pdftotext" | "pdfinfo" | "pdftoppm" => "poppler-utils",
        "tesseract" => "tesseract-ocr",
        "exiftool" => "libimage-exiftool-perl",
        "soffice" => "libreoffice-writer-nogui",
        other => other,
    }
}

/// Poppler's tools take `-v`; the rest the usual `--version`.
fn version_flag(program: &str) -> &'static str {
    if package(program) == "poppler-utils" { "-v" } else { "--version" }
}

/// The first word that starts with a digit on the first non-empty line.
fn parse_version(out: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(out);
    let line = text.lines().map(str::trim).find(|l| !l.is_empty())?;
    line.split_whitespace().find(|w| w.starts_with(|c: char| c.is_ascii_digit())).map(str::to_string)
}

/// What a finished program left behind.
pub(crate) struct Output {
    /// How it ended.
    pub(crate) status: ExitStatus,
    /// Its standard output.
    pub(crate) stdout: Vec<u8>,
    /// The start of its standard error.
    pub(crate) stderr: Vec<u8>,
}

impl Output {
    /// How it ended and the first non-empty line of its standard error.
    pub(crate) fn failure_reason(&self) -> String {
        match first_line(&self.stderr) {
            Some(line) => format!("{}: {line}", self.status),
            None => self.status.to_string(),
        }
    }
}

/// The first non-empty line of `bytes`, shortened to 300 characters.
pub(crate) fn first_line(bytes: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(bytes);
    let line = text.lines().map(str::trim).find(|l| !l.is_empty())?;
    Some(line.chars().take(300).collect())
}

/// Runs `program` as [`run`] does, whatever its exit status.
pub(crate) fn output(program: &str, args: &[&str], input: &[u8]) -> Result<Output> {
    output_within(program, args, input, TIME_LIMIT)
}

/// [`output`] within `limit`.
fn output_within(program: &str, args: &[&str], input: &[u8], limit: Duration) -> Result<Output> {
    let mut out = Vec::new();
    let (status, stderr) = stream_within(program, args, input, limit, &mut |chunk| {
        out.extend_from_slice(chunk);
        Ok(())
    })?;
    Ok(Output { status, stdout: out, stderr })
}

/// Runs `program` as [`run`] does, handing its standard output to `sink`
/// as it comes (a chunk at a time, never gathered whole): for output too
/// large to hold, such as the pages of a long document. `sink` failing
/// stops the program.
pub fn run_streaming(program: &str, args: &[&str], input: &[u8], sink: &mut dyn FnMut(&[u8]) -> io::Result<()>) -> Result<()> {
    let (status, stderr) = stream_within(program, args, input, TIME_LIMIT, sink)?;
    let out = Output { status, stdout: Vec::new(), stderr };
    if !out.status.success() {
        return Err(Error::Tool { program: program.into(), reason: out.failure_reason() });
    }
    Ok(())
}

/// Runs `program` within `limit`, its standard output to `sink`; returns
/// its exit status and (the start of) its standard error.
fn stream_within(
    program: &str,
    args: &[&str],
    input: &[u8],
    limit: Duration,
    sink: &mut dyn FnMut(&[u8]) -> io::Result<()>,
) -> Result<(ExitStatus, Vec<u8>)> {
    let tool_error = |reason: String| Error::Tool { program: program.into(), reason };
    let mut child = Command::new(program)
        .args(args)
        // Callers run several pages or items at once, one per core; a
        // program's own threads on top would only compete with them.
        .env("OMP_THREAD_LIMIT", "1")
        // A group of its own, so that stopping it stops what it started.
        .process_group(0)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => Error::ToolMissing { program: program.into(), package: package(program).into() },
            _ => tool_error(format!("cannot start: {e}")),
        })?;
    let (Some(mut stdin), Some(stdout), Some(mut stderr)) = (child.stdin.take(), child.stdout.take(), child.stderr.take()) else {
        let _ = child.kill();
        let _ = child.wait();
        return Err(tool_error("its pipes could not be opened".into()));
    };

    let group = rustix::process::Pid::from_child(&child);
    let child = Mutex::new(child);
    // The program and anything it started (its own process group).
    let kill = || {
        let _ = rustix::process::kill_process_group(group, rustix::process::Signal::KILL);
        let _ = child.lock().unwrap_or_else(|e| e.into_inner()).kill();
    };
    let (finished, done) = channel::<()>();
    let (read, stderr_bytes, timed_out) = std::thread::scope(|scope| {
        // Stops the program once it has run past the limit; its pipes then
        // close and the readers below end.
        let kill = &kill;
        let watchdog = scope.spawn(move || match done.recv_timeout(limit) {
            Err(RecvTimeoutError::Timeout) => {
                kill();
                true
            }
            _ => false,
        });
        scope.spawn(move || {
            // A program may stop reading early (it failed, or needs only the
            // start); the broken pipe that follows is not an error here, its
            // exit status tells.
            let _ = stdin.write_all(input);
            drop(stdin);
        });
        let err_reader = scope.spawn(move || {
            let mut kept = Vec::new();
            let mut buf = [0u8; 8192];
            loop {
                match stderr.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        let room = MAX_STDERR.saturating_sub(kept.len());
                        kept.extend_from_slice(&buf[..n.min(room)]);
                    }
                }
            }
            kept
        });
        let read = pump(stdout, sink);
        if !matches!(&read, Ok(n) if *n <= MAX_OUTPUT) {
            // Stop it so that the threads above see their pipes close.
            kill();
        }
        let stderr = err_reader.join().unwrap_or_default();
        let _ = finished.send(());
        (read, stderr, watchdog.join().unwrap_or(false))
    });
    let status = child.into_inner().unwrap_or_else(|e| e.into_inner()).wait().map_err(|e| tool_error(format!("cannot wait for it: {e}")))?;
    if timed_out {
        return Err(tool_error(format!("it ran past the time limit of {} s and was stopped", limit.as_secs())));
    }
    let read = read.map_err(|e| tool_error(format!("cannot read its output: {e}")))?;
    if read > MAX_OUTPUT {
        return Err(tool_error(format!("its output passed the limit of {MAX_OUTPUT} bytes")));
    }
    Ok((status, stderr_bytes))
}

/// Reads `from` to its end into `sink`, 64 KiB at a time; stops past
/// [`MAX_OUTPUT`]. Returns the bytes read.
fn pump(mut from: impl Read, sink: &mut dyn FnMut(&[u8]) -> io::Result<()>) -> io::Result<u64> {
    let mut buf = vec![0u8; 64 << 10];
    let mut total = 0u64;
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) => return Ok(total),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        total += n as u64;
        if total > MAX_OUTPUT {
            return Ok(total);
        }
        sink(&buf[..n])?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tools_missing_program_names_its_package() {
        match run("pdftotext-not-installed-here", &["-v"], b"") {
            Err(Error::ToolMissing { program, package }) => {
                assert_eq!(program, "pdftotext-not-installed-here");
                assert_eq!(package, "pdftotext-not-installed-here");
            }
            other => panic!("expected ToolMissing, got {other:?}"),
        }
        assert_eq!(package("pdftoppm"), "poppler-utils");
        assert_eq!(package("tesseract"), "tesseract-ocr");
        assert!(matches!(check("tesseract-not-installed-here"), Err(Error::ToolMissing { .. })));
    }

    #[test]
    fn tools_failing_program_reports_status_and_stderr() {
        match run("sh", &["-c", "echo 'first problem' >&2; echo second >&2; exit 3"], b"") {
            Err(Error::Tool { program, reason }) => {
                assert_eq!(program, "sh");
                assert!(reason.contains('3'), "the exit status is named: {reason}");
                assert!(reason.ends_with("first problem"), "the first stderr line is given: {reason}");
                assert!(!reason.contains("second"), "only the first line: {reason}");
            }
            other => panic!("expected Tool, got {other:?}"),
        }
    }

    #[test]
    fn tools_a_program_past_its_time_limit_is_stopped() {
        let started = std::time::Instant::now();
        // It would run for a minute, and holds its output open meanwhile.
        match run_within("sh", &["-c", "echo started; sleep 60"], b"", Duration::from_millis(300)) {
            Err(Error::Tool { program, reason }) => {
                assert_eq!(program, "sh");
                assert!(reason.contains("time limit"), "{reason}");
            }
            other => panic!("expected a stopped program, got {other:?}"),
        }
        assert!(started.elapsed() < Duration::from_secs(30), "stopped, not waited for");
        // One within its limit is not stopped.
        assert_eq!(run_within("sh", &["-c", "sleep 0.1; echo ok"], b"", Duration::from_secs(30)).unwrap(), b"ok\n");
    }

    #[test]
    fn tools_pipe_large_input_both_ways() {
        // More than a pipe buffer each way: a program that writes while it
        // reads would deadlock without the writer thread.
        let input: Vec<u8> = (0..4_000_000u32).map(|i| (i % 251) as u8).collect();
        let out = run("cat", &[], &input).unwrap();
        assert_eq!(out, input);
        // A program that never reads its input still finishes.
        let out = run("sh", &["-c", "echo done"], &input).unwrap();
        assert_eq!(out, b"done\n");
    }

    #[test]
    fn tools_versions_of_installed_programs() {
        match version("pdftotext") {
            Ok(v) => assert!(v.chars().next().unwrap().is_ascii_digit() && v.contains('.'), "{v}"),
            Err(Error::ToolMissing { .. }) => eprintln!("note: pdftotext not installed"),
            Err(e) => panic!("{e}"),
        }
        match version("tesseract") {
            Ok(v) => assert!(v.starts_with(|c: char| c.is_ascii_digit()) && v.contains('.'), "{v}"),
            Err(Error::ToolMissing { .. }) => eprintln!("note: tesseract not installed"),
            Err(e) => panic!("{e}"),
        }
        assert_eq!(parse_version(b"pdftotext version 22.12.0\nCopyright"), Some("22.12.0".into()));
        assert_eq!(parse_version(b"\ntesseract 5.3.0\n leptonica-1.82.0"), Some("5.3.0".into()));
        assert_eq!(parse_version(b"no digits here"), None);
    }
}
