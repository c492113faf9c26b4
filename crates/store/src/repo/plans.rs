//! The plans register (issue #19): the province's yearly reform plan (with the deadline of the
//! units' own plans), each unit's plan, and the province plan's tasks — each owned by one unit,
//! with co-operating units, a deadline, an expected output, the status its owner reports and
//! progress notes. Every write runs in one transaction with the fed criteria of its year
//! recomputed (`feed: plans.*`, `repo::feeds`); the measures are `core::plans`.
//!
//! Who may write what is the web layer's (`web::app::plans`): the office sets plans and tasks,
//! a unit records its own plan and reports on the tasks it owns.

use std::collections::{BTreeSet, HashMap};

use chrono::{Datelike, NaiveDate, Utc};
use parindex_core::Msg;
use parindex_core::framework::Feed;
use parindex_core::plans::{PlanFacts, TaskFacts, TaskStatus};
use parindex_core::unit::RowError;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Set, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::entity::{plan, plan_task, plan_task_note, plan_task_unit, unit};
use crate::repo::audit::{AuditEntry, record};
use crate::repo::units::ImportError;
use crate::{AuditCtx, Store, StoreError};

/// A yearly plan: the province's (`unit` none) or a unit's.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct PlanRow {
    pub id: i64,
    pub year: i32,
    pub unit_code: Option<String>,
    pub unit_name: Option<String>,
    pub number: String,
    pub signed_on: NaiveDate,
    pub title: String,
    /// The province's plan: the deadline of the units' plans.
    pub unit_plans_due: Option<NaiveDate>,
    pub file_id: Option<i64>,
    pub updated_by: String,
    pub updated_at: chrono::DateTime<Utc>,
}

/// A plan as written (the province's or a unit's).
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct PlanInput {
    /// The decision's number, e.g. `25/KH-UBND`.
    pub number: String,
    pub signed_on: NaiveDate,
    pub title: String,
    /// The province's plan only: by when units issue their own.
    #[serde(default)]
    pub unit_plans_due: Option<NaiveDate>,
    /// The signed plan, a file of the unit's evidence library.
    #[serde(default)]
    pub file_id: Option<i64>,
}

/// A task of the province's plan.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct TaskRow {
    pub id: i64,
    pub year: i32,
    pub code: String,
    pub title: String,
    pub domain: Option<String>,
    pub owner_unit_id: i64,
    pub owner_code: String,
    pub owner_name: String,
    /// Co-operating units (code, name).
    pub co_units: Vec<(String, String)>,
    pub deadline: NaiveDate,
    pub output: Option<String>,
    pub status: TaskStatus,
    pub status_reason: Option<String>,
    pub done_on: Option<NaiveDate>,
    pub version: i32,
    pub updated_by: String,
    pub updated_at: chrono::DateTime<Utc>,
}

impl TaskRow {
    pub fn facts(&self) -> TaskFacts {
        TaskFacts { deadline: self.deadline, status: self.status, done_on: self.done_on }
    }
}

/// A progress note on a task.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct NoteRow {
    pub id: i64,
    pub text: String,
    pub file_id: Option<i64>,
    pub created_by: String,
    pub created_at: chrono::DateTime<Utc>,
}

/// A task to import or add: `row` numbers it in its file (1 for a form).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct NewTask {
    #[serde(default)]
    pub row: usize,
    /// The task's number in the plan, e.g. `1.3` (unique in the year).
    pub code: String,
    pub title: String,
    /// The framework domain it serves (its code).
    #[serde(default)]
    pub domain: Option<String>,
    /// The owner unit's code.
    pub owner: String,
    /// Co-operating units' codes.
    #[serde(default)]
    pub co_units: Vec<String>,
    pub deadline: NaiveDate,
    #[serde(default)]
    pub output: Option<String>,
}

/// What an import of tasks did (or, with a dry run, would do).
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct TaskImportOutcome {
    pub added: usize,
    pub changed: usize,
    pub unchanged: usize,
    /// Fed leaves rewritten.
    pub leaves_written: usize,
}

