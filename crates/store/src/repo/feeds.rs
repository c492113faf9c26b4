//! Criteria fed by data (issue #18). A leaf written `source: { feed: <name> }` is scored neither
//! by the unit nor by hand: its input comes from a feed — a register of the system (one-stop
//! statistics, apologies… as later issues add them) or a value table the reform office or the
//! appraising department uploads (`feed: imported`).
//!
//! One mechanism for every feed: [`feed_inputs`] says, for one fed leaf of a period, each unit's
//! input and where it came from (its provenance, in words); [`recompute_in`] writes those into
//! the period's assessments — as the leaf's input, its points (by the leaf's rule, the one
//! `leaf_points`) and a note naming the source — in the transaction of the write that changed
//! the data, so every page, total, export and document reads a fed leaf like any other. An
//! approved assessment is never touched: its fed values are frozen with it. A register that
//! feeds criteria adds its arm to [`feed_inputs`] and calls [`recompute_in`] after its writes.
//!
//! Imported values live in `feed_values` (the current value per period, leaf and unit, with
//! the import it came from) and `feed_imports` (who uploaded what, when): an upload is checked
//! whole — every row's unit and input — and written all or nothing.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};
use parindex_core::assessment::State;
use parindex_core::framework::{Feed, Framework, Input, Node, Source};
use parindex_core::unit::RowError;
use parindex_core::{Exact, Msg, UnitScope};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait};
use serde::Serialize;
use serde_json::json;

use crate::entity::{assessment_entry, feed_decision, feed_import, feed_value};
use crate::repo::audit::{AuditEntry, record};
use crate::repo::periods::{AssessmentRow, leaves_from, points_of};
use crate::repo::survey_points::{Supplied, write_supplied_leaf};
use crate::repo::units::ImportError;
use crate::{AuditCtx, Store, StoreError};

/// One upload of a value table.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct FeedImportRow {
    pub id: i64,
    pub leaf: String,
    /// `xlsx`, `api` or `cli`.
    pub origin: String,
    pub file_name: Option<String>,
    /// Rows read, and how many of them changed a unit's value.
    pub rows: i32,
    pub changed: i32,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

/// A unit's fed value of one leaf: the input, its points and where it came from.
#[derive(Debug, Clone, Serialize)]
pub struct FedValue {
    pub input: Input,
    /// None when the input marks the leaf not applicable (a register counted no file).
    pub points: Option<Exact>,
    /// Where the figure comes from, in words (shown on the unit's leaf).
    pub provenance: String,
    /// What the uploader wrote in the source column, if anything.
    pub source: Option<String>,
    /// The upload it came from (imported values).
    pub import_id: Option<i64>,
}

/// One unit of a fed leaf's table.
#[derive(Debug, Clone, Serialize)]
pub struct FeedUnit {
    pub assessment_id: i64,
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    pub state: State,
    pub value: Option<FedValue>,
    /// The unit contested the figure in the explanation round and its appraiser answered with
    /// a final value: that value counts, so the unit is not missing data.
    pub answered: bool,
}

/// What the council decided for the units a fed leaf has no data for, so that the period can
/// be approved: scored 0, or left out of those units' applicable maximum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MissingRule {
    Zero,
    Exclude,
}

impl MissingRule {
    pub fn key(self) -> &'static str {
        match self {
            MissingRule::Zero => "zero",
            MissingRule::Exclude => "exclude",
        }
    }

    pub fn parse(s: &str) -> Option<MissingRule> {
        [MissingRule::Zero, MissingRule::Exclude].into_iter().find(|m| m.key() == s)
    }

    /// In words (Vietnamese, English).
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            MissingRule::Zero => ("tính 0 điểm", "scored 0"),
            MissingRule::Exclude => ("không tính vào điểm tối đa của đơn vị", "left out of the unit's applicable maximum"),
        }
    }
}

/// The council's decision on a fed leaf's missing data.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct FeedDecision {
    pub kind: MissingRule,
    pub reason: String,
    pub decided_by: String,
    pub decided_at: DateTime<Utc>,
}

impl FeedDecision {
    /// What the leaf of a unit without data says (its note).
    pub fn note(&self) -> String {
        format!("Không có số liệu; Hội đồng thẩm định quyết định {}: {}.", self.kind.label().0, self.reason.trim_end_matches('.'))
    }
}

/// What the results say of a fed leaf some units have no data for (issue #18).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct DataNote {
    pub leaf: String,
    /// In Vietnamese and in English: the leaf, the units without data, the council's decision.
    pub vi: String,
    pub en: String,
}

/// A fed leaf of a period and every unit it applies to.
#[derive(Debug, Clone, Serialize)]
pub struct FeedLeaf {
    pub code: String,
    pub title: String,
    pub feed: String,
    /// The department that appraises the leaf (the period's assignment, else the framework's):
    /// its code and name.
    pub appraiser: Option<String>,
    pub appraiser_name: Option<String>,
    pub units: Vec<FeedUnit>,
    /// The council's decision for the units without data, if any.
    pub decision: Option<FeedDecision>,
}

impl FeedLeaf {
    pub fn missing(&self) -> impl Iterator<Item = &FeedUnit> {
        self.units.iter().filter(|u| u.value.is_none() && !u.answered)
    }
}

/// A row to import: a unit's new value (None clears it) and its source.
#[derive(Debug, Clone, serde::Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct NewFeedValue {
    /// The row of the file (1 = header), for messages; 0 when not from a file.
    #[serde(default)]
    pub row: usize,
    pub unit_code: String,
    /// The leaf rule's input (e.g. `{"percent": "87.5"}`); absent or null clears the value.
    #[serde(default)]
    #[cfg_attr(feature = "schema", schema(value_type = Option<Object>))]
    pub input: Option<Input>,
    #[serde(default)]
    pub source: Option<String>,
}

/// An upload of a leaf's values: where it comes from, its rows, and whether only to check it.
#[derive(Debug, Clone)]
pub struct FeedUpload {
    /// `xlsx`, `api` or `cli`.
    pub origin: &'static str,
    pub file_name: Option<String>,
    pub rows: Vec<NewFeedValue>,
    /// Check and say what would change; write nothing.
    pub dry_run: bool,
}

