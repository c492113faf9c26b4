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
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait};
use serde::Serialize;
use serde_json::{Value, json};

use crate::entity::{period, publication};
use crate::repo::audit::{AuditEntry, record};
use crate::{AuditCtx, Store, StoreError};

#[derive(Debug, Clone, Serialize)]
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
    async fn snapshot(&self, period_id: i64, version: i32, reason: Option<&str>, at: DateTime<Utc>) -> Result<Value, StoreError> {
        let r = self.period_results(period_id).await?;
        let (_, fw) = self.get_framework(&r.period.framework_code).await?;
        // how firm each rank is (domain weights ± 10 %, survey answers resampled; 2,000
        // replications, deterministic for the period) — published beside the ranks
        let robust = self.period_robustness(&r, 0.10, 2000).await?;
        let d = r.decimals;
        let exact = |x: &parindex_core::Exact| json!({"value": x.to_decimal_string(d), "exact": x.to_fraction_string()});
        let units: Vec<Value> = r
            .units
            .iter()
            .map(|u| {
                json!({
                    "code": u.unit_code,
                    "name": u.unit_name,
                    "kind": u.unit_kind,
                    "rank": u.rank,
                    "group": u.group,
                    "index": u.index.as_ref().map(exact),
                    "achieved": exact(&u.achieved),
                    "bonus": exact(&u.bonus),
                    "penalty": exact(&u.penalty),
                    "total": exact(&u.total),
                    "applicable_max": exact(&u.applicable_max),
                    "previous": u.previous.as_ref().map(|p| json!({"index": p.index.as_ref().map(exact), "rank": p.rank, "via": p.via})),
                    "rank_robustness": robust.get(&u.unit_id).filter(|_| u.rank.is_some()).map(|x| json!({
                        "median": x.median, "p5": x.p5, "p95": x.p95, "beats_next": x.beats_next.map(|b| (b * 1000.0).round() / 1000.0),
                    })),
                    "domains": r.domains.iter().zip(&u.domains).map(|(dm, x)| json!({
                        "code": dm.code, "points": exact(&x.points), "applicable_max": exact(&x.applicable_max), "rank": x.rank,
                    })).collect::<Vec<_>>(),
                    "leaves": u.leaves.iter().map(|l| json!({
                        "code": l.code, "max": l.max.to_string(), "points": l.points.to_string(), "applicable": l.applicable,
                    })).collect::<Vec<_>>(),
                    "adjustments": u.adjustments.iter().map(|a| json!({
                        "code": a.code, "title": a.title, "kind": if a.bonus { "bonus" } else { "penalty" },
                        "max": a.max.to_string(), "points": a.points.to_string(),
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        Ok(json!({
            "format": "parindex-results/1",
            "period": {"code": r.period.code, "name": r.period.name, "year": r.period.year, "framework": r.period.framework_code},
            "version": version,
            "reason": reason,
            "published_at": at.to_rfc3339(),
            "decimals": d,
            "method": {
                "index": "total ÷ applicable maximum × 100, total = Σ leaves + bonuses − penalties (not below 0)",
                "merged_units": "a unit formed by a merger is compared with the mean index of its predecessors; it has no previous rank",
                "rank_robustness": "Monte Carlo, 2,000 replications: domain weights within ±10 %, each unit's survey answers resampled; median rank and 5–95 % interval; beats_next = share of replications in which the unit stays above the next one (below 0.95 the difference is not robust)",
                "ranking": "competition ranking on the exact index: equal indices share the better rank, the next is skipped (1, 2, 2, 4)",
                "domain_ranking": "by the domain's share of its applicable maximum",
                "groups": r.groups,
            },
            "previous_period": r.previous.as_ref().map(|(p, same)| json!({"code": p.code, "name": p.name, "year": p.year, "same_framework": same})),
            "domains": r.domains.iter().map(|dm| json!({"code": dm.code, "title": dm.title, "max": dm.max.to_string()})).collect::<Vec<_>>(),
            "framework": fw,
            "units": units,
        }))
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