/// The owner's report on a task: its status (done with the day, dropped with the reason), a
/// progress note with an optional file, against the version the form was drawn with.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct TaskUpdate {
    pub status: TaskStatus,
    #[serde(default)]
    pub done_on: Option<NaiveDate>,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub file_id: Option<i64>,
    /// The version the form was drawn with (0: do not check).
    #[serde(default)]
    pub version: i32,
}

/// Which tasks to list.
#[derive(Debug, Clone, Default)]
pub struct TaskFilter {
    pub year: i32,
    /// Tasks this unit owns or co-operates on.
    pub unit_id: Option<i64>,
    pub status: Option<TaskStatus>,
    /// Only tasks overdue on this day.
    pub overdue_on: Option<NaiveDate>,
}

fn err(row: usize, field: &str, vi: String, en: String) -> RowError {
    RowError { row, field: field.into(), message: Msg::new(vi, en) }
}

fn plan_row(m: &plan::Model, units: &HashMap<i64, (String, String)>) -> PlanRow {
    let u = m.unit_id.and_then(|id| units.get(&id));
    PlanRow {
        id: m.id,
        year: m.year,
        unit_code: u.map(|u| u.0.clone()),
        unit_name: u.map(|u| u.1.clone()),
        number: m.number.clone(),
        signed_on: m.signed_on,
        title: m.title.clone(),
        unit_plans_due: m.unit_plans_due,
        file_id: m.file_id,
        updated_by: m.updated_by.clone(),
        updated_at: m.updated_at,
    }
}

async fn unit_names<C: ConnectionTrait>(c: &C) -> Result<HashMap<i64, (String, String)>, StoreError> {
    Ok(unit::Entity::find().all(c).await?.into_iter().map(|u| (u.id, (u.code, u.name))).collect())
}

/// What the measures read of a year: the units' plans against the deadline (none when the
/// province has no plan that year: the register holds nothing), and each owner's tasks due
/// that year.
pub(crate) struct YearFacts {
    pub due: Option<NaiveDate>,
    pub province_plan: bool,
    pub plans: HashMap<i64, NaiveDate>,
    pub tasks: HashMap<i64, Vec<TaskFacts>>,
}

impl YearFacts {
    pub fn plan(&self, unit_id: i64) -> PlanFacts {
        PlanFacts { due: self.due, signed_on: self.plans.get(&unit_id).copied() }
    }
}

pub(crate) async fn facts_of_year<C: ConnectionTrait>(c: &C, year: i32) -> Result<YearFacts, StoreError> {
    let plans = plan::Entity::find().filter(plan::Column::Year.eq(year)).all(c).await?;
    let province = plans.iter().find(|p| p.unit_id.is_none());
    let mut tasks: HashMap<i64, Vec<TaskFacts>> = HashMap::new();
    for t in plan_task::Entity::find().filter(plan_task::Column::Year.eq(year)).all(c).await? {
        let status = TaskStatus::parse(&t.status).unwrap_or(TaskStatus::NotStarted);
        tasks.entry(t.owner_unit_id).or_default().push(TaskFacts { deadline: t.deadline, status, done_on: t.done_on });
    }
    Ok(YearFacts {
        due: province.and_then(|p| p.unit_plans_due),
        province_plan: province.is_some(),
        plans: plans.iter().filter_map(|p| p.unit_id.map(|u| (u, p.signed_on))).collect(),
        tasks,
    })
}

/// Recompute the plans' fed leaves of `year` inside a write's transaction.
async fn recompute_year(
    txn: &sea_orm::DatabaseTransaction,
    ctx: &AuditCtx,
    fed: &[crate::repo::feeds::FedPeriod],
) -> Result<usize, StoreError> {
    crate::repo::feeds::recompute_register(txn, ctx, fed, |f| matches!(f, Feed::Plans(_))).await
}

fn checked_text(field: &'static str, s: &str, max: usize, vi: &str, en: &str) -> Result<String, StoreError> {
    let t = s.trim();
    if t.is_empty() || t.chars().count() > max {
        return Err(StoreError::invalid(
            field,
            Msg::new(format!("{vi} (tối đa {max} ký tự)."), format!("{en} (at most {max} characters).")),
        ));
    }
    Ok(t.to_string())
}

