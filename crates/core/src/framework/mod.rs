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
use crate::inspections::Topic;
use crate::onestop::Measure;

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

/// Where a leaf's points come from. Written `source: self_assessed` (the default),
/// `source: survey`, or `source: { feed: <name> }` for data fed by a register or an import
/// (issue #18); the older `source: imported` reads as `{ feed: imported }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Source {
    /// Self-assessed by the unit, checked by appraisal (the default).
    #[default]
    SelfAssessed,
    /// From a survey result (0..1).
    Survey,
    /// From data fed by a register or uploaded by the office: the unit does not score it.
    Feed(Feed),
}

impl Source {
    fn is_default(&self) -> bool {
        *self == Source::SelfAssessed
    }

    /// The leaf's feed, if its points come from one.
    pub fn feed(&self) -> Option<Feed> {
        match self {
            Source::Feed(f) => Some(*f),
            _ => None,
        }
    }

    /// A short stable key: `self_assessed`, `survey`, `feed:imported`.
    pub fn key(&self) -> String {
        match self {
            Source::SelfAssessed => "self_assessed".into(),
            Source::Survey => "survey".into(),
            Source::Feed(f) => format!("feed:{}", f.key()),
        }
    }

    /// Read a key written by [`Source::key`] (also the bare feed name and `imported`).
    pub fn parse(s: &str) -> Option<Source> {
        match s.trim() {
            "self_assessed" | "" => Some(Source::SelfAssessed),
            "survey" => Some(Source::Survey),
            "imported" => Some(Source::Feed(Feed::Imported)),
            other => Feed::parse(other.strip_prefix("feed:").unwrap_or(other).trim()).map(Source::Feed),
        }
    }
}

/// A feed: where a fed leaf's input comes from (`register.measure`). Every feed the system knows
/// is listed in [`Feed::ALL`]; a framework naming another one is refused when it is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Feed {
    /// A value table uploaded by the reform office or the appraising department (XLSX, API, CLI).
    Imported,
    /// A measure of the one-stop statistics register over the period's year
    /// (`onestop.on_time_rate`, …).
    Onestop(crate::onestop::Measure),
    /// A measure of the public-apology register over the period's year
    /// (`apology.unapologised_late_count`, `apology.coverage_rate`).
    Apology(crate::apology::Measure),
    /// A measure of the plans register over the period's year (`plans.tasks_done_share`, …).
    Plans(crate::plans::Measure),
    /// A measure of the periodic reports over the period's year (`reports.on_time_count`, …).
    Reports(crate::reporting::Measure),
    /// A measure of the inspections register over the period's year, of one topic or of every
    /// topic (`inspections.remediation_rate` — every topic —, `inspections.remediation_rate.cchc`).
    Inspections(crate::inspections::Measure, crate::inspections::Topic),
}

