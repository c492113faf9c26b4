//! Inspections of reform, records-and-archives and internal-affairs work (issue #20): the
//! model the register is built on — topics and checklists as data, a visit's verdict per item,
//! findings, recommendations with an owner and a deadline, and the measures the index reads.
//! Each rule is computed here in one place; the store keeps the rows, the pages show them.
//!
//! **Checklists** are data (YAML, `inspection-checklists/`): a topic (`cchc`, `van_thu_luu_tru`,
//! `noi_vu`, … — the office adds its own), sections, items with the evidence expected and the
//! legal basis. [`Checklist::check`] names every problem of a definition with its place.
//!
//! **A recommendation** is remedied when the team has *accepted* the unit's remediation report;
//! it is *due* once its deadline has passed or it is remedied (one remedied early counts), and
//! *overdue* when its deadline has passed and it is not remedied ([`RecommendationFacts`]).
//!
//! Measures of a year, per unit and topic (issued conclusions of that year only — a team's
//! working notes are no fact yet):
//! - `inspected` — the unit had an inspection of the topic concluded in the year (yes/no);
//! - `remediation_rate` — recommendations remedied ÷ recommendations due (none due: no value);
//! - `overdue_recommendations` — recommendations overdue (a count, read by a `deduction` rule).

use std::collections::HashSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::Msg;
use crate::onestop::Value;

/// Bounds of a checklist definition.
pub const MAX_SECTIONS: usize = 40;
pub const MAX_ITEMS: usize = 300;
pub const MAX_TEXT: usize = 2_000;

/// A checklist of a topic: what the team looks at during a visit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Checklist {
    pub code: String,
    /// The topic's key (`cchc`, `van_thu_luu_tru`, `noi_vu`, …).
    pub topic: String,
    pub title: String,
    #[serde(default)]
    pub title_en: Option<String>,
    /// The text the checklist follows as a whole (a decision, a circular).
    #[serde(default)]
    pub legal_basis: Option<String>,
    pub sections: Vec<ChecklistSection>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChecklistSection {
    pub key: String,
    pub title: String,
    #[serde(default)]
    pub title_en: Option<String>,
    pub items: Vec<Item>,
}

/// One thing the team checks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Item {
    pub key: String,
    pub title: String,
    #[serde(default)]
    pub title_en: Option<String>,
    /// The documents the unit shows (uploads before the visit).
    #[serde(default)]
    pub evidence: Option<String>,
    #[serde(default)]
    pub legal_basis: Option<String>,
}

/// A problem of a checklist definition, at its place (`section.item`, or empty for the whole).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChecklistProblem {
    pub place: String,
    pub message: Msg,
}

/// A topic's key (`cchc`, `van_thu_luu_tru`, …): lowercase letters, digits and `_`, at most
/// [`Topic::MAX`] bytes, held inline so that a feed naming it stays a plain value.
/// [`Topic::ANY`] (empty) stands for every topic.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Topic {
    len: u8,
    bytes: [u8; Topic::MAX],
}

impl Topic {
    /// So that `feed:inspections.overdue_recommendations.<topic>` fits a leaf's 64-character
    /// source column.
    pub const MAX: usize = 20;
    /// Every topic (a feed written without one).
    pub const ANY: Topic = Topic { len: 0, bytes: [0; Topic::MAX] };
    /// The topics of the sample checklists.
    pub const CCHC: Topic = Topic::from_static("cchc");
    pub const RECORDS: Topic = Topic::from_static("van_thu_luu_tru");
    pub const INTERNAL: Topic = Topic::from_static("noi_vu");

    const fn ok_byte(b: u8) -> bool {
        b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'
    }

    /// A compiled-in key (panics at compile time on a bad one).
    pub const fn from_static(s: &'static str) -> Topic {
        let b = s.as_bytes();
        assert!(!b.is_empty() && b.len() <= Topic::MAX);
        let mut bytes = [0u8; Topic::MAX];
        let mut i = 0;
        while i < b.len() {
            assert!(Topic::ok_byte(b[i]));
            bytes[i] = b[i];
            i += 1;
        }
        Topic { len: b.len() as u8, bytes }
    }

