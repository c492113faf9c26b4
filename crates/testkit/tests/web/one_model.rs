//! One model (issue #16): one assessment with a bonus and a penalty, appraised leaves (one
//! lowered, one raised), a contested leaf finally accepted, a leaf without input and one not
//! meant for the unit's kind. Its page, its API answer, the three documents, the results table,
//! its XLSX and CSV and the published snapshot all give the same totals and index — the ones
//! worked out by hand below.

use super::*;

/// The hand computation (frameworks/examples/hand-computed.yaml, unit UA an agency):
/// own: 1.1 on time 1 + 1.2 yes 1 + 1.3 90 % → 1 + 2.2 one late file 1 − 0.5 + 2.3 0.75 = 4.25;
/// counted: 1.2 lowered to no then accepted back (final) 1, 1.3 raised to 95 % → 2: 5.25;
/// bonus T1 0.5, penalty P1 serious 1 → own total 3.75, counted total 4.75;
/// applicable maximum 10 − 3.2 (communes only) = 9 (2.1 and 3.1 have no input: 0 of their 3);
/// index 4.75 ÷ 9 × 100 = 52.777… → 52.78 (own: 41.666… → 41.67).
const OWN_TOTAL: &str = "3.75";
const TOTAL: &str = "4.75";
const MAX: &str = "9";
const INDEX: &str = "52.78";
const OWN_INDEX: &str = "41.67";

fn input(t: &str) -> parindex_core::framework::Input {
    serde_json::from_str::<parindex_core::framework::rule::InputText>(t).unwrap().into()
}

fn vi(s: &str) -> String {
    s.replace('.', ",")
}

