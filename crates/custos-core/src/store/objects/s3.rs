//! The second object backend: a firm's S3 bucket with Object Lock (WORM).
//!
//! Ciphertext is streamed into a partial file in the vault's own `objects/`
//! folder (never plaintext), then uploaded once under its name with
//! `Content-MD5`, the matter's retention mode and date and, if the policy
//! says so, a legal hold. A batch's uploads run several at once on a private
//! tokio runtime in [`ObjectBackend::make_durable`], after the batch's
//! journal is durable and before its rows are committed: the rows refer only
//! to objects the server acknowledged. The version id each upload got is recorded in the
//! catalog with the commit that next follows, and reads are by that version.
//!
//! Not every server honours conditional writes (radosgw ignores
//! `If-None-Match: *`), so an upload first asks whether the name is taken;
//! if it is, the object there is read back and accepted only if its bytes
//! hash to the name (the same content), never overwritten.

use super::backend::{Listing, ObjectBackend, ObjectReader, PartialObject, RangeReader};
use super::local::{LocalObjects, is_object_name};
use crate::error::{Error, Result};
use crate::format::direct::ObjectFile;
use crate::format::objects_config::{LockMode, ObjectsConfig, S3Credentials};
use aws_sdk_s3::Client;
use aws_sdk_s3::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_s3::primitives::DateTime;
use aws_sdk_s3::types::{ObjectLockEnabled, ObjectLockLegalHoldStatus};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};

/// Objects up to this size go in one PUT; larger ones in parts of at least this size.
const PART: u64 = 16 << 20;
/// Objects, and separately parts of large objects, uploaded at once (each
/// holds at most one part of [`PART`] bytes in memory).
const UPLOADS: usize = 8;
/// Bytes asked for in one ranged read.
const RANGE: usize = 4 << 20;

mod read;
mod upload;
use read::{BodyReader, Ranges, bytes_empty};

/// Where an object was written and how it is locked: recorded in the
/// catalog (`object_placements`) and checked by `verify`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Placement {
    /// The version id the server gave the upload; reads ask for it.
    pub version_id: String,
    /// The retention mode it was written with.
    pub mode: LockMode,
    /// The retain-until date it was written with (seconds since 1970).
    pub retain_until: i64,
    /// Whether it was written with a legal hold.
    pub legal_hold: bool,
    /// The server's checksum of a single-part upload (its MD5, hex), checked
    /// against the `Content-MD5` sent; `None` for a multipart upload.
    pub etag: Option<String>,
}

/// What the server says of one version of an object (`HEAD`).
#[derive(Debug, Clone)]
pub(crate) struct VersionHead {
    pub mode: Option<LockMode>,
    pub retain_until: Option<i64>,
    pub legal_hold: bool,
    pub etag: Option<String>,
}

/// Every version and delete marker under each name in the bucket.
#[derive(Debug, Default)]
pub(crate) struct BucketVersions {
    /// Version ids and ETags by name, oldest first.
    pub versions: BTreeMap<String, Vec<(String, Option<String>)>>,
    /// Delete markers by name.
    pub delete_markers: HashMap<String, usize>,
}

/// A vault's objects in an S3 bucket with Object Lock.
#[derive(Clone)]
pub(crate) struct S3Objects {
    /// The private runtime the SDK runs on. Held outside [`Inner`], which
    /// uploads share: a runtime must not be dropped by one of its own tasks.
    rt: Arc<tokio::runtime::Runtime>,
    inner: Arc<Inner>,
    /// The vault's `objects/` folder: partials and journals, never objects.
    staging: LocalObjects,
}

struct Inner {
    client: Client,
    config: ObjectsConfig,
    /// The version recorded for each object name.
    known: RwLock<HashMap<String, String>>,
    /// Objects put and not yet uploaded, by name.
    queued: Mutex<HashMap<String, PartialObject>>,
    /// Uploads acknowledged and not yet recorded in the catalog.
    placed: Mutex<Vec<(String, Placement)>>,
    slots: Arc<tokio::sync::Semaphore>,
    /// Parts of multipart uploads in flight at once, over all uploads.
    part_slots: Arc<tokio::sync::Semaphore>,
}

