//! Survey data in bulk (issue #5) — the one path the page, the API and the command line share
//! for importing collected responses, exporting the raw responses, and recounting.
//!
//! **Import** (`parindex survey import-responses`, the survey's page, the API):
//! Reading and checking run on a blocking thread (`reports::responses`: header mapping, each
//! row checked like the public page checks a form) and hand batches of checked rows to the
//! writer, which adds them to one open transaction (`Store::begin_response_import`) — the two
//! overlap on two cores. The counts per unit × question × option are kept while checking and
//! written at the end. At the first bad row writing stops, checking goes on to list every bad
//! row (up to [`MAX_PROBLEMS`], with the total), and nothing is committed: a file is imported
//! whole or not at all. The same file (by SHA-256) is never imported twice into a survey.
//!
//! **Export** ([`write_responses_csv`], [`write_responses_xlsx`]): every raw response, page by
//! page read ahead of the writer (constant memory), in the layout `reports::responses` reads
//! back and `parindex sipas compute` reads — so anyone can recompute the indices the system
//! shows from its own export.
//!
//! **Recount** ([`recount`]): the counts rebuilt from the raw responses in one streaming pass,
//! inside one transaction that first locks the survey's units (writers of new responses wait).

use std::collections::HashMap;
use std::sync::Arc;

use parindex_core::Msg;
use parindex_core::survey::Questionnaire;
use parindex_core::survey::expr::Value;
use parindex_reports::responses::Mapper;
use parindex_store::repo::audit::AuditCtx;
use parindex_store::repo::survey_data::{ImportCounts, ImportRow, StoredResponse, file_hash};
use parindex_store::{Store, StoreError};

/// Bad rows listed at most (the total is always given).
pub const MAX_PROBLEMS: usize = 200;
/// The largest file imported through the web (the command line has no limit): 1,000,000
/// SIPAS responses are ~75 MB as CSV.
pub const MAX_IMPORT_BYTES: usize = 256 * 1024 * 1024;
/// Rows handed to the writer at a time.
const BATCH: usize = 5000;

/// One problem of one row.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RowProblem {
    /// The row a person sees (CSV line, Excel row).
    pub row: usize,
    pub column: String,
    pub vi: String,
    pub en: String,
}

/// An import that went in.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Imported {
    pub responses: u64,
    /// Metadata columns ignored (ODK/Kobo bookkeeping).
    pub ignored: Vec<String>,
    /// Columns not part of the questionnaire (ignored, and said so).
    pub unknown: Vec<String>,
    /// Questions that had no column.
    pub absent: Vec<String>,
}

/// Why an import did not go in (nothing was written).
#[derive(Debug)]
pub enum ImportFailure {
    /// The file as a whole (unreadable, no unit column, imported before, survey closed…).
    File(Msg),
    /// Bad rows: the first [`MAX_PROBLEMS`] and how many rows were bad in all.
    Rows {
        problems: Vec<RowProblem>,
        bad_rows: usize,
    },
    Store(StoreError),
}

impl From<StoreError> for ImportFailure {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(m) => ImportFailure::File(m),
            e => ImportFailure::Store(e),
        }
    }
}

/// Import the responses of `bytes` (CSV or XLSX) into survey `survey_id`; rows without a
/// channel get `default_channel`, rows without a time the time of the import.
pub async fn import_responses(
    store: &Store,
    ctx: &AuditCtx,
    survey_id: i64,
    file_name: &str,
    bytes: Arc<Vec<u8>>,
    default_channel: &str,
) -> Result<Imported, ImportFailure> {
    let survey = store.get_survey(survey_id).await?;
    let (_, q) = store.get_questionnaire(&survey.questionnaire).await?;
    let units: HashMap<String, i64> =
        store.survey_units(survey_id).await?.into_iter().map(|u| (u.unit_code.to_lowercase(), u.unit_id)).collect();
    let sha = file_hash(&bytes);
    let mut import = store.begin_response_import(survey_id, &sha).await?;
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<ImportRow>>(4);
    let reader = {
        let (file_name, default_channel) = (file_name.to_string(), default_channel.to_string());
        tokio::task::spawn_blocking(move || read_and_check(&q, &units, &file_name, &bytes, &default_channel, tx))
    };
    let mut write_error = None;
    while let Some(batch) = rx.recv().await {
        if let Err(e) = import.add(&batch).await {
            write_error = Some(e);
            break;
        }
    }
    drop(rx);
    let outcome = reader.await.map_err(|e| {
        tracing::error!(error = %e, "response import reader failed");
        ImportFailure::File(Msg::new(
            "Lỗi nội bộ khi đọc tệp; không có gì được ghi.",
            "Internal error while reading the file; nothing was written.",
        ))
    })?;
    if let Some(e) = write_error {
        return Err(e.into());
    }
    let (counts, imported) = outcome?;
    if imported.responses == 0 {
        return Err(ImportFailure::File(Msg::new(
            format!("Tệp “{file_name}” không có dòng phiếu nào."),
            format!("“{file_name}” has no response rows."),
        )));
    }
    import.commit(ctx, file_name, &sha, default_channel, counts).await?;
    Ok(imported)
}

