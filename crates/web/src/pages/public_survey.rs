//! The public survey page (`/k/{key}`, one link per survey and unit; no sign-in): the
//! questionnaire as a plain HTML form that works without JavaScript and weighs a few KB, for
//! citizens on phones and slow networks. The server checks the answers (`survey::answers`:
//! skip logic, required, choices, numbers, constraints) and shows every problem beside its
//! question with what was typed kept; a good response is stored with the unit's counts in one
//! transaction (grouped with others arriving at the same moment, `ingest`) before the thank-you. Abuse: a limit of responses per address, and the same form sent twice within a
//! day is told rather than counted (a digest kept in memory only — nothing about the
//! respondent's address or device is stored with the answers).

use std::collections::BTreeMap;

use crate::extract::Query;
use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use parindex_core::survey::answers::{Raw, check, count_keys};
use parindex_store::StoreError;
use parindex_store::repo::surveys::PublicSurvey;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::AppError;
use crate::pages::surveys::{PreviewSection, preview_sections, text_in};

#[derive(Template)]
#[template(path = "public_survey.html")]
struct Form {
    lang: &'static str,
    ui: crate::ctx::Lang,
    title: String,
    unit: String,
    /// Where the form posts: `/k/{key}` or `/t/{token}`.
    action: String,
    channel: String,
    sections: Vec<PreviewSection>,
    /// What was sent (to keep it on a refused form): question → values.
    values: Raw,
    /// Problems by question.
    errors: BTreeMap<String, String>,
    closed: bool,
    /// The answers were checked but could not be stored (the database refused: a full disk, a
    /// busy writer): nothing was counted, the choices are kept, send again.
    not_saved: bool,
    /// The reform office's contact (issue #17: whom a citizen calls).
    help: crate::chrome::ContactView,
}

impl Form {
    fn t(&self, key: &str) -> &'static str {
        crate::i18n::t(self.ui, key)
    }

    fn chosen(&self, q: &str, v: &str) -> bool {
        self.values.get(q).is_some_and(|vs| vs.iter().any(|x| x == v))
    }

    fn value(&self, q: &str) -> String {
        self.values.get(q).and_then(|v| v.first()).cloned().unwrap_or_default()
    }

    fn error(&self, q: &str) -> String {
        self.errors.get(q).cloned().unwrap_or_default()
    }

    /// The problems in the page's order, each with its question, for the summary at the top that
    /// links to them (the GOV.UK error summary; issue #17): (question name, its text, message).
    fn summary(&self) -> Vec<(String, String, String)> {
        let mut out = Vec::new();
        for s in &self.sections {
            for q in &s.questions {
                if let Some(m) = self.errors.get(&q.name) {
                    out.push((q.name.clone(), q.label.clone(), m.clone()));
                }
            }
        }
        // a problem not tied to a question on the page (kept, not lost)
        for (name, m) in &self.errors {
            if !out.iter().any(|(n, _, _)| n == name) {
                out.push((name.clone(), String::new(), m.clone()));
            }
        }
        out
    }

    /// Questions to answer in a section (notes are not questions).
    fn count(&self, s: &PreviewSection) -> usize {
        s.questions.iter().filter(|q| q.widget != "note").count()
    }

    /// Questions in the whole form.
    fn total(&self) -> usize {
        self.sections.iter().map(|s| self.count(s)).sum()
    }
}

/// A link key resolved, kept for 30 s: the public page is the hot path, and what it shows (a
/// published questionnaire — immutable —, the unit's name) barely changes. Whether the survey is
/// open is checked again when a response is written.
async fn resolve(state: &AppState, key: &str) -> Result<std::sync::Arc<PublicSurvey>, AppError> {
    use std::time::{Duration, Instant};
    let now = Instant::now();
    if let Some((at, p)) = state.public_links.lock().unwrap_or_else(|e| e.into_inner()).get(key)
        && now.duration_since(*at) < Duration::from_secs(30)
    {
        return Ok(p.clone());
    }
    let p = std::sync::Arc::new(state.store.public_survey(key).await?);
    let mut c = state.public_links.lock().unwrap_or_else(|e| e.into_inner());
    if c.len() > 10_000 {
        c.clear();
    }
    c.insert(key.to_string(), (now, p.clone()));
    Ok(p)
}

#[derive(Deserialize)]
struct Channel {
    kenh: Option<String>,
}

fn channel_of(c: &Channel) -> String {
    match c.kenh.as_deref() {
        Some(k @ ("qr" | "web" | "zalo" | "email" | "kiosk")) => k.to_string(),
        _ => "web".into(),
    }
}

