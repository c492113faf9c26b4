use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "framework_crosswalks")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub from_id: i64,
    pub to_id: i64,
    /// JSON object: old code → [new codes].
    pub map: String,
    pub confirmed_by: String,
    pub confirmed_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
