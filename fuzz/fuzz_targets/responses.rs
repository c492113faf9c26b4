//! Survey responses (CSV/XLSX, ODK/Kobo exports) mapped onto the SIPAS sample questionnaire,
//! and the SIPAS computation straight from a responses file.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    static Q: std::sync::OnceLock<parindex_core::survey::Questionnaire> = std::sync::OnceLock::new();
    let q = Q.get_or_init(|| {
        parindex_reports::survey::parse_questionnaire("sipas.yaml", parindex_reports::survey::SAMPLES[0].1).expect("the sample")
    });
    let mut mapper = None;
    let _ = parindex_reports::table::visit_rows("r.csv", data, |_, cells| {
        match &mapper {
            None => match parindex_reports::responses::Mapper::new(q, cells) {
                Ok(m) => mapper = Some(m),
                Err(_) => return false,
            },
            Some(m) => {
                let _ = m.row(cells);
            }
        }
        true
    });
    let _ = parindex_core::sipas::tally_csv(data, 1);
});
