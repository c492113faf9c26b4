use sea_orm::entity::prelude::*;

/// A file of an inspection (issue #20): the unit's document before the visit (`document`) or the team's photo or paper (`photo`, a working note) or its remediation evidence (`remediation`, with the
/// recommendation). The bytes are in the content-addressed blob store.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "inspection_files")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub inspection_id: i64,
    pub recommendation_id: Option<i64>,
    pub item_key: Option<String>,
    pub kind: String,
    pub sha256: String,
    pub size: i64,
    /// `core::evidence::Kind` (pdf, docx, xlsx, png, jpeg), read from the bytes.
    pub file_kind: String,
    pub name: String,
    pub note: Option<String>,
    pub created_by: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
