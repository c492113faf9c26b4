//! Results of a period (issue #6, first step) — `/periods/{id}/ket-qua[?kind=]`: the ranking
//! table with bars (index, total, group, rank; change in index and rank against the previous
//! period; per domain the points and the rank), each unit linked to its assessment (every leaf:
//! self / appraised / final, evidence, comments — the provenance); downloads as CSV and XLSX;
//! the period's scale of groups (reform office). Before publication only the reform office, the
//! council and provincial leadership read it (`Action::ViewResults`). Computation:
//! `store::repo::results`, `core::results` (ranking rule in docs/results.md).

use crate::extract::Query;
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use parindex_core::{Action, Exact, Resource};
use parindex_reports::grid::{Cell, grid_csv, grid_xlsx};
use parindex_store::StoreError;
use parindex_store::repo::results::{PeriodResults, UnitResult};
use serde::Deserialize;

use crate::AppState;
use crate::chrome::kind_label;
use crate::chrome::{Page, render};
use crate::ctx::Ctx;
use crate::error::AppError;

#[derive(Deserialize, Default)]
struct ResultsQuery {
    kind: Option<String>,
    /// A unit's name or code (accents ignored): the ranking shows the matching units, each at
    /// its rank among all.
    q: Option<String>,
    done: Option<String>,
    /// Domain weights vary within ± this many percent in the robustness check (default 10).
    /// A decimal; the Vietnamese comma is accepted (`7,5`).
    spread: Option<String>,
}

/// Replications of the robustness check on the page (the benchmark runs 10,000).
const PAGE_REPLICATIONS: usize = 2000;

pub struct Row {
    pub assessment_id: i64,
    pub rank: String,
    pub unit: String,
    pub code: String,
    pub group: String,
    pub index: String,
    /// Width of the bar, 0–100.
    pub bar: String,
    pub total: String,
    pub max: String,
    /// "+1,25" / "−0,50" / "" (no previous), and its class (up / down / same).
    pub delta: String,
    pub delta_class: &'static str,
    /// Places gained (↑2) or lost (↓1).
    pub moved: String,
    pub domains: Vec<(String, String)>,
    pub state: &'static str,
    pub missing: usize,
    /// Median rank and its 5–95 % interval under the robustness check ("3 (2–5)").
    pub robust: String,
    /// The difference with the unit ranked just above is not robust (< 95 % of replications).
    pub fragile: bool,
    /// Compared with last year through these predecessors (a merger).
    pub via: String,
}

#[derive(Template)]
#[template(path = "results.html")]
struct ResultsPage {
    page: Page,
    period_id: i64,
    period_name: String,
    /// The council's approval decision, once approved.
    /// Fed leaves without data for some units and the council's decisions (issue #18).
    data_notes: Vec<String>,
    decision: Option<String>,
    domains: Vec<(String, String)>,
    rows: Vec<Row>,
    kinds: Vec<(String, String, bool)>,
    groups: String,
    can_set_groups: bool,
    previous: Option<(String, bool)>,
    /// The framework changed and a crosswalk maps its domains.
    crosswalk: bool,
    provisional: usize,
    spread: String,
    /// The unit search as typed.
    search: String,
    /// The reform office may publish: the period is approved.
    can_publish: bool,
    /// The latest published version, if any.
    published: Option<i32>,
    period_code: String,
    error: Option<String>,
}

