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

/// Read one unit's inputs (YAML or JSON).
pub fn parse_inputs(file: &str, text: &str) -> Result<Inputs, Vec<Problem>> {
    yaml_serde::from_str(text).map_err(|e| vec![syntax_problem(file, &e)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_errors_name_the_line() {
        let e = parse_framework("x.yaml", "code: A\nname: B\nnodes:\n  - code: 1\n    titel: oops\n").unwrap_err();
        assert!(e[0].message.en.starts_with("x.yaml:"), "{:?}", e[0].message);
        assert!(e[0].message.en.contains("titel"));
    }
}
