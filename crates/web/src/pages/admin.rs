//! Administration screens for the reform office: users (create, disable, reset password), the
//! office's contact shown at the foot of every page (issue #17) and the audit log with its
//! filters.

use crate::extract::Query;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::Duration;
use parindex_core::secret::generate_password;
use parindex_core::{Action, Resource, Role, UnitScope};
use parindex_store::repo::settings::OfficeContact;
use parindex_store::repo::units::UnitFilter;
use parindex_store::repo::users::{NewUser, UserEdit};
use serde::Deserialize;

use crate::AppState;
use crate::app::audit::AuditQuery;
use crate::chrome::{Page, render, store_error_text};
use crate::ctx::Ctx;
use crate::error::AppError;

pub struct UserRow {
    pub username: String,
    pub full_name: String,
    pub role_label: &'static str,
    pub unit: String,
    pub disabled: bool,
    pub locked: bool,
}

#[derive(Template)]
#[template(path = "users.html")]
struct Users {
    page: Page,
    users: Vec<UserRow>,
    roles: Vec<(&'static str, &'static str)>,
    units: Vec<(String, String)>,
    new_password: Option<String>,
    error: Option<String>,
}

async fn users_page(
    state: &AppState,
    ctx: &Ctx,
    new_password: Option<String>,
    error: Option<String>,
    done: Option<&str>,
) -> Result<Response, AppError> {
    ctx.require(Action::ManageUsers, Resource::System)?;
    let now = chrono::Utc::now();
    let lang = ctx.lang.code();
    let users = state
        .store
        .list_users()
        .await?
        .into_iter()
        .map(|u| UserRow {
            role_label: Role::parse(&u.role).map(|r| r.label(lang)).unwrap_or("?"),
            unit: u.unit_name.clone().unwrap_or_default(),
            locked: u.locked_until.is_some_and(|t| t > now),
            username: u.username,
            full_name: u.full_name,
            disabled: u.disabled,
        })
        .collect();
    let units = unit_options(state).await?;
    let page = Page::new(ctx, state, ctx.t("users.title"), "/admin/users").crumb(ctx.t("users.title"), "").flash_from(done);
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let mut r =
        render(&Users { page, users, roles: Role::ALL.iter().map(|r| (r.as_str(), r.label(lang))).collect(), units, new_password, error });
    *r.status_mut() = status;
    Ok(r)
}

#[derive(Deserialize)]
struct DoneQuery {
    done: Option<String>,
}

async fn users(State(state): State<AppState>, ctx: Ctx, Query(q): Query<DoneQuery>) -> Result<Response, AppError> {
    users_page(&state, &ctx, None, None, q.done.as_deref()).await
}

#[derive(Deserialize)]
struct NewUserForm {
    username: String,
    full_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
    role: String,
    #[serde(default)]
    unit_code: String,
}

async fn create_user(State(state): State<AppState>, ctx: Ctx, Form(f): Form<NewUserForm>) -> Result<Response, AppError> {
    ctx.require(Action::ManageUsers, Resource::System)?;
    let Some(role) = Role::parse(&f.role) else {
        return users_page(&state, &ctx, None, Some(ctx.t("users.bad_role").into()), None).await;
    };
    let unit_id = if f.unit_code.trim().is_empty() { None } else { state.store.unit_id_by_code(&f.unit_code).await? };
    let password = generate_password();
    let new = NewUser {
        username: f.username,
        full_name: f.full_name,
        email: Some(f.email),
        phone: Some(f.phone),
        role,
        unit_id,
        password: password.clone(),
    };
    match state.store.create_user(&ctx.audit(), new).await {
        Ok(_) => users_page(&state, &ctx, Some(password), None, Some("user_created")).await,
        Err(e) => match store_error_text(&ctx, &e) {
            Some(msg) => users_page(&state, &ctx, None, Some(msg), None).await,
            None => Err(e.into()),
        },
    }
}

