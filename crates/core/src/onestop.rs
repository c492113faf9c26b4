//! One-stop statistics (Bộ phận một cửa, issue #18): each unit's monthly counts of files, per
//! procedure field, as the provincial one-stop system reports them — received (online, in person,
//! by post), resolved early / on time / late, pending within or over the time limit, returned,
//! online full-process submissions, files with fees and those paid online, results and records
//! digitised — and the rates computed from them.
//!
//! Every rate is one [`Measure`]: a numerator and a denominator of counts, kept exact (a rate is
//! the fraction itself; it is rounded only when shown), with its formula in words. The office's
//! dashboard, the public page, the unit's page and the criteria fed by the one-stop register
//! (`feed: onestop.on_time_rate`, …) all call [`Measure::of`], so a rate is computed in one place.

use serde::{Deserialize, Serialize};

use crate::Exact;
use crate::framework::{Input, Rule};
use crate::msg::Msg;

/// The counted fields of a month's row: key (column of the API and of our template), Vietnamese
/// and English names.
pub const FIELDS: [(&str, &str, &str); 14] = [
    ("received_online", "Tiếp nhận trực tuyến", "Received online"),
    ("received_direct", "Tiếp nhận trực tiếp", "Received in person"),
    ("received_post", "Tiếp nhận qua bưu chính", "Received by post"),
    ("resolved_early", "Giải quyết trước hạn", "Resolved early"),
    ("resolved_on_time", "Giải quyết đúng hạn", "Resolved on time"),
    ("resolved_late", "Giải quyết quá hạn", "Resolved late"),
    ("pending_within", "Đang giải quyết trong hạn", "Pending within the time limit"),
    ("pending_over", "Đang giải quyết quá hạn", "Pending over the time limit"),
    ("returned", "Trả lại, rút hồ sơ", "Returned or withdrawn"),
    ("online_full", "Trực tuyến toàn trình", "Online full process"),
    ("fee_files", "Hồ sơ phải nộp phí, lệ phí", "Files with fees"),
    ("paid_online", "Thanh toán trực tuyến", "Fees paid online"),
    ("results_digitised", "Kết quả giải quyết được số hóa", "Results digitised"),
    ("records_digitised", "Hồ sơ được số hóa", "Records digitised"),
];

/// The largest count a cell may hold (a unit's files in a month are far fewer).
pub const MAX_COUNT: i64 = 1_000_000_000;

/// One row's counts (or a sum of rows).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Counts {
    #[serde(default)]
    pub received_online: i64,
    #[serde(default)]
    pub received_direct: i64,
    #[serde(default)]
    pub received_post: i64,
    #[serde(default)]
    pub resolved_early: i64,
    #[serde(default)]
    pub resolved_on_time: i64,
    #[serde(default)]
    pub resolved_late: i64,
    #[serde(default)]
    pub pending_within: i64,
    #[serde(default)]
    pub pending_over: i64,
    #[serde(default)]
    pub returned: i64,
    #[serde(default)]
    pub online_full: i64,
    #[serde(default)]
    pub fee_files: i64,
    #[serde(default)]
    pub paid_online: i64,
    #[serde(default)]
    pub results_digitised: i64,
    #[serde(default)]
    pub records_digitised: i64,
}

impl Counts {
    /// The counts in the order of [`FIELDS`].
    pub fn values(&self) -> [i64; 14] {
        [
            self.received_online,
            self.received_direct,
            self.received_post,
            self.resolved_early,
            self.resolved_on_time,
            self.resolved_late,
            self.pending_within,
            self.pending_over,
            self.returned,
            self.online_full,
            self.fee_files,
            self.paid_online,
            self.results_digitised,
            self.records_digitised,
        ]
    }

