//! `parindex bench …`: measured figures for the targets the issues name. Each prints the machine
//! facts it can see and the timings (min and median over repetitions); no assertion, no timing
//! in tests.

use std::time::{Duration, Instant};

use parindex_core::framework::score::{Compiled, score, score_many};
use parindex_core::framework::synthetic::{self, Rng};

fn machine() -> String {
    let cpus = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| c.lines().find(|l| l.starts_with("model name")).map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string()))
        .unwrap_or_else(|| "unknown CPU".into());
    format!("{cpus} cores, {model}")
}

fn stats(mut v: Vec<Duration>) -> (Duration, Duration) {
    v.sort();
    (v[0], v[v.len() / 2])
}

/// Results for `units` units × `leaves` leaves, repeated `reps` times.
pub fn scoring(units: usize, leaves: usize, reps: usize) {
    let fw = synthetic::framework(leaves, 2026);
    let c = Compiled::new(&fw).expect("synthetic framework is valid");
    let mut rng = Rng::new(7);
    let inputs: Vec<_> = (0..units).map(|_| synthetic::inputs(&c, &mut rng, 30)).collect();
    println!("parindex bench scoring — {units} units × {leaves} leaves ({} nodes), exact arithmetic", c.nodes.len());
    println!("machine: {}", machine());
    let mut times = Vec::with_capacity(reps);
    let mut check = 0.0;
    for _ in 0..reps {
        let t = Instant::now();
        let sheets: Vec<_> = inputs.iter().map(|p| score(&c, p, false).expect("valid inputs")).collect();
        times.push(t.elapsed());
        check = sheets.iter().map(|s| s.total.to_f64()).sum::<f64>();
    }
    let (min, median) = stats(times);
    println!("one core:        min {:.3} ms, median {:.3} ms over {reps} runs", min.as_secs_f64() * 1e3, median.as_secs_f64() * 1e3);
    let mut times = Vec::with_capacity(reps);
    for _ in 0..reps {
        let t = Instant::now();
        let sheets = score_many(&c, &inputs, false);
        times.push(t.elapsed());
        assert_eq!(sheets.len(), units);
    }
    let (min, median) = stats(times);
    println!(
        "all cores:       min {:.3} ms, median {:.3} ms over {reps} runs (target: under 10 ms)",
        min.as_secs_f64() * 1e3,
        median.as_secs_f64() * 1e3
    );
    println!("(sum of the {units} totals ≈ {check:.4}, to show the work is done)");
    // with explanations, as the pages compute them
    let t = Instant::now();
    for p in &inputs {
        let _ = score(&c, p, true).expect("valid inputs");
    }
    println!("with explanations in both languages: {:.3} ms", t.elapsed().as_secs_f64() * 1e3);
}
