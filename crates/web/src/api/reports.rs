//! Periodic reports through the API (issue #19): the rounds a caller may read with where each
//! unit's report stands, a unit's report, its draft written and submitted, and a round's
//! consolidation — the same checks and access as the pages (`app::reporting`).

use std::collections::BTreeMap;

use axum::extract::State;
use chrono::Datelike;
use parindex_core::reporting::{Consolidated, Content, ReportStatus, RoundKind, canonical};
use parindex_store::repo::reporting::{ReportAction, ReportRow, RoundRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::api::routes::{ApiRouter, route};
use crate::app::reporting::{manages, reads_all, reads_unit, submits, writes};
use crate::ctx::Ctx;
use crate::error::AppError;
use crate::extract::{Json, Path, Query};

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearParams {
    /// The rounds' year (default: this year).
    pub year: Option<i32>,
}

/// A unit asked by a round, and where its report stands.
#[derive(Serialize, ToSchema)]
pub struct ApiRoundUnit {
    pub code: String,
    pub name: String,
    pub status: ReportStatus,
    /// First submitted by the deadline.
    pub on_time: bool,
    pub first_submitted_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Serialize, ToSchema)]
pub struct ApiRound {
    pub id: i64,
    pub year: i32,
    pub kind: RoundKind,
    pub label: String,
    pub form_code: String,
    pub form_title: String,
    pub deadline: chrono::NaiveDate,
    pub closed: bool,
    /// Every unit asked (the office and readers of every unit), or the caller's own unit.
    pub units: Vec<ApiRoundUnit>,
}

/// The year's reporting rounds as the caller may read them.
#[utoipa::path(get, path = "/api/v1/report-rounds", tag = "reports", params(YearParams),
    responses((status = 200, body = Vec<ApiRound>), (status = 401, body = crate::error::ApiError), (status = 403, body = crate::error::ApiError)))]
pub async fn list(State(state): State<AppState>, ctx: Ctx, Query(p): Query<YearParams>) -> Result<Json<Vec<ApiRound>>, AppError> {
    let Some(actor) = &ctx.actor else { return Err(AppError::Unauthenticated) };
    let own = if reads_all(&ctx) { None } else { Some(actor.unit_id.filter(|u| reads_unit(&ctx, *u)).ok_or(AppError::Forbidden)?) };
    let year = p.year.filter(|y| (2000..=2100).contains(y)).unwrap_or(parindex_core::assessment::today_vn().year());
    let mut out = Vec::new();
    for r in state.store.report_rounds(year).await? {
        let units: Vec<ApiRoundUnit> = state
            .store
            .round_units(&r)
            .await?
            .into_iter()
            .filter(|u| own.is_none_or(|o| o == u.unit_id))
            .map(|u| ApiRoundUnit {
                first_submitted_at: u.report.as_ref().and_then(|r| r.first_submitted_at),
                code: u.code,
                name: u.name,
                status: u.status,
                on_time: u.on_time,
            })
            .collect();
        if own.is_some() && units.is_empty() {
            continue; // the round does not ask the caller's unit
        }
        out.push(ApiRound {
            id: r.id,
            year: r.year,
            kind: r.kind,
            label: r.label,
            form_code: r.form.code.clone(),
            form_title: r.form.title.clone(),
            deadline: r.deadline,
            closed: r.closed,
            units,
        });
    }
    Ok(Json(out))
}

/// A unit's report with the round it answers (its form included) and the checks it fails now.
#[derive(Serialize, ToSchema)]
pub struct ApiReport {
    pub round: RoundRow,
    pub unit_code: String,
    /// None: nothing written yet.
    pub report: Option<ReportRow>,
    /// What a submission would be refused for now: `field` (`c.section.row.col` or
    /// `n.section`) and the message in both languages.
    pub problems: Vec<ApiProblem>,
}

#[derive(Serialize, ToSchema)]
pub struct ApiProblem {
    pub field: String,
    pub vi: String,
    pub en: String,
}

/// The round and the unit of a report the caller reads (404 for another unit's, and for a unit
/// the round does not ask).
async fn readable(state: &AppState, ctx: &Ctx, id: i64, code: &str) -> Result<(RoundRow, i64), AppError> {
    if ctx.actor.is_none() {
        return Err(AppError::Unauthenticated);
    }
    let round = state.store.report_round(id).await?;
    let unit = state.store.unit_id_by_code(code).await?.ok_or(AppError::NotFound)?;
    if !reads_unit(ctx, unit) {
        return Err(AppError::NotFound);
    }
    state.store.unit_report(&round, unit).await?;
    Ok((round, unit))
}

async fn report_of(state: &AppState, round: RoundRow, unit: i64, code: &str) -> Result<ApiReport, AppError> {
    let report = state.store.unit_report(&round, unit).await?;
    let problems = round
        .form
        .problems(&report.as_ref().map(|r| r.content.clone()).unwrap_or_default(), true)
        .into_iter()
        .map(|p| ApiProblem { field: p.field(), vi: p.message.vi, en: p.message.en })
        .collect();
    Ok(ApiReport { round, unit_code: code.to_string(), report, problems })
}

/// A unit's report of a round (its staff, and readers of every unit).
#[utoipa::path(get, path = "/api/v1/report-rounds/{id}/units/{code}", tag = "reports", params(("id" = i64, Path), ("code" = String, Path)),
    responses((status = 200, body = ApiReport), (status = 401, body = crate::error::ApiError), (status = 404, body = crate::error::ApiError)))]
