//! Public-apology register pages (issue #18).
//!
//! - `/xin-loi?nam=&don_vi=&mo=` — the cases a reader may see (the office, the council and
//!   leadership every unit's; a unit its own), with their state (apologised in time, late, still
//!   waiting, overdue) and the year's measures; a form to record a case (the office for any
//!   unit, a unit's staff for their own) and, for the office, the import of the one-stop
//!   system's list of late files (previewed, then written; all or nothing);
//! - `/xin-loi/{id}` — a case: the file, the citizen (only for the unit and the office), the
//!   deadline, and the letter (number, date, how, the file, the new due date) with its form;
//! - `/cong-khai/xin-loi?nam=` — the public page: apologies per unit and month, nothing
//!   personal.
//!
//! Who reads and who records is `app::apology`; the measures are `core::apology::Measure::of`.

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::{Form, Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::Datelike;
use parindex_core::apology::{Kind, Measure, SentHow};
use parindex_core::text::format_date;
use parindex_core::{Action, Lang, Msg, Resource};
use parindex_store::repo::apology::{CaseFilter, CaseOutcome, CaseRow, CaseUpload, Letter, NewCase};
use serde::Deserialize;

use crate::AppState;
use crate::app::apology::{may_import, may_record, reads_all, reads_unit, record, shown};
use crate::chrome::{Page, render};
use crate::ctx::Ctx;
use crate::error::AppError;

#[derive(Deserialize, Default)]
struct ListQuery {
    nam: Option<i32>,
    don_vi: Option<String>,
    mo: Option<String>,
    ghi: Option<usize>,
}

/// A case line: the state in words and its badge's class.
struct Line {
    id: i64,
    unit: String,
    file_code: String,
    procedure: String,
    kind: String,
    due: String,
    apology_due: String,
    state: String,
    class: &'static str,
}

fn state_of(lang: Lang, c: &CaseRow, today: chrono::NaiveDate) -> (String, &'static str) {
    let f = c.facts();
    match c.letter_date {
        Some(d) if f.in_time() => (format!("{} {}", lang.pick("Đã xin lỗi", "Apologised"), format_date(d)), "ok"),
        Some(d) => (format!("{} {} ({})", lang.pick("Đã xin lỗi", "Apologised"), format_date(d), lang.pick("muộn", "late")), "warn"),
        None if f.overdue(today) => (lang.pick("Quá hạn xin lỗi", "Apology overdue").to_string(), "err"),
        None => (lang.pick("Chưa xin lỗi", "Waiting").to_string(), "warn"),
    }
}

fn line(lang: Lang, c: &CaseRow, today: chrono::NaiveDate) -> Line {
    let (state, class) = state_of(lang, c, today);
    Line {
        id: c.id,
        unit: format!("{} — {}", c.unit_code, c.unit_name),
        file_code: c.file_code.clone(),
        procedure: c.procedure.clone(),
        kind: lang.pick(c.kind.label().0, c.kind.label().1).to_string(),
        due: format_date(c.due_on),
        apology_due: format_date(c.apology_due),
        state,
        class,
    }
}

#[derive(Template)]
#[template(path = "apology.html")]
struct ListPage {
    page: Page,
    year: i32,
    unit_filter: String,
    open_only: bool,
    all_units: bool,
    lines: Vec<Line>,
    /// The year's measures over the cases listed: (label, value, formula).
    measures: Vec<(String, String, String)>,
    overdue: usize,
    /// The units the actor records cases of: (code, name).
    record_units: Vec<(String, String)>,
    kinds: Vec<(&'static str, String)>,
    imports: bool,
    written: Option<usize>,
    /// The case form's values, and whether the problems shown are the form's (shown there).
    add: CaseForm,
    add_refused: bool,
    /// A file read and checked: its name, what it would add, the rows to send.
    preview: Option<(String, CaseOutcome, String)>,
    file_name: String,
    headline: String,
    errors: Vec<(usize, String, String)>,
}

/// A column's name for people, for the error table.
fn field_label(lang: Lang, key: &str) -> String {
    let (vi, en) = match key {
        "unit_code" | "ma_don_vi" => ("Mã đơn vị", "Unit code"),
        "file_code" | "ma_ho_so" => ("Mã hồ sơ", "File code"),
        "procedure" | "thu_tuc" => ("Thủ tục", "Procedure"),
        "applicant" | "nguoi_nop" => ("Người nộp", "Applicant"),
        "contact" | "lien_he" => ("Liên hệ", "Contact"),
        "kind" | "loai" => ("Loại", "Kind"),
        "received_on" | "ngay_tiep_nhan" => ("Ngày tiếp nhận", "Received on"),
        "due_on" | "ngay_hen_tra" => ("Ngày hẹn trả", "Due on"),
        "returned_on" | "ngay_tra_ket_qua" => ("Ngày trả kết quả", "Returned on"),
        other => (other, other),
    };
    lang.pick(vi, en).to_string()
}

#[derive(Default)]
struct Drawn {
    preview: Option<(String, CaseOutcome, String)>,
    file_name: String,
    error: Option<AppError>,
    /// A case form refused: what was typed, shown again with the problem at the form.
    typed: Option<CaseForm>,
}

async fn list(State(state): State<AppState>, ctx: Ctx, Query(q): Query<ListQuery>) -> Result<Response, AppError> {
    draw_list(&state, &ctx, &q, Drawn::default()).await
}

async fn draw_list(state: &AppState, ctx: &Ctx, q: &ListQuery, d: Drawn) -> Result<Response, AppError> {
    let lang = ctx.lang;
    let today = parindex_core::assessment::today_vn();
    let (year, unit_id) = crate::app::onestop::year_and_unit(state, ctx, q.nam, q.don_vi.as_deref()).await?;
    let all_units = reads_all(ctx);
    let open_only = q.mo.is_some();
    let cases = state.store.apology_cases(&CaseFilter { unit_id, year: Some(year), open: open_only }).await?;
    let facts: Vec<_> = cases.iter().map(CaseRow::facts).collect();
    let measures = Measure::ALL
        .iter()
        .map(|m| {
            (
                lang.pick(m.label().0, m.label().1).to_string(),
                m.of(&facts).shown(lang == Lang::Vi),
                lang.pick(m.formula().0, m.formula().1).to_string(),
            )
        })
        .collect();
    let overdue = facts.iter().filter(|f| f.overdue(today)).count();
    let record_units: Vec<(String, String)> = state
        .store
        .list_units(parindex_core::UnitScope::All, &Default::default())
        .await?
        .into_iter()
        .filter(|u| may_record(ctx, u.id))
        .map(|u| (u.code, u.name))
        .collect();
    let (headline, errors, status) = match &d.error {
        Some(AppError::ImportRows(rows)) => (
            ctx.t("xl.refused").to_string(),
            rows.iter().map(|r| (r.row, field_label(lang, &r.field), r.message.get(lang.code()).to_string())).collect(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Some(e) => (e.message().get(lang.code()).to_string(), vec![], e.status()),
        None => (String::new(), vec![], StatusCode::OK),
    };
    let page = Page::new(ctx, state, ctx.t("xl.title"), "/xin-loi").crumb(ctx.t("xl.title"), "");
    let mut r = render(&ListPage {
        page,
        year,
        unit_filter: q.don_vi.clone().unwrap_or_default(),
        open_only,
        all_units,
        lines: cases.iter().map(|c| line(lang, c, today)).collect(),
        measures,
        overdue,
        record_units,
        kinds: Kind::ALL.iter().map(|k| (k.key(), lang.pick(k.label().0, k.label().1).to_string())).collect(),
        imports: may_import(ctx),
        written: q.ghi,
        add_refused: d.typed.is_some(),
        add: d.typed.unwrap_or_default(),
        preview: d.preview,
        file_name: d.file_name,
        headline,
        errors,
    });
    *r.status_mut() = status;
    Ok(r)
}

#[derive(Deserialize, Default, Clone)]
struct CaseForm {
    #[serde(default)]
    unit_code: String,
    #[serde(default)]
    file_code: String,
    #[serde(default)]
    procedure: String,
    #[serde(default)]
    applicant: String,
    #[serde(default)]
    contact: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    received_on: String,
    #[serde(default)]
    due_on: String,
    #[serde(default)]
    returned_on: String,
}

fn bad_field(field: &'static str, vi: &str, en: &str) -> AppError {
    AppError::ImportRows(vec![parindex_core::unit::RowError { row: 0, field: field.into(), message: Msg::new(vi, en) }])
}

/// A case entered by hand.
async fn add(State(state): State<AppState>, ctx: Ctx, Form(f): Form<CaseForm>) -> Result<Response, AppError> {
    let date = |s: &str, field: &'static str| {
        parindex_core::text::parse_date(s).ok_or_else(|| bad_field(field, "Hãy ghi ngày dạng 31/03/2026.", "Write dates as 31/03/2026."))
    };
    let parsed = (|| -> Result<NewCase, AppError> {
        Ok(NewCase {
            row: 0,
            unit_code: f.unit_code.clone(),
            file_code: f.file_code.clone(),
            procedure: f.procedure.clone(),
            applicant: Some(f.applicant.clone()),
            contact: Some(f.contact.clone()),
            kind: Kind::parse(&f.kind).ok_or_else(|| bad_field("kind", "Hãy chọn loại.", "Choose the kind."))?,
            received_on: date(&f.received_on, "received_on")?,
            due_on: date(&f.due_on, "due_on")?,
            returned_on: if f.returned_on.trim().is_empty() { None } else { Some(date(&f.returned_on, "returned_on")?) },
        })
    })();
    let q = ListQuery::default();
    let row = match parsed {
        Ok(r) => r,
        Err(e) => return draw_list(&state, &ctx, &q, Drawn { error: Some(e), typed: Some(f), ..Default::default() }).await,
    };
    let upload = CaseUpload { origin: "form", file_name: None, rows: vec![row], dry_run: false };
    match record(&state, &ctx, upload).await {
        Ok(o) => Ok(Redirect::to(&format!("/xin-loi?ghi={}#ghi", o.added)).into_response()),
        Err(e @ (AppError::ImportRows(_) | AppError::Invalid(_))) => {
            draw_list(&state, &ctx, &q, Drawn { error: Some(e), ..Default::default() }).await
        }
        Err(e) => Err(e),
    }
}

/// The one-stop system's list of late files: read, checked, previewed (nothing written).
async fn upload(State(state): State<AppState>, ctx: Ctx, mut mp: Multipart) -> Result<Response, AppError> {
    if !may_import(&ctx) {
        return Err(AppError::Forbidden);
    }
    let mut file = None;
    while let Some(field) = mp.next_field().await.map_err(crate::pages::evidence::multipart_error)? {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("upload").to_string();
            file = Some((name, field.bytes().await.map_err(crate::pages::evidence::multipart_error)?.to_vec()));
        }
    }
    let q = ListQuery::default();
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        let e = AppError::BadRequest(Msg::new("Hãy chọn tệp CSV hoặc XLSX.", "Choose a CSV or XLSX file."));
        return draw_list(&state, &ctx, &q, Drawn { error: Some(e), ..Default::default() }).await;
    };
    let (rows, mut errors) = match parindex_reports::apology::read_cases(&name, &bytes) {
        Ok(read) => read,
        Err(e) => {
            return draw_list(&state, &ctx, &q, Drawn { file_name: name, error: Some(AppError::ImportRows(e)), ..Default::default() })
                .await;
        }
    };
    let rows: Vec<NewCase> = rows
        .into_iter()
        .map(|r| NewCase {
            row: r.row,
            unit_code: r.unit_code,
            file_code: r.file_code,
            procedure: r.procedure,
            applicant: r.applicant,
            contact: r.contact,
            kind: r.kind,
            received_on: r.received_on,
            due_on: r.due_on,
            returned_on: r.returned_on,
        })
        .collect();
    // the rows that read well are checked too: every problem at once
    let checked = if rows.is_empty() {
        Err(AppError::ImportRows(vec![]))
    } else {
        record(&state, &ctx, CaseUpload { origin: "import", file_name: Some(name.clone()), rows: rows.clone(), dry_run: true }).await
    };
    let checked = match checked {
        Ok(o) if errors.is_empty() => Ok(o),
        Ok(_) => Err(AppError::ImportRows(errors)),
        Err(AppError::ImportRows(more)) => {
            errors.extend(more);
            errors.sort_by_key(|e| e.row);
            Err(AppError::ImportRows(errors))
        }
        Err(e) => Err(e),
    };
    match checked {
        Ok(o) => {
            let json = serde_json::to_string(&rows).unwrap_or_default();
            draw_list(&state, &ctx, &q, Drawn { preview: Some((name.clone(), o, json)), file_name: name, ..Default::default() }).await
        }
        Err(e @ AppError::Internal(_)) => Err(e),
        Err(e) => draw_list(&state, &ctx, &q, Drawn { file_name: name, error: Some(e), ..Default::default() }).await,
    }
}

#[derive(Deserialize)]
struct Confirm {
    file_name: String,
    rows: String,
}

/// The confirmation: the rows read from the file, checked again and written.
async fn confirm(State(state): State<AppState>, ctx: Ctx, Form(f): Form<Confirm>) -> Result<Response, AppError> {
    if !may_import(&ctx) {
        return Err(AppError::Forbidden);
    }
    let rows: Vec<NewCase> = serde_json::from_str(&f.rows).map_err(|_| {
        AppError::BadRequest(Msg::new(
            "Dữ liệu xác nhận không đọc được; hãy tải tệp lên lại.",
            "The confirmation cannot be read; upload the file again.",
        ))
    })?;
    let upload = CaseUpload { origin: "import", file_name: Some(f.file_name.clone()), rows, dry_run: false };
    match record(&state, &ctx, upload).await {
        Ok(o) => Ok(Redirect::to(&format!("/xin-loi?ghi={}#ghi", o.added)).into_response()),
        Err(e @ (AppError::ImportRows(_) | AppError::Invalid(_))) => {
            draw_list(&state, &ctx, &ListQuery::default(), Drawn { file_name: f.file_name, error: Some(e), ..Default::default() }).await
        }
        Err(e) => Err(e),
    }
}

async fn template(ctx: Ctx) -> Result<Response, AppError> {
    if !may_import(&ctx) {
        return Err(if ctx.actor.is_some() { AppError::Forbidden } else { AppError::Unauthenticated });
    }
    let bytes = parindex_reports::apology::write_template().map_err(|e| AppError::Internal(format!("xlsx: {e}")))?;
    Ok(crate::chrome::download(bytes, crate::chrome::XLSX, "ho-so-tre-han.xlsx"))
}

#[derive(Template)]
#[template(path = "apology_case.html")]
struct CasePage {
    page: Page,
    c: CaseRow,
    line: Line,
    received: String,
    returned: String,
    letter_date: String,
    new_due: String,
    how: String,
    can_record: bool,
    hows: Vec<(&'static str, String)>,
    /// What the letter form shows: what was typed (after a refusal), else the stored letter.
    form: LetterForm,
    error: String,
    saved: bool,
}

#[derive(Default)]
struct LetterForm {
    number: String,
    date: String,
    how: String,
    new_due: String,
}

#[derive(Deserialize, Default)]
struct CaseQuery {
    luu: Option<String>,
}

async fn case(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>, Query(q): Query<CaseQuery>) -> Result<Response, AppError> {
    draw_case(&state, &ctx, id, q.luu.is_some(), None, None).await
}

async fn draw_case(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    saved: bool,
    error: Option<AppError>,
    typed: Option<&BTreeMap<String, String>>,
) -> Result<Response, AppError> {
    if ctx.actor.is_none() {
        return Err(AppError::Unauthenticated);
    }
    let c = state.store.apology_case(id).await?;
    if !reads_unit(ctx, c.unit_id) {
        return Err(AppError::NotFound);
    }
    let c = shown(ctx, c);
    let lang = ctx.lang;
    let today = parindex_core::assessment::today_vn();
    let (error_text, status) = match &error {
        Some(AppError::Invalid(fields)) => {
            (fields.iter().map(|f| f.message.get(lang.code()).to_string()).collect::<Vec<_>>().join(" "), StatusCode::UNPROCESSABLE_ENTITY)
        }
        Some(e) => (e.message().get(lang.code()).to_string(), e.status()),
        None => (String::new(), StatusCode::OK),
    };
    let form = match typed {
        Some(t) => {
            let get = |k: &str| t.get(k).cloned().unwrap_or_default();
            LetterForm { number: get("number"), date: get("date"), how: get("how"), new_due: get("new_due_on") }
        }
        None => LetterForm {
            number: c.letter_number.clone().unwrap_or_default(),
            date: c.letter_date.map(format_date).unwrap_or_default(),
            how: c.sent_how.map(|h| h.key().to_string()).unwrap_or_default(),
            new_due: c.new_due_on.map(format_date).unwrap_or_default(),
        },
    };
    let title = format!("{} {}", ctx.t("xl.case"), c.file_code);
    let page = Page::new(ctx, state, title.clone(), "/xin-loi").crumb(ctx.t("xl.title"), "/xin-loi").crumb(title, "");
    let mut r = render(&CasePage {
        line: line(lang, &c, today),
        received: format_date(c.received_on),
        returned: c.returned_on.map(format_date).unwrap_or_default(),
        letter_date: c.letter_date.map(format_date).unwrap_or_default(),
        new_due: c.new_due_on.map(format_date).unwrap_or_default(),
        how: c.sent_how.map(|h| lang.pick(h.label().0, h.label().1).to_string()).unwrap_or_default(),
        can_record: may_record(ctx, c.unit_id),
        hows: SentHow::ALL.iter().map(|h| (h.key(), lang.pick(h.label().0, h.label().1).to_string())).collect(),
        form,
        error: error_text,
        saved,
        c,
        page,
    });
    *r.status_mut() = status;
    Ok(r)
}

/// The letter: its fields and, optionally, its file (kept in the unit's evidence library).
async fn letter(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>, mut mp: Multipart) -> Result<Response, AppError> {
    let c = crate::app::apology::case_to_record(&state, &ctx, id).await?;
    let mut fields: BTreeMap<String, String> = BTreeMap::new();
    let mut file_id = c.letter_file_id;
    while let Some(mut field) = mp.next_field().await.map_err(crate::pages::evidence::multipart_error)? {
        if field.name() == Some("file") {
            match crate::pages::evidence::take_upload(&state, &ctx, c.unit_id, &mut field).await? {
                crate::pages::evidence::Upload::None => {}
                crate::pages::evidence::Upload::Kept(f) => file_id = Some(f.id),
                crate::pages::evidence::Upload::Refused(text) | crate::pages::evidence::Upload::TooLarge(text) => {
                    let e = AppError::BadRequest(Msg::new(text.clone(), text));
                    return draw_case(&state, &ctx, id, false, Some(e), Some(&fields)).await;
                }
            }
        } else if let Some(name) = field.name().map(str::to_string) {
            fields.insert(name, field.text().await.unwrap_or_default());
        }
    }
    let get = |k: &str| fields.get(k).map(|s| s.trim().to_string()).unwrap_or_default();
    let Some(date) = parindex_core::text::parse_date(&get("date")) else {
        let e = AppError::BadRequest(Msg::new("Hãy ghi ngày gửi văn bản dạng 31/03/2026.", "Write the letter's date as 31/03/2026."));
        return draw_case(&state, &ctx, id, false, Some(e), Some(&fields)).await;
    };
    let Some(how) = SentHow::parse(&get("how")) else {
        let e = AppError::BadRequest(Msg::new("Hãy chọn cách gửi văn bản.", "Choose how the letter was sent."));
        return draw_case(&state, &ctx, id, false, Some(e), Some(&fields)).await;
    };
    let new_due_on = match get("new_due_on").as_str() {
        "" => None,
        s => match parindex_core::text::parse_date(s) {
            Some(d) => Some(d),
            None => {
                let e = AppError::BadRequest(Msg::new("Hãy ghi ngày hẹn mới dạng 31/03/2026.", "Write the new due date as 31/03/2026."));
                return draw_case(&state, &ctx, id, false, Some(e), Some(&fields)).await;
            }
        },
    };
    let l = Letter { number: get("number"), date, how, file_id, new_due_on };
    match state.store.record_apology_letter(&ctx.audit(), id, l, parindex_core::assessment::today_vn()).await {
        Ok(_) => Ok(Redirect::to(&format!("/xin-loi/{id}?luu=1#thu")).into_response()),
        Err(e @ parindex_store::StoreError::Invalid(_)) => draw_case(&state, &ctx, id, false, Some(e.into()), Some(&fields)).await,
        Err(e) => Err(e.into()),
    }
}

/// Downloads the letter's file (it names the citizen: the unit's staff and the office only).
async fn letter_file(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    if ctx.actor.is_none() {
        return Err(AppError::Unauthenticated);
    }
    let c = state.store.apology_case(id).await?;
    if !reads_unit(&ctx, c.unit_id) {
        return Err(AppError::NotFound);
    }
    // the letter names the citizen: the unit and the office only
    if !crate::app::apology::sees_personal(&ctx, c.unit_id) {
        return Err(AppError::Forbidden);
    }
    let file = state.store.get_evidence(c.letter_file_id.ok_or(AppError::NotFound)?).await?;
    crate::pages::evidence::send_file(&state, &ctx, &file, false).await
}

#[derive(Template)]
#[template(path = "public_apology.html")]
struct PublicPage {
    page: Page,
    year: i32,
    /// (unit name, letters per month, letters in the year, cases in the year)
    rows: Vec<(String, Vec<usize>, usize, usize)>,
    totals: Vec<usize>,
}

#[derive(Deserialize, Default)]
struct YearQuery {
    nam: Option<i32>,
}

/// Apologies per unit and month (by the letter's date): counts only.
async fn public(State(state): State<AppState>, ctx: Ctx, Query(q): Query<YearQuery>) -> Result<Response, AppError> {
    if !ctx.allows(Action::ViewPublic, Resource::System) {
        return Err(AppError::Forbidden);
    }
    let today = parindex_core::assessment::today_vn();
    let year = q.nam.filter(|y| (2000..=2100).contains(y)).unwrap_or(today.year());
    let cases = state.store.apology_cases(&CaseFilter { year: Some(year), ..Default::default() }).await?;
    let mut by_unit: BTreeMap<String, (Vec<usize>, usize, usize)> = BTreeMap::new();
    let mut totals = vec![0usize; 12];
    for c in &cases {
        let e = by_unit.entry(c.unit_name.clone()).or_insert_with(|| (vec![0; 12], 0, 0));
        e.2 += 1;
        if let Some(d) = c.letter_date.filter(|d| d.year() == year) {
            e.0[d.month0() as usize] += 1;
            e.1 += 1;
            totals[d.month0() as usize] += 1;
        }
    }
    let rows = by_unit.into_iter().map(|(n, (m, l, c))| (n, m, l, c)).collect();
    let page = Page::new(&ctx, &state, ctx.t("xl.public_title"), "/cong-khai")
        .crumb(ctx.t("pt.title"), "/cong-khai")
        .crumb(ctx.t("xl.public_title"), "");
    Ok(render(&PublicPage { page, year, rows, totals }))
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/xin-loi", get(list))
        .route("/xin-loi/them", post(add))
        .route("/xin-loi/nhap", post(upload))
        .route("/xin-loi/nhap/ghi", post(confirm))
        .route("/xin-loi/mau.xlsx", get(template))
        .route("/xin-loi/{id}", get(case))
        .route("/xin-loi/{id}/thu", post(letter))
        .route("/xin-loi/{id}/van-ban", get(letter_file))
        .route("/cong-khai/xin-loi", get(public))
}