impl Store {
    /// The province's plan of `year` and every unit's, with the units' names.
    pub async fn plans_of_year(&self, year: i32) -> Result<(Option<PlanRow>, Vec<PlanRow>), StoreError> {
        let units = unit_names(&self.db).await?;
        let all = plan::Entity::find().filter(plan::Column::Year.eq(year)).all(&self.db).await?;
        let province = all.iter().find(|p| p.unit_id.is_none()).map(|p| plan_row(p, &units));
        let mut own: Vec<PlanRow> = all.iter().filter(|p| p.unit_id.is_some()).map(|p| plan_row(p, &units)).collect();
        own.sort_by(|a, b| a.unit_code.cmp(&b.unit_code));
        Ok((province, own))
    }

    /// Set the province's plan of `year` (or a unit's, `unit_id`): a new one or a correction of
    /// it (one per unit and year), audited, with the year's fed criteria recomputed.
    pub async fn set_plan(&self, ctx: &AuditCtx, year: i32, unit_id: Option<i64>, input: PlanInput) -> Result<PlanRow, StoreError> {
        let number = checked_text("number", &input.number, 64, "Ghi số văn bản của kế hoạch", "Write the plan's document number")?;
        let title = checked_text("title", &input.title, 500, "Ghi tên kế hoạch", "Write the plan's title")?;
        if input.signed_on.year() != year && input.signed_on.year() != year - 1 {
            return Err(StoreError::invalid(
                "signed_on",
                Msg::new(
                    format!("Kế hoạch năm {year} được ký trong năm {} hoặc {year}.", year - 1),
                    format!("A plan for {year} is signed in {} or {year}.", year - 1),
                ),
            ));
        }
        if let Some(id) = unit_id {
            unit::Entity::find_by_id(id).one(&self.db).await?.ok_or(StoreError::NotFound)?;
        }
        if let Some(f) = input.file_id {
            let file = crate::entity::evidence_file::Entity::find_by_id(f).one(&self.db).await?;
            if file.is_none_or(|file| unit_id.is_some_and(|u| file.unit_id != u)) {
                return Err(StoreError::invalid(
                    "file_id",
                    Msg::new(
                        "Tệp kế hoạch phải có trong thư viện tài liệu của đơn vị.",
                        "The plan's file must be in the unit's evidence library.",
                    ),
                ));
            }
        }
        let years = BTreeSet::from([year]);
        let fed = self.periods_fed_by(&years, |f| matches!(f, Feed::Plans(_))).await?;
        let ctx = ctx.clone();
        let due = if unit_id.is_none() { input.unit_plans_due } else { None };
        let id = self
            .db
            .transaction::<_, i64, StoreError>(|txn| {
                Box::pin(async move {
                    let existing = plan::Entity::find()
                        .filter(plan::Column::Year.eq(year))
                        .filter(match unit_id {
                            Some(u) => plan::Column::UnitId.eq(u),
                            None => plan::Column::UnitId.is_null(),
                        })
                        .one(txn)
                        .await?;
                    let before = existing.as_ref().map(|p| json!({"number": p.number, "signed_on": p.signed_on, "due": p.unit_plans_due}));
                    let mut am = match existing {
                        Some(p) => p.into_active_model(),
                        None => plan::ActiveModel { year: Set(year), unit_id: Set(unit_id), ..Default::default() },
                    };
                    am.number = Set(number.clone());
                    am.signed_on = Set(input.signed_on);
                    am.title = Set(title.clone());
                    am.unit_plans_due = Set(due);
                    am.file_id = Set(input.file_id);
                    am.updated_by = Set(ctx.actor_name.clone());
                    am.updated_at = Set(Utc::now());
                    let saved = am.save(txn).await?;
                    let id = saved.id.clone().unwrap();
                    let written = recompute_year(txn, &ctx, &fed).await?;
                    record(
                        txn,
                        &ctx,
                        AuditEntry {
                            action: "plan.set",
                            object_type: "plan",
                            object_id: Some(id.to_string()),
                            before,
                            after: Some(json!({"year": year, "unit_id": unit_id, "number": number, "signed_on": input.signed_on, "due": due, "leaves_written": written})),
                            ..Default::default()
                        },
                    )
                    .await?;
                    Ok(id)
                })
            })
            .await?;
        let units = unit_names(&self.db).await?;
        let m = plan::Entity::find_by_id(id).one(&self.db).await?.ok_or(StoreError::NotFound)?;
        Ok(plan_row(&m, &units))
    }

