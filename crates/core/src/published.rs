//! The published results document (`parindex-results/1`, issue #6; typed in issue #16): one
//! type that the store writes when results are published and that the public portal, the
//! public API and the comparisons with past years read. The JSON text stored is the one hashed
//! (`content_hash`); documents published before a field existed still read (those fields have
//! defaults).

use serde::{Deserialize, Serialize};

use crate::Exact;
use crate::framework::Framework;
use crate::results::Group;

pub const FORMAT: &str = "parindex-results/1";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Published {
    pub format: String,
    pub period: Period,
    pub version: i32,
    pub reason: Option<String>,
    /// RFC 3339.
    pub published_at: String,
    pub decimals: u32,
    pub method: Method,
    pub previous_period: Option<PreviousPeriod>,
    pub domains: Vec<Domain>,
    /// The framework the results were computed with (docs/framework-format.md, as JSON).
    #[cfg_attr(feature = "schema", schema(value_type = Object))]
    pub framework: Framework,
    pub units: Vec<Unit>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "schema", schema(as = PublishedPeriod))]
pub struct Period {
    pub code: String,
    pub name: String,
    pub year: i32,
    /// The framework's code.
    pub framework: String,
    /// The council's approval decision, in words ("Quyết định số … ngày … (…)"); absent in
    /// documents published before it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<String>,
    /// Fed leaves some units had no data for and the council's decision, in words (issue
    /// #18); absent when every unit had its figures.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub data_notes: Vec<String>,
}

/// How the numbers were made, in words (for readers of the JSON), and the scale of groups.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "schema", schema(as = PublishedMethod))]
pub struct Method {
    #[serde(default)]
    pub index: String,
    #[serde(default)]
    pub merged_units: String,
    #[serde(default)]
    pub rank_robustness: String,
    #[serde(default)]
    pub ranking: String,
    #[serde(default)]
    pub domain_ranking: String,
    #[serde(default)]
    pub groups: Vec<Group>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "schema", schema(as = PublishedPreviousPeriod))]
pub struct PreviousPeriod {
    #[serde(default)]
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub year: i32,
    pub same_framework: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "schema", schema(as = PublishedDomain))]
pub struct Domain {
    pub code: String,
    pub title: String,
    pub max: String,
}

/// A number as published: rounded to the document's decimals, and exactly (a fraction "n/d"
/// where the decimal does not end).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Num {
    pub value: String,
    pub exact: String,
}

impl Num {
    pub fn new(x: &Exact, decimals: u32) -> Num {
        Num { value: x.to_decimal_string(decimals), exact: x.to_fraction_string() }
    }

    /// The exact value back (the decimal when the fraction cannot be read).
    pub fn exact(&self) -> Option<Exact> {
        Exact::parse(&self.exact).or_else(|| Exact::parse(&self.value))
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "schema", schema(as = PublishedUnit))]
pub struct Unit {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub rank: Option<usize>,
    pub group: Option<String>,
    pub index: Option<Num>,
    /// Σ leaves, bonuses, penalties (documents published before adjustments have none).
    #[serde(default)]
    pub achieved: Option<Num>,
    #[serde(default)]
    pub bonus: Option<Num>,
    #[serde(default)]
    pub penalty: Option<Num>,
    pub total: Num,
    pub applicable_max: Num,
    pub previous: Option<Previous>,
    #[serde(default)]
    pub rank_robustness: Option<Robustness>,
    pub domains: Vec<UnitDomain>,
    pub leaves: Vec<Leaf>,
    #[serde(default)]
    pub adjustments: Vec<Adjustment>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "schema", schema(as = PublishedPrevious))]
pub struct Previous {
    pub index: Option<Num>,
    pub rank: Option<usize>,
    /// Predecessors standing for a unit formed by a merger.
    #[serde(default)]
    pub via: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "schema", schema(as = PublishedRobustness))]
pub struct Robustness {
    pub median: usize,
    pub p5: usize,
    pub p95: usize,
    pub beats_next: Option<f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "schema", schema(as = PublishedUnitDomain))]
pub struct UnitDomain {
    pub code: String,
    pub points: Num,
    pub applicable_max: Num,
    pub rank: Option<usize>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "schema", schema(as = PublishedLeaf))]
pub struct Leaf {
    pub code: String,
    pub max: String,
    pub points: String,
    pub applicable: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "schema", schema(as = PublishedAdjustment))]
pub struct Adjustment {
    pub code: String,
    pub title: String,
    /// `bonus` or `penalty`.
    pub kind: String,
    pub max: String,
    pub points: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_their_exact_value() {
        let x = Exact::from(475) / Exact::from(9);
        let n = Num::new(&x, 2);
        assert_eq!(n.value, "52.78");
        assert_eq!(n.exact(), Some(x));
    }
}
