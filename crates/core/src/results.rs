//! Results of a period (issue #6): ranks and groups, on exact numbers.
//!
//! **Ranks** are competition ranks ("1, 2, 2, 4"): units whose values are *exactly* equal share
//! the better rank and the next rank is skipped; nothing is rounded before comparing (two units
//! shown as 87,50 and 87,50 but differing in the third decimal do not tie). A unit without a
//! value (nothing applicable) gets no rank.
//!
//! **Groups** come from the period's thresholds: the first (highest) threshold whose minimum the
//! index reaches gives the group. [`default_groups`] is the common provincial scale
//! (A ≥ 90, B ≥ 80, C ≥ 70, D below).

use serde::{Deserialize, Serialize};

use crate::Exact;

/// Competition ranks of `values` (higher is better), aligned with them.
pub fn ranks(values: &[Option<Exact>]) -> Vec<Option<usize>> {
    values
        .iter()
        .map(|v| {
            let v = v.as_ref()?;
            Some(1 + values.iter().filter(|o| o.as_ref().is_some_and(|o| o > v)).count())
        })
        .collect()
}

/// How many decimals to show each value with so that a reader never sees two units ranked
/// apart with the same number (issue #17: "87,50" ranked 2nd and "87,50" ranked 3rd): `base`,
/// or more — up to `base + 4` — where a value differs from another only beyond `base`
/// decimals. Exactly equal values tie and keep `base`.
pub fn shown_decimals(values: &[Option<Exact>], base: u32) -> Vec<u32> {
    let mut sorted: Vec<&Exact> = values.iter().flatten().collect();
    sorted.sort();
    sorted.dedup();
    let needed = |v: &Exact| -> u32 {
        // only the nearest distinct neighbours can collide when rounded
        let i = sorted.binary_search(&v).unwrap_or(0);
        let neighbours = [i.checked_sub(1).map(|j| sorted[j]), sorted.get(i + 1).copied()];
        (base..=base + 4)
            .find(|d| neighbours.iter().flatten().all(|n| n.to_decimal_string(*d) != v.to_decimal_string(*d)))
            .unwrap_or(base + 4)
    };
    values.iter().map(|v| v.as_ref().map(needed).unwrap_or(base)).collect()
}

/// One group of the period's scale: units whose index is at least `min` (and below the previous
/// group's minimum).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Group {
    pub label: String,
    pub min: Exact,
}

/// A ≥ 90, B ≥ 80, C ≥ 70, D below 70.
pub fn default_groups() -> Vec<Group> {
    [("A", 90), ("B", 80), ("C", 70), ("D", 0)].into_iter().map(|(l, m)| Group { label: l.into(), min: Exact::int(m) }).collect()
}

/// The group of an index: the first group, highest minimum first, whose minimum it reaches.
pub fn group_of<'a>(index: &Exact, groups: &'a [Group]) -> Option<&'a str> {
    let mut sorted: Vec<&Group> = groups.iter().collect();
    sorted.sort_by(|a, b| b.min.cmp(&a.min));
    sorted.into_iter().find(|g| index >= &g.min).map(|g| g.label.as_str())
}

/// Parse a scale written as `A:90, B:80, C:70, D:0` (a label and its minimum index, any order).
pub fn parse_groups(s: &str) -> Result<Vec<Group>, crate::Msg> {
    let mut out = Vec::new();
    for part in s.split([',', ';', '\n']).map(str::trim).filter(|p| !p.is_empty()) {
        let (label, min) = part.split_once(':').ok_or_else(|| {
            crate::Msg::new(
                format!("“{part}”: viết nhãn:điểm tối thiểu, ví dụ A:90."),
                format!("“{part}”: write label:minimum, e.g. A:90."),
            )
        })?;
        let min = Exact::parse(min.trim().replace(',', ".").as_str()).filter(|m| m >= &Exact::ZERO && m <= &Exact::int(100)).ok_or_else(
            || crate::Msg::new(format!("“{part}”: điểm tối thiểu phải từ 0 đến 100."), format!("“{part}”: the minimum must be 0–100.")),
        )?;
        let label = label.trim();
        if label.is_empty() || out.iter().any(|g: &Group| g.label == label) {
            return Err(crate::Msg::new(
                format!("“{part}”: nhãn trống hoặc bị trùng."),
                format!("“{part}”: the label is empty or repeated."),
            ));
        }
        out.push(Group { label: label.to_string(), min });
    }
    if out.is_empty() {
        return Err(crate::Msg::new("Chưa có nhóm nào.", "No group given."));
    }
    out.sort_by(|a, b| b.min.cmp(&a.min));
    Ok(out)
}

/// The scale written back as `A:90, B:80, …`.
pub fn groups_text(groups: &[Group]) -> String {
    groups.iter().map(|g| format!("{}:{}", g.label, g.min)).collect::<Vec<_>>().join(", ")
}

