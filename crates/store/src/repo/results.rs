//! Results of a period (issue #6, first step): for every unit the points that count per leaf —
//! the final appraisal, else the appraisal, else the unit's own (survey leaves: the survey's,
//! `repo::survey_points`) — scored by the framework's engine (`core::framework::score`: sums per
//! node, not-applicable leaves out of the maximum, index = total ÷ applicable maximum × 100),
//! then ranks overall and per domain and the group (`core::results`), and the change against
//! the previous period of the same units.
//!
//! Ranks are over the whole period (all its units, whatever their kind); a domain's rank is by
//! its share of the applicable maximum, so a not-applicable leaf neither helps nor hurts. The
//! previous period is the latest earlier-year period sharing most units; when its framework
//! differs, only the index and the rank are compared (their meaning holds), and the page says so.

use std::collections::{BTreeMap, HashMap};

use parindex_core::framework::Compiled;
use parindex_core::framework::result::{LeafInputs, Stage, unit_score};
use parindex_core::results::{Group, default_groups, group_of, parse_groups, ranks};
use parindex_core::{Exact, Msg};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, Set, TransactionTrait};
use serde::Serialize;
use serde_json::json;

use crate::entity::{assessment_entry, period};
use crate::repo::audit::{AuditEntry, record};
use crate::repo::periods::PeriodRow;
use crate::{AuditCtx, Store, StoreError};

/// A top-level node of the framework: a column of the results.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "schema", schema(as = ResultDomain))]
pub struct Domain {
    pub code: String,
    pub title: String,
    pub max: Exact,
}

/// One unit's result.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct UnitResult {
    pub assessment_id: i64,
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    pub unit_kind: String,
    /// The unit's area (khu vực), for the dashboards' filter.
    pub area: Option<String>,
    pub state: parindex_core::assessment::State,
    /// Sum of the tree, before bonuses and penalties.
    pub achieved: Exact,
    pub bonus: Exact,
    pub penalty: Exact,
    /// achieved + bonus − penalty, not below zero.
    pub total: Exact,
    pub applicable_max: Exact,
    /// total ÷ applicable maximum × 100, exact; none when nothing applies.
    pub index: Option<Exact>,
    pub rank: Option<usize>,
    pub group: Option<String>,
    /// Per domain (aligned with [`PeriodResults::domains`]): points, applicable maximum, rank.
    pub domains: Vec<DomainResult>,
    /// Leaves without any input (scored 0).
    pub missing: usize,
    /// Every leaf's points as they count (framework order), for the per-leaf export.
    pub leaves: Vec<LeafResult>,
    /// The bonuses and penalties entered for the unit (framework order).
    pub adjustments: Vec<AdjustmentResult>,
    /// The same unit in the previous period.
    pub previous: Option<Previous>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct LeafResult {
    pub code: String,
    pub max: Exact,
    pub points: Exact,
    /// Counts in the unit's maximum (meant for its kind and not marked not applicable).
    pub applicable: bool,
    /// The points the unit gave itself (self-assessed and survey leaves), when it did.
    pub own: Option<Exact>,
    /// An appraiser decided this leaf (appraisal or final appraisal).
    pub appraised: bool,
}

/// A bonus or penalty as it counts.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct AdjustmentResult {
    pub code: String,
    pub title: String,
    pub bonus: bool,
    pub max: Exact,
    pub points: Exact,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct DomainResult {
    pub points: Exact,
    pub applicable_max: Exact,
    pub rank: Option<usize>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "schema", schema(as = ResultPrevious))]
pub struct Previous {
    pub index: Option<Exact>,
    pub rank: Option<usize>,
    /// Per domain of this period, the share (%) of the applicable maximum then — through the
    /// crosswalk when the framework changed; none where nothing maps.
    pub domains: Vec<Option<Exact>>,
    /// When the unit did not exist then: the predecessors (names) whose results stand for it
    /// (the mean of their indices; no rank, as it was not one unit).
    pub via: Vec<String>,
}

