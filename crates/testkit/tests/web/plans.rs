//! The plans register over HTTP (issue #19): the office records the province's plan and adds
//! tasks (a refused form keeps what was typed and says why at the form); a unit records its own
//! plan and reports on the tasks it owns, reads its own and nothing of another unit; every
//! other role is refused the writes.

use super::*;

backend_tests!(plans_and_tasks_are_written_by_whom_they_belong_to, |b| async move {
    let app = TestApp::spawn(b).await;
    let year = parindex_core::assessment::today_vn().format("%Y").to_string();
    let office = app.login("secretariat").await;
    let page = office.get(app.url("/ke-hoach")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("id=\"kh-no-plan\"") && page.contains("action=\"/ke-hoach/tinh"), "no plan yet, the office's form");

    // refused: the signing day is not a date — said at the form, what was typed kept
    let plan = |signed: &str| {
        [("number", "15/KH-UBND"), ("signed_on", signed), ("title", "Kế hoạch CCHC năm"), ("due", &format!("31/01/{year}"))]
            .map(|(k, v)| (k, v.to_string()))
    };
    let r = office.post(app.url(&format!("/ke-hoach/tinh?nam={year}"))).form(&plan("mai")).send().await.unwrap();
    assert_eq!(r.status(), 422);
    let body = r.text().await.unwrap();
    assert!(body.contains("id=\"kh-province-error\"") && body.contains("dd/mm/yyyy") && body.contains("value=\"15/KH-UBND\""));
    let r = office.post(app.url(&format!("/ke-hoach/tinh?nam={year}"))).form(&plan(&format!("10/01/{year}"))).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let page = office.get(app.url(&format!("/ke-hoach?nam={year}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("id=\"kh-province-plan\"") && page.contains("15/KH-UBND") && page.contains(&format!("31/01/{year}")));

    // tasks: one refused (unknown owner, named at the form), then two added
    let task = |code: &str, owner: &str, deadline: &str| {
        [
            ("code", code),
            ("title", "Rà soát, đơn giản hóa thủ tục"),
            ("domain", "2"),
            ("owner", owner),
            ("co_units", "UB"),
            ("deadline", deadline),
            ("output", "Báo cáo"),
        ]
        .map(|(k, v)| (k, v.to_string()))
    };
    let add = format!("/ke-hoach/nhiem-vu?nam={year}");
    let r = office.post(app.url(&add)).form(&task("1.1", "ZZ", &format!("30/06/{year}"))).send().await.unwrap();
    assert_eq!(r.status(), 422);
    let body = r.text().await.unwrap();
    assert!(body.contains("id=\"kh-task-error\"") && body.contains("ZZ") && body.contains("value=\"1.1\""));
    assert_eq!(office.post(app.url(&add)).form(&task("1.1", "UA", &format!("30/06/{year}"))).send().await.unwrap().status(), 303);
    assert_eq!(office.post(app.url(&add)).form(&task("1.2", "UB", &format!("30/09/{year}"))).send().await.unwrap().status(), 303);
    let year_n: i32 = year.parse().unwrap();
    let tasks = app.store.plan_tasks(&parindex_store::repo::plans::TaskFilter { year: year_n, ..Default::default() }).await.unwrap();
    let (t1, t2) = (tasks[0].id, tasks[1].id);

    // the unit: its own plan and tasks (1.1 it owns; 1.2 it does not, nor co-operates on)
    let a = app.login("officer.a").await;
    let page = a.get(app.url(&format!("/ke-hoach?nam={year}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("id=\"kh-own\"") && page.contains(&format!("id=\"task-{t1}\"")) && !page.contains(&format!("id=\"task-{t2}\"")));
    assert!(page.contains("id=\"up-UA\"") && !page.contains("id=\"up-UB\""), "its own plan line only");
    assert!(!page.contains("action=\"/ke-hoach/tinh") && !page.contains("id=\"kh-add\""), "no office form");
    let own = [("number", "3/KH-UA"), ("signed_on", &format!("20/01/{year}")), ("title", "Kế hoạch CCHC của Sở Alpha")]
        .map(|(k, v)| (k, v.to_string()));
    assert_eq!(a.post(app.url(&format!("/ke-hoach/don-vi/UA?nam={year}"))).form(&own).send().await.unwrap().status(), 303);
    let page = a.get(app.url(&format!("/ke-hoach?nam={year}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("3/KH-UA") && page.contains("Đúng hạn"));
    // another unit's plan, task and report are not theirs
    assert_eq!(a.post(app.url(&format!("/ke-hoach/don-vi/UB?nam={year}"))).form(&own).send().await.unwrap().status(), 403);
    assert_eq!(a.get(app.url(&format!("/ke-hoach/nhiem-vu/{t2}"))).send().await.unwrap().status(), 404);
    let report = |status: &str, done: &str| {
        [("status", status), ("done_on", done), ("reason", ""), ("note", "Đã trình"), ("version", "1")].map(|(k, v)| (k, v.to_string()))
    };
    assert_eq!(a.post(app.url(&format!("/ke-hoach/nhiem-vu/{t2}"))).form(&report("doing", "")).send().await.unwrap().status(), 404);
    assert_eq!(a.post(app.url(&add)).form(&task("1.3", "UA", &format!("30/06/{year}"))).send().await.unwrap().status(), 403);
    assert_eq!(a.post(app.url(&format!("/ke-hoach/tinh?nam={year}"))).form(&plan("01/01/2026")).send().await.unwrap().status(), 403);
    // the co-operating unit reads the task but does not report on it
    let b_ = app.login("officer.b").await;
    let page = b_.get(app.url(&format!("/ke-hoach/nhiem-vu/{t1}"))).send().await.unwrap().text().await.unwrap();
    assert!(!page.contains("id=\"kh-report\""));
    assert_eq!(b_.post(app.url(&format!("/ke-hoach/nhiem-vu/{t1}"))).form(&report("doing", "")).send().await.unwrap().status(), 403);
    // the owner reports: done without a day is refused at the form, then done with its day
    let r = a.post(app.url(&format!("/ke-hoach/nhiem-vu/{t1}"))).form(&report("done", "")).send().await.unwrap();
    assert_eq!(r.status(), 422);
    let body = r.text().await.unwrap();
    assert!(body.contains("id=\"kh-report-error\"") && body.contains("ngày hoàn thành"));
    let today = parindex_core::text::format_date(parindex_core::assessment::today_vn());
    assert_eq!(a.post(app.url(&format!("/ke-hoach/nhiem-vu/{t1}"))).form(&report("done", &today)).send().await.unwrap().status(), 303);
    let page = a.get(app.url(&format!("/ke-hoach/nhiem-vu/{t1}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Đã hoàn thành") && page.contains("Đã trình"), "the status and the note");
    // the office's home follows the year's tasks: one of two done; UB's overdue once its
    // deadline (30/09) has passed; a unit's home has none of it
    let home = office.get(app.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(home.contains("id=\"tracking-tasks\"") && home.contains("<strong>1</strong>/2 đã hoàn thành"), "{home}");
    let today_ = parindex_core::assessment::today_vn();
    let past_ub = today_ > chrono::NaiveDate::from_ymd_opt(year.parse().unwrap(), 9, 30).unwrap();
    assert_eq!(home.contains("id=\"tracking-overdue\""), past_ub);
    assert!(!a.get(app.url("/")).send().await.unwrap().text().await.unwrap().contains("id=\"tracking\""));
    // a stale form (the version it was drawn with) does not overwrite
    let r = a.post(app.url(&format!("/ke-hoach/nhiem-vu/{t1}"))).form(&report("doing", "")).send().await.unwrap();
    assert_eq!(r.status(), 422);

    // leadership and the council read every unit's; appraisers too; none writes
    for user in ["viewer", "council", "appraiser"] {
        let c = app.login(user).await;
        let page = c.get(app.url(&format!("/ke-hoach?nam={year}"))).send().await.unwrap().text().await.unwrap();
        assert!(page.contains(&format!("id=\"task-{t2}\"")) && page.contains("id=\"up-UB\""), "{user}");
        assert_eq!(c.post(app.url(&add)).form(&task("9.9", "UA", &format!("30/06/{year}"))).send().await.unwrap().status(), 403, "{user}");
        assert_eq!(
            c.post(app.url(&format!("/ke-hoach/nhiem-vu/{t1}"))).form(&report("doing", "")).send().await.unwrap().status(),
            403,
            "{user}"
        );
    }
    // the API: each reads what the pages show; the owner reports, others are refused
    let api_a = app.api("officer.a").await;
    let mine: Value = api_a.get(app.url(&format!("/api/v1/plans?year={year}"))).send().await.unwrap().json().await.unwrap();
    assert_eq!(mine["tasks"].as_array().unwrap().len(), 1);
    assert_eq!(mine["unit_plans"].as_array().unwrap().len(), 1);
    assert_eq!(mine["province"]["number"], "15/KH-UBND");
    let all: Value =
        app.api("viewer").await.get(app.url(&format!("/api/v1/plans?year={year}"))).send().await.unwrap().json().await.unwrap();
    assert_eq!(all["tasks"].as_array().unwrap().len(), 2);
    let body = json!({"status": "doing", "note": "Đang làm", "version": 0});
    let r = app.api("officer.b").await.put(app.url(&format!("/api/v1/plan-tasks/{t1}"))).json(&body).send().await.unwrap();
    assert_eq!(r.status(), 403, "the co-operating unit");
    let r = api_a.put(app.url(&format!("/api/v1/plan-tasks/{t2}"))).json(&body).send().await.unwrap();
    assert_eq!(r.status(), 404, "another unit's task");
    let r = api_a.put(app.url(&format!("/api/v1/plan-tasks/{t1}"))).json(&json!({"status": "dropped", "version": 0})).send().await.unwrap();
    assert_eq!(r.status(), 422, "dropped without a reason");
    let r = api_a.put(app.url(&format!("/api/v1/plan-tasks/{t1}"))).json(&body).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let t: Value = r.json().await.unwrap();
    assert_eq!(t["status"], "doing");
    assert_eq!(app.client().get(app.url("/api/v1/plans")).send().await.unwrap().status(), 401);
    // anonymous is sent to sign in
    for path in ["/ke-hoach".to_string(), format!("/ke-hoach/nhiem-vu/{t1}")] {
        assert_eq!(app.client().get(app.url(&path)).send().await.unwrap().status(), 303, "{path}");
    }
    assert_eq!(app.client().post(app.url(&add)).form(&task("9.9", "UA", "30/06/2026")).send().await.unwrap().status(), 303);
    // the tasks file: the template (the office's), a file with a bad row refused whole (named),
    // a check only writes nothing, then the file imported
    let t = office.get(app.url(&format!("/ke-hoach/mau.xlsx?nam={year}"))).send().await.unwrap();
    assert_eq!(t.status(), 200);
    let template = t.bytes().await.unwrap().to_vec();
    let (rows, _) = parindex_reports::plan_tasks::read_tasks("mau.xlsx", &template).unwrap();
    assert_eq!(rows[0].code, "1.1", "the example row reads back");
    let file = |csv: String| {
        reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(csv.into_bytes()).file_name("nhiem-vu.csv"))
    };
    let head = "Số TT,Nhiệm vụ,Lĩnh vực,Đơn vị chủ trì,Đơn vị phối hợp,Thời hạn,Sản phẩm\n";
    let bad = format!("{head}3.1,Tập huấn,,UA,,31/02/{year},\n3.2,Kiểm tra,,ZZ,,30/06/{year},\n");
    let r = office.post(app.url(&format!("/ke-hoach/nhap?nam={year}"))).multipart(file(bad)).send().await.unwrap();
    assert_eq!(r.status(), 422);
    let body = r.text().await.unwrap();
    assert!(
        body.contains("id=\"kh-import-result\"") && body.contains("dòng 2") && body.contains("Thời hạn") && body.contains("ZZ"),
        "the bad date and the unknown unit named at once"
    );
    let good = format!("{head}3.1,Tập huấn,,UA — Sở Alpha,UB,30/06/{year},Lớp học\n3.2,Kiểm tra,,UB,,30/09/{year},\n");
    let r = office
        .post(app.url(&format!("/ke-hoach/nhap?nam={year}")))
        .multipart(file(good.clone()).text("dry_run", "1"))
        .send()
        .await
        .unwrap();
    assert!(r.text().await.unwrap().contains("2 nhiệm vụ thêm mới, 0 thay đổi, 0 không đổi — mới kiểm tra"));
    let r = office.post(app.url(&format!("/ke-hoach/nhap?nam={year}"))).multipart(file(good.clone())).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("2 nhiệm vụ thêm mới"));
    let a_ = app.login("officer.a").await;
    assert_eq!(a_.get(app.url(&format!("/ke-hoach/mau.xlsx?nam={year}"))).send().await.unwrap().status(), 403);
    assert_eq!(a_.post(app.url(&format!("/ke-hoach/nhap?nam={year}"))).multipart(file(good)).send().await.unwrap().status(), 403);
    // files: the owner attaches a result to its task, the unit its signed plan; readers of the
    // task or the plan open them, nobody else
    let pdf = || {
        reqwest::multipart::Form::new()
            .part(
                "file",
                reqwest::multipart::Part::bytes(parindex_demo::signed_report_pdf())
                    .file_name("ket-qua.pdf")
                    .mime_str("application/pdf")
                    .unwrap(),
            )
            .text("note", "Báo cáo kết quả")
    };
    assert_eq!(
        b_.post(app.url(&format!("/ke-hoach/nhiem-vu/{t1}/tep"))).multipart(pdf()).send().await.unwrap().status(),
        403,
        "a co-operating unit"
    );
    assert_eq!(a.post(app.url(&format!("/ke-hoach/nhiem-vu/{t2}/tep"))).multipart(pdf()).send().await.unwrap().status(), 404);
    assert_eq!(a.post(app.url(&format!("/ke-hoach/nhiem-vu/{t1}/tep"))).multipart(pdf()).send().await.unwrap().status(), 303);
    let (_, notes) = app.store.plan_task(t1).await.unwrap();
    let note = notes.iter().find(|n| n.file_id.is_some()).unwrap().id;
    let page = a.get(app.url(&format!("/ke-hoach/nhiem-vu/{t1}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(&format!("/ke-hoach/nhiem-vu/{t1}/tep/{note}")) && page.contains("Báo cáo kết quả"));
    assert_eq!(
        b_.get(app.url(&format!("/ke-hoach/nhiem-vu/{t1}/tep/{note}"))).send().await.unwrap().status(),
        200,
        "the co-operating unit reads it"
    );
    assert_eq!(a.post(app.url(&format!("/ke-hoach/don-vi/UA/tep?nam={year}"))).multipart(pdf()).send().await.unwrap().status(), 303);
    assert_eq!(a.get(app.url(&format!("/ke-hoach/don-vi/UA/tep?nam={year}"))).send().await.unwrap().status(), 200);
    assert_eq!(b_.get(app.url(&format!("/ke-hoach/don-vi/UA/tep?nam={year}"))).send().await.unwrap().status(), 404);
    assert_eq!(a.post(app.url(&format!("/ke-hoach/don-vi/UB/tep?nam={year}"))).multipart(pdf()).send().await.unwrap().status(), 403);
    let r = b_.post(app.url(&format!("/ke-hoach/don-vi/UB/tep?nam={year}"))).multipart(pdf()).send().await.unwrap();
    assert_eq!(r.status(), 422, "UB has recorded no plan yet");
    assert!(r.text().await.unwrap().contains("id=\"kh-own-error\""));
});
