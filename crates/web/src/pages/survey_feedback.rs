//! What a survey says beyond the indices (issue #5), read from `store::repo::survey_feedback`:
//!
//! - `/surveys/runs/{id}/nhom[?unit=]` — the SIPAS figures by respondent group (age group,
//!   gender, ethnicity, education, occupation…), for the province or one unit; a group with
//!   fewer respondents than the survey's minimum cell size shows no figure (reform office).
//! - `/surveys/runs/{id}/gop-y[?unit=]` — the free-text comments about a unit, newest first,
//!   unanswered first, each with the unit's answer; the unit's own staff answer them (POST
//!   `/surveys/runs/{id}/gop-y/{response}`), the reform office reads every unit's. Handling
//!   comments is itself SIPAS element 5, so the run page counts received / answered per unit.

use crate::extract::Query;
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use parindex_core::sipas::Tally;
use parindex_core::{Action, Resource};
use parindex_store::StoreError;
use parindex_store::repo::survey_feedback::NewReply;
use serde::Deserialize;

use crate::AppState;
use crate::chrome::{Page, render};
use crate::ctx::Ctx;
use crate::error::AppError;
use crate::pages::surveys::{pct, text_in};

#[derive(Deserialize)]
struct UnitQuery {
    unit: Option<i64>,
    done: Option<String>,
}

pub struct GroupTable {
    pub question: String,
    pub rows: Vec<GroupRowView>,
}

pub struct GroupRowView {
    pub option: String,
    /// The count, or "< 10" when hidden.
    pub respondents: String,
    /// Below the minimum cell size: no figure is shown.
    pub hidden: bool,
    pub sipas: String,
    pub elements: Vec<String>,
}

#[derive(Template)]
#[template(path = "survey_breakdown.html")]
struct BreakdownPage {
    page: Page,
    run_id: i64,
    run_name: String,
    min_cell: i32,
    units: Vec<(i64, String, bool)>,
    tables: Vec<GroupTable>,
}

/// The SIPAS of one group: per element the share of 4–5 answers, and their mean (the survey's
/// formula for a unit).
fn group_figures(ctx: &Ctx, elements: &[Tally; 5]) -> (String, Vec<String>) {
    let shares: Vec<Option<f64>> = elements.iter().map(Tally::share_top2).collect();
    let present: Vec<f64> = shares.iter().flatten().copied().collect();
    let sipas = if present.is_empty() { "—".into() } else { pct(ctx, present.iter().sum::<f64>() / present.len() as f64) };
    (sipas, shares.into_iter().map(|s| s.map(|s| pct(ctx, s)).unwrap_or_else(|| "—".into())).collect())
}

async fn breakdown(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>, Query(q): Query<UnitQuery>) -> Result<Response, AppError> {
    // groups below the smallest cell are hidden anyway: the council and leadership read it too
    ctx.require(Action::ViewResults, Resource::System)?;
    let run = state.store.get_survey(id).await?;
    let (_, questionnaire) = state.store.get_questionnaire(&run.questionnaire).await?;
    let unit_rows = state.store.survey_units(id).await?;
    let unit = q.unit.filter(|u| unit_rows.iter().any(|x| x.unit_id == *u));
    if q.unit.is_some() && unit.is_none() {
        return Err(AppError::NotFound);
    }
    let cells = state.store.survey_breakdown(id, unit).await?;
    let lang = ctx.lang.code();
    let min = u64::try_from(run.min_cell).unwrap_or(0);
    let mut tables: Vec<GroupTable> = Vec::new();
    for c in cells {
        let Some(question) = questionnaire.question(&c.question) else { continue };
        let label = question
            .list
            .as_deref()
            .and_then(|l| questionnaire.list(l))
            .and_then(|l| l.choices.iter().find(|x| x.key == c.option))
            .map(|x| text_in(&x.label, lang))
            .unwrap_or_else(|| c.option.clone());
        let hidden = c.respondents < min;
        let (sipas, elements) = if hidden { ("—".into(), vec!["—".into(); 5]) } else { group_figures(&ctx, &c.elements) };
        let row = GroupRowView {
            option: label,
            respondents: if hidden { format!("< {min}") } else { c.respondents.to_string() },
            hidden,
            sipas,
            elements,
        };
        match tables.last_mut() {
            Some(t) if t.question == text_in(&question.label, lang) => t.rows.push(row),
            _ => tables.push(GroupTable { question: text_in(&question.label, lang), rows: vec![row] }),
        }
    }
    let page = Page::new(&ctx, &state, format!("{} — {}", ctx.t("sv.breakdown"), run.code), "/surveys")
        .crumb(ctx.t("sv.title"), "/surveys")
        .crumb(run.code.clone(), format!("/surveys/runs/{id}"))
        .crumb(ctx.t("sv.breakdown"), "");
    let units = unit_rows.into_iter().map(|u| (u.unit_id, u.unit_name, Some(u.unit_id) == unit)).collect();
    Ok(render(&BreakdownPage { page, run_id: id, run_name: run.name, min_cell: run.min_cell, units, tables }))
}

pub struct CommentView {
    pub response_id: i64,
    pub question: String,
    pub question_label: String,
    pub day: String,
    pub channel: String,
    pub text: String,
    pub reply: Option<(String, String, String)>,
    /// The answer is shown with the comment on the public portal.
    pub public: bool,
}

