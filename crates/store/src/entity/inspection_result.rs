use sea_orm::entity::prelude::*;

/// The team's verdict and note at one checklist item of an inspection (issue #20) — a working
/// note, never shown to the unit.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "inspection_results")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub inspection_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub item_key: String,
    pub verdict: String,
    pub note: Option<String>,
    pub updated_by: String,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
