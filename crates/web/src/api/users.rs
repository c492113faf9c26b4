//! Users through the API (administrators only).

use crate::extract::Json;
use crate::extract::Path;
use axum::extract::State;
use axum::http::StatusCode;
use parindex_core::secret::generate_password;
use parindex_core::unit::FieldError;
use parindex_core::{Action, Msg, Resource, Role};
use parindex_store::repo::users::{NewUser, UserEdit, UserView};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::api::routes::{ApiRouter, route};
use crate::ctx::Ctx;
use crate::error::AppError;

#[derive(Serialize, ToSchema)]
pub struct ApiUser {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub role: String,
    pub unit_code: Option<String>,
    pub disabled: bool,
}

impl From<UserView> for ApiUser {
    fn from(u: UserView) -> Self {
        ApiUser {
            id: u.id,
            username: u.username,
            full_name: u.full_name,
            email: u.email,
            phone: u.phone,
            role: u.role,
            unit_code: u.unit_code,
            disabled: u.disabled,
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct ApiUserInput {
    /// Ignored on update.
    pub username: Option<String>,
    pub full_name: String,
    pub email: Option<String>,
    /// Digits with spaces, dots or dashes (6–15 digits).
    pub phone: Option<String>,
    /// admin, secretariat, appraiser, council, unit_officer, unit_leader, viewer
    pub role: String,
    pub unit_code: Option<String>,
    /// On creation only; generated (and returned once) when absent.
    pub password: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ApiCreatedUser {
    pub user: ApiUser,
    /// Present when the password was generated: shown this once.
    pub password: Option<String>,
}

fn invalid(field: &'static str, vi: String, en: String) -> AppError {
    AppError::Invalid(vec![FieldError { field, message: Msg::new(vi, en) }])
}

async fn parse(state: &AppState, b: &ApiUserInput) -> Result<(Role, Option<i64>), AppError> {
    let role = Role::parse(&b.role)
        .ok_or_else(|| invalid("role", format!("Vai trò “{}” không hợp lệ.", b.role), format!("Unknown role “{}”.", b.role)))?;
    let unit_id = match b.unit_code.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        Some(code) => Some(state.store.unit_id_by_code(code).await?.ok_or_else(|| {
            invalid("unit_code", format!("Không tìm thấy đơn vị có mã “{code}”."), format!("No unit has the code “{code}”."))
        })?),
        None => None,
    };
    Ok((role, unit_id))
}

/// All users.
#[utoipa::path(get, path = "/api/v1/users", tag = "users", responses((status = 200, body = Vec<ApiUser>), (status = 403, body = crate::error::ApiError)))]
pub async fn list(State(state): State<AppState>, ctx: Ctx) -> Result<Json<Vec<ApiUser>>, AppError> {
    ctx.require(Action::ManageUsers, Resource::System)?;
    Ok(Json(state.store.list_users().await?.into_iter().map(ApiUser::from).collect()))
}

/// Create a user.
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = ApiUserInput,
    responses((status = 201, body = ApiCreatedUser), (status = 403, body = crate::error::ApiError), (status = 409, body = crate::error::ApiError), (status = 422, body = crate::error::ApiError)))]
pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(b): Json<ApiUserInput>,
) -> Result<(StatusCode, Json<ApiCreatedUser>), AppError> {
    ctx.require(Action::ManageUsers, Resource::System)?;
    let (role, unit_id) = parse(&state, &b).await?;
    let generated = b.password.is_none().then(generate_password);
    let password = b.password.clone().or(generated.clone()).unwrap_or_default();
    let username = b.username.clone().unwrap_or_default();
    let u = state
        .store
        .create_user(&ctx.audit(), NewUser { username, full_name: b.full_name, email: b.email, phone: b.phone, role, unit_id, password })
        .await?;
    Ok((StatusCode::CREATED, Json(ApiCreatedUser { user: u.into(), password: generated })))
}

/// Change a user's name, e-mail, role and unit.
#[utoipa::path(put, path = "/api/v1/users/{username}", tag = "users", params(("username" = String, Path)), request_body = ApiUserInput,
    responses((status = 200, body = ApiUser), (status = 403, body = crate::error::ApiError), (status = 404, body = crate::error::ApiError), (status = 422, body = crate::error::ApiError)))]
pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(username): Path<String>,
    Json(b): Json<ApiUserInput>,
) -> Result<Json<ApiUser>, AppError> {
    ctx.require(Action::ManageUsers, Resource::System)?;
    let (role, unit_id) = parse(&state, &b).await?;
    let u = state
        .store
        .update_user(&ctx.audit(), &username, UserEdit { full_name: b.full_name, email: b.email, phone: b.phone, role, unit_id })
        .await?;
    Ok(Json(u.into()))
}

/// An API token (never its secret).
#[derive(Serialize, ToSchema)]
pub struct ApiToken {
    pub id: i64,
    pub username: String,
    pub name: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub last_used_at: Option<chrono::DateTime<chrono::Utc>>,
    /// None: valid until revoked.
    pub expires_at: Option<chrono::DateTime<chrono::Utc>>,
    pub revoked_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl From<parindex_store::repo::users::TokenView> for ApiToken {
    fn from(t: parindex_store::repo::users::TokenView) -> Self {
        ApiToken {
            id: t.id,
            username: t.username,
            name: t.name,
            created_at: t.created_at,
            last_used_at: t.last_used_at,
            expires_at: t.expires_at,
            revoked_at: t.revoked_at,
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct ApiTokenInput {
    pub name: String,
    /// When it stops working; absent: until revoked.
    pub expires_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Serialize, ToSchema)]
pub struct ApiCreatedToken {
    pub token: ApiToken,
    /// The secret, shown this once: `Authorization: Bearer <secret>`.
    pub secret: String,
}

/// The caller's own API tokens (an administrator: everyone's), newest first.
#[utoipa::path(get, path = "/api/v1/tokens", tag = "users", responses((status = 200, body = Vec<ApiToken>), (status = 401, body = crate::error::ApiError)))]
pub async fn tokens(State(state): State<AppState>, ctx: Ctx) -> Result<Json<Vec<ApiToken>>, AppError> {
    let a = ctx.require(Action::ManageOwnAccount, Resource::System)?;
    let all = parindex_core::can(Some(a), Action::ManageUsers, Resource::System);
    Ok(Json(state.store.list_tokens((!all).then_some(a.user_id)).await?.into_iter().map(ApiToken::from).collect()))
}

/// Create an API token for the caller.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "users", request_body = ApiTokenInput,
    responses((status = 201, body = ApiCreatedToken), (status = 401, body = crate::error::ApiError), (status = 422, body = crate::error::ApiError)))]
pub async fn create_token(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(b): Json<ApiTokenInput>,
) -> Result<(StatusCode, Json<ApiCreatedToken>), AppError> {
    let a = ctx.require(Action::ManageOwnAccount, Resource::System)?.clone();
    let secret = state.store.create_token_until(&ctx.audit(), &a.username, &b.name, b.expires_at).await?;
    let token = state.store.list_tokens(Some(a.user_id)).await?.into_iter().next().ok_or(AppError::NotFound)?;
    Ok((StatusCode::CREATED, Json(ApiCreatedToken { token: token.into(), secret })))
}

/// Revoke a token: one's own (an administrator: anyone's). Another user's token is not found.
#[utoipa::path(post, path = "/api/v1/tokens/{id}/revoke", tag = "users", params(("id" = i64, Path)),
    responses((status = 200, body = ApiToken), (status = 401, body = crate::error::ApiError), (status = 404, body = crate::error::ApiError)))]
pub async fn revoke_token(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Json<ApiToken>, AppError> {
    let a = ctx.require(Action::ManageOwnAccount, Resource::System)?.clone();
    let all = parindex_core::can(Some(&a), Action::ManageUsers, Resource::System);
    Ok(Json(state.store.revoke_token(&ctx.audit(), id, (!all).then_some(a.user_id)).await?.into()))
}

/// Every operation of this module, each where its annotation says (`api::routes`).
pub fn routes() -> ApiRouter {
    ApiRouter::new()
        .with(route!(list))
        .with(route!(create))
        .with(route!(update))
        .with(route!(tokens))
        .with(route!(create_token))
        .with(route!(revoke_token))
}
