//! Fed data through the API (issue #18): a period's fed leaves with each unit's value and where
//! it came from, and the upload of a `feed: imported` leaf's values as JSON — the same checks,
//! the same all-or-nothing write and the same access as the pages (`app::feeds`).

use axum::extract::State;
use parindex_core::{Action, Resource};
use parindex_store::repo::feeds::{
    FedChange, FedCorrection, FeedDecision, FeedImportOutcome, FeedLeaf, FeedUpload, MissingRule, NewFeedValue,
};
use parindex_store::repo::periods::Decision;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::api::routes::{ApiRouter, route};
use crate::app::feeds::{import_rows, visible_feed, visible_feeds};
use crate::ctx::Ctx;
use crate::error::AppError;
use crate::extract::{Json, Path, Query};

#[derive(Serialize, ToSchema)]
pub struct ApiFedUnit {
    pub unit_code: String,
    pub unit_name: String,
    /// The assessment's state (`approved`: the value is final).
    pub state: String,
    /// The leaf rule's input (e.g. `{"percent": "87.5"}`); null: no data yet.
    #[schema(value_type = Option<Object>)]
    pub input: Option<serde_json::Value>,
    /// The points the rule gives the input (exact decimal as text).
    pub points: Option<String>,
    /// Where the value came from, in words.
    pub provenance: Option<String>,
    /// The upload it came from.
    pub import_id: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct ApiFedLeaf {
    pub code: String,
    pub title: String,
    /// The feed's name as the framework writes it (`imported`, …).
    pub feed: String,
    /// The appraising department's code and name.
    pub appraiser: Option<String>,
    pub appraiser_name: Option<String>,
    /// Whether the caller may upload this leaf's values.
    pub can_upload: bool,
    /// The units the caller may read (a unit reads its own only).
    pub units: Vec<ApiFedUnit>,
    /// The council's decision for the units without data.
    pub decision: Option<FeedDecision>,
}

fn api_leaf((l, uploads): (FeedLeaf, bool)) -> ApiFedLeaf {
    ApiFedLeaf {
        code: l.code,
        title: l.title,
        feed: l.feed,
        appraiser: l.appraiser,
        appraiser_name: l.appraiser_name,
        can_upload: uploads,
        decision: l.decision,
        units: l
            .units
            .into_iter()
            .map(|u| ApiFedUnit {
                unit_code: u.unit_code,
                unit_name: u.unit_name,
                state: u.state.to_string(),
                input: u.value.as_ref().and_then(|v| serde_json::to_value(&v.input).ok()),
                points: u.value.as_ref().and_then(|v| v.points.as_ref()).map(|p| p.to_string()),
                provenance: u.value.as_ref().map(|v| v.provenance.clone()),
                import_id: u.value.as_ref().and_then(|v| v.import_id),
            })
            .collect(),
    }
}

/// A period's fed leaves and their values (only the units the caller may read).
#[utoipa::path(get, path = "/api/v1/periods/{id}/feeds", tag = "periods", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<ApiFedLeaf>), (status = 401, body = crate::error::ApiError), (status = 403, body = crate::error::ApiError), (status = 404, body = crate::error::ApiError)))]
pub async fn list(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Json<Vec<ApiFedLeaf>>, AppError> {
    Ok(Json(visible_feeds(&state, &ctx, id).await?.into_iter().map(api_leaf).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct ApiFeedUpload {
    /// One row per unit; units left out keep their value, a row without `input` clears it.
    pub rows: Vec<NewFeedValue>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadParams {
    /// `true`: check and say what would change, write nothing.
    pub dry_run: Option<bool>,
}

/// Upload values of a `feed: imported` leaf (the reform office or the leaf's appraising
/// department). All or nothing: 422 lists every refused row.
#[utoipa::path(put, path = "/api/v1/periods/{id}/feeds/{leaf}", tag = "periods", params(("id" = i64, Path), ("leaf" = String, Path), UploadParams),
    request_body = ApiFeedUpload,
    responses((status = 200, body = FeedImportOutcome), (status = 400, body = crate::error::ApiError), (status = 401, body = crate::error::ApiError), (status = 403, body = crate::error::ApiError), (status = 404, body = crate::error::ApiError), (status = 422, body = crate::error::ApiError)))]
pub async fn upload(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, leaf)): Path<(i64, String)>,
    Query(p): Query<UploadParams>,
    Json(b): Json<ApiFeedUpload>,
) -> Result<Json<FeedImportOutcome>, AppError> {
    let upload = FeedUpload { origin: "api", file_name: None, rows: b.rows, dry_run: p.dry_run.unwrap_or(false) };
    Ok(Json(import_rows(&state, &ctx, id, &leaf, upload).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct ApiFeedDecision {
    /// `zero` (scored 0) or `exclude` (left out of the unit's applicable maximum).
    pub kind: MissingRule,
    /// The reason or basis (e.g. the council's document number).
    pub reason: String,
}

/// The council's decision for the units a fed leaf has no data for, so that the period can be
/// approved (replaces an earlier one; 409 once approved).
#[utoipa::path(post, path = "/api/v1/periods/{id}/feeds/{leaf}/decision", tag = "periods", params(("id" = i64, Path), ("leaf" = String, Path)),
    request_body = ApiFeedDecision,
    responses((status = 200, body = FeedDecision), (status = 400, body = crate::error::ApiError), (status = 401, body = crate::error::ApiError), (status = 403, body = crate::error::ApiError), (status = 404, body = crate::error::ApiError), (status = 409, body = crate::error::ApiError), (status = 422, body = crate::error::ApiError)))]
pub async fn decide(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, leaf)): Path<(i64, String)>,
    Json(b): Json<ApiFeedDecision>,
) -> Result<Json<FeedDecision>, AppError> {
    ctx.require(Action::ApprovePeriod, Resource::System)?;
    visible_feed(&state, &ctx, id, &leaf).await?;
    Ok(Json(state.store.decide_missing_feed(&ctx.audit(), id, &leaf, b.kind, &b.reason).await?))
}

#[derive(Serialize, ToSchema)]
pub struct ApiCorrectionPreview {
    /// Leaves (unit × fed leaf) whose data now differs from the approved results.
    pub leaves_to_correct: usize,
    /// Each of them, with its points now and from the data.
    pub changes: Vec<FedChange>,
}

/// How many fed leaves of an approved period a correction would rewrite (the council, admins;
/// 409 before approval).
#[utoipa::path(get, path = "/api/v1/periods/{id}/feed-corrections", tag = "periods", params(("id" = i64, Path)),
    responses((status = 200, body = ApiCorrectionPreview), (status = 401, body = crate::error::ApiError), (status = 403, body = crate::error::ApiError), (status = 404, body = crate::error::ApiError), (status = 409, body = crate::error::ApiError)))]
