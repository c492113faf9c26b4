//! The one-stop statistics register (issue #18): each unit's monthly counts per procedure field,
//! imported from the provincial one-stop system's export (a column mapping saved per source),
//! entered by hand, or posted to the API. An import is checked whole — every row's unit, month
//! and counts, parts never above their wholes — and written all or nothing: the months it covers
//! are replaced (what changes is counted first, for the preview) and, in the same transaction,
//! every criterion fed by the register (`feed: onestop.*`) of the periods of those years is
//! recomputed through the one feed mechanism (`feeds::recompute_in`).
//!
//! Rates are never stored: they are `core::onestop::Measure::of` the summed counts, wherever
//! they are shown.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use parindex_core::Msg;
use parindex_core::framework::Feed;
use parindex_core::onestop::{Counts, FIELDS, parse_month};
use parindex_core::unit::RowError;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder, QuerySelect, Set,
    TransactionTrait,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::entity::{onestop_import, onestop_source, onestop_stat, unit};
use crate::repo::audit::{AuditEntry, record};
use crate::repo::feeds::{Only, recompute_in};
use crate::repo::units::ImportError;
use crate::{AuditCtx, Store, StoreError};

/// The largest number of rows one import may carry (a year of 500 units × 40 fields).
pub const MAX_ROWS: usize = 250_000;

/// A row to import: a unit's counts for one month and procedure field.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct OnestopRow {
    /// The row of the file (1 = header), for messages; 0 when not from a file.
    #[serde(default)]
    pub row: usize,
    pub unit_code: String,
    /// `YYYY-MM`.
    pub month: String,
    /// The procedure field ("lĩnh vực"); empty when the source gives none.
    #[serde(default)]
    pub field: String,
    pub counts: Counts,
}

/// An import: its origin, rows and how it writes.
#[derive(Debug, Clone)]
pub struct OnestopUpload {
    /// `xlsx`, `csv`, `api`, `cli` or `form`.
    pub origin: &'static str,
    pub file_name: Option<String>,
    /// The saved column mapping that read the file, if any.
    pub source_name: Option<String>,
    pub rows: Vec<OnestopRow>,
    /// Replace every row of the months the import covers (a file of the one-stop system);
    /// otherwise only the rows given change (a correction entered by hand).
    pub replace_months: bool,
    /// Check and say what would change; write nothing.
    pub dry_run: bool,
}

/// What an import did (or, as a preview, would do).
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct OnestopOutcome {
    /// The import's number (0 for a preview).
    pub import_id: i64,
    /// The months covered, `YYYY-MM`.
    pub months: Vec<String>,
    pub added: usize,
    pub changed: usize,
    /// Rows of those months the import no longer has (replaced months only).
    pub removed: usize,
    pub unchanged: usize,
    /// Fed criteria rewritten in the periods of those years.
    pub leaves_written: usize,
}

/// One import, as listed.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct OnestopImportRow {
    pub id: i64,
    pub origin: String,
    pub file_name: Option<String>,
    pub source_name: Option<String>,
    pub months: String,
    pub rows: i32,
    pub added: i32,
    pub changed: i32,
    pub removed: i32,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

/// A saved column mapping: for each of our fields, the header of the source's column.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct OnestopSource {
    pub name: String,
    /// Field key (`unit_code`, `month`, `field`, `received_online`, …) → column header.
    pub mapping: BTreeMap<String, String>,
    #[serde(default)]
    pub updated_by: String,
    #[serde(default = "Utc::now")]
    pub updated_at: DateTime<Utc>,
}

/// A unit's counts summed over one month (`month` 1–12) or over a year (`month` 0).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct OnestopSum {
    pub unit_id: i64,
    pub month: i32,
    pub counts: Counts,
    /// Months with data, and the newest import behind the figures.
    pub months: i64,
    pub last_import: i64,
}

#[derive(Debug, FromQueryResult)]
struct SumRow {
    unit_id: i64,
    month: i32,
    months: i64,
    last_import: i64,
    received_online: i64,
    received_direct: i64,
    received_post: i64,
    resolved_early: i64,
    resolved_on_time: i64,
    resolved_late: i64,
    pending_within: i64,
    pending_over: i64,
    returned: i64,
    online_full: i64,
    fee_files: i64,
    paid_online: i64,
    results_digitised: i64,
    records_digitised: i64,
}

