//! Report forms (issue #19) as files, and reports as documents: a form is read from YAML (or
//! JSON) with its size bounded before parsing and every problem of its definition named
//! (`parindex_core::reporting::Form::check`); a report — a unit's or the province's
//! consolidation — is written as XLSX (one sheet, each table under its title, computed cells
//! included and bold) and as the body of a Decree 30 document (DOCX/PDF by `crate::docx` and
//! the typeset crate).

use std::collections::HashMap;

use parindex_core::Msg;
use parindex_core::reporting::{CellKind, Consolidated, Content, Form, shown};
use rust_xlsxwriter::{Format, Workbook, XlsxError};

use crate::document::{Align, Block, Row, Table};

/// The largest form file read (a form of 60 sections × 200 rows is far below).
pub const MAX_FORM_BYTES: usize = 512 * 1024;

/// Read a form from YAML or JSON: either a form with no problem, or every problem (the file's
/// name, the line and column of a syntax error; the section, row and column of the others).
pub fn read_form(file: &str, bytes: &[u8]) -> Result<Form, Vec<Msg>> {
    let form: Form = crate::yaml_file::read_yaml(file, bytes, MAX_FORM_BYTES, ("mẫu biểu", "form"), "docs/reporting.md")?;
    let problems = form.check();
    if problems.is_empty() {
        Ok(form)
    } else {
        Err(problems
            .into_iter()
            .map(|p| {
                let place = [Some(p.section.as_str()), p.row.as_deref(), p.column.as_deref()]
                    .into_iter()
                    .flatten()
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join(".");
                let place = if place.is_empty() { file.to_string() } else { format!("{file} [{place}]") };
                Msg::new(format!("{place}: {}", p.message.vi), format!("{place}: {}", p.message.en))
            })
            .collect())
    }
}

/// A form as YAML, read back by [`read_form`].
pub fn form_to_yaml(form: &Form) -> String {
    yaml_serde::to_string(form).unwrap_or_default()
}

/// The sample form shipped with parindex (`report-forms/bao-cao-cchc.yaml`).
pub fn sample_form() -> Form {
    read_form("bao-cao-cchc.yaml", include_bytes!("../../../report-forms/bao-cao-cchc.yaml")).expect("the sample form is valid")
}

fn pick<'a>(vi: bool, v: &'a str, e: Option<&'a str>) -> &'a str {
    if vi { v } else { e.unwrap_or(v) }
}

/// A table's line as text, and whether it is computed (a total).
pub type Line = (Vec<String>, bool);

/// Each table of a report as rows of text: the header (the row's title, then the columns) and
/// one line per row, computed cells included; `bold` marks computed rows.
pub fn table_lines(form: &Form, section: &str, content: &Content, vi: bool) -> Option<(Vec<String>, Vec<Line>)> {
    let s = form.section(section)?;
    let t = s.table.as_ref()?;
    let values = form.evaluate(section, content);
    let cells = content.cells.get(section);
    let header = std::iter::once(if vi { "Nội dung".to_string() } else { "Item".to_string() })
        .chain(t.columns.iter().map(|c| pick(vi, &c.title, c.title_en.as_deref()).to_string()))
        .collect();
    let rows = t
        .rows
        .iter()
        .map(|r| {
            let line = std::iter::once(pick(vi, &r.title, r.title_en.as_deref()).to_string())
                .chain(t.columns.iter().map(|c| {
                    let name = format!("{}.{}", r.key, c.key);
                    match c.kind {
                        CellKind::Text => cells.and_then(|m| m.get(&name)).cloned().unwrap_or_default(),
                        _ => values.get(&name).map(|x| shown(x, vi)).unwrap_or_default(),
                    }
                }))
                .collect();
            (line, r.formula.is_some())
        })
        .collect();
    Some((header, rows))
}

