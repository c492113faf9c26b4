//! Survey data in bulk (issue #5): imports of responses collected elsewhere (paper keyed in a
//! spreadsheet, ODK, KoboToolbox), the raw-response export, the full recompute of the counts
//! from the raw responses, and the one-use invitation tokens of officials' surveys.
//!
//! An import is one transaction from the first row to the last: [`Store::begin_response_import`]
//! opens it, [`ResponseImport::add`] writes batches of checked rows, [`ResponseImport::commit`]
//! adds the counts the importer kept, the unit counters, the import's row (the file's SHA-256:
//! the same file twice is refused) and the audit entry. Dropping it without commit writes
//! nothing. The importer (crate `web`, module `response_import`) reads and checks the file.
//!
//! Tokens: only the SHA-256 of a token is stored, with its unit and a `used` flag — no time, no
//! order, no response id — and a response never records its token. Redeeming a token and
//! recording the response are separate transactions (the response joins the group commit of
//! other responses), so no transaction holds both (the residual — adjacent transactions on a
//! quiet server, visible to a database superuser — is stated in docs/surveys.md).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use parindex_core::Msg;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    Set, TransactionTrait,
};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::entity::{survey, survey_count, survey_import, survey_response, survey_token, survey_unit};
use crate::repo::audit::{AuditCtx, AuditEntry, record};
use crate::{Store, StoreError};

/// One checked row of an import, its answers already as the stored JSON.
#[derive(Debug, Clone)]
pub struct ImportRow {
    pub unit_id: i64,
    pub channel: String,
    pub submitted_at: DateTime<Utc>,
    pub answers: String,
}

/// What the importer kept while checking: per (unit, question, option) the count, per unit the
/// number of responses.
#[derive(Debug, Default, Clone)]
pub struct ImportCounts {
    pub counts: BTreeMap<(i64, String, String), i64>,
    pub per_unit: BTreeMap<i64, i64>,
}

/// An import in progress: one open transaction.
pub struct ResponseImport {
    txn: DatabaseTransaction,
    survey_id: i64,
    rows: u64,
}

/// A finished import, for the survey's page.
#[derive(Debug, Clone, Serialize)]
pub struct ImportRecord {
    pub file_name: String,
    pub sha256: String,
    pub responses: i64,
    pub channel: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

/// A stored response, for the export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    pub id: i64,
    pub unit_id: i64,
    pub channel: String,
    pub submitted_at: DateTime<Utc>,
    pub answers: String,
}

/// A full recount: fed every stored response of a survey, then asked for the counts.
pub trait Recount: Send {
    /// One stored response: its unit and its answers' JSON.
    fn add(&mut self, unit_id: i64, answers: &str);
    fn finish(self) -> ImportCounts;
}

/// Issued and used tokens of one unit.
#[derive(Debug, Clone, Serialize)]
pub struct TokenCount {
    pub unit_id: i64,
    pub issued: i64,
    pub used: i64,
}

fn closed() -> StoreError {
    StoreError::Conflict(Msg::new("Đợt khảo sát đã kết thúc.", "The survey is closed."))
}

/// SHA-256 of a token, as stored.
pub fn token_hash(token: &str) -> String {
    hex_lower(&Sha256::digest(token.trim().as_bytes()))
}

