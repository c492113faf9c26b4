//! Periodic reports over HTTP (issue #19): the office stores a form (a bad one refused with
//! every problem placed) and opens a round; a unit's officer fills its report (a cell its column
//! refuses and a failed check shown at the cell, what was typed kept), its leader submits it
//! with the signed file, the office returns it with a reason and accepts it, and downloads the
//! consolidation; nobody reads or writes another unit's report, and every other role is refused.

use super::*;

/// The sample form's every entered cell (planned `p`, done `d`, the rest 10), and a text.
fn filled(p: &str, d: &str) -> Vec<(String, String)> {
    let form = parindex_reports::report_form::sample_form();
    let mut out = Vec::new();
    for s in &form.sections {
        match &s.table {
            None => out.push((format!("n.{}", s.key), format!("Phần {} đã viết.", s.key))),
            Some(t) => {
                for r in t.rows.iter().filter(|r| r.formula.is_none()) {
                    for c in t.columns.iter().filter(|c| c.formula.is_none()) {
                        let v = match (s.key.as_str(), c.key.as_str(), r.key.as_str()) {
                            (_, "ghi_chu", _) => "",
                            (_, "ke_hoach", _) => p,
                            (_, "thuc_hien", _) => d,
                            ("mot_cua", _, "tiep_nhan") => "30",
                            ("thu_tuc", _, "ra_soat" | "phan_anh") => "30",
                            _ => "10",
                        };
                        out.push((parindex_core::reporting::cell_field(&s.key, &r.key, &c.key), v.to_string()));
                    }
                }
            }
        }
    }
    out
}

fn multipart(fields: &[(String, String)], action: &str, file: bool) -> reqwest::multipart::Form {
    let mut f = reqwest::multipart::Form::new().text("action", action.to_string()).text("version", "0");
    for (k, v) in fields {
        f = f.text(k.clone(), v.clone());
    }
    if file {
        let pdf = parindex_demo::signed_report_pdf();
        f = f.part("file", reqwest::multipart::Part::bytes(pdf).file_name("bao-cao-ky.pdf").mime_str("application/pdf").unwrap());
    }
    f
}

