//! Bounded reading of uploaded workbooks (issue #15): no file, however crafted, may make the
//! process allocate more than a bounded amount or abort.
//!
//! How:
//! - **XLSX** — before any parser sees the file, [`check_zip`] streams every part of the archive
//!   through a small buffer and refuses the workbook when a part's declared *or actual*
//!   uncompressed size passes its limit, when the parts together pass [`Limits::total_bytes`]
//!   (deflate bombs), when a run of XML text or a tag is longer than [`Limits::token_bytes`]
//!   (the XML reader buffers one token), or when the shared-string table declares or holds more
//!   strings than [`Limits::shared_strings`] (calamine reserves by the declared count). Then the
//!   sheets are read **cell by cell** (calamine's `worksheet_cells_reader`), never as a dense
//!   range: a used range is what the cells present make it, and a cell at `XFD1048576` costs one
//!   cell, not 17 billion. Rows, columns, kept cells and kept text are counted while reading.
//! - **XLS** (BIFF8, only the XLSForm importer accepts it) — calamine parses an `.xls` whole and
//!   builds dense ranges, reserving by the sheet's declared dimension; [`crate::xls_guard`]
//!   walks the compound file and its records first and refuses a sheet whose declared or actual
//!   extent passes [`Limits::dense_cells`].
//!
//! A refusal is a [`RowError`] naming the file, the sheet and the cell or part, the limit and
//! what to do. Limits are the named constants below; an office that needs more rows sets
//! `import_max_rows` in the configuration ([`set_max_rows`]).

use std::io::{Cursor, Read, Seek};
use std::sync::atomic::{AtomicUsize, Ordering};

use calamine::{Data, Reader, Xlsx};
use parindex_core::Msg;
use parindex_core::unit::RowError;

/// Data rows kept in one table (units, self-scores, frameworks…); the configuration key
/// `import_max_rows` changes it.
pub const MAX_ROWS: usize = 100_000;
/// Rows of a sheet read as a stream without being kept (survey responses): Excel's own limit.
pub const MAX_STREAM_ROWS: usize = 1_048_576;
/// Columns an import reads; a value further right is refused.
pub const MAX_COLUMNS: usize = 1_024;
/// Cells kept for one file, counted as each row's width (empty cells inside a row count).
pub const MAX_CELLS: usize = 2_000_000;
/// Bytes of text kept for one file, and for one row.
pub const MAX_TEXT_BYTES: usize = 64 << 20;
pub const MAX_ROW_TEXT_BYTES: usize = 4 << 20;
/// Uncompressed bytes of one worksheet part (read as a stream).
pub const MAX_SHEET_PART_BYTES: u64 = 512 << 20;
/// Uncompressed bytes of any other part (the shared strings, styles, workbook: read whole).
pub const MAX_OTHER_PART_BYTES: u64 = 32 << 20;
/// Uncompressed bytes of all parts together.
pub const MAX_TOTAL_BYTES: u64 = 768 << 20;
/// Longest run of XML text or tag between `<` and `>` (Excel's cell holds 32,767 characters).
pub const MAX_TOKEN_BYTES: usize = 1 << 20;
/// Strings in the shared-string table.
pub const MAX_SHARED_STRINGS: usize = 1_000_000;
/// Parts in one archive.
pub const MAX_PARTS: usize = 10_000;
/// Cells of one sheet's extent in an `.xls` (calamine builds it densely: ~40 bytes a cell).
pub const MAX_DENSE_CELLS: u64 = 2_000_000;

static MAX_ROWS_SET: AtomicUsize = AtomicUsize::new(MAX_ROWS);

/// Set the rows kept per table (the `import_max_rows` configuration key), at start-up.
pub fn set_max_rows(rows: usize) {
    MAX_ROWS_SET.store(rows.max(1), Ordering::Relaxed);
}

