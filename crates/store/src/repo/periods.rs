//! Assessment periods and each unit's self-assessment (issue #4, first step): open a period on a
//! published framework for units chosen by kind or by list (one assessment per unit), save one
//! leaf's input with optimistic versioning, submit. Authorization is the caller's (`can`); the
//! state and deadline rules are checked here, inside the transaction that writes.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use parindex_core::assessment::{State, within};
use parindex_core::framework::result::{LeafInputs, Stage, unit_score};
use parindex_core::framework::{Framework, Input, Source};
use parindex_core::unit::FieldError;
use parindex_core::{Exact, Msg, Role, UnitScope};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Set, TransactionTrait};
use serde::Serialize;
use serde_json::json;

use crate::entity::{assessment, assessment_entry, framework, period, period_assignment, unit, user};
use crate::repo::audit::{AuditCtx, AuditEntry, record};
use crate::repo::notifications::{Recipients, notify};
use crate::{Store, StoreError};

/// What opens a period.
#[derive(Debug, Clone, Default)]
pub struct PeriodInput {
    pub code: String,
    pub name: String,
    pub year: i32,
    pub framework_code: String,
    /// Participating unit kinds (empty: the framework's kinds) …
    pub unit_kinds: Vec<String>,
    /// … or an explicit list of unit codes (wins over kinds when not empty).
    pub unit_codes: Vec<String>,
    pub self_due: Option<NaiveDate>,
    pub appraisal_due: Option<NaiveDate>,
    pub explanation_due: Option<NaiveDate>,
    pub final_due: Option<NaiveDate>,
    pub approval_due: Option<NaiveDate>,
    /// The username of the reform office's officer responsible for the period (who to call).
    pub contact_username: Option<String>,
}

/// A person to call (issue #17): the officer responsible for a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Person {
    pub username: String,
    pub full_name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
}

impl Person {
    pub(crate) fn of(u: &user::Model) -> Person {
        Person { username: u.username.clone(), full_name: u.full_name.clone(), phone: u.phone.clone(), email: u.email.clone() }
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct PeriodRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub year: i32,
    pub framework_code: String,
    pub status: String,
    pub self_due: Option<NaiveDate>,
    pub appraisal_due: Option<NaiveDate>,
    pub explanation_due: Option<NaiveDate>,
    pub final_due: Option<NaiveDate>,
    pub approval_due: Option<NaiveDate>,
    /// Assessments per state.
    pub states: BTreeMap<String, usize>,
    pub units: usize,
    /// The council's approval decision, once the results are approved.
    pub decision: Option<Decision>,
    /// The reform office's officer responsible for the period.
    pub contact: Option<Person>,
}

/// The council's decision approving a period's results (issue #17): recorded with the approval,
/// shown on the results, the public portal and the documents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Decision {
    /// The decision's number as written on it, e.g. `125/QĐ-HĐTĐ`.
    pub number: String,
    /// The date it was signed (not after the day of approval).
    pub date: NaiveDate,
    /// Who signed it (name and title).
    pub signer: String,
}

impl Decision {
    /// "Quyết định số 125/QĐ-HĐTĐ ngày 20/02/2026 (Nguyễn Văn A, Chủ tịch Hội đồng)".
    pub fn text(&self, lang: &str) -> String {
        let d = parindex_core::text::format_date(self.date);
        if lang == "en" {
            format!("Decision No. {} of {d} ({})", self.number, self.signer)
        } else {
            format!("Quyết định số {} ngày {d} ({})", self.number, self.signer)
        }
    }

    /// The decision checked: a number, a signer, a date not after `today`; each problem named.
    pub fn check(self, today: NaiveDate) -> Result<Decision, StoreError> {
        let mut errors = Vec::new();
        let (number, signer) = (self.number.trim().to_string(), self.signer.trim().to_string());
        if number.is_empty() || number.chars().count() > 60 {
            errors.push(FieldError {
                field: "decision_number",
                message: Msg::new(
                    "Ghi số quyết định phê duyệt (tối đa 60 ký tự), ví dụ 125/QĐ-HĐTĐ.",
                    "Write the approval decision's number (at most 60 characters), e.g. 125/QĐ-HĐTĐ.",
                ),
            });
        }
        if signer.is_empty() || signer.chars().count() > 120 {
            errors.push(FieldError {
                field: "signer",
                message: Msg::new("Ghi người ký quyết định (họ tên, chức vụ).", "Write who signed the decision (name, title)."),
            });
        }
        if self.date > today {
            errors.push(FieldError {
                field: "decision_date",
                message: Msg::new(
                    format!("Ngày quyết định {} chưa đến.", parindex_core::text::format_date(self.date)),
                    format!("The decision's date {} is in the future.", parindex_core::text::format_date(self.date)),
                ),
            });
        }
        if errors.is_empty() { Ok(Decision { number, date: self.date, signer }) } else { Err(StoreError::Invalid(errors)) }
    }
}

impl PeriodRow {
    /// Every unit's result is approved by the council (approval is per assessment; the period
    /// itself stays open for the record).
    pub fn approved(&self) -> bool {
        self.units > 0 && self.states.keys().all(|k| k == "approved")
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct AssessmentRow {
    pub id: i64,
    pub period_id: i64,
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    pub unit_kind: String,
    pub state: State,
    /// The self-assessment deadline for this unit (its extension, else the period's).
    pub self_due: Option<NaiveDate>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub submitted_by: Option<String>,
    /// Leaves with an input, of the leaves the unit scores itself.
    pub done: usize,
    pub to_do: usize,
    /// Sum of the unit's points (exact).
    pub self_total: Exact,
    /// Leaves appraised so far, and Σ (self − appraised) over them: over-scoring is positive.
    pub appraised: usize,
    pub gap: Exact,
}

#[derive(Debug, Clone, Serialize)]
pub struct EntryRow {
    pub node_code: String,
    pub input: Option<Input>,
    pub points: Option<Exact>,
    pub note: Option<String>,
    pub explanation: Option<String>,
    pub version: i32,
    pub updated_by: String,
    pub updated_at: DateTime<Utc>,
    pub appraised_input: Option<Input>,
    pub appraised_points: Option<Exact>,
    pub appraisal_comment: Option<String>,
    pub appraised_by: Option<String>,
    pub appraised_at: Option<DateTime<Utc>>,
    pub returned_reason: Option<String>,
    pub contest: Option<String>,
    pub contest_by: Option<String>,
    pub final_input: Option<Input>,
    pub final_points: Option<Exact>,
    pub final_comment: Option<String>,
    pub final_by: Option<String>,
    pub final_at: Option<DateTime<Utc>>,
}

/// One leaf as the unit saves it. `version` is the one the form was rendered with (0: new).
#[derive(Debug, Clone, Default)]
pub struct EntryInput {
    pub input: Option<Input>,
    pub note: Option<String>,
    pub explanation: Option<String>,
    pub version: i32,
}

/// What the self-assessment page sends when saved as a whole ([`Store::save_sheet`]).
#[derive(Debug, Clone, Default)]
pub struct SheetChange {
    /// The leaves changed on the page (code, input with the version it was read at).
    pub entries: Vec<(String, EntryInput)>,
    /// Files of the unit's library to attach (code, evidence id).
    pub links: Vec<(String, i64)>,
    /// Files to take off a leaf (code, evidence id); they stay in the library.
    pub unlinks: Vec<(String, i64)>,
    /// Refusals the caller found first (an input its form could not read): listed with the
    /// store's own, and nothing is written.
    pub refused: Vec<(String, Msg)>,
}

/// What became of a page saved as a whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SheetOutcome {
    /// Everything was written (counts of leaves, attached and removed files).
    Saved { entries: usize, links: usize, unlinks: usize },
    /// Nothing was written: each refusal with its leaf's code, in the page's order.
    Refused(Vec<SheetRefusal>),
}

/// Why one leaf of a page saved as a whole was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetRefusal {
    pub code: String,
    pub message: Msg,
    /// Somebody saved the leaf since the page was drawn: show the newer value, not the typed one.
    pub stale: bool,
}