impl std::fmt::Debug for S3Objects {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Objects").field("bucket", &self.inner.config.bucket).finish_non_exhaustive()
    }
}

/// An S3 error, said plainly: what was being done, the server's code, or
/// that it could not be reached.
fn s3_error<E>(config: &ObjectsConfig, what: &str, e: SdkError<E, aws_sdk_s3::config::http::HttpResponse>) -> Error
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let server = config.endpoint.trim_end_matches('/');
    let detail = match &e {
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) => {
            format!("the S3 server at {server} cannot be reached ({})", DisplayErrorContext(&e))
        }
        SdkError::ServiceError(s) => {
            // A HEAD's answer has no body: its status is all there is.
            let status = s.raw().status().as_u16();
            let code = s.err().code().unwrap_or(match status {
                403 => "AccessDenied",
                404 => "NotFound",
                _ => "an error",
            });
            let message = s.err().message().filter(|m| !m.is_empty()).map(|m| format!(": {m}")).unwrap_or_default();
            match code {
                "InvalidAccessKeyId" | "SignatureDoesNotMatch" => {
                    format!("the S3 server at {server} refused the credentials ({code}); check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
                }
                "AccessDenied" => format!("the S3 server at {server} denied it (AccessDenied{message})"),
                "NoSuchBucket" => format!("bucket {} does not exist on {server}", config.bucket),
                _ => format!("the S3 server at {server} answered {code} (HTTP {status}){message}"),
            }
        }
        _ => format!("{}", DisplayErrorContext(&e)),
    };
    Error::ObjectStore(format!("{what}: {detail}"))
}

impl S3Objects {
    /// A client for `config`, with credentials from the environment or an
    /// owner-only credentials file, staging partials in `staging` (the
    /// vault's `objects/` folder). Nothing is sent yet.
    pub fn connect(config: &ObjectsConfig, staging: PathBuf) -> Result<Self> {
        config.check()?;
        let creds = S3Credentials::load()?;
        let credentials = aws_sdk_s3::config::Credentials::new(
            creds.access_key_id.clone(),
            creds.secret_access_key.as_str(),
            creds.session_token.as_ref().map(|t| t.to_string()),
            None,
            "custos",
        );
        let timeouts = aws_sdk_s3::config::timeout::TimeoutConfig::builder()
            .connect_timeout(std::time::Duration::from_secs(10))
            .read_timeout(std::time::Duration::from_secs(120))
            .build();
        let conf = aws_sdk_s3::Config::builder()
            .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
            .endpoint_url(config.endpoint.trim_end_matches('/'))
            .region(aws_sdk_s3::config::Region::new(config.region.clone()))
            .credentials_provider(credentials)
            .force_path_style(true)
            .timeout_config(timeouts)
            // Content-MD5 is sent for every upload; the newer trailing
            // checksums are not understood by every server.
            .request_checksum_calculation(aws_sdk_s3::config::RequestChecksumCalculation::WhenRequired)
            .response_checksum_validation(aws_sdk_s3::config::ResponseChecksumValidation::WhenRequired)
            .build();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("custos-s3")
            .enable_all()
            .build()
            .map_err(|e| Error::ObjectStore(format!("cannot start the S3 client: {e}")))?;
        Ok(Self {
            rt: Arc::new(rt),
            inner: Arc::new(Inner {
                client: Client::from_conf(conf),
                config: config.clone(),
                known: RwLock::new(HashMap::new()),
                queued: Mutex::new(HashMap::new()),
                placed: Mutex::new(Vec::new()),
                slots: Arc::new(tokio::sync::Semaphore::new(UPLOADS)),
                part_slots: Arc::new(tokio::sync::Semaphore::new(UPLOADS)),
            }),
            staging: LocalObjects::new(staging),
        })
    }

