//! What a survey says beyond the indices (issue #5): the breakdown of the SIPAS figures by
//! respondent group, and the free-text comments with the units' answers to them.
//!
//! **Breakdown.** The counts kept at ingestion hold, beside each question's options, one cell per
//! (group question, option, element, level) — `core::survey::answers::count_keys` — so a
//! breakdown is read from the counts like the indices, never from the raw responses. Hiding
//! cells below the survey's minimum cell size is the reader's job (the page and the API), with
//! [`GroupCell::respondents`].
//!
//! **Comments.** A comment is a response's answer to a long-text question; the counts keep how
//! many each unit received (option `COMMENTED`). The unit's answer lives in `survey_replies`,
//! keyed by (response, question). Only the unit's own staff answer; the reform office reads.
//! Nothing about the respondent is shown with a comment but its day and channel.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use parindex_core::Msg;
use parindex_core::sipas::Tally;
use parindex_core::survey::QuestionType;
use parindex_core::survey::answers::{COMMENTED, is_group_question, parse_cross_key};
use sea_orm::sea_query::{Condition, Expr, ExprTrait, OnConflict};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait};
use serde::Serialize;
use serde_json::json;

use crate::entity::{survey, survey_count, survey_reply, survey_response};
use crate::repo::audit::{AuditCtx, AuditEntry, record};
use crate::{Store, StoreError};

/// The longest answer to a comment (characters).
pub const MAX_REPLY: usize = 4000;

/// One row of the breakdown: respondents who chose `option` of group question `question`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupCell {
    pub question: String,
    pub option: String,
    pub respondents: u64,
    /// Their answers per SIPAS element.
    #[serde(skip)]
    pub elements: [Tally; 5],
}

/// A comment and, when given, the unit's answer.
#[derive(Debug, Clone, Serialize)]
pub struct Comment {
    pub response_id: i64,
    pub question: String,
    /// Day and channel only: nothing else about who wrote it.
    pub submitted_at: DateTime<Utc>,
    pub channel: String,
    pub text: String,
    pub reply: Option<Reply>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Reply {
    pub body: String,
    pub replied_by: String,
    pub replied_at: DateTime<Utc>,
    /// Shown with the comment on the public portal once the survey is published.
    pub public: bool,
}

/// A unit's answer to one comment: the response and its question, the text, and whether the
/// comment and the answer may be shown on the public portal.
#[derive(Debug, Clone, Copy)]
pub struct NewReply<'a> {
    pub response_id: i64,
    pub question: &'a str,
    pub body: &'a str,
    pub public: bool,
}

/// A comment and its unit's answer, as the public portal shows them (no response id, no
/// channel, no time of the comment, no name of who answered).
#[derive(Debug, Clone, Serialize)]
pub struct PublicReply {
    pub unit_id: i64,
    pub unit_name: String,
    pub comment: String,
    pub answer: String,
    pub answered_at: DateTime<Utc>,
}

/// Per unit: comments received and answered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CommentCount {
    pub received: u64,
    pub answered: u64,
}

impl Store {
    /// The breakdown of a survey (or of one unit) by respondent group, in questionnaire order
    /// of the group questions and list order of their options; options nobody chose are left out.
    pub async fn survey_breakdown(&self, survey_id: i64, unit_id: Option<i64>) -> Result<Vec<GroupCell>, StoreError> {
        let s = self.get_survey(survey_id).await?;
        let (_, q) = self.get_questionnaire(&s.questionnaire).await?;
        let groups: Vec<(&str, Vec<&str>)> = q
            .questions()
            .filter(|(_, x)| is_group_question(x))
            .filter_map(|(_, x)| Some((x.name.as_str(), q.list(x.list.as_deref()?)?.choices.iter().map(|c| c.key.as_str()).collect())))
            .collect();
        if groups.is_empty() {
            return Ok(Vec::new());
        }
        let mut find = survey_count::Entity::find()
            .select_only()
            .column(survey_count::Column::Question)
            .column(survey_count::Column::Option)
            .column_as(Expr::cust("CAST(SUM(n) AS BIGINT)"), "total")
            .filter(survey_count::Column::SurveyId.eq(survey_id))
            .filter(
                Condition::any()
                    .add(survey_count::Column::Question.is_in(groups.iter().map(|(g, _)| *g)))
                    .add(survey_count::Column::Question.like("%@e%")),
            );
        if let Some(u) = unit_id {
            find = find.filter(survey_count::Column::UnitId.eq(u));
        }
        let rows: Vec<(String, String, i64)> =
            find.group_by(survey_count::Column::Question).group_by(survey_count::Column::Option).into_tuple().all(&self.db).await?;
        let mut cells: HashMap<(String, String), GroupCell> = HashMap::new();
        for (question, option, n) in rows {
            let n = u64::try_from(n).unwrap_or(0);
            if let Some((g, o, e)) = parse_cross_key(&question) {
                let Ok(level @ 1..=5) = option.parse::<u8>() else { continue };
                let cell = cells.entry((g.to_string(), o.to_string())).or_insert_with(|| empty(g, o));
                let t = &mut cell.elements[usize::from(e - 1)];
                t.n += n;
                t.top2 += if level >= 4 { n } else { 0 };
                t.sum += n * u64::from(level);
            } else {
                cells.entry((question.clone(), option.clone())).or_insert_with(|| empty(&question, &option)).respondents += n;
            }
        }
        let mut out = Vec::new();
        for (g, options) in groups {
            for o in options {
                if let Some(c) = cells.remove(&(g.to_string(), o.to_string()))
                    && c.respondents > 0
                {
                    out.push(c);
                }
            }
        }
        Ok(out)
    }

