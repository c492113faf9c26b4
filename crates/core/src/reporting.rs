//! Periodic reports (báo cáo định kỳ CCHC, issue #19): the office asks every unit for a report
//! each quarter, half-year and year (or ad hoc), on a **report form defined as data** — narrative
//! sections and statistical tables with rows, columns, formulas and checks — so that the office
//! changes the form without a release. The form is written in YAML (`report-forms/*.yaml`, read
//! by `parindex_reports::report_form`), checked here ([`Form::check`]), and copied into each
//! round when the round opens (a later change of the form does not move a running round).
//!
//! **Cells.** A table's cell is entered (a whole number, a decimal, or text, as its column says)
//! or computed: a row with a `formula` (`"a + b - c"` over row keys) computes each of its number
//! cells from the same column's cells of those rows (a total row); a column with a `formula`
//! (over column keys) computes each row's cell from that row's cells. A row's formula wins where
//! both apply (the total row of a total column gives the same number either way). Empty entered
//! cells read as 0 in formulas; a submitted report has every entered number cell filled.
//!
//! **Checks** (`"done <= planned"`): each side a sum/difference of cells — `col` (the check runs
//! on every row of the table) or `row.col` (one cell) — with `<=`, `<`, `=`, `>=`, `>`. A failed
//! check names its table, row and column ([`CellProblem`]), so a page shows it at the cell.
//!
//! **Consolidation** ([`Form::consolidate`]): the province's table is the cell-by-cell sum of the
//! accepted reports' entered number cells, its computed cells computed again by the same formulas
//! — one function for the page, the XLSX and the DOCX.
//!
//! **Measures** of a year, per unit (the rounds of that year addressed to the unit):
//! - `on_time_count` — reports first submitted by the round's deadline, of the rounds due (a
//!   `proportional` or `bands` rule reads the share, a `deduction` rule the reports *not* sent on
//!   time);
//! - `complete_share` — reports accepted by the office ÷ rounds.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::onestop::Value;
use crate::{Exact, Msg};

/// A report form: its sections in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Form {
    /// Short code, e.g. `bc-cchc`.
    pub code: String,
    pub title: String,
    #[serde(default)]
    pub title_en: Option<String>,
    pub sections: Vec<Section>,
}

/// A section: a narrative (a text the unit writes) or a statistical table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub key: String,
    pub title: String,
    #[serde(default)]
    pub title_en: Option<String>,
    /// What to write (a narrative) or how to read the table.
    #[serde(default)]
    pub hint: Option<String>,
    /// A table; none: a narrative section.
    #[serde(default)]
    pub table: Option<Table>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Table {
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
    #[serde(default)]
    pub checks: Vec<Check>,
    /// Cells filled from the one-stop statistics register over the round's months: `row.col`
    /// → a sum of the register's counts, e.g. `resolved_early + resolved_on_time`
    /// (`core::onestop::FIELDS`). The unit may still correct them before saving.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub from_onestop: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Column {
    pub key: String,
    pub title: String,
    #[serde(default)]
    pub title_en: Option<String>,
    #[serde(default)]
    pub kind: CellKind,
    /// Computed from the row's other columns, e.g. `"online + in_person"`.
    #[serde(default)]
    pub formula: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Row {
    pub key: String,
    pub title: String,
    #[serde(default)]
    pub title_en: Option<String>,
    /// Computed from other rows, column by column, e.g. `"decisions + directives"`.
    #[serde(default)]
    pub formula: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CellKind {
    /// A whole number ≥ 0 (counts).
    #[default]
    Integer,
    /// A number ≥ 0 with at most 2 decimals (metres, hours).
    Decimal,
    Text,
}

/// A check: `left op right`, with the message to show (a default one names both sides).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Check {
    pub rule: String,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub message_en: Option<String>,
}

/// A problem with a form's definition or a report's content, placed where it is: the section,
/// and for a table's cell its row and column.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CellProblem {
    pub section: String,
    pub row: Option<String>,
    pub column: Option<String>,
    pub message: Msg,
}

impl CellProblem {
    /// The input's name on a page (`c.section.row.col`, `n.section`) where the problem is shown.
    pub fn field(&self) -> String {
        match (&self.row, &self.column) {
            (Some(r), Some(c)) => cell_field(&self.section, r, c),
            _ => format!("n.{}", self.section),
        }
    }
}

/// The name of a cell's input (and its key in a report's raw form).
pub fn cell_field(section: &str, row: &str, col: &str) -> String {
    format!("c.{section}.{row}.{col}")
}

/// A report's content: each narrative section's text and each table's entered cells
/// (`row.col` → the value as written canonically: "12", "3.5", or text).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Content {
    #[serde(default)]
    pub narratives: BTreeMap<String, String>,
    #[serde(default)]
    pub cells: BTreeMap<String, BTreeMap<String, String>>,
}

/// One linear term of a formula or a check: `+key` or `-key`.
#[derive(Debug, Clone, PartialEq)]
struct Term {
    minus: bool,
    /// `col` or `row.col` (checks), a row or column key (formulas).
    name: String,
}

const MAX_TERMS: usize = 200;

fn onestop_keys() -> String {
    crate::onestop::FIELDS.iter().map(|(k, _, _)| *k).collect::<Vec<_>>().join(", ")
}

fn parse_sum(s: &str) -> Option<Vec<Term>> {
    let mut out = Vec::new();
    let mut minus = false;
    let mut expect_name = true;
    let mut chars = s.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if expect_name && (c.is_ascii_alphanumeric() || c == '_') {
            let mut name = String::new();
            while let Some(&c) = chars.peek() {
                if c.is_ascii_alphanumeric() || c == '_' || c == '.' {
                    name.push(c);
                    chars.next();
                } else {
                    break;
                }
            }
            if name.ends_with('.') || name.matches('.').count() > 1 || out.len() >= MAX_TERMS {
                return None;
            }
            out.push(Term { minus, name });
            expect_name = false;
        } else if !expect_name && (c == '+' || c == '-') {
            minus = c == '-';
            chars.next();
            expect_name = true;
        } else {
            return None;
        }
    }
    (!expect_name && !out.is_empty()).then_some(out)
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    Le,
    Lt,
    Eq,
    Ge,
    Gt,
}