/// The body of a report document: each section's heading, then its table, or its narrative —
/// for the province's consolidation, each unit's text under the unit's name, for the office to
/// edit into one.
pub fn report_blocks(form: &Form, report: &Consolidated, vi: bool) -> Vec<Block> {
    let mut out = Vec::new();
    for s in &form.sections {
        out.push(Block::heading(pick(vi, &s.title, s.title_en.as_deref())));
        match &s.table {
            Some(t) => {
                if let Some((header, rows)) = table_lines(form, &s.key, &report.content, vi) {
                    let n = t.columns.len();
                    out.push(Block::Table(Table {
                        caption: String::new(),
                        widths: std::iter::once(4.0).chain(std::iter::repeat_n(1.6, n)).collect(),
                        align: std::iter::once(Align::Left)
                            .chain(t.columns.iter().map(|c| if c.kind == CellKind::Text { Align::Left } else { Align::Right }))
                            .collect(),
                        header,
                        rows: rows.into_iter().map(|(cells, bold)| if bold { Row::bold(cells) } else { Row::new(cells) }).collect(),
                    }));
                }
            }
            None => {
                let texts = report.narratives.get(&s.key).map(Vec::as_slice).unwrap_or_default();
                if texts.is_empty() {
                    out.push(Block::text(if vi { "(Chưa có nội dung.)" } else { "(Nothing written.)" }));
                }
                let many = texts.len() > 1 || report.reports > 1;
                for (unit, text) in texts {
                    if many {
                        out.push(Block::subheading(unit.clone()));
                    }
                    for para in text.split('\n').map(str::trim).filter(|p| !p.is_empty()) {
                        out.push(Block::text(para));
                    }
                }
            }
        }
    }
    out
}

/// A report as one worksheet: the title, then each section — a table under its heading (the
/// computed rows bold, numbers as numbers), a narrative as wrapped text.
pub fn report_xlsx(form: &Form, report: &Consolidated, heading: &str, vi: bool) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let title = Format::new().set_bold().set_font_size(13);
    let bold = Format::new().set_bold();
    let head = Format::new().set_bold().set_background_color("#DCE6F1").set_text_wrap().set_border(rust_xlsxwriter::FormatBorder::Thin);
    let cell = Format::new().set_border(rust_xlsxwriter::FormatBorder::Thin).set_text_wrap();
    let num = Format::new().set_border(rust_xlsxwriter::FormatBorder::Thin).set_num_format("#,##0.##");
    let num_bold = num.clone().set_bold();
    let wrap = Format::new().set_text_wrap().set_align(rust_xlsxwriter::FormatAlign::Top);
    let ws = wb.add_worksheet().set_name(if vi { "Báo cáo" } else { "Report" })?;
    ws.set_column_width(0, 48)?;
    for c in 1..=12u16 {
        ws.set_column_width(c, 16)?;
    }
    ws.write_string_with_format(0, 0, heading, &title)?;
    let mut r: u32 = 2;
    for s in &form.sections {
        ws.write_string_with_format(r, 0, pick(vi, &s.title, s.title_en.as_deref()), &bold)?;
        r += 1;
        match table_lines(form, &s.key, &report.content, vi) {
            Some((header, rows)) => {
                let kinds: Vec<CellKind> = s.table.as_ref().map(|t| t.columns.iter().map(|c| c.kind).collect()).unwrap_or_default();
                for (c, h) in header.iter().enumerate() {
                    ws.write_string_with_format(r, c as u16, h, &head)?;
                }
                r += 1;
                for (line, computed) in rows {
                    for (c, v) in line.iter().enumerate() {
                        let number = c > 0 && kinds.get(c - 1).is_some_and(|k| *k != CellKind::Text);
                        let parsed = number.then(|| parindex_core::Exact::parse(v)).flatten();
                        match parsed {
                            Some(x) => ws.write_number_with_format(r, c as u16, x.to_f64(), if computed { &num_bold } else { &num })?,
                            None => ws.write_string_with_format(r, c as u16, v, &cell)?,
                        };
                    }
                    r += 1;
                }
            }
            None => {
                let texts = report.narratives.get(&s.key).map(Vec::as_slice).unwrap_or_default();
                for (unit, text) in texts {
                    if report.reports > 1 {
                        ws.write_string_with_format(r, 0, unit, &bold)?;
                        r += 1;
                    }
                    ws.merge_range(r, 0, r, 6, text, &wrap)?;
                    ws.set_row_height(
                        r,
                        (15.0 * (1.0 + text.chars().count() as f64 / 110.0 + text.matches('\n').count() as f64)).min(400.0),
                    )?;
                    r += 1;
                }
            }
        }
        r += 1;
    }
    wb.save_to_buffer()
}

