//! Issue #15, over a real socket on SQLite and PostgreSQL: the crafted workbooks sent to every
//! import route (pages and API) are refused with a 4xx and a message, nothing is written, and
//! the server still answers afterwards.

use parindex_testkit::{TestApp, backend_tests};
use reqwest::multipart::{Form, Part};

backend_tests!(crafted_workbooks_are_refused_by_every_import_route, |b| async move {
    let app = TestApp::spawn_demo(b).await;
    let admin = app.login("admin").await;
    let sec = app.login("thuky").await;
    let api = app.api("admin").await;
    let officer = app.login("canbo.chiengsinh").await;
    let year = parindex_core::assessment::today_vn().format("%Y").to_string();
    let period = app.store.list_periods().await.unwrap().into_iter().find(|p| p.code == format!("{year}-XA")).unwrap();
    let assessment = app
        .store
        .list_assessments(period.id, parindex_core::UnitScope::All)
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.unit_code == "P-CHIENGSINH")
        .expect("the demo ward's assessment");
    let survey = app.store.list_surveys().await.unwrap().into_iter().next().expect("a demo survey");
    let units_before = app.store.list_units(parindex_core::UnitScope::All, &Default::default()).await.unwrap().len();
    let audit_before = app.store.list_audit(&Default::default()).await.unwrap().total;
    let form = |name: &str, bytes: &[u8]| Form::new().text("channel", "paper").part("file", Part::bytes(bytes.to_vec()).file_name(name.to_string()));
    for c in parindex_reports::crafted::all() {
        let xlsx = c.file_name.ends_with(".xlsx");
        let mut routes: Vec<(&reqwest::Client, String, bool)> = vec![(&sec, "/surveys/import".into(), true), (&api, "/api/v1/questionnaires".into(), false)];
        if xlsx {
            routes.extend([
                (&sec, "/units/import".to_string(), true),
                (&api, "/api/v1/units/import".into(), false),
                (&admin, "/frameworks/import".into(), true),
                (&api, "/api/v1/frameworks".into(), false),
                (&sec, format!("/surveys/runs/{}/import", survey.id), true),
                (&api, format!("/api/v1/surveys/{}/responses", survey.id), false),
                (&officer, format!("/assessments/{}/tu-cham", assessment.id), true),
            ]);
        }
        for (client, path, multipart) in routes {
            let r = if multipart {
                client.post(app.url(&path)).multipart(form(c.file_name, &c.bytes)).send().await.unwrap()
            } else {
                client.post(app.url(&format!("{path}?filename={}", c.file_name))).body(c.bytes.clone()).send().await.unwrap()
            };
            let status = r.status().as_u16();
            let body = r.text().await.unwrap();
            assert!((400..500).contains(&status), "{} → {path}: {status} {}", c.name, &body[..body.len().min(400)]);
            assert!(body.contains(c.file_name) || body.contains("quá lớn") || body.contains("too large"), "{} → {path}: {}", c.name, &body[..body.len().min(600)]);
            // the server is alive and answers the next request
            assert_eq!(app.client().get(app.url("/healthz")).send().await.unwrap().status(), 200, "{} → {path}", c.name);
        }
    }
    assert_eq!(app.store.list_units(parindex_core::UnitScope::All, &Default::default()).await.unwrap().len(), units_before);
    assert_eq!(app.store.list_audit(&Default::default()).await.unwrap().total, audit_before, "nothing written, nothing audited");
});