/// Counts kept while checking or recounting, in one flat table indexed by (unit slot,
/// question, option) — no string and no hashing per answer — turned into names at the end.
/// Beside it, the cells of the breakdown by respondent group (`survey::answers::count_keys`
/// says which): (unit slot, group option, element, level), filled once per response.
struct Counter<'q> {
    /// Choice questions: name → (question index, its option keys).
    index: FnvMap<&'q str, (usize, Vec<&'q str>)>,
    names: Vec<(&'q str, Vec<&'q str>)>,
    /// Per question index: its role in the breakdown.
    cross: Vec<CrossRole>,
    /// The group options (question, option) and the Likert levels, in cell order.
    groups: Vec<(&'q str, &'q str)>,
    levels: Vec<&'q str>,
    width: usize,
    slots: FnvMap<i64, usize>,
    units: Vec<i64>,
    per_unit: Vec<i64>,
    counts: Vec<i64>,
    cells: Vec<i64>,
    /// This response's group options and (element, level) answers (reused buffers).
    seen_groups: Vec<usize>,
    seen_levels: Vec<usize>,
    /// This response's unit's first breakdown cell.
    cell_base: usize,
}

/// How a question's answers enter the breakdown by respondent group.
#[derive(Clone)]
enum CrossRole {
    None,
    /// A group question: the cell index of each option's first group slot.
    Group(Vec<usize>),
    /// A Likert question of a SIPAS element: per option, the (element − 1) × levels + level.
    Level(Vec<usize>),
}

impl<'q> Counter<'q> {
    fn new(q: &'q Questionnaire) -> Self {
        use parindex_core::survey::QuestionType;
        use parindex_core::survey::answers::{COMMENTED, is_group_question};
        let mut index = FnvMap::default();
        let mut names = Vec::new();
        let mut cross = Vec::new();
        let (mut groups, mut levels): (Vec<(&str, &str)>, Vec<&str>) = (Vec::new(), Vec::new());
        for (_, x) in q.questions() {
            if x.kind == QuestionType::LongText {
                // comments: any text counts under the one key `COMMENTED` (see `bump`)
                index.insert(x.name.as_str(), (names.len(), vec![COMMENTED]));
                cross.push(CrossRole::None);
                names.push((x.name.as_str(), vec![COMMENTED]));
                continue;
            }
            if !x.kind.uses_list() {
                continue;
            }
            let Some(list) = x.list.as_deref().and_then(|l| q.list(l)) else { continue };
            let keys: Vec<&str> = list.choices.iter().map(|c| c.key.as_str()).collect();
            index.insert(x.name.as_str(), (names.len(), keys.clone()));
            cross.push(if is_group_question(x) {
                CrossRole::Group(
                    keys.iter()
                        .map(|k| {
                            groups.push((x.name.as_str(), *k));
                            groups.len() - 1
                        })
                        .collect(),
                )
            } else if let (Some(e @ 1..=5), QuestionType::Likert) = (x.element, &x.kind) {
                // levels are numbered after all questions are seen (below)
                CrossRole::Level(
                    keys.iter()
                        .map(|k| {
                            let at = levels.iter().position(|l| l == k).unwrap_or_else(|| {
                                levels.push(k);
                                levels.len() - 1
                            });
                            usize::from(e - 1) * 1000 + at
                        })
                        .collect(),
                )
            } else {
                CrossRole::None
            });
            names.push((x.name.as_str(), keys));
        }
        // (element − 1) × 1000 + level → (element − 1) × levels + level
        let nl = levels.len().max(1);
        for role in &mut cross {
            if let CrossRole::Level(v) = role {
                v.iter_mut().for_each(|c| *c = (*c / 1000) * nl + *c % 1000);
            }
        }
        let width = names.iter().map(|(_, k)| k.len()).max().unwrap_or(0).max(1);
        Counter {
            index,
            names,
            cross,
            groups,
            levels,
            width,
            slots: FnvMap::default(),
            units: Vec::new(),
            per_unit: Vec::new(),
            counts: Vec::new(),
            cells: Vec::new(),
            seen_groups: Vec::new(),
            seen_levels: Vec::new(),
            cell_base: 0,
        }
    }

    /// Breakdown cells per unit: group options × 5 elements × levels.
    fn cell_block(&self) -> usize {
        if self.levels.is_empty() { 0 } else { self.groups.len() * 5 * self.levels.len() }
    }

    /// The base of a unit's block in `counts` (one more response of the unit).
    fn unit_base(&mut self, unit: i64) -> usize {
        let block = self.names.len() * self.width;
        let cell_block = self.cell_block();
        let slot = *self.slots.entry(unit).or_insert_with(|| {
            self.units.push(unit);
            self.per_unit.push(0);
            self.counts.resize(self.counts.len() + block, 0);
            self.cells.resize(self.cells.len() + cell_block, 0);
            self.units.len() - 1
        });
        self.per_unit[slot] += 1;
        self.seen_groups.clear();
        self.seen_levels.clear();
        self.cell_base = slot * cell_block;
        slot * block
    }