/// The limits in force.
#[derive(Debug, Clone)]
pub struct Limits {
    pub rows: usize,
    pub stream_rows: usize,
    pub columns: usize,
    pub cells: usize,
    pub text_bytes: usize,
    pub row_text_bytes: usize,
    pub sheet_part_bytes: u64,
    pub other_part_bytes: u64,
    pub total_bytes: u64,
    pub token_bytes: usize,
    pub shared_strings: usize,
    pub parts: usize,
    pub dense_cells: u64,
}

impl Limits {
    pub fn current() -> Limits {
        Limits {
            rows: MAX_ROWS_SET.load(Ordering::Relaxed),
            stream_rows: MAX_STREAM_ROWS,
            columns: MAX_COLUMNS,
            cells: MAX_CELLS,
            text_bytes: MAX_TEXT_BYTES,
            row_text_bytes: MAX_ROW_TEXT_BYTES,
            sheet_part_bytes: MAX_SHEET_PART_BYTES,
            other_part_bytes: MAX_OTHER_PART_BYTES,
            total_bytes: MAX_TOTAL_BYTES,
            token_bytes: MAX_TOKEN_BYTES,
            shared_strings: MAX_SHARED_STRINGS,
            parts: MAX_PARTS,
            dense_cells: MAX_DENSE_CELLS,
        }
    }
}

pub(crate) fn file_error(vi: String, en: String) -> Vec<RowError> {
    vec![RowError { row: 0, field: "-".into(), message: Msg::new(vi, en) }]
}

/// The first bytes of an OLE compound file (legacy `.xls`, encrypted `.xlsx`).
pub(crate) const COMPOUND_FILE: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Run a third-party parser, turning a panic inside it into "cannot open this workbook": a
/// backstop — the checks before each call are what keep hostile files out.
pub(crate) fn guarded<T, E: std::fmt::Display>(file_name: &str, f: impl FnOnce() -> Result<T, E>) -> Result<T, Vec<RowError>> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(bad_workbook(file_name, e)),
        Err(_) => Err(bad_workbook(file_name, "tệp hỏng / the file is damaged")),
    }
}

pub(crate) fn bad_workbook(file_name: &str, e: impl std::fmt::Display) -> Vec<RowError> {
    file_error(
        format!("Không mở được sổ tính “{file_name}” ({e}). Hãy mở bằng Excel và lưu lại dạng .xlsx, hoặc dùng tệp mẫu."),
        format!("Cannot open the workbook “{file_name}” ({e}). Open it in Excel and save it as .xlsx, or use the template."),
    )
}

/// A workbook refused for its size: what is too large, and the limit.
pub(crate) fn too_large(file_name: &str, what_vi: String, what_en: String) -> Vec<RowError> {
    file_error(
        format!(
            "Sổ tính “{file_name}” quá lớn để nhập: {what_vi}. Không có gì được ghi. Hãy bỏ phần thừa hoặc chia nhỏ tệp, rồi tải lên lại."
        ),
        format!(
            "The workbook “{file_name}” is too large to import: {what_en}. Nothing was written. Remove what is not needed or split the file, then upload it again."
        ),
    )
}

/// Excel's column name of a 0-based column index (0 → A, 16383 → XFD).
pub fn column_name(mut col: u32) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

