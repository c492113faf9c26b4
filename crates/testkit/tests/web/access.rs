//! Who may see and do what: anonymous pages, sign-in, throttling, a unit's staff, the API against the core matrix, cross-site posts.

use super::*;

backend_tests!(anonymous_sees_only_public_pages, |b| async move {
    let app = TestApp::spawn(b).await;
    let c = app.client();
    let home = c.get(app.url("/")).send().await.unwrap();
    assert_eq!(home.status(), 200);
    let body = home.text().await.unwrap();
    assert!(body.contains("lang=\"vi\"") && body.contains("Đăng nhập"), "Vietnamese by default");
    for path in ["/units", "/units/1", "/units/new", "/units/import", "/admin/users", "/admin/audit", "/account", "/units/template.xlsx"] {
        let r = c.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 303, "{path}");
        assert!(r.headers()["location"].to_str().unwrap().starts_with("/login?next="), "{path}");
    }
    for path in ["/api/v1/units", "/api/v1/units/1", "/api/v1/me", "/api/v1/audit", "/api/v1/unit-kinds"] {
        let r = c.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 401, "{path}");
        let j: Value = r.json().await.unwrap();
        assert_eq!(j["error"]["code"], "unauthenticated");
    }
    let r = c.get(app.url("/api/v1/units")).header("authorization", "Bearer pxt_forged").send().await.unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], "invalid_token");
    let r = c.post(app.url("/units")).form(&[("code", "X"), ("name", "X"), ("kind", "agency")]).send().await.unwrap();
    assert_eq!(r.status(), 303, "anonymous POST is sent to sign in");
    assert_eq!(unit_count(&app).await, 3);
    assert_eq!(c.get(app.url("/healthz")).send().await.unwrap().text().await.unwrap(), "ok");
    assert_eq!(c.get(app.url("/readyz")).send().await.unwrap().status(), 200);
    let m = c.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(m.contains("parindex_http_requests_total{class=\"3xx\"}"));
    let doc: Value = c.get(app.url("/api/v1/openapi.json")).send().await.unwrap().json().await.unwrap();
    assert!(doc["paths"]["/api/v1/units"]["get"].is_object());
    assert!(doc["paths"]["/api/v1/units/import"]["post"].is_object());
    let nf = c.get(app.url("/khong-co")).send().await.unwrap();
    assert_eq!(nf.status(), 404);
    assert!(nf.text().await.unwrap().contains("Không tìm thấy"));
    let nf = c.get(app.url("/api/v1/khong-co")).send().await.unwrap();
    assert_eq!(nf.json::<Value>().await.unwrap()["error"]["code"], "not_found");
});

