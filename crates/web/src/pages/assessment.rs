//! One unit's assessment, `/assessments/{id}` (issue #4): the framework tree with one small form
//! per leaf (the rule's own input, note, explanation), points and the computation after each
//! save, progress and the running total; the leader submits, which locks it. Every leaf form
//! carries the version it was rendered with, so a save from a stale tab is refused with the
//! newer value shown. After the preliminary result the unit explains leaves here; the reform
//! office extends a deadline here.
//!
//! Works without JavaScript; `assets/editor.js` adds live points while typing and a warning
//! before leaving a leaf with unsaved changes.

use std::collections::HashMap;

use crate::extract::Query;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use parindex_core::assessment::{LeafForm, State as AState, today_vn};
use parindex_core::framework::Node;
use parindex_core::framework::rule::apply;
use parindex_core::text::parse_date;
use parindex_core::{Action, Msg, Resource};
use parindex_store::StoreError;
use parindex_store::repo::periods::{AssessmentRow, AssessmentView, PeriodRow, self_leaves};
use serde::{Deserialize, Serialize};

use crate::AppState;
pub(crate) use crate::app::leaves::leaf_of;
use crate::app::leaves::{self, Given, OwnScore};
use crate::chrome::{Page, render, store_error_text};
use crate::ctx::Ctx;
use crate::error::AppError;
use crate::pages::leaf_view::*;
use crate::pages::periods::{deadline_text, state_class};

