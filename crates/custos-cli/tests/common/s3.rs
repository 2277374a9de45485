//! A real S3 server with Object Lock for the tests: a one-node Ceph cluster
//! with radosgw on 127.0.0.1, started by `scripts/radosgw.sh` in a folder of
//! its own and stopped (exactly the processes it started) when dropped. The
//! AWS CLI is the outside oracle that looks into the bucket.

use super::process::{Output, run_with_timeout};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// A running radosgw.
pub struct Radosgw {
    dir: tempfile::TempDir,
    script: PathBuf,
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
    /// The S3 user's access key id.
    pub access_key: String,
    /// The S3 user's secret key.
    pub secret_key: String,
}

/// Two free loopback ports `p` and `p + 10000` (radosgw's and the monitor's).
fn free_port() -> u16 {
    for _ in 0..200 {
        let p: u16 = 20_000 + (rand_u16() % 25_000);
        let free = |p: u16| std::net::TcpListener::bind(("127.0.0.1", p)).is_ok();
        if free(p) && free(p + 10_000) {
            return p;
        }
    }
    panic!("no free port pair for radosgw");
}

fn rand_u16() -> u16 {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
    (nanos ^ (std::process::id() << 7)) as u16
}

impl Radosgw {
    /// Starts a cluster keeping `memory_mib` of object data in memory.
    pub fn start(memory_mib: u32) -> Radosgw {
        let dir = tempfile::Builder::new().prefix("custos-rgw-").tempdir().expect("temp dir");
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/radosgw.sh");
        let port = free_port();
        let out = run_with_timeout(
            Command::new("bash").arg(&script).arg("start").arg(dir.path()).arg(port.to_string()).arg(memory_mib.to_string()),
            Duration::from_secs(180),
        );
        let gw = |env: &HashMap<String, String>, k: &str| env.get(k).cloned().unwrap_or_default();
        let env: HashMap<String, String> =
            out.stdout.lines().filter_map(|l| l.split_once('=')).map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let me = Radosgw {
            endpoint: gw(&env, "S3_ENDPOINT"),
            access_key: gw(&env, "AWS_ACCESS_KEY_ID"),
            secret_key: gw(&env, "AWS_SECRET_ACCESS_KEY"),
            dir,
            script,
        };
        assert!(out.status.success() && !me.endpoint.is_empty(), "radosgw should start: {}", out.describe());
        me
    }

    /// Sets the credentials of this server's user on `cmd`, with no others
    /// inherited.
    pub fn credentials<'a>(&self, cmd: &'a mut Command) -> &'a mut Command {
        cmd.env("AWS_ACCESS_KEY_ID", &self.access_key)
            .env("AWS_SECRET_ACCESS_KEY", &self.secret_key)
            .env_remove("AWS_SESSION_TOKEN")
            .env_remove("AWS_PROFILE")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    }

    /// The AWS CLI (Debian's `aws`) against this server.
    pub fn aws(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new("aws");
        self.credentials(&mut cmd)
            .env("AWS_DEFAULT_REGION", "us-east-1")
            .env("AWS_CONFIG_FILE", "/nonexistent")
            .env("AWS_PAGER", "")
            .arg("--endpoint-url")
            .arg(&self.endpoint)
            .args(args);
        run_with_timeout(&mut cmd, Duration::from_secs(120))
    }

    /// `aws s3api ARGS… --output json`, asserted successful, parsed.
    #[track_caller]
    pub fn s3api(&self, args: &[&str]) -> serde_json::Value {
        let mut all = vec!["s3api"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--output", "json"]);
        let out = self.aws(&all);
        out.assert_success(&format!("aws s3api {}", args.join(" ")));
        if out.stdout.trim().is_empty() { serde_json::Value::Null } else { serde_json::from_str(&out.stdout).expect("aws prints JSON") }
    }

    /// Creates a bucket, with Object Lock or without.
    pub fn create_bucket(&self, name: &str, object_lock: bool) {
        let mut args = vec!["create-bucket", "--bucket", name];
        if object_lock {
            args.push("--object-lock-enabled-for-bucket");
        }
        self.s3api(&args);
    }

    /// Every version of every key in `bucket`: (key, version id), oldest first per key.
    pub fn versions(&self, bucket: &str) -> Vec<(String, String)> {
        let v = self.s3api(&["list-object-versions", "--bucket", bucket]);
        let mut out: Vec<(String, String, String)> = v["Versions"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|x| (x["Key"].as_str().unwrap().to_string(), x["LastModified"].as_str().unwrap_or("").to_string(), x["VersionId"].as_str().unwrap().to_string()))
                    .collect()
            })
            .unwrap_or_default();
        out.sort();
        out.into_iter().map(|(k, _, v)| (k, v)).collect()
    }

    /// Writes an objects config for `bucket` into `dir`; `extra` is added to
    /// its `[objects]` section.
    pub fn objects_config(&self, dir: &Path, bucket: &str, mode: &str, extra: &str) -> PathBuf {
        let p = dir.join(format!("{bucket}.toml"));
        std::fs::write(
            &p,
            format!("[objects]\nendpoint = \"{}\"\nbucket = \"{bucket}\"\nretention_days = 1\nmode = \"{mode}\"\n{extra}", self.endpoint),
        )
        .unwrap();
        p
    }

    /// Requests radosgw answered with `PUT` so far (from its log).
    pub fn puts(&self) -> usize {
        std::fs::read_to_string(self.dir.path().join("log/client.rgw.a.log")).map_or(0, |l| l.matches("\"PUT /").count())
    }

    /// Stops radosgw (the cluster keeps its data): the server goes away.
    pub fn gateway_stop(&self) {
        let out = run_with_timeout(Command::new("bash").arg(&self.script).arg("gateway-stop").arg(self.dir.path()), Duration::from_secs(60));
        out.assert_success("radosgw stops");
    }

    /// Starts radosgw again on the same data.
    pub fn gateway_start(&self) {
        let out = run_with_timeout(Command::new("bash").arg(&self.script).arg("gateway-start").arg(self.dir.path()), Duration::from_secs(120));
        out.assert_success("radosgw starts again");
    }
}

impl Drop for Radosgw {
    fn drop(&mut self) {
        let _ = Command::new("bash").arg(&self.script).arg("stop").arg(self.dir.path()).status();
    }
}
