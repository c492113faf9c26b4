//! Fed data over HTTP (issue #18): the office downloads a leaf's template, uploads it, sees what
//! would change, confirms; the unit sees its own figure (and nobody else's) with where it came
//! from; every other role is refused the upload, on the pages and through the API.

use super::*;

backend_tests!(fed_data_is_uploaded_by_the_office_and_read_by_each_as_allowed, |b| async move {
    let app = TestApp::spawn(b).await;
    let today = parindex_core::assessment::today_vn();
    let (ua, ub) = open_period(&app, today + chrono::Duration::days(10)).await;
    let pid = app.store.list_periods().await.unwrap()[0].id;
    let office = app.login("secretariat").await;

    // the period page names the fed leaf and what is missing
    let page = office.get(app.url(&format!("/periods/{pid}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(&format!("/periods/{pid}/so-lieu/2.1")) && page.contains("0/3"), "the fed leaf on the period page");

    // the template: the period's units for the leaf, read back as they stand (no value yet)
    let r = office.get(app.url(&format!("/periods/{pid}/so-lieu/2.1/mau.xlsx"))).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let bytes = r.bytes().await.unwrap().to_vec();
    let rule = parindex_core::framework::Rule::Proportional;
    let max = parindex_core::Exact::parse("2").unwrap();
    let info = parindex_reports::feed_values::LeafInfo { code: "2.1", title: "t", rule: &rule, max: &max };
    let units: Vec<String> = ["UA", "UB", "XC"].iter().map(|s| s.to_string()).collect();
    let back = parindex_reports::feed_values::read_values("mau.xlsx", &bytes, &info, &units).unwrap();
    assert_eq!(back.iter().map(|r| r.unit_code.as_str()).collect::<Vec<_>>(), vec!["UA", "UB", "XC"]);
    assert!(back.iter().all(|r| r.input.is_none()));

    // a bad file is refused whole, each row named, nothing written
    let csv = "Mã đơn vị,Giá trị,Mẫu số\nUA,45,50\nUB,70,60\nZZ,1,2\n";
    let form = upload_form(vec![("so-lieu.csv", csv.as_bytes().to_vec())]);
    let r = office.post(app.url(&format!("/periods/{pid}/so-lieu/2.1"))).multipart(form).send().await.unwrap();
    assert_eq!(r.status(), 422);
    let body = r.text().await.unwrap();
    assert!(body.contains("feed-errors") && body.contains("dòng 3") && body.contains("ZZ"), "every refused row named");
    assert!(app.store.period_feeds(pid).await.unwrap()[0].units.iter().all(|u| u.value.is_none()));

    // a good file: shown first, then written on confirmation
    let csv = "Mã đơn vị,Giá trị,Mẫu số,Nguồn số liệu\nUA,45,50,Hệ thống một cửa 31/12\nUB,30,60,Hệ thống một cửa 31/12\n";
    let form = upload_form(vec![("so-lieu.csv", csv.as_bytes().to_vec())]);
    let r = office.post(app.url(&format!("/periods/{pid}/so-lieu/2.1"))).multipart(form).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let body = r.text().await.unwrap();
    assert!(body.contains("feed-preview") && body.contains("2 đơn vị có số liệu mới"), "the difference first");
    assert!(app.store.period_feeds(pid).await.unwrap()[0].units.iter().all(|u| u.value.is_none()), "nothing written yet");
    let rows = hidden(&body, "rows");
    let r = office
        .post(app.url(&format!("/periods/{pid}/so-lieu/2.1/ghi")))
        .form(&[("file_name", "so-lieu.csv"), ("rows", rows.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    let body = office.get(app.url(&to)).send().await.unwrap().text().await.unwrap();
    assert!(body.contains("feed-written") && body.contains("2 đơn vị thay đổi"));
    // 2 × 45/50 = 1,8 and 2 × 30/60 = 1
    let view = app.store.get_assessment(ua).await.unwrap();
    assert_eq!(view.entries["2.1"].points.as_ref().map(|p| p.to_string()), Some("1.8".into()));
    assert_eq!(app.store.get_assessment(ub).await.unwrap().entries["2.1"].points.as_ref().map(|p| p.to_string()), Some("1".into()));

    // the unit: its figure and where it came from on its self-assessment, its own row only
    let a = app.login("officer.a").await;
    let page = a.get(app.url(&format!("/assessments/{ua}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("so-lieu.csv") && page.contains("Hệ thống một cửa 31/12"), "provenance on the leaf");
    assert!(page.contains(&format!("/periods/{pid}/so-lieu/2.1#u_UA")), "a link to the data behind it");
    let data = a.get(app.url(&format!("/periods/{pid}/so-lieu/2.1"))).send().await.unwrap();
    assert_eq!(data.status(), 200);
    let data = data.text().await.unwrap();
    assert!(data.contains("id=\"u_UA\"") && !data.contains("id=\"u_UB\""), "a unit never sees another's figure");
    assert!(!data.contains("mau.xlsx"), "no upload for the unit");
    for path in [format!("/periods/{pid}/so-lieu/2.1/mau.xlsx")] {
        assert_eq!(a.get(app.url(&path)).send().await.unwrap().status(), 403, "{path}");
    }
    let form = upload_form(vec![("so-lieu.csv", csv.as_bytes().to_vec())]);
    assert_eq!(a.post(app.url(&format!("/periods/{pid}/so-lieu/2.1"))).multipart(form).send().await.unwrap().status(), 403);
    let r =
        a.post(app.url(&format!("/periods/{pid}/so-lieu/2.1/ghi"))).form(&[("file_name", "x.csv"), ("rows", "[]")]).send().await.unwrap();
    assert_eq!(r.status(), 403);
    let api_a = app.api("officer.a").await;
    let list: Value = api_a.get(app.url(&format!("/api/v1/periods/{pid}/feeds"))).send().await.unwrap().json().await.unwrap();
    assert_eq!(list[0]["units"].as_array().unwrap().len(), 1);
    assert_eq!(list[0]["units"][0]["unit_code"], "UA");
    assert_eq!(list[0]["can_upload"], false);
    let put = json!({"rows": [{"unit_code": "UA", "input": {"numerator": "50", "denominator": "50"}}]});
    let r = api_a.put(app.url(&format!("/api/v1/periods/{pid}/feeds/2.1"))).json(&put).send().await.unwrap();
    assert_eq!(r.status(), 403);

    // leadership reads every unit's figure, uploads nothing; an appraiser of no department either
    let v = app.login("viewer").await;
    let data = v.get(app.url(&format!("/periods/{pid}/so-lieu/2.1"))).send().await.unwrap().text().await.unwrap();
    assert!(data.contains("id=\"u_UA\"") && data.contains("id=\"u_UB\""));
    assert_eq!(v.get(app.url(&format!("/periods/{pid}/so-lieu/2.1/mau.xlsx"))).send().await.unwrap().status(), 403);
    // an appraiser of another department (UB appraises nothing of domain 2) is refused; the
    // office's own appraisers (no department) upload the leaves no department appraises
    let other = parindex_store::repo::users::NewUser {
        username: "appraiser.ub".into(),
        full_name: "Thẩm định viên Sở Bêta".into(),
        email: None,
        phone: None,
        role: parindex_core::Role::Appraiser,
        unit_id: Some(id_of(&app, "UB").await),
        password: parindex_testkit::fixture::PASSWORD.into(),
    };
    app.store.create_user(&parindex_store::AuditCtx::system("test"), other).await.unwrap();
    let r = app.api("appraiser.ub").await.put(app.url(&format!("/api/v1/periods/{pid}/feeds/2.1"))).json(&put).send().await.unwrap();
    assert_eq!(r.status(), 403);
    let r =
        app.api("appraiser").await.put(app.url(&format!("/api/v1/periods/{pid}/feeds/2.1?dry_run=true"))).json(&put).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(app.client().get(app.url(&format!("/api/v1/periods/{pid}/feeds"))).send().await.unwrap().status(), 401);
    for path in [format!("/periods/{pid}/so-lieu"), format!("/periods/{pid}/so-lieu/2.1"), format!("/periods/{pid}/so-lieu/2.1/mau.xlsx")] {
        let r = app.client().get(app.url(&path)).send().await.unwrap();
        assert_eq!(r.status(), 303, "anonymous is sent to sign in: {path}");
    }

    // the API: a dry run changes nothing; refused rows are listed (422); a good upload is written
    let admin = app.api("admin").await;
    let dry: Value =
        admin.put(app.url(&format!("/api/v1/periods/{pid}/feeds/2.1?dry_run=true"))).json(&put).send().await.unwrap().json().await.unwrap();
    assert_eq!((dry["changed"].as_u64(), dry["import_id"].as_i64()), (Some(1), Some(0)));
    let bad = json!({"rows": [{"unit_code": "UA", "input": {"numerator": "70", "denominator": "50"}}, {"unit_code": "QQ"}]});
    let r = admin.put(app.url(&format!("/api/v1/periods/{pid}/feeds/2.1"))).json(&bad).send().await.unwrap();
    assert_eq!(r.status(), 422);
    let r = admin.put(app.url(&format!("/api/v1/periods/{pid}/feeds/1.2"))).json(&put).send().await.unwrap();
    assert_eq!(r.status(), 404, "1.2 is not fed");
    let ok: Value = admin.put(app.url(&format!("/api/v1/periods/{pid}/feeds/2.1"))).json(&put).send().await.unwrap().json().await.unwrap();
    assert_eq!(ok["changed"].as_u64(), Some(1));
    assert_eq!(app.store.get_assessment(ua).await.unwrap().entries["2.1"].points.as_ref().map(|p| p.to_string()), Some("2".into()));
});