backend_tests!(reports_are_written_and_decided_by_whom_they_belong_to, |b| async move {
    let app = TestApp::spawn(b).await;
    let year = parindex_core::assessment::today_vn().format("%Y").to_string();
    let office = app.login("secretariat").await;
    // a bad form: refused with every problem, placed
    let bad = "code: x\ntitle: X\nsections:\n  - key: a\n    title: A\n    table:\n      columns: [{key: n, title: N}]\n      rows: [{key: r, title: R, formula: 'r + s'}]\n";
    let r = office.post(app.url("/bao-cao/mau-bieu")).form(&[("yaml", bad)]).send().await.unwrap();
    assert_eq!(r.status(), 422);
    let body = r.text().await.unwrap();
    assert!(body.contains("id=\"bc-form-errors\"") && body.contains("mau-bieu.yaml [a.r]"), "placed");
    let sample = include_str!("../../../../report-forms/bao-cao-cchc.yaml");
    assert_eq!(office.post(app.url("/bao-cao/mau-bieu")).form(&[("yaml", sample)]).send().await.unwrap().status(), 303);
    // a round: refused without a deadline (said at the form), then opened for agencies
    let open = |deadline: &str| {
        vec![("kind", "quarter"), ("label", "Báo cáo quý IV"), ("form_code", "bc_cchc"), ("deadline", deadline), ("target", "agency")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<Vec<_>>()
    };
    let r = office.post(app.url(&format!("/bao-cao/dot?nam={year}"))).form(&open("mai")).send().await.unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("id=\"bc-open-error\""));
    let deadline = parindex_core::text::format_date(parindex_core::assessment::today_vn() + chrono::Duration::days(10));
    assert_eq!(office.post(app.url(&format!("/bao-cao/dot?nam={year}"))).form(&open(&deadline)).send().await.unwrap().status(), 303);
    let year_n: i32 = year.parse().unwrap();
    let round = app.store.report_rounds(year_n).await.unwrap().remove(0);
    let id = round.id;
    let unit_url = |code: &str| app.url(&format!("/bao-cao/dot/{id}/don-vi/{code}"));
    // reminders: from 12 days before the deadline, once a day, to the units asked
    let today = parindex_core::assessment::today_vn();
    assert_eq!(app.store.send_reminders(today, 3).await.unwrap(), 0, "ten days ahead: not yet");
    assert!(app.store.send_reminders(today, 12).await.unwrap() >= 2, "UA's and UB's staff");
    assert_eq!(app.store.send_reminders(today, 12).await.unwrap(), 0, "not twice a day");

    // the officer of UA: its report only; a refused cell and a failed check shown at the cell
    let a = app.login("officer.a").await;
    let home = a.get(app.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(
        home.contains("id=\"my-deadlines\"") && home.contains(&format!("/bao-cao/dot/{id}/don-vi/UA")),
        "the report to send on the unit's home"
    );
    assert!(!home.contains("id=\"tracking\""), "the province's tracking is not a unit's");
    // the office's home follows the open round: none sent of the units asked, none overdue yet
    let home = office.get(app.url("/")).send().await.unwrap().text().await.unwrap();
    let asked = app.store.round_units(&round).await.unwrap().len();
    assert!(home.contains("id=\"tracking-rounds\"") && home.contains(&format!("href=\"/bao-cao/dot/{id}\"")), "{home}");
    assert!(home.contains(&format!("<strong>0</strong>/{asked} đơn vị đã gửi")) && !home.contains("quá hạn chưa gửi"));
    let page = a.get(app.url(&format!("/bao-cao?nam={year}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(&format!("/bao-cao/dot/{id}/don-vi/UA")) && !page.contains("id=\"bc-open\""));
    let r = a.get(app.url(&format!("/bao-cao/dot/{id}"))).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert!(r.headers()["location"].to_str().unwrap().ends_with("/don-vi/UA"), "a unit is taken to its own report");
    assert_eq!(a.get(unit_url("UB")).send().await.unwrap().status(), 404, "another unit's report");
    assert_eq!(a.get(unit_url("XC")).send().await.unwrap().status(), 404, "a commune is not asked");
    assert_eq!(a.get(app.url(&format!("/bao-cao/dot/{id}/tong-hop.xlsx"))).send().await.unwrap().status(), 404);
    let mut fields = filled("5", "7");
    fields.push(("c.van_ban.ra_soat.ke_hoach".into(), "1.250".into()));
    let r = a.post(unit_url("UA")).multipart(multipart(&fields, "save", false)).send().await.unwrap();
    assert_eq!(r.status(), 422);
    let body = r.text().await.unwrap();
    assert!(body.contains("id=\"bc-error\"") && body.contains("value=\"1.250\""), "refused, what was typed kept");
    assert!(body.contains("name=\"c.van_ban.ra_soat.ke_hoach\" id=\"c.van_ban.ra_soat.ke_hoach\" value=\"1.250\" aria-label"));
    assert!(
        app.store.unit_report(&round, app.store.unit_id_by_code("UA").await.unwrap().unwrap()).await.unwrap().is_none(),
        "nothing written"
    );
    let fields = filled("5", "7");
    let r = a.post(unit_url("UA")).multipart(multipart(&fields, "save", true)).send().await.unwrap();
    assert_eq!(r.status(), 303, "a draft failing a check is kept");
    let page = a.get(unit_url("UA")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("id=\"bc-checks\"") && page.contains("td class=\"num cell-err\""), "the check at its cell");
    assert!(!page.contains("id=\"bc-submit\""), "an officer does not submit");
    assert_eq!(a.post(unit_url("UA")).multipart(multipart(&fields, "submit", false)).send().await.unwrap().status(), 403);
    // the leader: refused while a check fails (shown at the cells), then submits once fixed
    let leader = app.login("leader.a").await;
    let r = leader.post(unit_url("UA")).multipart(multipart(&fields, "submit", false)).send().await.unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("«Đã thực hiện» = 7"));
    let fixed = filled("7", "7");
    assert_eq!(leader.post(unit_url("UA")).multipart(multipart(&fixed, "submit", false)).send().await.unwrap().status(), 303);
    let page = leader.get(unit_url("UA")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Đã gửi, chờ tiếp nhận") && page.contains("id=\"bc-file\""));
    assert_eq!(leader.get(app.url(&format!("/bao-cao/dot/{id}/don-vi/UA/tep"))).send().await.unwrap().status(), 200);
    // the unit cannot decide; nor another unit write
    let decide = |action: &str, reason: &str| [("action", action.to_string()), ("reason", reason.to_string()), ("version", "0".into())];
    assert_eq!(
        leader.post(app.url(&format!("/bao-cao/dot/{id}/don-vi/UA/quyet-dinh"))).form(&decide("accept", "")).send().await.unwrap().status(),
        403
    );
    let b_ = app.login("officer.b").await;
    assert_eq!(b_.post(unit_url("UA")).multipart(multipart(&fixed, "save", false)).send().await.unwrap().status(), 404);
    // the office returns it (a reason needed), the leader sends it again, the office accepts
    let r = office.post(app.url(&format!("/bao-cao/dot/{id}/don-vi/UA/quyet-dinh"))).form(&decide("return", " ")).send().await.unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("id=\"bc-error\""));
    let r = office
        .post(app.url(&format!("/bao-cao/dot/{id}/don-vi/UA/quyet-dinh")))
        .form(&decide("return", "Bảng IV chưa khớp"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let page = leader.get(unit_url("UA")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("id=\"bc-returned\"") && page.contains("Bảng IV chưa khớp"));
    assert_eq!(leader.post(unit_url("UA")).multipart(multipart(&fixed, "submit", false)).send().await.unwrap().status(), 303);
    assert_eq!(
        office.post(app.url(&format!("/bao-cao/dot/{id}/don-vi/UA/quyet-dinh"))).form(&decide("accept", "")).send().await.unwrap().status(),
        303
    );
    // the round and its consolidation: the office and every reader of all units
    let page = office.get(app.url(&format!("/bao-cao/dot/{id}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("id=\"u-UA\"") && page.contains("Đã tiếp nhận") && page.contains("id=\"u-UB\""));
    let x = office.get(app.url(&format!("/bao-cao/dot/{id}/tong-hop.xlsx"))).send().await.unwrap();
    assert_eq!(x.status(), 200);
    assert!(x.bytes().await.unwrap().starts_with(b"PK"));
    let docx = office.get(app.url(&format!("/bao-cao/dot/{id}/tong-hop.docx"))).send().await.unwrap();
    assert_eq!(docx.status(), 200);
    assert!(docx.bytes().await.unwrap().starts_with(b"PK"));
    for user in ["viewer", "council", "appraiser"] {
        let c = app.login(user).await;
        assert_eq!(c.get(app.url(&format!("/bao-cao/dot/{id}"))).send().await.unwrap().status(), 200, "{user}");
        assert_eq!(c.get(unit_url("UA")).send().await.unwrap().status(), 200, "{user}");
        assert_eq!(c.post(unit_url("UA")).multipart(multipart(&fixed, "save", false)).send().await.unwrap().status(), 403, "{user}");
        assert_eq!(
            c.post(app.url(&format!("/bao-cao/dot/{id}/don-vi/UA/quyet-dinh"))).form(&decide("accept", "")).send().await.unwrap().status(),
            403,
            "{user}"
        );
        assert_eq!(
            c.post(app.url(&format!("/bao-cao/dot?nam={year}"))).form(&open(&deadline)).send().await.unwrap().status(),
            403,
            "{user}"
        );
        assert_eq!(c.post(app.url("/bao-cao/mau-bieu")).form(&[("yaml", sample)]).send().await.unwrap().status(), 403, "{user}");
        assert_eq!(
            c.post(app.url(&format!("/bao-cao/dot/{id}/dong"))).form(&[("closed", "1")]).send().await.unwrap().status(),
            403,
            "{user}"
        );
    }
    // the API: each reads what the pages show; writes as the pages allow
    let api_a = app.api("officer.a").await;
    let mine: Value = api_a.get(app.url(&format!("/api/v1/report-rounds?year={year}"))).send().await.unwrap().json().await.unwrap();
    assert_eq!(mine[0]["units"].as_array().unwrap().len(), 1, "its own unit's line only");
    assert_eq!(mine[0]["units"][0]["status"], "accepted");
    let all: Value =
        app.api("viewer").await.get(app.url(&format!("/api/v1/report-rounds?year={year}"))).send().await.unwrap().json().await.unwrap();
    assert_eq!(all[0]["units"].as_array().unwrap().len(), 2, "UA and UB (XC is a commune)");
    let cons: Value = app
        .api("viewer")
        .await
        .get(app.url(&format!("/api/v1/report-rounds/{id}/consolidation")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(cons["tables"]["van_ban"]["ban_hanh.thuc_hien"], "7");
    assert_eq!(cons["consolidated"]["reports"], 1);
    assert_eq!(api_a.get(app.url(&format!("/api/v1/report-rounds/{id}/consolidation"))).send().await.unwrap().status(), 404);
    assert_eq!(api_a.get(app.url(&format!("/api/v1/report-rounds/{id}/units/UB"))).send().await.unwrap().status(), 404);
    let draft =
        json!({"content": {"narratives": {"chi_dao": "Nội dung"}, "cells": {"van_ban": {"ban_hanh.ke_hoach": "1.250"}}}, "version": 0});
    let r = app.api("officer.b").await.put(app.url(&format!("/api/v1/report-rounds/{id}/units/UB"))).json(&draft).send().await.unwrap();
    assert_eq!(r.status(), 422, "a cell its column refuses");
    let draft = json!({"content": {"narratives": {"chi_dao": "Nội dung"}, "cells": {"van_ban": {"ban_hanh.ke_hoach": "3"}}}, "version": 0});
    let r = app.api("officer.b").await.put(app.url(&format!("/api/v1/report-rounds/{id}/units/UB"))).json(&draft).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["report"]["status"], "draft");
    assert!(!body["problems"].as_array().unwrap().is_empty(), "what a submission would be refused for");
    assert_eq!(
        app.api("viewer").await.put(app.url(&format!("/api/v1/report-rounds/{id}/units/UB"))).json(&draft).send().await.unwrap().status(),
        403
    );
    assert_eq!(api_a.put(app.url(&format!("/api/v1/report-rounds/{id}/units/UB"))).json(&draft).send().await.unwrap().status(), 404);
    let submit = json!({"action": "submit", "version": 0});
    assert_eq!(
        app.api("officer.b")
            .await
            .post(app.url(&format!("/api/v1/report-rounds/{id}/units/UB/decisions")))
            .json(&submit)
            .send()
            .await
            .unwrap()
            .status(),
        403,
        "an officer does not submit"
    );
    let accept = json!({"action": "accept", "version": 0});
    assert_eq!(
        api_a.post(app.url(&format!("/api/v1/report-rounds/{id}/units/UA/decisions"))).json(&accept).send().await.unwrap().status(),
        403
    );
    assert_eq!(app.client().get(app.url("/api/v1/report-rounds")).send().await.unwrap().status(), 401);
    // the Excel round trip: UB's template, filled with a cell its column refuses, then right
    let b_officer = app.login("officer.b").await;
    let t = b_officer.get(app.url(&format!("/bao-cao/dot/{id}/don-vi/UB/mau.xlsx"))).send().await.unwrap();
    assert_eq!(t.status(), 200);
    assert!(t.bytes().await.unwrap().starts_with(b"PK"));
    assert_eq!(b_officer.get(app.url(&format!("/bao-cao/dot/{id}/don-vi/UA/mau.xlsx"))).send().await.unwrap().status(), 404);
    let form = parindex_reports::report_form::sample_form();
    let mut content = form.read(&filled("8", "8").into_iter().collect()).0;
    content.cells.get_mut("van_ban").unwrap().insert("ra_soat.ke_hoach".into(), "1.5".into());
    let xlsx = |c: &parindex_core::reporting::Content| parindex_reports::report_form::report_template_xlsx(&form, c, "UB", true).unwrap();
    let part = |bytes: Vec<u8>| reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(bytes).file_name("ub.xlsx"));
    let r = b_officer.post(app.url(&format!("/bao-cao/dot/{id}/don-vi/UB/nhap"))).multipart(part(xlsx(&content))).send().await.unwrap();
    assert_eq!(r.status(), 422);
    let body = r.text().await.unwrap();
    assert!(
        body.contains("ub.xlsx") && body.contains("td class=\"num cell-err\"") && body.contains("«1.5»"),
        "the refused cell at its place"
    );
    content.cells.get_mut("van_ban").unwrap().insert("ra_soat.ke_hoach".into(), "9".into());
    let r = b_officer.post(app.url(&format!("/bao-cao/dot/{id}/don-vi/UB/nhap"))).multipart(part(xlsx(&content))).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let ub = app.store.unit_report(&round, app.store.unit_id_by_code("UB").await.unwrap().unwrap()).await.unwrap().unwrap();
    assert_eq!(ub.content, content, "the file's content is the draft");
    let r = b_officer
        .post(app.url(&format!("/bao-cao/dot/{id}/don-vi/UB/nhap")))
        .multipart(part(b"not a workbook".to_vec()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(
        leader.post(app.url(&format!("/bao-cao/dot/{id}/don-vi/UB/nhap"))).multipart(part(xlsx(&content))).send().await.unwrap().status(),
        404
    );
    assert_eq!(
        app.login("viewer")
            .await
            .post(app.url(&format!("/bao-cao/dot/{id}/don-vi/UB/nhap")))
            .multipart(part(xlsx(&content)))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    // closed: nothing more is written
    assert_eq!(office.post(app.url(&format!("/bao-cao/dot/{id}/dong"))).form(&[("closed", "1")]).send().await.unwrap().status(), 303);
    let b_leader_page = b_.get(unit_url("UB")).send().await.unwrap().text().await.unwrap();
    assert!(!b_leader_page.contains("id=\"bc-save\""), "a closed round offers no save");
    let r = b_.post(unit_url("UB")).multipart(multipart(&fixed, "save", false)).send().await.unwrap();
    assert_eq!(r.status(), 422);
    let anon = app.client();
    assert_eq!(anon.get(app.url("/bao-cao")).send().await.unwrap().status(), 303, "sign in first");
    assert_eq!(anon.get(app.url(&format!("/bao-cao/dot/{id}/tong-hop.docx"))).send().await.unwrap().status(), 303);
});

// The round's months: a report not yet written opens with the form's one-stop cells filled from
// the unit's register figures of those months (said on the page), a draft is filled again on
// request keeping the rest; half a month range is refused at the form; another unit's figures
// never show.
backend_tests!(reports_start_from_the_onestop_register, |b| async move {
    use parindex_core::onestop::Counts;
    use parindex_store::repo::onestop::{OnestopRow, OnestopUpload};
    let app = TestApp::spawn(b).await;
    let year = parindex_core::assessment::today_vn().format("%Y").to_string();
    let office = app.login("secretariat").await;
    let sample = include_str!("../../../../report-forms/bao-cao-cchc.yaml");
    assert_eq!(office.post(app.url("/bao-cao/mau-bieu")).form(&[("yaml", sample)]).send().await.unwrap().status(), 303);
    let deadline = parindex_core::text::format_date(parindex_core::assessment::today_vn() + chrono::Duration::days(10));
    let open = |from: &str, to: &str| {
        [
            ("kind", "quarter"),
            ("label", "Quý I"),
            ("form_code", "bc_cchc"),
            ("deadline", &deadline),
            ("target", "agency"),
            ("month_from", from),
            ("month_to", to),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string()))
    };
    let r = office.post(app.url(&format!("/bao-cao/dot?nam={year}"))).form(&open("1", "")).send().await.unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("tháng đầu và tháng cuối"), "half a range is said at the form");
    assert_eq!(office.post(app.url(&format!("/bao-cao/dot?nam={year}"))).form(&open("1", "3")).send().await.unwrap().status(), 303);
    let round = app.store.report_rounds(year.parse().unwrap()).await.unwrap().remove(0);
    assert_eq!(round.months, Some([1, 3]));
    let row = |unit: &str, month: u32, online: i64| OnestopRow {
        row: 0,
        unit_code: unit.into(),
        month: format!("{year}-{month:02}"),
        field: "Hộ tịch".into(),
        counts: Counts {
            received_online: online,
            received_direct: 40,
            received_post: 2,
            resolved_on_time: online + 42,
            ..Default::default()
        },
    };
    let rows = vec![row("UA", 1, 200), row("UA", 3, 300), row("UA", 4, 9000), row("UB", 2, 777)];
    let up = OnestopUpload { origin: "api", file_name: None, source_name: None, rows, replace_months: true, dry_run: false };
    app.store.import_onestop(&parindex_store::AuditCtx::system("test"), up).await.unwrap();
    let url = app.url(&format!("/bao-cao/dot/{}/don-vi/UA", round.id));
    let a = app.login("officer.a").await;
    let page = a.get(&url).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("id=\"bc-fill-note\"") && page.contains("tháng 1–3/") && page.contains("2 tháng có số liệu"), "{page}");
    assert!(page.contains("value=\"500\"") && page.contains("value=\"80\"") && !page.contains("777") && !page.contains("9500"));
    assert!(!page.contains("id=\"bc-fill\""), "nothing written yet: nothing to fill again");
    // saved with other figures typed in; then filled again: the register's cells come back,
    // the rest of the draft stays
    let mut fields = filled("5", "3");
    fields.push(("c.mot_cua.tiep_nhan.truc_tuyen".into(), "1".into()));
    assert_eq!(a.post(&url).multipart(multipart(&fields, "save", false)).send().await.unwrap().status(), 303);
    let page = a.get(&url).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("id=\"bc-fill\"") && !page.contains("id=\"bc-fill-note\""));
    let r = a.post(&url).multipart(multipart(&fields, "fill", false).text("version", "1")).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert!(r.headers()["location"].to_str().unwrap().ends_with("ghi=dien"));
    let ua = app.store.unit_id_by_code("UA").await.unwrap().unwrap();
    let saved = app.store.unit_report(&round, ua).await.unwrap().unwrap();
    let cells = &saved.content.cells["mot_cua"];
    assert_eq!(cells["tiep_nhan.truc_tuyen"].to_string(), "500");
    assert_eq!(cells["tiep_nhan.truc_tiep"].to_string(), "80");
    assert_eq!(saved.content.cells["van_ban"]["ban_hanh.ke_hoach"].to_string(), "5", "the rest of the draft kept");
    // the council reads but writes nothing, and fills nothing
    let council = app.login("council").await;
    let page = council.get(&url).send().await.unwrap().text().await.unwrap();
    assert!(!page.contains("id=\"bc-fill") && !page.contains("id=\"bc-save\""));
    assert_eq!(council.post(&url).multipart(multipart(&fields, "fill", false)).send().await.unwrap().status(), 403);
});
