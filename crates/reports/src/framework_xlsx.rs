//! The XLSX form of a framework, for reform offices that work in Excel: one row per node.
//!
//! Sheets (docs/framework-format.md § XLSX): `khung` (the framework: field | value),
//! `tieu_chi` (one row per node, parents before or after their children, the tree given by the
//! `ma_cha` column), `cong_tru` (bonus/penalty adjustments) and `huong_dan` (help, ignored on
//! import). Rule parameters use the one-cell text of `Rule::params_text`, the same text as the
//! browser editor. Export → import is lossless: every field of the YAML format has a cell.
//!
//! Reading reports every problem at once, each naming the file, sheet, row and column; the
//! assembled framework then goes through the same validation as a YAML file, and problems
//! that name a node also name its row.

use std::collections::{BTreeMap, HashMap};

use parindex_core::framework::rule::KINDS;
use parindex_core::framework::{
    Adjustment, AdjustmentKind, Evidence, Feed, Framework, LegalBasis, Node, Problem, Rule, Source, Status, validate,
};
use parindex_core::text::fold;
use parindex_core::{Exact, Msg};
use rust_xlsxwriter::{DataValidation, Format, FormatAlign, Workbook, Worksheet, XlsxError};

use crate::table::{Column, Table, map_header, read_workbook};

pub const SHEET_FRAMEWORK: &str = "khung";
pub const SHEET_NODES: &str = "tieu_chi";
pub const SHEET_ADJUSTMENTS: &str = "cong_tru";
pub const SHEET_HELP: &str = "huong_dan";

/// Framework fields on the `khung` sheet: key, header shown, help.
const FIELDS: &[(&str, &str)] = &[
    ("ma", "Mã bộ chỉ số (bắt buộc), ví dụ PAR-SO-2026."),
    ("ten", "Tên bộ chỉ số (bắt buộc)."),
    ("du_lieu_mau", "“có” nếu đây là dữ liệu mẫu, không phải văn bản chính thức."),
    ("so_van_ban", "Số quyết định ban hành, ví dụ 1234/QĐ-UBND."),
    ("ngay_van_ban", "Ngày ban hành, dd/mm/yyyy."),
    ("loai_don_vi", "Loại đơn vị được đánh giá, ngăn cách bằng dấu phẩy: agency, commune, ward, province."),
    ("ap_dung_tu_nam", "Năm bắt đầu áp dụng."),
    ("ap_dung_den_nam", "Năm cuối áp dụng (để trống nếu chưa xác định)."),
    ("trang_thai", "draft (dự thảo), published (đã ban hành) hoặc archived (lưu trữ). Để trống = dự thảo."),
    ("tong_diem", "Tổng điểm tối đa của cây (thường là 100); được kiểm tra khi nhập."),
    ("so_chu_so_thap_phan", "Số chữ số thập phân khi hiển thị điểm và chỉ số (làm tròn một lần, nửa lên). Mặc định 2."),
    ("mo_ta", "Mô tả (tuỳ chọn)."),
];

const NODE_COLUMNS: &[Column] = &[
    Column { key: "ma", aliases: &["code", "ma_tieu_chi"], required: true },
    Column { key: "ma_cha", aliases: &["parent", "parent_code"], required: false },
    Column { key: "ten_tieu_chi", aliases: &["title", "ten", "noi_dung"], required: true },
    Column { key: "diem_toi_da", aliases: &["max", "diem"], required: false },
    Column { key: "quy_tac", aliases: &["rule", "quy_tac_cham"], required: false },
    Column { key: "tham_so_quy_tac", aliases: &["params", "tham_so"], required: false },
    Column { key: "minh_chung_bat_buoc", aliases: &["evidence_required"], required: false },
    Column { key: "tai_lieu_minh_chung", aliases: &["evidence_documents", "minh_chung"], required: false },
    Column { key: "co_quan_tham_dinh", aliases: &["appraiser", "tham_dinh"], required: false },
    Column { key: "nguon_diem", aliases: &["source", "nguon"], required: false },
    Column { key: "ap_dung_cho", aliases: &["applies_to"], required: false },
    Column { key: "huong_dan_cham", aliases: &["guidance", "huong_dan"], required: false },
];

/// Headers as written (folded, they give the keys above).
const NODE_HEADERS: &[&str] = &[
    "Mã",
    "Mã cha",
    "Tên tiêu chí",
    "Điểm tối đa",
    "Quy tắc",
    "Tham số quy tắc",
    "Minh chứng bắt buộc",
    "Tài liệu minh chứng",
    "Cơ quan thẩm định",
    "Nguồn điểm",
    "Áp dụng cho",
    "Hướng dẫn chấm",
];

