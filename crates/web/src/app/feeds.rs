//! Fed leaves (issue #18), shared by the data pages, the API and the command line: who may read
//! a leaf's values and who may upload them, and the upload itself (a file read by
//! `parindex_reports::feed_values`, or rows given as JSON) through `Store::import_feed_values`.
//!
//! Access, decided here once:
//! - **upload** a `feed: imported` leaf's values: the reform office (`ManagePeriods`) or the
//!   department that appraises the leaf (an appraiser whose agency is the leaf's appraiser; the
//!   office's own appraisers, of no department, for the leaves no department appraises);
//! - **read** a unit's value: those who upload, the unit itself and the office
//!   (`ViewUnitDrafts`), the council and the provincial leadership (`ViewSubmittedWork`); a
//!   unit never sees another unit's figures here (they become public only with the results).

use parindex_core::framework::{Feed, Framework};
use parindex_core::{Action, Exact, Resource};
use parindex_reports::feed_values::{LeafInfo, read_values};
use parindex_store::repo::feeds::{FeedImportOutcome, FeedLeaf, FeedUnit, FeedUpload, NewFeedValue};
use parindex_store::repo::units::ImportError;

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::AppError;

/// Whether the actor may upload this leaf's values.
pub async fn may_upload(state: &AppState, ctx: &Ctx, leaf: &FeedLeaf) -> Result<bool, AppError> {
    if leaf.feed != Feed::Imported.key() {
        return Ok(false);
    }
    if ctx.allows(Action::ManagePeriods, Resource::System) {
        return Ok(true);
    }
    match &ctx.actor {
        Some(a) if ctx.allows(Action::Appraise, Resource::System) => {
            let scope = crate::app::appraisal::scope_of(state, a).await?;
            // a department's appraisers for its leaves; the office's own (no department) for
            // the leaves no department appraises
            Ok(scope.covers(leaf.appraiser.as_deref()))
        }
        _ => Ok(false),
    }
}

/// Whether the actor reads this unit's value (see the module's header).
pub fn may_read_unit(ctx: &Ctx, uploads: bool, u: &FeedUnit) -> bool {
    let unit = Resource::Unit(u.unit_id);
    uploads || ctx.allows(Action::ViewUnitDrafts, unit) || ctx.allows(Action::ViewSubmittedWork, unit)
}

/// A period's fed leaves with only the units the actor may read, and whether they may upload
/// each; leaves of which the actor reads nothing are left out.
pub async fn visible_feeds(state: &AppState, ctx: &Ctx, period_id: i64) -> Result<Vec<(FeedLeaf, bool)>, AppError> {
    ctx.require(Action::ViewPeriods, Resource::System)?;
    let mut out = Vec::new();
    for mut leaf in state.store.period_feeds(period_id).await? {
        let uploads = may_upload(state, ctx, &leaf).await?;
        leaf.units.retain(|u| may_read_unit(ctx, uploads, u));
        if uploads || !leaf.units.is_empty() {
            out.push((leaf, uploads));
        }
    }
    Ok(out)
}

/// One fed leaf as [`visible_feeds`] gives it; 404 when the period has no such fed leaf, 403
/// when the actor reads none of it.
pub async fn visible_feed(state: &AppState, ctx: &Ctx, period_id: i64, leaf: &str) -> Result<(FeedLeaf, bool), AppError> {
    ctx.require(Action::ViewPeriods, Resource::System)?;
    let mut all = state.store.period_feeds(period_id).await?;
    let Some(pos) = all.iter().position(|l| l.code == leaf) else { return Err(AppError::NotFound) };
    let mut leaf = all.swap_remove(pos);
    let uploads = may_upload(state, ctx, &leaf).await?;
    leaf.units.retain(|u| may_read_unit(ctx, uploads, u));
    if !uploads && leaf.units.is_empty() {
        return Err(AppError::Forbidden);
    }
    Ok((leaf, uploads))
}

/// Upload rows for a leaf (403 unless [`may_upload`]); refused rows come back as
/// `AppError::ImportRows`, all of them, and nothing is written.
pub async fn import_rows(
    state: &AppState,
    ctx: &Ctx,
    period_id: i64,
    leaf: &str,
    upload: FeedUpload,
) -> Result<FeedImportOutcome, AppError> {
    let (fl, uploads) = visible_feed(state, ctx, period_id, leaf).await?;
    if !uploads {
        return Err(AppError::Forbidden);
    }
    match state.store.import_feed_values(&ctx.audit(), period_id, &fl.code, upload).await {
        Ok(o) => Ok(o),
        Err(ImportError::Rows(rows)) => Err(AppError::ImportRows(rows)),
        Err(ImportError::Store(e)) => Err(e.into()),
    }
}

/// Read an uploaded value table (XLSX or CSV) against the leaf's rule and its units (all of
/// them: the uploader reads every unit). Every refused row at once.
pub fn read_file(fw: &Framework, leaf: &FeedLeaf, file_name: &str, bytes: &[u8]) -> Result<Vec<NewFeedValue>, AppError> {
    let node = fw.find(&leaf.code).ok_or(AppError::NotFound)?;
    let rule = node.rule.clone().ok_or(AppError::NotFound)?;
    let max = node.max.clone().unwrap_or(Exact::ZERO);
    let info = LeafInfo { code: &leaf.code, title: &leaf.title, rule: &rule, max: &max };
    let units: Vec<String> = leaf.units.iter().map(|u| u.unit_code.clone()).collect();
    let rows = read_values(file_name, bytes, &info, &units).map_err(AppError::ImportRows)?;
    Ok(rows.into_iter().map(|r| NewFeedValue { row: r.row, unit_code: r.unit_code, input: r.input, source: r.source }).collect())
}
