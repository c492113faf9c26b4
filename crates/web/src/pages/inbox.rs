//! The in-app inbox: the notices written by the workflow (submissions, returns, preliminary
//! results, explanations, approvals, deadline reminders) for the signed-in person only.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use parindex_core::{Action, Resource};

use parindex_store::repo::notifications::{InboxFilter, NOTICE_KINDS};

use crate::AppState;
use crate::chrome::{Page, render};
use crate::ctx::Ctx;
use crate::error::AppError;

pub struct NoticeView {
    pub id: i64,
    pub text: String,
    /// The period the notice is about, when it points to an assessment.
    pub period: String,
    pub when: String,
    pub read: bool,
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    page: Page,
    notices: Vec<NoticeView>,
    /// The filter as chosen: unread only, kind ("" = every kind).
    unread: bool,
    kind: String,
    /// (code, label) of the kinds of notice.
    kinds: Vec<(&'static str, &'static str)>,
    /// "41–60 / 78", and the links to the previous and next pages.
    shown: String,
    prev: Option<String>,
    next: Option<String>,
}

const PER_PAGE: u64 = 20;

#[derive(serde::Deserialize, Default)]
struct InboxQuery {
    /// `1`: unread only.
    chua_doc: Option<String>,
    loai: Option<String>,
    trang: Option<u64>,
}

async fn inbox(
    State(state): State<AppState>,
    ctx: Ctx,
    crate::extract::Query(q): crate::extract::Query<InboxQuery>,
) -> Result<Response, AppError> {
    let actor = ctx.require(Action::ManageOwnAccount, Resource::System)?;
    let lang = ctx.lang.code();
    let unread = q.chua_doc.as_deref() == Some("1");
    let kind = q.loai.clone().filter(|k| NOTICE_KINDS.contains(&k.as_str())).unwrap_or_default();
    let page_no = q.trang.unwrap_or(1).max(1);
    let filter = InboxFilter { unread_only: unread, kind: Some(kind.clone()), page: page_no - 1, per_page: PER_PAGE };
    let (rows, total) = state.store.inbox_page(actor.user_id, &filter).await?;
    let link = |p: u64| format!("/inbox?chua_doc={}&loai={kind}&trang={p}", if unread { "1" } else { "" });
    let first = (page_no - 1) * PER_PAGE;
    let shown = if total == 0 {
        String::new()
    } else {
        format!("{}–{} / {total}", (first + 1).min(total), (first + rows.len() as u64).min(total))
    };
    let prev = (page_no > 1).then(|| link(page_no - 1));
    let next = (first + (rows.len() as u64) < total).then(|| link(page_no + 1));
    // the period each notice is about: its link names the assessment
    let assessment_of = |link: &str| -> Option<i64> {
        let rest = link.strip_prefix("/assessments/").or_else(|| link.strip_prefix("/appraisal/"))?;
        rest.split(['#', '/', '?']).next()?.parse().ok()
    };
    let ids: Vec<i64> = rows.iter().filter_map(|n| assessment_of(&n.link)).collect();
    let periods = state.store.period_names_of(&ids).await?;
    let notices = rows
        .into_iter()
        .map(|n| NoticeView {
            id: n.id,
            // the period, unless the notice's text names it already
            period: assessment_of(&n.link)
                .and_then(|a| periods.get(&a).cloned())
                .filter(|p| !n.text.get(lang).contains(p.as_str()))
                .unwrap_or_default(),
            text: n.text.get(lang).to_string(),
            when: parindex_core::text::format_time_vn(n.created_at),
            read: n.read,
        })
        .collect();
    let page = Page::new(&ctx, &state, ctx.t("inbox.title"), "/inbox").crumb(ctx.t("inbox.title"), "");
    let kinds = NOTICE_KINDS.iter().map(|k| (*k, ctx.t(&format!("inbox.kind_{k}")))).collect();
    Ok(render(&InboxPage { page, notices, unread, kind, kinds, shown, prev, next }))
}

/// Open a notice: mark it read and go where it points (only the owner's notices).
async fn open(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let actor = ctx.require(Action::ManageOwnAccount, Resource::System)?;
    let link = state.store.mark_read(actor.user_id, Some(id)).await?.ok_or(AppError::NotFound)?;
    // links are written by the server and always local
    let link = if link.starts_with('/') && !link.starts_with("//") { link } else { "/inbox".into() };
    Ok(Redirect::to(&link).into_response())
}

async fn read_all(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let actor = ctx.require(Action::ManageOwnAccount, Resource::System)?;
    state.store.mark_read(actor.user_id, None).await?;
    Ok(Redirect::to("/inbox").into_response())
}

pub fn router() -> Router<AppState> {
    Router::new().route("/inbox", get(inbox)).route("/inbox/read-all", post(read_all)).route("/inbox/{id}", post(open))
}
