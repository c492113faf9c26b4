//! Checking one respondent's answers against a questionnaire, on the server (the public page
//! works without JavaScript): questions whose skip logic does not hold are dropped (in form
//! order, so a later condition sees only what is shown), required questions must be answered,
//! choices must be on the question's list (one for Likert and single choice, at most `max` for
//! multiple choice), numbers must read as integers or decimals, constraints must hold, texts are
//! bounded. Every problem is returned at once, by question name.

use std::collections::BTreeMap;

use super::expr::{self, Value};
use super::{QuestionType, Questionnaire};
use crate::{Exact, Msg};

/// The longest free-text answer kept (characters).
pub const MAX_TEXT: usize = 2000;

/// Raw answers as a form posts them: question name → the values sent (several for a multiple
/// choice, in the order sent).
pub type Raw = BTreeMap<String, Vec<String>>;

/// Checked answers: only questions shown and answered.
pub type Answers = BTreeMap<String, Value>;

/// Check `raw` against `q`; the answers kept, or every problem by question name.
pub fn check(q: &Questionnaire, raw: &Raw) -> Result<Answers, Vec<(String, Msg)>> {
    check_with(q, raw, Required::Enforce)
}

/// Whether a missing answer to a required question is a problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Required {
    /// The public page and the data-entry screen: the respondent is asked again.
    Enforce,
    /// Imports of forms already collected (paper, ODK, Kobo): nobody can be asked again, so a
    /// blank stays blank — the indices leave it out, as the SIPAS method says.
    AllowBlank,
}

/// [`check`] with the rule for required questions chosen.
pub fn check_with(q: &Questionnaire, raw: &Raw, required: Required) -> Result<Answers, Vec<(String, Msg)>> {
    let c = Checker::new(q);
    // trimmed, blanks dropped: what `check_by` expects
    let values: Vec<Vec<&str>> =
        c.names().map(|n| raw.get(n).map(|v| v.iter().map(|s| s.trim()).filter(|s| !s.is_empty()).collect()).unwrap_or_default()).collect();
    c.check_by(|pos| values[pos].as_slice(), required)
}

/// A questionnaire made ready for checking many responses: conditions and constraints parsed
/// once, each question's options at hand (an import checks a million rows with one).
#[derive(Debug)]
pub struct Checker<'q> {
    sections: Vec<(Option<expr::Expr>, Vec<Prepared<'q>>)>,
    names: Vec<&'q str>,
}

#[derive(Debug)]
struct Prepared<'q> {
    x: &'q super::Question,
    pos: usize,
    relevant: Option<expr::Expr>,
    constraint: Option<expr::Expr>,
    keys: Vec<&'q str>,
}

impl<'q> Checker<'q> {
    pub fn new(q: &'q Questionnaire) -> Self {
        let mut names = Vec::new();
        let sections = q
            .sections
            .iter()
            .map(|s| {
                let questions = s
                    .questions
                    .iter()
                    .filter(|x| x.kind != QuestionType::Note)
                    .map(|x| {
                        names.push(x.name.as_str());
                        Prepared {
                            x,
                            pos: names.len() - 1,
                            relevant: x.relevant.as_deref().and_then(|r| expr::parse(r).ok()),
                            constraint: x.constraint.as_deref().and_then(|c| expr::parse(c).ok()),
                            keys: x
                                .list
                                .as_deref()
                                .and_then(|l| q.list(l))
                                .map(|l| l.choices.iter().map(|c| c.key.as_str()).collect())
                                .unwrap_or_default(),
                        }
                    })
                    .collect();
                (s.relevant.as_deref().and_then(|r| expr::parse(r).ok()), questions)
            })
            .collect();
        Checker { sections, names }
    }

    /// The questions (notes aside) in form order: the positions [`Checker::check_by`] reads.
    pub fn names(&self) -> impl Iterator<Item = &'q str> + '_ {
        self.names.iter().copied()
    }