#[derive(Template)]
#[template(path = "assessment.html")]
struct AssessmentPage {
    page: Page,
    id: i64,
    unit_name: String,
    period_name: String,
    /// The unit may still change its sheet (draft or returned).
    unit_stage: bool,
    state_label: &'static str,
    state_class: &'static str,
    editable: bool,
    can_submit: bool,
    due_label: &'static str,
    due: String,
    points_label: &'static str,
    done: usize,
    to_do: usize,
    total: String,
    max: String,
    index: String,
    tree: Vec<TreeItem>,
    flash: Option<String>,
    error: Option<String>,
    /// A refused save of the page: (leaf code, title, message), linked to each leaf.
    summary: Vec<(String, String, String)>,
    /// The reform office may extend this unit's deadline.
    can_extend: bool,
    /// The self-score sheet is the unit's and the office's (not the council's or leadership's).
    can_sheet: bool,
    /// The unit's evidence library, offered once for every leaf (`#id name`).
    library: Vec<(i64, String)>,
    has_library: bool,
    /// The preliminary (or final) result is out: show it per leaf.
    show_result: bool,
    /// The unit may write explanations now; its leader may send them.
    contesting: bool,
    can_send_contests: bool,
    /// Bonuses and penalties; the improvement loop (`pages::improvements`).
    extras: crate::pages::assessment_cards::Extras,
    /// Whom to call: the period's officer, the appraising departments (issue #17).
    help: Vec<(&'static str, String, crate::chrome::ContactView)>,
}

/// A refused save, shown on the page again (issue #17): each refusal at its leaf and listed at
/// the top with a link to it, and what was typed kept on every leaf the officer changed.
#[derive(Default)]
pub(crate) struct Refusal {
    /// (leaf code, message), in the page's order.
    pub(crate) errors: Vec<(String, String)>,
    /// What was typed, per leaf.
    pub(crate) kept: HashMap<String, Kept>,
}

/// One leaf's typed values, given back after a refusal.
#[derive(Clone, Default)]
pub(crate) struct Kept {
    pub(crate) form: LeafForm,
    pub(crate) note: String,
    pub(crate) explanation: String,
    /// The library field: a file uploaded with the refused save is in the library now, offered
    /// here so that saving again attaches it.
    pub(crate) library: String,
}

impl Kept {
    /// A leaf's stored values as its form shows them.
    pub(crate) fn stored(view: &AssessmentView, code: &str, lang: parindex_core::lang::Lang) -> Kept {
        let e = view.entries.get(code);
        Kept {
            form: e.and_then(|e| e.input.as_ref()).map(|i| LeafForm::of(i).in_lang(lang)).unwrap_or_default(),
            note: e.and_then(|e| e.note.clone()).unwrap_or_default(),
            explanation: e.and_then(|e| e.explanation.clone()).unwrap_or_default(),
            library: String::new(),
        }
    }
}

impl Refusal {
    /// One message at one leaf.
    pub(crate) fn at(code: impl Into<String>, message: impl Into<String>) -> Refusal {
        Refusal { errors: vec![(code.into(), message.into())], kept: HashMap::new() }
    }
}

/// The deadline a unit sees for its assessment: the one of the step it is at while it has
/// something to do (days left or overdue), else when it submitted — never "N days overdue" on
/// finished work (issue #17). The assessment page and the unit's home page show it.
/// Returns (the label's key, the text).
pub(crate) fn unit_due(ctx: &Ctx, a: &AssessmentRow, p: &PeriodRow) -> (&'static str, String) {
    match (a.state, a.submitted_at) {
        (AState::PreliminarySent, _) => ("per.explanation_due", deadline_text(ctx, p.explanation_due)),
        (AState::FinalAppraisal, _) => ("per.final_due", deadline_text(ctx, p.final_due)),
        (AState::Submitted | AState::UnderAppraisal | AState::Approved, Some(at)) => (
            "per.self_assessment",
            format!(
                "{} {}{}",
                ctx.t("per.submitted_on"),
                parindex_core::text::format_date(at.with_timezone(&parindex_core::text::vn_offset()).date_naive()),
                if a.state == AState::Approved { format!(" — {}", ctx.t("per.completed")) } else { String::new() }
            ),
        ),
        _ => ("per.self_due", deadline_text(ctx, a.self_due)),
    }
}

pub(crate) async fn assessment_page(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    refusal: Refusal,
    error: Option<String>,
    status: StatusCode,
    flash: Option<String>,
) -> Result<Response, AppError> {
    let view = state.store.get_assessment(id).await?;
    let unit_id = view.assessment.unit_id;
    crate::app::appraisal::require_read_assessment(ctx, &view)?;
    let lang = ctx.lang.code();
    let st = view.assessment.state;
    let open = parindex_core::assessment::within(view.assessment.self_due, today_vn()).is_ok();
    let editable = st.unit_edits() && open && ctx.allows(Action::EditUnitDrafts, Resource::Unit(unit_id));
    let show_result = st.result_out();
    let contesting = st == AState::PreliminarySent
        && parindex_core::assessment::within(view.period.explanation_due, today_vn()).is_ok()
        && ctx.allows(Action::EditUnitDrafts, Resource::Unit(unit_id));
    // with no leaf forms on the page (locked, late), a refusal is said at the top
    let error = if editable || refusal.errors.is_empty() {
        error
    } else {
        error.or_else(|| Some(refusal.errors.iter().map(|(c, m)| format!("{c}: {m}")).collect::<Vec<_>>().join("\n")))
    };
    let fw = &view.framework;
    let decimals = fw.decimals;
    let extras = crate::pages::assessment_cards::extras(state, ctx, &view, show_result).await?;
    // the running result from the unit's inputs; once the appraisal result is out, also the
    // result that counts (`core::framework::result`: final, else appraised, else own)
    let scored = state.store.assessment_score(&view, true).await?;
    let report = Some(scored.own.sheet.report(&scored.compiled));
    let result_report = show_result.then(|| scored.counted.sheet.report(&scored.compiled));
    let by_code: HashMap<&str, &parindex_core::framework::score::NodeReport> =
        report.as_ref().map(|r| r.nodes.iter().map(|n| (n.code.as_str(), n)).collect()).unwrap_or_default();
    let mine: Vec<String> = self_leaves(fw, &view.assessment.unit_kind).iter().map(|n| n.code.clone()).collect();
    let library = state.store.unit_evidence(unit_id).await?;
    let mut tree = Vec::new();
    fn walk(
        nodes: &[Node],
        kind: &str,
        out: &mut Vec<TreeItem>,
        f: &dyn Fn(&Node) -> LeafView,
        totals: &dyn Fn(&Node) -> (String, String),
    ) {
        for n in nodes {
            if !n.applies_to.is_empty() && !n.applies_to.iter().any(|k| k == kind) {
                continue;
            }
            if n.is_leaf() {
                out.push(TreeItem::Leaf(Box::new(f(n))));
            } else {
                let (points, max) = totals(n);
                out.push(TreeItem::Open(DomainView { code: n.code.clone(), title: n.title.clone(), points, max }));
                walk(&n.children, kind, out, f, totals);
                out.push(TreeItem::Close);
            }
        }
    }
    let leaf_view = |n: &Node| -> LeafView {
        let e = view.entries.get(&n.code);
        let errors: Vec<&str> = refusal.errors.iter().filter(|(c, _)| c == &n.code).map(|(_, m)| m.as_str()).collect();
        let stored = Kept::stored(&view, &n.code, ctx.lang);
        let orig = digest(&stored.form, &stored.note, &stored.explanation);
        let Kept { form, note, explanation, library } = refusal.kept.get(&n.code).cloned().unwrap_or(stored);
        let r = by_code.get(n.code.as_str());
        let na = e.and_then(|e| e.input.as_ref()).is_some_and(|i| i.not_applicable);
        let has_input = e.is_some_and(|e| e.input.is_some());
        LeafView {
            form,
            note,
            explanation,
            version: e.map(|e| e.version).unwrap_or(0),
            points: if has_input && !na { r.map(|r| ctx.lang.decimal(&r.points.value)).unwrap_or_default() } else { String::new() },
            computation: if has_input {
                r.and_then(|r| r.explanation.as_ref()).map(|m| m.get(lang).to_string()).unwrap_or_default()
            } else {
                String::new()
            },
            status: if na {
                "na"
            } else if has_input {
                "done"
            } else {
                "todo"
            },
            self_scored: mine.contains(&n.code),
            updated: e.map(|e| format!("{} · {}", e.updated_by, parindex_core::text::format_time_vn(e.updated_at))).unwrap_or_default(),
            error: (!errors.is_empty()).then(|| errors.join(" ")),
            orig,
            library,
            returned: e.and_then(|e| e.returned_reason.clone()).unwrap_or_default(),
            appraised: e
                .filter(|e| e.appraised_at.is_some())
                .map(|e| e.appraised_points.as_ref().map(|p| ctx.lang.num(p, decimals)).unwrap_or_else(|| "—".into()))
                .unwrap_or_default(),
            appraisal_comment: e.and_then(|e| e.appraisal_comment.clone()).unwrap_or_default(),
            final_points: e
                .filter(|e| e.final_at.is_some())
                .map(|e| e.final_points.as_ref().map(|p| ctx.lang.num(p, decimals)).unwrap_or_else(|| "—".into()))
                .unwrap_or_default(),
            final_comment: e.and_then(|e| e.final_comment.clone()).unwrap_or_default(),
            contest: e.and_then(|e| e.contest.clone()).unwrap_or_default(),
            timeline: e.map(|e| timeline(ctx, e)).unwrap_or_default(),
            carried: extras.carried.iter().filter(|(c, _)| c == &n.code).map(|(_, t)| t.clone()).collect(),
            ..leaf_basics(ctx, n, decimals, &view)
        }
    };
    // a domain's points: the result that counts once it is out (the same as the summary's
    // total above), the unit's own until then; each leaf shows its own, appraised and final
    let counted_by_code: HashMap<&str, &parindex_core::framework::score::NodeReport> =
        result_report.as_ref().map(|r| r.nodes.iter().map(|n| (n.code.as_str(), n)).collect()).unwrap_or_default();
    let domain_points = if show_result { &counted_by_code } else { &by_code };
    let totals = |n: &Node| -> (String, String) {
        match domain_points.get(n.code.as_str()) {
            Some(r) => {
                let f = |s: &str| ctx.lang.decimal(s);
                (f(&r.points.value), f(&r.applicable_max.value))
            }
            None => (String::new(), String::new()),
        }
    };
    walk(&fw.nodes, &view.assessment.unit_kind, &mut tree, &leaf_view, &totals);
    let f = |s: &str| ctx.lang.decimal(s);
    let page = Page::new(ctx, state, format!("{} — {}", ctx.t("as.title"), view.assessment.unit_name), "/periods")
        .crumb(ctx.t("per.title"), "/periods")
        .crumb(view.period.code.clone(), format!("/periods/{}", view.period.id))
        .crumb(view.assessment.unit_name.clone(), "");
    let (due_label, due) = unit_due(ctx, &view.assessment, &view.period);
    let help = help_rows(state, &view.period, fw).await?;
    let mut r = render(&AssessmentPage {
        help,
        page,
        id,
        unit_name: view.assessment.unit_name.clone(),
        period_name: view.period.name.clone(),
        state_label: st.label(lang),
        state_class: state_class(st),
        unit_stage: st.unit_edits(),
        editable,
        can_submit: st.unit_edits() && open && ctx.allows(Action::SubmitAssessment, Resource::Unit(unit_id)),
        due_label,
        due,
        points_label: if result_report.is_some() { "as.points_result" } else { "as.points" },
        done: view.assessment.done,
        to_do: view.assessment.to_do,
        total: result_report.as_ref().or(report.as_ref()).map(|r| f(&r.total.value)).unwrap_or_default(),
        max: result_report.as_ref().or(report.as_ref()).map(|r| f(&r.applicable_max.value)).unwrap_or_default(),
        index: result_report.as_ref().or(report.as_ref()).and_then(|r| r.index.as_ref()).map(|i| f(&i.value)).unwrap_or_else(|| "—".into()),
        tree,
        flash,
        error,
        summary: if editable {
            refusal.errors.iter().map(|(c, m)| (c.clone(), fw.find(c).map(|n| n.title.clone()).unwrap_or_default(), m.clone())).collect()
        } else {
            Vec::new()
        },
        can_extend: ctx.allows(Action::ManagePeriods, Resource::System),
        can_sheet: ctx.allows(Action::ViewUnitDrafts, Resource::Unit(unit_id)),
        has_library: editable && !library.is_empty(),
        library: library.iter().map(|f| (f.id, f.name.clone())).collect(),
        show_result,
        contesting,
        can_send_contests: contesting && ctx.allows(Action::SubmitAssessment, Resource::Unit(unit_id)),
        extras,
    });
    *r.status_mut() = status;
    Ok(r)
}

/// The "Cần hỗ trợ?" box: (what, about which part, the contact) — the officer in charge of
/// the period, then each domain's appraising department.
async fn help_rows(
    state: &AppState,
    period: &parindex_store::repo::periods::PeriodRow,
    fw: &parindex_core::framework::Framework,
) -> Result<Vec<(&'static str, String, crate::chrome::ContactView)>, AppError> {
    use crate::chrome::ContactView;
    let h = crate::app::units::period_help(state, period, fw).await?;
    let mut rows = Vec::new();
    if let Some(p) = &h.officer {
        rows.push(("contact.period_officer", String::new(), ContactView::of_person(p)));
    }
    for (domain, dept, c) in h.appraisers {
        rows.push(("contact.appraiser_of", domain, ContactView::of_unit(&c).at(dept)));
    }
    Ok(rows)
}

#[derive(Deserialize)]
struct DoneQuery {
    done: Option<String>,
    /// After the page was saved as a whole: leaves written, files attached or taken off.
    n: Option<usize>,
    f: Option<usize>,
}

async fn assessment(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, AppError> {
    let flash = match q.done.as_deref() {
        Some("saved") => Some(match (q.n, q.f) {
            (Some(n), f) => saved_text(&ctx, n, f.unwrap_or(0)),
            _ => ctx.t("as.saved").to_string(),
        }),
        Some("unchanged") => Some(ctx.t("as.unchanged").to_string()),
        Some("submitted") => Some(ctx.t("as.submitted").to_string()),
        Some("evidence") => Some(ctx.t("as.evidence_saved").to_string()),
        Some("extended") => Some(ctx.t("as.extended").to_string()),
        Some("contest") => Some(ctx.t("as.contest_saved").to_string()),
        Some("contests_sent") => Some(ctx.t("as.contests_sent").to_string()),
        Some("adjustment_saved") => Some(ctx.t("im.adjustment_saved").to_string()),
        Some("improvement_saved") => Some(ctx.t("im.saved").to_string()),
        Some("report_saved") => Some(ctx.t("doc.saved").to_string()),
        Some("sheet_imported") => Some(ctx.t("ss.imported").to_string()),
        Some("sheet_unchanged") => Some(ctx.t("ss.unchanged").to_string()),
        _ => None,
    };
    assessment_page(&state, &ctx, id, Refusal::default(), None, StatusCode::OK, flash).await
}

/// "Đã lưu 3 tiêu chí, 1 tệp." — what a save of the whole page wrote.
fn saved_text(ctx: &Ctx, leaves: usize, files: usize) -> String {
    let mut parts = Vec::new();
    if leaves > 0 {
        parts.push(format!("{leaves} {}", ctx.t("as.saved_leaves")));
    }
    if files > 0 {
        parts.push(format!("{files} {}", ctx.t("as.saved_files")));
    }
    format!("{} {} ({}).", ctx.t("as.saved_prefix"), parts.join(", "), parindex_core::text::format_time_vn(chrono::Utc::now()))
}

/// The assessment page again with a refusal at the top (422), for the cards' forms
/// (`pages::improvements`).
pub(crate) async fn assessment_error(state: &AppState, ctx: &Ctx, id: i64, message: String) -> Result<Response, AppError> {
    assessment_page(state, ctx, id, Refusal::default(), Some(message), StatusCode::UNPROCESSABLE_ENTITY, None).await
}

/// The unit's own work (self-scores, evidence) may be read by its staff and the reform office,
/// and by appraisers while they appraise that unit.
pub(crate) async fn may_read_unit_work(state: &AppState, ctx: &Ctx, unit_id: i64) -> Result<(), AppError> {
    if ctx.allows(Action::ViewUnitDrafts, Resource::Unit(unit_id)) {
        return Ok(());
    }
    let actor = ctx.require(Action::Appraise, Resource::System)?;
    let scope = crate::app::appraisal::scope_of(state, actor).await?;
    if state.store.appraises_unit(&scope, unit_id).await? { Ok(()) } else { Err(AppError::Forbidden) }
}

async fn save_entry(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, code)): Path<(i64, String)>,
    Form(f): Form<EntryForm>,
) -> Result<Response, AppError> {
    let back = |message: String, keep: bool| {
        let mut r = Refusal::at(code.clone(), message);
        if keep {
            r.kept.insert(
                code.clone(),
                Kept { form: f.leaf(), note: f.note.clone(), explanation: f.explanation.clone(), library: String::new() },
            );
        }
        r
    };
    let s =
        OwnScore { given: Given::Form(f.leaf()), note: Some(f.note.clone()), explanation: Some(f.explanation.clone()), version: f.version };
    let (message, keep, status) = match leaves::save_own(&state, &ctx, id, &code, s).await {
        Ok(_) => {
            return Ok(Redirect::to(&format!("/assessments/{id}?done=saved#leaf-{}", crate::chrome::urlencode(&code))).into_response());
        }
        Err(leaves::LeafError::Input(m)) => (m.get(ctx.lang.code()).to_string(), true, StatusCode::UNPROCESSABLE_ENTITY),
        // a newer save: show the newer value, and say so at the leaf
        Err(leaves::LeafError::Store(StoreError::Conflict(m))) if m.en.contains("while you were editing") => {
            (m.get(ctx.lang.code()).to_string(), false, StatusCode::CONFLICT)
        }
        Err(leaves::LeafError::Store(e)) => {
            let status = if matches!(e, StoreError::Conflict(_)) { StatusCode::CONFLICT } else { StatusCode::UNPROCESSABLE_ENTITY };
            (store_error_text(&ctx, &e).unwrap_or_default(), true, status)
        }
        Err(leaves::LeafError::App(e)) => return Err(e),
    };
    assessment_page(&state, &ctx, id, back(message, keep), None, status, None).await
}