    /// Build from values in the order of [`FIELDS`].
    pub fn from_values(v: [i64; 14]) -> Counts {
        Counts {
            received_online: v[0],
            received_direct: v[1],
            received_post: v[2],
            resolved_early: v[3],
            resolved_on_time: v[4],
            resolved_late: v[5],
            pending_within: v[6],
            pending_over: v[7],
            returned: v[8],
            online_full: v[9],
            fee_files: v[10],
            paid_online: v[11],
            results_digitised: v[12],
            records_digitised: v[13],
        }
    }

    pub fn add(&mut self, o: &Counts) {
        let mut v = self.values();
        for (a, b) in v.iter_mut().zip(o.values()) {
            *a = a.saturating_add(b);
        }
        *self = Counts::from_values(v);
    }

    pub fn received(&self) -> i64 {
        self.received_online + self.received_direct + self.received_post
    }

    pub fn resolved(&self) -> i64 {
        self.resolved_early + self.resolved_on_time + self.resolved_late
    }

    /// What a row must satisfy, each problem with its field: counts within 0..=MAX_COUNT, a part
    /// never above its whole.
    pub fn problems(&self) -> Vec<(&'static str, Msg)> {
        let mut out = Vec::new();
        for ((key, vi, en), v) in FIELDS.iter().zip(self.values()) {
            if !(0..=MAX_COUNT).contains(&v) {
                out.push((
                    *key,
                    Msg::new(format!("“{vi}” = {v}: phải là số nguyên từ 0"), format!("“{en}” = {v}: must be a whole number ≥ 0")),
                ));
            }
        }
        if !out.is_empty() {
            return out;
        }
        let mut part = |key: &'static str, p: i64, whole: i64, vi: &str, en: &str| {
            if p > whole {
                out.push((key, Msg::new(format!("{p} lớn hơn {vi} ({whole})"), format!("{p} exceeds {en} ({whole})"))));
            }
        };
        part("online_full", self.online_full, self.received_online, "số tiếp nhận trực tuyến", "the files received online");
        part("paid_online", self.paid_online, self.fee_files, "số hồ sơ phải nộp phí, lệ phí", "the files with fees");
        part("results_digitised", self.results_digitised, self.resolved(), "số hồ sơ đã giải quyết", "the files resolved");
        part("records_digitised", self.records_digitised, self.received(), "số hồ sơ tiếp nhận", "the files received");
        out
    }
}

/// A measure of the one-stop register: a rate (numerator ÷ denominator) or a count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    OnTimeRate,
    OnlineRate,
    OnlineFullRate,
    OnlinePaymentRate,
    DigitisedResultsRate,
    LateCount,
}

/// A measure's value: the exact counts behind it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Value {
    Rate {
        numerator: i64,
        denominator: i64,
    },
    Count {
        count: i64,
    },
    /// A fact that holds or not (a plan signed on time: `plans.unit_plan_on_time`).
    Flag {
        yes: bool,
    },
}

impl Value {
    /// The rate in percent, exact (none when nothing was counted).
    pub fn percent(&self) -> Option<Exact> {
        match *self {
            Value::Rate { denominator: 0, .. } => None,
            Value::Rate { numerator, denominator } => Some(Exact::ratio(100 * numerator as i128, denominator as i128)),
            Value::Count { count } => Some(Exact::int(count)),
            Value::Flag { .. } => None,
        }
    }

    /// As shown: "92,5 % (185/200)", "—" with no files, "12".
    pub fn shown(&self, vi: bool) -> String {
        match *self {
            Value::Rate { denominator: 0, .. } => "—".into(),
            Value::Rate { numerator, denominator } => {
                let p = self.percent().unwrap_or(Exact::ZERO);
                let p = if vi { p.to_vi(1) } else { p.to_decimal_string(1) };
                format!("{p} % ({numerator}/{denominator})")
            }
            Value::Count { count } => count.to_string(),
            Value::Flag { yes } => match (yes, vi) {
                (true, true) => "có".into(),
                (false, true) => "không".into(),
                (true, false) => "yes".into(),
                (false, false) => "no".into(),
            },
        }
    }

