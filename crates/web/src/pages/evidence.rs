//! Evidence files of a unit's leaves (issue #4): upload (several files at once, streamed with a
//! size limit, content-addressed), link from the unit's library, unlink, download, and every
//! file of an assessment as one ZIP.

use crate::extract::Query;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use parindex_core::assessment::today_vn;
use parindex_core::{Action, Msg, Resource};
use parindex_store::StoreError;
use serde::Deserialize;

use crate::AppState;
use crate::chrome::store_error_text;
use crate::ctx::Ctx;
use crate::error::AppError;
use crate::pages::assessment::{Refusal, assessment_page, leaf_of, may_read_unit_work};

/// Stream one multipart field into a temporary file, hashing as it goes; stops at `limit`
/// bytes (the file is removed) so that an oversized upload fills neither memory nor disk.
async fn receive(
    state: &AppState,
    field: &mut axum::extract::multipart::Field<'_>,
    limit: usize,
) -> Result<(std::path::PathBuf, String, i64), AppError> {
    use sha2::Digest;
    use tokio::io::AsyncWriteExt;
    let (path, mut file) = state.blobs.temp_file().await.map_err(|e| AppError::Internal(format!("temp file: {e}")))?;
    let mut hasher = sha2::Sha256::new();
    let mut size = 0usize;
    let result: Result<(), AppError> = async {
        while let Some(chunk) = field.chunk().await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                AppError::PayloadTooLarge
            } else {
                AppError::BadRequest(Msg::new(format!("Không đọc được tệp tải lên ({e})."), format!("Cannot read the upload ({e}).")))
            }
        })? {
            size += chunk.len();
            if size > limit {
                return Err(AppError::PayloadTooLarge);
            }
            hasher.update(&chunk);
            file.write_all(&chunk).await.map_err(|e| AppError::Internal(format!("write: {e}")))?;
        }
        file.flush().await.map_err(|e| AppError::Internal(format!("write: {e}")))?;
        Ok(())
    }
    .await;
    drop(file);
    if let Err(e) = result {
        let _ = tokio::fs::remove_file(&path).await;
        return Err(e);
    }
    Ok((path, hex::encode(hasher.finalize()), size as i64))
}

/// What became of one uploaded file.
pub(crate) enum Upload {
    /// The field held no file (an empty file input).
    None,
    /// Stored and in the unit's library (deduplicated by content).
    Kept(parindex_store::repo::evidence::EvidenceRow),
    /// Not a kind of file evidence may be (the message names it); nothing kept.
    Refused(String),
    /// Over the size limit; the rest of the request must not be read.
    TooLarge(String),
}

/// A file received and kept in the blob store (not yet recorded anywhere).
pub(crate) struct Received {
    pub name: String,
    pub sha256: String,
    pub size: i64,
    pub kind: parindex_core::evidence::Kind,
}

/// Receive one multipart file field into the blob store: streamed with the size limit, its
/// kind read from its bytes (not its name), kept content-addressed. `Ok(Err(upload))` is a
/// field with no file, or a refusal to say.
pub(crate) async fn receive_file(
    state: &AppState,
    ctx: &Ctx,
    field: &mut axum::extract::multipart::Field<'_>,
) -> Result<Result<Received, Upload>, AppError> {
    let Some(original) = field.file_name().map(str::to_string).filter(|n| !n.is_empty()) else { return Ok(Err(Upload::None)) };
    let name = parindex_core::evidence::safe_name(&original);
    let limit = state.config.max_upload_bytes;
    let (tmp, sha, size) = match receive(state, field, limit).await {
        Ok(x) => x,
        Err(AppError::PayloadTooLarge) => {
            let mb = limit / 1024 / 1024;
            return Ok(Err(Upload::TooLarge(
                Msg::new(
                    format!("“{name}” vượt quá giới hạn {mb} MB; tệp không được lưu."),
                    format!("“{name}” is over the {mb} MB limit; the file was not kept."),
                )
                .get(ctx.lang.code())
                .to_string(),
            )));
        }
        Err(e) => return Err(e),
    };
    let kind = {
        let tmp = tmp.clone();
        const UNREADABLE: parindex_core::evidence::LooksLike = ("không đọc được", "unreadable");
        tokio::task::spawn_blocking(move || std::fs::File::open(&tmp).map_err(|_| UNREADABLE).and_then(parindex_reports::evidence::detect))
            .await
            .unwrap_or(Err(UNREADABLE))
    };
    let kind = match kind {
        Ok(k) => k,
        Err(looks) => {
            let _ = tokio::fs::remove_file(&tmp).await;
            let e = parindex_store::repo::evidence::refused(&name, looks);
            return Ok(Err(Upload::Refused(store_error_text(ctx, &e).unwrap_or_default())));
        }
    };
    state.blobs.keep(&tmp, &sha).await.map_err(|e| AppError::Internal(format!("keep: {e}")))?;
    Ok(Ok(Received { name, sha256: sha, size, kind }))
}

