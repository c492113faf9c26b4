//! Criteria frameworks in the database: import (a draft may be replaced, a published framework
//! never), publish, archive, new version from, list and read back. The canonical JSON document is
//! the source of truth (export is lossless); `framework_nodes` lays the tree out for queries.

use chrono::{DateTime, Utc};
use parindex_core::Msg;
use parindex_core::framework::crosswalk::Crosswalk;
use parindex_core::framework::{Framework, Status, validate};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Set, TransactionTrait,
};
use serde::Serialize;
use serde_json::json;

use crate::entity::{framework, framework_crosswalk, framework_node};
use crate::repo::audit::{AuditCtx, AuditEntry, record};
use crate::{Store, StoreError};

#[derive(Debug, Clone, Serialize)]
pub struct FrameworkRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub status: String,
    pub sample: bool,
    pub unit_kinds: Vec<String>,
    pub valid_from: Option<i32>,
    pub valid_to: Option<i32>,
    pub max_total: String,
    pub leaves: i32,
    pub derived_from: Option<String>,
    pub created_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
}

/// A crosswalk as confirmed by a person.
#[derive(Debug, Clone, Serialize)]
pub struct StoredCrosswalk {
    pub crosswalk: Crosswalk,
    pub confirmed_by: String,
    pub confirmed_at: DateTime<Utc>,
}

fn row(m: &framework::Model, all: &[framework::Model]) -> FrameworkRow {
    FrameworkRow {
        id: m.id,
        code: m.code.clone(),
        name: m.name.clone(),
        status: m.status.clone(),
        sample: m.sample,
        unit_kinds: m.unit_kinds.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect(),
        valid_from: m.valid_from,
        valid_to: m.valid_to,
        max_total: m.max_total.clone(),
        leaves: m.leaves,
        derived_from: m.derived_from_id.and_then(|d| all.iter().find(|x| x.id == d)).map(|x| x.code.clone()),
        created_at: m.created_at,
        published_at: m.published_at,
    }
}

fn immutable(code: &str, status: &str) -> StoreError {
    StoreError::Conflict(Msg::new(
        format!("Bộ chỉ số “{code}” đã ở trạng thái {status} nên không thể thay đổi; hãy tạo phiên bản mới."),
        format!("The framework “{code}” is {status} and cannot change; create a new version from it."),
    ))
}

/// The framework's document and the columns derived from it (name, kinds, years, totals).
fn set_document(am: &mut framework::ActiveModel, fw: &Framework, doc: String) {
    am.name = Set(fw.name.clone());
    am.sample = Set(fw.sample);
    am.unit_kinds = Set(fw.unit_kinds.join(","));
    am.valid_from = Set(fw.valid_from);
    am.valid_to = Set(fw.valid_to);
    am.max_total = Set(fw.max_total().to_string());
    am.leaves = Set(fw.leaves().count() as i32);
    am.document = Set(doc);
}

/// Write the nodes of `fw` for framework `id` (after deleting any previous ones).
async fn write_nodes<C: ConnectionTrait>(c: &C, id: i64, fw: &Framework) -> Result<(), StoreError> {
    framework_node::Entity::delete_many().filter(framework_node::Column::FrameworkId.eq(id)).exec(c).await?;
    let mut stack: Vec<(usize, i32)> = Vec::new(); // (depth, position)
    let mut rows = Vec::new();
    for (pos, (depth, n)) in fw.walk().into_iter().enumerate() {
        while stack.last().is_some_and(|(d, _)| *d >= depth) {
            stack.pop();
        }
        let parent = stack.last().map(|(_, p)| *p);
        let max = if n.is_leaf() {
            n.max.clone().unwrap_or_default()
        } else {
            fw.walk()
                .into_iter()
                .skip(pos + 1)
                .take_while(|(d, _)| *d > depth)
                .filter(|(_, x)| x.is_leaf())
                .filter_map(|(_, x)| x.max.clone())
                .sum()
        };
        rows.push(framework_node::ActiveModel {
            framework_id: Set(id),
            position: Set(pos as i32),
            parent_position: Set(parent),
            depth: Set(depth as i32),
            code: Set(n.code.clone()),
            title: Set(n.title.clone()),
            is_leaf: Set(n.is_leaf()),
            max_points: Set(max.to_string()),
            rule_kind: Set(n.rule.as_ref().map(|r| r.kind().to_string())),
            source: Set(n.source.key()),
            appraiser: Set(n.appraiser.clone()),
            ..Default::default()
        });
        stack.push((depth, pos as i32));
    }
    for chunk in rows.chunks(200) {
        framework_node::Entity::insert_many(chunk.to_vec()).exec(c).await?;
    }
    Ok(())
}

