//! The public-apology register (issue #18): cases of files handled late or wrongly, lost, or
//! extra papers asked for, each with the apology's deadline (`core::apology::apology_due`) and,
//! once sent, its letter. Cases come from the one-stop system's list of late files (imported:
//! checked whole, all or nothing; a file already recorded is left as it is) or are entered by
//! the unit or the office; the unit records its letter. After every write, in the same
//! transaction, the criteria fed by the register (`feed: apology.*`) of the periods of the
//! cases' years are recomputed through the one feed mechanism (`feeds::recompute_in`).
//!
//! The citizen's name and contact are personal data: returned to the unit and the office only
//! (the pages decide), never counted into public figures.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use parindex_core::Msg;
use parindex_core::apology::{CaseFacts, Kind, SentHow, apology_due};
use parindex_core::framework::Feed;
use parindex_core::unit::RowError;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::entity::{apology_case, evidence_file, unit};
use crate::repo::audit::{AuditEntry, record};
use crate::repo::feeds::{Only, recompute_in};
use crate::repo::units::ImportError;
use crate::{AuditCtx, Store, StoreError};

/// A case to record.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct NewCase {
    /// The row of the file (1 = header), for messages; 0 when not from a file.
    #[serde(default)]
    pub row: usize,
    pub unit_code: String,
    /// The file's code in the one-stop system.
    pub file_code: String,
    /// The administrative procedure.
    pub procedure: String,
    /// The citizen or organisation (optional; private).
    #[serde(default)]
    pub applicant: Option<String>,
    /// Their phone or address (optional; private).
    #[serde(default)]
    pub contact: Option<String>,
    pub kind: Kind,
    pub received_on: NaiveDate,
    pub due_on: NaiveDate,
    #[serde(default)]
    pub returned_on: Option<NaiveDate>,
}

/// Cases to record at once: from a file of late files, a form, or the API.
#[derive(Debug, Clone)]
pub struct CaseUpload {
    /// `import`, `form` or `api`.
    pub origin: &'static str,
    pub file_name: Option<String>,
    pub rows: Vec<NewCase>,
    pub dry_run: bool,
}

/// What recording did (or would do).
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct CaseOutcome {
    pub added: usize,
    /// Files already recorded for their unit (left as they are).
    pub known: usize,
    pub leaves_written: usize,
}

/// The letter of apology.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Letter {
    pub number: String,
    pub date: NaiveDate,
    pub how: SentHow,
    /// The letter in the unit's evidence library.
    #[serde(default)]
    pub file_id: Option<i64>,
    /// The new date the citizen is given.
    #[serde(default)]
    pub new_due_on: Option<NaiveDate>,
}

/// A case as listed.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct CaseRow {
    pub id: i64,
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    pub file_code: String,
    pub procedure: String,
    /// Personal data: the unit and the office only.
    pub applicant: Option<String>,
    pub contact: Option<String>,
    pub kind: Kind,
    pub received_on: NaiveDate,
    pub due_on: NaiveDate,
    pub returned_on: Option<NaiveDate>,
    pub apology_due: NaiveDate,
    pub letter_number: Option<String>,
    pub letter_date: Option<NaiveDate>,
    pub sent_how: Option<SentHow>,
    pub letter_file_id: Option<i64>,
    pub letter_file_name: Option<String>,
    pub new_due_on: Option<NaiveDate>,
    pub origin: String,
    pub updated_by: String,
    pub updated_at: DateTime<Utc>,
}

impl CaseRow {
    pub fn facts(&self) -> CaseFacts {
        CaseFacts { apology_due: self.apology_due, letter_date: self.letter_date }
    }
}

/// Which cases to list.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub unit_id: Option<i64>,
    /// Cases whose file was due in this year.
    pub year: Option<i32>,
    /// Only cases still waiting for their letter.
    pub open: bool,
}

fn err(row: usize, field: &str, vi: String, en: String) -> RowError {
    RowError { row, field: field.into(), message: Msg::new(vi, en) }
}

fn year_of(d: NaiveDate) -> i32 {
    chrono::Datelike::year(&d)
}

/// The cases of a year (by the file's due date) per unit, as the measures read them.
pub(crate) async fn facts_of_year<C: sea_orm::ConnectionTrait>(c: &C, year: i32) -> Result<HashMap<i64, Vec<CaseFacts>>, StoreError> {
    let (from, to) = (NaiveDate::from_ymd_opt(year, 1, 1), NaiveDate::from_ymd_opt(year, 12, 31));
    let (Some(from), Some(to)) = (from, to) else { return Ok(HashMap::new()) };
    let mut out: HashMap<i64, Vec<CaseFacts>> = HashMap::new();
    for m in apology_case::Entity::find()
        .filter(apology_case::Column::DueOn.gte(from))
        .filter(apology_case::Column::DueOn.lte(to))
        .all(c)
        .await?
    {
        out.entry(m.unit_id).or_default().push(CaseFacts { apology_due: m.apology_due, letter_date: m.letter_date });
    }
    Ok(out)
}

