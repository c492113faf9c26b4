//! Scoring rules of a leaf: pure functions from the unit's input to points in `0..=max`, exact,
//! each able to explain its result in words ("82% → khoảng [70; 90] → 1 điểm").

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{Exact, Msg};

/// One choice of an `options` rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleOption {
    pub key: String,
    pub label: String,
    pub points: Exact,
}

/// A percentage band with explicit bounds, written as an interval: `"[70, 90)"`, `"(90, 100]"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Band {
    pub from: Exact,
    pub from_inclusive: bool,
    pub to: Exact,
    pub to_inclusive: bool,
    pub points: Exact,
}

impl Band {
    pub fn contains(&self, x: &Exact) -> bool {
        let lo = if self.from_inclusive { x >= &self.from } else { x > &self.from };
        let hi = if self.to_inclusive { x <= &self.to } else { x < &self.to };
        lo && hi
    }

    pub fn range(&self) -> String {
        format!("{}{}, {}{}", if self.from_inclusive { '[' } else { '(' }, self.from, self.to, if self.to_inclusive { ']' } else { ')' })
    }

    /// The interval as written in Vietnamese text: `[70; 90,5)` (decimal comma, `;` between).
    pub fn range_vi(&self) -> String {
        self.range().replace(", ", "; ").replace('.', ",")
    }

    pub fn parse_range(s: &str) -> Result<(Exact, bool, Exact, bool), String> {
        let t = s.trim();
        let bad = || format!("“{s}” is not an interval like \"[70, 90)\" or \"(90, 100]\"");
        let from_inclusive = match t.chars().next() {
            Some('[') => true,
            Some('(') => false,
            _ => return Err(bad()),
        };
        let to_inclusive = match t.chars().last() {
            Some(']') => true,
            Some(')') => false,
            _ => return Err(bad()),
        };
        let inner = &t[1..t.len() - 1];
        let (a, b) = inner.split_once([';', ',']).ok_or_else(bad)?;
        let a = Exact::parse(a).ok_or_else(bad)?;
        let b = Exact::parse(b).ok_or_else(bad)?;
        Ok((a, from_inclusive, b, to_inclusive))
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BandText {
    range: String,
    points: Exact,
}

impl Serialize for Band {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        BandText { range: self.range(), points: self.points.clone() }.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Band {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Band, D::Error> {
        let t = BandText::deserialize(d)?;
        let (from, from_inclusive, to, to_inclusive) = Band::parse_range(&t.range).map_err(serde::de::Error::custom)?;
        Ok(Band { from, from_inclusive, to, to_inclusive, points: t.points })
    }
}

/// How a leaf turns its input into points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Rule {
    /// One of several labelled choices, each worth its points.
    Options { options: Vec<RuleOption> },
    /// Yes = full points, no = 0.
    YesNo,
    /// A percentage (0–100) falls in one band; bands cover 0–100 with no gap or overlap.
    Bands { bands: Vec<Band> },
    /// max × numerator / denominator (capped at max).
    Proportional,
    /// max − per × count, never below 0.
    Deduction { per: Exact },
    /// Any value 0..max in steps of `step`.
    Manual { step: Exact },
    /// max × a survey result in 0..1.
    Survey,
}

impl Rule {
    pub fn kind(&self) -> &'static str {
        match self {
            Rule::Options { .. } => "options",
            Rule::YesNo => "yes_no",
            Rule::Bands { .. } => "bands",
            Rule::Proportional => "proportional",
            Rule::Deduction { .. } => "deduction",
            Rule::Manual { .. } => "manual",
            Rule::Survey => "survey",
        }
    }

    /// Which input field the rule reads.
    pub fn input_field(&self) -> &'static str {
        match self {
            Rule::Options { .. } => "option",
            Rule::YesNo => "yes",
            Rule::Bands { .. } => "percent",
            Rule::Proportional => "numerator/denominator",
            Rule::Deduction { .. } => "count",
            Rule::Manual { .. } => "value",
            Rule::Survey => "result",
        }
    }
}

/// Every rule kind with its Vietnamese and English name (drop-downs, XLSX, the editor).
pub const KINDS: [(&str, &str, &str); 7] = [
    ("options", "lựa chọn", "options"),
    ("yes_no", "có/không", "yes/no"),
    ("bands", "khoảng tỷ lệ", "percentage bands"),
    ("proportional", "tỷ lệ", "proportional"),
    ("deduction", "trừ điểm", "deduction"),
    ("manual", "chấm điểm", "manual"),
    ("survey", "khảo sát", "survey"),
];

