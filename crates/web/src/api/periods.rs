//! Periods and self-assessments through the API: the same rules as the pages (docs/workflow.md),
//! the same store functions, the same `can` decisions.

use crate::extract::Json;
use crate::extract::Path;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::NaiveDate;
use parindex_core::assessment::today_vn;
use parindex_core::{Action, Resource};
use parindex_store::repo::periods::{AssessmentRow, Decision, PeriodInput, PeriodRow, Person};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::api::routes::{ApiRouter, route};
use crate::app::leaves::{self, Appraisal, Given, OwnScore};
use crate::ctx::Ctx;
use crate::error::AppError;

#[derive(Serialize, ToSchema)]
pub struct ApiPeriod {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub year: i32,
    pub framework: String,
    pub status: String,
    pub self_due: Option<NaiveDate>,
    pub appraisal_due: Option<NaiveDate>,
    pub explanation_due: Option<NaiveDate>,
    pub final_due: Option<NaiveDate>,
    pub approval_due: Option<NaiveDate>,
    /// Number of assessments per state.
    #[schema(value_type = Object)]
    pub states: std::collections::BTreeMap<String, usize>,
    pub units: usize,
    /// The council's approval decision, once approved.
    pub decision: Option<Decision>,
    /// The reform office's officer in charge of the period (whom units call).
    pub contact: Option<Person>,
}

