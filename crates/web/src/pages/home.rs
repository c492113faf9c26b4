//! Home: a dashboard per role (issue #17) — the reform office: every period's progress, late
//! units, units waiting on each step, survey progress, latest activity; appraisers: their queue
//! with counts and the deadline; units: their assessments with state and deadline, citizens'
//! comments to answer; the council: what awaits its approval; leadership: the province at a
//! glance. The public landing page for visitors.

use crate::extract::Query;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use parindex_core::{Action, Resource, UnitScope};
use parindex_store::repo::units::{StatusFilter, UnitFilter};
use serde::Deserialize;

use crate::AppState;
use crate::chrome::{Page, render};
use crate::ctx::Ctx;
use crate::error::AppError;

pub struct Tile {
    pub href: &'static str,
    pub label: &'static str,
    pub value: String,
}

/// One of my unit's assessments, on its staff's home page.
pub struct MyAssessment {
    pub id: i64,
    pub period: String,
    pub state: &'static str,
    pub done: usize,
    pub to_do: usize,
    pub due_label: &'static str,
    pub due: String,
}

/// A period on the dashboards of the office, the council and leadership.
pub struct PeriodLine {
    pub id: i64,
    pub name: String,
    pub units: usize,
    /// Units per state: (label, class, count), in the workflow's order.
    pub states: Vec<(&'static str, &'static str, usize)>,
    /// Units past their self-assessment deadline that have not submitted.
    pub late: usize,
    /// Units in final appraisal with every explanation answered: ready for the council.
    pub ready: usize,
    pub approved: bool,
    /// The next deadline of the period: (label key, text).
    pub next: Option<(&'static str, String)>,
}

/// The appraiser's queue in a sentence: units, leaves to appraise, explanations to answer.
#[derive(Default)]
pub struct QueueSummary {
    pub units: usize,
    pub to_appraise: usize,
    pub returned: usize,
    pub awaiting: usize,
    pub due: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    page: Page,
    unit_name: Option<String>,
    tiles: Vec<Tile>,
    mine: Vec<MyAssessment>,
    /// My unit's surveys with comments: (survey id, name, received, unanswered).
    comments: Vec<(i64, String, u64, u64)>,
    /// The office, the council, leadership: every period.
    periods: Vec<PeriodLine>,
    /// The council approves: show what is ready.
    approver: bool,
    /// The office: open survey runs (id, name, responses, quota, percent).
    surveys: Vec<(i64, String, i64, i64, i64)>,
    /// An appraiser's queue.
    queue: Option<QueueSummary>,
    /// The administrator: latest activity (time, who, what).
    activity: Vec<(String, String, String)>,
    /// My unit's published results, newest first (issue #17): the same numbers as the public
    /// portal's, read from the published document.
    my_results: Vec<MyResult>,
    /// My unit's improvement actions still open, nearest deadline first.
    my_actions: Vec<MyAction>,
    /// My unit's cases still waiting for their letter of apology (issue #18): (id, file code,
    /// procedure, apology due, overdue).
    my_apologies: Vec<(i64, String, String, String, bool)>,
    /// My unit's work of the plans and reports (issue #19), nearest deadline first: (link,
    /// what, deadline, overdue) — reports of open rounds not yet sent, plan tasks not done
    /// whose deadline is within two weeks or passed.
    my_deadlines: Vec<(String, String, String, bool)>,
    /// Those who follow every unit: the year's plan tasks and open reporting rounds.
    tracking: Option<Tracking>,
}

/// The province's plan tasks and open reporting rounds of the year (see `tracking`).
pub struct Tracking {
    pub year: i32,
    pub tasks: usize,
    pub done: usize,
    pub overdue: usize,
    /// (round id, name, deadline, reports sent, units asked, overdue not sent).
    pub rounds: Vec<(i64, String, String, usize, usize, usize)>,
}

/// One published result of my unit.
pub struct MyResult {
    pub period: String,
    pub href: String,
    pub index: String,
    pub rank: String,
    pub group: String,
}

/// One improvement action my unit has not finished.
pub struct MyAction {
    pub href: String,
    pub leaf: String,
    pub action: String,
    pub due: String,
    pub overdue: bool,
    pub status: &'static str,
}

#[derive(Deserialize)]
struct HomeQuery {
    done: Option<String>,
}

async fn home(State(state): State<AppState>, ctx: Ctx, Query(q): Query<HomeQuery>) -> Result<Response, AppError> {
    let mut page = Page::new(&ctx, &state, ctx.t("home.title"), "/").flash_from(q.done.as_deref());
    let mut tiles = Vec::new();
    let mut unit_name = None;
    let mut mine = Vec::new();
    let mut comments = Vec::new();
    let mut my_results = Vec::new();
    let mut my_actions = Vec::new();
    let mut my_apologies = Vec::new();
    let mut my_deadlines = Vec::new();
    if let Some(actor) = &ctx.actor {
        if let Some(unit_id) = actor.unit_id.filter(|u| ctx.allows(Action::ViewSurveyComments, Resource::Unit(*u))) {
            comments = state
                .store
                .unit_comment_summary(unit_id)
                .await?
                .into_iter()
                .filter(|(_, _, c)| c.received > 0)
                .map(|(id, name, c)| (id, name, c.received, c.received.saturating_sub(c.answered)))
                .collect();
        }
        if let Some(unit_id) = actor.unit_id.filter(|u| ctx.allows(Action::ViewUnitDrafts, Resource::Unit(*u))) {
            let unit_code = state.store.get_unit(unit_id).await?.unit.code;
            let mut by_period = std::collections::HashMap::new();
            for (p, a) in state.store.assessments_of_unit(unit_id).await? {
                by_period.insert(p.id, a.id);
                if let Some(doc) = state.store.latest_publication(p.id).await?
                    && let Some(u) = doc.units.iter().find(|u| u.code == unit_code)
                {
                    let ranked = doc.units.iter().filter(|x| x.rank.is_some()).count();
                    my_results.push(MyResult {
                        period: p.name.clone(),
                        href: format!("/cong-khai/{}/don-vi/{}", crate::chrome::urlencode(&p.code), crate::chrome::urlencode(&unit_code)),
                        index: u.index.as_ref().map(|i| ctx.lang.decimal(&i.value)).unwrap_or_else(|| "—".into()),
                        rank: u.rank.map(|r| format!("{r}/{ranked}")).unwrap_or_else(|| "—".into()),
                        group: u.group.clone().unwrap_or_default(),
                    });
                }
                let (due_label, due) = crate::pages::assessment::unit_due(&ctx, &a, &p);
                mine.push(MyAssessment {
                    id: a.id,
                    due_label,
                    due,
                    period: p.name,
                    state: a.state.label(ctx.lang.code()),
                    done: a.done,
                    to_do: a.to_do,
                });
            }
            let today = parindex_core::assessment::today_vn();
            let mut open: Vec<_> = state
                .store
                .unit_improvements(unit_id)
                .await?
                .into_iter()
                .filter(|a| a.status == "planned" || a.status == "doing")
                .collect();
            let filter = parindex_store::repo::apology::CaseFilter { unit_id: Some(unit_id), open: true, ..Default::default() };
            my_apologies = state
                .store
                .apology_cases(&filter)
                .await?
                .into_iter()
                .map(|c| {
                    let overdue = c.facts().overdue(today);
                    (c.id, c.file_code, c.procedure, parindex_core::text::format_date(c.apology_due), overdue)
                })
                .collect();
            my_apologies.sort_by_key(|c| !c.4);
            my_deadlines = unit_deadlines(&state, &ctx, unit_id, today).await?;
            open.sort_by_key(|a| a.due_on);
            my_actions = open
                .into_iter()
                .take(6)
                .map(|a| MyAction {
                    href: by_period.get(&a.period_id).map(|id| format!("/assessments/{id}#action-{}", a.id)).unwrap_or_default(),
                    leaf: format!("{} {}", a.node_code, a.node_title),
                    action: a.action,
                    due: parindex_core::text::format_date(a.due_on),
                    overdue: a.due_on < today,
                    status: crate::pages::assessment_cards::status_label(&a.status),
                })
                .collect();
        }
        let me = state.store.get_user(actor.user_id).await?;
        if let Some(chrome) = page.user.as_mut() {
            chrome.full_name = me.full_name;
        }
        unit_name = me.unit_name;
        let scope = parindex_core::access::unit_scope(actor);
        let units = state.store.list_units(scope, &UnitFilter { status: StatusFilter::Active, ..Default::default() }).await?;
        if scope == UnitScope::All {
            for (kind, label) in [("agency", "home.agencies"), ("commune", "home.communes"), ("ward", "home.wards")] {
                tiles.push(Tile { href: kind_href(kind), label, value: units.iter().filter(|u| u.kind == kind).count().to_string() });
            }
        } else if let Some(u) = units.first() {
            tiles.push(Tile { href: "/units", label: "home.my_unit", value: u.code.clone() });
        }
        if ctx.allows(Action::ManageUsers, Resource::System) {
            tiles.push(Tile { href: "/admin/users", label: "home.users", value: state.store.list_users().await?.len().to_string() });
        }
    }
    let mut periods = Vec::new();
    let mut surveys = Vec::new();
    let mut queue = None;
    let mut activity = Vec::new();
    if ctx.allows(Action::ViewResults, Resource::System) {
        periods = period_lines(&state, &ctx).await?;
    }
    if ctx.allows(Action::ManageSurveys, Resource::System) {
        surveys = state
            .store
            .list_surveys()
            .await?
            .into_iter()
            .filter(|r| r.status == "open")
            .map(|r| {
                let pct = if r.quota > 0 { (r.responses * 100 / r.quota).min(100) } else { 0 };
                (r.id, r.name, r.responses, r.quota, pct)
            })
            .collect();
    }
    if let Some(actor) = ctx.actor.as_ref().filter(|_| ctx.allows(Action::Appraise, Resource::System)) {
        let scope = crate::app::appraisal::scope_of(&state, actor).await?;
        let rows = state.store.appraisal_queue(&scope).await?;
        let due = rows.iter().filter_map(|q| q.period.appraisal_due).min();
        queue = Some(QueueSummary {
            units: rows.len(),
            to_appraise: rows.iter().map(|q| q.leaves.saturating_sub(q.appraised)).sum(),
            returned: rows.iter().map(|q| q.returned).sum(),
            awaiting: rows.iter().map(|q| q.awaiting).sum(),
            due: due.map(|d| crate::pages::periods::deadline_text(&ctx, Some(d))).unwrap_or_default(),
        });
    }
    if ctx.allows(Action::ViewAuditLog, Resource::System) {
        let f = parindex_store::repo::audit::AuditFilter { limit: 8, ..Default::default() };
        activity = state
            .store
            .list_audit(&f)
            .await?
            .entries
            .into_iter()
            .map(|e| {
                let what = format!(
                    "{} — {}",
                    crate::app::audit::action_label(&e.action, ctx.lang.code()),
                    crate::app::audit::object_label(&e.object_type, e.object_id.as_deref().unwrap_or_default(), ctx.lang.code())
                );
                (parindex_core::text::format_time_vn(e.at), e.actor_name, what)
            })
            .collect();
    }
    let tracking = if ctx.allows(Action::ViewResults, Resource::System) { tracking(&state).await? } else { None };
    let approver = ctx.allows(Action::ApprovePeriod, Resource::System);
    Ok(render(&Home {
        tracking,
        page,
        unit_name,
        tiles,
        mine,
        comments,
        periods,
        approver,
        surveys,
        queue,
        activity,
        my_results,
        my_actions,
        my_apologies,
        my_deadlines,
    }))
}

/// The province's plan tasks and open reporting rounds of the year, for those who follow every
/// unit: tasks done and overdue, and per open round the reports sent and those overdue.
async fn tracking(state: &AppState) -> Result<Option<Tracking>, AppError> {
    use chrono::Datelike;
    use parindex_core::reporting::ReportStatus;
    let today = parindex_core::assessment::today_vn();
    let year = today.year();
    let tasks = state.store.plan_tasks(&parindex_store::repo::plans::TaskFilter { year, ..Default::default() }).await?;
    let mut rounds = Vec::new();
    for r in state.store.report_rounds(year).await?.into_iter().filter(|r| !r.closed) {
        let units = state.store.round_units(&r).await?;
        let sent = units.iter().filter(|u| matches!(u.status, ReportStatus::Submitted | ReportStatus::Accepted)).count();
        let overdue = if today > r.deadline { units.len() - sent } else { 0 };
        rounds.push((r.id, r.label, parindex_core::text::format_date(r.deadline), sent, units.len(), overdue));
    }
    if tasks.is_empty() && rounds.is_empty() {
        return Ok(None);
    }
    Ok(Some(Tracking {
        year,
        tasks: tasks.len(),
        done: tasks.iter().filter(|t| t.status == parindex_core::plans::TaskStatus::Done).count(),
        overdue: tasks.iter().filter(|t| t.facts().overdue(today)).count(),
        rounds,
    }))
}

/// A unit's reports to send and plan tasks due (see `HomePage::my_deadlines`).
async fn unit_deadlines(
    state: &AppState,
    ctx: &Ctx,
    unit_id: i64,
    today: chrono::NaiveDate,
) -> Result<Vec<(String, String, String, bool)>, AppError> {
    use chrono::Datelike;
    use parindex_core::reporting::ReportStatus;
    let mut out: Vec<(chrono::NaiveDate, String, String)> = Vec::new();
    for r in state.store.report_rounds(today.year()).await?.into_iter().filter(|r| !r.closed) {
        if let Some(u) = state.store.round_units(&r).await?.into_iter().find(|u| u.unit_id == unit_id)
            && matches!(u.status, ReportStatus::Missing | ReportStatus::Draft | ReportStatus::Returned)
        {
            out.push((
                r.deadline,
                format!("/bao-cao/dot/{}/don-vi/{}", r.id, u.code),
                format!("{} — {}", r.label, ctx.t("home.report_to_send")),
            ));
        }
    }
    let filter = parindex_store::repo::plans::TaskFilter { year: today.year(), unit_id: Some(unit_id), ..Default::default() };
    for t in state.store.plan_tasks(&filter).await? {
        let open = matches!(t.status, parindex_core::plans::TaskStatus::NotStarted | parindex_core::plans::TaskStatus::Doing);
        if t.owner_unit_id == unit_id && open && (t.deadline - today).num_days() <= 14 {
            out.push((t.deadline, format!("/ke-hoach/nhiem-vu/{}", t.id), format!("{} {} {}", ctx.t("kh.task"), t.code, t.title)));
        }
    }
    // inspection recommendations to remedy (issue #20)
    if let Some(actor) = &ctx.actor {
        for r in state.store.unit_recommendations(actor, unit_id, today).await? {
            let open = matches!(
                r.status,
                parindex_core::inspections::RemediationStatus::Open | parindex_core::inspections::RemediationStatus::Returned
            );
            if open && (r.deadline - today).num_days() <= 14 {
                out.push((
                    r.deadline,
                    format!("/kiem-tra/{}#rec-{}", r.inspection_id, r.id),
                    format!("{}: {}", ctx.t("kt.recommendation"), r.text),
                ));
            }
        }
    }
    out.sort_by_key(|(d, _, _)| *d);
    Ok(out.into_iter().take(10).map(|(d, href, what)| (href, what, parindex_core::text::format_date(d), d < today)).collect())
}

/// Every period with its units per state, the late ones, the ready ones and its next deadline.
async fn period_lines(state: &AppState, ctx: &Ctx) -> Result<Vec<PeriodLine>, AppError> {
    use parindex_core::assessment::{State as AState, today_vn};
    let today = today_vn();
    let mut out = Vec::new();
    for p in state.store.list_periods().await? {
        // the counts per state come with the period; only the overdue ones need each unit's own
        // deadline (its extension), and a finished period has none
        let ready = p.states.get(AState::FinalAppraisal.as_str()).copied().unwrap_or(0);
        let late = if p.approved() {
            0
        } else {
            let rows = state.store.list_assessments(p.id, UnitScope::All).await?;
            rows.iter().filter(|a| a.state.unit_edits() && a.self_due.is_some_and(|d| d < today)).count()
        };
        let states = AState::ALL
            .iter()
            .filter_map(|s| p.states.get(s.as_str()).map(|n| (s.label(ctx.lang.code()), crate::pages::periods::state_class(*s), *n)))
            .collect();
        let next = [
            ("per.self_due", p.self_due),
            ("per.appraisal_due", p.appraisal_due),
            ("per.explanation_due", p.explanation_due),
            ("per.final_due", p.final_due),
            ("per.approval_due", p.approval_due),
        ]
        .into_iter()
        .find_map(|(k, d)| d.filter(|d| *d >= today).map(|d| (k, crate::pages::periods::deadline_text(ctx, Some(d)))));
        out.push(PeriodLine {
            id: p.id,
            approved: p.approved(),
            next: if p.approved() { None } else { next },
            name: p.name,
            units: p.units,
            states,
            late,
            ready,
        });
    }
    // the work in progress first, then the finished years
    out.sort_by_key(|l| (l.approved, std::cmp::Reverse(l.id)));
    Ok(out)
}

fn kind_href(kind: &str) -> &'static str {
    match kind {
        "agency" => "/units?kind=agency",
        "commune" => "/units?kind=commune",
        _ => "/units?kind=ward",
    }
}

pub fn router() -> Router<AppState> {
    Router::new().route("/", get(home))
}