    /// A topic key, or `None` when it is empty, too long or has other characters.
    pub fn new(s: &str) -> Option<Topic> {
        let b = s.as_bytes();
        if b.is_empty() || b.len() > Topic::MAX || !b.iter().all(|&c| Topic::ok_byte(c)) {
            return None;
        }
        let mut bytes = [0u8; Topic::MAX];
        bytes[..b.len()].copy_from_slice(b);
        Some(Topic { len: b.len() as u8, bytes })
    }

    pub fn as_str(&self) -> &str {
        // only ASCII bytes are ever stored
        std::str::from_utf8(&self.bytes[..self.len as usize]).unwrap_or_default()
    }

    pub fn is_any(&self) -> bool {
        self.len == 0
    }

    /// The sample topics' names; another topic is shown by its key.
    pub fn label(&self) -> (String, String) {
        match self.as_str() {
            "" => ("mọi lĩnh vực".into(), "every topic".into()),
            "cchc" => ("cải cách hành chính".into(), "administrative reform".into()),
            "van_thu_luu_tru" => ("văn thư, lưu trữ".into(), "records and archives".into()),
            "noi_vu" => ("công tác nội vụ".into(), "internal affairs".into()),
            k => (k.to_string(), k.to_string()),
        }
    }
}

impl std::fmt::Debug for Topic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Topic({:?})", self.as_str())
    }
}

fn key_ok(k: &str) -> bool {
    !k.is_empty() && k.len() <= 40 && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

impl Checklist {
    /// Every problem of the definition at once: keys (letters, digits, `_`) unique in their
    /// place, titles present, texts within bounds, at least one item.
    pub fn check(&self) -> Vec<ChecklistProblem> {
        let mut out = Vec::new();
        let mut p = |place: String, vi: String, en: String| out.push(ChecklistProblem { place, message: Msg::new(vi, en) });
        if !key_ok(&self.code) {
            p(
                String::new(),
                "Mã bảng kiểm chỉ gồm chữ, số, '_' (tối đa 40 ký tự).".into(),
                "The checklist's code has letters, digits and '_' only (at most 40).".into(),
            );
        }
        if Topic::new(&self.topic).is_none() {
            p(
                String::new(),
                format!("Lĩnh vực kiểm tra (topic) chỉ gồm chữ thường không dấu, số, '_' (tối đa {} ký tự).", Topic::MAX),
                format!("The topic has lowercase letters, digits and '_' only (at most {}).", Topic::MAX),
            );
        }
        if self.title.trim().is_empty() {
            p(String::new(), "Bảng kiểm cần tên (title).".into(), "The checklist needs a title.".into());
        }
        let items: usize = self.sections.iter().map(|s| s.items.len()).sum();
        if self.sections.is_empty() || self.sections.len() > MAX_SECTIONS || items == 0 || items > MAX_ITEMS {
            p(
                String::new(),
                format!("Bảng kiểm có từ 1 đến {MAX_SECTIONS} phần và từ 1 đến {MAX_ITEMS} nội dung kiểm tra."),
                format!("A checklist has 1 to {MAX_SECTIONS} sections and 1 to {MAX_ITEMS} items."),
            );
        }
        let mut sections = HashSet::new();
        for s in &self.sections {
            if !key_ok(&s.key) || !sections.insert(s.key.as_str()) || s.title.trim().is_empty() {
                p(
                    s.key.clone(),
                    format!("Phần «{}» cần mã riêng (chữ, số, '_') và tên.", s.key),
                    format!("Section «{}» needs its own key (letters, digits, '_') and a title.", s.key),
                );
            }
            let mut keys = HashSet::new();
            for i in &s.items {
                let place = format!("{}.{}", s.key, i.key);
                if !key_ok(&i.key) || !keys.insert(i.key.as_str()) || i.title.trim().is_empty() {
                    p(
                        place.clone(),
                        format!("Nội dung «{place}» cần mã riêng trong phần (chữ, số, '_') và tên."),
                        format!("Item «{place}» needs its own key in the section (letters, digits, '_') and a title."),
                    );
                }
                let long = [Some(&i.title), i.evidence.as_ref(), i.legal_basis.as_ref()]
                    .into_iter()
                    .flatten()
                    .any(|t| t.chars().count() > MAX_TEXT);
                if long {
                    p(
                        place.clone(),
                        format!("Nội dung «{place}» có đoạn dài quá {MAX_TEXT} ký tự."),
                        format!("Item «{place}» has a text longer than {MAX_TEXT} characters."),
                    );
                }
            }
        }
        out
    }

    /// Every item with its place key (`section.item`), in order.
    pub fn items(&self) -> Vec<(String, &ChecklistSection, &Item)> {
        self.sections.iter().flat_map(|s| s.items.iter().map(move |i| (format!("{}.{}", s.key, i.key), s, i))).collect()
    }
}

/// What the team found at an item during the visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Compliant,
    Partly,
    NotCompliant,
    NotApplicable,
}

