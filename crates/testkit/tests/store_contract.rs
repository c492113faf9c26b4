//! The repository contract suite: every test runs on SQLite and on PostgreSQL
//! (when `PARINDEX_TEST_DATABASE_URL` is set), each on its own fresh database.

use chrono::NaiveDate;
use parindex_core::unit::{LineageKind, UnitImportRow, UnitInput};
use parindex_core::{Role, UnitScope};
use parindex_store::repo::audit::AuditFilter;
use parindex_store::repo::units::{ImportError, StatusFilter, UnitFilter};
use parindex_store::repo::users::{LoginError, NewUser, UserEdit};
use parindex_store::{AuditCtx, Store, StoreError};
use parindex_testkit::fixture::{self, PASSWORD, unit};
use parindex_testkit::{Backend, TestDb, backend_tests};
use sea_orm::ConnectionTrait;

fn ctx() -> AuditCtx {
    AuditCtx { actor_id: None, actor_name: "tester".into(), ip: Some("10.0.0.1".into()) }
}

async fn fresh(b: Backend) -> (TestDb, Store) {
    let db = TestDb::fresh(b).await;
    let store = db.store().await;
    (db, store)
}

async fn count_units(s: &Store) -> usize {
    s.list_units(UnitScope::All, &UnitFilter { status: StatusFilter::All, ..Default::default() }).await.unwrap().len()
}

async fn count_audit(s: &Store) -> u64 {
    s.list_audit(&AuditFilter::default()).await.unwrap().total
}

fn field_of(e: StoreError) -> Vec<&'static str> {
    match e {
        StoreError::Invalid(f) => f.into_iter().map(|x| x.field).collect(),
        other => panic!("expected Invalid, got {other:?}"),
    }
}

backend_tests!(migrations_are_idempotent, |b| async move {
    let (_db, s) = fresh(b).await;
    s.migrate().await.unwrap();
    assert_eq!(
        s.applied_migrations().await.unwrap(),
        vec![
            "m0001_foundation",
            "m0002_frameworks",
            "m0003_crosswalks",
            "m0004_periods",
            "m0005_evidence",
            "m0006_appraisal",
            "m0007_final_appraisal",
            "m0008_notifications",
            "m0009_notice_email",
            "m0010_assignments",
            "m0011_questionnaires",
            "m0012_surveys",
            "m0013_survey_imports_tokens",
            "m0014_survey_replies",
            "m0015_period_groups",
            "m0016_publications",
            "m0017_adjustments_and_actions",
            "m0018_assessment_reports",
            "m0019_export_jobs",
            "m0020_hardening",
            "m0021_results_version",
            "m0022_approval_decision",
            "m0023_contacts",
            "m0024_survey_publication",
            "m0025_feed_values",
            "m0026_onestop",
            "m0027_apologies",
            "m0028_plans",
            "m0029_reports",
            "m0030_report_months",
            "m0031_inspections",
        ]
    );
    let kinds: Vec<_> = s.unit_kinds().await.unwrap().into_iter().map(|k| k.code).collect();
    assert_eq!(kinds, vec!["agency", "commune", "ward", "district", "province"]);
});

backend_tests!(units_create_list_search_sort, |b| async move {
    let (_db, s) = fresh(b).await;
    for (code, name, kind) in
        [("B", "Sở Đông", "agency"), ("A", "Sở Dương", "agency"), ("C", "UBND xã Ăn", "commune"), ("D", "Sở An", "agency")]
    {
        s.create_unit(&ctx(), unit(code, name, kind)).await.unwrap();
    }
    let all = s.list_units(UnitScope::All, &UnitFilter::default()).await.unwrap();
    let names: Vec<_> = all.iter().map(|u| u.name.as_str()).collect();
    assert_eq!(names, vec!["Sở An", "Sở Dương", "Sở Đông", "UBND xã Ăn"], "Vietnamese order");
    let hit = s.list_units(UnitScope::All, &UnitFilter { q: Some("so dong".into()), ..Default::default() }).await.unwrap();
    assert_eq!(hit.len(), 1);
    assert_eq!(hit[0].code, "B");
    let communes = s.list_units(UnitScope::All, &UnitFilter { kind: Some("commune".into()), ..Default::default() }).await.unwrap();
    assert_eq!(communes.len(), 1);
    let only = s.list_units(UnitScope::Only(all[0].id), &UnitFilter::default()).await.unwrap();
    assert_eq!(only.len(), 1);
    assert!(s.list_units(UnitScope::Nothing, &UnitFilter::default()).await.unwrap().is_empty());
});

backend_tests!(units_refuse_bad_references, |b| async move {
    let (_db, s) = fresh(b).await;
    s.create_unit(&ctx(), unit("P", "Tỉnh", "province")).await.unwrap();
    let dup = s.create_unit(&ctx(), unit("p", "Khác", "province")).await.unwrap_err();
    assert_eq!(field_of(dup), vec!["code"]);
    let kind = s.create_unit(&ctx(), unit("Q", "Q", "galaxy")).await.unwrap_err();
    assert_eq!(field_of(kind), vec!["kind"]);
    let parent = s.create_unit(&ctx(), UnitInput { parent_code: Some("NOPE".into()), ..unit("R", "R", "agency") }).await.unwrap_err();
    assert_eq!(field_of(parent), vec!["parent_code"]);
    // a loop: P's parent becomes its own child
    let child = s.create_unit(&ctx(), UnitInput { parent_code: Some("P".into()), ..unit("S", "S", "agency") }).await.unwrap();
    let p_id = s.unit_id_by_code("P").await.unwrap().unwrap();
    let cyc = s
        .update_unit(&ctx(), p_id, UnitInput { parent_code: Some(child.code.clone()), ..unit("P", "Tỉnh", "province") })
        .await
        .unwrap_err();
    assert_eq!(field_of(cyc), vec!["parent_code"]);
    assert_eq!(count_units(&s).await, 2, "refused writes leave nothing behind");
});

backend_tests!(unit_update_deactivate_and_audit, |b| async move {
    let (_db, s) = fresh(b).await;
    let from = NaiveDate::from_ymd_opt(2025, 7, 1);
    let u = s
        .create_unit(&ctx(), UnitInput { active_from: from, area: Some("Vùng 1".into()), ..unit("X1", "UBND xã Một", "commune") })
        .await
        .unwrap();
    assert_eq!(u.active_from, from, "dates round-trip");
    let audits = count_audit(&s).await;
    // unchanged update writes no audit entry
    s.update_unit(&ctx(), u.id, UnitInput { active_from: from, area: Some("Vùng 1".into()), ..unit("X1", "UBND xã Một", "commune") })
        .await
        .unwrap();
    assert_eq!(count_audit(&s).await, audits);
    let u2 = s.update_unit(&ctx(), u.id, UnitInput { active_from: from, ..unit("X1", "UBND xã Một Mới", "commune") }).await.unwrap();
    assert_eq!(u2.name, "UBND xã Một Mới");
    let page = s.list_audit(&AuditFilter { action: Some("unit.update".into()), ..Default::default() }).await.unwrap();
    assert_eq!(page.total, 1);
    let e = &page.entries[0];
    assert_eq!(e.actor_name, "tester");
    assert_eq!(e.ip.as_deref(), Some("10.0.0.1"));
    assert!(e.before_json.as_deref().unwrap().contains("UBND xã Một\""));
    assert!(e.after_json.as_deref().unwrap().contains("UBND xã Một Mới"));
    let ended = NaiveDate::from_ymd_opt(2026, 1, 31);
    let off = s.set_unit_active(&ctx(), u.id, false, ended, Some("sáp nhập".into())).await.unwrap();
    assert!(!off.active);
    assert_eq!(off.active_to, ended);
    assert!(s.list_units(UnitScope::All, &UnitFilter::default()).await.unwrap().is_empty());
    assert_eq!(s.list_units(UnitScope::All, &UnitFilter { status: StatusFilter::Inactive, ..Default::default() }).await.unwrap().len(), 1);
    let on = s.set_unit_active(&ctx(), u.id, true, None, None).await.unwrap();
    assert!(on.active && on.active_to.is_none());
    let deact = s.list_audit(&AuditFilter { action: Some("unit.deactivate".into()), ..Default::default() }).await.unwrap();
    assert_eq!(deact.entries[0].reason.as_deref(), Some("sáp nhập"));
});

backend_tests!(lineage_links_both_ways, |b| async move {
    let (_db, s) = fresh(b).await;
    let old1 = s.create_unit(&ctx(), unit("OLD1", "Xã Cũ Một", "commune")).await.unwrap();
    let old2 = s.create_unit(&ctx(), unit("OLD2", "Xã Cũ Hai", "commune")).await.unwrap();
    let new = s.create_unit(&ctx(), unit("NEW", "Xã Mới", "commune")).await.unwrap();
    let on = NaiveDate::from_ymd_opt(2025, 7, 1);
    s.add_lineage(&ctx(), old1.id, new.id, LineageKind::MergedInto, on).await.unwrap();
    s.add_lineage(&ctx(), old2.id, new.id, LineageKind::MergedInto, on).await.unwrap();
    assert!(s.add_lineage(&ctx(), new.id, new.id, LineageKind::MergedInto, on).await.is_err());
    assert!(s.add_lineage(&ctx(), old1.id, new.id, LineageKind::MergedInto, on).await.is_err(), "a link is recorded once");
    let d = s.get_unit(new.id).await.unwrap();
    let mut preds: Vec<_> = d.predecessors.iter().map(|l| l.unit_code.as_str()).collect();
    preds.sort();
    assert_eq!(preds, vec!["OLD1", "OLD2"]);
    assert_eq!(d.predecessors[0].effective_on, on);
    assert_eq!(s.get_unit(old1.id).await.unwrap().successors[0].unit_code, "NEW");
});

backend_tests!(contacts_are_checked_kept_and_audited, |b| async move {
    use parindex_core::unit::Contact;
    use parindex_store::repo::settings::OfficeContact;
    let (_db, s) = fresh(b).await;
    fixture::seed(&s).await;
    // a unit's contact: checked, stored, kept by an import that has no contact columns
    let ua = s.unit_id_by_code("UA").await.unwrap().unwrap();
    let bad = Contact { person: Some("Lê An".into()), phone: Some("gọi tôi".into()), email: Some("an@".into()) };
    let e = s.update_unit(&ctx(), ua, UnitInput { contact: Some(bad), ..unit("UA", "Sở Alpha", "agency") }).await.unwrap_err();
    assert_eq!(field_of(e), vec!["contact_phone", "contact_email"]);
    let good = Contact { person: Some(" Lê  An ".into()), phone: Some("0212 3852 111".into()), email: Some("an@ua.example.vn".into()) };
    let u = s.update_unit(&ctx(), ua, UnitInput { contact: Some(good), ..unit("UA", "Sở Alpha", "agency") }).await.unwrap();
    assert_eq!(u.contact.person.as_deref(), Some("Lê An"));
    s.import_units(&ctx(), "lai.csv", vec![row(2, "UA", "Sở Alpha mới", "agency", None)], &mut |_, _| {}).await.unwrap();
    let after = s.get_unit(ua).await.unwrap().unit;
    assert_eq!(
        (after.name.as_str(), after.contact.phone.as_deref()),
        ("Sở Alpha mới", Some("0212 3852 111")),
        "the import kept the contact"
    );
    // a user's phone: checked like a unit's
    let edit = |phone: &str| UserEdit {
        full_name: "Người dùng admin".into(),
        email: Some("admin@snv.example.vn".into()),
        phone: Some(phone.into()),
        role: Role::Admin,
        unit_id: None,
    };
    assert_eq!(field_of(s.update_user(&ctx(), "admin", edit("12")).await.unwrap_err()), vec!["phone"]);
    assert_eq!(s.update_user(&ctx(), "admin", edit("0212 3856 101")).await.unwrap().phone.as_deref(), Some("0212 3856 101"));
    // the office's contact: empty until set; every problem named; written once, audited
    assert!(s.office_contact().await.unwrap().is_empty());
    let office = OfficeContact {
        name: Some("Phòng CCHC".into()),
        phone: Some("0212 3852 000".into()),
        email: Some("cchc@snv.example.vn".into()),
        address: None,
        hours: Some("  ".into()),
    };
    let e = s.set_office_contact(&ctx(), OfficeContact { phone: Some("x".into()), email: Some("y".into()), ..office.clone() }).await;
    assert_eq!(field_of(e.unwrap_err()), vec!["phone", "email"]);
    assert!(s.office_contact().await.unwrap().is_empty(), "a refused save writes nothing");
    s.set_office_contact(&ctx(), office.clone()).await.unwrap();
    let read = s.office_contact().await.unwrap();
    assert_eq!((read.phone.as_deref(), read.hours), (Some("0212 3852 000"), None));
    s.set_office_contact(&ctx(), office.clone()).await.unwrap();
    let page = s.list_audit(&AuditFilter { action: Some("settings.office".into()), ..Default::default() }).await.unwrap();
    assert_eq!(page.total, 1, "saving the same contact again writes no second entry");
    s.set_office_contact(&ctx(), OfficeContact { name: None, ..office }).await.unwrap();
    assert_eq!(s.office_contact().await.unwrap().name, None, "a cleared field is gone");
});

fn row(n: usize, code: &str, name: &str, kind: &str, parent: Option<&str>) -> UnitImportRow {
    UnitImportRow {
        row: n,
        input: UnitInput { parent_code: parent.map(Into::into), ..unit(code, name, kind) },
        merged_from: vec![],
        split_from: None,
    }
}

backend_tests!(import_writes_all_or_nothing, |b| async move {
    let (_db, s) = fresh(b).await;
    s.create_unit(&ctx(), unit("T", "Tỉnh Thử", "province")).await.unwrap();
    s.create_unit(&ctx(), unit("OLD", "Xã Cũ", "commune")).await.unwrap();
    let before_units = count_units(&s).await;
    let before_audit = count_audit(&s).await;
    // one good row, then problems: duplicate code, unknown kind, unknown parent, loop
    let bad = vec![
        row(2, "A", "Sở A", "agency", Some("T")),
        row(3, "A", "Sở A lặp", "agency", None),
        row(4, "B", "Sở B", "planet", None),
        row(5, "C", "Sở C", "agency", Some("ZZZ")),
        row(6, "D", "Sở D", "agency", Some("E")),
        row(7, "E", "Sở E", "agency", Some("D")),
    ];
    let Err(ImportError::Rows(errs)) = s.import_units(&ctx(), "bad.csv", bad, &mut |_, _| {}).await else { panic!("expected row errors") };
    let got: Vec<_> = errs.iter().map(|e| (e.row, e.field.as_str())).collect();
    assert_eq!(got, vec![(3, "code"), (4, "kind"), (5, "parent_code"), (6, "parent_code"), (7, "parent_code")]);
    assert_eq!(count_units(&s).await, before_units, "nothing written");
    assert_eq!(count_audit(&s).await, before_audit, "no audit either");

    let mut good = vec![
        row(2, "X2", "UBND xã Hai", "commune", Some("X1")), // parent defined later in the file
        row(3, "X1", "UBND xã Một", "commune", Some("T")),
        row(4, "T", "Tỉnh Thử (đổi tên)", "province", None),
    ];
    good[1].merged_from = vec!["old".into()];
    let mut calls = 0;
    let out = s.import_units(&ctx(), "good.csv", good.clone(), &mut |_, _| calls += 1).await.unwrap();
    assert_eq!((out.created, out.updated, out.unchanged, out.lineage_links), (2, 1, 0, 1));
    assert_eq!(calls, 3);
    let x2 = s.get_unit(s.unit_id_by_code("X2").await.unwrap().unwrap()).await.unwrap();
    assert_eq!(x2.unit.parent_code.as_deref(), Some("X1"));
    let x1 = s.get_unit(s.unit_id_by_code("X1").await.unwrap().unwrap()).await.unwrap();
    assert_eq!(x1.predecessors[0].unit_code, "OLD");
    // the same file again changes nothing
    let again = s.import_units(&ctx(), "good.csv", good, &mut |_, _| {}).await.unwrap();
    assert_eq!((again.created, again.updated, again.unchanged, again.lineage_links), (0, 0, 3, 0));
    assert!(matches!(s.import_units(&ctx(), "empty.csv", vec![], &mut |_, _| {}).await, Err(ImportError::Rows(_))));
});

backend_tests!(audit_log_is_append_only, |b| async move {
    let (_db, s) = fresh(b).await;
    s.create_unit(&ctx(), unit("A", "Sở A", "agency")).await.unwrap();
    assert!(s.db.execute_unprepared("UPDATE audit_log SET actor_name = 'x'").await.is_err());
    assert!(s.db.execute_unprepared("DELETE FROM audit_log").await.is_err());
    assert_eq!(count_audit(&s).await, 1);
});

backend_tests!(audit_filters, |b| async move {
    let (_db, s) = fresh(b).await;
    let other = AuditCtx { actor_id: None, actor_name: "someone".into(), ip: None };
    s.create_unit(&ctx(), unit("A", "Sở A", "agency")).await.unwrap();
    s.create_unit(&other, unit("B", "Sở B", "agency")).await.unwrap();
    let by_actor = s.list_audit(&AuditFilter { actor: Some("someone".into()), ..Default::default() }).await.unwrap();
    assert_eq!(by_actor.total, 1);
    assert_eq!(by_actor.entries[0].object_id.as_deref(), Some("B"));
    let by_object =
        s.list_audit(&AuditFilter { object_type: Some("unit".into()), object_id: Some("A".into()), ..Default::default() }).await.unwrap();
    assert_eq!(by_object.total, 1);
    let today = chrono::Utc::now().date_naive();
    let dated = s.list_audit(&AuditFilter { from: Some(today), to: Some(today), ..Default::default() }).await.unwrap();
    assert_eq!(dated.total, 2);
    let future = s.list_audit(&AuditFilter { from: today.succ_opt(), ..Default::default() }).await.unwrap();
    assert_eq!(future.total, 0);
    let paged = s.list_audit(&AuditFilter { limit: 1, offset: 1, ..Default::default() }).await.unwrap();
    assert_eq!((paged.total, paged.entries.len()), (2, 1));
    assert_eq!(paged.entries[0].object_id.as_deref(), Some("A"), "newest first");
    assert_eq!(s.audit_actions().await.unwrap(), vec!["unit.create"]);
});

