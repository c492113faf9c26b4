//! XLSForm import (issue #5): the `survey`, `choices` and `settings` sheets of an `.xlsx`,
//! `.xlsm` or `.xls` workbook (as ODK Collect and KoboToolbox use them) read into
//! `core::survey::Questionnaire`, for the subset that maps onto our model. Nothing is dropped
//! silently: every unsupported type, container, feature, sheet or column is a diagnostic naming
//! its sheet, row and question; errors refuse the whole form and are all listed at once.
//!
//! Mapping: `text`/`string` → short text (`appearance=multiline` → long text), `integer`/`int`,
//! `decimal`, `note`, `select_one L` (→ Likert with `appearance=likert` and five choices),
//! `select_multiple L` (its maximum read from a `count-selected(.) <= n` constraint), `rank L`,
//! groups → sections (`table-list` → a matrix); the legacy spellings (`select one from L`,
//! `select all that apply from L`, `begin_group`, `label:English`, `list name`, `bind:relevant`,
//! `phone number` → text with a notice) are understood. Header and sheet names are matched
//! case-insensitively and trimmed; translated columns `label::Tiếng Việt (vi)` give language
//! `vi` (the code in parentheses, else the name; a bare `label` is the default language "").
//! The test set is `tests/xlsform-corpus` (copied from `shared/xlsform-corpus`, with the
//! expected outcome of each workbook in its README).

use std::collections::{BTreeMap, BTreeSet};
use std::io::Cursor;

use calamine::{Data, Reader};
use parindex_core::survey::{Choice, ChoiceList, Question, QuestionType, Questionnaire, Section, SurveyKind, Text, expr};

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// The form cannot be imported.
    Error,
    /// Something that changes what is collected is not imported (reported, never silent).
    Unsupported,
    /// Imported, but worth a look (a missing translation, an ignored column).
    Warning,
}

/// One diagnostic: where (sheet, 1-based row, question or list name) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diag {
    pub level: Level,
    pub sheet: String,
    pub row: Option<usize>,
    pub name: Option<String>,
    pub vi: String,
    pub en: String,
}

impl std::fmt::Display for Diag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.sheet)?;
        if let Some(r) = self.row {
            write!(f, ", dòng {r}")?;
        }
        if let Some(n) = &self.name {
            write!(f, " ({n})")?;
        }
        write!(f, ": {} / {}", self.vi, self.en)
    }
}

/// What an import gives: the questionnaire (none when refused) and every diagnostic.
#[derive(Debug, Clone, Default)]
pub struct Import {
    pub questionnaire: Option<Questionnaire>,
    pub diags: Vec<Diag>,
    /// Groups imported (each is a section).
    pub groups: usize,
}

impl Import {
    pub fn errors(&self) -> impl Iterator<Item = &Diag> {
        self.diags.iter().filter(|d| d.level == Level::Error)
    }

    pub fn unsupported(&self) -> impl Iterator<Item = &Diag> {
        self.diags.iter().filter(|d| d.level == Level::Unsupported)
    }

    pub fn warnings(&self) -> impl Iterator<Item = &Diag> {
        self.diags.iter().filter(|d| d.level == Level::Warning)
    }
}

/// A sheet as rows of trimmed text (1-based row numbers kept), blank rows skipped.
struct Sheet {
    name: String,
    rows: Vec<(usize, Vec<String>)>,
}

fn cell_text(d: &Data) -> String {
    match d {
        Data::Bool(true) => "TRUE".into(),
        Data::Bool(false) => "FALSE".into(),
        other => crate::table::cell_text(other),
    }
}

/// The workbook's sheets, read within [`crate::workbook::Limits`]: an `.xlsx` cell by cell, an
/// `.xls` after [`crate::xls_guard::check_xls`]; other formats (`.xlsb`, `.ods`) are refused.
/// The error is (vi, en), ready to show.
fn read_sheets(file_name: &str, bytes: &[u8]) -> Result<Vec<Sheet>, (String, String)> {
    let unreadable = |e: String| {
        (
            format!("Không đọc được tệp như một bảng tính .xlsx/.xls ({e}). Hãy lưu lại bằng Excel hoặc LibreOffice dạng .xlsx."),
            format!("Not a readable .xlsx/.xls workbook ({e}). Save it again from Excel or LibreOffice as .xlsx."),
        )
    };
    // a workbook refused for its size says so; any other failure to read it is "not readable"
    let refused = |e: Vec<parindex_core::unit::RowError>| match e.into_iter().next() {
        Some(r) if r.message.en.contains("too large") => (r.message.vi, r.message.en),
        Some(r) => unreadable(r.message.en),
        None => unreadable(String::new()),
    };
    let mut out = Vec::new();
    if bytes.starts_with(b"PK\x03\x04") {
        let mut wb = crate::workbook::Workbook::open(file_name, bytes).map_err(refused)?;
        let lim = wb.limits().clone();
        let mut kept = crate::workbook::Kept::new(file_name, &lim);
        for name in wb.sheet_names() {
            let mut rows = Vec::new();
            wb.visit_sheet(&name, cell_text, |line, cells| {
                kept.add(&cells, true)?;
                rows.push((line, cells));
                Ok(true)
            })
            .map_err(refused)?;
            out.push(Sheet { name, rows });
        }
        return Ok(out);
    }
    if !bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(unreadable("không phải .xlsx hay .xls / neither .xlsx nor .xls".into()));
    }
    crate::xls_guard::check_xls(file_name, bytes, &crate::workbook::Limits::current()).map_err(refused)?;
    let mut wb = crate::workbook::guarded(file_name, || calamine::Xls::new(Cursor::new(bytes))).map_err(refused)?;
    for name in wb.sheet_names() {
        let range = crate::workbook::guarded(file_name, || wb.worksheet_range(&name)).map_err(refused)?;
        let (row0, col0) = range.start().map(|(r, c)| (r as usize, c as usize)).unwrap_or((0, 0));
        let mut rows = Vec::new();
        for (i, r) in range.rows().enumerate() {
            let mut cells: Vec<String> = vec![String::new(); col0];
            cells.extend(r.iter().map(cell_text));
            while cells.last().is_some_and(|c| c.is_empty()) {
                cells.pop();
            }
            if !cells.is_empty() {
                rows.push((row0 + i + 1, cells));
            }
        }
        out.push(Sheet { name, rows });
    }
    Ok(out)
}

/// A header cell understood: the column (canonical name) and its language, if translated.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Col {
    name: String,
    lang: Option<String>,
}

const TRANSLATABLE: &[&str] =
    &["label", "hint", "constraint_message", "required_message", "image", "audio", "video", "media::image", "media::audio", "media::video"];

