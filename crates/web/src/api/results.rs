//! JSON API of results (issue #6), beside the pages: a period's results as computed (before
//! publication, for the office, council and leadership — the public API serves published
//! snapshots, `api::public`), each dashboard table, the bonuses and penalties of an assessment,
//! and a unit's improvement actions. Same decisions as the pages (`core::access`).

use crate::extract::Json;
use crate::extract::Path;
use crate::extract::Query;
use axum::extract::State;
use chrono::NaiveDate;
use parindex_core::{Action, Resource};
use parindex_reports::grid::Cell;
use parindex_store::repo::improvements::ActionInput;
use parindex_store::repo::results::PeriodResults;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

use crate::AppState;
use crate::api::routes::{ApiRouter, route};
use crate::ctx::Ctx;
use crate::error::AppError;

/// A period's results as they stand: per unit the total (Σ leaves + bonuses − penalties),
/// index (exact), rank, group, domains, every leaf (points that count, own points, appraised),
/// bonuses and penalties, and the comparison with the previous period (through predecessors
/// and the crosswalk).
#[utoipa::path(get, path = "/api/v1/periods/{id}/results", tag = "results", params(("id" = i64, Path)),
    responses((status = 200, body = PeriodResults), (status = 403, body = crate::error::ApiError), (status = 404, body = crate::error::ApiError)))]
pub async fn results(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Json<PeriodResults>, AppError> {
    ctx.require(Action::ViewResults, Resource::System)?;
    Ok(Json(state.store.period_results(id).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AnalysisParams {
    kind: Option<String>,
    area: Option<String>,
    unit: Option<String>,
}

/// One table of the analysis dashboards (`so-sanh`, `phan-bo`, `tu-cham-don-vi`,
/// `tu-cham-tieu-chi`, `tieu-chi-yeu`, `xu-huong`, `sipas`) with the page's filters: header
/// and rows, numbers as exact decimal text.
#[utoipa::path(get, path = "/api/v1/periods/{id}/analysis/{table}", tag = "results", params(("id" = i64, Path), ("table" = String, Path), AnalysisParams),
    responses((status = 200, body = ApiAnalysisTable), (status = 403, body = crate::error::ApiError), (status = 404, body = crate::error::ApiError)))]
pub async fn analysis(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, table)): Path<(i64, String)>,
    Query(p): Query<AnalysisParams>,
) -> Result<Json<ApiAnalysisTable>, AppError> {
    ctx.require(Action::ViewResults, Resource::System)?;
    let r = state.store.period_results(id).await?;
    let q = crate::app::analysis::Filters::new(p.kind, p.area, p.unit);
    let t = crate::app::analysis::tables(&state, &ctx, &r, &q, Some(&table))
        .await?
        .into_iter()
        .find(|t| t.key == table)
        .ok_or(AppError::NotFound)?;
    let rows = t
        .rows
        .iter()
        .map(|row| {
            row.iter()
                .map(|c| match c {
                    Cell::Text(s) => Some(s.clone()),
                    Cell::Number { exact, .. } => Some(exact.clone()),
                    Cell::Empty => None,
                })
                .collect()
        })
        .collect();
    Ok(Json(ApiAnalysisTable { table: t.key.to_string(), title: t.title, header: t.header, rows }))
}

/// One analysis table, every row (the page shows the first ones).
#[derive(Serialize, ToSchema)]
pub struct ApiAnalysisTable {
    /// Its key, as asked.
    pub table: String,
    pub title: String,
    pub header: Vec<String>,
    /// Cells as text; numbers as exact decimal text; an empty cell is null.
    pub rows: Vec<Vec<Option<String>>>,
}

/// The bonuses and penalties of an assessment (everyone who reads the assessment).
#[utoipa::path(get, path = "/api/v1/assessments/{id}/adjustments", tag = "results", params(("id" = i64, Path)),
    responses((status = 200, body = Object), (status = 403, body = crate::error::ApiError), (status = 404, body = crate::error::ApiError)))]
