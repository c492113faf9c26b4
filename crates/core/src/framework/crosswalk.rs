//! Crosswalk between two framework versions: which old node became which new node(s), so that
//! year-over-year comparisons compare like with like. Unmapped nodes are reported, not guessed.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::Framework;

/// old code → new codes. Written by hand in a file, or proposed by `propose` (same code and
/// title) for a person to confirm.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Crosswalk {
    pub from: String,
    pub to: String,
    pub map: BTreeMap<String, Vec<String>>,
}

/// What changed between two versions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Diff {
    pub added: Vec<String>,
    pub removed: Vec<String>,
    /// Same code, different title, rule or maximum.
    pub changed: Vec<String>,
}

/// Nodes of `old` mapped to the node of `new` with the same code, when one exists.
pub fn propose(old: &Framework, new: &Framework) -> Crosswalk {
    let new_codes: BTreeSet<&str> = new.walk().into_iter().map(|(_, n)| n.code.as_str()).collect();
    let map = old
        .walk()
        .into_iter()
        .filter(|(_, n)| new_codes.contains(n.code.as_str()))
        .map(|(_, n)| (n.code.clone(), vec![n.code.clone()]))
        .collect();
    Crosswalk { from: old.code.clone(), to: new.code.clone(), map }
}

/// Added, removed and changed nodes between two versions (by code).
pub fn diff(old: &Framework, new: &Framework) -> Diff {
    let o: BTreeMap<&str, _> = old.walk().into_iter().map(|(_, n)| (n.code.as_str(), n)).collect();
    let n: BTreeMap<&str, _> = new.walk().into_iter().map(|(_, n)| (n.code.as_str(), n)).collect();
    let mut d = Diff::default();
    for (code, node) in &n {
        match o.get(code) {
            None => d.added.push(code.to_string()),
            Some(old_node) => {
                let same = old_node.title == node.title && old_node.rule == node.rule && old_node.max == node.max;
                if !same {
                    d.changed.push(code.to_string());
                }
            }
        }
    }
    d.removed = o.keys().filter(|c| !n.contains_key(*c)).map(|c| c.to_string()).collect();
    d
}

impl Crosswalk {
    /// Old nodes with no successor and new nodes with no predecessor.
    pub fn gaps(&self, old: &Framework, new: &Framework) -> (Vec<String>, Vec<String>) {
        let targets: BTreeSet<&str> = self.map.values().flatten().map(String::as_str).collect();
        let unmapped_old = old.walk().into_iter().filter(|(_, n)| !self.map.contains_key(&n.code)).map(|(_, n)| n.code.clone()).collect();
        let unmapped_new =
            new.walk().into_iter().filter(|(_, n)| !targets.contains(n.code.as_str())).map(|(_, n)| n.code.clone()).collect();
        (unmapped_old, unmapped_new)
    }
}
