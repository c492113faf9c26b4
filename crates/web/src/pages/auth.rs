//! Sign-in, sign-out, own account (password change) and the language switch.

use crate::extract::Query;
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use parindex_core::{Action, Resource};
use parindex_store::repo::users::LoginError;
use serde::Deserialize;

use crate::AppState;
use crate::chrome::{Page, render, store_error_text};
use crate::ctx::{Ctx, LANG_COOKIE, Lang, SESSION_COOKIE};
use crate::error::AppError;

#[derive(Template)]
#[template(path = "login.html")]
struct Login {
    page: Page,
    error: Option<String>,
    username: String,
    next: String,
}

/// Where to go after signing in: only a path of this site. Browsers drop tabs and newlines
/// from a URL and read `\\` as `/`, so `/\t/evil.example` is `//evil.example` to them: refuse
/// anything but printable ASCII without a backslash, and any scheme-relative start.
pub(crate) fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.starts_with("/%2f")
                && !n.starts_with("/%2F")
                && !n.starts_with("/%5c")
                && !n.starts_with("/%5C")
                && n.bytes().all(|b| b.is_ascii_graphic() && b != b'\\')
                && !encoded_control(n)
                && n.len() <= 2048 =>
        {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

/// `%00`–`%1F` or `%7F` anywhere: an encoded control character, which some clients decode.
fn encoded_control(n: &str) -> bool {
    let b = n.as_bytes();
    b.windows(3)
        .any(|w| w[0] == b'%' && (matches!(w[1], b'0' | b'1') && w[2].is_ascii_hexdigit() || w[1] == b'7' && matches!(w[2], b'f' | b'F')))
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

async fn login_form(State(state): State<AppState>, ctx: Ctx, Query(q): Query<NextQuery>) -> Response {
    if ctx.actor.is_some() {
        return Redirect::to(&safe_next(q.next.as_deref())).into_response();
    }
    let page = Page::new(&ctx, &state, ctx.t("login.title"), "/login");
    render(&Login { page, error: None, username: String::new(), next: safe_next(q.next.as_deref()) })
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

fn session_cookie(state: &AppState, value: &str, max_age: Option<i64>) -> String {
    let mut c = format!("{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(a) = max_age {
        c.push_str(&format!("; Max-Age={a}"));
    }
    if state.config.cookie_secure {
        c.push_str("; Secure");
    }
    c
}

async fn login(State(state): State<AppState>, ctx: Ctx, headers: HeaderMap, Form(f): Form<LoginForm>) -> Result<Response, AppError> {
    let next = safe_next(f.next.as_deref());
    let ip = ctx.ip.clone().unwrap_or_else(|| "-".into());
    let fail = |msg: String, status: StatusCode| {
        let page = Page::new(&ctx, &state, ctx.t("login.title"), "/login");
        let mut r = render(&Login { page, error: Some(msg), username: f.username.clone(), next: next.clone() });
        *r.status_mut() = status;
        r
    };
    // Only failures count (ratelimit::Throttle): per (account typed, address) — the same for an
    // account that exists and one that does not, so the answer tells nothing — and per address
    // with a higher threshold. Nobody elsewhere can lock an account out.
    let account_key = format!("{}|{ip}", parindex_core::text::fold(f.username.trim()));
    let wait = state.login_throttle.wait(&account_key).max(state.address_throttle.wait(&ip));
    if !wait.is_zero() {
        state.metrics.login_failed();
        let msg = format!("{} {}", ctx.t("login.throttled"), wait.as_secs().max(1));
        return Ok(fail(msg, StatusCode::TOO_MANY_REQUESTS));
    }
    let ua = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).map(str::to_string);
    match state.store.login(&f.username, &f.password, ctx.ip.clone(), ua).await? {
        Ok((secret, _actor)) => {
            state.login_throttle.clear(&account_key);
            let mut r = Redirect::to(&next).into_response();
            r.headers_mut().insert(
                header::SET_COOKIE,
                session_cookie(&state, &secret, None).parse().map_err(|_| AppError::Internal("cookie".into()))?,
            );
            Ok(r)
        }
        Err(e) => {
            state.metrics.login_failed();
            state.login_throttle.fail(&account_key);
            state.address_throttle.fail(&ip);
            // the same answer for every refusal (irrefutable: a new variant must be decided here)
            let (LoginError::Invalid | LoginError::Disabled) = e;
            Ok(fail(ctx.t("login.invalid").to_string(), StatusCode::UNAUTHORIZED))
        }
    }
}

async fn logout(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    if let Some(secret) = &ctx.session_secret {
        state.store.logout(secret).await?;
    }
    let mut r = Redirect::to("/?done=signed_out").into_response();
    r.headers_mut()
        .insert(header::SET_COOKIE, session_cookie(&state, "", Some(0)).parse().map_err(|_| AppError::Internal("cookie".into()))?);
    Ok(r)
}

#[derive(Template)]
#[template(path = "account.html")]
struct Account {
    page: Page,
    error: Option<String>,
    tokens: Vec<TokenRow>,
    /// A token just created: shown once.
    new_token: Option<String>,
    token_error: Option<String>,
}

/// One API token on the account page.
struct TokenRow {
    id: i64,
    name: String,
    created: String,
    last_used: String,
    expires: String,
    /// `active`, `revoked` or `expired`
    state: &'static str,
}

fn vn_time(t: chrono::DateTime<chrono::Utc>) -> String {
    (t + chrono::Duration::hours(7)).format("%H:%M %d/%m/%Y").to_string()
}

#[derive(Deserialize)]
struct DoneQuery {
    done: Option<String>,
}

async fn account_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<DoneQuery>) -> Result<Response, AppError> {
    account(&state, &ctx, None, q.done.as_deref()).await
}

async fn account(state: &AppState, ctx: &Ctx, error: Option<String>, done: Option<&str>) -> Result<Response, AppError> {
    account_with(state, ctx, error, done, None, None).await
}

async fn account_with(
    state: &AppState,
    ctx: &Ctx,
    error: Option<String>,
    done: Option<&str>,
    new_token: Option<String>,
    token_error: Option<String>,
) -> Result<Response, AppError> {
    let actor = ctx.require(Action::ManageOwnAccount, Resource::System)?;
    let mut page = Page::new(ctx, state, ctx.t("account.title"), "/account").crumb(ctx.t("account.title"), "").flash_from(done);
    let me = state.store.get_user(actor.user_id).await?;
    if let Some(u) = page.user.as_mut() {
        u.full_name = me.full_name;
    }
    let now = chrono::Utc::now();
    let never = ctx.t("tokens.never");
    let tokens = state
        .store
        .list_tokens(Some(actor.user_id))
        .await?
        .into_iter()
        .map(|t| TokenRow {
            id: t.id,
            state: if t.revoked_at.is_some() {
                "revoked"
            } else if t.expires_at.is_some_and(|e| e <= now) {
                "expired"
            } else {
                "active"
            },
            name: t.name,
            created: vn_time(t.created_at),
            last_used: t.last_used_at.map(vn_time).unwrap_or_else(|| never.to_string()),
            expires: t.expires_at.map(vn_time).unwrap_or_else(|| never.to_string()),
        })
        .collect();
    let status = if error.is_some() || token_error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let mut r = render(&Account { page, error, tokens, new_token, token_error });
    *r.status_mut() = status;
    Ok(r)
}

#[derive(Deserialize)]
struct PasswordForm {
    current: String,
    new: String,
    confirm: String,
}

async fn change_password(State(state): State<AppState>, ctx: Ctx, Form(f): Form<PasswordForm>) -> Result<Response, AppError> {
    let actor = ctx.require(Action::ManageOwnAccount, Resource::System)?.clone();
    if !state.store.check_password(actor.user_id, &f.current).await? {
        return account(&state, &ctx, Some(ctx.t("account.wrong_current").into()), None).await;
    }
    if f.new != f.confirm {
        return account(&state, &ctx, Some(ctx.t("account.mismatch").into()), None).await;
    }
    if let Err(e) = state.store.set_password(&ctx.audit(), &actor.username, &f.new).await {
        return match store_error_text(&ctx, &e) {
            Some(msg) => account(&state, &ctx, Some(msg), None).await,
            None => Err(e.into()),
        };
    }
    // every session ended with the change: sign in again with the new password
    Ok(Redirect::to("/login?next=/account").into_response())
}

#[derive(Deserialize)]
struct NewTokenForm {
    name: String,
    /// Days until it expires; empty or 0 = until revoked.
    days: Option<String>,
}

/// Create an API token for oneself; the secret is shown once on the page.
async fn create_token(State(state): State<AppState>, ctx: Ctx, Form(f): Form<NewTokenForm>) -> Result<Response, AppError> {
    let actor = ctx.require(Action::ManageOwnAccount, Resource::System)?.clone();
    let days = match f.days.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        None => 0,
        Some(d) => match d.parse::<u32>() {
            Ok(n) if n <= 3650 => n,
            _ => return account_with(&state, &ctx, None, None, None, Some(ctx.t("tokens.bad_days").into())).await,
        },
    };
    let expires = (days > 0).then(|| chrono::Utc::now() + chrono::Duration::days(days as i64));
    match state.store.create_token_until(&ctx.audit(), &actor.username, &f.name, expires).await {
        Ok(secret) => account_with(&state, &ctx, None, None, Some(secret), None).await,
        Err(e) => match store_error_text(&ctx, &e) {
            Some(msg) => account_with(&state, &ctx, None, None, None, Some(msg)).await,
            None => Err(e.into()),
        },
    }
}