fn counts_of(m: &onestop_stat::Model) -> Counts {
    Counts::from_values([
        m.received_online,
        m.received_direct,
        m.received_post,
        m.resolved_early,
        m.resolved_on_time,
        m.resolved_late,
        m.pending_within,
        m.pending_over,
        m.returned,
        m.online_full,
        m.fee_files,
        m.paid_online,
        m.results_digitised,
        m.records_digitised,
    ])
}

fn stat_model(
    unit_id: i64,
    (year, month): (i32, u32),
    field: &str,
    c: &Counts,
    import_id: i64,
    now: DateTime<Utc>,
) -> onestop_stat::ActiveModel {
    onestop_stat::ActiveModel {
        unit_id: Set(unit_id),
        year: Set(year),
        month: Set(month as i32),
        field: Set(field.to_string()),
        import_id: Set(import_id),
        updated_at: Set(now),
        received_online: Set(c.received_online),
        received_direct: Set(c.received_direct),
        received_post: Set(c.received_post),
        resolved_early: Set(c.resolved_early),
        resolved_on_time: Set(c.resolved_on_time),
        resolved_late: Set(c.resolved_late),
        pending_within: Set(c.pending_within),
        pending_over: Set(c.pending_over),
        returned: Set(c.returned),
        online_full: Set(c.online_full),
        fee_files: Set(c.fee_files),
        paid_online: Set(c.paid_online),
        results_digitised: Set(c.results_digitised),
        records_digitised: Set(c.records_digitised),
        ..Default::default()
    }
}

/// The counts summed per unit — per month (`by_month`) or over the year — in one query.
pub(crate) async fn sums<C: ConnectionTrait>(
    c: &C,
    year: i32,
    unit_id: Option<i64>,
    by_month: bool,
) -> Result<Vec<OnestopSum>, StoreError> {
    let mut q = onestop_stat::Entity::find()
        .select_only()
        .column(onestop_stat::Column::UnitId)
        .column_as(Expr::cust(if by_month { "month" } else { "0" }), "month")
        .column_as(Expr::cust("CAST(COUNT(DISTINCT month) AS BIGINT)"), "months")
        .column_as(Expr::cust("CAST(MAX(import_id) AS BIGINT)"), "last_import");
    for (k, _, _) in FIELDS {
        q = q.column_as(Expr::cust(format!("CAST(SUM({k}) AS BIGINT)")), k);
    }
    q = q.filter(onestop_stat::Column::Year.eq(year));
    if let Some(u) = unit_id {
        q = q.filter(onestop_stat::Column::UnitId.eq(u));
    }
    q = q.group_by(onestop_stat::Column::UnitId);
    if by_month {
        q = q.group_by(onestop_stat::Column::Month);
    }
    Ok(q.into_model::<SumRow>()
        .all(c)
        .await?
        .into_iter()
        .map(|r| OnestopSum {
            unit_id: r.unit_id,
            month: r.month,
            months: r.months,
            last_import: r.last_import,
            counts: Counts::from_values([
                r.received_online,
                r.received_direct,
                r.received_post,
                r.resolved_early,
                r.resolved_on_time,
                r.resolved_late,
                r.pending_within,
                r.pending_over,
                r.returned,
                r.online_full,
                r.fee_files,
                r.paid_online,
                r.results_digitised,
                r.records_digitised,
            ]),
        })
        .collect())
}

fn row_error(row: usize, field: &str, vi: String, en: String) -> RowError {
    RowError { row, field: field.into(), message: Msg::new(vi, en) }
}

fn import_row(m: onestop_import::Model) -> OnestopImportRow {
    OnestopImportRow {
        id: m.id,
        origin: m.origin,
        file_name: m.file_name,
        source_name: m.source_name,
        months: m.months,
        rows: m.rows,
        added: m.added,
        changed: m.changed,
        removed: m.removed,
        created_by: m.created_by,
        created_at: m.created_at,
    }
}

/// A row's key: (year, month, unit, procedure field).
type Key = (i32, u32, i64, String);

