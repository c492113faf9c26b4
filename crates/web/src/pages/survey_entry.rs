//! Keying in paper forms (`/surveys/runs/{id}/nhap`, reform office): one compact form per
//! paper questionnaire, made for the keyboard. A choice is typed as its number on the list
//! (1–5 on a scale; `1 3 7` for several) or as its key; with JavaScript (`/static/entry.js`)
//! the cursor moves on by itself after a one-digit answer and Enter never sends half a form;
//! without it, Tab does the same. Every form is checked like an import (a blank stays blank —
//! a paper form cannot be asked again) and stored with the channel `paper` through the same
//! group commit as the public page; the page comes back empty for the next form, with the unit
//! kept and the count of forms keyed in.

use std::collections::BTreeMap;

use crate::extract::Query;
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use parindex_core::survey::answers::{Checker, Required, count_keys};
use parindex_core::survey::{QuestionType, Questionnaire};
use parindex_core::{Action, Resource};
use serde::Deserialize;

use crate::AppState;
use crate::chrome::{Page, render};
use crate::ctx::Ctx;
use crate::error::AppError;
use crate::pages::surveys::text_in;

pub struct EntryField {
    pub name: String,
    pub label: String,
    /// "choice" (typed as a number or key), "multi", "text", "number".
    pub widget: &'static str,
    /// Options as (number, key, label).
    pub options: Vec<(usize, String, String)>,
    /// One keystroke is a whole answer (at most 9 options): the cursor may move on.
    pub one_key: bool,
    pub value: String,
    pub error: String,
    /// The question's place on the form (1, 2, …), what the keyer sees on the paper; the
    /// internal name stays in the field's `name` only (issue #17: no codes on screen).
    pub number: usize,
}

pub struct EntrySection {
    pub label: String,
    /// The options shared by every question of a scale section, shown once as a legend.
    pub legend: Vec<(usize, String)>,
    pub fields: Vec<EntryField>,
}

#[derive(Template)]
#[template(path = "survey_entry.html")]
struct EntryPage {
    page: Page,
    run_id: i64,
    run_name: String,
    units: Vec<(i64, String, bool)>,
    sections: Vec<EntrySection>,
    saved: Option<String>,
    error: Option<String>,
    keyed: i32,
}

fn sections(q: &Questionnaire, lang: &str, values: &BTreeMap<String, String>, errors: &BTreeMap<String, String>) -> Vec<EntrySection> {
    q.sections
        .iter()
        .map(|s| {
            let fields: Vec<EntryField> = s
                .questions
                .iter()
                .filter(|x| x.kind != QuestionType::Note)
                .map(|x| {
                    let options: Vec<(usize, String, String)> = x
                        .list
                        .as_deref()
                        .and_then(|l| q.list(l))
                        .map(|l| l.choices.iter().enumerate().map(|(i, c)| (i + 1, c.key.clone(), text_in(&c.label, lang))).collect())
                        .unwrap_or_default();
                    let widget = match x.kind {
                        QuestionType::Likert | QuestionType::SingleChoice => "choice",
                        QuestionType::MultipleChoice { .. } | QuestionType::Rank { .. } => "multi",
                        QuestionType::Integer | QuestionType::Decimal => "number",
                        _ => "text",
                    };
                    EntryField {
                        name: x.name.clone(),
                        label: text_in(&x.label, lang),
                        widget,
                        one_key: widget == "choice" && options.len() <= 9,
                        options,
                        value: values.get(&x.name).cloned().unwrap_or_default(),
                        error: errors.get(&x.name).cloned().unwrap_or_default(),
                        number: 0,
                    }
                })
                .collect();
            let shared = s.matrix && fields.windows(2).all(|w| w[0].options == w[1].options);
            let legend = if shared {
                fields.first().map(|f| f.options.iter().map(|(n, _, l)| (*n, l.clone())).collect()).unwrap_or_default()
            } else {
                vec![]
            };
            EntrySection { label: text_in(&s.label, lang), legend, fields }
        })
        .scan(0, |n, mut s: EntrySection| {
            for f in &mut s.fields {
                *n += 1;
                f.number = *n;
            }
            Some(s)
        })
        .collect()
}

/// A typed cell as the keys it means: a number on the list (1-based) or a key itself;
/// several separated by spaces, commas or semicolons for a multiple choice.
fn keys_of(typed: &str, options: &[(usize, String, String)], multi: bool) -> Vec<String> {
    let parts: Vec<&str> = if multi {
        typed.split(|c: char| c.is_whitespace() || c == ',' || c == ';').filter(|s| !s.is_empty()).collect()
    } else {
        vec![typed.trim()]
    };
    parts
        .into_iter()
        .filter(|p| !p.is_empty())
        .map(|p| {
            if options.iter().any(|(_, key, _)| key == p) {
                p.to_string()
            } else if let Ok(n) = p.parse::<usize>()
                && (1..=options.len()).contains(&n)
            {
                options[n - 1].1.clone()
            } else {
                p.to_string()
            }
        })
        .collect()
}

#[derive(Deserialize)]
struct EntryQuery {
    unit: Option<i64>,
    saved: Option<String>,
}

