//! Criteria framework screens: the list (with import of a YAML or XLSX file and the XLSX
//! template), one framework as a collapsible tree with maxima, rules in words, evidence and
//! appraisers, and the comparison of two versions; the reform office publishes, archives and
//! starts a new version from here. Drafts are edited in `framework_edit.rs`.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use parindex_core::framework::rule::describe;
use parindex_core::framework::{Framework, Node, Status};
use parindex_core::{Action, Exact, Resource};
use parindex_store::StoreError;
use serde::Deserialize;

use crate::AppState;
use crate::chrome::{Page, render, store_error_text};
use crate::ctx::Ctx;
use crate::error::AppError;

fn status_label(ctx: &Ctx, status: &str) -> (&'static str, &'static str) {
    match status {
        "published" => (ctx.t("fw.status_published"), "ok"),
        "archived" => (ctx.t("fw.status_archived"), "off"),
        _ => (ctx.t("fw.status_draft"), "warn"),
    }
}

pub struct Row {
    pub code: String,
    pub name: String,
    pub sample: bool,
    pub kinds: String,
    pub status_label: &'static str,
    pub status_class: &'static str,
    pub leaves: i32,
    pub total: String,
    pub derived_from: String,
}

#[derive(Template)]
#[template(path = "frameworks.html")]
struct List {
    page: Page,
    frameworks: Vec<Row>,
    can_manage: bool,
    /// Problems of a refused import: (node code, message).
    problems: Vec<(String, String)>,
    file_name: String,
}

async fn list(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    list_page(&state, &ctx, Vec::new(), String::new()).await
}

async fn list_page(state: &AppState, ctx: &Ctx, problems: Vec<(String, String)>, file_name: String) -> Result<Response, AppError> {
    let ctx = ctx.clone();
    ctx.require(Action::ViewFrameworks, Resource::System)?;
    let kinds = crate::pages::units::kind_options(state, &ctx).await?;
    let frameworks = state
        .store
        .list_frameworks()
        .await?
        .into_iter()
        .map(|f| {
            let (status_label, status_class) = status_label(&ctx, &f.status);
            Row {
                total: Exact::parse(&f.max_total).map(|t| ctx.lang.exact(&t)).unwrap_or(f.max_total.clone()),
                code: f.code,
                name: f.name,
                sample: f.sample,
                kinds: kind_names(&kinds, &f.unit_kinds),
                status_label,
                status_class,
                leaves: f.leaves,
                derived_from: f.derived_from.unwrap_or_default(),
            }
        })
        .collect();
    let page = Page::new(&ctx, state, ctx.t("fw.title"), "/frameworks").crumb(ctx.t("fw.title"), "");
    let status = if problems.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let mut r = render(&List { page, frameworks, can_manage: ctx.allows(Action::ManageFrameworks, Resource::System), problems, file_name });
    *r.status_mut() = status;
    Ok(r)
}

/// Import an uploaded framework file (YAML or XLSX). All or nothing; every problem listed.
async fn import(State(state): State<AppState>, ctx: Ctx, mp: axum::extract::Multipart) -> Result<Response, AppError> {
    ctx.require(Action::ManageFrameworks, Resource::System)?;
    let (name, bytes) = crate::pages::units::first_file(mp, state.config.max_upload_bytes).await?;
    let lang = ctx.lang.code();
    let listed = |p: Vec<parindex_core::framework::Problem>| p.into_iter().map(|p| (p.code, p.message.get(lang).to_string())).collect();
    let fw = match parindex_reports::framework::parse_framework_file(&name, &bytes) {
        Ok(fw) => fw,
        Err(p) => return list_page(&state, &ctx, listed(p), name).await,
    };
    match state.store.import_framework(&ctx.audit(), fw, &name).await {
        Ok(row) => Ok(Redirect::to(&format!("/frameworks/{}", row.code)).into_response()),
        Err(StoreError::InvalidFramework(p)) => list_page(&state, &ctx, listed(p), name).await,
        Err(e) => match store_error_text(&ctx, &e) {
            Some(text) => list_page(&state, &ctx, vec![(String::new(), text)], name).await,
            None => Err(e.into()),
        },
    }
}