struct AssessmentHead {
    id: i64,
    unit_id: i64,
    unit_code: String,
    unit_name: String,
    unit_kind: String,
    area: Option<String>,
    state: parindex_core::assessment::State,
}

/// Computed results by period id: (results_version, results).
#[derive(Debug, Default)]
pub struct ResultsCache {
    entries: HashMap<i64, (i64, std::sync::Arc<PeriodResults>)>,
    /// Earlier periods as comparisons and trends read them, by period id: keyed also by the
    /// latest publication's id (a publication never changes; a new one changes the id).
    past: HashMap<i64, (PastKey, std::sync::Arc<PastResults>)>,
}

/// What an earlier period's cached figures were read at: (results version, latest publication).
type PastKey = (i64, Option<i64>);

impl ResultsCache {
    /// Periods kept (a province has a few a year); beyond, the cache starts again.
    const MAX_PERIODS: usize = 64;
}

/// An earlier period's results, as much as comparisons and trends read (`Store::past_results`).
#[derive(Debug, Clone, Serialize)]
pub struct PastResults {
    pub period: PeriodRow,
    /// Read from the published document.
    pub published: bool,
    /// The domains' codes.
    pub domains: Vec<String>,
    pub units: Vec<PastUnit>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PastUnit {
    pub unit_code: String,
    pub unit_name: String,
    pub unit_kind: String,
    /// The unit's area today.
    pub area: Option<String>,
    pub index: Option<Exact>,
    pub rank: Option<usize>,
    /// Per domain: points and applicable maximum.
    pub domains: Vec<(Exact, Exact)>,
}

/// How firmly a unit holds its rank (see `Store::period_robustness`).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct RankRobustness {
    pub median: usize,
    pub p5: usize,
    pub p95: usize,
    /// Share of replications in which the unit stays above the next one; below 0.95 the
    /// difference between them is not robust.
    pub beats_next: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct PeriodResults {
    pub period: PeriodRow,
    pub decimals: u32,
    pub domains: Vec<Domain>,
    pub groups: Vec<Group>,
    /// By rank (unranked last), then unit code.
    pub units: Vec<UnitResult>,
    /// The period compared with, and whether it used the same framework.
    pub previous: Option<(PeriodRow, bool)>,
    /// The framework changed and a confirmed crosswalk maps its domains: domain shares are
    /// compared through it.
    pub crosswalk: bool,
    /// Fed leaves some units had no data for, and what the council decided (issue #18): said
    /// on the results page, the documents and the portal.
    pub data_notes: Vec<crate::repo::feeds::DataNote>,
}

impl Store {
    /// The results of a period as they stand (final where given, else appraised, else the unit's).
    pub async fn period_results(&self, period_id: i64) -> Result<PeriodResults, StoreError> {
        let period = self.get_period(period_id).await?;
        let mut out = (*self.cached_results(&period).await?).clone();
        // the previous period: latest earlier year sharing the most units — a unit formed by a
        // merger counts through its predecessors (lineage); chosen from the assessments' unit
        // codes, only the chosen one is scored
        let lineage = self.predecessor_codes().await?;
        let stands_for = |code: &str| -> Vec<String> {
            let mut all = vec![code.to_string()];
            all.extend(lineage.get(code).cloned().unwrap_or_default());
            all
        };
        let codes_by_period = self.unit_codes_by_period().await?;
        let mut best: Option<(usize, PeriodRow)> = None;
        for p in self.list_periods().await?.into_iter().filter(|p| p.year < period.year) {
            let Some(there) = codes_by_period.get(&p.id) else { continue };
            let shared = out.units.iter().filter(|u| stands_for(&u.unit_code).iter().any(|c| there.contains(c))).count();
            let better = match &best {
                None => shared > 0,
                Some((n, bp)) => shared > 0 && (p.year > bp.year || (p.year == bp.year && shared > *n)),
            };
            if better {
                best = Some((shared, p));
            }
        }
        let Some((_, p)) = best else { return Ok(out) };
        let before = self.past_results(&p).await?;
        let same = p.framework_code == period.framework_code;
        // current domain → the previous period's domain positions that map onto it
        let sources: Vec<Vec<usize>> = if same {
            (0..out.domains.len()).map(|i| vec![i]).collect()
        } else {
            let cw = self.get_crosswalk(&p.framework_code, &period.framework_code).await?.map(|c| c.crosswalk);
            out.crosswalk = cw.is_some();
            out.domains
                .iter()
                .map(|d| match &cw {
                    Some(cw) => before
                        .domains
                        .iter()
                        .enumerate()
                        .filter(|(_, o)| cw.map.get(*o).is_some_and(|t| t.contains(&d.code)))
                        .map(|(i, _)| i)
                        .collect(),
                    None => Vec::new(),
                })
                .collect()
        };
        let by_code: HashMap<&str, &PastUnit> = before.units.iter().map(|u| (u.unit_code.as_str(), u)).collect();
        let share = |us: &[&PastUnit], positions: &[usize]| -> Option<Exact> {
            if positions.is_empty() {
                return None;
            }
            let (mut pts, mut max) = (Exact::ZERO, Exact::ZERO);
            for u in us {
                for i in positions {
                    let (p, m) = u.domains.get(*i).cloned().unwrap_or_default();
                    pts = pts + p;
                    max = max + m;
                }
            }
            (!max.is_zero()).then(|| pts / max * Exact::HUNDRED)
        };
        for u in &mut out.units {
            if let Some(b) = by_code.get(u.unit_code.as_str()) {
                u.previous = Some(Previous {
                    index: b.index.clone(),
                    rank: b.rank,
                    domains: sources.iter().map(|s| share(&[*b], s)).collect(),
                    via: Vec::new(),
                });
                continue;
            }
            let preds: Vec<&PastUnit> =
                lineage.get(&u.unit_code).into_iter().flatten().filter_map(|c| by_code.get(c.as_str()).copied()).collect();
            let indices: Vec<Exact> = preds.iter().filter_map(|b| b.index.clone()).collect();
            if !indices.is_empty() {
                let n = Exact::from(indices.len() as i64);
                u.previous = Some(Previous {
                    index: Some(indices.into_iter().sum::<Exact>() / n),
                    rank: None,
                    domains: sources.iter().map(|s| share(&preds, s)).collect(),
                    via: preds.iter().map(|b| b.unit_name.clone()).collect(),
                });
            }
        }
        out.previous = Some((p, same));
        Ok(out)
    }

