//! Health, readiness and Prometheus metrics. Counters are plain atomics: requests by status
//! class, and total request time, enough for alerting without another dependency.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::AppState;

#[derive(Default)]
pub struct Metrics {
    by_class: [AtomicU64; 5],
    micros: AtomicU64,
    logins_failed: AtomicU64,
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
    match state.store.ping().await {
        Ok(()) => "ready".into_response(),
        Err(e) => {
            tracing::error!("readiness check failed: {e}");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

async fn metrics(State(state): State<AppState>) -> Response {
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
