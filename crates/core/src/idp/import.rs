//! User import jobs: a CSV file of users, uploaded to the job's pre-signed URL and imported
//! as users who must reset their password (GetCSVHeader, Create/Start/Describe/List/
//! StopUserImportJob). Facts and sources: docs/research/user-import.md.
//!
//! The file is kept beside its job until the job ends. A started job runs in steps of
//! [`BATCH`] rows, each its own transaction that advances the job's counters, so a large file
//! never holds the store for long and DescribeUserImportJob shows its progress; the server runs
//! the steps on a thread of their own ([`UserPools::import_step`]). No trigger runs and no
//! message is sent for an imported user.

use crate::env::{ALNUM, RandomExt};
use crate::idp::lookup::{find_user, load_pool, user_key};
use crate::idp::pool_docs::{self, PoolDoc};
use crate::idp::pools::{required_attributes, schema_entry};
use crate::idp::service::UserPools;
use crate::store::{Owner, Tx, UserRecord};
use cognate_proto::idp::*;
use cognate_proto::{ApiError, RequestContext};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Rows imported per transaction.
pub const BATCH: usize = 500;
/// "The pre-signed URL is valid for 15 minutes" (X-Amz-Expires=899).
const UPLOAD_SECONDS: f64 = 899.0;
/// A job not started "within 24-48 hours" expires (UserImportJobType, model).
const EXPIRY_SECONDS: f64 = 24.0 * 3600.0;
/// "100 MB per file", "500,000 rows", "16,000 characters per row" (developer guide).
pub const MAX_FILE_BYTES: usize = 100_000_000;
const MAX_ROWS: usize = 500_000;
const MAX_ROW_CHARS: usize = 16_000;

const SUCCEEDED: &str = "Import Job Completed Successfully.";
const TOO_MANY_FAILED: &str = "Too many users have failed or been skipped during the import.";
const STOPPED: &str = "The Import Job was stopped by the developer.";
const EXPIRED: &str = "The user import job has expired.";

#[derive(Debug, Clone, Serialize, Deserialize)]
struct ImportJob {
    job: UserImportJobType,
    /// Batches of the file done so far.
    #[serde(default)]
    done: usize,
}

impl PoolDoc for ImportJob {
    const KIND: &'static str = "import-job";
}

/// The uploaded file's header and how many batches its rows were cut into at upload, so that
/// a step reads its own rows and no more.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct ImportFile {
    header: String,
    batches: usize,
}

impl PoolDoc for ImportFile {
    const KIND: &'static str = "import-file";
}

/// [`BATCH`] rows of a file, and after the step that imports them, their log lines
/// (`[OUTCOME] Line Number N - text`, as the job's CloudWatch log stream would hold them).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct ImportBatch {
    #[serde(default)]
    rows: Vec<String>,
    #[serde(default)]
    log: Vec<String>,
}

impl PoolDoc for ImportBatch {
    const KIND: &'static str = "import-batch";
}

fn batch_key(job_id: &str, index: usize) -> String {
    format!("{job_id}:{index:06}")
}

/// Forgets a job's file: its header and the rows not imported (the log lines stay).
fn drop_file(tx: &mut dyn Tx, pool_id: &str, job_id: &str) -> Result<(), ApiError> {
    if let Some(file) = pool_docs::get::<ImportFile>(tx, pool_id, Owner::Pool, job_id)? {
        for i in 0..file.batches {
            let key = batch_key(job_id, i);
            if let Some(b) = pool_docs::get::<ImportBatch>(tx, pool_id, Owner::Pool, &key)?
                && b.log.is_empty()
            {
                pool_docs::delete::<ImportBatch>(tx, pool_id, Owner::Pool, &key)?;
            }
        }
    }
    pool_docs::delete::<ImportFile>(tx, pool_id, Owner::Pool, job_id)
}

fn status(job: &ImportJob) -> UserImportJobStatusType {
    job.job.status.unwrap_or_default()
}

fn not_found(job_id: &str) -> ApiError {
    // UNCONFIRMED text.
    ApiError::resource_not_found(format!("Import job {job_id} does not exist."))
}

