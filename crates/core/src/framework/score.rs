//! Computation: one unit's inputs → points per leaf, sums per node, total, applicable maximum
//! and index = total ÷ applicable maximum × 100. Everything stays exact; rounding happens only
//! when a number is shown (`ScoreReport`, with the framework's `decimals`, half away from zero).
//!
//! Not applicable leaves (marked so, or not meant for the unit's kind) drop out of the
//! applicable maximum. Bonuses add and penalties subtract after the tree is summed, each capped
//! by its own maximum; the total never goes below zero.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::code::CodeKey;
use super::rule::{InputText, apply};
use super::{AdjustmentKind, Framework, Input, Problem, Rule, validate};
use crate::exact::Common;
use crate::{Exact, Msg};
use num_bigint::BigInt;

/// A framework prepared for fast, repeated scoring: nodes flattened in pre-order.
#[derive(Debug, Clone)]
pub struct Compiled {
    pub code: String,
    /// Sum of every leaf's maximum.
    pub max_total: Exact,
    pub decimals: u32,
    pub nodes: Vec<CNode>,
    pub adjustments: Vec<CAdj>,
    index: HashMap<String, usize>,
    adj_index: HashMap<String, usize>,
    /// The unit kinds the framework is for (empty: any).
    pub unit_kinds: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct CNode {
    pub code: String,
    pub title: String,
    pub depth: usize,
    pub parent: Option<usize>,
    pub children: Vec<usize>,
    /// For leaves the declared maximum; for parents the sum of their children.
    pub max: Exact,
    pub rule: Option<Rule>,
    pub applies_to: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct CAdj {
    pub code: String,
    pub title: String,
    pub kind: AdjustmentKind,
    pub max: Exact,
    pub rule: Rule,
}

impl Compiled {
    /// Validate and flatten. A framework with problems cannot be scored.
    pub fn new(fw: &Framework) -> Result<Compiled, Vec<Problem>> {
        let problems = validate(fw);
        if !problems.is_empty() {
            return Err(problems);
        }
        let mut nodes = Vec::new();
        fn go(n: &super::Node, depth: usize, parent: Option<usize>, nodes: &mut Vec<CNode>) -> usize {
            let i = nodes.len();
            nodes.push(CNode {
                code: n.code.trim().to_string(),
                title: n.title.clone(),
                depth,
                parent,
                children: vec![],
                max: n.max.clone().unwrap_or_default(),
                rule: n.rule.clone(),
                applies_to: n.applies_to.clone(),
            });
            let kids: Vec<usize> = n.children.iter().map(|c| go(c, depth + 1, Some(i), nodes)).collect();
            if !kids.is_empty() {
                nodes[i].max = kids.iter().map(|k| nodes[*k].max.clone()).sum();
            }
            nodes[i].children = kids;
            i
        }
        for n in &fw.nodes {
            go(n, 0, None, &mut nodes);
        }
        let index = nodes.iter().enumerate().map(|(i, n)| (n.code.clone(), i)).collect();
        let adjustments: Vec<CAdj> = fw
            .adjustments
            .iter()
            .map(|a| CAdj { code: a.code.clone(), title: a.title.clone(), kind: a.kind, max: a.max.clone(), rule: a.rule.clone() })
            .collect();
        let adj_index = adjustments.iter().enumerate().map(|(i, a)| (a.code.clone(), i)).collect();
        let max_total = nodes.iter().filter(|n| n.parent.is_none()).map(|n| n.max.clone()).sum();
        Ok(Compiled {
            code: fw.code.clone(),
            max_total,
            decimals: fw.decimals,
            nodes,
            adjustments,
            index,
            adj_index,
            unit_kinds: fw.unit_kinds.clone(),
        })
    }

    pub fn position(&self, code: &str) -> Option<usize> {
        self.index.get(code).copied()
    }

    /// The top-level nodes (domains), in order.
    pub fn tops(&self) -> impl Iterator<Item = usize> + '_ {
        self.nodes.iter().enumerate().filter(|(_, n)| n.parent.is_none()).map(|(i, _)| i)
    }

    pub fn leaf_positions(&self) -> impl Iterator<Item = usize> + '_ {
        self.nodes.iter().enumerate().filter(|(_, n)| n.children.is_empty()).map(|(i, _)| i)
    }

