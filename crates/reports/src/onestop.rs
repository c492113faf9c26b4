//! One-stop statistics files (issue #18): the export of the provincial one-stop system (CSV or
//! XLSX, one row per unit, month and procedure field) read through a **column mapping** — for
//! each of our fields, the header the source writes — which the office saves per source, and
//! our own XLSX template (whose headers are our names, so it reads with no mapping).
//!
//! | field | our header | on import |
//! |---|---|---|
//! | `unit_code` | Mã đơn vị | required: a unit's code |
//! | `month` | Tháng | `2026-03` or `03/2026`; may instead be given for the whole file |
//! | `field` | Lĩnh vực | optional: the procedure field |
//! | `received_online` … `records_digitised` | as `core::onestop::FIELDS` | whole numbers ≥ 0; an empty cell is 0 |
//!
//! A mapping value `-` says the source has no such column (read as 0). Columns the mapping does
//! not name are ignored, so the source's export is read as it comes. Every error is returned at
//! once (file, row, column and what to write); the caller writes nothing unless there is none.

use std::collections::BTreeMap;

use parindex_core::onestop::{Counts, FIELDS, MAX_COUNT, parse_month};
use parindex_core::unit::RowError;
use parindex_core::{Exact, Msg};
use rust_xlsxwriter::{DataValidation, DataValidationRule, Format, Workbook, XlsxError};

use crate::table::read_table;

/// A row read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatRow {
    pub row: usize,
    pub unit_code: String,
    /// `YYYY-MM`.
    pub month: String,
    pub field: String,
    pub counts: Counts,
}

/// The keys a mapping names besides the counts: (key, Vietnamese header, English header).
pub const KEYS: [(&str, &str, &str); 3] =
    [("unit_code", "Mã đơn vị", "Unit code"), ("month", "Tháng", "Month"), ("field", "Lĩnh vực", "Procedure field")];

/// Every key of a mapping with our Vietnamese and English headers, in template order.
pub fn columns() -> impl Iterator<Item = (&'static str, &'static str, &'static str)> {
    KEYS.into_iter().chain(FIELDS)
}

fn norm(s: &str) -> String {
    parindex_core::text::fold(s).split_whitespace().collect::<Vec<_>>().join(" ").replace(['-', '_'], " ")
}

fn err(row: usize, field: &str, vi: String, en: String) -> RowError {
    RowError { row, field: field.into(), message: Msg::new(vi, en) }
}

/// Read a file of one-stop statistics with `mapping` (key → the source's header; keys it does
/// not name are looked for under our own headers and keys). `month`: the month of every row,
/// for a file with no month column.
pub fn read_stats(
    file_name: &str,
    bytes: &[u8],
    mapping: &BTreeMap<String, String>,
    month: Option<&str>,
) -> Result<Vec<StatRow>, Vec<RowError>> {
    match read_stats_partly(file_name, bytes, mapping, month)? {
        (rows, errors) if errors.is_empty() => Ok(rows),
        (_, errors) => Err(errors),
    }
}