const NODE_HELP: &[&str] = &[
    "Mã tiêu chí (bắt buộc, không trùng), ví dụ 1, 1.2, 1.2.3. Nên định dạng ô là Văn bản để Excel không đổi 1.10 thành 1.1.",
    "Mã của tiêu chí cha. Để trống: lấy phần trước dấu chấm cuối của mã nếu có tiêu chí đó (1.2 → 1), nếu không thì là lĩnh vực cấp 1.",
    "Tên tiêu chí (bắt buộc).",
    "Điểm tối đa: bắt buộc với tiêu chí thành phần (lá); với tiêu chí cha có thể để trống (bằng tổng các con) hoặc ghi để kiểm tra.",
    "Quy tắc chấm của tiêu chí lá: lựa chọn, có/không, khoảng tỷ lệ, tỷ lệ, trừ điểm, chấm điểm, khảo sát (hoặc tên tiếng Anh: options, yes_no, bands, proportional, deduction, manual, survey).",
    "Tham số: lựa chọn — mỗi dòng “mã | nội dung | điểm”; khoảng tỷ lệ — mỗi dòng “[70, 90) | 1” ([ ] gồm cận, ( ) không gồm); trừ điểm — số điểm trừ mỗi lần; chấm điểm — bước chấm (ví dụ 0,25); các quy tắc khác để trống. Xuống dòng trong ô: Alt+Enter.",
    "có / không; để trống nếu tiêu chí không nêu yêu cầu minh chứng.",
    "Các tài liệu minh chứng cần nộp, mỗi tài liệu một dòng trong ô.",
    "Mã đơn vị thẩm định tiêu chí (ví dụ STP — Sở Tư pháp).",
    "tự đánh giá (mặc định), khảo sát, dữ liệu nhập, tính toán.",
    "Loại đơn vị áp dụng, ngăn cách bằng dấu phẩy; để trống = mọi loại của bộ chỉ số. Đơn vị khác loại: tiêu chí không áp dụng.",
    "Hướng dẫn chấm điểm, cách tính (tuỳ chọn).",
];

const ADJ_COLUMNS: &[Column] = &[
    Column { key: "ma", aliases: &["code"], required: true },
    Column { key: "noi_dung", aliases: &["title", "ten"], required: true },
    Column { key: "loai", aliases: &["kind"], required: true },
    Column { key: "diem_toi_da", aliases: &["max", "muc_toi_da"], required: true },
    Column { key: "quy_tac", aliases: &["rule"], required: true },
    Column { key: "tham_so_quy_tac", aliases: &["params", "tham_so"], required: false },
    Column { key: "huong_dan_cham", aliases: &["guidance", "huong_dan"], required: false },
];

const ADJ_HEADERS: &[&str] = &["Mã", "Nội dung", "Loại", "Điểm tối đa", "Quy tắc", "Tham số quy tắc", "Hướng dẫn chấm"];

const SOURCES: [(Source, &str, &[&str]); 3] = [
    (Source::SelfAssessed, "tự đánh giá", &["self_assessed", "tu_danh_gia", "tu cham"]),
    (Source::Survey, "khảo sát", &["survey", "khao_sat"]),
    (Source::Feed(Feed::Imported), "dữ liệu nhập", &["imported", "du_lieu_nhap", "nhap", "feed:imported"]),
];

/// The word written in the "Nguồn điểm" column: a Vietnamese word for the common sources,
/// `feed:<name>` for a register's feed (issue #18).
fn source_word(s: Source) -> String {
    SOURCES.iter().find(|x| x.0 == s).map(|x| x.1.to_string()).unwrap_or_else(|| s.key())
}

/// Every word the column's drop-down offers.
fn source_words() -> Vec<String> {
    let mut out: Vec<String> = SOURCES.iter().map(|x| x.1.to_string()).collect();
    out.extend(Feed::ALL.iter().map(|f| Source::Feed(*f)).filter(|s| !SOURCES.iter().any(|x| x.0 == *s)).map(|s| s.key()));
    out
}

fn yes_word(b: bool) -> &'static str {
    if b { "có" } else { "không" }
}

fn parse_yes(s: &str) -> Option<bool> {
    match fold(s.trim()).as_str() {
        "co" | "yes" | "true" | "x" | "1" => Some(true),
        "khong" | "no" | "false" | "0" => Some(false),
        _ => None,
    }
}

fn rule_kind_vi(rule: &Rule) -> &'static str {
    KINDS.iter().find(|(k, _, _)| *k == rule.kind()).map(|(_, vi, _)| *vi).unwrap_or("")
}

// ----------------------------------------------------------------------------------------------
// Writing

/// Write a number cell when Excel's binary floating point keeps the exact decimal (≤ 15
/// significant digits), otherwise the exact text ("190/97"), which reads back the same.
fn write_exact(ws: &mut Worksheet, row: u32, col: u16, x: &Exact) -> Result<(), XlsxError> {
    let text = x.to_string();
    let digits = text.chars().filter(|c| c.is_ascii_digit()).count();
    match text.parse::<f64>() {
        Ok(f) if !text.contains('/') && digits <= 15 => ws.write_number(row, col, f).map(|_| ()),
        _ => ws.write_string(row, col, &text).map(|_| ()),
    }
}