impl Feed {
    pub const ALL: &'static [Feed] = &[
        Feed::Imported,
        Feed::Onestop(Measure::OnTimeRate),
        Feed::Onestop(Measure::OnlineRate),
        Feed::Onestop(Measure::OnlineFullRate),
        Feed::Onestop(Measure::OnlinePaymentRate),
        Feed::Onestop(Measure::DigitisedResultsRate),
        Feed::Onestop(Measure::LateCount),
        Feed::Apology(crate::apology::Measure::UnapologisedLateCount),
        Feed::Apology(crate::apology::Measure::CoverageRate),
        Feed::Plans(crate::plans::Measure::UnitPlanOnTime),
        Feed::Plans(crate::plans::Measure::TasksDoneShare),
        Feed::Plans(crate::plans::Measure::TasksDoneOnTimeShare),
        Feed::Reports(crate::reporting::Measure::OnTimeCount),
        Feed::Reports(crate::reporting::Measure::CompleteShare),
        // the inspections feeds of every topic and of the sample topics; another topic is read
        // by `Feed::parse`
        Feed::Inspections(crate::inspections::Measure::Inspected, Topic::ANY),
        Feed::Inspections(crate::inspections::Measure::Inspected, Topic::CCHC),
        Feed::Inspections(crate::inspections::Measure::Inspected, Topic::RECORDS),
        Feed::Inspections(crate::inspections::Measure::Inspected, Topic::INTERNAL),
        Feed::Inspections(crate::inspections::Measure::RemediationRate, Topic::ANY),
        Feed::Inspections(crate::inspections::Measure::RemediationRate, Topic::CCHC),
        Feed::Inspections(crate::inspections::Measure::RemediationRate, Topic::RECORDS),
        Feed::Inspections(crate::inspections::Measure::RemediationRate, Topic::INTERNAL),
        Feed::Inspections(crate::inspections::Measure::OverdueRecommendations, Topic::ANY),
        Feed::Inspections(crate::inspections::Measure::OverdueRecommendations, Topic::CCHC),
        Feed::Inspections(crate::inspections::Measure::OverdueRecommendations, Topic::RECORDS),
        Feed::Inspections(crate::inspections::Measure::OverdueRecommendations, Topic::INTERNAL),
    ];

    /// The name written in a framework: `imported`, `onestop.on_time_rate`, …
    pub fn key(&self) -> String {
        if let Feed::Inspections(m, t) = self {
            return if t.is_any() { format!("inspections.{}", m.key()) } else { format!("inspections.{}.{}", m.key(), t.as_str()) };
        }
        self.static_key().to_string()
    }

    fn static_key(&self) -> &'static str {
        match self {
            Feed::Inspections(..) => "inspections",
            Feed::Imported => "imported",
            Feed::Onestop(Measure::OnTimeRate) => "onestop.on_time_rate",
            Feed::Onestop(Measure::OnlineRate) => "onestop.online_rate",
            Feed::Onestop(Measure::OnlineFullRate) => "onestop.online_full_rate",
            Feed::Onestop(Measure::OnlinePaymentRate) => "onestop.online_payment_rate",
            Feed::Onestop(Measure::DigitisedResultsRate) => "onestop.digitised_results_rate",
            Feed::Onestop(Measure::LateCount) => "onestop.late_count",
            Feed::Apology(crate::apology::Measure::UnapologisedLateCount) => "apology.unapologised_late_count",
            Feed::Apology(crate::apology::Measure::CoverageRate) => "apology.coverage_rate",
            Feed::Plans(crate::plans::Measure::UnitPlanOnTime) => "plans.unit_plan_on_time",
            Feed::Plans(crate::plans::Measure::TasksDoneShare) => "plans.tasks_done_share",
            Feed::Plans(crate::plans::Measure::TasksDoneOnTimeShare) => "plans.tasks_done_on_time_share",
            Feed::Reports(crate::reporting::Measure::OnTimeCount) => "reports.on_time_count",
            Feed::Reports(crate::reporting::Measure::CompleteShare) => "reports.complete_share",
        }
    }

    /// Whether a leaf's rule can read what the feed gives (an imported table takes any rule's
    /// input; a register's rate needs `proportional` or `bands`, a count `deduction`).
    pub fn fits(&self, rule: &Rule) -> bool {
        match self {
            Feed::Imported => *rule != Rule::Survey,
            Feed::Onestop(m) => m.fits(rule),
            Feed::Apology(m) => m.fits(rule),
            Feed::Plans(m) => m.fits(rule),
            Feed::Reports(m) => m.fits(rule),
            Feed::Inspections(m, _) => m.fits(rule),
        }
    }

    /// A feed's name; an inspections feed may name any topic (topics are data):
    /// `inspections.<measure>` or `inspections.<measure>.<topic>`.
    pub fn parse(s: &str) -> Option<Feed> {
        if let Some(rest) = s.strip_prefix("inspections.") {
            let (m, t) = rest.split_once('.').map_or((rest, None), |(m, t)| (m, Some(t)));
            let measure = crate::inspections::Measure::parse(m)?;
            let topic = match t {
                None => Topic::ANY,
                Some(t) => Topic::new(t)?,
            };
            return Some(Feed::Inspections(measure, topic));
        }
        Feed::ALL.iter().copied().find(|f| f.key() == s)
    }

    /// What the feed is, for people (Vietnamese, English).
    pub fn label(&self) -> (String, String) {
        if let Feed::Inspections(m, t) = self {
            let ((mv, me), (tv, te)) = (m.label(), t.label());
            return (
                format!("Kiểm tra ({tv}): {}", crate::text::lower_first(mv)),
                format!("Inspections ({te}): {}", crate::text::lower_first(me)),
            );
        }
        let (vi, en) = self.static_label();
        (vi.to_string(), en.to_string())
    }

    fn static_label(&self) -> (&'static str, &'static str) {
        match self {
            Feed::Inspections(..) => ("Kiểm tra", "Inspections"),
            Feed::Imported => {
                ("Bảng số liệu do Văn phòng hoặc sở thẩm định tải lên", "A value table uploaded by the office or the appraising department")
            }
            Feed::Onestop(Measure::OnTimeRate) => ("Thống kê một cửa: tỷ lệ giải quyết đúng hạn", "One-stop statistics: on-time rate"),
            Feed::Onestop(Measure::OnlineRate) => ("Thống kê một cửa: tỷ lệ tiếp nhận trực tuyến", "One-stop statistics: online rate"),
            Feed::Onestop(Measure::OnlineFullRate) => {
                ("Thống kê một cửa: tỷ lệ trực tuyến toàn trình", "One-stop statistics: online full-process rate")
            }
            Feed::Onestop(Measure::OnlinePaymentRate) => {
                ("Thống kê một cửa: tỷ lệ thanh toán trực tuyến", "One-stop statistics: online payment rate")
            }
            Feed::Onestop(Measure::DigitisedResultsRate) => {
                ("Thống kê một cửa: tỷ lệ số hóa kết quả", "One-stop statistics: digitised results rate")
            }
            Feed::Onestop(Measure::LateCount) => ("Thống kê một cửa: số hồ sơ trễ hạn", "One-stop statistics: late files"),
            Feed::Apology(crate::apology::Measure::UnapologisedLateCount) => {
                ("Sổ xin lỗi công khai: số hồ sơ chưa xin lỗi đúng hạn", "Apology register: cases not apologised for in time")
            }
            Feed::Apology(crate::apology::Measure::CoverageRate) => {
                ("Sổ xin lỗi công khai: tỷ lệ đã xin lỗi đúng hạn", "Apology register: share apologised for in time")
            }
            Feed::Plans(crate::plans::Measure::UnitPlanOnTime) => {
                ("Kế hoạch CCHC: kế hoạch của đơn vị ban hành đúng hạn", "Reform plans: the unit's plan issued on time")
            }
            Feed::Plans(crate::plans::Measure::TasksDoneShare) => {
                ("Kế hoạch CCHC: tỷ lệ nhiệm vụ hoàn thành", "Reform plans: share of tasks done")
            }
            Feed::Plans(crate::plans::Measure::TasksDoneOnTimeShare) => {
                ("Kế hoạch CCHC: tỷ lệ nhiệm vụ hoàn thành đúng hạn", "Reform plans: share of tasks done on time")
            }
            Feed::Reports(crate::reporting::Measure::OnTimeCount) => {
                ("Báo cáo định kỳ: số báo cáo gửi đúng hạn", "Periodic reports: reports sent on time")
            }
            Feed::Reports(crate::reporting::Measure::CompleteShare) => {
                ("Báo cáo định kỳ: tỷ lệ báo cáo được tiếp nhận", "Periodic reports: share of reports accepted")
            }
        }
    }

    /// The listed feeds, and the form an inspections feed of any topic takes.
    fn known() -> String {
        Feed::ALL.iter().map(|f| f.key()).chain(["inspections.<measure>.<topic>".to_string()]).collect::<Vec<_>>().join(", ")
    }
}

