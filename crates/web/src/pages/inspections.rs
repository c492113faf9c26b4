//! Inspections pages (issue #20).
//!
//! - `/kiem-tra?nam=&linh_vuc=&trang_thai=` — the year's inspection plan (the office records
//!   it and puts inspections in it with their teams), the inspections the reader may see by
//!   planned month, and a unit's own recommendations with their deadlines;
//! - `/kiem-tra/{id}` — one inspection: its team, the checklist (the team records a verdict
//!   and a note per item on a phone, and photos; the unit uploads the documents asked for before
//!   the visit), the draft findings and recommendations (the team), the conclusion issued by the
//!   leader, and the follow-up of each recommendation (the unit reports, the team accepts or
//!   returns);
//! - `/kiem-tra/tep/{id}` — a file of an inspection, under the same rules.
//!
//! Who sees and does what on an inspection is `core::inspections::View`, asked by the store at
//! every read and write (the team is per inspection); a unit never sees the team's working notes.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Form, Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{Datelike, NaiveDate};
use parindex_core::inspections::{RemediationStatus, Severity, Status, TeamRole, Topic, Verdict};
use parindex_core::text::format_date;
use parindex_core::{Lang, Msg, Role};
use parindex_store::StoreError;
use parindex_store::repo::inspections::{
    Attach, DecisionInput, FindingInput, InspectionFilter, InspectionPlanInput, IssueInput, MemberInput, NewFile, NewInspection,
    RecommendationInput, RecommendationRow, ResultInput, VisitInput,
};
use serde::Deserialize;

use crate::AppState;
use crate::chrome::{Page, date_field, form_refusal, render};
use crate::ctx::Ctx;
use crate::error::AppError;

fn today() -> NaiveDate {
    parindex_core::assessment::today_vn()
}

fn topic_label(lang: Lang, topic: &str) -> String {
    let (vi, en) = Topic::new(topic).map(|t| t.label()).unwrap_or_else(|| (topic.to_string(), topic.to_string()));
    lang.pick(&vi, &en).to_string()
}

fn status_badge(lang: Lang, s: Status) -> (String, &'static str) {
    let class = match s {
        Status::Planned => "",
        Status::Visiting => "warn",
        Status::Issued => "ok",
        Status::Cancelled => "off",
    };
    (lang.pick(s.label().0, s.label().1).to_string(), class)
}

fn rec_badge(lang: Lang, r: &RecommendationRow) -> (String, &'static str) {
    let label = lang.pick(r.status.label().0, r.status.label().1).to_string();
    match r.status {
        _ if r.overdue => (format!("{label} — {}", lang.pick("quá hạn", "overdue")), "err"),
        RemediationStatus::Accepted => (label, "ok"),
        RemediationStatus::Reported => (label, "warn"),
        RemediationStatus::Returned => (label, "err"),
        RemediationStatus::Open => (label, ""),
    }
}

fn is_office(ctx: &Ctx) -> bool {
    ctx.actor.as_ref().is_some_and(|a| matches!(a.role, Role::Admin | Role::Secretariat))
}

fn actor(ctx: &Ctx) -> Result<&parindex_core::access::Actor, AppError> {
    ctx.actor.as_ref().ok_or(AppError::Unauthenticated)
}

// ---------------------------------------------------------------- the year's list

#[derive(Deserialize, Default)]
struct ListQuery {
    nam: Option<i32>,
    linh_vuc: Option<String>,
    trang_thai: Option<String>,
    ghi: Option<String>,
}

#[derive(Deserialize, Default, Clone)]
struct PlanForm {
    #[serde(default)]
    number: String,
    #[serde(default)]
    signed_on: String,
    #[serde(default)]
    title: String,
}

#[derive(Deserialize, Default, Clone)]
struct NewForm {
    #[serde(default)]
    unit: String,
    #[serde(default)]
    checklist: String,
    #[serde(default)]
    month: String,
    #[serde(default)]
    leader: String,
    #[serde(default)]
    leader_department: String,
    /// One member a line: `username` or `username — department`.
    #[serde(default)]
    members: String,
}

struct Line {
    id: i64,
    month: i32,
    unit: String,
    topic: String,
    leader: String,
    status: String,
    class: &'static str,
    conclusion: String,
}

struct OwnRec {
    inspection_id: i64,
    id: i64,
    text: String,
    deadline: String,
    status: String,
    class: &'static str,
}