pub async fn correction_preview(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Json<ApiCorrectionPreview>, AppError> {
    ctx.require(Action::ApprovePeriod, Resource::System)?;
    let changes = state.store.fed_values_to_correct(id).await?;
    Ok(Json(ApiCorrectionPreview { leaves_to_correct: changes.len(), changes }))
}

#[derive(Deserialize, ToSchema)]
pub struct ApiFeedCorrection {
    /// The council's decision allowing the correction.
    pub decision: Decision,
    /// Which figures and why; it becomes the reason of the new published version.
    pub reason: String,
}

/// Correct an approved period's fed figures from their data now (data that arrived or was
/// corrected after approval), under the council's decision: every fed leaf is rewritten in one
/// transaction and, when the results were published, a new version is published with the
/// reason (the council, admins; 409 before approval or when nothing differs).
#[utoipa::path(post, path = "/api/v1/periods/{id}/feed-corrections", tag = "periods", params(("id" = i64, Path)),
    request_body = ApiFeedCorrection,
    responses((status = 200, body = FedCorrection), (status = 400, body = crate::error::ApiError), (status = 401, body = crate::error::ApiError), (status = 403, body = crate::error::ApiError), (status = 404, body = crate::error::ApiError), (status = 409, body = crate::error::ApiError), (status = 422, body = crate::error::ApiError)))]
pub async fn correct(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(b): Json<ApiFeedCorrection>,
) -> Result<Json<FedCorrection>, AppError> {
    ctx.require(Action::ApprovePeriod, Resource::System)?;
    Ok(Json(state.store.correct_fed_values(&ctx.audit(), id, b.decision, &b.reason, parindex_core::assessment::today_vn()).await?))
}

/// Every operation of this module (`api::routes`).
pub fn routes() -> ApiRouter {
    ApiRouter::new().with(route!(list)).with(route!(upload)).with(route!(decide)).with(route!(correction_preview)).with(route!(correct))
}
