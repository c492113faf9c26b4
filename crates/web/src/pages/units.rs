//! The unit registry screens: list (search, filter, download), detail with lineage, create,
//! edit, deactivate/reactivate, and the import with its per-row error report.

use std::collections::HashMap;

use crate::extract::Query;
use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use parindex_core::access::unit_scope;
use parindex_core::text::{format_date, parse_date};
use parindex_core::unit::{Contact, FieldError, UnitInput};
use parindex_core::{Action, Msg, Resource};
use parindex_reports::units::{COLUMN_HELP, UnitRecord, units_csv, units_xlsx};
use parindex_store::StoreError;
use parindex_store::repo::units::{ImportOutcome, StatusFilter, UnitFilter, UnitView};
use serde::Deserialize;

use crate::AppState;
use crate::app::units::{lineage_ends, run_import, status_filter};
use crate::chrome::{Page, XLSX, download, render, store_error_text};
use crate::ctx::Ctx;
use crate::error::AppError;

/// (code, label) of every unit kind in the reader's language.
pub async fn kind_options(state: &AppState, ctx: &Ctx) -> Result<Vec<(String, String)>, AppError> {
    Ok(state
        .store
        .unit_kinds()
        .await?
        .into_iter()
        .map(|k| {
            let label = if ctx.lang.code() == "en" { k.name_en } else { k.name_vi };
            (k.code, label)
        })
        .collect())
}

/// Unit kinds as checkboxes (issue #17: chosen by name, not typed as codes): (code, label,
/// checked) from a comma-separated selection.
pub fn kind_choices(kinds: &[(String, String)], selected: &str) -> Vec<(String, String, bool)> {
    let chosen: Vec<&str> = selected.split([',', ';']).map(str::trim).collect();
    kinds.iter().map(|(c, l)| (c.clone(), l.clone(), chosen.contains(&c.as_str()))).collect()
}

/// The kinds ticked on a form drawn with [`kind_choices`] (`kinds_shown` marks such a form; its
/// boxes are `kind_{code}`), comma separated; `None` for a form that sent its kinds as text.
pub fn ticked_kinds(fields: &HashMap<String, String>) -> Option<String> {
    fields.contains_key("kinds_shown").then(|| {
        let mut codes: Vec<&str> = fields.keys().filter_map(|k| k.strip_prefix("kind_")).collect();
        codes.sort_unstable();
        codes.join(", ")
    })
}

fn label_of(kinds: &[(String, String)], code: &str) -> String {
    kinds.iter().find(|k| k.0 == code).map(|k| k.1.clone()).unwrap_or_else(|| code.to_string())
}

pub struct Row {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind_label: String,
    pub parent: String,
    pub area: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "units_list.html")]
struct List {
    page: Page,
    units: Vec<Row>,
    kinds: Vec<(String, String)>,
    q: String,
    kind: String,
    status: String,
    query: String,
    can_create: bool,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    pub q: Option<String>,
    pub kind: Option<String>,
    pub status: Option<String>,
    pub format: Option<String>,
    pub done: Option<String>,
}

fn records(units: &[UnitView]) -> Vec<UnitRecord> {
    units
        .iter()
        .map(|u| UnitRecord {
            input: UnitInput {
                code: u.code.clone(),
                name: u.name.clone(),
                kind: u.kind.clone(),
                parent_code: u.parent_code.clone(),
                area: u.area.clone(),
                active_from: u.active_from,
                active_to: u.active_to,
                contact: None,
            },
            merged_from: vec![],
            split_from: None,
        })
        .collect()
}

