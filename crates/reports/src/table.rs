//! Reading a table (header + rows of text cells) from CSV or XLSX bytes, with errors that name
//! the file, the row and what to do. Format is decided by content, not by the file's name.

use calamine::Data;

use crate::workbook::{Kept, Workbook};
use parindex_core::Msg;
use parindex_core::unit::RowError;

/// Upper bound on data rows in one import file (the default; see [`crate::workbook::Limits`]).
pub use crate::workbook::MAX_ROWS;

/// A table read from a file: the header cells and the data rows, each with its row number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<(usize, Vec<String>)>,
}

use crate::workbook::file_error;

/// Read a CSV (UTF-8, with or without BOM; `,` `;` or tab separated) or an XLSX workbook
/// (first sheet).
pub fn read_table(file_name: &str, bytes: &[u8]) -> Result<Table, Vec<RowError>> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(file_error(
            format!("Tệp “{file_name}” trống. Hãy dùng tệp mẫu và điền ít nhất một dòng."),
            format!("The file “{file_name}” is empty. Use the template and fill in at least one row."),
        ));
    }
    let lower = file_name.to_lowercase();
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&crate::workbook::COMPOUND_FILE) {
        return read_xlsx(file_name, bytes);
    }
    if lower.ends_with(".xlsx") || lower.ends_with(".xls") || lower.ends_with(".xlsm") {
        return Err(file_error(
            format!(
                "Tệp “{file_name}” không phải là sổ tính Excel .xlsx hợp lệ (nội dung không đúng định dạng). Hãy mở bằng Excel và lưu lại dạng .xlsx, hoặc dùng tệp mẫu."
            ),
            format!(
                "“{file_name}” is not a valid .xlsx workbook (its content is not in that format). Open it in Excel and save it as .xlsx, or use the template."
            ),
        ));
    }
    read_csv(file_name, bytes)
}

/// A CSV file's text: no BOM, no binary, UTF-8 (or the message saying what to do).
fn read_table_text<'a>(file_name: &str, bytes: &'a [u8]) -> Result<&'a str, Vec<RowError>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.contains(&0) {
        return Err(file_error(
            format!("Tệp “{file_name}” là tệp nhị phân, không phải CSV hay XLSX. Hãy dùng tệp mẫu."),
            format!("“{file_name}” is a binary file, neither CSV nor XLSX. Use the template."),
        ));
    }
    match std::str::from_utf8(bytes) {
        Ok(t) => Ok(t),
        Err(e) => {
            let line = bytes[..e.valid_up_to()].iter().filter(|b| **b == b'\n').count() + 1;
            Err(vec![RowError {
                row: line,
                field: "-".into(),
                message: Msg::new(
                    format!(
                        "Tệp “{file_name}” không dùng bảng mã UTF-8 (có thể là Windows-1258 hoặc TCVN3); ký tự lỗi đầu tiên ở dòng {line}. Trong Excel chọn Lưu thành → “CSV UTF-8 (phân tách bằng dấu phẩy)”, rồi tải lên lại."
                    ),
                    format!(
                        "“{file_name}” is not UTF-8 encoded (perhaps Windows-1258 or TCVN3); the first bad character is on line {line}. In Excel choose Save As → “CSV UTF-8 (Comma delimited)” and upload again."
                    ),
                ),
            }])
        }
    }
}

fn read_csv(file_name: &str, bytes: &[u8]) -> Result<Table, Vec<RowError>> {
    let text = read_table_text(file_name, bytes)?;
    let mut header = None;
    let mut rows = Vec::new();
    let mut too_many_rows = false;
    visit_csv_text(file_name, text, |line, cells| {
        if header.is_none() {
            header = Some(cells.iter().map(|c| c.to_string()).collect());
        } else if rows.len() >= crate::workbook::Limits::current().rows {
            too_many_rows = true;
            return false;
        } else {
            rows.push((line, cells.iter().map(|c| c.to_string()).collect()));
        }
        true
    })?;
    if too_many_rows {
        return Err(too_many(file_name));
    }
    Ok(Table { header: header.unwrap_or_default(), rows })
}

