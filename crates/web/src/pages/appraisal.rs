//! Appraisal (thẩm định), issue #4: an appraiser's queue (submitted units × the leaves their
//! agency appraises, with progress) and the appraisal page of one unit — per leaf the unit's
//! input, points, explanation and evidence beside the appraised input and a comment (required
//! when the points differ), or a return to the unit with the reason. Which leaves are whose:
//! `parindex_store::repo::appraisal`.

use crate::extract::Query;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use parindex_core::assessment::{LeafForm, State as AState, today_vn};
use parindex_core::framework::rule::apply;
use parindex_core::{Action, Resource};
use parindex_store::StoreError;
use parindex_store::repo::appraisal::{my_fed_leaves, my_leaves};

use crate::AppState;
use crate::app::appraisal::scope_of;
use crate::app::leaves::{self, Appraisal, Given, LeafError};
use crate::chrome::{Page, render, store_error_text};
use crate::ctx::Ctx;
use crate::error::AppError;
use crate::pages::leaf_view::{EntryForm, LeafView, leaf_basics};

pub struct QueueView {
    pub id: i64,
    pub period: String,
    pub unit: String,
    pub state: &'static str,
    pub leaves: usize,
    pub appraised: usize,
    pub returned: usize,
    /// Explanations waiting for my final answer.
    pub awaiting: usize,
    pub due: String,
}

#[derive(Template)]
#[template(path = "appraisal_queue.html")]
struct QueuePage {
    page: Page,
    rows: Vec<QueueView>,
}

async fn queue(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let actor = ctx.require(Action::Appraise, Resource::System)?;
    let scope = scope_of(&state, actor).await?;
    let lang = ctx.lang.code();
    let rows = state
        .store
        .appraisal_queue(&scope)
        .await?
        .into_iter()
        .map(|q| QueueView {
            id: q.assessment.id,
            period: q.period.name.clone(),
            unit: q.assessment.unit_name.clone(),
            state: q.assessment.state.label(lang),
            leaves: q.leaves,
            appraised: q.appraised,
            returned: q.returned,
            awaiting: q.awaiting,
            due: q.period.appraisal_due.map(parindex_core::text::format_date).unwrap_or_default(),
        })
        .collect();
    let page = Page::new(&ctx, &state, ctx.t("ap.title"), "/appraisal").crumb(ctx.t("ap.title"), "");
    Ok(render(&QueuePage { page, rows }))
}

/// One leaf on the appraisal page: the unit's side and the appraiser's.
pub struct ApLeaf {
    pub leaf: LeafView,
    /// The unit's points and computation.
    pub self_points: String,
    pub self_computation: String,
    pub appraised_points: String,
    pub comment: String,
    pub appraised_by: String,
    pub differs: bool,
    /// The unit's explanation of the preliminary result, and the final appraisal.
    pub contest: String,
    pub final_points: String,
    pub final_comment: String,
    /// This leaf awaits my final appraisal now.
    pub final_open: bool,
}

#[derive(Template)]
#[template(path = "appraisal.html")]
struct AppraisalPage {
    page: Page,
    id: i64,
    unit_name: String,
    period_name: String,
    state_label: &'static str,
    open: bool,
    due: String,
    leaves: Vec<ApLeaf>,
    /// Leaves of the appraiser's not appraised yet.
    todo: usize,
    /// In final appraisal: the explained leaves waiting for my answer (code, title).
    awaiting: Vec<(String, String)>,
    flash: Option<String>,
    /// A refusal when the page shows no form to attach it to (closed, late).
    error: Option<String>,
    /// The unit's focal person (issue #17: the appraiser may need to ask).
    contact: crate::chrome::ContactView,
    /// Fed leaves of the appraiser's domains (issue #18), read-only: (code, title, points,
    /// where the figure comes from, the data page).
    fed: Vec<(String, String, String, String, String)>,
}

struct ApError {
    code: String,
    message: String,
    form: Option<EntryForm>,
}

