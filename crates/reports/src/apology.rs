//! The list of late (or wrongly handled) files from the one-stop system (issue #18), read into
//! cases of the public-apology register. CSV or XLSX, one row per file:
//!
//! | column | on import |
//! |---|---|
//! | Mã đơn vị / unit_code | required: a unit's code |
//! | Mã hồ sơ / file_code | required |
//! | Thủ tục / procedure | required |
//! | Người nộp / applicant, Liên hệ / contact | optional, kept private |
//! | Loại / kind | `late` (the default), `wrong`, `lost`, `extra_papers`, or their Vietnamese names |
//! | Ngày tiếp nhận, Ngày hẹn trả / received_on, due_on | required: `dd/mm/yyyy` or `yyyy-mm-dd` |
//! | Ngày trả kết quả / returned_on | optional |
//!
//! Every cell that does not read is named (file, row, column, what to write); the rows that do
//! are returned beside them, so that the caller checks those too and names every problem at once.

use parindex_core::Msg;
use parindex_core::apology::Kind;
use parindex_core::unit::RowError;
use rust_xlsxwriter::{Format, Workbook, XlsxError};

use crate::table::{Column, map_header, read_table};

/// A case read from the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRow {
    pub row: usize,
    pub unit_code: String,
    pub file_code: String,
    pub procedure: String,
    pub applicant: Option<String>,
    pub contact: Option<String>,
    pub kind: Kind,
    pub received_on: chrono::NaiveDate,
    pub due_on: chrono::NaiveDate,
    pub returned_on: Option<chrono::NaiveDate>,
}

const COLUMNS: [Column; 9] = [
    Column { key: "ma_don_vi", aliases: &["unit_code"], required: true },
    Column { key: "ma_ho_so", aliases: &["file_code", "so_ho_so"], required: true },
    Column { key: "thu_tuc", aliases: &["procedure", "ten_thu_tuc"], required: true },
    Column { key: "nguoi_nop", aliases: &["applicant", "to_chuc,_ca_nhan"], required: false },
    Column { key: "lien_he", aliases: &["contact"], required: false },
    Column { key: "loai", aliases: &["kind"], required: false },
    Column { key: "ngay_tiep_nhan", aliases: &["received_on"], required: true },
    Column { key: "ngay_hen_tra", aliases: &["due_on"], required: true },
    Column { key: "ngay_tra_ket_qua", aliases: &["returned_on"], required: false },
];
const HEADER: [&str; 9] =
    ["Mã đơn vị", "Mã hồ sơ", "Thủ tục", "Người nộp", "Liên hệ", "Loại", "Ngày tiếp nhận", "Ngày hẹn trả", "Ngày trả kết quả"];

fn kind_of(s: &str) -> Option<Kind> {
    let t = s.trim();
    if t.is_empty() {
        return Some(Kind::Late);
    }
    let folded = parindex_core::text::fold(t);
    Kind::parse(t).or_else(|| Kind::ALL.into_iter().find(|k| parindex_core::text::fold(k.label().0) == folded))
}

/// Read a list of late files.
pub fn read_cases(file_name: &str, bytes: &[u8]) -> Result<(Vec<CaseRow>, Vec<RowError>), Vec<RowError>> {
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
        let mut bad = |field: &str, vi: String, en: String| {
            errors.push(RowError { row, field: field.into(), message: Msg::new(vi, en) });
        };
        let kind = kind_of(&get(5));
        if kind.is_none() {
            bad(
                "loai",
                format!(
                    "Tệp “{file_name}”, dòng {row}, cột Loại: “{}” không phải loại nào; hãy ghi Trễ hạn, Giải quyết sai, Làm mất, hỏng hồ sơ hoặc Yêu cầu bổ sung giấy tờ không đúng quy định.",
                    get(5)
                ),
                format!("“{file_name}”, row {row}, Kind: “{}” is no kind; write late, wrong, lost or extra_papers.", get(5)),
            );
        }
        let mut date = |k: usize, name_vi: &str, name_en: &str, required: bool| {
            let s = get(k);
            if s.is_empty() && !required {
                return Some(None);
            }
            match parindex_core::text::parse_date(&s) {
                Some(d) => Some(Some(d)),
                None => {
                    bad(
                        COLUMNS[k].key,
                        format!("Tệp “{file_name}”, dòng {row}, cột {name_vi}: “{s}” không phải ngày; hãy ghi dạng 31/03/2026."),
                        format!("“{file_name}”, row {row}, {name_en}: “{s}” is not a date; write 31/03/2026."),
                    );
                    None
                }
            }
        };
        let received = date(6, "Ngày tiếp nhận", "Received on", true);
        let due = date(7, "Ngày hẹn trả", "Due on", true);
        let returned = date(8, "Ngày trả kết quả", "Returned on", false);
        if let (Some(kind), Some(Some(received_on)), Some(Some(due_on)), Some(returned_on)) = (kind, received, due, returned) {
            let opt = |k: usize| Some(get(k)).filter(|s| !s.is_empty());
            out.push(CaseRow {
                row,
                unit_code: get(0),
                file_code: get(1),
                procedure: get(2),
                applicant: opt(3),
                contact: opt(4),
                kind,
                received_on,
                due_on,
                returned_on,
            });
        }
    }
    if out.is_empty() && errors.is_empty() {
        return Err(vec![RowError {
            row: 1,
            field: "-".into(),
            message: Msg::new(format!("Tệp “{file_name}” không có hồ sơ nào."), format!("“{file_name}” has no cases.")),
        }]);
    }
    Ok((out, errors))
}

/// The template of the list (the headers, one example row to overwrite).
pub fn write_template() -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let head = Format::new().set_bold().set_background_color(0xDCE6F1);
    let ws = wb.add_worksheet();
    ws.set_name("ho_so_tre_han")?;
    for (c, h) in HEADER.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &head)?;
        ws.set_column_width(c as u16, if c == 2 { 40.0 } else { 16.0 })?;
    }
    let example = ["SNV", "000.00.12.H50-260301-0001", "Cấp giấy phép …", "", "", "Trễ hạn", "02/03/2026", "16/03/2026", ""];
    for (c, v) in example.iter().enumerate() {
        ws.write_string(1, c as u16, *v)?;
    }
    ws.set_freeze_panes(1, 0)?;
    wb.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_reads_with_every_bad_cell_named() {
        let csv = "Mã đơn vị,Mã hồ sơ,Thủ tục,Người nộp,Loại,Ngày tiếp nhận,Ngày hẹn trả\n\
                   SNV,H1,Cấp phép,Nguyễn Văn A,,02/03/2026,16/03/2026\n\
                   SNV,H2,Cấp phép,,Giải quyết sai,2026-03-02,2026-03-10\n\
                   STP,H3,Chứng thực,,muộn,02/03/2026,31/02/2026\n";
        let (rows, errors) = read_cases("tre-han.csv", csv.as_bytes()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[0].kind, rows[0].applicant.as_deref()), (Kind::Late, Some("Nguyễn Văn A")));
        assert_eq!(rows[1].kind, Kind::Wrong);
        let at: Vec<(usize, &str)> = errors.iter().map(|e| (e.row, e.field.as_str())).collect();
        assert_eq!(at, [(4, "loai"), (4, "ngay_hen_tra")]);
    }

    #[test]
    fn the_template_reads_back() {
        let bytes = write_template().unwrap();
        let (rows, errors) = read_cases("mau.xlsx", &bytes).unwrap();
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(rows[0].due_on.to_string(), "2026-03-16");
    }
}
