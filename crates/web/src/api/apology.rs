//! The public-apology register through the API (issue #18): the cases a caller may read (the
//! citizen's name and contact only for the unit and the office), recording cases (the office,
//! or the one-stop system with its token; a unit for itself) and a case's letter — the same
//! checks and access as the pages (`app::apology`).

use axum::extract::State;
use chrono::Datelike;
use parindex_store::repo::apology::{CaseFilter, CaseOutcome, CaseRow, CaseUpload, Letter, NewCase};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::api::routes::{ApiRouter, route};
use crate::app::apology::{reads_all, reads_unit, record, shown};
use crate::ctx::Ctx;
use crate::error::AppError;
use crate::extract::{Json, Path, Query};

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Cases whose file was due in this year (default: this year).
    pub year: Option<i32>,
    /// `true`: only cases still waiting for their letter.
    pub open: Option<bool>,
}

/// The cases the caller may read: every unit's for the office, the council, leadership and
/// appraisers; a unit's staff their own.
#[utoipa::path(get, path = "/api/v1/apologies", tag = "apologies", params(ListParams),
    responses((status = 200, body = Vec<CaseRow>), (status = 401, body = crate::error::ApiError), (status = 403, body = crate::error::ApiError)))]
pub async fn list(State(state): State<AppState>, ctx: Ctx, Query(p): Query<ListParams>) -> Result<Json<Vec<CaseRow>>, AppError> {
    let Some(actor) = &ctx.actor else { return Err(AppError::Unauthenticated) };
    let unit_id = if reads_all(&ctx) { None } else { Some(actor.unit_id.filter(|u| reads_unit(&ctx, *u)).ok_or(AppError::Forbidden)?) };
    let year = p.year.filter(|y| (2000..=2100).contains(y)).unwrap_or(parindex_core::assessment::today_vn().year());
    let cases = state.store.apology_cases(&CaseFilter { unit_id, year: Some(year), open: p.open.unwrap_or(false) }).await?;
    Ok(Json(cases.into_iter().map(|c| shown(&ctx, c)).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct ApiCases {
    pub cases: Vec<NewCase>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RecordParams {
    /// `true`: check and say what would be added, write nothing.
    pub dry_run: Option<bool>,
}

/// Record cases (a file already recorded for its unit is left as it is). All or nothing: 422
/// lists every refused row.
#[utoipa::path(post, path = "/api/v1/apologies", tag = "apologies", params(RecordParams), request_body = ApiCases,
    responses((status = 200, body = CaseOutcome), (status = 400, body = crate::error::ApiError), (status = 401, body = crate::error::ApiError), (status = 403, body = crate::error::ApiError), (status = 422, body = crate::error::ApiError)))]
pub async fn add(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(p): Query<RecordParams>,
    Json(b): Json<ApiCases>,
) -> Result<Json<CaseOutcome>, AppError> {
    let upload = CaseUpload { origin: "api", file_name: None, rows: b.cases, dry_run: p.dry_run.unwrap_or(false) };
    Ok(Json(record(&state, &ctx, upload).await?))
}

/// Record (or correct) a case's letter of apology (the unit's staff or the office).
#[utoipa::path(put, path = "/api/v1/apologies/{id}/letter", tag = "apologies", params(("id" = i64, Path)), request_body = Letter,
    responses((status = 200, body = CaseRow), (status = 400, body = crate::error::ApiError), (status = 401, body = crate::error::ApiError), (status = 403, body = crate::error::ApiError), (status = 404, body = crate::error::ApiError), (status = 422, body = crate::error::ApiError)))]
pub async fn letter(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(l): Json<Letter>,
) -> Result<Json<CaseRow>, AppError> {
    crate::app::apology::case_to_record(&state, &ctx, id).await?;
    let row = state.store.record_apology_letter(&ctx.audit(), id, l, parindex_core::assessment::today_vn()).await?;
    Ok(Json(shown(&ctx, row)))
}

/// Every operation of this module (`api::routes`).
pub fn routes() -> ApiRouter {
    ApiRouter::new().with(route!(list)).with(route!(add)).with(route!(letter))
}
