//! The framework text format (YAML, docs/framework-format.md) and the inputs format of the
//! what-if calculator. Syntax and type errors name the file, line and column; semantic problems
//! come from `parindex_core::framework::validate` and name the node code.

use parindex_core::Msg;
use parindex_core::framework::score::Inputs;
use parindex_core::framework::{Framework, Problem, validate};

fn syntax_problem(file: &str, e: &yaml_serde::Error) -> Problem {
    let at = e.location().map(|l| format!("{file}:{}:{}", l.line(), l.column())).unwrap_or_else(|| file.to_string());
    Problem {
        code: String::new(),
        message: Msg::new(
            format!("{at}: tệp không đúng định dạng: {e}. Xem docs/framework-format.md."),
            format!("{at}: the file does not follow the format: {e}. See docs/framework-format.md."),
        ),
    }
}

/// Read a framework from YAML (JSON is valid YAML too) and validate it. Either a valid framework
/// or every problem.
pub fn parse_framework(file: &str, text: &str) -> Result<Framework, Vec<Problem>> {
    let fw: Framework = yaml_serde::from_str(text).map_err(|e| vec![syntax_problem(file, &e)])?;
    let problems = validate(&fw);
    if problems.is_empty() { Ok(fw) } else { Err(problems) }
}

/// Read a framework file of either form, decided by content: an XLSX workbook (the one-row-per-
/// node form, `framework_xlsx`) or UTF-8 text (YAML or JSON).
pub fn parse_framework_file(file: &str, bytes: &[u8]) -> Result<Framework, Vec<Problem>> {
    if bytes.starts_with(b"PK\x03\x04") {
        return crate::framework_xlsx::parse_framework_xlsx(file, bytes);
    }
    let lower = file.to_lowercase();
    if lower.ends_with(".xlsx") || lower.ends_with(".xls") {
        return Err(vec![Problem {
            code: String::new(),
            message: Msg::new(
                format!("{file}: không phải sổ tính .xlsx hợp lệ. Hãy mở bằng Excel và lưu lại dạng .xlsx, hoặc dùng tệp mẫu."),
                format!("{file}: not a valid .xlsx workbook. Open it in Excel and save it as .xlsx, or use the template."),
            ),
        }]);
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => parse_framework(file, text),
        Err(_) => Err(vec![Problem {
            code: String::new(),
            message: Msg::new(
                format!("{file}: không phải tệp văn bản UTF-8 (YAML) hay sổ tính XLSX."),
                format!("{file}: neither a UTF-8 text (YAML) file nor an XLSX workbook."),
            ),
        }]),
    }
}

/// Write a framework as YAML, in the same form that `parse_framework` reads.
pub fn framework_to_yaml(fw: &Framework) -> String {
    let body = yaml_serde::to_string(fw).unwrap_or_default();
    let mut out = String::new();
    if fw.sample {
        out.push_str("# DỮ LIỆU MẪU — không phải văn bản chính thức / SAMPLE — not an official text\n");
    }
    out.push_str(&body);
    out
}

/// One leaf's input in its short or full form ("82", "[95, 97]", "dung_han", "có", "na",
/// "{ percent: 82 }"), as typed in the editor's preview box.
pub fn parse_input_text(text: &str) -> Result<parindex_core::framework::Input, Msg> {
    yaml_serde::from_str::<parindex_core::framework::rule::InputText>(text.trim()).map(Into::into).map_err(|e| {
        Msg::new(
            format!("Không đọc được dữ liệu thử “{}” ({e}). Ví dụ: 82, [95, 97], dung_han, có, na.", text.trim()),
            format!("Cannot read the sample input “{}” ({e}). Examples: 82, [95, 97], on_time, yes, na.", text.trim()),
        )
    })
}

/// Read one unit's inputs (YAML or JSON).
pub fn parse_inputs(file: &str, text: &str) -> Result<Inputs, Vec<Problem>> {
    yaml_serde::from_str(text).map_err(|e| vec![syntax_problem(file, &e)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_files_refuse_repeated_codes_and_foreign_unit_kinds() {
        let e = parse_inputs("i.yaml", "inputs:\n  \"1.1.1\": khong\n  \"1.1.1\": co\n").unwrap_err();
        assert!(e[0].message.en.contains("“1.1.1” appears twice"), "{:?}", e[0].message);
        let fw = parse_framework("vd.yaml", include_str!("../../../frameworks/examples/hand-computed.yaml")).unwrap();
        let c = parindex_core::framework::Compiled::new(&fw).unwrap();
        let kinds = fw.unit_kinds.clone();
        if !kinds.is_empty() {
            let i = parse_inputs("i.yaml", "unit_kind: hanh_tinh\ninputs: {}\n").unwrap();
            let p = c.place_file(&i).unwrap_err();
            assert!(p[0].message.en.contains("“hanh_tinh” is not one of"), "{:?}", p[0].message);
            let ok = parse_inputs("i.yaml", &format!("unit_kind: {}\ninputs: {{}}\n", kinds[0])).unwrap();
            assert!(c.place_file(&ok).is_ok());
        }
    }

    #[test]
    fn syntax_errors_name_the_line() {
        let e = parse_framework("x.yaml", "code: A\nname: B\nnodes:\n  - code: 1\n    titel: oops\n").unwrap_err();
        assert!(e[0].message.en.starts_with("x.yaml:"), "{:?}", e[0].message);
        assert!(e[0].message.en.contains("titel"));
    }
}
