//! Evidence files of a unit (its library) and their links to the leaves of its assessments.
//! The bytes are in the content-addressed file store (`blobs.rs`); here is who uploaded what,
//! under which name, and which leaf it supports. One file can support several leaves.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use parindex_core::Msg;
use parindex_core::evidence::Kind;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait};
use serde::Serialize;
use serde_json::json;

use crate::entity::{entry_evidence, evidence_file};
use crate::repo::audit::{AuditCtx, AuditEntry, record};
use crate::repo::periods::{invalid, unit_may_edit};
use crate::{Store, StoreError};

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct EvidenceRow {
    pub id: i64,
    pub unit_id: i64,
    pub sha256: String,
    pub size: i64,
    pub kind: String,
    pub name: String,
    pub uploaded_by: String,
    pub uploaded_at: DateTime<Utc>,
}

fn row(m: &evidence_file::Model) -> EvidenceRow {
    EvidenceRow {
        id: m.id,
        unit_id: m.unit_id,
        sha256: m.sha256.clone(),
        size: m.size,
        kind: m.kind.clone(),
        name: m.name.clone(),
        uploaded_by: m.uploaded_by.clone(),
        uploaded_at: m.uploaded_at,
    }
}

impl Store {
    /// Record a stored file in the unit's library; the same content uploaded again is the same
    /// entry (deduplicated by SHA-256), whatever its name.
    pub async fn add_evidence(
        &self,
        ctx: &AuditCtx,
        unit_id: i64,
        sha256: &str,
        size: i64,
        kind: Kind,
        name: &str,
    ) -> Result<EvidenceRow, StoreError> {
        let ctx = ctx.clone();
        let (sha, name) = (sha256.to_string(), name.to_string());
        let m = self
            .db
            .transaction::<_, evidence_file::Model, StoreError>(|txn| {
                Box::pin(async move {
                    if let Some(m) = evidence_file::Entity::find()
                        .filter(evidence_file::Column::UnitId.eq(unit_id))
                        .filter(evidence_file::Column::Sha256.eq(&sha))
                        .one(txn)
                        .await?
                    {
                        return Ok(m);
                    }
                    let m = evidence_file::ActiveModel {
                        unit_id: Set(unit_id),
                        sha256: Set(sha.clone()),
                        size: Set(size),
                        kind: Set(kind.as_str().into()),
                        name: Set(name.clone()),
                        uploaded_by: Set(ctx.actor_name.clone()),
                        uploaded_at: Set(Utc::now()),
                        ..Default::default()
                    }
                    .insert(txn)
                    .await?;
                    record(
                        txn,
                        &ctx,
                        AuditEntry {
                            action: "evidence.upload",
                            object_type: "evidence",
                            object_id: Some(m.id.to_string()),
                            after: Some(json!({"unit_id": unit_id, "name": name, "sha256": sha, "size": size, "kind": kind.as_str()})),
                            ..Default::default()
                        },
                    )
                    .await?;
                    Ok(m)
                })
            })
            .await?;
        Ok(row(&m))
    }

    pub async fn get_evidence(&self, id: i64) -> Result<EvidenceRow, StoreError> {
        evidence_file::Entity::find_by_id(id).one(&self.db).await?.map(|m| row(&m)).ok_or(StoreError::NotFound)
    }

    /// A unit's library, newest first.
    pub async fn unit_evidence(&self, unit_id: i64) -> Result<Vec<EvidenceRow>, StoreError> {
        let all = evidence_file::Entity::find()
            .filter(evidence_file::Column::UnitId.eq(unit_id))
            .order_by_desc(evidence_file::Column::UploadedAt)
            .order_by_desc(evidence_file::Column::Id)
            .all(&self.db)
            .await?;
        Ok(all.iter().map(row).collect())
    }

    /// Files linked to each leaf of an assessment.
    pub async fn linked_evidence(&self, assessment_id: i64) -> Result<HashMap<String, Vec<EvidenceRow>>, StoreError> {
        let links = entry_evidence::Entity::find()
            .filter(entry_evidence::Column::AssessmentId.eq(assessment_id))
            .order_by_asc(entry_evidence::Column::Id)
            .all(&self.db)
            .await?;
        if links.is_empty() {
            return Ok(HashMap::new());
        }
        let files = evidence_file::Entity::find()
            .filter(evidence_file::Column::Id.is_in(links.iter().map(|l| l.evidence_id).collect::<Vec<_>>()))
            .all(&self.db)
            .await?;
        let mut out: HashMap<String, Vec<EvidenceRow>> = HashMap::new();
        for l in &links {
            if let Some(f) = files.iter().find(|f| f.id == l.evidence_id) {
                out.entry(l.node_code.clone()).or_default().push(row(f));
            }
        }
        Ok(out)
    }

