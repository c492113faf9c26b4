//! The data of two cards on a unit's assessment page — bonuses and penalties, and the
//! improvement loop (with the report notes and whether the minutes may be read). Built here for
//! the page (`pages::periods`); their forms are handled in `pages::improvements`, which
//! re-renders the page on a refusal (so this module depends on neither).

use parindex_core::framework::{AdjustmentKind, Rule};
use parindex_core::text::format_date;
use parindex_core::{Action, Exact, Resource};
use parindex_store::repo::improvements::ActionRow;
use parindex_store::repo::periods::AssessmentView;

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::AppError;

pub struct AdjustmentView {
    pub code: String,
    pub title: String,
    pub bonus: bool,
    pub max: String,
    /// `options`, `manual` (a value) or `yes_no`; other rules are entered through the API.
    pub kind: &'static str,
    pub options: Vec<(String, String, bool)>,
    pub value: String,
    pub yes: bool,
    pub points: String,
    pub reason: String,
    pub set_by: String,
}

pub struct ActionView {
    pub id: i64,
    pub year: i32,
    pub leaf: String,
    pub leaf_title: String,
    pub action: String,
    pub owner: String,
    pub due: String,
    pub status: String,
    pub status_label: &'static str,
    pub outcome: String,
    pub overdue: bool,
}

/// What the two cards need.
#[derive(Default)]
pub struct Extras {
    pub adjustments: Vec<AdjustmentView>,
    /// Some adjustment is entered.
    pub any_adjustment: bool,
    pub can_adjust: bool,
    /// This period's actions of the unit.
    pub actions: Vec<ActionView>,
    /// The unit may plan actions here (the result is out and it is its own unit).
    pub can_plan: bool,
    /// Leaves to plan from, weakest first: (code, "code title — points/max").
    pub weak: Vec<(String, String)>,
    /// Actions planned in earlier years, for the leaves of this framework: (leaf code, text).
    pub carried: Vec<(String, String)>,
    /// (status, label key) for the follow-up form.
    pub statuses: Vec<(String, &'static str)>,
    /// The unit's difficulties and recommendations for its self-assessment report.
    pub difficulties: String,
    pub recommendations: String,
    /// The unit's staff may still write them (not approved yet).
    pub can_write_notes: bool,
    /// The appraisal minutes may be downloaded by this reader (`pages::documents::minutes`).
    pub can_minutes: bool,
}

pub fn status_label(status: &str) -> &'static str {
    match status {
        "doing" => "im.doing",
        "done" => "im.done",
        "dropped" => "im.dropped",
        _ => "im.planned",
    }
}

fn action_view(a: &ActionRow) -> ActionView {
    let today = parindex_core::assessment::today_vn();
    ActionView {
        id: a.id,
        year: a.year,
        leaf: a.node_code.clone(),
        leaf_title: a.node_title.clone(),
        action: a.action.clone(),
        owner: a.owner.clone(),
        due: format_date(a.due_on),
        status: a.status.clone(),
        status_label: status_label(&a.status),
        outcome: a.outcome.clone().unwrap_or_default(),
        overdue: a.due_on < today && matches!(a.status.as_str(), "planned" | "doing"),
    }
}

