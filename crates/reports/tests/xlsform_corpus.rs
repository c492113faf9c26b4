//! The XLSForm importer against its conformance corpus (`tests/xlsform-corpus`, copied from
//! `shared/xlsform-corpus`; its README gives the expected outcome of every workbook): the
//! verdict (import / import and report / refuse), the questions and groups imported, and the
//! diagnostics each file must produce — every unsupported item named by row, never dropped
//! silently; every error of a refused form listed at once; no panic on any file.

use std::path::PathBuf;

use parindex_core::survey::QuestionType;
use parindex_reports::xlsform::{Import, Level, import_xlsform};

fn corpus(path: &str) -> Import {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/xlsform-corpus").join(path);
    let bytes = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    import_xlsform(p.file_name().unwrap().to_str().unwrap(), &bytes)
}

fn py(path: &str) -> Import {
    corpus(&format!("pyxform/tests/{path}"))
}

/// Questions imported (notes included), by type code.
fn count(i: &Import, ty: &str) -> usize {
    i.questionnaire.as_ref().map_or(0, |q| q.questions().filter(|(_, x)| ty == "*" || x.kind.code() == ty).count())
}

fn has(i: &Import, level: Level, row: Option<usize>, needle: &str) -> bool {
    i.diags
        .iter()
        .any(|d| d.level == level && (row.is_none() || d.row == row) && (d.en.contains(needle) || d.name.as_deref() == Some(needle)))
}

fn show(i: &Import) -> String {
    i.diags.iter().map(|d| format!("{:?} {d}", d.level)).collect::<Vec<_>>().join("\n")
}

#[track_caller]
fn imported(i: &Import) -> &parindex_core::survey::Questionnaire {
    assert_eq!(i.errors().count(), 0, "{}", show(i));
    i.questionnaire.as_ref().expect("imported")
}

#[test]
fn text_and_integer() {
    let i = py("example_xls/text_and_integer.xlsx");
    let q = imported(&i);
    assert_eq!((count(&i, "short_text"), count(&i, "integer"), count(&i, "*")), (1, 1, 2));
    assert_eq!(q.question("your_name").unwrap().label["english"], "What is your name?");
    assert_eq!(q.languages, vec!["english"]);
    assert_eq!(i.unsupported().count(), 0, "{}", show(&i));
}

#[test]
fn yes_or_no_question_with_legacy_syntax() {
    let i = py("example_xls/yes_or_no_question.xlsx");
    let q = imported(&i);
    assert_eq!(count(&i, "single_choice"), 1);
    let keys: Vec<&str> = q.list("yes_or_no").unwrap().choices.iter().map(|c| c.key.as_str()).collect();
    assert_eq!(keys, vec!["yes", "no"]);
}

#[test]
fn group_with_phone_number() {
    let i = py("example_xls/group.xlsx");
    imported(&i);
    assert_eq!((i.groups, count(&i, "*")), (1, 3));
    assert!(i.warnings().any(|d| d.en.contains("phone number")), "{}", show(&i));
}

#[test]
fn tutorial_is_one_repeat() {
    let i = py("example_xls/tutorial.xls");
    assert!(has(&i, Level::Unsupported, Some(2), "member"), "{}", show(&i));
    assert!(i.diags.iter().any(|d| d.en.contains("10 items")), "{}", show(&i));
    // nothing else is left: refused, and the refusal names the repeat
    assert!(i.questionnaire.is_none());
}