/// What an import did (or, as a preview, would do).
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct FeedImportOutcome {
    /// The upload's number (0 for a preview).
    pub import_id: i64,
    pub added: usize,
    pub changed: usize,
    pub cleared: usize,
    pub unchanged: usize,
    /// Assessment leaves rewritten (their points follow).
    pub leaves_written: usize,
}

fn applies(fw: &Framework, kind: &str, leaf: &str, source: Source, cache: &mut HashMap<String, HashSet<String>>) -> bool {
    cache
        .entry(kind.to_string())
        .or_insert_with(|| leaves_from(fw, kind, source).into_iter().map(|n| n.code.clone()).collect())
        .contains(leaf)
}

/// Every fed leaf of a framework with its feed, in framework order.
pub fn fed_leaves(fw: &Framework) -> Vec<(&Node, Feed)> {
    crate::repo::periods::all_leaves(fw).into_iter().filter_map(|n| n.source.feed().map(|f| (n, f))).collect()
}

fn when_vn(t: &DateTime<Utc>) -> String {
    (*t + chrono::Duration::hours(7)).format("%d/%m/%Y %H:%M").to_string()
}

fn import_row(m: &feed_import::Model) -> FeedImportRow {
    FeedImportRow {
        id: m.id,
        leaf: m.leaf_code.clone(),
        origin: m.origin.clone(),
        file_name: m.file_name.clone(),
        rows: m.rows,
        changed: m.changed,
        created_by: m.created_by.clone(),
        created_at: m.created_at,
    }
}

fn provenance_of(imp: &FeedImportRow, source: Option<&str>) -> String {
    let from = match (&imp.file_name, imp.origin.as_str()) {
        (Some(f), _) => format!("tệp {f}"),
        (None, "api") => "qua API".to_string(),
        (None, "cli") => "bằng dòng lệnh".to_string(),
        (None, o) => o.to_string(),
    };
    let mut s = format!("Số liệu tải lên lần #{} ({from}, {}, {})", imp.id, imp.created_by, when_vn(&imp.created_at));
    if let Some(src) = source.filter(|s| !s.trim().is_empty()) {
        s.push_str(&format!("; theo {}", src.trim()));
    }
    s.push('.');
    s
}

async fn decision_of<C: ConnectionTrait>(c: &C, period_id: i64, leaf: &str) -> Result<Option<FeedDecision>, StoreError> {
    Ok(feed_decision::Entity::find()
        .filter(feed_decision::Column::PeriodId.eq(period_id))
        .filter(feed_decision::Column::LeafCode.eq(leaf))
        .one(c)
        .await?
        .and_then(|m| {
            Some(FeedDecision { kind: MissingRule::parse(&m.kind)?, reason: m.reason, decided_by: m.decided_by, decided_at: m.decided_at })
        }))
}

/// What the registers' feeds of one period read, read once for all its fed leaves (a
/// register's sums serve each of its measures).
#[derive(Default)]
pub(crate) struct FeedData {
    year: Option<i32>,
    onestop: Option<Vec<crate::repo::onestop::OnestopSum>>,
    apology: Option<HashMap<i64, Vec<parindex_core::apology::CaseFacts>>>,
    plans: Option<crate::repo::plans::YearFacts>,
    reports: Option<HashMap<i64, Vec<parindex_core::reporting::ReportFacts>>>,
    inspections: Option<HashMap<(i64, String), parindex_core::inspections::UnitFacts>>,
    units: Option<Vec<i64>>,
}

impl FeedData {
    /// The period's units (a register that is the whole truth gives each of them a value).
    async fn units<C: ConnectionTrait>(&mut self, c: &C, period_id: i64) -> Result<Vec<i64>, StoreError> {
        if self.units.is_none() {
            let units = crate::entity::assessment::Entity::find()
                .filter(crate::entity::assessment::Column::PeriodId.eq(period_id))
                .all(c)
                .await?
                .into_iter()
                .map(|a| a.unit_id)
                .collect();
            self.units = Some(units);
        }
        Ok(self.units.clone().unwrap_or_default())
    }

    async fn year<C: ConnectionTrait>(&mut self, c: &C, period_id: i64) -> Result<i32, StoreError> {
        if let Some(y) = self.year {
            return Ok(y);
        }
        let p = crate::entity::period::Entity::find_by_id(period_id).one(c).await?.ok_or(StoreError::NotFound)?;
        self.year = Some(p.year);
        Ok(p.year)
    }
}

