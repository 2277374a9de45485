//! Uploading an object once, locked, and accepting one already there only
//! if it is the same content.

use super::{Inner, PART, Placement, s3_error};
use crate::error::{Error, Result};
use crate::format::objects_config::LockMode;
use aws_sdk_s3::primitives::{ByteStream, DateTime};
use aws_sdk_s3::types::{ObjectLockLegalHoldStatus, ObjectLockMode};
use sha2::Digest;
use std::path::Path;

impl Inner {
    /// The oldest version of `name`, if it has any.
    pub(super) async fn first_version(&self, name: &str) -> Result<Option<String>> {
        let page = self
            .client
            .list_object_versions()
            .bucket(&self.config.bucket)
            .prefix(name)
            .send()
            .await
            .map_err(|e| s3_error(&self.config, &format!("looking up object {name}"), e))?;
        let mut vs: Vec<(i64, u32, &str)> = page
            .versions()
            .iter()
            .filter(|v| v.key() == Some(name))
            .filter_map(|v| Some((v.last_modified().map_or(0, DateTime::secs), v.last_modified().map_or(0, DateTime::subsec_nanos), v.version_id()?)))
            .collect();
        vs.sort();
        Ok(vs.first().map(|v| v.2.to_string()))
    }

    /// Uploads the ciphertext at `path` under `name` once, locked.
    pub(super) async fn upload(&self, path: &Path, name: &str) -> Result<Placement> {
        let cfg = &self.config;
        // Taken already? Accept it only if it is this very content.
        let head = self.client.head_object().bucket(&cfg.bucket).key(name).send().await;
        match head {
            Ok(_) => return self.accept_existing(name).await,
            Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found()) => {}
            Err(e) => return Err(s3_error(cfg, &format!("checking object {name} before writing it"), e)),
        }
        let size = tokio::fs::metadata(path).await.map_err(|e| Error::Io { path: path.to_path_buf(), source: e })?.len();
        let retain_until = chrono::Utc::now().timestamp() + i64::from(cfg.retention_days) * 86_400;
        let mode = ObjectLockMode::from(cfg.mode.as_s3());
        let hold = if cfg.legal_hold { ObjectLockLegalHoldStatus::On } else { ObjectLockLegalHoldStatus::Off };
        let mut placement =
            Placement { version_id: String::new(), mode: cfg.mode, retain_until, legal_hold: cfg.legal_hold, etag: None };
        if size <= PART {
            let bytes = read_part(path, 0, size).await?;
            check_name(name, &sha2::Sha256::digest(&bytes))?;
            let (md5_hex, md5) = content_md5(&bytes)?;
            let out = self
                .client
                .put_object()
                .bucket(&cfg.bucket)
                .key(name)
                .content_md5(md5)
                .content_length(size as i64)
                .body(ByteStream::from(bytes))
                .object_lock_mode(mode)
                .object_lock_retain_until_date(DateTime::from_secs(retain_until))
                .object_lock_legal_hold_status(hold)
                .send()
                .await
                .map_err(|e| s3_error(cfg, &format!("writing object {name}"), e))?;
            // The server checked the bytes against Content-MD5. Its ETag is
            // that MD5 unless the bucket encrypts with KMS keys; only then is
            // it kept for verify to compare.
            let etag = out.e_tag().map(|t| t.trim_matches('"').to_string());
            placement.etag = etag.filter(|t| *t == md5_hex);
            placement.version_id = out.version_id().map(str::to_string).unwrap_or_default();
        } else {
            placement.version_id = self.upload_parts(path, name, size, mode, retain_until, hold).await?;
        }
        if placement.version_id.is_empty() {
            return Err(Error::ObjectStore(format!(
                "writing object {name}: the server gave no version id (is versioning on for bucket {}?)",
                cfg.bucket
            )));
        }
        Ok(placement)
    }

    async fn upload_parts(
        &self,
        path: &Path,
        name: &str,
        size: u64,
        mode: ObjectLockMode,
        retain_until: i64,
        hold: ObjectLockLegalHoldStatus,
    ) -> Result<String> {
        use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart};
        let cfg = &self.config;
        let what = format!("writing object {name}");
        // At most 10,000 parts, whole MiB.
        let part = PART.max(size.div_ceil(10_000).div_ceil(1 << 20) << 20);
        let started = self
            .client
            .create_multipart_upload()
            .bucket(&cfg.bucket)
            .key(name)
            .object_lock_mode(mode.clone())
            .object_lock_retain_until_date(DateTime::from_secs(retain_until))
            .object_lock_legal_hold_status(hold.clone())
            .send()
            .await
            .map_err(|e| s3_error(cfg, &what, e))?;
        let upload_id = started.upload_id().unwrap_or_default().to_string();
        let result: Result<String> = async {
            // Parts go up several at once; a permit is taken before a part
            // is read, so no more than the permits' worth is in memory.
            // Parts are read (and hashed) in order, and uploaded as they are
            // read; the first failure stops the reading.
            let failed = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
            let mut sha256 = sha2::Sha256::new();
            let mut tasks = Vec::new();
            let mut offset = 0;
            let mut number = 1;
            while offset < size && !failed.load(std::sync::atomic::Ordering::Relaxed) {
                let len = part.min(size - offset);
                let permit = self.part_slots.clone().acquire_owned().await.expect("never closed");
                let bytes = read_part(path, offset, len).await?;
                sha256.update(&bytes);
                let (client, cfg, key, id, what, failed) =
                    (self.client.clone(), cfg.clone(), name.to_string(), upload_id.clone(), what.clone(), failed.clone());
                tasks.push(tokio::spawn(async move {
                    let _permit = permit;
                    let (_, md5) = content_md5(&bytes)?;
                    let out = client
                        .upload_part()
                        .bucket(&cfg.bucket)
                        .key(&key)
                        .upload_id(&id)
                        .part_number(number)
                        .content_md5(md5)
                        .content_length(len as i64)
                        .body(ByteStream::from(bytes))
                        .send()
                        .await
                        .map_err(|e| {
                            failed.store(true, std::sync::atomic::Ordering::Relaxed);
                            s3_error(&cfg, &what, e)
                        })?;
                    Ok::<_, Error>(CompletedPart::builder().part_number(number).set_e_tag(out.e_tag().map(str::to_string)).build())
                }));
                offset += len;
                number += 1;
            }
            let mut parts = Vec::with_capacity(tasks.len());
            let mut first_error = None;
            for task in tasks {
                match task.await {
                    Ok(Ok(p)) => parts.push(p),
                    Ok(Err(e)) => {
                        first_error.get_or_insert(e);
                    }
                    Err(e) => {
                        first_error.get_or_insert(Error::ObjectStore(format!("{what}: {e}")));
                    }
                }
            }
            if let Some(e) = first_error {
                return Err(e);
            }
            check_name(name, &sha256.finalize())?;
            let done = self
                .client
                .complete_multipart_upload()
                .bucket(&cfg.bucket)
                .key(name)
                .upload_id(&upload_id)
                .multipart_upload(CompletedMultipartUpload::builder().set_parts(Some(parts)).build())
                .send()
                .await
                .map_err(|e| s3_error(cfg, &what, e))?;
            Ok(done.version_id().unwrap_or_default().to_string())
        }
        .await;
        if result.is_err() {
            let _ = self.client.abort_multipart_upload().bucket(&cfg.bucket).key(name).upload_id(&upload_id).send().await;
        }
        let version = result?;
        // Not every server applies the lock headers of a multipart upload
        // (radosgw does not): the lock is set on the finished version.
        self.client
            .put_object_retention()
            .bucket(&cfg.bucket)
            .key(name)
            .version_id(&version)
            .retention(
                aws_sdk_s3::types::ObjectLockRetention::builder()
                    .mode(aws_sdk_s3::types::ObjectLockRetentionMode::from(mode.as_str()))
                    .retain_until_date(DateTime::from_secs(retain_until))
                    .build(),
            )
            .send()
            .await
            .map_err(|e| s3_error(cfg, &format!("locking object {name}"), e))?;
        if hold == ObjectLockLegalHoldStatus::On {
            self.client
                .put_object_legal_hold()
                .bucket(&cfg.bucket)
                .key(name)
                .version_id(&version)
                .legal_hold(aws_sdk_s3::types::ObjectLockLegalHold::builder().status(hold).build())
                .send()
                .await
                .map_err(|e| s3_error(cfg, &format!("placing a legal hold on object {name}"), e))?;
        }
        Ok(version)
    }

    /// An object already under `name`: its first version is accepted as
    /// this upload if its bytes hash to the name.
    async fn accept_existing(&self, name: &str) -> Result<Placement> {
        let cfg = &self.config;
        let version = self.first_version(name).await?.ok_or_else(|| Error::ObjectMissing(name.to_string()))?;
        let got = self
            .client
            .get_object()
            .bucket(&cfg.bucket)
            .key(name)
            .version_id(&version)
            .send()
            .await
            .map_err(|e| s3_error(cfg, &format!("reading back object {name}"), e))?;
        let mode = got.object_lock_mode().and_then(|m| LockMode::from_s3(m.as_str()));
        let retain_until = got.object_lock_retain_until_date().map_or(0, DateTime::secs);
        let legal_hold = got.object_lock_legal_hold_status() == Some(&ObjectLockLegalHoldStatus::On);
        let etag = got.e_tag().map(|t| t.trim_matches('"').to_string()).filter(|t| !t.contains('-'));
        let mut body = got.body;
        let mut h = sha2::Sha256::new();
        while let Some(chunk) = body.try_next().await.map_err(|e| Error::ObjectStore(format!("reading back object {name}: {e}")))? {
            h.update(&chunk);
        }
        if hex::encode(h.finalize()) != name {
            return Err(Error::ObjectStore(format!(
                "object {name} is already in bucket {} with other content; an object is written once and never replaced",
                cfg.bucket
            )));
        }
        Ok(Placement { version_id: version, mode: mode.unwrap_or(cfg.mode), retain_until, legal_hold, etag })
    }
}

