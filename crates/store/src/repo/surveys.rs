//! Survey questionnaires (issue #5): stored whole as JSON (`core::survey::Questionnaire`) with
//! the columns lists need. Saving validates (every problem returned, nothing written); a draft
//! may be replaced by a new import of the same code; a published questionnaire never changes —
//! a new version is made from it. Every change is one transaction with its audit entry.

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
