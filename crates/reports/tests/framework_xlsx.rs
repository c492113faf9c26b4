//! The XLSX form of a framework: lossless both ways for every shipped framework, and a broken
//! workbook refused with every problem named by sheet, row, column and node code.

use std::path::Path;

use parindex_reports::framework::{framework_to_yaml, parse_framework, parse_framework_file};
use parindex_reports::framework_xlsx::{framework_xlsx, parse_framework_xlsx};
use parindex_reports::table::read_workbook;
use rust_xlsxwriter::Workbook;

fn shipped() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../frameworks");
    let mut out = Vec::new();
    for dir in ["samples", "examples"] {
        for e in std::fs::read_dir(root.join(dir)).unwrap() {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            if name.ends_with(".yaml") && !name.ends_with("-inputs.yaml") {
                out.push((name, std::fs::read_to_string(&p).unwrap()));
            }
        }
    }
    assert!(out.len() >= 4);
    out
}

#[test]
fn yaml_to_xlsx_to_yaml_is_lossless_for_every_shipped_framework() {
    for (name, text) in shipped() {
        let fw = parse_framework(&name, &text).unwrap();
        let bytes = framework_xlsx(&fw).unwrap();
        let back = parse_framework_file("x.xlsx", &bytes).unwrap_or_else(|p| panic!("{name}: {p:#?}"));
        assert_eq!(back, fw, "{name}");
        assert_eq!(framework_to_yaml(&back), framework_to_yaml(&fw), "{name}");
        // xlsx → framework → xlsx gives the same cells
        let again = framework_xlsx(&back).unwrap();
        assert_eq!(read_workbook("a", &bytes).unwrap(), read_workbook("b", &again).unwrap(), "{name}");
    }
}

#[test]
fn fractions_and_long_decimals_survive_excel() {
    let text = r#"
code: F
name: Phân số
nodes:
  - code: "1"
    title: Một phần ba
    max: 1/3
    rule: { kind: yes_no }
  - code: "2"
    title: Số dài
    max: 0.1234567890123456789
    rule: { kind: manual, step: 0.0000000000000000001 }
  - code: "3"
    title: Hai
    max: 2.5
    rule: { kind: deduction, per: 0.1 }
"#;
    let fw = parse_framework("f.yaml", text).unwrap();
    let back = parse_framework_xlsx("f.xlsx", &framework_xlsx(&fw).unwrap()).unwrap();
    assert_eq!(back, fw);
}

/// A workbook written by hand, as an office would in Excel, with a mistake on most rows.
fn broken_workbook() -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("khung").unwrap();
    for (r, row) in [["Trường", "Giá trị"], ["ma", "HONG"], ["ten", "Bộ chỉ số lỗi"], ["tong_diem", "10"], ["ap_dung_tu_nam", "hai nghìn"]]
        .iter()
        .enumerate()
    {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32, c as u16, *v).unwrap();
        }
    }
    let ws = wb.add_worksheet().set_name("tieu_chi").unwrap();
    let rows: &[&[&str]] = &[
        &["Mã", "Mã cha", "Tên tiêu chí", "Điểm tối đa", "Quy tắc", "Tham số quy tắc", "Minh chứng bắt buộc"],
        &["1", "", "Lĩnh vực 1", "", "", "", ""],
        &["1.1", "", "Có kế hoạch", "2", "có/không", "", "có"],
        &["1.2", "", "Tỷ lệ", "3", "khoảng tỷ lệ", "[0, 50) | 0\n50-100 | 3", ""],
        &["1.3", "9", "Cha không có", "1", "có/không", "", ""],
        &["1.1", "", "Trùng mã", "1", "có/không", "", ""],
        &["1.4", "", "Điểm chữ", "hai", "chấm điểm", "0,25", "thường"],
        &["1.5", "", "Quy tắc lạ", "1", "bói toán", "", ""],
        &["1.6", "", "Lựa chọn vượt", "1", "lựa chọn", "a | A | 1\nb | B | 5", ""],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                ws.write_string(r as u32, c as u16, *v).unwrap();
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

#[test]
fn a_broken_workbook_lists_every_problem_with_its_row() {
    let problems = parse_framework_xlsx("hong.xlsx", &broken_workbook()).unwrap_err();
    let text: Vec<String> = problems.iter().map(|p| format!("[{}] {}", p.code, p.message.vi)).collect();
    let has = |needle: &str| assert!(text.iter().any(|t| t.contains(needle)), "no “{needle}” in {text:#?}");
    has("trang “khung”, dòng 5, cột “ap_dung_tu_nam”: “hai nghìn” không phải là năm");
    has("[1.2] hong.xlsx, trang “tieu_chi”, dòng 4, cột “quy_tac”: tham số dòng 2 “50-100 | 3”");
    has("[1.3] hong.xlsx, trang “tieu_chi”, dòng 5, cột “ma_cha”: không có tiêu chí mã “9”");
    has("[1.1] hong.xlsx, trang “tieu_chi”, dòng 6, cột “ma”: mã “1.1” đã có ở dòng 3");
    has("[1.4] hong.xlsx, trang “tieu_chi”, dòng 7, cột “diem_toi_da”: “hai” không phải là số");
    has("[1.4] hong.xlsx, trang “tieu_chi”, dòng 7, cột “minh_chung_bat_buoc”");
    has("[1.5] hong.xlsx, trang “tieu_chi”, dòng 8, cột “quy_tac”: loại quy tắc “bói toán” không có");
    // the framework's own rules are checked in the same pass
    has("[1.6] hong.xlsx, trang “tieu_chi”, dòng 9: lựa chọn “b” có 5 điểm");
    assert!(problems.len() >= 8, "{text:#?}");
}

#[test]
fn whole_framework_problems_name_the_row() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("khung").unwrap();
    for (r, (k, v)) in [("Trường", "Giá trị"), ("ma", "X"), ("ten", "Tổng sai")].iter().enumerate() {
        ws.write_string(r as u32, 0, *k).unwrap();
        ws.write_string(r as u32, 1, *v).unwrap();
    }
    let ws = wb.add_worksheet().set_name("tieu_chi").unwrap();
    for (r, row) in
        [["Mã", "Tên tiêu chí", "Điểm tối đa", "Quy tắc", "Tham số quy tắc"], ["1", "A", "1", "lựa chọn", "a | A | 1\nb | B | 5"]]
            .iter()
            .enumerate()
    {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32, c as u16, *v).unwrap();
        }
    }
    let problems = parse_framework_xlsx("t.xlsx", &wb.save_to_buffer().unwrap()).unwrap_err();
    assert!(
        problems.iter().any(|p| p.code == "1" && p.message.vi.starts_with("t.xlsx, trang “tieu_chi”, dòng 2: lựa chọn “b”")),
        "{problems:#?}"
    );
}

#[test]
fn a_renamed_file_is_refused_by_content() {
    let p = parse_framework_file("bo.xlsx", b"code: A\n").unwrap_err();
    assert!(p[0].message.en.contains("not a valid .xlsx"));
    let p = parse_framework_file("bo.yaml", &[0xff, 0xfe, 0]).unwrap_err();
    assert!(p[0].message.en.contains("neither"));
}