fn hex_lower(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// SHA-256 of an imported file, to refuse the same file twice.
pub fn file_hash(bytes: &[u8]) -> String {
    hex_lower(&Sha256::digest(bytes))
}

impl Store {
    /// Open an import into an open survey. Refused when the same file (by SHA-256) was
    /// imported before into this survey.
    pub async fn begin_response_import(&self, survey_id: i64, sha256: &str) -> Result<ResponseImport, StoreError> {
        let s = survey::Entity::find_by_id(survey_id).one(&self.db).await?.ok_or(StoreError::NotFound)?;
        if s.status != "open" {
            return Err(closed());
        }
        if let Some(prev) = survey_import::Entity::find()
            .filter(survey_import::Column::SurveyId.eq(survey_id))
            .filter(survey_import::Column::Sha256.eq(sha256))
            .one(&self.db)
            .await?
        {
            let when = parindex_core::text::format_time_vn(prev.created_at);
            return Err(StoreError::Conflict(Msg::new(
                format!(
                    "Tệp này đã được nhập vào đợt khảo sát ({} phiếu, tệp “{}”, {when}); không nhập lại để khỏi đếm hai lần.",
                    prev.responses, prev.file_name
                ),
                format!(
                    "This file was imported before ({} responses, file “{}”, {when}); it is not imported twice.",
                    prev.responses, prev.file_name
                ),
            )));
        }
        Ok(ResponseImport { txn: self.db.begin().await?, survey_id, rows: 0 })
    }

    /// Close a survey (no response is taken any more: public links say it is over, imports and
    /// tokens are refused) or open it again. Audited.
    pub async fn set_survey_open(&self, ctx: &AuditCtx, survey_id: i64, open: bool) -> Result<(), StoreError> {
        use sea_orm::IntoActiveModel;
        let s = survey::Entity::find_by_id(survey_id).one(&self.db).await?.ok_or(StoreError::NotFound)?;
        let status = if open { "open" } else { "closed" };
        if s.status == status {
            return Ok(());
        }
        if open && s.published_at.is_some() {
            return Err(StoreError::Conflict(Msg::new(
                "Kết quả đợt khảo sát này đang công khai: hãy thôi công khai trước khi mở lại (số liệu sẽ thay đổi).",
                "This survey's results are public: take them off the portal before reopening (the figures would change).",
            )));
        }
        let ctx = ctx.clone();
        self.db
            .transaction::<_, (), StoreError>(|txn| {
                Box::pin(async move {
                    let before = s.status.clone();
                    let mut am = s.into_active_model();
                    am.status = Set(status.to_string());
                    am.update(txn).await?;
                    record(
                        txn,
                        &ctx,
                        AuditEntry {
                            action: if open { "survey.reopen" } else { "survey.close" },
                            object_type: "survey",
                            object_id: Some(survey_id.to_string()),
                            before: Some(json!({"status": before})),
                            after: Some(json!({"status": status})),
                            ..Default::default()
                        },
                    )
                    .await
                })
            })
            .await
            .map_err(Into::into)
    }

    /// The imports of a survey, newest first.
    pub async fn survey_imports(&self, survey_id: i64) -> Result<Vec<ImportRecord>, StoreError> {
        Ok(survey_import::Entity::find()
            .filter(survey_import::Column::SurveyId.eq(survey_id))
            .order_by_desc(survey_import::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|m| ImportRecord {
                file_name: m.file_name,
                sha256: m.sha256,
                responses: m.responses,
                channel: m.channel,
                created_by: m.created_by,
                created_at: m.created_at,
            })
            .collect())
    }

    /// One page of a survey's raw responses after `after_id`, by id (the export reads page by
    /// page: constant memory, no long-held connection).
    pub async fn responses_page(&self, survey_id: i64, after_id: i64, limit: u64) -> Result<Vec<StoredResponse>, StoreError> {
        Ok(survey_response::Entity::find()
            .filter(survey_response::Column::SurveyId.eq(survey_id))
            .filter(survey_response::Column::Id.gt(after_id))
            .order_by_asc(survey_response::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|m| StoredResponse { id: m.id, unit_id: m.unit_id, channel: m.channel, submitted_at: m.submitted_at, answers: m.answers })
            .collect())
    }

    /// The responses of a survey with `lo < id <= hi`, by id (a block of a parallel export).
    pub async fn responses_between(&self, survey_id: i64, lo: i64, hi: i64) -> Result<Vec<StoredResponse>, StoreError> {
        if self.backend() == sea_orm::DatabaseBackend::Sqlite {
            return self.responses_between_sqlite(survey_id, lo, hi).await;
        }
        Ok(survey_response::Entity::find()
            .filter(survey_response::Column::SurveyId.eq(survey_id))
            .filter(survey_response::Column::Id.gt(lo))
            .filter(survey_response::Column::Id.lte(hi))
            .order_by_asc(survey_response::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|m| StoredResponse { id: m.id, unit_id: m.unit_id, channel: m.channel, submitted_at: m.submitted_at, answers: m.answers })
            .collect())
    }

    /// [`Store::responses_between`] on SQLite: the block comes back as **one** text value that
    /// SQLite joins itself (`group_concat`, rows separated by U+001E, fields by U+001F), split
    /// here and put in order of id. sqlx runs each SQLite connection on a thread of its own and
    /// hands every row to the caller as a message with owned copies of its values; for an
    /// export of a million rows those hand-overs cost more than SQLite's reading
    /// (docs/benchmarks.md, "Streaming exports"). The separators cannot occur in the fields:
    /// the answers are JSON (control characters are escaped there), the channel is a code
    /// word, the time an RFC 3339 text. The number of rows is checked against SQLite's own
    /// count. (The same with `string_agg` on PostgreSQL was slower than its rows: the
    /// server's concatenation costs more there than the rows' hand-over.)
    async fn responses_between_sqlite(&self, survey_id: i64, lo: i64, hi: i64) -> Result<Vec<StoredResponse>, StoreError> {
        let sql = "SELECT count(*), group_concat(id || char(31) || unit_id || char(31) || channel || char(31) \
                   || submitted_at || char(31) || answers, char(30)) \
                   FROM survey_responses WHERE survey_id = ? AND id > ? AND id <= ?";
        let stmt = sea_orm::Statement::from_sql_and_values(sea_orm::DatabaseBackend::Sqlite, sql, [survey_id.into(), lo.into(), hi.into()]);
        let Some(row) = self.db.query_one_raw(stmt).await? else { return Ok(Vec::new()) };
        let count: i64 = row.try_get_by_index(0)?;
        let joined: Option<String> = row.try_get_by_index(1)?;
        let bad = |what: &str| {
            StoreError::Conflict(Msg::new(
                format!("Dữ liệu phiếu khảo sát {survey_id} không đọc được ({what}); hãy báo quản trị hệ thống."),
                format!("The responses of survey {survey_id} cannot be read ({what}); tell the system administrator."),
            ))
        };
        let mut out = Vec::with_capacity(usize::try_from(count).unwrap_or(0));
        for rec in joined.as_deref().unwrap_or("").split('\u{1e}').filter(|r| !r.is_empty()) {
            let mut f = rec.splitn(5, '\u{1f}');
            let (Some(id), Some(unit), Some(channel), Some(at), Some(answers)) = (f.next(), f.next(), f.next(), f.next(), f.next()) else {
                return Err(bad("fields"));
            };
            out.push(StoredResponse {
                id: id.parse().map_err(|_| bad("id"))?,
                unit_id: unit.parse().map_err(|_| bad("unit"))?,
                channel: channel.to_string(),
                submitted_at: parse_stored_time(at).ok_or_else(|| bad("time"))?,
                answers: answers.to_string(),
            });
        }
        if out.len() as i64 != count {
            return Err(bad("count"));
        }
        // read through the (survey, id) index, so in order as a rule; an ORDER BY inside the
        // aggregate would make SQLite sort them again in a temporary B-tree
        if !out.is_sorted_by_key(|r| r.id) {
            out.sort_unstable_by_key(|r| r.id);
        }
        Ok(out)
    }

    /// The smallest and largest response id of a survey and how many there are (none when
    /// it has no response).
    pub async fn response_id_range(&self, survey_id: i64) -> Result<Option<(i64, i64, u64)>, StoreError> {
        use sea_orm::{QuerySelect, sea_query::Expr};
        let row: Option<(Option<i64>, Option<i64>, i64)> = survey_response::Entity::find()
            .select_only()
            .column_as(Expr::col(survey_response::Column::Id).min(), "lo")
            .column_as(Expr::col(survey_response::Column::Id).max(), "hi")
            .column_as(Expr::col(survey_response::Column::Id).count(), "n")
            .filter(survey_response::Column::SurveyId.eq(survey_id))
            .into_tuple()
            .one(&self.db)
            .await?;
        Ok(match row {
            Some((Some(lo), Some(hi), n)) if n > 0 => Some((lo, hi, n as u64)),
            _ => None,
        })
    }

    /// Rebuild a survey's counts and unit counters from its raw responses in one pass, in one
    /// transaction that first locks the survey's unit rows — so a response being recorded
    /// meanwhile is either read here or counted after, never lost or counted twice. Audited
    /// with the number of counts before and after. Returns the responses read.
    pub async fn recount_survey<R: Recount>(&self, ctx: &AuditCtx, survey_id: i64, mut recount: R) -> Result<u64, StoreError> {
        survey::Entity::find_by_id(survey_id).one(&self.db).await?.ok_or(StoreError::NotFound)?;
        let txn = self.db.begin().await?;
        // writers of responses update these rows too: taking them first makes them wait
        survey_unit::Entity::update_many()
            .col_expr(survey_unit::Column::Responses, Expr::col(survey_unit::Column::Responses))
            .filter(survey_unit::Column::SurveyId.eq(survey_id))
            .exec(&txn)
            .await?;
        let before = survey_count::Entity::find().filter(survey_count::Column::SurveyId.eq(survey_id)).count(&txn).await?;
        let (mut after_id, mut read) = (0i64, 0u64);
        loop {
            let page: Vec<(i64, i64, String)> = survey_response::Entity::find()
                .select_only()
                .column(survey_response::Column::Id)
                .column(survey_response::Column::UnitId)
                .column(survey_response::Column::Answers)
                .filter(survey_response::Column::SurveyId.eq(survey_id))
                .filter(survey_response::Column::Id.gt(after_id))
                .order_by_asc(survey_response::Column::Id)
                .limit(20_000)
                .into_tuple()
                .all(&txn)
                .await?;
            let Some(last) = page.last() else { break };
            after_id = last.0;
            for (_, unit_id, answers) in &page {
                recount.add(*unit_id, answers);
                read += 1;
            }
        }
        let counts = recount.finish();
        let n = counts.counts.len();
        survey_count::Entity::delete_many().filter(survey_count::Column::SurveyId.eq(survey_id)).exec(&txn).await?;
        survey_unit::Entity::update_many()
            .col_expr(survey_unit::Column::Responses, Expr::value(0))
            .filter(survey_unit::Column::SurveyId.eq(survey_id))
            .exec(&txn)
            .await?;
        write_counts(&txn, survey_id, counts).await?;
        record(
            &txn,
            ctx,
            AuditEntry {
                action: "survey.recount",
                object_type: "survey",
                object_id: Some(survey_id.to_string()),
                before: Some(json!({"counts": before})),
                after: Some(json!({"counts": n, "responses": read})),
                ..Default::default()
            },
        )
        .await?;
        txn.commit().await?;
        Ok(read)
    }

    /// Issue `n` one-use tokens for a unit of a survey; the tokens are returned once (only
    /// their hashes are kept). Audited with the count, never the tokens.
    pub async fn issue_tokens(&self, ctx: &AuditCtx, survey_id: i64, unit_id: i64, n: usize) -> Result<Vec<String>, StoreError> {
        if !(1..=5000).contains(&n) {
            return Err(StoreError::invalid(
                "tokens",
                Msg::new("Mỗi lần phát từ 1 đến 5000 mã cho một đơn vị.", "Issue 1 to 5000 tokens per unit at a time."),
            ));
        }
        let s = survey::Entity::find_by_id(survey_id).one(&self.db).await?.ok_or(StoreError::NotFound)?;
        if s.status != "open" {
            return Err(closed());
        }
        survey_unit::Entity::find()
            .filter(survey_unit::Column::SurveyId.eq(survey_id))
            .filter(survey_unit::Column::UnitId.eq(unit_id))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        // 16 characters of 32: 80 bits, not guessable, short enough to type from a slip
        let tokens: Vec<String> = (0..n).map(|_| crate::repo::surveys::random_code(16)).collect();
        let rows: Vec<survey_token::ActiveModel> = tokens
            .iter()
            .map(|t| survey_token::ActiveModel {
                token_hash: Set(token_hash(t)),
                survey_id: Set(survey_id),
                unit_id: Set(unit_id),
                used: Set(false),
            })
            .collect();
        let ctx = ctx.clone();
        self.db
            .transaction::<_, (), StoreError>(|txn| {
                Box::pin(async move {
                    for chunk in rows.chunks(1000) {
                        survey_token::Entity::insert_many(chunk.to_vec()).exec(txn).await?;
                    }
                    record(
                        txn,
                        &ctx,
                        AuditEntry {
                            action: "survey.tokens",
                            object_type: "survey",
                            object_id: Some(format!("{survey_id}/{unit_id}")),
                            after: Some(json!({"issued": n})),
                            ..Default::default()
                        },
                    )
                    .await?;
                    Ok(())
                })
            })
            .await?;
        Ok(tokens)
    }

    /// The public key of the survey unit a token is for, if the token exists and is unused
    /// (it is not used by asking).
    pub async fn token_target(&self, token: &str) -> Result<Option<String>, StoreError> {
        let Some(t) = survey_token::Entity::find_by_id(token_hash(token)).one(&self.db).await?.filter(|t| !t.used) else {
            return Ok(None);
        };
        Ok(survey_unit::Entity::find()
            .filter(survey_unit::Column::SurveyId.eq(t.survey_id))
            .filter(survey_unit::Column::UnitId.eq(t.unit_id))
            .one(&self.db)
            .await?
            .map(|su| su.public_key))
    }

    /// Use a token: true if it was unused (and now is used), false if unknown or used already.
    /// Atomic: of two simultaneous submissions with one token, one wins.
    pub async fn redeem_token(&self, token: &str) -> Result<bool, StoreError> {
        let r = survey_token::Entity::update_many()
            .col_expr(survey_token::Column::Used, Expr::value(true))
            .filter(survey_token::Column::TokenHash.eq(token_hash(token)))
            .filter(survey_token::Column::Used.eq(false))
            .exec(&self.db)
            .await?;
        Ok(r.rows_affected == 1)
    }

    /// Give a token back when its response could not be stored.
    pub async fn release_token(&self, token: &str) -> Result<(), StoreError> {
        survey_token::Entity::update_many()
            .col_expr(survey_token::Column::Used, Expr::value(false))
            .filter(survey_token::Column::TokenHash.eq(token_hash(token)))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Issued and used tokens per unit of a survey.
    pub async fn token_counts(&self, survey_id: i64) -> Result<Vec<TokenCount>, StoreError> {
        let mut out: BTreeMap<i64, TokenCount> = BTreeMap::new();
        for t in survey_token::Entity::find().filter(survey_token::Column::SurveyId.eq(survey_id)).all(&self.db).await? {
            let c = out.entry(t.unit_id).or_insert(TokenCount { unit_id: t.unit_id, issued: 0, used: 0 });
            c.issued += 1;
            c.used += i64::from(t.used);
        }
        Ok(out.into_values().collect())
    }
}

impl ResponseImport {
    /// Write a batch of checked rows (inside the import's transaction).
    pub async fn add(&mut self, rows: &[ImportRow]) -> Result<(), StoreError> {
        let survey_id = self.survey_id;
        // SQLite allows 32,766 parameters per statement: 5 per row, keep chunks well below
        for chunk in rows.chunks(2000) {
            let models: Vec<survey_response::ActiveModel> = chunk
                .iter()
                .map(|r| survey_response::ActiveModel {
                    survey_id: Set(survey_id),
                    unit_id: Set(r.unit_id),
                    channel: Set(r.channel.clone()),
                    submitted_at: Set(r.submitted_at),
                    answers: Set(r.answers.clone()),
                    ..Default::default()
                })
                .collect();
            survey_response::Entity::insert_many(models).exec(&self.txn).await?;
        }
        self.rows += rows.len() as u64;
        Ok(())
    }

    /// Rows written so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Finish: the counts and unit counters, the import's record, the audit entry; commit.
    pub async fn commit(
        self,
        ctx: &AuditCtx,
        file_name: &str,
        sha256: &str,
        channel: &str,
        counts: ImportCounts,
    ) -> Result<u64, StoreError> {
        let txn = self.txn;
        let total: i64 = counts.per_unit.values().sum();
        write_counts(&txn, self.survey_id, counts).await?;
        survey_import::ActiveModel {
            survey_id: Set(self.survey_id),
            file_name: Set(file_name.to_string()),
            sha256: Set(sha256.to_string()),
            responses: Set(total),
            channel: Set(channel.to_string()),
            created_by: Set(ctx.actor_name.clone()),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        record(
            &txn,
            ctx,
            AuditEntry {
                action: "survey.import",
                object_type: "survey",
                object_id: Some(self.survey_id.to_string()),
                after: Some(json!({"file": file_name, "sha256": sha256, "responses": total})),
                ..Default::default()
            },
        )
        .await?;
        txn.commit().await?;
        Ok(self.rows)
    }
}

/// Add `counts` to the survey's counts (upsert) and unit counters.
pub(crate) async fn write_counts<C: ConnectionTrait>(c: &C, survey_id: i64, counts: ImportCounts) -> Result<(), StoreError> {
    use sea_orm::sea_query::OnConflict;
    for (unit_id, k) in counts.per_unit {
        let updated = survey_unit::Entity::update_many()
            .col_expr(survey_unit::Column::Responses, Expr::col(survey_unit::Column::Responses).add(k))
            .filter(survey_unit::Column::SurveyId.eq(survey_id))
            .filter(survey_unit::Column::UnitId.eq(unit_id))
            .exec(c)
            .await?;
        if updated.rows_affected != 1 {
            return Err(StoreError::NotFound);
        }
    }
    let rows: Vec<survey_count::ActiveModel> = counts
        .counts
        .into_iter()
        .map(|((unit_id, question, option), n)| survey_count::ActiveModel {
            survey_id: Set(survey_id),
            unit_id: Set(unit_id),
            question: Set(question),
            option: Set(option),
            n: Set(n),
            ..Default::default()
        })
        .collect();
    for chunk in rows.chunks(1000) {
        survey_count::Entity::insert_many(chunk.to_vec())
            .on_conflict(
                OnConflict::columns([
                    survey_count::Column::SurveyId,
                    survey_count::Column::UnitId,
                    survey_count::Column::Question,
                    survey_count::Column::Option,
                ])
                .value(survey_count::Column::N, Expr::col((survey_count::Entity, survey_count::Column::N)).add(Expr::cust("excluded.n")))
                .to_owned(),
            )
            .exec(c)
            .await?;
    }
    Ok(())
}

/// A time as sqlx stores it in SQLite: RFC 3339 (`2026-03-14T02:21:05.123+00:00`), or the
/// `YYYY-MM-DD HH:MM:SS[.f]` that SQLite's own functions write (taken as UTC).
fn parse_stored_time(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f").ok().map(|t| t.and_utc())
}
