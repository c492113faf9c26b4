//! The analysis dashboards' tables (issue #6 item 3), computed once from a period's results
//! and read by the page (`pages::analysis`), its downloads and the API
//! (`GET /api/v1/periods/{id}/analysis/{table}`): a unit's domains against the average, the
//! distribution of every domain, self vs appraised points, the weakest leaves, trends over the
//! years, SIPAS per element per unit.

use std::collections::HashMap;

use parindex_core::Exact;
use parindex_core::results::summary;
use parindex_reports::charts::{bars_svg, boxplot_svg, heatmap_svg, lines_svg};
use parindex_reports::grid::Cell;
use parindex_store::repo::results::{PeriodResults, UnitResult};
use serde::Deserialize;

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::AppError;

#[derive(Deserialize, Default, Clone)]
pub struct Filters {
    pub kind: Option<String>,
    pub area: Option<String>,
    /// The unit compared with the average (its code).
    pub unit: Option<String>,
}

impl Filters {
    pub fn new(kind: Option<String>, area: Option<String>, unit: Option<String>) -> Filters {
        Filters { kind, area, unit }
    }

    pub fn query(&self) -> String {
        let mut parts = Vec::new();
        for (k, v) in [("kind", &self.kind), ("area", &self.area), ("unit", &self.unit)] {
            if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
                parts.push(format!("{k}={}", crate::chrome::urlencode(v)));
            }
        }
        if parts.is_empty() { String::new() } else { format!("?{}", parts.join("&")) }
    }
}

/// One table of the page, as downloaded.
pub struct Table {
    pub key: &'static str,
    pub title: String,
    pub help: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    /// Rows shown on the page (the download has them all).
    pub shown: usize,
    /// The chart drawn from it, SVG.
    pub chart: Option<String>,
}

impl Table {
    /// The shown rows as text, numbers with the page's decimal separator: (text, is number).
    pub fn view(&self, comma: bool) -> Vec<Vec<(String, bool)>> {
        self.rows
            .iter()
            .take(self.shown)
            .map(|r| {
                r.iter()
                    .map(|c| match c {
                        Cell::Text(s) => (s.clone(), false),
                        Cell::Number { exact, .. } => (if comma { parindex_core::Lang::Vi.decimal(exact) } else { exact.clone() }, true),
                        Cell::Empty => ("—".into(), true),
                    })
                    .collect()
            })
            .collect()
    }
}

/// Share of the maximum in %, exact.
fn share(points: &Exact, max: &Exact) -> Option<Exact> {
    (!max.is_zero()).then(|| points.clone() / max.clone() * Exact::HUNDRED)
}

fn opt(x: &Option<Exact>, d: u32) -> Cell {
    x.as_ref().map(|x| Cell::exact(x, d)).unwrap_or(Cell::Empty)
}

fn f(x: &Option<Exact>) -> Option<f64> {
    x.as_ref().map(Exact::to_f64)
}

fn mean(xs: &[Exact]) -> Option<Exact> {
    (!xs.is_empty()).then(|| xs.iter().cloned().sum::<Exact>() / Exact::from(xs.len() as i64))
}

pub fn keep(u: &UnitResult, q: &Filters) -> bool {
    q.keeps(&u.unit_kind, u.area.as_deref())
}

impl Filters {
    /// A unit of this kind and area passes the kind and area filters.
    fn keeps(&self, kind: &str, area: Option<&str>) -> bool {
        self.kind.as_deref().is_none_or(|k| k.is_empty() || kind == k)
            && self.area.as_deref().is_none_or(|a| a.is_empty() || area == Some(a))
    }
}

