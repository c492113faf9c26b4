//! Downloads and documents: the audit log, DOCX/PDF documents, background exports.

use super::*;

backend_tests!(audit_log_downloads_whole_with_the_filters, |b| async move {
    let app = TestApp::spawn(b).await;
    let admin = app.login("admin").await;
    // a few entries: three units created, one deactivated
    for (code, name) in [("XA1", "UBND xã Một"), ("XA2", "UBND xã Hai"), ("XA3", "UBND xã Ba, \"mới\"")] {
        let r = admin.post(app.url("/units")).form(&[("code", code), ("name", name), ("kind", "commune")]).send().await.unwrap();
        assert_eq!(r.status(), 303);
    }
    let all = app.store.list_audit(&Default::default()).await.unwrap().total;
    let r = admin.get(app.url("/admin/audit.csv")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let csv = r.text().await.unwrap();
    assert!(csv.starts_with("\u{feff}id,at_vn,actor,ip,action,"));
    let mut rdr = csv::ReaderBuilder::new().from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len() as u64, all, "every entry, oldest first");
    assert!(rows.windows(2).all(|w| w[0][0].parse::<i64>().unwrap() < w[1][0].parse::<i64>().unwrap()));
    assert!(rows.iter().any(|r| r[4] == *"unit.create" && r[10].contains("UBND xã Ba, \\\"mới\\\"")), "quotes survive");
    // the page's filters apply
    let created = admin.get(app.url("/admin/audit.csv?action=unit.create")).send().await.unwrap().text().await.unwrap();
    let f = parindex_store::repo::audit::AuditFilter { action: Some("unit.create".into()), ..Default::default() };
    let n = app.store.list_audit(&f).await.unwrap().total as usize;
    assert!(n >= 3);
    assert_eq!(created.lines().count(), 1 + n);
    let x = admin.get(app.url("/admin/audit.xlsx?action=unit.create")).send().await.unwrap();
    assert_eq!(x.status(), 200);
    let sheets = parindex_reports::table::read_workbook("a.xlsx", &x.bytes().await.unwrap()).unwrap();
    assert_eq!((sheets[0].0.as_str(), sheets[0].1.rows.len()), ("audit", n));
    let page = admin.get(app.url("/admin/audit?action=unit.create")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("href=\"/admin/audit.csv?actor=&amp;action=unit.create"));
    // the administrator only
    for user in ["secretariat", "council", "officer.a"] {
        let c = app.login(user).await;
        for path in ["/admin/audit.csv", "/admin/audit.xlsx"] {
            assert_eq!(c.get(app.url(path)).send().await.unwrap().status(), 403, "{user} {path}");
        }
    }
    assert_eq!(app.client().get(app.url("/admin/audit.csv")).send().await.unwrap().status(), 303);
});

