//! Survey responses as files (issue #5): reading collected responses (paper forms keyed into
//! a spreadsheet, an ODK Central or KoboToolbox export, our own export) and writing our
//! raw-response export.
//!
//! **Columns** are matched by name against the questionnaire, case-insensitively: a question's
//! name (`q01`), or a group path ending in it (`tiep_can/q01`, as ODK and Kobo write groups);
//! `unit_code` (also `ma_don_vi`, `don_vi`) names the unit; `channel` (`kenh`) and
//! `submitted_at` (`thoi_gian`, Kobo's `_submission_time`, ODK's `SubmissionDate`, `end`) are
//! optional. Kobo's split columns of a multiple choice (`ky_vong/bot_thu_tuc`, 0/1) are
//! covered by the question's own column and ignored; the usual metadata columns (`_id`,
//! `_uuid`, `meta/instanceID`, `start`, `deviceid`, …) are ignored and listed. Any other
//! column is listed as not part of the questionnaire — never dropped silently.
//!
//! **Cells**: a choice is its key (`4`, `F`, `bot_thu_tuc`); a multiple choice lists keys
//! separated by spaces (ODK), commas or semicolons; numbers may use a decimal comma. Every row
//! is checked like the public page checks a form, except that a blank required answer stays
//! blank (nobody can be asked again; the indices leave blanks out).
//!
//! **Times** with an offset are taken as written; without one, as Vietnam time (UTC+7) —
//! except Kobo's `_submission_time` and ODK's `SubmissionDate`, which those servers write in UTC.

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};
use parindex_core::Msg;
use parindex_core::survey::answers::{Answers, Checker, Required};
use parindex_core::survey::{QuestionType, Questionnaire};

/// The channels a response may name.
pub const CHANNELS: &[&str] = &["web", "qr", "paper", "token", "entry", "import", "odk", "kobo"];

const UNIT_NAMES: &[&str] = &["unit_code", "ma_don_vi", "don_vi", "unit"];
const CHANNEL_NAMES: &[&str] = &["channel", "kenh"];
const LOCAL_TIME_NAMES: &[&str] = &["submitted_at", "thoi_gian", "end"];
const UTC_TIME_NAMES: &[&str] = &["_submission_time", "submissiondate"];
const META_NAMES: &[&str] = &[
    "response_id",
    "_id",
    "_uuid",
    "_index",
    "_parent_index",
    "_status",
    "_submitted_by",
    "_validation_status",
    "_notes",
    "_tags",
    "_attachments",
    "_geolocation",
    "_xform_id_string",
    "__version__",
    "instanceid",
    "instancename",
    "meta/instanceid",
    "meta/instancename",
    "meta/deprecatedid",
    "meta/audit",
    "formhub/uuid",
    "start",
    "today",
    "deviceid",
    "subscriberid",
    "simserial",
    "phonenumber",
    "username",
    "key",
    "submitterid",
    "submittername",
    "attachmentspresent",
    "attachmentsexpected",
    "status",
    "reviewstate",
    "edits",
    "formversion",
];

#[derive(Debug, Clone, PartialEq, Eq)]
enum Col {
    Unit,
    Channel,
    Time {
        utc: bool,
    },
    /// The question's position in [`Checker::names`].
    Question(usize),
    Skip,
}

/// A file's header mapped onto a questionnaire.
#[derive(Debug)]
pub struct Mapper<'q> {
    checker: Checker<'q>,
    cols: Vec<Col>,
    /// By question position: a multiple choice (cells list several keys).
    multi: Vec<bool>,
    /// Metadata columns ignored (ODK/Kobo bookkeeping).
    pub ignored: Vec<String>,
    /// Columns that are not part of the questionnaire (ignored, and said so).
    pub unknown: Vec<String>,
    /// Questions with no column in the file (all their answers stay blank).
    pub absent: Vec<String>,
}

/// One row read and checked.
#[derive(Debug, Clone)]
pub struct Mapped {
    pub unit: String,
    pub channel: Option<String>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub answers: Answers,
}

/// A problem of one row: the column (a question name or a header) and what is wrong.
#[derive(Debug, Clone)]
pub struct CellProblem {
    pub column: String,
    pub message: Msg,
}

fn vn() -> FixedOffset {
    parindex_core::text::vn_offset()
}