#[test]
fn widgets() {
    let i = py("example_xls/widgets.xls");
    imported(&i);
    assert_eq!(i.groups, 4, "{}", show(&i));
    assert_eq!((count(&i, "short_text") + count(&i, "long_text"), count(&i, "integer"), count(&i, "decimal")), (3, 1, 1), "{}", show(&i));
    assert_eq!((count(&i, "single_choice") + count(&i, "likert"), count(&i, "multiple_choice")), (10, 7), "{}", show(&i));
    for name in
        ["my_date", "my_time", "dateTime", "my_trigger", "my_geopoint", "locationMap", "my_barcode", "my_image", "my_audio", "my_video"]
    {
        assert!(has(&i, Level::Unsupported, None, name), "{name} reported\n{}", show(&i));
    }
    for name in ["my_decimal", "my_select", "my_select1"] {
        assert!(i.unsupported().any(|d| d.name.as_deref() == Some(name) && d.en.contains("default")), "default on {name}\n{}", show(&i));
    }
    assert!(i.unsupported().any(|d| d.en.contains("read-only")), "{}", show(&i));
    assert!(i.unsupported().any(|d| d.name.as_deref() == Some("happy_sad") && d.en.contains("Images")), "{}", show(&i));
    let q = i.questionnaire.as_ref().unwrap();
    let list2: Vec<&str> = q.list("list2").map(|l| l.choices.iter().map(|c| c.key.as_str()).collect()).unwrap_or_default();
    assert_eq!(list2, vec!["1", "2", "3", "4", "5", "6", "7", "8"]);
}

#[test]
fn xlsform_spec_sampler() {
    let i = py("example_xls/xlsform_spec_test.xlsx");
    let q = imported(&i);
    assert_eq!(i.groups, 1);
    assert_eq!(
        (
            count(&i, "single_choice"),
            count(&i, "short_text"),
            count(&i, "note"),
            count(&i, "integer"),
            count(&i, "decimal"),
            count(&i, "*")
        ),
        (3, 5, 12, 2, 1, 23)
    );
    assert!(
        i.unsupported().any(|d| d.row == Some(9) && d.en.contains("Images")) && i.unsupported().any(|d| d.row == Some(10)),
        "{}",
        show(&i)
    );
    assert!(has(&i, Level::Unsupported, Some(15), "repeat_test"), "{}", show(&i));
    for name in ["start", "end", "today", "deviceid", "phonenumber"] {
        assert!(has(&i, Level::Unsupported, None, name), "{name}\n{}", show(&i));
    }
    assert!(q.languages.contains(&"english".to_string()) && q.languages.contains(&"chinese".to_string()), "{:?}", q.languages);
    assert_eq!(count(&i, "note"), 12, "{}", show(&i));
    assert!(q.question("FALSE").is_some() || i.diags.iter().any(|d| d.row == Some(55)), "row 55's formula name is read as FALSE");
}

#[test]
fn calculate_is_reported_and_notes_warned() {
    let i = py("example_xls/calculate.xls");
    imported(&i);
    assert_eq!(count(&i, "note"), 2);
    assert!(has(&i, Level::Unsupported, Some(2), "calculate") || i.unsupported().any(|d| d.row == Some(2)), "{}", show(&i));
    assert!(i.unsupported().any(|d| d.row == Some(4)), "{}", show(&i));
    assert!(i.warnings().any(|d| d.en.contains("not imported; it will show literally")), "{}", show(&i));
}

#[test]
fn cascading_selects_lose_their_dropped_references() {
    let i = py("example_xls/cascading_select_test_equivalent.xls");
    imported(&i);
    assert_eq!(count(&i, "single_choice"), 7, "{}", show(&i));
    assert!(i.unsupported().any(|d| d.row == Some(5)) && i.unsupported().any(|d| d.row == Some(10)), "{}", show(&i));
    for row in 6..=9 {
        assert!(i.unsupported().any(|d| d.row == Some(row) && d.en.contains("depends on")), "row {row}\n{}", show(&i));
    }
}

#[test]
fn choice_filter_and_a_duplicate_choice() {
    let i = py("example_xls/choice_filter_test.xlsx");
    // the duplicate `king` is refused, named with its list; choice_filter reported
    assert!(i.diags.iter().any(|d| d.en.contains("king") && d.en.contains("counties")), "{}", show(&i));
}

#[test]
fn field_list_group_without_label() {
    let i = py("example_xls/field-list.xlsx");
    imported(&i);
    assert_eq!((i.groups, count(&i, "single_choice")), (1, 1));
    assert!(i.warnings().any(|d| d.en.contains("no label")), "{}", show(&i));
}

