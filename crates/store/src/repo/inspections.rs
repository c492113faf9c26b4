//! The inspections register (issue #20): checklists as data, the year's inspection plan, each
//! inspection with its team, the team's verdicts per checklist item (working notes), files (the
//! unit's documents before the visit, the team's photos, the unit's remediation evidence), the
//! conclusion's findings and recommendations, and the follow-up of each recommendation.
//!
//! Every read and write takes the actor and asks `core::inspections::View` what they may see and
//! do on that inspection (the team is per inspection, so the web layer cannot decide it alone):
//! a unit never reads the team's working notes, nor another unit's inspection. Every write runs
//! in one transaction with the fed criteria of the conclusion's year recomputed
//! (`feed: inspections.*`, `repo::feeds`); the measures are `core::inspections::Measure`.

use std::collections::{BTreeSet, HashMap};

use chrono::{Datelike, NaiveDate, Utc};
use parindex_core::Msg;
use parindex_core::access::Actor;
use parindex_core::framework::Feed;
use parindex_core::inspections::{
    Checklist, RecommendationFacts, RemediationStatus, Severity, Status, TeamRole, Topic, UnitFacts, Verdict, View, can_report_remediation,
};
use parindex_core::unit::FieldError;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Set, TransactionTrait,
    TryIntoModel,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::entity::{
    inspection, inspection_checklist, inspection_file, inspection_finding, inspection_member, inspection_plan, inspection_recommendation,
    inspection_result, unit, user,
};
use crate::repo::audit::{AuditEntry, record};
use crate::{AuditCtx, Store, StoreError};

/// Longest note, finding, recommendation or remediation text.
pub const MAX_TEXT: usize = 4_000;

/// A checklist the office keeps.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct ChecklistRow {
    pub code: String,
    pub topic: String,
    pub title: String,
    pub items: usize,
    pub updated_by: String,
    pub updated_at: chrono::DateTime<Utc>,
}

/// The year's inspection plan (the decision approving it).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct InspectionPlanRow {
    pub id: i64,
    pub year: i32,
    pub number: String,
    pub signed_on: NaiveDate,
    pub title: String,
    pub updated_by: String,
    pub updated_at: chrono::DateTime<Utc>,
}

/// The plan as written.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct InspectionPlanInput {
    /// The decision's number, e.g. `12/KH-SNV`.
    pub number: String,
    pub signed_on: NaiveDate,
    pub title: String,
}

/// A member of a team as written.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct MemberInput {
    pub user_id: i64,
    pub role: TeamRole,
    /// The department the member comes from (Sở Tư pháp, …), if not their unit's.
    #[serde(default)]
    pub department: Option<String>,
}

/// An inspection put into the year's plan.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct NewInspection {
    pub unit_id: i64,
    /// The checklist's code; its topic is the inspection's.
    pub checklist: String,
    pub planned_month: u32,
    pub members: Vec<MemberInput>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct MemberRow {
    pub user_id: i64,
    pub username: String,
    pub full_name: String,
    pub role: TeamRole,
    pub department: Option<String>,
}

/// An inspection as a list shows it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct InspectionRow {
    pub id: i64,
    pub year: i32,
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    pub topic: String,
    pub checklist_code: String,
    pub checklist_title: String,
    pub planned_month: i32,
    pub status: Status,
    pub status_reason: Option<String>,
    pub visited_on: Option<NaiveDate>,
    pub conclusion_number: Option<String>,
    pub concluded_on: Option<NaiveDate>,
    pub team: Vec<MemberRow>,
    pub version: i32,
}

/// A team's verdict at an item (a working note).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct ResultRow {
    pub item_key: String,
    pub verdict: Verdict,
    pub note: Option<String>,
    pub updated_by: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct InspectionFileRow {
    pub id: i64,
    /// `document` (the unit's, before the visit), `photo` (the team's), `remediation`.
    pub kind: String,
    pub item_key: Option<String>,
    pub recommendation_id: Option<i64>,
    pub name: String,
    /// `core::evidence::Kind` of the bytes.
    pub file_kind: String,
    pub size: i64,
    pub sha256: String,
    pub note: Option<String>,
    pub created_by: String,
    pub created_at: chrono::DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct RecommendationRow {
    pub id: i64,
    pub inspection_id: i64,
    pub owner_unit_id: i64,
    pub owner_code: String,
    pub owner_name: String,
    pub text: String,
    pub deadline: NaiveDate,
    pub status: RemediationStatus,
    pub remediation: Option<String>,
    pub reported_by: Option<String>,
    pub reported_at: Option<chrono::DateTime<Utc>>,
    pub decided_by: Option<String>,
    pub decided_at: Option<chrono::DateTime<Utc>>,
    pub return_reason: Option<String>,
    /// Past its deadline and not remedied, on the day it was read.
    pub overdue: bool,
    pub version: i32,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct FindingRow {
    pub id: i64,
    pub item_key: Option<String>,
    pub severity: Severity,
    pub text: String,
    pub recommendations: Vec<RecommendationRow>,
}

/// An inspection as its page shows it to one person: what they may see only.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct InspectionDetail {
    pub inspection: InspectionRow,
    pub checklist: Checklist,
    pub summary: Option<String>,
    /// The team's verdicts — none for whoever may not read working notes.
    pub results: Option<Vec<ResultRow>>,
    /// The files this person may read (the team's photos only with the working notes).
    pub files: Vec<InspectionFileRow>,
    /// Findings with their recommendations (drafts: the team only; issued: the unit too).
    pub findings: Vec<FindingRow>,
    /// The viewer's place (`office`, `leader`, `member`, `secretary`, `unit`, `reader`).
    pub viewer: String,
    pub can_record: bool,
    pub can_issue: bool,
    pub can_decide: bool,
    pub can_upload_documents: bool,
}

/// Which inspections a list shows.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct InspectionFilter {
    pub year: i32,
    pub unit_id: Option<i64>,
    pub topic: Option<String>,
    pub status: Option<Status>,
}

/// The team's record of a visit (the items given are written, the others kept).
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct VisitInput {
    /// The inspection's version the form was drawn at (0: do not check).
    pub version: i32,
    #[serde(default)]
    pub visited_on: Option<NaiveDate>,
    pub results: Vec<ResultInput>,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct ResultInput {
    pub item_key: String,
    pub verdict: Verdict,
    #[serde(default)]
    pub note: Option<String>,
}

/// A finding of the draft conclusion, with its recommendations.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct FindingInput {
    #[serde(default)]
    pub item_key: Option<String>,
    pub severity: Severity,
    pub text: String,
    #[serde(default)]
    pub recommendations: Vec<RecommendationInput>,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct RecommendationInput {
    /// The unit that remedies it (default: the inspected unit).
    #[serde(default)]
    pub owner_unit_id: Option<i64>,
    pub text: String,
    pub deadline: NaiveDate,
}

/// The conclusion issued.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct IssueInput {
    pub version: i32,
    /// The conclusion's number, e.g. `45/KL-SNV`.
    pub number: String,
    pub concluded_on: NaiveDate,
    /// The general assessment (Nhận xét chung).
    pub summary: String,
}

/// A file already kept in the blob store, to attach.
#[derive(Debug, Clone)]
pub struct NewFile {
    pub sha256: String,
    pub size: i64,
    /// `core::evidence::Kind` read from the bytes.
    pub kind: parindex_core::evidence::Kind,
    pub name: String,
}

/// What a file attached to an inspection is: `document` (the unit's, before the visit) or
/// `photo` (the team's), at a checklist item or for the whole, with a note.
#[derive(Debug, Clone, Default)]
pub struct Attach {
    pub kind: String,
    pub item_key: Option<String>,
    pub note: Option<String>,
}

impl Attach {
    pub fn new(kind: &str, item_key: Option<&str>, note: Option<&str>) -> Attach {
        Attach { kind: kind.into(), item_key: item_key.map(str::to_string), note: note.map(str::to_string) }
    }
}

/// What the team decides on a unit's remediation report.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct DecisionInput {
    pub version: i32,
    pub accept: bool,
    /// Why it is returned (needed then).
    #[serde(default)]
    pub reason: Option<String>,
}