backend_tests!(official_documents_as_docx_and_pdf, |b| async move {
    use parindex_testkit::office;
    let app = TestApp::spawn_demo(b).await;
    let (_, last, a_now, a_last) = chiengsinh(&app).await;
    let admin = app.login("admin").await;
    let officer = app.login("canbo.chiengsinh").await;
    let other = app.login("canbo.stc").await;
    let get = |c: &reqwest::Client, path: String| {
        let (c, url) = (c.clone(), app.url(&path));
        async move {
            let r = c.get(url).send().await.unwrap();
            let status = r.status().as_u16();
            let kind = r.headers().get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
            (status, kind, r.bytes().await.unwrap().to_vec())
        }
    };
    let tools = office::available();

    // (a) the period's results report: the office (and council) only; numbers as on the page
    let results = app.store.period_results(last.id).await.unwrap();
    let first = results.units.iter().find(|u| u.rank == Some(1)).unwrap();
    let first_index = first.index.as_ref().unwrap().to_vi(results.decimals);
    assert_eq!(get(&officer, format!("/periods/{}/bao-cao.docx", last.id)).await.0, 403);
    assert_eq!(get(&officer, format!("/periods/{}/bao-cao.pdf", last.id)).await.0, 403);
    let (s, kind, docx) = get(&admin, format!("/periods/{}/bao-cao.docx", last.id)).await;
    assert_eq!(s, 200);
    assert!(kind.contains("wordprocessingml"));
    let text = docx_text(&docx);
    for want in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "BÁO CÁO",
        "Bảng 1. Kết quả Chỉ số cải cách hành chính",
        "Nơi nhận:",
        "KT. GIÁM ĐỐC",
    ] {
        assert!(text.contains(want), "DOCX lacks {want}");
    }
    assert!(text.contains(&format!("{} {}", first.unit_name, first.total.to_vi(results.decimals))), "the first unit's row");
    assert!(text.contains(&first_index));
    assert!(text.contains("(*) Đơn vị hình thành sau sắp xếp"), "merged units compared with their predecessors");
    for d in &results.domains {
        assert!(text.contains(&d.title), "a table for domain {}", d.code);
    }
    office::keep("bao-cao.docx", &docx);
    let (s, kind, pdf) = get(&admin, format!("/periods/{}/bao-cao.pdf", last.id)).await;
    assert_eq!((s, kind.as_str()), (200, "application/pdf"));
    assert!(pdf.starts_with(b"%PDF-"));
    office::keep("bao-cao.pdf", &pdf);
    if tools {
        let t = words(&office::pdf_text(&pdf));
        // regular, bold (title, headings, signature) and italic (date, recipients) text
        for want in [
            "Kết quả xác định Chỉ số cải cách hành chính năm",
            "I. KHÁI QUÁT",
            "II. KẾT QUẢ",
            "KT. GIÁM ĐỐC",
            "PHÓ GIÁM ĐỐC",
            "Nơi nhận:",
            &format!("ngày {}", ""),
        ] {
            assert!(t.contains(want.trim()), "PDF text lacks {want}");
        }
        assert!(t.contains(&first.unit_name) && t.contains(&first_index), "numbers and names in the PDF");
        let converted = office::docx_to_pdf(&docx);
        office::keep("bao-cao.lo.pdf", &converted);
        let t = words(&office::pdf_text(&converted));
        assert!(t.contains("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM") && t.contains(&first.unit_name) && t.contains("Bảng 1."));
    }

    // (b) the unit's self-assessment report, with its own words; own unit only
    let notes = app.url(&format!("/assessments/{}/bao-cao-tu-danh-gia", a_now.id));
    let form = [("difficulties", "Thiếu cán bộ một cửa;\nmạng chậm ở bản Hải Sơn."), ("recommendations", "Đề nghị tập huấn phần mềm.")];
    assert_eq!(other.post(&notes).form(&form).send().await.unwrap().status(), 403);
    let long = "x".repeat(parindex_store::repo::unit_reports::MAX_CHARS + 1);
    let r = officer.post(&notes).form(&[("difficulties", long.as_str()), ("recommendations", "")]).send().await.unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Tối đa"));
    assert_eq!(officer.post(&notes).form(&form).send().await.unwrap().status(), 303);
    let page = officer.get(app.url(&format!("/assessments/{}", a_now.id))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("id=\"report-form\"") && page.contains("mạng chậm ở bản Hải Sơn."));
    assert!(!page.contains("id=\"minutes-docx\""), "no minutes before the preliminary result");
    let f = parindex_store::repo::audit::AuditFilter { action: Some("assessment.report_notes".into()), limit: 10, ..Default::default() };
    assert_eq!(app.store.list_audit(&f).await.unwrap().entries.len(), 1);
    // an approved result's report is final
    let r = officer.post(app.url(&format!("/assessments/{}/bao-cao-tu-danh-gia", a_last.id))).form(&form).send().await.unwrap();
    assert_ne!(r.status(), 303);
    assert_eq!(get(&other, format!("/assessments/{}/bao-cao-tu-danh-gia.docx", a_now.id)).await.0, 403);
    let (s, _, docx) = get(&officer, format!("/assessments/{}/bao-cao-tu-danh-gia.docx", a_now.id)).await;
    assert_eq!(s, 200);
    let text = docx_text(&docx);
    for want in [
        "BÁO CÁO",
        "I. KẾT QUẢ TỰ ĐÁNH GIÁ",
        "III. KHÓ KHĂN, VƯỚNG MẮC",
        "Thiếu cán bộ một cửa;",
        "mạng chậm ở bản Hải Sơn.",
        "Đề nghị tập huấn phần mềm.",
        "THỦ TRƯỞNG ĐƠN VỊ",
    ] {
        assert!(text.contains(want), "self report lacks {want}");
    }
    assert!(text.contains(&parindex_reports::document::upper(&a_now.unit_name)), "issued by the unit");
    office::keep("tu-danh-gia.docx", &docx);
    let (s, _, pdf) = get(&officer, format!("/assessments/{}/bao-cao-tu-danh-gia.pdf", a_now.id)).await;
    assert_eq!(s, 200);
    office::keep("tu-danh-gia.pdf", &pdf);
    if tools {
        let t = words(&office::pdf_text(&pdf));
        assert!(t.contains("mạng chậm ở bản Hải Sơn.") && t.contains("II. GIẢI TRÌNH CÁC TIÊU CHÍ KHÔNG CÓ TÀI LIỆU KIỂM CHỨNG"));
        let t = words(&office::pdf_text(&office::docx_to_pdf(&docx)));
        assert!(t.contains("Đề nghị tập huấn phần mềm."));
    }

    // (c) the appraisal minutes: not before the result is out, not another unit's
    assert_eq!(get(&officer, format!("/assessments/{}/bien-ban-tham-dinh.docx", a_now.id)).await.0, 403);
    assert_eq!(get(&other, format!("/assessments/{}/bien-ban-tham-dinh.pdf", a_last.id)).await.0, 403);
    let (s, _, docx) = get(&officer, format!("/assessments/{}/bien-ban-tham-dinh.docx", a_last.id)).await;
    assert_eq!(s, 200);
    let text = docx_text(&docx);
    let view = app.store.get_assessment(a_last.id).await.unwrap();
    let appraised: parindex_core::Exact = view.entries.values().filter_map(counted_cached).fold(parindex_core::Exact::ZERO, |a, b| a + b);
    for want in ["BIÊN BẢN", "I. KẾT QUẢ THẨM ĐỊNH", "ĐẠI DIỆN ĐƠN VỊ", "TM. HỘI ĐỒNG THẨM ĐỊNH"] {
        assert!(text.contains(want), "minutes lack {want}");
    }
    assert!(text.contains(&format!("điểm sau thẩm định: {}", appraised.to_vi(view.framework.decimals))), "the appraised total");
    assert!(!text.contains("thamdinh."), "people are named by their full names, not their logins");
    office::keep("bien-ban.docx", &docx);
    let (s, _, pdf) = get(&admin, format!("/assessments/{}/bien-ban-tham-dinh.pdf", a_last.id)).await;
    assert_eq!(s, 200);
    office::keep("bien-ban.pdf", &pdf);
    if tools {
        let t = words(&office::pdf_text(&pdf));
        assert!(t.contains("Thẩm định kết quả tự đánh giá, chấm điểm Chỉ số cải cách hành chính"));
        let t = words(&office::pdf_text(&office::docx_to_pdf(&docx)));
        assert!(t.contains("BIÊN BẢN"));
    }
    // an English reader gets the English text, same numbers (decimal point)
    let en = app.login("admin").await;
    en.get(app.url("/lang/en")).send().await.unwrap();
    let (s, _, docx) = get(&en, format!("/periods/{}/bao-cao.docx", last.id)).await;
    assert_eq!(s, 200);
    let text = docx_text(&docx);
    assert!(text.contains("SOCIALIST REPUBLIC OF VIET NAM") && text.contains("Table 1. Administrative-reform index"));
    assert!(text.contains(&first.index.as_ref().unwrap().to_decimal_string(results.decimals)));
});

