//! The draft editor for criteria frameworks (reform office only; drafts only). Works without
//! JavaScript — every change is a plain form post — and `assets/editor.js` adds a live preview
//! of a rule on a sample input and a warning before leaving a form with unsaved changes.
//!
//! A draft may be saved while it still has problems (a new leaf whose maximum breaks the
//! declared total, say); the problems are listed at the top of the editor and publishing
//! refuses them. Every save goes through `Store::save_framework_draft` (audit-logged, in one
//! transaction) and edits are addressed by node code.

use std::collections::HashMap;

use crate::extract::Query;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use parindex_core::framework::rule::{KINDS, apply, describe};
use parindex_core::framework::{Adjustment, AdjustmentKind, Evidence, Feed, Framework, LegalBasis, Node, Rule, Source, edit, validate};
use parindex_core::{Action, Exact, Msg, Resource};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::chrome::{Page, render, store_error_text, urlencode};
use crate::ctx::Ctx;
use crate::error::AppError;

/// The sources offered on the criterion form: self-assessed, survey, then every known feed
/// (issue #18), keyed as `Source::key` writes them.
fn source_choices(lang: &str) -> Vec<(String, String)> {
    let en = lang == "en";
    let mut out = vec![
        ("self_assessed".to_string(), if en { "Self-assessed and appraised" } else { "Tự đánh giá, có thẩm định" }.to_string()),
        ("survey".to_string(), if en { "Survey result" } else { "Kết quả khảo sát" }.to_string()),
    ];
    for f in Feed::ALL {
        let (vi, en_label) = f.label();
        out.push((Source::Feed(*f).key(), if en { format!("Fed data: {en_label}") } else { format!("Số liệu cấp vào: {vi}") }));
    }
    out
}

/// The draft, or 409 when the framework is not a draft any more.
async fn load_draft(state: &AppState, ctx: &Ctx, code: &str) -> Result<Framework, AppError> {
    ctx.require(Action::ManageFrameworks, Resource::System)?;
    let (row, fw) = state.store.get_framework(code).await?;
    if row.status != "draft" {
        return Err(AppError::Conflict(Msg::new(
            format!("Bộ chỉ số “{code}” đã ban hành hoặc lưu trữ nên không sửa được; hãy tạo phiên bản mới từ bản này."),
            format!("The framework “{code}” is published or archived and cannot be edited; create a new version from it."),
        )));
    }
    Ok(fw)
}

// ---------------------------------------------------------------------------------------------
// The editor page: problems, framework facts, the tree with actions, adjustments

pub struct EditRow {
    pub code: String,
    pub title: String,
    pub depth: usize,
    pub indent: String,
    pub max: String,
    pub rule: String,
    pub leaf: bool,
    pub first: bool,
    pub last: bool,
}

#[derive(Template)]
#[template(path = "framework_edit.html")]
struct EditPage {
    page: Page,
    fw_code: String,
    meta: MetaForm,
    /// Unit kinds to tick: (code, name, ticked).
    kind_boxes: Vec<(String, String, bool)>,
    rows: Vec<EditRow>,
    adjustments: Vec<EditRow>,
    problems: Vec<(String, String)>,
    total: String,
    errors: HashMap<&'static str, String>,
    saved: bool,
}

#[derive(Deserialize, Default, Clone)]
pub struct MetaForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub legal_number: String,
    #[serde(default)]
    pub legal_date: String,
    #[serde(default)]
    pub unit_kinds: String,
    #[serde(default)]
    pub valid_from: String,
    #[serde(default)]
    pub valid_to: String,
    #[serde(default)]
    pub total: String,
    #[serde(default)]
    pub decimals: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub sample: Option<String>,
    /// The kinds' checkboxes (`units::ticked_kinds`).
    #[serde(flatten)]
    pub extra: HashMap<String, String>,
}

impl MetaForm {
    fn of(fw: &Framework) -> MetaForm {
        MetaForm {
            name: fw.name.clone(),
            legal_number: fw.legal_basis.as_ref().map(|l| l.number.clone()).unwrap_or_default(),
            legal_date: fw.legal_basis.as_ref().and_then(|l| l.date).map(parindex_core::text::format_date).unwrap_or_default(),
            unit_kinds: fw.unit_kinds.join(", "),
            valid_from: fw.valid_from.map(|y| y.to_string()).unwrap_or_default(),
            valid_to: fw.valid_to.map(|y| y.to_string()).unwrap_or_default(),
            total: fw.total.as_ref().map(|t| t.to_string()).unwrap_or_default(),
            decimals: fw.decimals.to_string(),
            description: fw.description.clone().unwrap_or_default(),
            sample: fw.sample.then(|| "on".to_string()),
            extra: HashMap::new(),
        }
    }

