//! Reform plans and tasks pages (issue #19).
//!
//! - `/ke-hoach?nam=&don_vi=&trang_thai=&qua_han=` — the year's province plan (the office sets
//!   it, with the deadline of the units' plans), each unit's plan against that deadline (on time,
//!   late, missing), and the plan's tasks with their owners, deadlines and statuses (overdue
//!   marked); the office adds tasks; a unit's staff see their own unit's plan and tasks and
//!   record their plan;
//! - `/ke-hoach/nhiem-vu/{id}` — a task: what is expected, by when, who co-operates, its
//!   progress notes, and the owner's report (status, the day it was done, why dropped).
//!
//! Who reads and who writes is `app::plans`; the measures are `core::plans::Measure`.

use askama::Template;
use axum::Router;
use axum::extract::{Form, Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{Datelike, NaiveDate};
use parindex_core::plans::{PlanFacts, TaskStatus};
use parindex_core::text::format_date;
use parindex_core::{Lang, Msg};
use parindex_store::repo::plans::{NewTask, PlanInput, PlanRow, TaskFilter, TaskRow, TaskUpdate};
use serde::Deserialize;

use crate::AppState;
use crate::app::plans::{manages, readable_task, reads_all, reports_for};
use crate::chrome::{Page, date_field, form_refusal, render};
use crate::ctx::Ctx;
use crate::error::AppError;

#[derive(Deserialize, Default)]
struct ListQuery {
    nam: Option<i32>,
    don_vi: Option<String>,
    trang_thai: Option<String>,
    qua_han: Option<String>,
    ghi: Option<String>,
}

/// A plan form's values (the province's or a unit's), kept after a refusal.
#[derive(Deserialize, Default, Clone)]
struct PlanForm {
    #[serde(default)]
    number: String,
    #[serde(default)]
    signed_on: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    due: String,
}

/// The add-a-task form's values, kept after a refusal.
#[derive(Deserialize, Default, Clone)]
struct TaskForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    domain: String,
    #[serde(default)]
    owner: String,
    #[serde(default)]
    co_units: String,
    #[serde(default)]
    deadline: String,
    #[serde(default)]
    output: String,
}

struct UnitPlanLine {
    facts: PlanFacts,
    /// The signed plan's link, when attached.
    file: Option<String>,
    code: String,
    name: String,
    plan: String,
    state: String,
    class: &'static str,
}

struct TaskLine {
    id: i64,
    code: String,
    title: String,
    owner: String,
    deadline: String,
    status: String,
    class: &'static str,
}

fn status_of(lang: Lang, t: &TaskRow, today: NaiveDate) -> (String, &'static str) {
    let label = lang.pick(t.status.label().0, t.status.label().1).to_string();
    match t.status {
        _ if t.facts().overdue(today) => (format!("{label} — {}", lang.pick("quá hạn", "overdue")), "err"),
        TaskStatus::Done if t.facts().done_on_time() => (format!("{label} {}", t.done_on.map(format_date).unwrap_or_default()), "ok"),
        TaskStatus::Done => (format!("{label} {} ({})", t.done_on.map(format_date).unwrap_or_default(), lang.pick("muộn", "late")), "warn"),
        TaskStatus::Dropped => (label, "off"),
        _ => (label, ""),
    }
}

fn plan_state(lang: Lang, facts: &PlanFacts) -> (String, &'static str) {
    match facts.signed_on {
        None => (lang.pick("Chưa ban hành", "Not issued").to_string(), "err"),
        Some(_) if facts.on_time() => (lang.pick("Đúng hạn", "On time").to_string(), "ok"),
        Some(_) => (lang.pick("Trễ hạn", "Late").to_string(), "warn"),
    }
}

