//! Officials' survey → points of a period (issue #5, item 7). A framework leaf sourced from a
//! survey (`source: survey`, rule `survey`) is scored neither by the unit nor by an appraiser:
//! its points are max × the survey's exact mean option weight for that unit
//! (`Store::survey_leaf_shares`). [`Store::apply_survey_points`] writes them into the period's
//! assessments — as the leaf's input (`{result: share}`), its points, and a note naming the
//! survey, the number of answers and the exact share — so the self / appraised / final chain and
//! every total read them like any other leaf, and the provenance is on the leaf. Applying again
//! (more responses came in) replaces the figures, with before → after in the audit log. An
//! approved assessment is never touched.

use chrono::Utc;
use parindex_core::framework::{Input, Rule, Source};
use parindex_core::{Exact, Msg, UnitScope};
use sea_orm::{ActiveModelTrait, IntoActiveModel, Set, TransactionTrait};
use serde::Serialize;
use serde_json::json;

use crate::entity::assessment_entry;
use crate::repo::audit::{AuditEntry, record};
use crate::repo::periods::{entry_of, points_of};
use crate::{AuditCtx, Store, StoreError};

/// One unit × leaf written.
#[derive(Debug, Clone, Serialize)]
pub struct AppliedLeaf {
    pub unit_code: String,
    pub unit_name: String,
    pub leaf: String,
    pub answers: u64,
    /// The exact share (a fraction: `7/8`).
    pub share: String,
    pub points: String,
}

/// One unit × leaf not written, and why.
#[derive(Debug, Clone, Serialize)]
pub struct SkippedLeaf {
    pub unit_code: String,
    pub leaf: String,
    pub reason: Msg,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct SurveyPoints {
    pub applied: Vec<AppliedLeaf>,
    pub skipped: Vec<SkippedLeaf>,
}

impl Store {
    /// Write a survey's leaf shares into the assessments of a period of the same year, in one
    /// transaction (one audit entry per leaf). Units without an assessment in the period, leaves
    /// the period's framework does not take from a survey, and approved assessments are skipped
    /// and listed.
    pub async fn apply_survey_points(&self, ctx: &AuditCtx, survey_id: i64, period_id: i64) -> Result<SurveyPoints, StoreError> {
        let survey = self.get_survey(survey_id).await?;
        let period = self.get_period(period_id).await?;
        if survey.year != period.year {
            return Err(StoreError::invalid(
                "period",
                Msg::new(
                    format!("Khảo sát năm {} không dùng cho kỳ đánh giá năm {}.", survey.year, period.year),
                    format!("A survey of {} cannot score a period of {}.", survey.year, period.year),
                ),
            ));
        }
        let shares = self.survey_leaf_shares(survey_id).await?;
        let assessments = self.list_assessments(period_id, UnitScope::All).await?;
        let mut out = SurveyPoints::default();
        let mut writes: Vec<(i64, String, Input, Exact, String, AppliedLeaf)> = Vec::new();
        let mut views = std::collections::HashMap::new();
        for s in shares {
            let skip =
                |vi: String, en: String| SkippedLeaf { unit_code: s.unit_code.clone(), leaf: s.leaf.clone(), reason: Msg::new(vi, en) };
            let Some(a) = assessments.iter().find(|a| a.unit_id == s.unit_id) else {
                out.skipped.push(skip("Đơn vị không tham gia kỳ đánh giá này.".into(), "The unit is not in this period.".into()));
                continue;
            };
            if a.state.frozen() {
                out.skipped.push(skip("Kết quả của đơn vị đã được phê duyệt.".into(), "The unit's result is approved.".into()));
                continue;
            }
            if let std::collections::hash_map::Entry::Vacant(e) = views.entry(a.id) {
                e.insert(self.get_assessment(a.id).await?);
            }
            let view = &views[&a.id];
            let leaf = view.framework.find(&s.leaf).filter(|n| {
                n.is_leaf()
                    && n.source == Source::Survey
                    && matches!(n.rule, Some(Rule::Survey))
                    && (n.applies_to.is_empty() || n.applies_to.iter().any(|k| k == &a.unit_kind))
            });
            let Some(leaf) = leaf else {
                out.skipped.push(skip(
                    format!("Bộ chỉ số của kỳ không có tiêu chí {} lấy điểm từ khảo sát cho đơn vị này.", s.leaf),
                    format!("The period's framework has no survey-sourced leaf {} for this unit.", s.leaf),
                ));
                continue;
            };
            let input = Input { result: Some(s.share.clone()), ..Default::default() };
            let Some(points) = points_of(leaf, &input)? else { continue };
            let share = s.share.to_fraction_string();
            let note = format!("Từ khảo sát {}: {} câu trả lời, tỷ lệ {} (trung bình trọng số phương án).", survey.code, s.answers, share);
            let applied = AppliedLeaf {
                unit_code: s.unit_code.clone(),
                unit_name: s.unit_name.clone(),
                leaf: s.leaf.clone(),
                answers: s.answers,
                share,
                points: points.to_string(),
            };
            writes.push((a.id, s.leaf.clone(), input, points, note, applied));
        }
        let ctx = ctx.clone();
        let code = survey.code.clone();
        let applied = self
            .db
            .transaction::<_, Vec<AppliedLeaf>, StoreError>(|txn| {
                Box::pin(async move {
                    let mut applied = Vec::new();
                    for (assessment_id, leaf, input, points, note, row) in writes {
                        let after = json!({"survey": code, "answers": row.answers});
                        write_supplied_leaf(
                            txn,
                            &ctx,
                            "assessment.survey_points",
                            assessment_id,
                            &leaf,
                            Supplied { input: Some(&input), points: Some(&points), note: Some(&note) },
                            after,
                        )
                        .await?;
                        applied.push(row);
                    }
                    Ok(applied)
                })
            })
            .await?;
        out.applied = applied;
        Ok(out)
    }

