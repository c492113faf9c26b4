//! The unit registry: agencies, communes and wards, their kinds, parents and lineage, with the
//! bulk import that writes everything or nothing.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, Utc};
use parindex_core::text::{fold, sort_by_name};
use parindex_core::unit::{Contact, FieldError, LineageKind, UnitInput};
use parindex_core::{Msg, UnitScope};
use sea_orm::sea_query::ExprTrait;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Set, TransactionTrait,
};
use serde::Serialize;
use serde_json::json;

use crate::entity::{unit, unit_kind, unit_lineage};
use crate::repo::audit::{AuditCtx, AuditEntry, record};
use crate::{Store, StoreError};

/// A unit as pages and the API show it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct UnitView {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub parent_id: Option<i64>,
    pub parent_code: Option<String>,
    pub parent_name: Option<String>,
    pub area: Option<String>,
    pub active_from: Option<NaiveDate>,
    pub active_to: Option<NaiveDate>,
    pub active: bool,
    /// Who to call at the unit (issue #17).
    pub contact: Contact,
}

/// One lineage link as seen from a unit.
#[derive(Debug, Clone, Serialize)]
pub struct LineageLink {
    /// The link's own id (to remove a mistaken link).
    pub id: i64,
    pub relation: String,
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    pub effective_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize)]
pub struct UnitDetail {
    #[serde(flatten)]
    pub unit: UnitView,
    /// Units that became this one (merged into it, or it was split from them).
    pub predecessors: Vec<LineageLink>,
    /// Units this one became.
    pub successors: Vec<LineageLink>,
}

/// Status filter of the unit list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum StatusFilter {
    #[default]
    Active,
    Inactive,
    All,
}

#[derive(Debug, Clone, Default)]
pub struct UnitFilter {
    /// Searches code and name, ignoring case and diacritics.
    pub q: Option<String>,
    pub kind: Option<String>,
    pub status: StatusFilter,
}

pub use parindex_core::unit::{RowError, UnitImportRow as ImportRow};

#[derive(Debug, Clone, Serialize, Default)]
pub struct ImportOutcome {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub lineage_links: usize,
}

#[derive(Debug)]
pub enum ImportError {
    /// The file has problems: nothing was written.
    Rows(Vec<RowError>),
    Store(StoreError),
}

impl From<StoreError> for ImportError {
    fn from(e: StoreError) -> Self {
        ImportError::Store(e)
    }
}
impl From<sea_orm::DbErr> for ImportError {
    fn from(e: sea_orm::DbErr) -> Self {
        ImportError::Store(e.into())
    }
}

fn snapshot(m: &unit::Model, parent_code: Option<&str>) -> serde_json::Value {
    json!({
        "code": m.code, "name": m.name, "kind": m.kind, "parent": parent_code, "area": m.area,
        "active_from": m.active_from, "active_to": m.active_to, "active": m.active,
        "contact_person": m.contact_person, "contact_phone": m.contact_phone, "contact_email": m.contact_email,
    })
}

/// A unit's contact as stored.
pub fn contact_of(m: &unit::Model) -> Contact {
    Contact { person: m.contact_person.clone(), phone: m.contact_phone.clone(), email: m.contact_email.clone() }
}

