//! Criteria frameworks as YAML and XLSX, and the what-if inputs file.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = parindex_reports::framework::parse_framework_file("f.yaml", data);
    let _ = parindex_reports::framework_xlsx::parse_framework_xlsx("f.xlsx", data);
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = parindex_reports::framework::parse_inputs("i.yaml", text);
        let _ = parindex_reports::framework::parse_input_text(text);
    }
});