impl Store {
    /// Record cases: every row checked first (the unit, the file's code, the procedure, the
    /// dates; each file once), every problem returned at once, then written in one transaction
    /// with the fed criteria of the cases' years recomputed. A file already recorded for its
    /// unit is left as it is (its letter kept). `today` dates the apology deadline of a case
    /// recorded after its file's due date.
    pub async fn record_apology_cases(&self, ctx: &AuditCtx, upload: CaseUpload, today: NaiveDate) -> Result<CaseOutcome, ImportError> {
        let CaseUpload { origin, file_name, rows, dry_run } = upload;
        let file = file_name.clone().unwrap_or_else(|| "API".into());
        if rows.is_empty() {
            return Err(ImportError::Rows(vec![err(1, "-", format!("“{file}” không có hồ sơ nào."), format!("“{file}” has no cases."))]));
        }
        let units: HashMap<String, i64> =
            unit::Entity::find().all(&self.db).await?.into_iter().map(|u| (u.code.to_lowercase(), u.id)).collect();
        let known: BTreeSet<(i64, String)> =
            apology_case::Entity::find().all(&self.db).await?.into_iter().map(|c| (c.unit_id, c.file_code)).collect();
        let mut errors = Vec::new();
        let mut seen: HashMap<(i64, String), usize> = HashMap::new();
        let mut new = Vec::new();
        let mut outcome = CaseOutcome::default();
        for (i, r) in rows.iter().enumerate() {
            let row = if r.row == 0 { i + 1 } else { r.row };
            let code = r.unit_code.trim();
            let file_code = r.file_code.trim().to_string();
            let Some(&unit_id) = units.get(&code.to_lowercase()) else {
                errors.push(err(
                    row,
                    "unit_code",
                    format!("“{file}”, dòng {row}, cột mã đơn vị: “{code}” không phải mã đơn vị nào trong hệ thống."),
                    format!("“{file}”, row {row}, unit code: “{code}” is no unit's code."),
                ));
                continue;
            };
            if file_code.is_empty() || file_code.chars().count() > 64 {
                errors.push(err(
                    row,
                    "file_code",
                    format!("“{file}”, dòng {row}, cột mã hồ sơ: hãy ghi mã hồ sơ (tối đa 64 ký tự)."),
                    format!("“{file}”, row {row}, file code: write the file's code (at most 64 characters)."),
                ));
                continue;
            }
            if r.procedure.trim().is_empty() || r.procedure.chars().count() > 500 {
                errors.push(err(
                    row,
                    "procedure",
                    format!("“{file}”, dòng {row}, cột thủ tục: hãy ghi tên thủ tục hành chính (tối đa 500 ký tự)."),
                    format!("“{file}”, row {row}, procedure: write the procedure's name (at most 500 characters)."),
                ));
            }
            for (field, v) in [("applicant", &r.applicant), ("contact", &r.contact)] {
                if v.as_ref().is_some_and(|s| s.chars().count() > 300) {
                    errors.push(err(
                        row,
                        field,
                        format!("“{file}”, dòng {row}: quá 300 ký tự."),
                        format!("“{file}”, row {row}: over 300 characters."),
                    ));
                }
            }
            if r.due_on < r.received_on {
                errors.push(err(
                    row,
                    "due_on",
                    format!(
                        "“{file}”, dòng {row}: ngày hẹn trả {} trước ngày tiếp nhận {}.",
                        r.due_on.format("%d/%m/%Y"),
                        r.received_on.format("%d/%m/%Y")
                    ),
                    format!("“{file}”, row {row}: the due date {} is before the date received {}.", r.due_on, r.received_on),
                ));
            }
            if r.returned_on.is_some_and(|d| d < r.received_on) {
                errors.push(err(
                    row,
                    "returned_on",
                    format!("“{file}”, dòng {row}: ngày trả kết quả trước ngày tiếp nhận."),
                    format!("“{file}”, row {row}: the date returned is before the date received."),
                ));
            }
            if let Some(first) = seen.insert((unit_id, file_code.clone()), row) {
                errors.push(err(
                    row,
                    "file_code",
                    format!("“{file}”, dòng {row}: hồ sơ {file_code} của đơn vị {code} đã có ở dòng {first}."),
                    format!("“{file}”, row {row}: file {file_code} of unit {code} is already on row {first}."),
                ));
                continue;
            }
            if known.contains(&(unit_id, file_code.clone())) {
                outcome.known += 1;
                continue;
            }
            new.push((unit_id, file_code, r.clone()));
        }
        if !errors.is_empty() {
            return Err(ImportError::Rows(errors));
        }
        outcome.added = new.len();
        if dry_run || new.is_empty() {
            return Ok(outcome);
        }
        let years: BTreeSet<i32> = new.iter().map(|(_, _, r)| year_of(r.due_on)).collect();
        let fed = self.periods_fed_by(&years, |f| matches!(f, Feed::Apology(_))).await?;
        let ctx = ctx.clone();
        Ok(self
            .db
            .transaction::<_, CaseOutcome, StoreError>(|txn| {
                Box::pin(async move {
                    let now = Utc::now();
                    for chunk in new.chunks(500) {
                        let models = chunk.iter().map(|(unit_id, file_code, r)| apology_case::ActiveModel {
                            unit_id: Set(*unit_id),
                            file_code: Set(file_code.clone()),
                            procedure: Set(r.procedure.trim().to_string()),
                            applicant: Set(r.applicant.as_ref().map(|s| s.trim().to_string()).filter(|s| !s.is_empty())),
                            contact: Set(r.contact.as_ref().map(|s| s.trim().to_string()).filter(|s| !s.is_empty())),
                            kind: Set(r.kind.key().to_string()),
                            received_on: Set(r.received_on),
                            due_on: Set(r.due_on),
                            returned_on: Set(r.returned_on),
                            apology_due: Set(apology_due(r.due_on, today)),
                            origin: Set(origin.to_string()),
                            created_by: Set(ctx.actor_name.clone()),
                            created_at: Set(now),
                            updated_by: Set(ctx.actor_name.clone()),
                            updated_at: Set(now),
                            ..Default::default()
                        });
                        apology_case::Entity::insert_many(models).exec(txn).await?;
                    }
                    let mut written = 0;
                    for (period_id, fw, assessments) in &fed {
                        written += recompute_in(txn, &ctx, *period_id, fw, assessments, Only::Register(|f| matches!(f, Feed::Apology(_)))).await?;
                    }
                    record(
                        txn,
                        &ctx,
                        AuditEntry {
                            action: "apology.cases",
                            object_type: "apology",
                            after: Some(json!({"origin": origin, "file": file_name, "added": outcome.added, "known": outcome.known, "leaves_written": written})),
                            ..Default::default()
                        },
                    )
                    .await?;
                    Ok(CaseOutcome { leaves_written: written, ..outcome })
                })
            })
            .await
            .map_err(StoreError::from)?)
    }

