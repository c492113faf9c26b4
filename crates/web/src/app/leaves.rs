//! Writing one leaf of an assessment — the unit's own score, an appraisal, a final appraisal, a
//! return — is one use case whether it comes from a page's form (`pages::periods`,
//! `pages::appraisal`) or the API's JSON (`api::periods`): who may, which leaf, the input read
//! against the leaf's rule, then the store's transaction. The callers differ only in how they
//! show a refusal: the page again with the message at the leaf, or a JSON error.

use parindex_core::assessment::{LeafForm, today_vn};
use parindex_core::framework::rule::InputText;
use parindex_core::framework::{Input, Node, Rule};
use parindex_core::{Action, Msg, Resource};
use parindex_store::StoreError;
use parindex_store::repo::periods::{AssessmentView, EntryInput, EntryRow, SheetChange, SheetOutcome};

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::AppError;

/// A leaf's input as it arrived.
pub enum Given {
    /// The page's form: one field per kind of value (`LeafForm`).
    Form(LeafForm),
    /// The API's JSON in the inputs format (docs/framework-format.md): `82`, `[95, 97]`,
    /// `"dung_han"`, `true`, `"na"` or the full form; `None` or `null` clears it.
    Json(Option<serde_json::Value>),
}

impl Given {
    /// The input for the leaf's rule; `Ok(None)` when nothing was given.
    fn read(self, rule: Option<&Rule>) -> Result<Option<Input>, Msg> {
        let Some(rule) = rule else { return Ok(None) };
        match self {
            Given::Form(f) => f.input(rule).map_err(|(_, m)| m),
            Given::Json(None | Some(serde_json::Value::Null)) => Ok(None),
            Given::Json(Some(v)) => json_input(v, rule).map(Some),
        }
    }
}

/// A leaf's input in the inputs format (short or full form), resolved against its rule.
pub fn json_input(v: serde_json::Value, rule: &Rule) -> Result<Input, Msg> {
    let t: InputText =
        serde_json::from_value(v).map_err(|e| Msg::new(format!("Không đọc được “input” ({e})."), format!("Cannot read “input” ({e}).")))?;
    Ok(Input::from(t).resolve(rule))
}

/// Why a leaf was not written.
#[derive(Debug)]
pub enum LeafError {
    /// The input cannot be read for the leaf's rule (a page keeps what was typed).
    Input(Msg),
    /// Refused by the store: the state, a deadline, a stale version, another agency's leaf…
    Store(StoreError),
    /// Not found, not allowed, or a failure: the request as a whole fails.
    App(AppError),
}

impl From<AppError> for LeafError {
    fn from(e: AppError) -> Self {
        LeafError::App(e)
    }
}

impl From<StoreError> for LeafError {
    fn from(e: StoreError) -> Self {
        match e {
            e @ (StoreError::Invalid(_) | StoreError::Conflict(_) | StoreError::Forbidden(_)) => LeafError::Store(e),
            e => LeafError::App(e.into()),
        }
    }
}

impl From<LeafError> for AppError {
    fn from(e: LeafError) -> Self {
        match e {
            LeafError::Input(m) => AppError::BadRequest(m),
            LeafError::Store(e) => e.into(),
            LeafError::App(e) => e,
        }
    }
}

/// The leaf of that code in the assessment's framework (not found: 404).
pub fn leaf_of<'a>(view: &'a AssessmentView, code: &str) -> Result<&'a Node, AppError> {
    view.framework.find(code).filter(|n| n.is_leaf()).ok_or(AppError::NotFound)
}

/// What the unit writes on one of its leaves.
pub struct OwnScore {
    pub given: Given,
    pub note: Option<String>,
    pub explanation: Option<String>,
    /// The version read (0 for a leaf never saved): a newer one on the server is a conflict.
    pub version: i32,
}