    /// Apply to `fw`; errors by field.
    fn apply(&self, fw: &mut Framework) -> HashMap<&'static str, Msg> {
        let mut errors = HashMap::new();
        let name = self.name.trim();
        if name.is_empty() {
            errors.insert("name", Msg::new("Nhập tên bộ chỉ số.", "Enter the framework's name."));
        }
        fw.name = name.to_string();
        let date = if self.legal_date.trim().is_empty() {
            None
        } else {
            let d = parindex_core::text::parse_date(&self.legal_date);
            if d.is_none() {
                errors.insert("legal_date", Msg::new("Ngày theo dạng dd/mm/yyyy.", "A date as dd/mm/yyyy."));
            }
            d
        };
        fw.legal_basis = if self.legal_number.trim().is_empty() && date.is_none() {
            None
        } else {
            Some(LegalBasis { number: self.legal_number.trim().to_string(), date })
        };
        fw.unit_kinds = self.unit_kinds.split([',', ';']).map(|k| k.trim().to_string()).filter(|k| !k.is_empty()).collect();
        let year = |v: &str, field: &'static str, errors: &mut HashMap<&'static str, Msg>| -> Option<i32> {
            if v.trim().is_empty() {
                return None;
            }
            let y = v.trim().parse::<i32>().ok().filter(|y| (1990..=2200).contains(y));
            if y.is_none() {
                errors.insert(field, Msg::new("Năm gồm 4 chữ số, ví dụ 2026.", "A four-digit year, e.g. 2026."));
            }
            y
        };
        fw.valid_from = year(&self.valid_from, "valid_from", &mut errors);
        fw.valid_to = year(&self.valid_to, "valid_to", &mut errors);
        fw.total = if self.total.trim().is_empty() {
            None
        } else {
            let t = Exact::parse(&self.total).filter(|t| !t.is_negative());
            if t.is_none() {
                errors.insert("total", Msg::new("Tổng điểm là một số, ví dụ 100.", "The total is a number, e.g. 100."));
            }
            t
        };
        match self.decimals.trim().parse::<u32>().ok().filter(|d| *d <= 6) {
            Some(d) => fw.decimals = d,
            None => {
                errors.insert("decimals", Msg::new("Số chữ số thập phân từ 0 đến 6.", "Decimal places from 0 to 6."));
            }
        }
        fw.description = Some(self.description.trim().to_string()).filter(|d| !d.is_empty());
        fw.sample = self.sample.is_some();
        errors
    }
}

fn rule_kind_label(ctx: &Ctx, rule: Option<&Rule>) -> String {
    let Some(r) = rule else { return String::new() };
    KINDS.iter().find(|k| k.0 == r.kind()).map(|k| if ctx.lang.code() == "en" { k.2 } else { k.1 }).unwrap_or("").to_string()
}

fn tree_rows(ctx: &Ctx, fw: &Framework) -> Vec<EditRow> {
    fn go(ctx: &Ctx, nodes: &[Node], depth: usize, out: &mut Vec<EditRow>) {
        for (i, n) in nodes.iter().enumerate() {
            let max = if n.is_leaf() {
                n.max.as_ref().map(|m| ctx.lang.exact(m)).unwrap_or_else(|| "—".into())
            } else {
                ctx.lang.exact(&Framework { nodes: vec![n.clone()], ..Default::default() }.max_total())
            };
            out.push(EditRow {
                code: n.code.clone(),
                title: n.title.clone(),
                depth,
                indent: format!("{}rem", depth as f32 * 1.25),
                max,
                rule: rule_kind_label(ctx, n.rule.as_ref()),
                leaf: n.is_leaf(),
                first: i == 0,
                last: i + 1 == nodes.len(),
            });
            go(ctx, &n.children, depth + 1, out);
        }
    }
    let mut out = Vec::new();
    go(ctx, &fw.nodes, 0, &mut out);
    out
}

async fn edit_page(
    state: &AppState,
    ctx: &Ctx,
    fw: &Framework,
    meta: MetaForm,
    errors: HashMap<&'static str, Msg>,
    saved: bool,
) -> Result<Response, AppError> {
    let lang = ctx.lang.code();
    let page = Page::new(ctx, state, format!("{} — {}", ctx.t("fw.edit"), fw.name), "/frameworks")
        .crumb(ctx.t("fw.title"), "/frameworks")
        .crumb(fw.code.clone(), format!("/frameworks/{}", fw.code))
        .crumb(ctx.t("fw.edit"), "");
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let kind_boxes = crate::pages::units::kind_choices(&crate::pages::units::kind_options(state, ctx).await?, &meta.unit_kinds);
    let mut r = render(&EditPage {
        page,
        fw_code: fw.code.clone(),
        meta,
        kind_boxes,
        rows: tree_rows(ctx, fw),
        adjustments: fw
            .adjustments
            .iter()
            .enumerate()
            .map(|(i, a)| EditRow {
                code: a.code.clone(),
                title: a.title.clone(),
                depth: 0,
                indent: String::new(),
                max: format!("{}{}", if a.kind == AdjustmentKind::Bonus { "+" } else { "−" }, ctx.lang.exact(&a.max)),
                rule: rule_kind_label(ctx, Some(&a.rule)),
                leaf: true,
                first: i == 0,
                last: i + 1 == fw.adjustments.len(),
            })
            .collect(),
        problems: validate(fw).into_iter().map(|p| (p.code, p.message.get(lang).to_string())).collect(),
        total: ctx.lang.exact(&fw.max_total()),
        errors: errors.into_iter().map(|(k, m)| (k, m.get(lang).to_string())).collect(),
        saved,
    });
    *r.status_mut() = status;
    Ok(r)
}

#[derive(Deserialize)]
struct EditQuery {
    done: Option<String>,
}

async fn edit(State(state): State<AppState>, ctx: Ctx, Path(code): Path<String>, Query(q): Query<EditQuery>) -> Result<Response, AppError> {
    let fw = load_draft(&state, &ctx, &code).await?;
    edit_page(&state, &ctx, &fw, MetaForm::of(&fw), HashMap::new(), q.done.is_some()).await
}

/// Save the edited draft and go back to the editor (at `anchor`), or show the store's refusal.
async fn save(state: &AppState, ctx: &Ctx, code: &str, fw: Framework, what: String, anchor: &str) -> Result<Response, String> {
    match state.store.save_framework_draft(&ctx.audit(), code, fw, &what).await {
        Ok(_) => Ok(Redirect::to(&format!("/frameworks/{}/edit?done=1#{anchor}", urlencode(code))).into_response()),
        Err(e) => match store_error_text(ctx, &e) {
            Some(text) => Err(text),
            None => Ok(AppError::from(e).into_response()),
        },
    }
}

