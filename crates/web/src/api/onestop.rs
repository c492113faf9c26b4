//! One-stop statistics through the API (issue #18): a year's figures per unit and month with
//! their rates (exact fractions), and the import the provincial one-stop system posts — the same
//! checks, the same all-or-nothing write and the same access as the pages (`app::onestop`).

use axum::extract::State;
use parindex_core::onestop::{Counts, Measure, Value};
use parindex_store::repo::onestop::{OnestopOutcome, OnestopRow, OnestopUpload};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::api::routes::{ApiRouter, route};
use crate::app::onestop::{UnitYear, import, pick_year, reads_all, reads_unit, year_view};
use crate::ctx::Ctx;
use crate::error::AppError;
use crate::extract::{Json, Query};

#[derive(Serialize, ToSchema)]
pub struct ApiRate {
    /// `on_time_rate`, `online_rate`, `online_payment_rate`, `digitised_results_rate`, `late_count`.
    pub measure: String,
    pub value: Value,
    /// The percentage (rates) or the count, exact, as text; null when nothing was counted.
    pub percent: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ApiOnestopMonth {
    /// 1–12; 0 for the year.
    pub month: u32,
    pub counts: Counts,
    pub rates: Vec<ApiRate>,
}

#[derive(Serialize, ToSchema)]
pub struct ApiOnestopUnit {
    pub unit_code: String,
    pub unit_name: String,
    /// The months with data, then the year (month 0).
    pub months: Vec<ApiOnestopMonth>,
}

#[derive(Serialize, ToSchema)]
pub struct ApiOnestopYear {
    pub year: i32,
    /// The units the caller may read (a unit's staff: their own).
    pub units: Vec<ApiOnestopUnit>,
}

fn month(month: u32, c: &Counts) -> ApiOnestopMonth {
    ApiOnestopMonth {
        month,
        counts: *c,
        rates: Measure::ALL
            .iter()
            .map(|m| {
                let value = m.of(c);
                ApiRate { measure: m.key().into(), percent: value.percent().map(|p| p.to_string()), value }
            })
            .collect(),
    }
}

fn api_unit(u: &UnitYear) -> ApiOnestopUnit {
    let mut months: Vec<ApiOnestopMonth> =
        u.months.iter().enumerate().filter_map(|(i, c)| c.as_ref().map(|c| month(i as u32 + 1, c))).collect();
    months.push(month(0, &u.total));
    ApiOnestopUnit { unit_code: u.code.clone(), unit_name: u.name.clone(), months }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearParams {
    /// The year (default: the newest with data).
    pub year: Option<i32>,
}

/// A year's one-stop figures per unit and month, with every rate as its exact fraction.
#[utoipa::path(get, path = "/api/v1/onestop", tag = "onestop", params(YearParams),
    responses((status = 200, body = ApiOnestopYear), (status = 401, body = crate::error::ApiError), (status = 403, body = crate::error::ApiError)))]
pub async fn year(State(state): State<AppState>, ctx: Ctx, Query(p): Query<YearParams>) -> Result<Json<ApiOnestopYear>, AppError> {
    let Some(actor) = &ctx.actor else { return Err(AppError::Unauthenticated) };
    let only = if reads_all(&ctx) {
        None
    } else {
        match actor.unit_id.filter(|u| reads_unit(&ctx, *u)) {
            Some(u) => Some(u),
            None => return Err(AppError::Forbidden),
        }
    };
    let (year, _) = pick_year(&state, p.year).await?;
    let (units, _) = year_view(&state, year, only).await?;
    Ok(Json(ApiOnestopYear { year, units: units.iter().map(api_unit).collect() }))
}

#[derive(Deserialize, ToSchema)]
pub struct ApiOnestopImport {
    /// One row per unit, month and procedure field.
    pub rows: Vec<OnestopRow>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// `true`: check and say what would change, write nothing.
    pub dry_run: Option<bool>,
    /// `false`: only the rows given change (a correction); default `true`: every row of the
    /// months the import covers is replaced.
    pub replace_months: Option<bool>,
}

/// Import one-stop statistics (the reform office, or the one-stop system with the office's
/// token). All or nothing: 422 lists every refused row.
#[utoipa::path(post, path = "/api/v1/onestop/imports", tag = "onestop", params(ImportParams),
    request_body = ApiOnestopImport,
    responses((status = 200, body = OnestopOutcome), (status = 400, body = crate::error::ApiError), (status = 401, body = crate::error::ApiError), (status = 403, body = crate::error::ApiError), (status = 422, body = crate::error::ApiError)))]
pub async fn import_rows(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(p): Query<ImportParams>,
    Json(b): Json<ApiOnestopImport>,
) -> Result<Json<OnestopOutcome>, AppError> {
    let upload = OnestopUpload {
        origin: "api",
        file_name: None,
        source_name: None,
        rows: b.rows,
        replace_months: p.replace_months.unwrap_or(true),
        dry_run: p.dry_run.unwrap_or(false),
    };
    Ok(Json(import(&state, &ctx, upload).await?))
}

/// Every operation of this module (`api::routes`).
pub fn routes() -> ApiRouter {
    ApiRouter::new().with(route!(year)).with(route!(import_rows))
}