/// A unit's whole assessment: everything the self-assessment page needs.
#[derive(Debug, Clone)]
pub struct AssessmentView {
    pub assessment: AssessmentRow,
    pub period: PeriodRow,
    pub framework: Framework,
    pub entries: HashMap<String, EntryRow>,
    /// Evidence files linked to each leaf.
    pub evidence: HashMap<String, Vec<crate::repo::evidence::EvidenceRow>>,
}

fn doc(m: &framework::Model) -> Result<Framework, StoreError> {
    serde_json::from_str(&m.document).map_err(|e| StoreError::Db(sea_orm::DbErr::Custom(format!("framework document: {e}"))))
}

/// Leaves the unit scores itself: self-assessed source, meant for its kind.
pub fn self_leaves<'a>(fw: &'a Framework, kind: &str) -> Vec<&'a parindex_core::framework::Node> {
    leaves_from(fw, kind, Source::SelfAssessed)
}

/// Every leaf of a framework, in order, whatever its kind or source.
pub fn all_leaves(fw: &Framework) -> Vec<&parindex_core::framework::Node> {
    fn go<'a>(n: &'a parindex_core::framework::Node, out: &mut Vec<&'a parindex_core::framework::Node>) {
        if n.is_leaf() {
            out.push(n);
        } else {
            n.children.iter().for_each(|c| go(c, out));
        }
    }
    let mut out = Vec::new();
    fw.nodes.iter().for_each(|n| go(n, &mut out));
    out
}

/// Leaves of one source (self-assessed, survey…) meant for a kind of unit, in framework order.
pub fn leaves_from<'a>(fw: &'a Framework, kind: &str, source: Source) -> Vec<&'a parindex_core::framework::Node> {
    fn go<'a>(n: &'a parindex_core::framework::Node, kind: &str, source: Source, out: &mut Vec<&'a parindex_core::framework::Node>) {
        if !n.applies_to.is_empty() && !n.applies_to.iter().any(|k| k == kind) {
            return;
        }
        if n.is_leaf() {
            if n.source == source {
                out.push(n);
            }
        } else {
            n.children.iter().for_each(|c| go(c, kind, source, out));
        }
    }
    let mut out = Vec::new();
    fw.nodes.iter().for_each(|n| go(n, kind, source, &mut out));
    out
}

pub(crate) fn entry_row(m: &assessment_entry::Model) -> EntryRow {
    EntryRow {
        node_code: m.node_code.clone(),
        input: m.self_input.as_deref().and_then(|s| serde_json::from_str(s).ok()),
        points: m.self_points.as_deref().and_then(Exact::parse),
        note: m.note.clone(),
        explanation: m.explanation.clone(),
        version: m.version,
        updated_by: m.updated_by.clone(),
        updated_at: m.updated_at,
        appraised_input: m.appraised_input.as_deref().and_then(|s| serde_json::from_str(s).ok()),
        appraised_points: m.appraised_points.as_deref().and_then(Exact::parse),
        appraisal_comment: m.appraisal_comment.clone(),
        appraised_by: m.appraised_by.clone(),
        appraised_at: m.appraised_at,
        returned_reason: m.returned_reason.clone(),
        contest: m.contest.clone(),
        contest_by: m.contest_by.clone(),
        final_input: m.final_input.as_deref().and_then(|s| serde_json::from_str(s).ok()),
        final_points: m.final_points.as_deref().and_then(Exact::parse),
        final_comment: m.final_comment.clone(),
        final_by: m.final_by.clone(),
        final_at: m.final_at,
    }
}

/// The points an input gives on a leaf (none when not applicable); a refused input is an
/// `Invalid` error on the field `input`. The one writer of the cached `*_points` columns: the
/// engine's own leaf function (`core::framework::result::leaf_points`), so the cache holds
/// exactly what the result computation gives (store_contract `cached_points_equal_the_engine`).
pub(crate) fn points_of(leaf: &parindex_core::framework::Node, input: &Input) -> Result<Option<Exact>, StoreError> {
    let rule =
        leaf.rule.as_ref().ok_or_else(|| invalid("input", "Tiêu chí chưa có quy tắc chấm.".into(), "The leaf has no rule.".into()))?;
    let max = leaf.max.clone().unwrap_or_default();
    parindex_core::framework::result::leaf_points(rule, &max, input)
        .map_err(|m| StoreError::Invalid(vec![FieldError { field: "input", message: m }]))
}

/// What a unit's input gives on one of its leaves, checked as every save checks it (one page
/// leaf, the whole page, the self-score sheet, the API): the rule accepts the input, and a leaf
/// marked not applicable says why (issue #17: said when saving, not only at submission).
pub(crate) fn checked_points(leaf: &parindex_core::framework::Node, e: &EntryInput) -> Result<Option<Exact>, StoreError> {
    let Some(i) = &e.input else { return Ok(None) };
    if i.not_applicable && e.explanation.as_deref().is_none_or(|x| x.trim().is_empty()) {
        return Err(invalid(
            "explanation",
            "Đánh dấu “không áp dụng” cần giải trình vì sao (ô Giải trình).".into(),
            "Marking a leaf not applicable needs an explanation why (the Explanation box).".into(),
        ));
    }
    points_of(leaf, i)
}

/// A code that is not one of the leaves the unit scores itself.
fn not_self_leaf(code: &str) -> StoreError {
    invalid("code", format!("“{code}” không phải tiêu chí đơn vị tự chấm."), format!("“{code}” is not a leaf the unit scores itself."))
}

/// Somebody saved the leaf since the form was drawn (told who and when; never overwritten).
fn saved_meanwhile(code: &str, who: &str, when: &str) -> StoreError {
    StoreError::Conflict(Msg::new(
        format!(
            "Tiêu chí {code} vừa được {who} lưu lúc {when} trong lúc bạn sửa. Trang đã hiện giá trị mới nhất; hãy xem lại rồi lưu lần nữa."
        ),
        format!(
            "Leaf {code} was saved by {who} at {when} while you were editing. The page shows the latest value; check it and save again."
        ),
    ))
}

/// A refusal of one row of a file, named by its row.
fn on_row(row: usize, e: StoreError) -> StoreError {
    match e {
        StoreError::Invalid(v) => StoreError::Invalid(
            v.into_iter()
                .map(|f| FieldError {
                    field: f.field,
                    message: Msg::new(format!("Dòng {row}: {}", f.message.vi), format!("Row {row}: {}", f.message.en)),
                })
                .collect(),
        ),
        e => e,
    }
}

