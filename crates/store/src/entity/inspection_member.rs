use sea_orm::entity::prelude::*;

/// A member of an inspection's team (issue #20), with the role and the department they come from.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "inspection_members")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub inspection_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: i64,
    pub role: String,
    pub department: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
