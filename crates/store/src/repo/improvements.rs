//! The improvement loop (issue #6 item 6): from its weakest leaves of a period a unit records
//! actions — what, who, by when — and follows them up (planned → doing → done, or dropped, with
//! what came of it). On the unit's self-assessment of a later period they appear at the same
//! leaf: by code when the framework is the same, through the confirmed crosswalk when it
//! changed; a unit formed by a merger also sees its predecessors' actions (lineage).

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use parindex_core::Msg;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Set, TransactionTrait};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::entity::{improvement_action, unit_lineage};
use crate::repo::audit::{AuditEntry, record};
use crate::{AuditCtx, Store, StoreError};

/// The states of an action.
pub const STATUSES: [&str; 4] = ["planned", "doing", "done", "dropped"];

#[derive(Debug, Clone, Serialize)]
pub struct ActionRow {
    pub id: i64,
    pub unit_id: i64,
    pub period_id: i64,
    pub period_code: String,
    pub year: i32,
    pub node_code: String,
    pub node_title: String,
    pub action: String,
    pub owner: String,
    pub due_on: NaiveDate,
    pub status: String,
    pub outcome: Option<String>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ActionInput {
    pub node_code: String,
    pub action: String,
    pub owner: String,
    pub due_on: Option<NaiveDate>,
}

fn text_between(field: &'static str, value: &str, max: usize, vi: &str, en: &str) -> Result<String, StoreError> {
    let v = value.trim();
    if v.is_empty() || v.chars().count() > max {
        return Err(StoreError::invalid(
            field,
            Msg::new(format!("{vi} (tối đa {max} ký tự)."), format!("{en} (at most {max} characters).")),
        ));
    }
    Ok(v.to_string())
}

impl Store {
    async fn action_rows(&self, models: Vec<improvement_action::Model>) -> Result<Vec<ActionRow>, StoreError> {
        let mut periods: HashMap<i64, (String, i32, parindex_core::framework::Framework)> = HashMap::new();
        let mut out = Vec::with_capacity(models.len());
        for m in models {
            if let std::collections::hash_map::Entry::Vacant(e) = periods.entry(m.period_id) {
                let p = self.get_period(m.period_id).await?;
                let (_, fw) = self.get_framework(&p.framework_code).await?;
                e.insert((p.code, p.year, fw));
            }
            let (code, year, fw) = &periods[&m.period_id];
            out.push(ActionRow {
                id: m.id,
                unit_id: m.unit_id,
                period_id: m.period_id,
                period_code: code.clone(),
                year: *year,
                node_title: fw.find(&m.node_code).map(|n| n.title.clone()).unwrap_or_default(),
                node_code: m.node_code,
                action: m.action,
                owner: m.owner,
                due_on: m.due_on,
                status: m.status,
                outcome: m.outcome,
                created_by: m.created_by,
                created_at: m.created_at,
                updated_at: m.updated_at,
            });
        }
        Ok(out)
    }

    /// A unit's improvement actions, latest period first, then by leaf.
    pub async fn unit_improvements(&self, unit_id: i64) -> Result<Vec<ActionRow>, StoreError> {
        let models = improvement_action::Entity::find()
            .filter(improvement_action::Column::UnitId.eq(unit_id))
            .order_by_desc(improvement_action::Column::PeriodId)
            .order_by_asc(improvement_action::Column::NodeCode)
            .order_by_asc(improvement_action::Column::Id)
            .all(&self.db)
            .await?;
        self.action_rows(models).await
    }

    /// Plan an action from a leaf of the unit's assessment in a period.
    pub async fn add_improvement(&self, ctx: &AuditCtx, assessment_id: i64, input: ActionInput) -> Result<ActionRow, StoreError> {
        let view = self.get_assessment(assessment_id).await?;
        let leaf = view.framework.find(input.node_code.trim()).filter(|n| n.is_leaf()).ok_or_else(|| {
            StoreError::invalid("node_code", Msg::new("Chọn một tiêu chí thành phần của bộ chỉ số.", "Choose a leaf of the framework."))
        })?;
        let action = text_between("action", &input.action, 2000, "Ghi việc cần làm", "Say what will be done")?;
        let owner = text_between("owner", &input.owner, 200, "Ghi người hoặc bộ phận thực hiện", "Say who does it")?;
        let due_on = input.due_on.ok_or_else(|| {
            StoreError::invalid("due_on", Msg::new("Ghi thời hạn (ngày/tháng/năm).", "Give the deadline (day/month/year)."))
        })?;
        let (ctx, node_code, unit_id, period_id) = (ctx.clone(), leaf.code.clone(), view.assessment.unit_id, view.period.id);
        let m = self
            .db
            .transaction::<_, improvement_action::Model, StoreError>(|txn| {
                Box::pin(async move {
                    let now = Utc::now();
                    let m = improvement_action::ActiveModel {
                        unit_id: Set(unit_id),
                        period_id: Set(period_id),
                        node_code: Set(node_code),
                        action: Set(action),
                        owner: Set(owner),
                        due_on: Set(due_on),
                        status: Set("planned".into()),
                        outcome: Set(None),
                        created_by: Set(ctx.actor_name.clone()),
                        created_at: Set(now),
                        updated_at: Set(now),
                        ..Default::default()
                    }
                    .insert(txn)
                    .await?;
                    record(
                        txn,
                        &ctx,
                        AuditEntry {
                            action: "improvement.add",
                            object_type: "improvement",
                            object_id: Some(m.id.to_string()),
                            unit_id: Some(unit_id),
                            after: Some(json!({"period_id": period_id, "leaf": m.node_code, "action": m.action, "owner": m.owner, "due_on": m.due_on})),
                            ..Default::default()
                        },
                    )
                    .await?;
                    Ok(m)
                })
            })
            .await?;
        Ok(self.action_rows(vec![m]).await?.remove(0))
    }

