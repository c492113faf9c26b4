//! Publication of approved results (issue #6): an immutable snapshot per period and version.
//!
//! The snapshot is the public document — period, framework, method, scale of groups, and per
//! unit the index, total, rank, group, previous year, per domain points and rank, and per leaf
//! the points that count — built from `Store::period_results` once the period is approved, and
//! stored as JSON text with its SHA-256 (`content_hash`): anyone who downloads the JSON can hash
//! it and compare. Nothing internal is in it: no comments, no explanations, no evidence, no
//! user names, no survey responses. A correction is a new version with its reason; earlier
//! versions stay readable. Rows are never updated or deleted.

use chrono::{DateTime, Utc};
use parindex_core::Msg;
use parindex_core::published::Published;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait};
use serde::Serialize;
use serde_json::json;

use crate::entity::{period, publication};
use crate::repo::audit::{AuditEntry, record};
use crate::{AuditCtx, Store, StoreError};

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct PublicationRow {
    pub id: i64,
    pub period_id: i64,
    pub period_code: String,
    pub period_name: String,
    pub year: i32,
    pub version: i32,
    pub reason: Option<String>,
    pub content_hash: String,
    pub published_at: DateTime<Utc>,
}

/// A stored published document, typed (a document that does not read is a data error).
pub fn read_published(text: &str) -> Result<Published, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Db(sea_orm::DbErr::Custom(format!("published document: {e}"))))
}

/// The SHA-256 of a snapshot's bytes, in hex (the same as `sha256sum` of the downloaded JSON).
pub fn content_hash(document: &str) -> String {
    crate::repo::survey_data::file_hash(document.as_bytes())
}

fn row(p: &publication::Model, period: &period::Model) -> PublicationRow {
    PublicationRow {
        id: p.id,
        period_id: p.period_id,
        period_code: period.code.clone(),
        period_name: period.name.clone(),
        year: period.year,
        version: p.version,
        reason: p.reason.clone(),
        content_hash: p.content_hash.clone(),
        published_at: p.published_at,
    }
}

impl Store {
    /// Publish the approved results of a period as a new version (a correction needs a reason).
    pub async fn publish_results(&self, ctx: &AuditCtx, period_id: i64, reason: Option<&str>) -> Result<PublicationRow, StoreError> {
        let p = period::Entity::find_by_id(period_id).one(&self.db).await?.ok_or(StoreError::NotFound)?;
        if !self.get_period(period_id).await?.approved() {
            return Err(StoreError::Conflict(Msg::new(
                "Chỉ công bố được kết quả đã được Hội đồng phê duyệt.",
                "Only results approved by the council can be published.",
            )));
        }
        let earlier = publication::Entity::find().filter(publication::Column::PeriodId.eq(period_id)).all(&self.db).await?;
        let version = earlier.iter().map(|x| x.version).max().unwrap_or(0) + 1;
        let reason = reason.map(str::trim).filter(|r| !r.is_empty()).map(str::to_string);
        if version > 1 && reason.is_none() {
            return Err(StoreError::invalid(
                "reason",
                Msg::new(
                    "Kết quả đã công bố: đính chính là một phiên bản mới, hãy ghi lý do đính chính.",
                    "The results are published: a correction is a new version; give its reason.",
                ),
            ));
        }
        let now = Utc::now();
        let document = self.snapshot(period_id, version, reason.as_deref(), now).await?;
        let text = serde_json::to_string(&document).map_err(|e| StoreError::Db(sea_orm::DbErr::Custom(format!("snapshot: {e}"))))?;
        let hash = content_hash(&text);
        let ctx = ctx.clone();
        let saved = self
            .db
            .transaction::<_, publication::Model, StoreError>(|txn| {
                Box::pin(async move {
                    let saved = publication::ActiveModel {
                        period_id: Set(period_id),
                        version: Set(version),
                        reason: Set(reason.clone()),
                        content_hash: Set(hash.clone()),
                        document: Set(text),
                        published_by: Set(ctx.actor_name.clone()),
                        published_at: Set(now),
                        ..Default::default()
                    }
                    .insert(txn)
                    .await?;
                    record(
                        txn,
                        &ctx,
                        AuditEntry {
                            action: "results.publish",
                            object_type: "period",
                            object_id: Some(period_id.to_string()),
                            after: Some(json!({"version": version, "content_hash": hash})),
                            reason: reason.clone(),
                            ..Default::default()
                        },
                    )
                    .await?;
                    Ok(saved)
                })
            })
            .await?;
        Ok(row(&saved, &p))
    }