#[derive(Template)]
#[template(path = "inspections.html")]
struct ListPage {
    page: Page,
    year: i32,
    flash: Option<String>,
    office: bool,
    plan: Option<String>,
    plan_form: PlanForm,
    plan_error: Option<String>,
    lines: Vec<Line>,
    planned: usize,
    visiting: usize,
    issued: usize,
    topic_filter: String,
    status_filter: String,
    topics: Vec<(String, String)>,
    statuses: Vec<(&'static str, String)>,
    checklists: Vec<(String, String, usize)>,
    units: Vec<(String, String)>,
    users: Vec<(String, String)>,
    new_form: NewForm,
    new_error: Option<String>,
    checklist_result: Option<(String, bool)>,
    own_recs: Vec<OwnRec>,
    /// The office and provincial leadership read the year's overview.
    overview: bool,
}

#[derive(Default)]
struct Drawn {
    plan: Option<(PlanForm, String)>,
    new: Option<(NewForm, String)>,
    /// What a checklist upload did (true) or why it was refused (false).
    checklist: Option<(String, bool)>,
}

async fn list(State(state): State<AppState>, ctx: Ctx, Query(q): Query<ListQuery>) -> Result<Response, AppError> {
    draw(&state, &ctx, &q, Drawn::default()).await
}

async fn draw(state: &AppState, ctx: &Ctx, q: &ListQuery, d: Drawn) -> Result<Response, AppError> {
    let actor = actor(ctx)?;
    let lang = ctx.lang;
    let year = q.nam.filter(|y| (2000..=2100).contains(y)).unwrap_or(today().year());
    let status = q.trang_thai.as_deref().and_then(Status::parse);
    let topic = q.linh_vuc.clone().filter(|t| Topic::new(t).is_some());
    let filter = InspectionFilter { year, unit_id: None, topic: topic.clone(), status };
    let rows = state.store.inspections(actor, &filter).await?;
    let plan = state.store.inspection_plan(year).await?;
    let office = is_office(ctx);
    let checklists = state.store.inspection_checklists().await?;
    let mut topics: Vec<(String, String)> = Vec::new();
    for c in &checklists {
        if !topics.iter().any(|(k, _)| *k == c.topic) {
            topics.push((c.topic.clone(), topic_label(lang, &c.topic)));
        }
    }
    let (units, users) = if office {
        let units = state
            .store
            .list_units(parindex_core::UnitScope::All, &Default::default())
            .await?
            .into_iter()
            .filter(|u| u.kind != "province" && u.active_to.is_none())
            .map(|u| (u.code, u.name))
            .collect();
        let users = state
            .store
            .list_users()
            .await?
            .into_iter()
            .filter(|u| !u.disabled)
            .map(|u| {
                let unit = u.unit_name.map(|n| format!(" — {n}")).unwrap_or_default();
                (u.username, format!("{}{unit}", u.full_name))
            })
            .collect();
        (units, users)
    } else {
        (Vec::new(), Vec::new())
    };
    let own_recs = match actor.unit_id.filter(|_| actor.role.needs_unit()) {
        Some(unit_id) => state
            .store
            .unit_recommendations(actor, unit_id, today())
            .await?
            .into_iter()
            .filter(|r| r.status != RemediationStatus::Accepted)
            .map(|r| {
                let (status, class) = rec_badge(lang, &r);
                OwnRec { inspection_id: r.inspection_id, id: r.id, text: r.text, deadline: format_date(r.deadline), status, class }
            })
            .collect(),
        None => Vec::new(),
    };
    let (plan_form, plan_error) = match d.plan {
        Some((f, e)) => (f, Some(e)),
        None => (
            PlanForm {
                number: plan.as_ref().map(|p| p.number.clone()).unwrap_or_default(),
                signed_on: plan.as_ref().map(|p| format_date(p.signed_on)).unwrap_or_default(),
                title: plan.as_ref().map(|p| p.title.clone()).unwrap_or_default(),
            },
            None,
        ),
    };
    let refused = plan_error.is_some() || d.new.is_some() || d.checklist.as_ref().is_some_and(|(_, ok)| !ok);
    let (new_form, new_error) = match d.new {
        Some((f, e)) => (f, Some(e)),
        None => (NewForm::default(), None),
    };
    let flash = match q.ghi.as_deref() {
        Some("ke-hoach") => Some(ctx.t("kt.saved_plan").to_string()),
        Some("moi") => Some(ctx.t("kt.saved_new").to_string()),
        _ => None,
    };
    let count = |s: Status| rows.iter().filter(|r| r.status == s).count();
    let page = Page::new(ctx, state, ctx.t("kt.title"), "/kiem-tra").crumb(ctx.t("kt.title"), "");
    let mut r = render(&ListPage {
        page,
        year,
        flash,
        office,
        plan: plan.as_ref().map(|p| {
            format!(
                "{} {} {} {} — {}",
                lang.pick("Kế hoạch số", "Plan No."),
                p.number,
                lang.pick("ngày", "of"),
                format_date(p.signed_on),
                p.title
            )
        }),
        plan_form,
        plan_error,
        planned: count(Status::Planned),
        visiting: count(Status::Visiting),
        issued: count(Status::Issued),
        lines: rows
            .iter()
            .map(|r| {
                let (status, class) = status_badge(lang, r.status);
                Line {
                    id: r.id,
                    month: r.planned_month,
                    unit: format!("{} — {}", r.unit_code, r.unit_name),
                    topic: topic_label(lang, &r.topic),
                    leader: r.team.iter().find(|m| m.role == TeamRole::Leader).map(|m| m.full_name.clone()).unwrap_or_default(),
                    status,
                    class,
                    conclusion: match (&r.conclusion_number, r.concluded_on) {
                        (Some(n), Some(d)) => format!("{n} ({})", format_date(d)),
                        _ => String::new(),
                    },
                }
            })
            .collect(),
        topic_filter: topic.unwrap_or_default(),
        status_filter: status.map(|s| s.key().to_string()).unwrap_or_default(),
        topics,
        statuses: Status::ALL.iter().map(|s| (s.key(), lang.pick(s.label().0, s.label().1).to_string())).collect(),
        checklists: checklists.into_iter().map(|c| (c.code, c.title, c.items)).collect(),
        units,
        users,
        new_form,
        new_error,
        checklist_result: d.checklist,
        own_recs,
        overview: office || actor.role == Role::Viewer,
    });
    if refused {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

#[derive(Deserialize)]
struct YearQuery {
    nam: Option<i32>,
}

impl YearQuery {
    fn year(&self) -> (i32, ListQuery) {
        let year = self.nam.filter(|y| (2000..=2100).contains(y)).unwrap_or(today().year());
        (year, ListQuery { nam: Some(year), ..Default::default() })
    }
}

/// The office records the year's inspection plan.
async fn set_plan(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(y): Query<YearQuery>,
    Form(f): Form<PlanForm>,
) -> Result<Response, AppError> {
    let actor = actor(&ctx)?;
    let (year, q) = y.year();
    let result = match date_field(&ctx, &f.signed_on, ("Ngày ký", "The signing day")) {
        Ok(signed_on) => {
            let input = InspectionPlanInput { number: f.number.clone(), signed_on, title: f.title.clone() };
            state.store.set_inspection_plan(&ctx.audit(), actor, year, input).await.map(|_| ()).map_err(|e| form_refusal(&ctx, e))
        }
        Err(e) => Err(Ok(e)),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/kiem-tra?nam={year}&ghi=ke-hoach")).into_response()),
        Err(Ok(text)) => draw(&state, &ctx, &q, Drawn { plan: Some((f, text)), ..Default::default() }).await,
        Err(Err(e)) => Err(e),
    }
}

/// The office puts an inspection in the year's plan with its team.
async fn add(State(state): State<AppState>, ctx: Ctx, Query(y): Query<YearQuery>, Form(f): Form<NewForm>) -> Result<Response, AppError> {
    let actor = actor(&ctx)?;
    if !is_office(&ctx) {
        return Err(AppError::Forbidden);
    }
    let (year, q) = y.year();
    let refuse = |text: String| Drawn { new: Some((f.clone(), text)), ..Default::default() };
    let say = |vi: &str, en: &str| Msg::new(vi, en).get(ctx.lang.code()).to_string();
    let Some(unit_id) = state.store.unit_id_by_code(f.unit.trim()).await? else {
        return draw(&state, &ctx, &q, refuse(say("Hãy chọn đơn vị được kiểm tra.", "Choose the unit inspected."))).await;
    };
    let users: HashMap<String, i64> = state.store.list_users().await?.into_iter().map(|u| (u.username, u.id)).collect();
    let mut members = Vec::new();
    match users.get(f.leader.trim()) {
        Some(id) => members.push(MemberInput {
            user_id: *id,
            role: TeamRole::Leader,
            department: Some(f.leader_department.clone()).filter(|d| !d.trim().is_empty()),
        }),
        None => return draw(&state, &ctx, &q, refuse(say("Hãy chọn trưởng đoàn.", "Choose the team leader."))).await,
    }
    for line in f.members.lines().map(str::trim).filter(|l| !l.is_empty()) {
        // `username — department` (a dash between spaces, or a comma: a username may hold '-')
        let cut = [" — ", " – ", " - ", ","].iter().filter_map(|sep| line.find(sep).map(|at| (at, sep.len()))).min();
        let (name, dept) = match cut {
            Some((at, len)) => (line[..at].trim(), Some(line[at + len..].trim().to_string())),
            None => (line, None),
        };
        match users.get(name) {
            Some(id) => members.push(MemberInput { user_id: *id, role: TeamRole::Member, department: dept.filter(|d| !d.is_empty()) }),
            None => {
                let text = Msg::new(
                    format!("Không có tài khoản «{name}» (thành viên đoàn: mỗi dòng một tên đăng nhập, có thể kèm « — cơ quan»)."),
                    format!("There is no account «{name}» (team members: one username a line, optionally « — department»)."),
                );
                return draw(&state, &ctx, &q, refuse(text.get(ctx.lang.code()).to_string())).await;
            }
        }
    }
    let month = f.month.trim().parse::<u32>().unwrap_or(0);
    let n = NewInspection { unit_id, checklist: f.checklist.clone(), planned_month: month, members };
    match state.store.plan_inspection(&ctx.audit(), actor, year, n).await {
        Ok(id) => Ok(Redirect::to(&format!("/kiem-tra/{id}?ghi=moi")).into_response()),
        Err(e) => match form_refusal(&ctx, e) {
            Ok(text) => draw(&state, &ctx, &q, refuse(text)).await,
            Err(e) => Err(e),
        },
    }
}

/// The office uploads a checklist (YAML or JSON): kept when it has no problem, else every
/// problem said at the form (the file's line and column, or the item's place).
async fn upload_checklist(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(y): Query<YearQuery>,
    mut mp: Multipart,
) -> Result<Response, AppError> {
    actor(&ctx)?;
    if !is_office(&ctx) {
        return Err(AppError::Forbidden);
    }
    let (_, q) = y.year();
    let mut file = None;
    while let Some(mut field) = mp.next_field().await.map_err(crate::pages::evidence::multipart_error)? {
        if field.name() == Some("file") {
            let limit = parindex_reports::inspection::MAX_CHECKLIST_BYTES + 1;
            file = Some(crate::pages::evidence::file_field(&mut field, "bang-kiem.yaml", limit).await?);
        }
    }
    let say = |text: String, ok: bool| Drawn { checklist: Some((text, ok)), ..Default::default() };
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return draw(&state, &ctx, &q, say(ctx.t("kt.choose_file").to_string(), false)).await;
    };
    let checklist = match parindex_reports::inspection::read_checklist(&name, &bytes) {
        Ok(c) => c,
        Err(problems) => {
            let text = problems.iter().map(|m| m.get(ctx.lang.code()).to_string()).collect::<Vec<_>>().join(" ");
            return draw(&state, &ctx, &q, say(text, false)).await;
        }
    };
    match state.store.save_checklist(&ctx.audit(), &checklist).await {
        Ok(row) => {
            let text = format!("{} «{}» ({} {}).", ctx.t("kt.checklist_saved"), row.title, row.items, ctx.t("kt.items"));
            draw(&state, &ctx, &q, say(text, true)).await
        }
        Err(e) => match form_refusal(&ctx, e) {
            Ok(text) => draw(&state, &ctx, &q, say(text, false)).await,
            Err(e) => Err(e),
        },
    }
}

/// A checklist as YAML (to edit and upload again), to whoever is signed in.
async fn download_checklist(State(state): State<AppState>, ctx: Ctx, Path(code): Path<String>) -> Result<Response, AppError> {
    actor(&ctx)?;
    let c = state.store.inspection_checklist(&code).await?;
    let yaml = parindex_reports::inspection::checklist_to_yaml(&c);
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "application/yaml; charset=utf-8".to_string()),
            (axum::http::header::CONTENT_DISPOSITION, parindex_core::evidence::content_disposition(&format!("{}.yaml", c.code), false)),
        ],
        yaml,
    )
        .into_response())
}