/// Live points while typing (editor.js): the rule applied to the form, nothing stored.
#[derive(Serialize, Default)]
struct Live {
    result: String,
    error: String,
}

async fn live(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, code)): Path<(i64, String)>,
    Form(f): Form<EntryForm>,
) -> Result<Json<Live>, AppError> {
    let view = state.store.get_assessment(id).await?;
    may_read_unit_work(&state, &ctx, view.assessment.unit_id).await?;
    let leaf = leaf_of(&view, &code)?;
    let lang = ctx.lang.code();
    let Some(rule) = leaf.rule.as_ref() else { return Ok(Json(Live::default())) };
    let max = leaf.max.clone().unwrap_or_default();
    Ok(Json(match f.leaf().input(rule) {
        Err((_, m)) => Live { error: m.get(lang).to_string(), ..Default::default() },
        Ok(None) => Live::default(),
        Ok(Some(i)) if i.not_applicable => Live { result: ctx.t("fw.preview_na").to_string(), ..Default::default() },
        Ok(Some(i)) => match apply(rule, &max, &i, true) {
            Ok(o) => Live { result: o.explanation.map(|m| m.get(lang).to_string()).unwrap_or_default(), ..Default::default() },
            Err(m) => Live { error: m.get(lang).to_string(), ..Default::default() },
        },
    }))
}