impl From<PeriodRow> for ApiPeriod {
    fn from(p: PeriodRow) -> Self {
        ApiPeriod {
            id: p.id,
            code: p.code,
            name: p.name,
            year: p.year,
            framework: p.framework_code,
            status: p.status,
            self_due: p.self_due,
            appraisal_due: p.appraisal_due,
            explanation_due: p.explanation_due,
            final_due: p.final_due,
            approval_due: p.approval_due,
            states: p.states,
            units: p.units,
            decision: p.decision,
            contact: p.contact,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ApiAssessment {
    pub id: i64,
    pub period_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    /// draft, submitted, under_appraisal, returned, …
    pub state: String,
    pub self_due: Option<NaiveDate>,
    /// Leaves scored, of the leaves the unit scores itself.
    pub done: usize,
    pub to_do: usize,
    pub submitted_by: Option<String>,
}

impl From<AssessmentRow> for ApiAssessment {
    fn from(a: AssessmentRow) -> Self {
        ApiAssessment {
            id: a.id,
            period_id: a.period_id,
            unit_code: a.unit_code,
            unit_name: a.unit_name,
            state: a.state.as_str().to_string(),
            self_due: a.self_due,
            done: a.done,
            to_do: a.to_do,
            submitted_by: a.submitted_by,
        }
    }
}

/// Every period with its assessments counted per state.
#[utoipa::path(get, path = "/api/v1/periods", tag = "periods", responses((status = 200, body = Vec<ApiPeriod>)))]
pub async fn list(State(state): State<AppState>, ctx: Ctx) -> Result<Json<Vec<ApiPeriod>>, AppError> {
    ctx.require(Action::ViewPeriods, Resource::System)?;
    Ok(Json(state.store.list_periods().await?.into_iter().map(Into::into).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct ApiPeriodInput {
    pub code: String,
    pub name: String,
    pub year: i32,
    /// A published framework's code.
    pub framework: String,
    /// Participating unit kinds (empty: the framework's kinds) …
    #[serde(default)]
    pub unit_kinds: Vec<String>,
    /// … or unit codes (win over kinds).
    #[serde(default)]
    pub unit_codes: Vec<String>,
    pub self_due: Option<NaiveDate>,
    pub appraisal_due: Option<NaiveDate>,
    pub explanation_due: Option<NaiveDate>,
    pub final_due: Option<NaiveDate>,
    pub approval_due: Option<NaiveDate>,
    /// The username of the reform office's officer in charge (an active administrator).
    pub contact_username: Option<String>,
}

/// Open a period: one assessment per participating unit. 422 names every wrong field.
#[utoipa::path(post, path = "/api/v1/periods", tag = "periods", request_body = ApiPeriodInput,
    responses((status = 201, body = ApiPeriod), (status = 403, body = crate::error::ApiError), (status = 422, body = crate::error::ApiError)))]
pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(b): Json<ApiPeriodInput>,
) -> Result<(StatusCode, Json<ApiPeriod>), AppError> {
    ctx.require(Action::ManagePeriods, Resource::System)?;
    let input = PeriodInput {
        code: b.code,
        name: b.name,
        year: b.year,
        framework_code: b.framework,
        unit_kinds: b.unit_kinds,
        unit_codes: b.unit_codes,
        self_due: b.self_due,
        appraisal_due: b.appraisal_due,
        explanation_due: b.explanation_due,
        final_due: b.final_due,
        approval_due: b.approval_due,
        contact_username: b.contact_username,
    };
    Ok((StatusCode::CREATED, Json(state.store.create_period(&ctx.audit(), input).await?.into())))
}

/// The assessments of a period the caller may see (unit staff: their own unit's).
#[utoipa::path(get, path = "/api/v1/periods/{id}/assessments", tag = "periods", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<ApiAssessment>), (status = 404, body = crate::error::ApiError)))]
pub async fn assessments(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Json<Vec<ApiAssessment>>, AppError> {
    let actor = ctx.require(Action::ViewPeriods, Resource::System)?;
    let scope = parindex_core::access::unit_scope(actor);
    Ok(Json(state.store.list_assessments(id, scope).await?.into_iter().map(Into::into).collect()))
}

/// One unit's self-assessment: its entries (input, exact points, note, explanation, version)
/// and the running result (points per node, total, applicable maximum, index).
#[utoipa::path(get, path = "/api/v1/assessments/{id}", tag = "periods", params(("id" = i64, Path)),
    responses((status = 200, body = Object), (status = 403, body = crate::error::ApiError)))]
pub async fn get_one(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Json<serde_json::Value>, AppError> {
    let view = state.store.get_assessment(id).await?;
    // the unit and the office read it whole, the council and provincial leadership once it is
    // submitted; an appraiser reads what is in their queue, as on the page: their leaves only
    // (and the fed leaves whose data they answer for), without the unit's running total
    let mut only: Option<Vec<String>> = None;
    if !crate::app::appraisal::may_read_assessment(&ctx, view.assessment.unit_id, view.assessment.state) {
        let actor = ctx.require(Action::Appraise, Resource::System)?;
        let scope = crate::app::appraisal::scope_of(&state, actor).await?;
        if !parindex_store::repo::appraisal::appraiser_may_read(&view, &scope) {
            return Err(AppError::Forbidden);
        }
        only = Some(parindex_store::repo::appraisal::my_final_leaves(&view.framework, &view.assessment.unit_kind, &scope));
    }
    // the running result with the bonuses and penalties, and once the unit's result is out the
    // result that counts: the page's computation (`Store::assessment_score`)
    let scored = state.store.assessment_score(&view, true).await?;
    let result_out = view.assessment.state.result_out();
    let (result, counted) = if only.is_some() {
        (None, None)
    } else {
        (Some(scored.own.sheet.report(&scored.compiled)), result_out.then(|| scored.counted.sheet.report(&scored.compiled)))
    };
    let mut entries: Vec<_> = view.entries.values().filter(|e| only.as_ref().is_none_or(|o| o.contains(&e.node_code))).collect();
    entries.sort_by(|a, b| a.node_code.cmp(&b.node_code));
    Ok(Json(serde_json::json!({
        "assessment": ApiAssessment::from(view.assessment),
        "framework": view.framework.code,
        "entries": entries.iter().map(|e| serde_json::json!({
            "code": e.node_code, "input": e.input, "points": e.points.as_ref().map(|p| p.to_string()),
            "note": e.note, "explanation": e.explanation, "version": e.version,
            "updated_by": e.updated_by, "updated_at": e.updated_at,
            "appraised_input": e.appraised_input, "appraised_points": e.appraised_points.as_ref().map(|p| p.to_string()),
            "appraisal_comment": e.appraisal_comment, "appraised_by": e.appraised_by, "appraised_at": e.appraised_at,
            "returned_reason": e.returned_reason,
            "contest": e.contest,
            "final_input": e.final_input, "final_points": e.final_points.as_ref().map(|p| p.to_string()),
            "final_comment": e.final_comment, "final_by": e.final_by, "final_at": e.final_at,
        })).collect::<Vec<_>>(),
        "result": result,
        "counted": counted,
    })))
}

#[derive(Deserialize, ToSchema)]
pub struct ApiEntryInput {
    /// The leaf's input in the inputs format (docs/framework-format.md): `82`, `[95, 97]`,
    /// `"dung_han"`, `true`, `"na"`, or the full form `{"percent": 82}`; `null` clears it.
    #[schema(value_type = Object)]
    pub input: Option<serde_json::Value>,
    pub note: Option<String>,
    pub explanation: Option<String>,
    /// The version read (0 for a leaf never saved); a newer one on the server gives 409.
    pub version: i32,
}

/// Save one leaf of the unit's self-assessment (officer or leader of the unit, before the
/// deadline, while the unit may edit). 409 on a stale version or after the deadline.
#[utoipa::path(put, path = "/api/v1/assessments/{id}/entries/{code}", tag = "periods", params(("id" = i64, Path), ("code" = String, Path)),
    request_body = ApiEntryInput,
    responses((status = 200, body = Object), (status = 403, body = crate::error::ApiError), (status = 409, body = crate::error::ApiError), (status = 422, body = crate::error::ApiError)))]
pub async fn put_entry(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, code)): Path<(i64, String)>,
    Json(b): Json<ApiEntryInput>,
) -> Result<Json<serde_json::Value>, AppError> {
    let s = OwnScore { given: Given::Json(b.input), note: b.note, explanation: b.explanation, version: b.version };
    let e = leaves::save_own(&state, &ctx, id, &code, s).await?;
    Ok(Json(serde_json::json!({"code": e.node_code, "input": e.input, "points": e.points.map(|p| p.to_string()), "version": e.version})))
}