fn canonical(column: &str) -> String {
    let c = column.trim().to_lowercase();
    let c = c.split_whitespace().collect::<Vec<_>>().join(" ");
    match c.as_str() {
        "list name" | "list_name" => "list_name",
        "bind:relevant" | "relevance" | "relevant" => "relevant",
        "bind:constraint" | "constraint" => "constraint",
        "bind:required" | "required" => "required",
        "bind:readonly" | "readonly" | "read_only" => "read_only",
        "bind:calculate" | "calculation" => "calculation",
        "bind:jr:constraintmsg" | "jr:constraintmsg" | "constraint message" | "constraint_message" | "constraintmsg" => {
            "constraint_message"
        }
        "bind:jr:requiredmsg" | "jr:requiredmsg" | "required message" | "required_message" | "requiredmsg" => "required_message",
        "control:appearance" | "appearance" => "appearance",
        "media:image" | "media::image" | "image" => "image",
        "media:audio" | "media::audio" | "audio" => "audio",
        "media:video" | "media::video" | "video" => "video",
        "choice filter" | "choice_filter" => "choice_filter",
        "repeat count" | "repeat_count" | "jr:count" => "repeat_count",
        other => return other.to_string(),
    }
    .to_string()
}

/// `label::Tiếng Việt (vi)` → (label, vi); `label:english` → (label, english); `label` → (label, —).
fn parse_header(h: &str) -> Col {
    let h = h.trim();
    // `media::image::English (en)`: the column is two parts long
    let split = if h.to_lowercase().starts_with("media::") {
        h[7..].split_once("::").map(|(kind, lang)| (&h[..7 + kind.len()], lang))
    } else {
        h.split_once("::")
    };
    let (base, lang) = match split {
        Some((b, l)) => (b, Some(l)),
        None => {
            // the legacy single colon, only for translatable columns (bind:relevant is not a language)
            match h.split_once(':') {
                Some((b, l)) if TRANSLATABLE.contains(&canonical(b).as_str()) && !l.starts_with("jr") => (b, Some(l)),
                _ => (h, None),
            }
        }
    };
    let name = canonical(base);
    if !TRANSLATABLE.contains(&name.as_str()) {
        return Col { name: canonical(h), lang: None };
    }
    let lang = lang.map(|l| {
        let l = l.trim();
        match (l.rfind('('), l.ends_with(')')) {
            (Some(open), true) if l.len() - open <= 12 => l[open + 1..l.len() - 1].trim().to_string(),
            _ => l.to_string(),
        }
    });
    Col { name, lang }
}

/// A table: the header's columns by position, and the rows as maps.
struct Table {
    cols: Vec<Option<Col>>,
    rows: Vec<(usize, Vec<String>)>,
}

impl Table {
    fn get<'a>(&'a self, row: &'a [String], name: &str) -> &'a str {
        self.cols
            .iter()
            .position(|c| c.as_ref().is_some_and(|c| c.name == name && c.lang.is_none()))
            .and_then(|i| row.get(i))
            .map(String::as_str)
            .unwrap_or("")
    }

    /// Every language's text of a translatable column ("" = the bare column).
    fn text(&self, row: &[String], name: &str) -> Text {
        let mut t = Text::new();
        for (i, c) in self.cols.iter().enumerate() {
            if let Some(c) = c
                && c.name == name
                && let Some(v) = row.get(i).filter(|v| !v.is_empty())
            {
                t.insert(c.lang.clone().unwrap_or_default(), v.clone());
            }
        }
        t
    }

    fn has(&self, name: &str) -> bool {
        self.cols.iter().flatten().any(|c| c.name == name)
    }
}

fn table(sheet: &Sheet, diags: &mut Vec<Diag>, known: &[&str]) -> Table {
    let Some((hrow, header)) = sheet.rows.first().cloned() else { return Table { cols: vec![], rows: vec![] } };
    let mut cols = Vec::new();
    let mut seen: BTreeMap<Col, String> = BTreeMap::new();
    for h in &header {
        if h.is_empty() {
            cols.push(None);
            continue;
        }
        let c = parse_header(h);
        if let Some(first) = seen.get(&c) {
            diags.push(Diag {
                level: Level::Error,
                sheet: sheet.name.clone(),
                row: Some(hrow),
                name: None,
                vi: format!("Cột “{h}” trùng với cột “{first}” (cùng một cột dưới hai tên). Hãy xoá một cột."),
                en: format!("Column “{h}” duplicates “{first}” (one column under two names). Delete one of them."),
            });
        } else {
            seen.insert(c.clone(), h.clone());
        }
        if !known.contains(&c.name.as_str())
            && !c.name.starts_with("bind:")
            && !c.name.starts_with("instance::")
            && !c.name.starts_with("body::")
        {
            diags.push(warn(
                &sheet.name,
                Some(hrow),
                None,
                format!("Cột “{h}” không dùng, được bỏ qua."),
                format!("Column “{h}” is not used and is ignored."),
            ));
        }
        cols.push(Some(c));
    }
    let width = cols.len();
    let rows: Vec<(usize, Vec<String>)> = sheet.rows[1..].to_vec();
    // values under no header: one warning per column, with the rows
    let mut stray: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (r, cells) in &rows {
        for (i, c) in cells.iter().enumerate() {
            if !c.is_empty() && (i >= width || cols[i].is_none()) {
                stray.entry(i).or_default().push(*r);
            }
        }
    }
    for (i, rs) in stray {
        let rows_text = rs.iter().map(|r| r.to_string()).collect::<Vec<_>>().join(", ");
        diags.push(warn(
            &sheet.name,
            rs.first().copied(),
            None,
            format!("Cột {} không có tiêu đề nhưng có giá trị (dòng {rows_text}); các giá trị đó bị bỏ qua.", column_letter(i)),
            format!("Column {} has values (rows {rows_text}) but no header; they are ignored.", column_letter(i)),
        ));
    }
    Table { cols, rows }
}

/// An expression cell: empty is none; a boolean cell (`TRUE`, `FALSE`, as Excel stores
/// `=TRUE()`) is the XPath `true()` / `false()`.
fn expression_cell(v: &str) -> Option<String> {
    let v = v.trim();
    match v.to_ascii_lowercase().as_str() {
        "" => None,
        "true" => Some("true()".into()),
        "false" => Some("false()".into()),
        _ => Some(v.to_string()),
    }
}

/// A, B, …, Z, AA, … for a 0-based column index (`workbook::column_name`).
fn column_letter(i: usize) -> String {
    crate::workbook::column_name(u32::try_from(i).unwrap_or(u32::MAX))
}

