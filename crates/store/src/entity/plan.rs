use sea_orm::entity::prelude::*;

/// A yearly reform plan (issue #19): the province's (`unit_id` none; it sets the deadline of
/// the units' plans) or a unit's, with its decision's number, signing day and file.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "plans")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub year: i32,
    pub unit_id: Option<i64>,
    pub number: String,
    pub signed_on: Date,
    pub title: String,
    pub unit_plans_due: Option<Date>,
    /// The signed plan in the unit's evidence library (the office's for the province's).
    pub file_id: Option<i64>,
    pub updated_by: String,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