backend_tests!(users_sessions_and_lockout, |b| async move {
    let (_db, s) = fresh(b).await;
    fixture::seed(&s).await;
    // creation rules
    let dup = s
        .create_user(
            &ctx(),
            NewUser {
                username: "ADMIN".into(),
                full_name: "X".into(),
                email: None,
                phone: None,
                role: Role::Viewer,
                unit_id: None,
                password: PASSWORD.into(),
            },
        )
        .await;
    assert!(matches!(dup, Err(StoreError::Conflict(_))));
    let no_unit = s
        .create_user(
            &ctx(),
            NewUser {
                username: "o22".into(),
                full_name: "X".into(),
                email: None,
                phone: None,
                role: Role::UnitOfficer,
                unit_id: None,
                password: PASSWORD.into(),
            },
        )
        .await;
    assert_eq!(field_of(no_unit.unwrap_err()), vec!["unit"]);
    let weak = s
        .create_user(
            &ctx(),
            NewUser {
                username: "w11".into(),
                full_name: "X".into(),
                email: None,
                phone: None,
                role: Role::Viewer,
                unit_id: None,
                password: "short".into(),
            },
        )
        .await;
    assert_eq!(field_of(weak.unwrap_err()), vec!["password"]);

    // sign-in and session
    let (secret, actor) = s.login("Officer.A", PASSWORD, Some("1.2.3.4".into()), None).await.unwrap().unwrap();
    assert_eq!(actor.role, Role::UnitOfficer);
    assert_eq!(actor.unit_id, s.unit_id_by_code("UA").await.unwrap());
    assert_eq!(s.session_actor(&secret).await.unwrap().unwrap().0, actor);
    assert!(s.session_actor("forged").await.unwrap().is_none());
    s.logout(&secret).await.unwrap();
    assert!(s.session_actor(&secret).await.unwrap().is_none());
    // a session used all the time still ends 12 hours after sign-in (issue #15)
    let (long, _) = s.login("officer.a", PASSWORD, None, None).await.unwrap().unwrap();
    assert!(s.session_actor(&long).await.unwrap().is_some());
    {
        use parindex_store::entity::session;
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        let signed_in = chrono::Utc::now() - parindex_store::repo::users::SESSION_MAX - chrono::Duration::minutes(1);
        session::Entity::update_many()
            .col_expr(session::Column::CreatedAt, sea_orm::sea_query::Expr::value(signed_in))
            .col_expr(session::Column::LastSeenAt, sea_orm::sea_query::Expr::value(chrono::Utc::now()))
            .filter(session::Column::UserId.eq(actor.user_id))
            .exec(&s.db)
            .await
            .unwrap();
    }
    assert!(s.session_actor(&long).await.unwrap().is_none(), "past its absolute lifetime");
    assert_eq!(s.login("nobody", PASSWORD, None, None).await.unwrap().unwrap_err(), LoginError::Invalid);

    // issue #15: repeated failures are counted and audited but lock nobody out (throttling is
    // per account and address, in the web layer): the right password still works
    for _ in 0..20 {
        assert_eq!(s.login("viewer", "wrong-password", None, None).await.unwrap().unwrap_err(), LoginError::Invalid);
    }
    assert!(s.login("viewer", PASSWORD, None, None).await.unwrap().is_ok());
    assert_eq!(s.list_audit(&AuditFilter { action: Some("auth.login_failed".into()), ..Default::default() }).await.unwrap().total, 20);
    // an administrator's password reset ends sessions
    let (sec2, _) = s.login("council", PASSWORD, None, None).await.unwrap().unwrap();
    s.set_password(&ctx(), "viewer", "mat-khau-moi-123").await.unwrap();
    s.set_password(&ctx(), "council", "mat-khau-moi-123").await.unwrap();
    assert!(s.session_actor(&sec2).await.unwrap().is_none());
    assert!(s.login("viewer", "mat-khau-moi-123", None, None).await.unwrap().is_ok());

    // disabled users cannot sign in, their sessions and tokens stop working
    let (sec3, _) = s.login("officer.b", PASSWORD, None, None).await.unwrap().unwrap();
    let token = s.create_token(&ctx(), "officer.b", "t").await.unwrap();
    assert_eq!(s.token_actor(&token).await.unwrap().unwrap().username, "officer.b");
    s.set_user_disabled(&ctx(), "officer.b", true).await.unwrap();
    assert!(s.session_actor(&sec3).await.unwrap().is_none());
    assert!(s.token_actor(&token).await.unwrap().is_none());
    assert_eq!(s.login("officer.b", PASSWORD, None, None).await.unwrap().unwrap_err(), LoginError::Disabled);
    s.set_user_disabled(&ctx(), "officer.b", false).await.unwrap();
    assert!(s.token_actor(&token).await.unwrap().is_some());
    assert!(s.token_actor("pxt_forged").await.unwrap().is_none());

    // tokens: listed, revoked by their owner only (or an administrator), expiring, and ended
    // by an administrator's password reset — not by the user's own change
    let b_id = s.get_user_by_name("officer.b").await.unwrap().id;
    let a_id = s.get_user_by_name("officer.a").await.unwrap().id;
    let list = s.list_tokens(Some(b_id)).await.unwrap();
    assert_eq!((list.len(), list[0].name.as_str(), list[0].revoked_at.is_none()), (1, "t", true));
    assert!(matches!(s.revoke_token(&ctx(), list[0].id, Some(a_id)).await, Err(StoreError::NotFound)), "another user's token");
    assert!(s.token_actor(&token).await.unwrap().is_some());
    assert!(s.revoke_token(&ctx(), list[0].id, Some(b_id)).await.unwrap().revoked_at.is_some());
    assert!(s.token_actor(&token).await.unwrap().is_none());
    assert!(s.revoke_token(&ctx(), list[0].id, None).await.unwrap().revoked_at.is_some(), "twice is harmless");
    let soon = s.create_token_until(&ctx(), "officer.b", "soon", Some(chrono::Utc::now() + chrono::Duration::hours(1))).await.unwrap();
    assert!(s.token_actor(&soon).await.unwrap().is_some());
    assert!(s.create_token_until(&ctx(), "officer.b", "past", Some(chrono::Utc::now() - chrono::Duration::hours(1))).await.is_err());
    let own_ctx = AuditCtx { actor_id: Some(b_id), actor_name: "officer.b".into(), ip: None };
    s.set_password(&own_ctx, "officer.b", "mat-khau-cua-toi-1").await.unwrap();
    assert!(s.token_actor(&soon).await.unwrap().is_some(), "the user's own change keeps tokens");
    s.set_password(&ctx(), "officer.b", "mat-khau-dat-lai-2").await.unwrap();
    assert!(s.token_actor(&soon).await.unwrap().is_none(), "an administrator's reset ends them");

    // the last enabled administrator can be neither demoted nor disabled
    let admins: Vec<_> = s.list_users().await.unwrap().into_iter().filter(|u| u.role == "admin" && !u.disabled).collect();
    for extra in &admins[1..] {
        s.set_user_disabled(&ctx(), &extra.username, true).await.unwrap();
    }
    let last = &admins[0];
    assert_eq!(field_of(s.set_user_disabled(&ctx(), &last.username, true).await.unwrap_err()), vec!["role"]);
    let demote = UserEdit { full_name: last.full_name.clone(), email: None, phone: None, role: Role::Viewer, unit_id: None };
    assert_eq!(field_of(s.update_user(&ctx(), &last.username, demote).await.unwrap_err()), vec!["role"]);
    assert_eq!(s.get_user_by_name(&last.username).await.unwrap().role, "admin", "nothing changed");
    for extra in &admins[1..] {
        s.set_user_disabled(&ctx(), &extra.username, false).await.unwrap();
    }
    let users = s.list_users().await.unwrap();
    assert_eq!(users.len(), fixture::USERS.len());
    assert_eq!(users.iter().find(|u| u.username == "officer.a").unwrap().unit_code.as_deref(), Some("UA"));
});

backend_tests!(backup_copies_sqlite_only, |b| async move {
    let (_db, s) = fresh(b).await;
    s.create_unit(&ctx(), unit("A", "Sở A", "agency")).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("copy.db");
    match b {
        Backend::Sqlite => {
            s.backup_to(&target).await.unwrap();
            let copy = Store::connect(&format!("sqlite://{}", target.display())).await.unwrap();
            assert_eq!(count_units(&copy).await, 1);
            assert!(matches!(s.backup_to(&target).await, Err(StoreError::Conflict(_))), "never overwrites");
        }
        Backend::Postgres => assert!(matches!(s.backup_to(&target).await, Err(StoreError::Unsupported(_)))),
    }
});

backend_tests!(sqlite_runs_in_wal_with_foreign_keys, |b| async move {
    let (_db, s) = fresh(b).await;
    if b == Backend::Sqlite {
        use sea_orm::{DbBackend, Statement};
        let q = |sql: &str| Statement::from_string(DbBackend::Sqlite, sql.to_string());
        let mode = s.db.query_one_raw(q("PRAGMA journal_mode")).await.unwrap().unwrap();
        assert_eq!(mode.try_get_by_index::<String>(0).unwrap(), "wal");
        let fk = s.db.query_one_raw(q("PRAGMA foreign_keys")).await.unwrap().unwrap();
        assert_eq!(fk.try_get_by_index::<i32>(0).unwrap(), 1);
    }
    // foreign keys hold on both backends: a unit of an unknown kind cannot be written directly
    let bad = s.db.execute_unprepared(
        "INSERT INTO units (code, name, kind, active, created_at, updated_at) VALUES ('Z', 'Z', 'nope', true, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
    );
    assert!(bad.await.is_err());
});

const HAND: &str = include_str!("../../../frameworks/examples/hand-computed.yaml");
const AGENCY: &str = include_str!("../../../frameworks/samples/agency-2026.yaml");

backend_tests!(frameworks_import_publish_version_round_trip, |b| async move {
    use parindex_core::framework::Status;
    use parindex_reports::framework::{framework_to_yaml, parse_framework};
    let (_db, s) = fresh(b).await;
    let fw = parse_framework("agency-2026.yaml", AGENCY).unwrap();
    let row = s.import_framework(&ctx(), fw.clone(), "agency-2026.yaml").await.unwrap();
    assert_eq!((row.leaves, row.max_total.as_str(), row.status.as_str()), (44, "100", "draft"));
    // text → database → text is lossless
    let (_, back) = s.get_framework("MAU-SO-2026").await.unwrap();
    assert_eq!(back, fw);
    assert_eq!(framework_to_yaml(&back), framework_to_yaml(&fw));
    let nodes = s.framework_nodes("MAU-SO-2026").await.unwrap();
    assert_eq!(nodes.len(), fw.walk().len());
    let d3 = nodes.iter().find(|n| n.code == "3").unwrap();
    assert_eq!((d3.max_points.as_str(), d3.is_leaf, d3.appraiser.as_deref()), ("13", false, Some("VP-UBND")));
    let leaf = nodes.iter().find(|n| n.code == "3.3.1").unwrap();
    assert_eq!(leaf.parent_position, Some(nodes.iter().find(|n| n.code == "3.3").unwrap().position));
    assert_eq!(leaf.rule_kind.as_deref(), Some("proportional"));
    // a draft may be replaced; after publishing it is immutable
    let mut edited = fw.clone();
    edited.name = "Tên mới".into();
    s.import_framework(&ctx(), edited, "again.yaml").await.unwrap();
    assert_eq!(s.get_framework("MAU-SO-2026").await.unwrap().1.name, "Tên mới");
    s.set_framework_status(&ctx(), "MAU-SO-2026", Status::Published).await.unwrap();
    assert!(matches!(s.import_framework(&ctx(), fw.clone(), "x").await, Err(StoreError::Conflict(_))));
    assert!(matches!(s.set_framework_status(&ctx(), "MAU-SO-2026", Status::Published).await, Err(StoreError::Conflict(_))));
    assert_eq!(s.get_framework("MAU-SO-2026").await.unwrap().1.status, Status::Published);
    // new version from: a draft copy that remembers where it came from
    let v2 = s.new_framework_version(&ctx(), "MAU-SO-2026", "MAU-SO-2027", Some("Bộ chỉ số 2027".into())).await.unwrap();
    assert_eq!((v2.status.as_str(), v2.derived_from.as_deref()), ("draft", Some("MAU-SO-2026")));
    assert!(matches!(s.new_framework_version(&ctx(), "MAU-SO-2026", "MAU-SO-2027", None).await, Err(StoreError::Conflict(_))));
    // invalid frameworks never reach the database
    let mut broken = parse_framework("h.yaml", HAND).unwrap();
    broken.code = "HONG".into();
    broken.total = Some(parindex_core::Exact::int(99));
    assert!(matches!(s.import_framework(&ctx(), broken, "h").await, Err(StoreError::InvalidFramework(p)) if p.len() == 1));
    assert!(matches!(s.get_framework("HONG").await, Err(StoreError::NotFound)));
    let list: Vec<_> = s.list_frameworks().await.unwrap().into_iter().map(|r| r.code).collect();
    assert_eq!(list, vec!["MAU-SO-2026", "MAU-SO-2027"]);
    let audit = s.list_audit(&AuditFilter { object_type: Some("framework".into()), ..Default::default() }).await.unwrap();
    let actions: Vec<_> = audit.entries.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, vec!["framework.import", "framework.publish", "framework.replace_draft", "framework.import"]);
});

backend_tests!(framework_draft_edits_keep_problems_until_publish, |b| async move {
    use parindex_core::framework::{Status, edit};
    use parindex_reports::framework::parse_framework;
    let (_db, s) = fresh(b).await;
    let fw = parse_framework("h.yaml", HAND).unwrap();
    s.import_framework(&ctx(), fw.clone(), "h.yaml").await.unwrap();
    // a leaf moved under another domain and its maximum raised: the total no longer matches
    let mut draft = fw.clone();
    edit::set_parent(&mut draft, "2.3", "1").unwrap();
    edit::node_mut(&mut draft, "2.3").unwrap().max = Some(parindex_core::Exact::int(3));
    let row = s.save_framework_draft(&ctx(), &fw.code, draft.clone(), "node.update 2.3").await.unwrap();
    assert_eq!(row.max_total, "12");
    let (_, back) = s.get_framework(&fw.code).await.unwrap();
    assert_eq!(back, draft);
    assert_eq!(edit::parent_of(&back, "2.3").unwrap(), "1");
    let nodes = s.framework_nodes(&fw.code).await.unwrap();
    assert_eq!(nodes.iter().find(|n| n.code == "1").unwrap().max_points, "7", "node rows follow the edit");
    // publishing lists the problem; nothing changes
    assert!(
        matches!(s.set_framework_status(&ctx(), &fw.code, Status::Published).await, Err(StoreError::InvalidFramework(p)) if !p.is_empty())
    );
    // a repeated code is refused at once, and so is another framework code
    let mut dup = draft.clone();
    edit::node_mut(&mut dup, "2.1").unwrap().code = "1.1".into();
    assert!(
        matches!(s.save_framework_draft(&ctx(), &fw.code, dup, "x").await, Err(StoreError::Invalid(f)) if f[0].message.en.contains("“1.1”"))
    );
    let mut renamed = draft.clone();
    renamed.code = "KHAC".into();
    assert!(s.save_framework_draft(&ctx(), &fw.code, renamed, "x").await.is_err());
    // fixed → publishable; a published framework is never edited
    edit::node_mut(&mut draft, "2.3").unwrap().max = Some(parindex_core::Exact::int(1));
    s.save_framework_draft(&ctx(), &fw.code, draft.clone(), "node.update 2.3").await.unwrap();
    s.set_framework_status(&ctx(), &fw.code, Status::Published).await.unwrap();
    assert!(matches!(s.save_framework_draft(&ctx(), &fw.code, draft, "x").await, Err(StoreError::Conflict(_))));
    let audit = s.list_audit(&AuditFilter { object_type: Some("framework".into()), ..Default::default() }).await.unwrap();
    let edits: Vec<_> = audit.entries.iter().filter(|e| e.action == "framework.edit").filter_map(|e| e.reason.clone()).collect();
    assert_eq!(edits, vec!["node.update 2.3", "node.update 2.3"]);
});

backend_tests!(crosswalks_are_confirmed_and_checked, |b| async move {
    use parindex_core::framework::crosswalk::{Crosswalk, propose};
    use parindex_reports::framework::parse_framework;
    let (_db, s) = fresh(b).await;
    let old = parse_framework("h.yaml", HAND).unwrap();
    s.import_framework(&ctx(), old.clone(), "h.yaml").await.unwrap();
    s.new_framework_version(&ctx(), &old.code, "VD-2027", None).await.unwrap();
    let (_, new) = s.get_framework("VD-2027").await.unwrap();
    assert!(s.get_crosswalk(&old.code, "VD-2027").await.unwrap().is_none(), "nothing until a person confirms");
    let mut cw = propose(&old, &new);
    // 2.2 and 2.3 were merged into 2.2 in the new version
    cw.map.insert("2.3".into(), vec!["2.2".into()]);
    let stored = s.save_crosswalk(&ctx(), cw.clone()).await.unwrap();
    assert_eq!(stored.crosswalk, cw);
    assert_eq!(stored.confirmed_by, "tester");
    assert_eq!(s.get_crosswalk(&old.code, "VD-2027").await.unwrap().unwrap().crosswalk, cw);
    // unknown codes on either side are refused, each named; the confirmed one stays
    let mut bad = cw.clone();
    bad.map.insert("9.9".into(), vec!["1.1".into()]);
    bad.map.insert("1.1".into(), vec!["7.7".into()]);
    let e = s.save_crosswalk(&ctx(), bad).await.unwrap_err();
    assert!(matches!(&e, StoreError::InvalidFramework(p) if p.len() == 2), "{e:?}");
    assert_eq!(s.get_crosswalk(&old.code, "VD-2027").await.unwrap().unwrap().crosswalk, cw);
    // replaced on a second confirmation
    let mut again = cw.clone();
    again.map.remove("3.2");
    s.save_crosswalk(&ctx(), again.clone()).await.unwrap();
    assert_eq!(s.get_crosswalk(&old.code, "VD-2027").await.unwrap().unwrap().crosswalk.map.len(), again.map.len());
    let same = Crosswalk { from: old.code.clone(), to: old.code.clone(), map: Default::default() };
    assert!(s.save_crosswalk(&ctx(), same).await.is_err());
});