fn header_format() -> Format {
    Format::new().set_bold().set_background_color("#DCE6F1").set_text_wrap().set_align(FormatAlign::Top)
}

fn list_validation(ws: &mut Worksheet, col: u16, items: &[&str]) -> Result<(), XlsxError> {
    let dv = DataValidation::new().allow_list_strings(items)?.ignore_blank(true);
    ws.add_data_validation(1, col, 5000, col, &dv)?;
    Ok(())
}

/// The framework as an XLSX workbook (lossless: `parse_framework_xlsx` reads it back equal).
pub fn framework_xlsx(fw: &Framework) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let bold = header_format();
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let text = Format::new().set_num_format("@").set_align(FormatAlign::Top);

    // khung
    let ws = wb.add_worksheet().set_name(SHEET_FRAMEWORK)?;
    ws.write_string_with_format(0, 0, "Trường", &bold)?;
    ws.write_string_with_format(0, 1, "Giá trị", &bold)?;
    ws.write_string_with_format(0, 2, "Ghi chú", &bold)?;
    ws.set_column_width(0, 22)?;
    ws.set_column_width(1, 60)?;
    ws.set_column_width(2, 90)?;
    ws.set_column_format(1, &text)?;
    if fw.sample {
        ws.write_string(0, 3, "DỮ LIỆU MẪU — không phải văn bản chính thức / SAMPLE — not an official text")?;
    }
    for (i, (key, help)) in FIELDS.iter().enumerate() {
        let r = i as u32 + 1;
        ws.write_string(r, 0, *key)?;
        ws.write_string_with_format(r, 2, *help, &wrap)?;
        let value = match *key {
            "ma" => fw.code.clone(),
            "ten" => fw.name.clone(),
            "du_lieu_mau" => {
                if fw.sample {
                    "có".into()
                } else {
                    String::new()
                }
            }
            "so_van_ban" => fw.legal_basis.as_ref().map(|l| l.number.clone()).unwrap_or_default(),
            "ngay_van_ban" => fw.legal_basis.as_ref().and_then(|l| l.date).map(parindex_core::text::format_date).unwrap_or_default(),
            "loai_don_vi" => fw.unit_kinds.join(", "),
            "ap_dung_tu_nam" => fw.valid_from.map(|y| y.to_string()).unwrap_or_default(),
            "ap_dung_den_nam" => fw.valid_to.map(|y| y.to_string()).unwrap_or_default(),
            "trang_thai" => fw.status.as_str().to_string(),
            "tong_diem" => fw.total.as_ref().map(|t| t.to_string()).unwrap_or_default(),
            "so_chu_so_thap_phan" => fw.decimals.to_string(),
            "mo_ta" => fw.description.clone().unwrap_or_default(),
            _ => String::new(),
        };
        ws.write_string_with_format(r, 1, &value, &text)?;
    }

    // tieu_chi
    let ws = wb.add_worksheet().set_name(SHEET_NODES)?;
    let widths = [10.0, 9.0, 60.0, 10.0, 14.0, 40.0, 12.0, 36.0, 14.0, 14.0, 16.0, 50.0];
    for (c, h) in NODE_HEADERS.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold)?;
        ws.set_column_width(c as u16, widths[c])?;
    }
    ws.set_column_format(0, &text)?;
    ws.set_column_format(1, &text)?;
    let mut r = 1u32;
    let walk = fw.walk();
    let mut parents: Vec<(usize, &str)> = Vec::new();
    for (depth, n) in &walk {
        while parents.last().is_some_and(|(d, _)| d >= depth) {
            parents.pop();
        }
        let parent = parents.last().map(|(_, c)| *c).unwrap_or("");
        let title_format = if n.is_leaf() {
            Format::new().set_text_wrap().set_indent(*depth as u8).set_align(FormatAlign::Top)
        } else {
            Format::new().set_bold().set_text_wrap().set_indent(*depth as u8).set_align(FormatAlign::Top)
        };
        ws.write_string_with_format(r, 0, &n.code, &text)?;
        ws.write_string_with_format(r, 1, parent, &text)?;
        ws.write_string_with_format(r, 2, &n.title, &title_format)?;
        if let Some(m) = &n.max {
            write_exact(ws, r, 3, m)?;
        }
        if let Some(rule) = &n.rule {
            ws.write_string(r, 4, rule_kind_vi(rule))?;
            ws.write_string_with_format(r, 5, rule.params_text(), &wrap)?;
        }
        if let Some(ev) = &n.evidence {
            ws.write_string(r, 6, yes_word(ev.required))?;
            ws.write_string_with_format(r, 7, ev.documents.join("\n"), &wrap)?;
        }
        if let Some(a) = &n.appraiser {
            ws.write_string(r, 8, a)?;
        }
        if n.source != Source::SelfAssessed {
            ws.write_string(r, 9, source_word(n.source))?;
        }
        if !n.applies_to.is_empty() {
            ws.write_string(r, 10, n.applies_to.join(", "))?;
        }
        if let Some(g) = &n.guidance {
            ws.write_string_with_format(r, 11, g, &wrap)?;
        }
        parents.push((*depth, &n.code));
        r += 1;
    }
    ws.set_freeze_panes(1, 3)?;
    ws.autofilter(0, 0, r.saturating_sub(1).max(1), NODE_HEADERS.len() as u16 - 1)?;
    let kinds: Vec<&str> = KINDS.iter().map(|(_, vi, _)| *vi).collect();
    list_validation(ws, 4, &kinds)?;
    list_validation(ws, 6, &["có", "không"])?;
    // the sources are too many for a list written into the validation (Excel's 255
    // characters): the drop-down reads them from the help sheet's column E
    let words = source_words();
    let dv = DataValidation::new()
        .allow_list_formula(rust_xlsxwriter::Formula::new(format!("={SHEET_HELP}!$E$2:$E${}", words.len() + 1)))
        .ignore_blank(true);
    ws.add_data_validation(1, 9, 5000, 9, &dv)?;

    // cong_tru
    let ws = wb.add_worksheet().set_name(SHEET_ADJUSTMENTS)?;
    let widths = [10.0, 60.0, 10.0, 10.0, 14.0, 40.0, 50.0];
    for (c, h) in ADJ_HEADERS.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold)?;
        ws.set_column_width(c as u16, widths[c])?;
    }
    ws.set_column_format(0, &text)?;
    for (i, a) in fw.adjustments.iter().enumerate() {
        let r = i as u32 + 1;
        ws.write_string_with_format(r, 0, &a.code, &text)?;
        ws.write_string_with_format(r, 1, &a.title, &wrap)?;
        ws.write_string(r, 2, if a.kind == AdjustmentKind::Bonus { "cộng" } else { "trừ" })?;
        write_exact(ws, r, 3, &a.max)?;
        ws.write_string(r, 4, rule_kind_vi(&a.rule))?;
        ws.write_string_with_format(r, 5, a.rule.params_text(), &wrap)?;
        if let Some(g) = &a.guidance {
            ws.write_string_with_format(r, 6, g, &wrap)?;
        }
    }
    ws.set_freeze_panes(1, 0)?;
    list_validation(ws, 2, &["cộng", "trừ"])?;
    list_validation(ws, 4, &kinds)?;

    // huong_dan
    let ws = wb.add_worksheet().set_name(SHEET_HELP)?;
    ws.set_column_width(0, 24)?;
    ws.set_column_width(1, 120)?;
    ws.write_string_with_format(0, 0, "Cột (trang tieu_chi)", &bold)?;
    ws.write_string_with_format(0, 1, "Cách điền", &bold)?;
    ws.set_column_width(4, 40)?;
    ws.write_string_with_format(0, 4, "Nguồn điểm (danh sách)", &bold)?;
    for (i, w) in words.iter().enumerate() {
        ws.write_string(i as u32 + 1, 4, w)?;
    }
    for (i, (h, help)) in NODE_HEADERS.iter().zip(NODE_HELP).enumerate() {
        ws.write_string(i as u32 + 1, 0, *h)?;
        ws.write_string_with_format(i as u32 + 1, 1, *help, &wrap)?;
    }
    let base = NODE_HEADERS.len() as u32 + 2;
    ws.write_string_with_format(base, 0, "Trang cong_tru", &bold)?;
    ws.write_string_with_format(
        base,
        1,
        "Điểm thưởng (cộng) và điểm trừ ngoài thang 100 điểm, mỗi dòng một mục; “Điểm tối đa” là mức trần của mục đó.",
        &wrap,
    )?;
    ws.write_string_with_format(base + 1, 0, "Kiểm tra", &bold)?;
    ws.write_string_with_format(
        base + 1,
        1,
        "Kiểm tra tệp trước khi nhập: parindex framework validate TỆP.xlsx. Lỗi được liệt kê đầy đủ theo trang, dòng và cột; tệp có lỗi không được ghi vào hệ thống.",
        &wrap,
    )?;
    wb.save_to_buffer()
}

