//! The unit registry file format (import, template, export). One column set, so that an export
//! can be edited in Excel and imported back. Headers may be the Vietnamese keys below or their
//! English names; kinds may be codes (`agency`) or Vietnamese words (`xã`, `phường`, `sở`).

use parindex_core::Msg;
use parindex_core::text::{fold, format_date, parse_date};
use parindex_core::unit::{RowError, UnitImportRow, UnitInput};
use rust_xlsxwriter::{DataValidation, Format, Workbook, XlsxError};

use crate::table::{Column, map_header, read_table};

pub const COLUMNS: &[Column] = &[
    Column { key: "ma_don_vi", aliases: &["code", "ma"], required: true },
    Column { key: "ten_don_vi", aliases: &["name", "ten"], required: true },
    Column { key: "loai", aliases: &["kind", "loai_don_vi"], required: true },
    Column { key: "ma_don_vi_cha", aliases: &["parent_code", "parent", "don_vi_cha"], required: false },
    Column { key: "khu_vuc", aliases: &["area", "dia_ban"], required: false },
    Column { key: "hieu_luc_tu", aliases: &["active_from", "tu_ngay"], required: false },
    Column { key: "hieu_luc_den", aliases: &["active_to", "den_ngay"], required: false },
    Column { key: "sap_nhap_tu", aliases: &["merged_from"], required: false },
    Column { key: "tach_tu", aliases: &["split_from"], required: false },
];

/// Explanations of the columns, for the template's second sheet and the docs.
pub const COLUMN_HELP: &[(&str, &str)] = &[
    ("ma_don_vi", "Mã đơn vị (bắt buộc): chữ không dấu, số, . _ - ; tối đa 32 ký tự. Mã đã có thì dòng này cập nhật đơn vị đó."),
    ("ten_don_vi", "Tên đơn vị (bắt buộc), ví dụ “Sở Tư pháp”, “UBND xã Chiềng Sinh”."),
    ("loai", "Loại (bắt buộc): agency (sở, ban, ngành), commune (xã), ward (phường), district (huyện, trước 01/7/2025), province."),
    ("ma_don_vi_cha", "Mã đơn vị cấp trên (nếu có); có thể là đơn vị ở dòng khác trong cùng tệp."),
    ("khu_vuc", "Khu vực / địa bàn (tuỳ chọn), dùng để lọc và so sánh nhóm."),
    ("hieu_luc_tu", "Ngày bắt đầu hoạt động, dd/mm/yyyy (tuỳ chọn)."),
    ("hieu_luc_den", "Ngày kết thúc hoạt động, dd/mm/yyyy (tuỳ chọn)."),
    ("sap_nhap_tu", "Mã các đơn vị đã sáp nhập vào đơn vị này, ngăn cách bằng dấu ; (tuỳ chọn)."),
    ("tach_tu", "Mã đơn vị mà đơn vị này được chia tách ra (tuỳ chọn)."),
];

fn kind_code(raw: &str) -> String {
    let f = fold(raw).trim().to_string();
    match f.as_str() {
        "xa" | "ubnd xa" => "commune".into(),
        "phuong" | "ubnd phuong" => "ward".into(),
        "huyen" | "ubnd huyen" | "thi xa" | "thanh pho thuoc tinh" => "district".into(),
        "so" | "ban" | "nganh" | "co quan" | "co quan chuyen mon" | "so, ban, nganh" => "agency".into(),
        "tinh" | "thanh pho" => "province".into(),
        _ => f,
    }
}

fn codes(raw: &str) -> Vec<String> {
    raw.split([';', ',']).map(|c| c.trim().to_uppercase()).filter(|c| !c.is_empty()).collect()
}

