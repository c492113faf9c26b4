//! Appraisal of submitted self-assessments (issue #4): each leaf is appraised by the agency the
//! framework names for it (its own `appraiser` or the nearest ancestor's; leaves naming nobody go
//! to the reform office's appraisers, i.e. appraisers without a unit, and to admins). The
//! appraiser enters the appraised input — a comment is required when the points differ from the
//! unit's — or returns the leaf to the unit for correction.

use chrono::{NaiveDate, Utc};
use parindex_core::assessment::{State, within};
use parindex_core::framework::{Framework, Input};
use parindex_core::unit::FieldError;
use parindex_core::{Exact, Msg, Role};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, Set, TransactionTrait};
use serde::Serialize;
use serde_json::json;

use crate::entity::{assessment, assessment_entry};
use crate::repo::audit::{AuditCtx, AuditEntry, record};
use crate::repo::notifications::{Recipients, notify};
use crate::repo::periods::{AssessmentRow, AssessmentView, PeriodRow, entry_of, invalid, move_state, points_of};
use crate::{Store, StoreError};

/// Whose leaves an appraiser appraises.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppraiserScope {
    /// An appraiser of this agency (unit code): the leaves naming it.
    Agency(String),
    /// The reform office's appraisers (no unit): the leaves naming nobody.
    Unassigned,
    /// An administrator: every leaf.
    All,
}

impl AppraiserScope {
    pub fn covers(&self, appraiser: Option<&str>) -> bool {
        match self {
            AppraiserScope::All => true,
            AppraiserScope::Unassigned => appraiser.is_none(),
            AppraiserScope::Agency(code) => appraiser == Some(code.as_str()),
        }
    }
}

/// The leaves of `fw` that `scope` appraises for a unit of `kind` (self-assessed ones).
pub fn my_leaves(fw: &Framework, kind: &str, scope: &AppraiserScope) -> Vec<String> {
    let mine: Vec<String> = crate::repo::periods::self_leaves(fw, kind).iter().map(|n| n.code.clone()).collect();
    fw.appraisers().into_iter().filter(|(n, a)| mine.contains(&n.code) && scope.covers(*a)).map(|(n, _)| n.code.clone()).collect()
}

/// The fed leaves (issue #18) of `fw` for a unit of `kind` whose data `scope` answers for (the
/// department the leaf names, else the office's appraisers). Read-only in appraisal; a unit may
/// contest their value in the explanation round, and this appraiser answers in final appraisal.
pub fn my_fed_leaves(fw: &Framework, kind: &str, scope: &AppraiserScope) -> Vec<String> {
    fw.appraisers()
        .into_iter()
        .filter(|(n, a)| n.source.feed().is_some() && scope.covers(*a))
        .filter(|(n, _)| crate::repo::periods::leaves_from(fw, kind, n.source).iter().any(|l| l.code == n.code))
        .map(|(n, _)| n.code.clone())
        .collect()
}

/// The leaves whose explanations `scope` answers in final appraisal: those it appraised, and the
/// fed leaves whose data it answers for.
pub fn my_final_leaves(fw: &Framework, kind: &str, scope: &AppraiserScope) -> Vec<String> {
    let mut out = my_leaves(fw, kind, scope);
    out.extend(my_fed_leaves(fw, kind, scope));
    out
}

/// Whether a unit of `kind` may contest leaf `code` of its preliminary result: a self-assessed
/// leaf once appraised, or a fed leaf (its figure, with or without data) that applies to it.
fn contestable(view: &AssessmentView, code: &str) -> bool {
    let kind = &view.assessment.unit_kind;
    match view.framework.find(code) {
        Some(n) if n.source.feed().is_some() => {
            crate::repo::periods::leaves_from(&view.framework, kind, n.source).iter().any(|l| l.code == n.code)
        }
        Some(_) => view.entries.get(code).is_some_and(|e| e.appraised_at.is_some()),
        None => false,
    }
}

/// Whether an appraiser with `scope` may read this assessment: it holds leaves of theirs (to
/// appraise, or fed leaves whose data they answer for) and has reached appraisal (submitted or
/// later). The appraisal page and the API ask the same.
pub fn appraiser_may_read(view: &crate::repo::periods::AssessmentView, scope: &AppraiserScope) -> bool {
    let st = view.assessment.state;
    let visible = st.appraiser_works() || matches!(st, State::PreliminarySent | State::Approved);
    visible && !my_final_leaves(&view.framework, &view.assessment.unit_kind, scope).is_empty()
}

