//! Failpoints: named places in the write orders (DESIGN.md sections 3 and 6)
//! where a test makes the operation fail, or the process die, to show that
//! every step rolls fully forward or fully back.
//!
//! Compiled in only with the `failpoints` feature (the test builds); in any
//! other build [`hit`] does nothing. The test names one failpoint in
//! `CUSTOS_FAILPOINT` as `NAME=error` (the step returns an I/O error) or
//! `NAME=crash` (the process aborts there, running no destructors, as after
//! kill -9), optionally `@N` to act on the Nth time it is reached.

use crate::error::Result;

/// Acts as `CUSTOS_FAILPOINT` says if it names `name`.
#[cfg(feature = "failpoints")]
pub(crate) fn hit(name: &str) -> Result<()> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static HITS: AtomicU64 = AtomicU64::new(0);
    let Ok(spec) = std::env::var("CUSTOS_FAILPOINT") else { return Ok(()) };
    let Some((point, action)) = spec.split_once('=') else { return Ok(()) };
    if point != name {
        return Ok(());
    }
    let (action, nth) = match action.split_once('@') {
        Some((a, n)) => (a, n.parse::<u64>().unwrap_or(1)),
        None => (action, 1),
    };
    if HITS.fetch_add(1, Ordering::SeqCst) + 1 != nth {
        return Ok(());
    }
    match action {
        "crash" => std::process::abort(),
        _ => Err(crate::Error::Io {
            path: std::path::PathBuf::from(format!("(failpoint {name})")),
            source: std::io::Error::other("injected fault"),
        }),
    }
}

/// Does nothing: failpoints are compiled into test builds only.
#[cfg(not(feature = "failpoints"))]
#[inline(always)]
pub(crate) fn hit(_name: &str) -> Result<()> {
    Ok(())
}
