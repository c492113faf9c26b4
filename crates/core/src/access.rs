//! Authorization: the one function `can(actor, action, resource)` that decides every access in
//! parindex. Handlers never test roles themselves; they ask `can` and, for lists, `UnitScope`.
//! The decision table is tested as a matrix (role × action × own/other unit) in this module.

use serde::{Deserialize, Serialize};

/// Roles of the product. A user has exactly one role and may belong to a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Reform office of the Department of Home Affairs: administers everything.
    Admin,
    /// Reform office staff who run the period (units, progress) but not users or the audit log.
    Secretariat,
    /// An appraiser in a co-responsible department.
    Appraiser,
    /// A member of the appraisal council.
    Council,
    /// A unit's focal officer: enters self-scores and evidence for their own unit.
    UnitOfficer,
    /// A unit's leader: approves, submits and explains for their own unit.
    UnitLeader,
    /// Provincial leadership or anyone who reads dashboards.
    Viewer,
}

impl Role {
    pub const ALL: [Role; 7] =
        [Role::Admin, Role::Secretariat, Role::Appraiser, Role::Council, Role::UnitOfficer, Role::UnitLeader, Role::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Secretariat => "secretariat",
            Role::Appraiser => "appraiser",
            Role::Council => "council",
            Role::UnitOfficer => "unit_officer",
            Role::UnitLeader => "unit_leader",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s.trim())
    }

    /// Roles that only make sense with a unit (their data is their unit's).
    pub fn needs_unit(self) -> bool {
        matches!(self, Role::UnitOfficer | Role::UnitLeader)
    }

    pub fn label(self, lang: &str) -> &'static str {
        let (vi, en) = match self {
            Role::Admin => ("Quản trị – Phòng CCHC", "Administrator – reform office"),
            Role::Secretariat => ("Thư ký / tổ giúp việc", "Secretariat"),
            Role::Appraiser => ("Thẩm định viên", "Appraiser"),
            Role::Council => ("Thành viên hội đồng thẩm định", "Council member"),
            Role::UnitOfficer => ("Cán bộ đầu mối đơn vị", "Unit focal officer"),
            Role::UnitLeader => ("Lãnh đạo đơn vị", "Unit leader"),
            Role::Viewer => ("Người xem – lãnh đạo tỉnh", "Viewer – provincial leadership"),
        };
        if lang == "en" { en } else { vi }
    }
}

/// The signed-in person on whose behalf a request runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: i64,
    pub username: String,
    pub role: Role,
    pub unit_id: Option<i64>,
}

/// What the actor wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Read published results and public pages. Anonymous visitors may.
    ViewPublic,
    /// Own account: change password, see own profile.
    ManageOwnAccount,
    ListUnits,
    ViewUnit,
    CreateUnit,
    EditUnit,
    DeactivateUnit,
    ImportUnits,
    ManageUsers,
    ViewAuditLog,
    /// A unit's unsubmitted self-assessment and evidence.
    ViewUnitDrafts,
    EditUnitDrafts,
    SubmitAssessment,
    /// Read a unit's assessment once it is submitted — criteria, scores, evidence, appraisal —
    /// without changing it: the council and provincial leadership see what they approve and
    /// read (issue #17), the reform office and the unit itself as always.
    ViewSubmittedWork,
    /// Read criteria frameworks (every signed-in role: the tree is what everyone works with).
    ViewFrameworks,
    /// Import, edit, publish frameworks.
    ManageFrameworks,
    /// See the periods and the state of each unit's assessment (not their drafts' content).
    ViewPeriods,
    /// Open and run assessment periods (participants, deadlines).
    ManagePeriods,
    /// Appraise submitted self-assessments (which leaves: `framework::Framework::appraisers`).
    Appraise,
    /// Approve a period's results as the appraisal council.
    ApprovePeriod,
    /// Survey questionnaires and surveys: import, edit, publish, run (the reform office).
    ManageSurveys,
    /// Read the free-text comments respondents left about a unit (the unit's staff, the office).
    ViewSurveyComments,
    /// Answer those comments — the unit's own staff only (handling feedback is SIPAS element 5).
    AnswerSurveyComments,
    /// Read a period's results across units before they are published (the reform office, the
    /// council, provincial leadership). Units and appraisers see results once published.
    ViewResults,
    /// Enter a unit's bonuses and penalties (the framework's adjustments) with their reason —
    /// the reform office, on the council's or the province's decisions.
    SetAdjustments,
    /// Read a unit's improvement actions (its own staff; the office, council and leadership).
    ViewImprovements,
    /// Plan and follow up improvement actions from the unit's weakest leaves — its own staff.
    PlanImprovements,
}