async fn save_meta(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Form(mut f): Form<MetaForm>,
) -> Result<Response, AppError> {
    if let Some(k) = crate::pages::units::ticked_kinds(&f.extra) {
        f.unit_kinds = k;
    }
    let mut fw = load_draft(&state, &ctx, &code).await?;
    let errors = f.apply(&mut fw);
    if !errors.is_empty() {
        let current = load_draft(&state, &ctx, &code).await?;
        return edit_page(&state, &ctx, &current, f, errors, false).await;
    }
    match save(&state, &ctx, &code, fw, "framework.meta".into(), "meta").await {
        Ok(r) => Ok(r),
        Err(text) => {
            let current = load_draft(&state, &ctx, &code).await?;
            edit_page(&state, &ctx, &current, f, HashMap::from([("name", Msg::new(text.clone(), text))]), false).await
        }
    }
}

#[derive(Deserialize)]
struct MoveForm {
    dir: String,
}

async fn move_node(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, node)): Path<(String, String)>,
    Form(f): Form<MoveForm>,
) -> Result<Response, AppError> {
    let mut fw = load_draft(&state, &ctx, &code).await?;
    let up = f.dir == "up";
    let moved = if let Some(i) = fw.adjustments.iter().position(|a| a.code == node) {
        let j = if up { i.checked_sub(1) } else { Some(i + 1).filter(|j| *j < fw.adjustments.len()) };
        j.map(|j| fw.adjustments.swap(i, j)).is_some()
    } else {
        edit::path_of(&fw, &node).ok_or(AppError::NotFound)?;
        edit::move_sibling(&mut fw, &node, up)
    };
    if !moved {
        return Ok(Redirect::to(&format!("/frameworks/{}/edit#n-{}", urlencode(&code), urlencode(&node))).into_response());
    }
    let what = format!("{} {node}", if up { "node.move_up" } else { "node.move_down" });
    save(&state, &ctx, &code, fw, what, &format!("n-{node}")).await.map_err(|t| AppError::Conflict(Msg::new(t.clone(), t)))
}

// ---------------------------------------------------------------------------------------------
// One node (or one adjustment): the form, the live preview, save, delete

#[derive(Deserialize, Default, Clone, Debug)]
pub struct ItemForm {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub parent: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub guidance: String,
    #[serde(default)]
    pub max: String,
    #[serde(default)]
    pub rule_kind: String,
    #[serde(default)]
    pub params: String,
    #[serde(default)]
    pub evidence_required: String,
    #[serde(default)]
    pub documents: String,
    #[serde(default)]
    pub appraiser: String,
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub applies_to: String,
    /// bonus | penalty (adjustments)
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub sample: String,
    #[serde(default)]
    pub op: String,
    #[serde(default)]
    pub confirm_delete: Option<String>,
    /// The kinds' checkboxes for "applies to" (`units::ticked_kinds`).
    #[serde(flatten)]
    pub extra: HashMap<String, String>,
}

/// Rows of the rule editor at most (a rule with more options is written as text).
const MAX_ROWS: usize = 30;

/// One band of the rule editor: from (more than, or at least) to (less than, or at most), points.
#[derive(Debug, Clone, Default)]
pub struct BandRow {
    pub from: String,
    pub from_gt: bool,
    pub to: String,
    pub to_le: bool,
    pub points: String,
}

/// The rule editor's rows for the two kinds that have a list (options, bands).
pub struct RuleRows {
    pub options: Vec<[String; 3]>,
    pub bands: Vec<BandRow>,
}

impl ItemForm {
    fn of_node(fw: &Framework, n: &Node) -> ItemForm {
        ItemForm {
            code: n.code.clone(),
            parent: edit::parent_of(fw, &n.code).unwrap_or_default(),
            title: n.title.clone(),
            guidance: n.guidance.clone().unwrap_or_default(),
            max: n.max.as_ref().map(|m| m.to_string()).unwrap_or_default(),
            rule_kind: n.rule.as_ref().map(|r| r.kind().to_string()).unwrap_or_default(),
            params: n.rule.as_ref().map(|r| r.params_text()).unwrap_or_default(),
            evidence_required: match &n.evidence {
                None => String::new(),
                Some(e) if e.required => "yes".into(),
                Some(_) => "no".into(),
            },
            documents: n.evidence.as_ref().map(|e| e.documents.join("\n")).unwrap_or_default(),
            appraiser: n.appraiser.clone().unwrap_or_default(),
            source: n.source.key(),
            applies_to: n.applies_to.join(", "),
            ..Default::default()
        }
    }

    fn of_adjustment(a: &Adjustment) -> ItemForm {
        ItemForm {
            code: a.code.clone(),
            title: a.title.clone(),
            guidance: a.guidance.clone().unwrap_or_default(),
            max: a.max.to_string(),
            rule_kind: a.rule.kind().into(),
            params: a.rule.params_text(),
            kind: if a.kind == AdjustmentKind::Bonus { "bonus".into() } else { "penalty".into() },
            ..Default::default()
        }
    }

    fn max(&self, errors: &mut HashMap<&'static str, Msg>) -> Option<Exact> {
        if self.max.trim().is_empty() {
            return None;
        }
        let m = Exact::parse(&self.max).filter(|m| !m.is_negative());
        if m.is_none() {
            errors.insert(
                "max",
                Msg::new("Điểm tối đa là một số không âm, ví dụ 2 hoặc 0,5.", "The maximum is a number ≥ 0, e.g. 2 or 0.5."),
            );
        }
        m
    }

    /// The numbers of the rows the form sent with fields named `{prefix}…_{n}`, in order.
    fn row_indices(&self, prefix: &str) -> Vec<usize> {
        (0..MAX_ROWS).filter(|i| self.extra.keys().any(|k| k.starts_with(prefix) && k.ends_with(&format!("_{i}")))).collect()
    }

