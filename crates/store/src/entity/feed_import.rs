use sea_orm::entity::prelude::*;

/// One upload of a fed leaf's value table (issue #18): who, when, from which file or client.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "feed_imports")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub period_id: i64,
    pub leaf_code: String,
    /// `xlsx`, `api` or `cli`.
    pub origin: String,
    pub file_name: Option<String>,
    pub rows: i32,
    pub changed: i32,
    pub created_by: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
