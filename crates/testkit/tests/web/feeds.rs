//! Fed data over HTTP (issue #18): the office downloads a leaf's template, uploads it, sees what
//! would change, confirms; the unit sees its own figure (and nobody else's) with where it came
//! from; every other role is refused the upload, on the pages and through the API.

use super::*;

/// `appraiser.ub`: an appraiser of agency UB, which appraises nothing of domain 2.
async fn ub_appraiser(app: &TestApp) {
    let other = parindex_store::repo::users::NewUser {
        username: "appraiser.ub".into(),
        full_name: "Thẩm định viên Sở Bêta".into(),
        email: None,
        phone: None,
        role: parindex_core::Role::Appraiser,
        unit_id: Some(id_of(app, "UB").await),
        password: parindex_testkit::fixture::PASSWORD.into(),
    };
    app.store.create_user(&parindex_store::AuditCtx::system("test"), other).await.unwrap();
}

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
    ub_appraiser(&app).await;
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

// A unit contests its fed figure in the explanation round and the office answers (issue #18):
// the unit's page offers the request on a fed leaf, another unit and anonymous are refused;
// the office's appraisers (who answer for a leaf no department appraises) find it in their
// queue and answer on the appraisal page; another department's appraiser is refused; the
// answer counts in the result the unit sees.
backend_tests!(a_unit_contests_its_fed_figure_and_the_office_answers, |b| async move {
    use parindex_store::repo::feeds::{FeedUpload, NewFeedValue};
    let app = TestApp::spawn(b).await;
    let today = parindex_core::assessment::today_vn();
    let (ua, _) = open_period(&app, today + chrono::Duration::days(10)).await;
    let pid = app.store.list_periods().await.unwrap()[0].id;
    let input = parindex_core::framework::rule::Input {
        numerator: Some(parindex_core::Exact::ratio(30, 1)),
        denominator: Some(parindex_core::Exact::ratio(60, 1)),
        ..Default::default()
    };
    let row = NewFeedValue { row: 1, unit_code: "UA".into(), input: Some(input), source: Some("Hệ thống một cửa".into()) };
    let upload = FeedUpload { origin: "api", file_name: None, rows: vec![row], dry_run: false };
    app.store.import_feed_values(&parindex_store::AuditCtx::system("test"), pid, "2.1", upload).await.unwrap();
    parindex_testkit::demo::to_preliminary(&app.store, ua).await;

    let officer = app.login("officer.a").await;
    let page = officer.get(app.url(&format!("/assessments/{ua}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("id=\"ct-2.1\"") && page.contains("Đề nghị xem xét lại số liệu"), "the request on the fed leaf");
    let path = format!("/assessments/{ua}/entries/2.1/contest");
    let text = "Số đúng là 45/60: hệ thống chưa tính 15 hồ sơ trả qua bưu chính.";
    let r = app.login("officer.b").await.post(app.url(&path)).form(&[("contest", text)]).send().await.unwrap();
    assert_eq!(r.status(), 403, "another unit");
    assert_eq!(app.client().post(app.url(&path)).form(&[("contest", text)]).send().await.unwrap().status(), 303, "anonymous: sign in");
    assert!(app.store.get_assessment(ua).await.unwrap().entries["2.1"].contest.is_none());
    assert_eq!(officer.post(app.url(&path)).form(&[("contest", text)]).send().await.unwrap().status(), 303);
    assert_eq!(app.login("leader.a").await.post(app.url(&format!("/assessments/{ua}/contests"))).send().await.unwrap().status(), 303);

    // the office's appraiser: in the queue, the figure and its source, the answer form
    let appraiser = app.login("appraiser").await;
    let q = appraiser.get(app.url("/appraisal")).send().await.unwrap().text().await.unwrap();
    assert!(q.contains("Sở Alpha"), "the contested fed leaf is in the office's queue");
    let page = appraiser.get(app.url(&format!("/appraisal/{ua}"))).send().await.unwrap().text().await.unwrap();
    assert!(
        page.contains("id=\"leaf-2.1\"") && page.contains("Số liệu cấp vào") && page.contains("Hệ thống một cửa"),
        "the figure and its source"
    );
    assert!(page.contains(text) && page.contains("value=\"final\""), "the unit's request and the answer form");
    // another department's appraiser answers nothing here
    ub_appraiser(&app).await;
    let body = json!({"input": {"numerator": "45", "denominator": "60"}, "comment": "Đồng ý"});
    let r = app.api("appraiser.ub").await.put(app.url(&format!("/api/v1/assessments/{ua}/final/2.1"))).json(&body).send().await.unwrap();
    assert_eq!(r.status(), 403);
    let r = app.login("appraiser.ub").await.get(app.url(&format!("/appraisal/{ua}"))).send().await.unwrap();
    assert_eq!(r.status(), 403, "nothing of theirs in this assessment");
    // the answer needs a comment, then counts: 2 × 45/60 = 1,5 (the fed figure gave 2 × 30/60 = 1)
    let at = format!("/appraisal/{ua}/entries/2.1");
    let r = appraiser.post(app.url(&at)).form(&[("op", "final"), ("numerator", "45"), ("denominator", "60")]).send().await.unwrap();
    assert_eq!(r.status(), 422);
    let answer = "Đã đối chiếu sổ bưu chính: chấp nhận 45/60.";
    let r = appraiser
        .post(app.url(&at))
        .form(&[("op", "final"), ("numerator", "45"), ("denominator", "60"), ("explanation", answer)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let e = app.store.get_assessment(ua).await.unwrap().entries["2.1"].clone();
    assert_eq!((e.final_points.map(|p| p.to_string()), e.points.map(|p| p.to_string())), (Some("1.5".into()), Some("1".into())));
    let page = officer.get(app.url(&format!("/assessments/{ua}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(answer) && page.contains("1,5"), "the unit reads the answer and its points");
    // the API shows the office's appraiser the fed leaf it answered
    let one: Value =
        app.api("appraiser").await.get(app.url(&format!("/api/v1/assessments/{ua}"))).send().await.unwrap().json().await.unwrap();
    assert!(one["entries"].as_array().unwrap().iter().any(|e| e["code"] == "2.1" && e["final_points"] == "1.5"), "{one}");
});

// A figure corrected after approval (issue #18): the council sees on the period's data page how
// many leaves differ and corrects them with its decision (a refusal keeps what was typed and
// says why at the form); the results are published again as a new version; every other role
// is refused, on the page and through the API.
backend_tests!(the_council_corrects_fed_figures_after_approval, |b| async move {
    use parindex_store::repo::feeds::{FeedUpload, NewFeedValue};
    use sea_orm::ConnectionTrait;
    let app = TestApp::spawn(b).await;
    let today = parindex_core::assessment::today_vn();
    open_period(&app, today + chrono::Duration::days(10)).await;
    let pid = app.store.list_periods().await.unwrap()[0].id;
    let sys = parindex_store::AuditCtx::system("test");
    let value = |n: i128| parindex_core::framework::rule::Input {
        numerator: Some(parindex_core::Exact::ratio(n, 1)),
        denominator: Some(parindex_core::Exact::ratio(60, 1)),
        ..Default::default()
    };
    let rows = ["UA", "UB", "XC"]
        .iter()
        .map(|u| NewFeedValue { row: 0, unit_code: u.to_string(), input: Some(value(30)), source: None })
        .collect();
    app.store.import_feed_values(&sys, pid, "2.1", FeedUpload { origin: "api", file_name: None, rows, dry_run: false }).await.unwrap();
    parindex_testkit::demo::finish_others(&app.store, pid, &[]).await;
    let decision = parindex_store::repo::periods::Decision { number: "5/QĐ-HĐTĐ".into(), date: today, signer: "Chủ tịch".into() };
    app.store.approve_period(&sys, pid, decision, today).await.unwrap();
    app.store.publish_results(&sys, pid, None).await.unwrap();
    // the figure arrives corrected after approval (as the register or an upload would hold it)
    app.store
        .db
        .execute_unprepared(
            "UPDATE feed_values SET input = '{\"numerator\":\"45\",\"denominator\":\"60\"}' WHERE unit_id = (SELECT id FROM units WHERE code = 'UA')",
        )
        .await
        .unwrap();

    let council = app.login("council").await;
    let page = council.get(app.url(&format!("/periods/{pid}/so-lieu"))).send().await.unwrap().text().await.unwrap();
    assert!(
        page.contains("id=\"dinh-chinh\"") && page.contains("id=\"correct-pending\"") && page.contains("<strong>1</strong>"),
        "one leaf differs"
    );
    // refused: the reason is missing — said at the form, what was typed kept, nothing written
    let path = format!("/periods/{pid}/so-lieu/dinh-chinh");
    let d = parindex_core::text::format_date(today);
    let form = |reason: &str| {
        [("decision_number", "9/QĐ-HĐTĐ"), ("decision_date", d.as_str()), ("signer", "Chủ tịch Hội đồng"), ("reason", reason)]
            .map(|(k, v)| (k, v.to_string()))
    };
    let r = council.post(app.url(&path)).form(&form("")).send().await.unwrap();
    assert_eq!(r.status(), 422);
    let body = r.text().await.unwrap();
    assert!(
        body.contains("id=\"correct-errors\"") && body.contains("lý do đính chính") && body.contains("value=\"9/QĐ-HĐTĐ\""),
        "said at the form"
    );
    assert_eq!(app.store.fed_values_to_correct(pid).await.unwrap().len(), 1);
    // every other role is refused
    for user in ["officer.a", "leader.a", "appraiser", "viewer", "secretariat"] {
        let r = app.login(user).await.post(app.url(&path)).form(&form("x")).send().await.unwrap();
        assert_eq!(r.status(), 403, "{user}");
        let r = app.api(user).await.get(app.url(&format!("/api/v1/periods/{pid}/feed-corrections"))).send().await.unwrap();
        assert_eq!(r.status(), 403, "{user}");
    }
    assert_eq!(app.client().post(app.url(&path)).form(&form("x")).send().await.unwrap().status(), 303, "anonymous: sign in");
    let body = json!({"decision": {"number": "9/QĐ-HĐTĐ", "date": today, "signer": "Chủ tịch"}, "reason": "x"});
    let r = app.api("officer.a").await.post(app.url(&format!("/api/v1/periods/{pid}/feed-corrections"))).json(&body).send().await.unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(app.store.fed_values_to_correct(pid).await.unwrap().len(), 1, "nothing written by any refusal");
    // the API reads the count the page shows
    let admin = app.api("admin").await;
    let n: Value = admin.get(app.url(&format!("/api/v1/periods/{pid}/feed-corrections"))).send().await.unwrap().json().await.unwrap();
    assert_eq!(n["leaves_to_correct"], 1);
    assert_eq!(
        (n["changes"][0]["unit_code"].as_str(), n["changes"][0]["before"].as_str(), n["changes"][0]["after"].as_str()),
        (Some("UA"), Some("1"), Some("1.5"))
    );
    // corrected: the leaf is rewritten (2 × 45/60 = 1,5), version 2 published with the reason
    let r = council.post(app.url(&path)).form(&form("Bổ sung số liệu tháng 12 (gửi chậm)")).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert!(to.contains("corrected=1") && to.contains("version=2"), "{to}");
    let page = council.get(app.url(&to)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("id=\"correct-none\""), "nothing left to correct");
    let rows = app.store.list_assessments(pid, parindex_core::UnitScope::All).await.unwrap();
    let ua = rows.iter().find(|a| a.unit_code == "UA").unwrap().id;
    assert_eq!(app.store.get_assessment(ua).await.unwrap().entries["2.1"].points.as_ref().map(|p| p.to_string()), Some("1.5".into()));
    let pubs = app.store.publications().await.unwrap();
    let v2 = pubs.iter().find(|p| p.version == 2).expect("version 2");
    assert!(v2.reason.as_deref().unwrap().contains("Bổ sung số liệu tháng 12") && v2.reason.as_deref().unwrap().contains("9/QĐ-HĐTĐ"));
    // once corrected, the API says nothing differs, and a second correction is refused (409)
    let r = admin.post(app.url(&format!("/api/v1/periods/{pid}/feed-corrections"))).json(&body).send().await.unwrap();
    assert_eq!(r.status(), 409);
});
