//! Deterministic synthetic frameworks and inputs, for benchmarks and property tests: any
//! number of leaves spread over domains and criteria, every rule kind, valid random inputs.
//! A small xorshift generator keeps it dependency-free and identical on every machine.

use super::score::Placed;
use super::{Adjustment, AdjustmentKind, Band, Framework, Input, Node, Rule, RuleOption};
use crate::Exact;

/// xorshift64*: deterministic for a seed.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in 0..n.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
}

fn band(r: &str, points: Exact) -> Band {
    let (from, from_inclusive, to, to_inclusive) = Band::parse_range(r).expect("valid range");
    Band { from, from_inclusive, to, to_inclusive, points }
}

/// A leaf rule of kind `k` (0..7) for a leaf worth `max` (a multiple of 0.25).
pub fn rule_of_kind(k: u64, max: &Exact) -> Rule {
    let half = max.clone() / Exact::int(2);
    match k % 7 {
        0 => Rule::Options {
            options: vec![
                RuleOption { key: "a".into(), label: "Đạt".into(), points: max.clone() },
                RuleOption { key: "b".into(), label: "Đạt một phần".into(), points: half },
                RuleOption { key: "c".into(), label: "Không đạt".into(), points: Exact::ZERO },
            ],
        },
        1 => Rule::YesNo,
        2 => Rule::Bands { bands: vec![band("[0, 50)", Exact::ZERO), band("[50, 80]", half), band("(80, 100]", max.clone())] },
        3 => Rule::Proportional,
        4 => Rule::Deduction { per: Exact::ratio(1, 4) },
        5 => Rule::Manual { step: Exact::ratio(1, 4) },
        _ => Rule::Survey,
    }
}

/// A valid random input for `rule` on a leaf worth `max`; sometimes not applicable.
pub fn random_input(rng: &mut Rng, rule: &Rule, max: &Exact, na_per_mille: u64) -> Input {
    if rng.below(1000) < na_per_mille {
        return Input { not_applicable: true, ..Default::default() };
    }
    let mut i = Input::default();
    match rule {
        Rule::Options { options } => i.option = Some(options[rng.below(options.len() as u64) as usize].key.clone()),
        Rule::YesNo => i.yes = Some(rng.below(2) == 1),
        Rule::Bands { .. } => i.percent = Some(Exact::ratio(rng.below(100_001) as i128, 1000)),
        Rule::Proportional => {
            let d = 1 + rng.below(5000) as i128;
            i.numerator = Some(Exact::ratio(rng.below(d as u64 + 1) as i128, 1));
            i.denominator = Some(Exact::ratio(d, 1));
        }
        Rule::Deduction { .. } => i.count = Some(Exact::int(rng.below(6) as i64)),
        Rule::Manual { step } => {
            let steps = (max.clone() / step.clone()).to_f64() as u64;
            i.value = Some(step.clone() * Exact::int(rng.below(steps + 1) as i64));
        }
        Rule::Survey => i.result = Some(Exact::ratio(rng.below(1001) as i128, 1000)),
    }
    i
}

/// A framework of `leaves` leaves over 8 domains (criteria of up to 5 leaves), every rule kind,
/// leaf maxima in quarter points, plus one bonus and one penalty.
pub fn framework(leaves: usize, seed: u64) -> Framework {
    let mut rng = Rng::new(seed);
    let domains = 8.min(leaves.max(1));
    let mut nodes: Vec<Node> =
        (1..=domains).map(|d| Node { code: d.to_string(), title: format!("Lĩnh vực {d}"), ..Default::default() }).collect();
    for l in 0..leaves {
        let d = l % domains;
        let domain = &mut nodes[d];
        if domain.children.last().is_none_or(|c| c.children.len() >= 5) {
            let n = domain.children.len() + 1;
            domain.children.push(Node { code: format!("{}.{n}", d + 1), title: format!("Tiêu chí {}.{n}", d + 1), ..Default::default() });
        }
        let crit = domain.children.last_mut().expect("just pushed");
        let n = crit.children.len() + 1;
        let max = Exact::ratio(1 + rng.below(8) as i128, 4);
        let rule = rule_of_kind(rng.below(7), &max);
        crit.children.push(Node {
            code: format!("{}.{n}", crit.code),
            title: format!("Tiêu chí thành phần {}.{n}", crit.code),
            max: Some(max),
            rule: Some(rule),
            ..Default::default()
        });
    }
    Framework {
        code: format!("SYN-{leaves}-{seed}"),
        name: format!("Synthetic {leaves} leaves"),
        sample: true,
        unit_kinds: vec!["agency".into()],
        decimals: 2,
        nodes,
        adjustments: vec![
            Adjustment {
                code: "T".into(),
                title: "Thưởng".into(),
                kind: AdjustmentKind::Bonus,
                max: Exact::int(1),
                rule: Rule::Manual { step: Exact::ratio(1, 4) },
                guidance: None,
            },
            Adjustment {
                code: "P".into(),
                title: "Trừ".into(),
                kind: AdjustmentKind::Penalty,
                max: Exact::int(1),
                rule: Rule::YesNo,
                guidance: None,
            },
        ],
        ..Default::default()
    }
}

/// Random valid inputs for every leaf and adjustment of a compiled framework.
pub fn inputs(c: &super::Compiled, rng: &mut Rng, na_per_mille: u64) -> Placed {
    let leaves = c
        .nodes
        .iter()
        .map(|n| n.rule.as_ref().filter(|_| n.children.is_empty()).map(|r| random_input(rng, r, &n.max, na_per_mille)))
        .collect();
    let adjustments = c.adjustments.iter().map(|a| Some(random_input(rng, &a.rule, &a.max, 0))).collect();
    Placed { unit_kind: Some("agency".into()), leaves, adjustments }
}