    /// Check one response given by `values`: for a question position, the values sent
    /// (several for a multiple choice), trimmed, blanks left out; the answers kept, or every
    /// problem by question name.
    pub fn check_by<'v>(&self, values: impl Fn(usize) -> &'v [&'v str], required: Required) -> Result<Answers, Vec<(String, Msg)>> {
        let mut out = Answers::new();
        let mut problems = Vec::new();
        for (section_relevant, questions) in &self.sections {
            if section_relevant.as_ref().is_some_and(|e| !e.holds(&out, &Value::Empty)) {
                continue;
            }
            for p in questions {
                let x = p.x;
                if p.relevant.as_ref().is_some_and(|r| !r.holds(&out, &Value::Empty)) {
                    continue;
                }
                let values = values(p.pos);
                if values.is_empty() {
                    if x.required && required == Required::Enforce {
                        problems.push((x.name.clone(), Msg::new("Câu này bắt buộc trả lời.", "This question needs an answer.")));
                    }
                    continue;
                }
                let on_list = |v: &str| p.keys.contains(&v);
                let value = match &x.kind {
                    QuestionType::Likert | QuestionType::SingleChoice => {
                        if values.len() > 1 || !on_list(values[0]) {
                            problems.push((x.name.clone(), Msg::new("Hãy chọn một trong các phương án.", "Choose one of the options.")));
                            continue;
                        }
                        Value::Text(values[0].to_string())
                    }
                    QuestionType::MultipleChoice { max } | QuestionType::Rank { pick: max } => {
                        if let Some(bad) = values.iter().find(|v| !on_list(v)) {
                            problems.push((
                                x.name.clone(),
                                Msg::new(format!("“{bad}” không có trong các phương án."), format!("“{bad}” is not one of the options.")),
                            ));
                            continue;
                        }
                        let mut unique: Vec<String> = Vec::new();
                        for v in values {
                            if !unique.iter().any(|u| u == v) {
                                unique.push(v.to_string());
                            }
                        }
                        if let Some(m) = max
                            && unique.len() > *m as usize
                        {
                            problems.push((
                                x.name.clone(),
                                Msg::new(format!("Chọn nhiều nhất {m} phương án."), format!("Choose at most {m} options.")),
                            ));
                            continue;
                        }
                        Value::Selected(unique)
                    }
                    QuestionType::Integer | QuestionType::Decimal => {
                        let text = values[0].replace(',', ".");
                        match text.parse::<Exact>() {
                            Ok(n) if x.kind == QuestionType::Decimal || n.to_exact_decimal(0).is_some() => Value::Number(n),
                            _ => {
                                let (vi, en) = if x.kind == QuestionType::Integer {
                                    ("Hãy nhập một số nguyên.", "Enter a whole number.")
                                } else {
                                    ("Hãy nhập một số (ví dụ 12,5).", "Enter a number (e.g. 12.5).")
                                };
                                problems.push((x.name.clone(), Msg::new(vi, en)));
                                continue;
                            }
                        }
                    }
                    QuestionType::ShortText | QuestionType::LongText => {
                        let t = values.join(" ");
                        if t.chars().count() > MAX_TEXT {
                            problems.push((
                                x.name.clone(),
                                Msg::new(
                                    format!("Câu trả lời dài quá {MAX_TEXT} ký tự."),
                                    format!("The answer is longer than {MAX_TEXT} characters."),
                                ),
                            ));
                            continue;
                        }
                        Value::Text(t)
                    }
                    QuestionType::Note => continue,
                };
                if let Some(c) = &p.constraint
                    && !c.holds(&out, &value)
                {
                    let msg = if x.constraint_message.is_empty() {
                        Msg::new("Câu trả lời không hợp lệ.", "The answer is not valid.")
                    } else {
                        let pick = |l: &str| {
                            x.constraint_message.get(l).or_else(|| x.constraint_message.values().next()).cloned().unwrap_or_default()
                        };
                        Msg::new(pick("vi"), pick("en"))
                    };
                    problems.push((x.name.clone(), msg));
                    continue;
                }
                out.insert(x.name.clone(), value);
            }
        }
        if problems.is_empty() { Ok(out) } else { Err(problems) }
    }
}

/// The option under which the counts keep the comments of a long-text question (answers that
/// are not blank): the unit's number of comments, without reading the responses.
pub const COMMENTED: &str = "*";

