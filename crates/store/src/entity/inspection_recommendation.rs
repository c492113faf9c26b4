use sea_orm::entity::prelude::*;

/// A recommendation of a conclusion (issue #20): its owner unit, deadline and remediation.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "inspection_recommendations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub inspection_id: i64,
    pub finding_id: i64,
    pub position: i32,
    pub owner_unit_id: i64,
    pub text: String,
    pub deadline: Date,
    pub status: String,
    pub remediation: Option<String>,
    pub reported_by: Option<String>,
    pub reported_at: Option<DateTimeUtc>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTimeUtc>,
    pub return_reason: Option<String>,
    pub version: i32,
    pub updated_by: String,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
