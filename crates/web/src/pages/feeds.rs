//! The period's fed data (issue #18): `/periods/{id}/so-lieu` lists the leaves whose points come
//! from data (which feed, who supplies it, units with and without data); a leaf's page
//! `/periods/{id}/so-lieu/{leaf}` shows each unit's value, its points by the leaf's rule (with
//! the rule's own explanation) and where it came from, the history of uploads, and — for the
//! reform office and the leaf's appraising department — the XLSX template and the upload.
//!
//! An upload is read whole (`parindex_reports::feed_values`), then shown first as what it
//! would change (added, changed, cleared, unchanged — a dry run of the same store call); the
//! confirmation sends the rows read back and the store checks them all again before writing
//! them in one transaction. Who reads and who uploads is `app::feeds`.

use askama::Template;
use axum::Router;
use axum::extract::{Form, Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use parindex_core::framework::Feed;
use parindex_core::framework::rule::apply;
use parindex_core::{Action, Exact, Lang, Resource};
use parindex_reports::feed_values::{LeafInfo, TemplateRow, write_template};
use parindex_store::StoreError;
use parindex_store::repo::feeds::{FeedImportOutcome, FeedImportRow, FeedLeaf, FeedUpload, MissingRule, NewFeedValue};
use serde::Deserialize;

use crate::AppState;
use crate::app::feeds::{import_rows, read_file, visible_feed, visible_feeds};
use crate::chrome::{Page, render};
use crate::ctx::Ctx;
use crate::error::AppError;

/// A feed's name for people.
pub fn feed_label(lang: Lang, key: &str) -> String {
    Feed::parse(key)
        .map(|f| {
            let (vi, en) = f.label();
            lang.pick(&vi, &en).to_string()
        })
        .unwrap_or_else(|| key.to_string())
}

/// "Hội đồng quyết định tính 0 điểm: <reason> (hoidong, 05/12/2026)".
pub fn decision_text(lang: Lang, d: &parindex_store::repo::feeds::FeedDecision) -> String {
    let when = (d.decided_at + chrono::Duration::hours(7)).format("%d/%m/%Y");
    let (vi, en) = d.kind.label();
    match lang.code() {
        "en" => format!("The council decided: {en} — {} ({}, {when})", d.reason, d.decided_by),
        _ => format!("Hội đồng quyết định {vi}: {} ({}, {when})", d.reason, d.decided_by),
    }
}

struct LeafLine {
    code: String,
    title: String,
    feed: String,
    appraiser: String,
    with_data: usize,
    units: usize,
    missing: Vec<String>,
    /// The council's decision for the units without data, in words.
    decision: String,
}

#[derive(Template)]
#[template(path = "feeds.html")]
struct FeedsPage {
    page: Page,
    period_id: i64,
    leaves: Vec<LeafLine>,
    /// An approved period, for the council: how many leaves differ from their data now, and the
    /// correction form (kept after a refusal).
    correction: Option<CorrectionView>,
    flash: Option<String>,
}

#[derive(Default)]
struct CorrectionView {
    /// (unit, leaf, points now, points from the data) of each leaf that differs.
    pending: Vec<(String, String, String, String)>,
    form: CorrectionForm,
    errors: Vec<String>,
}

#[derive(Default, Deserialize, Clone)]
struct CorrectionForm {
    #[serde(default)]
    decision_number: String,
    #[serde(default)]
    decision_date: String,
    #[serde(default)]
    signer: String,
    #[serde(default)]
    reason: String,
}

#[derive(Deserialize)]
struct ListQuery {
    corrected: Option<usize>,
    version: Option<i32>,
}

fn line(lang: Lang, l: &FeedLeaf) -> LeafLine {
    LeafLine {
        code: l.code.clone(),
        title: l.title.clone(),
        feed: feed_label(lang, &l.feed),
        appraiser: l.appraiser_name.clone().or_else(|| l.appraiser.clone()).unwrap_or_default(),
        with_data: l.units.iter().filter(|u| u.value.is_some()).count(),
        units: l.units.len(),
        missing: l.missing().map(|u| format!("{} — {}", u.unit_code, u.unit_name)).collect(),
        decision: l.decision.as_ref().map(|d| decision_text(lang, d)).unwrap_or_default(),
    }
}

async fn list(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>, Query(q): Query<ListQuery>) -> Result<Response, AppError> {
    let flash = q.corrected.map(|n| match q.version {
        Some(v) => format!("{} {n}. {} {v}.", ctx.t("feed.corrected"), ctx.t("feed.corrected_published")),
        None => format!("{} {n}.", ctx.t("feed.corrected")),
    });
    draw_list(&state, &ctx, id, flash, CorrectionView::default()).await
}

/// The list page; for an approved period and the council (or an admin), the correction card.
async fn draw_list(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    flash: Option<String>,
    mut correction: CorrectionView,
) -> Result<Response, AppError> {
    let leaves = visible_feeds(state, ctx, id).await?;
    let period = state.store.get_period(id).await?;
    let page = Page::new(ctx, state, ctx.t("feed.title"), "/periods")
        .crumb(ctx.t("nav.periods"), "/periods")
        .crumb(period.name.clone(), format!("/periods/{id}"))
        .crumb(ctx.t("feed.title"), "");
    let leaves = leaves.iter().map(|(l, _)| line(ctx.lang, l)).collect();
    let correction = if period.approved() && ctx.allows(Action::ApprovePeriod, Resource::System) {
        let fw = state.store.period_framework(id).await?;
        let shown = |p: &Option<Exact>| p.as_ref().map(|x| ctx.lang.num(x, fw.decimals)).unwrap_or_else(|| "—".into());
        correction.pending = state
            .store
            .fed_values_to_correct(id)
            .await?
            .iter()
            .map(|c| (format!("{} — {}", c.unit_code, c.unit_name), c.leaf.clone(), shown(&c.before), shown(&c.after)))
            .collect();
        Some(correction)
    } else {
        None
    };
    let refused = correction.as_ref().is_some_and(|c| !c.errors.is_empty());
    let mut r = render(&FeedsPage { page, period_id: id, leaves, correction, flash });
    if refused {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

/// The council corrects an approved period's fed figures from their data now (a new published
/// version with the reason, when published): `Store::correct_fed_values`.
async fn correct(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<CorrectionForm>,
) -> Result<Response, AppError> {
    ctx.require(Action::ApprovePeriod, Resource::System)?;
    let lang = ctx.lang.code();
    let Some(date) = parindex_core::text::parse_date(&f.decision_date) else {
        let errors = vec![
            parindex_core::Msg::new("Ngày quyết định theo dạng dd/mm/yyyy.", "The decision's date as dd/mm/yyyy.").get(lang).to_string(),
        ];
        return draw_list(&state, &ctx, id, None, CorrectionView { pending: Vec::new(), form: f, errors }).await;
    };
    let decision = parindex_store::repo::periods::Decision { number: f.decision_number.clone(), date, signer: f.signer.clone() };
    match state.store.correct_fed_values(&ctx.audit(), id, decision, &f.reason, parindex_core::assessment::today_vn()).await {
        Ok(c) => {
            let version = c.publication.map(|p| format!("&version={}", p.version)).unwrap_or_default();
            Ok(Redirect::to(&format!("/periods/{id}/so-lieu?corrected={}{version}#dinh-chinh", c.leaves_written)).into_response())
        }
        Err(e @ (StoreError::Invalid(_) | StoreError::Conflict(_))) => {
            let errors = match e {
                StoreError::Invalid(fields) => fields.iter().map(|x| x.message.get(lang).to_string()).collect(),
                other => vec![crate::chrome::store_error_text(&ctx, &other).unwrap_or_default()],
            };
            draw_list(&state, &ctx, id, None, CorrectionView { pending: Vec::new(), form: f, errors }).await
        }
        Err(e) => Err(e.into()),
    }
}

struct UnitLine {
    code: String,
    name: String,
    value: String,
    points: String,
    provenance: String,
    frozen: bool,
    /// Where the register's rows behind the figure are (register feeds).
    data_href: Option<String>,
}

#[derive(Template)]
#[template(path = "feed_leaf.html")]
struct LeafPage {
    page: Page,
    period_id: i64,
    leaf: LeafLine,
    rule: String,
    uploads: bool,
    units: Vec<UnitLine>,
    imports: Vec<(FeedImportRow, String)>,
    /// The last upload written (after a confirmation).
    written: Option<FeedImportRow>,
    /// The council may record (or change) its decision for the units without data.
    can_decide: bool,
    /// A refused decision, shown at its form.
    decision_error: String,
    /// A file read and checked, not written yet: what it would change, and the rows to send.
    preview: Option<(String, FeedImportOutcome, String)>,
    file_name: String,
    errors: Vec<(usize, String, String)>,
    headline: String,
}

#[derive(Deserialize, Default)]
struct LeafQuery {
    written: Option<i64>,
}

#[derive(Default)]
struct Drawn {
    preview: Option<(String, FeedImportOutcome, String)>,
    file_name: String,
    error: Option<AppError>,
    decision_error: String,
}

async fn draw(state: &AppState, ctx: &Ctx, id: i64, code: &str, written: Option<i64>, d: Drawn) -> Result<Response, AppError> {
    let (leaf, uploads) = visible_feed(state, ctx, id, code).await?;
    let period = state.store.get_period(id).await?;
    let fw = state.store.period_framework(id).await?;
    let node = fw.find(code).ok_or(AppError::NotFound)?;
    let max = node.max.clone().unwrap_or(Exact::ZERO);
    let decimals = fw.decimals;
    let units = leaf
        .units
        .iter()
        .map(|u| {
            let (value, points) = match (&u.value, &node.rule) {
                (Some(v), _) if v.input.not_applicable => {
                    (String::new(), ctx.lang.pick("không áp dụng (không có hồ sơ)", "not applicable (no files)").to_string())
                }
                (Some(v), Some(rule)) => (
                    apply(rule, &max, &v.input, true)
                        .ok()
                        .and_then(|o| o.explanation)
                        .map(|m| m.get(ctx.lang.code()).to_string())
                        .unwrap_or_default(),
                    v.points.as_ref().map(|p| ctx.lang.num(p, decimals)).unwrap_or_default(),
                ),
                _ => (String::new(), String::new()),
            };
            UnitLine {
                code: u.unit_code.clone(),
                name: u.unit_name.clone(),
                value,
                points,
                provenance: u.value.as_ref().map(|v| v.provenance.clone()).unwrap_or_default(),
                frozen: u.state.frozen(),
                // a register's feed: the unit's rows in the register, the data behind the figure
                data_href: matches!(Feed::parse(&leaf.feed), Some(Feed::Onestop(_)))
                    .then(|| format!("/mot-cua/don-vi/{}?nam={}", crate::chrome::urlencode(&u.unit_code), period.year)),
            }
        })
        .collect();
    let imports = if uploads { state.store.feed_imports(id, code).await? } else { vec![] };
    let written = written.and_then(|w| imports.iter().find(|i| i.id == w).cloned());
    let imports = imports
        .into_iter()
        .map(|i| {
            let when = (i.created_at + chrono::Duration::hours(7)).format("%d/%m/%Y %H:%M").to_string();
            (i, when)
        })
        .collect();
    let (headline, errors, status) = match &d.error {
        Some(AppError::ImportRows(rows)) => (
            ctx.t("feed.refused").to_string(),
            rows.iter().map(|r| (r.row, r.field.clone(), r.message.get(ctx.lang.code()).to_string())).collect(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Some(e) => (e.message().get(ctx.lang.code()).to_string(), vec![], e.status()),
        None => (String::new(), vec![], StatusCode::OK),
    };
    let rule =
        node.rule.as_ref().map(|r| parindex_core::framework::rule::describe(r, &max).get(ctx.lang.code()).to_string()).unwrap_or_default();
    let title = format!("{} {}", ctx.t("feed.leaf_title"), leaf.code);
    let page = Page::new(ctx, state, title.clone(), "/periods")
        .crumb(ctx.t("nav.periods"), "/periods")
        .crumb(period.name.clone(), format!("/periods/{id}"))
        .crumb(ctx.t("feed.title"), format!("/periods/{id}/so-lieu"))
        .crumb(title, "");
    let can_decide = ctx.allows(Action::ApprovePeriod, Resource::System)
        && !period.approved()
        && (leaf.missing().next().is_some() || leaf.decision.is_some());
    let mut r = render(&LeafPage {
        can_decide,
        decision_error: d.decision_error,
        page,
        period_id: id,
        leaf: line(ctx.lang, &leaf),
        rule,
        uploads,
        units,
        imports,
        written,
        preview: d.preview,
        file_name: d.file_name,
        errors,
        headline,
    });
    *r.status_mut() = status;
    Ok(r)
}

async fn leaf_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, code)): Path<(i64, String)>,
    Query(q): Query<LeafQuery>,
) -> Result<Response, AppError> {
    draw(&state, &ctx, id, &code, q.written, Drawn::default()).await
}

/// The template: the leaf's units with their current values (uploaders only).
async fn template(State(state): State<AppState>, ctx: Ctx, Path((id, code)): Path<(i64, String)>) -> Result<Response, AppError> {
    let (leaf, uploads) = visible_feed(&state, &ctx, id, &code).await?;
    if !uploads {
        return Err(AppError::Forbidden);
    }
    let period = state.store.get_period(id).await?;
    let fw = state.store.period_framework(id).await?;
    let node = fw.find(&code).ok_or(AppError::NotFound)?;
    let rule = node.rule.clone().ok_or(AppError::NotFound)?;
    let max = node.max.clone().unwrap_or(Exact::ZERO);
    let rows: Vec<TemplateRow> = leaf
        .units
        .iter()
        .map(|u| TemplateRow {
            unit_code: u.unit_code.clone(),
            unit_name: u.unit_name.clone(),
            input: u.value.as_ref().map(|v| v.input.clone()),
            source: u.value.as_ref().and_then(|v| v.source.clone()),
            points: u.value.as_ref().and_then(|v| v.points.clone()),
        })
        .collect();
    let info = LeafInfo { code: &leaf.code, title: &leaf.title, rule: &rule, max: &max };
    let vi = ctx.lang.code() != "en";
    let bytes = write_template(&period.name, &info, &rows, fw.decimals, vi).map_err(|e| AppError::Internal(format!("xlsx: {e}")))?;
    let name = format!("so-lieu-{}-{}.xlsx", period.code, leaf.code);
    Ok(crate::chrome::download(bytes, crate::chrome::XLSX, &name))
}

/// An uploaded file: read, checked and shown as what it would change (nothing written).
async fn upload(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, code)): Path<(i64, String)>,
    mp: Multipart,
) -> Result<Response, AppError> {
    let (leaf, uploads) = visible_feed(&state, &ctx, id, &code).await?;
    if !uploads {
        return Err(AppError::Forbidden);
    }
    let (name, bytes) = match crate::pages::units::first_file(mp, state.config.max_upload_bytes).await {
        Ok(f) => f,
        Err(e) => return draw(&state, &ctx, id, &code, None, Drawn { error: Some(e), ..Default::default() }).await,
    };
    let fw = state.store.period_framework(id).await?;
    let checked = match read_file(&fw, &leaf, &name, &bytes) {
        Ok(rows) => {
            let upload = FeedUpload { origin: "xlsx", file_name: Some(name.clone()), rows: rows.clone(), dry_run: true };
            import_rows(&state, &ctx, id, &code, upload).await.map(|o| (o, rows))
        }
        Err(e) => Err(e),
    };
    match checked {
        Ok((outcome, rows)) => {
            let json = serde_json::to_string(&rows).unwrap_or_default();
            draw(
                &state,
                &ctx,
                id,
                &code,
                None,
                Drawn { preview: Some((name.clone(), outcome, json)), file_name: name, ..Default::default() },
            )
            .await
        }
        Err(e @ AppError::Internal(_)) => Err(e),
        Err(e) => draw(&state, &ctx, id, &code, None, Drawn { file_name: name, error: Some(e), ..Default::default() }).await,
    }
}