impl Rule {
    /// The rule's parameters as one short text, the form used by the XLSX format and the
    /// browser editor: options one per line `key | label | points`; bands one per line
    /// `[70, 90) | 1`; deduction the points per count; manual the step; others nothing.
    pub fn params_text(&self) -> String {
        match self {
            Rule::Options { options } => {
                options.iter().map(|o| format!("{} | {} | {}", o.key, o.label, o.points)).collect::<Vec<_>>().join("\n")
            }
            Rule::Bands { bands } => bands.iter().map(|b| format!("{} | {}", b.range(), b.points)).collect::<Vec<_>>().join("\n"),
            Rule::Deduction { per } => per.to_string(),
            Rule::Manual { step } => step.to_string(),
            Rule::YesNo | Rule::Proportional | Rule::Survey => String::new(),
        }
    }

    /// Read a rule from its kind (English key or Vietnamese name, any case or accents) and its
    /// parameters text (`params_text`). Errors say which line is wrong and how to write it.
    pub fn from_text(kind: &str, params: &str) -> Result<Rule, Msg> {
        let k = crate::text::fold(kind.trim()).replace([' ', '-'], "_");
        let key = KINDS
            .iter()
            .find(|(key, vi, en)| *key == k || crate::text::fold(vi).replace([' ', '-'], "_") == k || en.replace([' ', '-'], "_") == k)
            .map(|(key, _, _)| *key)
            .ok_or_else(|| {
                let all = KINDS.iter().map(|(k, _, _)| *k).collect::<Vec<_>>().join(", ");
                let all_vi = KINDS.iter().map(|(_, vi, _)| *vi).collect::<Vec<_>>().join(", ");
                Msg::new(
                    format!("loại quy tắc “{kind}” không có; dùng một trong: {all_vi}"),
                    format!("there is no rule kind “{kind}”; use one of: {all}"),
                )
            })?;
        let lines: Vec<(usize, &str)> = params.lines().enumerate().map(|(i, l)| (i + 1, l.trim())).filter(|(_, l)| !l.is_empty()).collect();
        let number = |what_vi: &str, what_en: &str| -> Result<Exact, Msg> {
            let t = params.trim();
            Exact::parse(t).filter(|x| !x.is_negative() && !x.is_zero()).ok_or_else(|| {
                Msg::new(
                    format!("quy tắc {key} cần {what_vi} là một số dương (ví dụ 0,5), không phải “{t}”"),
                    format!("the {key} rule needs {what_en} as a positive number (e.g. 0.5), not “{t}”"),
                )
            })
        };
        let line_error = |n: usize, line: &str, form_vi: &str, form_en: &str| {
            Msg::new(format!("tham số dòng {n} “{line}”: hãy viết {form_vi}"), format!("parameters line {n} “{line}”: write {form_en}"))
        };
        match key {
            "options" => {
                let mut options = Vec::new();
                for (n, line) in &lines {
                    let form_vi = "“mã | nội dung | điểm”, ví dụ “dung_han | Ban hành đúng hạn | 1”";
                    let form_en = "“key | label | points”, e.g. “on_time | Issued on time | 1”";
                    let (key, rest) = line.split_once('|').ok_or_else(|| line_error(*n, line, form_vi, form_en))?;
                    let (label, points) = rest.rsplit_once('|').ok_or_else(|| line_error(*n, line, form_vi, form_en))?;
                    let points = Exact::parse(points).ok_or_else(|| line_error(*n, line, form_vi, form_en))?;
                    if key.trim().is_empty() {
                        return Err(line_error(*n, line, form_vi, form_en));
                    }
                    options.push(RuleOption { key: key.trim().to_string(), label: label.trim().to_string(), points });
                }
                Ok(Rule::Options { options })
            }
            "bands" => {
                let mut bands = Vec::new();
                for (n, line) in &lines {
                    let (vi, en) = ("“khoảng | điểm”, ví dụ “[70, 90) | 1”", "“interval | points”, e.g. “[70, 90) | 1”");
                    let (range, points) = line.rsplit_once('|').ok_or_else(|| line_error(*n, line, vi, en))?;
                    let (from, from_inclusive, to, to_inclusive) = Band::parse_range(range).map_err(|_| line_error(*n, line, vi, en))?;
                    let points = Exact::parse(points).ok_or_else(|| line_error(*n, line, vi, en))?;
                    bands.push(Band { from, from_inclusive, to, to_inclusive, points });
                }
                Ok(Rule::Bands { bands })
            }
            "deduction" => Ok(Rule::Deduction { per: number("số điểm trừ mỗi lần", "the points per count")? }),
            "manual" => Ok(Rule::Manual { step: number("bước chấm", "the step")? }),
            other => {
                if let Some((n, line)) = lines.first() {
                    return Err(Msg::new(
                        format!("quy tắc {other} không có tham số; hãy xoá dòng {n} “{line}”"),
                        format!("the {other} rule takes no parameters; remove line {n} “{line}”"),
                    ));
                }
                Ok(match other {
                    "yes_no" => Rule::YesNo,
                    "proportional" => Rule::Proportional,
                    _ => Rule::Survey,
                })
            }
        }
    }
}