    /// The tasks of a year, in their plan's order, as `filter` asks.
    pub async fn plan_tasks(&self, filter: &TaskFilter) -> Result<Vec<TaskRow>, StoreError> {
        let units = unit_names(&self.db).await?;
        let models = plan_task::Entity::find()
            .filter(plan_task::Column::Year.eq(filter.year))
            .order_by_asc(plan_task::Column::Id)
            .all(&self.db)
            .await?;
        let ids: Vec<i64> = models.iter().map(|m| m.id).collect();
        let mut co: HashMap<i64, Vec<i64>> = HashMap::new();
        for l in plan_task_unit::Entity::find().filter(plan_task_unit::Column::TaskId.is_in(ids)).all(&self.db).await? {
            co.entry(l.task_id).or_default().push(l.unit_id);
        }
        let mut out: Vec<TaskRow> =
            models.iter().map(|m| task_row(m, co.get(&m.id).map(Vec::as_slice).unwrap_or_default(), &units)).collect();
        out.retain(|t| {
            filter.unit_id.is_none_or(|u| t.owner_unit_id == u || co.get(&t.id).is_some_and(|c| c.contains(&u)))
                && filter.status.is_none_or(|s| t.status == s)
                && filter.overdue_on.is_none_or(|d| t.facts().overdue(d))
        });
        // the plan's order: by code as numbers read ("1.2" before "1.10")
        out.sort_by(|a, b| code_key(&a.code).cmp(&code_key(&b.code)).then(a.code.cmp(&b.code)));
        Ok(out)
    }

