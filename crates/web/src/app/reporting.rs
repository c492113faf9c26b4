//! Periodic reports (issue #19), shared by their pages and the API: who reads and who writes
//! which rounds and reports.
//!
//! Access, decided here once:
//! - **every unit's reports and the consolidation**: those who read across units (the office,
//!   the council, provincial leadership) and appraisers; **a unit's own report**: its staff;
//! - **forms, rounds, returning and accepting**: the office (`ManagePeriods`);
//! - **writing a unit's report** (content, signed file): its staff who edit its work
//!   (`EditUnitDrafts` on the unit); **submitting it**: its leader (`SubmitAssessment`).
//!   The office does not write a unit's report for it.

use parindex_core::{Action, Resource};

use crate::ctx::Ctx;

pub fn reads_all(ctx: &Ctx) -> bool {
    crate::app::onestop::reads_all(ctx)
}

pub fn reads_unit(ctx: &Ctx, unit_id: i64) -> bool {
    crate::app::onestop::reads_unit(ctx, unit_id)
}

/// The office: forms, rounds, decisions.
pub fn manages(ctx: &Ctx) -> bool {
    crate::app::plans::manages(ctx)
}

/// The unit's staff who write its report.
pub fn writes(ctx: &Ctx, unit_id: i64) -> bool {
    ctx.actor.is_some() && ctx.allows(Action::EditUnitDrafts, Resource::Unit(unit_id))
}

/// The unit's leader, who submits it.
pub fn submits(ctx: &Ctx, unit_id: i64) -> bool {
    ctx.actor.is_some() && ctx.allows(Action::SubmitAssessment, Resource::Unit(unit_id))
}