/// As [`read_stats`], but the rows that read well are returned beside the cells that did not,
/// so that the caller checks those rows too and names every problem at once; `Err` only when
/// the file itself cannot be read (no such column, not a table).
pub fn read_stats_partly(
    file_name: &str,
    bytes: &[u8],
    mapping: &BTreeMap<String, String>,
    month: Option<&str>,
) -> Result<(Vec<StatRow>, Vec<RowError>), Vec<RowError>> {
    let table = read_table(file_name, bytes)?;
    let headers: Vec<String> = table.header.iter().map(|h| norm(h)).collect();
    let mut errors = Vec::new();
    // key → column index; None: not in this source (0, or the month given for the file)
    let mut ix: BTreeMap<&str, Option<usize>> = BTreeMap::new();
    for (key, vi, en) in columns() {
        let wanted: Vec<String> = match mapping.get(key).map(|s| s.trim()) {
            Some("-") => {
                ix.insert(key, None);
                continue;
            }
            Some(h) if !h.is_empty() => vec![norm(h)],
            _ => vec![norm(vi), norm(en), norm(key)],
        };
        match headers.iter().position(|h| wanted.contains(h)) {
            Some(i) => {
                ix.insert(key, Some(i));
            }
            None if key == "field" => {
                ix.insert(key, None);
            }
            None if key == "month" && month.is_some() => {
                ix.insert(key, None);
            }
            None => {
                let look = mapping.get(key).filter(|s| !s.trim().is_empty()).cloned().unwrap_or_else(|| vi.to_string());
                errors.push(err(
                    1,
                    key,
                    format!(
                        "Tệp “{file_name}”, dòng tiêu đề: không có cột “{look}” ({vi}). Hãy sửa ánh xạ cột của nguồn số liệu (ghi đúng tiêu đề cột trong tệp, hoặc “-” nếu nguồn không có cột này){}.",
                        if key == "month" { ", hoặc chọn tháng cho cả tệp" } else { "" }
                    ),
                    format!(
                        "“{file_name}”, header row: no column “{look}” ({en}). Fix the source's column mapping (the header as the file writes it, or “-” if the source has no such column){}.",
                        if key == "month" { ", or choose the month of the whole file" } else { "" }
                    ),
                ));
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let col = |k: &str| ix.get(k).copied().flatten();
    let mut out = Vec::new();
    for (row, cells) in &table.rows {
        let row = *row;
        let get = |k: &str| col(k).and_then(|i| cells.get(i)).map(|s| s.trim()).unwrap_or("");
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let unit_code = get("unit_code").to_string();
        if unit_code.is_empty() {
            errors.push(err(
                row,
                "unit_code",
                format!("Tệp “{file_name}”, dòng {row}: thiếu mã đơn vị."),
                format!("“{file_name}”, row {row}: the unit code is missing."),
            ));
            continue;
        }
        let m = if col("month").is_some() { get("month") } else { month.unwrap_or("") };
        let Some((y, mo)) = parse_month(m) else {
            errors.push(err(
                row,
                "month",
                format!("Tệp “{file_name}”, dòng {row}, cột Tháng: “{m}” không đọc được; hãy ghi dạng 2026-03 hoặc 03/2026."),
                format!("“{file_name}”, row {row}, Month: “{m}” cannot be read; write 2026-03 or 03/2026."),
            ));
            continue;
        };
        let mut values = [0i64; 14];
        let mut bad = false;
        for (v, (key, vi, en)) in values.iter_mut().zip(FIELDS) {
            let s = get(key);
            if s.is_empty() {
                continue;
            }
            match Exact::parse(s).filter(|x| x.is_multiple_of(&Exact::ONE) && !x.is_negative() && *x <= Exact::int(MAX_COUNT)) {
                Some(x) => *v = x.to_decimal_string(0).parse().unwrap_or(0),
                None => {
                    bad = true;
                    errors.push(err(
                        row,
                        key,
                        format!("Tệp “{file_name}”, dòng {row}, cột “{vi}”: “{s}” không phải số nguyên ≥ 0. Hãy ghi số hồ sơ, không dấu phân cách hàng nghìn."),
                        format!("“{file_name}”, row {row}, column “{en}”: “{s}” is not a whole number ≥ 0. Write the count without thousands separators."),
                    ));
                }
            }
        }
        if bad {
            continue;
        }
        out.push(StatRow {
            row,
            unit_code,
            month: format!("{y}-{mo:02}"),
            field: get("field").to_string(),
            counts: Counts::from_values(values),
        });
    }
    if out.is_empty() && errors.is_empty() {
        return Err(vec![err(1, "-", format!("Tệp “{file_name}” không có dòng số liệu nào."), format!("“{file_name}” has no data rows."))]);
    }
    Ok((out, errors))
}

/// Our template: a row per unit (and month, if given), the counts to fill, whole-number checks.
pub fn write_template(units: &[(String, String)], month: Option<&str>, vi: bool) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let head = Format::new().set_bold().set_text_wrap().set_background_color(0xDCE6F1).set_border(rust_xlsxwriter::FormatBorder::Thin);
    let input = Format::new().set_background_color(0xFFF2CC).set_unlocked().set_num_format("0");
    let text = Format::new().set_unlocked();
    let ws = wb.add_worksheet();
    ws.set_name(if vi { "mot_cua" } else { "one_stop" })?;
    let cols: Vec<(&str, &str, &str)> = columns().collect();
    for (c, (_, v, e)) in cols.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, if vi { *v } else { *e }, &head)?;
        ws.set_column_width(c as u16, if c < 3 { 14.0 } else { 12.0 })?;
    }
    ws.set_row_height(0, 45)?;
    for (i, (code, _name)) in units.iter().enumerate() {
        let r = (i + 1) as u32;
        ws.write_string_with_format(r, 0, code, &text)?;
        ws.write_string_with_format(r, 1, month.unwrap_or(""), &text)?;
        ws.write_string_with_format(r, 2, "", &text)?;
        for c in 3..cols.len() {
            ws.write_blank(r, c as u16, &input)?;
        }
    }
    let last = units.len().max(1000) as u32;
    let dv = DataValidation::new().allow_whole_number(DataValidationRule::Between(0, 1_000_000_000)).set_error_message(if vi {
        "Số hồ sơ: số nguyên từ 0"
    } else {
        "A count: a whole number from 0"
    })?;
    ws.add_data_validation(1, 3, last, (cols.len() - 1) as u16, &dv)?;
    ws.set_freeze_panes(1, 1)?;
    let help = wb.add_worksheet();
    help.set_name(if vi { "huong_dan" } else { "how_to" })?;
    help.set_column_width(0, 110)?;
    let lines: [&str; 4] = if vi {
        [
            "Thống kê một cửa: mỗi dòng là một đơn vị, một tháng, một lĩnh vực (để trống lĩnh vực nếu thống kê chung).",
            "Cột Tháng: dạng 2026-03 hoặc 03/2026. Các cột số (ô màu vàng): số hồ sơ, số nguyên từ 0; để trống là 0.",
            "Số trực tuyến toàn trình ≤ tiếp nhận trực tuyến; thanh toán trực tuyến ≤ hồ sơ phải nộp phí; kết quả số hóa ≤ hồ sơ đã giải quyết.",
            "Nhập lại một tháng sẽ thay toàn bộ số liệu tháng đó; hệ thống cho xem trước số dòng thay đổi rồi mới ghi.",
        ]
    } else {
        [
            "One-stop statistics: each row is one unit, one month, one procedure field (leave the field empty for a unit's total).",
            "Month: 2026-03 or 03/2026. The count columns (yellow): whole numbers from 0; empty is 0.",
            "Online full process ≤ received online; paid online ≤ files with fees; results digitised ≤ files resolved.",
            "Importing a month again replaces that month; the change is previewed before anything is written.",
        ]
    };
    for (i, l) in lines.iter().enumerate() {
        help.write_string(i as u32, 0, *l)?;
    }
    wb.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv(s: &str) -> Vec<u8> {
        s.as_bytes().to_vec()
    }

    #[test]
    fn our_template_reads_back_with_no_mapping() {
        let bytes = write_template(&[("UBND-X1".into(), "Xã 1".into())], Some("2026-03"), true).unwrap();
        // an untouched template: the unit's row with no counts reads as zeros
        let rows = read_stats("mau.xlsx", &bytes, &BTreeMap::new(), None).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!((rows[0].unit_code.as_str(), rows[0].month.as_str()), ("UBND-X1", "2026-03"));
        assert_eq!(rows[0].counts, Counts::default());
    }

    #[test]
    fn a_source_export_reads_through_its_mapping() {
        let mapping: BTreeMap<String, String> = [
            ("unit_code", "MaDV"),
            ("month", "Ky bao cao"),
            ("field", "LinhVuc"),
            ("received_online", "TN_TrucTuyen"),
            ("received_direct", "TN_TrucTiep"),
            ("received_post", "-"),
            ("resolved_early", "GQ_TruocHan"),
            ("resolved_on_time", "GQ_DungHan"),
            ("resolved_late", "GQ_QuaHan"),
        ]
        .into_iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        // the other counts are looked for under our own headers
        let mut m = mapping.clone();
        for (k, _, _) in FIELDS.iter().skip(6) {
            m.insert(k.to_string(), "-".into());
        }
        let file = csv(
            "MaDV,Ky bao cao,LinhVuc,TN_TrucTuyen,TN_TrucTiep,GQ_TruocHan,GQ_DungHan,GQ_QuaHan,Khac\nSNV,03/2026,Tư pháp,10,5,3,10,2,x\n",
        );
        let rows = read_stats("export.csv", &file, &m, None).unwrap();
        assert_eq!(rows[0].month, "2026-03");
        assert_eq!(rows[0].field, "Tư pháp");
        assert_eq!(rows[0].counts.received(), 15);
        assert_eq!(parindex_core::onestop::Measure::OnTimeRate.of(&rows[0].counts).shown(true), "86,7 % (13/15)");
        // a mapping naming a header the file does not have says which
        let e = read_stats("export.csv", &file, &mapping, None).unwrap_err();
        assert!(e.iter().all(|e| e.row == 1), "{e:?}");
        assert!(e[0].message.vi.contains("không có cột"), "{e:?}");
    }

    #[test]
    fn every_bad_cell_is_named() {
        let m: BTreeMap<String, String> = FIELDS.iter().skip(1).map(|(k, _, _)| (k.to_string(), "-".to_string())).collect();
        let file = csv("Mã đơn vị,Tháng,Tiếp nhận trực tuyến\nSNV,2026-13,4\nSTP,2026-02,-3\nSTC,2026-02,1.5\n,2026-02,1\nSKH,2026-02,7\n");
        let e = read_stats("t.csv", &file, &m, None).unwrap_err();
        let at: Vec<(usize, &str)> = e.iter().map(|e| (e.row, e.field.as_str())).collect();
        assert_eq!(at, [(2, "month"), (3, "received_online"), (4, "received_online"), (5, "unit_code")]);
        // a month for the whole file, when the source has no month column
        let file = csv("Mã đơn vị,Tiếp nhận trực tuyến\nSNV,4\n");
        assert_eq!(read_stats("t.csv", &file, &m, Some("2026-04")).unwrap()[0].month, "2026-04");
        assert!(read_stats("t.csv", &file, &m, None).is_err());
    }
}
