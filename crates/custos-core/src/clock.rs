//! Time as a dependency: the core never reads the system clock directly.

use chrono::{DateTime, Utc};
use std::sync::Mutex;

/// A source of the current UTC time.
pub trait Clock: Send + Sync {
    /// The current time.
    fn now(&self) -> DateTime<Utc>;
}

/// The machine's clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock for tests: starts at a given time and advances one second per reading.
#[derive(Debug)]
pub struct SteppingClock(Mutex<DateTime<Utc>>);

impl SteppingClock {
    /// A clock whose first reading is `start`.
    pub fn new(start: DateTime<Utc>) -> Self {
        Self(Mutex::new(start))
    }
}

impl Clock for SteppingClock {
    fn now(&self) -> DateTime<Utc> {
        let mut t = self.0.lock().expect("clock mutex poisoned");
        let now = *t;
        *t += chrono::Duration::seconds(1);
        now
    }
}

/// Formats a time the way the custody log stores it: RFC 3339, UTC, microseconds.
pub fn format_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}