impl Action {
    pub const ALL: [Action; 27] = [
        Action::ViewPublic,
        Action::ManageOwnAccount,
        Action::ListUnits,
        Action::ViewUnit,
        Action::CreateUnit,
        Action::EditUnit,
        Action::DeactivateUnit,
        Action::ImportUnits,
        Action::ManageUsers,
        Action::ViewAuditLog,
        Action::ViewUnitDrafts,
        Action::EditUnitDrafts,
        Action::SubmitAssessment,
        Action::ViewSubmittedWork,
        Action::ViewFrameworks,
        Action::ManageFrameworks,
        Action::ViewPeriods,
        Action::ManagePeriods,
        Action::Appraise,
        Action::ApprovePeriod,
        Action::ManageSurveys,
        Action::ViewSurveyComments,
        Action::AnswerSurveyComments,
        Action::ViewResults,
        Action::SetAdjustments,
        Action::ViewImprovements,
        Action::PlanImprovements,
    ];
}

/// What the action is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    /// The system as a whole (registries, admin pages).
    System,
    /// One unit, by id.
    Unit(i64),
}

/// Which units an actor may see in a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitScope {
    All,
    Only(i64),
    Nothing,
}

/// Which units a signed-in actor may list. Unit staff see only their own unit.
pub fn unit_scope(actor: &Actor) -> UnitScope {
    if actor.role.needs_unit() {
        match actor.unit_id {
            Some(id) => UnitScope::Only(id),
            None => UnitScope::Nothing,
        }
    } else {
        UnitScope::All
    }
}