async fn list(State(state): State<AppState>, ctx: Ctx, Query(q): Query<ListQuery>) -> Result<Response, AppError> {
    let actor = ctx.require(Action::ListUnits, Resource::System)?;
    let filter = UnitFilter { q: q.q.clone(), kind: q.kind.clone(), status: status_filter(q.status.as_deref()) };
    let units = state.store.list_units(unit_scope(actor), &filter).await?;
    let kinds = kind_options(&state, &ctx).await?;
    match q.format.as_deref() {
        Some("csv") => return Ok(download(units_csv(&records(&units)), "text/csv; charset=utf-8", "don-vi.csv")),
        Some("xlsx") => {
            let codes: Vec<String> = kinds.iter().map(|k| k.0.clone()).collect();
            let bytes = units_xlsx(&records(&units), &codes).map_err(|e| AppError::Internal(e.to_string()))?;
            return Ok(download(bytes, XLSX, "don-vi.xlsx"));
        }
        _ => {}
    }
    let status = match filter.status {
        StatusFilter::Active => "active",
        StatusFilter::Inactive => "inactive",
        StatusFilter::All => "all",
    };
    let query = format!(
        "q={}&kind={}&status={status}",
        crate::chrome::urlencode(q.q.as_deref().unwrap_or("")),
        crate::chrome::urlencode(q.kind.as_deref().unwrap_or(""))
    );
    let rows = units
        .iter()
        .map(|u| Row {
            id: u.id,
            code: u.code.clone(),
            name: u.name.clone(),
            kind_label: label_of(&kinds, &u.kind),
            parent: u.parent_name.clone().unwrap_or_default(),
            area: u.area.clone().unwrap_or_default(),
            active: u.active,
        })
        .collect();
    let page = Page::new(&ctx, &state, ctx.t("units.title"), "/units").crumb(ctx.t("units.title"), "").flash_from(q.done.as_deref());
    Ok(render(&List {
        page,
        units: rows,
        kinds,
        q: q.q.unwrap_or_default(),
        kind: q.kind.unwrap_or_default(),
        status: status.into(),
        query,
        can_create: ctx.allows(Action::CreateUnit, Resource::System),
    }))
}

#[derive(Deserialize, Default, Clone)]
pub struct UnitFormData {
    pub code: String,
    pub name: String,
    pub kind: String,
    #[serde(default)]
    pub parent_code: String,
    #[serde(default)]
    pub area: String,
    #[serde(default)]
    pub active_from: String,
    #[serde(default)]
    pub active_to: String,
    #[serde(default)]
    pub contact_person: String,
    #[serde(default)]
    pub contact_phone: String,
    #[serde(default)]
    pub contact_email: String,
}

impl UnitFormData {
    /// Parse the dates as typed; bad dates become field errors.
    fn to_input(&self) -> Result<UnitInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut date = |field: &'static str, v: &str| {
            if v.trim().is_empty() {
                return None;
            }
            let d = parse_date(v);
            if d.is_none() {
                errors.push(FieldError {
                    field,
                    message: Msg::new("Ngày không hợp lệ; ghi theo dạng dd/mm/yyyy.", "Not a valid date; write it as dd/mm/yyyy."),
                });
            }
            d
        };
        let active_from = date("active_from", &self.active_from);
        let active_to = date("active_to", &self.active_to);
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(UnitInput {
            code: self.code.clone(),
            name: self.name.clone(),
            kind: self.kind.clone(),
            parent_code: Some(self.parent_code.clone()),
            area: Some(self.area.clone()),
            active_from,
            active_to,
            contact: Some(Contact {
                person: Some(self.contact_person.clone()),
                phone: Some(self.contact_phone.clone()),
                email: Some(self.contact_email.clone()),
            }),
        })
    }

    fn from_view(u: &UnitView) -> Self {
        UnitFormData {
            code: u.code.clone(),
            name: u.name.clone(),
            kind: u.kind.clone(),
            parent_code: u.parent_code.clone().unwrap_or_default(),
            area: u.area.clone().unwrap_or_default(),
            active_from: u.active_from.map(format_date).unwrap_or_default(),
            active_to: u.active_to.map(format_date).unwrap_or_default(),
            contact_person: u.contact.person.clone().unwrap_or_default(),
            contact_phone: u.contact.phone.clone().unwrap_or_default(),
            contact_email: u.contact.email.clone().unwrap_or_default(),
        }
    }
}

#[derive(Template)]
#[template(path = "unit_form.html")]
struct FormPage {
    page: Page,
    heading: String,
    action: String,
    cancel: String,
    form: UnitFormData,
    errors: HashMap<String, String>,
    kinds: Vec<(String, String)>,
    codes: Vec<(String, String)>,
}