fn warn(sheet: &str, row: Option<usize>, name: Option<&str>, vi: String, en: String) -> Diag {
    Diag { level: Level::Warning, sheet: sheet.into(), row, name: name.map(Into::into), vi, en }
}

fn diag(level: Level, sheet: &str, row: usize, name: &str, vi: String, en: String) -> Diag {
    Diag { level, sheet: sheet.into(), row: Some(row), name: (!name.is_empty()).then(|| name.to_string()), vi, en }
}

const SURVEY_COLUMNS: &[&str] = &[
    "type",
    "name",
    "label",
    "hint",
    "required",
    "relevant",
    "constraint",
    "constraint_message",
    "appearance",
    "required_message",
    "default",
    "read_only",
    "calculation",
    "choice_filter",
    "repeat_count",
    "image",
    "audio",
    "video",
    "media::image",
    "media::audio",
    "media::video",
    "parameters",
    "trigger",
    "autoplay",
    "rows",
    "buttontext",
    "noapperrorstring",
    "guidance_hint",
    "note",
    "notes",
    "parindex_element",
    "parindex_leaf",
];
const CHOICE_COLUMNS: &[&str] =
    &["list_name", "name", "label", "image", "audio", "video", "media::image", "media::audio", "media::video", "value", "parindex_weight"];
const SETTINGS_COLUMNS: &[&str] = &[
    "form_title",
    "form_id",
    "id_string",
    "version",
    "default_language",
    "name",
    "instance_name",
    "submission_url",
    "public_key",
    "style",
    "allow_choice_duplicates",
    "parindex_kind",
];

/// Types we do not import, with how to name them.
fn unsupported_type(t: &str) -> Option<&'static str> {
    Some(match t {
        "calculate" => "calculate",
        "date" | "time" | "datetime" => "date/time",
        "geopoint" | "gps" | "geotrace" | "geoshape" | "start-geopoint" => "geo",
        "image" | "photo" | "audio" | "video" | "file" | "barcode" | "background-audio" => "capture",
        "acknowledge" | "trigger" => "acknowledge",
        "hidden" => "hidden",
        "range" => "range",
        "start" | "end" | "today" | "deviceid" | "imei" | "simserial" | "phonenumber" | "subscriberid" | "username" | "email" | "audit"
        | "uri:deviceid" | "uri:email" | "uri:username" | "uri:phonenumber" | "uri:subscriberid" | "uri:simserial" | "get start time"
        | "get end time" | "get today" | "get device id" | "get subscriber id" | "get sim id" | "get phone number" => "metadata",
        "osm" => "osm",
        "xml-external" | "csv-external" => "external",
        "include" => "include",
        _ if t.starts_with("include ") => "include",
        _ if t.starts_with("select_one_external")
            || t.starts_with("select_one_from_file")
            || t.starts_with("select_multiple_from_file") =>
        {
            "external choices"
        }
        _ if t.starts_with("osm ") => "osm",
        _ => return None,
    })
}

/// Normalise a type cell: lower case, single spaces, the legacy spellings.
fn normalize_type(t: &str) -> (String, bool) {
    let mut t = t.trim().to_lowercase().split_whitespace().collect::<Vec<_>>().join(" ");
    let mut or_other = false;
    for suffix in [" or_other", " or specify other"] {
        if let Some(s) = t.strip_suffix(suffix) {
            t = s.to_string();
            or_other = true;
        }
    }
    let t = if let Some(l) = t.strip_prefix("select one from ") {
        format!("select_one {l}")
    } else if let Some(l) = t.strip_prefix("select all that apply from ") {
        format!("select_multiple {l}")
    } else if let Some(l) = t.strip_prefix("select one ") {
        format!("select_one {l}")
    } else if let Some(l) = t.strip_prefix("select all that apply ") {
        format!("select_multiple {l}")
    } else {
        match t.as_str() {
            "begin_group" => "begin group".into(),
            "end_group" => "end group".into(),
            "begin_repeat" => "begin repeat".into(),
            "end_repeat" => "end repeat".into(),
            "string" => "text".into(),
            "int" => "integer".into(),
            "select all that apply" => "select_multiple".into(),
            "select one" => "select_one".into(),
            "phone number" => "phone_number".into(),
            _ => t,
        }
    };
    (t, or_other)
}

fn closest(name: &str, wanted: &[&str]) -> Option<&'static str> {
    fn dist(a: &str, b: &str) -> usize {
        let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
        let mut prev: Vec<usize> = (0..=b.len()).collect();
        for i in 1..=a.len() {
            let mut cur = vec![i; b.len() + 1];
            for j in 1..=b.len() {
                cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + usize::from(a[i - 1] != b[j - 1]));
            }
            prev = cur;
        }
        prev[b.len()]
    }
    ["survey", "choices", "settings"].into_iter().find(|w| !wanted.contains(w) && name != *w && dist(name, w) <= 2)
}

/// One open container while reading the survey rows.
enum Open {
    Group {
        section: usize,
        relevant: Option<String>,
    },
    /// A repeat or loop: (kind, name, row, items inside).
    Skipped {
        what: &'static str,
        name: String,
        row: usize,
        items: usize,
    },
}

