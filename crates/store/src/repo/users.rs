//! Users, sign-in, sessions and API tokens. Sessions and tokens are stored only as SHA-256
//! digests of their secrets. Wrong passwords are counted and audited but never lock an account
//! (issue #15: anyone could lock the only administrator out); sign-in is throttled per
//! (account, address) in the web layer instead (`parindex_web::ratelimit::Throttle`).
//! A session ends after [`SESSION_IDLE`] without a request and in any case [`SESSION_MAX`]
//! after sign-in. Tokens may expire, can be listed and revoked, and an administrator's
//! password reset revokes the user's tokens.

use chrono::{DateTime, Duration, Utc};
use parindex_core::secret::{burn_password_time, check_new_password, digest, hash_password, new_secret, verify_password};
use parindex_core::{Actor, Msg, Role};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Set, TransactionTrait};
use serde::Serialize;
use serde_json::json;

use crate::entity::{api_token, session, unit, user};
use crate::repo::audit::{AuditCtx, AuditEntry, record};
use crate::{Store, StoreError};

/// A session lives this long after the last request…
pub const SESSION_IDLE: Duration = Duration::hours(8);
/// …and never longer than this after sign-in.
pub const SESSION_MAX: Duration = Duration::hours(12);

/// An API token as its owner and the administrators see it (never its secret).
#[derive(Debug, Clone, Serialize)]
pub struct TokenView {
    pub id: i64,
    pub user_id: i64,
    pub username: String,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub full_name: String,
    pub email: Option<String>,
    /// Telephone (issue #17: shown where a person may need to call this user).
    pub phone: Option<String>,
    pub role: Role,
    pub unit_id: Option<i64>,
    pub password: String,
}

/// The editable fields of an existing user.
#[derive(Debug, Clone)]
pub struct UserEdit {
    pub full_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub role: Role,
    pub unit_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct UserView {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub role: String,
    pub unit_id: Option<i64>,
    pub unit_code: Option<String>,
    pub unit_name: Option<String>,
    pub disabled: bool,
    pub locked_until: Option<DateTime<Utc>>,
    pub locale: Option<String>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum LoginError {
    /// Unknown user or wrong password: the two are never told apart.
    Invalid,
    Disabled,
}

fn actor_of(u: &user::Model) -> Option<Actor> {
    Some(Actor { user_id: u.id, username: u.username.clone(), role: Role::parse(&u.role)?, unit_id: u.unit_id })
}

/// A username: 3–64 characters of `a–z 0–9 . _ -`, stored lower-case.
pub fn normalize_username(raw: &str) -> Result<String, Msg> {
    let u = raw.trim().to_lowercase();
    if u.len() < 3 || u.len() > 64 || !u.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')) {
        return Err(Msg::new(
            "Tên đăng nhập gồm 3–64 ký tự: chữ không dấu, số và . _ -",
            "A username has 3–64 characters: letters a–z, digits and . _ -",
        ));
    }
    Ok(u)
}

/// A user's e-mail and phone, trimmed and checked (empty: none).
fn checked_reach(email: Option<String>, phone: Option<String>) -> Result<(Option<String>, Option<String>), StoreError> {
    let c = parindex_core::unit::Contact { person: None, phone, email }.validate().map_err(|errs| {
        StoreError::Invalid(
            errs.into_iter()
                .map(|e| parindex_core::unit::FieldError { field: e.field.trim_start_matches("contact_"), message: e.message })
                .collect(),
        )
    })?;
    Ok((c.email, c.phone))
}

impl Store {
    pub async fn create_user(&self, ctx: &AuditCtx, new: NewUser) -> Result<UserView, StoreError> {
        let username = normalize_username(&new.username).map_err(|m| StoreError::invalid("username", m))?;
        check_new_password(&new.password).map_err(|m| StoreError::invalid("password", m))?;
        let full_name = parindex_core::text::clean(&new.full_name);
        if full_name.is_empty() {
            return Err(StoreError::invalid("full_name", Msg::new("Nhập họ và tên.", "Enter the full name.")));
        }
        if new.role.needs_unit() && new.unit_id.is_none() {
            return Err(StoreError::invalid("unit", Msg::new("Vai trò này cần thuộc một đơn vị.", "This role needs a unit.")));
        }
        let (email, phone) = checked_reach(new.email.clone(), new.phone.clone())?;
        let hash = hash_password(&new.password);
        let ctx = ctx.clone();
        let id = self
            .db
            .transaction::<_, i64, StoreError>(|txn| {
                Box::pin(async move {
                    if user::Entity::find().filter(user::Column::Username.eq(&username)).one(txn).await?.is_some() {
                        return Err(StoreError::Conflict(Msg::new(
                            format!("Tên đăng nhập “{username}” đã có."),
                            format!("The username “{username}” is taken."),
                        )));
                    }
                    if let Some(uid) = new.unit_id
                        && unit::Entity::find_by_id(uid).one(txn).await?.is_none()
                    {
                        return Err(StoreError::invalid("unit", Msg::new("Đơn vị không tồn tại.", "The unit does not exist.")));
                    }
                    let now = Utc::now();
                    let m = user::ActiveModel {
                        username: Set(username),
                        full_name: Set(full_name),
                        email: Set(email),
                        phone: Set(phone),
                        password_hash: Set(hash),
                        role: Set(new.role.as_str().to_string()),
                        unit_id: Set(new.unit_id),
                        disabled: Set(false),
                        failed_logins: Set(0),
                        password_changed_at: Set(now),
                        created_at: Set(now),
                        updated_at: Set(now),
                        ..Default::default()
                    }
                    .insert(txn)
                    .await?;
                    record(
                        txn,
                        &ctx,
                        AuditEntry {
                            action: "user.create",
                            object_type: "user",
                            object_id: Some(m.username.clone()),
                            unit_id: m.unit_id,
                            after: Some(json!({"username": m.username, "full_name": m.full_name, "role": m.role, "unit_id": m.unit_id})),
                            ..Default::default()
                        },
                    )
                    .await?;
                    Ok(m.id)
                })
            })
            .await?;
        self.get_user(id).await
    }