impl Verdict {
    pub const ALL: [Verdict; 4] = [Verdict::Compliant, Verdict::Partly, Verdict::NotCompliant, Verdict::NotApplicable];

    pub fn key(self) -> &'static str {
        match self {
            Verdict::Compliant => "compliant",
            Verdict::Partly => "partly",
            Verdict::NotCompliant => "not_compliant",
            Verdict::NotApplicable => "not_applicable",
        }
    }

    pub fn parse(s: &str) -> Option<Verdict> {
        Verdict::ALL.into_iter().find(|v| v.key() == s)
    }

    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            Verdict::Compliant => ("Đạt", "Compliant"),
            Verdict::Partly => ("Đạt một phần", "Partly compliant"),
            Verdict::NotCompliant => ("Không đạt", "Not compliant"),
            Verdict::NotApplicable => ("Không áp dụng", "Not applicable"),
        }
    }

    /// Counts as a shortcoming in the overview of items that fail most.
    pub fn fails(self) -> bool {
        matches!(self, Verdict::Partly | Verdict::NotCompliant)
    }
}

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Minor,
    Moderate,
    Serious,
}

impl Severity {
    pub const ALL: [Severity; 3] = [Severity::Minor, Severity::Moderate, Severity::Serious];

    pub fn key(self) -> &'static str {
        match self {
            Severity::Minor => "minor",
            Severity::Moderate => "moderate",
            Severity::Serious => "serious",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|v| v.key() == s)
    }

    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            Severity::Minor => ("Nhẹ", "Minor"),
            Severity::Moderate => ("Trung bình", "Moderate"),
            Severity::Serious => ("Nghiêm trọng", "Serious"),
        }
    }
}

/// Where a recommendation's follow-up stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RemediationStatus {
    /// Nothing reported yet.
    Open,
    /// The unit reported its remediation, the team has not decided.
    Reported,
    /// The team returned the report (with a reason): open again.
    Returned,
    /// The team accepted: remedied.
    Accepted,
}

impl RemediationStatus {
    pub const ALL: [RemediationStatus; 4] =
        [RemediationStatus::Open, RemediationStatus::Reported, RemediationStatus::Returned, RemediationStatus::Accepted];

    pub fn key(self) -> &'static str {
        match self {
            RemediationStatus::Open => "open",
            RemediationStatus::Reported => "reported",
            RemediationStatus::Returned => "returned",
            RemediationStatus::Accepted => "accepted",
        }
    }

    pub fn parse(s: &str) -> Option<RemediationStatus> {
        RemediationStatus::ALL.into_iter().find(|v| v.key() == s)
    }

    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            RemediationStatus::Open => ("Chưa báo cáo khắc phục", "Not reported"),
            RemediationStatus::Reported => ("Đã báo cáo, chờ đoàn xem xét", "Reported, awaiting the team"),
            RemediationStatus::Returned => ("Đoàn trả lại, cần bổ sung", "Returned by the team"),
            RemediationStatus::Accepted => ("Đã khắc phục", "Remedied"),
        }
    }
}

/// What the measures read of one recommendation of an issued conclusion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecommendationFacts {
    pub deadline: NaiveDate,
    pub status: RemediationStatus,
}