/// Visit the non-empty lines of a CSV text (the delimiter guessed from the first line, cells
/// trimmed), with their line numbers, without keeping them: `visit` returns false to stop.
fn visit_csv_text(file_name: &str, text: &str, mut visit: impl FnMut(usize, &[&str]) -> bool) -> Result<(), Vec<RowError>> {
    let first_line = text.lines().next().unwrap_or("");
    let delim = [b',', b';', b'\t'].into_iter().max_by_key(|d| first_line.bytes().filter(|b| b == d).count()).unwrap_or(b',');
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delim).from_reader(text.as_bytes());
    let mut rec = csv::StringRecord::new();
    loop {
        match rdr.read_record(&mut rec) {
            Ok(false) => return Ok(()),
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map(|p| p.line() as usize).unwrap_or(0);
                return Err(vec![RowError {
                    row: line,
                    field: "-".into(),
                    message: Msg::new(
                        format!("Tệp “{file_name}”, dòng {line}: không đọc được dòng CSV ({e}). Kiểm tra dấu ngoặc kép."),
                        format!("“{file_name}”, line {line}: cannot read this CSV line ({e}). Check the quotes."),
                    ),
                }]);
            }
        }
        let line = rec.position().map(|p| p.line() as usize).unwrap_or(0);
        let cells: Vec<&str> = rec.iter().map(str::trim).collect();
        if cells.iter().any(|c| !c.is_empty()) && !visit(line, &cells) {
            return Ok(());
        }
    }
}

/// Visit the non-empty rows of a CSV or XLSX file (first sheet) one by one, header first, with
/// the row number a person sees (CSV line, Excel row) — for files too large to hold as a
/// [`Table`] (survey responses). `visit` returns false to stop.
pub fn visit_rows(file_name: &str, bytes: &[u8], mut visit: impl FnMut(usize, &[&str]) -> bool) -> Result<(), Vec<RowError>> {
    if bytes.starts_with(b"PK\x03\x04") {
        // streamed: a row at a time, nothing kept (only per-row limits apply)
        let mut wb = Workbook::open(file_name, bytes)?;
        let Some(sheet) = wb.sheet_names().into_iter().next() else { return Err(crate::workbook::bad_workbook(file_name, "no sheet")) };
        let mut width = 0;
        return wb.visit_sheet(&sheet, cell_text, |line, mut cells| {
            // rows as wide as the header (the columns the import maps), as the dense range gave
            if width == 0 {
                width = cells.len();
            }
            if cells.len() < width {
                cells.resize(width, String::new());
            }
            let refs: Vec<&str> = cells.iter().map(String::as_str).collect();
            Ok(visit(line, &refs))
        });
    }
    let t = read_table_text(file_name, bytes)?;
    visit_csv_text(file_name, t, visit)
}

fn too_many(file_name: &str) -> Vec<RowError> {
    let max = crate::workbook::Limits::current().rows;
    file_error(
        format!("Tệp “{file_name}” có hơn {max} dòng; hãy chia nhỏ tệp."),
        format!("“{file_name}” has more than {max} rows; split it."),
    )
}

pub(crate) fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => excel_serial_date(dt.as_f64()),
        Data::DateTimeIso(s) => s.chars().take(10).collect(),
        Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// An Excel serial day number (1900 system, after 1 March 1900) as `yyyy-MM-dd`.
fn excel_serial_date(serial: f64) -> String {
    let epoch = chrono::NaiveDate::from_ymd_opt(1899, 12, 30).expect("valid date");
    epoch.checked_add_signed(chrono::Duration::days(serial.floor() as i64)).map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default()
}

/// The first sheet of an XLSX workbook, or every sheet, as tables: the first non-empty row is
/// the header; empty rows are skipped; row numbers are the ones Excel shows; every row padded to
/// the table's width. Read cell by cell within [`crate::workbook::Limits`].
fn read_sheets(file_name: &str, bytes: &[u8], first_only: bool) -> Result<Vec<(String, Table)>, Vec<RowError>> {
    let mut wb = Workbook::open(file_name, bytes)?;
    let names = wb.sheet_names();
    if names.is_empty() {
        return Err(crate::workbook::bad_workbook(file_name, "no sheet"));
    }
    let lim = wb.limits().clone();
    let mut kept = Kept::new(file_name, &lim);
    let mut out = Vec::new();
    for sheet in names.into_iter().take(if first_only { 1 } else { usize::MAX }) {
        let mut header: Option<Vec<String>> = None;
        let mut rows = Vec::new();
        wb.visit_sheet(&sheet, cell_text, |line, cells| {
            kept.add(&cells, header.is_some())?;
            match header {
                None => header = Some(cells),
                Some(_) => rows.push((line, cells)),
            }
            Ok(true)
        })?;
        let header = header.unwrap_or_default();
        // the dense width the rows had before (header and rows aligned by column)
        let width = rows.iter().map(|r: &(usize, Vec<String>)| r.1.len()).chain([header.len()]).max().unwrap_or(0);
        let mut table = Table { header, rows };
        for cells in std::iter::once(&mut table.header).chain(table.rows.iter_mut().map(|r| &mut r.1)) {
            kept.pad(width - cells.len())?;
            cells.resize(width, String::new());
        }
        out.push((sheet, table));
    }
    Ok(out)
}

