//! parindex-web: the HTTP layer. Server-rendered pages (askama, Vietnamese first) under `/`,
//! the JSON API under `/api/v1` with its OpenAPI document, health and metrics endpoints.
//! Every request passes through `ctx::load` (who is asking, in which language) and `csrf::guard`;
//! every handler asks `parindex_core::can` before touching data.

pub mod api;
pub mod app;
pub mod chrome;
pub mod csrf;
pub mod ctx;
pub mod error;
pub mod extract;
pub mod i18n;
pub mod ingest;
pub mod metrics;
pub mod pages;
pub mod poster;
pub mod ratelimit;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use axum::{Router, middleware};
use parindex_store::Store;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

/// Request ids: a per-process random prefix and a counter (`x-request-id`), logged with every
/// request's span and returned to the client, so a user's report can be matched to the log.
#[derive(Clone)]
struct RequestIds {
    prefix: u32,
    next: Arc<std::sync::atomic::AtomicU64>,
}

impl MakeRequestId for RequestIds {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        let n = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        HeaderValue::from_str(&format!("{:08x}-{n}", self.prefix)).ok().map(RequestId::new)
    }
}

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
    /// Where evidence files are kept (content-addressed; see `parindex_store::blobs`).
    pub files_dir: std::path::PathBuf,
    /// Days the file of a background export is kept (`pages::jobs::sweep`).
    pub export_keep_days: u32,
    /// A client that has not sent its request's headers within this time is disconnected
    /// (idle half-open connections cannot pile up).
    pub header_read_timeout: std::time::Duration,
    /// `/metrics` for a request with `Authorization: Bearer <this>`…
    pub metrics_token: Option<String>,
    /// …or from one of these addresses (default: loopback only).
    pub metrics_allow: Vec<std::net::IpAddr>,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            public_origin: None,
            cookie_secure: false,
            trust_proxy: false,
            max_upload_bytes: 20 * 1024 * 1024,
            demo_banner: false,
            files_dir: std::env::temp_dir().join("parindex-files"),
            export_keep_days: 7,
            header_read_timeout: std::time::Duration::from_secs(10),
            metrics_token: None,
            metrics_allow: vec![std::net::Ipv4Addr::LOCALHOST.into(), std::net::Ipv6Addr::LOCALHOST.into()],
        }
    }
}

/// Public survey links resolved recently: link → (when, the survey).
pub type LinkCache = std::collections::HashMap<String, (std::time::Instant, Arc<parindex_store::repo::surveys::PublicSurvey>)>;

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub blobs: parindex_store::blobs::Blobs,
    pub config: Arc<WebConfig>,
    /// Failed sign-ins: growing delays per (account typed, address) and per address.
    pub login_throttle: Arc<ratelimit::Throttle>,
    pub address_throttle: Arc<ratelimit::Throttle>,
    /// Public survey responses per address (a desk tablet sends many; a script sends more).
    pub survey_limiter: Arc<ratelimit::Limiter>,
    /// Responses seen in the last day (a digest of address, device and answers; in memory only,
    /// never stored with the response): the same form sent twice is told, not counted twice.
    pub recent_responses: Arc<ratelimit::Recent>,
    /// Group commit of survey responses (`ingest`).
    pub ingest: Arc<ingest::Ingest>,
    /// Public survey links resolved recently (see `pages::public_survey`).
    pub public_links: Arc<std::sync::Mutex<LinkCache>>,
    pub metrics: Arc<metrics::Metrics>,
    /// The reform office's contact shown at the foot of every page (`OfficeCache`).
    pub office: Arc<OfficeCache>,
}

/// The reform office's contact, read from the settings at most every 30 s: every page shows it,
/// and it changes a few times a year. The server that saves it forgets its copy at once; other
/// servers on the same database show the new contact within 30 s.
#[derive(Default)]
pub struct OfficeCache {
    held: std::sync::Mutex<Option<(std::time::Instant, Arc<parindex_store::repo::settings::OfficeContact>)>>,
}

impl OfficeCache {
    const FRESH: std::time::Duration = std::time::Duration::from_secs(30);

