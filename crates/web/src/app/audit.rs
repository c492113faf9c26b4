//! The audit log's filter as pages, downloads and the API take it from a query string or form.

use parindex_core::text::parse_date;
use parindex_store::repo::audit::AuditFilter;
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct AuditQuery {
    #[serde(default)]
    pub actor: String,
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub object_type: String,
    #[serde(default)]
    pub object_id: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub offset: u64,
}

impl AuditQuery {
    pub fn filter(&self, limit: u64) -> AuditFilter {
        AuditFilter {
            actor: Some(self.actor.trim().to_lowercase()).filter(|s| !s.is_empty()),
            action: Some(self.action.clone()),
            object_type: Some(self.object_type.clone()),
            object_id: Some(self.object_id.trim().to_string()),
            unit_id: None,
            from: parse_date(&self.from),
            to: parse_date(&self.to),
            limit,
            offset: self.offset,
        }
    }
}
