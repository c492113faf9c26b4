use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "surveys")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub code: String,
    pub name: String,
    pub questionnaire_id: i64,
    pub year: i32,
    /// The margin e of the sample size, an exact decimal ("0.05").
    pub margin: String,
    pub confidence: i32,
    /// Breakdowns by respondent group below this many responses are not shown.
    pub min_cell: i32,
    /// `open` or `closed`.
    pub status: String,
    pub created_at: DateTimeUtc,
    /// Published on the public portal (a closed survey), and by whom.
    pub published_at: Option<DateTimeUtc>,
    pub published_by: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