/// The (question, option) pairs a checked response adds to the per-unit counts: one per chosen
/// option of a choice question (Likert included); one ([`COMMENTED`]) per comment written in a
/// long-text question; numbers and short texts are not counted. Then the
/// cells of the breakdown by respondent group: for each group question answered
/// ([`is_group_question`]) and each answer to a Likert question linked to a SIPAS element, one
/// pair ([`cross_key`], level).
pub fn count_keys(q: &Questionnaire, answers: &Answers) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut groups = Vec::new();
    let mut levels = Vec::new();
    for (_, x) in q.questions() {
        if x.kind == QuestionType::LongText {
            if let Some(Value::Text(t)) = answers.get(&x.name)
                && !t.trim().is_empty()
            {
                out.push((x.name.clone(), COMMENTED.to_string()));
            }
            continue;
        }
        if !x.kind.uses_list() {
            continue;
        }
        match answers.get(&x.name) {
            Some(Value::Text(k)) => {
                out.push((x.name.clone(), k.clone()));
                if is_group_question(x) {
                    groups.push((x.name.as_str(), k.as_str()));
                }
                if let (Some(e @ 1..=5), QuestionType::Likert) = (x.element, &x.kind) {
                    levels.push((e, k.as_str()));
                }
            }
            Some(Value::Selected(ks)) => out.extend(ks.iter().map(|k| (x.name.clone(), k.clone()))),
            _ => {}
        }
    }
    for (g, o) in groups {
        out.extend(levels.iter().map(|(e, level)| (cross_key(g, o, *e), level.to_string())));
    }
    out
}

/// A respondent-information question by which the indices are broken down (age group, gender,
/// ethnicity…): a single choice linked to neither a SIPAS element nor a framework leaf.
pub fn is_group_question(x: &super::Question) -> bool {
    x.kind == QuestionType::SingleChoice && x.element.is_none() && x.leaf.is_none()
}

/// The "question" under which the counts keep one column of the breakdown by respondent group:
/// respondents who chose `option` of group question `group`, their answers to element
/// `element`, counted by level — `nhom_tuoi=18_29@e1`. Question names never hold `=` or `@`
/// (the questionnaire check refuses them), so these never meet a real question.
pub fn cross_key(group: &str, option: &str, element: u8) -> String {
    format!("{group}={option}@e{element}")
}

