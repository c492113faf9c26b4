use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "periods")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub code: String,
    pub name: String,
    pub year: i32,
    pub framework_id: i64,
    pub status: String,
    pub self_due: Option<Date>,
    pub appraisal_due: Option<Date>,
    pub explanation_due: Option<Date>,
    pub final_due: Option<Date>,
    pub approval_due: Option<Date>,
    pub created_at: DateTimeUtc,
    /// The scale of groups for the results (`A:90, B:80, …`); none: the default.
    pub groups: Option<String>,
    /// The council's approval decision (number, date, signer), once approved.
    pub decision_number: Option<String>,
    pub decision_date: Option<Date>,
    pub decision_signer: Option<String>,
    /// The reform office's officer responsible for the period (issue #17: who to call).
    pub contact_user_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
