//! Survey questionnaires (issue #5): stored whole as JSON (`core::survey::Questionnaire`) with
//! the columns lists need. Saving validates (every problem returned, nothing written); a draft
//! may be replaced by a new import of the same code; a published questionnaire never changes —
//! a new version is made from it. Every change is one transaction with its audit entry.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use parindex_core::Msg;
use parindex_core::survey::{Questionnaire, SurveyKind};
use parindex_core::unit::FieldError;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Set, TransactionTrait};
use serde::Serialize;
use serde_json::json;

use crate::entity::questionnaire;
use crate::repo::audit::{AuditCtx, AuditEntry, record};
use crate::{Store, StoreError};

#[derive(Debug, Clone, Serialize)]
pub struct QuestionnaireRow {
    pub id: i64,
    pub code: String,
    pub version: String,
    pub kind: String,
    pub title: String,
    pub status: String,
    pub sample: bool,
    pub source: String,
    pub questions: i32,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
}

impl From<questionnaire::Model> for QuestionnaireRow {
    fn from(m: questionnaire::Model) -> Self {
        QuestionnaireRow {
            id: m.id,
            code: m.code,
            version: m.version,
            kind: m.kind,
            title: m.title,
            status: m.status,
            sample: m.sample,
            source: m.source,
            questions: m.questions,
            created_by: m.created_by,
            created_at: m.created_at,
            published_at: m.published_at,
        }
    }
}

fn kind_code(k: SurveyKind) -> &'static str {
    match k {
        SurveyKind::Citizens => "citizens",
        SurveyKind::Officials => "officials",
    }
}

fn first_title(q: &Questionnaire) -> String {
    q.languages.iter().find_map(|l| q.title.get(l)).or_else(|| q.title.values().next()).cloned().unwrap_or_else(|| q.code.clone())
}

fn problems_of(q: &Questionnaire) -> Result<(), StoreError> {
    let problems = q.validate();
    if problems.is_empty() {
        return Ok(());
    }
    Err(StoreError::Invalid(
        problems
            .into_iter()
            .map(|p| FieldError {
                field: "questionnaire",
                message: Msg::new(format!("{}: {}", p.place, p.vi), format!("{}: {}", p.place, p.en)),
            })
            .collect(),
    ))
}

fn published(code: &str) -> StoreError {
    StoreError::Conflict(Msg::new(
        format!("Phiếu “{code}” đã công bố nên không thể thay đổi; hãy tạo phiên bản mới từ phiếu này."),
        format!("The questionnaire “{code}” is published and cannot change; make a new version from it."),
    ))
}

impl Store {
    /// Save a questionnaire as a draft (a new one, or replacing the draft of the same code).
    pub async fn save_questionnaire(&self, ctx: &AuditCtx, q: Questionnaire, source: &str) -> Result<QuestionnaireRow, StoreError> {
        problems_of(&q)?;
        let ctx = ctx.clone();
        let source = source.to_string();
        let row = self
            .db
            .transaction::<_, questionnaire::Model, StoreError>(|txn| {
                Box::pin(async move {
                    let code = q.code.trim().to_string();
                    let doc = serde_json::to_string(&q).map_err(|e| StoreError::Db(sea_orm::DbErr::Custom(e.to_string())))?;
                    let existing = questionnaire::Entity::find().filter(questionnaire::Column::Code.eq(&code)).one(txn).await?;
                    let now = Utc::now();
                    let (m, action, before) = match existing {
                        Some(e) if e.status == "published" => return Err(published(&code)),
                        Some(e) => {
                            let before = json!({"version": e.version, "questions": e.questions, "source": e.source});
                            let mut am = e.into_active_model();
                            am.version = Set(q.version.clone());
                            am.kind = Set(kind_code(q.kind).into());
                            am.title = Set(first_title(&q));
                            am.definition = Set(doc);
                            am.sample = Set(q.sample);
                            am.source = Set(source.clone());
                            am.questions = Set(q.questions().count() as i32);
                            (am.update(txn).await?, "questionnaire.replace_draft", Some(before))
                        }
                        None => {
                            let am = questionnaire::ActiveModel {
                                code: Set(code.clone()),
                                version: Set(q.version.clone()),
                                kind: Set(kind_code(q.kind).into()),
                                title: Set(first_title(&q)),
                                definition: Set(doc),
                                status: Set("draft".into()),
                                sample: Set(q.sample),
                                source: Set(source.clone()),
                                questions: Set(q.questions().count() as i32),
                                created_by: Set(ctx.actor_name.clone()),
                                created_at: Set(now),
                                published_at: Set(None),
                                ..Default::default()
                            };
                            (am.insert(txn).await?, "questionnaire.import", None)
                        }
                    };
                    record(
                        txn,
                        &ctx,
                        AuditEntry {
                            action,
                            object_type: "questionnaire",
                            object_id: Some(m.code.clone()),
                            before,
                            after: Some(json!({"version": m.version, "questions": m.questions, "source": m.source})),
                            ..Default::default()
                        },
                    )
                    .await?;
                    Ok(m)
                })
            })
            .await?;
        Ok(row.into())
    }