async fn template(ctx: Ctx) -> Result<Response, AppError> {
    ctx.require(Action::ViewFrameworks, Resource::System)?;
    let bytes = parindex_reports::framework_xlsx::framework_template_xlsx().map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(crate::chrome::download(bytes, crate::chrome::XLSX, "mau-bo-chi-so.xlsx"))
}

pub struct TreeNode {
    pub code: String,
    pub title: String,
    pub max: String,
    pub rule: String,
    pub extra: String,
    pub guidance: String,
    pub appraiser: String,
}

/// The tree as a flat list of events, so the template nests `<details>` without recursion.
pub enum TreeEvent {
    Open(TreeNode),
    Leaf(TreeNode),
    Close,
}

/// Unit kinds by their names in the reader's language ("Sở, ban, ngành", not `agency`).
fn kind_names(kinds: &[(String, String)], codes: &[String]) -> String {
    codes.iter().map(|c| kinds.iter().find(|k| &k.0 == c).map(|k| k.1.clone()).unwrap_or_else(|| c.clone())).collect::<Vec<_>>().join(", ")
}

fn events(ctx: &Ctx, kinds: &[(String, String)], nodes: &[Node], out: &mut Vec<TreeEvent>) {
    let lang = ctx.lang.code();
    for n in nodes {
        let max = if n.is_leaf() {
            n.max.clone().unwrap_or_default()
        } else {
            Framework { nodes: vec![n.clone()], ..Default::default() }.max_total()
        };
        let mut extra = Vec::new();
        if let Some(ev) = &n.evidence {
            let what = if ev.documents.is_empty() { String::new() } else { format!(": {}", ev.documents.join("; ")) };
            extra.push(format!("{}{what}", if ev.required { ctx.t("fw.evidence_required") } else { ctx.t("fw.evidence_optional") }));
        }
        if n.source != parindex_core::framework::Source::SelfAssessed {
            let source = match n.source.feed() {
                None => ctx.t("fw.src_survey").to_string(),
                Some(f) => {
                    let (vi, en) = f.label();
                    format!("{} ({})", ctx.t("fw.src_feed"), ctx.lang.pick(&vi, &en))
                }
            };
            extra.push(format!("{} {source}", ctx.t("fw.source")));
        }
        if !n.applies_to.is_empty() {
            extra.push(format!("{} {}", ctx.t("fw.applies_to"), kind_names(kinds, &n.applies_to)));
        }
        let node = TreeNode {
            code: n.code.clone(),
            title: n.title.clone(),
            max: ctx.lang.exact(&max),
            rule: n.rule.as_ref().map(|r| describe(r, &max).get(lang).to_string()).unwrap_or_default(),
            extra: extra.join(" · "),
            guidance: n.guidance.clone().unwrap_or_default(),
            appraiser: n.appraiser.clone().unwrap_or_default(),
        };
        if n.is_leaf() {
            out.push(TreeEvent::Leaf(node));
        } else {
            out.push(TreeEvent::Open(node));
            events(ctx, kinds, &n.children, out);
            out.push(TreeEvent::Close);
        }
    }
}

pub struct AdjRow {
    pub code: String,
    pub title: String,
    pub max: String,
    pub rule: String,
}

#[derive(Template)]
#[template(path = "framework.html")]
struct Detail {
    page: Page,
    code: String,
    name: String,
    sample: bool,
    status: String,
    status_label: &'static str,
    status_class: &'static str,
    legal: String,
    kinds: String,
    years: String,
    total: String,
    leaves: usize,
    description: String,
    tree: Vec<TreeEvent>,
    adjustments: Vec<AdjRow>,
    can_manage: bool,
    error: Option<String>,
    others: Vec<String>,
    /// Problems of a draft (publishing refuses them).
    problems: Vec<(String, String)>,
}