/// Import an XLSForm workbook. Never panics; a refused form has `questionnaire: None` and
/// every error in `diags`.
pub fn import_xlsform(file_name: &str, bytes: &[u8]) -> Import {
    let mut out = Import::default();
    let sheets = match read_sheets(file_name, bytes) {
        Ok(s) => s,
        Err((vi, en)) => {
            out.diags.push(Diag { level: Level::Error, sheet: file_name.into(), row: None, name: None, vi, en });
            return out;
        }
    };
    let d = &mut out.diags;
    let find = |n: &str| sheets.iter().find(|s| s.name.trim().eq_ignore_ascii_case(n));
    let survey = find("survey").or_else(|| if sheets.len() == 1 { sheets.first() } else { None });
    let Some(survey) = survey else {
        d.push(Diag {
            level: Level::Error,
            sheet: file_name.into(),
            row: None,
            name: None,
            vi: "Không có trang tính “survey”.".into(),
            en: "There is no “survey” sheet.".into(),
        });
        return out;
    };
    if !survey.name.trim().eq_ignore_ascii_case("survey") {
        d.push(warn(
            &survey.name,
            None,
            None,
            format!("Không có trang “survey”; dùng trang duy nhất “{}”.", survey.name),
            format!("No “survey” sheet; using the only sheet “{}”.", survey.name),
        ));
    }
    for s in &sheets {
        let lname = s.name.trim().to_lowercase();
        if ["external_choices", "entities", "osm"].contains(&lname.as_str()) && s.rows.len() > 1 {
            d.push(Diag {
                level: Level::Unsupported,
                sheet: s.name.clone(),
                row: None,
                name: None,
                vi: format!("Trang “{}” chưa được hỗ trợ; nội dung của nó không được nhập.", s.name),
                en: format!("The “{}” sheet is not supported; its content is not imported.", s.name),
            });
        } else if let Some(w) = closest(&lname, &[]) {
            d.push(warn(
                &s.name,
                None,
                None,
                format!("Trang “{}” giống “{w}” bị gõ sai; nó được bỏ qua.", s.name),
                format!("Sheet “{}” looks like a misspelled “{w}”; it is ignored.", s.name),
            ));
        }
    }
    // settings
    let mut settings: BTreeMap<String, String> = BTreeMap::new();
    if let Some(s) = find("settings") {
        let t = table(s, d, SETTINGS_COLUMNS);
        if let Some((_, row)) = t.rows.first() {
            for (i, c) in t.cols.iter().enumerate() {
                if let (Some(c), Some(v)) = (c, row.get(i)) {
                    settings.insert(c.name.clone(), v.trim().to_string());
                }
            }
        }
    }
    // choices
    let mut lists: Vec<ChoiceList> = Vec::new();
    let mut choice_rows: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    let mut choice_media = BTreeSet::new();
    if let Some(s) = find("choices") {
        let t = table(s, d, CHOICE_COLUMNS);
        let name_col = if t.has("name") { "name" } else { "value" };
        for (r, row) in &t.rows {
            let list = t.get(row, "list_name").trim().to_string();
            let key = t.get(row, name_col).trim().to_string();
            if list.is_empty() && key.is_empty() {
                continue;
            }
            if list.is_empty() || key.is_empty() {
                d.push(diag(
                    Level::Error,
                    &s.name,
                    *r,
                    &key,
                    "Lựa chọn thiếu tên danh sách (list_name) hoặc tên (name).".into(),
                    "A choice lacks its list_name or its name.".into(),
                ));
                continue;
            }
            if ["image", "audio", "video", "media::image", "media::audio", "media::video"].iter().any(|m| !t.text(row, m).is_empty()) {
                choice_media.insert(list.clone());
            }
            let rows = choice_rows.entry(list.clone()).or_default();
            if let Some(first) = rows.get(&key) {
                d.push(diag(
                    Level::Error,
                    &s.name,
                    *r,
                    &key,
                    format!("Danh sách “{list}” có lựa chọn “{key}” hai lần (dòng {first} và {r}). Hãy đổi tên một lựa chọn."),
                    format!("List “{list}” has the choice “{key}” twice (rows {first} and {r}). Rename one of them."),
                ));
                continue;
            }
            rows.insert(key.clone(), *r);
            let label = t.text(row, "label");
            let weight = match t.get(row, "parindex_weight").trim() {
                "" => None,
                w => match w.parse() {
                    Ok(x) => Some(x),
                    Err(_) => {
                        d.push(diag(
                            Level::Error,
                            &s.name,
                            *r,
                            &key,
                            format!("Trọng số “{w}” không phải là số (ví dụ 0,5 hoặc 1/3)."),
                            format!("The weight “{w}” is not a number (e.g. 0.5 or 1/3)."),
                        ));
                        None
                    }
                },
            };
            let c = Choice { key, label, weight };
            match lists.iter_mut().find(|l| l.name == list) {
                Some(l) => l.choices.push(c),
                None => lists.push(ChoiceList { name: list, choices: vec![c] }),
            }
        }
    }
    for l in &choice_media {
        d.push(Diag {
            level: Level::Unsupported,
            sheet: "choices".into(),
            row: choice_rows.get(l).and_then(|r| r.values().min().copied()),
            name: Some(l.clone()),
            vi: format!("Hình ảnh, âm thanh của các lựa chọn trong danh sách “{l}” không được nhập."),
            en: format!("Images or sound of the choices of list “{l}” are not imported."),
        });
    }
    for l in &mut lists {
        for c in l.choices.iter_mut().filter(|c| c.label.is_empty()) {
            c.label.insert(String::new(), c.key.clone());
        }
    }
    for l in &lists {
        if l.choices.iter().all(|c| c.label.len() == 1 && c.label.get("") == Some(&c.key)) {
            d.push(warn(
                "choices",
                None,
                Some(&l.name),
                format!("Các lựa chọn của “{}” không có nhãn; tên lựa chọn được dùng làm nhãn.", l.name),
                format!("The choices of “{}” have no label; their names are used as labels.", l.name),
            ));
        }
    }
    // survey rows
    let t = table(survey, d, SURVEY_COLUMNS);
    let sname = survey.name.clone();
    let mut sections: Vec<Section> =
        vec![Section { name: "chung".into(), label: Text::new(), relevant: None, matrix: false, questions: vec![] }];
    let mut current = 0usize;
    let mut stack: Vec<Open> = Vec::new();
    let mut names: BTreeMap<String, usize> = BTreeMap::new();
    let mut dropped: BTreeSet<String> = BTreeSet::new();
    let mut pending: Vec<(usize, String, String, String)> = Vec::new(); // (row, name, field, expression)
    for (r, row) in &t.rows {
        let (ty, or_other) = normalize_type(t.get(row, "type"));
        if ty.is_empty() {
            continue;
        }
        let name = t.get(row, "name").trim().to_string();
        // inside a repeat or loop: count, do not import
        if let Some(Open::Skipped { items, .. }) = stack.last_mut() {
            match ty.as_str() {
                "end repeat" | "end loop" => {}
                t if t.starts_with("begin ") => {
                    *items += 1;
                    stack.push(Open::Skipped { what: "nested", name: name.clone(), row: *r, items: 0 });
                    continue;
                }
                "end group" => {}
                _ => {
                    *items += 1;
                    if !name.is_empty() {
                        dropped.insert(name);
                    }
                    continue;
                }
            }
        }
        match ty.as_str() {
            "begin group" => {
                if let Some(Open::Skipped { .. }) = stack.last() {
                    continue;
                }
                let appearance = t.get(row, "appearance").to_lowercase();
                let label = t.text(row, "label");
                if label.is_empty() {
                    d.push(warn(&sname, Some(*r), Some(&name), "Nhóm không có nhãn.".into(), "The group has no label.".into()));
                }
                let parent_relevant = stack.iter().rev().find_map(|o| match o {
                    Open::Group { relevant, .. } => relevant.clone(),
                    _ => None,
                });
                let own = expression_cell(t.get(row, "relevant"));
                let relevant = match (parent_relevant, own) {
                    (Some(p), Some(o)) => Some(format!("({p}) and ({o})")),
                    (p, o) => o.or(p),
                };
                if let Some(rel) = &relevant {
                    pending.push((*r, name.clone(), "relevant".into(), rel.clone()));
                }
                sections.push(Section {
                    name: if name.is_empty() { format!("nhom_{}", sections.len()) } else { name.clone() },
                    label,
                    relevant: relevant.clone(),
                    matrix: appearance.split_whitespace().any(|a| a == "table-list"),
                    questions: vec![],
                });
                current = sections.len() - 1;
                out.groups += 1;
                stack.push(Open::Group { section: current, relevant });
                continue;
            }
            "end group" => {
                match stack.pop() {
                    Some(Open::Group { .. }) => {}
                    // a group inside a repeat or loop: skipped with it
                    Some(Open::Skipped { what: "nested", .. }) => continue,
                    Some(skipped @ Open::Skipped { .. }) => {
                        stack.push(skipped);
                        d.push(diag(
                            Level::Error,
                            &sname,
                            *r,
                            &name,
                            "“end group” nằm giữa một nhóm lặp chưa đóng.".into(),
                            "“end group” inside a repeat that is not closed.".into(),
                        ));
                        continue;
                    }
                    None => {
                        d.push(diag(
                            Level::Error,
                            &sname,
                            *r,
                            &name,
                            "“end group” không có “begin group” tương ứng.".into(),
                            "“end group” without a matching “begin group”.".into(),
                        ));
                        continue;
                    }
                }
                // questions after a nested group go back to the enclosing one (a continuation section)
                let parent = stack.iter().rev().find_map(|o| match o {
                    Open::Group { section, .. } => Some(*section),
                    _ => None,
                });
                let base = parent.map(|p| sections[p].clone());
                let (name, label, relevant, matrix) = match base {
                    Some(b) => (format!("{}_tiep", b.name), b.label, b.relevant, b.matrix),
                    None => (format!("chung_{}", sections.len()), Text::new(), None, false),
                };
                sections.push(Section { name, label, relevant, matrix, questions: vec![] });
                current = sections.len() - 1;
                continue;
            }
            "begin repeat" => {
                stack.push(Open::Skipped { what: "repeat", name: name.clone(), row: *r, items: 0 });
                continue;
            }
            t if t.starts_with("begin loop") => {
                stack.push(Open::Skipped { what: "loop", name: name.clone(), row: *r, items: 0 });
                continue;
            }
            "end repeat" | "end loop" => {
                match stack.pop() {
                    Some(Open::Skipped { what, name, row, items }) if what != "nested" => {
                        d.push(diag(
                            Level::Unsupported,
                            &sname,
                            row,
                            &name,
                            format!("Nhóm lặp ({what}) “{name}” với {items} mục bên trong chưa được hỗ trợ; không mục nào được nhập."),
                            format!(
                                "The {what} “{name}” with {items} item{} inside is not supported; none of them is imported.",
                                if items == 1 { "" } else { "s" }
                            ),
                        ));
                        dropped.insert(name);
                    }
                    Some(Open::Skipped { .. }) => {}
                    other => {
                        if let Some(o) = other {
                            stack.push(o);
                        }
                        d.push(diag(
                            Level::Error,
                            &sname,
                            *r,
                            &name,
                            format!("“{ty}” không có phần mở tương ứng."),
                            format!("“{ty}” without a matching begin."),
                        ))
                    }
                }
                continue;
            }
            _ => {}
        }
        if let Some(what) = unsupported_type(&ty) {
            d.push(diag(
                Level::Unsupported,
                &sname,
                *r,
                &name,
                format!("Loại câu hỏi “{ty}” ({what}) chưa được hỗ trợ; câu này không được nhập."),
                format!("Question type “{ty}” ({what}) is not supported; this question is not imported."),
            ));
            if !name.is_empty() {
                dropped.insert(name);
            }
            continue;
        }
        let (head, list) = match ty.split_once(' ') {
            Some((h, l)) => (h.to_string(), Some(l.trim().to_string())),
            None => (ty.clone(), None),
        };
        let appearance = t.get(row, "appearance").to_lowercase();
        let kind = match head.as_str() {
            "text" if ty == "text" => Some(if appearance.contains("multiline") { QuestionType::LongText } else { QuestionType::ShortText }),
            "integer" if list.is_none() => Some(QuestionType::Integer),
            "decimal" if list.is_none() => Some(QuestionType::Decimal),
            "note" if list.is_none() => Some(QuestionType::Note),
            "select_one" => {
                Some(if appearance.split_whitespace().any(|a| a == "likert") { QuestionType::Likert } else { QuestionType::SingleChoice })
            }
            "select_multiple" => Some(QuestionType::MultipleChoice { max: None }),
            "rank" => Some(QuestionType::Rank { pick: None }),
            "phone_number" => {
                d.push(warn(
                    &sname,
                    Some(*r),
                    Some(&name),
                    "Loại cũ “phone number” được nhập thành câu trả lời dạng chữ.".into(),
                    "The legacy “phone number” type is imported as a text question.".into(),
                ));
                Some(QuestionType::ShortText)
            }
            _ => None,
        };
        let Some(mut kind) = kind else {
            d.push(diag(
                Level::Error,
                &sname,
                *r,
                &name,
                format!("Không biết loại câu hỏi “{}”.", t.get(row, "type").trim()),
                format!("Unknown question type “{}”.", t.get(row, "type").trim()),
            ));
            continue;
        };
        if kind.uses_list() && list.is_none() {
            d.push(diag(
                Level::Error,
                &sname,
                *r,
                &name,
                format!("Loại “{ty}” thiếu tên danh sách lựa chọn (ví dụ “{ty} co_khong”)."),
                format!("Type “{ty}” has no choice-list name (e.g. “{ty} yes_no”)."),
            ));
            continue;
        }
        if let Some(l) = &list
            && !lists.iter().any(|x| &x.name == l)
        {
            d.push(diag(
                Level::Error,
                &sname,
                *r,
                &name,
                format!("“{head}” dùng danh sách “{l}” không có trong trang choices."),
                format!("“{head}” references choice list “{l}”, which is not on the choices sheet."),
            ));
            continue;
        }
        if name.is_empty() {
            d.push(diag(Level::Error, &sname, *r, "", "Câu hỏi thiếu tên (name).".into(), "The question has no name.".into()));
            continue;
        }
        if let Some(first) = names.get(&name) {
            d.push(diag(
                Level::Error,
                &sname,
                *r,
                &name,
                format!("Tên “{name}” đã dùng ở dòng {first}."),
                format!("The name “{name}” is already used at row {first}."),
            ));
            continue;
        }
        names.insert(name.clone(), *r);
        if kind == QuestionType::Likert && lists.iter().find(|x| Some(&x.name) == list.as_ref()).is_some_and(|l| l.choices.len() != 5) {
            d.push(warn(
                &sname,
                Some(*r),
                Some(&name),
                "appearance=likert nhưng danh sách không có đúng 5 mức: nhập thành câu chọn một.".into(),
                "appearance=likert but the list does not have exactly 5 levels: imported as single choice.".into(),
            ));
            kind = QuestionType::SingleChoice;
        }
        // features that change what is collected
        for (col, what_vi, what_en) in [
            ("default", "giá trị mặc định", "default value"),
            ("read_only", "chỉ đọc", "read-only"),
            ("calculation", "công thức tính", "calculation"),
            ("choice_filter", "lọc lựa chọn (choice_filter)", "choice_filter"),
            ("repeat_count", "số lần lặp", "repeat_count"),
        ] {
            let v = t.get(row, col);
            if !(v.is_empty() || col == "read_only" && matches!(v.to_lowercase().as_str(), "no" | "false" | "false()")) {
                d.push(diag(
                    Level::Unsupported,
                    &sname,
                    *r,
                    &name,
                    format!("Thuộc tính {what_vi} (“{v}”) không được nhập."),
                    format!("The {what_en} (“{v}”) is not imported."),
                ));
            }
        }
        if or_other {
            d.push(diag(
                Level::Unsupported,
                &sname,
                *r,
                &name,
                "Lựa chọn “khác, ghi rõ” (or_other) không được nhập.".into(),
                "The “other, specify” option (or_other) is not imported.".into(),
            ));
        }
        if ["image", "audio", "video", "media::image", "media::audio", "media::video"].iter().any(|m| !t.text(row, m).is_empty()) {
            d.push(diag(
                Level::Unsupported,
                &sname,
                *r,
                &name,
                "Hình ảnh, âm thanh kèm câu hỏi không được nhập.".into(),
                "Images or sound attached to the question are not imported.".into(),
            ));
        }
        let required = matches!(t.get(row, "required").to_lowercase().as_str(), "yes" | "true" | "true()" | "1");
        let relevant = expression_cell(t.get(row, "relevant"));
        let constraint = expression_cell(t.get(row, "constraint"));
        if let QuestionType::MultipleChoice { max } = &mut kind
            && let Some(c) = &constraint
        {
            let compact: String = c.chars().filter(|c| !c.is_whitespace()).collect();
            *max = compact.strip_prefix("count-selected(.)<=").and_then(|n| n.parse().ok());
        }
        for (field, e) in [("relevant", &relevant), ("constraint", &constraint)] {
            if let Some(e) = e {
                pending.push((*r, name.clone(), field.into(), e.clone()));
            }
        }
        let label = t.text(row, "label");
        if label.is_empty() && kind != QuestionType::Note {
            d.push(warn(&sname, Some(*r), Some(&name), "Câu hỏi không có nhãn.".into(), "The question has no label.".into()));
        }
        sections[current].questions.push(Question {
            name,
            kind,
            label,
            hint: t.text(row, "hint"),
            required,
            relevant,
            constraint,
            constraint_message: t.text(row, "constraint_message"),
            list,
            element: t.get(row, "parindex_element").trim().parse().ok(),
            leaf: Some(t.get(row, "parindex_leaf").trim().to_string()).filter(|l| !l.is_empty()),
        });
    }
    for o in stack {
        match o {
            Open::Group { section, .. } => d.push(warn(
                &sname,
                None,
                Some(&sections[section].name),
                "Nhóm chưa có “end group”; coi như kết thúc ở cuối trang.".into(),
                "A group has no “end group”; it is closed at the end of the sheet.".into(),
            )),
            Open::Skipped { what, name, row, items } => {
                d.push(diag(
                    Level::Unsupported,
                    &sname,
                    row,
                    &name,
                    format!("Nhóm lặp ({what}) “{name}” với {items} mục chưa được hỗ trợ; không mục nào được nhập."),
                    format!("The {what} “{name}” with {items} items is not supported; none of them is imported."),
                ));
            }
        }
    }
    // expressions: readable, and naming questions of the form
    let mut bad_exprs: BTreeSet<(String, String)> = BTreeSet::new();
    for (r, name, field, text) in &pending {
        match expr::parse(text) {
            Err(e) => {
                d.push(diag(
                    Level::Unsupported,
                    &sname,
                    *r,
                    name,
                    format!("{field} “{text}” không đọc được ({}); điều kiện này không được nhập.", e.vi),
                    format!("{field} “{text}” cannot be read ({}); the condition is not imported.", e.en),
                ));
                bad_exprs.insert((name.clone(), field.clone()));
            }
            Ok(e) => {
                for r2 in e.refs() {
                    if names.contains_key(r2) {
                        continue;
                    }
                    if dropped.contains(r2) {
                        d.push(diag(
                            Level::Unsupported,
                            &sname,
                            *r,
                            name,
                            format!("{field} dựa vào “{r2}”, một trường không được nhập; điều kiện này không được nhập."),
                            format!("{field} depends on “{r2}”, a field that is not imported; the condition is not imported."),
                        ));
                    } else {
                        d.push(diag(
                            Level::Error,
                            &sname,
                            *r,
                            name,
                            format!("{field} nhắc đến ${{{r2}}}, không phải câu hỏi nào trong phiếu."),
                            format!("{field} references ${{{r2}}}, which is not a question in the form."),
                        ));
                    }
                    bad_exprs.insert((name.clone(), field.clone()));
                }
            }
        }
    }
    for s in &mut sections {
        if bad_exprs.contains(&(s.name.clone(), "relevant".into())) {
            s.relevant = None;
        }
        for q in &mut s.questions {
            if bad_exprs.contains(&(q.name.clone(), "relevant".into())) {
                q.relevant = None;
            }
            if bad_exprs.contains(&(q.name.clone(), "constraint".into())) {
                q.constraint = None;
            }
        }
    }
    // notes and labels that show fields not imported
    for (s, q) in sections.iter().flat_map(|s| s.questions.iter().map(move |q| (s, q))) {
        let _ = s;
        for text in q.label.values() {
            for r2 in text.split("${").skip(1).filter_map(|x| x.split_once('}').map(|p| p.0)) {
                if !names.contains_key(r2) {
                    d.push(warn(
                        &sname,
                        names.get(&q.name).copied(),
                        Some(&q.name),
                        format!("Nhãn hiển thị ${{{r2}}}, một trường không được nhập; sẽ hiện nguyên văn."),
                        format!("The label shows ${{{r2}}}, a field that is not imported; it will show literally."),
                    ));
                }
            }
        }
    }
    // translation gaps
    let langs: BTreeSet<String> = sections.iter().flat_map(|s| s.questions.iter()).flat_map(|q| q.label.keys().cloned()).collect();
    if langs.len() > 1 {
        for q in sections.iter().flat_map(|s| s.questions.iter()) {
            let missing: Vec<&str> =
                langs.iter().filter(|l| !q.label.contains_key(*l)).map(|l| if l.is_empty() { "(mặc định)" } else { l.as_str() }).collect();
            if !missing.is_empty() && !q.label.is_empty() {
                d.push(warn(
                    &sname,
                    names.get(&q.name).copied(),
                    Some(&q.name),
                    format!("Thiếu bản dịch nhãn: {}.", missing.join(", ")),
                    format!("Label translation missing: {}.", missing.join(", ")),
                ));
            }
        }
    }
    sections.retain(|s| !s.questions.is_empty());
    let answerable = sections.iter().flat_map(|s| s.questions.iter()).filter(|q| q.kind != QuestionType::Note).count();
    if answerable == 0 && sections.iter().all(|s| s.questions.is_empty()) && !d.iter().any(|x| x.level == Level::Error) {
        d.push(Diag {
            level: Level::Error,
            sheet: sname.clone(),
            row: None,
            name: None,
            vi: "Phiếu không có câu hỏi nào để nhập.".into(),
            en: "The form has no questions to import.".into(),
        });
    }
    if d.iter().any(|x| x.level == Level::Error) {
        return out;
    }
    let mut languages: Vec<String> = langs.into_iter().collect();
    let default = settings.get("default_language").map(|l| parse_header(&format!("label::{l}")).lang.unwrap_or_default());
    if let Some(def) = &default
        && let Some(i) = languages.iter().position(|l| l == def)
    {
        let l = languages.remove(i);
        languages.insert(0, l);
    }
    let title_text =
        settings.get("form_title").cloned().unwrap_or_else(|| file_name.trim_end_matches(".xlsx").trim_end_matches(".xls").to_string());
    let code = settings.get("form_id").or(settings.get("id_string")).cloned().unwrap_or_else(|| title_text.clone());
    let used: BTreeSet<&str> = sections.iter().flat_map(|s| s.questions.iter()).filter_map(|q| q.list.as_deref()).collect();
    lists.retain(|l| used.contains(l.name.as_str()));
    out.questionnaire = Some(Questionnaire {
        code,
        title: [(default.clone().unwrap_or_default(), title_text)].into(),
        kind: if settings.get("parindex_kind").map(String::as_str) == Some("officials") {
            SurveyKind::Officials
        } else {
            SurveyKind::Citizens
        },
        version: settings.get("version").cloned().unwrap_or_default(),
        languages,
        sample: false,
        sections,
        lists,
    });
    out
}

