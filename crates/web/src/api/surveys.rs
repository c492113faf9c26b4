//! `/api/v1/surveys`: survey runs for programs (reform office unless said otherwise) — the list,
//! one run with its units, indices (from the counts), officials' leaf shares and comment counts;
//! the breakdown by respondent group (cells below the minimum size carry no figures); import of
//! collected responses (CSV/XLSX body, the same path as the page: all or nothing, every bad row
//! returned); the raw-response and indices exports; and the comments, which a unit's staff read
//! and answer for their own unit only.

use crate::extract::Json;
use crate::extract::Path;
use crate::extract::Query;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use parindex_core::{Action, Resource};
use parindex_store::repo::survey_feedback::NewReply;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::IntoParams;

use crate::AppState;
use crate::api::routes::{ApiRouter, route};
use crate::app::survey_data::ImportFailure;
use crate::ctx::Ctx;
use crate::error::AppError;

/// Every survey run, with its totals.
#[utoipa::path(get, path = "/api/v1/surveys", tag = "surveys", responses((status = 200, body = Object), (status = 403, body = crate::error::ApiError)))]
pub async fn list(State(state): State<AppState>, ctx: Ctx) -> Result<Json<Value>, AppError> {
    ctx.require(Action::ManageSurveys, Resource::System)?;
    Ok(Json(json!({ "surveys": state.store.list_surveys().await? })))
}

/// One run: its units (population, quota, responses, public link key), the SIPAS indices per unit
/// and element from the counts (`share_top2` in %, `mean` 1–5), the officials' leaf shares
/// (exact fractions) and the comments received / answered per unit.
#[utoipa::path(get, path = "/api/v1/surveys/{id}", tag = "surveys", params(("id" = i64, Path)),
    responses((status = 200, body = Object), (status = 403, body = crate::error::ApiError), (status = 404, body = crate::error::ApiError)))]
pub async fn get_one(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Json<Value>, AppError> {
    ctx.require(Action::ManageSurveys, Resource::System)?;
    let run = state.store.get_survey(id).await?;
    let units = state.store.survey_units(id).await?;
    let indices: Vec<Value> = parindex_core::sipas::indices(&state.store.survey_tallies(id).await?)
        .into_iter()
        .map(|r| json!({"unit_code": r.unit, "element": r.element, "n": r.n, "share_top2": r.share_top2, "mean": r.mean}))
        .collect();
    let shares: Vec<Value> = state
        .store
        .survey_leaf_shares(id)
        .await?
        .into_iter()
        .map(|l| json!({"unit_code": l.unit_code, "leaf": l.leaf, "answers": l.answers, "share": l.share.to_fraction_string()}))
        .collect();
    let comments: Vec<Value> = state
        .store
        .comment_counts(id)
        .await?
        .into_iter()
        .map(|(unit_id, c)| json!({"unit_id": unit_id, "received": c.received, "answered": c.answered}))
        .collect();
    let units: Vec<Value> = units
        .into_iter()
        .map(|u| {
            json!({"unit_id": u.unit_id, "unit_code": u.unit_code, "unit_name": u.unit_name, "population": u.population,
                   "quota": u.quota, "responses": u.responses, "public_key": u.public_key})
        })
        .collect();
    Ok(Json(json!({"survey": run, "units": units, "indices": indices, "leaf_shares": shares, "comments": comments})))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnitParam {
    /// One unit's id (default: the whole survey).
    pub unit: Option<i64>,
}

/// The breakdown by respondent group. A group with fewer respondents than the survey's minimum
/// cell size has `hidden: true`, no respondent count and no figures.
#[utoipa::path(get, path = "/api/v1/surveys/{id}/breakdown", tag = "surveys", params(("id" = i64, Path), UnitParam),
    responses((status = 200, body = Object), (status = 403, body = crate::error::ApiError), (status = 404, body = crate::error::ApiError)))]
