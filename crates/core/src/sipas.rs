//! SIPAS indices (citizens' satisfaction with public administrative services, issue #5):
//! the five elements of the questionnaire, the tallies kept per unit and element, and the
//! indices computed from them — per element the share of "satisfied" + "very satisfied"
//! answers (4 or 5 on the 5-level scale) and the mean answer; per unit the SIPAS index (the mean
//! of the element shares); for the province the mean over units and the pooled figures.
//!
//! The computation is the one of `shared/bench/SIPAS_SPEC.md`: empty cells count nowhere;
//! shares and means come from integer counts and sums (exact), turned into double precision
//! only to print them with six decimals. Tallies are additive, so they can be kept at ingestion
//! and merged across threads, files or database partitions in any order.
//!
//! [`tally_csv`] reads a responses file in the layout of the benchmark generator (a header
//! naming `unit_code` and `q01`…`q30`; other columns are ignored) in one pass, split across the
//! machine's cores at line boundaries, without allocating per row.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

/// SIPAS elements (access, procedures, civil servants, results, feedback handling).
pub const ELEMENTS: usize = 5;
/// Questions per element in the standard layout (q01–q06 are element 1, …).
pub const PER_ELEMENT: usize = 6;
/// Questions in the standard layout.
pub const QUESTIONS: usize = ELEMENTS * PER_ELEMENT;

/// Counts of one unit's non-empty answers to one element.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Non-empty answers.
    pub n: u64,
    /// Answers of 4 or 5.
    pub top2: u64,
    /// Sum of the answers.
    pub sum: u64,
}

impl Tally {
    #[inline]
    pub fn add(&mut self, answer: u8) {
        self.n += 1;
        self.top2 += u64::from(answer >= 4);
        self.sum += u64::from(answer);
    }

    pub fn merge(&mut self, o: &Tally) {
        self.n += o.n;
        self.top2 += o.top2;
        self.sum += o.sum;
    }

    /// 100 × top2 / n, or `None` without answers.
    pub fn share_top2(&self) -> Option<f64> {
        (self.n > 0).then(|| 100.0 * self.top2 as f64 / self.n as f64)
    }

    /// sum / n, or `None` without answers.
    pub fn mean(&self) -> Option<f64> {
        (self.n > 0).then(|| self.sum as f64 / self.n as f64)
    }
}

/// The tallies of one unit, one per element.
pub type UnitTally = [Tally; ELEMENTS];

/// Tallies per unit code, in code order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tallies {
    pub units: BTreeMap<String, UnitTally>,
}

impl Tallies {
    pub fn merge(&mut self, other: Tallies) {
        for (code, t) in other.units {
            let mine = self.units.entry(code).or_default();
            for (a, b) in mine.iter_mut().zip(t.iter()) {
                a.merge(b);
            }
        }
    }
}

/// One row of the result: a unit (or `PROVINCE`) and an element (`1`…`5`, `sipas`, `pooled`).
#[derive(Debug, Clone, PartialEq)]
pub struct IndexRow {
    pub unit: String,
    pub element: String,
    pub n: u64,
    pub share_top2: f64,
    pub mean: f64,
}

/// A 95 % Wilson interval (in %) for a share `p_percent` measured on `n` respondents. For a
/// unit's SIPAS the respondents (not the answers) are the sample: a respondent's 30 answers
/// move together, so counting answers would give intervals far too narrow. The interval is an
/// approximation (SIPAS is a mean of shares, not one proportion); the respondent-level
/// bootstrap of the results issue refines it. `None` without respondents.
pub fn wilson_95(p_percent: f64, n: u64) -> Option<(f64, f64)> {
    if n == 0 {
        return None;
    }
    let (p, n, z) = ((p_percent / 100.0).clamp(0.0, 1.0), n as f64, 1.959_963_984_540_054_f64);
    let denom = 1.0 + z * z / n;
    let centre = (p + z * z / (2.0 * n)) / denom;
    let half = z * ((p * (1.0 - p) / n) + z * z / (4.0 * n * n)).sqrt() / denom;
    Some(((centre - half).max(0.0) * 100.0, (centre + half).min(1.0) * 100.0))
}