/// Read a questionnaire file of either kind, told apart by content: an XLSForm workbook
/// (`.xlsx`/`.xlsm` are ZIP, `.xls` is OLE) or our YAML/JSON (`surveys/samples/*.yaml`).
pub fn import_file(file_name: &str, bytes: &[u8]) -> Import {
    let workbook = bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]);
    let lower = file_name.to_lowercase();
    if workbook || lower.ends_with(".xlsx") || lower.ends_with(".xls") || lower.ends_with(".xlsm") {
        return import_xlsform(file_name, bytes);
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Import {
            diags: vec![Diag {
                level: Level::Error,
                sheet: file_name.into(),
                row: None,
                name: None,
                vi: "Tệp không phải XLSForm (.xlsx, .xls) hay YAML (UTF-8).".into(),
                en: "The file is neither an XLSForm workbook (.xlsx, .xls) nor YAML (UTF-8).".into(),
            }],
            ..Default::default()
        };
    };
    match crate::survey::parse_questionnaire(file_name, text) {
        Ok(q) => Import { groups: q.sections.len(), questionnaire: Some(q), diags: vec![] },
        Err(problems) => Import {
            diags: problems
                .into_iter()
                .map(|p| Diag { level: Level::Error, sheet: file_name.into(), row: None, name: Some(p.place), vi: p.vi, en: p.en })
                .collect(),
            ..Default::default()
        },
    }
}