pub async fn breakdown(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(p): Query<UnitParam>,
) -> Result<Json<Value>, AppError> {
    ctx.require(Action::ManageSurveys, Resource::System)?;
    let run = state.store.get_survey(id).await?;
    if let Some(u) = p.unit
        && !state.store.survey_units(id).await?.iter().any(|x| x.unit_id == u)
    {
        return Err(AppError::NotFound);
    }
    let min = u64::try_from(run.min_cell).unwrap_or(0);
    let groups: Vec<Value> = state
        .store
        .survey_breakdown(id, p.unit)
        .await?
        .into_iter()
        .map(|c| {
            if c.respondents < min {
                return json!({"question": c.question, "option": c.option, "hidden": true});
            }
            let elements: Vec<Value> =
                c.elements.iter().map(|t| json!({"n": t.n, "share_top2": t.share_top2(), "mean": t.mean()})).collect();
            json!({"question": c.question, "option": c.option, "hidden": false, "respondents": c.respondents, "elements": elements})
        })
        .collect();
    Ok(Json(json!({"min_cell": run.min_cell, "unit_id": p.unit, "groups": groups})))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// The file's name (`.csv` or `.xlsx`), for messages and the record.
    pub filename: Option<String>,
    /// The channel of rows without one: `paper` (default) or `import`.
    pub channel: Option<String>,
}

/// Import collected responses (CSV or XLSX body): 201 with the count and the columns ignored,
/// unknown or absent; 422 with every bad row (`row`, `field`) — nothing is written; 409 when the
/// same file was imported before or the survey is closed.
#[utoipa::path(post, path = "/api/v1/surveys/{id}/responses", tag = "surveys", params(("id" = i64, Path), ImportParams),
    request_body(content = String, content_type = "application/octet-stream"),
    responses((status = 201, body = Object), (status = 403, body = crate::error::ApiError), (status = 409, body = crate::error::ApiError), (status = 422, body = crate::error::ApiError)))]
pub async fn import(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(p): Query<ImportParams>,
    body: Bytes,
) -> Result<Response, AppError> {
    ctx.require(Action::ManageSurveys, Resource::System)?;
    if body.len() > crate::app::survey_data::MAX_IMPORT_BYTES {
        return Err(AppError::PayloadTooLarge);
    }
    let name = p.filename.unwrap_or_else(|| "responses.csv".into());
    let channel = match p.channel.as_deref() {
        Some("import") => "import",
        _ => "paper",
    };
    let error = |status: StatusCode, code: &str, vi: String, en: String, details: Vec<Value>| {
        let message = if ctx.lang.code() == "en" { en.clone() } else { vi.clone() };
        (status, Json(json!({"error": {"code": code, "message": message, "message_vi": vi, "message_en": en, "details": details}})))
            .into_response()
    };
    match crate::app::survey_data::import_responses(&state.store, &ctx.audit(), id, &name, std::sync::Arc::new(body.to_vec()), channel)
        .await
    {
        Ok(done) => Ok((StatusCode::CREATED, Json(json!({ "imported": done }))).into_response()),
        Err(ImportFailure::File(m)) => Ok(error(StatusCode::CONFLICT, "invalid_file", m.vi, m.en, vec![])),
        Err(ImportFailure::Rows { problems, bad_rows }) => {
            let details =
                problems.iter().map(|p| json!({"row": p.row, "field": p.column, "message_vi": p.vi, "message_en": p.en})).collect();
            Ok(error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_rows",
                format!("Có {bad_rows} dòng sai; chưa nhập phiếu nào."),
                format!("{bad_rows} rows are wrong; nothing was imported."),
                details,
            ))
        }
        Err(ImportFailure::Store(e)) => Err(e.into()),
    }
}

/// A unit's comments (newest first) with their answers. Unit staff: their own unit only (the
/// default); the reform office: any unit.
#[utoipa::path(get, path = "/api/v1/surveys/{id}/comments", tag = "surveys", params(("id" = i64, Path), UnitParam),
    responses((status = 200, body = Object), (status = 403, body = crate::error::ApiError), (status = 404, body = crate::error::ApiError)))]
pub async fn comments(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(p): Query<UnitParam>,
) -> Result<Json<Value>, AppError> {
    let actor = ctx.actor.as_ref().ok_or(AppError::Unauthenticated)?;
    let unit = p.unit.or(actor.unit_id).ok_or(AppError::NotFound)?;
    ctx.require(Action::ViewSurveyComments, Resource::Unit(unit))?;
    if !state.store.survey_units(id).await?.iter().any(|u| u.unit_id == unit) {
        return Err(AppError::NotFound);
    }
    Ok(Json(json!({"unit_id": unit, "comments": state.store.survey_comments(id, unit).await?})))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ReplyBody {
    pub unit: i64,
    pub question: String,
    pub body: String,
    /// Show the comment and this answer on the public portal once the survey is published
    /// (default: no).
    #[serde(default)]
    pub public: bool,
}

/// Answer (or change the answer to) a comment: the unit's own staff only.
#[utoipa::path(post, path = "/api/v1/surveys/{id}/comments/{response}", tag = "surveys", params(("id" = i64, Path), ("response" = i64, Path)),
    request_body = ReplyBody,
    responses((status = 204), (status = 403, body = crate::error::ApiError), (status = 404, body = crate::error::ApiError), (status = 422, body = crate::error::ApiError)))]
