use sea_orm::entity::prelude::*;

/// One inspection of the plan (issue #20): a unit, a topic, a copy of the checklist (JSON) taken when it was planned, its status and, once issued, the conclusion's number and date.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "inspections")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub plan_id: i64,
    pub unit_id: i64,
    pub topic: String,
    pub checklist_code: String,
    pub checklist: String,
    pub planned_month: i32,
    pub status: String,
    pub status_reason: Option<String>,
    pub visited_on: Option<Date>,
    pub conclusion_number: Option<String>,
    pub concluded_on: Option<Date>,
    pub summary: Option<String>,
    pub issued_by: Option<String>,
    pub version: i32,
    pub updated_by: String,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