/// A unit's input for one leaf. Files may use a short form: `true`/`false` (yes/no), a number
/// (percent, count, value or result, whichever the rule reads), an option key, `na`
/// (not applicable), or `[numerator, denominator]`; or the full form with named fields.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Input {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub option: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub yes: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percent: Option<Exact>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub numerator: Option<Exact>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub denominator: Option<Exact>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<Exact>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Exact>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<Exact>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub not_applicable: bool,
    /// A number or word in the short form, resolved against the rule (`resolve`).
    #[serde(skip)]
    pub bare: Option<Bare>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bare {
    Number(Exact),
    Word(String),
    Bool(bool),
    Pair(Exact, Exact),
}

/// The short or full form of an input, as written in a file.
#[derive(Deserialize)]
#[serde(untagged)]
pub enum InputText {
    Bool(bool),
    Pair([Exact; 2]),
    Number(Exact),
    Word(String),
    Full(Box<Input>),
}

impl From<InputText> for Input {
    fn from(t: InputText) -> Input {
        match t {
            InputText::Full(i) => *i,
            InputText::Bool(b) => Input { bare: Some(Bare::Bool(b)), ..Default::default() },
            InputText::Pair([n, d]) => Input { bare: Some(Bare::Pair(n, d)), ..Default::default() },
            InputText::Number(n) => Input { bare: Some(Bare::Number(n)), ..Default::default() },
            InputText::Word(w) => match w.trim().to_lowercase().as_str() {
                "na" | "n/a" | "not_applicable" | "khong_ap_dung" | "không áp dụng" => {
                    Input { not_applicable: true, ..Default::default() }
                }
                // yes/no words stay words until the rule is known: "khong" is also an option key
                // of the sample frameworks (issue #15)
                _ => Input { bare: Some(Bare::Word(w)), ..Default::default() },
            },
        }
    }
}

impl Input {
    /// Put a short-form value into the field the rule reads.
    pub fn resolve(mut self, rule: &Rule) -> Input {
        let Some(bare) = self.bare.take() else { return self };
        match (bare, rule) {
            (Bare::Bool(b), _) => self.yes = Some(b),
            (Bare::Word(w), Rule::YesNo) => match yes_no_word(&w) {
                Some(b) => self.yes = Some(b),
                // kept to be named in the error ("maybe" is not yes or no)
                None => self.option = Some(w),
            },
            (Bare::Word(w), _) => self.option = Some(w),
            (Bare::Pair(n, d), _) => {
                self.numerator = Some(n);
                self.denominator = Some(d);
            }
            (Bare::Number(n), Rule::Bands { .. }) => self.percent = Some(n),
            (Bare::Number(n), Rule::Deduction { .. }) => self.count = Some(n),
            (Bare::Number(n), Rule::Survey) => self.result = Some(n),
            (Bare::Number(n), Rule::Options { options }) => {
                // a number may name an option by its key
                self.option = Some(n.to_string());
                let _ = options;
            }
            (Bare::Number(n), _) => self.value = Some(n),
        }
        self
    }
}