#[derive(Template)]
#[template(path = "plans.html")]
struct PlansPage {
    page: Page,
    year: i32,
    all_units: bool,
    unit_filter: String,
    status_filter: String,
    overdue_only: bool,
    flash: Option<String>,
    manages: bool,
    /// The province's plan in words, and its form (the office), kept after a refusal.
    province: Option<String>,
    province_due: String,
    province_form: PlanForm,
    province_error: Option<String>,
    unit_plans: Vec<UnitPlanLine>,
    plans_on_time: usize,
    plans_late: usize,
    plans_missing: usize,
    /// The unit whose plan the actor records (code, name), its form and refusal.
    own: Option<(String, String)>,
    own_form: PlanForm,
    own_error: Option<String>,
    tasks: Vec<TaskLine>,
    done: usize,
    overdue: usize,
    statuses: Vec<(&'static str, String)>,
    units: Vec<(String, String)>,
    task_form: TaskForm,
    task_error: Option<String>,
    import: Option<(String, bool)>,
}

#[derive(Default)]
struct Drawn {
    province: Option<(PlanForm, String)>,
    own: Option<(PlanForm, String)>,
    task: Option<(TaskForm, String)>,
    /// What an import of tasks did (true) or why it was refused (false).
    import: Option<(String, bool)>,
}

fn plan_text(lang: Lang, p: &PlanRow) -> String {
    format!("{} {} {} {} — {}", lang.pick("Kế hoạch số", "Plan No."), p.number, lang.pick("ngày", "of"), format_date(p.signed_on), p.title)
}

async fn list(State(state): State<AppState>, ctx: Ctx, Query(q): Query<ListQuery>) -> Result<Response, AppError> {
    draw(&state, &ctx, &q, Drawn::default()).await
}

async fn draw(state: &AppState, ctx: &Ctx, q: &ListQuery, d: Drawn) -> Result<Response, AppError> {
    let Some(actor) = &ctx.actor else { return Err(AppError::Unauthenticated) };
    let lang = ctx.lang;
    let today = parindex_core::assessment::today_vn();
    let (year, unit_id) = crate::app::onestop::year_and_unit(state, ctx, q.nam, q.don_vi.as_deref()).await?;
    let all_units = reads_all(ctx);
    let status = q.trang_thai.as_deref().and_then(TaskStatus::parse);
    let overdue_only = q.qua_han.is_some();
    let filter = TaskFilter { year, unit_id, status, overdue_on: overdue_only.then_some(today) };
    let tasks = state.store.plan_tasks(&filter).await?;
    let (province, unit_plans) = state.store.plans_of_year(year).await?;
    let units: Vec<parindex_store::repo::units::UnitView> = state
        .store
        .list_units(parindex_core::UnitScope::All, &Default::default())
        .await?
        .into_iter()
        .filter(|u| u.kind != "province")
        .collect();
    let due = province.as_ref().and_then(|p| p.unit_plans_due);
    let plan_lines = units
        .iter()
        .filter(|u| unit_id.is_none_or(|id| id == u.id))
        .map(|u| {
            let own = unit_plans.iter().find(|p| p.unit_code.as_deref() == Some(u.code.as_str()));
            let facts = PlanFacts { due, signed_on: own.map(|p| p.signed_on) };
            let (state, class) = plan_state(lang, &facts);
            UnitPlanLine {
                facts,
                code: u.code.clone(),
                name: u.name.clone(),
                plan: own.map(|p| format!("{} ({})", p.number, format_date(p.signed_on))).unwrap_or_else(|| "—".into()),
                file: own.filter(|p| p.file_id.is_some()).map(|_| format!("/ke-hoach/don-vi/{}/tep?nam={year}", u.code)),
                state,
                class,
            }
        })
        .collect::<Vec<UnitPlanLine>>();
    let plans_on_time = plan_lines.iter().filter(|l| l.facts.on_time()).count();
    let plans_missing = plan_lines.iter().filter(|l| l.facts.signed_on.is_none()).count();
    let plans_late = plan_lines.len() - plans_on_time - plans_missing;
    let own_unit = actor.unit_id.and_then(|id| units.iter().find(|u| u.id == id)).filter(|u| reports_for(ctx, u.id));
    let own_plan = own_unit.and_then(|u| unit_plans.iter().find(|p| p.unit_code.as_deref() == Some(u.code.as_str())));
    let form_of = |p: Option<&PlanRow>| PlanForm {
        number: p.map(|p| p.number.clone()).unwrap_or_default(),
        signed_on: p.map(|p| format_date(p.signed_on)).unwrap_or_default(),
        title: p.map(|p| p.title.clone()).unwrap_or_default(),
        due: p.and_then(|p| p.unit_plans_due).map(format_date).unwrap_or_default(),
    };
    let refused = d.province.is_some() || d.own.is_some() || d.task.is_some() || d.import.as_ref().is_some_and(|(_, ok)| !ok);
    let (province_form, province_error) = match d.province {
        Some((f, e)) => (f, Some(e)),
        None => (form_of(province.as_ref()), None),
    };
    let (own_form, own_error) = match d.own {
        Some((f, e)) => (f, Some(e)),
        None => (form_of(own_plan), None),
    };
    let (task_form, task_error) = match d.task {
        Some((f, e)) => (f, Some(e)),
        None => (TaskForm::default(), None),
    };
    let flash = match q.ghi.as_deref() {
        Some("tinh") => Some(ctx.t("kh.saved_province").to_string()),
        Some("don-vi") => Some(ctx.t("kh.saved_own").to_string()),
        Some("nhiem-vu") => Some(ctx.t("kh.saved_task").to_string()),
        _ => None,
    };
    let page = Page::new(ctx, state, ctx.t("kh.title"), "/ke-hoach").crumb(ctx.t("kh.title"), "");
    let mut r = render(&PlansPage {
        page,
        year,
        all_units,
        unit_filter: q.don_vi.clone().unwrap_or_default(),
        status_filter: status.map(|s| s.key().to_string()).unwrap_or_default(),
        overdue_only,
        flash,
        manages: manages(ctx),
        province: province.as_ref().map(|p| plan_text(lang, p)),
        province_due: due.map(format_date).unwrap_or_else(|| "—".into()),
        province_form,
        province_error,
        unit_plans: plan_lines,
        plans_on_time,
        plans_late,
        plans_missing,
        own: own_unit.map(|u| (u.code.clone(), u.name.clone())),
        own_form,
        own_error,
        done: tasks.iter().filter(|t| t.status == TaskStatus::Done).count(),
        overdue: tasks.iter().filter(|t| t.facts().overdue(today)).count(),
        tasks: tasks
            .iter()
            .map(|t| {
                let (status, class) = status_of(lang, t, today);
                TaskLine {
                    id: t.id,
                    code: t.code.clone(),
                    title: t.title.clone(),
                    owner: format!("{} — {}", t.owner_code, t.owner_name),
                    deadline: format_date(t.deadline),
                    status,
                    class,
                }
            })
            .collect(),
        statuses: TaskStatus::ALL.iter().map(|s| (s.key(), lang.pick(s.label().0, s.label().1).to_string())).collect(),
        units: units.iter().map(|u| (u.code.clone(), u.name.clone())).collect(),
        task_form,
        task_error,
        import: d.import,
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
    /// The year written to (the one asked for, else this year) and the list page of that year
    /// a refusal is drawn on.
    fn year(&self) -> (i32, ListQuery) {
        let year = self.nam.filter(|y| (2000..=2100).contains(y)).unwrap_or(parindex_core::assessment::today_vn().year());
        (year, ListQuery { nam: Some(year), ..Default::default() })
    }
}

/// Signed in (401), and allowed (403): the writes' first check.
fn allowed(ctx: &Ctx, ok: bool) -> Result<(), AppError> {
    match (ctx.actor.is_some(), ok) {
        (false, _) => Err(AppError::Unauthenticated),
        (true, false) => Err(AppError::Forbidden),
        (true, true) => Ok(()),
    }
}

/// The office sets the province's plan of the year.
async fn set_province(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(y): Query<YearQuery>,
    Form(f): Form<PlanForm>,
) -> Result<Response, AppError> {
    allowed(&ctx, manages(&ctx))?;
    let (year, q) = y.year();
    let signed = date_field(&ctx, &f.signed_on, ("Ngày ký", "The signing day"));
    let due = if f.due.trim().is_empty() {
        Ok(None)
    } else {
        date_field(&ctx, &f.due, ("Hạn ban hành kế hoạch của đơn vị", "The units' deadline")).map(Some)
    };
    let result = match (signed, due) {
        (Ok(signed_on), Ok(unit_plans_due)) => {
            let input = PlanInput { number: f.number.clone(), signed_on, title: f.title.clone(), unit_plans_due, file_id: None };
            state.store.set_plan(&ctx.audit(), year, None, input).await.map(|_| ()).map_err(|e| form_refusal(&ctx, e))
        }
        (Err(e), _) | (_, Err(e)) => Err(Ok(e)),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/ke-hoach?nam={year}&ghi=tinh")).into_response()),
        Err(Ok(text)) => draw(&state, &ctx, &q, Drawn { province: Some((f, text)), ..Default::default() }).await,
        Err(Err(e)) => Err(e),
    }
}

/// A unit's staff (or the office) record the unit's plan of the year.
async fn set_unit_plan(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(y): Query<YearQuery>,
    Form(f): Form<PlanForm>,
) -> Result<Response, AppError> {
    allowed(&ctx, true)?;
    let unit_id = state.store.unit_id_by_code(&code).await?.ok_or(AppError::NotFound)?;
    allowed(&ctx, reports_for(&ctx, unit_id))?;
    let (year, q) = y.year();
    let result = match date_field(&ctx, &f.signed_on, ("Ngày ký", "The signing day")) {
        Ok(signed_on) => {
            let input = PlanInput { number: f.number.clone(), signed_on, title: f.title.clone(), unit_plans_due: None, file_id: None };
            state.store.set_plan(&ctx.audit(), year, Some(unit_id), input).await.map(|_| ()).map_err(|e| form_refusal(&ctx, e))
        }
        Err(e) => Err(Ok(e)),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/ke-hoach?nam={year}&ghi=don-vi")).into_response()),
        Err(Ok(text)) => draw(&state, &ctx, &q, Drawn { own: Some((f, text)), ..Default::default() }).await,
        Err(Err(e)) => Err(e),
    }
}

/// The office adds (or changes, by its number) one task of the year's plan.
async fn add_task(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(y): Query<YearQuery>,
    Form(f): Form<TaskForm>,
) -> Result<Response, AppError> {
    allowed(&ctx, manages(&ctx))?;
    let (year, q) = y.year();
    let result = match date_field(&ctx, &f.deadline, ("Thời hạn", "The deadline")) {
        Ok(deadline) => {
            let row = NewTask {
                row: 1,
                code: f.code.clone(),
                title: f.title.clone(),
                domain: Some(f.domain.clone()),
                owner: f.owner.clone(),
                co_units: f.co_units.split([',', ';', ' ']).map(str::to_string).filter(|s| !s.is_empty()).collect(),
                deadline,
                output: Some(f.output.clone()),
            };
            match state.store.import_plan_tasks(&ctx.audit(), year, vec![row], false).await {
                Ok(_) => Ok(()),
                Err(parindex_store::repo::units::ImportError::Rows(rows)) => {
                    Err(Ok(rows.iter().map(|r| r.message.get(ctx.lang.code()).to_string()).collect::<Vec<_>>().join(" ")))
                }
                Err(parindex_store::repo::units::ImportError::Store(e)) => Err(form_refusal(&ctx, e)),
            }
        }
        Err(e) => Err(Ok(e)),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/ke-hoach?nam={year}&ghi=nhiem-vu")).into_response()),
        Err(Ok(text)) => draw(&state, &ctx, &q, Drawn { task: Some((f, text)), ..Default::default() }).await,
        Err(Err(e)) => Err(e),
    }
}

/// The owner's report form, kept after a refusal.
#[derive(Deserialize, Default, Clone)]
struct ReportForm {
    #[serde(default)]
    status: String,
    #[serde(default)]
    done_on: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    version: i32,
}

#[derive(Template)]
#[template(path = "plan_task.html")]
struct TaskPage {
    page: Page,
    task: TaskRow,
    status: String,
    class: &'static str,
    deadline: String,
    co_units: String,
    /// (who · when, text, the attached file's link)
    notes: Vec<(String, String, Option<String>)>,
    reports: bool,
    statuses: Vec<(&'static str, String)>,
    form: ReportForm,
    error: Option<String>,
    flash: Option<String>,
}

async fn draw_task(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    kept: Option<(ReportForm, String)>,
    flash: Option<String>,
) -> Result<Response, AppError> {
    let (task, notes) = readable_task(state, ctx, id).await?;
    let lang = ctx.lang;
    let today = parindex_core::assessment::today_vn();
    let (status, class) = status_of(lang, &task, today);
    let refused = kept.is_some();
    let (form, error) = match kept {
        Some((f, e)) => (f, Some(e)),
        None => (
            ReportForm {
                status: task.status.key().to_string(),
                done_on: task.done_on.map(format_date).unwrap_or_default(),
                reason: task.status_reason.clone().unwrap_or_default(),
                note: String::new(),
                version: task.version,
            },
            None,
        ),
    };
    let page = Page::new(ctx, state, format!("{} {}", ctx.t("kh.task"), task.code), "/ke-hoach")
        .crumb(ctx.t("kh.title"), format!("/ke-hoach?nam={}", task.year))
        .crumb(task.code.clone(), "");
    let mut r = render(&TaskPage {
        page,
        status,
        class,
        deadline: format_date(task.deadline),
        co_units: task.co_units.iter().map(|(c, n)| format!("{c} — {n}")).collect::<Vec<_>>().join("; "),
        notes: notes
            .iter()
            .map(|n| {
                (
                    format!("{} · {}", n.created_by, parindex_core::text::format_time_vn(n.created_at)),
                    n.text.clone(),
                    n.file_id.map(|_| format!("/ke-hoach/nhiem-vu/{id}/tep/{}", n.id)),
                )
            })
            .collect(),
        reports: reports_for(ctx, task.owner_unit_id),
        statuses: TaskStatus::ALL.iter().map(|s| (s.key(), lang.pick(s.label().0, s.label().1).to_string())).collect(),
        task,
        form,
        error,
        flash,
    });
    if refused {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

#[derive(Deserialize)]
struct TaskQuery {
    ghi: Option<String>,
}

async fn task_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>, Query(q): Query<TaskQuery>) -> Result<Response, AppError> {
    let flash = q.ghi.map(|_| ctx.t("kh.reported").to_string());
    draw_task(&state, &ctx, id, None, flash).await
}

/// The owner unit's staff (or the office) report on a task.
async fn report(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>, Form(f): Form<ReportForm>) -> Result<Response, AppError> {
    let (task, _) = readable_task(&state, &ctx, id).await?;
    if !reports_for(&ctx, task.owner_unit_id) {
        return Err(AppError::Forbidden);
    }
    let Some(status) = TaskStatus::parse(&f.status) else {
        let text = Msg::new("Hãy chọn trạng thái.", "Choose a status.").get(ctx.lang.code()).to_string();
        return draw_task(&state, &ctx, id, Some((f, text)), None).await;
    };
    let done_on = if f.done_on.trim().is_empty() {
        None
    } else {
        match date_field(&ctx, &f.done_on, ("Ngày hoàn thành", "The day it was done")) {
            Ok(d) => Some(d),
            Err(text) => return draw_task(&state, &ctx, id, Some((f, text)), None).await,
        }
    };
    let update =
        TaskUpdate { status, done_on, reason: Some(f.reason.clone()), note: Some(f.note.clone()), file_id: None, version: f.version };
    match state.store.update_plan_task(&ctx.audit(), id, update, parindex_core::assessment::today_vn()).await {
        Ok(_) => Ok(Redirect::to(&format!("/ke-hoach/nhiem-vu/{id}?ghi=1")).into_response()),
        Err(e) => match form_refusal(&ctx, e) {
            Ok(text) => draw_task(&state, &ctx, id, Some((f, text)), None).await,
            Err(e) => Err(e),
        },
    }
}

/// The year's domains (the first period's framework of that year, its top-level nodes).
async fn domains_of(state: &AppState, year: i32) -> Result<Vec<(String, String)>, AppError> {
    match state.store.list_periods().await?.into_iter().find(|p| p.year == year) {
        Some(p) => Ok(state.store.period_framework(p.id).await?.nodes.iter().map(|n| (n.code.clone(), n.title.clone())).collect()),
        None => Ok(Vec::new()),
    }
}

/// The template of the plan's tasks (the office): drop-downs of the units and the domains.
async fn tasks_template(State(state): State<AppState>, ctx: Ctx, Query(y): Query<YearQuery>) -> Result<Response, AppError> {
    allowed(&ctx, manages(&ctx))?;
    let (year, _) = y.year();
    let units: Vec<(String, String)> = state
        .store
        .list_units(parindex_core::UnitScope::All, &Default::default())
        .await?
        .into_iter()
        .filter(|u| u.kind != "province" && u.active_to.is_none())
        .map(|u| (u.code, u.name))
        .collect();
    let bytes = parindex_reports::plan_tasks::write_template(year, &units, &domains_of(&state, year).await?)
        .map_err(|e| AppError::Internal(format!("xlsx: {e}")))?;
    Ok(crate::chrome::download(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &format!("nhiem-vu-ke-hoach-{year}.xlsx"),
    ))
}

/// The office imports the plan's tasks from a file: read whole, checked whole (every problem
/// named at the form), written in one transaction — or, with "check only", nothing written and
/// what it would do said.
async fn import_tasks(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(y): Query<YearQuery>,
    mut mp: Multipart,
) -> Result<Response, AppError> {
    allowed(&ctx, manages(&ctx))?;
    let (year, q) = y.year();
    let mut file: Option<(String, Vec<u8>)> = None;
    let mut dry_run = false;
    let limit = state.config.max_upload_bytes;
    while let Some(mut field) = mp.next_field().await.map_err(crate::pages::evidence::multipart_error)? {
        match field.name() {
            Some("file") => file = Some(crate::pages::evidence::file_field(&mut field, "nhiem-vu.xlsx", limit).await?),
            Some("dry_run") => dry_run = true,
            _ => {}
        }
    }
    let say = |rows: &[parindex_core::unit::RowError]| {
        rows.iter().map(|r| r.message.get(ctx.lang.code()).to_string()).collect::<Vec<_>>().join(" ")
    };
    let refused = |text: String| Drawn { import: Some((text, false)), ..Default::default() };
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        let text =
            Msg::new("Hãy chọn tệp nhiệm vụ (XLSX hoặc CSV).", "Choose the tasks file (XLSX or CSV).").get(ctx.lang.code()).to_string();
        return draw(&state, &ctx, &q, refused(text)).await;
    };
    let (rows, mut errors) = match parindex_reports::plan_tasks::read_tasks(&name, &bytes) {
        Ok(read) => read,
        Err(errors) => return draw(&state, &ctx, &q, refused(say(&errors))).await,
    };
    let tasks: Vec<NewTask> = rows
        .into_iter()
        .map(|t| NewTask {
            row: t.row,
            code: t.code,
            title: t.title,
            domain: t.domain,
            owner: t.owner,
            co_units: t.co_units,
            deadline: t.deadline,
            output: t.output,
        })
        .collect();
    if !errors.is_empty() {
        // the rows that read are checked too, so that every problem shows at once
        if !tasks.is_empty()
            && let Err(parindex_store::repo::units::ImportError::Rows(more)) =
                state.store.import_plan_tasks(&ctx.audit(), year, tasks, true).await
        {
            errors.extend(more);
        }
        errors.sort_by_key(|e| e.row);
        return draw(&state, &ctx, &q, refused(say(&errors))).await;
    }
    match state.store.import_plan_tasks(&ctx.audit(), year, tasks, dry_run).await {
        Ok(o) => {
            let text = Msg::new(
                format!(
                    "Tệp “{name}”: {} nhiệm vụ thêm mới, {} thay đổi, {} không đổi{}.",
                    o.added,
                    o.changed,
                    o.unchanged,
                    if dry_run { " — mới kiểm tra, chưa ghi gì" } else { "" }
                ),
                format!(
                    "“{name}”: {} tasks added, {} changed, {} unchanged{}.",
                    o.added,
                    o.changed,
                    o.unchanged,
                    if dry_run { " — checked only, nothing written" } else { "" }
                ),
            );
            draw(&state, &ctx, &q, Drawn { import: Some((text.get(ctx.lang.code()).to_string(), true)), ..Default::default() }).await
        }
        Err(parindex_store::repo::units::ImportError::Rows(rows)) => draw(&state, &ctx, &q, refused(say(&rows))).await,
        Err(parindex_store::repo::units::ImportError::Store(e)) => match form_refusal(&ctx, e) {
            Ok(text) => draw(&state, &ctx, &q, refused(text)).await,
            Err(e) => Err(e),
        },
    }
}

/// Take one uploaded file into a unit's library (the form's `file` field) and the other fields.
async fn take_file(
    state: &AppState,
    ctx: &Ctx,
    unit_id: i64,
    mp: &mut Multipart,
) -> Result<(Result<Option<i64>, String>, std::collections::HashMap<String, String>), AppError> {
    let mut fields = std::collections::HashMap::new();
    let mut file = Ok(None);
    while let Some(mut field) = mp.next_field().await.map_err(crate::pages::evidence::multipart_error)? {
        if field.name() == Some("file") {
            file = match crate::pages::evidence::take_upload(state, ctx, unit_id, &mut field).await? {
                crate::pages::evidence::Upload::None => Ok(None),
                crate::pages::evidence::Upload::Kept(f) => Ok(Some(f.id)),
                crate::pages::evidence::Upload::Refused(text) | crate::pages::evidence::Upload::TooLarge(text) => Err(text),
            };
        } else if let Some(name) = field.name().map(str::to_string) {
            fields.insert(name, field.text().await.unwrap_or_default());
        }
    }
    Ok((file, fields))
}

/// The owner attaches a result file to a task (kept in the unit's evidence library), with a
/// progress note; the task's status is unchanged.
async fn attach_to_task(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>, mut mp: Multipart) -> Result<Response, AppError> {
    let (task, _) = readable_task(&state, &ctx, id).await?;
    if !reports_for(&ctx, task.owner_unit_id) {
        return Err(AppError::Forbidden);
    }
    let (file, fields) = take_file(&state, &ctx, task.owner_unit_id, &mut mp).await?;
    let kept = |text: String| {
        Some((
            ReportForm {
                note: fields.get("note").cloned().unwrap_or_default(),
                version: task.version,
                status: task.status.key().into(),
                ..Default::default()
            },
            text,
        ))
    };
    let file_id = match file {
        Ok(Some(f)) => f,
        Ok(None) => return draw_task(&state, &ctx, id, kept(ctx.t("kh.choose_file").to_string()), None).await,
        Err(text) => return draw_task(&state, &ctx, id, kept(text), None).await,
    };
    let note =
        fields.get("note").map(|n| n.trim().to_string()).filter(|n| !n.is_empty()).unwrap_or_else(|| ctx.t("kh.file_attached").to_string());
    let update = TaskUpdate {
        status: task.status,
        done_on: task.done_on,
        reason: task.status_reason.clone(),
        note: Some(note),
        file_id: Some(file_id),
        version: 0,
    };
    match state.store.update_plan_task(&ctx.audit(), id, update, parindex_core::assessment::today_vn()).await {
        Ok(_) => Ok(Redirect::to(&format!("/ke-hoach/nhiem-vu/{id}?ghi=1#kh-notes")).into_response()),
        Err(e) => match form_refusal(&ctx, e) {
            Ok(text) => draw_task(&state, &ctx, id, kept(text), None).await,
            Err(e) => Err(e),
        },
    }
}

/// A note's file, to whoever reads the task.
async fn task_file(State(state): State<AppState>, ctx: Ctx, Path((id, note)): Path<(i64, i64)>) -> Result<Response, AppError> {
    let (_, notes) = readable_task(&state, &ctx, id).await?;
    let file_id = notes.iter().find(|n| n.id == note).and_then(|n| n.file_id).ok_or(AppError::NotFound)?;
    let file = state.store.get_evidence(file_id).await?;
    crate::pages::evidence::send_file(&state, &ctx, &file, false).await
}

/// A unit's staff (or the office) attach the signed plan to the unit's recorded plan.
async fn attach_to_plan(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(y): Query<YearQuery>,
    mut mp: Multipart,
) -> Result<Response, AppError> {
    allowed(&ctx, true)?;
    let unit_id = state.store.unit_id_by_code(&code).await?.ok_or(AppError::NotFound)?;
    allowed(&ctx, reports_for(&ctx, unit_id))?;
    let (year, q) = y.year();
    let (file, _) = take_file(&state, &ctx, unit_id, &mut mp).await?;
    let own = state.store.plans_of_year(year).await?.1.into_iter().find(|p| p.unit_code.as_deref() == Some(code.as_str()));
    let refuse = |text: String| Drawn { own: Some((PlanForm::default(), text)), ..Default::default() };
    let (Some(plan), Ok(Some(file_id))) = (own, file.clone()) else {
        let text = match file {
            Err(text) => text,
            _ => ctx.t("kh.plan_first").to_string(),
        };
        return draw(&state, &ctx, &q, refuse(text)).await;
    };
    let input =
        PlanInput { number: plan.number, signed_on: plan.signed_on, title: plan.title, unit_plans_due: None, file_id: Some(file_id) };
    match state.store.set_plan(&ctx.audit(), year, Some(unit_id), input).await {
        Ok(_) => Ok(Redirect::to(&format!("/ke-hoach?nam={year}&ghi=don-vi")).into_response()),
        Err(e) => match form_refusal(&ctx, e) {
            Ok(text) => draw(&state, &ctx, &q, refuse(text)).await,
            Err(e) => Err(e),
        },
    }
}

/// A unit's signed plan, to whoever reads the unit's plan.
async fn plan_file(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(y): Query<YearQuery>,
) -> Result<Response, AppError> {
    allowed(&ctx, true)?;
    let unit_id = state.store.unit_id_by_code(&code).await?.ok_or(AppError::NotFound)?;
    if !crate::app::plans::reads_unit(&ctx, unit_id) {
        return Err(AppError::NotFound);
    }
    let (year, _) = y.year();
    let plan = state.store.plans_of_year(year).await?.1.into_iter().find(|p| p.unit_code.as_deref() == Some(code.as_str()));
    let file = state.store.get_evidence(plan.and_then(|p| p.file_id).ok_or(AppError::NotFound)?).await?;
    crate::pages::evidence::send_file(&state, &ctx, &file, false).await
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/ke-hoach", get(list))
        .route("/ke-hoach/tinh", post(set_province))
        .route("/ke-hoach/don-vi/{code}", post(set_unit_plan))
        .route("/ke-hoach/nhiem-vu", post(add_task))
        .route("/ke-hoach/mau.xlsx", get(tasks_template))
        .route("/ke-hoach/nhap", post(import_tasks))
        .route("/ke-hoach/nhiem-vu/{id}/tep", post(attach_to_task))
        .route("/ke-hoach/nhiem-vu/{id}/tep/{note}", get(task_file))
        .route("/ke-hoach/don-vi/{code}/tep", get(plan_file).post(attach_to_plan))
        .route("/ke-hoach/nhiem-vu/{id}", get(task_page).post(report))
}
