//! The table reader every import starts from: CSV or XLSX by content, every sheet, streamed rows.
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    common::unwind_panics();
    let _ = parindex_reports::table::read_table("f.xlsx", data);
    let _ = parindex_reports::table::read_workbook("f.xlsx", data);
    let mut n = 0usize;
    let _ = parindex_reports::table::visit_rows("f.csv", data, |_, cells| {
        n += cells.len();
        n < 1_000_000
    });
    let _ = parindex_reports::xls_guard::check_xls("f.xls", data, &parindex_reports::workbook::Limits::current());
});