impl RecommendationFacts {
    pub fn remedied(&self) -> bool {
        self.status == RemediationStatus::Accepted
    }
    /// Counted in the remediation rate: the deadline has passed by `today`, or it is remedied.
    pub fn due(&self, today: NaiveDate) -> bool {
        self.remedied() || today > self.deadline
    }
    pub fn overdue(&self, today: NaiveDate) -> bool {
        !self.remedied() && today > self.deadline
    }
}

/// What the measures read of a unit's inspections of one topic in a year: the conclusions
/// issued, and their recommendations.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnitFacts {
    pub concluded: usize,
    pub recommendations: Vec<RecommendationFacts>,
}

/// A measure of the inspections register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    Inspected,
    RemediationRate,
    OverdueRecommendations,
}

impl Measure {
    pub const ALL: [Measure; 3] = [Measure::Inspected, Measure::RemediationRate, Measure::OverdueRecommendations];

    pub fn key(self) -> &'static str {
        match self {
            Measure::Inspected => "inspected",
            Measure::RemediationRate => "remediation_rate",
            Measure::OverdueRecommendations => "overdue_recommendations",
        }
    }

    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            Measure::Inspected => ("Được kiểm tra trong năm", "Inspected in the year"),
            Measure::RemediationRate => ("Tỷ lệ kiến nghị sau kiểm tra đã khắc phục", "Share of recommendations remedied"),
            Measure::OverdueRecommendations => ("Số kiến nghị quá hạn chưa khắc phục", "Recommendations overdue"),
        }
    }

    pub fn formula(self) -> (&'static str, &'static str) {
        match self {
            Measure::Inspected => ("có kết luận kiểm tra ban hành trong năm", "an inspection conclusion issued in the year"),
            Measure::RemediationRate => (
                "kiến nghị đã khắc phục (đoàn chấp nhận) ÷ kiến nghị đến hạn (đã quá hạn hoặc đã khắc phục)",
                "recommendations remedied (accepted by the team) ÷ recommendations due (deadline passed or remedied)",
            ),
            Measure::OverdueRecommendations => {
                ("kiến nghị quá hạn mà chưa được đoàn chấp nhận khắc phục", "recommendations past their deadline and not remedied")
            }
        }
    }

    /// The measure of a unit's facts of a topic and year on `today` — the one place it is
    /// computed. `None`: no value (no recommendation due yet).
    pub fn of(self, facts: &UnitFacts, today: NaiveDate) -> Option<Value> {
        match self {
            Measure::Inspected => Some(Value::Flag { yes: facts.concluded > 0 }),
            Measure::RemediationRate => {
                let due: Vec<_> = facts.recommendations.iter().filter(|r| r.due(today)).collect();
                (!due.is_empty())
                    .then(|| Value::Rate { numerator: due.iter().filter(|r| r.remedied()).count() as i64, denominator: due.len() as i64 })
            }
            Measure::OverdueRecommendations => {
                Some(Value::Count { count: facts.recommendations.iter().filter(|r| r.overdue(today)).count() as i64 })
            }
        }
    }

    pub fn parse(s: &str) -> Option<Measure> {
        Measure::ALL.into_iter().find(|m| m.key() == s)
    }

    /// The rules that can read it, for a message.
    pub fn rules(self) -> (&'static str, &'static str) {
        match self {
            Measure::Inspected => ("yes_no", "yes_no"),
            Measure::RemediationRate => ("proportional hoặc bands", "proportional or bands"),
            Measure::OverdueRecommendations => ("deduction", "deduction"),
        }
    }

    pub fn fits(self, rule: &crate::framework::Rule) -> bool {
        use crate::framework::Rule;
        match self {
            Measure::Inspected => matches!(rule, Rule::YesNo),
            Measure::RemediationRate => matches!(rule, Rule::Proportional | Rule::Bands { .. }),
            Measure::OverdueRecommendations => matches!(rule, Rule::Deduction { .. }),
        }
    }
}