backend_tests!(sign_in_out_and_wrong_password, |b| async move {
    let app = TestApp::spawn(b).await;
    let c = app.client();
    let r =
        c.post(app.url("/login")).form(&[("username", "admin"), ("password", "sai-mat-khau"), ("next", "/units")]).send().await.unwrap();
    assert_eq!(r.status(), 401);
    let body = r.text().await.unwrap();
    assert!(body.contains("Tên đăng nhập hoặc mật khẩu không đúng."));
    assert!(body.contains("value=\"admin\""), "the username is kept");
    let r = c.post(app.url("/login")).form(&[("username", "admin"), ("password", PASSWORD), ("next", "/units")]).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/units");
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    let units = c.get(app.url("/units")).send().await.unwrap();
    assert_eq!(units.status(), 200);
    assert!(units.text().await.unwrap().contains("Sở Bêta"));
    // an open redirect is refused
    let r = app
        .client()
        .post(app.url("/login"))
        .form(&[("username", "admin"), ("password", PASSWORD), ("next", "//evil.example")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/");
    let out = c.post(app.url("/logout")).send().await.unwrap();
    assert_eq!(out.status(), 303);
    assert_eq!(c.get(app.url("/units")).send().await.unwrap().status(), 303, "signed out");
});

backend_tests!(login_is_throttled_per_address, |b| async move {
    let app = TestApp::spawn(b).await;
    let c = app.client();
    let mut last = 0;
    // 50 failures from one address are free (a department behind one address), then it waits
    for i in 0..52 {
        let user = format!("khong-ton-tai-{i}");
        last = c.post(app.url("/login")).form(&[("username", user.as_str()), ("password", "x")]).send().await.unwrap().status().as_u16();
    }
    assert_eq!(last, 429);
    // many successful sign-ins from one address (an office behind NAT) are never throttled
    let app = TestApp::spawn(b).await;
    for _ in 0..30 {
        app.login("viewer").await;
    }
});

backend_tests!(unit_staff_see_only_their_unit, |b| async move {
    let app = TestApp::spawn(b).await;
    let (ua, ub) = (id_of(&app, "UA").await, id_of(&app, "UB").await);
    let c = app.login("officer.a").await;
    let list = c.get(app.url("/units")).send().await.unwrap().text().await.unwrap();
    assert!(list.contains("Sở Alpha") && !list.contains("Sở Bêta") && !list.contains("Chiềng Cọ"));
    assert_eq!(c.get(app.url(&format!("/units/{ua}"))).send().await.unwrap().status(), 200);
    // UB merged into UA: its name is shown on UA's page, but not as a link the officer would
    // follow into a 403 (issue #17)
    let sys = parindex_store::AuditCtx::system("test");
    app.store.add_lineage(&sys, ub, ua, parindex_core::unit::LineageKind::MergedInto, None).await.unwrap();
    let own = c.get(app.url(&format!("/units/{ua}"))).send().await.unwrap().text().await.unwrap();
    assert!(own.contains("Sở Bêta") && !own.contains(&format!("href=\"/units/{ub}\"")), "no link into a refusal");
    let office = app.login("secretariat").await.get(app.url(&format!("/units/{ua}"))).send().await.unwrap().text().await.unwrap();
    assert!(office.contains(&format!("href=\"/units/{ub}\"")), "the office follows it");
    let denied = c.get(app.url(&format!("/units/{ub}"))).send().await.unwrap();
    assert_eq!(denied.status(), 403);
    let text = denied.text().await.unwrap();
    assert!(text.contains("không có quyền") && !text.contains("Sở Bêta"));
    let csv = c.get(app.url("/units?format=csv&status=all")).send().await.unwrap().text().await.unwrap();
    assert!(csv.contains("UA") && !csv.contains("UB,"), "downloads are scoped too");
    for path in ["/units/new", "/units/import", "/admin/users", "/admin/audit", "/units/template.csv"] {
        assert_eq!(c.get(app.url(path)).send().await.unwrap().status(), 403, "{path}");
    }
    assert_eq!(c.get(app.url(&format!("/units/{ua}/edit"))).send().await.unwrap().status(), 403);
    let r = c.post(app.url(&format!("/units/{ub}"))).form(&[("code", "UB"), ("name", "Đổi"), ("kind", "agency")]).send().await.unwrap();
    assert_eq!(r.status(), 403);
    let r = c.post(app.url(&format!("/units/{ub}/active"))).form(&[("active", "false")]).send().await.unwrap();
    assert_eq!(r.status(), 403);
    // the same through the API
    let api = app.api("officer.a").await;
    let units: Vec<Value> = api.get(app.url("/api/v1/units?status=all")).send().await.unwrap().json().await.unwrap();
    assert_eq!(units.len(), 1);
    assert_eq!(units[0]["code"], "UA");
    let r = api.get(app.url(&format!("/api/v1/units/{ub}"))).send().await.unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], "forbidden");
    let r = api.put(app.url(&format!("/api/v1/units/{ub}"))).json(&json!({"code":"UB","name":"X","kind":"agency"})).send().await.unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(app.store.get_unit(ub).await.unwrap().unit.name, "Sở Bêta", "unchanged");
});

backend_tests!(api_decisions_follow_the_core_matrix, |b| async move {
    let app = TestApp::spawn(b).await;
    let (ua, ub) = (id_of(&app, "UA").await, id_of(&app, "UB").await);
    for (username, role, unit) in USERS {
        let actor = Actor {
            user_id: 0,
            username: username.to_string(),
            role: *role,
            unit_id: match unit {
                Some(c) => Some(id_of(&app, c).await),
                None => None,
            },
        };
        let api = app.api(username).await;
        for (id, res) in [(ua, Resource::Unit(ua)), (ub, Resource::Unit(ub))] {
            let got = api.get(app.url(&format!("/api/v1/units/{id}"))).send().await.unwrap().status().as_u16();
            let want = if can(Some(&actor), Action::ViewUnit, res) { 200 } else { 403 };
            assert_eq!(got, want, "{username} GET unit {id}");
        }
        let got = api.get(app.url("/api/v1/audit")).send().await.unwrap().status().as_u16();
        assert_eq!(got, if can(Some(&actor), Action::ViewAuditLog, Resource::System) { 200 } else { 403 }, "{username} audit");
        let code = format!("N{}", username.replace('.', ""));
        let got = api
            .post(app.url("/api/v1/units"))
            .json(&json!({"code": code, "name": "Đơn vị mới", "kind": "agency"}))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16();
        assert_eq!(got, if can(Some(&actor), Action::CreateUnit, Resource::System) { 201 } else { 403 }, "{username} create");
        let me: Value = api.get(app.url("/api/v1/me")).send().await.unwrap().json().await.unwrap();
        assert_eq!(me["username"], *username);
    }
});

