//! The store's side of the one result computation (`core::framework::result`, issue #16): rows
//! of `assessment_entries` become [`LeafInputs`], and [`Store::assessment_score`] scores one
//! assessment at the unit's own stage and at the stage that counts. Pages, the API and the
//! documents read totals from here; the period's results (`repo::results`) and the period list
//! (`repo::periods`) score through the same core function with the same inputs.

use std::collections::BTreeMap;

use parindex_core::framework::result::{Decision, LeafInputs, Stage, UnitScore, unit_score};
use parindex_core::framework::{Compiled, Input};

use crate::entity::assessment_entry;
use crate::repo::periods::{AssessmentView, EntryRow};
use crate::{Store, StoreError};

fn parse(s: Option<&str>) -> Option<Input> {
    s.and_then(|s| serde_json::from_str(s).ok())
}

/// A stored leaf's inputs (a decision exists from the moment it is dated, even if it cleared
/// the input).
pub(crate) fn leaf_inputs(m: &assessment_entry::Model) -> LeafInputs {
    leaf_inputs_of(m.self_input.as_deref(), m.appraised_at.map(|_| m.appraised_input.clone()), m.final_at.map(|_| m.final_input.clone()))
}

/// The same from the stored texts: `appraised` / `fin` are `Some` when that decision was made
/// (holding its input text, `None` when it cleared the input).
pub(crate) fn leaf_inputs_of(own: Option<&str>, appraised: Option<Option<String>>, fin: Option<Option<String>>) -> LeafInputs {
    LeafInputs {
        own: parse(own),
        appraised: appraised.map(|t| Decision { input: parse(t.as_deref()) }),
        fin: fin.map(|t| Decision { input: parse(t.as_deref()) }),
    }
}

impl EntryRow {
    /// This leaf's inputs for the result computation.
    pub fn inputs(&self) -> LeafInputs {
        LeafInputs {
            own: self.input.clone(),
            appraised: self.appraised_at.map(|_| Decision { input: self.appraised_input.clone() }),
            fin: self.final_at.map(|_| Decision { input: self.final_input.clone() }),
        }
    }
}

impl AssessmentView {
    pub fn leaf_inputs(&self) -> BTreeMap<String, LeafInputs> {
        self.entries.iter().map(|(k, e)| (k.clone(), e.inputs())).collect()
    }
}

/// One assessment scored: the unit's own result and the result that counts.
#[derive(Debug, Clone)]
pub struct AssessmentScore {
    pub compiled: Compiled,
    pub own: UnitScore,
    pub counted: UnitScore,
}

impl AssessmentScore {
    /// The points a leaf gets at a stage, when it has an input there and counts (applicable).
    pub fn leaf(&self, stage: Stage, code: &str) -> Option<&parindex_core::framework::score::NodeScore> {
        let s = if stage == Stage::Own { &self.own } else { &self.counted };
        let i = self.compiled.position(code)?;
        let n = &s.sheet.nodes[i];
        (!n.missing && n.applicable).then_some(n)
    }
}

impl Store {
    /// Score one assessment with its bonuses and penalties (explanations included when asked).
    pub async fn assessment_score(&self, view: &AssessmentView, explain: bool) -> Result<AssessmentScore, StoreError> {
        let compiled = Compiled::new(&view.framework).map_err(StoreError::InvalidFramework)?;
        let adjustments = self.adjustment_inputs(&[view.assessment.id]).await?.remove(&view.assessment.id).unwrap_or_default();
        let leaves = view.leaf_inputs();
        let kind = &view.assessment.unit_kind;
        let own = unit_score(&compiled, kind, &leaves, &adjustments, Stage::Own, explain);
        let counted = unit_score(&compiled, kind, &leaves, &adjustments, Stage::Counted, explain);
        Ok(AssessmentScore { compiled, own, counted })
    }
}
