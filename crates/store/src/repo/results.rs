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

use parindex_core::framework::score::{Inputs, score};
use parindex_core::framework::{Compiled, Input};
use parindex_core::results::{Group, default_groups, group_of, parse_groups, ranks};
use parindex_core::{Exact, Msg, UnitScope};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, Set, TransactionTrait};
use serde::Serialize;
use serde_json::json;

use crate::entity::{assessment_entry, period};
use crate::repo::audit::{AuditEntry, record};
use crate::repo::periods::PeriodRow;
use crate::{AuditCtx, Store, StoreError};

/// A top-level node of the framework: a column of the results.
#[derive(Debug, Clone, Serialize)]
pub struct Domain {
    pub code: String,
    pub title: String,
    pub max: Exact,
}

/// One unit's result.
#[derive(Debug, Clone, Serialize)]
pub struct UnitResult {
    pub assessment_id: i64,
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    pub unit_kind: String,
    pub state: String,
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
    /// The same unit in the previous period.
    pub previous: Option<Previous>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LeafResult {
    pub code: String,
    pub max: Exact,
    pub points: Exact,
    /// Counts in the unit's maximum (meant for its kind and not marked not applicable).
    pub applicable: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct DomainResult {
    pub points: Exact,
    pub applicable_max: Exact,
    pub rank: Option<usize>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Previous {
    pub index: Option<Exact>,
    pub rank: Option<usize>,
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
pub struct PeriodResults {
    pub period: PeriodRow,
    pub decimals: u32,
    pub domains: Vec<Domain>,
    pub groups: Vec<Group>,
    /// By rank (unranked last), then unit code.
    pub units: Vec<UnitResult>,
    /// The period compared with, and whether it used the same framework.
    pub previous: Option<(PeriodRow, bool)>,
}

impl Store {
    /// The results of a period as they stand (final where given, else appraised, else the unit's).
    pub async fn period_results(&self, period_id: i64) -> Result<PeriodResults, StoreError> {
        let period = self.get_period(period_id).await?;
        let mut out = self.results_without_previous(&period).await?;
        // the previous period: latest earlier year sharing the most units (chosen from the
        // assessments' unit codes; only the chosen one is scored)
        let codes: std::collections::HashSet<&str> = out.units.iter().map(|u| u.unit_code.as_str()).collect();
        let mut best: Option<(usize, PeriodRow)> = None;
        for p in self.list_periods().await?.into_iter().filter(|p| p.year < period.year) {
            let shared = self.list_assessments(p.id, UnitScope::All).await?.iter().filter(|a| codes.contains(a.unit_code.as_str())).count();
            let better = match &best {
                None => shared > 0,
                Some((n, bp)) => shared > 0 && (p.year > bp.year || (p.year == bp.year && shared > *n)),
            };
            if better {
                best = Some((shared, p));
            }
        }
        let best = match best {
            Some((n, p)) => {
                let units = self.results_without_previous(&p).await?.units;
                Some((n, p, units))
            }
            None => None,
        };
        if let Some((_, p, units)) = best {
            let before: HashMap<&str, &UnitResult> = units.iter().map(|u| (u.unit_code.as_str(), u)).collect();
            for u in &mut out.units {
                u.previous = before.get(u.unit_code.as_str()).map(|b| Previous { index: b.index.clone(), rank: b.rank });
            }
            let same = p.framework_code == period.framework_code;
            out.previous = Some((p, same));
        }
        Ok(out)
    }

    async fn results_without_previous(&self, period: &PeriodRow) -> Result<PeriodResults, StoreError> {
        let (_, fw) = self.get_framework(&period.framework_code).await?;
        let compiled = Compiled::new(&fw).map_err(StoreError::InvalidFramework)?;
        let domains: Vec<Domain> = compiled
            .nodes
            .iter()
            .filter(|n| n.parent.is_none())
            .map(|n| Domain { code: n.code.clone(), title: n.title.clone(), max: n.max.clone() })
            .collect();
        let tops: Vec<usize> = compiled.nodes.iter().enumerate().filter(|(_, n)| n.parent.is_none()).map(|(i, _)| i).collect();
        let assessments = self.list_assessments(period.id, UnitScope::All).await?;
        let ids: Vec<i64> = assessments.iter().map(|a| a.id).collect();
        let mut entries: HashMap<i64, BTreeMap<String, Input>> = HashMap::new();
        for chunk in ids.chunks(500) {
            for e in
                assessment_entry::Entity::find().filter(assessment_entry::Column::AssessmentId.is_in(chunk.to_vec())).all(&self.db).await?
            {
                let pick = if e.final_at.is_some() {
                    e.final_input.as_deref()
                } else if e.appraised_at.is_some() {
                    e.appraised_input.as_deref()
                } else {
                    e.self_input.as_deref()
                };
                if let Some(input) = pick.and_then(|s| serde_json::from_str::<Input>(s).ok()) {
                    entries.entry(e.assessment_id).or_default().insert(e.node_code, input);
                }
            }
        }
        let groups = self.period_groups(period.id).await?;
        let mut units = Vec::with_capacity(assessments.len());
        for a in assessments {
            let inputs = Inputs {
                unit: Some(a.unit_code.clone()),
                unit_kind: Some(a.unit_kind.clone()),
                inputs: entries.remove(&a.id).unwrap_or_default(),
                adjustments: Default::default(),
            };
            // a stored input the rule refuses (the framework changed under it) is a data error
            // to show, not a reason to hide the unit: it is left out and counted as missing
            let placed = compiled.place(&inputs).map_err(StoreError::InvalidFramework)?;
            let sheet = match score(&compiled, &placed, false) {
                Ok(s) => s,
                Err(problems) => {
                    let mut clean = inputs.clone();
                    for p in &problems {
                        clean.inputs.remove(&p.code);
                    }
                    let placed = compiled.place(&clean).map_err(StoreError::InvalidFramework)?;
                    score(&compiled, &placed, false).map_err(StoreError::InvalidFramework)?
                }
            };
            let missing = compiled.leaf_positions().filter(|i| sheet.nodes[*i].missing && sheet.nodes[*i].applicable).count();
            units.push(UnitResult {
                assessment_id: a.id,
                unit_id: a.unit_id,
                unit_code: a.unit_code,
                unit_name: a.unit_name,
                unit_kind: a.unit_kind,
                state: a.state,
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
        Ok(PeriodResults { period: period.clone(), decimals: compiled.decimals, domains, groups, units, previous: None })
    }

    /// Robustness of the period's ranks (`core::results::robust`): domain weights within
    /// ±`spread`, and a bootstrap of the answers behind every survey-sourced leaf that this
    /// year's surveys scored; per unit id its median rank, 5–95 % interval and the share of
    /// replications in which it stays above the next unit. Deterministic for the period.
    pub async fn period_robustness(&self, period_id: i64, spread: f64, reps: usize) -> Result<HashMap<i64, RankRobustness>, StoreError> {
        use parindex_core::framework::Source;
        use parindex_core::results::robust::{SurveyLeaf, Unit, simulate};
        let r = self.period_results(period_id).await?;
        let (_, fw) = self.get_framework(&r.period.framework_code).await?;
        let compiled = Compiled::new(&fw).map_err(StoreError::InvalidFramework)?;
        let tops: Vec<usize> = compiled.nodes.iter().enumerate().filter(|(_, n)| n.parent.is_none()).map(|(i, _)| i).collect();
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