/// Each unit's input of one fed leaf of a period, with its provenance — the one place a feed's
/// data becomes a leaf's input.
pub(crate) async fn feed_inputs<C: ConnectionTrait>(
    c: &C,
    period_id: i64,
    feed: Feed,
    leaf: &Node,
    data: &mut FeedData,
) -> Result<HashMap<i64, FedValue>, StoreError> {
    match feed {
        Feed::Imported => {
            let imports: HashMap<i64, FeedImportRow> = feed_import::Entity::find()
                .filter(feed_import::Column::PeriodId.eq(period_id))
                .filter(feed_import::Column::LeafCode.eq(leaf.code.as_str()))
                .all(c)
                .await?
                .iter()
                .map(|m| (m.id, import_row(m)))
                .collect();
            let mut out = HashMap::new();
            for v in feed_value::Entity::find()
                .filter(feed_value::Column::PeriodId.eq(period_id))
                .filter(feed_value::Column::LeafCode.eq(leaf.code.as_str()))
                .all(c)
                .await?
            {
                let Ok(input) = serde_json::from_str::<Input>(&v.input) else { continue };
                // a value the rule no longer reads (the framework changed) counts as missing
                let Ok(Some(points)) = points_of(leaf, &input) else { continue };
                let provenance = imports.get(&v.import_id).map(|i| provenance_of(i, v.source.as_deref())).unwrap_or_default();
                out.insert(
                    v.unit_id,
                    FedValue { input, points: Some(points), provenance, source: v.source.clone(), import_id: Some(v.import_id) },
                );
            }
            Ok(out)
        }
        Feed::Onestop(measure) => {
            let Some(rule) = leaf.rule.as_ref() else { return Ok(HashMap::new()) };
            let year = data.year(c, period_id).await?;
            if data.onestop.is_none() {
                data.onestop = Some(crate::repo::onestop::sums(c, year, None, false).await?);
            }
            let (formula, _) = measure.formula();
            let mut out = HashMap::new();
            for s in data.onestop.iter().flatten() {
                let value = measure.of(&s.counts);
                // a rule the measure does not fit is refused when the framework is read
                let Ok(input) = value.to_input(rule) else { continue };
                let Ok(points) = points_of(leaf, &input) else { continue };
                let provenance = format!(
                    "Thống kê một cửa năm {} ({} tháng có số liệu, lần nhập gần nhất #{}): {formula} = {}.",
                    year,
                    s.months,
                    s.last_import,
                    value.shown(true)
                );
                out.insert(s.unit_id, FedValue { input, points, provenance, source: None, import_id: Some(s.last_import) });
            }
            Ok(out)
        }
        Feed::Apology(measure) => {
            let Some(rule) = leaf.rule.as_ref() else { return Ok(HashMap::new()) };
            let year = data.year(c, period_id).await?;
            if data.apology.is_none() {
                data.apology = Some(crate::repo::apology::facts_of_year(c, year).await?);
            }
            // the register is the whole truth: a unit of the period without a case has none
            let units = data.units(c, period_id).await?;
            let (formula, _) = measure.formula();
            let cases = data.apology.as_ref().map(|a| a as &HashMap<_, _>);
            let mut out = HashMap::new();
            for &unit_id in &units {
                let facts = cases.and_then(|c| c.get(&unit_id)).map(Vec::as_slice).unwrap_or_default();
                let value = measure.of(facts);
                let Ok(input) = value.to_input(rule) else { continue };
                let Ok(points) = points_of(leaf, &input) else { continue };
                let in_time = facts.iter().filter(|f| f.in_time()).count();
                let provenance = format!(
                    "Sổ xin lỗi công khai năm {}: {} hồ sơ phải xin lỗi, {in_time} đã xin lỗi đúng hạn; {formula} = {}.",
                    year,
                    facts.len(),
                    value.shown(true)
                );
                out.insert(unit_id, FedValue { input, points, provenance, source: None, import_id: None });
            }
            Ok(out)
        }
        Feed::Plans(measure) => {
            let Some(rule) = leaf.rule.as_ref() else { return Ok(HashMap::new()) };
            let year = data.year(c, period_id).await?;
            if data.plans.is_none() {
                data.plans = Some(crate::repo::plans::facts_of_year(c, year).await?);
            }
            let units = data.units(c, period_id).await?;
            let Some(facts) = data.plans.as_ref().filter(|f| f.province_plan) else {
                // no province plan that year: the register holds nothing yet
                return Ok(HashMap::new());
            };
            let (formula, _) = measure.formula();
            let mut out = HashMap::new();
            for unit_id in units {
                let tasks = facts.tasks.get(&unit_id).map(Vec::as_slice).unwrap_or_default();
                let plan = facts.plan(unit_id);
                let Some(value) = measure.of_plan(&plan).or_else(|| measure.of_tasks(tasks)) else { continue };
                let Ok(input) = value.to_input(rule) else { continue };
                let Ok(points) = points_of(leaf, &input) else { continue };
                let d = |x: Option<chrono::NaiveDate>| x.map(parindex_core::text::format_date).unwrap_or_else(|| "—".into());
                let provenance = match measure {
                    parindex_core::plans::Measure::UnitPlanOnTime => format!(
                        "Kế hoạch CCHC năm {year}: kế hoạch của đơn vị ký ngày {}, hạn {}; {formula}: {}.",
                        d(plan.signed_on),
                        d(plan.due),
                        value.shown(true)
                    ),
                    _ => format!("Kế hoạch CCHC năm {year}: {} nhiệm vụ được giao; {formula} = {}.", tasks.len(), value.shown(true)),
                };
                out.insert(unit_id, FedValue { input, points, provenance, source: None, import_id: None });
            }
            Ok(out)
        }
        Feed::Reports(measure) => {
            let Some(rule) = leaf.rule.as_ref() else { return Ok(HashMap::new()) };
            let year = data.year(c, period_id).await?;
            if data.reports.is_none() {
                data.reports = Some(crate::repo::reporting::facts_of_year(c, year).await?);
            }
            let units = data.units(c, period_id).await?;
            let (formula, _) = measure.formula();
            let mut out = HashMap::new();
            for unit_id in units {
                // a unit no round of the year asked has nothing to score here
                let Some(reports) = data.reports.as_ref().and_then(|r| r.get(&unit_id)) else { continue };
                let value = measure.of(reports);
                let Ok(input) = value.to_input(rule) else { continue };
                let Ok(points) = points_of(leaf, &input) else { continue };
                let on_time = reports.iter().filter(|r| r.on_time()).count();
                let accepted = reports.iter().filter(|r| r.status == parindex_core::reporting::ReportStatus::Accepted).count();
                let provenance = format!(
                    "Báo cáo định kỳ năm {year}: {} đợt báo cáo, {on_time} báo cáo gửi đúng hạn, {accepted} được tiếp nhận; {formula} = {}.",
                    reports.len(),
                    value.shown(true)
                );
                out.insert(unit_id, FedValue { input, points, provenance, source: None, import_id: None });
            }
            Ok(out)
        }
        Feed::Inspections(measure, topic) => {
            let Some(rule) = leaf.rule.as_ref() else { return Ok(HashMap::new()) };
            let year = data.year(c, period_id).await?;
            if data.inspections.is_none() {
                data.inspections = Some(crate::repo::inspections::facts_of_year(c, year).await?);
            }
            let units = data.units(c, period_id).await?;
            let empty = HashMap::new();
            let all = data.inspections.as_ref().unwrap_or(&empty);
            let (formula, _) = measure.formula();
            let (topic_vi, _) = topic.label();
            // the register is the whole truth of the year: a unit without an issued conclusion
            // was not inspected (no), and has no overdue recommendation (0)
            let today = parindex_core::assessment::today_vn();
            let mut out = HashMap::new();
            for unit_id in units {
                let facts = crate::repo::inspections::facts_of(all, unit_id, topic);
                let Some(value) = measure.of(&facts, today) else { continue };
                let Ok(input) = value.to_input(rule) else { continue };
                let Ok(points) = points_of(leaf, &input) else { continue };
                let due = facts.recommendations.iter().filter(|r| r.due(today)).count();
                let remedied = facts.recommendations.iter().filter(|r| r.remedied()).count();
                let overdue = facts.recommendations.iter().filter(|r| r.overdue(today)).count();
                let provenance = format!(
                    "Kiểm tra ({topic_vi}) năm {year}: {} kết luận ban hành, {} kiến nghị ({due} đến hạn, {remedied} đã khắc phục, {overdue} quá hạn) tính đến {}; {formula}: {}.",
                    facts.concluded,
                    facts.recommendations.len(),
                    parindex_core::text::format_date(today),
                    value.shown(true)
                );
                out.insert(unit_id, FedValue { input, points, provenance, source: None, import_id: None });
            }
            Ok(out)
        }
    }
}