impl Store {
    /// Import one-stop statistics: every row checked first and every problem returned at once
    /// (file, row, column, what to write); then, in one transaction, the months covered replaced
    /// (or the rows given upserted), the import recorded and audited, and every `onestop.*` fed
    /// criterion of the periods of those years recomputed. With `dry_run` nothing is written and
    /// the outcome says what would change.
    pub async fn import_onestop(&self, ctx: &AuditCtx, upload: OnestopUpload) -> Result<OnestopOutcome, ImportError> {
        let OnestopUpload { origin, file_name, source_name, rows, replace_months, dry_run } = upload;
        let file = file_name.clone().unwrap_or_else(|| "API".into());
        if rows.is_empty() {
            return Err(ImportError::Rows(vec![row_error(
                1,
                "-",
                format!("“{file}” không có dòng số liệu nào."),
                format!("“{file}” has no data rows."),
            )]));
        }
        if rows.len() > MAX_ROWS {
            return Err(ImportError::Rows(vec![row_error(
                1,
                "-",
                format!("“{file}” có {} dòng, quá {MAX_ROWS} dòng một lần nhập: hãy chia theo tháng.", rows.len()),
                format!("“{file}” has {} rows, over {MAX_ROWS} per import: split it by month.", rows.len()),
            )]));
        }
        let units: HashMap<String, i64> =
            unit::Entity::find().all(&self.db).await?.into_iter().map(|u| (u.code.to_lowercase(), u.id)).collect();
        let mut errors = Vec::new();
        // (year, month, unit, field) → (row, counts)
        let mut new: BTreeMap<Key, (usize, Counts)> = BTreeMap::new();
        for (i, r) in rows.iter().enumerate() {
            let row = if r.row == 0 { i + 1 } else { r.row };
            let code = r.unit_code.trim();
            let unit_id = units.get(&code.to_lowercase()).copied();
            if unit_id.is_none() {
                errors.push(row_error(
                    row,
                    "unit_code",
                    format!("“{file}”, dòng {row}, cột mã đơn vị: “{code}” không phải mã đơn vị nào trong hệ thống. Hãy ghi mã như ở trang Đơn vị."),
                    format!("“{file}”, row {row}, unit code: “{code}” is no unit's code. Write the code as on the Units page."),
                ));
            }
            let month = parse_month(&r.month);
            if month.is_none() {
                errors.push(row_error(
                    row,
                    "month",
                    format!("“{file}”, dòng {row}, cột tháng: “{}” không đọc được; hãy ghi dạng 2026-03 hoặc 03/2026.", r.month.trim()),
                    format!("“{file}”, row {row}, month: “{}” cannot be read; write 2026-03 or 03/2026.", r.month.trim()),
                ));
            }
            let field = r.field.trim();
            if field.chars().count() > 120 {
                errors.push(row_error(
                    row,
                    "field",
                    format!("“{file}”, dòng {row}, cột lĩnh vực: tên quá 120 ký tự."),
                    format!("“{file}”, row {row}, field: the name is over 120 characters."),
                ));
            }
            for (key, m) in r.counts.problems() {
                errors.push(row_error(row, key, format!("“{file}”, dòng {row}: {}", m.vi), format!("“{file}”, row {row}: {}", m.en)));
            }
            if let (Some(u), Some((y, mo))) = (unit_id, month)
                && let Some((first, _)) = new.insert((y, mo, u, field.to_string()), (row, r.counts))
            {
                errors.push(row_error(
                    row,
                    "unit_code",
                    format!("“{file}”, dòng {row}: đơn vị {code}, tháng {mo:02}/{y}, lĩnh vực “{field}” đã có ở dòng {first}. Mỗi đơn vị, tháng và lĩnh vực một dòng."),
                    format!("“{file}”, row {row}: unit {code}, {y}-{mo:02}, field “{field}” is already on row {first}. One row per unit, month and field."),
                ));
            }
        }
        if !errors.is_empty() {
            return Err(ImportError::Rows(errors));
        }
        let months: BTreeSet<(i32, u32)> = new.keys().map(|(y, m, _, _)| (*y, *m)).collect();
        let month_list: Vec<String> = months.iter().map(|(y, m)| format!("{y}-{m:02}")).collect();
        // what is stored for those months, compared row by row
        let mut stored: HashMap<Key, onestop_stat::Model> = HashMap::new();
        for (y, m) in &months {
            let mut q =
                onestop_stat::Entity::find().filter(onestop_stat::Column::Year.eq(*y)).filter(onestop_stat::Column::Month.eq(*m as i32));
            if !replace_months {
                let ids: BTreeSet<i64> = new.keys().filter(|k| (k.0, k.1) == (*y, *m)).map(|k| k.2).collect();
                q = q.filter(onestop_stat::Column::UnitId.is_in(ids));
            }
            for s in q.all(&self.db).await? {
                stored.insert((s.year, s.month as u32, s.unit_id, s.field.clone()), s);
            }
        }
        let mut outcome = OnestopOutcome { months: month_list.clone(), ..Default::default() };
        let mut delete: Vec<i64> = Vec::new();
        // (key, counts, the import an unchanged row keeps)
        let mut insert: Vec<(&Key, Counts, Option<i64>)> = Vec::new();
        let mut unchanged: Vec<(&Key, Counts, Option<i64>)> = Vec::new();
        for (k, (_, c)) in &new {
            match stored.remove(k) {
                Some(s) if counts_of(&s) == *c => {
                    outcome.unchanged += 1;
                    unchanged.push((k, *c, Some(s.import_id)));
                }
                Some(s) => {
                    outcome.changed += 1;
                    delete.push(s.id);
                    insert.push((k, *c, None));
                }
                None => {
                    outcome.added += 1;
                    insert.push((k, *c, None));
                }
            }
        }
        if replace_months {
            outcome.removed = stored.len();
            delete.extend(stored.values().map(|s| s.id));
        }
        // most of the months' rows go: clearing the months whole and writing every row again
        // (unchanged ones with the import they came from) is far fewer statements than
        // deleting row by row
        let whole_months = replace_months && delete.len() > unchanged.len();
        if whole_months {
            insert.extend(unchanged);
        }
        if dry_run {
            return Ok(outcome);
        }
        let years: BTreeSet<i32> = months.iter().map(|(y, _)| *y).collect();
        let fed = self.periods_fed_by(&years, |f| matches!(f, Feed::Onestop(_))).await?;
        let ctx = ctx.clone();
        let n_rows = rows.len() as i32;
        let inserts: Vec<(Key, Counts, Option<i64>)> = insert.into_iter().map(|(k, c, i)| (k.clone(), c, i)).collect();
        let cleared: Vec<(i32, u32)> = if whole_months { months.iter().copied().collect() } else { Vec::new() };
        if whole_months {
            delete.clear();
        }
        let out = self
            .db
            .transaction::<_, OnestopOutcome, StoreError>(|txn| {
                Box::pin(async move {
                    let now = Utc::now();
                    let imp = onestop_import::ActiveModel {
                        origin: Set(origin.to_string()),
                        file_name: Set(file_name.clone()),
                        source_name: Set(source_name.clone()),
                        months: Set(month_list.join(",")),
                        rows: Set(n_rows),
                        added: Set(outcome.added as i32),
                        changed: Set(outcome.changed as i32),
                        removed: Set(outcome.removed as i32),
                        created_by: Set(ctx.actor_name.clone()),
                        created_at: Set(now),
                        ..Default::default()
                    }
                    .insert(txn)
                    .await?;
                    for (y, m) in &cleared {
                        onestop_stat::Entity::delete_many()
                            .filter(onestop_stat::Column::Year.eq(*y))
                            .filter(onestop_stat::Column::Month.eq(*m as i32))
                            .exec(txn)
                            .await?;
                    }
                    for chunk in delete.chunks(500) {
                        onestop_stat::Entity::delete_many().filter(onestop_stat::Column::Id.is_in(chunk.to_vec())).exec(txn).await?;
                    }
                    // 20 columns a row: 1,000 rows stay under every backend's bound on parameters
                    for chunk in inserts.chunks(1000) {
                        let models =
                            chunk.iter().map(|((y, m, u, f), c, kept)| stat_model(*u, (*y, *m), f, c, kept.unwrap_or(imp.id), now));
                        onestop_stat::Entity::insert_many(models).exec(txn).await?;
                    }
                    let mut written = 0;
                    for (period_id, fw, assessments) in &fed {
                        written +=
                            recompute_in(txn, &ctx, *period_id, fw, assessments, Only::Register(|f| matches!(f, Feed::Onestop(_)))).await?;
                    }
                    record(
                        txn,
                        &ctx,
                        AuditEntry {
                            action: "onestop.import",
                            object_type: "onestop",
                            object_id: Some(imp.id.to_string()),
                            after: Some(json!({
                                "origin": origin, "file": file_name, "source": source_name, "months": month_list,
                                "rows": n_rows, "added": outcome.added, "changed": outcome.changed,
                                "removed": outcome.removed, "unchanged": outcome.unchanged, "leaves_written": written,
                            })),
                            ..Default::default()
                        },
                    )
                    .await?;
                    Ok(OnestopOutcome { import_id: imp.id, leaves_written: written, ..outcome })
                })
            })
            .await
            .map_err(StoreError::from)?;
        Ok(out)
    }

