use sea_orm::entity::prelude::*;

/// A unit's one-stop counts for one month and procedure field (issue #18); the counted columns
/// follow `core::onestop::FIELDS`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "onestop_stats")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub unit_id: i64,
    pub year: i32,
    pub month: i32,
    /// The procedure field ("lĩnh vực") as the source names it; "" when the source gives none.
    pub field: String,
    pub import_id: i64,
    pub updated_at: DateTimeUtc,
    pub received_online: i64,
    pub received_direct: i64,
    pub received_post: i64,
    pub resolved_early: i64,
    pub resolved_on_time: i64,
    pub resolved_late: i64,
    pub pending_within: i64,
    pub pending_over: i64,
    pub returned: i64,
    pub online_full: i64,
    pub fee_files: i64,
    pub paid_online: i64,
    pub results_digitised: i64,
    pub records_digitised: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