/// The import template: a small, complete example framework (two domains, every rule kind)
/// to overwrite.
pub fn framework_template_xlsx() -> Result<Vec<u8>, XlsxError> {
    let fw: Framework = serde_json::from_value(serde_json::json!({
        "code": "MAU-2026",
        "name": "Bộ chỉ số mẫu — hãy thay bằng bộ chỉ số của tỉnh",
        "sample": true,
        "legal_basis": {"number": "…/QĐ-UBND"},
        "unit_kinds": ["agency"],
        "valid_from": 2026,
        "total": 10,
        "nodes": [
            {"code": "1", "title": "Công tác chỉ đạo, điều hành CCHC", "children": [
                {"code": "1.1", "title": "Ban hành kế hoạch CCHC năm", "max": 2,
                 "rule": {"kind": "options", "options": [
                     {"key": "dung_han", "label": "Ban hành đúng hạn", "points": 2},
                     {"key": "tre_han", "label": "Ban hành trễ hạn", "points": 1},
                     {"key": "khong", "label": "Không ban hành", "points": 0}]},
                 "evidence": {"required": true, "documents": ["Quyết định ban hành kế hoạch CCHC"]}, "appraiser": "SNV"},
                {"code": "1.2", "title": "Báo cáo CCHC đầy đủ, đúng hạn", "max": 1, "rule": {"kind": "yes_no"}},
                {"code": "1.3", "title": "Tỷ lệ hoàn thành kế hoạch CCHC", "max": 2,
                 "rule": {"kind": "bands", "bands": [
                     {"range": "[0, 70)", "points": 0}, {"range": "[70, 90]", "points": 1}, {"range": "(90, 100]", "points": 2}]}}
            ]},
            {"code": "2", "title": "Cải cách thủ tục hành chính", "children": [
                {"code": "2.1", "title": "Tỷ lệ hồ sơ giải quyết đúng hạn", "max": 2, "rule": {"kind": "proportional"}, "source": "imported"},
                {"code": "2.2", "title": "Hồ sơ trễ hạn không có văn bản xin lỗi", "max": 1, "rule": {"kind": "deduction", "per": 0.5}},
                {"code": "2.3", "title": "Chất lượng rà soát thủ tục hành chính", "max": 1, "rule": {"kind": "manual", "step": 0.25}},
                {"code": "2.4", "title": "Mức độ hài lòng của người dân", "max": 1, "rule": {"kind": "survey"}, "source": "survey"}
            ]}
        ],
        "adjustments": [
            {"code": "T1", "title": "Sáng kiến CCHC được công nhận", "kind": "bonus", "max": 1, "rule": {"kind": "yes_no"}}
        ]
    }))
    .expect("the template framework is well formed");
    framework_xlsx(&fw)
}