impl Op {
    fn holds(self, a: &Exact, b: &Exact) -> bool {
        match self {
            Op::Le => a <= b,
            Op::Lt => a < b,
            Op::Eq => a == b,
            Op::Ge => a >= b,
            Op::Gt => a > b,
        }
    }
    fn words(self) -> (&'static str, &'static str) {
        match self {
            Op::Le => ("phải nhỏ hơn hoặc bằng", "must be at most"),
            Op::Lt => ("phải nhỏ hơn", "must be less than"),
            Op::Eq => ("phải bằng", "must equal"),
            Op::Ge => ("phải lớn hơn hoặc bằng", "must be at least"),
            Op::Gt => ("phải lớn hơn", "must be greater than"),
        }
    }
}

fn parse_check(s: &str) -> Option<(Vec<Term>, Op, Vec<Term>)> {
    for (sym, op) in [("<=", Op::Le), (">=", Op::Ge), ("<", Op::Lt), (">", Op::Gt), ("=", Op::Eq)] {
        if let Some((l, r)) = s.split_once(sym) {
            let r = r.strip_prefix('=').filter(|_| op == Op::Eq).unwrap_or(r);
            return Some((parse_sum(l)?, op, parse_sum(r)?));
        }
    }
    None
}

fn key_ok(k: &str) -> bool {
    !k.is_empty() && k.len() <= 40 && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Limits of a form (a form is written by the office, but read like any outside input).
pub const MAX_SECTIONS: usize = 60;
pub const MAX_ROWS: usize = 200;
pub const MAX_COLUMNS: usize = 30;
pub const MAX_NARRATIVE: usize = 20_000;
pub const MAX_TEXT_CELL: usize = 500;

impl Form {
    /// Every problem of the definition at once: keys (letters, digits, `_`) unique in their
    /// place, titles, formulas and checks naming what exists, no formula reaching itself.
    pub fn check(&self) -> Vec<CellProblem> {
        let mut out = Vec::new();
        let p = |section: &str, row: Option<&str>, column: Option<&str>, vi: String, en: String| CellProblem {
            section: section.to_string(),
            row: row.map(str::to_string),
            column: column.map(str::to_string),
            message: Msg::new(vi, en),
        };
        if !key_ok(&self.code) {
            out.push(p(
                "",
                None,
                None,
                "Mã mẫu biểu chỉ gồm chữ, số, '_' (tối đa 40 ký tự).".into(),
                "The form's code has letters, digits and '_' only (at most 40).".into(),
            ));
        }
        if self.title.trim().is_empty() {
            out.push(p("", None, None, "Mẫu biểu cần tên (title).".into(), "The form needs a title.".into()));
        }
        if self.sections.is_empty() || self.sections.len() > MAX_SECTIONS {
            out.push(p(
                "",
                None,
                None,
                format!("Mẫu biểu có từ 1 đến {MAX_SECTIONS} phần."),
                format!("A form has 1 to {MAX_SECTIONS} sections."),
            ));
        }
        let mut keys = HashSet::new();
        for s in &self.sections {
            let k = s.key.as_str();
            if !key_ok(k) {
                out.push(p(
                    k,
                    None,
                    None,
                    format!("Mã phần «{k}» chỉ gồm chữ, số, '_'."),
                    format!("Section key «{k}» has letters, digits and '_' only."),
                ));
            }
            if !keys.insert(k) {
                out.push(p(k, None, None, format!("Mã phần «{k}» trùng."), format!("Section key «{k}» is used twice.")));
            }
            if s.title.trim().is_empty() {
                out.push(p(k, None, None, format!("Phần «{k}» cần tên."), format!("Section «{k}» needs a title.")));
            }
            let Some(t) = &s.table else { continue };
            if t.rows.is_empty() || t.rows.len() > MAX_ROWS || t.columns.is_empty() || t.columns.len() > MAX_COLUMNS {
                out.push(p(
                    k,
                    None,
                    None,
                    format!("Bảng «{k}» có từ 1 đến {MAX_ROWS} dòng và từ 1 đến {MAX_COLUMNS} cột."),
                    format!("Table «{k}» has 1 to {MAX_ROWS} rows and 1 to {MAX_COLUMNS} columns."),
                ));
                continue;
            }
            let rows: HashSet<&str> = t.rows.iter().map(|r| r.key.as_str()).collect();
            let cols: HashMap<&str, CellKind> = t.columns.iter().map(|c| (c.key.as_str(), c.kind)).collect();
            if rows.len() != t.rows.len() || cols.len() != t.columns.len() {
                out.push(p(
                    k,
                    None,
                    None,
                    format!("Bảng «{k}» có mã dòng hoặc mã cột trùng."),
                    format!("Table «{k}» repeats a row or column key."),
                ));
            }
            for r in &t.rows {
                if !key_ok(&r.key) || r.title.trim().is_empty() {
                    out.push(p(
                        k,
                        Some(&r.key),
                        None,
                        format!("Dòng «{}» cần mã hợp lệ và tên.", r.key),
                        format!("Row «{}» needs a valid key and a title.", r.key),
                    ));
                }
                if let Some(f) = &r.formula {
                    match parse_sum(f) {
                        Some(terms) if terms.iter().all(|t| rows.contains(t.name.as_str()) && t.name != r.key) => {}
                        _ => out.push(p(
                            k,
                            Some(&r.key),
                            None,
                            format!("Công thức của dòng «{}» («{f}») phải là tổng, hiệu các mã dòng khác của bảng.", r.key),
                            format!("Row «{}»'s formula («{f}») must add or subtract other rows' keys of the table.", r.key),
                        )),
                    }
                }
            }
            for c in &t.columns {
                if !key_ok(&c.key) || c.title.trim().is_empty() {
                    out.push(p(
                        k,
                        None,
                        Some(&c.key),
                        format!("Cột «{}» cần mã hợp lệ và tên.", c.key),
                        format!("Column «{}» needs a valid key and a title.", c.key),
                    ));
                }
                if let Some(f) = &c.formula {
                    match parse_sum(f) {
                        Some(terms)
                            if c.kind != CellKind::Text
                                && terms
                                    .iter()
                                    .all(|t| t.name != c.key && cols.get(t.name.as_str()).is_some_and(|k| *k != CellKind::Text)) => {}
                        _ => out.push(p(
                            k,
                            None,
                            Some(&c.key),
                            format!("Công thức của cột «{}» («{f}») phải là tổng, hiệu các mã cột số khác của bảng.", c.key),
                            format!("Column «{}»'s formula («{f}») must add or subtract other number columns' keys.", c.key),
                        )),
                    }
                }
            }
            if let Some(cycle) = cycle(t.rows.iter().map(|r| (r.key.as_str(), r.formula.as_deref()))) {
                out.push(p(
                    k,
                    Some(&cycle),
                    None,
                    format!("Công thức các dòng vòng lại dòng «{cycle}»."),
                    format!("Row formulas loop back to «{cycle}»."),
                ));
            }
            if let Some(cycle) = cycle(t.columns.iter().map(|c| (c.key.as_str(), c.formula.as_deref()))) {
                out.push(p(
                    k,
                    None,
                    Some(&cycle),
                    format!("Công thức các cột vòng lại cột «{cycle}»."),
                    format!("Column formulas loop back to «{cycle}»."),
                ));
            }
            for (cell, sum) in &t.from_onestop {
                let input = cell.split_once('.').is_some_and(|(row, col)| {
                    t.rows.iter().any(|r| r.key == row && r.formula.is_none())
                        && t.columns.iter().any(|c| c.key == col && c.formula.is_none() && c.kind == CellKind::Integer)
                });
                let counts = parse_sum(sum)
                    .is_some_and(|terms| terms.iter().all(|t| crate::onestop::FIELDS.iter().any(|(key, _, _)| *key == t.name)));
                if !input || !counts {
                    out.push(p(
                        k,
                        cell.split_once('.').map(|(r, _)| r),
                        cell.split_once('.').map(|(_, c)| c),
                        format!(
                            "Ô «{cell}» lấy từ sổ một cửa phải là ô nhập (dòng.cột, cột số nguyên, không công thức) và «{sum}» là tổng các số liệu của sổ ({}).",
                            onestop_keys()
                        ),
                        format!(
                            "Cell «{cell}» filled from the one-stop register must be an input cell (row.col, integer column, no formula) and «{sum}» a sum of the register's counts ({}).",
                            onestop_keys()
                        ),
                    ));
                }
            }
            for ch in &t.checks {
                let ok = parse_check(&ch.rule).is_some_and(|(l, _, r)| {
                    let per_row = l.iter().chain(&r).any(|t| !t.name.contains('.'));
                    l.iter().chain(&r).all(|t| match t.name.split_once('.') {
                        Some((row, col)) => !per_row && rows.contains(row) && cols.get(col).is_some_and(|k| *k != CellKind::Text),
                        None => cols.get(t.name.as_str()).is_some_and(|k| *k != CellKind::Text),
                    })
                });
                if !ok {
                    out.push(p(
                        k,
                        None,
                        None,
                        format!("Kiểm tra «{}» của bảng «{k}» phải so sánh hai tổng các cột số (cột) hoặc các ô (dòng.cột) bằng <=, <, =, >=, >.", ch.rule),
                        format!("Check «{}» of table «{k}» must compare two sums of number columns (col) or of cells (row.col) with <=, <, =, >=, >.", ch.rule),
                    ));
                }
            }
        }
        out
    }

    /// The cells the one-stop register fills, as a page's raw fields (`c.section.row.col` →
    /// the value), from the unit's counts summed over the round's months; none when the form
    /// asks for nothing from the register. The one place the mapping is applied.
    pub fn fill_from_onestop(&self, counts: &crate::onestop::Counts) -> HashMap<String, String> {
        let values: HashMap<&str, i64> = crate::onestop::FIELDS.iter().map(|(k, _, _)| *k).zip(counts.values()).collect();
        let mut out = HashMap::new();
        for s in &self.sections {
            let Some(t) = &s.table else { continue };
            for (cell, sum) in &t.from_onestop {
                let Some(terms) = parse_sum(sum) else { continue };
                let v = terms.iter().fold(0i64, |acc, t| {
                    let v = values.get(t.name.as_str()).copied().unwrap_or(0);
                    if t.minus { acc.saturating_sub(v) } else { acc.saturating_add(v) }
                });
                out.insert(format!("c.{}.{cell}", s.key), v.max(0).to_string());
            }
        }
        out
    }

    /// The titles of the cells the one-stop register fills (`section: row — column`), for the
    /// page's note.
    pub fn onestop_cells(&self, lang: &str) -> Vec<String> {
        let pick = |vi: &str, en_: &Option<String>| if lang == "en" { en(vi, en_).to_string() } else { vi.to_string() };
        let mut out = Vec::new();
        for s in &self.sections {
            let Some(t) = &s.table else { continue };
            for cell in t.from_onestop.keys() {
                let Some((row, col)) = cell.split_once('.') else { continue };
                let (Some(r), Some(c)) = (t.rows.iter().find(|r| r.key == row), t.columns.iter().find(|c| c.key == col)) else {
                    continue;
                };
                out.push(format!("{} — {}", pick(&r.title, &r.title_en), pick(&c.title, &c.title_en)));
            }
        }
        out
    }

    pub fn section(&self, key: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.key == key)
    }

    /// A report's content read from a page's (or an XLSX's) raw fields (`c.section.row.col`,
    /// `n.section`): every entered cell read as its column says, every problem named at its
    /// cell. Computed cells and unknown names are ignored.
    pub fn read(&self, raw: &HashMap<String, String>) -> (Content, Vec<CellProblem>) {
        let mut content = Content::default();
        let mut problems = Vec::new();
        for s in &self.sections {
            let Some(t) = &s.table else {
                let text = raw.get(&format!("n.{}", s.key)).map(|t| t.trim().replace("\r\n", "\n")).unwrap_or_default();
                if text.chars().count() > MAX_NARRATIVE {
                    problems.push(CellProblem {
                        section: s.key.clone(),
                        row: None,
                        column: None,
                        message: Msg::new(
                            format!("Phần «{}» dài quá {MAX_NARRATIVE} ký tự.", s.title),
                            format!("Section «{}» is longer than {MAX_NARRATIVE} characters.", s.title),
                        ),
                    });
                } else if !text.is_empty() {
                    content.narratives.insert(s.key.clone(), text);
                }
                continue;
            };
            let cells = content.cells.entry(s.key.clone()).or_default();
            for r in t.rows.iter().filter(|r| r.formula.is_none()) {
                for c in t.columns.iter().filter(|c| c.formula.is_none()) {
                    let Some(v) = raw.get(&cell_field(&s.key, &r.key, &c.key)).map(|v| v.trim()).filter(|v| !v.is_empty()) else {
                        continue;
                    };
                    match read_cell(c.kind, v) {
                        Ok(v) => {
                            cells.insert(format!("{}.{}", r.key, c.key), v);
                        }
                        Err(m) => problems.push(CellProblem {
                            section: s.key.clone(),
                            row: Some(r.key.clone()),
                            column: Some(c.key.clone()),
                            message: Msg::new(
                                format!("Bảng «{}», dòng «{}», cột «{}»: {}", s.title, r.title, c.title, m.vi),
                                format!(
                                    "Table «{}», row «{}», column «{}»: {}",
                                    en(&s.title, &s.title_en),
                                    en(&r.title, &r.title_en),
                                    en(&c.title, &c.title_en),
                                    m.en
                                ),
                            ),
                        }),
                    }
                }
            }
        }
        (content, problems)
    }

    /// A table's every number cell (entered or computed) of a content, `row.col` → value.
    pub fn evaluate(&self, section: &str, content: &Content) -> HashMap<String, Exact> {
        let mut out = HashMap::new();
        let (Some(s), empty) = (self.section(section), BTreeMap::new()) else { return out };
        let Some(t) = &s.table else { return out };
        let cells = content.cells.get(section).unwrap_or(&empty);
        for r in &t.rows {
            for c in t.columns.iter().filter(|c| c.kind != CellKind::Text) {
                let v = value_of(t, cells, &r.key, &c.key, 0);
                out.insert(format!("{}.{}", r.key, c.key), v);
            }
        }
        out
    }

    /// The checks a report fails, and (with `complete`) every entered number cell left empty
    /// and every narrative section left blank — what a submission must not have.
    pub fn problems(&self, content: &Content, complete: bool) -> Vec<CellProblem> {
        let mut out = Vec::new();
        for s in &self.sections {
            let Some(t) = &s.table else {
                if complete && content.narratives.get(&s.key).is_none_or(|t| t.trim().is_empty()) {
                    out.push(CellProblem {
                        section: s.key.clone(),
                        row: None,
                        column: None,
                        message: Msg::new(
                            format!("Hãy viết phần «{}».", s.title),
                            format!("Write section «{}».", s.title_en.as_deref().unwrap_or(&s.title)),
                        ),
                    });
                }
                continue;
            };
            let cells = content.cells.get(&s.key);
            if complete {
                for r in t.rows.iter().filter(|r| r.formula.is_none()) {
                    for c in t.columns.iter().filter(|c| c.formula.is_none() && c.kind != CellKind::Text) {
                        if cells.and_then(|m| m.get(&format!("{}.{}", r.key, c.key))).is_none() {
                            out.push(CellProblem {
                                section: s.key.clone(),
                                row: Some(r.key.clone()),
                                column: Some(c.key.clone()),
                                message: Msg::new(
                                    format!("Bảng «{}», dòng «{}», cột «{}»: hãy ghi số (ghi 0 nếu không có).", s.title, r.title, c.title),
                                    format!(
                                        "Table «{}», row «{}», column «{}»: write a number (0 if none).",
                                        en(&s.title, &s.title_en),
                                        en(&r.title, &r.title_en),
                                        en(&c.title, &c.title_en)
                                    ),
                                ),
                            });
                        }
                    }
                }
            }
            let values = self.evaluate(&s.key, content);
            for ch in &t.checks {
                let Some((l, op, r)) = parse_check(&ch.rule) else { continue };
                let per_row = l.iter().chain(&r).any(|t| !t.name.contains('.'));
                let rows: Vec<Option<&Row>> = if per_row { t.rows.iter().map(Some).collect() } else { vec![None] };
                for row in rows {
                    let cell = |name: &str| match row {
                        Some(row) => format!("{}.{name}", row.key),
                        None => name.to_string(),
                    };
                    let sum = |terms: &[Term]| -> Exact {
                        terms
                            .iter()
                            .map(|t| {
                                let v = values.get(&cell(&t.name)).cloned().unwrap_or(Exact::ZERO);
                                if t.minus { -v } else { v }
                            })
                            .sum()
                    };
                    let (a, b) = (sum(&l), sum(&r));
                    if op.holds(&a, &b) {
                        continue;
                    }
                    // the first cell of the left side is where the problem shows
                    let first = cell(&l[0].name);
                    let (row_key, col_key) = first.split_once('.').unwrap_or(("", ""));
                    let title = |names: &[Term], vi: bool| -> String {
                        names
                            .iter()
                            .enumerate()
                            .map(|(i, term)| {
                                let n = cell(&term.name);
                                let (rk, ck) = n.split_once('.').unwrap_or(("", ""));
                                let ct = title_of(t, ck, false, vi);
                                let label =
                                    if per_row { format!("«{ct}»") } else { format!("«{} — {ct}»", title_of(t, rk, true, vi)) };
                                match (i, term.minus) {
                                    (0, false) => label,
                                    (0, true) => format!("− {label}"),
                                    (_, false) => format!(" + {label}"),
                                    (_, true) => format!(" − {label}"),
                                }
                            })
                            .collect()
                    };
                    let (w_vi, w_en) = op.words();
                    let (sec_vi, sec_en) = (s.title.as_str(), s.title_en.as_deref().unwrap_or(&s.title));
                    let (row_vi, row_en) = (title_of(t, row_key, true, true), title_of(t, row_key, true, false));
                    let vi = match &ch.message {
                        Some(m) => format!(
                            "Bảng «{sec_vi}», dòng «{row_vi}»: {m} ({} = {}, {} = {}).",
                            title(&l, true),
                            shown(&a, true),
                            title(&r, true),
                            shown(&b, true)
                        ),
                        None => format!(
                            "Bảng «{sec_vi}», dòng «{row_vi}»: {} ({}) {w_vi} {} ({}).",
                            title(&l, true),
                            shown(&a, true),
                            title(&r, true),
                            shown(&b, true)
                        ),
                    };
                    let en = match &ch.message_en {
                        Some(m) => format!(
                            "Table «{sec_en}», row «{row_en}»: {m} ({} = {}, {} = {}).",
                            title(&l, false),
                            shown(&a, false),
                            title(&r, false),
                            shown(&b, false)
                        ),
                        None => format!(
                            "Table «{sec_en}», row «{row_en}»: {} ({}) {w_en} {} ({}).",
                            title(&l, false),
                            shown(&a, false),
                            title(&r, false),
                            shown(&b, false)
                        ),
                    };
                    out.push(CellProblem {
                        section: s.key.clone(),
                        row: Some(row_key.to_string()),
                        column: Some(col_key.to_string()),
                        message: Msg::new(vi, en),
                    });
                }
            }
        }
        out
    }

    /// The province's content from the accepted reports: each table's entered number cells
    /// summed cell by cell (computed cells follow from them), each narrative section's texts
    /// gathered with their unit's name, in the order given.
    pub fn consolidate(&self, reports: &[(String, &Content)]) -> Consolidated {
        let mut content = Content::default();
        let mut narratives: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
        for s in &self.sections {
            match &s.table {
                None => {
                    let texts =
                        reports.iter().filter_map(|(unit, c)| c.narratives.get(&s.key).map(|t| (unit.clone(), t.clone()))).collect();
                    narratives.insert(s.key.clone(), texts);
                }
                Some(t) => {
                    let cells = content.cells.entry(s.key.clone()).or_default();
                    for r in t.rows.iter().filter(|r| r.formula.is_none()) {
                        for c in t.columns.iter().filter(|c| c.formula.is_none() && c.kind != CellKind::Text) {
                            let name = format!("{}.{}", r.key, c.key);
                            let mut any = false;
                            let total: Exact = reports
                                .iter()
                                .filter_map(|(_, rep)| rep.cells.get(&s.key).and_then(|m| m.get(&name)).and_then(|v| Exact::parse(v)))
                                .inspect(|_| any = true)
                                .sum();
                            if any {
                                cells.insert(name, canonical(&total));
                            }
                        }
                    }
                }
            }
        }
        Consolidated { content, narratives, reports: reports.len() }
    }
}

