//! Criteria frameworks: API, pages, files and the draft editor, crosswalks.

use super::*;

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
