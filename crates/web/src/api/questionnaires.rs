//! `/api/v1/questionnaires`: the survey questionnaires (reform office): list, read one (the
//! whole model as JSON), import an XLSForm workbook or YAML body (every diagnostic returned),
//! publish, and download as XLSForm.

use crate::extract::Json;
use crate::extract::Path;
use crate::extract::Query;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use parindex_core::{Action, Resource};
use parindex_reports::xlsform::{Diag, Level};
use parindex_store::repo::surveys::QuestionnaireRow;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::IntoParams;

use crate::AppState;
use crate::api::routes::{ApiRouter, route};
use crate::ctx::Ctx;
use crate::error::AppError;

fn diag_json(d: &Diag) -> Value {
    let level = match d.level {
        Level::Error => "error",
        Level::Unsupported => "not_imported",
        Level::Warning => "warning",
    };
    json!({"level": level, "sheet": d.sheet, "row": d.row, "name": d.name, "message_vi": d.vi, "message_en": d.en})
}

/// Every questionnaire (drafts and published).
#[utoipa::path(get, path = "/api/v1/questionnaires", tag = "surveys", responses((status = 200, body = [Object]), (status = 403, body = crate::error::ApiError)))]
pub async fn list(State(state): State<AppState>, ctx: Ctx) -> Result<Json<Vec<QuestionnaireRow>>, AppError> {
    ctx.require(Action::ManageSurveys, Resource::System)?;
    Ok(Json(state.store.list_questionnaires().await?))
}

/// One questionnaire: its row and the whole definition (sections, questions, lists).
#[utoipa::path(get, path = "/api/v1/questionnaires/{code}", tag = "surveys", params(("code" = String, Path)),
    responses((status = 200, body = Object), (status = 403, body = crate::error::ApiError), (status = 404, body = crate::error::ApiError)))]
pub async fn get_one(State(state): State<AppState>, ctx: Ctx, Path(code): Path<String>) -> Result<Json<Value>, AppError> {
    ctx.require(Action::ManageSurveys, Resource::System)?;
    let (row, q) = state.store.get_questionnaire(&code).await?;
    Ok(Json(json!({"questionnaire": row, "definition": q})))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// The file's name (for messages; `.xlsx`/`.xls` or `.yaml`).
    pub filename: Option<String>,
}

/// Import an XLSForm workbook or a YAML questionnaire (told apart by content) as a draft.
/// 201 with the row and the diagnostics (what was not imported, warnings); 422 with every error
/// when refused — nothing is written.
#[utoipa::path(post, path = "/api/v1/questionnaires", tag = "surveys", params(ImportParams),
    request_body(content = String, content_type = "application/octet-stream"),
    responses((status = 201, body = Object), (status = 403, body = crate::error::ApiError), (status = 409, body = crate::error::ApiError), (status = 422, body = crate::error::ApiError)))]
pub async fn import(State(state): State<AppState>, ctx: Ctx, Query(p): Query<ImportParams>, body: Bytes) -> Result<Response, AppError> {
    ctx.require(Action::ManageSurveys, Resource::System)?;
    let name = p.filename.unwrap_or_else(|| "questionnaire.xlsx".into());
    let import = parindex_reports::xlsform::import_file(&name, &body);
    let details: Vec<Value> = import.diags.iter().map(diag_json).collect();
    let Some(q) = import.questionnaire else {
        let (vi, en) = ("Tệp phiếu không nhập được; xem từng lỗi.", "The questionnaire file cannot be imported; see each error.");
        let message = if ctx.lang.code() == "en" { en } else { vi };
        let body = json!({"error": {"code": "invalid_file", "message": message, "message_vi": vi, "message_en": en, "details": details}});
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response());
    };
    let row = state.store.save_questionnaire(&ctx.audit(), q, &name).await?;
    Ok((StatusCode::CREATED, Json(json!({"questionnaire": row, "diagnostics": details})).into_response()).into_response())
}

/// Publish a draft questionnaire (immutable afterwards; 409 when already published).
#[utoipa::path(post, path = "/api/v1/questionnaires/{code}/publish", tag = "surveys", params(("code" = String, Path)),
    responses((status = 200, body = Object), (status = 403, body = crate::error::ApiError), (status = 409, body = crate::error::ApiError)))]
pub async fn publish(State(state): State<AppState>, ctx: Ctx, Path(code): Path<String>) -> Result<Json<QuestionnaireRow>, AppError> {
    ctx.require(Action::ManageSurveys, Resource::System)?;
    Ok(Json(state.store.publish_questionnaire(&ctx.audit(), &code).await?))
}

/// The questionnaire as an XLSForm workbook.
#[utoipa::path(get, path = "/api/v1/questionnaires/{code}/xlsform", tag = "surveys", params(("code" = String, Path)),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 403, body = crate::error::ApiError)))]
pub async fn xlsform(State(state): State<AppState>, ctx: Ctx, Path(code): Path<String>) -> Result<Response, AppError> {
    ctx.require(Action::ManageSurveys, Resource::System)?;
    let (_, q) = state.store.get_questionnaire(&code).await?;
    let bytes = parindex_reports::xlsform::export_xlsform(&q).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(crate::chrome::download(bytes, crate::chrome::XLSX, "questionnaire.xlsx"))
}

/// Every operation of this module, each where its annotation says (`api::routes`).
pub fn routes() -> ApiRouter {
    ApiRouter::new().with(route!(list)).with(route!(import)).with(route!(get_one)).with(route!(publish)).with(route!(xlsform))
}