    /// Each unit's counts of a year, summed per month (`by_month`) or over the year; one unit's
    /// only with `unit_id`.
    pub async fn onestop_sums(&self, year: i32, unit_id: Option<i64>, by_month: bool) -> Result<Vec<OnestopSum>, StoreError> {
        sums(&self.db, year, unit_id, by_month).await
    }

    /// A unit's rows of a year, per month and field, as imported.
    pub async fn onestop_rows(&self, unit_id: i64, year: i32) -> Result<Vec<(i32, String, Counts, i64)>, StoreError> {
        Ok(onestop_stat::Entity::find()
            .filter(onestop_stat::Column::UnitId.eq(unit_id))
            .filter(onestop_stat::Column::Year.eq(year))
            .order_by_asc(onestop_stat::Column::Month)
            .order_by_asc(onestop_stat::Column::Field)
            .all(&self.db)
            .await?
            .iter()
            .map(|m| (m.month, m.field.clone(), counts_of(m), m.import_id))
            .collect())
    }

    /// The years with one-stop data, newest first.
    pub async fn onestop_years(&self) -> Result<Vec<i32>, StoreError> {
        let ys: Vec<i32> =
            onestop_stat::Entity::find().select_only().column(onestop_stat::Column::Year).distinct().into_tuple().all(&self.db).await?;
        let mut ys: Vec<i32> = ys.into_iter().collect::<BTreeSet<_>>().into_iter().rev().collect();
        ys.dedup();
        Ok(ys)
    }