async fn form_page(
    state: &AppState,
    ctx: &Ctx,
    editing: Option<i64>,
    form: UnitFormData,
    errors: Vec<FieldError>,
) -> Result<Response, AppError> {
    let (heading, action, cancel) = match editing {
        Some(id) => (ctx.t("units.edit").to_string(), format!("/units/{id}"), format!("/units/{id}")),
        None => (ctx.t("units.new").to_string(), "/units".to_string(), "/units".to_string()),
    };
    let page = Page::new(ctx, state, heading.clone(), "/units").crumb(ctx.t("units.title"), "/units").crumb(heading.clone(), "");
    let codes = state
        .store
        .list_units(parindex_core::UnitScope::All, &UnitFilter::default())
        .await?
        .into_iter()
        .map(|u| (u.code, u.name))
        .collect();
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let mut emap: HashMap<String, String> = HashMap::new();
    for e in errors {
        emap.entry(e.field.to_string())
            .and_modify(|m| {
                m.push(' ');
                m.push_str(e.message.get(ctx.lang.code()));
            })
            .or_insert_with(|| e.message.get(ctx.lang.code()).to_string());
    }
    let mut r = render(&FormPage { page, heading, action, cancel, form, errors: emap, kinds: kind_options(state, ctx).await?, codes });
    *r.status_mut() = status;
    Ok(r)
}

async fn new_form(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    ctx.require(Action::CreateUnit, Resource::System)?;
    form_page(&state, &ctx, None, UnitFormData::default(), vec![]).await
}

async fn create(State(state): State<AppState>, ctx: Ctx, Form(f): Form<UnitFormData>) -> Result<Response, AppError> {
    ctx.require(Action::CreateUnit, Resource::System)?;
    let input = match f.to_input() {
        Ok(i) => i,
        Err(errs) => return form_page(&state, &ctx, None, f, errs).await,
    };
    match state.store.create_unit(&ctx.audit(), input).await {
        Ok(u) => Ok(Redirect::to(&format!("/units/{}?done=unit_saved", u.id)).into_response()),
        Err(StoreError::Invalid(errs)) => form_page(&state, &ctx, None, f, errs).await,
        Err(e) => Err(e.into()),
    }
}

pub struct LinkRow {
    pub id: i64,
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    pub label: &'static str,
    pub date: String,
    /// The reader may open that unit's page (unit staff see only their own: plain text).
    pub open: bool,
}

#[derive(Template)]
#[template(path = "unit_detail.html")]
struct Detail {
    page: Page,
    error: Option<String>,
    codes: Vec<(String, String)>,
    unit: UnitView,
    kind_label: String,
    parent: String,
    area: String,
    active_from: String,
    active_to: String,
    contact: crate::chrome::ContactView,
    predecessors: Vec<LinkRow>,
    successors: Vec<LinkRow>,
    can_edit: bool,
    can_audit: bool,
    /// The reader may open the parent unit's page.
    parent_open: bool,
}

async fn detail(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>, Query(q): Query<ListQuery>) -> Result<Response, AppError> {
    detail_page(&state, &ctx, id, q.done.as_deref(), None).await
}

async fn detail_page(state: &AppState, ctx: &Ctx, id: i64, done: Option<&str>, error: Option<String>) -> Result<Response, AppError> {
    ctx.require(Action::ViewUnit, Resource::Unit(id))?;
    let d = state.store.get_unit(id).await?;
    let kinds = kind_options(state, ctx).await?;
    let link = |l: &parindex_store::repo::units::LineageLink, pred: bool| LinkRow {
        id: l.id,
        unit_id: l.unit_id,
        unit_code: l.unit_code.clone(),
        unit_name: l.unit_name.clone(),
        label: ctx.t(match (l.relation.as_str(), pred) {
            ("merged_into", true) => "lineage.merged_in",
            ("merged_into", false) => "lineage.merged_into",
            (_, true) => "lineage.split_source",
            (_, false) => "lineage.split_into",
        }),
        date: l.effective_on.map(format_date).unwrap_or_default(),
        open: ctx.allows(Action::ViewUnit, Resource::Unit(l.unit_id)),
    };
    let predecessors = d.predecessors.iter().map(|l| link(l, true)).collect();
    let successors = d.successors.iter().map(|l| link(l, false)).collect();
    let u = d.unit;
    let page =
        Page::new(ctx, state, u.name.clone(), "/units").crumb(ctx.t("units.title"), "/units").crumb(u.name.clone(), "").flash_from(done);
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let codes = if ctx.allows(Action::EditUnit, Resource::Unit(id)) {
        state
            .store
            .list_units(parindex_core::UnitScope::All, &UnitFilter { status: StatusFilter::All, ..Default::default() })
            .await?
            .into_iter()
            .map(|u| (u.code, u.name))
            .collect()
    } else {
        vec![]
    };
    let mut r = render(&Detail {
        page,
        error,
        codes,
        kind_label: label_of(&kinds, &u.kind),
        parent: u.parent_name.clone().unwrap_or_default(),
        area: u.area.clone().unwrap_or_else(|| "—".into()),
        active_from: u.active_from.map(format_date).unwrap_or_else(|| "—".into()),
        active_to: u.active_to.map(format_date).unwrap_or_else(|| "—".into()),
        contact: crate::chrome::ContactView::of_unit(&u.contact),
        predecessors,
        successors,
        can_edit: ctx.allows(Action::EditUnit, Resource::Unit(id)),
        can_audit: ctx.allows(Action::ViewAuditLog, Resource::System),
        parent_open: u.parent_id.is_some_and(|p| ctx.allows(Action::ViewUnit, Resource::Unit(p))),
        unit: u,
    });
    *r.status_mut() = status;
    Ok(r)
}