/// A yes/no word, in Vietnamese (with or without marks) or English.
pub fn yes_no_word(w: &str) -> Option<bool> {
    match w.trim().to_lowercase().as_str() {
        "yes" | "có" | "co" | "true" | "đạt" | "dat" => Some(true),
        "no" | "không" | "khong" | "false" | "không đạt" | "khong dat" => Some(false),
        _ => None,
    }
}

/// The outcome of a rule for one leaf.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub points: Exact,
    pub explanation: Option<Msg>,
}

/// Exact value for explanations: a short decimal when there is one, else rounded with "≈".
pub fn show(x: &Exact, vi: bool) -> String {
    let s = match x.to_exact_decimal(4) {
        Some(s) => s,
        None => format!("≈{}", x.to_decimal_string(4)),
    };
    if vi { s.replace('.', ",") } else { s }
}

fn pts(x: &Exact, vi: bool) -> String {
    format!(
        "{} {}",
        show(x, vi),
        if vi {
            "điểm"
        } else if *x == Exact::ONE {
            "point"
        } else {
            "points"
        }
    )
}

fn missing(field: &str) -> Msg {
    Msg::new(format!("thiếu dữ liệu “{field}”"), format!("the input “{field}” is missing"))
}

/// Apply `rule` (on a leaf worth `max`) to `input`. Errors say what is wrong with the input.
pub fn apply(rule: &Rule, max: &Exact, input: &Input, explain: bool) -> Result<Outcome, Msg> {
    // explanations are built only when asked for: formatting costs more than scoring
    macro_rules! ex {
        ($vi:expr, $en:expr $(,)?) => {
            if explain { Some(Msg::new($vi, $en)) } else { None }
        };
    }
    match rule {
        Rule::Options { options } => {
            let key = input.option.as_deref().ok_or_else(|| missing("option"))?;
            let o = options.iter().find(|o| o.key == key || o.label == key).ok_or_else(|| {
                let keys = options.iter().map(|o| o.key.as_str()).collect::<Vec<_>>().join(", ");
                Msg::new(
                    format!("lựa chọn “{key}” không có; chọn một trong: {keys}"),
                    format!("there is no option “{key}”; choose one of: {keys}"),
                )
            })?;
            let explanation =
                ex!(format!("Chọn “{}” → {}", o.label, pts(&o.points, true)), format!("Chose “{}” → {}", o.label, pts(&o.points, false)),);
            Ok(Outcome { points: o.points.clone(), explanation })
        }
        Rule::YesNo => {
            let yes = match (input.yes, &input.option) {
                (Some(y), _) => y,
                (None, Some(w)) => {
                    return Err(Msg::new(
                        format!("“{w}” không phải câu trả lời có/không; hãy ghi: có hoặc không"),
                        format!("“{w}” is not a yes/no answer; write: yes or no (có / không)"),
                    ));
                }
                (None, None) => return Err(missing("yes")),
            };
            let points = if yes { max.clone() } else { Exact::ZERO };
            let explanation = ex!(
                format!("{} → {}", if yes { "Có" } else { "Không" }, pts(&points, true)),
                format!("{} → {}", if yes { "Yes" } else { "No" }, pts(&points, false)),
            );
            Ok(Outcome { points, explanation })
        }
        Rule::Bands { bands } => {
            let p = input.percent.as_ref().ok_or_else(|| missing("percent"))?;
            if p.is_negative() || p > &Exact::HUNDRED {
                return Err(Msg::new(
                    format!("tỷ lệ {}% phải trong khoảng 0–100", show(p, true)),
                    format!("the percentage {}% must be within 0–100", show(p, false)),
                ));
            }
            let b = bands.iter().find(|b| b.contains(p)).ok_or_else(|| {
                Msg::new(format!("không có khoảng nào chứa {}%", show(p, true)), format!("no band contains {}%", show(p, false)))
            })?;
            let explanation = ex!(
                format!("{}% → khoảng {} → {}", show(p, true), b.range_vi(), pts(&b.points, true)),
                format!("{}% → band {} → {}", show(p, false), b.range(), pts(&b.points, false)),
            );
            Ok(Outcome { points: b.points.clone(), explanation })
        }
        Rule::Proportional => {
            let n = input.numerator.as_ref().ok_or_else(|| missing("numerator"))?;
            let d = input.denominator.as_ref().ok_or_else(|| missing("denominator"))?;
            if d.is_zero() || d.is_negative() || n.is_negative() {
                return Err(Msg::new(
                    "tử số phải ≥ 0 và mẫu số phải > 0 (nếu không phát sinh hồ sơ, hãy đánh dấu “không áp dụng”)",
                    "the numerator must be ≥ 0 and the denominator > 0 (if nothing was received, mark the leaf not applicable)",
                ));
            }
            if n > d {
                return Err(Msg::new(
                    format!("tử số {} lớn hơn mẫu số {}", show(n, true), show(d, true)),
                    format!("the numerator {} exceeds the denominator {}", show(n, false), show(d, false)),
                ));
            }
            let points = max.clone() * n.clone() / d.clone();
            let explanation = ex!(
                format!("{}/{} × {} = {}", show(n, true), show(d, true), show(max, true), pts(&points, true)),
                format!("{}/{} × {} = {}", show(n, false), show(d, false), show(max, false), pts(&points, false)),
            );
            Ok(Outcome { points, explanation })
        }
        Rule::Deduction { per } => {
            let c = input.count.as_ref().ok_or_else(|| missing("count"))?;
            if c.is_negative() || !c.is_multiple_of(&Exact::ONE) && !c.is_zero() {
                return Err(Msg::new(
                    format!("số lần vi phạm “{}” phải là số nguyên ≥ 0", show(c, true)),
                    format!("the count “{}” must be a whole number ≥ 0", show(c, false)),
                ));
            }
            let raw = max.clone() - per.clone() * c.clone();
            let points = raw.clone().max(Exact::ZERO);
            let floor = if raw.is_negative() { " (không âm)" } else { "" };
            let floor_en = if raw.is_negative() { " (floored at 0)" } else { "" };
            let explanation = ex!(
                format!("{} − {} × {} → {}{floor}", show(max, true), show(c, true), show(per, true), pts(&points, true)),
                format!("{} − {} × {} → {}{floor_en}", show(max, false), show(c, false), show(per, false), pts(&points, false)),
            );
            Ok(Outcome { points, explanation })
        }
        Rule::Manual { step } => {
            let v = input.value.as_ref().ok_or_else(|| missing("value"))?;
            if v.is_negative() || v > max || !(v.is_zero() || v.is_multiple_of(step)) {
                return Err(Msg::new(
                    format!("điểm {} phải trong khoảng 0–{} theo bước {}", show(v, true), show(max, true), show(step, true)),
                    format!("{} must be within 0–{} in steps of {}", show(v, false), show(max, false), show(step, false)),
                ));
            }
            let explanation = ex!(format!("Chấm {}", pts(v, true)), format!("Scored {}", pts(v, false)));
            Ok(Outcome { points: v.clone(), explanation })
        }
        Rule::Survey => {
            let r = input.result.as_ref().ok_or_else(|| missing("result"))?;
            if r.is_negative() || r > &Exact::ONE {
                return Err(Msg::new(
                    format!("kết quả khảo sát {} phải trong khoảng 0–1", show(r, true)),
                    format!("the survey result {} must be within 0–1", show(r, false)),
                ));
            }
            let points = max.clone() * r.clone();
            let explanation = ex!(
                format!("{} × {} (kết quả khảo sát) = {}", show(max, true), show(r, true), pts(&points, true)),
                format!("{} × {} (survey result) = {}", show(max, false), show(r, false), pts(&points, false)),
            );
            Ok(Outcome { points, explanation })
        }
    }
}

