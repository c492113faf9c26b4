//! Assessment periods and a unit's self-assessment page (issue #4, first step).
//!
//! - `/periods`: the list; the reform office opens a period (year, published framework,
//!   participating units by kind or by list, deadlines per stage).
//! - `/periods/{id}`: deadlines with days left, units by state, each unit's progress (unit staff
//!   see only their own unit).
//! - `/assessments/{id}`: the framework tree with one small form per leaf (the rule's own input,
//!   note, explanation), points and the computation after each save, progress and the running
//!   total; the leader submits, which locks it. Every leaf form carries the version it was
//!   rendered with, so a save from a stale tab is refused with the newer value shown.
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
use parindex_core::assessment::{LeafForm, State as AState, days_left, today_vn};
use parindex_core::framework::rule::apply;
use parindex_core::framework::{Node, Rule, Source};
use parindex_core::text::{format_date, parse_date};
use parindex_core::{Action, Exact, Msg, Resource};
use parindex_store::StoreError;
use parindex_store::repo::periods::{AssessmentView, EntryInput, PeriodInput, PeriodRow, self_leaves};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::chrome::{Page, render, store_error_text};
use crate::ctx::Ctx;
use crate::error::AppError;

fn state_class(state: AState) -> &'static str {
    match state {
        AState::Draft => "warn",
        AState::Returned => "err",
        AState::Approved => "ok",
        _ => "",
    }
}

// ---------------------------------------------------------------------------------------------
// Periods

pub struct PeriodListRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub year: i32,
    pub framework: String,
    pub units: usize,
    pub self_due: String,
    pub submitted: usize,
}

#[derive(Template)]
#[template(path = "periods.html")]
struct PeriodList {
    page: Page,
    periods: Vec<PeriodListRow>,
    can_manage: bool,
}

async fn list(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    ctx.require(Action::ViewPeriods, Resource::System)?;
    let periods = state
        .store
        .list_periods()
        .await?
        .into_iter()
        .map(|p| PeriodListRow {
            id: p.id,
            code: p.code.clone(),
            name: p.name.clone(),
            year: p.year,
            framework: p.framework_code.clone(),
            units: p.units,
            self_due: p.self_due.map(format_date).unwrap_or_else(|| "—".into()),
            submitted: p.units - p.states.get("draft").copied().unwrap_or(0) - p.states.get("returned").copied().unwrap_or(0),
        })
        .collect();
    let page = Page::new(&ctx, &state, ctx.t("per.title"), "/periods").crumb(ctx.t("per.title"), "");
    Ok(render(&PeriodList { page, periods, can_manage: ctx.allows(Action::ManagePeriods, Resource::System) }))
}

#[derive(Deserialize, Default, Clone)]
pub struct PeriodForm {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub year: String,
    #[serde(default)]
    pub framework: String,
    /// Unit kinds, comma separated (empty: the framework's kinds).
    #[serde(default)]
    pub unit_kinds: String,
    /// Unit codes, one per line or comma separated (wins over kinds).
    #[serde(default)]
    pub unit_codes: String,
    #[serde(default)]
    pub self_due: String,
    #[serde(default)]
    pub appraisal_due: String,
    #[serde(default)]
    pub explanation_due: String,
    #[serde(default)]
    pub final_due: String,
    #[serde(default)]
    pub approval_due: String,
}

#[derive(Template)]
#[template(path = "period_form.html")]
struct PeriodFormPage {
    page: Page,
    form: PeriodForm,
    frameworks: Vec<(String, String)>,
    errors: HashMap<String, String>,
}

async fn period_form(state: &AppState, ctx: &Ctx, form: PeriodForm, errors: HashMap<String, String>) -> Result<Response, AppError> {
    let frameworks =
        state.store.list_frameworks().await?.into_iter().filter(|f| f.status == "published").map(|f| (f.code, f.name)).collect();
    let page = Page::new(ctx, state, ctx.t("per.new"), "/periods").crumb(ctx.t("per.title"), "/periods").crumb(ctx.t("per.new"), "");
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let mut r = render(&PeriodFormPage { page, form, frameworks, errors });
    *r.status_mut() = status;
    Ok(r)
}

async fn new_period(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    ctx.require(Action::ManagePeriods, Resource::System)?;
    let year = today_vn().format("%Y").to_string();
    let form =
        PeriodForm {
            year: year.clone(), code: year.clone(), name: format!("Đánh giá Chỉ số CCHC năm {year}"), ..Default::default()
        };
    period_form(&state, &ctx, form, HashMap::new()).await
}