/// A new, active unit row from validated input.
fn new_unit(input: &UnitInput, parent_id: Option<i64>, now: chrono::DateTime<Utc>) -> unit::ActiveModel {
    unit::ActiveModel {
        code: Set(input.code.clone()),
        name: Set(input.name.clone()),
        kind: Set(input.kind.clone()),
        parent_id: Set(parent_id),
        area: Set(input.area.clone()),
        active_from: Set(input.active_from),
        active_to: Set(input.active_to),
        active: Set(true),
        contact_person: Set(input.contact.as_ref().and_then(|c| c.person.clone())),
        contact_phone: Set(input.contact.as_ref().and_then(|c| c.phone.clone())),
        contact_email: Set(input.contact.as_ref().and_then(|c| c.email.clone())),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
}

/// The audit entry of a unit's creation.
fn created_entry(m: &unit::Model, parent_code: Option<&str>, reason: Option<String>) -> AuditEntry {
    AuditEntry {
        action: "unit.create",
        object_type: "unit",
        object_id: Some(m.code.clone()),
        unit_id: Some(m.id),
        after: Some(snapshot(m, parent_code)),
        reason,
        ..Default::default()
    }
}

fn not_found_kind(kind: &str) -> Msg {
    Msg::new(
        format!("Loại đơn vị “{kind}” không có trong danh mục (agency, commune, ward, district, province)."),
        format!("Unit kind “{kind}” is not in the list (agency, commune, ward, district, province)."),
    )
}

fn not_found_code(code: &str) -> Msg {
    Msg::new(format!("Không tìm thấy đơn vị có mã “{code}”."), format!("No unit has the code “{code}”."))
}

fn code_taken(code: &str) -> Msg {
    Msg::new(format!("Mã đơn vị “{code}” đã được dùng."), format!("The unit code “{code}” is already in use."))
}

impl Store {
    pub async fn unit_kinds(&self) -> Result<Vec<unit_kind::Model>, StoreError> {
        Ok(unit_kind::Entity::find().order_by_asc(unit_kind::Column::SortOrder).all(&self.db).await?)
    }

    async fn all_units<C: ConnectionTrait>(c: &C) -> Result<Vec<unit::Model>, StoreError> {
        Ok(unit::Entity::find().all(c).await?)
    }

    fn to_view(m: &unit::Model, by_id: &HashMap<i64, &unit::Model>) -> UnitView {
        let parent = m.parent_id.and_then(|p| by_id.get(&p));
        UnitView {
            id: m.id,
            code: m.code.clone(),
            name: m.name.clone(),
            kind: m.kind.clone(),
            parent_id: m.parent_id,
            parent_code: parent.map(|p| p.code.clone()),
            parent_name: parent.map(|p| p.name.clone()),
            area: m.area.clone(),
            active_from: m.active_from,
            active_to: m.active_to,
            active: m.active,
            contact: contact_of(m),
        }
    }

    /// Units visible in `scope`, filtered, in Vietnamese name order.
    pub async fn list_units(&self, scope: UnitScope, f: &UnitFilter) -> Result<Vec<UnitView>, StoreError> {
        let all = Self::all_units(&self.db).await?;
        let by_id: HashMap<i64, &unit::Model> = all.iter().map(|u| (u.id, u)).collect();
        let needle = f.q.as_deref().map(fold).filter(|s| !s.trim().is_empty());
        let mut out: Vec<UnitView> = all
            .iter()
            .filter(|u| match scope {
                UnitScope::All => true,
                UnitScope::Only(id) => u.id == id,
                UnitScope::Nothing => false,
            })
            .filter(|u| match f.status {
                StatusFilter::Active => u.active,
                StatusFilter::Inactive => !u.active,
                StatusFilter::All => true,
            })
            .filter(|u| f.kind.as_deref().is_none_or(|k| k.is_empty() || u.kind == k))
            .filter(|u| needle.as_deref().is_none_or(|n| fold(&u.name).contains(n.trim()) || fold(&u.code).contains(n.trim())))
            .map(|u| Self::to_view(u, &by_id))
            .collect();
        sort_by_name(&mut out, |u| &u.name);
        Ok(out)
    }

    pub async fn get_unit(&self, id: i64) -> Result<UnitDetail, StoreError> {
        let all = Self::all_units(&self.db).await?;
        let by_id: HashMap<i64, &unit::Model> = all.iter().map(|u| (u.id, u)).collect();
        let m = by_id.get(&id).ok_or(StoreError::NotFound)?;
        let links = unit_lineage::Entity::find()
            .filter(unit_lineage::Column::PredecessorId.eq(id).or(unit_lineage::Column::SuccessorId.eq(id)))
            .all(&self.db)
            .await?;
        let link = |l: &unit_lineage::Model, other: i64| {
            by_id.get(&other).map(|o| LineageLink {
                id: l.id,
                relation: l.relation.clone(),
                unit_id: o.id,
                unit_code: o.code.clone(),
                unit_name: o.name.clone(),
                effective_on: l.effective_on,
            })
        };
        Ok(UnitDetail {
            unit: Self::to_view(m, &by_id),
            predecessors: links.iter().filter(|l| l.successor_id == id).filter_map(|l| link(l, l.predecessor_id)).collect(),
            successors: links.iter().filter(|l| l.predecessor_id == id).filter_map(|l| link(l, l.successor_id)).collect(),
        })
    }

    pub async fn unit_id_by_code(&self, code: &str) -> Result<Option<i64>, StoreError> {
        let code = code.trim().to_uppercase();
        Ok(unit::Entity::find().filter(unit::Column::Code.eq(code)).one(&self.db).await?.map(|u| u.id))
    }

    /// Check the parts of an input that need the database: kind exists, code free, parent
    /// exists and does not make a cycle.
    async fn check_refs<C: ConnectionTrait>(c: &C, input: &UnitInput, self_id: Option<i64>) -> Result<Option<i64>, StoreError> {
        let mut errors = Vec::new();
        if unit_kind::Entity::find_by_id(input.kind.clone()).one(c).await?.is_none() {
            errors.push(FieldError { field: "kind", message: not_found_kind(&input.kind) });
        }
        if let Some(other) = unit::Entity::find().filter(unit::Column::Code.eq(&input.code)).one(c).await?
            && Some(other.id) != self_id
        {
            errors.push(FieldError { field: "code", message: code_taken(&input.code) });
        }
        let mut parent_id = None;
        if let Some(pc) = &input.parent_code {
            match unit::Entity::find().filter(unit::Column::Code.eq(pc)).one(c).await? {
                None => errors.push(FieldError { field: "parent_code", message: not_found_code(pc) }),
                Some(p) => {
                    // walk up from the parent: reaching self would close a cycle
                    let all = Self::all_units(c).await?;
                    let by_id: HashMap<i64, &unit::Model> = all.iter().map(|u| (u.id, u)).collect();
                    let mut cur = Some(p.id);
                    let mut steps = 0;
                    while let Some(id) = cur {
                        if Some(id) == self_id || steps > all.len() {
                            errors.push(FieldError {
                                field: "parent_code",
                                message: Msg::new(
                                    "Đơn vị cha này tạo thành vòng lặp (đơn vị cha lại thuộc đơn vị này).",
                                    "This parent would make a loop (the parent belongs to this unit).",
                                ),
                            });
                            break;
                        }
                        cur = by_id.get(&id).and_then(|u| u.parent_id);
                        steps += 1;
                    }
                    parent_id = Some(p.id);
                }
            }
        }
        if errors.is_empty() { Ok(parent_id) } else { Err(StoreError::Invalid(errors)) }
    }

    pub async fn create_unit(&self, ctx: &AuditCtx, input: UnitInput) -> Result<UnitView, StoreError> {
        let input = input.validate().map_err(StoreError::Invalid)?;
        let ctx = ctx.clone();
        let id = self
            .db
            .transaction::<_, i64, StoreError>(|txn| {
                Box::pin(async move {
                    let parent_id = Self::check_refs(txn, &input, None).await?;
                    let m = new_unit(&input, parent_id, Utc::now()).insert(txn).await?;
                    record(txn, &ctx, created_entry(&m, input.parent_code.as_deref(), None)).await?;
                    Ok(m.id)
                })
            })
            .await?;
        Ok(self.get_unit(id).await?.unit)
    }

    pub async fn update_unit(&self, ctx: &AuditCtx, id: i64, input: UnitInput) -> Result<UnitView, StoreError> {
        let input = input.validate().map_err(StoreError::Invalid)?;
        let before_view = self.get_unit(id).await?.unit;
        let ctx = ctx.clone();
        self.db
            .transaction::<_, (), StoreError>(|txn| {
                Box::pin(async move {
                    let current = unit::Entity::find_by_id(id).one(txn).await?.ok_or(StoreError::NotFound)?;
                    let parent_id = Self::check_refs(txn, &input, Some(id)).await?;
                    let before = snapshot(&current, before_view.parent_code.as_deref());
                    let mut am = current.into_active_model();
                    am.code = Set(input.code.clone());
                    am.name = Set(input.name.clone());
                    am.kind = Set(input.kind.clone());
                    am.parent_id = Set(parent_id);
                    am.area = Set(input.area.clone());
                    am.active_from = Set(input.active_from);
                    am.active_to = Set(input.active_to);
                    // no contact given (the XLSX import): the contact stays as it is
                    if let Some(c) = &input.contact {
                        am.contact_person = Set(c.person.clone());
                        am.contact_phone = Set(c.phone.clone());
                        am.contact_email = Set(c.email.clone());
                    }
                    am.updated_at = Set(Utc::now());
                    let m = am.update(txn).await?;
                    let after = snapshot(&m, input.parent_code.as_deref());
                    if before != after {
                        record(
                            txn,
                            &ctx,
                            AuditEntry {
                                action: "unit.update",
                                object_type: "unit",
                                object_id: Some(m.code.clone()),
                                unit_id: Some(m.id),
                                before: Some(before),
                                after: Some(after),
                                ..Default::default()
                            },
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .await?;
        Ok(self.get_unit(id).await?.unit)
    }

    /// Deactivate (with the date it ended, default today) or reactivate a unit. Units are never
    /// deleted: their history belongs to past periods.
    pub async fn set_unit_active(
        &self,
        ctx: &AuditCtx,
        id: i64,
        active: bool,
        ended_on: Option<NaiveDate>,
        reason: Option<String>,
    ) -> Result<UnitView, StoreError> {
        let ctx = ctx.clone();
        self.db
            .transaction::<_, (), StoreError>(|txn| {
                Box::pin(async move {
                    let current = unit::Entity::find_by_id(id).one(txn).await?.ok_or(StoreError::NotFound)?;
                    if current.active == active {
                        return Ok(());
                    }
                    let before = snapshot(&current, None);
                    let mut am = current.clone().into_active_model();
                    am.active = Set(active);
                    am.active_to = Set(if active { None } else { Some(ended_on.unwrap_or_else(|| Utc::now().date_naive())) });
                    am.updated_at = Set(Utc::now());
                    let m = am.update(txn).await?;
                    record(
                        txn,
                        &ctx,
                        AuditEntry {
                            action: if active { "unit.reactivate" } else { "unit.deactivate" },
                            object_type: "unit",
                            object_id: Some(m.code.clone()),
                            unit_id: Some(m.id),
                            before: Some(before),
                            after: Some(snapshot(&m, None)),
                            reason: reason.filter(|r| !r.trim().is_empty()),
                        },
                    )
                    .await?;
                    Ok(())
                })
            })
            .await?;
        Ok(self.get_unit(id).await?.unit)
    }

    /// Record that `predecessor` became (part of) `successor`.
    pub async fn add_lineage(
        &self,
        ctx: &AuditCtx,
        predecessor_id: i64,
        successor_id: i64,
        relation: LineageKind,
        effective_on: Option<NaiveDate>,
    ) -> Result<(), StoreError> {
        if predecessor_id == successor_id {
            return Err(StoreError::invalid(
                "lineage",
                Msg::new("Một đơn vị không thể kế thừa chính nó.", "A unit cannot succeed itself."),
            ));
        }
        let ctx = ctx.clone();
        self.db
            .transaction::<_, (), StoreError>(|txn| {
                Box::pin(async move {
                    for id in [predecessor_id, successor_id] {
                        unit::Entity::find_by_id(id).one(txn).await?.ok_or(StoreError::NotFound)?;
                    }
                    if !insert_lineage_if_new(txn, &ctx, predecessor_id, successor_id, relation, effective_on).await? {
                        return Err(StoreError::Conflict(Msg::new(
                            "Quan hệ sáp nhập/chia tách này đã được ghi nhận.",
                            "This merger/split link is already recorded.",
                        )));
                    }
                    Ok(())
                })
            })
            .await?;
        Ok(())
    }

    /// Remove a lineage link recorded by mistake; `unit_id` must be one of its two ends.
    pub async fn remove_lineage(&self, ctx: &AuditCtx, unit_id: i64, link_id: i64) -> Result<(), StoreError> {
        let ctx = ctx.clone();
        self.db
            .transaction::<_, (), StoreError>(|txn| {
                Box::pin(async move {
                    let l = unit_lineage::Entity::find_by_id(link_id).one(txn).await?.ok_or(StoreError::NotFound)?;
                    if l.predecessor_id != unit_id && l.successor_id != unit_id {
                        return Err(StoreError::NotFound);
                    }
                    unit_lineage::Entity::delete_by_id(link_id).exec(txn).await?;
                    let (pred_code, succ_code) = (unit_code(txn, l.predecessor_id).await?, unit_code(txn, l.successor_id).await?);
                    record(
                        txn,
                        &ctx,
                        AuditEntry {
                            action: "unit.lineage_remove",
                            object_type: "unit",
                            object_id: succ_code.clone(),
                            unit_id: Some(l.successor_id),
                            before: Some(json!({"predecessor": pred_code, "successor": succ_code, "relation": l.relation, "effective_on": l.effective_on})),
                            ..Default::default()
                        },
                    )
                    .await
                })
            })
            .await?;
        Ok(())
    }

    /// Import units: every row is checked first; if any row has a problem nothing is written and
    /// every problem is returned. Otherwise all rows are created or updated (matched by code) in
    /// one transaction. `progress(done, total)` is called after each written row.
    pub async fn import_units(
        &self,
        ctx: &AuditCtx,
        source: &str,
        rows: Vec<ImportRow>,
        progress: &mut (dyn FnMut(usize, usize) + Send),
    ) -> Result<ImportOutcome, ImportError> {
        if rows.is_empty() {
            return Err(ImportError::Rows(vec![RowError {
                row: 1,
                field: "-".into(),
                message: Msg::new("Tệp không có dòng dữ liệu nào.", "The file has no data rows."),
            }]));
        }
        let kinds: HashSet<String> = self.unit_kinds().await?.into_iter().map(|k| k.code).collect();
        let existing = Self::all_units(&self.db).await?;
        let existing_codes: HashMap<String, i64> = existing.iter().map(|u| (u.code.clone(), u.id)).collect();

        // 1. validate every row, without writing
        let mut errors = Vec::new();
        let mut valid = Vec::with_capacity(rows.len());
        let mut seen: HashMap<String, usize> = HashMap::new();
        for r in &rows {
            match r.input.clone().validate() {
                Err(errs) => errors.extend(errs.into_iter().map(|e| RowError { row: r.row, field: e.field.into(), message: e.message })),
                Ok(input) => {
                    if let Some(first) = seen.insert(input.code.clone(), r.row) {
                        errors.push(RowError {
                            row: r.row,
                            field: "code".into(),
                            message: Msg::new(
                                format!("Mã “{}” trùng với dòng {first}.", input.code),
                                format!("The code “{}” repeats row {first}.", input.code),
                            ),
                        });
                    }
                    if !kinds.contains(&input.kind) {
                        errors.push(RowError { row: r.row, field: "kind".into(), message: not_found_kind(&input.kind) });
                    }
                    valid.push((r, input));
                }
            }
        }
        let known = |code: &str| existing_codes.contains_key(code) || seen.contains_key(code);
        for (r, input) in &valid {
            if let Some(p) = &input.parent_code
                && !known(p)
            {
                errors.push(RowError { row: r.row, field: "parent_code".into(), message: not_found_code(p) });
            }
            for (field, code) in r.merged_from.iter().map(|c| ("merged_from", c)).chain(r.split_from.iter().map(|c| ("split_from", c))) {
                let c = code.trim().to_uppercase();
                if c == input.code {
                    errors.push(RowError {
                        row: r.row,
                        field: field.into(),
                        message: Msg::new("Một đơn vị không thể kế thừa chính nó.", "A unit cannot succeed itself."),
                    });
                } else if !known(&c) {
                    errors.push(RowError { row: r.row, field: field.into(), message: not_found_code(&c) });
                }
            }
        }
        // parent cycles inside the file (A → B → A)
        let parent_of: HashMap<String, String> = existing
            .iter()
            .filter_map(|u| u.parent_id.and_then(|p| existing.iter().find(|x| x.id == p)).map(|p| (u.code.clone(), p.code.clone())))
            .chain(valid.iter().filter_map(|(_, i)| i.parent_code.clone().map(|p| (i.code.clone(), p))))
            .collect();
        for (r, input) in &valid {
            let mut cur = input.parent_code.clone();
            let mut steps = 0;
            while let Some(c) = cur {
                if c == input.code || steps > parent_of.len() {
                    errors.push(RowError {
                        row: r.row,
                        field: "parent_code".into(),
                        message: Msg::new("Quan hệ đơn vị cha tạo thành vòng lặp.", "The parent relation makes a loop."),
                    });
                    break;
                }
                cur = parent_of.get(&c).cloned();
                steps += 1;
            }
        }
        if !errors.is_empty() {
            errors.sort_by_key(|e| e.row);
            return Err(ImportError::Rows(errors));
        }

        // 2. write everything in one transaction
        let total = valid.len();
        let txn = self.db.begin().await?;
        let mut outcome = ImportOutcome::default();
        let mut ids: HashMap<String, i64> = existing_codes.clone();
        let now = Utc::now();
        for (done, (_, input)) in valid.iter().enumerate() {
            let current = existing.iter().find(|u| u.code == input.code);
            match current {
                None => {
                    // parents are set once every code has an id (below)
                    let m = new_unit(input, None, now).insert(&txn).await?;
                    ids.insert(m.code.clone(), m.id);
                    record(&txn, ctx, created_entry(&m, input.parent_code.as_deref(), Some(format!("import: {source}")))).await?;
                    outcome.created += 1;
                }
                Some(cur) => {
                    let same = cur.name == input.name
                        && cur.kind == input.kind
                        && cur.area == input.area
                        && cur.active_from == input.active_from
                        && cur.active_to == input.active_to;
                    if same {
                        outcome.unchanged += 1;
                    } else {
                        let before = snapshot(cur, None);
                        let mut am = cur.clone().into_active_model();
                        am.name = Set(input.name.clone());
                        am.kind = Set(input.kind.clone());
                        am.area = Set(input.area.clone());
                        am.active_from = Set(input.active_from);
                        am.active_to = Set(input.active_to);
                        am.updated_at = Set(now);
                        let m = am.update(&txn).await?;
                        record(
                            &txn,
                            ctx,
                            AuditEntry {
                                action: "unit.update",
                                object_type: "unit",
                                object_id: Some(m.code.clone()),
                                unit_id: Some(m.id),
                                before: Some(before),
                                after: Some(snapshot(&m, None)),
                                reason: Some(format!("import: {source}")),
                            },
                        )
                        .await?;
                        outcome.updated += 1;
                    }
                }
            }
            progress(done + 1, total);
        }
        // parents and lineage once every code has an id
        for (r, input) in &valid {
            let id = ids[&input.code];
            let want_parent = input.parent_code.as_ref().map(|p| ids[p]);
            let cur = unit::Entity::find_by_id(id).one(&txn).await?.ok_or(StoreError::NotFound)?;
            if cur.parent_id != want_parent {
                let mut am = cur.into_active_model();
                am.parent_id = Set(want_parent);
                am.update(&txn).await?;
            }
            for code in &r.merged_from {
                let pred = ids[&code.trim().to_uppercase()];
                if insert_lineage_if_new(&txn, ctx, pred, id, LineageKind::MergedInto, input.active_from).await? {
                    outcome.lineage_links += 1;
                }
            }
            if let Some(code) = &r.split_from {
                let pred = ids[&code.trim().to_uppercase()];
                if insert_lineage_if_new(&txn, ctx, pred, id, LineageKind::SplitFrom, input.active_from).await? {
                    outcome.lineage_links += 1;
                }
            }
        }
        record(
            &txn,
            ctx,
            AuditEntry {
                action: "unit.import",
                object_type: "unit",
                after: Some(serde_json::to_value(&outcome).unwrap_or_default()),
                reason: Some(source.to_string()),
                ..Default::default()
            },
        )
        .await?;
        txn.commit().await?;
        Ok(outcome)
    }
}

async fn unit_code<C: ConnectionTrait>(c: &C, id: i64) -> Result<Option<String>, StoreError> {
    Ok(unit::Entity::find_by_id(id).one(c).await?.map(|u| u.code))
}

async fn insert_lineage<C: ConnectionTrait>(
    c: &C,
    ctx: &AuditCtx,
    predecessor_id: i64,
    successor_id: i64,
    relation: LineageKind,
    effective_on: Option<NaiveDate>,
) -> Result<(), StoreError> {
    unit_lineage::ActiveModel {
        predecessor_id: Set(predecessor_id),
        successor_id: Set(successor_id),
        relation: Set(relation.as_str().to_string()),
        effective_on: Set(effective_on),
        ..Default::default()
    }
    .insert(c)
    .await?;
    let (pred_code, succ_code) = (unit_code(c, predecessor_id).await?, unit_code(c, successor_id).await?);
    record(
        c,
        ctx,
        AuditEntry {
            action: "unit.lineage",
            object_type: "unit",
            object_id: succ_code.clone(),
            unit_id: Some(successor_id),
            after: Some(
                json!({"predecessor": pred_code, "successor": succ_code, "relation": relation.as_str(), "effective_on": effective_on}),
            ),
            ..Default::default()
        },
    )
    .await
}

async fn insert_lineage_if_new<C: ConnectionTrait>(
    c: &C,
    ctx: &AuditCtx,
    predecessor_id: i64,
    successor_id: i64,
    relation: LineageKind,
    effective_on: Option<NaiveDate>,
) -> Result<bool, StoreError> {
    let exists = unit_lineage::Entity::find()
        .filter(unit_lineage::Column::PredecessorId.eq(predecessor_id))
        .filter(unit_lineage::Column::SuccessorId.eq(successor_id))
        .one(c)
        .await?
        .is_some();
    if exists {
        return Ok(false);
    }
    insert_lineage(c, ctx, predecessor_id, successor_id, relation, effective_on).await?;
    Ok(true)
}
