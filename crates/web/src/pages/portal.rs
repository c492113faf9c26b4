//! The public transparency portal (issue #6) — no sign-in, read from the published snapshots
//! only (`store::repo::publications`), never from live data: what a visitor sees is exactly what
//! was published, version by version.
//!
//! - `/cong-khai` — every published period;
//! - `/cong-khai/{code}[?v=N]` — the ranking (latest version, or version N), the version history
//!   with the reasons of corrections, the SHA-256 of the document, downloads;
//! - `/cong-khai/{code}/don-vi/{unit}` — a unit: per domain its points and rank, per leaf its
//!   points, and its trend over every published period;
//! - `/cong-khai/{code}/phuong-phap` — the method: formula, ranking rule, groups, the framework;
//! - `/cong-khai/{code}/ket-qua.json` (the document exactly as hashed), `ket-qua.csv` and
//!   `ket-qua.xlsx` (one row per unit), `tieu-chi.csv` (one row per unit × leaf: the per-leaf open data).
//!
//! Publishing (`POST /periods/{id}/cong-bo`, `pages::results`) is on the results page of an
//! approved period.

use crate::extract::Query;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use parindex_reports::grid::{Cell, grid_csv};
use serde::Deserialize;

use crate::AppState;
use crate::chrome::{Page, render};
use crate::ctx::Ctx;
use crate::error::AppError;

/// The published document (`core::published`, the type the store writes).
use parindex_core::published::{Num, Published as Snap};

fn vi(ctx: &Ctx, s: &str) -> String {
    ctx.lang.decimal(s)
}

/// The grading scale in words, highest first (issue #17: not "A:90, B:80"): "A — chỉ số từ 90
/// trở lên", "B — từ 80 đến dưới 90", …, the lowest "dưới 70".
pub fn scale_in_words(ctx: &Ctx, groups: &[parindex_core::results::Group]) -> Vec<(String, String)> {
    let mut g: Vec<&parindex_core::results::Group> = groups.iter().collect();
    g.sort_by(|a, b| b.min.cmp(&a.min));
    let n = |x: &parindex_core::Exact| vi(ctx, &x.to_string());
    let en = ctx.lang.code() == "en";
    (0..g.len())
        .map(|i| {
            let words = match (i, g[i].min.is_zero()) {
                (0, _) if en => format!("index {} or more", n(&g[0].min)),
                (0, _) => format!("chỉ số từ {} trở lên", n(&g[0].min)),
                (_, true) if en => format!("below {}", n(&g[i - 1].min)),
                (_, true) => format!("dưới {}", n(&g[i - 1].min)),
                _ if en => format!("from {} to below {}", n(&g[i].min), n(&g[i - 1].min)),
                _ => format!("từ {} đến dưới {}", n(&g[i].min), n(&g[i - 1].min)),
            };
            (g[i].label.clone(), words)
        })
        .collect()
}

fn parse(text: &str) -> Result<Snap, AppError> {
    Ok(parindex_store::repo::publications::read_published(text)?)
}

#[derive(Deserialize, Default)]
struct VersionQuery {
    v: Option<i32>,
}

#[derive(Template)]
#[template(path = "portal_list.html")]
struct ListPage {
    page: Page,
    /// (code, name, year, version, date)
    periods: Vec<(String, String, i32, i32, String)>,
    /// Published surveys: (code, name, year, date).
    surveys: Vec<(String, String, i32, String)>,
}

async fn list(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let mut seen = std::collections::HashSet::new();
    let periods = state
        .store
        .publications()
        .await?
        .into_iter()
        .filter(|p| seen.insert(p.period_id))
        .map(|p| (p.period_code, p.period_name, p.year, p.version, parindex_core::text::format_time_vn(p.published_at)))
        .collect();
    let surveys = state
        .store
        .published_surveys()
        .await?
        .into_iter()
        .map(|s| (s.code, s.name, s.year, s.published_at.map(parindex_core::text::format_time_vn).unwrap_or_default()))
        .collect();
    let page = Page::new(&ctx, &state, ctx.t("pt.title"), "/cong-khai");
    Ok(render(&ListPage { page, periods, surveys }))
}