impl Serialize for Source {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        match self {
            Source::SelfAssessed => s.serialize_str("self_assessed"),
            Source::Survey => s.serialize_str("survey"),
            Source::Feed(f) => {
                let mut m = s.serialize_map(Some(1))?;
                m.serialize_entry("feed", &f.key())?;
                m.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for Source {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Source, D::Error> {
        d.deserialize_any(SourceVisitor)
    }
}

struct SourceVisitor;

impl<'de> serde::de::Visitor<'de> for SourceVisitor {
    type Value = Source;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("self_assessed, survey or { feed: <name> }")
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Source, E> {
        match v.trim() {
            "self_assessed" => Ok(Source::SelfAssessed),
            "survey" => Ok(Source::Survey),
            "imported" => Ok(Source::Feed(Feed::Imported)),
            other => Err(E::custom(format!(
                "unknown source {other:?}: write self_assessed, survey or {{ feed: <name> }} with one of: {} / nguồn điểm không hợp lệ",
                Feed::known()
            ))),
        }
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Source, A::Error> {
        use serde::de::Error;
        let mut feed: Option<String> = None;
        while let Some(k) = map.next_key::<String>()? {
            if k != "feed" || feed.is_some() {
                return Err(A::Error::custom(format!("source takes one key, feed (not {k:?})")));
            }
            feed = Some(map.next_value::<String>()?);
        }
        let name = feed.ok_or_else(|| A::Error::custom("source: { feed: <name> } needs the feed's name"))?;
        Feed::parse(name.trim()).map(Source::Feed).ok_or_else(|| {
            A::Error::custom(format!(
                "unknown feed {name:?}: the system knows {} / nguồn dữ liệu {name:?} không có; các nguồn có: {}",
                Feed::known(),
                Feed::known()
            ))
        })
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
