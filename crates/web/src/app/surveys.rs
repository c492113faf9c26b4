//! Survey use cases shared by the survey pages and the API: the raw responses as a streamed
//! CSV, the indices in the layout of `parindex sipas compute`.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use parindex_core::{Action, Resource};

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::AppError;
use crate::extract::Path;

pub async fn export_responses(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    ctx.require(Action::ManageSurveys, Resource::System)?;
    let run = state.store.get_survey(id).await?;
    let (mut w, r) = tokio::io::duplex(256 * 1024);
    let store = state.store.clone();
    tokio::spawn(async move {
        if let Err(e) = crate::app::survey_data::write_responses_csv(&store, id, &mut w).await {
            tracing::warn!(error = %e, survey = id, "response export stopped");
        }
    });
    let body = axum::body::Body::from_stream(tokio_util::io::ReaderStream::new(r));
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (axum::http::header::CONTENT_DISPOSITION, format!("attachment; filename=\"{}-responses.csv\"", run.code)),
        ],
        body,
    )
        .into_response())
}

/// The indices as CSV in the layout of `parindex sipas compute` (`shared/bench/SIPAS_SPEC.md`).
pub async fn export_indices(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    ctx.require(Action::ManageSurveys, Resource::System)?;
    let run = state.store.get_survey(id).await?;
    let csv = parindex_core::sipas::to_csv(&parindex_core::sipas::indices(&state.store.survey_tallies(id).await?));
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (axum::http::header::CONTENT_DISPOSITION, format!("attachment; filename=\"{}-indices.csv\"", run.code)),
        ],
        csv,
    )
        .into_response())
}
