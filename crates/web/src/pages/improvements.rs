//! Two cards of a unit's assessment page, and their forms:
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
use parindex_core::framework::{AdjustmentKind, Input, Rule};
use parindex_core::text::{format_date, parse_date};
use parindex_core::{Action, Exact, Resource};
use parindex_store::StoreError;
use parindex_store::repo::improvements::{ActionInput, ActionRow};
use parindex_store::repo::periods::AssessmentView;
use serde::Deserialize;

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::AppError;
use crate::pages::periods::num;

pub struct AdjustmentView {
    pub code: String,
    pub title: String,
    pub bonus: bool,
    pub max: String,
    /// `options`, `manual` (a value) or `yes_no`; other rules are entered through the API.
    pub kind: &'static str,
    pub options: Vec<(String, String, bool)>,
    pub value: String,
    pub yes: bool,
    pub points: String,
    pub reason: String,
    pub set_by: String,
}

pub struct ActionView {
    pub id: i64,
    pub year: i32,
    pub leaf: String,
    pub leaf_title: String,
    pub action: String,
    pub owner: String,
    pub due: String,
    pub status: String,
    pub status_label: &'static str,
    pub outcome: String,
    pub overdue: bool,
}

/// What the two cards need.
#[derive(Default)]
pub struct Extras {
    pub adjustments: Vec<AdjustmentView>,
    /// Some adjustment is entered.
    pub any_adjustment: bool,
    pub can_adjust: bool,
    /// This period's actions of the unit.
    pub actions: Vec<ActionView>,
    /// The unit may plan actions here (the result is out and it is its own unit).
    pub can_plan: bool,
    /// Leaves to plan from, weakest first: (code, "code title — points/max").
    pub weak: Vec<(String, String)>,
    /// Actions planned in earlier years, for the leaves of this framework: (leaf code, text).
    pub carried: Vec<(String, String)>,
    /// (status, label key) for the follow-up form.
    pub statuses: Vec<(String, &'static str)>,
    /// The unit's difficulties and recommendations for its self-assessment report.
    pub difficulties: String,
    pub recommendations: String,
    /// The unit's staff may still write them (not approved yet).
    pub can_write_notes: bool,
    /// The appraisal minutes may be downloaded by this reader (`pages::documents::minutes`).
    pub can_minutes: bool,
}

pub fn status_label(status: &str) -> &'static str {
    match status {
        "doing" => "im.doing",
        "done" => "im.done",
        "dropped" => "im.dropped",
        _ => "im.planned",
    }
}

fn action_view(a: &ActionRow) -> ActionView {
    let today = parindex_core::assessment::today_vn();
    ActionView {
        id: a.id,
        year: a.year,
        leaf: a.node_code.clone(),
        leaf_title: a.node_title.clone(),
        action: a.action.clone(),
        owner: a.owner.clone(),
        due: format_date(a.due_on),
        status: a.status.clone(),
        status_label: status_label(&a.status),
        outcome: a.outcome.clone().unwrap_or_default(),
        overdue: a.due_on < today && matches!(a.status.as_str(), "planned" | "doing"),
    }
}

