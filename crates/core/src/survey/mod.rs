//! Questionnaires (issue #5): the citizens' SIPAS survey and the officials' survey share one
//! model — sections (a section may be a Likert matrix: one scale, many items), questions of a
//! few types with Likert first-class, choice lists, required questions, skip logic and
//! constraints (`expr`), and per question a link to a SIPAS element (citizens) or to a framework
//! leaf with a weight per option (officials: points = max × mean weight).
//!
//! Texts are per language (`vi`, `en`, … ; the empty key is the form's default language), as
//! XLSForm has them. `validate` lists every problem at once, each naming its question, list or
//! row, so that an import or an editor can show them all.

pub mod answers;
pub mod expr;

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::Exact;

/// Text in several languages: language code → text ("" is the default language).
pub type Text = BTreeMap<String, String>;

/// Who answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum SurveyKind {
    /// Citizens and organisations rating public services (SIPAS).
    #[default]
    Citizens,
    /// Leaders, deputies and officials rating units for the index.
    Officials,
}

/// Question types.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum QuestionType {
    /// One answer on a five-level scale (the list gives the labels).
    Likert,
    SingleChoice,
    /// Several answers, at most `max` when given ("choose the 3 most important").
    MultipleChoice {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max: Option<u32>,
    },
    /// Order the options (the first `pick` when given).
    Rank {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pick: Option<u32>,
    },
    Integer,
    Decimal,
    ShortText,
    LongText,
    /// Text shown to the respondent, no answer.
    Note,
}

impl QuestionType {
    pub fn uses_list(&self) -> bool {
        matches!(self, QuestionType::Likert | QuestionType::SingleChoice | QuestionType::MultipleChoice { .. } | QuestionType::Rank { .. })
    }

    pub fn code(&self) -> &'static str {
        match self {
            QuestionType::Likert => "likert",
            QuestionType::SingleChoice => "single_choice",
            QuestionType::MultipleChoice { .. } => "multiple_choice",
            QuestionType::Rank { .. } => "rank",
            QuestionType::Integer => "integer",
            QuestionType::Decimal => "decimal",
            QuestionType::ShortText => "short_text",
            QuestionType::LongText => "long_text",
            QuestionType::Note => "note",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub key: String,
    pub label: Text,
    /// Officials' survey: the share of the linked leaf's points this answer is worth (0–1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<Exact>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChoiceList {
    pub name: String,
    pub choices: Vec<Choice>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    pub name: String,
    #[serde(flatten)]
    pub kind: QuestionType,
    pub label: Text,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub hint: Text,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub required: bool,
    /// Shown only when this holds (skip logic).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relevant: Option<String>,
    /// An answer must satisfy this (`.` is the answer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constraint: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub constraint_message: Text,
    /// The choice list of a choice question.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list: Option<String>,
    /// Citizens' survey: the SIPAS element (1–5) this question measures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub element: Option<u8>,
    /// Officials' survey: the framework leaf this question scores.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leaf: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    pub name: String,
    #[serde(default)]
    pub label: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relevant: Option<String>,
    /// A Likert matrix: every question shares one list, shown as a table.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub matrix: bool,
    pub questions: Vec<Question>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Questionnaire {
    pub code: String,
    pub title: Text,
    #[serde(default)]
    pub kind: SurveyKind,
    #[serde(default)]
    pub version: String,
    /// Languages of the texts, the default first.
    #[serde(default)]
    pub languages: Vec<String>,
    /// A sample shipped with parindex, not an official text.
    #[serde(default)]
    pub sample: bool,
    pub sections: Vec<Section>,
    #[serde(default)]
    pub lists: Vec<ChoiceList>,
}

/// One problem of a questionnaire: where (a question, list or section name) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub place: String,
    pub vi: String,
    pub en: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {} / {}", self.place, self.vi, self.en)
    }
}

/// The longest question name or choice key (they are stored as such in the counts).
pub const NAME_MAX: usize = 64;

impl Questionnaire {
    /// Every question, in order, with its section.
    pub fn questions(&self) -> impl Iterator<Item = (&Section, &Question)> {
        self.sections.iter().flat_map(|s| s.questions.iter().map(move |q| (s, q)))
    }