    /// Follow an action up: its status and what came of it. `unit_id` must be the action's.
    pub async fn update_improvement(
        &self,
        ctx: &AuditCtx,
        unit_id: i64,
        id: i64,
        status: &str,
        outcome: Option<&str>,
    ) -> Result<ActionRow, StoreError> {
        if !STATUSES.contains(&status) {
            return Err(StoreError::invalid(
                "status",
                Msg::new("Trạng thái là: đã lập, đang làm, đã xong hoặc thôi.", "The status is planned, doing, done or dropped."),
            ));
        }
        let outcome = outcome.map(str::trim).filter(|o| !o.is_empty()).map(str::to_string);
        if outcome.as_ref().is_some_and(|o| o.chars().count() > 2000) {
            return Err(StoreError::invalid("outcome", Msg::new("Kết quả tối đa 2000 ký tự.", "The outcome is at most 2000 characters.")));
        }
        let (ctx, status) = (ctx.clone(), status.to_string());
        let m = self
            .db
            .transaction::<_, improvement_action::Model, StoreError>(|txn| {
                Box::pin(async move {
                    let m = improvement_action::Entity::find_by_id(id)
                        .one(txn)
                        .await?
                        .filter(|m| m.unit_id == unit_id)
                        .ok_or(StoreError::NotFound)?;
                    let before = json!({"status": m.status, "outcome": m.outcome});
                    let mut am = m.into_active_model();
                    am.status = Set(status.clone());
                    am.outcome = Set(outcome.clone());
                    am.updated_at = Set(Utc::now());
                    let m = am.update(txn).await?;
                    record(
                        txn,
                        &ctx,
                        AuditEntry {
                            action: "improvement.update",
                            object_type: "improvement",
                            object_id: Some(id.to_string()),
                            unit_id: Some(unit_id),
                            before: Some(before),
                            after: Some(json!({"status": status, "outcome": outcome})),
                            ..Default::default()
                        },
                    )
                    .await?;
                    Ok(m)
                })
            })
            .await?;
        Ok(self.action_rows(vec![m]).await?.remove(0))
    }

    /// The actions planned in earlier years by this assessment's unit or its predecessors, by
    /// the leaf code of this assessment's framework they concern (through the crosswalk when
    /// the framework changed; an action whose leaf maps nowhere is kept under its old code).
    pub async fn carried_improvements(&self, assessment_id: i64) -> Result<BTreeMap<String, Vec<ActionRow>>, StoreError> {
        let view = self.get_assessment(assessment_id).await?;
        let mut units: HashSet<i64> = HashSet::from([view.assessment.unit_id]);
        // predecessors, transitively (a merger of mergers)
        let mut frontier = vec![view.assessment.unit_id];
        while let Some(u) = frontier.pop() {
            for l in unit_lineage::Entity::find().filter(unit_lineage::Column::SuccessorId.eq(u)).all(&self.db).await? {
                if units.insert(l.predecessor_id) {
                    frontier.push(l.predecessor_id);
                }
            }
        }
        let models = improvement_action::Entity::find()
            .filter(improvement_action::Column::UnitId.is_in(units.into_iter().collect::<Vec<_>>()))
            .order_by_asc(improvement_action::Column::Id)
            .all(&self.db)
            .await?;
        let rows = self.action_rows(models).await?;
        let mut out: BTreeMap<String, Vec<ActionRow>> = BTreeMap::new();
        let mut maps: HashMap<String, Option<parindex_core::framework::crosswalk::Crosswalk>> = HashMap::new();
        for r in rows.into_iter().filter(|r| r.year < view.period.year) {
            let fw_code = self.get_period(r.period_id).await?.framework_code;
            let targets = if fw_code == view.period.framework_code {
                vec![r.node_code.clone()]
            } else {
                if !maps.contains_key(&fw_code) {
                    let cw = self.get_crosswalk(&fw_code, &view.period.framework_code).await?.map(|s| s.crosswalk);
                    maps.insert(fw_code.clone(), cw);
                }
                match maps[&fw_code].as_ref().and_then(|cw| cw.map.get(&r.node_code)) {
                    Some(t) if !t.is_empty() => t.clone(),
                    _ => vec![r.node_code.clone()],
                }
            };
            for t in targets {
                out.entry(t).or_default().push(r.clone());
            }
        }
        Ok(out)
    }
}