#[derive(Deserialize)]
struct LineageForm {
    relation: String,
    other_code: String,
    #[serde(default)]
    effective_on: String,
}

async fn add_lineage(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<LineageForm>,
) -> Result<Response, AppError> {
    ctx.require(Action::EditUnit, Resource::Unit(id))?;
    let lang = ctx.lang.code();
    let Some(other) = state.store.unit_id_by_code(&f.other_code).await? else {
        let msg = Msg::new(
            format!("Không tìm thấy đơn vị có mã “{}”.", f.other_code.trim()),
            format!("No unit has the code “{}”.", f.other_code.trim()),
        );
        return detail_page(&state, &ctx, id, None, Some(msg.get(lang).to_string())).await;
    };
    let date = if f.effective_on.trim().is_empty() { None } else { parse_date(&f.effective_on) };
    if date.is_none() && !f.effective_on.trim().is_empty() {
        let msg = Msg::new("Ngày không hợp lệ; ghi theo dạng dd/mm/yyyy.", "Not a valid date; write it as dd/mm/yyyy.");
        return detail_page(&state, &ctx, id, None, Some(msg.get(lang).to_string())).await;
    }
    let (pred, succ, rel) = lineage_ends(&f.relation, id, other)?;
    match state.store.add_lineage(&ctx.audit(), pred, succ, rel, date).await {
        Ok(()) => Ok(Redirect::to(&format!("/units/{id}?done=unit_saved")).into_response()),
        Err(e) => match store_error_text(&ctx, &e) {
            Some(msg) => detail_page(&state, &ctx, id, None, Some(msg)).await,
            None => Err(e.into()),
        },
    }
}

async fn remove_lineage(State(state): State<AppState>, ctx: Ctx, Path((id, link)): Path<(i64, i64)>) -> Result<Response, AppError> {
    ctx.require(Action::EditUnit, Resource::Unit(id))?;
    state.store.remove_lineage(&ctx.audit(), id, link).await?;
    Ok(Redirect::to(&format!("/units/{id}?done=unit_saved")).into_response())
}

async fn edit_form(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    ctx.require(Action::EditUnit, Resource::Unit(id))?;
    let u = state.store.get_unit(id).await?.unit;
    form_page(&state, &ctx, Some(id), UnitFormData::from_view(&u), vec![]).await
}