async fn appraisal_page(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    err: Option<ApError>,
    status: StatusCode,
    flash: Option<String>,
) -> Result<Response, AppError> {
    let actor = ctx.require(Action::Appraise, Resource::System)?;
    let scope = scope_of(state, actor).await?;
    let view = state.store.get_assessment(id).await?;
    let mine = my_leaves(&view.framework, &view.assessment.unit_kind, &scope);
    let st = view.assessment.state;
    // appraisers see a unit's work once it is submitted, and only their leaves
    if !parindex_store::repo::appraisal::appraiser_may_read(&view, &scope) {
        return Err(AppError::Forbidden);
    }
    let lang = ctx.lang.code();
    let open = st.in_appraisal() && parindex_core::assessment::within(view.period.appraisal_due, today_vn()).is_ok();
    let final_phase = st == AState::FinalAppraisal && parindex_core::assessment::within(view.period.final_due, today_vn()).is_ok();
    // a page-level error (no leaf), or a leaf's error when its form is not on the page
    let page_error = err
        .as_ref()
        .filter(|e| e.code.is_empty() || (!open && !final_phase))
        .map(|e| if e.code.is_empty() { e.message.clone() } else { format!("{}: {}", e.code, e.message) });
    let decimals = view.framework.decimals;
    let kind = &view.assessment.unit_kind;
    let my_fed = my_fed_leaves(&view.framework, kind, &scope);
    // my leaves and the fed leaves of mine the unit contested (answered in final appraisal), in
    // the framework's order
    let contested_fed: Vec<&String> = my_fed.iter().filter(|c| view.entries.get(*c).is_some_and(|e| e.contest.is_some())).collect();
    let leaves = parindex_store::repo::periods::all_leaves(&view.framework)
        .into_iter()
        .filter(|n| mine.contains(&n.code) || contested_fed.contains(&&n.code))
        .map(|n| {
            let fed = n.source.feed().is_some();
            let e = view.entries.get(&n.code);
            let max = n.max.clone().unwrap_or_default();
            let explain = |i: &parindex_core::framework::Input| {
                if i.not_applicable {
                    return ctx.t("fw.preview_na").to_string();
                }
                n.rule
                    .as_ref()
                    .and_then(|r| apply(r, &max, i, true).ok())
                    .and_then(|o| o.explanation)
                    .map(|m| m.get(lang).to_string())
                    .unwrap_or_default()
            };
            let mine_err = err.as_ref().filter(|x| x.code == n.code);
            // the appraised input, else the unit's (to accept as is or change)
            let form = match mine_err.and_then(|x| x.form.as_ref()) {
                Some(f) => f.leaf(),
                None => e
                    .and_then(|e| e.appraised_input.as_ref().or(e.input.as_ref()))
                    .map(|i| LeafForm::of(i).in_lang(ctx.lang))
                    .unwrap_or_default(),
            };
            let comment = mine_err
                .and_then(|x| x.form.as_ref())
                .map(|f| f.explanation.clone())
                .or_else(|| e.and_then(|e| e.appraisal_comment.clone()))
                .unwrap_or_default();
            let show = |p: &Option<parindex_core::Exact>| p.as_ref().map(|x| ctx.lang.num(x, decimals)).unwrap_or_else(|| "—".into());
            ApLeaf {
                leaf: LeafView {
                    form,
                    note: e.and_then(|e| e.note.clone()).unwrap_or_default(),
                    explanation: e.and_then(|e| e.explanation.clone()).unwrap_or_default(),
                    error: mine_err.map(|x| x.message.clone()),
                    returned: e.and_then(|e| e.returned_reason.clone()).unwrap_or_default(),
                    status: if fed {
                        "fed"
                    } else if e.is_some_and(|e| e.appraised_at.is_some()) {
                        "done"
                    } else {
                        "todo"
                    },
                    self_scored: !fed,
                    ..leaf_basics(ctx, n, decimals, &view)
                },
                self_points: show(&e.and_then(|e| e.points.clone())),
                self_computation: e.and_then(|e| e.input.as_ref()).map(explain).unwrap_or_default(),
                appraised_points: if e.is_some_and(|e| e.appraised_at.is_some()) {
                    show(&e.and_then(|e| e.appraised_points.clone()))
                } else {
                    String::new()
                },
                comment,
                appraised_by: e
                    .and_then(|e| e.appraised_by.clone().zip(e.appraised_at))
                    .map(|(who, at)| format!("{who} · {}", parindex_core::text::format_time_vn(at)))
                    .unwrap_or_default(),
                differs: e.is_some_and(|e| e.appraised_at.is_some() && e.appraised_points != e.points),
                contest: e.and_then(|e| e.contest.clone()).unwrap_or_default(),
                final_points: e.filter(|e| e.final_at.is_some()).map(|e| show(&e.final_points)).unwrap_or_default(),
                final_comment: e.and_then(|e| e.final_comment.clone()).unwrap_or_default(),
                final_open: final_phase && e.is_some_and(|e| e.contest.is_some()),
            }
        })
        .collect::<Vec<ApLeaf>>();
    let todo = leaves.iter().filter(|a| a.leaf.status == "todo").count();
    let awaiting =
        leaves.iter().filter(|a| a.final_open && a.final_points.is_empty()).map(|a| (a.leaf.code.clone(), a.leaf.title.clone())).collect();
    let page = Page::new(ctx, state, format!("{} — {}", ctx.t("ap.title"), view.assessment.unit_name), "/appraisal")
        .crumb(ctx.t("ap.title"), "/appraisal")
        .crumb(view.assessment.unit_name.clone(), "");
    let contact = crate::chrome::ContactView::of_unit(&state.store.get_unit(view.assessment.unit_id).await?.unit.contact);
    let fed = my_fed
        .iter()
        .filter_map(|code| view.framework.find(code))
        .map(|n| {
            let e = view.entries.get(&n.code);
            let points = e.and_then(|e| e.points.as_ref()).map(|p| ctx.lang.num(p, decimals)).unwrap_or_else(|| "—".into());
            let note = e.and_then(|e| e.note.clone()).unwrap_or_else(|| ctx.t("feed.no_data").to_string());
            let link = format!("/periods/{}/so-lieu/{}#u_{}", view.period.id, n.code, view.assessment.unit_code);
            (n.code.clone(), n.title.clone(), points, note, link)
        })
        .collect();
    let mut r = render(&AppraisalPage {
        fed,
        contact,
        page,
        id,
        unit_name: view.assessment.unit_name.clone(),
        period_name: view.period.name.clone(),
        state_label: st.label(lang),
        open,
        due: view.period.appraisal_due.map(parindex_core::text::format_date).unwrap_or_else(|| "—".into()),
        leaves,
        todo,
        awaiting,
        flash,
        error: page_error,
    });
    *r.status_mut() = status;
    Ok(r)
}