    /// The imports, newest first.
    pub async fn onestop_imports(&self, limit: u64) -> Result<Vec<OnestopImportRow>, StoreError> {
        Ok(onestop_import::Entity::find()
            .order_by_desc(onestop_import::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?
            .into_iter()
            .map(import_row)
            .collect())
    }

    /// One import.
    pub async fn onestop_import(&self, id: i64) -> Result<OnestopImportRow, StoreError> {
        onestop_import::Entity::find_by_id(id).one(&self.db).await?.map(import_row).ok_or(StoreError::NotFound)
    }

    /// The saved column mappings, by name.
    pub async fn onestop_sources(&self) -> Result<Vec<OnestopSource>, StoreError> {
        Ok(onestop_source::Entity::find()
            .order_by_asc(onestop_source::Column::Name)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|m| OnestopSource {
                name: m.name,
                mapping: serde_json::from_str(&m.mapping).unwrap_or_default(),
                updated_by: m.updated_by,
                updated_at: m.updated_at,
            })
            .collect())
    }

    /// Save (or replace) a column mapping under its name, audited.
    pub async fn save_onestop_source(&self, ctx: &AuditCtx, name: &str, mapping: &BTreeMap<String, String>) -> Result<(), StoreError> {
        let name = name.trim().to_string();
        if name.is_empty() || name.chars().count() > 120 {
            return Err(StoreError::invalid(
                "name",
                Msg::new("Hãy đặt tên nguồn số liệu (tối đa 120 ký tự).", "Name the source (at most 120 characters)."),
            ));
        }
        let mapping: BTreeMap<String, String> =
            mapping.iter().map(|(k, v)| (k.clone(), v.trim().to_string())).filter(|(_, v)| !v.is_empty()).collect();
        let ctx = ctx.clone();
        Ok(self
            .db
            .transaction::<_, (), StoreError>(|txn| {
                Box::pin(async move {
                    let json = serde_json::to_string(&mapping).unwrap_or_default();
                    let now = Utc::now();
                    let before = onestop_source::Entity::find().filter(onestop_source::Column::Name.eq(name.as_str())).one(txn).await?;
                    let before_json = before.as_ref().map(|b| json!({"mapping": b.mapping}));
                    match before {
                        Some(b) => {
                            let mut am: onestop_source::ActiveModel = b.into();
                            am.mapping = Set(json.clone());
                            am.updated_by = Set(ctx.actor_name.clone());
                            am.updated_at = Set(now);
                            am.update(txn).await?;
                        }
                        None => {
                            onestop_source::ActiveModel {
                                name: Set(name.clone()),
                                mapping: Set(json.clone()),
                                updated_by: Set(ctx.actor_name.clone()),
                                updated_at: Set(now),
                                ..Default::default()
                            }
                            .insert(txn)
                            .await?;
                        }
                    }
                    record(
                        txn,
                        &ctx,
                        AuditEntry {
                            action: "onestop.source",
                            object_type: "onestop_source",
                            object_id: Some(name.clone()),
                            before: before_json,
                            after: Some(json!({"mapping": json})),
                            ..Default::default()
                        },
                    )
                    .await
                })
            })
            .await?)
    }
}