backend_tests!(every_view_of_a_result_gives_the_same_total_and_index, |b| async move {
    use parindex_store::repo::appraisal::AppraiserScope;
    use parindex_store::repo::periods::{EntryInput, PeriodInput};
    let app = TestApp::spawn(b).await;
    let sys = parindex_store::AuditCtx::system("test");
    let hand = include_str!("../../../../frameworks/examples/hand-computed.yaml");
    app.store.import_framework(&sys, parindex_reports::framework::parse_framework("vd.yaml", hand).unwrap(), "vd.yaml").await.unwrap();
    app.store.set_framework_status(&sys, "VD-TINH-TAY", parindex_core::framework::Status::Published).await.unwrap();
    let today = parindex_core::assessment::today_vn();
    let d = |n: i64| Some(today + chrono::Duration::days(n));
    let p = app
        .store
        .create_period(
            &sys,
            PeriodInput {
                code: "MOT".into(),
                name: "Năm 2026".into(),
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
    for (code, t) in [
        ("1.1", r#"{"option": "dung_han"}"#),
        ("1.2", r#"{"yes": true}"#),
        ("1.3", r#"{"percent": 90}"#),
        ("2.2", r#"{"count": 1}"#),
        ("2.3", r#"{"value": 0.75}"#),
    ] {
        let e = EntryInput { input: Some(input(t)), explanation: Some("Bản giấy".into()), ..Default::default() };
        app.store.save_entry(&sys, ua, code, e, today).await.unwrap();
    }
    app.store.submit_assessment(&sys, ua, today).await.unwrap();
    let all = AppraiserScope::All;
    for (code, t, comment) in [
        ("1.1", r#"{"option": "dung_han"}"#, None),
        ("1.2", r#"{"yes": false}"#, Some("Báo cáo quý III trễ hạn".to_string())),
        ("1.3", r#"{"percent": 95}"#, Some("Đã hoàn thành thêm 5 % kế hoạch".to_string())),
        ("2.2", r#"{"count": 1}"#, None),
        ("2.3", r#"{"value": 0.75}"#, None),
    ] {
        app.store.appraise_entry(&sys, ua, code, &all, input(t), comment, today).await.unwrap();
    }
    app.store.set_adjustment(&sys, ua, "T1", Some(input(r#"{"value": 0.5}"#)), "Quyết định công nhận sáng kiến số 12/QĐ").await.unwrap();
    app.store.set_adjustment(&sys, ua, "P1", Some(input(r#"{"option": "nang"}"#)), "Kết luận kiểm tra số 3/KL").await.unwrap();

    // before the result is out, the period list and the API give the unit's own total
    let office = app.login("admin").await;
    let api: Value = office.get(app.url(&format!("/api/v1/assessments/{ua}"))).send().await.unwrap().json().await.unwrap();
    assert_eq!(api["result"]["total"]["value"], OWN_TOTAL);
    assert!(api["counted"].is_null(), "no counted result before it is out");
    let row = &app.store.list_assessments(p.id, parindex_core::UnitScope::All).await.unwrap()[0];
    assert_eq!(row.self_total.to_string(), OWN_TOTAL);
    assert_eq!(row.gap.to_string(), "0", "1.2 lowered by 1, 1.3 raised by 1");

    app.store.send_preliminary(&sys, ua).await.unwrap();
    app.store.save_contest(&sys, ua, "1.2", "Đã gửi đúng hạn qua Hệ thống thông tin báo cáo", today).await.unwrap();
    app.store.submit_contests(&sys, ua, today).await.unwrap();
    app.store.final_appraise(&sys, ua, "1.2", &all, input(r#"{"yes": true}"#), "Chấp nhận giải trình", today).await.unwrap();
    let decision =
        parindex_store::repo::periods::Decision { number: "7/QĐ-HĐTĐ".into(), date: today, signer: "Chủ tịch Hội đồng".into() };
    parindex_testkit::demo::decide_missing_feeds(&app.store, p.id).await;
    app.store.approve_period(&sys, p.id, decision, today).await.unwrap();

    // the store's results table
    let r = app.store.period_results(p.id).await.unwrap();
    let u = &r.units[0];
    assert_eq!(
        (u.achieved.to_string(), u.bonus.to_string(), u.penalty.to_string(), u.total.to_string(), u.applicable_max.to_string()),
        ("5.25".into(), "0.5".into(), "1".into(), TOTAL.into(), MAX.into())
    );
    assert_eq!(u.index.as_ref().unwrap().to_decimal_string(2), INDEX);
    assert_eq!(u.missing, 2, "2.1 and 3.1");

    // the API: the unit's own result and the one that counts
    let api: Value = office.get(app.url(&format!("/api/v1/assessments/{ua}"))).send().await.unwrap().json().await.unwrap();
    assert_eq!(api["result"]["total"]["value"], OWN_TOTAL);
    assert_eq!(api["result"]["index"]["value"], OWN_INDEX);
    assert_eq!(api["counted"]["total"]["value"], TOTAL);
    assert_eq!(api["counted"]["applicable_max"]["value"], "9.00");
    assert_eq!(api["counted"]["index"]["value"], INDEX);
    assert_eq!(api["counted"]["bonus"]["value"], "0.50");
    assert_eq!(api["counted"]["penalty"]["value"], "1.00");

    // the unit's page (the result that counts, once out)
    let officer = app.login("officer.a").await;
    let page = officer.get(app.url(&format!("/assessments/{ua}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(&vi(TOTAL)) && page.contains(&vi(INDEX)), "the page shows {TOTAL} and {INDEX}");
    // …and each domain's points that count (domain 1: 1 + 1 final + 2 raised = 4, own 3)
    assert!(
        page.contains("<span class=\"max\">4,00 / 4,00</span>") && !page.contains("<span class=\"max\">3,00 / 4,00</span>"),
        "domain 1 counted"
    );

    // the three documents
    let docx = |c: reqwest::Client, path: String| {
        let url = app.url(&path);
        async move {
            let r = c.get(url).send().await.unwrap();
            assert_eq!(r.status(), 200, "{path}");
            docx_text(&r.bytes().await.unwrap())
        }
    };
    let own = docx(officer.clone(), format!("/assessments/{ua}/bao-cao-tu-danh-gia.docx")).await;
    assert!(own.contains(&format!("Tổng điểm tự đánh giá: {}", vi(OWN_TOTAL))), "self-report total: {own}");
    assert!(own.contains(&format!("Chỉ số {}", vi(OWN_INDEX))), "self-report index");
    assert!(own.contains("gồm điểm thưởng 0,50, điểm trừ 1,00"), "the adjustments are named");
    let minutes = docx(office.clone(), format!("/assessments/{ua}/bien-ban-tham-dinh.docx")).await;
    assert!(minutes.contains(&format!("Điểm tự đánh giá: {}", vi(OWN_TOTAL))), "minutes: own total");
    assert!(minutes.contains(&format!("điểm sau thẩm định: {}", vi(TOTAL))), "minutes: counted total: {minutes}");
    assert!(minutes.contains(&format!("Chỉ số {}", vi(INDEX))), "minutes: index");
    let report = docx(office.clone(), format!("/periods/{}/bao-cao.docx", p.id)).await;
    assert!(report.contains(&vi(TOTAL)) && report.contains(&vi(INDEX)), "the period report");

    // the results page and its downloads
    let page = office.get(app.url(&format!("/periods/{}/ket-qua", p.id))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(&vi(INDEX)) && page.contains(&vi(TOTAL)), "the results page");
    let csv = office.get(app.url(&format!("/periods/{}/ket-qua.csv", p.id))).send().await.unwrap().text().await.unwrap();
    let line = csv.lines().find(|l| l.contains("UA")).unwrap();
    assert!(line.contains(TOTAL) && line.contains(INDEX), "the CSV: {line}");
    let xlsx = office.get(app.url(&format!("/periods/{}/ket-qua.xlsx", p.id))).send().await.unwrap().bytes().await.unwrap();
    let sheet = xlsx_sheet_xml(&xlsx);
    assert!(sheet.contains(&format!("<v>{TOTAL}</v>")) && sheet.contains("<v>52.7777"), "the XLSX");

    // the published snapshot
    app.store.publish_results(&sys, p.id, None).await.unwrap();
    let snap: Value = app.client().get(app.url("/cong-khai/MOT/ket-qua.json")).send().await.unwrap().json().await.unwrap();
    let su = &snap["units"][0];
    assert_eq!(su["total"]["value"], TOTAL);
    assert_eq!(su["index"]["value"], INDEX);
    assert_eq!(su["index"]["exact"], "475/9");
});

/// The first worksheet's XML of an XLSX.
fn xlsx_sheet_xml(bytes: &[u8]) -> String {
    use std::io::Read;
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("an XLSX is a zip");
    let mut xml = String::new();
    z.by_name("xl/worksheets/sheet1.xml").unwrap().read_to_string(&mut xml).unwrap();
    xml
}