backend_tests!(cross_site_posts_are_refused, |b| async move {
    let app = TestApp::spawn(b).await;
    let c = app.login("admin").await;
    let form = [("code", "CSRF1"), ("name", "Tấn công"), ("kind", "agency")];
    let r = c.post(app.url("/units")).header("origin", "https://evil.example").form(&form).send().await.unwrap();
    assert_eq!(r.status(), 403);
    let r = c.post(app.url("/units")).header("sec-fetch-site", "cross-site").form(&form).send().await.unwrap();
    assert_eq!(r.status(), 403);
    // neither header: refused as well
    let bare = reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let r = bare.post(app.url("/login")).form(&[("username", "admin"), ("password", PASSWORD)]).send().await.unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(unit_count(&app).await, 3);
    // same origin passes; so does a Bearer token without any Origin
    let r = c.post(app.url("/units")).header("sec-fetch-site", "same-origin").form(&form).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let api = app.api("admin").await;
    let r = api.post(app.url("/api/v1/units")).json(&json!({"code":"CSRF2","name":"API","kind":"agency"})).send().await.unwrap();
    assert_eq!(r.status(), 201);
});

// The guides per role (issue #17): public pages; each page's help link opens the reader's own.
backend_tests!(every_page_links_the_guide_of_its_readers_role, |b| async move {
    let app = TestApp::spawn(b).await;
    let anon = app.client();
    let r = anon.get(app.url("/huong-dan")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let index = r.text().await.unwrap();
    assert!(index.contains("href=\"/huong-dan/don-vi\"") && index.contains("href=\"/huong-dan/hoi-dong\""), "the index links each guide");
    assert_eq!(anon.get(app.url("/huong-dan/khong-co")).send().await.unwrap().status(), 404);
    for (user, guide) in [
        ("officer.a", "don-vi"),
        ("appraiser", "tham-dinh"),
        ("council", "hoi-dong"),
        ("secretariat", "phong-cchc"),
        ("viewer", "lanh-dao"),
    ] {
        let c = app.login(user).await;
        let home = c.get(app.url("/")).send().await.unwrap().text().await.unwrap();
        assert!(home.contains(&format!("class=\"help\" href=\"/huong-dan/{guide}\"")), "{user}");
        let page = c.get(app.url(&format!("/huong-dan/{guide}"))).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("<article class=\"guide\"><h1>Hướng dẫn"), "{user}");
    }
});

// Issue #17: a dashboard per role on the home page, no developer placeholder.
backend_tests!(each_role_has_its_dashboard, |b| async move {
    let app = TestApp::spawn(b).await;
    let (_ua, _ub) = open_period(&app, parindex_core::assessment::today_vn() + chrono::Duration::days(10)).await;
    let home = |user: &'static str| {
        let app = &app;
        async move { app.login(user).await.get(app.url("/")).send().await.unwrap().text().await.unwrap() }
    };
    for user in ["admin", "secretariat", "appraiser", "council", "viewer", "officer.a", "leader.a"] {
        assert!(!home(user).await.contains("khi được triển khai"), "{user}: no placeholder");
    }
    let office = home("secretariat").await;
    assert!(office.contains("id=\"periods-progress\"") && office.contains("Năm 2026") && office.contains("Hạn sắp tới"), "the office");
    assert!(!office.contains("id=\"activity\""), "the audit log is the administrator's");
    assert!(home("admin").await.contains("id=\"activity\""), "the administrator sees the latest activity");
    let appraiser = home("appraiser").await;
    assert!(appraiser.contains("id=\"my-queue\"") && !appraiser.contains("id=\"periods-progress\""), "the appraiser's queue");
    let council = home("council").await;
    assert!(council.contains("id=\"periods-progress\"") && council.contains("Sẵn sàng phê duyệt"), "what awaits the council");
    let viewer = home("viewer").await;
    assert!(viewer.contains("id=\"periods-progress\"") && !viewer.contains("Sẵn sàng phê duyệt"), "the province at a glance");
    let officer = home("officer.a").await;
    assert!(officer.contains("id=\"my-assessments\"") && !officer.contains("id=\"periods-progress\""), "a unit sees its own");
});