/// Check every part of a ZIP (XLSX) archive against the limits, streaming each through a small
/// buffer: nothing is kept. See the module header.
pub fn check_zip(file_name: &str, bytes: &[u8], lim: &Limits) -> Result<(), Vec<RowError>> {
    if bytes.starts_with(&COMPOUND_FILE) {
        // an .xls, or an .xlsx encrypted with a password (Office wraps those in a compound file)
        return Err(file_error(
            format!(
                "Sổ tính “{file_name}” là tệp Excel cũ (.xls) hoặc sổ tính có đặt mật khẩu. Hãy mở bằng Excel, bỏ mật khẩu nếu có, lưu lại dạng .xlsx rồi tải lên lại."
            ),
            format!(
                "The workbook “{file_name}” is an old Excel file (.xls) or a password-protected workbook. Open it in Excel, remove any password, save it as .xlsx and upload it again."
            ),
        ));
    }
    if !bytes.starts_with(b"PK\x03\x04") {
        // a zip archive starts with its first entry; anything before it is not an .xlsx
        return Err(bad_workbook(file_name, "không phải tệp .xlsx / not an .xlsx file"));
    }
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| bad_workbook(file_name, e))?;
    if zip.len() > lim.parts {
        return Err(too_large(
            file_name,
            format!("có {} phần trong tệp nén (tối đa {})", zip.len(), lim.parts),
            format!("{} parts in the archive (at most {})", zip.len(), lim.parts),
        ));
    }
    let mut total = 0u64;
    let mut buf = vec![0u8; 64 << 10];
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).map_err(|e| bad_workbook(file_name, e))?;
        if part.is_dir() {
            continue;
        }
        let name = part.name().map(|n| n.to_string()).unwrap_or_else(|_| format!("#{i}"));
        let lower = name.to_ascii_lowercase();
        let limit =
            if lower.starts_with("xl/worksheets/") && lower.ends_with(".xml") { lim.sheet_part_bytes } else { lim.other_part_bytes };
        let part_too_large = |size: u64| {
            too_large(
                file_name,
                format!("phần “{name}” giải nén ra {} (tối đa {})", mib(size), mib(limit)),
                format!("the part “{name}” unpacks to {} (at most {})", mib(size), mib(limit)),
            )
        };
        if part.size() > limit {
            return Err(part_too_large(part.size()));
        }
        let xml = lower.ends_with(".xml") || lower.ends_with(".rels") || lower.ends_with(".vml");
        let shared = lower.ends_with("sharedstrings.xml");
        let mut scan = XmlScan::default();
        let mut size = 0u64;
        loop {
            let n = match part.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) => return Err(bad_workbook(file_name, format!("{name}: {e}"))),
            };
            size += n as u64;
            total += n as u64;
            if size > limit {
                return Err(part_too_large(size));
            }
            if total > lim.total_bytes {
                return Err(too_large(
                    file_name,
                    format!("các phần giải nén ra hơn {} (tối đa {})", mib(total), mib(lim.total_bytes)),
                    format!("its parts unpack to more than {} (at most {})", mib(total), mib(lim.total_bytes)),
                ));
            }
            if xml {
                scan.feed(&buf[..n], shared);
                if scan.longest > lim.token_bytes {
                    return Err(too_large(
                        file_name,
                        format!(
                            "phần “{name}” có một đoạn văn bản hoặc thẻ dài hơn {} (tối đa {})",
                            mib(scan.longest as u64),
                            mib(lim.token_bytes as u64)
                        ),
                        format!(
                            "the part “{name}” has a text or tag longer than {} (at most {})",
                            mib(scan.longest as u64),
                            mib(lim.token_bytes as u64)
                        ),
                    ));
                }
            }
        }
        if shared {
            let declared = scan.declared.unwrap_or(0);
            let n = scan.si.max(declared);
            if n > lim.shared_strings as u64 {
                return Err(too_large(
                    file_name,
                    format!("bảng chuỗi dùng chung có {n} chuỗi (tối đa {})", lim.shared_strings),
                    format!("the shared-string table has {n} strings (at most {})", lim.shared_strings),
                ));
            }
        }
    }
    Ok(())
}

fn mib(bytes: u64) -> String {
    if bytes >= 1 << 20 { format!("{} MiB", bytes >> 20) } else { format!("{} KiB", bytes.div_ceil(1024)) }
}

/// A streaming look at XML bytes: the longest run without `<` or `>`, the `<si` elements and
/// the `uniqueCount`/`count` the shared-string table declares.
#[derive(Default)]
struct XmlScan {
    run: usize,
    longest: usize,
    window: [u8; 3],
    si: u64,
    /// The first bytes, until the `<sst …>` tag is complete, to read its counts.
    head: Vec<u8>,
    declared: Option<u64>,
    head_done: bool,
}

