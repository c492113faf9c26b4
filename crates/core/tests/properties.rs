//! Properties of the scoring engine over many random frameworks and inputs:
//! points stay within 0..max, a parent is the sum of its children, the index does not depend on
//! the order of nodes, and arithmetic is exact (sums in any order are equal, index × applicable
//! maximum = total × 100 exactly).
//!
//! `PARINDEX_PROPERTY_TREES` sets how many trees (default 20,000; CI runs 1,000,000).

use parindex_core::Exact;
use parindex_core::framework::score::{Compiled, score};
use parindex_core::framework::synthetic::{self, Rng};
use parindex_core::framework::{Framework, Node};
use proptest::prelude::*;

fn reversed(fw: &Framework) -> Framework {
    fn rev(nodes: &[Node]) -> Vec<Node> {
        nodes.iter().rev().map(|n| Node { children: rev(&n.children), ..n.clone() }).collect()
    }
    Framework { nodes: rev(&fw.nodes), ..fw.clone() }
}

#[test]
fn engine_properties_over_random_trees() {
    let trees: u64 = std::env::var("PARINDEX_PROPERTY_TREES").ok().and_then(|v| v.parse().ok()).unwrap_or(20_000);
    let mut leaves_seen = 0usize;
    for seed in 0..trees {
        let mut rng = Rng::new(seed);
        let fw = synthetic::framework(1 + rng.below(40) as usize, seed);
        let c = Compiled::new(&fw).expect("generated frameworks are valid");
        let placed = synthetic::inputs(&c, &mut rng, 100);
        let s = score(&c, &placed, false).expect("generated inputs are valid");
        for (i, n) in c.nodes.iter().enumerate() {
            let r = &s.nodes[i];
            assert!(r.points >= Exact::ZERO && r.points <= r.max, "seed {seed} {}: {} of {}", n.code, r.points, r.max);
            if n.children.is_empty() {
                leaves_seen += 1;
            } else {
                let kids = n.children.iter().filter(|k| s.nodes[**k].applicable);
                let sum: Exact = kids.clone().map(|k| s.nodes[*k].points.clone()).sum();
                let amax: Exact = kids.map(|k| s.nodes[*k].applicable_max.clone()).sum();
                assert_eq!(r.points, sum, "seed {seed} {}", n.code);
                assert_eq!(r.applicable_max, amax, "seed {seed} {}", n.code);
            }
        }
        // exact: the applicable leaves summed backwards equal the tree's sum
        let backwards: Exact = c
            .leaf_positions()
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .filter(|i| s.nodes[*i].applicable)
            .map(|i| s.nodes[i].points.clone())
            .sum();
        assert_eq!(backwards, s.achieved, "seed {seed}");
        assert_eq!(s.total, (s.achieved.clone() + s.bonus.clone() - s.penalty.clone()).max(Exact::ZERO));
        if let Some(index) = &s.index {
            assert_eq!(index.clone() * s.applicable_max.clone(), s.total.clone() * Exact::HUNDRED, "seed {seed}");
        }
        // order independence: the same inputs by code on the mirrored tree
        if seed % 10 == 0 {
            let fw2 = reversed(&fw);
            let c2 = Compiled::new(&fw2).unwrap();
            let mut leaves = vec![None; c2.nodes.len()];
            for (i, n) in c.nodes.iter().enumerate() {
                leaves[c2.position(&n.code).unwrap()] = placed.leaves[i].clone();
            }
            let placed2 = parindex_core::framework::score::Placed { leaves, ..placed.clone() };
            let s2 = score(&c2, &placed2, false).unwrap();
            assert_eq!((&s2.total, &s2.index, &s2.applicable_max), (&s.total, &s.index, &s.applicable_max), "seed {seed}");
            for (i, n) in c.nodes.iter().enumerate() {
                assert_eq!(s2.nodes[c2.position(&n.code).unwrap()].points, s.nodes[i].points, "seed {seed} {}", n.code);
            }
        }
    }
    println!("checked {trees} random frameworks, {leaves_seen} leaves");
}

proptest! {
    #[test]
    fn exact_arithmetic_laws(a in -1_000_000i64..1_000_000, b in 1i64..1_000_000, c in -1_000_000i64..1_000_000, d in 1i64..1_000_000) {
        let x = Exact::ratio(a as i128, b as i128);
        let y = Exact::ratio(c as i128, d as i128);
        prop_assert_eq!(x.clone() + y.clone() - y.clone(), x.clone());
        prop_assert_eq!(x.clone() + y.clone(), y.clone() + x.clone());
        if !y.is_zero() {
            prop_assert_eq!(x.clone() * y.clone() / y.clone(), x.clone());
        }
        prop_assert_eq!(x < y, (a as i128) * (d as i128) < (c as i128) * (b as i128));
        // shown values parse back to themselves when they are finite decimals
        if let Some(s) = x.to_exact_decimal(12) {
            prop_assert_eq!(Exact::parse(&s).unwrap(), x.clone());
        }
    }
}
