//! Issue #15: every workbook importer refuses the crafted files of `parindex_reports::crafted`
//! with a message naming the file and what is too large — and returns (before this, the first
//! four aborted the process or took gigabytes).

use parindex_reports::crafted;
use parindex_reports::table::{read_table, read_workbook, visit_rows};

fn refused_text(e: &[parindex_core::unit::RowError]) -> String {
    e.iter().map(|r| format!("{} / {}", r.message.vi, r.message.en)).collect::<Vec<_>>().join("\n")
}

#[test]
fn every_reader_refuses_every_crafted_workbook() {
    for c in crafted::all() {
        let name = c.name;
        if !name.starts_with("xls-") {
            let e = read_table(c.file_name, &c.bytes).expect_err(name);
            let text = refused_text(&e);
            assert!(text.contains(c.file_name), "{name}: {text}");
            assert!(text.contains("quá lớn") || text.contains("hơn") || text.contains("cột"), "{name}: {text}");
            read_workbook(c.file_name, &c.bytes).expect_err(name);
            parindex_reports::units::parse_units(c.file_name, &c.bytes).expect_err(name);
            parindex_reports::self_scores::read_sheet(c.file_name, &c.bytes, &[]).expect_err(name);
            parindex_reports::framework_xlsx::parse_framework_xlsx(c.file_name, &c.bytes).expect_err(name);
        }
        let import = parindex_reports::xlsform::import_file(c.file_name, &c.bytes);
        assert!(import.questionnaire.is_none(), "{name}");
        let first = import.errors().next().unwrap_or_else(|| panic!("{name}: no error"));
        assert!(first.vi.contains("quá lớn") || first.vi.contains("hơn"), "{name}: {}", first.vi);
    }
}

#[test]
fn streamed_reading_refuses_what_cannot_stream() {
    // the survey responses path reads a row at a time: the rows bomb streams (each row is then
    // the caller's to judge), the others are refused before a row is seen
    for c in crafted::all().into_iter().filter(|c| !c.name.starts_with("xls-")) {
        let mut rows = 0usize;
        let r = visit_rows(c.file_name, &c.bytes, |_, _| {
            rows += 1;
            rows < 10
        });
        match c.name {
            "deflate-bomb-rows" => assert_eq!((r.is_ok(), rows), (true, 10)),
            "far-right-column" | "sparse-corners" => {
                // the header row arrives, the far cell is refused
                assert!(r.is_err(), "{}", c.name);
            }
            _ => assert!(r.is_err() && rows == 0, "{}: {rows}", c.name),
        }
    }
}

#[test]
fn sparse_cells_keep_their_places() {
    // a used range made of the cells present: B2 and D4 → rows 2 and 4, cells from column A
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(1, 1, "ma").unwrap();
    ws.write_string(1, 3, "ten").unwrap();
    ws.write_string(3, 3, "Sở Nội vụ").unwrap();
    ws.write_number(4, 1, 7.5).unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    let t = read_table("s.xlsx", &bytes).unwrap();
    assert_eq!(t.header, vec!["", "ma", "", "ten"]);
    assert_eq!(
        t.rows,
        vec![(4, vec!["".into(), "".into(), "".into(), "Sở Nội vụ".into()]), (5, vec!["".into(), "7.5".into(), "".into(), "".into()])]
    );
    let mut seen = Vec::new();
    visit_rows("s.xlsx", &bytes, |line, cells| {
        seen.push((line, cells.iter().map(|c| c.to_string()).collect::<Vec<_>>()));
        true
    })
    .unwrap();
    assert_eq!(seen[0], (2, vec!["".to_string(), "ma".into(), "".into(), "ten".into()]));
    assert_eq!(seen[2], (5, vec!["".to_string(), "7.5".into(), "".into(), "".into()]));
}

#[test]
fn the_xls_guard_passes_the_corpus_and_refuses_the_far_cell() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/xlsform-corpus/pyxform/tests");
    let mut seen = 0;
    for sub in ["example_xls", "bug_example_xls"] {
        for f in std::fs::read_dir(dir.join(sub)).unwrap() {
            let p = f.unwrap().path();
            if p.extension().is_some_and(|e| e == "xls") {
                let bytes = std::fs::read(&p).unwrap();
                parindex_reports::xls_guard::check_xls("x.xls", &bytes, &parindex_reports::workbook::Limits::current())
                    .unwrap_or_else(|e| panic!("{}: {}", p.display(), refused_text(&e)));
                seen += 1;
            }
        }
    }
    assert!(seen >= 9);
    let far = crafted::xls_far_cell().unwrap();
    let e = parindex_reports::xls_guard::check_xls("o-xa.xls", &far, &parindex_reports::workbook::Limits::current()).unwrap_err();
    assert!(refused_text(&e).contains("o-xa.xls"));
}

/// The fuzz crash of 2026-12-05: a compound file (an `.xls`, or an encrypted `.xlsx`) given where
/// an `.xlsx` is read went to calamine's password check, which indexed past the end of a
/// truncated file and panicked. Every reader now refuses it by its first bytes; truncated and
/// corrupted `.xls` files reach calamine only through a guard that turns its panics into "the
/// file is damaged". No reader may panic on any of these (a panic fails the test).
#[test]
fn compound_files_truncated_or_corrupted_are_refused_with_a_message() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/xlsform-corpus/pyxform/tests/example_xls");
    let xls = std::fs::read(dir.join("widgets.xls")).unwrap();
    // whole .xls where an .xlsx is read: named as old Excel or password-protected
    let name = "so-lieu.xlsx";
    let text = refused_text(&read_workbook(name, &xls).unwrap_err());
    assert!(text.contains(name) && text.contains(".xls") && text.contains("mật khẩu"), "{text}");
    let text = refused_text(&parindex_reports::units::parse_units(name, &xls).unwrap_err());
    assert!(text.contains("mật khẩu"), "{text}");
    let text = refused_text(&parindex_reports::self_scores::read_sheet(name, &xls, &[]).unwrap_err());
    assert!(text.contains("mật khẩu"), "{text}");
    // a zip that does not start with its first entry is not an .xlsx
    let mut prefixed = b"junk".to_vec();
    prefixed.extend_from_slice(&crafted::all()[0].bytes);
    assert!(refused_text(&read_workbook("a.xlsx", &prefixed).unwrap_err()).contains("a.xlsx"));
    // truncations at every sector and half sector, and sector pointers bent past the end
    let mut damaged: Vec<Vec<u8>> = (1..xls.len() / 256).map(|k| xls[..k * 256].to_vec()).collect();
    for at in (0x2C..0x200).step_by(4) {
        let mut d = xls.clone();
        d[at..at + 4].copy_from_slice(&0x0000_7FF0u32.to_le_bytes());
        damaged.push(d);
    }
    for (i, d) in damaged.iter().enumerate() {
        let import = parindex_reports::xlsform::import_file("hong.xls", d);
        if import.questionnaire.is_none() {
            let first = import.errors().next().unwrap_or_else(|| panic!("damaged #{i}: refused without a message"));
            assert!(!first.vi.is_empty() && !first.en.is_empty(), "damaged #{i}");
        }
        let _ = parindex_reports::xls_guard::check_xls("hong.xls", d, &parindex_reports::workbook::Limits::current());
        read_workbook("hong.xlsx", d).unwrap_err();
    }
}