pub async fn adjustments(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Json<Value>, AppError> {
    let view = state.store.get_assessment(id).await?;
    crate::app::appraisal::require_read_assessment(&ctx, &view)?;
    Ok(Json(json!({"adjustments": state.store.assessment_adjustments(id).await?})))
}

#[derive(Deserialize, ToSchema)]
pub struct AdjustmentBody {
    /// The input in the inputs format (`"phe_binh"`, `1.5`, `true`, `{"value": 1.5}`); `null`
    /// removes the entry.
    #[schema(value_type = Object)]
    pub input: Option<Value>,
    /// The basis: decision number, inspection finding (required).
    pub reason: String,
}

/// Enter or remove a bonus or penalty (reform office), with its basis.
#[utoipa::path(put, path = "/api/v1/assessments/{id}/adjustments/{code}", tag = "results", params(("id" = i64, Path), ("code" = String, Path)),
    request_body = AdjustmentBody,
    responses((status = 200, body = Object), (status = 403, body = crate::error::ApiError), (status = 409, body = crate::error::ApiError), (status = 422, body = crate::error::ApiError)))]
pub async fn put_adjustment(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, code)): Path<(i64, String)>,
    Json(b): Json<AdjustmentBody>,
) -> Result<Json<Value>, AppError> {
    ctx.require(Action::SetAdjustments, Resource::System)?;
    let view = state.store.get_assessment(id).await?;
    let rule = view.framework.adjustments.iter().find(|a| a.code == code).map(|a| a.rule.clone()).ok_or(AppError::NotFound)?;
    let input = match b.input {
        None | Some(Value::Null) => None,
        Some(v) => Some(crate::app::leaves::json_input(v, &rule).map_err(AppError::BadRequest)?),
    };
    let points = state.store.set_adjustment(&ctx.audit(), id, &code, input, &b.reason).await?;
    Ok(Json(json!({"code": code, "points": points.map(|p| p.to_string())})))
}

/// A unit's improvement actions (its staff; the office, council, leadership).
#[utoipa::path(get, path = "/api/v1/units/{id}/improvements", tag = "results", params(("id" = i64, Path)),
    responses((status = 200, body = Object), (status = 403, body = crate::error::ApiError)))]
pub async fn improvements(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Json<Value>, AppError> {
    ctx.require(Action::ViewImprovements, Resource::Unit(id))?;
    Ok(Json(json!({"improvements": state.store.unit_improvements(id).await?})))
}

#[derive(Deserialize, ToSchema)]
pub struct PlanBody {
    pub node_code: String,
    pub action: String,
    pub owner: String,
    /// YYYY-MM-DD
    #[schema(value_type = String)]
    pub due_on: Option<NaiveDate>,
}

/// Plan an action from a leaf of the unit's assessment (the unit's own staff).
#[utoipa::path(post, path = "/api/v1/assessments/{id}/improvements", tag = "results", params(("id" = i64, Path)),
    request_body = PlanBody,
    responses((status = 201, body = Object), (status = 403, body = crate::error::ApiError), (status = 422, body = crate::error::ApiError)))]
pub async fn plan(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(b): Json<PlanBody>,
) -> Result<(axum::http::StatusCode, Json<Value>), AppError> {
    let view = state.store.get_assessment(id).await?;
    ctx.require(Action::PlanImprovements, Resource::Unit(view.assessment.unit_id))?;
    let a = state
        .store
        .add_improvement(&ctx.audit(), id, ActionInput { node_code: b.node_code, action: b.action, owner: b.owner, due_on: b.due_on })
        .await?;
    Ok((axum::http::StatusCode::CREATED, Json(json!(a))))
}

#[derive(Deserialize, ToSchema)]
pub struct FollowBody {
    /// planned, doing, done, dropped
    pub status: String,
    pub outcome: Option<String>,
}

/// Follow an action up (the unit's own staff).
#[utoipa::path(put, path = "/api/v1/units/{id}/improvements/{action}", tag = "results", params(("id" = i64, Path), ("action" = i64, Path)),
    request_body = FollowBody,
    responses((status = 200, body = Object), (status = 403, body = crate::error::ApiError), (status = 404, body = crate::error::ApiError), (status = 422, body = crate::error::ApiError)))]
pub async fn follow(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, action)): Path<(i64, i64)>,
    Json(b): Json<FollowBody>,
) -> Result<Json<Value>, AppError> {
    ctx.require(Action::PlanImprovements, Resource::Unit(id))?;
    Ok(Json(json!(state.store.update_improvement(&ctx.audit(), id, action, &b.status, b.outcome.as_deref()).await?)))
}

/// Every operation of this module, each where its annotation says (`api::routes`).
pub fn routes() -> ApiRouter {
    ApiRouter::new()
        .with(route!(results))
        .with(route!(analysis))
        .with(route!(adjustments))
        .with(route!(put_adjustment))
        .with(route!(plan))
        .with(route!(improvements))
        .with(route!(follow))
}