    fn bump(&mut self, base: usize, name: &str, key: &str, single: bool) {
        use parindex_core::survey::answers::COMMENTED;
        if let Some((qi, keys)) = self.index.get(name)
            && let Some(oi) = match keys.as_slice() {
                [COMMENTED] => (!key.trim().is_empty()).then_some(0),
                _ => keys.iter().position(|k| *k == key),
            }
        {
            self.counts[base + qi * self.width + oi] += 1;
            if single {
                match &self.cross[*qi] {
                    CrossRole::None => {}
                    CrossRole::Group(g) => self.seen_groups.push(g[oi]),
                    CrossRole::Level(l) => self.seen_levels.push(l[oi]),
                }
            }
        }
    }

    /// After a response's answers: its breakdown cells.
    fn end_response(&mut self) {
        let per_group = 5 * self.levels.len();
        if per_group == 0 || self.seen_groups.is_empty() {
            return;
        }
        for g in &self.seen_groups {
            let at = self.cell_base + g * per_group;
            for l in &self.seen_levels {
                self.cells[at + l] += 1;
            }
        }
    }

    fn add(&mut self, unit: i64, answers: &parindex_core::survey::answers::Answers) {
        let base = self.unit_base(unit);
        for (name, v) in answers {
            match v {
                Value::Text(k) => self.bump(base, name, k, true),
                Value::Selected(ks) => ks.iter().for_each(|k| self.bump(base, name, k, false)),
                _ => {}
            }
        }
        self.end_response();
    }

    /// A stored response's answers (the JSON of `answers_json`), read without building a value.
    fn add_json(&mut self, unit: i64, answers: &str) {
        let base = self.unit_base(unit);
        let Ok(Entries(entries)) = serde_json::from_str::<Entries>(answers) else { return };
        for (name, v) in entries {
            match v {
                Stored::One(k) => self.bump(base, &name, &k, true),
                Stored::Many(ks) => ks.iter().for_each(|k| self.bump(base, &name, k, false)),
                Stored::Num(_) | Stored::Other => {}
            }
        }
        self.end_response();
    }

    fn finish(self) -> ImportCounts {
        use parindex_core::survey::answers::cross_key;
        let block = self.names.len() * self.width;
        let cell_block = self.cell_block();
        let (names, width, nl) = (self.names, self.width, self.levels.len());
        let mut counts = std::collections::BTreeMap::new();
        for (slot, unit) in self.units.iter().enumerate() {
            for (qi, (q, keys)) in names.iter().enumerate() {
                for (oi, k) in keys.iter().enumerate() {
                    let n = self.counts[slot * block + qi * width + oi];
                    if n > 0 {
                        counts.insert((*unit, q.to_string(), k.to_string()), n);
                    }
                }
            }
            for (gi, (g, o)) in self.groups.iter().enumerate() {
                for e in 0..5 {
                    for (li, level) in self.levels.iter().enumerate() {
                        let n = self.cells[slot * cell_block + gi * 5 * nl + e * nl + li];
                        if n > 0 {
                            counts.insert((*unit, cross_key(g, o, e as u8 + 1), level.to_string()), n);
                        }
                    }
                }
            }
        }
        ImportCounts { counts, per_unit: self.units.iter().copied().zip(self.per_unit.iter().copied()).collect() }
    }
}

/// FNV-1a: the counter hashes short keys (question names, unit ids) once per answer; the
/// default SipHash (built against hostile keys — these are not) costs more than the rest.
#[derive(Default)]
struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 { 0xcbf2_9ce4_8422_2325 } else { self.0 };
        for b in bytes {
            h = (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

type FnvMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<Fnv>>;

/// A stored answers object, borrowed from its JSON text.
struct Entries<'a>(Vec<(std::borrow::Cow<'a, str>, Stored<'a>)>);

enum Stored<'a> {
    One(std::borrow::Cow<'a, str>),
    Many(Vec<std::borrow::Cow<'a, str>>),
    /// A number answer, as JSON writes it.
    Num(String),
    Other,
}

impl<'de> serde::Deserialize<'de> for Entries<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Entries<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object of answers")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::with_capacity(m.size_hint().unwrap_or(32));
                while let Some(k) = m.next_key::<std::borrow::Cow<'de, str>>()? {
                    out.push((k, m.next_value::<Stored<'de>>()?));
                }
                Ok(Entries(out))
            }
        }
        d.deserialize_map(V)
    }
}

impl<'de> serde::Deserialize<'de> for Stored<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Stored<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an answer")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Stored::One(std::borrow::Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Stored::One(std::borrow::Cow::Owned(v.to_string())))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut s: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(k) = s.next_element::<std::borrow::Cow<'de, str>>()? {
                    out.push(k);
                }
                Ok(Stored::Many(out))
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(Stored::Other)
            }
            fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
                Ok(Stored::Num(v.to_string()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
                Ok(Stored::Num(v.to_string()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
                Ok(Stored::Num(serde_json::Number::from_f64(v).map(|n| n.to_string()).unwrap_or_default()))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
                Ok(Stored::Other)
            }
        }
        d.deserialize_any(V)
    }
}

/// The columns a header left aside: (metadata ignored, not in the questionnaire, questions
/// without a column).
type Columns = (Vec<String>, Vec<String>, Vec<String>);

