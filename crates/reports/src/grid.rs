//! A table for download — the results pages' "every table downloads as CSV and XLSX": one header
//! and rows of text or numbers. CSV (UTF-8 with BOM so Excel reads Vietnamese, numbers as exact
//! decimal text with a dot) and XLSX (numbers as numbers with the given decimals, frozen header,
//! filters, columns sized to their text).

use rust_xlsxwriter::{Format, Workbook, XlsxError};

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    /// The exact value as decimal text (written as is in CSV) and its value for a spreadsheet.
    Number {
        exact: String,
        value: f64,
    },
    Empty,
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }

    pub fn int(n: i64) -> Cell {
        Cell::Number { exact: n.to_string(), value: n as f64 }
    }

    /// An exact number shown with `decimals` places in the CSV (rounded half up) and stored as
    /// a number in the workbook.
    pub fn exact(x: &parindex_core::Exact, decimals: u32) -> Cell {
        Cell::Number { exact: x.to_decimal_string(decimals), value: x.to_f64() }
    }
}

/// CSV with a BOM, `\n` line ends, cells quoted when needed.
pub fn grid_csv(header: &[String], rows: &[Vec<Cell>]) -> Vec<u8> {
    let mut out = String::from("\u{feff}");
    let line = |cells: Vec<String>| crate::csv_out::line(cells);
    out.push_str(&line(header.to_vec()));
    out.push('\n');
    for r in rows {
        out.push_str(&line(
            r.iter()
                .map(|c| match c {
                    Cell::Text(s) => s.clone(),
                    Cell::Number { exact, .. } => exact.clone(),
                    Cell::Empty => String::new(),
                })
                .collect(),
        ));
        out.push('\n');
    }
    out.into_bytes()
}

/// One sheet named `sheet`: bold frozen header with filters; numbers with `decimals` places.
pub fn grid_xlsx(sheet: &str, header: &[String], rows: &[Vec<Cell>], decimals: u32) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold().set_background_color("#DCE6F1").set_text_wrap();
    let pattern = if decimals == 0 { "#,##0".to_string() } else { format!("#,##0.{}", "0".repeat(decimals as usize)) };
    let number = Format::new().set_num_format(&pattern);
    let ws = wb.add_worksheet().set_name(sheet)?;
    for (c, h) in header.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, h, &bold)?;
        let widest = rows
            .iter()
            .filter_map(|r| match r.get(c) {
                Some(Cell::Text(s)) => Some(s.chars().count()),
                Some(Cell::Number { exact, .. }) => Some(exact.len()),
                _ => None,
            })
            .chain([h.chars().count().min(24)])
            .max()
            .unwrap_or(8);
        ws.set_column_width(c as u16, (widest as f64 + 2.0).clamp(6.0, 60.0))?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32 + 1, c as u16);
            match cell {
                Cell::Text(s) => {
                    ws.write_string(r, c, s)?;
                }
                Cell::Number { exact, value } if exact.contains('.') => {
                    ws.write_number_with_format(r, c, *value, &number)?;
                }
                Cell::Number { value, .. } => {
                    ws.write_number(r, c, *value)?;
                }
                Cell::Empty => {}
            }
        }
    }
    ws.set_freeze_panes(1, 0)?;
    if !header.is_empty() {
        ws.autofilter(0, 0, rows.len() as u32, header.len() as u16 - 1)?;
    }
    wb.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;
    use parindex_core::Exact;

    #[test]
    fn csv_has_exact_decimals_and_xlsx_reads_back() {
        let header = vec!["Đơn vị".to_string(), "Chỉ số".to_string(), "Hạng".to_string()];
        let rows = vec![
            vec![Cell::text("Sở Tư pháp, tỉnh"), Cell::exact(&Exact::ratio(35, 16), 2), Cell::int(1)],
            vec![Cell::text("UBND xã"), Cell::Empty, Cell::Empty],
        ];
        let csv = String::from_utf8(grid_csv(&header, &rows)).unwrap();
        assert_eq!(csv, "\u{feff}Đơn vị,Chỉ số,Hạng\n\"Sở Tư pháp, tỉnh\",2.19,1\nUBND xã,,\n");
        let x = grid_xlsx("ket_qua", &header, &rows, 2).unwrap();
        let back = crate::table::read_workbook("k.xlsx", &x).unwrap();
        assert_eq!(back[0].0, "ket_qua");
    }
}