    pub async fn list_questionnaires(&self) -> Result<Vec<QuestionnaireRow>, StoreError> {
        let rows = questionnaire::Entity::find()
            .order_by_asc(questionnaire::Column::Status)
            .order_by_asc(questionnaire::Column::Code)
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    pub async fn get_questionnaire(&self, code: &str) -> Result<(QuestionnaireRow, Questionnaire), StoreError> {
        let m =
            questionnaire::Entity::find().filter(questionnaire::Column::Code.eq(code)).one(&self.db).await?.ok_or(StoreError::NotFound)?;
        let q: Questionnaire = serde_json::from_str(&m.definition).map_err(|e| StoreError::Db(sea_orm::DbErr::Custom(e.to_string())))?;
        Ok((m.into(), q))
    }

    /// Publish a draft: from now on it is immutable.
    pub async fn publish_questionnaire(&self, ctx: &AuditCtx, code: &str) -> Result<QuestionnaireRow, StoreError> {
        let (row, q) = self.get_questionnaire(code).await?;
        if row.status == "published" {
            return Err(published(code));
        }
        problems_of(&q)?;
        let ctx = ctx.clone();
        let code = code.to_string();
        let m = self
            .db
            .transaction::<_, questionnaire::Model, StoreError>(|txn| {
                Box::pin(async move {
                    let e = questionnaire::Entity::find()
                        .filter(questionnaire::Column::Code.eq(&code))
                        .one(txn)
                        .await?
                        .ok_or(StoreError::NotFound)?;
                    if e.status == "published" {
                        return Err(published(&code));
                    }
                    let mut am = e.into_active_model();
                    am.status = Set("published".into());
                    am.published_at = Set(Some(Utc::now()));
                    let m = am.update(txn).await?;
                    record(
                        txn,
                        &ctx,
                        AuditEntry {
                            action: "questionnaire.publish",
                            object_type: "questionnaire",
                            object_id: Some(code.clone()),
                            before: Some(json!({"status": "draft"})),
                            after: Some(json!({"status": "published"})),
                            ..Default::default()
                        },
                    )
                    .await?;
                    Ok(m)
                })
            })
            .await?;
        Ok(m.into())
    }

    /// A new draft made from a questionnaire (usually a published one), under a new code.
    pub async fn new_questionnaire_version(&self, ctx: &AuditCtx, code: &str, new_code: &str) -> Result<QuestionnaireRow, StoreError> {
        let (_, mut q) = self.get_questionnaire(code).await?;
        let new_code = new_code.trim();
        if new_code.is_empty() || new_code.contains(char::is_whitespace) {
            return Err(StoreError::invalid(
                "code",
                Msg::new("Mã mới không được trống hay có dấu cách.", "The new code may not be empty or contain spaces."),
            ));
        }
        if questionnaire::Entity::find().filter(questionnaire::Column::Code.eq(new_code)).one(&self.db).await?.is_some() {
            return Err(StoreError::invalid(
                "code",
                Msg::new(format!("Mã “{new_code}” đã có."), format!("The code “{new_code}” is taken.")),
            ));
        }
        q.code = new_code.to_string();
        q.version = format!("{} (từ {code})", q.version).trim().to_string();
        self.save_questionnaire(ctx, q, &format!("version of {code}")).await
    }
}

/// What opens a survey.
#[derive(Debug, Clone, Default)]
pub struct SurveyInput {
    pub code: String,
    pub name: String,
    /// A published questionnaire.
    pub questionnaire: String,
    pub year: i32,
    /// Units by kind (active units of these kinds)…
    pub unit_kinds: Vec<String>,
    /// …or by code.
    pub unit_codes: Vec<String>,
    /// Responses wanted per unit until its population is known (then Yamane's n).
    pub quota: i32,
    /// Margin e for the sample size (default 5 %).
    pub margin: Option<parindex_core::Exact>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SurveyRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub questionnaire: String,
    pub year: i32,
    pub margin: String,
    pub min_cell: i32,
    pub status: String,
    pub units: usize,
    pub responses: i64,
    pub quota: i64,
    /// On the public portal since (issue #17).
    pub published_at: Option<chrono::DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SurveyUnitRow {
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    pub population: Option<i64>,
    pub quota: i32,
    pub responses: i32,
    pub public_key: String,
}

/// One checked response to record.
#[derive(Debug, Clone)]
pub struct ResponseIn {
    pub unit_id: i64,
    /// `web`, `qr`, `paper`, `import`…
    pub channel: String,
    pub answers: parindex_core::survey::answers::Answers,
    /// From `survey::answers::count_keys`.
    pub keys: Vec<(String, String)>,
}

/// One unit's result on one framework leaf from an officials' survey.
#[derive(Debug, Clone, Serialize)]
pub struct LeafShare {
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    pub leaf: String,
    /// Answers to the leaf's questions.
    pub answers: u64,
    /// The mean option weight (0–1): the leaf's points are its maximum × this.
    pub share: parindex_core::Exact,
    /// The answers behind it: (option weight, how many chose it) — for the bootstrap of ranks.
    pub distribution: Vec<(parindex_core::Exact, u64)>,
}

/// A unit's public link resolved: the survey, the unit and its questionnaire.
#[derive(Debug, Clone)]
pub struct PublicSurvey {
    /// The survey (its totals — units, responses, quota — are not read here: zero).
    pub survey: SurveyRow,
    pub unit: SurveyUnitRow,
    pub questionnaire: Questionnaire,
}

/// A random code of `len` characters from 32 that are hard to confuse (no 0/o, 1/l): 5 bits each.
pub(crate) fn random_code(len: usize) -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyz23456789";
    let mut rng = rand::rng();
    (0..len).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char).collect()
}

