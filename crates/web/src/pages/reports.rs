//! Periodic reports pages (issue #19).
//!
//! - `/bao-cao?nam=` — the year's reporting rounds: for the office and readers of every unit,
//!   each round's counts (asked, submitted, accepted, late); for a unit's staff, their own
//!   report of each round; the office opens a round here;
//! - `/bao-cao/mau-bieu` — the report forms (YAML, `docs/reporting.md`): the office writes a new
//!   one or a new definition of one without a release;
//! - `/bao-cao/dot/{id}` — a round: every unit asked and where its report stands, the
//!   province's consolidation of the accepted reports (page, XLSX, DOCX), close/reopen;
//! - `/bao-cao/dot/{id}/don-vi/{code}` — a unit's report: narratives and tables (computed cells
//!   shown, every problem at its cell), the signed report attached; its staff save, its leader
//!   submits, the office accepts or returns with a reason.
//!
//! Who reads and who writes is `app::reporting`; forms, checks and consolidation are
//! `core::reporting`; files are `parindex_reports::report_form`.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::Router;
use axum::extract::{Form, Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use parindex_core::reporting::{CellKind, CellProblem, Content, ReportStatus, RoundKind, cell_field, shown};
use parindex_core::text::{format_date, format_time_vn, parse_date};
use parindex_core::{Lang, Msg};
use parindex_store::repo::reporting::{ReportAction, RoundInput, RoundRow, RoundUnit, raw_of};
use serde::Deserialize;

use crate::AppState;
use crate::app::reporting::{manages, reads_all, reads_unit, submits, writes};
use crate::chrome::{Page, form_refusal, render};
use crate::ctx::Ctx;
use crate::error::AppError;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn status_class(s: ReportStatus) -> &'static str {
    match s {
        ReportStatus::Accepted => "ok",
        ReportStatus::Submitted => "",
        ReportStatus::Returned => "warn",
        ReportStatus::Draft | ReportStatus::Missing => "off",
    }
}

fn status_text(lang: Lang, s: ReportStatus) -> String {
    lang.pick(s.label().0, s.label().1).to_string()
}

/// Signed in (401), and allowed (403).
fn allowed(ctx: &Ctx, ok: bool) -> Result<(), AppError> {
    match (ctx.actor.is_some(), ok) {
        (false, _) => Err(AppError::Unauthenticated),
        (true, false) => Err(AppError::Forbidden),
        (true, true) => Ok(()),
    }
}

// ---------------------------------------------------------------------------------------------
// The year's rounds

#[derive(Deserialize, Default)]
struct ListQuery {
    nam: Option<i32>,
    ghi: Option<String>,
}

struct RoundLine {
    id: i64,
    label: String,
    kind: String,
    deadline: String,
    form: String,
    closed: bool,
    asked: usize,
    submitted: usize,
    accepted: usize,
    late: usize,
    /// A unit's own report: its status, class and the link.
    own: Option<(String, &'static str, String)>,
}

#[derive(Deserialize, Default, Clone)]
struct RoundForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    label: String,
    #[serde(default)]
    form_code: String,
    #[serde(default)]
    deadline: String,
    /// The months the figures cover ("" for none).
    #[serde(default)]
    month_from: String,
    #[serde(default)]
    month_to: String,
    /// Unit kinds, comma-separated (the page's check boxes are joined by the handler).
    #[serde(default)]
    targets: String,
}