/// The province's consolidated report ([`Form::consolidate`]).
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Consolidated {
    /// The summed tables (entered cells; computed ones by [`Form::evaluate`]).
    pub content: Content,
    /// Each narrative section: (unit, text) of every accepted report that wrote it.
    pub narratives: BTreeMap<String, Vec<(String, String)>>,
    /// How many accepted reports were summed.
    pub reports: usize,
}

/// A title in English where the form gives one.
fn en<'a>(vi: &'a str, en: &'a Option<String>) -> &'a str {
    en.as_deref().unwrap_or(vi)
}

/// A column's (`row` none) or a row's title in a table, in the language asked.
fn title_of<'a>(t: &'a Table, key: &'a str, row: bool, vi: bool) -> &'a str {
    let pick = |v: &'a str, e: &'a Option<String>| if vi { v } else { e.as_deref().unwrap_or(v) };
    if row {
        t.rows.iter().find(|r| r.key == key).map(|r| pick(&r.title, &r.title_en)).unwrap_or(key)
    } else {
        t.columns.iter().find(|c| c.key == key).map(|c| pick(&c.title, &c.title_en)).unwrap_or(key)
    }
}

/// An exact number as a cell keeps it: "12", "3.5".
pub fn canonical(x: &Exact) -> String {
    x.to_exact_decimal(2).unwrap_or_else(|| x.to_decimal_string(2))
}

