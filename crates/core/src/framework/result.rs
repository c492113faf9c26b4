//! A unit's result: **the one computation** behind every total and index the product shows
//! (issue #16). The assessment page and its API answer, the self-assessment report, the
//! appraisal minutes, the period's list, the results table and its XLSX, and the published
//! snapshot all call [`unit_score`]; nothing else sums points.
//!
//! A leaf can hold three inputs: the unit's own (self-assessed; for survey leaves the survey's),
//! the appraiser's, and the final appraisal after the unit's explanation. A [`Stage`] says
//! which of them a result uses; [`LeafInputs::at`] is the single definition of "the points that
//! count": the final appraisal, else the appraisal, else the unit's own.
//!
//! A stored input the framework's rule now refuses (or a code the framework no longer has) is
//! not a reason to hide the unit: it is left out, scored as missing, and listed in
//! [`UnitScore::refused`] so that the page can say so.
//!
//! Stored points (`assessment_entries.*_points`) are a cache of [`leaf_points`] written by the
//! store when an input is saved — kept for the audit trail and the appraiser's "differs from
//! the unit's" check; no total is computed from them (docs/architecture.md).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::rule::apply;
use super::score::{Compiled, Inputs, Placed, ScoreSheet, score};
use super::{Input, Problem, Rule};
use crate::{Exact, Msg};

/// Which inputs a result is computed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// The unit's own inputs (its self-assessment; survey leaves: the survey's points).
    Own,
    /// The appraisal's input where an appraiser decided the leaf, else the unit's own.
    Appraised,
    /// What counts: the final appraisal, else the appraisal, else the unit's own.
    Counted,
}

/// An appraiser's decision on a leaf; its input is `None` when they cleared it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Decision {
    pub input: Option<Input>,
}

/// The inputs one leaf holds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LeafInputs {
    pub own: Option<Input>,
    pub appraised: Option<Decision>,
    pub fin: Option<Decision>,
}

impl LeafInputs {
    /// The input a stage uses (see [`Stage`]).
    pub fn at(&self, stage: Stage) -> Option<&Input> {
        let decided = match stage {
            Stage::Own => None,
            Stage::Appraised => self.appraised.as_ref(),
            Stage::Counted => self.fin.as_ref().or(self.appraised.as_ref()),
        };
        match decided {
            Some(d) => d.input.as_ref(),
            None => self.own.as_ref(),
        }
    }

    /// An appraiser decided this leaf (appraisal or final appraisal).
    pub fn decided(&self) -> bool {
        self.appraised.is_some() || self.fin.is_some()
    }
}

/// The points one input gives on a leaf worth `max`: `None` when marked not applicable, the
/// rule's points kept within 0..=max otherwise; the rule's refusal as its message. The engine
/// and the store's cached points both use it.
pub fn leaf_points(rule: &Rule, max: &Exact, input: &Input) -> Result<Option<Exact>, Msg> {
    if input.not_applicable {
        return Ok(None);
    }
    Ok(Some(apply(rule, max, input, false)?.points.clamp(&Exact::ZERO, max)))
}

/// A unit's scored tree at one stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitScore {
    pub stage: Stage,
    pub sheet: ScoreSheet,
    /// Stored inputs that could not be scored (left out, counted as missing), by code.
    pub refused: Vec<Problem>,
}

impl UnitScore {
    /// Applicable leaves without any input (scored 0).
    pub fn missing(&self, c: &Compiled) -> usize {
        c.leaf_positions().filter(|i| self.sheet.nodes[*i].missing && self.sheet.nodes[*i].applicable).count()
    }

    /// Points per top-level node (domain), aligned with `Compiled::tops`.
    pub fn domains<'a>(&'a self, c: &'a Compiled) -> impl Iterator<Item = &'a super::score::NodeScore> + 'a {
        c.tops().map(move |i| &self.sheet.nodes[i])
    }
}

/// Score one unit at `stage`: its leaves' inputs, its bonuses and penalties, for its kind.
pub fn unit_score(
    c: &Compiled,
    unit_kind: &str,
    leaves: &BTreeMap<String, LeafInputs>,
    adjustments: &BTreeMap<String, Input>,
    stage: Stage,
    explain: bool,
) -> UnitScore {
    let mut refused = Vec::new();
    let mut inputs = Inputs {
        unit: None,
        unit_kind: Some(unit_kind.to_string()),
        inputs: leaves.iter().filter_map(|(k, l)| l.at(stage).map(|i| (k.clone(), i.clone()))).collect(),
        adjustments: adjustments.clone(),
    };
    // codes the framework does not have (or that are not leaves): left out, named
    let placed = loop {
        match c.place(&inputs) {
            Ok(p) => break p,
            Err(problems) => {
                let before = inputs.inputs.len() + inputs.adjustments.len();
                for p in problems {
                    inputs.inputs.remove(&p.code);
                    inputs.adjustments.remove(&p.code);
                    refused.push(p);
                }
                if inputs.inputs.len() + inputs.adjustments.len() == before {
                    // a problem not tied to a code (cannot happen with a unit kind given):
                    // score nothing rather than loop
                    inputs.inputs.clear();
                    inputs.adjustments.clear();
                }
            }
        }
    };
    let sheet = score_refusing(c, placed, explain, &mut refused);
    UnitScore { stage, sheet, refused }
}

