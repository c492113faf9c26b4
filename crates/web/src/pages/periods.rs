//! Assessment periods (issue #4): the list; opening a period (year, published framework,
//! participating units by kind or by list, deadlines per stage); `/periods/{id}` with deadlines,
//! units by state and each unit's progress (unit staff see only their own unit); and the reform
//! office's steps on a whole period: appraisers per domain, the preliminary result, approval.
//!
//! One unit's assessment is `pages::assessment`, the leaf views both screens share
//! `pages::leaf_view`, evidence files `pages::evidence`.

use std::collections::HashMap;

use crate::extract::Query;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use parindex_core::assessment::{State as AState, days_left, today_vn};
use parindex_core::text::{format_date, parse_date};
use parindex_core::{Action, Exact, Msg, Resource};
use parindex_store::StoreError;
use parindex_store::repo::periods::{Decision, PeriodInput, PeriodRow};
use serde::Deserialize;

use crate::AppState;
use crate::chrome::{Page, render, store_error_text};
use crate::ctx::Ctx;
use crate::error::AppError;

pub(crate) fn state_class(state: AState) -> &'static str {
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
    /// The kinds' checkboxes (`units::ticked_kinds`).
    #[serde(flatten)]
    pub extra: HashMap<String, String>,
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
    /// The username of the officer in charge (issue #17).
    #[serde(default)]
    pub contact: String,
}

#[derive(Template)]
#[template(path = "period_form.html")]
struct PeriodFormPage {
    page: Page,
    form: PeriodForm,
    frameworks: Vec<(String, String)>,
    errors: HashMap<String, String>,
    /// Unit kinds to tick: (code, name, ticked).
    kind_boxes: Vec<(String, String, bool)>,
    /// The reform office's officers who may be put in charge: (username, name).
    officers: Vec<(String, String)>,
    /// The unit picker: groups (kind and area) of (code, name, ticked).
    unit_groups: Vec<UnitGroup>,
    ticked_units: usize,
}

/// A group of the unit picker: its name (kind and area) and its units (code, name, ticked).
pub type UnitGroup = (String, Vec<(String, String, bool)>);

/// The active units for the picker of a new period (issue #17: chosen, not pasted as codes),
/// grouped by kind and area in name order; those in `chosen` (codes) ticked.
async fn unit_groups(state: &AppState, ctx: &Ctx, chosen: &str) -> Result<Vec<UnitGroup>, AppError> {
    let chosen: Vec<String> = chosen.split([',', ';', '\n', ' ']).map(|c| c.trim().to_uppercase()).filter(|c| !c.is_empty()).collect();
    let kinds = crate::pages::units::kind_options(state, ctx).await?;
    let units = state.store.list_units(parindex_core::UnitScope::All, &parindex_store::repo::units::UnitFilter::default()).await?;
    let mut groups: Vec<UnitGroup> = Vec::new();
    for (kind, label) in &kinds {
        let mut areas: Vec<Option<String>> = units.iter().filter(|u| &u.kind == kind).map(|u| u.area.clone()).collect();
        areas.sort();
        areas.dedup();
        for area in areas {
            let members: Vec<(String, String, bool)> = units
                .iter()
                .filter(|u| &u.kind == kind && u.area == area)
                .map(|u| (u.code.clone(), u.name.clone(), chosen.contains(&u.code)))
                .collect();
            let name = match &area {
                Some(a) => format!("{label} — {a}"),
                None => label.clone(),
            };
            groups.push((name, members));
        }
    }
    Ok(groups)
}

/// The units ticked in the picker (`u_{code}` boxes; `units_shown` marks a form that had the
/// picker), comma separated; `None` for a form that sent codes as text.
fn ticked_units(fields: &HashMap<String, String>) -> Option<String> {
    fields.contains_key("units_shown").then(|| {
        let mut codes: Vec<&str> = fields.keys().filter_map(|k| k.strip_prefix("u_")).collect();
        codes.sort_unstable();
        codes.join(", ")
    })
}

/// The active accounts of the reform office (administrators) that may be put in charge of a
/// period: (username, "name — phone").
pub async fn officers(state: &AppState) -> Result<Vec<(String, String)>, AppError> {
    Ok(state
        .store
        .list_users()
        .await?
        .into_iter()
        .filter(|u| u.role == parindex_core::Role::Admin.as_str() && !u.disabled)
        .map(|u| {
            let label = match &u.phone {
                Some(p) => format!("{} — {p}", u.full_name),
                None => u.full_name.clone(),
            };
            (u.username, label)
        })
        .collect())
}