    /// Inputs written by a person (a what-if inputs file): [`Compiled::place`], and also the
    /// `unit_kind` they name must be one the framework is for.
    pub fn place_file(&self, inputs: &Inputs) -> Result<Placed, Vec<Problem>> {
        let mut problems = Vec::new();
        if let Some(k) = &inputs.unit_kind
            && !self.unit_kinds.is_empty()
            && !self.unit_kinds.contains(k)
        {
            let kinds = self.unit_kinds.join(", ");
            problems.push(Problem {
                code: String::new(),
                message: Msg::new(
                    format!("loại đơn vị “{k}” không thuộc bộ chỉ số này; dùng một trong: {kinds}"),
                    format!("the unit kind “{k}” is not one of this framework's; use one of: {kinds}"),
                ),
            });
        }
        match self.place(inputs) {
            Ok(p) if problems.is_empty() => Ok(p),
            Ok(_) => Err(problems),
            Err(mut more) => {
                problems.append(&mut more);
                Err(problems)
            }
        }
    }

    /// Inputs by code → inputs by position; unknown codes are problems.
    pub fn place(&self, inputs: &Inputs) -> Result<Placed, Vec<Problem>> {
        let mut problems = Vec::new();
        let mut leaves = vec![None; self.nodes.len()];
        for (code, input) in &inputs.inputs {
            match self.position(code) {
                Some(i) if self.nodes[i].children.is_empty() => {
                    let rule = self.nodes[i].rule.as_ref().expect("validated leaves have rules");
                    leaves[i] = Some(input.clone().resolve(rule));
                }
                Some(_) => problems.push(Problem {
                    code: code.clone(),
                    message: Msg::new(
                        "chỉ nhập dữ liệu cho tiêu chí thành phần (không có tiêu chí con)",
                        "inputs go on leaves only (nodes without children)",
                    ),
                }),
                None => problems.push(Problem {
                    code: code.clone(),
                    message: Msg::new(format!("bộ chỉ số không có tiêu chí mã “{code}”"), format!("the framework has no node “{code}”")),
                }),
            }
        }
        let mut adjustments = vec![None; self.adjustments.len()];
        for (code, input) in &inputs.adjustments {
            match self.adj_index.get(code) {
                Some(i) => adjustments[*i] = Some(input.clone().resolve(&self.adjustments[*i].rule)),
                None => problems.push(Problem {
                    code: code.clone(),
                    message: Msg::new(format!("không có điểm thưởng/trừ mã “{code}”"), format!("there is no bonus/penalty “{code}”")),
                }),
            }
        }
        if problems.is_empty() { Ok(Placed { unit_kind: inputs.unit_kind.clone(), leaves, adjustments }) } else { Err(problems) }
    }
}

/// One unit's inputs as written in a file (see docs/framework-format.md).
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    pub unit: Option<String>,
    pub unit_kind: Option<String>,
    pub inputs: BTreeMap<String, Input>,
    pub adjustments: BTreeMap<String, Input>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InputsText {
    #[serde(default)]
    unit: Option<String>,
    #[serde(default)]
    unit_kind: Option<String>,
    #[serde(default)]
    inputs: UniqueMap<InputText>,
    #[serde(default)]
    adjustments: UniqueMap<InputText>,
}

/// A mapping of codes in which a code may appear once: a repeated code is an error (the last
/// would otherwise win silently), as in the framework file.
struct UniqueMap<V>(Vec<(String, V)>);

impl<V> Default for UniqueMap<V> {
    fn default() -> Self {
        UniqueMap(Vec::new())
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for UniqueMap<V> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit<V>(std::marker::PhantomData<V>);
        impl<'de, V: Deserialize<'de>> serde::de::Visitor<'de> for Visit<V> {
            type Value = UniqueMap<V>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a mapping of codes to inputs")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
                let mut out: Vec<(String, V)> = Vec::new();
                let mut seen = std::collections::HashSet::new();
                while let Some((k, v)) = m.next_entry::<CodeKey, V>()? {
                    if !seen.insert(k.0.clone()) {
                        return Err(serde::de::Error::custom(format!(
                            "mã “{0}” xuất hiện hai lần; mỗi tiêu chí chỉ nhập một lần / the code “{0}” appears twice; give each criterion once",
                            k.0
                        )));
                    }
                    out.push((k.0, v));
                }
                Ok(UniqueMap(out))
            }
        }
        d.deserialize_map(Visit(std::marker::PhantomData))
    }
}