fn public_key() -> String {
    random_code(10)
}

impl Store {
    /// Open a survey of a published questionnaire for units (by kind or by code), each with its
    /// public link key and quota. One transaction, audited.
    pub async fn create_survey(&self, ctx: &AuditCtx, input: SurveyInput) -> Result<SurveyRow, StoreError> {
        use crate::entity::{survey, survey_unit, unit};
        let mut errors = Vec::new();
        let err = |field: &'static str, vi: String, en: String| FieldError { field, message: Msg::new(vi, en) };
        let code = input.code.trim().to_string();
        if code.is_empty() || code.contains(char::is_whitespace) {
            errors.push(err(
                "code",
                "Mã đợt khảo sát không được trống hay có dấu cách.".into(),
                "The code may not be empty or contain spaces.".into(),
            ));
        } else if survey::Entity::find().filter(survey::Column::Code.eq(&code)).one(&self.db).await?.is_some() {
            errors.push(err("code", format!("Mã “{code}” đã có."), format!("The code “{code}” is taken.")));
        }
        if input.name.trim().is_empty() {
            errors.push(err("name", "Hãy đặt tên đợt khảo sát.".into(), "Give the survey a name.".into()));
        }
        let q = questionnaire::Entity::find().filter(questionnaire::Column::Code.eq(input.questionnaire.trim())).one(&self.db).await?;
        match &q {
            None => errors.push(err("questionnaire", "Hãy chọn một phiếu khảo sát.".into(), "Choose a questionnaire.".into())),
            Some(q) if q.status != "published" => errors.push(err(
                "questionnaire",
                "Chỉ phiếu đã công bố mới dùng để khảo sát được.".into(),
                "Only a published questionnaire can be used.".into(),
            )),
            _ => {}
        }
        if !(1..=100_000).contains(&input.quota) {
            errors.push(err("quota", "Số phiếu cần thu mỗi đơn vị từ 1 đến 100000.".into(), "The quota per unit is 1 to 100000.".into()));
        }
        let margin = input.margin.clone().unwrap_or_else(|| parindex_core::Exact::ratio(5, 100));
        if margin <= parindex_core::Exact::ZERO || margin >= parindex_core::Exact::int(1) {
            errors.push(err(
                "margin",
                "Sai số phải lớn hơn 0 và nhỏ hơn 1 (ví dụ 0,05).".into(),
                "The margin is between 0 and 1 (e.g. 0.05).".into(),
            ));
        }
        let units: Vec<unit::Model> = if input.unit_codes.is_empty() {
            unit::Entity::find()
                .filter(unit::Column::Active.eq(true))
                .filter(unit::Column::Kind.is_in(input.unit_kinds.clone()))
                .order_by_asc(unit::Column::Code)
                .all(&self.db)
                .await?
        } else {
            let found = unit::Entity::find().filter(unit::Column::Code.is_in(input.unit_codes.clone())).all(&self.db).await?;
            let missing: Vec<&String> = input.unit_codes.iter().filter(|c| !found.iter().any(|u| &&u.code == c)).collect();
            if !missing.is_empty() {
                let list = missing.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ");
                errors.push(err("units", format!("Không có đơn vị: {list}."), format!("No such units: {list}.")));
            }
            found
        };
        if units.is_empty() && errors.iter().all(|e| e.field != "units") {
            errors.push(err("units", "Chưa có đơn vị nào tham gia.".into(), "No unit takes part.".into()));
        }
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let q = q.expect("checked above");
        let ctx = ctx.clone();
        let name = input.name.trim().to_string();
        let (year, quota, margin_text) = (input.year, input.quota, margin.to_string());
        let id = self
            .db
            .transaction::<_, i64, StoreError>(|txn| {
                Box::pin(async move {
                    let s = survey::ActiveModel {
                        code: Set(code.clone()),
                        name: Set(name),
                        questionnaire_id: Set(q.id),
                        year: Set(year),
                        margin: Set(margin_text),
                        confidence: Set(95),
                        min_cell: Set(10),
                        status: Set("open".into()),
                        created_at: Set(Utc::now()),
                        ..Default::default()
                    }
                    .insert(txn)
                    .await?;
                    for u in &units {
                        survey_unit::ActiveModel {
                            survey_id: Set(s.id),
                            unit_id: Set(u.id),
                            population: Set(None),
                            quota: Set(quota),
                            responses: Set(0),
                            public_key: Set(public_key()),
                            ..Default::default()
                        }
                        .insert(txn)
                        .await?;
                    }
                    record(
                        txn,
                        &ctx,
                        AuditEntry {
                            action: "survey.create",
                            object_type: "survey",
                            object_id: Some(code),
                            after: Some(json!({"questionnaire": q.code, "units": units.len(), "quota": quota})),
                            ..Default::default()
                        },
                    )
                    .await?;
                    Ok(s.id)
                })
            })
            .await?;
        self.get_survey(id).await
    }