async fn period_form(state: &AppState, ctx: &Ctx, form: PeriodForm, errors: HashMap<String, String>) -> Result<Response, AppError> {
    let frameworks =
        state.store.list_frameworks().await?.into_iter().filter(|f| f.status == "published").map(|f| (f.code, f.name)).collect();
    let page = Page::new(ctx, state, ctx.t("per.new"), "/periods").crumb(ctx.t("per.title"), "/periods").crumb(ctx.t("per.new"), "");
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let kind_boxes = crate::pages::units::kind_choices(&crate::pages::units::kind_options(state, ctx).await?, &form.unit_kinds);
    let officers = officers(state).await?;
    let unit_groups = unit_groups(state, ctx, &form.unit_codes).await?;
    let ticked_units = unit_groups.iter().flat_map(|g| &g.1).filter(|u| u.2).count();
    let mut r = render(&PeriodFormPage { page, form, frameworks, errors, kind_boxes, officers, unit_groups, ticked_units });
    *r.status_mut() = status;
    Ok(r)
}

async fn new_period(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    ctx.require(Action::ManagePeriods, Resource::System)?;
    let year = today_vn().format("%Y").to_string();
    let form = PeriodForm {
        year: year.clone(),
        code: year.clone(),
        name: format!("Đánh giá Chỉ số CCHC năm {year}"),
        contact: ctx.actor.as_ref().map(|a| a.username.clone()).unwrap_or_default(),
        ..Default::default()
    };
    period_form(&state, &ctx, form, HashMap::new()).await
}

async fn create_period(State(state): State<AppState>, ctx: Ctx, Form(mut f): Form<PeriodForm>) -> Result<Response, AppError> {
    if let Some(k) = crate::pages::units::ticked_kinds(&f.extra) {
        f.unit_kinds = k;
    }
    if let Some(u) = ticked_units(&f.extra) {
        f.unit_codes = u;
    }
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
        contact_username: Some(f.contact.clone()),
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
    /// The council's approval decision, once approved ("Quyết định số … ngày … (…)").
    decision: Option<String>,
    /// A refused approval: what was typed, the problems, the units not ready.
    approve_form: ApproveForm,
    approve_errors: Vec<String>,
    not_ready: Vec<String>,
    /// The officer in charge (whom to call) and, for the reform office, who may be put in charge.
    contact: Option<crate::chrome::ContactView>,
    /// The table's search, filter and order; units before filtering; the states to filter by.
    table: TableQuery,
    total_units: usize,
    state_choices: Vec<(&'static str, &'static str)>,
    officers: Vec<(String, String)>,
    /// Fed leaves (issue #18) the reader sees: (code, title, units with data, units, the
    /// council decided for the units without).
    feeds: Vec<(String, String, usize, usize, bool)>,
    /// Fed leaves with units without data and no council decision yet: (code, units missing).
    feeds_to_decide: Vec<(String, usize)>,
}

/// The units table of a period page, searched, filtered and sorted (issue #17) by the query:
/// `q` a unit's name or code, `tt` a state, `sx` a column (`ten`, `trang-thai`, `tien-do`,
/// `chenh`; a leading `-` sorts from the largest).
#[derive(Deserialize, Default, Clone)]
pub struct TableQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub tt: String,
    #[serde(default)]
    pub sx: String,
}

impl TableQuery {
    /// The link that sorts by `col`: ascending first, descending when it already is.
    pub fn sort_link(&self, col: &str) -> String {
        let sx = if self.sx == col { format!("-{col}") } else { col.to_string() };
        format!("?q={}&tt={}&sx={sx}#assessments", crate::chrome::urlencode(&self.q), crate::chrome::urlencode(&self.tt))
    }

    /// `aria-sort` of a column header.
    pub fn aria_sort(&self, col: &str) -> &'static str {
        match self.sx.strip_prefix('-') {
            Some(c) if c == col => "descending",
            None if self.sx == col => "ascending",
            _ => "none",
        }
    }
}

#[derive(Deserialize)]
struct PeriodQuery {
    #[serde(flatten)]
    table: TableQuery,
    contact: Option<String>,
    assigned: Option<String>,
    sent: Option<usize>,
    approved: Option<String>,
}

/// A deadline of work that is finished (a period whose results are approved): its date, said
/// to be done, never "N days overdue" (issue #17).
fn completed_deadline_text(ctx: &Ctx, d: Option<chrono::NaiveDate>) -> String {
    match d {
        Some(d) => format!("{} ({})", format_date(d), ctx.t("per.completed")),
        None => "—".into(),
    }
}