/// The mean of the values present (elements without answers are left out).
fn mean_of(values: impl Iterator<Item = Option<f64>>) -> Option<f64> {
    let (mut s, mut k) = (0.0, 0u32);
    for v in values.flatten() {
        s += v;
        k += 1;
    }
    (k > 0).then(|| s / f64::from(k))
}

/// The index rows: per unit its five elements and `sipas`, then `PROVINCE,sipas` (mean over
/// units) and `PROVINCE,pooled` (all answers together). Elements without answers get no row.
pub fn indices(t: &Tallies) -> Vec<IndexRow> {
    let mut out = Vec::with_capacity(t.units.len() * (ELEMENTS + 1) + 2);
    let mut pooled = Tally::default();
    let (mut unit_shares, mut unit_means) = (Vec::new(), Vec::new());
    for (code, els) in &t.units {
        for (k, e) in els.iter().enumerate() {
            pooled.merge(e);
            if let (Some(share_top2), Some(mean)) = (e.share_top2(), e.mean()) {
                out.push(IndexRow { unit: code.clone(), element: (k + 1).to_string(), n: e.n, share_top2, mean });
            }
        }
        let (Some(share), Some(mean)) = (mean_of(els.iter().map(Tally::share_top2)), mean_of(els.iter().map(Tally::mean))) else {
            continue;
        };
        unit_shares.push(Some(share));
        unit_means.push(Some(mean));
        out.push(IndexRow { unit: code.clone(), element: "sipas".into(), n: els.iter().map(|e| e.n).sum(), share_top2: share, mean });
    }
    if let (Some(share), Some(mean)) = (mean_of(unit_shares.into_iter()), mean_of(unit_means.into_iter())) {
        out.push(IndexRow { unit: "PROVINCE".into(), element: "sipas".into(), n: pooled.n, share_top2: share, mean });
    }
    if let (Some(share_top2), Some(mean)) = (pooled.share_top2(), pooled.mean()) {
        out.push(IndexRow { unit: "PROVINCE".into(), element: "pooled".into(), n: pooled.n, share_top2, mean });
    }
    out
}

/// The result as CSV: header `unit_code,element,n,share_top2,mean`, six decimals.
pub fn to_csv(rows: &[IndexRow]) -> String {
    let mut s = String::with_capacity(40 * (rows.len() + 1));
    s.push_str("unit_code,element,n,share_top2,mean\n");
    for r in rows {
        let _ = writeln!(s, "{},{},{},{:.6},{:.6}", r.unit, r.element, r.n, r.share_top2, r.mean);
    }
    s
}

/// Confidence levels offered for sample sizes, with the conventional two-sided z values.
pub const CONFIDENCE: &[(u8, &str)] = &[(90, "1.645"), (95, "1.96"), (99, "2.576")];

/// Required sample of a unit by Yamane's formula, the one of the SIPAS method:
/// n = N / (1 + N·e²), rounded up (N transactions in the period, e the margin, e.g. 0.05).
/// Exact: the rounding happens once, on the exact fraction.
pub fn sample_yamane(population: u64, margin: &crate::Exact) -> u64 {
    use crate::Exact;
    if population == 0 {
        return 0;
    }
    let n = Exact::int(population as i64);
    let size = n.clone() / (Exact::int(1) + n * margin.clone() * margin.clone());
    size.ceil().try_into().unwrap_or(population)
}