    pub async fn list_surveys(&self) -> Result<Vec<SurveyRow>, StoreError> {
        use crate::entity::survey;
        let mut out = Vec::new();
        for s in survey::Entity::find().order_by_desc(survey::Column::Year).order_by_asc(survey::Column::Code).all(&self.db).await? {
            out.push(self.get_survey(s.id).await?);
        }
        Ok(out)
    }

    pub async fn get_survey(&self, id: i64) -> Result<SurveyRow, StoreError> {
        use crate::entity::{survey, survey_unit};
        let s = survey::Entity::find_by_id(id).one(&self.db).await?.ok_or(StoreError::NotFound)?;
        let q = questionnaire::Entity::find_by_id(s.questionnaire_id).one(&self.db).await?.ok_or(StoreError::NotFound)?;
        let units = survey_unit::Entity::find().filter(survey_unit::Column::SurveyId.eq(id)).all(&self.db).await?;
        Ok(survey_row(s, q.code, &units))
    }

    /// The units of a survey with their population, quota, responses and link key, by code.
    pub async fn survey_units(&self, id: i64) -> Result<Vec<SurveyUnitRow>, StoreError> {
        use crate::entity::{survey_unit, unit};
        let rows = survey_unit::Entity::find().filter(survey_unit::Column::SurveyId.eq(id)).all(&self.db).await?;
        let ids: Vec<i64> = rows.iter().map(|r| r.unit_id).collect();
        let units: std::collections::HashMap<i64, unit::Model> =
            unit::Entity::find().filter(unit::Column::Id.is_in(ids)).all(&self.db).await?.into_iter().map(|u| (u.id, u)).collect();
        let mut out: Vec<SurveyUnitRow> = rows
            .into_iter()
            .map(|r| SurveyUnitRow {
                unit_code: units.get(&r.unit_id).map(|u| u.code.clone()).unwrap_or_default(),
                unit_name: units.get(&r.unit_id).map(|u| u.name.clone()).unwrap_or_default(),
                unit_id: r.unit_id,
                population: r.population,
                quota: r.quota,
                responses: r.responses,
                public_key: r.public_key,
            })
            .collect();
        parindex_core::text::sort_by_name(&mut out, |r| &r.unit_name);
        Ok(out)
    }