/// The job, expired first if it waited too long to start.
fn load_job(up: &UserPools, tx: &mut dyn Tx, pool_id: &str, job_id: &str) -> Result<ImportJob, ApiError> {
    let mut job: ImportJob = pool_docs::get(tx, pool_id, Owner::Pool, job_id)?.ok_or_else(|| not_found(job_id))?;
    let now = up.now();
    if status(&job) == UserImportJobStatusType::Created && now - job.job.creation_date.unwrap_or(now) > EXPIRY_SECONDS {
        finish(&mut job, UserImportJobStatusType::Expired, EXPIRED, now);
        save(tx, pool_id, &job)?;
        drop_file(tx, pool_id, job_id)?;
    }
    Ok(job)
}

fn save(tx: &mut dyn Tx, pool_id: &str, job: &ImportJob) -> Result<(), ApiError> {
    pool_docs::put(tx, pool_id, Owner::Pool, job.job.job_id.as_deref().unwrap_or_default(), job)
}

fn finish(job: &mut ImportJob, to: UserImportJobStatusType, message: &str, now: f64) {
    job.job.status = Some(to);
    job.job.completion_date = Some(now);
    job.job.completion_message = Some(message.into());
}

/// The columns a pool's file has: its schema in DescribeUserPool's order without `sub` and
/// `identities`, then `cognito:mfa_enabled` and `cognito:username` (GetCSVHeader's real
/// output).
fn header(pool: &UserPoolType) -> Vec<String> {
    let mut names: Vec<String> = pool
        .schema_attributes
        .iter()
        .flatten()
        .filter_map(|s| s.name.clone())
        .filter(|n| n != "sub" && n != "identities")
        .collect();
    names.push("cognito:mfa_enabled".into());
    names.push("cognito:username".into());
    names
}

pub(crate) fn get_csv_header(up: &UserPools, input: GetCSVHeaderRequest) -> Result<GetCSVHeaderResponse, ApiError> {
    up.tx(|tx| {
        let pool = load_pool(tx, &input.user_pool_id)?;
        Ok(GetCSVHeaderResponse { user_pool_id: Some(input.user_pool_id.clone()), csv_header: Some(header(&pool)) })
    })
}

/// What the upload URL's signature covers.
fn upload_signature(
    up: &UserPools,
    tx: &mut dyn Tx,
    pool_id: &str,
    job_id: &str,
    expires: i64,
) -> Result<String, ApiError> {
    let keys = up.pool_keys(tx, pool_id)?;
    let mac = keys.seal_deterministic(format!("user-import\0{pool_id}\0{job_id}\0{expires}").as_bytes());
    Ok(crate::env::hex(&mac))
}

pub(crate) fn create_user_import_job(
    up: &UserPools,
    ctx: &RequestContext,
    input: CreateUserImportJobRequest,
) -> Result<CreateUserImportJobResponse, ApiError> {
    let now = up.now();
    let job_id = format!("import-{}", up.rng.string_from(ALNUM, 10));
    let base = ctx.base_url.clone().unwrap_or_else(|| "http://localhost:9229".into());
    up.tx(|tx| {
        load_pool(tx, &input.user_pool_id)?;
        if input.password_hashing_algorithm.is_some() {
            return Err(ApiError::invalid_parameter(
                "cognate does not import password hashes: import the users without PasswordHashingAlgorithm.",
            ));
        }
        let expires = (now + UPLOAD_SECONDS).floor() as i64;
        let signature = upload_signature(up, tx, &input.user_pool_id, &job_id, expires)?;
        let url = format!(
            "{base}/_cognate/import/{}/{job_id}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=899\
             &X-Amz-SignedHeaders=host%3Bx-amz-server-side-encryption&X-Amz-Date={expires}&X-Amz-Signature={signature}",
            input.user_pool_id
        );
        let job = ImportJob {
            job: UserImportJobType {
                job_name: Some(input.job_name.clone()),
                job_id: Some(job_id.clone()),
                user_pool_id: Some(input.user_pool_id.clone()),
                pre_signed_url: Some(url),
                creation_date: Some(now),
                status: Some(UserImportJobStatusType::Created),
                cloud_watch_logs_role_arn: Some(input.cloud_watch_logs_role_arn.clone()),
                imported_users: Some(0),
                skipped_users: Some(0),
                failed_users: Some(0),
                ..Default::default()
            },
            done: 0,
        };
        save(tx, &input.user_pool_id, &job)?;
        Ok(CreateUserImportJobResponse { user_import_job: Some(job.job) })
    })
}

/// Why an upload to a job's URL was refused: an S3 error (status, code, message).
#[derive(Debug, Clone, PartialEq)]
pub struct UploadRefusal {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
}

fn refusal(status: u16, code: &'static str, message: impl Into<String>) -> UploadRefusal {
    UploadRefusal { status, code, message: message.into() }
}

