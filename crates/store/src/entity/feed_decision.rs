use sea_orm::entity::prelude::*;

/// The council's decision for a fed leaf that some units have no data for (issue #18).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "feed_decisions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub period_id: i64,
    pub leaf_code: String,
    /// `zero` or `exclude`.
    pub kind: String,
    pub reason: String,
    pub decided_by: String,
    pub decided_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
