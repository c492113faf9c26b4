//! Criteria frameworks (bộ chỉ số): the one model from which forms, computations, pages and
//! reports are derived. A framework is a tree of nodes of any depth; leaves carry a maximum and
//! a scoring rule (`rule.rs`), parents are the sum of their children. `validate.rs` lists every
//! problem of a framework, `score.rs` turns one unit's inputs into points, sums and the index.
//!
//! The serde form of these types *is* the documented text format (docs/framework-format.md).

pub mod crosswalk;
pub mod edit;
pub mod result;
pub mod rule;
pub mod score;
pub mod synthetic;
pub mod validate;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use result::{LeafInputs, Stage, UnitScore, unit_score};
pub use rule::{Band, Input, Rule, RuleOption};
pub use score::{Compiled, ScoreSheet, score};
pub use validate::{Problem, validate};

use crate::Exact;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    #[default]
    Draft,
    Published,
    Archived,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Published => "published",
            Status::Archived => "archived",
        }
    }
    pub fn parse(s: &str) -> Option<Status> {
        match s {
            "draft" => Some(Status::Draft),
            "published" => Some(Status::Published),
            "archived" => Some(Status::Archived),
            _ => None,
        }
    }
}

/// The decision that issued the framework.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct LegalBasis {
    pub number: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
}

/// Where a leaf's points come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Self-assessed by the unit, checked by appraisal (the default).
    #[default]
    SelfAssessed,
    /// From a survey result (0..1).
    Survey,
    /// From data imported from another system.
    Imported,
    /// Computed by the system from other data.
    Computed,
}

impl Source {
    fn is_default(&self) -> bool {
        *self == Source::SelfAssessed
    }
}

/// Evidence a leaf asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Evidence {
    #[serde(default)]
    pub required: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<String>,
}

/// Codes may be written as text or whole numbers; a decimal number is refused because YAML
/// would read `1.10` as `1.1`.
pub mod code {
    use std::fmt;

    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        d.deserialize_any(CodeVisitor)
    }

    pub fn serialize<S: serde::Serializer>(code: &str, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(code)
    }

    pub struct CodeVisitor;

    impl serde::de::Visitor<'_> for CodeVisitor {
        type Value = String;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a code such as \"1.2.3\"")
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<String, E> {
            Ok(v.trim().to_string())
        }
        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<String, E> {
            Err(E::custom(format!(
                "write the code {v} in quotes (\"{v}\"): unquoted, 1.10 would be read as 1.1 / hãy đặt mã {v} trong dấu ngoặc kép"
            )))
        }
    }

    /// A map key that is a code (inputs files).
    #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
    pub struct CodeKey(pub String);

    impl<'de> serde::Deserialize<'de> for CodeKey {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<CodeKey, D::Error> {
            d.deserialize_any(CodeVisitor).map(CodeKey)
        }
    }
}

/// A node of the tree: a domain, criterion or sub-criterion. Leaves have no children.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Node {
    #[serde(with = "code")]
    pub code: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guidance: Option<String>,
    /// Required on leaves; on a parent it is optional and, when given, must equal the sum.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<Exact>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<Rule>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Evidence>,
    /// Code of the unit that appraises this node (e.g. the Department of Justice).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appraiser: Option<String>,
    #[serde(default, skip_serializing_if = "Source::is_default")]
    pub source: Source,
    /// Unit kinds this node applies to; empty means every kind of the framework.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub applies_to: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<Node>,
}

impl Node {
    pub fn is_leaf(&self) -> bool {
        self.children.is_empty()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdjustmentKind {
    Bonus,
    Penalty,
}

/// A bonus or penalty outside the 100-point tree, capped by its own `max`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Adjustment {
    #[serde(with = "code")]
    pub code: String,
    pub title: String,
    pub kind: AdjustmentKind,
    pub max: Exact,
    pub rule: Rule,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guidance: Option<String>,
}

/// A whole framework (one version).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Framework {
    pub code: String,
    pub name: String,
    /// A sample framework, not an official text (shown as such everywhere).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sample: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legal_basis: Option<LegalBasis>,
    /// Kinds of unit assessed with this framework (agency, commune, ward, province…).
    #[serde(default)]
    pub unit_kinds: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_to: Option<i32>,
    #[serde(default)]
    pub status: Status,
    /// The declared total of the tree (usually 100); checked when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<Exact>,
    /// Decimal places shown for points and the index (rounding half away from zero).
    #[serde(default = "default_decimals")]
    pub decimals: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub nodes: Vec<Node>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub adjustments: Vec<Adjustment>,
}

fn default_decimals() -> u32 {
    2
}

impl Framework {
    /// Every node in pre-order with its depth (0 = domain).
    pub fn walk(&self) -> Vec<(usize, &Node)> {
        fn go<'a>(n: &'a Node, depth: usize, out: &mut Vec<(usize, &'a Node)>) {
            out.push((depth, n));
            for c in &n.children {
                go(c, depth + 1, out);
            }
        }
        let mut out = Vec::new();
        for n in &self.nodes {
            go(n, 0, &mut out);
        }
        out
    }

    pub fn leaves(&self) -> impl Iterator<Item = &Node> {
        self.walk().into_iter().map(|(_, n)| n).filter(|n| n.is_leaf()).collect::<Vec<_>>().into_iter()
    }

    pub fn find(&self, code: &str) -> Option<&Node> {
        self.walk().into_iter().map(|(_, n)| n).find(|n| n.code == code)
    }

    /// Each leaf with the agency that appraises it: its own `appraiser`, else the nearest
    /// ancestor's; `None` when nobody is named (the reform office's appraisers take those).
    pub fn appraisers(&self) -> Vec<(&Node, Option<&str>)> {
        fn go<'a>(n: &'a Node, inherited: Option<&'a str>, out: &mut Vec<(&'a Node, Option<&'a str>)>) {
            let mine = n.appraiser.as_deref().or(inherited);
            if n.is_leaf() {
                out.push((n, mine));
            }
            n.children.iter().for_each(|c| go(c, mine, out));
        }
        let mut out = Vec::new();
        self.nodes.iter().for_each(|n| go(n, None, &mut out));
        out
    }

    /// The sum of the leaves' maxima.
    pub fn max_total(&self) -> Exact {
        self.leaves().filter_map(|n| n.max.clone()).sum()
    }
}
