use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "framework_nodes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub framework_id: i64,
    pub position: i32,
    pub parent_position: Option<i32>,
    pub depth: i32,
    pub code: String,
    pub title: String,
    pub is_leaf: bool,
    pub max_points: String,
    pub rule_kind: Option<String>,
    pub source: String,
    pub appraiser: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
