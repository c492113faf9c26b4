//! One-stop statistics over HTTP (issue #18): the office imports a month (a bad file refused
//! whole with its rows named; a good one previewed, then written), saves a source's column
//! mapping and reads an export through it; each role reads what it may — a unit its own figures
//! only, the public the on-time rates — and only the office imports, on the pages and the API.

use super::*;

fn import_form(file: &str, bytes: &[u8], source: &str, month: &str) -> reqwest::multipart::Form {
    reqwest::multipart::Form::new()
        .text("source", source.to_string())
        .text("month", month.to_string())
        .part("file", reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(file.to_string()))
}

backend_tests!(onestop_figures_are_imported_by_the_office_and_read_by_each_as_allowed, |b| async move {
    let app = TestApp::spawn(b).await;
    let office = app.login("secretariat").await;

    // a bad file: every problem named (file, row, column), nothing written
    let header = "Mã đơn vị,Tháng,Lĩnh vực,Tiếp nhận trực tuyến,Tiếp nhận trực tiếp,Tiếp nhận qua bưu chính,Giải quyết trước hạn,Giải quyết đúng hạn,Giải quyết quá hạn,Đang giải quyết trong hạn,Đang giải quyết quá hạn,\"Trả lại, rút hồ sơ\",Trực tuyến toàn trình,\"Hồ sơ phải nộp phí, lệ phí\",Thanh toán trực tuyến,Kết quả giải quyết được số hóa,Hồ sơ được số hóa";
    let bad = format!(
        "{header}\nUA,2026-03,,10,5,0,2,10,3,0,0,0,12,0,0,0,0\nZZ,2026-03,,1,0,0,0,1,0,0,0,0,0,0,0,0,0\nUB,2026-03,,x,0,0,0,1,0,0,0,0,0,0,0,0,0\n"
    );
    let r = office.post(app.url("/mot-cua/nhap")).multipart(import_form("t3.csv", bad.as_bytes(), "", "")).send().await.unwrap();
    assert_eq!(r.status(), 422);
    let body = r.text().await.unwrap();
    assert!(body.contains("os-errors") && body.contains("ZZ") && body.contains("dòng 4"), "every problem named: {body}");
    assert!(body.contains("12 lớn hơn số tiếp nhận trực tuyến"), "a part above its whole, named");
    assert!(app.store.onestop_years().await.unwrap().is_empty(), "nothing written");

    // a good file: previewed (the difference), then written on confirmation
    let good = format!("{header}\nUA,2026-03,,10,5,0,2,10,3,0,0,0,8,0,0,0,0\nUB,2026-03,,4,0,0,0,4,0,0,0,0,0,0,0,0,0\n");
    let r = office.post(app.url("/mot-cua/nhap")).multipart(import_form("t3.csv", good.as_bytes(), "", "")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let body = r.text().await.unwrap();
    assert!(body.contains("os-preview") && body.contains("<strong>2</strong> dòng thêm mới"), "the difference first");
    let rows = hidden(&body, "rows");
    let r = office
        .post(app.url("/mot-cua/nhap/ghi"))
        .form(&[("file_name", "t3.csv"), ("source", ""), ("rows", rows.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let sums = app.store.onestop_sums(2026, None, false).await.unwrap();
    assert_eq!(sums.len(), 2);
    // the unit's page: the rate as its exact fraction, the formula
    let page = office.get(app.url("/mot-cua/don-vi/UA?nam=2026")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("80,0 % (12/15)") && page.contains("trước hạn + đúng hạn"), "on-time 12/15");

    // a source's export read through its saved mapping (the month given for the whole file)
    let mut map: Vec<(String, String)> = vec![("name".into(), "Hệ thống một cửa tỉnh".into())];
    for (k, v) in [("unit_code", "MaDV"), ("received_direct", "TongTN"), ("resolved_on_time", "DungHan"), ("resolved_late", "TreHan")] {
        map.push((format!("map_{k}"), v.into()));
    }
    for (k, _, _) in parindex_core::onestop::FIELDS {
        if !["received_direct", "resolved_on_time", "resolved_late"].contains(&k) {
            map.push((format!("map_{k}"), "-".into()));
        }
    }
    let r = office.post(app.url("/mot-cua/nguon")).form(&map).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let export = "MaDV;TongTN;DungHan;TreHan;GhiChu\nUA;20;18;2;khác\n";
    let form = import_form("xuat.csv", export.as_bytes(), "Hệ thống một cửa tỉnh", "04/2026");
    let body = office.post(app.url("/mot-cua/nhap")).multipart(form).send().await.unwrap().text().await.unwrap();
    assert!(body.contains("os-preview") && body.contains("2026-04"), "read through the mapping");

    // the unit's staff: their own figures only
    let officer = app.login("officer.a").await;
    let r = officer.get(app.url("/mot-cua")).send().await.unwrap();
    assert_eq!((r.status().as_u16(), r.headers()["location"].to_str().unwrap()), (303, "/mot-cua/don-vi/UA"));
    assert_eq!(officer.get(app.url("/mot-cua/don-vi/UA")).send().await.unwrap().status(), 200);
    assert_eq!(officer.get(app.url("/mot-cua/don-vi/UB")).send().await.unwrap().status(), 403, "another unit's figures");
    for path in ["/mot-cua/nhap", "/mot-cua/mau.xlsx"] {
        assert_eq!(officer.get(app.url(path)).send().await.unwrap().status(), 403, "{path}");
    }
    let r = officer.post(app.url("/mot-cua/nhap")).multipart(import_form("t.csv", good.as_bytes(), "", "")).send().await.unwrap();
    assert_eq!(r.status(), 403, "a unit does not import");
    let r =
        officer.post(app.url("/mot-cua/don-vi/UA/nhap-tay")).form(&[("month", "2026-05"), ("resolved_on_time", "1")]).send().await.unwrap();
    assert_eq!(r.status(), 403, "nor corrects its own figures");
    let api = app.api("officer.a").await;
    let year: serde_json::Value = api.get(app.url("/api/v1/onestop?year=2026")).send().await.unwrap().json().await.unwrap();
    let codes: Vec<&str> = year["units"].as_array().unwrap().iter().map(|u| u["unit_code"].as_str().unwrap()).collect();
    assert_eq!(codes, vec!["UA"], "the API gives a unit its own figures only");
    let r = api.post(app.url("/api/v1/onestop/imports")).json(&serde_json::json!({"rows": []})).send().await.unwrap();
    assert_eq!(r.status(), 403);

    // the office's correction by hand, then through the API (a dry run, then a refused row)
    let r = office
        .post(app.url("/mot-cua/don-vi/UB/nhap-tay"))
        .form(&[("month", "2026-05"), ("received_direct", "3"), ("resolved_on_time", "2"), ("resolved_late", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let page = office.get(app.url("/mot-cua/don-vi/UB?nam=2026")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("66,7 % (2/3)"), "May's correction");
    let admin = app.api("admin").await;
    let row = serde_json::json!({"unit_code": "UA", "month": "2026-06", "counts": {"received_online": 2, "resolved_on_time": 2}});
    let r = admin.post(app.url("/api/v1/onestop/imports?dry_run=true")).json(&serde_json::json!({"rows": [row]})).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let out: serde_json::Value = r.json().await.unwrap();
    assert_eq!((out["added"].as_u64(), out["import_id"].as_i64()), (Some(1), Some(0)));
    let row = serde_json::json!({"unit_code": "UA", "month": "2026-06", "counts": {"online_full": 3}});
    let r = admin.post(app.url("/api/v1/onestop/imports")).json(&serde_json::json!({"rows": [row]})).send().await.unwrap();
    assert_eq!(r.status(), 422, "a part above its whole");
    let year: serde_json::Value = admin.get(app.url("/api/v1/onestop?year=2026")).send().await.unwrap().json().await.unwrap();
    let ua = &year["units"][0];
    let march = ua["months"].as_array().unwrap().iter().find(|m| m["month"] == 3).unwrap();
    let on_time = march["rates"].as_array().unwrap().iter().find(|r| r["measure"] == "on_time_rate").unwrap();
    assert_eq!((on_time["value"]["numerator"].as_i64(), on_time["value"]["denominator"].as_i64()), (Some(12), Some(15)));
    assert_eq!(on_time["percent"], "80");

    // the public page: on-time rates per unit and month, no sign-in, no import link
    let anon = app.client();
    let r = anon.get(app.url("/cong-khai/mot-cua?nam=2026")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let page = r.text().await.unwrap();
    assert!(page.contains("Sở Alpha") && page.contains("80,0") && !page.contains("/mot-cua/nhap"), "public rates");
    let r = anon.get(app.url("/mot-cua")).send().await.unwrap();
    assert!(r.status() == 401 || r.status() == 303, "the dashboard needs a sign-in: {}", r.status());
    assert_eq!(anon.get(app.url("/api/v1/onestop")).send().await.unwrap().status(), 401);
    // the council reads every unit, imports nothing
    let council = app.login("council").await;
    assert_eq!(council.get(app.url("/mot-cua?nam=2026")).send().await.unwrap().status(), 200);
    assert_eq!(council.get(app.url("/mot-cua/nhap")).send().await.unwrap().status(), 403);
});
