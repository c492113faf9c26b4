//! Streamed exports (issue #7 item 4), in constant memory whatever their size:
//! - the audit log as CSV or XLSX with the audit page's filters (`/admin/audit.csv`,
//!   `/admin/audit.xlsx`; the administrator only), read page by page by id;
//! - a unit's detailed sheet of a period (`/assessments/{id}/chi-tiet.{xlsx|csv}`: max / own /
//!   appraised / final / counted per leaf);
//! - a survey's raw responses as XLSX (`/surveys/runs/{id}/responses.xlsx`; the CSV is
//!   `pages::surveys::export_responses`), built on disk by `survey_data::write_responses_xlsx`
//!   and streamed from the file.
//!
//! A CSV goes out while it is read (first bytes at once); an XLSX is a zip whose directory comes
//! last, so it is written to a temporary file first and then sent — the file is unlinked as
//! soon as it is open, so nothing is left behind if the download is cut.

use crate::extract::Query;
use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use parindex_core::{Action, Msg, Resource};
use parindex_store::repo::audit::AuditFilter;
use parindex_store::{Store, StoreError};

use crate::AppState;
use crate::app::audit::AuditQuery;
use crate::ctx::Ctx;
use crate::error::AppError;

const AUDIT_HEADER: [&str; 11] =
    ["id", "at_vn", "actor", "ip", "action", "object_type", "object_id", "unit_id", "reason", "before", "after"];

/// One audit entry as the export's cells (time in Vietnam, UTC+7).
fn audit_cells(e: &parindex_store::entity::audit_log::Model) -> [String; 11] {
    [
        e.id.to_string(),
        (e.at + chrono::Duration::hours(7)).format("%Y-%m-%d %H:%M:%S").to_string(),
        e.actor_name.clone(),
        e.ip.clone().unwrap_or_default(),
        e.action.clone(),
        e.object_type.clone(),
        e.object_id.clone().unwrap_or_default(),
        e.unit_id.map(|u| u.to_string()).unwrap_or_default(),
        e.reason.clone().unwrap_or_default(),
        e.before_json.clone().unwrap_or_default(),
        e.after_json.clone().unwrap_or_default(),
    ]
}

/// Write the audit log matching `f` as CSV (UTF-8 with BOM, oldest first); entries written.
pub async fn write_audit_csv<W: tokio::io::AsyncWrite + Unpin>(store: &Store, f: &AuditFilter, w: &mut W) -> Result<u64, StoreError> {
    use tokio::io::AsyncWriteExt;
    let io = |e: std::io::Error| StoreError::Conflict(Msg::new(format!("Lỗi ghi: {e}"), format!("Write error: {e}")));
    let mut out = format!("\u{feff}{}\n", AUDIT_HEADER.join(","));
    let (mut after, mut n) = (0i64, 0u64);
    loop {
        let page = store.audit_after(f, after, 5000).await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        for e in &page {
            let cells = audit_cells(e);
            out.push_str(&parindex_reports::csv_out::line(cells.iter()));
            out.push('\n');
            n += 1;
        }
        w.write_all(out.as_bytes()).await.map_err(io)?;
        out.clear();
    }
    w.write_all(out.as_bytes()).await.map_err(io)?;
    w.flush().await.map_err(io)?;
    Ok(n)
}