#[test]
fn table_list_matrices() {
    let i = py("example_xls/table-list.xls");
    let q = imported(&i);
    assert_eq!((i.groups, count(&i, "note"), count(&i, "single_choice"), count(&i, "multiple_choice")), (2, 1, 2, 2), "{}", show(&i));
    assert_eq!(q.sections.iter().filter(|s| s.matrix).count(), 2);
    assert!(i.unsupported().any(|d| d.name.as_deref() == Some("happy_sad")), "{}", show(&i));
}

#[test]
fn loop_and_or_other() {
    let i = py("example_xls/loop.xlsx");
    imported(&i);
    assert_eq!(count(&i, "multiple_choice"), 1);
    assert!(i.unsupported().any(|d| d.row == Some(2) && d.en.contains("or_other")), "{}", show(&i));
    assert!(has(&i, Level::Unsupported, Some(3), "loop_toilet_types"), "{}", show(&i));
}

#[test]
fn case_insensitive_names() {
    let i = py("example_xls/case_insensitivity.xlsx");
    let q = imported(&i);
    assert_eq!(count(&i, "*"), 1, "{}", show(&i));
    assert_eq!((q.code.as_str(), q.title.values().next().map(String::as_str)), ("YesNo", Some("Yes or no")));
    for what in ["q2", "q3", "EXTERNAL_CHOICES", "ENTITIES", "OSM"] {
        assert!(i.unsupported().any(|d| d.name.as_deref() == Some(what) || d.sheet == what), "{what}\n{}", show(&i));
    }
}

#[test]
fn huge_blank_dimensions_load_fast() {
    let t = std::time::Instant::now();
    let i = py("example_xls/extra_columns.xlsx");
    imported(&i);
    assert_eq!(count(&i, "*"), 1);
    let i = py("bug_example_xls/UCL_Biomass_Plot_Form.xlsx");
    imported(&i);
    // generous: the point is "seconds, not minutes or out of memory" (no timing in tests otherwise)
    assert!(t.elapsed().as_secs() < 60);
}

#[test]
fn extra_sheets_and_a_misspelled_one() {
    let i = py("example_xls/extra_sheet_names.xlsx");
    imported(&i);
    assert_eq!(count(&i, "*"), 1);
    assert!(i.warnings().any(|d| d.sheet == "stettings" && d.en.contains("settings")), "{}", show(&i));
}

#[test]
fn the_only_sheet_is_the_survey() {
    let i = py("example_xls/survey_no_name.xlsx");
    imported(&i);
    assert_eq!(count(&i, "*"), 1);
}

#[test]
fn unknown_types_and_a_duplicate_column_refuse() {
    let i = py("example_xls/unknown_question_type.xls");
    assert!(i.questionnaire.is_none());
    assert!(i.errors().any(|d| d.en.contains("bind:relevant") || d.en.contains("relevance")), "{}", show(&i));
    for row in [2, 3, 52] {
        assert!(i.errors().any(|d| d.row == Some(row) && d.en.contains("Unknown question type")), "row {row}\n{}", show(&i));
    }
}

#[test]
fn include_is_reported() {
    let i = py("example_xls/include.xlsx");
    imported(&i);
    assert_eq!(count(&i, "*"), 1);
    assert!(i.unsupported().any(|d| d.row == Some(3) && d.en.contains("include")), "{}", show(&i));
}

#[test]
fn a_real_field_form() {
    let i = py("bug_example_xls/UCL_Biomass_Plot_Form.xlsx");
    let q = imported(&i);
    assert_eq!(i.groups, 3, "{}", show(&i));
    assert!(q.languages.first().is_some_and(|l| l == "sw"), "{:?}", q.languages);
    for name in ["trees", "stumps", "subplot1", "subplot2"] {
        assert!(has(&i, Level::Unsupported, None, name), "{name}\n{}", show(&i));
    }
    assert!(i.unsupported().any(|d| d.row == Some(9) && d.en.contains("Typographic")), "{}", show(&i));
}

