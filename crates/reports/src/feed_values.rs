//! The value table of a fed leaf (`source: { feed: imported }`, issue #18): one row per unit of
//! the period that the leaf applies to, downloaded as an XLSX template, filled by the reform
//! office or the appraising department, uploaded back.
//!
//! | column | meaning | on import |
//! |---|---|---|
//! | Mã đơn vị / unit code | the unit | must be a unit of the period the leaf applies to; each once |
//! | Tên đơn vị | the unit's name | ignored |
//! | Giá trị / value | what the leaf's rule reads (percentage, count, Có/Không, option key, numerator…) | checked by the rule |
//! | Mẫu số / denominator | proportional rules only | |
//! | Nguồn số liệu / source | where the figure comes from (a report, a system) | kept with the value |
//! | Điểm hiện tại | the points when downloaded | ignored |
//!
//! Reading back returns every error at once (file, row, column, what to write); the caller
//! writes nothing unless there is none. A row with empty value cells clears the unit's value;
//! a unit left out of the file keeps its value.

use parindex_core::framework::rule::{Input, Rule};
use parindex_core::unit::RowError;
use parindex_core::{Exact, Msg};
use rust_xlsxwriter::{Workbook, XlsxError};

use crate::self_scores::{Formats, how, input_validation, read_input, write_input_cells};
use crate::table::{Column, map_header, read_table};

/// A unit's row as it stands on the system.
#[derive(Debug, Clone)]
pub struct TemplateRow {
    pub unit_code: String,
    pub unit_name: String,
    pub input: Option<Input>,
    pub source: Option<String>,
    pub points: Option<Exact>,
}

/// A row read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueRow {
    pub row: usize,
    pub unit_code: String,
    /// None: the unit's value is cleared.
    pub input: Option<Input>,
    pub source: Option<String>,
}

/// The leaf the table is for.
pub struct LeafInfo<'a> {
    pub code: &'a str,
    pub title: &'a str,
    pub rule: &'a Rule,
    pub max: &'a Exact,
}

const COLUMNS: [Column; 6] = [
    Column { key: "ma_don_vi", aliases: &["unit_code", "ma", "code"], required: true },
    Column { key: "ten_don_vi", aliases: &["unit_name", "unit", "ten"], required: false },
    Column { key: "gia_tri", aliases: &["value", "nhap", "input"], required: true },
    Column { key: "mau_so", aliases: &["denominator"], required: false },
    Column { key: "nguon_so_lieu", aliases: &["source", "ghi_chu", "note"], required: false },
    Column { key: "diem_hien_tai", aliases: &["points_now", "points"], required: false },
];
const HEADER_VI: [&str; 6] = ["Mã đơn vị", "Tên đơn vị", "Giá trị", "Mẫu số", "Nguồn số liệu", "Điểm hiện tại"];
const HEADER_EN: [&str; 6] = ["Unit code", "Unit", "Value", "Denominator", "Source", "Points now"];

/// The template: the period's units for one leaf, with their current values.
pub fn write_template(title: &str, leaf: &LeafInfo, rows: &[TemplateRow], decimals: u32, vi: bool) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let Formats { head, locked, input, text, number } = Formats::new(decimals);
    let ws = wb.add_worksheet();
    ws.set_name(if vi { "so_lieu" } else { "values" })?;
    for (c, h) in (if vi { HEADER_VI } else { HEADER_EN }).iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &head)?;
    }
    for (c, w) in [12.0, 44.0, 14.0, 12.0, 36.0, 10.0].iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }
    let proportional = matches!(leaf.rule, Rule::Proportional);
    for (i, u) in rows.iter().enumerate() {
        let r = (i + 1) as u32;
        ws.write_string_with_format(r, 0, &u.unit_code, &locked)?;
        ws.write_string_with_format(r, 1, &u.unit_name, &locked)?;
        write_input_cells(ws, (r, 2), u.input.as_ref(), leaf.rule, (&input, if proportional { &input } else { &locked }), vi)?;
        ws.write_string_with_format(r, 4, u.source.clone().unwrap_or_default(), &text)?;
        match &u.points {
            Some(p) => ws.write_number_with_format(r, 5, p.to_f64(), &number)?,
            None => ws.write_string_with_format(r, 5, "", &locked)?,
        };
    }
    let last = rows.len().max(1) as u32;
    if let Some(dv) = input_validation(leaf.rule, leaf.max, vi)? {
        ws.add_data_validation(1, 2, last, 2, &dv)?;
    }
    if proportional {
        let dv = rust_xlsxwriter::DataValidation::new()
            .allow_decimal_number(rust_xlsxwriter::DataValidationRule::GreaterThan(0.0))
            .set_input_message(if vi { "Mẫu số, lớn hơn 0" } else { "Denominator, above 0" })?;
        ws.add_data_validation(1, 3, last, 3, &dv)?;
    }
    ws.set_freeze_panes(1, 2)?;
    ws.autofilter(0, 0, last, 5)?;
    ws.set_repeat_rows(0, 0)?;
    let help = wb.add_worksheet();
    help.set_name(if vi { "huong_dan" } else { "how_to" })?;
    help.set_column_width(0, 110)?;
    let lines: Vec<String> = if vi {
        vec![
            format!("Bảng số liệu tiêu chí {} — {}", leaf.code, leaf.title),
            title.to_string(),
            format!("1. Cột “Giá trị” (ô màu vàng): {}.", how(leaf.rule, leaf.max, true)),
            "2. Cột “Nguồn số liệu”: số liệu lấy từ đâu (báo cáo, hệ thống, ngày trích xuất) — được ghi kèm giá trị và hiện cho đơn vị."
                .into(),
            "3. Không sửa cột “Mã đơn vị”. Để trống cột “Giá trị” là xoá số liệu của đơn vị; xoá dòng thì số liệu của đơn vị giữ nguyên."
                .into(),
            "4. Tải tệp lên ở trang số liệu của tiêu chí. Nếu có dòng sai, hệ thống không ghi gì và chỉ rõ dòng, cột cần sửa.".into(),
        ]
    } else {
        vec![
            format!("Value table of leaf {} — {}", leaf.code, leaf.title),
            title.to_string(),
            format!("1. “Value” (yellow cells): {}.", how(leaf.rule, leaf.max, false)),
            "2. “Source”: where the figure comes from (a report, a system, the date it was taken) — kept with the value and shown to the unit.".into(),
            "3. Do not change “Unit code”. An empty value clears the unit's figure; a deleted row leaves it as it is.".into(),
            "4. Upload the file on the leaf's data page. If a row is wrong nothing is written, and the rows and columns to fix are listed.".into(),
        ]
    };
    for (i, l) in lines.iter().enumerate() {
        help.write_string(i as u32, 0, l)?;
    }
    wb.save_to_buffer()
}