/// What one part of a file gave.
struct Part {
    mapper: Result<Option<Columns>, Msg>,
    counts: ImportCounts,
    problems: Vec<RowProblem>,
    bad_rows: usize,
    rows: u64,
}

/// A large CSV file is checked in two halves on two threads (the writer takes what both
/// give). The split is at a line end outside quotes (an even number of `"` before it, as
/// RFC 4180 quotes come in pairs), the second half gets the header and its line numbers are
/// shifted, so every message names the file's own line. XLSX and small files: one part.
fn split_parts(bytes: &[u8]) -> Vec<(std::borrow::Cow<'_, [u8]>, usize)> {
    let whole = vec![(std::borrow::Cow::Borrowed(bytes), 0)];
    if bytes.len() < (1 << 20) || bytes.starts_with(b"PK\x03\x04") {
        return whole;
    }
    let line_end_outside_quotes = |from: usize| -> Option<usize> {
        let mut quotes = bytes[..from].iter().filter(|b| **b == b'"').count();
        for (i, b) in bytes[from..].iter().enumerate() {
            match b {
                b'"' => quotes += 1,
                b'\n' if quotes % 2 == 0 => return Some(from + i + 1),
                _ => {}
            }
        }
        None
    };
    let Some(header_end) = line_end_outside_quotes(0) else { return whole };
    let Some(mid) = line_end_outside_quotes(header_end.max(bytes.len() / 2)) else { return whole };
    if mid >= bytes.len() {
        return whole;
    }
    let offset = bytes[..mid].iter().filter(|b| **b == b'\n').count() - bytes[..header_end].iter().filter(|b| **b == b'\n').count();
    let header = bytes[..header_end].strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes[..header_end]);
    let mut second = Vec::with_capacity(header.len() + bytes.len() - mid);
    second.extend_from_slice(header);
    second.extend_from_slice(&bytes[mid..]);
    vec![(std::borrow::Cow::Borrowed(&bytes[..mid]), 0), (std::borrow::Cow::Owned(second), offset)]
}

fn read_and_check(
    q: &Questionnaire,
    units: &HashMap<String, i64>,
    file_name: &str,
    bytes: &[u8],
    default_channel: &str,
    tx: tokio::sync::mpsc::Sender<Vec<ImportRow>>,
) -> Result<(ImportCounts, Imported), ImportFailure> {
    let failed = std::sync::atomic::AtomicBool::new(false);
    let parts = split_parts(bytes);
    let results: Vec<Result<Part, ImportFailure>> = std::thread::scope(|scope| {
        let handles: Vec<_> = parts
            .iter()
            .map(|(part, offset)| {
                let (tx, failed) = (tx.clone(), &failed);
                scope.spawn(move || check_part(q, units, file_name, part, *offset, default_channel, tx, failed))
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("a part's checker does not panic")).collect()
    });
    drop(tx);
    let (mut counts, mut problems, mut bad_rows, mut rows, mut columns) = (ImportCounts::default(), Vec::new(), 0, 0, None);
    for r in results {
        let part = r?;
        match part.mapper {
            Err(e) => {
                return Err(ImportFailure::File(Msg::new(
                    format!("Tệp “{file_name}”, dòng 1: {}", e.vi),
                    format!("“{file_name}”, row 1: {}", e.en),
                )));
            }
            Ok(Some(c)) if columns.is_none() => columns = Some(c),
            Ok(_) => {}
        }
        for (k, n) in part.counts.counts {
            *counts.counts.entry(k).or_default() += n;
        }
        for (u, n) in part.counts.per_unit {
            *counts.per_unit.entry(u).or_default() += n;
        }
        problems.extend(part.problems);
        bad_rows += part.bad_rows;
        rows += part.rows;
    }
    let Some((ignored, unknown, absent)) = columns else {
        return Err(ImportFailure::File(Msg::new(format!("Tệp “{file_name}” trống."), format!("“{file_name}” is empty."))));
    };
    if bad_rows > 0 {
        problems.truncate(MAX_PROBLEMS);
        return Err(ImportFailure::Rows { problems, bad_rows });
    }
    Ok((counts, Imported { responses: rows, ignored, unknown, absent }))
}

/// Check one part (the whole file, or half of a large CSV) and hand its good rows to the
/// writer while no part has found a bad row.
#[allow(clippy::too_many_arguments)]
fn check_part(
    q: &Questionnaire,
    units: &HashMap<String, i64>,
    file_name: &str,
    bytes: &[u8],
    line_offset: usize,
    default_channel: &str,
    tx: tokio::sync::mpsc::Sender<Vec<ImportRow>>,
    failed: &std::sync::atomic::AtomicBool,
) -> Result<Part, ImportFailure> {
    use std::sync::atomic::Ordering;
    let now = chrono::Utc::now();
    let mut mapper: Option<Mapper> = None;
    let mut header_error: Option<Msg> = None;
    let mut counter = Counter::new(q);
    let mut batch = Vec::with_capacity(BATCH);
    let (mut problems, mut bad_rows, mut rows) = (Vec::new(), 0usize, 0u64);
    let mut writer_gone = false;
    let read = parindex_reports::table::visit_rows(file_name, bytes, |line, cells| {
        let line = line + line_offset;
        let Some(m) = &mapper else {
            match Mapper::new(q, cells) {
                Ok(m) => mapper = Some(m),
                Err(e) => {
                    header_error = Some(e);
                    return false;
                }
            }
            return true;
        };
        let mut row_problems: Vec<(String, Msg)> = Vec::new();
        match m.row(cells) {
            Ok(r) => match units.get(&r.unit.to_lowercase()) {
                Some(unit_id) => {
                    if !failed.load(Ordering::Relaxed) {
                        counter.add(*unit_id, &r.answers);
                        batch.push(ImportRow {
                            unit_id: *unit_id,
                            channel: r.channel.unwrap_or_else(|| default_channel.to_string()),
                            submitted_at: r.submitted_at.unwrap_or(now),
                            answers: parindex_store::repo::surveys::answers_json(&r.answers),
                        });
                        rows += 1;
                        if batch.len() >= BATCH && !writer_gone {
                            writer_gone = tx.blocking_send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH))).is_err();
                        }
                    }
                }
                None => row_problems.push((
                    "unit_code".into(),
                    Msg::new(
                        format!("Đơn vị “{}” không tham gia đợt khảo sát này; sửa mã đơn vị theo danh sách đơn vị của đợt.", r.unit),
                        format!("The unit “{}” does not take part in this survey; use a code from the survey's units.", r.unit),
                    ),
                )),
            },
            Err(ps) => row_problems.extend(ps.into_iter().map(|p| (p.column, p.message))),
        }
        if !row_problems.is_empty() {
            failed.store(true, Ordering::Relaxed);
            bad_rows += 1;
            batch.clear();
            for (column, m) in row_problems {
                if problems.len() < MAX_PROBLEMS {
                    problems.push(RowProblem { row: line, column, vi: m.vi, en: m.en });
                }
            }
        }
        !writer_gone
    });
    if let Err(errors) = read {
        let e = errors.into_iter().next().map(|e| e.message).unwrap_or_else(|| Msg::new("Không đọc được tệp.", "Cannot read the file."));
        return Err(ImportFailure::File(e));
    }
    if let Some(e) = header_error {
        return Ok(Part { mapper: Err(e), counts: ImportCounts::default(), problems, bad_rows, rows });
    }
    if !batch.is_empty() && !writer_gone && !failed.load(Ordering::Relaxed) {
        let _ = tx.blocking_send(batch);
    }
    let mapper = mapper.map(|m| (m.ignored.clone(), m.unknown.clone(), m.absent.clone()));
    Ok(Part { mapper: Ok(mapper), counts: counter.finish(), problems, bad_rows, rows })
}