#[derive(Template)]
#[template(path = "reports.html")]
struct ListPage {
    page: Page,
    year: i32,
    flash: Option<String>,
    manages: bool,
    all_units: bool,
    rounds: Vec<RoundLine>,
    kinds: Vec<(&'static str, String)>,
    forms: Vec<(String, String)>,
    unit_kinds: Vec<(String, String, bool)>,
    form: RoundForm,
    error: Option<String>,
}

/// Counts of a round's units: submitted (or accepted), accepted, late (not submitted after the
/// deadline).
fn counts(units: &[RoundUnit], round: &RoundRow, today: chrono::NaiveDate) -> (usize, usize, usize) {
    let submitted = units.iter().filter(|u| matches!(u.status, ReportStatus::Submitted | ReportStatus::Accepted)).count();
    let accepted = units.iter().filter(|u| u.status == ReportStatus::Accepted).count();
    let late = units
        .iter()
        .filter(|u| u.report.as_ref().map(|r| r.facts(round.deadline)).is_none_or(|f| f.late(today)) && today > round.deadline)
        .count();
    (submitted, accepted, late)
}

async fn list(State(state): State<AppState>, ctx: Ctx, Query(q): Query<ListQuery>) -> Result<Response, AppError> {
    draw_list(&state, &ctx, q.nam, q.ghi.as_deref(), None).await
}

async fn draw_list(
    state: &AppState,
    ctx: &Ctx,
    year: Option<i32>,
    saved: Option<&str>,
    kept: Option<(RoundForm, String)>,
) -> Result<Response, AppError> {
    let (year, own_unit) = crate::app::onestop::year_and_unit(state, ctx, year, None).await?;
    let lang = ctx.lang;
    let today = parindex_core::assessment::today_vn();
    let all_units = reads_all(ctx);
    let mut rounds = Vec::new();
    for r in state.store.report_rounds(year).await? {
        let units = state.store.round_units(&r).await?;
        let own = match own_unit {
            Some(u) => match units.iter().find(|x| x.unit_id == u) {
                Some(x) => Some((status_text(lang, x.status), status_class(x.status), format!("/bao-cao/dot/{}/don-vi/{}", r.id, x.code))),
                None => continue, // the round does not ask this unit
            },
            None => None,
        };
        let (submitted, accepted, late) = counts(&units, &r, today);
        rounds.push(RoundLine {
            id: r.id,
            label: r.label.clone(),
            kind: lang.pick(r.kind.label().0, r.kind.label().1).to_string(),
            deadline: format_date(r.deadline),
            form: r.form.title.clone(),
            closed: r.closed,
            asked: units.len(),
            submitted,
            accepted,
            late,
            own,
        });
    }
    let refused = kept.is_some();
    let (form, error) = match kept {
        Some((f, e)) => (f, Some(e)),
        None => (RoundForm { targets: "agency".into(), ..Default::default() }, None),
    };
    let chosen: Vec<&str> = form.targets.split(',').collect();
    let flash = saved.map(|_| ctx.t("bc.round_opened").to_string());
    let page = Page::new(ctx, state, ctx.t("bc.title"), "/bao-cao").crumb(ctx.t("bc.title"), "");
    let mut r = render(&ListPage {
        page,
        year,
        flash,
        manages: manages(ctx),
        all_units,
        rounds,
        kinds: RoundKind::ALL.iter().map(|k| (k.key(), lang.pick(k.label().0, k.label().1).to_string())).collect(),
        forms: state.store.report_forms().await?.into_iter().map(|f| (f.code, f.title)).collect(),
        unit_kinds: state
            .store
            .unit_kinds()
            .await?
            .into_iter()
            .filter(|k| k.code != "province")
            .map(|k| {
                let on = chosen.contains(&k.code.as_str());
                (k.code, lang.pick(&k.name_vi, &k.name_en).to_string(), on)
            })
            .collect(),
        form,
        error,
    });
    if refused {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

#[derive(Deserialize)]
struct YearQuery {
    nam: Option<i32>,
}

/// The office opens a round. The page posts its check boxes as repeated `target` fields.
async fn open_round(State(state): State<AppState>, ctx: Ctx, Query(y): Query<YearQuery>, body: String) -> Result<Response, AppError> {
    allowed(&ctx, manages(&ctx))?;
    let pairs: Vec<(String, String)> = form_urlencoded::parse(body.as_bytes()).into_owned().take(100).collect();
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let f = RoundForm {
        kind: get("kind"),
        label: get("label"),
        form_code: get("form_code"),
        deadline: get("deadline"),
        month_from: get("month_from"),
        month_to: get("month_to"),
        targets: pairs.iter().filter(|(n, _)| n == "target").map(|(_, v)| v.as_str()).collect::<Vec<_>>().join(","),
    };
    let year = y.nam.filter(|y| (2000..=2100).contains(y)).unwrap_or(chrono::Datelike::year(&parindex_core::assessment::today_vn()));
    let say = |vi: &str, en: &str| Msg::new(vi, en).get(ctx.lang.code()).to_string();
    let month = |m: &str| m.trim().parse::<u32>().ok();
    let months = match (f.month_from.trim(), f.month_to.trim()) {
        ("", "") => Ok(None),
        (a, b) => match (month(a), month(b)) {
            (Some(a), Some(b)) => Ok(Some([a, b])),
            _ => Err(()),
        },
    };
    let result = match (RoundKind::parse(&f.kind), parse_date(&f.deadline), months) {
        (None, _, _) => Err(Ok(say("Hãy chọn loại báo cáo.", "Choose the kind of report."))),
        (_, None, _) => Err(Ok(say("Ghi hạn gửi báo cáo theo dạng dd/mm/yyyy.", "Write the deadline as dd/mm/yyyy."))),
        (_, _, Err(())) => Err(Ok(say(
            "Chọn cả tháng đầu và tháng cuối kỳ số liệu, hoặc để trống cả hai.",
            "Choose both the first and the last month of the figures, or neither.",
        ))),
        (Some(kind), Some(deadline), Ok(months)) => {
            let input = RoundInput {
                year,
                kind,
                label: f.label.clone(),
                form_code: f.form_code.clone(),
                targets: f.targets.split(',').map(str::to_string).collect(),
                deadline,
                months,
            };
            state.store.open_report_round(&ctx.audit(), input).await.map(|_| ()).map_err(|e| form_refusal(&ctx, e))
        }
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/bao-cao?nam={year}&ghi=1")).into_response()),
        Err(Ok(text)) => draw_list(&state, &ctx, Some(year), None, Some((f, text))).await,
        Err(Err(e)) => Err(e),
    }
}

// ---------------------------------------------------------------------------------------------
// Forms

#[derive(Template)]
#[template(path = "report_forms.html")]
struct FormsPage {
    page: Page,
    forms: Vec<(String, String, usize, String)>,
    yaml: String,
    errors: Vec<String>,
    flash: Option<String>,
}

#[derive(Deserialize, Default)]
struct FormsQuery {
    ma: Option<String>,
    ghi: Option<String>,
}

async fn forms(State(state): State<AppState>, ctx: Ctx, Query(q): Query<FormsQuery>) -> Result<Response, AppError> {
    allowed(&ctx, manages(&ctx) || reads_all(&ctx))?;
    let stored = state.store.report_forms().await?;
    // the text area holds the form asked for, else the first stored, else the sample
    let yaml = match q.ma.as_deref().and_then(|c| stored.iter().find(|f| f.code == c)).or(stored.first()) {
        Some(f) => parindex_reports::report_form::form_to_yaml(&f.form),
        None => include_str!("../../../../report-forms/bao-cao-cchc.yaml").to_string(),
    };
    draw_forms(&state, &ctx, yaml, Vec::new(), q.ghi.map(|_| ctx.t("bc.form_saved").to_string())).await
}

async fn draw_forms(state: &AppState, ctx: &Ctx, yaml: String, errors: Vec<String>, flash: Option<String>) -> Result<Response, AppError> {
    let refused = !errors.is_empty();
    let page = Page::new(ctx, state, ctx.t("bc.forms"), "/bao-cao").crumb(ctx.t("bc.title"), "/bao-cao").crumb(ctx.t("bc.forms"), "");
    let forms = state
        .store
        .report_forms()
        .await?
        .into_iter()
        .map(|f| (f.code, f.title, f.form.sections.len(), format!("{} · {}", f.updated_by, format_time_vn(f.updated_at))))
        .collect();
    let mut r = render(&FormsPage { page, forms, yaml, errors, flash });
    if refused {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

#[derive(Deserialize)]
struct FormText {
    #[serde(default)]
    yaml: String,
}

async fn save_form(State(state): State<AppState>, ctx: Ctx, Form(f): Form<FormText>) -> Result<Response, AppError> {
    allowed(&ctx, manages(&ctx))?;
    match parindex_reports::report_form::read_form("mau-bieu.yaml", f.yaml.as_bytes()) {
        Ok(form) => {
            let code = form.code.clone();
            match state.store.set_report_form(&ctx.audit(), form).await {
                Ok(_) => Ok(Redirect::to(&format!("/bao-cao/mau-bieu?ma={code}&ghi=1")).into_response()),
                Err(e) => match form_refusal(&ctx, e) {
                    Ok(text) => draw_forms(&state, &ctx, f.yaml, vec![text], None).await,
                    Err(e) => Err(e),
                },
            }
        }
        Err(problems) => {
            let errors = problems.iter().map(|m| m.get(ctx.lang.code()).to_string()).collect();
            draw_forms(&state, &ctx, f.yaml, errors, None).await
        }
    }
}

// ---------------------------------------------------------------------------------------------
// A round

struct UnitLine {
    code: String,
    name: String,
    status: String,
    class: &'static str,
    submitted: String,
    timing: String,
    timing_class: &'static str,
    decided: String,
}

/// A table as a page draws it.
struct TableView {
    key: String,
    title: String,
    hint: Option<String>,
    header: Vec<String>,
    rows: Vec<RowView>,
}

struct RowView {
    title: String,
    computed: bool,
    cells: Vec<CellView>,
}

struct CellView {
    name: String,
    value: String,
    computed: bool,
    text: bool,
    label: String,
    error: Option<String>,
}

struct NarrativeView {
    key: String,
    title: String,
    hint: Option<String>,
    /// The unit's text (a report) or each unit's (a consolidation).
    texts: Vec<(String, String)>,
    error: Option<String>,
}

enum SectionView {
    Table(TableView),
    Narrative(NarrativeView),
}

/// Every section of a content as the page draws it: entered values (or what was typed, kept
/// after a refusal), computed cells from the entered ones, each problem at its place.
fn sections_of(
    lang: Lang,
    form: &parindex_core::reporting::Form,
    content: &Content,
    typed: Option<&HashMap<String, String>>,
    problems: &[CellProblem],
    narratives: Option<&BTreeMap<String, Vec<(String, String)>>>,
) -> Vec<SectionView> {
    let vi = lang == Lang::Vi;
    let pick = |v: &str, e: &Option<String>| if vi { v.to_string() } else { e.clone().unwrap_or_else(|| v.to_string()) };
    // at the cell, the message without the table and row it already sits in
    let mut errors: HashMap<String, String> = HashMap::new();
    for p in problems {
        let m = p.message.get(lang.code());
        let short = m.split_once("»: ").map(|(_, rest)| rest).unwrap_or(m);
        errors.entry(p.field()).or_insert_with(|| short.to_string());
    }
    let mut out = Vec::new();
    for s in &form.sections {
        let title = pick(&s.title, &s.title_en);
        match &s.table {
            None => {
                let name = format!("n.{}", s.key);
                let texts = match narratives {
                    Some(n) => n.get(&s.key).cloned().unwrap_or_default(),
                    None => vec![(
                        String::new(),
                        typed.and_then(|t| t.get(&name).cloned()).or_else(|| content.narratives.get(&s.key).cloned()).unwrap_or_default(),
                    )],
                };
                out.push(SectionView::Narrative(NarrativeView {
                    key: s.key.clone(),
                    title,
                    hint: s.hint.clone(),
                    texts,
                    error: errors.get(&name).cloned(),
                }));
            }
            Some(t) => {
                let values = form.evaluate(&s.key, content);
                let cells = content.cells.get(&s.key);
                let header = t.columns.iter().map(|c| pick(&c.title, &c.title_en)).collect();
                let rows = t
                    .rows
                    .iter()
                    .map(|r| RowView {
                        title: pick(&r.title, &r.title_en),
                        computed: r.formula.is_some(),
                        cells: t
                            .columns
                            .iter()
                            .map(|c| {
                                let name = cell_field(&s.key, &r.key, &c.key);
                                let computed = (r.formula.is_some() && c.kind != CellKind::Text) || c.formula.is_some();
                                let stored = || {
                                    let key = format!("{}.{}", r.key, c.key);
                                    match c.kind {
                                        CellKind::Text => cells.and_then(|m| m.get(&key)).cloned().unwrap_or_default(),
                                        _ if computed => values.get(&key).map(|x| shown(x, vi)).unwrap_or_default(),
                                        _ => cells
                                            .and_then(|m| m.get(&key))
                                            .and_then(|v| parindex_core::Exact::parse(v))
                                            .map(|x| shown(&x, vi))
                                            .unwrap_or_default(),
                                    }
                                };
                                let value =
                                    if computed { stored() } else { typed.and_then(|t| t.get(&name).cloned()).unwrap_or_else(stored) };
                                CellView {
                                    label: format!("{} — {}", pick(&r.title, &r.title_en), pick(&c.title, &c.title_en)),
                                    error: errors.get(&name).cloned(),
                                    name,
                                    value,
                                    computed,
                                    text: c.kind == CellKind::Text,
                                }
                            })
                            .collect(),
                    })
                    .collect();
                out.push(SectionView::Table(TableView { key: s.key.clone(), title, hint: s.hint.clone(), header, rows }));
            }
        }
    }
    out
}

#[derive(Template)]
#[template(path = "report_round.html")]
struct RoundPage {
    page: Page,
    round: RoundRow,
    kind: String,
    deadline: String,
    targets: String,
    manages: bool,
    units: Vec<UnitLine>,
    asked: usize,
    submitted: usize,
    accepted: usize,
    late: usize,
    sections: Vec<SectionView>,
    flash: Option<String>,
}

#[derive(Deserialize, Default)]
struct RoundQuery {
    ghi: Option<String>,
}

/// A round the actor reads as a whole (the office, readers of every unit); a unit's staff are
/// taken to their own report of it.
async fn round_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<RoundQuery>,
) -> Result<Response, AppError> {
    let Some(actor) = &ctx.actor else { return Err(AppError::Unauthenticated) };
    let round = state.store.report_round(id).await?;
    if !reads_all(&ctx) {
        let unit = actor.unit_id.filter(|u| reads_unit(&ctx, *u)).ok_or(AppError::NotFound)?;
        let code = state.store.round_units(&round).await?.into_iter().find(|u| u.unit_id == unit).ok_or(AppError::NotFound)?.code;
        return Ok(Redirect::to(&format!("/bao-cao/dot/{id}/don-vi/{code}")).into_response());
    }
    let lang = ctx.lang;
    let today = parindex_core::assessment::today_vn();
    let units = state.store.round_units(&round).await?;
    let (submitted, accepted, late) = counts(&units, &round, today);
    let consolidated = state.store.consolidate_round(&round).await?;
    let sections = sections_of(lang, &round.form, &consolidated.content, None, &[], Some(&consolidated.narratives));
    let kinds: HashMap<String, String> =
        state.store.unit_kinds().await?.into_iter().map(|k| (k.code, lang.pick(&k.name_vi, &k.name_en).to_string())).collect();
    let lines = units
        .iter()
        .map(|u| {
            let facts = u.report.as_ref().map(|r| r.facts(round.deadline));
            let (timing, timing_class) = match facts {
                Some(f) if f.on_time() => (lang.pick("Đúng hạn", "On time").to_string(), "ok"),
                Some(f) if f.first_submitted_on.is_some() => (lang.pick("Trễ hạn", "Late").to_string(), "warn"),
                _ if today > round.deadline => (lang.pick("Chưa gửi — quá hạn", "Not sent — overdue").to_string(), "err"),
                _ => (lang.pick("Chưa gửi", "Not sent").to_string(), ""),
            };
            UnitLine {
                code: u.code.clone(),
                name: u.name.clone(),
                status: status_text(lang, u.status),
                class: status_class(u.status),
                submitted: u.report.as_ref().and_then(|r| r.first_submitted_at).map(format_time_vn).unwrap_or_else(|| "—".into()),
                timing,
                timing_class,
                decided: u
                    .report
                    .as_ref()
                    .and_then(|r| r.decided_by.as_ref().map(|b| format!("{b} · {}", r.decided_at.map(format_time_vn).unwrap_or_default())))
                    .unwrap_or_default(),
            }
        })
        .collect();
    let page = Page::new(&ctx, &state, round.label.clone(), "/bao-cao")
        .crumb(ctx.t("bc.title"), format!("/bao-cao?nam={}", round.year))
        .crumb(round.label.clone(), "");
    Ok(render(&RoundPage {
        page,
        kind: lang.pick(round.kind.label().0, round.kind.label().1).to_string(),
        deadline: format_date(round.deadline),
        targets: round.targets.iter().map(|t| kinds.get(t).cloned().unwrap_or_else(|| t.clone())).collect::<Vec<_>>().join(", "),
        manages: manages(&ctx),
        asked: units.len(),
        submitted,
        accepted,
        late,
        units: lines,
        sections,
        flash: q.ghi.map(|_| ctx.t("bc.saved").to_string()),
        round,
    }))
}

#[derive(Deserialize)]
struct CloseForm {
    closed: String,
}

async fn close_round(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>, Form(f): Form<CloseForm>) -> Result<Response, AppError> {
    allowed(&ctx, manages(&ctx))?;
    state.store.close_report_round(&ctx.audit(), id, f.closed == "1").await?;
    Ok(Redirect::to(&format!("/bao-cao/dot/{id}?ghi=1")).into_response())
}

/// The province's consolidation of a round, as XLSX or DOCX (Decree 30 layout).
async fn consolidation(State(state): State<AppState>, ctx: Ctx, Path((id, file)): Path<(i64, String)>) -> Result<Response, AppError> {
    if ctx.actor.is_none() {
        return Err(AppError::Unauthenticated);
    }
    if !reads_all(&ctx) {
        return Err(AppError::NotFound);
    }
    let round = state.store.report_round(id).await?;
    let c = state.store.consolidate_round(&round).await?;
    let vi = ctx.lang == Lang::Vi;
    let title = format!("{} — {}", round.form.title, round.label);
    let name = format!("tong-hop-bao-cao-{id}");
    match file.as_str() {
        "tong-hop.xlsx" => {
            let bytes = parindex_reports::report_form::report_xlsx(&round.form, &c, &title, vi)
                .map_err(|e| AppError::Internal(format!("xlsx: {e}")))?;
            Ok(crate::chrome::download(bytes, XLSX, &format!("{name}.xlsx")))
        }
        "tong-hop.docx" => {
            let mut doc = crate::pages::documents::skeleton_for(&state, &ctx, "BC-SNV", "BÁO CÁO", "REPORT", title).await;
            doc.blocks.push(parindex_reports::document::Block::runs(vec![parindex_reports::document::Run::italic(if vi {
                format!("Tổng hợp từ {} báo cáo của các đơn vị đã được tiếp nhận; các phần nội dung ghi theo từng đơn vị để Văn phòng biên tập.", c.reports)
            } else {
                format!("Consolidated from {} accepted unit reports; narratives are given per unit for the office to edit.", c.reports)
            })]));
            doc.blocks.extend(parindex_reports::report_form::report_blocks(&round.form, &c, vi));
            crate::pages::documents::send_document(doc, &name, "docx").await
        }
        _ => Err(AppError::NotFound),
    }
}

// ---------------------------------------------------------------------------------------------
// A unit's report

#[derive(Template)]
#[template(path = "report_unit.html")]
struct UnitPage {
    page: Page,
    round: RoundRow,
    deadline: String,
    unit_code: String,
    unit_name: String,
    status: String,
    class: &'static str,
    timing: String,
    returned: Option<String>,
    submitted_line: String,
    file: bool,
    version: i32,
    editable: bool,
    can_submit: bool,
    decides: bool,
    sections: Vec<SectionView>,
    problems: Vec<(String, String)>,
    error: Option<String>,
    flash: Option<String>,
    /// The cells pre-filled from the one-stop register (a report not yet written), and whether
    /// a draft may be filled again from it.
    fill_note: Option<String>,
    fill_cells: Vec<String>,
    can_fill: bool,
}

struct Drawn {
    typed: Option<HashMap<String, String>>,
    problems: Vec<CellProblem>,
    error: Option<String>,
    flash: Option<String>,
    refused: bool,
}

/// The round and the unit of a report the actor reads (404 for anyone else's, and for a unit
/// the round does not ask).
async fn readable(state: &AppState, ctx: &Ctx, id: i64, code: &str) -> Result<(RoundRow, i64, String), AppError> {
    if ctx.actor.is_none() {
        return Err(AppError::Unauthenticated);
    }
    let round = state.store.report_round(id).await?;
    let unit = state.store.unit_id_by_code(code).await?.ok_or(AppError::NotFound)?;
    if !reads_unit(ctx, unit) {
        return Err(AppError::NotFound);
    }
    let name = state.store.round_units(&round).await?.into_iter().find(|u| u.unit_id == unit).ok_or(AppError::NotFound)?.name;
    Ok((round, unit, name))
}

async fn draw_unit(state: &AppState, ctx: &Ctx, id: i64, code: &str, d: Drawn) -> Result<Response, AppError> {
    let (round, unit, unit_name) = readable(state, ctx, id, code).await?;
    let lang = ctx.lang;
    let report = state.store.unit_report(&round, unit).await?;
    let status = report.as_ref().map(|r| r.status).unwrap_or(ReportStatus::Missing);
    let content = report.as_ref().map(|r| r.content.clone()).unwrap_or_default();
    let today = parindex_core::assessment::today_vn();
    let facts = report.as_ref().map(|r| r.facts(round.deadline));
    let timing = match facts {
        Some(f) if f.on_time() => lang.pick("Gửi đúng hạn", "Sent on time").to_string(),
        Some(f) if f.first_submitted_on.is_some() => lang.pick("Gửi trễ hạn", "Sent late").to_string(),
        _ if today > round.deadline => lang.pick("Chưa gửi — đã quá hạn", "Not sent — overdue").to_string(),
        _ => lang.pick("Chưa gửi", "Not sent").to_string(),
    };
    // a report not written yet starts from what the one-stop register knows of its months
    let editable = !round.closed && status.editable() && writes(ctx, unit);
    let fill = if editable { state.store.report_register_fill(&round, unit).await? } else { Default::default() };
    let prefill = report.is_none() && d.typed.is_none() && !fill.raw.is_empty();
    let fill_note = prefill.then(|| {
        ctx.t("bc.fill_note")
            .replace("{from}", &fill.from.to_string())
            .replace("{to}", &fill.to.to_string())
            .replace("{year}", &round.year.to_string())
            .replace("{months}", &fill.months.to_string())
    });
    let d = if prefill { Drawn { typed: Some(fill.raw.clone()), ..d } } else { d };
    // the checks a draft fails are shown where they are, before anyone submits
    let problems = if d.typed.is_some() || !d.problems.is_empty() {
        d.problems
    } else if report.is_some() && status.editable() {
        round.form.problems(&content, false)
    } else {
        Vec::new()
    };
    let sections = sections_of(lang, &round.form, &content, d.typed.as_ref(), &problems, None);
    let page = Page::new(ctx, state, format!("{} — {}", round.label, unit_name), "/bao-cao")
        .crumb(ctx.t("bc.title"), format!("/bao-cao?nam={}", round.year))
        .crumb(round.label.clone(), format!("/bao-cao/dot/{id}"))
        .crumb(unit_name.clone(), "");
    let mut r = render(&UnitPage {
        deadline: format_date(round.deadline),
        unit_code: code.to_string(),
        unit_name,
        status: status_text(lang, status),
        class: status_class(status),
        timing,
        returned: report.as_ref().filter(|r| r.status == ReportStatus::Returned).and_then(|r| r.returned_reason.clone()),
        submitted_line: report
            .as_ref()
            .and_then(|r| r.submitted_at.map(|t| format!("{} · {}", r.submitted_by.clone().unwrap_or_default(), format_time_vn(t))))
            .unwrap_or_default(),
        file: report.as_ref().is_some_and(|r| r.file_id.is_some()),
        version: report.as_ref().map(|r| r.version).unwrap_or(0),
        editable,
        fill_cells: if prefill { round.form.onestop_cells(lang.code()) } else { Vec::new() },
        fill_note,
        can_fill: report.is_some() && !fill.raw.is_empty(),
        can_submit: !round.closed && status.editable() && submits(ctx, unit),
        decides: !round.closed && status == ReportStatus::Submitted && manages(ctx),
        problems: problems.iter().map(|p| (p.field(), p.message.get(lang.code()).to_string())).collect(),
        sections,
        error: d.error,
        flash: d.flash,
        page,
        round,
    });
    if d.refused {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

async fn unit_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, code)): Path<(i64, String)>,
    Query(q): Query<RoundQuery>,
) -> Result<Response, AppError> {
    let flash = match q.ghi.as_deref() {
        Some("luu") => Some(ctx.t("bc.saved").to_string()),
        Some("dien") => Some(ctx.t("bc.filled").to_string()),
        Some("gui") => Some(ctx.t("bc.submitted").to_string()),
        Some("quyet-dinh") => Some(ctx.t("bc.decided").to_string()),
        _ => None,
    };
    draw_unit(&state, &ctx, id, &code, Drawn { typed: None, problems: Vec::new(), error: None, flash, refused: false }).await
}

/// Save (the unit's staff) and/or submit (its leader): the content read through the form, the
/// signed file kept in the unit's library; every problem shown at its cell, nothing written.
async fn write(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, code)): Path<(i64, String)>,
    mut mp: Multipart,
) -> Result<Response, AppError> {
    let (round, unit, _) = readable(&state, &ctx, id, &code).await?;
    let (may_write, may_submit) = (writes(&ctx, unit), submits(&ctx, unit));
    allowed(&ctx, may_write || may_submit)?;
    let mut raw: HashMap<String, String> = HashMap::new();
    let mut file_id = None;
    let refuse = |typed: HashMap<String, String>, problems: Vec<CellProblem>, error: Option<String>| Drawn {
        typed: Some(typed),
        problems,
        error,
        flash: None,
        refused: true,
    };
    while let Some(mut field) = mp.next_field().await.map_err(crate::pages::evidence::multipart_error)? {
        if field.name() == Some("file") {
            if !may_write {
                continue;
            }
            match crate::pages::evidence::take_upload(&state, &ctx, unit, &mut field).await? {
                crate::pages::evidence::Upload::None => {}
                crate::pages::evidence::Upload::Kept(f) => file_id = Some(f.id),
                crate::pages::evidence::Upload::Refused(text) | crate::pages::evidence::Upload::TooLarge(text) => {
                    return draw_unit(&state, &ctx, id, &code, refuse(raw, Vec::new(), Some(text))).await;
                }
            }
        } else if let Some(name) = field.name().map(str::to_string) {
            if raw.len() > 20_000 {
                return Err(AppError::BadRequest(Msg::new("Biểu mẫu có quá nhiều trường.", "The form has too many fields.")));
            }
            raw.insert(name, field.text().await.unwrap_or_default());
        }
    }
    let submit = raw.get("action").is_some_and(|a| a == "submit");
    let refill = raw.get("action").is_some_and(|a| a == "fill") && may_write;
    if refill {
        // what was typed elsewhere is kept; the register's cells take its figures
        raw.extend(state.store.report_register_fill(&round, unit).await?.raw);
    }
    let version: i32 = raw.get("version").and_then(|v| v.parse().ok()).unwrap_or(0);
    let report = state.store.unit_report(&round, unit).await?;
    let mut content = report.as_ref().map(|r| r.content.clone()).unwrap_or_default();
    let mut version = version;
    if may_write {
        let (read, problems) = round.form.read(&raw);
        if !problems.is_empty() {
            let text = ctx.t("bc.cells_refused").to_string();
            return draw_unit(&state, &ctx, id, &code, refuse(raw, problems, Some(text))).await;
        }
        content = read;
        match state.store.write_report(&ctx.audit(), id, unit, ReportAction::Save { content: content.clone(), file_id }, version).await {
            Ok(r) => version = r.version,
            Err(e) => {
                let text = form_refusal(&ctx, e)?;
                return draw_unit(&state, &ctx, id, &code, refuse(raw, Vec::new(), Some(text))).await;
            }
        }
    }
    if !submit {
        // the checks a draft fails are shown at their cells on the page it returns to
        let said = if refill { "dien" } else { "luu" };
        return Ok(Redirect::to(&format!("/bao-cao/dot/{id}/don-vi/{code}?ghi={said}")).into_response());
    }
    if !may_submit {
        return Err(AppError::Forbidden);
    }
    let problems = round.form.problems(&content, true);
    if !problems.is_empty() {
        let text = ctx.t("bc.not_complete").to_string();
        let typed = if may_write { raw } else { raw_of(&content) };
        return draw_unit(&state, &ctx, id, &code, refuse(typed, problems, Some(text))).await;
    }
    match state.store.write_report(&ctx.audit(), id, unit, ReportAction::Submit, version).await {
        Ok(_) => Ok(Redirect::to(&format!("/bao-cao/dot/{id}/don-vi/{code}?ghi=gui")).into_response()),
        Err(e) => {
            let text = form_refusal(&ctx, e)?;
            draw_unit(&state, &ctx, id, &code, Drawn { typed: None, problems: Vec::new(), error: Some(text), flash: None, refused: true })
                .await
        }
    }
}

#[derive(Deserialize)]
struct DecideForm {
    action: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    version: i32,
}

/// The office accepts a submitted report or returns it with the reason.
async fn decide(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, code)): Path<(i64, String)>,
    Form(f): Form<DecideForm>,
) -> Result<Response, AppError> {
    let (_, unit, _) = readable(&state, &ctx, id, &code).await?;
    allowed(&ctx, manages(&ctx))?;
    let action = match f.action.as_str() {
        "accept" => ReportAction::Accept,
        "return" => ReportAction::Return { reason: f.reason.clone() },
        _ => return Err(AppError::BadRequest(Msg::new("Hãy chọn tiếp nhận hoặc trả lại.", "Choose accept or return."))),
    };
    match state.store.write_report(&ctx.audit(), id, unit, action, f.version).await {
        Ok(_) => Ok(Redirect::to(&format!("/bao-cao/dot/{id}/don-vi/{code}?ghi=quyet-dinh")).into_response()),
        Err(e) => {
            let text = form_refusal(&ctx, e)?;
            draw_unit(&state, &ctx, id, &code, Drawn { typed: None, problems: Vec::new(), error: Some(text), flash: None, refused: true })
                .await
        }
    }
}

