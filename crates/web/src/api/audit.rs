//! The audit log through the API (administrators only).

use crate::extract::Json;
use crate::extract::Query;
use axum::extract::State;
use chrono::{DateTime, Utc};
use parindex_core::{Action, Resource};
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::api::routes::{ApiRouter, route};
use crate::app::audit::AuditQuery;
use crate::ctx::Ctx;
use crate::error::AppError;

#[derive(Serialize, ToSchema)]
pub struct ApiAuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub ip: Option<String>,
    pub action: String,
    pub object_type: String,
    pub object_id: Option<String>,
    pub unit_id: Option<i64>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub reason: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ApiAuditPage {
    pub total: u64,
    pub entries: Vec<ApiAuditEntry>,
}

/// Audit entries, newest first. Filters: `actor`, `action` (prefix), `object_type`,
/// `object_id`, `from`, `to` (dd/mm/yyyy or yyyy-mm-dd), `offset`; 100 per page.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit",
    responses((status = 200, body = ApiAuditPage), (status = 403, body = crate::error::ApiError)))]
pub async fn list(State(state): State<AppState>, ctx: Ctx, Query(q): Query<AuditQuery>) -> Result<Json<ApiAuditPage>, AppError> {
    ctx.require(Action::ViewAuditLog, Resource::System)?;
    let page = state.store.list_audit(&q.filter(100)).await?;
    let parse = |j: &Option<String>| j.as_deref().and_then(|t| serde_json::from_str(t).ok());
    Ok(Json(ApiAuditPage {
        total: page.total,
        entries: page
            .entries
            .into_iter()
            .map(|e| ApiAuditEntry {
                before: parse(&e.before_json),
                after: parse(&e.after_json),
                id: e.id,
                at: e.at,
                actor_id: e.actor_id,
                actor_name: e.actor_name,
                ip: e.ip,
                action: e.action,
                object_type: e.object_type,
                object_id: e.object_id,
                unit_id: e.unit_id,
                reason: e.reason,
            })
            .collect(),
    }))
}

/// Every operation of this module, each where its annotation says (`api::routes`).
pub fn routes() -> ApiRouter {
    ApiRouter::new().with(route!(list))
}
