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