async fn update(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>, Form(f): Form<UnitFormData>) -> Result<Response, AppError> {
    ctx.require(Action::EditUnit, Resource::Unit(id))?;
    let input = match f.to_input() {
        Ok(i) => i,
        Err(errs) => return form_page(&state, &ctx, Some(id), f, errs).await,
    };
    match state.store.update_unit(&ctx.audit(), id, input).await {
        Ok(u) => Ok(Redirect::to(&format!("/units/{}?done=unit_saved", u.id)).into_response()),
        Err(StoreError::Invalid(errs)) => form_page(&state, &ctx, Some(id), f, errs).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct ActiveForm {
    active: bool,
    #[serde(default)]
    ended_on: String,
    #[serde(default)]
    reason: String,
}

async fn set_active(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>, Form(f): Form<ActiveForm>) -> Result<Response, AppError> {
    ctx.require(Action::DeactivateUnit, Resource::Unit(id))?;
    let ended = if f.ended_on.trim().is_empty() {
        None
    } else {
        Some(parse_date(&f.ended_on).ok_or_else(|| {
            AppError::BadRequest(Msg::new(
                format!("Ngày “{}” không hợp lệ; ghi theo dạng dd/mm/yyyy.", f.ended_on),
                format!("“{}” is not a valid date; write it as dd/mm/yyyy.", f.ended_on),
            ))
        })?)
    };
    state.store.set_unit_active(&ctx.audit(), id, f.active, ended, Some(f.reason)).await?;
    let done = if f.active { "unit_reactivated" } else { "unit_deactivated" };
    Ok(Redirect::to(&format!("/units/{id}?done={done}")).into_response())
}

#[derive(Template)]
#[template(path = "units_import.html")]
struct ImportPage {
    page: Page,
    summary: Option<ImportOutcome>,
    headline: String,
    file_name: String,
    errors: Vec<(usize, String, String)>,
    help: &'static [(&'static str, &'static str)],
}

fn import_page(state: &AppState, ctx: &Ctx, file_name: String, summary: Option<ImportOutcome>, err: Option<AppError>) -> Response {
    let page =
        Page::new(ctx, state, ctx.t("import.title"), "/units").crumb(ctx.t("units.title"), "/units").crumb(ctx.t("import.title"), "");
    let (headline, errors, status) = match &err {
        Some(AppError::ImportRows(rows)) => (
            err.as_ref().map(|e| e.message().get(ctx.lang.code()).to_string()).unwrap_or_default(),
            rows.iter().map(|r| (r.row, r.field.clone(), r.message.get(ctx.lang.code()).to_string())).collect(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Some(e) => {
            (e.message().get(ctx.lang.code()).to_string(), vec![(0, "-".into(), e.message().get(ctx.lang.code()).to_string())], e.status())
        }
        None => (String::new(), vec![], StatusCode::OK),
    };
    let mut r = render(&ImportPage { page, summary, headline, file_name, errors, help: COLUMN_HELP });
    *r.status_mut() = status;
    r
}

async fn import_form(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    ctx.require(Action::ImportUnits, Resource::System)?;
    Ok(import_page(&state, &ctx, String::new(), None, None))
}

/// Read the first file field of a multipart form (bounded as [`crate::pages::evidence::file_field`]).
pub async fn first_file(mut mp: Multipart, limit: usize) -> Result<(String, Vec<u8>), AppError> {
    use crate::pages::evidence::{file_field, multipart_error};
    while let Some(mut field) = mp.next_field().await.map_err(multipart_error)? {
        if field.file_name().is_some() || field.name() == Some("file") {
            return file_field(&mut field, "upload", limit).await;
        }
    }
    Err(AppError::BadRequest(Msg::new("Chưa chọn tệp để tải lên.", "No file was chosen.")))
}

async fn import(State(state): State<AppState>, ctx: Ctx, mp: Multipart) -> Result<Response, AppError> {
    ctx.require(Action::ImportUnits, Resource::System)?;
    let (name, bytes) = match first_file(mp, state.config.max_upload_bytes).await {
        Ok(f) => f,
        Err(e) => return Ok(import_page(&state, &ctx, String::new(), None, Some(e))),
    };
    Ok(match run_import(&state, &ctx, &name, &bytes).await {
        Ok(outcome) => import_page(&state, &ctx, name, Some(outcome), None),
        Err(e @ AppError::Internal(_)) => return Err(e),
        Err(e) => import_page(&state, &ctx, name, None, Some(e)),
    })
}

async fn template_xlsx(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    ctx.require(Action::ImportUnits, Resource::System)?;
    let kinds: Vec<String> = state.store.unit_kinds().await?.into_iter().map(|k| k.code).collect();
    let bytes = units_xlsx(&[], &kinds).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(download(bytes, XLSX, "mau-don-vi.xlsx"))
}

async fn template_csv(ctx: Ctx) -> Result<Response, AppError> {
    ctx.require(Action::ImportUnits, Resource::System)?;
    Ok(download(units_csv(&[]), "text/csv; charset=utf-8", "mau-don-vi.csv"))
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/units", get(list).post(create))
        .route("/units/new", get(new_form))
        .route("/units/import", get(import_form).post(import))
        .route("/units/{id}", get(detail).post(update))
        .route("/units/{id}/edit", get(edit_form))
        .route("/units/{id}/active", post(set_active))
        .route("/units/{id}/lineage", post(add_lineage))
        .route("/units/{id}/lineage/{link}/remove", post(remove_lineage))
        .route("/units/template.xlsx", get(template_xlsx))
        .route("/units/template.csv", get(template_csv))
}