impl Store {
    pub async fn list_frameworks(&self) -> Result<Vec<FrameworkRow>, StoreError> {
        let all = framework::Entity::find().order_by_asc(framework::Column::Code).all(&self.db).await?;
        Ok(all.iter().map(|m| row(m, &all)).collect())
    }

    /// A framework and its document (with the status it has now).
    pub async fn get_framework(&self, code: &str) -> Result<(FrameworkRow, Framework), StoreError> {
        let all = framework::Entity::find().all(&self.db).await?;
        let m = all.iter().find(|m| m.code == code.trim()).ok_or(StoreError::NotFound)?;
        let mut fw: Framework =
            serde_json::from_str(&m.document).map_err(|e| StoreError::Db(sea_orm::DbErr::Custom(format!("framework document: {e}"))))?;
        fw.status = Status::parse(&m.status).unwrap_or_default();
        Ok((row(m, &all), fw))
    }

    /// Import a framework. Every problem is refused with its node code; a draft of the same code
    /// is replaced, a published or archived one is never touched.
    pub async fn import_framework(&self, ctx: &AuditCtx, fw: Framework, source: &str) -> Result<FrameworkRow, StoreError> {
        let problems = validate(&fw);
        if !problems.is_empty() {
            return Err(StoreError::InvalidFramework(problems));
        }
        let ctx = ctx.clone();
        let source = source.to_string();
        let code = fw.code.trim().to_string();
        let code_out = code.clone();
        self.db
            .transaction::<_, (), StoreError>(|txn| {
                Box::pin(async move {
                    let now = Utc::now();
                    let doc = serde_json::to_string(&fw).map_err(|e| StoreError::Db(sea_orm::DbErr::Custom(e.to_string())))?;
                    let existing = framework::Entity::find().filter(framework::Column::Code.eq(&code)).one(txn).await?;
                    let published = (fw.status != Status::Draft).then_some(now);
                    let (id, action, before) = match existing {
                        Some(e) if e.status != "draft" => return Err(immutable(&code, &e.status)),
                        Some(e) => {
                            let before = json!({"name": e.name, "leaves": e.leaves, "max_total": e.max_total});
                            let id = e.id;
                            let mut am = e.into_active_model();
                            set_document(&mut am, &fw, doc);
                            am.status = Set(fw.status.as_str().into());
                            am.updated_at = Set(now);
                            am.published_at = Set(published);
                            am.update(txn).await?;
                            (id, "framework.replace_draft", Some(before))
                        }
                        None => {
                            let mut am = framework::ActiveModel {
                                code: Set(code.clone()),
                                status: Set(fw.status.as_str().into()),
                                created_at: Set(now),
                                updated_at: Set(now),
                                published_at: Set(published),
                                ..Default::default()
                            };
                            set_document(&mut am, &fw, doc);
                            let m = am.insert(txn).await?;
                            (m.id, "framework.import", None)
                        }
                    };
                    write_nodes(txn, id, &fw).await?;
                    record(
                        txn,
                        &ctx,
                        AuditEntry {
                            action,
                            object_type: "framework",
                            object_id: Some(code.clone()),
                            before,
                            after: Some(json!({"name": fw.name, "status": fw.status.as_str(), "leaves": fw.leaves().count(), "max_total": fw.max_total().to_string()})),
                            reason: Some(format!("import: {source}")),
                            ..Default::default()
                        },
                    )
                    .await
                })
            })
            .await?;
        Ok(self.get_framework(&code_out).await?.0)
    }