/// A number as a page shows it: "12", "12,5" (Vietnamese) / "12.5".
pub fn shown(x: &Exact, vi: bool) -> String {
    let c = canonical(x);
    if vi { c.replace('.', ",") } else { c }
}

/// A cell as entered, read as its column says: the canonical text, or why not.
fn read_cell(kind: CellKind, v: &str) -> Result<String, Msg> {
    match kind {
        CellKind::Text => {
            if v.chars().count() > MAX_TEXT_CELL {
                Err(Msg::new(format!("dài quá {MAX_TEXT_CELL} ký tự."), format!("longer than {MAX_TEXT_CELL} characters.")))
            } else {
                Ok(v.to_string())
            }
        }
        CellKind::Integer => {
            let digits = v.replace([' ', '\u{a0}'], "");
            if !digits.is_empty() && digits.len() <= 15 && digits.chars().all(|c| c.is_ascii_digit()) {
                Ok(digits.trim_start_matches('0').to_string()).map(|s| if s.is_empty() { "0".into() } else { s })
            } else {
                Err(Msg::new(
                    format!("«{v}» không phải số nguyên không âm; ghi số không dấu phân cách hàng nghìn, ví dụ 1250."),
                    format!("«{v}» is not a whole number ≥ 0; write it without thousands separators, e.g. 1250."),
                ))
            }
        }
        CellKind::Decimal => {
            let ok = !v.contains('/') && !v.starts_with('-') && v.len() <= 20;
            match Exact::parse(v).filter(|x| ok && !x.is_negative() && x.to_exact_decimal(2).is_some()) {
                Some(x) => Ok(canonical(&x)),
                None => Err(Msg::new(
                    format!("«{v}» không phải số không âm có tối đa 2 chữ số thập phân, ví dụ 12,5."),
                    format!("«{v}» is not a number ≥ 0 with at most 2 decimals, e.g. 12.5."),
                )),
            }
        }
    }
}

