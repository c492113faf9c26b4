//! The chrome every page shares (issue #16: pages, the API and the error handler render through
//! it instead of importing each other): the page frame (`Page`: title, navigation, crumbs,
//! language, flash), rendering a template, the error page, the words for a store error a user
//! can fix, file downloads, and percent-encoding for links.

use askama::Template;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use parindex_core::{Action, Resource};

use crate::AppState;
use crate::ctx::{Ctx, Lang};
use crate::error::AppError;

pub struct UserChrome {
    pub username: String,
    pub full_name: String,
    pub role_label: &'static str,
    pub unread: u64,
}

pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

/// What every page template needs besides its own data.
pub struct Page {
    pub lang: Lang,
    pub title: String,
    /// The navigation section this page belongs to.
    pub path: String,
    /// This request's path and query.
    pub here: String,
    pub user: Option<UserChrome>,
    pub nav: Vec<NavItem>,
    pub crumbs: Vec<(String, String)>,
    pub flash: Option<&'static str>,
    pub demo: bool,
    /// The guide of the reader's role (`pages::guides`).
    pub help: &'static str,
    /// The reform office's contact, at the foot of every page (issue #17).
    pub office: std::sync::Arc<parindex_store::repo::settings::OfficeContact>,
}

/// Navigation: only modules that exist and that the actor may use are listed.
const NAV: &[(&str, &str, Action)] = &[
    ("/periods", "nav.periods", Action::ViewPeriods),
    ("/appraisal", "nav.appraisal", Action::Appraise),
    ("/frameworks", "nav.frameworks", Action::ViewFrameworks),
    ("/surveys", "nav.surveys", Action::ViewResults),
    ("/mot-cua", "nav.onestop", Action::ViewPeriods),
    ("/xin-loi", "nav.apology", Action::ViewPeriods),
    ("/ke-hoach", "nav.plans", Action::ViewPeriods),
    ("/kiem-tra", "nav.inspections", Action::ViewPeriods),
    ("/bao-cao", "nav.reports", Action::ViewPeriods),
    ("/units", "nav.units", Action::ListUnits),
    ("/admin/users", "nav.users", Action::ManageUsers),
    ("/admin/audit", "nav.audit", Action::ViewAuditLog),
    ("/tai-ve", "nav.exports", Action::ManageSurveys),
    ("/cong-khai", "nav.public", Action::ViewPublic),
];

impl Page {
    pub fn new(ctx: &Ctx, state: &AppState, title: impl Into<String>, path: &str) -> Page {
        Page::base(ctx, title, path, state.config.demo_banner)
    }

    /// The chrome from the request context alone (also used for error pages).
    fn base(ctx: &Ctx, title: impl Into<String>, path: &str, demo: bool) -> Page {
        // signed in: every module the actor may use; anonymous: the public portal only
        let nav = NAV
            .iter()
            .filter(|(_, _, a)| if ctx.actor.is_some() { ctx.allows(*a, Resource::System) } else { *a == Action::ViewPublic })
            .map(|(href, label, _)| NavItem { href, label, current: path.starts_with(href) })
            .collect();
        Page {
            lang: ctx.lang,
            title: title.into(),
            path: path.to_string(),
            here: ctx.uri.clone(),
            user: ctx.actor.as_ref().map(|a| UserChrome {
                username: a.username.clone(),
                full_name: a.username.clone(),
                role_label: a.role.label(ctx.lang.code()),
                unread: ctx.unread,
            }),
            nav,
            crumbs: vec![],
            flash: None,
            demo,
            help: crate::pages::guides::guide_for(ctx.actor.as_ref().map(|a| a.role)),
            office: ctx.office.clone(),
        }
    }

    pub fn crumb(mut self, label: impl Into<String>, href: impl Into<String>) -> Self {
        self.crumbs.push((label.into(), href.into()));
        self
    }

    /// Show a confirmation whose translation key comes from the `?done=` query parameter.
    pub fn flash_from(mut self, done: Option<&str>) -> Self {
        self.flash = done.and_then(crate::i18n::flash_key);
        self
    }

