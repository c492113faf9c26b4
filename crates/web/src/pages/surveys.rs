//! Survey questionnaires (issue #5), for the reform office: the library (import an XLSForm
//! workbook or a YAML file; every error, everything not imported and every warning shown with
//! its sheet and row), one questionnaire (its sections and questions with type, SIPAS element
//! or leaf, skip logic; publish; a new version from a published one; download as XLSForm or
//! YAML) and a preview as a respondent will see it, without JavaScript.

use crate::extract::Query;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use parindex_core::survey::{QuestionType, Questionnaire, Text};
use parindex_core::{Action, Resource};
use parindex_reports::xlsform::{Import, Level};
use parindex_store::StoreError;
use serde::Deserialize;

use crate::AppState;
use crate::app::surveys::{export_indices, export_responses};
use crate::chrome::{Page, render, store_error_text};
use crate::ctx::Ctx;
use crate::error::AppError;

/// A text in the page's language, else Vietnamese, else the default language, else any.
pub fn text_in(t: &Text, lang: &str) -> String {
    [lang, "vi", ""].iter().find_map(|l| t.get(*l)).or_else(|| t.values().next()).cloned().unwrap_or_default()
}

pub struct DiagView {
    pub level: &'static str,
    pub class: &'static str,
    pub place: String,
    pub text: String,
}

fn diag_views(ctx: &Ctx, import: &Import) -> Vec<DiagView> {
    let lang = ctx.lang.code();
    let mut v: Vec<_> = import.diags.iter().collect();
    v.sort_by_key(|d| match d.level {
        Level::Error => 0,
        Level::Unsupported => 1,
        Level::Warning => 2,
    });
    v.into_iter()
        .map(|d| {
            let (level, class) = match d.level {
                Level::Error => (ctx.t("sv.level_error"), "err"),
                Level::Unsupported => (ctx.t("sv.level_unsupported"), "warn"),
                Level::Warning => (ctx.t("sv.level_warning"), "off"),
            };
            let mut place = d.sheet.clone();
            if let Some(r) = d.row {
                place.push_str(&format!(", {} {r}", ctx.t("sv.row")));
            }
            if let Some(n) = &d.name {
                place.push_str(&format!(" ({n})"));
            }
            DiagView { level, class, place, text: if lang == "en" { d.en.clone() } else { d.vi.clone() } }
        })
        .collect()
}

pub struct Row {
    pub code: String,
    pub title: String,
    pub kind: &'static str,
    pub version: String,
    pub status_label: &'static str,
    pub status_class: &'static str,
    pub questions: i32,
    pub sample: bool,
}

#[derive(Template)]
#[template(path = "surveys.html")]
struct List {
    page: Page,
    rows: Vec<Row>,
    file_name: String,
    diags: Vec<DiagView>,
    runs: Vec<parindex_store::repo::surveys::SurveyRow>,
    /// Published questionnaires to open a survey with: (code, title).
    published: Vec<(String, String)>,
    year: i32,
    /// A refused "open a survey" form: its problems and what was typed.
    run_errors: Vec<String>,
    run_form: RunForm,
    /// The reform office manages questionnaires and runs; the council and leadership read runs.
    manage: bool,
}

fn kind_label(ctx: &Ctx, kind: &str) -> &'static str {
    if kind == "officials" { ctx.t("sv.kind_officials") } else { ctx.t("sv.kind_citizens") }
}

fn status(ctx: &Ctx, s: &str) -> (&'static str, &'static str) {
    if s == "published" { (ctx.t("sv.published"), "ok") } else { (ctx.t("sv.draft"), "warn") }
}

async fn list_page(state: &AppState, ctx: &Ctx, file_name: String, diags: Vec<DiagView>, code: StatusCode) -> Result<Response, AppError> {
    list_page_with(state, ctx, file_name, diags, code, vec![], RunForm::default()).await
}

async fn list_page_with(
    state: &AppState,
    ctx: &Ctx,
    file_name: String,
    diags: Vec<DiagView>,
    code: StatusCode,
    run_errors: Vec<String>,
    run_form: RunForm,
) -> Result<Response, AppError> {
    // the council and provincial leadership read the runs and their results (issue #17)
    ctx.require(Action::ViewResults, Resource::System)?;
    let manage = ctx.allows(Action::ManageSurveys, Resource::System);
    let all = if manage { state.store.list_questionnaires().await? } else { Vec::new() };
    let published = all.iter().filter(|r| r.status == "published").map(|r| (r.code.clone(), r.title.clone())).collect();
    let rows = all
        .into_iter()
        .map(|r| {
            let (status_label, status_class) = status(ctx, &r.status);
            Row {
                kind: kind_label(ctx, &r.kind),
                code: r.code,
                title: r.title,
                version: r.version,
                status_label,
                status_class,
                questions: r.questions,
                sample: r.sample,
            }
        })
        .collect();
    let page = Page::new(ctx, state, ctx.t("sv.title"), "/surveys").crumb(ctx.t("sv.title"), "");
    let runs = state.store.list_surveys().await?;
    let year = parindex_core::assessment::today_vn().format("%Y").to_string().parse().unwrap_or(2026);
    let mut r = render(&List { page, rows, file_name, diags, runs, published, year, run_errors, run_form, manage });
    *r.status_mut() = code;
    Ok(r)
}