/// Parse a units file. Either every row parses, or every problem is returned.
pub fn parse_units(file_name: &str, bytes: &[u8]) -> Result<Vec<UnitImportRow>, Vec<RowError>> {
    let table = read_table(file_name, bytes)?;
    let index = map_header(file_name, &table.header, COLUMNS)?;
    if table.rows.is_empty() {
        return Err(vec![RowError {
            row: 2,
            field: "-".into(),
            message: Msg::new(
                format!("Tệp “{file_name}” chỉ có dòng tiêu đề, không có đơn vị nào."),
                format!("“{file_name}” has only the header row, no units."),
            ),
        }]);
    }
    let mut out = Vec::with_capacity(table.rows.len());
    let mut errors = Vec::new();
    for (row, cells) in &table.rows {
        let get = |key: &str| -> String {
            let c = COLUMNS.iter().position(|c| c.key == key).and_then(|i| index[i]);
            c.and_then(|i| cells.get(i)).cloned().unwrap_or_default()
        };
        let mut date = |key: &'static str| -> Option<chrono::NaiveDate> {
            let v = get(key);
            if v.is_empty() {
                return None;
            }
            let d = parse_date(&v);
            if d.is_none() {
                errors.push(RowError {
                    row: *row,
                    field: key.into(),
                    message: Msg::new(
                        format!("Ngày “{v}” không hợp lệ; ghi theo dạng dd/mm/yyyy, ví dụ 01/07/2025."),
                        format!("“{v}” is not a valid date; write it as dd/mm/yyyy, e.g. 01/07/2025."),
                    ),
                });
            }
            d
        };
        let active_from = date("hieu_luc_tu");
        let active_to = date("hieu_luc_den");
        let split = get("tach_tu");
        out.push(UnitImportRow {
            row: *row,
            input: UnitInput {
                code: get("ma_don_vi"),
                name: get("ten_don_vi"),
                kind: kind_code(&get("loai")),
                parent_code: Some(get("ma_don_vi_cha")).filter(|s| !s.is_empty()),
                area: Some(get("khu_vuc")).filter(|s| !s.is_empty()),
                active_from,
                active_to,
                contact: None,
            },
            merged_from: codes(&get("sap_nhap_tu")),
            split_from: Some(split.trim().to_uppercase()).filter(|s| !s.is_empty()),
        });
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

/// A unit with its lineage, as exported.
pub struct UnitRecord {
    pub input: UnitInput,
    pub merged_from: Vec<String>,
    pub split_from: Option<String>,
}

fn record_cells(r: &UnitRecord) -> [String; 9] {
    let i = &r.input;
    [
        i.code.clone(),
        i.name.clone(),
        i.kind.clone(),
        i.parent_code.clone().unwrap_or_default(),
        i.area.clone().unwrap_or_default(),
        i.active_from.map(format_date).unwrap_or_default(),
        i.active_to.map(format_date).unwrap_or_default(),
        r.merged_from.join(";"),
        r.split_from.clone().unwrap_or_default(),
    ]
}

/// CSV in UTF-8 with a BOM (so that Excel opens Vietnamese correctly).
pub fn units_csv(records: &[UnitRecord]) -> Vec<u8> {
    crate::csv_out::document(COLUMNS.iter().map(|c| c.key.to_string()), records.iter().map(record_cells))
}

/// An XLSX workbook: the units sheet (frozen header, filters, drop-down for kinds) and a help
/// sheet. With no records it is the import template, with two example rows.
pub fn units_xlsx(records: &[UnitRecord], kinds: &[String]) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold().set_background_color("#DCE6F1");
    let text = Format::new().set_num_format("@");
    let ws = wb.add_worksheet().set_name("don_vi")?;
    for (c, col) in COLUMNS.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, col.key, &bold)?;
        ws.set_column_width(c as u16, if c == 1 { 40 } else { 16 })?;
        ws.set_column_format(c as u16, &text)?;
    }
    let examples;
    let rows: &[UnitRecord] = if records.is_empty() {
        examples = [
            UnitRecord {
                input: UnitInput { code: "STP".into(), name: "Sở Tư pháp".into(), kind: "agency".into(), ..Default::default() },
                merged_from: vec![],
                split_from: None,
            },
            UnitRecord {
                input: UnitInput {
                    code: "XA-CS".into(),
                    name: "UBND xã Chiềng Sinh".into(),
                    kind: "commune".into(),
                    area: Some("Khu vực 1".into()),
                    active_from: parse_date("01/07/2025"),
                    ..Default::default()
                },
                merged_from: vec!["XA-CS-CU".into()],
                split_from: None,
            },
        ];
        &examples
    } else {
        records
    };
    for (r, rec) in rows.iter().enumerate() {
        for (c, v) in record_cells(rec).iter().enumerate() {
            ws.write_string(r as u32 + 1, c as u16, v)?;
        }
    }
    let last = (rows.len() as u32 + 1000).max(1000);
    ws.set_freeze_panes(1, 0)?;
    ws.autofilter(0, 0, rows.len() as u32, COLUMNS.len() as u16 - 1)?;
    if !kinds.is_empty() {
        let dv = DataValidation::new().allow_list_strings(&kinds.iter().map(String::as_str).collect::<Vec<_>>())?;
        ws.add_data_validation(1, 2, last, 2, &dv)?;
    }
    let help = wb.add_worksheet().set_name("huong_dan")?;
    help.write_string_with_format(0, 0, "Cột", &bold)?;
    help.write_string_with_format(0, 1, "Ý nghĩa", &bold)?;
    help.set_column_width(0, 18)?;
    help.set_column_width(1, 110)?;
    for (i, (k, v)) in COLUMN_HELP.iter().enumerate() {
        help.write_string(i as u32 + 1, 0, *k)?;
        help.write_string(i as u32 + 1, 1, *v)?;
    }
    wb.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_round_trips_through_the_parser() {
        let kinds = vec!["agency".to_string(), "commune".to_string()];
        let bytes = units_xlsx(&[], &kinds).unwrap();
        let rows = parse_units("mau.xlsx", &bytes).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].input.name, "UBND xã Chiềng Sinh");
        assert_eq!(rows[1].input.active_from, parse_date("2025-07-01"));
        assert_eq!(rows[1].merged_from, vec!["XA-CS-CU"]);
        assert_eq!(rows[1].row, 3);
    }

    #[test]
    fn csv_export_round_trips() {
        let rec = UnitRecord {
            input: UnitInput {
                code: "P1".into(),
                name: "Phường Tô Hiệu".into(),
                kind: "ward".into(),
                parent_code: Some("T".into()),
                ..Default::default()
            },
            merged_from: vec!["A".into(), "B".into()],
            split_from: None,
        };
        let rows = parse_units("x.csv", &units_csv(&[rec])).unwrap();
        assert_eq!(rows[0].input.parent_code.as_deref(), Some("T"));
        assert_eq!(rows[0].merged_from, vec!["A", "B"]);
    }

    #[test]
    fn vietnamese_headers_and_kinds() {
        let csv = "Mã đơn vị,Tên đơn vị,Loại,Hiệu lực từ\nx1,UBND xã A,Xã,1/7/2025\n";
        let rows = parse_units("a.csv", csv.as_bytes()).unwrap();
        assert_eq!(rows[0].input.kind, "commune");
    }

    #[test]
    fn wrong_columns_and_bad_dates_are_reported() {
        let e = parse_units("a.csv", b"code,title\nA,B\n").unwrap_err();
        let fields: Vec<_> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["title", "ten_don_vi", "loai"]);
        let e = parse_units("a.csv", b"code,name,kind,active_from\nA,B,agency,31/02/2025\n").unwrap_err();
        assert_eq!((e[0].row, e[0].field.as_str()), (2, "hieu_luc_tu"));
        let e = parse_units("a.csv", b"code,name,kind\n").unwrap_err();
        assert!(e[0].message.en.contains("only the header"));
    }
}
