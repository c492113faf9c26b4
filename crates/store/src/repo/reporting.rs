//! Periodic reports (issue #19): report forms (data, by code), reporting rounds (a copy of the
//! form taken when the round opens, the unit kinds asked, the deadline) and each unit's report
//! of a round — draft, submitted, returned with a reason, accepted. Every write that moves what
//! the measures read (a round opened, a report submitted, returned or accepted) runs in one
//! transaction with the year's `feed: reports.*` leaves recomputed (`repo::feeds`); the form
//! model, checks, consolidation and measures are `core::reporting`.
//!
//! Who may do what is the web layer's (`web::app::reporting`): the office sets forms, opens,
//! closes and decides; a unit's staff write its report, its leader submits it.

use std::collections::{BTreeSet, HashMap};

use chrono::{NaiveDate, Utc};
use parindex_core::Msg;
use parindex_core::framework::Feed;
use parindex_core::reporting::{Consolidated, Content, Form, ReportFacts, ReportStatus, RoundKind};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Set, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::entity::{report_form, report_round, report_submission, unit};
use crate::repo::audit::{AuditEntry, record};
use crate::{AuditCtx, Store, StoreError};

/// A stored report form.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct FormRow {
    pub code: String,
    pub title: String,
    pub form: Form,
    pub updated_by: String,
    pub updated_at: chrono::DateTime<Utc>,
}

/// A reporting round.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct RoundRow {
    pub id: i64,
    pub year: i32,
    pub kind: RoundKind,
    /// "Quý III năm 2026".
    pub label: String,
    pub form: Form,
    /// The unit kinds asked (`agency`, `commune`, …).
    pub targets: Vec<String>,
    pub deadline: NaiveDate,
    /// The months of `year` its figures cover (`[from, to]`); none on ad hoc rounds.
    pub months: Option<[u32; 2]>,
    /// Closed by the office: nothing more is written to it.
    pub closed: bool,
    pub created_by: String,
    pub created_at: chrono::DateTime<Utc>,
}

/// A round to open.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct RoundInput {
    pub year: i32,
    pub kind: RoundKind,
    pub label: String,
    /// A stored form's code.
    pub form_code: String,
    pub targets: Vec<String>,
    pub deadline: NaiveDate,
    /// The months of `year` its figures cover, `[from, to]` (1–12); left out, the kind's usual
    /// months are not guessed: cells fed by a register are then not filled.
    #[serde(default)]
    pub months: Option<[u32; 2]>,
}

/// Cells a register fills in a unit's report (see [`Store::report_register_fill`]).
#[derive(Debug, Clone, Default)]
pub struct RegisterFill {
    /// `c.section.row.col` → the value.
    pub raw: HashMap<String, String>,
    /// How many months of the round have figures in the register, and the round's months.
    pub months: usize,
    pub from: u32,
    pub to: u32,
}

/// A unit's report of a round (a unit asked that has written nothing has none).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct ReportRow {
    pub round_id: i64,
    pub unit_id: i64,
    pub status: ReportStatus,
    pub content: Content,
    /// The signed report, a file of the unit's evidence library.
    pub file_id: Option<i64>,
    pub first_submitted_at: Option<chrono::DateTime<Utc>>,
    pub submitted_at: Option<chrono::DateTime<Utc>>,
    pub submitted_by: Option<String>,
    pub returned_reason: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<chrono::DateTime<Utc>>,
    pub version: i32,
    pub updated_by: String,
    pub updated_at: chrono::DateTime<Utc>,
}

/// A unit asked by a round, and its report.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct RoundUnit {
    pub unit_id: i64,
    pub code: String,
    pub name: String,
    pub status: ReportStatus,
    /// First submitted by the deadline.
    pub on_time: bool,
    pub report: Option<ReportRow>,
}

fn day_vn(t: chrono::DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&parindex_core::text::vn_offset()).date_naive()
}

impl ReportRow {
    pub fn facts(&self, deadline: NaiveDate) -> ReportFacts {
        ReportFacts { deadline, status: self.status, first_submitted_on: self.first_submitted_at.map(day_vn) }
    }
}

fn form_of(text: &str) -> Result<Form, StoreError> {
    serde_json::from_str(text).map_err(|e| {
        StoreError::Unsupported(Msg::new(
            format!("Mẫu biểu đã lưu không đọc được: {e}"),
            format!("A stored report form does not read: {e}"),
        ))
    })
}