/// The distribution of some exact values: count, extremes, quartiles (linear interpolation
/// between order statistics, "type 7" of Hyndman & Fan — what spreadsheets' QUARTILE.INC gives)
/// and mean, all exact.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    pub n: usize,
    pub min: Exact,
    pub q1: Exact,
    pub median: Exact,
    pub q3: Exact,
    pub max: Exact,
    pub mean: Exact,
}

/// The summary of `values` (in any order); none when empty.
pub fn summary(values: &[Exact]) -> Option<Summary> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    v.sort();
    let n = v.len();
    // the k-th quarter: h = (n − 1)·k/4, between v[⌊h⌋] and the next
    let quarter = |k: usize| {
        let (whole, part) = (((n - 1) * k) / 4, ((n - 1) * k) % 4);
        if part == 0 {
            v[whole].clone()
        } else {
            v[whole].clone() + (v[whole + 1].clone() - v[whole].clone()) * Exact::ratio(part as i128, 4)
        }
    };
    let mean = v.iter().cloned().sum::<Exact>() / Exact::from(n as i64);
    Some(Summary { n, min: v[0].clone(), q1: quarter(1), median: quarter(2), q3: quarter(3), max: v[n - 1].clone(), mean })
}

#[cfg(test)]
mod tests {
    #[test]
    fn summary_quartiles_are_exact_and_match_quartile_inc() {
        use super::{Exact, summary};
        assert!(summary(&[]).is_none());
        let s = summary(&[Exact::int(7), Exact::int(1), Exact::int(3), Exact::int(10)]).unwrap();
        // QUARTILE.INC({1,3,7,10}) = 1, 2.5, 5, 7.75, 10
        assert_eq!((s.n, s.min, s.max), (4, Exact::int(1), Exact::int(10)));
        assert_eq!((s.q1, s.median, s.q3), (Exact::ratio(5, 2), Exact::int(5), Exact::ratio(31, 4)));
        assert_eq!(s.mean, Exact::ratio(21, 4));
        let one = summary(&[Exact::ratio(1, 3)]).unwrap();
        assert_eq!((one.q1, one.median, one.q3), (Exact::ratio(1, 3), Exact::ratio(1, 3), Exact::ratio(1, 3)));
    }

    use super::*;

    fn e(s: &str) -> Option<Exact> {
        Exact::parse(s)
    }

    #[test]
    fn ties_share_the_better_rank_and_exactness_breaks_display_ties() {
        let v = [e("91.5"), e("87.504"), e("91.5"), None, e("87.5"), e("60")];
        assert_eq!(ranks(&v), vec![Some(1), Some(3), Some(1), None, Some(4), Some(5)]);
        // shown to two decimals both are 87,50; exactly they differ, so they do not tie
        assert_ne!(ranks(&v)[1], ranks(&v)[4]);
        assert_eq!(ranks(&[]), Vec::<Option<usize>>::new());
    }

    #[test]
    fn groups_by_threshold_highest_first() {
        let g = default_groups();
        assert_eq!(group_of(&Exact::int(90), &g), Some("A"));
        assert_eq!(group_of(&e("89.999").unwrap(), &g), Some("B"));
        assert_eq!(group_of(&Exact::int(70), &g), Some("C"));
        assert_eq!(group_of(&Exact::int(12), &g), Some("D"));
        let custom = parse_groups("Tốt: 85; Khá:70,Trung bình:0").unwrap();
        assert_eq!(groups_text(&custom), "Tốt:85, Khá:70, Trung bình:0");
        assert_eq!(group_of(&Exact::int(84), &custom), Some("Khá"));
        assert!(
            parse_groups("A90").is_err()
                && parse_groups("A:120").is_err()
                && parse_groups("A:1, A:2").is_err()
                && parse_groups("").is_err()
        );
        // no group reaches: nothing (a scale without a 0 floor)
        assert_eq!(group_of(&Exact::int(10), &parse_groups("A:90").unwrap()), None);
    }
}

/// Robustness of ranks (issue #6): how much a unit's rank depends on choices that could
/// reasonably have been made otherwise — the weights of the domains (each multiplied by a factor
/// drawn uniformly in [1 − spread, 1 + spread], the same for every unit in a replication) and
/// the sample of survey answers (each survey-sourced leaf's share redrawn as the mean of as many
/// answers drawn with replacement from the unit's own answers — a bootstrap over answers, not
/// respondents). Floating point is fine here: this estimates uncertainty, it publishes no score.
/// Deterministic for a given seed (SplitMix64).
pub mod robust {
    /// One unit: per domain its points and applicable maximum (as scored), and its survey leaves.
    #[derive(Debug, Clone, Default)]
    pub struct Unit {
        pub domains: Vec<(f64, f64)>,
        pub survey: Vec<SurveyLeaf>,
    }