impl XmlScan {
    fn feed(&mut self, bytes: &[u8], shared: bool) {
        for &b in bytes {
            if b == b'<' || b == b'>' {
                self.run = 0;
            } else {
                self.run += 1;
                if self.run > self.longest {
                    self.longest = self.run;
                }
            }
            if shared {
                if self.window == *b"<si" && matches!(b, b'>' | b' ' | b'/' | b'\t' | b'\r' | b'\n') {
                    self.si += 1;
                }
                self.window = [self.window[1], self.window[2], b];
            }
        }
        if shared && !self.head_done {
            self.head.extend_from_slice(&bytes[..bytes.len().min(8192)]);
            let head = String::from_utf8_lossy(&self.head).into_owned();
            if let Some(start) = head.find("<sst")
                && let Some(end) = head[start..].find('>')
            {
                let tag = &head[start..start + end];
                self.declared = ["uniqueCount=", "count="]
                    .iter()
                    .filter_map(|attr| {
                        let at = tag.find(attr)? + attr.len();
                        let digits: String = tag[at..].trim_start_matches(['"', '\'']).chars().take_while(char::is_ascii_digit).collect();
                        Some(digits.parse::<u64>().unwrap_or(u64::MAX))
                    })
                    .max();
                self.head_done = true;
            }
            if self.head.len() >= 8192 {
                self.head_done = true;
            }
            if self.head_done {
                self.head = Vec::new();
            }
        }
    }
}

/// How a cell reads as text for one importer.
pub type CellText = fn(&Data) -> String;

/// An XLSX workbook opened after [`check_zip`] passed.
pub struct Workbook<'a> {
    file_name: String,
    xlsx: Xlsx<Cursor<&'a [u8]>>,
    lim: Limits,
}

impl<'a> Workbook<'a> {
    pub fn open(file_name: &str, bytes: &'a [u8]) -> Result<Workbook<'a>, Vec<RowError>> {
        let lim = Limits::current();
        check_zip(file_name, bytes, &lim)?;
        let xlsx = guarded(file_name, || Xlsx::new(Cursor::new(bytes)))?;
        Ok(Workbook { file_name: file_name.to_string(), xlsx, lim })
    }

    pub fn sheet_names(&self) -> Vec<String> {
        self.xlsx.sheet_names()
    }

    pub fn limits(&self) -> &Limits {
        &self.lim
    }

    /// Visit the rows of one sheet that have a non-empty cell, in order, each with its Excel row
    /// number and its cells from column A to its last non-empty one (trimmed text). `visit`
    /// returns `Ok(false)` to stop. Per-row limits are checked here; what a caller keeps, it
    /// counts ([`Kept`]).
    pub fn visit_sheet(
        &mut self,
        sheet: &str,
        text: CellText,
        mut visit: impl FnMut(usize, Vec<String>) -> Result<bool, Vec<RowError>>,
    ) -> Result<(), Vec<RowError>> {
        visit_cells(&self.file_name, sheet, &self.lim, &mut self.xlsx, text, &mut visit)
    }
}

fn visit_cells<RS: Read + Seek>(
    file_name: &str,
    sheet: &str,
    lim: &Limits,
    xlsx: &mut Xlsx<RS>,
    text: CellText,
    visit: &mut dyn FnMut(usize, Vec<String>) -> Result<bool, Vec<RowError>>,
) -> Result<(), Vec<RowError>> {
    let mut cells = guarded(file_name, || xlsx.worksheet_cells_reader(sheet).map_err(|e| format!("{sheet}: {e}")))?;
    let mut current: Option<u32> = None;
    let mut row: Vec<String> = Vec::new();
    let mut row_text = 0usize;
    let mut rows = 0usize;
    while let Some(cell) = guarded(file_name, || cells.next_cell().map_err(|e| format!("{sheet}: {e}")))? {
        let (r, c) = cell.get_position();
        let value = text(&Data::from(cell.get_value().clone()));
        if value.is_empty() {
            continue;
        }
        if c as usize >= lim.columns {
            return Err(too_large(
                file_name,
                format!("trang “{sheet}” có dữ liệu ở ô {}{} — ngoài {} cột được đọc", column_name(c), r as u64 + 1, lim.columns),
                format!(
                    "the sheet “{sheet}” has data in cell {}{} — beyond the {} columns read",
                    column_name(c),
                    r as u64 + 1,
                    lim.columns
                ),
            ));
        }
        if current != Some(r) {
            if let Some(done) = current {
                if r < done {
                    return Err(file_error(
                        format!(
                            "Sổ tính “{file_name}”, trang “{sheet}”: các dòng không theo thứ tự (dòng {} sau dòng {}). Hãy mở bằng Excel và lưu lại.",
                            r + 1,
                            done + 1
                        ),
                        format!(
                            "The workbook “{file_name}”, sheet “{sheet}”: its rows are out of order (row {} after row {}). Open it in Excel and save it again.",
                            r + 1,
                            done + 1
                        ),
                    ));
                }
                rows += 1;
                if rows > lim.stream_rows {
                    return Err(too_large(
                        file_name,
                        format!("trang “{sheet}” có hơn {} dòng", lim.stream_rows),
                        format!("the sheet “{sheet}” has more than {} rows", lim.stream_rows),
                    ));
                }
                row_text = 0;
                if !visit(done as usize + 1, std::mem::take(&mut row))? {
                    return Ok(());
                }
            }
            current = Some(r);
        }
        row_text += value.len();
        if row_text > lim.row_text_bytes {
            return Err(too_large(
                file_name,
                format!("dòng {} của trang “{sheet}” có hơn {} văn bản", r + 1, mib(lim.row_text_bytes as u64)),
                format!("row {} of the sheet “{sheet}” holds more than {} of text", r + 1, mib(lim.row_text_bytes as u64)),
            ));
        }
        let c = c as usize;
        if row.len() <= c {
            row.resize(c + 1, String::new());
        }
        row[c] = value;
    }
    if let Some(done) = current {
        visit(done as usize + 1, row)?;
    }
    Ok(())
}

/// What a caller keeps of a workbook, counted against the limits as rows arrive.
pub struct Kept<'l> {
    file_name: String,
    lim: &'l Limits,
    rows: usize,
    cells: usize,
    text: usize,
}