async fn create_period(State(state): State<AppState>, ctx: Ctx, Form(f): Form<PeriodForm>) -> Result<Response, AppError> {
    ctx.require(Action::ManagePeriods, Resource::System)?;
    let lang = ctx.lang.code();
    let mut errors: HashMap<String, String> = HashMap::new();
    let mut date = |field: &str, v: &str| -> Option<chrono::NaiveDate> {
        if v.trim().is_empty() {
            return None;
        }
        let d = parse_date(v);
        if d.is_none() {
            errors.insert(field.to_string(), Msg::new("Ngày theo dạng dd/mm/yyyy.", "A date as dd/mm/yyyy.").get(lang).to_string());
        }
        d
    };
    let input = PeriodInput {
        code: f.code.clone(),
        name: f.name.clone(),
        year: f.year.trim().parse().unwrap_or(0),
        framework_code: f.framework.clone(),
        unit_kinds: f.unit_kinds.split([',', ';']).map(|k| k.trim().to_string()).filter(|k| !k.is_empty()).collect(),
        unit_codes: f.unit_codes.split([',', ';', '\n', ' ']).map(|k| k.trim().to_string()).filter(|k| !k.is_empty()).collect(),
        self_due: date("self_due", &f.self_due),
        appraisal_due: date("appraisal_due", &f.appraisal_due),
        explanation_due: date("explanation_due", &f.explanation_due),
        final_due: date("final_due", &f.final_due),
        approval_due: date("approval_due", &f.approval_due),
    };
    if !errors.is_empty() {
        return period_form(&state, &ctx, f, errors).await;
    }
    match state.store.create_period(&ctx.audit(), input).await {
        Ok(p) => Ok(Redirect::to(&format!("/periods/{}", p.id)).into_response()),
        Err(StoreError::Invalid(fields)) => {
            let errors = fields.into_iter().map(|e| (e.field.to_string(), e.message.get(lang).to_string())).collect();
            period_form(&state, &ctx, f, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

pub struct AssessmentListRow {
    pub id: i64,
    pub unit_code: String,
    pub unit_name: String,
    pub state: AState,
    pub state_label: &'static str,
    pub state_class: &'static str,
    pub done: usize,
    pub to_do: usize,
    pub percent: usize,
    pub due: String,
    pub open: bool,
    pub self_total: String,
    pub appraised: usize,
    pub gap: String,
    pub over: bool,
}

#[derive(Template)]
#[template(path = "period.html")]
struct PeriodPage {
    page: Page,
    period: PeriodRow,
    deadlines: Vec<(&'static str, String)>,
    states: Vec<(&'static str, &'static str, usize)>,
    rows: Vec<AssessmentListRow>,
    /// The reform office sees the self vs appraised gap.
    can_manage: bool,
    can_approve: bool,
    /// Units whose appraisal is complete and whose preliminary result can be sent.
    ready: usize,
    flash: Option<String>,
    error: Option<String>,
    /// Leaves with the largest self − appraised gap (reform office).
    leaf_gaps: Vec<(String, String, usize, usize, String)>,
    /// Appraisal assignments of domains and criteria: (code, title, depth, framework's, this period's).
    assignments: Vec<(String, String, usize, String, String)>,
    agencies: Vec<(String, String)>,
    /// The results and ranking page is open to this reader.
    can_see_results: bool,
}

#[derive(Deserialize)]
struct PeriodQuery {
    assigned: Option<String>,
    sent: Option<usize>,
    approved: Option<String>,
    not_ready: Option<String>,
}

fn deadline_text(ctx: &Ctx, d: Option<chrono::NaiveDate>) -> String {
    match d {
        Some(d) => format!("{} ({})", format_date(d), days_left(d, today_vn(), ctx.lang.code())),
        None => "—".into(),
    }
}

async fn period_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, AppError> {
    let actor = ctx.require(Action::ViewPeriods, Resource::System)?;
    let period = state.store.get_period(id).await?;
    let scope = parindex_core::access::unit_scope(actor);
    let rows: Vec<AssessmentListRow> = state
        .store
        .list_assessments(id, scope)
        .await?
        .into_iter()
        .map(|a| AssessmentListRow {
            id: a.id,
            state_label: a.state.label(ctx.lang.code()),
            state_class: state_class(a.state),
            percent: (a.done * 100).checked_div(a.to_do).unwrap_or(100),
            due: a.self_due.map(format_date).unwrap_or_default(),
            open: ctx.allows(Action::ViewUnitDrafts, Resource::Unit(a.unit_id)),
            self_total: ctx.lang.num(&a.self_total, 2),
            appraised: a.appraised,
            over: a.gap > Exact::ZERO,
            gap: if a.appraised == 0 { "—".into() } else { ctx.lang.num(&a.gap, 2) },
            unit_code: a.unit_code,
            unit_name: a.unit_name,
            state: a.state,
            done: a.done,
            to_do: a.to_do,
        })
        .collect();
    let deadlines = vec![
        ("per.self_due", deadline_text(&ctx, period.self_due)),
        ("per.appraisal_due", deadline_text(&ctx, period.appraisal_due)),
        ("per.explanation_due", deadline_text(&ctx, period.explanation_due)),
        ("per.final_due", deadline_text(&ctx, period.final_due)),
        ("per.approval_due", deadline_text(&ctx, period.approval_due)),
    ];
    let states =
        AState::ALL.iter().filter_map(|s| period.states.get(s.as_str()).map(|n| (s.label(ctx.lang.code()), state_class(*s), *n))).collect();
    let page =
        Page::new(&ctx, &state, period.name.clone(), "/periods").crumb(ctx.t("per.title"), "/periods").crumb(period.code.clone(), "");
    let ready = rows.iter().filter(|r| r.state == AState::UnderAppraisal && r.appraised == r.to_do).count();
    let flash = match (q.sent, q.approved.is_some(), q.assigned.is_some()) {
        (Some(n), _, _) => Some(format!("{} {n}", ctx.t("per.preliminary_sent"))),
        (_, true, _) => Some(ctx.t("per.approved").to_string()),
        (_, _, true) => Some(ctx.t("per.assigned").to_string()),
        _ => None,
    };
    Ok(render(&PeriodPage {
        page,
        period,
        deadlines,
        states,
        rows,
        can_manage: ctx.allows(Action::ManagePeriods, Resource::System),
        can_approve: ctx.allows(Action::ApprovePeriod, Resource::System),
        can_see_results: ctx.allows(Action::ViewResults, Resource::System),
        ready,
        flash,
        error: q.not_ready,
        assignments: if ctx.allows(Action::ManagePeriods, Resource::System) { assignment_rows(&state, id).await? } else { vec![] },
        agencies: if ctx.allows(Action::ManagePeriods, Resource::System) {
            state
                .store
                .list_units(
                    parindex_core::UnitScope::All,
                    &parindex_store::repo::units::UnitFilter { kind: Some("agency".into()), ..Default::default() },
                )
                .await?
                .into_iter()
                .map(|u| (u.code, u.name))
                .collect()
        } else {
            vec![]
        },
        leaf_gaps: if ctx.allows(Action::ManagePeriods, Resource::System) {
            state
                .store
                .leaf_gaps(id)
                .await?
                .into_iter()
                .filter(|g| g.gap > Exact::ZERO)
                .take(15)
                .map(|g| (g.code, g.title, g.over, g.appraised, ctx.lang.num(&g.gap, 2)))
                .collect()
        } else {
            vec![]
        },
    }))
}

// ---------------------------------------------------------------------------------------------
// The self-assessment page

#[derive(Default)]
pub struct LeafView {
    /// Improvement actions planned for this leaf in earlier years (`pages::improvements`).
    pub carried: Vec<String>,
    pub code: String,
    pub title: String,
    pub guidance: String,
    pub max: String,
    pub kind: &'static str,
    pub options: Vec<(String, String)>,
    pub form: LeafForm,
    pub note: String,
    pub explanation: String,
    pub version: i32,
    pub points: String,
    pub computation: String,
    /// todo | done | na
    pub status: &'static str,
    pub self_scored: bool,
    pub source_note: &'static str,
    pub evidence: String,
    pub evidence_required: bool,
    pub updated: String,
    pub error: Option<String>,
    pub files: Vec<FileView>,
    /// Why an appraiser returned the leaf for correction (empty when not returned).
    pub returned: String,
    /// After the preliminary result: appraised and final points with the appraisers' comments,
    /// and the unit's explanation/contest.
    pub appraised: String,
    pub appraisal_comment: String,
    pub final_points: String,
    pub final_comment: String,
    pub contest: String,
    /// Who did what on this leaf, in order (self → appraised → explained → final).
    pub timeline: Vec<String>,
}

/// A leaf's history from its row: self-scored, appraised, explained, final (who and when).
pub fn timeline(ctx: &Ctx, e: &parindex_store::repo::periods::EntryRow) -> Vec<String> {
    let when = |t: &chrono::DateTime<chrono::Utc>| parindex_core::text::format_time_vn(*t);
    let mut out = Vec::new();
    if e.input.is_some() {
        out.push(format!("{} — {} ({})", ctx.t("tl.self"), e.updated_by, when(&e.updated_at)));
    }
    if let (Some(by), Some(at)) = (&e.appraised_by, &e.appraised_at) {
        out.push(format!("{} — {by} ({})", ctx.t("tl.appraised"), when(at)));
    }
    if let Some(by) = &e.contest_by {
        out.push(format!("{} — {by}", ctx.t("tl.explained")));
    }
    if let (Some(by), Some(at)) = (&e.final_by, &e.final_at) {
        out.push(format!("{} — {by} ({})", ctx.t("tl.final"), when(at)));
    }
    out
}

/// What every view of a leaf shows (self-assessment and appraisal): the leaf itself, its rule's
/// input widget, what evidence it asks for and the files the unit linked.
pub fn leaf_basics(ctx: &Ctx, n: &Node, decimals: u32, view: &AssessmentView) -> LeafView {
    LeafView {
        code: n.code.clone(),
        title: n.title.clone(),
        guidance: n.guidance.clone().unwrap_or_default(),
        max: ctx.lang.num(&n.max.clone().unwrap_or_default(), decimals),
        kind: kind_of(n.rule.as_ref()),
        options: match &n.rule {
            Some(Rule::Options { options }) => {
                options.iter().map(|o| (o.key.clone(), format!("{} ({})", o.label, ctx.lang.num(&o.points, decimals)))).collect()
            }
            _ => vec![],
        },
        source_note: match n.source {
            Source::Survey => "as.source_survey",
            Source::Imported => "as.source_imported",
            Source::Computed => "as.source_computed",
            Source::SelfAssessed => "",
        },
        evidence: n.evidence.as_ref().map(|ev| ev.documents.join("; ")).unwrap_or_default(),
        evidence_required: n.evidence.as_ref().is_some_and(|ev| ev.required),
        files: view
            .evidence
            .get(&n.code)
            .map(|v| {
                v.iter()
                    .map(|f| FileView {
                        id: f.id,
                        name: f.name.clone(),
                        size: size_text(f.size),
                        kind: f.kind.to_uppercase(),
                        preview: parindex_core::evidence::Kind::parse(&f.kind).is_some_and(|k| k.previewable()),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        ..Default::default()
    }
}

pub struct FileView {
    pub id: i64,
    pub name: String,
    pub size: String,
    pub kind: String,
    pub preview: bool,
}

fn size_text(bytes: i64) -> String {
    if bytes >= 1024 * 1024 { format!("{:.1} MB", bytes as f64 / 1048576.0) } else { format!("{} KB", (bytes + 1023) / 1024) }
}

pub struct DomainView {
    pub code: String,
    pub title: String,
    pub points: String,
    pub max: String,
}

pub enum TreeItem {
    Open(DomainView),
    Leaf(Box<LeafView>),
    Close,
}

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
    /// The reform office may extend this unit's deadline.
    can_extend: bool,
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
}

/// Errors to show on one leaf after a refused save.
struct LeafError {
    code: String,
    message: String,
    form: Option<(LeafForm, String, String)>,
}

pub fn kind_of(rule: Option<&Rule>) -> &'static str {
    rule.map(|r| r.kind()).unwrap_or("")
}

async fn assessment_page(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    leaf_error: Option<LeafError>,
    error: Option<String>,
    status: StatusCode,
    flash: Option<String>,
) -> Result<Response, AppError> {
    let view = state.store.get_assessment(id).await?;
    let unit_id = view.assessment.unit_id;
    ctx.require(Action::ViewUnitDrafts, Resource::Unit(unit_id))?;
    let lang = ctx.lang.code();
    let st = view.assessment.state;
    let open = parindex_core::assessment::within(view.assessment.self_due, today_vn()).is_ok();
    let editable = st.unit_edits() && open && ctx.allows(Action::EditUnitDrafts, Resource::Unit(unit_id));
    let show_result = st.result_out();
    let contesting = st == AState::PreliminarySent
        && parindex_core::assessment::within(view.period.explanation_due, today_vn()).is_ok()
        && ctx.allows(Action::EditUnitDrafts, Resource::Unit(unit_id));
    // with no leaf forms on the page (locked, late), a refusal is said at the top
    let error = if editable { error } else { error.or_else(|| leaf_error.as_ref().map(|e| format!("{}: {}", e.code, e.message))) };
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
        let err = leaf_error.as_ref().filter(|x| x.code == n.code);
        let (form, note, explanation) = match err.and_then(|x| x.form.clone()) {
            Some(f) => f,
            None => (
                e.and_then(|e| e.input.as_ref()).map(LeafForm::of).unwrap_or_default(),
                e.and_then(|e| e.note.clone()).unwrap_or_default(),
                e.and_then(|e| e.explanation.clone()).unwrap_or_default(),
            ),
        };
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
            error: err.map(|x| x.message.clone()),
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
    let totals = |n: &Node| -> (String, String) {
        match by_code.get(n.code.as_str()) {
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
    let mut r = render(&AssessmentPage {
        page,
        id,
        unit_name: view.assessment.unit_name.clone(),
        period_name: view.period.name.clone(),
        state_label: st.label(lang),
        state_class: state_class(st),
        unit_stage: st.unit_edits(),
        editable,
        can_submit: st.unit_edits() && open && ctx.allows(Action::SubmitAssessment, Resource::Unit(unit_id)),
        due_label: match st {
            AState::PreliminarySent => "per.explanation_due",
            AState::FinalAppraisal => "per.final_due",
            _ => "per.self_due",
        },
        due: deadline_text(
            ctx,
            match st {
                AState::PreliminarySent => view.period.explanation_due,
                AState::FinalAppraisal => view.period.final_due,
                _ => view.assessment.self_due,
            },
        ),
        points_label: if result_report.is_some() { "as.points_result" } else { "as.points" },
        done: view.assessment.done,
        to_do: view.assessment.to_do,
        total: result_report.as_ref().or(report.as_ref()).map(|r| f(&r.total.value)).unwrap_or_default(),
        max: result_report.as_ref().or(report.as_ref()).map(|r| f(&r.applicable_max.value)).unwrap_or_default(),
        index: result_report.as_ref().or(report.as_ref()).and_then(|r| r.index.as_ref()).map(|i| f(&i.value)).unwrap_or_else(|| "—".into()),
        tree,
        flash,
        error,
        can_extend: ctx.allows(Action::ManagePeriods, Resource::System),
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

#[derive(Deserialize)]
struct DoneQuery {
    done: Option<String>,
}

async fn assessment(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, AppError> {
    let flash = match q.done.as_deref() {
        Some("saved") => Some(ctx.t("as.saved").to_string()),
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
    assessment_page(&state, &ctx, id, None, None, StatusCode::OK, flash).await
}

/// The assessment page again with a refusal at the top (422), for the cards' forms
/// (`pages::improvements`).
pub(crate) async fn assessment_error(state: &AppState, ctx: &Ctx, id: i64, message: String) -> Result<Response, AppError> {
    assessment_page(state, ctx, id, None, Some(message), StatusCode::UNPROCESSABLE_ENTITY, None).await
}

#[derive(Deserialize, Default, Clone, Serialize)]
pub struct EntryForm {
    #[serde(default)]
    pub option: String,
    #[serde(default)]
    pub yes: String,
    #[serde(default)]
    pub percent: String,
    #[serde(default)]
    pub numerator: String,
    #[serde(default)]
    pub denominator: String,
    #[serde(default)]
    pub count: String,
    #[serde(default)]
    pub value: String,
    #[serde(default)]
    pub not_applicable: Option<String>,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub explanation: String,
    #[serde(default)]
    pub version: i32,
    /// The appraisal page's button: save or return.
    #[serde(default)]
    pub op: String,
}

impl EntryForm {
    pub fn leaf(&self) -> LeafForm {
        LeafForm {
            option: self.option.clone(),
            yes: self.yes.clone(),
            percent: self.percent.clone(),
            numerator: self.numerator.clone(),
            denominator: self.denominator.clone(),
            count: self.count.clone(),
            value: self.value.clone(),
            not_applicable: self.not_applicable.clone(),
        }
    }
}

/// The unit's own work (self-scores, evidence) may be read by its staff and the reform office,
/// and by appraisers while they appraise that unit.
async fn may_read_unit_work(state: &AppState, ctx: &Ctx, unit_id: i64) -> Result<(), AppError> {
    if ctx.allows(Action::ViewUnitDrafts, Resource::Unit(unit_id)) {
        return Ok(());
    }
    let actor = ctx.require(Action::Appraise, Resource::System)?;
    let scope = crate::app::appraisal::scope_of(state, actor).await?;
    if state.store.appraises_unit(&scope, unit_id).await? { Ok(()) } else { Err(AppError::Forbidden) }
}

fn leaf_of<'a>(view: &'a AssessmentView, code: &str) -> Result<&'a Node, AppError> {
    view.framework.find(code).filter(|n| n.is_leaf()).ok_or(AppError::NotFound)
}

async fn save_entry(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, code)): Path<(i64, String)>,
    Form(f): Form<EntryForm>,
) -> Result<Response, AppError> {
    let view = state.store.get_assessment(id).await?;
    ctx.require(Action::EditUnitDrafts, Resource::Unit(view.assessment.unit_id))?;
    let leaf = leaf_of(&view, &code)?;
    let lang = ctx.lang.code();
    let back = |message: String, keep: bool| LeafError {
        code: code.clone(),
        message,
        form: keep.then(|| (f.leaf(), f.note.clone(), f.explanation.clone())),
    };
    let input = match leaf.rule.as_ref().map(|r| f.leaf().input(r)).transpose() {
        Ok(i) => i.flatten(),
        Err((_, m)) => {
            return assessment_page(
                &state,
                &ctx,
                id,
                Some(back(m.get(lang).to_string(), true)),
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
            )
            .await;
        }
    };
    let e = EntryInput { input, note: Some(f.note.clone()), explanation: Some(f.explanation.clone()), version: f.version };
    match state.store.save_entry(&ctx.audit(), id, &code, e, today_vn()).await {
        Ok(_) => Ok(Redirect::to(&format!("/assessments/{id}?done=saved#leaf-{}", crate::chrome::urlencode(&code))).into_response()),
        // a newer save: show the newer value, and say so at the leaf
        Err(StoreError::Conflict(m)) if m.en.contains("while you were editing") => {
            assessment_page(&state, &ctx, id, Some(back(m.get(lang).to_string(), false)), None, StatusCode::CONFLICT, None).await
        }
        Err(e @ (StoreError::Invalid(_) | StoreError::Conflict(_))) => {
            let text = store_error_text(&ctx, &e).unwrap_or_default();
            let status = if matches!(e, StoreError::Conflict(_)) { StatusCode::CONFLICT } else { StatusCode::UNPROCESSABLE_ENTITY };
            assessment_page(&state, &ctx, id, Some(back(text, true)), None, status, None).await
        }
        Err(e) => Err(e.into()),
    }
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

async fn submit(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let view = state.store.get_assessment(id).await?;
    ctx.require(Action::SubmitAssessment, Resource::Unit(view.assessment.unit_id))?;
    match state.store.submit_assessment(&ctx.audit(), id, today_vn()).await {
        Ok(_) => Ok(Redirect::to(&format!("/assessments/{id}?done=submitted")).into_response()),
        Err(e @ (StoreError::Invalid(_) | StoreError::Conflict(_))) => {
            let text = store_error_text(&ctx, &e).unwrap_or_default();
            let status = if matches!(e, StoreError::Conflict(_)) { StatusCode::CONFLICT } else { StatusCode::UNPROCESSABLE_ENTITY };
            assessment_page(&state, &ctx, id, None, Some(text), status, None).await
        }
        Err(e) => Err(e.into()),
    }
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/periods", get(list).post(create_period))
        .route("/periods/new", get(new_period))
        .route("/periods/{id}", get(period_page))
        .route("/assessments/{id}", get(assessment))
        .route("/assessments/{id}/submit", post(submit))
        .route("/assessments/{id}/entries/{code}", post(save_entry))
        .route("/assessments/{id}/entries/{code}/live", post(live))
        .merge(evidence_router())
}

// ---------------------------------------------------------------------------------------------
// Evidence: upload (several files at once), link from the library, unlink, download

/// Stream one multipart field into a temporary file, hashing as it goes; stops at `limit`
/// bytes (the file is removed) so that an oversized upload fills neither memory nor disk.
async fn receive(
    state: &AppState,
    field: &mut axum::extract::multipart::Field<'_>,
    limit: usize,
) -> Result<(std::path::PathBuf, String, i64), AppError> {
    use sha2::Digest;
    use tokio::io::AsyncWriteExt;
    let (path, mut file) = state.blobs.temp_file().await.map_err(|e| AppError::Internal(format!("temp file: {e}")))?;
    let mut hasher = sha2::Sha256::new();
    let mut size = 0usize;
    let result: Result<(), AppError> = async {
        while let Some(chunk) = field.chunk().await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                AppError::PayloadTooLarge
            } else {
                AppError::BadRequest(Msg::new(format!("Không đọc được tệp tải lên ({e})."), format!("Cannot read the upload ({e}).")))
            }
        })? {
            size += chunk.len();
            if size > limit {
                return Err(AppError::PayloadTooLarge);
            }
            hasher.update(&chunk);
            file.write_all(&chunk).await.map_err(|e| AppError::Internal(format!("write: {e}")))?;
        }
        file.flush().await.map_err(|e| AppError::Internal(format!("write: {e}")))?;
        Ok(())
    }
    .await;
    drop(file);
    if let Err(e) = result {
        let _ = tokio::fs::remove_file(&path).await;
        return Err(e);
    }
    Ok((path, hex::encode(hasher.finalize()), size as i64))
}

async fn upload_evidence(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, code)): Path<(i64, String)>,
    headers: axum::http::HeaderMap,
    mut mp: axum::extract::Multipart,
) -> Result<Response, AppError> {
    let view = state.store.get_assessment(id).await?;
    ctx.require(Action::EditUnitDrafts, Resource::Unit(view.assessment.unit_id))?;
    leaf_of(&view, &code)?;
    let limit = state.config.max_upload_bytes;
    // refused before reading a byte when the request says it is too big
    let declared = headers.get(axum::http::header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(AppError::PayloadTooLarge);
    }
    let lang = ctx.lang.code();
    let today = today_vn();
    let mut problems = Vec::new();
    let mut linked = 0;
    while let Some(mut field) = mp.next_field().await.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::PayloadTooLarge
        } else {
            AppError::BadRequest(Msg::new(format!("Không đọc được tệp tải lên ({e})."), format!("Cannot read the upload ({e}).")))
        }
    })? {
        match field.name() {
            Some("library") => {
                // "#12 Quyết định.pdf" from the library list (or a bare id)
                let v = field.text().await.unwrap_or_default();
                let id_part = v.trim().trim_start_matches('#').split_whitespace().next().unwrap_or("").to_string();
                if let Ok(eid) = id_part.parse::<i64>() {
                    match state.store.link_evidence(&ctx.audit(), id, &code, eid, today).await {
                        Ok(()) => linked += 1,
                        Err(e) => problems.push(store_error_text(&ctx, &e).unwrap_or_else(|| ctx.t("as.evidence_not_found").to_string())),
                    }
                }
            }
            Some("file") => {
                let Some(original) = field.file_name().map(str::to_string).filter(|n| !n.is_empty()) else { continue };
                let name = parindex_core::evidence::safe_name(&original);
                let (tmp, sha, size) = match receive(&state, &mut field, limit).await {
                    Ok(x) => x,
                    Err(AppError::PayloadTooLarge) => {
                        problems.push(
                            Msg::new(
                                format!("“{name}” vượt quá giới hạn {} MB; tệp không được lưu.", limit / 1024 / 1024),
                                format!("“{name}” is over the {} MB limit; the file was not kept.", limit / 1024 / 1024),
                            )
                            .get(lang)
                            .to_string(),
                        );
                        // the rest of the request is not read: its size is not known to be safe
                        break;
                    }
                    Err(e) => return Err(e),
                };
                let kind = {
                    let tmp = tmp.clone();
                    tokio::task::spawn_blocking(move || {
                        std::fs::File::open(&tmp).map_err(|_| "").and_then(parindex_reports::evidence::detect)
                    })
                    .await
                    .unwrap_or(Err(""))
                };
                let kind = match kind {
                    Ok(k) => k,
                    Err(looks) => {
                        let _ = tokio::fs::remove_file(&tmp).await;
                        let e = parindex_store::repo::evidence::refused(&name, looks);
                        problems.push(store_error_text(&ctx, &e).unwrap_or_default());
                        continue;
                    }
                };
                state.blobs.keep(&tmp, &sha).await.map_err(|e| AppError::Internal(format!("keep: {e}")))?;
                let file = state.store.add_evidence(&ctx.audit(), view.assessment.unit_id, &sha, size, kind, &name).await?;
                match state.store.link_evidence(&ctx.audit(), id, &code, file.id, today).await {
                    Ok(()) => linked += 1,
                    Err(e) => problems.push(store_error_text(&ctx, &e).unwrap_or_default()),
                }
            }
            _ => {}
        }
    }
    if problems.is_empty() {
        if linked == 0 {
            let m = ctx.t("as.no_file").to_string();
            return assessment_page(
                &state,
                &ctx,
                id,
                Some(LeafError { code, message: m, form: None }),
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
            )
            .await;
        }
        return Ok(Redirect::to(&format!("/assessments/{id}?done=evidence#leaf-{}", crate::chrome::urlencode(&code))).into_response());
    }
    let status = if problems.iter().any(|p| p.contains("MB")) { StatusCode::PAYLOAD_TOO_LARGE } else { StatusCode::UNPROCESSABLE_ENTITY };
    assessment_page(&state, &ctx, id, Some(LeafError { code, message: problems.join(" "), form: None }), None, status, None).await
}

async fn unlink_evidence(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, code, eid)): Path<(i64, String, i64)>,
) -> Result<Response, AppError> {
    let view = state.store.get_assessment(id).await?;
    ctx.require(Action::EditUnitDrafts, Resource::Unit(view.assessment.unit_id))?;
    match state.store.unlink_evidence(&ctx.audit(), id, &code, eid, today_vn()).await {
        Ok(()) => Ok(Redirect::to(&format!("/assessments/{id}?done=evidence#leaf-{}", crate::chrome::urlencode(&code))).into_response()),
        Err(e @ StoreError::Conflict(_)) => {
            let text = store_error_text(&ctx, &e).unwrap_or_default();
            assessment_page(&state, &ctx, id, None, Some(text), StatusCode::CONFLICT, None).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct DownloadQuery {
    inline: Option<String>,
}

/// A file, to those who may see the unit's drafts, as an attachment under its original name
/// (PDF and images may be shown in the browser with `?inline=1`, sandboxed). Logged.
async fn download_evidence(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(eid): Path<i64>,
    Query(q): Query<DownloadQuery>,
) -> Result<Response, AppError> {
    let file = state.store.get_evidence(eid).await?;
    may_read_unit_work(&state, &ctx, file.unit_id).await?;
    let kind = parindex_core::evidence::Kind::parse(&file.kind).ok_or(AppError::NotFound)?;
    let inline = q.inline.is_some() && kind.previewable();
    let f = state.blobs.open(&file.sha256).await.map_err(|_| AppError::NotFound)?;
    state.store.log_evidence_download(&ctx.audit(), &file).await?;
    let body = axum::body::Body::from_stream(tokio_util::io::ReaderStream::new(f));
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, kind.mime().to_string()),
            (axum::http::header::CONTENT_DISPOSITION, parindex_core::evidence::content_disposition(&file.name, inline)),
            (axum::http::header::CONTENT_LENGTH, file.size.to_string()),
            (
                axum::http::header::CONTENT_SECURITY_POLICY,
                "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'".to_string(),
            ),
            (axum::http::header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        body,
    )
        .into_response())
}

/// All of a unit's evidence for this assessment as one ZIP, a folder per criterion (the unit,
/// the reform office, and its appraisers). Written to a temporary file, then streamed.
async fn evidence_zip(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let view = state.store.get_assessment(id).await?;
    may_read_unit_work(&state, &ctx, view.assessment.unit_id).await?;
    let mut files = Vec::new();
    for (_, n) in view.framework.walk() {
        for f in view.evidence.get(&n.code).into_iter().flatten() {
            if let Some(path) = state.blobs.path(&f.sha256) {
                files.push((parindex_reports::evidence::folder_name(&n.code, &n.title), f.name.clone(), path));
            }
        }
    }
    let (tmp, file) = state.blobs.temp_file().await.map_err(|e| AppError::Internal(format!("temp: {e}")))?;
    let file = file.into_std().await;
    let written = tokio::task::spawn_blocking(move || parindex_reports::evidence::write_zip(file, &files))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    if let Err(e) = written {
        let _ = tokio::fs::remove_file(&tmp).await;
        return Err(AppError::Internal(format!("zip: {e}")));
    }
    let f = tokio::fs::File::open(&tmp).await.map_err(|e| AppError::Internal(e.to_string()))?;
    let size = f.metadata().await.map(|m| m.len()).unwrap_or(0);
    // the open file stays readable once its name is gone
    let _ = tokio::fs::remove_file(&tmp).await;
    let row = parindex_store::repo::evidence::EvidenceRow {
        id: 0,
        unit_id: view.assessment.unit_id,
        sha256: String::new(),
        size: size as i64,
        kind: "zip".into(),
        name: format!("{}.zip", view.assessment.unit_code),
        uploaded_by: String::new(),
        uploaded_at: chrono::Utc::now(),
    };
    state.store.log_evidence_download(&ctx.audit(), &row).await?;
    let name = format!("tai-lieu-kiem-chung-{}-{}.zip", view.period.code, view.assessment.unit_code);
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "application/zip".to_string()),
            (axum::http::header::CONTENT_DISPOSITION, parindex_core::evidence::content_disposition(&name, false)),
            (axum::http::header::CONTENT_LENGTH, size.to_string()),
            (axum::http::header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        axum::body::Body::from_stream(tokio_util::io::ReaderStream::new(f)),
    )
        .into_response())
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
        return assessment_page(&state, &ctx, id, None, Some(m.get(lang).to_string()), StatusCode::UNPROCESSABLE_ENTITY, None).await;
    };
    match state.store.extend_deadline(&ctx.audit(), id, until, &f.reason).await {
        Ok(_) => Ok(Redirect::to(&format!("/assessments/{id}?done=extended")).into_response()),
        Err(e @ StoreError::Invalid(_)) => {
            let text = store_error_text(&ctx, &e).unwrap_or_default();
            assessment_page(&state, &ctx, id, None, Some(text), StatusCode::UNPROCESSABLE_ENTITY, None).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Domains and criteria (two levels) with the framework's appraiser and this period's.
async fn assignment_rows(state: &AppState, period_id: i64) -> Result<Vec<(String, String, usize, String, String)>, AppError> {
    let p = state.store.get_period(period_id).await?;
    let (_, fw) = state.store.get_framework(&p.framework_code).await?;
    let period: std::collections::HashMap<String, String> = state.store.assignments(period_id).await?.into_iter().collect();
    Ok(fw
        .walk()
        .into_iter()
        .filter(|(d, n)| *d <= 1 && !n.is_leaf())
        .map(|(d, n)| {
            (n.code.clone(), n.title.clone(), d, n.appraiser.clone().unwrap_or_default(), period.get(&n.code).cloned().unwrap_or_default())
        })
        .collect())
}

/// Replace the period's assignments from the form (`a:<code>` = agency code; empty = the
/// framework's).
async fn save_assignments(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(pid): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    ctx.require(Action::ManagePeriods, Resource::System)?;
    let map: Vec<(String, String)> = fields
        .into_iter()
        .filter_map(|(k, v)| k.strip_prefix("a:").map(|c| (c.to_string(), v.trim().to_uppercase())))
        .filter(|(_, v)| !v.is_empty())
        .collect();
    match state.store.set_assignments(&ctx.audit(), pid, map).await {
        Ok(()) => Ok(Redirect::to(&format!("/periods/{pid}?assigned=1#assignments")).into_response()),
        Err(e @ StoreError::Invalid(_)) => {
            let text = store_error_text(&ctx, &e).unwrap_or_default();
            Ok(Redirect::to(&format!("/periods/{pid}?not_ready={}#assignments", crate::chrome::urlencode(&text))).into_response())
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
            assessment_page(&state, &ctx, id, None, Some(text), StatusCode::CONFLICT, None).await
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
            assessment_page(&state, &ctx, id, None, Some(text), StatusCode::CONFLICT, None).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Send the preliminary result to every unit whose appraisal is complete (reform office).
async fn send_preliminary(State(state): State<AppState>, ctx: Ctx, Path(pid): Path<i64>) -> Result<Response, AppError> {
    ctx.require(Action::ManagePeriods, Resource::System)?;
    let mut sent = 0;
    for a in state.store.list_assessments(pid, parindex_core::UnitScope::All).await? {
        if a.state == AState::UnderAppraisal && state.store.send_preliminary(&ctx.audit(), a.id).await.is_ok() {
            sent += 1;
        }
    }
    Ok(Redirect::to(&format!("/periods/{pid}?sent={sent}")).into_response())
}

/// The council approves the period's results (all units ready, every contest answered).
async fn approve(State(state): State<AppState>, ctx: Ctx, Path(pid): Path<i64>) -> Result<Response, AppError> {
    ctx.require(Action::ApprovePeriod, Resource::System)?;
    match state.store.approve_period(&ctx.audit(), pid, parindex_core::assessment::today_vn()).await {
        Ok(_) => Ok(Redirect::to(&format!("/periods/{pid}?approved=1")).into_response()),
        Err(e @ StoreError::Invalid(_)) => Ok(Redirect::to(&format!(
            "/periods/{pid}?not_ready={}",
            crate::chrome::urlencode(&store_error_text(&ctx, &e).unwrap_or_default())
        ))
        .into_response()),
        Err(e) => Err(e.into()),
    }
}

pub fn evidence_router() -> Router<AppState> {
    Router::new()
        .route("/assessments/{id}/entries/{code}/evidence", post(upload_evidence))
        .route("/assessments/{id}/entries/{code}/evidence/{eid}/unlink", post(unlink_evidence))
        .route("/evidence/{eid}", get(download_evidence))
        .route("/assessments/{id}/extend", post(extend))
        .route("/assessments/{id}/evidence.zip", get(evidence_zip))
        .route("/assessments/{id}/entries/{code}/contest", post(contest))
        .route("/assessments/{id}/contests", post(send_contests))
        .route("/periods/{id}/preliminary", post(send_preliminary))
        .route("/periods/{id}/approve", post(approve))
        .route("/periods/{id}/assignments", post(save_assignments))
}
