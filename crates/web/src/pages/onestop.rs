//! One-stop statistics pages (issue #18).
//!
//! - `/mot-cua?nam=` — the office's dashboard: the province's rates of the year with their
//!   formulas, a heat map of every unit's on-time rate per month, the units with the lowest
//!   on-time rate, links to each unit;
//! - `/mot-cua/don-vi/{code}?nam=` — a unit's months, quarters and year (counts and every rate,
//!   each as its exact fraction), its rows per procedure field, and for the office a form to
//!   correct one month and field by hand;
//! - `/mot-cua/nhap` — the import: a file (the one-stop system's export read through a saved
//!   column mapping, or our template), previewed as what it changes (rows added, changed,
//!   removed, unchanged in the months it covers), then confirmed; the saved mappings; the
//!   history of imports;
//! - `/cong-khai/mot-cua?nam=` — the public page: each unit's on-time rate per month.
//!
//! Who reads and who imports is `app::onestop`; every rate is `core::onestop::Measure::of`.

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::{Form, Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use parindex_core::onestop::{Counts, FIELDS, Measure, Value};
use parindex_core::{Action, Lang, Resource};
use parindex_reports::onestop::{columns, write_template};
use parindex_store::repo::onestop::{OnestopImportRow, OnestopOutcome, OnestopRow, OnestopUpload};
use serde::Deserialize;

use crate::AppState;
use crate::app::onestop::{UnitYear, import, may_import, pick_year, reads_all, reads_unit, year_view};
use crate::chrome::{Page, render};
use crate::ctx::Ctx;
use crate::error::AppError;

const RATES: [Measure; 5] =
    [Measure::OnTimeRate, Measure::OnlineRate, Measure::OnlineFullRate, Measure::OnlinePaymentRate, Measure::DigitisedResultsRate];

#[derive(Deserialize, Default)]
struct YearQuery {
    nam: Option<i32>,
    ghi: Option<i64>,
}

/// A heat-map cell: the on-time rate shown, its fraction, and its band's class.
struct Heat {
    text: String,
    title: String,
    class: &'static str,
}

fn heat(lang: Lang, c: Option<&Counts>) -> Heat {
    let Some(c) = c else {
        return Heat { text: "·".into(), title: lang.pick("chưa có số liệu", "no data").into(), class: "hm-none" };
    };
    let v = Measure::OnTimeRate.of(c);
    let Some(p) = v.percent() else {
        return Heat { text: "—".into(), title: lang.pick("không có hồ sơ", "no files").into(), class: "hm-none" };
    };
    let class = if p >= parindex_core::Exact::int(95) {
        "hm-good"
    } else if p >= parindex_core::Exact::int(85) {
        "hm-mid"
    } else {
        "hm-bad"
    };
    // the counts behind the rate, shown on hover
    let title = match v {
        Value::Rate { numerator, denominator } => format!("{numerator}/{denominator}"),
        Value::Count { count } => count.to_string(),
        Value::Flag { .. } => String::new(),
    };
    Heat { text: lang.num(&p, 1), title, class }
}

fn shown(lang: Lang, m: Measure, c: &Counts) -> String {
    m.of(c).shown(lang == Lang::Vi)
}

/// A line of rates: its label, received, resolved, the four rates and the late count.
struct RateLine {
    label: String,
    id: String,
    received: i64,
    resolved: i64,
    rates: Vec<String>,
    late: i64,
}

fn rate_line(lang: Lang, label: String, id: String, c: &Counts) -> RateLine {
    RateLine {
        label,
        id,
        received: c.received(),
        resolved: c.resolved(),
        rates: RATES.iter().map(|m| shown(lang, *m, c)).collect(),
        late: c.resolved_late + c.pending_over,
    }
}

fn formulas(lang: Lang) -> Vec<(String, String)> {
    Measure::ALL
        .iter()
        .map(|m| (lang.pick(m.label().0, m.label().1).to_string(), lang.pick(m.formula().0, m.formula().1).to_string()))
        .collect()
}

fn rate_heads(lang: Lang) -> Vec<String> {
    RATES.iter().map(|m| lang.pick(m.label().0, m.label().1).to_string()).collect()
}

#[derive(Template)]
#[template(path = "onestop.html")]
struct DashboardPage {
    page: Page,
    year: i32,
    years: Vec<i32>,
    imports: bool,
    province: Vec<RateLine>,
    rate_heads: Vec<String>,
    formulas: Vec<(String, String)>,
    /// (code, name, 12 cells, year cell)
    heat: Vec<(String, String, Vec<Heat>, Heat)>,
    /// The lowest on-time rates of the year: (code, name, shown).
    worst: Vec<(String, String, String)>,
}

async fn dashboard(State(state): State<AppState>, ctx: Ctx, Query(q): Query<YearQuery>) -> Result<Response, AppError> {
    if !reads_all(&ctx) {
        // a unit's staff go to their own unit's figures
        if let Some(unit) = ctx.actor.as_ref().and_then(|a| a.unit_id)
            && reads_unit(&ctx, unit)
        {
            let u = state.store.get_unit(unit).await?;
            return Ok(Redirect::to(&format!("/mot-cua/don-vi/{}", crate::chrome::urlencode(&u.unit.code))).into_response());
        }
        return Err(if ctx.actor.is_some() { AppError::Forbidden } else { AppError::Unauthenticated });
    }
    let (year, years) = pick_year(&state, q.nam).await?;
    let (units, province) = year_view(&state, year, None).await?;
    let lang = ctx.lang;
    let mut lines: Vec<RateLine> = (1..=12)
        .filter_map(|m| province.months[m - 1].as_ref().map(|c| rate_line(lang, format!("{m:02}/{year}"), format!("m{m}"), c)))
        .collect();
    lines.push(rate_line(lang, format!("{} {year}", lang.pick("Cả năm", "Year")), "year".into(), &province.total));
    let heat_rows = units
        .iter()
        .map(|u| (u.code.clone(), u.name.clone(), u.months.iter().map(|c| heat(lang, c.as_ref())).collect(), heat(lang, Some(&u.total))))
        .collect();
    let mut ranked: Vec<&UnitYear> = units.iter().filter(|u| u.total.resolved() > 0).collect();
    ranked.sort_by(|a, b| {
        let (pa, pb) = (Measure::OnTimeRate.of(&a.total).percent(), Measure::OnTimeRate.of(&b.total).percent());
        pa.cmp(&pb).then_with(|| a.code.cmp(&b.code))
    });
    let worst = ranked.iter().take(10).map(|u| (u.code.clone(), u.name.clone(), shown(lang, Measure::OnTimeRate, &u.total))).collect();
    let page = Page::new(&ctx, &state, ctx.t("os.title"), "/mot-cua").crumb(ctx.t("os.title"), "");
    Ok(render(&DashboardPage {
        page,
        year,
        years,
        imports: may_import(&ctx),
        province: lines,
        rate_heads: rate_heads(lang),
        formulas: formulas(lang),
        heat: heat_rows,
        worst,
    }))
}

#[derive(Template)]
#[template(path = "onestop_unit.html")]
struct UnitPage {
    page: Page,
    code: String,
    name: String,
    year: i32,
    years: Vec<i32>,
    lines: Vec<RateLine>,
    rate_heads: Vec<String>,
    formulas: Vec<(String, String)>,
    /// The rows as imported: (month, field, counts in FIELDS order, import).
    rows: Vec<(String, String, Vec<i64>, i64)>,
    field_heads: Vec<String>,
    /// The office corrects a month by hand: the form's fields (key, label, value typed).
    correct: Option<Vec<(String, String, String)>>,
    /// The correction's month and field as typed (after a refusal).
    typed_month: String,
    typed_field: String,
    error: String,
    errors: Vec<String>,
    written: Option<i64>,
}

async fn unit_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(q): Query<YearQuery>,
) -> Result<Response, AppError> {
    draw_unit(&state, &ctx, &code, q.nam, q.ghi, None, None).await
}