/// The sheet of each table section (its key, cut to Excel's 31 characters) and of the
/// narratives, in form order.
fn sheet_names(form: &Form) -> Vec<(String, Option<&parindex_core::reporting::Section>)> {
    let mut names: Vec<(String, Option<&parindex_core::reporting::Section>)> = vec![("noi_dung".to_string(), None)];
    for s in form.sections.iter().filter(|s| s.table.is_some()) {
        let mut name: String = s.key.chars().take(28).collect();
        if names.iter().any(|(n, _)| n == &name) {
            name = format!("{name}_{}", names.len());
        }
        names.push((name, Some(s)));
    }
    names
}

/// A unit's report as a template to fill in Excel and upload again: a sheet `noi_dung` with the
/// narratives (key, title, text), then a sheet per table laid out as on the page — a hidden
/// column A with the row's key, the row's title, a column per form column (computed ones grey
/// and ignored when read). What the report holds is filled in.
pub fn report_template_xlsx(form: &Form, content: &Content, heading: &str, vi: bool) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let head = Format::new().set_bold().set_background_color("#DCE6F1").set_text_wrap().set_border(rust_xlsxwriter::FormatBorder::Thin);
    let cell = Format::new().set_border(rust_xlsxwriter::FormatBorder::Thin).set_unlocked();
    let computed = Format::new().set_border(rust_xlsxwriter::FormatBorder::Thin).set_background_color("#EEEEEE").set_italic();
    let wrap = Format::new().set_text_wrap().set_align(rust_xlsxwriter::FormatAlign::Top).set_border(rust_xlsxwriter::FormatBorder::Thin);
    for (name, section) in sheet_names(form) {
        let ws = wb.add_worksheet().set_name(&name)?;
        match section {
            None => {
                ws.write_string_with_format(0, 0, "ma_phan", &head)?;
                ws.write_string_with_format(0, 1, if vi { "Phần" } else { "Section" }, &head)?;
                ws.write_string_with_format(0, 2, heading, &head)?;
                ws.set_column_width(0, 12)?;
                ws.set_column_width(1, 40)?;
                ws.set_column_width(2, 100)?;
                for (r, s) in (1..).zip(form.sections.iter().filter(|s| s.table.is_none())) {
                    ws.write_string(r, 0, &s.key)?;
                    ws.write_string(r, 1, pick(vi, &s.title, s.title_en.as_deref()))?;
                    ws.write_string_with_format(r, 2, content.narratives.get(&s.key).map(String::as_str).unwrap_or(""), &wrap)?;
                    ws.set_row_height(r, 60)?;
                }
            }
            Some(s) => {
                let Some(t) = &s.table else { continue };
                ws.write_string_with_format(0, 0, "ma_dong", &head)?;
                ws.write_string_with_format(0, 1, pick(vi, &s.title, s.title_en.as_deref()), &head)?;
                ws.set_column_hidden(0)?;
                ws.set_column_width(1, 44)?;
                let cells = content.cells.get(&s.key);
                for (ci, c) in t.columns.iter().enumerate() {
                    ws.write_string_with_format(0, ci as u16 + 2, pick(vi, &c.title, c.title_en.as_deref()), &head)?;
                    ws.set_column_width(ci as u16 + 2, 16)?;
                }
                for (ri, r) in t.rows.iter().enumerate() {
                    let row = ri as u32 + 1;
                    ws.write_string(row, 0, &r.key)?;
                    ws.write_string(row, 1, pick(vi, &r.title, r.title_en.as_deref()))?;
                    for (ci, c) in t.columns.iter().enumerate() {
                        let col = ci as u16 + 2;
                        let is_computed = (r.formula.is_some() && c.kind != CellKind::Text) || c.formula.is_some();
                        let v = cells.and_then(|m| m.get(&format!("{}.{}", r.key, c.key)));
                        match (is_computed, v, c.kind) {
                            (true, _, _) => {
                                ws.write_string_with_format(row, col, if vi { "(tự tính)" } else { "(computed)" }, &computed)?
                            }
                            (false, Some(v), CellKind::Text) => ws.write_string_with_format(row, col, v, &cell)?,
                            (false, Some(v), _) => match parindex_core::Exact::parse(v) {
                                Some(x) => ws.write_number_with_format(row, col, x.to_f64(), &cell)?,
                                None => ws.write_string_with_format(row, col, v, &cell)?,
                            },
                            (false, None, _) => ws.write_blank(row, col, &cell)?,
                        };
                    }
                }
            }
        }
    }
    wb.save_to_buffer()
}

