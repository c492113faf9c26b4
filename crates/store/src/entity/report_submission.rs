use sea_orm::entity::prelude::*;

/// A unit's report of a round (issue #19): its content (JSON,
/// `parindex_core::reporting::Content`), the signed report's file, and where it stands.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "report_submissions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub round_id: i64,
    pub unit_id: i64,
    pub status: String,
    pub content: String,
    pub file_id: Option<i64>,
    /// The first submission: what "on time" reads (a return does not move it).
    pub first_submitted_at: Option<DateTimeUtc>,
    pub submitted_at: Option<DateTimeUtc>,
    pub submitted_by: Option<String>,
    pub returned_reason: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTimeUtc>,
    pub version: i32,
    pub updated_by: String,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