/// Required sample by the general finite-population formula for a proportion (p = ½, the most
/// demanding): n₀ = z²·p(1−p)/e², n = n₀ / (1 + (n₀ − 1)/N), rounded up; `None` for a
/// confidence level not in [`CONFIDENCE`].
pub fn sample_finite(population: u64, margin: &crate::Exact, confidence: u8) -> Option<u64> {
    use crate::Exact;
    let z: Exact = CONFIDENCE.iter().find(|(c, _)| *c == confidence)?.1.parse().ok()?;
    if population == 0 {
        return Some(0);
    }
    let quarter = Exact::ratio(1, 4);
    let n0 = z.clone() * z * quarter / (margin.clone() * margin.clone());
    let size = n0.clone() / (Exact::int(1) + (n0 - Exact::int(1)) / Exact::int(population as i64));
    Some(size.ceil().try_into().unwrap_or(population).min(population))
}

/// A refused responses file: the line (1-based, the header is line 1), the column, what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvProblem {
    pub line: u64,
    pub column: String,
    pub message_vi: String,
    pub message_en: String,
}

impl std::fmt::Display for CsvProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "dòng {}, cột {}: {} / line {}, column {}: {}",
            self.line, self.column, self.message_vi, self.line, self.column, self.message_en
        )
    }
}

/// Where the columns we read sit in each row.
struct Layout {
    unit: usize,
    /// For each column index, the question (0-based) it holds, if any.
    question_of: Vec<Option<u8>>,
    columns: Vec<String>,
}

fn layout(header: &[u8]) -> Result<Layout, CsvProblem> {
    let text = std::str::from_utf8(header).map_err(|_| CsvProblem {
        line: 1,
        column: "—".into(),
        message_vi: "Dòng tiêu đề không phải UTF-8; hãy lưu tệp dạng CSV UTF-8.".into(),
        message_en: "The header is not UTF-8; save the file as CSV UTF-8.".into(),
    })?;
    let text = text.trim_start_matches('\u{feff}').trim_end_matches('\r');
    let columns: Vec<String> = split_fields(text.as_bytes()).iter().map(|c| String::from_utf8_lossy(c).trim().to_string()).collect();
    let unit = columns.iter().position(|c| c == "unit_code").ok_or_else(|| CsvProblem {
        line: 1,
        column: "unit_code".into(),
        message_vi: "Thiếu cột unit_code (mã đơn vị).".into(),
        message_en: "The unit_code column is missing.".into(),
    })?;
    let mut question_of = vec![None; columns.len()];
    for q in 0..QUESTIONS {
        let name = format!("q{:02}", q + 1);
        let i = columns.iter().position(|c| *c == name).ok_or_else(|| CsvProblem {
            line: 1,
            column: name.clone(),
            message_vi: format!("Thiếu cột {name}: tệp cần đủ 30 câu hỏi q01…q30."),
            message_en: format!("The {name} column is missing: the file needs all 30 questions q01…q30."),
        })?;
        question_of[i] = Some(q as u8);
    }
    Ok(Layout { unit, question_of, columns })
}