/// The signed report's file (the unit's staff and readers of every unit).
async fn signed_file(State(state): State<AppState>, ctx: Ctx, Path((id, code)): Path<(i64, String)>) -> Result<Response, AppError> {
    let (round, unit, _) = readable(&state, &ctx, id, &code).await?;
    let report = state.store.unit_report(&round, unit).await?.ok_or(AppError::NotFound)?;
    let file = state.store.get_evidence(report.file_id.ok_or(AppError::NotFound)?).await?;
    crate::pages::evidence::send_file(&state, &ctx, &file, false).await
}

/// A unit's report as XLSX (its tables with computed cells, its narratives).
async fn unit_xlsx(State(state): State<AppState>, ctx: Ctx, Path((id, code)): Path<(i64, String)>) -> Result<Response, AppError> {
    let (round, unit, name) = readable(&state, &ctx, id, &code).await?;
    let report = state.store.unit_report(&round, unit).await?.ok_or(AppError::NotFound)?;
    let c = round.form.consolidate(&[(name.clone(), &report.content)]);
    let bytes = parindex_reports::report_form::report_xlsx(
        &round.form,
        &c,
        &format!("{} — {} — {name}", round.form.title, round.label),
        ctx.lang == Lang::Vi,
    )
    .map_err(|e| AppError::Internal(format!("xlsx: {e}")))?;
    Ok(crate::chrome::download(bytes, XLSX, &format!("bao-cao-{id}-{code}.xlsx")))
}

