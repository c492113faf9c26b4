//! The self-score sheet (phiếu tự chấm) of a unit's assessment: exported as an XLSX workbook,
//! filled in Excel or LibreOffice, imported back (issue #7 item 3, "self-scores round trip").
//!
//! Sheet 1 has one row per leaf the unit scores itself, with the header as row 1:
//!
//! | column | meaning | on import |
//! |---|---|---|
//! | Mã / code | the leaf's code | must be a leaf the unit scores; each once |
//! | Tiêu chí, Điểm tối đa, Cách chấm | the criterion, its maximum, how to fill the row | ignored |
//! | Nhập / input | the option key, Có/Không, the percentage, the count, the points, or the numerator — whatever the rule reads | checked by the rule (`core::framework::rule::apply`) |
//! | Mẫu số / denominator | proportional rules only | |
//! | Không áp dụng / not applicable | "Có" marks the leaf not applicable | |
//! | Ghi chú, Giải trình | the note and the explanation | |
//! | Điểm hiện tại | the points when exported | ignored |
//! | Phiên bản / version (hidden) | the row's version when exported | a row changed on the system since is refused |
//!
//! Each input cell carries a drop-down or a number validation matching its rule, with a prompt
//! saying what to enter. Reading back checks every row and returns every error at once (file,
//! row, column, what to do); the caller writes nothing unless there is none. Rows deleted from
//! the sheet are left as they are; a row whose values did not change is not written.

use parindex_core::framework::rule::{Input, Rule, apply};
use parindex_core::unit::RowError;
use parindex_core::{Exact, Msg};
use rust_xlsxwriter::{DataValidation, DataValidationRule, Format, FormatAlign, FormatBorder, Workbook, XlsxError};

use crate::table::{Column, map_header, read_table};

/// A leaf of the sheet as it stands on the system.
#[derive(Debug, Clone)]
pub struct SheetLeaf {
    pub code: String,
    pub title: String,
    pub max: Exact,
    pub rule: Rule,
    pub input: Option<Input>,
    pub points: Option<Exact>,
    pub note: Option<String>,
    pub explanation: Option<String>,
    /// The entry's version (0: never saved).
    pub version: i32,
}

/// A row read back: what to save for one leaf.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetRow {
    pub row: usize,
    pub code: String,
    /// None: no input (the leaf is cleared).
    pub input: Option<Input>,
    pub note: Option<String>,
    pub explanation: Option<String>,
    /// The version the sheet was exported with.
    pub version: i32,
}

const COLUMNS: [Column; 11] = [
    Column { key: "ma", aliases: &["code", "ma_tieu_chi"], required: true },
    Column { key: "tieu_chi", aliases: &["criterion", "title"], required: false },
    Column { key: "diem_toi_da", aliases: &["max"], required: false },
    Column { key: "cach_cham", aliases: &["how", "how_to_fill"], required: false },
    Column { key: "nhap", aliases: &["input"], required: true },
    Column { key: "mau_so", aliases: &["denominator"], required: false },
    Column { key: "khong_ap_dung", aliases: &["not_applicable", "n/a"], required: false },
    Column { key: "ghi_chu", aliases: &["note"], required: false },
    Column { key: "giai_trinh", aliases: &["explanation"], required: false },
    Column { key: "diem_hien_tai", aliases: &["points_now", "points"], required: false },
    Column { key: "phien_ban", aliases: &["version"], required: true },
];

const HEADER_VI: [&str; 11] = [
    "Mã",
    "Tiêu chí",
    "Điểm tối đa",
    "Cách chấm",
    "Nhập",
    "Mẫu số",
    "Không áp dụng",
    "Ghi chú",
    "Giải trình",
    "Điểm hiện tại",
    "Phiên bản",
];
const HEADER_EN: [&str; 11] =
    ["Code", "Criterion", "Max", "How", "Input", "Denominator", "Not applicable", "Note", "Explanation", "Points now", "Version"];