backend_tests!(periods_open_assessments_and_self_scores, |b| async move {
    use chrono::NaiveDate;
    use parindex_core::framework::{Input, Status};
    use parindex_reports::framework::parse_framework;
    use parindex_store::repo::periods::{EntryInput, PeriodInput};
    let (_db, s) = fresh(b).await;
    for (code, name, kind) in
        [("SA", "Sở A", "agency"), ("SB", "Sở B", "agency"), ("XA", "UBND xã A", "commune"), ("TINH", "Tỉnh", "province")]
    {
        s.create_unit(&ctx(), unit(code, name, kind)).await.unwrap();
    }
    let fw = parse_framework("h.yaml", HAND).unwrap();
    s.import_framework(&ctx(), fw.clone(), "h.yaml").await.unwrap();
    let day = |m: u32, d: u32| NaiveDate::from_ymd_opt(2026, m, d);
    let input = PeriodInput {
        code: "2026".into(),
        name: "Đánh giá năm 2026".into(),
        year: 2026,
        framework_code: fw.code.clone(),
        self_due: day(12, 15),
        appraisal_due: day(12, 10),
        ..Default::default()
    };
    // a draft framework and deadlines out of order are refused, every field named; nothing written
    let e = s.create_period(&ctx(), input.clone()).await.unwrap_err();
    assert_eq!(field_of(e), vec!["framework", "deadlines"]);
    assert!(s.list_periods().await.unwrap().is_empty());
    s.set_framework_status(&ctx(), &fw.code, Status::Published).await.unwrap();
    let e = s
        .create_period(&ctx(), PeriodInput { unit_codes: vec!["SA".into(), "NOPE".into()], appraisal_due: day(12, 20), ..input.clone() })
        .await
        .unwrap_err();
    assert_eq!(field_of(e), vec!["units"]);
    // by kind: the framework's kinds (agency, commune), not the province
    let p = s.create_period(&ctx(), PeriodInput { appraisal_due: day(12, 20), ..input.clone() }).await.unwrap();
    assert_eq!((p.units, p.states.get("draft").copied()), (3, Some(3)));
    assert!(
        matches!(s.create_period(&ctx(), PeriodInput { appraisal_due: day(12, 20), ..input.clone() }).await, Err(StoreError::Invalid(_))),
        "code reused"
    );
    let list = s.list_assessments(p.id, parindex_core::UnitScope::All).await.unwrap();
    let names: Vec<_> = list.iter().map(|a| a.unit_name.as_str()).collect();
    assert_eq!(names, vec!["Sở A", "Sở B", "UBND xã A"]);
    let sa = list.iter().find(|a| a.unit_code == "SA").unwrap().clone();
    let xa = list.iter().find(|a| a.unit_code == "XA").unwrap().clone();
    // 3.1 is survey-sourced and 2.1 imported: not the unit's; 3.2 only for communes
    assert_eq!((sa.to_do, xa.to_do), (5, 6));
    let only = s.list_assessments(p.id, parindex_core::UnitScope::Only(sa.unit_id)).await.unwrap();
    assert_eq!(only.len(), 1);

    let today = day(12, 1).unwrap();
    let yes = |b: bool| Some(Input { yes: Some(b), ..Default::default() });
    let saved = s.save_entry(&ctx(), sa.id, "1.2", EntryInput { input: yes(true), version: 0, ..Default::default() }, today).await.unwrap();
    assert_eq!((saved.version, saved.points.clone()), (1, Some(parindex_core::Exact::int(1))));
    // a second tab still holding version 0 is told, not obeyed
    let e =
        s.save_entry(&ctx(), sa.id, "1.2", EntryInput { input: yes(false), version: 0, ..Default::default() }, today).await.unwrap_err();
    assert!(matches!(&e, StoreError::Conflict(m) if m.vi.contains("vừa được tester lưu")), "{e:?}");
    assert_eq!(s.get_assessment(sa.id).await.unwrap().entries["1.2"].input, yes(true));
    // an input the rule refuses, a leaf that is not the unit's, and after the deadline
    let bad = Some(Input { percent: Some(parindex_core::Exact::int(120)), ..Default::default() });
    assert!(matches!(
        s.save_entry(&ctx(), sa.id, "1.3", EntryInput { input: bad, ..Default::default() }, today).await,
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        s.save_entry(&ctx(), sa.id, "3.1", EntryInput { input: yes(true), ..Default::default() }, today).await,
        Err(StoreError::Invalid(_))
    ));
    assert!(
        matches!(
            s.save_entry(&ctx(), sa.id, "3.2", EntryInput { input: yes(true), ..Default::default() }, today).await,
            Err(StoreError::Invalid(_))
        ),
        "3.2 is for communes"
    );
    let late = day(12, 16).unwrap();
    assert!(
        matches!(s.save_entry(&ctx(), sa.id, "1.2", EntryInput { input: yes(false), version: 1, ..Default::default() }, late).await, Err(StoreError::Conflict(m)) if m.vi.contains("15/12/2026"))
    );
    // submitting needs every leaf
    let e = s.submit_assessment(&ctx(), sa.id, today).await.unwrap_err();
    assert!(matches!(&e, StoreError::Invalid(f) if f[0].message.vi.contains("Còn 4 tiêu chí chưa chấm: 1.1, 1.3, 2.2, 2.3")), "{e:?}");
    let put = |code: &'static str, i: Input| {
        let s = s.clone();
        async move { s.save_entry(&ctx(), sa.id, code, EntryInput { input: Some(i), ..Default::default() }, today).await.unwrap() }
    };
    put("1.1", Input { option: Some("dung_han".into()), ..Default::default() }).await;
    put("1.3", Input { percent: Some(parindex_core::Exact::int(90)), ..Default::default() }).await;
    put("2.2", Input { count: Some(parindex_core::Exact::int(3)), ..Default::default() }).await;
    // "not applicable" needs its reason when it is saved (issue #17), not only at submission
    let na = s
        .save_entry(
            &ctx(),
            sa.id,
            "2.3",
            EntryInput { input: Some(Input { not_applicable: true, ..Default::default() }), ..Default::default() },
            today,
        )
        .await
        .unwrap_err();
    assert!(matches!(&na, StoreError::Invalid(f) if f[0].field == "explanation"), "{na:?}");
    let e = s.submit_assessment(&ctx(), sa.id, today).await.unwrap_err();
    assert_eq!(field_of(e), vec!["evidence", "entries"], "1.1 requires evidence; 2.3 is still to do");
    // evidence: one file in the unit's library (the same bytes twice are one file), linked to 1.1
    let sha = "a".repeat(64);
    let f1 = s.add_evidence(&ctx(), sa.unit_id, &sha, 1234, parindex_core::evidence::Kind::Pdf, "Quyết định kế hoạch.pdf").await.unwrap();
    let f2 = s.add_evidence(&ctx(), sa.unit_id, &sha, 1234, parindex_core::evidence::Kind::Pdf, "ban sao.pdf").await.unwrap();
    assert_eq!(f1, f2, "deduplicated by content");
    s.link_evidence(&ctx(), sa.id, "1.1", f1.id, today).await.unwrap();
    s.link_evidence(&ctx(), sa.id, "1.3", f1.id, today).await.unwrap();
    s.link_evidence(&ctx(), sa.id, "1.1", f1.id, today).await.unwrap();
    let linked = s.linked_evidence(sa.id).await.unwrap();
    assert_eq!((linked["1.1"].len(), linked["1.3"].len()), (1, 1), "one document supports several leaves");
    s.unlink_evidence(&ctx(), sa.id, "1.3", f1.id, today).await.unwrap();
    assert!(matches!(s.unlink_evidence(&ctx(), sa.id, "1.3", f1.id, today).await, Err(StoreError::NotFound)));
    // another unit's file cannot be linked
    let other = s.add_evidence(&ctx(), xa.unit_id, &"b".repeat(64), 1, parindex_core::evidence::Kind::Png, "x.png").await.unwrap();
    assert!(matches!(s.link_evidence(&ctx(), sa.id, "1.2", other.id, today).await, Err(StoreError::NotFound)));
    assert_eq!(s.unit_evidence(sa.unit_id).await.unwrap().len(), 1);
    let e = s.submit_assessment(&ctx(), sa.id, today).await.unwrap_err();
    assert!(matches!(&e, StoreError::Invalid(f) if f.len() == 1 && f[0].field == "entries"), "2.3 is still to do: {e:?}");
    s.save_entry(
        &ctx(),
        sa.id,
        "2.3",
        EntryInput {
            input: Some(Input { not_applicable: true, ..Default::default() }),
            explanation: Some("Không có thủ tục cần rà soát".into()),
            version: 0,
            ..Default::default()
        },
        today,
    )
    .await
    .unwrap();
    assert!(s.submit_assessment(&ctx(), sa.id, late).await.is_err(), "not after the deadline");
    let done = s.submit_assessment(&ctx(), sa.id, today).await.unwrap();
    assert_eq!((done.state.as_str(), done.done, done.submitted_by.as_deref()), ("submitted", 5, Some("tester")));
    // locked for the unit now
    assert!(matches!(
        s.save_entry(&ctx(), sa.id, "1.2", EntryInput { input: yes(false), version: 1, ..Default::default() }, today).await,
        Err(StoreError::Conflict(_))
    ));
    assert!(s.submit_assessment(&ctx(), sa.id, today).await.is_err());
    let audit = s.list_audit(&AuditFilter { object_type: Some("assessment".into()), ..Default::default() }).await.unwrap();
    assert_eq!(audit.entries.iter().filter(|e| e.action == "assessment.self_score").count(), 5);
    assert_eq!(audit.entries.iter().filter(|e| e.action == "assessment.submit").count(), 1);
});

