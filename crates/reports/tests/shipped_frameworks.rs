//! Every framework file shipped in `frameworks/` is valid; the samples are marked as samples,
//! total 100 over the 8 domains, have at least 30 leaves and use every rule kind.

use std::collections::BTreeSet;
use std::path::Path;

use parindex_core::Exact;
use parindex_reports::framework::parse_framework;

fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|x| x == "yaml") && !p.to_string_lossy().ends_with("-inputs.yaml") {
            out.push(p);
        }
    }
}

#[test]
fn shipped_frameworks_are_valid() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../frameworks");
    let mut all = Vec::new();
    files(&root, &mut all);
    assert!(all.len() >= 4, "{all:?}");
    for p in all {
        let text = std::fs::read_to_string(&p).unwrap();
        let fw = parse_framework(&p.display().to_string(), &text).unwrap_or_else(|e| panic!("{}: {e:#?}", p.display()));
        assert!(fw.sample, "{}: shipped frameworks are samples", p.display());
        if p.parent().unwrap().ends_with("samples") {
            assert_eq!(fw.max_total(), Exact::int(100), "{}", p.display());
            assert_eq!(fw.nodes.len(), 8, "{}: the 8 domains", p.display());
            // the national-style sample for provinces is small on purpose
            if fw.unit_kinds.iter().any(|k| k == "province") {
                continue;
            }
            assert!(fw.leaves().count() >= 30, "{}", p.display());
            let kinds: BTreeSet<_> = fw.leaves().filter_map(|n| n.rule.as_ref().map(|r| r.kind())).collect();
            assert_eq!(kinds.len(), 7, "{}: every rule kind, got {kinds:?}", p.display());
            assert!(!fw.adjustments.is_empty(), "{}: bonus/penalty", p.display());
        }
    }
}