impl parindex_store::repo::survey_data::Recount for Counter<'_> {
    fn add(&mut self, unit_id: i64, answers: &str) {
        self.add_json(unit_id, answers);
    }

    fn finish(self) -> ImportCounts {
        Counter::finish(self)
    }
}

/// Rebuild a survey's counts from its raw responses (one pass, one transaction); the number of
/// responses read.
pub async fn recount(store: &Store, ctx: &AuditCtx, survey_id: i64) -> Result<u64, StoreError> {
    let survey = store.get_survey(survey_id).await?;
    let (_, q) = store.get_questionnaire(&survey.questionnaire).await?;
    store.recount_survey(ctx, survey_id, Counter::new(&q)).await
}

/// A survey's responses in blocks of about 5,000, by id, read ahead of their writer and turned
/// by `map` into what the writer takes (CSV text, XLSX rows…): each block is read and mapped by
/// a task of its own (three in flight), and the results are handed over in order — reading
/// and formatting run on both cores, the writer only writes, and memory stays bounded (a few
/// blocks).
fn prefetch<T: Send + 'static>(
    store: &Store,
    survey_id: i64,
    map: impl Fn(Vec<StoredResponse>) -> T + Send + Sync + 'static,
) -> tokio::sync::mpsc::Receiver<Result<T, StoreError>> {
    const BLOCK: u64 = 5000;
    const IN_FLIGHT: usize = 3;
    let (tx, rx) = tokio::sync::mpsc::channel(2);
    let store = store.clone();
    let map = std::sync::Arc::new(map);
    tokio::spawn(async move {
        let (lo, hi, n) = match store.response_id_range(survey_id).await {
            Ok(Some(r)) => r,
            Ok(None) => return,
            Err(e) => {
                let _ = tx.send(Err(e)).await;
                return;
            }
        };
        // ids of one survey are nearly contiguous; a block spans the ids of ~BLOCK responses
        let span = (((hi - lo + 1) as u64 * BLOCK) / n.max(1)).max(1) as i64;
        let mut next = lo - 1;
        let mut running = std::collections::VecDeque::new();
        loop {
            while running.len() < IN_FLIGHT && next < hi {
                let (from, to) = (next, (next + span).min(hi));
                next = to;
                let (store, map) = (store.clone(), map.clone());
                running.push_back(tokio::spawn(async move {
                    let block = store.responses_between(survey_id, from, to).await?;
                    // formatting a block takes a few milliseconds of one core
                    tokio::task::spawn_blocking(move || map(block)).await.map_err(read_error)
                }));
            }
            let Some(block) = running.pop_front() else { break };
            let block = block.await.unwrap_or_else(|e| Err(read_error(e)));
            let failed = block.is_err();
            if tx.send(block).await.is_err() || failed {
                break; // the writer stopped (a closed download), or reading failed
            }
        }
    });
    rx
}

