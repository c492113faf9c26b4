use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "survey_units")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub survey_id: i64,
    pub unit_id: i64,
    /// Transactions in the period (N), when known.
    pub population: Option<i64>,
    /// Responses wanted.
    pub quota: i32,
    /// Responses received (kept in the same transaction as each response).
    pub responses: i32,
    /// The key of the unit's public link (`/k/{key}`).
    #[sea_orm(unique)]
    pub public_key: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
