//! A real PostgreSQL server for the tests: a throwaway cluster on 127.0.0.1
//! started by `scripts/postgres.sh` in a folder of its own (password
//! authentication, a `custos` role owning the `matters` database) and
//! stopped when dropped. `psql` as the superuser is the outside oracle.

use super::process::{Output, run_with_timeout};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// A running PostgreSQL.
pub struct Postgres {
    dir: tempfile::TempDir,
    script: PathBuf,
    /// Its port on 127.0.0.1.
    pub port: u16,
    /// The superuser's password (for the tests' own looks).
    pub admin_password: String,
    /// The `custos` role's password.
    pub password: String,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap().local_addr().unwrap().port()
}

impl Postgres {
    /// Starts a cluster.
    pub fn start() -> Postgres {
        let dir = tempfile::Builder::new().prefix("custos-pg-").tempdir().expect("temp dir");
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/postgres.sh");
        let port = free_port();
        let out = run_with_timeout(
            Command::new("bash").arg(&script).arg("start").arg(dir.path()).arg(port.to_string()),
            Duration::from_secs(120),
        );
        let env: HashMap<String, String> =
            out.stdout.lines().filter_map(|l| l.split_once('=')).map(|(k, v)| (k.to_string(), v.to_string())).collect();
        assert!(out.status.success() && env.contains_key("PG_PASSWORD"), "PostgreSQL should start: {}", out.describe());
        Postgres { port, admin_password: env["PG_ADMIN_PASSWORD"].clone(), password: env["PG_PASSWORD"].clone(), dir, script }
    }

    /// The `[catalog]` connection string (no password).
    pub fn url(&self) -> String {
        format!("postgresql://custos@127.0.0.1:{}/matters", self.port)
    }

    /// Sets the role's password on `cmd` (PGPASSWORD), with no password file.
    pub fn credentials<'a>(&self, cmd: &'a mut Command) -> &'a mut Command {
        cmd.env("PGPASSWORD", &self.password).env("PGPASSFILE", "/nonexistent")
    }

    /// `psql` as the superuser on the `matters` database: rows, `|`-separated.
    #[track_caller]
    pub fn admin_sql(&self, sql: &str) -> String {
        let out = self.psql("postgres", &self.admin_password, sql);
        out.assert_success(&format!("psql: {sql}"));
        out.stdout
    }

    /// `psql` as `role` with `password` on `matters` (not asserted).
    pub fn psql(&self, role: &str, password: &str, sql: &str) -> Output {
        run_with_timeout(
            Command::new("psql")
                .env("PGPASSWORD", password)
                .args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-U", role, "-d", "matters", "-p"])
                .arg(self.port.to_string())
                .arg("-c")
                .arg(sql),
            Duration::from_secs(60),
        )
    }

    /// The server's data folder (what a database administrator can read).
    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// Stops the server (its data stays): the server goes away.
    pub fn stop(&self) {
        let out = run_with_timeout(Command::new("bash").arg(&self.script).arg("stop").arg(self.dir.path()), Duration::from_secs(60));
        out.assert_success("PostgreSQL stops");
    }

    /// Starts it again on the same data and port.
    pub fn start_again(&self) {
        let out = run_with_timeout(Command::new("bash").arg(&self.script).arg("restart").arg(self.dir.path()), Duration::from_secs(60));
        out.assert_success("PostgreSQL starts again");
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = Command::new("bash").arg(&self.script).arg("stop").arg(self.dir.path()).status();
    }
}