/// The single authorization decision. `None` is an anonymous visitor.
pub fn can(actor: Option<&Actor>, action: Action, resource: Resource) -> bool {
    use Action::*;
    use Role::*;
    if action == ViewPublic {
        return true;
    }
    let Some(actor) = actor else { return false };
    let own = match resource {
        Resource::Unit(id) => actor.unit_id == Some(id),
        Resource::System => false,
    };
    let is_unit_resource = matches!(resource, Resource::Unit(_));
    match action {
        ViewPublic => true,
        ManageOwnAccount => true,
        ListUnits => true, // filtered by `unit_scope`
        ViewUnit => match actor.role {
            Admin | Secretariat | Appraiser | Council | Viewer => is_unit_resource,
            UnitOfficer | UnitLeader => own,
        },
        CreateUnit | ImportUnits => matches!(actor.role, Admin | Secretariat) && !is_unit_resource,
        EditUnit | DeactivateUnit => matches!(actor.role, Admin | Secretariat) && is_unit_resource,
        ManageUsers | ViewAuditLog => actor.role == Admin,
        ViewFrameworks => !is_unit_resource,
        ManageFrameworks => actor.role == Admin && !is_unit_resource,
        ViewPeriods => !is_unit_resource,
        ManagePeriods => matches!(actor.role, Admin | Secretariat) && !is_unit_resource,
        Appraise => matches!(actor.role, Admin | Appraiser) && !is_unit_resource,
        ApprovePeriod => matches!(actor.role, Admin | Council) && !is_unit_resource,
        ManageSurveys => matches!(actor.role, Admin | Secretariat) && !is_unit_resource,
        ViewSurveyComments => match actor.role {
            Admin | Secretariat => is_unit_resource,
            UnitOfficer | UnitLeader => own,
            Appraiser | Council | Viewer => false,
        },
        AnswerSurveyComments => matches!(actor.role, UnitOfficer | UnitLeader) && own,
        ViewResults => matches!(actor.role, Admin | Secretariat | Council | Viewer) && !is_unit_resource,
        SetAdjustments => matches!(actor.role, Admin | Secretariat) && !is_unit_resource,
        ViewImprovements => match actor.role {
            Admin | Secretariat | Council | Viewer => is_unit_resource,
            UnitOfficer | UnitLeader => own,
            Appraiser => false,
        },
        PlanImprovements => matches!(actor.role, UnitOfficer | UnitLeader) && own,
        ViewUnitDrafts => match actor.role {
            Admin | Secretariat => is_unit_resource,
            UnitOfficer | UnitLeader => own,
            Appraiser | Council | Viewer => false,
        },
        EditUnitDrafts => matches!(actor.role, UnitOfficer | UnitLeader) && own,
        SubmitAssessment => actor.role == UnitLeader && own,
        ViewSubmittedWork => match actor.role {
            Admin | Secretariat | Council | Viewer => is_unit_resource,
            UnitOfficer | UnitLeader => own,
            Appraiser => false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OWN: i64 = 1;
    const OTHER: i64 = 2;

    fn actor(role: Role) -> Actor {
        Actor { user_id: 10, username: "u".into(), role, unit_id: Some(OWN) }
    }

    /// The expected decision for every role × action × {system, own unit, other unit}.
    /// Written out in full on purpose: a change to the policy must change this table.
    fn expected(role: Role, action: Action) -> (bool, bool, bool) {
        use Action::*;
        use Role::*;
        match (action, role) {
            (ViewPublic, _) | (ManageOwnAccount, _) | (ListUnits, _) => (true, true, true),
            (ViewUnit, Admin | Secretariat | Appraiser | Council | Viewer) => (false, true, true),
            (ViewUnit, UnitOfficer | UnitLeader) => (false, true, false),
            (CreateUnit | ImportUnits, Admin | Secretariat) => (true, false, false),
            (EditUnit | DeactivateUnit, Admin | Secretariat) => (false, true, true),
            (ManageUsers | ViewAuditLog, Admin) => (true, true, true),
            (ViewFrameworks, _) => (true, false, false),
            (ManageFrameworks, Admin) => (true, false, false),
            (ViewPeriods, _) => (true, false, false),
            (ManagePeriods, Admin | Secretariat) => (true, false, false),
            (Appraise, Admin | Appraiser) => (true, false, false),
            (ApprovePeriod, Admin | Council) => (true, false, false),
            (ManageSurveys, Admin | Secretariat) => (true, false, false),
            (ViewUnitDrafts, Admin | Secretariat) => (false, true, true),
            (ViewUnitDrafts | EditUnitDrafts, UnitOfficer | UnitLeader) => (false, true, false),
            (SubmitAssessment, UnitLeader) => (false, true, false),
            (ViewSurveyComments, Admin | Secretariat) => (false, true, true),
            (ViewSurveyComments | AnswerSurveyComments, UnitOfficer | UnitLeader) => (false, true, false),
            (ViewResults, Admin | Secretariat | Council | Viewer) => (true, false, false),
            (SetAdjustments, Admin | Secretariat) => (true, false, false),
            (ViewImprovements | ViewSubmittedWork, Admin | Secretariat | Council | Viewer) => (false, true, true),
            (ViewSubmittedWork, UnitOfficer | UnitLeader) => (false, true, false),
            (ViewImprovements | PlanImprovements, UnitOfficer | UnitLeader) => (false, true, false),
            _ => (false, false, false),
        }
    }

    #[test]
    fn decision_matrix() {
        let mut checked = 0;
        for role in Role::ALL {
            let a = actor(role);
            for action in Action::ALL {
                let got = (
                    can(Some(&a), action, Resource::System),
                    can(Some(&a), action, Resource::Unit(OWN)),
                    can(Some(&a), action, Resource::Unit(OTHER)),
                );
                assert_eq!(got, expected(role, action), "{role:?} {action:?}");
                checked += 1;
            }
        }
        assert_eq!(checked, 7 * 27);
    }

    #[test]
    fn anonymous_only_sees_public() {
        for action in Action::ALL {
            for res in [Resource::System, Resource::Unit(OWN)] {
                assert_eq!(can(None, action, res), action == Action::ViewPublic, "{action:?}");
            }
        }
    }

    #[test]
    fn unit_staff_without_unit_see_nothing() {
        let a = Actor { unit_id: None, ..actor(Role::UnitOfficer) };
        assert_eq!(unit_scope(&a), UnitScope::Nothing);
        assert!(!can(Some(&a), Action::ViewUnit, Resource::Unit(OWN)));
        assert_eq!(unit_scope(&actor(Role::UnitLeader)), UnitScope::Only(OWN));
        assert_eq!(unit_scope(&actor(Role::Appraiser)), UnitScope::All);
    }

    #[test]
    fn roles_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