    /// Comments received and answered, per unit id (units without comments are left out).
    pub async fn comment_counts(&self, survey_id: i64) -> Result<BTreeMap<i64, CommentCount>, StoreError> {
        let received: Vec<(i64, i64)> = survey_count::Entity::find()
            .select_only()
            .column(survey_count::Column::UnitId)
            .column_as(Expr::cust("CAST(SUM(n) AS BIGINT)"), "total")
            .filter(survey_count::Column::SurveyId.eq(survey_id))
            .filter(survey_count::Column::Option.eq(COMMENTED))
            .group_by(survey_count::Column::UnitId)
            .into_tuple()
            .all(&self.db)
            .await?;
        let answered: Vec<(i64, i64)> = survey_reply::Entity::find()
            .select_only()
            .column(survey_reply::Column::UnitId)
            .column_as(Expr::cust("CAST(COUNT(*) AS BIGINT)"), "total")
            .filter(survey_reply::Column::SurveyId.eq(survey_id))
            .group_by(survey_reply::Column::UnitId)
            .into_tuple()
            .all(&self.db)
            .await?;
        let mut out: BTreeMap<i64, CommentCount> = BTreeMap::new();
        for (u, n) in received {
            out.entry(u).or_default().received = u64::try_from(n).unwrap_or(0);
        }
        for (u, n) in answered {
            out.entry(u).or_default().answered = u64::try_from(n).unwrap_or(0);
        }
        Ok(out)
    }