    /// The location and policy.
    pub fn config(&self) -> &ObjectsConfig {
        &self.inner.config
    }

    /// Checks that the bucket is there, reachable with these credentials,
    /// has Object Lock enabled, and holds nothing but objects named in
    /// `ours` (a vault whose objects are being moved there may have put some
    /// already); a new vault is refused otherwise.
    pub fn check_bucket(&self, ours: &std::collections::HashSet<String>) -> Result<()> {
        let i = &self.inner;
        let not_locked = || {
            Error::InvalidInput(format!(
                "bucket {} does not have Object Lock enabled: a vault's objects go only to a write-once bucket (create it with Object Lock)",
                i.config.bucket
            ))
        };
        let out = match self.rt.block_on(i.client.get_object_lock_configuration().bucket(&i.config.bucket).send()) {
            Ok(out) => out,
            Err(e) if e.as_service_error().and_then(|s| s.code()) == Some("ObjectLockConfigurationNotFoundError") => {
                return Err(not_locked());
            }
            Err(e) => return Err(s3_error(&i.config, &format!("checking bucket {}", i.config.bucket), e)),
        };
        if out.object_lock_configuration().and_then(|c| c.object_lock_enabled()) != Some(&ObjectLockEnabled::Enabled) {
            return Err(not_locked());
        }
        // One vault to a bucket: another's objects would be reported by every verify, and could never be removed.
        let foreign = if ours.is_empty() {
            let held = self
                .rt
                .block_on(i.client.list_object_versions().bucket(&i.config.bucket).max_keys(1).send())
                .map_err(|e| s3_error(&i.config, &format!("listing bucket {}", i.config.bucket), e))?;
            !held.versions().is_empty() || !held.delete_markers().is_empty()
        } else {
            let held = self.bucket_versions()?;
            held.versions.keys().chain(held.delete_markers.keys()).any(|k| !ours.contains(k))
        };
        if foreign {
            return Err(Error::InvalidInput(format!(
                "bucket {} already holds objects: each vault needs a bucket of its own",
                i.config.bucket
            )));
        }
        Ok(())
    }

