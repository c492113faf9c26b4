use sea_orm::entity::prelude::*;

/// A unit's answer to one free-text comment (the text answer `question` of response
/// `response_id`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "survey_replies")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub response_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub question: String,
    pub survey_id: i64,
    pub unit_id: i64,
    pub body: String,
    pub replied_by: String,
    pub replied_at: DateTimeUtc,
    /// The unit chose to show the comment and this answer on the public portal.
    pub public: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