/// What a correction of an approved period's fed figures did ([`Store::correct_fed_values`]).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct FedCorrection {
    /// Leaves rewritten across the period's assessments.
    pub leaves_written: usize,
    /// The new version of the published results, when the period was published.
    pub publication: Option<crate::repo::publications::PublicationRow>,
}

/// A fed leaf of a unit whose data differs from what its assessment holds.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct FedChange {
    pub unit_code: String,
    pub unit_name: String,
    pub leaf: String,
    /// The leaf's points now and from the data (exact decimals; none: no points).
    #[cfg_attr(feature = "schema", schema(value_type = Option<String>))]
    pub before: Option<Exact>,
    #[cfg_attr(feature = "schema", schema(value_type = Option<String>))]
    pub after: Option<Exact>,
}

/// Which fed leaves a recompute writes.
#[derive(Clone, Copy)]
pub(crate) enum Only<'a> {
    All,
    /// One leaf (an imported table's upload, a council's decision).
    Leaf(&'a str),
    /// The leaves a register's feeds feed (its write).
    Register(fn(Feed) -> bool),
}

/// Recompute, inside a register's write, the leaves its feeds feed in every period `fed` lists
/// (read by [`Store::periods_fed_by`] before the transaction); the leaves written.
pub(crate) async fn recompute_register(
    txn: &sea_orm::DatabaseTransaction,
    ctx: &AuditCtx,
    fed: &[FedPeriod],
    register: fn(Feed) -> bool,
) -> Result<usize, StoreError> {
    let mut written = 0;
    for (period_id, fw, assessments) in fed {
        written += recompute_in(txn, ctx, *period_id, fw, assessments, Only::Register(register)).await?;
    }
    Ok(written)
}

/// Write every fed leaf's value (or only those `only` names) into the period's assessments
/// that are not approved, where it differs from what is there. Returns how many leaves were
/// written.
pub(crate) async fn recompute_in(
    txn: &sea_orm::DatabaseTransaction,
    ctx: &AuditCtx,
    period_id: i64,
    fw: &Framework,
    assessments: &[AssessmentRow],
    only: Only<'_>,
) -> Result<usize, StoreError> {
    recompute_with(txn, ctx, period_id, fw, assessments, only, None).await
}

/// A recompute that corrects approved assessments: the council's decision in words, and where
/// to list each leaf it changes (a preview).
struct Correcting<'a> {
    by: &'a str,
    changes: Option<&'a mut Vec<FedChange>>,
}

/// [`recompute_in`], or with `correction` (the council's decision, in words) the approved
/// assessments too: the one way a fed figure of approved results changes
/// ([`Store::correct_fed_values`]), audited as `assessment.feed_correction` with the decision.
async fn recompute_with(
    txn: &sea_orm::DatabaseTransaction,
    ctx: &AuditCtx,
    period_id: i64,
    fw: &Framework,
    assessments: &[AssessmentRow],
    only: Only<'_>,
    mut correction: Option<Correcting<'_>>,
) -> Result<usize, StoreError> {
    let mut written = 0;
    // the states as they stand inside this transaction: an approval that landed since the
    // caller read `assessments` freezes its assessment here too
    let approved: HashSet<i64> = crate::entity::assessment::Entity::find()
        .filter(crate::entity::assessment::Column::PeriodId.eq(period_id))
        .filter(crate::entity::assessment::Column::State.eq(State::Approved.as_str()))
        .all(txn)
        .await?
        .into_iter()
        .map(|a| a.id)
        .collect();
    let mut data = FeedData::default();
    for (leaf, feed) in fed_leaves(fw) {
        let wanted = match only {
            Only::All => true,
            Only::Leaf(code) => code == leaf.code,
            Only::Register(register) => register(feed),
        };
        if !wanted {
            continue;
        }
        let values = feed_inputs(txn, period_id, feed, leaf, &mut data).await?;
        let decision = decision_of(txn, period_id, &leaf.code).await?;
        let na = Input { not_applicable: true, ..Default::default() };
        let mut cache = HashMap::new();
        let open: Vec<&AssessmentRow> = assessments
            .iter()
            .filter(|a| {
                (correction.is_some() || (!a.state.frozen() && !approved.contains(&a.id)))
                    && applies(fw, &a.unit_kind, &leaf.code, leaf.source, &mut cache)
            })
            .collect();
        let ids: Vec<i64> = open.iter().map(|a| a.id).collect();
        let entries: HashMap<i64, assessment_entry::Model> = assessment_entry::Entity::find()
            .filter(assessment_entry::Column::NodeCode.eq(leaf.code.as_str()))
            .filter(assessment_entry::Column::AssessmentId.is_in(ids))
            .all(txn)
            .await?
            .into_iter()
            .map(|e| (e.assessment_id, e))
            .collect();
        let missing_note = decision.as_ref().map(FeedDecision::note);
        for a in open {
            // what the leaf should hold: the fed value, else what the council decided for a unit
            // without data (left out: not applicable; scored 0: no input, the decision as note)
            let want = match (values.get(&a.unit_id), &decision) {
                (Some(v), _) => Supplied { input: Some(&v.input), points: v.points.as_ref(), note: Some(v.provenance.as_str()) },
                (None, Some(d)) => {
                    Supplied { input: (d.kind == MissingRule::Exclude).then_some(&na), points: None, note: missing_note.as_deref() }
                }
                (None, None) => Supplied::default(),
            };
            let have = entries.get(&a.id);
            let have_input: Option<Input> = have.and_then(|e| e.self_input.as_deref()).and_then(|s| serde_json::from_str(s).ok());
            if have_input.as_ref() == want.input && have.and_then(|e| e.note.as_deref()) == want.note {
                continue;
            }
            let (action, after) = match correction.as_ref().map(|c| c.by) {
                Some(by) => ("assessment.feed_correction", json!({"feed": feed.key(), "provenance": want.note, "decision": by})),
                None => ("assessment.feed_value", json!({"feed": feed.key(), "provenance": want.note})),
            };
            write_supplied_leaf(txn, ctx, action, a.id, &leaf.code, want, after).await?;
            if let Some(out) = correction.as_mut().and_then(|c| c.changes.as_deref_mut()) {
                out.push(FedChange {
                    unit_code: a.unit_code.clone(),
                    unit_name: a.unit_name.clone(),
                    leaf: leaf.code.clone(),
                    before: have.and_then(|e| e.self_points.as_deref()).and_then(Exact::parse),
                    after: want.points.cloned(),
                });
            }
            written += 1;
        }
    }
    Ok(written)
}