    pub async fn get(&self, store: &Store) -> Arc<parindex_store::repo::settings::OfficeContact> {
        if let Some((at, c)) = self.held.lock().expect("office cache").as_ref()
            && at.elapsed() < Self::FRESH
        {
            return c.clone();
        }
        match store.office_contact().await {
            Ok(c) => {
                let c = Arc::new(c);
                *self.held.lock().expect("office cache") = Some((std::time::Instant::now(), c.clone()));
                c
            }
            // a page still renders without the foot's contact
            Err(e) => {
                tracing::error!("reading the office contact failed: {e}");
                Arc::default()
            }
        }
    }

    pub fn forget(&self) {
        *self.held.lock().expect("office cache") = None;
    }
}

impl AppState {
    pub fn new(store: Store, config: WebConfig) -> Self {
        AppState {
            ingest: Arc::new(ingest::Ingest::new(store.clone())),
            public_links: Arc::default(),
            store,
            blobs: parindex_store::blobs::Blobs::new(config.files_dir.clone()),
            config: Arc::new(config),
            // see pages::auth::login: 5 free failures per (account, address), then 1 s, 2 s, 4 s…
            // up to 15 minutes; per address 50 free (a department behind one address), then
            // waits of at most a minute
            login_throttle: Arc::new(ratelimit::Throttle::new(
                5,
                std::time::Duration::from_secs(1),
                std::time::Duration::from_secs(900),
                std::time::Duration::from_secs(3600),
            )),
            address_throttle: Arc::new(ratelimit::Throttle::new(
                50,
                std::time::Duration::from_secs(1),
                std::time::Duration::from_secs(60),
                std::time::Duration::from_secs(3600),
            )),
            survey_limiter: Arc::new(ratelimit::Limiter::new(120, std::time::Duration::from_secs(600))),
            recent_responses: Arc::new(ratelimit::Recent::new(std::time::Duration::from_secs(24 * 3600))),
            metrics: Arc::new(metrics::Metrics::default()),
            office: Arc::default(),
        }
    }
}

/// Whether a response is worth compressing: text (HTML, CSS, JavaScript, JSON, CSV, SVG) of a
/// kilobyte or more.
fn compressible(_: axum::http::StatusCode, _: axum::http::Version, h: &axum::http::HeaderMap, _: &axum::http::Extensions) -> bool {
    let text = h.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|t| {
        t.starts_with("text/")
            || t.starts_with("application/json")
            || t.starts_with("application/javascript")
            || t.starts_with("image/svg+xml")
    });
    // a streamed body has no length: worth it
    let small = h.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok()).is_some_and(|n| n < 1024);
    text && !small
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
        .layer(middleware::from_fn(chrome::errors))
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
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<axum::body::Body>| {
                let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
                tracing::info_span!("http", id = %id, method = %req.method(), path = %req.uri().path())
            })
            .on_response(tower_http::trace::DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        // text compressed for slow networks (the survey form: 27 KB → about 3 KB); files that
        // are compressed already (PDF, XLSX, ZIP, images) and tiny answers are sent as they are
        .layer(CompressionLayer::new().gzip(true).compress_when(compressible))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(RequestIds { prefix: rand::random(), next: Arc::new(0.into()) }))
        .with_state(state)
}

/// Serve until Ctrl-C / SIGTERM: HTTP/1.1 connections with a header-read timeout
/// (`WebConfig::header_read_timeout`), the client's address as `ConnectInfo`, and on shutdown
/// the open connections finished (for at most 30 s).
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use tower::Service;
    let header_timeout = state.config.header_read_timeout;
    let mut make = app(state).into_make_service_with_connect_info::<SocketAddr>();
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(header_timeout);
    let shutdown = shutdown_signal();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            conn = listener.accept() => {
                let (stream, remote) = match conn {
                    Ok(c) => c,
                    Err(e) => {
                        // out of file descriptors and the like: wait a little rather than spin
                        tracing::warn!("accept failed: {e}");
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                        continue;
                    }
                };
                // no Nagle delay on keep-alive connections (small answers such as a 303 would
                // otherwise wait for the client's delayed ACK)
                let _ = stream.set_nodelay(true);
                let Ok(svc) = make.call(remote).await;
                let conn = http.serve_connection(TokioIo::new(stream), hyper_util::service::TowerToHyperService::new(svc));
                let conn = graceful.watch(conn);
                tokio::spawn(async move {
                    let _ = conn.await;
                });
            }
            _ = &mut shutdown => break,
        }
    }
    drop(listener);
    tokio::select! {
        _ = graceful.shutdown() => {}
        _ = tokio::time::sleep(std::time::Duration::from_secs(30)) => {}
    }
    Ok(())
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
