//! The unit register import and the self-score sheet (with the leaves of a sample framework).
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    common::unwind_panics();
    let _ = parindex_reports::units::parse_units("u.xlsx", data);
    let _ = parindex_reports::self_scores::read_sheet("s.xlsx", data, &[]);
});