    /// For a unit's staff: every survey the unit takes part in (newest first), with its
    /// comments received and answered.
    pub async fn unit_comment_summary(&self, unit_id: i64) -> Result<Vec<(i64, String, CommentCount)>, StoreError> {
        use crate::entity::{survey, survey_unit};
        let ids: Vec<i64> = survey_unit::Entity::find()
            .filter(survey_unit::Column::UnitId.eq(unit_id))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|u| u.survey_id)
            .collect();
        let surveys = survey::Entity::find().filter(survey::Column::Id.is_in(ids)).order_by_desc(survey::Column::Id).all(&self.db).await?;
        let received: Vec<(i64, i64)> = survey_count::Entity::find()
            .select_only()
            .column(survey_count::Column::SurveyId)
            .column_as(Expr::cust("CAST(SUM(n) AS BIGINT)"), "total")
            .filter(survey_count::Column::UnitId.eq(unit_id))
            .filter(survey_count::Column::Option.eq(COMMENTED))
            .group_by(survey_count::Column::SurveyId)
            .into_tuple()
            .all(&self.db)
            .await?;
        let answered: Vec<(i64, i64)> = survey_reply::Entity::find()
            .select_only()
            .column(survey_reply::Column::SurveyId)
            .column_as(Expr::cust("CAST(COUNT(*) AS BIGINT)"), "total")
            .filter(survey_reply::Column::UnitId.eq(unit_id))
            .group_by(survey_reply::Column::SurveyId)
            .into_tuple()
            .all(&self.db)
            .await?;
        let get = |v: &[(i64, i64)], id: i64| v.iter().find(|(s, _)| *s == id).map(|(_, n)| u64::try_from(*n).unwrap_or(0)).unwrap_or(0);
        Ok(surveys
            .into_iter()
            .map(|s| (s.id, s.name, CommentCount { received: get(&received, s.id), answered: get(&answered, s.id) }))
            .collect())
    }

    /// A unit's comments, newest first, each with its answer when given.
    pub async fn survey_comments(&self, survey_id: i64, unit_id: i64) -> Result<Vec<Comment>, StoreError> {
        let s = self.get_survey(survey_id).await?;
        let (_, q) = self.get_questionnaire(&s.questionnaire).await?;
        let texts: Vec<String> = q.questions().filter(|(_, x)| x.kind == QuestionType::LongText).map(|(_, x)| x.name.clone()).collect();
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        // only the responses whose stored answers name a long-text question (its key is written
        // as `"name":`), read by the (survey, unit) index
        let mut any = Condition::any();
        for t in &texts {
            any = any.add(Expr::col(survey_response::Column::Answers).like(format!("%\"{t}\":%")));
        }
        let rows: Vec<(i64, DateTime<Utc>, String, String)> = survey_response::Entity::find()
            .select_only()
            .column(survey_response::Column::Id)
            .column(survey_response::Column::SubmittedAt)
            .column(survey_response::Column::Channel)
            .column(survey_response::Column::Answers)
            .filter(survey_response::Column::SurveyId.eq(survey_id))
            .filter(survey_response::Column::UnitId.eq(unit_id))
            .filter(any)
            .order_by_desc(survey_response::Column::Id)
            .into_tuple()
            .all(&self.db)
            .await?;
        let mut replies: HashMap<(i64, String), Reply> = survey_reply::Entity::find()
            .filter(survey_reply::Column::SurveyId.eq(survey_id))
            .filter(survey_reply::Column::UnitId.eq(unit_id))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|r| {
                ((r.response_id, r.question), Reply { body: r.body, replied_by: r.replied_by, replied_at: r.replied_at, public: r.public })
            })
            .collect();
        let mut out = Vec::new();
        for (id, at, channel, answers) in rows {
            let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(&answers) else { continue };
            for t in &texts {
                if let Some(serde_json::Value::String(text)) = map.get(t)
                    && !text.trim().is_empty()
                {
                    out.push(Comment {
                        response_id: id,
                        question: t.clone(),
                        submitted_at: at,
                        channel: channel.clone(),
                        text: text.clone(),
                        reply: replies.remove(&(id, t.clone())),
                    });
                }
            }
        }
        Ok(out)
    }

    /// The unit's answer to a comment (given again: replaced). The response must be of this
    /// survey and unit and hold a comment in `question`; the answer must not be blank.
    pub async fn reply_to_comment(&self, ctx: &AuditCtx, survey_id: i64, unit_id: i64, reply: NewReply<'_>) -> Result<(), StoreError> {
        let NewReply { response_id, question, body, public } = reply;
        let body = body.trim();
        if body.is_empty() {
            return Err(StoreError::invalid("body", Msg::new("Hãy nhập nội dung trả lời.", "Write the answer.")));
        }
        if body.chars().count() > MAX_REPLY {
            return Err(StoreError::invalid(
                "body",
                Msg::new(format!("Câu trả lời dài quá {MAX_REPLY} ký tự."), format!("The answer is longer than {MAX_REPLY} characters.")),
            ));
        }
        let r = survey_response::Entity::find_by_id(response_id)
            .one(&self.db)
            .await?
            .filter(|r| r.survey_id == survey_id && r.unit_id == unit_id)
            .ok_or(StoreError::NotFound)?;
        let has_comment = matches!(
            serde_json::from_str::<serde_json::Value>(&r.answers).ok().as_ref().and_then(|v| v.get(question)),
            Some(serde_json::Value::String(t)) if !t.trim().is_empty()
        );
        if !has_comment {
            return Err(StoreError::NotFound);
        }
        let (ctx, question, body) = (ctx.clone(), question.to_string(), body.to_string());
        self.db
            .transaction::<_, (), StoreError>(|txn| {
                Box::pin(async move {
                    let before = survey_reply::Entity::find_by_id((response_id, question.clone())).one(txn).await?.map(|r| r.body);
                    survey_reply::Entity::insert(survey_reply::ActiveModel {
                        response_id: Set(response_id),
                        question: Set(question.clone()),
                        survey_id: Set(survey_id),
                        unit_id: Set(unit_id),
                        body: Set(body.clone()),
                        replied_by: Set(ctx.actor_name.clone()),
                        replied_at: Set(Utc::now()),
                        public: Set(public),
                    })
                    .on_conflict(
                        OnConflict::columns([survey_reply::Column::ResponseId, survey_reply::Column::Question])
                            .update_columns([
                                survey_reply::Column::Body,
                                survey_reply::Column::RepliedBy,
                                survey_reply::Column::RepliedAt,
                                survey_reply::Column::Public,
                            ])
                            .to_owned(),
                    )
                    .exec(txn)
                    .await?;
                    record(
                        txn,
                        &ctx,
                        AuditEntry {
                            action: "survey.reply",
                            object_type: "survey_response",
                            object_id: Some(response_id.to_string()),
                            unit_id: Some(unit_id),
                            before: before.map(|b| json!({"reply": b})),
                            after: Some(json!({"survey_id": survey_id, "question": question, "reply": body, "public": public})),
                            ..Default::default()
                        },
                    )
                    .await
                })
            })
            .await
            .map_err(Into::into)
    }
}