/// Every table of the dashboards for a period and filters.
/// `only`: build just the table of that key (the API and downloads ask for one; the trends and
/// SIPAS tables read the database).
pub async fn tables(state: &AppState, ctx: &Ctx, r: &PeriodResults, q: &Filters, only: Option<&str>) -> Result<Vec<Table>, AppError> {
    let wants = |key: &str| only.is_none_or(|k| k == key);
    let comma = ctx.lang.code() != "en";
    let units: Vec<&UnitResult> = r.units.iter().filter(|u| keep(u, q)).collect();
    let (_, fw) = state.store.get_framework(&r.period.framework_code).await?;
    let titles: HashMap<String, String> =
        parindex_store::repo::periods::all_leaves(&fw).into_iter().map(|n| (n.code.clone(), n.title.clone())).collect();
    let domain_names: Vec<String> = r.domains.iter().map(|d| format!("{}. {}", d.code, d.title)).collect();
    let mut out = Vec::new();

    // 1. a unit's domains against the average
    let chosen = q.unit.as_deref().and_then(|c| units.iter().find(|u| u.unit_code == c)).or(units.first()).copied();
    let averages: Vec<Option<Exact>> = (0..r.domains.len())
        .map(|d| mean(&units.iter().filter_map(|u| share(&u.domains[d].points, &u.domains[d].applicable_max)).collect::<Vec<_>>()))
        .collect();
    if let Some(u) = chosen {
        let mine: Vec<Option<Exact>> = u.domains.iter().map(|x| share(&x.points, &x.applicable_max)).collect();
        let before: Vec<Option<Exact>> =
            (0..r.domains.len()).map(|d| u.previous.as_ref().and_then(|p| p.domains.get(d).cloned().flatten())).collect();
        let mut series =
            vec![(u.unit_name.as_str(), mine.iter().map(f).collect()), (ctx.t("an.average"), averages.iter().map(f).collect())];
        let prev_name = format!("{} {}", ctx.t("an.last_year"), r.previous.as_ref().map(|(p, _)| p.year.to_string()).unwrap_or_default());
        if before.iter().any(Option::is_some) {
            series.push((prev_name.as_str(), before.iter().map(f).collect()));
        }
        let chart = bars_svg(ctx.t("an.compare"), &domain_names, &series, comma);
        let rows = domain_names
            .iter()
            .enumerate()
            .map(|(d, name)| {
                let diff = match (&mine[d], &averages[d]) {
                    (Some(a), Some(b)) => Some(a.clone() - b.clone()),
                    _ => None,
                };
                vec![Cell::text(name), opt(&mine[d], 1), opt(&averages[d], 1), opt(&diff, 1), opt(&before[d], 1)]
            })
            .collect::<Vec<_>>();
        out.push(Table {
            key: "so-sanh",
            title: format!("{} — {}", ctx.t("an.compare"), u.unit_name),
            help: ctx.t("an.compare_help").to_string(),
            header: vec![
                ctx.t("pt.domain").into(),
                format!("{} (%)", u.unit_name),
                format!("{} (%)", ctx.t("an.average")),
                ctx.t("an.difference").into(),
                format!("{} (%)", prev_name),
            ],
            shown: rows.len(),
            rows,
            chart: Some(chart),
        });
    }

    // 2. distribution per domain (and of the index)
    let mut dist_rows = Vec::new();
    let mut boxes = Vec::new();
    let indices: Vec<Exact> = units.iter().filter_map(|u| u.index.clone()).collect();
    let mut lines: Vec<(String, Vec<Exact>)> = vec![(ctx.t("rs.index").to_string(), indices)];
    for (d, name) in domain_names.iter().enumerate() {
        lines.push((name.clone(), units.iter().filter_map(|u| share(&u.domains[d].points, &u.domains[d].applicable_max)).collect()));
    }
    for (name, values) in &lines {
        if let Some(s) = summary(values) {
            boxes.push((name.clone(), [s.min.to_f64(), s.q1.to_f64(), s.median.to_f64(), s.q3.to_f64(), s.max.to_f64(), s.mean.to_f64()]));
            dist_rows.push(vec![
                Cell::text(name),
                Cell::int(s.n as i64),
                Cell::exact(&s.min, 1),
                Cell::exact(&s.q1, 1),
                Cell::exact(&s.median, 1),
                Cell::exact(&s.q3, 1),
                Cell::exact(&s.max, 1),
                Cell::exact(&s.mean, 1),
            ]);
        }
    }
    out.push(Table {
        key: "phan-bo",
        title: ctx.t("an.distribution").into(),
        help: ctx.t("an.distribution_help").into(),
        header: ["pt.domain", "an.units", "an.min", "an.q1", "an.median", "an.q3", "an.max", "an.mean"]
            .iter()
            .map(|k| ctx.t(k).to_string())
            .collect(),
        shown: dist_rows.len(),
        rows: dist_rows,
        chart: (!boxes.is_empty()).then(|| boxplot_svg(ctx.t("an.distribution"), &boxes, comma)),
    });

    // 3. self vs appraised: per unit, then per leaf
    let mut per_unit: Vec<(Exact, String, Vec<Cell>)> = Vec::new();
    let mut per_leaf: HashMap<&str, (usize, usize, usize, Exact)> = HashMap::new();
    for u in &units {
        let (mut n, mut lowered, mut raised, mut own, mut counted) = (0usize, 0usize, 0usize, Exact::ZERO, Exact::ZERO);
        for l in u.leaves.iter().filter(|l| l.appraised) {
            let Some(o) = &l.own else { continue };
            n += 1;
            own = own + o.clone();
            counted = counted + l.points.clone();
            let e = per_leaf.entry(l.code.as_str()).or_insert((0, 0, 0, Exact::ZERO));
            e.0 += 1;
            e.3 = e.3.clone() + (l.points.clone() - o.clone());
            if l.points < *o {
                lowered += 1;
                e.1 += 1;
            } else if l.points > *o {
                raised += 1;
                e.2 += 1;
            }
        }
        if n == 0 {
            continue;
        }
        let gap = counted.clone() - own.clone();
        per_unit.push((
            gap.clone(),
            u.unit_code.clone(),
            vec![
                Cell::text(&u.unit_name),
                Cell::int(n as i64),
                Cell::int(lowered as i64),
                Cell::int(raised as i64),
                Cell::exact(&own, r.decimals),
                Cell::exact(&counted, r.decimals),
                Cell::exact(&gap, r.decimals),
            ],
        ));
    }
    // ties broken by code: the same order on every request (issue #15)
    per_unit.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    let unit_rows: Vec<Vec<Cell>> = per_unit.into_iter().map(|(_, _, r)| r).collect();
    out.push(Table {
        key: "tu-cham-don-vi",
        title: ctx.t("an.gap_units").into(),
        help: ctx.t("an.gap_help").into(),
        header: ["sv.unit", "an.appraised", "an.lowered", "an.raised", "an.own", "an.counted", "an.gap"]
            .iter()
            .map(|k| ctx.t(k).to_string())
            .collect(),
        shown: unit_rows.len().min(20),
        rows: unit_rows,
        chart: None,
    });
    let mut leaf_rows: Vec<(usize, Exact, Vec<Cell>)> = per_leaf
        .into_iter()
        .map(|(code, (n, lowered, raised, sum))| {
            let avg = sum / Exact::from(n as i64);
            (
                lowered,
                avg.clone(),
                vec![
                    Cell::text(code),
                    Cell::text(titles.get(code).cloned().unwrap_or_default()),
                    Cell::int(n as i64),
                    Cell::int(lowered as i64),
                    Cell::int(raised as i64),
                    Cell::exact(&avg, r.decimals),
                ],
            )
        })
        .collect();
    leaf_rows.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)).then_with(|| first_text(&a.2).cmp(first_text(&b.2))));
    let leaf_rows: Vec<Vec<Cell>> = leaf_rows.into_iter().map(|(_, _, r)| r).collect();
    out.push(Table {
        key: "tu-cham-tieu-chi",
        title: ctx.t("an.gap_leaves").into(),
        help: ctx.t("an.gap_leaves_help").into(),
        header: ["pt.leaf", "an.leaf_title", "an.appraised", "an.lowered", "an.raised", "an.mean_gap"]
            .iter()
            .map(|k| ctx.t(k).to_string())
            .collect(),
        shown: leaf_rows.len().min(15),
        rows: leaf_rows,
        chart: None,
    });

    // 4. the weakest leaves across the units shown
    let mut weak: Vec<(Exact, Vec<Cell>)> = Vec::new();
    if let Some(first) = units.first() {
        for (i, l) in first.leaves.iter().enumerate() {
            let shares: Vec<Exact> =
                units.iter().filter_map(|u| u.leaves.get(i)).filter(|x| x.applicable).filter_map(|x| share(&x.points, &x.max)).collect();
            let Some(avg) = mean(&shares) else { continue };
            let below = shares.iter().filter(|s| **s < Exact::int(50)).count();
            weak.push((
                avg.clone(),
                vec![
                    Cell::text(&l.code),
                    Cell::text(titles.get(&l.code).cloned().unwrap_or_default()),
                    Cell::exact(&l.max, r.decimals),
                    Cell::int(shares.len() as i64),
                    Cell::exact(&avg, 1),
                    Cell::int(below as i64),
                ],
            ));
        }
    }
    weak.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| first_text(&a.1).cmp(first_text(&b.1))));
    let weak_rows: Vec<Vec<Cell>> = weak.into_iter().map(|(_, r)| r).collect();
    out.push(Table {
        key: "tieu-chi-yeu",
        title: ctx.t("an.weakest").into(),
        help: ctx.t("an.weakest_help").into(),
        header: ["pt.leaf", "an.leaf_title", "an.leaf_max", "an.units", "an.mean_share", "an.below_half"]
            .iter()
            .map(|k| ctx.t(k).to_string())
            .collect(),
        shown: weak_rows.len().min(15),
        rows: weak_rows,
        chart: None,
    });

    // 5. trends: every earlier period, with the units shown now or the units they were formed
    // from (lineage: the trend crosses a merger); the unit chosen, else its predecessors' mean
    if wants("xu-huong") {
        let lineage = state.store.predecessor_codes().await?;
        let mut then: std::collections::HashSet<String> = units.iter().map(|u| u.unit_code.clone()).collect();
        for u in &units {
            then.extend(lineage.get(&u.unit_code).cloned().unwrap_or_default());
        }
        let chosen_then: Vec<String> = chosen.map(|c| lineage.get(&c.unit_code).cloned().unwrap_or_default()).unwrap_or_default();
        let kinds: std::collections::HashSet<&str> = units.iter().map(|u| u.unit_kind.as_str()).collect();
        let mut years: Vec<(i32, String, Vec<Exact>, Option<Exact>)> = Vec::new();
        for p in state.store.list_periods().await?.into_iter().filter(|p| p.year <= r.period.year) {
            // earlier periods from their published documents (else computed): `Store::past_results`
            let pr = if p.id == r.period.id { None } else { Some(state.store.past_results(&p).await?) };
            // (unit code, index) of the units that count in this year
            let us: Vec<(&str, Option<Exact>)> = match &pr {
                Some(x) => x
                    .units
                    .iter()
                    .filter(|u| {
                        then.contains(&u.unit_code) || (kinds.contains(u.unit_kind.as_str()) && q.keeps(&u.unit_kind, u.area.as_deref()))
                    })
                    .map(|u| (u.unit_code.as_str(), u.index.clone()))
                    .collect(),
                None => units.iter().map(|u| (u.unit_code.as_str(), u.index.clone())).collect(),
            };
            if us.is_empty() {
                continue;
            }
            let mine = match chosen.and_then(|c| us.iter().find(|u| u.0 == c.unit_code)) {
                Some(u) => u.1.clone(),
                None => mean(&us.iter().filter(|u| chosen_then.iter().any(|c| c == u.0)).filter_map(|u| u.1.clone()).collect::<Vec<_>>()),
            };
            years.push((p.year, p.name.clone(), us.iter().filter_map(|u| u.1.clone()).collect(), mine));
        }
        years.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
        let chosen_name = chosen.map(|u| u.unit_name.clone()).unwrap_or_default();
        let trend_rows: Vec<Vec<Cell>> = years
            .iter()
            .map(|(y, name, xs, mine)| {
                let s = summary(xs);
                vec![
                    Cell::int(i64::from(*y)),
                    Cell::text(name),
                    Cell::int(xs.len() as i64),
                    opt(&s.as_ref().map(|s| s.mean.clone()), 2),
                    opt(&s.as_ref().map(|s| s.median.clone()), 2),
                    opt(mine, 2),
                ]
            })
            .collect();
        // one point per year: a year with two periods of these kinds shows their units together
        let mut by_year: std::collections::BTreeMap<i32, (Vec<Exact>, Option<Exact>)> = Default::default();
        for (y, _, xs, mine) in &years {
            let e = by_year.entry(*y).or_default();
            e.0.extend(xs.iter().cloned());
            if e.1.is_none() {
                e.1 = mine.clone();
            }
        }
        let xs: Vec<String> = by_year.keys().map(|y| y.to_string()).collect();
        let province: Vec<Option<f64>> = by_year.values().map(|(xs, _)| mean(xs).map(|m| m.to_f64())).collect();
        let unit_line: Vec<Option<f64>> = by_year.values().map(|(_, m)| f(m)).collect();
        let mut series = vec![(ctx.t("an.province_mean"), province)];
        if unit_line.iter().any(Option::is_some) {
            series.push((chosen_name.as_str(), unit_line));
        }
        out.push(Table {
            key: "xu-huong",
            title: ctx.t("an.trend").into(),
            help: ctx.t("an.trend_help").into(),
            header: vec![
                ctx.t("sv.year").into(),
                ctx.t("per.title").into(),
                ctx.t("an.units").into(),
                ctx.t("an.mean").into(),
                ctx.t("an.median").into(),
                chosen_name.clone(),
            ],
            shown: trend_rows.len(),
            rows: trend_rows,
            chart: (!xs.is_empty()).then(|| lines_svg(ctx.t("an.trend"), &xs, &series, comma)),
        });
    }

    // 6. SIPAS per element per unit: this year's citizens' surveys
    if wants("sipas") {
        let mut tallies = parindex_core::sipas::Tallies::default();
        for s in state.store.list_surveys().await?.into_iter().filter(|s| s.year == r.period.year) {
            tallies.merge(state.store.survey_tallies(s.id).await?);
        }
        let indices = parindex_core::sipas::indices(&tallies);
        let mut sipas_rows = Vec::new();
        let mut heat = Vec::new();
        for u in &units {
            let mine: Vec<&parindex_core::sipas::IndexRow> = indices.iter().filter(|x| x.unit == u.unit_code).collect();
            if mine.is_empty() {
                continue;
            }
            let get = |e: &str| mine.iter().find(|x| x.element == e).map(|x| x.share_top2);
            let cells: Vec<Option<f64>> = ["1", "2", "3", "4", "5", "sipas"].iter().map(|e| get(e)).collect();
            let mut row = vec![Cell::text(&u.unit_name)];
            row.extend(cells.iter().map(|c| match c {
                Some(v) => Cell::Number { exact: format!("{v:.1}"), value: *v },
                None => Cell::Empty,
            }));
            row.push(Cell::int(mine.iter().find(|x| x.element == "sipas").map(|x| x.n as i64).unwrap_or(0)));
            sipas_rows.push(row);
            heat.push((u.unit_name.clone(), cells));
        }
        if !sipas_rows.is_empty() {
            let columns: Vec<String> = ["1", "2", "3", "4", "5", "SIPAS"].map(String::from).to_vec();
            let mut header = vec![ctx.t("sv.unit").to_string()];
            header.extend((1..=5).map(|e| format!("{} {e} (%)", ctx.t("an.element"))));
            header.push("SIPAS (%)".into());
            header.push(ctx.t("an.answers").into());
            out.push(Table {
                key: "sipas",
                title: ctx.t("an.sipas").into(),
                help: ctx.t("an.sipas_help").into(),
                header,
                shown: sipas_rows.len(),
                rows: sipas_rows,
                chart: Some(heatmap_svg(ctx.t("an.sipas"), &columns, &heat, comma)),
            });
        }
    }
    out.retain(|t| wants(t.key));
    Ok(out)
}

/// The first cell's text (a row's code), for a final tiebreak.
fn first_text(row: &[Cell]) -> &str {
    match row.first() {
        Some(Cell::Text(t)) => t,
        _ => "",
    }
}
