//! Reform plans and their tasks (kế hoạch CCHC, issue #19): the province's yearly plan assigns
//! tasks to units with deadlines, and each unit issues its own plan by a deadline the office
//! sets. Frameworks score exactly this ("plan issued on time", "share of plan tasks done"); the
//! criteria fed by the plans register read its measures, each computed here in one place.
//!
//! **A task's status** is what its owner unit says — not started, doing, done (with the day),
//! dropped (with the reason, e.g. the province withdrew it) — and *overdue* is not stored: a task
//! not done nor dropped whose deadline has passed is overdue ([`TaskFacts::overdue`]).
//!
//! Measures of a year, per unit (the tasks it owns that are due that year, dropped ones left
//! out):
//! - `unit_plan_on_time` — the unit's plan signed by the deadline (yes/no; a unit without a plan
//!   has "no");
//! - `tasks_done_share` — tasks done ÷ tasks;
//! - `tasks_done_on_time_share` — tasks done by their deadline ÷ tasks.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::onestop::Value;

/// A task's status as its owner says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    NotStarted,
    Doing,
    Done,
    Dropped,
}

impl TaskStatus {
    pub const ALL: [TaskStatus; 4] = [TaskStatus::NotStarted, TaskStatus::Doing, TaskStatus::Done, TaskStatus::Dropped];

    pub fn key(self) -> &'static str {
        match self {
            TaskStatus::NotStarted => "not_started",
            TaskStatus::Doing => "doing",
            TaskStatus::Done => "done",
            TaskStatus::Dropped => "dropped",
        }
    }

    /// The key, or the Vietnamese or English label (as a template's drop-down writes it).
    pub fn parse(s: &str) -> Option<TaskStatus> {
        let t = crate::text::fold(s.trim());
        TaskStatus::ALL
            .into_iter()
            .find(|k| k.key() == s.trim() || crate::text::fold(k.label().0) == t || crate::text::fold(k.label().1) == t)
    }

    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            TaskStatus::NotStarted => ("Chưa thực hiện", "Not started"),
            TaskStatus::Doing => ("Đang thực hiện", "In progress"),
            TaskStatus::Done => ("Đã hoàn thành", "Done"),
            TaskStatus::Dropped => ("Không thực hiện (có lý do)", "Dropped (with a reason)"),
        }
    }
}

/// What the measures need of a task.
#[derive(Debug, Clone, Copy)]
pub struct TaskFacts {
    pub deadline: NaiveDate,
    pub status: TaskStatus,
    /// The day it was done (a done task has one).
    pub done_on: Option<NaiveDate>,
}

impl TaskFacts {
    /// Not done nor dropped, and the deadline has passed by `today`.
    pub fn overdue(&self, today: NaiveDate) -> bool {
        matches!(self.status, TaskStatus::NotStarted | TaskStatus::Doing) && today > self.deadline
    }

    /// Done by its deadline.
    pub fn done_on_time(&self) -> bool {
        self.status == TaskStatus::Done && self.done_on.is_some_and(|d| d <= self.deadline)
    }
}

/// A unit's plan as the measures see it: when it was signed, against the deadline.
#[derive(Debug, Clone, Copy)]
pub struct PlanFacts {
    /// The office's deadline for units' plans of the year (none: any plan of the year counts).
    pub due: Option<NaiveDate>,
    /// The day the unit's plan was signed (none: no plan).
    pub signed_on: Option<NaiveDate>,
}

impl PlanFacts {
    pub fn on_time(&self) -> bool {
        match (self.signed_on, self.due) {
            (Some(s), Some(d)) => s <= d,
            (Some(_), None) => true,
            (None, _) => false,
        }
    }
}

/// A measure of the register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    UnitPlanOnTime,
    TasksDoneShare,
    TasksDoneOnTimeShare,
}

impl Measure {
    pub const ALL: [Measure; 3] = [Measure::UnitPlanOnTime, Measure::TasksDoneShare, Measure::TasksDoneOnTimeShare];