    /// Record (or correct) a case's letter of apology, checked (a number; dated neither before
    /// the file was received nor after `today`; a new due date after the old one; a file of the
    /// unit's own library), audited, the fed criteria recomputed in the same transaction.
    pub async fn record_apology_letter(
        &self,
        ctx: &AuditCtx,
        case_id: i64,
        letter: Letter,
        today: NaiveDate,
    ) -> Result<CaseRow, StoreError> {
        let case = apology_case::Entity::find_by_id(case_id).one(&self.db).await?.ok_or(StoreError::NotFound)?;
        let number = letter.number.trim().to_string();
        let mut problems = Vec::new();
        if number.is_empty() || number.chars().count() > 64 {
            problems.push((
                "number",
                Msg::new("Hãy ghi số văn bản xin lỗi (tối đa 64 ký tự).", "Write the letter's number (at most 64 characters)."),
            ));
        }
        if letter.date > today || letter.date < case.received_on {
            problems.push((
                "date",
                Msg::new(
                    format!("Ngày gửi văn bản phải từ ngày tiếp nhận hồ sơ ({}) đến hôm nay.", case.received_on.format("%d/%m/%Y")),
                    format!("The letter's date must be between the date received ({}) and today.", case.received_on),
                ),
            ));
        }
        if letter.new_due_on.is_some_and(|d| d <= case.due_on) {
            problems.push((
                "new_due_on",
                Msg::new(
                    format!("Ngày hẹn mới phải sau ngày hẹn cũ ({}).", case.due_on.format("%d/%m/%Y")),
                    format!("The new due date must be after the old one ({}).", case.due_on),
                ),
            ));
        }
        if let Some(fid) = letter.file_id {
            let f = evidence_file::Entity::find_by_id(fid).one(&self.db).await?;
            if f.is_none_or(|f| f.unit_id != case.unit_id) {
                problems.push((
                    "file_id",
                    Msg::new("Tệp văn bản không thuộc thư viện minh chứng của đơn vị.", "The letter's file is not in the unit's library."),
                ));
            }
        }
        if !problems.is_empty() {
            return Err(StoreError::Invalid(
                problems.into_iter().map(|(field, message)| parindex_core::unit::FieldError { field, message }).collect(),
            ));
        }
        let years: BTreeSet<i32> = [year_of(case.due_on)].into();
        let fed = self.periods_fed_by(&years, |f| matches!(f, Feed::Apology(_))).await?;
        let ctx = ctx.clone();
        let id = self
            .db
            .transaction::<_, i64, StoreError>(|txn| {
                Box::pin(async move {
                    let before = json!({"number": case.letter_number, "date": case.letter_date, "how": case.sent_how});
                    let mut am: apology_case::ActiveModel = case.into();
                    am.letter_number = Set(Some(number.clone()));
                    am.letter_date = Set(Some(letter.date));
                    am.sent_how = Set(Some(letter.how.key().to_string()));
                    am.letter_file_id = Set(letter.file_id);
                    am.new_due_on = Set(letter.new_due_on);
                    am.updated_by = Set(ctx.actor_name.clone());
                    am.updated_at = Set(Utc::now());
                    let m = am.update(txn).await?;
                    let mut written = 0;
                    for (period_id, fw, assessments) in &fed {
                        written += recompute_in(txn, &ctx, *period_id, fw, assessments, Only::Register(|f| matches!(f, Feed::Apology(_)))).await?;
                    }
                    record(
                        txn,
                        &ctx,
                        AuditEntry {
                            action: "apology.letter",
                            object_type: "apology_case",
                            object_id: Some(m.id.to_string()),
                            before: Some(before),
                            after: Some(json!({"number": number, "date": letter.date, "how": letter.how.key(), "file": letter.file_id, "new_due_on": letter.new_due_on, "leaves_written": written})),
                            ..Default::default()
                        },
                    )
                    .await?;
                    Ok(m.id)
                })
            })
            .await?;
        self.apology_case(id).await
    }

