//! The public-apology register (xin lỗi công khai, issue #18): when an administrative procedure
//! file is handled late or wrongly, lost, or the citizen was asked for extra papers, the unit
//! sends the citizen or organisation a letter of apology with the new date. Each case is kept
//! with its letter; the criteria fed by the register read its measures.
//!
//! **When an apology is due.** A late file must be apologised for before its due date passes
//! (the letter gives the new date); a case recorded after that (a late file found in the
//! one-stop export) gets [`GRACE_DAYS`] days from when it was recorded. So the apology's
//! deadline is the later of the file's due date and the recording date + `GRACE_DAYS`.
//!
//! Measures of a year (cases whose file was due that year), each the one place it is computed:
//! - `unapologised_late_count` — cases without an apology sent by its deadline (no letter, or a
//!   letter dated after it): the count a deduction rule reads;
//! - `coverage_rate` — cases apologised in time ÷ cases.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::onestop::Value;

/// Days a case recorded after its file's due date has for its apology.
pub const GRACE_DAYS: i64 = 3;

/// What went wrong with the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Late,
    Wrong,
    Lost,
    ExtraPapers,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Late, Kind::Wrong, Kind::Lost, Kind::ExtraPapers];

    pub fn key(self) -> &'static str {
        match self {
            Kind::Late => "late",
            Kind::Wrong => "wrong",
            Kind::Lost => "lost",
            Kind::ExtraPapers => "extra_papers",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.key() == s.trim())
    }

    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            Kind::Late => ("Trễ hạn", "Late"),
            Kind::Wrong => ("Giải quyết sai", "Handled wrongly"),
            Kind::Lost => ("Làm mất, hỏng hồ sơ", "Lost or damaged"),
            Kind::ExtraPapers => ("Yêu cầu bổ sung giấy tờ không đúng quy định", "Asked for extra papers"),
        }
    }
}

/// How the letter was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SentHow {
    Post,
    Email,
    InPerson,
    Portal,
}

impl SentHow {
    pub const ALL: [SentHow; 4] = [SentHow::Post, SentHow::Email, SentHow::InPerson, SentHow::Portal];

    pub fn key(self) -> &'static str {
        match self {
            SentHow::Post => "post",
            SentHow::Email => "email",
            SentHow::InPerson => "in_person",
            SentHow::Portal => "portal",
        }
    }

    pub fn parse(s: &str) -> Option<SentHow> {
        SentHow::ALL.into_iter().find(|k| k.key() == s.trim())
    }

    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            SentHow::Post => ("Qua bưu chính", "By post"),
            SentHow::Email => ("Thư điện tử", "By e-mail"),
            SentHow::InPerson => ("Trao trực tiếp", "In person"),
            SentHow::Portal => ("Qua Cổng dịch vụ công", "Through the public service portal"),
        }
    }
}

/// The apology's deadline: the later of the file's due date and the recording date + grace.
pub fn apology_due(due_on: NaiveDate, recorded_on: NaiveDate) -> NaiveDate {
    due_on.max(recorded_on + chrono::Duration::days(GRACE_DAYS))
}

/// What the measures need of a case.
#[derive(Debug, Clone, Copy)]
pub struct CaseFacts {
    pub apology_due: NaiveDate,
    /// The letter's date, once sent.
    pub letter_date: Option<NaiveDate>,
}

impl CaseFacts {
    /// Apologised by the deadline.
    pub fn in_time(&self) -> bool {
        self.letter_date.is_some_and(|d| d <= self.apology_due)
    }

    /// No letter yet, and the deadline has passed by `today`.
    pub fn overdue(&self, today: NaiveDate) -> bool {
        self.letter_date.is_none() && today > self.apology_due
    }
}

/// A measure of the register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    UnapologisedLateCount,
    CoverageRate,
}

impl Measure {
    pub const ALL: [Measure; 2] = [Measure::UnapologisedLateCount, Measure::CoverageRate];

    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            Measure::UnapologisedLateCount => ("Số hồ sơ chưa xin lỗi đúng hạn", "Cases not apologised for in time"),
            Measure::CoverageRate => ("Tỷ lệ hồ sơ đã xin lỗi đúng hạn", "Share apologised for in time"),
        }
    }

    pub fn formula(self) -> (&'static str, &'static str) {
        match self {
            Measure::UnapologisedLateCount => {
                ("số hồ sơ phải xin lỗi mà chưa gửi văn bản xin lỗi trước hạn", "cases without a letter of apology sent by its deadline")
            }
            Measure::CoverageRate => ("hồ sơ đã xin lỗi đúng hạn ÷ hồ sơ phải xin lỗi", "cases apologised for in time ÷ cases"),
        }
    }

    /// The measure of a unit's cases — the one place it is computed.
    pub fn of(self, cases: &[CaseFacts]) -> Value {
        let in_time = cases.iter().filter(|c| c.in_time()).count() as i64;
        let all = cases.len() as i64;
        match self {
            Measure::UnapologisedLateCount => Value::Count { count: all - in_time },
            Measure::CoverageRate => Value::Rate { numerator: in_time, denominator: all },
        }
    }

    pub fn fits(self, rule: &crate::framework::Rule) -> bool {
        use crate::framework::Rule;
        match self {
            Measure::UnapologisedLateCount => matches!(rule, Rule::Deduction { .. }),
            Measure::CoverageRate => matches!(rule, Rule::Proportional | Rule::Bands { .. }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_deadline_is_the_due_date_or_three_days_after_recording() {
        assert_eq!(apology_due(d("2026-03-10"), d("2026-03-01")), d("2026-03-10"));
        assert_eq!(apology_due(d("2026-03-10"), d("2026-03-20")), d("2026-03-23"));
    }

    #[test]
    fn measures_count_the_cases_apologised_in_time() {
        let due = d("2026-03-10");
        let cases = [
            CaseFacts { apology_due: due, letter_date: Some(d("2026-03-09")) },
            CaseFacts { apology_due: due, letter_date: Some(d("2026-03-10")) },
            CaseFacts { apology_due: due, letter_date: Some(d("2026-03-11")) },
            CaseFacts { apology_due: due, letter_date: None },
        ];
        assert_eq!(Measure::UnapologisedLateCount.of(&cases), Value::Count { count: 2 });
        assert_eq!(Measure::CoverageRate.of(&cases), Value::Rate { numerator: 2, denominator: 4 });
        assert_eq!(Measure::CoverageRate.of(&[]), Value::Rate { numerator: 0, denominator: 0 });
        assert_eq!(Measure::UnapologisedLateCount.of(&[]), Value::Count { count: 0 });
        assert!(cases[3].overdue(d("2026-03-11")) && !cases[3].overdue(d("2026-03-10")) && !cases[2].overdue(d("2026-04-01")));
    }
}