/// Receive one multipart file field into the unit's evidence library ([`receive_file`], then
/// recorded in the library, deduplicated by content).
pub(crate) async fn take_upload(
    state: &AppState,
    ctx: &Ctx,
    unit_id: i64,
    field: &mut axum::extract::multipart::Field<'_>,
) -> Result<Upload, AppError> {
    match receive_file(state, ctx, field).await? {
        Ok(f) => Ok(Upload::Kept(state.store.add_evidence(&ctx.audit(), unit_id, &f.sha256, f.size, f.kind, &f.name).await?)),
        Err(upload) => Ok(upload),
    }
}

/// The file chosen from the unit's library: "#12 Quyết định.pdf" as the list offers it, or a
/// bare id; anything else (an empty field) is no choice.
pub(crate) fn library_id(v: &str) -> Option<i64> {
    v.trim().trim_start_matches('#').split_whitespace().next()?.parse().ok()
}

/// The multipart reader's error as the page says it (too large: 413).
/// A file field read whole into memory — for imports that parse the file (tasks, reports,
/// registers); the limit is checked while reading, chunk by chunk, so that a request over it
/// stops at the limit instead of filling memory. Evidence goes to disk through [`take_upload`].
pub(crate) async fn file_field(
    field: &mut axum::extract::multipart::Field<'_>,
    fallback_name: &str,
    limit: usize,
) -> Result<(String, Vec<u8>), AppError> {
    let name = field.file_name().filter(|n| !n.is_empty()).unwrap_or(fallback_name).to_string();
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
        if bytes.len() + chunk.len() > limit {
            return Err(AppError::PayloadTooLarge);
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok((name, bytes))
}

pub(crate) fn multipart_error(e: axum::extract::multipart::MultipartError) -> AppError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::PayloadTooLarge
    } else {
        AppError::BadRequest(Msg::new(format!("Không đọc được tệp tải lên ({e})."), format!("Cannot read the upload ({e}).")))
    }
}

