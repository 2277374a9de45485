//! `custos`: the command line of the Custos evidence vault.

#![forbid(unsafe_code)]

mod args;
mod cmd;
mod failure;
mod output;
mod shared;
mod terminal;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    match cmd::dispatch(args::Cli::parse().command) {
        Ok(code) => ExitCode::from(code),
        Err(failure) => {
            eprintln!("custos: {}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}