/// A cell's value: a row formula, else a column formula, else what was entered (empty: 0).
/// Definitions are acyclic ([`Form::check`]); `depth` guards a definition never checked.
fn value_of(t: &Table, cells: &BTreeMap<String, String>, row: &str, col: &str, depth: usize) -> Exact {
    if depth > MAX_ROWS + MAX_COLUMNS {
        return Exact::ZERO;
    }
    let sum = |terms: Vec<Term>, f: &dyn Fn(&str) -> Exact| -> Exact {
        terms.iter().map(|t| if t.minus { -f(&t.name) } else { f(&t.name) }).sum()
    };
    if let Some(terms) = t.rows.iter().find(|r| r.key == row).and_then(|r| r.formula.as_deref()).and_then(parse_sum) {
        return sum(terms, &|r| value_of(t, cells, r, col, depth + 1));
    }
    if let Some(terms) = t.columns.iter().find(|c| c.key == col).and_then(|c| c.formula.as_deref()).and_then(parse_sum) {
        return sum(terms, &|c| value_of(t, cells, row, c, depth + 1));
    }
    cells.get(&format!("{row}.{col}")).and_then(|v| Exact::parse(v)).unwrap_or(Exact::ZERO)
}

/// The first key whose formula reaches itself, if any.
fn cycle<'a>(items: impl Iterator<Item = (&'a str, Option<&'a str>)>) -> Option<String> {
    let deps: HashMap<&str, Vec<String>> =
        items.map(|(k, f)| (k, f.and_then(parse_sum).map(|t| t.into_iter().map(|t| t.name).collect()).unwrap_or_default())).collect();
    fn visit<'a>(k: &'a str, deps: &'a HashMap<&str, Vec<String>>, state: &mut HashMap<&'a str, u8>) -> bool {
        match state.get(k) {
            Some(1) => return true,
            Some(_) => return false,
            None => {}
        }
        state.insert(k, 1);
        for d in deps.get(k).into_iter().flatten() {
            if deps.contains_key(d.as_str()) && visit(d, deps, state) {
                return true;
            }
        }
        state.insert(k, 2);
        false
    }
    let mut state = HashMap::new();
    let mut keys: Vec<&str> = deps.keys().copied().collect();
    keys.sort();
    keys.into_iter().find(|k| visit(k, &deps, &mut state)).map(str::to_string)
}

