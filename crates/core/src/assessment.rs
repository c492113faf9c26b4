//! The yearly workflow of one unit (domain.md §5): its assessment's states and deadlines, and
//! the unit's input for one leaf as typed in a form. Pure; the store keeps the data and the web
//! layer asks `can` for the actor and these functions for the state and the date.

use chrono::{NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::framework::{Input, Rule};
use crate::{Exact, Msg};

/// States of a unit's assessment in a period (docs/workflow.md). The unit's explanations are
/// written while the preliminary result is out (`PreliminarySent`); publication is of a
/// period's approved results (`repo::publications`), not a state of one assessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// The unit self-assesses (officer edits, leader approves and submits).
    Draft,
    /// Submitted by the unit's leader: locked for the unit, waiting for appraisal.
    Submitted,
    UnderAppraisal,
    /// Returned by an appraiser for correction: the unit edits again.
    Returned,
    /// The preliminary result is out: the unit may explain (giải trình) until its deadline.
    PreliminarySent,
    /// Explanations sent (or the window closed): contested leaves are appraised again.
    FinalAppraisal,
    /// Approved by the council: frozen.
    Approved,
}

/// Every move the workflow allows: (from, to, what moves it).
pub const TRANSITIONS: &[(State, State, &str)] = &[
    (State::Draft, State::Submitted, "the unit's leader submits"),
    (State::Returned, State::Submitted, "the unit's leader submits again"),
    (State::Submitted, State::UnderAppraisal, "an appraiser decides a first leaf"),
    (State::Submitted, State::Returned, "an appraiser returns a leaf"),
    (State::UnderAppraisal, State::Returned, "an appraiser returns a leaf"),
    (State::UnderAppraisal, State::PreliminarySent, "the secretariat sends the preliminary result"),
    (State::PreliminarySent, State::FinalAppraisal, "the unit sends its explanations, or the window closes"),
    (State::FinalAppraisal, State::Approved, "the council approves"),
];

impl State {
    pub const ALL: [State; 7] = [
        State::Draft,
        State::Submitted,
        State::UnderAppraisal,
        State::Returned,
        State::PreliminarySent,
        State::FinalAppraisal,
        State::Approved,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            State::Draft => "draft",
            State::Submitted => "submitted",
            State::UnderAppraisal => "under_appraisal",
            State::Returned => "returned",
            State::PreliminarySent => "preliminary_sent",
            State::FinalAppraisal => "final_appraisal",
            State::Approved => "approved",
        }
    }

    pub fn parse(s: &str) -> Option<State> {
        State::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn label(self, lang: &str) -> &'static str {
        let (vi, en) = match self {
            State::Draft => ("Đang tự đánh giá", "Self-assessing"),
            State::Submitted => ("Đã nộp", "Submitted"),
            State::UnderAppraisal => ("Đang thẩm định", "Under appraisal"),
            State::Returned => ("Trả lại để sửa", "Returned for correction"),
            State::PreliminarySent => ("Đã gửi kết quả sơ bộ", "Preliminary result sent"),
            State::FinalAppraisal => ("Thẩm định lại", "Final appraisal"),
            State::Approved => ("Đã phê duyệt", "Approved"),
        };
        if lang == "en" { en } else { vi }
    }

    /// The workflow allows moving from this state to `to` (`TRANSITIONS`).
    pub fn can_move(self, to: State) -> bool {
        TRANSITIONS.iter().any(|(f, t, _)| *f == self && *t == to)
    }

    /// The unit may change its self-assessment.
    pub fn unit_edits(self) -> bool {
        matches!(self, State::Draft | State::Returned)
    }

    /// The preliminary (or a later) result has been sent: the unit sees its appraisal.
    pub fn result_out(self) -> bool {
        matches!(self, State::PreliminarySent | State::FinalAppraisal | State::Approved)
    }

    /// Appraisal happens now (submitted, or some leaves already appraised).
    pub fn in_appraisal(self) -> bool {
        matches!(self, State::Submitted | State::UnderAppraisal)
    }

    /// An appraiser has work here: appraisal, a returned sheet to see again, final appraisal.
    pub fn appraiser_works(self) -> bool {
        self.in_appraisal() || matches!(self, State::Returned | State::FinalAppraisal)
    }

    /// Approved by the council: nothing of it changes any more.
    pub fn frozen(self) -> bool {
        self == State::Approved
    }
}