/// Split one line into fields; quoted fields (`"a,b"`, `""` for a quote) are understood.
fn split_fields(line: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut cur = Vec::new();
    let mut quoted = false;
    let mut i = 0;
    while i < line.len() {
        let c = line[i];
        if quoted {
            if c == b'"' {
                if line.get(i + 1) == Some(&b'"') {
                    cur.push(b'"');
                    i += 1;
                } else {
                    quoted = false;
                }
            } else {
                cur.push(c);
            }
        } else if c == b'"' {
            quoted = true;
        } else if c == b',' {
            out.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
        i += 1;
    }
    out.push(cur);
    out
}

/// Per unit code (borrowed from the file, or owned when it was quoted) its tallies.
type ChunkMap<'a> = HashMap<Cow<'a, [u8]>, UnitTally>;

/// Tally the lines of `body` (whole lines, header excluded), which starts `offset` bytes into
/// the file's body; an error gives the offset of its line, the column and the offending byte
/// (0 for a line too short).
fn tally_chunk<'a>(body: &'a [u8], l: &Layout, offset: usize) -> Result<ChunkMap<'a>, (usize, String, u8)> {
    let mut map: ChunkMap<'a> = HashMap::with_capacity(256);
    let mut pos = 0;
    let qs = &l.question_of;
    while pos < body.len() {
        let end = memchr_nl(&body[pos..]).map_or(body.len(), |k| pos + k);
        let mut line = &body[pos..end];
        if line.last() == Some(&b'\r') {
            line = &line[..line.len() - 1];
        }
        let start = pos;
        pos = end + 1;
        if line.is_empty() {
            continue;
        }
        if line.contains(&b'"') {
            // rare: a quoted field somewhere; take the slow path for this line
            let fields = split_fields(line);
            let unit = fields.get(l.unit).ok_or((offset + start, l.columns[l.unit].clone(), 0))?;
            let t = map.entry(Cow::Owned(unit.clone())).or_default();
            for (i, f) in fields.iter().enumerate() {
                if let Some(Some(q)) = qs.get(i) {
                    match f.as_slice() {
                        [] => {}
                        [d @ b'1'..=b'5'] => t[*q as usize / PER_ELEMENT].add(d - b'0'),
                        _ => return Err((offset + start, l.columns[i].clone(), f.first().copied().unwrap_or(b'?'))),
                    }
                }
            }
            continue;
        }
        // fast path: walk the fields once
        let mut field = 0usize;
        let mut fstart = 0usize;
        let mut unit: &[u8] = &[];
        let mut answers = [0u8; QUESTIONS];
        let mut seen = 0usize;
        let bytes = line;
        let mut i = 0usize;
        loop {
            let at_end = i == bytes.len();
            if at_end || bytes[i] == b',' {
                let f = &bytes[fstart..i];
                if field == l.unit {
                    unit = f;
                } else if let Some(Some(q)) = qs.get(field) {
                    answers[*q as usize] = match f {
                        [] => 0,
                        [d @ b'1'..=b'5'] => d - b'0',
                        _ => return Err((offset + start, l.columns[field].clone(), f.first().copied().unwrap_or(b'?'))),
                    };
                    seen += 1;
                }
                field += 1;
                fstart = i + 1;
                if at_end {
                    break;
                }
            }
            i += 1;
        }
        if seen < QUESTIONS || field <= l.unit {
            return Err((offset + start, l.columns.get(field).cloned().unwrap_or_else(|| l.columns[l.columns.len() - 1].clone()), 0));
        }
        let t = match map.get_mut(unit) {
            Some(t) => t,
            None => map.entry(Cow::Borrowed(unit)).or_default(),
        };
        for (q, a) in answers.iter().enumerate() {
            if *a != 0 {
                t[q / PER_ELEMENT].add(*a);
            }
        }
    }
    Ok(map)
}

#[inline]
fn memchr_nl(s: &[u8]) -> Option<usize> {
    s.iter().position(|&b| b == b'\n')
}