/// Write the audit log matching `f` as an XLSX workbook at `path` (constant memory), on a
/// blocking thread that reads the pages itself.
pub async fn write_audit_xlsx(
    store: &Store,
    f: &AuditFilter,
    path: &std::path::Path,
    progress: crate::app::survey_data::Progress,
) -> Result<u64, StoreError> {
    use crate::app::survey_data::xerr;
    use parindex_reports::stream::{Value, XlsxStream};
    let (store, f, path) = (store.clone(), f.clone(), path.to_path_buf());
    let rt = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || -> Result<u64, StoreError> {
        let header: Vec<String> = AUDIT_HEADER.iter().map(|s| s.to_string()).collect();
        let mut x = XlsxStream::new("audit", &header, path.parent()).map_err(xerr)?;
        let mut after = 0i64;
        loop {
            let page = rt.block_on(store.audit_after(&f, after, 5000))?;
            let Some(last) = page.last() else { break };
            after = last.id;
            for e in &page {
                let cells = audit_cells(e);
                let mut row: Vec<Value> = cells.iter().map(|c| Value::Text(c)).collect();
                row[0] = Value::Number(e.id as f64);
                x.row(&row).map_err(xerr)?;
            }
            progress.fetch_add(page.len() as u64, std::sync::atomic::Ordering::Relaxed);
        }
        x.finish(&path).map_err(xerr)
    })
    .await
    .map_err(xerr)?
}

/// Send a file built by `build` in a fresh temporary directory as an attachment, streamed
/// from disk (the directory is removed once the file is open).
pub(crate) async fn file_download<F, Fut>(name: &str, kind: &str, build: F) -> Result<Response, AppError>
where
    F: FnOnce(std::path::PathBuf) -> Fut,
    Fut: std::future::Future<Output = Result<u64, StoreError>>,
{
    let dir = tempfile::tempdir().map_err(|e| AppError::Internal(format!("temp dir: {e}")))?;
    let path = dir.path().join(name);
    build(path.clone()).await?;
    let file = tokio::fs::File::open(&path).await.map_err(|e| AppError::Internal(format!("export file: {e}")))?;
    drop(dir); // unlinked; the open file stays readable
    send_file(file, name, kind).await
}

/// Stream an open file as an attachment named `name`.
pub(crate) async fn send_file(file: tokio::fs::File, name: &str, kind: &str) -> Result<Response, AppError> {
    let len = file.metadata().await.map(|m| m.len()).unwrap_or(0);
    let body = Body::from_stream(tokio_util::io::ReaderStream::with_capacity(file, 256 * 1024));
    Ok((
        [
            (header::CONTENT_TYPE, kind.to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
            (header::CONTENT_LENGTH, len.to_string()),
        ],
        body,
    )
        .into_response())
}

pub(crate) const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

async fn audit_csv(State(state): State<AppState>, ctx: Ctx, Query(q): Query<AuditQuery>) -> Result<Response, AppError> {
    ctx.require(Action::ViewAuditLog, Resource::System)?;
    let f = q.filter(0);
    let (mut w, r) = tokio::io::duplex(256 * 1024);
    let store = state.store.clone();
    tokio::spawn(async move {
        if let Err(e) = write_audit_csv(&store, &f, &mut w).await {
            tracing::warn!(error = %e, "audit export stopped");
        }
    });
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"nhat-ky.csv\"".to_string()),
        ],
        Body::from_stream(tokio_util::io::ReaderStream::new(r)),
    )
        .into_response())
}

async fn audit_xlsx(State(state): State<AppState>, ctx: Ctx, Query(q): Query<AuditQuery>) -> Result<Response, AppError> {
    ctx.require(Action::ViewAuditLog, Resource::System)?;
    let f = q.filter(0);
    file_download("nhat-ky.xlsx", XLSX, |p| async move { write_audit_xlsx(&state.store, &f, &p, Default::default()).await }).await
}

async fn responses_xlsx(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    ctx.require(Action::ManageSurveys, Resource::System)?;
    let run = state.store.get_survey(id).await?;
    let name = format!("{}-responses.xlsx", run.code);
    file_download(&name, XLSX, |p| async move { crate::app::survey_data::write_responses_xlsx(&state.store, id, &p).await }).await
}

