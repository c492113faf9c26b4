//! Criteria frameworks through the API: list, read (JSON document or YAML file), import,
//! publish, archive, new version, and the what-if calculator.

use crate::extract::Json;
use crate::extract::Path;
use crate::extract::Query;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use parindex_core::framework::Status;
use parindex_core::framework::score::{Compiled, score};
use parindex_core::{Action, Msg, Resource};
use parindex_reports::framework::{framework_to_yaml, parse_framework_file, parse_inputs};
use parindex_store::repo::frameworks::FrameworkRow;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::api::routes::{ApiRouter, route};
use crate::ctx::Ctx;
use crate::error::AppError;

#[derive(Serialize, ToSchema)]
pub struct ApiFramework {
    pub code: String,
    pub name: String,
    /// draft, published or archived
    pub status: String,
    pub sample: bool,
    pub unit_kinds: Vec<String>,
    pub valid_from: Option<i32>,
    pub valid_to: Option<i32>,
    /// Sum of the leaves' maxima (exact decimal).
    pub max_total: String,
    pub leaves: i32,
    pub derived_from: Option<String>,
}

impl From<FrameworkRow> for ApiFramework {
    fn from(r: FrameworkRow) -> Self {
        ApiFramework {
            code: r.code,
            name: r.name,
            status: r.status,
            sample: r.sample,
            unit_kinds: r.unit_kinds,
            valid_from: r.valid_from,
            valid_to: r.valid_to,
            max_total: r.max_total,
            leaves: r.leaves,
            derived_from: r.derived_from,
        }
    }
}

fn text(body: &Bytes) -> Result<&str, AppError> {
    std::str::from_utf8(body).map_err(|_| AppError::BadRequest(Msg::new("Nội dung phải là văn bản UTF-8.", "The body must be UTF-8 text.")))
}

/// Frameworks in the database.
#[utoipa::path(get, path = "/api/v1/frameworks", tag = "frameworks", responses((status = 200, body = Vec<ApiFramework>)))]
pub async fn list(State(state): State<AppState>, ctx: Ctx) -> Result<Json<Vec<ApiFramework>>, AppError> {
    ctx.require(Action::ViewFrameworks, Resource::System)?;
    Ok(Json(state.store.list_frameworks().await?.into_iter().map(ApiFramework::from).collect()))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GetParams {
    /// `json` (default: the document), `yaml` (a file in the documented format) or `xlsx` (the
    /// one-row-per-node workbook).
    pub format: Option<String>,
}

/// One framework: its whole document (docs/framework-format.md), as JSON or as a YAML file.
#[utoipa::path(get, path = "/api/v1/frameworks/{code}", tag = "frameworks", params(("code" = String, Path), GetParams),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ApiError)))]
pub async fn get_one(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(p): Query<GetParams>,
) -> Result<Response, AppError> {
    ctx.require(Action::ViewFrameworks, Resource::System)?;
    let (_, fw) = state.store.get_framework(&code).await?;
    if p.format.as_deref() == Some("xlsx") {
        let bytes = parindex_reports::framework_xlsx::framework_xlsx(&fw).map_err(|e| AppError::Internal(e.to_string()))?;
        return Ok(crate::chrome::download(bytes, crate::chrome::XLSX, &format!("{}.xlsx", fw.code)));
    }
    if p.format.as_deref() == Some("yaml") {
        return Ok((
            [
                (header::CONTENT_TYPE, "application/yaml; charset=utf-8".to_string()),
                (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{}.yaml\"", fw.code)),
            ],
            framework_to_yaml(&fw),
        )
            .into_response());
    }
    Ok(Json(fw).into_response())
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// The file's name, for messages.
    pub filename: Option<String>,
}

/// Import a framework file (YAML, JSON or XLSX body; the form is decided by content). All or nothing: 422 lists every problem with
/// its node code. A draft of the same code is replaced; a published one never is (409).
#[utoipa::path(post, path = "/api/v1/frameworks", tag = "frameworks", params(ImportParams),
    request_body(content = String, content_type = "application/yaml"),
    responses((status = 201, body = ApiFramework), (status = 403, body = crate::error::ApiError), (status = 409, body = crate::error::ApiError), (status = 422, body = crate::error::ApiError)))]
pub async fn import(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(p): Query<ImportParams>,
    body: Bytes,
) -> Result<(StatusCode, Json<ApiFramework>), AppError> {
    ctx.require(Action::ManageFrameworks, Resource::System)?;
    let name = p.filename.unwrap_or_else(|| "framework.yaml".into());
    let fw = parse_framework_file(&name, &body).map_err(AppError::Framework)?;
    let row = state.store.import_framework(&ctx.audit(), fw, &name).await?;
    Ok((StatusCode::CREATED, Json(row.into())))
}

async fn set_status(state: &AppState, ctx: &Ctx, code: &str, to: Status) -> Result<Json<ApiFramework>, AppError> {
    ctx.require(Action::ManageFrameworks, Resource::System)?;
    Ok(Json(state.store.set_framework_status(&ctx.audit(), code, to).await?.into()))
}

/// Publish a draft (immutable afterwards).
#[utoipa::path(post, path = "/api/v1/frameworks/{code}/publish", tag = "frameworks", params(("code" = String, Path)),
    responses((status = 200, body = ApiFramework), (status = 409, body = crate::error::ApiError)))]
pub async fn publish(State(state): State<AppState>, ctx: Ctx, Path(code): Path<String>) -> Result<Json<ApiFramework>, AppError> {
    set_status(&state, &ctx, &code, Status::Published).await
}