#[derive(serde::Deserialize)]
struct DoneQuery {
    done: Option<String>,
    n: Option<usize>,
}

async fn appraisal(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>, Query(q): Query<DoneQuery>) -> Result<Response, AppError> {
    let flash = match q.done.as_deref() {
        Some("saved") => Some(ctx.t("ap.saved").to_string()),
        Some("returned") => Some(ctx.t("ap.returned_done").to_string()),
        Some("accepted") => Some(format!("{} {}", ctx.t("ap.accepted"), q.n.unwrap_or(0))),
        _ => None,
    };
    appraisal_page(&state, &ctx, id, None, StatusCode::OK, flash).await
}

/// Save the appraised input (`op=save`, the comment in `explanation`) or return the leaf
/// (`op=return`, the reason in `note`).
async fn save(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, code)): Path<(i64, String)>,
    Form(entry): Form<EntryForm>,
) -> Result<Response, AppError> {
    let fail = |message: String| ApError { code: code.clone(), message, form: Some(entry.clone()) };
    let given = || Given::Form(entry.leaf());
    let a = match entry.op.as_str() {
        "return" => Appraisal::Return { reason: entry.note.clone() },
        "final" => Appraisal::Final { given: given(), comment: entry.explanation.clone() },
        _ => Appraisal::Appraise { given: given(), comment: Some(entry.explanation.clone()) },
    };
    let (message, status) = match leaves::appraise(&state, &ctx, id, &code, a).await {
        Ok(()) => {
            let done = if entry.op == "return" { "returned" } else { "saved" };
            return Ok(Redirect::to(&format!("/appraisal/{id}?done={done}#leaf-{}", crate::chrome::urlencode(&code))).into_response());
        }
        Err(LeafError::Input(m)) => (m.get(ctx.lang.code()).to_string(), StatusCode::UNPROCESSABLE_ENTITY),
        Err(LeafError::Store(e)) => (store_error_text(&ctx, &e).unwrap_or_default(), refusal_status(&e)),
        Err(LeafError::App(e)) => return Err(e),
    };
    appraisal_page(&state, &ctx, id, Some(fail(message)), status, None).await
}

/// The status of a refusal shown on the page: 409 for a state conflict, 403 for a leaf that is
/// not the appraiser's, 422 for bad input.
fn refusal_status(e: &StoreError) -> StatusCode {
    match e {
        StoreError::Conflict(_) => StatusCode::CONFLICT,
        StoreError::Forbidden(_) => StatusCode::FORBIDDEN,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

/// Accept the unit's own scores for every leaf of the appraiser's still waiting.
async fn accept(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>, c: crate::chrome::Confirm) -> Result<Response, AppError> {
    let actor = ctx.require(Action::Appraise, Resource::System)?;
    let scope = scope_of(&state, actor).await?;
    if !c.given() {
        let message = ctx.t("ap.accept_confirm_missing").to_string();
        return appraisal_page(
            &state,
            &ctx,
            id,
            Some(ApError { code: String::new(), message, form: None }),
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
        )
        .await;
    }
    match state.store.accept_self_scores(&ctx.audit(), id, &scope, today_vn()).await {
        Ok(n) => Ok(Redirect::to(&format!("/appraisal/{id}?done=accepted&n={n}")).into_response()),
        Err(e @ (StoreError::Invalid(_) | StoreError::Conflict(_) | StoreError::Forbidden(_))) => {
            let status = refusal_status(&e);
            let message = store_error_text(&ctx, &e).unwrap_or_default();
            appraisal_page(&state, &ctx, id, Some(ApError { code: String::new(), message, form: None }), status, None).await
        }
        Err(e) => Err(e.into()),
    }
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/appraisal", get(queue))
        .route("/appraisal/{id}", get(appraisal))
        .route("/appraisal/{id}/accept", post(accept))
        .route("/appraisal/{id}/entries/{code}", post(save))
}