impl UserPools {
    /// `PUT` of a file to a job's pre-signed URL: `query` is the URL's, `encryption` the
    /// request's `x-amz-server-side-encryption` (a header the URL signs, so S3 requires it).
    pub fn receive_import_file(
        &self,
        pool_id: &str,
        job_id: &str,
        query: &BTreeMap<String, String>,
        encryption: Option<&str>,
        body: &[u8],
    ) -> Result<(), UploadRefusal> {
        let denied = || refusal(403, "AccessDenied", "Access Denied");
        let expires: i64 = query.get("X-Amz-Date").and_then(|d| d.parse().ok()).ok_or_else(denied)?;
        let given = query.get("X-Amz-Signature").ok_or_else(denied)?;
        if encryption != Some("aws:kms") {
            return Err(refusal(
                403,
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided.",
            ));
        }
        if body.len() > MAX_FILE_BYTES {
            return Err(refusal(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size"));
        }
        let csv = String::from_utf8(body.to_vec())
            .map_err(|_| refusal(400, "InvalidArgument", "The file is not UTF-8 text."))?;
        let now = self.now();
        let internal = |_| refusal(500, "InternalError", "We encountered an internal error. Please try again.");
        self.tx(|tx| {
            if tx.pool(pool_id)?.is_none() {
                return Ok(Err(denied()));
            }
            if upload_signature(self, tx, pool_id, job_id, expires)? != *given {
                return Ok(Err(denied()));
            }
            if (expires as f64) < now {
                return Ok(Err(refusal(403, "AccessDenied", "Request has expired")));
            }
            let Some(job) = pool_docs::get::<ImportJob>(tx, pool_id, Owner::Pool, job_id)? else {
                return Ok(Err(denied()));
            };
            if status(&job) != UserImportJobStatusType::Created {
                return Ok(Err(denied()));
            }
            // A second upload replaces the first.
            drop_file(tx, pool_id, job_id)?;
            let mut lines = csv.lines();
            let header = lines.next().unwrap_or_default().to_string();
            let rows: Vec<&str> = lines.collect();
            let chunks: Vec<&[&str]> = rows.chunks(BATCH).collect();
            for (i, chunk) in chunks.iter().enumerate() {
                let batch = ImportBatch { rows: chunk.iter().map(|r| r.to_string()).collect(), log: Vec::new() };
                pool_docs::put(tx, pool_id, Owner::Pool, &batch_key(job_id, i), &batch)?;
            }
            pool_docs::put(tx, pool_id, Owner::Pool, job_id, &ImportFile { header, batches: chunks.len() })?;
            Ok(Ok(()))
        })
        .map_err(internal)?
    }

    /// Imports the next [`BATCH`] rows of a started job; answers whether rows remain. A job
    /// that is not running (stopped, finished, or another's) answers `false`.
    pub fn import_step(&self, pool_id: &str, job_id: &str) -> Result<bool, ApiError> {
        let now = self.now();
        self.tx(|tx| {
            let Some(mut job) = pool_docs::get::<ImportJob>(tx, pool_id, Owner::Pool, job_id)? else { return Ok(false) };
            if !matches!(status(&job), UserImportJobStatusType::Pending | UserImportJobStatusType::InProgress) {
                return Ok(false);
            }
            let Some(pool) = tx.pool(pool_id)? else { return Ok(false) };
            let Some(file) = pool_docs::get::<ImportFile>(tx, pool_id, Owner::Pool, job_id)? else {
                let text = "The CSV file could not be parsed: it is gone.";
                return end(tx, pool_id, job, UserImportJobStatusType::Failed, text, now);
            };
            job.job.status = Some(UserImportJobStatusType::InProgress);
            let columns = match parse_header(&file.header) {
                Ok(columns) if columns.iter().any(|c| c == "cognito:username") => columns,
                Ok(_) => {
                    let text = "The CSV file could not be parsed: the header has no cognito:username column.";
                    return end(tx, pool_id, job, UserImportJobStatusType::Failed, text, now);
                }
                Err(problem) => {
                    let text = format!("The CSV file could not be parsed: the header has {problem}.");
                    return end(tx, pool_id, job, UserImportJobStatusType::Failed, &text, now);
                }
            };
            let known = header(&pool);
            if let Some(unknown) = columns.iter().find(|c| !known.contains(c)) {
                let text = format!("The CSV file could not be parsed: the header names {unknown}, which is not in the pool's CSV header.");
                return end(tx, pool_id, job, UserImportJobStatusType::Failed, &text, now);
            }
            let key = batch_key(job_id, job.done);
            let mut batch: ImportBatch = pool_docs::get(tx, pool_id, Owner::Pool, &key)?.unwrap_or_default();
            let first = job.done * BATCH;
            for (i, row) in batch.rows.iter().enumerate() {
                let line = first + i + 2;
                let outcome = if first + i >= MAX_ROWS {
                    Err("The file has more than 500,000 users.".to_string())
                } else {
                    import_row(self, tx, &pool, &columns, row, now)
                };
                match outcome {
                    Ok(true) => {
                        *job.job.imported_users.get_or_insert(0) += 1;
                        batch.log.push(format!("[SUCCEEDED] Line Number {line} - The import succeeded."));
                    }
                    Ok(false) => {
                        *job.job.skipped_users.get_or_insert(0) += 1;
                        batch.log.push(format!("[SKIPPED] Line Number {line} - The user already exists."));
                    }
                    Err(why) => {
                        *job.job.failed_users.get_or_insert(0) += 1;
                        batch.log.push(format!("[FAILED] Line Number {line} - {why}"));
                    }
                }
            }
            batch.rows.clear();
            pool_docs::put(tx, pool_id, Owner::Pool, &key, &batch)?;
            job.done += 1;
            if job.done < file.batches {
                save(tx, pool_id, &job)?;
                return Ok(true);
            }
            let imported = job.job.imported_users.unwrap_or(0);
            let refused = job.job.failed_users.unwrap_or(0) + job.job.skipped_users.unwrap_or(0);
            // The real threshold is unknown (0 of 1, 0 of 5 and 14 of 46 imported all failed;
            // 2 of 2 succeeded): cognate fails a job where more rows were refused than imported.
            if refused > imported || (imported == 0 && refused > 0) {
                end(tx, pool_id, job, UserImportJobStatusType::Failed, TOO_MANY_FAILED, now)
            } else {
                end(tx, pool_id, job, UserImportJobStatusType::Succeeded, SUCCEEDED, now)
            }
        })
    }

    /// The job's log lines, as its CloudWatch log stream would hold them.
    pub fn import_log(&self, pool_id: &str, job_id: &str) -> Result<Vec<String>, ApiError> {
        self.tx(|tx| {
            let job = load_job(self, tx, pool_id, job_id)?;
            let mut lines = Vec::new();
            for i in 0..job.done {
                if let Some(b) = pool_docs::get::<ImportBatch>(tx, pool_id, Owner::Pool, &batch_key(job_id, i))? {
                    lines.extend(b.log);
                }
            }
            Ok(lines)
        })
    }
}

fn end(
    tx: &mut dyn Tx,
    pool_id: &str,
    mut job: ImportJob,
    to: UserImportJobStatusType,
    message: &str,
    now: f64,
) -> Result<bool, ApiError> {
    finish(&mut job, to, message, now);
    save(tx, pool_id, &job)?;
    // "Amazon Cognito deletes your uploaded CSV file" once the job ends.
    drop_file(tx, pool_id, job.job.job_id.as_deref().unwrap_or_default())?;
    Ok(false)
}

/// A row's values: comma-separated, `\,` a comma inside a value, no quoting, values trimmed.
fn split_row(row: &str) -> Vec<String> {
    let mut values = vec![String::new()];
    let mut chars = row.trim_end_matches('\r').chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&',') => {
                chars.next();
                values.last_mut().expect("one value at least").push(',');
            }
            ',' => values.push(String::new()),
            other => values.last_mut().expect("one value at least").push(other),
        }
    }
    values.into_iter().map(|v| v.trim().to_string()).collect()
}