async fn draw_unit(
    state: &AppState,
    ctx: &Ctx,
    code: &str,
    year: Option<i32>,
    written: Option<i64>,
    error: Option<AppError>,
    typed: Option<&BTreeMap<String, String>>,
) -> Result<Response, AppError> {
    let id = state.store.unit_id_by_code(code).await?.ok_or(AppError::NotFound)?;
    let unit = state.store.get_unit(id).await?.unit;
    if !reads_unit(ctx, unit.id) {
        return Err(if ctx.actor.is_some() { AppError::Forbidden } else { AppError::Unauthenticated });
    }
    let (year, years) = pick_year(state, year).await?;
    let (units, _) = year_view(state, year, Some(unit.id)).await?;
    let lang = ctx.lang;
    let mut lines = Vec::new();
    if let Some(u) = units.first() {
        for q in 1..=4 {
            for m in (q - 1) * 3 + 1..=q * 3 {
                if let Some(c) = &u.months[m - 1] {
                    lines.push(rate_line(lang, format!("{m:02}/{year}"), format!("m{m}"), c));
                }
            }
            if let Some(c) = u.quarter(q) {
                lines.push(rate_line(lang, format!("{} {q}", lang.pick("Quý", "Quarter")), format!("q{q}"), &c));
            }
        }
        lines.push(rate_line(lang, format!("{} {year}", lang.pick("Cả năm", "Year")), "year".into(), &u.total));
    }
    let rows = state
        .store
        .onestop_rows(unit.id, year)
        .await?
        .into_iter()
        .map(|(m, f, c, i)| (format!("{m:02}/{year}"), f, c.values().to_vec(), i))
        .collect();
    let (error_text, errors, status) = match &error {
        Some(AppError::ImportRows(rows)) => (
            ctx.t("os.refused").to_string(),
            rows.iter().map(|r| r.message.get(lang.code()).to_string()).collect(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Some(e) => (e.message().get(lang.code()).to_string(), vec![], e.status()),
        None => (String::new(), vec![], StatusCode::OK),
    };
    let title = format!("{} — {}", ctx.t("os.title"), unit.name);
    let mut page = Page::new(ctx, state, title, "/mot-cua");
    if reads_all(ctx) {
        page = page.crumb(ctx.t("os.title"), format!("/mot-cua?nam={year}"));
    }
    let page = page.crumb(unit.name.clone(), "");
    let mut r = render(&UnitPage {
        page,
        code: unit.code.clone(),
        name: unit.name.clone(),
        year,
        years,
        lines,
        rate_heads: rate_heads(lang),
        formulas: formulas(lang),
        rows,
        field_heads: FIELDS.iter().map(|(_, vi, en)| lang.pick(vi, en).to_string()).collect(),
        correct: may_import(ctx).then(|| {
            FIELDS
                .iter()
                .map(|(k, vi, en)| {
                    (k.to_string(), lang.pick(vi, en).to_string(), typed.and_then(|t| t.get(*k)).cloned().unwrap_or_default())
                })
                .collect()
        }),
        typed_month: typed.and_then(|t| t.get("month")).cloned().unwrap_or_default(),
        typed_field: typed.and_then(|t| t.get("field")).cloned().unwrap_or_default(),
        error: error_text,
        errors,
        written,
    });
    *r.status_mut() = status;
    Ok(r)
}

/// A correction by hand: one unit, month and field (the other rows of the month stay).
async fn correct(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Form(f): Form<BTreeMap<String, String>>,
) -> Result<Response, AppError> {
    if !may_import(&ctx) {
        return Err(AppError::Forbidden);
    }
    let month = f.get("month").cloned().unwrap_or_default();
    let mut values = [0i64; 14];
    let mut bad = Vec::new();
    for (v, (k, vi, en)) in values.iter_mut().zip(FIELDS) {
        let s = f.get(k).map(|s| s.trim()).unwrap_or("");
        match s {
            "" => {}
            s => match s.parse::<i64>() {
                Ok(n) => *v = n,
                Err(_) => bad.push(parindex_core::unit::RowError {
                    row: 0,
                    field: k.into(),
                    message: parindex_core::Msg::new(
                        format!("“{vi}”: “{s}” không phải số nguyên."),
                        format!("“{en}”: “{s}” is not a whole number."),
                    ),
                }),
            },
        }
    }
    let year = parindex_core::onestop::parse_month(&month).map(|(y, _)| y);
    if !bad.is_empty() {
        return draw_unit(&state, &ctx, &code, year, None, Some(AppError::ImportRows(bad)), Some(&f)).await;
    }
    let row = OnestopRow {
        row: 0,
        unit_code: code.clone(),
        month,
        field: f.get("field").cloned().unwrap_or_default(),
        counts: Counts::from_values(values),
    };
    let upload =
        OnestopUpload { origin: "form", file_name: None, source_name: None, rows: vec![row], replace_months: false, dry_run: false };
    match import(&state, &ctx, upload).await {
        Ok(o) => Ok(Redirect::to(&format!(
            "/mot-cua/don-vi/{}?nam={}&ghi={}#ghi",
            crate::chrome::urlencode(&code),
            year.unwrap_or_default(),
            o.import_id
        ))
        .into_response()),
        Err(e @ (AppError::ImportRows(_) | AppError::Invalid(_))) => draw_unit(&state, &ctx, &code, year, None, Some(e), Some(&f)).await,
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "onestop_import.html")]
struct ImportPage {
    page: Page,
    /// The saved mappings: (name, [(our field's name, the source's header)]).
    sources: Vec<(String, Vec<(String, String)>)>,
    /// Every key of a mapping: (key, our Vietnamese or English header).
    keys: Vec<(String, String)>,
    imports: Vec<(OnestopImportRow, String)>,
    written: Option<i64>,
    /// A file read and checked, not written yet: its name, what it would change, the rows.
    preview: Option<(String, OnestopOutcome, String, String)>,
    file_name: String,
    headline: String,
    errors: Vec<(usize, String, String)>,
    /// The mapping being edited (after a refused save) or chosen.
    source: String,
}

/// A field's name for people (our template's header), for the error table.
fn field_label(lang: Lang, key: &str) -> String {
    columns().find(|(k, _, _)| *k == key).map(|(_, vi, en)| lang.pick(vi, en).to_string()).unwrap_or_else(|| key.to_string())
}

#[derive(Default)]
struct ImportDrawn {
    preview: Option<(String, OnestopOutcome, String, String)>,
    file_name: String,
    error: Option<AppError>,
    written: Option<i64>,
    source: String,
}

async fn draw_import(state: &AppState, ctx: &Ctx, d: ImportDrawn) -> Result<Response, AppError> {
    if !may_import(ctx) {
        return Err(if ctx.actor.is_some() { AppError::Forbidden } else { AppError::Unauthenticated });
    }
    let lang = ctx.lang;
    let (headline, errors, status) = match &d.error {
        Some(AppError::ImportRows(rows)) => (
            ctx.t("os.refused").to_string(),
            rows.iter().map(|r| (r.row, field_label(lang, &r.field), r.message.get(lang.code()).to_string())).collect(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Some(e) => (e.message().get(lang.code()).to_string(), vec![], e.status()),
        None => (String::new(), vec![], StatusCode::OK),
    };
    let sources = state
        .store
        .onestop_sources()
        .await?
        .into_iter()
        .map(|s| {
            let mapping = s.mapping.iter().map(|(k, v)| (field_label(lang, k), v.clone())).collect();
            (s.name, mapping)
        })
        .collect();
    let imports = state
        .store
        .onestop_imports(30)
        .await?
        .into_iter()
        .map(|i| {
            let w = parindex_core::text::format_time_vn(i.created_at);
            (i, w)
        })
        .collect();
    let page = Page::new(ctx, state, ctx.t("os.import"), "/mot-cua").crumb(ctx.t("os.title"), "/mot-cua").crumb(ctx.t("os.import"), "");
    let mut r = render(&ImportPage {
        page,
        sources,
        keys: columns().map(|(k, vi, en)| (k.to_string(), lang.pick(vi, en).to_string())).collect(),
        imports,
        written: d.written,
        preview: d.preview,
        file_name: d.file_name,
        headline,
        errors,
        source: d.source,
    });
    *r.status_mut() = status;
    Ok(r)
}

async fn import_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<YearQuery>) -> Result<Response, AppError> {
    draw_import(&state, &ctx, ImportDrawn { written: q.ghi, ..Default::default() }).await
}

/// Rows in the confirmation form: one line each, tab-separated (row, unit, month, field, the
/// 14 counts) — compact enough for a year of a province's figures.
fn encode_rows(rows: &[OnestopRow]) -> String {
    let mut s = String::new();
    for r in rows {
        let counts: Vec<String> = r.counts.values().iter().map(|v| v.to_string()).collect();
        s.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\n",
            r.row,
            r.unit_code.replace(['\t', '\n'], " "),
            r.month,
            r.field.replace(['\t', '\n'], " "),
            counts.join("\t")
        ));
    }
    s
}

fn decode_rows(s: &str) -> Option<Vec<OnestopRow>> {
    s.lines()
        .filter(|l| !l.is_empty())
        .map(|l| {
            let p: Vec<&str> = l.trim_end_matches('\r').split('\t').collect();
            if p.len() != 18 {
                return None;
            }
            let mut v = [0i64; 14];
            for (x, c) in v.iter_mut().zip(&p[4..]) {
                *x = c.parse().ok()?;
            }
            Some(OnestopRow {
                row: p[0].parse().ok()?,
                unit_code: p[1].into(),
                month: p[2].into(),
                field: p[3].into(),
                counts: Counts::from_values(v),
            })
        })
        .collect()
}

/// An uploaded file: read through the chosen mapping, checked, shown as what it would change.
async fn upload(State(state): State<AppState>, ctx: Ctx, mut mp: Multipart) -> Result<Response, AppError> {
    if !may_import(&ctx) {
        return Err(AppError::Forbidden);
    }
    let (mut file, mut source, mut month) = (None, String::new(), String::new());
    while let Some(field) = mp.next_field().await.map_err(|_| upload_refused())? {
        match field.name() {
            Some("file") => {
                let name = field.file_name().unwrap_or("upload").to_string();
                file = Some((name, field.bytes().await.map_err(|_| upload_refused())?.to_vec()));
            }
            Some("source") => source = field.text().await.unwrap_or_default(),
            Some("month") => month = field.text().await.unwrap_or_default(),
            _ => {}
        }
    }
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return draw_import(&state, &ctx, ImportDrawn { error: Some(upload_refused()), source, ..Default::default() }).await;
    };
    let month = Some(month.trim()).filter(|m| !m.is_empty());
    let origin = if name.to_lowercase().ends_with(".csv") { "csv" } else { "xlsx" };
    let checked = match crate::app::onestop::import_file(&state.store, &ctx.audit(), origin, (&name, &bytes), &source, month, true).await {
        Ok(read) => Ok(read),
        Err(parindex_store::repo::units::ImportError::Rows(rows)) => Err(AppError::ImportRows(rows)),
        Err(parindex_store::repo::units::ImportError::Store(e)) => Err(e.into()),
    };
    match checked {
        Ok((rows, o)) => {
            let preview = Some((name.clone(), o, encode_rows(&rows), source.clone()));
            draw_import(&state, &ctx, ImportDrawn { preview, file_name: name, source, ..Default::default() }).await
        }
        Err(e @ AppError::Internal(_)) => Err(e),
        Err(e) => draw_import(&state, &ctx, ImportDrawn { file_name: name, error: Some(e), source, ..Default::default() }).await,
    }
}