/// Read a filled table back for `leaf`; `units` are the codes the leaf applies to in the
/// period. Every error at once.
pub fn read_values(file_name: &str, bytes: &[u8], leaf: &LeafInfo, units: &[String]) -> Result<Vec<ValueRow>, Vec<RowError>> {
    let table = read_table(file_name, bytes)?;
    let ix = map_header(file_name, &table.header, &COLUMNS)?;
    let get = |cells: &[String], k: usize| ix[k].and_then(|i| cells.get(i)).map(|s| s.trim().to_string()).unwrap_or_default();
    let mut errors = Vec::new();
    let mut out = Vec::new();
    let mut seen = std::collections::HashMap::new();
    for (row, cells) in &table.rows {
        let row = *row;
        let code = get(cells, 0);
        if code.is_empty() && (1..6).all(|k| get(cells, k).is_empty()) {
            continue;
        }
        if !units.contains(&code) {
            errors.push(RowError {
                row,
                field: "ma_don_vi".into(),
                message: Msg::new(
                    format!(
                        "Tệp “{file_name}”, dòng {row}, cột Mã đơn vị: “{code}” không phải đơn vị của kỳ đánh giá mà tiêu chí {} áp dụng. Hãy dùng bảng tải từ hệ thống.",
                        leaf.code
                    ),
                    format!(
                        "“{file_name}”, row {row}, column Unit code: “{code}” is not a unit of the period that leaf {} applies to. Use the template downloaded from the system.",
                        leaf.code
                    ),
                ),
            });
            continue;
        }
        if let Some(first) = seen.insert(code.clone(), row) {
            errors.push(RowError {
                row,
                field: "ma_don_vi".into(),
                message: Msg::new(
                    format!("Tệp “{file_name}”, dòng {row}: đơn vị {code} đã có ở dòng {first}. Mỗi đơn vị một dòng."),
                    format!("“{file_name}”, row {row}: unit {code} is already on row {first}. One row per unit."),
                ),
            });
            continue;
        }
        let what = (format!("đơn vị {code}"), format!("unit {code}"));
        match read_input(file_name, row, &what, leaf.rule, leaf.max, &get(cells, 2), &get(cells, 3)) {
            Ok(input) => {
                let source = Some(get(cells, 4)).filter(|s| !s.is_empty());
                out.push(ValueRow { row, unit_code: code, input, source });
            }
            Err(e) => errors.extend(e),
        }
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bands() -> Rule {
        serde_json::from_str(r#"{"kind":"bands","bands":[{"range":"[0, 50)","points":0},{"range":"[50, 100]","points":2}]}"#).unwrap()
    }

    #[test]
    fn template_reads_back_and_refuses_bad_rows_whole() {
        let rule = bands();
        let max = Exact::parse("2").unwrap();
        let leaf = LeafInfo { code: "7.2", title: "Tỷ lệ hồ sơ trực tuyến", rule: &rule, max: &max };
        let rows = vec![
            TemplateRow {
                unit_code: "SNV".into(),
                unit_name: "Sở Nội vụ".into(),
                input: Some(Input { percent: Exact::parse("62.5"), ..Default::default() }),
                source: Some("Cổng DVC, 31/12".into()),
                points: Exact::parse("2"),
            },
            TemplateRow { unit_code: "STP".into(), unit_name: "Sở Tư pháp".into(), input: None, source: None, points: None },
        ];
        let bytes = write_template("Kỳ 2026", &leaf, &rows, 2, true).unwrap();
        let units = vec!["SNV".to_string(), "STP".to_string()];
        let back = read_values("so-lieu.xlsx", &bytes, &leaf, &units).unwrap();
        assert_eq!(back.len(), 2);
        assert_eq!(back[0].input.as_ref().unwrap().percent, Exact::parse("62.5"));
        assert_eq!(back[0].source.as_deref(), Some("Cổng DVC, 31/12"));
        assert_eq!(back[1].input, None);

        // a CSV with an unknown unit, a duplicate and a percentage over 100: all three named
        let csv = "Mã đơn vị,Giá trị\nSNV,40\nXYZ,10\nSNV,20\nSTP,140\n";
        let errs = read_values("sai.csv", csv.as_bytes(), &leaf, &units).unwrap_err();
        assert_eq!(errs.len(), 3, "{errs:?}");
        assert!(errs[0].message.vi.contains("dòng 3") && errs[0].message.vi.contains("XYZ"), "{}", errs[0].message.vi);
        assert!(errs[1].message.vi.contains("đã có ở dòng 2"));
        assert!(errs[2].message.vi.contains("dòng 5") && errs[2].message.vi.contains("đơn vị STP"), "{}", errs[2].message.vi);
    }
}