/// A member's role in an inspection team.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TeamRole {
    /// Trưởng đoàn: issues the conclusion.
    Leader,
    /// Thành viên.
    Member,
    /// Thư ký đoàn.
    Secretary,
}

impl TeamRole {
    pub const ALL: [TeamRole; 3] = [TeamRole::Leader, TeamRole::Member, TeamRole::Secretary];

    pub fn key(self) -> &'static str {
        match self {
            TeamRole::Leader => "leader",
            TeamRole::Member => "member",
            TeamRole::Secretary => "secretary",
        }
    }

    pub fn parse(s: &str) -> Option<TeamRole> {
        TeamRole::ALL.into_iter().find(|v| v.key() == s)
    }

    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            TeamRole::Leader => ("Trưởng đoàn", "Team leader"),
            TeamRole::Member => ("Thành viên", "Member"),
            TeamRole::Secretary => ("Thư ký đoàn", "Team secretary"),
        }
    }
}

/// Where an inspection stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// In the plan, not visited yet.
    Planned,
    /// The team has begun recording the visit.
    Visiting,
    /// The conclusion is issued (number and date): its findings and recommendations are facts.
    Issued,
    /// Taken out of the plan (with the reason).
    Cancelled,
}

impl Status {
    pub const ALL: [Status; 4] = [Status::Planned, Status::Visiting, Status::Issued, Status::Cancelled];

    pub fn key(self) -> &'static str {
        match self {
            Status::Planned => "planned",
            Status::Visiting => "visiting",
            Status::Issued => "issued",
            Status::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|v| v.key() == s)
    }

    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            Status::Planned => ("Theo kế hoạch", "Planned"),
            Status::Visiting => ("Đang kiểm tra", "Being inspected"),
            Status::Issued => ("Đã ban hành kết luận", "Conclusion issued"),
            Status::Cancelled => ("Đã hủy", "Cancelled"),
        }
    }
}

/// What one person may see and do on one inspection — the one place inspection access is
/// decided (the store's reads and writes ask it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// The reform office (administrator, secretariat): everything.
    Office,
    /// A member of its team: everything, the working notes included.
    Team(TeamRole),
    /// Staff of the inspected unit, or of a unit owning one of its recommendations: the plan's
    /// line and the checklist before the visit (to upload the documents asked), the conclusion,
    /// findings and recommendations once issued — never the team's working notes.
    Unit,
    /// Provincial leadership: issued conclusions, no working notes.
    Reader,
    /// Nothing.
    None,
}

impl View {
    /// Who sees what of an inspection of `unit_id` (`team`: the actor's place in its team;
    /// `owners`: the units owning its recommendations).
    pub fn of(actor: &crate::access::Actor, unit_id: i64, team: Option<TeamRole>, owners: &[i64]) -> View {
        use crate::access::Role;
        if matches!(actor.role, Role::Admin | Role::Secretariat) {
            return View::Office;
        }
        if let Some(r) = team {
            return View::Team(r);
        }
        match actor.role {
            Role::UnitOfficer | Role::UnitLeader if actor.unit_id.is_some_and(|u| u == unit_id || owners.contains(&u)) => View::Unit,
            Role::Viewer => View::Reader,
            _ => View::None,
        }
    }

    pub fn sees(self, status: Status) -> bool {
        match self {
            View::Office | View::Team(_) => true,
            View::Unit => status != Status::Cancelled,
            View::Reader => status == Status::Issued,
            View::None => false,
        }
    }

    /// The team's verdicts, notes and photos.
    pub fn sees_working_notes(self) -> bool {
        matches!(self, View::Office | View::Team(_))
    }

    /// Findings and recommendations (drafts while not issued: the team only).
    pub fn sees_conclusion(self, status: Status) -> bool {
        self.sees_working_notes() || (status == Status::Issued && matches!(self, View::Unit | View::Reader))
    }

    /// Record verdicts, notes, photos and draft findings (not once issued).
    pub fn can_record(self, status: Status) -> bool {
        matches!(self, View::Office | View::Team(_)) && matches!(status, Status::Planned | Status::Visiting)
    }