/// Score, leaving out (and listing) the inputs the rules refuse.
fn score_refusing(c: &Compiled, mut placed: Placed, explain: bool, refused: &mut Vec<Problem>) -> ScoreSheet {
    loop {
        match score(c, &placed, explain) {
            Ok(s) => return s,
            Err(problems) => {
                for p in problems {
                    if let Some(i) = c.position(&p.code) {
                        placed.leaves[i] = None;
                    } else if let Some(i) = c.adjustments.iter().position(|a| a.code == p.code) {
                        placed.adjustments[i] = None;
                    }
                    refused.push(p);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::Framework;

    fn fw() -> Compiled {
        let f: Framework = serde_json::from_value(serde_json::json!({
            "code": "T", "name": "T",
            "nodes": [
                {"code": "1", "title": "A", "children": [
                    {"code": "1.1", "title": "a", "max": 2, "rule": {"kind": "yes_no"}},
                    {"code": "1.2", "title": "b", "max": 3, "rule": {"kind": "bands", "bands": [{"range": "[0, 100]", "points": 3}]}}
                ]},
                {"code": "2", "title": "B", "children": [
                    {"code": "2.1", "title": "c", "max": 5, "rule": {"kind": "yes_no"}}
                ]}
            ],
            "adjustments": [{"code": "T1", "title": "bonus", "kind": "bonus", "max": 1, "rule": {"kind": "yes_no"}}]
        }))
        .unwrap();
        Compiled::new(&f).unwrap()
    }

    fn yes(b: bool) -> Input {
        Input { yes: Some(b), ..Default::default() }
    }

    #[test]
    fn stages_pick_final_else_appraised_else_own() {
        let l = LeafInputs { own: Some(yes(true)), appraised: Some(Decision { input: Some(yes(false)) }), fin: None };
        assert_eq!(l.at(Stage::Own), Some(&yes(true)));
        assert_eq!(l.at(Stage::Appraised), Some(&yes(false)));
        assert_eq!(l.at(Stage::Counted), Some(&yes(false)));
        let l = LeafInputs { fin: Some(Decision { input: Some(yes(true)) }), ..l };
        assert_eq!(l.at(Stage::Appraised), Some(&yes(false)));
        assert_eq!(l.at(Stage::Counted), Some(&yes(true)));
        // a decision that cleared the input counts as no input
        let l = LeafInputs { own: Some(yes(true)), appraised: Some(Decision { input: None }), fin: None };
        assert_eq!(l.at(Stage::Counted), None);
        assert!(l.decided());
    }

    #[test]
    fn totals_with_adjustments_and_refused_inputs() {
        let c = fw();
        let mut leaves = BTreeMap::new();
        leaves.insert("1.1".to_string(), LeafInputs { own: Some(yes(true)), ..Default::default() });
        leaves.insert(
            "2.1".to_string(),
            LeafInputs { own: Some(yes(true)), appraised: Some(Decision { input: Some(yes(false)) }), fin: None },
        );
        // a stored input the rule refuses, and a code the framework does not have
        leaves.insert("1.2".to_string(), LeafInputs { own: Some(yes(true)), ..Default::default() });
        leaves.insert("9.9".to_string(), LeafInputs { own: Some(yes(true)), ..Default::default() });
        let adj: BTreeMap<String, Input> = [("T1".to_string(), yes(true))].into();
        let own = unit_score(&c, "x", &leaves, &adj, Stage::Own, false);
        assert_eq!(own.sheet.achieved, Exact::from(7));
        assert_eq!(own.sheet.total, Exact::from(8));
        assert_eq!(own.refused.iter().map(|p| p.code.as_str()).collect::<Vec<_>>(), ["9.9", "1.2"]);
        assert_eq!(own.missing(&c), 1, "the refused leaf counts as missing");
        let counted = unit_score(&c, "x", &leaves, &adj, Stage::Counted, false);
        assert_eq!(counted.sheet.total, Exact::from(3));
        assert_eq!(counted.sheet.index, Some(Exact::from(30)));
        assert_eq!(counted.domains(&c).map(|d| d.points.clone()).collect::<Vec<_>>(), [Exact::from(2), Exact::ZERO]);
    }

    #[test]
    fn leaf_points_clamps_and_skips_not_applicable() {
        let na = Input { not_applicable: true, ..Default::default() };
        assert_eq!(leaf_points(&Rule::YesNo, &Exact::from(2), &na), Ok(None));
        assert_eq!(leaf_points(&Rule::YesNo, &Exact::from(2), &yes(true)), Ok(Some(Exact::from(2))));
    }
}
