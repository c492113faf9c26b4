//! Units use cases shared by the units pages and the units API: reading a status filter, a
//! lineage relation as seen from one unit, importing a units file.

use parindex_core::Msg;
use parindex_core::unit::LineageKind;
use parindex_store::repo::units::{ImportError, ImportOutcome, StatusFilter};

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::AppError;

pub fn status_filter(s: Option<&str>) -> StatusFilter {
    match s {
        Some("inactive") => StatusFilter::Inactive,
        Some("all") => StatusFilter::All,
        _ => StatusFilter::Active,
    }
}

/// A relation as seen from unit `id` (`merged_in`, `merged_into`, `split_from`) as
/// (predecessor, successor, kind).
pub fn lineage_ends(relation: &str, id: i64, other: i64) -> Result<(i64, i64, LineageKind), AppError> {
    match relation {
        "merged_in" => Ok((other, id, LineageKind::MergedInto)),
        "merged_into" => Ok((id, other, LineageKind::MergedInto)),
        "split_from" => Ok((other, id, LineageKind::SplitFrom)),
        _ => Err(AppError::BadRequest(Msg::new(
            "Quan hệ phải là merged_in, merged_into hoặc split_from.",
            "The relation must be merged_in, merged_into or split_from.",
        ))),
    }
}

/// Parse and import a units file; shared by the page and the API.
pub async fn run_import(state: &AppState, ctx: &Ctx, file_name: &str, bytes: &[u8]) -> Result<ImportOutcome, AppError> {
    let rows = parindex_reports::units::parse_units(file_name, bytes).map_err(AppError::ImportRows)?;
    match state.store.import_units(&ctx.audit(), file_name, rows, &mut |_, _| {}).await {
        Ok(o) => Ok(o),
        Err(ImportError::Rows(rows)) => Err(AppError::ImportRows(rows)),
        Err(ImportError::Store(e)) => Err(e.into()),
    }
}

/// Whom a unit calls about a period (issue #17): the reform office's officer in charge and,
/// per domain, the department that appraises it (the period's assignment, else the
/// framework's) with its focal person — as (domain title, department name, contact).
pub struct PeriodHelp {
    pub officer: Option<parindex_store::repo::periods::Person>,
    pub appraisers: Vec<(String, String, parindex_core::unit::Contact)>,
}

pub async fn period_help(
    state: &AppState,
    period: &parindex_store::repo::periods::PeriodRow,
    fw: &parindex_core::framework::Framework,
) -> Result<PeriodHelp, AppError> {
    let assigned: std::collections::HashMap<String, String> = state.store.assignments(period.id).await?.into_iter().collect();
    let units = state
        .store
        .list_units(
            parindex_core::UnitScope::All,
            &parindex_store::repo::units::UnitFilter { status: StatusFilter::All, ..Default::default() },
        )
        .await?;
    let appraisers = fw
        .nodes
        .iter()
        .filter_map(|d| {
            let code = assigned.get(&d.code).cloned().or_else(|| d.appraiser.clone())?;
            let u = units.iter().find(|u| u.code == code)?;
            Some((d.title.clone(), u.name.clone(), u.contact.clone()))
        })
        .collect();
    Ok(PeriodHelp { officer: period.contact.clone(), appraisers })
}
