//! Bonuses and penalties (the framework's `adjustments`, outside the 100-point tree, each capped
//! by its own maximum): the reform office enters them per assessment on the council's or the
//! province's decision, with the reason (a decision number, a finding). The engine adds bonuses
//! and subtracts penalties after the tree is summed (`core::framework::score`), so the results,
//! the publication and every export include them. Refused once the unit's result is approved;
//! every change is audited before → after.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use parindex_core::framework::result::leaf_points;
use parindex_core::framework::{AdjustmentKind, Input, Rule};
use parindex_core::{Exact, Msg};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, Set, TransactionTrait};
use serde::Serialize;
use serde_json::json;

use crate::entity::assessment_adjustment;
use crate::repo::audit::{AuditEntry, record};
use crate::{AuditCtx, Store, StoreError};

/// One of the framework's adjustments for one assessment, with what was entered.
#[derive(Debug, Clone, Serialize)]
pub struct AdjustmentRow {
    pub code: String,
    pub title: String,
    pub kind: AdjustmentKind,
    pub max: Exact,
    pub rule: Rule,
    pub input: Option<Input>,
    /// The points it gives (0..max), when entered.
    pub points: Option<Exact>,
    pub reason: Option<String>,
    pub set_by: Option<String>,
    pub set_at: Option<DateTime<Utc>>,
}

impl Store {
    /// Every adjustment of the assessment's framework, with its entry when there is one.
    pub async fn assessment_adjustments(&self, assessment_id: i64) -> Result<Vec<AdjustmentRow>, StoreError> {
        let view = self.get_assessment(assessment_id).await?;
        let mut set: HashMap<String, assessment_adjustment::Model> = assessment_adjustment::Entity::find()
            .filter(assessment_adjustment::Column::AssessmentId.eq(assessment_id))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|m| (m.code.clone(), m))
            .collect();
        Ok(view
            .framework
            .adjustments
            .iter()
            .map(|a| {
                let m = set.remove(&a.code);
                let input = m.as_ref().and_then(|m| serde_json::from_str::<Input>(&m.input).ok());
                let points = input.as_ref().and_then(|i| leaf_points(&a.rule, &a.max, i).ok().flatten());
                AdjustmentRow {
                    code: a.code.clone(),
                    title: a.title.clone(),
                    kind: a.kind,
                    max: a.max.clone(),
                    rule: a.rule.clone(),
                    input,
                    points,
                    reason: m.as_ref().map(|m| m.reason.clone()),
                    set_by: m.as_ref().map(|m| m.set_by.clone()),
                    set_at: m.map(|m| m.set_at),
                }
            })
            .collect())
    }

    /// The adjustment inputs of many assessments (for the results), by assessment id.
    pub(crate) async fn adjustment_inputs(&self, ids: &[i64]) -> Result<HashMap<i64, BTreeMap<String, Input>>, StoreError> {
        let mut out: HashMap<i64, BTreeMap<String, Input>> = HashMap::new();
        for chunk in ids.chunks(500) {
            for m in assessment_adjustment::Entity::find()
                .filter(assessment_adjustment::Column::AssessmentId.is_in(chunk.to_vec()))
                .all(&self.db)
                .await?
            {
                if let Ok(i) = serde_json::from_str::<Input>(&m.input) {
                    out.entry(m.assessment_id).or_default().insert(m.code, i);
                }
            }
        }
        Ok(out)
    }

    /// Enter (or, with `input` none, remove) a bonus or penalty of an assessment, with its
    /// reason. Returns the points it now gives.
    pub async fn set_adjustment(
        &self,
        ctx: &AuditCtx,
        assessment_id: i64,
        code: &str,
        input: Option<Input>,
        reason: &str,
    ) -> Result<Option<Exact>, StoreError> {
        let view = self.get_assessment(assessment_id).await?;
        if view.assessment.state.frozen() {
            return Err(StoreError::Conflict(Msg::new(
                "Kết quả của đơn vị đã được phê duyệt: không sửa điểm thưởng/điểm trừ.",
                "The unit's result is approved: its bonuses and penalties cannot change.",
            )));
        }
        let adj = view.framework.adjustments.iter().find(|a| a.code == code).ok_or(StoreError::NotFound)?.clone();
        let reason = reason.trim().to_string();
        if reason.is_empty() || reason.chars().count() > 1000 {
            return Err(StoreError::invalid(
                "reason",
                Msg::new(
                    "Ghi căn cứ (số quyết định, kết luận kiểm tra…), tối đa 1000 ký tự.",
                    "Give the basis (decision number, inspection finding…), at most 1000 characters.",
                ),
            ));
        }
        let points = match &input {
            Some(i) => leaf_points(&adj.rule, &adj.max, i).map_err(|m| StoreError::invalid("input", m))?,
            None => None,
        };
        let text = input.as_ref().map(|i| serde_json::to_string(i).unwrap_or_default());
        let (ctx, code, p) = (ctx.clone(), code.to_string(), points.clone());
        let unit_id = view.assessment.unit_id;
        self.db
            .transaction::<_, (), StoreError>(|txn| {
                Box::pin(async move {
                    let existing = assessment_adjustment::Entity::find()
                        .filter(assessment_adjustment::Column::AssessmentId.eq(assessment_id))
                        .filter(assessment_adjustment::Column::Code.eq(code.clone()))
                        .one(txn)
                        .await?;
                    let before = existing.as_ref().map(|m| json!({"input": m.input, "reason": m.reason}));
                    match (existing, text.clone()) {
                        (Some(m), Some(t)) => {
                            let mut am = m.into_active_model();
                            am.input = Set(t);
                            am.reason = Set(reason.clone());
                            am.set_by = Set(ctx.actor_name.clone());
                            am.set_at = Set(Utc::now());
                            am.update(txn).await?;
                        }
                        (Some(m), None) => {
                            assessment_adjustment::Entity::delete_by_id(m.id).exec(txn).await?;
                        }
                        (None, Some(t)) => {
                            assessment_adjustment::ActiveModel {
                                assessment_id: Set(assessment_id),
                                code: Set(code.clone()),
                                input: Set(t),
                                reason: Set(reason.clone()),
                                set_by: Set(ctx.actor_name.clone()),
                                set_at: Set(Utc::now()),
                                ..Default::default()
                            }
                            .insert(txn)
                            .await?;
                        }
                        (None, None) => return Ok(()),
                    }
                    record(
                        txn,
                        &ctx,
                        AuditEntry {
                            action: "assessment.adjustment",
                            object_type: "assessment",
                            object_id: Some(format!("{assessment_id}:{code}")),
                            unit_id: Some(unit_id),
                            before,
                            after: text.map(|t| json!({"input": t, "points": p.map(|x| x.to_string())})),
                            reason: Some(reason.clone()),
                        },
                    )
                    .await
                })
            })
            .await?;
        Ok(points)
    }
}