/// The kind of a reporting round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RoundKind {
    Quarter,
    HalfYear,
    Year,
    AdHoc,
}

impl RoundKind {
    pub const ALL: [RoundKind; 4] = [RoundKind::Quarter, RoundKind::HalfYear, RoundKind::Year, RoundKind::AdHoc];
    pub fn key(self) -> &'static str {
        match self {
            RoundKind::Quarter => "quarter",
            RoundKind::HalfYear => "half_year",
            RoundKind::Year => "year",
            RoundKind::AdHoc => "ad_hoc",
        }
    }
    pub fn parse(s: &str) -> Option<RoundKind> {
        RoundKind::ALL.into_iter().find(|k| k.key() == s.trim())
    }
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            RoundKind::Quarter => ("Báo cáo quý", "Quarterly report"),
            RoundKind::HalfYear => ("Báo cáo 6 tháng", "Half-year report"),
            RoundKind::Year => ("Báo cáo năm", "Yearly report"),
            RoundKind::AdHoc => ("Báo cáo đột xuất", "Ad hoc report"),
        }
    }
}

/// Where a unit's report of a round stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReportStatus {
    /// Nothing saved yet.
    Missing,
    Draft,
    Submitted,
    /// Sent back by the office with a reason; the unit corrects and submits again.
    Returned,
    Accepted,
}

impl ReportStatus {
    pub const ALL: [ReportStatus; 5] =
        [ReportStatus::Missing, ReportStatus::Draft, ReportStatus::Submitted, ReportStatus::Returned, ReportStatus::Accepted];
    pub fn key(self) -> &'static str {
        match self {
            ReportStatus::Missing => "missing",
            ReportStatus::Draft => "draft",
            ReportStatus::Submitted => "submitted",
            ReportStatus::Returned => "returned",
            ReportStatus::Accepted => "accepted",
        }
    }
    pub fn parse(s: &str) -> Option<ReportStatus> {
        ReportStatus::ALL.into_iter().find(|k| k.key() == s.trim())
    }
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            ReportStatus::Missing => ("Chưa có", "Not started"),
            ReportStatus::Draft => ("Đang soạn", "Draft"),
            ReportStatus::Submitted => ("Đã gửi, chờ tiếp nhận", "Submitted"),
            ReportStatus::Returned => ("Bị trả lại", "Returned"),
            ReportStatus::Accepted => ("Đã tiếp nhận", "Accepted"),
        }
    }
    /// The unit may still change its content.
    pub fn editable(self) -> bool {
        matches!(self, ReportStatus::Missing | ReportStatus::Draft | ReportStatus::Returned)
    }
}