// ----------------------------------------------------------------------------------------------
// Reading

struct Errors<'a> {
    file: &'a str,
    list: Vec<Problem>,
}

impl Errors<'_> {
    fn at(&mut self, code: &str, sheet: &str, row: usize, column: &str, m: Msg) {
        let col = if column.is_empty() { String::new() } else { format!(", cột “{column}”") };
        let col_en = if column.is_empty() { String::new() } else { format!(", column “{column}”") };
        let (f, vi_row, en_row) = (
            self.file,
            if row > 0 { format!(", dòng {row}") } else { String::new() },
            if row > 0 { format!(", row {row}") } else { String::new() },
        );
        self.list.push(Problem {
            code: code.to_string(),
            message: Msg::new(
                format!("{f}, trang “{sheet}”{vi_row}{col}: {}", m.vi),
                format!("{f}, sheet “{sheet}”{en_row}{col_en}: {}", m.en),
            ),
        });
    }
}

/// A table's cells by column key.
struct Cells<'a> {
    index: &'a [Option<usize>],
    columns: &'a [Column],
    cells: &'a [String],
}

impl Cells<'_> {
    fn get(&self, key: &str) -> &str {
        let i = self.columns.iter().position(|c| c.key == key).expect("known column");
        self.index[i].and_then(|ix| self.cells.get(ix)).map(|s| s.trim()).unwrap_or("")
    }
    fn opt(&self, key: &str) -> Option<String> {
        Some(self.get(key).to_string()).filter(|s| !s.is_empty())
    }
}

fn list(s: &str) -> Vec<String> {
    s.split([',', ';']).map(|x| x.trim().to_string()).filter(|x| !x.is_empty()).collect()
}

fn sheet<'t>(sheets: &'t [(String, Table)], name: &str) -> Option<&'t Table> {
    sheets.iter().find(|(n, _)| fold(n).replace([' ', '-'], "_") == name).map(|(_, t)| t)
}

fn exact_cell(e: &mut Errors, code: &str, sheet: &str, row: usize, column: &str, v: &str) -> Option<Exact> {
    let x = Exact::parse(v);
    if x.is_none() {
        e.at(
            code,
            sheet,
            row,
            column,
            Msg::new(format!("“{v}” không phải là số (ví dụ 2, 0,5 hoặc 1/3)"), format!("“{v}” is not a number (e.g. 2, 0.5 or 1/3)")),
        );
    }
    x
}