    /// Change a user's name, e-mail, role and unit. The new role applies from their next request.
    pub async fn update_user(&self, ctx: &AuditCtx, username: &str, edit: UserEdit) -> Result<UserView, StoreError> {
        let full_name = parindex_core::text::clean(&edit.full_name);
        if full_name.is_empty() {
            return Err(StoreError::invalid("full_name", Msg::new("Nhập họ và tên.", "Enter the full name.")));
        }
        if edit.role.needs_unit() && edit.unit_id.is_none() {
            return Err(StoreError::invalid("unit", Msg::new("Vai trò này cần thuộc một đơn vị.", "This role needs a unit.")));
        }
        let (email, phone) = checked_reach(edit.email.clone(), edit.phone.clone())?;
        let u = self.user_by_name(username).await?;
        let id = u.id;
        let ctx = ctx.clone();
        self.db
            .transaction::<_, (), StoreError>(|txn| {
                Box::pin(async move {
                    if let Some(uid) = edit.unit_id
                        && unit::Entity::find_by_id(uid).one(txn).await?.is_none()
                    {
                        return Err(StoreError::invalid("unit", Msg::new("Đơn vị không tồn tại.", "The unit does not exist.")));
                    }
                    let before =
                        json!({"full_name": u.full_name, "email": u.email, "phone": u.phone, "role": u.role, "unit_id": u.unit_id});
                    let name = u.username.clone();
                    let mut am = u.into_active_model();
                    am.full_name = Set(full_name);
                    am.email = Set(email);
                    am.phone = Set(phone);
                    am.role = Set(edit.role.as_str().to_string());
                    am.unit_id = Set(edit.unit_id);
                    am.updated_at = Set(Utc::now());
                    let m = am.update(txn).await?;
                    keep_an_admin(txn).await?;
                    let after = json!({"full_name": m.full_name, "email": m.email, "phone": m.phone, "role": m.role, "unit_id": m.unit_id});
                    if before != after {
                        record(
                            txn,
                            &ctx,
                            AuditEntry {
                                action: "user.update",
                                object_type: "user",
                                object_id: Some(name),
                                unit_id: m.unit_id,
                                before: Some(before),
                                after: Some(after),
                                ..Default::default()
                            },
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .await?;
        self.get_user(id).await
    }

    pub async fn get_user_by_name(&self, username: &str) -> Result<UserView, StoreError> {
        let u = self.user_by_name(username).await?;
        self.get_user(u.id).await
    }

    pub async fn list_users(&self) -> Result<Vec<UserView>, StoreError> {
        let users = user::Entity::find().order_by_asc(user::Column::Username).all(&self.db).await?;
        let units = unit::Entity::find().all(&self.db).await?;
        Ok(users.iter().map(|u| view(u, &units)).collect())
    }

    pub async fn get_user(&self, id: i64) -> Result<UserView, StoreError> {
        let u = user::Entity::find_by_id(id).one(&self.db).await?.ok_or(StoreError::NotFound)?;
        let units = match u.unit_id {
            Some(uid) => unit::Entity::find_by_id(uid).all(&self.db).await?,
            None => vec![],
        };
        Ok(view(&u, &units))
    }

    async fn user_by_name(&self, username: &str) -> Result<user::Model, StoreError> {
        user::Entity::find()
            .filter(user::Column::Username.eq(username.trim().to_lowercase()))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)
    }

    pub async fn set_user_disabled(&self, ctx: &AuditCtx, username: &str, disabled: bool) -> Result<(), StoreError> {
        let u = self.user_by_name(username).await?;
        let ctx = ctx.clone();
        self.db
            .transaction::<_, (), StoreError>(|txn| {
                Box::pin(async move {
                    let id = u.id;
                    let name = u.username.clone();
                    let unit_id = u.unit_id;
                    let was = u.disabled;
                    let mut am = u.into_active_model();
                    am.disabled = Set(disabled);
                    am.updated_at = Set(Utc::now());
                    am.update(txn).await?;
                    keep_an_admin(txn).await?;
                    if disabled {
                        session::Entity::delete_many().filter(session::Column::UserId.eq(id)).exec(txn).await?;
                    }
                    record(
                        txn,
                        &ctx,
                        AuditEntry {
                            action: if disabled { "user.disable" } else { "user.enable" },
                            object_type: "user",
                            object_id: Some(name),
                            unit_id,
                            before: Some(json!({"disabled": was})),
                            after: Some(json!({"disabled": disabled})),
                            ..Default::default()
                        },
                    )
                    .await
                })
            })
            .await?;
        Ok(())
    }

    /// Set a new password (by an admin or the user) and end every session of the user; a reset
    /// by someone else also revokes the user's API tokens.
    pub async fn set_password(&self, ctx: &AuditCtx, username: &str, password: &str) -> Result<(), StoreError> {
        check_new_password(password).map_err(|m| StoreError::invalid("password", m))?;
        let u = self.user_by_name(username).await?;
        let hash = hash_password(password);
        let ctx = ctx.clone();
        self.db
            .transaction::<_, (), StoreError>(|txn| {
                Box::pin(async move {
                    let (id, name, unit_id) = (u.id, u.username.clone(), u.unit_id);
                    let mut am = u.into_active_model();
                    am.password_hash = Set(hash);
                    am.password_changed_at = Set(Utc::now());
                    am.failed_logins = Set(0);
                    am.locked_until = Set(None);
                    am.updated_at = Set(Utc::now());
                    am.update(txn).await?;
                    session::Entity::delete_many().filter(session::Column::UserId.eq(id)).exec(txn).await?;
                    // a reset by someone else (an administrator) also ends the user's API tokens:
                    // whoever knew the old password may have made one
                    let mut revoked = 0;
                    if ctx.actor_id != Some(id) {
                        revoked = api_token::Entity::update_many()
                            .col_expr(api_token::Column::RevokedAt, sea_orm::sea_query::Expr::value(Some(Utc::now())))
                            .filter(api_token::Column::UserId.eq(id))
                            .filter(api_token::Column::RevokedAt.is_null())
                            .exec(txn)
                            .await?
                            .rows_affected;
                    }
                    record(
                        txn,
                        &ctx,
                        AuditEntry {
                            action: "user.password",
                            object_type: "user",
                            object_id: Some(name),
                            unit_id,
                            after: Some(json!({"tokens_revoked": revoked})),
                            ..Default::default()
                        },
                    )
                    .await
                })
            })
            .await?;
        Ok(())
    }

    /// Check a user's current password (for the change-password form).
    pub async fn check_password(&self, user_id: i64, password: &str) -> Result<bool, StoreError> {
        let u = user::Entity::find_by_id(user_id).one(&self.db).await?.ok_or(StoreError::NotFound)?;
        Ok(verify_password(password, &u.password_hash))
    }

    pub async fn set_locale(&self, user_id: i64, locale: &str) -> Result<(), StoreError> {
        if let Some(u) = user::Entity::find_by_id(user_id).one(&self.db).await? {
            let mut am = u.into_active_model();
            am.locale = Set(Some(locale.to_string()));
            am.update(&self.db).await?;
        }
        Ok(())
    }

    /// Sign in: returns a new session secret (for the cookie) and the actor.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        ip: Option<String>,
        user_agent: Option<String>,
    ) -> Result<Result<(String, Actor), LoginError>, StoreError> {
        let now = Utc::now();
        let u = match self.user_by_name(username).await {
            Ok(u) => u,
            Err(StoreError::NotFound) => {
                burn_password_time(password);
                return Ok(Err(LoginError::Invalid));
            }
            Err(e) => return Err(e),
        };
        let ctx = AuditCtx { actor_id: Some(u.id), actor_name: u.username.clone(), ip: ip.clone() };
        let ok = verify_password(password, &u.password_hash);
        if ok && u.disabled {
            return Ok(Err(LoginError::Disabled));
        }
        let Some(actor) = actor_of(&u) else { return Ok(Err(LoginError::Disabled)) };
        if !ok {
            let failed = u.failed_logins.saturating_add(1);
            let (id, name, unit_id) = (u.id, u.username.clone(), u.unit_id);
            self.db
                .transaction::<_, (), StoreError>(|txn| {
                    Box::pin(async move {
                        let mut am = u.into_active_model();
                        am.failed_logins = Set(failed);
                        am.update(txn).await?;
                        record(
                            txn,
                            &ctx,
                            AuditEntry {
                                action: "auth.login_failed",
                                object_type: "user",
                                object_id: Some(name),
                                unit_id,
                                after: Some(json!({"failed_logins": failed, "user_id": id})),
                                ..Default::default()
                            },
                        )
                        .await
                    })
                })
                .await?;
            return Ok(Err(LoginError::Invalid));
        }
        let secret = new_secret("");
        let digest_ = digest(&secret);
        self.db
            .transaction::<_, (), StoreError>(|txn| {
                Box::pin(async move {
                    let (id, name, unit_id) = (u.id, u.username.clone(), u.unit_id);
                    if u.failed_logins != 0 || u.locked_until.is_some() {
                        let mut am = u.into_active_model();
                        am.failed_logins = Set(0);
                        am.locked_until = Set(None);
                        am.update(txn).await?;
                    }
                    session::ActiveModel {
                        id_digest: Set(digest_),
                        user_id: Set(id),
                        created_at: Set(now),
                        expires_at: Set(now + SESSION_IDLE),
                        last_seen_at: Set(now),
                        ip: Set(ip),
                        user_agent: Set(user_agent.map(|s| s.chars().take(300).collect())),
                    }
                    .insert(txn)
                    .await?;
                    record(
                        txn,
                        &ctx,
                        AuditEntry { action: "auth.login", object_type: "user", object_id: Some(name), unit_id, ..Default::default() },
                    )
                    .await
                })
            })
            .await?;
        Ok(Ok((secret, actor)))
    }

    /// The actor behind a session cookie, if the session is live and the user enabled.
    /// Slides the expiry forward at most once a minute.
    pub async fn session_actor(&self, secret: &str) -> Result<Option<(Actor, Option<String>)>, StoreError> {
        let now = Utc::now();
        let Some(s) = session::Entity::find_by_id(digest(secret)).one(&self.db).await? else { return Ok(None) };
        if s.expires_at <= now || s.created_at + SESSION_MAX <= now {
            session::Entity::delete_by_id(s.id_digest).exec(&self.db).await?;
            return Ok(None);
        }
        let Some(u) = user::Entity::find_by_id(s.user_id).one(&self.db).await? else { return Ok(None) };
        if u.disabled {
            return Ok(None);
        }
        if now - s.last_seen_at > Duration::minutes(1) {
            let s_created = s.created_at;
            let mut am = s.into_active_model();
            am.last_seen_at = Set(now);
            am.expires_at = Set((now + SESSION_IDLE).min(s_created + SESSION_MAX));
            am.update(&self.db).await?;
        }
        Ok(actor_of(&u).map(|a| (a, u.locale.clone())))
    }

    pub async fn logout(&self, secret: &str) -> Result<(), StoreError> {
        let Some(s) = session::Entity::find_by_id(digest(secret)).one(&self.db).await? else { return Ok(()) };
        let u = user::Entity::find_by_id(s.user_id).one(&self.db).await?;
        let txn = self.db.begin().await?;
        session::Entity::delete_by_id(s.id_digest).exec(&txn).await?;
        if let Some(u) = u {
            let ctx = AuditCtx { actor_id: Some(u.id), actor_name: u.username.clone(), ip: s.ip };
            record(
                &txn,
                &ctx,
                AuditEntry {
                    action: "auth.logout",
                    object_type: "user",
                    object_id: Some(u.username),
                    unit_id: u.unit_id,
                    ..Default::default()
                },
            )
            .await?;
        }
        txn.commit().await?;
        Ok(())
    }

    /// Create an API token for a user that never expires; see [`Store::create_token_until`].
    pub async fn create_token(&self, ctx: &AuditCtx, username: &str, name: &str) -> Result<String, StoreError> {
        self.create_token_until(ctx, username, name, None).await
    }

    /// Create an API token for a user, valid until `expires_at` (none: until revoked); the
    /// secret is returned once and stored as a digest.
    pub async fn create_token_until(
        &self,
        ctx: &AuditCtx,
        username: &str,
        name: &str,
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<String, StoreError> {
        if expires_at.is_some_and(|e| e <= Utc::now()) {
            return Err(StoreError::invalid("expires", Msg::new("Ngày hết hạn phải ở tương lai.", "The expiry must be in the future.")));
        }
        let u = self.user_by_name(username).await?;
        let secret = new_secret("pxt_");
        let d = digest(&secret);
        let name = if name.trim().is_empty() { "api".to_string() } else { name.trim().to_string() };
        let ctx = ctx.clone();
        self.db
            .transaction::<_, (), StoreError>(|txn| {
                Box::pin(async move {
                    api_token::ActiveModel {
                        user_id: Set(u.id),
                        name: Set(name.clone()),
                        token_digest: Set(d),
                        created_at: Set(Utc::now()),
                        expires_at: Set(expires_at),
                        ..Default::default()
                    }
                    .insert(txn)
                    .await?;
                    record(
                        txn,
                        &ctx,
                        AuditEntry {
                            action: "token.create",
                            object_type: "user",
                            object_id: Some(u.username.clone()),
                            unit_id: u.unit_id,
                            after: Some(json!({"name": name, "expires_at": expires_at})),
                            ..Default::default()
                        },
                    )
                    .await
                })
            })
            .await?;
        Ok(secret)
    }

    /// Tokens of one user (`Some(id)`) or of everyone, newest first; revoked ones included.
    pub async fn list_tokens(&self, user_id: Option<i64>) -> Result<Vec<TokenView>, StoreError> {
        let mut q = api_token::Entity::find().order_by_desc(api_token::Column::Id);
        if let Some(id) = user_id {
            q = q.filter(api_token::Column::UserId.eq(id));
        }
        let tokens = q.all(&self.db).await?;
        let users = user::Entity::find().all(&self.db).await?;
        Ok(tokens
            .into_iter()
            .map(|t| TokenView {
                id: t.id,
                user_id: t.user_id,
                username: users.iter().find(|u| u.id == t.user_id).map(|u| u.username.clone()).unwrap_or_default(),
                name: t.name,
                created_at: t.created_at,
                last_used_at: t.last_used_at,
                expires_at: t.expires_at,
                revoked_at: t.revoked_at,
            })
            .collect())
    }

    /// Revoke one token. `owner`: when given, the token must be that user's (a user revoking
    /// their own); `None` for an administrator. Revoking a revoked token changes nothing.
    pub async fn revoke_token(&self, ctx: &AuditCtx, token_id: i64, owner: Option<i64>) -> Result<TokenView, StoreError> {
        let t = api_token::Entity::find_by_id(token_id).one(&self.db).await?.ok_or(StoreError::NotFound)?;
        if owner.is_some_and(|o| o != t.user_id) {
            return Err(StoreError::NotFound);
        }
        let u = user::Entity::find_by_id(t.user_id).one(&self.db).await?.ok_or(StoreError::NotFound)?;
        if t.revoked_at.is_none() {
            let ctx = ctx.clone();
            let (name, uname, unit_id) = (t.name.clone(), u.username.clone(), u.unit_id);
            let t = t.clone();
            self.db
                .transaction::<_, (), StoreError>(|txn| {
                    Box::pin(async move {
                        let mut am = t.into_active_model();
                        am.revoked_at = Set(Some(Utc::now()));
                        am.update(txn).await?;
                        record(
                            txn,
                            &ctx,
                            AuditEntry {
                                action: "token.revoke",
                                object_type: "user",
                                object_id: Some(uname),
                                unit_id,
                                after: Some(json!({"token_id": token_id, "name": name})),
                                ..Default::default()
                            },
                        )
                        .await
                    })
                })
                .await?;
        }
        self.list_tokens(Some(u.id)).await?.into_iter().find(|v| v.id == token_id).ok_or(StoreError::NotFound)
    }

    /// The actor behind a Bearer token, if the token is neither revoked nor expired and the
    /// user enabled.
    pub async fn token_actor(&self, secret: &str) -> Result<Option<Actor>, StoreError> {
        let Some(t) = api_token::Entity::find()
            .filter(api_token::Column::TokenDigest.eq(digest(secret)))
            .filter(api_token::Column::RevokedAt.is_null())
            .one(&self.db)
            .await?
        else {
            return Ok(None);
        };
        if t.expires_at.is_some_and(|e| e <= Utc::now()) {
            return Ok(None);
        }
        let Some(u) = user::Entity::find_by_id(t.user_id).one(&self.db).await? else { return Ok(None) };
        if u.disabled {
            return Ok(None);
        }
        let now = Utc::now();
        if t.last_used_at.is_none_or(|l| now - l > Duration::minutes(1)) {
            let mut am = t.into_active_model();
            am.last_used_at = Set(Some(now));
            am.update(&self.db).await?;
        }
        Ok(actor_of(&u))
    }
}

/// Refuse a change (its transaction rolls back) that leaves no enabled administrator: nobody
/// could then manage users, periods or frameworks without the command line.
async fn keep_an_admin(txn: &sea_orm::DatabaseTransaction) -> Result<(), StoreError> {
    use sea_orm::PaginatorTrait;
    let admins = user::Entity::find()
        .filter(user::Column::Role.eq(Role::Admin.as_str()))
        .filter(user::Column::Disabled.eq(false))
        .count(txn)
        .await?;
    if admins == 0 {
        return Err(StoreError::invalid(
            "role",
            Msg::new(
                "Đây là quản trị viên duy nhất còn hoạt động: không thể đổi vai trò hay khoá tài khoản này. Hãy tạo hoặc mở lại một quản trị viên khác trước.",
                "This is the only active administrator: its role cannot be changed nor the account disabled. Create or enable another administrator first.",
            ),
        ));
    }
    Ok(())
}

fn view(u: &user::Model, units: &[unit::Model]) -> UserView {
    let unit = u.unit_id.and_then(|id| units.iter().find(|x| x.id == id));
    UserView {
        id: u.id,
        username: u.username.clone(),
        full_name: u.full_name.clone(),
        email: u.email.clone(),
        phone: u.phone.clone(),
        role: u.role.clone(),
        unit_id: u.unit_id,
        unit_code: unit.map(|x| x.code.clone()),
        unit_name: unit.map(|x| x.name.clone()),
        disabled: u.disabled,
        locked_until: u.locked_until,
        locale: u.locale.clone(),
    }
}