/// The XLSForm column header of a translated column: `label::Tiếng Việt (vi)` for the codes we
/// know by name, `label::xx` otherwise, bare `label` for the default language "".
fn header_for(column: &str, lang: &str) -> String {
    match lang {
        "" => column.to_string(),
        "vi" => format!("{column}::Tiếng Việt (vi)"),
        "en" => format!("{column}::English (en)"),
        other => format!("{column}::{other}"),
    }
}

/// Write a questionnaire as an XLSForm workbook (`survey`, `choices`, `settings`) that ODK
/// Collect and KoboToolbox load: Likert → `select_one` with `appearance=likert`, a matrix →
/// a `table-list` group, the maximum of a multiple choice as its constraint. Our links travel in
/// extra columns that other tools ignore (`parindex_element`, `parindex_leaf`,
/// `parindex_weight`, setting `parindex_kind`), so that importing the file back gives the same
/// questionnaire.
pub fn export_xlsform(q: &Questionnaire) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let langs: Vec<String> = if q.languages.is_empty() { vec![String::new()] } else { q.languages.clone() };
    let bold = Format::new().set_bold();
    let mut wb = Workbook::new();
    // survey
    let mut header: Vec<String> = vec!["type".into(), "name".into()];
    for col in ["label", "hint"] {
        header.extend(langs.iter().map(|l| header_for(col, l)));
    }
    header.extend(["required", "relevant", "constraint"].map(String::from));
    header.extend(langs.iter().map(|l| header_for("constraint_message", l)));
    header.extend(["appearance", "parindex_element", "parindex_leaf"].map(String::from));
    let col = |name: &str| header.iter().position(|h| h == name).expect("known column");
    let ws = wb.add_worksheet().set_name("survey")?;
    for (c, h) in header.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, h, &bold)?;
    }
    ws.set_freeze_panes(1, 0)?;
    let mut r = 1u32;
    let put_text = |ws: &mut rust_xlsxwriter::Worksheet, r: u32, column: &str, t: &Text| -> Result<(), rust_xlsxwriter::XlsxError> {
        for l in &langs {
            if let Some(v) = t.get(l).or_else(|| if langs.len() == 1 { t.values().next() } else { None }) {
                ws.write_string(r, col(&header_for(column, l)) as u16, v)?;
            }
        }
        Ok(())
    };
    for s in &q.sections {
        let grouped = !s.name.is_empty();
        if grouped {
            ws.write_string(r, 0, "begin group")?;
            ws.write_string(r, 1, &s.name)?;
            put_text(ws, r, "label", &s.label)?;
            if let Some(rel) = &s.relevant {
                ws.write_string(r, col("relevant") as u16, rel)?;
            }
            if s.matrix {
                ws.write_string(r, col("appearance") as u16, "table-list")?;
            }
            r += 1;
        }
        for x in &s.questions {
            let list = x.list.as_deref().unwrap_or("");
            let (ty, appearance) = match &x.kind {
                QuestionType::Likert => (format!("select_one {list}"), "likert"),
                QuestionType::SingleChoice => (format!("select_one {list}"), ""),
                QuestionType::MultipleChoice { .. } => (format!("select_multiple {list}"), ""),
                QuestionType::Rank { .. } => (format!("rank {list}"), ""),
                QuestionType::Integer => ("integer".into(), ""),
                QuestionType::Decimal => ("decimal".into(), ""),
                QuestionType::ShortText => ("text".into(), ""),
                QuestionType::LongText => ("text".into(), "multiline"),
                QuestionType::Note => ("note".into(), ""),
            };
            ws.write_string(r, 0, &ty)?;
            ws.write_string(r, 1, &x.name)?;
            put_text(ws, r, "label", &x.label)?;
            put_text(ws, r, "hint", &x.hint)?;
            if x.required {
                ws.write_string(r, col("required") as u16, "yes")?;
            }
            if let Some(rel) = &x.relevant {
                ws.write_string(r, col("relevant") as u16, rel)?;
            }
            let constraint = match (&x.constraint, &x.kind) {
                (Some(c), _) => Some(c.clone()),
                (None, QuestionType::MultipleChoice { max: Some(m) }) => Some(format!("count-selected(.) <= {m}")),
                _ => None,
            };
            if let Some(c) = constraint {
                ws.write_string(r, col("constraint") as u16, &c)?;
            }
            put_text(ws, r, "constraint_message", &x.constraint_message)?;
            if !appearance.is_empty() {
                ws.write_string(r, col("appearance") as u16, appearance)?;
            }
            if let Some(e) = x.element {
                ws.write_number(r, col("parindex_element") as u16, f64::from(e))?;
            }
            if let Some(l) = &x.leaf {
                ws.write_string(r, col("parindex_leaf") as u16, l)?;
            }
            r += 1;
        }
        if grouped {
            ws.write_string(r, 0, "end group")?;
            r += 1;
        }
    }
    // choices
    let ws = wb.add_worksheet().set_name("choices")?;
    let mut ch: Vec<String> = vec!["list_name".into(), "name".into()];
    ch.extend(langs.iter().map(|l| header_for("label", l)));
    ch.push("parindex_weight".into());
    for (c, h) in ch.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, h, &bold)?;
    }
    ws.set_freeze_panes(1, 0)?;
    let mut r = 1u32;
    for l in &q.lists {
        for c in &l.choices {
            ws.write_string(r, 0, &l.name)?;
            ws.write_string(r, 1, &c.key)?;
            for (i, lang) in langs.iter().enumerate() {
                if let Some(v) = c.label.get(lang).or_else(|| if langs.len() == 1 { c.label.values().next() } else { None }) {
                    ws.write_string(r, 2 + i as u16, v)?;
                }
            }
            if let Some(w) = &c.weight {
                ws.write_string(r, 2 + langs.len() as u16, w.to_string())?;
            }
            r += 1;
        }
    }
    // settings
    let ws = wb.add_worksheet().set_name("settings")?;
    let default = langs.first().cloned().unwrap_or_default();
    let title = q.title.get(&default).or_else(|| q.title.values().next()).cloned().unwrap_or_default();
    let kind = match q.kind {
        SurveyKind::Citizens => "citizens",
        SurveyKind::Officials => "officials",
    };
    let settings = [
        ("form_title", title),
        ("form_id", q.code.clone()),
        ("version", q.version.clone()),
        (
            "default_language",
            if default.is_empty() { String::new() } else { header_for("", &default).trim_start_matches("::").to_string() },
        ),
        ("parindex_kind", kind.to_string()),
    ];
    for (c, (k, v)) in settings.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *k, &bold)?;
        ws.write_string(1, c as u16, v)?;
    }
    wb.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn our_sample_goes_to_xlsform_and_back_unchanged() {
        let (name, text) = crate::survey::SAMPLES[0];
        let q = crate::survey::parse_questionnaire(name, text).expect("sample");
        let bytes = export_xlsform(&q).expect("export");
        let back = import_xlsform("sipas.xlsx", &bytes);
        let got = back.questionnaire.clone().unwrap_or_else(|| panic!("{:#?}", back.diags));
        assert_eq!(back.unsupported().count() + back.errors().count(), 0, "{:#?}", back.diags);
        // the same questions, lists, languages, links; sections keep their names
        let strip = |mut x: Questionnaire| {
            x.sample = false;
            x.title.retain(|k, _| k == "vi");
            x
        };
        assert_eq!(strip(got), strip(q));
    }

    #[test]
    fn headers() {
        assert_eq!(parse_header("label::Tiếng Việt (vi)"), Col { name: "label".into(), lang: Some("vi".into()) });
        assert_eq!(parse_header("LABEL::EN"), Col { name: "label".into(), lang: Some("EN".into()) });
        assert_eq!(parse_header("label:english"), Col { name: "label".into(), lang: Some("english".into()) });
        assert_eq!(parse_header("bind:relevant"), Col { name: "relevant".into(), lang: None });
        assert_eq!(parse_header("bind:jr:constraintMsg"), Col { name: "constraint_message".into(), lang: None });
        assert_eq!(parse_header("constraint_message::English (en)"), Col { name: "constraint_message".into(), lang: Some("en".into()) });
        assert_eq!(parse_header(" list name "), Col { name: "list_name".into(), lang: None });
        assert_eq!(parse_header("media::audio::chinese"), Col { name: "audio".into(), lang: Some("chinese".into()) });
        assert_eq!(parse_header("media::image"), Col { name: "image".into(), lang: None });
        assert_eq!(
            (expression_cell("FALSE"), expression_cell(" "), expression_cell("0")),
            (Some("false()".into()), None, Some("0".into()))
        );
        assert_eq!(normalize_type("select one from yes_or_no"), ("select_one yes_or_no".into(), false));
        assert_eq!(normalize_type("select_multiple  happy_sad"), ("select_multiple happy_sad".into(), false));
        assert_eq!(normalize_type("select all that apply from toilet_type or specify other"), ("select_multiple toilet_type".into(), true));
        assert_eq!(closest("stettings", &[]), Some("settings"));
        assert_eq!(closest("changelog", &[]), None);
        assert_eq!(
            (column_letter(0), column_letter(3), column_letter(25), column_letter(26), column_letter(701)),
            ("A".into(), "D".into(), "Z".into(), "AA".into(), "ZZ".into())
        );
    }
}
