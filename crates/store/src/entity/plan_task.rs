use sea_orm::entity::prelude::*;

/// A task of the province's yearly plan (issue #19), owned by one unit, with its status as the
/// owner reports it (`not_started`, `doing`, `done` with the day, `dropped` with the reason).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "plan_tasks")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub year: i32,
    pub code: String,
    pub title: String,
    /// The framework domain it serves (its code), if any.
    pub domain: Option<String>,
    pub owner_unit_id: i64,
    pub deadline: Date,
    pub output: Option<String>,
    pub status: String,
    pub status_reason: Option<String>,
    pub done_on: Option<Date>,
    pub version: i32,
    pub updated_by: String,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