fn round_row(m: &report_round::Model) -> Result<RoundRow, StoreError> {
    Ok(RoundRow {
        id: m.id,
        year: m.year,
        kind: RoundKind::parse(&m.kind).unwrap_or(RoundKind::AdHoc),
        label: m.label.clone(),
        form: form_of(&m.definition)?,
        targets: m.targets.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect(),
        deadline: m.deadline,
        months: m.month_from.zip(m.month_to).map(|(a, b)| [a as u32, b as u32]),
        closed: m.closed,
        created_by: m.created_by.clone(),
        created_at: m.created_at,
    })
}

fn report_row(m: &report_submission::Model) -> ReportRow {
    ReportRow {
        round_id: m.round_id,
        unit_id: m.unit_id,
        status: ReportStatus::parse(&m.status).unwrap_or(ReportStatus::Draft),
        content: serde_json::from_str(&m.content).unwrap_or_default(),
        file_id: m.file_id,
        first_submitted_at: m.first_submitted_at,
        submitted_at: m.submitted_at,
        submitted_by: m.submitted_by.clone(),
        returned_reason: m.returned_reason.clone(),
        decided_by: m.decided_by.clone(),
        decided_at: m.decided_at,
        version: m.version,
        updated_by: m.updated_by.clone(),
        updated_at: m.updated_at,
    }
}

/// The units a round asks: active units of its kinds (by the deadline), by code.
async fn asked<C: ConnectionTrait>(c: &C, targets: &[String], deadline: NaiveDate) -> Result<Vec<unit::Model>, StoreError> {
    let mut units: Vec<unit::Model> = unit::Entity::find()
        .filter(unit::Column::Kind.is_in(targets.iter().cloned()))
        .all(c)
        .await?
        .into_iter()
        .filter(|u| u.active_to.is_none_or(|d| d >= deadline) && u.active_from.is_none_or(|d| d <= deadline))
        .collect();
    units.sort_by(|a, b| a.code.cmp(&b.code));
    Ok(units)
}

/// What the measures read of a year: each asked unit's report facts, one per round.
/// The facts the `reports.*` measures read: each unit's reports of the year's rounds whose
/// deadline has passed (a round still running counts for no one yet — neither a report sent
/// early nor one not sent; the day after its deadline, [`Store::recompute_reports_after_deadlines`]
/// brings it in).
pub(crate) async fn facts_of_year<C: ConnectionTrait>(c: &C, year: i32) -> Result<HashMap<i64, Vec<ReportFacts>>, StoreError> {
    let mut out: HashMap<i64, Vec<ReportFacts>> = HashMap::new();
    let today = parindex_core::assessment::today_vn();
    for r in report_round::Entity::find()
        .filter(report_round::Column::Year.eq(year))
        .filter(report_round::Column::Deadline.lt(today))
        .all(c)
        .await?
    {
        let targets: Vec<String> = r.targets.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect();
        let reports: HashMap<i64, ReportRow> = report_submission::Entity::find()
            .filter(report_submission::Column::RoundId.eq(r.id))
            .all(c)
            .await?
            .iter()
            .map(|m| (m.unit_id, report_row(m)))
            .collect();
        for u in asked(c, &targets, r.deadline).await? {
            let facts = match reports.get(&u.id) {
                Some(rep) => rep.facts(r.deadline),
                None => ReportFacts { deadline: r.deadline, status: ReportStatus::Missing, first_submitted_on: None },
            };
            out.entry(u.id).or_default().push(facts);
        }
    }
    Ok(out)
}

async fn recompute_year(
    txn: &sea_orm::DatabaseTransaction,
    ctx: &AuditCtx,
    fed: &[crate::repo::feeds::FedPeriod],
) -> Result<usize, StoreError> {
    crate::repo::feeds::recompute_register(txn, ctx, fed, |f| matches!(f, Feed::Reports(_))).await
}

fn invalid(field: &'static str, vi: impl Into<String>, en: impl Into<String>) -> StoreError {
    StoreError::invalid(field, Msg::new(vi, en))
}

/// What a unit does to its report, or the office to it.
#[derive(Debug, Clone)]
pub enum ReportAction {
    /// Save the content (and the signed file) as a draft.
    Save { content: Content, file_id: Option<i64> },
    /// Submit it (complete and passing every check; the signed file attached).
    Submit,
    /// The office returns it with the reason.
    Return { reason: String },
    /// The office accepts it.
    Accept,
}