    /// The input of a leaf whose rule reads this value: a rate is the numerator and denominator
    /// of a `proportional` rule or the percentage of a `bands` rule, a count the count of a
    /// `deduction` rule. With no file at all (denominator 0), the leaf does not apply.
    pub fn to_input(&self, rule: &Rule) -> Result<Input, Msg> {
        match (*self, rule) {
            (Value::Rate { denominator: 0, .. }, Rule::Proportional | Rule::Bands { .. }) => {
                Ok(Input { not_applicable: true, ..Default::default() })
            }
            (Value::Rate { numerator, denominator }, Rule::Proportional) => {
                Ok(Input { numerator: Some(Exact::int(numerator)), denominator: Some(Exact::int(denominator)), ..Default::default() })
            }
            (Value::Rate { .. }, Rule::Bands { .. }) => Ok(Input { percent: self.percent(), ..Default::default() }),
            (Value::Count { count }, Rule::Deduction { .. }) => Ok(Input { count: Some(Exact::int(count)), ..Default::default() }),
            // reports sent on time of those due: a deduction rule counts the ones that were not
            (Value::Rate { numerator, denominator }, Rule::Deduction { .. }) => {
                Ok(Input { count: Some(Exact::int(denominator - numerator)), ..Default::default() })
            }
            (Value::Flag { yes }, Rule::YesNo) => Ok(Input { yes: Some(yes), ..Default::default() }),
            _ => Err(Msg::new(
                format!("quy tắc {} không đọc được giá trị này", rule.kind()),
                format!("a {} rule cannot read this value", rule.kind()),
            )),
        }
    }
}

impl Measure {
    pub const ALL: [Measure; 6] = [
        Measure::OnTimeRate,
        Measure::OnlineRate,
        Measure::OnlineFullRate,
        Measure::OnlinePaymentRate,
        Measure::DigitisedResultsRate,
        Measure::LateCount,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Measure::OnTimeRate => "on_time_rate",
            Measure::OnlineRate => "online_rate",
            Measure::OnlineFullRate => "online_full_rate",
            Measure::OnlinePaymentRate => "online_payment_rate",
            Measure::DigitisedResultsRate => "digitised_results_rate",
            Measure::LateCount => "late_count",
        }
    }

    pub fn parse(s: &str) -> Option<Measure> {
        Measure::ALL.into_iter().find(|m| m.key() == s)
    }

    pub fn is_rate(self) -> bool {
        self != Measure::LateCount
    }

    /// Its name (Vietnamese, English).
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            Measure::OnTimeRate => ("Tỷ lệ giải quyết đúng hạn", "On-time rate"),
            Measure::OnlineRate => ("Tỷ lệ tiếp nhận trực tuyến", "Online submission rate"),
            Measure::OnlineFullRate => ("Tỷ lệ hồ sơ trực tuyến toàn trình", "Online full-process rate"),
            Measure::OnlinePaymentRate => ("Tỷ lệ thanh toán trực tuyến", "Online payment rate"),
            Measure::DigitisedResultsRate => ("Tỷ lệ số hóa kết quả giải quyết", "Digitised results rate"),
            Measure::LateCount => ("Số hồ sơ trễ hạn", "Late files"),
        }
    }

    /// Its formula in words (Vietnamese, English).
    pub fn formula(self) -> (&'static str, &'static str) {
        match self {
            Measure::OnTimeRate => (
                "(giải quyết trước hạn + đúng hạn) ÷ (trước hạn + đúng hạn + quá hạn)",
                "(resolved early + on time) ÷ (early + on time + late)",
            ),
            Measure::OnlineRate => {
                ("tiếp nhận trực tuyến ÷ (trực tuyến + trực tiếp + bưu chính)", "received online ÷ (online + in person + by post)")
            }
            Measure::OnlineFullRate => (
                "hồ sơ trực tuyến toàn trình ÷ (trực tuyến + trực tiếp + bưu chính)",
                "online full-process files ÷ (online + in person + by post)",
            ),
            Measure::OnlinePaymentRate => ("thanh toán trực tuyến ÷ hồ sơ phải nộp phí, lệ phí", "fees paid online ÷ files with fees"),
            Measure::DigitisedResultsRate => (
                "kết quả được số hóa ÷ hồ sơ đã giải quyết (trước hạn + đúng hạn + quá hạn)",
                "results digitised ÷ files resolved (early + on time + late)",
            ),
            Measure::LateCount => ("giải quyết quá hạn + đang giải quyết quá hạn", "resolved late + pending over the time limit"),
        }
    }

    /// The measure of some counts — the one place each rate is computed.
    pub fn of(self, c: &Counts) -> Value {
        let rate = |numerator: i64, denominator: i64| Value::Rate { numerator, denominator };
        match self {
            Measure::OnTimeRate => rate(c.resolved_early + c.resolved_on_time, c.resolved()),
            Measure::OnlineRate => rate(c.received_online, c.received()),
            Measure::OnlineFullRate => rate(c.online_full, c.received()),
            Measure::OnlinePaymentRate => rate(c.paid_online, c.fee_files),
            Measure::DigitisedResultsRate => rate(c.results_digitised, c.resolved()),
            Measure::LateCount => Value::Count { count: c.resolved_late + c.pending_over },
        }
    }

    /// Whether a leaf's rule can read this measure.
    pub fn fits(self, rule: &Rule) -> bool {
        if self.is_rate() { matches!(rule, Rule::Proportional | Rule::Bands { .. }) } else { matches!(rule, Rule::Deduction { .. }) }
    }
}