pub(crate) fn num(x: &Exact, vi: bool) -> String {
    let s = x.to_exact_decimal(4).unwrap_or_else(|| x.to_decimal_string(4));
    if vi { s.replace('.', ",") } else { s }
}

/// What to write in the input cell, in words.
pub(crate) fn how(rule: &Rule, max: &Exact, vi: bool) -> String {
    let t = |a: &str, b: &str| if vi { a.to_string() } else { b.to_string() };
    match rule {
        Rule::Options { options } => {
            let list = options.iter().map(|o| format!("{} = {} ({})", o.key, o.label, num(&o.points, vi))).collect::<Vec<_>>().join("; ");
            format!("{} {list}", t("Chọn mã:", "Choose a key:"))
        }
        Rule::YesNo => t("Có hoặc Không", "Yes or No"),
        Rule::Bands { .. } => t("Tỷ lệ % (0–100)", "Percentage (0–100)"),
        Rule::Proportional => t("Tử số ở cột Nhập, mẫu số ở cột Mẫu số", "Numerator in Input, denominator in Denominator"),
        Rule::Deduction { per } => format!("{} {})", t("Số lần (mỗi lần trừ", "Count (each takes"), num(per, vi)),
        Rule::Manual { step } => format!("{} 0–{}, {} {}", t("Điểm", "Points"), num(max, vi), t("bước", "step"), num(step, vi)),
        Rule::Survey => t("Kết quả khảo sát (0–1)", "Survey result (0–1)"),
    }
}

/// The input as the sheet's two cells (input, denominator).
pub(crate) fn cells_of(input: &Input, rule: &Rule, vi: bool) -> (String, String) {
    let n = |x: &Option<Exact>| x.as_ref().map(|x| num(x, vi)).unwrap_or_default();
    match rule {
        Rule::Options { .. } => (input.option.clone().unwrap_or_default(), String::new()),
        Rule::YesNo => (
            match input.yes {
                Some(true) => if vi { "Có" } else { "Yes" }.into(),
                Some(false) => if vi { "Không" } else { "No" }.into(),
                None => String::new(),
            },
            String::new(),
        ),
        Rule::Bands { .. } => (n(&input.percent), String::new()),
        Rule::Proportional => (n(&input.numerator), n(&input.denominator)),
        Rule::Deduction { .. } => (n(&input.count), String::new()),
        Rule::Manual { .. } => (n(&input.value), String::new()),
        Rule::Survey => (n(&input.result), String::new()),
    }
}

/// A number written in the cell: as Excel stores it, or typed with a decimal comma.
pub(crate) fn parse_number(s: &str) -> Option<Exact> {
    let s = s.trim().replace(' ', "");
    let s = if s.contains(',') && !s.contains('.') { s.replace(',', ".") } else { s };
    Exact::parse(&s)
}

/// The cell formats of a sheet to fill: header, read-only, input (yellow), free text, number.
pub(crate) struct Formats {
    pub head: Format,
    pub locked: Format,
    pub input: Format,
    pub text: Format,
    pub number: Format,
}

impl Formats {
    pub fn new(decimals: u32) -> Formats {
        let top = Format::new().set_align(FormatAlign::Top).set_border(FormatBorder::Thin);
        let places = if decimals == 0 { "0".to_string() } else { format!("0.{}", "0".repeat(decimals as usize)) };
        Formats {
            head: Format::new().set_bold().set_background_color("#DCE6F1").set_text_wrap().set_border(FormatBorder::Thin),
            locked: top.clone().set_background_color("#F2F2F2").set_text_wrap(),
            input: top.clone().set_background_color("#FFF9DB").set_unlocked(),
            text: top.clone().set_text_wrap().set_unlocked(),
            number: top.set_num_format(&places).set_background_color("#F2F2F2"),
        }
    }
}

