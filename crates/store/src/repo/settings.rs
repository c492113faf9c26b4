//! The site's settings (issue #17): today the reform office's contact — the desk a person calls
//! when stuck, shown at the foot of every page, public ones included. Stored as key → value rows
//! so a later setting needs no migration.

use parindex_core::Msg;
use parindex_core::unit::{FieldError, check_email, check_phone};
use sea_orm::{ActiveModelTrait, EntityTrait, Set, TransactionTrait};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::entity::setting;
use crate::repo::audit::{AuditCtx, AuditEntry, record};
use crate::{Store, StoreError};

/// The reform office's contact (the hotline of the public pages).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficeContact {
    /// The office's name, e.g. "Phòng Cải cách hành chính, Sở Nội vụ".
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    /// Office hours, e.g. "Sáng 7 h 30 – 11 h 30, chiều 13 h 30 – 17 h, thứ Hai đến thứ Sáu".
    pub hours: Option<String>,
}

const KEYS: [&str; 5] = ["office.name", "office.phone", "office.email", "office.address", "office.hours"];

impl OfficeContact {
    pub fn is_empty(&self) -> bool {
        self.name.is_none() && self.phone.is_none() && self.email.is_none() && self.address.is_none() && self.hours.is_none()
    }

    fn values(&self) -> [&Option<String>; 5] {
        [&self.name, &self.phone, &self.email, &self.address, &self.hours]
    }

    /// Trimmed, empties dropped, every field checked at once (fields `name`, `phone`, `email`,
    /// `address`, `hours`).
    pub fn validate(self) -> Result<OfficeContact, Vec<FieldError>> {
        let tidy = |v: Option<String>| v.map(|s| parindex_core::text::clean(&s)).filter(|s| !s.is_empty());
        let c = OfficeContact {
            name: tidy(self.name),
            phone: tidy(self.phone),
            email: tidy(self.email),
            address: tidy(self.address),
            hours: tidy(self.hours),
        };
        let mut errors = Vec::new();
        for (field, v) in ["name", "phone", "email", "address", "hours"].into_iter().zip(c.values()) {
            if v.as_ref().is_some_and(|v| v.chars().count() > 300) {
                errors.push(FieldError { field, message: Msg::new("Tối đa 300 ký tự.", "At most 300 characters.") });
            }
        }
        if let Some(p) = &c.phone
            && let Err(m) = check_phone(p)
        {
            errors.push(FieldError { field: "phone", message: m });
        }
        if let Some(e) = &c.email
            && let Err(m) = check_email(e)
        {
            errors.push(FieldError { field: "email", message: m });
        }
        if errors.is_empty() { Ok(c) } else { Err(errors) }
    }
}

impl Store {
    /// The reform office's contact as set (all empty when never set).
    pub async fn office_contact(&self) -> Result<OfficeContact, StoreError> {
        let rows = setting::Entity::find().all(&self.db).await?;
        let get = |k: &str| rows.iter().find(|r| r.key == k).map(|r| r.value.clone()).filter(|v| !v.is_empty());
        Ok(OfficeContact { name: get(KEYS[0]), phone: get(KEYS[1]), email: get(KEYS[2]), address: get(KEYS[3]), hours: get(KEYS[4]) })
    }

    /// Replace the reform office's contact: checked first, then every key written in one
    /// transaction with one audit entry.
    pub async fn set_office_contact(&self, ctx: &AuditCtx, c: OfficeContact) -> Result<OfficeContact, StoreError> {
        let c = c.validate().map_err(StoreError::Invalid)?;
        let before = self.office_contact().await?;
        if before == c {
            return Ok(c);
        }
        let ctx = ctx.clone();
        let after = c.clone();
        self.db
            .transaction::<_, (), StoreError>(|txn| {
                Box::pin(async move {
                    for (k, v) in KEYS.iter().zip(after.values()) {
                        setting::Entity::delete_by_id(k.to_string()).exec(txn).await?;
                        if let Some(v) = v {
                            setting::ActiveModel { key: Set(k.to_string()), value: Set(v.clone()) }.insert(txn).await?;
                        }
                    }
                    record(
                        txn,
                        &ctx,
                        AuditEntry {
                            action: "settings.office",
                            object_type: "settings",
                            object_id: Some("office".into()),
                            before: Some(json!(before)),
                            after: Some(json!(after)),
                            ..Default::default()
                        },
                    )
                    .await?;
                    Ok(())
                })
            })
            .await?;
        Ok(c)
    }
}
