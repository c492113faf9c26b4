//! `/api/v1/public/results`: the published results, read-only and without sign-in — the list
//! of published versions, and one period's published document (the latest version, or `?v=N`),
//! byte for byte the JSON whose SHA-256 the portal shows.

use crate::extract::Json;
use crate::extract::Path;
use crate::extract::Query;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::api::routes::{ApiRouter, route};
use crate::error::AppError;

/// Every published version of every period, newest first.
#[utoipa::path(get, path = "/api/v1/public/results", tag = "public", security(()), responses((status = 200, body = ApiPublications)))]
pub async fn list(State(state): State<AppState>) -> Result<Json<ApiPublications>, AppError> {
    Ok(Json(ApiPublications { publications: state.store.publications().await? }))
}

#[derive(Serialize, ToSchema)]
pub struct ApiPublications {
    /// Newest first.
    pub publications: Vec<parindex_store::repo::publications::PublicationRow>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VersionParam {
    /// A version number (default: the latest).
    pub v: Option<i32>,
}

/// One period's published results: the document (period, method, groups, framework, per unit
/// index, total, rank, group, previous year, domains and leaves). `X-Content-SHA256` carries its hash.
#[utoipa::path(get, path = "/api/v1/public/results/{code}", tag = "public", security(()), params(("code" = String, Path), VersionParam),
    responses((status = 200, body = parindex_core::published::Published), (status = 404, body = crate::error::ApiError)))]
pub async fn get_one(State(state): State<AppState>, Path(code): Path<String>, Query(q): Query<VersionParam>) -> Result<Response, AppError> {
    let (row, text, _) = state.store.publication(&code, q.v).await?;
    Ok((
        [(header::CONTENT_TYPE, "application/json".to_string()), (header::HeaderName::from_static("x-content-sha256"), row.content_hash)],
        text,
    )
        .into_response())
}

/// Every operation of this module, each where its annotation says (`api::routes`).
pub fn routes() -> ApiRouter {
    ApiRouter::new().with(route!(list)).with(route!(get_one))
}