/// The unit's officer or leader saves one leaf of its self-assessment.
pub async fn save_own(state: &AppState, ctx: &Ctx, id: i64, code: &str, s: OwnScore) -> Result<EntryRow, LeafError> {
    let view = state.store.get_assessment(id).await?;
    ctx.require(Action::EditUnitDrafts, Resource::Unit(view.assessment.unit_id))?;
    let input = s.given.read(leaf_of(&view, code)?.rule.as_ref()).map_err(LeafError::Input)?;
    let e = EntryInput { input, note: s.note, explanation: s.explanation, version: s.version };
    Ok(state.store.save_entry(&ctx.audit(), id, code, e, today_vn()).await?)
}

/// One leaf as the self-assessment page sends it when saved as a whole.
pub struct SheetLeaf {
    pub code: String,
    pub form: LeafForm,
    pub note: String,
    pub explanation: String,
    pub version: i32,
}

/// The unit's officer or leader saves the changed leaves of its self-assessment page at once,
/// with files to attach (already in the unit's library) and to take off: all or nothing, every
/// refusal named by its leaf (`Store::save_sheet`).
/// `view` is the assessment as the caller read it (for its rules); the store reads it again
/// inside its checks, so a state changed meanwhile is still refused.
pub async fn save_sheet(
    state: &AppState,
    ctx: &Ctx,
    view: &AssessmentView,
    leaves: Vec<SheetLeaf>,
    links: Vec<(String, i64)>,
    unlinks: Vec<(String, i64)>,
) -> Result<SheetOutcome, AppError> {
    ctx.require(Action::EditUnitDrafts, Resource::Unit(view.assessment.unit_id))?;
    let mut change = SheetChange { links, unlinks, ..Default::default() };
    for l in leaves {
        let rule = view.framework.find(&l.code).filter(|n| n.is_leaf()).and_then(|n| n.rule.as_ref());
        match Given::Form(l.form).read(rule) {
            Ok(input) => change
                .entries
                .push((l.code, EntryInput { input, note: Some(l.note), explanation: Some(l.explanation), version: l.version })),
            Err(m) => change.refused.push((l.code, m)),
        }
    }
    Ok(state.store.save_sheet(&ctx.audit(), view.assessment.id, change, today_vn()).await?)
}

/// What an appraiser does with one leaf.
pub enum Appraisal {
    /// The appraised input; the comment is required when the points differ from the unit's.
    Appraise { given: Given, comment: Option<String> },
    /// The final appraisal of a leaf the unit explained.
    Final { given: Given, comment: String },
    /// Back to the unit for correction, with the reason.
    Return { reason: String },
}

/// An appraiser appraises, finally appraises or returns one leaf (their domains only: the
/// store checks the scope inside its transaction).
pub async fn appraise(state: &AppState, ctx: &Ctx, id: i64, code: &str, a: Appraisal) -> Result<(), LeafError> {
    let actor = ctx.require(Action::Appraise, Resource::System)?;
    let scope = crate::app::appraisal::scope_of(state, actor).await?;
    let view = state.store.get_assessment(id).await?;
    let rule = leaf_of(&view, code)?.rule.as_ref();
    let required = |given: Given| -> Result<Input, LeafError> {
        given.read(rule).map_err(LeafError::Input)?.ok_or_else(|| {
            LeafError::Input(Msg::new(
                "Hãy nhập kết quả thẩm định (hoặc đánh dấu không áp dụng).",
                "Enter the appraised result (or mark it not applicable).",
            ))
        })
    };
    let (audit, today) = (ctx.audit(), today_vn());
    match a {
        Appraisal::Appraise { given, comment } => {
            state.store.appraise_entry(&audit, id, code, &scope, required(given)?, comment, today).await?
        }
        Appraisal::Final { given, comment } => {
            state.store.final_appraise(&audit, id, code, &scope, required(given)?, &comment, today).await?
        }
        Appraisal::Return { reason } => state.store.return_entry(&audit, id, code, &scope, &reason, today).await?,
    }
    Ok(())
}
