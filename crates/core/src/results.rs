//! Results of a period (issue #6): ranks and groups, on exact numbers.
//!
//! **Ranks** are competition ranks ("1, 2, 2, 4"): units whose values are *exactly* equal share
//! the better rank and the next rank is skipped; nothing is rounded before comparing (two units
//! shown as 87,50 and 87,50 but differing in the third decimal do not tie). A unit without a
//! value (nothing applicable) gets no rank.
//!
//! **Groups** come from the period's thresholds: the first (highest) threshold whose minimum the
//! index reaches gives the group. [`default_groups`] is the common provincial scale
//! (A ≥ 90, B ≥ 80, C ≥ 70, D below).

use serde::{Deserialize, Serialize};

use crate::Exact;

/// Competition ranks of `values` (higher is better), aligned with them.
pub fn ranks(values: &[Option<Exact>]) -> Vec<Option<usize>> {
    values
        .iter()
        .map(|v| {
            let v = v.as_ref()?;
            Some(1 + values.iter().filter(|o| o.as_ref().is_some_and(|o| o > v)).count())
        })
        .collect()
}

/// One group of the period's scale: units whose index is at least `min` (and below the previous
/// group's minimum).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    pub label: String,
    pub min: Exact,
}

/// A ≥ 90, B ≥ 80, C ≥ 70, D below 70.
pub fn default_groups() -> Vec<Group> {
    [("A", 90), ("B", 80), ("C", 70), ("D", 0)].into_iter().map(|(l, m)| Group { label: l.into(), min: Exact::int(m) }).collect()
}

/// The group of an index: the first group, highest minimum first, whose minimum it reaches.
pub fn group_of<'a>(index: &Exact, groups: &'a [Group]) -> Option<&'a str> {
    let mut sorted: Vec<&Group> = groups.iter().collect();
    sorted.sort_by(|a, b| b.min.cmp(&a.min));
    sorted.into_iter().find(|g| index >= &g.min).map(|g| g.label.as_str())
}

/// Parse a scale written as `A:90, B:80, C:70, D:0` (a label and its minimum index, any order).
pub fn parse_groups(s: &str) -> Result<Vec<Group>, crate::Msg> {
    let mut out = Vec::new();
    for part in s.split([',', ';', '\n']).map(str::trim).filter(|p| !p.is_empty()) {
        let (label, min) = part.split_once(':').ok_or_else(|| {
            crate::Msg::new(
                format!("“{part}”: viết nhãn:điểm tối thiểu, ví dụ A:90."),
                format!("“{part}”: write label:minimum, e.g. A:90."),
            )
        })?;
        let min = Exact::parse(min.trim().replace(',', ".").as_str()).filter(|m| m >= &Exact::ZERO && m <= &Exact::int(100)).ok_or_else(
            || crate::Msg::new(format!("“{part}”: điểm tối thiểu phải từ 0 đến 100."), format!("“{part}”: the minimum must be 0–100.")),
        )?;
        let label = label.trim();
        if label.is_empty() || out.iter().any(|g: &Group| g.label == label) {
            return Err(crate::Msg::new(
                format!("“{part}”: nhãn trống hoặc bị trùng."),
                format!("“{part}”: the label is empty or repeated."),
            ));
        }
        out.push(Group { label: label.to_string(), min });
    }
    if out.is_empty() {
        return Err(crate::Msg::new("Chưa có nhóm nào.", "No group given."));
    }
    out.sort_by(|a, b| b.min.cmp(&a.min));
    Ok(out)
}

/// The scale written back as `A:90, B:80, …`.
pub fn groups_text(groups: &[Group]) -> String {
    groups.iter().map(|g| format!("{}:{}", g.label, g.min)).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(s: &str) -> Option<Exact> {
        Exact::parse(s)
    }

    #[test]
    fn ties_share_the_better_rank_and_exactness_breaks_display_ties() {
        let v = [e("91.5"), e("87.504"), e("91.5"), None, e("87.5"), e("60")];
        assert_eq!(ranks(&v), vec![Some(1), Some(3), Some(1), None, Some(4), Some(5)]);
        // shown to two decimals both are 87,50; exactly they differ, so they do not tie
        assert_ne!(ranks(&v)[1], ranks(&v)[4]);
        assert_eq!(ranks(&[]), Vec::<Option<usize>>::new());
    }

    #[test]
    fn groups_by_threshold_highest_first() {
        let g = default_groups();
        assert_eq!(group_of(&Exact::int(90), &g), Some("A"));
        assert_eq!(group_of(&e("89.999").unwrap(), &g), Some("B"));
        assert_eq!(group_of(&Exact::int(70), &g), Some("C"));
        assert_eq!(group_of(&Exact::int(12), &g), Some("D"));
        let custom = parse_groups("Tốt: 85; Khá:70,Trung bình:0").unwrap();
        assert_eq!(groups_text(&custom), "Tốt:85, Khá:70, Trung bình:0");
        assert_eq!(group_of(&Exact::int(84), &custom), Some("Khá"));
        assert!(
            parse_groups("A90").is_err()
                && parse_groups("A:120").is_err()
                && parse_groups("A:1, A:2").is_err()
                && parse_groups("").is_err()
        );
        // no group reaches: nothing (a scale without a 0 floor)
        assert_eq!(group_of(&Exact::int(10), &parse_groups("A:90").unwrap()), None);
    }
}