    /// Save an edited draft (the browser editor). Unlike an import, a draft may be saved while
    /// it still has problems (maxima that do not add up yet, a leaf without a rule): they are
    /// listed on its page and publishing refuses them. What is refused here: anything but a
    /// draft, a changed framework code, and codes that are empty or repeat (nodes are addressed
    /// by code). `what` names the edit in the audit log ("node.update 1.2").
    pub async fn save_framework_draft(&self, ctx: &AuditCtx, code: &str, fw: Framework, what: &str) -> Result<FrameworkRow, StoreError> {
        let (row, before) = self.get_framework(code).await?;
        if row.status != "draft" {
            return Err(immutable(&row.code, &row.status));
        }
        if fw.code != row.code {
            return Err(StoreError::invalid(
                "code",
                Msg::new("Không đổi được mã của bộ chỉ số khi soạn thảo.", "The framework code cannot change while editing."),
            ));
        }
        let mut seen = std::collections::HashSet::new();
        for c in fw.walk().into_iter().map(|(_, n)| n.code.as_str()).chain(fw.adjustments.iter().map(|a| a.code.as_str())) {
            if c.trim().is_empty() {
                return Err(StoreError::invalid("code", Msg::new("Mã tiêu chí không được để trống.", "A node code cannot be empty.")));
            }
            if !seen.insert(c) {
                return Err(StoreError::invalid(
                    "code",
                    Msg::new(
                        format!("Mã “{c}” đã có trong bộ chỉ số; hãy chọn mã khác."),
                        format!("The code “{c}” is already used in this framework; choose another."),
                    ),
                ));
            }
        }
        let ctx = ctx.clone();
        let what = what.to_string();
        let id = row.id;
        self.db
            .transaction::<_, (), StoreError>(|txn| {
                Box::pin(async move {
                    let doc = serde_json::to_string(&fw).map_err(|e| StoreError::Db(sea_orm::DbErr::Custom(e.to_string())))?;
                    let m = framework::Entity::find_by_id(id).one(txn).await?.ok_or(StoreError::NotFound)?;
                    if m.status != "draft" {
                        return Err(immutable(&m.code, &m.status));
                    }
                    let mut am = m.into_active_model();
                    set_document(&mut am, &fw, doc);
                    am.updated_at = Set(Utc::now());
                    am.update(txn).await?;
                    write_nodes(txn, id, &fw).await?;
                    record(
                        txn,
                        &ctx,
                        AuditEntry {
                            action: "framework.edit",
                            object_type: "framework",
                            object_id: Some(fw.code.clone()),
                            before: Some(json!({"leaves": before.leaves().count(), "max_total": before.max_total().to_string()})),
                            after: Some(json!({"leaves": fw.leaves().count(), "max_total": fw.max_total().to_string()})),
                            reason: Some(what),
                            ..Default::default()
                        },
                    )
                    .await
                })
            })
            .await?;
        Ok(self.get_framework(code).await?.0)
    }