/// Archive a published framework.
#[utoipa::path(post, path = "/api/v1/frameworks/{code}/archive", tag = "frameworks", params(("code" = String, Path)),
    responses((status = 200, body = ApiFramework), (status = 409, body = crate::error::ApiError)))]
pub async fn archive(State(state): State<AppState>, ctx: Ctx, Path(code): Path<String>) -> Result<Json<ApiFramework>, AppError> {
    set_status(&state, &ctx, &code, Status::Archived).await
}

#[derive(Deserialize, ToSchema)]
pub struct NewVersion {
    pub new_code: String,
    pub name: Option<String>,
}

/// A new draft copied from this framework.
#[utoipa::path(post, path = "/api/v1/frameworks/{code}/versions", tag = "frameworks", params(("code" = String, Path)), request_body = NewVersion,
    responses((status = 201, body = ApiFramework), (status = 409, body = crate::error::ApiError)))]
pub async fn new_version(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Json(b): Json<NewVersion>,
) -> Result<(StatusCode, Json<ApiFramework>), AppError> {
    ctx.require(Action::ManageFrameworks, Resource::System)?;
    let row = state.store.new_framework_version(&ctx.audit(), &code, &b.new_code, b.name).await?;
    Ok((StatusCode::CREATED, Json(row.into())))
}

/// What-if calculator: one unit's inputs (docs/framework-format.md, YAML or JSON body) → points
/// per node (rounded `value` and `exact`), total, applicable maximum and index, with
/// explanations. Nothing is stored.
#[utoipa::path(post, path = "/api/v1/frameworks/{code}/score", tag = "frameworks", params(("code" = String, Path)),
    request_body(content = String, content_type = "application/yaml"),
    responses((status = 200, body = Object), (status = 422, body = crate::error::ApiError)))]
pub async fn what_if(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    body: Bytes,
) -> Result<Json<serde_json::Value>, AppError> {
    ctx.require(Action::ViewFrameworks, Resource::System)?;
    let (_, fw) = state.store.get_framework(&code).await?;
    let c = Compiled::new(&fw).map_err(AppError::Framework)?;
    let inputs = parse_inputs("inputs", text(&body)?).map_err(AppError::Framework)?;
    let placed = c.place_file(&inputs).map_err(AppError::Framework)?;
    let sheet = score(&c, &placed, true).map_err(AppError::Framework)?;
    Ok(Json(serde_json::to_value(sheet.report(&c)).map_err(|e| AppError::Internal(e.to_string()))?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CrosswalkParams {
    /// The older version's code.
    pub from: String,
}

/// The crosswalk from an older version to this one: the confirmed one (with who confirmed it
/// and when) or, when none is confirmed yet, the proposal by code (`confirmed: false`).
#[utoipa::path(get, path = "/api/v1/frameworks/{code}/crosswalk", tag = "frameworks", params(("code" = String, Path), CrosswalkParams),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ApiError)))]
pub async fn get_crosswalk(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(p): Query<CrosswalkParams>,
) -> Result<Json<serde_json::Value>, AppError> {
    ctx.require(Action::ViewFrameworks, Resource::System)?;
    if let Some(s) = state.store.get_crosswalk(&p.from, &code).await? {
        return Ok(Json(serde_json::json!({
            "from": s.crosswalk.from, "to": s.crosswalk.to, "map": s.crosswalk.map,
            "confirmed": true, "confirmed_by": s.confirmed_by, "confirmed_at": s.confirmed_at,
        })));
    }
    let (_, old) = state.store.get_framework(&p.from).await?;
    let (_, new) = state.store.get_framework(&code).await?;
    let cw = parindex_core::framework::crosswalk::propose(&old, &new);
    Ok(Json(serde_json::json!({"from": cw.from, "to": cw.to, "map": cw.map, "confirmed": false})))
}

#[derive(Deserialize, ToSchema)]
pub struct CrosswalkBody {
    /// The older version's code.
    pub from: String,
    /// Old node code → new node codes.
    pub map: std::collections::BTreeMap<String, Vec<String>>,
}

/// Confirm the crosswalk from an older version to this one (replaces a confirmed one). 422
/// names every unknown code.
#[utoipa::path(put, path = "/api/v1/frameworks/{code}/crosswalk", tag = "frameworks", params(("code" = String, Path)), request_body = CrosswalkBody,
    responses((status = 200, body = Object), (status = 403, body = crate::error::ApiError), (status = 422, body = crate::error::ApiError)))]
pub async fn put_crosswalk(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Json(b): Json<CrosswalkBody>,
) -> Result<Json<serde_json::Value>, AppError> {
    ctx.require(Action::ManageFrameworks, Resource::System)?;
    let cw = parindex_core::framework::crosswalk::Crosswalk { from: b.from, to: code, map: b.map };
    let s = state.store.save_crosswalk(&ctx.audit(), cw).await?;
    Ok(Json(serde_json::json!({
        "from": s.crosswalk.from, "to": s.crosswalk.to, "map": s.crosswalk.map,
        "confirmed": true, "confirmed_by": s.confirmed_by, "confirmed_at": s.confirmed_at,
    })))
}

/// Every operation of this module, each where its annotation says (`api::routes`).
pub fn routes() -> ApiRouter {
    ApiRouter::new()
        .with(route!(list))
        .with(route!(import))
        .with(route!(get_one))
        .with(route!(publish))
        .with(route!(archive))
        .with(route!(new_version))
        .with(route!(what_if))
        .with(route!(get_crosswalk))
        .with(route!(put_crosswalk))
}