    /// One task with its notes (newest first).
    pub async fn plan_task(&self, id: i64) -> Result<(TaskRow, Vec<NoteRow>), StoreError> {
        let m = plan_task::Entity::find_by_id(id).one(&self.db).await?.ok_or(StoreError::NotFound)?;
        let units = unit_names(&self.db).await?;
        let co: Vec<i64> = plan_task_unit::Entity::find()
            .filter(plan_task_unit::Column::TaskId.eq(id))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|l| l.unit_id)
            .collect();
        let notes = plan_task_note::Entity::find()
            .filter(plan_task_note::Column::TaskId.eq(id))
            .order_by_desc(plan_task_note::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|n| NoteRow { id: n.id, text: n.text, file_id: n.file_id, created_by: n.created_by, created_at: n.created_at })
            .collect();
        Ok((task_row(&m, &co, &units), notes))
    }

    /// Add or change the tasks of `year`'s plan: every row checked first (its code once, a
    /// title, known owner and co-operating units, a deadline in the year), every problem at
    /// once, then written in one transaction (a task already in the plan keeps its status and
    /// notes; its other fields are replaced) with the year's fed criteria recomputed. With
    /// `dry_run`, nothing is written.
    pub async fn import_plan_tasks(
        &self,
        ctx: &AuditCtx,
        year: i32,
        rows: Vec<NewTask>,
        dry_run: bool,
    ) -> Result<TaskImportOutcome, ImportError> {
        if rows.is_empty() {
            return Err(ImportError::Rows(vec![err(1, "-", "Không có nhiệm vụ nào.".into(), "There are no tasks.".into())]));
        }
        let by_code: HashMap<String, i64> = unit::Entity::find().all(&self.db).await?.into_iter().map(|u| (u.code, u.id)).collect();
        let existing: HashMap<String, plan_task::Model> = plan_task::Entity::find()
            .filter(plan_task::Column::Year.eq(year))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|t| (t.code.clone(), t))
            .collect();
        let mut errors = Vec::new();
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut checked = Vec::new();
        for (i, r) in rows.iter().enumerate() {
            let row = if r.row == 0 { i + 1 } else { r.row };
            let code = r.code.trim().to_string();
            if code.is_empty() || code.chars().count() > 32 {
                errors.push(err(
                    row,
                    "code",
                    "Ghi số thứ tự nhiệm vụ (tối đa 32 ký tự), ví dụ 1.3.".into(),
                    "Write the task's number (at most 32 characters), e.g. 1.3.".into(),
                ));
            } else if let Some(first) = seen.insert(code.clone(), row) {
                errors.push(err(
                    row,
                    "code",
                    format!("Nhiệm vụ {code} đã có ở dòng {first}."),
                    format!("Task {code} is already on row {first}."),
                ));
            }
            let title = r.title.trim().to_string();
            if title.is_empty() || title.chars().count() > 1000 {
                errors.push(err(
                    row,
                    "title",
                    "Ghi tên nhiệm vụ (tối đa 1000 ký tự).".into(),
                    "Write the task (at most 1000 characters).".into(),
                ));
            }
            let owner = by_code.get(r.owner.trim()).copied();
            if owner.is_none() {
                errors.push(err(
                    row,
                    "owner",
                    format!("Không có đơn vị mã “{}”: ghi mã đơn vị chủ trì như trong danh mục đơn vị.", r.owner.trim()),
                    format!("No unit has the code “{}”: write the owner unit's code as in the unit registry.", r.owner.trim()),
                ));
            }
            let mut co = Vec::new();
            for c in r.co_units.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
                match by_code.get(c) {
                    Some(id) if Some(*id) != owner && !co.contains(id) => co.push(*id),
                    Some(_) => {}
                    None => errors.push(err(
                        row,
                        "co_units",
                        format!("Không có đơn vị phối hợp mã “{c}”."),
                        format!("No co-operating unit has the code “{c}”."),
                    )),
                }
            }
            if r.deadline.year() != year {
                errors.push(err(
                    row,
                    "deadline",
                    format!("Thời hạn {} không thuộc năm {year} của kế hoạch.", parindex_core::text::format_date(r.deadline)),
                    format!("The deadline {} is not in the plan's year {year}.", parindex_core::text::format_date(r.deadline)),
                ));
            }
            let domain = r.domain.as_ref().map(|d| d.trim().to_string()).filter(|d| !d.is_empty());
            let output = r.output.as_ref().map(|d| d.trim().to_string()).filter(|d| !d.is_empty());
            if let Some(owner) = owner {
                checked.push((code, title, domain, owner, co, r.deadline, output));
            }
        }
        if !errors.is_empty() {
            return Err(ImportError::Rows(errors));
        }
        let mut outcome = TaskImportOutcome::default();
        for (code, title, domain, owner, _, deadline, output) in &checked {
            match existing.get(code) {
                None => outcome.added += 1,
                Some(t)
                    if &t.title == title
                        && &t.domain == domain
                        && t.owner_unit_id == *owner
                        && t.deadline == *deadline
                        && &t.output == output =>
                {
                    outcome.unchanged += 1
                }
                Some(_) => outcome.changed += 1,
            }
        }
        if dry_run {
            return Ok(outcome);
        }
        let years = BTreeSet::from([year]);
        let fed = self.periods_fed_by(&years, |f| matches!(f, Feed::Plans(_))).await?;
        let ctx = ctx.clone();
        let written = self
            .db
            .transaction::<_, usize, StoreError>(|txn| {
                Box::pin(async move {
                    let now = Utc::now();
                    for (code, title, domain, owner, co, deadline, output) in checked {
                        let found = plan_task::Entity::find()
                            .filter(plan_task::Column::Year.eq(year))
                            .filter(plan_task::Column::Code.eq(code.as_str()))
                            .one(txn)
                            .await?;
                        let mut am = match found {
                            Some(t) => {
                                let version = t.version + 1;
                                let mut am = t.into_active_model();
                                am.version = Set(version);
                                am
                            }
                            None => plan_task::ActiveModel {
                                year: Set(year),
                                code: Set(code.clone()),
                                status: Set(TaskStatus::NotStarted.key().into()),
                                version: Set(1),
                                ..Default::default()
                            },
                        };
                        am.title = Set(title);
                        am.domain = Set(domain);
                        am.owner_unit_id = Set(owner);
                        am.deadline = Set(deadline);
                        am.output = Set(output);
                        am.updated_by = Set(ctx.actor_name.clone());
                        am.updated_at = Set(now);
                        let saved = am.save(txn).await?;
                        let id = saved.id.clone().unwrap();
                        plan_task_unit::Entity::delete_many().filter(plan_task_unit::Column::TaskId.eq(id)).exec(txn).await?;
                        for u in co {
                            plan_task_unit::ActiveModel { task_id: Set(id), unit_id: Set(u) }.insert(txn).await?;
                        }
                    }
                    let written = recompute_year(txn, &ctx, &fed).await?;
                    record(
                        txn,
                        &ctx,
                        AuditEntry {
                            action: "plan.tasks",
                            object_type: "plan",
                            object_id: Some(year.to_string()),
                            after: Some(
                                json!({"year": year, "added": outcome.added, "changed": outcome.changed, "leaves_written": written}),
                            ),
                            ..Default::default()
                        },
                    )
                    .await?;
                    Ok(written)
                })
            })
            .await
            .map_err(StoreError::from)?;
        Ok(TaskImportOutcome { leaves_written: written, ..outcome })
    }

    /// The owner's report on a task (status, progress note): refused when somebody changed the
    /// task since the form was drawn, when a done task has no day (or one after `today`), or a
    /// dropped task no reason. Audited, with the year's fed criteria recomputed.
    pub async fn update_plan_task(&self, ctx: &AuditCtx, id: i64, u: TaskUpdate, today: NaiveDate) -> Result<TaskRow, StoreError> {
        let (task, _) = self.plan_task(id).await?;
        let mut errors = Vec::new();
        let push = |errors: &mut Vec<parindex_core::unit::FieldError>, field: &'static str, vi: String, en: String| {
            errors.push(parindex_core::unit::FieldError { field, message: Msg::new(vi, en) })
        };
        if u.version != 0 && u.version != task.version {
            return Err(StoreError::Conflict(Msg::new(
                format!("Nhiệm vụ {} vừa được {} cập nhật; hãy tải lại trang để xem trước khi lưu.", task.code, task.updated_by),
                format!("Task {} was just updated by {}; reload the page to see it before saving.", task.code, task.updated_by),
            )));
        }
        let done_on = match (u.status, u.done_on) {
            (TaskStatus::Done, None) => {
                push(&mut errors, "done_on", "Ghi ngày hoàn thành (dd/mm/yyyy).".into(), "Write the day it was done (dd/mm/yyyy).".into());
                None
            }
            (TaskStatus::Done, Some(d)) if d > today => {
                push(
                    &mut errors,
                    "done_on",
                    format!("Ngày hoàn thành {} chưa đến.", parindex_core::text::format_date(d)),
                    format!("The day {} is in the future.", parindex_core::text::format_date(d)),
                );
                None
            }
            (TaskStatus::Done, d) => d,
            _ => None,
        };
        let reason = u.reason.as_ref().map(|r| r.trim().to_string()).filter(|r| !r.is_empty());
        if u.status == TaskStatus::Dropped && reason.is_none() {
            push(&mut errors, "reason", "Ghi lý do không thực hiện nhiệm vụ.".into(), "Write why the task is dropped.".into());
        }
        let note = u.note.as_ref().map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
        if note.as_ref().is_some_and(|n| n.chars().count() > 4000) {
            push(&mut errors, "note", "Ghi chú tối đa 4000 ký tự.".into(), "A note has at most 4000 characters.".into());
        }
        if let Some(f) = u.file_id {
            let file = crate::entity::evidence_file::Entity::find_by_id(f).one(&self.db).await?;
            if file.is_none_or(|file| file.unit_id != task.owner_unit_id) {
                push(
                    &mut errors,
                    "file_id",
                    "Tệp phải có trong thư viện tài liệu của đơn vị chủ trì.".into(),
                    "The file must be in the owner unit's evidence library.".into(),
                );
            }
        }
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let years = BTreeSet::from([task.year]);
        let fed = self.periods_fed_by(&years, |f| matches!(f, Feed::Plans(_))).await?;
        let ctx = ctx.clone();
        let version = task.version;
        self.db
            .transaction::<_, (), StoreError>(|txn| {
                Box::pin(async move {
                    let t = plan_task::Entity::find_by_id(id).one(txn).await?.ok_or(StoreError::NotFound)?;
                    if t.version != version {
                        return Err(StoreError::Conflict(Msg::new(
                            "Nhiệm vụ vừa được cập nhật; hãy tải lại trang.",
                            "The task was just updated; reload the page.",
                        )));
                    }
                    let before = json!({"status": t.status, "done_on": t.done_on, "reason": t.status_reason});
                    let mut am = t.into_active_model();
                    am.status = Set(u.status.key().to_string());
                    am.done_on = Set(done_on);
                    am.status_reason = Set(if u.status == TaskStatus::Dropped { reason.clone() } else { None });
                    am.version = Set(version + 1);
                    am.updated_by = Set(ctx.actor_name.clone());
                    am.updated_at = Set(Utc::now());
                    am.update(txn).await?;
                    if note.is_some() || u.file_id.is_some() {
                        plan_task_note::ActiveModel {
                            task_id: Set(id),
                            text: Set(note.clone().unwrap_or_default()),
                            file_id: Set(u.file_id),
                            created_by: Set(ctx.actor_name.clone()),
                            created_at: Set(Utc::now()),
                            ..Default::default()
                        }
                        .insert(txn)
                        .await?;
                    }
                    let written = recompute_year(txn, &ctx, &fed).await?;
                    record(
                        txn,
                        &ctx,
                        AuditEntry {
                            action: "plan.task",
                            object_type: "plan_task",
                            object_id: Some(id.to_string()),
                            before: Some(before),
                            after: Some(json!({"status": u.status.key(), "done_on": done_on, "reason": reason, "note": note, "leaves_written": written})),
                            ..Default::default()
                        },
                    )
                    .await
                })
            })
            .await?;
        Ok(self.plan_task(id).await?.0)
    }

    /// Of `units`, those whose plan of `year` is missing or late against the province's
    /// deadline (for dashboards and reminders): (unit id, the day its plan was signed).
    pub async fn late_unit_plans(&self, year: i32, units: &[i64]) -> Result<Vec<(i64, Option<NaiveDate>)>, StoreError> {
        let facts = facts_of_year(&self.db, year).await?;
        Ok(units.iter().filter(|u| !facts.plan(**u).on_time()).map(|u| (*u, facts.plans.get(u).copied())).collect())
    }
}

fn task_row(m: &plan_task::Model, co: &[i64], units: &HashMap<i64, (String, String)>) -> TaskRow {
    let (owner_code, owner_name) = units.get(&m.owner_unit_id).cloned().unwrap_or_default();
    TaskRow {
        id: m.id,
        year: m.year,
        code: m.code.clone(),
        title: m.title.clone(),
        domain: m.domain.clone(),
        owner_unit_id: m.owner_unit_id,
        owner_code,
        owner_name,
        co_units: co.iter().filter_map(|u| units.get(u).cloned()).collect(),
        deadline: m.deadline,
        output: m.output.clone(),
        status: TaskStatus::parse(&m.status).unwrap_or(TaskStatus::NotStarted),
        status_reason: m.status_reason.clone(),
        done_on: m.done_on,
        version: m.version,
        updated_by: m.updated_by.clone(),
        updated_at: m.updated_at,
    }
}

/// "1.10" → [1, 10]: tasks sort as their numbers read.
fn code_key(code: &str) -> Vec<u64> {
    code.split(['.', '-', ' ']).map(|p| p.parse().unwrap_or(u64::MAX)).collect()
}
