//! Validation of a whole framework: every problem at once, each naming the node code, so that
//! a broken file is refused with a complete list and nothing is written.

use std::collections::HashSet;

use serde::Serialize;

use super::{Framework, Node, Rule};
use crate::{Exact, Msg};

/// One problem with a framework. `code` is the node (or adjustment) code, or "" for the
/// framework itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub code: String,
    pub message: Msg,
}

fn p(code: &str, vi: String, en: String) -> Problem {
    Problem { code: code.to_string(), message: Msg::new(vi, en) }
}

fn check_rule(code: &str, rule: &Rule, max: &Exact, out: &mut Vec<Problem>) {
    match rule {
        Rule::Options { options } => {
            if options.len() < 2 {
                out.push(p(code, "quy tắc lựa chọn cần ít nhất 2 lựa chọn".into(), "an options rule needs at least 2 options".into()));
            }
            let mut keys = HashSet::new();
            for o in options {
                if !keys.insert(o.key.as_str()) {
                    out.push(p(code, format!("lựa chọn “{}” bị lặp", o.key), format!("the option key “{}” repeats", o.key)));
                }
                if o.points.is_negative() || &o.points > max {
                    out.push(p(
                        code,
                        format!("lựa chọn “{}” có {} điểm, ngoài khoảng 0–{max}", o.key, o.points),
                        format!("option “{}” is worth {}, outside 0–{max}", o.key, o.points),
                    ));
                }
            }
            if !options.iter().any(|o| &o.points == max) {
                out.push(p(code, format!("không lựa chọn nào đạt điểm tối đa {max}"), format!("no option reaches the maximum {max}")));
            }
        }
        Rule::Bands { bands } => {
            for b in bands {
                if b.points.is_negative() || &b.points > max {
                    out.push(p(
                        code,
                        format!("khoảng {} có {} điểm, ngoài khoảng 0–{max}", b.range_vi(), b.points),
                        format!("band {} is worth {}, outside 0–{max}", b.range(), b.points),
                    ));
                }
                if b.from > b.to || (b.from == b.to && !(b.from_inclusive && b.to_inclusive)) {
                    out.push(p(code, format!("khoảng {} rỗng", b.range_vi()), format!("band {} is empty", b.range())));
                }
            }
            // sort by lower bound and walk 0 → 100 looking for gaps and overlaps
            let mut sorted: Vec<_> = bands.iter().collect();
            sorted.sort_by(|a, b| a.from.cmp(&b.from).then(b.from_inclusive.cmp(&a.from_inclusive)));
            let mut cursor = Exact::ZERO;
            let mut covered_incl = false; // whether `cursor` itself is already covered
            let mut first = true;
            for b in &sorted {
                let starts_ok =
                    if first { b.from == Exact::ZERO && b.from_inclusive } else { b.from == cursor && (b.from_inclusive != covered_incl) };
                if !starts_ok {
                    if first {
                        out.push(p(
                            code,
                            format!("các khoảng phải bắt đầu từ [0; khoảng đầu là {}", b.range_vi()),
                            format!("bands must start at [0; the first is {}", b.range()),
                        ));
                    } else if b.from < cursor || (b.from == cursor && b.from_inclusive && covered_incl) {
                        out.push(p(
                            code,
                            format!("khoảng {} chồng lên khoảng trước", b.range_vi()),
                            format!("band {} overlaps the previous one", b.range()),
                        ));
                    } else {
                        out.push(p(
                            code,
                            format!("có khoảng trống trước khoảng {}", b.range_vi()),
                            format!("there is a gap before band {}", b.range()),
                        ));
                    }
                }
                // a band inside the previous one does not move the frontier back
                if first || b.to > cursor || (b.to == cursor && b.to_inclusive) {
                    cursor = b.to.clone();
                    covered_incl = b.to_inclusive;
                }
                first = false;
            }
            if sorted.is_empty() || cursor != Exact::HUNDRED || !covered_incl {
                out.push(p(
                    code,
                    "các khoảng phải phủ kín đến 100] (100% thuộc một khoảng)".into(),
                    "bands must reach 100] (100% must fall in a band)".into(),
                ));
            }
            if !bands.iter().any(|b| &b.points == max) {
                out.push(p(code, format!("không khoảng nào đạt điểm tối đa {max}"), format!("no band reaches the maximum {max}")));
            }
        }
        Rule::Deduction { per } => {
            if per.is_negative() || per.is_zero() {
                out.push(p(code, "số điểm trừ mỗi lần phải > 0".into(), "the deduction per count must be > 0".into()));
            }
        }
        Rule::Manual { step } => {
            if step.is_negative() || step.is_zero() {
                out.push(p(code, "bước chấm phải > 0".into(), "the step must be > 0".into()));
            } else if !max.is_multiple_of(step) {
                out.push(p(
                    code,
                    format!("điểm tối đa {max} không chia hết cho bước {step}"),
                    format!("the maximum {max} is not a multiple of the step {step}"),
                ));
            }
        }
        Rule::YesNo | Rule::Proportional | Rule::Survey => {}
    }
}