impl ReportAction {
    fn key(&self) -> &'static str {
        match self {
            ReportAction::Save { .. } => "report.save",
            ReportAction::Submit => "report.submit",
            ReportAction::Return { .. } => "report.return",
            ReportAction::Accept => "report.accept",
        }
    }
}

impl Store {
    /// The stored report forms, by code.
    pub async fn report_forms(&self) -> Result<Vec<FormRow>, StoreError> {
        let mut out = Vec::new();
        for m in report_form::Entity::find().order_by_asc(report_form::Column::Code).all(&self.db).await? {
            out.push(FormRow {
                code: m.code,
                title: m.title,
                form: form_of(&m.definition)?,
                updated_by: m.updated_by,
                updated_at: m.updated_at,
            });
        }
        Ok(out)
    }

    /// Store a form (a new one, or a new definition of one by its code): checked whole; rounds
    /// already open keep their copy.
    pub async fn set_report_form(&self, ctx: &AuditCtx, form: Form) -> Result<FormRow, StoreError> {
        if let Some(p) = form.check().into_iter().next() {
            return Err(StoreError::invalid("definition", p.message));
        }
        let definition = serde_json::to_string(&form).map_err(|e| StoreError::Unsupported(Msg::new(e.to_string(), e.to_string())))?;
        let ctx = ctx.clone();
        let f = form.clone();
        self.db
            .transaction::<_, (), StoreError>(|txn| {
                Box::pin(async move {
                    let existing = report_form::Entity::find().filter(report_form::Column::Code.eq(&f.code)).one(txn).await?;
                    let mut am = match existing {
                        Some(m) => m.into_active_model(),
                        None => report_form::ActiveModel { code: Set(f.code.clone()), ..Default::default() },
                    };
                    am.title = Set(f.title.clone());
                    am.definition = Set(definition);
                    am.updated_by = Set(ctx.actor_name.clone());
                    am.updated_at = Set(Utc::now());
                    let saved = am.save(txn).await?;
                    record(
                        txn,
                        &ctx,
                        AuditEntry {
                            action: "report.form",
                            object_type: "report_form",
                            object_id: saved.id.clone().into_value().map(|v| v.to_string()),
                            after: Some(json!({"code": f.code, "sections": f.sections.len()})),
                            ..Default::default()
                        },
                    )
                    .await?;
                    Ok(())
                })
            })
            .await?;
        self.report_forms().await?.into_iter().find(|r| r.code == form.code).ok_or(StoreError::NotFound)
    }

    /// Open a round on a copy of a stored form, for the units of the kinds named, with the
    /// year's fed criteria recomputed (a new round is one more report due).
    pub async fn open_report_round(&self, ctx: &AuditCtx, input: RoundInput) -> Result<RoundRow, StoreError> {
        let label = input.label.trim().to_string();
        if label.is_empty() || label.chars().count() > 200 {
            return Err(invalid("label", "Ghi tên đợt báo cáo (tối đa 200 ký tự).", "Write the round's name (at most 200 characters)."));
        }
        if !(2000..=2100).contains(&input.year) {
            return Err(invalid("year", "Năm báo cáo không hợp lệ.", "The year is not valid."));
        }
        if let Some([a, b]) = input.months
            && !(1 <= a && a <= b && b <= 12)
        {
            return Err(invalid(
                "months",
                "Tháng đầu và tháng cuối kỳ báo cáo phải từ 1 đến 12, tháng đầu không sau tháng cuối.",
                "The round's first and last months are 1 to 12, the first not after the last.",
            ));
        }
        let known: Vec<String> = crate::entity::unit_kind::Entity::find().all(&self.db).await?.into_iter().map(|k| k.code).collect();
        let targets: BTreeSet<String> = input.targets.iter().map(|t| t.trim().to_string()).filter(|t| !t.is_empty()).collect();
        if targets.is_empty() || targets.iter().any(|t| !known.contains(t)) {
            return Err(invalid(
                "targets",
                format!("Chọn loại đơn vị phải báo cáo ({}).", known.join(", ")),
                format!("Choose the kinds of unit that report ({}).", known.join(", ")),
            ));
        }
        let form = report_form::Entity::find()
            .filter(report_form::Column::Code.eq(input.form_code.trim()))
            .one(&self.db)
            .await?
            .ok_or_else(|| {
                invalid("form_code", "Chưa có mẫu biểu này: hãy chọn một mẫu biểu đã lưu.", "There is no such form: choose a stored one.")
            })?;
        let fed = self.periods_fed_by(&BTreeSet::from([input.year]), |f| matches!(f, Feed::Reports(_))).await?;
        let ctx = ctx.clone();
        let targets = targets.into_iter().collect::<Vec<_>>().join(",");
        let id = self
            .db
            .transaction::<_, i64, StoreError>(|txn| {
                Box::pin(async move {
                    let saved = report_round::ActiveModel {
                        year: Set(input.year),
                        kind: Set(input.kind.key().into()),
                        label: Set(label.clone()),
                        form_code: Set(form.code.clone()),
                        definition: Set(form.definition.clone()),
                        targets: Set(targets.clone()),
                        deadline: Set(input.deadline),
                        month_from: Set(input.months.map(|m| m[0] as i32)),
                        month_to: Set(input.months.map(|m| m[1] as i32)),
                        closed: Set(false),
                        created_by: Set(ctx.actor_name.clone()),
                        created_at: Set(Utc::now()),
                        ..Default::default()
                    }
                    .insert(txn)
                    .await?;
                    let written = recompute_year(txn, &ctx, &fed).await?;
                    record(
                        txn,
                        &ctx,
                        AuditEntry {
                            action: "report.round",
                            object_type: "report_round",
                            object_id: Some(saved.id.to_string()),
                            after: Some(json!({"year": input.year, "label": label, "form": form.code, "targets": targets, "deadline": input.deadline, "months": input.months, "leaves_written": written})),
                            ..Default::default()
                        },
                    )
                    .await?;
                    Ok(saved.id)
                })
            })
            .await?;
        self.report_round(id).await
    }