impl<'l> Kept<'l> {
    pub fn new(file_name: &str, lim: &'l Limits) -> Kept<'l> {
        Kept { file_name: file_name.to_string(), lim, rows: 0, cells: 0, text: 0 }
    }

    /// Count one kept row (`data`: a data row, limited by [`Limits::rows`]).
    pub fn add(&mut self, row: &[String], data: bool) -> Result<(), Vec<RowError>> {
        if data {
            self.rows += 1;
            if self.rows > self.lim.rows {
                return Err(too_large(
                    &self.file_name,
                    format!("có hơn {} dòng dữ liệu", self.lim.rows),
                    format!("more than {} data rows", self.lim.rows),
                ));
            }
        }
        self.text += row.iter().map(String::len).sum::<usize>();
        self.pad(row.len().max(1))?;
        if self.text > self.lim.text_bytes {
            return Err(too_large(
                &self.file_name,
                format!("hơn {} văn bản", mib(self.lim.text_bytes as u64)),
                format!("more than {} of text", mib(self.lim.text_bytes as u64)),
            ));
        }
        Ok(())
    }

    /// Count `n` more kept cells (also the empty ones that pad a row to its table's width).
    pub fn pad(&mut self, n: usize) -> Result<(), Vec<RowError>> {
        self.cells += n;
        if self.cells > self.lim.cells {
            return Err(too_large(
                &self.file_name,
                format!("hơn {} ô (tính cả ô trống giữa các ô có dữ liệu)", self.lim.cells),
                format!("more than {} cells (counting empty cells between filled ones)", self.lim.cells),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_names() {
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(16383), "XFD");
    }

    #[test]
    fn shared_string_head_is_read() {
        let mut s = XmlScan::default();
        s.feed(br#"<?xml version="1.0"?><sst xmlns="x" count="5" uniqueCount="100000000000"><si><t>a</t></si><si/>"#, true);
        assert_eq!(s.declared, Some(100_000_000_000));
        assert_eq!(s.si, 2);
    }
}
