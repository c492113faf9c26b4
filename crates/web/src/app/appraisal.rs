//! Appraisal use cases shared by the appraisal pages and the API.

use parindex_core::{Action, Actor, Resource, Role};
use parindex_store::repo::periods::AssessmentView;

use crate::ctx::Ctx;
use parindex_store::repo::appraisal::AppraiserScope;

use crate::AppState;
use crate::error::AppError;

/// Whose leaves the signed-in appraiser appraises.
pub async fn scope_of(state: &AppState, actor: &Actor) -> Result<AppraiserScope, AppError> {
    if actor.role == Role::Admin {
        return Ok(AppraiserScope::All);
    }
    Ok(match actor.unit_id {
        Some(u) => AppraiserScope::Agency(state.store.get_unit(u).await?.unit.code),
        None => AppraiserScope::Unassigned,
    })
}

/// The appraisal minutes are the reform office's and the council's; the unit reads them once
/// its preliminary result is sent (as it then sees the appraisal on its page).
pub fn may_read_minutes(ctx: &Ctx, view: &AssessmentView) -> bool {
    let st = view.assessment.state;
    let result_out = st.result_out();
    ctx.allows(Action::ManagePeriods, Resource::System)
        || ctx.allows(Action::ApprovePeriod, Resource::System)
        || (result_out && ctx.allows(Action::ViewUnitDrafts, Resource::Unit(view.assessment.unit_id)))
}

/// Who reads a unit's assessment whole, read-only (the page, its detail export, its report, its
/// evidence): the unit and the reform office always (`ViewUnitDrafts`); the council and the
/// provincial leadership once the unit has submitted it and while it is not back with the unit
/// (`ViewSubmittedWork`, issue #17 — they approve and read results, so they see what is behind
/// them). Appraisers read through their appraisal page, their leaves only.
pub fn may_read_assessment(ctx: &Ctx, unit_id: i64, state: parindex_core::assessment::State) -> bool {
    let unit = Resource::Unit(unit_id);
    ctx.allows(Action::ViewUnitDrafts, unit) || (!state.unit_edits() && ctx.allows(Action::ViewSubmittedWork, unit))
}

/// [`may_read_assessment`], refused with 403.
pub fn require_read_assessment(ctx: &Ctx, view: &AssessmentView) -> Result<(), AppError> {
    if may_read_assessment(ctx, view.assessment.unit_id, view.assessment.state) { Ok(()) } else { Err(AppError::Forbidden) }
}