    /// The parameters typed in the rows of the page's rule editor (issue #17: options and bands
    /// as rows, not `[0, 70) | 0` typed by hand), as the text `Rule::from_text` reads; `None`
    /// when the form has no rows for the chosen kind (the API's and older clients' text wins).
    fn rows_params(&self) -> Option<String> {
        let v = |k: String| self.extra.get(&k).map(|s| s.trim().to_string()).unwrap_or_default();
        // a decimal comma typed in a cell is a point in the text
        let num = |k: String| v(k).replace(',', ".");
        match self.rule_kind.trim() {
            "options" if self.extra.keys().any(|k| k.starts_with("opt_")) => Some(
                self.row_indices("opt_")
                    .into_iter()
                    .map(|i| (v(format!("opt_key_{i}")), v(format!("opt_label_{i}")), num(format!("opt_points_{i}"))))
                    .filter(|(k, l, p)| !(k.is_empty() && l.is_empty() && p.is_empty()))
                    .map(|(k, l, p)| format!("{k} | {l} | {p}"))
                    .collect::<Vec<_>>()
                    .join("\n"),
            ),
            "bands" if self.extra.keys().any(|k| k.starts_with("band_")) => Some(
                self.row_indices("band_")
                    .into_iter()
                    .map(|i| {
                        let (from, to, points) =
                            (num(format!("band_from_{i}")), num(format!("band_to_{i}")), num(format!("band_points_{i}")));
                        let open = if v(format!("band_from_op_{i}")) == "gt" { '(' } else { '[' };
                        let close = if v(format!("band_to_op_{i}")) == "le" { ']' } else { ')' };
                        (from, to, points, open, close)
                    })
                    .filter(|(f, t, p, _, _)| !(f.is_empty() && t.is_empty() && p.is_empty()))
                    .map(|(f, t, p, open, close)| format!("{open}{f}, {t}{close} | {p}"))
                    .collect::<Vec<_>>()
                    .join("\n"),
            ),
            _ => None,
        }
    }

    /// The rows the rule editor shows: what was typed (a refused form keeps it), else the rule's
    /// own; two empty rows more to add to (at least four).
    fn rule_rows(&self) -> RuleRows {
        let v = |k: String| self.extra.get(&k).cloned().unwrap_or_default();
        let parsed = Rule::from_text(&self.rule_kind, &self.params).ok();
        let show = |x: &Exact| x.to_string().replace('.', ",");
        let mut options: Vec<[String; 3]> = if self.extra.keys().any(|k| k.starts_with("opt_")) {
            self.row_indices("opt_")
                .into_iter()
                .map(|i| [v(format!("opt_key_{i}")), v(format!("opt_label_{i}")), v(format!("opt_points_{i}"))])
                .collect()
        } else if let Some(Rule::Options { options }) = &parsed {
            options.iter().map(|o| [o.key.clone(), o.label.clone(), show(&o.points)]).collect()
        } else {
            vec![]
        };
        options.retain(|r| r.iter().any(|c| !c.trim().is_empty()));
        let mut bands: Vec<BandRow> = if self.extra.keys().any(|k| k.starts_with("band_")) {
            self.row_indices("band_")
                .into_iter()
                .map(|i| BandRow {
                    from: v(format!("band_from_{i}")),
                    from_gt: v(format!("band_from_op_{i}")) == "gt",
                    to: v(format!("band_to_{i}")),
                    to_le: v(format!("band_to_op_{i}")) == "le",
                    points: v(format!("band_points_{i}")),
                })
                .collect()
        } else if let Some(Rule::Bands { bands }) = &parsed {
            bands
                .iter()
                .map(|b| BandRow {
                    from: show(&b.from),
                    from_gt: !b.from_inclusive,
                    to: show(&b.to),
                    to_le: b.to_inclusive,
                    points: show(&b.points),
                })
                .collect()
        } else {
            vec![]
        };
        bands.retain(|b| !(b.from.trim().is_empty() && b.to.trim().is_empty() && b.points.trim().is_empty()));
        let pad = |n: usize| (n + 2).clamp(4, MAX_ROWS);
        let (no, nb) = (pad(options.len()), pad(bands.len()));
        options.resize(no, Default::default());
        bands.resize_with(nb, Default::default);
        RuleRows { options, bands }
    }

    fn rule(&self, errors: &mut HashMap<&'static str, Msg>) -> Option<Rule> {
        if self.rule_kind.trim().is_empty() {
            return None;
        }
        let params = self.rows_params().unwrap_or_else(|| self.params.clone());
        match Rule::from_text(&self.rule_kind, &params) {
            Ok(r) => Some(r),
            Err(m) => {
                errors.insert("params", m);
                None
            }
        }
    }

    fn common(&self, errors: &mut HashMap<&'static str, Msg>) {
        let code = self.code.trim();
        if code.is_empty() || code.chars().count() > 32 || code.chars().any(char::is_whitespace) {
            errors.insert(
                "code",
                Msg::new("Mã gồm 1–32 ký tự, không có khoảng trắng, ví dụ 1.2.3.", "A code has 1–32 characters and no spaces, e.g. 1.2.3."),
            );
        }
        if self.title.trim().is_empty() {
            errors.insert("title", Msg::new("Nhập tên tiêu chí.", "Enter the title."));
        }
    }

