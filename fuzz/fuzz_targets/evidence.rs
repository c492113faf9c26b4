//! The sniffing of uploaded evidence files (the kind by content, ZIP parts for Office files).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = parindex_reports::evidence::detect(std::io::Cursor::new(data));
});