fn row(ctx: &Ctx, u: &UnitResult, d: u32) -> Row {
    let (delta, delta_class) = match (&u.index, u.previous.as_ref().and_then(|p| p.index.as_ref())) {
        (Some(now), Some(before)) => {
            let diff = now.clone() - before.clone();
            let text = ctx.lang.num(&diff, d);
            if diff > Exact::ZERO {
                (format!("+{text}"), "up")
            } else if diff < Exact::ZERO {
                (text.replacen('-', "−", 1), "down")
            } else {
                (text, "same")
            }
        }
        _ => (String::new(), ""),
    };
    let moved = match (u.rank, u.previous.as_ref().and_then(|p| p.rank)) {
        (Some(now), Some(before)) if now < before => format!("↑{}", before - now),
        (Some(now), Some(before)) if now > before => format!("↓{}", now - before),
        (Some(_), Some(_)) => "=".into(),
        _ => String::new(),
    };
    Row {
        assessment_id: u.assessment_id,
        rank: u.rank.map(|r| r.to_string()).unwrap_or_else(|| "—".into()),
        unit: u.unit_name.clone(),
        code: u.unit_code.clone(),
        group: u.group.clone().unwrap_or_default(),
        index: u.index.as_ref().map(|i| ctx.lang.num(i, d)).unwrap_or_else(|| "—".into()),
        bar: u.index.as_ref().map(|i| i.clamp(&Exact::ZERO, &Exact::HUNDRED).to_decimal_string(1)).unwrap_or_else(|| "0".into()),
        total: ctx.lang.num(&u.total, d),
        max: ctx.lang.num(&u.applicable_max, d),
        delta,
        delta_class,
        moved,
        domains: u.domains.iter().map(|x| (ctx.lang.num(&x.points, d), x.rank.map(|r| format!("#{r}")).unwrap_or_default())).collect(),
        state: u.state.label(ctx.lang.code()),
        missing: u.missing,
        robust: String::new(),
        fragile: false,
        via: u.previous.as_ref().map(|p| p.via.join(", ")).unwrap_or_default(),
    }
}

async fn load(state: &AppState, ctx: &Ctx, id: i64) -> Result<PeriodResults, AppError> {
    ctx.require(Action::ViewResults, Resource::System)?;
    Ok(state.store.period_results(id).await?)
}

async fn page(state: &AppState, ctx: &Ctx, id: i64, q: ResultsQuery, error: Option<String>) -> Result<Response, AppError> {
    let r = load(state, ctx, id).await?;
    let kind = q.kind.unwrap_or_default();
    let needle = parindex_core::text::fold(q.q.as_deref().unwrap_or("").trim());
    let matches = |u: &UnitResult| {
        needle.is_empty()
            || parindex_core::text::fold(&u.unit_name).contains(&needle)
            || parindex_core::text::fold(&u.unit_code).contains(&needle)
    };
    let search = q.q.clone().unwrap_or_default();
    let mut kinds: Vec<String> = r.units.iter().map(|u| u.unit_kind.clone()).collect();
    kinds.sort();
    kinds.dedup();
    let kinds = kinds.into_iter().map(|k| (kind_label(ctx, &k), k.clone(), k == kind)).collect();
    let spread: f64 = match q.spread.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => 10.0,
        Some(s) => s.replace(',', ".").parse::<f64>().ok().filter(|v| v.is_finite()).ok_or_else(|| {
            AppError::BadRequest(parindex_core::Msg::new(
                format!("Biên độ “{s}” không phải là một số; hãy nhập số phần trăm từ 1 đến 50, ví dụ 10 hoặc 7,5."),
                format!("The spread “{s}” is not a number; enter a percentage from 1 to 50, e.g. 10 or 7.5."),
            ))
        })?,
    }
    .clamp(1.0, 50.0);
    let robust = state.store.period_robustness(&r, spread / 100.0, PAGE_REPLICATIONS).await?;
    let spread = {
        let t = format!("{spread}");
        ctx.lang.decimal(&t)
    };
    let mut rows: Vec<Row> = Vec::new();
    let mut above_fragile = false;
    // units ranked apart are never shown with the same index (issue #17)
    let digits = parindex_core::results::shown_decimals(&r.units.iter().map(|u| u.index.clone()).collect::<Vec<_>>(), r.decimals);
    for (u, d) in r.units.iter().zip(digits) {
        let mut x = row(ctx, u, r.decimals);
        if let Some(i) = &u.index {
            x.index = ctx.lang.num(i, d);
        }
        if let Some(rb) = robust.get(&u.unit_id).filter(|_| u.rank.is_some()) {
            x.robust = if rb.p5 == rb.p95 { rb.median.to_string() } else { format!("{} ({}–{})", rb.median, rb.p5, rb.p95) };
            x.fragile = above_fragile;
            above_fragile = rb.beats_next.is_some_and(|p| p < 0.95);
        }
        if (kind.is_empty() || u.unit_kind == kind) && matches(u) {
            rows.push(x);
        }
    }
    let page = Page::new(ctx, state, format!("{} — {}", ctx.t("rs.title"), r.period.name), "/periods")
        .crumb(ctx.t("per.title"), "/periods")
        .crumb(r.period.code.clone(), format!("/periods/{id}"))
        .crumb(ctx.t("rs.title"), "")
        .flash_from(q.done.as_deref());
    let failed = error.is_some();
    let published = match state.store.publication(&r.period.code, None).await {
        Ok((p, _, _)) => Some(p.version),
        Err(StoreError::NotFound) => None,
        Err(e) => return Err(e.into()),
    };
    let mut resp = render(&ResultsPage {
        search,
        page,
        period_id: id,
        period_name: r.period.name.clone(),
        decision: r.period.decision.as_ref().map(|d| d.text(ctx.lang.code())),
        data_notes: r.data_notes.iter().map(|n| if ctx.lang.code() == "en" { n.en.clone() } else { n.vi.clone() }).collect(),
        domains: r.domains.iter().map(|d| (d.code.clone(), d.title.clone())).collect(),
        rows,
        kinds,
        groups: parindex_core::results::groups_text(&r.groups),
        can_set_groups: ctx.allows(Action::ManagePeriods, Resource::System) && !r.period.approved(),
        previous: r.previous.as_ref().map(|(p, same)| (p.name.clone(), *same)),
        crosswalk: r.crosswalk,
        provisional: r.units.iter().filter(|u| !u.state.frozen()).count(),
        spread,
        can_publish: ctx.allows(Action::ManagePeriods, Resource::System) && r.period.approved(),
        published,
        period_code: r.period.code.clone(),
        error,
    });
    if failed {
        *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(resp)
}