    /// The cases, newest due first.
    pub async fn apology_cases(&self, f: &CaseFilter) -> Result<Vec<CaseRow>, StoreError> {
        let mut q = apology_case::Entity::find();
        if let Some(u) = f.unit_id {
            q = q.filter(apology_case::Column::UnitId.eq(u));
        }
        if let Some(y) = f.year
            && let (Some(from), Some(to)) = (NaiveDate::from_ymd_opt(y, 1, 1), NaiveDate::from_ymd_opt(y, 12, 31))
        {
            q = q.filter(apology_case::Column::DueOn.gte(from)).filter(apology_case::Column::DueOn.lte(to));
        }
        if f.open {
            q = q.filter(apology_case::Column::LetterDate.is_null());
        }
        let cases = q.order_by_desc(apology_case::Column::DueOn).order_by_asc(apology_case::Column::Id).all(&self.db).await?;
        self.case_rows(cases).await
    }

    /// One case.
    pub async fn apology_case(&self, id: i64) -> Result<CaseRow, StoreError> {
        let c = apology_case::Entity::find_by_id(id).one(&self.db).await?.ok_or(StoreError::NotFound)?;
        Ok(self.case_rows(vec![c]).await?.remove(0))
    }

    async fn case_rows(&self, cases: Vec<apology_case::Model>) -> Result<Vec<CaseRow>, StoreError> {
        let unit_ids: BTreeSet<i64> = cases.iter().map(|c| c.unit_id).collect();
        let units: HashMap<i64, (String, String)> = unit::Entity::find()
            .filter(unit::Column::Id.is_in(unit_ids))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|u| (u.id, (u.code, u.name)))
            .collect();
        let file_ids: BTreeSet<i64> = cases.iter().filter_map(|c| c.letter_file_id).collect();
        let files: HashMap<i64, String> = evidence_file::Entity::find()
            .filter(evidence_file::Column::Id.is_in(file_ids))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|f| (f.id, f.name))
            .collect();
        Ok(cases
            .into_iter()
            .map(|c| {
                let (code, name) = units.get(&c.unit_id).cloned().unwrap_or_default();
                CaseRow {
                    id: c.id,
                    unit_id: c.unit_id,
                    unit_code: code,
                    unit_name: name,
                    file_code: c.file_code,
                    procedure: c.procedure,
                    applicant: c.applicant,
                    contact: c.contact,
                    kind: Kind::parse(&c.kind).unwrap_or(Kind::Late),
                    received_on: c.received_on,
                    due_on: c.due_on,
                    returned_on: c.returned_on,
                    apology_due: c.apology_due,
                    letter_number: c.letter_number,
                    letter_date: c.letter_date,
                    sent_how: c.sent_how.as_deref().and_then(SentHow::parse),
                    letter_file_name: c.letter_file_id.and_then(|f| files.get(&f).cloned()),
                    letter_file_id: c.letter_file_id,
                    new_due_on: c.new_due_on,
                    origin: c.origin,
                    updated_by: c.updated_by,
                    updated_at: c.updated_at,
                }
            })
            .collect())
    }
}
