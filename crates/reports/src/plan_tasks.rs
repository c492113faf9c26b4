//! The tasks of the province's reform plan as a file (issue #19): the template the office fills
//! (drop-downs of the units and the framework's domains from a help sheet) and its reader. CSV
//! or XLSX, one row per task:
//!
//! | column | on import |
//! |---|---|
//! | Số TT / code | required: the task's number in the plan (`1.3`), once in the file |
//! | Nhiệm vụ / title | required |
//! | Lĩnh vực / domain | optional: a framework domain's code |
//! | Đơn vị chủ trì / owner | required: a unit's code (or "CODE — name", as the drop-down writes) |
//! | Đơn vị phối hợp / co_units | optional: unit codes separated by `,` or `;` |
//! | Thời hạn / deadline | required: `dd/mm/yyyy` or `yyyy-mm-dd` |
//! | Sản phẩm / output | optional |
//!
//! Every cell that does not read is named (file, row, column, what to write); the rows that do
//! are returned beside them, so the store checks those too and every problem shows at once.

use parindex_core::Msg;
use parindex_core::unit::RowError;
use rust_xlsxwriter::{DataValidation, Format, Formula, Workbook, XlsxError};

use crate::table::{Column, map_header, read_table};

/// A task read from the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskLine {
    pub row: usize,
    pub code: String,
    pub title: String,
    pub domain: Option<String>,
    pub owner: String,
    pub co_units: Vec<String>,
    pub deadline: chrono::NaiveDate,
    pub output: Option<String>,
}

const COLUMNS: [Column; 7] = [
    Column { key: "so_tt", aliases: &["code", "ma", "so_thu_tu", "stt"], required: true },
    Column { key: "nhiem_vu", aliases: &["title", "ten_nhiem_vu"], required: true },
    Column { key: "linh_vuc", aliases: &["domain"], required: false },
    Column { key: "don_vi_chu_tri", aliases: &["owner", "chu_tri"], required: true },
    Column { key: "don_vi_phoi_hop", aliases: &["co_units", "phoi_hop"], required: false },
    Column { key: "thoi_han", aliases: &["deadline", "han"], required: true },
    Column { key: "san_pham", aliases: &["output", "ket_qua"], required: false },
];