#[test]
fn blank_second_row_and_numeric_version() {
    let i = py("bug_example_xls/blank_second_row.xls");
    let q = imported(&i);
    assert_eq!((count(&i, "integer"), q.version.as_str()), (1, "1"));
}

#[test]
fn spaces_in_choices_header() {
    let i = py("bug_example_xls/spaces_in_choices_header.xls");
    imported(&i);
    assert_eq!(count(&i, "multiple_choice"), 1, "{}", show(&i));
    assert!(i.unsupported().any(|d| d.row == Some(2) && d.en.contains("default")), "{}", show(&i));
    assert!(i.unsupported().any(|d| d.row == Some(2) && d.en.contains("choice_filter")), "{}", show(&i));
}

#[test]
fn badly_named_choices_sheet() {
    let i = py("bug_example_xls/badly_named_choices_sheet.xls");
    let q = imported(&i);
    assert_eq!(q.list("colors").unwrap().choices.len(), 4);
    assert!(q.questions().any(|(_, x)| x.relevant.as_deref() == Some("${age} >= 18")));
}

#[test]
fn duplicate_label_columns_refuse() {
    let i = py("bug_example_xls/duplicate_columns.xlsx");
    assert!(i.questionnaire.is_none());
    assert!(i.errors().any(|d| d.en.contains("label")), "{}", show(&i));
}

#[test]
fn odk_validate_warnings() {
    let i = py("bug_example_xls/ODKValidateWarnings.xlsx");
    imported(&i);
    assert_eq!(count(&i, "*"), 3);
    assert!(i.warnings().any(|d| d.en.starts_with("Column D has values (rows 2, 3, 4)")), "{}", show(&i));
}

#[test]
fn formula_cells_are_read_from_cached_values() {
    let i = py("bug_example_xls/xl_date_ambiguous.xlsx");
    imported(&i);
    assert_eq!((count(&i, "short_text"), count(&i, "single_choice")), (3, 1), "{}", show(&i));
    assert!(i.unsupported().any(|d| d.row == Some(5) && d.en.contains("choice_filter")), "{}", show(&i));
}

#[test]
fn own_sipas_form() {
    let i = corpus("own/sipas_vi.xlsx");
    let q = imported(&i);
    assert_eq!(i.unsupported().count(), 0, "{}", show(&i));
    assert_eq!(i.groups, 6);
    assert_eq!(q.sections.iter().filter(|s| s.matrix).count(), 5);
    assert_eq!(count(&i, "*"), 34);
    assert_eq!((count(&i, "likert"), count(&i, "single_choice")), (25, 5));
    assert_eq!((count(&i, "multiple_choice"), count(&i, "long_text") + count(&i, "short_text"), count(&i, "note")), (1, 1, 2));
    assert_eq!(q.lists.len(), 7);
    assert_eq!(q.languages, vec!["vi", "en"]);
    assert_eq!((q.code.as_str(), q.version.as_str()), ("sipas_2025", "2025060101"));
    let mut choices = q.questions().filter(|(_, x)| matches!(x.kind, QuestionType::Likert | QuestionType::SingleChoice));
    assert!(choices.all(|(_, x)| x.required));
    let ky_vong = q.questions().find(|(_, x)| matches!(x.kind, QuestionType::MultipleChoice { .. })).unwrap().1;
    assert_eq!(ky_vong.kind, QuestionType::MultipleChoice { max: Some(3) });
    assert!(ky_vong.constraint_message.contains_key("vi") && ky_vong.constraint_message.contains_key("en"));
    // what it imports is a valid questionnaire of our model
    assert_eq!(q.validate(), vec![]);
}