async fn show(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>, Query(q): Query<ResultsQuery>) -> Result<Response, AppError> {
    page(&state, &ctx, id, q, None).await
}

/// The table as downloaded: exact decimals to the framework's places, ranks, previous period.
fn grid(ctx: &Ctx, r: &PeriodResults) -> (Vec<String>, Vec<Vec<Cell>>) {
    let d = r.decimals;
    let mut header: Vec<String> = [
        "rs.rank",
        "sv.unit",
        "rs.code",
        "rs.kind",
        "rs.group",
        "rs.index",
        "rs.total",
        "rs.max",
        "rs.prev_index",
        "rs.prev_rank",
        "rs.state",
    ]
    .iter()
    .map(|k| ctx.t(k).to_string())
    .collect();
    for dm in &r.domains {
        header.push(format!("{} {}", dm.code, ctx.t("rs.points")));
        header.push(format!("{} {}", dm.code, ctx.t("rs.rank")));
    }
    let rows = r
        .units
        .iter()
        .map(|u| {
            let opt = |x: &Option<Exact>| x.as_ref().map(|x| Cell::exact(x, d)).unwrap_or(Cell::Empty);
            let rank = |x: Option<usize>| x.map(|r| Cell::int(r as i64)).unwrap_or(Cell::Empty);
            let mut cells = vec![
                rank(u.rank),
                Cell::text(&u.unit_name),
                Cell::text(&u.unit_code),
                Cell::text(kind_label(ctx, &u.unit_kind)),
                Cell::text(u.group.clone().unwrap_or_default()),
                opt(&u.index),
                Cell::exact(&u.total, d),
                Cell::exact(&u.applicable_max, d),
                opt(&u.previous.as_ref().and_then(|p| p.index.clone())),
                rank(u.previous.as_ref().and_then(|p| p.rank)),
                Cell::text(u.state.label(ctx.lang.code())),
            ];
            for x in &u.domains {
                cells.push(Cell::exact(&x.points, d));
                cells.push(rank(x.rank));
            }
            cells
        })
        .collect();
    (header, rows)
}

async fn csv(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    download(&state, &ctx, id, "csv").await
}

async fn xlsx(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    download(&state, &ctx, id, "xlsx").await
}

