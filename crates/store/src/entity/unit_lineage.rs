use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "unit_lineage")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub predecessor_id: i64,
    pub successor_id: i64,
    pub relation: String,
    pub effective_on: Option<Date>,
    pub note: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