backend_tests!(appraisal_accepts_the_rest_notifies_only_its_appraisers_and_silence_is_acceptance, |b| async move {
    use parindex_core::Exact;
    use parindex_core::framework::{Input, Status};
    use parindex_reports::framework::parse_framework;
    use parindex_store::repo::appraisal::AppraiserScope;
    use parindex_store::repo::periods::{EntryInput, PeriodInput};
    let (_db, s) = fresh(b).await;
    for (code, name) in [("SNV", "Sở Nội vụ"), ("STP", "Sở Tư pháp"), ("SA", "Sở A"), ("SB", "Sở B")] {
        s.create_unit(&ctx(), unit(code, name, "agency")).await.unwrap();
    }
    let mut users = std::collections::HashMap::new();
    for (name, agency) in [("ap.snv", Some("SNV")), ("ap.stp", Some("STP")), ("ap.office", None)] {
        let unit_id = match agency {
            Some(c) => s.unit_id_by_code(c).await.unwrap(),
            None => None,
        };
        let u = s
            .create_user(
                &ctx(),
                NewUser {
                    username: name.into(),
                    full_name: name.into(),
                    email: None,
                    phone: None,
                    role: Role::Appraiser,
                    unit_id,
                    password: PASSWORD.into(),
                },
            )
            .await
            .unwrap();
        users.insert(name, u.id);
    }
    let fw = parse_framework("h.yaml", HAND).unwrap();
    s.import_framework(&ctx(), fw.clone(), "h.yaml").await.unwrap();
    s.set_framework_status(&ctx(), &fw.code, Status::Published).await.unwrap();
    let day = |m: u32, d: u32| NaiveDate::from_ymd_opt(2026, m, d);
    let p = s
        .create_period(
            &ctx(),
            PeriodInput {
                code: "2026".into(),
                name: "Năm 2026".into(),
                year: 2026,
                framework_code: fw.code.clone(),
                unit_codes: vec!["SA".into(), "SB".into()],
                self_due: day(12, 1),
                appraisal_due: day(12, 5),
                explanation_due: day(12, 10),
                final_due: day(12, 15),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let today = day(12, 1).unwrap();
    let rows = s.list_assessments(p.id, UnitScope::All).await.unwrap();
    let (sa, sb) = (rows[0].id, rows[1].id);
    for id in [sa, sb] {
        for (code, i) in [
            ("1.1", Input { option: Some("dung_han".into()), ..Default::default() }),
            ("1.2", Input { yes: Some(true), ..Default::default() }),
            ("1.3", Input { percent: Some(Exact::int(95)), ..Default::default() }),
            ("2.2", Input { count: Some(Exact::int(0)), ..Default::default() }),
            ("2.3", Input { value: Some(Exact::int(1)), ..Default::default() }),
        ] {
            let e = EntryInput { input: Some(i), explanation: Some("Bản giấy".into()), ..Default::default() };
            s.save_entry(&ctx(), id, code, e, today).await.unwrap();
        }
        s.submit_assessment(&ctx(), id, today).await.unwrap();
    }
    // 1.1 is appraised by SNV, the rest by the reform office: STP's appraiser hears nothing
    let unread = |name: &'static str| {
        let (s, id) = (s.clone(), users[name]);
        async move { s.unread_count(id).await.unwrap() }
    };
    assert_eq!((unread("ap.snv").await, unread("ap.office").await, unread("ap.stp").await), (2, 2, 0));

    // SNV accepts its one leaf; the office changes 1.2 then accepts the rest
    let snv = AppraiserScope::Agency("SNV".into());
    assert_eq!(s.accept_self_scores(&ctx(), sa, &snv, today).await.unwrap(), 1);
    assert!(matches!(s.accept_self_scores(&ctx(), sa, &snv, today).await, Err(StoreError::Invalid(_))), "nothing left");
    assert!(
        matches!(s.accept_self_scores(&ctx(), sa, &AppraiserScope::Agency("STP".into()), today).await, Err(StoreError::Invalid(_))),
        "STP appraises nothing here"
    );
    let no = Input { yes: Some(false), ..Default::default() };
    s.appraise_entry(&ctx(), sa, "1.2", &AppraiserScope::Unassigned, no, Some("Báo cáo trễ hạn".into()), today).await.unwrap();
    assert_eq!(s.accept_self_scores(&ctx(), sa, &AppraiserScope::Unassigned, today).await.unwrap(), 3);
    let view = s.get_assessment(sa).await.unwrap();
    assert_eq!(view.assessment.state.as_str(), "under_appraisal");
    assert_eq!(view.entries["1.2"].appraisal_comment.as_deref(), Some("Báo cáo trễ hạn"), "a leaf already appraised is kept");
    assert!(view.entries.values().all(|e| e.appraised_at.is_some()));
    assert!(s.accept_self_scores(&ctx(), sb, &AppraiserScope::All, day(12, 6).unwrap()).await.is_err(), "not after the appraisal deadline");
    assert_eq!(s.accept_self_scores(&ctx(), sb, &AppraiserScope::All, today).await.unwrap(), 5);
    let audit = s.list_audit(&AuditFilter { action: Some("assessment.appraise".into()), ..Default::default() }).await.unwrap();
    assert_eq!(audit.entries.len(), 10, "one audit entry per leaf");

    // SA contests 1.2 (only the office's appraisers hear of it); SB stays silent
    for id in [sa, sb] {
        s.send_preliminary(&ctx(), id).await.unwrap();
    }
    let before = (unread("ap.snv").await, unread("ap.office").await);
    s.save_contest(&ctx(), sa, "1.2", "Đã gửi đúng hạn", today).await.unwrap();
    s.submit_contests(&ctx(), sa, today).await.unwrap();
    assert_eq!((unread("ap.snv").await, unread("ap.office").await), (before.0, before.1 + 1));
    let yes = Input { yes: Some(true), ..Default::default() };
    s.final_appraise(&ctx(), sa, "1.2", &AppraiserScope::Unassigned, yes, "Chấp nhận", day(12, 11).unwrap()).await.unwrap();
    // while SB's window is open the council waits for it; after, its silence accepts the result
    let e = s.approve_period(&ctx(), p.id, decision(day(12, 10).unwrap()), day(12, 10).unwrap()).await.unwrap_err();
    assert!(
        matches!(&e, StoreError::Invalid(f) if f[0].message.vi.contains("1 đơn vị chưa sẵn sàng") && f[1].field == "unit" && f[1].message.vi.contains("Sở B")),
        "the count, then each unit: {e:?}"
    );
    // the decision is checked: a number, a signer, not signed in the future
    let bad = parindex_store::repo::periods::Decision { number: " ".into(), date: day(12, 12).unwrap(), signer: String::new() };
    let e = s.approve_period(&ctx(), p.id, bad, day(12, 11).unwrap()).await.unwrap_err();
    assert_eq!(field_of(e), vec!["decision_number", "signer", "decision_date"]);
    parindex_testkit::demo::decide_missing_feeds(&s, p.id).await;
    assert_eq!(s.approve_period(&ctx(), p.id, decision(day(12, 11).unwrap()), day(12, 11).unwrap()).await.unwrap(), 2);
    let approved = s.get_period(p.id).await.unwrap();
    assert_eq!(approved.decision, Some(decision(day(12, 11).unwrap())), "recorded with the approval");
    for id in [sa, sb] {
        assert_eq!(s.get_assessment(id).await.unwrap().assessment.state.as_str(), "approved");
    }
    let audit = s.list_audit(&AuditFilter { action: Some("assessment.no_explanation".into()), ..Default::default() }).await.unwrap();
    assert_eq!(audit.entries.len(), 1);
    assert_eq!(audit.entries[0].object_id.as_deref(), Some(sb.to_string().as_str()));
});

backend_tests!(questionnaires_are_validated_published_and_versioned, |b| async move {
    use parindex_reports::survey::{SAMPLES, parse_questionnaire};
    let (_db, s) = fresh(b).await;
    let q = parse_questionnaire(SAMPLES[0].0, SAMPLES[0].1).unwrap();
    // a questionnaire with problems is refused whole, every problem named
    let mut bad = q.clone();
    bad.sections[1].questions[0].list = Some("khong_co".into());
    bad.sections[1].questions[1].name = "q01".into();
    let e = s.save_questionnaire(&ctx(), bad, "x.yaml").await.unwrap_err();
    assert!(matches!(&e, StoreError::Invalid(f) if f.len() == 3), "{e:?}");
    assert!(s.list_questionnaires().await.unwrap().is_empty());
    let row = s.save_questionnaire(&ctx(), q.clone(), "sipas-2026.yaml").await.unwrap();
    assert_eq!((row.status.as_str(), row.questions, row.kind.as_str(), row.sample), ("draft", 37, "citizens", true));
    // a draft may be replaced; the stored definition reads back equal
    let mut changed = q.clone();
    changed.version = "2026.2".into();
    s.save_questionnaire(&ctx(), changed.clone(), "again.yaml").await.unwrap();
    let (row, back) = s.get_questionnaire("MAU-SIPAS-2026").await.unwrap();
    assert_eq!((row.version.as_str(), back), ("2026.2", changed));
    s.publish_questionnaire(&ctx(), "MAU-SIPAS-2026").await.unwrap();
    assert!(matches!(s.publish_questionnaire(&ctx(), "MAU-SIPAS-2026").await, Err(StoreError::Conflict(_))));
    assert!(matches!(s.save_questionnaire(&ctx(), q.clone(), "x.yaml").await, Err(StoreError::Conflict(_))), "published never changes");
    let v = s.new_questionnaire_version(&ctx(), "MAU-SIPAS-2026", "MAU-SIPAS-2027").await.unwrap();
    assert_eq!(v.status, "draft");
    assert!(matches!(s.new_questionnaire_version(&ctx(), "MAU-SIPAS-2026", "MAU-SIPAS-2027").await, Err(StoreError::Invalid(_))));
    assert!(matches!(s.new_questionnaire_version(&ctx(), "KHONG-CO", "Y").await, Err(StoreError::NotFound)));
    assert_eq!(s.list_questionnaires().await.unwrap().len(), 2);
    let audit = s.list_audit(&AuditFilter { object_type: Some("questionnaire".into()), ..Default::default() }).await.unwrap();
    assert_eq!(audit.entries.len(), 4, "import, replace, publish, version");
});

backend_tests!(surveys_count_responses_as_they_arrive, |b| async move {
    use parindex_core::survey::answers::{Raw, check, count_keys};
    use parindex_reports::survey::{SAMPLES, parse_questionnaire};
    use parindex_store::repo::surveys::SurveyInput;
    let (_db, s) = fresh(b).await;
    for (code, name, kind) in [("XA", "UBND xã A", "commune"), ("XB", "UBND xã B", "commune"), ("SA", "Sở A", "agency")] {
        s.create_unit(&ctx(), unit(code, name, kind)).await.unwrap();
    }
    let q = parse_questionnaire(SAMPLES[0].0, SAMPLES[0].1).unwrap();
    s.save_questionnaire(&ctx(), q.clone(), "sipas.yaml").await.unwrap();
    let input = SurveyInput {
        code: "SIPAS-2026".into(),
        name: "SIPAS 2026".into(),
        questionnaire: q.code.clone(),
        year: 2026,
        unit_kinds: vec!["commune".into()],
        quota: 150,
        ..Default::default()
    };
    // a draft questionnaire, no units, a bad quota: every problem at once, nothing written
    let e = s.create_survey(&ctx(), SurveyInput { unit_kinds: vec!["district".into()], quota: 0, ..input.clone() }).await.unwrap_err();
    assert_eq!(field_of(e), vec!["questionnaire", "quota", "units"]);
    s.publish_questionnaire(&ctx(), &q.code).await.unwrap();
    let run = s.create_survey(&ctx(), input.clone()).await.unwrap();
    assert_eq!((run.units, run.quota, run.responses), (2, 300, 0));
    assert!(matches!(s.create_survey(&ctx(), input.clone()).await, Err(StoreError::Invalid(_))), "code taken");
    let units = s.survey_units(run.id).await.unwrap();
    assert_eq!(units.iter().map(|u| u.unit_code.as_str()).collect::<Vec<_>>(), vec!["XA", "XB"]);
    assert_ne!(units[0].public_key, units[1].public_key);
    // N = 1000 at e = 5 % → 286 wanted
    s.set_populations(&ctx(), run.id, &[(units[0].unit_id, Some(1000))]).await.unwrap();
    assert_eq!(s.survey_units(run.id).await.unwrap()[0].quota, 286);
    // responses: XA twice (all 5s, then all 2s), XB once (all 4s)
    let public = s.public_survey(&units[0].public_key).await.unwrap();
    assert_eq!(public.unit.unit_code, "XA");
    let answer_all = |v: &str| -> Raw { (1..=30).map(|k| (format!("q{k:02}"), vec![v.to_string()])).collect() };
    for (u, v) in [(&units[0], "5"), (&units[0], "2"), (&units[1], "4")] {
        let a = check(&q, &answer_all(v)).unwrap();
        s.record_response(run.id, u.unit_id, "web", &a, count_keys(&q, &a)).await.unwrap();
    }
    let rows = s.survey_units(run.id).await.unwrap();
    assert_eq!((rows[0].responses, rows[1].responses), (2, 1));
    let t = s.survey_tallies(run.id).await.unwrap();
    assert_eq!(t.units["XA"][0], parindex_core::sipas::Tally { n: 12, top2: 6, sum: 42 });
    assert_eq!(t.units["XB"][4], parindex_core::sipas::Tally { n: 6, top2: 6, sum: 24 });
    let csv = parindex_core::sipas::to_csv(&parindex_core::sipas::indices(&t));
    assert!(csv.contains("XA,sipas,60,50.000000,3.500000") && csv.contains("PROVINCE,sipas,90,75.000000,3.750000"), "{csv}");
    // a batch is all or nothing: a unit outside the survey spoils it
    let a = check(&q, &answer_all("3")).unwrap();
    let bad = vec![
        parindex_store::repo::surveys::ResponseIn {
            unit_id: units[1].unit_id,
            channel: "paper".into(),
            answers: a.clone(),
            keys: count_keys(&q, &a),
        },
        parindex_store::repo::surveys::ResponseIn {
            unit_id: 999_999,
            channel: "paper".into(),
            answers: a.clone(),
            keys: count_keys(&q, &a),
        },
    ];
    assert!(s.record_responses(run.id, bad).await.is_err());
    assert_eq!(s.get_survey(run.id).await.unwrap().responses, 3);
    assert!(matches!(s.public_survey("khong-co").await, Err(StoreError::NotFound)));
});

/// A SIPAS survey of the sample for communes XA and XB: (run id, questionnaire, units).
async fn sipas_run(s: &Store) -> (i64, parindex_core::survey::Questionnaire, Vec<parindex_store::repo::surveys::SurveyUnitRow>) {
    use parindex_reports::survey::{SAMPLES, parse_questionnaire};
    for (code, name, kind) in [("XA", "UBND xã A", "commune"), ("XB", "UBND xã B", "commune")] {
        s.create_unit(&ctx(), unit(code, name, kind)).await.unwrap();
    }
    let q = parse_questionnaire(SAMPLES[0].0, SAMPLES[0].1).unwrap();
    s.save_questionnaire(&ctx(), q.clone(), "sipas.yaml").await.unwrap();
    s.publish_questionnaire(&ctx(), &q.code).await.unwrap();
    let input = parindex_store::repo::surveys::SurveyInput {
        code: "SIPAS-2026".into(),
        name: "SIPAS 2026".into(),
        questionnaire: q.code.clone(),
        year: 2026,
        unit_kinds: vec!["commune".into()],
        quota: 150,
        ..Default::default()
    };
    let run = s.create_survey(&ctx(), input).await.unwrap();
    let units = s.survey_units(run.id).await.unwrap();
    (run.id, q, units)
}

/// Counts Likert answers from stored JSON, as a test's own reading of the stored responses.
struct PlainRecount(parindex_store::repo::survey_data::ImportCounts);

impl parindex_store::repo::survey_data::Recount for PlainRecount {
    fn add(&mut self, unit_id: i64, answers: &str) {
        *self.0.per_unit.entry(unit_id).or_default() += 1;
        let v: serde_json::Value = serde_json::from_str(answers).unwrap();
        for (k, v) in v.as_object().unwrap() {
            if let Some(x) = v.as_str().filter(|_| k.starts_with('q') && k.len() == 3) {
                *self.0.counts.entry((unit_id, k.clone(), x.to_string())).or_default() += 1;
            }
        }
    }
    fn finish(self) -> parindex_store::repo::survey_data::ImportCounts {
        self.0
    }
}

backend_tests!(response_imports_are_whole_or_nothing_and_recount_agrees, |b| async move {
    use parindex_store::repo::survey_data::{ImportCounts, ImportRow};
    let (_db, s) = fresh(b).await;
    let (run, _q, units) = sipas_run(&s).await;
    let row = |unit: i64, level: &str| ImportRow {
        unit_id: unit,
        channel: "paper".into(),
        submitted_at: chrono::Utc::now(),
        answers: serde_json::to_string(
            &(1..=30)
                .map(|i| (format!("q{i:02}"), level.to_string()))
                .chain([("y_kien".to_string(), "Tốt, \"nhanh\"\nlần 2 | ; \t".to_string())])
                .collect::<std::collections::BTreeMap<_, _>>(),
        )
        .unwrap(),
    };
    let counts = |rows: &[(i64, &str)]| {
        let mut c = ImportCounts::default();
        for (u, level) in rows {
            *c.per_unit.entry(*u).or_default() += 1;
            for i in 1..=30 {
                *c.counts.entry((*u, format!("q{i:02}"), level.to_string())).or_default() += 1;
            }
        }
        c
    };
    let (xa, xb) = (units[0].unit_id, units[1].unit_id);
    // written, then dropped without commit: nothing stays
    let mut imp = s.begin_response_import(run, "sha-1").await.unwrap();
    imp.add(&[row(xa, "5"), row(xb, "1")]).await.unwrap();
    assert_eq!(imp.rows(), 2);
    drop(imp);
    assert_eq!(s.get_survey(run).await.unwrap().responses, 0);
    assert!(s.survey_imports(run).await.unwrap().is_empty());
    assert!(s.responses_page(run, 0, 10).await.unwrap().is_empty(), "rolled back");
    // committed: rows, counts, the import's record
    let mut imp = s.begin_response_import(run, "sha-1").await.unwrap();
    imp.add(&[row(xa, "5"), row(xb, "1"), row(xa, "4")]).await.unwrap();
    imp.commit(&ctx(), "giay.csv", "sha-1", "paper", counts(&[(xa, "5"), (xb, "1"), (xa, "4")])).await.unwrap();
    assert_eq!(s.get_survey(run).await.unwrap().responses, 3);
    let imports = s.survey_imports(run).await.unwrap();
    assert_eq!((imports[0].file_name.as_str(), imports[0].responses), ("giay.csv", 3));
    // the same file again is refused before anything is written
    let e = s.begin_response_import(run, "sha-1").await.err().unwrap();
    assert!(matches!(e, StoreError::Conflict(m) if m.vi.contains("giay.csv")));
    let page = s.responses_page(run, 0, 2).await.unwrap();
    assert_eq!(page.len(), 2);
    assert_eq!(s.responses_page(run, page[1].id, 10).await.unwrap().len(), 1, "pages go on after the last id");
    // the blocks of the parallel export give what the pages give, to the microsecond
    let all = s.responses_page(run, 0, 10).await.unwrap();
    let (lo, hi, n) = s.response_id_range(run).await.unwrap().unwrap();
    assert_eq!((lo, hi, n), (all[0].id, all[2].id, 3));
    assert_eq!(s.responses_between(run, lo - 1, hi).await.unwrap(), all);
    assert!(all[0].answers.contains("\\\"nhanh\\\"\\n"), "escapes kept: {}", all[0].answers);
    assert_eq!(s.responses_between(run, lo, hi).await.unwrap(), all[1..], "the lower bound is outside");
    assert!(s.responses_between(run, hi, hi + 10).await.unwrap().is_empty());
    assert!(s.responses_between(run + 1000, lo - 1, hi).await.unwrap().is_empty(), "another survey's block");
    // a recount from the raw responses finds what the import counted
    let before = s.survey_tallies(run).await.unwrap();
    let n = s.recount_survey(&ctx(), run, PlainRecount(ImportCounts::default())).await.unwrap();
    assert_eq!(n, 3);
    assert_eq!(s.survey_tallies(run).await.unwrap(), before);
    assert_eq!(before.units["XA"][0], parindex_core::sipas::Tally { n: 12, top2: 12, sum: 54 });
    assert_eq!(s.get_survey(run).await.unwrap().responses, 3);
});

backend_tests!(invitation_tokens_are_one_use_and_cannot_be_joined_to_responses, |b| async move {
    use parindex_core::survey::answers::{Raw, check, count_keys};
    use sea_orm::{ConnectionTrait, Statement};
    let (_db, s) = fresh(b).await;
    let (run, q, units) = sipas_run(&s).await;
    let xa = units[0].unit_id;
    assert!(matches!(s.issue_tokens(&ctx(), run, xa, 0).await, Err(StoreError::Invalid(_))));
    assert!(matches!(s.issue_tokens(&ctx(), run, 999_999, 3).await, Err(StoreError::NotFound)));
    let tokens = s.issue_tokens(&ctx(), run, xa, 3).await.unwrap();
    assert_eq!(tokens.len(), 3);
    assert!(tokens.iter().all(|t| t.len() == 16) && tokens[0] != tokens[1]);
    assert_eq!(s.token_target(&tokens[0]).await.unwrap(), Some(units[0].public_key.clone()));
    assert_eq!(s.token_target("khong-co").await.unwrap(), None);
    // one use: the second redemption fails; a released token works again
    assert!(s.redeem_token(&tokens[0]).await.unwrap());
    assert!(!s.redeem_token(&tokens[0]).await.unwrap());
    assert_eq!(s.token_target(&tokens[0]).await.unwrap(), None, "a used token opens nothing");
    s.release_token(&tokens[0]).await.unwrap();
    assert!(s.redeem_token(&tokens[0]).await.unwrap());
    assert!(s.redeem_token(&tokens[1]).await.unwrap());
    let answers: Raw = (1..=30).map(|k| (format!("q{k:02}"), vec!["4".to_string()])).collect();
    let a = check(&q, &answers).unwrap();
    for _ in 0..2 {
        s.record_response(run, xa, "token", &a, count_keys(&q, &a)).await.unwrap();
    }
    let c = s.token_counts(run).await.unwrap();
    assert_eq!((c[0].issued, c[0].used), (3, 2));
    // the schema: a token row is its hash, survey, unit and a flag — nothing in common with a
    // response but the survey and unit; a response has no token column
    let columns = |table: &str| {
        let sql = match s.db.get_database_backend() {
            sea_orm::DatabaseBackend::Sqlite => format!("SELECT name AS c FROM pragma_table_info('{table}') ORDER BY cid"),
            _ => format!(
                "SELECT column_name::text AS c FROM information_schema.columns WHERE table_name = '{table}' AND table_schema = current_schema() ORDER BY ordinal_position"
            ),
        };
        let db = s.db.clone();
        async move {
            db.query_all_raw(Statement::from_string(db.get_database_backend(), sql))
                .await
                .unwrap()
                .into_iter()
                .map(|r| r.try_get::<String>("", "c").unwrap())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(columns("survey_tokens").await, vec!["token_hash", "survey_id", "unit_id", "used"]);
    let response_columns = columns("survey_responses").await;
    assert_eq!(response_columns, vec!["id", "survey_id", "unit_id", "channel", "submitted_at", "answers"]);
    // the data: the token-channel responses keep only the day, so their times cannot be set
    // beside anything; the token table holds no token in clear
    let stored = s.responses_page(run, 0, 10).await.unwrap();
    assert_eq!(stored.len(), 2);
    for r in &stored {
        let vn = r.submitted_at.with_timezone(&chrono::FixedOffset::east_opt(7 * 3600).unwrap());
        assert_eq!(vn.format("%H:%M:%S").to_string(), "00:00:00", "day only");
        assert!(!r.answers.contains(&tokens[0]) && !r.answers.contains(&tokens[1]));
    }
    let rows =
        s.db.query_all_raw(Statement::from_string(s.db.get_database_backend(), "SELECT token_hash FROM survey_tokens".to_string()))
            .await
            .unwrap();
    for r in rows {
        let h: String = r.try_get("", "token_hash").unwrap();
        assert_eq!(h.len(), 64);
        assert!(!tokens.contains(&h));
    }
});

// One result computation (issue #16): the points cached with each decision equal what the
// engine's leaf rule gives for the stored input, and the assessment's score, the period list
// and the period's results give one total (bonuses and penalties included).
backend_tests!(cached_points_equal_the_engine_and_results_agree, |b| async move {
    use parindex_core::framework::Input;
    use parindex_core::framework::result::{Stage, leaf_points};
    use parindex_core::framework::rule::InputText;
    use parindex_store::repo::appraisal::AppraiserScope;
    use parindex_store::repo::periods::EntryInput;
    let (_db, s) = fresh(b).await;
    s.create_unit(&ctx(), unit("SA", "Sở A", "agency")).await.unwrap();
    let today = parindex_core::assessment::today_vn();
    let p = hand_period(&s, &["SA"]).await;
    let a = s.list_assessments(p.id, UnitScope::All).await.unwrap()[0].id;
    let input = |t: &str| -> Input { serde_json::from_str::<InputText>(t).unwrap().into() };
    for (code, t) in [
        ("1.1", r#"{"option": "tre_han"}"#),
        ("1.2", r#"{"yes": true}"#),
        ("1.3", r#"{"percent": 100}"#),
        ("2.2", r#"{"count": 5}"#),
        ("2.3", r#"{"value": 0.5}"#),
    ] {
        let e = EntryInput { input: Some(input(t)), explanation: Some("Bản giấy".into()), ..Default::default() };
        s.save_entry(&ctx(), a, code, e, today).await.unwrap();
    }
    s.submit_assessment(&ctx(), a, today).await.unwrap();
    for (code, t) in [
        ("1.1", r#"{"option": "dung_han"}"#),
        ("1.2", r#"{"yes": false}"#),
        ("1.3", r#"{"percent": 80}"#),
        ("2.2", r#"{"count": 5}"#),
        ("2.3", r#"{"value": 0.75}"#),
    ] {
        s.appraise_entry(&ctx(), a, code, &AppraiserScope::All, input(t), Some("Theo hồ sơ".into()), today).await.unwrap();
    }
    s.set_adjustment(&ctx(), a, "T1", Some(input(r#"{"value": 0.25}"#)), "Sáng kiến số 7").await.unwrap();
    s.send_preliminary(&ctx(), a).await.unwrap();
    s.save_contest(&ctx(), a, "1.2", "Đã gửi đúng hạn", today).await.unwrap();
    s.submit_contests(&ctx(), a, today).await.unwrap();
    s.final_appraise(&ctx(), a, "1.2", &AppraiserScope::All, input(r#"{"yes": true}"#), "Chấp nhận", today).await.unwrap();

    let view = s.get_assessment(a).await.unwrap();
    let engine = |code: &str, i: &Option<Input>| {
        let n = view.framework.find(code).unwrap();
        i.as_ref().and_then(|i| leaf_points(n.rule.as_ref().unwrap(), n.max.as_ref().unwrap(), i).unwrap())
    };
    let mut checked = 0;
    for e in view.entries.values() {
        assert_eq!(e.points, engine(&e.node_code, &e.input), "{} own", e.node_code);
        assert_eq!(e.appraised_points, engine(&e.node_code, &e.appraised_input), "{} appraised", e.node_code);
        assert_eq!(e.final_points, engine(&e.node_code, &e.final_input), "{} final", e.node_code);
        checked += 1;
    }
    assert_eq!(checked, 5);

    let scored = s.assessment_score(&view, false).await.unwrap();
    // own: 0.5 + 1 + 2 + 0 (5 late files × 0.5 > 1) + 0.5 = 4, + 0.25 bonus
    assert_eq!(scored.own.sheet.total.to_string(), "4.25");
    // counted: 1 + 1 (final) + 1 (80 %) + 0 + 0.75 = 3.75, + 0.25 bonus
    assert_eq!(scored.counted.sheet.total.to_string(), "4");
    assert_eq!(scored.leaf(Stage::Counted, "1.2").unwrap().points.to_string(), "1");
    let row = &s.list_assessments(p.id, UnitScope::All).await.unwrap()[0];
    assert_eq!(row.self_total, scored.own.sheet.total, "the period list shows the unit's own total");
    let r = s.period_results(p.id).await.unwrap();
    let u = &r.units[0];
    assert_eq!(
        (&u.total, &u.applicable_max, &u.index),
        (&scored.counted.sheet.total, &scored.counted.sheet.applicable_max, &scored.counted.sheet.index)
    );
    assert_eq!(u.adjustments.len(), 1);
    let own_of = |c: &str| u.leaves.iter().find(|l| l.code == c).unwrap().own.clone().map(|x| x.to_string());
    assert_eq!((own_of("1.1"), own_of("1.3"), own_of("2.1")), (Some("0.5".into()), Some("2".into()), None));
    assert!(u.leaves.iter().find(|l| l.code == "1.2").unwrap().appraised);

    // results are cached per period until something they are computed from changes: any write
    // to those tables moves the version on (triggers), whoever writes it
    let v = s.results_version().await.unwrap();
    assert_eq!(s.results_version().await.unwrap(), v, "reading moves nothing");
    s.set_adjustment(&ctx(), a, "T1", Some(input(r#"{"value": 0.5}"#)), "Sáng kiến số 7 (đính chính)").await.unwrap();
    assert!(s.results_version().await.unwrap() > v);
    assert_eq!(s.period_results(p.id).await.unwrap().units[0].total.to_string(), "4.25", "the new bonus counts");
    s.db.execute_unprepared("UPDATE units SET name = 'Sở A mới' WHERE code = 'SA'").await.unwrap();
    assert_eq!(s.period_results(p.id).await.unwrap().units[0].unit_name, "Sở A mới", "a write by hand is seen too");
    // the period as an earlier one (comparisons, trends): computed while never published, and
    // cached on the same version
    let past = s.past_results(&p).await.unwrap();
    assert!(!past.published);
    assert_eq!(past.units[0].index, s.period_results(p.id).await.unwrap().units[0].index);
    assert!(std::sync::Arc::ptr_eq(&past, &s.past_results(&p).await.unwrap()), "read again: the same, not recomputed");
    s.set_adjustment(&ctx(), a, "T1", None, "Bỏ điểm thưởng").await.unwrap();
    let after = s.past_results(&p).await.unwrap();
    assert!(!std::sync::Arc::ptr_eq(&past, &after), "a write is seen");
    assert_eq!(after.units[0].index, s.period_results(p.id).await.unwrap().units[0].index);
    assert_ne!(after.units[0].index, past.units[0].index, "the bonus removed");

    // publication: only approved results; the document carries the same figures, and from then
    // on comparisons read the document (the official figures), not a recomputation
    assert!(matches!(s.publish_results(&ctx(), p.id, None).await, Err(StoreError::Conflict(_))), "not approved yet");
    parindex_testkit::demo::decide_missing_feeds(&s, p.id).await;
    assert_eq!(s.approve_period(&ctx(), p.id, decision(today), today).await.unwrap(), 1);
    let v1 = s.publish_results(&ctx(), p.id, None).await.unwrap();
    assert_eq!(v1.version, 1);
    let doc = s.latest_publication(p.id).await.unwrap().unwrap();
    let computed = s.period_results(p.id).await.unwrap();
    let exact = |n: &parindex_core::published::Num| n.exact().unwrap();
    assert_eq!(doc.units[0].index.as_ref().map(exact), computed.units[0].index, "the document's index is the computed one");
    assert_eq!(exact(&doc.units[0].total), computed.units[0].total);
    assert_eq!(s.latest_publication_id(p.id).await.unwrap(), Some(v1.id));
    let published = s.past_results(&p).await.unwrap();
    assert!(published.published, "read from the document once published");
    assert_eq!(published.units[0].index, computed.units[0].index);
    // a second version is a correction: it needs its reason
    assert!(s.publish_results(&ctx(), p.id, Some("  ")).await.is_err(), "a correction without a reason is refused");
    let v2 = s.publish_results(&ctx(), p.id, Some("Đính chính tên đơn vị")).await.unwrap();
    assert_eq!((v2.version, v2.reason.as_deref()), (2, Some("Đính chính tên đơn vị")));
    assert_eq!(s.latest_publication_id(p.id).await.unwrap(), Some(v2.id));
    assert_eq!(s.publications().await.unwrap().len(), 2);
});

/// The hand-computed framework, published, and a period "K" of 2026 for `units` with its
/// deadlines ahead.
async fn hand_period(s: &Store, units: &[&str]) -> parindex_store::repo::periods::PeriodRow {
    hand_period_of(s, HAND, units).await
}

/// A period "K" of 2026 over `units` under the framework `yaml` (published first).
async fn hand_period_of(s: &Store, yaml: &str, units: &[&str]) -> parindex_store::repo::periods::PeriodRow {
    use parindex_core::framework::Status;
    let fw = parindex_reports::framework::parse_framework("h.yaml", yaml).unwrap();
    s.import_framework(&ctx(), fw.clone(), "h.yaml").await.unwrap();
    s.set_framework_status(&ctx(), &fw.code, Status::Published).await.unwrap();
    let today = parindex_core::assessment::today_vn();
    let d = |n: i64| Some(today + chrono::Duration::days(n));
    let input = parindex_store::repo::periods::PeriodInput {
        code: "K".into(),
        name: "Năm 2026".into(),
        year: 2026,
        framework_code: fw.code.clone(),
        unit_codes: units.iter().map(|u| u.to_string()).collect(),
        self_due: d(1),
        appraisal_due: d(2),
        explanation_due: d(3),
        final_due: d(4),
        ..Default::default()
    };
    s.create_period(&ctx(), input).await.unwrap()
}

/// A council decision signed on `date`.
fn decision(date: chrono::NaiveDate) -> parindex_store::repo::periods::Decision {
    parindex_store::repo::periods::Decision { number: "12/QĐ-HĐTĐ".into(), date, signer: "Chủ tịch Hội đồng".into() }
}

// Criteria fed by data (issue #18): an imported value table reaches the unit's leaf through the
// one feed mechanism (input, points by the leaf's rule, provenance), is checked whole and
// written all or nothing, is recomputed when the data changes, and is frozen at approval.
backend_tests!(fed_leaves_follow_their_data_until_approval, |b| async move {
    use parindex_core::framework::rule::Input;
    use parindex_store::repo::feeds::{FeedUpload, MissingRule, NewFeedValue};
    let (_db, s) = fresh(b).await;
    s.create_unit(&ctx(), unit("SA", "Sở A", "agency")).await.unwrap();
    s.create_unit(&ctx(), unit("SB", "Sở B", "agency")).await.unwrap();
    s.create_unit(&ctx(), unit("XC", "Xã C", "commune")).await.unwrap();
    let today = parindex_core::assessment::today_vn();
    let p = hand_period(&s, &["SA", "SB", "XC"]).await;
    let feeds = s.period_feeds(p.id).await.unwrap();
    assert_eq!(feeds.len(), 1, "one fed leaf: 2.1");
    assert_eq!((feeds[0].code.as_str(), feeds[0].feed.as_str(), feeds[0].units.len()), ("2.1", "imported", 3));
    assert_eq!(feeds[0].missing().count(), 3, "no data yet");
    let frac = |n: i128, d: i128| Input {
        numerator: Some(parindex_core::Exact::ratio(n, 1)),
        denominator: Some(parindex_core::Exact::ratio(d, 1)),
        ..Default::default()
    };
    let up = |origin: &'static str, file: Option<&str>, rows: Vec<NewFeedValue>, dry_run: bool| FeedUpload {
        origin,
        file_name: file.map(str::to_string),
        rows,
        dry_run,
    };
    let row = |code: &str, i: Option<Input>| NewFeedValue {
        row: 0,
        unit_code: code.into(),
        input: i,
        source: Some("Hệ thống một cửa, 31/12".into()),
    };

    // refused whole: an unknown unit, a duplicate, a numerator over the denominator — each named,
    // nothing written
    let audit_before = count_audit(&s).await;
    let bad =
        vec![row("SA", Some(frac(90, 100))), row("ZZ", Some(frac(1, 2))), row("SA", Some(frac(1, 2))), row("SB", Some(frac(120, 100)))];
    match s.import_feed_values(&ctx(), p.id, "2.1", up("api", None, bad, false)).await {
        Err(ImportError::Rows(rows)) => {
            assert_eq!(rows.iter().map(|r| r.row).collect::<Vec<_>>(), vec![2, 3, 4], "{rows:?}");
            assert!(rows[0].message.vi.contains("ZZ"));
            assert!(rows[2].message.vi.contains("SB"));
        }
        other => panic!("expected refused rows, got {other:?}"),
    }
    assert_eq!(count_audit(&s).await, audit_before, "nothing written");
    assert_eq!(s.period_feeds(p.id).await.unwrap()[0].missing().count(), 3);
    // a leaf that is not fed by an import is not found
    assert!(matches!(
        s.import_feed_values(&ctx(), p.id, "1.2", up("api", None, vec![row("SA", None)], false)).await,
        Err(ImportError::Store(StoreError::NotFound))
    ));

    // a dry run says what would change and writes nothing
    let good = vec![row("SA", Some(frac(90, 100))), row("SB", Some(frac(45, 60)))];
    let preview = s.import_feed_values(&ctx(), p.id, "2.1", up("xlsx", Some("so-lieu.xlsx"), good.clone(), true)).await.unwrap();
    assert_eq!((preview.added, preview.changed, preview.import_id), (2, 0, 0));
    assert_eq!(s.period_feeds(p.id).await.unwrap()[0].missing().count(), 3);

    let out = s.import_feed_values(&ctx(), p.id, "2.1", up("xlsx", Some("so-lieu.xlsx"), good, false)).await.unwrap();
    assert_eq!((out.added, out.changed, out.unchanged, out.leaves_written), (2, 0, 0, 2));
    let assessments = s.list_assessments(p.id, UnitScope::All).await.unwrap();
    let of = |code: &str| assessments.iter().find(|a| a.unit_code == code).unwrap().id;
    let (sa, sb) = (of("SA"), of("SB"));
    // the leaf's points are the rule's on the imported figures, computed by hand: 2 × 90/100 and 2 × 45/60
    let view = s.get_assessment(sa).await.unwrap();
    let e = &view.entries["2.1"];
    assert_eq!(e.points.as_ref().map(|p| p.to_string()), Some("1.8".into()));
    assert!(e.note.as_deref().unwrap().contains("so-lieu.xlsx") && e.note.as_deref().unwrap().contains("Hệ thống một cửa"), "{:?}", e.note);
    assert_eq!(s.get_assessment(sb).await.unwrap().entries["2.1"].points.as_ref().map(|p| p.to_string()), Some("1.5".into()));
    let scored = s.assessment_score(&view, false).await.unwrap();
    assert_eq!(scored.leaf(parindex_core::framework::result::Stage::Own, "2.1").unwrap().points.to_string(), "1.8", "the score reads it");
    let r = s.period_results(p.id).await.unwrap();
    let u = r.units.iter().find(|u| u.unit_code == "SA").unwrap();
    assert_eq!(u.leaves.iter().find(|l| l.code == "2.1").unwrap().own.as_ref().map(|x| x.to_string()), Some("1.8".into()));
    let f = &s.period_feeds(p.id).await.unwrap()[0];
    assert_eq!(f.missing().map(|u| u.unit_code.as_str()).collect::<Vec<_>>(), vec!["XC"]);

    // the data changes: the same figures again change nothing; a new figure is recomputed;
    // a row without a value clears the unit's
    let again = s.import_feed_values(&ctx(), p.id, "2.1", up("api", None, vec![row("SA", Some(frac(90, 100)))], false)).await.unwrap();
    assert_eq!((again.unchanged, again.leaves_written), (1, 0));
    let changed = s
        .import_feed_values(&ctx(), p.id, "2.1", up("api", None, vec![row("SA", Some(frac(99, 100))), row("SB", None)], false))
        .await
        .unwrap();
    assert_eq!((changed.changed, changed.cleared, changed.leaves_written), (1, 1, 2));
    assert_eq!(s.get_assessment(sa).await.unwrap().entries["2.1"].points.as_ref().map(|p| p.to_string()), Some("1.98".into()));
    assert_eq!(s.get_assessment(sb).await.unwrap().entries["2.1"].points, None, "cleared");
    assert!(s.get_assessment(sa).await.unwrap().entries["2.1"].note.as_deref().unwrap().contains("qua API"));
    assert_eq!(s.feed_imports(p.id, "2.1").await.unwrap().len(), 3, "three uploads written (the dry run is not one)");
    // a recompute with nothing changed writes nothing
    assert_eq!(s.recompute_feeds(&ctx(), p.id).await.unwrap(), 0);
    // a stale entry (written by hand past the mechanism) is put back by a recompute
    s.db.execute_unprepared(&format!(
        "UPDATE assessment_entries SET self_input = NULL, self_points = NULL WHERE assessment_id = {sa} AND node_code = '2.1'"
    ))
    .await
    .unwrap();
    assert_eq!(s.recompute_feeds(&ctx(), p.id).await.unwrap(), 1);
    assert_eq!(s.get_assessment(sa).await.unwrap().entries["2.1"].points.as_ref().map(|p| p.to_string()), Some("1.98".into()));

    // approval freezes: every unit carried through to approval, a figure then refuses to change
    // (the row named) and nothing is rewritten
    parindex_testkit::demo::finish_others(&s, p.id, &[]).await;
    // approval waits while a fed leaf has units without data and no decision of the council
    match s.approve_period(&ctx(), p.id, decision(today), today).await {
        Err(StoreError::Invalid(f)) => {
            let text: Vec<String> = f.iter().map(|e| e.message.vi.clone()).collect();
            assert!(text.iter().any(|t| t.contains("Tiêu chí 2.1: 2 đơn vị chưa có số liệu (SB, XC)")), "{text:?}");
        }
        other => panic!("expected approval refused, got {other:?}"),
    }
    assert_eq!(s.undecided_missing_feeds(p.id).await.unwrap(), vec![("2.1".to_string(), vec!["SB".to_string(), "XC".to_string()])]);
    assert!(matches!(s.decide_missing_feed(&ctx(), p.id, "2.1", MissingRule::Exclude, "  ").await, Err(StoreError::Invalid(_))));
    assert!(matches!(s.decide_missing_feed(&ctx(), p.id, "1.2", MissingRule::Zero, "QĐ 5").await, Err(StoreError::NotFound)));
    s.decide_missing_feed(&ctx(), p.id, "2.1", MissingRule::Zero, "Công văn 5/HĐTĐ").await.unwrap();
    let sb_leaf = s.get_assessment(sb).await.unwrap().entries["2.1"].clone();
    assert_eq!(sb_leaf.input, None, "scored 0: no input");
    assert!(sb_leaf.note.as_deref().unwrap().contains("tính 0 điểm: Công văn 5/HĐTĐ"), "{:?}", sb_leaf.note);
    let before = s.period_results(p.id).await.unwrap();
    let max_of = |r: &parindex_store::repo::results::PeriodResults, c: &str| {
        r.units.iter().find(|u| u.unit_code == c).unwrap().applicable_max.clone()
    };
    // the council changes its mind: left out of the maximum — SB's applicable maximum drops by
    // the leaf's 2 points, SA's (which has its figure) does not move
    let d = s.decide_missing_feed(&ctx(), p.id, "2.1", MissingRule::Exclude, "Quyết định 7/HĐTĐ").await.unwrap();
    assert_eq!(d.kind, MissingRule::Exclude);
    let sb_leaf = s.get_assessment(sb).await.unwrap().entries["2.1"].clone();
    assert!(sb_leaf.input.as_ref().is_some_and(|i| i.not_applicable));
    assert!(sb_leaf.note.as_deref().unwrap().contains("không tính vào điểm tối đa"));
    let after = s.period_results(p.id).await.unwrap();
    assert_eq!(max_of(&before, "SB") - max_of(&after, "SB"), parindex_core::Exact::ratio(2, 1));
    assert_eq!(max_of(&before, "SA"), max_of(&after, "SA"));
    assert!(s.undecided_missing_feeds(p.id).await.unwrap().is_empty());
    s.approve_period(&ctx(), p.id, decision(today), today).await.unwrap();
    assert!(
        matches!(s.decide_missing_feed(&ctx(), p.id, "2.1", MissingRule::Zero, "x").await, Err(StoreError::Conflict(_))),
        "not after approval"
    );
    // the results and the published document say which units had no data and what was decided
    let notes = s.period_results(p.id).await.unwrap().data_notes;
    assert_eq!(notes.len(), 1);
    assert!(
        notes[0].vi.contains("Tiêu chí 2.1") && notes[0].vi.contains("(SB, XC)") && notes[0].vi.contains("Quyết định 7/HĐTĐ"),
        "{}",
        notes[0].vi
    );
    s.publish_results(&ctx(), p.id, None).await.unwrap();
    let doc = s.latest_publication(p.id).await.unwrap().unwrap();
    assert_eq!(doc.period.data_notes, vec![notes[0].vi.clone()]);
    assert!(s.get_assessment(sa).await.unwrap().assessment.state.frozen());
    match s
        .import_feed_values(&ctx(), p.id, "2.1", up("api", None, vec![row("SB", Some(frac(1, 2))), row("SA", Some(frac(10, 100)))], false))
        .await
    {
        Err(ImportError::Rows(rows)) => {
            assert_eq!(rows.len(), 2);
            assert!(rows[1].message.vi.contains("SA") && rows[1].message.vi.contains("đã được phê duyệt"), "{rows:?}");
        }
        other => panic!("expected the approved units refused, got {other:?}"),
    }
    s.db.execute_unprepared(&format!("DELETE FROM feed_values WHERE unit_id = (SELECT unit_id FROM assessments WHERE id = {sa})"))
        .await
        .unwrap();
    assert_eq!(s.recompute_feeds(&ctx(), p.id).await.unwrap(), 0, "an approved assessment is never rewritten");
    assert_eq!(s.get_assessment(sa).await.unwrap().entries["2.1"].points.as_ref().map(|p| p.to_string()), Some("1.98".into()), "frozen");
});

// A unit contests a fed figure in the explanation round (issue #18): a fed leaf needs no
// appraisal to be contested (with or without a figure); the appraisers who answer for its data
// (here the office's: 2.1 names no department) answer it and another department's are refused;
// approval waits for the answer; the answer counts instead of the fed value and a later change
// of the register does not move it; a unit without a figure that got one is no longer missing.
backend_tests!(a_unit_contests_a_fed_figure_and_the_answer_counts, |b| async move {
    use parindex_core::framework::result::Stage;
    use parindex_core::framework::rule::Input;
    use parindex_store::repo::appraisal::AppraiserScope;
    use parindex_store::repo::feeds::{FeedUpload, NewFeedValue};
    let (_db, s) = fresh(b).await;
    s.create_unit(&ctx(), unit("SA", "Sở A", "agency")).await.unwrap();
    s.create_unit(&ctx(), unit("SB", "Sở B", "agency")).await.unwrap();
    let today = parindex_core::assessment::today_vn();
    let p = hand_period(&s, &["SA", "SB"]).await;
    let frac = |n: i128, d: i128| Input {
        numerator: Some(parindex_core::Exact::ratio(n, 1)),
        denominator: Some(parindex_core::Exact::ratio(d, 1)),
        ..Default::default()
    };
    let upload = |n: i128| FeedUpload {
        origin: "api",
        file_name: None,
        rows: vec![NewFeedValue { row: 1, unit_code: "SA".into(), input: Some(frac(n, 100)), source: None }],
        dry_run: false,
    };
    s.import_feed_values(&ctx(), p.id, "2.1", upload(60)).await.unwrap();
    let assessments = s.list_assessments(p.id, UnitScope::All).await.unwrap();
    let of = |code: &str| assessments.iter().find(|a| a.unit_code == code).unwrap().id;
    let (sa, sb) = (of("SA"), of("SB"));
    for id in [sa, sb] {
        parindex_testkit::demo::to_preliminary(&s, id).await;
    }
    // SA says its figure is wrong; SB, without a figure, gives its own
    s.save_contest(&ctx(), sa, "2.1", "Số đúng là 90/100 theo báo cáo quý IV.", today).await.unwrap();
    s.save_contest(&ctx(), sb, "2.1", "Đơn vị có số liệu: 50/100 (báo cáo số 12).", today).await.unwrap();
    assert!(s.get_assessment(sb).await.unwrap().entries["2.1"].input.is_none(), "the contest opens the row without a figure");
    // a leaf not meant for an agency (3.2 is for communes) is not contested
    assert!(matches!(s.save_contest(&ctx(), sa, "3.2", "x", today).await, Err(StoreError::Invalid(_))));
    for id in [sa, sb] {
        s.submit_contests(&ctx(), id, today).await.unwrap();
    }
    // the office's appraisers have both in their queue; the Department of Home Affairs (which
    // appraises 1.1) has nothing to answer and is refused
    let office = AppraiserScope::Unassigned;
    let snv = AppraiserScope::Agency("SNV".into());
    let queue = s.appraisal_queue(&office).await.unwrap();
    assert_eq!(queue.iter().map(|q| (q.assessment.unit_code.as_str(), q.awaiting)).collect::<Vec<_>>(), vec![("SA", 1), ("SB", 1)]);
    assert!(s.appraisal_queue(&snv).await.unwrap().is_empty());
    assert!(matches!(s.final_appraise(&ctx(), sa, "2.1", &snv, frac(90, 100), "Đồng ý", today).await, Err(StoreError::Forbidden(_))));
    // approval waits for the answers
    match s.approve_period(&ctx(), p.id, decision(today), today).await {
        Err(StoreError::Invalid(f)) => assert!(f.iter().any(|e| e.message.vi.contains("giải trình chưa trả lời: 2.1")), "{f:?}"),
        other => panic!("expected approval refused, got {other:?}"),
    }
    let view = s.get_assessment(sa).await.unwrap();
    assert!(parindex_store::repo::appraisal::appraiser_may_read(&view, &office));
    s.final_appraise(&ctx(), sa, "2.1", &office, frac(90, 100), "Đã đối chiếu báo cáo quý IV: chấp nhận 90/100.", today).await.unwrap();
    assert_eq!(s.period_feeds(p.id).await.unwrap()[0].missing().map(|u| u.unit_code.clone()).collect::<Vec<_>>(), vec!["SB".to_string()]);
    s.final_appraise(&ctx(), sb, "2.1", &office, frac(50, 100), "Chấp nhận số liệu của báo cáo số 12.", today).await.unwrap();
    assert_eq!(s.period_feeds(p.id).await.unwrap()[0].missing().count(), 0, "answered: not missing any more");
    assert!(s.undecided_missing_feeds(p.id).await.unwrap().is_empty());
    // by hand: the counted 2.1 is 2 × 90/100 = 1.8 for SA (its fed figure gives 2 × 60/100 = 1.2)
    // and 2 × 50/100 = 1 for SB; a later change of the register moves the fed value only
    s.import_feed_values(&ctx(), p.id, "2.1", upload(10)).await.unwrap();
    let view = s.get_assessment(sa).await.unwrap();
    let scored = s.assessment_score(&view, false).await.unwrap();
    assert_eq!(scored.leaf(Stage::Own, "2.1").unwrap().points.to_string(), "0.2", "the fed value follows the register");
    assert_eq!(scored.leaf(Stage::Counted, "2.1").unwrap().points.to_string(), "1.8", "the answer counts");
    s.approve_period(&ctx(), p.id, decision(today), today).await.unwrap();
    let r = s.period_results(p.id).await.unwrap();
    let leaf = |u: &str| r.units.iter().find(|x| x.unit_code == u).unwrap().leaves.iter().find(|l| l.code == "2.1").unwrap().clone();
    assert_eq!((leaf("SA").points.to_string(), leaf("SA").appraised), ("1.8".to_string(), true));
    assert_eq!(leaf("SB").points.to_string(), "1");
});

// Figures that arrive after approval (issue #18): they change nothing approved until the
// council decides a correction — refused before approval, without a decision or reason, and
// when nothing differs; then every fed leaf is recomputed in one transaction (audited) and the
// published results get a new version with the reason, the first version untouched.
backend_tests!(fed_figures_after_approval_are_corrected_by_a_decision_and_republished, |b| async move {
    use parindex_core::framework::rule::Input;
    use parindex_store::repo::feeds::{FeedUpload, NewFeedValue};
    let (_db, s) = fresh(b).await;
    s.create_unit(&ctx(), unit("SA", "Sở A", "agency")).await.unwrap();
    s.create_unit(&ctx(), unit("SB", "Sở B", "agency")).await.unwrap();
    let today = parindex_core::assessment::today_vn();
    let p = hand_period(&s, &["SA", "SB"]).await;
    let upload = |rows: Vec<(&str, i128)>| FeedUpload {
        origin: "api",
        file_name: None,
        rows: rows
            .into_iter()
            .map(|(u, n)| NewFeedValue {
                row: 0,
                unit_code: u.into(),
                input: Some(Input {
                    numerator: Some(parindex_core::Exact::ratio(n, 1)),
                    denominator: Some(parindex_core::Exact::ratio(100, 1)),
                    ..Default::default()
                }),
                source: None,
            })
            .collect(),
        dry_run: false,
    };
    s.import_feed_values(&ctx(), p.id, "2.1", upload(vec![("SA", 60), ("SB", 80)])).await.unwrap();
    let later = |reason: &str| (decision(today), reason.to_string());
    let (d, r) = later("Bổ sung số liệu tháng 12");
    assert!(matches!(s.correct_fed_values(&ctx(), p.id, d, &r, today).await, Err(StoreError::Conflict(_))), "not before approval");
    assert!(matches!(s.fed_values_to_correct(p.id).await, Err(StoreError::Conflict(_))));
    parindex_testkit::demo::finish_others(&s, p.id, &[]).await;
    s.approve_period(&ctx(), p.id, decision(today), today).await.unwrap();
    s.publish_results(&ctx(), p.id, None).await.unwrap();
    let total =
        |r: &parindex_store::repo::results::PeriodResults, u: &str| r.units.iter().find(|x| x.unit_code == u).unwrap().total.clone();
    let before = s.period_results(p.id).await.unwrap();
    assert!(s.fed_values_to_correct(p.id).await.unwrap().is_empty());
    let (d, r) = later("Bổ sung số liệu tháng 12");
    assert!(matches!(s.correct_fed_values(&ctx(), p.id, d, &r, today).await, Err(StoreError::Conflict(_))), "nothing differs");

    // SA's figure is corrected after approval: the approved leaf does not move by itself
    let refused = s.import_feed_values(&ctx(), p.id, "2.1", upload(vec![("SA", 90)])).await;
    assert!(refused.is_err(), "an upload into an approved unit's leaf is refused row by row");
    s.db.execute_unprepared(
        "UPDATE feed_values SET input = '{\"numerator\":\"90\",\"denominator\":\"100\"}' WHERE unit_id = (SELECT id FROM units WHERE code = 'SA')",
    )
    .await
    .unwrap();
    let pending = s.fed_values_to_correct(p.id).await.unwrap();
    assert_eq!(pending.len(), 1, "one leaf differs from its data");
    let sa = &pending[0];
    assert_eq!((sa.unit_code.as_str(), sa.leaf.as_str()), ("SA", "2.1"));
    assert_eq!(
        (sa.before.as_ref().map(|p| p.to_string()), sa.after.as_ref().map(|p| p.to_string())),
        (Some("1.2".into()), Some("1.8".into()))
    );
    let audit_before = count_audit(&s).await;
    // every problem of the request at once, nothing written
    let bad = parindex_store::repo::periods::Decision { number: " ".into(), date: today + chrono::Duration::days(1), signer: "".into() };
    match s.correct_fed_values(&ctx(), p.id, bad, "  ", today).await {
        Err(StoreError::Invalid(f)) => {
            assert_eq!(f.iter().map(|e| e.field).collect::<Vec<_>>(), vec!["decision_number", "signer", "decision_date", "reason"])
        }
        other => panic!("expected refused, got {other:?}"),
    }
    assert_eq!(count_audit(&s).await, audit_before);
    let (d, r) = later("Bổ sung số liệu tháng 12 (hệ thống gửi chậm)");
    let c = s.correct_fed_values(&ctx(), p.id, d, &r, today).await.unwrap();
    assert_eq!(c.leaves_written, 1);
    let v2 = c.publication.expect("published again");
    assert_eq!(v2.version, 2);
    assert!(
        v2.reason.as_deref().unwrap().starts_with("Bổ sung số liệu tháng 12")
            && v2.reason.as_deref().unwrap().contains("theo quyết định số 12/QĐ-HĐTĐ")
    );
    // by hand: SA's 2.1 goes from 2 × 60/100 = 1.2 to 2 × 90/100 = 1.8; SB does not move
    let after = s.period_results(p.id).await.unwrap();
    assert_eq!(total(&after, "SA") - total(&before, "SA"), parindex_core::Exact::parse("0.6").unwrap());
    assert_eq!(total(&after, "SB"), total(&before, "SB"));
    assert!(s.get_assessment(s.list_assessments(p.id, UnitScope::All).await.unwrap()[0].id).await.unwrap().assessment.state.frozen());
    let sa_total = |doc: &str| {
        let doc: parindex_core::published::Published = serde_json::from_str(doc).unwrap();
        parindex_core::Exact::parse(&doc.units.iter().find(|u| u.code == "SA").unwrap().total.exact).unwrap()
    };
    let (_, v1, versions) = s.publication("K", Some(1)).await.unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(sa_total(&v1), total(&before, "SA"), "version 1 stays as published");
    assert_eq!(sa_total(&s.publication("K", None).await.unwrap().1), total(&after, "SA"));
    assert!(s.fed_values_to_correct(p.id).await.unwrap().is_empty());
});

// The one-stop statistics register (issue #18): an import is checked whole (every bad row named,
// nothing written), replaces the months it covers (the difference counted first), and feeds the
// leaves that name `onestop.*` through the one feed mechanism — a fed value equals the hand
// computation from the imported rows, follows the data, and is frozen at approval.
backend_tests!(onestop_figures_feed_their_leaves_until_approval, |b| async move {
    use parindex_core::onestop::Counts;
    use parindex_store::repo::onestop::{OnestopRow, OnestopUpload};
    let (_db, s) = fresh(b).await;
    for (c, n, k) in [("SA", "Sở A", "agency"), ("SB", "Sở B", "agency"), ("XC", "Xã C", "commune")] {
        s.create_unit(&ctx(), unit(c, n, k)).await.unwrap();
    }
    let counts = |early: i64, on_time: i64, late: i64| Counts {
        received_direct: early + on_time + late,
        resolved_early: early,
        resolved_on_time: on_time,
        resolved_late: late,
        ..Default::default()
    };
    let row = |unit: &str, month: &str, field: &str, c: Counts| OnestopRow {
        row: 0,
        unit_code: unit.into(),
        month: month.into(),
        field: field.into(),
        counts: c,
    };
    let up = |rows: Vec<OnestopRow>, replace_months: bool, dry_run: bool| OnestopUpload {
        origin: "api",
        file_name: Some("mot-cua.csv".into()),
        source_name: None,
        rows,
        replace_months,
        dry_run,
    };
    // January's figures come in before the period opens
    let jan = vec![
        row("SA", "2026-01", "Đất đai", counts(10, 30, 10)),
        row("SA", "2026-01", "Hộ tịch", counts(0, 45, 5)),
        row("SB", "01/2026", "", counts(5, 15, 0)),
    ];
    let out = s.import_onestop(&ctx(), up(jan, true, false)).await.unwrap();
    assert_eq!((out.added, out.changed, out.removed, out.months.clone()), (3, 0, 0, vec!["2026-01".to_string()]));

    // the framework's 2.1 (proportional, max 2) reads the on-time rate
    let hand = HAND.replace("source: { feed: imported }", "source: { feed: onestop.on_time_rate }");
    assert_ne!(hand, HAND);
    let today = parindex_core::assessment::today_vn();
    let p = hand_period_of(&s, &hand, &["SA", "SB", "XC"]).await;
    let assessments = s.list_assessments(p.id, UnitScope::All).await.unwrap();
    let of = |code: &str| assessments.iter().find(|a| a.unit_code == code).unwrap().id;
    let (sa, sb) = (of("SA"), of("SB"));
    let st = &s;
    let points = move |id: i64| async move {
        st.get_assessment(id).await.unwrap().entries.get("2.1").and_then(|e| e.points.clone()).map(|p| p.to_string())
    };
    // by hand: SA (10 + 30 + 0 + 45) / (50 + 50) = 85/100 → 2 × 0.85 = 1.7; SB 20/20 → 2
    assert_eq!(points(sa).await, Some("1.7".into()), "computed when the period opens");
    assert_eq!(points(sb).await, Some("2".into()));
    let note = s.get_assessment(sa).await.unwrap().entries["2.1"].note.clone().unwrap();
    assert!(note.contains("Thống kê một cửa năm 2026") && note.contains("85/100"), "{note}");
    let feeds = s.period_feeds(p.id).await.unwrap();
    assert_eq!(
        (feeds[0].feed.as_str(), feeds[0].missing().map(|u| u.unit_code.clone()).collect::<Vec<_>>()),
        ("onestop.on_time_rate", vec!["XC".to_string()])
    );

    // refused whole: an unknown unit, a month that is none, a part above its whole, a duplicate
    let audit_before = count_audit(&s).await;
    let mut over = counts(1, 1, 1);
    over.paid_online = 3;
    let bad = vec![
        row("ZZ", "2026-02", "", counts(1, 1, 1)),
        row("SA", "2026-13", "", counts(1, 1, 1)),
        row("SB", "2026-02", "", over),
        row("SA", "2026-02", "x", counts(1, 1, 1)),
        row("SA", "2026-02", "x", counts(1, 1, 1)),
    ];
    match s.import_onestop(&ctx(), up(bad, true, false)).await {
        Err(ImportError::Rows(rows)) => {
            let at: Vec<(usize, &str)> = rows.iter().map(|r| (r.row, r.field.as_str())).collect();
            assert_eq!(at, vec![(1, "unit_code"), (2, "month"), (3, "paid_online"), (5, "unit_code")], "{rows:?}");
            assert!(rows[0].message.vi.contains("ZZ") && rows[3].message.vi.contains("dòng 4"), "{rows:?}");
        }
        other => panic!("expected refused rows, got {other:?}"),
    }
    assert_eq!(count_audit(&s).await, audit_before, "nothing written");

    // January again, corrected: the difference first (one row changed, two gone), then written;
    // SB has no January figures any more, SA's leaf follows
    let again = vec![row("SA", "2026-01", "Đất đai", counts(10, 40, 0))];
    let preview = s.import_onestop(&ctx(), up(again.clone(), true, true)).await.unwrap();
    assert_eq!((preview.added, preview.changed, preview.removed, preview.unchanged, preview.import_id), (0, 1, 2, 0, 0));
    assert_eq!(points(sa).await, Some("1.7".into()), "a preview writes nothing");
    let out = s.import_onestop(&ctx(), up(again, true, false)).await.unwrap();
    assert_eq!((out.changed, out.removed, out.leaves_written), (1, 2, 2));
    assert_eq!(points(sa).await, Some("2".into()), "50/50");
    assert_eq!(points(sb).await, None, "no data any more");
    // a correction of one row (not the whole month) keeps the others
    let feb = vec![row("SB", "2026-02", "", counts(0, 3, 1))];
    let out = s.import_onestop(&ctx(), up(feb, false, false)).await.unwrap();
    assert_eq!((out.added, out.removed), (1, 0));
    assert_eq!(points(sb).await, Some("1.5".into()), "2 × 3/4");
    assert_eq!(points(sa).await, Some("2".into()));
    let sums = s.onestop_sums(2026, None, false).await.unwrap();
    assert_eq!(sums.len(), 2);
    assert_eq!(s.onestop_imports(10).await.unwrap().len(), 3, "three imports written (the preview and the refused are none)");

    // approval freezes: a later import still lands in the register but not in the approved leaf
    parindex_testkit::demo::finish_others(&s, p.id, &[]).await;
    parindex_testkit::demo::decide_missing_feeds(&s, p.id).await;
    s.approve_period(&ctx(), p.id, decision(today), today).await.unwrap();
    let late = vec![row("SA", "2026-03", "", counts(0, 0, 10))];
    let out = s.import_onestop(&ctx(), up(late, true, false)).await.unwrap();
    assert_eq!((out.added, out.leaves_written), (1, 0));
    assert_eq!(points(sa).await, Some("2".into()), "frozen at approval");
});

// The public-apology register (issue #18): cases are checked whole (every bad row named, nothing
// written), a file is recorded once per unit, the deadline follows the rule, a letter is
// checked, and the leaves fed by the register (`apology.*`) equal the hand count — recomputed
// at each write, frozen at approval.
backend_tests!(apology_cases_feed_their_leaves_until_approval, |b| async move {
    use parindex_core::apology::{Kind, SentHow};
    use parindex_store::repo::apology::{CaseFilter, CaseUpload, Letter, NewCase};
    let (_db, s) = fresh(b).await;
    for (c, n, k) in [("SA", "Sở A", "agency"), ("SB", "Sở B", "agency"), ("XC", "Xã C", "commune")] {
        s.create_unit(&ctx(), unit(c, n, k)).await.unwrap();
    }
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let case = |unit: &str, code: &str, received: &str, due: &str| NewCase {
        row: 0,
        unit_code: unit.into(),
        file_code: code.into(),
        procedure: "Cấp giấy phép".into(),
        applicant: Some("Nguyễn Văn A".into()),
        contact: Some("0912 000 000".into()),
        kind: Kind::Late,
        received_on: d(received),
        due_on: d(due),
        returned_on: None,
    };
    let up = |rows: Vec<NewCase>, dry_run: bool| CaseUpload { origin: "api", file_name: Some("tre-han.csv".into()), rows, dry_run };
    // 2.2 (deduction 0.5 per case, max 1) reads the cases not apologised for in time
    let hand = HAND.replace(
        "        rule: { kind: deduction, per: 0.5 }\n",
        "        rule: { kind: deduction, per: 0.5 }\n        source: { feed: apology.unapologised_late_count }\n",
    );
    assert_ne!(hand, HAND);
    let today = parindex_core::assessment::today_vn();
    let p = hand_period_of(&s, &hand, &["SA", "SB", "XC"]).await;
    let assessments = s.list_assessments(p.id, UnitScope::All).await.unwrap();
    let of = |code: &str| assessments.iter().find(|a| a.unit_code == code).unwrap().id;
    let (sa, sb) = (of("SA"), of("SB"));
    let st = &s;
    let points = move |id: i64| async move {
        st.get_assessment(id).await.unwrap().entries.get("2.2").and_then(|e| e.points.clone()).map(|p| p.to_string())
    };
    // the register is the whole truth: a unit without a case has none to apologise for
    assert_eq!(points(sa).await, Some("1".into()), "no case: full points");
    assert!(s.period_feeds(p.id).await.unwrap().iter().find(|l| l.code == "2.2").unwrap().missing().next().is_none());

    // refused whole: an unknown unit, no file code, due before received, the same file twice
    let audit_before = count_audit(&s).await;
    let mut no_code = case("SA", "", "2026-03-01", "2026-03-10");
    no_code.file_code = " ".into();
    let bad = vec![
        case("ZZ", "H0", "2026-03-01", "2026-03-10"),
        no_code,
        case("SA", "H1", "2026-03-10", "2026-03-01"),
        case("SB", "H2", "2026-03-01", "2026-03-10"),
        case("SB", "H2", "2026-03-01", "2026-03-10"),
    ];
    match s.record_apology_cases(&ctx(), up(bad, false), d("2026-03-05")).await {
        Err(ImportError::Rows(rows)) => {
            let at: Vec<(usize, &str)> = rows.iter().map(|r| (r.row, r.field.as_str())).collect();
            assert_eq!(at, vec![(1, "unit_code"), (2, "file_code"), (3, "due_on"), (5, "file_code")], "{rows:?}");
        }
        other => panic!("expected refused rows, got {other:?}"),
    }
    assert_eq!(count_audit(&s).await, audit_before, "nothing written");

    // SA: three late files recorded on 5 March: one due 10 March (apology due then), one due
    // 1 March (already past: apology due 3 days after recording, 8 March), one of last year
    let rows = vec![
        case("SA", "H1", "2026-02-20", "2026-03-10"),
        case("SA", "H2", "2026-02-15", "2026-03-01"),
        case("SA", "H0", "2025-12-01", "2025-12-10"),
    ];
    let preview = s.record_apology_cases(&ctx(), up(rows.clone(), true), d("2026-03-05")).await.unwrap();
    assert_eq!((preview.added, preview.known), (3, 0));
    let out = s.record_apology_cases(&ctx(), up(rows.clone(), false), d("2026-03-05")).await.unwrap();
    assert_eq!((out.added, out.leaves_written), (3, 1));
    let cases = s.apology_cases(&CaseFilter { year: Some(2026), ..Default::default() }).await.unwrap();
    let by_code = |c: &str| cases.iter().find(|x| x.file_code == c).unwrap().clone();
    assert_eq!((by_code("H1").apology_due, by_code("H2").apology_due), (d("2026-03-10"), d("2026-03-08")));
    // by hand: two cases of 2026 without a letter → 1 − 2 × 0.5 = 0 (last year's does not count)
    assert_eq!(points(sa).await, Some("0".into()));
    assert_eq!(points(sb).await, Some("1".into()));
    // the same file again is left as it is
    let again = s.record_apology_cases(&ctx(), up(rows, false), d("2026-03-06")).await.unwrap();
    assert_eq!((again.added, again.known), (0, 3));

    // a letter: checked (a number; not after today, not before the file; a later new date)
    let h1 = by_code("H1").id;
    let letter = |date: &str| Letter {
        number: "12/CV-XL".into(),
        date: d(date),
        how: SentHow::Post,
        file_id: None,
        new_due_on: Some(d("2026-03-20")),
    };
    let mut bad = letter("2026-03-09");
    bad.number = " ".into();
    bad.new_due_on = Some(d("2026-03-01"));
    match s.record_apology_letter(&ctx(), h1, bad, d("2026-03-12")).await {
        Err(StoreError::Invalid(f)) => assert_eq!(f.iter().map(|e| e.field).collect::<Vec<_>>(), vec!["number", "new_due_on"]),
        other => panic!("expected refused, got {other:?}"),
    }
    assert!(
        matches!(s.record_apology_letter(&ctx(), h1, letter("2026-03-13"), d("2026-03-12")).await, Err(StoreError::Invalid(_))),
        "after today"
    );
    // in time: one case left → 1 − 0.5
    let row = s.record_apology_letter(&ctx(), h1, letter("2026-03-09"), d("2026-03-12")).await.unwrap();
    assert!(row.facts().in_time());
    assert_eq!(points(sa).await, Some("0.5".into()));
    // H2 apologised late (its deadline was 8 March) still counts
    s.record_apology_letter(&ctx(), by_code("H2").id, letter("2026-03-11"), d("2026-03-12")).await.unwrap();
    assert_eq!(points(sa).await, Some("0.5".into()), "a late apology is not in time");
    let note = s.get_assessment(sa).await.unwrap().entries["2.2"].note.clone().unwrap();
    assert!(note.contains("Sổ xin lỗi công khai năm 2026: 2 hồ sơ phải xin lỗi, 1 đã xin lỗi đúng hạn"), "{note}");
    let open = s.apology_cases(&CaseFilter { unit_id: None, year: Some(2026), open: true }).await.unwrap();
    assert!(open.is_empty());

    // approval freezes the leaf; the register still takes cases
    parindex_testkit::demo::finish_others(&s, p.id, &[]).await;
    parindex_testkit::demo::decide_missing_feeds(&s, p.id).await;
    s.approve_period(&ctx(), p.id, decision(today), today).await.unwrap();
    let out = s.record_apology_cases(&ctx(), up(vec![case("SA", "H9", "2026-04-01", "2026-04-10")], false), d("2026-04-02")).await.unwrap();
    assert_eq!((out.added, out.leaves_written), (1, 0));
    assert_eq!(points(sa).await, Some("0.5".into()), "frozen at approval");
});

// The plans register (issue #19): the province's plan sets the deadline of the units' plans,
// tasks are checked whole (every bad row named, nothing written), the owner's reports are
// checked (a day for done, a reason for dropped, no stale overwrite), and the fed leaves
// (`plans.*`) equal the hand computation — recomputed at each write, frozen at approval.
backend_tests!(plans_and_tasks_feed_their_leaves_until_approval, |b| async move {
    use parindex_core::plans::TaskStatus;
    use parindex_store::repo::plans::{NewTask, PlanInput, TaskFilter, TaskUpdate};
    let (_db, s) = fresh(b).await;
    s.create_unit(&ctx(), unit("SA", "Sở A", "agency")).await.unwrap();
    s.create_unit(&ctx(), unit("SB", "Sở B", "agency")).await.unwrap();
    let d = |m: u32, day: u32| chrono::NaiveDate::from_ymd_opt(2026, m, day).unwrap();
    let today = parindex_core::assessment::today_vn();
    // 1.2 (yes/no, 1 point) reads the unit's plan on time, 1.3 (bands, 2 points) the share of tasks done
    let hand = HAND
        .replacen(
            "        rule: { kind: yes_no }\n",
            "        rule: { kind: yes_no }\n        source: { feed: plans.unit_plan_on_time }\n",
            1,
        )
        .replace(
            "            - { range: \"(90, 100]\", points: 2 }\n",
            "            - { range: \"(90, 100]\", points: 2 }\n        source: { feed: plans.tasks_done_share }\n",
        );
    let p = hand_period_of(&s, &hand, &["SA", "SB"]).await;
    let feeds = s.period_feeds(p.id).await.unwrap();
    assert_eq!(
        feeds.iter().map(|f| f.feed.as_str()).collect::<Vec<_>>(),
        vec!["plans.unit_plan_on_time", "plans.tasks_done_share", "imported"]
    );
    assert_eq!(feeds[0].missing().count(), 2, "no province plan yet: no data");
    let assessments = s.list_assessments(p.id, UnitScope::All).await.unwrap();
    let of = |code: &str| assessments.iter().find(|a| a.unit_code == code).unwrap().id;
    let (sa, sb) = (of("SA"), of("SB"));
    let st = &s;
    let points = move |id: i64, leaf: &'static str| async move {
        st.get_assessment(id).await.unwrap().entries.get(leaf).and_then(|e| e.points.clone()).map(|p| p.to_string())
    };
    let plan = |number: &str, signed_on, due| PlanInput {
        number: number.into(),
        signed_on,
        title: "Kế hoạch cải cách hành chính năm 2026".into(),
        unit_plans_due: due,
        file_id: None,
    };
    // refused: no number, a plan for 2026 signed in 2020 — each named, nothing written
    match s.set_plan(&ctx(), 2026, None, plan(" ", d(1, 10), None)).await {
        Err(StoreError::Invalid(f)) => assert_eq!(f[0].field, "number"),
        other => panic!("expected refused, got {other:?}"),
    }
    let old = chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
    assert!(matches!(s.set_plan(&ctx(), 2026, None, plan("1/KH-UBND", old, None)).await, Err(StoreError::Invalid(_))));
    assert!(s.plans_of_year(2026).await.unwrap().0.is_none());
    // the province's plan: units' plans due 31/01; no unit has one yet (1.2 "no": 0 points), no
    // task yet (1.3 does not apply)
    s.set_plan(&ctx(), 2026, None, plan("15/KH-UBND", d(1, 10), Some(d(1, 31)))).await.unwrap();
    assert_eq!(points(sa, "1.2").await, Some("0".into()));
    assert!(s.get_assessment(sa).await.unwrap().entries["1.3"].input.as_ref().is_some_and(|i| i.not_applicable));
    // SA signs on time, SB late
    let sa_unit = s.unit_id_by_code("SA").await.unwrap().unwrap();
    let sb_unit = s.unit_id_by_code("SB").await.unwrap().unwrap();
    s.set_plan(&ctx(), 2026, Some(sa_unit), plan("3/KH-SA", d(1, 31), None)).await.unwrap();
    s.set_plan(&ctx(), 2026, Some(sb_unit), plan("7/KH-SB", d(2, 5), None)).await.unwrap();
    assert_eq!((points(sa, "1.2").await, points(sb, "1.2").await), (Some("1".into()), Some("0".into())));
    assert!(s.get_assessment(sb).await.unwrap().entries["1.2"].note.as_deref().unwrap().contains("ký ngày 05/02/2026, hạn 31/01/2026"));
    assert_eq!(s.late_unit_plans(2026, &[sa_unit, sb_unit]).await.unwrap(), vec![(sb_unit, Some(d(2, 5)))]);

    // tasks refused whole: an unknown owner, a duplicate number, a deadline in another year, no title
    let task = |code: &str, owner: &str, deadline, co: &[&str]| NewTask {
        row: 0,
        code: code.into(),
        title: format!("Nhiệm vụ {code}"),
        domain: Some("1".into()),
        owner: owner.into(),
        co_units: co.iter().map(|c| c.to_string()).collect(),
        deadline,
        output: Some("Báo cáo kết quả".into()),
    };
    let audit_before = count_audit(&s).await;
    let mut untitled = task("1.5", "SA", d(5, 1), &[]);
    untitled.title = " ".into();
    let bad = vec![
        task("1.1", "ZZ", d(3, 31), &[]),
        task("1.2", "SA", d(3, 31), &[]),
        task("1.2", "SA", d(3, 31), &[]),
        task("1.4", "SA", chrono::NaiveDate::from_ymd_opt(2027, 1, 5).unwrap(), &[]),
        untitled,
    ];
    match s.import_plan_tasks(&ctx(), 2026, bad, false).await {
        Err(ImportError::Rows(rows)) => {
            let at: Vec<(usize, &str)> = rows.iter().map(|r| (r.row, r.field.as_str())).collect();
            assert_eq!(at, vec![(1, "owner"), (3, "code"), (4, "deadline"), (5, "title")], "{rows:?}");
        }
        other => panic!("expected refused rows, got {other:?}"),
    }
    assert_eq!(count_audit(&s).await, audit_before, "nothing written");
    let tasks = vec![
        task("1.1", "SA", d(3, 31), &[]),
        task("1.2", "SA", d(6, 30), &[]),
        task("1.10", "SA", d(9, 30), &["SB"]),
        task("2.1", "SB", d(4, 30), &[]),
        task("2.2", "SB", d(10, 31), &[]),
    ];
    let dry = s.import_plan_tasks(&ctx(), 2026, tasks.clone(), true).await.unwrap();
    assert_eq!((dry.added, dry.leaves_written), (5, 0));
    assert!(s.plan_tasks(&TaskFilter { year: 2026, ..Default::default() }).await.unwrap().is_empty(), "a dry run writes nothing");
    let out = s.import_plan_tasks(&ctx(), 2026, tasks.clone(), false).await.unwrap();
    assert_eq!(out.added, 5);
    let all = s.plan_tasks(&TaskFilter { year: 2026, ..Default::default() }).await.unwrap();
    assert_eq!(all.iter().map(|t| t.code.as_str()).collect::<Vec<_>>(), vec!["1.1", "1.2", "1.10", "2.1", "2.2"], "the plan's order");
    let id = |code: &str| all.iter().find(|t| t.code == code).unwrap().id;
    let sb_tasks = s.plan_tasks(&TaskFilter { year: 2026, unit_id: Some(sb_unit), ..Default::default() }).await.unwrap();
    assert_eq!(sb_tasks.len(), 3, "SB owns two and co-operates on one");
    // 0 of 3 done: 0 % → 0 points
    assert_eq!(points(sa, "1.3").await, Some("0".into()));

    // the owner's reports, checked: a day for done (not in the future), a reason for dropped,
    // nothing over a newer change
    let upd = |status, done_on, reason: Option<&str>, version| TaskUpdate {
        status,
        done_on,
        reason: reason.map(str::to_string),
        note: Some("Đã trình UBND tỉnh".into()),
        file_id: None,
        version,
    };
    assert!(matches!(
        s.update_plan_task(&ctx(), id("1.1"), upd(TaskStatus::Done, None, None, 1), today).await,
        Err(StoreError::Invalid(_))
    ));
    let tomorrow = today + chrono::Duration::days(1);
    assert!(matches!(
        s.update_plan_task(&ctx(), id("1.1"), upd(TaskStatus::Done, Some(tomorrow), None, 1), today).await,
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        s.update_plan_task(&ctx(), id("1.10"), upd(TaskStatus::Dropped, None, None, 1), today).await,
        Err(StoreError::Invalid(_))
    ));
    s.update_plan_task(&ctx(), id("1.1"), upd(TaskStatus::Done, Some(d(3, 30)), None, 1), today).await.unwrap();
    assert!(
        matches!(s.update_plan_task(&ctx(), id("1.1"), upd(TaskStatus::Doing, None, None, 1), today).await, Err(StoreError::Conflict(_))),
        "a stale form does not overwrite"
    );
    s.update_plan_task(&ctx(), id("1.2"), upd(TaskStatus::Done, Some(d(7, 2)), None, 1), today).await.unwrap();
    s.update_plan_task(&ctx(), id("1.10"), upd(TaskStatus::Dropped, None, Some("UBND tỉnh điều chỉnh kế hoạch"), 1), today).await.unwrap();
    // by hand: SA 2 done of 2 (1.10 dropped) = 100 % → 2 points; SB none of 2 → 0
    assert_eq!((points(sa, "1.3").await, points(sb, "1.3").await), (Some("2".into()), Some("0".into())));
    assert_eq!(s.plan_task(id("1.1")).await.unwrap().1.len(), 1, "the progress note is kept");
    let overdue = s.plan_tasks(&TaskFilter { year: 2026, overdue_on: Some(d(11, 1)), ..Default::default() }).await.unwrap();
    assert_eq!(overdue.iter().map(|t| t.code.as_str()).collect::<Vec<_>>(), vec!["2.1", "2.2"]);

    // approval freezes: a later report changes nothing approved
    parindex_testkit::demo::finish_others(&s, p.id, &[]).await;
    parindex_testkit::demo::decide_missing_feeds(&s, p.id).await;
    s.approve_period(&ctx(), p.id, decision(today), today).await.unwrap();
    s.update_plan_task(&ctx(), id("2.1"), upd(TaskStatus::Done, Some(d(4, 29)), None, 1), today).await.unwrap();
    assert_eq!(points(sb, "1.3").await, Some("0".into()), "frozen at approval");
    assert_eq!(s.fed_values_to_correct(p.id).await.unwrap().len(), 1, "the council may correct it");
});

backend_tests!(reports_are_written_decided_consolidated_and_feed_their_leaves, |b| async move {
    use parindex_core::reporting::{ReportStatus, RoundKind};
    use parindex_store::repo::reporting::{ReportAction, RoundInput};
    let (_db, s) = fresh(b).await;
    for (code, name) in [("SA", "Sở A"), ("SB", "Sở B"), ("SC", "Sở C")] {
        s.create_unit(&ctx(), unit(code, name, "agency")).await.unwrap();
    }
    s.create_unit(&ctx(), unit("XA", "Xã A", "commune")).await.unwrap();
    let id = |code: &'static str| {
        let s = s.clone();
        async move { s.unit_id_by_code(code).await.unwrap().unwrap() }
    };
    let (sa, sb, sc, xa) = (id("SA").await, id("SB").await, id("SC").await, id("XA").await);
    // 2.1 (proportional, 2 points) reads the share accepted; 2.2 (deduction 0.5 per report not
    // sent on time, 1 point) the reports sent on time
    let hand = HAND.replace("        source: { feed: imported }\n", "        source: { feed: reports.complete_share }\n").replace(
        "        rule: { kind: deduction, per: 0.5 }\n",
        "        rule: { kind: deduction, per: 0.5 }\n        source: { feed: reports.on_time_count }\n",
    );
    let p = hand_period_of(&s, &hand, &["SA", "SB", "SC"]).await;
    let assessments = s.list_assessments(p.id, UnitScope::All).await.unwrap();
    let of = |code: &str| assessments.iter().find(|a| a.unit_code == code).unwrap().id;
    let st = &s;
    let points = move |id: i64, leaf: &'static str| async move {
        st.get_assessment(id).await.unwrap().entries.get(leaf).and_then(|e| e.points.clone()).map(|p| p.to_string())
    };
    let form = parindex_reports::report_form::sample_form();
    // a round needs a stored form
    let d = |m: u32, day: u32| chrono::NaiveDate::from_ymd_opt(2026, m, day).unwrap();
    let round = |label: &str, deadline, targets: &[&str]| RoundInput {
        year: 2026,
        kind: RoundKind::Quarter,
        label: label.into(),
        form_code: form.code.clone(),
        targets: targets.iter().map(|t| t.to_string()).collect(),
        deadline,
        months: Some([1, 3]),
    };
    assert!(matches!(s.open_report_round(&ctx(), round("Quý I", d(3, 20), &["agency"])).await, Err(StoreError::Invalid(_))));
    s.set_report_form(&ctx(), form.clone()).await.unwrap();
    assert!(matches!(s.open_report_round(&ctx(), round("Quý I", d(3, 20), &["nope"])).await, Err(StoreError::Invalid(_))));
    let q1 = s.open_report_round(&ctx(), round("Quý I", d(3, 20), &["agency"])).await.unwrap();
    let q2 = s.open_report_round(&ctx(), round("Quý II", d(6, 20), &["agency"])).await.unwrap();
    // the round's months: out of order refused; the one-stop register fills the form's cells
    // from the unit's figures of those months only, and nothing where it has none
    let backwards = RoundInput { months: Some([3, 1]), ..round("Sai", d(3, 20), &["agency"]) };
    assert!(matches!(s.open_report_round(&ctx(), backwards).await, Err(StoreError::Invalid(_))));
    assert!(s.report_register_fill(&q1, sa).await.unwrap().raw.is_empty(), "no figures: nothing filled");
    {
        use parindex_core::onestop::Counts;
        use parindex_store::repo::onestop::{OnestopRow, OnestopUpload};
        let row = |month: &str, field: &str, online: i64, direct: i64| OnestopRow {
            row: 0,
            unit_code: "SA".into(),
            month: month.into(),
            field: field.into(),
            counts: Counts { received_online: online, received_direct: direct, resolved_on_time: online + direct, ..Default::default() },
        };
        let rows = vec![row("2026-01", "Đất đai", 4, 1), row("2026-03", "Hộ tịch", 3, 2), row("2026-04", "Đất đai", 100, 100)];
        let up = OnestopUpload { origin: "api", file_name: None, source_name: None, rows, replace_months: true, dry_run: false };
        s.import_onestop(&ctx(), up).await.unwrap();
    }
    let fill = s.report_register_fill(&q1, sa).await.unwrap();
    assert_eq!((fill.months, fill.from, fill.to), (2, 1, 3), "January and March have figures; April is the next quarter's");
    let at = |k: &str| fill.raw.get(&format!("c.mot_cua.tiep_nhan.{k}")).cloned();
    assert_eq!((at("truc_tuyen"), at("truc_tiep"), at("buu_chinh")), (Some("7".into()), Some("3".into()), Some("0".into())));
    assert_eq!(fill.raw.len(), 3, "only the cells the form maps");
    assert!(s.report_register_fill(&q1, sb).await.unwrap().raw.is_empty(), "another unit's figures are its own");
    assert_eq!(s.report_round(q1.id).await.unwrap().months, Some([1, 3]));
    assert_eq!(s.round_units(&q1).await.unwrap().iter().map(|u| u.code.as_str()).collect::<Vec<_>>(), vec!["SA", "SB", "SC"]);
    assert!(matches!(s.unit_report(&q1, xa).await, Err(StoreError::NotFound)), "a commune is not asked");
    // nothing sent yet: 0 of 2 accepted → 0 points; 2 not on time → 1 − 2 × 0.5 = 0
    assert_eq!((points(of("SA"), "2.1").await, points(of("SA"), "2.2").await), (Some("0".into()), Some("0".into())));

    let raw = |planned: &str, done: &str, extra: &[(&str, &str)]| {
        let mut raw: std::collections::HashMap<String, String> = std::collections::HashMap::new();
        for sec in &form.sections {
            match &sec.table {
                None => {
                    raw.insert(format!("n.{}", sec.key), format!("Nội dung {}", sec.key));
                }
                Some(t) => {
                    for r in t.rows.iter().filter(|r| r.formula.is_none()) {
                        for c in t.columns.iter().filter(|c| c.formula.is_none() && c.key != "ghi_chu") {
                            let v = match (sec.key.as_str(), c.key.as_str(), r.key.as_str()) {
                                (_, "ke_hoach", _) => planned,
                                (_, "thuc_hien", _) => done,
                                ("thu_tuc", _, "ra_soat" | "phan_anh") => "10",
                                ("mot_cua", _, "tiep_nhan") => "10",
                                _ => "1",
                            };
                            raw.insert(parindex_core::reporting::cell_field(&sec.key, &r.key, &c.key), v.into());
                        }
                    }
                }
            }
        }
        for (k, v) in extra {
            raw.insert(k.to_string(), v.to_string());
        }
        form.read(&raw).0
    };
    let file = |unit_id| {
        let s = s.clone();
        async move { s.add_evidence(&ctx(), unit_id, &"a".repeat(64), 10, parindex_core::evidence::Kind::Pdf, "ky.pdf").await.unwrap().id }
    };
    let save = |content, file_id| ReportAction::Save { content, file_id };
    // a draft failing a check is kept (the page shows where), but it is not submitted; a cell
    // its column refuses is not written at all
    let bad = raw("5", "7", &[]);
    let audit_before = count_audit(&s).await;
    let mut unreadable = bad.clone();
    unreadable.cells.get_mut("van_ban").unwrap().insert("ban_hanh.ke_hoach".into(), "1.250".into());
    assert!(matches!(s.write_report(&ctx(), q1.id, sa, save(unreadable, None), 0).await, Err(StoreError::Invalid(_))));
    assert_eq!(count_audit(&s).await, audit_before, "nothing written");
    let fa = file(sa).await;
    let r = s.write_report(&ctx(), q1.id, sa, save(bad.clone(), Some(fa)), 0).await.unwrap();
    assert_eq!((r.status, r.version), (ReportStatus::Draft, 1));
    let problems = q1.form.problems(&r.content, true);
    assert_eq!(problems.len(), 7, "done > planned in every row of two tables (3 + 4): {problems:?}");
    assert_eq!(problems[0].field(), "c.van_ban.ban_hanh.thuc_hien");
    match s.write_report(&ctx(), q1.id, sa, ReportAction::Submit, 1).await {
        Err(StoreError::Invalid(f)) => assert!(f[0].message.vi.contains("Đã thực hiện"), "{:?}", f[0].message),
        other => panic!("expected refused, got {other:?}"),
    }
    // a file of another unit is refused; a submission needs the signed file
    let fb = file(sb).await;
    assert!(matches!(s.write_report(&ctx(), q1.id, sa, save(raw("5", "5", &[]), Some(fb)), 1).await, Err(StoreError::Invalid(_))));
    s.write_report(&ctx(), q1.id, sb, save(raw("4", "4", &[]), None), 0).await.unwrap();
    assert!(
        matches!(s.write_report(&ctx(), q1.id, sb, ReportAction::Submit, 0).await, Err(StoreError::Invalid(f)) if f[0].field == "file_id")
    );
    // a stale version is refused
    assert!(matches!(s.write_report(&ctx(), q1.id, sa, save(raw("5", "5", &[]), None), 7).await, Err(StoreError::Conflict(_))));
    s.write_report(&ctx(), q1.id, sa, save(raw("5", "5", &[("c.mot_cua.tiep_nhan.truc_tuyen", "12")]), None), 1).await.unwrap();
    let r = s.write_report(&ctx(), q1.id, sa, ReportAction::Submit, 0).await.unwrap();
    assert_eq!(r.status, ReportStatus::Submitted);
    assert!(r.first_submitted_at.is_some());
    // submitted: no more edits; the office returns it (with a reason) or accepts it
    assert!(matches!(s.write_report(&ctx(), q1.id, sa, save(raw("5", "5", &[]), None), 0).await, Err(StoreError::Conflict(_))));
    assert!(matches!(s.write_report(&ctx(), q1.id, sa, ReportAction::Return { reason: " ".into() }, 0).await, Err(StoreError::Invalid(_))));
    s.write_report(&ctx(), q1.id, sa, ReportAction::Return { reason: "Bảng IV chưa khớp số liệu một cửa".into() }, 0).await.unwrap();
    let first = s.unit_report(&q1, sa).await.unwrap().unwrap().first_submitted_at;
    s.write_report(&ctx(), q1.id, sa, ReportAction::Submit, 0).await.unwrap();
    let again = s.unit_report(&q1, sa).await.unwrap().unwrap();
    assert_eq!(again.first_submitted_at, first, "a return does not move the first submission");
    assert_eq!(again.returned_reason.as_deref(), Some("Bảng IV chưa khớp số liệu một cửa"));
    s.write_report(&ctx(), q1.id, sa, ReportAction::Accept, 0).await.unwrap();
    assert!(matches!(s.write_report(&ctx(), q1.id, sa, ReportAction::Accept, 0).await, Err(StoreError::Conflict(_))));
    // SB: sent and accepted, but late (dated after the deadline); SC sends nothing
    s.write_report(&ctx(), q1.id, sb, save(raw("4", "3", &[]), Some(fb)), 0).await.unwrap();
    s.write_report(&ctx(), q1.id, sb, ReportAction::Submit, 0).await.unwrap();
    s.write_report(&ctx(), q1.id, sb, ReportAction::Accept, 0).await.unwrap();
    s.demo_backdate_report(q1.id, sb, d(3, 22)).await.unwrap();
    s.demo_backdate_report(q1.id, sa, d(3, 18)).await.unwrap();
    // by hand, 2 rounds each: SA 1 accepted of 2 → 2 × 1/2 = 1 point; on time 1 of 2 → 1 − 0.5 = 0.5
    // SB accepted 1 of 2 → 1; on time 0 of 2 → 0. SC nothing → 0 and 0.
    assert_eq!((points(of("SA"), "2.1").await, points(of("SA"), "2.2").await), (Some("1".into()), Some("0.5".into())));
    assert_eq!((points(of("SB"), "2.1").await, points(of("SB"), "2.2").await), (Some("1".into()), Some("0".into())));
    assert_eq!((points(of("SC"), "2.1").await, points(of("SC"), "2.2").await), (Some("0".into()), Some("0".into())));
    let note = s.get_assessment(of("SB")).await.unwrap().entries["2.2"].note.clone().unwrap();
    assert!(note.contains("2 đợt báo cáo, 0 báo cáo gửi đúng hạn, 1 được tiếp nhận"), "{note}");
    // a round still running counts for no one until its deadline has passed: SA's 1 of 2 stays
    let today = parindex_core::assessment::today_vn();
    let running = RoundInput { year: 2026, ..round("Đột xuất", today + chrono::Duration::days(30), &["agency"]) };
    s.open_report_round(&ctx(), running).await.unwrap();
    assert_eq!((points(of("SA"), "2.1").await, points(of("SA"), "2.2").await), (Some("1".into()), Some("0.5".into())));
    assert_eq!(s.recompute_reports_after_deadlines(today).await.unwrap(), 0, "no deadline passed in the last days");

    // the consolidation is the sum of the accepted reports, recomputed here cell by cell
    let c = s.consolidate_round(&q1).await.unwrap();
    assert_eq!(c.reports, 2);
    let accepted: Vec<_> =
        s.round_units(&q1).await.unwrap().into_iter().filter_map(|u| u.report.filter(|r| r.status == ReportStatus::Accepted)).collect();
    for sec in form.sections.iter().filter(|x| x.table.is_some()) {
        let total = form.evaluate(&sec.key, &c.content);
        for (cell, value) in &total {
            let by_hand: parindex_core::Exact = accepted.iter().map(|r| form.evaluate(&sec.key, &r.content)[cell].clone()).sum();
            assert_eq!(value, &by_hand, "{}.{cell}", sec.key);
        }
    }
    assert_eq!(
        form.evaluate("mot_cua", &c.content)["tiep_nhan.tong"],
        parindex_core::Exact::int(12 + 10 + 10 + 10 + 10 + 10),
        "SA online 12, every other cell 10"
    );
    assert_eq!(c.narratives["chi_dao"].len(), 2);
    // a closed round takes nothing more; a later change of the form leaves the round's copy
    s.close_report_round(&ctx(), q2.id, true).await.unwrap();
    assert!(matches!(s.write_report(&ctx(), q2.id, sc, save(raw("1", "1", &[]), None), 0).await, Err(StoreError::Conflict(_))));
    let mut changed = form.clone();
    changed.title = "Mẫu mới".into();
    s.set_report_form(&ctx(), changed).await.unwrap();
    assert_eq!(s.report_round(q1.id).await.unwrap().form.title, form.title);
    let audit = s.list_audit(&AuditFilter { object_type: Some("report".into()), ..Default::default() }).await.unwrap();
    assert!(audit.entries.iter().any(|e| e.action == "report.return"));
});

// The inspections register (issue #20): the plan and its teams (office only, checked whole),
// the visit recorded by the team, the conclusion issued by the leader, the unit's remediation
// decided by the team — and the fed leaves (`inspections.*`) equal the hand computation at
// each step. A unit never reads the team's working notes nor another unit's inspection.
backend_tests!(inspections_from_plan_to_remediation_feed_their_leaves, |b| async move {
    use parindex_core::access::Actor;
    use parindex_core::inspections::{RemediationStatus, Severity, Status, TeamRole, Verdict};
    use parindex_store::repo::inspections::{
        Attach, DecisionInput, FindingInput, InspectionFilter, InspectionPlanInput, IssueInput, MemberInput, NewFile, NewInspection,
        RecommendationInput, ResultInput, VisitInput,
    };
    let (_db, s) = fresh(b).await;
    s.create_unit(&ctx(), unit("SA", "Sở A", "agency")).await.unwrap();
    s.create_unit(&ctx(), unit("SB", "Sở B", "agency")).await.unwrap();
    let sa_unit = s.unit_id_by_code("SA").await.unwrap().unwrap();
    let sb_unit = s.unit_id_by_code("SB").await.unwrap().unwrap();
    let mk = |name: &'static str, role: Role, unit_id: Option<i64>| parindex_store::repo::users::NewUser {
        username: name.into(),
        full_name: format!("Người {name}"),
        email: None,
        phone: None,
        role,
        unit_id,
        password: PASSWORD.into(),
    };
    let mut actors = Vec::new();
    for (name, role, unit_id) in [
        ("vanphong", Role::Secretariat, None),
        ("truongdoan", Role::Appraiser, None),
        ("thanhvien", Role::Appraiser, None),
        ("ngoaidoan", Role::Appraiser, None),
        ("canbo_sa", Role::UnitOfficer, Some(sa_unit)),
        ("canbo_sb", Role::UnitLeader, Some(sb_unit)),
    ] {
        let u = s.create_user(&ctx(), mk(name, role, unit_id)).await.unwrap();
        actors.push(Actor { user_id: u.id, username: name.into(), role, unit_id });
    }
    let [office, leader, member, outsider, sa, sb] = <[Actor; 6]>::try_from(actors).unwrap();
    let today = parindex_core::assessment::today_vn();
    let d = |m: u32, day: u32| chrono::NaiveDate::from_ymd_opt(2026, m, day).unwrap();
    // 1.2 (yes/no) reads "inspected in reform", 1.3 (bands) the remediation rate of every
    // topic, 2.2 (deduction 0.5 each) the overdue reform recommendations
    let hand = HAND
        .replacen(
            "        rule: { kind: yes_no }\n",
            "        rule: { kind: yes_no }\n        source: { feed: inspections.inspected.cchc }\n",
            1,
        )
        .replace(
            "            - { range: \"(90, 100]\", points: 2 }\n",
            "            - { range: \"(90, 100]\", points: 2 }\n        source: { feed: inspections.remediation_rate }\n",
        )
        .replace(
            "        rule: { kind: deduction, per: 0.5 }\n",
            "        rule: { kind: deduction, per: 0.5 }\n        source: { feed: inspections.overdue_recommendations.cchc }\n",
        );
    let p = hand_period_of(&s, &hand, &["SA", "SB"]).await;
    let assessments = s.list_assessments(p.id, UnitScope::All).await.unwrap();
    let of = |code: &str| assessments.iter().find(|a| a.unit_code == code).unwrap().id;
    let (sa_a, sb_a) = (of("SA"), of("SB"));
    let st = &s;
    let points = move |id: i64, leaf: &'static str| async move {
        st.get_assessment(id).await.unwrap().entries.get(leaf).and_then(|e| e.points.clone()).map(|p| p.to_string())
    };

    // checklists: the samples kept; a bad one refused with its places
    for c in parindex_reports::inspection::samples() {
        s.save_checklist(&ctx(), &c).await.unwrap();
    }
    let mut bad = parindex_reports::inspection::samples().remove(0);
    bad.topic = "Cải cách".into();
    bad.sections[0].items[1].key = bad.sections[0].items[0].key.clone();
    assert_eq!(field_of(s.save_checklist(&ctx(), &bad).await.unwrap_err()).len(), 2);
    assert_eq!(s.inspection_checklists().await.unwrap().len(), 3);

    // the plan first, by the office only; an inspection checked whole
    let team = |lead: &Actor, mem: &Actor| {
        vec![
            MemberInput { user_id: lead.user_id, role: TeamRole::Leader, department: Some("Sở Nội vụ".into()) },
            MemberInput { user_id: mem.user_id, role: TeamRole::Member, department: Some("Sở Tư pháp".into()) },
        ]
    };
    let new =
        |unit_id, checklist: &str, month, members| NewInspection { unit_id, checklist: checklist.into(), planned_month: month, members };
    assert_eq!(
        field_of(s.plan_inspection(&ctx(), &office, 2026, new(sa_unit, "kiem_tra_cchc", 3, team(&leader, &member))).await.unwrap_err()),
        vec!["plan"]
    );
    let plan =
        InspectionPlanInput { number: "12/KH-SNV".into(), signed_on: d(1, 15), title: "Kế hoạch kiểm tra CCHC năm 2026".into() };
    assert!(matches!(s.set_inspection_plan(&ctx(), &leader, 2026, plan.clone()).await, Err(StoreError::Forbidden(_))));
    s.set_inspection_plan(&ctx(), &office, 2026, plan).await.unwrap();
    let both_leaders = vec![
        MemberInput { user_id: leader.user_id, role: TeamRole::Leader, department: None },
        MemberInput { user_id: member.user_id, role: TeamRole::Leader, department: None },
    ];
    assert_eq!(
        field_of(s.plan_inspection(&ctx(), &office, 2026, new(sa_unit, "khong_co", 13, both_leaders)).await.unwrap_err()),
        vec!["checklist", "planned_month", "members"]
    );
    assert!(matches!(
        s.plan_inspection(&ctx(), &leader, 2026, new(sa_unit, "kiem_tra_cchc", 3, team(&leader, &member))).await,
        Err(StoreError::Forbidden(_))
    ));
    let id = s.plan_inspection(&ctx(), &office, 2026, new(sa_unit, "kiem_tra_cchc", 3, team(&leader, &member))).await.unwrap();
    assert!(matches!(
        s.plan_inspection(&ctx(), &office, 2026, new(sa_unit, "kiem_tra_cchc", 5, team(&leader, &member))).await,
        Err(StoreError::Conflict(_))
    ));
    let sb_id = s.plan_inspection(&ctx(), &office, 2026, new(sb_unit, "kiem_tra_noi_vu", 6, team(&member, &leader))).await.unwrap();

    // who sees what: the team and the office all; SA its own, SB not SA's; an appraiser not on the team nothing
    let ids = |who: &Actor| {
        let s = &s;
        let who = who.clone();
        async move {
            s.inspections(&who, &InspectionFilter { year: 2026, ..Default::default() })
                .await
                .unwrap()
                .into_iter()
                .map(|i| i.id)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!((ids(&office).await, ids(&leader).await), (vec![id, sb_id], vec![id, sb_id]));
    assert_eq!((ids(&sa).await, ids(&sb).await, ids(&outsider).await), (vec![id], vec![sb_id], vec![]));
    for who in [&sb, &outsider] {
        assert!(matches!(s.inspection(who, id, today).await, Err(StoreError::Forbidden(_))), "{}", who.username);
    }
    // before any conclusion: nobody inspected (1.2 no), nothing due (1.3 no value), nothing overdue (2.2 full)
    assert_eq!((points(sa_a, "1.2").await, points(sa_a, "2.2").await), (Some("0".into()), Some("1".into())));
    assert_eq!(points(sa_a, "1.3").await, None);

    // the unit uploads a document asked for; it may not record the visit nor add a photo
    let file = |name: &str| NewFile {
        sha256: format!("{:0>64}", name.len()),
        size: 10,
        kind: parindex_core::evidence::Kind::Jpeg,
        name: name.into(),
    };
    s.add_inspection_file(&ctx(), &sa, id, Attach::new("document", Some("chi_dao.ke_hoach"), None), file("ke-hoach.pdf")).await.unwrap();
    assert!(matches!(
        s.add_inspection_file(&ctx(), &sa, id, Attach::new("photo", None, None), file("x.jpg")).await,
        Err(StoreError::Forbidden(_))
    ));
    assert!(matches!(
        s.add_inspection_file(&ctx(), &sb, id, Attach::new("document", None, None), file("x.pdf")).await,
        Err(StoreError::Forbidden(_))
    ));
    let visit = |results: Vec<(&str, Verdict)>, version| VisitInput {
        version,
        visited_on: Some(d(3, 5)),
        results: results
            .into_iter()
            .map(|(k, v)| ResultInput { item_key: k.into(), verdict: v, note: Some(format!("Ghi chú {k}")) })
            .collect(),
    };
    assert!(matches!(
        s.record_visit(&ctx(), &sa, id, visit(vec![("chi_dao.ke_hoach", Verdict::Compliant)], 0), today).await,
        Err(StoreError::Forbidden(_))
    ));
    assert_eq!(
        field_of(s.record_visit(&ctx(), &member, id, visit(vec![("khong.co", Verdict::Compliant)], 0), today).await.unwrap_err()),
        vec!["results"]
    );
    let checklist = s.inspection_checklist("kiem_tra_cchc").await.unwrap();
    let keys: Vec<String> = checklist.items().into_iter().map(|(k, _, _)| k).collect();
    let mut results: Vec<(&str, Verdict)> = keys.iter().map(|k| (k.as_str(), Verdict::Compliant)).collect();
    results[0].1 = Verdict::NotCompliant;
    let last = results.pop().unwrap();
    s.record_visit(&ctx(), &member, id, visit(results, 1), today).await.unwrap();
    assert!(matches!(s.record_visit(&ctx(), &member, id, visit(vec![last], 1), today).await, Err(StoreError::Conflict(_))), "stale form");
    s.add_inspection_file(&ctx(), &member, id, Attach::new("photo", Some(&keys[0]), Some("Bảng niêm yết")), file("anh.jpg")).await.unwrap();

    // the draft conclusion: one finding, two recommendations (one already past its deadline)
    let later = today + chrono::Duration::days(30);
    let findings = vec![FindingInput {
        item_key: Some(keys[0].clone()),
        severity: Severity::Moderate,
        text: "Kế hoạch CCHC ban hành chậm, chưa có kinh phí.".into(),
        recommendations: vec![
            RecommendationInput { owner_unit_id: None, text: "Bổ sung kinh phí thực hiện kế hoạch.".into(), deadline: d(6, 30) },
            RecommendationInput { owner_unit_id: None, text: "Ban hành kế hoạch năm sau đúng hạn.".into(), deadline: later },
        ],
    }];
    assert!(matches!(s.save_findings(&ctx(), &sa, id, 0, findings.clone()).await, Err(StoreError::Forbidden(_))));
    s.save_findings(&ctx(), &member, id, 0, findings).await.unwrap();
    let seen = s.inspection(&sa, id, today).await.unwrap();
    assert!(seen.results.is_none() && seen.findings.is_empty(), "a draft is the team's");
    assert_eq!(seen.files.iter().map(|f| f.kind.as_str()).collect::<Vec<_>>(), vec!["document"], "no photo for the unit");
    let issue = |version| IssueInput {
        version,
        number: "45/KL-SNV".into(),
        concluded_on: d(3, 10),
        summary: "Đơn vị thực hiện cơ bản đầy đủ.".into(),
    };
    // the member may not issue; the leader may not while an item has no verdict
    assert!(matches!(s.issue_conclusion(&ctx(), &member, id, issue(0), today).await, Err(StoreError::Forbidden(_))));
    assert_eq!(field_of(s.issue_conclusion(&ctx(), &leader, id, issue(0), today).await.unwrap_err()), vec!["results"]);
    s.record_visit(&ctx(), &member, id, visit(vec![last], 0), today).await.unwrap();
    let v = s.inspection(&leader, id, today).await.unwrap().inspection.version;
    s.issue_conclusion(&ctx(), &leader, id, issue(v), today).await.unwrap();
    assert!(matches!(
        s.record_visit(&ctx(), &member, id, visit(vec![("chi_dao.ke_hoach", Verdict::Compliant)], 0), today).await,
        Err(StoreError::Forbidden(_))
    ));

    // issued: SA inspected (1.2 yes), one recommendation due and open (0 % → 0; 2.2: 1 − 0.5)
    assert_eq!(
        (points(sa_a, "1.2").await, points(sa_a, "1.3").await, points(sa_a, "2.2").await),
        (Some("1".into()), Some("0".into()), Some("0.5".into()))
    );
    assert_eq!(points(sb_a, "1.2").await, Some("0".into()), "SB's internal-affairs inspection is not concluded");
    let note = s.get_assessment(sa_a).await.unwrap().entries["1.2"].note.clone().unwrap();
    assert!(
        note.contains("Kiểm tra (cải cách hành chính) năm 2026: 1 kết luận ban hành, 2 kiến nghị (1 đến hạn, 0 đã khắc phục, 1 quá hạn)"),
        "{note}"
    );
    let seen = s.inspection(&sa, id, today).await.unwrap();
    assert!(seen.results.is_none(), "never the working notes");
    assert_eq!(seen.findings[0].recommendations.len(), 2);
    assert!(seen.findings[0].recommendations[0].overdue && !seen.findings[0].recommendations[1].overdue);
    let rec = seen.findings[0].recommendations[0].clone();

    // the unit reports, the team returns (with a reason), the unit reports again, the team accepts
    assert!(matches!(s.report_remediation(&ctx(), &sb, rec.id, 0, "Đã xong", vec![]).await, Err(StoreError::Forbidden(_))));
    assert!(matches!(s.report_remediation(&ctx(), &leader, rec.id, 0, "Đã xong", vec![]).await, Err(StoreError::Forbidden(_))));
    assert_eq!(field_of(s.report_remediation(&ctx(), &sa, rec.id, 0, " ", vec![]).await.unwrap_err()), vec!["remediation"]);
    let r = s
        .report_remediation(&ctx(), &sa, rec.id, rec.version, "Đã bổ sung kinh phí tại Quyết định 88/QĐ-SA.", vec![file("qd-88.pdf")])
        .await
        .unwrap();
    assert_eq!(r.status, RemediationStatus::Reported);
    assert_eq!(points(sa_a, "2.2").await, Some("0.5".into()), "reported is not remedied");
    assert!(matches!(
        s.decide_remediation(&ctx(), &sa, rec.id, DecisionInput { version: 0, accept: true, reason: None }).await,
        Err(StoreError::Forbidden(_))
    ));
    assert_eq!(
        field_of(
            s.decide_remediation(&ctx(), &member, rec.id, DecisionInput { version: 0, accept: false, reason: None }).await.unwrap_err()
        ),
        vec!["reason"]
    );
    let r = s
        .decide_remediation(
            &ctx(),
            &member,
            rec.id,
            DecisionInput { version: r.version, accept: false, reason: Some("Thiếu quyết định kèm theo.".into()) },
        )
        .await
        .unwrap();
    assert_eq!((r.status, r.return_reason.as_deref()), (RemediationStatus::Returned, Some("Thiếu quyết định kèm theo.")));
    let r = s.report_remediation(&ctx(), &sa, rec.id, r.version, "Gửi kèm Quyết định 88/QĐ-SA.", vec![file("qd-88-ky.pdf")]).await.unwrap();
    s.decide_remediation(&ctx(), &leader, rec.id, DecisionInput { version: r.version, accept: true, reason: None }).await.unwrap();
    // remedied: 1 of 1 due (100 % → 2), nothing overdue (2.2 full); the other is not due yet
    assert_eq!((points(sa_a, "1.3").await, points(sa_a, "2.2").await), (Some("2".into()), Some("1".into())));
    let own = s.unit_recommendations(&sa, sa_unit, today).await.unwrap();
    assert_eq!(own.iter().map(|r| r.status).collect::<Vec<_>>(), vec![RemediationStatus::Accepted, RemediationStatus::Open]);
    assert!(matches!(s.unit_recommendations(&sb, sa_unit, today).await, Err(StoreError::Forbidden(_))));
    let seen = s.inspection(&sa, id, today).await.unwrap();
    assert_eq!(seen.inspection.status, Status::Issued);
    assert_eq!(seen.files.iter().filter(|f| f.kind == "remediation").count(), 2);
    // a file is read under the same rules: the photo is the team's
    let photo = s.inspection(&leader, id, today).await.unwrap().files.into_iter().find(|f| f.kind == "photo").unwrap();
    assert!(matches!(s.inspection_file(&sa, photo.id).await, Err(StoreError::Forbidden(_))));
    assert!(s.inspection_file(&member, photo.id).await.is_ok());
    let actions: Vec<String> = s
        .list_audit(&AuditFilter { object_type: Some("inspection".into()), ..Default::default() })
        .await
        .unwrap()
        .entries
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(actions.contains(&"inspection.issue".to_string()) && actions.contains(&"inspection.visit".to_string()), "{actions:?}");
    // the daily recompute finds the leaves as they are (each write recomputed them already)
    assert_eq!(s.recompute_inspections_daily(today).await.unwrap(), 0);
    // the daily reminders: the one still open (due in 30 days) reaches SA's staff, linked to it
    let open = seen.findings[0].recommendations[1].clone();
    assert!(s.send_reminders(today, 31).await.unwrap() >= 1);
    let inbox = s.inbox(sa.user_id, 50).await.unwrap();
    assert!(inbox.iter().any(|n| n.link == format!("/kiem-tra/{id}#rec-{}", open.id)), "{inbox:?}");
    assert!(s.inbox(sb.user_id, 50).await.unwrap().iter().all(|n| !n.link.starts_with("/kiem-tra/")), "not SB's");
    // two reports of one recommendation at once: the second is refused, not written over
    s.report_remediation(&ctx(), &sa, open.id, 0, "Lần một", vec![]).await.unwrap();
    assert!(matches!(s.report_remediation(&ctx(), &sa, open.id, 0, "Lần hai", vec![]).await, Err(StoreError::Conflict(_))));
});
