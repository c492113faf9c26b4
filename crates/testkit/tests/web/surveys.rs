//! Questionnaires and surveys: import, the public form, responses, tokens, paper keying, comments.

use super::*;

backend_tests!(questionnaires_import_publish_version_and_denials, |b| async move {
    let app = TestApp::spawn(b).await;
    let upload = |name: &str, bytes: Vec<u8>| Form::new().part("file", Part::bytes(bytes).file_name(name.to_string()));
    let sipas = corpus_file("own/sipas_vi.xlsx");
    // only the reform office manages questionnaires: everyone else is refused on every route;
    // the council and provincial leadership read the survey runs (issue #17), nobody else
    for user in ["officer.a", "leader.a", "appraiser", "council", "viewer"] {
        let c = app.login(user).await;
        let reader = matches!(user, "council" | "viewer");
        for path in ["/surveys/x", "/surveys/x/preview", "/surveys/x/download"] {
            assert_eq!(c.get(app.url(path)).send().await.unwrap().status(), 403, "{user} GET {path}");
        }
        let list = c.get(app.url("/surveys")).send().await.unwrap();
        assert_eq!(list.status(), if reader { 200 } else { 403 }, "{user} GET /surveys");
        if reader {
            let page = list.text().await.unwrap();
            assert!(!page.contains("/surveys/import") && !page.contains("id=\"new-run\""), "{user} reads, with no forms");
        }
        let r = c.post(app.url("/surveys/import")).multipart(upload("sipas.xlsx", sipas.clone())).send().await.unwrap();
        assert_eq!(r.status(), 403, "{user} imports");
        assert_eq!(c.post(app.url("/surveys/x/publish")).send().await.unwrap().status(), 403, "{user} publishes");
        let home = c.get(app.url("/")).send().await.unwrap().text().await.unwrap();
        assert_eq!(home.contains("href=\"/surveys\""), reader, "{user}'s menu entry");
        let api = app.api(user).await;
        assert_eq!(api.get(app.url("/api/v1/questionnaires")).send().await.unwrap().status(), 403);
        assert_eq!(api.post(app.url("/api/v1/questionnaires")).body(sipas.clone()).send().await.unwrap().status(), 403);
    }
    assert!(app.store.list_questionnaires().await.unwrap().is_empty());
    let sec = app.login("secretariat").await;
    assert!(sec.get(app.url("/")).send().await.unwrap().text().await.unwrap().contains("href=\"/surveys\""));
    // a broken workbook: all 7 errors, nothing saved
    let r = sec.post(app.url("/surveys/import")).multipart(upload("hong.xlsx", corpus_file("own/broken.xlsx"))).send().await.unwrap();
    assert_eq!(r.status(), 422);
    let page = r.text().await.unwrap();
    assert_eq!(page.matches("class=\"badge err\"").count(), 7, "{page}");
    assert!(page.contains("hong.xlsx") && page.contains("integr") && page.contains("dòng 6"), "{page}");
    assert!(app.store.list_questionnaires().await.unwrap().is_empty());
    // a form with unsupported parts: imported as a draft with its report
    let r = sec
        .post(app.url("/surveys/import"))
        .multipart(upload("widgets.xls", corpus_file("pyxform/tests/example_xls/widgets.xls")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let page = r.text().await.unwrap();
    assert!(page.contains("id=\"import-report\"") && page.contains("my_geopoint") && page.contains("Không nhập"), "{page}");
    // the SIPAS form: no report; its page, preview, downloads
    let r = sec.post(app.url("/surveys/import")).multipart(upload("sipas_vi.xlsx", sipas.clone())).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let page = r.text().await.unwrap();
    assert!(!page.contains("id=\"import-report\"") && page.contains("Đã nhập phiếu từ tệp sipas_vi.xlsx"));
    assert!(page.contains("Thang Likert 5 mức") && page.contains("Bảng ma trận"));
    let preview = sec.get(app.url("/surveys/sipas_2025/preview")).send().await.unwrap().text().await.unwrap();
    assert!(preview.contains("class=\"matrix\"") && preview.contains("Rất hài lòng"));
    let xlsx = sec.get(app.url("/surveys/sipas_2025/download")).send().await.unwrap().bytes().await.unwrap();
    let again = parindex_reports::xlsform::import_xlsform("again.xlsx", &xlsx);
    assert_eq!(again.questionnaire.as_ref().unwrap().questions().count(), 34, "{:?}", again.diags);
    let yaml = sec.get(app.url("/surveys/sipas_2025/download?format=yaml")).send().await.unwrap().text().await.unwrap();
    assert!(parindex_reports::survey::parse_questionnaire("x.yaml", &yaml).is_ok());
    // publish: immutable — publishing again or re-importing the same code is refused
    let r = sec.post(app.url("/surveys/sipas_2025/publish")).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/surveys/sipas_2025?done=published");
    assert_eq!(sec.post(app.url("/surveys/sipas_2025/publish")).send().await.unwrap().status(), 422);
    let r = sec.post(app.url("/surveys/import")).multipart(upload("sipas_vi.xlsx", sipas.clone())).send().await.unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("đã công bố"));
    // a new version from it, as a draft
    let r = sec.post(app.url("/surveys/sipas_2025/versions")).form(&[("new_code", "sipas_2026")]).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/surveys/sipas_2026?done=version");
    let r = sec.post(app.url("/surveys/sipas_2025/versions")).form(&[("new_code", "sipas_2026")]).send().await.unwrap();
    assert_eq!(r.status(), 422, "the code is taken");
    let list = sec.get(app.url("/surveys")).send().await.unwrap().text().await.unwrap();
    assert!(list.contains("sipas_2025") && list.contains("sipas_2026") && list.contains("Đã công bố") && list.contains("Dự thảo"));
    // the API: list, one, import with diagnostics, refusal with every error, publish, XLSForm
    let api = app.api("secretariat").await;
    let rows: Vec<Value> = api.get(app.url("/api/v1/questionnaires")).send().await.unwrap().json().await.unwrap();
    assert_eq!(rows.len(), 3);
    let one: Value = api.get(app.url("/api/v1/questionnaires/sipas_2025")).send().await.unwrap().json().await.unwrap();
    let sections = one["definition"]["sections"].as_array().unwrap();
    assert_eq!(sections.iter().filter(|s| s["matrix"] == true).count(), 5);
    assert_eq!(sections.iter().map(|s| s["questions"].as_array().unwrap().len()).sum::<usize>(), 34);
    let r = api
        .post(app.url("/api/v1/questionnaires?filename=loop.xlsx"))
        .body(corpus_file("pyxform/tests/example_xls/loop.xlsx"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["diagnostics"].as_array().unwrap().iter().filter(|d| d["level"] == "not_imported").count(), 2);
    let r = api.post(app.url("/api/v1/questionnaires?filename=broken.xlsx")).body(corpus_file("own/broken.xlsx")).send().await.unwrap();
    assert_eq!(r.status(), 422);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"]["details"].as_array().unwrap().len(), 7);
    assert_eq!(api.post(app.url("/api/v1/questionnaires/sipas_2026/publish")).send().await.unwrap().status(), 200);
    assert_eq!(api.post(app.url("/api/v1/questionnaires/sipas_2026/publish")).send().await.unwrap().status(), 409);
    let r = api.get(app.url("/api/v1/questionnaires/sipas_2026/xlsform")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(parindex_reports::xlsform::import_xlsform("x.xlsx", &r.bytes().await.unwrap()).questionnaire.is_some());
    let audit = app
        .store
        .list_audit(&parindex_store::repo::audit::AuditFilter { object_type: Some("questionnaire".into()), ..Default::default() })
        .await
        .unwrap();
    let actions: Vec<&str> = audit.entries.iter().map(|e| e.action.as_str()).collect();
    assert!(actions.contains(&"questionnaire.import") && actions.contains(&"questionnaire.publish"), "{actions:?}");
});

backend_tests!(public_survey_page_counts_checks_and_refuses, |b| async move {
    let app = TestApp::spawn(b).await;
    let sec = app.login("secretariat").await;
    let (run_url, run_id) = open_sipas_run(&app, &sec).await;
    assert_eq!(app.login("officer.a").await.get(app.url(&run_url)).send().await.unwrap().status(), 403);
    // the council reads the run's results, without the office's forms, links or downloads
    let council = app.login("council").await;
    let r = council.get(app.url(&run_url)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let page = r.text().await.unwrap();
    assert!(page.contains("id=\"indices\"") && page.contains("Chỉ xem"), "read only");
    for form in ["/populations", "/import", "/tokens", "/status/", "responses.csv", "/k/", "/poster/"] {
        assert!(!page.contains(form), "the council's page offers {form}");
    }
    assert_eq!(council.get(app.url(&format!("{run_url}/nhom"))).send().await.unwrap().status(), 200, "the groups too");
    let units = app.store.survey_units(run_id).await.unwrap();
    assert_eq!(units.len(), 1, "the fixture's one commune");
    let key = units[0].public_key.clone();
    // the public page: anonymous, small, no script
    let anon = app.client();
    let r = anon.get(app.url(&format!("/k/{key}"))).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let page = r.text().await.unwrap();
    let css = anon.get(app.url("/static/public.css")).send().await.unwrap().text().await.unwrap();
    assert!(page.len() + css.len() < 100_000, "{} + {} bytes", page.len(), css.len());
    // sent compressed to a phone that asks for it: the form in at most 10 KB (issue #17)
    let r = anon.get(app.url(&format!("/k/{key}"))).header("accept-encoding", "gzip").send().await.unwrap();
    assert_eq!(r.headers().get("content-encoding").map(|v| v.to_str().unwrap()), Some("gzip"));
    let gz = r.bytes().await.unwrap();
    assert!(gz.len() <= 10 * 1024, "{} bytes compressed", gz.len());
    let mut unzipped = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&gz[..]), &mut unzipped).unwrap();
    assert_eq!(unzipped.len(), page.len(), "the same page");
    // an icon, not a 404 on every page
    let icon = anon.get(app.url("/favicon.ico")).send().await.unwrap();
    assert_eq!((icon.status().as_u16(), icon.headers()["content-type"].to_str().unwrap()), (200, "image/svg+xml"));
    // works without JavaScript: a plain form; the one script only adds the "còn N câu" line
    assert_eq!(page.matches("<script").count(), 1, "one script");
    assert!(
        page.contains("<script src=\"/static/survey.js\" defer></script>") && page.contains("id=\"con-lai\"") && page.contains(" hidden ")
    );
    let js = anon.get(app.url("/static/survey.js")).send().await.unwrap();
    assert_eq!(js.headers()["content-type"], "text/javascript; charset=utf-8");
    assert!(page.contains("UBND xã Chiềng Cọ") && page.contains("Rất hài lòng"));
    assert_eq!(anon.get(app.url("/k/khong-co")).send().await.unwrap().status(), 404);
    // a refused response keeps what was chosen and says what is missing
    let (q, _) = app.store.get_questionnaire("MAU-SIPAS-2026").await.map(|(r, q)| (q, r)).unwrap();
    let likert: Vec<String> =
        q.questions().filter(|(_, x)| x.kind == parindex_core::survey::QuestionType::Likert).map(|(_, x)| x.name.clone()).collect();
    let singles: Vec<(String, String)> = q
        .questions()
        .filter(|(_, x)| x.kind == parindex_core::survey::QuestionType::SingleChoice && x.required)
        .map(|(_, x)| (x.name.clone(), q.list(x.list.as_deref().unwrap()).unwrap().choices[0].key.clone()))
        .collect();
    let mut body: Vec<(String, String)> = likert.iter().skip(1).map(|n| (n.clone(), "4".to_string())).collect();
    body.extend(singles.iter().cloned());
    let r = anon.post(app.url(&format!("/k/{key}?kenh=qr"))).form(&body).send().await.unwrap();
    assert_eq!(r.status(), 422);
    let page = r.text().await.unwrap();
    assert!(page.contains("Câu này bắt buộc trả lời") && page.contains("value=\"4\" checked"), "kept and explained");
    assert_eq!(app.store.get_survey(run_id).await.unwrap().responses, 0);
    // a good one is counted; the same form again from the same device is told, not counted
    body.push((likert[0].clone(), "5".into()));
    let r = anon.post(app.url(&format!("/k/{key}?kenh=qr"))).form(&body).send().await.unwrap();
    assert_eq!(r.headers()["location"], format!("/k/{key}/cam-on"));
    let r = anon.post(app.url(&format!("/k/{key}?kenh=qr"))).form(&body).send().await.unwrap();
    assert_eq!(r.headers()["location"], format!("/k/{key}/cam-on?trung=1"));
    let thanks = anon.get(app.url(&format!("/k/{key}/cam-on?trung=1"))).send().await.unwrap().text().await.unwrap();
    assert!(thanks.contains("không tính thêm"));
    assert_eq!(app.store.get_survey(run_id).await.unwrap().responses, 1);
    // forty citizens at once: grouped into few transactions, every one acknowledged and counted
    let mut sends = Vec::new();
    for i in 0..40 {
        let mut b = body.clone();
        let q = &likert[1 + i % 20];
        b.iter_mut().filter(|(k, _)| k == q).for_each(|(_, v)| *v = ((i % 5) + 1).to_string());
        // forty devices (the same answers from one device within a day are one response)
        let (c, url) = (app.client(), app.url(&format!("/k/{key}")));
        sends.push(tokio::spawn(async move {
            c.post(url).header("user-agent", format!("dien-thoai-{i}")).form(&b).send().await.unwrap().status().as_u16()
        }));
    }
    for s in sends {
        assert_eq!(s.await.unwrap(), 303);
    }
    assert_eq!(app.store.get_survey(run_id).await.unwrap().responses, 41);
    // the reform office sees the progress and the indices, and sets N (quota by Yamane)
    let page = sec.get(app.url(&run_url)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(&format!("/k/{key}")) && page.contains("Toàn tỉnh"), "{page}");
    let r = sec
        .post(app.url(&format!("{run_url}/populations")))
        .form(&[(format!("n:{}", units[0].unit_id), "1.000".to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], format!("{run_url}?done=populations"));
    assert_eq!(app.store.survey_units(run_id).await.unwrap()[0].quota, 286);
    let r = sec
        .post(app.url(&format!("{run_url}/populations")))
        .form(&[(format!("n:{}", units[0].unit_id), "nhiều".to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    // nothing about the respondent is stored with the answers
    let stored = app.store.survey_tallies(run_id).await.unwrap();
    assert_eq!(stored.units["XC"][0].n, 41 * 6);
});

backend_tests!(survey_responses_import_export_recount_and_denials, |b| async move {
    let app = TestApp::spawn(b).await;
    let sec = app.login("secretariat").await;
    let (run_url, run_id) = open_sipas_run(&app, &sec).await;
    let key = app.store.survey_units(run_id).await.unwrap()[0].public_key.clone();
    // two citizens answer on the public page
    let anon = app.client();
    for level in ["5", "2"] {
        let mut body: Vec<(String, String)> = (1..=30).map(|i| (format!("q{i:02}"), level.to_string())).collect();
        body.extend(
            [("age_group", "30-44"), ("gender", "F"), ("dan_toc", "kinh"), ("hoc_van", "thpt"), ("nghe_nghiep", "nong_dan")]
                .map(|(a, b)| (a.to_string(), b.to_string())),
        );
        let r = anon.post(app.url(&format!("/k/{key}"))).form(&body).send().await.unwrap();
        assert_eq!(r.status(), 303);
    }
    let header = format!(
        "response_id,unit_code,channel,submitted_at,age_group,{}",
        (1..=30).map(|i| format!("q{i:02}")).collect::<Vec<_>>().join(",")
    );
    let row = |id: usize, unit: &str, channel: &str, cell: &dyn Fn(usize) -> String| {
        format!("{id},{unit},{channel},2026-03-14T09:21:05+07:00,30-44,{}", (1..=30).map(cell).collect::<Vec<_>>().join(","))
    };
    // a file with bad rows: every one listed by row and column, nothing written
    let bad = responses_csv(
        &header,
        &[
            row(1, "XC", "paper", &|_| "4".into()),
            row(2, "KHONG-CO", "paper", &|_| "4".into()),
            row(3, "XC", "fax", &|i| if i == 5 { "7".into() } else { "3".into() }),
        ],
    );
    let upload = |bytes: Vec<u8>, name: &'static str| Form::new().text("channel", "paper").part("file", Part::bytes(bytes).file_name(name));
    let r = sec.post(app.url(&format!("{run_url}/import"))).multipart(upload(bad, "phieu-giay.csv")).send().await.unwrap();
    assert_eq!(r.status(), 422);
    let page = r.text().await.unwrap();
    for needle in ["số dòng sai: 2", "Dòng 3, cột unit_code", "KHONG-CO", "Dòng 4, cột channel", "Dòng 4, cột q05", "Chưa nhập phiếu nào"]
    {
        assert!(page.contains(needle), "{needle} in {page}");
    }
    assert_eq!(app.store.get_survey(run_id).await.unwrap().responses, 2, "nothing half-written");
    // a good file: blanks stay blank, the extra column is named as ignored
    let good = responses_csv(
        &header,
        &[row(1, "XC", "paper", &|i| if i == 30 { String::new() } else { "4".into() }), row(2, "xc", "", &|i| ((i % 5) + 1).to_string())],
    );
    let r = sec.post(app.url(&format!("{run_url}/import"))).multipart(upload(good.clone(), "phieu-giay.csv")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let page = r.text().await.unwrap();
    assert!(page.contains("Đã nhập số phiếu: 2") && page.contains("dan_toc") && page.contains("phieu-giay.csv"), "{page}");
    assert_eq!(app.store.get_survey(run_id).await.unwrap().responses, 4);
    // the same file twice is refused, not counted twice
    let r = sec.post(app.url(&format!("{run_url}/import"))).multipart(upload(good, "lai-lan-nua.csv")).send().await.unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("đã được nhập"));
    // a KoboToolbox export: groups in the names, split columns and metadata ignored
    let kobo = "start,end,ma_don_vi,tiep_can/q01,ky_vong/ky_vong,ky_vong/ky_vong/bot_thu_tuc,_id,_uuid,_submission_time\n\
                2026-03-14T09:00:00,2026-03-14T09:05:00,XC,5,bot_thu_tuc nhanh_hon,1,17,abc,2026-03-14T02:06:00\n";
    let r = sec.post(app.url(&format!("{run_url}/import"))).multipart(upload(kobo.as_bytes().to_vec(), "kobo.csv")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(app.store.get_survey(run_id).await.unwrap().responses, 5);
    // the indices shown equal a computation from the system's own raw-response export
    let export = sec.get(app.url(&format!("{run_url}/responses.csv"))).send().await.unwrap();
    assert_eq!(export.status(), 200);
    let export = export.bytes().await.unwrap();
    assert_eq!(export.split(|b| *b == b'\n').filter(|l| !l.is_empty()).count(), 6, "header and five responses");
    let shown = sec.get(app.url(&format!("{run_url}/indices.csv"))).send().await.unwrap().text().await.unwrap();
    let from_export = parindex_core::sipas::to_csv(&parindex_core::sipas::indices(&parindex_core::sipas::tally_csv(&export, 2).unwrap()));
    assert_eq!(from_export, shown);
    let xc_sipas: f64 = shown.lines().find(|l| l.starts_with("XC,sipas,")).unwrap().split(',').nth(3).unwrap().parse().unwrap();
    let page = sec.get(app.url(&run_url)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(&format!("<strong>{}</strong>", format!("{xc_sipas:.1}").replace('.', ","))), "{xc_sipas} on the page");
    // with its 95 % interval over the unit's five respondents, and the ranking of expectations
    let (lo, hi) = parindex_core::sipas::wilson_95(xc_sipas, 5).unwrap();
    let ci = format!("{}–{}", format!("{lo:.1}").replace('.', ","), format!("{hi:.1}").replace('.', ","));
    assert!(page.contains("Khoảng tin cậy 95%") && page.contains(&ci), "{ci}");
    assert!(page.contains("Mong đợi của người dân") && page.contains("Giảm bớt thủ tục hành chính") && page.contains("20,0%"));
    // the same as a workbook, streamed from disk: the same rows, Likert answers as numbers
    let x = sec.get(app.url(&format!("{run_url}/responses.xlsx"))).send().await.unwrap();
    assert_eq!(x.status(), 200);
    let sheets = parindex_reports::table::read_workbook("r.xlsx", &x.bytes().await.unwrap()).unwrap();
    assert_eq!((sheets[0].0.as_str(), sheets[0].1.rows.len()), ("responses", 5));
    let csv_lines: Vec<String> = String::from_utf8(export.to_vec()).unwrap().lines().skip(1).map(String::from).collect();
    assert_eq!(sheets[0].1.rows[0].1[1], csv_lines[0].split(',').nth(1).unwrap(), "unit code");
    // (and, like the CSV, not for the units)
    assert_eq!(app.login("officer.a").await.get(app.url(&format!("{run_url}/responses.xlsx"))).send().await.unwrap().status(), 403);
    // and the export reads back as an import (into nothing new: the same answers)
    let text = String::from_utf8(export.to_vec()).unwrap();
    assert!(text.lines().nth(1).unwrap().contains(",XC,web,"), "{text}");
    assert!(text.contains("bot_thu_tuc nhanh_hon"));
    // recount from the raw responses gives the same indices
    let r = sec.post(app.url(&format!("{run_url}/recount"))).send().await.unwrap();
    assert_eq!(r.headers()["location"], format!("{run_url}?done=recount"));
    assert_eq!(sec.get(app.url(&format!("{run_url}/indices.csv"))).send().await.unwrap().text().await.unwrap(), shown);
    assert_eq!(app.store.get_survey(run_id).await.unwrap().responses, 5);
    // the unit's QR poster carries its link with the QR channel
    let unit_id = app.store.survey_units(run_id).await.unwrap()[0].unit_id;
    let r = sec.get(app.url(&format!("{run_url}/poster/{unit_id}?quay=Quầy%203"))).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("image/svg+xml"));
    let svg = r.text().await.unwrap();
    assert!(svg.contains(&format!("/k/{key}?kenh=qr")) && svg.contains("UBND xã Chiềng Cọ") && svg.contains("Quầy 3"), "{svg}");
    assert_eq!(sec.get(app.url(&format!("{run_url}/poster/999999"))).send().await.unwrap().status(), 404);
    // closed: the public link says so and takes nothing; imports are refused; reopened: takes again
    let r = sec.post(app.url(&format!("{run_url}/status/close"))).send().await.unwrap();
    assert_eq!(r.headers()["location"], format!("{run_url}?done=close"));
    assert!(sec.get(app.url(&run_url)).send().await.unwrap().text().await.unwrap().contains("Đã kết thúc"));
    let page = anon.get(app.url(&format!("/k/{key}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("đã kết thúc") && !page.contains("<form"), "closed public page");
    let mut body: Vec<(String, String)> = (1..=30).map(|i| (format!("q{i:02}"), "3".to_string())).collect();
    body.extend(
        [("age_group", "60+"), ("gender", "M"), ("dan_toc", "thai"), ("hoc_van", "thcs"), ("nghe_nghiep", "huu_tri")]
            .map(|(a, b)| (a.to_string(), b.to_string())),
    );
    assert_eq!(anon.post(app.url(&format!("/k/{key}"))).form(&body).send().await.unwrap().status(), 409);
    let late = responses_csv("unit_code,q01", &["XC,3".to_string()]);
    let r = sec.post(app.url(&format!("{run_url}/import"))).multipart(upload(late.clone(), "muon.csv")).send().await.unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("kết thúc"));
    assert_eq!(app.store.get_survey(run_id).await.unwrap().responses, 5);
    sec.post(app.url(&format!("{run_url}/status/reopen"))).send().await.unwrap();
    let r = sec.post(app.url(&format!("{run_url}/import"))).multipart(upload(late, "muon.csv")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(app.store.get_survey(run_id).await.unwrap().responses, 6);
    // nobody else imports, exports, recounts, closes or prints posters
    for user in ["officer.a", "leader.a", "appraiser", "viewer", "council"] {
        let c = app.login(user).await;
        assert_eq!(c.get(app.url(&format!("{run_url}/poster/{unit_id}"))).send().await.unwrap().status(), 403, "{user}");
        for path in ["responses.csv", "indices.csv"] {
            assert_eq!(c.get(app.url(&format!("{run_url}/{path}"))).send().await.unwrap().status(), 403, "{user} {path}");
        }
        assert_eq!(c.post(app.url(&format!("{run_url}/recount"))).send().await.unwrap().status(), 403, "{user}");
        let r = c
            .post(app.url(&format!("{run_url}/import")))
            .multipart(upload(b"unit_code,q01\nXC,5\n".to_vec(), "x.csv"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{user}");
    }
    let r = anon.get(app.url(&format!("{run_url}/responses.csv"))).send().await.unwrap();
    assert_ne!(r.status(), 200);
    assert_eq!(app.store.get_survey(run_id).await.unwrap().status, "open");
    assert_eq!(app.store.get_survey(run_id).await.unwrap().responses, 6);
});

backend_tests!(officials_answer_by_one_use_token_and_score_leaves, |b| async move {
    let app = TestApp::spawn(b).await;
    let sec = app.login("secretariat").await;
    let (run_url, run_id) = open_agency_run(&app, &sec, "cbcc-2026.yaml", "MAU-CBCC-2026", "CBCC-2026", "Điều tra cán bộ 2026", "10").await;
    let units = app.store.survey_units(run_id).await.unwrap();
    let ua = units.iter().find(|u| u.unit_code == "UA").unwrap().clone();
    // the open link of an officials' survey takes nothing
    let anon = app.client();
    let r = anon.get(app.url(&format!("/k/{}", ua.public_key))).send().await.unwrap();
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("mã mời"));
    assert_eq!(anon.post(app.url(&format!("/k/{}", ua.public_key))).form(&[("doi_tuong", "dai_bieu")]).send().await.unwrap().status(), 403);
    // …so the run's page offers no public link and no citizens' QR poster for it (issue #17)
    let page = sec.get(app.url(&run_url)).send().await.unwrap().text().await.unwrap();
    assert!(!page.contains(&format!("/k/{}", ua.public_key)) && !page.contains("class=\"poster\""), "no public link offered");
    assert!(page.contains("Phiếu mời"), "invitations instead");
    assert_eq!(sec.get(app.url(&format!("{run_url}/poster/{}", ua.unit_id))).send().await.unwrap().status(), 404);
    // tokens are issued only by the reform office, and come back once as a list of links
    for user in ["officer.a", "appraiser", "viewer"] {
        let c = app.login(user).await;
        let r = c
            .post(app.url(&format!("{run_url}/tokens")))
            .form(&[("unit", ua.unit_id.to_string()), ("count", "3".into())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{user}");
    }
    let r = sec
        .post(app.url(&format!("{run_url}/tokens")))
        .form(&[("unit", ua.unit_id.to_string()), ("count", "3".into())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-disposition"].to_str().unwrap().contains("CBCC-2026-UA-ma-moi.csv"));
    let csv = r.text().await.unwrap();
    let tokens: Vec<String> = csv.lines().skip(1).map(|l| l.split(',').nth(2).unwrap().to_string()).collect();
    assert_eq!(tokens.len(), 3);
    assert!(csv.contains(&format!("/t/{}", tokens[0])) && csv.contains("Sở Alpha"));
    let bad = sec
        .post(app.url(&format!("{run_url}/tokens")))
        .form(&[("unit", ua.unit_id.to_string()), ("count", "0".into())])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    // an official answers with a token: the form opens, a refused form keeps the token unused
    let r = anon.get(app.url(&format!("/t/{}", tokens[0]))).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("Sở Alpha") && page.contains(&format!("action=\"/t/{}#loi\"", tokens[0])),
        "posts back to itself, opening at the error summary"
    );
    let r = anon.post(app.url(&format!("/t/{}", tokens[0]))).form(&[("doi_tuong", "dai_bieu")]).send().await.unwrap();
    assert_eq!(r.status(), 422, "required questions missing");
    let answers = |level: &str| -> Vec<(String, String)> {
        let mut a: Vec<(String, String)> =
            ["tc1", "tc2", "tt1", "tt2", "tt3", "bm1", "bm2"].iter().map(|q| (q.to_string(), level.to_string())).collect();
        a.push(("doi_tuong".into(), "dai_bieu".into()));
        a
    };
    let r = anon.post(app.url(&format!("/t/{}", tokens[0]))).form(&answers("5")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("Cảm ơn"));
    // the same token again: refused, whether to open or to send
    assert_eq!(anon.post(app.url(&format!("/t/{}", tokens[0]))).form(&answers("1")).send().await.unwrap().status(), 410);
    assert_eq!(anon.get(app.url(&format!("/t/{}", tokens[0]))).send().await.unwrap().status(), 410);
    assert_eq!(anon.get(app.url("/t/khongcomamoinay")).send().await.unwrap().status(), 410);
    let r = anon.post(app.url(&format!("/t/{}", tokens[1]))).form(&answers("4")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    // points: leaf 8.3 has 3 questions × 2 officials: (3 × 1 + 3 × 0.75) / 6 = 7/8 of its maximum
    let shares = app.store.survey_leaf_shares(run_id).await.unwrap();
    let l83 = shares.iter().find(|l| l.unit_code == "UA" && l.leaf == "8.3").unwrap();
    assert_eq!((l83.answers, l83.share.to_fraction_string()), (6, "7/8".to_string()));
    let page = sec.get(app.url(&run_url)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("87,50%") && page.contains("<code>7/8</code>"), "{page}");
    assert!(page.contains("id=\"token-counts\"") && page.contains("<td class=\"num\">3</td><td class=\"num\">2</td>"), "issued 3, used 2");
    // the stored responses carry the token channel and only the day
    let stored = app.store.responses_page(run_id, 0, 10).await.unwrap();
    assert_eq!(stored.len(), 2);
    assert!(stored.iter().all(|r| r.channel == "token" && !tokens.iter().any(|t| r.answers.contains(t.as_str()))));

    // the shares become the leaves' points in this year's period of the agency framework
    let sys = parindex_store::AuditCtx::system("test");
    let sample = include_str!("../../../../frameworks/samples/agency-2026.yaml");
    let fw = parindex_reports::framework::parse_framework("agency-2026.yaml", sample).unwrap();
    app.store.import_framework(&sys, fw, "agency-2026.yaml").await.unwrap();
    app.store.set_framework_status(&sys, "MAU-SO-2026", parindex_core::framework::Status::Published).await.unwrap();
    let period = |code: &str, year: i32| parindex_store::repo::periods::PeriodInput {
        code: code.into(),
        name: format!("Năm {year}"),
        year,
        framework_code: "MAU-SO-2026".into(),
        ..Default::default()
    };
    let p = app.store.create_period(&sys, period("2026", 2026)).await.unwrap();
    let other_year = app.store.create_period(&sys, period("2025", 2025)).await.unwrap();
    let page = sec.get(app.url(&run_url)).send().await.unwrap().text().await.unwrap();
    let at = page.find("id=\"apply-points\"").expect("the form");
    let form = &page[at..at + page[at..].find("</form>").unwrap()];
    assert!(form.contains(&format!("<option value=\"{}\">", p.id)));
    assert!(!form.contains(&format!("<option value=\"{}\">", other_year.id)), "only periods of the survey's year");
    for user in ["officer.a", "appraiser", "viewer"] {
        let c = app.login(user).await;
        assert_eq!(c.post(app.url(&format!("{run_url}/points"))).form(&[("period", p.id)]).send().await.unwrap().status(), 403, "{user}");
    }
    let r = sec.post(app.url(&format!("{run_url}/points"))).form(&[("period", other_year.id)]).send().await.unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Khảo sát năm 2026 không dùng cho kỳ đánh giá năm 2025"));
    let r = sec.post(app.url(&format!("{run_url}/points"))).form(&[("period", p.id)]).send().await.unwrap();
    let page = r.text().await.unwrap();
    assert!(page.contains("Đã ghi điểm khảo sát vào số tiêu chí: 3"), "UA's 8.2, 8.3, 8.4: {page}");
    let ua_assessment = app.store.list_assessments(p.id, parindex_core::UnitScope::All).await.unwrap();
    let ua_assessment = ua_assessment.iter().find(|a| a.unit_code == "UA").unwrap().id;
    let view = app.store.get_assessment(ua_assessment).await.unwrap();
    let e = &view.entries["8.3"];
    // 2.5 × 7/8 = 35/16, exactly
    assert_eq!(e.points, Some(parindex_core::Exact::ratio(35, 16)));
    assert!(e.note.as_deref().unwrap().contains("CBCC-2026: 6 câu trả lời, tỷ lệ 7/8"));
    assert!(!view.entries.contains_key("8.1"), "the citizens' leaf is not this survey's");
    // the unit sees the points and where they come from on its assessment page
    let officer = app.login("officer.a").await;
    let page = officer.get(app.url(&format!("/assessments/{ua_assessment}"))).send().await.unwrap().text().await.unwrap();
    let at = page.find("id=\"leaf-8.3\"").unwrap();
    let leaf = &page[at..at + page[at..].find("id=\"leaf-8.4\"").unwrap()];
    assert!(
        leaf.contains("2,19 / 2,50") && leaf.contains("tỷ lệ 7/8") && leaf.contains("Nguồn:"),
        "shown to the framework's 2 decimals: {leaf}"
    );
    // applying again changes nothing but the version; every write is in the audit log
    sec.post(app.url(&format!("{run_url}/points"))).form(&[("period", p.id)]).send().await.unwrap();
    let again = app.store.get_assessment(ua_assessment).await.unwrap();
    assert_eq!((again.entries["8.3"].points.clone(), again.entries["8.3"].version), (e.points.clone(), e.version + 1));
    // and through the API (the reform office; unit staff refused)
    let url = app.url(&format!("/api/v1/surveys/{run_id}/points"));
    assert_eq!(officer.post(&url).json(&serde_json::json!({"period": p.id})).send().await.unwrap().status(), 403);
    let v: serde_json::Value = sec.post(&url).json(&serde_json::json!({"period": p.id})).send().await.unwrap().json().await.unwrap();
    let l83 = v["applied"].as_array().unwrap().iter().find(|a| a["leaf"] == "8.3").unwrap().clone();
    assert_eq!((l83["unit_code"].as_str(), l83["share"].as_str(), l83["answers"].as_u64()), (Some("UA"), Some("7/8"), Some(6)));
    let f = parindex_store::repo::audit::AuditFilter { action: Some("assessment.survey_points".into()), ..Default::default() };
    assert_eq!(app.store.list_audit(&f).await.unwrap().total, 9);
});

backend_tests!(paper_forms_are_keyed_in_by_number_and_checked, |b| async move {
    let app = TestApp::spawn(b).await;
    let sec = app.login("secretariat").await;
    let (run_url, run_id) = open_sipas_run(&app, &sec).await;
    let unit = app.store.survey_units(run_id).await.unwrap()[0].clone();
    let r = sec.get(app.url(&format!("{run_url}/nhap"))).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let page = r.text().await.unwrap();
    assert!(page.contains("name=\"f:q01\"") && page.contains("data-one-key=\"5\"") && page.contains("/static/entry.js"));
    let form = |cells: &[(&str, &str)]| -> Vec<(String, String)> {
        let mut f = vec![("unit".to_string(), unit.unit_id.to_string())];
        f.extend(cells.iter().map(|(k, v)| (format!("f:{k}"), v.to_string())));
        f
    };
    let mut cells: Vec<(String, String)> = (1..=30).map(|i| (format!("q{i:02}"), "4".to_string())).collect();
    cells.extend(
        [("age_group", "2"), ("gender", "F"), ("ky_vong", "1 3"), ("gop_y", "Cán bộ nhiệt tình")]
            .map(|(a, b)| (a.to_string(), b.to_string())),
    );
    cells.retain(|(k, _)| k != "q30"); // blank on the paper form: stays blank
    let as_refs: Vec<(&str, &str)> = cells.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    // a wrong number is shown beside its question and nothing is stored
    let mut bad = as_refs.clone();
    bad.push(("q30", "7"));
    let r = sec.post(app.url(&format!("{run_url}/nhap"))).form(&form(&bad)).send().await.unwrap();
    assert_eq!(r.status(), 422);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("id=\"e-q30\"") && page.contains("value=\"7\"") && page.contains("value=\"Cán bộ nhiệt tình\""),
        "kept and explained"
    );
    assert_eq!(sec.post(app.url(&format!("{run_url}/nhap"))).form(&form(&[])).send().await.unwrap().status(), 422, "an empty form");
    assert_eq!(app.store.get_survey(run_id).await.unwrap().responses, 0);
    // a good one: numbers become the options' keys; stored as a paper form
    let r = sec.post(app.url(&format!("{run_url}/nhap"))).form(&form(&as_refs)).send().await.unwrap();
    assert_eq!(r.headers()["location"], format!("{run_url}/nhap?unit={}&saved=1", unit.unit_id));
    let stored = app.store.responses_page(run_id, 0, 10).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].channel, "paper");
    let a: Value = serde_json::from_str(&stored[0].answers).unwrap();
    assert_eq!((a["age_group"].as_str(), a["gender"].as_str()), (Some("30-44"), Some("F")));
    assert_eq!(a["ky_vong"], json!(["bot_thu_tuc", "nhanh_hon"]));
    assert!(a.get("q30").is_none());
    let page = sec.get(app.url(&format!("{run_url}/nhap?unit={}&saved=1", unit.unit_id))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Đã lưu phiếu") && page.contains("<strong id=\"keyed\">1</strong>"));
    // only the reform office keys in
    for user in ["officer.a", "appraiser", "viewer", "council"] {
        let c = app.login(user).await;
        assert_eq!(c.get(app.url(&format!("{run_url}/nhap"))).send().await.unwrap().status(), 403, "{user}");
        assert_eq!(c.post(app.url(&format!("{run_url}/nhap"))).form(&form(&as_refs)).send().await.unwrap().status(), 403, "{user}");
    }
    assert_eq!(app.store.get_survey(run_id).await.unwrap().responses, 1);
});

backend_tests!(comments_are_answered_by_their_unit_and_small_groups_stay_hidden, |b| async move {
    let app = TestApp::spawn(b).await;
    let sec = app.login("secretariat").await;
    let (run_url, run_id) =
        open_agency_run(&app, &sec, "sipas-2026.yaml", "MAU-SIPAS-2026", "KS-SO-2026", "Khảo sát các sở 2026", "50").await;
    let units = app.store.survey_units(run_id).await.unwrap();
    let (ua, ub) =
        (units.iter().find(|u| u.unit_code == "UA").unwrap().clone(), units.iter().find(|u| u.unit_code == "UB").unwrap().clone());
    // eleven women (all "4") and one man (all "1") answer for UA, three of them with a comment;
    // one woman answers for UB with a comment
    let anon = app.client();
    let send = |key: String, level: &'static str, gender: &'static str, comment: Option<String>, i: usize| {
        let (c, url) = (anon.clone(), app.url(&format!("/k/{key}")));
        async move {
            let mut body: Vec<(String, String)> = (1..=30).map(|q| (format!("q{q:02}"), level.to_string())).collect();
            body.push(("gender".into(), gender.into()));
            if let Some(t) = comment {
                body.push(("gop_y".into(), t));
            }
            // a device each (the same answers from one device within a day are one response)
            assert_eq!(c.post(url).header("user-agent", format!("dien-thoai-{i}")).form(&body).send().await.unwrap().status(), 303);
        }
    };
    for i in 0..11 {
        send(ua.public_key.clone(), "4", "F", (i < 2).then(|| format!("Góp ý số {i} cho Sở Alpha")), i).await;
    }
    send(ua.public_key.clone(), "1", "M", Some("Phải đi lại ba lần <b>mới</b> xong".into()), 11).await;
    send(ub.public_key.clone(), "5", "F", Some("Bí mật của Sở Bêta".into()), 12).await;

    // the breakdown: women shown (12 ≥ 10), the one man hidden, per unit too
    let page = sec.get(app.url(&format!("{run_url}/nhom"))).send().await.unwrap().text().await.unwrap();
    let row = |page: &str, label: &str| {
        let at = page.find(&format!("<td>{label}</td>")).unwrap_or_else(|| panic!("{label} in {page}"));
        page[at..at + page[at..].find("</tr>").unwrap()].to_string()
    };
    assert!(row(&page, "Nữ").contains("<td class=\"num\">12</td>") && row(&page, "Nữ").contains("100,0"), "{}", row(&page, "Nữ"));
    let man = row(&page, "Nam");
    assert!(man.contains("&#60; 10") && !man.contains("0,0"), "hidden: {man}");
    let page = sec.get(app.url(&format!("{run_url}/nhom?unit={}", ub.unit_id))).send().await.unwrap().text().await.unwrap();
    assert!(row(&page, "Nữ").contains("&#60; 10") && !page.contains("<td>Nam</td>"), "one unit’s breakdown");
    assert_eq!(sec.get(app.url(&format!("{run_url}/nhom?unit=999999"))).send().await.unwrap().status(), 404);
    for user in ["officer.a", "appraiser"] {
        assert_eq!(app.login(user).await.get(app.url(&format!("{run_url}/nhom"))).send().await.unwrap().status(), 403, "{user}");
    }
    // the council and provincial leadership read the groups (issue #17): small groups stay hidden
    let page = app.login("viewer").await.get(app.url(&format!("{run_url}/nhom"))).send().await.unwrap().text().await.unwrap();
    assert!(row(&page, "Nam").contains("&#60; 10"), "hidden for them too");
    // the breakdown is kept in the counts and rebuilt the same by a recount
    let before = app.store.survey_breakdown(run_id, None).await.unwrap();
    assert_eq!(
        before.iter().map(|c| (c.question.as_str(), c.option.as_str(), c.respondents)).collect::<Vec<_>>(),
        [("gender", "F", 12), ("gender", "M", 1)]
    );
    assert_eq!(before[0].elements[0], parindex_core::sipas::Tally { n: 6 * 12, top2: 6 * 12, sum: 6 * (11 * 4 + 5) });
    sec.post(app.url(&format!("{run_url}/recount"))).send().await.unwrap();
    assert_eq!(app.store.survey_breakdown(run_id, None).await.unwrap(), before);

    // comments: the unit's officer lands on their own unit's, unanswered first, escaped
    let officer = app.login("officer.a").await;
    let home = officer.get(app.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(home.contains("Góp ý của người dân về đơn vị") && home.contains("3 chưa trả lời"), "{home}");
    let page = officer.get(app.url(&format!("{run_url}/gop-y"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Góp ý số 0 cho Sở Alpha") && page.contains("Phải đi lại ba lần &#60;b&#62;mới&#60;/b&#62; xong"), "{page}");
    assert!(!page.contains("Bí mật của Sở Bêta"), "another unit's comment");
    let comments = app.store.survey_comments(run_id, ua.unit_id).await.unwrap();
    assert_eq!(comments.len(), 3);
    let first = &comments[0];
    // answered by the unit's officer; shown with who answered; counted on the run page
    let reply = |c: &reqwest::Client, unit: i64, response: i64, body: &str| {
        let (c, url) = (c.clone(), app.url(&format!("{run_url}/gop-y/{response}")));
        let form = [("unit", unit.to_string()), ("question", "gop_y".to_string()), ("body", body.to_string())];
        async move { c.post(url).form(&form).send().await.unwrap() }
    };
    let r = reply(&officer, ua.unit_id, first.response_id, "Sở xin tiếp thu và đã hướng dẫn lại.").await;
    assert_eq!(r.status(), 303);
    let page = officer.get(app.url(&format!("{run_url}/gop-y"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Sở xin tiếp thu và đã hướng dẫn lại.") && page.contains("officer.a"));
    let run_page = sec.get(app.url(&run_url)).send().await.unwrap().text().await.unwrap();
    assert!(run_page.contains(">3 (1)</a>") && run_page.contains(">1 (0)</a>"), "received (answered) per unit");
    // the leader may change the answer; a blank answer is refused with a message
    let leader = app.login("leader.a").await;
    assert_eq!(reply(&leader, ua.unit_id, first.response_id, "Sở đã bố trí thêm ghế chờ.").await.status(), 303);
    let r = reply(&leader, ua.unit_id, first.response_id, "   ").await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Hãy nhập nội dung trả lời"));
    let stored = app.store.survey_comments(run_id, ua.unit_id).await.unwrap();
    assert_eq!(
        stored.iter().find(|c| c.response_id == first.response_id).unwrap().reply.as_ref().unwrap().body,
        "Sở đã bố trí thêm ghế chờ."
    );
    // denials: another unit's comments, answering them, the office answering, other roles
    assert_eq!(officer.get(app.url(&format!("{run_url}/gop-y?unit={}", ub.unit_id))).send().await.unwrap().status(), 403);
    let ub_comment = app.store.survey_comments(run_id, ub.unit_id).await.unwrap()[0].response_id;
    assert_eq!(reply(&officer, ub.unit_id, ub_comment, "x").await.status(), 403, "not my unit");
    assert_eq!(reply(&officer, ua.unit_id, ub_comment, "x").await.status(), 404, "not my unit's response");
    assert_eq!(reply(&sec, ua.unit_id, first.response_id, "x").await.status(), 403, "the unit answers, not the office");
    for user in ["appraiser", "viewer", "council"] {
        let c = app.login(user).await;
        assert_eq!(c.get(app.url(&format!("{run_url}/gop-y?unit={}", ua.unit_id))).send().await.unwrap().status(), 403, "{user}");
    }
    let r = anon.get(app.url(&format!("{run_url}/gop-y?unit={}", ua.unit_id))).send().await.unwrap();
    assert!(r.status() == 401 || r.status() == 303, "{}", r.status());
    assert!(app.store.survey_comments(run_id, ub.unit_id).await.unwrap()[0].reply.is_none());
    // the office reads any unit's comments and answers, with the unit chooser
    let page = sec.get(app.url(&format!("{run_url}/gop-y?unit={}", ub.unit_id))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Bí mật của Sở Bêta") && page.contains("id=\"unit-filter\"") && !page.contains("reply-form"));
    // the same through the JSON API
    let api = |path: String| app.url(&format!("/api/v1/surveys/{run_id}{path}"));
    let r = officer.get(api("/comments".into())).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["comments"].as_array().unwrap().len(), 3);
    assert!(!v.to_string().contains("Bí mật của Sở Bêta"));
    assert_eq!(officer.get(api(format!("/comments?unit={}", ub.unit_id))).send().await.unwrap().status(), 403);
    let body = serde_json::json!({"unit": ua.unit_id, "question": "gop_y", "body": "Trả lời qua API"});
    assert_eq!(officer.post(api(format!("/comments/{}", comments[1].response_id))).json(&body).send().await.unwrap().status(), 204);
    let other = serde_json::json!({"unit": ub.unit_id, "question": "gop_y", "body": "x"});
    assert_eq!(officer.post(api(format!("/comments/{ub_comment}"))).json(&other).send().await.unwrap().status(), 403);
    for (c, status) in [(&officer, 403), (&sec, 200)] {
        assert_eq!(c.get(api("/breakdown".into())).send().await.unwrap().status(), status);
        assert_eq!(c.get(api(String::new())).send().await.unwrap().status(), status);
    }
    let v: serde_json::Value = sec.get(api("/breakdown".into())).send().await.unwrap().json().await.unwrap();
    let groups = v["groups"].as_array().unwrap();
    assert_eq!(groups[0]["respondents"], 12);
    assert_eq!(groups[0]["elements"][0]["share_top2"], 100.0);
    assert_eq!((groups[1]["hidden"].as_bool(), groups[1].get("respondents")), (Some(true), None), "{v}");
    let v: serde_json::Value = sec.get(api(String::new())).send().await.unwrap().json().await.unwrap();
    assert!(v["indices"].as_array().unwrap().iter().any(|r| r["unit_code"] == "UA" && r["element"] == "sipas"));
    assert!(v["comments"].as_array().unwrap().iter().any(|c| c["unit_id"] == ua.unit_id && c["received"] == 3 && c["answered"] == 2));
    let bad = "unit_code,q01\nUA,9\nKHONG,4\n";
    let r = sec.post(api("/responses?filename=x.csv".into())).body(bad).send().await.unwrap();
    assert_eq!(r.status(), 422);
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["error"]["details"].as_array().unwrap().len(), 2, "{v}");
    let r = sec.post(api("/responses?filename=x.csv".into())).body("unit_code,q01,gender\nUA,5,M\n").send().await.unwrap();
    assert_eq!(r.status(), 201);
    let export = sec.get(api("/responses".into())).send().await.unwrap().text().await.unwrap();
    assert_eq!(export.lines().count(), 1 + 14);
    // every answer is in the audit log
    let f = parindex_store::repo::audit::AuditFilter {
        action: Some("survey.reply".into()),
        object_id: Some(first.response_id.to_string()),
        ..Default::default()
    };
    assert_eq!(app.store.list_audit(&f).await.unwrap().total, 2);
});

backend_tests!(responses_keying_template_has_drop_downs_and_imports_as_filled, |b| async move {
    use parindex_core::survey::QuestionType;
    let app = TestApp::spawn_demo(b).await;
    let admin = app.login("admin").await;
    let mut found = None;
    for s in app.store.list_surveys().await.unwrap() {
        if app.store.response_id_range(s.id).await.unwrap().is_some_and(|r| r.2 > 0) {
            found = Some(s);
            break;
        }
    }
    let run = found.expect("the demo has a survey with responses");
    let url = app.url(&format!("/surveys/runs/{}/mau-nhap.xlsx", run.id));
    assert_eq!(app.login("canbo.stc").await.get(&url).send().await.unwrap().status(), 403);
    let r = admin.get(&url).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let bytes = r.bytes().await.unwrap().to_vec();
    let sheets = parindex_reports::table::read_workbook("mau.xlsx", &bytes).unwrap();
    assert_eq!(sheets.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(), ["phieu", "huong_dan", "danh_muc"]);
    let (_, q) = app.store.get_questionnaire(&run.questionnaire).await.unwrap();
    let questions: Vec<_> = q.questions().map(|(_, x)| x.clone()).filter(|x| x.kind != QuestionType::Note).collect();
    let header = &sheets[0].1.header;
    assert_eq!(&header[..3], ["unit_code", "channel", "submitted_at"]);
    assert_eq!(header[3..].to_vec(), questions.iter().map(|x| x.name.clone()).collect::<Vec<_>>());
    let units: Vec<String> = app.store.survey_units(run.id).await.unwrap().into_iter().map(|u| u.unit_code).collect();
    assert!(sheets[2].1.rows.iter().map(|(_, c)| c[0].clone()).eq(units.iter().cloned()), "the units' list");
    {
        use std::io::Read;
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes.clone())).unwrap();
        let mut xml = String::new();
        z.by_name("xl/worksheets/sheet1.xml").unwrap().read_to_string(&mut xml).unwrap();
        let choice = questions.iter().filter(|x| matches!(x.kind, QuestionType::Likert | QuestionType::SingleChoice)).count();
        assert!(xml.matches("type=\"list\"").count() >= choice + 2, "a list per choice question, the unit and the channel");
        assert!(xml.contains("danh_muc!$A$2"));
    }
    // filled with one paper form, it imports as it is
    let mut row = vec![units[0].clone(), "paper".into(), String::new()];
    for x in &questions {
        row.push(match x.kind {
            QuestionType::Likert | QuestionType::SingleChoice => q.list(x.list.as_deref().unwrap()).unwrap().choices[0].key.clone(),
            _ => String::new(),
        });
    }
    let before = app.store.get_survey(run.id).await.unwrap().responses;
    let filled = xlsx_of(header, &[row]);
    let form = Form::new().text("channel", "paper").part("file", Part::bytes(filled).file_name("mau-nhap-da-dien.xlsx"));
    let r = admin.post(app.url(&format!("/surveys/runs/{}/import", run.id))).multipart(form).send().await.unwrap();
    let status = r.status();
    let page = r.text().await.unwrap();
    assert_eq!(status, 200, "{}", &page[..page.len().min(600)]);
    assert_eq!(app.store.get_survey(run.id).await.unwrap().responses, before + 1);
});

backend_tests!(a_closed_survey_is_published_with_the_answers_units_made_public, |b| async move {
    let app = TestApp::spawn_demo(b).await;
    let admin = app.login("admin").await;
    let anon = app.client();
    let run = app.store.list_surveys().await.unwrap().into_iter().find(|s| s.code.starts_with("SIPAS")).unwrap();
    let page_url = app.url(&format!("/cong-khai/khao-sat/{}", run.code));
    // not published: not found, and not listed
    assert_eq!(anon.get(&page_url).send().await.unwrap().status(), 404);
    assert!(!anon.get(app.url("/cong-khai")).send().await.unwrap().text().await.unwrap().contains("published-surveys"));
    // only the office publishes, and only a closed survey
    let publish = app.url(&format!("/surveys/runs/{}/public/publish", run.id));
    for who in ["canbo.chiengsinh", "hoidong", "xem", "thamdinh.stp"] {
        assert_eq!(app.login(who).await.post(&publish).send().await.unwrap().status(), 403, "{who}");
    }
    let api = app.api("admin").await;
    let body = json!({"public": true});
    let r = api.post(app.url(&format!("/api/v1/surveys/{}/publish", run.id))).json(&body).send().await.unwrap();
    assert_eq!(r.status(), 409, "still open");
    let r = app.api("xem").await.post(app.url(&format!("/api/v1/surveys/{}/publish", run.id))).json(&body).send().await.unwrap();
    assert_eq!(r.status(), 403);
    let r = admin.post(&publish).send().await.unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Chỉ công khai được đợt khảo sát đã kết thúc"));
    assert_eq!(admin.post(app.url(&format!("/surveys/runs/{}/status/close", run.id))).send().await.unwrap().status(), 303);
    assert_eq!(admin.post(&publish).send().await.unwrap().status(), 303);
    // reopening would move public figures: refused while public
    let r = admin.post(app.url(&format!("/surveys/runs/{}/status/reopen", run.id))).send().await.unwrap();
    assert_eq!(r.status(), 409);
    // the public page: the province's figure as on the office's page, the units with enough
    // respondents, and only the answers a unit made public
    let page = anon.get(&page_url).send().await.unwrap().text().await.unwrap();
    let office = admin.get(app.url(&format!("/surveys/runs/{}", run.id))).send().await.unwrap().text().await.unwrap();
    let province_row = |p: &str| {
        let at = p.find("Toàn tỉnh").expect("the province's row");
        p[at..at + p[at..].find("</tr>").unwrap()].to_string()
    };
    let (public_row, office_row) = (province_row(&page), province_row(&office));
    let sipas = |row: &str| row.split("<strong>").nth(1).and_then(|x| x.split("</strong>").next()).unwrap().to_string();
    assert_eq!(sipas(&public_row), sipas(&office_row), "one computation for both pages");
    let cs = app.store.unit_id_by_code("P-CHIENGSINH").await.unwrap().unwrap();
    let comments = app.store.survey_comments(run.id, cs).await.unwrap();
    let public: Vec<_> = comments.iter().filter(|c| c.reply.as_ref().is_some_and(|r| r.public)).collect();
    let private: Vec<_> = comments.iter().filter(|c| c.reply.as_ref().is_some_and(|r| !r.public)).collect();
    assert!(!public.is_empty() && !private.is_empty(), "the demo has both");
    for c in &public {
        assert!(page.contains(&c.reply.as_ref().unwrap().body), "a public answer is shown");
    }
    // (the demo's comments repeat a few sentences: only those no public pair shares)
    let unanswered: Vec<_> = comments.iter().filter(|c| c.reply.is_none() && public.iter().all(|p| p.text != c.text)).collect();
    for c in unanswered.iter().take(5) {
        assert!(!page.contains(&c.text), "an unanswered comment is not public");
    }
    for user in ["canbo.", "demo-seed"] {
        assert!(!page.contains(user), "who answered is not public: {user}");
    }
    assert!(
        anon.get(app.url("/cong-khai")).send().await.unwrap().text().await.unwrap().contains(&format!("/cong-khai/khao-sat/{}", run.code))
    );
    // a unit makes another answer public from its page; taken off, the survey is gone again
    let officer = app.login("canbo.chiengsinh").await;
    let c = private[0];
    let r = officer
        .post(app.url(&format!("/surveys/runs/{}/gop-y/{}", run.id, c.response_id)))
        .form(&[
            ("unit", cs.to_string()),
            ("question", c.question.clone()),
            ("body", "Đã khắc phục, cảm ơn ông/bà.".into()),
            ("public", "1".into()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert!(anon.get(&page_url).send().await.unwrap().text().await.unwrap().contains("Đã khắc phục, cảm ơn ông/bà."));
    assert_eq!(admin.post(app.url(&format!("/surveys/runs/{}/public/unpublish", run.id))).send().await.unwrap().status(), 303);
    assert_eq!(anon.get(&page_url).send().await.unwrap().status(), 404);
});
