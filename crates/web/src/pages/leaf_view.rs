//! What every view of a leaf shows and sends — the unit's self-assessment (`pages::assessment`)
//! and the appraisal (`pages::appraisal`): the leaf, its rule's input widget, the evidence it
//! asks for and the files linked, its history; and the form a leaf posts.

use parindex_core::assessment::LeafForm;
use parindex_core::framework::{Node, Rule, Source};
use parindex_store::repo::periods::AssessmentView;
use serde::{Deserialize, Serialize};

use crate::ctx::Ctx;

// ---------------------------------------------------------------------------------------------
// The self-assessment page

#[derive(Default)]
pub struct LeafView {
    /// Improvement actions planned for this leaf in earlier years (`pages::improvements`).
    pub carried: Vec<String>,
    pub code: String,
    pub title: String,
    pub guidance: String,
    pub max: String,
    pub kind: &'static str,
    pub options: Vec<(String, String)>,
    pub form: LeafForm,
    pub note: String,
    pub explanation: String,
    pub version: i32,
    pub points: String,
    pub computation: String,
    /// todo | done | na
    pub status: &'static str,
    pub self_scored: bool,
    pub source_note: &'static str,
    /// A fed leaf: the page of its data (issue #18), at the unit's row.
    pub data_link: String,
    pub evidence: String,
    pub evidence_required: bool,
    pub updated: String,
    pub error: Option<String>,
    pub files: Vec<FileView>,
    /// Why an appraiser returned the leaf for correction (empty when not returned).
    pub returned: String,
    /// After the preliminary result: appraised and final points with the appraisers' comments,
    /// and the unit's explanation/contest.
    pub appraised: String,
    pub appraisal_comment: String,
    pub final_points: String,
    pub final_comment: String,
    pub contest: String,
    /// Who did what on this leaf, in order (self → appraised → explained → final).
    pub timeline: Vec<String>,
    /// The digest of the stored values the form was drawn with ([`digest`]): the page saved as a
    /// whole writes only the leaves whose values differ from it.
    pub orig: String,
    /// The library field's value (kept after a refused save).
    pub library: String,
}

/// A short digest of a leaf's values as its form shows them (input fields, note, explanation):
/// what the page was drawn with travels with the form, so that saving the whole page tells the
/// leaves the officer changed from the ones merely shown — an untouched leaf is never written,
/// even when somebody else saved it meanwhile.
pub fn digest(form: &LeafForm, note: &str, explanation: &str) -> String {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    let na = if form.not_applicable.is_some() { "1" } else { "" };
    for part in
        [&form.option, &form.yes, &form.percent, &form.numerator, &form.denominator, &form.count, &form.value, na, note, explanation]
    {
        h.update(part.trim().as_bytes());
        h.update([0x1f]);
    }
    hex::encode(&h.finalize()[..12])
}

/// A leaf's history from its row: self-scored, appraised, explained, final (who and when).
pub fn timeline(ctx: &Ctx, e: &parindex_store::repo::periods::EntryRow) -> Vec<String> {
    let when = |t: &chrono::DateTime<chrono::Utc>| parindex_core::text::format_time_vn(*t);
    let mut out = Vec::new();
    if e.input.is_some() {
        out.push(format!("{} — {} ({})", ctx.t("tl.self"), e.updated_by, when(&e.updated_at)));
    }
    if let (Some(by), Some(at)) = (&e.appraised_by, &e.appraised_at) {
        out.push(format!("{} — {by} ({})", ctx.t("tl.appraised"), when(at)));
    }
    if let Some(by) = &e.contest_by {
        out.push(format!("{} — {by}", ctx.t("tl.explained")));
    }
    if let (Some(by), Some(at)) = (&e.final_by, &e.final_at) {
        out.push(format!("{} — {by} ({})", ctx.t("tl.final"), when(at)));
    }
    out
}

/// What every view of a leaf shows (self-assessment and appraisal): the leaf itself, its rule's
/// input widget, what evidence it asks for and the files the unit linked.
pub fn leaf_basics(ctx: &Ctx, n: &Node, decimals: u32, view: &AssessmentView) -> LeafView {
    LeafView {
        code: n.code.clone(),
        title: n.title.clone(),
        guidance: n.guidance.clone().unwrap_or_default(),
        max: ctx.lang.num(&n.max.clone().unwrap_or_default(), decimals),
        kind: kind_of(n.rule.as_ref()),
        options: match &n.rule {
            Some(Rule::Options { options }) => {
                options.iter().map(|o| (o.key.clone(), format!("{} ({})", o.label, ctx.lang.num(&o.points, decimals)))).collect()
            }
            _ => vec![],
        },
        source_note: match n.source {
            Source::Survey => "as.source_survey",
            Source::Feed(_) => "as.source_feed",
            Source::SelfAssessed => "",
        },
        data_link: match n.source.feed() {
            Some(_) => format!("/periods/{}/so-lieu/{}#u_{}", view.period.id, n.code, view.assessment.unit_code),
            None => String::new(),
        },
        evidence: n.evidence.as_ref().map(|ev| ev.documents.join("; ")).unwrap_or_default(),
        evidence_required: n.evidence.as_ref().is_some_and(|ev| ev.required),
        files: view
            .evidence
            .get(&n.code)
            .map(|v| {
                v.iter()
                    .map(|f| FileView {
                        id: f.id,
                        name: f.name.clone(),
                        size: size_text(f.size),
                        kind: f.kind.to_uppercase(),
                        preview: parindex_core::evidence::Kind::parse(&f.kind).is_some_and(|k| k.previewable()),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        ..Default::default()
    }
}

pub struct FileView {
    pub id: i64,
    pub name: String,
    pub size: String,
    pub kind: String,
    pub preview: bool,
}

fn size_text(bytes: i64) -> String {
    if bytes >= 1024 * 1024 { format!("{:.1} MB", bytes as f64 / 1048576.0) } else { format!("{} KB", (bytes + 1023) / 1024) }
}

pub struct DomainView {
    pub code: String,
    pub title: String,
    pub points: String,
    pub max: String,
}

pub enum TreeItem {
    Open(DomainView),
    Leaf(Box<LeafView>),
    Close,
}

pub fn kind_of(rule: Option<&Rule>) -> &'static str {
    rule.map(|r| r.kind()).unwrap_or("")
}

#[derive(Deserialize, Default, Clone, Serialize)]
pub struct EntryForm {
    #[serde(default)]
    pub option: String,
    #[serde(default)]
    pub yes: String,
    #[serde(default)]
    pub percent: String,
    #[serde(default)]
    pub numerator: String,
    #[serde(default)]
    pub denominator: String,
    #[serde(default)]
    pub count: String,
    #[serde(default)]
    pub value: String,
    #[serde(default)]
    pub not_applicable: Option<String>,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub explanation: String,
    #[serde(default)]
    pub version: i32,
    /// The appraisal page's button: save or return.
    #[serde(default)]
    pub op: String,
}

impl EntryForm {
    pub fn leaf(&self) -> LeafForm {
        LeafForm {
            option: self.option.clone(),
            yes: self.yes.clone(),
            percent: self.percent.clone(),
            numerator: self.numerator.clone(),
            denominator: self.denominator.clone(),
            count: self.count.clone(),
            value: self.value.clone(),
            not_applicable: self.not_applicable.clone(),
        }
    }
}