#[derive(Debug, Clone, Serialize)]
pub struct QueueRow {
    pub period: PeriodRow,
    pub assessment: AssessmentRow,
    /// My leaves in this assessment, appraised so far, returned.
    pub leaves: usize,
    pub appraised: usize,
    pub returned: usize,
    /// In final appraisal: my leaves the unit explained that wait for my answer.
    pub awaiting: usize,
}

fn not_mine(code: &str) -> StoreError {
    StoreError::Forbidden(Msg::new(
        format!("Tiêu chí {code} không thuộc phần việc thẩm định của bạn."),
        format!("Leaf {code} is not one you appraise."),
    ))
}

impl Store {
    /// Submitted and under-appraisal assessments with my leaves, with my progress.
    pub async fn appraisal_queue(&self, scope: &AppraiserScope) -> Result<Vec<QueueRow>, StoreError> {
        let mut out = Vec::new();
        for p in self.list_periods().await? {
            let rows: Vec<AssessmentRow> = self
                .list_assessments(p.id, parindex_core::UnitScope::All)
                .await?
                .into_iter()
                .filter(|a| a.state.appraiser_works())
                .collect();
            if rows.is_empty() {
                continue;
            }
            // one framework and one query of entries per period, not per unit
            let fw = self.period_framework(p.id).await?;
            let all = assessment_entry::Entity::find()
                .filter(assessment_entry::Column::AssessmentId.is_in(rows.iter().map(|a| a.id).collect::<Vec<_>>()))
                .all(&self.db)
                .await?;
            let mut entries: std::collections::HashMap<(i64, String), crate::repo::periods::EntryRow> = Default::default();
            for e in &all {
                entries.insert((e.assessment_id, e.node_code.clone()), crate::repo::periods::entry_row(e));
            }
            let mut leaves_by_kind: std::collections::HashMap<String, (Vec<String>, Vec<String>)> = Default::default();
            for a in rows {
                let (leaves, answered) = leaves_by_kind
                    .entry(a.unit_kind.clone())
                    .or_insert_with(|| (my_leaves(&fw, &a.unit_kind, scope), my_final_leaves(&fw, &a.unit_kind, scope)))
                    .clone();
                let entry = |c: &String| entries.get(&(a.id, c.clone()));
                // in final appraisal only contested leaves of mine (fed ones included) that are
                // not answered yet
                let awaiting = if a.state == State::FinalAppraisal {
                    answered.iter().filter(|c| entry(c).is_some_and(|e| e.contest.is_some() && e.final_at.is_none())).count()
                } else {
                    0
                };
                if if a.state == State::FinalAppraisal { awaiting == 0 } else { leaves.is_empty() } {
                    continue;
                }
                let appraised = leaves.iter().filter(|c| entry(c).is_some_and(|e| e.appraised_at.is_some())).count();
                let returned = leaves.iter().filter(|c| entry(c).is_some_and(|e| e.returned_reason.is_some())).count();
                out.push(QueueRow { period: p.clone(), assessment: a, leaves: leaves.len(), appraised, returned, awaiting });
            }
        }
        Ok(out)
    }

    /// Whether an appraiser with `scope` has work in this unit's assessments now (evidence access):
    /// an assessment of the unit in appraisal (or returned, or in final appraisal) with leaves of
    /// theirs. Looks at this unit's assessments only.
    pub async fn appraises_unit(&self, scope: &AppraiserScope, unit_id: i64) -> Result<bool, StoreError> {
        let mine = assessment::Entity::find().filter(assessment::Column::UnitId.eq(unit_id)).all(&self.db).await?;
        for a in mine {
            if !State::parse(&a.state).is_some_and(State::appraiser_works) {
                continue;
            }
            let view = self.get_assessment(a.id).await?;
            if !my_leaves(&view.framework, &view.assessment.unit_kind, scope).is_empty() {
                return Ok(true);
            }
        }
        Ok(false)
    }

    fn check_appraisal(view: &AssessmentView, code: &str, scope: &AppraiserScope, today: NaiveDate) -> Result<(), StoreError> {
        if !view.assessment.state.in_appraisal() {
            let st = view.assessment.state;
            return Err(StoreError::Conflict(Msg::new(
                format!("Bản đánh giá đang ở trạng thái “{}”, chưa (hoặc không còn) thẩm định được.", st.label("vi")),
                format!("The assessment is “{}”; it cannot be appraised now.", st.label("en")),
            )));
        }
        within(view.period.appraisal_due, today).map_err(StoreError::Conflict)?;
        if !my_leaves(&view.framework, &view.assessment.unit_kind, scope).iter().any(|c| c == code) {
            return Err(not_mine(code));
        }
        Ok(())
    }