// ---------------------------------------------------------------- one inspection

struct ItemView {
    key: String,
    section: Option<String>,
    title: String,
    evidence: Option<String>,
    legal_basis: Option<String>,
    verdict: String,
    /// The verdict as shown (label, badge class), when there is one.
    shown: Option<(String, &'static str)>,
    note: String,
    /// (link, name, who) of the unit's documents and the team's photos at this item.
    files: Vec<(String, String, String)>,
}

struct RecView {
    row: RecommendationRow,
    status: String,
    class: &'static str,
    deadline: String,
    files: Vec<(String, String)>,
    can_report: bool,
}

struct FindingView {
    position: usize,
    item: String,
    severity: String,
    text: String,
    recs: Vec<RecView>,
}

#[derive(Deserialize, Default, Clone)]
struct FindingForm {
    #[serde(default)]
    item_key: String,
    #[serde(default)]
    severity: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    rec_text: String,
    #[serde(default)]
    rec_deadline: String,
    #[serde(default)]
    rec_owner: String,
    #[serde(default)]
    version: i32,
}

#[derive(Deserialize, Default, Clone)]
struct IssueForm {
    #[serde(default)]
    number: String,
    #[serde(default)]
    concluded_on: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    version: i32,
}

#[derive(Template)]
#[template(path = "inspection.html")]
struct DetailPage {
    page: Page,
    id: i64,
    title: String,
    flash: Option<String>,
    /// Which form a refusal belongs to (`visit`, `file`, `finding`, `issue`, `rec-{id}`) and its text.
    error: Option<(String, String)>,
    unit: String,
    topic: String,
    checklist_title: String,
    legal_basis: Option<String>,
    month: i32,
    year: i32,
    status: String,
    class: &'static str,
    visited_on: String,
    conclusion: Option<String>,
    summary: Option<String>,
    team: Vec<(String, String, String)>,
    notes: bool,
    can_record: bool,
    can_issue: bool,
    can_decide: bool,
    can_upload: bool,
    version: i32,
    items: Vec<ItemView>,
    /// The general files (no item): (link, name, kind label, who).
    other_files: Vec<(String, String, String, String)>,
    verdicts: Vec<(&'static str, String)>,
    severities: Vec<(&'static str, String)>,
    findings: Vec<FindingView>,
    finding_form: FindingForm,
    issue_form: IssueForm,
    units: Vec<(String, String)>,
    unit_code: String,
}

#[derive(Default)]
struct DetailDrawn {
    error: Option<(String, String)>,
    finding: Option<FindingForm>,
    issue: Option<IssueForm>,
    /// The visit form as typed (verdict and note per item, the day), kept after a refusal.
    visit: Option<(Typed, String)>,
}

/// A visit form's verdict and note per item, as typed.
type Typed = HashMap<String, (String, String)>;

#[derive(Deserialize)]
struct DetailQuery {
    ghi: Option<String>,
}

async fn detail(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>, Query(q): Query<DetailQuery>) -> Result<Response, AppError> {
    let flash = q.ghi.as_deref().map(|k| match k {
        "moi" => ctx.t("kt.saved_new"),
        "ket-qua" => ctx.t("kt.saved_visit"),
        "tep" => ctx.t("kt.saved_file"),
        "phat-hien" => ctx.t("kt.saved_finding"),
        "ban-hanh" => ctx.t("kt.saved_issue"),
        "khac-phuc" => ctx.t("kt.saved_remediation"),
        "quyet-dinh" => ctx.t("kt.saved_decision"),
        _ => ctx.t("kt.saved"),
    });
    draw_detail(&state, &ctx, id, flash.map(str::to_string), DetailDrawn::default()).await
}

async fn draw_detail(state: &AppState, ctx: &Ctx, id: i64, flash: Option<String>, d: DetailDrawn) -> Result<Response, AppError> {
    let actor = actor(ctx)?;
    let lang = ctx.lang;
    let v = state.store.inspection(actor, id, today()).await?;
    let i = &v.inspection;
    let results: HashMap<String, (Verdict, Option<String>)> =
        v.results.iter().flatten().map(|r| (r.item_key.clone(), (r.verdict, r.note.clone()))).collect();
    let file_link = |fid: i64| format!("/kiem-tra/tep/{fid}");
    let mut items = Vec::new();
    let mut last_section = String::new();
    for (key, section, item) in v.checklist.items() {
        let (verdict, note) = match d.visit.as_ref() {
            // after a refusal: what was typed, not what is stored
            Some((typed, _)) => typed.get(&key).cloned().unwrap_or_default(),
            None => results.get(&key).cloned().map(|(v, n)| (v.key().to_string(), n.unwrap_or_default())).unwrap_or_default(),
        };
        let files = v
            .files
            .iter()
            .filter(|f| f.item_key.as_deref() == Some(key.as_str()) && f.kind != "remediation")
            .map(|f| (file_link(f.id), f.name.clone(), f.created_by.clone()))
            .collect();
        let shown = Verdict::parse(&verdict).map(|v| {
            let class = match v {
                Verdict::Compliant => "ok",
                Verdict::Partly => "warn",
                Verdict::NotCompliant => "err",
                Verdict::NotApplicable => "off",
            };
            (lang.pick(v.label().0, v.label().1).to_string(), class)
        });
        items.push(ItemView {
            shown,
            section: (section.key != last_section).then(|| section.title.clone()),
            key,
            title: item.title.clone(),
            evidence: item.evidence.clone(),
            legal_basis: item.legal_basis.clone(),
            verdict,
            note,
            files,
        });
        last_section = section.key.clone();
    }
    let kind_label = |k: &str| match k {
        "document" => ctx.t("kt.kind_document"),
        "photo" => ctx.t("kt.kind_photo"),
        _ => ctx.t("kt.kind_remediation"),
    };
    let other_files = v
        .files
        .iter()
        .filter(|f| f.item_key.is_none() && f.kind != "remediation")
        .map(|f| (file_link(f.id), f.name.clone(), kind_label(&f.kind).to_string(), f.created_by.clone()))
        .collect();
    let item_title: HashMap<String, String> = v.checklist.items().into_iter().map(|(k, _, it)| (k, it.title.clone())).collect();
    let findings = v
        .findings
        .iter()
        .enumerate()
        .map(|(n, f)| FindingView {
            position: n + 1,
            item: f.item_key.as_ref().and_then(|k| item_title.get(k)).cloned().unwrap_or_default(),
            severity: lang.pick(f.severity.label().0, f.severity.label().1).to_string(),
            text: f.text.clone(),
            recs: f
                .recommendations
                .iter()
                .map(|r| {
                    let (status, class) = rec_badge(lang, r);
                    RecView {
                        status,
                        class,
                        deadline: format_date(r.deadline),
                        files: v
                            .files
                            .iter()
                            .filter(|x| x.recommendation_id == Some(r.id))
                            .map(|x| (file_link(x.id), x.name.clone()))
                            .collect(),
                        can_report: i.status == Status::Issued
                            && parindex_core::inspections::can_report_remediation(actor, r.owner_unit_id)
                            && matches!(r.status, RemediationStatus::Open | RemediationStatus::Returned),
                        row: r.clone(),
                    }
                })
                .collect(),
        })
        .collect();
    let (status, class) = status_badge(lang, i.status);
    let units = if v.can_record {
        state
            .store
            .list_units(parindex_core::UnitScope::All, &Default::default())
            .await?
            .into_iter()
            .filter(|u| u.kind != "province" && u.active_to.is_none())
            .map(|u| (u.code, u.name))
            .collect()
    } else {
        Vec::new()
    };
    let refused = d.error.is_some();
    let page = Page::new(ctx, state, format!("{} — {}", ctx.t("kt.one"), i.unit_name), "/kiem-tra")
        .crumb(ctx.t("kt.title"), format!("/kiem-tra?nam={}", i.year))
        .crumb(i.unit_code.clone(), "");
    let mut r = render(&DetailPage {
        page,
        id,
        title: format!("{} {}: {}", ctx.t("kt.one"), topic_label(lang, &i.topic), i.unit_name),
        flash,
        error: d.error,
        unit: format!("{} — {}", i.unit_code, i.unit_name),
        topic: topic_label(lang, &i.topic),
        checklist_title: v.checklist.title.clone(),
        legal_basis: v.checklist.legal_basis.clone(),
        month: i.planned_month,
        year: i.year,
        status,
        class,
        visited_on: match d.visit.as_ref() {
            Some((_, typed)) => typed.clone(),
            None => i.visited_on.map(format_date).unwrap_or_default(),
        },
        conclusion: match (&i.conclusion_number, i.concluded_on) {
            (Some(n), Some(d)) => {
                Some(format!("{} {n} {} {}", lang.pick("Kết luận số", "Conclusion No."), lang.pick("ngày", "of"), format_date(d)))
            }
            _ => None,
        },
        summary: v.summary.clone(),
        team: i
            .team
            .iter()
            .map(|m| {
                (lang.pick(m.role.label().0, m.role.label().1).to_string(), m.full_name.clone(), m.department.clone().unwrap_or_default())
            })
            .collect(),
        notes: v.results.is_some(),
        can_record: v.can_record,
        can_issue: v.can_issue,
        can_decide: v.can_decide,
        can_upload: v.can_upload_documents,
        version: i.version,
        items,
        other_files,
        verdicts: Verdict::ALL.iter().map(|x| (x.key(), lang.pick(x.label().0, x.label().1).to_string())).collect(),
        severities: Severity::ALL.iter().map(|x| (x.key(), lang.pick(x.label().0, x.label().1).to_string())).collect(),
        findings,
        finding_form: d.finding.unwrap_or_default(),
        issue_form: d.issue.unwrap_or_else(|| IssueForm { concluded_on: format_date(today()), ..Default::default() }),
        units,
        unit_code: i.unit_code.clone(),
    });
    if refused {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

/// The page again with a refusal at the form it belongs to, or the error that is not a form's.
async fn refused(state: &AppState, ctx: &Ctx, id: i64, at: &str, e: StoreError, d: DetailDrawn) -> Result<Response, AppError> {
    match form_refusal(ctx, e) {
        Ok(text) => draw_detail(state, ctx, id, None, DetailDrawn { error: Some((at.to_string(), text)), ..d }).await,
        Err(e) => Err(e),
    }
}

/// The team records verdicts and notes (`v_{item}`, `n_{item}`) and the day of the visit.
async fn record(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let actor = actor(&ctx)?;
    let get = |k: &str| f.iter().find(|(n, _)| n == k).map(|(_, v)| v.trim().to_string()).unwrap_or_default();
    // what was typed, item by item: kept on the page after any refusal
    let mut typed: Typed = HashMap::new();
    for (name, value) in &f {
        if let Some(key) = name.strip_prefix("v_") {
            typed.entry(key.to_string()).or_default().0 = value.clone();
        } else if let Some(key) = name.strip_prefix("n_") {
            typed.entry(key.to_string()).or_default().1 = value.clone();
        }
    }
    let visited = get("visited_on");
    let keep = |text: String| DetailDrawn {
        error: Some(("visit".into(), text)),
        visit: Some((typed.clone(), visited.clone())),
        ..Default::default()
    };
    let mut results = Vec::new();
    let mut noted_only = Vec::new();
    let mut keys: Vec<&String> = typed.keys().collect();
    keys.sort();
    for key in keys {
        let (verdict, note) = &typed[key];
        match Verdict::parse(verdict) {
            Some(verdict) => {
                results.push(ResultInput { item_key: key.clone(), verdict, note: Some(note.clone()).filter(|n| !n.trim().is_empty()) })
            }
            // a note with no verdict would be lost: refused, the item named
            None if !note.trim().is_empty() => noted_only.push(key.clone()),
            None => {}
        }
    }
    if !noted_only.is_empty() {
        let detail = state.store.inspection(actor, id, today()).await?;
        let titles: Vec<String> = detail
            .checklist
            .items()
            .into_iter()
            .filter(|(k, _, _)| noted_only.contains(k))
            .map(|(_, _, it)| format!("«{}»", it.title))
            .collect();
        let text = format!("{} {}", ctx.t("kt.note_needs_verdict"), titles.join(", "));
        return draw_detail(&state, &ctx, id, None, keep(text)).await;
    }
    let visited_on = if visited.is_empty() {
        None
    } else {
        match date_field(&ctx, &visited, ("Ngày kiểm tra", "The day of the visit")) {
            Ok(d) => Some(d),
            Err(text) => return draw_detail(&state, &ctx, id, None, keep(text)).await,
        }
    };
    if results.is_empty() {
        return draw_detail(&state, &ctx, id, None, keep(ctx.t("kt.no_verdict").to_string())).await;
    }
    let version = get("version").parse().unwrap_or(0);
    match state.store.record_visit(&ctx.audit(), actor, id, VisitInput { version, visited_on, results }, today()).await {
        Ok(()) => Ok(Redirect::to(&format!("/kiem-tra/{id}?ghi=ket-qua#kt-checklist")).into_response()),
        Err(e) => {
            let kept = keep(String::new());
            refused(&state, &ctx, id, "visit", e, DetailDrawn { visit: kept.visit, ..Default::default() }).await
        }
    }
}

/// A file: the unit's document, or the team's photo (taken with the phone's camera), at an item.
async fn upload(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    headers: axum::http::HeaderMap,
    mut mp: Multipart,
) -> Result<Response, AppError> {
    let actor = actor(&ctx)?;
    let limit = state.config.max_upload_bytes;
    let declared = headers.get(axum::http::header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit + 64 * 1024) {
        return Err(AppError::PayloadTooLarge);
    }
    let mut fields: HashMap<String, String> = HashMap::new();
    let mut received = None;
    let mut problem = None;
    while let Some(mut field) = mp.next_field().await.map_err(crate::pages::evidence::multipart_error)? {
        if field.name() == Some("file") {
            // the form's other fields come first: what the file is for is known before its bytes
            let kind = fields.get("kind").cloned().unwrap_or_default();
            let detail = state.store.inspection(actor, id, today()).await?;
            let allowed = match kind.as_str() {
                "photo" => detail.can_record,
                "document" => detail.can_upload_documents,
                _ => false,
            };
            if !allowed {
                return Err(AppError::Forbidden);
            }
            match crate::pages::evidence::receive_file(&state, &ctx, &mut field).await? {
                Ok(f) => received = Some(f),
                Err(crate::pages::evidence::Upload::Refused(t) | crate::pages::evidence::Upload::TooLarge(t)) => {
                    problem = Some(t);
                    break;
                }
                Err(_) => {}
            }
        } else if let Some(name) = field.name().map(str::to_string) {
            let text = crate::pages::evidence::file_field(&mut field, "", 8 * 1024).await?.1;
            fields.insert(name, String::from_utf8_lossy(&text).into_owned());
        }
    }
    let say = |text: String| DetailDrawn { error: Some(("file".into(), text)), ..Default::default() };
    if let Some(text) = problem {
        return draw_detail(&state, &ctx, id, None, say(text)).await;
    }
    let Some(f) = received else {
        return draw_detail(&state, &ctx, id, None, say(ctx.t("kt.choose_file").to_string())).await;
    };
    let kind = fields.get("kind").cloned().unwrap_or_default();
    let item = fields.get("item_key").map(|s| s.trim()).filter(|s| !s.is_empty());
    let note = fields.get("note").map(|s| s.trim()).filter(|s| !s.is_empty());
    let file = NewFile { sha256: f.sha256, size: f.size, kind: f.kind, name: f.name };
    match state.store.add_inspection_file(&ctx.audit(), actor, id, Attach::new(&kind, item, note), file).await {
        Ok(_) => Ok(Redirect::to(&format!("/kiem-tra/{id}?ghi=tep#kt-checklist")).into_response()),
        Err(e) => refused(&state, &ctx, id, "file", e, DetailDrawn::default()).await,
    }
}

fn findings_of(detail: &parindex_store::repo::inspections::InspectionDetail) -> Vec<FindingInput> {
    detail
        .findings
        .iter()
        .map(|f| FindingInput {
            item_key: f.item_key.clone(),
            severity: f.severity,
            text: f.text.clone(),
            recommendations: f
                .recommendations
                .iter()
                .map(|r| RecommendationInput { owner_unit_id: Some(r.owner_unit_id), text: r.text.clone(), deadline: r.deadline })
                .collect(),
        })
        .collect()
}

/// The team adds a finding (with a recommendation) to the draft conclusion.
async fn add_finding(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<FindingForm>,
) -> Result<Response, AppError> {
    let actor = actor(&ctx)?;
    let detail = state.store.inspection(actor, id, today()).await?;
    if !detail.can_record {
        return Err(AppError::Forbidden);
    }
    let keep = |text: String| DetailDrawn { error: Some(("finding".into(), text)), finding: Some(f.clone()), ..Default::default() };
    let Some(severity) = Severity::parse(&f.severity) else {
        return draw_detail(&state, &ctx, id, None, keep(ctx.t("kt.choose_severity").to_string())).await;
    };
    let mut recommendations = Vec::new();
    if !f.rec_text.trim().is_empty() {
        let deadline = match date_field(&ctx, &f.rec_deadline, ("Hạn khắc phục", "The deadline")) {
            Ok(d) => d,
            Err(text) => return draw_detail(&state, &ctx, id, None, keep(text)).await,
        };
        let owner = match f.rec_owner.trim() {
            "" => None,
            code => Some(state.store.unit_id_by_code(code).await?.ok_or(AppError::NotFound)?),
        };
        recommendations.push(RecommendationInput { owner_unit_id: owner, text: f.rec_text.clone(), deadline });
    }
    let mut all = findings_of(&detail);
    all.push(FindingInput {
        item_key: Some(f.item_key.clone()).filter(|k| !k.is_empty()),
        severity,
        text: f.text.clone(),
        recommendations,
    });
    match state.store.save_findings(&ctx.audit(), actor, id, f.version, all).await {
        Ok(()) => Ok(Redirect::to(&format!("/kiem-tra/{id}?ghi=phat-hien#kt-findings")).into_response()),
        Err(e) => refused(&state, &ctx, id, "finding", e, DetailDrawn { finding: Some(f.clone()), ..Default::default() }).await,
    }
}

#[derive(Deserialize)]
struct VersionForm {
    #[serde(default)]
    version: i32,
}

/// The team takes a finding (and its recommendations) out of the draft.
async fn remove_finding(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, n)): Path<(i64, usize)>,
    Form(f): Form<VersionForm>,
) -> Result<Response, AppError> {
    let actor = actor(&ctx)?;
    let detail = state.store.inspection(actor, id, today()).await?;
    if !detail.can_record {
        return Err(AppError::Forbidden);
    }
    let mut all = findings_of(&detail);
    if n == 0 || n > all.len() {
        return Err(AppError::NotFound);
    }
    all.remove(n - 1);
    match state.store.save_findings(&ctx.audit(), actor, id, f.version, all).await {
        Ok(()) => Ok(Redirect::to(&format!("/kiem-tra/{id}?ghi=phat-hien#kt-findings")).into_response()),
        Err(e) => refused(&state, &ctx, id, "finding", e, DetailDrawn::default()).await,
    }
}

/// The leader (or the office) issues the conclusion.
async fn issue(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>, Form(f): Form<IssueForm>) -> Result<Response, AppError> {
    let actor = actor(&ctx)?;
    let keep = |text: String| DetailDrawn { error: Some(("issue".into(), text)), issue: Some(f.clone()), ..Default::default() };
    let concluded_on = match date_field(&ctx, &f.concluded_on, ("Ngày ban hành", "The day of issue")) {
        Ok(d) => d,
        Err(text) => return draw_detail(&state, &ctx, id, None, keep(text)).await,
    };
    let input = IssueInput { version: f.version, number: f.number.clone(), concluded_on, summary: f.summary.clone() };
    match state.store.issue_conclusion(&ctx.audit(), actor, id, input, today()).await {
        Ok(()) => Ok(Redirect::to(&format!("/kiem-tra/{id}?ghi=ban-hanh")).into_response()),
        Err(e) => refused(&state, &ctx, id, "issue", e, DetailDrawn { issue: Some(f.clone()), ..Default::default() }).await,
    }
}

/// The owner unit reports its remediation of a recommendation, with evidence files.
async fn report(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, rid)): Path<(i64, i64)>,
    mut mp: Multipart,
) -> Result<Response, AppError> {
    let actor = actor(&ctx)?;
    let detail = state.store.inspection(actor, id, today()).await?;
    let rec = detail.findings.iter().flat_map(|f| f.recommendations.iter()).find(|r| r.id == rid).ok_or(AppError::NotFound)?.clone();
    if !parindex_core::inspections::can_report_remediation(actor, rec.owner_unit_id) {
        return Err(AppError::Forbidden);
    }
    let mut text = String::new();
    let mut files = Vec::new();
    let at = format!("rec-{rid}");
    while let Some(mut field) = mp.next_field().await.map_err(crate::pages::evidence::multipart_error)? {
        match field.name() {
            Some("file") => match crate::pages::evidence::receive_file(&state, &ctx, &mut field).await? {
                Ok(f) => files.push(NewFile { sha256: f.sha256, size: f.size, kind: f.kind, name: f.name }),
                Err(crate::pages::evidence::Upload::Refused(t) | crate::pages::evidence::Upload::TooLarge(t)) => {
                    return draw_detail(&state, &ctx, id, None, DetailDrawn { error: Some((at, t)), ..Default::default() }).await;
                }
                Err(_) => {}
            },
            Some("text") => {
                text = String::from_utf8_lossy(&crate::pages::evidence::file_field(&mut field, "", 64 * 1024).await?.1).into_owned();
            }
            _ => {}
        }
    }
    match state.store.report_remediation(&ctx.audit(), actor, rid, rec.version, &text, files).await {
        Ok(_) => Ok(Redirect::to(&format!("/kiem-tra/{id}?ghi=khac-phuc#rec-{rid}")).into_response()),
        Err(e) => refused(&state, &ctx, id, &at, e, DetailDrawn::default()).await,
    }
}

#[derive(Deserialize)]
struct DecisionForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    version: i32,
}