fn render_form(
    ctx: &Ctx,
    p: &PublicSurvey,
    action: String,
    channel: String,
    values: Raw,
    errors: BTreeMap<String, String>,
    status: StatusCode,
) -> Response {
    let lang = ctx.lang.code();
    let form = Form {
        lang,
        ui: ctx.lang,
        title: text_in(&p.questionnaire.title, lang),
        unit: p.unit.unit_name.clone(),
        action,
        channel,
        sections: preview_sections(&p.questionnaire, lang),
        values,
        errors,
        closed: p.survey.status != "open",
        not_saved: status == StatusCode::SERVICE_UNAVAILABLE,
        help: crate::chrome::ContactView::of_office(&ctx.office),
    };
    match form.render() {
        Ok(html) => {
            (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8"), (header::CACHE_CONTROL, "no-store")], html).into_response()
        }
        Err(e) => AppError::Internal(e.to_string()).into_response(),
    }
}

async fn show(State(state): State<AppState>, ctx: Ctx, Path(key): Path<String>, Query(c): Query<Channel>) -> Result<Response, AppError> {
    let p = resolve(&state, &key).await?;
    if by_invitation(&p) {
        return Ok(render_note(&ctx, &p.unit.unit_name, Note::InvitationOnly));
    }
    Ok(render_form(&ctx, &p, format!("/k/{key}"), channel_of(&c), Raw::new(), BTreeMap::new(), StatusCode::OK))
}

async fn submit(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(key): Path<String>,
    Query(c): Query<Channel>,
    body: Bytes,
) -> Result<Response, AppError> {
    let p = resolve(&state, &key).await?;
    if by_invitation(&p) {
        return Ok(render_note(&ctx, &p.unit.unit_name, Note::InvitationOnly));
    }
    // the per-address limit counts stored responses only: a refused form costs nothing
    let ip = ctx.ip.clone().unwrap_or_else(|| "-".into());
    if state.survey_limiter.blocked(&ip) {
        return Err(AppError::TooManyRequests);
    }
    let mut raw = Raw::new();
    let mut channel = channel_of(&c);
    for (k, v) in form_urlencoded::parse(&body) {
        if k == "kenh" {
            channel = channel_of(&Channel { kenh: Some(v.into_owned()) });
            continue;
        }
        raw.entry(k.into_owned()).or_default().push(v.into_owned());
    }
    let lang = ctx.lang.code();
    let answers = match check(&p.questionnaire, &raw) {
        Ok(a) => a,
        Err(problems) => {
            let errors = problems.into_iter().map(|(q, m)| (q, m.get(lang).to_string())).collect();
            return Ok(render_form(&ctx, &p, format!("/k/{key}"), channel, raw, errors, StatusCode::UNPROCESSABLE_ENTITY));
        }
    };
    // the same answers from the same address and device within a day: told, not counted twice.
    // The digest is of the answers as understood (canonical: question order, no unknown fields,
    // whatever the channel), not of the posted bytes, which a resend can reorder or pad.
    let ua = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("");
    let canonical = parindex_store::repo::surveys::answers_json(&answers);
    let digest = hex::encode(Sha256::digest(format!("{key}\n{ip}\n{ua}\n{canonical}").as_bytes()));
    if !state.recent_responses.first_time(&digest) {
        return Ok(Redirect::to(&format!("/k/{key}/cam-on?trung=1")).into_response());
    }
    let keys = count_keys(&p.questionnaire, &answers);
    let response = parindex_store::repo::surveys::ResponseIn { unit_id: p.unit.unit_id, channel: channel.clone(), answers, keys };
    match state.ingest.submit(p.survey.id, response).await {
        Ok(()) => {
            state.survey_limiter.allow(&ip);
            Ok(Redirect::to(&format!("/k/{key}/cam-on")).into_response())
        }
        Err(e) => {
            state.recent_responses.forget(&digest);
            // not stored (nothing acknowledged): the citizen keeps the choices; a refusal of the
            // survey's state (closed) is 409, a failure of the system 503 "send again"
            let status = not_stored(e);
            Ok(render_form(&ctx, &p, format!("/k/{key}"), channel, raw, BTreeMap::new(), status))
        }
    }
}

/// The status of an answer that was checked but not stored: 409 when the survey's state
/// refused it (closed), 503 "send again" when the system failed (logged).
fn not_stored(e: StoreError) -> StatusCode {
    match e {
        StoreError::Conflict(_) => StatusCode::CONFLICT,
        e => {
            tracing::error!("a survey answer could not be stored: {e}");
            StatusCode::SERVICE_UNAVAILABLE
        }
    }
}

#[derive(Template)]
#[template(path = "public_thanks.html")]
struct Thanks {
    lang: &'static str,
    ui: crate::ctx::Lang,
    unit: String,
    note: Note,
    help: crate::chrome::ContactView,
}

/// What the small public page says.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Note {
    Thanks,
    Duplicate,
    /// An officials' survey: answered only with an invitation token.
    InvitationOnly,
    /// The token is unknown or was used.
    TokenUsed,
}