impl<'de> Deserialize<'de> for Inputs {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Inputs, D::Error> {
        let t = InputsText::deserialize(d)?;
        Ok(Inputs {
            unit: t.unit,
            unit_kind: t.unit_kind,
            inputs: t.inputs.0.into_iter().map(|(k, v)| (k, v.into())).collect(),
            adjustments: t.adjustments.0.into_iter().map(|(k, v)| (k, v.into())).collect(),
        })
    }
}

/// Inputs placed by position (the fast path for many units).
#[derive(Debug, Clone)]
pub struct Placed {
    pub unit_kind: Option<String>,
    pub leaves: Vec<Option<Input>>,
    pub adjustments: Vec<Option<Input>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeScore {
    pub points: Exact,
    /// The node's own maximum (sum of all its leaves).
    pub max: Exact,
    /// The maximum of its applicable leaves.
    pub applicable_max: Exact,
    pub applicable: bool,
    /// A leaf with no input yet (scored 0).
    pub missing: bool,
    pub explanation: Option<Msg>,
}

/// The result for one unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreSheet {
    /// Aligned with `Compiled::nodes`.
    pub nodes: Vec<NodeScore>,
    pub adjustments: Vec<NodeScore>,
    /// Sum of the tree.
    pub achieved: Exact,
    pub bonus: Exact,
    pub penalty: Exact,
    /// achieved + bonus − penalty, not below zero.
    pub total: Exact,
    pub max_total: Exact,
    pub applicable_max: Exact,
    /// total ÷ applicable maximum × 100; `None` when nothing applies.
    pub index: Option<Exact>,
}

