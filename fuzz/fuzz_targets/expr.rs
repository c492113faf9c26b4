//! The XLSForm expression parser (relevant, constraint).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = parindex_core::survey::expr::parse(text);
    }
});