#[derive(Template)]
#[template(path = "portal_survey.html")]
struct SurveyPage {
    page: Page,
    name: String,
    published_at: String,
    responses: i64,
    /// The province, then each unit with enough respondents.
    indices: Vec<crate::pages::surveys::IndexRowView>,
    /// Units with fewer respondents than the survey's smallest group shown.
    too_few: Vec<String>,
    min_cell: i32,
    /// Comments and answers the units made public: (unit, comment, answer, date).
    replies: Vec<(String, String, String, String)>,
}

/// A published survey (issue #17): its SIPAS figures, the province and each unit with enough
/// respondents, from the same computation as the reform office's page; and the comments the
/// units answered and chose to make public. A survey not published is not found.
async fn survey(State(state): State<AppState>, ctx: Ctx, Path(code): Path<String>) -> Result<Response, AppError> {
    let row = state.store.published_surveys().await?.into_iter().find(|s| s.code == code).ok_or(AppError::NotFound)?;
    let run = state.store.get_survey(row.id).await?;
    let units = state.store.survey_units(run.id).await?;
    let names = units.iter().map(|u| (u.unit_code.clone(), u.unit_name.clone())).collect();
    let respondents = units.iter().map(|u| (u.unit_code.clone(), u.responses.max(0) as u64)).collect();
    let all = crate::pages::surveys::index_views(&state, &ctx, &run, &names, &respondents).await?;
    let min = run.min_cell.max(1) as u64;
    let (mut indices, few): (Vec<_>, Vec<_>) = all.into_iter().partition(|v| v.code == "PROVINCE" || v.people >= min);
    // the province first, then the units in name order
    indices.sort_by_key(|v| v.code != "PROVINCE");
    let replies = state
        .store
        .public_replies(run.id)
        .await?
        .into_iter()
        .map(|r| (r.unit_name, r.comment, r.answer, parindex_core::text::format_date(r.answered_at.date_naive())))
        .collect();
    let page = Page::new(&ctx, &state, run.name.clone(), "/cong-khai").crumb(ctx.t("pt.title"), "/cong-khai").crumb(run.name.clone(), "");
    Ok(render(&SurveyPage {
        page,
        name: run.name.clone(),
        published_at: row.published_at.map(parindex_core::text::format_time_vn).unwrap_or_default(),
        responses: run.responses,
        indices,
        too_few: few.into_iter().map(|v| v.unit).collect(),
        min_cell: run.min_cell,
        replies,
    }))
}

pub struct PortalRow {
    pub rank: String,
    pub code: String,
    pub name: String,
    pub group: String,
    pub index: String,
    pub bar: String,
    pub total: String,
    pub change: String,
    pub change_class: &'static str,
    pub domains: Vec<String>,
    /// "3 (2–5)": median rank and 5–95 % interval under the robustness check.
    pub robust: String,
    /// The difference with the unit above is not robust.
    pub fragile: bool,
    /// Bonus and penalty points (empty when none).
    pub bonus: String,
    pub penalty: String,
}

#[derive(Template)]
#[template(path = "portal_period.html")]
struct PeriodPage {
    page: Page,
    code: String,
    name: String,
    version: i32,
    latest: bool,
    reason: Option<String>,
    published_at: String,
    hash: String,
    /// The council's approval decision as published.
    /// Fed leaves some units had no data for and the council's decisions (issue #18).
    data_notes: Vec<String>,
    decision: Option<String>,
    domains: Vec<(String, String)>,
    rows: Vec<PortalRow>,
    /// Some unit has bonus or penalty points: their columns are shown.
    adjustments: bool,
    /// Some index is shown with more decimals to tell apart units ranked apart.
    more_digits: bool,
    /// The grading scale in words: (label, "từ 80 đến dưới 90").
    scale: Vec<(String, String)>,
    /// The document has the robustness of the ranks.
    robust: bool,
    previous: Option<(String, bool)>,
    /// (version, date, reason, hash, current)
    history: Vec<(i32, String, String, String, bool)>,
}