async fn upload_evidence(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, code)): Path<(i64, String)>,
    headers: axum::http::HeaderMap,
    mut mp: axum::extract::Multipart,
) -> Result<Response, AppError> {
    let view = state.store.get_assessment(id).await?;
    ctx.require(Action::EditUnitDrafts, Resource::Unit(view.assessment.unit_id))?;
    leaf_of(&view, &code)?;
    let limit = state.config.max_upload_bytes;
    // refused before reading a byte when the request says it is too big
    let declared = headers.get(axum::http::header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(AppError::PayloadTooLarge);
    }
    let today = today_vn();
    let mut problems = Vec::new();
    let mut linked = 0;
    while let Some(mut field) = mp.next_field().await.map_err(multipart_error)? {
        match field.name() {
            Some("library") => {
                // "#12 Quyết định.pdf" from the library list (or a bare id)
                let v = field.text().await.unwrap_or_default();
                if let Some(eid) = library_id(&v) {
                    match state.store.link_evidence(&ctx.audit(), id, &code, eid, today).await {
                        Ok(()) => linked += 1,
                        Err(e) => problems.push(store_error_text(&ctx, &e).unwrap_or_else(|| ctx.t("as.evidence_not_found").to_string())),
                    }
                }
            }
            Some("file") => match take_upload(&state, &ctx, view.assessment.unit_id, &mut field).await? {
                Upload::None => {}
                Upload::Kept(file) => match state.store.link_evidence(&ctx.audit(), id, &code, file.id, today).await {
                    Ok(()) => linked += 1,
                    Err(e) => problems.push(store_error_text(&ctx, &e).unwrap_or_default()),
                },
                Upload::Refused(m) => problems.push(m),
                Upload::TooLarge(m) => {
                    problems.push(m);
                    // the rest of the request is not read: its size is not known to be safe
                    break;
                }
            },
            _ => {}
        }
    }
    if problems.is_empty() {
        if linked == 0 {
            let m = ctx.t("as.no_file").to_string();
            return assessment_page(&state, &ctx, id, Refusal::at(code, m), None, StatusCode::UNPROCESSABLE_ENTITY, None).await;
        }
        return Ok(Redirect::to(&format!("/assessments/{id}?done=evidence#leaf-{}", crate::chrome::urlencode(&code))).into_response());
    }
    let status = if problems.iter().any(|p| p.contains("MB")) { StatusCode::PAYLOAD_TOO_LARGE } else { StatusCode::UNPROCESSABLE_ENTITY };
    assessment_page(&state, &ctx, id, Refusal::at(code, problems.join(" ")), None, status, None).await
}