    /// The node this form describes; a parent keeps its children (and has no rule).
    fn to_node(&self, children: Vec<Node>) -> Result<Node, HashMap<&'static str, Msg>> {
        let mut errors = HashMap::new();
        self.common(&mut errors);
        let max = self.max(&mut errors);
        let rule = if children.is_empty() { self.rule(&mut errors) } else { None };
        if rule.is_some() && max.is_none() && !errors.contains_key("max") {
            errors.insert("max", Msg::new("Tiêu chí có quy tắc chấm cần điểm tối đa.", "A leaf with a rule needs a maximum."));
        }
        let documents: Vec<String> = self.documents.lines().map(|d| d.trim().to_string()).filter(|d| !d.is_empty()).collect();
        let evidence = match self.evidence_required.as_str() {
            "yes" => Some(Evidence { required: true, documents }),
            "no" => Some(Evidence { required: false, documents }),
            _ if !documents.is_empty() => Some(Evidence { required: false, documents }),
            _ => None,
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Node {
            code: self.code.trim().to_string(),
            title: self.title.trim().to_string(),
            guidance: Some(self.guidance.trim().to_string()).filter(|g| !g.is_empty()),
            max,
            rule,
            evidence,
            appraiser: Some(self.appraiser.trim().to_string()).filter(|a| !a.is_empty()),
            source: Source::parse(&self.source).unwrap_or_default(),
            applies_to: crate::pages::units::ticked_kinds(&self.extra)
                .unwrap_or_else(|| self.applies_to.clone())
                .split([',', ';'])
                .map(|k| k.trim().to_string())
                .filter(|k| !k.is_empty())
                .collect(),
            children,
        })
    }

    fn to_adjustment(&self) -> Result<Adjustment, HashMap<&'static str, Msg>> {
        let mut errors = HashMap::new();
        self.common(&mut errors);
        let max = self.max(&mut errors);
        if max.is_none() && !errors.contains_key("max") {
            errors.insert("max", Msg::new("Nhập mức điểm tối đa của mục này.", "Enter this item's cap."));
        }
        let rule = self.rule(&mut errors);
        if rule.is_none() && !errors.contains_key("params") {
            errors.insert("rule_kind", Msg::new("Chọn quy tắc chấm.", "Choose a rule."));
        }
        let kind = match self.kind.as_str() {
            "bonus" => Some(AdjustmentKind::Bonus),
            "penalty" => Some(AdjustmentKind::Penalty),
            _ => {
                errors.insert("kind", Msg::new("Chọn điểm thưởng hoặc điểm trừ.", "Choose bonus or penalty."));
                None
            }
        };
        match (max, rule, kind) {
            (Some(max), Some(rule), Some(kind)) if errors.is_empty() => Ok(Adjustment {
                code: self.code.trim().to_string(),
                title: self.title.trim().to_string(),
                kind,
                max,
                rule,
                guidance: Some(self.guidance.trim().to_string()).filter(|g| !g.is_empty()),
            }),
            _ => Err(errors),
        }
    }
}

/// What the preview box shows: the rule in words, its problems, and the points for the sample.
#[derive(Serialize, Default)]
pub struct Preview {
    pub rule: String,
    pub problems: Vec<String>,
    pub result: String,
    pub error: String,
}

fn preview(ctx: &Ctx, f: &ItemForm) -> Preview {
    let lang = ctx.lang.code();
    let mut out = Preview::default();
    let mut errors = HashMap::new();
    let max = f.max(&mut errors);
    let rule = f.rule(&mut errors);
    if let Some(m) = errors.get("params").or(errors.get("max")) {
        out.error = m.get(lang).to_string();
        return out;
    }
    let (Some(rule), Some(max)) = (rule, max) else { return out };
    out.rule = describe(&rule, &max).get(lang).to_string();
    // the rule's own checks: validate a framework holding just this leaf
    let leaf = Node { code: "·".into(), title: "·".into(), max: Some(max.clone()), rule: Some(rule.clone()), ..Default::default() };
    out.problems = validate(&Framework { code: "·".into(), name: "·".into(), nodes: vec![leaf], ..Default::default() })
        .into_iter()
        .filter(|p| p.code == "·")
        .map(|p| p.message.get(lang).to_string())
        .collect();
    if f.sample.trim().is_empty() {
        return out;
    }
    match parindex_reports::framework::parse_input_text(&f.sample) {
        Err(m) => out.error = m.get(lang).to_string(),
        Ok(input) if input.not_applicable => out.result = ctx.t("fw.preview_na").to_string(),
        Ok(input) => match apply(&rule, &max, &input.resolve(&rule), true) {
            Ok(o) => out.result = o.explanation.map(|m| m.get(lang).to_string()).unwrap_or_else(|| ctx.lang.exact(&o.points)),
            Err(m) => out.error = m.get(lang).to_string(),
        },
    }
    out
}

#[derive(Template)]
#[template(path = "framework_node.html")]
struct ItemPage {
    page: Page,
    fw_code: String,
    heading: String,
    action: String,
    form: ItemForm,
    errors: HashMap<&'static str, String>,
    adjustment: bool,
    is_new: bool,
    /// A parent: no rule of its own; its maximum is the sum of its children.
    has_children: usize,
    children_max: String,
    parents: Vec<(String, String)>,
    kinds: Vec<(&'static str, &'static str)>,
    sources: Vec<(String, String)>,
    /// The framework's unit kinds to tick for "applies to": (code, name, ticked).
    kind_boxes: Vec<(String, String, bool)>,
    appraisers: Vec<(String, String)>,
    preview: Preview,
    save_error: Option<String>,
    rows: RuleRows,
}

/// What the item form edits.
enum Target<'a> {
    NewNode,
    Node(&'a Node),
    NewAdjustment,
    /// The adjustment's code as stored (the form may rename it).
    Adjustment(String),
}

struct ItemCtx<'a> {
    fw: &'a Framework,
    target: Target<'a>,
}