    /// Unit code → the codes of all its predecessors (transitively), from the lineage.
    pub async fn predecessor_codes(&self) -> Result<HashMap<String, Vec<String>>, StoreError> {
        let code: HashMap<i64, String> =
            crate::entity::unit::Entity::find().all(&self.db).await?.into_iter().map(|u| (u.id, u.code)).collect();
        let mut direct: HashMap<i64, Vec<i64>> = HashMap::new();
        for l in crate::entity::unit_lineage::Entity::find().all(&self.db).await? {
            direct.entry(l.successor_id).or_default().push(l.predecessor_id);
        }
        let mut out = HashMap::new();
        for &succ in direct.keys() {
            let (mut seen, mut stack) = (std::collections::BTreeSet::new(), vec![succ]);
            while let Some(u) = stack.pop() {
                for p in direct.get(&u).into_iter().flatten() {
                    if seen.insert(*p) {
                        stack.push(*p);
                    }
                }
            }
            out.insert(code[&succ].clone(), seen.into_iter().filter_map(|i| code.get(&i).cloned()).collect());
        }
        Ok(out)
    }

    /// Unit codes of each period's assessments (one query each for assessments and units).
    async fn unit_codes_by_period(&self) -> Result<HashMap<i64, std::collections::HashSet<String>>, StoreError> {
        let code: HashMap<i64, String> =
            crate::entity::unit::Entity::find().all(&self.db).await?.into_iter().map(|u| (u.id, u.code)).collect();
        let mut out: HashMap<i64, std::collections::HashSet<String>> = HashMap::new();
        for a in crate::entity::assessment::Entity::find().all(&self.db).await? {
            if let Some(c) = code.get(&a.unit_id) {
                out.entry(a.period_id).or_default().insert(c.clone());
            }
        }
        Ok(out)
    }