/// The cards' data for an assessment page.
pub async fn extras(state: &AppState, ctx: &Ctx, view: &AssessmentView, show_result: bool) -> Result<Extras, AppError> {
    let unit_id = view.assessment.unit_id;
    let d = view.framework.decimals;
    let approved = view.assessment.state.frozen();
    let adjustments = state
        .store
        .assessment_adjustments(view.assessment.id)
        .await?
        .into_iter()
        .map(|a| {
            let input = a.input.clone().unwrap_or_default();
            AdjustmentView {
                code: a.code.clone(),
                title: a.title.clone(),
                bonus: a.kind == AdjustmentKind::Bonus,
                max: ctx.lang.num(&a.max, d),
                kind: match &a.rule {
                    Rule::Options { .. } => "options",
                    Rule::Manual { .. } => "manual",
                    Rule::YesNo => "yes_no",
                    _ => "",
                },
                options: match &a.rule {
                    Rule::Options { options } => options
                        .iter()
                        .map(|o| {
                            (
                                o.key.clone(),
                                format!("{} ({})", o.label, ctx.lang.num(&o.points, d)),
                                input.option.as_deref() == Some(&o.key),
                            )
                        })
                        .collect(),
                    _ => vec![],
                },
                value: input.value.as_ref().map(|v| ctx.lang.num(v, d)).unwrap_or_default(),
                yes: input.yes == Some(true),
                points: a.points.as_ref().map(|p| ctx.lang.num(p, d)).unwrap_or_default(),
                reason: a.reason.clone().unwrap_or_default(),
                set_by: match (&a.set_by, a.set_at) {
                    (Some(by), Some(at)) => format!("{by} · {}", parindex_core::text::format_time_vn(at)),
                    _ => String::new(),
                },
            }
        })
        .collect();
    let can_view = ctx.allows(Action::ViewImprovements, Resource::Unit(unit_id));
    let adjustments: Vec<AdjustmentView> = adjustments;
    let mut out = Extras {
        any_adjustment: adjustments.iter().any(|a| !a.points.is_empty()),
        statuses: parindex_store::repo::improvements::STATUSES.iter().map(|s| (s.to_string(), status_label(s))).collect(),
        adjustments,
        can_adjust: ctx.allows(Action::SetAdjustments, Resource::System) && !approved,
        ..Default::default()
    };
    let notes = state.store.report_notes(view.assessment.id).await?;
    out.difficulties = notes.difficulties.unwrap_or_default();
    out.recommendations = notes.recommendations.unwrap_or_default();
    out.can_write_notes = ctx.allows(Action::EditUnitDrafts, Resource::Unit(unit_id)) && !view.assessment.state.frozen();
    out.can_minutes = crate::app::appraisal::may_read_minutes(ctx, view);
    if !can_view {
        return Ok(out);
    }
    out.actions = state.store.unit_improvements(unit_id).await?.iter().filter(|a| a.period_id == view.period.id).map(action_view).collect();
    out.can_plan = show_result && ctx.allows(Action::PlanImprovements, Resource::Unit(unit_id));
    if out.can_plan {
        // the unit's leaves by the share of their maximum that counts (final, else appraised,
        // else its own), weakest first — from this assessment alone
        let kind = &view.assessment.unit_kind;
        let scored = state.store.assessment_score(view, false).await?;
        let mut leaves: Vec<(String, String, Exact, Exact)> = parindex_store::repo::periods::all_leaves(&view.framework)
            .into_iter()
            .filter(|n| n.applies_to.is_empty() || n.applies_to.contains(kind))
            .filter_map(|n| {
                let max = n.max.clone().filter(|m| !m.is_zero())?;
                let e = view.entries.get(&n.code);
                if e.and_then(|e| e.input.as_ref()).is_some_and(|i| i.not_applicable) {
                    return None;
                }
                let points =
                    scored.leaf(parindex_core::framework::Stage::Counted, &n.code).map(|x| x.points.clone()).unwrap_or(Exact::ZERO);
                Some((n.code.clone(), n.title.clone(), points, max))
            })
            .collect();
        leaves.sort_by(|a, b| (a.2.clone() / a.3.clone()).cmp(&(b.2.clone() / b.3.clone())).then(a.0.cmp(&b.0)));
        out.weak = leaves
            .into_iter()
            .map(|(code, title, points, max)| {
                let label = format!("{code} {title} — {} / {}", ctx.lang.num(&points, d), ctx.lang.num(&max, d));
                (code, label)
            })
            .collect();
    }
    for (leaf, actions) in state.store.carried_improvements(view.assessment.id).await? {
        for a in actions {
            let v = action_view(&a);
            out.carried.push((
                leaf.clone(),
                format!(
                    "{} · {} — {}, {} {} · {}{}",
                    a.year,
                    v.action,
                    v.owner,
                    ctx.t("im.due"),
                    v.due,
                    ctx.t(v.status_label),
                    if v.outcome.is_empty() { String::new() } else { format!(": {}", v.outcome) }
                ),
            ));
        }
    }
    Ok(out)
}
