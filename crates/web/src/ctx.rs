//! The request context: who is asking (session cookie or Bearer token), from which address,
//! and in which language. Built once per request by `load` and read by handlers as `Ctx`.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::Response;
use parindex_core::{Action, Actor, Resource, can};
use parindex_store::AuditCtx;

use crate::AppState;
use crate::error::AppError;

pub const SESSION_COOKIE: &str = "parindex_session";
pub const LANG_COOKIE: &str = "parindex_lang";

/// The reader's language (`core::Lang`, with the one number formatter).
pub use parindex_core::Lang;

#[derive(Debug, Clone)]
pub struct Ctx {
    pub actor: Option<Actor>,
    pub lang: Lang,
    pub ip: Option<String>,
    /// Authenticated by a Bearer token (no cookies involved).
    pub via_token: bool,
    pub session_secret: Option<String>,
    /// Path and query of this request (to come back to after switching language).
    pub uri: String,
    /// Unread notices of the signed-in person (pages only).
    pub unread: u64,
    /// The reform office's contact, for the foot of every page (pages only; `OfficeCache`).
    pub office: std::sync::Arc<parindex_store::repo::settings::OfficeContact>,
}

impl Ctx {
    /// The actor, if signed in and allowed; otherwise the right error (401 or 403).
    pub fn require(&self, action: Action, resource: Resource) -> Result<&Actor, AppError> {
        match &self.actor {
            None => Err(AppError::Unauthenticated),
            Some(a) if can(Some(a), action, resource) => Ok(a),
            Some(_) => Err(AppError::Forbidden),
        }
    }

    pub fn allows(&self, action: Action, resource: Resource) -> bool {
        can(self.actor.as_ref(), action, resource)
    }

    pub fn audit(&self) -> AuditCtx {
        match &self.actor {
            Some(a) => AuditCtx::actor(a, self.ip.clone()),
            None => AuditCtx { actor_id: None, actor_name: "anonymous".into(), ip: self.ip.clone() },
        }
    }

    pub fn t(&self, key: &str) -> &'static str {
        crate::i18n::t(self.lang, key)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Ctx>().cloned().ok_or_else(|| AppError::Internal("request context missing".into()))
    }
}

/// The value of one cookie.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// The client's address. Behind a trusted proxy (`--trust-proxy`), the address that proxy
/// appended: the **rightmost** `X-Forwarded-For` entry (of the last such header). Every entry to
/// its left was written by the client or by proxies we do not know, and is ignored — taking the
/// leftmost let anyone choose their address and escape every throttle (issue #15). Only a
/// valid IP address is taken; otherwise the socket's.
fn client_ip(req: &Request, trust_proxy: bool) -> Option<String> {
    if trust_proxy
        && let Some(f) = req.headers().get_all("x-forwarded-for").iter().next_back().and_then(|v| v.to_str().ok())
        && let Some(last) = f.rsplit(',').next()
        && let Ok(ip) = last.trim().parse::<std::net::IpAddr>()
    {
        return Some(ip.to_string());
    }
    req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string())
}

fn accept_language(headers: &HeaderMap) -> Option<Lang> {
    let v = headers.get(header::ACCEPT_LANGUAGE)?.to_str().ok()?;
    v.split(',').map(|p| p.split(';').next().unwrap_or("").trim().to_lowercase()).find_map(|tag| {
        if tag.starts_with("vi") {
            Some(Lang::Vi)
        } else if tag.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    })
}

/// Middleware: resolve the actor and the language, then run the request.
pub async fn load(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let ip = client_ip(&req, state.config.trust_proxy);
    let headers = req.headers().clone();
    let mut actor = None;
    let mut via_token = false;
    let mut user_locale = None;
    let mut session_secret = None;
    // `/metrics` reads its own bearer token (`metrics_token`), not a user's
    let bearer = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    if let Some(token) = bearer.filter(|_| req.uri().path() != "/metrics") {
        match state.store.token_actor(token.trim()).await {
            Ok(Some(a)) => {
                actor = Some(a);
                via_token = true;
            }
            Ok(None) => {}
            Err(e) => tracing::error!("token lookup failed: {e}"),
        }
        if actor.is_none() {
            return AppError::InvalidToken.into_response_for(req.uri().path());
        }
    } else if let Some(secret) = cookie(&headers, SESSION_COOKIE) {
        match state.store.session_actor(&secret).await {
            Ok(Some((a, locale))) => {
                actor = Some(a);
                user_locale = locale.as_deref().and_then(Lang::parse);
                session_secret = Some(secret);
            }
            Ok(None) => {}
            Err(e) => tracing::error!("session lookup failed: {e}"),
        }
    }
    // Pages are Vietnamese unless the reader chose English (cookie or saved preference): many
    // officials run English-language browsers. API clients may ask with Accept-Language.
    let is_api = req.uri().path().starts_with("/api/");
    let lang = cookie(&headers, LANG_COOKIE)
        .as_deref()
        .and_then(Lang::parse)
        .or(user_locale)
        .or_else(|| if is_api { accept_language(&headers) } else { None })
        .unwrap_or(Lang::Vi);
    let uri = req.uri().path_and_query().map(|p| p.as_str().to_string()).unwrap_or_else(|| "/".into());
    let unread = match (&actor, is_api) {
        (Some(a), false) => state.store.unread_count(a.user_id).await.unwrap_or(0),
        _ => 0,
    };
    let office = if is_api { std::sync::Arc::default() } else { state.office.get(&state.store).await };
    let ctx = Ctx { actor, lang, ip, via_token, session_secret, uri, unread, office };
    req.extensions_mut().insert(ctx.clone());
    // errors are rendered for this reader by `chrome::errors`, the next layer in
    let mut resp = next.run(req).await;
    // what a signed-in person sees (pages, exports, API answers) is never kept by a browser or
    // a shared proxy (issue #15); public pages set their own caching
    // (static assets set their own caching and keep it)
    if ctx.actor.is_some() && !resp.headers().contains_key(header::CACHE_CONTROL) {
        resp.headers_mut().insert(header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    }
    resp
}