fn read_meta(e: &mut Errors, t: &Table, fw: &mut Framework) {
    let s = SHEET_FRAMEWORK;
    let mut seen = HashMap::new();
    for (row, cells) in &t.rows {
        let key = fold(cells.first().map(String::as_str).unwrap_or("")).trim().replace([' ', '-'], "_");
        let value = cells.get(1).map(|v| v.trim().to_string()).unwrap_or_default();
        if key.is_empty() {
            continue;
        }
        if let Some(prev) = seen.insert(key.clone(), *row) {
            e.at(
                "",
                s,
                *row,
                "",
                Msg::new(format!("trường “{key}” đã có ở dòng {prev}"), format!("the field “{key}” is already on row {prev}")),
            );
            continue;
        }
        let year = |e: &mut Errors, v: &str| -> Option<i32> {
            if v.is_empty() {
                return None;
            }
            let y = v.parse::<i32>().ok().filter(|y| (1990..=2200).contains(y));
            if y.is_none() {
                e.at("", s, *row, &key, Msg::new(format!("“{v}” không phải là năm"), format!("“{v}” is not a year")));
            }
            y
        };
        match key.as_str() {
            "ma" | "code" => fw.code = value,
            "ten" | "name" => fw.name = value,
            "du_lieu_mau" | "sample" => fw.sample = parse_yes(&value).unwrap_or(false),
            "so_van_ban" => {
                if !value.is_empty() {
                    fw.legal_basis.get_or_insert_with(LegalBasis::default).number = value;
                }
            }
            "ngay_van_ban" => {
                if !value.is_empty() {
                    match parindex_core::text::parse_date(&value) {
                        Some(d) => fw.legal_basis.get_or_insert_with(LegalBasis::default).date = Some(d),
                        None => e.at(
                            "",
                            s,
                            *row,
                            &key,
                            Msg::new(format!("“{value}” không phải là ngày dd/mm/yyyy"), format!("“{value}” is not a date dd/mm/yyyy")),
                        ),
                    }
                }
            }
            "loai_don_vi" | "unit_kinds" => fw.unit_kinds = list(&value),
            "ap_dung_tu_nam" | "valid_from" => fw.valid_from = year(e, &value),
            "ap_dung_den_nam" | "valid_to" => fw.valid_to = year(e, &value),
            "trang_thai" | "status" => {
                fw.status = if value.is_empty() {
                    Status::Draft
                } else {
                    match Status::parse(&fold(&value)) {
                        Some(st) => st,
                        None => {
                            e.at("", s, *row, &key, Msg::new("dùng draft, published hoặc archived", "use draft, published or archived"));
                            Status::Draft
                        }
                    }
                }
            }
            "tong_diem" | "total" => fw.total = if value.is_empty() { None } else { exact_cell(e, "", s, *row, &key, &value) },
            "so_chu_so_thap_phan" | "decimals" => {
                fw.decimals = if value.is_empty() {
                    2
                } else {
                    match value.parse::<u32>().ok().filter(|d| *d <= 6) {
                        Some(d) => d,
                        None => {
                            e.at("", s, *row, &key, Msg::new("dùng một số nguyên 0–6", "use a whole number 0–6"));
                            2
                        }
                    }
                }
            }
            "mo_ta" | "description" => fw.description = Some(value).filter(|v| !v.is_empty()),
            _ => {
                let all = FIELDS.iter().map(|f| f.0).collect::<Vec<_>>().join(", ");
                e.at(
                    "",
                    s,
                    *row,
                    "",
                    Msg::new(
                        format!("trường “{key}” không thuộc mẫu; các trường: {all}"),
                        format!("the field “{key}” is not part of the template; fields: {all}"),
                    ),
                );
            }
        }
    }
    for required in ["ma", "ten"] {
        if !seen.contains_key(required) && !seen.contains_key(if required == "ma" { "code" } else { "name" }) {
            e.at(
                "",
                s,
                0,
                "",
                Msg::new(format!("thiếu trường bắt buộc “{required}”"), format!("the required field “{required}” is missing")),
            );
        }
    }
}

fn rule_cells(e: &mut Errors, code: &str, sheet: &str, row: usize, kind: &str, params: &str) -> Option<Rule> {
    match Rule::from_text(kind, params) {
        Ok(r) => Some(r),
        Err(m) => {
            e.at(code, sheet, row, "quy_tac", m);
            None
        }
    }
}

