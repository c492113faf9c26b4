use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "questionnaires")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub code: String,
    pub version: String,
    /// `citizens` or `officials`.
    pub kind: String,
    /// The title in the questionnaire's first language.
    pub title: String,
    /// The whole `core::survey::Questionnaire` as JSON.
    pub definition: String,
    /// `draft` or `published`.
    pub status: String,
    pub sample: bool,
    /// The file it came from (name), or `editor`.
    pub source: String,
    /// Questions (notes included).
    pub questions: i32,
    pub created_by: String,
    pub created_at: DateTimeUtc,
    pub published_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