#[derive(Deserialize)]
struct Confirm {
    file_name: String,
    rows: String,
}

/// The confirmation: the rows read from the file, checked again and written.
async fn confirm(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, code)): Path<(i64, String)>,
    Form(f): Form<Confirm>,
) -> Result<Response, AppError> {
    let rows: Vec<NewFeedValue> = serde_json::from_str(&f.rows).map_err(|_| {
        AppError::BadRequest(parindex_core::Msg::new(
            "Dữ liệu xác nhận không đọc được; hãy tải tệp lên lại.",
            "The confirmation cannot be read; upload the file again.",
        ))
    })?;
    let upload = FeedUpload { origin: "xlsx", file_name: Some(f.file_name.clone()), rows, dry_run: false };
    match import_rows(&state, &ctx, id, &code, upload).await {
        Ok(o) => {
            Ok(Redirect::to(&format!("/periods/{id}/so-lieu/{}?written={}", crate::chrome::urlencode(&code), o.import_id)).into_response())
        }
        Err(e @ (AppError::ImportRows(_) | AppError::Invalid(_) | AppError::Conflict(_))) => {
            draw(&state, &ctx, id, &code, None, Drawn { file_name: f.file_name, error: Some(e), ..Default::default() }).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
struct DecisionForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    reason: String,
}

/// The council's decision for the units a fed leaf has no data for (before approval).
async fn decide(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, code)): Path<(i64, String)>,
    Form(f): Form<DecisionForm>,
) -> Result<Response, AppError> {
    ctx.require(Action::ApprovePeriod, Resource::System)?;
    visible_feed(&state, &ctx, id, &code).await?;
    let refused = |text: String| Drawn { decision_error: text, ..Default::default() };
    let Some(kind) = MissingRule::parse(&f.kind) else {
        let text = parindex_core::Msg::new(
            "Hãy chọn quyết định: tính 0 điểm hoặc không tính vào điểm tối đa.",
            "Choose: scored 0, or left out of the maximum.",
        );
        let mut r = draw(&state, &ctx, id, &code, None, refused(text.get(ctx.lang.code()).to_string())).await?;
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(r);
    };
    match state.store.decide_missing_feed(&ctx.audit(), id, &code, kind, &f.reason).await {
        Ok(_) => Ok(Redirect::to(&format!("/periods/{id}/so-lieu/{}#quyet-dinh", crate::chrome::urlencode(&code))).into_response()),
        Err(e @ (StoreError::Invalid(_) | StoreError::Conflict(_))) => {
            let text = crate::chrome::store_error_text(&ctx, &e).unwrap_or_default();
            let status = if matches!(e, StoreError::Conflict(_)) { StatusCode::CONFLICT } else { StatusCode::UNPROCESSABLE_ENTITY };
            let mut r = draw(&state, &ctx, id, &code, None, refused(text)).await?;
            *r.status_mut() = status;
            Ok(r)
        }
        Err(e) => Err(e.into()),
    }
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/periods/{id}/so-lieu", get(list))
        .route("/periods/{id}/so-lieu/dinh-chinh", axum::routing::post(correct))
        .route("/periods/{id}/so-lieu/{leaf}", get(leaf_page).post(upload))
        .route("/periods/{id}/so-lieu/{leaf}/ghi", axum::routing::post(confirm))
        .route("/periods/{id}/so-lieu/{leaf}/mau.xlsx", get(template))
        .route("/periods/{id}/so-lieu/{leaf}/quyet-dinh", axum::routing::post(decide))
}