fn upload_refused() -> AppError {
    AppError::BadRequest(parindex_core::Msg::new(
        "Không đọc được tệp tải lên; hãy chọn tệp CSV hoặc XLSX rồi thử lại.",
        "The upload could not be read; choose a CSV or XLSX file and try again.",
    ))
}

#[derive(Deserialize)]
struct Confirm {
    file_name: String,
    #[serde(default)]
    source: String,
    rows: String,
}

/// The confirmation: the rows read from the file, checked again and written.
async fn confirm(State(state): State<AppState>, ctx: Ctx, Form(f): Form<Confirm>) -> Result<Response, AppError> {
    let rows = decode_rows(&f.rows).ok_or_else(|| {
        AppError::BadRequest(parindex_core::Msg::new(
            "Dữ liệu xác nhận không đọc được; hãy tải tệp lên lại.",
            "The confirmation cannot be read; upload the file again.",
        ))
    })?;
    let upload = OnestopUpload {
        origin: if f.file_name.to_lowercase().ends_with(".csv") { "csv" } else { "xlsx" },
        file_name: Some(f.file_name.clone()),
        source_name: Some(f.source.clone()).filter(|s| !s.is_empty()),
        rows,
        replace_months: true,
        dry_run: false,
    };
    match import(&state, &ctx, upload).await {
        Ok(o) => Ok(Redirect::to(&format!("/mot-cua/nhap?ghi={}#ghi", o.import_id)).into_response()),
        Err(e @ (AppError::ImportRows(_) | AppError::Invalid(_) | AppError::Conflict(_))) => {
            draw_import(&state, &ctx, ImportDrawn { file_name: f.file_name, error: Some(e), ..Default::default() }).await
        }
        Err(e) => Err(e),
    }
}