/// A stored state, typed: one the workflow does not know is a data error, never a silent draft.
pub(crate) fn stored_state(assessment_id: i64, text: &str) -> Result<State, StoreError> {
    State::parse(text).ok_or_else(|| StoreError::Db(sea_orm::DbErr::Custom(format!("assessment {assessment_id}: unknown state “{text}”"))))
}

/// The one way an assessment's state changes (issue #16), inside the caller's transaction: the
/// state is read again there, must be one of `expected` (the caller checked it before; another
/// request may have moved it since), and the move must be in the workflow's table
/// (`core::assessment::TRANSITIONS`; staying in the same state is allowed). Returns the state
/// before and the row with its new state, for the caller to add its own fields and save.
pub(crate) async fn move_state<C: sea_orm::ConnectionTrait>(
    txn: &C,
    assessment_id: i64,
    expected: &[State],
    to: State,
) -> Result<(State, assessment::ActiveModel), StoreError> {
    let a = assessment::Entity::find_by_id(assessment_id).one(txn).await?.ok_or(StoreError::NotFound)?;
    let now = stored_state(assessment_id, &a.state)?;
    if !expected.contains(&now) {
        return Err(StoreError::Conflict(Msg::new(
            "Trạng thái vừa thay đổi; hãy tải lại trang.",
            "The state just changed; reload the page.",
        )));
    }
    if now != to && !now.can_move(to) {
        return Err(StoreError::Conflict(Msg::new(
            format!("Không thể chuyển từ “{}” sang “{}”.", now.label("vi"), to.label("vi")),
            format!("An assessment cannot move from “{}” to “{}”.", now.label("en"), to.label("en")),
        )));
    }
    let mut am = a.into_active_model();
    am.state = Set(to.as_str().into());
    am.updated_at = Set(Utc::now());
    Ok((now, am))
}

/// One leaf's row of an assessment, inside a transaction.
pub(crate) async fn entry_of<C: sea_orm::ConnectionTrait>(
    c: &C,
    assessment_id: i64,
    code: &str,
) -> Result<Option<assessment_entry::Model>, StoreError> {
    Ok(assessment_entry::Entity::find()
        .filter(assessment_entry::Column::AssessmentId.eq(assessment_id))
        .filter(assessment_entry::Column::NodeCode.eq(code))
        .one(c)
        .await?)
}