/// The rule in words, for pages and reports ("Khoảng: [0; 70) → 0; [70; 90] → 1…").
pub fn describe(rule: &Rule, max: &Exact) -> Msg {
    let (v, e) = (|x: &Exact| show(x, true), |x: &Exact| show(x, false));
    match rule {
        Rule::Options { options } => Msg::new(
            format!("Lựa chọn: {}", options.iter().map(|o| format!("{} = {}", o.label, v(&o.points))).collect::<Vec<_>>().join("; ")),
            format!("Options: {}", options.iter().map(|o| format!("{} = {}", o.label, e(&o.points))).collect::<Vec<_>>().join("; ")),
        ),
        Rule::YesNo => Msg::new(format!("Có = {}; không = 0", v(max)), format!("Yes = {}; no = 0", e(max))),
        Rule::Bands { bands } => Msg::new(
            format!(
                "Theo tỷ lệ %: {}",
                bands.iter().map(|b| format!("{} → {}", b.range_vi(), v(&b.points))).collect::<Vec<_>>().join("; ")
            ),
            format!("By percentage: {}", bands.iter().map(|b| format!("{} → {}", b.range(), e(&b.points))).collect::<Vec<_>>().join("; ")),
        ),
        Rule::Proportional => Msg::new(format!("{} × tử số ÷ mẫu số", v(max)), format!("{} × numerator ÷ denominator", e(max))),
        Rule::Deduction { per } => Msg::new(
            format!("{} trừ {} điểm mỗi lần, không âm", v(max), v(per)),
            format!("{} minus {} per count, not below 0", e(max), e(per)),
        ),
        Rule::Manual { step } => {
            Msg::new(format!("Chấm từ 0 đến {} theo bước {}", v(max), v(step)), format!("Scored 0 to {} in steps of {}", e(max), e(step)))
        }
        Rule::Survey => Msg::new(format!("{} × kết quả khảo sát (0–1)", v(max)), format!("{} × survey result (0–1)", e(max))),
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kind())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(s: &str) -> Exact {
        Exact::parse(s).unwrap()
    }

    fn bands() -> Rule {
        Rule::Bands {
            bands: ["[0, 70)", "[70, 90]", "(90, 100]"]
                .iter()
                .zip(["0", "1", "2"])
                .map(|(r, p)| {
                    let (from, fi, to, ti) = Band::parse_range(r).unwrap();
                    Band { from, from_inclusive: fi, to, to_inclusive: ti, points: e(p) }
                })
                .collect(),
        }
    }

    fn inp(t: &str, rule: &Rule) -> Input {
        let raw: InputText = serde_json::from_str(t).unwrap();
        Input::from(raw).resolve(rule)
    }

    #[test]
    fn bands_at_their_exact_bounds() {
        let r = bands();
        let two = e("2");
        for (p, want) in [("69.999", "0"), ("70", "1"), ("90", "1"), ("90.0001", "2"), ("100", "2"), ("0", "0")] {
            let o = apply(&r, &two, &inp(p, &r), true).unwrap();
            assert_eq!(o.points, e(want), "{p}%");
        }
        let o = apply(&r, &two, &inp("82", &r), true).unwrap();
        assert_eq!(o.explanation.unwrap().vi, "82% → khoảng [70; 90] → 1 điểm");
        assert!(apply(&r, &two, &inp("100.5", &r), true).is_err());
    }

    #[test]
    fn yes_no_words_are_read_by_the_rule() {
        // "co"/"khong" are option keys of the sample frameworks: an options leaf takes them as keys
        let opt = |k: &str, p: &str| RuleOption { key: k.into(), label: k.to_uppercase(), points: e(p) };
        let r = Rule::Options { options: vec![opt("co", "1"), opt("khong", "0.25")] };
        assert_eq!(apply(&r, &e("1"), &inp("\"khong\"", &r), false).unwrap().points, e("0.25"));
        assert_eq!(apply(&r, &e("1"), &inp("\"co\"", &r), false).unwrap().points, e("1"));
        // a yes/no leaf reads them as yes/no, and names the allowed answers for anything else
        assert_eq!(apply(&Rule::YesNo, &e("2"), &inp("\"co\"", &Rule::YesNo), false).unwrap().points, e("2"));
        assert_eq!(apply(&Rule::YesNo, &e("2"), &inp("\"Không\"", &Rule::YesNo), false).unwrap().points, Exact::ZERO);
        let err = apply(&Rule::YesNo, &e("2"), &inp("\"maybe\"", &Rule::YesNo), false).unwrap_err();
        assert!(err.en.contains("“maybe” is not a yes/no answer") && err.vi.contains("có hoặc không"), "{err:?}");
    }

    #[test]
    fn proportional_is_exact() {
        let o = apply(&Rule::Proportional, &e("2"), &inp("[95, 97]", &Rule::Proportional), true).unwrap();
        assert_eq!(o.points, Exact::ratio(190, 97));
        assert!(o.explanation.unwrap().vi.starts_with("95/97 × 2 = ≈1,9588"));
        assert!(apply(&Rule::Proportional, &e("2"), &inp("[5, 0]", &Rule::Proportional), true).is_err());
        assert!(apply(&Rule::Proportional, &e("2"), &inp("[5, 4]", &Rule::Proportional), true).is_err());
    }

    #[test]
    fn deduction_never_below_zero() {
        let r = Rule::Deduction { per: e("0.5") };
        assert_eq!(apply(&r, &e("1"), &inp("1", &r), false).unwrap().points, e("0.5"));
        let o = apply(&r, &e("1"), &inp("3", &r), true).unwrap();
        assert_eq!(o.points, Exact::ZERO);
        assert!(o.explanation.unwrap().vi.contains("không âm"));
        assert!(apply(&r, &e("1"), &inp("1.5", &r), false).is_err());
    }

    #[test]
    fn options_yes_no_manual_survey() {
        let opts = Rule::Options {
            options: vec![
                RuleOption { key: "dung_han".into(), label: "Đúng hạn".into(), points: e("1") },
                RuleOption { key: "tre_han".into(), label: "Trễ hạn".into(), points: e("0.5") },
            ],
        };
        assert_eq!(apply(&opts, &e("1"), &inp("\"tre_han\"", &opts), false).unwrap().points, e("0.5"));
        let err = apply(&opts, &e("1"), &inp("\"x\"", &opts), false).unwrap_err();
        assert!(err.vi.contains("dung_han, tre_han"));
        assert_eq!(apply(&Rule::YesNo, &e("1.5"), &inp("true", &Rule::YesNo), false).unwrap().points, e("1.5"));
        assert_eq!(apply(&Rule::YesNo, &e("1.5"), &inp("\"không\"", &Rule::YesNo), false).unwrap().points, Exact::ZERO);
        let m = Rule::Manual { step: e("0.25") };
        assert_eq!(apply(&m, &e("1"), &inp("0.75", &m), false).unwrap().points, e("0.75"));
        assert!(apply(&m, &e("1"), &inp("0.8", &m), false).is_err());
        assert!(apply(&m, &e("1"), &inp("1.25", &m), false).is_err());
        assert_eq!(apply(&Rule::Survey, &e("2"), &inp("0.873", &Rule::Survey), false).unwrap().points, e("1.746"));
        assert!(apply(&Rule::YesNo, &e("1"), &Input::default(), false).unwrap_err().en.contains("missing"));
    }

    #[test]
    fn params_text_round_trips_every_kind() {
        let rules = [
            Rule::Options {
                options: vec![
                    RuleOption { key: "a".into(), label: "Có | dấu gạch".into(), points: e("1") },
                    RuleOption { key: "b".into(), label: "".into(), points: Exact::ratio(1, 3) },
                ],
            },
            Rule::YesNo,
            bands(),
            Rule::Proportional,
            Rule::Deduction { per: e("0.25") },
            Rule::Manual { step: e("0.5") },
            Rule::Survey,
        ];
        for r in rules {
            let back = Rule::from_text(r.kind(), &r.params_text()).unwrap();
            assert_eq!(back, r);
        }
        assert_eq!(Rule::from_text("Khoảng tỷ lệ", "[0, 50) | 0\n[50, 100] | 1").unwrap().kind(), "bands");
        assert_eq!(Rule::from_text("co/khong", "").unwrap(), Rule::YesNo);
        let err = Rule::from_text("bands", "[0, 50) | 0\n50-100 | 1").unwrap_err();
        assert!(err.vi.contains("dòng 2"), "{err:?}");
        assert!(Rule::from_text("yes_no", "1").unwrap_err().en.contains("no parameters"));
        assert!(Rule::from_text("deduction", "-1").is_err());
        assert!(Rule::from_text("magic", "").unwrap_err().en.contains("options, yes_no"));
        assert!(Rule::from_text("magic", "").unwrap_err().vi.contains("lựa chọn, có/không"));
    }

    #[test]
    fn bands_round_trip_as_text() {
        let r = bands();
        let y = serde_json::to_string(&r).unwrap();
        assert!(y.contains("\"range\":\"(90, 100]\""));
        let back: Rule = serde_json::from_str(&y).unwrap();
        assert_eq!(back, r);
        assert!(serde_json::from_str::<Rule>(r#"{"kind":"bands","bands":[{"range":"70-90","points":1}]}"#).is_err());
    }
}
