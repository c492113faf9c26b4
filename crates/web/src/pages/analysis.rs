//! Analysis dashboards of a period (issue #6 item 3) — `/periods/{id}/phan-tich[?kind=&area=&unit=]`:
//! a unit's domains against the average of the units shown (and its own last year, through the
//! crosswalk when the framework changed); the distribution of every domain (quartiles); self
//! vs appraised points per unit and per leaf; the weakest leaves across units; trends over the
//! years for the province and the unit; SIPAS per element per unit. Filters by unit kind, area
//! and year (the period chooser). Charts are SVG drawn on the server (`reports::charts`, the
//! same functions the reports use); every table downloads as CSV and XLSX from
//! `/periods/{id}/phan-tich/{table}.{csv|xlsx}` with the same filters, built from the very
//! cells the page shows. Who: as the results page (`Action::ViewResults`).

use crate::extract::Query;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use parindex_core::{Action, Resource};
use parindex_store::repo::results::{PeriodResults, UnitResult};

use crate::AppState;
use crate::app::analysis::{Filters, Table, keep, tables};
use crate::chrome::{Page, kind_label, render};
use crate::ctx::Ctx;
use crate::error::AppError;

/// Shown rows of a table: (text, is a number) per cell.
type Cells = Vec<Vec<(String, bool)>>;

#[derive(Template)]
#[template(path = "analysis.html")]
struct AnalysisPage {
    page: Page,
    period_id: i64,
    period_name: String,
    /// (id, name, selected) of every period: the year filter.
    periods: Vec<(i64, String, bool)>,
    kinds: Vec<(String, String, bool)>,
    areas: Vec<(String, bool)>,
    /// (code, name, selected)
    units: Vec<(String, String, bool)>,
    /// Each table with its shown cells: (text, is a number).
    tables: Vec<(Table, Cells)>,
    query: String,
    shown_units: usize,
    previous: Option<(String, bool, bool)>,
}

async fn load(state: &AppState, ctx: &Ctx, id: i64) -> Result<PeriodResults, AppError> {
    ctx.require(Action::ViewResults, Resource::System)?;
    Ok(state.store.period_results(id).await?)
}

async fn show(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>, Query(q): Query<Filters>) -> Result<Response, AppError> {
    let r = load(&state, &ctx, id).await?;
    let comma = ctx.lang.code() != "en";
    let tables = tables(&state, &ctx, &r, &q, None).await?;
    let mut kinds: Vec<String> = r.units.iter().map(|u| u.unit_kind.clone()).collect();
    kinds.sort();
    kinds.dedup();
    let mut areas: Vec<String> = r.units.iter().filter_map(|u| u.area.clone()).collect();
    areas.sort();
    areas.dedup();
    let kind = q.kind.clone().unwrap_or_default();
    let area = q.area.clone().unwrap_or_default();
    let shown: Vec<&UnitResult> = r.units.iter().filter(|u| keep(u, &q)).collect();
    let chosen = q.unit.clone().filter(|c| shown.iter().any(|u| &u.unit_code == c)).or(shown.first().map(|u| u.unit_code.clone()));
    let mut unit_list: Vec<(String, String, bool)> =
        shown.iter().map(|u| (u.unit_code.clone(), u.unit_name.clone(), Some(&u.unit_code) == chosen.as_ref())).collect();
    unit_list.sort_by(|a, b| parindex_core::text::sort_key(&a.1).cmp(&parindex_core::text::sort_key(&b.1)).then_with(|| a.0.cmp(&b.0)));
    let page = Page::new(&ctx, &state, format!("{} — {}", ctx.t("an.title"), r.period.name), "/periods")
        .crumb(ctx.t("per.title"), "/periods")
        .crumb(r.period.code.clone(), format!("/periods/{id}"))
        .crumb(ctx.t("rs.title"), format!("/periods/{id}/ket-qua"))
        .crumb(ctx.t("an.title"), "");
    Ok(render(&AnalysisPage {
        page,
        period_id: id,
        period_name: r.period.name.clone(),
        periods: state.store.list_periods().await?.into_iter().map(|p| (p.id, p.name, p.id == id)).collect(),
        kinds: kinds.into_iter().map(|k| (kind_label(&ctx, &k), k.clone(), k == kind)).collect(),
        areas: areas.into_iter().map(|a| (a.clone(), a == area)).collect(),
        units: unit_list,
        tables: tables
            .into_iter()
            .map(|t| {
                let v = t.view(comma);
                (t, v)
            })
            .collect(),
        query: q.query(),
        shown_units: shown.len(),
        previous: r.previous.as_ref().map(|(p, same)| (p.name.clone(), *same, r.crosswalk)),
    }))
}

/// `/periods/{id}/phan-tich/{table}.{csv|xlsx}`: one table with the page's filters.
async fn download(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, file)): Path<(i64, String)>,
    Query(q): Query<Filters>,
) -> Result<Response, AppError> {
    let (key, format) = file.rsplit_once('.').ok_or(AppError::NotFound)?;
    let r = load(&state, &ctx, id).await?;
    let t = tables(&state, &ctx, &r, &q, Some(key)).await?.into_iter().find(|t| t.key == key).ok_or(AppError::NotFound)?;
    crate::pages::results::grid_download(&format!("{}-{}", t.key, r.period.code), format, &t.key.replace('-', "_"), &t.header, &t.rows, 2)
}

pub fn router() -> Router<AppState> {
    Router::new().route("/periods/{id}/phan-tich", get(show)).route("/periods/{id}/phan-tich/{file}", get(download))
}