async fn list(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    list_page(&state, &ctx, String::new(), vec![], StatusCode::OK).await
}

/// Import an uploaded XLSForm or YAML file as a draft. A refused file shows every error; an
/// imported one opens its page with what was not imported and the warnings.
async fn import(State(state): State<AppState>, ctx: Ctx, mp: axum::extract::Multipart) -> Result<Response, AppError> {
    ctx.require(Action::ManageSurveys, Resource::System)?;
    let (name, bytes) = crate::pages::units::first_file(mp, state.config.max_upload_bytes).await?;
    let import = parindex_reports::xlsform::import_file(&name, &bytes);
    let Some(q) = import.questionnaire.clone() else {
        return list_page(&state, &ctx, name, diag_views(&ctx, &import), StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    match state.store.save_questionnaire(&ctx.audit(), q, &name).await {
        Ok(row) => detail_page(&state, &ctx, &row.code, Some((name, diag_views(&ctx, &import))), None, None).await,
        Err(e) => match store_error_text(&ctx, &e) {
            Some(text) => {
                let d = DiagView { level: ctx.t("sv.level_error"), class: "err", place: name.clone(), text };
                list_page(&state, &ctx, name, vec![d], StatusCode::UNPROCESSABLE_ENTITY).await
            }
            None => Err(e.into()),
        },
    }
}

pub struct QView {
    pub name: String,
    pub kind: &'static str,
    pub label: String,
    pub required: bool,
    pub list: String,
    pub link: String,
    pub logic: String,
}

pub struct SectionView {
    pub name: String,
    pub label: String,
    pub matrix: bool,
    pub relevant: String,
    pub questions: Vec<QView>,
}

#[derive(Template)]
#[template(path = "survey_form.html")]
struct Detail {
    page: Page,
    code: String,
    title: String,
    kind: &'static str,
    version: String,
    status_label: &'static str,
    status_class: &'static str,
    draft: bool,
    sample: bool,
    languages: String,
    source: String,
    created: String,
    sections: Vec<SectionView>,
    lists: Vec<(String, String)>,
    /// Just imported: what the importer said (not imported, warnings).
    diags: Vec<DiagView>,
    error: Option<String>,
    flash: Option<String>,
}

fn type_label(ctx: &Ctx, k: &QuestionType) -> &'static str {
    ctx.t(match k {
        QuestionType::Likert => "sv.t_likert",
        QuestionType::SingleChoice => "sv.t_single",
        QuestionType::MultipleChoice { .. } => "sv.t_multiple",
        QuestionType::Rank { .. } => "sv.t_rank",
        QuestionType::Integer => "sv.t_integer",
        QuestionType::Decimal => "sv.t_decimal",
        QuestionType::ShortText => "sv.t_short",
        QuestionType::LongText => "sv.t_long",
        QuestionType::Note => "sv.t_note",
    })
}

async fn detail_page(
    state: &AppState,
    ctx: &Ctx,
    code: &str,
    imported: Option<(String, Vec<DiagView>)>,
    error: Option<String>,
    flash: Option<String>,
) -> Result<Response, AppError> {
    ctx.require(Action::ManageSurveys, Resource::System)?;
    let (row, q) = state.store.get_questionnaire(code).await?;
    let lang = ctx.lang.code();
    let sections = q
        .sections
        .iter()
        .map(|s| SectionView {
            name: s.name.clone(),
            label: text_in(&s.label, lang),
            matrix: s.matrix,
            relevant: s.relevant.clone().unwrap_or_default(),
            questions: s
                .questions
                .iter()
                .map(|x| {
                    let mut logic = Vec::new();
                    if let Some(r) = &x.relevant {
                        logic.push(format!("{} {r}", ctx.t("sv.shown_if")));
                    }
                    if let Some(c) = &x.constraint {
                        logic.push(format!("{} {c}", ctx.t("sv.constraint")));
                    }
                    if let QuestionType::MultipleChoice { max: Some(m) } = x.kind {
                        logic.push(format!("{} {m}", ctx.t("sv.at_most")));
                    }
                    QView {
                        name: x.name.clone(),
                        kind: type_label(ctx, &x.kind),
                        label: text_in(&x.label, lang),
                        required: x.required,
                        list: x.list.clone().unwrap_or_default(),
                        link: match (&x.element, &x.leaf) {
                            (Some(e), _) => format!("{} {e}", ctx.t("sv.element")),
                            (_, Some(l)) => format!("{} {l}", ctx.t("sv.leaf")),
                            _ => String::new(),
                        },
                        logic: logic.join(" · "),
                    }
                })
                .collect(),
        })
        .collect();
    let lists = q
        .lists
        .iter()
        .map(|l| {
            (l.name.clone(), l.choices.iter().map(|c| format!("{} = {}", c.key, text_in(&c.label, lang))).collect::<Vec<_>>().join("; "))
        })
        .collect();
    let (status_label, status_class) = status(ctx, &row.status);
    let page = Page::new(ctx, state, format!("{} — {}", ctx.t("sv.title"), row.code), "/surveys")
        .crumb(ctx.t("sv.title"), "/surveys")
        .crumb(row.code.clone(), "");
    let (flash, diags) = match imported {
        Some((file, diags)) => (Some(format!("{} {file}", ctx.t("sv.imported"))), diags),
        None => (flash, vec![]),
    };
    let mut r = render(&Detail {
        page,
        code: row.code.clone(),
        title: text_in(&q.title, lang),
        kind: kind_label(ctx, &row.kind),
        version: row.version,
        draft: row.status == "draft",
        status_label,
        status_class,
        sample: row.sample,
        languages: q.languages.join(", "),
        source: row.source,
        created: format!("{} · {}", row.created_by, parindex_core::text::format_time_vn(row.created_at)),
        sections,
        lists,
        diags,
        flash,
        error: error.clone(),
    });
    if error.is_some() {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

#[derive(Deserialize)]
struct DoneQuery {
    done: Option<String>,
}

async fn detail(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, AppError> {
    let flash = match q.done.as_deref() {
        Some("published") => Some(ctx.t("sv.published_done").to_string()),
        Some("version") => Some(ctx.t("sv.version_done").to_string()),
        _ => None,
    };
    detail_page(&state, &ctx, &code, None, None, flash).await
}

async fn publish(State(state): State<AppState>, ctx: Ctx, Path(code): Path<String>) -> Result<Response, AppError> {
    ctx.require(Action::ManageSurveys, Resource::System)?;
    match state.store.publish_questionnaire(&ctx.audit(), &code).await {
        Ok(_) => Ok(Redirect::to(&format!("/surveys/{}?done=published", crate::chrome::urlencode(&code))).into_response()),
        Err(e @ (StoreError::Invalid(_) | StoreError::Conflict(_))) => {
            let text = store_error_text(&ctx, &e);
            detail_page(&state, &ctx, &code, None, text, None).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct NewVersion {
    new_code: String,
}

async fn new_version(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Form(f): Form<NewVersion>,
) -> Result<Response, AppError> {
    ctx.require(Action::ManageSurveys, Resource::System)?;
    match state.store.new_questionnaire_version(&ctx.audit(), &code, &f.new_code).await {
        Ok(row) => Ok(Redirect::to(&format!("/surveys/{}?done=version", crate::chrome::urlencode(&row.code))).into_response()),
        Err(e @ StoreError::Invalid(_)) => {
            let text = store_error_text(&ctx, &e);
            detail_page(&state, &ctx, &code, None, text, None).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct Format {
    format: Option<String>,
}

/// The questionnaire as XLSForm (default) or YAML.
async fn download(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(f): Query<Format>,
) -> Result<Response, AppError> {
    ctx.require(Action::ManageSurveys, Resource::System)?;
    let (_, q) = state.store.get_questionnaire(&code).await?;
    let safe: String = code.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect();
    if f.format.as_deref() == Some("yaml") {
        let text = parindex_reports::survey::to_yaml(&q);
        return Ok(crate::chrome::download(text.into_bytes(), "application/yaml; charset=utf-8", &format!("{safe}.yaml")));
    }
    let bytes = parindex_reports::xlsform::export_xlsform(&q).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(crate::chrome::download(bytes, crate::chrome::XLSX, &format!("{safe}.xlsx")))
}

pub struct PreviewQ {
    pub name: String,
    pub label: String,
    pub hint: String,
    pub required: bool,
    /// likert, single, multiple, rank, number, text, long, note
    pub widget: &'static str,
    pub choices: Vec<(String, String)>,
    pub logic: String,
}

pub struct PreviewSection {
    pub label: String,
    pub matrix: bool,
    /// The scale's labels of a matrix (its columns).
    pub scale: Vec<(String, String)>,
    pub questions: Vec<PreviewQ>,
}

#[derive(Template)]
#[template(path = "survey_preview.html")]
struct Preview {
    page: Page,
    code: String,
    title: String,
    sections: Vec<PreviewSection>,
}

pub fn preview_sections(q: &Questionnaire, lang: &str) -> Vec<PreviewSection> {
    let choices = |list: &Option<String>| -> Vec<(String, String)> {
        list.as_deref()
            .and_then(|l| q.list(l))
            .map(|l| l.choices.iter().map(|c| (c.key.clone(), text_in(&c.label, lang))).collect())
            .unwrap_or_default()
    };
    q.sections
        .iter()
        .map(|s| {
            let scale = if s.matrix { s.questions.first().map(|x| choices(&x.list)).unwrap_or_default() } else { vec![] };
            PreviewSection {
                label: text_in(&s.label, lang),
                matrix: s.matrix,
                scale,
                questions: s
                    .questions
                    .iter()
                    .map(|x| PreviewQ {
                        name: x.name.clone(),
                        label: text_in(&x.label, lang),
                        hint: text_in(&x.hint, lang),
                        required: x.required,
                        widget: match x.kind {
                            QuestionType::Likert => "likert",
                            QuestionType::SingleChoice => "single",
                            QuestionType::MultipleChoice { .. } => "multiple",
                            QuestionType::Rank { .. } => "rank",
                            QuestionType::Integer | QuestionType::Decimal => "number",
                            QuestionType::ShortText => "text",
                            QuestionType::LongText => "long",
                            QuestionType::Note => "note",
                        },
                        choices: choices(&x.list),
                        logic: x.relevant.clone().unwrap_or_default(),
                    })
                    .collect(),
            }
        })
        .collect()
}

async fn preview(State(state): State<AppState>, ctx: Ctx, Path(code): Path<String>) -> Result<Response, AppError> {
    ctx.require(Action::ManageSurveys, Resource::System)?;
    let (row, q) = state.store.get_questionnaire(&code).await?;
    let lang = ctx.lang.code();
    let page = Page::new(&ctx, &state, format!("{} — {}", ctx.t("sv.preview"), row.code), "/surveys")
        .crumb(ctx.t("sv.title"), "/surveys")
        .crumb(row.code.clone(), format!("/surveys/{}", crate::chrome::urlencode(&row.code)))
        .crumb(ctx.t("sv.preview"), "");
    Ok(render(&Preview { page, code: row.code, title: text_in(&q.title, lang), sections: preview_sections(&q, lang) }))
}

/// The "open a survey" form.
#[derive(Deserialize, Default, Clone)]
pub struct RunForm {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub questionnaire: String,
    #[serde(default)]
    pub year: String,
    #[serde(default)]
    pub quota: String,
    #[serde(default)]
    pub kind_agency: Option<String>,
    #[serde(default)]
    pub kind_commune: Option<String>,
    #[serde(default)]
    pub kind_ward: Option<String>,
}

async fn create_run(State(state): State<AppState>, ctx: Ctx, Form(f): Form<RunForm>) -> Result<Response, AppError> {
    ctx.require(Action::ManageSurveys, Resource::System)?;
    let mut kinds = Vec::new();
    for (on, k) in [(&f.kind_agency, "agency"), (&f.kind_commune, "commune"), (&f.kind_ward, "ward")] {
        if on.is_some() {
            kinds.push(k.to_string());
        }
    }
    let input = parindex_store::repo::surveys::SurveyInput {
        code: f.code.clone(),
        name: f.name.clone(),
        questionnaire: f.questionnaire.clone(),
        year: f.year.trim().parse().unwrap_or(0),
        unit_kinds: kinds,
        unit_codes: vec![],
        quota: f.quota.trim().parse().unwrap_or(0),
        margin: None,
    };
    match state.store.create_survey(&ctx.audit(), input).await {
        Ok(row) => Ok(Redirect::to(&format!("/surveys/runs/{}", row.id)).into_response()),
        Err(StoreError::Invalid(fields)) => {
            let lang = ctx.lang.code();
            let errors = fields.into_iter().map(|e| e.message.get(lang).to_string()).collect();
            list_page_with(&state, &ctx, String::new(), vec![], StatusCode::UNPROCESSABLE_ENTITY, errors, f).await
        }
        Err(e) => Err(e.into()),
    }
}

pub struct RunUnit {
    pub unit_id: i64,
    pub code: String,
    pub name: String,
    pub population: String,
    pub quota: i32,
    pub responses: i32,
    /// Responses as a share of the quota, for the bar (0–100).
    pub percent: i64,
    pub link: String,
    /// Comments received and answered ("12 (9)"), empty without comments.
    pub comments: String,
}

pub struct IndexRowView {
    /// The unit's code (or PROVINCE), to group the rows by.
    pub code: String,
    pub unit: String,
    pub elements: Vec<String>,
    pub sipas: String,
    /// The 95 % interval of the SIPAS figure over the unit's respondents.
    pub ci: String,
    pub n: u64,
    /// The people who answered (the respondents the interval is over).
    pub people: u64,
}

/// One multiple-choice question's options, most chosen first: (label, times chosen, share of
/// the survey's responses).
pub struct Ranking {
    pub question: String,
    pub options: Vec<(String, i64, String)>,
}

#[derive(Template)]
#[template(path = "survey_run.html")]
struct Run {
    page: Page,
    run: parindex_store::repo::surveys::SurveyRow,
    units: Vec<RunUnit>,
    indices: Vec<IndexRowView>,
    /// Whether the questionnaire links questions to SIPAS elements (else no index).
    linked: bool,
    imports: Vec<ImportView>,
    open: bool,
    /// An officials' survey: answered only by invitation token.
    officials: bool,
    /// The reform office runs the survey here; the council and leadership only read.
    manage: bool,
    /// Per unit with tokens: (name, issued, used).
    tokens: Vec<(String, i64, i64)>,
    /// The ranking of each multiple-choice question (expectations).
    rankings: Vec<Ranking>,
    /// Officials' survey: per unit and leaf, (unit, leaf, answers, share as a percentage, exact fraction).
    shares: Vec<(String, String, u64, String, String)>,
    /// Periods of the survey's year not yet approved, to write the leaf shares into: (id, name).
    periods: Vec<(i64, String)>,
    notice: RunNotice,
}

pub struct ImportView {
    pub file_name: String,
    pub responses: i64,
    pub channel: String,
    pub by: String,
    pub at: String,
}

/// What the run page says after an action: a success, an error, and lists (bad rows of an
/// import; columns it ignored).
#[derive(Default)]
pub struct RunNotice {
    pub flash: Option<String>,
    pub error: Option<String>,
    pub problems: Vec<String>,
    pub notes: Vec<String>,
}

pub fn pct(ctx: &Ctx, x: f64) -> String {
    ctx.lang.decimal(&format!("{x:.1}"))
}

/// A survey's SIPAS figures per unit (the province first) as the run page and the public portal
/// show them: the five elements and SIPAS as the share of satisfied answers, its 95 % interval
/// over the unit's respondents, the answers counted — one computation (`core::sipas::indices`)
/// for both pages.
pub(crate) async fn index_views(
    state: &AppState,
    ctx: &Ctx,
    run: &parindex_store::repo::surveys::SurveyRow,
    names: &std::collections::HashMap<String, String>,
    respondents: &std::collections::HashMap<String, u64>,
) -> Result<Vec<IndexRowView>, AppError> {
    let tallies = state.store.survey_tallies(run.id).await?;
    let indices = parindex_core::sipas::indices(&tallies);
    let mut views: Vec<IndexRowView> = Vec::new();
    for r in &indices {
        if views.last().is_none_or(|v| v.code != r.unit) {
            let unit =
                if r.unit == "PROVINCE" { ctx.t("sv.province").to_string() } else { names.get(&r.unit).cloned().unwrap_or(r.unit.clone()) };
            views.push(IndexRowView {
                code: r.unit.clone(),
                unit,
                elements: vec!["—".into(); 5],
                sipas: "—".into(),
                ci: String::new(),
                n: 0,
                people: 0,
            });
        }
        let v = views.last_mut().expect("pushed");
        match r.element.parse::<usize>() {
            Ok(e @ 1..=5) => v.elements[e - 1] = pct(ctx, r.share_top2),
            _ if r.element == "sipas" => {
                v.sipas = pct(ctx, r.share_top2);
                v.n = r.n;
                let people =
                    if r.unit == "PROVINCE" { run.responses.max(0) as u64 } else { respondents.get(&r.unit).copied().unwrap_or(0) };
                v.people = people;
                if let Some((lo, hi)) = parindex_core::sipas::wilson_95(r.share_top2, people) {
                    v.ci = format!("{}–{}", pct(ctx, lo), pct(ctx, hi));
                }
            }
            _ => {}
        }
    }
    views.retain(|v| v.sipas != "—");
    Ok(views)
}

async fn run_page(state: &AppState, ctx: &Ctx, id: i64, notice: RunNotice) -> Result<Response, AppError> {
    // read-only for the council and provincial leadership: the results, not the forms
    ctx.require(Action::ViewResults, Resource::System)?;
    let manage = ctx.allows(Action::ManageSurveys, Resource::System);
    let run = state.store.get_survey(id).await?;
    let base = state.config.public_origin.clone().unwrap_or_default();
    let unit_rows = state.store.survey_units(id).await?;
    let comment_counts = state.store.comment_counts(id).await?;
    let names: std::collections::HashMap<String, String> = unit_rows.iter().map(|u| (u.unit_code.clone(), u.unit_name.clone())).collect();
    let respondents: std::collections::HashMap<String, u64> =
        unit_rows.iter().map(|u| (u.unit_code.clone(), u.responses.max(0) as u64)).collect();
    let units: Vec<RunUnit> = unit_rows
        .into_iter()
        .map(|u| RunUnit {
            unit_id: u.unit_id,
            code: u.unit_code,
            name: u.unit_name,
            population: u.population.map(|n| n.to_string()).unwrap_or_default(),
            quota: u.quota,
            responses: u.responses,
            percent: if u.quota > 0 { (i64::from(u.responses) * 100 / i64::from(u.quota)).min(100) } else { 0 },
            link: format!("{base}/k/{}", u.public_key),
            comments: comment_counts.get(&u.unit_id).map(|c| format!("{} ({})", c.received, c.answered)).unwrap_or_default(),
        })
        .collect();
    let (_, questionnaire) = state.store.get_questionnaire(&run.questionnaire).await?;
    let linked = questionnaire.questions().any(|(_, x)| x.element.is_some());
    let views = index_views(state, ctx, &run, &names, &respondents).await?;
    let page = Page::new(ctx, state, format!("{} — {}", ctx.t("sv.runs"), run.code), "/surveys")
        .crumb(ctx.t("sv.title"), "/surveys")
        .crumb(run.code.clone(), "");
    let imports = state
        .store
        .survey_imports(id)
        .await?
        .into_iter()
        .map(|i| ImportView {
            file_name: i.file_name,
            responses: i.responses,
            channel: channel_label(ctx, &i.channel),
            by: i.created_by,
            at: parindex_core::text::format_time_vn(i.created_at),
        })
        .collect();
    let failed = notice.error.is_some();
    let open = run.status == "open";
    let officials = questionnaire.kind == parindex_core::survey::SurveyKind::Officials;
    let unit_names: std::collections::HashMap<i64, String> = units.iter().map(|u| (u.unit_id, u.name.clone())).collect();
    let tokens = state
        .store
        .token_counts(id)
        .await?
        .into_iter()
        .map(|t| (unit_names.get(&t.unit_id).cloned().unwrap_or_default(), t.issued, t.used))
        .collect();
    let shares: Vec<(String, String, u64, String, String)> = state
        .store
        .survey_leaf_shares(id)
        .await?
        .into_iter()
        .map(|l| {
            let pct = (l.share.clone() * parindex_core::Exact::int(100)).to_vi(2);
            (l.unit_name, l.leaf, l.answers, pct, l.share.to_fraction_string())
        })
        .collect();
    let lang = ctx.lang.code();
    let mut rankings = Vec::new();
    for (_, x) in questionnaire.questions() {
        let (QuestionType::MultipleChoice { .. } | QuestionType::Rank { .. }) = x.kind else { continue };
        let Some(list) = x.list.as_deref().and_then(|l| questionnaire.list(l)) else { continue };
        let totals = state.store.survey_option_totals(id, &x.name).await?;
        if totals.is_empty() {
            continue;
        }
        let label_of = |k: &str| list.choices.iter().find(|c| c.key == k).map(|c| text_in(&c.label, lang)).unwrap_or_else(|| k.to_string());
        let options = totals
            .into_iter()
            .map(|(k, n)| {
                let share = if run.responses > 0 { pct(ctx, n as f64 * 100.0 / run.responses as f64) } else { "—".into() };
                (label_of(&k), n, share)
            })
            .collect();
        rankings.push(Ranking { question: text_in(&x.label, lang), options });
    }
    let periods = if shares.is_empty() || !manage {
        vec![]
    } else {
        state.store.list_periods().await?.into_iter().filter(|p| p.year == run.year && !p.approved()).map(|p| (p.id, p.name)).collect()
    };
    let mut r = render(&Run {
        page,
        run,
        units,
        indices: views,
        linked,
        imports,
        open,
        officials,
        tokens,
        shares,
        rankings,
        periods,
        notice,
        manage,
    });
    if failed {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

async fn run(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>, Query(q): Query<DoneQuery>) -> Result<Response, AppError> {
    let flash = match q.done.as_deref() {
        Some("populations") => Some(ctx.t("sv.populations_saved").to_string()),
        Some("recount") => Some(ctx.t("sv.recounted").to_string()),
        Some("close") => Some(ctx.t("sv.closed_done").to_string()),
        Some("reopen") => Some(ctx.t("sv.reopened_done").to_string()),
        Some("publish") => Some(ctx.t("sv.results_public_done").to_string()),
        Some("unpublish") => Some(ctx.t("sv.unpublished_done").to_string()),
        _ => None,
    };
    run_page(&state, &ctx, id, RunNotice { flash, ..Default::default() }).await
}

/// Save the populations N typed per unit (`n:{unit_id}`); quotas follow (Yamane).
async fn populations(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    ctx.require(Action::ManageSurveys, Resource::System)?;
    let mut values = Vec::new();
    let mut bad = Vec::new();
    for (k, v) in f {
        let Some(unit) = k.strip_prefix("n:").and_then(|u| u.parse::<i64>().ok()) else { continue };
        let v = v.trim().replace(['.', ' '], "");
        if v.is_empty() {
            values.push((unit, None));
        } else {
            match v.parse::<u64>() {
                Ok(n) => values.push((unit, Some(n))),
                Err(_) => bad.push(v),
            }
        }
    }
    if !bad.is_empty() {
        let msg = format!("{} {}", ctx.t("sv.population_bad"), bad.join(", "));
        return run_page(&state, &ctx, id, RunNotice { error: Some(msg), ..Default::default() }).await;
    }
    state.store.set_populations(&ctx.audit(), id, &values).await?;
    Ok(Redirect::to(&format!("/surveys/runs/{id}?done=populations")).into_response())
}

/// Import collected responses (CSV/XLSX, ODK or Kobo export): all rows or none; the page
/// lists every bad row, or what was ignored.
async fn import_responses(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    mut mp: axum::extract::Multipart,
) -> Result<Response, AppError> {
    use crate::app::survey_data::ImportFailure;
    ctx.require(Action::ManageSurveys, Resource::System)?;
    state.store.get_survey(id).await?;
    let (mut channel, mut file) = ("import".to_string(), None);
    use crate::pages::evidence::multipart_error as upload_error;
    while let Some(field) = mp.next_field().await.map_err(upload_error)? {
        match field.name() {
            Some("channel") => channel = field.text().await.map_err(upload_error)?,
            Some("file") => {
                let name = field.file_name().unwrap_or("").to_string();
                let bytes = field.bytes().await.map_err(upload_error)?;
                file = Some((name, bytes.to_vec()));
            }
            _ => {}
        }
    }
    if !["import", "paper", "odk", "kobo"].contains(&channel.as_str()) {
        channel = "import".into();
    }
    let lang = ctx.lang.code();
    let Some((name, bytes)) = file.filter(|(n, b)| !n.is_empty() && !b.is_empty()) else {
        return run_page(&state, &ctx, id, RunNotice { error: Some(ctx.t("sv.import_choose").into()), ..Default::default() }).await;
    };
    match crate::app::survey_data::import_responses(&state.store, &ctx.audit(), id, &name, std::sync::Arc::new(bytes), &channel).await {
        Ok(done) => {
            let mut notes = Vec::new();
            let t = |k: &str| ctx.t(k).to_string();
            if !done.unknown.is_empty() {
                notes.push(format!("{} {}", t("sv.import_unknown"), done.unknown.join(", ")));
            }
            if !done.ignored.is_empty() {
                notes.push(format!("{} {}", t("sv.import_ignored"), done.ignored.join(", ")));
            }
            if !done.absent.is_empty() {
                notes.push(format!("{} {}", t("sv.import_absent"), done.absent.join(", ")));
            }
            let flash = Some(format!("{} {} — {}", t("sv.import_done"), done.responses, name));
            run_page(&state, &ctx, id, RunNotice { flash, notes, ..Default::default() }).await
        }
        Err(ImportFailure::File(m)) => {
            run_page(&state, &ctx, id, RunNotice { error: Some(format!("{name}: {}", m.get(lang))), ..Default::default() }).await
        }
        Err(ImportFailure::Rows { problems, bad_rows }) => {
            let error = Some(format!("{name}: {} {bad_rows}. {}", ctx.t("sv.import_bad_rows"), ctx.t("sv.import_nothing")));
            let problems = problems
                .into_iter()
                .map(|p| {
                    format!(
                        "{} {}, {} {}: {}",
                        ctx.t("sv.resp_row"),
                        p.row,
                        ctx.t("sv.column"),
                        p.column,
                        if lang == "en" { p.en } else { p.vi }
                    )
                })
                .collect();
            run_page(&state, &ctx, id, RunNotice { error, problems, ..Default::default() }).await
        }
        Err(ImportFailure::Store(e)) => Err(e.into()),
    }
}

/// The raw responses as CSV, streamed page by page.
/// A template to key in collected responses in Excel (drop-downs of the survey's units and each
/// question's choice keys; `reports::responses::template_xlsx`); it imports as filled.
async fn entry_template(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    ctx.require(Action::ManageSurveys, Resource::System)?;
    let run = state.store.get_survey(id).await?;
    let (_, q) = state.store.get_questionnaire(&run.questionnaire).await?;
    let units: Vec<String> = state.store.survey_units(id).await?.into_iter().map(|u| u.unit_code).collect();
    let bytes = parindex_reports::responses::template_xlsx(&q, &units, 1000, ctx.lang.code() != "en")
        .map_err(|e| AppError::Internal(format!("xlsx: {e}")))?;
    Ok(crate::chrome::download(bytes, crate::chrome::XLSX, &format!("mau-nhap-{}.xlsx", run.code)))
}

#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    unit: String,
    #[serde(default)]
    count: String,
}

/// Issue one-use invitation tokens for a unit: the tokens come back once, as a CSV of links
/// to hand out (only their hashes are kept).
async fn issue_tokens(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<TokenForm>,
) -> Result<Response, AppError> {
    ctx.require(Action::ManageSurveys, Resource::System)?;
    let run = state.store.get_survey(id).await?;
    let units = state.store.survey_units(id).await?;
    let unit = units.iter().find(|u| u.unit_id.to_string() == f.unit.trim());
    let count = f.count.trim().parse::<usize>().unwrap_or(0);
    let Some(unit) = unit else {
        return run_page(&state, &ctx, id, RunNotice { error: Some(ctx.t("sv.tokens_unit").into()), ..Default::default() }).await;
    };
    let tokens = match state.store.issue_tokens(&ctx.audit(), id, unit.unit_id, count).await {
        Ok(t) => t,
        Err(StoreError::Invalid(e)) => {
            let msg = e.into_iter().map(|e| e.message.get(ctx.lang.code()).to_string()).collect::<Vec<_>>().join(" ");
            return run_page(&state, &ctx, id, RunNotice { error: Some(msg), ..Default::default() }).await;
        }
        Err(e) => return Err(e.into()),
    };
    let base = state.config.public_origin.clone().unwrap_or_default();
    let mut csv = String::from("\u{feff}unit_code,unit_name,token,link\n");
    for t in tokens {
        csv.push_str(&parindex_reports::csv_out::line([unit.unit_code.as_str(), &unit.unit_name, &t, &format!("{base}/t/{t}")]));
        csv.push('\n');
    }
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (axum::http::header::CONTENT_DISPOSITION, format!("attachment; filename=\"{}-{}-ma-moi.csv\"", run.code, unit.unit_code)),
            (axum::http::header::CACHE_CONTROL, "no-store".to_string()),
        ],
        csv,
    )
        .into_response())
}

#[derive(Deserialize)]
pub struct PosterQuery {
    quay: Option<String>,
}

/// A unit's printable QR poster (SVG, A4) — its public link with `?kenh=qr`. The link is
/// absolute: the configured public address, else the address this page was asked on.
/// How an import's channel reads on the page (stored as a code: `paper`, `odk`, `kobo`, `import`).
pub(crate) fn channel_label(ctx: &Ctx, code: &str) -> String {
    match code {
        "paper" => ctx.t("sv.channel_paper").to_string(),
        "odk" => "ODK Collect / ODK Central".into(),
        "kobo" => "KoboToolbox".into(),
        "qr" => ctx.t("sv.channel_qr").to_string(),
        "web" => ctx.t("sv.channel_web").to_string(),
        "zalo" => "Zalo".into(),
        "email" => ctx.t("sv.channel_email").to_string(),
        "kiosk" => ctx.t("sv.channel_kiosk").to_string(),
        "token" => ctx.t("sv.channel_token").to_string(),
        _ => ctx.t("sv.channel_import").to_string(),
    }
}

async fn poster(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: axum::http::HeaderMap,
    Path((id, unit_id)): Path<(i64, i64)>,
    Query(q): Query<PosterQuery>,
) -> Result<Response, AppError> {
    ctx.require(Action::ManageSurveys, Resource::System)?;
    let run = state.store.get_survey(id).await?;
    // an officials' survey is answered by invitation only: it has no public link to post
    let (_, questionnaire) = state.store.get_questionnaire(&run.questionnaire).await?;
    if questionnaire.kind == parindex_core::survey::SurveyKind::Officials {
        return Err(AppError::NotFound);
    }
    let units = state.store.survey_units(id).await?;
    let unit = units.iter().find(|u| u.unit_id == unit_id).ok_or(StoreError::NotFound)?;
    let origin = state.config.public_origin.clone().unwrap_or_else(|| {
        let host = headers.get(axum::http::header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
        format!("http://{host}")
    });
    let link = format!("{origin}/k/{}?kenh=qr", unit.public_key);
    let desk: Option<String> = q.quay.map(|d| d.chars().take(60).collect());
    let svg = crate::poster::svg(&crate::poster::Poster { survey: &run.name, unit: &unit.unit_name, desk: desk.as_deref(), link: &link })
        .map_err(|e| AppError::Internal(format!("QR: {e}")))?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "image/svg+xml; charset=utf-8".to_string()),
            (axum::http::header::CONTENT_DISPOSITION, format!("inline; filename=\"{}-{}-qr.svg\"", run.code, unit.unit_code)),
        ],
        svg,
    )
        .into_response())
}

/// Close the survey, or open it again.
async fn set_open(State(state): State<AppState>, ctx: Ctx, Path((id, what)): Path<(i64, String)>) -> Result<Response, AppError> {
    ctx.require(Action::ManageSurveys, Resource::System)?;
    let open = match what.as_str() {
        "close" => false,
        "reopen" => true,
        _ => return Err(StoreError::NotFound.into()),
    };
    state.store.set_survey_open(&ctx.audit(), id, open).await?;
    // the public pages keep a resolved link 30 s: forget them so the change shows at once
    state.public_links.lock().unwrap_or_else(|e| e.into_inner()).clear();
    Ok(Redirect::to(&format!("/surveys/runs/{id}?done={what}")).into_response())
}

/// Put a closed survey's results on the public portal, or take them off (issue #17).
async fn set_public(State(state): State<AppState>, ctx: Ctx, Path((id, what)): Path<(i64, String)>) -> Result<Response, AppError> {
    ctx.require(Action::ManageSurveys, Resource::System)?;
    let publish = match what.as_str() {
        "publish" => true,
        "unpublish" => false,
        _ => return Err(StoreError::NotFound.into()),
    };
    match state.store.publish_survey(&ctx.audit(), id, publish).await {
        Ok(()) => Ok(Redirect::to(&format!("/surveys/runs/{id}?done={what}")).into_response()),
        Err(StoreError::Conflict(m)) => {
            run_page(&state, &ctx, id, RunNotice { error: Some(m.get(ctx.lang.code()).to_string()), ..Default::default() }).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct PointsForm {
    period: i64,
}

/// Officials' survey → the leaves' points in a period's assessments (`Store::apply_survey_points`);
/// the run page comes back with what was written and what was skipped, and why.
async fn apply_points(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<PointsForm>,
) -> Result<Response, AppError> {
    ctx.require(Action::ManageSurveys, Resource::System)?;
    ctx.require(Action::ManagePeriods, Resource::System)?;
    let lang = ctx.lang.code();
    let notice = match state.store.apply_survey_points(&ctx.audit(), id, f.period).await {
        Ok(done) => RunNotice {
            flash: Some(format!("{} {}", ctx.t("sv.points_applied"), done.applied.len())),
            notes: done.skipped.iter().map(|s| format!("{} · {}: {}", s.unit_code, s.leaf, s.reason.get(lang))).collect(),
            ..Default::default()
        },
        Err(e @ (StoreError::Invalid(_) | StoreError::Conflict(_))) => {
            RunNotice { error: crate::chrome::store_error_text(&ctx, &e), ..Default::default() }
        }
        Err(e) => return Err(e.into()),
    };
    run_page(&state, &ctx, id, notice).await
}

/// Rebuild the counts from the raw responses.
async fn recount(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    ctx.require(Action::ManageSurveys, Resource::System)?;
    crate::app::survey_data::recount(&state.store, &ctx.audit(), id).await?;
    Ok(Redirect::to(&format!("/surveys/runs/{id}?done=recount")).into_response())
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/surveys", get(list))
        .route("/surveys/runs", post(create_run))
        .route("/surveys/runs/{id}", get(run))
        .route("/surveys/runs/{id}/populations", post(populations))
        .route(
            "/surveys/runs/{id}/import",
            post(import_responses).layer(axum::extract::DefaultBodyLimit::max(crate::app::survey_data::MAX_IMPORT_BYTES)),
        )
        .route("/surveys/runs/{id}/responses.csv", get(export_responses))
        .route("/surveys/runs/{id}/mau-nhap.xlsx", get(entry_template))
        .route("/surveys/runs/{id}/indices.csv", get(export_indices))
        .route("/surveys/runs/{id}/recount", post(recount))
        .route("/surveys/runs/{id}/points", post(apply_points))
        .route("/surveys/runs/{id}/status/{what}", post(set_open))
        .route("/surveys/runs/{id}/public/{what}", post(set_public))
        .route("/surveys/runs/{id}/tokens", post(issue_tokens))
        .route("/surveys/runs/{id}/poster/{unit_id}", get(poster))
        .route("/surveys/import", post(import))
        .route("/surveys/{code}", get(detail))
        .route("/surveys/{code}/preview", get(preview))
        .route("/surveys/{code}/download", get(download))
        .route("/surveys/{code}/publish", post(publish))
        .route("/surveys/{code}/versions", post(new_version))
}