#[allow(clippy::too_many_arguments)]
async fn page(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    unit: Option<i64>,
    values: BTreeMap<String, String>,
    errors: BTreeMap<String, String>,
    saved: Option<String>,
    error: Option<String>,
) -> Result<Response, AppError> {
    let run = state.store.get_survey(id).await?;
    let (_, q) = state.store.get_questionnaire(&run.questionnaire).await?;
    let rows = state.store.survey_units(id).await?;
    let chosen = unit.or_else(|| rows.first().map(|u| u.unit_id));
    let keyed = rows.iter().find(|u| Some(u.unit_id) == chosen).map(|u| u.responses).unwrap_or(0);
    let units = rows.into_iter().map(|u| (u.unit_id, u.unit_name, Some(u.unit_id) == chosen)).collect();
    let lang = ctx.lang.code();
    let page = Page::new(ctx, state, format!("{} — {}", ctx.t("sv.entry_title"), run.code), "/surveys")
        .crumb(ctx.t("sv.title"), "/surveys")
        .crumb(run.code.clone(), format!("/surveys/runs/{id}"))
        .crumb(ctx.t("sv.entry_title"), "");
    let failed = error.is_some();
    let mut r = render(&EntryPage {
        page,
        run_id: id,
        run_name: run.name,
        units,
        sections: sections(&q, lang, &values, &errors),
        saved,
        error,
        keyed,
    });
    if failed {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

async fn show(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>, Query(q): Query<EntryQuery>) -> Result<Response, AppError> {
    ctx.require(Action::ManageSurveys, Resource::System)?;
    let saved = q.saved.map(|_| ctx.t("sv.entry_saved").to_string());
    page(&state, &ctx, id, q.unit, BTreeMap::new(), BTreeMap::new(), saved, None).await
}

async fn submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    ctx.require(Action::ManageSurveys, Resource::System)?;
    let run = state.store.get_survey(id).await?;
    let (_, q) = state.store.get_questionnaire(&run.questionnaire).await?;
    let units = state.store.survey_units(id).await?;
    let unit =
        f.iter().find(|(k, _)| k == "unit").and_then(|(_, v)| v.parse::<i64>().ok()).filter(|u| units.iter().any(|x| x.unit_id == *u));
    let values: BTreeMap<String, String> =
        f.iter().filter_map(|(k, v)| k.strip_prefix("f:").map(|n| (n.to_string(), v.trim().to_string()))).collect();
    let lang = ctx.lang.code();
    let Some(unit) = unit else {
        return page(&state, &ctx, id, None, values, BTreeMap::new(), None, Some(ctx.t("sv.tokens_unit").to_string())).await;
    };
    if values.values().all(|v| v.is_empty()) {
        return page(&state, &ctx, id, Some(unit), values, BTreeMap::new(), None, Some(ctx.t("sv.entry_empty").to_string())).await;
    }
    let checker = Checker::new(&q);
    let fields = sections(&q, lang, &BTreeMap::new(), &BTreeMap::new());
    let typed: BTreeMap<&str, Vec<String>> = fields
        .iter()
        .flat_map(|s| s.fields.iter())
        .map(|fl| {
            let v = values.get(&fl.name).map(String::as_str).unwrap_or("");
            let keys = match fl.widget {
                "choice" => keys_of(v, &fl.options, false),
                "multi" => keys_of(v, &fl.options, true),
                _ if v.is_empty() => vec![],
                _ => vec![v.to_string()],
            };
            (fl.name.as_str(), keys)
        })
        .collect();
    let names: Vec<&str> = checker.names().collect();
    let slices: Vec<Vec<&str>> =
        names.iter().map(|n| typed.get(n).map(|v| v.iter().map(String::as_str).collect()).unwrap_or_default()).collect();
    let answers = match checker.check_by(|pos| slices[pos].as_slice(), Required::AllowBlank) {
        Ok(a) => a,
        Err(problems) => {
            let errors = problems.into_iter().map(|(n, m)| (n, m.get(lang).to_string())).collect();
            return page(&state, &ctx, id, Some(unit), values, errors, None, Some(ctx.t("sv.entry_fix").to_string())).await;
        }
    };
    let keys = count_keys(&q, &answers);
    let response = parindex_store::repo::surveys::ResponseIn { unit_id: unit, channel: "paper".into(), answers, keys };
    match state.ingest.submit(id, response).await {
        Ok(()) => Ok(Redirect::to(&format!("/surveys/runs/{id}/nhap?unit={unit}&saved=1")).into_response()),
        Err(parindex_store::StoreError::Conflict(m)) => {
            page(&state, &ctx, id, Some(unit), values, BTreeMap::new(), None, Some(m.get(lang).to_string())).await
        }
        Err(e) => Err(e.into()),
    }
}

const ENTRY_JS: &str = include_str!("../../assets/entry.js");

async fn entry_js() -> Response {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")], ENTRY_JS).into_response()
}

pub fn router() -> Router<AppState> {
    Router::new().route("/surveys/runs/{id}/nhap", get(show).post(submit)).route("/static/entry.js", get(entry_js))
}

#[cfg(test)]
mod tests {
    use super::keys_of;

    #[test]
    fn numbers_mean_places_on_the_list_and_keys_stay_keys() {
        let scale: Vec<(usize, String, String)> = (1..=5).map(|i| (i, i.to_string(), String::new())).collect();
        assert_eq!(keys_of("4", &scale, false), vec!["4"]);
        let ages: Vec<(usize, String, String)> =
            ["18-29", "30-44", "45-59", "60+"].iter().enumerate().map(|(i, k)| (i + 1, k.to_string(), String::new())).collect();
        assert_eq!(keys_of("2", &ages, false), vec!["30-44"]);
        assert_eq!(keys_of("60+", &ages, false), vec!["60+"]);
        assert_eq!(keys_of("9", &ages, false), vec!["9"], "off the list: the check says so");
        let picks: Vec<(usize, String, String)> =
            ["a", "b", "c"].iter().enumerate().map(|(i, k)| (i + 1, k.to_string(), String::new())).collect();
        assert_eq!(keys_of("1 3", &picks, true), vec!["a", "c"]);
        assert_eq!(keys_of("b,3", &picks, true), vec!["b", "c"]);
    }
}
