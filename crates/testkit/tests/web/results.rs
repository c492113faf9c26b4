//! Results, publication, analysis, bonuses and penalties, improvement actions.

use super::*;

backend_tests!(period_results_rank_group_compare_and_download, |b| async move {
    use parindex_core::framework::Input;
    use parindex_store::repo::periods::{EntryInput, PeriodInput};
    let app = TestApp::spawn(b).await;
    let today = parindex_core::assessment::today_vn();
    let (ua, ub) = open_period(&app, today + chrono::Duration::days(10)).await;
    let sys = parindex_store::AuditCtx::system("test");
    let save = |id: i64, code: &'static str, input: Input| {
        let (store, sys) = (app.store.clone(), sys.clone());
        async move {
            // "not applicable" says why (issue #17)
            let explanation = input.not_applicable.then(|| "Không phát sinh trong năm".to_string());
            store.save_entry(&sys, id, code, EntryInput { input: Some(input), explanation, ..Default::default() }, today).await.unwrap();
        }
    };
    let opt = |k: &str| Input { option: Some(k.into()), ..Default::default() };
    let yes = Input { yes: Some(true), ..Default::default() };
    let pct = |p: i64| Input { percent: Some(parindex_core::Exact::int(p)), ..Default::default() };
    // UA and UB score the same 4 points of the 9 that apply to an agency: they tie
    for id in [ua, ub] {
        save(id, "1.1", opt("dung_han")).await;
        save(id, "1.2", yes.clone()).await;
        save(id, "1.3", pct(95)).await;
    }
    let period = app.store.list_periods().await.unwrap()[0].id;
    let r = app.store.period_results(period).await.unwrap();
    let get = |r: &parindex_store::repo::results::PeriodResults, code: &str| r.units.iter().find(|u| u.unit_code == code).unwrap().clone();
    let (a, b2) = (get(&r, "UA"), get(&r, "UB"));
    assert_eq!((a.rank, b2.rank), (Some(1), Some(1)), "a tie shares the rank");
    assert_eq!(a.index, Some(parindex_core::Exact::ratio(400, 9)));
    assert_eq!(get(&r, "XC").rank, Some(3), "the next rank is skipped");
    assert_eq!(a.domains[0].points, parindex_core::Exact::int(4));
    // UB's 2.3 does not apply: out of its maximum, so 4 of 8 = 50 % ranks above 4 of 9
    save(ub, "2.3", Input { not_applicable: true, ..Default::default() }).await;
    let r = app.store.period_results(period).await.unwrap();
    assert_eq!((get(&r, "UB").index, get(&r, "UB").rank, get(&r, "UA").rank), (Some(parindex_core::Exact::int(50)), Some(1), Some(2)));
    assert_eq!(r.units[0].unit_code, "UB", "by rank");

    // robustness of the ranks: deterministic, within the possible ranks
    let results = app.store.period_results(period).await.unwrap();
    let rb = app.store.period_robustness(&results, 0.1, 500).await.unwrap();
    let again = app.store.period_robustness(&results, 0.1, 500).await.unwrap();
    let ub_id = get(&r, "UB").unit_id;
    let (x, y) = (rb[&ub_id], again[&ub_id]);
    assert_eq!((x.median, x.p5, x.p95, x.beats_next), (y.median, y.p5, y.p95, y.beats_next));
    assert!(x.p5 >= 1 && x.p95 <= 3 && x.p5 <= x.median && x.median <= x.p95);
    // who reads them before publication
    for (user, status) in
        [("officer.a", 403), ("leader.a", 403), ("appraiser", 403), ("council", 200), ("viewer", 200), ("secretariat", 200)]
    {
        let c = app.login(user).await;
        assert_eq!(c.get(app.url(&format!("/periods/{period}/ket-qua"))).send().await.unwrap().status(), status, "{user}");
        assert_eq!(c.get(app.url(&format!("/periods/{period}/ket-qua.csv"))).send().await.unwrap().status(), status, "{user}");
    }
    assert_eq!(app.client().get(app.url(&format!("/periods/{period}/ket-qua"))).send().await.unwrap().status(), 303);
    let sec = app.login("secretariat").await;
    let page = sec.get(app.url(&format!("/periods/{period}/ket-qua"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("44,44") && page.contains("50,00") && page.contains("id=\"provisional\""), "{page}");
    assert!(page.contains("Hạng (5–95%)") && page.contains("name=\"spread\" value=\"10\""));
    // a unit searched without accents keeps its rank among all
    let found = sec.get(app.url(&format!("/periods/{period}/ket-qua?q=beta"))).send().await.unwrap().text().await.unwrap();
    let ranking = &found[found.find("id=\"ranking\"").unwrap()..];
    assert!(ranking.contains("id=\"r-UB\"") && !ranking.contains("id=\"r-UA\""), "only Sở Bêta");
    let svg = sec.get(app.url(&format!("/periods/{period}/ket-qua/heatmap.svg"))).send().await.unwrap();
    assert!(svg.headers()["content-type"].to_str().unwrap().starts_with("image/svg+xml"));
    let svg = svg.text().await.unwrap();
    assert!(svg.contains("Sở Alpha") && svg.contains("UBND xã Chiềng Cọ") && svg.matches("<rect").count() == 3 * 3, "{svg}");
    assert_eq!(
        app.login("officer.a").await.get(app.url(&format!("/periods/{period}/ket-qua/heatmap.svg"))).send().await.unwrap().status(),
        403
    );
    let wide = sec.get(app.url(&format!("/periods/{period}/ket-qua?spread=40"))).send().await.unwrap().text().await.unwrap();
    assert!(wide.contains("name=\"spread\" value=\"40\""));
    assert!(page.contains(&format!("href=\"/assessments/{ua}\"")), "each unit opens its leaves");
    let csv = sec.get(app.url(&format!("/periods/{period}/ket-qua.csv"))).send().await.unwrap().text().await.unwrap();
    let line = csv.lines().find(|l| l.contains(",UA,")).unwrap();
    assert!(line.starts_with("2,Sở Alpha,UA,") && line.contains(",44.44,4.00,9.00,"), "{line}");
    let x = sec.get(app.url(&format!("/periods/{period}/ket-qua.xlsx"))).send().await.unwrap();
    assert_eq!(x.status(), 200);
    let sheets = parindex_reports::table::read_workbook("k.xlsx", &x.bytes().await.unwrap()).unwrap();
    assert_eq!(sheets[0].1.rows.len(), 3);

    // the scale of groups is the period's: refused with a message, then saved and applied
    let r = sec.post(app.url(&format!("/periods/{period}/ket-qua/nhom"))).form(&[("groups", "A90")]).send().await.unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("viết nhãn:điểm tối thiểu"));
    let officer = app.login("officer.a").await;
    assert_eq!(
        officer.post(app.url(&format!("/periods/{period}/ket-qua/nhom"))).form(&[("groups", "A:1")]).send().await.unwrap().status(),
        403
    );
    let r = sec.post(app.url(&format!("/periods/{period}/ket-qua/nhom"))).form(&[("groups", "A:50, B:40, C:0")]).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let r = app.store.period_results(period).await.unwrap();
    assert_eq!(
        [get(&r, "UB").group, get(&r, "UA").group, get(&r, "XC").group],
        [Some("A".to_string()), Some("B".to_string()), Some("C".to_string())]
    );

    // against the previous year's period of the same units
    let before = app
        .store
        .create_period(
            &sys,
            PeriodInput {
                code: "2025".into(),
                name: "Năm 2025".into(),
                year: 2025,
                framework_code: "VD-TINH-TAY".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let r = app.store.period_results(period).await.unwrap();
    assert_eq!(r.previous.as_ref().map(|(p, same)| (p.id, *same)), Some((before.id, true)));
    let ua_now = get(&r, "UA");
    assert_eq!(ua_now.previous.as_ref().map(|p| (p.index.clone(), p.rank)), Some((Some(parindex_core::Exact::ZERO), Some(1))));
    let page = sec.get(app.url(&format!("/periods/{period}/ket-qua"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("+44,44") && page.contains("↓1") && page.contains("Năm 2025"), "{page}");
});

backend_tests!(published_results_are_immutable_public_and_recomputable_from_the_leaves, |b| async move {
    use parindex_core::Exact;
    let app = TestApp::spawn_demo(b).await;
    let year = parindex_core::assessment::today_vn().format("%Y").to_string().parse::<i32>().unwrap();
    let periods = app.store.list_periods().await.unwrap();
    let last = periods.iter().find(|p| p.year == year - 1 && p.code.ends_with("-SO")).unwrap().clone();
    let now = periods.iter().find(|p| p.year == year && p.code.ends_with("-SO")).unwrap().clone();
    let anon = app.client();
    // the demo published last year's results; this year's are not public
    let list = anon.get(app.url("/cong-khai")).send().await.unwrap().text().await.unwrap();
    assert!(list.contains(&last.name) && !list.contains(&now.name), "{list}");
    for path in [
        format!("/cong-khai/{}", now.code),
        format!("/api/v1/public/results/{}", now.code),
        format!("/cong-khai/{}/tieu-chi.csv", now.code),
    ] {
        assert_eq!(anon.get(app.url(&path)).send().await.unwrap().status(), 404, "{path}");
    }
    // the API's document is the hashed one
    let r = anon.get(app.url(&format!("/api/v1/public/results/{}", last.code))).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let hash = r.headers()["x-content-sha256"].to_str().unwrap().to_string();
    let body = r.text().await.unwrap();
    assert_eq!(parindex_store::repo::publications::content_hash(&body), hash);
    let doc: serde_json::Value = serde_json::from_str(&body).unwrap();
    // last year's December one-stop figures came after approval: the council's correction is
    // version 2, with its reason (issue #18)
    assert_eq!(doc["version"], 2);
    assert!(doc["reason"].as_str().unwrap().contains("Bổ sung số liệu một cửa tháng 12"), "{}", doc["reason"]);
    // done-when: totals and ranks equal a computation from the per-leaf export
    let csv = anon.get(app.url(&format!("/cong-khai/{}/tieu-chi.csv", last.code))).send().await.unwrap().text().await.unwrap();
    let mut sums: std::collections::BTreeMap<String, (Exact, Exact)> = Default::default();
    let mut adjusted = 0;
    for line in csv.trim_start_matches('\u{feff}').lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        let n = cells.len();
        let (unit, max, points, applicable, kind) = (cells[0], cells[n - 4], cells[n - 3], cells[n - 2], cells[n - 1]);
        let e = sums.entry(unit.to_string()).or_insert((Exact::ZERO, Exact::ZERO));
        match (kind, applicable) {
            ("leaf", "1") => {
                e.0 = e.0.clone() + Exact::parse(points).unwrap();
                e.1 = e.1.clone() + Exact::parse(max).unwrap();
            }
            ("bonus", _) => e.0 = e.0.clone() + Exact::parse(points).unwrap(),
            ("penalty", _) => e.0 = e.0.clone() - Exact::parse(points).unwrap(),
            _ => {}
        }
        adjusted += usize::from(kind != "leaf");
    }
    assert!(adjusted >= 2, "the demo gave last year a bonus and a penalty");
    for e in sums.values_mut() {
        e.0 = e.0.clone().max(Exact::ZERO);
    }
    let units = doc["units"].as_array().unwrap();
    assert_eq!(units.len(), sums.len());
    let index_of = |(t, m): &(Exact, Exact)| (!m.is_zero()).then(|| t.clone() * Exact::HUNDRED / m.clone());
    let codes: Vec<String> = sums.keys().cloned().collect();
    let ranks = parindex_core::results::ranks(&codes.iter().map(|c| index_of(&sums[c])).collect::<Vec<_>>());
    for u in units {
        let code = u["code"].as_str().unwrap();
        let at = codes.iter().position(|c| c == code).unwrap();
        assert_eq!(Exact::parse(u["total"]["exact"].as_str().unwrap()).unwrap(), sums[code].0, "{code} total");
        assert_eq!(Exact::parse(u["index"]["exact"].as_str().unwrap()), index_of(&sums[code]), "{code} index");
        assert_eq!(u["rank"].as_u64().map(|r| r as usize), ranks[at], "{code} rank");
    }
    // the robustness of the ranks is published beside them
    let rb = &units[0]["rank_robustness"];
    assert!(rb["p5"].as_u64().unwrap() <= rb["median"].as_u64().unwrap() && rb["median"].as_u64().unwrap() <= rb["p95"].as_u64().unwrap());
    // the same table as a workbook
    let x = anon.get(app.url(&format!("/cong-khai/{}/ket-qua.xlsx", last.code))).send().await.unwrap();
    assert_eq!(x.status(), 200);
    let sheets = parindex_reports::table::read_workbook("k.xlsx", &x.bytes().await.unwrap()).unwrap();
    assert_eq!(sheets[0].1.rows.len(), units.len());
    // for people: columns in Vietnamese, domains by their titles, kinds by their names (issue #17)
    let head = &sheets[0].1.header;
    assert_eq!(&head[..3], &["Hạng".to_string(), "Mã đơn vị".into(), "Đơn vị".into()]);
    assert!(head.iter().all(|h| !h.starts_with("domain_")) && head.iter().any(|h| h.starts_with("1. ")), "{head:?}");
    assert!(sheets[0].1.rows.iter().all(|(_, r)| r[3] != "agency" && r[3] != "commune" && r[3] != "ward"), "kinds by name");
    // the public page shows the same ranks; nothing internal: no comment, no user, no draft
    let page = anon.get(app.url(&format!("/cong-khai/{}", last.code))).send().await.unwrap().text().await.unwrap();
    let first = &units[0];
    assert!(page.contains(&format!("id=\"r-{}\"", first["code"].as_str().unwrap())) && page.contains(&hash));
    let mut comments: Vec<String> = Vec::new();
    for a in app.store.list_assessments(last.id, parindex_core::UnitScope::All).await.unwrap() {
        for e in app.store.get_assessment(a.id).await.unwrap().entries.values() {
            comments.extend(
                [&e.appraisal_comment, &e.final_comment, &e.contest, &e.note, &e.explanation]
                    .into_iter()
                    .flatten()
                    .filter(|c| c.len() > 12)
                    .cloned(),
            );
        }
    }
    assert!(!comments.is_empty(), "the demo's appraisers wrote comments");
    let unit_page = anon
        .get(app.url(&format!("/cong-khai/{}/don-vi/{}", last.code, first["code"].as_str().unwrap())))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for text in [&page, &body, &unit_page] {
        for c in &comments {
            assert!(!text.contains(c.as_str()), "internal comment “{c}” is public");
        }
        for user in ["canbo.", "thamdinh.", "lanhdao.", "demo-seed"] {
            assert!(!text.contains(user), "a user name is public: {user}");
        }
    }
    assert!(unit_page.contains("id=\"domains\""));
    assert_eq!(anon.get(app.url(&format!("/cong-khai/{}/don-vi/KHONG-CO", last.code))).send().await.unwrap().status(), 404);
    let method = anon.get(app.url(&format!("/cong-khai/{}/phuong-phap", last.code))).send().await.unwrap().text().await.unwrap();
    assert!(method.contains("1, 2, 2, 4") && method.contains("id=\"groups\""));
    // the scale in words and the bonus and penalty columns, on the ranking and the method (issue #17)
    for text in [&page, &method] {
        assert!(text.contains("chỉ số từ 90 trở lên") && text.contains("từ 80 đến dưới 90") && text.contains("dưới 70"), "scale in words");
    }
    assert!(page.contains("Điểm thưởng") && page.contains("Điểm trừ"), "the demo's bonus and penalty are columns of the ranking");

    // a correction is a new version with its reason; the old one stays, with its own hash
    let admin = app.login("admin").await;
    let officer = app.login("canbo.stc").await;
    // the unit's home: its published results (the portal's numbers) and open improvement actions
    let home = officer.get(app.url("/")).send().await.unwrap().text().await.unwrap();
    let stc = units.iter().find(|u| u["code"] == "STC").unwrap();
    let shown = stc["index"]["value"].as_str().unwrap().replace('.', ",");
    assert!(home.contains("id=\"my-results\"") && home.contains(&shown), "the home shows STC's published index {shown}");
    assert!(home.contains(&format!("/cong-khai/{}/don-vi/STC", last.code)));
    let ward = app.login("canbo.chiengsinh").await.get(app.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(ward.contains("id=\"my-actions\"") && ward.contains("Đang thực hiện"), "Chiềng Sinh's open improvement actions");
    let url = app.url(&format!("/periods/{}/cong-bo", last.id));
    assert_eq!(officer.post(&url).form(&[("reason", "x")]).send().await.unwrap().status(), 403);
    let r = admin.post(&url).form(&[("reason", "")]).send().await.unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("ghi lý do đính chính"));
    let r = admin.post(&url).form(&[("reason", "Sửa lỗi nhập điểm tiêu chí 2.1 của một đơn vị")]).send().await.unwrap();
    assert_eq!(r.headers()["location"], format!("/cong-khai/{}?v=3", last.code));
    let v2 = anon.get(app.url(&format!("/cong-khai/{}", last.code))).send().await.unwrap().text().await.unwrap();
    assert!(v2.contains("Sửa lỗi nhập điểm tiêu chí 2.1") && v2.contains("?v=1"));
    let v1 = anon.get(app.url(&format!("/cong-khai/{}?v=2", last.code))).send().await.unwrap().text().await.unwrap();
    assert!(v1.contains("id=\"old-version\"") && v1.contains(&hash));
    let r = anon.get(app.url(&format!("/api/v1/public/results/{}?v=2", last.code))).send().await.unwrap();
    assert_eq!(r.text().await.unwrap(), body, "version 2 is unchanged");
    // an unapproved period cannot be published
    let r = admin.post(app.url(&format!("/periods/{}/cong-bo", now.id))).form(&[("reason", "")]).send().await.unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Chỉ công bố được kết quả đã được Hội đồng phê duyệt"));
    let list: serde_json::Value = anon.get(app.url("/api/v1/public/results")).send().await.unwrap().json().await.unwrap();
    assert_eq!(list["publications"].as_array().unwrap().iter().filter(|p| p["period_code"] == last.code.as_str()).count(), 3);
});

backend_tests!(analysis_dashboards_filter_compare_merged_units_and_download, |b| async move {
    use parindex_core::Exact;
    let app = TestApp::spawn_demo(b).await;
    let year = parindex_core::assessment::today_vn().format("%Y").to_string().parse::<i32>().unwrap();
    let periods = app.store.list_periods().await.unwrap();
    let last = periods.iter().find(|p| p.code == format!("{}-XA", year - 1)).unwrap().clone();
    let before = periods.iter().find(|p| p.code == format!("{}-XA", year - 2)).unwrap().clone();
    // last year's communes compare with the year before the merger: through the lineage (the
    // mean of the predecessors' indices, no rank) and the crosswalk (a changed framework)
    let r = app.store.period_results(last.id).await.unwrap();
    let (prev, same) = r.previous.clone().unwrap();
    assert_eq!((prev.code.as_str(), same, r.crosswalk), (before.code.as_str(), false, true));
    let old = app.store.period_results(before.id).await.unwrap();
    let idx = |code: &str| old.units.iter().find(|u| u.unit_code == code).unwrap().index.clone().unwrap();
    let cs = r.units.iter().find(|u| u.unit_code == "P-CHIENGSINH").unwrap();
    let p = cs.previous.as_ref().unwrap();
    assert_eq!(p.index, Some((idx("CU-X-CHIENGNGAN") + idx("CU-X-HUALA")) / Exact::int(2)));
    assert_eq!((p.rank, p.via.len()), (None, 2));
    assert!(p.domains.iter().all(Option::is_some), "every domain maps through the crosswalk");
    assert!(r.units.iter().find(|u| u.unit_code == "X-MUONGBU").is_none_or(|u| u.previous.is_none()), "no predecessor, no comparison");

    // the page: every section, filtered by kind; the framework change is said
    let admin = app.login("admin").await;
    let page = admin.get(app.url(&format!("/periods/{}/phan-tich?kind=ward&unit=P-CHIENGSINH", last.id))).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    for id in ["so-sanh", "phan-bo", "tu-cham-don-vi", "tu-cham-tieu-chi", "tieu-chi-yeu", "xu-huong", "framework-changed"] {
        assert!(page.contains(&format!("id=\"{id}\"")), "{id}");
    }
    assert!(page.contains("<svg") && page.contains("UBND phường Chiềng Sinh"));
    // a download equals a computation from the results: the distribution of the index
    let csv =
        admin.get(app.url(&format!("/periods/{}/phan-tich/phan-bo.csv?kind=ward", last.id))).send().await.unwrap().text().await.unwrap();
    let wards: Vec<Exact> = r.units.iter().filter(|u| u.unit_kind == "ward").filter_map(|u| u.index.clone()).collect();
    let s = parindex_core::results::summary(&wards).unwrap();
    let line = csv.lines().nth(1).unwrap();
    assert_eq!(
        line,
        format!(
            "Chỉ số (%),{},{},{},{},{},{},{}",
            s.n,
            s.min.to_decimal_string(1),
            s.q1.to_decimal_string(1),
            s.median.to_decimal_string(1),
            s.q3.to_decimal_string(1),
            s.max.to_decimal_string(1),
            s.mean.to_decimal_string(1)
        )
    );
    assert_eq!(csv.lines().count(), 2 + r.domains.len(), "the index and every domain");
    // the trend has the year before the merger
    let trend = admin.get(app.url(&format!("/periods/{}/phan-tich/xu-huong.csv", last.id))).send().await.unwrap().text().await.unwrap();
    assert!(trend.contains(&format!("\n{},", year - 2)) && trend.contains(&format!("\n{},", year - 1)), "{trend}");
    // filtered to wards, the trend still crosses the merger: Chiềng Sinh before it is the mean
    // of the communes it was formed from
    let trend = admin
        .get(app.url(&format!("/periods/{}/phan-tich/xu-huong.csv?kind=ward&unit=P-CHIENGSINH", last.id)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let row = trend.lines().find(|l| l.starts_with(&format!("{},", year - 2))).unwrap_or_else(|| panic!("{trend}"));
    let merged = (idx("CU-X-CHIENGNGAN") + idx("CU-X-HUALA")) / Exact::int(2);
    assert!(row.ends_with(&format!(",{}", merged.to_decimal_string(2))), "{row}");
    let x = admin.get(app.url(&format!("/periods/{}/phan-tich/tieu-chi-yeu.xlsx", last.id))).send().await.unwrap();
    assert_eq!(x.status(), 200);
    let sheets = parindex_reports::table::read_workbook("w.xlsx", &x.bytes().await.unwrap()).unwrap();
    assert_eq!(sheets[0].0, "tieu_chi_yeu");
    assert!(sheets[0].1.rows.len() > 5);
    // this year's: the SIPAS per element of the citizens' survey
    let now = periods.iter().find(|p| p.code == format!("{year}-XA")).unwrap();
    let page = admin.get(app.url(&format!("/periods/{}/phan-tich", now.id))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("id=\"sipas\""));
    assert_eq!(admin.get(app.url(&format!("/periods/{}/phan-tich/nothing.csv", last.id))).send().await.unwrap().status(), 404);
    // who: as the results
    for (user, status) in [("canbo.chiengsinh", 403), ("thamdinh.stp", 403), ("xem", 200), ("hoidong", 200)] {
        let c = app.login(user).await;
        assert_eq!(c.get(app.url(&format!("/periods/{}/phan-tich", last.id))).send().await.unwrap().status(), status, "{user}");
        assert_eq!(c.get(app.url(&format!("/periods/{}/phan-tich/phan-bo.csv", last.id))).send().await.unwrap().status(), status, "{user}");
    }
    assert_eq!(app.client().get(app.url(&format!("/periods/{}/phan-tich", last.id))).send().await.unwrap().status(), 303);
    // the same through the API
    let api = app.api("admin").await;
    let doc: serde_json::Value =
        api.get(app.url(&format!("/api/v1/periods/{}/results", last.id))).send().await.unwrap().json().await.unwrap();
    assert_eq!(doc["units"].as_array().unwrap().len(), r.units.len());
    let t: serde_json::Value =
        api.get(app.url(&format!("/api/v1/periods/{}/analysis/phan-bo?kind=ward", last.id))).send().await.unwrap().json().await.unwrap();
    assert_eq!(t["rows"][0][1], serde_json::json!(s.n.to_string()));
    let officer = app.api("canbo.chiengsinh").await;
    for path in [format!("/api/v1/periods/{}/results", last.id), format!("/api/v1/periods/{}/analysis/phan-bo", last.id)] {
        assert_eq!(officer.get(app.url(&path)).send().await.unwrap().status(), 403, "{path}");
    }
});

backend_tests!(bonuses_penalties_count_and_improvement_actions_carry_to_the_next_year, |b| async move {
    use parindex_core::Exact;
    let app = TestApp::spawn_demo(b).await;
    let (now, _, a_now, a_last) = chiengsinh(&app).await;

    // a penalty: the basis is required; the unit's staff cannot set it; then it counts
    let admin = app.login("admin").await;
    let url = app.url(&format!("/assessments/{}/adjustments/P1", a_now.id));
    let r = admin.post(&url).form(&[("option", "xu_ly"), ("reason", " ")]).send().await.unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Ghi căn cứ"));
    let officer = app.login("canbo.chiengsinh").await;
    assert_eq!(officer.post(&url).form(&[("option", "xu_ly"), ("reason", "x")]).send().await.unwrap().status(), 403);
    let before = app.store.period_results(now.id).await.unwrap().units.into_iter().find(|u| u.unit_code == "P-CHIENGSINH").unwrap();
    let r = admin.post(&url).form(&[("option", "xu_ly"), ("reason", "Quyết định kỷ luật số 12/QĐ (thử)")]).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let after = app.store.period_results(now.id).await.unwrap().units.into_iter().find(|u| u.unit_code == "P-CHIENGSINH").unwrap();
    assert_eq!(after.penalty, Exact::int(2));
    assert_eq!(after.total, (before.achieved.clone() + before.bonus.clone() - Exact::int(2)).max(Exact::ZERO));
    assert_eq!(after.index, Some(after.total.clone() / after.applicable_max.clone() * Exact::HUNDRED));
    let page = officer.get(app.url(&format!("/assessments/{}", a_now.id))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Quyết định kỷ luật số 12/QĐ (thử)") && page.contains("id=\"adj-P1\""));
    // the API's running result counts the penalty too, as the page does (issue #15): one
    // computation, `score::unit_report`
    let api: serde_json::Value =
        app.api("admin").await.get(app.url(&format!("/api/v1/assessments/{}", a_now.id))).send().await.unwrap().json().await.unwrap();
    assert_eq!(api["result"]["penalty"]["exact"], "2", "{}", api["result"]);
    let view = app.store.get_assessment(a_now.id).await.unwrap();
    let own = parindex_core::framework::score::unit_report(
        &view.framework,
        &view.assessment.unit_code,
        &view.assessment.unit_kind,
        view.entries.iter().filter_map(|(k, e)| e.input.clone().map(|i| (k.clone(), i))).collect(),
        [("P1".to_string(), parindex_core::framework::Input { option: Some("xu_ly".into()), ..Default::default() })].into_iter().collect(),
    )
    .unwrap();
    assert_eq!(api["result"]["total"]["exact"], own.total.exact);
    assert!(page.contains(&own.total.value.replace('.', ",")), "the page shows the same total {}", own.total.value);
    assert!(!page.contains(&format!("action=\"/assessments/{}/adjustments/P1\"", a_now.id)), "the unit reads, does not edit");
    let f = parindex_store::repo::audit::AuditFilter { action: Some("assessment.adjustment".into()), limit: 50, ..Default::default() };
    let log = app.store.list_audit(&f).await.unwrap().entries;
    assert!(log.iter().any(|e| e.reason.as_deref() == Some("Quyết định kỷ luật số 12/QĐ (thử)")));
    // removed again
    assert_eq!(admin.post(&url).form(&[("op", "clear"), ("reason", "Nhập nhầm")]).send().await.unwrap().status(), 303);
    let cleared = app.store.period_results(now.id).await.unwrap().units.into_iter().find(|u| u.unit_code == "P-CHIENGSINH").unwrap();
    assert_eq!(cleared.penalty, Exact::ZERO);

    // the improvement loop: last year's actions show at their leaves on this year's page
    let carried = app.store.carried_improvements(a_now.id).await.unwrap();
    assert_eq!(carried.values().map(Vec::len).sum::<usize>(), 2, "the demo's two actions");
    let (leaf, actions) = carried.iter().next().unwrap();
    assert!(page.contains("id=\"carried-note\"") && page.contains(&actions[0].action));
    assert!(page.contains(&format!("id=\"leaf-{leaf}\"")));
    // planning from last year's result: checked, for the unit's own staff only
    let plan = app.url(&format!("/assessments/{}/improvements", a_last.id));
    let last_page = officer.get(app.url(&format!("/assessments/{}", a_last.id))).send().await.unwrap().text().await.unwrap();
    assert!(last_page.contains("id=\"plan-form\""));
    let r = officer
        .post(&plan)
        .form(&[("node_code", leaf.as_str()), ("action", "Niêm yết lại"), ("owner", "Một cửa"), ("due_on", "31/02/2026")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Thời hạn không hợp lệ"));
    let r = officer
        .post(&plan)
        .form(&[("node_code", leaf.as_str()), ("action", "Niêm yết lại quy trình"), ("owner", "Một cửa"), ("due_on", "30/06/2026")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let mine = app.store.unit_improvements(a_last.unit_id).await.unwrap();
    let added = mine.iter().find(|a| a.action == "Niêm yết lại quy trình").unwrap();
    assert_eq!((added.status.as_str(), added.due_on.to_string().as_str()), ("planned", "2026-06-30"));
    let other = app.login("canbo.stc").await;
    let form = [("node_code", leaf.as_str()), ("action", "x"), ("owner", "y"), ("due_on", "30/06/2026")];
    assert_eq!(other.post(&plan).form(&form).send().await.unwrap().status(), 403);
    assert_eq!(admin.post(&plan).form(&form).send().await.unwrap().status(), 403, "the office reads, the unit plans");
    let follow = app.url(&format!("/assessments/{}/improvements/{}", a_last.id, added.id));
    assert_eq!(other.post(&follow).form(&[("status", "done")]).send().await.unwrap().status(), 403);
    assert_eq!(officer.post(&follow).form(&[("status", "finished")]).send().await.unwrap().status(), 422);
    assert_eq!(officer.post(&follow).form(&[("status", "done"), ("outcome", "Đã niêm yết")]).send().await.unwrap().status(), 303);
    let done = app.store.unit_improvements(a_last.unit_id).await.unwrap().into_iter().find(|a| a.id == added.id).unwrap();
    assert_eq!((done.status.as_str(), done.outcome.as_deref()), ("done", Some("Đã niêm yết")));
    // through the API: the unit's actions, a bonus entered by the office
    let api = app.api("canbo.chiengsinh").await;
    let list: serde_json::Value =
        api.get(app.url(&format!("/api/v1/units/{}/improvements", a_last.unit_id))).send().await.unwrap().json().await.unwrap();
    assert_eq!(list["improvements"].as_array().unwrap().len(), 3);
    let stc = app.store.unit_id_by_code("STC").await.unwrap().unwrap();
    assert_eq!(api.get(app.url(&format!("/api/v1/units/{stc}/improvements"))).send().await.unwrap().status(), 403);
    let body = serde_json::json!({"input": 1.5, "reason": "QĐ công nhận sáng kiến (thử)"});
    let put = format!("/api/v1/assessments/{}/adjustments/T1", a_now.id);
    assert_eq!(api.put(app.url(&put)).json(&body).send().await.unwrap().status(), 403);
    let r = app.api("admin").await.put(app.url(&put)).json(&body).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let bonus = app.store.period_results(now.id).await.unwrap().units.into_iter().find(|u| u.unit_code == "P-CHIENGSINH").unwrap().bonus;
    assert_eq!(bonus, Exact::ratio(3, 2));
    // the unit's detailed sheet: appraisal columns once the result is out, not before; own unit only
    let sheet = |id: i64, c: reqwest::Client| {
        let url = app.url(&format!("/assessments/{id}/chi-tiet.csv"));
        async move {
            let r = c.get(url).send().await.unwrap();
            assert_eq!(r.status(), 200);
            let text = r.text().await.unwrap();
            let mut rdr = csv::ReaderBuilder::new().from_reader(text.trim_start_matches('\u{feff}').as_bytes());
            rdr.records().map(|r| r.unwrap()).collect::<Vec<csv::StringRecord>>()
        }
    };
    let last_rows = sheet(a_last.id, officer.clone()).await;
    assert!(last_rows.len() > 20 && last_rows.iter().any(|r| !r[4].is_empty()), "appraised points of an approved result");
    let now_rows = sheet(a_now.id, officer.clone()).await;
    assert!(now_rows.iter().all(|r| r[4].is_empty() && r[9].is_empty()), "no appraisal shown before the preliminary result");
    assert_eq!(other.get(app.url(&format!("/assessments/{}/chi-tiet.xlsx", a_last.id))).send().await.unwrap().status(), 403);
    let x = admin.get(app.url(&format!("/assessments/{}/chi-tiet.xlsx", a_last.id))).send().await.unwrap();
    let sheets = parindex_reports::table::read_workbook("c.xlsx", &x.bytes().await.unwrap()).unwrap();
    assert_eq!(sheets[0].1.rows.len(), last_rows.len());
    // and it is carried to this year's page too
    let page = officer.get(app.url(&format!("/assessments/{}", a_now.id))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Niêm yết lại quy trình") && page.contains("Đã niêm yết"));
});