    /// A survey-sourced leaf of a unit: its domain, maximum, and the unit's answers as
    /// (option weight 0–1, how many chose it).
    #[derive(Debug, Clone)]
    pub struct SurveyLeaf {
        pub domain: usize,
        pub max: f64,
        pub answers: Vec<(f64, u64)>,
    }

    #[derive(Debug, Clone, PartialEq)]
    pub struct Outcome {
        /// Per unit (input order): median rank and its 5 % and 95 % quantiles.
        pub median: Vec<usize>,
        pub p5: Vec<usize>,
        pub p95: Vec<usize>,
        /// Per unit: the share of replications in which it ranks strictly above the unit ranked
        /// just below it in the base ranking (`None` for the last); below 0.95 the difference
        /// is not robust.
        pub beats_next: Vec<Option<f64>>,
    }

    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }
        /// Uniform in [0, 1).
        fn unit(&mut self) -> f64 {
            (self.next() >> 11) as f64 / (1u64 << 53) as f64
        }
        /// Uniform in 0..n (n > 0).
        fn below(&mut self, n: u64) -> u64 {
            ((self.next() as u128 * n as u128) >> 64) as u64
        }
    }

    fn index(domains: &[(f64, f64)], w: &[f64]) -> Option<f64> {
        let (mut num, mut den) = (0.0, 0.0);
        for ((p, m), w) in domains.iter().zip(w) {
            num += p * w;
            den += m * w;
        }
        (den > 0.0).then(|| 100.0 * num / den)
    }

    /// Competition ranks of f64 values (higher better); `None` values get rank n + 1.
    fn ranks_into(values: &[Option<f64>], order: &mut Vec<usize>, out: &mut [usize]) {
        order.clear();
        order.extend(0..values.len());
        order.sort_by(|a, b| values[*b].unwrap_or(f64::NEG_INFINITY).total_cmp(&values[*a].unwrap_or(f64::NEG_INFINITY)));
        let mut rank = 1;
        for (pos, &i) in order.iter().enumerate() {
            if pos > 0 && values[i] != values[order[pos - 1]] {
                rank = pos + 1;
            }
            out[i] = if values[i].is_some() { rank } else { values.len() + 1 };
        }
    }

    /// A survey leaf prepared for drawing: every answer's weight in a table (one draw is one
    /// lookup), and the current mean.
    struct Prepared {
        table: Vec<f64>,
        mean: f64,
    }

    /// Replications run in this many chunks, each with its own generator seeded from the seed and
    /// the chunk's number, spread over the available cores: the result does not depend on them.
    const CHUNKS: usize = 8;

    /// `reps` replications with domain weights within ±`spread` (0.1 = ±10 %) and the survey
    /// bootstrap; `base` is the published order (unit indices, best first) used for `beats_next`.
    pub fn simulate(units: &[Unit], base: &[usize], spread: f64, reps: usize, seed: u64) -> Outcome {
        let n = units.len();
        let prepared: Vec<Vec<Prepared>> = units
            .iter()
            .map(|u| {
                u.survey
                    .iter()
                    .map(|s| {
                        let table: Vec<f64> = s.answers.iter().flat_map(|(w, k)| std::iter::repeat_n(*w, *k as usize)).collect();
                        let mean = if table.is_empty() { 0.0 } else { table.iter().sum::<f64>() / table.len() as f64 };
                        Prepared { table, mean }
                    })
                    .collect()
            })
            .collect();
        let per = reps / CHUNKS;
        let sizes: Vec<usize> = (0..CHUNKS).map(|c| per + usize::from(c < reps % CHUNKS)).collect();
        let threads = std::thread::available_parallelism().map(|t| t.get()).unwrap_or(1).clamp(1, CHUNKS);
        let mut hist = vec![0u32; n * (n + 2)];
        let mut beats = vec![0u32; n];
        let results: Vec<(Vec<u32>, Vec<u32>)> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads)
                .map(|t| {
                    let (prepared, sizes) = (&prepared, &sizes);
                    scope.spawn(move || {
                        (t..CHUNKS)
                            .step_by(threads)
                            .map(|c| {
                                chunk(units, prepared, base, spread, sizes[c], seed ^ (0xA24B_AED4_963E_E407u64.wrapping_mul(c as u64 + 1)))
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles.into_iter().flat_map(|h| h.join().expect("a replication thread")).collect()
        });
        for (h, b) in results {
            hist.iter_mut().zip(h).for_each(|(x, y)| *x += y);
            beats.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        }
        let quantile = |i: usize, q: f64| -> usize {
            let target = ((reps as f64) * q).ceil().max(1.0) as u32;
            let mut acc = 0;
            for r in 0..n + 2 {
                acc += hist[i * (n + 2) + r];
                if acc >= target {
                    return r;
                }
            }
            n + 1
        };
        let mut beats_next = vec![None; n];
        for pair in base.windows(2) {
            beats_next[pair[0]] = Some(if reps == 0 { 0.0 } else { f64::from(beats[pair[0]]) / reps as f64 });
        }
        Outcome {
            median: (0..n).map(|i| quantile(i, 0.5)).collect(),
            p5: (0..n).map(|i| quantile(i, 0.05)).collect(),
            p95: (0..n).map(|i| quantile(i, 0.95)).collect(),
            beats_next,
        }
    }

    /// One chunk of replications: the rank histogram per unit and the wins over the next unit.
    fn chunk(units: &[Unit], prepared: &[Vec<Prepared>], base: &[usize], spread: f64, reps: usize, seed: u64) -> (Vec<u32>, Vec<u32>) {
        let n = units.len();
        let nd = units.iter().map(|u| u.domains.len()).max().unwrap_or(0);
        let mut rng = Rng(seed);
        let mut hist = vec![0u32; n * (n + 2)];
        let mut beats = vec![0u32; n];
        let mut w = vec![1.0; nd];
        let mut values = vec![None; n];
        let mut rank = vec![0usize; n];
        let mut order = Vec::with_capacity(n);
        let mut domains: Vec<(f64, f64)> = Vec::with_capacity(nd);
        for _ in 0..reps {
            for x in w.iter_mut() {
                *x = 1.0 + spread * (2.0 * rng.unit() - 1.0);
            }
            for (i, u) in units.iter().enumerate() {
                domains.clear();
                domains.extend_from_slice(&u.domains);
                for (s, p) in u.survey.iter().zip(&prepared[i]) {
                    let k = p.table.len() as u64;
                    if k == 0 {
                        continue;
                    }
                    let mut sum = 0.0;
                    for _ in 0..k {
                        sum += p.table[rng.below(k) as usize];
                    }
                    if let Some(d) = domains.get_mut(s.domain) {
                        d.0 += s.max * (sum / k as f64 - p.mean);
                    }
                }
                values[i] = index(&domains, &w);
            }
            ranks_into(&values, &mut order, &mut rank);
            for (i, r) in rank.iter().enumerate() {
                hist[i * (n + 2) + r] += 1;
            }
            for pair in base.windows(2) {
                if let (Some(a), Some(b)) = (values[pair[0]], values[pair[1]])
                    && a > b
                {
                    beats[pair[0]] += 1;
                }
            }
        }
        (hist, beats)
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        fn unit(points: &[f64]) -> Unit {
            Unit { domains: points.iter().map(|p| (*p, 10.0)).collect(), survey: vec![] }
        }

        #[test]
        fn clear_leaders_stay_and_near_ties_are_flagged() {
            // A is far ahead; B and C differ by a hair and in opposite domains
            let units = vec![unit(&[9.0, 9.0]), unit(&[6.0, 5.0]), unit(&[5.0, 5.9])];
            let out = simulate(&units, &[0, 1, 2], 0.2, 2000, 7);
            assert_eq!((out.median[0], out.p5[0], out.p95[0]), (1, 1, 1));
            assert!(out.beats_next[0].unwrap() > 0.99);
            let b_over_c = out.beats_next[1].unwrap();
            assert!(b_over_c < 0.95 && b_over_c > 0.05, "{b_over_c}");
            assert_eq!(out.beats_next[2], None);
            assert!(out.p95[1] == 3 && out.p5[2] == 2);
            // deterministic for a seed
            assert_eq!(simulate(&units, &[0, 1, 2], 0.2, 2000, 7), out);
            assert_ne!(simulate(&units, &[0, 1, 2], 0.2, 2000, 8).beats_next[1], out.beats_next[1]);
        }

        #[test]
        fn a_survey_leaf_on_few_answers_moves_more_than_on_many() {
            // a unit whose survey leaf (max 5, share 1/2) sits between two fixed neighbours
            let leaf = |k: u64| SurveyLeaf { domain: 0, max: 5.0, answers: vec![(0.0, k), (1.0, k)] };
            let with = |k: u64| {
                let units = vec![unit(&[7.9]), Unit { domains: vec![(7.5, 10.0)], survey: vec![leaf(k)] }, unit(&[7.1])];
                let out = simulate(&units, &[0, 1, 2], 0.0, 2000, 3);
                (out.p5[1], out.median[1], out.p95[1])
            };
            // 4 answers: the share is often 1/4 or 3/4 — the unit moves from first to last
            assert_eq!(with(2), (1, 2, 3));
            // 400 answers: it stays second
            assert_eq!(with(200), (2, 2, 2));
        }
    }
}