/// The year's inspections in figures (`Store::inspection_overview`).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Overview {
    pub year: i32,
    /// January to December: (planned in the month, conclusions issued in the month).
    pub months: Vec<(usize, usize)>,
    pub topics: Vec<TopicLine>,
    /// The checklist items found partly or not compliant most often, most first (at most 30).
    pub items: Vec<ItemLine>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct TopicLine {
    pub topic: String,
    pub inspections: usize,
    pub issued: usize,
    pub findings: usize,
    pub recommendations: usize,
    pub due: usize,
    pub remedied: usize,
    pub overdue: usize,
    /// `core::inspections::Measure::RemediationRate` of the topic's recommendations (none due: none).
    #[cfg_attr(feature = "schema", schema(value_type = Option<Object>))]
    pub rate: Option<parindex_core::onestop::Value>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct ItemLine {
    pub topic: String,
    pub item_key: String,
    pub title: String,
    /// Inspections that gave the item a verdict.
    pub checked: usize,
    pub partly: usize,
    pub not_compliant: usize,
}

fn err(field: &'static str, vi: impl Into<String>, en: impl Into<String>) -> FieldError {
    FieldError { field, message: Msg::new(vi.into(), en.into()) }
}

fn forbidden() -> StoreError {
    StoreError::Forbidden(Msg::new(
        "Bạn không có quyền thực hiện việc này với cuộc kiểm tra này.",
        "You may not do this on this inspection.",
    ))
}

/// What a text field is called in a message (the page shows the messages, not the field names).
fn label_of(field: &str) -> (&'static str, &'static str) {
    match field {
        "number" => ("số văn bản", "the number"),
        "title" => ("tên kế hoạch", "the title"),
        "note" => ("ghi chú", "the note"),
        "findings" => ("nội dung phát hiện", "the finding"),
        "recommendations" => ("nội dung kiến nghị", "the recommendation"),
        "summary" => ("nhận xét chung", "the general assessment"),
        "remediation" => ("kết quả khắc phục", "the remediation"),
        "reason" => ("lý do trả lại", "the reason for returning"),
        _ => ("nội dung", "the text"),
    }
}

fn text_of(field: &'static str, s: &str, required: bool, errors: &mut Vec<FieldError>) -> Option<String> {
    let t = s.trim();
    let (vi, en) = label_of(field);
    if t.is_empty() {
        if required {
            errors.push(err(field, format!("Hãy ghi {vi}."), format!("Write {en}.")));
        }
        return None;
    }
    if t.chars().count() > MAX_TEXT {
        errors.push(err(
            field,
            format!("{}: tối đa {MAX_TEXT} ký tự.", parindex_core::text::upper_first(vi)),
            format!("{}: at most {MAX_TEXT} characters.", parindex_core::text::upper_first(en)),
        ));
        return None;
    }
    Some(t.to_string())
}

fn conflict(what: &str) -> StoreError {
    StoreError::Conflict(Msg::new(
        format!("{what} vừa được người khác cập nhật; hãy tải lại trang để xem trước khi lưu."),
        "It was just updated by someone else; reload the page to see it before saving.",
    ))
}

fn status_of(m: &inspection::Model) -> Status {
    Status::parse(&m.status).unwrap_or(Status::Planned)
}

fn checklist_of(m: &inspection::Model) -> Result<Checklist, StoreError> {
    serde_json::from_str(&m.checklist).map_err(|e| StoreError::Db(sea_orm::DbErr::Custom(format!("inspection {}: checklist: {e}", m.id))))
}

async fn unit_names<C: ConnectionTrait>(c: &C) -> Result<HashMap<i64, (String, String)>, StoreError> {
    Ok(unit::Entity::find().all(c).await?.into_iter().map(|u| (u.id, (u.code, u.name))).collect())
}

/// The years whose fed leaves an inspection's facts move: its conclusion's.
async fn recompute(txn: &sea_orm::DatabaseTransaction, ctx: &AuditCtx, fed: &[crate::repo::feeds::FedPeriod]) -> Result<usize, StoreError> {
    crate::repo::feeds::recompute_register(txn, ctx, fed, |f| matches!(f, Feed::Inspections(..))).await
}

/// Each (unit, topic)'s facts of the conclusions issued in `year`: the inspections concluded
/// at the unit, and the recommendations each unit owns — read by the `inspections.*` feeds.
pub(crate) async fn facts_of_year<C: ConnectionTrait>(c: &C, year: i32) -> Result<HashMap<(i64, String), UnitFacts>, StoreError> {
    let from = NaiveDate::from_ymd_opt(year, 1, 1).ok_or(StoreError::NotFound)?;
    let to = NaiveDate::from_ymd_opt(year, 12, 31).ok_or(StoreError::NotFound)?;
    let issued = inspection::Entity::find()
        .filter(inspection::Column::Status.eq(Status::Issued.key()))
        .filter(inspection::Column::ConcludedOn.between(from, to))
        .all(c)
        .await?;
    let mut out: HashMap<(i64, String), UnitFacts> = HashMap::new();
    let topics: HashMap<i64, String> = issued.iter().map(|i| (i.id, i.topic.clone())).collect();
    for i in &issued {
        out.entry((i.unit_id, i.topic.clone())).or_default().concluded += 1;
    }
    let ids: Vec<i64> = issued.iter().map(|i| i.id).collect();
    for chunk in ids.chunks(500) {
        for r in inspection_recommendation::Entity::find()
            .filter(inspection_recommendation::Column::InspectionId.is_in(chunk.to_vec()))
            .all(c)
            .await?
        {
            let Some(topic) = topics.get(&r.inspection_id) else { continue };
            out.entry((r.owner_unit_id, topic.clone())).or_default().recommendations.push(RecommendationFacts {
                deadline: r.deadline,
                status: RemediationStatus::parse(&r.status).unwrap_or(RemediationStatus::Open),
            });
        }
    }
    Ok(out)
}

/// A unit's facts of a topic (every topic: [`Topic::ANY`]) from [`facts_of_year`].
pub(crate) fn facts_of(all: &HashMap<(i64, String), UnitFacts>, unit_id: i64, topic: Topic) -> UnitFacts {
    let mut out = UnitFacts::default();
    for ((u, t), f) in all {
        if *u == unit_id && (topic.is_any() || t == topic.as_str()) {
            out.concluded += f.concluded;
            out.recommendations.extend(f.recommendations.iter().copied());
        }
    }
    out
}

fn view_key(v: View) -> String {
    match v {
        View::Office => "office".into(),
        View::Team(r) => r.key().into(),
        View::Unit => "unit".into(),
        View::Reader => "reader".into(),
        View::None => "none".into(),
    }
}

fn file_row(m: &inspection_file::Model) -> InspectionFileRow {
    InspectionFileRow {
        id: m.id,
        kind: m.kind.clone(),
        item_key: m.item_key.clone(),
        recommendation_id: m.recommendation_id,
        name: m.name.clone(),
        file_kind: m.file_kind.clone(),
        size: m.size,
        sha256: m.sha256.clone(),
        note: m.note.clone(),
        created_by: m.created_by.clone(),
        created_at: m.created_at,
    }
}

fn rec_row(m: &inspection_recommendation::Model, units: &HashMap<i64, (String, String)>, today: NaiveDate) -> RecommendationRow {
    let status = RemediationStatus::parse(&m.status).unwrap_or(RemediationStatus::Open);
    let (owner_code, owner_name) = units.get(&m.owner_unit_id).cloned().unwrap_or_default();
    RecommendationRow {
        id: m.id,
        inspection_id: m.inspection_id,
        owner_unit_id: m.owner_unit_id,
        owner_code,
        owner_name,
        text: m.text.clone(),
        deadline: m.deadline,
        status,
        remediation: m.remediation.clone(),
        reported_by: m.reported_by.clone(),
        reported_at: m.reported_at,
        decided_by: m.decided_by.clone(),
        decided_at: m.decided_at,
        return_reason: m.return_reason.clone(),
        overdue: RecommendationFacts { deadline: m.deadline, status }.overdue(today),
        version: m.version,
    }
}

impl Store {
    /// Keep a checklist (a new one, or a new text of one with the same code: inspections
    /// already planned keep the copy they were planned with). Every problem is named.
    pub async fn save_checklist(&self, ctx: &AuditCtx, c: &Checklist) -> Result<ChecklistRow, StoreError> {
        let problems = c.check();
        if !problems.is_empty() {
            return Err(StoreError::Invalid(
                problems
                    .into_iter()
                    .map(|p| {
                        let at = if p.place.is_empty() { String::new() } else { format!("{}: ", p.place) };
                        err("definition", format!("{at}{}", p.message.vi), format!("{at}{}", p.message.en))
                    })
                    .collect(),
            ));
        }
        let definition = serde_json::to_string(c).map_err(|e| StoreError::Db(sea_orm::DbErr::Custom(e.to_string())))?;
        let (ctx, c) = (ctx.clone(), c.clone());
        let m = self
            .db
            .transaction::<_, inspection_checklist::Model, StoreError>(|txn| {
                Box::pin(async move {
                    let existing =
                        inspection_checklist::Entity::find().filter(inspection_checklist::Column::Code.eq(&c.code)).one(txn).await?;
                    let before = existing.as_ref().map(|m| json!({"title": m.title, "topic": m.topic}));
                    let mut am = match existing {
                        Some(m) => m.into_active_model(),
                        None => inspection_checklist::ActiveModel { code: Set(c.code.clone()), ..Default::default() },
                    };
                    am.topic = Set(c.topic.clone());
                    am.title = Set(c.title.clone());
                    am.definition = Set(definition);
                    am.updated_by = Set(ctx.actor_name.clone());
                    am.updated_at = Set(Utc::now());
                    let m = am.save(txn).await?.try_into_model()?;
                    record(
                        txn,
                        &ctx,
                        AuditEntry {
                            action: "inspection.checklist",
                            object_type: "inspection_checklist",
                            object_id: Some(c.code.clone()),
                            before,
                            after: Some(json!({"title": c.title, "topic": c.topic, "items": c.items().len()})),
                            ..Default::default()
                        },
                    )
                    .await?;
                    Ok(m)
                })
            })
            .await?;
        Ok(ChecklistRow {
            code: m.code,
            topic: m.topic,
            title: m.title,
            items: c_items(&m.definition),
            updated_by: m.updated_by,
            updated_at: m.updated_at,
        })
    }

    /// The checklists kept, by code.
    pub async fn inspection_checklists(&self) -> Result<Vec<ChecklistRow>, StoreError> {
        Ok(inspection_checklist::Entity::find()
            .order_by_asc(inspection_checklist::Column::Code)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|m| ChecklistRow {
                items: c_items(&m.definition),
                code: m.code,
                topic: m.topic,
                title: m.title,
                updated_by: m.updated_by,
                updated_at: m.updated_at,
            })
            .collect())
    }

    pub async fn inspection_checklist(&self, code: &str) -> Result<Checklist, StoreError> {
        let m = inspection_checklist::Entity::find()
            .filter(inspection_checklist::Column::Code.eq(code))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        serde_json::from_str(&m.definition).map_err(|e| StoreError::Db(sea_orm::DbErr::Custom(format!("checklist {code}: {e}"))))
    }

    pub async fn inspection_plan(&self, year: i32) -> Result<Option<InspectionPlanRow>, StoreError> {
        Ok(inspection_plan::Entity::find().filter(inspection_plan::Column::Year.eq(year)).one(&self.db).await?.map(|m| InspectionPlanRow {
            id: m.id,
            year: m.year,
            number: m.number,
            signed_on: m.signed_on,
            title: m.title,
            updated_by: m.updated_by,
            updated_at: m.updated_at,
        }))
    }

    /// Set the year's inspection plan (or correct it): the office only.
    pub async fn set_inspection_plan(
        &self,
        ctx: &AuditCtx,
        actor: &Actor,
        year: i32,
        input: InspectionPlanInput,
    ) -> Result<InspectionPlanRow, StoreError> {
        if View::of(actor, 0, None, &[]) != View::Office {
            return Err(forbidden());
        }
        let mut errors = Vec::new();
        let number = text_of("number", &input.number, true, &mut errors).filter(|n| n.chars().count() <= 64);
        if number.is_none() && errors.is_empty() {
            errors.push(err("number", "Số kế hoạch tối đa 64 ký tự.", "The number has at most 64 characters."));
        }
        let title = text_of("title", &input.title, true, &mut errors);
        if input.signed_on.year() != year && input.signed_on.year() != year - 1 {
            errors.push(err(
                "signed_on",
                format!("Kế hoạch kiểm tra năm {year} được ký trong năm {} hoặc {year}.", year - 1),
                format!("The inspection plan for {year} is signed in {} or {year}.", year - 1),
            ));
        }
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let (number, title) = (number.unwrap_or_default(), title.unwrap_or_default());
        let ctx = ctx.clone();
        self.db
            .transaction::<_, (), StoreError>(|txn| {
                Box::pin(async move {
                    let existing = inspection_plan::Entity::find().filter(inspection_plan::Column::Year.eq(year)).one(txn).await?;
                    let before = existing.as_ref().map(|p| json!({"number": p.number, "signed_on": p.signed_on}));
                    let mut am = match existing {
                        Some(p) => p.into_active_model(),
                        None => inspection_plan::ActiveModel { year: Set(year), file_id: Set(None), ..Default::default() },
                    };
                    am.number = Set(number.clone());
                    am.signed_on = Set(input.signed_on);
                    am.title = Set(title);
                    am.updated_by = Set(ctx.actor_name.clone());
                    am.updated_at = Set(Utc::now());
                    let saved = am.save(txn).await?.try_into_model()?;
                    record(
                        txn,
                        &ctx,
                        AuditEntry {
                            action: "inspection.plan",
                            object_type: "inspection_plan",
                            object_id: Some(saved.id.to_string()),
                            before,
                            after: Some(json!({"year": year, "number": number, "signed_on": input.signed_on})),
                            ..Default::default()
                        },
                    )
                    .await
                })
            })
            .await?;
        self.inspection_plan(year).await?.ok_or(StoreError::NotFound)
    }

    /// Put an inspection into the year's plan with its team (the office only): the unit, the
    /// checklist (copied: later edits of the checklist do not change it), the planned month,
    /// one leader. Refused whole, every problem named.
    pub async fn plan_inspection(&self, ctx: &AuditCtx, actor: &Actor, year: i32, n: NewInspection) -> Result<i64, StoreError> {
        if View::of(actor, n.unit_id, None, &[]) != View::Office {
            return Err(forbidden());
        }
        let plan =
            inspection_plan::Entity::find().filter(inspection_plan::Column::Year.eq(year)).one(&self.db).await?.ok_or_else(|| {
                StoreError::invalid(
                    "plan",
                    Msg::new(
                        format!("Chưa có kế hoạch kiểm tra năm {year}: hãy ghi số, ngày của kế hoạch trước."),
                        format!("There is no inspection plan for {year} yet: record its number and date first."),
                    ),
                )
            })?;
        let mut errors = Vec::new();
        let target = unit::Entity::find_by_id(n.unit_id).one(&self.db).await?;
        if target.as_ref().is_none_or(|u| !u.active) {
            errors.push(err(
                "unit_id",
                "Đơn vị được kiểm tra không có hoặc đã ngừng hoạt động.",
                "The unit does not exist or is inactive.",
            ));
        }
        let checklist =
            inspection_checklist::Entity::find().filter(inspection_checklist::Column::Code.eq(&n.checklist)).one(&self.db).await?;
        if checklist.is_none() {
            errors.push(err(
                "checklist",
                format!("Không có bảng kiểm «{}».", n.checklist),
                format!("There is no checklist «{}».", n.checklist),
            ));
        }
        if !(1..=12).contains(&n.planned_month) {
            errors.push(err("planned_month", "Tháng dự kiến từ 1 đến 12.", "The planned month is 1 to 12."));
        }
        if n.members.iter().filter(|m| m.role == TeamRole::Leader).count() != 1 {
            errors.push(err("members", "Đoàn kiểm tra có đúng một trưởng đoàn.", "A team has exactly one leader."));
        }
        let ids: BTreeSet<i64> = n.members.iter().map(|m| m.user_id).collect();
        if ids.len() != n.members.len() || n.members.len() > 30 {
            errors.push(err("members", "Mỗi người một lần trong đoàn (tối đa 30 người).", "Each person once in a team (at most 30)."));
        }
        let users = user::Entity::find().filter(user::Column::Id.is_in(ids.iter().copied())).all(&self.db).await?;
        if users.len() != ids.len() || users.iter().any(|u| u.disabled) {
            errors.push(err("members", "Thành viên đoàn phải là tài khoản đang hoạt động.", "Team members must be active accounts."));
        }
        if n.members.iter().any(|m| m.department.as_ref().is_some_and(|d| d.chars().count() > 200)) {
            errors.push(err(
                "members",
                "Tên cơ quan của thành viên tối đa 200 ký tự.",
                "A member's department has at most 200 characters.",
            ));
        }
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let checklist = checklist.ok_or(StoreError::NotFound)?;
        let ctx = ctx.clone();
        let id = self
            .db
            .transaction::<_, i64, StoreError>(|txn| {
                Box::pin(async move {
                    let dup = inspection::Entity::find()
                        .filter(inspection::Column::PlanId.eq(plan.id))
                        .filter(inspection::Column::UnitId.eq(n.unit_id))
                        .filter(inspection::Column::Topic.eq(&checklist.topic))
                        .one(txn)
                        .await?;
                    if dup.is_some() {
                        return Err(StoreError::Conflict(Msg::new(
                            "Đơn vị đã có cuộc kiểm tra lĩnh vực này trong kế hoạch năm.",
                            "The unit already has an inspection of this topic in the year's plan.",
                        )));
                    }
                    let m = inspection::ActiveModel {
                        plan_id: Set(plan.id),
                        unit_id: Set(n.unit_id),
                        topic: Set(checklist.topic.clone()),
                        checklist_code: Set(checklist.code.clone()),
                        checklist: Set(checklist.definition.clone()),
                        planned_month: Set(n.planned_month as i32),
                        status: Set(Status::Planned.key().into()),
                        status_reason: Set(None),
                        visited_on: Set(None),
                        conclusion_number: Set(None),
                        concluded_on: Set(None),
                        summary: Set(None),
                        issued_by: Set(None),
                        version: Set(1),
                        updated_by: Set(ctx.actor_name.clone()),
                        updated_at: Set(Utc::now()),
                        ..Default::default()
                    }
                    .insert(txn)
                    .await?;
                    for mem in &n.members {
                        inspection_member::ActiveModel {
                            inspection_id: Set(m.id),
                            user_id: Set(mem.user_id),
                            role: Set(mem.role.key().into()),
                            department: Set(mem.department.as_ref().map(|d| d.trim().to_string()).filter(|d| !d.is_empty())),
                        }
                        .insert(txn)
                        .await?;
                    }
                    record(
                            txn,
                            &ctx,
                            AuditEntry {
                                action: "inspection.plan_item",
                                object_type: "inspection",
                                object_id: Some(m.id.to_string()),
                                after: Some(
                                    json!({"year": year, "unit_id": n.unit_id, "checklist": checklist.code, "month": n.planned_month,
                                "team": n.members.iter().map(|m| json!({"user_id": m.user_id, "role": m.role.key()})).collect::<Vec<_>>()}),
                                ),
                                ..Default::default()
                            },
                        )
                        .await?;
                    Ok(m.id)
                })
            })
            .await?;
        Ok(id)
    }

    async fn teams(&self, ids: &[i64]) -> Result<HashMap<i64, Vec<MemberRow>>, StoreError> {
        let mut out: HashMap<i64, Vec<MemberRow>> = HashMap::new();
        let mut members = Vec::new();
        for chunk in ids.chunks(500) {
            members.extend(
                inspection_member::Entity::find()
                    .filter(inspection_member::Column::InspectionId.is_in(chunk.to_vec()))
                    .all(&self.db)
                    .await?,
            );
        }
        let user_ids: BTreeSet<i64> = members.iter().map(|m| m.user_id).collect();
        let users: HashMap<i64, user::Model> =
            user::Entity::find().filter(user::Column::Id.is_in(user_ids)).all(&self.db).await?.into_iter().map(|u| (u.id, u)).collect();
        for m in members {
            let u = users.get(&m.user_id);
            out.entry(m.inspection_id).or_default().push(MemberRow {
                user_id: m.user_id,
                username: u.map(|u| u.username.clone()).unwrap_or_default(),
                full_name: u.map(|u| u.full_name.clone()).unwrap_or_default(),
                role: TeamRole::parse(&m.role).unwrap_or(TeamRole::Member),
                department: m.department,
            });
        }
        for team in out.values_mut() {
            team.sort_by_key(|m| (TeamRole::ALL.iter().position(|r| *r == m.role), m.full_name.clone()));
        }
        Ok(out)
    }

    async fn owners(&self, ids: &[i64]) -> Result<HashMap<i64, Vec<i64>>, StoreError> {
        let mut out: HashMap<i64, Vec<i64>> = HashMap::new();
        for chunk in ids.chunks(500) {
            for r in inspection_recommendation::Entity::find()
                .filter(inspection_recommendation::Column::InspectionId.is_in(chunk.to_vec()))
                .all(&self.db)
                .await?
            {
                out.entry(r.inspection_id).or_default().push(r.owner_unit_id);
            }
        }
        Ok(out)
    }

    fn row_of(m: &inspection::Model, year: i32, units: &HashMap<i64, (String, String)>, team: Vec<MemberRow>) -> InspectionRow {
        let (unit_code, unit_name) = units.get(&m.unit_id).cloned().unwrap_or_default();
        let checklist_title = serde_json::from_str::<Checklist>(&m.checklist).map(|c| c.title).unwrap_or_default();
        InspectionRow {
            id: m.id,
            year,
            unit_id: m.unit_id,
            unit_code,
            unit_name,
            topic: m.topic.clone(),
            checklist_code: m.checklist_code.clone(),
            checklist_title,
            planned_month: m.planned_month,
            status: status_of(m),
            status_reason: m.status_reason.clone(),
            visited_on: m.visited_on,
            conclusion_number: m.conclusion_number.clone(),
            concluded_on: m.concluded_on,
            team,
            version: m.version,
        }
    }

    /// The year's inspections `actor` may see, by planned month and unit.
    pub async fn inspections(&self, actor: &Actor, filter: &InspectionFilter) -> Result<Vec<InspectionRow>, StoreError> {
        let Some(plan) = inspection_plan::Entity::find().filter(inspection_plan::Column::Year.eq(filter.year)).one(&self.db).await? else {
            return Ok(Vec::new());
        };
        let mut q = inspection::Entity::find().filter(inspection::Column::PlanId.eq(plan.id));
        if let Some(u) = filter.unit_id {
            q = q.filter(inspection::Column::UnitId.eq(u));
        }
        if let Some(t) = &filter.topic {
            q = q.filter(inspection::Column::Topic.eq(t.as_str()));
        }
        if let Some(s) = filter.status {
            q = q.filter(inspection::Column::Status.eq(s.key()));
        }
        let all = q.order_by_asc(inspection::Column::PlannedMonth).order_by_asc(inspection::Column::Id).all(&self.db).await?;
        let ids: Vec<i64> = all.iter().map(|m| m.id).collect();
        let mut teams = self.teams(&ids).await?;
        let owners = self.owners(&ids).await?;
        let units = unit_names(&self.db).await?;
        let mut out = Vec::new();
        for m in &all {
            let team = teams.remove(&m.id).unwrap_or_default();
            let mine = team.iter().find(|t| t.user_id == actor.user_id).map(|t| t.role);
            let view = View::of(actor, m.unit_id, mine, owners.get(&m.id).map(Vec::as_slice).unwrap_or_default());
            if view.sees(status_of(m)) {
                out.push(Self::row_of(m, filter.year, &units, team));
            }
        }
        Ok(out)
    }

    /// One inspection and what `actor` may see and do on it (`Forbidden` for anyone else).
    async fn inspection_for(&self, actor: &Actor, id: i64) -> Result<(inspection::Model, i32, Vec<MemberRow>, View), StoreError> {
        let m = inspection::Entity::find_by_id(id).one(&self.db).await?.ok_or(StoreError::NotFound)?;
        let year = inspection_plan::Entity::find_by_id(m.plan_id).one(&self.db).await?.map(|p| p.year).unwrap_or_default();
        let team = self.teams(&[id]).await?.remove(&id).unwrap_or_default();
        let owners = self.owners(&[id]).await?.remove(&id).unwrap_or_default();
        let mine = team.iter().find(|t| t.user_id == actor.user_id).map(|t| t.role);
        let view = View::of(actor, m.unit_id, mine, &owners);
        if !view.sees(status_of(&m)) {
            return Err(forbidden());
        }
        Ok((m, year, team, view))
    }

    /// An inspection as `actor` may see it on `today` (overdue recommendations).
    pub async fn inspection(&self, actor: &Actor, id: i64, today: NaiveDate) -> Result<InspectionDetail, StoreError> {
        let (m, year, team, view) = self.inspection_for(actor, id).await?;
        let status = status_of(&m);
        let checklist = checklist_of(&m)?;
        let units = unit_names(&self.db).await?;
        let results = if view.sees_working_notes() {
            let mut rows: Vec<ResultRow> = inspection_result::Entity::find()
                .filter(inspection_result::Column::InspectionId.eq(id))
                .all(&self.db)
                .await?
                .into_iter()
                .filter_map(|r| {
                    Some(ResultRow { verdict: Verdict::parse(&r.verdict)?, item_key: r.item_key, note: r.note, updated_by: r.updated_by })
                })
                .collect();
            let order: HashMap<String, usize> = checklist.items().into_iter().enumerate().map(|(i, (k, _, _))| (k, i)).collect();
            rows.sort_by_key(|r| order.get(&r.item_key).copied().unwrap_or(usize::MAX));
            Some(rows)
        } else {
            None
        };
        let files = inspection_file::Entity::find()
            .filter(inspection_file::Column::InspectionId.eq(id))
            .order_by_asc(inspection_file::Column::Id)
            .all(&self.db)
            .await?
            .iter()
            .filter(|f| f.kind != "photo" || view.sees_working_notes())
            .filter(|f| f.kind != "remediation" || view.sees_conclusion(status))
            .map(file_row)
            .collect();
        let mut findings = Vec::new();
        if view.sees_conclusion(status) {
            let mut recs: HashMap<i64, Vec<RecommendationRow>> = HashMap::new();
            for r in inspection_recommendation::Entity::find()
                .filter(inspection_recommendation::Column::InspectionId.eq(id))
                .order_by_asc(inspection_recommendation::Column::Position)
                .all(&self.db)
                .await?
            {
                recs.entry(r.finding_id).or_default().push(rec_row(&r, &units, today));
            }
            for f in inspection_finding::Entity::find()
                .filter(inspection_finding::Column::InspectionId.eq(id))
                .order_by_asc(inspection_finding::Column::Position)
                .all(&self.db)
                .await?
            {
                findings.push(FindingRow {
                    id: f.id,
                    item_key: f.item_key,
                    severity: Severity::parse(&f.severity).unwrap_or(Severity::Minor),
                    text: f.text,
                    recommendations: recs.remove(&f.id).unwrap_or_default(),
                });
            }
        }
        Ok(InspectionDetail {
            summary: if view.sees_conclusion(status) { m.summary.clone() } else { None },
            inspection: Self::row_of(&m, year, &units, team),
            checklist,
            results,
            files,
            findings,
            viewer: view_key(view),
            can_record: view.can_record(status),
            can_issue: view.can_issue(status),
            can_decide: view.can_decide() && status == Status::Issued,
            can_upload_documents: view.can_upload_documents(status),
        })
    }

    /// The team records the visit: verdicts and notes of the items given (others kept), the
    /// day of the visit. Not once the conclusion is issued.
    pub async fn record_visit(
        &self,
        ctx: &AuditCtx,
        actor: &Actor,
        id: i64,
        input: VisitInput,
        today: NaiveDate,
    ) -> Result<(), StoreError> {
        let (m, _, _, view) = self.inspection_for(actor, id).await?;
        if !view.can_record(status_of(&m)) {
            return Err(forbidden());
        }
        let checklist = checklist_of(&m)?;
        let keys: BTreeSet<String> = checklist.items().into_iter().map(|(k, _, _)| k).collect();
        let mut errors = Vec::new();
        let mut rows = Vec::new();
        for r in &input.results {
            if !keys.contains(&r.item_key) {
                errors.push(err(
                    "results",
                    format!("Nội dung «{}» không có trong bảng kiểm.", r.item_key),
                    format!("Item «{}» is not in the checklist.", r.item_key),
                ));
                continue;
            }
            let note = r.note.as_deref().and_then(|n| text_of("note", n, false, &mut errors));
            rows.push((r.item_key.clone(), r.verdict, note));
        }
        if input.visited_on.is_some_and(|d| d > today) {
            errors.push(err("visited_on", "Ngày kiểm tra chưa đến.", "The day of the visit is in the future."));
        }
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let ctx = ctx.clone();
        self.db
            .transaction::<_, (), StoreError>(|txn| {
                Box::pin(async move {
                    let m = inspection::Entity::find_by_id(id).one(txn).await?.ok_or(StoreError::NotFound)?;
                    if input.version != 0 && m.version != input.version {
                        return Err(conflict("Cuộc kiểm tra"));
                    }
                    if !matches!(status_of(&m), Status::Planned | Status::Visiting) {
                        return Err(forbidden());
                    }
                    for (key, verdict, note) in &rows {
                        let existing = inspection_result::Entity::find_by_id((id, key.clone())).one(txn).await?;
                        let fresh = existing.is_none();
                        let mut am = match existing {
                            Some(e) => e.into_active_model(),
                            None => {
                                inspection_result::ActiveModel { inspection_id: Set(id), item_key: Set(key.clone()), ..Default::default() }
                            }
                        };
                        am.verdict = Set(verdict.key().into());
                        am.note = Set(note.clone());
                        am.updated_by = Set(ctx.actor_name.clone());
                        am.updated_at = Set(Utc::now());
                        // a composite key is always set: `save` would update
                        if fresh {
                            am.insert(txn).await?;
                        } else {
                            am.update(txn).await?;
                        }
                    }
                    let version = m.version;
                    let mut am = m.into_active_model();
                    am.status = Set(Status::Visiting.key().into());
                    if input.visited_on.is_some() {
                        am.visited_on = Set(input.visited_on);
                    }
                    am.version = Set(version + 1);
                    am.updated_by = Set(ctx.actor_name.clone());
                    am.updated_at = Set(Utc::now());
                    am.update(txn).await?;
                    record(
                        txn,
                        &ctx,
                        AuditEntry {
                            action: "inspection.visit",
                            object_type: "inspection",
                            object_id: Some(id.to_string()),
                            after: Some(
                                json!({"results": rows.iter().map(|(k, v, _)| json!({"item": k, "verdict": v.key()})).collect::<Vec<_>>(),
                                "visited_on": input.visited_on}),
                            ),
                            ..Default::default()
                        },
                    )
                    .await
                })
            })
            .await
            .map_err(Into::into)
    }

    /// Attach a file kept in the blob store: the unit's `document` (before the visit; the unit
    /// or the team), the team's `photo` (a working note), or the owner unit's `remediation`
    /// evidence of a recommendation (with [`Store::report_remediation`]).
    pub async fn add_inspection_file(
        &self,
        ctx: &AuditCtx,
        actor: &Actor,
        id: i64,
        what: Attach,
        file: NewFile,
    ) -> Result<InspectionFileRow, StoreError> {
        let Attach { kind, item_key, note } = what;
        let kind = kind.as_str();
        let (m, _, _, view) = self.inspection_for(actor, id).await?;
        let status = status_of(&m);
        let allowed = match kind {
            "document" => view.can_upload_documents(status),
            "photo" => view.can_record(status),
            _ => false,
        };
        if !allowed {
            return Err(forbidden());
        }
        if let Some(k) = &item_key
            && !checklist_of(&m)?.items().iter().any(|(key, _, _)| key == k)
        {
            return Err(StoreError::invalid(
                "item_key",
                Msg::new(format!("Nội dung «{k}» không có trong bảng kiểm."), format!("Item «{k}» is not in the checklist.")),
            ));
        }
        let mut errors = Vec::new();
        let note = note.as_deref().and_then(|n| text_of("note", n, false, &mut errors));
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        self.insert_file(ctx, id, None, kind, item_key, note, file).await
    }

    #[allow(clippy::too_many_arguments)]
    async fn insert_file(
        &self,
        ctx: &AuditCtx,
        id: i64,
        recommendation_id: Option<i64>,
        kind: &str,
        item_key: Option<String>,
        note: Option<String>,
        file: NewFile,
    ) -> Result<InspectionFileRow, StoreError> {
        let (ctx, kind) = (ctx.clone(), kind.to_string());
        let m = self
            .db
            .transaction::<_, inspection_file::Model, StoreError>(|txn| {
                Box::pin(async move { insert_file_in(txn, &ctx, id, recommendation_id, &kind, item_key, note, file).await })
            })
            .await?;
        Ok(file_row(&m))
    }

    /// A file of an inspection, if `actor` may read it (the same rules as the page).
    pub async fn inspection_file(&self, actor: &Actor, file_id: i64) -> Result<InspectionFileRow, StoreError> {
        let f = inspection_file::Entity::find_by_id(file_id).one(&self.db).await?.ok_or(StoreError::NotFound)?;
        let (m, _, _, view) = self.inspection_for(actor, f.inspection_id).await?;
        let ok = match f.kind.as_str() {
            "photo" => view.sees_working_notes(),
            "remediation" => view.sees_conclusion(status_of(&m)),
            _ => true,
        };
        if !ok {
            return Err(forbidden());
        }
        Ok(file_row(&f))
    }

    /// The team's draft conclusion: its findings and their recommendations, replacing the draft
    /// there was. Not once issued.
    pub async fn save_findings(
        &self,
        ctx: &AuditCtx,
        actor: &Actor,
        id: i64,
        version: i32,
        findings: Vec<FindingInput>,
    ) -> Result<(), StoreError> {
        let (m, _, _, view) = self.inspection_for(actor, id).await?;
        if !view.can_record(status_of(&m)) {
            return Err(forbidden());
        }
        let keys: BTreeSet<String> = checklist_of(&m)?.items().into_iter().map(|(k, _, _)| k).collect();
        let units: HashMap<i64, bool> = unit::Entity::find().all(&self.db).await?.into_iter().map(|u| (u.id, u.active)).collect();
        let mut errors = Vec::new();
        let mut clean = Vec::new();
        if findings.len() > 200 {
            errors.push(err("findings", "Tối đa 200 phát hiện.", "At most 200 findings."));
        }
        for f in &findings {
            if let Some(k) = &f.item_key
                && !keys.contains(k)
            {
                errors.push(err(
                    "findings",
                    format!("Nội dung «{k}» không có trong bảng kiểm."),
                    format!("Item «{k}» is not in the checklist."),
                ));
            }
            let text = text_of("findings", &f.text, true, &mut errors);
            let mut recs = Vec::new();
            for r in &f.recommendations {
                let owner = r.owner_unit_id.unwrap_or(m.unit_id);
                if !units.get(&owner).copied().unwrap_or(false) {
                    errors.push(err(
                        "recommendations",
                        "Đơn vị thực hiện kiến nghị không có.",
                        "The recommendation's owner unit does not exist.",
                    ));
                }
                if let Some(t) = text_of("recommendations", &r.text, true, &mut errors) {
                    recs.push((owner, t, r.deadline));
                }
            }
            if let Some(t) = text {
                clean.push((f.item_key.clone().filter(|k| !k.is_empty()), f.severity, t, recs));
            }
        }
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let ctx = ctx.clone();
        self.db
            .transaction::<_, (), StoreError>(|txn| {
                Box::pin(async move {
                    let m = inspection::Entity::find_by_id(id).one(txn).await?.ok_or(StoreError::NotFound)?;
                    if version != 0 && m.version != version {
                        return Err(conflict("Cuộc kiểm tra"));
                    }
                    if !matches!(status_of(&m), Status::Planned | Status::Visiting) {
                        return Err(forbidden());
                    }
                    inspection_recommendation::Entity::delete_many()
                        .filter(inspection_recommendation::Column::InspectionId.eq(id))
                        .exec(txn)
                        .await?;
                    inspection_finding::Entity::delete_many().filter(inspection_finding::Column::InspectionId.eq(id)).exec(txn).await?;
                    let now = Utc::now();
                    let mut rec_pos = 0;
                    for (i, (item, severity, text, recs)) in clean.iter().enumerate() {
                        let f = inspection_finding::ActiveModel {
                            inspection_id: Set(id),
                            position: Set(i as i32 + 1),
                            item_key: Set(item.clone()),
                            severity: Set(severity.key().into()),
                            text: Set(text.clone()),
                            ..Default::default()
                        }
                        .insert(txn)
                        .await?;
                        for (owner, t, deadline) in recs {
                            rec_pos += 1;
                            inspection_recommendation::ActiveModel {
                                inspection_id: Set(id),
                                finding_id: Set(f.id),
                                position: Set(rec_pos),
                                owner_unit_id: Set(*owner),
                                text: Set(t.clone()),
                                deadline: Set(*deadline),
                                status: Set(RemediationStatus::Open.key().into()),
                                remediation: Set(None),
                                reported_by: Set(None),
                                reported_at: Set(None),
                                decided_by: Set(None),
                                decided_at: Set(None),
                                return_reason: Set(None),
                                version: Set(1),
                                updated_by: Set(ctx.actor_name.clone()),
                                updated_at: Set(now),
                                ..Default::default()
                            }
                            .insert(txn)
                            .await?;
                        }
                    }
                    let v = m.version;
                    let mut am = m.into_active_model();
                    am.status = Set(Status::Visiting.key().into());
                    am.version = Set(v + 1);
                    am.updated_by = Set(ctx.actor_name.clone());
                    am.updated_at = Set(now);
                    am.update(txn).await?;
                    record(
                        txn,
                        &ctx,
                        AuditEntry {
                            action: "inspection.findings",
                            object_type: "inspection",
                            object_id: Some(id.to_string()),
                            after: Some(json!({"findings": clean.len(), "recommendations": rec_pos})),
                            ..Default::default()
                        },
                    )
                    .await
                })
            })
            .await
            .map_err(Into::into)
    }

    /// Issue the conclusion (the team leader or the office): every checklist item has a
    /// verdict, the number and day are given (not in the future, not before the visit), every
    /// recommendation's deadline is after the day. From then on its findings and
    /// recommendations are facts: the unit sees them and the year's fed leaves move.
    pub async fn issue_conclusion(
        &self,
        ctx: &AuditCtx,
        actor: &Actor,
        id: i64,
        input: IssueInput,
        today: NaiveDate,
    ) -> Result<(), StoreError> {
        let (m, _, _, view) = self.inspection_for(actor, id).await?;
        if !view.can_issue(status_of(&m)) {
            return Err(forbidden());
        }
        let mut errors = Vec::new();
        let checklist = checklist_of(&m)?;
        let done: BTreeSet<String> = inspection_result::Entity::find()
            .filter(inspection_result::Column::InspectionId.eq(id))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|r| r.item_key)
            .collect();
        let missing: Vec<String> = checklist.items().into_iter().map(|(k, _, _)| k).filter(|k| !done.contains(k)).collect();
        if !missing.is_empty() {
            let shown = missing.iter().take(5).cloned().collect::<Vec<_>>().join(", ");
            errors.push(err(
                "results",
                format!("Còn {} nội dung chưa có kết quả kiểm tra ({shown}…).", missing.len()),
                format!("{} items have no verdict yet ({shown}…).", missing.len()),
            ));
        }
        let number = text_of("number", &input.number, true, &mut errors);
        if number.as_ref().is_some_and(|n| n.chars().count() > 64) {
            errors.push(err("number", "Số kết luận tối đa 64 ký tự.", "The number has at most 64 characters."));
        }
        let summary = text_of("summary", &input.summary, true, &mut errors);
        if input.concluded_on > today {
            errors.push(err("concluded_on", "Ngày ban hành chưa đến.", "The day of issue is in the future."));
        }
        if m.visited_on.is_some_and(|v| input.concluded_on < v) {
            errors.push(err("concluded_on", "Kết luận ban hành sau ngày kiểm tra.", "A conclusion is issued after the visit."));
        }
        let recs =
            inspection_recommendation::Entity::find().filter(inspection_recommendation::Column::InspectionId.eq(id)).all(&self.db).await?;
        if let Some(r) = recs.iter().find(|r| r.deadline <= input.concluded_on) {
            errors.push(err(
                "deadline",
                format!("Kiến nghị «{}» có hạn khắc phục không sau ngày ban hành kết luận.", r.text.chars().take(60).collect::<String>()),
                format!("Recommendation «{}» has a deadline not after the day of issue.", r.text.chars().take(60).collect::<String>()),
            ));
        }
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let fed = self.periods_fed_by(&BTreeSet::from([input.concluded_on.year()]), |f| matches!(f, Feed::Inspections(..))).await?;
        let ctx = ctx.clone();
        let (number, summary) = (number.unwrap_or_default(), summary.unwrap_or_default());
        self.db
            .transaction::<_, (), StoreError>(|txn| {
                Box::pin(async move {
                    let m = inspection::Entity::find_by_id(id).one(txn).await?.ok_or(StoreError::NotFound)?;
                    if input.version != 0 && m.version != input.version {
                        return Err(conflict("Cuộc kiểm tra"));
                    }
                    if !matches!(status_of(&m), Status::Planned | Status::Visiting) {
                        return Err(forbidden());
                    }
                    let v = m.version;
                    let mut am = m.into_active_model();
                    am.status = Set(Status::Issued.key().into());
                    am.conclusion_number = Set(Some(number.clone()));
                    am.concluded_on = Set(Some(input.concluded_on));
                    am.summary = Set(Some(summary));
                    am.issued_by = Set(Some(ctx.actor_name.clone()));
                    am.version = Set(v + 1);
                    am.updated_by = Set(ctx.actor_name.clone());
                    am.updated_at = Set(Utc::now());
                    am.update(txn).await?;
                    let written = recompute(txn, &ctx, &fed).await?;
                    record(
                        txn,
                        &ctx,
                        AuditEntry {
                            action: "inspection.issue",
                            object_type: "inspection",
                            object_id: Some(id.to_string()),
                            after: Some(json!({"number": number, "concluded_on": input.concluded_on, "leaves_written": written})),
                            ..Default::default()
                        },
                    )
                    .await
                })
            })
            .await
            .map_err(Into::into)
    }

    /// The recommendations a unit owns (issued conclusions only), newest deadline last.
    pub async fn unit_recommendations(&self, actor: &Actor, unit_id: i64, today: NaiveDate) -> Result<Vec<RecommendationRow>, StoreError> {
        let own = actor.unit_id == Some(unit_id);
        let view = View::of(actor, unit_id, None, &[]);
        if !(matches!(view, View::Office | View::Reader) || (view == View::Unit && own)) {
            return Err(forbidden());
        }
        let recs = inspection_recommendation::Entity::find()
            .filter(inspection_recommendation::Column::OwnerUnitId.eq(unit_id))
            .order_by_asc(inspection_recommendation::Column::Deadline)
            .all(&self.db)
            .await?;
        let ids: BTreeSet<i64> = recs.iter().map(|r| r.inspection_id).collect();
        let issued: BTreeSet<i64> = inspection::Entity::find()
            .filter(inspection::Column::Id.is_in(ids))
            .filter(inspection::Column::Status.eq(Status::Issued.key()))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|i| i.id)
            .collect();
        let units = unit_names(&self.db).await?;
        Ok(recs.iter().filter(|r| issued.contains(&r.inspection_id)).map(|r| rec_row(r, &units, today)).collect())
    }

    /// The year's inspections in figures — planned and concluded by month; per topic the
    /// inspections, findings, recommendations and the remediation rate (the measure's own
    /// function, over the topic's issued conclusions of the year); the checklist items failed
    /// most. For the office and provincial leadership (aggregates of the teams' verdicts, no
    /// unit's notes).
    pub async fn inspection_overview(&self, actor: &Actor, year: i32, today: NaiveDate) -> Result<Overview, StoreError> {
        if !matches!(View::of(actor, 0, None, &[]), View::Office | View::Reader) {
            return Err(forbidden());
        }
        let mut out = Overview { year, months: vec![(0, 0); 12], topics: Vec::new(), items: Vec::new() };
        let Some(plan) = inspection_plan::Entity::find().filter(inspection_plan::Column::Year.eq(year)).one(&self.db).await? else {
            return Ok(out);
        };
        let all = inspection::Entity::find().filter(inspection::Column::PlanId.eq(plan.id)).all(&self.db).await?;
        let live: Vec<&inspection::Model> = all.iter().filter(|i| status_of(i) != Status::Cancelled).collect();
        for i in &live {
            if let Some(m) = out.months.get_mut((i.planned_month - 1).clamp(0, 11) as usize) {
                m.0 += 1;
            }
            if let Some(d) = i.concluded_on.filter(|d| d.year() == year && status_of(i) == Status::Issued) {
                out.months[d.month0() as usize].1 += 1;
            }
        }
        let ids: Vec<i64> = live.iter().map(|i| i.id).collect();
        let mut findings: HashMap<i64, usize> = HashMap::new();
        let mut recs: HashMap<i64, Vec<RecommendationFacts>> = HashMap::new();
        let mut results: Vec<inspection_result::Model> = Vec::new();
        for chunk in ids.chunks(500) {
            for f in inspection_finding::Entity::find()
                .filter(inspection_finding::Column::InspectionId.is_in(chunk.to_vec()))
                .all(&self.db)
                .await?
            {
                *findings.entry(f.inspection_id).or_default() += 1;
            }
            for r in inspection_recommendation::Entity::find()
                .filter(inspection_recommendation::Column::InspectionId.is_in(chunk.to_vec()))
                .all(&self.db)
                .await?
            {
                let status = RemediationStatus::parse(&r.status).unwrap_or(RemediationStatus::Open);
                recs.entry(r.inspection_id).or_default().push(RecommendationFacts { deadline: r.deadline, status });
            }
            results.extend(
                inspection_result::Entity::find()
                    .filter(inspection_result::Column::InspectionId.is_in(chunk.to_vec()))
                    .all(&self.db)
                    .await?,
            );
        }
        let mut topics: Vec<String> = live.iter().map(|i| i.topic.clone()).collect();
        topics.sort();
        topics.dedup();
        for topic in topics {
            let of: Vec<&&inspection::Model> = live.iter().filter(|i| i.topic == topic).collect();
            let issued: Vec<&&&inspection::Model> = of.iter().filter(|i| status_of(i) == Status::Issued).collect();
            // the measure over the topic's issued conclusions: the same function the feeds use
            let facts = UnitFacts {
                concluded: issued.len(),
                recommendations: issued.iter().flat_map(|i| recs.get(&i.id).cloned().unwrap_or_default()).collect(),
            };
            out.topics.push(TopicLine {
                inspections: of.len(),
                issued: issued.len(),
                findings: issued.iter().map(|i| findings.get(&i.id).copied().unwrap_or(0)).sum(),
                recommendations: facts.recommendations.len(),
                due: facts.recommendations.iter().filter(|r| r.due(today)).count(),
                remedied: facts.recommendations.iter().filter(|r| r.remedied()).count(),
                overdue: facts.recommendations.iter().filter(|r| r.overdue(today)).count(),
                rate: parindex_core::inspections::Measure::RemediationRate.of(&facts, today),
                topic,
            });
        }
        // items: titles from each inspection's own checklist copy
        let by_id: HashMap<i64, &inspection::Model> = live.iter().map(|i| (i.id, *i)).collect();
        let mut titles: HashMap<(String, String), String> = HashMap::new();
        let mut counts: HashMap<(String, String), (usize, usize, usize)> = HashMap::new();
        let mut parsed: HashMap<i64, Option<Checklist>> = HashMap::new();
        for r in &results {
            let Some(i) = by_id.get(&r.inspection_id) else { continue };
            let Some(v) = Verdict::parse(&r.verdict) else { continue };
            let key = (i.topic.clone(), r.item_key.clone());
            if !titles.contains_key(&key) {
                let c = parsed.entry(i.id).or_insert_with(|| serde_json::from_str(&i.checklist).ok());
                if let Some(title) =
                    c.as_ref().and_then(|c| c.items().into_iter().find(|(k, _, _)| *k == r.item_key).map(|(_, _, it)| it.title.clone()))
                {
                    titles.insert(key.clone(), title);
                }
            }
            let e = counts.entry(key).or_default();
            if v != Verdict::NotApplicable {
                e.0 += 1;
            }
            match v {
                Verdict::Partly => e.1 += 1,
                Verdict::NotCompliant => e.2 += 1,
                _ => {}
            }
        }
        let mut items: Vec<ItemLine> = counts
            .into_iter()
            .filter(|(_, (_, p, n))| p + n > 0)
            .map(|((topic, item_key), (checked, partly, not_compliant))| ItemLine {
                title: titles.get(&(topic.clone(), item_key.clone())).cloned().unwrap_or_else(|| item_key.clone()),
                topic,
                item_key,
                checked,
                partly,
                not_compliant,
            })
            .collect();
        items.sort_by(|a, b| {
            (b.partly + b.not_compliant)
                .cmp(&(a.partly + a.not_compliant))
                .then(b.not_compliant.cmp(&a.not_compliant))
                .then(a.item_key.cmp(&b.item_key))
        });
        items.truncate(30);
        out.items = items;
        Ok(out)
    }

    /// The daily recompute of the leaves fed by `inspections.*` (run by the reminders job): a
    /// recommendation becomes due, or overdue, the day after its deadline with no write to the
    /// register. Conclusions of this year and the last; leaves that do not change are not
    /// rewritten, so running it more often is harmless. The leaves written.
    pub async fn recompute_inspections_daily(&self, today: NaiveDate) -> Result<usize, StoreError> {
        let years = BTreeSet::from([today.year() - 1, today.year()]);
        let fed = self.periods_fed_by(&years, |f| matches!(f, Feed::Inspections(..))).await?;
        if fed.is_empty() {
            return Ok(0);
        }
        let ctx = AuditCtx::system("inspection-deadlines");
        Ok(self.db.transaction::<_, usize, StoreError>(|txn| Box::pin(async move { recompute(txn, &ctx, &fed).await })).await?)
    }

    /// Every recommendation of an issued conclusion still to remedy (not reported, or returned),
    /// across units — for the daily reminders, which run as the system (no actor: never shown
    /// as such to a person).
    pub(crate) async fn recommendations_to_remedy(&self, today: NaiveDate) -> Result<Vec<RecommendationRow>, StoreError> {
        let issued: BTreeSet<i64> = inspection::Entity::find()
            .filter(inspection::Column::Status.eq(Status::Issued.key()))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|i| i.id)
            .collect();
        let units = unit_names(&self.db).await?;
        Ok(inspection_recommendation::Entity::find()
            .filter(inspection_recommendation::Column::Status.is_in([RemediationStatus::Open.key(), RemediationStatus::Returned.key()]))
            .order_by_asc(inspection_recommendation::Column::Deadline)
            .all(&self.db)
            .await?
            .iter()
            .filter(|r| issued.contains(&r.inspection_id))
            .map(|r| rec_row(r, &units, today))
            .collect())
    }

    /// The owner unit reports how it remedied a recommendation (with evidence files kept in the
    /// blob store); the team decides next.
    pub async fn report_remediation(
        &self,
        ctx: &AuditCtx,
        actor: &Actor,
        rec_id: i64,
        version: i32,
        text: &str,
        files: Vec<NewFile>,
    ) -> Result<RecommendationRow, StoreError> {
        let r = inspection_recommendation::Entity::find_by_id(rec_id).one(&self.db).await?.ok_or(StoreError::NotFound)?;
        let (m, _, _, _) = self.inspection_for(actor, r.inspection_id).await?;
        if !can_report_remediation(actor, r.owner_unit_id) || status_of(&m) != Status::Issued {
            return Err(forbidden());
        }
        let status = RemediationStatus::parse(&r.status).unwrap_or(RemediationStatus::Open);
        if !matches!(status, RemediationStatus::Open | RemediationStatus::Returned) {
            return Err(StoreError::Conflict(Msg::new(
                "Kiến nghị này đã được báo cáo khắc phục, đang chờ hoặc đã được đoàn xem xét.",
                "This recommendation's remediation is already reported and awaiting or decided by the team.",
            )));
        }
        let mut errors = Vec::new();
        let text = text_of("remediation", text, true, &mut errors);
        if files.len() > 10 {
            errors.push(err("files", "Tối đa 10 tệp mỗi lần báo cáo.", "At most 10 files per report."));
        }
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        // a reported remediation is not remedied yet: no measure moves until the team decides
        let ctx2 = ctx.clone();
        let text = text.unwrap_or_default();
        let inspection_id = m.id;
        self.db
            .transaction::<_, (), StoreError>(|txn| {
                Box::pin(async move {
                    let r = inspection_recommendation::Entity::find_by_id(rec_id).one(txn).await?.ok_or(StoreError::NotFound)?;
                    // read again inside the transaction: two reports sent at once do not both land
                    let open = [RemediationStatus::Open.key(), RemediationStatus::Returned.key()].contains(&r.status.as_str());
                    if (version != 0 && r.version != version) || !open {
                        return Err(conflict("Kiến nghị"));
                    }
                    let before = json!({"status": r.status});
                    let v = r.version;
                    let mut am = r.into_active_model();
                    am.status = Set(RemediationStatus::Reported.key().into());
                    am.remediation = Set(Some(text.clone()));
                    am.reported_by = Set(Some(ctx2.actor_name.clone()));
                    am.reported_at = Set(Some(Utc::now()));
                    am.version = Set(v + 1);
                    am.updated_by = Set(ctx2.actor_name.clone());
                    am.updated_at = Set(Utc::now());
                    am.update(txn).await?;
                    let names: Vec<String> = files.iter().map(|f| f.name.clone()).collect();
                    for f in files {
                        insert_file_in(txn, &ctx2, inspection_id, Some(rec_id), "remediation", None, None, f).await?;
                    }
                    record(
                        txn,
                        &ctx2,
                        AuditEntry {
                            action: "inspection.remediation",
                            object_type: "inspection_recommendation",
                            object_id: Some(rec_id.to_string()),
                            before: Some(before),
                            after: Some(json!({"status": "reported", "text": text, "files": names})),
                            ..Default::default()
                        },
                    )
                    .await
                })
            })
            .await?;
        let units = unit_names(&self.db).await?;
        let r = inspection_recommendation::Entity::find_by_id(rec_id).one(&self.db).await?.ok_or(StoreError::NotFound)?;
        Ok(rec_row(&r, &units, parindex_core::assessment::today_vn()))
    }

    /// The team (or the office) accepts a reported remediation — remedied, the feeds move — or
    /// returns it with the reason (open again).
    pub async fn decide_remediation(
        &self,
        ctx: &AuditCtx,
        actor: &Actor,
        rec_id: i64,
        input: DecisionInput,
    ) -> Result<RecommendationRow, StoreError> {
        let r = inspection_recommendation::Entity::find_by_id(rec_id).one(&self.db).await?.ok_or(StoreError::NotFound)?;
        let (m, _, _, view) = self.inspection_for(actor, r.inspection_id).await?;
        if !view.can_decide() || status_of(&m) != Status::Issued {
            return Err(forbidden());
        }
        if r.status != RemediationStatus::Reported.key() {
            return Err(StoreError::Conflict(Msg::new(
                "Chỉ xem xét được kiến nghị đơn vị đã báo cáo khắc phục.",
                "Only a reported remediation can be decided.",
            )));
        }
        let mut errors = Vec::new();
        let reason = input.reason.as_deref().and_then(|t| text_of("reason", t, !input.accept, &mut errors));
        if !input.accept && reason.is_none() && errors.is_empty() {
            errors.push(err("reason", "Ghi lý do trả lại.", "Write why it is returned."));
        }
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let year = m.concluded_on.map(|d| d.year()).unwrap_or_default();
        let fed = self.periods_fed_by(&BTreeSet::from([year]), |f| matches!(f, Feed::Inspections(..))).await?;
        let ctx = ctx.clone();
        self.db
            .transaction::<_, (), StoreError>(|txn| {
                Box::pin(async move {
                    let r = inspection_recommendation::Entity::find_by_id(rec_id).one(txn).await?.ok_or(StoreError::NotFound)?;
                    if (input.version != 0 && r.version != input.version) || r.status != RemediationStatus::Reported.key() {
                        return Err(conflict("Kiến nghị"));
                    }
                    let status = if input.accept { RemediationStatus::Accepted } else { RemediationStatus::Returned };
                    let v = r.version;
                    let mut am = r.into_active_model();
                    am.status = Set(status.key().into());
                    am.return_reason = Set(if input.accept { None } else { reason.clone() });
                    am.decided_by = Set(Some(ctx.actor_name.clone()));
                    am.decided_at = Set(Some(Utc::now()));
                    am.version = Set(v + 1);
                    am.updated_by = Set(ctx.actor_name.clone());
                    am.updated_at = Set(Utc::now());
                    am.update(txn).await?;
                    let written = recompute(txn, &ctx, &fed).await?;
                    record(
                        txn,
                        &ctx,
                        AuditEntry {
                            action: "inspection.decision",
                            object_type: "inspection_recommendation",
                            object_id: Some(rec_id.to_string()),
                            before: Some(json!({"status": "reported"})),
                            after: Some(json!({"status": status.key(), "reason": reason, "leaves_written": written})),
                            ..Default::default()
                        },
                    )
                    .await
                })
            })
            .await?;
        let units = unit_names(&self.db).await?;
        let r = inspection_recommendation::Entity::find_by_id(rec_id).one(&self.db).await?.ok_or(StoreError::NotFound)?;
        Ok(rec_row(&r, &units, parindex_core::assessment::today_vn()))
    }
}

