//! Large tables written in constant memory (issue #7 item 4): an XLSX whose worksheet goes to a
//! temporary file row by row (rust_xlsxwriter's constant-memory mode: only the current row is
//! held; strings are written in place, not in a shared table), continued on a new sheet with
//! the same header when Excel's 1,048,576 rows are reached. CSV needs no help: lines are
//! written as they come (`responses::csv_cell`).

use std::path::Path;

use rust_xlsxwriter::{Format, Workbook, XlsxError};

/// One cell of a streamed row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    Text(&'a str),
    Number(f64),
    Empty,
}

/// Excel's last row index (0-based) of a sheet.
const LAST_ROW: u32 = 1_048_575;

/// A workbook being written row by row.
pub struct XlsxStream {
    wb: Workbook,
    sheet: String,
    header: Vec<String>,
    bold: Format,
    /// Sheets so far, and the next row of the current one.
    sheets: usize,
    row: u32,
    rows: u64,
}

impl XlsxStream {
    /// A workbook with one constant-memory sheet named `sheet` and a bold, frozen `header`;
    /// temporary files go to `tempdir` (the system's when none).
    pub fn new(sheet: &str, header: &[String], tempdir: Option<&Path>) -> Result<XlsxStream, XlsxError> {
        let mut wb = Workbook::new();
        if let Some(d) = tempdir {
            wb.set_tempdir(d)?;
        }
        wb.use_zip_large_file(true);
        // deflate at zlib's level 6 was 60 % of a million-row export's time; level 3 writes the
        // file in two thirds of that time, 16 % larger (docs/benchmarks.md)
        wb.set_zip_compression_level(3);
        let mut s = XlsxStream {
            wb,
            sheet: sheet.to_string(),
            header: header.to_vec(),
            bold: Format::new().set_bold().set_background_color("#DCE6F1"),
            sheets: 0,
            row: 0,
            rows: 0,
        };
        s.next_sheet()?;
        Ok(s)
    }

    fn next_sheet(&mut self) -> Result<(), XlsxError> {
        self.sheets += 1;
        let name = if self.sheets == 1 { self.sheet.clone() } else { format!("{}_{}", self.sheet, self.sheets) };
        let ws = self.wb.add_worksheet_with_constant_memory()?;
        ws.set_name(&name)?;
        for (c, h) in self.header.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, h, &self.bold)?;
            ws.set_column_width(c as u16, (h.chars().count() as f64 + 2.0).clamp(8.0, 40.0))?;
        }
        ws.set_freeze_panes(1, 0)?;
        self.row = 1;
        Ok(())
    }

    /// Append one row.
    pub fn row(&mut self, cells: &[Value<'_>]) -> Result<(), XlsxError> {
        if self.row > LAST_ROW {
            self.next_sheet()?;
        }
        let ws = self.wb.worksheet_from_index(self.sheets - 1)?;
        for (c, v) in cells.iter().enumerate() {
            match v {
                Value::Text(s) if !s.is_empty() => {
                    ws.write_string(self.row, c as u16, *s)?;
                }
                Value::Number(n) => {
                    ws.write_number(self.row, c as u16, *n)?;
                }
                _ => {}
            }
        }
        self.row += 1;
        self.rows += 1;
        Ok(())
    }

    /// Write the workbook to `path`; returns the rows written (without headers).
    pub fn finish(mut self, path: &Path) -> Result<u64, XlsxError> {
        self.wb.save(path)?;
        Ok(self.rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_stream_into_a_readable_workbook() {
        let dir = tempfile::tempdir().unwrap();
        let header = vec!["response_id".to_string(), "unit_code".to_string(), "q1".to_string()];
        let mut x = XlsxStream::new("responses", &header, Some(dir.path())).unwrap();
        for i in 0..1000 {
            x.row(&[
                Value::Number(f64::from(i)),
                Value::Text("UBND xã Chiềng Cọ"),
                if i % 2 == 0 { Value::Number(4.0) } else { Value::Empty },
            ])
            .unwrap();
        }
        let path = dir.path().join("r.xlsx");
        assert_eq!(x.finish(&path).unwrap(), 1000);
        let back = crate::table::read_workbook("r.xlsx", &std::fs::read(&path).unwrap()).unwrap();
        assert_eq!(back[0].0, "responses");
        assert_eq!(back[0].1.rows.len(), 1000);
    }
}