backend_tests!(background_exports_run_with_progress_for_their_owner, |b| async move {
    let app = TestApp::spawn_demo(b).await;
    let admin = app.login("admin").await;
    let thuky = app.login("thuky").await;
    let officer = app.login("canbo.stc").await;
    // a survey with responses
    let mut run = None;
    for s in app.store.list_surveys().await.unwrap() {
        if let Some((_, _, n)) = app.store.response_id_range(s.id).await.unwrap().filter(|r| r.2 > 0) {
            run = Some((s.id, n));
            break;
        }
    }
    let (run, count) = run.expect("the demo has responses");
    let start = app.url(&format!("/surveys/runs/{run}/xuat-nen"));
    assert_eq!(officer.post(&start).form(&[("format", "csv")]).send().await.unwrap().status(), 403);
    assert_eq!(app.login("xem").await.post(app.url("/admin/audit/xuat-nen")).form(&[("actor", "")]).send().await.unwrap().status(), 403);
    let admin_id = app.store.get_user_by_name("admin").await.unwrap().id;
    let wait = |user: i64| {
        let store = app.store.clone();
        async move {
            for _ in 0..600 {
                let jobs = store.user_jobs(user, 10).await.unwrap();
                if jobs.iter().all(|j| j.status != "running") {
                    return jobs;
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            panic!("a job still runs after a minute");
        }
    };
    for format in ["csv", "xlsx"] {
        let r = admin.post(&start).form(&[("format", format)]).send().await.unwrap();
        assert_eq!((r.status().as_u16(), r.headers()["location"].to_str().unwrap()), (303, "/tai-ve"));
    }
    let r = admin.post(app.url("/admin/audit/xuat-nen")).form(&[("action", "unit.create")]).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let jobs = wait(admin_id).await;
    assert_eq!(jobs.len(), 3);
    assert!(jobs.iter().all(|j| j.status == "done"), "{jobs:?}");
    let page = admin.get(app.url("/tai-ve")).send().await.unwrap().text().await.unwrap();
    for j in &jobs {
        assert!(page.contains(&format!("href=\"/tai-ve/{}\"", j.id)), "a link to each file");
    }
    assert!(page.contains("<progress"));
    assert!(!page.contains("http-equiv=\"refresh\""), "no refresh once every job is done");
    let by_kind = |k: &str| jobs.iter().find(|j| j.kind == k).unwrap().clone();
    // the CSV is the direct download, byte for byte; the XLSX holds every response
    let csv_job = by_kind("responses_csv");
    assert_eq!((csv_job.done, csv_job.total), (count as i64, count as i64));
    let from_job = admin.get(app.url(&format!("/tai-ve/{}", csv_job.id))).send().await.unwrap().bytes().await.unwrap();
    let direct = admin.get(app.url(&format!("/surveys/runs/{run}/responses.csv"))).send().await.unwrap().bytes().await.unwrap();
    assert_eq!(from_job, direct);
    let xlsx_job = by_kind("responses_xlsx");
    let x = admin.get(app.url(&format!("/tai-ve/{}", xlsx_job.id))).send().await.unwrap().bytes().await.unwrap();
    let sheets = parindex_reports::table::read_workbook("r.xlsx", &x).unwrap();
    assert_eq!(sheets.iter().map(|(_, t)| t.rows.len()).sum::<usize>() as u64, count);
    let audit_job = by_kind("audit_xlsx");
    assert!(audit_job.done > 0 && audit_job.file_name.as_deref() == Some("nhat-ky.xlsx"));
    // the requester only
    assert_eq!(thuky.get(app.url(&format!("/tai-ve/{}", csv_job.id))).send().await.unwrap().status(), 403);
    assert!(!thuky.get(app.url("/tai-ve")).send().await.unwrap().text().await.unwrap().contains(&format!("/tai-ve/{}\"", csv_job.id)));
    // a job cut by a restart shows as failed, with nothing to download
    let cut = app.store.create_job("responses_csv", "x", &json!({}), admin_id, "admin", 10).await.unwrap();
    assert_eq!(app.store.fail_interrupted_jobs().await.unwrap(), 1);
    assert_eq!(app.store.get_job(cut.id).await.unwrap().status, "failed");
    assert_eq!(admin.get(app.url(&format!("/tai-ve/{}", cut.id))).send().await.unwrap().status(), 404);
    // files are kept 7 days: a sweep now removes none; one of files older than 0 days removes
    // them all, and the jobs stay listed as expired with nothing to download
    let file_of =
        |j: &parindex_store::repo::jobs::Job| app.files.path().join("exports").join(j.id.to_string()).join(j.file_name.clone().unwrap());
    assert!(file_of(&csv_job).is_file());
    assert!(page.contains("Tệp được giữ 7 ngày"), "the page says how long files are kept");
    assert_eq!(parindex_web::app::exports::sweep(&app.store, app.files.path(), 7).await.unwrap(), 0);
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    assert_eq!(parindex_web::app::exports::sweep(&app.store, app.files.path(), 0).await.unwrap(), 3);
    assert!(!file_of(&csv_job).exists() && !file_of(&xlsx_job).exists(), "the files are gone");
    assert_eq!(app.store.get_job(csv_job.id).await.unwrap().status, "expired");
    assert_eq!(app.store.get_job(cut.id).await.unwrap().status, "failed", "failed jobs are left as they are");
    assert_eq!(admin.get(app.url(&format!("/tai-ve/{}", csv_job.id))).send().await.unwrap().status(), 404);
    let page = admin.get(app.url("/tai-ve")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Đã xoá tệp (quá hạn lưu)") && !page.contains(&format!("href=\"/tai-ve/{}\"", csv_job.id)));
    assert_eq!(parindex_web::app::exports::sweep(&app.store, app.files.path(), 0).await.unwrap(), 0, "once");

    // a period's documents in one ZIP (issue #17): the office only; the results report, each
    // submitted unit's self-assessment report and its minutes once appraised, each DOCX whole
    let last = app.store.list_periods().await.unwrap().into_iter().find(|p| p.approved() && p.code.ends_with("-SO")).unwrap();
    let zip_url = app.url(&format!("/periods/{}/ho-so.zip", last.id));
    for who in [&officer, &app.login("hoidong").await, &app.login("thamdinh.stp").await] {
        assert_eq!(who.post(&zip_url).send().await.unwrap().status(), 403);
    }
    let r = admin.post(&zip_url).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/tai-ve");
    let jobs = wait(admin_id).await;
    let job = jobs.iter().find(|j| j.kind == "period_zip").unwrap();
    assert_eq!((job.status.as_str(), job.done, job.total), ("done", last.units as i64, last.units as i64), "{job:?}");
    let r = admin.get(app.url(&format!("/tai-ve/{}", job.id))).send().await.unwrap();
    assert_eq!(r.headers()["content-type"], "application/zip");
    let bytes = r.bytes().await.unwrap();
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let names: Vec<String> = z.file_names().filter_map(|n| n.ok().map(|n| n.to_string())).collect();
    assert!(names.iter().any(|n| n == &format!("bao-cao-{}.docx", last.code)), "{names:?}");
    let minutes = names.iter().filter(|n| n.contains("/bien-ban-tham-dinh-")).count();
    let reports = names.iter().filter(|n| n.contains("/bao-cao-tu-danh-gia-")).count();
    assert_eq!((minutes, reports), (last.units, last.units), "every unit of an approved period: its report and its minutes");
    let one = names.iter().find(|n| n.contains("/bien-ban-tham-dinh-")).unwrap().clone();
    let mut doc = Vec::new();
    std::io::Read::read_to_end(&mut z.by_name(&one).unwrap(), &mut doc).unwrap();
    assert!(docx_text(&doc).contains("BIÊN BẢN"), "a whole DOCX");
    assert_eq!(thuky.get(app.url(&format!("/tai-ve/{}", job.id))).send().await.unwrap().status(), 403, "the requester only");
});
