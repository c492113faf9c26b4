//! The inspections register over HTTP (issue #20): the office uploads a checklist, records the
//! plan and puts an inspection in it with its team; the team records the visit (verdicts,
//! a photo) and the draft findings; the leader issues the conclusion; the unit uploads documents
//! before the visit, never sees the team's notes or photos, and reports its remediation, which
//! the team returns or accepts. Another unit, an appraiser not on the team, the council and
//! anonymous visitors are refused every write and every read of it.

use super::*;

const PDF: &[u8] = b"%PDF-1.4\n% parindex test\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";

fn file_form(kind: &str, item: &str, name: &str) -> Form {
    Form::new()
        .text("kind", kind.to_string())
        .text("item_key", item.to_string())
        .text("note", "Ghi chú tệp".to_string())
        .part("file", Part::bytes(PDF.to_vec()).file_name(name.to_string()).mime_str("application/pdf").unwrap())
}

backend_tests!(inspections_from_plan_to_remediation_over_http, |b| async move {
    let app = TestApp::spawn(b).await;
    let year = parindex_core::assessment::today_vn().format("%Y").to_string();
    let office = app.login("secretariat").await;
    let page = office.get(app.url("/kiem-tra")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("id=\"kt-no-plan\"") && page.contains("action=\"/kiem-tra/bang-kiem"), "no plan, the office's forms");

    // a checklist: a broken one refused at the form (its line named), the sample kept
    let upload = |name: &str, text: &str| Form::new().part("file", Part::bytes(text.as_bytes().to_vec()).file_name(name.to_string()));
    let r = office.post(app.url("/kiem-tra/bang-kiem")).multipart(upload("hong.yaml", "code: [\n")).send().await.unwrap();
    assert_eq!(r.status(), 422);
    let body = r.text().await.unwrap();
    assert!(body.contains("id=\"kt-checklist-result\"") && body.contains("hong.yaml"), "{body}");
    let sample = parindex_reports::inspection::SAMPLES[0].1;
    let r = office.post(app.url("/kiem-tra/bang-kiem")).multipart(upload("cchc.yaml", sample)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("kiem_tra_cchc.yaml"));
    let yaml = office.get(app.url("/kiem-tra/bang-kiem/kiem_tra_cchc")).send().await.unwrap().text().await.unwrap();
    assert!(yaml.contains("code: kiem_tra_cchc"), "downloaded to edit");

    // the plan, then an inspection of UA (leader: appraiser; member: admin from the office)
    let plan = [("number", "12/KH-SNV".to_string()), ("signed_on", format!("10/01/{year}")), ("title", "Kế hoạch kiểm tra".to_string())];
    let r = office
        .post(app.url(&format!("/kiem-tra/ke-hoach?nam={year}")))
        .form(&[("number", ""), ("signed_on", "x"), ("title", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("id=\"kt-plan-error\""));
    assert_eq!(office.post(app.url(&format!("/kiem-tra/ke-hoach?nam={year}"))).form(&plan).send().await.unwrap().status(), 303);
    let new = |leader: &str, members: &str| {
        [
            ("unit", "UA"),
            ("checklist", "kiem_tra_cchc"),
            ("month", "3"),
            ("leader", leader),
            ("leader_department", "Sở Nội vụ"),
            ("members", members),
        ]
        .map(|(k, v)| (k, v.to_string()))
    };
    let r =
        office.post(app.url(&format!("/kiem-tra/moi?nam={year}"))).form(&new("appraiser", "khongco — Sở Tư pháp")).send().await.unwrap();
    assert_eq!(r.status(), 422);
    let body = r.text().await.unwrap();
    assert!(body.contains("id=\"kt-add-error\"") && body.contains("khongco"), "an unknown member named");
    let r = office.post(app.url(&format!("/kiem-tra/moi?nam={year}"))).form(&new("appraiser", "admin — Sở Nội vụ")).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let id: i64 = r.headers()["location"].to_str().unwrap().trim_start_matches("/kiem-tra/").split('?').next().unwrap().parse().unwrap();
    let at = |p: &str| app.url(&format!("/kiem-tra/{id}{p}"));

    // who reads it: the team and the unit; not another unit, an appraiser not on it... (the
    // fixture's only appraiser leads it: the council and the viewer stand for the others)
    let leader = app.login("appraiser").await;
    let a = app.login("officer.a").await;
    let b_ = app.login("officer.b").await;
    let council = app.login("council").await;
    for (who, c) in [("officer.b", &b_), ("council", &council)] {
        assert_eq!(c.get(at("")).send().await.unwrap().status(), 403, "{who}");
        let list = c.get(app.url("/kiem-tra")).send().await.unwrap().text().await.unwrap();
        assert!(!list.contains(&format!("id=\"kt-{id}\"")), "{who} does not see it in the list");
    }
    // anonymous is sent to sign in, reads and writes alike
    for path in ["/kiem-tra".to_string(), format!("/kiem-tra/{id}")] {
        assert_eq!(app.client().get(app.url(&path)).send().await.unwrap().status(), 303, "{path}");
    }
    assert_eq!(app.client().post(at("/ban-hanh")).form(&[("number", "1")]).send().await.unwrap().status(), 303);

    // the unit uploads a document before the visit; it cannot add a photo, nor record verdicts
    let r = a.post(at("/tep")).multipart(file_form("document", "chi_dao.ke_hoach", "ke-hoach.pdf")).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(a.post(at("/tep")).multipart(file_form("photo", "", "anh.pdf")).send().await.unwrap().status(), 403);
    assert_eq!(b_.post(at("/tep")).multipart(file_form("document", "", "x.pdf")).send().await.unwrap().status(), 403);
    let keys: Vec<String> = app.store.inspection_checklist("kiem_tra_cchc").await.unwrap().items().into_iter().map(|(k, _, _)| k).collect();
    let mut verdicts: Vec<(String, String)> = vec![("version".into(), "0".into()), ("visited_on".into(), format!("05/03/{year}"))];
    for (i, k) in keys.iter().enumerate() {
        verdicts.push((format!("v_{k}"), if i == 0 { "not_compliant" } else { "compliant" }.into()));
        verdicts.push((format!("n_{k}"), if i == 0 { "GHI-CHU-CUA-DOAN".into() } else { String::new() }));
    }
    assert_eq!(a.post(at("/ket-qua")).form(&verdicts).send().await.unwrap().status(), 403);
    // a note with no verdict is refused (the item named), and what was typed stays on the page
    let lone = [
        ("version", "0".to_string()),
        (&*format!("n_{}", keys[1]), "GHI-CHU-CHUA-CHON".to_string()),
        (&*format!("v_{}", keys[0]), "partly".to_string()),
    ];
    let r = leader.post(at("/ket-qua")).form(&lone).send().await.unwrap();
    assert_eq!(r.status(), 422);
    let body = r.text().await.unwrap();
    assert!(body.contains("id=\"kt-visit-error\"") && body.contains("GHI-CHU-CHUA-CHON"), "kept at the form");
    assert!(body.contains(&format!("name=\"v_{}\" value=\"partly\" checked", keys[0])), "the verdict typed kept too");
    assert_eq!(leader.post(at("/ket-qua")).form(&verdicts).send().await.unwrap().status(), 303);
    let r = leader.post(at("/tep")).multipart(file_form("photo", &keys[0], "anh-niem-yet.pdf")).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let team_page = leader.get(at("")).send().await.unwrap().text().await.unwrap();
    assert!(team_page.contains("GHI-CHU-CUA-DOAN") && team_page.contains("anh-niem-yet.pdf") && team_page.contains("ke-hoach.pdf"));

    // a draft finding: refused without a severity (kept at the form), then added
    let finding = |severity: &str| {
        [
            ("item_key", keys[0].as_str()),
            ("severity", severity),
            ("text", "Kế hoạch ban hành chậm"),
            ("rec_text", "Bổ sung kinh phí"),
            ("rec_owner", ""),
            ("rec_deadline", "30/06/2099"),
            ("version", "0"),
        ]
        .map(|(k, v)| (k, v.to_string()))
    };
    let r = leader.post(at("/phat-hien")).form(&finding("")).send().await.unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("id=\"kt-finding-error\""));
    assert_eq!(a.post(at("/phat-hien")).form(&finding("moderate")).send().await.unwrap().status(), 403);
    assert_eq!(leader.post(at("/phat-hien")).form(&finding("moderate")).send().await.unwrap().status(), 303);
    let unit_page = a.get(at("")).send().await.unwrap().text().await.unwrap();
    assert!(!unit_page.contains("GHI-CHU-CUA-DOAN") && !unit_page.contains("anh-niem-yet.pdf"), "never the team's notes");
    assert!(!unit_page.contains("Bổ sung kinh phí"), "the draft is the team's");
    let photo = app
        .store
        .inspection(
            &parindex_core::Actor { user_id: 0, username: "x".into(), role: parindex_core::Role::Admin, unit_id: None },
            id,
            parindex_core::assessment::today_vn(),
        )
        .await
        .unwrap()
        .files
        .into_iter()
        .find(|f| f.kind == "photo")
        .unwrap();
    assert_eq!(a.get(app.url(&format!("/kiem-tra/tep/{}", photo.id))).send().await.unwrap().status(), 403, "nor its photo by link");
    assert_eq!(leader.get(app.url(&format!("/kiem-tra/tep/{}", photo.id))).send().await.unwrap().status(), 200);

    // the conclusion: refused without a number (said at the form), the unit cannot issue, the leader issues
    let today = parindex_core::text::format_date(parindex_core::assessment::today_vn());
    let issue = |number: &str| {
        [("number", number), ("concluded_on", today.as_str()), ("summary", "Cơ bản đầy đủ"), ("version", "0")]
            .map(|(k, v)| (k, v.to_string()))
    };
    assert_eq!(a.post(at("/ban-hanh")).form(&issue("45/KL-SNV")).send().await.unwrap().status(), 403);
    let r = leader.post(at("/ban-hanh")).form(&issue("")).send().await.unwrap();
    assert_eq!(r.status(), 422);
    let body = r.text().await.unwrap();
    assert!(body.contains("id=\"kt-issue-error\"") && body.contains("Hãy ghi số văn bản"), "the field named");
    assert_eq!(leader.post(at("/ban-hanh")).form(&issue("45/KL-SNV")).send().await.unwrap().status(), 303);
    let unit_page = a.get(at("")).send().await.unwrap().text().await.unwrap();
    assert!(unit_page.contains("45/KL-SNV") && unit_page.contains("Bổ sung kinh phí") && !unit_page.contains("GHI-CHU-CUA-DOAN"));
    let list = a.get(app.url("/kiem-tra")).send().await.unwrap().text().await.unwrap();
    assert!(list.contains("id=\"kt-own\"") && list.contains("Bổ sung kinh phí"), "the unit's recommendations to remedy");
    assert_eq!(leader.post(at("/ket-qua")).form(&verdicts).send().await.unwrap().status(), 403, "issued: no more verdicts");

    // the follow-up: UB may not report, UA reports with a file, the team returns, UA again, the team accepts
    let rec = app
        .store
        .unit_recommendations(
            &parindex_core::Actor { user_id: 0, username: "x".into(), role: parindex_core::Role::Admin, unit_id: None },
            id_of(&app, "UA").await,
            parindex_core::assessment::today_vn(),
        )
        .await
        .unwrap()[0]
        .id;
    let remediation = |text: &str| {
        Form::new()
            .text("text", text.to_string())
            .part("file", Part::bytes(PDF.to_vec()).file_name("qd.pdf").mime_str("application/pdf").unwrap())
    };
    assert_eq!(b_.post(at(&format!("/kien-nghi/{rec}/khac-phuc"))).multipart(remediation("Đã xong")).send().await.unwrap().status(), 403);
    let r = a.post(at(&format!("/kien-nghi/{rec}/khac-phuc"))).multipart(remediation(" ")).send().await.unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains(&format!("id=\"rec-error-{rec}\"")), "said at the recommendation");
    assert_eq!(
        a.post(at(&format!("/kien-nghi/{rec}/khac-phuc"))).multipart(remediation("Đã bổ sung kinh phí")).send().await.unwrap().status(),
        303
    );
    let decide = |d: &str, reason: &str| [("decision", d), ("reason", reason), ("version", "0")].map(|(k, v)| (k, v.to_string()));
    assert_eq!(a.post(at(&format!("/kien-nghi/{rec}/quyet-dinh"))).form(&decide("accept", "")).send().await.unwrap().status(), 403);
    let r = leader.post(at(&format!("/kien-nghi/{rec}/quyet-dinh"))).form(&decide("return", "")).send().await.unwrap();
    assert_eq!(r.status(), 422, "a return needs its reason");
    assert_eq!(
        leader.post(at(&format!("/kien-nghi/{rec}/quyet-dinh"))).form(&decide("return", "Thiếu quyết định")).send().await.unwrap().status(),
        303
    );
    let unit_page = a.get(at("")).send().await.unwrap().text().await.unwrap();
    assert!(unit_page.contains("Thiếu quyết định") && unit_page.contains(&format!("action=\"/kiem-tra/{id}/kien-nghi/{rec}/khac-phuc\"")));
    assert_eq!(
        a.post(at(&format!("/kien-nghi/{rec}/khac-phuc"))).multipart(remediation("Gửi kèm quyết định")).send().await.unwrap().status(),
        303
    );
    assert_eq!(leader.post(at(&format!("/kien-nghi/{rec}/quyet-dinh"))).form(&decide("accept", "")).send().await.unwrap().status(), 303);
    let unit_page = a.get(at("")).send().await.unwrap().text().await.unwrap();
    assert!(unit_page.contains(&format!("id=\"rec-status-{rec}\">Đã khắc phục")), "remedied");
    let remediation_file = unit_page.split("/kiem-tra/tep/").nth(1).map(|s| s.split('"').next().unwrap().to_string()).unwrap();
    assert_eq!(a.get(app.url(&format!("/kiem-tra/tep/{remediation_file}"))).send().await.unwrap().status(), 200);
    assert_eq!(b_.get(app.url(&format!("/kiem-tra/tep/{remediation_file}"))).send().await.unwrap().status(), 403);
    // the year in figures: the office and provincial leadership; the rate is the measure's (1 of 1 due... the
    // deadline is ahead, the remedied one counts as due: 100 %)
    let page = office.get(app.url(&format!("/kiem-tra/tong-hop?nam={year}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("id=\"kt-by-topic\"") && page.contains("cải cách hành chính") && page.contains("100,0"), "{page}");
    assert!(page.contains("Ban hành kế hoạch CCHC năm đúng hạn, đủ nội dung"), "the item found not compliant");
    let x = office.get(app.url(&format!("/kiem-tra/tong-hop?nam={year}&bang=linh-vuc"))).send().await.unwrap();
    assert_eq!(x.status(), 200);
    assert!(x.bytes().await.unwrap().starts_with(b"PK"), "an XLSX");
    assert_eq!(app.login("viewer").await.get(app.url("/kiem-tra/tong-hop")).send().await.unwrap().status(), 200);
    for (who, c) in [("officer.a", &a), ("appraiser", &leader), ("council", &council)] {
        assert_eq!(c.get(app.url("/kiem-tra/tong-hop")).send().await.unwrap().status(), 403, "{who}");
    }
    // the office's writes are the office's
    for (who, c) in [("officer.a", &a), ("appraiser", &leader), ("council", &council)] {
        assert_eq!(c.post(app.url(&format!("/kiem-tra/ke-hoach?nam={year}"))).form(&plan).send().await.unwrap().status(), 403, "{who}");
        assert_eq!(
            c.post(app.url(&format!("/kiem-tra/moi?nam={year}"))).form(&new("appraiser", "")).send().await.unwrap().status(),
            403,
            "{who}"
        );
        assert_eq!(c.post(app.url("/kiem-tra/bang-kiem")).multipart(upload("c.yaml", sample)).send().await.unwrap().status(), 403, "{who}");
    }
});

// The conclusion and its notice as DOCX and PDF (Decree 30 layout): Vietnamese intact, the
// DOCX converted by LibreOffice reads back the same, the team's notes nowhere; only whoever
// reads the issued conclusion downloads it, and nothing before it is issued.
backend_tests!(the_conclusion_is_a_document_in_the_decree_30_layout, |b| async move {
    use parindex_store::repo::inspections::*;
    use parindex_testkit::office;
    let app = TestApp::spawn(b).await;
    let today = parindex_core::assessment::today_vn();
    let year = chrono::Datelike::year(&today);
    let s = &app.store;
    let ctx = parindex_store::AuditCtx::system("test");
    let users = s.list_users().await.unwrap();
    let who = |name: &str| {
        let u = users.iter().find(|u| u.username == name).unwrap();
        parindex_core::Actor {
            user_id: u.id,
            username: u.username.clone(),
            role: parindex_core::Role::parse(&u.role).unwrap(),
            unit_id: u.unit_id,
        }
    };
    let (office_actor, leader) = (who("secretariat"), who("appraiser"));
    s.save_checklist(&ctx, &parindex_reports::inspection::samples()[0]).await.unwrap();
    s.set_inspection_plan(
        &ctx,
        &office_actor,
        year,
        InspectionPlanInput { number: "12/KH-SNV".into(), signed_on: today, title: "Kế hoạch kiểm tra".into() },
    )
    .await
    .unwrap();
    let members = vec![MemberInput {
        user_id: leader.user_id,
        role: parindex_core::inspections::TeamRole::Leader,
        department: Some("Sở Nội vụ".into()),
    }];
    let id = s
        .plan_inspection(
            &ctx,
            &office_actor,
            year,
            NewInspection { unit_id: id_of(&app, "UA").await, checklist: "kiem_tra_cchc".into(), planned_month: 3, members },
        )
        .await
        .unwrap();
    let keys: Vec<String> = s.inspection_checklist("kiem_tra_cchc").await.unwrap().items().into_iter().map(|(k, _, _)| k).collect();
    let results = keys
        .iter()
        .map(|k| ResultInput {
            item_key: k.clone(),
            verdict: parindex_core::inspections::Verdict::Compliant,
            note: Some("GHI-CHU-DOAN".into()),
        })
        .collect();
    s.record_visit(&ctx, &leader, id, VisitInput { version: 0, visited_on: Some(today), results }, today).await.unwrap();
    let finding = FindingInput {
        item_key: Some(keys[0].clone()),
        severity: parindex_core::inspections::Severity::Serious,
        text: "Chưa niêm yết đầy đủ thủ tục hành chính".into(),
        recommendations: vec![RecommendationInput {
            owner_unit_id: None,
            text: "Niêm yết đủ, cập nhật trên Cổng dịch vụ công".into(),
            deadline: today + chrono::Duration::days(30),
        }],
    };
    s.save_findings(&ctx, &leader, id, 0, vec![finding]).await.unwrap();
    let a = app.login("officer.a").await;
    assert_eq!(a.get(app.url(&format!("/kiem-tra/{id}/ket-luan.docx"))).send().await.unwrap().status(), 404, "not issued yet");
    s.issue_conclusion(
        &ctx,
        &leader,
        id,
        IssueInput { version: 0, number: "45/KL-SNV".into(), concluded_on: today, summary: "Đơn vị thực hiện nghiêm túc".into() },
        today,
    )
    .await
    .unwrap();
    let b_ = app.login("officer.b").await;
    assert_eq!(b_.get(app.url(&format!("/kiem-tra/{id}/ket-luan.pdf"))).send().await.unwrap().status(), 403, "another unit");
    assert_eq!(app.client().get(app.url(&format!("/kiem-tra/{id}/ket-luan.pdf"))).send().await.unwrap().status(), 303, "anonymous");
    let page = a.get(app.url(&format!("/kiem-tra/{id}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(&format!("href=\"/kiem-tra/{id}/ket-luan.docx\"")));
    let tools = office::available();
    for (name, kind) in [("ket-luan", "KẾT LUẬN"), ("thong-bao", "THÔNG BÁO")] {
        let r = a.get(app.url(&format!("/kiem-tra/{id}/{name}.pdf"))).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let pdf = r.bytes().await.unwrap().to_vec();
        assert!(pdf.starts_with(b"%PDF"));
        let r = a.get(app.url(&format!("/kiem-tra/{id}/{name}.docx"))).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let docx = r.bytes().await.unwrap().to_vec();
        office::keep(&format!("{name}.docx"), &docx);
        if tools {
            for text in [office::pdf_text(&pdf), office::pdf_text(&office::docx_to_pdf(&docx))] {
                let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
                for want in [
                    kind,
                    "Số: 45/KL-SNV",
                    "Chưa niêm yết đầy đủ thủ tục hành chính",
                    "Niêm yết đủ, cập nhật trên Cổng dịch vụ công",
                    "Nghiêm trọng",
                    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                ] {
                    assert!(flat.contains(want), "{name}: {want} in {flat}");
                }
                assert!(!flat.contains("GHI-CHU-DOAN"), "never the team's notes");
            }
        }
    }
});