/// A rule's input as its two cells at `(row, col)` and `col + 1` (value, denominator), numbers
/// as numbers (Excel shows them in the reader's locale); `formats` for the value and the
/// denominator cell.
pub(crate) fn write_input_cells(
    ws: &mut rust_xlsxwriter::Worksheet,
    (r, c): (u32, u16),
    input: Option<&Input>,
    rule: &Rule,
    formats: (&Format, &Format),
    vi: bool,
) -> Result<(), XlsxError> {
    let (a, b) = input.filter(|i| !i.not_applicable).map(|i| cells_of(i, rule, vi)).unwrap_or_default();
    match parse_number(&a) {
        Some(x) if !matches!(rule, Rule::Options { .. }) => ws.write_number_with_format(r, c, x.to_f64(), formats.0)?,
        _ => ws.write_string_with_format(r, c, &a, formats.0)?,
    };
    match parse_number(&b) {
        Some(x) => ws.write_number_with_format(r, c + 1, x.to_f64(), formats.1)?,
        None => ws.write_string_with_format(r, c + 1, "", formats.1)?,
    };
    Ok(())
}

/// The workbook for `leaves` (framework order). `title` names the unit and the period in the
/// instructions sheet.
pub fn write_sheet(title: &str, leaves: &[SheetLeaf], decimals: u32, vi: bool) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let Formats { head, locked, input, text, number } = Formats::new(decimals);
    let ws = wb.add_worksheet();
    ws.set_name(if vi { "tu_cham" } else { "self_scores" })?;
    let header = if vi { HEADER_VI } else { HEADER_EN };
    for (c, h) in header.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &head)?;
    }
    for (c, w) in [8.0, 48.0, 9.0, 36.0, 12.0, 10.0, 11.0, 28.0, 36.0, 10.0, 8.0].iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }
    let yes_no: Vec<&str> = if vi { vec!["Có", "Không"] } else { vec!["Yes", "No"] };
    for (i, l) in leaves.iter().enumerate() {
        let r = (i + 1) as u32;
        ws.write_string_with_format(r, 0, &l.code, &locked)?;
        ws.write_string_with_format(r, 1, &l.title, &locked)?;
        ws.write_number_with_format(r, 2, l.max.to_f64(), &number)?;
        ws.write_string_with_format(r, 3, how(&l.rule, &l.max, vi), &locked)?;
        write_input_cells(ws, (r, 4), l.input.as_ref(), &l.rule, (&input, &input), vi)?;
        let na = l.input.as_ref().is_some_and(|i| i.not_applicable);
        ws.write_string_with_format(r, 6, if na { yes_no[0] } else { "" }, &input)?;
        ws.write_string_with_format(r, 7, l.note.clone().unwrap_or_default(), &text)?;
        ws.write_string_with_format(r, 8, l.explanation.clone().unwrap_or_default(), &text)?;
        match &l.points {
            Some(p) => ws.write_number_with_format(r, 9, p.to_f64(), &number)?,
            None => ws.write_string_with_format(r, 9, "", &locked)?,
        };
        ws.write_number(r, 10, f64::from(l.version))?;
        // wrapped texts: as many lines as the longest needs (spreadsheets do not grow rows
        // written by a program until a cell is edited)
        let lines = |text: &str, width: usize| text.chars().count().div_ceil(width).max(1);
        let how_text = how(&l.rule, &l.max, vi);
        let n = lines(&l.title, 46).max(lines(&how_text, 34)).max(lines(l.explanation.as_deref().unwrap_or(""), 34));
        if n > 1 {
            ws.set_row_height(r, 15.0 * n as f64)?;
        }
        if let Some(dv) = input_validation(&l.rule, &l.max, vi)? {
            ws.add_data_validation(r, 4, r, 4, &dv)?;
        }
        if matches!(l.rule, Rule::Proportional) {
            let dv = DataValidation::new().allow_decimal_number(DataValidationRule::GreaterThan(0.0)).set_input_message(if vi {
                "Mẫu số, lớn hơn 0"
            } else {
                "Denominator, above 0"
            })?;
            ws.add_data_validation(r, 5, r, 5, &dv)?;
        }
        ws.add_data_validation(r, 6, r, 6, &DataValidation::new().allow_list_strings(&yes_no)?)?;
    }
    ws.set_freeze_panes(1, 2)?;
    // printable: landscape, one page wide, the header on every page
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(0, 0)?;
    ws.set_column_hidden(10)?;
    ws.autofilter(0, 0, leaves.len() as u32, 10)?;
    let help = wb.add_worksheet();
    help.set_name(if vi { "huong_dan" } else { "how_to" })?;
    help.set_column_width(0, 110)?;
    let lines: Vec<String> = if vi {
        vec![
            format!("Phiếu tự chấm — {title}"),
            "1. Điền cột “Nhập” (ô màu vàng) theo hướng dẫn ở cột “Cách chấm”; chọn trong danh sách khi ô có mũi tên.".into(),
            "2. Tiêu chí không áp dụng với đơn vị: ghi “Có” ở cột “Không áp dụng”. Để trống cột “Nhập” là xoá điểm đã nhập.".into(),
            "3. Không sửa cột “Mã”, không xoá cột ẩn “Phiên bản” (dùng để phát hiện tiêu chí đã được người khác sửa trên hệ thống).".into(),
            "4. Tải tệp lên ở trang tự đánh giá. Nếu có dòng sai, hệ thống không ghi gì và chỉ rõ dòng, cột cần sửa.".into(),
            "5. Dòng xoá khỏi bảng thì tiêu chí giữ nguyên; dòng không đổi thì không ghi lại.".into(),
        ]
    } else {
        vec![
            format!("Self-score sheet — {title}"),
            "1. Fill in “Input” (yellow cells) as “How” says; pick from the list where the cell has an arrow.".into(),
            "2. A leaf that does not apply to the unit: write “Yes” under “Not applicable”. An empty input clears the leaf's score.".into(),
            "3. Do not change “Code” nor delete the hidden “Version” column (it tells a leaf changed on the system meanwhile).".into(),
            "4. Upload the file on the self-assessment page. If a row is wrong nothing is written, and the rows and columns to fix are listed.".into(),
            "5. Rows deleted from the sheet leave their leaf as it is; unchanged rows are not written again.".into(),
        ]
    };
    for (i, l) in lines.iter().enumerate() {
        help.write_string(i as u32, 0, l)?;
    }
    wb.save_to_buffer()
}