    pub fn t(&self, key: &str) -> &'static str {
        crate::i18n::t(self.lang, key)
    }

    /// The office's contact as a `ContactView` for `_contact.html`.
    pub fn office_view(&self) -> ContactView {
        ContactView::of_office(&self.office)
    }

    pub fn other_lang(&self) -> &'static str {
        match self.lang {
            Lang::Vi => "en",
            Lang::En => "vi",
        }
    }
}

/// The words to show on a form for a store error the user can fix (invalid fields, a conflict);
/// `None` for errors that are not the user's to fix.
pub fn store_error_text(ctx: &Ctx, e: &parindex_store::StoreError) -> Option<String> {
    use parindex_store::StoreError;
    match e {
        StoreError::Invalid(f) => Some(f.iter().map(|x| x.message.get(ctx.lang.code()).to_string()).collect::<Vec<_>>().join(" ")),
        StoreError::Conflict(m) | StoreError::Forbidden(m) => Some(m.get(ctx.lang.code()).to_string()),
        _ => None,
    }
}

/// A refusal to say at the form (its text: what is invalid or in conflict), or an error that
/// is not the form's (the error page).
pub fn form_refusal(ctx: &Ctx, e: parindex_store::StoreError) -> Result<String, crate::error::AppError> {
    use parindex_store::StoreError;
    match e {
        e @ (StoreError::Invalid(_) | StoreError::Conflict(_)) => Ok(store_error_text(ctx, &e).unwrap_or_default()),
        other => Err(other.into()),
    }
}

/// A date field read (dd/mm/yyyy), or the refusal naming it (`what`: its name in Vietnamese and
/// English).
pub fn date_field(ctx: &Ctx, value: &str, what: (&str, &str)) -> Result<chrono::NaiveDate, String> {
    parindex_core::text::parse_date(value).ok_or_else(|| {
        parindex_core::Msg::new(format!("{} theo dạng dd/mm/yyyy.", what.0), format!("{} as dd/mm/yyyy.", what.1))
            .get(ctx.lang.code())
            .to_string()
    })
}

/// Render a template to a response; a template error is an internal error.
pub fn render<T: Template>(t: &T) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => AppError::Internal(format!("template: {e}")).into_response(),
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    page: Page,
    status: u16,
    message: String,
}

pub fn error_page(ctx: &Ctx, path: &str, err: &AppError) -> Response {
    // an error page needs no state beyond the context (the demo banner is left out)
    let page = Page::base(ctx, err.status().canonical_reason().unwrap_or("Error"), path, false);
    let mut message = err.message().get(ctx.lang.code()).to_string();
    if let AppError::Invalid(fields) = err {
        for f in fields {
            message.push_str(&format!(" {}", f.message.get(ctx.lang.code())));
        }
    }
    let status = err.status();
    let body = ErrorPage { page, status: status.as_u16(), message };
    let mut r = render(&body);
    *r.status_mut() = if r.status() == StatusCode::OK { status } else { r.status() };
    r
}

/// A file download (`Content-Disposition: attachment`, the name kept in UTF-8 as well).
pub fn download(bytes: Vec<u8>, content_type: &'static str, file_name: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, parindex_core::evidence::content_disposition(file_name, false)),
        ],
        bytes,
    )
        .into_response()
}

pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Percent-encode a path segment or query value (codes may hold any character).
pub fn urlencode(s: &str) -> String {
    parindex_core::text::percent_encode(s)
}

/// A unit kind in the reader's language (agency, commune, ward; another kind as its code).
pub fn kind_label(ctx: &Ctx, kind: &str) -> String {
    match kind {
        "agency" => ctx.t("sv.kind_agency").to_string(),
        "commune" => ctx.t("sv.kind_commune").to_string(),
        "ward" => ctx.t("sv.kind_ward").to_string(),
        k => k.to_string(),
    }
}