/// Record a file of an inspection inside the caller's transaction, audited.
#[allow(clippy::too_many_arguments)]
async fn insert_file_in<C: ConnectionTrait>(
    c: &C,
    ctx: &AuditCtx,
    id: i64,
    recommendation_id: Option<i64>,
    kind: &str,
    item_key: Option<String>,
    note: Option<String>,
    file: NewFile,
) -> Result<inspection_file::Model, StoreError> {
    let m = inspection_file::ActiveModel {
        inspection_id: Set(id),
        recommendation_id: Set(recommendation_id),
        item_key: Set(item_key),
        kind: Set(kind.to_string()),
        sha256: Set(file.sha256.clone()),
        size: Set(file.size),
        file_kind: Set(file.kind.as_str().to_string()),
        name: Set(file.name.chars().take(255).collect()),
        note: Set(note),
        created_by: Set(ctx.actor_name.clone()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(c)
    .await?;
    record(
        c,
        ctx,
        AuditEntry {
            action: "inspection.file",
            object_type: "inspection",
            object_id: Some(id.to_string()),
            after: Some(json!({"kind": kind, "name": m.name, "sha256": m.sha256, "recommendation_id": recommendation_id})),
            ..Default::default()
        },
    )
    .await?;
    Ok(m)
}

fn c_items(definition: &str) -> usize {
    serde_json::from_str::<Checklist>(definition).map(|c| c.items().len()).unwrap_or(0)
}
