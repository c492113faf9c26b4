//! Cross-site request forgery protection for cookie-authenticated requests: a state-changing
//! request must come from our own origin, as the browser tells with `Sec-Fetch-Site` or
//! `Origin`. Requests authenticated with a Bearer token carry no ambient cookies and pass.
//! Cookies are also `SameSite=Lax`.

use axum::extract::{Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::AppError;

pub async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    if req.extensions().get::<Ctx>().is_some_and(|c| c.via_token) {
        return next.run(req).await;
    }
    let h = req.headers();
    let site = h.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    let origin = h.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    let host = h.get(header::HOST).and_then(|v| v.to_str().ok());
    let same_origin = match (site, origin) {
        (Some(s), _) => s == "same-origin" || s == "none",
        (None, Some(o)) => {
            state.config.public_origin.as_deref().is_some_and(|p| p.trim_end_matches('/') == o)
                || host.is_some_and(|h| o.strip_prefix("http://").or_else(|| o.strip_prefix("https://")) == Some(h))
        }
        (None, None) => false,
    };
    if same_origin {
        next.run(req).await
    } else {
        tracing::warn!(?site, ?origin, ?host, path = %req.uri().path(), "cross-site request refused");
        AppError::CrossSite.into_response_for(req.uri().path())
    }
}
