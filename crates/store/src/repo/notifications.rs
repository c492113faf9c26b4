//! The in-app inbox (issue #4): a notice for each step that waits on someone — a submission for
//! the reform office and the appraisers, a return or a preliminary result for the unit, a
//! deadline coming — written in the same transaction as the step itself, one row per recipient.
//! Appraisers hear only of units whose leaves they appraise. Notices also wait for e-mail
//! delivery (`pending_emails` / `mark_emailed`, sent by the web crate's `mail` module when SMTP
//! is configured).

use chrono::{NaiveDate, Utc};
use parindex_core::{Msg, Role};
use std::collections::HashMap;

use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::Serialize;

use crate::entity::{notification, unit, user};
use crate::{Store, StoreError};

/// Who receives a notice.
#[derive(Debug, Clone)]
pub enum Recipients {
    /// The staff (officers and leaders) of a unit.
    UnitStaff(i64),
    /// Everybody with one of these roles.
    Roles(Vec<Role>),
    /// The appraisers who appraise some of these leaves: those of the named agencies (unit
    /// codes), and the reform office's own appraisers (no unit) when `unassigned` is set.
    Appraisers { agencies: Vec<String>, unassigned: bool },
}

impl Recipients {
    /// The appraisers of `leaves` (codes) of an assessment's framework (period assignments
    /// already applied).
    pub fn appraisers_of(fw: &parindex_core::framework::Framework, leaves: &[&str]) -> Recipients {
        let mut agencies = Vec::new();
        let mut unassigned = false;
        for (n, a) in fw.appraisers() {
            if !leaves.contains(&n.code.as_str()) {
                continue;
            }
            match a {
                Some(code) if !agencies.iter().any(|c: &String| c == code) => agencies.push(code.to_string()),
                Some(_) => {}
                None => unassigned = true,
            }
        }
        Recipients::Appraisers { agencies, unassigned }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Notice {
    pub id: i64,
    pub kind: String,
    pub text: Msg,
    pub link: String,
    pub created_at: chrono::DateTime<Utc>,
    pub read: bool,
}

/// Which notices of the inbox to show: unread only, of one kind (`submitted`, `returned`,
/// `preliminary`, `explained`, `approved`, `extended`, `reminder`), page `page` (from 0).
#[derive(Debug, Clone, Default)]
pub struct InboxFilter {
    pub unread_only: bool,
    pub kind: Option<String>,
    pub page: u64,
    pub per_page: u64,
}

/// The kinds of notice the workflow writes, in the order of the year's work.
pub const NOTICE_KINDS: [&str; 7] = ["submitted", "returned", "extended", "preliminary", "explained", "approved", "reminder"];

/// Write a notice for every active recipient (inside the caller's transaction).
pub(crate) async fn notify<C: ConnectionTrait>(c: &C, to: Recipients, kind: &str, text: &Msg, link: &str) -> Result<usize, StoreError> {
    let mut q = user::Entity::find().filter(user::Column::Disabled.eq(false));
    q = match &to {
        Recipients::UnitStaff(u) => {
            q.filter(user::Column::UnitId.eq(*u)).filter(user::Column::Role.is_in([Role::UnitOfficer.as_str(), Role::UnitLeader.as_str()]))
        }
        Recipients::Roles(roles) => q.filter(user::Column::Role.is_in(roles.iter().map(|r| r.as_str()).collect::<Vec<_>>())),
        Recipients::Appraisers { agencies, unassigned } => {
            let ids: Vec<i64> =
                unit::Entity::find().filter(unit::Column::Code.is_in(agencies.clone())).all(c).await?.into_iter().map(|u| u.id).collect();
            let mut cond = Condition::any().add(user::Column::UnitId.is_in(ids));
            if *unassigned {
                cond = cond.add(user::Column::UnitId.is_null());
            }
            q.filter(user::Column::Role.eq(Role::Appraiser.as_str())).filter(cond)
        }
    };
    let users = q.all(c).await?;
    let now = Utc::now();
    for u in &users {
        notification::ActiveModel {
            user_id: Set(u.id),
            kind: Set(kind.to_string()),
            text_vi: Set(text.vi.clone()),
            text_en: Set(text.en.clone()),
            link: Set(link.to_string()),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(c)
        .await?;
    }
    Ok(users.len())
}

/// A notice waiting to be e-mailed.
#[derive(Debug, Clone)]
pub struct PendingEmail {
    pub id: i64,
    pub email: String,
    pub text: Msg,
    pub link: String,
}

impl Store {
    /// Notices not e-mailed yet, for users with an address (oldest first). Notices of users
    /// without an address are marked done so that they are not looked at again.
    pub async fn pending_emails(&self, limit: u64) -> Result<Vec<PendingEmail>, StoreError> {
        let rows = notification::Entity::find()
            .filter(notification::Column::EmailedAt.is_null())
            .order_by_asc(notification::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?;
        let users =
            user::Entity::find().filter(user::Column::Id.is_in(rows.iter().map(|n| n.user_id).collect::<Vec<_>>())).all(&self.db).await?;
        let mut out = Vec::new();
        for n in rows {
            match users.iter().find(|u| u.id == n.user_id).and_then(|u| u.email.clone()).filter(|e| e.contains('@')) {
                Some(email) => out.push(PendingEmail { id: n.id, email, text: Msg::new(n.text_vi, n.text_en), link: n.link }),
                None => self.mark_emailed(n.id).await?,
            }
        }
        Ok(out)
    }

    pub async fn mark_emailed(&self, id: i64) -> Result<(), StoreError> {
        notification::Entity::update_many()
            .col_expr(notification::Column::EmailedAt, sea_orm::sea_query::Expr::value(Some(Utc::now())))
            .filter(notification::Column::Id.eq(id))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// A user's notices, newest first.
    pub async fn inbox(&self, user_id: i64, limit: u64) -> Result<Vec<Notice>, StoreError> {
        Ok(self.inbox_page(user_id, &InboxFilter { per_page: limit, ..Default::default() }).await?.0)
    }

    /// One page of a user's notices, newest first, filtered (issue #17: an inbox of 78 notices
    /// needs paging and filters), and how many match in all.
    pub async fn inbox_page(&self, user_id: i64, f: &InboxFilter) -> Result<(Vec<Notice>, u64), StoreError> {
        let mut q = notification::Entity::find().filter(notification::Column::UserId.eq(user_id));
        if f.unread_only {
            q = q.filter(notification::Column::ReadAt.is_null());
        }
        if let Some(k) = f.kind.as_deref().filter(|k| !k.is_empty()) {
            q = q.filter(notification::Column::Kind.eq(k));
        }
        let total = q.clone().count(&self.db).await?;
        let per_page = f.per_page.clamp(1, 500);
        let rows = q
            .order_by_desc(notification::Column::CreatedAt)
            .order_by_desc(notification::Column::Id)
            .offset(f.page * per_page)
            .limit(per_page)
            .all(&self.db)
            .await?;
        let notices = rows
            .into_iter()
            .map(|n| Notice {
                id: n.id,
                kind: n.kind,
                text: Msg::new(n.text_vi, n.text_en),
                link: n.link,
                created_at: n.created_at,
                read: n.read_at.is_some(),
            })
            .collect();
        Ok((notices, total))
    }

    /// The name of the period of each of these assessments (the inbox names the period of the
    /// notices that point to an assessment).
    pub async fn period_names_of(&self, assessment_ids: &[i64]) -> Result<HashMap<i64, String>, StoreError> {
        use crate::entity::{assessment, period};
        if assessment_ids.is_empty() {
            return Ok(HashMap::new());
        }
        let pairs: Vec<(i64, i64)> = assessment::Entity::find()
            .select_only()
            .column(assessment::Column::Id)
            .column(assessment::Column::PeriodId)
            .filter(assessment::Column::Id.is_in(assessment_ids.to_vec()))
            .into_tuple()
            .all(&self.db)
            .await?;
        let mut period_ids: Vec<i64> = pairs.iter().map(|p| p.1).collect();
        period_ids.sort_unstable();
        period_ids.dedup();
        let names: HashMap<i64, String> = period::Entity::find()
            .filter(period::Column::Id.is_in(period_ids))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|p| (p.id, p.name))
            .collect();
        Ok(pairs.into_iter().filter_map(|(a, p)| names.get(&p).map(|n| (a, n.clone()))).collect())
    }

    pub async fn unread_count(&self, user_id: i64) -> Result<u64, StoreError> {
        Ok(notification::Entity::find()
            .filter(notification::Column::UserId.eq(user_id))
            .filter(notification::Column::ReadAt.is_null())
            .count(&self.db)
            .await?)
    }

    /// Mark one notice (or, with `None`, all) of this user read; returns the notice's link.
    pub async fn mark_read(&self, user_id: i64, id: Option<i64>) -> Result<Option<String>, StoreError> {
        let mut q = notification::Entity::update_many()
            .col_expr(notification::Column::ReadAt, sea_orm::sea_query::Expr::value(Some(Utc::now())))
            .filter(notification::Column::UserId.eq(user_id))
            .filter(notification::Column::ReadAt.is_null());
        if let Some(id) = id {
            q = q.filter(notification::Column::Id.eq(id));
        }
        q.exec(&self.db).await?;
        match id {
            Some(id) => Ok(notification::Entity::find_by_id(id)
                .filter(notification::Column::UserId.eq(user_id))
                .one(&self.db)
                .await?
                .map(|n| n.link)),
            None => Ok(None),
        }
    }

    /// Whether a reminder linking to `link` went out today (Vietnam's day).
    async fn reminded_today(&self, link: &str, today: NaiveDate) -> Result<bool, StoreError> {
        let start = today.and_hms_opt(0, 0, 0).map(|t| t.and_utc()).unwrap_or_else(Utc::now) - chrono::Duration::hours(7);
        let n = notification::Entity::find()
            .filter(notification::Column::Kind.eq("reminder"))
            .filter(notification::Column::Link.eq(link))
            .filter(notification::Column::CreatedAt.gte(start))
            .count(&self.db)
            .await?;
        Ok(n > 0)
    }

    /// Deadline reminders: the staff of every unit whose self-assessment is still open and due
    /// within `days` days gets one notice per day. Safe to run as often as wanted.
    pub async fn send_reminders(&self, today: NaiveDate, days: i64) -> Result<usize, StoreError> {
        let mut sent = 0;
        for p in self.list_periods().await? {
            for a in self.list_assessments(p.id, parindex_core::UnitScope::All).await? {
                let open = a.state.unit_edits();
                let Some(due) = a.self_due else { continue };
                let left = (due - today).num_days();
                if !open || !(0..=days).contains(&left) {
                    continue;
                }
                let link = format!("/assessments/{}", a.id);
                if self.reminded_today(&link, today).await? {
                    continue;
                }
                let d = parindex_core::text::format_date(due);
                let text = Msg::new(
                    format!(
                        "Nhắc hạn: bản tự đánh giá {} ({}) hết hạn ngày {d}; đã chấm {}/{} tiêu chí.",
                        a.unit_name, p.name, a.done, a.to_do
                    ),
                    format!(
                        "Reminder: the self-assessment of {} ({}) is due on {d}; {}/{} leaves scored.",
                        a.unit_name, p.name, a.done, a.to_do
                    ),
                );
                sent += notify(&self.db, Recipients::UnitStaff(a.unit_id), "reminder", &text, &link).await?;
            }
        }
        // apologies (issue #18): every case still without its letter, due within `days` days
        // or overdue (up to a month), once a day to the unit's staff
        let open = self.apology_cases(&crate::repo::apology::CaseFilter { open: true, ..Default::default() }).await?;
        for c in open {
            let left = (c.apology_due - today).num_days();
            // a month past its deadline, a case stops being reminded daily (it stays on the
            // unit's home and in the register, marked overdue)
            if left > days || left < -30 {
                continue;
            }
            let link = format!("/xin-loi/{}", c.id);
            if self.reminded_today(&link, today).await? {
                continue;
            }
            let d = parindex_core::text::format_date(c.apology_due);
            let text = if left < 0 {
                Msg::new(
                    format!("Quá hạn xin lỗi: hồ sơ {} ({}) phải có văn bản xin lỗi trước ngày {d}.", c.file_code, c.procedure),
                    format!("Apology overdue: file {} ({}) needed its letter of apology by {d}.", c.file_code, c.procedure),
                )
            } else {
                Msg::new(
                    format!("Nhắc hạn xin lỗi: hồ sơ {} ({}) cần văn bản xin lỗi trước ngày {d}.", c.file_code, c.procedure),
                    format!("Apology due: file {} ({}) needs its letter of apology by {d}.", c.file_code, c.procedure),
                )
            };
            sent += notify(&self.db, Recipients::UnitStaff(c.unit_id), "reminder", &text, &link).await?;
        }
        sent += self.send_plan_and_report_reminders(today, days).await?;
        // a reporting round counts in its fed leaves from the day after its deadline
        self.recompute_reports_after_deadlines(today).await?;
        // a recommendation becomes due, and overdue, as days pass
        self.recompute_inspections_daily(today).await?;
        Ok(sent)
    }

    /// Plans and reports (issue #19), once a day to the unit's staff, from `days` before the
    /// deadline to a month after it: each task not done nor dropped, the unit's yearly plan
    /// not recorded by the office's deadline, each report of an open round not yet sent; and
    /// each inspection recommendation (issue #20) not remedied nor reported.
    async fn send_plan_and_report_reminders(&self, today: NaiveDate, days: i64) -> Result<usize, StoreError> {
        use chrono::Datelike;
        let mut sent = 0;
        let near = |due: NaiveDate| (-30..=days).contains(&(due - today).num_days());
        let word = |due: NaiveDate| if due < today { ("Quá hạn", "Overdue") } else { ("Nhắc hạn", "Due soon") };
        for year in [today.year() - 1, today.year()] {
            let filter = crate::repo::plans::TaskFilter { year, ..Default::default() };
            for t in self.plan_tasks(&filter).await? {
                if matches!(t.status, parindex_core::plans::TaskStatus::Done | parindex_core::plans::TaskStatus::Dropped)
                    || !near(t.deadline)
                {
                    continue;
                }
                let link = format!("/ke-hoach/nhiem-vu/{}", t.id);
                if self.reminded_today(&link, today).await? {
                    continue;
                }
                let (w_vi, w_en) = word(t.deadline);
                let d = parindex_core::text::format_date(t.deadline);
                let text = Msg::new(
                    format!("{w_vi}: nhiệm vụ {} «{}» của kế hoạch CCHC, thời hạn {d}.", t.code, t.title),
                    format!("{w_en}: reform plan task {} «{}», deadline {d}.", t.code, t.title),
                );
                sent += notify(&self.db, Recipients::UnitStaff(t.owner_unit_id), "reminder", &text, &link).await?;
            }
            let (province, plans) = self.plans_of_year(year).await?;
            if let Some(due) = province.and_then(|p| p.unit_plans_due).filter(|d| near(*d)) {
                let have: Vec<String> = plans.iter().filter_map(|p| p.unit_code.clone()).collect();
                let units = crate::entity::unit::Entity::find().all(&self.db).await?;
                for u in units.iter().filter(|u| u.kind != "province" && u.active_to.is_none() && !have.contains(&u.code)) {
                    // one link per unit (what `reminded_today` tells apart); a unit's staff see
                    // their own unit whatever `don_vi` says
                    let key = format!("/ke-hoach?nam={year}&don_vi={}#kh-own", u.code);
                    if self.reminded_today(&key, today).await? {
                        continue;
                    }
                    let (w_vi, w_en) = word(due);
                    let d = parindex_core::text::format_date(due);
                    let text = Msg::new(
                        format!("{w_vi}: kế hoạch CCHC năm {year} của {} phải ban hành trước ngày {d}.", u.name),
                        format!("{w_en}: the {year} reform plan of {} is due by {d}.", u.name),
                    );
                    sent += notify(&self.db, Recipients::UnitStaff(u.id), "reminder", &text, &key).await?;
                }
            }
            for r in self.report_rounds(year).await?.into_iter().filter(|r| !r.closed && near(r.deadline)) {
                for u in self.round_units(&r).await? {
                    if !matches!(
                        u.status,
                        parindex_core::reporting::ReportStatus::Missing
                            | parindex_core::reporting::ReportStatus::Draft
                            | parindex_core::reporting::ReportStatus::Returned
                    ) {
                        continue;
                    }
                    let link = format!("/bao-cao/dot/{}/don-vi/{}", r.id, u.code);
                    if self.reminded_today(&link, today).await? {
                        continue;
                    }
                    let (w_vi, w_en) = word(r.deadline);
                    let d = parindex_core::text::format_date(r.deadline);
                    let text = Msg::new(
                        format!("{w_vi}: {} của {} phải gửi trước ngày {d}.", r.label, u.name),
                        format!("{w_en}: {} of {} is due by {d}.", r.label, u.name),
                    );
                    sent += notify(&self.db, Recipients::UnitStaff(u.unit_id), "reminder", &text, &link).await?;
                }
            }
        }
        // inspections (issue #20): each recommendation still to remedy, near or past its deadline
        for r in self.recommendations_to_remedy(today).await?.into_iter().filter(|r| near(r.deadline)) {
            let link = format!("/kiem-tra/{}#rec-{}", r.inspection_id, r.id);
            if self.reminded_today(&link, today).await? {
                continue;
            }
            let (w_vi, w_en) = word(r.deadline);
            let d = parindex_core::text::format_date(r.deadline);
            let short: String = r.text.chars().take(120).collect();
            let text = Msg::new(
                format!("{w_vi}: kiến nghị sau kiểm tra «{short}» phải khắc phục và báo cáo trước ngày {d}."),
                format!("{w_en}: the inspection recommendation «{short}» is to be remedied and reported by {d}."),
            );
            sent += notify(&self.db, Recipients::UnitStaff(r.owner_unit_id), "reminder", &text, &link).await?;
        }
        Ok(sent)
    }
}