async fn item_page(
    state: &AppState,
    ctx: &Ctx,
    ic: ItemCtx<'_>,
    form: ItemForm,
    errors: HashMap<&'static str, Msg>,
    save_error: Option<String>,
) -> Result<Response, AppError> {
    let lang = ctx.lang.code();
    let fw = ic.fw;
    let fwc = urlencode(&fw.code);
    let (heading, action) = match &ic.target {
        Target::NewAdjustment => (ctx.t("fw.new_adjustment").to_string(), format!("/frameworks/{fwc}/adjustments/new")),
        Target::Adjustment(c) => {
            (format!("{} {c}", ctx.t("fw.edit_adjustment")), format!("/frameworks/{fwc}/adjustments/{}", urlencode(c)))
        }
        Target::Node(n) => (format!("{} {}", ctx.t("fw.edit_node"), n.code), format!("/frameworks/{fwc}/nodes/{}", urlencode(&n.code))),
        Target::NewNode => (ctx.t("fw.new_node").to_string(), format!("/frameworks/{fwc}/nodes/new")),
    };
    let node = match ic.target {
        Target::Node(n) => Some(n),
        _ => None,
    };
    let adjustment = matches!(ic.target, Target::NewAdjustment | Target::Adjustment(_));
    let is_new = matches!(ic.target, Target::NewAdjustment | Target::NewNode);
    // a node may go under any node but itself and its own subtree
    let own: Vec<String> = node
        .map(|n| Framework { nodes: vec![n.clone()], ..Default::default() }.walk().into_iter().map(|(_, x)| x.code.clone()).collect())
        .unwrap_or_default();
    let parents = fw
        .walk()
        .into_iter()
        .filter(|(_, n)| !own.contains(&n.code))
        .map(|(d, n)| (n.code.clone(), format!("{}{} {}", "\u{a0}\u{a0}".repeat(d), n.code, n.title)))
        .collect();
    let mut appraisers: Vec<(String, String)> = state
        .store
        .list_units(
            parindex_core::access::UnitScope::All,
            &parindex_store::repo::units::UnitFilter { kind: Some("agency".into()), ..Default::default() },
        )
        .await?
        .into_iter()
        .map(|u| (u.code, u.name))
        .collect();
    // a code the list does not hold (a department since renamed or closed) stays choosable, so
    // that saving the form never drops it silently
    if !form.appraiser.trim().is_empty() && !appraisers.iter().any(|a| a.0 == form.appraiser.trim()) {
        appraisers.push((form.appraiser.trim().to_string(), form.appraiser.trim().to_string()));
    }
    let (has_children, children_max) = match node {
        Some(n) if !n.is_leaf() => {
            (edit::subtree_size(n) - 1, ctx.lang.exact(&Framework { nodes: vec![n.clone()], ..Default::default() }.max_total()))
        }
        _ => (0, String::new()),
    };
    let page = Page::new(ctx, state, heading.clone(), "/frameworks")
        .crumb(ctx.t("fw.title"), "/frameworks")
        .crumb(fw.code.clone(), format!("/frameworks/{}", fw.code))
        .crumb(ctx.t("fw.edit"), format!("/frameworks/{}/edit", fw.code))
        .crumb(heading.clone(), "");
    let status = if errors.is_empty() && save_error.is_none() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let pv = preview(ctx, &form);
    let rows = form.rule_rows();
    let applies = crate::pages::units::ticked_kinds(&form.extra).unwrap_or_else(|| form.applies_to.clone());
    let all_kinds = crate::pages::units::kind_options(state, ctx).await?;
    let fw_kinds: Vec<(String, String)> =
        all_kinds.into_iter().filter(|(c, _)| fw.unit_kinds.is_empty() || fw.unit_kinds.contains(c)).collect();
    let kind_boxes = crate::pages::units::kind_choices(&fw_kinds, &applies);
    let mut r = render(&ItemPage {
        page,
        fw_code: fw.code.clone(),
        heading,
        action,
        errors: errors.into_iter().map(|(k, m)| (k, m.get(lang).to_string())).collect(),
        adjustment,
        is_new,
        has_children,
        children_max,
        parents,
        kinds: KINDS.iter().map(|k| (k.0, if lang == "en" { k.2 } else { k.1 })).collect(),
        sources: source_choices(lang),
        kind_boxes,
        appraisers,
        preview: pv,
        rows,
        form,
        save_error,
    });
    *r.status_mut() = status;
    Ok(r)
}

#[derive(Deserialize)]
struct NewQuery {
    #[serde(default)]
    parent: String,
}

async fn new_node_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(q): Query<NewQuery>,
) -> Result<Response, AppError> {
    let fw = load_draft(&state, &ctx, &code).await?;
    // propose the next free code under the parent: "1.3" after "1.1", "1.2"
    let siblings: Vec<&Node> = if q.parent.is_empty() {
        fw.nodes.iter().collect()
    } else {
        fw.find(&q.parent).map(|p| p.children.iter().collect()).unwrap_or_default()
    };
    let prefix = if q.parent.is_empty() { String::new() } else { format!("{}.", q.parent) };
    let next =
        (1..).map(|i| format!("{prefix}{i}")).find(|c| fw.find(c).is_none() && !siblings.iter().any(|s| &s.code == c)).unwrap_or_default();
    let form = ItemForm {
        code: next,
        parent: q.parent.clone(),
        rule_kind: if q.parent.is_empty() { String::new() } else { "yes_no".into() },
        ..Default::default()
    };
    item_page(&state, &ctx, ItemCtx { fw: &fw, target: Target::NewNode }, form, HashMap::new(), None).await
}

async fn create_node(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Form(f): Form<ItemForm>,
) -> Result<Response, AppError> {
    let mut fw = load_draft(&state, &ctx, &code).await?;
    let ic = |fw| ItemCtx { fw, target: Target::NewNode };
    if f.op == "preview" {
        return item_page(&state, &ctx, ic(&fw), f, HashMap::new(), None).await;
    }
    let node = match f.to_node(vec![]) {
        Ok(n) => n,
        Err(errors) => return item_page(&state, &ctx, ic(&fw), f, errors, None).await,
    };
    let new_code = node.code.clone();
    if let Err(m) = edit::add(&mut fw, f.parent.trim(), node) {
        let current = load_draft(&state, &ctx, &code).await?;
        return item_page(&state, &ctx, ic(&current), f, HashMap::from([("parent", m)]), None).await;
    }
    match save(&state, &ctx, &code, fw, format!("node.add {new_code}"), &format!("n-{new_code}")).await {
        Ok(r) => Ok(r),
        Err(text) => {
            let current = load_draft(&state, &ctx, &code).await?;
            item_page(&state, &ctx, ic(&current), f, HashMap::new(), Some(text)).await
        }
    }
}

