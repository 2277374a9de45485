//! Why a command stopped, and the exit status that says so.

use custos_core::Error;

/// Exit status with the error that caused it.
pub struct Failure {
    /// The exit status (see `EXIT_CODES`).
    pub code: u8,
    /// What went wrong, printed after `custos: `.
    pub message: String,
}

impl Failure {
    /// Bad input or an error that stopped the command: exit status 2.
    pub fn input(message: impl Into<String>) -> Self {
        Failure { code: 2, message: message.into() }
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        let code = match e {
            Error::WrongPassphrase | Error::VaultBusy(_) => 3,
            _ => 2,
        };
        Failure { code, message: e.to_string() }
    }
}
