//! User import jobs' HTTP side: the upload to a job's pre-signed URL (an S3 `PUT`, answered as
//! S3 answers), and the thread that runs a started job's steps.

use crate::AppState;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cognate_core::idp::UploadRefusal;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The largest file S3 would take for a job ("100 MB per file"), and a byte more to know.
const MAX_BYTES: usize = 100_000_000;

fn s3_error(r: &UploadRefusal) -> Response {
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{}</Code><Message>{}</Message></Error>",
        r.code, r.message
    );
    let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::FORBIDDEN);
    (status, [(header::CONTENT_TYPE, "application/xml")], xml).into_response()
}

pub async fn upload(
    State(state): State<Arc<AppState>>,
    Path((pool_id, job_id)): Path<(String, String)>,
    Query(query): Query<BTreeMap<String, String>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BYTES + 1).await else {
        return s3_error(&UploadRefusal {
            status: 400,
            code: "EntityTooLarge",
            message: "Your proposed upload exceeds the maximum allowed size".into(),
        });
    };
    let encryption = headers.get("x-amz-server-side-encryption").and_then(|v| v.to_str().ok()).map(str::to_string);
    let idp = state.idp.clone();
    let done = tokio::task::spawn_blocking(move || {
        idp.receive_import_file(&pool_id, &job_id, &query, encryption.as_deref(), &bytes)
    })
    .await;
    match done {
        Ok(Ok(())) => (StatusCode::OK, [(header::ETAG, "\"cognate-import\"")]).into_response(),
        Ok(Err(refusal)) => s3_error(&refusal),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// Runs a job StartUserImportJob started, batch by batch, on a blocking thread: each batch is
/// a transaction of its own, so other requests go on between them.
pub fn run(state: &Arc<AppState>, pool_id: String, job_id: String) {
    let idp = state.idp.clone();
    tokio::task::spawn_blocking(move || {
        loop {
            match idp.import_step(&pool_id, &job_id) {
                Ok(true) => continue,
                Ok(false) => break,
                Err(e) => {
                    tracing::error!("import job {job_id} of {pool_id} stopped: {e:?}");
                    break;
                }
            }
        }
    });
}