/// Write one leaf's self-score inside a transaction: refused when somebody saved it since
/// `e.version` (told who and when); audited.
async fn write_entry<C: sea_orm::ConnectionTrait>(
    txn: &C,
    ctx: &AuditCtx,
    assessment_id: i64,
    code: &str,
    e: &EntryInput,
    points: Option<Exact>,
) -> Result<assessment_entry::Model, StoreError> {
    let now = Utc::now();
    let existing = entry_of(txn, assessment_id, code).await?;
    let current = existing.as_ref().map(|x| x.version).unwrap_or(0);
    if current != e.version {
        let (who, when) =
            existing.as_ref().map(|x| (x.updated_by.clone(), parindex_core::text::format_time_vn(x.updated_at))).unwrap_or_default();
        return Err(saved_meanwhile(code, &who, &when));
    }
    let input_json = e.input.as_ref().map(|i| serde_json::to_string(i).unwrap_or_default());
    let before = existing.as_ref().map(|x| json!({"input": x.self_input, "points": x.self_points}));
    let saved = match existing {
        Some(x) => {
            let mut am = x.into_active_model();
            am.self_input = Set(input_json.clone());
            am.self_points = Set(points.as_ref().map(|p| p.to_string()));
            am.note = Set(e.note.clone().filter(|s| !s.trim().is_empty()));
            am.explanation = Set(e.explanation.clone().filter(|s| !s.trim().is_empty()));
            am.version = Set(current + 1);
            am.updated_by = Set(ctx.actor_name.clone());
            am.updated_at = Set(now);
            am.update(txn).await?
        }
        None => {
            assessment_entry::ActiveModel {
                assessment_id: Set(assessment_id),
                node_code: Set(code.to_string()),
                self_input: Set(input_json.clone()),
                self_points: Set(points.as_ref().map(|p| p.to_string())),
                note: Set(e.note.clone().filter(|s| !s.trim().is_empty())),
                explanation: Set(e.explanation.clone().filter(|s| !s.trim().is_empty())),
                version: Set(1),
                updated_by: Set(ctx.actor_name.clone()),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(txn)
            .await?
        }
    };
    record(
        txn,
        ctx,
        AuditEntry {
            action: "assessment.self_score",
            object_type: "assessment",
            object_id: Some(format!("{assessment_id}/{code}")),
            before,
            after: Some(json!({"input": input_json, "points": points.as_ref().map(|p| p.to_string())})),
            ..Default::default()
        },
    )
    .await?;
    Ok(saved)
}

/// The unit may change its self-assessment now: a state it edits in, before its deadline.
pub(crate) fn unit_may_edit(view: &AssessmentView, today: NaiveDate) -> Result<(), StoreError> {
    let state = view.assessment.state;
    if !state.unit_edits() {
        return Err(StoreError::Conflict(Msg::new(
            format!("Bản tự đánh giá đang ở trạng thái “{}”, đơn vị không sửa được.", state.label("vi")),
            format!("The self-assessment is “{}”; the unit cannot change it.", state.label("en")),
        )));
    }
    within(view.assessment.self_due, today).map_err(StoreError::Conflict)
}

pub(crate) fn invalid(field: &'static str, vi: String, en: String) -> StoreError {
    StoreError::Invalid(vec![FieldError { field, message: Msg::new(vi, en) }])
}

impl Store {
    fn period_row(&self, p: &period::Model, fw_code: &str, assessments: &[assessment::Model], users: &[user::Model]) -> PeriodRow {
        let mut states = BTreeMap::new();
        for a in assessments.iter().filter(|a| a.period_id == p.id) {
            *states.entry(a.state.clone()).or_insert(0) += 1;
        }
        PeriodRow {
            id: p.id,
            code: p.code.clone(),
            name: p.name.clone(),
            year: p.year,
            framework_code: fw_code.to_string(),
            status: p.status.clone(),
            self_due: p.self_due,
            appraisal_due: p.appraisal_due,
            explanation_due: p.explanation_due,
            final_due: p.final_due,
            approval_due: p.approval_due,
            units: states.values().sum(),
            states,
            decision: match (&p.decision_number, p.decision_date, &p.decision_signer) {
                (Some(number), Some(date), Some(signer)) => Some(Decision { number: number.clone(), date, signer: signer.clone() }),
                _ => None,
            },
            contact: p.contact_user_id.and_then(|id| users.iter().find(|u| u.id == id)).map(Person::of),
        }
    }

    /// The user named as a period's responsible officer: must exist, be active and belong to
    /// the reform office (an administrator).
    async fn contact_user<C: sea_orm::ConnectionTrait>(c: &C, username: Option<&str>) -> Result<Option<i64>, StoreError> {
        let Some(name) = username.map(str::trim).filter(|n| !n.is_empty()) else { return Ok(None) };
        match user::Entity::find().filter(user::Column::Username.eq(name.to_lowercase())).one(c).await? {
            Some(u) if !u.disabled && u.role == Role::Admin.as_str() => Ok(Some(u.id)),
            _ => Err(invalid(
                "contact",
                format!("“{name}” không phải tài khoản đang hoạt động của Phòng Cải cách hành chính: chọn một cán bộ trong danh sách."),
                format!("“{name}” is not an active account of the reform office: choose an officer from the list."),
            )),
        }
    }

    /// Name (or clear) the officer responsible for a period.
    pub async fn set_period_contact(&self, ctx: &AuditCtx, period_id: i64, username: Option<&str>) -> Result<PeriodRow, StoreError> {
        let p = period::Entity::find_by_id(period_id).one(&self.db).await?.ok_or(StoreError::NotFound)?;
        let id = Self::contact_user(&self.db, username).await?;
        if p.contact_user_id != id {
            let ctx = ctx.clone();
            let username = username.map(|u| u.trim().to_lowercase()).filter(|u| !u.is_empty());
            self.db
                .transaction::<_, (), StoreError>(|txn| {
                    Box::pin(async move {
                        let code = p.code.clone();
                        let mut am = p.into_active_model();
                        am.contact_user_id = Set(id);
                        am.update(txn).await?;
                        record(
                            txn,
                            &ctx,
                            AuditEntry {
                                action: "period.contact",
                                object_type: "period",
                                object_id: Some(code),
                                after: Some(json!({"contact": username})),
                                ..Default::default()
                            },
                        )
                        .await
                    })
                })
                .await?;
        }
        self.get_period(period_id).await
    }

    /// Open a period: one assessment (draft) per participating unit — those that exist at the end of
    /// the period's year. All or nothing.
    pub async fn create_period(&self, ctx: &AuditCtx, input: PeriodInput) -> Result<PeriodRow, StoreError> {
        let mut errors = Vec::new();
        let err = |field: &'static str, vi: &str, en: &str| FieldError { field, message: Msg::new(vi, en) };
        let code = input.code.trim().to_string();
        if code.is_empty() || code.len() > 64 {
            errors.push(err(
                "code",
                "Mã kỳ đánh giá gồm 1–64 ký tự, ví dụ 2026-SO.",
                "A period code has 1–64 characters, e.g. 2026-AGENCIES.",
            ));
        } else if period::Entity::find().filter(period::Column::Code.eq(&code)).one(&self.db).await?.is_some() {
            errors.push(err("code", "Mã kỳ đánh giá này đã có.", "This period code is already used."));
        }
        if input.name.trim().is_empty() {
            errors.push(err("name", "Nhập tên kỳ đánh giá.", "Enter the period's name."));
        }
        if !(2000..=2100).contains(&input.year) {
            errors.push(err("year", "Năm đánh giá từ 2000 đến 2100.", "The year is between 2000 and 2100."));
        }
        let fw = framework::Entity::find().filter(framework::Column::Code.eq(input.framework_code.trim())).one(&self.db).await?;
        let fw = match fw {
            None => {
                errors.push(err("framework", "Chọn một bộ chỉ số.", "Choose a framework."));
                None
            }
            Some(f) if f.status != "published" => {
                errors.push(err("framework", "Chỉ dùng được bộ chỉ số đã ban hành.", "Only a published framework can be used."));
                None
            }
            Some(f) => Some(f),
        };
        let dates = [input.self_due, input.appraisal_due, input.explanation_due, input.final_due, input.approval_due];
        let given: Vec<NaiveDate> = dates.iter().flatten().copied().collect();
        if given.windows(2).any(|w| w[0] > w[1]) {
            errors.push(err(
                "deadlines",
                "Các hạn phải theo thứ tự: tự đánh giá ≤ thẩm định ≤ giải trình ≤ thẩm định lại ≤ phê duyệt.",
                "Deadlines go in order: self-assessment ≤ appraisal ≤ explanation ≤ final appraisal ≤ approval.",
            ));
        }
        // the units that exist at the end of the period's year: a past year's period takes the
        // units of then (e.g. the communes before a merger), this year's the active ones
        let year_end = NaiveDate::from_ymd_opt(input.year.clamp(2000, 2100), 12, 31).expect("valid date");
        let units: Vec<unit::Model> = unit::Entity::find()
            .order_by_asc(unit::Column::Code)
            .all(&self.db)
            .await?
            .into_iter()
            .filter(|u| u.active_from.is_none_or(|f| f <= year_end) && u.active_to.is_none_or(|t| t >= year_end))
            .collect();
        let participants: Vec<&unit::Model> = if !input.unit_codes.is_empty() {
            let wanted: Vec<String> = input.unit_codes.iter().map(|c| c.trim().to_uppercase()).filter(|c| !c.is_empty()).collect();
            let unknown: Vec<&String> = wanted.iter().filter(|c| !units.iter().any(|u| &u.code == *c)).collect();
            if !unknown.is_empty() {
                let list = unknown.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", ");
                errors.push(FieldError {
                    field: "units",
                    message: Msg::new(
                        format!("Không có đơn vị hoạt động đến cuối năm {} mã: {list}.", input.year),
                        format!("No unit active at the end of {} with code: {list}.", input.year),
                    ),
                });
            }
            units.iter().filter(|u| wanted.contains(&u.code)).collect()
        } else {
            let kinds: Vec<String> = if input.unit_kinds.is_empty() {
                fw.as_ref().map(|f| f.unit_kinds.split(',').filter(|k| !k.is_empty()).map(str::to_string).collect()).unwrap_or_default()
            } else {
                input.unit_kinds.clone()
            };
            units.iter().filter(|u| kinds.contains(&u.kind)).collect()
        };
        if participants.is_empty() && errors.iter().all(|e| e.field != "units" && e.field != "framework") {
            errors.push(err(
                "units",
                "Không có đơn vị nào tham gia; chọn loại đơn vị hoặc danh sách mã.",
                "No unit takes part; choose unit kinds or list codes.",
            ));
        }
        let contact_id = match Self::contact_user(&self.db, input.contact_username.as_deref()).await {
            Ok(id) => id,
            Err(StoreError::Invalid(e)) => {
                errors.extend(e);
                None
            }
            Err(e) => return Err(e),
        };
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let fw = fw.expect("checked above");
        let unit_ids: Vec<i64> = participants.iter().map(|u| u.id).collect();
        let ctx = ctx.clone();
        let recompute_ctx = ctx.clone();
        let fw_id = fw.id;
        let code_out = code.clone();
        self.db
            .transaction::<_, (), StoreError>(|txn| {
                Box::pin(async move {
                    let now = Utc::now();
                    let p = period::ActiveModel {
                        code: Set(code.clone()),
                        name: Set(input.name.trim().to_string()),
                        year: Set(input.year),
                        framework_id: Set(fw_id),
                        status: Set("open".into()),
                        self_due: Set(input.self_due),
                        appraisal_due: Set(input.appraisal_due),
                        explanation_due: Set(input.explanation_due),
                        final_due: Set(input.final_due),
                        approval_due: Set(input.approval_due),
                        contact_user_id: Set(contact_id),
                        created_at: Set(now),
                        ..Default::default()
                    }
                    .insert(txn)
                    .await?;
                    let rows: Vec<assessment::ActiveModel> = unit_ids
                        .iter()
                        .map(|u| assessment::ActiveModel {
                            period_id: Set(p.id),
                            unit_id: Set(*u),
                            state: Set(State::Draft.as_str().into()),
                            updated_at: Set(now),
                            ..Default::default()
                        })
                        .collect();
                    for chunk in rows.chunks(200) {
                        assessment::Entity::insert_many(chunk.to_vec()).exec(txn).await?;
                    }
                    record(
                        txn,
                        &ctx,
                        AuditEntry {
                            action: "period.create",
                            object_type: "period",
                            object_id: Some(code.clone()),
                            after: Some(json!({"year": input.year, "framework": input.framework_code, "units": unit_ids.len(), "self_due": input.self_due})),
                            ..Default::default()
                        },
                    )
                    .await
                })
            })
            .await?;
        let p = period::Entity::find().filter(period::Column::Code.eq(&code_out)).one(&self.db).await?.ok_or(StoreError::NotFound)?;
        // criteria fed by a register (one-stop statistics, …) start from the data it holds
        self.recompute_feeds(&recompute_ctx, p.id).await?;
        self.get_period(p.id).await
    }

    pub async fn list_periods(&self) -> Result<Vec<PeriodRow>, StoreError> {
        let periods = period::Entity::find().order_by_desc(period::Column::Year).order_by_asc(period::Column::Code).all(&self.db).await?;
        let fws = framework::Entity::find().all(&self.db).await?;
        let all = assessment::Entity::find().all(&self.db).await?;
        let contacts = Self::period_contacts(&self.db, &periods).await?;
        Ok(periods
            .iter()
            .map(|p| {
                let code = fws.iter().find(|f| f.id == p.framework_id).map(|f| f.code.as_str()).unwrap_or("");
                self.period_row(p, code, &all, &contacts)
            })
            .collect())
    }

    pub async fn get_period(&self, id: i64) -> Result<PeriodRow, StoreError> {
        let p = period::Entity::find_by_id(id).one(&self.db).await?.ok_or(StoreError::NotFound)?;
        let fw = framework::Entity::find_by_id(p.framework_id).one(&self.db).await?.ok_or(StoreError::NotFound)?;
        let all = assessment::Entity::find().filter(assessment::Column::PeriodId.eq(id)).all(&self.db).await?;
        let contacts = Self::period_contacts(&self.db, std::slice::from_ref(&p)).await?;
        Ok(self.period_row(&p, &fw.code, &all, &contacts))
    }

    /// The users named as the periods' responsible officers.
    async fn period_contacts<C: sea_orm::ConnectionTrait>(c: &C, periods: &[period::Model]) -> Result<Vec<user::Model>, StoreError> {
        let ids: Vec<i64> = periods.iter().filter_map(|p| p.contact_user_id).collect();
        if ids.is_empty() {
            return Ok(vec![]);
        }
        Ok(user::Entity::find().filter(user::Column::Id.is_in(ids)).all(c).await?)
    }

    /// The assessments of a period that `scope` may see, in unit code order, with progress.
    pub async fn list_assessments(&self, period_id: i64, scope: UnitScope) -> Result<Vec<AssessmentRow>, StoreError> {
        let p = period::Entity::find_by_id(period_id).one(&self.db).await?.ok_or(StoreError::NotFound)?;
        let fw = framework::Entity::find_by_id(p.framework_id).one(&self.db).await?.ok_or(StoreError::NotFound)?;
        let fw = doc(&fw)?;
        let mut q = assessment::Entity::find().filter(assessment::Column::PeriodId.eq(period_id));
        match scope {
            UnitScope::All => {}
            UnitScope::Only(u) => q = q.filter(assessment::Column::UnitId.eq(u)),
            UnitScope::Nothing => return Ok(vec![]),
        }
        let rows = q.all(&self.db).await?;
        let ids: Vec<i64> = rows.iter().map(|a| a.id).collect();
        let units =
            unit::Entity::find().filter(unit::Column::Id.is_in(rows.iter().map(|a| a.unit_id).collect::<Vec<_>>())).all(&self.db).await?;
        let entries =
            assessment_entry::Entity::find().filter(assessment_entry::Column::AssessmentId.is_in(ids.clone())).all(&self.db).await?;
        let mut by_assessment: HashMap<i64, Vec<&assessment_entry::Model>> = HashMap::new();
        for e in &entries {
            by_assessment.entry(e.assessment_id).or_default().push(e);
        }
        // a state the workflow does not know is a data error, not a draft
        let states: HashMap<i64, State> =
            rows.iter().map(|a| Ok((a.id, stored_state(a.id, &a.state)?))).collect::<Result<_, StoreError>>()?;
        let mut to_do_by_kind: HashMap<String, Vec<String>> = HashMap::new();
        let compiled = parindex_core::framework::Compiled::new(&fw).ok();
        let adjustments = self.adjustment_inputs(&ids).await?;
        let mut out: Vec<AssessmentRow> = rows
            .iter()
            .filter_map(|a| {
                let u = units.iter().find(|u| u.id == a.unit_id)?;
                let leaves = to_do_by_kind
                    .entry(u.kind.clone())
                    .or_insert_with(|| self_leaves(&fw, &u.kind).iter().map(|n| n.code.clone()).collect());
                let mine = by_assessment.get(&a.id).map(Vec::as_slice).unwrap_or(&[]);
                let done = mine.iter().filter(|e| e.self_input.is_some() && leaves.contains(&e.node_code)).count();
                // the unit's own total and, over the leaves appraised so far, own − appraised:
                // the one computation (`core::framework::result`), adjustments included
                let inputs: BTreeMap<String, LeafInputs> =
                    mine.iter().map(|e| (e.node_code.clone(), crate::repo::scores::leaf_inputs(e))).collect();
                let adj = adjustments.get(&a.id).cloned().unwrap_or_default();
                let (self_total, gap) = match &compiled {
                    Some(c) => {
                        let own = unit_score(c, &u.kind, &inputs, &adj, Stage::Own, false);
                        let app = unit_score(c, &u.kind, &inputs, &adj, Stage::Appraised, false);
                        let gap: Exact = inputs
                            .iter()
                            .filter(|(_, l)| l.appraised.is_some())
                            .filter_map(|(code, _)| c.position(code))
                            .map(|i| own.sheet.nodes[i].points.clone() - app.sheet.nodes[i].points.clone())
                            .sum();
                        (own.sheet.total, gap)
                    }
                    None => (Exact::ZERO, Exact::ZERO),
                };
                let appraised: Vec<_> = mine.iter().filter(|e| e.appraised_at.is_some()).collect();
                Some(AssessmentRow {
                    id: a.id,
                    period_id: a.period_id,
                    unit_id: u.id,
                    unit_code: u.code.clone(),
                    unit_name: u.name.clone(),
                    unit_kind: u.kind.clone(),
                    state: states[&a.id],
                    self_due: a.self_due_override.or(p.self_due),
                    submitted_at: a.submitted_at,
                    submitted_by: a.submitted_by.clone(),
                    done,
                    to_do: leaves.len(),
                    self_total,
                    appraised: appraised.len(),
                    gap,
                })
            })
            .collect();
        out.sort_by_key(|a| parindex_core::text::sort_key(&a.unit_name));
        Ok(out)
    }

    /// The assessments of one unit across periods (its officer's home page).
    pub async fn assessments_of_unit(&self, unit_id: i64) -> Result<Vec<(PeriodRow, AssessmentRow)>, StoreError> {
        let mine = assessment::Entity::find().filter(assessment::Column::UnitId.eq(unit_id)).all(&self.db).await?;
        let mut out = Vec::new();
        for a in mine {
            let p = self.get_period(a.period_id).await?;
            if let Some(row) = self.list_assessments(a.period_id, UnitScope::Only(unit_id)).await?.into_iter().next() {
                out.push((p, row));
            }
        }
        out.sort_by_key(|a| std::cmp::Reverse(a.0.year));
        Ok(out)
    }

    pub async fn get_assessment(&self, id: i64) -> Result<AssessmentView, StoreError> {
        let a = assessment::Entity::find_by_id(id).one(&self.db).await?.ok_or(StoreError::NotFound)?;
        let row = self.list_assessments(a.period_id, UnitScope::Only(a.unit_id)).await?.into_iter().next().ok_or(StoreError::NotFound)?;
        let p = period::Entity::find_by_id(a.period_id).one(&self.db).await?.ok_or(StoreError::NotFound)?;
        let fw = framework::Entity::find_by_id(p.framework_id).one(&self.db).await?.ok_or(StoreError::NotFound)?;
        let entries = assessment_entry::Entity::find().filter(assessment_entry::Column::AssessmentId.eq(id)).all(&self.db).await?;
        let mut framework = doc(&fw)?;
        self.apply_assignments(p.id, &mut framework).await?;
        Ok(AssessmentView {
            assessment: row,
            period: self.get_period(p.id).await?,
            framework,
            entries: entries.iter().map(|e| (e.node_code.clone(), entry_row(e))).collect(),
            evidence: self.linked_evidence(id).await?,
        })
    }

    /// Save one leaf of a unit's self-assessment. Refused when the assessment is not the unit's
    /// to edit, after its deadline (`today`, Vietnam time), for a leaf the unit does not score,
    /// for an input the rule refuses, and when somebody saved the leaf since `version` (the
    /// later save is told, never overwrites).
    pub async fn save_entry(
        &self,
        ctx: &AuditCtx,
        assessment_id: i64,
        code: &str,
        e: EntryInput,
        today: NaiveDate,
    ) -> Result<EntryRow, StoreError> {
        let view = self.get_assessment(assessment_id).await?;
        unit_may_edit(&view, today)?;
        let leaf = self_leaves(&view.framework, &view.assessment.unit_kind)
            .into_iter()
            .find(|n| n.code == code)
            .cloned()
            .ok_or_else(|| not_self_leaf(code))?;
        let points = checked_points(&leaf, &e)?;
        let ctx = ctx.clone();
        let code = code.to_string();
        let row = self
            .db
            .transaction::<_, assessment_entry::Model, StoreError>(|txn| {
                Box::pin(async move { write_entry(txn, &ctx, assessment_id, &code, &e, points).await })
            })
            .await?;
        Ok(entry_row(&row))
    }

    /// Save many leaves at once — the self-score sheet read back (`reports::self_scores`): all
    /// or nothing. Each row carries the version its sheet was exported with; a leaf saved on
    /// the system since is refused, every such row named (file row numbers), and nothing is
    /// written. Same checks as [`Store::save_entry`] otherwise. Returns the leaves written.
    pub async fn save_entries(
        &self,
        ctx: &AuditCtx,
        assessment_id: i64,
        rows: Vec<(usize, String, EntryInput)>,
        today: NaiveDate,
    ) -> Result<usize, StoreError> {
        let view = self.get_assessment(assessment_id).await?;
        unit_may_edit(&view, today)?;
        let leaves = self_leaves(&view.framework, &view.assessment.unit_kind);
        let mut checked = Vec::with_capacity(rows.len());
        for (row, code, e) in rows {
            let leaf = leaves.iter().find(|n| n.code == code).ok_or_else(|| on_row(row, not_self_leaf(&code)))?;
            let points = checked_points(leaf, &e).map_err(|e| on_row(row, e))?;
            checked.push((row, code, e, points));
        }
        let ctx = ctx.clone();
        let n = checked.len();
        self.db
            .transaction::<_, (), StoreError>(|txn| {
                Box::pin(async move {
                    let mut conflicts: Vec<Msg> = Vec::new();
                    for (row, code, e, points) in &checked {
                        match write_entry(txn, &ctx, assessment_id, code, e, points.clone()).await {
                            Ok(_) => {}
                            Err(StoreError::Conflict(m)) => {
                                conflicts.push(Msg::new(format!("Dòng {row}: {}", m.vi), format!("Row {row}: {}", m.en)))
                            }
                            Err(other) => return Err(other),
                        }
                    }
                    if conflicts.is_empty() {
                        Ok(())
                    } else {
                        let vi = conflicts.iter().map(|m| m.vi.as_str()).collect::<Vec<_>>().join(" ");
                        let en = conflicts.iter().map(|m| m.en.as_str()).collect::<Vec<_>>().join(" ");
                        Err(StoreError::Conflict(Msg::new(
                            format!("Không ghi gì: {vi} Hãy tải bảng mới từ trang tự đánh giá rồi điền lại các dòng này."),
                            format!(
                                "Nothing was written: {en} Download a fresh sheet from the self-assessment page and fill these rows again."
                            ),
                        )))
                    }
                })
            })
            .await?;
        Ok(n)
    }

    /// Save the self-assessment page as a whole (issue #17, "Lưu tất cả"): the leaves the
    /// officer changed, the files attached to leaves and the ones taken off, in one transaction.
    /// Every leaf is checked first as [`Store::save_entry`] checks one (a leaf the unit scores,
    /// an input its rule accepts, an explanation for "not applicable", the version it was read
    /// at, a file of the unit's own library); any refusal writes nothing and each one is
    /// returned with its leaf's code, so that the page shows all of them in place. The state and
    /// the deadline refuse the whole page (`Err`).
    pub async fn save_sheet(
        &self,
        ctx: &AuditCtx,
        assessment_id: i64,
        change: SheetChange,
        today: NaiveDate,
    ) -> Result<SheetOutcome, StoreError> {
        let view = self.get_assessment(assessment_id).await?;
        unit_may_edit(&view, today)?;
        let leaves = self_leaves(&view.framework, &view.assessment.unit_kind);
        let mut refused: Vec<SheetRefusal> =
            change.refused.into_iter().map(|(code, message)| SheetRefusal { code, message, stale: false }).collect();
        let mut refuse = |code: &str, e: StoreError| {
            let stale = matches!(e, StoreError::Conflict(_));
            let message = match e {
                StoreError::Invalid(v) => Msg::new(
                    v.iter().map(|f| f.message.vi.as_str()).collect::<Vec<_>>().join(" "),
                    v.iter().map(|f| f.message.en.as_str()).collect::<Vec<_>>().join(" "),
                ),
                StoreError::Conflict(m) | StoreError::Forbidden(m) => m,
                StoreError::NotFound => Msg::new("Không tìm thấy tệp trong thư viện của đơn vị.", "No such file in the unit's library."),
                e => Msg::new(e.to_string(), e.to_string()),
            };
            refused.push(SheetRefusal { code: code.to_string(), message, stale });
        };
        let mut entries = Vec::with_capacity(change.entries.len());
        for (code, e) in change.entries {
            let Some(leaf) = leaves.iter().find(|n| n.code == code) else {
                refuse(&code, not_self_leaf(&code));
                continue;
            };
            let current = view.entries.get(&code);
            if current.map(|x| x.version).unwrap_or(0) != e.version {
                let (who, when) =
                    current.map(|x| (x.updated_by.clone(), parindex_core::text::format_time_vn(x.updated_at))).unwrap_or_default();
                refuse(&code, saved_meanwhile(&code, &who, &when));
                continue;
            }
            match checked_points(leaf, &e) {
                Ok(points) => entries.push((code, e, points)),
                Err(err) => refuse(&code, err),
            }
        }
        let mut links = Vec::with_capacity(change.links.len());
        for (code, evidence_id) in change.links {
            if !leaves.iter().any(|n| n.code == code) {
                refuse(&code, not_self_leaf(&code));
                continue;
            }
            match self.get_evidence(evidence_id).await {
                Ok(f) if f.unit_id == view.assessment.unit_id => {
                    if !view.evidence.get(&code).is_some_and(|v| v.iter().any(|x| x.id == evidence_id))
                        && !links.iter().any(|(c, x): &(String, crate::repo::evidence::EvidenceRow)| c == &code && x.id == evidence_id)
                    {
                        links.push((code, f));
                    }
                }
                Ok(_) | Err(StoreError::NotFound) => refuse(&code, StoreError::NotFound),
                Err(e) => return Err(e),
            }
        }
        // taking off a file that is not on the leaf (another tab took it off) is no error
        let unlinks: Vec<(String, i64)> = change
            .unlinks
            .into_iter()
            .filter(|(code, id)| view.evidence.get(code).is_some_and(|v| v.iter().any(|x| x.id == *id)))
            .collect();
        if !refused.is_empty() {
            // in the page's order
            let walk = view.framework.walk();
            let order = |c: &str| walk.iter().position(|(_, n)| n.code == c).unwrap_or(usize::MAX);
            refused.sort_by_key(|r| order(&r.code));
            return Ok(SheetOutcome::Refused(refused));
        }
        let outcome = SheetOutcome::Saved { entries: entries.len(), links: links.len(), unlinks: unlinks.len() };
        if entries.is_empty() && links.is_empty() && unlinks.is_empty() {
            return Ok(outcome);
        }
        let ctx = ctx.clone();
        self.db
            .transaction::<_, (), StoreError>(|txn| {
                Box::pin(async move {
                    for (code, e, points) in &entries {
                        write_entry(txn, &ctx, assessment_id, code, e, points.clone()).await?;
                    }
                    for (code, file) in &links {
                        crate::repo::evidence::link_in(txn, &ctx, assessment_id, code, file).await?;
                    }
                    for (code, id) in &unlinks {
                        crate::repo::evidence::unlink_in(txn, &ctx, assessment_id, code, *id).await?;
                    }
                    Ok(())
                })
            })
            .await?;
        Ok(outcome)
    }

    /// Give one unit a later self-assessment deadline (reform office), with the reason logged.
    pub async fn extend_deadline(
        &self,
        ctx: &AuditCtx,
        assessment_id: i64,
        until: NaiveDate,
        reason: &str,
    ) -> Result<AssessmentRow, StoreError> {
        if reason.trim().is_empty() {
            return Err(invalid("reason", "Hãy ghi lý do gia hạn.".into(), "Write the reason for the extension.".into()));
        }
        let a = assessment::Entity::find_by_id(assessment_id).one(&self.db).await?.ok_or(StoreError::NotFound)?;
        let ctx = ctx.clone();
        let reason = reason.trim().to_string();
        self.db
            .transaction::<_, (), StoreError>(|txn| {
                Box::pin(async move {
                    let d = parindex_core::text::format_date(until);
                    let text = Msg::new(
                        format!("Hạn tự đánh giá của đơn vị được gia hạn đến {d}: {reason}"),
                        format!("Your unit's self-assessment deadline is extended to {d}: {reason}"),
                    );
                    notify(txn, Recipients::UnitStaff(a.unit_id), "extended", &text, &format!("/assessments/{assessment_id}")).await?;
                    let before = a.self_due_override;
                    let mut am = a.into_active_model();
                    am.self_due_override = Set(Some(until));
                    am.updated_at = Set(Utc::now());
                    am.update(txn).await?;
                    record(
                        txn,
                        &ctx,
                        AuditEntry {
                            action: "assessment.extend",
                            object_type: "assessment",
                            object_id: Some(assessment_id.to_string()),
                            before: Some(json!({"self_due": before})),
                            after: Some(json!({"self_due": until})),
                            reason: Some(reason),
                            ..Default::default()
                        },
                    )
                    .await
                })
            })
            .await?;
        Ok(self.get_assessment(assessment_id).await?.assessment)
    }

    /// The period's appraisal assignments (node code → agency code), shallow nodes first.
    pub async fn assignments(&self, period_id: i64) -> Result<Vec<(String, String)>, StoreError> {
        let mut rows: Vec<(String, String)> = period_assignment::Entity::find()
            .filter(period_assignment::Column::PeriodId.eq(period_id))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|a| (a.node_code, a.appraiser))
            .collect();
        rows.sort_by_key(|(c, _)| (c.matches('.').count(), c.clone()));
        Ok(rows)
    }

    /// The period's framework as it is appraised (assignments applied).
    /// The framework a period is scored by, with the period's appraiser assignments applied.
    pub async fn period_framework(&self, period_id: i64) -> Result<Framework, StoreError> {
        let p = period::Entity::find_by_id(period_id).one(&self.db).await?.ok_or(StoreError::NotFound)?;
        let fw = framework::Entity::find_by_id(p.framework_id).one(&self.db).await?.ok_or(StoreError::NotFound)?;
        let mut fw = doc(&fw)?;
        self.apply_assignments(period_id, &mut fw).await?;
        Ok(fw)
    }

    /// The framework as this period appraises it: its assignments applied, shallow nodes first
    /// so that a deeper assignment refines a domain's.
    async fn apply_assignments(&self, period_id: i64, fw: &mut Framework) -> Result<(), StoreError> {
        for (code, agency) in self.assignments(period_id).await? {
            parindex_core::framework::edit::assign_appraiser(fw, &code, &agency);
        }
        Ok(())
    }

    /// Replace the period's appraisal assignments (reform office). Every node must exist and
    /// every agency be an active unit; the refusal names each wrong one.
    pub async fn set_assignments(&self, ctx: &AuditCtx, period_id: i64, map: Vec<(String, String)>) -> Result<(), StoreError> {
        let p = period::Entity::find_by_id(period_id).one(&self.db).await?.ok_or(StoreError::NotFound)?;
        let fw = framework::Entity::find_by_id(p.framework_id).one(&self.db).await?.ok_or(StoreError::NotFound)?;
        let fw = doc(&fw)?;
        let units = unit::Entity::find().filter(unit::Column::ActiveTo.is_null()).all(&self.db).await?;
        let mut errors = Vec::new();
        for (code, agency) in &map {
            if fw.find(code).is_none() {
                errors.push(FieldError {
                    field: "assignments",
                    message: Msg::new(format!("Không có tiêu chí “{code}”."), format!("There is no node “{code}”.")),
                });
            }
            if !units.iter().any(|u| &u.code == agency) {
                errors.push(FieldError {
                    field: "assignments",
                    message: Msg::new(
                        format!("{code}: không có đơn vị đang hoạt động mã “{agency}”."),
                        format!("{code}: no active unit “{agency}”."),
                    ),
                });
            }
        }
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let ctx = ctx.clone();
        self.db
            .transaction::<_, (), StoreError>(|txn| {
                Box::pin(async move {
                    let before: Vec<(String, String)> = period_assignment::Entity::find()
                        .filter(period_assignment::Column::PeriodId.eq(period_id))
                        .all(txn)
                        .await?
                        .into_iter()
                        .map(|a| (a.node_code, a.appraiser))
                        .collect();
                    period_assignment::Entity::delete_many().filter(period_assignment::Column::PeriodId.eq(period_id)).exec(txn).await?;
                    for (code, agency) in &map {
                        period_assignment::ActiveModel {
                            period_id: Set(period_id),
                            node_code: Set(code.clone()),
                            appraiser: Set(agency.clone()),
                            ..Default::default()
                        }
                        .insert(txn)
                        .await?;
                    }
                    record(
                        txn,
                        &ctx,
                        AuditEntry {
                            action: "period.assign",
                            object_type: "period",
                            object_id: Some(period_id.to_string()),
                            before: Some(json!(before)),
                            after: Some(json!(map)),
                            ..Default::default()
                        },
                    )
                    .await
                })
            })
            .await
            .map_err(Into::into)
    }

    /// The leader submits: every leaf the unit scores must have an input (or be marked not
    /// applicable with an explanation). Locks the self-assessment.
    pub async fn submit_assessment(&self, ctx: &AuditCtx, assessment_id: i64, today: NaiveDate) -> Result<AssessmentRow, StoreError> {
        let view = self.get_assessment(assessment_id).await?;
        let state = view.assessment.state;
        if !state.unit_edits() {
            return Err(StoreError::Conflict(Msg::new(
                format!("Bản tự đánh giá đang ở trạng thái “{}”, không nộp lại được.", state.label("vi")),
                format!("The self-assessment is “{}” and cannot be submitted again.", state.label("en")),
            )));
        }
        within(view.assessment.self_due, today).map_err(StoreError::Conflict)?;
        let leaves = self_leaves(&view.framework, &view.assessment.unit_kind);
        let missing: Vec<&str> =
            leaves.iter().filter(|n| view.entries.get(&n.code).is_none_or(|e| e.input.is_none())).map(|n| n.code.as_str()).collect();
        let unexplained: Vec<&str> = leaves
            .iter()
            .filter(|n| {
                view.entries.get(&n.code).is_some_and(|e| e.input.as_ref().is_some_and(|i| i.not_applicable) && e.explanation.is_none())
            })
            .map(|n| n.code.as_str())
            .collect();
        let without_evidence: Vec<&str> = leaves
            .iter()
            .filter(|n| n.evidence.as_ref().is_some_and(|e| e.required))
            .filter(|n| {
                view.entries.get(&n.code).is_some_and(|e| e.input.as_ref().is_some_and(|i| !i.not_applicable) && e.explanation.is_none())
            })
            .filter(|n| view.evidence.get(&n.code).is_none_or(|v| v.is_empty()))
            .map(|n| n.code.as_str())
            .collect();
        let mut errors = Vec::new();
        if !without_evidence.is_empty() {
            errors.push(FieldError {
                field: "evidence",
                message: Msg::new(
                    format!(
                        "Tiêu chí bắt buộc có tài liệu kiểm chứng nhưng chưa có tài liệu, cần giải trình: {}.",
                        without_evidence.join(", ")
                    ),
                    format!("Leaves that require evidence have none and need an explanation: {}.", without_evidence.join(", ")),
                ),
            });
        }
        if !missing.is_empty() {
            errors.push(FieldError {
                field: "entries",
                message: Msg::new(
                    format!("Còn {} tiêu chí chưa chấm: {}.", missing.len(), missing.join(", ")),
                    format!("{} leaves are not scored yet: {}.", missing.len(), missing.join(", ")),
                ),
            });
        }
        if !unexplained.is_empty() {
            errors.push(FieldError {
                field: "explanation",
                message: Msg::new(
                    format!("Tiêu chí đánh dấu “không áp dụng” cần giải trình: {}.", unexplained.join(", ")),
                    format!("Leaves marked not applicable need an explanation: {}.", unexplained.join(", ")),
                ),
            });
        }
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let ctx = ctx.clone();
        let from = state;
        let (unit_name, period_name) = (view.assessment.unit_name.clone(), view.period.name.clone());
        let leaves: Vec<&str> = self_leaves(&view.framework, &view.assessment.unit_kind).iter().map(|n| n.code.as_str()).collect();
        let appraisers = Recipients::appraisers_of(&view.framework, &leaves);
        self.db
            .transaction::<_, (), StoreError>(|txn| {
                Box::pin(async move {
                    let text = Msg::new(
                        format!("{unit_name} đã nộp bản tự đánh giá ({period_name})."),
                        format!("{unit_name} submitted its self-assessment ({period_name})."),
                    );
                    notify(
                        txn,
                        Recipients::Roles(vec![Role::Admin, Role::Secretariat]),
                        "submitted",
                        &text,
                        &format!("/assessments/{assessment_id}"),
                    )
                    .await?;
                    notify(txn, appraisers, "submitted", &text, &format!("/appraisal/{assessment_id}")).await?;
                    let (_, mut am) = move_state(txn, assessment_id, &[from], State::Submitted).await?;
                    assessment_entry::Entity::update_many()
                        .col_expr(assessment_entry::Column::ReturnedReason, sea_orm::sea_query::Expr::value(Option::<String>::None))
                        .filter(assessment_entry::Column::AssessmentId.eq(assessment_id))
                        .exec(txn)
                        .await?;
                    am.submitted_at = Set(Some(Utc::now()));
                    am.submitted_by = Set(Some(ctx.actor_name.clone()));
                    am.update(txn).await?;
                    record(
                        txn,
                        &ctx,
                        AuditEntry {
                            action: "assessment.submit",
                            object_type: "assessment",
                            object_id: Some(assessment_id.to_string()),
                            before: Some(json!({"state": from.as_str()})),
                            after: Some(json!({"state": State::Submitted.as_str()})),
                            ..Default::default()
                        },
                    )
                    .await
                })
            })
            .await?;
        Ok(self.get_assessment(assessment_id).await?.assessment)
    }
}