/// The unit's report as an Excel template to fill and upload again (what it holds filled in).
async fn template(State(state): State<AppState>, ctx: Ctx, Path((id, code)): Path<(i64, String)>) -> Result<Response, AppError> {
    let (round, unit, name) = readable(&state, &ctx, id, &code).await?;
    let content = state.store.unit_report(&round, unit).await?.map(|r| r.content).unwrap_or_default();
    let bytes = parindex_reports::report_form::report_template_xlsx(
        &round.form,
        &content,
        &format!("{} — {name}", round.label),
        ctx.lang == Lang::Vi,
    )
    .map_err(|e| AppError::Internal(format!("xlsx: {e}")))?;
    Ok(crate::chrome::download(bytes, XLSX, &format!("mau-bao-cao-{id}-{code}.xlsx")))
}

/// A filled template uploaded by the unit's staff: read whole (the file's problems, then every
/// refused cell shown at its cell, nothing written), then saved as the draft.
async fn upload(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, code)): Path<(i64, String)>,
    mut mp: Multipart,
) -> Result<Response, AppError> {
    let (round, unit, _) = readable(&state, &ctx, id, &code).await?;
    allowed(&ctx, writes(&ctx, unit))?;
    let mut file: Option<(String, Vec<u8>)> = None;
    let limit = state.config.max_upload_bytes;
    while let Some(mut field) = mp.next_field().await.map_err(crate::pages::evidence::multipart_error)? {
        if field.name() != Some("file") {
            continue;
        }
        file = Some(crate::pages::evidence::file_field(&mut field, "bao-cao.xlsx", limit).await?);
    }
    let refuse = |typed, problems, error: String| Drawn { typed, problems, error: Some(error), flash: None, refused: true };
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        let text = Msg::new("Hãy chọn tệp Excel đã điền.", "Choose the filled Excel file.").get(ctx.lang.code()).to_string();
        return draw_unit(&state, &ctx, id, &code, refuse(None, Vec::new(), text)).await;
    };
    let raw = match parindex_reports::report_form::read_report_xlsx(&name, &bytes, &round.form) {
        Ok(raw) => raw,
        Err(msgs) => {
            let text = msgs.iter().map(|m| m.get(ctx.lang.code()).to_string()).collect::<Vec<_>>().join(" ");
            return draw_unit(&state, &ctx, id, &code, refuse(None, Vec::new(), text)).await;
        }
    };
    let (content, problems) = round.form.read(&raw);
    if !problems.is_empty() {
        let text = format!("{} {}", name, ctx.t("bc.cells_refused"));
        return draw_unit(&state, &ctx, id, &code, refuse(Some(raw), problems, text)).await;
    }
    match state.store.write_report(&ctx.audit(), id, unit, ReportAction::Save { content, file_id: None }, 0).await {
        Ok(_) => Ok(Redirect::to(&format!("/bao-cao/dot/{id}/don-vi/{code}?ghi=luu")).into_response()),
        Err(e) => {
            let text = form_refusal(&ctx, e)?;
            draw_unit(&state, &ctx, id, &code, refuse(None, Vec::new(), text)).await
        }
    }
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/bao-cao", get(list))
        .route("/bao-cao/dot", post(open_round))
        .route("/bao-cao/mau-bieu", get(forms).post(save_form))
        .route("/bao-cao/dot/{id}", get(round_page))
        .route("/bao-cao/dot/{id}/dong", post(close_round))
        .route("/bao-cao/dot/{id}/{file}", get(consolidation))
        .route("/bao-cao/dot/{id}/don-vi/{code}", get(unit_page).post(write))
        .route("/bao-cao/dot/{id}/don-vi/{code}/quyet-dinh", post(decide))
        .route("/bao-cao/dot/{id}/don-vi/{code}/tep", get(signed_file))
        .route("/bao-cao/dot/{id}/don-vi/{code}/bao-cao.xlsx", get(unit_xlsx))
        .route("/bao-cao/dot/{id}/don-vi/{code}/mau.xlsx", get(template))
        .route("/bao-cao/dot/{id}/don-vi/{code}/nhap", post(upload))
}
