//! A unit's self-assessment: pages, deadlines, the API, evidence, the self-score sheet.

use super::*;

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
    // the form's unit picker: grouped by kind, ticked boxes kept on a refused form, then used
    let form = sec.get(app.url("/periods/new")).send().await.unwrap().text().await.unwrap();
    assert!(form.contains("name=\"u_XC\"") && form.contains("id=\"unit-search\"") && !form.contains("<textarea id=\"unit_codes\""));
    let picked = [
        ("code", "2028"),
        ("name", "Năm 2028"),
        ("year", "2028"),
        ("framework", "VD-TINH-TAY"),
        ("units_shown", "1"),
        ("u_UA", "1"),
        ("u_XC", "1"),
    ];
    let mut bad = picked.to_vec();
    bad.push(("self_due", "32/12/2028"));
    let r = sec.post(app.url("/periods")).form(&bad).send().await.unwrap();
    assert_eq!(r.status(), 422);
    let body = r.text().await.unwrap();
    assert!(body.contains("name=\"u_UA\" value=\"1\" checked") && body.contains("name=\"u_XC\" value=\"1\" checked"));
    assert!(!body.contains("name=\"u_UB\" value=\"1\" checked"), "what was ticked, no more");
    let r = sec.post(app.url("/periods")).form(&picked).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let page = sec.get(app.url(r.headers()["location"].to_str().unwrap())).send().await.unwrap().text().await.unwrap();
    let table = &page[page.find("id=\"assessments\"").unwrap()..];
    let table = &table[..table.find("</table>").unwrap()];
    assert!(table.contains("Sở Alpha") && table.contains("Chiềng Cọ") && !table.contains("Sở Bêta"), "by the picker");

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
    assert_eq!(officer_a.post(app.url(&format!("/assessments/{ua}/submit"))).form(&[("confirm", "1")]).send().await.unwrap().status(), 403);
    let leader = app.login("leader.a").await;
    // submitting cannot be undone: the box must be ticked (issue #17)
    let r = leader.post(app.url(&format!("/assessments/{ua}/submit"))).send().await.unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Hãy đánh dấu ô xác nhận"));
    let r = leader.post(app.url(&format!("/assessments/{ua}/submit"))).form(&[("confirm", "1")]).send().await.unwrap();
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
    let r = leader.post(app.url(&format!("/assessments/{ua}/submit"))).form(&[("confirm", "1")]).send().await.unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("cần giải trình: 1.1"));
    let r = officer_a
        .post(app.url(&format!("/assessments/{ua}/entries/1.1")))
        .form(&[("option", "dung_han"), ("explanation", "Quyết định đang chờ ký số, sẽ bổ sung"), ("version", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let r = leader.post(app.url(&format!("/assessments/{ua}/submit"))).form(&[("confirm", "1")]).send().await.unwrap();
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
    assert_eq!(leader.post(app.url(&format!("/assessments/{ua}/submit"))).form(&[("confirm", "1")]).send().await.unwrap().status(), 409);
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
    assert!(
        body.contains("“hoa-don.pdf” không phải PDF")
            && body.contains("một chương trình máy tính, không phải tài liệu")
            && !body.contains("a computer program"),
        "the refusal names the file and what it is"
    );
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
    // "not applicable" needs its reason (issue #17: said at save)
    rows[na_row][8] = "Đơn vị không có nhiệm vụ này trong năm".into();
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

/// The digest a leaf's form was drawn with (`name="{code}|orig"`) on a self-assessment page.
fn orig_of(page: &str, code: &str) -> String {
    let key = format!("name=\"{code}|orig\" value=\"");
    let at = page.find(&key).unwrap_or_else(|| panic!("no form for {code}")) + key.len();
    page[at..].split('"').next().unwrap().to_string()
}

// Issue #17: the page saved as a whole — every refusal listed and shown at its leaf with all
// typed kept, nothing written; then scores and a file in one save; an untouched leaf is never
// written (even one saved elsewhere meanwhile); a leaf changed on both sides is refused; "not
// applicable" without a reason is said at save; a file taken off; and who may not.
backend_tests!(the_self_assessment_page_is_saved_as_a_whole, |b| async move {
    let app = TestApp::spawn(b).await;
    let (ua, _ub) = open_period(&app, parindex_core::assessment::today_vn() + chrono::Duration::days(10)).await;
    let officer = app.login("officer.a").await;
    let url = app.url(&format!("/assessments/{ua}/sheet"));
    let page = officer.get(app.url(&format!("/assessments/{ua}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("id=\"sheet-form\"") && page.contains("Lưu tất cả"), "one form, one button for all");
    let (o11, o12, o13) = (orig_of(&page, "1.1"), orig_of(&page, "1.2"), orig_of(&page, "1.3"));
    let pdf = b"%PDF-1.4\n% parindex test\n%%EOF\n".to_vec();
    // two mistakes: both listed, both at their leaves, what was typed kept, nothing written
    let r = officer
        .post(&url)
        .multipart(
            Form::new()
                .text("1.1|version", "0")
                .text("1.1|orig", o11.clone())
                .text("1.2|version", "0")
                .text("1.2|orig", o12.clone())
                .text("1.2|not_applicable", "on")
                .text("1.3|version", "0")
                .text("1.3|orig", o13.clone())
                .text("1.3|percent", "chín mươi")
                .text("1.3|note", "Theo báo cáo quý IV")
                .text("at", "1.3"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let body = r.text().await.unwrap();
    assert!(body.contains("id=\"sheet-errors\"") && body.contains("Chưa lưu gì: 2"), "the summary counts the problems");
    assert!(body.contains("href=\"#leaf-1.2\"") && body.contains("href=\"#leaf-1.3\""), "and links each leaf");
    assert!(body.contains("Chưa lưu tiêu chí 1.3") && body.contains("Chưa lưu tiêu chí 1.2"), "a banner at each leaf");
    assert!(body.contains("cần giải trình"), "not applicable without a reason is said at save");
    assert!(body.contains("value=\"chín mươi\"") && body.contains("Theo báo cáo quý IV"), "what was typed is kept");
    assert!(body.contains("name=\"1.2|not_applicable\" checked"), "the box ticked stays ticked");
    assert!(app.store.get_assessment(ua).await.unwrap().entries.is_empty(), "nothing written");
    // fixed: two leaves and a file on a third in one save, back at the leaf whose button was pressed
    let r = officer
        .post(&url)
        .multipart(
            Form::new()
                .text("1.1|version", "0")
                .text("1.1|orig", o11.clone())
                .part("1.1|file", Part::bytes(pdf.clone()).file_name("Quyết định kế hoạch.pdf"))
                .text("1.2|version", "0")
                .text("1.2|orig", o12.clone())
                .text("1.2|yes", "yes")
                .text("1.3|version", "0")
                .text("1.3|orig", o13.clone())
                .text("1.3|percent", "87,5")
                .text("at", "1.3"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert!(to.ends_with("?done=saved&n=2&f=1#leaf-1.3"), "{to}");
    let shown = officer.get(app.url(&to)).send().await.unwrap().text().await.unwrap();
    assert!(shown.contains("Đã lưu 2 tiêu chí, 1 thay đổi tài liệu kiểm chứng"), "the bar says what was saved");
    assert!(shown.contains("name=\"1.3|percent\" value=\"87,5\""), "a Vietnamese decimal comes back with its comma");
    let view = app.store.get_assessment(ua).await.unwrap();
    assert_eq!(view.entries.len(), 2, "1.1 had a file, not a score");
    assert_eq!(view.entries["1.3"].version, 1);
    let file = view.evidence["1.1"][0].clone();
    assert_eq!(file.name, "Quyết định kế hoạch.pdf");
    // somebody saves 1.2 elsewhere; this page, drawn before, changes only 1.3: 1.2 is not touched
    let o12 = orig_of(&shown, "1.2");
    let o13 = orig_of(&shown, "1.3");
    let other = app.login("officer.a").await;
    let r = other.post(app.url(&format!("/assessments/{ua}/entries/1.2"))).form(&[("yes", "no"), ("version", "1")]).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let r = officer
        .post(&url)
        .multipart(
            Form::new()
                .text("1.2|version", "1")
                .text("1.2|orig", o12.clone())
                .text("1.2|yes", "yes")
                .text("1.3|version", "1")
                .text("1.3|orig", o13.clone())
                .text("1.3|percent", "95"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let view = app.store.get_assessment(ua).await.unwrap();
    assert_eq!((view.entries["1.2"].version, view.entries["1.3"].version), (2, 2), "the untouched leaf kept the other save");
    // changed on both sides: refused at that leaf, which shows the newer value; nothing written
    let r = officer
        .post(&url)
        .multipart(
            Form::new()
                .text("1.2|version", "1")
                .text("1.2|orig", o12)
                .text("1.2|yes", "no")
                .text("1.2|note", "sửa lại")
                .text("1.3|version", "2")
                .text("1.3|orig", "x")
                .text("1.3|percent", "50"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let body = r.text().await.unwrap();
    assert!(body.contains("trong lúc bạn sửa") && body.contains("href=\"#leaf-1.2\""), "the stale leaf is named");
    assert!(!body.contains("sửa lại"), "and shows what is stored, not what was typed");
    assert!(body.contains("value=\"50\""), "the other leaf keeps what was typed");
    assert_eq!(app.store.get_assessment(ua).await.unwrap().entries["1.3"].version, 2, "nothing written");
    // a file taken off the leaf (it stays in the library)
    let r = officer.post(&url).multipart(Form::new().text("unlink", format!("1.1|{}", file.id))).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert!(r.headers()["location"].to_str().unwrap().ends_with("#leaf-1.1"));
    assert!(!app.store.get_assessment(ua).await.unwrap().evidence.contains_key("1.1"));
    assert_eq!(app.store.unit_evidence(file.unit_id).await.unwrap().len(), 1);
    // nothing changed: said so
    let r = officer.post(&url).multipart(Form::new().text("at", "")).send().await.unwrap();
    assert!(r.headers()["location"].to_str().unwrap().contains("done=unchanged"));
    // who may not: another unit, the reform office, appraisers, the council, a viewer; no session
    for user in ["officer.b", "secretariat", "appraiser", "council", "viewer"] {
        let c = app.login(user).await;
        let r = c.post(&url).multipart(Form::new().text("1.3|version", "2").text("1.3|percent", "10")).send().await.unwrap();
        assert_eq!(r.status(), 403, "{user}");
    }
    let r = app.client().post(&url).multipart(Form::new().text("1.3|version", "2").text("1.3|percent", "10")).send().await.unwrap();
    assert!(matches!(r.status().as_u16(), 303 | 401), "anonymous: {}", r.status());
    let r = officer
        .post(&url)
        .header("sec-fetch-site", "cross-site")
        .multipart(Form::new().text("1.3|version", "2").text("1.3|percent", "10"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "a form posted from another site");
    assert_eq!(app.store.get_assessment(ua).await.unwrap().entries["1.3"].version, 2, "none of them wrote");
});

backend_tests!(the_period_table_searches_filters_and_sorts, |b| async move {
    let app = TestApp::spawn(b).await;
    let (ua, _) = open_period(&app, chrono::NaiveDate::from_ymd_opt(2099, 12, 31).unwrap()).await;
    let pid = app.store.get_assessment(ua).await.unwrap().period.id;
    let sec = app.login("secretariat").await;
    let get = |q: &'static str| {
        let c = sec.clone();
        let url = app.url(&format!("/periods/{pid}?{q}"));
        async move { c.get(url).send().await.unwrap().text().await.unwrap() }
    };
    let table = |p: &str| {
        let t = &p[p.find("id=\"assessments\"").unwrap()..];
        t[..t.find("</table>").unwrap()].to_string()
    };
    // by name without accents, and by code
    let page = table(&get("q=bet").await);
    assert!(page.contains("Sở Bêta") && !page.contains("Sở Alpha"), "search without accents");
    assert!(get("q=bet").await.contains("1 / 3"));
    assert!(get("q=xc").await.contains("UBND xã Chiềng Cọ"));
    // by state: every unit is a draft, none is submitted
    assert!(get("tt=draft").await.contains("3 / 3"));
    assert!(get("tt=submitted").await.contains("0 / 3"));
    // by name, both ways; the header says which way
    let up = get("sx=ten").await;
    let down = get("sx=-ten").await;
    let at = |p: &str, n: &str| table(p).find(n).unwrap_or_else(|| panic!("{n}"));
    assert!(at(&up, "Sở Alpha") < at(&up, "Sở Bêta") && at(&down, "Sở Bêta") < at(&down, "Sở Alpha"));
    assert!(up.contains("aria-sort=\"ascending\"") && down.contains("aria-sort=\"descending\""));
    assert!(up.contains("sx=-ten"), "the header's link turns the order round");
    // a unit's staff still sees only its own unit, whatever the query
    let officer = app.login("officer.a").await;
    let page = officer.get(app.url(&format!("/periods/{pid}?q=&tt=&sx=ten"))).send().await.unwrap().text().await.unwrap();
    assert!(table(&page).contains("Sở Alpha") && !table(&page).contains("Sở Bêta") && page.contains("1 / 1"));
});