impl<'q> Mapper<'q> {
    /// Map a header; refused (with what to do) when no column names the unit or no column
    /// is a question of the questionnaire.
    pub fn new(q: &'q Questionnaire, header: &[&str]) -> Result<Self, Msg> {
        let questions: HashMap<String, &parindex_core::survey::Question> =
            q.questions().filter(|(_, x)| x.kind != QuestionType::Note).map(|(_, x)| (x.name.to_lowercase(), x)).collect();
        let checker = Checker::new(q);
        let position: HashMap<&str, usize> = checker.names().enumerate().map(|(i, n)| (n, i)).collect();
        let multi: Vec<bool> = checker
            .names()
            .map(|n| {
                questions
                    .get(&n.to_lowercase())
                    .is_some_and(|x| matches!(x.kind, QuestionType::MultipleChoice { .. } | QuestionType::Rank { .. }))
            })
            .collect();
        let mut cols = Vec::with_capacity(header.len());
        let (mut ignored, mut unknown) = (Vec::new(), Vec::new());
        let mut seen: Vec<String> = Vec::new();
        for h in header {
            let lower = h.trim().to_lowercase();
            let last = lower.rsplit('/').next().unwrap_or(&lower).to_string();
            let parent = lower.rsplit('/').nth(1).map(str::to_string);
            let col = if UNIT_NAMES.contains(&lower.as_str()) {
                Col::Unit
            } else if CHANNEL_NAMES.contains(&lower.as_str()) {
                Col::Channel
            } else if LOCAL_TIME_NAMES.contains(&lower.as_str()) {
                Col::Time { utc: false }
            } else if UTC_TIME_NAMES.contains(&lower.as_str()) {
                Col::Time { utc: true }
            } else if let Some(x) = questions.get(&last) {
                if seen.contains(&x.name) {
                    unknown.push(h.to_string());
                    Col::Skip
                } else {
                    seen.push(x.name.clone());
                    Col::Question(position[x.name.as_str()])
                }
            } else if parent.as_ref().and_then(|p| questions.get(p)).is_some_and(|x| multi[position[x.name.as_str()]]) {
                // Kobo's 0/1 column per option of a multiple choice: the question's own column says the same
                ignored.push(h.to_string());
                Col::Skip
            } else if META_NAMES.contains(&lower.as_str()) || lower.starts_with("meta/") || lower.starts_with("_") {
                ignored.push(h.to_string());
                Col::Skip
            } else {
                if !h.trim().is_empty() {
                    unknown.push(h.to_string());
                }
                Col::Skip
            };
            if col == Col::Unit && cols.contains(&Col::Unit) {
                unknown.push(h.to_string());
                cols.push(Col::Skip);
                continue;
            }
            cols.push(col);
        }
        if !cols.contains(&Col::Unit) {
            return Err(Msg::new(
                "Thiếu cột mã đơn vị: dòng đầu phải có cột “unit_code” (hoặc “ma_don_vi”) ghi mã đơn vị của mỗi phiếu.",
                "No unit column: the first row needs a “unit_code” (or “ma_don_vi”) column with each response's unit code.",
            ));
        }
        if seen.is_empty() {
            return Err(Msg::new(
                format!("Không cột nào là câu hỏi của phiếu “{}”: tên cột phải là tên câu hỏi (ví dụ q01). Hãy tải tệp mẫu.", q.code),
                format!(
                    "No column is a question of “{}”: the column names must be the question names (e.g. q01). Download the template.",
                    q.code
                ),
            ));
        }
        let absent =
            q.questions().filter(|(_, x)| x.kind != QuestionType::Note && !seen.contains(&x.name)).map(|(_, x)| x.name.clone()).collect();
        Ok(Mapper { checker, cols, multi, ignored, unknown, absent })
    }