    /// Set units' populations N (transactions in the period): the quota becomes Yamane's
    /// n = N / (1 + N·e²), rounded up. `None` clears N and keeps the quota. All or nothing.
    pub async fn set_populations(&self, ctx: &AuditCtx, survey_id: i64, populations: &[(i64, Option<u64>)]) -> Result<usize, StoreError> {
        use crate::entity::survey_unit;
        let s = self.get_survey(survey_id).await?;
        let margin: parindex_core::Exact = s.margin.parse().map_err(|_| StoreError::Db(sea_orm::DbErr::Custom("margin".into())))?;
        let ctx = ctx.clone();
        let populations = populations.to_vec();
        self.db
            .transaction::<_, usize, StoreError>(|txn| {
                Box::pin(async move {
                    let mut changed = 0;
                    for (unit_id, n) in populations {
                        let Some(row) = survey_unit::Entity::find()
                            .filter(survey_unit::Column::SurveyId.eq(survey_id))
                            .filter(survey_unit::Column::UnitId.eq(unit_id))
                            .one(txn)
                            .await?
                        else {
                            return Err(StoreError::NotFound);
                        };
                        let population = n.map(|x| x as i64);
                        if row.population == population {
                            continue;
                        }
                        let quota = n.map(|x| parindex_core::sipas::sample_yamane(x, &margin).min(i32::MAX as u64) as i32);
                        let before = json!({"population": row.population, "quota": row.quota});
                        let mut am = row.into_active_model();
                        am.population = Set(population);
                        if let Some(q) = quota {
                            am.quota = Set(q.max(1));
                        }
                        let m = am.update(txn).await?;
                        record(
                            txn,
                            &ctx,
                            AuditEntry {
                                action: "survey.population",
                                object_type: "survey",
                                object_id: Some(format!("{survey_id}/{unit_id}")),
                                before: Some(before),
                                after: Some(json!({"population": m.population, "quota": m.quota})),
                                ..Default::default()
                            },
                        )
                        .await?;
                        changed += 1;
                    }
                    Ok(changed)
                })
            })
            .await
            .map_err(Into::into)
    }

    /// Resolve a public link key.
    pub async fn public_survey(&self, key: &str) -> Result<PublicSurvey, StoreError> {
        use crate::entity::{questionnaire as qe, survey, survey_unit, unit};
        let su =
            survey_unit::Entity::find().filter(survey_unit::Column::PublicKey.eq(key)).one(&self.db).await?.ok_or(StoreError::NotFound)?;
        let s = survey::Entity::find_by_id(su.survey_id).one(&self.db).await?.ok_or(StoreError::NotFound)?;
        let q = qe::Entity::find_by_id(s.questionnaire_id).one(&self.db).await?.ok_or(StoreError::NotFound)?;
        let u = unit::Entity::find_by_id(su.unit_id).one(&self.db).await?.ok_or(StoreError::NotFound)?;
        let questionnaire: Questionnaire =
            serde_json::from_str(&q.definition).map_err(|e| StoreError::Db(sea_orm::DbErr::Custom(e.to_string())))?;
        // no totals here: the public page needs none, and it is the hot path
        Ok(PublicSurvey {
            survey: survey_row(s, q.code, &[]),
            unit: SurveyUnitRow {
                unit_id: u.id,
                unit_code: u.code,
                unit_name: u.name,
                population: su.population,
                quota: su.quota,
                responses: su.responses,
                public_key: su.public_key,
            },
            questionnaire,
        })
    }

