//! The HTTP layer end to end over a real socket, on SQLite and PostgreSQL: who may see and do
//! what (denials first), sign-in, CSRF, imports of malformed files, the API and its document.

use parindex_core::{Action, Actor, Resource, can};
use parindex_testkit::fixture::{PASSWORD, USERS};
use parindex_testkit::surveys::open_sipas_run;
use parindex_testkit::{TestApp, backend_tests};
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

mod one_model;

async fn id_of(app: &TestApp, code: &str) -> i64 {
    app.store.unit_id_by_code(code).await.unwrap().unwrap()
}

async fn unit_count(app: &TestApp) -> usize {
    use parindex_store::repo::units::{StatusFilter, UnitFilter};
    app.store
        .list_units(parindex_core::UnitScope::All, &UnitFilter { status: StatusFilter::All, ..Default::default() })
        .await
        .unwrap()
        .len()
}

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

backend_tests!(admin_manages_units_through_pages, |b| async move {
    let app = TestApp::spawn(b).await;
    let c = app.login("admin").await;
    let r =
        c.post(app.url("/units")).form(&[("code", ""), ("name", " "), ("kind", ""), ("active_from", "32/13/2025")]).send().await.unwrap();
    assert_eq!(r.status(), 422);
    let body = r.text().await.unwrap();
    assert!(body.contains("aria-invalid=\"true\"") && body.contains("Ngày không hợp lệ"));
    let r = c
        .post(app.url("/units"))
        .form(&[
            ("code", "x-new"),
            ("name", "UBND xã Mới"),
            ("kind", "commune"),
            ("parent_code", "UA"),
            ("active_from", "01/07/2025"),
            ("area", "Vùng 2"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let loc = r.headers()["location"].to_str().unwrap().to_string();
    let page = c.get(app.url(&loc)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("UBND xã Mới") && page.contains("X-NEW") && page.contains("01/07/2025") && page.contains("Đã lưu đơn vị."));
    let dup = c.post(app.url("/units")).form(&[("code", "X-NEW"), ("name", "Trùng"), ("kind", "commune")]).send().await.unwrap();
    assert_eq!(dup.status(), 422);
    assert!(dup.text().await.unwrap().contains("đã được dùng"));
    let id = id_of(&app, "X-NEW").await;
    let r = c
        .post(app.url(&format!("/units/{id}/active")))
        .form(&[("active", "false"), ("ended_on", "31/12/2026"), ("reason", "Sáp nhập")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert!(!app.store.get_unit(id).await.unwrap().unit.active);
    let audit = c.get(app.url("/admin/audit?action=unit.deactivate")).send().await.unwrap().text().await.unwrap();
    assert!(audit.contains("unit.deactivate") && audit.contains("Sáp nhập"));
    let xlsx = c.get(app.url("/units?format=xlsx&status=all")).send().await.unwrap();
    assert_eq!(xlsx.headers()["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    assert!(xlsx.bytes().await.unwrap().starts_with(b"PK"));
    let en = c.get(app.url("/lang/en?next=/units")).send().await.unwrap();
    assert_eq!(en.headers()["location"], "/units");
    let page = c.get(app.url("/units")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("lang=\"en\"") && page.contains("New unit"));
});

fn xlsx_with_rows(rows: &[[&str; 3]]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["ma_don_vi", "ten_don_vi", "loai"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32 + 1, c as u16, *v).unwrap();
        }
    }
    wb.save_to_buffer().unwrap()
}

async fn upload(c: &reqwest::Client, app: &TestApp, name: &str, bytes: Vec<u8>) -> (u16, String) {
    let form = Form::new().part("file", Part::bytes(bytes).file_name(name.to_string()));
    let r = c.post(app.url("/units/import")).multipart(form).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

backend_tests!(malformed_imports_write_nothing, |b| async move {
    let app = TestApp::spawn(b).await;
    let c = app.login("secretariat").await;
    let before = unit_count(&app).await;
    let audit_before = app.store.list_audit(&Default::default()).await.unwrap().total;
    let mut win1258 = b"ma_don_vi,ten_don_vi,loai\nA1,S".to_vec();
    win1258.extend_from_slice(&[0xD4, 0x9F, 0x20]); // "Sở" in Windows-1258: S + ơ + combining hook
    win1258.extend_from_slice(b"N\xF4i v\xF5\n");
    let mut big = vec![0u8; 10 * 1024 * 1024];
    for (i, x) in big.iter_mut().enumerate() {
        *x = (i.wrapping_mul(2654435761) >> 13) as u8;
    }
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("sai-cot.csv", b"code,title,kind\nA,B,agency\n".to_vec(), "không thuộc mẫu"),
        ("trung.csv", "ma_don_vi,ten_don_vi,loai\nN1,Sở Một,agency\nN1,Sở Một lặp,agency\n".as_bytes().to_vec(), "trùng với dòng 2"),
        ("trung.xlsx", xlsx_with_rows(&[["N2", "Sở Hai", "agency"], ["n2", "Sở Hai lặp", "agency"]]), "trùng với dòng 2"),
        ("rong.csv", vec![], "trống"),
        ("nhi-phan.xlsx", big, "không phải là sổ tính Excel"),
        ("win1258.csv", win1258, "UTF-8"),
        ("loai-sai.csv", "ma_don_vi,ten_don_vi,loai\nN3,Sở Ba,hành tinh\nN4,,agency\n".as_bytes().to_vec(), "không có trong danh mục"),
    ];
    for (name, bytes, expect) in cases {
        let (status, body) = upload(&c, &app, name, bytes).await;
        assert_eq!(status, 422, "{name}");
        assert!(body.contains(expect), "{name}: expected “{expect}” in the report");
        assert!(body.contains("chưa có dữ liệu nào được ghi"), "{name}");
        assert!(body.contains(name), "{name}: the report names the file");
    }
    assert_eq!(unit_count(&app).await, before, "nothing was written");
    assert_eq!(app.store.list_audit(&Default::default()).await.unwrap().total, audit_before);
    // the row-level report, through the API
    let api = app.api("secretariat").await;
    let r = api
        .post(app.url("/api/v1/units/import?filename=trung.csv"))
        .body("ma_don_vi,ten_don_vi,loai\nN1,A,agency\nN1,B,agency\n")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let j: Value = r.json().await.unwrap();
    assert_eq!(j["error"]["code"], "invalid_file");
    assert_eq!(j["error"]["details"][0]["row"], 3);
    assert_eq!(j["error"]["details"][0]["field"], "code");
    // and a good file goes in
    let good =
        "ma_don_vi,ten_don_vi,loai,ma_don_vi_cha,hieu_luc_tu\nP-MOI,UBND phường Mới,phường,UA,01/07/2025\nUA,Sở Alpha (mới),agency,,\n";
    let (status, body) = upload(&c, &app, "tot.csv", good.as_bytes().to_vec()).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("id=\"import-ok\""));
    assert_eq!(unit_count(&app).await, before + 1);
    let r = api.post(app.url("/api/v1/units/import?filename=tot.csv")).body(good).send().await.unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["unchanged"], 2);
});

backend_tests!(api_units_crud_and_validation, |b| async move {
    let app = TestApp::spawn(b).await;
    let api = app.api("admin").await;
    let r = api.post(app.url("/api/v1/units")).json(&json!({"code":"bad code!","name":"","kind":"agency"})).send().await.unwrap();
    assert_eq!(r.status(), 422);
    let j: Value = r.json().await.unwrap();
    let fields: Vec<_> = j["error"]["details"].as_array().unwrap().iter().map(|d| d["field"].as_str().unwrap().to_string()).collect();
    assert_eq!(fields, vec!["code", "name"]);
    let r = api
        .post(app.url("/api/v1/units"))
        .header("accept-language", "en")
        .json(&json!({"code":"UA","name":"Dup","kind":"agency"}))
        .send()
        .await
        .unwrap();
    let j: Value = r.json().await.unwrap();
    assert!(j["error"]["details"][0]["message"].as_str().unwrap().contains("already in use"), "{j}");
    let created: Value = api
        .post(app.url("/api/v1/units"))
        .json(&json!({"code":"w-1","name":"UBND phường Một","kind":"ward","parent_code":"UA","active_from":"2025-07-01"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(created["code"], "W-1");
    assert_eq!(created["parent_code"], "UA");
    let id = created["id"].as_i64().unwrap();
    let upd: Value = api
        .put(app.url(&format!("/api/v1/units/{id}")))
        .json(&json!({"code":"W-1","name":"UBND phường Một (đổi tên)","kind":"ward"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(upd["parent_code"], Value::Null);
    let off: Value = api
        .post(app.url(&format!("/api/v1/units/{id}/active")))
        .json(&json!({"active":false,"ended_on":"2026-12-31","reason":"thử"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(off["active"], false);
    assert_eq!(off["active_to"], "2026-12-31");
    let kinds: Vec<Value> = api.get(app.url("/api/v1/unit-kinds")).send().await.unwrap().json().await.unwrap();
    assert_eq!(kinds.len(), 5);
    assert_eq!(api.get(app.url("/api/v1/units/999999")).send().await.unwrap().status(), 404);
    let audit: Value = api.get(app.url("/api/v1/audit?object_id=W-1")).send().await.unwrap().json().await.unwrap();
    let actions: Vec<_> = audit["entries"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap().to_string()).collect();
    assert_eq!(actions, vec!["unit.deactivate", "unit.update", "unit.create"]);
    assert_eq!(audit["entries"][1]["before"]["name"], "UBND phường Một");
});

backend_tests!(admin_manages_users_and_passwords, |b| async move {
    let app = TestApp::spawn(b).await;
    let c = app.login("admin").await;
    let r = c
        .post(app.url("/admin/users"))
        .form(&[("username", "canbo.moi"), ("full_name", "Lò Thị Mới"), ("role", "unit_officer"), ("unit_code", "UB"), ("email", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body = r.text().await.unwrap();
    let pw_start = body.find("id=\"new-password\">").expect("password shown once") + "id=\"new-password\">".len();
    let password = body[pw_start..pw_start + 16].to_string();
    let r = app.client().post(app.url("/login")).form(&[("username", "canbo.moi"), ("password", password.as_str())]).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let r = c
        .post(app.url("/admin/users"))
        .form(&[("username", "canbo.moi2"), ("full_name", "X"), ("role", "unit_officer"), ("unit_code", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("cần thuộc một đơn vị"));
    assert_eq!(c.post(app.url("/admin/users/canbo.moi/disable")).send().await.unwrap().status(), 303);
    let r = app.client().post(app.url("/login")).form(&[("username", "canbo.moi"), ("password", password.as_str())]).send().await.unwrap();
    assert_eq!(r.status(), 401);
    let r = c.post(app.url("/admin/users/admin/disable")).send().await.unwrap();
    assert_eq!(r.status(), 422, "an admin cannot lock themself out");
    // own password change ends the session
    let me = app.login("viewer").await;
    let r = me
        .post(app.url("/account/password"))
        .form(&[("current", "sai"), ("new", "mat-khau-moi-2026"), ("confirm", "mat-khau-moi-2026")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let r = me
        .post(app.url("/account/password"))
        .form(&[("current", PASSWORD), ("new", "mat-khau-moi-2026"), ("confirm", "mat-khau-moi-2026")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(me.get(app.url("/account")).send().await.unwrap().status(), 303, "session ended");
    let r = app.client().post(app.url("/login")).form(&[("username", "viewer"), ("password", "mat-khau-moi-2026")]).send().await.unwrap();
    assert_eq!(r.status(), 303);
});

backend_tests!(lineage_through_pages_and_api, |b| async move {
    let app = TestApp::spawn(b).await;
    let (ua, ub) = (id_of(&app, "UA").await, id_of(&app, "UB").await);
    let c = app.login("admin").await;
    let r = c
        .post(app.url(&format!("/units/{ua}/lineage")))
        .form(&[("relation", "merged_in"), ("other_code", "ub"), ("effective_on", "01/07/2025")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let page = c.get(app.url(&format!("/units/{ua}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Sở Bêta") && page.contains("đã sáp nhập vào đơn vị này") && page.contains("01/07/2025"));
    let again =
        c.post(app.url(&format!("/units/{ua}/lineage"))).form(&[("relation", "merged_in"), ("other_code", "UB")]).send().await.unwrap();
    assert_eq!(again.status(), 422);
    assert!(again.text().await.unwrap().contains("đã được ghi nhận"));
    let unknown = c
        .post(app.url(&format!("/units/{ua}/lineage")))
        .form(&[("relation", "split_from"), ("other_code", "KHONGCO")])
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 422);
    // the API sees the link from both ends, and unit staff cannot touch it
    let api = app.api("secretariat").await;
    let d: Value = api.get(app.url(&format!("/api/v1/units/{ub}"))).send().await.unwrap().json().await.unwrap();
    assert_eq!(d["successors"][0]["unit_code"], "UA");
    let link = d["successors"][0]["id"].as_i64().unwrap();
    let officer = app.api("officer.a").await;
    assert_eq!(officer.delete(app.url(&format!("/api/v1/units/{ua}/lineage/{link}"))).send().await.unwrap().status(), 403);
    assert_eq!(
        officer
            .post(app.url(&format!("/api/v1/units/{ua}/lineage")))
            .json(&json!({"relation":"split_from","other_code":"XC"}))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    assert_eq!(api.delete(app.url(&format!("/api/v1/units/{ua}/lineage/{link}"))).send().await.unwrap().status(), 204);
    let r = api
        .post(app.url(&format!("/api/v1/units/{ua}/lineage")))
        .json(&json!({"relation":"split_from","other_code":"XC","effective_on":"2025-07-01"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let d: Value = r.json().await.unwrap();
    assert_eq!(d["predecessors"][0]["relation"], "split_from");
    let r = api
        .post(app.url(&format!("/api/v1/units/{ua}/lineage")))
        .json(&json!({"relation":"sideways","other_code":"XC"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let audit: Value = app.api("admin").await.get(app.url("/api/v1/audit?action=unit.lineage")).send().await.unwrap().json().await.unwrap();
    assert_eq!(audit["total"], 3, "two links and one removal");
});

backend_tests!(users_through_api_and_edit_page, |b| async move {
    let app = TestApp::spawn(b).await;
    let api = app.api("admin").await;
    let r = api
        .post(app.url("/api/v1/users"))
        .json(&json!({"username":"lanhdao.b","full_name":"Lãnh Đạo B","role":"unit_leader","unit_code":"UB"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let created: Value = r.json().await.unwrap();
    assert_eq!(created["user"]["unit_code"], "UB");
    assert_eq!(created["password"].as_str().unwrap().len(), 16);
    let r = api.post(app.url("/api/v1/users")).json(&json!({"username":"x.y","full_name":"X","role":"emperor"})).send().await.unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["details"][0]["field"], "role");
    let users: Vec<Value> = api.get(app.url("/api/v1/users")).send().await.unwrap().json().await.unwrap();
    assert_eq!(users.len(), parindex_testkit::fixture::USERS.len() + 1);
    assert_eq!(app.api("secretariat").await.get(app.url("/api/v1/users")).send().await.unwrap().status(), 403);
    // moving officer.a to unit B through the page changes what they can see at once
    let c = app.login("admin").await;
    let form = c.get(app.url("/admin/users/officer.a/edit")).send().await.unwrap().text().await.unwrap();
    assert!(form.contains("value=\"UA\" selected"));
    let officer = app.api("officer.a").await;
    let ub = id_of(&app, "UB").await;
    assert_eq!(officer.get(app.url(&format!("/api/v1/units/{ub}"))).send().await.unwrap().status(), 403);
    let r = c
        .post(app.url("/admin/users/officer.a/edit"))
        .form(&[("full_name", "Cán Bộ A"), ("email", ""), ("role", "unit_officer"), ("unit_code", "UB")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(officer.get(app.url(&format!("/api/v1/units/{ub}"))).send().await.unwrap().status(), 200);
    let r = c
        .post(app.url("/admin/users/officer.a/edit"))
        .form(&[("full_name", "Cán Bộ A"), ("email", ""), ("role", "unit_officer"), ("unit_code", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(app.login("officer.a").await.get(app.url("/admin/users/officer.b/edit")).send().await.unwrap().status(), 403);
    let ids = c.get(app.url("/healthz")).send().await.unwrap();
    assert!(ids.headers().contains_key("x-request-id"));
});

backend_tests!(frameworks_through_the_api, |b| async move {
    let app = TestApp::spawn(b).await;
    let hand = include_str!("../../../../frameworks/examples/hand-computed.yaml");
    let inputs = include_str!("../../../../frameworks/examples/hand-computed-inputs.yaml");
    let officer = app.api("officer.a").await;
    let r = officer.post(app.url("/api/v1/frameworks?filename=vd.yaml")).body(hand).send().await.unwrap();
    assert_eq!(r.status(), 403, "only the reform office imports frameworks");
    let anon = reqwest::Client::new();
    assert_eq!(anon.get(app.url("/api/v1/frameworks")).send().await.unwrap().status(), 401);
    let admin = app.api("admin").await;
    let broken = hand.replace("total: 10", "total: 11").replace("range: \"[70, 90]\"", "range: \"[75, 90]\"");
    let r = admin.post(app.url("/api/v1/frameworks?filename=hong.yaml")).body(broken).send().await.unwrap();
    assert_eq!(r.status(), 422);
    let j: Value = r.json().await.unwrap();
    assert_eq!(j["error"]["code"], "invalid_framework");
    let codes: Vec<_> = j["error"]["details"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap().to_string()).collect();
    assert_eq!(codes, vec!["1.3", ""]);
    let r = admin.post(app.url("/api/v1/frameworks?filename=vd.yaml")).body(hand).send().await.unwrap();
    assert_eq!(r.status(), 201);
    assert_eq!(r.json::<Value>().await.unwrap()["leaves"], 8);
    // everyone signed in reads it and uses the calculator
    let list: Vec<Value> = officer.get(app.url("/api/v1/frameworks")).send().await.unwrap().json().await.unwrap();
    assert_eq!(list[0]["code"], "VD-TINH-TAY");
    let yaml = officer.get(app.url("/api/v1/frameworks/VD-TINH-TAY?format=yaml")).send().await.unwrap().text().await.unwrap();
    let again = parindex_reports::framework::parse_framework("back.yaml", &yaml).unwrap();
    assert_eq!(again, parindex_reports::framework::parse_framework("vd.yaml", hand).unwrap(), "API export round-trips");
    let r: Value = officer.post(app.url("/api/v1/frameworks/VD-TINH-TAY/score")).body(inputs).send().await.unwrap().json().await.unwrap();
    assert_eq!(r["index"]["exact"], "589931/8730");
    assert_eq!(r["index"]["value"], "67.58");
    let r = officer.post(app.url("/api/v1/frameworks/VD-TINH-TAY/score")).body("inputs:\n  \"1.3\": 120\n").send().await.unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["details"][0]["code"], "1.3");
    assert_eq!(officer.post(app.url("/api/v1/frameworks/VD-TINH-TAY/publish")).send().await.unwrap().status(), 403);
    // publish, then it cannot be replaced; a new version can
    assert_eq!(admin.post(app.url("/api/v1/frameworks/VD-TINH-TAY/publish")).send().await.unwrap().status(), 200);
    assert_eq!(admin.post(app.url("/api/v1/frameworks?filename=vd.yaml")).body(hand).send().await.unwrap().status(), 409);
    let r = admin.post(app.url("/api/v1/frameworks/VD-TINH-TAY/versions")).json(&json!({"new_code": "VD-2027"})).send().await.unwrap();
    assert_eq!(r.status(), 201);
    assert_eq!(r.json::<Value>().await.unwrap()["derived_from"], "VD-TINH-TAY");
    assert_eq!(admin.get(app.url("/api/v1/frameworks/KHONG-CO")).send().await.unwrap().status(), 404);
});

backend_tests!(framework_pages, |b| async move {
    let app = TestApp::spawn(b).await;
    let sample = include_str!("../../../../frameworks/samples/agency-2026.yaml");
    let fw = parindex_reports::framework::parse_framework("agency-2026.yaml", sample).unwrap();
    app.store.import_framework(&parindex_store::AuditCtx::system("test"), fw, "agency-2026.yaml").await.unwrap();
    assert_eq!(app.client().get(app.url("/frameworks")).send().await.unwrap().status(), 303, "sign in first");
    let officer = app.login("officer.a").await;
    let list = officer.get(app.url("/frameworks")).send().await.unwrap().text().await.unwrap();
    assert!(list.contains("MAU-SO-2026") && list.contains("Dự thảo") && list.contains("href=\"/frameworks\""));
    let page = officer.get(app.url("/frameworks/MAU-SO-2026")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("<details open>") && page.contains("3.3.1") && page.contains("Theo tỷ lệ %: [0; 70) → 0"));
    assert!(page.contains("Bắt buộc có tài liệu kiểm chứng") && !page.contains("id=\"new-version\""), "no management for unit staff");
    assert_eq!(officer.post(app.url("/frameworks/MAU-SO-2026/publish")).send().await.unwrap().status(), 403);
    let admin = app.login("admin").await;
    let r = admin.post(app.url("/frameworks/MAU-SO-2026/publish")).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert!(admin.get(app.url("/frameworks/MAU-SO-2026")).send().await.unwrap().text().await.unwrap().contains("Đã ban hành"));
    let again = admin.post(app.url("/frameworks/MAU-SO-2026/publish")).send().await.unwrap();
    assert_eq!(again.status(), 409);
    let r = admin
        .post(app.url("/frameworks/MAU-SO-2026/versions"))
        .form(&[("new_code", "MAU-SO-2027"), ("name", "Bộ chỉ số 2027")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/frameworks/MAU-SO-2027");
    assert_eq!(officer.get(app.url("/frameworks/KHONG-CO")).send().await.unwrap().status(), 404);
    // change the new draft (rename a leaf, move a point, drop a leaf, add one) and compare
    let changed = sample
        .replace("code: MAU-SO-2026", "code: MAU-SO-2027")
        .replace("title: Báo cáo CCHC định kỳ đầy đủ, đúng hạn", "title: Báo cáo CCHC đầy đủ")
        .replace("code: \"8.5\"", "code: \"8.6\"");
    let fw2 = parindex_reports::framework::parse_framework("v2.yaml", &changed).unwrap();
    app.store.import_framework(&parindex_store::AuditCtx::system("test"), fw2, "v2.yaml").await.unwrap();
    let page = officer.get(app.url("/frameworks/MAU-SO-2027")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("id=\"compare\""));
    let cmp = officer.get(app.url("/frameworks/compare?from=MAU-SO-2026&to=MAU-SO-2027")).send().await.unwrap();
    assert_eq!(cmp.status(), 200);
    let cmp = cmp.text().await.unwrap();
    assert!(cmp.contains("Tiêu chí mới (1)") && cmp.contains("8.6"), "added");
    assert!(cmp.contains("Tiêu chí bị bỏ (1)") && cmp.contains("8.5"), "removed");
    assert!(
        cmp.contains("Tiêu chí thay đổi (tên, quy tắc hoặc điểm) (1)")
            && cmp.contains("trước đây là “Báo cáo CCHC định kỳ đầy đủ, đúng hạn”")
    );
});

backend_tests!(framework_files_and_the_draft_editor, |b| async move {
    use parindex_core::framework::edit;
    let app = TestApp::spawn(b).await;
    let hand = include_str!("../../../../frameworks/examples/hand-computed.yaml");
    let fw = parindex_reports::framework::parse_framework("vd.yaml", hand).unwrap();
    let xlsx = parindex_reports::framework_xlsx::framework_xlsx(&fw).unwrap();
    let upload = |name: &str, bytes: Vec<u8>| Form::new().part("file", Part::bytes(bytes).file_name(name.to_string()));
    // denials first: unit staff and appraisers neither import nor edit
    for user in ["officer.a", "leader.a", "appraiser", "viewer"] {
        let c = app.login(user).await;
        let r = c.post(app.url("/frameworks/import")).multipart(upload("vd.xlsx", xlsx.clone())).send().await.unwrap();
        assert_eq!(r.status(), 403, "{user} imports");
        assert_eq!(c.get(app.url("/frameworks/template.xlsx")).send().await.unwrap().status(), 200, "{user} reads the template");
    }
    let admin = app.login("admin").await;
    // a broken workbook: every problem listed with its row, nothing written
    let mut broken = fw.clone();
    edit::node_mut(&mut broken, "1.3").unwrap().max = Some(parindex_core::Exact::int(5));
    let r = admin
        .post(app.url("/frameworks/import"))
        .multipart(upload("hong.xlsx", parindex_reports::framework_xlsx::framework_xlsx(&broken).unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let body = r.text().await.unwrap();
    assert!(body.contains("hong.xlsx, trang “tieu_chi”, dòng 5"), "row named");
    assert!(app.store.list_frameworks().await.unwrap().is_empty(), "nothing written");
    // the good workbook imports; the API gives it back as the same workbook
    let r = admin.post(app.url("/frameworks/import")).multipart(upload("vd.xlsx", xlsx.clone())).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/frameworks/VD-TINH-TAY");
    let back = admin.get(app.url("/api/v1/frameworks/VD-TINH-TAY?format=xlsx")).send().await.unwrap();
    assert!(back.headers()["content-disposition"].to_str().unwrap().contains("VD-TINH-TAY.xlsx"));
    let back = back.bytes().await.unwrap();
    assert_eq!(parindex_reports::framework::parse_framework_file("b.xlsx", &back).unwrap(), fw);

    let officer = app.login("officer.a").await;
    let code = "VD-TINH-TAY";
    for (path, post) in [
        ("/edit", false),
        ("/nodes/new", false),
        ("/nodes/1.1", false),
        ("/nodes/new", true),
        ("/nodes/1.1", true),
        ("/nodes/1.1/move", true),
        ("/meta", true),
        ("/preview", true),
        ("/adjustments/new", true),
    ] {
        let url = app.url(&format!("/frameworks/{code}{path}"));
        let r = if post {
            officer.post(url).form(&[("dir", "up"), ("code", "9"), ("title", "x")]).send().await
        } else {
            officer.get(url).send().await
        };
        assert_eq!(r.unwrap().status(), 403, "{path} post={post}");
    }
    let page = admin.get(app.url(&format!("/frameworks/{code}/edit"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Bộ chỉ số hợp lệ") && page.contains("id=\"n-2.3\""));

    // live preview: the same computation as the rule
    let pv: Value = admin
        .post(app.url(&format!("/frameworks/{code}/preview")))
        .form(&[("rule_kind", "bands"), ("max", "2"), ("params", "[0, 70) | 0\n[70, 90] | 1\n(90, 100] | 2"), ("sample", "90")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(pv["result"], "90% → khoảng [70; 90] → 1 điểm");
    let pv: Value = admin
        .post(app.url(&format!("/frameworks/{code}/preview")))
        .form(&[("rule_kind", "bands"), ("max", "2"), ("params", "[0, 60) | 0\n[70, 100] | 3"), ("sample", "65")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(pv["problems"].as_array().unwrap().len() >= 2, "{pv}");
    assert!(pv["error"].as_str().unwrap().contains("65"), "{pv}");
    // without JavaScript: the "Xem thử" button renders the same preview
    let r = admin
        .post(app.url(&format!("/frameworks/{code}/nodes/1.3")))
        .form(&[
            ("op", "preview"),
            ("code", "1.3"),
            ("parent", "1"),
            ("title", "T"),
            ("max", "2"),
            ("rule_kind", "bands"),
            ("params", "[0, 70) | 0\n[70, 90] | 1\n(90, 100] | 2"),
            ("sample", "70"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("70% → khoảng [70; 90] → 1 điểm"));

    // add a leaf: saved as a draft with a problem (the declared total is 10)
    let r = admin
        .post(app.url(&format!("/frameworks/{code}/nodes/new")))
        .form(&[
            ("code", "1.4"),
            ("parent", "1"),
            ("title", "Tiêu chí mới"),
            ("max", "1"),
            ("rule_kind", "manual"),
            ("params", "0,5"),
            ("evidence_required", "yes"),
            ("documents", "Báo cáo\nQuyết định"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let (_, now) = app.store.get_framework(code).await.unwrap();
    let added = now.find("1.4").unwrap();
    assert_eq!(added.evidence.as_ref().unwrap().documents, vec!["Báo cáo", "Quyết định"]);
    assert_eq!(edit::parent_of(&now, "1.4").unwrap(), "1");
    let page = admin.get(app.url(&format!("/frameworks/{code}/edit"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Cần sửa trước khi ban hành") && page.contains("11"), "total 11 ≠ 10 is listed");
    assert_eq!(admin.post(app.url(&format!("/frameworks/{code}/publish"))).send().await.unwrap().status(), 409, "publishing refuses it");
    // a repeated code and a bad maximum are refused with the field named
    let r = admin
        .post(app.url(&format!("/frameworks/{code}/nodes/1.4")))
        .form(&[("op", "save"), ("code", "1.1"), ("parent", "1"), ("title", "X"), ("max", "1"), ("rule_kind", "yes_no")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Mã “1.1” đã có"));
    let r = admin
        .post(app.url(&format!("/frameworks/{code}/nodes/1.4")))
        .form(&[("op", "save"), ("code", "1.4"), ("parent", "1"), ("title", "X"), ("max", "một"), ("rule_kind", "yes_no")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("id=\"max-err\""));
    // move it under domain 2 and up one place; then delete it (a confirmation is required)
    let r = admin
        .post(app.url(&format!("/frameworks/{code}/nodes/1.4")))
        .form(&[
            ("op", "save"),
            ("code", "2.4"),
            ("parent", "2"),
            ("title", "Chuyển sang lĩnh vực 2"),
            ("max", "1"),
            ("rule_kind", "yes_no"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(
        admin.post(app.url(&format!("/frameworks/{code}/nodes/2.4/move"))).form(&[("dir", "up")]).send().await.unwrap().status(),
        303
    );
    let (_, now) = app.store.get_framework(code).await.unwrap();
    let kids: Vec<_> = now.find("2").unwrap().children.iter().map(|n| n.code.as_str()).collect();
    assert_eq!(kids, vec!["2.1", "2.2", "2.4", "2.3"]);
    let r = admin.post(app.url(&format!("/frameworks/{code}/nodes/2.4"))).form(&[("op", "delete")]).send().await.unwrap();
    assert_eq!(r.status(), 422, "no confirmation, no deletion");
    let r = admin
        .post(app.url(&format!("/frameworks/{code}/nodes/2.4")))
        .form(&[("op", "delete"), ("confirm_delete", "yes")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(app.store.get_framework(code).await.unwrap().1, fw, "back to the imported framework");
    // general information and adjustments
    let r = admin
        .post(app.url(&format!("/frameworks/{code}/meta")))
        .form(&[("name", "Tên mới"), ("valid_from", "năm sau"), ("decimals", "2")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let r = admin
        .post(app.url(&format!("/frameworks/{code}/meta")))
        .form(&[
            ("name", "Tên mới"),
            ("valid_from", "2027"),
            ("decimals", "2"),
            ("total", "10"),
            ("unit_kinds", "agency, commune"),
            ("sample", "on"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let r = admin
        .post(app.url(&format!("/frameworks/{code}/adjustments/new")))
        .form(&[("code", "T9"), ("title", "Thưởng thử"), ("kind", "bonus"), ("max", "0,5"), ("rule_kind", "yes_no")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let (_, now) = app.store.get_framework(code).await.unwrap();
    assert_eq!(now.name, "Tên mới");
    assert_eq!(now.valid_from, Some(2027));
    assert_eq!(now.adjustments.last().unwrap().max, parindex_core::Exact::ratio(1, 2));
    let r = admin
        .post(app.url(&format!("/frameworks/{code}/adjustments/T9")))
        .form(&[("op", "delete"), ("confirm_delete", "yes")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    // published: the editor is closed
    assert_eq!(admin.post(app.url(&format!("/frameworks/{code}/publish"))).send().await.unwrap().status(), 303);
    assert_eq!(admin.get(app.url(&format!("/frameworks/{code}/edit"))).send().await.unwrap().status(), 409);
    let r = admin
        .post(app.url(&format!("/frameworks/{code}/nodes/1.1")))
        .form(&[("op", "save"), ("code", "1.1"), ("title", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    // the audit log names every edit
    let audit = app
        .store
        .list_audit(&parindex_store::repo::audit::AuditFilter { object_type: Some("framework".into()), ..Default::default() })
        .await
        .unwrap();
    let reasons: Vec<_> = audit.entries.iter().filter(|e| e.action == "framework.edit").filter_map(|e| e.reason.clone()).collect();
    assert!(reasons.contains(&"node.add 1.4".to_string()) && reasons.contains(&"node.remove 2.4".to_string()), "{reasons:?}");
});

backend_tests!(crosswalk_page_and_api, |b| async move {
    let app = TestApp::spawn(b).await;
    let hand = include_str!("../../../../frameworks/examples/hand-computed.yaml");
    let fw = parindex_reports::framework::parse_framework("vd.yaml", hand).unwrap();
    let sys = parindex_store::AuditCtx::system("test");
    app.store.import_framework(&sys, fw, "vd.yaml").await.unwrap();
    app.store.new_framework_version(&sys, "VD-TINH-TAY", "VD-2027", None).await.unwrap();
    let officer = app.login("officer.a").await;
    let page = officer.get(app.url("/frameworks/compare?from=VD-TINH-TAY&to=VD-2027")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("chưa được xác nhận") && !page.contains("name=\"m:1.1\""), "unit staff read, never edit");
    let r = officer
        .post(app.url("/frameworks/crosswalk"))
        .form(&[("from", "VD-TINH-TAY"), ("to", "VD-2027"), ("m:1.1", "1.1")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let api = app.api("officer.a").await;
    let r = api.put(app.url("/api/v1/frameworks/VD-2027/crosswalk")).json(&json!({"from": "VD-TINH-TAY", "map": {}})).send().await.unwrap();
    assert_eq!(r.status(), 403);
    let proposed: Value =
        api.get(app.url("/api/v1/frameworks/VD-2027/crosswalk?from=VD-TINH-TAY")).send().await.unwrap().json().await.unwrap();
    assert_eq!(proposed["confirmed"], false);
    assert_eq!(proposed["map"]["2.3"], json!(["2.3"]));

    let admin = app.login("admin").await;
    // an unknown code is refused and named; what was typed stays on the page
    let r = admin
        .post(app.url("/frameworks/crosswalk"))
        .form(&[("from", "VD-TINH-TAY"), ("to", "VD-2027"), ("m:1.1", "1.1"), ("m:2.3", "2.2, 9.9")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let body = r.text().await.unwrap();
    assert!(body.contains("“9.9” không phải là tiêu chí của VD-2027") && body.contains("value=\"2.2, 9.9\""));
    let r = admin
        .post(app.url("/frameworks/crosswalk"))
        .form(&[("from", "VD-TINH-TAY"), ("to", "VD-2027"), ("m:1.1", "1.1"), ("m:2.3", "2.2, 2.3"), ("m:3.2", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let page = officer.get(app.url("/frameworks/compare?from=VD-TINH-TAY&to=VD-2027")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("đã được xác nhận bởi admin"));
    let stored: Value =
        api.get(app.url("/api/v1/frameworks/VD-2027/crosswalk?from=VD-TINH-TAY")).send().await.unwrap().json().await.unwrap();
    assert_eq!(stored["confirmed"], true);
    assert_eq!(stored["map"], json!({"1.1": ["1.1"], "2.3": ["2.2", "2.3"]}));
    let admin_api = app.api("admin").await;
    let r = admin_api
        .put(app.url("/api/v1/frameworks/VD-2027/crosswalk"))
        .json(&json!({"from": "VD-TINH-TAY", "map": {"1": ["1"], "x": ["1"]}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let r = admin_api
        .put(app.url("/api/v1/frameworks/VD-2027/crosswalk"))
        .json(&json!({"from": "VD-TINH-TAY", "map": {"1": ["1"]}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
});

/// A published hand-computed framework and an open period for UA, UB and XC; returns the
/// assessment ids of UA and UB.
async fn open_period(app: &TestApp, self_due: chrono::NaiveDate) -> (i64, i64) {
    use parindex_store::repo::periods::PeriodInput;
    let sys = parindex_store::AuditCtx::system("test");
    let hand = include_str!("../../../../frameworks/examples/hand-computed.yaml");
    let fw = parindex_reports::framework::parse_framework("vd.yaml", hand).unwrap();
    app.store.import_framework(&sys, fw, "vd.yaml").await.unwrap();
    app.store.set_framework_status(&sys, "VD-TINH-TAY", parindex_core::framework::Status::Published).await.unwrap();
    let p = app
        .store
        .create_period(
            &sys,
            PeriodInput {
                code: "2026".into(),
                name: "Năm 2026".into(),
                year: 2026,
                framework_code: "VD-TINH-TAY".into(),
                self_due: Some(self_due),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let rows = app.store.list_assessments(p.id, parindex_core::UnitScope::All).await.unwrap();
    let id = |c: &str| rows.iter().find(|a| a.unit_code == c).unwrap().id;
    (id("UA"), id("UB"))
}

backend_tests!(self_assessment_pages_and_denials, |b| async move {
    let app = TestApp::spawn(b).await;
    let (ua, ub) = open_period(&app, parindex_core::assessment::today_vn() + chrono::Duration::days(10)).await;
    // opening periods: the reform office only; a bad form names its fields
    for user in ["officer.a", "leader.a", "appraiser", "council", "viewer"] {
        let c = app.login(user).await;
        assert_eq!(c.get(app.url("/periods/new")).send().await.unwrap().status(), 403, "{user}");
        assert_eq!(c.post(app.url("/periods")).form(&[("code", "X")]).send().await.unwrap().status(), 403, "{user}");
        assert_eq!(c.get(app.url("/periods")).send().await.unwrap().status(), 200, "{user} sees the periods");
    }
    let sec = app.login("secretariat").await;
    let r = sec
        .post(app.url("/periods"))
        .form(&[("code", "2027"), ("name", "Năm 2027"), ("year", "2027"), ("framework", "VD-TINH-TAY"), ("self_due", "31/02/2027")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("dd/mm/yyyy"));
    let r = sec
        .post(app.url("/periods"))
        .form(&[
            ("code", "2027"),
            ("name", "Năm 2027"),
            ("year", "2027"),
            ("framework", "VD-TINH-TAY"),
            ("unit_codes", "UA\nUB"),
            ("self_due", "15/12/2027"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let page = sec.get(app.url(r.headers()["location"].to_str().unwrap())).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Sở Alpha") && page.contains("Sở Bêta") && !page.contains("Chiềng Cọ"), "by list");

    // a unit sees only its own assessment; appraisers, council and viewers see no drafts
    let officer_a = app.login("officer.a").await;
    let list = officer_a.get(app.url("/periods/1")).send().await.unwrap().text().await.unwrap();
    assert!(list.contains("Sở Alpha") && !list.contains("Sở Bêta"));
    assert_eq!(officer_a.get(app.url(&format!("/assessments/{ub}"))).send().await.unwrap().status(), 403);
    for user in ["appraiser", "council", "viewer", "officer.b"] {
        let c = app.login(user).await;
        assert_eq!(c.get(app.url(&format!("/assessments/{ua}"))).send().await.unwrap().status(), 403, "{user} reads UA's draft");
        let r = c.post(app.url(&format!("/assessments/{ua}/entries/1.2"))).form(&[("yes", "yes"), ("version", "0")]).send().await.unwrap();
        assert_eq!(r.status(), 403, "{user} writes UA's draft");
    }
    assert_eq!(sec.get(app.url(&format!("/assessments/{ua}"))).send().await.unwrap().status(), 200, "the secretariat reads drafts");
    let r = sec.post(app.url(&format!("/assessments/{ua}/entries/1.2"))).form(&[("yes", "yes"), ("version", "0")]).send().await.unwrap();
    assert_eq!(r.status(), 403, "but does not score for the unit");

    // the officer scores; the points show; a stale tab is told
    let r = officer_a
        .post(app.url(&format!("/assessments/{ua}/entries/1.3")))
        .form(&[("percent", "90"), ("version", "0")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let live: Value = officer_a
        .post(app.url(&format!("/assessments/{ua}/entries/1.3/live")))
        .form(&[("percent", "91")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(live["result"], "91% → khoảng (90; 100] → 2 điểm");
    let page = officer_a.get(app.url(&format!("/assessments/{ua}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("90% → khoảng [70; 90] → 1 điểm") && page.contains("1/5"), "points and progress");
    let home = officer_a.get(app.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(home.contains(&format!("href=\"/assessments/{ua}\"")) && home.contains("1/5"), "the officer's home leads to the work");
    let r = officer_a
        .post(app.url(&format!("/assessments/{ua}/entries/1.3")))
        .form(&[("percent", "50"), ("version", "0")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    assert!(r.text().await.unwrap().contains("trong lúc bạn sửa"));
    let r = officer_a
        .post(app.url(&format!("/assessments/{ua}/entries/1.3")))
        .form(&[("percent", "tám mươi"), ("version", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("value=\"tám mươi\""), "what was typed stays");
    // only the leader submits, and only a complete self-assessment
    assert_eq!(officer_a.post(app.url(&format!("/assessments/{ua}/submit"))).send().await.unwrap().status(), 403);
    let leader = app.login("leader.a").await;
    let r = leader.post(app.url(&format!("/assessments/{ua}/submit"))).send().await.unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Còn 4 tiêu chí chưa chấm"));
    for (code, field, value) in [("1.1", "option", "dung_han"), ("1.2", "yes", "yes"), ("2.2", "count", "1"), ("2.3", "value", "0,75")] {
        let r = officer_a
            .post(app.url(&format!("/assessments/{ua}/entries/{code}")))
            .form(&[(field, value), ("version", "0")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{code}");
    }
    // 1.1 requires evidence: without a file, an explanation
    let r = leader.post(app.url(&format!("/assessments/{ua}/submit"))).send().await.unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("cần giải trình: 1.1"));
    let r = officer_a
        .post(app.url(&format!("/assessments/{ua}/entries/1.1")))
        .form(&[("option", "dung_han"), ("explanation", "Quyết định đang chờ ký số, sẽ bổ sung"), ("version", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let r = leader.post(app.url(&format!("/assessments/{ua}/submit"))).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let page = officer_a.get(app.url(&format!("/assessments/{ua}?done=submitted"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Đã nộp") && !page.contains("class=\"leafform\""), "locked: no forms");
    let r = officer_a
        .post(app.url(&format!("/assessments/{ua}/entries/1.3")))
        .form(&[("percent", "95"), ("version", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409, "locked after submission");
});

backend_tests!(self_assessment_closes_at_its_deadline, |b| async move {
    let app = TestApp::spawn(b).await;
    let (ua, _) = open_period(&app, parindex_core::assessment::today_vn() - chrono::Duration::days(1)).await;
    let officer = app.login("officer.a").await;
    let page = officer.get(app.url(&format!("/assessments/{ua}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("quá hạn 1 ngày") && !page.contains("class=\"leafform\""));
    let r =
        officer.post(app.url(&format!("/assessments/{ua}/entries/1.2"))).form(&[("yes", "yes"), ("version", "0")]).send().await.unwrap();
    assert_eq!(r.status(), 409);
    assert!(r.text().await.unwrap().contains("Đã quá hạn"));
    let leader = app.login("leader.a").await;
    assert_eq!(leader.post(app.url(&format!("/assessments/{ua}/submit"))).send().await.unwrap().status(), 409);
    // the reform office extends this unit's deadline, with a reason; the unit may work again
    let until = parindex_core::text::format_date(parindex_core::assessment::today_vn() + chrono::Duration::days(3));
    assert_eq!(
        officer
            .post(app.url(&format!("/assessments/{ua}/extend")))
            .form(&[("until", until.as_str()), ("reason", "x")])
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    let sec = app.login("secretariat").await;
    let r =
        sec.post(app.url(&format!("/assessments/{ua}/extend"))).form(&[("until", until.as_str()), ("reason", "")]).send().await.unwrap();
    assert_eq!(r.status(), 422);
    let r = sec
        .post(app.url(&format!("/assessments/{ua}/extend")))
        .form(&[("until", until.as_str()), ("reason", "Mất điện kéo dài tại trụ sở")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let r =
        officer.post(app.url(&format!("/assessments/{ua}/entries/1.2"))).form(&[("yes", "yes"), ("version", "0")]).send().await.unwrap();
    assert_eq!(r.status(), 303, "extended");
    let audit = app
        .store
        .list_audit(&parindex_store::repo::audit::AuditFilter { object_type: Some("assessment".into()), ..Default::default() })
        .await
        .unwrap();
    assert!(audit.entries.iter().any(|e| e.action == "assessment.extend" && e.reason.as_deref() == Some("Mất điện kéo dài tại trụ sở")));
});

backend_tests!(self_assessment_through_the_api, |b| async move {
    let app = TestApp::spawn(b).await;
    let due = parindex_core::assessment::today_vn() + chrono::Duration::days(5);
    let (ua, ub) = open_period(&app, due).await;
    let officer = app.api("officer.a").await;
    let list: Vec<Value> = officer.get(app.url("/api/v1/periods/1/assessments")).send().await.unwrap().json().await.unwrap();
    assert_eq!(list.len(), 1, "unit staff see their own unit only");
    assert_eq!(list[0]["unit_code"], "UA");
    // denials: another unit, a role without drafts, opening periods
    assert_eq!(officer.get(app.url(&format!("/api/v1/assessments/{ub}"))).send().await.unwrap().status(), 403);
    let r = officer
        .put(app.url(&format!("/api/v1/assessments/{ub}/entries/1.2")))
        .json(&json!({"input": true, "version": 0}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let appraiser = app.api("appraiser").await;
    assert_eq!(appraiser.get(app.url(&format!("/api/v1/assessments/{ua}"))).send().await.unwrap().status(), 403);
    let body = json!({"code": "X", "name": "X", "year": 2026, "framework": "VD-TINH-TAY"});
    assert_eq!(officer.post(app.url("/api/v1/periods")).json(&body).send().await.unwrap().status(), 403);
    let admin = app.api("admin").await;
    let r = admin
        .post(app.url("/api/v1/periods"))
        .json(&json!({"code": "X", "name": "", "year": 1999, "framework": "KHONG"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let j: Value = r.json().await.unwrap();
    let fields: Vec<_> = j["error"]["details"].as_array().unwrap().iter().map(|d| d["field"].as_str().unwrap().to_string()).collect();
    assert_eq!(fields, vec!["name", "year", "framework"]);
    // the unit scores every leaf in the short form, then the leader submits
    for (code, input) in
        [("1.1", json!("dung_han")), ("1.2", json!(true)), ("1.3", json!(82)), ("2.2", json!(3)), ("2.3", json!({"value": "0,75"}))]
    {
        let r = officer
            .put(app.url(&format!("/api/v1/assessments/{ua}/entries/{code}")))
            .json(&json!({"input": input, "version": 0, "explanation": if code == "1.1" { Some("Quyết định đang chờ ký") } else { None }}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{code}: {}", r.text().await.unwrap());
    }
    let stale = officer
        .put(app.url(&format!("/api/v1/assessments/{ua}/entries/1.3")))
        .json(&json!({"input": 95, "version": 0}))
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), 409);
    let bad = officer
        .put(app.url(&format!("/api/v1/assessments/{ua}/entries/1.3")))
        .json(&json!({"input": 120, "version": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    let view: Value = officer.get(app.url(&format!("/api/v1/assessments/{ua}"))).send().await.unwrap().json().await.unwrap();
    // 1 + 1 + 1 (82% in [70; 90]) + 0 (1 − 3 × 0.5, floored) + 0.75 = 3.75 of 9 (3.2 is for communes; 2.1 and 3.1 not scored yet)
    assert_eq!(view["result"]["achieved"]["exact"], "3.75");
    assert_eq!(view["assessment"]["done"], 5);
    assert_eq!(
        officer.post(app.url(&format!("/api/v1/assessments/{ua}/submit"))).send().await.unwrap().status(),
        403,
        "the officer does not submit"
    );
    let leader = app.api("leader.a").await;
    let r: Value = leader.post(app.url(&format!("/api/v1/assessments/{ua}/submit"))).send().await.unwrap().json().await.unwrap();
    assert_eq!(r["state"], "submitted");
    assert_eq!(leader.post(app.url(&format!("/api/v1/assessments/{ua}/submit"))).send().await.unwrap().status(), 409);
    let periods: Vec<Value> = admin.get(app.url("/api/v1/periods")).send().await.unwrap().json().await.unwrap();
    assert_eq!(periods[0]["states"]["submitted"], 1);
    // appraisal through the API: the queue, a differing result needs a comment, a return
    assert_eq!(officer.get(app.url("/api/v1/appraisal")).send().await.unwrap().status(), 403);
    let appraiser = app.api("appraiser").await;
    let q: Vec<Value> = appraiser.get(app.url("/api/v1/appraisal")).send().await.unwrap().json().await.unwrap();
    assert_eq!((q.len(), q[0]["leaves"].as_u64()), (1, Some(4)));
    let put = |code: &str, body: Value| appraiser.put(app.url(&format!("/api/v1/assessments/{ua}/appraisal/{code}"))).json(&body).send();
    assert_eq!(put("1.3", json!({"input": 82})).await.unwrap().status(), 204);
    assert_eq!(put("1.1", json!({"input": "dung_han"})).await.unwrap().status(), 403, "1.1 is SNV's: a permission refusal");
    assert_eq!(put("2.2", json!({"input": 0})).await.unwrap().status(), 422, "differs: a comment is required");
    assert_eq!(put("2.2", json!({"input": 0, "comment": "Không có hồ sơ trễ hạn"})).await.unwrap().status(), 204);
    let r = appraiser
        .post(app.url(&format!("/api/v1/assessments/{ua}/appraisal/2.3/return")))
        .json(&json!({"reason": "Bổ sung biên bản rà soát"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let view: Value = officer.get(app.url(&format!("/api/v1/assessments/{ua}"))).send().await.unwrap().json().await.unwrap();
    assert_eq!(view["assessment"]["state"], "returned");
});

fn files_under(p: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(p) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() { out.extend(files_under(&p)) } else { out.push(p) }
        }
    }
    out
}

fn upload_form(parts: Vec<(&str, Vec<u8>)>) -> Form {
    let mut f = Form::new();
    for (name, bytes) in parts {
        f = f.part("file", Part::bytes(bytes).file_name(name.to_string()));
    }
    f
}

backend_tests!(evidence_uploads_downloads_and_refusals, |b| async move {
    let app = TestApp::spawn(b).await;
    let (ua, ub) = open_period(&app, parindex_core::assessment::today_vn() + chrono::Duration::days(5)).await;
    let officer = app.login("officer.a").await;
    let pdf = b"%PDF-1.4\n% parindex test\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n".to_vec();
    let xlsx = parindex_reports::framework_xlsx::framework_template_xlsx().unwrap();
    let on_disk = || files_under(app.files.path()).len();
    // several files at once; a path in the name is dropped, the Vietnamese name kept
    let r = officer
        .post(app.url(&format!("/assessments/{ua}/entries/1.1/evidence")))
        .multipart(upload_form(vec![("../../Quyết định ban hành kế hoạch.pdf", pdf.clone()), ("Báo cáo.xlsx", xlsx.clone())]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let unit = app.store.unit_id_by_code("UA").await.unwrap().unwrap();
    let lib = app.store.unit_evidence(unit).await.unwrap();
    let names: Vec<_> = lib.iter().map(|f| f.name.as_str()).collect();
    assert!(names.contains(&"Quyết định ban hành kế hoạch.pdf") && names.contains(&"Báo cáo.xlsx"), "{names:?}");
    assert_eq!(on_disk(), 2, "stored by content, no temporary files left");
    let f = lib.iter().find(|f| f.kind == "pdf").unwrap().clone();
    let d = officer.get(app.url(&format!("/evidence/{}", f.id))).send().await.unwrap();
    assert_eq!(d.status(), 200);
    assert_eq!(d.headers()["content-type"], "application/pdf");
    let cd = d.headers()["content-disposition"].to_str().unwrap().to_string();
    assert!(cd.starts_with("attachment;") && cd.contains("filename*=UTF-8''Quy%E1%BA%BFt"), "{cd}");
    assert_eq!(d.bytes().await.unwrap().to_vec(), pdf);
    // the same PDF for another leaf: the same library entry
    let r = officer
        .post(app.url(&format!("/assessments/{ua}/entries/1.3/evidence")))
        .multipart(upload_form(vec![("copy.pdf", pdf.clone())]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(app.store.unit_evidence(unit).await.unwrap().len(), 2);
    // a program renamed .pdf is refused by its content; nothing kept
    let exe = [b"MZ\x90\x00\x03".to_vec(), vec![0u8; 4096]].concat();
    let r = officer
        .post(app.url(&format!("/assessments/{ua}/entries/1.2/evidence")))
        .multipart(upload_form(vec![("hoa-don.pdf", exe)]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let body = r.text().await.unwrap();
    assert!(body.contains("“hoa-don.pdf” không phải PDF") && body.contains(".exe"), "the refusal names the file and what it is");
    assert_eq!(app.store.unit_evidence(unit).await.unwrap().len(), 2);
    assert_eq!(on_disk(), 2);
    // over the limit (20 MB here): refused, nothing kept
    let big = [b"%PDF-1.4\n".to_vec(), vec![b'x'; 21 * 1024 * 1024]].concat();
    let r = officer
        .post(app.url(&format!("/assessments/{ua}/entries/1.2/evidence")))
        .multipart(upload_form(vec![("lon.pdf", big)]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    assert_eq!(on_disk(), 2, "no partial file left behind");
    // who may read: the unit and the reform office; not another unit, not (yet) appraisers
    for user in ["officer.b", "appraiser", "viewer"] {
        let c = app.login(user).await;
        assert_eq!(c.get(app.url(&format!("/evidence/{}", f.id))).send().await.unwrap().status(), 403, "{user}");
        let r = c
            .post(app.url(&format!("/assessments/{ua}/entries/1.1/evidence")))
            .multipart(upload_form(vec![("x.pdf", pdf.clone())]))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{user} uploads to UA");
    }
    let officer_b = app.login("officer.b").await;
    let r = officer_b
        .post(app.url(&format!("/assessments/{ub}/entries/1.1/evidence")))
        .multipart(Form::new().text("library", f.id.to_string()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422, "UB cannot link UA's file");
    let admin = app.login("admin").await;
    let r = admin.get(app.url(&format!("/evidence/{}?inline=1", f.id))).send().await.unwrap();
    assert!(r.headers()["content-disposition"].to_str().unwrap().starts_with("inline;"));
    assert!(r.headers()["content-security-policy"].to_str().unwrap().contains("sandbox"));
    // the page lists the files; unlinking keeps the file in the library
    let page = officer.get(app.url(&format!("/assessments/{ua}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Quyết định ban hành kế hoạch.pdf") && page.contains(&format!("/evidence/{}", f.id)));
    let r = officer.post(app.url(&format!("/assessments/{ua}/entries/1.3/evidence/{}/unlink", f.id))).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert!(!app.store.linked_evidence(ua).await.unwrap().contains_key("1.3"));
    assert_eq!(app.store.unit_evidence(unit).await.unwrap().len(), 2);
    // uploads and downloads are in the audit log
    let audit = app
        .store
        .list_audit(&parindex_store::repo::audit::AuditFilter { object_type: Some("evidence".into()), ..Default::default() })
        .await
        .unwrap();
    assert_eq!(audit.entries.iter().filter(|e| e.action == "evidence.download").count(), 2);
    assert_eq!(audit.entries.iter().filter(|e| e.action == "evidence.upload").count(), 2);
});

backend_tests!(appraisal_of_a_submitted_self_assessment, |b| async move {
    use parindex_store::repo::periods::EntryInput;
    let app = TestApp::spawn(b).await;
    let today = parindex_core::assessment::today_vn();
    let (ua, ub) = open_period(&app, today + chrono::Duration::days(5)).await;
    let sys = parindex_store::AuditCtx::system("test");
    // UA fills and submits; one PDF on 1.3
    let yes = |b: bool| Some(parindex_core::framework::Input { yes: Some(b), ..Default::default() });
    let input = |t: &str| {
        let raw: parindex_core::framework::rule::InputText = serde_json::from_str(t).unwrap();
        Some(parindex_core::framework::Input::from(raw))
    };
    let officer = app.login("officer.a").await;
    let pdf = b"%PDF-1.4\n%%EOF\n".to_vec();
    let r = officer
        .post(app.url(&format!("/assessments/{ua}/entries/1.3/evidence")))
        .multipart(upload_form(vec![("Báo cáo.pdf", pdf)]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    for (code, i) in [
        ("1.1", input("{\"option\": \"dung_han\"}")),
        ("1.2", yes(true)),
        ("1.3", input("{\"percent\": 90}")),
        ("2.2", input("{\"count\": 1}")),
        ("2.3", input("{\"value\": 1}")),
    ] {
        let e = EntryInput {
            input: i.map(|x| x.resolve(&parindex_core::framework::Rule::YesNo)),
            explanation: Some("Bản giấy".into()),
            ..Default::default()
        };
        app.store.save_entry(&sys, ua, code, e, today).await.unwrap();
    }
    let leader = app.login("leader.a").await;
    assert_eq!(leader.post(app.url(&format!("/assessments/{ua}/submit"))).send().await.unwrap().status(), 303);

    // who appraises: the fixture appraiser has no unit, so the leaves naming nobody (1.1 is SNV's)
    let appraiser = app.login("appraiser").await;
    let q = appraiser.get(app.url("/appraisal")).send().await.unwrap().text().await.unwrap();
    assert!(q.contains("Sở Alpha") && q.contains("0/4") && !q.contains("Sở Bêta"), "UB has not submitted");
    for user in ["officer.a", "leader.a", "viewer", "secretariat"] {
        let c = app.login(user).await;
        assert_eq!(c.get(app.url(&format!("/appraisal/{ua}"))).send().await.unwrap().status(), 403, "{user}");
        let r = c.post(app.url(&format!("/appraisal/{ua}/entries/1.2"))).form(&[("yes", "yes")]).send().await.unwrap();
        assert_eq!(r.status(), 403, "{user} appraises");
    }
    assert_eq!(appraiser.get(app.url(&format!("/appraisal/{ub}"))).send().await.unwrap().status(), 403, "not submitted: nothing to see");
    let page = appraiser.get(app.url(&format!("/appraisal/{ua}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("id=\"leaf-1.3\"") && !page.contains("id=\"leaf-1.1\"") && page.contains("Báo cáo.pdf"));
    // the evidence of the unit being appraised can be read; another unit's drafts cannot
    let f = app.store.unit_evidence(app.store.unit_id_by_code("UA").await.unwrap().unwrap()).await.unwrap()[0].clone();
    assert_eq!(appraiser.get(app.url(&format!("/evidence/{}", f.id))).send().await.unwrap().status(), 200);
    let r = appraiser
        .post(app.url(&format!("/appraisal/{ua}/entries/1.1")))
        .form(&[("op", "save"), ("option", "tre_han"), ("explanation", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "1.1 belongs to SNV: a permission refusal (issue #15)");
    // agreeing needs no comment; differing does
    let r =
        appraiser.post(app.url(&format!("/appraisal/{ua}/entries/1.3"))).form(&[("op", "save"), ("percent", "90")]).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(app.store.get_assessment(ua).await.unwrap().assessment.state.as_str(), "under_appraisal");
    let r = appraiser.post(app.url(&format!("/appraisal/{ua}/entries/1.2"))).form(&[("op", "save"), ("yes", "no")]).send().await.unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("khác điểm tự chấm"));
    let r = appraiser
        .post(app.url(&format!("/appraisal/{ua}/entries/1.2")))
        .form(&[("op", "save"), ("yes", "no"), ("explanation", "Báo cáo quý III nộp trễ 5 ngày")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let e = &app.store.get_assessment(ua).await.unwrap().entries["1.2"];
    assert_eq!((e.appraised_points.clone(), e.points.clone()), (Some(parindex_core::Exact::ZERO), Some(parindex_core::Exact::ONE)));
    // the unit's evidence as one ZIP, a folder per criterion, for the appraiser
    let z = appraiser.get(app.url(&format!("/assessments/{ua}/evidence.zip"))).send().await.unwrap();
    assert_eq!(z.status(), 200);
    let bytes = z.bytes().await.unwrap().to_vec();
    let names: Vec<String> = {
        let z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        z.file_names().filter_map(|n| n.ok().map(|n| n.to_string())).collect()
    };
    assert_eq!(names, vec!["1.3 Tỷ lệ hoàn thành kế hoạch CCHC/Báo cáo.pdf"]);
    assert_eq!(app.login("officer.b").await.get(app.url(&format!("/assessments/{ua}/evidence.zip"))).send().await.unwrap().status(), 403);
    // returning a leaf: a reason is required; the unit gets it back, edits, resubmits
    let r = appraiser.post(app.url(&format!("/appraisal/{ua}/entries/2.2"))).form(&[("op", "return"), ("note", "")]).send().await.unwrap();
    assert_eq!(r.status(), 422);
    let r = appraiser
        .post(app.url(&format!("/appraisal/{ua}/entries/2.2")))
        .form(&[("op", "return"), ("note", "Thiếu danh sách hồ sơ trễ hạn")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(app.store.get_assessment(ua).await.unwrap().assessment.state.as_str(), "returned");
    let page = officer.get(app.url(&format!("/assessments/{ua}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Thiếu danh sách hồ sơ trễ hạn") && page.contains("class=\"leafform\""), "the unit sees why and may edit");
    let r = appraiser.post(app.url(&format!("/appraisal/{ua}/entries/2.3"))).form(&[("op", "save"), ("value", "1")]).send().await.unwrap();
    assert_eq!(r.status(), 409, "returned: the unit has it");
    let r =
        officer.post(app.url(&format!("/assessments/{ua}/entries/2.2"))).form(&[("count", "2"), ("version", "1")]).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(leader.post(app.url(&format!("/assessments/{ua}/submit"))).send().await.unwrap().status(), 303);
    let v = app.store.get_assessment(ua).await.unwrap();
    assert_eq!(v.assessment.state.as_str(), "submitted");
    assert!(v.entries.values().all(|e| e.returned_reason.is_none()));
    let q = appraiser.get(app.url("/appraisal")).send().await.unwrap().text().await.unwrap();
    assert!(q.contains("2/4"), "{q}");
    // the secretariat sees the over-scoring: 1.2 self 1, appraised 0
    let sec = app.login("secretariat").await;
    let p = sec.get(app.url("/periods/1")).send().await.unwrap().text().await.unwrap();
    assert!(p.contains("<strong class=\"over\">+1,00</strong>"), "{p}");
    assert!(p.contains("id=\"leaf-gaps\"") && p.contains("<code>1.2</code>"), "the leaf 1.2 leads the over-scored leaves");
    let p = officer.get(app.url("/periods/1")).send().await.unwrap().text().await.unwrap();
    assert!(!p.contains("class=\"over\"") && !p.contains("leaf-gaps"), "units do not see the gaps");
    let audit = app
        .store
        .list_audit(&parindex_store::repo::audit::AuditFilter { object_type: Some("assessment".into()), ..Default::default() })
        .await
        .unwrap();
    assert_eq!(audit.entries.iter().filter(|e| e.action == "assessment.appraise").count(), 2);
    assert_eq!(audit.entries.iter().filter(|e| e.action == "assessment.return").count(), 1);
});

backend_tests!(full_cycle_to_council_approval, |b| async move {
    use parindex_store::repo::periods::{EntryInput, PeriodInput};
    let app = TestApp::spawn(b).await;
    let today = parindex_core::assessment::today_vn();
    let sys = parindex_store::AuditCtx::system("test");
    let hand = include_str!("../../../../frameworks/examples/hand-computed.yaml");
    let fw = parindex_reports::framework::parse_framework("vd.yaml", hand).unwrap();
    app.store.import_framework(&sys, fw, "vd.yaml").await.unwrap();
    app.store.set_framework_status(&sys, "VD-TINH-TAY", parindex_core::framework::Status::Published).await.unwrap();
    let d = |n: i64| Some(today + chrono::Duration::days(n));
    let p = app
        .store
        .create_period(
            &sys,
            PeriodInput {
                code: "CHU-TRINH".into(),
                name: "Một chu trình".into(),
                year: 2026,
                framework_code: "VD-TINH-TAY".into(),
                unit_codes: vec!["UA".into()],
                self_due: d(1),
                appraisal_due: d(2),
                explanation_due: d(3),
                final_due: d(4),
                approval_due: d(5),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let ua = app.store.list_assessments(p.id, parindex_core::UnitScope::All).await.unwrap()[0].id;
    let input = |t: &str| {
        let raw: parindex_core::framework::rule::InputText = serde_json::from_str(t).unwrap();
        parindex_core::framework::Input::from(raw)
    };
    for (code, i) in [
        ("1.1", "{\"option\": \"dung_han\"}"),
        ("1.2", "{\"yes\": true}"),
        ("1.3", "{\"percent\": 90}"),
        ("2.2", "{\"count\": 1}"),
        ("2.3", "{\"value\": 1}"),
    ] {
        let e = EntryInput { input: Some(input(i)), explanation: Some("Bản giấy".into()), ..Default::default() };
        app.store.save_entry(&sys, ua, code, e, today).await.unwrap();
    }
    let leader = app.login("leader.a").await;
    assert_eq!(leader.post(app.url(&format!("/assessments/{ua}/submit"))).send().await.unwrap().status(), 303);
    // appraisal: the reform office's appraiser takes the unassigned leaves, the admin SNV's 1.1
    let appraiser = app.login("appraiser").await;
    for (code, field, value, comment) in [
        ("1.2", "yes", "no", "Báo cáo quý III trễ hạn"),
        ("1.3", "percent", "90", ""),
        ("2.2", "count", "1", ""),
        ("2.3", "value", "1", ""),
    ] {
        let r = appraiser
            .post(app.url(&format!("/appraisal/{ua}/entries/{code}")))
            .form(&[("op", "save"), (field, value), ("explanation", comment)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{code}");
    }
    let sec = app.login("secretariat").await;
    let page = sec.get(app.url(&format!("/periods/{}", p.id))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("(0)</button>"), "1.1 not appraised yet: nobody ready");
    let admin = app.login("admin").await;
    let r =
        admin.post(app.url(&format!("/appraisal/{ua}/entries/1.1"))).form(&[("op", "save"), ("option", "dung_han")]).send().await.unwrap();
    assert_eq!(r.status(), 303);
    // preliminary result: the reform office only
    assert_eq!(leader.post(app.url(&format!("/periods/{}/preliminary", p.id))).send().await.unwrap().status(), 403);
    let r = sec.post(app.url(&format!("/periods/{}/preliminary", p.id))).send().await.unwrap();
    assert_eq!(r.headers()["location"], &format!("/periods/{}?sent=1", p.id));
    // the unit explains 1.2; only its own staff; the leader sends
    let officer = app.login("officer.a").await;
    let page = officer.get(app.url(&format!("/assessments/{ua}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Báo cáo quý III trễ hạn") && page.contains("name=\"contest\""), "result and explanation form");
    assert!(page.contains("Điểm sau thẩm định") && page.contains("Hạn giải trình"), "the summary follows the stage");
    let officer_b = app.login("officer.b").await;
    assert_eq!(
        officer_b.post(app.url(&format!("/assessments/{ua}/entries/1.2/contest"))).form(&[("contest", "x")]).send().await.unwrap().status(),
        403
    );
    let r = officer
        .post(app.url(&format!("/assessments/{ua}/entries/1.2/contest")))
        .form(&[("contest", "Báo cáo gửi đúng hạn qua Hệ thống, có dấu thời gian")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(officer.post(app.url(&format!("/assessments/{ua}/contests"))).send().await.unwrap().status(), 403, "the leader sends");
    assert_eq!(leader.post(app.url(&format!("/assessments/{ua}/contests"))).send().await.unwrap().status(), 303);
    // final appraisal of the contested leaf: an answer is required
    let q = appraiser.get(app.url("/appraisal")).send().await.unwrap().text().await.unwrap();
    assert!(q.contains("Sở Alpha"), "the contested leaf is back in the queue");
    let r = appraiser.post(app.url(&format!("/appraisal/{ua}/entries/1.2"))).form(&[("op", "final"), ("yes", "yes")]).send().await.unwrap();
    assert_eq!(r.status(), 422);
    let r = appraiser
        .post(app.url(&format!("/appraisal/{ua}/entries/1.3")))
        .form(&[("op", "final"), ("percent", "95"), ("explanation", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422, "1.3 was not contested");
    let r = appraiser
        .post(app.url(&format!("/appraisal/{ua}/entries/1.2")))
        .form(&[("op", "final"), ("yes", "yes"), ("explanation", "Đã kiểm tra dấu thời gian: chấp nhận")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    // the council approves: results are frozen
    assert_eq!(
        sec.post(app.url(&format!("/periods/{}/approve", p.id))).send().await.unwrap().status(),
        403,
        "the council approves, not the secretariat"
    );
    let council = app.login("council").await;
    let r = council.post(app.url(&format!("/periods/{}/approve", p.id))).send().await.unwrap();
    assert_eq!(r.headers()["location"], &format!("/periods/{}?approved=1", p.id));
    let v = app.store.get_assessment(ua).await.unwrap();
    assert_eq!(v.assessment.state.as_str(), "approved");
    let e = &v.entries["1.2"];
    assert_eq!(
        (e.points.clone(), e.appraised_points.clone(), counted_cached(e)),
        (Some(parindex_core::Exact::ONE), Some(parindex_core::Exact::ZERO), Some(parindex_core::Exact::ONE))
    );
    let r = officer.post(app.url(&format!("/assessments/{ua}/entries/1.2"))).form(&[("yes", "no"), ("version", "1")]).send().await.unwrap();
    assert_eq!(r.status(), 409, "frozen");
    let r = appraiser
        .post(app.url(&format!("/appraisal/{ua}/entries/1.2")))
        .form(&[("op", "save"), ("yes", "no"), ("explanation", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409, "frozen");
    let audit = app
        .store
        .list_audit(&parindex_store::repo::audit::AuditFilter { object_type: Some("assessment".into()), ..Default::default() })
        .await
        .unwrap();
    for action in [
        "assessment.submit",
        "assessment.appraise",
        "assessment.preliminary",
        "assessment.contest",
        "assessment.explain",
        "assessment.final",
        "assessment.approve",
    ] {
        assert!(audit.entries.iter().any(|e| e.action == action), "{action} in the audit log");
    }
});

backend_tests!(inbox_notices_and_reminders, |b| async move {
    let app = TestApp::spawn(b).await;
    let today = parindex_core::assessment::today_vn();
    let (ua, _) = open_period(&app, today + chrono::Duration::days(2)).await;
    // reminders: the staff of every open unit due within 3 days, once a day
    let first = app.store.send_reminders(today, 3).await.unwrap();
    assert_eq!(first, 3, "officer.a, leader.a (UA) and officer.b (UB); XC has no staff");
    assert_eq!(app.store.send_reminders(today, 3).await.unwrap(), 0, "not twice on the same day");
    let officer = app.login("officer.a").await;
    let home = officer.get(app.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(home.contains("class=\"count\""), "the unread count is in the header");
    let inbox = officer.get(app.url("/inbox")).send().await.unwrap().text().await.unwrap();
    assert!(inbox.contains("Nhắc hạn: bản tự đánh giá Sở Alpha"));
    // a submission tells the reform office and the appraisers, not other units
    let sys = parindex_store::AuditCtx::system("test");
    for (code, t) in [
        ("1.1", "{\"option\": \"dung_han\"}"),
        ("1.2", "{\"yes\": true}"),
        ("1.3", "{\"percent\": 90}"),
        ("2.2", "{\"count\": 1}"),
        ("2.3", "{\"value\": 1}"),
    ] {
        let raw: parindex_core::framework::rule::InputText = serde_json::from_str(t).unwrap();
        let e = parindex_store::repo::periods::EntryInput { input: Some(raw.into()), explanation: Some("x".into()), ..Default::default() };
        app.store.save_entry(&sys, ua, code, e, today).await.unwrap();
    }
    let leader = app.login("leader.a").await;
    assert_eq!(leader.post(app.url(&format!("/assessments/{ua}/submit"))).send().await.unwrap().status(), 303);
    let sec = app.login("secretariat").await;
    let inbox = sec.get(app.url("/inbox")).send().await.unwrap().text().await.unwrap();
    assert!(inbox.contains("Sở Alpha đã nộp bản tự đánh giá"));
    let appraiser = app.login("appraiser").await;
    assert!(appraiser.get(app.url("/inbox")).send().await.unwrap().text().await.unwrap().contains("Sở Alpha đã nộp"));
    let officer_b = app.login("officer.b").await;
    assert!(!officer_b.get(app.url("/inbox")).send().await.unwrap().text().await.unwrap().contains("đã nộp"));
    // opening a notice marks it read and goes to its page; another person's notice is not found
    let sec_id = app.store.list_users().await.unwrap().into_iter().find(|u| u.username == "secretariat").unwrap().id;
    let mine = app.store.inbox(sec_id, 10).await.unwrap();
    let n = mine.iter().find(|n| n.kind == "submitted").unwrap();
    let r = sec.post(app.url(&format!("/inbox/{}", n.id))).send().await.unwrap();
    assert_eq!(r.headers()["location"], &format!("/assessments/{ua}"));
    assert_eq!(officer_b.post(app.url(&format!("/inbox/{}", n.id))).send().await.unwrap().status(), 404);
    assert_eq!(app.store.unread_count(sec_id).await.unwrap(), 0);
    // a returned leaf tells the unit
    let r = appraiser
        .post(app.url(&format!("/appraisal/{ua}/entries/2.2")))
        .form(&[("op", "return"), ("note", "Thiếu danh sách")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert!(
        officer
            .get(app.url("/inbox"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
            .contains("Tiêu chí 2.2 bị trả lại để sửa: Thiếu danh sách")
    );
});

/// A fake SMTP server on a real socket: records each message; refuses recipients when asked.
async fn fake_smtp(refuse: bool) -> (u16, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let got = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let store = got.clone();
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            let (r, mut w) = sock.into_split();
            let mut r = BufReader::new(r);
            w.write_all(b"220 fake ESMTP\r\n").await.unwrap();
            let mut data = None::<String>;
            loop {
                let mut line = String::new();
                if r.read_line(&mut line).await.unwrap_or(0) == 0 {
                    break;
                }
                if let Some(d) = data.as_mut() {
                    if line == ".\r\n" {
                        let msg = data.take().unwrap();
                        store.lock().unwrap().push(msg);
                        w.write_all(b"250 queued\r\n").await.unwrap();
                    } else {
                        d.push_str(&line);
                    }
                    continue;
                }
                let reply: &[u8] = match &line[..4.min(line.len())] {
                    "EHLO" => b"250-fake\r\n250 8BITMIME\r\n",
                    "RCPT" if refuse => b"550 no such user\r\n",
                    "DATA" => {
                        data = Some(String::new());
                        b"354 go on\r\n"
                    }
                    "QUIT" => b"221 bye\r\n",
                    _ => b"250 ok\r\n",
                };
                w.write_all(reply).await.unwrap();
            }
        }
    });
    (port, got)
}

backend_tests!(notices_are_emailed_through_smtp, |b| async move {
    let app = TestApp::spawn(b).await;
    let today = parindex_core::assessment::today_vn();
    open_period(&app, today + chrono::Duration::days(1)).await;
    let ua = app.store.unit_id_by_code("UA").await.unwrap();
    let sys = parindex_store::AuditCtx::system("test");
    app.store
        .create_user(
            &sys,
            parindex_store::repo::users::NewUser {
                username: "canbo.email".into(),
                full_name: "Cán bộ có thư".into(),
                email: Some("canbo.a@example.vn".into()),
                role: parindex_core::Role::UnitOfficer,
                unit_id: ua,
                password: "mat-khau-thu-nghiem-2".into(),
            },
        )
        .await
        .unwrap();
    assert!(app.store.send_reminders(today, 3).await.unwrap() >= 1);
    // a relay that refuses: nothing is lost, the notice waits
    let (bad, _) = fake_smtp(true).await;
    let smtp = |port| parindex_web::app::mail::Smtp { host: "127.0.0.1".into(), port, from: "cchc@example.vn".into() };
    let e = parindex_web::app::mail::deliver(&app.store, &smtp(bad), Some("https://cchc.example.vn")).await.unwrap_err();
    assert!(e.contains("550"), "{e}");
    let (good, got) = fake_smtp(false).await;
    assert_eq!(
        parindex_web::app::mail::deliver(&app.store, &smtp(good), Some("https://cchc.example.vn")).await.unwrap(),
        1,
        "only the user with an address"
    );
    assert_eq!(parindex_web::app::mail::deliver(&app.store, &smtp(good), Some("https://cchc.example.vn")).await.unwrap(), 0, "sent once");
    let msgs = got.lock().unwrap().clone();
    assert_eq!(msgs.len(), 1);
    let m = &msgs[0];
    assert!(m.contains("To: canbo.a@example.vn") && m.contains("Subject: =?UTF-8?B?"), "{m}");
    assert!(m.contains("Nhắc hạn: bản tự đánh giá Sở Alpha") && m.contains("https://cchc.example.vn/assessments/"), "{m}");
});

backend_tests!(full_cycle_for_three_units_through_the_api, |b| async move {
    let app = TestApp::spawn(b).await;
    let today = parindex_core::assessment::today_vn();
    let sys = parindex_store::AuditCtx::system("test");
    let hand = include_str!("../../../../frameworks/examples/hand-computed.yaml");
    app.store.import_framework(&sys, parindex_reports::framework::parse_framework("vd.yaml", hand).unwrap(), "vd.yaml").await.unwrap();
    app.store.set_framework_status(&sys, "VD-TINH-TAY", parindex_core::framework::Status::Published).await.unwrap();
    // a third unit with staff, so that three units go through every step
    let sec = app.api("secretariat").await;
    let d = |n: i64| (today + chrono::Duration::days(n)).to_string();
    let r = sec
        .post(app.url("/api/v1/periods"))
        .json(&json!({"code": "API", "name": "Chu trình API", "year": 2026, "framework": "VD-TINH-TAY", "unit_codes": ["UA", "UB", "XC"],
            "self_due": d(1), "appraisal_due": d(2), "explanation_due": d(3), "final_due": d(4), "approval_due": d(5)}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let period: Value = r.json().await.unwrap();
    let pid = period["id"].as_i64().unwrap();
    let list: Vec<Value> = sec.get(app.url(&format!("/api/v1/periods/{pid}/assessments"))).send().await.unwrap().json().await.unwrap();
    assert_eq!(list.len(), 3);
    let xc = app.store.unit_id_by_code("XC").await.unwrap();
    for (user, role) in [
        ("officer.c", parindex_core::Role::UnitOfficer),
        ("leader.c", parindex_core::Role::UnitLeader),
        ("leader.b", parindex_core::Role::UnitLeader),
    ] {
        let unit = if user.ends_with(".b") { app.store.unit_id_by_code("UB").await.unwrap() } else { xc };
        let u = parindex_store::repo::users::NewUser {
            username: user.into(),
            full_name: user.into(),
            email: None,
            role,
            unit_id: unit,
            password: parindex_testkit::fixture::PASSWORD.into(),
        };
        app.store.create_user(&sys, u).await.unwrap();
    }
    let staff = [("UA", "officer.a", "leader.a"), ("UB", "officer.b", "leader.b"), ("XC", "officer.c", "leader.c")];
    let appraiser = app.api("appraiser").await;
    let admin = app.api("admin").await;
    for (unit, officer, leader) in staff {
        let id = list.iter().find(|a| a["unit_code"] == unit).unwrap()["id"].as_i64().unwrap();
        let (o, l) = (app.api(officer).await, app.api(leader).await);
        let mut leaves =
            vec![("1.1", json!("dung_han")), ("1.2", json!(true)), ("1.3", json!(82)), ("2.2", json!(1)), ("2.3", json!({"value": 1}))];
        if unit == "XC" {
            leaves.push(("3.2", json!(true)));
        }
        for (code, input) in &leaves {
            let body = json!({"input": input, "version": 0, "explanation": "Bản giấy"});
            let r = o.put(app.url(&format!("/api/v1/assessments/{id}/entries/{code}"))).json(&body).send().await.unwrap();
            assert_eq!(r.status(), 200, "{unit} {code}");
        }
        assert_eq!(l.post(app.url(&format!("/api/v1/assessments/{id}/submit"))).send().await.unwrap().status(), 200, "{unit} submit");
        // appraisal with one change; 1.1 by the admin (SNV's leaf)
        for (code, input) in &leaves {
            let (who, body) = match *code {
                "1.1" => (&admin, json!({"input": input})),
                "1.2" => (&appraiser, json!({"input": false, "comment": "Báo cáo trễ hạn"})),
                _ => (&appraiser, json!({"input": input})),
            };
            let r = who.put(app.url(&format!("/api/v1/assessments/{id}/appraisal/{code}"))).json(&body).send().await.unwrap();
            assert_eq!(r.status(), 204, "{unit} appraise {code}");
        }
        assert_eq!(o.post(app.url(&format!("/api/v1/assessments/{id}/preliminary"))).send().await.unwrap().status(), 403);
        assert_eq!(sec.post(app.url(&format!("/api/v1/assessments/{id}/preliminary"))).send().await.unwrap().status(), 204);
        // UA contests 1.2; the others accept
        if unit == "UA" {
            let r = o
                .put(app.url(&format!("/api/v1/assessments/{id}/contest/1.2")))
                .json(&json!({"text": "Gửi đúng hạn qua hệ thống"}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 204);
        }
        assert_eq!(
            o.post(app.url(&format!("/api/v1/assessments/{id}/explanations"))).send().await.unwrap().status(),
            403,
            "the leader sends"
        );
        assert_eq!(l.post(app.url(&format!("/api/v1/assessments/{id}/explanations"))).send().await.unwrap().status(), 204);
        if unit == "UA" {
            let council = app.api("council").await;
            let r = council.post(app.url(&format!("/api/v1/periods/{pid}/approve"))).send().await.unwrap();
            assert_eq!(r.status(), 422, "not everyone is ready yet");
            let r = appraiser
                .put(app.url(&format!("/api/v1/assessments/{id}/final/1.2")))
                .json(&json!({"input": true, "comment": ""}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 422, "an answer is required");
            let r = appraiser
                .put(app.url(&format!("/api/v1/assessments/{id}/final/1.2")))
                .json(&json!({"input": true, "comment": "Chấp nhận"}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 204);
        }
    }
    assert_eq!(sec.post(app.url(&format!("/api/v1/periods/{pid}/approve"))).send().await.unwrap().status(), 403);
    let council = app.api("council").await;
    let r: Value = council.post(app.url(&format!("/api/v1/periods/{pid}/approve"))).send().await.unwrap().json().await.unwrap();
    assert_eq!(r["approved"], 3);
    let periods: Vec<Value> = sec.get(app.url("/api/v1/periods")).send().await.unwrap().json().await.unwrap();
    assert_eq!(periods.iter().find(|p| p["id"] == pid).unwrap()["states"]["approved"], 3);
    // after approval nothing moves
    let ua = list.iter().find(|a| a["unit_code"] == "UA").unwrap()["id"].as_i64().unwrap();
    let r = appraiser
        .put(app.url(&format!("/api/v1/assessments/{ua}/appraisal/1.3")))
        .json(&json!({"input": 50, "comment": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
});

backend_tests!(appraisal_assignments_per_period, |b| async move {
    let app = TestApp::spawn(b).await;
    let today = parindex_core::assessment::today_vn();
    let (ua, _) = open_period(&app, today + chrono::Duration::days(3)).await;
    let sys = parindex_store::AuditCtx::system("test");
    let ub = app.store.unit_id_by_code("UB").await.unwrap();
    let u = parindex_store::repo::users::NewUser {
        username: "appraiser.ub".into(),
        full_name: "Thẩm định viên UB".into(),
        email: None,
        role: parindex_core::Role::Appraiser,
        unit_id: ub,
        password: parindex_testkit::fixture::PASSWORD.into(),
    };
    app.store.create_user(&sys, u).await.unwrap();
    for (code, t) in [
        ("1.1", "{\"option\": \"dung_han\"}"),
        ("1.2", "{\"yes\": true}"),
        ("1.3", "{\"percent\": 90}"),
        ("2.2", "{\"count\": 1}"),
        ("2.3", "{\"value\": 1}"),
    ] {
        let raw: parindex_core::framework::rule::InputText = serde_json::from_str(t).unwrap();
        let e = parindex_store::repo::periods::EntryInput { input: Some(raw.into()), explanation: Some("x".into()), ..Default::default() };
        app.store.save_entry(&sys, ua, code, e, today).await.unwrap();
    }
    app.store.submit_assessment(&sys, ua, today).await.unwrap();
    // domain 2 goes to UB for this period; a wrong code is refused and named
    let sec = app.login("secretariat").await;
    assert_eq!(
        app.login("appraiser").await.post(app.url("/periods/1/assignments")).form(&[("a:2", "UB")]).send().await.unwrap().status(),
        403
    );
    let r = sec.post(app.url("/periods/1/assignments")).form(&[("a:2", "KHONGCO"), ("a:9", "UB")]).send().await.unwrap();
    let loc = r.headers()["location"].to_str().unwrap().to_string();
    assert!(loc.contains("not_ready=") && loc.contains("KHONGCO"), "{loc}");
    let r = sec.post(app.url("/periods/1/assignments")).form(&[("a:2", "ub"), ("a:1", "")]).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/periods/1?assigned=1#assignments");
    let page = sec.get(app.url("/periods/1")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("name=\"a:2\" value=\"UB\""));
    let q: Vec<Value> = app.api("appraiser.ub").await.get(app.url("/api/v1/appraisal")).send().await.unwrap().json().await.unwrap();
    assert_eq!(q[0]["leaves"], 2, "2.2 and 2.3 now belong to UB");
    let q: Vec<Value> = app.api("appraiser").await.get(app.url("/api/v1/appraisal")).send().await.unwrap().json().await.unwrap();
    assert_eq!(q[0]["leaves"], 2, "the reform office keeps 1.2 and 1.3");
    let r = app
        .api("appraiser")
        .await
        .put(app.url(&format!("/api/v1/assessments/{ua}/appraisal/2.2")))
        .json(&json!({"input": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "no longer theirs: a permission refusal (issue #15)");
});

backend_tests!(every_stage_closes_at_its_deadline, |b| async move {
    use parindex_store::repo::appraisal::AppraiserScope;
    use parindex_store::repo::periods::{EntryInput, PeriodInput};
    let app = TestApp::spawn(b).await;
    let today = parindex_core::assessment::today_vn();
    let day = |n: i64| today + chrono::Duration::days(n);
    let sys = parindex_store::AuditCtx::system("test");
    let hand = include_str!("../../../../frameworks/examples/hand-computed.yaml");
    app.store.import_framework(&sys, parindex_reports::framework::parse_framework("vd.yaml", hand).unwrap(), "vd.yaml").await.unwrap();
    app.store.set_framework_status(&sys, "VD-TINH-TAY", parindex_core::framework::Status::Published).await.unwrap();
    // every deadline is in the past; the earlier steps happened on their days
    let p = app
        .store
        .create_period(
            &sys,
            PeriodInput {
                code: "QUA-HAN".into(),
                name: "Quá hạn".into(),
                year: 2026,
                framework_code: "VD-TINH-TAY".into(),
                unit_codes: vec!["UA".into(), "UB".into()],
                self_due: Some(day(-4)),
                appraisal_due: Some(day(-3)),
                explanation_due: Some(day(-2)),
                final_due: Some(day(-1)),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let rows = app.store.list_assessments(p.id, parindex_core::UnitScope::All).await.unwrap();
    let id = |c: &str| rows.iter().find(|a| a.unit_code == c).unwrap().id;
    let (ua, ub) = (id("UA"), id("UB"));
    let input = |t: &str| -> parindex_core::framework::Input {
        serde_json::from_str::<parindex_core::framework::rule::InputText>(t).unwrap().into()
    };
    let leaves = [
        ("1.1", "{\"option\": \"dung_han\"}"),
        ("1.2", "{\"yes\": true}"),
        ("1.3", "{\"percent\": 90}"),
        ("2.2", "{\"count\": 1}"),
        ("2.3", "{\"value\": 1}"),
    ];
    for a in [ua, ub] {
        for (code, t) in leaves {
            let e = EntryInput { input: Some(input(t)), explanation: Some("x".into()), ..Default::default() };
            app.store.save_entry(&sys, a, code, e, day(-5)).await.unwrap();
        }
        app.store.submit_assessment(&sys, a, day(-5)).await.unwrap();
    }
    for (code, t) in leaves {
        app.store.appraise_entry(&sys, ua, code, &AppraiserScope::All, input(t), None, day(-4)).await.unwrap();
    }
    app.store.send_preliminary(&sys, ua).await.unwrap();
    // appraisal after its deadline (UB)
    let appraiser = app.login("appraiser").await;
    let r = appraiser.post(app.url(&format!("/appraisal/{ub}/entries/1.2"))).form(&[("op", "save"), ("yes", "yes")]).send().await.unwrap();
    assert_eq!(r.status(), 409);
    assert!(r.text().await.unwrap().contains("Đã quá hạn"));
    // explanations after theirs (UA)
    let officer = app.login("officer.a").await;
    let r = officer.post(app.url(&format!("/assessments/{ua}/entries/1.2/contest"))).form(&[("contest", "x")]).send().await.unwrap();
    assert_eq!(r.status(), 409);
    let leader = app.login("leader.a").await;
    assert_eq!(leader.post(app.url(&format!("/assessments/{ua}/contests"))).send().await.unwrap().status(), 409);
    // final appraisal after its deadline
    app.store.save_contest(&sys, ua, "1.2", "Xem lại", day(-3)).await.unwrap();
    app.store.submit_contests(&sys, ua, day(-3)).await.unwrap();
    let r = appraiser
        .post(app.url(&format!("/appraisal/{ua}/entries/1.2")))
        .form(&[("op", "final"), ("yes", "yes"), ("explanation", "ok")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    let v = app.store.get_assessment(ua).await.unwrap();
    assert!(v.entries["1.2"].final_at.is_none(), "nothing written");
});

backend_tests!(three_demo_units_through_the_api, |b| async move {
    use parindex_testkit::demo::{assessment_of, finish_others};
    let app = TestApp::spawn_demo(b).await;
    let units = [
        ("STC", "canbo.stc", "lanhdao.stc"),
        ("SYT", "canbo.syt", "lanhdao.syt"),
        ("P-CHIENGSINH", "canbo.chiengsinh", "lanhdao.chiengsinh"),
    ];
    let mut ids = Vec::new();
    for (code, officer, leader) in units {
        let (period, id) = assessment_of(&app.store, code).await;
        ids.push((period, id));
        let (o, l) = (app.api(officer).await, app.api(leader).await);
        // the other unit's officer cannot even read it
        let other = if code == "STC" { "canbo.syt" } else { "canbo.stc" };
        assert_eq!(app.api(other).await.get(app.url(&format!("/api/v1/assessments/{id}"))).send().await.unwrap().status(), 403);
        let view = app.store.get_assessment(id).await.unwrap();
        let mut rng = parindex_core::framework::synthetic::Rng::new(id as u64);
        for leaf in parindex_store::repo::periods::self_leaves(&view.framework, &view.assessment.unit_kind) {
            if view.entries.get(&leaf.code).is_some_and(|e| e.input.is_some()) {
                continue;
            }
            let input = parindex_demo::demo_input(&mut rng, leaf.rule.as_ref().unwrap(), leaf.max.as_ref().unwrap());
            let body = json!({"input": input, "version": 0, "explanation": "Bản giấy lưu tại đơn vị"});
            let r = o.put(app.url(&format!("/api/v1/assessments/{id}/entries/{}", leaf.code))).json(&body).send().await.unwrap();
            assert_eq!(r.status(), 200, "{code} {}", leaf.code);
        }
        assert_eq!(
            o.post(app.url(&format!("/api/v1/assessments/{id}/submit"))).send().await.unwrap().status(),
            403,
            "officers do not submit"
        );
        assert_eq!(l.post(app.url(&format!("/api/v1/assessments/{id}/submit"))).send().await.unwrap().status(), 200, "{code} submit");
    }
    // Justice lowers 2.2 (a comment is required) and every agency accepts the rest of its leaves
    let stp = app.api("thamdinh.stp").await;
    for (_, id) in &ids {
        let own = app.store.get_assessment(*id).await.unwrap().entries["2.2"].input.clone().unwrap().yes.unwrap();
        let url = app.url(&format!("/api/v1/assessments/{id}/appraisal/2.2"));
        assert_eq!(stp.put(&url).json(&json!({"input": !own})).send().await.unwrap().status(), 422, "the reason is required");
        assert_eq!(stp.put(&url).json(&json!({"input": !own, "comment": "Chưa có kết quả rà soát"})).send().await.unwrap().status(), 204);
        let r = app.api("thamdinh.vp").await.put(&url).json(&json!({"input": own})).send().await.unwrap();
        assert_eq!(r.status(), 403, "2.2 is not the People's Committee Office's");
    }
    for who in ["thamdinh.cchc", "thamdinh.snv", "thamdinh.stp", "thamdinh.vp", "thamdinh.stc", "thamdinh.skhcn"] {
        let c = app.api(who).await;
        let queue: Vec<Value> = c.get(app.url("/api/v1/appraisal")).send().await.unwrap().json().await.unwrap();
        for (_, id) in &ids {
            assert!(queue.iter().any(|q| q["assessment"]["id"] == *id), "{who} has the unit in the queue");
            let r = c.post(app.url(&format!("/api/v1/assessments/{id}/appraisal/accept"))).send().await.unwrap();
            assert_eq!(r.status(), 200, "{who}");
            let r = c.post(app.url(&format!("/api/v1/assessments/{id}/appraisal/accept"))).send().await.unwrap();
            assert_eq!(r.status(), 422, "{who}: nothing left");
        }
    }
    assert_eq!(
        app.api("canbo.stc")
            .await
            .post(app.url(&format!("/api/v1/assessments/{}/appraisal/accept", ids[1].1)))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    let sec = app.api("thuky").await;
    for (k, (code, officer, leader)) in units.iter().enumerate() {
        let id = ids[k].1;
        let r = sec.post(app.url(&format!("/api/v1/assessments/{id}/preliminary"))).send().await.unwrap();
        assert_eq!(r.status(), 204, "{code}: {}", r.text().await.unwrap());
        let (o, l) = (app.api(officer).await, app.api(leader).await);
        let r = o
            .put(app.url(&format!("/api/v1/assessments/{id}/contest/2.2")))
            .json(&json!({"text": "Đã rà soát theo kế hoạch"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 204);
        assert_eq!(l.post(app.url(&format!("/api/v1/assessments/{id}/explanations"))).send().await.unwrap().status(), 204);
        let r = app
            .api("thamdinh.snv")
            .await
            .put(app.url(&format!("/api/v1/assessments/{id}/final/2.2")))
            .json(&json!({"input": true, "comment": "x"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "only the leaf's own appraiser answers: a permission refusal (issue #15)");
        let r = stp
            .put(app.url(&format!("/api/v1/assessments/{id}/final/2.2")))
            .json(&json!({"input": true, "comment": "Chấp nhận giải trình"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 204);
    }
    let council = app.api("hoidong").await;
    for period in [ids[0].0, ids[2].0] {
        let keep: Vec<i64> = ids.iter().map(|x| x.1).collect();
        assert_eq!(council.post(app.url(&format!("/api/v1/periods/{period}/approve"))).send().await.unwrap().status(), 422);
        finish_others(&app.store, period, &keep).await;
        assert_eq!(sec.post(app.url(&format!("/api/v1/periods/{period}/approve"))).send().await.unwrap().status(), 403);
        let r: Value = council.post(app.url(&format!("/api/v1/periods/{period}/approve"))).send().await.unwrap().json().await.unwrap();
        assert!(r["approved"].as_u64().unwrap() >= 2);
    }
    for (_, id) in &ids {
        let a: Value = sec.get(app.url(&format!("/api/v1/assessments/{id}"))).send().await.unwrap().json().await.unwrap();
        assert_eq!(a["assessment"]["state"], "approved");
        let e = a["entries"].as_array().unwrap().iter().find(|e| e["code"] == "2.2").unwrap().clone();
        assert_eq!((e["contest"].as_str(), e["final_comment"].as_str()), (Some("Đã rà soát theo kế hoạch"), Some("Chấp nhận giải trình")));
    }
});

fn corpus_file(path: &str) -> Vec<u8> {
    std::fs::read(format!("{}/../reports/tests/xlsform-corpus/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

backend_tests!(questionnaires_import_publish_version_and_denials, |b| async move {
    let app = TestApp::spawn(b).await;
    let upload = |name: &str, bytes: Vec<u8>| Form::new().part("file", Part::bytes(bytes).file_name(name.to_string()));
    let sipas = corpus_file("own/sipas_vi.xlsx");
    // only the reform office: everyone else is refused on every route, and has no menu entry
    for user in ["officer.a", "leader.a", "appraiser", "council", "viewer"] {
        let c = app.login(user).await;
        for path in ["/surveys", "/surveys/x", "/surveys/x/preview", "/surveys/x/download"] {
            assert_eq!(c.get(app.url(path)).send().await.unwrap().status(), 403, "{user} GET {path}");
        }
        let r = c.post(app.url("/surveys/import")).multipart(upload("sipas.xlsx", sipas.clone())).send().await.unwrap();
        assert_eq!(r.status(), 403, "{user} imports");
        assert_eq!(c.post(app.url("/surveys/x/publish")).send().await.unwrap().status(), 403, "{user} publishes");
        let home = c.get(app.url("/")).send().await.unwrap().text().await.unwrap();
        assert!(!home.contains("href=\"/surveys\""), "{user} has no menu entry");
        let api = app.api(user).await;
        assert_eq!(api.get(app.url("/api/v1/questionnaires")).send().await.unwrap().status(), 403);
        assert_eq!(api.post(app.url("/api/v1/questionnaires")).body(sipas.clone()).send().await.unwrap().status(), 403);
    }
    assert!(app.store.list_questionnaires().await.unwrap().is_empty());
    let sec = app.login("secretariat").await;
    assert!(sec.get(app.url("/")).send().await.unwrap().text().await.unwrap().contains("href=\"/surveys\""));
    // a broken workbook: all 7 errors, nothing saved
    let r = sec.post(app.url("/surveys/import")).multipart(upload("hong.xlsx", corpus_file("own/broken.xlsx"))).send().await.unwrap();
    assert_eq!(r.status(), 422);
    let page = r.text().await.unwrap();
    assert_eq!(page.matches("class=\"badge err\"").count(), 7, "{page}");
    assert!(page.contains("hong.xlsx") && page.contains("integr") && page.contains("dòng 6"), "{page}");
    assert!(app.store.list_questionnaires().await.unwrap().is_empty());
    // a form with unsupported parts: imported as a draft with its report
    let r = sec
        .post(app.url("/surveys/import"))
        .multipart(upload("widgets.xls", corpus_file("pyxform/tests/example_xls/widgets.xls")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let page = r.text().await.unwrap();
    assert!(page.contains("id=\"import-report\"") && page.contains("my_geopoint") && page.contains("Không nhập"), "{page}");
    // the SIPAS form: no report; its page, preview, downloads
    let r = sec.post(app.url("/surveys/import")).multipart(upload("sipas_vi.xlsx", sipas.clone())).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let page = r.text().await.unwrap();
    assert!(!page.contains("id=\"import-report\"") && page.contains("Đã nhập phiếu từ tệp sipas_vi.xlsx"));
    assert!(page.contains("Thang Likert 5 mức") && page.contains("Bảng ma trận"));
    let preview = sec.get(app.url("/surveys/sipas_2025/preview")).send().await.unwrap().text().await.unwrap();
    assert!(preview.contains("class=\"matrix\"") && preview.contains("Rất hài lòng"));
    let xlsx = sec.get(app.url("/surveys/sipas_2025/download")).send().await.unwrap().bytes().await.unwrap();
    let again = parindex_reports::xlsform::import_xlsform("again.xlsx", &xlsx);
    assert_eq!(again.questionnaire.as_ref().unwrap().questions().count(), 34, "{:?}", again.diags);
    let yaml = sec.get(app.url("/surveys/sipas_2025/download?format=yaml")).send().await.unwrap().text().await.unwrap();
    assert!(parindex_reports::survey::parse_questionnaire("x.yaml", &yaml).is_ok());
    // publish: immutable — publishing again or re-importing the same code is refused
    let r = sec.post(app.url("/surveys/sipas_2025/publish")).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/surveys/sipas_2025?done=published");
    assert_eq!(sec.post(app.url("/surveys/sipas_2025/publish")).send().await.unwrap().status(), 422);
    let r = sec.post(app.url("/surveys/import")).multipart(upload("sipas_vi.xlsx", sipas.clone())).send().await.unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("đã công bố"));
    // a new version from it, as a draft
    let r = sec.post(app.url("/surveys/sipas_2025/versions")).form(&[("new_code", "sipas_2026")]).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/surveys/sipas_2026?done=version");
    let r = sec.post(app.url("/surveys/sipas_2025/versions")).form(&[("new_code", "sipas_2026")]).send().await.unwrap();
    assert_eq!(r.status(), 422, "the code is taken");
    let list = sec.get(app.url("/surveys")).send().await.unwrap().text().await.unwrap();
    assert!(list.contains("sipas_2025") && list.contains("sipas_2026") && list.contains("Đã công bố") && list.contains("Dự thảo"));
    // the API: list, one, import with diagnostics, refusal with every error, publish, XLSForm
    let api = app.api("secretariat").await;
    let rows: Vec<Value> = api.get(app.url("/api/v1/questionnaires")).send().await.unwrap().json().await.unwrap();
    assert_eq!(rows.len(), 3);
    let one: Value = api.get(app.url("/api/v1/questionnaires/sipas_2025")).send().await.unwrap().json().await.unwrap();
    let sections = one["definition"]["sections"].as_array().unwrap();
    assert_eq!(sections.iter().filter(|s| s["matrix"] == true).count(), 5);
    assert_eq!(sections.iter().map(|s| s["questions"].as_array().unwrap().len()).sum::<usize>(), 34);
    let r = api
        .post(app.url("/api/v1/questionnaires?filename=loop.xlsx"))
        .body(corpus_file("pyxform/tests/example_xls/loop.xlsx"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["diagnostics"].as_array().unwrap().iter().filter(|d| d["level"] == "not_imported").count(), 2);
    let r = api.post(app.url("/api/v1/questionnaires?filename=broken.xlsx")).body(corpus_file("own/broken.xlsx")).send().await.unwrap();
    assert_eq!(r.status(), 422);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"]["details"].as_array().unwrap().len(), 7);
    assert_eq!(api.post(app.url("/api/v1/questionnaires/sipas_2026/publish")).send().await.unwrap().status(), 200);
    assert_eq!(api.post(app.url("/api/v1/questionnaires/sipas_2026/publish")).send().await.unwrap().status(), 409);
    let r = api.get(app.url("/api/v1/questionnaires/sipas_2026/xlsform")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(parindex_reports::xlsform::import_xlsform("x.xlsx", &r.bytes().await.unwrap()).questionnaire.is_some());
    let audit = app
        .store
        .list_audit(&parindex_store::repo::audit::AuditFilter { object_type: Some("questionnaire".into()), ..Default::default() })
        .await
        .unwrap();
    let actions: Vec<&str> = audit.entries.iter().map(|e| e.action.as_str()).collect();
    assert!(actions.contains(&"questionnaire.import") && actions.contains(&"questionnaire.publish"), "{actions:?}");
});

backend_tests!(public_survey_page_counts_checks_and_refuses, |b| async move {
    let app = TestApp::spawn(b).await;
    let sec = app.login("secretariat").await;
    let (run_url, run_id) = open_sipas_run(&app, &sec).await;
    for user in ["officer.a", "council"] {
        assert_eq!(app.login(user).await.get(app.url(&run_url)).send().await.unwrap().status(), 403, "{user}");
    }
    let units = app.store.survey_units(run_id).await.unwrap();
    assert_eq!(units.len(), 1, "the fixture's one commune");
    let key = units[0].public_key.clone();
    // the public page: anonymous, small, no script
    let anon = app.client();
    let r = anon.get(app.url(&format!("/k/{key}"))).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let page = r.text().await.unwrap();
    let css = anon.get(app.url("/static/public.css")).send().await.unwrap().text().await.unwrap();
    assert!(page.len() + css.len() < 100_000, "{} + {} bytes", page.len(), css.len());
    assert!(!page.contains("<script"), "works without JavaScript");
    assert!(page.contains("UBND xã Chiềng Cọ") && page.contains("Rất hài lòng"));
    assert_eq!(anon.get(app.url("/k/khong-co")).send().await.unwrap().status(), 404);
    // a refused response keeps what was chosen and says what is missing
    let (q, _) = app.store.get_questionnaire("MAU-SIPAS-2026").await.map(|(r, q)| (q, r)).unwrap();
    let likert: Vec<String> =
        q.questions().filter(|(_, x)| x.kind == parindex_core::survey::QuestionType::Likert).map(|(_, x)| x.name.clone()).collect();
    let singles: Vec<(String, String)> = q
        .questions()
        .filter(|(_, x)| x.kind == parindex_core::survey::QuestionType::SingleChoice && x.required)
        .map(|(_, x)| (x.name.clone(), q.list(x.list.as_deref().unwrap()).unwrap().choices[0].key.clone()))
        .collect();
    let mut body: Vec<(String, String)> = likert.iter().skip(1).map(|n| (n.clone(), "4".to_string())).collect();
    body.extend(singles.iter().cloned());
    let r = anon.post(app.url(&format!("/k/{key}?kenh=qr"))).form(&body).send().await.unwrap();
    assert_eq!(r.status(), 422);
    let page = r.text().await.unwrap();
    assert!(page.contains("Câu này bắt buộc trả lời") && page.contains("value=\"4\" checked"), "kept and explained");
    assert_eq!(app.store.get_survey(run_id).await.unwrap().responses, 0);
    // a good one is counted; the same form again from the same device is told, not counted
    body.push((likert[0].clone(), "5".into()));
    let r = anon.post(app.url(&format!("/k/{key}?kenh=qr"))).form(&body).send().await.unwrap();
    assert_eq!(r.headers()["location"], format!("/k/{key}/cam-on"));
    let r = anon.post(app.url(&format!("/k/{key}?kenh=qr"))).form(&body).send().await.unwrap();
    assert_eq!(r.headers()["location"], format!("/k/{key}/cam-on?trung=1"));
    let thanks = anon.get(app.url(&format!("/k/{key}/cam-on?trung=1"))).send().await.unwrap().text().await.unwrap();
    assert!(thanks.contains("không tính thêm"));
    assert_eq!(app.store.get_survey(run_id).await.unwrap().responses, 1);
    // forty citizens at once: grouped into few transactions, every one acknowledged and counted
    let mut sends = Vec::new();
    for i in 0..40 {
        let mut b = body.clone();
        let q = &likert[1 + i % 20];
        b.iter_mut().filter(|(k, _)| k == q).for_each(|(_, v)| *v = ((i % 5) + 1).to_string());
        // forty devices (the same answers from one device within a day are one response)
        let (c, url) = (app.client(), app.url(&format!("/k/{key}")));
        sends.push(tokio::spawn(async move {
            c.post(url).header("user-agent", format!("dien-thoai-{i}")).form(&b).send().await.unwrap().status().as_u16()
        }));
    }
    for s in sends {
        assert_eq!(s.await.unwrap(), 303);
    }
    assert_eq!(app.store.get_survey(run_id).await.unwrap().responses, 41);
    // the reform office sees the progress and the indices, and sets N (quota by Yamane)
    let page = sec.get(app.url(&run_url)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(&format!("/k/{key}")) && page.contains("Toàn tỉnh"), "{page}");
    let r = sec
        .post(app.url(&format!("{run_url}/populations")))
        .form(&[(format!("n:{}", units[0].unit_id), "1.000".to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], format!("{run_url}?done=populations"));
    assert_eq!(app.store.survey_units(run_id).await.unwrap()[0].quota, 286);
    let r = sec
        .post(app.url(&format!("{run_url}/populations")))
        .form(&[(format!("n:{}", units[0].unit_id), "nhiều".to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    // nothing about the respondent is stored with the answers
    let stored = app.store.survey_tallies(run_id).await.unwrap();
    assert_eq!(stored.units["XC"][0].n, 41 * 6);
});

/// A CSV of responses for the fixture's commune XC: `rows` of (q01..q30 cell, extra).
fn responses_csv(header: &str, rows: &[String]) -> Vec<u8> {
    let mut out = format!("{header}\n");
    for r in rows {
        out.push_str(r);
        out.push('\n');
    }
    out.into_bytes()
}

backend_tests!(survey_responses_import_export_recount_and_denials, |b| async move {
    let app = TestApp::spawn(b).await;
    let sec = app.login("secretariat").await;
    let (run_url, run_id) = open_sipas_run(&app, &sec).await;
    let key = app.store.survey_units(run_id).await.unwrap()[0].public_key.clone();
    // two citizens answer on the public page
    let anon = app.client();
    for level in ["5", "2"] {
        let mut body: Vec<(String, String)> = (1..=30).map(|i| (format!("q{i:02}"), level.to_string())).collect();
        body.extend(
            [("age_group", "30-44"), ("gender", "F"), ("dan_toc", "kinh"), ("hoc_van", "thpt"), ("nghe_nghiep", "nong_dan")]
                .map(|(a, b)| (a.to_string(), b.to_string())),
        );
        let r = anon.post(app.url(&format!("/k/{key}"))).form(&body).send().await.unwrap();
        assert_eq!(r.status(), 303);
    }
    let header = format!(
        "response_id,unit_code,channel,submitted_at,age_group,{}",
        (1..=30).map(|i| format!("q{i:02}")).collect::<Vec<_>>().join(",")
    );
    let row = |id: usize, unit: &str, channel: &str, cell: &dyn Fn(usize) -> String| {
        format!("{id},{unit},{channel},2026-03-14T09:21:05+07:00,30-44,{}", (1..=30).map(cell).collect::<Vec<_>>().join(","))
    };
    // a file with bad rows: every one listed by row and column, nothing written
    let bad = responses_csv(
        &header,
        &[
            row(1, "XC", "paper", &|_| "4".into()),
            row(2, "KHONG-CO", "paper", &|_| "4".into()),
            row(3, "XC", "fax", &|i| if i == 5 { "7".into() } else { "3".into() }),
        ],
    );
    let upload = |bytes: Vec<u8>, name: &'static str| Form::new().text("channel", "paper").part("file", Part::bytes(bytes).file_name(name));
    let r = sec.post(app.url(&format!("{run_url}/import"))).multipart(upload(bad, "phieu-giay.csv")).send().await.unwrap();
    assert_eq!(r.status(), 422);
    let page = r.text().await.unwrap();
    for needle in ["số dòng sai: 2", "Dòng 3, cột unit_code", "KHONG-CO", "Dòng 4, cột channel", "Dòng 4, cột q05", "Chưa nhập phiếu nào"]
    {
        assert!(page.contains(needle), "{needle} in {page}");
    }
    assert_eq!(app.store.get_survey(run_id).await.unwrap().responses, 2, "nothing half-written");
    // a good file: blanks stay blank, the extra column is named as ignored
    let good = responses_csv(
        &header,
        &[row(1, "XC", "paper", &|i| if i == 30 { String::new() } else { "4".into() }), row(2, "xc", "", &|i| ((i % 5) + 1).to_string())],
    );
    let r = sec.post(app.url(&format!("{run_url}/import"))).multipart(upload(good.clone(), "phieu-giay.csv")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let page = r.text().await.unwrap();
    assert!(page.contains("Đã nhập số phiếu: 2") && page.contains("dan_toc") && page.contains("phieu-giay.csv"), "{page}");
    assert_eq!(app.store.get_survey(run_id).await.unwrap().responses, 4);
    // the same file twice is refused, not counted twice
    let r = sec.post(app.url(&format!("{run_url}/import"))).multipart(upload(good, "lai-lan-nua.csv")).send().await.unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("đã được nhập"));
    // a KoboToolbox export: groups in the names, split columns and metadata ignored
    let kobo = "start,end,ma_don_vi,tiep_can/q01,ky_vong/ky_vong,ky_vong/ky_vong/bot_thu_tuc,_id,_uuid,_submission_time\n\
                2026-03-14T09:00:00,2026-03-14T09:05:00,XC,5,bot_thu_tuc nhanh_hon,1,17,abc,2026-03-14T02:06:00\n";
    let r = sec.post(app.url(&format!("{run_url}/import"))).multipart(upload(kobo.as_bytes().to_vec(), "kobo.csv")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(app.store.get_survey(run_id).await.unwrap().responses, 5);
    // the indices shown equal a computation from the system's own raw-response export
    let export = sec.get(app.url(&format!("{run_url}/responses.csv"))).send().await.unwrap();
    assert_eq!(export.status(), 200);
    let export = export.bytes().await.unwrap();
    assert_eq!(export.split(|b| *b == b'\n').filter(|l| !l.is_empty()).count(), 6, "header and five responses");
    let shown = sec.get(app.url(&format!("{run_url}/indices.csv"))).send().await.unwrap().text().await.unwrap();
    let from_export = parindex_core::sipas::to_csv(&parindex_core::sipas::indices(&parindex_core::sipas::tally_csv(&export, 2).unwrap()));
    assert_eq!(from_export, shown);
    let xc_sipas: f64 = shown.lines().find(|l| l.starts_with("XC,sipas,")).unwrap().split(',').nth(3).unwrap().parse().unwrap();
    let page = sec.get(app.url(&run_url)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(&format!("<strong>{}</strong>", format!("{xc_sipas:.1}").replace('.', ","))), "{xc_sipas} on the page");
    // with its 95 % interval over the unit's five respondents, and the ranking of expectations
    let (lo, hi) = parindex_core::sipas::wilson_95(xc_sipas, 5).unwrap();
    let ci = format!("{}–{}", format!("{lo:.1}").replace('.', ","), format!("{hi:.1}").replace('.', ","));
    assert!(page.contains("Khoảng tin cậy 95%") && page.contains(&ci), "{ci}");
    assert!(page.contains("Mong đợi của người dân") && page.contains("Giảm bớt thủ tục hành chính") && page.contains("20,0%"));
    // the same as a workbook, streamed from disk: the same rows, Likert answers as numbers
    let x = sec.get(app.url(&format!("{run_url}/responses.xlsx"))).send().await.unwrap();
    assert_eq!(x.status(), 200);
    let sheets = parindex_reports::table::read_workbook("r.xlsx", &x.bytes().await.unwrap()).unwrap();
    assert_eq!((sheets[0].0.as_str(), sheets[0].1.rows.len()), ("responses", 5));
    let csv_lines: Vec<String> = String::from_utf8(export.to_vec()).unwrap().lines().skip(1).map(String::from).collect();
    assert_eq!(sheets[0].1.rows[0].1[1], csv_lines[0].split(',').nth(1).unwrap(), "unit code");
    // (and, like the CSV, not for the units)
    assert_eq!(app.login("officer.a").await.get(app.url(&format!("{run_url}/responses.xlsx"))).send().await.unwrap().status(), 403);
    // and the export reads back as an import (into nothing new: the same answers)
    let text = String::from_utf8(export.to_vec()).unwrap();
    assert!(text.lines().nth(1).unwrap().contains(",XC,web,"), "{text}");
    assert!(text.contains("bot_thu_tuc nhanh_hon"));
    // recount from the raw responses gives the same indices
    let r = sec.post(app.url(&format!("{run_url}/recount"))).send().await.unwrap();
    assert_eq!(r.headers()["location"], format!("{run_url}?done=recount"));
    assert_eq!(sec.get(app.url(&format!("{run_url}/indices.csv"))).send().await.unwrap().text().await.unwrap(), shown);
    assert_eq!(app.store.get_survey(run_id).await.unwrap().responses, 5);
    // the unit's QR poster carries its link with the QR channel
    let unit_id = app.store.survey_units(run_id).await.unwrap()[0].unit_id;
    let r = sec.get(app.url(&format!("{run_url}/poster/{unit_id}?quay=Quầy%203"))).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("image/svg+xml"));
    let svg = r.text().await.unwrap();
    assert!(svg.contains(&format!("/k/{key}?kenh=qr")) && svg.contains("UBND xã Chiềng Cọ") && svg.contains("Quầy 3"), "{svg}");
    assert_eq!(sec.get(app.url(&format!("{run_url}/poster/999999"))).send().await.unwrap().status(), 404);
    // closed: the public link says so and takes nothing; imports are refused; reopened: takes again
    let r = sec.post(app.url(&format!("{run_url}/status/close"))).send().await.unwrap();
    assert_eq!(r.headers()["location"], format!("{run_url}?done=close"));
    assert!(sec.get(app.url(&run_url)).send().await.unwrap().text().await.unwrap().contains("Đã kết thúc"));
    let page = anon.get(app.url(&format!("/k/{key}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("đã kết thúc") && !page.contains("<form"), "closed public page");
    let mut body: Vec<(String, String)> = (1..=30).map(|i| (format!("q{i:02}"), "3".to_string())).collect();
    body.extend(
        [("age_group", "60+"), ("gender", "M"), ("dan_toc", "thai"), ("hoc_van", "thcs"), ("nghe_nghiep", "huu_tri")]
            .map(|(a, b)| (a.to_string(), b.to_string())),
    );
    assert_eq!(anon.post(app.url(&format!("/k/{key}"))).form(&body).send().await.unwrap().status(), 409);
    let late = responses_csv("unit_code,q01", &["XC,3".to_string()]);
    let r = sec.post(app.url(&format!("{run_url}/import"))).multipart(upload(late.clone(), "muon.csv")).send().await.unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("kết thúc"));
    assert_eq!(app.store.get_survey(run_id).await.unwrap().responses, 5);
    sec.post(app.url(&format!("{run_url}/status/reopen"))).send().await.unwrap();
    let r = sec.post(app.url(&format!("{run_url}/import"))).multipart(upload(late, "muon.csv")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(app.store.get_survey(run_id).await.unwrap().responses, 6);
    // nobody else imports, exports, recounts, closes or prints posters
    for user in ["officer.a", "leader.a", "appraiser", "viewer", "council"] {
        let c = app.login(user).await;
        assert_eq!(c.get(app.url(&format!("{run_url}/poster/{unit_id}"))).send().await.unwrap().status(), 403, "{user}");
        for path in ["responses.csv", "indices.csv"] {
            assert_eq!(c.get(app.url(&format!("{run_url}/{path}"))).send().await.unwrap().status(), 403, "{user} {path}");
        }
        assert_eq!(c.post(app.url(&format!("{run_url}/recount"))).send().await.unwrap().status(), 403, "{user}");
        let r = c
            .post(app.url(&format!("{run_url}/import")))
            .multipart(upload(b"unit_code,q01\nXC,5\n".to_vec(), "x.csv"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{user}");
    }
    let r = anon.get(app.url(&format!("{run_url}/responses.csv"))).send().await.unwrap();
    assert_ne!(r.status(), 200);
    assert_eq!(app.store.get_survey(run_id).await.unwrap().status, "open");
    assert_eq!(app.store.get_survey(run_id).await.unwrap().responses, 6);
});

/// Import a sample questionnaire, publish it and open a survey of it over the agencies (UA, UB):
/// the run's page address and id.
async fn open_agency_run(
    app: &TestApp,
    sec: &reqwest::Client,
    file: &str,
    questionnaire: &str,
    code: &str,
    name: &str,
    quota: &str,
) -> (String, i64) {
    let sample = std::fs::read(format!("{}/../../surveys/samples/{file}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let r = sec
        .post(app.url("/surveys/import"))
        .multipart(Form::new().part("file", Part::bytes(sample).file_name(file.to_string())))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    sec.post(app.url(&format!("/surveys/{questionnaire}/publish"))).send().await.unwrap();
    let form = [("code", code), ("name", name), ("questionnaire", questionnaire), ("year", "2026"), ("quota", quota), ("kind_agency", "1")];
    let r = sec.post(app.url("/surveys/runs")).form(&form).send().await.unwrap();
    let run_url = r.headers()["location"].to_str().unwrap().to_string();
    let run_id: i64 = run_url.rsplit('/').next().unwrap().parse().unwrap();
    (run_url, run_id)
}

backend_tests!(officials_answer_by_one_use_token_and_score_leaves, |b| async move {
    let app = TestApp::spawn(b).await;
    let sec = app.login("secretariat").await;
    let (run_url, run_id) = open_agency_run(&app, &sec, "cbcc-2026.yaml", "MAU-CBCC-2026", "CBCC-2026", "Điều tra cán bộ 2026", "10").await;
    let units = app.store.survey_units(run_id).await.unwrap();
    let ua = units.iter().find(|u| u.unit_code == "UA").unwrap().clone();
    // the open link of an officials' survey takes nothing
    let anon = app.client();
    let r = anon.get(app.url(&format!("/k/{}", ua.public_key))).send().await.unwrap();
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("mã mời"));
    assert_eq!(anon.post(app.url(&format!("/k/{}", ua.public_key))).form(&[("doi_tuong", "dai_bieu")]).send().await.unwrap().status(), 403);
    // tokens are issued only by the reform office, and come back once as a list of links
    for user in ["officer.a", "appraiser", "viewer"] {
        let c = app.login(user).await;
        let r = c
            .post(app.url(&format!("{run_url}/tokens")))
            .form(&[("unit", ua.unit_id.to_string()), ("count", "3".into())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{user}");
    }
    let r = sec
        .post(app.url(&format!("{run_url}/tokens")))
        .form(&[("unit", ua.unit_id.to_string()), ("count", "3".into())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-disposition"].to_str().unwrap().contains("CBCC-2026-UA-ma-moi.csv"));
    let csv = r.text().await.unwrap();
    let tokens: Vec<String> = csv.lines().skip(1).map(|l| l.split(',').nth(2).unwrap().to_string()).collect();
    assert_eq!(tokens.len(), 3);
    assert!(csv.contains(&format!("/t/{}", tokens[0])) && csv.contains("Sở Alpha"));
    let bad = sec
        .post(app.url(&format!("{run_url}/tokens")))
        .form(&[("unit", ua.unit_id.to_string()), ("count", "0".into())])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    // an official answers with a token: the form opens, a refused form keeps the token unused
    let r = anon.get(app.url(&format!("/t/{}", tokens[0]))).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let page = r.text().await.unwrap();
    assert!(page.contains("Sở Alpha") && page.contains(&format!("action=\"/t/{}\"", tokens[0])));
    let r = anon.post(app.url(&format!("/t/{}", tokens[0]))).form(&[("doi_tuong", "dai_bieu")]).send().await.unwrap();
    assert_eq!(r.status(), 422, "required questions missing");
    let answers = |level: &str| -> Vec<(String, String)> {
        let mut a: Vec<(String, String)> =
            ["tc1", "tc2", "tt1", "tt2", "tt3", "bm1", "bm2"].iter().map(|q| (q.to_string(), level.to_string())).collect();
        a.push(("doi_tuong".into(), "dai_bieu".into()));
        a
    };
    let r = anon.post(app.url(&format!("/t/{}", tokens[0]))).form(&answers("5")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("Cảm ơn"));
    // the same token again: refused, whether to open or to send
    assert_eq!(anon.post(app.url(&format!("/t/{}", tokens[0]))).form(&answers("1")).send().await.unwrap().status(), 410);
    assert_eq!(anon.get(app.url(&format!("/t/{}", tokens[0]))).send().await.unwrap().status(), 410);
    assert_eq!(anon.get(app.url("/t/khongcomamoinay")).send().await.unwrap().status(), 410);
    let r = anon.post(app.url(&format!("/t/{}", tokens[1]))).form(&answers("4")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    // points: leaf 8.3 has 3 questions × 2 officials: (3 × 1 + 3 × 0.75) / 6 = 7/8 of its maximum
    let shares = app.store.survey_leaf_shares(run_id).await.unwrap();
    let l83 = shares.iter().find(|l| l.unit_code == "UA" && l.leaf == "8.3").unwrap();
    assert_eq!((l83.answers, l83.share.to_fraction_string()), (6, "7/8".to_string()));
    let page = sec.get(app.url(&run_url)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("87,50%") && page.contains("<code>7/8</code>"), "{page}");
    assert!(page.contains("id=\"token-counts\"") && page.contains("<td class=\"num\">3</td><td class=\"num\">2</td>"), "issued 3, used 2");
    // the stored responses carry the token channel and only the day
    let stored = app.store.responses_page(run_id, 0, 10).await.unwrap();
    assert_eq!(stored.len(), 2);
    assert!(stored.iter().all(|r| r.channel == "token" && !tokens.iter().any(|t| r.answers.contains(t.as_str()))));

    // the shares become the leaves' points in this year's period of the agency framework
    let sys = parindex_store::AuditCtx::system("test");
    let sample = include_str!("../../../../frameworks/samples/agency-2026.yaml");
    let fw = parindex_reports::framework::parse_framework("agency-2026.yaml", sample).unwrap();
    app.store.import_framework(&sys, fw, "agency-2026.yaml").await.unwrap();
    app.store.set_framework_status(&sys, "MAU-SO-2026", parindex_core::framework::Status::Published).await.unwrap();
    let period = |code: &str, year: i32| parindex_store::repo::periods::PeriodInput {
        code: code.into(),
        name: format!("Năm {year}"),
        year,
        framework_code: "MAU-SO-2026".into(),
        ..Default::default()
    };
    let p = app.store.create_period(&sys, period("2026", 2026)).await.unwrap();
    let other_year = app.store.create_period(&sys, period("2025", 2025)).await.unwrap();
    let page = sec.get(app.url(&run_url)).send().await.unwrap().text().await.unwrap();
    let at = page.find("id=\"apply-points\"").expect("the form");
    let form = &page[at..at + page[at..].find("</form>").unwrap()];
    assert!(form.contains(&format!("<option value=\"{}\">", p.id)));
    assert!(!form.contains(&format!("<option value=\"{}\">", other_year.id)), "only periods of the survey's year");
    for user in ["officer.a", "appraiser", "viewer"] {
        let c = app.login(user).await;
        assert_eq!(c.post(app.url(&format!("{run_url}/points"))).form(&[("period", p.id)]).send().await.unwrap().status(), 403, "{user}");
    }
    let r = sec.post(app.url(&format!("{run_url}/points"))).form(&[("period", other_year.id)]).send().await.unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Khảo sát năm 2026 không dùng cho kỳ đánh giá năm 2025"));
    let r = sec.post(app.url(&format!("{run_url}/points"))).form(&[("period", p.id)]).send().await.unwrap();
    let page = r.text().await.unwrap();
    assert!(page.contains("Đã ghi điểm khảo sát vào số tiêu chí: 3"), "UA's 8.2, 8.3, 8.4: {page}");
    let ua_assessment = app.store.list_assessments(p.id, parindex_core::UnitScope::All).await.unwrap();
    let ua_assessment = ua_assessment.iter().find(|a| a.unit_code == "UA").unwrap().id;
    let view = app.store.get_assessment(ua_assessment).await.unwrap();
    let e = &view.entries["8.3"];
    // 2.5 × 7/8 = 35/16, exactly
    assert_eq!(e.points, Some(parindex_core::Exact::ratio(35, 16)));
    assert!(e.note.as_deref().unwrap().contains("CBCC-2026: 6 câu trả lời, tỷ lệ 7/8"));
    assert!(!view.entries.contains_key("8.1"), "the citizens' leaf is not this survey's");
    // the unit sees the points and where they come from on its assessment page
    let officer = app.login("officer.a").await;
    let page = officer.get(app.url(&format!("/assessments/{ua_assessment}"))).send().await.unwrap().text().await.unwrap();
    let at = page.find("id=\"leaf-8.3\"").unwrap();
    let leaf = &page[at..at + page[at..].find("id=\"leaf-8.4\"").unwrap()];
    assert!(
        leaf.contains("2,19 / 2,50") && leaf.contains("tỷ lệ 7/8") && leaf.contains("Nguồn:"),
        "shown to the framework's 2 decimals: {leaf}"
    );
    // applying again changes nothing but the version; every write is in the audit log
    sec.post(app.url(&format!("{run_url}/points"))).form(&[("period", p.id)]).send().await.unwrap();
    let again = app.store.get_assessment(ua_assessment).await.unwrap();
    assert_eq!((again.entries["8.3"].points.clone(), again.entries["8.3"].version), (e.points.clone(), e.version + 1));
    // and through the API (the reform office; unit staff refused)
    let url = app.url(&format!("/api/v1/surveys/{run_id}/points"));
    assert_eq!(officer.post(&url).json(&serde_json::json!({"period": p.id})).send().await.unwrap().status(), 403);
    let v: serde_json::Value = sec.post(&url).json(&serde_json::json!({"period": p.id})).send().await.unwrap().json().await.unwrap();
    let l83 = v["applied"].as_array().unwrap().iter().find(|a| a["leaf"] == "8.3").unwrap().clone();
    assert_eq!((l83["unit_code"].as_str(), l83["share"].as_str(), l83["answers"].as_u64()), (Some("UA"), Some("7/8"), Some(6)));
    let f = parindex_store::repo::audit::AuditFilter { action: Some("assessment.survey_points".into()), ..Default::default() };
    assert_eq!(app.store.list_audit(&f).await.unwrap().total, 9);
});

backend_tests!(paper_forms_are_keyed_in_by_number_and_checked, |b| async move {
    let app = TestApp::spawn(b).await;
    let sec = app.login("secretariat").await;
    let (run_url, run_id) = open_sipas_run(&app, &sec).await;
    let unit = app.store.survey_units(run_id).await.unwrap()[0].clone();
    let r = sec.get(app.url(&format!("{run_url}/nhap"))).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let page = r.text().await.unwrap();
    assert!(page.contains("name=\"f:q01\"") && page.contains("data-one-key=\"5\"") && page.contains("/static/entry.js"));
    let form = |cells: &[(&str, &str)]| -> Vec<(String, String)> {
        let mut f = vec![("unit".to_string(), unit.unit_id.to_string())];
        f.extend(cells.iter().map(|(k, v)| (format!("f:{k}"), v.to_string())));
        f
    };
    let mut cells: Vec<(String, String)> = (1..=30).map(|i| (format!("q{i:02}"), "4".to_string())).collect();
    cells.extend(
        [("age_group", "2"), ("gender", "F"), ("ky_vong", "1 3"), ("gop_y", "Cán bộ nhiệt tình")]
            .map(|(a, b)| (a.to_string(), b.to_string())),
    );
    cells.retain(|(k, _)| k != "q30"); // blank on the paper form: stays blank
    let as_refs: Vec<(&str, &str)> = cells.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    // a wrong number is shown beside its question and nothing is stored
    let mut bad = as_refs.clone();
    bad.push(("q30", "7"));
    let r = sec.post(app.url(&format!("{run_url}/nhap"))).form(&form(&bad)).send().await.unwrap();
    assert_eq!(r.status(), 422);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("id=\"e-q30\"") && page.contains("value=\"7\"") && page.contains("value=\"Cán bộ nhiệt tình\""),
        "kept and explained"
    );
    assert_eq!(sec.post(app.url(&format!("{run_url}/nhap"))).form(&form(&[])).send().await.unwrap().status(), 422, "an empty form");
    assert_eq!(app.store.get_survey(run_id).await.unwrap().responses, 0);
    // a good one: numbers become the options' keys; stored as a paper form
    let r = sec.post(app.url(&format!("{run_url}/nhap"))).form(&form(&as_refs)).send().await.unwrap();
    assert_eq!(r.headers()["location"], format!("{run_url}/nhap?unit={}&saved=1", unit.unit_id));
    let stored = app.store.responses_page(run_id, 0, 10).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].channel, "paper");
    let a: Value = serde_json::from_str(&stored[0].answers).unwrap();
    assert_eq!((a["age_group"].as_str(), a["gender"].as_str()), (Some("30-44"), Some("F")));
    assert_eq!(a["ky_vong"], json!(["bot_thu_tuc", "nhanh_hon"]));
    assert!(a.get("q30").is_none());
    let page = sec.get(app.url(&format!("{run_url}/nhap?unit={}&saved=1", unit.unit_id))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Đã lưu phiếu") && page.contains("<strong id=\"keyed\">1</strong>"));
    // only the reform office keys in
    for user in ["officer.a", "appraiser", "viewer", "council"] {
        let c = app.login(user).await;
        assert_eq!(c.get(app.url(&format!("{run_url}/nhap"))).send().await.unwrap().status(), 403, "{user}");
        assert_eq!(c.post(app.url(&format!("{run_url}/nhap"))).form(&form(&as_refs)).send().await.unwrap().status(), 403, "{user}");
    }
    assert_eq!(app.store.get_survey(run_id).await.unwrap().responses, 1);
});

backend_tests!(comments_are_answered_by_their_unit_and_small_groups_stay_hidden, |b| async move {
    let app = TestApp::spawn(b).await;
    let sec = app.login("secretariat").await;
    let (run_url, run_id) =
        open_agency_run(&app, &sec, "sipas-2026.yaml", "MAU-SIPAS-2026", "KS-SO-2026", "Khảo sát các sở 2026", "50").await;
    let units = app.store.survey_units(run_id).await.unwrap();
    let (ua, ub) =
        (units.iter().find(|u| u.unit_code == "UA").unwrap().clone(), units.iter().find(|u| u.unit_code == "UB").unwrap().clone());
    // eleven women (all "4") and one man (all "1") answer for UA, three of them with a comment;
    // one woman answers for UB with a comment
    let anon = app.client();
    let send = |key: String, level: &'static str, gender: &'static str, comment: Option<String>, i: usize| {
        let (c, url) = (anon.clone(), app.url(&format!("/k/{key}")));
        async move {
            let mut body: Vec<(String, String)> = (1..=30).map(|q| (format!("q{q:02}"), level.to_string())).collect();
            body.push(("gender".into(), gender.into()));
            if let Some(t) = comment {
                body.push(("gop_y".into(), t));
            }
            // a device each (the same answers from one device within a day are one response)
            assert_eq!(c.post(url).header("user-agent", format!("dien-thoai-{i}")).form(&body).send().await.unwrap().status(), 303);
        }
    };
    for i in 0..11 {
        send(ua.public_key.clone(), "4", "F", (i < 2).then(|| format!("Góp ý số {i} cho Sở Alpha")), i).await;
    }
    send(ua.public_key.clone(), "1", "M", Some("Phải đi lại ba lần <b>mới</b> xong".into()), 11).await;
    send(ub.public_key.clone(), "5", "F", Some("Bí mật của Sở Bêta".into()), 12).await;

    // the breakdown: women shown (12 ≥ 10), the one man hidden, per unit too
    let page = sec.get(app.url(&format!("{run_url}/nhom"))).send().await.unwrap().text().await.unwrap();
    let row = |page: &str, label: &str| {
        let at = page.find(&format!("<td>{label}</td>")).unwrap_or_else(|| panic!("{label} in {page}"));
        page[at..at + page[at..].find("</tr>").unwrap()].to_string()
    };
    assert!(row(&page, "Nữ").contains("<td class=\"num\">12</td>") && row(&page, "Nữ").contains("100,0"), "{}", row(&page, "Nữ"));
    let man = row(&page, "Nam");
    assert!(man.contains("&#60; 10") && !man.contains("0,0"), "hidden: {man}");
    let page = sec.get(app.url(&format!("{run_url}/nhom?unit={}", ub.unit_id))).send().await.unwrap().text().await.unwrap();
    assert!(row(&page, "Nữ").contains("&#60; 10") && !page.contains("<td>Nam</td>"), "one unit’s breakdown");
    assert_eq!(sec.get(app.url(&format!("{run_url}/nhom?unit=999999"))).send().await.unwrap().status(), 404);
    for user in ["officer.a", "appraiser", "viewer"] {
        assert_eq!(app.login(user).await.get(app.url(&format!("{run_url}/nhom"))).send().await.unwrap().status(), 403, "{user}");
    }
    // the breakdown is kept in the counts and rebuilt the same by a recount
    let before = app.store.survey_breakdown(run_id, None).await.unwrap();
    assert_eq!(
        before.iter().map(|c| (c.question.as_str(), c.option.as_str(), c.respondents)).collect::<Vec<_>>(),
        [("gender", "F", 12), ("gender", "M", 1)]
    );
    assert_eq!(before[0].elements[0], parindex_core::sipas::Tally { n: 6 * 12, top2: 6 * 12, sum: 6 * (11 * 4 + 5) });
    sec.post(app.url(&format!("{run_url}/recount"))).send().await.unwrap();
    assert_eq!(app.store.survey_breakdown(run_id, None).await.unwrap(), before);

    // comments: the unit's officer lands on their own unit's, unanswered first, escaped
    let officer = app.login("officer.a").await;
    let home = officer.get(app.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(home.contains("Góp ý của người dân về đơn vị") && home.contains("3 chưa trả lời"), "{home}");
    let page = officer.get(app.url(&format!("{run_url}/gop-y"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Góp ý số 0 cho Sở Alpha") && page.contains("Phải đi lại ba lần &#60;b&#62;mới&#60;/b&#62; xong"), "{page}");
    assert!(!page.contains("Bí mật của Sở Bêta"), "another unit's comment");
    let comments = app.store.survey_comments(run_id, ua.unit_id).await.unwrap();
    assert_eq!(comments.len(), 3);
    let first = &comments[0];
    // answered by the unit's officer; shown with who answered; counted on the run page
    let reply = |c: &reqwest::Client, unit: i64, response: i64, body: &str| {
        let (c, url) = (c.clone(), app.url(&format!("{run_url}/gop-y/{response}")));
        let form = [("unit", unit.to_string()), ("question", "gop_y".to_string()), ("body", body.to_string())];
        async move { c.post(url).form(&form).send().await.unwrap() }
    };
    let r = reply(&officer, ua.unit_id, first.response_id, "Sở xin tiếp thu và đã hướng dẫn lại.").await;
    assert_eq!(r.status(), 303);
    let page = officer.get(app.url(&format!("{run_url}/gop-y"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Sở xin tiếp thu và đã hướng dẫn lại.") && page.contains("officer.a"));
    let run_page = sec.get(app.url(&run_url)).send().await.unwrap().text().await.unwrap();
    assert!(run_page.contains(">3 (1)</a>") && run_page.contains(">1 (0)</a>"), "received (answered) per unit");
    // the leader may change the answer; a blank answer is refused with a message
    let leader = app.login("leader.a").await;
    assert_eq!(reply(&leader, ua.unit_id, first.response_id, "Sở đã bố trí thêm ghế chờ.").await.status(), 303);
    let r = reply(&leader, ua.unit_id, first.response_id, "   ").await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Hãy nhập nội dung trả lời"));
    let stored = app.store.survey_comments(run_id, ua.unit_id).await.unwrap();
    assert_eq!(
        stored.iter().find(|c| c.response_id == first.response_id).unwrap().reply.as_ref().unwrap().body,
        "Sở đã bố trí thêm ghế chờ."
    );
    // denials: another unit's comments, answering them, the office answering, other roles
    assert_eq!(officer.get(app.url(&format!("{run_url}/gop-y?unit={}", ub.unit_id))).send().await.unwrap().status(), 403);
    let ub_comment = app.store.survey_comments(run_id, ub.unit_id).await.unwrap()[0].response_id;
    assert_eq!(reply(&officer, ub.unit_id, ub_comment, "x").await.status(), 403, "not my unit");
    assert_eq!(reply(&officer, ua.unit_id, ub_comment, "x").await.status(), 404, "not my unit's response");
    assert_eq!(reply(&sec, ua.unit_id, first.response_id, "x").await.status(), 403, "the unit answers, not the office");
    for user in ["appraiser", "viewer", "council"] {
        let c = app.login(user).await;
        assert_eq!(c.get(app.url(&format!("{run_url}/gop-y?unit={}", ua.unit_id))).send().await.unwrap().status(), 403, "{user}");
    }
    let r = anon.get(app.url(&format!("{run_url}/gop-y?unit={}", ua.unit_id))).send().await.unwrap();
    assert!(r.status() == 401 || r.status() == 303, "{}", r.status());
    assert!(app.store.survey_comments(run_id, ub.unit_id).await.unwrap()[0].reply.is_none());
    // the office reads any unit's comments and answers, with the unit chooser
    let page = sec.get(app.url(&format!("{run_url}/gop-y?unit={}", ub.unit_id))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Bí mật của Sở Bêta") && page.contains("id=\"unit-filter\"") && !page.contains("reply-form"));
    // the same through the JSON API
    let api = |path: String| app.url(&format!("/api/v1/surveys/{run_id}{path}"));
    let r = officer.get(api("/comments".into())).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["comments"].as_array().unwrap().len(), 3);
    assert!(!v.to_string().contains("Bí mật của Sở Bêta"));
    assert_eq!(officer.get(api(format!("/comments?unit={}", ub.unit_id))).send().await.unwrap().status(), 403);
    let body = serde_json::json!({"unit": ua.unit_id, "question": "gop_y", "body": "Trả lời qua API"});
    assert_eq!(officer.post(api(format!("/comments/{}", comments[1].response_id))).json(&body).send().await.unwrap().status(), 204);
    let other = serde_json::json!({"unit": ub.unit_id, "question": "gop_y", "body": "x"});
    assert_eq!(officer.post(api(format!("/comments/{ub_comment}"))).json(&other).send().await.unwrap().status(), 403);
    for (c, status) in [(&officer, 403), (&sec, 200)] {
        assert_eq!(c.get(api("/breakdown".into())).send().await.unwrap().status(), status);
        assert_eq!(c.get(api(String::new())).send().await.unwrap().status(), status);
    }
    let v: serde_json::Value = sec.get(api("/breakdown".into())).send().await.unwrap().json().await.unwrap();
    let groups = v["groups"].as_array().unwrap();
    assert_eq!(groups[0]["respondents"], 12);
    assert_eq!(groups[0]["elements"][0]["share_top2"], 100.0);
    assert_eq!((groups[1]["hidden"].as_bool(), groups[1].get("respondents")), (Some(true), None), "{v}");
    let v: serde_json::Value = sec.get(api(String::new())).send().await.unwrap().json().await.unwrap();
    assert!(v["indices"].as_array().unwrap().iter().any(|r| r["unit_code"] == "UA" && r["element"] == "sipas"));
    assert!(v["comments"].as_array().unwrap().iter().any(|c| c["unit_id"] == ua.unit_id && c["received"] == 3 && c["answered"] == 2));
    let bad = "unit_code,q01\nUA,9\nKHONG,4\n";
    let r = sec.post(api("/responses?filename=x.csv".into())).body(bad).send().await.unwrap();
    assert_eq!(r.status(), 422);
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["error"]["details"].as_array().unwrap().len(), 2, "{v}");
    let r = sec.post(api("/responses?filename=x.csv".into())).body("unit_code,q01,gender\nUA,5,M\n").send().await.unwrap();
    assert_eq!(r.status(), 201);
    let export = sec.get(api("/responses".into())).send().await.unwrap().text().await.unwrap();
    assert_eq!(export.lines().count(), 1 + 14);
    // every answer is in the audit log
    let f = parindex_store::repo::audit::AuditFilter {
        action: Some("survey.reply".into()),
        object_id: Some(first.response_id.to_string()),
        ..Default::default()
    };
    assert_eq!(app.store.list_audit(&f).await.unwrap().total, 2);
});

backend_tests!(period_results_rank_group_compare_and_download, |b| async move {
    use parindex_core::framework::Input;
    use parindex_store::repo::periods::{EntryInput, PeriodInput};
    let app = TestApp::spawn(b).await;
    let today = parindex_core::assessment::today_vn();
    let (ua, ub) = open_period(&app, today + chrono::Duration::days(10)).await;
    let sys = parindex_store::AuditCtx::system("test");
    let save = |id: i64, code: &'static str, input: Input| {
        let (store, sys) = (app.store.clone(), sys.clone());
        async move {
            store.save_entry(&sys, id, code, EntryInput { input: Some(input), ..Default::default() }, today).await.unwrap();
        }
    };
    let opt = |k: &str| Input { option: Some(k.into()), ..Default::default() };
    let yes = Input { yes: Some(true), ..Default::default() };
    let pct = |p: i64| Input { percent: Some(parindex_core::Exact::int(p)), ..Default::default() };
    // UA and UB score the same 4 points of the 9 that apply to an agency: they tie
    for id in [ua, ub] {
        save(id, "1.1", opt("dung_han")).await;
        save(id, "1.2", yes.clone()).await;
        save(id, "1.3", pct(95)).await;
    }
    let period = app.store.list_periods().await.unwrap()[0].id;
    let r = app.store.period_results(period).await.unwrap();
    let get = |r: &parindex_store::repo::results::PeriodResults, code: &str| r.units.iter().find(|u| u.unit_code == code).unwrap().clone();
    let (a, b2) = (get(&r, "UA"), get(&r, "UB"));
    assert_eq!((a.rank, b2.rank), (Some(1), Some(1)), "a tie shares the rank");
    assert_eq!(a.index, Some(parindex_core::Exact::ratio(400, 9)));
    assert_eq!(get(&r, "XC").rank, Some(3), "the next rank is skipped");
    assert_eq!(a.domains[0].points, parindex_core::Exact::int(4));
    // UB's 2.3 does not apply: out of its maximum, so 4 of 8 = 50 % ranks above 4 of 9
    save(ub, "2.3", Input { not_applicable: true, ..Default::default() }).await;
    let r = app.store.period_results(period).await.unwrap();
    assert_eq!((get(&r, "UB").index, get(&r, "UB").rank, get(&r, "UA").rank), (Some(parindex_core::Exact::int(50)), Some(1), Some(2)));
    assert_eq!(r.units[0].unit_code, "UB", "by rank");

    // robustness of the ranks: deterministic, within the possible ranks
    let results = app.store.period_results(period).await.unwrap();
    let rb = app.store.period_robustness(&results, 0.1, 500).await.unwrap();
    let again = app.store.period_robustness(&results, 0.1, 500).await.unwrap();
    let ub_id = get(&r, "UB").unit_id;
    let (x, y) = (rb[&ub_id], again[&ub_id]);
    assert_eq!((x.median, x.p5, x.p95, x.beats_next), (y.median, y.p5, y.p95, y.beats_next));
    assert!(x.p5 >= 1 && x.p95 <= 3 && x.p5 <= x.median && x.median <= x.p95);
    // who reads them before publication
    for (user, status) in
        [("officer.a", 403), ("leader.a", 403), ("appraiser", 403), ("council", 200), ("viewer", 200), ("secretariat", 200)]
    {
        let c = app.login(user).await;
        assert_eq!(c.get(app.url(&format!("/periods/{period}/ket-qua"))).send().await.unwrap().status(), status, "{user}");
        assert_eq!(c.get(app.url(&format!("/periods/{period}/ket-qua.csv"))).send().await.unwrap().status(), status, "{user}");
    }
    assert_eq!(app.client().get(app.url(&format!("/periods/{period}/ket-qua"))).send().await.unwrap().status(), 303);
    let sec = app.login("secretariat").await;
    let page = sec.get(app.url(&format!("/periods/{period}/ket-qua"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("44,44") && page.contains("50,00") && page.contains("id=\"provisional\""), "{page}");
    assert!(page.contains("Hạng (5–95%)") && page.contains("name=\"spread\" value=\"10\""));
    let svg = sec.get(app.url(&format!("/periods/{period}/ket-qua/heatmap.svg"))).send().await.unwrap();
    assert!(svg.headers()["content-type"].to_str().unwrap().starts_with("image/svg+xml"));
    let svg = svg.text().await.unwrap();
    assert!(svg.contains("Sở Alpha") && svg.contains("UBND xã Chiềng Cọ") && svg.matches("<rect").count() == 3 * 3, "{svg}");
    assert_eq!(
        app.login("officer.a").await.get(app.url(&format!("/periods/{period}/ket-qua/heatmap.svg"))).send().await.unwrap().status(),
        403
    );
    let wide = sec.get(app.url(&format!("/periods/{period}/ket-qua?spread=40"))).send().await.unwrap().text().await.unwrap();
    assert!(wide.contains("name=\"spread\" value=\"40\""));
    assert!(page.contains(&format!("href=\"/assessments/{ua}\"")), "each unit opens its leaves");
    let csv = sec.get(app.url(&format!("/periods/{period}/ket-qua.csv"))).send().await.unwrap().text().await.unwrap();
    let line = csv.lines().find(|l| l.contains(",UA,")).unwrap();
    assert!(line.starts_with("2,Sở Alpha,UA,") && line.contains(",44.44,4.00,9.00,"), "{line}");
    let x = sec.get(app.url(&format!("/periods/{period}/ket-qua.xlsx"))).send().await.unwrap();
    assert_eq!(x.status(), 200);
    let sheets = parindex_reports::table::read_workbook("k.xlsx", &x.bytes().await.unwrap()).unwrap();
    assert_eq!(sheets[0].1.rows.len(), 3);

    // the scale of groups is the period's: refused with a message, then saved and applied
    let r = sec.post(app.url(&format!("/periods/{period}/ket-qua/nhom"))).form(&[("groups", "A90")]).send().await.unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("viết nhãn:điểm tối thiểu"));
    let officer = app.login("officer.a").await;
    assert_eq!(
        officer.post(app.url(&format!("/periods/{period}/ket-qua/nhom"))).form(&[("groups", "A:1")]).send().await.unwrap().status(),
        403
    );
    let r = sec.post(app.url(&format!("/periods/{period}/ket-qua/nhom"))).form(&[("groups", "A:50, B:40, C:0")]).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let r = app.store.period_results(period).await.unwrap();
    assert_eq!(
        [get(&r, "UB").group, get(&r, "UA").group, get(&r, "XC").group],
        [Some("A".to_string()), Some("B".to_string()), Some("C".to_string())]
    );

    // against the previous year's period of the same units
    let before = app
        .store
        .create_period(
            &sys,
            PeriodInput {
                code: "2025".into(),
                name: "Năm 2025".into(),
                year: 2025,
                framework_code: "VD-TINH-TAY".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let r = app.store.period_results(period).await.unwrap();
    assert_eq!(r.previous.as_ref().map(|(p, same)| (p.id, *same)), Some((before.id, true)));
    let ua_now = get(&r, "UA");
    assert_eq!(ua_now.previous.as_ref().map(|p| (p.index.clone(), p.rank)), Some((Some(parindex_core::Exact::ZERO), Some(1))));
    let page = sec.get(app.url(&format!("/periods/{period}/ket-qua"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("+44,44") && page.contains("↓1") && page.contains("Năm 2025"), "{page}");
});

backend_tests!(published_results_are_immutable_public_and_recomputable_from_the_leaves, |b| async move {
    use parindex_core::Exact;
    let app = TestApp::spawn_demo(b).await;
    let year = parindex_core::assessment::today_vn().format("%Y").to_string().parse::<i32>().unwrap();
    let periods = app.store.list_periods().await.unwrap();
    let last = periods.iter().find(|p| p.year == year - 1 && p.code.ends_with("-SO")).unwrap().clone();
    let now = periods.iter().find(|p| p.year == year && p.code.ends_with("-SO")).unwrap().clone();
    let anon = app.client();
    // the demo published last year's results; this year's are not public
    let list = anon.get(app.url("/cong-khai")).send().await.unwrap().text().await.unwrap();
    assert!(list.contains(&last.name) && !list.contains(&now.name), "{list}");
    for path in [
        format!("/cong-khai/{}", now.code),
        format!("/api/v1/public/results/{}", now.code),
        format!("/cong-khai/{}/tieu-chi.csv", now.code),
    ] {
        assert_eq!(anon.get(app.url(&path)).send().await.unwrap().status(), 404, "{path}");
    }
    // the API's document is the hashed one
    let r = anon.get(app.url(&format!("/api/v1/public/results/{}", last.code))).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let hash = r.headers()["x-content-sha256"].to_str().unwrap().to_string();
    let body = r.text().await.unwrap();
    assert_eq!(parindex_store::repo::publications::content_hash(&body), hash);
    let doc: serde_json::Value = serde_json::from_str(&body).unwrap();
    // done-when: totals and ranks equal a computation from the per-leaf export
    let csv = anon.get(app.url(&format!("/cong-khai/{}/tieu-chi.csv", last.code))).send().await.unwrap().text().await.unwrap();
    let mut sums: std::collections::BTreeMap<String, (Exact, Exact)> = Default::default();
    let mut adjusted = 0;
    for line in csv.trim_start_matches('\u{feff}').lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        let n = cells.len();
        let (unit, max, points, applicable, kind) = (cells[0], cells[n - 4], cells[n - 3], cells[n - 2], cells[n - 1]);
        let e = sums.entry(unit.to_string()).or_insert((Exact::ZERO, Exact::ZERO));
        match (kind, applicable) {
            ("leaf", "1") => {
                e.0 = e.0.clone() + Exact::parse(points).unwrap();
                e.1 = e.1.clone() + Exact::parse(max).unwrap();
            }
            ("bonus", _) => e.0 = e.0.clone() + Exact::parse(points).unwrap(),
            ("penalty", _) => e.0 = e.0.clone() - Exact::parse(points).unwrap(),
            _ => {}
        }
        adjusted += usize::from(kind != "leaf");
    }
    assert!(adjusted >= 2, "the demo gave last year a bonus and a penalty");
    for e in sums.values_mut() {
        e.0 = e.0.clone().max(Exact::ZERO);
    }
    let units = doc["units"].as_array().unwrap();
    assert_eq!(units.len(), sums.len());
    let index_of = |(t, m): &(Exact, Exact)| (!m.is_zero()).then(|| t.clone() * Exact::HUNDRED / m.clone());
    let codes: Vec<String> = sums.keys().cloned().collect();
    let ranks = parindex_core::results::ranks(&codes.iter().map(|c| index_of(&sums[c])).collect::<Vec<_>>());
    for u in units {
        let code = u["code"].as_str().unwrap();
        let at = codes.iter().position(|c| c == code).unwrap();
        assert_eq!(Exact::parse(u["total"]["exact"].as_str().unwrap()).unwrap(), sums[code].0, "{code} total");
        assert_eq!(Exact::parse(u["index"]["exact"].as_str().unwrap()), index_of(&sums[code]), "{code} index");
        assert_eq!(u["rank"].as_u64().map(|r| r as usize), ranks[at], "{code} rank");
    }
    // the robustness of the ranks is published beside them
    let rb = &units[0]["rank_robustness"];
    assert!(rb["p5"].as_u64().unwrap() <= rb["median"].as_u64().unwrap() && rb["median"].as_u64().unwrap() <= rb["p95"].as_u64().unwrap());
    // the same table as a workbook
    let x = anon.get(app.url(&format!("/cong-khai/{}/ket-qua.xlsx", last.code))).send().await.unwrap();
    assert_eq!(x.status(), 200);
    let sheets = parindex_reports::table::read_workbook("k.xlsx", &x.bytes().await.unwrap()).unwrap();
    assert_eq!(sheets[0].1.rows.len(), units.len());
    // the public page shows the same ranks; nothing internal: no comment, no user, no draft
    let page = anon.get(app.url(&format!("/cong-khai/{}", last.code))).send().await.unwrap().text().await.unwrap();
    let first = &units[0];
    assert!(page.contains(&format!("id=\"r-{}\"", first["code"].as_str().unwrap())) && page.contains(&hash));
    let mut comments: Vec<String> = Vec::new();
    for a in app.store.list_assessments(last.id, parindex_core::UnitScope::All).await.unwrap() {
        for e in app.store.get_assessment(a.id).await.unwrap().entries.values() {
            comments.extend(
                [&e.appraisal_comment, &e.final_comment, &e.contest, &e.note, &e.explanation]
                    .into_iter()
                    .flatten()
                    .filter(|c| c.len() > 12)
                    .cloned(),
            );
        }
    }
    assert!(!comments.is_empty(), "the demo's appraisers wrote comments");
    let unit_page = anon
        .get(app.url(&format!("/cong-khai/{}/don-vi/{}", last.code, first["code"].as_str().unwrap())))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for text in [&page, &body, &unit_page] {
        for c in &comments {
            assert!(!text.contains(c.as_str()), "internal comment “{c}” is public");
        }
        for user in ["canbo.", "thamdinh.", "lanhdao.", "demo-seed"] {
            assert!(!text.contains(user), "a user name is public: {user}");
        }
    }
    assert!(unit_page.contains("id=\"domains\""));
    assert_eq!(anon.get(app.url(&format!("/cong-khai/{}/don-vi/KHONG-CO", last.code))).send().await.unwrap().status(), 404);
    let method = anon.get(app.url(&format!("/cong-khai/{}/phuong-phap", last.code))).send().await.unwrap().text().await.unwrap();
    assert!(method.contains("1, 2, 2, 4") && method.contains("id=\"groups\""));

    // a correction is a new version with its reason; the old one stays, with its own hash
    let admin = app.login("admin").await;
    let officer = app.login("canbo.stc").await;
    let url = app.url(&format!("/periods/{}/cong-bo", last.id));
    assert_eq!(officer.post(&url).form(&[("reason", "x")]).send().await.unwrap().status(), 403);
    let r = admin.post(&url).form(&[("reason", "")]).send().await.unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("ghi lý do đính chính"));
    let r = admin.post(&url).form(&[("reason", "Sửa lỗi nhập điểm tiêu chí 2.1 của một đơn vị")]).send().await.unwrap();
    assert_eq!(r.headers()["location"], format!("/cong-khai/{}?v=2", last.code));
    let v2 = anon.get(app.url(&format!("/cong-khai/{}", last.code))).send().await.unwrap().text().await.unwrap();
    assert!(v2.contains("Sửa lỗi nhập điểm tiêu chí 2.1") && v2.contains("?v=1"));
    let v1 = anon.get(app.url(&format!("/cong-khai/{}?v=1", last.code))).send().await.unwrap().text().await.unwrap();
    assert!(v1.contains("id=\"old-version\"") && v1.contains(&hash));
    let r = anon.get(app.url(&format!("/api/v1/public/results/{}?v=1", last.code))).send().await.unwrap();
    assert_eq!(r.text().await.unwrap(), body, "version 1 is unchanged");
    // an unapproved period cannot be published
    let r = admin.post(app.url(&format!("/periods/{}/cong-bo", now.id))).form(&[("reason", "")]).send().await.unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Chỉ công bố được kết quả đã được Hội đồng phê duyệt"));
    let list: serde_json::Value = anon.get(app.url("/api/v1/public/results")).send().await.unwrap().json().await.unwrap();
    assert_eq!(list["publications"].as_array().unwrap().iter().filter(|p| p["period_code"] == last.code.as_str()).count(), 2);
});

backend_tests!(analysis_dashboards_filter_compare_merged_units_and_download, |b| async move {
    use parindex_core::Exact;
    let app = TestApp::spawn_demo(b).await;
    let year = parindex_core::assessment::today_vn().format("%Y").to_string().parse::<i32>().unwrap();
    let periods = app.store.list_periods().await.unwrap();
    let last = periods.iter().find(|p| p.code == format!("{}-XA", year - 1)).unwrap().clone();
    let before = periods.iter().find(|p| p.code == format!("{}-XA", year - 2)).unwrap().clone();
    // last year's communes compare with the year before the merger: through the lineage (the
    // mean of the predecessors' indices, no rank) and the crosswalk (a changed framework)
    let r = app.store.period_results(last.id).await.unwrap();
    let (prev, same) = r.previous.clone().unwrap();
    assert_eq!((prev.code.as_str(), same, r.crosswalk), (before.code.as_str(), false, true));
    let old = app.store.period_results(before.id).await.unwrap();
    let idx = |code: &str| old.units.iter().find(|u| u.unit_code == code).unwrap().index.clone().unwrap();
    let cs = r.units.iter().find(|u| u.unit_code == "P-CHIENGSINH").unwrap();
    let p = cs.previous.as_ref().unwrap();
    assert_eq!(p.index, Some((idx("CU-X-CHIENGNGAN") + idx("CU-X-HUALA")) / Exact::int(2)));
    assert_eq!((p.rank, p.via.len()), (None, 2));
    assert!(p.domains.iter().all(Option::is_some), "every domain maps through the crosswalk");
    assert!(r.units.iter().find(|u| u.unit_code == "X-MUONGBU").is_none_or(|u| u.previous.is_none()), "no predecessor, no comparison");

    // the page: every section, filtered by kind; the framework change is said
    let admin = app.login("admin").await;
    let page = admin.get(app.url(&format!("/periods/{}/phan-tich?kind=ward&unit=P-CHIENGSINH", last.id))).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    for id in ["so-sanh", "phan-bo", "tu-cham-don-vi", "tu-cham-tieu-chi", "tieu-chi-yeu", "xu-huong", "framework-changed"] {
        assert!(page.contains(&format!("id=\"{id}\"")), "{id}");
    }
    assert!(page.contains("<svg") && page.contains("UBND phường Chiềng Sinh"));
    // a download equals a computation from the results: the distribution of the index
    let csv =
        admin.get(app.url(&format!("/periods/{}/phan-tich/phan-bo.csv?kind=ward", last.id))).send().await.unwrap().text().await.unwrap();
    let wards: Vec<Exact> = r.units.iter().filter(|u| u.unit_kind == "ward").filter_map(|u| u.index.clone()).collect();
    let s = parindex_core::results::summary(&wards).unwrap();
    let line = csv.lines().nth(1).unwrap();
    assert_eq!(
        line,
        format!(
            "Chỉ số (%),{},{},{},{},{},{},{}",
            s.n,
            s.min.to_decimal_string(1),
            s.q1.to_decimal_string(1),
            s.median.to_decimal_string(1),
            s.q3.to_decimal_string(1),
            s.max.to_decimal_string(1),
            s.mean.to_decimal_string(1)
        )
    );
    assert_eq!(csv.lines().count(), 2 + r.domains.len(), "the index and every domain");
    // the trend has the year before the merger
    let trend = admin.get(app.url(&format!("/periods/{}/phan-tich/xu-huong.csv", last.id))).send().await.unwrap().text().await.unwrap();
    assert!(trend.contains(&format!("\n{},", year - 2)) && trend.contains(&format!("\n{},", year - 1)), "{trend}");
    // filtered to wards, the trend still crosses the merger: Chiềng Sinh before it is the mean
    // of the communes it was formed from
    let trend = admin
        .get(app.url(&format!("/periods/{}/phan-tich/xu-huong.csv?kind=ward&unit=P-CHIENGSINH", last.id)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let row = trend.lines().find(|l| l.starts_with(&format!("{},", year - 2))).unwrap_or_else(|| panic!("{trend}"));
    let merged = (idx("CU-X-CHIENGNGAN") + idx("CU-X-HUALA")) / Exact::int(2);
    assert!(row.ends_with(&format!(",{}", merged.to_decimal_string(2))), "{row}");
    let x = admin.get(app.url(&format!("/periods/{}/phan-tich/tieu-chi-yeu.xlsx", last.id))).send().await.unwrap();
    assert_eq!(x.status(), 200);
    let sheets = parindex_reports::table::read_workbook("w.xlsx", &x.bytes().await.unwrap()).unwrap();
    assert_eq!(sheets[0].0, "tieu_chi_yeu");
    assert!(sheets[0].1.rows.len() > 5);
    // this year's: the SIPAS per element of the citizens' survey
    let now = periods.iter().find(|p| p.code == format!("{year}-XA")).unwrap();
    let page = admin.get(app.url(&format!("/periods/{}/phan-tich", now.id))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("id=\"sipas\""));
    assert_eq!(admin.get(app.url(&format!("/periods/{}/phan-tich/nothing.csv", last.id))).send().await.unwrap().status(), 404);
    // who: as the results
    for (user, status) in [("canbo.chiengsinh", 403), ("thamdinh.stp", 403), ("xem", 200), ("hoidong", 200)] {
        let c = app.login(user).await;
        assert_eq!(c.get(app.url(&format!("/periods/{}/phan-tich", last.id))).send().await.unwrap().status(), status, "{user}");
        assert_eq!(c.get(app.url(&format!("/periods/{}/phan-tich/phan-bo.csv", last.id))).send().await.unwrap().status(), status, "{user}");
    }
    assert_eq!(app.client().get(app.url(&format!("/periods/{}/phan-tich", last.id))).send().await.unwrap().status(), 303);
    // the same through the API
    let api = app.api("admin").await;
    let doc: serde_json::Value =
        api.get(app.url(&format!("/api/v1/periods/{}/results", last.id))).send().await.unwrap().json().await.unwrap();
    assert_eq!(doc["units"].as_array().unwrap().len(), r.units.len());
    let t: serde_json::Value =
        api.get(app.url(&format!("/api/v1/periods/{}/analysis/phan-bo?kind=ward", last.id))).send().await.unwrap().json().await.unwrap();
    assert_eq!(t["rows"][0][1], serde_json::json!(s.n.to_string()));
    let officer = app.api("canbo.chiengsinh").await;
    for path in [format!("/api/v1/periods/{}/results", last.id), format!("/api/v1/periods/{}/analysis/phan-bo", last.id)] {
        assert_eq!(officer.get(app.url(&path)).send().await.unwrap().status(), 403, "{path}");
    }
});

/// The demo's communes periods of this year and last year, and Chiềng Sinh's assessment in each.
async fn chiengsinh(
    app: &TestApp,
) -> (
    parindex_store::repo::periods::PeriodRow,
    parindex_store::repo::periods::PeriodRow,
    parindex_store::repo::periods::AssessmentRow,
    parindex_store::repo::periods::AssessmentRow,
) {
    let year = parindex_core::assessment::today_vn().format("%Y").to_string().parse::<i32>().unwrap();
    let periods = app.store.list_periods().await.unwrap();
    let now = periods.iter().find(|p| p.code == format!("{year}-XA")).unwrap().clone();
    let last = periods.iter().find(|p| p.code == format!("{}-XA", year - 1)).unwrap().clone();
    let mut found = Vec::new();
    for p in [now.id, last.id] {
        let all = app.store.list_assessments(p, parindex_core::UnitScope::All).await.unwrap();
        found.push(all.into_iter().find(|a| a.unit_code == "P-CHIENGSINH").unwrap());
    }
    let a_last = found.pop().unwrap();
    (now, last, found.pop().unwrap(), a_last)
}

backend_tests!(bonuses_penalties_count_and_improvement_actions_carry_to_the_next_year, |b| async move {
    use parindex_core::Exact;
    let app = TestApp::spawn_demo(b).await;
    let (now, _, a_now, a_last) = chiengsinh(&app).await;

    // a penalty: the basis is required; the unit's staff cannot set it; then it counts
    let admin = app.login("admin").await;
    let url = app.url(&format!("/assessments/{}/adjustments/P1", a_now.id));
    let r = admin.post(&url).form(&[("option", "xu_ly"), ("reason", " ")]).send().await.unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Ghi căn cứ"));
    let officer = app.login("canbo.chiengsinh").await;
    assert_eq!(officer.post(&url).form(&[("option", "xu_ly"), ("reason", "x")]).send().await.unwrap().status(), 403);
    let before = app.store.period_results(now.id).await.unwrap().units.into_iter().find(|u| u.unit_code == "P-CHIENGSINH").unwrap();
    let r = admin.post(&url).form(&[("option", "xu_ly"), ("reason", "Quyết định kỷ luật số 12/QĐ (thử)")]).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let after = app.store.period_results(now.id).await.unwrap().units.into_iter().find(|u| u.unit_code == "P-CHIENGSINH").unwrap();
    assert_eq!(after.penalty, Exact::int(2));
    assert_eq!(after.total, (before.achieved.clone() + before.bonus.clone() - Exact::int(2)).max(Exact::ZERO));
    assert_eq!(after.index, Some(after.total.clone() / after.applicable_max.clone() * Exact::HUNDRED));
    let page = officer.get(app.url(&format!("/assessments/{}", a_now.id))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Quyết định kỷ luật số 12/QĐ (thử)") && page.contains("id=\"adj-P1\""));
    // the API's running result counts the penalty too, as the page does (issue #15): one
    // computation, `score::unit_report`
    let api: serde_json::Value =
        app.api("admin").await.get(app.url(&format!("/api/v1/assessments/{}", a_now.id))).send().await.unwrap().json().await.unwrap();
    assert_eq!(api["result"]["penalty"]["exact"], "2", "{}", api["result"]);
    let view = app.store.get_assessment(a_now.id).await.unwrap();
    let own = parindex_core::framework::score::unit_report(
        &view.framework,
        &view.assessment.unit_code,
        &view.assessment.unit_kind,
        view.entries.iter().filter_map(|(k, e)| e.input.clone().map(|i| (k.clone(), i))).collect(),
        [("P1".to_string(), parindex_core::framework::Input { option: Some("xu_ly".into()), ..Default::default() })].into_iter().collect(),
    )
    .unwrap();
    assert_eq!(api["result"]["total"]["exact"], own.total.exact);
    assert!(page.contains(&own.total.value.replace('.', ",")), "the page shows the same total {}", own.total.value);
    assert!(!page.contains(&format!("action=\"/assessments/{}/adjustments/P1\"", a_now.id)), "the unit reads, does not edit");
    let f = parindex_store::repo::audit::AuditFilter { action: Some("assessment.adjustment".into()), limit: 50, ..Default::default() };
    let log = app.store.list_audit(&f).await.unwrap().entries;
    assert!(log.iter().any(|e| e.reason.as_deref() == Some("Quyết định kỷ luật số 12/QĐ (thử)")));
    // removed again
    assert_eq!(admin.post(&url).form(&[("op", "clear"), ("reason", "Nhập nhầm")]).send().await.unwrap().status(), 303);
    let cleared = app.store.period_results(now.id).await.unwrap().units.into_iter().find(|u| u.unit_code == "P-CHIENGSINH").unwrap();
    assert_eq!(cleared.penalty, Exact::ZERO);

    // the improvement loop: last year's actions show at their leaves on this year's page
    let carried = app.store.carried_improvements(a_now.id).await.unwrap();
    assert_eq!(carried.values().map(Vec::len).sum::<usize>(), 2, "the demo's two actions");
    let (leaf, actions) = carried.iter().next().unwrap();
    assert!(page.contains("id=\"carried-note\"") && page.contains(&actions[0].action));
    assert!(page.contains(&format!("id=\"leaf-{leaf}\"")));
    // planning from last year's result: checked, for the unit's own staff only
    let plan = app.url(&format!("/assessments/{}/improvements", a_last.id));
    let last_page = officer.get(app.url(&format!("/assessments/{}", a_last.id))).send().await.unwrap().text().await.unwrap();
    assert!(last_page.contains("id=\"plan-form\""));
    let r = officer
        .post(&plan)
        .form(&[("node_code", leaf.as_str()), ("action", "Niêm yết lại"), ("owner", "Một cửa"), ("due_on", "31/02/2026")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Thời hạn không hợp lệ"));
    let r = officer
        .post(&plan)
        .form(&[("node_code", leaf.as_str()), ("action", "Niêm yết lại quy trình"), ("owner", "Một cửa"), ("due_on", "30/06/2026")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let mine = app.store.unit_improvements(a_last.unit_id).await.unwrap();
    let added = mine.iter().find(|a| a.action == "Niêm yết lại quy trình").unwrap();
    assert_eq!((added.status.as_str(), added.due_on.to_string().as_str()), ("planned", "2026-06-30"));
    let other = app.login("canbo.stc").await;
    let form = [("node_code", leaf.as_str()), ("action", "x"), ("owner", "y"), ("due_on", "30/06/2026")];
    assert_eq!(other.post(&plan).form(&form).send().await.unwrap().status(), 403);
    assert_eq!(admin.post(&plan).form(&form).send().await.unwrap().status(), 403, "the office reads, the unit plans");
    let follow = app.url(&format!("/assessments/{}/improvements/{}", a_last.id, added.id));
    assert_eq!(other.post(&follow).form(&[("status", "done")]).send().await.unwrap().status(), 403);
    assert_eq!(officer.post(&follow).form(&[("status", "finished")]).send().await.unwrap().status(), 422);
    assert_eq!(officer.post(&follow).form(&[("status", "done"), ("outcome", "Đã niêm yết")]).send().await.unwrap().status(), 303);
    let done = app.store.unit_improvements(a_last.unit_id).await.unwrap().into_iter().find(|a| a.id == added.id).unwrap();
    assert_eq!((done.status.as_str(), done.outcome.as_deref()), ("done", Some("Đã niêm yết")));
    // through the API: the unit's actions, a bonus entered by the office
    let api = app.api("canbo.chiengsinh").await;
    let list: serde_json::Value =
        api.get(app.url(&format!("/api/v1/units/{}/improvements", a_last.unit_id))).send().await.unwrap().json().await.unwrap();
    assert_eq!(list["improvements"].as_array().unwrap().len(), 3);
    let stc = app.store.unit_id_by_code("STC").await.unwrap().unwrap();
    assert_eq!(api.get(app.url(&format!("/api/v1/units/{stc}/improvements"))).send().await.unwrap().status(), 403);
    let body = serde_json::json!({"input": 1.5, "reason": "QĐ công nhận sáng kiến (thử)"});
    let put = format!("/api/v1/assessments/{}/adjustments/T1", a_now.id);
    assert_eq!(api.put(app.url(&put)).json(&body).send().await.unwrap().status(), 403);
    let r = app.api("admin").await.put(app.url(&put)).json(&body).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let bonus = app.store.period_results(now.id).await.unwrap().units.into_iter().find(|u| u.unit_code == "P-CHIENGSINH").unwrap().bonus;
    assert_eq!(bonus, Exact::ratio(3, 2));
    // the unit's detailed sheet: appraisal columns once the result is out, not before; own unit only
    let sheet = |id: i64, c: reqwest::Client| {
        let url = app.url(&format!("/assessments/{id}/chi-tiet.csv"));
        async move {
            let r = c.get(url).send().await.unwrap();
            assert_eq!(r.status(), 200);
            let text = r.text().await.unwrap();
            let mut rdr = csv::ReaderBuilder::new().from_reader(text.trim_start_matches('\u{feff}').as_bytes());
            rdr.records().map(|r| r.unwrap()).collect::<Vec<csv::StringRecord>>()
        }
    };
    let last_rows = sheet(a_last.id, officer.clone()).await;
    assert!(last_rows.len() > 20 && last_rows.iter().any(|r| !r[4].is_empty()), "appraised points of an approved result");
    let now_rows = sheet(a_now.id, officer.clone()).await;
    assert!(now_rows.iter().all(|r| r[4].is_empty() && r[9].is_empty()), "no appraisal shown before the preliminary result");
    assert_eq!(other.get(app.url(&format!("/assessments/{}/chi-tiet.xlsx", a_last.id))).send().await.unwrap().status(), 403);
    let x = admin.get(app.url(&format!("/assessments/{}/chi-tiet.xlsx", a_last.id))).send().await.unwrap();
    let sheets = parindex_reports::table::read_workbook("c.xlsx", &x.bytes().await.unwrap()).unwrap();
    assert_eq!(sheets[0].1.rows.len(), last_rows.len());
    // and it is carried to this year's page too
    let page = officer.get(app.url(&format!("/assessments/{}", a_now.id))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Niêm yết lại quy trình") && page.contains("Đã niêm yết"));
});

backend_tests!(audit_log_downloads_whole_with_the_filters, |b| async move {
    let app = TestApp::spawn(b).await;
    let admin = app.login("admin").await;
    // a few entries: three units created, one deactivated
    for (code, name) in [("XA1", "UBND xã Một"), ("XA2", "UBND xã Hai"), ("XA3", "UBND xã Ba, \"mới\"")] {
        let r = admin.post(app.url("/units")).form(&[("code", code), ("name", name), ("kind", "commune")]).send().await.unwrap();
        assert_eq!(r.status(), 303);
    }
    let all = app.store.list_audit(&Default::default()).await.unwrap().total;
    let r = admin.get(app.url("/admin/audit.csv")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let csv = r.text().await.unwrap();
    assert!(csv.starts_with("\u{feff}id,at_vn,actor,ip,action,"));
    let mut rdr = csv::ReaderBuilder::new().from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len() as u64, all, "every entry, oldest first");
    assert!(rows.windows(2).all(|w| w[0][0].parse::<i64>().unwrap() < w[1][0].parse::<i64>().unwrap()));
    assert!(rows.iter().any(|r| r[4] == *"unit.create" && r[10].contains("UBND xã Ba, \\\"mới\\\"")), "quotes survive");
    // the page's filters apply
    let created = admin.get(app.url("/admin/audit.csv?action=unit.create")).send().await.unwrap().text().await.unwrap();
    let f = parindex_store::repo::audit::AuditFilter { action: Some("unit.create".into()), ..Default::default() };
    let n = app.store.list_audit(&f).await.unwrap().total as usize;
    assert!(n >= 3);
    assert_eq!(created.lines().count(), 1 + n);
    let x = admin.get(app.url("/admin/audit.xlsx?action=unit.create")).send().await.unwrap();
    assert_eq!(x.status(), 200);
    let sheets = parindex_reports::table::read_workbook("a.xlsx", &x.bytes().await.unwrap()).unwrap();
    assert_eq!((sheets[0].0.as_str(), sheets[0].1.rows.len()), ("audit", n));
    let page = admin.get(app.url("/admin/audit?action=unit.create")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("href=\"/admin/audit.csv?actor=&amp;action=unit.create"));
    // the administrator only
    for user in ["secretariat", "council", "officer.a"] {
        let c = app.login(user).await;
        for path in ["/admin/audit.csv", "/admin/audit.xlsx"] {
            assert_eq!(c.get(app.url(path)).send().await.unwrap().status(), 403, "{user} {path}");
        }
    }
    assert_eq!(app.client().get(app.url("/admin/audit.csv")).send().await.unwrap().status(), 303);
});

/// The text of a DOCX's body (the words between the tags), for checks on its content.
fn docx_text(bytes: &[u8]) -> String {
    use std::io::Read;
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a DOCX is a zip");
    let mut xml = String::new();
    z.by_name("word/document.xml").unwrap().read_to_string(&mut xml).unwrap();
    let mut out = String::new();
    let mut in_tag = false;
    for c in xml.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ").replace("&amp;", "&")
}

/// Same words, whitespace normalised (pdftotext breaks lines where the layout does).
fn words(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

backend_tests!(official_documents_as_docx_and_pdf, |b| async move {
    use parindex_testkit::office;
    let app = TestApp::spawn_demo(b).await;
    let (_, last, a_now, a_last) = chiengsinh(&app).await;
    let admin = app.login("admin").await;
    let officer = app.login("canbo.chiengsinh").await;
    let other = app.login("canbo.stc").await;
    let get = |c: &reqwest::Client, path: String| {
        let (c, url) = (c.clone(), app.url(&path));
        async move {
            let r = c.get(url).send().await.unwrap();
            let status = r.status().as_u16();
            let kind = r.headers().get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
            (status, kind, r.bytes().await.unwrap().to_vec())
        }
    };
    let tools = office::available();

    // (a) the period's results report: the office (and council) only; numbers as on the page
    let results = app.store.period_results(last.id).await.unwrap();
    let first = results.units.iter().find(|u| u.rank == Some(1)).unwrap();
    let first_index = first.index.as_ref().unwrap().to_vi(results.decimals);
    assert_eq!(get(&officer, format!("/periods/{}/bao-cao.docx", last.id)).await.0, 403);
    assert_eq!(get(&officer, format!("/periods/{}/bao-cao.pdf", last.id)).await.0, 403);
    let (s, kind, docx) = get(&admin, format!("/periods/{}/bao-cao.docx", last.id)).await;
    assert_eq!(s, 200);
    assert!(kind.contains("wordprocessingml"));
    let text = docx_text(&docx);
    for want in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "BÁO CÁO",
        "Bảng 1. Kết quả Chỉ số cải cách hành chính",
        "Nơi nhận:",
        "KT. GIÁM ĐỐC",
    ] {
        assert!(text.contains(want), "DOCX lacks {want}");
    }
    assert!(text.contains(&format!("{} {}", first.unit_name, first.total.to_vi(results.decimals))), "the first unit's row");
    assert!(text.contains(&first_index));
    assert!(text.contains("(*) Đơn vị hình thành sau sắp xếp"), "merged units compared with their predecessors");
    for d in &results.domains {
        assert!(text.contains(&d.title), "a table for domain {}", d.code);
    }
    office::keep("bao-cao.docx", &docx);
    let (s, kind, pdf) = get(&admin, format!("/periods/{}/bao-cao.pdf", last.id)).await;
    assert_eq!((s, kind.as_str()), (200, "application/pdf"));
    assert!(pdf.starts_with(b"%PDF-"));
    office::keep("bao-cao.pdf", &pdf);
    if tools {
        let t = words(&office::pdf_text(&pdf));
        // regular, bold (title, headings, signature) and italic (date, recipients) text
        for want in [
            "Kết quả xác định Chỉ số cải cách hành chính năm",
            "I. KHÁI QUÁT",
            "II. KẾT QUẢ",
            "KT. GIÁM ĐỐC",
            "PHÓ GIÁM ĐỐC",
            "Nơi nhận:",
            &format!("ngày {}", ""),
        ] {
            assert!(t.contains(want.trim()), "PDF text lacks {want}");
        }
        assert!(t.contains(&first.unit_name) && t.contains(&first_index), "numbers and names in the PDF");
        let converted = office::docx_to_pdf(&docx);
        office::keep("bao-cao.lo.pdf", &converted);
        let t = words(&office::pdf_text(&converted));
        assert!(t.contains("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM") && t.contains(&first.unit_name) && t.contains("Bảng 1."));
    }

    // (b) the unit's self-assessment report, with its own words; own unit only
    let notes = app.url(&format!("/assessments/{}/bao-cao-tu-danh-gia", a_now.id));
    let form = [("difficulties", "Thiếu cán bộ một cửa;\nmạng chậm ở bản Hải Sơn."), ("recommendations", "Đề nghị tập huấn phần mềm.")];
    assert_eq!(other.post(&notes).form(&form).send().await.unwrap().status(), 403);
    let long = "x".repeat(parindex_store::repo::unit_reports::MAX_CHARS + 1);
    let r = officer.post(&notes).form(&[("difficulties", long.as_str()), ("recommendations", "")]).send().await.unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Tối đa"));
    assert_eq!(officer.post(&notes).form(&form).send().await.unwrap().status(), 303);
    let page = officer.get(app.url(&format!("/assessments/{}", a_now.id))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("id=\"report-form\"") && page.contains("mạng chậm ở bản Hải Sơn."));
    assert!(!page.contains("id=\"minutes-docx\""), "no minutes before the preliminary result");
    let f = parindex_store::repo::audit::AuditFilter { action: Some("assessment.report_notes".into()), limit: 10, ..Default::default() };
    assert_eq!(app.store.list_audit(&f).await.unwrap().entries.len(), 1);
    // an approved result's report is final
    let r = officer.post(app.url(&format!("/assessments/{}/bao-cao-tu-danh-gia", a_last.id))).form(&form).send().await.unwrap();
    assert_ne!(r.status(), 303);
    assert_eq!(get(&other, format!("/assessments/{}/bao-cao-tu-danh-gia.docx", a_now.id)).await.0, 403);
    let (s, _, docx) = get(&officer, format!("/assessments/{}/bao-cao-tu-danh-gia.docx", a_now.id)).await;
    assert_eq!(s, 200);
    let text = docx_text(&docx);
    for want in [
        "BÁO CÁO",
        "I. KẾT QUẢ TỰ ĐÁNH GIÁ",
        "III. KHÓ KHĂN, VƯỚNG MẮC",
        "Thiếu cán bộ một cửa;",
        "mạng chậm ở bản Hải Sơn.",
        "Đề nghị tập huấn phần mềm.",
        "THỦ TRƯỞNG ĐƠN VỊ",
    ] {
        assert!(text.contains(want), "self report lacks {want}");
    }
    assert!(text.contains(&parindex_reports::document::upper(&a_now.unit_name)), "issued by the unit");
    office::keep("tu-danh-gia.docx", &docx);
    let (s, _, pdf) = get(&officer, format!("/assessments/{}/bao-cao-tu-danh-gia.pdf", a_now.id)).await;
    assert_eq!(s, 200);
    office::keep("tu-danh-gia.pdf", &pdf);
    if tools {
        let t = words(&office::pdf_text(&pdf));
        assert!(t.contains("mạng chậm ở bản Hải Sơn.") && t.contains("II. GIẢI TRÌNH CÁC TIÊU CHÍ KHÔNG CÓ TÀI LIỆU KIỂM CHỨNG"));
        let t = words(&office::pdf_text(&office::docx_to_pdf(&docx)));
        assert!(t.contains("Đề nghị tập huấn phần mềm."));
    }

    // (c) the appraisal minutes: not before the result is out, not another unit's
    assert_eq!(get(&officer, format!("/assessments/{}/bien-ban-tham-dinh.docx", a_now.id)).await.0, 403);
    assert_eq!(get(&other, format!("/assessments/{}/bien-ban-tham-dinh.pdf", a_last.id)).await.0, 403);
    let (s, _, docx) = get(&officer, format!("/assessments/{}/bien-ban-tham-dinh.docx", a_last.id)).await;
    assert_eq!(s, 200);
    let text = docx_text(&docx);
    let view = app.store.get_assessment(a_last.id).await.unwrap();
    let appraised: parindex_core::Exact = view.entries.values().filter_map(counted_cached).fold(parindex_core::Exact::ZERO, |a, b| a + b);
    for want in ["BIÊN BẢN", "I. KẾT QUẢ THẨM ĐỊNH", "ĐẠI DIỆN ĐƠN VỊ", "TM. HỘI ĐỒNG THẨM ĐỊNH"] {
        assert!(text.contains(want), "minutes lack {want}");
    }
    assert!(text.contains(&format!("điểm sau thẩm định: {}", appraised.to_vi(view.framework.decimals))), "the appraised total");
    assert!(!text.contains("thamdinh."), "people are named by their full names, not their logins");
    office::keep("bien-ban.docx", &docx);
    let (s, _, pdf) = get(&admin, format!("/assessments/{}/bien-ban-tham-dinh.pdf", a_last.id)).await;
    assert_eq!(s, 200);
    office::keep("bien-ban.pdf", &pdf);
    if tools {
        let t = words(&office::pdf_text(&pdf));
        assert!(t.contains("Thẩm định kết quả tự đánh giá, chấm điểm Chỉ số cải cách hành chính"));
        let t = words(&office::pdf_text(&office::docx_to_pdf(&docx)));
        assert!(t.contains("BIÊN BẢN"));
    }
    // an English reader gets the English text, same numbers (decimal point)
    let en = app.login("admin").await;
    en.get(app.url("/lang/en")).send().await.unwrap();
    let (s, _, docx) = get(&en, format!("/periods/{}/bao-cao.docx", last.id)).await;
    assert_eq!(s, 200);
    let text = docx_text(&docx);
    assert!(text.contains("SOCIALIST REPUBLIC OF VIET NAM") && text.contains("Table 1. Administrative-reform index"));
    assert!(text.contains(&first.index.as_ref().unwrap().to_decimal_string(results.decimals)));
});

/// A workbook of one sheet with these cells (as a person would save it from Excel).
fn xlsx_of(header: &[String], rows: &[Vec<String>]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in header.iter().enumerate() {
        ws.write_string(0, c as u16, h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            match v.parse::<f64>() {
                Ok(x) => ws.write_number(r as u32 + 1, c as u16, x).unwrap(),
                Err(_) => ws.write_string(r as u32 + 1, c as u16, v).unwrap(),
            };
        }
    }
    wb.save_to_buffer().unwrap()
}

backend_tests!(self_scores_round_trip_through_the_sheet, |b| async move {
    use parindex_core::framework::rule::Rule;
    let app = TestApp::spawn_demo(b).await;
    let (_, _, a, _) = chiengsinh(&app).await;
    let officer = app.login("canbo.chiengsinh").await;
    let other = app.login("canbo.stc").await;
    let admin = app.login("admin").await;
    let sheet_url = app.url(&format!("/assessments/{}/tu-cham.xlsx", a.id));
    let upload_url = app.url(&format!("/assessments/{}/tu-cham", a.id));
    let send = |c: &reqwest::Client, name: &str, bytes: Vec<u8>| {
        let form = Form::new().part("file", Part::bytes(bytes).file_name(name.to_string()));
        let (c, url) = (c.clone(), upload_url.clone());
        async move {
            let r = c.post(url).multipart(form).send().await.unwrap();
            (
                r.status().as_u16(),
                r.headers().get("location").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default(),
                r.text().await.unwrap(),
            )
        }
    };
    // denials: another unit reads nothing, writes nothing; the office reads but does not score
    assert_eq!(other.get(&sheet_url).send().await.unwrap().status(), 403);
    let r = officer.get(&sheet_url).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let exported = r.bytes().await.unwrap().to_vec();
    assert_eq!(send(&other, "x.xlsx", exported.clone()).await.0, 403);
    assert_eq!(admin.get(&sheet_url).send().await.unwrap().status(), 200);
    assert_eq!(send(&admin, "x.xlsx", exported.clone()).await.0, 403);

    // the drop-downs are in the workbook
    {
        use std::io::Read;
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(exported.clone())).unwrap();
        let mut xml = String::new();
        z.by_name("xl/worksheets/sheet1.xml").unwrap().read_to_string(&mut xml).unwrap();
        assert!(xml.contains("<dataValidation type=\"list\""), "option leaves offer a list");
        assert!(xml.contains("type=\"decimal\""), "number leaves are checked");
    }
    // unchanged: nothing written
    let (s, loc, _) = send(&officer, "tu-cham.xlsx", exported.clone()).await;
    assert_eq!((s, loc.contains("done=sheet_unchanged")), (303, true));

    // edit in "Excel": change one option leaf and one yes/no or number leaf, add a note
    let view = app.store.get_assessment(a.id).await.unwrap();
    let sheets = parindex_reports::table::read_workbook("t.xlsx", &exported).unwrap();
    let table = &sheets[0].1;
    assert_eq!(table.header[0], "Mã");
    let mut rows: Vec<Vec<String>> = table.rows.iter().map(|(_, c)| c.clone()).collect();
    let rule_of = |code: &str| view.framework.find(code).unwrap().rule.clone().unwrap();
    let opt_row = rows.iter().position(|r| matches!(rule_of(&r[0]), Rule::Options { .. })).expect("an option leaf");
    let Rule::Options { options } = rule_of(&rows[opt_row][0]) else { unreachable!() };
    let new_key = options.iter().map(|o| o.key.clone()).find(|k| *k != rows[opt_row][4]).unwrap();
    rows[opt_row][4] = new_key.clone();
    rows[opt_row][7] = "Đã đối chiếu sổ theo dõi".into();
    let na_row = rows.iter().position(|r| r[0] != rows[opt_row][0]).unwrap();
    rows[na_row][6] = "Có".into();
    let (code_opt, code_na) = (rows[opt_row][0].clone(), rows[na_row][0].clone());
    let untouched = rows.iter().find(|r| r[0] != code_opt && r[0] != code_na).unwrap()[0].clone();
    let version_before = view.entries.get(&untouched).map(|e| e.version).unwrap_or(0);

    // a malformed copy first: two bad rows, both named, nothing written
    let mut bad = rows.clone();
    bad[opt_row][4] = "khong-co-lua-chon-nay".into();
    bad.push(vec![
        "9.99".into(),
        "".into(),
        "".into(),
        "".into(),
        "1".into(),
        "".into(),
        "".into(),
        "".into(),
        "".into(),
        "".into(),
        "0".into(),
    ]);
    let (s, _, body) = send(&officer, "tu-cham-sai.xlsx", xlsx_of(&table.header, &bad)).await;
    assert_eq!(s, 422);
    assert!(body.contains("Không ghi gì"));
    assert!(body.contains(&format!("dòng {}", opt_row + 2)) && body.contains("khong-co-lua-chon-nay"), "the bad option's row");
    assert!(body.contains(&format!("dòng {}", bad.len() + 1)) && body.contains("9.99"), "the unknown leaf's row");
    assert!(body.contains("tu-cham-sai.xlsx"), "the file is named");
    assert_eq!(
        app.store.get_assessment(a.id).await.unwrap().entries.get(&code_opt).map(|e| e.version),
        view.entries.get(&code_opt).map(|e| e.version)
    );

    // the good copy: written, the untouched leaf not rewritten
    let edited = xlsx_of(&table.header, &rows);
    let (s, loc, _) = send(&officer, "tu-cham.xlsx", edited.clone()).await;
    assert_eq!((s, loc.contains("done=sheet_imported")), (303, true));
    let after = app.store.get_assessment(a.id).await.unwrap();
    let e = after.entries.get(&code_opt).unwrap();
    assert_eq!(e.input.as_ref().unwrap().option.as_deref(), Some(new_key.as_str()));
    assert_eq!(e.note.as_deref(), Some("Đã đối chiếu sổ theo dõi"));
    let points = options.iter().find(|o| o.key == new_key).unwrap().points.clone();
    assert_eq!(e.points, Some(points), "points follow the rule");
    assert!(after.entries.get(&code_na).unwrap().input.as_ref().unwrap().not_applicable);
    assert_eq!(after.entries.get(&untouched).map(|e| e.version).unwrap_or(0), version_before);
    // and export again → the same values come back
    let again = officer.get(&sheet_url).send().await.unwrap().bytes().await.unwrap().to_vec();
    let t2 = &parindex_reports::table::read_workbook("t.xlsx", &again).unwrap()[0].1;
    let row2 = t2.rows.iter().find(|(_, c)| c[0] == code_opt).unwrap();
    assert_eq!((row2.1[4].as_str(), row2.1[7].as_str()), (new_key.as_str(), "Đã đối chiếu sổ theo dõi"));

    // the old sheet after somebody saved on the system: refused, nothing written
    let mut stale = rows.clone();
    stale[opt_row][7] = "Ghi chú khác".into();
    let (s, _, body) = send(&officer, "cu.xlsx", xlsx_of(&table.header, &stale)).await;
    assert_eq!(s, 422);
    assert!(body.contains(&format!("Dòng {}", opt_row + 2)) && body.contains("tải bảng mới"), "{}", &body[..body.len().min(400)]);
    assert_eq!(
        app.store.get_assessment(a.id).await.unwrap().entries.get(&code_opt).unwrap().note.as_deref(),
        Some("Đã đối chiếu sổ theo dõi")
    );
    let f = parindex_store::repo::audit::AuditFilter { action: Some("assessment.self_score".into()), limit: 100, ..Default::default() };
    let log = app.store.list_audit(&f).await.unwrap().entries;
    assert!(log.iter().any(|e| e.object_id.as_deref() == Some(&format!("{}/{code_opt}", a.id))));
});

backend_tests!(background_exports_run_with_progress_for_their_owner, |b| async move {
    let app = TestApp::spawn_demo(b).await;
    let admin = app.login("admin").await;
    let thuky = app.login("thuky").await;
    let officer = app.login("canbo.stc").await;
    // a survey with responses
    let mut run = None;
    for s in app.store.list_surveys().await.unwrap() {
        if let Some((_, _, n)) = app.store.response_id_range(s.id).await.unwrap().filter(|r| r.2 > 0) {
            run = Some((s.id, n));
            break;
        }
    }
    let (run, count) = run.expect("the demo has responses");
    let start = app.url(&format!("/surveys/runs/{run}/xuat-nen"));
    assert_eq!(officer.post(&start).form(&[("format", "csv")]).send().await.unwrap().status(), 403);
    assert_eq!(app.login("xem").await.post(app.url("/admin/audit/xuat-nen")).form(&[("actor", "")]).send().await.unwrap().status(), 403);
    let admin_id = app.store.get_user_by_name("admin").await.unwrap().id;
    let wait = |user: i64| {
        let store = app.store.clone();
        async move {
            for _ in 0..600 {
                let jobs = store.user_jobs(user, 10).await.unwrap();
                if jobs.iter().all(|j| j.status != "running") {
                    return jobs;
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            panic!("a job still runs after a minute");
        }
    };
    for format in ["csv", "xlsx"] {
        let r = admin.post(&start).form(&[("format", format)]).send().await.unwrap();
        assert_eq!((r.status().as_u16(), r.headers()["location"].to_str().unwrap()), (303, "/tai-ve"));
    }
    let r = admin.post(app.url("/admin/audit/xuat-nen")).form(&[("action", "unit.create")]).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let jobs = wait(admin_id).await;
    assert_eq!(jobs.len(), 3);
    assert!(jobs.iter().all(|j| j.status == "done"), "{jobs:?}");
    let page = admin.get(app.url("/tai-ve")).send().await.unwrap().text().await.unwrap();
    for j in &jobs {
        assert!(page.contains(&format!("href=\"/tai-ve/{}\"", j.id)), "a link to each file");
    }
    assert!(page.contains("<progress"));
    assert!(!page.contains("http-equiv=\"refresh\""), "no refresh once every job is done");
    let by_kind = |k: &str| jobs.iter().find(|j| j.kind == k).unwrap().clone();
    // the CSV is the direct download, byte for byte; the XLSX holds every response
    let csv_job = by_kind("responses_csv");
    assert_eq!((csv_job.done, csv_job.total), (count as i64, count as i64));
    let from_job = admin.get(app.url(&format!("/tai-ve/{}", csv_job.id))).send().await.unwrap().bytes().await.unwrap();
    let direct = admin.get(app.url(&format!("/surveys/runs/{run}/responses.csv"))).send().await.unwrap().bytes().await.unwrap();
    assert_eq!(from_job, direct);
    let xlsx_job = by_kind("responses_xlsx");
    let x = admin.get(app.url(&format!("/tai-ve/{}", xlsx_job.id))).send().await.unwrap().bytes().await.unwrap();
    let sheets = parindex_reports::table::read_workbook("r.xlsx", &x).unwrap();
    assert_eq!(sheets.iter().map(|(_, t)| t.rows.len()).sum::<usize>() as u64, count);
    let audit_job = by_kind("audit_xlsx");
    assert!(audit_job.done > 0 && audit_job.file_name.as_deref() == Some("nhat-ky.xlsx"));
    // the requester only
    assert_eq!(thuky.get(app.url(&format!("/tai-ve/{}", csv_job.id))).send().await.unwrap().status(), 403);
    assert!(!thuky.get(app.url("/tai-ve")).send().await.unwrap().text().await.unwrap().contains(&format!("/tai-ve/{}\"", csv_job.id)));
    // a job cut by a restart shows as failed, with nothing to download
    let cut = app.store.create_job("responses_csv", "x", &json!({}), admin_id, "admin", 10).await.unwrap();
    assert_eq!(app.store.fail_interrupted_jobs().await.unwrap(), 1);
    assert_eq!(app.store.get_job(cut.id).await.unwrap().status, "failed");
    assert_eq!(admin.get(app.url(&format!("/tai-ve/{}", cut.id))).send().await.unwrap().status(), 404);
    // files are kept 7 days: a sweep now removes none; one of files older than 0 days removes
    // them all, and the jobs stay listed as expired with nothing to download
    let file_of =
        |j: &parindex_store::repo::jobs::Job| app.files.path().join("exports").join(j.id.to_string()).join(j.file_name.clone().unwrap());
    assert!(file_of(&csv_job).is_file());
    assert!(page.contains("Tệp được giữ 7 ngày"), "the page says how long files are kept");
    assert_eq!(parindex_web::app::exports::sweep(&app.store, app.files.path(), 7).await.unwrap(), 0);
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    assert_eq!(parindex_web::app::exports::sweep(&app.store, app.files.path(), 0).await.unwrap(), 3);
    assert!(!file_of(&csv_job).exists() && !file_of(&xlsx_job).exists(), "the files are gone");
    assert_eq!(app.store.get_job(csv_job.id).await.unwrap().status, "expired");
    assert_eq!(app.store.get_job(cut.id).await.unwrap().status, "failed", "failed jobs are left as they are");
    assert_eq!(admin.get(app.url(&format!("/tai-ve/{}", csv_job.id))).send().await.unwrap().status(), 404);
    let page = admin.get(app.url("/tai-ve")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Đã xoá tệp (quá hạn lưu)") && !page.contains(&format!("href=\"/tai-ve/{}\"", csv_job.id)));
    assert_eq!(parindex_web::app::exports::sweep(&app.store, app.files.path(), 0).await.unwrap(), 0, "once");
});

backend_tests!(responses_keying_template_has_drop_downs_and_imports_as_filled, |b| async move {
    use parindex_core::survey::QuestionType;
    let app = TestApp::spawn_demo(b).await;
    let admin = app.login("admin").await;
    let mut found = None;
    for s in app.store.list_surveys().await.unwrap() {
        if app.store.response_id_range(s.id).await.unwrap().is_some_and(|r| r.2 > 0) {
            found = Some(s);
            break;
        }
    }
    let run = found.expect("the demo has a survey with responses");
    let url = app.url(&format!("/surveys/runs/{}/mau-nhap.xlsx", run.id));
    assert_eq!(app.login("canbo.stc").await.get(&url).send().await.unwrap().status(), 403);
    let r = admin.get(&url).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let bytes = r.bytes().await.unwrap().to_vec();
    let sheets = parindex_reports::table::read_workbook("mau.xlsx", &bytes).unwrap();
    assert_eq!(sheets.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(), ["phieu", "huong_dan", "danh_muc"]);
    let (_, q) = app.store.get_questionnaire(&run.questionnaire).await.unwrap();
    let questions: Vec<_> = q.questions().map(|(_, x)| x.clone()).filter(|x| x.kind != QuestionType::Note).collect();
    let header = &sheets[0].1.header;
    assert_eq!(&header[..3], ["unit_code", "channel", "submitted_at"]);
    assert_eq!(header[3..].to_vec(), questions.iter().map(|x| x.name.clone()).collect::<Vec<_>>());
    let units: Vec<String> = app.store.survey_units(run.id).await.unwrap().into_iter().map(|u| u.unit_code).collect();
    assert!(sheets[2].1.rows.iter().map(|(_, c)| c[0].clone()).eq(units.iter().cloned()), "the units' list");
    {
        use std::io::Read;
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes.clone())).unwrap();
        let mut xml = String::new();
        z.by_name("xl/worksheets/sheet1.xml").unwrap().read_to_string(&mut xml).unwrap();
        let choice = questions.iter().filter(|x| matches!(x.kind, QuestionType::Likert | QuestionType::SingleChoice)).count();
        assert!(xml.matches("type=\"list\"").count() >= choice + 2, "a list per choice question, the unit and the channel");
        assert!(xml.contains("danh_muc!$A$2"));
    }
    // filled with one paper form, it imports as it is
    let mut row = vec![units[0].clone(), "paper".into(), String::new()];
    for x in &questions {
        row.push(match x.kind {
            QuestionType::Likert | QuestionType::SingleChoice => q.list(x.list.as_deref().unwrap()).unwrap().choices[0].key.clone(),
            _ => String::new(),
        });
    }
    let before = app.store.get_survey(run.id).await.unwrap().responses;
    let filled = xlsx_of(header, &[row]);
    let form = Form::new().text("channel", "paper").part("file", Part::bytes(filled).file_name("mau-nhap-da-dien.xlsx"));
    let r = admin.post(app.url(&format!("/surveys/runs/{}/import", run.id))).multipart(form).send().await.unwrap();
    let status = r.status();
    let page = r.text().await.unwrap();
    assert_eq!(status, 200, "{}", &page[..page.len().min(600)]);
    assert_eq!(app.store.get_survey(run.id).await.unwrap().responses, before + 1);
});

/// An independent oracle for the tests: the points cached with the entry that counts (final,
/// else appraised, else own), read without the engine (`core::framework::result` is the one
/// computation the product uses; these tests check that it agrees with the cache).
fn counted_cached(e: &parindex_store::repo::periods::EntryRow) -> Option<parindex_core::Exact> {
    if e.final_at.is_some() {
        e.final_points.clone()
    } else if e.appraised_at.is_some() {
        e.appraised_points.clone()
    } else {
        e.points.clone()
    }
}