/// Score one unit. Invalid inputs are returned as problems (every one), never scored.
pub fn score(c: &Compiled, placed: &Placed, explain: bool) -> Result<ScoreSheet, Vec<Problem>> {
    let n = c.nodes.len();
    let mut out: Vec<NodeScore> = Vec::with_capacity(n);
    let mut problems = Vec::new();
    let mut kind_ok = vec![true; n];
    for (i, node) in c.nodes.iter().enumerate() {
        let parent_ok = node.parent.is_none_or(|p| kind_ok[p]);
        kind_ok[i] =
            parent_ok && (node.applies_to.is_empty() || placed.unit_kind.as_ref().is_none_or(|k| node.applies_to.iter().any(|a| a == k)));
        let leaf = node.children.is_empty();
        let mut s = NodeScore {
            points: Exact::ZERO,
            max: node.max.clone(),
            applicable_max: Exact::ZERO,
            applicable: kind_ok[i],
            missing: false,
            explanation: None,
        };
        if leaf {
            let input = placed.leaves[i].as_ref();
            if !kind_ok[i] {
                s.applicable = false;
                if explain {
                    s.explanation = Some(Msg::new("Không áp dụng cho loại đơn vị này", "Not applicable to this kind of unit"));
                }
            } else if input.is_some_and(|x| x.not_applicable) {
                s.applicable = false;
                if explain {
                    s.explanation = Some(Msg::new("Không áp dụng", "Not applicable"));
                }
            } else if let Some(input) = input {
                let rule = node.rule.as_ref().expect("validated leaves have rules");
                match apply(rule, &node.max, input, explain) {
                    Ok(o) => {
                        s.points = o.points.clamp(&Exact::ZERO, &node.max);
                        s.explanation = o.explanation;
                    }
                    Err(m) => problems.push(Problem { code: node.code.clone(), message: m }),
                }
                s.applicable_max = node.max.clone();
            } else {
                s.missing = true;
                s.applicable_max = node.max.clone();
                if explain {
                    s.explanation = Some(Msg::new("Chưa có dữ liệu → 0 điểm", "No input yet → 0 points"));
                }
            }
        }
        out.push(s);
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    // Children come after their parent in pre-order: sum bottom-up. Points are summed as
    // integers over one common denominator (exact, and fast even with many proportional leaves).
    let mut common = Common::of(out.iter().enumerate().filter(|(i, _)| c.nodes[*i].children.is_empty()).map(|(_, s)| &s.points));
    let fast = common.fits_i128(&c.max_total);
    let mut small_acc: Vec<i128> = Vec::new();
    let mut big_acc: Vec<BigInt> = Vec::new();
    if fast {
        small_acc = out.iter().map(|s| common.scaled_i128(&s.points)).collect();
    } else {
        big_acc = vec![BigInt::ZERO; n];
        for (i, node) in c.nodes.iter().enumerate() {
            if node.children.is_empty() && out[i].applicable && !out[i].points.is_zero() {
                big_acc[i] = common.scaled(&out[i].points);
            }
        }
    }
    for i in (0..n).rev() {
        if c.nodes[i].children.is_empty() {
            continue;
        }
        let mut amax = Exact::ZERO;
        let mut any = false;
        let (mut ps, mut pb) = (0i128, BigInt::from(0));
        for &k in &c.nodes[i].children {
            if out[k].applicable {
                if fast {
                    ps += small_acc[k];
                } else {
                    pb += &big_acc[k];
                }
                amax = amax + out[k].applicable_max.clone();
                any = true;
            }
        }
        if fast {
            small_acc[i] = ps;
            out[i].points = common.value_i128(ps);
        } else {
            out[i].points = common.value(pb.clone());
            big_acc[i] = pb;
        }
        out[i].applicable_max = amax;
        out[i].applicable = any;
    }
    let roots = || c.nodes.iter().enumerate().filter(|(_, x)| x.parent.is_none()).map(|(i, _)| i);
    let achieved = if fast {
        common.value_i128(roots().filter(|i| out[*i].applicable).map(|i| small_acc[i]).sum())
    } else {
        common.value(roots().filter(|i| out[*i].applicable).map(|i| big_acc[i].clone()).sum())
    };
    let applicable_max: Exact = roots().filter(|i| out[*i].applicable).map(|i| out[i].applicable_max.clone()).sum();
    let max_total = c.max_total.clone();

    let mut adjustments = Vec::with_capacity(c.adjustments.len());
    let (mut bonus, mut penalty) = (Exact::ZERO, Exact::ZERO);
    for (i, a) in c.adjustments.iter().enumerate() {
        let mut s = NodeScore {
            points: Exact::ZERO,
            max: a.max.clone(),
            applicable_max: a.max.clone(),
            applicable: true,
            missing: false,
            explanation: None,
        };
        match placed.adjustments[i].as_ref() {
            Some(x) if x.not_applicable => s.applicable = false,
            Some(x) => match apply(&a.rule, &a.max, x, explain) {
                Ok(o) => {
                    s.points = o.points.clamp(&Exact::ZERO, &a.max);
                    s.explanation = o.explanation;
                }
                Err(m) => problems.push(Problem { code: a.code.clone(), message: m }),
            },
            None => s.missing = true,
        }
        match a.kind {
            AdjustmentKind::Bonus => bonus = bonus + s.points.clone(),
            AdjustmentKind::Penalty => penalty = penalty + s.points.clone(),
        }
        adjustments.push(s);
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let total = (achieved.clone() + bonus.clone() - penalty.clone()).max(Exact::ZERO);
    let index = if applicable_max.is_zero() { None } else { Some(total.clone() / applicable_max.clone() * Exact::HUNDRED) };
    Ok(ScoreSheet { nodes: out, adjustments, achieved, bonus, penalty, total, max_total, applicable_max, index })
}

/// Score many units, using every core (units are independent). Results keep the input order.
/// One unit's result from its leaves' inputs **and** its bonuses and penalties: the one
/// computation of an assessment's running total, shown on the assessment page and returned by
/// `GET /api/v1/assessments/{id}` (issue #15: the API had left the adjustments out). `None`
/// when the framework cannot be compiled or the inputs cannot be placed.
pub fn unit_report(
    fw: &Framework,
    unit_code: &str,
    unit_kind: &str,
    inputs: BTreeMap<String, Input>,
    adjustments: BTreeMap<String, Input>,
) -> Option<ScoreReport> {
    let c = Compiled::new(fw).ok()?;
    let inputs = Inputs { unit: Some(unit_code.to_string()), unit_kind: Some(unit_kind.to_string()), inputs, adjustments };
    let placed = c.place(&inputs).ok()?;
    score(&c, &placed, true).ok().map(|s| s.report(&c))
}

pub fn score_many(c: &Compiled, units: &[Placed], explain: bool) -> Vec<Result<ScoreSheet, Vec<Problem>>> {
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(units.len().max(1));
    if threads <= 1 || units.len() < 16 {
        return units.iter().map(|p| score(c, p, explain)).collect();
    }
    let chunk = units.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> =
            units.chunks(chunk).map(|part| s.spawn(move || part.iter().map(|p| score(c, p, explain)).collect::<Vec<_>>())).collect();
        handles.into_iter().flat_map(|h| h.join().expect("scoring thread")).collect()
    })
}