async fn detail_page(state: &AppState, ctx: &Ctx, code: &str, error: Option<String>) -> Result<Response, AppError> {
    ctx.require(Action::ViewFrameworks, Resource::System)?;
    let (row, fw) = state.store.get_framework(code).await?;
    let mut tree = Vec::new();
    let kinds = crate::pages::units::kind_options(state, ctx).await?;
    events(ctx, &kinds, &fw.nodes, &mut tree);
    let (status_label, status_class) = status_label(ctx, &row.status);
    let lang = ctx.lang.code();
    let page = Page::new(ctx, state, fw.name.clone(), "/frameworks").crumb(ctx.t("fw.title"), "/frameworks").crumb(fw.code.clone(), "");
    let status = if error.is_some() { StatusCode::CONFLICT } else { StatusCode::OK };
    let mut r = render(&Detail {
        page,
        code: fw.code.clone(),
        name: fw.name.clone(),
        sample: fw.sample,
        status: row.status.clone(),
        status_label,
        status_class,
        legal: fw
            .legal_basis
            .as_ref()
            .map(|l| format!("{}{}", l.number, l.date.map(|d| format!(", {}", parindex_core::text::format_date(d))).unwrap_or_default()))
            .unwrap_or_else(|| "—".into()),
        kinds: kind_names(&kinds, &fw.unit_kinds),
        years: match (fw.valid_from, fw.valid_to) {
            (Some(a), Some(b)) => format!("{a}–{b}"),
            (Some(a), None) => format!("{a}–"),
            _ => "—".into(),
        },
        total: ctx.lang.exact(&fw.max_total()),
        leaves: fw.leaves().count(),
        description: fw.description.clone().unwrap_or_default(),
        tree,
        adjustments: fw
            .adjustments
            .iter()
            .map(|a| AdjRow {
                code: a.code.clone(),
                title: a.title.clone(),
                max: format!(
                    "{}{}",
                    if a.kind == parindex_core::framework::AdjustmentKind::Bonus { "+" } else { "−" },
                    ctx.lang.exact(&a.max)
                ),
                rule: describe(&a.rule, &a.max).get(lang).to_string(),
            })
            .collect(),
        can_manage: ctx.allows(Action::ManageFrameworks, Resource::System),
        error,
        others: state.store.list_frameworks().await?.into_iter().map(|f| f.code).filter(|c| *c != row.code).collect(),
        problems: if row.status == "draft" {
            parindex_core::framework::validate(&fw).into_iter().map(|p| (p.code, p.message.get(lang).to_string())).collect()
        } else {
            Vec::new()
        },
    });
    *r.status_mut() = status;
    Ok(r)
}

async fn detail(State(state): State<AppState>, ctx: Ctx, Path(code): Path<String>) -> Result<Response, AppError> {
    detail_page(&state, &ctx, &code, None).await
}