async fn user_action(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((username, action)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let actor = ctx.require(Action::ManageUsers, Resource::System)?.clone();
    match action.as_str() {
        "disable" | "enable" => {
            if action == "disable" && username == actor.username {
                return users_page(&state, &ctx, None, Some(ctx.t("users.not_self").into()), None).await;
            }
            state.store.set_user_disabled(&ctx.audit(), &username, action == "disable").await?;
            Ok(Redirect::to("/admin/users?done=user_saved").into_response())
        }
        "reset-password" => {
            let password = generate_password();
            state.store.set_password(&ctx.audit(), &username, &password).await?;
            users_page(&state, &ctx, Some(password), None, None).await
        }
        _ => Err(AppError::NotFound),
    }
}

#[derive(Template)]
#[template(path = "user_edit.html")]
struct UserEditPage {
    page: Page,
    username: String,
    full_name: String,
    email: String,
    phone: String,
    role: String,
    unit_code: String,
    roles: Vec<(&'static str, &'static str)>,
    units: Vec<(String, String)>,
    error: Option<String>,
}

async fn unit_options(state: &AppState) -> Result<Vec<(String, String)>, AppError> {
    Ok(state
        .store
        .list_units(UnitScope::All, &UnitFilter::default())
        .await?
        .into_iter()
        .map(|u| (u.code.clone(), format!("{} — {}", u.code, u.name)))
        .collect())
}

async fn edit_user_page(state: &AppState, ctx: &Ctx, form: UserForm, username: &str, error: Option<String>) -> Result<Response, AppError> {
    let lang = ctx.lang.code();
    let title = format!("{}: {username}", ctx.t("users.edit"));
    let page = Page::new(ctx, state, title.clone(), "/admin/users").crumb(ctx.t("users.title"), "/admin/users").crumb(title, "");
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let mut r = render(&UserEditPage {
        page,
        username: username.to_string(),
        full_name: form.full_name,
        email: form.email,
        phone: form.phone,
        role: form.role,
        unit_code: form.unit_code,
        roles: Role::ALL.iter().map(|r| (r.as_str(), r.label(lang))).collect(),
        units: unit_options(state).await?,
        error,
    });
    *r.status_mut() = status;
    Ok(r)
}

#[derive(Deserialize)]
struct UserForm {
    full_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
    role: String,
    #[serde(default)]
    unit_code: String,
}

async fn edit_user_form(State(state): State<AppState>, ctx: Ctx, Path(username): Path<String>) -> Result<Response, AppError> {
    ctx.require(Action::ManageUsers, Resource::System)?;
    let u = state.store.get_user_by_name(&username).await?;
    let form = UserForm {
        full_name: u.full_name,
        email: u.email.unwrap_or_default(),
        phone: u.phone.unwrap_or_default(),
        role: u.role,
        unit_code: u.unit_code.unwrap_or_default(),
    };
    edit_user_page(&state, &ctx, form, &u.username, None).await
}

async fn edit_user(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(username): Path<String>,
    Form(f): Form<UserForm>,
) -> Result<Response, AppError> {
    ctx.require(Action::ManageUsers, Resource::System)?;
    let Some(role) = Role::parse(&f.role) else {
        return edit_user_page(&state, &ctx, f, &username, Some(ctx.t("users.bad_role").into())).await;
    };
    let unit_id = if f.unit_code.trim().is_empty() { None } else { state.store.unit_id_by_code(&f.unit_code).await? };
    let edit = UserEdit { full_name: f.full_name.clone(), email: Some(f.email.clone()), phone: Some(f.phone.clone()), role, unit_id };
    match state.store.update_user(&ctx.audit(), &username, edit).await {
        Ok(_) => Ok(Redirect::to("/admin/users?done=user_saved").into_response()),
        Err(e) => match store_error_text(&ctx, &e) {
            Some(msg) => edit_user_page(&state, &ctx, f, &username, Some(msg)).await,
            None => Err(e.into()),
        },
    }
}

pub struct AuditRow {
    pub at: String,
    pub actor: String,
    pub ip: String,
    pub action: String,
    /// The action in words (the code beside it, small).
    pub action_label: String,
    pub object: String,
    /// One line per changed field: (field, before, after); before is empty for a creation.
    pub changes: Vec<(String, String, String)>,
    pub reason: String,
}

fn show(v: Option<&serde_json::Value>) -> String {
    match v {
        None | Some(serde_json::Value::Null) => "—".into(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// The fields that differ between two JSON snapshots, in alphabetical order.
pub fn field_changes(before: Option<&str>, after: Option<&str>) -> Vec<(String, String, String)> {
    let parse = |t: Option<&str>| t.and_then(|t| serde_json::from_str::<serde_json::Value>(t).ok());
    let (b, a) = (parse(before), parse(after));
    let empty = serde_json::Map::new();
    let bo = b.as_ref().and_then(|v| v.as_object()).unwrap_or(&empty);
    let ao = a.as_ref().and_then(|v| v.as_object()).unwrap_or(&empty);
    let mut keys: Vec<&String> = ao.keys().collect();
    keys.extend(bo.keys().filter(|k| !ao.contains_key(*k)));
    keys.into_iter()
        .filter(|k| bo.get(*k) != ao.get(*k))
        .filter(|k| !(b.is_none() && ao.get(*k).is_none_or(|v| v.is_null())))
        .map(|k| {
            (k.clone(), if b.is_some() { show(bo.get(k)) } else { String::new() }, if a.is_some() { show(ao.get(k)) } else { "—".into() })
        })
        .collect()
}

#[derive(Template)]
#[template(path = "audit.html")]
struct Audit {
    page: Page,
    f: AuditQuery,
    /// (label, code) of every action in the log, for the filter.
    actions: Vec<(String, String)>,
    entries: Vec<AuditRow>,
    total: u64,
    shown: u64,
    next_page: Option<String>,
}

const AUDIT_PAGE: u64 = 100;

async fn audit(State(state): State<AppState>, ctx: Ctx, Query(q): Query<AuditQuery>) -> Result<Response, AppError> {
    ctx.require(Action::ViewAuditLog, Resource::System)?;
    let res = state.store.list_audit(&q.filter(AUDIT_PAGE)).await?;
    let entries: Vec<AuditRow> = res
        .entries
        .iter()
        .map(|e| AuditRow {
            // shown in Vietnam time (UTC+7), the province's only zone
            at: (e.at + Duration::hours(7)).format("%d/%m/%Y %H:%M:%S").to_string(),
            actor: e.actor_name.clone(),
            ip: e.ip.clone().unwrap_or_default(),
            action_label: crate::app::audit::action_label(&e.action, ctx.lang.code()),
            action: e.action.clone(),
            object: crate::app::audit::object_label(&e.object_type, e.object_id.as_deref().unwrap_or_default(), ctx.lang.code()),
            changes: field_changes(e.before_json.as_deref(), e.after_json.as_deref())
                .into_iter()
                .map(|(k, b, a)| (crate::app::audit::field_label(&k, ctx.lang.code()), b, a))
                .collect(),
            reason: e.reason.clone().unwrap_or_default(),
        })
        .collect();
    let shown = q.offset + entries.len() as u64;
    let next_page = (shown < res.total).then(|| {
        format!(
            "/admin/audit?actor={}&action={}&object_type={}&object_id={}&from={}&to={}&offset={shown}",
            q.actor, q.action, q.object_type, q.object_id, q.from, q.to
        )
    });
    let page = Page::new(&ctx, &state, ctx.t("audit.title"), "/admin/audit").crumb(ctx.t("audit.title"), "");
    let actions =
        state.store.audit_actions().await?.into_iter().map(|a| (crate::app::audit::action_label(&a, ctx.lang.code()), a)).collect();
    Ok(render(&Audit { page, actions, f: q, entries, total: res.total, shown, next_page }))
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/users", get(users).post(create_user))
        .route("/admin/users/{username}/edit", get(edit_user_form).post(edit_user))
        .route("/admin/users/{username}/{action}", post(user_action))
        .route("/admin/lien-he", get(office_form).post(office_save))
        .route("/admin/audit", get(audit))
}

#[derive(Template)]
#[template(path = "office_contact.html")]
struct OfficePage {
    page: Page,
    form: OfficeForm,
    errors: std::collections::HashMap<String, String>,
}

#[derive(Deserialize, Default)]
struct OfficeForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    hours: String,
}

impl OfficeForm {
    fn contact(&self) -> OfficeContact {
        let some = |v: &str| Some(v.to_string());
        OfficeContact {
            name: some(&self.name),
            phone: some(&self.phone),
            email: some(&self.email),
            address: some(&self.address),
            hours: some(&self.hours),
        }
    }
}

fn office_page(
    state: &AppState,
    ctx: &Ctx,
    form: OfficeForm,
    errors: std::collections::HashMap<String, String>,
    done: Option<&str>,
) -> Response {
    let page = Page::new(ctx, state, ctx.t("contact.settings"), "/admin/users")
        .crumb(ctx.t("users.title"), "/admin/users")
        .crumb(ctx.t("contact.settings"), "")
        .flash_from(done);
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let mut r = render(&OfficePage { page, form, errors });
    *r.status_mut() = status;
    r
}

async fn office_form(State(state): State<AppState>, ctx: Ctx, Query(q): Query<DoneQuery>) -> Result<Response, AppError> {
    ctx.require(Action::ManageUsers, Resource::System)?;
    let c = state.store.office_contact().await?;
    let v = |o: Option<String>| o.unwrap_or_default();
    let form = OfficeForm { name: v(c.name), phone: v(c.phone), email: v(c.email), address: v(c.address), hours: v(c.hours) };
    Ok(office_page(&state, &ctx, form, Default::default(), q.done.as_deref()))
}

async fn office_save(State(state): State<AppState>, ctx: Ctx, Form(f): Form<OfficeForm>) -> Result<Response, AppError> {
    ctx.require(Action::ManageUsers, Resource::System)?;
    match state.store.set_office_contact(&ctx.audit(), f.contact()).await {
        Ok(_) => {
            state.office.forget();
            Ok(Redirect::to("/admin/lien-he?done=contact_saved").into_response())
        }
        Err(parindex_store::StoreError::Invalid(errs)) => {
            let errors = errs.into_iter().map(|e| (e.field.to_string(), e.message.get(ctx.lang.code()).to_string())).collect();
            Ok(office_page(&state, &ctx, f, errors, None))
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn changes_list_only_what_differs() {
        let c = super::field_changes(
            Some(r#"{"name":"A","kind":"agency","area":null}"#),
            Some(r#"{"name":"B","kind":"agency","area":"Vùng 1"}"#),
        );
        assert_eq!(c, vec![("area".into(), "—".into(), "Vùng 1".into()), ("name".into(), "A".into(), "B".into())]);
        let created = super::field_changes(None, Some(r#"{"code":"X","parent":null}"#));
        assert_eq!(created, vec![("code".into(), String::new(), "X".into())]);
        assert!(super::field_changes(None, None).is_empty());
    }
}
