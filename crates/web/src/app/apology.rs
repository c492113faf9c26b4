//! The public-apology register (issue #18), shared by its pages and the API: who reads which
//! cases (and their personal data), who records cases and letters.
//!
//! Access, decided here once:
//! - **every unit's cases**: those who read results across units (`ViewResults`: the office,
//!   the council, provincial leadership) and appraisers; **a unit's own**: its staff
//!   (`ViewUnitDrafts` on the unit);
//! - **the citizen's name and contact, and the letter's file (it names them)**: the unit's
//!   staff and the reform office only
//!   (`ViewUnitDrafts` on the unit), never the council, leadership, appraisers or the public;
//! - **record a case or its letter**: the unit's staff who edit its work (`EditUnitDrafts` on
//!   the unit) and the office (`ManagePeriods`); importing the one-stop system's list of late
//!   files: the office;
//! - **the public page**: counts of apologies per unit and month, nothing personal.

use parindex_core::{Action, Resource};
use parindex_store::repo::apology::{CaseRow, CaseUpload, NewCase};
use parindex_store::repo::units::ImportError;

use crate::ctx::Ctx;
use crate::error::AppError;

pub fn reads_all(ctx: &Ctx) -> bool {
    crate::app::onestop::reads_all(ctx)
}

pub fn reads_unit(ctx: &Ctx, unit_id: i64) -> bool {
    crate::app::onestop::reads_unit(ctx, unit_id)
}

/// Whether the actor sees the citizen's name and contact of this unit's cases.
pub fn sees_personal(ctx: &Ctx, unit_id: i64) -> bool {
    ctx.actor.is_some() && ctx.allows(Action::ViewUnitDrafts, Resource::Unit(unit_id))
}

/// Whether the actor records cases and letters of this unit.
pub fn may_record(ctx: &Ctx, unit_id: i64) -> bool {
    ctx.actor.is_some()
        && (ctx.allows(Action::ManagePeriods, Resource::System) || ctx.allows(Action::EditUnitDrafts, Resource::Unit(unit_id)))
}

/// Whether the actor imports the list of late files (every unit's).
pub fn may_import(ctx: &Ctx) -> bool {
    crate::app::onestop::may_import(ctx)
}

/// The case whose letter the actor records: 404 when they may not read it, 403 when they may
/// read but not record it.
pub async fn case_to_record(state: &crate::AppState, ctx: &Ctx, id: i64) -> Result<CaseRow, AppError> {
    if ctx.actor.is_none() {
        return Err(AppError::Unauthenticated);
    }
    let c = state.store.apology_case(id).await?;
    if !reads_unit(ctx, c.unit_id) {
        return Err(AppError::NotFound);
    }
    if !may_record(ctx, c.unit_id) {
        return Err(AppError::Forbidden);
    }
    Ok(c)
}

/// A case as this actor may see it: without the citizen's name, contact and letter file unless
/// allowed.
pub fn shown(ctx: &Ctx, mut c: CaseRow) -> CaseRow {
    if !sees_personal(ctx, c.unit_id) {
        c.applicant = None;
        c.contact = None;
        // the letter itself names the citizen
        c.letter_file_id = None;
        c.letter_file_name = None;
    }
    c
}

/// Record cases (the office: any unit's; a unit's staff: their own unit's, the others' rows
/// refused by name). Every problem at once, nothing written on any.
pub async fn record(
    state: &crate::AppState,
    ctx: &Ctx,
    upload: CaseUpload,
) -> Result<parindex_store::repo::apology::CaseOutcome, AppError> {
    if ctx.actor.is_none() {
        return Err(AppError::Unauthenticated);
    }
    let mut refused = Vec::new();
    for (i, r) in upload.rows.iter().enumerate() {
        let unit = state.store.unit_id_by_code(r.unit_code.trim()).await?;
        if let Some(u) = unit
            && !may_record(ctx, u)
        {
            refused.push(own_only(if r.row == 0 { i + 1 } else { r.row }, r));
        }
    }
    if !refused.is_empty() {
        if refused.len() == upload.rows.len() && upload.rows.len() == 1 {
            return Err(AppError::Forbidden);
        }
        return Err(AppError::ImportRows(refused));
    }
    let today = parindex_core::assessment::today_vn();
    match state.store.record_apology_cases(&ctx.audit(), upload, today).await {
        Ok(o) => Ok(o),
        Err(ImportError::Rows(rows)) => Err(AppError::ImportRows(rows)),
        Err(ImportError::Store(e)) => Err(e.into()),
    }
}

fn own_only(row: usize, r: &NewCase) -> parindex_core::unit::RowError {
    parindex_core::unit::RowError {
        row,
        field: "unit_code".into(),
        message: parindex_core::Msg::new(
            format!("Dòng {row}: bạn không ghi hồ sơ của đơn vị {}.", r.unit_code.trim()),
            format!("Row {row}: you do not record cases of unit {}.", r.unit_code.trim()),
        ),
    }
}