fn parse_header(line: &str) -> Result<Vec<String>, String> {
    let columns = split_row(line.trim_start_matches('\u{feff}'));
    match columns.iter().enumerate().find(|(i, c)| c.is_empty() || columns[..*i].contains(c)) {
        Some((_, c)) if c.is_empty() => Err("an empty column".into()),
        Some((_, c)) => Err(format!("{c} twice")),
        None => Ok(columns),
    }
}

fn boolean(value: &str) -> Option<bool> {
    match value.to_ascii_lowercase().as_str() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

/// Imports one row: `Ok(true)` imported, `Ok(false)` skipped (the user exists), `Err` the
/// row's failure as the log says it.
fn import_row(
    up: &UserPools,
    tx: &mut dyn Tx,
    pool: &UserPoolType,
    columns: &[String],
    row: &str,
    now: f64,
) -> Result<bool, String> {
    if row.chars().count() > MAX_ROW_CHARS {
        return Err("The row is longer than 16,000 characters.".into());
    }
    let values = split_row(row);
    if values.len() != columns.len() {
        return Err(format!("The row has {} values where the header has {} columns.", values.len(), columns.len()));
    }
    let field: BTreeMap<&str, &str> = columns
        .iter()
        .map(String::as_str)
        .zip(values.iter().map(String::as_str))
        .filter(|(_, v)| !v.is_empty())
        .collect();
    let username = field.get("cognito:username").copied().unwrap_or_default();
    if username.is_empty() || username.contains([' ', '\t']) {
        return Err("The cognito:username is empty or contains spaces or tabs.".into());
    }
    let internal = |e: ApiError| e.message.unwrap_or_default();
    if find_user(tx, pool, username).map_err(internal)?.is_some() {
        return Ok(false);
    }
    let mut attributes = Vec::new();
    for (&name, &value) in &field {
        if name.starts_with("cognito:") {
            continue;
        }
        let value = match name {
            "email_verified" | "phone_number_verified" => match boolean(value) {
                Some(b) => b.to_string(),
                None => return Err(format!("The value of {name} is not true or false.")),
            },
            "email" if !crate::idp::attributes::is_email(value) => return Err("Invalid email address format.".into()),
            "phone_number" if !crate::idp::attributes::is_phone(value) => {
                return Err("Invalid phone number format.".into());
            }
            _ => value.to_string(),
        };
        if schema_entry(pool, name).is_none() {
            return Err(format!("The user data doesn't match the schema: {name}."));
        }
        attributes.push(AttributeType { name: name.to_string(), value: Some(value) });
    }
    let is_true = |name: &str| field.get(name).and_then(|v| boolean(v)) == Some(true);
    let auto: Vec<&str> = pool.auto_verified_attributes.iter().flatten().map(|a| a.as_str()).collect();
    let verified_flag = |attr: &str| if attr == "email" { "email_verified" } else { "phone_number_verified" };
    let any_verified = auto.iter().any(|a| is_true(verified_flag(a)));
    let only_one_unverified = auto.len() == 1 && !is_true(verified_flag(auto[0]));
    if !any_verified || only_one_unverified {
        return Err(
            "The User Record does not set any of the auto verified attributes to true. (Example: email_verified to true)."
                .into(),
        );
    }
    for (flag, attr) in [("email_verified", "email"), ("phone_number_verified", "phone_number")] {
        if is_true(flag) && !field.contains_key(attr) {
            return Err(format!("{flag} is true but the user has no {attr}."));
        }
    }
    let missing: Vec<&str> = required_attributes(pool).filter(|n| !field.contains_key(n)).collect();
    if !missing.is_empty() {
        return Err(format!(
            "The user data doesn't match the schema: required attributes missing: {}.",
            missing.join(", ")
        ));
    }
    let mfa = field.get("cognito:mfa_enabled").map(|v| boolean(v).ok_or(()));
    match (pool.mfa_configuration, mfa) {
        (_, Some(Err(()))) => return Err("The value of cognito:mfa_enabled is not true or false.".into()),
        (Some(UserPoolMfaType::On), Some(Ok(false))) => {
            return Err("cognito:mfa_enabled must be true or blank in a pool that requires MFA.".into());
        }
        (None | Some(UserPoolMfaType::Off), Some(Ok(true))) => {
            return Err("cognito:mfa_enabled must be false or blank in a pool without MFA.".into());
        }
        _ => {}
    }
    let sub = up.rng.uuid_v4();
    let mut all = vec![AttributeType { name: "sub".into(), value: Some(sub.clone()) }];
    all.extend(attributes);
    let user = UserRecord {
        key: user_key(pool, username),
        username: username.to_string(),
        sub,
        attributes: all,
        enabled: true,
        status: UserStatusType::ResetRequired,
        created: now,
        modified: now,
        ..Default::default()
    };
    // An email or phone number another user already holds as a sign-in name or verified
    // alias fails the row, as AdminCreateUser would refuse it.
    crate::idp::users::claim_identifiers(tx, pool, &user, false, now).map_err(internal)?;
    let pool_id = pool.id.as_deref().unwrap_or_default();
    tx.put_user(pool_id, &user).map_err(internal)?;
    Ok(true)
}

pub(crate) fn start_user_import_job(
    up: &UserPools,
    input: StartUserImportJobRequest,
) -> Result<StartUserImportJobResponse, ApiError> {
    let now = up.now();
    up.tx(|tx| {
        let pool = load_pool(tx, &input.user_pool_id)?;
        let mut job = load_job(up, tx, &input.user_pool_id, &input.job_id)?;
        if status(&job) != UserImportJobStatusType::Created {
            // UNCONFIRMED text.
            return Err(ApiError::precondition_not_met(format!(
                "Import job {} is {} and cannot be started.",
                input.job_id,
                status(&job).as_str()
            )));
        }
        if pool_docs::get::<ImportFile>(tx, &input.user_pool_id, Owner::Pool, &input.job_id)?.is_none() {
            return Err(ApiError::precondition_not_met(format!("No csv file was uploaded for {}", input.job_id)));
        }
        if pool.auto_verified_attributes.as_ref().is_none_or(Vec::is_empty) {
            // "If the user pool has no auto-verified attributes, the import job will not start."
            return Err(ApiError::precondition_not_met(
                "The user pool has no auto-verified attributes: set AutoVerifiedAttributes before importing users.",
            ));
        }
        job.job.status = Some(UserImportJobStatusType::Pending);
        job.job.start_date = Some(now);
        save(tx, &input.user_pool_id, &job)?;
        Ok(StartUserImportJobResponse { user_import_job: Some(job.job) })
    })
}

pub(crate) fn stop_user_import_job(
    up: &UserPools,
    input: StopUserImportJobRequest,
) -> Result<StopUserImportJobResponse, ApiError> {
    let now = up.now();
    up.tx(|tx| {
        load_pool(tx, &input.user_pool_id)?;
        let mut job = load_job(up, tx, &input.user_pool_id, &input.job_id)?;
        if !matches!(status(&job), UserImportJobStatusType::Pending | UserImportJobStatusType::InProgress) {
            // UNCONFIRMED text.
            return Err(ApiError::precondition_not_met(format!(
                "Import job {} is {} and cannot be stopped.",
                input.job_id,
                status(&job).as_str()
            )));
        }
        finish(&mut job, UserImportJobStatusType::Stopped, STOPPED, now);
        save(tx, &input.user_pool_id, &job)?;
        drop_file(tx, &input.user_pool_id, &input.job_id)?;
        Ok(StopUserImportJobResponse { user_import_job: Some(job.job) })
    })
}

pub(crate) fn describe_user_import_job(
    up: &UserPools,
    input: DescribeUserImportJobRequest,
) -> Result<DescribeUserImportJobResponse, ApiError> {
    up.tx(|tx| {
        load_pool(tx, &input.user_pool_id)?;
        let job = load_job(up, tx, &input.user_pool_id, &input.job_id)?;
        Ok(DescribeUserImportJobResponse { user_import_job: Some(job.job) })
    })
}

/// Newest first ("from last created to first created"), paged by position.
pub(crate) fn list_user_import_jobs(
    up: &UserPools,
    input: ListUserImportJobsRequest,
) -> Result<ListUserImportJobsResponse, ApiError> {
    let skip: usize = match crate::idp::lookup::decode_token(input.pagination_token.as_ref())? {
        Some(t) => t.parse().map_err(|_| ApiError::invalid_parameter("Invalid pagination token."))?,
        None => 0,
    };
    up.tx(|tx| {
        load_pool(tx, &input.user_pool_id)?;
        let ids: Vec<String> = pool_docs::all::<ImportJob>(tx, &input.user_pool_id, Owner::Pool)?
            .into_iter()
            .filter_map(|j| j.job.job_id)
            .collect();
        let mut jobs = Vec::new();
        for id in ids {
            jobs.push(load_job(up, tx, &input.user_pool_id, &id)?.job);
        }
        jobs.sort_by(|a, b| b.creation_date.unwrap_or_default().total_cmp(&a.creation_date.unwrap_or_default()));
        let limit = input.max_results.max(1) as usize;
        let more = jobs.len() > skip + limit;
        let page: Vec<UserImportJobType> = jobs.into_iter().skip(skip).take(limit).collect();
        Ok(ListUserImportJobsResponse {
            user_import_jobs: Some(page),
            pagination_token: more.then(|| crate::idp::lookup::encode_token(&(skip + limit).to_string())),
        })
    })
}
