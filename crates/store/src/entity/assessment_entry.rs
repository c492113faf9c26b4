use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "assessment_entries")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub assessment_id: i64,
    pub node_code: String,
    /// JSON of `parindex_core::framework::Input`.
    pub self_input: Option<String>,
    /// Exact points ("3/2"), computed by the rule when saved.
    pub self_points: Option<String>,
    pub note: Option<String>,
    pub explanation: Option<String>,
    pub version: i32,
    pub updated_by: String,
    pub updated_at: DateTimeUtc,
    pub appraised_input: Option<String>,
    pub appraised_points: Option<String>,
    pub appraisal_comment: Option<String>,
    pub appraised_by: Option<String>,
    pub appraised_at: Option<DateTimeUtc>,
    /// Set when an appraiser returns the leaf to the unit for correction.
    pub returned_reason: Option<String>,
    /// The unit's explanation or contest of the preliminary result.
    pub contest: Option<String>,
    pub contest_by: Option<String>,
    pub contest_at: Option<DateTimeUtc>,
    pub final_input: Option<String>,
    pub final_points: Option<String>,
    pub final_comment: Option<String>,
    pub final_by: Option<String>,
    pub final_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