pub async fn get_report(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, code)): Path<(i64, String)>,
) -> Result<Json<ApiReport>, AppError> {
    let (round, unit) = readable(&state, &ctx, id, &code).await?;
    Ok(Json(report_of(&state, round, unit, &code).await?))
}

/// A draft as written: the content (narratives by section key, cells by section and `row.col`,
/// numbers as text "12" or "3.5") and an optional file of the unit's evidence library.
#[derive(Deserialize, ToSchema)]
pub struct DraftBody {
    pub content: Content,
    #[serde(default)]
    pub file_id: Option<i64>,
    /// The version read (409 when somebody wrote since; 0 skips the check).
    #[serde(default)]
    pub version: i32,
}

/// Save a unit's draft (its staff who edit its work): every cell read as its column says (422
/// naming the first refused cell; nothing written); checks that fail are listed in `problems`.
#[utoipa::path(put, path = "/api/v1/report-rounds/{id}/units/{code}", tag = "reports", params(("id" = i64, Path), ("code" = String, Path)), request_body = DraftBody,
    responses((status = 200, body = ApiReport), (status = 400, body = crate::error::ApiError), (status = 401, body = crate::error::ApiError), (status = 403, body = crate::error::ApiError), (status = 404, body = crate::error::ApiError), (status = 409, body = crate::error::ApiError), (status = 422, body = crate::error::ApiError)))]
pub async fn save(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, code)): Path<(i64, String)>,
    Json(b): Json<DraftBody>,
) -> Result<Json<ApiReport>, AppError> {
    let (round, unit) = readable(&state, &ctx, id, &code).await?;
    if !writes(&ctx, unit) {
        return Err(AppError::Forbidden);
    }
    state.store.write_report(&ctx.audit(), id, unit, ReportAction::Save { content: b.content, file_id: b.file_id }, b.version).await?;
    Ok(Json(report_of(&state, round, unit, &code).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct DecisionBody {
    /// `submit` (the unit's leader), `accept` or `return` (the office).
    pub action: String,
    /// Why it is returned (required to return).
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub version: i32,
}

/// Move a unit's report: its leader submits it (complete, every check passing, the signed file
/// attached — 422 naming the first problem otherwise); the office accepts it or returns it
/// with a reason.
#[utoipa::path(post, path = "/api/v1/report-rounds/{id}/units/{code}/decisions", tag = "reports", params(("id" = i64, Path), ("code" = String, Path)), request_body = DecisionBody,
    responses((status = 200, body = ApiReport), (status = 400, body = crate::error::ApiError), (status = 401, body = crate::error::ApiError), (status = 403, body = crate::error::ApiError), (status = 404, body = crate::error::ApiError), (status = 409, body = crate::error::ApiError), (status = 422, body = crate::error::ApiError)))]
pub async fn decide(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, code)): Path<(i64, String)>,
    Json(b): Json<DecisionBody>,
) -> Result<Json<ApiReport>, AppError> {
    let (round, unit) = readable(&state, &ctx, id, &code).await?;
    let (action, allowed) = match b.action.as_str() {
        "submit" => (ReportAction::Submit, submits(&ctx, unit)),
        "accept" => (ReportAction::Accept, manages(&ctx)),
        "return" => (ReportAction::Return { reason: b.reason.clone() }, manages(&ctx)),
        _ => {
            return Err(AppError::BadRequest(parindex_core::Msg::new(
                "action là submit, accept hoặc return.",
                "action is submit, accept or return.",
            )));
        }
    };
    if !allowed {
        return Err(AppError::Forbidden);
    }
    state.store.write_report(&ctx.audit(), id, unit, action, b.version).await?;
    Ok(Json(report_of(&state, round, unit, &code).await?))
}

/// A round's consolidation: the summed tables with every cell (entered and computed) and the
/// narratives per unit.
#[derive(Serialize, ToSchema)]
pub struct ApiConsolidation {
    pub round_id: i64,
    pub consolidated: Consolidated,
    /// Every number cell of each table, computed included: section → `row.col` → value.
    pub tables: BTreeMap<String, BTreeMap<String, String>>,
}

/// The province's consolidation of a round from its accepted reports (readers of every unit).
#[utoipa::path(get, path = "/api/v1/report-rounds/{id}/consolidation", tag = "reports", params(("id" = i64, Path)),
    responses((status = 200, body = ApiConsolidation), (status = 401, body = crate::error::ApiError), (status = 404, body = crate::error::ApiError)))]
pub async fn consolidation(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Json<ApiConsolidation>, AppError> {
    if ctx.actor.is_none() {
        return Err(AppError::Unauthenticated);
    }
    if !reads_all(&ctx) {
        return Err(AppError::NotFound);
    }
    let round = state.store.report_round(id).await?;
    let consolidated = state.store.consolidate_round(&round).await?;
    let tables = round
        .form
        .sections
        .iter()
        .filter(|s| s.table.is_some())
        .map(|s| {
            let cells = round.form.evaluate(&s.key, &consolidated.content).into_iter().map(|(k, v)| (k, canonical(&v))).collect();
            (s.key.clone(), cells)
        })
        .collect();
    Ok(Json(ApiConsolidation { round_id: id, consolidated, tables }))
}

/// Every operation of this module (`api::routes`).
pub fn routes() -> ApiRouter {
    ApiRouter::new().with(route!(list)).with(route!(get_report)).with(route!(save)).with(route!(decide)).with(route!(consolidation))
}