/// A unit's sheet of one period as a table (issue #7 item 3, per-unit detail): one row per leaf
/// meant for the unit — maximum, own points, appraised, final, the points that count, evidence
/// files, explanation and the appraisers' comments. The appraisal columns are filled for the
/// unit's staff only once the preliminary result is sent (as on the page); the reform office
/// sees them always.
async fn assessment_detail(state: &AppState, ctx: &Ctx, id: i64, format: &str) -> Result<Response, AppError> {
    use parindex_core::framework::Stage;
    use parindex_reports::grid::Cell;
    let view = state.store.get_assessment(id).await?;
    crate::app::appraisal::require_read_assessment(ctx, &view)?;
    let st = view.assessment.state;
    let result_out = st.result_out();
    let appraisal = result_out || ctx.allows(Action::ManagePeriods, Resource::System);
    let d = view.framework.decimals;
    let header: Vec<String> = [
        "dt.leaf",
        "an.leaf_title",
        "dt.max",
        "dt.own",
        "dt.appraised",
        "dt.final",
        "dt.counted",
        "dt.files",
        "as.explanation",
        "dt.comments",
        "dt.source",
    ]
    .iter()
    .map(|k| ctx.t(k).to_string())
    .collect();
    let kind = view.assessment.unit_kind.clone();
    // own and counted points from the one computation; the appraised and final columns show
    // the points stored with each decision (a cache of the same rule, `core::framework::result`)
    let scored = state.store.assessment_score(&view, false).await?;
    let exact = |x: &Option<parindex_core::Exact>| x.as_ref().map(|x| Cell::exact(x, d)).unwrap_or(Cell::Empty);
    let engine = |stage: Stage, code: &str| scored.leaf(stage, code).map(|x| x.points.clone());
    let rows: Vec<Vec<Cell>> = parindex_store::repo::periods::all_leaves(&view.framework)
        .into_iter()
        .filter(|n| n.applies_to.is_empty() || n.applies_to.contains(&kind))
        .map(|n| {
            let e = view.entries.get(&n.code);
            let na = e.and_then(|e| e.input.as_ref()).is_some_and(|i| i.not_applicable);
            let pick = |f: &dyn Fn(&parindex_store::repo::periods::EntryRow) -> Option<parindex_core::Exact>| {
                if na { Cell::text(ctx.t("as.na")) } else { exact(&e.and_then(f)) }
            };
            let comments: Vec<String> = if appraisal {
                e.map(|e| [e.appraisal_comment.clone(), e.final_comment.clone()].into_iter().flatten().collect()).unwrap_or_default()
            } else {
                Vec::new()
            };
            vec![
                Cell::text(&n.code),
                Cell::text(&n.title),
                exact(&n.max),
                pick(&|_| engine(Stage::Own, &n.code)),
                if appraisal { pick(&|e| e.appraised_at.and(e.appraised_points.clone())) } else { Cell::Empty },
                if appraisal { pick(&|e| e.final_at.and(e.final_points.clone())) } else { Cell::Empty },
                pick(&|_| engine(if appraisal { Stage::Counted } else { Stage::Own }, &n.code)),
                Cell::int(view.evidence.get(&n.code).map(|v| v.len()).unwrap_or(0) as i64),
                Cell::text(e.and_then(|e| e.explanation.clone()).unwrap_or_default()),
                Cell::text(comments.join(" / ")),
                // where a fed or survey leaf's figure comes from (issue #18)
                Cell::text(if n.source == parindex_core::framework::Source::SelfAssessed {
                    String::new()
                } else {
                    e.and_then(|e| e.note.clone()).unwrap_or_default()
                }),
            ]
        })
        .collect();
    let name = format!("chi-tiet-{}-{}", view.period.code, view.assessment.unit_code);
    crate::pages::results::grid_download(&name, format, "chi_tiet", &header, &rows, d)
}

async fn detail_xlsx(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    assessment_detail(&state, &ctx, id, "xlsx").await
}

async fn detail_csv(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    assessment_detail(&state, &ctx, id, "csv").await
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/assessments/{id}/chi-tiet.xlsx", get(detail_xlsx))
        .route("/assessments/{id}/chi-tiet.csv", get(detail_csv))
        .route("/admin/audit.csv", get(audit_csv))
        .route("/admin/audit.xlsx", get(audit_xlsx))
        .route("/surveys/runs/{id}/responses.xlsx", get(responses_xlsx))
}
