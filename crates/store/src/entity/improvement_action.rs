use sea_orm::entity::prelude::*;

/// An improvement action a unit plans from a weak leaf of a period (what, who, by when), and
/// what came of it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "improvement_actions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub unit_id: i64,
    pub period_id: i64,
    pub node_code: String,
    pub action: String,
    pub owner: String,
    pub due_on: Date,
    /// `planned`, `doing`, `done`, `dropped`.
    pub status: String,
    pub outcome: Option<String>,
    pub created_by: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