/// The drop-down or number check of a rule's input cell, with a prompt saying what to enter.
pub(crate) fn input_validation(rule: &Rule, max: &Exact, vi: bool) -> Result<Option<DataValidation>, XlsxError> {
    let prompt = how(rule, max, vi);
    let prompt: String = prompt.chars().take(250).collect();
    let bad = if vi { "Giá trị không hợp lệ. " } else { "Invalid value. " };
    let yes_no: Vec<&str> = if vi { vec!["Có", "Không"] } else { vec!["Yes", "No"] };
    let dv = match rule {
        Rule::Options { options } => {
            let keys: Vec<&str> = options.iter().map(|o| o.key.as_str()).collect();
            // Excel's literal lists hold at most 255 characters; longer ones go unchecked
            // here and are checked on import.
            (keys.iter().map(|k| k.len() + 1).sum::<usize>() <= 255).then(|| DataValidation::new().allow_list_strings(&keys)).transpose()?
        }
        Rule::YesNo => Some(DataValidation::new().allow_list_strings(&yes_no)?),
        Rule::Bands { .. } => Some(DataValidation::new().allow_decimal_number(DataValidationRule::Between(0.0, 100.0))),
        Rule::Manual { .. } => Some(DataValidation::new().allow_decimal_number(DataValidationRule::Between(0.0, max.to_f64()))),
        Rule::Deduction { .. } => Some(DataValidation::new().allow_whole_number(DataValidationRule::GreaterThanOrEqualTo(0))),
        Rule::Proportional => Some(DataValidation::new().allow_decimal_number(DataValidationRule::GreaterThanOrEqualTo(0.0))),
        Rule::Survey => Some(DataValidation::new().allow_decimal_number(DataValidationRule::Between(0.0, 1.0))),
    };
    match dv {
        Some(dv) => {
            Ok(Some(dv.set_input_message(&prompt)?.set_error_message(format!("{bad}{prompt}").chars().take(250).collect::<String>())?))
        }
        None => Ok(None),
    }
}

