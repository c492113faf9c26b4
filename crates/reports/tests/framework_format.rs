//! The documented framework format, end to end: a hand-written file imports, its totals equal a
//! hand computation to the last digit, broken files list every problem, and text round-trips.

use parindex_core::Exact;
use parindex_core::framework::score::{Compiled, score};
use parindex_reports::framework::{framework_to_yaml, parse_framework, parse_inputs};

const FW: &str = include_str!("../../../frameworks/examples/hand-computed.yaml");
const INPUTS: &str = include_str!("../../../frameworks/examples/hand-computed-inputs.yaml");

fn e(s: &str) -> Exact {
    Exact::parse(s).unwrap()
}

#[test]
fn hand_computation_matches_to_the_last_digit() {
    let fw = parse_framework("hand-computed.yaml", FW).unwrap();
    let c = Compiled::new(&fw).unwrap();
    let inputs = parse_inputs("hand-computed-inputs.yaml", INPUTS).unwrap();
    let placed = c.place(&inputs).unwrap();
    let s = score(&c, &placed, true).unwrap();
    let at = |code: &str| &s.nodes[c.position(code).unwrap()];
    assert_eq!(at("1.1").points, e("0.5"));
    assert_eq!(at("1.3").points, e("1"), "90% is inside [70, 90]");
    assert_eq!(at("2.1").points, e("190/97"));
    assert_eq!(at("2.2").points, e("0"), "deductions stop at zero");
    assert!(!at("3.2").applicable, "commune-only leaf for an agency");
    // domains
    assert_eq!(at("1").points, e("2.5"));
    assert_eq!(at("2").points, e("1051/388"), "190/97 + 3/4");
    assert_eq!(at("3").points, e("0.873"));
    assert_eq!(at("3").applicable_max, e("1"));
    // totals: 0.5 + 1 + 1 + 190/97 + 0 + 0.75 + 0.873 = 589931/97000; bonus 0.5, penalty 0.5
    assert_eq!(s.achieved, e("589931/97000"));
    assert_eq!((s.bonus.clone(), s.penalty.clone()), (e("0.5"), e("0.5")));
    assert_eq!(s.total, e("589931/97000"));
    assert_eq!(s.max_total, e("10"));
    assert_eq!(s.applicable_max, e("9"));
    let index = s.index.clone().unwrap();
    assert_eq!(index, e("589931/8730"));
    let r = s.report(&c);
    assert_eq!(r.index.as_ref().unwrap().value, "67.58");
    assert_eq!(r.total.value, "6.08");
    assert_eq!(r.nodes[c.position("2.1").unwrap()].explanation.as_ref().unwrap().vi, "95/97 × 2 = ≈1,9588 điểm");
}

#[test]
fn a_commune_gets_the_commune_leaf() {
    let fw = parse_framework("hand-computed.yaml", FW).unwrap();
    let c = Compiled::new(&fw).unwrap();
    let mut inputs = parse_inputs("i.yaml", INPUTS).unwrap();
    inputs.unit_kind = Some("commune".into());
    let s = score(&c, &c.place(&inputs).unwrap(), false).unwrap();
    assert_eq!(s.applicable_max, e("10"));
    assert_eq!(s.total, e("589931/97000") + e("1"));
    // marking a leaf not applicable removes it from the applicable maximum
    inputs.inputs.get_mut("1.3").unwrap().not_applicable = true;
    let s = score(&c, &c.place(&inputs).unwrap(), false).unwrap();
    assert_eq!(s.applicable_max, e("8"));
}

#[test]
fn capped_bonus_and_bad_inputs_are_refused_not_scored() {
    let fw = parse_framework("hand-computed.yaml", FW).unwrap();
    let c = Compiled::new(&fw).unwrap();
    let bad = "inputs:\n  \"1.1\": sai\n  \"1.3\": 120\n  \"2.1\": [5, 0]\n  \"9.9\": 1\nadjustments:\n  T1: 0.75\n";
    let inputs = parse_inputs("bad.yaml", bad).unwrap();
    let problems = c.place(&inputs).unwrap_err();
    assert_eq!(problems.iter().map(|p| p.code.as_str()).collect::<Vec<_>>(), vec!["9.9"]);
    let fixed = bad.replace("  \"9.9\": 1\n", "");
    let placed = c.place(&parse_inputs("bad.yaml", &fixed).unwrap()).unwrap();
    let problems = score(&c, &placed, false).unwrap_err();
    let codes: Vec<_> = problems.iter().map(|p| p.code.as_str()).collect();
    assert_eq!(codes, vec!["1.1", "1.3", "2.1"], "every bad leaf is named");
    // a bonus above its cap is an input error, not silently capped
    let only_bonus = c.place(&parse_inputs("b.yaml", "adjustments:\n  T1: 0.75\n").unwrap()).unwrap();
    assert_eq!(score(&c, &only_bonus, false).unwrap_err()[0].code, "T1");
}

#[test]
fn a_broken_file_lists_every_problem() {
    let broken = FW
        .replace(
            "points: 0.5 }\n            - { key: khong, label: Không ban hành",
            "points: 1.5 }\n            - { key: khong, label: Không ban hành",
        )
        .replace("range: \"[70, 90]\"", "range: \"[70, 85]\"")
        .replace("code: \"2.2\"", "code: \"2.1\"")
        .replace("rule: { kind: manual, step: 0.25 }\n  - code: \"3\"", "rule: { kind: manual, step: 0.3 }\n  - code: \"3\"")
        .replace("total: 10", "total: 100");
    let problems = parse_framework("broken.yaml", &broken).unwrap_err();
    let codes: Vec<_> = problems.iter().map(|p| p.code.as_str()).collect();
    assert_eq!(codes, vec!["1.1", "1.3", "2.1", "2.3", ""], "{problems:#?}");
    assert!(problems[1].message.en.contains("gap before band (90, 100]"));
    assert!(problems[2].message.en.contains("repeats"));
    assert!(problems[4].message.en.contains("not the declared total 100"));
    let unquoted = FW.replace("code: \"1.1\"", "code: 1.10");
    let p = parse_framework("q.yaml", &unquoted).unwrap_err();
    assert!(p[0].message.en.contains("in quotes"), "{:?}", p[0].message);
}

#[test]
fn text_round_trip_is_lossless() {
    let fw = parse_framework("hand-computed.yaml", FW).unwrap();
    let text = framework_to_yaml(&fw);
    assert!(text.starts_with("# DỮ LIỆU MẪU"));
    let again = parse_framework("again.yaml", &text).unwrap();
    assert_eq!(again, fw);
    assert_eq!(framework_to_yaml(&again), text);
}
