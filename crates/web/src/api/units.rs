//! Units through the API: list, read, create, update, (de)activate, import a file.

use crate::extract::Json;
use crate::extract::Path;
use crate::extract::Query;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::NaiveDate;
use parindex_core::access::unit_scope;
use parindex_core::unit::UnitInput;
use parindex_core::{Action, Resource};
use parindex_store::repo::units::{ImportOutcome, UnitFilter, UnitView};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::api::routes::{ApiRouter, route};
use crate::app::units::{lineage_ends, run_import, status_filter};
use crate::ctx::Ctx;
use crate::error::AppError;

#[derive(Serialize, ToSchema)]
pub struct ApiUnit {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub parent_id: Option<i64>,
    pub parent_code: Option<String>,
    pub area: Option<String>,
    pub active_from: Option<NaiveDate>,
    pub active_to: Option<NaiveDate>,
    pub active: bool,
    /// The unit's focal person for reform and how to reach them.
    pub contact: ApiContact,
}

/// A person to call: every field may be absent.
#[derive(Serialize, Deserialize, ToSchema, Default)]
pub struct ApiContact {
    /// The focal person (name, title).
    pub person: Option<String>,
    /// Digits with spaces, dots or dashes (6–15 digits), an extension after a comma.
    pub phone: Option<String>,
    pub email: Option<String>,
}

impl From<parindex_core::unit::Contact> for ApiContact {
    fn from(c: parindex_core::unit::Contact) -> Self {
        ApiContact { person: c.person, phone: c.phone, email: c.email }
    }
}

impl From<UnitView> for ApiUnit {
    fn from(u: UnitView) -> Self {
        ApiUnit {
            id: u.id,
            code: u.code,
            name: u.name,
            kind: u.kind,
            parent_id: u.parent_id,
            parent_code: u.parent_code,
            area: u.area,
            active_from: u.active_from,
            active_to: u.active_to,
            active: u.active,
            contact: u.contact.into(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ApiLineage {
    pub id: i64,
    /// `merged_into` or `split_from`.
    pub relation: String,
    pub unit_id: i64,
    pub unit_code: String,
    pub effective_on: Option<NaiveDate>,
}

#[derive(Serialize, ToSchema)]
pub struct ApiUnitDetail {
    #[serde(flatten)]
    pub unit: ApiUnit,
    pub predecessors: Vec<ApiLineage>,
    pub successors: Vec<ApiLineage>,
}

#[derive(Deserialize, ToSchema)]
pub struct ApiUnitInput {
    pub code: String,
    pub name: String,
    /// A unit kind code, see `/api/v1/unit-kinds`.
    pub kind: String,
    pub parent_code: Option<String>,
    pub area: Option<String>,
    pub active_from: Option<NaiveDate>,
    pub active_to: Option<NaiveDate>,
    /// The unit's contact; absent: left as it is (an empty object clears it).
    pub contact: Option<ApiContact>,
}

impl From<ApiUnitInput> for UnitInput {
    fn from(i: ApiUnitInput) -> Self {
        UnitInput {
            code: i.code,
            name: i.name,
            kind: i.kind,
            parent_code: i.parent_code,
            area: i.area,
            active_from: i.active_from,
            active_to: i.active_to,
            contact: i.contact.map(|c| parindex_core::unit::Contact { person: c.person, phone: c.phone, email: c.email }),
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Search in code and name (case and diacritics ignored).
    pub q: Option<String>,
    pub kind: Option<String>,
    /// `active` (default), `inactive` or `all`.
    pub status: Option<String>,
}

/// Units the caller may see (unit staff: their own unit only), in Vietnamese name order.
#[utoipa::path(get, path = "/api/v1/units", tag = "units", params(ListParams),
    responses((status = 200, body = Vec<ApiUnit>), (status = 401, body = crate::error::ApiError)))]
pub async fn list(State(state): State<AppState>, ctx: Ctx, Query(p): Query<ListParams>) -> Result<Json<Vec<ApiUnit>>, AppError> {
    let actor = ctx.require(Action::ListUnits, Resource::System)?;
    let f = UnitFilter { q: p.q, kind: p.kind, status: status_filter(p.status.as_deref()) };
    Ok(Json(state.store.list_units(unit_scope(actor), &f).await?.into_iter().map(ApiUnit::from).collect()))
}

/// One unit with its lineage.
#[utoipa::path(get, path = "/api/v1/units/{id}", tag = "units", params(("id" = i64, Path)),
    responses((status = 200, body = ApiUnitDetail), (status = 403, body = crate::error::ApiError), (status = 404, body = crate::error::ApiError)))]
pub async fn get_one(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Json<ApiUnitDetail>, AppError> {
    ctx.require(Action::ViewUnit, Resource::Unit(id))?;
    let d = state.store.get_unit(id).await?;
    let link = |l: parindex_store::repo::units::LineageLink| ApiLineage {
        id: l.id,
        relation: l.relation,
        unit_id: l.unit_id,
        unit_code: l.unit_code,
        effective_on: l.effective_on,
    };
    Ok(Json(ApiUnitDetail {
        unit: d.unit.into(),
        predecessors: d.predecessors.into_iter().map(link).collect(),
        successors: d.successors.into_iter().map(link).collect(),
    }))
}

/// Create a unit.
#[utoipa::path(post, path = "/api/v1/units", tag = "units", request_body = ApiUnitInput,
    responses((status = 201, body = ApiUnit), (status = 403, body = crate::error::ApiError), (status = 422, body = crate::error::ApiError)))]
pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(input): Json<ApiUnitInput>,
) -> Result<(StatusCode, Json<ApiUnit>), AppError> {
    ctx.require(Action::CreateUnit, Resource::System)?;
    let u = state.store.create_unit(&ctx.audit(), input.into()).await?;
    Ok((StatusCode::CREATED, Json(u.into())))
}