    /// Uploads each `(name, path)`, several at once, and waits: all are
    /// acknowledged (their placements kept for the catalog), or the first
    /// failure is returned after the rest have ended. A partial given with
    /// its path is removed once its upload ends.
    fn upload_all(&self, jobs: Vec<(String, PathBuf, Option<PartialObject>)>) -> Result<()> {
        let tasks: Vec<_> = jobs
            .into_iter()
            .map(|(name, path, partial)| {
                let inner = Arc::clone(&self.inner);
                let key = name.clone();
                let task = self.rt.spawn(async move {
                    let _slot = inner.slots.clone().acquire_owned().await.expect("never closed");
                    let placed = inner.upload(&path, &key).await;
                    drop(partial);
                    placed
                });
                (name, task)
            })
            .collect();
        let mut first_error = None;
        for (name, task) in tasks {
            match self.rt.block_on(task) {
                Ok(Ok(p)) => {
                    self.inner.known.write().expect("not poisoned").insert(name.clone(), p.version_id.clone());
                    self.inner.placed.lock().expect("not poisoned").push((name, p));
                }
                Ok(Err(e)) => {
                    first_error.get_or_insert(e);
                }
                Err(e) => {
                    first_error.get_or_insert(Error::ObjectStore(format!("writing object {name}: {e}")));
                }
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    /// Uploads a folder vault's objects (`(name, path)`; the files stay),
    /// each checked against its name as it is read.
    pub fn copy_in(&self, files: Vec<(String, PathBuf)>) -> Result<()> {
        self.upload_all(files.into_iter().map(|(name, path)| (name, path, None)).collect())
    }

    /// Versions recorded in the catalog, read when the vault opens.
    pub fn remember(&self, versions: impl IntoIterator<Item = (String, String)>) {
        self.inner.known.write().expect("not poisoned").extend(versions);
    }

    /// Uploads acknowledged since the last call, to be recorded in the catalog.
    pub fn take_placed(&self) -> Vec<(String, Placement)> {
        std::mem::take(&mut *self.inner.placed.lock().expect("not poisoned"))
    }

    /// Gives back uploads [`S3Objects::take_placed`] took, whose change did not commit.
    pub fn restore_placed(&self, placed: Vec<(String, Placement)>) {
        self.inner.placed.lock().expect("not poisoned").extend(placed);
    }

    /// The version to read for `name`: the one recorded, else the oldest
    /// (the first written, which a locked bucket cannot lose).
    fn version_of(&self, name: &str) -> Result<String> {
        if let Some(v) = self.inner.known.read().expect("not poisoned").get(name) {
            return Ok(v.clone());
        }
        let i = &self.inner;
        let versions = self.rt.block_on(i.first_version(name))?;
        versions.ok_or_else(|| Error::ObjectMissing(name.to_string()))
    }

    /// What the server says of one version of `name`, or `None` if it has no such version.
    pub fn head_version(&self, name: &str, version: &str) -> Result<Option<VersionHead>> {
        let i = &self.inner;
        let got = self.rt.block_on(i.client.head_object().bucket(&i.config.bucket).key(name).version_id(version).send());
        match got {
            Ok(h) => Ok(Some(VersionHead {
                mode: h.object_lock_mode().and_then(|m| LockMode::from_s3(m.as_str())),
                retain_until: h.object_lock_retain_until_date().map(DateTime::secs),
                legal_hold: h.object_lock_legal_hold_status() == Some(&ObjectLockLegalHoldStatus::On),
                etag: h.e_tag().map(|t| t.trim_matches('"').to_string()),
            })),
            Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found()) => Ok(None),
            Err(e) => Err(s3_error(&i.config, &format!("reading the lock of object {name}"), e)),
        }
    }

    /// Every version and delete marker in the bucket.
    pub fn bucket_versions(&self) -> Result<BucketVersions> {
        let i = &self.inner;
        self.rt.block_on(async {
            let mut out = BucketVersions::default();
            // Per name: (seconds, nanoseconds, version id, ETag) of each version.
            type Dated = Vec<(i64, u32, String, Option<String>)>;
            let mut dated: BTreeMap<String, Dated> = BTreeMap::new();
            let (mut key_marker, mut version_marker): (Option<String>, Option<String>) = (None, None);
            loop {
                let page = i
                    .client
                    .list_object_versions()
                    .bucket(&i.config.bucket)
                    .set_key_marker(key_marker.take())
                    .set_version_id_marker(version_marker.take())
                    .send()
                    .await
                    .map_err(|e| s3_error(&i.config, &format!("listing bucket {}", i.config.bucket), e))?;
                for v in page.versions() {
                    if let (Some(k), Some(id)) = (v.key(), v.version_id()) {
                        let t = v.last_modified().map_or((0, 0), |d| (d.secs(), d.subsec_nanos()));
                        let etag = v.e_tag().map(|t| t.trim_matches('"').to_string());
                        dated.entry(k.to_string()).or_default().push((t.0, t.1, id.to_string(), etag));
                    }
                }
                for m in page.delete_markers() {
                    if let Some(k) = m.key() {
                        *out.delete_markers.entry(k.to_string()).or_default() += 1;
                    }
                }
                if page.is_truncated() != Some(true) {
                    break;
                }
                key_marker = page.next_key_marker().map(str::to_string);
                version_marker = page.next_version_id_marker().map(str::to_string);
                if key_marker.is_none() {
                    break;
                }
            }
            for (k, mut vs) in dated {
                vs.sort();
                out.versions.insert(k, vs.into_iter().map(|(_, _, id, etag)| (id, etag)).collect());
            }
            Ok(out)
        })
    }
}

impl ObjectBackend for S3Objects {
    fn create_partial(&self) -> Result<(PartialObject, ObjectFile)> {
        self.staging.create_partial()
    }

    fn write_partial(&self, name: &str, bytes: &[u8]) -> Result<PartialObject> {
        self.staging.write_partial(name, bytes)
    }

    /// Queues the upload: it starts in [`ObjectBackend::make_durable`],
    /// once the batch's journal naming it is durable, so that after a crash
    /// no object is in the bucket that no journal names. The partial file
    /// is removed once its upload ends either way.
    fn put(&self, partial: PartialObject, name: &str) -> Result<()> {
        let mut queued = self.inner.queued.lock().expect("not poisoned");
        if queued.contains_key(name) {
            return Err(Error::ObjectStore(format!("object {name} is already being written; an object is written once")));
        }
        queued.insert(name.to_string(), partial);
        Ok(())
    }

    /// Uploads every queued object of `names`, several at once, and waits:
    /// all are acknowledged, or the first failure is returned after the
    /// rest have ended.
    fn make_durable(&self, names: &[String]) -> Result<()> {
        let partials: Vec<(String, PartialObject)> = {
            let mut queued = self.inner.queued.lock().expect("not poisoned");
            names.iter().filter_map(|n| queued.remove(n).map(|p| (n.clone(), p))).collect()
        };
        self.upload_all(partials.into_iter().map(|(name, partial)| (name, partial.path().to_path_buf(), Some(partial))).collect())
    }

    fn get(&self, name: &str) -> Result<ObjectReader> {
        let version = self.version_of(name)?;
        let i = &self.inner;
        let got = self.rt.block_on(i.client.get_object().bucket(&i.config.bucket).key(name).version_id(&version).send());
        match got {
            Ok(out) => Ok(Box::new(BodyReader { rt: Arc::clone(&self.rt), body: out.body, chunk: bytes_empty(), at: 0 })),
            Err(e) if e.as_service_error().is_some_and(|s| s.is_no_such_key() || s.code() == Some("NoSuchVersion")) => {
                Err(Error::ObjectMissing(name.to_string()))
            }
            Err(e) => Err(s3_error(&i.config, &format!("reading object {name}"), e)),
        }
    }

    fn get_ranges(&self, name: &str) -> Result<RangeReader> {
        let version = self.version_of(name)?;
        let i = &self.inner;
        let head = self
            .rt
            .block_on(i.client.head_object().bucket(&i.config.bucket).key(name).version_id(&version).send())
            .map_err(|e| s3_error(&i.config, &format!("reading object {name}"), e))?;
        let len = head.content_length().unwrap_or(0).max(0) as u64;
        Ok(Box::new(Ranges {
            rt: Arc::clone(&self.rt),
            inner: Arc::clone(&self.inner),
            name: name.to_string(),
            version,
            len,
            block: (0, bytes::Bytes::new()),
        }))
    }

    fn exists(&self, name: &str) -> Result<bool> {
        let i = &self.inner;
        match self.rt.block_on(i.client.head_object().bucket(&i.config.bucket).key(name).send()) {
            Ok(_) => Ok(true),
            Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found()) => Ok(false),
            Err(e) => Err(s3_error(&i.config, &format!("checking object {name}"), e)),
        }
    }

    /// The names with at least one version in the bucket (a delete marker
    /// hides none), keys that are not object names as other entries, and
    /// the partials and journals in the staging folder.
    fn list(&self) -> Result<Listing> {
        let versions = self.bucket_versions()?;
        let (_, mut other) = self.staging.list()?;
        let mut names = Vec::new();
        for k in versions.versions.into_keys() {
            if is_object_name(&k) {
                names.push(k);
            } else {
                other.push(PathBuf::from(format!("{}/{k}", self.inner.config.bucket)));
            }
        }
        Ok((names, other))
    }
}