    pub fn question(&self, name: &str) -> Option<&Question> {
        self.questions().map(|(_, q)| q).find(|q| q.name == name)
    }

    pub fn list(&self, name: &str) -> Option<&ChoiceList> {
        self.lists.iter().find(|l| l.name == name)
    }

    /// Every problem at once; empty when the questionnaire can be published.
    pub fn validate(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        let mut p = |place: String, vi: String, en: String| out.push(Problem { place, vi, en });
        if self.code.trim().is_empty() {
            p("code".into(), "Thiếu mã phiếu.".into(), "The questionnaire has no code.".into());
        }
        let answerable = self.questions().filter(|(_, q)| q.kind != QuestionType::Note).count();
        if answerable == 0 {
            p("survey".into(), "Phiếu chưa có câu hỏi nào.".into(), "The form has no questions.".into());
        }
        let mut lists = BTreeSet::new();
        for l in &self.lists {
            if !lists.insert(l.name.as_str()) {
                p(format!("danh sách {}", l.name), "Tên danh sách bị trùng.".into(), "The list name is used twice.".into());
            }
            let mut keys = BTreeSet::new();
            for c in &l.choices {
                if c.key.chars().count() > NAME_MAX {
                    p(
                        format!("danh sách {}", l.name),
                        format!("Mã lựa chọn “{}” dài quá {NAME_MAX} ký tự.", c.key),
                        format!("The choice key “{}” is longer than {NAME_MAX} characters.", c.key),
                    );
                }
                if !keys.insert(c.key.as_str()) {
                    p(
                        format!("danh sách {}", l.name),
                        format!("Lựa chọn “{}” bị trùng.", c.key),
                        format!("The choice “{}” appears twice.", c.key),
                    );
                }
                if let Some(w) = &c.weight
                    && (w < &Exact::ZERO || w > &Exact::int(1))
                {
                    p(
                        format!("danh sách {}", l.name),
                        format!("Trọng số của “{}” phải từ 0 đến 1.", c.key),
                        format!("The weight of “{}” must be between 0 and 1.", c.key),
                    );
                }
            }
        }
        let mut seen: BTreeSet<&str> = BTreeSet::new();
        let names: BTreeSet<&str> = self.questions().map(|(_, q)| q.name.as_str()).collect();
        for s in &self.sections {
            if s.matrix {
                let used: BTreeSet<_> = s.questions.iter().filter_map(|q| q.list.as_deref()).collect();
                if used.len() > 1 {
                    p(
                        format!("nhóm {}", s.name),
                        "Các câu của một bảng ma trận phải dùng chung một thang đo.".into(),
                        "The questions of a matrix must share one scale.".into(),
                    );
                }
            }
            if let Some(r) = &s.relevant {
                check_expr(&mut p, &format!("nhóm {}", s.name), "relevant", r, &names);
            }
        }
        for (_, q) in self.questions() {
            let place = format!("câu {}", q.name);
            if q.name.trim().is_empty() || q.name.contains(char::is_whitespace) {
                p(place.clone(), "Tên câu hỏi trống hoặc có dấu cách.".into(), "The question name is empty or has spaces.".into());
            }
            if q.name.chars().count() > NAME_MAX {
                p(
                    place.clone(),
                    format!("Tên câu hỏi dài quá {NAME_MAX} ký tự."),
                    format!("The question name is longer than {NAME_MAX} characters."),
                );
            }
            if q.name.contains(['=', '@']) {
                // reserved: the counts of the breakdown by respondent group use them
                p(place.clone(), "Tên câu hỏi không được chứa “=” hoặc “@”.".into(), "A question name may not contain “=” or “@”.".into());
            }
            if !seen.insert(q.name.as_str()) {
                p(place.clone(), "Tên câu hỏi bị trùng.".into(), "The question name is used twice.".into());
            }
            match (&q.list, q.kind.uses_list()) {
                (None, true) => {
                    p(place.clone(), "Câu hỏi lựa chọn chưa có danh sách lựa chọn.".into(), "A choice question needs a choice list.".into())
                }
                (Some(l), true) => match self.list(l) {
                    None => p(place.clone(), format!("Không có danh sách “{l}”."), format!("There is no list “{l}”.")),
                    Some(list) if q.kind == QuestionType::Likert && list.choices.len() != 5 => p(
                        place.clone(),
                        format!("Thang Likert cần đúng 5 mức; danh sách “{l}” có {}.", list.choices.len()),
                        format!("A Likert scale needs exactly 5 levels; list “{l}” has {}.", list.choices.len()),
                    ),
                    Some(_) => {}
                },
                (Some(_), false) => p(
                    place.clone(),
                    "Loại câu hỏi này không dùng danh sách lựa chọn.".into(),
                    "This question type takes no choice list.".into(),
                ),
                (None, false) => {}
            }
            if let Some(e) = q.element {
                if self.kind != SurveyKind::Citizens {
                    p(
                        place.clone(),
                        "Chỉ phiếu người dân gắn với yếu tố SIPAS.".into(),
                        "Only citizens' forms link to SIPAS elements.".into(),
                    );
                } else if !(1..=5).contains(&e) {
                    p(place.clone(), "Yếu tố SIPAS từ 1 đến 5.".into(), "SIPAS elements are 1 to 5.".into());
                } else if q.kind != QuestionType::Likert {
                    p(
                        place.clone(),
                        "Câu gắn với yếu tố SIPAS phải là câu Likert.".into(),
                        "A question linked to a SIPAS element must be Likert.".into(),
                    );
                }
            }
            if q.leaf.is_some() {
                let weighted = q.list.as_deref().and_then(|l| self.list(l)).is_some_and(|l| l.choices.iter().all(|c| c.weight.is_some()));
                if self.kind != SurveyKind::Officials {
                    p(place.clone(), "Chỉ phiếu cán bộ gắn với tiêu chí.".into(), "Only officials' forms link to framework leaves.".into());
                } else if !weighted {
                    p(
                        place.clone(),
                        "Câu gắn với tiêu chí cần trọng số cho mọi lựa chọn.".into(),
                        "A question linked to a leaf needs a weight on every choice.".into(),
                    );
                }
            }
            for (field, text) in [("relevant", &q.relevant), ("constraint", &q.constraint)] {
                if let Some(t) = text {
                    check_expr(&mut p, &place, field, t, &names);
                }
            }
        }
        out
    }
}

