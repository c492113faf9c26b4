//! The JSON API under `/api/v1`. Authenticated by a Bearer token (`parindex token create`) or a
//! session cookie; errors are `{"error": {...}}` (see `error.rs`). The OpenAPI document is served
//! at `/api/v1/openapi.json` and generated from the annotations on each handler.

pub mod apology;
pub mod audit;
pub mod feeds;
pub mod frameworks;
pub mod onestop;
pub mod periods;
pub mod plans;
pub mod public;
pub mod questionnaires;
pub mod reports;
pub mod results;
pub mod routes;
pub mod surveys;
pub mod units;
pub mod users;

use crate::extract::Json;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use parindex_core::{Action, Resource};
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{ApiError, ApiErrorBody, AppError};

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    pub role: String,
    pub unit_id: Option<i64>,
    pub unit_code: Option<String>,
    pub lang: String,
}

/// The signed-in user.
#[utoipa::path(get, path = "/api/v1/me", tag = "account",
    responses((status = 200, body = Me), (status = 401, body = ApiError)))]
async fn me(State(state): State<AppState>, ctx: Ctx) -> Result<Json<Me>, AppError> {
    let a = ctx.require(Action::ManageOwnAccount, Resource::System)?;
    let u = state.store.get_user(a.user_id).await?;
    Ok(Json(Me {
        id: u.id,
        username: u.username,
        full_name: u.full_name,
        role: u.role,
        unit_id: u.unit_id,
        unit_code: u.unit_code,
        lang: ctx.lang.code().into(),
    }))
}

#[derive(OpenApi)]
#[openapi(
    info(title = "parindex API", version = "1", description = "Chỉ số CCHC / PAR Index — JSON API. Authenticate with `Authorization: Bearer <token>` (create one with `parindex token create --username U`)."),
    components(schemas(Me, ApiError, ApiErrorBody, units::ApiUnit, units::ApiContact, units::ApiUnitDetail, units::ApiLineage, units::ApiUnitInput, units::ApiKind, units::ApiActive, units::ApiLineageInput, units::ApiImportResult, users::ApiUser, users::ApiUserInput, users::ApiCreatedUser, users::ApiToken, users::ApiTokenInput, users::ApiCreatedToken, frameworks::ApiFramework, frameworks::NewVersion, frameworks::CrosswalkBody, periods::ApiPeriod, periods::ApiPeriodInput, periods::ApiAssessment, periods::ApiEntryInput, periods::ApiQueueRow, periods::ApiAppraisalInput, periods::ApiReason, periods::ApiExtension, periods::ApiContest, periods::ApiFinal, periods::ApiApproved, parindex_store::repo::periods::Decision, parindex_store::repo::periods::Person, periods::ApiContactInput, audit::ApiAuditPage, audit::ApiAuditEntry, surveys::ReplyBody, surveys::PublishBody, surveys::PointsBody, results::AdjustmentBody, results::PlanBody, results::FollowBody)),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
pub struct ApiDoc;

struct BearerAuth;
impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()));
    }
}

async fn openapi() -> Json<serde_json::Value> {
    Json(document())
}

/// The OpenAPI document as served: the operations as declared, plus the refusals every operation
/// can give whatever its handler — 400 (a path, query or body value that does not parse), 401
/// (no or an invalid token; not on public operations), 404 (an unknown id in the path) — so that
/// a client generated from it knows every status it may get (issue #15).
pub fn document() -> serde_json::Value {
    let (_, paths, schemas) = routes().into_parts();
    let mut api = ApiDoc::openapi();
    api.paths = paths;
    let components = api.components.get_or_insert_with(Default::default);
    for (name, schema) in schemas {
        components.schemas.entry(name).or_insert(schema);
    }
    let mut doc = serde_json::to_value(api).unwrap_or_default();
    let error = |description: &str| {
        serde_json::json!({
            "description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ApiError"}}}
        })
    };
    if let Some(paths) = doc.get_mut("paths").and_then(|p| p.as_object_mut()) {
        for (path, item) in paths.iter_mut() {
            let Some(item) = item.as_object_mut() else { continue };
            for (_, op) in item.iter_mut() {
                let Some(op) = op.as_object_mut() else { continue };
                let public = op
                    .get("security")
                    .and_then(|s| s.as_array())
                    .is_some_and(|a| a.iter().all(|x| x.as_object().is_some_and(|o| o.is_empty())));
                let has_input = path.contains('{') || op.contains_key("parameters") || op.contains_key("requestBody");
                let Some(responses) = op.get_mut("responses").and_then(|r| r.as_object_mut()) else { continue };
                if has_input {
                    responses.entry("400").or_insert_with(|| error("A path, query or body value does not parse; the message says which."));
                }
                if !public {
                    responses.entry("401").or_insert_with(|| error("No token, or an invalid, expired or revoked one."));
                }
                if path.contains('{') {
                    responses.entry("404").or_insert_with(|| error("Nothing with this id or code (or not visible to the caller)."));
                }
            }
        }
    }
    doc
}

async fn api_not_found() -> AppError {
    AppError::NotFound
}

/// Every documented operation of the API (`api::routes`): the router and the document are
/// both made from it.
fn routes() -> routes::ApiRouter {
    routes::ApiRouter::new()
        .with(routes::route!(me))
        .merge(units::routes())
        .merge(users::routes())
        .merge(frameworks::routes())
        .merge(periods::routes())
        .merge(feeds::routes())
        .merge(onestop::routes())
        .merge(apology::routes())
        .merge(plans::routes())
        .merge(reports::routes())
        .merge(questionnaires::routes())
        .merge(surveys::routes())
        .merge(results::routes())
        .merge(public::routes())
        .merge(audit::routes())
}

/// The API, to be nested at [`routes::PREFIX`].
pub fn router() -> Router<AppState> {
    let (router, _, _) = routes().undocumented("/openapi.json", get(openapi)).into_parts();
    router.fallback(api_not_found)
}

#[cfg(test)]
mod tests {
    /// The API document is kept in `docs/openapi.json` so that API changes show in review.
    /// After a deliberate change: `UPDATE_OPENAPI=1 cargo test -p parindex-web openapi`.
    #[test]
    fn openapi_document_is_current() {
        let doc = serde_json::to_string_pretty(&super::document()).unwrap() + "\n";
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/openapi.json");
        if std::env::var("UPDATE_OPENAPI").is_ok() {
            std::fs::write(path, &doc).unwrap();
        }
        let stored = std::fs::read_to_string(path).unwrap_or_default();
        assert!(stored == doc, "docs/openapi.json is out of date: run UPDATE_OPENAPI=1 cargo test -p parindex-web openapi");
    }
}