/// A number as reports show it: rounded for display, and exactly.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Shown {
    /// Rounded half away from zero to the framework's decimals ("87.45").
    pub value: String,
    /// The exact value ("87.4516…" is never shown here: a finite decimal or a fraction "n/d").
    pub exact: String,
}

impl Shown {
    pub fn new(x: &Exact, decimals: u32) -> Shown {
        Shown { value: x.to_decimal_string(decimals), exact: x.to_string() }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct NodeReport {
    pub code: String,
    pub title: String,
    pub depth: usize,
    pub leaf: bool,
    pub points: Shown,
    pub max: Shown,
    /// The maximum of the applicable leaves below (equal to `max` when all apply).
    pub applicable_max: Shown,
    pub applicable: bool,
    pub missing: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<Msg>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AdjustmentReport {
    pub code: String,
    pub title: String,
    pub kind: AdjustmentKind,
    pub points: Shown,
    pub max: Shown,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<Msg>,
}

/// The serialisable result (CLI `--format json`, API).
#[derive(Debug, Clone, Serialize)]
pub struct ScoreReport {
    pub framework: String,
    pub decimals: u32,
    pub nodes: Vec<NodeReport>,
    pub adjustments: Vec<AdjustmentReport>,
    pub achieved: Shown,
    pub bonus: Shown,
    pub penalty: Shown,
    pub total: Shown,
    pub max_total: Shown,
    pub applicable_max: Shown,
    pub index: Option<Shown>,
}

impl ScoreSheet {
    pub fn report(&self, c: &Compiled) -> ScoreReport {
        let d = c.decimals;
        ScoreReport {
            framework: c.code.clone(),
            decimals: d,
            nodes: c
                .nodes
                .iter()
                .zip(&self.nodes)
                .map(|(n, s)| NodeReport {
                    code: n.code.clone(),
                    title: n.title.clone(),
                    depth: n.depth,
                    leaf: n.children.is_empty(),
                    points: Shown::new(&s.points, d),
                    max: Shown::new(&s.max, d),
                    applicable_max: Shown::new(&s.applicable_max, d),
                    applicable: s.applicable,
                    missing: s.missing,
                    explanation: s.explanation.clone(),
                })
                .collect(),
            adjustments: c
                .adjustments
                .iter()
                .zip(&self.adjustments)
                .map(|(a, s)| AdjustmentReport {
                    code: a.code.clone(),
                    title: a.title.clone(),
                    kind: a.kind,
                    points: Shown::new(&s.points, d),
                    max: Shown::new(&s.max, d),
                    explanation: s.explanation.clone(),
                })
                .collect(),
            achieved: Shown::new(&self.achieved, d),
            bonus: Shown::new(&self.bonus, d),
            penalty: Shown::new(&self.penalty, d),
            total: Shown::new(&self.total, d),
            max_total: Shown::new(&self.max_total, d),
            applicable_max: Shown::new(&self.applicable_max, d),
            index: self.index.as_ref().map(|x| Shown::new(x, d)),
        }
    }
}