/// The cards' data for an assessment page.
pub async fn extras(state: &AppState, ctx: &Ctx, view: &AssessmentView, show_result: bool) -> Result<Extras, AppError> {
    let unit_id = view.assessment.unit_id;
    let d = view.framework.decimals;
    let approved = view.assessment.state == "approved";
    let adjustments = state
        .store
        .assessment_adjustments(view.assessment.id)
        .await?
        .into_iter()
        .map(|a| {
            let input = a.input.clone().unwrap_or_default();
            AdjustmentView {
                code: a.code.clone(),
                title: a.title.clone(),
                bonus: a.kind == AdjustmentKind::Bonus,
                max: num(ctx, &a.max, d),
                kind: match &a.rule {
                    Rule::Options { .. } => "options",
                    Rule::Manual { .. } => "manual",
                    Rule::YesNo => "yes_no",
                    _ => "",
                },
                options: match &a.rule {
                    Rule::Options { options } => options
                        .iter()
                        .map(|o| {
                            (o.key.clone(), format!("{} ({})", o.label, num(ctx, &o.points, d)), input.option.as_deref() == Some(&o.key))
                        })
                        .collect(),
                    _ => vec![],
                },
                value: input.value.as_ref().map(|v| num(ctx, v, d)).unwrap_or_default(),
                yes: input.yes == Some(true),
                points: a.points.as_ref().map(|p| num(ctx, p, d)).unwrap_or_default(),
                reason: a.reason.clone().unwrap_or_default(),
                set_by: match (&a.set_by, a.set_at) {
                    (Some(by), Some(at)) => format!("{by} · {}", parindex_core::text::format_time_vn(at)),
                    _ => String::new(),
                },
            }
        })
        .collect();
    let can_view = ctx.allows(Action::ViewImprovements, Resource::Unit(unit_id));
    let adjustments: Vec<AdjustmentView> = adjustments;
    let mut out = Extras {
        any_adjustment: adjustments.iter().any(|a| !a.points.is_empty()),
        statuses: parindex_store::repo::improvements::STATUSES.iter().map(|s| (s.to_string(), status_label(s))).collect(),
        adjustments,
        can_adjust: ctx.allows(Action::SetAdjustments, Resource::System) && !approved,
        ..Default::default()
    };
    let notes = state.store.report_notes(view.assessment.id).await?;
    out.difficulties = notes.difficulties.unwrap_or_default();
    out.recommendations = notes.recommendations.unwrap_or_default();
    out.can_write_notes =
        ctx.allows(Action::EditUnitDrafts, Resource::Unit(unit_id)) && !matches!(view.assessment.state.as_str(), "approved" | "published");
    out.can_minutes = crate::pages::documents::may_read_minutes(ctx, view);
    if !can_view {
        return Ok(out);
    }
    out.actions = state.store.unit_improvements(unit_id).await?.iter().filter(|a| a.period_id == view.period.id).map(action_view).collect();
    out.can_plan = show_result && ctx.allows(Action::PlanImprovements, Resource::Unit(unit_id));
    if out.can_plan {
        // the unit's leaves by the share of their maximum that counts (final, else appraised,
        // else its own), weakest first — from this assessment alone
        let kind = &view.assessment.unit_kind;
        let scored = state.store.assessment_score(view, false).await?;
        let mut leaves: Vec<(String, String, Exact, Exact)> = parindex_store::repo::periods::all_leaves(&view.framework)
            .into_iter()
            .filter(|n| n.applies_to.is_empty() || n.applies_to.contains(kind))
            .filter_map(|n| {
                let max = n.max.clone().filter(|m| !m.is_zero())?;
                let e = view.entries.get(&n.code);
                if e.and_then(|e| e.input.as_ref()).is_some_and(|i| i.not_applicable) {
                    return None;
                }
                let points =
                    scored.leaf(parindex_core::framework::Stage::Counted, &n.code).map(|x| x.points.clone()).unwrap_or(Exact::ZERO);
                Some((n.code.clone(), n.title.clone(), points, max))
            })
            .collect();
        leaves.sort_by(|a, b| (a.2.clone() / a.3.clone()).cmp(&(b.2.clone() / b.3.clone())).then(a.0.cmp(&b.0)));
        out.weak = leaves
            .into_iter()
            .map(|(code, title, points, max)| {
                let label = format!("{code} {title} — {} / {}", num(ctx, &points, d), num(ctx, &max, d));
                (code, label)
            })
            .collect();
    }
    for (leaf, actions) in state.store.carried_improvements(view.assessment.id).await? {
        for a in actions {
            let v = action_view(&a);
            out.carried.push((
                leaf.clone(),
                format!(
                    "{} · {} — {}, {} {} · {}{}",
                    a.year,
                    v.action,
                    v.owner,
                    ctx.t("im.due"),
                    v.due,
                    ctx.t(v.status_label),
                    if v.outcome.is_empty() { String::new() } else { format!(": {}", v.outcome) }
                ),
            ));
        }
    }
    Ok(out)
}

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
                None => return crate::pages::periods::assessment_error(&state, &ctx, id, ctx.t("im.bad_number").to_string()).await,
            },
            None => None,
        };
        Some(Input { option: f.option.filter(|o| !o.is_empty()), value, yes: f.yes.as_deref().map(|y| y == "yes"), ..Default::default() })
    };
    match state.store.set_adjustment(&ctx.audit(), id, &code, input, &f.reason).await {
        Ok(_) => Ok(Redirect::to(&format!("/assessments/{id}?done=adjustment_saved#adjustments")).into_response()),
        Err(e @ (StoreError::Invalid(_) | StoreError::Conflict(_))) => {
            let text = crate::pages::store_error_text(&ctx, &e).unwrap_or_default();
            crate::pages::periods::assessment_error(&state, &ctx, id, format!("{code}: {text}")).await
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
        return crate::pages::periods::assessment_error(&state, &ctx, id, ctx.t("im.bad_date").to_string()).await;
    }
    let input = ActionInput { node_code: f.node_code, action: f.action, owner: f.owner, due_on };
    match state.store.add_improvement(&ctx.audit(), id, input).await {
        Ok(_) => Ok(Redirect::to(&format!("/assessments/{id}?done=improvement_saved#improvements")).into_response()),
        Err(e @ StoreError::Invalid(_)) => {
            let text = crate::pages::store_error_text(&ctx, &e).unwrap_or_default();
            crate::pages::periods::assessment_error(&state, &ctx, id, text).await
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
            let text = crate::pages::store_error_text(&ctx, &e).unwrap_or_default();
            crate::pages::periods::assessment_error(&state, &ctx, id, text).await
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
