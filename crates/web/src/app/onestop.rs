//! The one-stop statistics register (issue #18), shared by its pages and the API: who reads and
//! who imports, the year's figures per unit and month, and the import itself through
//! `Store::import_onestop`.
//!
//! Access, decided here once:
//! - **import** (files, the API, hand corrections) and the saved column mappings: the reform
//!   office (`ManagePeriods`);
//! - **read every unit's figures**: those who read results across units (`ViewResults`: the
//!   office, the council, provincial leadership) and appraisers;
//! - **a unit's own figures**: its staff (`ViewUnitDrafts` on the unit);
//! - **the public page**: the on-time rate per unit and month, for everyone — counts of files,
//!   never a person.

use std::collections::BTreeMap;

use parindex_core::onestop::Counts;
use parindex_core::unit::RowError;
use parindex_core::{Action, Resource, UnitScope};
use parindex_store::repo::onestop::{OnestopOutcome, OnestopRow, OnestopUpload};
use parindex_store::repo::units::{ImportError, StatusFilter, UnitFilter};
use parindex_store::{AuditCtx, Store};

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::AppError;

/// Whether the actor imports one-stop statistics.
pub fn may_import(ctx: &Ctx) -> bool {
    ctx.actor.is_some() && ctx.allows(Action::ManagePeriods, Resource::System)
}

/// Whether the actor reads every unit's figures.
pub fn reads_all(ctx: &Ctx) -> bool {
    ctx.actor.is_some() && (ctx.allows(Action::ViewResults, Resource::System) || ctx.allows(Action::Appraise, Resource::System))
}

/// A register page's year (the one asked for, else this year) and the unit it shows: the one
/// asked for (by code) to those who read every unit's, their own unit to a unit's staff (403
/// without one), none (every unit) otherwise.
pub async fn year_and_unit(
    state: &crate::AppState,
    ctx: &Ctx,
    year: Option<i32>,
    unit_code: Option<&str>,
) -> Result<(i32, Option<i64>), crate::error::AppError> {
    use chrono::Datelike;
    let Some(actor) = &ctx.actor else { return Err(crate::error::AppError::Unauthenticated) };
    let year = year.filter(|y| (2000..=2100).contains(y)).unwrap_or(parindex_core::assessment::today_vn().year());
    let unit = if reads_all(ctx) {
        match unit_code.map(str::trim).filter(|s| !s.is_empty()) {
            Some(code) => Some(state.store.unit_id_by_code(code).await?.ok_or(crate::error::AppError::NotFound)?),
            None => None,
        }
    } else {
        Some(actor.unit_id.filter(|u| reads_unit(ctx, *u)).ok_or(crate::error::AppError::Forbidden)?)
    };
    Ok((year, unit))
}

/// Whether the actor reads this unit's figures.
pub fn reads_unit(ctx: &Ctx, unit_id: i64) -> bool {
    reads_all(ctx) || (ctx.actor.is_some() && ctx.allows(Action::ViewUnitDrafts, Resource::Unit(unit_id)))
}

/// A unit's figures of a year: per month (index 0 = January) and in all.
#[derive(Debug, Clone)]
pub struct UnitYear {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub months: [Option<Counts>; 12],
    pub total: Counts,
}

impl UnitYear {
    /// The counts of a quarter (1–4), if any month of it has data.
    pub fn quarter(&self, q: usize) -> Option<Counts> {
        let mut sum: Option<Counts> = None;
        for c in self.months[(q - 1) * 3..q * 3].iter().flatten() {
            sum.get_or_insert_with(Counts::default).add(c);
        }
        sum
    }
}