    /// Record one checked response: the response row, the unit's counter and the counts per
    /// (question, option), in one transaction — acknowledged only once durable. Nothing about
    /// the respondent's address or device is stored.
    pub async fn record_response(
        &self,
        survey_id: i64,
        unit_id: i64,
        channel: &str,
        answers: &parindex_core::survey::answers::Answers,
        keys: Vec<(String, String)>,
    ) -> Result<(), StoreError> {
        self.record_responses(survey_id, vec![ResponseIn { unit_id, channel: channel.to_string(), answers: answers.clone(), keys }]).await
    }

    /// Record checked responses of one survey in one transaction (a batch of the web's group
    /// commit, imports, the demo): all or nothing. The rows go in one statement, the unit
    /// counters once per unit, and the counts once per (unit, question, option) with the
    /// batch's sum — so a batch costs a handful of statements, not one per answer.
    pub async fn record_responses(&self, survey_id: i64, responses: Vec<ResponseIn>) -> Result<(), StoreError> {
        use crate::entity::{survey, survey_response};
        if responses.is_empty() {
            return Ok(());
        }
        let s = survey::Entity::find_by_id(survey_id).one(&self.db).await?.ok_or(StoreError::NotFound)?;
        if s.status != "open" {
            return Err(StoreError::Conflict(Msg::new("Đợt khảo sát đã kết thúc.", "The survey is closed.")));
        }
        self.db
            .transaction::<_, (), StoreError>(|txn| {
                Box::pin(async move {
                    let now = Utc::now();
                    // a response by invitation token keeps only its day (Vietnam time): its
                    // time could otherwise be set beside the moment a token was used
                    let day = vn_day_start(now);
                    let mut per_unit: BTreeMap<i64, i32> = BTreeMap::new();
                    let mut counts: BTreeMap<(i64, String, String), i64> = BTreeMap::new();
                    let mut rows = Vec::with_capacity(responses.len());
                    for r in responses {
                        *per_unit.entry(r.unit_id).or_default() += 1;
                        for (question, option) in r.keys {
                            *counts.entry((r.unit_id, question, option)).or_default() += 1;
                        }
                        rows.push(survey_response::ActiveModel {
                            survey_id: Set(survey_id),
                            unit_id: Set(r.unit_id),
                            submitted_at: Set(if r.channel == "token" { day } else { now }),
                            channel: Set(r.channel),
                            answers: Set(answers_json(&r.answers)),
                            ..Default::default()
                        });
                    }
                    // SQLite allows 32,766 parameters per statement: keep chunks well below
                    for chunk in rows.chunks(1000) {
                        survey_response::Entity::insert_many(chunk.to_vec()).exec(txn).await?;
                    }
                    let counts = crate::repo::survey_data::ImportCounts {
                        counts,
                        per_unit: per_unit.into_iter().map(|(u, k)| (u, i64::from(k))).collect(),
                    };
                    crate::repo::survey_data::write_counts(txn, survey_id, counts).await?;
                    Ok(())
                })
            })
            .await
            .map_err(Into::into)
    }

    /// How often each option of `question` was chosen, over all units, most chosen first (the
    /// ranking of expectations: "choose the 3 most important"). From the counts.
    pub async fn survey_option_totals(&self, survey_id: i64, question: &str) -> Result<Vec<(String, i64)>, StoreError> {
        use crate::entity::survey_count;
        use sea_orm::QuerySelect;
        use sea_orm::sea_query::Expr;
        let mut rows: Vec<(String, i64)> = survey_count::Entity::find()
            .select_only()
            .column(survey_count::Column::Option)
            .column_as(Expr::cust("CAST(SUM(n) AS BIGINT)"), "total")
            .filter(survey_count::Column::SurveyId.eq(survey_id))
            .filter(survey_count::Column::Question.eq(question))
            .group_by(survey_count::Column::Option)
            .into_tuple()
            .all(&self.db)
            .await?;
        rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Ok(rows)
    }