/// The parts of a [`cross_key`]: (group question, option, element); `None` for a real question.
pub fn parse_cross_key(key: &str) -> Option<(&str, &str, u8)> {
    let (left, e) = key.rsplit_once("@e")?;
    let (group, option) = left.split_once('=')?;
    Some((group, option, e.parse().ok().filter(|e| (1..=5).contains(e))?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::survey::{Choice, ChoiceList, Question, Section, SurveyKind, Text};

    fn t(s: &str) -> Text {
        [("vi".to_string(), s.to_string())].into()
    }

    fn q(name: &str, kind: QuestionType, list: Option<&str>, required: bool, relevant: Option<&str>) -> Question {
        Question {
            name: name.into(),
            kind,
            label: t(name),
            hint: Text::new(),
            required,
            relevant: relevant.map(Into::into),
            constraint: None,
            constraint_message: Text::new(),
            list: list.map(Into::into),
            element: None,
            leaf: None,
        }
    }

    fn form() -> Questionnaire {
        let mut age = q("tuoi", QuestionType::Integer, None, false, None);
        age.constraint = Some(". >= 18 and . <= 110".into());
        age.constraint_message = t("Tuổi từ 18 đến 110.");
        let list = |name: &str, keys: &[&str]| ChoiceList {
            name: name.into(),
            choices: keys.iter().map(|k| Choice { key: k.to_string(), label: t(k), weight: None }).collect(),
        };
        Questionnaire {
            code: "T".into(),
            title: t("T"),
            kind: SurveyKind::Citizens,
            version: "1".into(),
            languages: vec!["vi".into()],
            sample: false,
            sections: vec![Section {
                name: "s".into(),
                label: Text::new(),
                relevant: None,
                matrix: false,
                questions: vec![
                    q("hai_long", QuestionType::Likert, Some("muc_do"), true, None),
                    q("ly_do", QuestionType::LongText, None, true, Some("${hai_long} <= 2")),
                    q("kenh", QuestionType::MultipleChoice { max: Some(2) }, Some("kenh"), false, None),
                    age,
                    q("gioi_thieu", QuestionType::Note, None, false, None),
                ],
            }],
            lists: vec![list("muc_do", &["1", "2", "3", "4", "5"]), list("kenh", &["web", "qr", "giay"])],
        }
    }

    #[test]
    fn breakdown_cells_are_counted_per_group_answer_and_element_level() {
        let mut f = form();
        let qs = &mut f.sections[0].questions;
        qs[0].element = Some(2);
        qs.push(q("gioi_tinh", QuestionType::SingleChoice, Some("gioi"), false, None));
        qs.push(q("nhom", QuestionType::SingleChoice, Some("gioi"), false, None));
        f.lists.push(ChoiceList {
            name: "gioi".into(),
            choices: ["nam", "nu"].iter().map(|k| Choice { key: k.to_string(), label: t(k), weight: None }).collect(),
        });
        let a = check(&f, &raw(&[("hai_long", &["4"]), ("gioi_tinh", &["nu"])])).unwrap();
        let keys = count_keys(&f, &a);
        assert_eq!(keys, vec![("hai_long".into(), "4".into()), ("gioi_tinh".into(), "nu".into()), ("gioi_tinh=nu@e2".into(), "4".into())]);
        assert_eq!(parse_cross_key("gioi_tinh=nu@e2"), Some(("gioi_tinh", "nu", 2)));
        assert_eq!(parse_cross_key("gioi_tinh"), None);
        assert_eq!(parse_cross_key("a=b@e9"), None);
        // a question named like a breakdown cell is refused
        f.sections[0].questions[1].name = "x=y@e1".into();
        assert!(f.validate().iter().any(|p| p.place == "câu x=y@e1" && p.vi.contains("“=”")));
    }

    fn raw(pairs: &[(&str, &[&str])]) -> Raw {
        pairs.iter().map(|(k, v)| (k.to_string(), v.iter().map(|s| s.to_string()).collect())).collect()
    }

    #[test]
    fn skip_logic_required_choices_numbers_and_constraints() {
        let f = form();
        // satisfied: the reason is not asked, so an answer to it is dropped
        let a = check(&f, &raw(&[("hai_long", &["5"]), ("ly_do", &["x"]), ("kenh", &["web", "web", "qr"]), ("tuoi", &["45"])])).unwrap();
        assert_eq!(a.get("ly_do"), None);
        assert_eq!(a["kenh"], Value::Selected(vec!["web".into(), "qr".into()]));
        assert_eq!(a["tuoi"], Value::Number(Exact::int(45)));
        assert_eq!(count_keys(&f, &a), vec![("hai_long".into(), "5".into()), ("kenh".into(), "web".into()), ("kenh".into(), "qr".into())]);
        // dissatisfied: the reason becomes required
        let e = check(&f, &raw(&[("hai_long", &["2"])])).unwrap_err();
        assert_eq!(e.iter().map(|p| p.0.as_str()).collect::<Vec<_>>(), vec!["ly_do"]);
        // every problem at once
        let e = check(&f, &raw(&[("hai_long", &["7"]), ("kenh", &["web", "qr", "giay"]), ("tuoi", &["12"])])).unwrap_err();
        let names: Vec<&str> = e.iter().map(|p| p.0.as_str()).collect();
        assert_eq!(names, vec!["hai_long", "kenh", "tuoi"]);
        assert_eq!(e[2].1.vi, "Tuổi từ 18 đến 110.");
        assert!(check(&f, &raw(&[("hai_long", &["3"]), ("tuoi", &["4,5"])])).is_err(), "not a whole number");
        assert!(check(&f, &raw(&[("hai_long", &["3"]), ("kenh", &["fax"])])).is_err(), "not on the list");
        assert!(check(&f, &raw(&[])).is_err(), "required");
        let long = "á".repeat(MAX_TEXT + 1);
        assert!(check(&f, &raw(&[("hai_long", &["1"]), ("ly_do", &[long.as_str()])])).is_err());
    }
}