fn check_node(fw: &Framework, n: &Node, codes: &mut HashSet<String>, out: &mut Vec<Problem>) -> Exact {
    let code = n.code.trim();
    if code.is_empty() {
        out.push(p("?", format!("một tiêu chí (“{}”) thiếu mã", n.title), format!("a node (“{}”) has no code", n.title)));
    } else if !codes.insert(code.to_string()) {
        out.push(p(code, format!("mã “{code}” bị trùng"), format!("the code “{code}” repeats")));
    }
    if n.title.trim().is_empty() {
        out.push(p(code, "thiếu tên tiêu chí".into(), "the title is missing".into()));
    }
    for k in &n.applies_to {
        if !fw.unit_kinds.is_empty() && !fw.unit_kinds.contains(k) {
            out.push(p(code, format!("loại đơn vị “{k}” không thuộc bộ chỉ số"), format!("unit kind “{k}” is not one of the framework's")));
        }
    }
    if n.is_leaf() {
        let max = match &n.max {
            Some(m) if !m.is_negative() && !m.is_zero() => m.clone(),
            Some(m) => {
                out.push(p(code, format!("điểm tối đa {m} phải > 0"), format!("the maximum {m} must be > 0")));
                return Exact::ZERO;
            }
            None => {
                out.push(p(code, "tiêu chí thành phần thiếu điểm tối đa (max)".into(), "the leaf has no maximum (max)".into()));
                return Exact::ZERO;
            }
        };
        match &n.rule {
            None => {
                out.push(p(code, "tiêu chí thành phần thiếu quy tắc chấm điểm (rule)".into(), "the leaf has no scoring rule (rule)".into()))
            }
            Some(r) => {
                check_rule(code, r, &max, out);
                if let Some(f) = n.source.feed()
                    && !f.fits(r)
                {
                    let (vi, en) = match f {
                        super::Feed::Onestop(m) if m.is_rate() => ("proportional hoặc bands", "proportional or bands"),
                        super::Feed::Onestop(_) => ("deduction", "deduction"),
                        super::Feed::Apology(crate::apology::Measure::CoverageRate) => ("proportional hoặc bands", "proportional or bands"),
                        super::Feed::Apology(_) => ("deduction", "deduction"),
                        super::Feed::Imported => ("khác survey", "other than survey"),
                        super::Feed::Plans(crate::plans::Measure::UnitPlanOnTime) => ("yes_no", "yes_no"),
                        super::Feed::Plans(_) => ("proportional hoặc bands", "proportional or bands"),
                        super::Feed::Reports(crate::reporting::Measure::OnTimeCount) => {
                            ("proportional, bands hoặc deduction", "proportional, bands or deduction")
                        }
                        super::Feed::Reports(_) => ("proportional hoặc bands", "proportional or bands"),
                        super::Feed::Inspections(m, _) => m.rules(),
                    };
                    out.push(p(
                        code,
                        format!("nguồn dữ liệu {} không dùng được với quy tắc {}: hãy dùng quy tắc {vi}", f.key(), r.kind()),
                        format!("feed {} cannot be read by a {} rule: use a rule {en}", f.key(), r.kind()),
                    ));
                }
                if n.source == super::Source::Survey && *r != Rule::Survey {
                    out.push(p(
                        code,
                        "nguồn điểm là khảo sát nhưng quy tắc không phải survey".into(),
                        "the source is a survey but the rule is not survey".into(),
                    ));
                }
            }
        }
        max
    } else {
        if n.rule.is_some() {
            out.push(p(
                code,
                "tiêu chí có tiêu chí con không được có quy tắc riêng".into(),
                "a node with children cannot have its own rule".into(),
            ));
        }
        let sum: Exact = n.children.iter().map(|c| check_node(fw, c, codes, out)).sum();
        if let Some(m) = &n.max
            && *m != sum
        {
            out.push(p(
                code,
                format!("điểm tối đa {m} khác tổng các tiêu chí con {sum}"),
                format!("the maximum {m} differs from the sum of its children {sum}"),
            ));
        }
        sum
    }
}

/// Every problem of a framework; empty means it can be imported and published.
pub fn validate(fw: &Framework) -> Vec<Problem> {
    let mut out = Vec::new();
    if fw.code.trim().is_empty() {
        out.push(p("", "bộ chỉ số thiếu mã (code)".into(), "the framework has no code".into()));
    }
    if fw.name.trim().is_empty() {
        out.push(p("", "bộ chỉ số thiếu tên (name)".into(), "the framework has no name".into()));
    }
    if let (Some(a), Some(b)) = (fw.valid_from, fw.valid_to)
        && b < a
    {
        out.push(p("", format!("năm áp dụng {a}–{b} không hợp lệ"), format!("the years {a}–{b} are reversed")));
    }
    if fw.decimals > 6 {
        out.push(p("", "số chữ số thập phân hiển thị tối đa là 6".into(), "at most 6 decimals can be shown".into()));
    }
    if fw.nodes.is_empty() {
        out.push(p("", "bộ chỉ số chưa có tiêu chí nào".into(), "the framework has no nodes".into()));
    }
    let mut codes = HashSet::new();
    let total: Exact = fw.nodes.iter().map(|n| check_node(fw, n, &mut codes, &mut out)).sum();
    if let Some(t) = &fw.total
        && *t != total
    {
        out.push(p(
            "",
            format!("tổng điểm tối đa các tiêu chí là {total}, khác tổng khai báo {t}"),
            format!("the nodes add up to {total}, not the declared total {t}"),
        ));
    }
    for a in &fw.adjustments {
        if !codes.insert(a.code.clone()) {
            out.push(p(&a.code, format!("mã “{}” bị trùng", a.code), format!("the code “{}” repeats", a.code)));
        }
        if a.max.is_negative() || a.max.is_zero() {
            out.push(p(&a.code, "mức trần điểm thưởng/trừ phải > 0".into(), "the cap must be > 0".into()));
        } else {
            check_rule(&a.code, &a.rule, &a.max, &mut out);
        }
    }
    out
}