    /// draft → published (immutable from now on) or published → archived.
    pub async fn set_framework_status(&self, ctx: &AuditCtx, code: &str, to: Status) -> Result<FrameworkRow, StoreError> {
        let (row, fw) = self.get_framework(code).await?;
        let from = Status::parse(&row.status).unwrap_or_default();
        let allowed = matches!((from, to), (Status::Draft, Status::Published) | (Status::Published, Status::Archived));
        if !allowed {
            return Err(StoreError::Conflict(Msg::new(
                format!("Không thể chuyển bộ chỉ số “{code}” từ {} sang {}.", from.as_str(), to.as_str()),
                format!("The framework “{code}” cannot go from {} to {}.", from.as_str(), to.as_str()),
            )));
        }
        if to == Status::Published {
            let problems = validate(&fw);
            if !problems.is_empty() {
                return Err(StoreError::InvalidFramework(problems));
            }
        }
        let ctx = ctx.clone();
        let code = row.code.clone();
        self.db
            .transaction::<_, (), StoreError>(|txn| {
                Box::pin(async move {
                    let m = framework::Entity::find_by_id(row.id).one(txn).await?.ok_or(StoreError::NotFound)?;
                    let mut am = m.into_active_model();
                    am.status = Set(to.as_str().into());
                    am.updated_at = Set(Utc::now());
                    if to == Status::Published {
                        am.published_at = Set(Some(Utc::now()));
                    }
                    am.update(txn).await?;
                    record(
                        txn,
                        &ctx,
                        AuditEntry {
                            action: if to == Status::Published { "framework.publish" } else { "framework.archive" },
                            object_type: "framework",
                            object_id: Some(row.code.clone()),
                            before: Some(json!({"status": from.as_str()})),
                            after: Some(json!({"status": to.as_str()})),
                            ..Default::default()
                        },
                    )
                    .await
                })
            })
            .await?;
        Ok(self.get_framework(&code).await?.0)
    }

    /// A new draft copied from an existing framework (any status), under a new code.
    pub async fn new_framework_version(
        &self,
        ctx: &AuditCtx,
        from_code: &str,
        new_code: &str,
        new_name: Option<String>,
    ) -> Result<FrameworkRow, StoreError> {
        let (from_row, mut fw) = self.get_framework(from_code).await?;
        let new_code = new_code.trim().to_string();
        if new_code.is_empty() || new_code.len() > 64 {
            return Err(StoreError::invalid("code", Msg::new("Mã phiên bản mới gồm 1–64 ký tự.", "The new code has 1–64 characters.")));
        }
        fw.code = new_code.clone();
        if let Some(n) = new_name.filter(|n| !n.trim().is_empty()) {
            fw.name = n;
        }
        fw.status = Status::Draft;
        if framework::Entity::find().filter(framework::Column::Code.eq(&new_code)).one(&self.db).await?.is_some() {
            return Err(StoreError::Conflict(Msg::new(
                format!("Mã “{new_code}” đã được dùng."),
                format!("The code “{new_code}” is already in use."),
            )));
        }
        let row = self.import_framework(ctx, fw, &format!("new version from {from_code}")).await?;
        let m = framework::Entity::find_by_id(row.id).one(&self.db).await?.ok_or(StoreError::NotFound)?;
        let mut am = m.into_active_model();
        am.derived_from_id = Set(Some(from_row.id));
        am.update(&self.db).await?;
        Ok(self.get_framework(&new_code).await?.0)
    }

    /// The confirmed crosswalk from `from` to `to`, with who confirmed it and when.
    pub async fn get_crosswalk(&self, from: &str, to: &str) -> Result<Option<StoredCrosswalk>, StoreError> {
        let (a, _) = self.get_framework(from).await?;
        let (b, _) = self.get_framework(to).await?;
        let Some(m) = framework_crosswalk::Entity::find()
            .filter(framework_crosswalk::Column::FromId.eq(a.id))
            .filter(framework_crosswalk::Column::ToId.eq(b.id))
            .one(&self.db)
            .await?
        else {
            return Ok(None);
        };
        let map = serde_json::from_str(&m.map).map_err(|e| StoreError::Db(sea_orm::DbErr::Custom(format!("crosswalk map: {e}"))))?;
        Ok(Some(StoredCrosswalk {
            crosswalk: Crosswalk { from: a.code, to: b.code, map },
            confirmed_by: m.confirmed_by,
            confirmed_at: m.confirmed_at,
        }))
    }

