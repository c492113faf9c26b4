//! Criteria frameworks as YAML and XLSX, the what-if inputs file, report forms (YAML) with a
//! report read, checked and consolidated through a form that reads, and inspection checklists.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = parindex_reports::framework::parse_framework_file("f.yaml", data);
    let _ = parindex_reports::framework_xlsx::parse_framework_xlsx("f.xlsx", data);
    if let Ok(form) = parindex_reports::report_form::read_form("f.yaml", data) {
        // a form that reads is used: every cell of it filled from the input's bytes
        let mut raw = std::collections::HashMap::new();
        let mut bytes = data.iter().cycle();
        for s in &form.sections {
            raw.insert(format!("n.{}", s.key), "x".into());
            if let Some(t) = &s.table {
                for r in &t.rows {
                    for c in &t.columns {
                        let v = bytes.next().map(|b| (b % 50).to_string()).unwrap_or_default();
                        raw.insert(parindex_core::reporting::cell_field(&s.key, &r.key, &c.key), v);
                    }
                }
            }
        }
        let (content, _) = form.read(&raw);
        let _ = form.problems(&content, true);
        let c = form.consolidate(&[("a".into(), &content), ("b".into(), &content)]);
        let _ = parindex_reports::report_form::report_blocks(&form, &c, true);
        let _ = form.fill_from_onestop(&parindex_core::onestop::Counts { received_online: data.len() as i64, ..Default::default() });
    }
    if let Ok(checklist) = parindex_reports::inspection::read_checklist("c.yaml", data) {
        let _ = checklist.items();
        let _ = parindex_reports::inspection::checklist_to_yaml(&checklist);
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = parindex_reports::framework::parse_inputs("i.yaml", text);
        let _ = parindex_reports::framework::parse_input_text(text);
    }
});