    /// The assessments a file supports a leaf of: (unit, state) of each, one query for the
    /// links and one for the assessments.
    pub async fn assessments_citing(&self, evidence_id: i64) -> Result<Vec<(i64, parindex_core::assessment::State)>, StoreError> {
        let ids: Vec<i64> = entry_evidence::Entity::find()
            .filter(entry_evidence::Column::EvidenceId.eq(evidence_id))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|l| l.assessment_id)
            .collect();
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        crate::entity::assessment::Entity::find()
            .filter(crate::entity::assessment::Column::Id.is_in(ids))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|a| Ok((a.unit_id, crate::repo::periods::stored_state(a.id, &a.state)?)))
            .collect()
    }

    /// Link a file of the unit's library to a leaf (while the unit may edit).
    pub async fn link_evidence(
        &self,
        ctx: &AuditCtx,
        assessment_id: i64,
        code: &str,
        evidence_id: i64,
        today: NaiveDate,
    ) -> Result<(), StoreError> {
        let view = self.get_assessment(assessment_id).await?;
        unit_may_edit(&view, today)?;
        if view.framework.find(code).is_none_or(|n| !n.is_leaf()) {
            return Err(invalid("code", format!("Không có tiêu chí “{code}”."), format!("There is no leaf “{code}”.")));
        }
        let file = self.get_evidence(evidence_id).await?;
        if file.unit_id != view.assessment.unit_id {
            return Err(StoreError::NotFound);
        }
        if view.evidence.get(code).is_some_and(|v| v.iter().any(|f| f.id == evidence_id)) {
            return Ok(());
        }
        let ctx = ctx.clone();
        let code = code.to_string();
        self.db
            .transaction::<_, (), StoreError>(|txn| Box::pin(async move { link_in(txn, &ctx, assessment_id, &code, &file).await }))
            .await
            .map_err(Into::into)
    }

    /// Remove a file from a leaf (it stays in the unit's library).
    pub async fn unlink_evidence(
        &self,
        ctx: &AuditCtx,
        assessment_id: i64,
        code: &str,
        evidence_id: i64,
        today: NaiveDate,
    ) -> Result<(), StoreError> {
        let view = self.get_assessment(assessment_id).await?;
        unit_may_edit(&view, today)?;
        let ctx = ctx.clone();
        let code = code.to_string();
        self.db
            .transaction::<_, (), StoreError>(|txn| Box::pin(async move { unlink_in(txn, &ctx, assessment_id, &code, evidence_id).await }))
            .await
            .map_err(Into::into)
    }

    /// Every download is in the audit log (who read which unit's evidence, when).
    pub async fn log_evidence_download(&self, ctx: &AuditCtx, file: &EvidenceRow) -> Result<(), StoreError> {
        let ctx = ctx.clone();
        let (id, name, unit) = (file.id, file.name.clone(), file.unit_id);
        self.db
            .transaction::<_, (), StoreError>(|txn| {
                Box::pin(async move {
                    record(
                        txn,
                        &ctx,
                        AuditEntry {
                            action: "evidence.download",
                            object_type: "evidence",
                            object_id: Some(id.to_string()),
                            after: Some(json!({"name": name, "unit_id": unit})),
                            ..Default::default()
                        },
                    )
                    .await
                })
            })
            .await
            .map_err(Into::into)
    }
}

/// Not used for paths: the message when a file is refused.
pub fn refused(name: &str, looks: parindex_core::evidence::LooksLike) -> StoreError {
    StoreError::Invalid(vec![parindex_core::unit::FieldError {
        field: "file",
        message: Msg::new(
            format!("“{name}” không phải PDF, Word (.docx), Excel (.xlsx) hay ảnh PNG/JPEG (nội dung: {}); tệp không được lưu.", looks.0),
            format!("“{name}” is not a PDF, Word (.docx), Excel (.xlsx) or PNG/JPEG image (content: {}); the file was not kept.", looks.1),
        ),
    }])
}

/// Link a file to a leaf inside the caller's transaction (the caller checked that the unit may
/// edit, that the file is the unit's and not yet on the leaf); audited.
pub(crate) async fn link_in<C: sea_orm::ConnectionTrait>(
    txn: &C,
    ctx: &AuditCtx,
    assessment_id: i64,
    code: &str,
    file: &EvidenceRow,
) -> Result<(), StoreError> {
    entry_evidence::ActiveModel {
        assessment_id: Set(assessment_id),
        node_code: Set(code.to_string()),
        evidence_id: Set(file.id),
        linked_by: Set(ctx.actor_name.clone()),
        linked_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    record(
        txn,
        ctx,
        AuditEntry {
            action: "evidence.link",
            object_type: "assessment",
            object_id: Some(format!("{assessment_id}/{code}")),
            after: Some(json!({"evidence_id": file.id, "name": file.name})),
            ..Default::default()
        },
    )
    .await
}

/// Take a file off a leaf inside the caller's transaction (not on it: not found); audited.
pub(crate) async fn unlink_in<C: sea_orm::ConnectionTrait>(
    txn: &C,
    ctx: &AuditCtx,
    assessment_id: i64,
    code: &str,
    evidence_id: i64,
) -> Result<(), StoreError> {
    let r = entry_evidence::Entity::delete_many()
        .filter(entry_evidence::Column::AssessmentId.eq(assessment_id))
        .filter(entry_evidence::Column::NodeCode.eq(code))
        .filter(entry_evidence::Column::EvidenceId.eq(evidence_id))
        .exec(txn)
        .await?;
    if r.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    record(
        txn,
        ctx,
        AuditEntry {
            action: "evidence.unlink",
            object_type: "assessment",
            object_id: Some(format!("{assessment_id}/{code}")),
            before: Some(json!({"evidence_id": evidence_id})),
            ..Default::default()
        },
    )
    .await
}