async fn node_form(State(state): State<AppState>, ctx: Ctx, Path((code, node)): Path<(String, String)>) -> Result<Response, AppError> {
    let fw = load_draft(&state, &ctx, &code).await?;
    let n = fw.find(&node).ok_or(AppError::NotFound)?;
    let form = ItemForm::of_node(&fw, n);
    item_page(&state, &ctx, ItemCtx { fw: &fw, target: Target::Node(n) }, form, HashMap::new(), None).await
}

async fn update_node(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, node)): Path<(String, String)>,
    Form(f): Form<ItemForm>,
) -> Result<Response, AppError> {
    let original = load_draft(&state, &ctx, &code).await?;
    let old = original.find(&node).ok_or(AppError::NotFound)?.clone();
    let ic = ItemCtx { fw: &original, target: Target::Node(&old) };
    let mut fw = original.clone();
    let what = match f.op.as_str() {
        "preview" => return item_page(&state, &ctx, ic, f, HashMap::new(), None).await,
        "delete" => {
            if f.confirm_delete.is_none() {
                let m = Msg::new("Đánh dấu ô xác nhận để xoá.", "Tick the confirmation box to delete.");
                return item_page(&state, &ctx, ic, f, HashMap::from([("confirm_delete", m)]), None).await;
            }
            edit::remove(&mut fw, &node);
            let parent = edit::parent_of(&original, &node).unwrap_or_default();
            return match save(&state, &ctx, &code, fw, format!("node.remove {node}"), &format!("n-{parent}")).await {
                Ok(r) => Ok(r),
                Err(text) => item_page(&state, &ctx, ic, f, HashMap::new(), Some(text)).await,
            };
        }
        _ => format!("node.update {node}"),
    };
    let new = match f.to_node(old.children.clone()) {
        Ok(n) => n,
        Err(errors) => return item_page(&state, &ctx, ic, f, errors, None).await,
    };
    let new_code = new.code.clone();
    *edit::node_mut(&mut fw, &node).ok_or(AppError::NotFound)? = new;
    if let Err(m) = edit::set_parent(&mut fw, &new_code, f.parent.trim()) {
        return item_page(&state, &ctx, ic, f, HashMap::from([("parent", m)]), None).await;
    }
    match save(&state, &ctx, &code, fw, what, &format!("n-{new_code}")).await {
        Ok(r) => Ok(r),
        Err(text) => item_page(&state, &ctx, ic, f, HashMap::new(), Some(text)).await,
    }
}

async fn new_adjustment_form(State(state): State<AppState>, ctx: Ctx, Path(code): Path<String>) -> Result<Response, AppError> {
    let fw = load_draft(&state, &ctx, &code).await?;
    let next = (1..).map(|i| format!("T{i}")).find(|c| !fw.adjustments.iter().any(|a| &a.code == c)).unwrap_or_default();
    let form = ItemForm { code: next, kind: "bonus".into(), rule_kind: "yes_no".into(), ..Default::default() };
    item_page(&state, &ctx, ItemCtx { fw: &fw, target: Target::NewAdjustment }, form, HashMap::new(), None).await
}

async fn create_adjustment(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Form(f): Form<ItemForm>,
) -> Result<Response, AppError> {
    let mut fw = load_draft(&state, &ctx, &code).await?;
    let ic = |fw| ItemCtx { fw, target: Target::NewAdjustment };
    if f.op == "preview" {
        return item_page(&state, &ctx, ic(&fw), f, HashMap::new(), None).await;
    }
    let a = match f.to_adjustment() {
        Ok(a) => a,
        Err(errors) => return item_page(&state, &ctx, ic(&fw), f, errors, None).await,
    };
    let new_code = a.code.clone();
    fw.adjustments.push(a);
    match save(&state, &ctx, &code, fw, format!("adjustment.add {new_code}"), "adjustments").await {
        Ok(r) => Ok(r),
        Err(text) => {
            let current = load_draft(&state, &ctx, &code).await?;
            item_page(&state, &ctx, ic(&current), f, HashMap::new(), Some(text)).await
        }
    }
}

async fn adjustment_form(State(state): State<AppState>, ctx: Ctx, Path((code, adj)): Path<(String, String)>) -> Result<Response, AppError> {
    let fw = load_draft(&state, &ctx, &code).await?;
    let a = fw.adjustments.iter().find(|a| a.code == adj).ok_or(AppError::NotFound)?;
    let form = ItemForm::of_adjustment(a);
    item_page(&state, &ctx, ItemCtx { fw: &fw, target: Target::Adjustment(adj.clone()) }, form, HashMap::new(), None).await
}

async fn update_adjustment(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, adj)): Path<(String, String)>,
    Form(f): Form<ItemForm>,
) -> Result<Response, AppError> {
    let original = load_draft(&state, &ctx, &code).await?;
    let i = original.adjustments.iter().position(|a| a.code == adj).ok_or(AppError::NotFound)?;
    let ic = ItemCtx { fw: &original, target: Target::Adjustment(adj.clone()) };
    let mut fw = original.clone();
    match f.op.as_str() {
        "preview" => return item_page(&state, &ctx, ic, f, HashMap::new(), None).await,
        "delete" => {
            if f.confirm_delete.is_none() {
                let m = Msg::new("Đánh dấu ô xác nhận để xoá.", "Tick the confirmation box to delete.");
                return item_page(&state, &ctx, ic, f, HashMap::from([("confirm_delete", m)]), None).await;
            }
            fw.adjustments.remove(i);
            return match save(&state, &ctx, &code, fw, format!("adjustment.remove {adj}"), "adjustments").await {
                Ok(r) => Ok(r),
                Err(text) => item_page(&state, &ctx, ic, f, HashMap::new(), Some(text)).await,
            };
        }
        _ => {}
    }
    match f.to_adjustment() {
        Ok(a) => {
            fw.adjustments[i] = a;
            match save(&state, &ctx, &code, fw, format!("adjustment.update {adj}"), "adjustments").await {
                Ok(r) => Ok(r),
                Err(text) => item_page(&state, &ctx, ic, f, HashMap::new(), Some(text)).await,
            }
        }
        Err(errors) => item_page(&state, &ctx, ic, f, errors, None).await,
    }
}