const HEADER: [&str; 7] = ["Số TT", "Nhiệm vụ", "Lĩnh vực", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời hạn", "Sản phẩm"];

/// The unit code of a cell: "SNV" or "SNV — Sở Nội vụ" (as the template's drop-down writes).
fn code_of(s: &str) -> String {
    s.split(" — ").next().unwrap_or("").trim().to_string()
}

/// Read a file of tasks.
pub fn read_tasks(file_name: &str, bytes: &[u8]) -> Result<(Vec<TaskLine>, Vec<RowError>), Vec<RowError>> {
    let table = read_table(file_name, bytes)?;
    let ix = map_header(file_name, &table.header, &COLUMNS)?;
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (row, cells) in &table.rows {
        let row = *row;
        let get = |k: usize| ix[k].and_then(|i| cells.get(i)).map(|s| s.trim().to_string()).unwrap_or_default();
        if (0..COLUMNS.len()).all(|k| get(k).is_empty()) {
            continue;
        }
        let deadline = get(5);
        let Some(deadline) = parindex_core::text::parse_date(&deadline) else {
            errors.push(RowError {
                row,
                field: "thoi_han".into(),
                message: Msg::new(
                    format!("Tệp “{file_name}”, dòng {row}, cột Thời hạn: “{deadline}” không phải ngày; hãy ghi dạng 31/03/2026."),
                    format!("“{file_name}”, row {row}, Deadline: “{deadline}” is not a date; write 31/03/2026."),
                ),
            });
            continue;
        };
        let opt = |k: usize| Some(get(k)).filter(|s| !s.is_empty());
        out.push(TaskLine {
            row,
            code: get(0),
            title: get(1),
            domain: opt(2).map(|d| code_of(&d)),
            owner: code_of(&get(3)),
            co_units: get(4).split([',', ';']).map(code_of).filter(|s| !s.is_empty()).collect(),
            deadline,
            output: opt(6),
        });
    }
    if out.is_empty() && errors.is_empty() {
        return Err(vec![RowError {
            row: 1,
            field: "-".into(),
            message: Msg::new(format!("Tệp “{file_name}” không có nhiệm vụ nào."), format!("“{file_name}” has no tasks.")),
        }]);
    }
    Ok((out, errors))
}

/// The template: the headers, one example row to overwrite, drop-downs of the units (owner) and
/// of the domains from the help sheet `danh_muc`, the deadline checked as a date.
pub fn write_template(year: i32, units: &[(String, String)], domains: &[(String, String)]) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let head = Format::new().set_bold().set_background_color(0xDCE6F1).set_text_wrap();
    let ws = wb.add_worksheet();
    ws.set_name("nhiem_vu")?;
    for (c, h) in HEADER.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &head)?;
        ws.set_column_width(
            c as u16,
            match c {
                1 => 50.0,
                3 | 4 => 28.0,
                6 => 30.0,
                _ => 12.0,
            },
        )?;
    }
    let owner = units.first().map(|(c, n)| format!("{c} — {n}")).unwrap_or_default();
    let domain = domains.first().map(|(c, t)| format!("{c} — {t}")).unwrap_or_default();
    let example = ["1.1", "Rà soát, đơn giản hóa thủ tục hành chính …", &domain, &owner, "", &format!("30/06/{year}"), "Báo cáo kết quả"];
    for (c, v) in example.iter().enumerate() {
        ws.write_string(1, c as u16, *v)?;
    }
    let last = 1000;
    if !units.is_empty() {
        let list = Formula::new(format!("=danh_muc!$A$2:$A${}", units.len() + 1));
        ws.add_data_validation(1, 3, last, 3, &DataValidation::new().allow_list_formula(list).ignore_blank(true))?;
    }
    if !domains.is_empty() {
        let list = Formula::new(format!("=danh_muc!$B$2:$B${}", domains.len() + 1));
        ws.add_data_validation(1, 2, last, 2, &DataValidation::new().allow_list_formula(list).ignore_blank(true))?;
    }
    ws.set_freeze_panes(1, 0)?;
    let help = wb.add_worksheet();
    help.set_name("danh_muc")?;
    help.write_string_with_format(0, 0, "Đơn vị", &head)?;
    help.write_string_with_format(0, 1, "Lĩnh vực", &head)?;
    help.set_column_width(0, 50)?;
    help.set_column_width(1, 50)?;
    for (i, (c, n)) in units.iter().enumerate() {
        help.write_string(i as u32 + 1, 0, format!("{c} — {n}"))?;
    }
    for (i, (c, t)) in domains.iter().enumerate() {
        help.write_string(i as u32 + 1, 1, format!("{c} — {t}"))?;
    }
    wb.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_reads_with_every_bad_cell_named() {
        let csv = "Số TT,Nhiệm vụ,Lĩnh vực,Đơn vị chủ trì,Đơn vị phối hợp,Thời hạn,Sản phẩm\n\
                   1.1,Rà soát,2 — Thể chế,SNV — Sở Nội vụ,\"STP; STC\",30/06/2026,Báo cáo\n\
                   1.2,Kiểm tra,,STP,,31/02/2026,\n";
        let (rows, errors) = read_tasks("kh.csv", csv.as_bytes()).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!((rows[0].owner.as_str(), rows[0].domain.as_deref()), ("SNV", Some("2")));
        assert_eq!(rows[0].co_units, vec!["STP", "STC"]);
        assert_eq!(errors.iter().map(|e| (e.row, e.field.as_str())).collect::<Vec<_>>(), [(3, "thoi_han")]);
    }

    #[test]
    fn the_template_reads_back() {
        let units = vec![("SNV".to_string(), "Sở Nội vụ".to_string())];
        let domains = vec![("1".to_string(), "Chỉ đạo, điều hành".to_string())];
        let bytes = write_template(2026, &units, &domains).unwrap();
        let (rows, errors) = read_tasks("mau.xlsx", &bytes).unwrap();
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(
            (rows[0].owner.as_str(), rows[0].domain.as_deref(), rows[0].deadline.to_string().as_str()),
            ("SNV", Some("1"), "2026-06-30")
        );
    }
}
