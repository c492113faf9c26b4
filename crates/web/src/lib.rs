//! parindex-web: the HTTP layer. Server-rendered pages (askama, Vietnamese first) under `/`,
//! the JSON API under `/api/v1` with its OpenAPI document, health and metrics endpoints.
//! Every request passes through `ctx::load` (who is asking, in which language) and `csrf::guard`;
//! every handler asks `parindex_core::can` before touching data.

pub mod api;
pub mod csrf;
pub mod ctx;
pub mod error;
pub mod i18n;
pub mod metrics;
pub mod pages;
pub mod ratelimit;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use axum::{Router, middleware};
use parindex_store::Store;
use tower_http::set_header::SetResponseHeaderLayer;

/// Settings of the HTTP layer.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// The public origin (`https://cchc.example.gov.vn`) if known; cross-site checks also accept
    /// the request's own Host.
    pub public_origin: Option<String>,
    /// Mark cookies `Secure` (set when serving over HTTPS).
    pub cookie_secure: bool,
    /// Take the client address from `X-Forwarded-For` (only behind a trusted proxy).
    pub trust_proxy: bool,
    /// Largest accepted upload, bytes.
    pub max_upload_bytes: usize,
    /// Label shown in the header for demo data.
    pub demo_banner: bool,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig { public_origin: None, cookie_secure: false, trust_proxy: false, max_upload_bytes: 20 * 1024 * 1024, demo_banner: false }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<WebConfig>,
    pub login_limiter: Arc<ratelimit::Limiter>,
    pub metrics: Arc<metrics::Metrics>,
}

impl AppState {
    pub fn new(store: Store, config: WebConfig) -> Self {
        AppState {
            store,
            config: Arc::new(config),
            // 20 sign-in attempts per address per 5 minutes, on top of the per-account lock-out
            login_limiter: Arc::new(ratelimit::Limiter::new(20, std::time::Duration::from_secs(300))),
            metrics: Arc::new(metrics::Metrics::default()),
        }
    }
}

/// The whole application as one router.
pub fn app(state: AppState) -> Router {
    let max = state.config.max_upload_bytes;
    Router::new()
        .merge(pages::router())
        .nest("/api/v1", api::router())
        .merge(metrics::router())
        .layer(DefaultBodyLimit::max(max))
        .layer(middleware::from_fn_with_state(state.clone(), csrf::guard))
        .layer(middleware::from_fn_with_state(state.clone(), ctx::load))
        .layer(middleware::from_fn_with_state(state.clone(), metrics::track))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
            ),
        ))
        .with_state(state)
}

/// Serve until Ctrl-C / SIGTERM.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    axum::serve(listener, app(state).into_make_service_with_connect_info::<SocketAddr>()).with_graceful_shutdown(shutdown_signal()).await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