    /// The result of a survey run elsewhere (e.g. the ministry's national survey) for one
    /// survey-sourced leaf of one assessment: share 0–1, exact; `source` names where it comes
    /// from and goes into the leaf's note. Refused for an approved assessment or a leaf not
    /// sourced from a survey.
    pub async fn record_survey_result(
        &self,
        ctx: &AuditCtx,
        assessment_id: i64,
        leaf: &str,
        share: Exact,
        source: &str,
    ) -> Result<Exact, StoreError> {
        let view = self.get_assessment(assessment_id).await?;
        if view.assessment.state.frozen() {
            return Err(StoreError::Conflict(Msg::new("Kết quả của đơn vị đã được phê duyệt.", "The unit's result is approved.")));
        }
        let node = view
            .framework
            .find(leaf)
            .filter(|n| n.is_leaf() && n.source == Source::Survey && matches!(n.rule, Some(Rule::Survey)))
            .ok_or(StoreError::NotFound)?;
        let input = Input { result: Some(share.clone()), ..Default::default() };
        let points = points_of(node, &input)?.unwrap_or(Exact::ZERO);
        let note = format!("{source}: tỷ lệ {}.", share.to_fraction_string());
        let (ctx, leaf, p) = (ctx.clone(), leaf.to_string(), points.clone());
        self.db
            .transaction::<_, (), StoreError>(|txn| {
                Box::pin(async move {
                    let after = json!({"source": note});
                    write_supplied_leaf(
                        txn,
                        &ctx,
                        "assessment.survey_points",
                        assessment_id,
                        &leaf,
                        Supplied { input: Some(&input), points: Some(&p), note: Some(&note) },
                        after,
                    )
                    .await
                })
            })
            .await?;
        Ok(points)
    }
}

/// What the system writes into a leaf: its input, the points the rule gives it, the note that
/// says where it comes from (all `None`: cleared).
#[derive(Clone, Copy, Default)]
pub(crate) struct Supplied<'a> {
    pub input: Option<&'a Input>,
    pub points: Option<&'a Exact>,
    pub note: Option<&'a str>,
}

/// Write a leaf whose points the system supplies — a survey's share or a feed's value — as its
/// input, points and source note (insert or replace; `None` clears them), with its audit entry
/// (`action`); `after` is what the log records beside the input and points.
pub(crate) async fn write_supplied_leaf(
    txn: &sea_orm::DatabaseTransaction,
    ctx: &AuditCtx,
    action: &'static str,
    assessment_id: i64,
    leaf: &str,
    value: Supplied<'_>,
    mut after: serde_json::Value,
) -> Result<(), StoreError> {
    let input_json = value.input.map(|i| serde_json::to_string(i).unwrap_or_default());
    let points = value.points.map(|p| p.to_string());
    let note = value.note.map(str::to_string);
    let existing = entry_of(txn, assessment_id, leaf).await?;
    let before = existing.as_ref().map(|x| json!({"input": x.self_input, "points": x.self_points, "note": x.note}));
    let now = Utc::now();
    match existing {
        Some(x) => {
            let version = x.version + 1;
            let mut am = x.into_active_model();
            am.self_input = Set(input_json.clone());
            am.self_points = Set(points.clone());
            am.note = Set(note);
            am.version = Set(version);
            am.updated_by = Set(ctx.actor_name.clone());
            am.updated_at = Set(now);
            am.update(txn).await?;
        }
        None if value.input.is_none() && value.note.is_none() => return Ok(()),
        None => {
            assessment_entry::ActiveModel {
                assessment_id: Set(assessment_id),
                node_code: Set(leaf.to_string()),
                self_input: Set(input_json.clone()),
                self_points: Set(points.clone()),
                note: Set(note),
                version: Set(1),
                updated_by: Set(ctx.actor_name.clone()),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(txn)
            .await?;
        }
    }
    after["input"] = json!(input_json);
    after["points"] = json!(points);
    record(
        txn,
        ctx,
        AuditEntry {
            action,
            object_type: "assessment",
            object_id: Some(format!("{assessment_id}/{leaf}")),
            before,
            after: Some(after),
            ..Default::default()
        },
    )
    .await
}
