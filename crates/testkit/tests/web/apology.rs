//! The public-apology register over HTTP (issue #18): the office imports the list of late files
//! (a bad file refused whole, a good one previewed then written); a unit's staff see and
//! complete their own cases only; the citizen's name and contact reach the unit and the office
//! and nobody else; the public page counts apologies and shows no person.

use super::*;

backend_tests!(apology_cases_are_completed_by_their_unit_and_seen_only_as_allowed, |b| async move {
    let app = TestApp::spawn(b).await;
    let office = app.login("secretariat").await;
    let today = parindex_core::assessment::today_vn();
    let day = |n: i64| (today - chrono::Duration::days(n)).format("%d/%m/%Y").to_string();

    // a bad list: every problem named, nothing written
    let header = "Mã đơn vị,Mã hồ sơ,Thủ tục,Người nộp,Liên hệ,Loại,Ngày tiếp nhận,Ngày hẹn trả";
    let bad = format!(
        "{header}\nUA,H1,Cấp phép,Trần Thị B,0912,,{},{}\nZZ,H2,Cấp phép,,,,{},{}\nUB,H3,Cấp phép,,,muộn,{},{}\n",
        day(20),
        day(5),
        day(20),
        day(5),
        day(20),
        day(5)
    );
    let form = upload_form(vec![("tre-han.csv", bad.into_bytes())]);
    let r = office.post(app.url("/xin-loi/nhap")).multipart(form).send().await.unwrap();
    assert_eq!(r.status(), 422);
    let body = r.text().await.unwrap();
    assert!(body.contains("ap-errors") && body.contains("ZZ") && body.contains("muộn"), "every problem named");
    assert!(app.store.apology_cases(&Default::default()).await.unwrap().is_empty(), "nothing written");
    // a good one: previewed, then written; UA's file is overdue (due 5 days ago, recorded today:
    // 3 days' grace), UB's is not yet due
    let good = format!(
        "{header}\nUA,H1,Cấp phép,Trần Thị B,0912 111 222,,{},{}\nUB,H3,Cấp phép,,,,{},{}\n",
        day(20),
        day(5),
        day(2),
        today.format("%d/%m/%Y")
    );
    let r = office.post(app.url("/xin-loi/nhap")).multipart(upload_form(vec![("tre-han.csv", good.into_bytes())])).send().await.unwrap();
    let body = r.text().await.unwrap();
    assert!(body.contains("ap-preview") && body.contains("<strong>2</strong>"), "previewed");
    let rows = hidden(&body, "rows");
    let r = office.post(app.url("/xin-loi/nhap/ghi")).form(&[("file_name", "tre-han.csv"), ("rows", rows.as_str())]).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let cases = app.store.apology_cases(&Default::default()).await.unwrap();
    let id_of = |code: &str| cases.iter().find(|c| c.file_code == code).unwrap().id;
    let (h1, h3) = (id_of("H1"), id_of("H3"));

    // the unit's staff: their own cases, with the citizen's contact; another unit's: not found
    let officer = app.login("officer.a").await;
    let list = officer.get(app.url("/xin-loi")).send().await.unwrap().text().await.unwrap();
    assert!(list.contains("H1") && !list.contains("H3"), "own cases only");
    let page = officer.get(app.url(&format!("/xin-loi/{h1}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Trần Thị B") && page.contains("0912 111 222"), "the unit sees the citizen's contact");
    assert_eq!(officer.get(app.url(&format!("/xin-loi/{h3}"))).send().await.unwrap().status(), 404);
    let r = officer.post(app.url(&format!("/xin-loi/{h3}/thu"))).multipart(letter_form("5/CV", &day(0))).send().await.unwrap();
    assert_eq!(r.status(), 404, "nor writes another unit's letter");
    // the unit's own home lists its case as overdue
    let home = officer.get(app.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(home.contains("my-apologies") && home.contains("H1"), "on the unit's dashboard");
    // a unit records a case of its own, not of another unit
    let f = [
        ("unit_code", "UB"),
        ("file_code", "X1"),
        ("procedure", "Cấp phép"),
        ("kind", "late"),
        ("received_on", "01/03/2026"),
        ("due_on", "10/03/2026"),
    ];
    assert_eq!(officer.post(app.url("/xin-loi/them")).form(&f).send().await.unwrap().status(), 403);
    let api = app.api("officer.a").await;
    let listed: serde_json::Value = api.get(app.url("/api/v1/apologies")).send().await.unwrap().json().await.unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1, "the API gives a unit its own cases");
    let r = api.post(app.url("/api/v1/apologies")).json(&serde_json::json!({"cases": []})).send().await.unwrap();
    assert_eq!(r.status(), 422, "no case given");

    // the letter: a refused one says why where the form is; then saved, the case apologised
    let r = officer.post(app.url(&format!("/xin-loi/{h1}/thu"))).multipart(letter_form(" ", &day(0))).send().await.unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("letter-error"));
    let r = officer.post(app.url(&format!("/xin-loi/{h1}/thu"))).multipart(letter_form("12/CV-XL", &day(0))).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let c = app.store.apology_case(h1).await.unwrap();
    assert_eq!((c.letter_number.as_deref(), c.letter_date), (Some("12/CV-XL"), Some(today)));

    // the council reads every case but not the citizen's name
    let council = app.login("council").await;
    let page = council.get(app.url(&format!("/xin-loi/{h1}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("12/CV-XL") && !page.contains("Trần Thị B") && !page.contains("0912 111 222"), "no personal data");
    assert_eq!(
        council.post(app.url(&format!("/xin-loi/{h1}/thu"))).multipart(letter_form("1", &day(0))).send().await.unwrap().status(),
        403
    );
    let listed: serde_json::Value = app.api("council").await.get(app.url("/api/v1/apologies")).send().await.unwrap().json().await.unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 2);
    assert!(listed.as_array().unwrap().iter().all(|c| c["applicant"].is_null() && c["contact"].is_null()));

    // the public page: counts only
    let anon = app.client();
    let r = anon.get(app.url("/cong-khai/xin-loi")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let page = r.text().await.unwrap();
    assert!(page.contains("Sở Alpha") && !page.contains("Trần Thị B") && !page.contains("H1"), "no person, no file");
    assert_eq!(anon.get(app.url(&format!("/xin-loi/{h1}"))).send().await.unwrap().status(), 303, "sign in first");
    assert_eq!(anon.get(app.url("/api/v1/apologies")).send().await.unwrap().status(), 401);
});

fn letter_form(number: &str, date: &str) -> reqwest::multipart::Form {
    reqwest::multipart::Form::new()
        .text("number", number.to_string())
        .text("date", date.to_string())
        .text("how", "post")
        .text("new_due_on", "")
}