/// Replace a unit's fields.
#[utoipa::path(put, path = "/api/v1/units/{id}", tag = "units", params(("id" = i64, Path)), request_body = ApiUnitInput,
    responses((status = 200, body = ApiUnit), (status = 403, body = crate::error::ApiError), (status = 404, body = crate::error::ApiError), (status = 422, body = crate::error::ApiError)))]
pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(input): Json<ApiUnitInput>,
) -> Result<Json<ApiUnit>, AppError> {
    ctx.require(Action::EditUnit, Resource::Unit(id))?;
    Ok(Json(state.store.update_unit(&ctx.audit(), id, input.into()).await?.into()))
}

#[derive(Deserialize, ToSchema)]
pub struct ApiActive {
    pub active: bool,
    /// When it stopped (default today); only for `active: false`.
    pub ended_on: Option<NaiveDate>,
    pub reason: Option<String>,
}

/// Deactivate or reactivate a unit (units are never deleted).
#[utoipa::path(post, path = "/api/v1/units/{id}/active", tag = "units", params(("id" = i64, Path)), request_body = ApiActive,
    responses((status = 200, body = ApiUnit), (status = 403, body = crate::error::ApiError), (status = 404, body = crate::error::ApiError)))]
pub async fn set_active(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(b): Json<ApiActive>,
) -> Result<Json<ApiUnit>, AppError> {
    ctx.require(Action::DeactivateUnit, Resource::Unit(id))?;
    Ok(Json(state.store.set_unit_active(&ctx.audit(), id, b.active, b.ended_on, b.reason).await?.into()))
}

#[derive(Serialize, ToSchema)]
pub struct ApiImportResult {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub lineage_links: usize,
}