async fn unlink_evidence(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, code, eid)): Path<(i64, String, i64)>,
) -> Result<Response, AppError> {
    let view = state.store.get_assessment(id).await?;
    ctx.require(Action::EditUnitDrafts, Resource::Unit(view.assessment.unit_id))?;
    match state.store.unlink_evidence(&ctx.audit(), id, &code, eid, today_vn()).await {
        Ok(()) => Ok(Redirect::to(&format!("/assessments/{id}?done=evidence#leaf-{}", crate::chrome::urlencode(&code))).into_response()),
        Err(e @ StoreError::Conflict(_)) => {
            let text = store_error_text(&ctx, &e).unwrap_or_default();
            assessment_page(&state, &ctx, id, Refusal::default(), Some(text), StatusCode::CONFLICT, None).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct DownloadQuery {
    inline: Option<String>,
}

/// A file, to those who may see the unit's drafts, as an attachment under its original name
/// (PDF and images may be shown in the browser with `?inline=1`, sandboxed). Logged.
async fn download_evidence(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(eid): Path<i64>,
    Query(q): Query<DownloadQuery>,
) -> Result<Response, AppError> {
    let file = state.store.get_evidence(eid).await?;
    if may_read_unit_work(&state, &ctx, file.unit_id).await.is_err() {
        // the council and provincial leadership: a file cited by an assessment they may read
        let citing = state.store.assessments_citing(eid).await?;
        let readable = citing.iter().any(|(unit_id, st)| crate::app::appraisal::may_read_assessment(&ctx, *unit_id, *st));
        if !readable {
            return Err(if ctx.actor.is_some() { AppError::Forbidden } else { AppError::Unauthenticated });
        }
    }
    send_file(&state, &ctx, &file, q.inline.is_some()).await
}

/// Stream a file of a unit's library (the caller decided the reader may), its download logged.
pub(crate) async fn send_file(
    state: &AppState,
    ctx: &Ctx,
    file: &parindex_store::repo::evidence::EvidenceRow,
    inline: bool,
) -> Result<Response, AppError> {
    let kind = parindex_core::evidence::Kind::parse(&file.kind).ok_or(AppError::NotFound)?;
    state.store.log_evidence_download(&ctx.audit(), file).await?;
    send_blob(state, &file.name, &file.sha256, file.size, kind, inline).await
}

/// A kept file streamed under its name: an attachment, or shown in the browser (`inline`, PDF
/// and images only), sandboxed, never cached.
pub(crate) async fn send_blob(
    state: &AppState,
    name: &str,
    sha256: &str,
    size: i64,
    kind: parindex_core::evidence::Kind,
    inline: bool,
) -> Result<Response, AppError> {
    let inline = inline && kind.previewable();
    let f = state.blobs.open(sha256).await.map_err(|_| AppError::NotFound)?;
    let body = axum::body::Body::from_stream(tokio_util::io::ReaderStream::new(f));
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, kind.mime().to_string()),
            (axum::http::header::CONTENT_DISPOSITION, parindex_core::evidence::content_disposition(name, inline)),
            (axum::http::header::CONTENT_LENGTH, size.to_string()),
            (
                axum::http::header::CONTENT_SECURITY_POLICY,
                "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'".to_string(),
            ),
            (axum::http::header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        body,
    )
        .into_response())
}

/// All of a unit's evidence for this assessment as one ZIP, a folder per criterion (the unit,
/// the reform office, and its appraisers). Written to a temporary file, then streamed.
async fn evidence_zip(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let view = state.store.get_assessment(id).await?;
    if !crate::app::appraisal::may_read_assessment(&ctx, view.assessment.unit_id, view.assessment.state) {
        may_read_unit_work(&state, &ctx, view.assessment.unit_id).await?;
    }
    let mut files = Vec::new();
    for (_, n) in view.framework.walk() {
        for f in view.evidence.get(&n.code).into_iter().flatten() {
            if let Some(path) = state.blobs.path(&f.sha256) {
                files.push((parindex_reports::evidence::folder_name(&n.code, &n.title), f.name.clone(), path));
            }
        }
    }
    let (tmp, file) = state.blobs.temp_file().await.map_err(|e| AppError::Internal(format!("temp: {e}")))?;
    let file = file.into_std().await;
    let written = tokio::task::spawn_blocking(move || parindex_reports::evidence::write_zip(file, &files))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    if let Err(e) = written {
        let _ = tokio::fs::remove_file(&tmp).await;
        return Err(AppError::Internal(format!("zip: {e}")));
    }
    let f = tokio::fs::File::open(&tmp).await.map_err(|e| AppError::Internal(e.to_string()))?;
    let size = f.metadata().await.map(|m| m.len()).unwrap_or(0);
    // the open file stays readable once its name is gone
    let _ = tokio::fs::remove_file(&tmp).await;
    let row = parindex_store::repo::evidence::EvidenceRow {
        id: 0,
        unit_id: view.assessment.unit_id,
        sha256: String::new(),
        size: size as i64,
        kind: "zip".into(),
        name: format!("{}.zip", view.assessment.unit_code),
        uploaded_by: String::new(),
        uploaded_at: chrono::Utc::now(),
    };
    state.store.log_evidence_download(&ctx.audit(), &row).await?;
    let name = format!("tai-lieu-kiem-chung-{}-{}.zip", view.period.code, view.assessment.unit_code);
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "application/zip".to_string()),
            (axum::http::header::CONTENT_DISPOSITION, parindex_core::evidence::content_disposition(&name, false)),
            (axum::http::header::CONTENT_LENGTH, size.to_string()),
            (axum::http::header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        axum::body::Body::from_stream(tokio_util::io::ReaderStream::new(f)),
    )
        .into_response())
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/assessments/{id}/entries/{code}/evidence", post(upload_evidence))
        .route("/assessments/{id}/entries/{code}/evidence/{eid}/unlink", post(unlink_evidence))
        .route("/evidence/{eid}", get(download_evidence))
        .route("/assessments/{id}/evidence.zip", get(evidence_zip))
}
