//! The forms of two cards of a unit's assessment page (their data: `pages::assessment_cards`):
//! - **bonuses and penalties** (`POST /assessments/{id}/adjustments/{code}`): the framework's
//!   adjustments, entered by the reform office with their basis (`Action::SetAdjustments`),
//!   read by everyone who reads the page; included in the total and index shown;
//! - **the improvement loop** (`POST /assessments/{id}/improvements`,
//!   `POST /assessments/{id}/improvements/{action}`): once a period's result is out the unit's
//!   staff plan actions from its weakest leaves (what, who, by when) and follow them up
//!   (`Action::PlanImprovements`); on the unit's self-assessment of a later period each leaf
//!   shows the actions planned for it before (`Store::carried_improvements`).

use axum::Router;
use axum::extract::{Form, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use parindex_core::framework::Input;
use parindex_core::text::parse_date;
use parindex_core::{Action, Exact, Resource};
use parindex_store::StoreError;
use parindex_store::repo::improvements::ActionInput;
use serde::Deserialize;

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::AppError;

#[derive(Deserialize)]
struct AdjustmentForm {
    option: Option<String>,
    value: Option<String>,
    yes: Option<String>,
    reason: String,
    /// `clear` removes the entry.
    op: Option<String>,
}

async fn set_adjustment(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, code)): Path<(i64, String)>,
    Form(f): Form<AdjustmentForm>,
) -> Result<Response, AppError> {
    ctx.require(Action::SetAdjustments, Resource::System)?;
    let input = if f.op.as_deref() == Some("clear") {
        None
    } else {
        let value = match f.value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            Some(v) => match Exact::parse(&v.replace(',', ".")) {
                Some(x) => Some(x),
                None => return crate::pages::assessment::assessment_error(&state, &ctx, id, ctx.t("im.bad_number").to_string()).await,
            },
            None => None,
        };
        Some(Input { option: f.option.filter(|o| !o.is_empty()), value, yes: f.yes.as_deref().map(|y| y == "yes"), ..Default::default() })
    };
    match state.store.set_adjustment(&ctx.audit(), id, &code, input, &f.reason).await {
        Ok(_) => Ok(Redirect::to(&format!("/assessments/{id}?done=adjustment_saved#adjustments")).into_response()),
        Err(e @ (StoreError::Invalid(_) | StoreError::Conflict(_))) => {
            let text = crate::chrome::store_error_text(&ctx, &e).unwrap_or_default();
            crate::pages::assessment::assessment_error(&state, &ctx, id, format!("{code}: {text}")).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct PlanForm {
    node_code: String,
    action: String,
    owner: String,
    due_on: String,
}

async fn unit_of(state: &AppState, ctx: &Ctx, id: i64) -> Result<i64, AppError> {
    let a = state.store.get_assessment(id).await?;
    ctx.require(Action::PlanImprovements, Resource::Unit(a.assessment.unit_id))?;
    Ok(a.assessment.unit_id)
}

async fn plan(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>, Form(f): Form<PlanForm>) -> Result<Response, AppError> {
    unit_of(&state, &ctx, id).await?;
    let due_on = parse_date(&f.due_on);
    if due_on.is_none() && !f.due_on.trim().is_empty() {
        return crate::pages::assessment::assessment_error(&state, &ctx, id, ctx.t("im.bad_date").to_string()).await;
    }
    let input = ActionInput { node_code: f.node_code, action: f.action, owner: f.owner, due_on };
    match state.store.add_improvement(&ctx.audit(), id, input).await {
        Ok(_) => Ok(Redirect::to(&format!("/assessments/{id}?done=improvement_saved#improvements")).into_response()),
        Err(e @ StoreError::Invalid(_)) => {
            let text = crate::chrome::store_error_text(&ctx, &e).unwrap_or_default();
            crate::pages::assessment::assessment_error(&state, &ctx, id, text).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct FollowForm {
    status: String,
    outcome: Option<String>,
}

async fn follow(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, action)): Path<(i64, i64)>,
    Form(f): Form<FollowForm>,
) -> Result<Response, AppError> {
    let unit_id = unit_of(&state, &ctx, id).await?;
    match state.store.update_improvement(&ctx.audit(), unit_id, action, &f.status, f.outcome.as_deref()).await {
        Ok(_) => Ok(Redirect::to(&format!("/assessments/{id}?done=improvement_saved#improvements")).into_response()),
        Err(e @ StoreError::Invalid(_)) => {
            let text = crate::chrome::store_error_text(&ctx, &e).unwrap_or_default();
            crate::pages::assessment::assessment_error(&state, &ctx, id, text).await
        }
        Err(e) => Err(e.into()),
    }
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/assessments/{id}/adjustments/{code}", post(set_adjustment))
        .route("/assessments/{id}/improvements", post(plan))
        .route("/assessments/{id}/improvements/{action}", post(follow))
}
