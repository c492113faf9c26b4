//! Users and passwords through pages and the API.

use super::*;

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