    /// Confirm (store or replace) a crosswalk. Every old code must be a node of `from` and every
    /// new code a node of `to`; the refusal lists every unknown code.
    pub async fn save_crosswalk(&self, ctx: &AuditCtx, cw: Crosswalk) -> Result<StoredCrosswalk, StoreError> {
        let (a, old) = self.get_framework(&cw.from).await?;
        let (b, new) = self.get_framework(&cw.to).await?;
        let mut problems = Vec::new();
        for (o, targets) in &cw.map {
            if old.find(o).is_none() {
                problems.push(parindex_core::framework::Problem {
                    code: o.clone(),
                    message: Msg::new(format!("“{o}” không phải là tiêu chí của {}", a.code), format!("“{o}” is not a node of {}", a.code)),
                });
            }
            for t in targets {
                if new.find(t).is_none() {
                    problems.push(parindex_core::framework::Problem {
                        code: o.clone(),
                        message: Msg::new(
                            format!("“{t}” không phải là tiêu chí của {}", b.code),
                            format!("“{t}” is not a node of {}", b.code),
                        ),
                    });
                }
            }
        }
        if a.id == b.id {
            problems.push(parindex_core::framework::Problem {
                code: String::new(),
                message: Msg::new("Hãy chọn hai phiên bản khác nhau.", "Choose two different versions."),
            });
        }
        if !problems.is_empty() {
            return Err(StoreError::InvalidFramework(problems));
        }
        let map = serde_json::to_string(&cw.map).map_err(|e| StoreError::Db(sea_orm::DbErr::Custom(e.to_string())))?;
        let ctx = ctx.clone();
        let (from_id, to_id) = (a.id, b.id);
        let object = format!("{} → {}", a.code, b.code);
        let (unmapped_old, unmapped_new) = cw.gaps(&old, &new);
        self.db
            .transaction::<_, (), StoreError>(|txn| {
                Box::pin(async move {
                    let existing = framework_crosswalk::Entity::find()
                        .filter(framework_crosswalk::Column::FromId.eq(from_id))
                        .filter(framework_crosswalk::Column::ToId.eq(to_id))
                        .one(txn)
                        .await?;
                    let before = existing.as_ref().map(|e| json!({"map": serde_json::from_str::<serde_json::Value>(&e.map).unwrap_or_default()}));
                    if let Some(e) = existing {
                        framework_crosswalk::Entity::delete_by_id(e.id).exec(txn).await?;
                    }
                    framework_crosswalk::ActiveModel {
                        from_id: Set(from_id),
                        to_id: Set(to_id),
                        map: Set(map.clone()),
                        confirmed_by: Set(ctx.actor_name.clone()),
                        confirmed_at: Set(Utc::now()),
                        ..Default::default()
                    }
                    .insert(txn)
                    .await?;
                    record(
                        txn,
                        &ctx,
                        AuditEntry {
                            action: "framework.crosswalk",
                            object_type: "framework",
                            object_id: Some(object),
                            before,
                            after: Some(json!({"map": serde_json::from_str::<serde_json::Value>(&map).unwrap_or_default(), "unmapped_old": unmapped_old, "unmapped_new": unmapped_new})),
                            ..Default::default()
                        },
                    )
                    .await
                })
            })
            .await?;
        self.get_crosswalk(&cw.from, &cw.to).await?.ok_or(StoreError::NotFound)
    }

    /// Node rows of a framework in tree order (code, depth, maximum, rule kind…).
    pub async fn framework_nodes(&self, code: &str) -> Result<Vec<framework_node::Model>, StoreError> {
        let (row, _) = self.get_framework(code).await?;
        Ok(framework_node::Entity::find()
            .filter(framework_node::Column::FrameworkId.eq(row.id))
            .order_by_asc(framework_node::Column::Position)
            .all(&self.db)
            .await?)
    }
}