    /// Close a round (nothing more is written to it) or open it again.
    pub async fn close_report_round(&self, ctx: &AuditCtx, id: i64, closed: bool) -> Result<RoundRow, StoreError> {
        let m = report_round::Entity::find_by_id(id).one(&self.db).await?.ok_or(StoreError::NotFound)?;
        let ctx = ctx.clone();
        self.db
            .transaction::<_, (), StoreError>(|txn| {
                Box::pin(async move {
                    let mut am = m.into_active_model();
                    am.closed = Set(closed);
                    am.update(txn).await?;
                    record(
                        txn,
                        &ctx,
                        AuditEntry {
                            action: if closed { "report.close" } else { "report.reopen" },
                            object_type: "report_round",
                            object_id: Some(id.to_string()),
                            ..Default::default()
                        },
                    )
                    .await?;
                    Ok(())
                })
            })
            .await?;
        self.report_round(id).await
    }

    pub async fn report_round(&self, id: i64) -> Result<RoundRow, StoreError> {
        round_row(&report_round::Entity::find_by_id(id).one(&self.db).await?.ok_or(StoreError::NotFound)?)
    }

    /// The rounds of a year, newest deadline first.
    pub async fn report_rounds(&self, year: i32) -> Result<Vec<RoundRow>, StoreError> {
        report_round::Entity::find()
            .filter(report_round::Column::Year.eq(year))
            .order_by_desc(report_round::Column::Deadline)
            .order_by_desc(report_round::Column::Id)
            .all(&self.db)
            .await?
            .iter()
            .map(round_row)
            .collect()
    }

    /// Every unit a round asks, with its report (by code).
    pub async fn round_units(&self, round: &RoundRow) -> Result<Vec<RoundUnit>, StoreError> {
        let mut reports: HashMap<i64, ReportRow> = report_submission::Entity::find()
            .filter(report_submission::Column::RoundId.eq(round.id))
            .all(&self.db)
            .await?
            .iter()
            .map(|m| (m.unit_id, report_row(m)))
            .collect();
        Ok(asked(&self.db, &round.targets, round.deadline)
            .await?
            .into_iter()
            .map(|u| {
                let report = reports.remove(&u.id);
                RoundUnit {
                    unit_id: u.id,
                    code: u.code,
                    name: u.name,
                    status: report.as_ref().map(|r| r.status).unwrap_or(ReportStatus::Missing),
                    on_time: report.as_ref().is_some_and(|r| r.facts(round.deadline).on_time()),
                    report,
                }
            })
            .collect())
    }

