//! Whom to call (issue #17): a unit's focal person, the office's hotline at the foot of every
//! page (public ones too), the officer in charge of a period on the unit's page; who may set
//! them, and who may not.

use super::*;

backend_tests!(contacts_reach_whoever_is_stuck, |b| async move {
    let app = TestApp::spawn(b).await;
    let admin = app.login("admin").await;
    let officer = app.login("officer.a").await;
    let ua = id_of(&app, "UA").await;
    // a unit's contact through the form: a bad phone is refused at its field, a good one shown
    let unit_form = |phone: &'static str| {
        vec![
            ("code", "UA"),
            ("name", "Sở Alpha"),
            ("kind", "agency"),
            ("contact_person", "Lò Thị Mai, chuyên viên"),
            ("contact_phone", phone),
            ("contact_email", "mai@ua.example.vn"),
        ]
    };
    let r = admin.post(app.url(&format!("/units/{ua}"))).form(&unit_form("gọi 12")).send().await.unwrap();
    assert_eq!(r.status(), 422);
    let body = r.text().await.unwrap();
    assert!(body.contains("id=\"cphone-err\"") && body.contains("Số điện thoại “gọi 12” không hợp lệ"), "{body}");
    assert!(body.contains("Lò Thị Mai, chuyên viên"), "what was typed is kept");
    let r = admin.post(app.url(&format!("/units/{ua}"))).form(&unit_form("0212 3852 111")).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let page = officer.get(app.url(&format!("/units/{ua}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("href=\"tel:02123852111\"") && page.contains("mailto:mai@ua.example.vn") && page.contains("Lò Thị Mai"));
    // the unit staff may not change it, nor another unit's
    let r = officer.post(app.url(&format!("/units/{ua}"))).form(&unit_form("0212 3852 999")).send().await.unwrap();
    assert_eq!(r.status(), 403);
    // the API shows it and keeps it when a body leaves it out
    let api = app.api("admin").await;
    let u: Value = api.get(app.url(&format!("/api/v1/units/{ua}"))).send().await.unwrap().json().await.unwrap();
    assert_eq!(u["contact"]["phone"], "0212 3852 111");
    let r = api
        .put(app.url(&format!("/api/v1/units/{ua}")))
        .json(&json!({"code": "UA", "name": "Sở Alpha", "kind": "agency"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let u: Value = r.json().await.unwrap();
    assert_eq!(u["contact"]["email"], "mai@ua.example.vn", "a body without contact leaves it as it is");

    // the office's hotline: only the administrator sets it
    for who in ["officer.a", "secretariat", "appraiser", "council", "viewer"] {
        let c = app.login(who).await;
        assert_eq!(c.get(app.url("/admin/lien-he")).send().await.unwrap().status(), 403, "{who}");
        let r = c.post(app.url("/admin/lien-he")).form(&[("phone", "0212 1")]).send().await.unwrap();
        assert_eq!(r.status(), 403, "{who}");
    }
    let anon = app.client();
    let r = anon.post(app.url("/admin/lien-he")).form(&[("phone", "1")]).send().await.unwrap();
    assert!(matches!(r.status().as_u16(), 401 | 303), "anonymous: {}", r.status());
    assert!(app.store.office_contact().await.unwrap().is_empty(), "no refused request wrote anything");
    let r =
        admin.post(app.url("/admin/lien-he")).form(&[("name", "Phòng CCHC"), ("phone", "0212"), ("email", "cchc")]).send().await.unwrap();
    assert_eq!(r.status(), 422);
    let body = r.text().await.unwrap();
    assert!(body.contains("id=\"phone-err\"") && body.contains("id=\"email-err\"") && body.contains("id=\"loi\""));
    let office = [
        ("name", "Phòng Cải cách hành chính"),
        ("phone", "0212 3852 000"),
        ("email", "cchc@snv.example.vn"),
        ("address", "Trung tâm Hành chính tỉnh"),
        ("hours", "Thứ Hai – thứ Sáu"),
    ];
    let r = admin.post(app.url("/admin/lien-he")).form(&office).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let page = admin.get(app.url(r.headers()["location"].to_str().unwrap())).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Đã lưu thông tin liên hệ."));
    // …and everyone sees it at the foot of the page, the public without signing in
    for (c, path) in [(&anon, "/cong-khai"), (&anon, "/login"), (&officer, "/")] {
        let page = c.get(app.url(path)).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("href=\"tel:02123852000\"") && page.contains("Trung tâm Hành chính tỉnh"), "{path}");
    }

    // the officer in charge of a period: the office names one of its own
    let (a_ua, _) = open_period(&app, chrono::NaiveDate::from_ymd_opt(2099, 12, 31).unwrap()).await;
    let pid = app.store.get_assessment(a_ua).await.unwrap().period.id;
    let r = officer.post(app.url(&format!("/periods/{pid}/contact"))).form(&[("contact", "officer.a")]).send().await.unwrap();
    assert_eq!(r.status(), 403);
    let r = admin.post(app.url(&format!("/periods/{pid}/contact"))).form(&[("contact", "officer.a")]).send().await.unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("không phải tài khoản đang hoạt động của Phòng Cải cách hành chính"));
    let r = admin.post(app.url(&format!("/periods/{pid}/contact"))).form(&[("contact", "admin")]).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let page = officer.get(app.url(&format!("/assessments/{a_ua}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("id=\"help-contacts\"") && page.contains("Cán bộ phụ trách kỳ đánh giá") && page.contains("Người dùng admin"));
    // through the API: the same rule, the same answer
    let r = app
        .api("officer.a")
        .await
        .post(app.url(&format!("/api/v1/periods/{pid}/contact")))
        .json(&json!({"username": "admin"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = api.post(app.url(&format!("/api/v1/periods/{pid}/contact"))).json(&json!({"username": "viewer"})).send().await.unwrap();
    assert_eq!(r.status(), 422);
    let r = api.post(app.url(&format!("/api/v1/periods/{pid}/contact"))).json(&json!({})).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let p: Value = r.json().await.unwrap();
    assert!(p["contact"].is_null(), "nobody in charge any more");
    let audit = app
        .store
        .list_audit(&parindex_store::repo::audit::AuditFilter { action: Some("period.contact".into()), ..Default::default() })
        .await
        .unwrap();
    assert_eq!(audit.total, 2);
});
