//! The XLSForm importer (.xlsx and .xls) and the questionnaire YAML reader.
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    common::unwind_panics();
    let _ = parindex_reports::xlsform::import_file("f.xlsx", data);
    let _ = parindex_reports::xlsform::import_file("f.xls", data);
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = parindex_reports::survey::parse_questionnaire("f.yaml", text);
    }
});
