//! Background exports with progress (issue #7 item 5). A long export — a survey's raw
//! responses as CSV or XLSX, the audit log as XLSX, a period's documents as one ZIP — can run in the background instead of
//! holding the browser: the button records a job (`store::repo::jobs`) and starts the same
//! writer the direct download uses, counting rows into a shared counter that a ticker copies
//! to the job row every second. "Tệp xuất" (`/tai-ve`) lists the person's jobs with a progress
//! bar (the page refreshes itself every 2 s while one runs — no script) and the finished files
//! to download (`/tai-ve/{id}`, the requester only). Files live under
//! `files_dir/exports/{job id}/`, kept `export_keep_days` (7 unless configured): the server
//! sweeps them hourly ([`sweep`]) and the job shows as expired. A job cut by a restart is
//! marked failed at start-up.

use std::path::PathBuf;
use std::sync::atomic::Ordering;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use parindex_core::{Action, Resource};
use parindex_store::StoreError;
use parindex_store::repo::jobs::Job;
use serde::Deserialize;

use crate::AppState;
use crate::app::audit::AuditQuery;
use crate::app::survey_data::Progress;
use crate::chrome::{Page, render};
use crate::ctx::Ctx;
use crate::error::AppError;

/// Where a job's file is kept.
fn job_dir(state: &AppState, id: i64) -> PathBuf {
    state.config.files_dir.join("exports").join(id.to_string())
}

/// Run `work` for `job` in the background: progress copied to the row every second, then the
/// file recorded (or the error, and the partial file removed).
fn spawn<F, Fut>(state: AppState, job: Job, name: String, work: F)
where
    F: FnOnce(PathBuf, Progress) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = Result<u64, StoreError>> + Send + 'static,
{
    tokio::spawn(async move {
        let dir = job_dir(&state, job.id);
        let progress = Progress::default();
        let ticker = {
            let (store, progress, id) = (state.store.clone(), progress.clone(), job.id);
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                    let _ = store.job_progress(id, progress.load(Ordering::Relaxed) as i64).await;
                }
            })
        };
        let path = dir.join(&name);
        let result = match tokio::fs::create_dir_all(&dir).await {
            Ok(()) => work(path.clone(), progress.clone()).await,
            Err(e) => Err(crate::app::survey_data::xerr(e)),
        };
        ticker.abort();
        let outcome = match result {
            Ok(_) => Ok((name, tokio::fs::metadata(&path).await.map(|m| m.len() as i64).unwrap_or(0))),
            Err(e) => {
                let _ = tokio::fs::remove_dir_all(&dir).await;
                Err(e.to_string())
            }
        };
        if let Err(e) = state.store.finish_job(job.id, progress.load(Ordering::Relaxed) as i64, outcome).await {
            tracing::warn!(job = job.id, "recording the job's end: {e}");
        }
    });
}

#[derive(Deserialize)]
struct ResponsesJobForm {
    format: String,
}

async fn start_responses(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<ResponsesJobForm>,
) -> Result<Response, AppError> {
    let actor = ctx.require(Action::ManageSurveys, Resource::System)?.clone();
    let xlsx = match f.format.as_str() {
        "xlsx" => true,
        "csv" => false,
        _ => return Err(AppError::NotFound),
    };
    let run = state.store.get_survey(id).await?;
    let total = state.store.response_id_range(id).await?.map(|r| r.2 as i64).unwrap_or(0);
    let name = format!("{}-responses.{}", run.code, f.format);
    let label = format!("{} — {} ({})", ctx.t("jb.responses"), run.code, f.format.to_uppercase());
    let job = state
        .store
        .create_job(
            &format!("responses_{}", f.format),
            &label,
            &serde_json::json!({"survey_id": id}),
            actor.user_id,
            &actor.username,
            total,
        )
        .await?;
    let store = state.store.clone();
    spawn(state, job, name, move |path, progress| async move {
        if xlsx {
            crate::app::survey_data::write_responses_xlsx_with(&store, id, &path, progress).await
        } else {
            let file = tokio::fs::File::create(&path).await.map_err(crate::app::survey_data::xerr)?;
            let mut w = tokio::io::BufWriter::with_capacity(256 * 1024, file);
            crate::app::survey_data::write_responses_csv_with(&store, id, &mut w, &progress).await
        }
    });
    Ok(Redirect::to("/tai-ve").into_response())
}

