//! The unit's own words in its self-assessment report (issue #7): the difficulties it met and
//! its recommendations, kept per assessment and printed in the report (DOCX/PDF). The unit's
//! staff write them until the result is approved; every change is audited.

use chrono::Utc;
use parindex_core::Msg;
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set, TransactionTrait};
use serde::Serialize;
use serde_json::json;

use crate::entity::assessment_report;
use crate::repo::audit::{AuditEntry, record};
use crate::{AuditCtx, Store, StoreError};

/// Longest text accepted for each part.
pub const MAX_CHARS: usize = 8000;

#[derive(Debug, Clone, Default, Serialize)]
pub struct ReportNotes {
    pub difficulties: Option<String>,
    pub recommendations: Option<String>,
}

fn clean(field: &'static str, v: &str) -> Result<Option<String>, StoreError> {
    let v = v.trim().replace("\r\n", "\n");
    if v.chars().count() > MAX_CHARS {
        return Err(StoreError::invalid(
            field,
            Msg::new(format!("Tối đa {MAX_CHARS} ký tự; hãy rút gọn."), format!("At most {MAX_CHARS} characters; shorten it.")),
        ));
    }
    Ok((!v.is_empty()).then_some(v))
}

impl Store {
    /// The unit's difficulties and recommendations for an assessment (empty when none).
    pub async fn report_notes(&self, assessment_id: i64) -> Result<ReportNotes, StoreError> {
        Ok(assessment_report::Entity::find_by_id(assessment_id)
            .one(&self.db)
            .await?
            .map(|m| ReportNotes { difficulties: m.difficulties, recommendations: m.recommendations })
            .unwrap_or_default())
    }

    /// Save them (refused once the result is approved or published: the report is then final).
    pub async fn set_report_notes(
        &self,
        ctx: &AuditCtx,
        assessment_id: i64,
        difficulties: &str,
        recommendations: &str,
    ) -> Result<ReportNotes, StoreError> {
        let view = self.get_assessment(assessment_id).await?;
        if view.assessment.state.frozen() {
            return Err(StoreError::Conflict(Msg::new(
                "Kết quả đã được phê duyệt: báo cáo tự đánh giá không sửa được nữa.",
                "The result is approved: the self-assessment report can no longer change.",
            )));
        }
        let notes =
            ReportNotes { difficulties: clean("difficulties", difficulties)?, recommendations: clean("recommendations", recommendations)? };
        let (ctx, n, unit_id) = (ctx.clone(), notes.clone(), view.assessment.unit_id);
        self.db
            .transaction::<_, (), StoreError>(|txn| {
                Box::pin(async move {
                    let before = assessment_report::Entity::find_by_id(assessment_id).one(txn).await?;
                    let old = before.as_ref().map(|m| json!({"difficulties": m.difficulties, "recommendations": m.recommendations}));
                    match before {
                        Some(m) => {
                            let mut a = m.into_active_model();
                            a.difficulties = Set(n.difficulties.clone());
                            a.recommendations = Set(n.recommendations.clone());
                            a.updated_by = Set(ctx.actor_name.clone());
                            a.updated_at = Set(Utc::now());
                            a.update(txn).await?;
                        }
                        None => {
                            assessment_report::ActiveModel {
                                assessment_id: Set(assessment_id),
                                difficulties: Set(n.difficulties.clone()),
                                recommendations: Set(n.recommendations.clone()),
                                updated_by: Set(ctx.actor_name.clone()),
                                updated_at: Set(Utc::now()),
                            }
                            .insert(txn)
                            .await?;
                        }
                    }
                    record(
                        txn,
                        &ctx,
                        AuditEntry {
                            action: "assessment.report_notes",
                            object_type: "assessment",
                            object_id: Some(assessment_id.to_string()),
                            unit_id: Some(unit_id),
                            before: old,
                            after: Some(json!({"difficulties": n.difficulties, "recommendations": n.recommendations})),
                            ..Default::default()
                        },
                    )
                    .await?;
                    Ok(())
                })
            })
            .await?;
        Ok(notes)
    }
}