/// What the measures need of a unit's report of a round.
#[derive(Debug, Clone, Copy)]
pub struct ReportFacts {
    pub deadline: NaiveDate,
    pub status: ReportStatus,
    /// The day (Vietnam time) it was first submitted.
    pub first_submitted_on: Option<NaiveDate>,
}

impl ReportFacts {
    /// First submitted by the deadline (a later return for corrections does not make it late).
    pub fn on_time(&self) -> bool {
        self.first_submitted_on.is_some_and(|d| d <= self.deadline)
    }
    /// Not submitted, and the deadline has passed by `today`.
    pub fn late(&self, today: NaiveDate) -> bool {
        self.first_submitted_on.is_none() && today > self.deadline
    }
}

/// A measure of the reports register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    OnTimeCount,
    CompleteShare,
}

impl Measure {
    pub const ALL: [Measure; 2] = [Measure::OnTimeCount, Measure::CompleteShare];

    pub fn key(self) -> &'static str {
        match self {
            Measure::OnTimeCount => "on_time_count",
            Measure::CompleteShare => "complete_share",
        }
    }

    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            Measure::OnTimeCount => ("Số báo cáo định kỳ gửi đúng hạn", "Periodic reports sent on time"),
            Measure::CompleteShare => ("Tỷ lệ báo cáo được tiếp nhận", "Share of reports accepted"),
        }
    }

    pub fn formula(self) -> (&'static str, &'static str) {
        match self {
            Measure::OnTimeCount => (
                "báo cáo gửi lần đầu trước hạn / số đợt báo cáo của năm đã hết hạn gửi (quy tắc trừ điểm đọc số báo cáo không đúng hạn)",
                "reports first sent by the deadline / the year's reporting rounds past their deadline (a deduction rule reads those not on time)",
            ),
            Measure::CompleteShare => (
                "báo cáo được tiếp nhận ÷ số đợt báo cáo của năm đã hết hạn gửi",
                "reports accepted ÷ the year's reporting rounds past their deadline",
            ),
        }
    }

    /// The measure of a unit's reports of a year — the one place it is computed.
    pub fn of(self, reports: &[ReportFacts]) -> Value {
        let denominator = reports.len() as i64;
        let numerator = match self {
            Measure::OnTimeCount => reports.iter().filter(|r| r.on_time()).count(),
            Measure::CompleteShare => reports.iter().filter(|r| r.status == ReportStatus::Accepted).count(),
        } as i64;
        Value::Rate { numerator, denominator }
    }

    pub fn fits(self, rule: &crate::framework::Rule) -> bool {
        use crate::framework::Rule;
        match self {
            Measure::OnTimeCount => matches!(rule, Rule::Proportional | Rule::Bands { .. } | Rule::Deduction { .. }),
            Measure::CompleteShare => matches!(rule, Rule::Proportional | Rule::Bands { .. }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> Form {
        let col = |key: &str, kind, formula: Option<&str>| Column {
            key: key.into(),
            title: key.to_uppercase(),
            title_en: None,
            kind,
            formula: formula.map(str::to_string),
        };
        let row = |key: &str, formula: Option<&str>| Row {
            key: key.into(),
            title: key.to_uppercase(),
            title_en: None,
            formula: formula.map(str::to_string),
        };
        Form {
            code: "t".into(),
            title: "T".into(),
            title_en: None,
            sections: vec![
                Section { key: "ket_qua".into(), title: "Kết quả".into(), title_en: None, hint: None, table: None },
                Section {
                    key: "vb".into(),
                    title: "Văn bản".into(),
                    title_en: None,
                    hint: None,
                    table: Some(Table {
                        columns: vec![
                            col("planned", CellKind::Integer, None),
                            col("done", CellKind::Integer, None),
                            col("left", CellKind::Integer, Some("planned - done")),
                            col("note", CellKind::Text, None),
                        ],
                        rows: vec![row("qd", None), row("ct", None), row("total", Some("qd + ct"))],
                        checks: vec![
                            Check { rule: "done <= planned".into(), message: None, message_en: None },
                            Check { rule: "total.done >= qd.done".into(), message: None, message_en: None },
                        ],
                        from_onestop: BTreeMap::new(),
                    }),
                },
            ],
        }
    }

    fn raw(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn cells_fed_by_the_onestop_register_are_input_cells_and_sum_its_counts() {
        let mut f = form();
        let table = f.sections[1].table.as_mut().unwrap();
        table.from_onestop.insert("qd.planned".into(), "received_online + received_direct - returned".into());
        table.from_onestop.insert("ct.done".into(), "resolved_late".into());
        assert!(f.check().is_empty(), "{:?}", f.check());
        let counts = crate::onestop::Counts { received_online: 7, received_direct: 5, returned: 2, resolved_late: 1, ..Default::default() };
        let fill = f.fill_from_onestop(&counts);
        assert_eq!((fill["c.vb.qd.planned"].as_str(), fill["c.vb.ct.done"].as_str(), fill.len()), ("10", "1", 2));
        // what the page reads back is the same content a typed form gives
        assert!(f.read(&fill).1.is_empty());
        assert_eq!(f.onestop_cells("vi"), vec!["CT — DONE".to_string(), "QD — PLANNED".to_string()]);
        // a computed cell, a text column, an unknown count, a missing row: each refused, placed
        for (cell, sum) in
            [("total.done", "resolved_late"), ("qd.note", "returned"), ("qd.done", "received_by_pigeon"), ("zz.done", "returned")]
        {
            let mut bad = form();
            bad.sections[1].table.as_mut().unwrap().from_onestop.insert(cell.into(), sum.into());
            let problems = bad.check();
            assert_eq!(problems.len(), 1, "{cell}: {problems:?}");
            assert_eq!(problems[0].section, "vb");
            assert!(problems[0].message.vi.contains(cell) && problems[0].message.en.contains("received_online"), "{problems:?}");
        }
    }

    #[test]
    fn a_good_form_has_no_problem_and_a_bad_one_every_problem() {
        assert_eq!(form().check(), vec![]);
        let mut bad = form();
        let t = bad.sections[1].table.as_mut().unwrap();
        t.rows[2].formula = Some("qd + nope".into());
        t.columns[2].formula = Some("note + done".into());
        t.checks.push(Check { rule: "done <=".into(), message: None, message_en: None });
        t.rows[0].formula = Some("ct".into());
        t.rows[1].formula = Some("qd".into());
        let problems = bad.check();
        assert_eq!(problems.len(), 4, "{problems:#?}");
        assert!(problems.iter().any(|p| p.message.en.contains("loop")));
    }

    #[test]
    fn formulas_compute_totals_and_checks_name_the_cell() {
        let f = form();
        let (content, problems) = f.read(&raw(&[
            ("n.ket_qua", "  Đã làm.  "),
            ("c.vb.qd.planned", "10"),
            ("c.vb.qd.done", "12"),
            ("c.vb.ct.planned", "5"),
            ("c.vb.ct.done", "007"),
            ("c.vb.total.done", "999"),
            ("c.vb.qd.note", "ghi chú"),
        ]));
        assert!(problems.is_empty());
        assert_eq!(content.narratives["ket_qua"], "Đã làm.");
        assert_eq!(content.cells["vb"].get("total.done"), None, "a computed cell is never entered");
        assert_eq!(content.cells["vb"]["ct.done"], "7");
        let v = f.evaluate("vb", &content);
        assert_eq!(v["total.planned"], Exact::int(15));
        assert_eq!(v["total.done"], Exact::int(19));
        assert_eq!(v["total.left"], Exact::int(-4));
        assert_eq!(v["qd.left"], Exact::int(-2));
        let problems = f.problems(&content, false);
        // qd: 12 > 10; ct: 7 > 5; total: 19 > 15
        assert_eq!(problems.len(), 3, "{problems:#?}");
        assert_eq!(problems[0].field(), "c.vb.qd.done");
        assert!(problems[0].message.vi.contains("«DONE» (12) phải nhỏ hơn hoặc bằng «PLANNED» (10)"), "{}", problems[0].message.vi);
    }

    #[test]
    fn cells_refuse_what_their_column_does_not_take() {
        let f = form();
        let (_, problems) = f.read(&raw(&[("c.vb.qd.planned", "1.250"), ("c.vb.qd.done", "-1"), ("c.vb.ct.done", "3,5")]));
        assert_eq!(problems.len(), 3);
        assert!(problems.iter().all(|p| p.message.vi.starts_with("Bảng «Văn bản», dòng")));
        assert_eq!(problems[0].field(), "c.vb.qd.planned");
    }

    #[test]
    fn a_complete_report_fills_every_entered_number_and_narrative() {
        let f = form();
        let (content, _) = f.read(&raw(&[("c.vb.qd.planned", "1"), ("c.vb.qd.done", "1")]));
        let problems = f.problems(&content, true);
        let fields: Vec<String> = problems.iter().map(|p| p.field()).collect();
        assert_eq!(fields, vec!["n.ket_qua", "c.vb.ct.planned", "c.vb.ct.done"]);
    }

    #[test]
    fn consolidation_sums_each_cell_and_gathers_narratives() {
        let f = form();
        let (a, _) = f.read(&raw(&[("n.ket_qua", "A"), ("c.vb.qd.planned", "3"), ("c.vb.qd.done", "2")]));
        let (b, _) = f.read(&raw(&[("c.vb.qd.planned", "4"), ("c.vb.qd.done", "4"), ("c.vb.ct.planned", "1")]));
        let c = f.consolidate(&[("SNV".into(), &a), ("STP".into(), &b)]);
        assert_eq!(c.reports, 2);
        assert_eq!(c.content.cells["vb"]["qd.planned"], "7");
        assert_eq!(c.content.cells["vb"]["ct.planned"], "1");
        assert_eq!(c.content.cells["vb"].get("ct.done"), None);
        assert_eq!(f.evaluate("vb", &c.content)["total.done"], Exact::int(6));
        assert_eq!(c.narratives["ket_qua"], vec![("SNV".to_string(), "A".to_string())]);
    }

    #[test]
    fn measures_count_reports_on_time_and_accepted() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let r = |status, sent: Option<&str>| ReportFacts { deadline: d("2026-03-20"), status, first_submitted_on: sent.map(d) };
        let reports = [
            r(ReportStatus::Accepted, Some("2026-03-20")),
            r(ReportStatus::Accepted, Some("2026-03-21")),
            r(ReportStatus::Returned, Some("2026-03-01")),
            r(ReportStatus::Draft, None),
        ];
        assert_eq!(Measure::OnTimeCount.of(&reports), Value::Rate { numerator: 2, denominator: 4 });
        assert_eq!(Measure::CompleteShare.of(&reports), Value::Rate { numerator: 2, denominator: 4 });
        assert!(reports[3].late(d("2026-03-21")) && !reports[3].late(d("2026-03-20")));
    }

    #[test]
    fn sums_and_checks_parse_strictly() {
        assert_eq!(parse_sum("a + b - c").map(|t| t.len()), Some(3));
        assert!(parse_sum("a +").is_none());
        assert!(parse_sum("a b").is_none());
        assert!(parse_sum("a * b").is_none());
        assert!(parse_sum("").is_none());
        assert!(parse_check("a <= b").is_some());
        assert!(parse_check("r.a == r.b").is_some());
        assert!(parse_check("a").is_none());
    }
}