/// Read a framework from the XLSX form and validate it. Either a valid framework or every
/// problem (file, sheet, row, column; node code where there is one).
pub fn parse_framework_xlsx(file: &str, bytes: &[u8]) -> Result<Framework, Vec<Problem>> {
    let row_errors = |errs: Vec<parindex_core::unit::RowError>| -> Vec<Problem> {
        errs.into_iter()
            .map(|r| Problem {
                code: String::new(),
                message: if r.row > 0 {
                    Msg::new(format!("{file}, dòng {}: {}", r.row, r.message.vi), format!("{file}, row {}: {}", r.row, r.message.en))
                } else {
                    r.message
                },
            })
            .collect()
    };
    let sheets = read_workbook(file, bytes).map_err(row_errors)?;
    let mut e = Errors { file, list: Vec::new() };
    let mut fw = Framework { decimals: 2, ..Default::default() };
    for name in [SHEET_FRAMEWORK, SHEET_NODES] {
        if sheet(&sheets, name).is_none() {
            e.at(
                "",
                name,
                0,
                "",
                Msg::new(
                    "thiếu trang này; hãy dùng tệp mẫu (tải từ trang Bộ chỉ số hoặc xuất một bộ chỉ số có sẵn)",
                    "this sheet is missing; use the template (download it from the Frameworks page or export an existing framework)",
                ),
            );
        }
    }
    if let Some(t) = sheet(&sheets, SHEET_FRAMEWORK) {
        read_meta(&mut e, t, &mut fw);
    }
    let mut rows_of: HashMap<String, usize> = HashMap::new();
    if let Some(t) = sheet(&sheets, SHEET_NODES) {
        match map_header(file, &t.header, NODE_COLUMNS) {
            Err(errs) => {
                for r in errs {
                    e.at("", SHEET_NODES, 1, &r.field, r.message);
                }
            }
            Ok(index) => fw.nodes = read_nodes(&mut e, t, &index, &mut rows_of),
        }
    }
    if let Some(t) = sheet(&sheets, SHEET_ADJUSTMENTS).filter(|t| !t.header.is_empty()) {
        match map_header(file, &t.header, ADJ_COLUMNS) {
            Err(errs) => {
                for r in errs {
                    e.at("", SHEET_ADJUSTMENTS, 1, &r.field, r.message);
                }
            }
            Ok(index) => fw.adjustments = read_adjustments(&mut e, t, &index),
        }
    }
    // the framework's own rules too (naming the row), except for nodes whose cells were wrong
    let cell_errors: std::collections::HashSet<String> = e.list.iter().map(|p| p.code.clone()).collect();
    let own =
        validate(&fw).into_iter().filter(|p| p.code.is_empty() || !cell_errors.contains(&p.code)).map(|p| match rows_of.get(&p.code) {
            Some(row) => Problem {
                message: Msg::new(
                    format!("{file}, trang “{SHEET_NODES}”, dòng {row}: {}", p.message.vi),
                    format!("{file}, sheet “{SHEET_NODES}”, row {row}: {}", p.message.en),
                ),
                code: p.code,
            },
            None => p,
        });
    let mut problems = e.list;
    problems.extend(own);
    if problems.is_empty() { Ok(fw) } else { Err(problems) }
}