async fn period(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(q): Query<VersionQuery>,
) -> Result<Response, AppError> {
    let (row, text, history) = state.store.publication(&code, q.v).await?;
    let s = parse(&text)?;
    let mut above_fragile = false;
    // units ranked apart are never shown with the same index (issue #17)
    let exact: Vec<Option<parindex_core::Exact>> =
        s.units.iter().map(|u| u.index.as_ref().and_then(|i| parindex_core::Exact::parse(&i.exact))).collect();
    let digits = parindex_core::results::shown_decimals(&exact, s.decimals);
    let more_digits = digits.iter().any(|d| *d > s.decimals);
    let signed = |x: &Option<Num>, sign: &str| {
        x.as_ref()
            .and_then(|n| parindex_core::Exact::parse(&n.exact))
            .filter(|e| !e.is_zero())
            .map(|e| format!("{sign}{}", vi(&ctx, &(if e.is_negative() { -e } else { e }).to_decimal_string(s.decimals))))
            .unwrap_or_default()
    };
    let rows: Vec<PortalRow> = s
        .units
        .iter()
        .zip(exact.iter().zip(&digits))
        .map(|(u, (x, d))| {
            let (robust, fragile) = match &u.rank_robustness {
                Some(x) => {
                    let f = above_fragile;
                    above_fragile = x.beats_next.is_some_and(|b| b < 0.95);
                    (if x.p5 == x.p95 { x.median.to_string() } else { format!("{} ({}–{})", x.median, x.p5, x.p95) }, f)
                }
                None => (String::new(), false),
            };
            let (change, change_class) = match (&u.index, u.previous.as_ref().and_then(|p| p.index.as_ref())) {
                (Some(now), Some(before)) => match (parindex_core::Exact::parse(&now.exact), parindex_core::Exact::parse(&before.exact)) {
                    (Some(a), Some(b)) => {
                        let d = a - b;
                        let t = vi(&ctx, &d.to_decimal_string(s.decimals));
                        if d > parindex_core::Exact::ZERO {
                            (format!("+{t}"), "up")
                        } else if d < parindex_core::Exact::ZERO {
                            (t.replacen('-', "−", 1), "down")
                        } else {
                            (t, "same")
                        }
                    }
                    _ => (String::new(), ""),
                },
                _ => (String::new(), ""),
            };
            PortalRow {
                rank: u.rank.map(|r| r.to_string()).unwrap_or_else(|| "—".into()),
                code: u.code.clone(),
                name: u.name.clone(),
                group: u.group.clone().unwrap_or_default(),
                index: x.as_ref().map(|i| vi(&ctx, &i.to_decimal_string(*d))).unwrap_or_else(|| "—".into()),
                bar: u.index.as_ref().map(|i| i.value.clone()).unwrap_or_else(|| "0".into()),
                total: format!("{} / {}", vi(&ctx, &u.total.value), vi(&ctx, &u.applicable_max.value)),
                change,
                change_class,
                domains: u.domains.iter().map(|d| vi(&ctx, &d.points.value)).collect(),
                robust,
                fragile,
                bonus: signed(&u.bonus, "+"),
                penalty: signed(&u.penalty, "−"),
            }
        })
        .collect();
    let adjustments = rows.iter().any(|r| !r.bonus.is_empty() || !r.penalty.is_empty());
    let page = Page::new(&ctx, &state, format!("{} — {}", ctx.t("pt.title"), s.period.name), "/cong-khai")
        .crumb(ctx.t("pt.title"), "/cong-khai")
        .crumb(s.period.name.clone(), "");
    Ok(render(&PeriodPage {
        page,
        code: s.period.code.clone(),
        name: s.period.name.clone(),
        version: s.version,
        latest: history.first().is_some_and(|h| h.version == row.version),
        reason: s.reason.clone(),
        published_at: parindex_core::text::format_time_vn(row.published_at),
        hash: row.content_hash.clone(),
        decision: s.period.decision.clone(),
        data_notes: s.period.data_notes.clone(),
        domains: s.domains.iter().map(|d| (d.code.clone(), d.title.clone())).collect(),
        robust: s.units.iter().any(|u| u.rank_robustness.is_some()),
        rows,
        adjustments,
        more_digits,
        scale: scale_in_words(&ctx, &s.method.groups),
        previous: s.previous_period.as_ref().map(|p| (p.name.clone(), p.same_framework)),
        history: history
            .iter()
            .map(|h| {
                (
                    h.version,
                    parindex_core::text::format_time_vn(h.published_at),
                    h.reason.clone().unwrap_or_default(),
                    h.content_hash.clone(),
                    h.version == row.version,
                )
            })
            .collect(),
    }))
}