/// The team (or the office) accepts a reported remediation, or returns it with the reason.
async fn decide(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, rid)): Path<(i64, i64)>,
    Form(f): Form<DecisionForm>,
) -> Result<Response, AppError> {
    let actor = actor(&ctx)?;
    let input = DecisionInput { version: f.version, accept: f.decision == "accept", reason: Some(f.reason.clone()) };
    match state.store.decide_remediation(&ctx.audit(), actor, rid, input).await {
        Ok(_) => Ok(Redirect::to(&format!("/kiem-tra/{id}?ghi=quyet-dinh#rec-{rid}")).into_response()),
        Err(e) => refused(&state, &ctx, id, &format!("rec-{rid}"), e, DetailDrawn::default()).await,
    }
}

/// A file of an inspection, to whoever may read it there (the team's photos: the team only).
async fn file(State(state): State<AppState>, ctx: Ctx, Path(fid): Path<i64>) -> Result<Response, AppError> {
    let actor = actor(&ctx)?;
    let f = state.store.inspection_file(actor, fid).await?;
    let kind = parindex_core::evidence::Kind::parse(&f.file_kind).ok_or(AppError::NotFound)?;
    crate::pages::evidence::send_blob(&state, &f.name, &f.sha256, f.size, kind, kind.previewable()).await
}