    /// An earlier period's results as comparisons and trends read them: from its latest
    /// published document when it has one (the official figures; an approved assessment can no
    /// longer change), else computed now.
    pub async fn past_results(&self, period: &PeriodRow) -> Result<std::sync::Arc<PastResults>, StoreError> {
        // read before the data (as `cached_results`): what is read after is never older
        let key = (self.results_version().await?, self.latest_publication_id(period.id).await?);
        if let Some((k, r)) = self.results_cache().past.get(&period.id)
            && *k == key
        {
            return Ok(r.clone());
        }
        let past = std::sync::Arc::new(self.read_past_results(period, key.1.is_some()).await?);
        let mut cache = self.results_cache();
        if cache.past.len() >= ResultsCache::MAX_PERIODS {
            cache.past.clear();
        }
        cache.past.insert(period.id, (key, past.clone()));
        Ok(past)
    }

    async fn read_past_results(&self, period: &PeriodRow, published: bool) -> Result<PastResults, StoreError> {
        let areas: HashMap<String, Option<String>> =
            crate::entity::unit::Entity::find().all(&self.db).await?.into_iter().map(|u| (u.code, u.area)).collect();
        if published && let Some(doc) = self.latest_publication(period.id).await? {
            let exact = |n: &parindex_core::published::Num| n.exact().unwrap_or_default();
            return Ok(PastResults {
                period: period.clone(),
                published: true,
                domains: doc.domains.iter().map(|d| d.code.clone()).collect(),
                units: doc
                    .units
                    .iter()
                    .map(|u| PastUnit {
                        area: areas.get(&u.code).cloned().flatten(),
                        unit_code: u.code.clone(),
                        unit_name: u.name.clone(),
                        unit_kind: u.kind.clone(),
                        index: u.index.as_ref().map(exact),
                        rank: u.rank,
                        domains: u.domains.iter().map(|d| (exact(&d.points), exact(&d.applicable_max))).collect(),
                    })
                    .collect(),
            });
        }
        let r = self.cached_results(period).await?;
        Ok(PastResults {
            period: period.clone(),
            published: false,
            domains: r.domains.iter().map(|d| d.code.clone()).collect(),
            units: r
                .units
                .iter()
                .map(|u| PastUnit {
                    unit_code: u.unit_code.clone(),
                    unit_name: u.unit_name.clone(),
                    unit_kind: u.unit_kind.clone(),
                    area: u.area.clone(),
                    index: u.index.clone(),
                    rank: u.rank,
                    domains: u.domains.iter().map(|d| (d.points.clone(), d.applicable_max.clone())).collect(),
                })
                .collect(),
        })
    }

    /// The version of the data results are computed from (moved on by triggers on every write
    /// to them, migration `m0021_results_version`).
    pub async fn results_version(&self) -> Result<i64, StoreError> {
        use sea_orm::{ConnectionTrait, Statement};
        let row = self
            .db
            .query_one_raw(Statement::from_string(self.backend(), "SELECT n FROM results_version WHERE id = 1"))
            .await?
            .ok_or_else(|| StoreError::Db(sea_orm::DbErr::Custom("results_version has no row".into())))?;
        Ok(row.try_get::<i64>("", "n")?)
    }