#[derive(Template)]
#[template(path = "portal_unit.html")]
struct UnitPage {
    page: Page,
    code: String,
    period_name: String,
    version: i32,
    unit_name: String,
    unit_code: String,
    rank: String,
    group: String,
    index: String,
    total: String,
    /// (code, title, points, applicable max, rank, bar 0–100)
    domains: Vec<(String, String, String, String, String, String)>,
    /// (code, title, points, max, applicable)
    leaves: Vec<(String, String, String, String, bool)>,
    /// (year, period name, index, rank, period code)
    trend: Vec<(i32, String, String, String, String)>,
    /// (code, title, "+1,5" / "−1")
    adjustments: Vec<(String, String, String)>,
    /// Compared last time through these predecessors (a merger).
    via: Vec<String>,
}

async fn unit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, unit_code)): Path<(String, String)>,
    Query(q): Query<VersionQuery>,
) -> Result<Response, AppError> {
    let (row, text, _) = state.store.publication(&code, q.v).await?;
    let s = parse(&text)?;
    let u = s.units.iter().find(|u| u.code == unit_code).ok_or(AppError::NotFound)?;
    let titles: std::collections::HashMap<String, String> = {
        fn walk(n: &[parindex_core::framework::Node], out: &mut std::collections::HashMap<String, String>) {
            for x in n {
                out.insert(x.code.clone(), x.title.clone());
                walk(&x.children, out);
            }
        }
        let mut m = std::collections::HashMap::new();
        walk(&s.framework.nodes, &mut m);
        m
    };
    let domains = s
        .domains
        .iter()
        .zip(&u.domains)
        .map(|(d, x)| {
            let share = match (parindex_core::Exact::parse(&x.points.exact), parindex_core::Exact::parse(&x.applicable_max.exact)) {
                (Some(p), Some(m)) if !m.is_zero() => (p * parindex_core::Exact::HUNDRED / m).to_decimal_string(1),
                _ => "0".into(),
            };
            (
                d.code.clone(),
                d.title.clone(),
                vi(&ctx, &x.points.value),
                vi(&ctx, &x.applicable_max.value),
                x.rank.map(|r| format!("#{r}")).unwrap_or_default(),
                share,
            )
        })
        .collect();
    let show = |x: &str| parindex_core::Exact::parse(x).map(|e| vi(&ctx, &e.to_decimal_string(s.decimals))).unwrap_or_default();
    let leaves = u
        .leaves
        .iter()
        .map(|l| (l.code.clone(), titles.get(&l.code).cloned().unwrap_or_default(), show(&l.points), show(&l.max), l.applicable))
        .collect();
    // the unit over every published period (latest version of each), oldest first
    let mut trend = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for p in state.store.publications().await? {
        if !seen.insert(p.period_id) {
            continue;
        }
        let (_, t, _) = state.store.publication(&p.period_code, None).await?;
        let other = parse(&t)?;
        if let Some(x) = other.units.iter().find(|x| x.code == unit_code) {
            trend.push((
                other.period.year,
                other.period.name.clone(),
                x.index.as_ref().map(|i| vi(&ctx, &i.value)).unwrap_or_else(|| "—".into()),
                x.rank.map(|r| r.to_string()).unwrap_or_else(|| "—".into()),
                other.period.code.clone(),
            ));
        }
    }
    trend.sort();
    let page = Page::new(&ctx, &state, format!("{} — {}", u.name, s.period.name), "/cong-khai")
        .crumb(ctx.t("pt.title"), "/cong-khai")
        .crumb(s.period.name.clone(), format!("/cong-khai/{code}"))
        .crumb(u.name.clone(), "");
    Ok(render(&UnitPage {
        page,
        code: code.clone(),
        period_name: s.period.name.clone(),
        version: row.version,
        unit_name: u.name.clone(),
        unit_code: u.code.clone(),
        rank: u.rank.map(|r| r.to_string()).unwrap_or_else(|| "—".into()),
        group: u.group.clone().unwrap_or_default(),
        index: u.index.as_ref().map(|i| vi(&ctx, &i.value)).unwrap_or_else(|| "—".into()),
        total: format!("{} / {}", vi(&ctx, &u.total.value), vi(&ctx, &u.applicable_max.value)),
        domains,
        leaves,
        trend,
        adjustments: u
            .adjustments
            .iter()
            .map(|a| (a.code.clone(), a.title.clone(), format!("{}{}", if a.kind == "bonus" { "+" } else { "−" }, show(&a.points))))
            .collect(),
        via: u.previous.as_ref().map(|p| p.via.clone()).unwrap_or_default(),
    }))
}

