//! The self-score sheet round trip (issue #7 item 3): a unit downloads its self-assessment as
//! an XLSX sheet (`/assessments/{id}/tu-cham.xlsx`, drop-downs and number checks per leaf),
//! fills it in Excel, and uploads it back (`POST /assessments/{id}/tu-cham`). Every row is
//! checked first (`parindex_reports::self_scores::read_sheet`); with any error nothing is written
//! and every error is listed (file, row, column, what to do). Only rows that change something
//! are written, all in one transaction (`Store::save_entries`), each checked against the version
//! it was exported with.

use axum::Router;
use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use parindex_core::assessment::today_vn;
use parindex_core::{Action, Exact, Resource};
use parindex_reports::self_scores::{SheetLeaf, changes, read_sheet, write_sheet};
use parindex_store::StoreError;
use parindex_store::repo::periods::{AssessmentView, EntryInput, self_leaves};

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::AppError;

/// The leaves the unit scores itself, as they stand.
fn sheet_leaves(view: &AssessmentView) -> Vec<SheetLeaf> {
    self_leaves(&view.framework, &view.assessment.unit_kind)
        .into_iter()
        .filter_map(|n| {
            let rule = n.rule.clone()?;
            let e = view.entries.get(&n.code);
            Some(SheetLeaf {
                code: n.code.clone(),
                title: n.title.clone(),
                max: n.max.clone().unwrap_or(Exact::ZERO),
                rule,
                input: e.and_then(|e| e.input.clone()),
                points: e.and_then(|e| e.points.clone()),
                note: e.and_then(|e| e.note.clone()),
                explanation: e.and_then(|e| e.explanation.clone()),
                version: e.map(|e| e.version).unwrap_or(0),
            })
        })
        .collect()
}

async fn download(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let view = state.store.get_assessment(id).await?;
    ctx.require(Action::ViewUnitDrafts, Resource::Unit(view.assessment.unit_id))?;
    let vi = ctx.lang.code() != "en";
    let title = format!("{} — {}", view.assessment.unit_name, view.period.name);
    let bytes =
        write_sheet(&title, &sheet_leaves(&view), view.framework.decimals, vi).map_err(|e| AppError::Internal(format!("xlsx: {e}")))?;
    Ok(crate::chrome::download(bytes, crate::chrome::XLSX, &format!("tu-cham-{}-{}.xlsx", view.period.code, view.assessment.unit_code)))
}

async fn upload(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>, mp: Multipart) -> Result<Response, AppError> {
    let view = state.store.get_assessment(id).await?;
    ctx.require(Action::EditUnitDrafts, Resource::Unit(view.assessment.unit_id))?;
    let (name, bytes) = crate::pages::units::first_file(mp, state.config.max_upload_bytes).await?;
    let lang = ctx.lang.code();
    let leaves = sheet_leaves(&view);
    let rows = match read_sheet(&name, &bytes, &leaves) {
        Ok(rows) => rows,
        Err(errors) => {
            let mut text = format!("{} ({})\n", ctx.t("ss.refused"), errors.len());
            for e in errors.iter().take(50) {
                text.push_str(&format!("• {}\n", e.message.get(lang)));
            }
            if errors.len() > 50 {
                text.push_str(&format!("… +{}\n", errors.len() - 50));
            }
            return crate::pages::assessment::assessment_error(&state, &ctx, id, text).await;
        }
    };
    let changed: Vec<(usize, String, EntryInput)> = rows
        .into_iter()
        .filter(|r| leaves.iter().find(|l| l.code == r.code).is_some_and(|l| changes(r, l)))
        .map(|r| (r.row, r.code, EntryInput { input: r.input, note: r.note, explanation: r.explanation, version: r.version }))
        .collect();
    if changed.is_empty() {
        return Ok(Redirect::to(&format!("/assessments/{id}?done=sheet_unchanged")).into_response());
    }
    match state.store.save_entries(&ctx.audit(), id, changed, today_vn()).await {
        Ok(_) => Ok(Redirect::to(&format!("/assessments/{id}?done=sheet_imported")).into_response()),
        Err(e @ (StoreError::Invalid(_) | StoreError::Conflict(_))) => {
            let text = crate::chrome::store_error_text(&ctx, &e).unwrap_or_default();
            crate::pages::assessment::assessment_error(&state, &ctx, id, format!("{}\n{text}", ctx.t("ss.refused"))).await
        }
        Err(e) => Err(e.into()),
    }
}

pub fn router() -> Router<AppState> {
    Router::new().route("/assessments/{id}/tu-cham.xlsx", get(download)).route("/assessments/{id}/tu-cham", post(upload))
}