/// Turn an error response (marked by `IntoResponse`) into its final form for this reader.
pub fn error_response(ctx: &Ctx, path: &str, query: Option<&str>, err: AppError) -> Response {
    if path.starts_with("/api/") {
        let mut r = (err.status(), axum::Json(err.json(ctx.lang))).into_response();
        if matches!(err, AppError::Unauthenticated | AppError::InvalidToken) {
            r.headers_mut().insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer"));
        }
        return r;
    }
    if matches!(err, AppError::Unauthenticated) {
        let next = match query {
            Some(q) => format!("{path}?{q}"),
            None => path.to_string(),
        };
        let enc = parindex_core::text::percent_encode_keeping(&next, b"/");
        return Redirect::to(&format!("/login?next={enc}")).into_response();
    }
    error_page(ctx, path, &err)
}

/// Middleware (inside `ctx::load`): a handler's `AppError` (and a body refused as too large)
/// becomes the reader's error page, JSON body or sign-in redirect.
pub async fn errors(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let ctx = req.extensions().get::<Ctx>().cloned();
    let path = req.uri().path().to_string();
    let query = req.uri().query().map(str::to_string);
    let resp = next.run(req).await;
    let Some(ctx) = ctx else { return resp };
    match resp.extensions().get::<AppError>() {
        Some(err) => error_response(&ctx, &path, query.as_deref(), err.clone()),
        None if resp.status() == StatusCode::PAYLOAD_TOO_LARGE => error_response(&ctx, &path, query.as_deref(), AppError::PayloadTooLarge),
        None => resp,
    }
}

/// The box an irreversible action asks to be ticked ("I confirm …", issue #17): a form without
/// it is answered with the page again and the reason, nothing done.
#[derive(Default)]
pub struct Confirm {
    pub confirm: Option<String>,
}

impl Confirm {
    pub fn given(&self) -> bool {
        self.confirm.is_some()
    }
}

/// Read leniently (a missing or odd body is "not confirmed", never a 415 before the handler
/// has checked who is asking: a refusal for the wrong person stays a 403).
impl<S: Send + Sync> axum::extract::FromRequest<S> for Confirm {
    type Rejection = std::convert::Infallible;

    async fn from_request(req: axum::extract::Request, _: &S) -> Result<Self, Self::Rejection> {
        let bytes = axum::body::to_bytes(req.into_body(), 64 * 1024).await.unwrap_or_default();
        let confirm = form_urlencoded::parse(&bytes).find(|(k, _)| k == "confirm").map(|(_, v)| v.into_owned());
        Ok(Confirm { confirm })
    }
}

/// A person or desk to call as pages show it (issue #17): name, phone (with a `tel:` link),
/// e-mail (with a `mailto:` link). Rendered by `_contact.html`.
#[derive(Debug, Clone, Default)]
pub struct ContactView {
    pub name: Option<String>,
    /// Where the name works (a unit, the office), shown after it.
    pub place: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

impl ContactView {
    pub fn is_empty(&self) -> bool {
        self.name.is_none() && self.phone.is_none() && self.email.is_none()
    }

    /// The digits (and a leading +) of the phone for a `tel:` link; an extension after a comma
    /// is dropped.
    pub fn tel(&self) -> String {
        let p = self.phone.as_deref().unwrap_or("");
        let main = p.split([',', ';']).next().unwrap_or(p);
        main.chars().filter(|c| c.is_ascii_digit() || *c == '+').collect()
    }

    pub fn of_unit(c: &parindex_core::unit::Contact) -> ContactView {
        ContactView { name: c.person.clone(), place: None, phone: c.phone.clone(), email: c.email.clone() }
    }

    pub fn of_person(p: &parindex_store::repo::periods::Person) -> ContactView {
        ContactView { name: Some(p.full_name.clone()), place: None, phone: p.phone.clone(), email: p.email.clone() }
    }

    pub fn of_office(o: &parindex_store::repo::settings::OfficeContact) -> ContactView {
        ContactView { name: o.name.clone(), place: None, phone: o.phone.clone(), email: o.email.clone() }
    }

    pub fn at(mut self, place: impl Into<String>) -> Self {
        self.place = Some(place.into());
        self
    }
}