/// Save a column mapping under its name.
async fn save_source(State(state): State<AppState>, ctx: Ctx, Form(f): Form<BTreeMap<String, String>>) -> Result<Response, AppError> {
    if !may_import(&ctx) {
        return Err(AppError::Forbidden);
    }
    let name = f.get("name").cloned().unwrap_or_default();
    let mapping: BTreeMap<String, String> =
        columns().filter_map(|(k, _, _)| f.get(&format!("map_{k}")).map(|v| (k.to_string(), v.clone()))).collect();
    match state.store.save_onestop_source(&ctx.audit(), &name, &mapping).await {
        Ok(()) => Ok(Redirect::to("/mot-cua/nhap#nguon").into_response()),
        Err(e @ parindex_store::StoreError::Invalid(_)) => {
            draw_import(&state, &ctx, ImportDrawn { error: Some(e.into()), source: name, ..Default::default() }).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
struct TemplateQuery {
    thang: Option<String>,
}

/// Our template: every active unit, the month if given.
async fn template(State(state): State<AppState>, ctx: Ctx, Query(q): Query<TemplateQuery>) -> Result<Response, AppError> {
    if !may_import(&ctx) {
        return Err(if ctx.actor.is_some() { AppError::Forbidden } else { AppError::Unauthenticated });
    }
    let units: Vec<(String, String)> =
        state.store.list_units(parindex_core::UnitScope::All, &Default::default()).await?.into_iter().map(|u| (u.code, u.name)).collect();
    let month = q.thang.as_deref().and_then(parindex_core::onestop::parse_month).map(|(y, m)| format!("{y}-{m:02}"));
    let bytes = write_template(&units, month.as_deref(), ctx.lang == Lang::Vi).map_err(|e| AppError::Internal(format!("xlsx: {e}")))?;
    Ok(crate::chrome::download(bytes, crate::chrome::XLSX, &format!("mot-cua-{}.xlsx", month.unwrap_or_else(|| "mau".into()))))
}

#[derive(Template)]
#[template(path = "public_onestop.html")]
struct PublicPage {
    page: Page,
    year: i32,
    years: Vec<i32>,
    formula: String,
    province: Heat,
    province_months: Vec<Heat>,
    heat: Vec<(String, String, Vec<Heat>, Heat)>,
}

/// The public page: each unit's on-time rate per month (counts of files only).
async fn public(State(state): State<AppState>, ctx: Ctx, Query(q): Query<YearQuery>) -> Result<Response, AppError> {
    if !ctx.allows(Action::ViewPublic, Resource::System) {
        return Err(AppError::Forbidden);
    }
    let (year, years) = pick_year(&state, q.nam).await?;
    let (units, province) = year_view(&state, year, None).await?;
    let lang = ctx.lang;
    let heat_rows = units
        .iter()
        .map(|u| (u.code.clone(), u.name.clone(), u.months.iter().map(|c| heat(lang, c.as_ref())).collect(), heat(lang, Some(&u.total))))
        .collect();
    let page = Page::new(&ctx, &state, ctx.t("os.public_title"), "/cong-khai")
        .crumb(ctx.t("pt.title"), "/cong-khai")
        .crumb(ctx.t("os.public_title"), "");
    Ok(render(&PublicPage {
        page,
        year,
        years,
        formula: lang.pick(Measure::OnTimeRate.formula().0, Measure::OnTimeRate.formula().1).to_string(),
        province: heat(lang, Some(&province.total)),
        province_months: province.months.iter().map(|c| heat(lang, c.as_ref())).collect(),
        heat: heat_rows,
    }))
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/mot-cua", get(dashboard))
        .route("/mot-cua/don-vi/{code}", get(unit_page))
        .route("/mot-cua/don-vi/{code}/nhap-tay", post(correct))
        .route("/mot-cua/nhap", get(import_page).post(upload))
        .route("/mot-cua/nhap/ghi", post(confirm))
        .route("/mot-cua/nguon", post(save_source))
        .route("/mot-cua/mau.xlsx", get(template))
        .route("/cong-khai/mot-cua", get(public))
}