impl Store {
    /// Put a closed survey's results on the public portal, or take them off (issue #17). An open
    /// survey is refused: its numbers still move. Audited.
    pub async fn publish_survey(&self, ctx: &AuditCtx, survey_id: i64, publish: bool) -> Result<(), StoreError> {
        let s = survey::Entity::find_by_id(survey_id).one(&self.db).await?.ok_or(StoreError::NotFound)?;
        if publish && s.status != "closed" {
            return Err(StoreError::Conflict(Msg::new(
                "Chỉ công khai được đợt khảo sát đã kết thúc: hãy kết thúc đợt trước.",
                "Only a closed survey can be published: close it first.",
            )));
        }
        if publish == s.published_at.is_some() {
            return Ok(());
        }
        let ctx = ctx.clone();
        self.db
            .transaction::<_, (), StoreError>(|txn| {
                Box::pin(async move {
                    let code = s.code.clone();
                    let mut am: survey::ActiveModel = s.into();
                    am.published_at = Set(publish.then(Utc::now));
                    am.published_by = Set(publish.then(|| ctx.actor_name.clone()));
                    am.update(txn).await?;
                    record(
                        txn,
                        &ctx,
                        AuditEntry {
                            action: if publish { "survey.publish" } else { "survey.unpublish" },
                            object_type: "survey",
                            object_id: Some(code),
                            ..Default::default()
                        },
                    )
                    .await
                })
            })
            .await
            .map_err(Into::into)
    }

    /// The surveys on the public portal, newest first.
    pub async fn published_surveys(&self) -> Result<Vec<survey::Model>, StoreError> {
        Ok(survey::Entity::find()
            .filter(survey::Column::PublishedAt.is_not_null())
            .order_by_desc(survey::Column::Year)
            .order_by_desc(survey::Column::PublishedAt)
            .all(&self.db)
            .await?)
    }

    /// The comments and answers the units made public, of a published survey, by unit then
    /// newest first; nothing for a survey that is not published.
    pub async fn public_replies(&self, survey_id: i64) -> Result<Vec<PublicReply>, StoreError> {
        let s = survey::Entity::find_by_id(survey_id).one(&self.db).await?.ok_or(StoreError::NotFound)?;
        if s.published_at.is_none() {
            return Ok(vec![]);
        }
        let replies = survey_reply::Entity::find()
            .filter(survey_reply::Column::SurveyId.eq(survey_id))
            .filter(survey_reply::Column::Public.eq(true))
            .order_by_desc(survey_reply::Column::RepliedAt)
            .all(&self.db)
            .await?;
        let ids: Vec<i64> = replies.iter().map(|r| r.response_id).collect();
        let answers: HashMap<i64, String> = survey_response::Entity::find()
            .select_only()
            .column(survey_response::Column::Id)
            .column(survey_response::Column::Answers)
            .filter(survey_response::Column::Id.is_in(ids))
            .into_tuple::<(i64, String)>()
            .all(&self.db)
            .await?
            .into_iter()
            .collect();
        let units: HashMap<i64, String> =
            crate::entity::unit::Entity::find().all(&self.db).await?.into_iter().map(|u| (u.id, u.name)).collect();
        let mut out: Vec<PublicReply> = replies
            .into_iter()
            .filter_map(|r| {
                let comment =
                    serde_json::from_str::<serde_json::Value>(answers.get(&r.response_id)?).ok()?.get(&r.question)?.as_str()?.to_string();
                Some(PublicReply {
                    unit_id: r.unit_id,
                    unit_name: units.get(&r.unit_id).cloned().unwrap_or_default(),
                    comment,
                    answer: r.body,
                    answered_at: r.replied_at,
                })
            })
            .collect();
        parindex_core::text::sort_by_name(&mut out, |r| &r.unit_name);
        Ok(out)
    }
}

fn empty(question: &str, option: &str) -> GroupCell {
    GroupCell { question: question.to_string(), option: option.to_string(), respondents: 0, elements: [Tally::default(); 5] }
}
