//! Inspection checklists (issue #20) as files: read from YAML or JSON with the size bounded
//! before parsing and every problem of the definition named with its place
//! (`parindex_core::inspections::Checklist::check`); the sample checklists shipped in
//! `inspection-checklists/` (reform, records and archives, internal affairs).

use parindex_core::Msg;
use parindex_core::inspections::Checklist;

/// The largest checklist file read (300 items with their texts are far below).
pub const MAX_CHECKLIST_BYTES: usize = 512 * 1024;

/// The sample checklists: (file name, text).
pub const SAMPLES: &[(&str, &str)] = &[
    ("kiem-tra-cchc.yaml", include_str!("../../../inspection-checklists/kiem-tra-cchc.yaml")),
    ("kiem-tra-van-thu-luu-tru.yaml", include_str!("../../../inspection-checklists/kiem-tra-van-thu-luu-tru.yaml")),
    ("kiem-tra-noi-vu.yaml", include_str!("../../../inspection-checklists/kiem-tra-noi-vu.yaml")),
];

/// Read a checklist: either one with no problem, or every problem (the file's name, the line
/// and column of a syntax error; `section.item` of the others).
pub fn read_checklist(file: &str, bytes: &[u8]) -> Result<Checklist, Vec<Msg>> {
    let checklist: Checklist =
        crate::yaml_file::read_yaml(file, bytes, MAX_CHECKLIST_BYTES, ("bảng kiểm", "checklist"), "docs/inspections.md")?;
    let problems = checklist.check();
    if problems.is_empty() {
        return Ok(checklist);
    }
    Err(problems
        .into_iter()
        .map(|p| {
            let place = if p.place.is_empty() { file.to_string() } else { format!("{file} [{}]", p.place) };
            Msg::new(format!("{place}: {}", p.message.vi), format!("{place}: {}", p.message.en))
        })
        .collect())
}

/// A checklist as YAML, read back by [`read_checklist`].
pub fn checklist_to_yaml(checklist: &Checklist) -> String {
    yaml_serde::to_string(checklist).unwrap_or_default()
}

/// The sample checklists, read.
pub fn samples() -> Vec<Checklist> {
    SAMPLES.iter().map(|(name, text)| read_checklist(name, text.as_bytes()).expect("the sample checklists are valid")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_read_and_round_trip() {
        let all = samples();
        assert_eq!(all.iter().map(|c| c.topic.as_str()).collect::<Vec<_>>(), vec!["cchc", "van_thu_luu_tru", "noi_vu"]);
        for c in &all {
            let back = read_checklist("lai.yaml", checklist_to_yaml(c).as_bytes()).unwrap();
            assert_eq!(&back, c, "text → checklist → text is lossless");
        }
        assert!(all[0].items().iter().any(|(k, _, i)| k == "tthc.cong_khai" && i.legal_basis.is_some()));
    }

    #[test]
    fn bad_files_say_where() {
        let big = vec![b'a'; MAX_CHECKLIST_BYTES + 1];
        assert!(read_checklist("lon.yaml", &big).unwrap_err()[0].vi.contains("lớn quá 512 KB"));
        assert!(read_checklist("nhi-phan.yaml", &[0xff, 0xfe]).unwrap_err()[0].vi.contains("UTF-8"));
        let e = read_checklist("sai.yaml", b"code: a\ntopic: b\ntitle: [").unwrap_err();
        assert!(e[0].vi.starts_with("sai.yaml:3:") && e[0].en.contains("docs/inspections.md"), "{e:?}");
        let e = read_checklist("lap.yaml", b"code: a\ntopic: b\ntitle: T\nsections:\n  - key: s\n    title: S\n    items:\n      - { key: x, title: X }\n      - { key: x, title: Y }\n").unwrap_err();
        assert_eq!(e.len(), 1);
        assert!(e[0].vi.starts_with("lap.yaml [s.x]:"), "{e:?}");
        assert!(read_checklist("la.yaml", b"code: a\ntopic: b\ntitle: T\nsections: []\nextra: 1\n").unwrap_err()[0].vi.contains("extra"));
    }
}