/// Refuses an upload whose bytes, as read for it, do not hash to its name
/// (the partial changed after it was read back).
fn check_name(name: &str, sha256: &[u8]) -> Result<()> {
    if hex::encode(sha256) != name {
        return Err(Error::ObjectStore(format!(
            "object {name} changed on this disk after it was written and read back; it was not uploaded"
        )));
    }
    Ok(())
}

/// The MD5 of `bytes`, in hex and as `Content-MD5` (base64).
fn content_md5(bytes: &[u8]) -> Result<(String, String)> {
    let md5 = openssl::hash::hash(openssl::hash::MessageDigest::md5(), bytes).map_err(|e| Error::Encryption(e.to_string()))?;
    Ok((hex::encode(md5), base64::Engine::encode(&base64::engine::general_purpose::STANDARD, md5)))
}

/// Reads `len` bytes of the file at `path` from `offset`.
async fn read_part(path: &Path, offset: u64, len: u64) -> Result<Vec<u8>> {
    let path = path.to_path_buf();
    tokio::task::spawn_blocking(move || {
        let f = std::fs::File::open(&path).map_err(|e| Error::Io { path: path.clone(), source: e })?;
        let mut buf = vec![0; len as usize];
        std::os::unix::fs::FileExt::read_exact_at(&f, &mut buf, offset).map_err(|e| Error::Io { path: path.clone(), source: e })?;
        Ok(buf)
    })
    .await
    .map_err(|e| Error::ObjectStore(format!("reading a partial object: {e}")))?
}