fn check_expr(p: &mut impl FnMut(String, String, String), place: &str, field: &str, text: &str, names: &BTreeSet<&str>) {
    match expr::parse(text) {
        Err(e) => p(place.into(), format!("{field}: {}", e.vi), format!("{field}: {}", e.en)),
        Ok(e) => {
            for r in e.refs() {
                if !names.contains(r) {
                    p(
                        place.into(),
                        format!("{field} nhắc đến câu “{r}” không có trong phiếu."),
                        format!("{field} refers to “{r}”, which is not in the form."),
                    );
                }
            }
        }
    }
}

/// Officials' survey → points: for one unit and one framework leaf, the mean option weight over
/// the answers to the questions linked to the leaf (`(weight of the option chosen, how many
/// chose it)`); the leaf's points are its maximum × this share. Exact; `None` without answers.
pub fn leaf_share<'a>(answers: impl IntoIterator<Item = (&'a Exact, u64)>) -> Option<Exact> {
    let (mut sum, mut n) = (Exact::ZERO, 0u64);
    for (w, k) in answers {
        sum = sum + w.clone() * Exact::int(k as i64);
        n += k;
    }
    (n > 0).then(|| sum / Exact::int(n as i64))
}

#[cfg(test)]
mod tests {
    #[test]
    fn leaf_share_is_the_exact_mean_weight() {
        let (w0, w75, w1) = (Exact::ZERO, Exact::ratio(3, 4), Exact::int(1));
        // 2 × 1 + 1 × 0.75 + 0 × 3 over 3 answers = 11/12, exact (not 0.91666…)
        let share = super::leaf_share([(&w1, 2), (&w75, 1), (&w0, 0)]).unwrap();
        assert_eq!(share, Exact::ratio(11, 12));
        assert_eq!((Exact::ratio(5, 2) * share).to_fraction_string(), "55/24");
        assert_eq!(super::leaf_share([(&w1, 0)]), None);
    }

