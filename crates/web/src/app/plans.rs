//! The plans register (issue #19), shared by its pages and the API: who reads and who writes
//! which plans and tasks.
//!
//! Access, decided here once:
//! - **every unit's plans and tasks**: those who read results across units (the office, the
//!   council, provincial leadership) and appraisers; **a unit's own** (the tasks it owns or
//!   co-operates on, its plan): its staff;
//! - **the province's plan and its tasks** (set, add, change): the office (`ManagePeriods`);
//! - **a unit's plan, and the report on a task it owns**: its staff who edit its work
//!   (`EditUnitDrafts` on the unit) and the office. A co-operating unit reads the task but does
//!   not report on it.

use parindex_core::{Action, Resource};

use crate::ctx::Ctx;

pub fn reads_all(ctx: &Ctx) -> bool {
    crate::app::onestop::reads_all(ctx)
}

pub fn reads_unit(ctx: &Ctx, unit_id: i64) -> bool {
    crate::app::onestop::reads_unit(ctx, unit_id)
}

/// Whether the actor sets the province's plan and its tasks.
pub fn manages(ctx: &Ctx) -> bool {
    ctx.actor.is_some() && ctx.allows(Action::ManagePeriods, Resource::System)
}

/// Whether the actor records this unit's plan and reports on the tasks it owns.
pub fn reports_for(ctx: &Ctx, unit_id: i64) -> bool {
    manages(ctx) || (ctx.actor.is_some() && ctx.allows(Action::EditUnitDrafts, Resource::Unit(unit_id)))
}

/// A task the actor may read — its owner's or a co-operating unit's staff, or a reader of every
/// unit's — with its notes; 404 otherwise (another unit's task is not there for them).
pub async fn readable_task(
    state: &crate::AppState,
    ctx: &Ctx,
    id: i64,
) -> Result<(parindex_store::repo::plans::TaskRow, Vec<parindex_store::repo::plans::NoteRow>), crate::error::AppError> {
    if ctx.actor.is_none() {
        return Err(crate::error::AppError::Unauthenticated);
    }
    let (task, notes) = state.store.plan_task(id).await?;
    let mut readable = reads_unit(ctx, task.owner_unit_id);
    for (code, _) in &task.co_units {
        if !readable && let Some(u) = state.store.unit_id_by_code(code).await? {
            readable = reads_unit(ctx, u);
        }
    }
    if !readable {
        return Err(crate::error::AppError::NotFound);
    }
    Ok((task, notes))
}