    /// The assessments of a period with their units (no progress, no totals: what the results
    /// need, in one query each).
    async fn assessment_heads(&self, period_id: i64) -> Result<Vec<AssessmentHead>, StoreError> {
        let units: HashMap<i64, crate::entity::unit::Model> =
            crate::entity::unit::Entity::find().all(&self.db).await?.into_iter().map(|u| (u.id, u)).collect();
        let mut out = Vec::new();
        for a in crate::entity::assessment::Entity::find()
            .filter(crate::entity::assessment::Column::PeriodId.eq(period_id))
            .all(&self.db)
            .await?
        {
            let u = units.get(&a.unit_id).ok_or(StoreError::NotFound)?;
            let state = crate::repo::periods::stored_state(a.id, &a.state)?;
            out.push(AssessmentHead {
                id: a.id,
                unit_id: u.id,
                unit_code: u.code.clone(),
                unit_name: u.name.clone(),
                unit_kind: u.kind.clone(),
                area: u.area.clone(),
                state,
            });
        }
        Ok(out)
    }

    /// The results cache (a thread that panicked holding it leaves nothing half-written that
    /// matters: entries are replaced whole, so the lock is taken back rather than panicking).
    fn results_cache(&self) -> std::sync::MutexGuard<'_, ResultsCache> {
        self.results_cache.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A period's results without the comparison, from the cache when nothing they are computed
    /// from changed since (the version is read first: data read after it is never older).
    async fn cached_results(&self, period: &PeriodRow) -> Result<std::sync::Arc<PeriodResults>, StoreError> {
        let version = self.results_version().await?;
        if let Some((v, r)) = self.results_cache().entries.get(&period.id)
            && *v == version
        {
            return Ok(r.clone());
        }
        let r = std::sync::Arc::new(self.compute_results(period).await?);
        let mut cache = self.results_cache();
        if cache.entries.len() >= ResultsCache::MAX_PERIODS {
            cache.entries.clear();
        }
        cache.entries.insert(period.id, (version, r.clone()));
        Ok(r)
    }

