//! SeaORM entities: one module per table, matching `migration.rs`. Relations are expressed in
//! queries where needed rather than in the entities, to keep them plain.

pub mod api_token;
pub mod assessment;
pub mod assessment_adjustment;
pub mod assessment_entry;
pub mod assessment_report;
pub mod audit_log;
pub mod entry_evidence;
pub mod evidence_file;
pub mod export_job;
pub mod feed_decision;
pub mod feed_import;
pub mod feed_value;
pub mod framework;
pub mod framework_crosswalk;
pub mod framework_node;
pub mod improvement_action;
pub mod notification;
pub mod period;
pub mod period_assignment;
pub mod publication;
pub mod questionnaire;
pub mod session;
pub mod setting;
pub mod survey;
pub mod survey_count;
pub mod survey_import;
pub mod survey_reply;
pub mod survey_response;
pub mod survey_token;
pub mod survey_unit;
pub mod unit;
pub mod unit_kind;
pub mod unit_lineage;
pub mod user;