    /// The public document of a period's results (see the module's header for what is in it).
    async fn snapshot(&self, period_id: i64, version: i32, reason: Option<&str>, at: DateTime<Utc>) -> Result<Published, StoreError> {
        use parindex_core::published as p;
        let r = self.period_results(period_id).await?;
        let (_, fw) = self.get_framework(&r.period.framework_code).await?;
        // how firm each rank is (domain weights ± 10 %, survey answers resampled; 2,000
        // replications, deterministic for the period) — published beside the ranks
        let robust = self.period_robustness(&r, 0.10, 2000).await?;
        let d = r.decimals;
        let num = |x: &parindex_core::Exact| p::Num::new(x, d);
        let units = r
            .units
            .iter()
            .map(|u| p::Unit {
                code: u.unit_code.clone(),
                name: u.unit_name.clone(),
                kind: u.unit_kind.clone(),
                rank: u.rank,
                group: u.group.clone(),
                index: u.index.as_ref().map(num),
                achieved: Some(num(&u.achieved)),
                bonus: Some(num(&u.bonus)),
                penalty: Some(num(&u.penalty)),
                total: num(&u.total),
                applicable_max: num(&u.applicable_max),
                previous: u.previous.as_ref().map(|x| p::Previous { index: x.index.as_ref().map(num), rank: x.rank, via: x.via.clone() }),
                rank_robustness: robust.get(&u.unit_id).filter(|_| u.rank.is_some()).map(|x| p::Robustness {
                    median: x.median,
                    p5: x.p5,
                    p95: x.p95,
                    beats_next: x.beats_next.map(|b| (b * 1000.0).round() / 1000.0),
                }),
                domains: r
                    .domains
                    .iter()
                    .zip(&u.domains)
                    .map(|(dm, x)| p::UnitDomain {
                        code: dm.code.clone(),
                        points: num(&x.points),
                        applicable_max: num(&x.applicable_max),
                        rank: x.rank,
                    })
                    .collect(),
                leaves: u
                    .leaves
                    .iter()
                    .map(|l| p::Leaf {
                        code: l.code.clone(),
                        max: l.max.to_string(),
                        points: l.points.to_string(),
                        applicable: l.applicable,
                    })
                    .collect(),
                adjustments: u
                    .adjustments
                    .iter()
                    .map(|a| p::Adjustment {
                        code: a.code.clone(),
                        title: a.title.clone(),
                        kind: if a.bonus { "bonus" } else { "penalty" }.into(),
                        max: a.max.to_string(),
                        points: a.points.to_string(),
                    })
                    .collect(),
            })
            .collect();
        Ok(Published {
            format: p::FORMAT.into(),
            period: p::Period {
                code: r.period.code.clone(),
                name: r.period.name.clone(),
                year: r.period.year,
                framework: r.period.framework_code.clone(),
                decision: r.period.decision.as_ref().map(|d| d.text("vi")),
                data_notes: r.data_notes.iter().map(|n| n.vi.clone()).collect(),
            },
            version,
            reason: reason.map(str::to_string),
            published_at: at.to_rfc3339(),
            decimals: d,
            method: p::Method {
                index: "total ÷ applicable maximum × 100, total = Σ leaves + bonuses − penalties (not below 0)".into(),
                merged_units: "a unit formed by a merger is compared with the mean index of its predecessors; it has no previous rank".into(),
                rank_robustness: "Monte Carlo, 2,000 replications: domain weights within ±10 %, each unit's survey answers resampled; median rank and 5–95 % interval; beats_next = share of replications in which the unit stays above the next one (below 0.95 the difference is not robust)".into(),
                ranking: "competition ranking on the exact index: equal indices share the better rank, the next is skipped (1, 2, 2, 4)".into(),
                domain_ranking: "by the domain's share of its applicable maximum".into(),
                groups: r.groups.clone(),
            },
            previous_period: r.previous.as_ref().map(|(x, same)| p::PreviousPeriod {
                code: x.code.clone(),
                name: x.name.clone(),
                year: x.year,
                same_framework: *same,
            }),
            domains: r.domains.iter().map(|dm| p::Domain { code: dm.code.clone(), title: dm.title.clone(), max: dm.max.to_string() }).collect(),
            framework: fw,
            units,
        })
    }

    /// The latest published document of a period, read (none when it was never published).
    /// The id of a period's latest publication (without reading its document).
    pub async fn latest_publication_id(&self, period_id: i64) -> Result<Option<i64>, StoreError> {
        Ok(publication::Entity::find()
            .select_only()
            .column(publication::Column::Id)
            .filter(publication::Column::PeriodId.eq(period_id))
            .order_by_desc(publication::Column::Version)
            .into_tuple::<i64>()
            .one(&self.db)
            .await?)
    }

    pub async fn latest_publication(&self, period_id: i64) -> Result<Option<Published>, StoreError> {
        let latest = publication::Entity::find()
            .filter(publication::Column::PeriodId.eq(period_id))
            .order_by_desc(publication::Column::Version)
            .one(&self.db)
            .await?;
        latest.map(|m| read_published(&m.document)).transpose()
    }

    /// Every published version, newest first.
    pub async fn publications(&self) -> Result<Vec<PublicationRow>, StoreError> {
        let periods: std::collections::HashMap<i64, period::Model> =
            period::Entity::find().all(&self.db).await?.into_iter().map(|p| (p.id, p)).collect();
        Ok(publication::Entity::find()
            .order_by_desc(publication::Column::PublishedAt)
            .order_by_desc(publication::Column::Id)
            .all(&self.db)
            .await?
            .iter()
            .filter_map(|p| periods.get(&p.period_id).map(|per| row(p, per)))
            .collect())
    }

    /// A published version of a period (the latest when `version` is none): its row, the
    /// document text exactly as hashed, and every version of the period (newest first).
    pub async fn publication(
        &self,
        period_code: &str,
        version: Option<i32>,
    ) -> Result<(PublicationRow, String, Vec<PublicationRow>), StoreError> {
        let per = period::Entity::find().filter(period::Column::Code.eq(period_code)).one(&self.db).await?.ok_or(StoreError::NotFound)?;
        let all = publication::Entity::find()
            .filter(publication::Column::PeriodId.eq(per.id))
            .order_by_desc(publication::Column::Version)
            .all(&self.db)
            .await?;
        let chosen = match version {
            Some(v) => all.iter().find(|p| p.version == v),
            None => all.first(),
        }
        .ok_or(StoreError::NotFound)?;
        Ok((row(chosen, &per), chosen.document.clone(), all.iter().map(|p| row(p, &per)).collect()))
    }
}
