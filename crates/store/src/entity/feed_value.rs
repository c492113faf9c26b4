use sea_orm::entity::prelude::*;

/// The current imported value of one (period, leaf, unit) and the import it came from.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "feed_values")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub period_id: i64,
    pub unit_id: i64,
    pub leaf_code: String,
    /// The rule's input, as JSON.
    pub input: String,
    /// Where the figure comes from, as the uploader wrote it.
    pub source: Option<String>,
    pub import_id: i64,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