    /// Officials' survey → points: per unit and framework leaf linked from the questionnaire,
    /// the number of answers and the exact mean option weight (`core::survey::leaf_share`; the
    /// leaf's points are its maximum × this), from the maintained counts. By unit code, leaf.
    pub async fn survey_leaf_shares(&self, survey_id: i64) -> Result<Vec<LeafShare>, StoreError> {
        use crate::entity::survey_count;
        use sea_orm::QuerySelect;
        let s = self.get_survey(survey_id).await?;
        let (_, q) = self.get_questionnaire(&s.questionnaire).await?;
        let linked: std::collections::HashMap<&str, (&str, std::collections::HashMap<&str, &parindex_core::Exact>)> = q
            .questions()
            .filter_map(|(_, x)| {
                let leaf = x.leaf.as_deref()?;
                let list = q.list(x.list.as_deref()?)?;
                let weights = list.choices.iter().filter_map(|c| c.weight.as_ref().map(|w| (c.key.as_str(), w))).collect();
                Some((x.name.as_str(), (leaf, weights)))
            })
            .collect();
        if linked.is_empty() {
            return Ok(Vec::new());
        }
        let units: std::collections::HashMap<i64, (String, String)> =
            self.survey_units(survey_id).await?.into_iter().map(|u| (u.unit_id, (u.unit_code, u.unit_name))).collect();
        let rows: Vec<(i64, String, String, i64)> = survey_count::Entity::find()
            .select_only()
            .column(survey_count::Column::UnitId)
            .column(survey_count::Column::Question)
            .column(survey_count::Column::Option)
            .column(survey_count::Column::N)
            .filter(survey_count::Column::SurveyId.eq(survey_id))
            .filter(survey_count::Column::Question.is_in(linked.keys().copied()))
            .into_tuple()
            .all(&self.db)
            .await?;
        type Shares<'a> = (i64, String, Vec<(&'a parindex_core::Exact, u64)>);
        let mut per: BTreeMap<(String, String), Shares> = BTreeMap::new();
        for (unit_id, question, option, n) in &rows {
            let (Some((leaf, weights)), Some((code, name))) = (linked.get(question.as_str()), units.get(unit_id)) else { continue };
            let Some(w) = weights.get(option.as_str()) else { continue };
            per.entry((code.clone(), leaf.to_string()))
                .or_insert_with(|| (*unit_id, name.clone(), Vec::new()))
                .2
                .push((w, (*n).max(0) as u64));
        }
        Ok(per
            .into_iter()
            .filter_map(|((unit_code, leaf), (unit_id, unit_name, answers))| {
                let n = answers.iter().map(|(_, k)| *k).sum();
                let distribution = answers.iter().map(|(w, k)| ((*w).clone(), *k)).collect();
                parindex_core::survey::leaf_share(answers).map(|share| LeafShare {
                    unit_id,
                    unit_code,
                    unit_name,
                    leaf,
                    answers: n,
                    share,
                    distribution,
                })
            })
            .collect())
    }

    /// The SIPAS tallies of a survey from its maintained counts (never the raw responses): per
    /// unit code and element, over the Likert questions linked to an element.
    pub async fn survey_tallies(&self, survey_id: i64) -> Result<parindex_core::sipas::Tallies, StoreError> {
        use crate::entity::survey_count;
        use sea_orm::QuerySelect;
        use sea_orm::sea_query::{Expr, ExprTrait};
        let s = self.get_survey(survey_id).await?;
        let (_, q) = self.get_questionnaire(&s.questionnaire).await?;
        let codes: std::collections::HashMap<i64, String> =
            self.survey_units(survey_id).await?.into_iter().map(|u| (u.unit_id, u.unit_code)).collect();
        let mut t = parindex_core::sipas::Tallies::default();
        // one pass: the database maps each question to its element and sums by unit, element
        // and level — a few thousand rows come back, not one per unit × question × level
        let mut by_element: Vec<Vec<&str>> = vec![Vec::new(); 6];
        for (_, x) in q.questions() {
            if let Some(e @ 1..=5) = x.element.filter(|_| x.kind == parindex_core::survey::QuestionType::Likert) {
                by_element[usize::from(e)].push(x.name.as_str());
            }
        }
        let linked: Vec<&str> = by_element.iter().flatten().copied().collect();
        if linked.is_empty() {
            return Ok(t);
        }
        let mut case = sea_orm::sea_query::CaseStatement::new();
        for (e, names) in by_element.iter().enumerate().filter(|(_, n)| !n.is_empty()) {
            case = case.case(Expr::col(survey_count::Column::Question).is_in(names.clone()), Expr::val(e as i32));
        }
        let rows: Vec<(i64, i32, String, i64)> = survey_count::Entity::find()
            .select_only()
            .column(survey_count::Column::UnitId)
            .column_as(Into::<Expr>::into(case.finally(Expr::val(0))), "element")
            .column(survey_count::Column::Option)
            .column_as(Expr::cust("CAST(SUM(n) AS BIGINT)"), "total")
            .filter(survey_count::Column::SurveyId.eq(survey_id))
            .filter(survey_count::Column::Question.is_in(linked))
            .group_by(survey_count::Column::UnitId)
            .group_by(Expr::cust("element"))
            .group_by(survey_count::Column::Option)
            .into_tuple()
            .all(&self.db)
            .await?;
        for (unit_id, e, option, n) in rows {
            let (Ok(level @ 1..=5), Some(code), 1..=5) = (option.parse::<u8>(), codes.get(&unit_id), e) else { continue };
            let tally = &mut t.units.entry(code.clone()).or_default()[(e - 1) as usize];
            let n = std::cmp::max(n, 0) as u64;
            tally.n += n;
            tally.top2 += if level >= 4 { n } else { 0 };
            tally.sum += n * u64::from(level);
        }
        Ok(t)
    }
}