#[derive(Template)]
#[template(path = "survey_comments.html")]
struct CommentsPage {
    page: Page,
    run_id: i64,
    run_name: String,
    unit_id: i64,
    unit_name: String,
    /// Units to choose from (the reform office): (id, name, received, answered, chosen).
    units: Vec<(i64, String, u64, u64, bool)>,
    can_answer: bool,
    comments: Vec<CommentView>,
    answered: usize,
    error: Option<String>,
}

async fn comments_page(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    unit: Option<i64>,
    done: Option<&str>,
    error: Option<String>,
) -> Result<Response, AppError> {
    let actor = ctx.actor.as_ref().ok_or(AppError::Unauthenticated)?;
    let run = state.store.get_survey(id).await?;
    let unit_rows = state.store.survey_units(id).await?;
    // unit staff land on their own unit; the office on the first unit with comments
    let counts = state.store.comment_counts(id).await?;
    let unit = unit
        .or(actor.unit_id.filter(|_| actor.role.needs_unit()))
        .or_else(|| counts.iter().find(|(_, c)| c.received > 0).map(|(u, _)| *u))
        .or_else(|| unit_rows.first().map(|u| u.unit_id))
        .ok_or(AppError::NotFound)?;
    ctx.require(Action::ViewSurveyComments, Resource::Unit(unit))?;
    let Some(row) = unit_rows.iter().find(|u| u.unit_id == unit) else { return Err(AppError::NotFound) };
    let (_, questionnaire) = state.store.get_questionnaire(&run.questionnaire).await?;
    let lang = ctx.lang.code();
    let mut comments: Vec<CommentView> = state
        .store
        .survey_comments(id, unit)
        .await?
        .into_iter()
        .map(|c| CommentView {
            response_id: c.response_id,
            question_label: questionnaire.question(&c.question).map(|x| text_in(&x.label, lang)).unwrap_or_default(),
            question: c.question,
            day: parindex_core::text::format_date((c.submitted_at + parindex_core::text::vn_offset()).date_naive()),
            channel: crate::pages::surveys::channel_label(ctx, &c.channel),
            text: c.text,
            public: c.reply.as_ref().is_some_and(|r| r.public),
            reply: c.reply.map(|r| (r.body, r.replied_by, parindex_core::text::format_time_vn(r.replied_at))),
        })
        .collect();
    // unanswered first, each part newest first (the store gives newest first; the sort is stable)
    comments.sort_by_key(|c| c.reply.is_some());
    let answered = comments.iter().filter(|c| c.reply.is_some()).count();
    let office = ctx.allows(Action::ManageSurveys, Resource::System);
    let units = if office {
        unit_rows
            .iter()
            .map(|u| {
                let c = counts.get(&u.unit_id).copied().unwrap_or_default();
                (u.unit_id, u.unit_name.clone(), c.received, c.answered, u.unit_id == unit)
            })
            .collect()
    } else {
        vec![]
    };
    let mut page = Page::new(ctx, state, format!("{} — {}", ctx.t("sv.comments"), row.unit_name), if office { "/surveys" } else { "/" });
    if office {
        page = page.crumb(ctx.t("sv.title"), "/surveys").crumb(run.code.clone(), format!("/surveys/runs/{id}"));
    }
    let page = page.crumb(ctx.t("sv.comments"), "").flash_from(done);
    let failed = error.is_some();
    let mut r = render(&CommentsPage {
        page,
        run_id: id,
        run_name: run.name,
        unit_id: unit,
        unit_name: row.unit_name.clone(),
        units,
        can_answer: ctx.allows(Action::AnswerSurveyComments, Resource::Unit(unit)),
        comments,
        answered,
        error,
    });
    if failed {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

async fn comments(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>, Query(q): Query<UnitQuery>) -> Result<Response, AppError> {
    comments_page(&state, &ctx, id, q.unit, q.done.as_deref(), None).await
}

#[derive(Deserialize)]
struct ReplyForm {
    unit: i64,
    question: String,
    body: String,
    /// The box "show the comment and this answer on the public portal".
    #[serde(default)]
    public: Option<String>,
}

async fn reply(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, response)): Path<(i64, i64)>,
    Form(f): Form<ReplyForm>,
) -> Result<Response, AppError> {
    ctx.require(Action::AnswerSurveyComments, Resource::Unit(f.unit))?;
    match state
        .store
        .reply_to_comment(
            &ctx.audit(),
            id,
            f.unit,
            NewReply { response_id: response, question: &f.question, body: &f.body, public: f.public.is_some() },
        )
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/surveys/runs/{id}/gop-y?unit={}&done=reply_saved#c-{response}", f.unit)).into_response()),
        Err(StoreError::Invalid(errors)) => {
            let msg = errors.first().map(|e| e.message.get(ctx.lang.code()).to_string()).unwrap_or_default();
            comments_page(&state, &ctx, id, Some(f.unit), None, Some(msg)).await
        }
        Err(e) => Err(e.into()),
    }
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/surveys/runs/{id}/nhom", get(breakdown))
        .route("/surveys/runs/{id}/gop-y", get(comments))
        .route("/surveys/runs/{id}/gop-y/{response}", post(reply))
}