fn render_note(ctx: &Ctx, unit: &str, note: Note) -> Response {
    let status = match note {
        Note::Thanks | Note::Duplicate => StatusCode::OK,
        Note::InvitationOnly => StatusCode::FORBIDDEN,
        Note::TokenUsed => StatusCode::GONE,
    };
    match (Thanks {
        lang: ctx.lang.code(),
        ui: ctx.lang,
        unit: unit.to_string(),
        note,
        help: crate::chrome::ContactView::of_office(&ctx.office),
    })
    .render()
    {
        Ok(html) => {
            (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8"), (header::CACHE_CONTROL, "no-store")], html).into_response()
        }
        Err(e) => AppError::Internal(e.to_string()).into_response(),
    }
}

/// An officials' survey proves eligibility with one-use tokens: its open link takes nothing.
fn by_invitation(p: &PublicSurvey) -> bool {
    p.questionnaire.kind == parindex_core::survey::SurveyKind::Officials
}

impl Thanks {
    fn t(&self, key: &str) -> &'static str {
        crate::i18n::t(self.ui, key)
    }
}

#[derive(Deserialize)]
struct Dup {
    trung: Option<String>,
}

async fn thanks(State(state): State<AppState>, ctx: Ctx, Path(key): Path<String>, Query(d): Query<Dup>) -> Result<Response, AppError> {
    let p = resolve(&state, &key).await?;
    Ok(render_note(&ctx, &p.unit.unit_name, if d.trung.is_some() { Note::Duplicate } else { Note::Thanks }))
}

/// An invitation token's form (`/t/{token}`): the survey and unit the token was issued for.
/// Used or unknown tokens get the same answer (410), so tokens cannot be probed.
async fn token_form(State(state): State<AppState>, ctx: Ctx, Path(token): Path<String>) -> Result<Response, AppError> {
    let Some(key) = state.store.token_target(&token).await? else {
        return Ok(render_note(&ctx, "", Note::TokenUsed));
    };
    let p = resolve(&state, &key).await?;
    Ok(render_form(&ctx, &p, format!("/t/{token}"), "token".into(), Raw::new(), BTreeMap::new(), StatusCode::OK))
}

/// A response by invitation token. The answers are checked first (a refused form keeps the
/// token unused); then the token is used — atomically, one response per token — and the
/// response joins the group commit of other responses, in another transaction, with the day
/// only as its time. If storing fails the token is given back.
async fn token_submit(State(state): State<AppState>, ctx: Ctx, Path(token): Path<String>, body: Bytes) -> Result<Response, AppError> {
    let ip = ctx.ip.clone().unwrap_or_else(|| "-".into());
    if state.survey_limiter.blocked(&ip) {
        return Err(AppError::TooManyRequests);
    }
    let Some(key) = state.store.token_target(&token).await? else {
        return Ok(render_note(&ctx, "", Note::TokenUsed));
    };
    let p = resolve(&state, &key).await?;
    let mut raw = Raw::new();
    for (k, v) in form_urlencoded::parse(&body) {
        if k != "kenh" {
            raw.entry(k.into_owned()).or_default().push(v.into_owned());
        }
    }
    let lang = ctx.lang.code();
    let action = format!("/t/{token}");
    let answers = match check(&p.questionnaire, &raw) {
        Ok(a) => a,
        Err(problems) => {
            let errors = problems.into_iter().map(|(q, m)| (q, m.get(lang).to_string())).collect();
            return Ok(render_form(&ctx, &p, action, "token".into(), raw, errors, StatusCode::UNPROCESSABLE_ENTITY));
        }
    };
    if !state.store.redeem_token(&token).await? {
        return Ok(render_note(&ctx, &p.unit.unit_name, Note::TokenUsed));
    }
    let keys = count_keys(&p.questionnaire, &answers);
    let response = parindex_store::repo::surveys::ResponseIn { unit_id: p.unit.unit_id, channel: "token".into(), answers, keys };
    match state.ingest.submit(p.survey.id, response).await {
        Ok(()) => {
            state.survey_limiter.allow(&ip);
            Ok(render_note(&ctx, &p.unit.unit_name, Note::Thanks))
        }
        Err(e) => {
            if let Err(e) = state.store.release_token(&token).await {
                tracing::error!("the invitation token could not be given back: {e}");
            }
            let status = not_stored(e);
            Ok(render_form(&ctx, &p, action, "token".into(), raw, BTreeMap::new(), status))
        }
    }
}

const SURVEY_JS: &str = include_str!("../../assets/survey.js");

async fn survey_js() -> Response {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")], SURVEY_JS).into_response()
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/static/survey.js", get(survey_js))
        .route("/k/{key}", get(show).post(submit))
        .route("/k/{key}/cam-on", get(thanks))
        .route("/t/{token}", get(token_form).post(token_submit))
}