/// Tally a whole responses file (bytes as read from disk) on `threads` threads.
pub fn tally_csv(data: &[u8], threads: usize) -> Result<Tallies, CsvProblem> {
    let header_end = memchr_nl(data).unwrap_or(data.len());
    let l = layout(&data[..header_end])?;
    let body_start = (header_end + 1).min(data.len());
    let body = &data[body_start..];
    // cut the body into roughly equal pieces at line ends
    let threads = threads.max(1);
    let mut cuts = vec![0usize];
    for k in 1..threads {
        let mut c = body.len() * k / threads;
        if c <= *cuts.last().expect("one cut") {
            continue;
        }
        match memchr_nl(&body[c..]) {
            Some(p) => c += p + 1,
            None => break,
        }
        cuts.push(c);
    }
    cuts.push(body.len());
    cuts.dedup();
    let results: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = cuts
            .windows(2)
            .map(|w| {
                s.spawn({
                    let l = &l;
                    move || tally_chunk(&body[w[0]..w[1]], l, w[0])
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("tally thread")).collect()
    });
    let mut out = Tallies::default();
    for r in results {
        match r {
            Ok(map) => {
                let mut part = Tallies::default();
                for (k, v) in map {
                    part.units.insert(String::from_utf8_lossy(&k).into_owned(), v);
                }
                out.merge(part);
            }
            Err((at, column, byte)) => {
                let line = 2 + body[..at].iter().filter(|&&b| b == b'\n').count() as u64;
                let (vi, en) = if byte == 0 {
                    (
                        "dòng thiếu cột so với dòng tiêu đề; hãy kiểm tra dấu phẩy.".to_string(),
                        "the line has fewer columns than the header; check the commas.".to_string(),
                    )
                } else {
                    (
                        "câu trả lời phải là số nguyên từ 1 đến 5 hoặc để trống (không trả lời).".to_string(),
                        "an answer must be a whole number from 1 to 5, or empty (no answer).".to_string(),
                    )
                };
                return Err(CsvProblem { line, column, message_vi: vi, message_en: en });
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn wilson_interval_is_known_and_bounded() {
        // 80 % of 100 respondents: 71.1 % – 86.7 % (the textbook value)
        let (lo, hi) = super::wilson_95(80.0, 100).unwrap();
        assert!((lo - 71.1).abs() < 0.05 && (hi - 86.7).abs() < 0.05, "{lo} {hi}");
        let (lo, hi) = super::wilson_95(100.0, 10).unwrap();
        assert!((hi - 100.0).abs() < 1e-9 && lo > 69.0 && lo < 73.0, "{lo} {hi}");
        assert_eq!(super::wilson_95(50.0, 0), None);
    }

    use super::*;

    fn header() -> String {
        let qs: Vec<String> = (1..=30).map(|q| format!("q{q:02}")).collect();
        format!("response_id,unit_code,channel,{}\n", qs.join(","))
    }

    fn row(id: u32, unit: &str, answers: &[&str; 30]) -> String {
        format!("{id},{unit},web,{}\n", answers.join(","))
    }

    #[test]
    fn hand_computed_two_units() {
        // XA001: element 1 gets 5,4,3,2,1,"" → n 5, top2 2, sum 15; the other elements all 4
        let mut a = ["4"; 30];
        a[..6].copy_from_slice(&["5", "4", "3", "2", "1", ""]);
        let b = ["2"; 30];
        let csv = header() + &row(1, "XA001", &a) + &row(2, "XA002", &b);
        for threads in [1, 2, 3, 8] {
            let t = tally_csv(csv.as_bytes(), threads).unwrap();
            assert_eq!(t.units["XA001"][0], Tally { n: 5, top2: 2, sum: 15 });
            assert_eq!(t.units["XA001"][1], Tally { n: 6, top2: 6, sum: 24 });
            let out = to_csv(&indices(&t));
            let lines: Vec<&str> = out.lines().collect();
            assert_eq!(lines[0], "unit_code,element,n,share_top2,mean");
            assert_eq!(lines[1], "XA001,1,5,40.000000,3.000000");
            assert_eq!(lines[2], "XA001,2,6,100.000000,4.000000");
            // (40 + 4 × 100) / 5 = 88; (3 + 4 × 4) / 5 = 3.8
            assert_eq!(lines[6], "XA001,sipas,29,88.000000,3.800000");
            assert_eq!(lines[12], "XA002,sipas,30,0.000000,2.000000");
            assert_eq!(lines[13], "PROVINCE,sipas,59,44.000000,2.900000");
            // pooled: top2 = 2 + 24 = 26 of 59; sum = 15 + 96 + 60 = 171
            assert_eq!(lines[14], format!("PROVINCE,pooled,59,{:.6},{:.6}", 2600.0 / 59.0, 171.0 / 59.0));
            assert_eq!(lines.len(), 15);
        }
    }

    #[test]
    fn crlf_bom_quotes_and_extra_columns() {
        let qs: Vec<String> = (1..=30).map(|q| format!("q{q:02}")).collect();
        let csv = format!(
            "\u{feff}note,{},unit_code\r\n\"a, b\",{},\"XA001\"\r\nplain,{},XA001\r\n",
            qs.join(","),
            ["5"; 30].join(","),
            ["1"; 30].join(",")
        );
        let t = tally_csv(csv.as_bytes(), 2).unwrap();
        assert_eq!(t.units.len(), 1);
        assert_eq!(t.units["XA001"][4], Tally { n: 12, top2: 6, sum: 36 });
    }

    #[test]
    fn bad_cells_are_named_by_line_and_column() {
        let mut a = ["3"; 30];
        a[7] = "7";
        let csv = header() + &row(1, "XA001", &["3"; 30]) + &row(2, "XA001", &["3"; 30]) + &row(3, "XA002", &a);
        for threads in [1, 2, 4] {
            let e = tally_csv(csv.as_bytes(), threads).unwrap_err();
            assert_eq!((e.line, e.column.as_str()), (4, "q08"), "{threads} threads");
            assert!(e.message_vi.contains("từ 1 đến 5"));
        }
        let short = header() + "1,XA001,web,3,3\n";
        let e = tally_csv(short.as_bytes(), 1).unwrap_err();
        assert_eq!(e.line, 2);
        let e = tally_csv(b"response_id,unit_code\n1,XA\n", 1).unwrap_err();
        assert_eq!((e.line, e.column.as_str()), (1, "q01"));
    }

    #[test]
    fn threads_and_order_do_not_change_the_result() {
        let mut rng = crate::framework::synthetic::Rng::new(7);
        let mut csv = header();
        for id in 0..3000 {
            let unit = format!("XA{:03}", rng.below(40));
            let answers: Vec<String> = (0..30)
                .map(|_| match rng.below(12) {
                    0 => String::new(),
                    k => ((k % 5) + 1).to_string(),
                })
                .collect();
            csv.push_str(&format!("{id},{unit},web,{}\n", answers.join(",")));
        }
        let one = tally_csv(csv.as_bytes(), 1).unwrap();
        for threads in [2, 3, 7, 64] {
            assert_eq!(tally_csv(csv.as_bytes(), threads).unwrap(), one);
        }
        // against a naive reading
        let mut naive: BTreeMap<String, UnitTally> = BTreeMap::new();
        for line in csv.lines().skip(1) {
            let f: Vec<&str> = line.split(',').collect();
            let t = naive.entry(f[1].to_string()).or_default();
            for q in 0..30 {
                if let Ok(v) = f[3 + q].parse::<u8>() {
                    t[q / 6].add(v);
                }
            }
        }
        assert_eq!(one.units, naive);
    }

    #[test]
    fn sample_sizes() {
        let e = crate::Exact::ratio(5, 100);
        // N / (1 + N e²): 1000 → 285.7… → 286; 400 → 200 exactly; 0 → 0
        assert_eq!(sample_yamane(1000, &e), 286);
        assert_eq!(sample_yamane(400, &e), 200);
        assert_eq!(sample_yamane(0, &e), 0);
        assert_eq!(sample_yamane(1_000_000, &e), 400);
        // 95 %: n0 = 1.96² / 4 / 0.0025 = 384.16; N = 1000 → 384.16 / 1.38316 = 277.7… → 278
        assert_eq!(sample_finite(1000, &e, 95), Some(278));
        assert_eq!(sample_finite(10, &e, 95), Some(10), "never more than the population");
        assert_eq!(sample_finite(1000, &e, 80), None);
        assert!(sample_finite(1000, &e, 99).unwrap() > sample_finite(1000, &e, 90).unwrap());
    }

    #[test]
    fn six_decimals_like_printf() {
        // 100/512 = 0.1953125 exactly: printf's %.6f rounds the tie to even
        let rows = [IndexRow { unit: "X".into(), element: "1".into(), n: 512, share_top2: 100.0 / 512.0, mean: 2.5 }];
        assert_eq!(to_csv(&rows).lines().nth(1), Some("X,1,512,0.195312,2.500000"));
    }
}
