use sea_orm::entity::prelude::*;

/// One import of one-stop statistics (issue #18): the months it replaced and what changed.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "onestop_imports")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// `xlsx`, `csv`, `api`, `cli` or `form` (entered by hand).
    pub origin: String,
    pub file_name: Option<String>,
    /// The saved column mapping used, if any.
    pub source_name: Option<String>,
    /// The months it covers, `YYYY-MM` separated by commas.
    pub months: String,
    pub rows: i32,
    pub added: i32,
    pub changed: i32,
    pub removed: i32,
    pub created_by: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