async fn start_audit(State(state): State<AppState>, ctx: Ctx, Form(q): Form<AuditQuery>) -> Result<Response, AppError> {
    let actor = ctx.require(Action::ViewAuditLog, Resource::System)?.clone();
    let f = q.filter(0);
    let total = state.store.list_audit(&parindex_store::repo::audit::AuditFilter { limit: 1, ..f.clone() }).await?.total as i64;
    let job =
        state.store.create_job("audit_xlsx", ctx.t("jb.audit"), &serde_json::json!({}), actor.user_id, &actor.username, total).await?;
    let store = state.store.clone();
    spawn(state, job, "nhat-ky.xlsx".into(), move |path, progress| async move {
        crate::pages::exports::write_audit_xlsx(&store, &f, &path, progress).await
    });
    Ok(Redirect::to("/tai-ve").into_response())
}

/// Every document of a period in one ZIP (issue #17): the results report, the units'
/// self-assessment reports and appraisal minutes (`pages::documents::write_period_zip`).
async fn start_period_zip(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let actor = ctx.require(Action::ManagePeriods, Resource::System)?.clone();
    let period = state.store.get_period(id).await?;
    let label = format!("{} — {}", ctx.t("jb.period_zip"), period.name);
    let job = state
        .store
        .create_job("period_zip", &label, &serde_json::json!({"period_id": id}), actor.user_id, &actor.username, period.units as i64)
        .await?;
    let (st, cx) = (state.clone(), ctx.clone());
    spawn(state, job, format!("ho-so-{}.zip", period.code), move |path, progress| async move {
        crate::pages::documents::write_period_zip(&st, &cx, id, &path, progress).await
    });
    Ok(Redirect::to("/tai-ve").into_response())
}

struct JobView {
    id: i64,
    label: String,
    at: String,
    status: String,
    status_label: &'static str,
    done: i64,
    /// The bar's maximum (at least 1).
    total: i64,
    /// "450 000 / 1 000 000 · 45 %".
    count: String,
    file: String,
    size: String,
    error: String,
}

#[derive(Template)]
#[template(path = "jobs.html")]
struct JobsPage {
    page: Page,
    jobs: Vec<JobView>,
    running: bool,
    /// How long files are kept, in the reader's language.
    keep: String,
}

fn grouped(n: i64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push('\u{a0}');
        }
        out.push(c);
    }
    out
}

async fn list(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let actor = ctx.require(Action::ManageOwnAccount, Resource::System)?.clone();
    let jobs: Vec<JobView> = state
        .store
        .user_jobs(actor.user_id, 50)
        .await?
        .into_iter()
        .map(|j| {
            let total = j.total.max(j.done).max(1);
            let pct = j.done * 100 / total;
            JobView {
                id: j.id,
                label: j.label.clone(),
                at: parindex_core::text::format_time_vn(j.created_at),
                status_label: match j.status.as_str() {
                    "done" => "jb.done",
                    "failed" => "jb.failed",
                    "expired" => "jb.expired",
                    _ => "jb.running",
                },
                status: j.status.clone(),
                done: j.done,
                total,
                count: format!("{} / {} · {pct} %", grouped(j.done), grouped(j.total.max(j.done))),
                file: j.file_name.clone().unwrap_or_default(),
                size: j
                    .size
                    .map(|s| if s < 1_048_576 { format!("{} KB", (s + 1023) / 1024) } else { format!("{:.1} MB", s as f64 / 1_048_576.0) })
                    .unwrap_or_default(),
                error: j.error.clone().unwrap_or_default(),
            }
        })
        .collect();
    let running = jobs.iter().any(|j| j.status == "running");
    let keep = ctx.t("jb.keep").replace("{days}", &state.config.export_keep_days.to_string());
    Ok(render(&JobsPage { page: Page::new(&ctx, &state, ctx.t("jb.title"), "/tai-ve"), jobs, running, keep }))
}

/// A finished job's file, to the person who asked for it.
async fn download(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let actor = ctx.require(Action::ManageOwnAccount, Resource::System)?.clone();
    let job = state.store.get_job(id).await?;
    if job.user_id != actor.user_id {
        return Err(AppError::Forbidden);
    }
    let Some(name) = job.file_name.filter(|_| job.status == "done") else { return Err(AppError::NotFound) };
    let kind = if name.ends_with(".xlsx") {
        crate::pages::exports::XLSX
    } else if name.ends_with(".zip") {
        "application/zip"
    } else {
        "text/csv; charset=utf-8"
    };
    let path = job_dir(&state, id).join(&name);
    let file = tokio::fs::File::open(&path).await.map_err(|_| AppError::NotFound)?;
    crate::pages::exports::send_file(file, &name, kind).await
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/tai-ve", get(list))
        .route("/tai-ve/{id}", get(download))
        .route("/surveys/runs/{id}/xuat-nen", post(start_responses))
        .route("/admin/audit/xuat-nen", post(start_audit))
        .route("/periods/{id}/ho-so.zip", post(start_period_zip))
}
