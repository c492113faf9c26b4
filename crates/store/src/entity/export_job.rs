use sea_orm::entity::prelude::*;

/// A background export: its kind and parameters, who asked, progress, and the file made.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "export_jobs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub kind: String,
    pub label: String,
    /// JSON of the parameters (e.g. `{"survey_id": 3}`).
    pub params: String,
    pub user_id: i64,
    pub requested_by: String,
    /// `running`, `done`, `failed`.
    pub status: String,
    pub done: i64,
    pub total: i64,
    pub file_name: Option<String>,
    pub size: Option<i64>,
    pub error: Option<String>,
    pub created_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