fn row_error(row: usize, field: &str, vi: String, en: String) -> RowError {
    RowError { row, field: field.into(), message: Msg::new(vi, en) }
}

/// A period whose fed leaves a register's write recomputes: its id, framework and assessments.
pub(crate) type FedPeriod = (i64, Framework, Vec<AssessmentRow>);

impl Store {
    /// The periods of these years whose framework has a leaf fed by a feed `register` takes
    /// (read before a register's write; `recompute_in` re-reads the approvals in its transaction).
    pub(crate) async fn periods_fed_by(
        &self,
        years: &std::collections::BTreeSet<i32>,
        register: impl Fn(Feed) -> bool,
    ) -> Result<Vec<FedPeriod>, StoreError> {
        let mut out = Vec::new();
        let periods = crate::entity::period::Entity::find()
            .filter(crate::entity::period::Column::Year.is_in(years.iter().copied()))
            .all(&self.db)
            .await?;
        for p in periods {
            let fw = self.period_framework(p.id).await?;
            if fed_leaves(&fw).iter().any(|(_, f)| register(*f)) {
                let assessments = self.list_assessments(p.id, UnitScope::All).await?;
                out.push((p.id, fw, assessments));
            }
        }
        Ok(out)
    }

    /// The period's fed leaves, each with every unit it applies to and its value (or none).
    pub async fn period_feeds(&self, period_id: i64) -> Result<Vec<FeedLeaf>, StoreError> {
        let fw = self.period_framework(period_id).await?;
        let assessments = self.list_assessments(period_id, UnitScope::All).await?;
        let appraisers: HashMap<&str, Option<&str>> = fw.appraisers().into_iter().map(|(n, a)| (n.code.as_str(), a)).collect();
        let mut names: HashMap<String, String> = HashMap::new();
        for code in appraisers.values().flatten() {
            if !names.contains_key(*code)
                && let Some(u) =
                    crate::entity::unit::Entity::find().filter(crate::entity::unit::Column::Code.eq(*code)).one(&self.db).await?
            {
                names.insert(code.to_string(), u.name);
            }
        }
        // leaves answered with a final value in the explanation round
        let answered: HashSet<(i64, String)> = assessment_entry::Entity::find()
            .filter(assessment_entry::Column::AssessmentId.is_in(assessments.iter().map(|a| a.id)))
            .filter(assessment_entry::Column::FinalAt.is_not_null())
            .all(&self.db)
            .await?
            .into_iter()
            .map(|e| (e.assessment_id, e.node_code))
            .collect();
        let mut out = Vec::new();
        let mut data = FeedData::default();
        for (leaf, feed) in fed_leaves(&fw) {
            let values = feed_inputs(&self.db, period_id, feed, leaf, &mut data).await?;
            let mut cache = HashMap::new();
            let units = assessments
                .iter()
                .filter(|a| applies(&fw, &a.unit_kind, &leaf.code, leaf.source, &mut cache))
                .map(|a| FeedUnit {
                    assessment_id: a.id,
                    unit_id: a.unit_id,
                    unit_code: a.unit_code.clone(),
                    unit_name: a.unit_name.clone(),
                    state: a.state,
                    value: values.get(&a.unit_id).cloned(),
                    answered: answered.contains(&(a.id, leaf.code.clone())),
                })
                .collect();
            out.push(FeedLeaf {
                code: leaf.code.clone(),
                title: leaf.title.clone(),
                feed: feed.key().to_string(),
                appraiser: appraisers.get(leaf.code.as_str()).copied().flatten().map(str::to_string),
                appraiser_name: appraisers.get(leaf.code.as_str()).copied().flatten().and_then(|c| names.get(c).cloned()),
                units,
                decision: decision_of(&self.db, period_id, &leaf.code).await?,
            });
        }
        Ok(out)
    }

    /// The uploads of one leaf's value table, newest first.
    pub async fn feed_imports(&self, period_id: i64, leaf: &str) -> Result<Vec<FeedImportRow>, StoreError> {
        Ok(feed_import::Entity::find()
            .filter(feed_import::Column::PeriodId.eq(period_id))
            .filter(feed_import::Column::LeafCode.eq(leaf))
            .order_by_desc(feed_import::Column::Id)
            .all(&self.db)
            .await?
            .iter()
            .map(import_row)
            .collect())
    }