/// The leader approves and submits (every leaf scored; not-applicable leaves explained).
#[utoipa::path(post, path = "/api/v1/assessments/{id}/submit", tag = "periods", params(("id" = i64, Path)),
    responses((status = 200, body = ApiAssessment), (status = 403, body = crate::error::ApiError), (status = 409, body = crate::error::ApiError), (status = 422, body = crate::error::ApiError)))]
pub async fn submit(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Json<ApiAssessment>, AppError> {
    let view = state.store.get_assessment(id).await?;
    ctx.require(Action::SubmitAssessment, Resource::Unit(view.assessment.unit_id))?;
    Ok(Json(state.store.submit_assessment(&ctx.audit(), id, today_vn()).await?.into()))
}

#[derive(Serialize, ToSchema)]
pub struct ApiQueueRow {
    pub assessment: ApiAssessment,
    pub period: String,
    /// My leaves in it, appraised so far, returned.
    pub leaves: usize,
    pub appraised: usize,
    pub returned: usize,
    /// In final appraisal: my leaves the unit explained that wait for my answer.
    pub awaiting: usize,
}

/// The caller's appraisal queue: submitted assessments holding leaves their agency appraises.
#[utoipa::path(get, path = "/api/v1/appraisal", tag = "periods", responses((status = 200, body = Vec<ApiQueueRow>), (status = 403, body = crate::error::ApiError)))]
pub async fn queue(State(state): State<AppState>, ctx: Ctx) -> Result<Json<Vec<ApiQueueRow>>, AppError> {
    let actor = ctx.require(Action::Appraise, Resource::System)?;
    let scope = crate::app::appraisal::scope_of(&state, actor).await?;
    Ok(Json(
        state
            .store
            .appraisal_queue(&scope)
            .await?
            .into_iter()
            .map(|q| ApiQueueRow {
                period: q.period.code.clone(),
                assessment: q.assessment.into(),
                leaves: q.leaves,
                appraised: q.appraised,
                returned: q.returned,
                awaiting: q.awaiting,
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct ApiAppraisalInput {
    /// The appraised input, same forms as the unit's (`82`, `true`, `"na"`, …).
    #[schema(value_type = Object)]
    pub input: serde_json::Value,
    /// Required when the appraised points differ from the unit's.
    pub comment: Option<String>,
}

/// Appraise one leaf (an appraiser of the agency the framework names for it).
#[utoipa::path(put, path = "/api/v1/assessments/{id}/appraisal/{code}", tag = "periods", params(("id" = i64, Path), ("code" = String, Path)),
    request_body = ApiAppraisalInput,
    responses((status = 204), (status = 403, body = crate::error::ApiError), (status = 409, body = crate::error::ApiError), (status = 422, body = crate::error::ApiError)))]
pub async fn put_appraisal(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, code)): Path<(i64, String)>,
    Json(b): Json<ApiAppraisalInput>,
) -> Result<StatusCode, AppError> {
    leaves::appraise(&state, &ctx, id, &code, Appraisal::Appraise { given: Given::Json(Some(b.input)), comment: b.comment }).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Accept the unit's own scores for every leaf of the caller's not appraised yet.
#[utoipa::path(post, path = "/api/v1/assessments/{id}/appraisal/accept", tag = "periods", params(("id" = i64, Path)),
    responses((status = 200, body = Object), (status = 403, body = crate::error::ApiError), (status = 409, body = crate::error::ApiError), (status = 422, body = crate::error::ApiError)))]
pub async fn accept_rest(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Json<serde_json::Value>, AppError> {
    let actor = ctx.require(Action::Appraise, Resource::System)?;
    let scope = crate::app::appraisal::scope_of(&state, actor).await?;
    let n = state.store.accept_self_scores(&ctx.audit(), id, &scope, today_vn()).await?;
    Ok(Json(serde_json::json!({"accepted": n})))
}

#[derive(Deserialize, ToSchema)]
pub struct ApiReason {
    pub reason: String,
}

/// Return a leaf to the unit for correction (the assessment becomes `returned`).
#[utoipa::path(post, path = "/api/v1/assessments/{id}/appraisal/{code}/return", tag = "periods", params(("id" = i64, Path), ("code" = String, Path)),
    request_body = ApiReason,
    responses((status = 204), (status = 403, body = crate::error::ApiError), (status = 409, body = crate::error::ApiError), (status = 422, body = crate::error::ApiError)))]
