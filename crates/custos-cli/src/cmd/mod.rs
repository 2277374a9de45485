//! One module per subcommand, each with its arguments and a `run` that
//! returns the exit status or the failure that stopped it.

pub mod add;
pub mod checkpoint;
pub mod edit;
pub mod export;
pub mod extract;
pub mod firm;
pub mod import_bundle;
pub mod init;
pub mod list;
pub mod log;
pub mod migrate;
pub mod passwd;
pub mod process;
pub mod search;
pub mod search_report;
pub mod show;
pub mod text;
pub mod audit_mapping;
pub mod designate;
pub mod privilege_log;
pub mod timeline;
pub mod timestamp;
pub mod verify;
pub mod verify_bundle;

use crate::args::Command;
use crate::failure::Failure;

/// Runs one subcommand.
pub fn dispatch(command: Command) -> Result<u8, Failure> {
    match command {
        Command::Init(args) => init::run(args),
        Command::Migrate(args) => migrate::run(args),
        Command::Join(args) => firm::join(args),
        Command::Member(args) => firm::member(args),
        Command::Matters(args) => firm::matters(args),
        Command::Add(args) => add::run(args),
        Command::List(args) => list::run(args),
        Command::Show(args) => show::run(args),
        Command::Extract(args) => extract::run(args),
        Command::Edit(args) => edit::run(args),
        Command::Verify(args) => verify::run(args),
        Command::Timestamp(args) => timestamp::run(args),
        Command::Checkpoint(args) => checkpoint::run(args),
        Command::Export(args) => export::run(args),
        Command::VerifyBundle(args) => verify_bundle::run(args),
        Command::ImportBundle(args) => import_bundle::run(args),
        Command::Log(args) => log::run(args),
        Command::Passwd(args) => passwd::run(args),
        Command::Process(args) => process::run(args),
        Command::Text(args) => text::run(args),
        Command::Search(args) => search::run(args),
        Command::SearchReport(args) => search_report::run(args),
        Command::Timeline(args) => timeline::run(args),
        Command::AuditMapping(args) => audit_mapping::run(args),
        Command::Designate(args) => designate::run(args),
        Command::PrivilegeLog(args) => privilege_log::run(args),
    }
}