/// Read a filled template back ([`report_template_xlsx`]) into the raw fields a page posts
/// (`n.section`, `c.section.row.col`), for `Form::read` to read each cell as its column says.
/// Sheets, rows and columns are found by their keys (or their titles); computed cells, unknown
/// rows and columns are ignored. A workbook without the form's sheets, or not a workbook, is
/// refused with what to do (`crate::workbook` bounds every read).
pub fn read_report_xlsx(file: &str, bytes: &[u8], form: &Form) -> Result<HashMap<String, String>, Vec<Msg>> {
    let sheets = crate::table::read_workbook(file, bytes).map_err(|rows| rows.into_iter().map(|r| r.message).collect::<Vec<_>>())?;
    let fold = |s: &str| parindex_core::text::fold(s.trim());
    let mut raw = HashMap::new();
    let mut found = 0;
    for (name, section) in sheet_names(form) {
        let Some((_, table)) = sheets.iter().find(|(n, _)| n == &name) else { continue };
        found += 1;
        let rows = table.rows.iter().filter(|(_, cells)| !cells.is_empty());
        match section {
            None => {
                for (_, cells) in rows {
                    let key = cells.first().map(|k| k.trim()).unwrap_or("");
                    if let Some(s) = form.sections.iter().find(|s| s.table.is_none() && s.key == key) {
                        raw.insert(format!("n.{}", s.key), cells.get(2).cloned().unwrap_or_default());
                    }
                }
            }
            Some(s) => {
                let Some(t) = &s.table else { continue };
                // header cells → the form's columns, by title (either language) or key
                let cols: Vec<Option<&parindex_core::reporting::Column>> = table
                    .header
                    .iter()
                    .map(|h| {
                        let h = fold(h);
                        t.columns.iter().find(|c| fold(&c.title) == h || c.title_en.as_deref().is_some_and(|e| fold(e) == h) || c.key == h)
                    })
                    .collect();
                for (_, cells) in rows {
                    let key = cells.first().map(|k| k.trim()).unwrap_or("");
                    let title = cells.get(1).map(|t| fold(t)).unwrap_or_default();
                    let Some(r) = t.rows.iter().find(|r| r.key == key || (!title.is_empty() && fold(&r.title) == title)) else { continue };
                    for (i, c) in cols.iter().enumerate() {
                        let Some(c) = c else { continue };
                        let v = cells.get(i).map(|v| v.trim()).unwrap_or("");
                        raw.insert(parindex_core::reporting::cell_field(&s.key, &r.key, &c.key), v.to_string());
                    }
                }
            }
        }
    }
    if found == 0 {
        return Err(vec![Msg::new(
            format!("{file}: không có trang tính nào của mẫu biểu này. Hãy tải tệp mẫu của báo cáo, điền và tải lên lại."),
            format!("{file}: none of this form's sheets is in the workbook. Download the report's template, fill it and upload it again."),
        )]);
    }
    Ok(raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_form_reads_and_writes_back() {
        let f = sample_form();
        assert_eq!(f.code, "bc_cchc");
        assert_eq!(read_form("x.yaml", form_to_yaml(&f).as_bytes()).unwrap(), f);
    }

    #[test]
    fn a_bad_form_is_refused_with_every_problem_placed() {
        let text = "code: x\ntitle: X\nsections:\n  - key: a\n    title: A\n    table:\n      columns: [{key: n, title: N}]\n      rows: [{key: r, title: R, formula: 'r + s'}]\n      checks: [{rule: 'n <> 1'}]\n";
        let e = read_form("mau.yaml", text.as_bytes()).unwrap_err();
        assert_eq!(e.len(), 3, "{e:#?}"); // the formula, its loop, the check
        assert!(e[0].vi.starts_with("mau.yaml [a.r]:"), "{}", e[0].vi);
        let e = read_form("mau.yaml", b"code: [").unwrap_err();
        assert!(e[0].vi.starts_with("mau.yaml:1:"), "{}", e[0].vi);
        let e = read_form("mau.yaml", &vec![b' '; MAX_FORM_BYTES + 1]).unwrap_err();
        assert!(e[0].en.contains("larger"));
        let e = read_form("mau.yaml", b"code: x\ntitle: X\nsections: []\nextra: 1\n").unwrap_err();
        assert!(e[0].vi.contains("extra"), "{}", e[0].vi);
    }

    #[test]
    fn a_report_is_written_as_blocks_and_a_workbook() {
        let f = sample_form();
        let raw = [
            ("n.chi_dao", "Đã ban hành kế hoạch.\nĐã kiểm tra."),
            ("c.mot_cua.tiep_nhan.truc_tuyen", "10"),
            ("c.mot_cua.tiep_nhan.truc_tiep", "5"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let (content, problems) = f.read(&raw);
        assert!(problems.is_empty());
        let c = f.consolidate(&[("Sở Tư pháp".into(), &content)]);
        let blocks = report_blocks(&f, &c, true);
        let table = blocks.iter().find_map(|b| match b {
            Block::Table(t) if t.header.iter().any(|h| h == "Tổng số") => Some(t),
            _ => None,
        });
        assert_eq!(table.unwrap().rows[0].cells, vec!["Hồ sơ tiếp nhận", "10", "5", "0", "15"]);
        assert!(blocks.iter().any(|b| matches!(b, Block::Paragraph { runs } if runs[0].text == "Đã kiểm tra.")));
        let x = report_xlsx(&f, &c, "Báo cáo", true).unwrap();
        assert!(x.starts_with(b"PK"));
    }

    #[test]
    fn a_filled_template_reads_back_into_the_same_report() {
        let f = sample_form();
        let raw = [
            ("n.chi_dao", "Đã ban hành kế hoạch."),
            ("c.van_ban.ban_hanh.ke_hoach", "12"),
            ("c.van_ban.ban_hanh.ghi_chu", "Có phát sinh"),
            ("c.mot_cua.tiep_nhan.truc_tuyen", "10"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let (content, _) = f.read(&raw);
        let x = report_template_xlsx(&f, &content, "Sở Tư pháp", true).unwrap();
        let back = read_report_xlsx("mau.xlsx", &x, &f).unwrap();
        let (again, problems) = f.read(&back);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(again, content, "computed cells ignored, the rest as written");
        let e = read_report_xlsx("x.xlsx", &report_xlsx(&f, &f.consolidate(&[]), "t", true).unwrap(), &f).unwrap_err();
        assert!(e[0].vi.contains("không có trang tính"), "{e:?}");
        assert!(read_report_xlsx("x.xlsx", b"not a workbook", &f).is_err());
    }
}