#[derive(Template)]
#[template(path = "portal_method.html")]
struct MethodPage {
    page: Page,
    code: String,
    name: String,
    framework: String,
    groups: Vec<(String, String)>,
    /// (depth, code, title, max, rule)
    nodes: Vec<(usize, String, String, String, String)>,
}

async fn method(State(state): State<AppState>, ctx: Ctx, Path(code): Path<String>) -> Result<Response, AppError> {
    let (_, text, _) = state.store.publication(&code, None).await?;
    let s = parse(&text)?;
    let groups = scale_in_words(&ctx, &s.method.groups);
    let lang = ctx.lang.code();
    let mut nodes = Vec::new();
    fn walk(n: &[parindex_core::framework::Node], depth: usize, lang: &str, out: &mut Vec<(usize, String, String, String, String)>) {
        for x in n {
            let rule = x
                .rule
                .as_ref()
                .map(|r| {
                    parindex_core::framework::rule::describe(r, x.max.as_ref().unwrap_or(&parindex_core::Exact::ZERO)).get(lang).to_string()
                })
                .unwrap_or_default();
            out.push((depth, x.code.clone(), x.title.clone(), x.max.as_ref().map(|m| m.to_string()).unwrap_or_default(), rule));
            walk(&x.children, depth + 1, lang, out);
        }
    }
    walk(&s.framework.nodes, 0, lang, &mut nodes);
    let page = Page::new(&ctx, &state, format!("{} — {}", ctx.t("pt.method"), s.period.name), "/cong-khai")
        .crumb(ctx.t("pt.title"), "/cong-khai")
        .crumb(s.period.name.clone(), format!("/cong-khai/{code}"))
        .crumb(ctx.t("pt.method"), "");
    Ok(render(&MethodPage { page, code: code.clone(), name: s.period.name.clone(), framework: s.period.framework.clone(), groups, nodes }))
}

fn attachment(kind: &str, name: &str, body: Vec<u8>) -> Response {
    ([(header::CONTENT_TYPE, kind.to_string()), (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\""))], body)
        .into_response()
}

async fn json_doc(State(state): State<AppState>, Path(code): Path<String>, Query(q): Query<VersionQuery>) -> Result<Response, AppError> {
    let (row, text, _) = state.store.publication(&code, q.v).await?;
    Ok(attachment("application/json", &format!("ket-qua-{code}-v{}.json", row.version), text.into_bytes()))
}

/// One row per unit: rank, unit, group, index, total, applicable maximum, points per domain —
/// numbers as the published decimal text (CSV) and as numbers (XLSX). The CSV is for programs:
/// stable English column names and codes (docs/results.md); the XLSX is for people (issue #17):
/// its columns named in the reader's language, the domains by their titles, the kinds of unit by
/// their names — `human` carries those words.
fn units_grid(s: &Snap, human: Option<(&Ctx, &[(String, String)])>) -> (Vec<String>, Vec<Vec<Cell>>) {
    let mut header: Vec<String> = match human {
        None => ["rank", "unit_code", "unit_name", "kind", "group", "index", "total", "applicable_max"].map(String::from).to_vec(),
        Some((ctx, _)) => {
            ["rs.rank", "units.code", "sv.unit", "units.kind", "rs.group", "rs.index", "pt.total_points", "pt.applicable_max"]
                .map(|k| ctx.t(k).to_string())
                .to_vec()
        }
    };
    header.extend(s.domains.iter().map(|d| match human {
        None => format!("domain_{}", d.code),
        Some(_) => format!("{}. {}", d.code, d.title),
    }));
    let kind = |k: &str| match human {
        Some((_, kinds)) => kinds.iter().find(|(c, _)| c == k).map(|(_, l)| l.clone()).unwrap_or_else(|| k.to_string()),
        None => k.to_string(),
    };
    let n = |x: &Num| Cell::Number { exact: x.value.clone(), value: x.value.parse().unwrap_or(0.0) };
    let rows = s
        .units
        .iter()
        .map(|u| {
            let mut r = vec![
                u.rank.map(|r| Cell::int(r as i64)).unwrap_or(Cell::Empty),
                Cell::text(&u.code),
                Cell::text(&u.name),
                Cell::text(kind(&u.kind)),
                Cell::text(u.group.clone().unwrap_or_default()),
                u.index.as_ref().map(n).unwrap_or(Cell::Empty),
                n(&u.total),
                n(&u.applicable_max),
            ];
            r.extend(u.domains.iter().map(|d| n(&d.points)));
            r
        })
        .collect();
    (header, rows)
}