    /// Upload values of a `feed: imported` leaf: every row checked first (the unit is in the
    /// period and the leaf applies to it, once; the rule reads the input; an approved unit's
    /// value does not change), every problem returned at once, then the values, the upload's
    /// record and the assessments' leaves written in one transaction. Units not in `rows` keep
    /// their value. With `dry_run`, nothing is written and the outcome says what would change.
    pub async fn import_feed_values(
        &self,
        ctx: &AuditCtx,
        period_id: i64,
        leaf_code: &str,
        upload: FeedUpload,
    ) -> Result<FeedImportOutcome, ImportError> {
        let FeedUpload { origin, file_name, rows, dry_run } = upload;
        let fw = self.period_framework(period_id).await?;
        let Some(leaf) = fed_leaves(&fw).into_iter().find(|(n, f)| n.code == leaf_code && *f == Feed::Imported).map(|(n, _)| n.clone())
        else {
            return Err(ImportError::Store(StoreError::NotFound));
        };
        let file = file_name.clone().unwrap_or_else(|| "API".into());
        if rows.is_empty() {
            return Err(ImportError::Rows(vec![row_error(
                1,
                "-",
                format!("Tệp “{file}” không có dòng số liệu nào."),
                format!("“{file}” has no data rows."),
            )]));
        }
        let assessments = self.list_assessments(period_id, UnitScope::All).await?;
        let current = feed_inputs(&self.db, period_id, Feed::Imported, &leaf, &mut FeedData::default()).await?;
        let mut cache = HashMap::new();
        let units: HashMap<&str, &AssessmentRow> = assessments
            .iter()
            .filter(|a| applies(&fw, &a.unit_kind, &leaf.code, leaf.source, &mut cache))
            .map(|a| (a.unit_code.as_str(), a))
            .collect();
        let mut errors = Vec::new();
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut outcome = FeedImportOutcome::default();
        // unit id → (new input or None to clear, source)
        let mut writes: BTreeMap<i64, (Option<Input>, Option<String>)> = BTreeMap::new();
        for (i, r) in rows.iter().enumerate() {
            let row = if r.row == 0 { i + 1 } else { r.row };
            let code = r.unit_code.trim();
            let Some(a) = units.get(code) else {
                errors.push(row_error(
                    row,
                    "ma_don_vi",
                    format!("“{file}”, dòng {row}: “{code}” không phải đơn vị của kỳ đánh giá mà tiêu chí {leaf_code} áp dụng."),
                    format!("“{file}”, row {row}: “{code}” is not a unit of the period that leaf {leaf_code} applies to."),
                ));
                continue;
            };
            if let Some(first) = seen.insert(code.to_string(), row) {
                errors.push(row_error(
                    row,
                    "ma_don_vi",
                    format!("“{file}”, dòng {row}: đơn vị {code} đã có ở dòng {first}. Mỗi đơn vị một dòng."),
                    format!("“{file}”, row {row}: unit {code} is already on row {first}. One row per unit."),
                ));
                continue;
            }
            if let Some(input) = &r.input {
                match points_of(&leaf, input) {
                    Ok(Some(_)) => {}
                    Ok(None) => errors.push(row_error(
                        row,
                        "gia_tri",
                        format!("“{file}”, dòng {row}, đơn vị {code}: thiếu giá trị mà quy tắc của tiêu chí {leaf_code} cần."),
                        format!("“{file}”, row {row}, unit {code}: the value leaf {leaf_code}'s rule needs is missing."),
                    )),
                    Err(StoreError::Invalid(f)) => {
                        for e in f {
                            errors.push(row_error(
                                row,
                                "gia_tri",
                                format!("“{file}”, dòng {row}, đơn vị {code}: {}", e.message.vi),
                                format!("“{file}”, row {row}, unit {code}: {}", e.message.en),
                            ));
                        }
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            let before = current.get(&a.unit_id);
            let source = r.source.as_ref().map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
            let same = match (before, &r.input) {
                (None, None) => true,
                (Some(b), Some(i)) => b.input == *i && b.source == source,
                _ => false,
            };
            if same {
                outcome.unchanged += 1;
                continue;
            }
            if a.state.frozen() {
                errors.push(row_error(
                    row,
                    "gia_tri",
                    format!("“{file}”, dòng {row}: kết quả của đơn vị {code} đã được phê duyệt, số liệu đã chốt và không đổi được."),
                    format!("“{file}”, row {row}: unit {code}'s result is approved; its figures are final."),
                ));
                continue;
            }
            match (before, &r.input) {
                (None, Some(_)) => outcome.added += 1,
                (Some(_), None) => outcome.cleared += 1,
                _ => outcome.changed += 1,
            }
            writes.insert(a.unit_id, (r.input.clone(), source));
        }
        if !errors.is_empty() {
            return Err(ImportError::Rows(errors));
        }
        if dry_run {
            return Ok(outcome);
        }
        let (ctx, leaf_code, origin) = (ctx.clone(), leaf_code.to_string(), origin.to_string());
        let n_rows = rows.len() as i32;
        let out = self
            .db
            .transaction::<_, FeedImportOutcome, StoreError>(|txn| {
                Box::pin(async move {
                    // a unit approved since the rows were checked keeps its figures: the whole
                    // upload is refused (all or nothing), to be checked again
                    let approved_since: Vec<String> = crate::entity::assessment::Entity::find()
                        .filter(crate::entity::assessment::Column::PeriodId.eq(period_id))
                        .filter(crate::entity::assessment::Column::State.eq(State::Approved.as_str()))
                        .filter(crate::entity::assessment::Column::UnitId.is_in(writes.keys().copied()))
                        .all(txn)
                        .await?
                        .iter()
                        .filter_map(|a| assessments.iter().find(|x| x.id == a.id).map(|x| x.unit_code.clone()))
                        .collect();
                    if !approved_since.is_empty() {
                        let list = approved_since.join(", ");
                        return Err(StoreError::Conflict(Msg::new(
                            format!("Kết quả của đơn vị {list} vừa được phê duyệt trong lúc kiểm tra tệp; số liệu đã chốt. Chưa ghi gì — hãy tải tệp lên lại."),
                            format!("The result of unit(s) {list} was approved while the file was being checked; their figures are final. Nothing was written — upload the file again."),
                        )));
                    }
                    let now = Utc::now();
                    let imp = feed_import::ActiveModel {
                        period_id: Set(period_id),
                        leaf_code: Set(leaf_code.clone()),
                        origin: Set(origin.clone()),
                        file_name: Set(file_name.clone()),
                        rows: Set(n_rows),
                        changed: Set(writes.len() as i32),
                        created_by: Set(ctx.actor_name.clone()),
                        created_at: Set(now),
                        ..Default::default()
                    }
                    .insert(txn)
                    .await?;
                    // the leaf's stored values, read once
                    let mut stored: HashMap<i64, feed_value::Model> = feed_value::Entity::find()
                        .filter(feed_value::Column::PeriodId.eq(period_id))
                        .filter(feed_value::Column::LeafCode.eq(leaf_code.as_str()))
                        .all(txn)
                        .await?
                        .into_iter()
                        .map(|v| (v.unit_id, v))
                        .collect();
                    for (unit_id, (input, source)) in &writes {
                        match (stored.remove(unit_id), input) {
                            (Some(e), None) => {
                                feed_value::Entity::delete_by_id(e.id).exec(txn).await?;
                            }
                            (Some(e), Some(i)) => {
                                let mut am: feed_value::ActiveModel = e.into();
                                am.input = Set(serde_json::to_string(i).unwrap_or_default());
                                am.source = Set(source.clone());
                                am.import_id = Set(imp.id);
                                am.updated_at = Set(now);
                                am.update(txn).await?;
                            }
                            (None, Some(i)) => {
                                feed_value::ActiveModel {
                                    period_id: Set(period_id),
                                    unit_id: Set(*unit_id),
                                    leaf_code: Set(leaf_code.clone()),
                                    input: Set(serde_json::to_string(i).unwrap_or_default()),
                                    source: Set(source.clone()),
                                    import_id: Set(imp.id),
                                    updated_at: Set(now),
                                    ..Default::default()
                                }
                                .insert(txn)
                                .await?;
                            }
                            (None, None) => {}
                        }
                    }
                    let written = recompute_in(txn, &ctx, period_id, &fw, &assessments, Only::Leaf(&leaf_code)).await?;
                    record(
                        txn,
                        &ctx,
                        AuditEntry {
                            action: "feed.import",
                            object_type: "period",
                            object_id: Some(format!("{period_id}/{leaf_code}")),
                            after: Some(json!({
                                "import": imp.id, "origin": origin, "file": file_name, "rows": n_rows,
                                "added": outcome.added, "changed": outcome.changed, "cleared": outcome.cleared,
                                "unchanged": outcome.unchanged, "leaves_written": written,
                            })),
                            ..Default::default()
                        },
                    )
                    .await?;
                    Ok(FeedImportOutcome { import_id: imp.id, leaves_written: written, ..outcome })
                })
            })
            .await
            .map_err(StoreError::from)?;
        Ok(out)
    }

    /// The council's decision for the units a fed leaf has no data for (issue #18): recorded
    /// (or replaced) with its reason and written into those units' leaves at once; refused
    /// once the period is approved.
    pub async fn decide_missing_feed(
        &self,
        ctx: &AuditCtx,
        period_id: i64,
        leaf_code: &str,
        kind: MissingRule,
        reason: &str,
    ) -> Result<FeedDecision, StoreError> {
        let period = self.get_period(period_id).await?;
        if period.approved() {
            return Err(StoreError::Conflict(Msg::new(
                "Kết quả kỳ đánh giá đã được phê duyệt; không ghi thêm quyết định.",
                "The period's results are approved; no more decisions.",
            )));
        }
        let reason = reason.trim().to_string();
        if reason.is_empty() {
            return Err(StoreError::invalid(
                "reason",
                Msg::new(
                    "Hãy ghi lý do của quyết định (ví dụ: số hiệu văn bản của Hội đồng).",
                    "Give the decision's reason (e.g. the council's document).",
                ),
            ));
        }
        let fw = self.period_framework(period_id).await?;
        if !fed_leaves(&fw).iter().any(|(n, _)| n.code == leaf_code) {
            return Err(StoreError::NotFound);
        }
        let assessments = self.list_assessments(period_id, UnitScope::All).await?;
        let (ctx, leaf) = (ctx.clone(), leaf_code.to_string());
        Ok(self
            .db
            .transaction::<_, FeedDecision, StoreError>(|txn| {
                Box::pin(async move {
                    let now = Utc::now();
                    let before = decision_of(txn, period_id, &leaf).await?;
                    feed_decision::Entity::delete_many()
                        .filter(feed_decision::Column::PeriodId.eq(period_id))
                        .filter(feed_decision::Column::LeafCode.eq(leaf.as_str()))
                        .exec(txn)
                        .await?;
                    feed_decision::ActiveModel {
                        period_id: Set(period_id),
                        leaf_code: Set(leaf.clone()),
                        kind: Set(kind.key().to_string()),
                        reason: Set(reason.clone()),
                        decided_by: Set(ctx.actor_name.clone()),
                        decided_at: Set(now),
                        ..Default::default()
                    }
                    .insert(txn)
                    .await?;
                    let written = recompute_in(txn, &ctx, period_id, &fw, &assessments, Only::Leaf(&leaf)).await?;
                    record(
                        txn,
                        &ctx,
                        AuditEntry {
                            action: "feed.decision",
                            object_type: "period",
                            object_id: Some(format!("{period_id}/{leaf}")),
                            before: before.map(|d| json!({"kind": d.kind.key(), "reason": d.reason})),
                            after: Some(json!({"kind": kind.key(), "reason": reason, "leaves_written": written})),
                            ..Default::default()
                        },
                    )
                    .await?;
                    Ok(FeedDecision { kind, reason, decided_by: ctx.actor_name.clone(), decided_at: now })
                })
            })
            .await?)
    }

    /// Fed leaves with units still without data and no decision of the council, each with the
    /// units' codes: approval waits for them (issue #18).
    pub async fn undecided_missing_feeds(&self, period_id: i64) -> Result<Vec<(String, Vec<String>)>, StoreError> {
        Ok(self
            .period_feeds(period_id)
            .await?
            .into_iter()
            .filter(|l| l.decision.is_none())
            .map(|l| {
                let missing: Vec<String> = l.missing().map(|u| u.unit_code.clone()).collect();
                (l.code, missing)
            })
            .filter(|(_, m)| !m.is_empty())
            .collect())
    }

    /// For each fed leaf some units have no data for: which units and what the council decided
    /// (or that it has not yet) — the notes the results, documents and portal carry.
    pub async fn data_notes(&self, period_id: i64) -> Result<Vec<DataNote>, StoreError> {
        Ok(self
            .period_feeds(period_id)
            .await?
            .into_iter()
            .filter_map(|l| {
                let units: Vec<&str> = l.missing().map(|u| u.unit_code.as_str()).collect();
                if units.is_empty() {
                    return None;
                }
                let (n, list) = (units.len(), units.join(", "));
                let (vi, en) = match &l.decision {
                    Some(d) => (
                        format!(
                            "Tiêu chí {} ({}): {n} đơn vị không có số liệu ({list}); Hội đồng thẩm định quyết định {}: {}.",
                            l.code,
                            l.title,
                            d.kind.label().0,
                            d.reason.trim_end_matches('.')
                        ),
                        format!(
                            "Leaf {} ({}): {n} units without data ({list}); the appraisal council decided: {} — {}.",
                            l.code,
                            l.title,
                            d.kind.label().1,
                            d.reason.trim_end_matches('.')
                        ),
                    ),
                    None => (
                        format!("Tiêu chí {} ({}): {n} đơn vị chưa có số liệu ({list}); chưa có quyết định của Hội đồng.", l.code, l.title),
                        format!("Leaf {} ({}): {n} units without data yet ({list}); no decision of the council yet.", l.code, l.title),
                    ),
                };
                Some(DataNote { leaf: l.code, vi, en })
            })
            .collect())
    }

    /// Correct the fed figures of an approved period (a register's data that arrived or was
    /// corrected after approval), under the council's decision and with its reason: every fed
    /// leaf is recomputed in every assessment, approved ones included, in one transaction
    /// (audited `assessment.feed_correction` per leaf, `period.correct_feeds` once); refused
    /// when nothing would change. A period already published is then published again as a new
    /// version whose reason names the decision — the earlier versions stay as they were.
    pub async fn correct_fed_values(
        &self,
        ctx: &AuditCtx,
        period_id: i64,
        decision: crate::repo::periods::Decision,
        reason: &str,
        today: chrono::NaiveDate,
    ) -> Result<FedCorrection, StoreError> {
        self.require_approved(period_id).await?;
        let fw = self.period_framework(period_id).await?;
        let assessments = self.list_assessments(period_id, UnitScope::All).await?;
        let reason = reason.trim().to_string();
        // every problem at once: the decision's and a missing reason
        let checked = decision.check(today);
        let mut errors = match &checked {
            Err(StoreError::Invalid(e)) => e.clone(),
            _ => Vec::new(),
        };
        if reason.is_empty() {
            errors.push(parindex_core::unit::FieldError {
                field: "reason",
                message: Msg::new("Hãy ghi lý do đính chính (số liệu nào, vì sao).", "Give the correction's reason (which figures, why)."),
            });
        }
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let by = checked?.text("vi");
        let txn = self.db.begin().await?;
        let written =
            recompute_with(&txn, ctx, period_id, &fw, &assessments, Only::All, Some(Correcting { by: &by, changes: None })).await?;
        if written == 0 {
            txn.rollback().await?;
            return Err(StoreError::Conflict(Msg::new(
                "Số liệu cấp vào không khác kết quả đã phê duyệt: không có gì để đính chính.",
                "The fed figures do not differ from the approved results: there is nothing to correct.",
            )));
        }
        record(
            &txn,
            ctx,
            AuditEntry {
                action: "period.correct_feeds",
                object_type: "period",
                object_id: Some(period_id.to_string()),
                after: Some(json!({"decision": by, "reason": reason, "leaves": written})),
                ..Default::default()
            },
        )
        .await?;
        txn.commit().await?;
        let publication = match self.latest_publication_id(period_id).await? {
            Some(_) => Some(
                self.publish_results(ctx, period_id, Some(&format!("{reason} — theo {}", parindex_core::text::lower_first(&by)))).await?,
            ),
            None => None,
        };
        Ok(FedCorrection { leaves_written: written, publication })
    }

    /// Refused (409) unless the period's results are approved: before that, fed figures follow
    /// their data by themselves.
    async fn require_approved(&self, period_id: i64) -> Result<(), StoreError> {
        if self.get_period(period_id).await?.approved() {
            return Ok(());
        }
        Err(StoreError::Conflict(Msg::new(
            "Kết quả kỳ này chưa được phê duyệt: số liệu cấp vào tự cập nhật theo dữ liệu, không cần đính chính.",
            "This period's results are not approved yet: fed figures follow their data by themselves; there is nothing to correct.",
        )))
    }

    /// The fed leaves of an approved period's assessments that differ from their data now (what
    /// [`Store::correct_fed_values`] would rewrite, with the points before and after): computed
    /// by the same recompute in a transaction that is rolled back.
    pub async fn fed_values_to_correct(&self, period_id: i64) -> Result<Vec<FedChange>, StoreError> {
        self.require_approved(period_id).await?;
        let fw = self.period_framework(period_id).await?;
        let assessments = self.list_assessments(period_id, UnitScope::All).await?;
        let txn = self.db.begin().await?;
        let ctx = AuditCtx::system("preview");
        let mut changes = Vec::new();
        let preview = Correcting { by: "", changes: Some(&mut changes) };
        recompute_with(&txn, &ctx, period_id, &fw, &assessments, Only::All, Some(preview)).await?;
        txn.rollback().await?;
        Ok(changes)
    }

    /// Write every fed leaf of a period into its assessments that are not approved (after a
    /// framework or register change; the imports and registers call the same code in their
    /// own transaction). Returns how many leaves changed.
    pub async fn recompute_feeds(&self, ctx: &AuditCtx, period_id: i64) -> Result<usize, StoreError> {
        let fw = self.period_framework(period_id).await?;
        let assessments = self.list_assessments(period_id, UnitScope::All).await?;
        let ctx = ctx.clone();
        Ok(self
            .db
            .transaction::<_, usize, StoreError>(|txn| {
                Box::pin(async move { recompute_in(txn, &ctx, period_id, &fw, &assessments, Only::All).await })
            })
            .await?)
    }
}