/// A survey's row; the totals are summed over `units` (none given: zero).
fn survey_row(s: crate::entity::survey::Model, questionnaire: String, units: &[crate::entity::survey_unit::Model]) -> SurveyRow {
    SurveyRow {
        id: s.id,
        code: s.code,
        name: s.name,
        questionnaire,
        year: s.year,
        margin: s.margin,
        min_cell: s.min_cell,
        status: s.status,
        units: units.len(),
        responses: units.iter().map(|u| i64::from(u.responses)).sum(),
        quota: units.iter().map(|u| i64::from(u.quota)).sum(),
        published_at: s.published_at,
    }
}

/// Checked answers as the stored JSON text: an object of question → text, number (as exact
/// decimal text) or list of keys; blank answers are left out. Written directly (no
/// intermediate value): an import writes a million of these.
pub fn answers_json(a: &parindex_core::survey::answers::Answers) -> String {
    use parindex_core::survey::expr::Value;
    fn string(out: &mut Vec<u8>, s: &str) {
        serde_json::to_writer(&mut *out, s).expect("writing to a Vec");
    }
    let mut out = Vec::with_capacity(16 * a.len() + 2);
    out.push(b'{');
    let mut first = true;
    for (k, v) in a {
        if matches!(v, Value::Empty) {
            continue;
        }
        if !first {
            out.push(b',');
        }
        first = false;
        string(&mut out, k);
        out.push(b':');
        match v {
            Value::Empty => {}
            Value::Text(t) => string(&mut out, t),
            Value::Number(n) => string(&mut out, &n.to_string()),
            Value::Selected(keys) => {
                out.push(b'[');
                for (i, key) in keys.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    string(&mut out, key);
                }
                out.push(b']');
            }
        }
    }
    out.push(b'}');
    String::from_utf8(out).expect("JSON of UTF-8 strings is UTF-8")
}

/// The start (00:00 Vietnam time, UTC+7) of the day of `t`, in UTC.
fn vn_day_start(t: DateTime<Utc>) -> DateTime<Utc> {
    let vn = parindex_core::text::vn_offset();
    let local = t.with_timezone(&vn).date_naive().and_hms_opt(0, 0, 0).expect("midnight");
    local.and_local_timezone(vn).single().map(|d| d.with_timezone(&Utc)).unwrap_or(t)
}