pub(crate) fn deadline_text(ctx: &Ctx, d: Option<chrono::NaiveDate>) -> String {
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
    let flash = match (q.sent, q.approved.is_some(), q.assigned.is_some()) {
        _ if q.contact.is_some() => Some(ctx.t("contact.saved").to_string()),
        (Some(n), _, _) => Some(format!("{} {n}", ctx.t("per.preliminary_sent"))),
        (_, true, _) => Some(ctx.t("per.approved").to_string()),
        (_, _, true) => Some(ctx.t("per.assigned").to_string()),
        _ => None,
    };
    render_period(&state, &ctx, id, flash, Refused { table: q.table, ..Default::default() }, StatusCode::OK).await
}

/// A refused approval, shown on the period page again (422): the decision as typed, the problems
/// (the count of units not ready first, then each unit in a list that folds away).
#[derive(Default)]
struct Refused {
    /// A refusal of another form of the page (the assignments), at the top.
    error: Option<String>,
    form: ApproveForm,
    errors: Vec<String>,
    units: Vec<String>,
    /// The table's search, filter and order.
    table: TableQuery,
}

/// The council's approval as the page's form sends it.
#[derive(Default, Clone)]
struct ApproveForm {
    decision_number: String,
    decision_date: String,
    signer: String,
    /// The box "I confirm: once approved, the results are locked".
    confirm: Option<String>,
}