    pub fn key(self) -> &'static str {
        match self {
            Measure::UnitPlanOnTime => "unit_plan_on_time",
            Measure::TasksDoneShare => "tasks_done_share",
            Measure::TasksDoneOnTimeShare => "tasks_done_on_time_share",
        }
    }

    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            Measure::UnitPlanOnTime => ("Ban hành kế hoạch CCHC năm đúng hạn", "Yearly reform plan issued on time"),
            Measure::TasksDoneShare => ("Tỷ lệ nhiệm vụ kế hoạch hoàn thành", "Share of plan tasks done"),
            Measure::TasksDoneOnTimeShare => ("Tỷ lệ nhiệm vụ hoàn thành đúng hạn", "Share of plan tasks done on time"),
        }
    }

    pub fn formula(self) -> (&'static str, &'static str) {
        match self {
            Measure::UnitPlanOnTime => {
                ("kế hoạch của đơn vị ký trước hạn Văn phòng giao", "the unit's plan signed by the office's deadline")
            }
            Measure::TasksDoneShare => (
                "nhiệm vụ đã hoàn thành ÷ nhiệm vụ được giao (trừ nhiệm vụ không thực hiện có lý do)",
                "tasks done ÷ tasks assigned (dropped ones left out)",
            ),
            Measure::TasksDoneOnTimeShare => (
                "nhiệm vụ hoàn thành đúng hạn ÷ nhiệm vụ được giao (trừ nhiệm vụ không thực hiện có lý do)",
                "tasks done by their deadline ÷ tasks assigned (dropped ones left out)",
            ),
        }
    }

    /// The plan measure of a unit's plan.
    pub fn of_plan(self, plan: &PlanFacts) -> Option<Value> {
        (self == Measure::UnitPlanOnTime).then(|| Value::Flag { yes: plan.on_time() })
    }

    /// A task measure of a unit's tasks — the one place it is computed.
    pub fn of_tasks(self, tasks: &[TaskFacts]) -> Option<Value> {
        let counted: Vec<&TaskFacts> = tasks.iter().filter(|t| t.status != TaskStatus::Dropped).collect();
        let denominator = counted.len() as i64;
        match self {
            Measure::UnitPlanOnTime => None,
            Measure::TasksDoneShare => {
                Some(Value::Rate { numerator: counted.iter().filter(|t| t.status == TaskStatus::Done).count() as i64, denominator })
            }
            Measure::TasksDoneOnTimeShare => {
                Some(Value::Rate { numerator: counted.iter().filter(|t| t.done_on_time()).count() as i64, denominator })
            }
        }
    }

    pub fn fits(self, rule: &crate::framework::Rule) -> bool {
        use crate::framework::Rule;
        match self {
            Measure::UnitPlanOnTime => matches!(rule, Rule::YesNo),
            Measure::TasksDoneShare | Measure::TasksDoneOnTimeShare => matches!(rule, Rule::Proportional | Rule::Bands { .. }),
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
    fn a_plan_is_on_time_when_signed_by_the_deadline() {
        let due = Some(d("2026-01-31"));
        assert!(PlanFacts { due, signed_on: Some(d("2026-01-31")) }.on_time());
        assert!(!PlanFacts { due, signed_on: Some(d("2026-02-01")) }.on_time());
        assert!(!PlanFacts { due, signed_on: None }.on_time());
        assert!(PlanFacts { due: None, signed_on: Some(d("2026-06-01")) }.on_time());
        assert_eq!(Measure::UnitPlanOnTime.of_plan(&PlanFacts { due, signed_on: None }), Some(Value::Flag { yes: false }));
    }

    #[test]
    fn task_measures_leave_dropped_tasks_out() {
        let t = |deadline: &str, status, done: Option<&str>| TaskFacts { deadline: d(deadline), status, done_on: done.map(d) };
        let tasks = [
            t("2026-06-30", TaskStatus::Done, Some("2026-06-30")),
            t("2026-06-30", TaskStatus::Done, Some("2026-07-02")),
            t("2026-06-30", TaskStatus::Doing, None),
            t("2026-09-30", TaskStatus::NotStarted, None),
            t("2026-03-31", TaskStatus::Dropped, None),
        ];
        assert_eq!(Measure::TasksDoneShare.of_tasks(&tasks), Some(Value::Rate { numerator: 2, denominator: 4 }));
        assert_eq!(Measure::TasksDoneOnTimeShare.of_tasks(&tasks), Some(Value::Rate { numerator: 1, denominator: 4 }));
        assert_eq!(Measure::TasksDoneShare.of_tasks(&[]), Some(Value::Rate { numerator: 0, denominator: 0 }));
        let today = d("2026-07-01");
        assert_eq!(tasks.iter().filter(|t| t.overdue(today)).count(), 1, "the one in progress past its deadline");
        assert!(!tasks[4].overdue(today), "a dropped task is never overdue");
    }

    #[test]
    fn statuses_read_their_keys_and_labels() {
        assert_eq!(TaskStatus::parse("done"), Some(TaskStatus::Done));
        assert_eq!(TaskStatus::parse(" Đang thực hiện "), Some(TaskStatus::Doing));
        assert_eq!(TaskStatus::parse("dang thuc hien"), Some(TaskStatus::Doing));
        assert_eq!(TaskStatus::parse("xong"), None);
    }
}
