//! The plans register through the API (issue #19): a year's province plan, the units' plans and
//! the plan's tasks a caller may read, and the owner's report on a task — the same checks and
//! access as the pages (`app::plans`).

use axum::extract::State;
use chrono::Datelike;
use parindex_store::repo::plans::{PlanRow, TaskFilter, TaskRow, TaskUpdate};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::api::routes::{ApiRouter, route};
use crate::app::plans::{readable_task, reads_all, reads_unit, reports_for};
use crate::ctx::Ctx;
use crate::error::AppError;
use crate::extract::{Json, Path, Query};

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearParams {
    /// The plan's year (default: this year).
    pub year: Option<i32>,
}

#[derive(Serialize, ToSchema)]
pub struct ApiPlans {
    pub year: i32,
    /// The province's plan (with the deadline of the units' plans), when recorded.
    pub province: Option<PlanRow>,
    /// The units' plans the caller may read.
    pub unit_plans: Vec<PlanRow>,
    /// The tasks the caller may read (a unit's staff: those their unit owns or co-operates on).
    pub tasks: Vec<TaskRow>,
}

/// A year's plans and tasks as the caller may read them: every unit's for the office, the
/// council, leadership and appraisers; a unit's staff their own.
#[utoipa::path(get, path = "/api/v1/plans", tag = "plans", params(YearParams),
    responses((status = 200, body = ApiPlans), (status = 401, body = crate::error::ApiError), (status = 403, body = crate::error::ApiError)))]
pub async fn list(State(state): State<AppState>, ctx: Ctx, Query(p): Query<YearParams>) -> Result<Json<ApiPlans>, AppError> {
    let Some(actor) = &ctx.actor else { return Err(AppError::Unauthenticated) };
    let unit_id = if reads_all(&ctx) { None } else { Some(actor.unit_id.filter(|u| reads_unit(&ctx, *u)).ok_or(AppError::Forbidden)?) };
    let year = p.year.filter(|y| (2000..=2100).contains(y)).unwrap_or(parindex_core::assessment::today_vn().year());
    let (province, mut unit_plans) = state.store.plans_of_year(year).await?;
    if let Some(u) = unit_id {
        let code = state.store.get_unit(u).await?.unit.code;
        unit_plans.retain(|p| p.unit_code.as_deref() == Some(code.as_str()));
    }
    let tasks = state.store.plan_tasks(&TaskFilter { year, unit_id, ..Default::default() }).await?;
    Ok(Json(ApiPlans { year, province, unit_plans, tasks }))
}

/// The owner unit's report on a task (its staff, or the office): the status (`done` with
/// `done_on`, `dropped` with `reason`), an optional progress note, against `version` (409 when
/// somebody changed the task since; 0 skips the check).
#[utoipa::path(put, path = "/api/v1/plan-tasks/{id}", tag = "plans", params(("id" = i64, Path)), request_body = TaskUpdate,
    responses((status = 200, body = TaskRow), (status = 400, body = crate::error::ApiError), (status = 401, body = crate::error::ApiError), (status = 403, body = crate::error::ApiError), (status = 404, body = crate::error::ApiError), (status = 409, body = crate::error::ApiError), (status = 422, body = crate::error::ApiError)))]
pub async fn report(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(b): Json<TaskUpdate>,
) -> Result<Json<TaskRow>, AppError> {
    let (task, _) = readable_task(&state, &ctx, id).await?;
    if !reports_for(&ctx, task.owner_unit_id) {
        return Err(AppError::Forbidden);
    }
    Ok(Json(state.store.update_plan_task(&ctx.audit(), id, b, parindex_core::assessment::today_vn()).await?))
}

/// Every operation of this module (`api::routes`).
pub fn routes() -> ApiRouter {
    ApiRouter::new().with(route!(list)).with(route!(report))
}