/// The live preview for `assets/editor.js` (the same computation as the "Xem thử" button).
async fn preview_json(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Form(f): Form<ItemForm>,
) -> Result<Json<Preview>, AppError> {
    load_draft(&state, &ctx, &code).await?;
    Ok(Json(preview(&ctx, &f)))
}

const EDITOR_JS: &str = include_str!("../../assets/editor.js");

async fn editor_js() -> Response {
    (
        [(axum::http::header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (axum::http::header::CACHE_CONTROL, "public, max-age=3600")],
        EDITOR_JS,
    )
        .into_response()
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/static/editor.js", get(editor_js))
        .route("/frameworks/{code}/edit", get(edit))
        .route("/frameworks/{code}/meta", post(save_meta))
        .route("/frameworks/{code}/preview", post(preview_json))
        .route("/frameworks/{code}/nodes/new", get(new_node_form).post(create_node))
        .route("/frameworks/{code}/nodes/{node}", get(node_form).post(update_node))
        .route("/frameworks/{code}/nodes/{node}/move", post(move_node))
        .route("/frameworks/{code}/adjustments/new", get(new_adjustment_form).post(create_adjustment))
        .route("/frameworks/{code}/adjustments/{adj}", get(adjustment_form).post(update_adjustment))
        .route("/frameworks/{code}/adjustments/{adj}/move", post(move_node))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_round_trips_a_node() {
        let fw: Framework =
            parindex_reports::framework::parse_framework("h.yaml", include_str!("../../../../frameworks/examples/hand-computed.yaml"))
                .unwrap();
        for (_, n) in fw.walk() {
            let f = ItemForm::of_node(&fw, n);
            assert_eq!(&f.to_node(n.children.clone()).unwrap(), n, "{}", n.code);
        }
        for a in &fw.adjustments {
            assert_eq!(&ItemForm::of_adjustment(a).to_adjustment().unwrap(), a);
        }
        let bad =
            ItemForm { code: "1 2".into(), max: "x".into(), rule_kind: "bands".into(), params: "0-70 | 1".into(), ..Default::default() };
        let e = bad.to_node(vec![]).unwrap_err();
        let mut keys: Vec<_> = e.keys().copied().collect();
        keys.sort();
        assert_eq!(keys, vec!["code", "max", "params", "title"]);
    }

    #[test]
    fn rules_are_edited_as_rows() {
        let fw: Framework =
            parindex_reports::framework::parse_framework("h.yaml", include_str!("../../../../frameworks/examples/hand-computed.yaml"))
                .unwrap();
        // every node's rule shown as rows and read back from them is the same rule
        for (_, n) in fw.walk() {
            let Some(rule @ (Rule::Options { .. } | Rule::Bands { .. })) = &n.rule else { continue };
            let f = ItemForm::of_node(&fw, n);
            let rows = f.rule_rows();
            let mut extra = HashMap::new();
            for (i, r) in rows.options.iter().enumerate() {
                extra.insert(format!("opt_key_{i}"), r[0].clone());
                extra.insert(format!("opt_label_{i}"), r[1].clone());
                extra.insert(format!("opt_points_{i}"), r[2].clone());
            }
            for (i, b) in rows.bands.iter().enumerate() {
                extra.insert(format!("band_from_{i}"), b.from.clone());
                extra.insert(format!("band_from_op_{i}"), if b.from_gt { "gt" } else { "ge" }.into());
                extra.insert(format!("band_to_{i}"), b.to.clone());
                extra.insert(format!("band_to_op_{i}"), if b.to_le { "le" } else { "lt" }.into());
                extra.insert(format!("band_points_{i}"), b.points.clone());
            }
            let from_rows = ItemForm { params: "ignored | when | rows".into(), extra, ..f };
            let mut errors = HashMap::new();
            assert_eq!(from_rows.rule(&mut errors).as_ref(), Some(rule), "{}", n.code);
        }
        // a typed band with a decimal comma; an empty row is no row; a bad row is named
        let mut extra: HashMap<String, String> = [
            ("band_from_0", "0"),
            ("band_from_op_0", "ge"),
            ("band_to_0", "70,5"),
            ("band_to_op_0", "lt"),
            ("band_points_0", "0"),
            ("band_from_1", ""),
            ("band_to_1", ""),
            ("band_points_1", ""),
            ("band_from_2", "70,5"),
            ("band_from_op_2", "ge"),
            ("band_to_2", "100"),
            ("band_to_op_2", "le"),
            ("band_points_2", "1"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let f = ItemForm { rule_kind: "bands".into(), max: "1".into(), extra: extra.clone(), ..Default::default() };
        assert_eq!(f.rows_params().unwrap(), "[0, 70.5) | 0\n[70.5, 100] | 1");
        assert_eq!(f.rule_rows().bands.len(), 4, "two typed, two empty to add to");
        extra.insert("band_points_2".into(), "một".into());
        let f = ItemForm { rule_kind: "bands".into(), max: "1".into(), extra, ..Default::default() };
        let mut errors = HashMap::new();
        assert!(f.rule(&mut errors).is_none());
        assert!(errors["params"].get("vi").contains("dòng 2"), "{:?}", errors["params"]);
    }
}
