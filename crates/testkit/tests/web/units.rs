//! Units through pages and the API: create, edit, import (malformed files write nothing), lineage.

use super::*;

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