fn read_error(e: impl std::fmt::Display) -> StoreError {
    StoreError::Conflict(Msg::new(format!("Lỗi đọc: {e}"), format!("Read error: {e}")))
}

/// Read every response of a survey the way the exports do, writing nothing: the reading's
/// share of an export's time (`parindex bench exports`).
pub async fn read_all_responses(store: &Store, survey_id: i64) -> Result<u64, StoreError> {
    let mut pages = prefetch(store, survey_id, |b| b.len() as u64);
    let mut n = 0u64;
    while let Some(page) = pages.recv().await {
        n += page?;
    }
    Ok(n)
}

/// What an export needs of the questionnaire: the header and each question's column.
struct Layout {
    header: Vec<String>,
    /// The question columns' names in order, and each name's position among them.
    names: Vec<String>,
    column: FnvMap<String, usize>,
    codes: HashMap<i64, String>,
}

async fn layout(store: &Store, survey_id: i64) -> Result<Layout, StoreError> {
    let survey = store.get_survey(survey_id).await?;
    let (_, q) = store.get_questionnaire(&survey.questionnaire).await?;
    let header = parindex_reports::responses::export_header(&q);
    let names: Vec<String> = header.iter().skip(4).cloned().collect();
    let column = names.iter().enumerate().map(|(i, h)| (h.clone(), i)).collect();
    let codes = store.survey_units(survey_id).await?.into_iter().map(|u| (u.unit_id, u.unit_code)).collect();
    Ok(Layout { header, names, column, codes })
}

/// The answer cells of one response in the header's order (a multiple choice as its keys
/// separated by spaces, as ODK writes it); `cells` is reused between responses. Answers are
/// stored in the questionnaire's order, so each key is first compared with the column after
/// the previous one and looked up only when that guess fails. The stored JSON is read by
/// [`scan_plain`] when it can, by serde otherwise (escapes, numbers): the same cells.
fn answer_cells<'a>(l: &Layout, json: &'a str, cells: &mut Vec<Option<std::borrow::Cow<'a, str>>>) {
    cells.clear();
    cells.resize(l.column.len(), None);
    if !json.contains('\\') && scan_plain(l, json, cells).is_some() {
        return;
    }
    cells.clear();
    cells.resize(l.column.len(), None);
    let Ok(Entries(entries)) = serde_json::from_str::<Entries>(json) else { return };
    let mut guess = 0usize;
    for (name, v) in entries {
        let Some(i) = l.column_of(&name, guess) else { continue };
        guess = i + 1;
        cells[i] = match v {
            Stored::One(k) => Some(k),
            Stored::Many(ks) => Some(std::borrow::Cow::Owned(ks.join(" "))),
            Stored::Num(n) => Some(std::borrow::Cow::Owned(n)),
            Stored::Other => None,
        };
    }
}

impl Layout {
    /// The column of question `name`: `guess` when its name matches, else looked up.
    fn column_of(&self, name: &str, guess: usize) -> Option<usize> {
        match self.names.get(guess) {
            Some(n) if n.as_str() == name => Some(guess),
            _ => self.column.get(name).copied(),
        }
    }
}

/// Stored answers as `store::answers_json` writes them — an object of question → text or list
/// of texts, no escape — read by hand, borrowing every text: an export reads a million of
/// them and serde's general path was most of its time. `None` (nothing to trust in `cells`)
/// for anything else: a number, `true`, `null`, an escape, malformed text — the caller then
/// reads it with serde.
fn scan_plain<'a>(l: &Layout, json: &'a str, cells: &mut [Option<std::borrow::Cow<'a, str>>]) -> Option<()> {
    let b = json.as_bytes();
    let ws = |mut i: usize| {
        while b.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        i
    };
    // a string starting at `i` (its opening quote): its text and the index after it
    let text = |i: usize| -> Option<(&'a str, usize)> {
        if b.get(i) != Some(&b'"') {
            return None;
        }
        let end = i + 1 + json.get(i + 1..)?.find('"')?;
        Some((&json[i + 1..end], end + 1))
    };
    let mut i = ws(0);
    if b.get(i) != Some(&b'{') {
        return None;
    }
    i = ws(i + 1);
    if b.get(i) == Some(&b'}') {
        return (ws(i + 1) == b.len()).then_some(());
    }
    let mut guess = 0usize;
    loop {
        let (name, next) = text(i)?;
        i = ws(next);
        if b.get(i) != Some(&b':') {
            return None;
        }
        i = ws(i + 1);
        let value = match b.get(i)? {
            b'"' => {
                let (v, next) = text(i)?;
                i = next;
                std::borrow::Cow::Borrowed(v)
            }
            b'[' => {
                let mut keys = String::new();
                i = ws(i + 1);
                if b.get(i) != Some(&b']') {
                    loop {
                        let (k, next) = text(i)?;
                        if !keys.is_empty() {
                            keys.push(' ');
                        }
                        keys.push_str(k);
                        i = ws(next);
                        match b.get(i)? {
                            b',' => i = ws(i + 1),
                            b']' => break,
                            _ => return None,
                        }
                    }
                }
                i += 1;
                std::borrow::Cow::Owned(keys)
            }
            _ => return None,
        };
        if let Some(c) = l.column_of(name, guess) {
            guess = c + 1;
            cells[c] = Some(value);
        }
        i = ws(i);
        match b.get(i)? {
            b',' => i = ws(i + 1),
            b'}' => return (ws(i + 1) == b.len()).then_some(()),
            _ => return None,
        }
    }
}