    /// Appraise one leaf. A comment is required when the appraised points differ from the unit's.
    /// The assessment moves from submitted to under appraisal with its first appraised leaf.
    #[allow(clippy::too_many_arguments)]
    pub async fn appraise_entry(
        &self,
        ctx: &AuditCtx,
        assessment_id: i64,
        code: &str,
        scope: &AppraiserScope,
        input: Input,
        comment: Option<String>,
        today: NaiveDate,
    ) -> Result<(), StoreError> {
        let view = self.get_assessment(assessment_id).await?;
        Self::check_appraisal(&view, code, scope, today)?;
        let leaf = view.framework.find(code).cloned().ok_or(StoreError::NotFound)?;
        let points = points_of(&leaf, &input)?;
        let entry = view.entries.get(code);
        let self_points = entry.and_then(|e| e.points.clone());
        let comment = comment.filter(|c| !c.trim().is_empty());
        if points != self_points && comment.is_none() {
            let show = |p: &Option<Exact>| p.as_ref().map(|x| x.to_string()).unwrap_or_else(|| "—".into());
            return Err(StoreError::Invalid(vec![FieldError {
                field: "comment",
                message: Msg::new(
                    format!("Điểm thẩm định ({}) khác điểm tự chấm ({}): hãy ghi nhận xét nêu lý do.", show(&points), show(&self_points)),
                    format!(
                        "The appraised points ({}) differ from the unit's ({}): write a comment with the reason.",
                        show(&points),
                        show(&self_points)
                    ),
                ),
            }]));
        }
        let ctx = ctx.clone();
        let code = code.to_string();
        self.db
            .transaction::<_, (), StoreError>(|txn| {
                Box::pin(async move { write_appraisal(txn, &ctx, assessment_id, &code, &input, points, comment).await })
            })
            .await
            .map_err(Into::into)
    }

    /// Accept the unit's own input as the appraised one for every leaf of `scope` that is not
    /// appraised yet (the appraiser agrees with the rest after checking the leaves that differ).
    /// One transaction; each leaf gets its own audit entry. Returns how many leaves were accepted.
    pub async fn accept_self_scores(
        &self,
        ctx: &AuditCtx,
        assessment_id: i64,
        scope: &AppraiserScope,
        today: NaiveDate,
    ) -> Result<usize, StoreError> {
        let view = self.get_assessment(assessment_id).await?;
        let mut todo = Vec::new();
        for code in my_leaves(&view.framework, &view.assessment.unit_kind, scope) {
            let Some(e) = view.entries.get(&code).filter(|e| e.appraised_at.is_none()) else { continue };
            Self::check_appraisal(&view, &code, scope, today)?;
            let Some(input) = e.input.clone() else { continue };
            let leaf = view.framework.find(&code).ok_or(StoreError::NotFound)?;
            let points = points_of(leaf, &input)?;
            todo.push((code, input, points));
        }
        if todo.is_empty() {
            return Err(invalid(
                "entries",
                "Không còn tiêu chí nào chờ thẩm định trong phạm vi của bạn.".into(),
                "No leaf of yours is waiting for appraisal.".into(),
            ));
        }
        let n = todo.len();
        let ctx = ctx.clone();
        self.db
            .transaction::<_, (), StoreError>(|txn| {
                Box::pin(async move {
                    for (code, input, points) in todo {
                        write_appraisal(txn, &ctx, assessment_id, &code, &input, points, None).await?;
                    }
                    Ok(())
                })
            })
            .await?;
        Ok(n)
    }

