use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "survey_responses")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub survey_id: i64,
    pub unit_id: i64,
    /// `web`, `qr`, `paper`, `token`, `import`.
    pub channel: String,
    pub submitted_at: DateTimeUtc,
    /// The checked answers as JSON (question → value). Nothing about the respondent's device.
    pub answers: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
