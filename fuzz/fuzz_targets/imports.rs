//! The unit register import, the self-score sheet, a fed leaf's value table and the one-stop
//! statistics (with our headers and through a source's column mapping), the list of late files
//! of the public-apology register (issue #18), a unit's periodic report filled in its template
//! and the plan's tasks (issue #19).
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    common::unwind_panics();
    let _ = parindex_reports::units::parse_units("u.xlsx", data);
    let _ = parindex_reports::self_scores::read_sheet("s.xlsx", data, &[]);
    let rule = parindex_core::framework::Rule::Proportional;
    let max = parindex_core::Exact::ratio(2, 1);
    let leaf = parindex_reports::feed_values::LeafInfo { code: "3.3.1", title: "t", rule: &rule, max: &max };
    let units = ["SNV".to_string(), "STP".to_string()];
    let _ = parindex_reports::feed_values::read_values("v.xlsx", data, &leaf, &units);
    let _ = parindex_reports::onestop::read_stats_partly("m.csv", data, &Default::default(), Some("2026-03"));
    let mapping: std::collections::BTreeMap<String, String> =
        [("unit_code", "MaDV"), ("month", "Thang"), ("received_post", "-")].into_iter().map(|(k, v)| (k.into(), v.into())).collect();
    let _ = parindex_reports::onestop::read_stats_partly("m.xlsx", data, &mapping, None);
    let _ = parindex_reports::apology::read_cases("x.xlsx", data);
    let _ = parindex_reports::plan_tasks::read_tasks("t.xlsx", data);
    let form = parindex_reports::report_form::sample_form();
    if let Ok(raw) = parindex_reports::report_form::read_report_xlsx("r.xlsx", data, &form) {
        let _ = form.read(&raw);
    }
});