    /// Return a leaf to the unit for correction (a reason is required). The assessment goes back
    /// to the unit (`returned`): it edits and its leader submits again.
    pub async fn return_entry(
        &self,
        ctx: &AuditCtx,
        assessment_id: i64,
        code: &str,
        scope: &AppraiserScope,
        reason: &str,
        today: NaiveDate,
    ) -> Result<(), StoreError> {
        let view = self.get_assessment(assessment_id).await?;
        Self::check_appraisal(&view, code, scope, today)?;
        if reason.trim().is_empty() {
            return Err(invalid(
                "reason",
                "Hãy ghi lý do trả lại và việc đơn vị cần sửa.".into(),
                "Write why it is returned and what the unit should fix.".into(),
            ));
        }
        let ctx = ctx.clone();
        let code = code.to_string();
        let reason = reason.trim().to_string();
        let unit_id = view.assessment.unit_id;
        self.db
            .transaction::<_, (), StoreError>(|txn| {
                Box::pin(async move {
                    let text = Msg::new(
                        format!("Tiêu chí {code} bị trả lại để sửa: {reason}"),
                        format!("Leaf {code} was returned for correction: {reason}"),
                    );
                    notify(txn, Recipients::UnitStaff(unit_id), "returned", &text, &format!("/assessments/{assessment_id}#leaf-{code}"))
                        .await?;
                    let e = entry_of(txn, assessment_id, &code).await?.ok_or(StoreError::NotFound)?;
                    let mut am = e.into_active_model();
                    am.returned_reason = Set(Some(reason.clone()));
                    am.update(txn).await?;
                    let (from, am) =
                        move_state(txn, assessment_id, &[State::Submitted, State::UnderAppraisal, State::Returned], State::Returned)
                            .await?;
                    am.update(txn).await?;
                    record(
                        txn,
                        &ctx,
                        AuditEntry {
                            action: "assessment.return",
                            object_type: "assessment",
                            object_id: Some(format!("{assessment_id}/{code}")),
                            before: Some(json!({"state": from.as_str()})),
                            after: Some(json!({"state": State::Returned.as_str(), "reason": reason})),
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

/// Change an assessment's state inside a transaction, with its audit entry.
async fn set_state<C: sea_orm::ConnectionTrait>(
    txn: &C,
    ctx: &AuditCtx,
    assessment_id: i64,
    from: &[State],
    to: State,
    action: &'static str,
) -> Result<(), StoreError> {
    let (before, am) = move_state(txn, assessment_id, from, to).await?;
    am.update(txn).await?;
    record(
        txn,
        ctx,
        AuditEntry {
            action,
            object_type: "assessment",
            object_id: Some(assessment_id.to_string()),
            before: Some(json!({"state": before.as_str()})),
            after: Some(json!({"state": to.as_str()})),
            ..Default::default()
        },
    )
    .await
}

fn wrong_state(view: &AssessmentView, want_vi: &str, want_en: &str) -> StoreError {
    let st = view.assessment.state;
    StoreError::Conflict(Msg::new(
        format!("Bản đánh giá đang ở trạng thái “{}”; việc này cần trạng thái “{want_vi}”.", st.label("vi")),
        format!("The assessment is “{}”; this needs “{want_en}”.", st.label("en")),
    ))
}

impl Store {
    /// Send the preliminary result to the unit (reform office): every leaf it scores must be
    /// appraised. The unit may then explain or contest leaves until the explanation deadline.
    pub async fn send_preliminary(&self, ctx: &AuditCtx, assessment_id: i64) -> Result<(), StoreError> {
        let view = self.get_assessment(assessment_id).await?;
        if view.assessment.state != State::UnderAppraisal {
            return Err(wrong_state(&view, State::UnderAppraisal.label("vi"), State::UnderAppraisal.label("en")));
        }
        let missing: Vec<String> = crate::repo::periods::self_leaves(&view.framework, &view.assessment.unit_kind)
            .iter()
            .filter(|n| view.entries.get(&n.code).is_none_or(|e| e.appraised_at.is_none()))
            .map(|n| n.code.clone())
            .collect();
        if !missing.is_empty() {
            return Err(invalid(
                "entries",
                format!("{}: còn tiêu chí chưa thẩm định: {}.", view.assessment.unit_name, missing.join(", ")),
                format!("{}: leaves not appraised yet: {}.", view.assessment.unit_name, missing.join(", ")),
            ));
        }
        let ctx = ctx.clone();
        let unit_id = view.assessment.unit_id;
        let due = view.period.explanation_due.map(parindex_core::text::format_date).unwrap_or_else(|| "—".into());
        self.db
            .transaction::<_, (), StoreError>(|txn| {
                Box::pin(async move {
                    let text = Msg::new(
                        format!("Đã có kết quả thẩm định sơ bộ; đơn vị có thể giải trình đến {due}."),
                        format!("The preliminary appraisal result is out; the unit may explain until {due}."),
                    );
                    notify(txn, Recipients::UnitStaff(unit_id), "preliminary", &text, &format!("/assessments/{assessment_id}")).await?;
                    set_state(txn, &ctx, assessment_id, &[State::UnderAppraisal], State::PreliminarySent, "assessment.preliminary").await
                })
            })
            .await
            .map_err(Into::into)
    }

    /// The unit explains or contests one leaf of the preliminary result (empty text withdraws):
    /// a self-assessed leaf once appraised, or a fed leaf's figure (issue #18), which the
    /// appraisers who answer for its data then answer in final appraisal.
    pub async fn save_contest(
        &self,
        ctx: &AuditCtx,
        assessment_id: i64,
        code: &str,
        text: &str,
        today: NaiveDate,
    ) -> Result<(), StoreError> {
        let view = self.get_assessment(assessment_id).await?;
        if view.assessment.state != State::PreliminarySent {
            return Err(wrong_state(&view, State::PreliminarySent.label("vi"), State::PreliminarySent.label("en")));
        }
        within(view.period.explanation_due, today).map_err(StoreError::Conflict)?;
        if !contestable(&view, code) {
            return Err(invalid(
                "code",
                format!("Tiêu chí {code} không có kết quả thẩm định."),
                format!("Leaf {code} has no appraisal result."),
            ));
        }
        let ctx = ctx.clone();
        let code = code.to_string();
        let text = Some(text.trim().to_string()).filter(|t| !t.is_empty());
        self.db
            .transaction::<_, (), StoreError>(|txn| {
                Box::pin(async move {
                    let e = entry_of(txn, assessment_id, &code).await?;
                    let before = e.as_ref().and_then(|e| e.contest.clone());
                    let mut am = match e {
                        Some(e) => e.into_active_model(),
                        // a fed leaf with no figure yet: the contest opens its row
                        None if text.is_none() => return Ok(()),
                        None => assessment_entry::ActiveModel {
                            assessment_id: Set(assessment_id),
                            node_code: Set(code.clone()),
                            version: Set(1),
                            updated_by: Set(ctx.actor_name.clone()),
                            updated_at: Set(Utc::now()),
                            ..Default::default()
                        },
                    };
                    am.contest = Set(text.clone());
                    am.contest_by = Set(text.as_ref().map(|_| ctx.actor_name.clone()));
                    am.contest_at = Set(text.as_ref().map(|_| Utc::now()));
                    am.save(txn).await?;
                    record(
                        txn,
                        &ctx,
                        AuditEntry {
                            action: "assessment.contest",
                            object_type: "assessment",
                            object_id: Some(format!("{assessment_id}/{code}")),
                            before: Some(json!({"contest": before})),
                            after: Some(json!({"contest": text})),
                            ..Default::default()
                        },
                    )
                    .await
                })
            })
            .await
            .map_err(Into::into)
    }

    /// The unit's leader sends its explanations (or accepts the preliminary result when there
    /// are none): the assessment goes to final appraisal.
    pub async fn submit_contests(&self, ctx: &AuditCtx, assessment_id: i64, today: NaiveDate) -> Result<(), StoreError> {
        let view = self.get_assessment(assessment_id).await?;
        if view.assessment.state != State::PreliminarySent {
            return Err(wrong_state(&view, State::PreliminarySent.label("vi"), State::PreliminarySent.label("en")));
        }
        within(view.period.explanation_due, today).map_err(StoreError::Conflict)?;
        let ctx = ctx.clone();
        let contested_codes: Vec<&str> = view.entries.values().filter(|e| e.contest.is_some()).map(|e| e.node_code.as_str()).collect();
        let contested = contested_codes.len();
        let appraisers = Recipients::appraisers_of(&view.framework, &contested_codes);
        let unit_name = view.assessment.unit_name.clone();
        self.db
            .transaction::<_, (), StoreError>(|txn| {
                Box::pin(async move {
                    let text = Msg::new(
                        format!("{unit_name} đã gửi giải trình ({contested} tiêu chí) — cần thẩm định lại."),
                        format!("{unit_name} sent its explanations ({contested} leaves) — final appraisal needed."),
                    );
                    if contested > 0 {
                        notify(txn, appraisers, "explained", &text, &format!("/appraisal/{assessment_id}")).await?;
                    }
                    notify(
                        txn,
                        Recipients::Roles(vec![Role::Admin, Role::Secretariat]),
                        "explained",
                        &text,
                        &format!("/assessments/{assessment_id}"),
                    )
                    .await?;
                    set_state(txn, &ctx, assessment_id, &[State::PreliminarySent], State::FinalAppraisal, "assessment.explain").await
                })
            })
            .await
            .map_err(Into::into)
    }

    /// Final appraisal of a contested leaf (its appraiser, or for a fed leaf whoever answers for
    /// its data; a comment is always required: it answers the unit). The final value counts
    /// instead of the appraised (or fed) one and a later change of the register does not move it.
    #[allow(clippy::too_many_arguments)]
    pub async fn final_appraise(
        &self,
        ctx: &AuditCtx,
        assessment_id: i64,
        code: &str,
        scope: &AppraiserScope,
        input: Input,
        comment: &str,
        today: NaiveDate,
    ) -> Result<(), StoreError> {
        let view = self.get_assessment(assessment_id).await?;
        if view.assessment.state != State::FinalAppraisal {
            return Err(wrong_state(&view, State::FinalAppraisal.label("vi"), State::FinalAppraisal.label("en")));
        }
        within(view.period.final_due, today).map_err(StoreError::Conflict)?;
        if !my_final_leaves(&view.framework, &view.assessment.unit_kind, scope).iter().any(|c| c == code) {
            return Err(not_mine(code));
        }
        if view.entries.get(code).is_none_or(|e| e.contest.is_none()) {
            return Err(invalid(
                "code",
                format!("Đơn vị không giải trình tiêu chí {code}."),
                format!("The unit did not contest leaf {code}."),
            ));
        }
        if comment.trim().is_empty() {
            return Err(invalid("comment", "Hãy trả lời giải trình của đơn vị.".into(), "Answer the unit's explanation.".into()));
        }
        let leaf = view.framework.find(code).cloned().ok_or(StoreError::NotFound)?;
        let points = points_of(&leaf, &input)?;
        let ctx = ctx.clone();
        let code = code.to_string();
        let comment = comment.trim().to_string();
        let input_json = serde_json::to_string(&input).unwrap_or_default();
        self.db
            .transaction::<_, (), StoreError>(|txn| {
                Box::pin(async move {
                    let e = entry_of(txn, assessment_id, &code).await?.ok_or(StoreError::NotFound)?;
                    let before = json!({"appraised_points": e.appraised_points, "final_points": e.final_points});
                    let mut am = e.into_active_model();
                    am.final_input = Set(Some(input_json.clone()));
                    am.final_points = Set(points.as_ref().map(|p| p.to_string()));
                    am.final_comment = Set(Some(comment.clone()));
                    am.final_by = Set(Some(ctx.actor_name.clone()));
                    am.final_at = Set(Some(Utc::now()));
                    am.update(txn).await?;
                    record(
                        txn,
                        &ctx,
                        AuditEntry {
                            action: "assessment.final",
                            object_type: "assessment",
                            object_id: Some(format!("{assessment_id}/{code}")),
                            before: Some(before),
                            after: Some(json!({"final_points": points.as_ref().map(|p| p.to_string()), "comment": comment})),
                            ..Default::default()
                        },
                    )
                    .await
                })
            })
            .await
            .map_err(Into::into)
    }

    /// The council approves the period: every assessment must be in final appraisal with each
    /// contested leaf answered — or, once the explanation window has closed (`today` after its
    /// deadline), still at its preliminary result, which a silent unit thereby accepts (audited
    /// as `assessment.no_explanation`). All become `approved` in one transaction; results are frozen.
    pub async fn approve_period(
        &self,
        ctx: &AuditCtx,
        period_id: i64,
        decision: crate::repo::periods::Decision,
        today: NaiveDate,
    ) -> Result<usize, StoreError> {
        let decision = decision.check(today)?;
        let rows = self.list_assessments(period_id, parindex_core::UnitScope::All).await?;
        let period = self.get_period(period_id).await?;
        if period.approved() {
            let by = period.decision.as_ref().map(|d| (format!(" ({})", d.text("vi")), format!(" ({})", d.text("en")))).unwrap_or_default();
            return Err(StoreError::Conflict(Msg::new(
                format!("Kết quả kỳ đánh giá này đã được phê duyệt{}.", by.0),
                format!("This period's results are approved already{}.", by.1),
            )));
        }
        // a unit that let its explanation window close without a word accepted the preliminary result
        let window_closed = period.explanation_due.is_some_and(|d| today > d);
        let silent = |a: &AssessmentRow| window_closed && a.state == State::PreliminarySent;
        let mut not_ready = Vec::new();
        for a in &rows {
            if silent(a) {
                continue;
            }
            if a.state != State::FinalAppraisal {
                not_ready.push(Msg::new(
                    format!("{} ({})", a.unit_name, a.state.label("vi")),
                    format!("{} ({})", a.unit_name, a.state.label("en")),
                ));
                continue;
            }
            let view = self.get_assessment(a.id).await?;
            let open: Vec<&str> =
                view.entries.values().filter(|e| e.contest.is_some() && e.final_at.is_none()).map(|e| e.node_code.as_str()).collect();
            if !open.is_empty() {
                not_ready.push(Msg::new(
                    format!("{} (giải trình chưa trả lời: {})", a.unit_name, open.join(", ")),
                    format!("{} (explanations not answered: {})", a.unit_name, open.join(", ")),
                ));
            }
        }
        if !not_ready.is_empty() {
            // the count first, then one entry per unit (a list, not one long sentence: a
            // province has 160 communes)
            let mut errors = vec![FieldError {
                field: "period",
                message: Msg::new(
                    format!("Chưa phê duyệt được: {} đơn vị chưa sẵn sàng.", not_ready.len()),
                    format!("Cannot approve yet: {} units are not ready.", not_ready.len()),
                ),
            }];
            errors.extend(not_ready.into_iter().map(|message| FieldError { field: "unit", message }));
            return Err(StoreError::Invalid(errors));
        }
        // fed leaves (issue #18): no unit's figure may be silently missing — each leaf still
        // without data for some unit needs the council's decision first
        let undecided = self.undecided_missing_feeds(period_id).await?;
        if !undecided.is_empty() {
            let mut errors = vec![FieldError {
                field: "feeds",
                message: Msg::new(
                    format!(
                        "Chưa phê duyệt được: {} tiêu chí lấy số liệu cấp vào còn đơn vị chưa có số liệu. Hãy bổ sung số liệu, hoặc Hội đồng ghi quyết định (tính 0 điểm hoặc không tính vào điểm tối đa) cho từng tiêu chí.",
                        undecided.len()
                    ),
                    format!(
                        "Cannot approve yet: {} fed leaves have units without data. Supply the figures, or record the council's decision (scored 0, or left out of the maximum) for each leaf.",
                        undecided.len()
                    ),
                ),
            }];
            errors.extend(undecided.into_iter().map(|(leaf, units)| FieldError {
                field: "feed",
                message: Msg::new(
                    format!("Tiêu chí {leaf}: {} đơn vị chưa có số liệu ({})", units.len(), units.join(", ")),
                    format!("Leaf {leaf}: {} units without data ({})", units.len(), units.join(", ")),
                ),
            }));
            return Err(StoreError::Invalid(errors));
        }
        let ctx = ctx.clone();
        let ids: Vec<(i64, i64, bool)> = rows.iter().map(|a| (a.id, a.unit_id, silent(a))).collect();
        let n = ids.len();
        self.db
            .transaction::<_, (), StoreError>(|txn| {
                Box::pin(async move {
                    let text =
                        Msg::new("Kết quả kỳ đánh giá đã được Hội đồng phê duyệt.", "The period's results were approved by the council.");
                    for (id, unit, silent) in ids {
                        if silent {
                            // the preliminary result stands as final: the record says why
                            set_state(txn, &ctx, id, &[State::PreliminarySent], State::FinalAppraisal, "assessment.no_explanation").await?;
                        }
                        set_state(txn, &ctx, id, &[State::FinalAppraisal], State::Approved, "assessment.approve").await?;
                        notify(txn, Recipients::UnitStaff(unit), "approved", &text, &format!("/assessments/{id}")).await?;
                    }
                    let p = crate::entity::period::Entity::find_by_id(period_id).one(txn).await?.ok_or(StoreError::NotFound)?;
                    let mut am = p.into_active_model();
                    am.decision_number = Set(Some(decision.number.clone()));
                    am.decision_date = Set(Some(decision.date));
                    am.decision_signer = Set(Some(decision.signer.clone()));
                    am.update(txn).await?;
                    record(
                        txn,
                        &ctx,
                        AuditEntry {
                            action: "period.approve",
                            object_type: "period",
                            object_id: Some(period_id.to_string()),
                            after: Some(serde_json::json!({"decision": decision})),
                            ..Default::default()
                        },
                    )
                    .await
                })
            })
            .await?;
        Ok(n)
    }
}

/// Self vs appraised, per leaf across the units of a period.
#[derive(Debug, Clone, Serialize)]
pub struct LeafGap {
    pub code: String,
    pub title: String,
    /// Units whose leaf is appraised, and how many of them scored themselves higher.
    pub appraised: usize,
    pub over: usize,
    /// Σ (self − appraised) over those units.
    pub gap: Exact,
}

impl Store {
    /// The leaves where units over-score the most (largest total gap first).
    pub async fn leaf_gaps(&self, period_id: i64) -> Result<Vec<LeafGap>, StoreError> {
        let rows = self.list_assessments(period_id, parindex_core::UnitScope::All).await?;
        let Some(first) = rows.first() else { return Ok(vec![]) };
        let fw = self.get_assessment(first.id).await?.framework;
        let ids: Vec<i64> = rows.iter().map(|a| a.id).collect();
        let entries = assessment_entry::Entity::find()
            .filter(assessment_entry::Column::AssessmentId.is_in(ids))
            .filter(assessment_entry::Column::AppraisedAt.is_not_null())
            .all(&self.db)
            .await?;
        let mut by: std::collections::BTreeMap<String, (usize, usize, Exact)> = Default::default();
        let pts = |s: &Option<String>| s.as_deref().and_then(Exact::parse).unwrap_or_default();
        for e in &entries {
            let d = pts(&e.self_points) - pts(&e.appraised_points);
            let slot = by.entry(e.node_code.clone()).or_insert((0, 0, Exact::ZERO));
            slot.0 += 1;
            if d > Exact::ZERO {
                slot.1 += 1;
            }
            slot.2 = slot.2.clone() + d;
        }
        let mut out: Vec<LeafGap> = by
            .into_iter()
            .map(|(code, (appraised, over, gap))| LeafGap {
                title: fw.find(&code).map(|n| n.title.clone()).unwrap_or_default(),
                code,
                appraised,
                over,
                gap,
            })
            .collect();
        out.sort_by(|a, b| b.gap.cmp(&a.gap).then(a.code.cmp(&b.code)));
        Ok(out)
    }
}

/// Write an appraised input (with its points and comment) for one leaf, move a submitted
/// assessment to "under appraisal", and audit it — inside the caller's transaction.
async fn write_appraisal<C: ConnectionTrait>(
    txn: &C,
    ctx: &AuditCtx,
    assessment_id: i64,
    code: &str,
    input: &Input,
    points: Option<Exact>,
    comment: Option<String>,
) -> Result<(), StoreError> {
    let input_json = serde_json::to_string(input).unwrap_or_default();
    let now = Utc::now();
    let existing = entry_of(txn, assessment_id, code).await?;
    let before = existing.as_ref().map(|e| json!({"appraised_input": e.appraised_input, "appraised_points": e.appraised_points}));
    match existing {
        Some(e) => {
            let mut am = e.into_active_model();
            am.appraised_input = Set(Some(input_json.clone()));
            am.appraised_points = Set(points.as_ref().map(|p| p.to_string()));
            am.appraisal_comment = Set(comment.clone());
            am.appraised_by = Set(Some(ctx.actor_name.clone()));
            am.appraised_at = Set(Some(now));
            am.returned_reason = Set(None);
            am.update(txn).await?;
        }
        None => {
            assessment_entry::ActiveModel {
                assessment_id: Set(assessment_id),
                node_code: Set(code.to_string()),
                version: Set(0),
                updated_by: Set(ctx.actor_name.clone()),
                updated_at: Set(now),
                appraised_input: Set(Some(input_json.clone())),
                appraised_points: Set(points.as_ref().map(|p| p.to_string())),
                appraisal_comment: Set(comment.clone()),
                appraised_by: Set(Some(ctx.actor_name.clone())),
                appraised_at: Set(Some(now)),
                ..Default::default()
            }
            .insert(txn)
            .await?;
        }
    }
    let a = assessment::Entity::find_by_id(assessment_id).one(txn).await?.ok_or(StoreError::NotFound)?;
    if a.state == State::Submitted.as_str() {
        move_state(txn, assessment_id, &[State::Submitted], State::UnderAppraisal).await?.1.update(txn).await?;
    }
    record(
        txn,
        ctx,
        AuditEntry {
            action: "assessment.appraise",
            object_type: "assessment",
            object_id: Some(format!("{assessment_id}/{code}")),
            before,
            after: Some(
                json!({"appraised_input": input_json, "appraised_points": points.as_ref().map(|p| p.to_string()), "comment": comment}),
            ),
            ..Default::default()
        },
    )
    .await
}