async fn units_csv(State(state): State<AppState>, Path(code): Path<String>, Query(q): Query<VersionQuery>) -> Result<Response, AppError> {
    let (row, text, _) = state.store.publication(&code, q.v).await?;
    let (header, rows) = units_grid(&parse(&text)?, None);
    Ok(attachment("text/csv; charset=utf-8", &format!("ket-qua-{code}-v{}.csv", row.version), grid_csv(&header, &rows)))
}

async fn units_xlsx(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(q): Query<VersionQuery>,
) -> Result<Response, AppError> {
    let (row, text, _) = state.store.publication(&code, q.v).await?;
    let s = parse(&text)?;
    let kinds = crate::pages::units::kind_options(&state, &ctx).await?;
    let (header, rows) = units_grid(&s, Some((&ctx, &kinds)));
    let bytes =
        parindex_reports::grid::grid_xlsx("ket_qua", &header, &rows, s.decimals).map_err(|e| AppError::Internal(format!("xlsx: {e}")))?;
    Ok(attachment(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &format!("ket-qua-{code}-v{}.xlsx", row.version),
        bytes,
    ))
}

/// One row per unit × leaf: the points that count, the maximum, whether the leaf applies — from
/// which anyone can recompute every total, index and rank.
async fn leaves_csv(State(state): State<AppState>, Path(code): Path<String>, Query(q): Query<VersionQuery>) -> Result<Response, AppError> {
    let (row, text, _) = state.store.publication(&code, q.v).await?;
    let s = parse(&text)?;
    let header: Vec<String> = ["unit_code", "unit_name", "leaf", "max", "points", "applicable", "kind"].map(String::from).to_vec();
    // one row per unit × leaf (kind `leaf`), then its bonuses and penalties (kind `bonus` /
    // `penalty`): total = Σ leaf + Σ bonus − Σ penalty, not below zero
    let rows: Vec<Vec<Cell>> = s
        .units
        .iter()
        .flat_map(|u| {
            let leaves = u.leaves.iter().map(|l| {
                vec![
                    Cell::text(&u.code),
                    Cell::text(&u.name),
                    Cell::text(&l.code),
                    Cell::text(&l.max),
                    Cell::text(&l.points),
                    Cell::text(if l.applicable { "1" } else { "0" }),
                    Cell::text("leaf"),
                ]
            });
            let adjustments = u.adjustments.iter().map(|a| {
                vec![
                    Cell::text(&u.code),
                    Cell::text(&u.name),
                    Cell::text(&a.code),
                    Cell::text(&a.max),
                    Cell::text(&a.points),
                    Cell::text("1"),
                    Cell::text(&a.kind),
                ]
            });
            leaves.chain(adjustments).collect::<Vec<_>>()
        })
        .collect();
    Ok(attachment("text/csv; charset=utf-8", &format!("tieu-chi-{code}-v{}.csv", row.version), grid_csv(&header, &rows)))
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/cong-khai", get(list))
        .route("/cong-khai/khao-sat/{code}", get(survey))
        .route("/cong-khai/{code}", get(period))
        .route("/cong-khai/{code}/don-vi/{unit}", get(unit))
        .route("/cong-khai/{code}/phuong-phap", get(method))
        .route("/cong-khai/{code}/ket-qua.json", get(json_doc))
        .route("/cong-khai/{code}/ket-qua.csv", get(units_csv))
        .route("/cong-khai/{code}/ket-qua.xlsx", get(units_xlsx))
        .route("/cong-khai/{code}/tieu-chi.csv", get(leaves_csv))
}