#[test]
fn own_officials_form() {
    let i = corpus("own/officials_survey.xlsx");
    let q = imported(&i);
    assert_eq!(i.unsupported().count(), 0, "{}", show(&i));
    assert_eq!((i.groups, count(&i, "*")), (3, 18));
    assert_eq!((count(&i, "single_choice") + count(&i, "likert"), count(&i, "likert")), (8, 4));
    assert_eq!((count(&i, "integer"), count(&i, "decimal"), count(&i, "rank")), (3, 1, 1));
    assert_eq!(q.questions().filter(|(_, x)| x.relevant.is_some()).count(), 6);
    assert_eq!(q.questions().filter(|(_, x)| x.required).count(), 13);
    assert_eq!(q.lists.len(), 5);
    assert_eq!(q.validate(), vec![]);
}

#[test]
fn own_broken_form_lists_all_seven_errors() {
    let i = corpus("own/broken.xlsx");
    assert!(i.questionnaire.is_none());
    let e: Vec<String> = i.errors().map(|d| d.to_string()).collect();
    for (row, needle) in [
        (3, "no choice-list name"),
        (4, "“muc_do”"),
        (5, "“integr”"),
        (6, "already used at row 2"),
        (7, "“kenh_thong_tin”"),
        (8, "${khong_ton_tai}"),
        (3, "“co” twice"),
    ] {
        assert!(i.errors().any(|d| d.row == Some(row) && d.en.contains(needle)), "row {row} {needle}\n{e:#?}");
    }
    assert_eq!(e.len(), 7, "{e:#?}");
}

#[test]
fn empty_corrupt_and_not_a_workbook_refuse_cleanly() {
    let i = corpus("own/empty_survey.xlsx");
    assert!(i.questionnaire.is_none() && i.errors().any(|d| d.en.contains("no questions")), "{}", show(&i));
    for f in ["own/corrupt_truncated.xlsx", "own/not_a_workbook.xlsx"] {
        let i = corpus(f);
        assert!(i.questionnaire.is_none());
        assert!(i.errors().any(|d| d.en.contains("Not a readable")), "{f}\n{}", show(&i));
    }
    // and arbitrary bytes never panic
    for n in [0usize, 1, 100, 4096] {
        let junk: Vec<u8> = (0..n).map(|k| (k * 7919 % 251) as u8).collect();
        assert!(import_xlsform("x.xlsx", &junk).questionnaire.is_none());
    }
}

/// Every workbook of the corpus: a verdict, every diagnostic placed (sheet named), a refusal with
/// at least one error. Prints what the importer says of each file with `-- --nocapture`.
#[test]
fn every_file_has_a_verdict_and_placed_diagnostics() {
    let files = glob_all();
    assert_eq!(files.len(), 31);
    for f in files {
        let i = corpus(&f);
        assert!(i.diags.iter().all(|d| !d.sheet.is_empty()), "{f}: a diagnostic without its sheet");
        assert!(i.questionnaire.is_some() || i.errors().count() > 0, "{f}: refused without an error");
        let mut kinds = std::collections::BTreeMap::new();
        if let Some(q) = &i.questionnaire {
            for (_, x) in q.questions() {
                *kinds.entry(x.kind.code()).or_insert(0) += 1;
            }
        }
        println!(
            "{f}: {} groups={} Q={} {:?} errors={} unsupported={} warnings={}",
            if i.questionnaire.is_some() { "IMPORT" } else { "REFUSE" },
            i.groups,
            count(&i, "*"),
            kinds,
            i.errors().count(),
            i.unsupported().count(),
            i.warnings().count()
        );
        for d in &i.diags {
            println!("    {:?} {d}", d.level);
        }
    }
}

fn glob_all() -> Vec<String> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/xlsform-corpus");
    let mut out = Vec::new();
    for dir in ["pyxform/tests/example_xls", "pyxform/tests/bug_example_xls", "own"] {
        for e in std::fs::read_dir(root.join(dir)).unwrap() {
            let name = e.unwrap().file_name().into_string().unwrap();
            if name.ends_with(".xls") || name.ends_with(".xlsx") {
                out.push(format!("{dir}/{name}"));
            }
        }
    }
    out.sort();
    out
}