impl std::fmt::Display for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Today in Vietnam (UTC+7): deadlines are calendar days there, inclusive.
pub fn today_vn() -> NaiveDate {
    Utc::now().with_timezone(&crate::text::vn_offset()).date_naive()
}

/// `Ok` while `today` is on or before the deadline (none = open).
pub fn within(deadline: Option<NaiveDate>, today: NaiveDate) -> Result<(), Msg> {
    match deadline {
        Some(d) if today > d => {
            let shown = crate::text::format_date(d);
            Err(Msg::new(
                format!("Đã quá hạn {shown}. Hãy đề nghị Phòng CCHC gia hạn cho đơn vị nếu cần."),
                format!("The deadline {shown} has passed. Ask the reform office for an extension for your unit if needed."),
            ))
        }
        _ => Ok(()),
    }
}

/// "còn 9 ngày" / "9 days left", "hôm nay" / "today", "quá hạn 2 ngày" / "2 days overdue".
pub fn days_left(deadline: NaiveDate, today: NaiveDate, lang: &str) -> String {
    let d = (deadline - today).num_days();
    match (d, lang == "en") {
        (0, false) => "hạn cuối hôm nay".into(),
        (0, true) => "due today".into(),
        (d, false) if d > 0 => format!("còn {d} ngày"),
        (d, true) if d > 0 => format!("{d} days left"),
        (d, false) => format!("quá hạn {} ngày", -d),
        (d, true) => format!("{} days overdue", -d),
    }
}

/// One leaf's input as the form sends it: one field per kind of value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct LeafForm {
    #[serde(default)]
    pub option: String,
    #[serde(default)]
    pub yes: String,
    #[serde(default)]
    pub percent: String,
    #[serde(default)]
    pub numerator: String,
    #[serde(default)]
    pub denominator: String,
    #[serde(default)]
    pub count: String,
    #[serde(default)]
    pub value: String,
    #[serde(default)]
    pub not_applicable: Option<String>,
}

impl LeafForm {
    /// The form of a stored input (to show it again).
    pub fn of(input: &Input) -> LeafForm {
        let s = |x: &Option<Exact>| x.as_ref().map(|v| v.to_string()).unwrap_or_default();
        LeafForm {
            option: input.option.clone().unwrap_or_default(),
            yes: input.yes.map(|y| if y { "yes".into() } else { "no".into() }).unwrap_or_default(),
            percent: s(&input.percent),
            numerator: s(&input.numerator),
            denominator: s(&input.denominator),
            count: s(&input.count),
            value: s(&input.value),
            not_applicable: input.not_applicable.then(|| "on".into()),
        }
    }

    /// The form as a page in `lang` shows it: decimals with that language's separator, so a
    /// Vietnamese officer who typed "87,5" sees "87,5" again, not "87.5" (issue #17).
    pub fn in_lang(mut self, lang: crate::lang::Lang) -> LeafForm {
        for f in [&mut self.percent, &mut self.numerator, &mut self.denominator, &mut self.count, &mut self.value] {
            *f = lang.decimal(f);
        }
        self
    }