    /// The `feed: reports.*` leaves of the years whose rounds' deadlines passed in the last
    /// three days, recomputed (a round counts once its deadline has passed; nothing else writes
    /// on that day). Run by the daily reminders; unchanged leaves are not written again.
    pub async fn recompute_reports_after_deadlines(&self, today: NaiveDate) -> Result<usize, StoreError> {
        let years: BTreeSet<i32> = report_round::Entity::find()
            .filter(report_round::Column::Deadline.gte(today - chrono::Duration::days(3)))
            .filter(report_round::Column::Deadline.lt(today))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|r| r.year)
            .collect();
        if years.is_empty() {
            return Ok(0);
        }
        let fed = self.periods_fed_by(&years, |f| matches!(f, Feed::Reports(_))).await?;
        let ctx = AuditCtx::system("report-deadlines");
        Ok(self.db.transaction::<_, usize, StoreError>(|txn| Box::pin(async move { recompute_year(txn, &ctx, &fed).await })).await?)
    }

    /// The cells of the round's form filled from the one-stop register (`from_onestop`): the
    /// unit's counts over the round's months, as a page's raw fields. Empty when the round
    /// covers no months, the form asks for nothing from the register, or the register has no
    /// figures of the unit in those months (nothing is filled with zeros it does not know).
    pub async fn report_register_fill(&self, round: &RoundRow, unit_id: i64) -> Result<RegisterFill, StoreError> {
        let Some([from, to]) = round.months else { return Ok(RegisterFill::default()) };
        if round.form.sections.iter().all(|s| s.table.as_ref().is_none_or(|t| t.from_onestop.is_empty())) {
            return Ok(RegisterFill::default());
        }
        let mut counts = parindex_core::onestop::Counts::default();
        let mut months = 0;
        for s in self.onestop_sums(round.year, Some(unit_id), true).await? {
            if (from as i32..=to as i32).contains(&s.month) {
                counts.add(&s.counts);
                months += 1;
            }
        }
        if months == 0 {
            return Ok(RegisterFill::default());
        }
        Ok(RegisterFill { raw: round.form.fill_from_onestop(&counts), months, from, to })
    }

    /// A unit's report of a round (none: not written yet); `NotFound` when the round does not
    /// ask the unit.
    pub async fn unit_report(&self, round: &RoundRow, unit_id: i64) -> Result<Option<ReportRow>, StoreError> {
        if !asked(&self.db, &round.targets, round.deadline).await?.iter().any(|u| u.id == unit_id) {
            return Err(StoreError::NotFound);
        }
        Ok(report_submission::Entity::find()
            .filter(report_submission::Column::RoundId.eq(round.id))
            .filter(report_submission::Column::UnitId.eq(unit_id))
            .one(&self.db)
            .await?
            .as_ref()
            .map(report_row))
    }

    /// Write to a unit's report: save a draft, submit, return or accept — each allowed only
    /// from where the report stands, against the version the page was drawn with (0: do not
    /// check), the round open; a submission complete and passing every check of its form.
    /// Submissions and decisions recompute the year's fed criteria in the same transaction.
    pub async fn write_report(
        &self,
        ctx: &AuditCtx,
        round_id: i64,
        unit_id: i64,
        action: ReportAction,
        version: i32,
    ) -> Result<ReportRow, StoreError> {
        let round = self.report_round(round_id).await?;
        self.unit_report(&round, unit_id).await?;
        if round.closed {
            return Err(StoreError::Conflict(Msg::new(
                "Đợt báo cáo đã đóng: không ghi thêm được. Liên hệ Văn phòng nếu cần mở lại.",
                "The round is closed: nothing more is written to it. Ask the office to reopen it.",
            )));
        }
        let mut action = action;
        if let ReportAction::Save { content, file_id } = &mut action {
            // read again through the form: only its entered cells, each as its column says
            let (clean, problems) = round.form.read(&raw_of(content));
            if let Some(p) = problems.into_iter().next() {
                return Err(StoreError::invalid("content", p.message));
            }
            *content = clean;
            if let Some(f) = file_id {
                let file = crate::entity::evidence_file::Entity::find_by_id(*f).one(&self.db).await?;
                if file.is_none_or(|file| file.unit_id != unit_id) {
                    return Err(invalid(
                        "file_id",
                        "Tệp báo cáo có chữ ký phải có trong thư viện tài liệu của đơn vị.",
                        "The signed report must be a file of the unit's evidence library.",
                    ));
                }
            }
        }
        let moves_measures = !matches!(action, ReportAction::Save { .. });
        let fed = if moves_measures {
            self.periods_fed_by(&BTreeSet::from([round.year]), |f| matches!(f, Feed::Reports(_))).await?
        } else {
            Vec::new()
        };
        let ctx = ctx.clone();
        let form = round.form.clone();
        let id = self
            .db
            .transaction::<_, i64, StoreError>(|txn| {
                Box::pin(async move {
                    // closed meanwhile: checked again where it counts
                    if report_round::Entity::find_by_id(round_id).one(txn).await?.is_none_or(|r| r.closed) {
                        return Err(StoreError::Conflict(Msg::new(
                            "Đợt báo cáo vừa được đóng: không ghi thêm được.",
                            "The round was just closed: nothing more is written to it.",
                        )));
                    }
                    let existing = report_submission::Entity::find()
                        .filter(report_submission::Column::RoundId.eq(round_id))
                        .filter(report_submission::Column::UnitId.eq(unit_id))
                        .one(txn)
                        .await?;
                    let status = existing.as_ref().and_then(|m| ReportStatus::parse(&m.status)).unwrap_or(ReportStatus::Missing);
                    if version != 0 && existing.as_ref().is_some_and(|m| m.version != version) {
                        return Err(StoreError::Conflict(Msg::new(
                            "Báo cáo vừa được người khác thay đổi: hãy tải lại trang để xem bản mới nhất.",
                            "Someone changed the report meanwhile: reload the page to see the latest.",
                        )));
                    }
                    let refused = |vi: &str, en: &str| StoreError::Conflict(Msg::new(vi, en));
                    let now = Utc::now();
                    let before = existing.as_ref().map(|m| json!({"status": m.status, "version": m.version}));
                    let mut am = match existing {
                        Some(m) => m.into_active_model(),
                        None => report_submission::ActiveModel {
                            round_id: Set(round_id),
                            unit_id: Set(unit_id),
                            content: Set("{}".into()),
                            version: Set(0),
                            ..Default::default()
                        },
                    };
                    let version_now = match &am.version {
                        sea_orm::ActiveValue::Set(v) | sea_orm::ActiveValue::Unchanged(v) => *v,
                        _ => 0,
                    };
                    let content_now: Content = match &am.content {
                        sea_orm::ActiveValue::Set(v) | sea_orm::ActiveValue::Unchanged(v) => serde_json::from_str(v).unwrap_or_default(),
                        _ => Content::default(),
                    };
                    let file_now = match &am.file_id {
                        sea_orm::ActiveValue::Set(v) | sea_orm::ActiveValue::Unchanged(v) => *v,
                        _ => None,
                    };
                    let new_status = match &action {
                        ReportAction::Save { content, file_id } => {
                            if !status.editable() {
                                return Err(refused(
                                    "Báo cáo đã gửi: chỉ sửa được khi Văn phòng trả lại.",
                                    "The report was submitted: it changes only when the office returns it.",
                                ));
                            }
                            am.content = Set(serde_json::to_string(content)
                                .map_err(|e| StoreError::Unsupported(Msg::new(e.to_string(), e.to_string())))?);
                            if file_id.is_some() {
                                am.file_id = Set(*file_id);
                            }
                            if status == ReportStatus::Returned { ReportStatus::Returned } else { ReportStatus::Draft }
                        }
                        ReportAction::Submit => {
                            if !matches!(status, ReportStatus::Draft | ReportStatus::Returned) {
                                return Err(refused(
                                    "Chỉ gửi được báo cáo đang soạn hoặc bị trả lại.",
                                    "Only a draft or a returned report is submitted.",
                                ));
                            }
                            if let Some(p) = form.problems(&content_now, true).into_iter().next() {
                                return Err(StoreError::invalid("content", p.message));
                            }
                            if file_now.is_none() {
                                return Err(invalid(
                                    "file_id",
                                    "Hãy đính kèm báo cáo có chữ ký (bản quét) trước khi gửi.",
                                    "Attach the signed report (a scan) before submitting.",
                                ));
                            }
                            am.submitted_at = Set(Some(now));
                            am.submitted_by = Set(Some(ctx.actor_name.clone()));
                            if !matches!(am.first_submitted_at, sea_orm::ActiveValue::Unchanged(Some(_))) {
                                am.first_submitted_at = Set(Some(now));
                            }
                            ReportStatus::Submitted
                        }
                        ReportAction::Return { reason } => {
                            if status != ReportStatus::Submitted {
                                return Err(refused("Chỉ trả lại được báo cáo đã gửi.", "Only a submitted report is returned."));
                            }
                            let reason = reason.trim();
                            if reason.is_empty() || reason.chars().count() > 2000 {
                                return Err(invalid(
                                    "reason",
                                    "Ghi lý do trả lại để đơn vị biết phải sửa gì (tối đa 2000 ký tự).",
                                    "Write why it is returned, so the unit knows what to fix (at most 2000 characters).",
                                ));
                            }
                            am.returned_reason = Set(Some(reason.to_string()));
                            am.decided_by = Set(Some(ctx.actor_name.clone()));
                            am.decided_at = Set(Some(now));
                            ReportStatus::Returned
                        }
                        ReportAction::Accept => {
                            if status != ReportStatus::Submitted {
                                return Err(refused("Chỉ tiếp nhận được báo cáo đã gửi.", "Only a submitted report is accepted."));
                            }
                            am.decided_by = Set(Some(ctx.actor_name.clone()));
                            am.decided_at = Set(Some(now));
                            ReportStatus::Accepted
                        }
                    };
                    am.status = Set(new_status.key().into());
                    am.version = Set(version_now + 1);
                    am.updated_by = Set(ctx.actor_name.clone());
                    am.updated_at = Set(now);
                    let saved = am.save(txn).await?;
                    let id = saved.id.clone().unwrap();
                    let written = recompute_year(txn, &ctx, &fed).await?;
                    record(
                        txn,
                        &ctx,
                        AuditEntry {
                            action: action.key(),
                            object_type: "report",
                            object_id: Some(id.to_string()),
                            before,
                            after: Some(
                                json!({"round_id": round_id, "unit_id": unit_id, "status": new_status.key(), "leaves_written": written}),
                            ),
                            ..Default::default()
                        },
                    )
                    .await?;
                    Ok(id)
                })
            })
            .await?;
        let m = report_submission::Entity::find_by_id(id).one(&self.db).await?.ok_or(StoreError::NotFound)?;
        Ok(report_row(&m))
    }

    /// Sample data only (the demo, tests): date a report's submissions on `day` (09:00 Vietnam
    /// time), as if it had been sent then, with the year's fed criteria recomputed.
    pub async fn demo_backdate_report(&self, round_id: i64, unit_id: i64, day: NaiveDate) -> Result<(), StoreError> {
        let round = self.report_round(round_id).await?;
        let m = report_submission::Entity::find()
            .filter(report_submission::Column::RoundId.eq(round_id))
            .filter(report_submission::Column::UnitId.eq(unit_id))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        let at = day.and_hms_opt(2, 0, 0).map(|t| t.and_utc()).ok_or(StoreError::NotFound)?;
        let fed = self.periods_fed_by(&BTreeSet::from([round.year]), |f| matches!(f, Feed::Reports(_))).await?;
        let ctx = AuditCtx::system("demo");
        self.db
            .transaction::<_, (), StoreError>(|txn| {
                Box::pin(async move {
                    let mut am = m.into_active_model();
                    am.first_submitted_at = Set(Some(at));
                    am.submitted_at = Set(Some(at));
                    am.update(txn).await?;
                    recompute_year(txn, &ctx, &fed).await?;
                    Ok(())
                })
            })
            .await?;
        Ok(())
    }

    /// The province's report of a round from its accepted reports (in unit code order): the
    /// one consolidation every page, workbook and document shows.
    pub async fn consolidate_round(&self, round: &RoundRow) -> Result<Consolidated, StoreError> {
        let units = self.round_units(round).await?;
        let accepted: Vec<(String, &Content)> = units
            .iter()
            .filter_map(|u| u.report.as_ref().filter(|r| r.status == ReportStatus::Accepted).map(|r| (u.name.clone(), &r.content)))
            .collect();
        Ok(round.form.consolidate(&accepted))
    }
}

/// A content as the raw fields a page posts (to read it again through its form's checks).
pub fn raw_of(content: &Content) -> HashMap<String, String> {
    let mut raw: HashMap<String, String> = content.narratives.iter().map(|(k, v)| (format!("n.{k}"), v.clone())).collect();
    for (section, cells) in &content.cells {
        for (cell, v) in cells {
            raw.insert(format!("c.{section}.{cell}"), v.clone());
        }
    }
    raw
}
