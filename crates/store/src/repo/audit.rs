//! The append-only audit log: who did what, when, from where, before → after.
//! `record` is called with the same connection (transaction) as the change it describes, so the
//! change and its log entry commit or roll back together. Database triggers refuse updates and
//! deletes of log rows (see the migration).

use chrono::{NaiveDate, Utc};
use parindex_core::Actor;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set};

use crate::entity::audit_log;
use crate::{Store, StoreError};

/// Who is acting and from where; carried from the request (or the CLI) into every write.
#[derive(Debug, Clone)]
pub struct AuditCtx {
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub ip: Option<String>,
}

impl AuditCtx {
    /// An action of the command line or the system itself (e.g. `cli:unit-import`).
    pub fn system(name: &str) -> Self {
        AuditCtx { actor_id: None, actor_name: name.to_string(), ip: None }
    }
    pub fn actor(actor: &Actor, ip: Option<String>) -> Self {
        AuditCtx { actor_id: Some(actor.user_id), actor_name: actor.username.clone(), ip }
    }
}

/// One event for the log.
#[derive(Debug, Default)]
pub struct AuditEntry {
    pub action: &'static str,
    pub object_type: &'static str,
    pub object_id: Option<String>,
    pub unit_id: Option<i64>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub reason: Option<String>,
}

pub async fn record<C: ConnectionTrait>(c: &C, ctx: &AuditCtx, e: AuditEntry) -> Result<(), StoreError> {
    audit_log::ActiveModel {
        at: Set(Utc::now()),
        actor_id: Set(ctx.actor_id),
        actor_name: Set(ctx.actor_name.clone()),
        ip: Set(ctx.ip.clone()),
        action: Set(e.action.to_string()),
        object_type: Set(e.object_type.to_string()),
        object_id: Set(e.object_id),
        unit_id: Set(e.unit_id),
        before_json: Set(e.before.map(|v| v.to_string())),
        after_json: Set(e.after.map(|v| v.to_string())),
        reason: Set(e.reason),
        ..Default::default()
    }
    .insert(c)
    .await?;
    Ok(())
}

/// Filters of the audit page and API. Dates are inclusive, in UTC.
#[derive(Debug, Default, Clone)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    pub unit_id: Option<i64>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub limit: u64,
    pub offset: u64,
}

#[derive(Debug, Clone)]
pub struct AuditPage {
    pub total: u64,
    pub entries: Vec<audit_log::Model>,
}

/// The log with the filter's conditions.
fn filtered(f: &AuditFilter) -> sea_orm::Select<audit_log::Entity> {
    let mut q = audit_log::Entity::find();
    if let Some(a) = f.actor.as_deref().filter(|s| !s.is_empty()) {
        q = q.filter(audit_log::Column::ActorName.eq(a));
    }
    if let Some(a) = f.action.as_deref().filter(|s| !s.is_empty()) {
        q = q.filter(audit_log::Column::Action.starts_with(a));
    }
    if let Some(t) = f.object_type.as_deref().filter(|s| !s.is_empty()) {
        q = q.filter(audit_log::Column::ObjectType.eq(t));
    }
    if let Some(o) = f.object_id.as_deref().filter(|s| !s.is_empty()) {
        q = q.filter(audit_log::Column::ObjectId.eq(o));
    }
    if let Some(u) = f.unit_id {
        q = q.filter(audit_log::Column::UnitId.eq(u));
    }
    if let Some(d) = f.from {
        q = q.filter(audit_log::Column::At.gte(d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()));
    }
    if let Some(d) = f.to.and_then(|d| d.succ_opt()) {
        q = q.filter(audit_log::Column::At.lt(d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()));
    }
    q
}

impl Store {
    pub async fn list_audit(&self, f: &AuditFilter) -> Result<AuditPage, StoreError> {
        let q = filtered(f);
        let total = q.clone().count(&self.db).await?;
        let limit = if f.limit == 0 { 100 } else { f.limit.min(1000) };
        let entries = q.order_by_desc(audit_log::Column::Id).limit(limit).offset(f.offset).all(&self.db).await?;
        Ok(AuditPage { total, entries })
    }

    /// The entries matching `f` after id `after_id`, oldest first, `limit` at most — the pages
    /// of a streamed export (constant memory, whatever the log's size).
    pub async fn audit_after(&self, f: &AuditFilter, after_id: i64, limit: u64) -> Result<Vec<audit_log::Model>, StoreError> {
        Ok(filtered(f).filter(audit_log::Column::Id.gt(after_id)).order_by_asc(audit_log::Column::Id).limit(limit).all(&self.db).await?)
    }

    /// Distinct action names seen so far (for the filter's drop-down).
    pub async fn audit_actions(&self) -> Result<Vec<String>, StoreError> {
        let rows: Vec<String> = audit_log::Entity::find()
            .select_only()
            .column(audit_log::Column::Action)
            .distinct()
            .order_by_asc(audit_log::Column::Action)
            .into_tuple()
            .all(&self.db)
            .await?;
        Ok(rows)
    }
}