async fn render_period(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    flash: Option<String>,
    refused: Refused,
    status: StatusCode,
) -> Result<Response, AppError> {
    let actor = ctx.require(Action::ViewPeriods, Resource::System)?;
    let period = state.store.get_period(id).await?;
    let scope = parindex_core::access::unit_scope(actor);
    let all = state.store.list_assessments(id, scope).await?;
    let total_units = all.len();
    let ready = all.iter().filter(|r| r.state == AState::UnderAppraisal && r.appraised == r.to_do).count();
    let t = &refused.table;
    let needle = parindex_core::text::fold(t.q.trim());
    let mut list: Vec<_> = all
        .into_iter()
        .filter(|a| {
            needle.is_empty()
                || parindex_core::text::fold(&a.unit_name).contains(&needle)
                || parindex_core::text::fold(&a.unit_code).contains(&needle)
        })
        .filter(|a| t.tt.is_empty() || a.state.as_str() == t.tt)
        .collect();
    let (col, desc) = match t.sx.strip_prefix('-') {
        Some(c) => (c, true),
        None => (t.sx.as_str(), false),
    };
    match col {
        "ten" => parindex_core::text::sort_by_name(&mut list, |a| &a.unit_name),
        "trang-thai" => list.sort_by_key(|a| AState::ALL.iter().position(|s| *s == a.state)),
        "tien-do" => list.sort_by_key(|a| (a.done * 1000).checked_div(a.to_do).unwrap_or(1000)),
        "chenh" => list.sort_by(|a, b| a.gap.cmp(&b.gap)),
        _ => {}
    }
    if desc {
        list.reverse();
    }
    let rows: Vec<AssessmentListRow> = list
        .into_iter()
        .map(|a| AssessmentListRow {
            id: a.id,
            state_label: a.state.label(ctx.lang.code()),
            state_class: state_class(a.state),
            percent: (a.done * 100).checked_div(a.to_do).unwrap_or(100),
            due: a.self_due.map(format_date).unwrap_or_default(),
            open: crate::app::appraisal::may_read_assessment(ctx, a.unit_id, a.state),
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
    let due = if period.approved() { completed_deadline_text } else { deadline_text };
    let deadlines = vec![
        ("per.self_due", due(ctx, period.self_due)),
        ("per.appraisal_due", due(ctx, period.appraisal_due)),
        ("per.explanation_due", due(ctx, period.explanation_due)),
        ("per.final_due", due(ctx, period.final_due)),
        ("per.approval_due", due(ctx, period.approval_due)),
    ];
    let states =
        AState::ALL.iter().filter_map(|s| period.states.get(s.as_str()).map(|n| (s.label(ctx.lang.code()), state_class(*s), *n))).collect();
    let page = Page::new(ctx, state, period.name.clone(), "/periods").crumb(ctx.t("per.title"), "/periods").crumb(period.code.clone(), "");
    let decision = period.decision.as_ref().map(|d| d.text(ctx.lang.code()));
    let contact = period.contact.as_ref().map(crate::chrome::ContactView::of_person);
    let officers = if ctx.allows(Action::ManagePeriods, Resource::System) { officers(state).await? } else { vec![] };
    let state_choices = AState::ALL.iter().map(|s| (s.as_str(), s.label(ctx.lang.code()))).collect();
    let feeds: Vec<(String, String, usize, usize, bool)> = crate::app::feeds::visible_feeds(state, ctx, id)
        .await?
        .into_iter()
        .map(|(l, _)| {
            let with = l.units.iter().filter(|u| u.value.is_some()).count();
            (l.code, l.title, with, l.units.len(), l.decision.is_some())
        })
        .collect();
    let feeds_to_decide = feeds.iter().filter(|f| f.2 < f.3 && !f.4).map(|f| (f.0.clone(), f.3 - f.2)).collect();
    let mut r = render(&PeriodPage {
        feeds_to_decide,
        feeds,
        total_units,
        state_choices,
        table: refused.table.clone(),
        contact,
        officers,
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
        error: refused.error,
        decision,
        approve_form: refused.form,
        approve_errors: refused.errors,
        not_ready: refused.units,
        assignments: if ctx.allows(Action::ManagePeriods, Resource::System) { assignment_rows(state, id).await? } else { vec![] },
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
    });
    *r.status_mut() = status;
    Ok(r)
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
            let error = store_error_text(&ctx, &e);
            render_period(&state, &ctx, pid, None, Refused { error, ..Default::default() }, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct ContactForm {
    #[serde(default)]
    contact: String,
}

/// Put an officer of the reform office in charge of the period (or nobody).
async fn save_contact(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(pid): Path<i64>,
    Form(f): Form<ContactForm>,
) -> Result<Response, AppError> {
    ctx.require(Action::ManagePeriods, Resource::System)?;
    match state.store.set_period_contact(&ctx.audit(), pid, Some(&f.contact)).await {
        Ok(_) => Ok(Redirect::to(&format!("/periods/{pid}?contact=1#contact")).into_response()),
        Err(e @ StoreError::Invalid(_)) => {
            let error = store_error_text(&ctx, &e);
            render_period(&state, &ctx, pid, None, Refused { error, ..Default::default() }, StatusCode::UNPROCESSABLE_ENTITY).await
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

/// The council approves the period's results (all units ready, every contest answered) with
/// its decision — number, date, signer — after ticking that the results are then locked. A
/// refusal draws the page again (422) at the approval form, what was typed kept, the units not
/// ready in a list (not in the address: 160 communes do not fit in a redirect).
async fn approve(State(state): State<AppState>, ctx: Ctx, Path(pid): Path<i64>, body: axum::body::Bytes) -> Result<Response, AppError> {
    // who asks is checked before the body is read (a bare POST by another role is a 403)
    ctx.require(Action::ApprovePeriod, Resource::System)?;
    let mut f = ApproveForm::default();
    for (k, v) in form_urlencoded::parse(&body) {
        match k.as_ref() {
            "decision_number" => f.decision_number = v.into_owned(),
            "decision_date" => f.decision_date = v.into_owned(),
            "signer" => f.signer = v.into_owned(),
            "confirm" => f.confirm = Some(v.into_owned()),
            _ => {}
        }
    }
    let lang = ctx.lang.code();
    let mut errors = Vec::new();
    if f.confirm.is_none() {
        errors.push(ctx.t("per.approve_confirm_missing").to_string());
    }
    let date = parse_date(&f.decision_date);
    if date.is_none() {
        errors.push(Msg::new("Ngày quyết định theo dạng dd/mm/yyyy.", "The decision's date as dd/mm/yyyy.").get(lang).to_string());
    }
    let mut units = Vec::new();
    if errors.is_empty() {
        let decision = Decision { number: f.decision_number.clone(), date: date.unwrap_or_default(), signer: f.signer.clone() };
        match state.store.approve_period(&ctx.audit(), pid, decision, parindex_core::assessment::today_vn()).await {
            Ok(_) => return Ok(Redirect::to(&format!("/periods/{pid}?approved=1")).into_response()),
            Err(StoreError::Conflict(m)) => errors.push(m.get(lang).to_string()),
            Err(StoreError::Invalid(fields)) => {
                for e in fields {
                    if e.field == "unit" {
                        units.push(e.message.get(lang).to_string())
                    } else {
                        errors.push(e.message.get(lang).to_string())
                    }
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
    render_period(
        &state,
        &ctx,
        pid,
        None,
        Refused { error: None, form: f, errors, units, table: TableQuery::default() },
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/periods", get(list).post(create_period))
        .route("/periods/new", get(new_period))
        .route("/periods/{id}", get(period_page))
        .route("/periods/{id}/preliminary", post(send_preliminary))
        .route("/periods/{id}/approve", post(approve))
        .route("/periods/{id}/assignments", post(save_assignments))
        .route("/periods/{id}/contact", post(save_contact))
}