pub async fn reply(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, response)): Path<(i64, i64)>,
    Json(b): Json<ReplyBody>,
) -> Result<StatusCode, AppError> {
    ctx.require(Action::AnswerSurveyComments, Resource::Unit(b.unit))?;
    state
        .store
        .reply_to_comment(
            &ctx.audit(),
            id,
            b.unit,
            NewReply { response_id: response, question: &b.question, body: &b.body, public: b.public },
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct PublishBody {
    /// `true`: on the public portal (a closed survey only); `false`: taken off.
    pub public: bool,
}

/// Put a closed survey's results on the public portal (`/cong-khai/khao-sat/{code}`), or take
/// them off (reform office). 409 for a survey still open.
#[utoipa::path(post, path = "/api/v1/surveys/{id}/publish", tag = "surveys", params(("id" = i64, Path)), request_body = PublishBody,
    responses((status = 204), (status = 403, body = crate::error::ApiError), (status = 404, body = crate::error::ApiError), (status = 409, body = crate::error::ApiError)))]
pub async fn publish(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(b): Json<PublishBody>,
) -> Result<StatusCode, AppError> {
    ctx.require(Action::ManageSurveys, Resource::System)?;
    state.store.publish_survey(&ctx.audit(), id, b.public).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct PointsBody {
    /// The period (of the survey's year) whose assessments receive the points.
    pub period: i64,
}

/// Officials' survey → points: write each unit's leaf shares into the period's assessments
/// (points = max × share, exact, with a note of the source). Returns what was written and what
/// was skipped, with the reason.
#[utoipa::path(post, path = "/api/v1/surveys/{id}/points", tag = "surveys", params(("id" = i64, Path)), request_body = PointsBody,
    responses((status = 200, body = Object), (status = 403, body = crate::error::ApiError), (status = 422, body = crate::error::ApiError)))]
pub async fn points(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(b): Json<PointsBody>,
) -> Result<Json<Value>, AppError> {
    ctx.require(Action::ManageSurveys, Resource::System)?;
    ctx.require(Action::ManagePeriods, Resource::System)?;
    Ok(Json(serde_json::to_value(state.store.apply_survey_points(&ctx.audit(), id, b.period).await?).unwrap_or_default()))
}

/// Every response of the survey as CSV, streamed (one row per response; the columns of
/// `shared/bench`'s layout) — the survey's team.
#[utoipa::path(get, path = "/api/v1/surveys/{id}/responses", tag = "surveys", params(("id" = i64, Path)),
    responses((status = 200, description = "CSV, UTF-8", content_type = "text/csv", body = String), (status = 403, body = crate::error::ApiError)))]
pub async fn export_responses(
    state: State<AppState>,
    ctx: Ctx,
    id: crate::extract::Path<i64>,
) -> Result<axum::response::Response, AppError> {
    crate::app::surveys::export_responses(state, ctx, id).await
}

/// The SIPAS indices as CSV in the layout of `parindex sipas compute` (`shared/bench/SIPAS_SPEC.md`).
#[utoipa::path(get, path = "/api/v1/surveys/{id}/indices.csv", tag = "surveys", params(("id" = i64, Path)),
    responses((status = 200, description = "CSV, UTF-8", content_type = "text/csv", body = String), (status = 403, body = crate::error::ApiError)))]
pub async fn export_indices(state: State<AppState>, ctx: Ctx, id: crate::extract::Path<i64>) -> Result<axum::response::Response, AppError> {
    crate::app::surveys::export_indices(state, ctx, id).await
}

/// Every operation of this module, each where its annotation says (`api::routes`).
pub fn routes() -> ApiRouter {
    ApiRouter::new()
        .with(route!(list))
        .with(route!(get_one))
        .with(route!(breakdown))
        .with(route!(import))
        .with(route!(export_responses))
        .with(route!(export_indices))
        .with(route!(points))
        .with(route!(comments))
        .with(route!(reply))
        .with(route!(publish))
}
