//! The in-app inbox: the notices written by the workflow (submissions, returns, preliminary
//! results, explanations, approvals, deadline reminders) for the signed-in person only.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use parindex_core::{Action, Resource};

use crate::AppState;
use crate::chrome::{Page, render};
use crate::ctx::Ctx;
use crate::error::AppError;

pub struct NoticeView {
    pub id: i64,
    pub text: String,
    pub when: String,
    pub read: bool,
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    page: Page,
    notices: Vec<NoticeView>,
}

async fn inbox(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let actor = ctx.require(Action::ManageOwnAccount, Resource::System)?;
    let lang = ctx.lang.code();
    let notices = state
        .store
        .inbox(actor.user_id, 200)
        .await?
        .into_iter()
        .map(|n| NoticeView {
            id: n.id,
            text: n.text.get(lang).to_string(),
            when: parindex_core::text::format_time_vn(n.created_at),
            read: n.read,
        })
        .collect();
    let page = Page::new(&ctx, &state, ctx.t("inbox.title"), "/inbox").crumb(ctx.t("inbox.title"), "");
    Ok(render(&InboxPage { page, notices }))
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