async fn change_status(state: &AppState, ctx: &Ctx, code: &str, to: Status) -> Result<Response, AppError> {
    ctx.require(Action::ManageFrameworks, Resource::System)?;
    match state.store.set_framework_status(&ctx.audit(), code, to).await {
        Ok(r) => Ok(Redirect::to(&format!("/frameworks/{}", r.code)).into_response()),
        Err(StoreError::Conflict(m)) => detail_page(state, ctx, code, Some(m.get(ctx.lang.code()).to_string())).await,
        Err(StoreError::InvalidFramework(p)) => {
            let text = p.iter().map(|p| format!("[{}] {}", p.code, p.message.get(ctx.lang.code()))).collect::<Vec<_>>().join(" · ");
            detail_page(state, ctx, code, Some(text)).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn publish(State(state): State<AppState>, ctx: Ctx, Path(code): Path<String>) -> Result<Response, AppError> {
    change_status(&state, &ctx, &code, Status::Published).await
}

async fn archive(State(state): State<AppState>, ctx: Ctx, Path(code): Path<String>) -> Result<Response, AppError> {
    change_status(&state, &ctx, &code, Status::Archived).await
}

#[derive(Deserialize)]
struct VersionForm {
    new_code: String,
    #[serde(default)]
    name: String,
}

async fn new_version(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Form(f): Form<VersionForm>,
) -> Result<Response, AppError> {
    ctx.require(Action::ManageFrameworks, Resource::System)?;
    match state.store.new_framework_version(&ctx.audit(), &code, &f.new_code, Some(f.name)).await {
        Ok(r) => Ok(Redirect::to(&format!("/frameworks/{}", r.code)).into_response()),
        Err(e) => match store_error_text(&ctx, &e) {
            Some(msg) => detail_page(&state, &ctx, &code, Some(msg)).await,
            None => Err(e.into()),
        },
    }
}

pub struct DiffRow {
    pub code: String,
    pub title: String,
    pub old_max: String,
    pub new_max: String,
    pub note: String,
}

#[derive(Template)]
#[template(path = "framework_compare.html")]
struct Compare {
    page: Page,
    from: String,
    to: String,
    from_total: String,
    to_total: String,
    sections: Vec<(&'static str, Vec<DiffRow>)>,
    /// The crosswalk: every old node with its successors (confirmed, or proposed by code).
    cw_rows: Vec<CwRow>,
    confirmed: Option<(String, String)>,
    unmapped_new: Vec<String>,
    cw_problems: Vec<(String, String)>,
    can_manage: bool,
}

pub struct CwRow {
    pub code: String,
    pub title: String,
    pub depth: usize,
    pub targets: String,
}

#[derive(Deserialize, Clone)]
struct CompareQuery {
    from: String,
    to: String,
}

/// Node maximum (a parent's is the sum of its leaves).
fn node_max(fw: &Framework, code: &str) -> Option<Exact> {
    fw.find(code).map(|n| {
        if n.is_leaf() { n.max.clone().unwrap_or_default() } else { Framework { nodes: vec![n.clone()], ..Default::default() }.max_total() }
    })
}

async fn compare(
    State(state): State<AppState>,
    ctx: Ctx,
    crate::extract::Query(q): crate::extract::Query<CompareQuery>,
) -> Result<Response, AppError> {
    compare_page(&state, &ctx, &q, None, Vec::new()).await
}

async fn compare_page(
    state: &AppState,
    ctx: &Ctx,
    q: &CompareQuery,
    edited: Option<parindex_core::framework::crosswalk::Crosswalk>,
    cw_problems: Vec<(String, String)>,
) -> Result<Response, AppError> {
    let ctx = ctx.clone();
    ctx.require(Action::ViewFrameworks, Resource::System)?;
    let (_, old) = state.store.get_framework(&q.from).await?;
    let (_, new) = state.store.get_framework(&q.to).await?;
    let d = parindex_core::framework::crosswalk::diff(&old, &new);
    let lang = ctx.lang.code();
    let row = |code: &String, note: String| {
        let title = new.find(code).or_else(|| old.find(code)).map(|n| n.title.clone()).unwrap_or_default();
        DiffRow {
            code: code.clone(),
            title,
            old_max: node_max(&old, code).map(|m| ctx.lang.exact(&m)).unwrap_or_else(|| "—".into()),
            new_max: node_max(&new, code).map(|m| ctx.lang.exact(&m)).unwrap_or_else(|| "—".into()),
            note,
        }
    };
    let changed = d
        .changed
        .iter()
        .map(|c| {
            let (o, n) = (old.find(c), new.find(c));
            let mut notes = Vec::new();
            if let (Some(o), Some(n)) = (o, n) {
                if o.title != n.title {
                    notes.push(format!("{} “{}”", ctx.t("fw.was_titled"), o.title));
                }
                if o.rule != n.rule {
                    let show = |x: &Node| {
                        x.rule.as_ref().map(|r| describe(r, &x.max.clone().unwrap_or_default()).get(lang).to_string()).unwrap_or_default()
                    };
                    notes.push(format!("{}: {} → {}", ctx.t("fw.rule_changed"), show(o), show(n)));
                }
            }
            row(c, notes.join(" · "))
        })
        .collect();
    let stored = state.store.get_crosswalk(&old.code, &new.code).await?;
    let confirmed = stored.as_ref().map(|s| (s.confirmed_by.clone(), parindex_core::text::format_date(s.confirmed_at.date_naive())));
    let cw = edited.or(stored.map(|s| s.crosswalk)).unwrap_or_else(|| parindex_core::framework::crosswalk::propose(&old, &new));
    let (_, unmapped_new) = cw.gaps(&old, &new);
    let cw_rows = old
        .walk()
        .into_iter()
        .map(|(depth, n)| CwRow {
            code: n.code.clone(),
            title: n.title.clone(),
            depth,
            targets: cw.map.get(&n.code).map(|t| t.join(", ")).unwrap_or_default(),
        })
        .collect();
    let page =
        Page::new(&ctx, state, ctx.t("fw.compare"), "/frameworks").crumb(ctx.t("fw.title"), "/frameworks").crumb(ctx.t("fw.compare"), "");
    let status = if cw_problems.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let mut r = render(&Compare {
        cw_rows,
        confirmed,
        unmapped_new,
        cw_problems,
        can_manage: ctx.allows(Action::ManageFrameworks, Resource::System),
        page,
        from_total: ctx.lang.exact(&old.max_total()),
        to_total: ctx.lang.exact(&new.max_total()),
        from: old.code.clone(),
        to: new.code.clone(),
        sections: vec![
            (ctx.t("fw.added"), d.added.iter().map(|c| row(c, String::new())).collect()),
            (ctx.t("fw.removed"), d.removed.iter().map(|c| row(c, String::new())).collect()),
            (ctx.t("fw.changed"), changed),
        ],
    });
    *r.status_mut() = status;
    Ok(r)
}

/// Confirm the crosswalk of a comparison: fields `m:<old code>` = new codes, comma separated.
async fn confirm_crosswalk(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    ctx.require(Action::ManageFrameworks, Resource::System)?;
    let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.trim().to_string()).unwrap_or_default();
    let q = CompareQuery { from: get("from"), to: get("to") };
    let map = fields
        .iter()
        .filter_map(|(k, v)| k.strip_prefix("m:").map(|code| (code.to_string(), v)))
        .map(|(code, v)| (code, v.split([',', ';', ' ']).map(|t| t.trim().to_string()).filter(|t| !t.is_empty()).collect::<Vec<_>>()))
        .filter(|(_, t)| !t.is_empty())
        .collect();
    let cw = parindex_core::framework::crosswalk::Crosswalk { from: q.from.clone(), to: q.to.clone(), map };
    match state.store.save_crosswalk(&ctx.audit(), cw.clone()).await {
        Ok(_) => Ok(Redirect::to(&format!(
            "/frameworks/compare?from={}&to={}#crosswalk",
            crate::chrome::urlencode(&q.from),
            crate::chrome::urlencode(&q.to)
        ))
        .into_response()),
        Err(StoreError::InvalidFramework(p)) => {
            let lang = ctx.lang.code();
            let listed = p.into_iter().map(|p| (p.code, p.message.get(lang).to_string())).collect();
            compare_page(&state, &ctx, &q, Some(cw), listed).await
        }
        Err(e) => Err(e.into()),
    }
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/frameworks", get(list))
        .route("/frameworks/import", post(import))
        .route("/frameworks/template.xlsx", get(template))
        .route("/frameworks/compare", get(compare))
        .route("/frameworks/crosswalk", post(confirm_crosswalk))
        .route("/frameworks/{code}", get(detail))
        .route("/frameworks/{code}/publish", post(publish))
        .route("/frameworks/{code}/archive", post(archive))
        .route("/frameworks/{code}/versions", post(new_version))
}