    async fn compute_results(&self, period: &PeriodRow) -> Result<PeriodResults, StoreError> {
        let (_, fw) = self.get_framework(&period.framework_code).await?;
        let compiled = Compiled::new(&fw).map_err(StoreError::InvalidFramework)?;
        let domains: Vec<Domain> = compiled
            .nodes
            .iter()
            .filter(|n| n.parent.is_none())
            .map(|n| Domain { code: n.code.clone(), title: n.title.clone(), max: n.max.clone() })
            .collect();
        let tops: Vec<usize> = compiled.tops().collect();
        let assessments = self.assessment_heads(period.id).await?;
        let ids: Vec<i64> = assessments.iter().map(|a| a.id).collect();
        // only the columns the result is computed from (a period holds units × leaves rows)
        let mut leaves: HashMap<i64, BTreeMap<String, LeafInputs>> = HashMap::new();
        for chunk in ids.chunks(500) {
            use assessment_entry::Column as C;
            use sea_orm::QuerySelect;
            type Row = (
                i64,
                String,
                Option<String>,
                Option<String>,
                Option<chrono::DateTime<chrono::Utc>>,
                Option<String>,
                Option<chrono::DateTime<chrono::Utc>>,
            );
            let rows: Vec<Row> = assessment_entry::Entity::find()
                .select_only()
                .columns([C::AssessmentId, C::NodeCode, C::SelfInput, C::AppraisedInput, C::AppraisedAt, C::FinalInput, C::FinalAt])
                .filter(C::AssessmentId.is_in(chunk.to_vec()))
                .into_tuple()
                .all(&self.db)
                .await?;
            for (id, code, own, appraised, appraised_at, fin, final_at) in rows {
                let inputs = crate::repo::scores::leaf_inputs_of(own.as_deref(), appraised_at.map(|_| appraised), final_at.map(|_| fin));
                leaves.entry(id).or_default().insert(code, inputs);
            }
        }
        let groups = self.period_groups(period.id).await?;
        let mut adjustments = self.adjustment_inputs(&ids).await?;
        let mut units = Vec::with_capacity(assessments.len());
        for a in assessments {
            let mine = leaves.remove(&a.id).unwrap_or_default();
            let adj = adjustments.remove(&a.id).unwrap_or_default();
            // what counts, and the unit's own points leaf by leaf (for the self vs appraised gap)
            let counted = unit_score(&compiled, &a.unit_kind, &mine, &adj, Stage::Counted, false);
            let own = unit_score(&compiled, &a.unit_kind, &mine, &adj, Stage::Own, false);
            let sheet = &counted.sheet;
            let missing = counted.missing(&compiled);
            units.push(UnitResult {
                assessment_id: a.id,
                unit_id: a.unit_id,
                unit_code: a.unit_code,
                unit_name: a.unit_name,
                unit_kind: a.unit_kind,
                area: a.area,
                state: a.state,
                achieved: sheet.achieved.clone(),
                bonus: sheet.bonus.clone(),
                penalty: sheet.penalty.clone(),
                total: sheet.total.clone(),
                applicable_max: sheet.applicable_max.clone(),
                group: sheet.index.as_ref().and_then(|i| group_of(i, &groups)).map(str::to_string),
                index: sheet.index.clone(),
                rank: None,
                domains: tops
                    .iter()
                    .map(|i| DomainResult {
                        points: sheet.nodes[*i].points.clone(),
                        applicable_max: sheet.nodes[*i].applicable_max.clone(),
                        rank: None,
                    })
                    .collect(),
                missing,
                leaves: compiled
                    .leaf_positions()
                    .map(|i| LeafResult {
                        code: compiled.nodes[i].code.clone(),
                        max: compiled.nodes[i].max.clone(),
                        points: sheet.nodes[i].points.clone(),
                        applicable: sheet.nodes[i].applicable,
                        own: mine.get(&compiled.nodes[i].code).and_then(|l| l.own.as_ref()).map(|_| own.sheet.nodes[i].points.clone()),
                        appraised: mine.get(&compiled.nodes[i].code).is_some_and(LeafInputs::decided),
                    })
                    .collect(),
                adjustments: compiled
                    .adjustments
                    .iter()
                    .zip(&sheet.adjustments)
                    .filter(|(_, x)| !x.missing)
                    .map(|(a, x)| AdjustmentResult {
                        code: a.code.clone(),
                        title: a.title.clone(),
                        bonus: a.kind == parindex_core::framework::AdjustmentKind::Bonus,
                        max: a.max.clone(),
                        points: x.points.clone(),
                    })
                    .collect(),
                previous: None,
            });
        }
        let overall = ranks(&units.iter().map(|u| u.index.clone()).collect::<Vec<_>>());
        for (u, r) in units.iter_mut().zip(overall) {
            u.rank = r;
        }
        for d in 0..tops.len() {
            let shares: Vec<Option<Exact>> = units
                .iter()
                .map(|u| {
                    let x = &u.domains[d];
                    (!x.applicable_max.is_zero()).then(|| x.points.clone() / x.applicable_max.clone())
                })
                .collect();
            for (u, r) in units.iter_mut().zip(ranks(&shares)) {
                u.domains[d].rank = r;
            }
        }
        units.sort_by(|a, b| a.rank.unwrap_or(usize::MAX).cmp(&b.rank.unwrap_or(usize::MAX)).then_with(|| a.unit_code.cmp(&b.unit_code)));
        let data_notes = self.data_notes(period.id).await?;
        Ok(PeriodResults {
            period: period.clone(),
            decimals: compiled.decimals,
            domains,
            groups,
            units,
            previous: None,
            crosswalk: false,
            data_notes,
        })
    }