async fn download(state: &AppState, ctx: &Ctx, id: i64, format: &str) -> Result<Response, AppError> {
    let r = load(state, ctx, id).await?;
    let (header, rows) = grid(ctx, &r);
    grid_download(&format!("ket-qua-{}", r.period.code), format, "ket_qua", &header, &rows, r.decimals)
}

/// A table as a CSV or XLSX attachment named `name.csv` / `name.xlsx` (any other format: 404).
pub(crate) fn grid_download(
    name: &str,
    format: &str,
    sheet: &str,
    header: &[String],
    rows: &[Vec<Cell>],
    decimals: u32,
) -> Result<Response, AppError> {
    let (kind, body) = match format {
        "csv" => ("text/csv; charset=utf-8", grid_csv(header, rows)),
        "xlsx" => (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            grid_xlsx(sheet, header, rows, decimals).map_err(|e| AppError::Internal(format!("xlsx: {e}")))?,
        ),
        _ => return Err(AppError::NotFound),
    };
    Ok((
        [(header::CONTENT_TYPE, kind.to_string()), (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}.{format}\""))],
        body,
    )
        .into_response())
}

/// The heat map units × domains (share of each domain's applicable maximum), in rank order.
async fn heatmap(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<ResultsQuery>,
) -> Result<Response, AppError> {
    let r = load(&state, &ctx, id).await?;
    let kind = q.kind.unwrap_or_default();
    let columns: Vec<String> = r.domains.iter().map(|d| d.code.clone()).collect();
    let rows: Vec<(String, Vec<Option<f64>>)> = r
        .units
        .iter()
        .filter(|u| kind.is_empty() || u.unit_kind == kind)
        .map(|u| {
            let cells = u
                .domains
                .iter()
                .map(|d| (!d.applicable_max.is_zero()).then(|| 100.0 * d.points.to_f64() / d.applicable_max.to_f64()))
                .collect();
            (u.unit_name.clone(), cells)
        })
        .collect();
    let svg = parindex_reports::charts::heatmap_svg(ctx.t("rs.heatmap"), &columns, &rows, ctx.lang.code() != "en");
    Ok(([(header::CONTENT_TYPE, "image/svg+xml; charset=utf-8")], svg).into_response())
}

#[derive(Deserialize)]
struct GroupsForm {
    groups: String,
}

async fn set_groups(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>, Form(f): Form<GroupsForm>) -> Result<Response, AppError> {
    ctx.require(Action::ManagePeriods, Resource::System)?;
    match state.store.set_period_groups(&ctx.audit(), id, &f.groups).await {
        Ok(_) => Ok(Redirect::to(&format!("/periods/{id}/ket-qua?done=groups_saved")).into_response()),
        Err(e @ (StoreError::Invalid(_) | StoreError::Conflict(_))) => {
            page(&state, &ctx, id, ResultsQuery::default(), crate::chrome::store_error_text(&ctx, &e)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct PublishForm {
    reason: Option<String>,
}

/// Publish (or correct, with a reason) an approved period's results: an immutable snapshot on
/// the public portal (`pages::portal`).
async fn publish(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>, Form(f): Form<PublishForm>) -> Result<Response, AppError> {
    ctx.require(Action::ManagePeriods, Resource::System)?;
    match state.store.publish_results(&ctx.audit(), id, f.reason.as_deref()).await {
        Ok(p) => Ok(Redirect::to(&format!("/cong-khai/{}?v={}", p.period_code, p.version)).into_response()),
        Err(e @ (StoreError::Invalid(_) | StoreError::Conflict(_))) => {
            page(&state, &ctx, id, ResultsQuery::default(), crate::chrome::store_error_text(&ctx, &e)).await
        }
        Err(e) => Err(e.into()),
    }
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/periods/{id}/ket-qua", get(show))
        .route("/periods/{id}/ket-qua.csv", get(csv))
        .route("/periods/{id}/ket-qua.xlsx", get(xlsx))
        .route("/periods/{id}/ket-qua/heatmap.svg", get(heatmap))
        .route("/periods/{id}/ket-qua/nhom", post(set_groups))
        .route("/periods/{id}/cong-bo", post(publish))
}