/// A month "YYYY-MM" read strictly (also "MM/YYYY" and "M/YYYY" as the one-stop system writes
/// it); returns (year, month).
pub fn parse_month(s: &str) -> Option<(i32, u32)> {
    let t = s.trim();
    let (y, m) = if let Some((a, b)) = t.split_once('-') {
        (a, b)
    } else if let Some((a, b)) = t.split_once('/') {
        (b, a)
    } else {
        return None;
    };
    if y.len() != 4 || m.is_empty() || m.len() > 2 || !y.bytes().chain(m.bytes()).all(|c| c.is_ascii_digit()) {
        return None;
    }
    let (y, m): (i32, u32) = (y.parse().ok()?, m.parse().ok()?);
    ((2000..=2100).contains(&y) && (1..=12).contains(&m)).then_some((y, m))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts() -> Counts {
        Counts {
            received_online: 120,
            received_direct: 70,
            received_post: 10,
            resolved_early: 40,
            resolved_on_time: 145,
            resolved_late: 15,
            pending_over: 3,
            online_full: 80,
            fee_files: 50,
            paid_online: 20,
            results_digitised: 190,
            records_digitised: 150,
            ..Default::default()
        }
    }

    #[test]
    fn rates_are_exact_fractions_of_the_counts() {
        let c = counts();
        assert_eq!(Measure::OnTimeRate.of(&c), Value::Rate { numerator: 185, denominator: 200 });
        assert_eq!(Measure::OnTimeRate.of(&c).percent(), Exact::parse("92.5"));
        assert_eq!(Measure::OnlineRate.of(&c), Value::Rate { numerator: 120, denominator: 200 });
        assert_eq!(Measure::OnlineFullRate.of(&c), Value::Rate { numerator: 80, denominator: 200 });
        assert_eq!(Measure::OnlinePaymentRate.of(&c).percent(), Exact::parse("40"));
        assert_eq!(Measure::DigitisedResultsRate.of(&c), Value::Rate { numerator: 190, denominator: 200 });
        assert_eq!(Measure::LateCount.of(&c), Value::Count { count: 18 });
        assert_eq!(Measure::OnTimeRate.of(&c).shown(true), "92,5 % (185/200)");
        // a third stays a third: never a rounded float
        let third = Value::Rate { numerator: 1, denominator: 3 };
        assert_eq!(third.percent(), Some(Exact::ratio(100, 3)));
        assert_eq!(Value::Rate { numerator: 0, denominator: 0 }.shown(true), "—");
    }

    #[test]
    fn a_value_becomes_the_input_its_rule_reads() {
        let v = Value::Rate { numerator: 185, denominator: 200 };
        let i = v.to_input(&Rule::Proportional).unwrap();
        assert_eq!((i.numerator, i.denominator), (Some(Exact::int(185)), Some(Exact::int(200))));
        let bands = Rule::Bands { bands: vec![] };
        assert_eq!(v.to_input(&bands).unwrap().percent, Exact::parse("92.5"));
        assert!(Value::Rate { numerator: 0, denominator: 0 }.to_input(&Rule::Proportional).unwrap().not_applicable);
        let d = Rule::Deduction { per: Exact::int(1) };
        assert_eq!(Value::Count { count: 4 }.to_input(&d).unwrap().count, Some(Exact::int(4)));
        // a rate read by a deduction rule counts what is missing (reports not sent on time);
        // only `reports.on_time_count` fits a deduction rule (`Feed::fits`)
        assert_eq!(v.to_input(&d).unwrap().count, Some(Exact::int(15)));
        assert!(Value::Count { count: 4 }.to_input(&Rule::YesNo).is_err());
        assert!(Measure::OnTimeRate.fits(&Rule::Proportional) && !Measure::OnTimeRate.fits(&d));
        assert!(Measure::LateCount.fits(&d) && !Measure::LateCount.fits(&Rule::Proportional));
    }

    #[test]
    fn a_row_is_checked_part_against_whole() {
        assert!(counts().problems().is_empty());
        let mut c = counts();
        c.paid_online = 60;
        c.results_digitised = 201;
        let p: Vec<&str> = c.problems().iter().map(|(k, _)| *k).collect();
        assert_eq!(p, ["paid_online", "results_digitised"]);
        c.returned = -1;
        assert_eq!(c.problems()[0].0, "returned");
        let mut sum = Counts::default();
        sum.add(&counts());
        sum.add(&counts());
        assert_eq!(sum.received(), 400);
    }

    #[test]
    fn months_are_read_strictly() {
        assert_eq!(parse_month("2026-03"), Some((2026, 3)));
        assert_eq!(parse_month("3/2026"), Some((2026, 3)));
        assert_eq!(parse_month("03/2026"), Some((2026, 3)));
        for bad in ["2026-13", "2026-3-1", "26-03", "march", "", "2026/03", "1999-01", "-1/2026"] {
            assert_eq!(parse_month(bad), None, "{bad}");
        }
    }
}

#[cfg(test)]
mod feed_tests {
    use crate::framework::{Feed, Source};

    /// `framework_nodes.source` holds a leaf's source key in 64 characters.
    #[test]
    fn every_feed_key_fits_the_stored_column() {
        for f in Feed::ALL {
            let key = Source::Feed(*f).key();
            assert!(key.len() <= 64, "{key}");
            assert_eq!(Source::parse(&key), Some(Source::Feed(*f)), "{key} reads back");
        }
        // an inspections feed of a topic the office added, at the longest
        let topic = crate::inspections::Topic::new(&"t".repeat(crate::inspections::Topic::MAX)).unwrap();
        let f = Feed::Inspections(crate::inspections::Measure::OverdueRecommendations, topic);
        let key = Source::Feed(f).key();
        assert!(key.len() <= 64, "{key}");
        assert_eq!(Source::parse(&key), Some(Source::Feed(f)));
        assert_eq!(Feed::parse("inspections.remediation_rate.Không"), None);
        assert_eq!(Feed::parse("inspections.nothing"), None);
    }
}