/// Every unit's figures of a year (units with data only), in unit-code order, and the
/// province's per month and in all.
pub async fn year_view(state: &AppState, year: i32, only: Option<i64>) -> Result<(Vec<UnitYear>, UnitYear), AppError> {
    let names: BTreeMap<i64, (String, String)> = state
        .store
        .list_units(UnitScope::All, &UnitFilter { status: StatusFilter::All, ..Default::default() })
        .await?
        .into_iter()
        .map(|u| (u.id, (u.code, u.name)))
        .collect();
    let mut by_unit: BTreeMap<i64, UnitYear> = BTreeMap::new();
    let mut province = UnitYear { id: 0, code: String::new(), name: String::new(), months: [None; 12], total: Counts::default() };
    for s in state.store.onestop_sums(year, only, true).await? {
        let Some((code, name)) = names.get(&s.unit_id) else { continue };
        let u = by_unit.entry(s.unit_id).or_insert_with(|| UnitYear {
            id: s.unit_id,
            code: code.clone(),
            name: name.clone(),
            months: [None; 12],
            total: Counts::default(),
        });
        let i = (s.month.clamp(1, 12) - 1) as usize;
        u.months[i] = Some(s.counts);
        u.total.add(&s.counts);
        province.months[i].get_or_insert_with(Counts::default).add(&s.counts);
        province.total.add(&s.counts);
    }
    let mut units: Vec<UnitYear> = by_unit.into_values().collect();
    units.sort_by(|a, b| a.code.cmp(&b.code));
    Ok((units, province))
}

/// Import rows (403 unless [`may_import`]); refused rows come back as `AppError::ImportRows`,
/// all of them, and nothing is written.
pub async fn import(state: &AppState, ctx: &Ctx, upload: OnestopUpload) -> Result<OnestopOutcome, AppError> {
    if !may_import(ctx) {
        return Err(AppError::Forbidden);
    }
    match state.store.import_onestop(&ctx.audit(), upload).await {
        Ok(o) => Ok(o),
        Err(ImportError::Rows(rows)) => Err(AppError::ImportRows(rows)),
        Err(ImportError::Store(e)) => Err(e.into()),
    }
}

/// The year asked for, else the newest with data, else this year.
pub async fn pick_year(state: &AppState, asked: Option<i32>) -> Result<(i32, Vec<i32>), AppError> {
    let years = state.store.onestop_years().await?;
    let now = chrono::Utc::now().format("%Y").to_string().parse().unwrap_or(2026);
    let year = asked.filter(|y| (2000..=2100).contains(y)).or_else(|| years.first().copied()).unwrap_or(now);
    Ok((year, years))
}

/// A file of one-stop statistics (XLSX or CSV), read through the saved mapping `source` (none:
/// our template's headers) and checked by the store as an import that replaces the months it
/// covers — written unless `dry_run`. Every problem at once: the cells that do not read and the
/// rows the store refuses. The pages and the command line both come here.
pub async fn import_file(
    store: &Store,
    ctx: &AuditCtx,
    origin: &'static str,
    (name, bytes): (&str, &[u8]),
    source: &str,
    month: Option<&str>,
    dry_run: bool,
) -> Result<(Vec<OnestopRow>, OnestopOutcome), ImportError> {
    let mapping = if source.is_empty() {
        BTreeMap::new()
    } else {
        match store.onestop_sources().await?.into_iter().find(|s| s.name == source) {
            Some(s) => s.mapping,
            None => {
                return Err(ImportError::Rows(vec![RowError {
                    row: 0,
                    field: "source".into(),
                    message: parindex_core::Msg::new(
                        format!("Không có nguồn số liệu “{source}”; hãy lưu ánh xạ cột của nguồn trước."),
                        format!("No source “{source}”; save its column mapping first."),
                    ),
                }]));
            }
        }
    };
    let (rows, mut errors) = parindex_reports::onestop::read_stats_partly(name, bytes, &mapping, month).map_err(ImportError::Rows)?;
    let rows: Vec<OnestopRow> = rows
        .into_iter()
        .map(|r| OnestopRow { row: r.row, unit_code: r.unit_code, month: r.month, field: r.field, counts: r.counts })
        .collect();
    let upload = OnestopUpload {
        origin,
        file_name: Some(name.to_string()),
        source_name: Some(source.to_string()).filter(|s| !s.is_empty()),
        rows: rows.clone(),
        replace_months: true,
        // the rows that read well are checked too, so that every problem is named at once
        dry_run: dry_run || !errors.is_empty(),
    };
    let checked = if rows.is_empty() { Err(ImportError::Rows(vec![])) } else { store.import_onestop(ctx, upload).await };
    match checked {
        Ok(o) if errors.is_empty() => Ok((rows, o)),
        Ok(_) => Err(ImportError::Rows(errors)),
        Err(ImportError::Rows(more)) => {
            errors.extend(more);
            errors.sort_by_key(|e| e.row);
            Err(ImportError::Rows(errors))
        }
        Err(e) => Err(e),
    }
}