async fn submit(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>, c: crate::chrome::Confirm) -> Result<Response, AppError> {
    let view = state.store.get_assessment(id).await?;
    ctx.require(Action::SubmitAssessment, Resource::Unit(view.assessment.unit_id))?;
    if !c.given() {
        let text = ctx.t("as.submit_confirm_missing").to_string();
        return assessment_page(&state, &ctx, id, Refusal::default(), Some(text), StatusCode::UNPROCESSABLE_ENTITY, None).await;
    }
    match state.store.submit_assessment(&ctx.audit(), id, today_vn()).await {
        Ok(_) => Ok(Redirect::to(&format!("/assessments/{id}?done=submitted")).into_response()),
        Err(e @ (StoreError::Invalid(_) | StoreError::Conflict(_))) => {
            let text = store_error_text(&ctx, &e).unwrap_or_default();
            let status = if matches!(e, StoreError::Conflict(_)) { StatusCode::CONFLICT } else { StatusCode::UNPROCESSABLE_ENTITY };
            assessment_page(&state, &ctx, id, Refusal::default(), Some(text), status, None).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct ExtendForm {
    #[serde(default)]
    until: String,
    #[serde(default)]
    reason: String,
}

async fn extend(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>, Form(f): Form<ExtendForm>) -> Result<Response, AppError> {
    ctx.require(Action::ManagePeriods, Resource::System)?;
    let lang = ctx.lang.code();
    let Some(until) = parse_date(&f.until) else {
        let m = Msg::new("Ngày gia hạn theo dạng dd/mm/yyyy.", "The new deadline as dd/mm/yyyy.");
        return assessment_page(
            &state,
            &ctx,
            id,
            Refusal::default(),
            Some(m.get(lang).to_string()),
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
        )
        .await;
    };
    match state.store.extend_deadline(&ctx.audit(), id, until, &f.reason).await {
        Ok(_) => Ok(Redirect::to(&format!("/assessments/{id}?done=extended")).into_response()),
        Err(e @ StoreError::Invalid(_)) => {
            let text = store_error_text(&ctx, &e).unwrap_or_default();
            assessment_page(&state, &ctx, id, Refusal::default(), Some(text), StatusCode::UNPROCESSABLE_ENTITY, None).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct ContestForm {
    #[serde(default)]
    contest: String,
}

async fn contest(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, code)): Path<(i64, String)>,
    Form(f): Form<ContestForm>,
) -> Result<Response, AppError> {
    let view = state.store.get_assessment(id).await?;
    ctx.require(Action::EditUnitDrafts, Resource::Unit(view.assessment.unit_id))?;
    match state.store.save_contest(&ctx.audit(), id, &code, &f.contest, today_vn()).await {
        Ok(()) => Ok(Redirect::to(&format!("/assessments/{id}?done=contest#leaf-{}", crate::chrome::urlencode(&code))).into_response()),
        Err(e @ (StoreError::Invalid(_) | StoreError::Conflict(_))) => {
            let text = store_error_text(&ctx, &e).unwrap_or_default();
            assessment_page(&state, &ctx, id, Refusal::default(), Some(text), StatusCode::CONFLICT, None).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn send_contests(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let view = state.store.get_assessment(id).await?;
    ctx.require(Action::SubmitAssessment, Resource::Unit(view.assessment.unit_id))?;
    match state.store.submit_contests(&ctx.audit(), id, today_vn()).await {
        Ok(()) => Ok(Redirect::to(&format!("/assessments/{id}?done=contests_sent")).into_response()),
        Err(e @ (StoreError::Invalid(_) | StoreError::Conflict(_))) => {
            let text = store_error_text(&ctx, &e).unwrap_or_default();
            assessment_page(&state, &ctx, id, Refusal::default(), Some(text), StatusCode::CONFLICT, None).await
        }
        Err(e) => Err(e.into()),
    }
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/assessments/{id}", get(assessment))
        .route("/assessments/{id}/submit", post(submit))
        .route("/assessments/{id}/entries/{code}", post(save_entry))
        .route("/assessments/{id}/entries/{code}/live", post(live))
        .route("/assessments/{id}/extend", post(extend))
        .route("/assessments/{id}/entries/{code}/contest", post(contest))
        .route("/assessments/{id}/contests", post(send_contests))
}