    /// Read and check one row.
    pub fn row(&self, cells: &[&str]) -> Result<Mapped, Vec<CellProblem>> {
        // one cell per question, and the keys of multiple choices split apart
        let mut single: Vec<&str> = vec![""; self.multi.len()];
        let mut several: Vec<(usize, Vec<&str>)> = Vec::new();
        let (mut unit, mut channel, mut time) = (String::new(), None, None);
        let mut problems = Vec::new();
        for (col, cell) in self.cols.iter().zip(cells.iter().chain(std::iter::repeat(&""))) {
            let cell = cell.trim();
            match col {
                Col::Unit => unit = cell.to_string(),
                Col::Channel if cell.is_empty() => {}
                Col::Channel => {
                    let c = cell.to_lowercase();
                    if CHANNELS.contains(&c.as_str()) {
                        channel = Some(c);
                    } else {
                        problems.push(CellProblem {
                            column: "channel".into(),
                            message: Msg::new(
                                format!("Kênh “{cell}” không hợp lệ; dùng một trong: {}.", CHANNELS.join(", ")),
                                format!("Channel “{cell}” is not valid; use one of: {}.", CHANNELS.join(", ")),
                            ),
                        });
                    }
                }
                Col::Time { .. } if cell.is_empty() => {}
                Col::Time { utc } => match parse_time(cell, *utc) {
                    Some(t) => time = Some(t),
                    None => problems.push(CellProblem {
                        column: "submitted_at".into(),
                        message: Msg::new(
                            format!("Thời gian “{cell}” không đọc được; viết dạng 2026-03-14T09:21:05+07:00 hoặc 2026-03-14 09:21."),
                            format!("Cannot read the time “{cell}”; write it as 2026-03-14T09:21:05+07:00 or 2026-03-14 09:21."),
                        ),
                    }),
                },
                Col::Question(_) if cell.is_empty() => {}
                Col::Question(pos) if self.multi[*pos] => several
                    .push((*pos, cell.split(|c: char| c.is_whitespace() || c == ',' || c == ';').filter(|s| !s.is_empty()).collect())),
                Col::Question(pos) => single[*pos] = cell,
                Col::Skip => {}
            }
        }
        if unit.is_empty() {
            problems.push(CellProblem {
                column: "unit_code".into(), message: Msg::new("Thiếu mã đơn vị.", "The unit code is missing.")
            });
        }
        let values = |pos: usize| -> &[&str] {
            if let Some((_, v)) = several.iter().find(|(p, _)| *p == pos) {
                v.as_slice()
            } else if single[pos].is_empty() {
                &[]
            } else {
                std::slice::from_ref(&single[pos])
            }
        };
        match self.checker.check_by(values, Required::AllowBlank) {
            Ok(a) if problems.is_empty() => Ok(Mapped { unit, channel, submitted_at: time, answers: a }),
            Ok(_) => Err(problems),
            Err(ps) => {
                problems.extend(ps.into_iter().map(|(column, message)| CellProblem { column, message }));
                Err(problems)
            }
        }
    }
}

/// A time cell: RFC 3339 (any offset); or `YYYY-MM-DD[ T]HH:MM[:SS[.fff]]` in Vietnam time
/// (in UTC when `utc`); or a date alone (00:00).
pub fn parse_time(s: &str, utc: bool) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    let naive = ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
        .or_else(|| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(0, 0, 0)))?;
    if utc { Some(Utc.from_utc_datetime(&naive)) } else { vn().from_local_datetime(&naive).single().map(|t| t.with_timezone(&Utc)) }
}

/// The header of our raw-response export: `response_id,unit_code,channel,submitted_at`, then
/// every question (notes aside) in form order — the layout of `shared/bench` for the SIPAS
/// template, and a layout this module reads back.
pub fn export_header(q: &Questionnaire) -> Vec<String> {
    let mut h: Vec<String> = ["response_id", "unit_code", "channel", "submitted_at"].iter().map(|s| s.to_string()).collect();
    h.extend(q.questions().filter(|(_, x)| x.kind != QuestionType::Note).map(|(_, x)| x.name.clone()));
    h
}

/// A CSV cell: see [`crate::csv_out::cell`], the one rule every CSV export uses.
pub use crate::csv_out::cell as csv_cell;