    /// Robustness of the period's ranks (`core::results::robust`): domain weights within
    /// ±`spread`, and a bootstrap of the answers behind every survey-sourced leaf that this
    /// year's surveys scored; per unit id its median rank, 5–95 % interval and the share of
    /// replications in which it stays above the next unit. Deterministic for the period.
    /// Takes the period's computed results (`period_results`), not recomputing them.
    pub async fn period_robustness(&self, r: &PeriodResults, spread: f64, reps: usize) -> Result<HashMap<i64, RankRobustness>, StoreError> {
        use parindex_core::framework::Source;
        use parindex_core::results::robust::{SurveyLeaf, Unit, simulate};
        let period_id = r.period.id;
        let (_, fw) = self.get_framework(&r.period.framework_code).await?;
        let compiled = Compiled::new(&fw).map_err(StoreError::InvalidFramework)?;
        let tops: Vec<usize> = compiled.tops().collect();
        let domain_of = |code: &str| {
            let mut i = compiled.position(code)?;
            while let Some(p) = compiled.nodes[i].parent {
                i = p;
            }
            tops.iter().position(|t| *t == i)
        };
        let survey_codes: std::collections::HashSet<String> =
            crate::repo::periods::all_leaves(&fw).into_iter().filter(|n| n.source == Source::Survey).map(|n| n.code.clone()).collect();
        let mut answers: HashMap<(i64, String), Vec<(f64, u64)>> = HashMap::new();
        for s in self.list_surveys().await?.into_iter().filter(|s| s.year == r.period.year) {
            for l in self.survey_leaf_shares(s.id).await? {
                answers.entry((l.unit_id, l.leaf)).or_default().extend(l.distribution.iter().map(|(w, k)| (w.to_f64(), *k)));
            }
        }
        let units: Vec<Unit> = r
            .units
            .iter()
            .map(|u| Unit {
                domains: u.domains.iter().map(|d| (d.points.to_f64(), d.applicable_max.to_f64())).collect(),
                survey: u
                    .leaves
                    .iter()
                    .filter(|l| l.applicable && survey_codes.contains(&l.code))
                    .filter_map(|l| {
                        let a = answers.get(&(u.unit_id, l.code.clone()))?;
                        Some(SurveyLeaf { domain: domain_of(&l.code)?, max: l.max.to_f64(), answers: a.clone() })
                    })
                    .collect(),
            })
            .collect();
        let base: Vec<usize> = (0..units.len()).collect();
        let out = simulate(&units, &base, spread, reps, period_id as u64);
        Ok(r.units
            .iter()
            .enumerate()
            .map(|(i, u)| {
                (u.unit_id, RankRobustness { median: out.median[i], p5: out.p5[i], p95: out.p95[i], beats_next: out.beats_next[i] })
            })
            .collect())
    }

    /// The period's scale of groups (the default when none was set).
    pub async fn period_groups(&self, period_id: i64) -> Result<Vec<Group>, StoreError> {
        let p = period::Entity::find_by_id(period_id).one(&self.db).await?.ok_or(StoreError::NotFound)?;
        Ok(p.groups.as_deref().and_then(|g| parse_groups(g).ok()).unwrap_or_else(default_groups))
    }

    /// Set the period's scale of groups from its text (`A:90, B:80, C:70, D:0`).
    pub async fn set_period_groups(&self, ctx: &AuditCtx, period_id: i64, text: &str) -> Result<Vec<Group>, StoreError> {
        let groups = parse_groups(text).map_err(|m| StoreError::invalid("groups", m))?;
        let p = period::Entity::find_by_id(period_id).one(&self.db).await?.ok_or(StoreError::NotFound)?;
        if self.get_period(period_id).await?.approved() {
            return Err(StoreError::Conflict(Msg::new(
                "Kỳ đánh giá đã phê duyệt: không đổi thang xếp nhóm.",
                "The period is approved: its groups cannot change.",
            )));
        }
        let before = p.groups.clone();
        let text = parindex_core::results::groups_text(&groups);
        let ctx = ctx.clone();
        self.db
            .transaction::<_, (), StoreError>(|txn| {
                Box::pin(async move {
                    let mut am = p.into_active_model();
                    am.groups = Set(Some(text.clone()));
                    am.update(txn).await?;
                    record(
                        txn,
                        &ctx,
                        AuditEntry {
                            action: "period.groups",
                            object_type: "period",
                            object_id: Some(period_id.to_string()),
                            before: Some(json!({"groups": before})),
                            after: Some(json!({"groups": text})),
                            ..Default::default()
                        },
                    )
                    .await
                })
            })
            .await?;
        Ok(groups)
    }
}
