use sea_orm::entity::prelude::*;

/// A reporting round (issue #19): a quarter's, half-year's, year's or ad hoc report asked of
/// the units of `targets` (unit kinds, comma-separated) by `deadline`, on a copy of its form
/// taken when the round opened (`definition`, JSON).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "report_rounds")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub year: i32,
    pub kind: String,
    pub label: String,
    pub form_code: String,
    pub definition: String,
    pub targets: String,
    pub deadline: Date,
    /// The months of `year` the figures cover (see M0030); none on ad hoc rounds.
    pub month_from: Option<i32>,
    pub month_to: Option<i32>,
    pub closed: bool,
    pub created_by: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