fn read_xlsx(file_name: &str, bytes: &[u8]) -> Result<Table, Vec<RowError>> {
    Ok(read_sheets(file_name, bytes, true)?.remove(0).1)
}

/// Every sheet of an XLSX workbook as a table, in workbook order.
pub fn read_workbook(file_name: &str, bytes: &[u8]) -> Result<Vec<(String, Table)>, Vec<RowError>> {
    read_sheets(file_name, bytes, false)
}

/// A column of an import format: its canonical name and the header spellings accepted for it
/// (compared after folding case and diacritics, with spaces as `_`).
pub struct Column {
    pub key: &'static str,
    pub aliases: &'static [&'static str],
    pub required: bool,
}

/// Map header cells to columns. Unknown and missing columns are errors on row 1.
pub fn map_header(file_name: &str, header: &[String], columns: &[Column]) -> Result<Vec<Option<usize>>, Vec<RowError>> {
    let norm = |s: &str| parindex_core::text::fold(s).trim().replace([' ', '-'], "_");
    let mut index: Vec<Option<usize>> = vec![None; columns.len()];
    let mut errors = Vec::new();
    for (i, h) in header.iter().enumerate() {
        let n = norm(h);
        if n.is_empty() {
            continue;
        }
        match columns.iter().position(|c| c.key == n || c.aliases.contains(&n.as_str())) {
            Some(c) if index[c].is_some() => errors.push(RowError {
                row: 1,
                field: h.clone(),
                message: Msg::new(format!("Cột “{h}” bị lặp lại."), format!("The column “{h}” appears twice.")),
            }),
            Some(c) => index[c] = Some(i),
            None => errors.push(RowError {
                row: 1,
                field: h.clone(),
                message: Msg::new(
                    format!("Tệp “{file_name}”: cột “{h}” không thuộc mẫu. Các cột hợp lệ: {}.", keys(columns)),
                    format!("“{file_name}”: the column “{h}” is not part of the template. Valid columns: {}.", keys(columns)),
                ),
            }),
        }
    }
    for (c, ix) in columns.iter().zip(&index) {
        if c.required && ix.is_none() {
            errors.push(RowError {
                row: 1,
                field: c.key.into(),
                message: Msg::new(
                    format!("Tệp “{file_name}” thiếu cột bắt buộc “{}”. Hãy dùng tệp mẫu.", c.key),
                    format!("“{file_name}” lacks the required column “{}”. Use the template.", c.key),
                ),
            });
        }
    }
    if errors.is_empty() { Ok(index) } else { Err(errors) }
}

fn keys(columns: &[Column]) -> String {
    columns.iter().map(|c| c.key).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_with_bom_and_semicolons() {
        let t = read_table("a.csv", "\u{feff}ma;ten\nA;Sở Nội vụ\n\n;\nB;\"Xã, có dấu phẩy\"\n".as_bytes()).unwrap();
        assert_eq!(t.header, vec!["ma", "ten"]);
        assert_eq!(t.rows, vec![(2, vec!["A".into(), "Sở Nội vụ".into()]), (5, vec!["B".into(), "Xã, có dấu phẩy".into()])]);
    }

    #[test]
    fn non_utf8_names_the_line() {
        let mut bytes = b"code,name\nA,ok\nB,".to_vec();
        bytes.push(0xD0); // Windows-1258 "Đ"
        let e = read_table("u.csv", &bytes).unwrap_err();
        assert_eq!(e[0].row, 3);
        assert!(e[0].message.vi.contains("UTF-8"));
    }

    #[test]
    fn binary_named_xlsx_is_refused() {
        let e = read_table("big.xlsx", &[7u8; 4096]).unwrap_err();
        assert!(e[0].message.en.contains("not a valid .xlsx"));
        let e = read_table("big.csv", &[0u8, 1, 2]).unwrap_err();
        assert!(e[0].message.en.contains("binary"));
        let e = read_table("empty.csv", b"  \n").unwrap_err();
        assert!(e[0].message.en.contains("empty"));
    }
}