    /// Issue the conclusion: the team leader, or the office.
    pub fn can_issue(self, status: Status) -> bool {
        matches!(self, View::Office | View::Team(TeamRole::Leader)) && matches!(status, Status::Planned | Status::Visiting)
    }

    /// Accept or return a unit's remediation report.
    pub fn can_decide(self) -> bool {
        matches!(self, View::Office | View::Team(_))
    }

    /// Upload a document the checklist asks for before the visit (the unit, or the team).
    pub fn can_upload_documents(self, status: Status) -> bool {
        matches!(self, View::Unit | View::Office | View::Team(_)) && matches!(status, Status::Planned | Status::Visiting)
    }
}

/// Whether `actor` may report the remediation of a recommendation owned by `owner_unit`.
pub fn can_report_remediation(actor: &crate::access::Actor, owner_unit: i64) -> bool {
    use crate::access::Role;
    matches!(actor.role, Role::UnitOfficer | Role::UnitLeader) && actor.unit_id == Some(owner_unit)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    fn checklist() -> Checklist {
        let item =
            |key: &str| Item { key: key.into(), title: format!("Nội dung {key}"), title_en: None, evidence: None, legal_basis: None };
        Checklist {
            code: "cchc_2026".into(),
            topic: "cchc".into(),
            title: "Kiểm tra CCHC".into(),
            title_en: None,
            legal_basis: None,
            sections: vec![
                ChecklistSection {
                    key: "chi_dao".into(),
                    title: "Chỉ đạo".into(),
                    title_en: None,
                    items: vec![item("ke_hoach"), item("bao_cao")],
                },
                ChecklistSection { key: "tthc".into(), title: "TTHC".into(), title_en: None, items: vec![item("cong_khai")] },
            ],
        }
    }

    #[test]
    fn a_checklist_names_each_problem_at_its_place() {
        let c = checklist();
        assert!(c.check().is_empty(), "{:?}", c.check());
        assert_eq!(
            c.items().iter().map(|(k, _, _)| k.as_str()).collect::<Vec<_>>(),
            vec!["chi_dao.ke_hoach", "chi_dao.bao_cao", "tthc.cong_khai"]
        );
        let mut bad = c.clone();
        bad.code = "có dấu".into();
        bad.sections[0].items[1].key = "ke_hoach".into();
        bad.sections[1].key = "chi_dao".into();
        bad.sections[1].items[0].legal_basis = Some("x".repeat(MAX_TEXT + 1));
        let places: Vec<String> = bad.check().into_iter().map(|p| p.place).collect();
        assert_eq!(places, vec!["", "chi_dao.ke_hoach", "chi_dao", "chi_dao.cong_khai"]);
        let mut empty = c;
        empty.sections.clear();
        assert_eq!(empty.check().len(), 1);
    }

    #[test]
    fn measures_read_issued_recommendations_on_the_day() {
        let rec = |deadline, status| RecommendationFacts { deadline, status };
        let facts = UnitFacts {
            concluded: 1,
            recommendations: vec![
                rec(d(6, 30), RemediationStatus::Accepted),
                rec(d(6, 30), RemediationStatus::Reported),
                rec(d(12, 31), RemediationStatus::Accepted),
                rec(d(12, 31), RemediationStatus::Open),
            ],
        };
        let today = d(9, 1);
        // due: the first two (deadline passed) and the third (remedied early); 2 of 3 remedied
        assert_eq!(Measure::RemediationRate.of(&facts, today), Some(Value::Rate { numerator: 2, denominator: 3 }));
        assert_eq!(Measure::OverdueRecommendations.of(&facts, today), Some(Value::Count { count: 1 }), "reported is not remedied");
        assert_eq!(Measure::Inspected.of(&facts, today), Some(Value::Flag { yes: true }));
        let none = UnitFacts::default();
        assert_eq!(Measure::RemediationRate.of(&none, today), None, "nothing due: no value");
        assert_eq!(Measure::Inspected.of(&none, today), Some(Value::Flag { yes: false }));
        let early = UnitFacts { concluded: 1, recommendations: vec![rec(d(12, 31), RemediationStatus::Open)] };
        assert_eq!(Measure::RemediationRate.of(&early, today), None, "a deadline still ahead is not due");
        assert_eq!(Measure::OverdueRecommendations.of(&early, today), Some(Value::Count { count: 0 }));
        use crate::framework::Rule;
        assert!(Measure::Inspected.fits(&Rule::YesNo) && !Measure::Inspected.fits(&Rule::Proportional));
        assert!(
            Measure::RemediationRate.fits(&Rule::Proportional)
                && Measure::OverdueRecommendations.fits(&Rule::Deduction { per: crate::Exact::int(1) })
        );
        for v in Verdict::ALL {
            assert_eq!(Verdict::parse(v.key()), Some(v));
        }
        for s in RemediationStatus::ALL {
            assert_eq!(RemediationStatus::parse(s.key()), Some(s));
        }
        assert!(Verdict::Partly.fails() && !Verdict::NotApplicable.fails());
    }

    #[test]
    fn each_person_sees_their_part_of_an_inspection() {
        use crate::access::{Actor, Role};
        let a = |role, unit| Actor { user_id: 1, username: "u".into(), role, unit_id: unit };
        let (unit, other) = (7, 8);
        assert_eq!(View::of(&a(Role::Secretariat, None), unit, None, &[]), View::Office);
        let team = View::of(&a(Role::Appraiser, Some(3)), unit, Some(TeamRole::Member), &[]);
        assert!(team.sees_working_notes() && team.can_record(Status::Visiting) && !team.can_issue(Status::Visiting));
        assert!(View::Team(TeamRole::Leader).can_issue(Status::Visiting) && !View::Team(TeamRole::Leader).can_issue(Status::Issued));
        let staff = View::of(&a(Role::UnitOfficer, Some(unit)), unit, None, &[]);
        assert_eq!(staff, View::Unit);
        assert!(!staff.sees_working_notes() && !staff.sees_conclusion(Status::Visiting) && staff.sees_conclusion(Status::Issued));
        assert!(
            staff.can_upload_documents(Status::Planned)
                && !staff.can_upload_documents(Status::Issued)
                && !staff.can_record(Status::Planned)
        );
        assert_eq!(View::of(&a(Role::UnitLeader, Some(other)), unit, None, &[]), View::None, "another unit");
        assert_eq!(View::of(&a(Role::UnitLeader, Some(other)), unit, None, &[other]), View::Unit, "owns a recommendation");
        assert_eq!(View::of(&a(Role::Appraiser, Some(3)), unit, None, &[]), View::None, "not on the team");
        assert_eq!(View::of(&a(Role::Council, None), unit, None, &[]), View::None);
        let reader = View::of(&a(Role::Viewer, None), unit, None, &[]);
        assert!(reader.sees(Status::Issued) && !reader.sees(Status::Visiting) && !reader.sees_working_notes());
        assert!(can_report_remediation(&a(Role::UnitOfficer, Some(unit)), unit));
        assert!(!can_report_remediation(&a(Role::UnitOfficer, Some(other)), unit));
        assert!(!can_report_remediation(&a(Role::Admin, None), unit));
        for r in TeamRole::ALL {
            assert_eq!(TeamRole::parse(r.key()), Some(r));
        }
        for s in Status::ALL {
            assert_eq!(Status::parse(s.key()), Some(s));
        }
    }

    #[test]
    fn topics_are_short_plain_keys() {
        assert_eq!(Topic::new("van_thu_luu_tru"), Some(Topic::RECORDS));
        assert_eq!(Topic::RECORDS.as_str(), "van_thu_luu_tru");
        for bad in ["", "CCHC", "có_dấu", "a-b", &"x".repeat(Topic::MAX + 1)] {
            assert_eq!(Topic::new(bad), None, "{bad}");
        }
        assert!(Topic::ANY.is_any() && !Topic::CCHC.is_any());
        assert_eq!(Topic::new(&"x".repeat(Topic::MAX)).map(|t| t.as_str().len()), Some(Topic::MAX));
        let mut c = checklist();
        c.topic = "Nội vụ".into();
        assert_eq!(c.check().len(), 1);
    }
}