impl From<ImportOutcome> for ApiImportResult {
    fn from(o: ImportOutcome) -> Self {
        ApiImportResult { created: o.created, updated: o.updated, unchanged: o.unchanged, lineage_links: o.lineage_links }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// The file's name, used in messages and to tell `.xlsx` from `.csv`.
    pub filename: String,
}

/// Import units from the body (an XLSX workbook or a UTF-8 CSV in the template's layout).
/// All or nothing: any problem returns 422 with every row's error and writes nothing.
#[utoipa::path(post, path = "/api/v1/units/import", tag = "units", params(ImportParams),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = ApiImportResult), (status = 422, body = crate::error::ApiError)))]
pub async fn import(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(p): Query<ImportParams>,
    body: Bytes,
) -> Result<Json<ApiImportResult>, AppError> {
    ctx.require(Action::ImportUnits, Resource::System)?;
    Ok(Json(run_import(&state, &ctx, &p.filename, &body).await?.into()))
}

#[derive(Deserialize, ToSchema)]
pub struct ApiLineageInput {
    /// Seen from this unit: `merged_in` (the other unit merged into this one), `merged_into`
    /// (this unit merged into the other), `split_from` (this unit was split from the other).
    pub relation: String,
    pub other_code: String,
    pub effective_on: Option<NaiveDate>,
}

/// Record a merger or split involving this unit.
#[utoipa::path(post, path = "/api/v1/units/{id}/lineage", tag = "units", params(("id" = i64, Path)), request_body = ApiLineageInput,
    responses((status = 201, body = ApiUnitDetail), (status = 403, body = crate::error::ApiError), (status = 409, body = crate::error::ApiError), (status = 422, body = crate::error::ApiError)))]
pub async fn add_lineage(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(b): Json<ApiLineageInput>,
) -> Result<(StatusCode, Json<ApiUnitDetail>), AppError> {
    ctx.require(Action::EditUnit, Resource::Unit(id))?;
    let other = state.store.unit_id_by_code(&b.other_code).await?.ok_or_else(|| {
        AppError::Invalid(vec![parindex_core::unit::FieldError {
            field: "other_code",
            message: parindex_core::Msg::new(
                format!("Không tìm thấy đơn vị có mã “{}”.", b.other_code),
                format!("No unit has the code “{}”.", b.other_code),
            ),
        }])
    })?;
    let (pred, succ, kind) = lineage_ends(&b.relation, id, other)?;
    state.store.add_lineage(&ctx.audit(), pred, succ, kind, b.effective_on).await?;
    Ok((StatusCode::CREATED, get_one(State(state), ctx, Path(id)).await?))
}

/// Remove a merger or split link recorded by mistake.
#[utoipa::path(delete, path = "/api/v1/units/{id}/lineage/{link_id}", tag = "units", params(("id" = i64, Path), ("link_id" = i64, Path)),
    responses((status = 204), (status = 403, body = crate::error::ApiError), (status = 404, body = crate::error::ApiError)))]
pub async fn remove_lineage(State(state): State<AppState>, ctx: Ctx, Path((id, link)): Path<(i64, i64)>) -> Result<StatusCode, AppError> {
    ctx.require(Action::EditUnit, Resource::Unit(id))?;
    state.store.remove_lineage(&ctx.audit(), id, link).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct ApiKind {
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
}

/// The kinds of unit (data, not code).
#[utoipa::path(get, path = "/api/v1/unit-kinds", tag = "units", responses((status = 200, body = Vec<ApiKind>)))]
pub async fn kinds(State(state): State<AppState>, ctx: Ctx) -> Result<Json<Vec<ApiKind>>, AppError> {
    ctx.require(Action::ListUnits, Resource::System)?;
    Ok(Json(
        state.store.unit_kinds().await?.into_iter().map(|k| ApiKind { code: k.code, name_vi: k.name_vi, name_en: k.name_en }).collect(),
    ))
}

/// Every operation of this module, each where its annotation says (`api::routes`).
pub fn routes() -> ApiRouter {
    ApiRouter::new()
        .with(route!(list))
        .with(route!(create))
        .with(route!(import))
        .with(route!(get_one))
        .with(route!(update))
        .with(route!(set_active))
        .with(route!(add_lineage))
        .with(route!(remove_lineage))
        .with(route!(kinds))
}