/// A template for keying in collected responses (paper forms) in Excel: sheet 1 has the columns
/// the import reads — `unit_code`, `channel`, `submitted_at`, then one per question — with
/// `rows` rows of drop-downs (the survey's units, the channels, each single-choice or Likert
/// question's keys) and number checks, each cell prompting with the question's text; sheet 2
/// explains every question and its keys; the lists live on a hidden sheet (Excel's literal
/// lists are limited to 255 characters). A filled template imports as it is.
pub fn template_xlsx(q: &Questionnaire, unit_codes: &[String], rows: u32, vi: bool) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{DataValidation, DataValidationRule, Format, Formula, Workbook};
    let lang = if vi { "vi" } else { "en" };
    let text_of = |t: &parindex_core::survey::Text| t.get(lang).or_else(|| t.values().next()).cloned().unwrap_or_default();
    let clip = |s: String| s.chars().take(250).collect::<String>();
    let mut wb = Workbook::new();
    let head = Format::new().set_bold().set_background_color("#DCE6F1");
    let ws = wb.add_worksheet();
    ws.set_name(if vi { "phieu" } else { "responses" })?;
    let questions: Vec<&parindex_core::survey::Question> = q.questions().map(|(_, x)| x).filter(|x| x.kind != QuestionType::Note).collect();
    let mut header = vec!["unit_code".to_string(), "channel".into(), "submitted_at".into()];
    header.extend(questions.iter().map(|x| x.name.clone()));
    for (c, h) in header.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, h, &head)?;
        ws.set_column_width(c as u16, if c < 3 { 16.0 } else { 10.0 })?;
    }
    ws.set_freeze_panes(1, 1)?;
    let last = rows.max(1);
    // the lists, on a hidden sheet: units in A, then one column per choice list
    let mut lists: Vec<(String, Vec<String>)> = vec![("unit_code".into(), unit_codes.to_vec())];
    for l in &q.lists {
        lists.push((l.name.clone(), l.choices.iter().map(|c| c.key.clone()).collect()));
    }
    let column_name = |i: usize| {
        let (mut n, mut s) = (i + 1, String::new());
        while n > 0 {
            let r = (n - 1) % 26;
            s.insert(0, (b'A' + r as u8) as char);
            n = (n - 1) / 26;
        }
        s
    };
    let range_of = |name: &str| {
        lists.iter().position(|(n, _)| n == name).map(|i| {
            let col = column_name(i);
            format!("=danh_muc!${col}$2:${col}${}", lists[i].1.len().max(1) + 1)
        })
    };
    let unit_dv = DataValidation::new()
        .allow_list_formula(Formula::new(range_of("unit_code").unwrap_or_default()))
        .set_input_message(if vi { "Mã đơn vị được khảo sát" } else { "Code of the unit surveyed" })?;
    ws.add_data_validation(1, 0, last, 0, &unit_dv)?;
    let channels: Vec<&str> = CHANNELS.iter().copied().filter(|c| !matches!(*c, "web" | "qr" | "token")).collect();
    ws.add_data_validation(1, 1, last, 1, &DataValidation::new().allow_list_strings(&channels)?)?;
    let when = DataValidation::new().allow_any_value().set_input_message(if vi {
        "Ngày giờ trả lời: 2026-03-14 09:30 (giờ Việt Nam); để trống nếu không rõ"
    } else {
        "When answered: 2026-03-14 09:30 (Vietnam time); empty if unknown"
    })?;
    ws.add_data_validation(1, 2, last, 2, &when)?;
    for (i, x) in questions.iter().enumerate() {
        let col = (i + 3) as u16;
        let prompt = clip(text_of(&x.label));
        let keys = x
            .list
            .as_deref()
            .and_then(|l| q.list(l))
            .map(|l| l.choices.iter().map(|c| c.key.clone()).collect::<Vec<_>>().join(", "))
            .unwrap_or_default();
        let dv = match &x.kind {
            QuestionType::Likert | QuestionType::SingleChoice => {
                x.list.as_deref().and_then(range_of).map(|r| DataValidation::new().allow_list_formula(Formula::new(r)))
            }
            QuestionType::Integer => Some(DataValidation::new().allow_whole_number(DataValidationRule::Between(i32::MIN, i32::MAX))),
            QuestionType::Decimal => Some(DataValidation::new().allow_decimal_number(DataValidationRule::Between(f64::MIN, f64::MAX))),
            QuestionType::MultipleChoice { .. } | QuestionType::Rank { .. } => Some(DataValidation::new().allow_any_value()),
            _ => Some(DataValidation::new().allow_any_value()),
        };
        if let Some(dv) = dv {
            let msg = if keys.is_empty() || matches!(x.kind, QuestionType::Likert | QuestionType::SingleChoice) {
                prompt.clone()
            } else {
                clip(format!("{prompt} — {}: {keys}", if vi { "các mã, cách nhau bởi dấu cách" } else { "keys separated by spaces" }))
            };
            let dv = dv.set_input_title(clip(x.name.clone()).chars().take(32).collect::<String>())?.set_input_message(msg)?;
            ws.add_data_validation(1, col, last, col, &dv)?;
        }
    }
    // sheet 2: what each column means
    let help = wb.add_worksheet();
    help.set_name(if vi { "huong_dan" } else { "how_to" })?;
    help.set_column_width(0, 16)?;
    help.set_column_width(1, 70)?;
    help.set_column_width(2, 18)?;
    help.set_column_width(3, 60)?;
    let cols = if vi { ["Cột", "Câu hỏi", "Loại", "Mã các lựa chọn"] } else { ["Column", "Question", "Type", "Choice keys"] };
    for (c, h) in cols.iter().enumerate() {
        help.write_string_with_format(0, c as u16, *h, &head)?;
    }
    for (i, x) in questions.iter().enumerate() {
        let r = (i + 1) as u32;
        help.write_string(r, 0, &x.name)?;
        help.write_string(r, 1, text_of(&x.label))?;
        help.write_string(r, 2, x.kind.code())?;
        let choices = x
            .list
            .as_deref()
            .and_then(|l| q.list(l))
            .map(|l| l.choices.iter().map(|c| format!("{} = {}", c.key, text_of(&c.label))).collect::<Vec<_>>().join("; "))
            .unwrap_or_default();
        help.write_string(r, 3, choices)?;
    }
    // the hidden lists
    let data = wb.add_worksheet();
    data.set_name("danh_muc")?;
    for (c, (name, values)) in lists.iter().enumerate() {
        data.write_string(0, c as u16, name)?;
        for (r, v) in values.iter().enumerate() {
            data.write_string(r as u32 + 1, c as u16, v)?;
        }
    }
    data.set_hidden(true);
    wb.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sipas() -> Questionnaire {
        crate::survey::parse_questionnaire("sipas.yaml", crate::survey::SAMPLES[0].1).expect("sample")
    }

    #[test]
    fn bench_layout_maps_onto_the_sample() {
        let q = sipas();
        let mut header = vec!["response_id", "unit_code", "channel", "submitted_at", "age_group", "gender"];
        let names: Vec<String> = (1..=30).map(|i| format!("q{i:02}")).collect();
        header.extend(names.iter().map(String::as_str));
        let m = Mapper::new(&q, &header).unwrap();
        assert!(m.unknown.is_empty(), "{:?}", m.unknown);
        assert_eq!(m.ignored, vec!["response_id"]);
        assert!(m.absent.contains(&"dan_toc".to_string()) && m.absent.contains(&"gop_y".to_string()));
        let mut row = vec!["1", "XA001", "qr", "2026-03-14T09:21:05+07:00", "30-44", "F"];
        row.extend(std::iter::repeat_n("4", 29));
        row.push(""); // a blank required answer stays blank in an import
        let r = m.row(&row).unwrap();
        assert_eq!(r.unit, "XA001");
        assert_eq!(r.channel.as_deref(), Some("qr"));
        assert_eq!(r.submitted_at.unwrap().to_rfc3339(), "2026-03-14T02:21:05+00:00");
        assert_eq!(r.answers.len(), 31, "age group, gender and 29 answers");
    }

    #[test]
    fn kobo_export_with_groups_split_columns_and_meta() {
        let q = sipas();
        let header = [
            "start",
            "end",
            "ma_don_vi",
            "nguoi_tra_loi/gender",
            "tiep_can/q01",
            "ky_vong/ky_vong",
            "ky_vong/ky_vong/bot_thu_tuc",
            "ky_vong/ky_vong/nhanh_hon",
            "_id",
            "_uuid",
            "_submission_time",
            "meta/instanceID",
        ];
        let m = Mapper::new(&q, &header).unwrap();
        assert!(m.unknown.is_empty(), "{:?}", m.unknown);
        assert_eq!(m.ignored.len(), 6, "{:?}", m.ignored);
        let r = m
            .row(&[
                "2026-03-14T09:00:00",
                "2026-03-14T09:05:00",
                "XA002",
                "M",
                "5",
                "bot_thu_tuc nhanh_hon",
                "1",
                "1",
                "7",
                "u",
                "2026-03-14T02:06:00",
                "x",
            ])
            .unwrap();
        // the last time column wins: Kobo's _submission_time, in UTC
        assert_eq!(r.submitted_at.unwrap().to_rfc3339(), "2026-03-14T02:06:00+00:00");
        assert_eq!(format!("{:?}", r.answers.get("ky_vong").unwrap()), "Selected([\"bot_thu_tuc\", \"nhanh_hon\"])");
    }

    #[test]
    fn bad_cells_are_each_named() {
        let q = sipas();
        let m = Mapper::new(&q, &["unit_code", "channel", "submitted_at", "q01", "ky_vong"]).unwrap();
        let e = m.row(&["", "fax", "hôm qua", "7", "bot_thu_tuc nhanh_hon phi_thap thai_do"]).unwrap_err();
        let cols: Vec<&str> = e.iter().map(|p| p.column.as_str()).collect();
        assert_eq!(cols, vec!["channel", "submitted_at", "unit_code", "q01", "ky_vong"]);
    }

    #[test]
    fn header_without_unit_or_questions_is_refused() {
        let q = sipas();
        assert!(Mapper::new(&q, &["q01", "q02"]).unwrap_err().vi.contains("unit_code"));
        assert!(Mapper::new(&q, &["unit_code", "age"]).unwrap_err().vi.contains("q01"));
    }

    #[test]
    fn cells_are_quoted_and_formulas_defused() {
        assert_eq!(csv_cell("Tốt, nhưng \"chậm\""), "\"Tốt, nhưng \"\"chậm\"\"\"");
        assert_eq!(csv_cell("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(csv_cell("-3"), "-3");
    }
}
