//! Health, readiness and Prometheus metrics. Counters are plain atomics: requests by status
//! class, and total request time, enough for alerting without another dependency.
//!
//! `/readyz` is ready only when the database answers **and accepts a write**: a committed write
//! to `write_probe` at most every [`PROBE_EVERY`] (between probes the last result stands), so a
//! full disk or a read-only database takes the server out of a load balancer (issue #15).
//! `/metrics` answers only a configured bearer token (`metrics_token`) or a request from an
//! allowed address (`metrics_allow`; loopback by default); anyone else gets 404.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::AppState;

/// How often `/readyz` really writes.
pub const PROBE_EVERY: std::time::Duration = std::time::Duration::from_secs(2);

#[derive(Default)]
pub struct Metrics {
    by_class: [AtomicU64; 5],
    micros: AtomicU64,
    logins_failed: AtomicU64,
    /// The last write probe: when, and whether it succeeded.
    probe: std::sync::Mutex<Option<(Instant, bool)>>,
    probe_lock: tokio::sync::Mutex<()>,
}

impl Metrics {
    pub fn login_failed(&self) {
        self.logins_failed.fetch_add(1, Ordering::Relaxed);
    }
}

pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let resp = next.run(req).await;
    let class = (resp.status().as_u16() / 100).clamp(1, 5) as usize - 1;
    state.metrics.by_class[class].fetch_add(1, Ordering::Relaxed);
    state.metrics.micros.fetch_add(start.elapsed().as_micros() as u64, Ordering::Relaxed);
    resp
}

pub fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz)).route("/readyz", get(readyz)).route("/metrics", get(metrics))
}

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(State(state): State<AppState>) -> Response {
    if let Err(e) = state.store.ping().await {
        tracing::error!("readiness check failed: {e}");
        return (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response();
    }
    if !writes_succeed(&state).await {
        return (StatusCode::SERVICE_UNAVAILABLE, "database refuses writes").into_response();
    }
    "ready".into_response()
}

/// The write probe's result, probing again when the last one is older than [`PROBE_EVERY`]
/// (one probe at a time; concurrent callers wait for it).
pub async fn writes_succeed(state: &AppState) -> bool {
    let fresh =
        |m: &Metrics| m.probe.lock().unwrap_or_else(|p| p.into_inner()).filter(|(at, _)| at.elapsed() < PROBE_EVERY).map(|(_, ok)| ok);
    if let Some(ok) = fresh(&state.metrics) {
        return ok;
    }
    let _one = state.metrics.probe_lock.lock().await;
    if let Some(ok) = fresh(&state.metrics) {
        return ok;
    }
    let ok = match state.store.write_probe().await {
        Ok(()) => true,
        Err(e) => {
            tracing::error!("write probe failed: {e}");
            false
        }
    };
    *state.metrics.probe.lock().unwrap_or_else(|p| p.into_inner()) = Some((Instant::now(), ok));
    ok
}

/// Whether this request may read `/metrics`: the configured token, or an allowed address.
fn metrics_allowed(state: &AppState, ctx: &crate::ctx::Ctx, headers: &axum::http::HeaderMap) -> bool {
    if let Some(t) = &state.config.metrics_token {
        let given = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
        if given.is_some_and(|g| parindex_core::secret::digest(g) == parindex_core::secret::digest(t)) {
            return true;
        }
    }
    ctx.ip.as_deref().and_then(|ip| ip.parse::<std::net::IpAddr>().ok()).is_some_and(|ip| state.config.metrics_allow.contains(&ip))
}

async fn metrics(State(state): State<AppState>, ctx: crate::ctx::Ctx, headers: axum::http::HeaderMap) -> Response {
    if !metrics_allowed(&state, &ctx, &headers) {
        return crate::error::AppError::NotFound.into_response();
    }
    let m = &state.metrics;
    let mut out =
        String::from("# HELP parindex_http_requests_total HTTP requests by status class.\n# TYPE parindex_http_requests_total counter\n");
    for (i, c) in m.by_class.iter().enumerate() {
        out.push_str(&format!("parindex_http_requests_total{{class=\"{}xx\"}} {}\n", i + 1, c.load(Ordering::Relaxed)));
    }
    out.push_str(
        "# HELP parindex_http_request_seconds_total Time spent serving requests.\n# TYPE parindex_http_request_seconds_total counter\n",
    );
    out.push_str(&format!("parindex_http_request_seconds_total {:.6}\n", m.micros.load(Ordering::Relaxed) as f64 / 1e6));
    out.push_str("# HELP parindex_logins_failed_total Failed sign-in attempts.\n# TYPE parindex_logins_failed_total counter\n");
    out.push_str(&format!("parindex_logins_failed_total {}\n", m.logins_failed.load(Ordering::Relaxed)));
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], out).into_response()
}