pub async fn return_leaf(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, code)): Path<(i64, String)>,
    Json(b): Json<ApiReason>,
) -> Result<StatusCode, AppError> {
    leaves::appraise(&state, &ctx, id, &code, Appraisal::Return { reason: b.reason }).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct ApiExtension {
    pub until: NaiveDate,
    pub reason: String,
}

/// Extend one unit's self-assessment deadline (reform office), with the reason logged.
#[utoipa::path(post, path = "/api/v1/assessments/{id}/extend", tag = "periods", params(("id" = i64, Path)), request_body = ApiExtension,
    responses((status = 200, body = ApiAssessment), (status = 403, body = crate::error::ApiError), (status = 422, body = crate::error::ApiError)))]
pub async fn extend(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(b): Json<ApiExtension>,
) -> Result<Json<ApiAssessment>, AppError> {
    ctx.require(Action::ManagePeriods, Resource::System)?;
    Ok(Json(state.store.extend_deadline(&ctx.audit(), id, b.until, &b.reason).await?.into()))
}

#[derive(Deserialize, ToSchema)]
pub struct ApiContactInput {
    /// An active administrator's username; absent or empty: nobody in charge.
    pub username: Option<String>,
}

/// Name the reform office's officer in charge of a period (shown to the units as whom to call).
#[utoipa::path(post, path = "/api/v1/periods/{id}/contact", tag = "periods", params(("id" = i64, Path)), request_body = ApiContactInput,
    responses((status = 200, body = ApiPeriod), (status = 403, body = crate::error::ApiError), (status = 404, body = crate::error::ApiError), (status = 422, body = crate::error::ApiError)))]
pub async fn set_contact(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(b): Json<ApiContactInput>,
) -> Result<Json<ApiPeriod>, AppError> {
    ctx.require(Action::ManagePeriods, Resource::System)?;
    Ok(Json(state.store.set_period_contact(&ctx.audit(), id, b.username.as_deref()).await?.into()))
}

