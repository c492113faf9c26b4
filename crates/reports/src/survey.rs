//! Questionnaires as YAML files (the sample templates in `surveys/samples/`, and what an office
//! writes by hand): read into `core::survey::Questionnaire` and validated in the same pass, every
//! problem named. The XLSForm reader will sit beside this one.

use parindex_core::survey::{Problem, Questionnaire};

/// The sample templates shipped with parindex (marked as samples, not official texts).
pub const SAMPLES: &[(&str, &str)] = &[
    ("sipas-2026.yaml", include_str!("../../../surveys/samples/sipas-2026.yaml")),
    ("cbcc-2026.yaml", include_str!("../../../surveys/samples/cbcc-2026.yaml")),
];

/// Read and validate a questionnaire; a syntax error names the file, line and column.
pub fn parse_questionnaire(file: &str, text: &str) -> Result<Questionnaire, Vec<Problem>> {
    let q: Questionnaire = yaml_serde::from_str(text).map_err(|e| {
        let (line, column) = e.location().map(|l| (l.line(), l.column())).unwrap_or((0, 0));
        vec![Problem {
            place: format!("{file}:{line}:{column}"),
            vi: format!("Tệp không đọc được: {e}"),
            en: format!("The file cannot be read: {e}"),
        }]
    })?;
    let problems = q.validate();
    if problems.is_empty() { Ok(q) } else { Err(problems) }
}

/// A questionnaire as YAML (the same format `parse_questionnaire` reads).
pub fn to_yaml(q: &Questionnaire) -> String {
    yaml_serde::to_string(q).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_sample_is_valid_and_marked_as_a_sample() {
        for (name, text) in SAMPLES {
            let q = parse_questionnaire(name, text).unwrap_or_else(|p| panic!("{name}: {p:#?}"));
            assert!(q.sample, "{name}");
        }
        let officials = parse_questionnaire(SAMPLES[1].0, SAMPLES[1].1).unwrap();
        let leaves: std::collections::BTreeSet<_> = officials.questions().filter_map(|(_, x)| x.leaf.clone()).collect();
        assert_eq!(leaves.into_iter().collect::<Vec<_>>(), vec!["8.2", "8.3", "8.4"], "the agency framework's survey leaves");
    }

    use parindex_core::survey::{QuestionType, SurveyKind};

    use super::*;

    #[test]
    fn the_sipas_sample_has_five_elements_of_six_likert_items() {
        let q = parse_questionnaire(SAMPLES[0].0, SAMPLES[0].1).unwrap_or_else(|p| panic!("{p:#?}"));
        assert!(q.sample && q.kind == SurveyKind::Citizens);
        assert_eq!(q.languages, vec!["vi", "en"]);
        for e in 1..=5u8 {
            let items: Vec<&str> = q.questions().filter(|(_, x)| x.element == Some(e)).map(|(_, x)| x.name.as_str()).collect();
            assert_eq!(items.len(), 6, "element {e}");
            // the layout of shared/bench: q01–q06 is element 1, …
            assert_eq!(items[0], format!("q{:02}", (e - 1) * 6 + 1));
        }
        assert!(q.sections.iter().filter(|s| s.matrix).count() == 5);
        assert_eq!(q.list("muc_do").unwrap().choices[4].label["vi"], "Rất hài lòng");
        assert_eq!(q.question("ky_vong").unwrap().kind, QuestionType::MultipleChoice { max: Some(3) });
        for (_, x) in q.questions() {
            assert!(x.label.contains_key("vi") && x.label.contains_key("en"), "{} in both languages", x.name);
        }
    }

    #[test]
    fn yaml_round_trip() {
        let q = parse_questionnaire(SAMPLES[0].0, SAMPLES[0].1).unwrap();
        assert_eq!(parse_questionnaire("again.yaml", &to_yaml(&q)).unwrap(), q);
    }

    #[test]
    fn problems_are_listed_with_their_place() {
        let broken = SAMPLES[0].1.replace("list: muc_do, required: true, element: 3", "list: muc_do_x, required: true, element: 3");
        let p = parse_questionnaire("x.yaml", &broken).unwrap_err();
        assert_eq!(p.len(), 6, "{p:#?}");
        assert!(p[0].vi.contains("muc_do_x"));
        let p = parse_questionnaire("x.yaml", "code: [").unwrap_err();
        assert!(p[0].place.starts_with("x.yaml:1:"), "{p:?}");
    }
}