// ---------------------------------------------------------------- the year in figures

/// One table of the overview as the page shows it: its section's id and title, the XLSX
/// link's `bang`, the header, and the cells (text, a number, a number to mark).
struct TableView {
    id: &'static str,
    title: String,
    slug: &'static str,
    header: Vec<String>,
    rows: Vec<Vec<(String, bool, bool)>>,
}

#[derive(Template)]
#[template(path = "inspections_overview.html")]
struct OverviewPage {
    page: Page,
    year: i32,
    tables: Vec<TableView>,
}

#[derive(Deserialize)]
struct OverviewQuery {
    nam: Option<i32>,
    bang: Option<String>,
}

/// A table to download: its `bang`, header and rows.
type Grid = (&'static str, Vec<String>, Vec<Vec<parindex_reports::grid::Cell>>);

/// The three tables of the year's overview, as their header and rows (the page and the XLSX
/// read the same).
fn overview_tables(ctx: &Ctx, o: &parindex_store::repo::inspections::Overview) -> [Grid; 3] {
    use parindex_reports::grid::Cell;
    let lang = ctx.lang;
    let t = |k: &str| ctx.t(k).to_string();
    let n = |x: usize| Cell::int(x as i64);
    let months = o.months.iter().enumerate().map(|(m, (p, i))| vec![n(m + 1), n(*p), n(*i)]).collect();
    let topics = o
        .topics
        .iter()
        .map(|x| {
            let rate = x.rate.as_ref().and_then(|v| v.percent()).map(|p| Cell::exact(&p, 1)).unwrap_or(Cell::Empty);
            vec![
                Cell::text(topic_label(lang, &x.topic)),
                n(x.inspections),
                n(x.issued),
                n(x.findings),
                n(x.recommendations),
                n(x.due),
                n(x.remedied),
                n(x.overdue),
                rate,
            ]
        })
        .collect();
    let items = o
        .items
        .iter()
        .map(|x| vec![Cell::text(topic_label(lang, &x.topic)), Cell::text(x.title.clone()), n(x.checked), n(x.partly), n(x.not_compliant)])
        .collect();
    [
        ("thang", vec![t("kt.month_col"), t("kt.col_planned"), t("kt.col_issued")], months),
        (
            "linh-vuc",
            vec![
                t("kt.topic"),
                t("kt.col_inspections"),
                t("kt.col_issued"),
                t("kt.findings_col"),
                t("kt.recs_col"),
                t("kt.due_col"),
                t("kt.remedied_col"),
                t("kt.overdue_col"),
                t("kt.rate_col"),
            ],
            topics,
        ),
        ("noi-dung", vec![t("kt.topic"), t("kt.item"), t("kt.checked_col"), t("kt.partly_col"), t("kt.not_compliant_col")], items),
    ]
}

/// The office's and provincial leadership's overview of the year (`?bang=…` downloads a table as XLSX).
async fn overview(State(state): State<AppState>, ctx: Ctx, Query(q): Query<OverviewQuery>) -> Result<Response, AppError> {
    use parindex_reports::grid::Cell;
    let actor = actor(&ctx)?;
    let year = q.nam.filter(|y| (2000..=2100).contains(y)).unwrap_or(today().year());
    let o = state.store.inspection_overview(actor, year, today()).await?;
    let tables = overview_tables(&ctx, &o);
    if let Some(which) = q.bang.as_deref() {
        let (slug, header, rows) = tables.iter().find(|(slug, _, _)| *slug == which).ok_or(AppError::NotFound)?;
        let bytes = parindex_reports::grid::grid_xlsx(&format!("{} {year}", ctx.t("kt.title")), header, rows, 1)
            .map_err(|e| AppError::Internal(format!("xlsx: {e}")))?;
        return Ok(crate::chrome::download(bytes, crate::chrome::XLSX, &format!("kiem-tra-{slug}-{year}.xlsx")));
    }
    let shown = |c: &Cell| match c {
        Cell::Text(s) => s.clone(),
        Cell::Number { exact, .. } => exact.replace('.', if ctx.lang == Lang::Vi { "," } else { "." }),
        Cell::Empty => "—".into(),
    };
    // the topic table's "overdue" column (7) is marked when not zero
    let marked =
        |slug: &str, col: usize, c: &Cell| slug == "linh-vuc" && col == 7 && matches!(c, Cell::Number { value, .. } if *value > 0.0);
    let titles = [("kt-by-month", "kt.by_month"), ("kt-by-topic", "kt.by_topic"), ("kt-by-item", "kt.by_item")];
    let mut views: Vec<TableView> = tables
        .into_iter()
        .zip(titles)
        .map(|((slug, header, rows), (id, title))| TableView {
            id,
            title: ctx.t(title).to_string(),
            slug,
            header,
            rows: rows
                .iter()
                .map(|r| r.iter().enumerate().map(|(col, c)| (shown(c), matches!(c, Cell::Number { .. }), marked(slug, col, c))).collect())
                .collect(),
        })
        .collect();
    // the topics first: the remediation rate is what readers look for
    views.swap(0, 1);
    let page = Page::new(&ctx, &state, ctx.t("kt.overview"), "/kiem-tra")
        .crumb(ctx.t("kt.title"), format!("/kiem-tra?nam={year}"))
        .crumb(ctx.t("kt.overview"), "");
    Ok(render(&OverviewPage { page, year, tables: views }))
}

// ---------------------------------------------------------------- the conclusion as a document

/// The conclusion (`ket-luan`) or the notice of it to the unit (`thong-bao`), in the Decree 30
/// layout: what the team found (the general assessment, the findings with their severity) and
/// the recommendations with their owners and deadlines — never the team's per-item notes.
fn conclusion_document(
    ctx: &Ctx,
    v: &parindex_store::repo::inspections::InspectionDetail,
    plan: Option<&parindex_store::repo::inspections::InspectionPlanRow>,
    notice: bool,
    mut doc: parindex_reports::document::Document,
) -> parindex_reports::document::Document {
    use parindex_reports::document::{Align, Block, Row, Table, date_words};
    let lang = ctx.lang;
    let t = |vi: &str, en: &str| lang.pick(vi, en).to_string();
    let i = &v.inspection;
    let vi = lang == Lang::Vi;
    if let (Some(n), Some(d)) = (&i.conclusion_number, i.concluded_on) {
        doc.number = format!("{} {n}", t("Số:", "No.:"));
        let place = doc.place_date.split_once(", ").map(|(p, _)| p.to_string());
        doc.place_date = match place {
            Some(p) => format!("{p}, {}", date_words(d, vi)),
            None => date_words(d, vi),
        };
    }
    let topic = topic_label(lang, &i.topic);
    // the kind (KẾT LUẬN, THÔNG BÁO) stands above: the summary does not repeat it
    doc.title = if notice {
        format!("{} {topic} {} {}", t("Kết luận kiểm tra công tác", "Conclusion of the inspection of"), t("tại", "at"), i.unit_name)
    } else {
        format!("{} {topic} {} {}", t("Kiểm tra công tác", "Inspection of"), t("tại", "at"), i.unit_name)
    };
    let b = &mut doc.blocks;
    let plan_text = plan
        .map(|p| {
            format!(
                "{} {} {} {} {}",
                t("Thực hiện Kế hoạch số", "Under plan No."),
                p.number,
                t("ngày", "of"),
                format_date(p.signed_on),
                p.title
            )
        })
        .unwrap_or_default();
    let team: Vec<String> = i
        .team
        .iter()
        .map(|m| {
            let dept = m.department.as_ref().map(|d| format!(", {d}")).unwrap_or_default();
            format!("{} {} ({}{dept})", lang.pick(m.role.label().0, m.role.label().1), m.full_name, m.username)
        })
        .collect();
    let visited = i.visited_on.map(|d| format!(" {} {}", t("ngày", "on"), format_date(d))).unwrap_or_default();
    b.push(Block::text(format!(
        "{plan_text}; {}{visited} {} {}. {}: {}.",
        t("Đoàn kiểm tra đã kiểm tra", "the inspection team inspected"),
        t("tại", "at"),
        i.unit_name,
        t("Thành phần Đoàn", "The team"),
        team.join("; ")
    )));
    if notice {
        b.push(Block::text(format!(
            "{} {} {}:",
            t("Căn cứ Kết luận kiểm tra", "Under conclusion"),
            i.conclusion_number.clone().unwrap_or_default(),
            t("Sở Nội vụ thông báo kết luận kiểm tra như sau", "the Department of Home Affairs gives notice of the conclusion as follows")
        )));
    }
    b.push(Block::heading(t("I. NHẬN XÉT CHUNG", "I. GENERAL ASSESSMENT")));
    b.push(Block::text(v.summary.clone().unwrap_or_default()));
    b.push(Block::heading(t("II. TỒN TẠI, HẠN CHẾ", "II. SHORTCOMINGS")));
    if v.findings.is_empty() {
        b.push(Block::text(t("Không phát hiện tồn tại, hạn chế.", "No shortcoming was found.")));
    }
    let titles: HashMap<String, String> = v.checklist.items().into_iter().map(|(k, _, it)| (k, it.title.clone())).collect();
    for (n, f) in v.findings.iter().enumerate() {
        let at = f.item_key.as_ref().and_then(|k| titles.get(k)).map(|x| format!(" ({x})")).unwrap_or_default();
        let sev = lang.pick(f.severity.label().0, f.severity.label().1);
        b.push(Block::text(format!("{}. {}{at} — {}: {sev}.", n + 1, f.text, t("mức độ", "severity"))));
    }
    b.push(Block::heading(t("III. KIẾN NGHỊ", "III. RECOMMENDATIONS")));
    let rows: Vec<Row> = v
        .findings
        .iter()
        .flat_map(|f| f.recommendations.iter())
        .enumerate()
        .map(|(n, r)| {
            Row::new(vec![(n + 1).to_string(), r.text.clone(), format!("{} — {}", r.owner_code, r.owner_name), format_date(r.deadline)])
        })
        .collect();
    if rows.is_empty() {
        b.push(Block::text(t("Không có kiến nghị.", "No recommendation.")));
    } else {
        b.push(Block::Table(Table {
            caption: String::new(),
            widths: vec![0.8, 6.0, 3.5, 2.2],
            align: vec![Align::Center, Align::Left, Align::Left, Align::Center],
            header: vec![
                t("TT", "No."),
                t("Kiến nghị", "Recommendation"),
                t("Đơn vị thực hiện", "Owner unit"),
                t("Hạn khắc phục", "Deadline"),
            ],
            rows,
        }));
        b.push(Block::text(format!(
            "{} {} {}",
            t("Đề nghị", "The"),
            i.unit_name,
            t(
                "tổ chức khắc phục các tồn tại, hạn chế nêu trên và báo cáo kết quả khắc phục từng kiến nghị, kèm văn bản chứng minh, trên hệ thống trước hạn nêu tại bảng trên.",
                "is asked to remedy the shortcomings above and report each recommendation's remediation, with the documents that show it, in the system before its deadline.",
            )
        )));
    }
    doc.recipients = vec![
        format!("- {};", i.unit_name),
        t("- Thành viên Đoàn kiểm tra;", "- Members of the team;"),
        t("- Lưu: VT, CCHC.", "- Filed: office, reform."),
    ];
    doc
}

/// The conclusion or its notice as DOCX or PDF, to whoever reads the issued conclusion.
async fn conclusion_file(state: &AppState, ctx: &Ctx, id: i64, notice: bool, format: &'static str) -> Result<Response, AppError> {
    let actor = actor(ctx)?;
    let v = state.store.inspection(actor, id, today()).await?;
    if v.inspection.status != Status::Issued {
        return Err(AppError::NotFound);
    }
    let plan = state.store.inspection_plan(v.inspection.year).await?;
    let (kind_vi, kind_en) = if notice { ("THÔNG BÁO", "NOTICE") } else { ("KẾT LUẬN", "CONCLUSION") };
    let suffix = if notice { "TB-SNV" } else { "KL-SNV" };
    let doc = crate::pages::documents::skeleton_for(state, ctx, suffix, kind_vi, kind_en, String::new()).await;
    let doc = conclusion_document(ctx, &v, plan.as_ref(), notice, doc);
    let name = format!("{}-{}", if notice { "thong-bao-ket-luan" } else { "ket-luan-kiem-tra" }, v.inspection.unit_code.to_lowercase());
    crate::pages::documents::send_document(doc, &name, format).await
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/kiem-tra", get(list))
        .route("/kiem-tra/ke-hoach", post(set_plan))
        .route("/kiem-tra/moi", post(add))
        .route("/kiem-tra/tong-hop", get(overview))
        .route("/kiem-tra/bang-kiem", post(upload_checklist))
        .route("/kiem-tra/bang-kiem/{code}", get(download_checklist))
        .route("/kiem-tra/{id}", get(detail))
        .route("/kiem-tra/{id}/ket-qua", post(record))
        .route("/kiem-tra/{id}/tep", post(upload))
        .route("/kiem-tra/{id}/phat-hien", post(add_finding))
        .route("/kiem-tra/{id}/phat-hien/{n}/xoa", post(remove_finding))
        .route("/kiem-tra/{id}/ban-hanh", post(issue))
        .route("/kiem-tra/{id}/kien-nghi/{rid}/khac-phuc", post(report))
        .route("/kiem-tra/{id}/kien-nghi/{rid}/quyet-dinh", post(decide))
        .route("/kiem-tra/tep/{fid}", get(file))
        .route(
            "/kiem-tra/{id}/ket-luan.docx",
            get(|s: State<AppState>, c: Ctx, p: Path<i64>| async move { conclusion_file(&s, &c, p.0, false, "docx").await }),
        )
        .route(
            "/kiem-tra/{id}/ket-luan.pdf",
            get(|s: State<AppState>, c: Ctx, p: Path<i64>| async move { conclusion_file(&s, &c, p.0, false, "pdf").await }),
        )
        .route(
            "/kiem-tra/{id}/thong-bao.docx",
            get(|s: State<AppState>, c: Ctx, p: Path<i64>| async move { conclusion_file(&s, &c, p.0, true, "docx").await }),
        )
        .route(
            "/kiem-tra/{id}/thong-bao.pdf",
            get(|s: State<AppState>, c: Ctx, p: Path<i64>| async move { conclusion_file(&s, &c, p.0, true, "pdf").await }),
        )
}