/// Send the preliminary result to a unit whose leaves are all appraised (reform office).
#[utoipa::path(post, path = "/api/v1/assessments/{id}/preliminary", tag = "periods", params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = crate::error::ApiError), (status = 409, body = crate::error::ApiError), (status = 422, body = crate::error::ApiError)))]
pub async fn preliminary(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<StatusCode, AppError> {
    ctx.require(Action::ManagePeriods, Resource::System)?;
    state.store.send_preliminary(&ctx.audit(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct ApiContest {
    /// The unit's explanation or request to reconsider; empty withdraws it.
    pub text: String,
}

/// The unit explains or contests one leaf of its preliminary result (its staff): a self-assessed
/// leaf once appraised, or a fed leaf's figure (answered by whoever answers for its data).
#[utoipa::path(put, path = "/api/v1/assessments/{id}/contest/{code}", tag = "periods", params(("id" = i64, Path), ("code" = String, Path)),
    request_body = ApiContest,
    responses((status = 204), (status = 403, body = crate::error::ApiError), (status = 409, body = crate::error::ApiError), (status = 422, body = crate::error::ApiError)))]
pub async fn contest(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, code)): Path<(i64, String)>,
    Json(b): Json<ApiContest>,
) -> Result<StatusCode, AppError> {
    let view = state.store.get_assessment(id).await?;
    ctx.require(Action::EditUnitDrafts, Resource::Unit(view.assessment.unit_id))?;
    state.store.save_contest(&ctx.audit(), id, &code, &b.text, today_vn()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The unit's leader sends its explanations (or accepts the preliminary result).
#[utoipa::path(post, path = "/api/v1/assessments/{id}/explanations", tag = "periods", params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = crate::error::ApiError), (status = 409, body = crate::error::ApiError)))]
pub async fn send_explanations(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<StatusCode, AppError> {
    let view = state.store.get_assessment(id).await?;
    ctx.require(Action::SubmitAssessment, Resource::Unit(view.assessment.unit_id))?;
    state.store.submit_contests(&ctx.audit(), id, today_vn()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct ApiFinal {
    #[schema(value_type = Object)]
    pub input: serde_json::Value,
    /// The answer to the unit's explanation (required).
    pub comment: String,
}

/// Final appraisal of a contested leaf (its appraiser).
#[utoipa::path(put, path = "/api/v1/assessments/{id}/final/{code}", tag = "periods", params(("id" = i64, Path), ("code" = String, Path)),
    request_body = ApiFinal,
    responses((status = 204), (status = 403, body = crate::error::ApiError), (status = 409, body = crate::error::ApiError), (status = 422, body = crate::error::ApiError)))]
pub async fn final_appraisal(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, code)): Path<(i64, String)>,
    Json(b): Json<ApiFinal>,
) -> Result<StatusCode, AppError> {
    leaves::appraise(&state, &ctx, id, &code, Appraisal::Final { given: Given::Json(Some(b.input)), comment: b.comment }).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The council approves a period with its decision — number, date (not in the future) and
/// signer, recorded and shown with the results (every unit in final appraisal, every explanation
/// answered; after the explanation window, a unit that stayed silent accepts its preliminary
/// result). Refused (422) with the count first and one error per unit not ready; an approved
/// period is not approved again (409).
#[utoipa::path(post, path = "/api/v1/periods/{id}/approve", tag = "periods", params(("id" = i64, Path)), request_body = Decision,
    responses((status = 200, body = ApiApproved), (status = 403, body = crate::error::ApiError), (status = 409, body = crate::error::ApiError), (status = 422, body = crate::error::ApiError)))]
pub async fn approve(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(d): Json<Decision>,
) -> Result<Json<ApiApproved>, AppError> {
    ctx.require(Action::ApprovePeriod, Resource::System)?;
    let approved = state.store.approve_period(&ctx.audit(), id, d, parindex_core::assessment::today_vn()).await?;
    Ok(Json(ApiApproved { approved }))
}

/// What an approval did.
#[derive(Serialize, ToSchema)]
pub struct ApiApproved {
    /// Assessments approved.
    pub approved: usize,
}

/// Every operation of this module, each where its annotation says (`api::routes`).
pub fn routes() -> ApiRouter {
    ApiRouter::new()
        .with(route!(list))
        .with(route!(create))
        .with(route!(set_contact))
        .with(route!(assessments))
        .with(route!(get_one))
        .with(route!(put_entry))
        .with(route!(submit))
        .with(route!(extend))
        .with(route!(queue))
        .with(route!(accept_rest))
        .with(route!(put_appraisal))
        .with(route!(return_leaf))
        .with(route!(preliminary))
        .with(route!(contest))
        .with(route!(send_explanations))
        .with(route!(final_appraisal))
        .with(route!(approve))
}