/// `at` in Vietnam time (UTC+7) as `2026-03-14T09:21:05+07:00`, appended to `out`.
fn push_time_vn(out: &mut String, at: chrono::DateTime<chrono::Utc>) {
    use chrono::{Datelike, Timelike};
    use std::fmt::Write as _;
    let t = at.naive_utc() + chrono::Duration::hours(7);
    let _ = write!(out, "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}+07:00", t.year(), t.month(), t.day(), t.hour(), t.minute(), t.second());
}

/// Write a survey's raw responses as CSV (header first, then by id) in constant memory; the
/// number of responses written. The layout is `reports::responses`' (read back by the import
/// and by `parindex sipas compute`).
pub async fn write_responses_csv<W: tokio::io::AsyncWrite + Unpin>(store: &Store, survey_id: i64, w: &mut W) -> Result<u64, StoreError> {
    write_responses_csv_with(store, survey_id, w, &Progress::default()).await
}

/// Rows written so far, shared with whoever shows the progress (`web::jobs`, the CLI).
pub type Progress = std::sync::Arc<std::sync::atomic::AtomicU64>;

/// [`write_responses_csv`], counting the responses written into `progress` page by page.
pub async fn write_responses_csv_with<W: tokio::io::AsyncWrite + Unpin>(
    store: &Store,
    survey_id: i64,
    w: &mut W,
    progress: &Progress,
) -> Result<u64, StoreError> {
    use tokio::io::AsyncWriteExt;
    let l = std::sync::Arc::new(layout(store, survey_id).await?);
    let io = |e: std::io::Error| StoreError::Conflict(Msg::new(format!("Lỗi ghi: {e}"), format!("Write error: {e}")));
    let mut header = l.header.join(",");
    header.push('\n');
    w.write_all(header.as_bytes()).await.map_err(io)?;
    let mut n = 0u64;
    let layout = l.clone();
    let mut blocks = prefetch(store, survey_id, move |page| (page.len() as u64, csv_lines(&layout, &page)));
    while let Some(block) = blocks.recv().await {
        let (rows, text) = block?;
        w.write_all(text.as_bytes()).await.map_err(io)?;
        n += rows;
        progress.store(n, std::sync::atomic::Ordering::Relaxed);
    }
    w.flush().await.map_err(io)?;
    Ok(n)
}

/// The CSV lines of a block of responses.
fn csv_lines(l: &Layout, page: &[StoredResponse]) -> String {
    use parindex_reports::responses::csv_cell;
    use std::fmt::Write as _;
    let mut out = String::with_capacity(page.len() * 128);
    let mut cells = Vec::new();
    for r in page {
        let unit = l.codes.get(&r.unit_id).map(String::as_str).unwrap_or("");
        let _ = write!(out, "{},{},{},", r.id, csv_cell(unit), csv_cell(&r.channel));
        push_time_vn(&mut out, r.submitted_at);
        answer_cells(l, &r.answers, &mut cells);
        for c in &cells {
            out.push(',');
            if let Some(c) = c {
                out.push_str(&csv_cell(c));
            }
        }
        out.push('\n');
    }
    out
}

/// Write a survey's raw responses as an XLSX workbook at `path` in constant memory
/// (`reports::stream`): the same columns as the CSV, answers that are numbers (Likert levels,
/// number questions) as numbers. The workbook is built on a blocking thread fed page by page.
pub async fn write_responses_xlsx(store: &Store, survey_id: i64, path: &std::path::Path) -> Result<u64, StoreError> {
    write_responses_xlsx_with(store, survey_id, path, Progress::default()).await
}

/// [`write_responses_xlsx`], counting the responses written into `progress`.
pub async fn write_responses_xlsx_with(
    store: &Store,
    survey_id: i64,
    path: &std::path::Path,
    progress: Progress,
) -> Result<u64, StoreError> {
    use parindex_reports::stream::{Value as X, XlsxStream};
    let l = std::sync::Arc::new(layout(store, survey_id).await?);
    let layout = l.clone();
    let mut blocks = prefetch(store, survey_id, move |page| XlsxBlock::of(&layout, &page));
    let (tx, mut rx) = tokio::sync::mpsc::channel::<XlsxBlock>(1);
    let path = path.to_path_buf();
    let writer = tokio::task::spawn_blocking(move || -> Result<u64, StoreError> {
        let mut x = XlsxStream::new("responses", &l.header, path.parent()).map_err(xerr)?;
        let width = l.header.len();
        while let Some(block) = rx.blocking_recv() {
            let mut row: Vec<X> = Vec::with_capacity(width);
            for cells in block.cells.chunks(width) {
                row.clear();
                row.extend(cells.iter().map(|c| match c {
                    XCell::Text(a, b) => X::Text(&block.text[*a as usize..*b as usize]),
                    XCell::Number(v) => X::Number(*v),
                    XCell::Empty => X::Empty,
                }));
                x.row(&row).map_err(xerr)?;
            }
            progress.fetch_add(block.rows, std::sync::atomic::Ordering::Relaxed);
        }
        x.finish(&path).map_err(xerr)
    });
    while let Some(block) = blocks.recv().await {
        if tx.send(block?).await.is_err() {
            break;
        }
    }
    drop(tx);
    writer.await.map_err(xerr)?
}