    /// The input for `rule`: `Ok(None)` when nothing was typed (the leaf stays to do), an error
    /// naming the field otherwise. The rule itself checks ranges when it is applied.
    pub fn input(&self, rule: &Rule) -> Result<Option<Input>, (&'static str, Msg)> {
        if self.not_applicable.is_some() {
            return Ok(Some(Input { not_applicable: true, ..Default::default() }));
        }
        let num = |field: &'static str, v: &str| -> Result<Option<Exact>, (&'static str, Msg)> {
            if v.trim().is_empty() {
                return Ok(None);
            }
            Exact::parse(v).map(Some).ok_or_else(|| {
                (
                    field,
                    Msg::new(
                        format!("“{}” không phải là số (ví dụ 82 hoặc 82,5).", v.trim()),
                        format!("“{}” is not a number (e.g. 82 or 82.5).", v.trim()),
                    ),
                )
            })
        };
        let input = match rule {
            Rule::Options { .. } => (!self.option.is_empty()).then(|| Input { option: Some(self.option.clone()), ..Default::default() }),
            Rule::YesNo => match self.yes.as_str() {
                "yes" => Some(Input { yes: Some(true), ..Default::default() }),
                "no" => Some(Input { yes: Some(false), ..Default::default() }),
                _ => None,
            },
            Rule::Bands { .. } => num("percent", &self.percent)?.map(|p| Input { percent: Some(p), ..Default::default() }),
            Rule::Proportional => match (num("numerator", &self.numerator)?, num("denominator", &self.denominator)?) {
                (None, None) => None,
                (Some(n), Some(d)) => Some(Input { numerator: Some(n), denominator: Some(d), ..Default::default() }),
                (None, Some(_)) => return Err(("numerator", Msg::new("Nhập cả tử số.", "Enter the numerator too."))),
                (Some(_), None) => return Err(("denominator", Msg::new("Nhập cả mẫu số.", "Enter the denominator too."))),
            },
            Rule::Deduction { .. } => num("count", &self.count)?.map(|c| Input { count: Some(c), ..Default::default() }),
            Rule::Manual { .. } => num("value", &self.value)?.map(|v| Input { value: Some(v), ..Default::default() }),
            Rule::Survey => None,
        };
        Ok(input)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn deadlines_are_inclusive_days() {
        assert!(within(Some(d(2026, 12, 15)), d(2026, 12, 15)).is_ok());
        assert!(within(Some(d(2026, 12, 15)), d(2026, 12, 16)).unwrap_err().vi.contains("15/12/2026"));
        assert!(within(None, d(2030, 1, 1)).is_ok());
        assert_eq!(days_left(d(2026, 12, 15), d(2026, 12, 6), "vi"), "còn 9 ngày");
        assert_eq!(days_left(d(2026, 12, 15), d(2026, 12, 17), "en"), "2 days overdue");
    }

    #[test]
    fn forms_become_inputs() {
        let bands = Rule::Bands { bands: vec![] };
        let f = LeafForm { percent: "82,5".into(), ..Default::default() };
        assert_eq!(f.input(&bands).unwrap().unwrap().percent, Exact::parse("82.5"));
        assert_eq!(LeafForm::default().input(&bands).unwrap(), None, "nothing typed: still to do");
        assert_eq!(LeafForm { percent: "tám".into(), ..Default::default() }.input(&bands).unwrap_err().0, "percent");
        let p = LeafForm { numerator: "95".into(), ..Default::default() };
        assert_eq!(p.input(&Rule::Proportional).unwrap_err().0, "denominator");
        let na = LeafForm { not_applicable: Some("on".into()), ..Default::default() };
        assert!(na.input(&Rule::YesNo).unwrap().unwrap().not_applicable);
        let yes = LeafForm { yes: "yes".into(), ..Default::default() }.input(&Rule::YesNo).unwrap().unwrap();
        assert_eq!(LeafForm::of(&yes).yes, "yes");
        assert!(State::Returned.unit_edits() && !State::Submitted.unit_edits());
        assert_eq!(State::parse("under_appraisal"), Some(State::UnderAppraisal));
    }
}

#[cfg(test)]
mod workflow_tests {
    use super::*;

    #[test]
    fn every_state_is_reachable_from_draft_and_approval_is_final() {
        let mut seen = vec![State::Draft];
        let mut i = 0;
        while i < seen.len() {
            for (f, t, _) in TRANSITIONS {
                if *f == seen[i] && !seen.contains(t) {
                    seen.push(*t);
                }
            }
            i += 1;
        }
        assert_eq!(seen.len(), State::ALL.len(), "{seen:?}");
        assert!(State::ALL.iter().all(|s| !State::Approved.can_move(*s)));
        assert!(!State::Draft.can_move(State::Approved));
        assert!(State::ALL.iter().all(|s| State::parse(s.as_str()) == Some(*s)));
    }
}