fn err(row: usize, field: &str, vi: String, en: String) -> RowError {
    RowError { row, field: field.into(), message: Msg::new(vi, en) }
}

fn yes_word(s: &str) -> Option<bool> {
    match parindex_core::text::fold(s.trim()).as_str() {
        "co" | "yes" | "x" | "true" | "1" => Some(true),
        "khong" | "no" | "false" | "0" => Some(false),
        _ => None,
    }
}

/// Read a filled sheet back against the leaves the unit scores now. Every error at once.
pub fn read_sheet(file_name: &str, bytes: &[u8], leaves: &[SheetLeaf]) -> Result<Vec<SheetRow>, Vec<RowError>> {
    let table = read_table(file_name, bytes)?;
    let ix = map_header(file_name, &table.header, &COLUMNS)?;
    let get = |cells: &[String], k: usize| ix[k].and_then(|i| cells.get(i)).map(|s| s.trim().to_string()).unwrap_or_default();
    let mut errors = Vec::new();
    let mut out: Vec<SheetRow> = Vec::new();
    let mut seen = std::collections::HashMap::new();
    for (row, cells) in &table.rows {
        let row = *row;
        let code = get(cells, 0);
        let Some(leaf) = leaves.iter().find(|l| l.code == code) else {
            errors.push(err(
                row,
                "ma",
                format!("Tệp “{file_name}”, dòng {row}, cột Mã: “{code}” không phải tiêu chí đơn vị tự chấm trong kỳ này. Hãy dùng bảng tải từ trang tự đánh giá."),
                format!("“{file_name}”, row {row}, column Code: “{code}” is not a leaf the unit scores in this period. Use the sheet downloaded from the self-assessment page."),
            ));
            continue;
        };
        if let Some(first) = seen.insert(code.clone(), row) {
            errors.push(err(
                row,
                "ma",
                format!("Tệp “{file_name}”, dòng {row}: tiêu chí {code} đã có ở dòng {first}. Mỗi tiêu chí một dòng."),
                format!("“{file_name}”, row {row}: leaf {code} is already on row {first}. One row per leaf."),
            ));
            continue;
        }
        let version = match get(cells, 10).parse::<f64>() {
            Ok(v) if v >= 0.0 && v.fract() == 0.0 => v as i32,
            _ => {
                errors.push(err(
                    row,
                    "phien_ban",
                    format!("Tệp “{file_name}”, dòng {row}: cột ẩn “Phiên bản” bị xoá hoặc sửa. Hãy tải bảng mới từ hệ thống."),
                    format!("“{file_name}”, row {row}: the hidden “Version” column was removed or changed. Download a fresh sheet."),
                ));
                continue;
            }
        };
        let na_cell = get(cells, 6);
        let na = !na_cell.is_empty() && yes_word(&na_cell) == Some(true);
        if !na_cell.is_empty() && yes_word(&na_cell).is_none() {
            errors.push(err(
                row,
                "khong_ap_dung",
                format!("Tệp “{file_name}”, dòng {row}, cột Không áp dụng: “{na_cell}” — ghi “Có” hoặc để trống."),
                format!("“{file_name}”, row {row}, column Not applicable: “{na_cell}” — write “Yes” or leave it empty."),
            ));
            continue;
        }
        let (a, b) = (get(cells, 4), get(cells, 5));
        let what = (format!("tiêu chí {code}"), format!("leaf {code}"));
        let input = if na {
            Some(Input { not_applicable: true, ..Default::default() })
        } else {
            match read_input(file_name, row, &what, &leaf.rule, &leaf.max, &a, &b) {
                Ok(i) => i,
                Err(e) => {
                    errors.extend(e);
                    continue;
                }
            }
        };
        let opt = |s: String| (!s.is_empty()).then_some(s);
        out.push(SheetRow { row, code, input, note: opt(get(cells, 7)), explanation: opt(get(cells, 8)), version });
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

/// One row's input cells (the value, the denominator) read by `rule`: `None` when both are
/// empty; every problem named with the file, the row and `what` (e.g. "tiêu chí 3.3.1",
/// "đơn vị SNV"), then checked by the rule itself (ranges, steps, options).
pub(crate) fn read_input(
    file_name: &str,
    row: usize,
    what: &(String, String),
    rule: &Rule,
    max: &Exact,
    a: &str,
    b: &str,
) -> Result<Option<Input>, Vec<RowError>> {
    if a.is_empty() && b.is_empty() {
        return Ok(None);
    }
    let (wv, we) = what;
    let mut errors = Vec::new();
    let number = |s: &str, col: &str, errors: &mut Vec<RowError>| -> Option<Exact> {
        let x = parse_number(s);
        if x.is_none() {
            errors.push(err(
                row,
                col,
                format!("Tệp “{file_name}”, dòng {row}, {wv}: “{s}” không phải là số. {}", how(rule, max, true)),
                format!("“{file_name}”, row {row}, {we}: “{s}” is not a number. {}", how(rule, max, false)),
            ));
        }
        x
    };
    let mut i = Input::default();
    match rule {
        Rule::Options { options } => {
            let f = parindex_core::text::fold(a);
            match options.iter().find(|o| o.key == a || parindex_core::text::fold(&o.label) == f) {
                Some(o) => i.option = Some(o.key.clone()),
                None => errors.push(err(
                    row,
                    "nhap",
                    format!("Tệp “{file_name}”, dòng {row}, {wv}: “{a}” không có trong các lựa chọn. {}", how(rule, max, true)),
                    format!("“{file_name}”, row {row}, {we}: “{a}” is not one of the options. {}", how(rule, max, false)),
                )),
            }
        }
        Rule::YesNo => match yes_word(a) {
            Some(y) => i.yes = Some(y),
            None => errors.push(err(
                row,
                "nhap",
                format!("Tệp “{file_name}”, dòng {row}, {wv}: “{a}” — ghi Có hoặc Không."),
                format!("“{file_name}”, row {row}, {we}: “{a}” — write Yes or No."),
            )),
        },
        Rule::Bands { .. } => i.percent = number(a, "nhap", &mut errors),
        Rule::Proportional => {
            i.numerator = number(a, "nhap", &mut errors);
            i.denominator = number(b, "mau_so", &mut errors);
        }
        Rule::Deduction { .. } => i.count = number(a, "nhap", &mut errors),
        Rule::Manual { .. } => i.value = number(a, "nhap", &mut errors),
        Rule::Survey => i.result = number(a, "nhap", &mut errors),
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if let Err(m) = apply(rule, max, &i, false) {
        return Err(vec![err(
            row,
            "nhap",
            format!("Tệp “{file_name}”, dòng {row}, {wv}: {}", m.vi),
            format!("“{file_name}”, row {row}, {we}: {}", m.en),
        )]);
    }
    Ok(Some(i))
}

/// Whether a row read back says something different from the leaf as it stands.
pub fn changes(row: &SheetRow, leaf: &SheetLeaf) -> bool {
    let same_input = match (&row.input, &leaf.input) {
        (None, None) => true,
        (Some(a), Some(b)) => {
            let mut b = b.clone();
            b.bare = None;
            *a == b
        }
        _ => false,
    };
    !(same_input && row.note == leaf.note && row.explanation == leaf.explanation)
}

#[cfg(test)]
mod tests {
    use super::*;
    use parindex_core::framework::rule::RuleOption;

    fn leaves() -> Vec<SheetLeaf> {
        let leaf = |code: &str, max: i64, rule: Rule, input: Option<Input>| SheetLeaf {
            code: code.into(),
            title: format!("Tiêu chí {code}"),
            max: Exact::int(max),
            rule,
            input,
            points: None,
            note: None,
            explanation: None,
            version: 1,
        };
        vec![
            leaf(
                "1.1",
                2,
                Rule::Options {
                    options: vec![
                        RuleOption { key: "du".into(), label: "Đầy đủ".into(), points: Exact::int(2) },
                        RuleOption { key: "thieu".into(), label: "Thiếu".into(), points: Exact::ZERO },
                    ],
                },
                Some(Input { option: Some("du".into()), ..Default::default() }),
            ),
            leaf("1.2", 1, Rule::YesNo, None),
            leaf("1.3", 3, Rule::Proportional, None),
            leaf("1.4", 2, Rule::Manual { step: Exact::ratio(1, 4) }, None),
            leaf("1.5", 2, Rule::Deduction { per: Exact::ONE }, None),
        ]
    }

    #[test]
    fn round_trip_keeps_every_value() {
        let mut l = leaves();
        l[1].input = Some(Input { yes: Some(false), ..Default::default() });
        l[2].input = Some(Input { numerator: Some(Exact::int(45)), denominator: Some(Exact::int(50)), ..Default::default() });
        l[3].input = Some(Input { not_applicable: true, ..Default::default() });
        l[0].note = Some("Ghi chú có dấu, \"ngoặc\"".into());
        let bytes = write_sheet("UBND xã A — 2026", &l, 2, true).unwrap();
        let rows = read_sheet("phieu.xlsx", &bytes, &l).unwrap();
        assert_eq!(rows.len(), 5);
        for (r, leaf) in rows.iter().zip(&l) {
            assert!(!changes(r, leaf), "row {} reads back as it was: {r:?}", r.code);
            assert_eq!(r.version, 1);
        }
        // English sheets read back too
        let bytes = write_sheet("x", &l, 2, false).unwrap();
        assert!(read_sheet("s.xlsx", &bytes, &l).unwrap().iter().zip(&l).all(|(r, leaf)| !changes(r, leaf)));
    }

    #[test]
    fn every_bad_row_is_named() {
        let l = leaves();
        let csv = "ma,nhap,mau_so,khong_ap_dung,phien_ban\n\
                   1.1,tot,,,1\n\
                   1.2,có lẽ,,,1\n\
                   1.3,45,0,,1\n\
                   1.4,\"1,3\",,,1\n\
                   9.9,1,,,1\n\
                   1.1,du,,,1\n\
                   1.5,2,,,\n";
        let e = read_sheet("sai.csv", csv.as_bytes(), &l).unwrap_err();
        let rows: Vec<usize> = e.iter().map(|e| e.row).collect();
        assert_eq!(rows, vec![2, 3, 4, 5, 6, 7, 8], "{e:?}");
        assert!(e[0].message.vi.contains("không có trong các lựa chọn") && e[0].message.vi.contains("du = Đầy đủ"));
        assert!(e[4].message.vi.contains("9.9") && e[4].message.vi.contains("sai.csv"));
        assert!(e[5].message.vi.contains("dòng 2"));
        assert!(e[6].message.vi.contains("Phiên bản"));
    }

    #[test]
    fn labels_commas_and_clearing() {
        let l = leaves();
        let csv = "Mã,Nhập,Mẫu số,Không áp dụng,Phiên bản\n1.1,Thiếu,,,1\n1.4,\"1,25\",,,1\n1.3,,,,1\n1.2,,,Có,1\n";
        let rows = read_sheet("ok.csv", csv.as_bytes(), &l).unwrap();
        assert_eq!(rows[0].input.as_ref().unwrap().option.as_deref(), Some("thieu"));
        assert_eq!(rows[1].input.as_ref().unwrap().value, Some(Exact::ratio(5, 4)));
        assert_eq!(rows[2].input, None);
        assert!(rows[3].input.as_ref().unwrap().not_applicable);
    }
}