/// A block of responses made ready for the workbook by a reading task (so the one writing
/// thread only writes): every row's cells, `width` each, their texts in one string.
struct XlsxBlock {
    rows: u64,
    text: String,
    cells: Vec<XCell>,
}

/// A cell of an [`XlsxBlock`]: a text by its byte range in the block's string, a number, or
/// nothing.
enum XCell {
    Text(u32, u32),
    Number(f64),
    Empty,
}

impl XlsxBlock {
    /// The cells of `page` in the header's order: the id, the unit's code, the channel, the time
    /// in Vietnam, then each answer — a number when it reads as one (Likert levels, number
    /// questions), text otherwise.
    fn of(l: &Layout, page: &[StoredResponse]) -> XlsxBlock {
        let mut b = XlsxBlock { rows: page.len() as u64, text: String::with_capacity(page.len() * 64), cells: Vec::new() };
        b.cells.reserve(page.len() * l.header.len());
        let mut answers = Vec::new();
        for r in page {
            b.cells.push(XCell::Number(r.id as f64));
            b.push_text(l.codes.get(&r.unit_id).map(String::as_str).unwrap_or(""));
            b.push_text(&r.channel);
            let start = b.text.len();
            push_time_vn(&mut b.text, r.submitted_at);
            b.cells.push(XCell::Text(start as u32, b.text.len() as u32));
            answer_cells(l, &r.answers, &mut answers);
            for c in &answers {
                match c {
                    Some(c) => match c.parse::<f64>() {
                        Ok(v) if !c.starts_with(['+', '.']) && v.is_finite() => b.cells.push(XCell::Number(v)),
                        _ => b.push_text(c),
                    },
                    None => b.cells.push(XCell::Empty),
                }
            }
        }
        b
    }

    fn push_text(&mut self, s: &str) {
        let start = self.text.len() as u32;
        self.text.push_str(s);
        self.cells.push(XCell::Text(start, self.text.len() as u32));
    }
}

/// A failure while writing a workbook, as a store error the pages show.
pub(crate) fn xerr(e: impl std::fmt::Display) -> StoreError {
    StoreError::Conflict(Msg::new(format!("Lỗi ghi XLSX: {e}"), format!("XLSX write error: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(names: &[&str]) -> Layout {
        let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        Layout {
            header: names.clone(),
            column: names.iter().enumerate().map(|(i, n)| (n.clone(), i)).collect(),
            names,
            codes: HashMap::new(),
        }
    }

    /// The cells serde's general path gives.
    fn by_serde(l: &Layout, json: &str) -> Vec<Option<String>> {
        let mut cells = vec![None; l.column.len()];
        let Ok(Entries(entries)) = serde_json::from_str::<Entries>(json) else { return cells };
        for (name, v) in entries {
            let Some(i) = l.column.get(name.as_ref()) else { continue };
            cells[*i] = match v {
                Stored::One(k) => Some(k.to_string()),
                Stored::Many(ks) => Some(ks.join(" ")),
                Stored::Num(n) => Some(n),
                Stored::Other => None,
            };
        }
        cells
    }

    #[test]
    fn the_hand_reader_gives_what_serde_gives() {
        let l = layout(&["q1", "q2", "q3", "ghi_chu"]);
        let samples = [
            r#"{"q1":"5","q2":"4","q3":["a","b"],"ghi_chu":"Tốt, nhanh"}"#,
            r#"{}"#,
            r#" { "q2" : "1" , "q1" : "2" } "#,
            r#"{"q3":[],"khac":"x","q1":"3"}"#,
            r#"{"q1":5,"q2":4.50,"q3":null,"ghi_chu":true}"#,
            r#"{"ghi_chu":"nói \"rõ\"\nhơn","q1":"1"}"#,
            r#"{"q1":"1""#,
            r#"{"q1":"1"} x"#,
            r#"not json"#,
            r#"{"q3":["a" "b"]}"#,
        ];
        for json in samples {
            let mut cells = Vec::new();
            answer_cells(&l, json, &mut cells);
            let got: Vec<Option<String>> = cells.iter().map(|c| c.as_ref().map(|c| c.to_string())).collect();
            assert_eq!(got, by_serde(&l, json), "{json}");
        }
        let mut cells = vec![None; 4];
        assert!(scan_plain(&l, r#"{"q1":"5","q3":["a","b"]}"#, &mut cells).is_some(), "the stored form is read by hand");
        assert_eq!(cells[2].as_deref(), Some("a b"));
        assert!(scan_plain(&l, r#"{"q1":5}"#, &mut cells).is_none(), "numbers are left to serde");
    }
}