    use super::*;

    fn text(s: &str) -> Text {
        [("vi".to_string(), s.to_string())].into()
    }

    fn q(name: &str, kind: QuestionType, list: Option<&str>) -> Question {
        Question {
            name: name.into(),
            kind,
            label: text(name),
            hint: Text::new(),
            required: true,
            relevant: None,
            constraint: None,
            constraint_message: Text::new(),
            list: list.map(Into::into),
            element: None,
            leaf: None,
        }
    }

    fn likert() -> ChoiceList {
        ChoiceList {
            name: "muc_do".into(),
            choices: (1..=5).map(|k| Choice { key: k.to_string(), label: text(&format!("mức {k}")), weight: None }).collect(),
        }
    }

    fn form(questions: Vec<Question>, lists: Vec<ChoiceList>) -> Questionnaire {
        Questionnaire {
            code: "T".into(),
            title: text("Thử"),
            kind: SurveyKind::Citizens,
            version: "1".into(),
            languages: vec!["vi".into()],
            sample: false,
            sections: vec![Section { name: "s".into(), label: Text::new(), relevant: None, matrix: true, questions }],
            lists,
        }
    }

    #[test]
    fn a_good_form_has_no_problems() {
        let mut a = q("a", QuestionType::Likert, Some("muc_do"));
        a.element = Some(1);
        let mut b = q("b", QuestionType::Likert, Some("muc_do"));
        b.relevant = Some("${a} >= 4".into());
        let f = form(vec![a, b], vec![likert()]);
        assert_eq!(f.validate(), vec![]);
        // the model reads back what it writes
        let json = serde_json::to_string(&f).unwrap();
        assert_eq!(serde_json::from_str::<Questionnaire>(&json).unwrap(), f);
    }

    #[test]
    fn every_problem_at_once() {
        let mut a = q("a", QuestionType::Likert, Some("muc_do"));
        a.element = Some(7);
        let mut dup = q("a", QuestionType::SingleChoice, Some("khong_co"));
        dup.relevant = Some("${khong_ton_tai} = 'co'".into());
        let no_list = q("c", QuestionType::MultipleChoice { max: Some(3) }, None);
        let mut bad_expr = q("d", QuestionType::Integer, None);
        bad_expr.constraint = Some(". >= ‘0’".into());
        let mut leaf = q("e", QuestionType::SingleChoice, Some("muc_do"));
        leaf.leaf = Some("1.2".into());
        let mut short = likert();
        short.name = "ngan".into();
        short.choices.truncate(3);
        short.choices.push(short.choices[0].clone());
        let f = form(vec![a, dup, no_list, bad_expr, leaf, q("f", QuestionType::Likert, Some("ngan"))], vec![likert(), short]);
        let problems = f.validate();
        let text: Vec<String> = problems.iter().map(|p| format!("{}: {}", p.place, p.en)).collect();
        let want = [
            "danh sách ngan: The choice “1” appears twice.",
            "nhóm s: The questions of a matrix must share one scale.",
            "câu a: SIPAS elements are 1 to 5.",
            "câu a: The question name is used twice.",
            "câu a: There is no list “khong_co”.",
            "câu a: relevant refers to “khong_ton_tai”, which is not in the form.",
            "câu c: A choice question needs a choice list.",
            "câu d: constraint: Typographic quotes",
            "câu e: Only officials' forms link to framework leaves.",
            "câu f: A Likert scale needs exactly 5 levels; list “ngan” has 4.",
        ];
        assert_eq!(problems.len(), want.len(), "{text:#?}");
        for (got, want) in text.iter().zip(want) {
            assert!(got.starts_with(want), "{got} / {want}");
        }
        let empty = form(vec![q("n", QuestionType::Note, None)], vec![]);
        assert_eq!(empty.validate()[0].en, "The form has no questions.");
    }
}