/// Revoke one of one's own tokens (another user's is not found).
async fn revoke_token(
    State(state): State<AppState>,
    ctx: Ctx,
    axum::extract::Path(id): axum::extract::Path<i64>,
) -> Result<Response, AppError> {
    let actor = ctx.require(Action::ManageOwnAccount, Resource::System)?.clone();
    state.store.revoke_token(&ctx.audit(), id, Some(actor.user_id)).await?;
    Ok(Redirect::to("/account?done=token_revoked#tokens").into_response())
}

async fn switch_lang(
    State(state): State<AppState>,
    ctx: Ctx,
    axum::extract::Path(code): axum::extract::Path<String>,
    Query(q): Query<NextQuery>,
) -> Result<Response, AppError> {
    let lang = Lang::parse(&code).ok_or(AppError::NotFound)?;
    if let Some(a) = &ctx.actor {
        state.store.set_locale(a.user_id, lang.code()).await?;
    }
    let mut r = Redirect::to(&safe_next(q.next.as_deref())).into_response();
    let secure = if state.config.cookie_secure { "; Secure" } else { "" };
    let c = format!("{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax{secure}", lang.code());
    r.headers_mut().insert(header::SET_COOKIE, c.parse().map_err(|_| AppError::Internal("cookie".into()))?);
    Ok(r)
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route("/account", get(account_page))
        .route("/account/password", post(change_password))
        .route("/account/tokens", post(create_token))
        .route("/account/tokens/{id}/revoke", post(revoke_token))
        .route("/lang/{code}", get(switch_lang))
}

#[cfg(test)]
mod tests {
    #[test]
    fn next_is_local_only() {
        assert_eq!(super::safe_next(Some("/units?q=a")), "/units?q=a");
        assert_eq!(super::safe_next(Some("//evil.example")), "/");
        assert_eq!(super::safe_next(Some("https://evil.example")), "/");
        assert_eq!(super::safe_next(Some("/\\evil")), "/");
        for hostile in
            ["/\t/evil.example", "/%09/evil.example", "/%0a", "/%0D%0ASet-Cookie:x", "/%7f", "/\n", "/%2F%2Fevil", "/%5cevil", "/đ"]
        {
            assert_eq!(super::safe_next(Some(hostile)), "/", "{hostile:?}");
        }
        assert_eq!(super::safe_next(Some("/units?q=%C4%91&page=2")), "/units?q=%C4%91&page=2");
        assert_eq!(super::safe_next(None), "/");
    }
}