fn read_nodes(e: &mut Errors, t: &Table, index: &[Option<usize>], rows_of: &mut HashMap<String, usize>) -> Vec<Node> {
    let s = SHEET_NODES;
    // (row, node, explicit parent)
    let mut flat: Vec<(usize, Node, Option<String>)> = Vec::new();
    for (row, cells) in &t.rows {
        let c = Cells { index, columns: NODE_COLUMNS, cells };
        let code = c.get("ma").to_string();
        if code.is_empty() {
            e.at("", s, *row, "ma", Msg::new("thiếu mã tiêu chí", "the code is missing"));
            continue;
        }
        if let Some(prev) = rows_of.insert(code.clone(), *row) {
            e.at(
                &code,
                s,
                *row,
                "ma",
                Msg::new(format!("mã “{code}” đã có ở dòng {prev}"), format!("the code “{code}” is already on row {prev}")),
            );
            continue;
        }
        let mut n = Node { code: code.clone(), title: c.get("ten_tieu_chi").to_string(), ..Default::default() };
        if let Some(m) = c.opt("diem_toi_da") {
            n.max = exact_cell(e, &code, s, *row, "diem_toi_da", &m);
        }
        let (kind, params) = (c.get("quy_tac"), c.get("tham_so_quy_tac"));
        if !kind.is_empty() {
            n.rule = rule_cells(e, &code, s, *row, kind, params);
        } else if !params.is_empty() {
            e.at(
                &code,
                s,
                *row,
                "tham_so_quy_tac",
                Msg::new("có tham số nhưng chưa chọn quy tắc", "parameters are given but no rule is chosen"),
            );
        }
        let (req, docs) = (c.get("minh_chung_bat_buoc"), c.get("tai_lieu_minh_chung"));
        if !req.is_empty() || !docs.is_empty() {
            let required = if req.is_empty() {
                Some(false)
            } else {
                let r = parse_yes(req);
                if r.is_none() {
                    e.at(
                        &code,
                        s,
                        *row,
                        "minh_chung_bat_buoc",
                        Msg::new(format!("“{req}”: hãy ghi có hoặc không"), format!("“{req}”: write yes or no")),
                    );
                }
                r
            };
            n.evidence = Some(Evidence {
                required: required.unwrap_or(false),
                documents: docs.lines().map(|d| d.trim().to_string()).filter(|d| !d.is_empty()).collect(),
            });
        }
        n.appraiser = c.opt("co_quan_tham_dinh");
        let src = c.get("nguon_diem");
        if !src.is_empty() {
            let f = fold(src).replace([' ', '-'], "_");
            let known = SOURCES
                .iter()
                .find(|(_, vi, alts)| fold(vi).replace(' ', "_") == f || alts.iter().any(|a| a.replace(' ', "_") == f))
                .map(|x| x.0)
                .or_else(|| Source::parse(src));
            match known {
                Some(source) => n.source = source,
                None => e.at(
                    &code,
                    s,
                    *row,
                    "nguon_diem",
                    Msg::new(
                        format!("“{src}”: dùng một trong: {}", source_words().join(", ")),
                        format!("“{src}”: use one of: {}", source_words().join(", ")),
                    ),
                ),
            }
        }
        n.applies_to = list(c.get("ap_dung_cho"));
        n.guidance = c.opt("huong_dan_cham");
        let parent = c.opt("ma_cha");
        flat.push((*row, n, parent));
    }
    // the tree: explicit parent, else the code's prefix when such a node exists, else a domain
    let codes: std::collections::HashSet<String> = flat.iter().map(|(_, n, _)| n.code.clone()).collect();
    let mut children: BTreeMap<Option<String>, Vec<usize>> = BTreeMap::new();
    for (i, (row, n, parent)) in flat.iter().enumerate() {
        let parent = match parent {
            Some(p) if codes.contains(p) && *p != n.code => Some(p.clone()),
            Some(p) => {
                e.at(
                    &n.code,
                    s,
                    *row,
                    "ma_cha",
                    Msg::new(format!("không có tiêu chí mã “{p}” để làm tiêu chí cha"), format!("there is no node “{p}” to be the parent")),
                );
                continue;
            }
            None => n.code.rsplit_once('.').map(|(pre, _)| pre.to_string()).filter(|pre| codes.contains(pre)),
        };
        children.entry(parent).or_default().push(i);
    }
    fn build(
        i: usize,
        flat: &[(usize, Node, Option<String>)],
        children: &BTreeMap<Option<String>, Vec<usize>>,
        seen: &mut Vec<bool>,
    ) -> Node {
        seen[i] = true;
        let mut n = flat[i].1.clone();
        if let Some(kids) = children.get(&Some(n.code.clone())) {
            n.children = kids.iter().map(|k| build(*k, flat, children, seen)).collect();
        }
        n
    }
    let mut seen = vec![false; flat.len()];
    let roots: Vec<Node> =
        children.get(&None).cloned().unwrap_or_default().into_iter().map(|i| build(i, &flat, &children, &mut seen)).collect();
    for (i, (row, n, _)) in flat.iter().enumerate() {
        if !seen[i] && children.values().flatten().any(|k| *k == i) {
            e.at(
                &n.code,
                s,
                *row,
                "ma_cha",
                Msg::new(
                    "tiêu chí cha tạo thành vòng (A là cha của B và B là cha của A)",
                    "the parents form a cycle (A is the parent of B and B of A)",
                ),
            );
        }
    }
    roots
}

fn read_adjustments(e: &mut Errors, t: &Table, index: &[Option<usize>]) -> Vec<Adjustment> {
    let s = SHEET_ADJUSTMENTS;
    let mut out = Vec::new();
    for (row, cells) in &t.rows {
        let c = Cells { index, columns: ADJ_COLUMNS, cells };
        let code = c.get("ma").to_string();
        let kind = match fold(c.get("loai")).as_str() {
            "cong" | "thuong" | "bonus" | "diem thuong" | "diem cong" => Some(AdjustmentKind::Bonus),
            "tru" | "phat" | "penalty" | "diem tru" => Some(AdjustmentKind::Penalty),
            other => {
                e.at(
                    &code,
                    s,
                    *row,
                    "loai",
                    Msg::new(format!("“{other}”: hãy ghi cộng hoặc trừ"), format!("“{other}”: write bonus or penalty")),
                );
                None
            }
        };
        let max = exact_cell(e, &code, s, *row, "diem_toi_da", c.get("diem_toi_da"));
        let rule = rule_cells(e, &code, s, *row, c.get("quy_tac"), c.get("tham_so_quy_tac"));
        if let (Some(kind), Some(max), Some(rule)) = (kind, max, rule) {
            out.push(Adjustment { code, title: c.get("noi_dung").to_string(), kind, max, rule, guidance: c.opt("huong_dan_cham") });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_reads_back_valid_and_equal() {
        let bytes = framework_template_xlsx().unwrap();
        let fw = parse_framework_xlsx("mau.xlsx", &bytes).unwrap();
        assert_eq!(fw.leaves().count(), 7);
        assert_eq!(fw.adjustments.len(), 1);
        assert_eq!(framework_xlsx(&fw).map(|b| parse_framework_xlsx("x.xlsx", &b).unwrap()).unwrap(), fw);
    }
}
